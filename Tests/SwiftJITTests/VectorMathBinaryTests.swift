import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SwiftJIT
import XCTest

/// References more precise than glibc's double functions where those are up to 3 ULP off (cbrt,
/// erfc) or where the test needs a fraction of an ULP (pow, atan2): long double on x86-64 Linux.
enum Precise {
    #if arch(x86_64) && canImport(Glibc)
    static func cbrt(_ x: Double) -> Double { Double(cbrtl(Float80(x))) }
    static func erf(_ x: Double) -> Double { Double(erfl(Float80(x))) }
    static func erfc(_ x: Double) -> Double { Double(erfcl(Float80(x))) }
    static func pow(_ x: Double, _ y: Double) -> Double { Double(powl(Float80(x), Float80(y))) }
    static func atan2(_ y: Double, _ x: Double) -> Double { Double(atan2l(Float80(y), Float80(x))) }
    #else
    static func cbrt(_ x: Double) -> Double { Foundation.cbrt(x) }
    static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    static func erfc(_ x: Double) -> Double { Foundation.erfc(x) }
    static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    static func atan2(_ y: Double, _ x: Double) -> Double { Foundation.atan2(y, x) }
    #endif
}

/// The vectorised functions of two arguments, `x**y` and `arctan2(y, x)` (VectorMathPow.swift),
/// in relaxed and fast mode: the documented bound (4 ULP) over the whole range and C99's special
/// cases exactly as glibc (NumPy) gives them, float64 and float32.
final class VectorMathBinaryTests: XCTestCase {
    static let bound = VectorMathTests.bound

    /// Pairs (x, y) for pow: y log x uniform over the finite results (and a little beyond),
    /// x near 1 with large y, negative x with integer y.
    static func powArguments(float: Bool, count: Int = 4000) -> [(Double, Double)] {
        var g = SystemRandomNumberGenerator()
        let (lnMin, lnMax) = float ? (-103.0, 88.7) : (-745.0, 709.7)
        let maxLog = float ? 88.0 : 709.0
        var pairs: [(Double, Double)] = []
        for i in 0..<count {
            let x: Double, y: Double
            switch i % 4 {
            case 0:
                x = Foundation.exp(Double.random(in: -maxLog...maxLog, using: &g))
                y = Double.random(in: lnMin - 3...lnMax + 3, using: &g) / Foundation.log(x)
            case 1:
                x = 1 + Double.random(in: -1...1, using: &g) * Foundation.exp(Double.random(in: (float ? -16 : -36)...(-1), using: &g))
                y = Double.random(in: lnMin...lnMax, using: &g) / Foundation.log(x)
            case 2:
                x = -Foundation.exp(Double.random(in: -20...20, using: &g))
                y = Double.random(in: -30...30, using: &g).rounded()
            default:
                x = Foundation.exp(Double.random(in: -20...20, using: &g))
                y = Double.random(in: -20...20, using: &g)
            }
            if x.isFinite && y.isFinite { pairs.append(float ? (Double(Float(x)), Double(Float(y))) : (x, y)) }
        }
        return pairs
    }

    static let specials: [Double] = [0, -0.0, .infinity, -.infinity, .nan, 1, -1, 0.5, -0.5, 2, -2, 3, -3, 2.5,
                                     -2.5, .leastNonzeroMagnitude, .leastNormalMagnitude, -.leastNormalMagnitude,
                                     .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e300, 9007199254740994]

    /// Checks `expression` (of x and y) against `ref` on the pairs: NaN, infinities and zeros
    /// (with their sign) exactly, the rest within the bound.
    func check(_ expression: String, _ pairs: [(Double, Double)], _ ref: (Double, Double) -> Double,
               _ mode: MathMode, exactSpecials: Bool) throws {
        let f = try JIT.compile(expression, options: JIT.Options(mathMode: mode))
        let xs = pairs.map(\.0), ys = pairs.map(\.1)
        let y64 = try f(x: xs, y: ys).doubles
        let y32 = try f(x: xs.map { Float($0) }, y: ys.map { Float($0) }).toArray(Float.self)
        for (i, (x, y)) in pairs.enumerated() {
            for float in [false, true] {
                let (a, b) = float ? (Double(Float(x)), Double(Float(y))) : (x, y)
                let r = ref(a, b)
                let v = float ? Double(y32[i]) : y64[i]
                let want = float ? Double(Float(r)) : r
                let label = "\(expression) at x = \(a), y = \(b) \(float ? "f32" : "f64") \(mode): \(v), want \(want)"
                if exactSpecials && (want.isNaN || want.isInfinite || want == 0) {
                    XCTAssert(want.isNaN ? v.isNaN : v == want && v.sign == want.sign, label)
                } else if !exactSpecials && (!want.isFinite || want == 0) {
                    continue
                } else {
                    XCTAssertLessThanOrEqual(VectorMathTests.ulps(v, r, float: float), Self.bound, label)
                }
            }
        }
    }

    func testPowWithinBound() throws {
        for mode in [MathMode.relaxed, .fast] {
            try check("x**y", Self.powArguments(float: false), Precise.pow, mode, exactSpecials: mode == .relaxed)
            try check("x**y", Self.powArguments(float: true), Precise.pow, mode, exactSpecials: mode == .relaxed)
        }
    }

    /// Every pair of special values: C99 Annex F (pow(-0, -3) = -inf, pow(-1, inf) = 1,
    /// pow(1, nan) = 1, pow(nan, 0) = 1, pow(-2, 0.5) = NaN, ...), as glibc and NumPy.
    func testPowSpecialValues() throws {
        let pairs = Self.specials.flatMap { x in Self.specials.map { (x, $0) } }
        try check("x**y", pairs, Foundation.pow, .relaxed, exactSpecials: true)
        // A literal non-integer exponent takes the same path.
        let xs: [Double] = [0, -0.0, 2, -2, .infinity, -.infinity, .nan, 1e-300, 1e300]
        let y = try JIT.evaluate("x**0.3", ["x": xs]).doubles
        for (x, v) in zip(xs, y) {
            let r = Foundation.pow(x, 0.3)
            XCTAssert(r.isNaN ? v.isNaN : VectorMathTests.ulps(v, r, float: false) <= Self.bound, "\(x)**0.3 = \(v), want \(r)")
        }
    }

    func testArctan2WithinBoundAndSpecialValues() throws {
        var g = SystemRandomNumberGenerator()
        var pairs: [(Double, Double)] = (0..<4000).map { i in
            let scale = i % 2 == 0 ? 10.0 : Foundation.exp(Double.random(in: -700...700, using: &g))
            return (Double.random(in: -1...1, using: &g) * scale, Double.random(in: -10...10, using: &g))
        }
        pairs += Self.specials.flatMap { y in Self.specials.map { (y, $0) } }
        for mode in [MathMode.relaxed, .fast] {
            try check("arctan2(x, y)", pairs, Precise.atan2, mode, exactSpecials: mode == .relaxed)
        }
    }
}
