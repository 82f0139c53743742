// Collapsed 2-d nests (KernelCollapse.swift): `for i { for j { y[i, j] = f(a[i, j]) } }` runs as
// one loop when every array has contiguous rows of the inner extent. The results must be the
// nest's for every layout, range and aliasing, the nest as written must run (with its errors)
// whenever the flat loop could differ, and the flat loop must be in the code where it applies.
import Foundation
import SwiftJIT
import XCTest

final class KernelCollapseTests: XCTestCase {
    private let source = """
        kernel shifted(a: f64[,], t: f64) -> f64[,] {
            let out = empty_like(a)
            for i in 0..<a.shape[0] {
                for j in 0..<a.shape[1] {
                    let s = a[i, j] * 2
                    out[i, j] = s + t
                }
            }
            return out
        }
        kernel rows(a: f64[,], lo: i64, hi: i64, m: i64) {
            for i in lo..<hi {
                for j in 0..<m { a[i, j] = a[i, j] * 10 + 1 }
            }
        }
        kernel both(a: f64[,], b: f64[,]) {
            parallel for i in 0..<a.shape[0] {
                for j in 0..<a.shape[1] { b[i, j] = a[i, j] + b[i, j] }
            }
        }
        kernel divided(a: i64[,], d: i64) -> i64[,] {
            let out = empty_like(a)
            for i in 0..<a.shape[0] {
                for j in 0..<a.shape[1] // d { out[i, j] = a[i, j] }
            }
            return out
        }
        """

    private func matrix(_ r: Int, _ c: Int, _ f: (Int, Int) -> Double) -> NDArray {
        NDArray((0..<r * c).map { f($0 / c, $0 % c) }, shape: [r, c])
    }

    func testContiguousAndStridedLayoutsGiveTheNestsResults() throws {
        let k = try JIT.kernels(source).kernel("shifted")
        for (r, c) in [(100, 100), (7, 3), (1, 1), (3, 0), (0, 4), (33, 17)] {
            let a = matrix(r, c) { Double($0 * 1000 + $1) }
            let y = try k(a, 0.5)
            XCTAssertEqual(y.shape, [r, c])
            XCTAssertEqual(y.doubles, a.doubles.map { $0 * 2 + 0.5 }, "\(r) x \(c)")
            // The transpose (strides [1, r]) and a column slice (row stride c, extent c - 1) run the nest.
            let t = NDArray(dtype: .float64, shape: [c, r], strides: [1, c], storage: a.storage)
            XCTAssertEqual(try k(t, 1.0).doubles, t.doubles.map { $0 * 2 + 1 }, "transpose of \(r) x \(c)")
            if c > 1 {
                let s = NDArray(dtype: .float64, shape: [r, c - 1], strides: [c, 1], storage: a.storage, offset: 1)
                XCTAssertEqual(try k(s, 1.0).doubles, s.doubles.map { $0 * 2 + 1 }, "slice of \(r) x \(c)")
            }
        }
    }

    func testRangesInPlaceUpdatesAndOutOfRangeRows() throws {
        let k = try JIT.kernels(source).kernel("rows")
        /// The nest on a copy of `a`, in Swift.
        func expected(_ a: NDArray, _ lo: Int, _ hi: Int, _ m: Int) -> [Double] {
            var v = a.doubles
            let c = a.shape[1]
            for i in max(lo, 0)..<max(hi, max(lo, 0)) { for j in 0..<m { v[i * c + j] = v[i * c + j] * 10 + 1 } }
            return v
        }
        for (lo, hi, m) in [(0, 6, 4), (2, 5, 4), (5, 2, 4), (1, 6, 3), (0, 6, 0)] {
            let a = matrix(6, 4) { Double($0 * 4 + $1) }
            let want = expected(a, lo, hi, m)
            _ = try k(a, Int64(lo), Int64(hi), Int64(m))
            XCTAssertEqual(a.doubles, want, "rows \(lo)..<\(hi), columns 0..<\(m)")
        }
        // Rows past the end: the nest runs as written and stops at the first bad index, after
        // updating every row before it, with the error at the index.
        let a = matrix(6, 4) { Double($0 * 4 + $1) }
        let want = expected(a, 0, 6, 4)
        XCTAssertThrowsError(try k(a, Int64(0), Int64(7), Int64(4))) { error in
            XCTAssertTrue("\(error)".contains("index 6 is out of range for axis 0 with size 6"), "\(error)")
        }
        XCTAssertEqual(a.doubles, want)
        XCTAssertThrowsError(try k(matrix(6, 4) { _, _ in 0 }, Int64(0), Int64(6), Int64(5))) { error in
            XCTAssertTrue("\(error)".contains("index 4 is out of range for axis 1 with size 4"), "\(error)")
        }
    }

    func testAliasedArraysAndParallelRows() throws {
        let k = try JIT.kernels(source).kernel("both")
        for threads in [1, 2] {
            let saved = JIT.numThreads
            JIT.numThreads = threads
            defer { JIT.numThreads = saved }
            let a = matrix(300, 70) { Double($0 - $1) }, b = matrix(300, 70) { Double($0 * $1) }
            let want = zip(a.doubles, b.doubles).map { $0 + $1 }
            _ = try k(a, b)
            XCTAssertEqual(b.doubles, want, "\(threads) threads")
            // b is a: each element doubles, as in the nest.
            let before = a.doubles
            _ = try k(a, a)
            XCTAssertEqual(a.doubles, before.map { $0 * 2 }, "\(threads) threads, aliased")
        }
    }

    func testTheInnerExtentIsReadOnlyWhenARowRuns() throws {
        let k = try JIT.kernels(source).kernel("divided")
        let a = NDArray((0..<12).map { Int64($0) }, shape: [3, 4])
        XCTAssertEqual(try k(a, Int64(1)).toArray(Int64.self), (0..<12).map { Int64($0) })
        // No rows: the extent (a division by zero) is never evaluated, as in the nest.
        let empty = NDArray([Int64](), shape: [0, 4])
        XCTAssertEqual(try k(empty, Int64(0)).shape, [0, 4])
        XCTAssertThrowsError(try k(a, Int64(0))) { error in
            XCTAssertTrue("\(error)".lowercased().contains("division by zero"), "\(error)")
        }
    }

    func testTheFlatLoopIsEmittedWhereItApplies() throws {
        let m = try JIT.kernels(source)
        let matrixType = ArgumentType(dtype: .float64, rank: 2)
        XCTAssertTrue(try m.kernel("shifted").llvmIR([matrixType, .scalar(.float64)]).contains("collapsed"))
        XCTAssertTrue(try m.kernel("both").llvmIR([matrixType, matrixType]).contains("collapsed"))
        // W9 (Examples/trace.sj) is such a nest.
        let trace = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Examples/trace.sj").standardizedFileURL, encoding: .utf8)
        XCTAssertTrue(try JIT.kernels(trace).kernel("add_trace").llvmIR([matrixType]).contains("collapsed"))
    }
}
