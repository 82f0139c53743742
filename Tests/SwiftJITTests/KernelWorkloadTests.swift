// The kernel workloads of Examples/*.sj at small sizes, checked against plain Swift (the
// `examples` program runs them at full size).
import Foundation
import SwiftJIT
import TestData
import XCTest

final class KernelWorkloadTests: XCTestCase {
    /// The inputs come from the one seeded generator (TestData), always from the same seed.
    typealias Random = SeededRandom
    static func random() -> Random { SeededRandom(seed: 0x2545_F491_4F6C_DD1D) }

    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples")

    func kernel(_ file: String, _ name: String) throws -> Kernel {
        let source = try String(contentsOf: Self.examples.appendingPathComponent(file), encoding: .utf8)
        return try JIT.kernels(source, name: file).kernel(name)
    }

    func assertClose(_ got: [Double], _ want: [Double], rtol: Double, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, file: file, line: line)
        let scale = want.filter(\.isFinite).map(abs).max() ?? 1
        for (k, (g, w)) in zip(got, want).enumerated() {
            if w.isNaN || g.isNaN {
                XCTAssertTrue(w.isNaN && g.isNaN, "element \(k): \(g) vs \(w)", file: file, line: line)
            } else if abs(g - w) > rtol * (abs(w) + 1e-3 * scale) {
                XCTFail("element \(k): \(g) vs \(w)", file: file, line: line)
                return
            }
        }
    }

    func ragged(_ r: inout Random, total: Int, lengths: ClosedRange<Int>) -> [Int64] {
        var starts: [Int64] = [0]
        var s = 0
        while s < total {
            s += min(Int(r.next() % UInt64(lengths.count)) + lengths.lowerBound, total - s)
            starts.append(Int64(s))
        }
        return starts
    }

    func testW3GaussiansLoop() throws {
        var r = Self.random()
        let n = 500, k = 7
        let x = (0..<n).map { -10 + 20 * Double($0) / Double(n - 1) }
        let A = (0..<k).map { _ in r.normal(5, 2) }, x0 = (0..<k).map { _ in r.uniform() }, w = (0..<k).map { _ in r.uniform() }
        let got = try kernel("gaussians.sj", "gaussians")(x, A, x0, w)
        XCTAssertEqual(got.shape, [k, n])
        var want: [Double] = []
        for i in 0..<k {
            for j in 0..<n { want.append(A[i] * Foundation.exp(-(x[j] - x0[i]) * (x[j] - x0[i]) / (2 * w[i] * w[i]))) }
        }
        assertClose(got.doubles, want, rtol: 1e-12)
    }

    func testW4RaggedSum() throws {
        var r = Self.random()
        let total = 20_000
        let jind = ragged(&r, total: total, lengths: 10...1990)
        let X = (0..<total).map { _ in r.uniform() }
        var want = 0.0
        for i in 0..<(jind.count - 1) {
            for j in Int(jind[i])..<Int(jind[i + 1]) { want += Foundation.atan(X[j] * Double(i) * Double(j)) }
        }
        let got = try kernel("ragged_sum.sj", "ragged_sum")(X, jind)
        XCTAssertEqual(got.shape, [])
        XCTAssertEqual(got.doubles[0], want, accuracy: 1e-10 * abs(want))
        // Empty input: one row start, no rows.
        XCTAssertEqual(try kernel("ragged_sum.sj", "ragged_sum")([Double](), [Int64(0)]).doubles, [0])
    }

    func testW8Mandelbrot() throws {
        let n = 60, maxit = 50
        let grid = (0..<n).map { -2 + 4 * Double($0) / Double(n - 1) }
        let got = try kernel("mandelbrot.sj", "mandelbrot")(grid, grid, Int64(maxit))
        XCTAssertEqual(got.shape, [n, n])
        XCTAssertEqual(got.dtype, .int64)
        var want: [Int64] = []
        for i in 0..<n {
            for j in 0..<n {
                var zr = 0.0, zi = 0.0, it = 0
                for k in 1...maxit {
                    (zr, zi) = (zr * zr - zi * zi + grid[j], 2 * zr * zi + grid[i])
                    if zr * zr + zi * zi >= 4 { break }
                    it = k
                }
                want.append(Int64(it))
            }
        }
        let differ = zip(got.toArray(Int64.self), want).filter { $0 != $1 }.count
        XCTAssertLessThanOrEqual(differ, 3, "chaotic points may flip under FMA contraction, but only a few")
        XCTAssertEqual(want[(n / 2) * n + n / 2 - 1], Int64(maxit), "a point of the set runs all iterations")
    }

    func testW9AddTrace() throws {
        let a = NDArray((0..<10_000).map(Double.init), shape: [100, 100])
        var t = 0.0
        for i in 0..<100 { t += Foundation.tanh(Double(i * 101)) }
        let got = try kernel("trace.sj", "add_trace")(a)
        XCTAssertEqual(got.shape, [100, 100])
        assertClose(got.doubles, (0..<10_000).map { Double($0) + t }, rtol: 1e-14)
        // A non-square view: the trace runs over the shorter axis.
        let b = NDArray((0..<12).map { Double($0) / 10 }, shape: [3, 4]).transposed()
        let tb = Foundation.tanh(0) + Foundation.tanh(0.5) + Foundation.tanh(1.0)
        let gotB = try kernel("trace.sj", "add_trace")(b)
        XCTAssertEqual(gotB.shape, [4, 3])
        assertClose(gotB.doubles, b.contiguous().doubles.map { $0 + tb }, rtol: 1e-14)
    }

    func testW10LUProductOfPivots() throws {
        var r = Self.random()
        let k = try kernel("lu.sj", "lu_pivot_product")
        for n in [1, 2, 10, 40] {
            var m = [Double](repeating: 0, count: n * n)
            for i in 0..<n { for j in 0..<n { m[i * n + j] = r.uniform() / Double(n) + (i == j ? 1 : 0) } }
            let input = NDArray(m, shape: [n, n])
            var a = m
            for p in 0..<max(0, n - 1) {
                for i in (p + 1)..<n {
                    let l = a[i * n + p] / a[p * n + p]
                    a[i * n + p] = l
                    for j in (p + 1)..<n { a[i * n + j] -= l * a[p * n + j] }
                }
            }
            let want = (0..<n).reduce(1.0) { $0 * a[$1 * n + $1] }
            XCTAssertEqual(try k(input).doubles[0], want, accuracy: 1e-12 * abs(want), "n = \(n)")
            XCTAssertEqual(input.doubles, m, "the matrix passed in is not modified")
        }
        // Upper triangular: the product of the diagonal exactly.
        XCTAssertEqual(try k(NDArray([2.0, 5, 7, 0, 3, 1, 0, 0, 0.5], shape: [3, 3])).doubles, [3])
    }

    func metropolisReference(_ data: [Double], _ eps: [Double], _ u: [Double]) -> [Double] {
        func pdf(_ x: Double, _ m: Double) -> Double { Foundation.exp(-0.5 * (x - m) * (x - m)) / (2 * Double.pi).squareRoot() }
        var mu = 1.0
        var out: [Double] = []
        for t in 0..<eps.count {
            let prop = mu + eps[t]
            var lc = 1.0, lp = 1.0
            for d in data { lc *= pdf(d, mu); lp *= pdf(d, prop) }
            if u[t] < lp * pdf(prop, 0) / (lc * pdf(mu, 0)) { mu = prop }
            out.append(mu)
        }
        return out
    }

    func testW11Metropolis() throws {
        var r = Self.random()
        let data = (0..<20).map { _ in r.normal() }
        let eps = (0..<300).map { _ in r.normal(0, 0.5) }, u = (0..<300).map { _ in r.uniform() }
        let got = try kernel("metropolis.sj", "metropolis")(data, eps, u).doubles
        let want = metropolisReference(data, eps, u)
        XCTAssertEqual(got, want)
        XCTAssertGreaterThan(Set(got).count, 50, "the chain moves")
    }

    func testW11SeededChainUsesTheKernelGeneratorsDraws() throws {
        var r = Self.random()
        let data = (0..<20).map { _ in r.normal(0.3, 1) }
        let draws = try kernel("metropolis.sj", "proposals").callAll([Int64(400), Int64(7)])
        XCTAssertEqual(draws.count, 2)
        let seeded = try kernel("metropolis.sj", "metropolis_seeded")
        let got = try seeded(data, Int64(400), Int64(7)).doubles
        XCTAssertEqual(got, metropolisReference(data, draws[0].doubles, draws[1].doubles))
        XCTAssertEqual(got, try seeded(data, Int64(400), Int64(7)).doubles, "reproducible")
        XCTAssertNotEqual(got, try seeded(data, Int64(400), Int64(8)).doubles)
    }

    func testW13BumpFinder() throws {
        let k = try kernel("bumps.sj", "pv_locations")
        // Row 0: a bump at 2...4 (centre (2*1 + 3*2 + 4*1.5)/4.5), too narrow runs at 7...8 and
        // 10...11; row 1: a run to the end; row 2: nothing; row 3: more bumps than k = 2.
        let rows: [[Float]] = [
            [0, 0.5, 1, 2, 1.5, 0, 0, 5, 5, 0, 1, 1, 0.9, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2],
            [Float](repeating: 0.25, count: 16),
            [1, 1, 1, 1, 0, 2, 2, 2, 0, 3, 3, 3, 0, 0, 0, 0],
        ]
        let x = NDArray(rows.flatMap { $0 }, shape: [4, 16])
        let got = try k(x, 1.0, 3.0, Int64(3), Int64(2))
        XCTAssertEqual(got.shape, [4, 2])
        assertClose(got.doubles, [(2.0 + 6 + 6) / 4.5, .nan, 14, .nan, .nan, .nan, 1.5, 6], rtol: 1e-15)

        // Random rows against the straightforward scan.
        var r = Self.random()
        let nrows = 20, n = 1000
        var data = [Float](repeating: 0, count: nrows * n)
        for i in 0..<data.count { data[i] = Float(r.uniform(0, 0.8)) }
        for row in 0..<nrows {
            for _ in 0..<4 {
                let c = r.uniform(20, Double(n) - 20), h = r.uniform(0.5, 3), s = r.uniform(1, 8)
                for i in 0..<n { data[row * n + i] += Float(h * Foundation.exp(-(Double(i) - c) * (Double(i) - c) / (2 * s * s))) }
            }
        }
        var want = [Double](repeating: .nan, count: nrows * 32)
        for row in 0..<nrows {
            var count = 0, start = 0, inRun = false, integral = 0.0, weighted = 0.0
            for i in 0...n {
                let v = i < n ? Double(data[row * n + i]) : 0
                if i < n && v >= 1 {
                    if !inRun { inRun = true; start = i; integral = 0; weighted = 0 }
                    integral += v
                    weighted += v * Double(i)
                } else if inRun {
                    inRun = false
                    if i - start >= 3 && integral >= 3 && count < 32 { want[row * 32 + count] = weighted / integral; count += 1 }
                }
            }
        }
        XCTAssertGreaterThan(want.filter { !$0.isNaN }.count, 20)
        assertClose(try k(NDArray(data, shape: [nrows, n]), 1.0, 3.0, Int64(3), Int64(32)).doubles, want, rtol: 1e-12)
    }

    func testW14LogLikelihood() throws {
        var r = Self.random()
        let total = 20_000
        let jind = ragged(&r, total: total, lengths: 10...1990)
        let mu = (0..<(jind.count - 1)).map { _ in r.uniform(1, 2) }
        let I0 = (0..<total).map { _ in r.uniform(1, 2) }
        var I = [Double](repeating: 0, count: total)
        var want = 0.0
        for i in 0..<(jind.count - 1) {
            for j in Int(jind[i])..<Int(jind[i + 1]) {
                I[j] = mu[i] * I0[j] + r.normal(0, 0.1)
                let m = mu[i] * I0[j], s = 0.1 * Foundation.pow(m, 0.5), z = (I[j] - m) / s
                want += Foundation.log(s) + 0.5 * z * z
            }
        }
        let got = try kernel("loglik.sj", "loglik")(I, I0, mu, jind, 0.1, 0.5)
        XCTAssertEqual(got.doubles[0], want, accuracy: 1e-10 * abs(want))
        let half = try kernel("loglik.sj", "loglik_half")(I, I0, mu, jind, 0.1)
        XCTAssertEqual(half.doubles[0], want, accuracy: 1e-10 * abs(want))
    }
}
