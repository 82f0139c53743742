import Foundation
import JITSema
import JITSyntax
import XCTest

/// NEP 50 promotion: strong arguments, weak literals.
final class PromotionTests: XCTestCase {
    private func type(_ src: String, _ args: [(String, ArgumentType)]) throws -> DType {
        let source = SourceText(src)
        return try TypeSpecializer.specialize(try Parser.parseExpression(source), source: source,
                                              signature: Signature(args)).resultType
    }

    func testStrongPromotionTable() {
        XCTAssertEqual(Promotion.promote(DType.int32, .float32), .float64)
        XCTAssertEqual(Promotion.promote(DType.int64, .float32), .float64)
        XCTAssertEqual(Promotion.promote(DType.bool, .float32), .float32)
        XCTAssertEqual(Promotion.promote(DType.bool, .int32), .int32)
        XCTAssertEqual(Promotion.promote(DType.int32, .int64), .int64)
        XCTAssertEqual(Promotion.promote(DType.float32, .float64), .float64)
    }

    func testWeakLiterals() throws {
        let f32 = ArgumentType.array(.float32), i32 = ArgumentType.array(.int32), b = ArgumentType.array(.bool)
        XCTAssertEqual(try type("x*2.5", [("x", f32)]), .float32)
        XCTAssertEqual(try type("x*2", [("x", f32)]), .float32)
        XCTAssertEqual(try type("x+2", [("x", i32)]), .int32)
        XCTAssertEqual(try type("x+2.5", [("x", i32)]), .float64)
        XCTAssertEqual(try type("x+2", [("x", b)]), .int64)
        XCTAssertEqual(try type("x/2", [("x", i32)]), .float64)
        XCTAssertEqual(try type("x/2", [("x", f32)]), .float32)
        XCTAssertEqual(try type("x*(2.5+1)", [("x", f32)]), .float32)
        XCTAssertEqual(try type("1+2", []), .int64)
        XCTAssertEqual(try type("1+2.5", []), .float64)
        XCTAssertEqual(try type("x < 2.5", [("x", i32)]), .bool)
        XCTAssertEqual(try type("sin(x)", [("x", i32)]), .float64)
        XCTAssertEqual(try type("sin(x)", [("x", f32)]), .float32)
        XCTAssertEqual(try type("x + y", [("x", f32), ("y", .scalar(.float64))]), .float64)
        XCTAssertEqual(try type("where(x > 0, x, 1)", [("x", i32)]), .int32)
        XCTAssertEqual(try type("maximum(x, 2.5)", [("x", f32)]), .float32)
        XCTAssertEqual(try type("x + y", [("x", b), ("y", b)]), .bool)
    }
}

/// The strong promotion table for every dtype pair, against `np.result_type` (NumPy 2.4) as
/// recorded in Snapshots/numpy-promotion.txt.
final class PromotionTableTests: XCTestCase {
    func testEveryPairMatchesNumPy() throws {
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent()
            .appendingPathComponent("Snapshots/numpy-promotion.txt")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 121)
        for line in lines {
            let parts = line.split(separator: " ").map(String.init)
            let a = try XCTUnwrap(DType(name: parts[0])), b = try XCTUnwrap(DType(name: parts[1]))
            let want = try XCTUnwrap(DType(name: parts[2]))
            XCTAssertEqual(Promotion.promote(a, b), want, "\(a) with \(b)")
        }
    }
}
