// NumPy basic indexing: NDArray.subscripted views (offset, shape, strides, shared memory) and
// subscripted names in compiled expressions (bound as strided views of the one fused loop), with
// their errors at the offending item.
import JITRuntime
import XCTest
@testable import SwiftJIT

final class SubscriptTests: XCTestCase {
    let x = NDArray((0..<10).map { Int64($0) })

    func values(_ a: NDArray) -> [Int64] { a.toArray(Int64.self) }

    func testViewsHaveNumPysMeaning() throws {
        XCTAssertEqual(values(try x.subscripted([.index(3)])), [3])
        XCTAssertEqual(try x.subscripted([.index(-1)]).shape, [])
        XCTAssertEqual(values(try x.subscripted([.index(-1)])), [9])
        XCTAssertEqual(values(try x.subscripted([.slice(2, 8, 2)])), [2, 4, 6])
        XCTAssertEqual(values(try x.subscripted([.slice(nil, nil, -1)])), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
        XCTAssertEqual(values(try x.subscripted([.slice(8, 2, -3)])), [8, 5])
        XCTAssertEqual(values(try x.subscripted([.slice(-3, nil, nil)])), [7, 8, 9])
        XCTAssertEqual(values(try x.subscripted([.slice(20, -20, -4)])), [9, 5, 1])  // bounds clipped
        XCTAssertEqual(values(try x.subscripted([.slice(5, 2, nil)])), [])
        let t = NDArray((0..<24).map { Int64($0) }, shape: [2, 3, 4])
        let v = try t.subscripted([.index(1), .ellipsis, .index(2)])
        XCTAssertEqual(v.shape, [3])
        XCTAssertEqual(values(v), [14, 18, 22])
        XCTAssertEqual(values(try t.subscripted([.ellipsis, .slice(nil, nil, -2)])).prefix(4), [3, 1, 7, 5])
        XCTAssertEqual(try t.subscripted([.index(0)]).shape, [3, 4])
        XCTAssertEqual(values(try t.subscripted([.slice(nil, nil, nil), .index(-1), .slice(1, 3, nil)])), [9, 10, 21, 22])
        // A view shares the memory.
        XCTAssertTrue(v.storage === t.storage)
    }

    func testIndexingErrorsNameTheItem() {
        func error(_ items: [IndexItem], _ a: NDArray) -> IndexingError? {
            do { _ = try a.subscripted(items); return nil } catch { return error as? IndexingError }
        }
        XCTAssertEqual(error([.index(10)], x)?.message, "index 10 is out of bounds for axis 0 with size 10")
        XCTAssertEqual(error([.index(-11)], x)?.item, 0)
        XCTAssertEqual(error([.slice(nil, nil, 0)], x)?.message, "slice step cannot be zero")
        XCTAssertEqual(error([.index(0), .index(0)], x)?.item, 1)
        XCTAssertEqual(error([.ellipsis, .ellipsis], x)?.item, 1)
    }

    func testSubscriptsInExpressionsAreFusedViews() throws {
        let d = try JIT.compile("x[1:] - x[:-1]")
        XCTAssertEqual(d.parameterNames, ["x"])
        XCTAssertEqual(try d(x: [1.0, 2.0, 4.0, 8.0]).doubles, [1, 2, 4])
        XCTAssertEqual(try JIT.compile("x[::-1] * 10 + x").call(["x": x]).toArray(Int64.self),
                       [90, 81, 72, 63, 54, 45, 36, 27, 18, 9])
        XCTAssertEqual(try JIT.evaluate("sum(x[::2]) + x[-1]", ["x": x]).toArray(Int64.self), [29])
        let m = NDArray((0..<12).map { Double($0) }, shape: [3, 4])
        XCTAssertEqual(try JIT.compile("m[0, :] * m[:, 1:2]").call(["m": m]).shape, [3, 4])
        XCTAssertEqual(try JIT.compile("m[1] + y").call(["m": m, "y": 1.0]).doubles, [5, 6, 7, 8])
        // Types from names: the view's rank and contiguity.
        let types = try JIT.compile("m[0] + m[:, 1]").typedIR(["m": .array(.float64, rank: 2)])
        XCTAssertEqual(types.count, 1)
    }

    func testExpressionSubscriptErrorsPointAtTheItem() throws {
        let f = try JIT.compile("x[1:] + x[12]")
        XCTAssertThrowsError(try f(x: [1.0, 2.0])) { e in
            guard case JITError.diagnostics(let d) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(d.diagnostics[0].message, "index 12 is out of bounds for axis 0 with size 2")
            XCTAssertEqual(d.source.slice(d.diagnostics[0].range), "12")
        }
        XCTAssertThrowsError(try JIT.compile("x[n]")) { e in
            XCTAssertTrue("\(e)".contains("must be integer constants"), "\(e)")
        }
    }
}
