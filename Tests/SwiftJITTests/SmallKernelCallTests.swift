import ComplexModule
import Foundation
import JITRuntime
import SwiftJIT
import XCTest

/// The small-call paths of kernels (issue 19): a `parallel for` without reductions that the
/// runtime would run on one thread is emitted in place as a plain loop, the enclosing scalars go
/// to the pool's path by value, and loops calling math prefer 512-bit vectors on AVX-512. Each
/// kernel is checked against values computed here, on the in-kernel serial path and on the pool.
final class SmallKernelCallTests: XCTestCase {
    static let source = """
    # Scalars of every width captured by a parallel loop without reductions.
    kernel captures(x: f64[], c: c128, f: f32, k: i8, flag: bool, big: i64) -> f64[] {
        let out = empty(len(x))
        let shift = 0.25
        let z = c * 2
        parallel for i in 0..<len(x) {
            var v = x[i] * f + k + shift + big
            if flag {
                v = v + real(z) - imag(z)
            }
            out[i] = v
        }
        return out
    }

    # continue, a loop-local array and a second parallel loop after the first.
    kernel rows(a: f64[,]) -> f64[] {
        let n = a.shape[0]
        let m = a.shape[1]
        let sums = zeros(n)
        parallel for i in 0..<n {
            let row = a[i, 0..<m]
            if i % 3 == 1 {
                continue
            }
            var s = 0.0
            for j in 0..<m {
                s += row[j]
            }
            sums[i] = s
        }
        let out = empty(n)
        parallel for i in 0..<n {
            out[i] = sums[i] * 2.0
        }
        return out
    }

    # W9's shape: a math reduction and a plain loop in one kernel.
    kernel add_trace(a: f64[,]) -> f64[,] {
        var t = 0.0
        parallel for i in 0..<min(a.shape[0], a.shape[1]) {
            t += tanh(a[i, i])
        }
        let out = empty_like(a)
        parallel for i in 0..<a.shape[0] {
            for j in 0..<a.shape[1] {
                out[i, j] = a[i, j] + t
            }
        }
        return out
    }

    kernel scaled_like(a: f64[,]) -> f64[,] {
        let out = empty_like(a)
        for i in 0..<a.shape[0] {
            for j in 0..<a.shape[1] {
                out[i, j] = a[i, j] * 3.0
            }
        }
        return out
    }

    # A math loop without a reduction.
    kernel tanh_all(x: f64[]) -> f64[] {
        let out = empty_like(x)
        parallel for i in 0..<len(x) {
            out[i] = tanh(x[i]) + exp(-x[i])
        }
        return out
    }

    kernel out_of_range(x: f64[]) -> f64[] {
        let out = empty(len(x))
        parallel for i in 0..<len(x) {
            out[i] = x[i + 1]
        }
        return out
    }
    """

    private func module() throws -> KernelModule { try JIT.kernels(Self.source, name: "small.sj") }

    override func tearDown() {
        Parallel.resetThreadCount()
    }

    /// Runs `body` on the serial path (one thread, default threshold) and on the pool (two
    /// threads, no serial threshold).
    private func onBothPaths(_ body: (String) throws -> Void) throws {
        let saved = Parallel.serialThreshold
        defer { Parallel.serialThreshold = saved }
        JIT.numThreads = 1
        try body("serial")
        JIT.numThreads = 2
        Parallel.serialThreshold = 0
        try body("pool")
    }

    func testCapturedScalarsOfEveryWidth() throws {
        let k = try module().kernel("captures").typed(
            NDArray.self, Complex<Double>.self, Float.self, Int8.self, Bool.self, Int.self, returning: NDArray.self)
        let x = (0..<37).map { Double($0) * 0.5 - 3 }
        try onBothPaths { path in
            for flag in [false, true] {
                let r = try k(NDArray(x), Complex(1.5, -0.75), 0.5, -3, flag, 1 << 40).doubles
                let want = x.map { v -> Double in
                    let base = v * 0.5 - 3 + 0.25 + Double(1 << 40)
                    return flag ? base + 3.0 + 1.5 : base
                }
                XCTAssertEqual(r, want, "\(path), flag \(flag)")
            }
        }
    }

    func testContinueLocalArraysAndLoopsAfterLoops() throws {
        let k = try module().kernel("rows").typed(NDArray.self, returning: NDArray.self)
        let n = 7, m = 5
        let values = (0..<n * m).map { Double($0) }
        try onBothPaths { path in
            let r = try k(NDArray(values, shape: [n, m])).doubles
            let want = (0..<n).map { i in i % 3 == 1 ? 0 : 2 * (0..<m).reduce(0.0) { $0 + values[i * m + $1] } }
            XCTAssertEqual(r, want, path)
        }
    }

    func testMathReductionAndPlainLoopInOneKernel() throws {
        let k = try module().kernel("add_trace").typed(NDArray.self, returning: NDArray.self)
        for n in [1, 7, 8, 9, 100] {
            let a = (0..<n * n).map { Double($0) * 0.013 - 0.4 }
            let t = (0..<n).reduce(0.0) { $0 + Foundation.tanh(a[$1 * n + $1]) }
            try onBothPaths { path in
                let r = try k(NDArray(a, shape: [n, n]))
                XCTAssertEqual(r.shape, [n, n])
                let got = r.doubles
                for i in 0..<n * n { XCTAssertEqual(got[i], a[i] + t, accuracy: 1e-12, "\(path), n \(n), element \(i)") }
            }
        }
    }

    /// An array result shaped like an argument shares the argument's shape (and strides, when
    /// equal) instead of allocating its own; a transposed argument keeps its own strides.
    func testResultsShapedLikeAnArgument() throws {
        let k = try module().kernel("scaled_like").typed(NDArray.self, returning: NDArray.self)
        let a = NDArray((0..<6).map(Double.init), shape: [2, 3])
        let r = try k(a)
        XCTAssertEqual(r.shape, [2, 3])
        XCTAssertEqual(r.strides, [3, 1])
        XCTAssertEqual(r.doubles, [0, 3, 6, 9, 12, 15])
        let t = try k(a.transposed())
        XCTAssertEqual(t.shape, [3, 2])
        XCTAssertEqual(t.strides, [2, 1])
        XCTAssertEqual(t.doubles, [0, 9, 3, 12, 6, 15])
    }

    func testMathLoopWithoutReduction() throws {
        let k = try module().kernel("tanh_all").typed(NDArray.self, returning: NDArray.self)
        for n in [1, 3, 8, 13, 100, 1000] {
            let x = (0..<n).map { Double($0) * 0.07 - 2 }
            try onBothPaths { path in
                let got = try k(NDArray(x)).doubles
                for i in 0..<n {
                    let want = Foundation.tanh(x[i]) + Foundation.exp(-x[i])
                    XCTAssertEqual(got[i], want, accuracy: 4e-16 * Swift.max(1, abs(want)) * 4, "\(path), n \(n), element \(i)")
                }
            }
        }
    }

    func testErrorsOnTheInPlaceSerialPath() throws {
        let k = try module().kernel("out_of_range")
        try onBothPaths { path in
            XCTAssertThrowsError(try k([1.0, 2.0, 3.0]), path) { e in
                XCTAssertEqual("\(e)", """
                    small.sj:76:20: error: index 3 is out of range for axis 0 with size 3 in kernel 'out_of_range'
                    76 |         out[i] = x[i + 1]
                       |                    ^~~~~

                    """, path)
            }
        }
    }

    /// Many small calls in a row keep giving the same results (the per-thread spare allocation
    /// list is reused and nothing leaks into the next call).
    func testRepeatedSmallCalls() throws {
        let k = try module().kernel("rows").typed(NDArray.self, returning: NDArray.self)
        let a = NDArray((0..<12).map(Double.init), shape: [4, 3])
        let first = try k(a).doubles
        XCTAssertEqual(first, [6, 0, 42, 60])
        for _ in 0..<1000 { XCTAssertEqual(try k(a).doubles, first) }
    }
}
