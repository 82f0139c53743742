// mean, var and std of whole arrays inside kernels, checked against values NumPy 2 computed for the
// same data (the data is built by the same IEEE operations in Swift and NumPy, so both have the same
// arrays):
//
//   k = np.arange(N); x = ((k*37) % 101)/8.0 - 6.0 + k*1e-3 (+ 1000.0 for the long array)
//   y = ((k*13) % 29)/4.0; m = x.reshape(4, 250)
//
// The kernels compute two passes (the mean, then the sum of squared deviations from it), each a
// float64 sum of blocks of 1024 elements of the innermost axis (each block summed in vector lanes),
// the block sums added in order; NumPy sums pairwise. A running sum of n terms is within about
// (n - 1) * u * sum|x_i| (u = 2^-53); the blocks make the count of additions behind each term about
// 1024/lanes + n/1024 instead of n/lanes. Measured (LLVM 14 and 19): within 3 ulps of NumPy for
// 1000 elements and for 100,000 (around 1000, and integers in [-50, 50]), where NumPy's pairwise
// sums are within an ulp of the exact values; the assertions allow 8 ulps.
import Foundation
import JITRuntime
import SwiftJIT
import XCTest

final class KernelStatisticsTests: XCTestCase {
    static func x(_ n: Int, offset: Double = 0) -> [Double] {
        (0..<n).map { (k: Int) -> Double in Double((k * 37) % 101) / 8.0 - 6.0 + Double(k) * 1e-3 + offset }
    }
    static let y: [Double] = (0..<1000).map { Double(($0 * 13) % 29) / 4.0 }

    static let source = """
        kernel stats(x) { return mean(x), var(x), std(x), var(x, ddof=1), std(x, ddof=1) }
        kernel centred(x: f64[]) -> f64[] { return x - mean(x) }
        kernel fused(x: f64[], y: f64[]) -> (f64, f64) { return mean(x * y), std(x * y - mean(x), ddof=2) }
        kernel rows(m: f64[,]) -> (f64[], f64[]) {
            let means = zeros(m.shape[0])
            let deviations = zeros(m.shape[0])
            parallel for i in 0..<m.shape[0] {
                let row = m[i, 0..<m.shape[1]]
                means[i] = mean(row)
                deviations[i] = std(row, ddof=1)
            }
            return means, deviations
        }
        kernel degrees(x: f64[], d: i64) -> f64 { return var(x, ddof=d) }
        kernel axes(m) { return mean(m, axis=0), mean(m, 1), var(m, axis=0), var(m, axis=-1), std(m, axis=1, ddof=1) }
        kernel axes3(t) { return mean(t, axis=1), std(t, axis=2, ddof=1), var(t, axis=0) }
        kernel standardized(m: f64[,]) -> (f64, f64[,]) {
            let mu = mean(m, axis=0)
            let sd = std(m, axis=0)
            let out = empty_like(m)
            parallel for i in 0..<m.shape[0] {
                for j in 0..<m.shape[1] { out[i, j] = (m[i, j] - mu[j]) / sd[j] }
            }
            return sum(mean(m, axis=1)), out
        }
        """

    func call(_ kernel: String, _ arguments: [any JITArgument]) throws -> [NDArray] {
        try JIT.kernels(Self.source).kernel(kernel).callAll(arguments)
    }

    /// `got` within `ulps` units in the last place of `want` (of float32 when `float32`).
    func assertClose(_ got: Double, _ want: Double, ulps: Double = 8, float32: Bool = false,
                     _ what: String = "", file: StaticString = #filePath, line: UInt = #line) {
        let ulp = float32 ? Double(Float(want).ulp) : want.ulp
        XCTAssertLessThanOrEqual(abs(got - want), ulps * ulp, "\(what): \(got) vs NumPy's \(want)", file: file, line: line)
    }

    func testFloat64AgainstNumPy() throws {
        let r = try call("stats", [NDArray(Self.x(1000))])
        let numpy = [0.75075, 13.396979437499999, 3.6601884428947096, 13.410389827327325, 3.6620199108316336]
        for (i, want) in numpy.enumerated() {
            XCTAssertEqual(r[i].dtype, .float64)
            assertClose(r[i].doubles[0], want, "result \(i)")
        }
        // 100,000 elements around 1000: NumPy's values (the exact ones are within an ulp of them).
        let long = try call("stats", [NDArray(Self.x(100_000, offset: 1000))])
        for (i, want) in [(0, 1050.24944125), (1, 846.6173330165486), (4, 29.096834866949727)] {
            assertClose(long[i].doubles[0], want, "long result \(i)")
        }
    }

    func testIntegersBoolsFloat32AndComplexTypes() throws {
        let ints = try call("stats", [NDArray((0..<100_000).map { Int64(($0 * 37) % 101) - 50 })])
        for (i, want) in [(0, -0.00047), (1, 850.0079497790999)] {
            XCTAssertEqual(ints[i].dtype, .float64, "integers give float64")
            assertClose(ints[i].doubles[0], want, "int result \(i)")
        }
        let bools = try call("stats", [NDArray([true, false, true, true])])
        XCTAssertEqual(Array(bools.map { $0.doubles[0] }[0...1]), [0.75, 0.1875])

        // float32 keeps its type; the sums run in float64, so the result is the exact value rounded
        // once (NumPy's float32 pairwise sum gave 846.61737 for the variance, the exact one is 846.61731).
        let f = try call("stats", [NDArray(Self.x(100_000, offset: 1000).map { Float($0) })])
        XCTAssertEqual(f.map(\.dtype), Array(repeating: .float32, count: 5))
        assertClose(f[0].doubles[0], 1050.2493896484375, ulps: 1, float32: true, "f32 mean")
        assertClose(f[1].doubles[0], 846.6173095703125, ulps: 1, float32: true, "f32 var")
        assertClose(f[2].doubles[0], 29.096689224243164, ulps: 1, float32: true, "f32 std")

        let z = NDArray(dtype: .complex128, shape: [1000], storage: ArrayStorage(zeroedBytes: 16000))
        let p = z.baseAddress.assumingMemoryBound(to: Double.self)
        let x = Self.x(1000)
        for k in 0..<1000 { (p[2 * k], p[2 * k + 1]) = (x[k], Double((k * 13) % 29) / 4.0) }
        let c = try call("stats", [z])
        XCTAssertEqual(c[0].dtype, .complex128)
        XCTAssertEqual(c[1].dtype, .float64)
        guard case .complex(let re, let im) = c[0].element(0) else { return XCTFail("\(c[0].element(0))") }
        assertClose(re, 0.75075, "mean re")
        assertClose(im, 3.50025, "mean im")
        assertClose(c[1].doubles[0], 17.778166875, "var(z)")
        assertClose(c[2].doubles[0], 4.216416354559876, "std(z)")
    }

    /// Fused with their argument and with the statement around them; views of rows in a parallel loop.
    func testFusedAndOnViews() throws {
        let x = Self.x(1000)
        let centred = try call("centred", [NDArray(x)])[0].doubles
        assertClose(centred[0], x[0] - 0.75075, "centred[0]")
        assertClose(centred[999], x[999] - 0.75075, "centred[999]")
        let fused = try call("fused", [NDArray(x), NDArray(Self.y)])
        assertClose(fused[0].doubles[0], 2.6170755, "mean(x * y)")
        assertClose(fused[1].doubles[0], 15.053679105829657, "std(x * y - mean(x), ddof=2)")
        let rows = try call("rows", [NDArray(x, shape: [4, 250])])
        for (got, want) in zip(rows[0].doubles, [0.3475, 0.65, 0.8515, 1.154]) { assertClose(got, want, "row mean") }
        for (got, want) in zip(rows[1].doubles, [3.6599972087794126, 3.651339084285892, 3.6541187151401293, 3.6572913639033366]) {
            assertClose(got, want, "row std")
        }
        // The whole matrix at once.
        let whole = try call("stats", [NDArray(x, shape: [4, 250])])
        assertClose(whole[1].doubles[0], 13.396979437499999, "var(m)")
    }

    /// Along an axis, as in the expression language (the same NumPy values as NumPyNamesTests):
    /// the result is an array of the other axes, which the statement around it reads whole or
    /// by index.
    func testAlongAnAxis() throws {
        let x = Self.x(1000)
        let r = try call("axes", [NDArray(x, shape: [4, 250])])
        XCTAssertEqual(r.map(\.shape), [[250], [4], [250], [4], [4]])
        for (i, want) in [(0, -0.875), (1, 0.59475), (249, 2.1239999999999997)] { assertClose(r[0].doubles[i], want, "mean0[\(i)]") }
        for (got, want) in zip(r[1].doubles, [0.3475, 0.65, 0.8515, 1.154]) { assertClose(got, want, "mean1") }
        for (i, want) in [(0, 16.2578125), (1, 13.7919921875), (249, 16.2578125)] { assertClose(r[2].doubles[i], want, "var0[\(i)]") }
        for (got, want) in zip(r[3].doubles, [13.34199725, 13.278948, 13.299173249999999, 13.322277000000001]) { assertClose(got, want, "var-1") }
        for (got, want) in zip(r[4].doubles, [3.6599972087794126, 3.651339084285892, 3.6541187151401293, 3.6572913639033366]) {
            assertClose(got, want, "std1 ddof=1")
        }
        // Three dimensions: each axis (means near zero compared within 1e-14 of the data's scale).
        let t = try call("axes3", [NDArray(Array(x.prefix(24)), shape: [2, 3, 4])])
        XCTAssertEqual(t.map(\.shape), [[2, 4], [2, 3], [3, 4]])
        let means = [-0.12100000000000015, 0.2966666666666666, 0.7143333333333332, -3.076333333333333,
                     0.6826666666666666, 1.1003333333333332, -2.6903333333333332, 1.9356666666666664]
        for (got, want) in zip(t[0].doubles, means) { XCTAssertEqual(got, want, accuracy: 1e-14) }
        let deviations = [4.1365282846851175, 3.305399874952096, 5.012023210906617, 3.305399874952096, 4.1365282846851175, 3.305399874952096]
        for (got, want) in zip(t[1].doubles, deviations) { assertClose(got, want, "std axis 2") }
        let variances = [6.280036, 6.280036000000001, 14.489442249999998, 6.280036, 6.280036, 14.489442249999998,
                         6.280036000000001, 6.280036000000001, 14.489442249999998, 6.280036000000001, 14.489442249999998, 6.280036]
        for (got, want) in zip(t[2].doubles, variances) { assertClose(got, want, "var axis 0") }
        // Bound with let and read by index; reduced again.
        let s = try call("standardized", [NDArray(x, shape: [4, 250])])
        assertClose(s[0].doubles[0], 3.003, "sum(mean(m, axis=1))")
        let column = [x[0], x[250], x[500], x[750]]
        let mu = column.reduce(0, +) / 4, sd = (column.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / 4).squareRoot()
        XCTAssertEqual(s[1].doubles[0], (x[0] - mu) / sd, accuracy: 1e-14)
        // An empty axis gives NaN per element, as NumPy's; reducing the other one gives an empty array.
        let empty = try call("axes", [NDArray(dtype: .float64, shape: [0, 3], storage: ArrayStorage(zeroedBytes: 0))])
        XCTAssertEqual(empty[0].shape, [3])
        XCTAssertTrue(empty[0].doubles.allSatisfy(\.isNaN))
        XCTAssertEqual(empty[1].shape, [0])
    }

    /// NaN propagates; an empty array and ddof >= n divide by zero as NumPy does (NumPy also warns).
    func testNaNEmptyAndDegreesOfFreedom() throws {
        XCTAssertTrue(try call("stats", [NDArray([1.0, .nan, 3])]).allSatisfy { $0.doubles[0].isNaN })
        XCTAssertTrue(try call("stats", [NDArray([Double]())]).allSatisfy { $0.doubles[0].isNaN })
        XCTAssertTrue(try call("stats", [NDArray([Int64]())]).allSatisfy { $0.doubles[0].isNaN })
        let one = try call("stats", [NDArray([2.5])]).map { $0.doubles[0] }
        XCTAssertEqual(Array(one[0...2]), [2.5, 0, 0])
        XCTAssertTrue(one[3].isNaN && one[4].isNaN, "ddof=1 of one element: 0/0")
        XCTAssertEqual(try call("degrees", [NDArray([1.0, 2]), Int64(3)])[0].doubles, [.infinity], "NumPy: var([1, 2], ddof=3) is inf")
        XCTAssertEqual(try call("degrees", [NDArray([1.0, 2, 3]), Int64(-1)])[0].doubles, [0.5], "NumPy allows a negative ddof")
    }

    func testDiagnostics() throws {
        func message(_ source: String, _ arguments: [any JITArgument] = [NDArray([1.0, 2])]) -> String {
            do { _ = try JIT.kernels(source).kernel("k").callAll(arguments); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(message("kernel k(m: f64[]) -> f64 { return mean(m, axis=1) }").contains("axis 1 is out of bounds for an array of dimension 1"))
        XCTAssertTrue(message("kernel k(m: f64[], a: i64) -> f64 { return mean(m, axis=a) }", [NDArray([1.0]), Int64(0)])
                        .contains("axis must be an integer literal or None"))
        // No broadcasting in kernels: the message names the call, not a hidden variable.
        XCTAssertTrue(message("kernel k(m: f64[,]) -> f64[,] { return m - mean(m, axis=0) }", [NDArray([1.0, 2], shape: [1, 2])])
                        .contains("('m' has 2, 'mean(m, axis=0)' has 1)"))
        XCTAssertTrue(message("kernel k(a: f64) -> f64 { return std(a) }", [2.0]).contains("'std' reduces an array, but its argument is a scalar"))
        XCTAssertTrue(message("kernel k(a: f64[]) -> f64 { return mean(a, ddof=1) }").contains("'mean' takes only 'axis=' as keyword argument"))
        XCTAssertTrue(message("kernel k(a: f64[]) -> f64 { return var(a, 0, 1, 2) }").contains("'var' takes one array argument"))
        // A helper of the same name is called instead (kernels written before mean existed keep working).
        XCTAssertEqual(message("func mean(a) { return a * 2 }\nkernel k(a: f64) -> f64 { return mean(a) }", [2.0]), "no error")
    }
}
