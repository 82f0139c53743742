import SwiftJIT
import XCTest

/// Broadcasting, strided views and out= with casting, checked against direct computation.
final class BroadcastTests: XCTestCase {
    private func grid(_ rows: Int, _ cols: Int, _ f: (Int, Int) -> Double) -> NDArray {
        NDArray((0..<rows * cols).map { f($0 / cols, $0 % cols) }, shape: [rows, cols])
    }

    func testColumnAgainstRowLikeW3() throws {
        let a = NDArray((0..<7).map { Double($0) + 1 }, shape: [7, 1])
        let x = NDArray((0..<300).map { Double($0) / 30 - 5 }, shape: [1, 300])
        let r = try JIT.evaluate("a*exp(-(x-0.5)**2/(2*a**2))", ["a": a, "x": x])
        XCTAssertEqual(r.shape, [7, 300])
        let v = r.doubles
        for i in 0..<7 {
            for j in stride(from: 0, to: 300, by: 17) {
                let av = Double(i + 1), xv = Double(j) / 30 - 5
                XCTAssertEqual(v[i * 300 + j], av * Foundation.exp(-(xv - 0.5) * (xv - 0.5) / (2 * av * av)),
                               accuracy: 1e-14 * av)
            }
        }
    }

    func testRanksAlignAtTheLastDimension() throws {
        let m = grid(3, 4) { Double($0 * 10 + $1) }
        let row = NDArray([1.0, 2, 3, 4])
        XCTAssertEqual(try JIT.evaluate("m + row", ["m": m, "row": row]).doubles,
                       [1, 3, 5, 7, 11, 13, 15, 17, 21, 23, 25, 27])
        let cube = NDArray((0..<24).map(Double.init), shape: [2, 3, 4])
        let r = try JIT.evaluate("c * col", ["c": cube, "col": NDArray([1.0, 0, -1], shape: [3, 1])])
        XCTAssertEqual(r.shape, [2, 3, 4])
        XCTAssertEqual(Array(r.doubles[0..<12]), [0, 1, 2, 3, 0, 0, 0, 0, -8, -9, -10, -11])
    }

    func testShapesThatDoNotBroadcastNameBoth() throws {
        XCTAssertThrowsError(try JIT.evaluate("a + b", ["a": grid(2, 3) { _, _ in 0 }, "b": NDArray([1.0, 2])])) { e in
            XCTAssertEqual("\(e)", """
                <expr>:1:1: error: operands could not be broadcast together: 'a' has shape (2, 3) and 'b' has shape (2,)
                1 | a + b
                  | ^~~~~

                """)
        }
    }

    func testStridedViewsAreReadInPlace() throws {
        let m = grid(4, 5) { Double($0 * 5 + $1) }
        let t = m.transposed()
        XCTAssertFalse(t.isContiguous)
        let r = try JIT.evaluate("2*t", ["t": t])
        XCTAssertEqual(r.shape, [5, 4])
        XCTAssertEqual(Array(r.doubles[0..<4]), [0, 10, 20, 30])
        let everyOther = m.sliced(axis: 1, 0..<5, step: 2)
        XCTAssertEqual(try JIT.evaluate("x + 0", ["x": everyOther]).doubles, [0, 2, 4, 5, 7, 9, 10, 12, 14, 15, 17, 19])
        let reversed = NDArray([1.0, 2, 3, 4, 5]).sliced(step: -1)
        XCTAssertEqual(try JIT.evaluate("x * 10", ["x": reversed]).doubles, [50, 40, 30, 20, 10])
        XCTAssertEqual(try JIT.evaluate("x - y", ["x": m, "y": m.sliced(axis: 0, step: -1)]).doubles[0], -15)
    }

    func testStridedOutput() throws {
        let out = NDArray(zeros: .float64, shape: [3, 2])
        let view = out.transposed()
        _ = try JIT.evaluate("x * 2", ["x": NDArray([1.0, 2, 3, 4, 5, 6], shape: [2, 3])], out: view)
        XCTAssertEqual(out.doubles, [2, 8, 4, 10, 6, 12])
    }

    func testOverlappingOutIsAsIfInputsWereCopied() throws {
        let base = NDArray([1.0, 2, 3, 4, 5])
        let tail = base.sliced(1..<5), head = base.sliced(0..<4)
        _ = try JIT.evaluate("x * 10", ["x": head], out: tail)
        XCTAssertEqual(base.doubles, [1, 10, 20, 30, 40])
        let r = NDArray([1.0, 2, 3, 4])
        _ = try JIT.evaluate("x + x", ["x": r.sliced(step: -1)], out: r)
        XCTAssertEqual(r.doubles, [8, 6, 4, 2])
    }

    func testCastingModes() throws {
        let x = [1.5, -2.5, 3.25]
        let f32 = NDArray(zeros: .float32, shape: [3])
        XCTAssertThrowsError(try JIT.evaluate("x * 2", ["x": x], out: f32))
        XCTAssertThrowsError(try JIT.evaluate("x * 2", ["x": x], out: f32, casting: .no))
        _ = try JIT.evaluate("x * 2", ["x": x], out: f32, casting: .sameKind)
        XCTAssertEqual(f32.toArray(Float.self), [3, -5, 6.5])
        let i64 = NDArray(zeros: .int64, shape: [3])
        XCTAssertThrowsError(try JIT.evaluate("x * 2", ["x": x], out: i64, casting: .sameKind))
        _ = try JIT.evaluate("x * 2", ["x": x], out: i64, casting: .unsafe)
        XCTAssertEqual(i64.toArray(Int64.self), [3, -5, 6])
        let wide = NDArray(zeros: .float64, shape: [3])
        _ = try JIT.evaluate("i + 1", ["i": [Int32(1), 2, 3]], out: wide)
        XCTAssertEqual(wide.doubles, [2, 3, 4], "int32 -> float64 is a safe cast")
        XCTAssertTrue(Casting.safe.allows(.bool, .int32))
        XCTAssertFalse(Casting.safe.allows(.int64, .float32))
        XCTAssertTrue(Casting.sameKind.allows(.int64, .int32))
    }

    func testEmptyArrays() throws {
        let r = try JIT.evaluate("x + 1", ["x": NDArray(zeros: .float64, shape: [0, 3])])
        XCTAssertEqual(r.shape, [0, 3])
        XCTAssertEqual(r.count, 0)
    }

    func testDimensionsMergeForContiguousOperands() {
        let plan = IterationPlan(shape: [1000, 1000], strides: [[1000, 1], [1000, 1], [1000, 1]])
        XCTAssertEqual(plan.innerCount, 1_000_000)
        XCTAssertEqual(plan.outerShape, [])
        let w3 = IterationPlan(shape: [100, 300_000], strides: [[1, 0], [0, 1], [300_000, 1]])
        XCTAssertEqual(w3.outerShape, [100])
        XCTAssertEqual(w3.innerCount, 300_000)
        XCTAssertEqual(w3.innerStrides, [0, 1, 1])
    }
}

final class BroadcastLimitTests: XCTestCase {
    func testAbsurdResultShapesAreErrors() throws {
        let col = NDArray(dtype: .float64, shape: [1 << 30, 1], strides: [0, 0], storage: ArrayStorage(zeroedBytes: 8))
        let row = NDArray(dtype: .float64, shape: [1, 1 << 30], strides: [0, 0], storage: ArrayStorage(zeroedBytes: 8))
        XCTAssertThrowsError(try JIT.evaluate("a + b", ["a": col, "b": row])) { e in
            XCTAssertTrue("\(e)".contains("more than 2^40 elements"), "\(e)")
        }
    }
}
