// NumPy's everyday names in expressions (mean, var, std with axis and ddof; clip; mod with
// NumPy's sign rule; deg2rad, rad2deg; pi and e), checked against values NumPy 2 computed for
// the same data (scripts: the data below is exact in binary, so Python builds the same array):
//
//   k = np.arange(1000); x = ((k*37) % 101)/8.0 - 6.0 + k*1e-3; m = x.reshape(4, 250)
//
// Means, variances and deviations agree to a few units in the last place (NumPy sums pairwise,
// SwiftJIT in vector lanes; both are within a few ulps of the exact value for this data).
import Foundation
import JITRuntime
import SwiftJIT
import XCTest

final class NumPyNamesTests: XCTestCase {
    static let x: [Double] = (0..<1000).map { (k: Int) -> Double in
        let step = Double((k * 37) % 101) / 8.0
        return step - 6.0 + Double(k) * 1e-3
    }
    static let xs = NDArray(x)
    static let m = NDArray(x, shape: [4, 250])

    /// `got` within `ulps` units in the last place of `want` (of float32 when `float32`).
    func assertClose(_ got: Double, _ want: Double, ulps: Double = 8, float32: Bool = false,
                     _ what: String = "", file: StaticString = #filePath, line: UInt = #line) {
        let ulp = float32 ? Double(Float(want).ulp) : want.ulp
        XCTAssertLessThanOrEqual(abs(got - want), ulps * ulp, "\(what): \(got) vs NumPy's \(want)", file: file, line: line)
    }

    func value(_ source: String, _ arguments: [String: any JITArgument]) throws -> NDArray {
        try JIT.evaluate(source, arguments)
    }

    func testMeanVarStdOverAllAxes() throws {
        let cases: [(String, Double)] = [("mean(x)", 0.75075), ("var(x)", 13.396979437499999), ("std(x)", 3.6601884428947096),
                                         ("var(x, ddof=1)", 13.410389827327325), ("std(x, ddof=1)", 3.6620199108316336),
                                         ("var(x, None, 1)", 13.410389827327325)]
        for (source, want) in cases {
            let r = try value(source, ["x": Self.xs])
            XCTAssertEqual(r.dtype, .float64, source)
            XCTAssertEqual(r.shape, [], source)
            assertClose(r.doubles[0], want, source)
        }
        // x - mean(x) broadcasts the scalar; integers give float64.
        XCTAssertEqual(try value("x - mean(x)", ["x": NDArray([1.0, 2, 6])]).doubles, [-2, -1, 3])
        let ints = NDArray((0..<1000).map { Int64(($0 * 37) % 101) - 50 })
        for (source, want) in [("mean(i)", 0.01), ("var(i)", 851.4459), ("std(i)", 29.17954591833122)] {
            let r = try value(source, ["i": ints])
            XCTAssertEqual(r.dtype, .float64, source)
            assertClose(r.doubles[0], want, source)
        }
    }

    func testFloat32AndComplexKeepNumPysTypes() throws {
        let f = NDArray(Self.x.map { Float($0) })
        for (source, want) in [("mean(f)", 0.75075), ("var(f)", 13.396978), ("std(f)", 3.6601882)] {
            let r = try value(source, ["f": f])
            XCTAssertEqual(r.dtype, .float32, source)
            assertClose(r.doubles[0], Double(Float(want)), ulps: 16, float32: true, source)
        }
        let z = NDArray(dtype: .complex128, shape: [1000], storage: ArrayStorage(zeroedBytes: 16000))
        let p = z.baseAddress.assumingMemoryBound(to: Double.self)
        for k in 0..<1000 { (p[2 * k], p[2 * k + 1]) = (Self.x[k], Double((k * 13) % 29) / 4.0) }
        let mean = try value("mean(z)", ["z": z])
        XCTAssertEqual(mean.dtype, .complex128)
        guard case .complex(let re, let im) = mean.element(0) else { return XCTFail("\(mean.element(0))") }
        assertClose(re, 0.75075, "mean re")
        assertClose(im, 3.50025, "mean im")
        let variance = try value("var(z)", ["z": z]), deviation = try value("std(z)", ["z": z])
        XCTAssertEqual(variance.dtype, .float64)
        assertClose(variance.doubles[0], 17.778166875, "var(z)")
        assertClose(deviation.doubles[0], 4.216416354559876, "std(z)")
    }

    func testAlongAnAxis() throws {
        let mean0 = try value("mean(m, axis=0)", ["m": Self.m])
        XCTAssertEqual(mean0.shape, [250])
        for (i, want) in [(0, -0.875), (1, 0.59475), (249, 2.1239999999999997)] { assertClose(mean0.doubles[i], want, "mean0[\(i)]") }
        let mean1 = try value("mean(m, 1)", ["m": Self.m])
        for (got, want) in zip(mean1.doubles, [0.3475, 0.65, 0.8515, 1.154]) { assertClose(got, want, "mean1") }
        let var0 = try value("var(m, axis=0)", ["m": Self.m])
        XCTAssertEqual(var0.shape, [250])
        for (i, want) in [(0, 16.2578125), (1, 13.7919921875), (249, 16.2578125)] { assertClose(var0.doubles[i], want, "var0[\(i)]") }
        let varLast = try value("var(m, axis=-1)", ["m": Self.m])
        XCTAssertEqual(varLast.shape, [4])
        for (got, want) in zip(varLast.doubles, [13.34199725, 13.278948, 13.299173249999999, 13.322277000000001]) {
            assertClose(got, want, "var(m, axis=-1)")
        }
        let std1 = try value("std(m, axis=1, ddof=1)", ["m": Self.m])
        for (got, want) in zip(std1.doubles, [3.6599972087794126, 3.651339084285892, 3.6541187151401293, 3.6572913639033366]) {
            assertClose(got, want, "std(m, axis=1, ddof=1)")
        }
        // Each row centred on its own mean: the result keeps m's shape.
        let centred = try value("m - mean(m, axis=0)", ["m": Self.m])
        XCTAssertEqual(centred.shape, [4, 250])
        assertClose(centred.doubles[0], Self.x[0] - -0.875, "centred")
    }

    func testClipModAnglesAndConstants() throws {
        let clipped = try value("clip(x, -2.5, 3.25)", ["x": NDArray(Array(Self.x.prefix(6)))])
        XCTAssertEqual(clipped.doubles, [-2.5, -1.374, 3.25, -2.5, -0.121, 3.25])
        XCTAssertEqual(try value("clip(x, 0, 1)", ["x": NDArray([Double.nan, 2])]).doubles[0].isNaN, true)

        let a = NDArray([Int64(-7), -3, -1, 0, 1, 3, 7])
        XCTAssertEqual(try value("mod(a, 3)", ["a": a]).toArray(Int64.self), [2, 0, 2, 0, 1, 0, 1])
        XCTAssertEqual(try value("remainder(a, -3)", ["a": a]).toArray(Int64.self), [-1, 0, -1, 0, -2, 0, -2])
        let f = NDArray([-7.5, -3.25, -0.0, 0.0, 1.5, 3.0, 7.25])
        let positive = try value("mod(f, 2.0)", ["f": f]).doubles, negative = try value("mod(f, -2.0)", ["f": f]).doubles
        XCTAssertEqual(positive, [0.5, 0.75, 0.0, 0.0, 1.5, 1.0, 1.25])
        XCTAssertEqual(negative, [-1.5, -1.25, -0.0, -0.0, -0.5, -1.0, -0.75])
        XCTAssertEqual(positive.map { $0.sign }, [.plus, .plus, .plus, .plus, .plus, .plus, .plus], "NumPy: mod(-0.0, 2.0) is 0.0")
        XCTAssertEqual(negative.map { $0.sign }, Array(repeating: .minus, count: 7), "NumPy: mod(0.0, -2.0) is -0.0")

        let head = NDArray(Array(Self.x.prefix(5)))
        XCTAssertEqual(try value("deg2rad(x)", ["x": head]).doubles,
                       [-0.10471975511965978, -0.02398082392240209, 0.05675810727485559, -0.08285077959217083, -0.0021118483949131386])
        XCTAssertEqual(try value("degrees(x)", ["x": head]).doubles,
                       [-343.77467707849394, -78.72440105097512, 186.3258749765437, -271.98306534860177, -6.932789321082961])
        let f32 = try value("radians(x)", ["x": NDArray(Self.x.prefix(3).map { Float($0) })])
        XCTAssertEqual(f32.dtype, .float32)
        XCTAssertEqual(f32.toArray(Float.self), [-0.10471975803375244, -0.023980822414159775, 0.05675810948014259].map { Float($0) })
        XCTAssertEqual(try value("pi", [:]).doubles, [Double.pi])
        XCTAssertEqual(try value("e", [:]).doubles, [M_E])
        XCTAssertEqual(try value("isinf(inf) & isnan(nan)", [:]).element(0), .bool(true))
        XCTAssertEqual(try value("rad2deg(pi)", [:]).doubles, [180])
        // A variable of the same name is read instead of the constant (numexpr code that calls a
        // variable `e` keeps working).
        XCTAssertEqual(try value("x * pi + e", ["x": NDArray([1.0, 2]), "pi": 2.0]).doubles, [2 + M_E, 4 + M_E])
        XCTAssertEqual(try JIT.compile("x * pi").shadowableConstants, ["pi"])
    }

    /// Wrong uses name the call and say what it takes.
    func testDiagnostics() throws {
        func message(_ source: String, _ arguments: [String: any JITArgument] = ["x": NDArray([1.0, 2])]) -> String {
            do { _ = try value(source, arguments); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("var(x, ddof=-1)").contains("ddof must be a non-negative integer literal"))
        XCTAssertTrue(message("mean(x, ddof=1)").contains("'mean' takes only 'axis=' as keyword argument"))
        XCTAssertTrue(message("mean(x, axis=2)").contains("axis 2 is out of bounds"))
        XCTAssertTrue(message("clip(x, 1)").contains("'clip' takes 3 arguments, but 2 were given"))
    }

    /// In kernels the elementwise names work (mean/var/std: KernelStatisticsTests).
    func testInKernels() throws {
        let module = try JIT.kernels("""
            kernel k(a: f64) -> f64 {
                return clip(a, 0.0, 1.0) + mod(a, -2.0) + rad2deg(pi / 2) + e
            }
            """)
        let r = try module.kernel("k").callAll([3.5])
        XCTAssertEqual(r[0].doubles, [1.0 + -0.5 + 90 + M_E])
    }
}
