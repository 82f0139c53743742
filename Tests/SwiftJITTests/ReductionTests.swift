import SwiftJIT
import XCTest

/// sum, prod, min, max over all axes or one, anywhere in an expression.
final class ReductionTests: XCTestCase {
    private let m = NDArray((0..<12).map { Double($0) }, shape: [3, 4])

    func testSumOverEverythingAndOverAxes() throws {
        XCTAssertEqual(try JIT.evaluate("sum(m)", ["m": m]).doubles, [66])
        XCTAssertEqual(try JIT.evaluate("sum(m)", ["m": m]).shape, [])
        XCTAssertEqual(try JIT.evaluate("sum(m, axis=0)", ["m": m]).doubles, [12, 15, 18, 21])
        XCTAssertEqual(try JIT.evaluate("sum(m, axis=1)", ["m": m]).doubles, [6, 22, 38])
        XCTAssertEqual(try JIT.evaluate("sum(m, axis=-1)", ["m": m]).doubles, [6, 22, 38])
        XCTAssertEqual(try JIT.evaluate("sum(m, -2)", ["m": m]).doubles, [12, 15, 18, 21])
        XCTAssertEqual(try JIT.evaluate("sum(m, axis=None)", ["m": m]).doubles, [66])
    }

    func testReductionsInsideExpressions() throws {
        let x = [1.0, 2, 3, 4]
        XCTAssertEqual(try JIT.evaluate("x - sum(x)/4", ["x": x]).doubles, [-1.5, -0.5, 0.5, 1.5])
        XCTAssertEqual(try JIT.evaluate("x / max(abs(x))", ["x": [-4.0, 2, 1]]).doubles, [-1, 0.5, 0.25])
        let rowMax = try JIT.evaluate("m - max(m, axis=0)", ["m": m])
        XCTAssertEqual(rowMax.shape, [3, 4])
        XCTAssertEqual(Array(rowMax.doubles[0..<4]), [-8, -8, -8, -8])
        XCTAssertEqual(try JIT.evaluate("sum(x**2) + sum(x**2)", ["x": x]).doubles, [60])
        XCTAssertEqual(try JIT.evaluate("sum(x - sum(x)/4)", ["x": x]).doubles, [0])
    }

    func testResultTypesFollowNumPy() throws {
        let i = try JIT.evaluate("sum(i)", ["i": [Int32.max, Int32.max]])
        XCTAssertEqual(i.dtype, .int64)
        XCTAssertEqual(i.toArray(Int64.self), [2 * Int64(Int32.max)])
        let b = try JIT.evaluate("sum(x > 1)", ["x": [0.5, 1.5, 2.5]])
        XCTAssertEqual(b.dtype, .int64)
        XCTAssertEqual(b.toArray(Int64.self), [2])
        XCTAssertEqual(try JIT.evaluate("sum(f)", ["f": [Float(1), 2]]).dtype, .float32)
        XCTAssertEqual(try JIT.evaluate("max(i)", ["i": [Int32(3), 9, -1]]).toArray(Int32.self), [9])
        XCTAssertEqual(try JIT.evaluate("prod(i)", ["i": [Int64(3), 4, -2]]).toArray(Int64.self), [-24])
        XCTAssertEqual(try JIT.evaluate("min(b)", ["b": [true, false]]).toArray(Bool.self), [false])
    }

    func testMinAndMaxPropagateNaN() throws {
        let x = (0..<10_000).map { $0 == 7_777 ? Double.nan : Double($0) }
        XCTAssertTrue(try JIT.evaluate("max(x)", ["x": x]).doubles[0].isNaN)
        XCTAssertTrue(try JIT.evaluate("min(x)", ["x": x]).doubles[0].isNaN)
        XCTAssertEqual(try JIT.evaluate("max(x)", ["x": [1.0, 5, -3]]).doubles, [5])
    }

    func testEmptyReductions() throws {
        let empty = NDArray(zeros: .float64, shape: [0])
        XCTAssertEqual(try JIT.evaluate("sum(x)", ["x": empty]).doubles, [0])
        XCTAssertEqual(try JIT.evaluate("prod(x)", ["x": empty]).doubles, [1])
        XCTAssertThrowsError(try JIT.evaluate("min(x)", ["x": empty])) { e in
            XCTAssertEqual("\(e)", "error: zero-size array to reduction operation min which has no identity")
        }
        XCTAssertEqual(try JIT.evaluate("sum(m, axis=1)", ["m": NDArray(zeros: .float64, shape: [2, 0])]).doubles, [0, 0])
    }

    func testBadAxesAndArguments() throws {
        XCTAssertThrowsError(try JIT.evaluate("sum(m, axis=2)", ["m": m])) { e in
            XCTAssertEqual("\(e)", """
                <expr>:1:1: error: axis 2 is out of bounds for an array of dimension 2
                1 | sum(m, axis=2)
                  | ^~~~~~~~~~~~~~

                """)
        }
        XCTAssertThrowsError(try JIT.compile("sum(x, axis=y)")) { e in
            XCTAssertTrue("\(e)".contains("axis must be an integer literal or None"), "\(e)")
        }
        XCTAssertThrowsError(try JIT.compile("sum(x, keepdims=1)")) { e in
            XCTAssertTrue("\(e)".contains("only 'axis='"), "\(e)")
        }
        XCTAssertThrowsError(try JIT.compile("sin(x, axis=1)")) { e in
            XCTAssertTrue("\(e)".contains("keyword argument 'axis='"), "\(e)")
        }
    }

    func testLargeFloatSumIsAccurate() throws {
        // 0.1 is not exact; a naive running sum of 2^22 copies drifts by ~1e-6 relative.
        let n = 1 << 22
        let r = try JIT.evaluate("sum(x)", ["x": [Double](repeating: 0.1, count: n)],
                                 options: JIT.Options(mathMode: .strict)).doubles[0]
        XCTAssertEqual(r, 0.1 * Double(n), accuracy: 1e-9 * Double(n) * 0.1)
        var naive = 0.0
        for _ in 0..<n { naive += 0.1 }
        XCTAssertLessThan(abs(r - 0.1 * Double(n)), abs(naive - 0.1 * Double(n)) / 100)
        let f = try JIT.evaluate("sum(x)", ["x": [Float](repeating: 0.1, count: n)]).toArray(Float.self)[0]
        XCTAssertEqual(Double(f), 0.1 * Double(n), accuracy: 1e-5 * 0.1 * Double(n))
    }

    func testStridedAndBroadcastReductions() throws {
        XCTAssertEqual(try JIT.evaluate("sum(t, axis=1)", ["t": m.transposed()]).doubles, [12, 15, 18, 21])
        XCTAssertEqual(try JIT.evaluate("sum(m * v)", ["m": m, "v": NDArray([1.0, 0, 0, 0])]).doubles, [12])
        XCTAssertEqual(try JIT.evaluate("sum(m * c, axis=0)", ["m": m, "c": NDArray([1.0, 0, -1], shape: [3, 1])]).doubles,
                       [-8, -8, -8, -8])
    }
}
