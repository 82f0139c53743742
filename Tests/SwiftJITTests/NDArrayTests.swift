// NDArray's element access in Swift: `toArray` on contiguous arrays, views and broadcasts must
// give the elements in row-major order, exactly as `element(_:)` reads them one by one; and new
// one-dimensional arrays, which keep only their count (`NDArray.Layout.vector`), answer for their
// shape and strides as any other array does, also when their storage object is taken back.
import Foundation
@testable import JITRuntime
import SwiftJIT
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

    func testNewVectorsKeepTheirShapeWhenTheirStorageIsTakenBack() throws {
        for count in [0, 1, 7, 512, 20_000] {
            for a in [NDArray(uninitialized: .float64, count: count), NDArray(zeros: .int32, count: count),
                      NDArray(uninitialized: .float32, shape: [count]), NDArray(zeros: .float64, shape: [count])] {
                XCTAssertEqual(a.shape, [count])
                XCTAssertEqual(a.strides, [1])
                XCTAssertEqual(a.rank, 1)
                XCTAssertEqual(a.count, count)
                XCTAssertTrue(a.isContiguous)
                XCTAssertTrue(a.hasShape([count]) && a.hasStrides([1]))
                XCTAssertFalse(a.hasShape([count + 1]) || a.hasShape([count, 1]) || a.hasShape([]) || a.hasStrides([2]))
                if case .vector(let n) = a.layout { XCTAssertEqual(n, count) } else { XCTFail("\(count): not a vector layout") }
            }
        }
        // 64 bytes as eight float64 and then as sixteen float32: the second array takes back the
        // first one's storage object (the thread's slot) and its shape changes with it; a shape
        // read before is a value and keeps the old count.
        var kept: [Int]
        weak var firstStorage: ArrayStorage?
        do {
            let a = NDArray(uninitialized: .float64, count: 8)
            kept = a.shape
            firstStorage = a.storage
        }
        let b = NDArray(uninitialized: .float32, count: 16)
        XCTAssertTrue(b.storage === firstStorage, "the storage object should be taken back")
        XCTAssertEqual(b.shape, [16])
        XCTAssertEqual(b.count, 16)
        XCTAssertEqual(kept, [8])
        // While a view references the storage, a new array of the same size does not take it, and
        // the view and the array it came from keep their shapes.
        let c = NDArray(zeros: .float64, count: 8)
        let view = c.sliced(axis: 0, 2..<6)
        let d = NDArray(uninitialized: .float32, count: 16)
        XCTAssertFalse(d.storage === c.storage)
        XCTAssertEqual(c.shape, [8])
        XCTAssertEqual(view.shape, [4])
        XCTAssertEqual(view.strides, [1])
        XCTAssertEqual(d.shape, [16])
        kept = []
        // Views, other ranks and borrowed memory keep their arrays (the general layout).
        XCTAssertEqual(c.reshaped([2, 4]).shape, [2, 4])
        XCTAssertEqual(c.reshaped([2, 4]).strides, [4, 1])
        let strided = NDArray(dtype: .float64, shape: [3], strides: [2], storage: c.storage)
        XCTAssertEqual(strided.shape, [3])
        XCTAssertFalse(strided.hasStrides([1]))
        XCTAssertTrue(strided.hasStrides([2]))
        if case .vector = strided.layout { XCTFail("a view should keep its own strides") }
        // Made, read and dropped on four threads at once: every array has its own count.
        let failures = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for round in 0..<2_000 {
                let n = 1 + (round * 7 + t) % 600
                let a = round % 2 == 0 ? NDArray(uninitialized: .float64, count: n) : NDArray(zeros: .float32, shape: [2 * n])
                let want = round % 2 == 0 ? n : 2 * n
                if a.shape != [want] || a.count != want || a.strides != [1] { failures.withLock { $0 += 1 } }
            }
        }
        XCTAssertEqual(failures.value, 0)
        // Results of expression calls (one-dimensional, made by the library) read the same way.
        let f = try JIT.compile("x*2.0 + 1.0")
        let x = NDArray([1.0, 2, 3])
        let y = try f.call(x)
        XCTAssertEqual(y.shape, [3])
        XCTAssertEqual(y.doubles, [3, 5, 7])
        let out = NDArray(uninitialized: .float64, count: 3)
        _ = try f.call(x, out: out)
        XCTAssertEqual(out.doubles, [3, 5, 7])
    }
}

