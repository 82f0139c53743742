import JITRuntime
import SwiftJIT
import XCTest

/// Float min/max reductions run as integer min/max reductions of the floats' bits
/// (FloatMinMaxBits.swift): expressions `min(x)`, `max(x)`, `min(abs(x))`, `max(abs(x))` and kernel
/// loops `m = max(m, x[i])`, against a plain Swift reference, for arrays that are all negative,
/// all positive, mixed, signed zeros and infinities, with positive and negative NaNs anywhere
/// (the sign of a NaN picks which accumulator sees it), in float64 and float32, at 1 and 2
/// threads, and the results bit for bit (so the sign of a zero result counts, except where a
/// parallel loop combines its chunks).
final class FloatMinMaxBitsTests: XCTestCase {
    /// NumPy's max/min with NaN propagated from anywhere and -0.0 ordered below +0.0.
    private static func reference(_ xs: [Double], max: Bool) -> Double {
        if xs.contains(where: \.isNaN) { return .nan }
        return xs.dropFirst().reduce(xs[0]) { m, v in
            if v == m { return (max ? v.sign == .plus : v.sign == .minus) ? v : m }
            return (max ? v > m : v < m) ? v : m
        }
    }

    /// Arrays of `n` elements of several sign patterns, each also with a positive and a negative
    /// NaN at the start, middle or end.
    private static func cases(_ n: Int) -> [(String, [Double])] {
        let scrambled: [Double] = (0..<n).map { (i: Int) -> Double in
            let k: Int = (i * 7919 + 13) % 10007
            return Double(k - 5003) / 64
        }
        var base: [(String, [Double])] = [
            ("mixed", scrambled),
            ("negative", scrambled.map { -abs($0) - 0.5 }),
            ("positive", scrambled.map { abs($0) + 0.5 }),
            ("zeros", (0..<n).map { $0 % 3 == 0 ? -0.0 : 0.0 }),
            ("negative zeros", (0..<n).map { $0 % 2 == 0 ? -0.0 : -1.0 }),
            ("infinities", (0..<n).map { $0 % 2 == 0 ? -.infinity : .infinity }),
            ("negative infinity", (0..<n).map { _ in -.infinity }),
        ]
        var withNaN: [(String, [Double])] = []
        for (name, xs) in base.prefix(3) {
            for position in Set([0, n / 2, n - 1]) {
                for (sign, nan) in [("+", Double.nan), ("-", -Double.nan)] {
                    var ys = xs
                    ys[position] = nan
                    withNaN.append(("\(name) \(sign)NaN at \(position)", ys))
                }
            }
        }
        base += withNaN
        return base
    }

    /// Bit for bit, or (`zeroSign` false) a zero of either sign for a zero.
    private func assertSame(_ got: Double, _ expected: Double, _ what: String, zeroSign: Bool = true,
                            file: StaticString = #filePath, line: UInt = #line) {
        if expected == 0 && !zeroSign {
            XCTAssertEqual(got, 0, what, file: file, line: line)
        } else if expected.isNaN {
            XCTAssertTrue(got.isNaN, "\(what): \(got), expected NaN", file: file, line: line)
        } else {
            XCTAssertEqual(got.bitPattern, expected.bitPattern, "\(what): \(got), expected \(expected)", file: file, line: line)
        }
    }

    func testExpressionMinMaxMatchTheReference() throws {
        defer { Parallel.resetThreadCount() }
        for mode in MathMode.allCases where mode != .fast {  // fast mode assumes no NaN
            for source in ["max(x)", "min(x)", "max(abs(x))", "min(abs(x))"] {
                let f = try JIT.compile(source, options: JIT.Options(mathMode: mode))
                let isMax = source.hasPrefix("max"), absolute = source.contains("abs")
                for n in [1, 5, 20_001] {
                    for (name, xs) in Self.cases(n) {
                        let expected = Self.reference(absolute ? xs.map { abs($0) } : xs, max: isMax)
                        for threads in [1, 2] {
                            JIT.numThreads = threads
                            let what = "\(source) \(mode) n=\(n) \(name) threads=\(threads)"
                            assertSame(try f.call(["x": xs]).doubles[0], expected, what + " f64")
                            let x32 = xs.map { Float($0) }
                            assertSame(Double(try f.call(["x": x32]).toArray(Float.self)[0]), expected, what + " f32")
                        }
                    }
                }
            }
        }
    }

    func testKernelLoopMinMaxMatchTheReference() throws {
        defer { Parallel.resetThreadCount() }
        for parallel in [false, true] {
            for (op, absolute) in [("max", false), ("min", false), ("max", true), ("min", true)] {
                let source = """
                kernel k(x: f64[], start: f64) -> f64 {
                    var m = start
                    \(parallel ? "parallel " : "")for i in 0..<len(x) { m = \(op)(m, \(absolute ? "abs(x[i])" : "x[i]")) }
                    return m
                }
                """
                let k = try JIT.kernels(source).kernel("k")
                for n in [1, 20_001] {
                    for (name, xs) in Self.cases(n) {
                        for start in [-Double.infinity, .infinity, -3.25, 0.0, -0.0] {
                            let elements = absolute ? xs.map { abs($0) } : xs
                            let expected = Self.reference([start] + elements, max: op == "max")
                            for threads in [1, 2] {
                                JIT.numThreads = threads
                                let what = "\(op)\(absolute ? " abs" : "")\(parallel ? " parallel" : "") n=\(n) \(name) start \(start) threads=\(threads)"
                                // A parallel loop combines its chunks' results with the scalar
                                // max/min, which keeps the first of two equal zeros, as NumPy's does.
                                assertSame(try k(xs, start).doubles[0], expected, what, zeroSign: !parallel)
                            }
                        }
                    }
                }
            }
        }
    }
}
