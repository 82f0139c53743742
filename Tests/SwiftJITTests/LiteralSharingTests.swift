// Expressions that differ only in float literals share compiled code (JITSema's liftConstants):
// one LLVM compilation for `x*2.5 + 1` and `x*3.5 + 1`, each with its own right answer, on every
// call path (allocating, out=, the repeated-call fast path, reductions, float32); literals the
// pass keeps (exponents, divisors, integers) still decide the code.
import XCTest
import JITSema
@testable import SwiftJIT

final class LiteralSharingTests: XCTestCase {
    /// LLVM compilations (disk-cache hits count too: the test process has no disk cache).
    /// Background (second-tier) kernel compiles left over from earlier tests count too, so they
    /// are drained first: otherwise one landing inside `body` makes the count flaky.
    func compilations(_ body: () throws -> Void) rethrows -> Int {
        JIT.drainBackgroundCompiles()
        let before = JIT.cacheMisses
        try body()
        JIT.drainBackgroundCompiles()  // the final codes of expressions compiled in `body`
        return JIT.cacheMisses - before
    }

    func testExpressionsDifferingOnlyInFloatLiteralsCompileOnce() throws {
        let x = NDArray((0..<16).map { Double($0) })
        // A structure no other test compiles, so the first compile is a real one.
        var a: NDArray?, b: NDArray?
        XCTAssertEqual(try compilations { a = try JIT.compile("x*2.5 + 1 - x*x*0.125").call(x) }, 1)
        XCTAssertEqual(try compilations { b = try JIT.compile("x*3.5 + 1 - x*x*0.375").call(x) }, 0)
        func expected(_ k: Double, _ q: Double) -> [Double] {
            (0..<16).map { (i: Int) -> Double in
                let v = Double(i)
                return v * k + 1 - v * v * q
            }
        }
        XCTAssertEqual(a!.doubles, expected(2.5, 0.125))
        XCTAssertEqual(b!.doubles, expected(3.5, 0.375))
        // Repeated calls (the fast path) and out= keep each expression's own constants.
        let f = try JIT.compile("x*2.5 + 1 - x*x*0.125"), g = try JIT.compile("x*3.5 + 1 - x*x*0.375")
        for _ in 0..<3 {
            XCTAssertEqual(try f.call(x).doubles, a!.doubles)
            XCTAssertEqual(try g.call(x).doubles, b!.doubles)
        }
        let out = NDArray(zeros: .float64, shape: [16])
        _ = try g.call(x, out: out)
        XCTAssertEqual(out.doubles, b!.doubles)
    }

    func testFloat32AndBroadcastAndReductions() throws {
        let x32 = NDArray((0..<8).map { Float($0) })
        var r1: NDArray?, r2: NDArray?
        XCTAssertEqual(try compilations { r1 = try JIT.compile("x*0.25 - 7.5 + x").call(x32) }, 1)
        XCTAssertEqual(try compilations { r2 = try JIT.compile("x*0.75 - 2.5 + x").call(x32) }, 0)
        XCTAssertEqual(r1!.dtype, .float32, "a float literal stays weak: float32 in, float32 out")
        func expected(_ k: Float, _ c: Float) -> [Float] { (0..<8).map { (i: Int) -> Float in Float(i) * k - c + Float(i) } }
        XCTAssertEqual(r1!.toArray(Float.self), expected(0.25, 7.5))
        XCTAssertEqual(r2!.toArray(Float.self), expected(0.75, 2.5))
        // A 2-d broadcast and a reduction with lifted constants.
        let m = NDArray((0..<12).map { Double($0) }, shape: [3, 4]), row = NDArray([1.0, 2, 3, 4])
        let broadcast: [Double] = (0..<12).map { (i: Int) -> Double in Double(i) * Double(i % 4 + 1) * 1.5 + 0.5 }
        XCTAssertEqual(try JIT.compile("m*row*1.5 + 0.5").call(m, row).doubles, broadcast)
        let total: Double = (0..<12).map { (i: Int) -> Double in Double(i) * 1.25 + 0.5 }.reduce(0, +)
        XCTAssertEqual(try JIT.evaluate("sum(x*1.25 + 0.5)", ["x": m]).doubles, [total])
        let rows: [Double] = (0..<3).map { (r: Int) -> Double in
            (0..<4).map { (j: Int) -> Double in Double(4 * r + j) * 2.25 + 0.5 }.reduce(0, +)
        }
        XCTAssertEqual(try JIT.evaluate("sum(x*2.25 + 0.5, axis=1)", ["x": m]).doubles, rows)
    }

    func testKeptLiteralsStillDecideTheCode() throws {
        let x = NDArray([1.0, 2, 3])
        _ = try JIT.compile("x**2 + 1.5*x").call(x)
        // Another small integer power is other code (expanded into multiplications).
        XCTAssertEqual(try compilations { _ = try JIT.compile("x**3 + 1.5*x").call(x) }, 1)
        XCTAssertEqual(try JIT.compile("x**3 + 2.5*x").call(x).doubles, [3.5, 13, 34.5])
        // Divisors stay in the code.
        _ = try JIT.compile("x/4.0 + 0.5").call(x)
        XCTAssertEqual(try compilations { _ = try JIT.compile("x/8.0 + 0.5").call(x) }, 1)
        XCTAssertEqual(try JIT.compile("x/8.0 + 0.5").call(x).doubles, [0.625, 0.75, 0.875])
    }

    func testThePassLiftsOnlyWhatItShould() throws {
        let f = try JIT.compile("x*2.5 + 3 - x/4.0 + x**2").typedIR(Signature([("x", .array(.float64))]))
        let lifted = liftConstants(f)
        XCTAssertEqual(lifted.values.map(\.value).sorted(), [2.5, 3])
        XCTAssertEqual(lifted.function.parameters.map(\.name), ["x", "$k0", "$k1"])
        XCTAssertTrue("\(lifted.function)".contains("0.25") || "\(lifted.function)".contains("4"), "the divisor stays")
    }
}
