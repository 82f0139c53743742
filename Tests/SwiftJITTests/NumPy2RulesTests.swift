// NumPy 2 rules that the differential files check against NumPy's values, stated here as the
// documented rules themselves: the conversion functions (float to integer by the table in
// ScalarSemantics.floatToInteger) in expressions and kernels, run-time errors for negative
// integer powers, the order of operations in relaxed mode, and the diagnostics with carets.
import JITSema
import SwiftJIT
import XCTest

final class NumPy2RulesTests: XCTestCase {
    /// Floats with their conversions, as documented in docs/language.md (NumPy 2.4 on x86-64).
    static let values: [Double] = [.nan, .infinity, -.infinity, 1e20, -1e20, 3e9, -3e9, 300, -1, -129.5,
                                   1e19, 0x1p63, 0x1p64, -0.7, 65543, 4294967301, 2.9, -2.9]
    static let expected: [String: [Int64]] = [
        "i8": [0, 0, 0, 0, 0, 0, 0, 44, -1, 127, 0, 0, 0, 0, 7, 0, 2, -2],
        "i16": [0, 0, 0, 0, 0, 0, 0, 300, -1, -129, 0, 0, 0, 0, 7, 0, 2, -2],
        "i32": [-2147483648, -2147483648, -2147483648, -2147483648, -2147483648, -2147483648, -2147483648,
                300, -1, -129, -2147483648, -2147483648, -2147483648, 0, 65543, -2147483648, 2, -2],
        "i64": [.min, .min, .min, .min, .min, 3_000_000_000, -3_000_000_000, 300, -1, -129, .min, .min, .min,
                0, 65543, 4_294_967_301, 2, -2],
        "u8": [0, 0, 0, 0, 0, 0, 0, 44, 255, 127, 0, 0, 0, 0, 7, 0, 2, 254],
        "u16": [0, 0, 0, 0, 0, 0, 0, 300, 65535, 65407, 0, 0, 0, 0, 7, 0, 2, 65534],
        "u32": [2147483648, 0, 2147483648, 0, 2147483648, 3_000_000_000, 2147483648, 300, 4294967295,
                4294967167, 0, 0, 0, 0, 65543, 0, 2, 4294967294],
    ]
    /// uint64 results as bit patterns.
    static let expectedU64: [UInt64] = [1 << 63, 0, 1 << 63, 0, 1 << 63, 3_000_000_000, 18446744070709551616,
                                        300, .max, 18446744073709551487, 10_000_000_000_000_000_000, 1 << 63, 0, 0,
                                        65543, 4_294_967_301, 2, 18446744073709551614]

    private func integers(_ a: NDArray) -> [Int64] {
        (0..<a.count).map { k -> Int64 in
            if case .int(let v) = a.element(k) { return v }
            XCTFail("not an integer: \(a.element(k))")
            return 0
        }
    }

    func testFloatToIntegerConversionsFollowTheDocumentedRule() throws {
        for mode in MathMode.allCases {
            for (name, want) in Self.expected {
                let r = try JIT.evaluate("\(name)(x)", ["x": Self.values], options: JIT.Options(mathMode: mode))
                XCTAssertEqual(r.dtype.shortName, name)
                XCTAssertEqual(integers(r), want.enumerated().map { ScalarSemantics.wrap($0.element, r.dtype) },
                               "\(name) \(mode)")
                // The same rule when constant folding computes it, and from float32.
                for (k, v) in Self.values.enumerated() {
                    XCTAssertEqual(ScalarSemantics.floatToInteger(v, r.dtype), ScalarSemantics.wrap(want[k], r.dtype), "\(name)(\(v))")
                }
                let f = try JIT.evaluate("\(name)(f32(x))", ["x": Self.values.filter { Double(Float($0)) == $0 }],
                                         options: JIT.Options(mathMode: mode))
                XCTAssertEqual(f.dtype.shortName, name)
            }
            let u = try JIT.evaluate("u64(x)", ["x": Self.values], options: JIT.Options(mathMode: mode))
            XCTAssertEqual(integers(u).map { UInt64(bitPattern: $0) }, Self.expectedU64, "\(mode)")
        }
        XCTAssertEqual(try JIT.evaluate("i64(-2.7) + i64(2.7)").toArray(Int64.self), [0])
    }

    func testOtherConversions() throws {
        XCTAssertEqual(try JIT.evaluate("bool(x)", ["x": [0.0, -0.0, .nan, 2]]).toArray(Bool.self), [false, false, true, true])
        let z = try JIT.evaluate("c64(x)", ["x": [1.5, -2.0]])
        XCTAssertEqual(z.dtype, .complex64)
        XCTAssertEqual(try JIT.evaluate("f32(i) * x", ["i": [Int32(3)], "x": [Float(0.5)]]).dtype, .float32)
        XCTAssertEqual(try JIT.evaluate("f32(0.1) * x", ["x": [1.0]]).doubles, [Double(Float(0.1))])
        XCTAssertEqual(try JIT.evaluate("i64(x.real)", ["x": [2.9]]).toArray(Int64.self), [2])
        XCTAssertThrowsError(try JIT.evaluate("i8(300)")) { e in
            XCTAssertTrue("\(e)".contains("integer literal 300 is out of bounds for int8"), "\(e)")
            XCTAssertTrue("\(e)".contains("^~~"), "\(e)")
        }
    }

    func testConversionsInKernels() throws {
        let source = """
        kernel mean_index(x: f64[]) -> f64 {
            var s = 0.0
            for i in 0..<len(x) {
                s += f64(i) * x[i]
            }
            return s / f64(len(x))
        }

        kernel bins(x: f64[], n: i64) -> i64[] {
            let out = zeros(len(x), dtype=i64)
            for i in 0..<len(x) {
                out[i] = min(max(i64(x[i] * n), 0), n - 1)
            }
            return out
        }

        kernel narrow(x: f64) -> i32 {
            return i32(x)
        }
        """
        let m = try JIT.kernels(source, name: "conv.sj")
        let mean: Double = 8.0 / 3.0  // (0*1 + 1*2 + 2*3) / 3
        XCTAssertEqual(try m.kernel("mean_index")([1.0, 2.0, 3.0]).doubles[0], mean)
        let xs: [Double] = [0.05, 0.51, 0.99, -1.0, 7.0, .nan]
        let expectedBins: [Int64] = [0, 5, 9, 0, 9, 0]
        XCTAssertEqual(try m.kernel("bins")(xs, Int64(10)).toArray(Int64.self), expectedBins)
        for (v, want) in zip(Self.values, Self.expected["i32"]!) {
            XCTAssertEqual(try m.kernel("narrow")(v).toArray(Int32.self), [Int32(want)], "i32(\(v))")
        }
    }

    func testNegativeIntegerPowersAreErrors() throws {
        let x: [Int64] = [1, 2, 3, 4], y: [Int64] = [0, 1, -1, 2]
        XCTAssertEqual(try JIT.evaluate("x ** y", ["x": x, "y": [Int64(0), 1, 2, 3]]).toArray(Int64.self), [1, 2, 9, 64])
        for expr in ["x ** y", "sum(x ** y)", "x ** (y - 1) + 1"] {
            XCTAssertThrowsError(try JIT.evaluate(expr, ["x": x, "y": y]), expr) { e in
                XCTAssertTrue("\(e)".contains("integers to negative integer powers are not allowed"), "\(e)")
                XCTAssertTrue("\(e)".contains("^"), "\(e)")
            }
        }
        // Large arrays run on several threads; the error is still reported, and the next call works.
        let n = 300_000
        var big = [Int64](repeating: 2, count: n)
        big[n - 7] = -3
        let f = try JIT.compile("x ** y")
        XCTAssertThrowsError(try f.call(["x": [Int64](repeating: 3, count: n), "y": big], out: nil))
        big[n - 7] = 2
        XCTAssertEqual(try f.call(["x": [Int64](repeating: 3, count: n), "y": big], out: nil).toArray(Int64.self)[n - 7], 9)
        // Repeated calls (the per-call fast path) report it too.
        let small = try JIT.compile("x ** y")
        _ = try small(x: x, y: [Int64(1), 1, 1, 1])
        XCTAssertThrowsError(try small(x: x, y: y))
        // Floats to negative integer powers are fine, and Python ints give floats.
        XCTAssertEqual(try JIT.evaluate("x ** y", ["x": [2.0, 2.0, 2.0, 2.0], "y": y]).doubles, [1, 2, 0.5, 4])
        XCTAssertEqual(try JIT.evaluate("2 ** -1").doubles, [0.5])
        XCTAssertThrowsError(try JIT.evaluate("x ** -1", ["x": x])) { e in
            XCTAssertTrue("\(e)".contains("integers to negative integer powers are not allowed"), "\(e)")
        }
        let k = try JIT.kernels("kernel p(a: i64, b: i64) -> i64 {\n    return a ** b\n}", name: "p.sj").kernel("p")
        XCTAssertEqual(try k(Int64(3), Int64(2)).toArray(Int64.self), [9])
        XCTAssertThrowsError(try k(Int64(3), Int64(-2))) { e in
            XCTAssertTrue("\(e)".contains("p.sj:2:"), "\(e)")
            XCTAssertTrue("\(e)".contains("integers to negative integer powers are not allowed (in kernel 'p')"), "\(e)")
        }
    }

    /// Relaxed mode keeps NumPy's order of operations in expressions: only contraction into FMA
    /// may change a float32 result, and there is none to make here.
    func testRelaxedModeDoesNotReassociate() throws {
        let b: [Float] = (0..<1000).map { Float($0) * 0.001234 - 0.6 }
        for expr in ["3 - (b + 3)", "(b + 1e4) - 1e4", "(b + 0.1) + 0.2"] {
            let strict = try JIT.evaluate(expr, ["b": b], options: JIT.Options(mathMode: .strict))
            let relaxed = try JIT.evaluate(expr, ["b": b], options: JIT.Options(mathMode: .relaxed))
            XCTAssertEqual(strict.toArray(Float.self), relaxed.toArray(Float.self), expr)
            // and it is not the reassociated value
            if expr == "3 - (b + 3)" {
                XCTAssertNotEqual(relaxed.toArray(Float.self), b.map { -$0 })
            }
        }
    }

    func testAttributesComplexOrderAndSign() throws {
        XCTAssertEqual(try JIT.evaluate("x.real + x.imag", ["x": [2.5]]).doubles, [2.5])
        XCTAssertThrowsError(try JIT.evaluate("x.shape", ["x": [2.5]])) { e in
            XCTAssertTrue("\(e)".contains("unknown attribute 'shape'"), "\(e)")
            XCTAssertTrue("\(e)".contains("^~~~~~~"), "\(e)")
        }
        XCTAssertEqual(try JIT.evaluate("(3 + 4j).real * x", ["x": [Float(2)]]).dtype, .float32)
        XCTAssertEqual(try JIT.evaluate("x + cos(3)", ["x": [Float(2)]]).dtype, .float64)
        XCTAssertEqual(try JIT.evaluate("x + 2.5", ["x": [Float(2)]]).dtype, .float32)
        XCTAssertEqual(try JIT.evaluate("(1 + 2j) < (1 + 3j)").toArray(Bool.self), [true])
        XCTAssertEqual(try JIT.evaluate("(2 + 0j) > 1j").toArray(Bool.self), [true])
        XCTAssertEqual(try JIT.evaluate("real(sign(3 + 4j)) + imag(sign(3 + 4j))").doubles[0], 1.4, accuracy: 1e-15)
        XCTAssertEqual(try JIT.evaluate("imag(round(2.5 + 3.5j))").doubles, [4])
    }
}
