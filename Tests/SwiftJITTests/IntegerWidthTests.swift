import SwiftJIT
import XCTest

/// int8, int16 and the unsigned types: wrapping, unsigned division and shifts, promotion,
/// reductions. Expected values are NumPy 2.4's.
final class IntegerWidthTests: XCTestCase {
    private let a: [UInt8] = [250, 3, 0, 255], b: [UInt8] = [10, 5, 0, 2]

    func testUnsignedEightBitArithmeticWraps() throws {
        func u8(_ e: String) throws -> [UInt8] {
            let r = try JIT.evaluate(e, ["a": a, "b": b])
            XCTAssertEqual(r.dtype, .uint8, e)
            return r.toArray(UInt8.self)
        }
        XCTAssertEqual(try u8("a + b"), [4, 8, 0, 1])
        XCTAssertEqual(try u8("a - b"), [240, 254, 0, 253])
        XCTAssertEqual(try u8("a // b"), [25, 0, 0, 127])
        XCTAssertEqual(try u8("a % b"), [0, 3, 0, 1])
        XCTAssertEqual(try u8("a >> 1"), [125, 1, 0, 127])
        XCTAssertEqual(try u8("-a"), [6, 253, 0, 1])
        XCTAssertEqual(try u8("a * b"), [196, 15, 0, 254])
        XCTAssertEqual(try u8("a + 1"), [251, 4, 1, 0])
    }

    func testLiteralsOutOfRangeForSmallTypesAreErrors() {
        XCTAssertThrowsError(try JIT.evaluate("a + 300", ["a": a])) { e in
            XCTAssertTrue("\(e)".contains("integer literal 300 is out of bounds for uint8"), "\(e)")
        }
        XCTAssertThrowsError(try JIT.evaluate("a + -1", ["a": a]))
    }

    func testSumsOfSmallTypesWiden() throws {
        let s = try JIT.evaluate("sum(a)", ["a": a])
        XCTAssertEqual(s.dtype, .uint64)
        XCTAssertEqual(s.toArray(UInt64.self), [508])
        XCTAssertEqual(try JIT.evaluate("sum(i)", ["i": [Int8(1), 2]]).dtype, .int64)
    }

    func testUnsigned64BitValuesAboveInt64Max() throws {
        let u: [UInt64] = [UInt64.max, 5]
        XCTAssertEqual(try JIT.evaluate("u > 6", ["u": u]).toArray(Bool.self), [true, false])
        XCTAssertEqual(try JIT.evaluate("u // 2", ["u": u]).toArray(UInt64.self), [UInt64(Int64.max), 2])
        let f = try JIT.evaluate("u + 0.0", ["u": u])
        XCTAssertEqual(f.dtype, .float64)
        XCTAssertEqual(f.doubles, [18446744073709551615.0, 5])
        XCTAssertEqual(try JIT.evaluate("max(u)", ["u": u]).toArray(UInt64.self), [UInt64.max])
        XCTAssertEqual(try JIT.evaluate("u + i", ["u": u, "i": [Int64(1), 1]]).dtype, .float64)
    }

    func testSignedAndUInt64CompareExactly() throws {
        // NumPy 2 compares int64 with uint64 exactly; their common type float64 would round both to
        // 2^63 (found by scripts/kernel_diff.py, issue 24). Expected values from NumPy 2.4.
        let u: [UInt64] = [1 << 63 + 1, UInt64.max, 3, 3, 0]
        let i: [Int64] = [Int64.max, -1, -1, 3, Int64.min]
        let ops: [(String, [Bool])] = [("u < i", [false, false, false, false, false]), ("u <= i", [false, false, false, true, false]),
                                       ("u == i", [false, false, false, true, false]), ("u != i", [true, true, true, false, true]),
                                       ("u >= i", [true, true, true, true, true]), ("u > i", [true, true, true, false, true]),
                                       ("i < u", [true, true, true, false, true]), ("i >= u", [false, false, false, true, false])]
        for (text, want) in ops {
            XCTAssertEqual(try JIT.evaluate(text, ["u": u, "i": i]).toArray(Bool.self), want, text)
        }
        XCTAssertEqual(try JIT.evaluate("u > i", ["u": u, "i": [Int32(-1), 2, 3, 4, 5]]).toArray(Bool.self), [true, true, false, false, false])
        let k = try JIT.kernels("kernel k(a: u64, b: i64) -> bool { return a > b }").kernel("k")
        XCTAssertEqual(try k(UInt64(1) << 63 + 1, Int64.max).toArray(Bool.self), [true])
    }

    func testSignedEightBitEdgeCases() throws {
        let i: [Int8] = [-128, 127]
        XCTAssertEqual(try JIT.evaluate("i // j", ["i": i, "j": [Int8(-1), -1]]).toArray(Int8.self), [-128, -127])
        XCTAssertEqual(try JIT.evaluate("i + j", ["i": i, "j": [Int8(1), 1]]).toArray(Int8.self), [-127, -128])
        XCTAssertEqual(try JIT.evaluate("abs(i)", ["i": i]).toArray(Int8.self), [-128, 127])
        XCTAssertEqual(try JIT.evaluate("i * 1.5", ["i": i]).dtype, .float64)
        XCTAssertEqual(try JIT.evaluate("i + f", ["i": i, "f": [Float(1), 2]]).dtype, .float32)
        XCTAssertEqual(try JIT.evaluate("i + u", ["i": i, "u": [UInt8(1), 2]]).dtype, .int16)
    }

    func testNpyRoundTripOfEveryWidth() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sj-widths-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let arrays: [NDArray] = [NDArray([Int8(-3), 4]), NDArray([Int16(-300), 4]), NDArray([UInt16(65535), 4]),
                                 NDArray([UInt32(4_000_000_000), 4]), NDArray([UInt64.max, 4]), NDArray([UInt8(200), 4])]
        for a in arrays {
            let path = dir.appendingPathComponent("\(a.dtype).npy").path
            try NPY.write(a, to: path)
            let back = try NPY.read(path: path)
            XCTAssertEqual(back.dtype, a.dtype)
            XCTAssertEqual((0..<2).map(back.element), (0..<2).map(a.element))
        }
    }
}
