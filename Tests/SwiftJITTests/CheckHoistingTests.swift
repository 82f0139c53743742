import SwiftJIT
import XCTest

/// Index checks on a flat loop's variable made once before the loop (KernelCheckHoisting.swift):
/// the loop over the safe range runs without them, the rest with every check, so results, the
/// stores made before an error and the error itself (index, axis, line) are those of the loop as
/// written.
final class CheckHoistingTests: XCTestCase {
    static let source = """
    kernel copy_prefix(x: f64[], y: f64[], n: i64) {
        for i in 0..<n {
            y[i] = x[i] * 2.0
        }
    }

    kernel diag_sum(a: f64[,], n: i64) -> f64 {
        var t = 0.0
        for i in 0..<n {
            t += a[i, i]
        }
        return t
    }

    kernel pdiag_sum(a: f64[,], n: i64) -> f64 {
        var t = 0.0
        parallel for i in 0..<n {
            t += a[i, i]
        }
        return t
    }

    kernel shifted(x: f64[], y: f64[], lo: i64, hi: i64) {
        for i in lo..<hi {
            if i % 2 == 0 { continue }
            y[i] = x[i] + 1.0
        }
    }
    """

    private func module() throws -> KernelModule { try JIT.kernels(Self.source, name: "hoist.sj") }

    func testInRangeLoopsComputeTheSameAndTheCheckLeavesTheLoop() throws {
        let m = try module()
        let x = NDArray((0..<100).map(Double.init)), y = NDArray([Double](repeating: -1, count: 100))
        _ = try m.kernel("copy_prefix")(x, y, Int64(60))
        XCTAssertEqual(y.doubles, (0..<100).map { $0 < 60 ? Double($0) * 2 : -1 })
        let a = NDArray((0..<10_000).map { Double($0 % 97) }, shape: [100, 100])
        let want = (0..<100).reduce(0.0) { $0 + Double(($1 * 101) % 97) }
        XCTAssertEqual(try m.kernel("diag_sum")(a, Int64(100)).doubles[0], want)
        XCTAssertEqual(try m.kernel("pdiag_sum")(a, Int64(100)).doubles[0], want)
        let ir = try m.kernel("copy_prefix").llvmIR([ArgumentType(dtype: .float64, rank: 1),
                                                     ArgumentType(dtype: .float64, rank: 1), .scalar(.int64)])
        XCTAssertTrue(ir.contains("checkedrest"), "the rest of the range is not run with its checks")
    }

    func testAnErrorComesAtTheSameIterationAfterTheSameStores() throws {
        let m = try module()
        let x = NDArray((0..<50).map(Double.init))
        let y = NDArray([Double](repeating: -1, count: 40))
        // y is shorter than x: iteration 40 fails on y, after y[0..<40] were written.
        XCTAssertThrowsError(try m.kernel("copy_prefix")(x, y, Int64(45))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("index 40 is out of range for axis 0 with size 40"), text)
            XCTAssertTrue(text.contains("hoist.sj:3:"), text)
        }
        XCTAssertEqual(y.doubles, (0..<40).map { Double($0) * 2 })
        // The diagonal leaves a 5 x 8 array at row 5, on axis 0.
        let a = NDArray((0..<40).map(Double.init), shape: [5, 8])
        for name in ["diag_sum", "pdiag_sum"] {
            XCTAssertThrowsError(try m.kernel(name)(a, Int64(7)), name) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("index 5 is out of range for axis 0 with size 5"), text)
            }
        }
    }

    func testNegativeStartsAndSkippedIterations() throws {
        let m = try module()
        let k = try m.kernel("shifted")
        let x = NDArray((0..<20).map(Double.init))
        // A negative start fails at once (odd -1 is stored to), with nothing written.
        let y = NDArray([Double](repeating: 0, count: 20))
        XCTAssertThrowsError(try k(x, y, Int64(-1), Int64(10))) { error in
            XCTAssertTrue("\(error)".contains("index -1 is out of range for axis 0 with size 20"), "\(error)")
        }
        XCTAssertEqual(y.doubles, [Double](repeating: 0, count: 20))
        // Past the end, the failing iteration is the first odd one past it: 21, after 1...19.
        XCTAssertThrowsError(try k(x, y, Int64(0), Int64(25))) { error in
            XCTAssertTrue("\(error)".contains("index 21 is out of range for axis 0 with size 20"), "\(error)")
        }
        XCTAssertEqual(y.doubles, (0..<20).map { $0 % 2 == 1 ? Double($0) + 1 : 0 })
        // Empty and reversed ranges run nothing.
        let z = NDArray([Double](repeating: 0, count: 20))
        _ = try k(x, z, Int64(30), Int64(5))
        _ = try k(x, z, Int64(5), Int64(5))
        XCTAssertEqual(z.doubles, [Double](repeating: 0, count: 20))
    }
}
