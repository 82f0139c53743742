// NDArray's element access in Swift: `toArray` on contiguous arrays, views and broadcasts must
// give the elements in row-major order, exactly as `element(_:)` reads them one by one.
import JITRuntime
import XCTest

final class NDArrayTests: XCTestCase {
    func testToArrayWalksEveryLayoutInRowMajorOrder() {
        let base = NDArray((0..<60).map(Double.init), shape: [3, 4, 5])
        let zeroStride = NDArray(dtype: .float64, shape: [4, 3], strides: [0, 1], storage: base.storage, offset: 7)
        let views: [(String, NDArray)] = [
            ("contiguous", base),
            ("transposed", base.transposed()),
            ("axes permuted", base.transposed([1, 0, 2])),
            ("stepped slice", base.sliced(axis: 2, 1..<5, step: 2)),
            ("slice of the middle axis", base.sliced(axis: 1, 1..<3)),
            ("broadcast row (stride 0)", zeroStride),
            ("0-d", NDArray(scalar: 2.5)),
            ("empty", NDArray(zeros: .float64, shape: [2, 0, 3])),
        ]
        for (name, a) in views {
            let oneByOne = (0..<a.count).map { Double(scalar: a.element($0)) }
            XCTAssertEqual(a.doubles, oneByOne, name)
            XCTAssertEqual(a.toArray(Float.self), oneByOne.map(Float.init), name)
            XCTAssertEqual(a.toArray(Int64.self), oneByOne.map { Int64($0) }, name)
            let copy = a.copy()
            XCTAssertTrue(copy.isContiguous || copy.count == 0, name)  // isContiguous is false for a 0 extent
            XCTAssertEqual(copy.shape, a.shape, name)
            XCTAssertEqual((0..<copy.count).map { Double(scalar: copy.element($0)) }, oneByOne, name)
        }
        // Spot values: a row of three repeated four times, and an element of the transposed view.
        XCTAssertEqual(zeroStride.doubles, [7, 8, 9, 7, 8, 9, 7, 8, 9, 7, 8, 9])
        XCTAssertEqual(base.transposed().doubles[1], 20)  // element [0, 0, 1] of the (5, 4, 3) view is base[1, 0, 0]
        // Integer and bool arrays converted to other types.
        let ints = NDArray([Int32(-3), 7, 1 << 30], shape: [3])
        XCTAssertEqual(ints.doubles, [-3, 7, 1_073_741_824])
        XCTAssertEqual(ints.toArray(Int32.self), [-3, 7, 1 << 30])
        XCTAssertEqual(NDArray([true, false, true]).toArray(Int64.self), [1, 0, 1])
    }
}
