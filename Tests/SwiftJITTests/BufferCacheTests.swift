// The buffer cache behind allocating calls: released results are reused, memory that a view or
// slice still references is never handed out again, concurrent allocations never alias, the
// bound and trimming are kept, `zeros` is zero after reuse and `empty` is not cleared.
import Foundation
import SwiftJIT
import XCTest

final class BufferCacheTests: XCTestCase {
    private var savedLimit = 0

    override func setUp() {
        savedLimit = BufferCache.limit
        BufferCache.limit = BufferCache.defaultLimit
    }

    override func tearDown() { BufferCache.limit = savedLimit }

    private func pointer(_ a: NDArray) -> UnsafeMutableRawPointer { a.storage.pointer }

    func testAllocatingExpressionCallReusesTheReleasedResult() throws {
        let f = try JIT.compile("x*2 + 1")
        let x = NDArray((0..<70_001).map(Double.init))  // 560,008 bytes per result
        var previous: UnsafeMutableRawPointer?
        var reused = 0
        for round in 0..<5 {
            let before = BufferCache.statistics
            let y = try f(x: x)
            XCTAssertEqual(y.doubles[70_000], 140_001)
            XCTAssertEqual(y.doubles[round], Double(2 * round + 1))
            if let previous, previous == pointer(y) {
                reused += 1
                XCTAssertEqual(BufferCache.statistics.hits, before.hits + 1)
            }
            previous = pointer(y)
        }
        // The first result is fresh memory; each later one is the buffer the previous one released.
        XCTAssertEqual(reused, 4)
    }

    func testAllocatingKernelCallsReuseBuffers() throws {
        let module = try JIT.kernels("""
            kernel scaled(x: f64[]) -> f64[] {
                let tmp = empty_like(x)
                let y = empty_like(x)
                for i in 0..<len(x) { tmp[i] = x[i] * 3 }
                for i in 0..<len(x) { y[i] = tmp[i] + 1 }
                return y
            }
            """)
        let k = try module.kernel("scaled")
        let x = NDArray((0..<50_000).map(Double.init))
        _ = try k(x)
        let before = BufferCache.statistics
        for _ in 0..<4 {
            let y = try k(x)
            XCTAssertEqual(y.doubles[49_999], 149_998)
        }
        let after = BufferCache.statistics
        // Two allocations per call (the temporary and the result), both from the cache.
        XCTAssertEqual(after.hits - before.hits, 8)
        XCTAssertEqual(after.misses, before.misses)
        XCTAssertEqual(after.liveBuffers, before.liveBuffers)
    }

    func testViewsAndSlicesKeepTheirBufferAlive() throws {
        let f = try JIT.compile("x + 0.5")
        let x = NDArray((0..<20_000).map(Double.init))
        var slice: NDArray
        do {
            let y = try f(x: x)
            slice = y.sliced(axis: 0, 100..<200, step: 3)
        }
        let kept = pointer(slice)
        var later: [NDArray] = []
        for _ in 0..<6 {
            let z = try f(x: x)
            XCTAssertNotEqual(pointer(z), kept)
            later.append(NDArray(uninitialized: .float64, shape: [20_000]))
            XCTAssertNotEqual(pointer(later.last!), kept)
            later.last!.baseAddress.initializeMemory(as: UInt8.self, repeating: 0xFF, count: 160_000)
        }
        XCTAssertEqual(slice.doubles, stride(from: 100, to: 200, by: 3).map { Double($0) + 0.5 })
        // Once the slice goes, the buffer is free again: the next allocation of that size gets it.
        later.removeAll()
        let address = kept
        slice = NDArray(zeros: .float64, shape: [1])
        XCTAssertEqual(pointer(NDArray(uninitialized: .float64, shape: [20_000])), address)
    }

    func testKernelResultViewKeepsItsAllocation() throws {
        let module = try JIT.kernels("""
            kernel head(n: i64) -> f64[] {
                let buf = zeros(n)
                for i in 0..<n { buf[i] = i * 2 }
                return buf[1..<11]
            }
            """)
        let k = try module.kernel("head")
        let view = try k(Int64(10_000))
        for _ in 0..<4 {
            let other = try k(Int64(10_000))
            XCTAssertNotEqual(pointer(other), pointer(view))
            XCTAssertEqual(other.doubles.first, 2)
        }
        XCTAssertEqual(view.doubles, (1...10).map { Double($0 * 2) })
    }

    func testZerosAreZeroAfterReuseAndEmptyIsNotCleared() throws {
        let n = 30_000
        var address: UnsafeMutableRawPointer
        do {
            let a = NDArray(uninitialized: .float64, shape: [n])
            a.baseAddress.initializeMemory(as: Double.self, repeating: 7, count: n)
            address = pointer(a)
        }
        do {
            let z = NDArray(zeros: .float64, shape: [n])
            XCTAssertEqual(pointer(z), address)
            XCTAssertTrue(z.doubles.allSatisfy { $0 == 0 })
            z.baseAddress.initializeMemory(as: Double.self, repeating: 7, count: n)
            address = pointer(z)
        }
        // `empty` gets the same memory back without a pass that clears it.
        let e = NDArray(uninitialized: .float64, shape: [n])
        XCTAssertEqual(pointer(e), address)
        XCTAssertEqual(e.doubles[n / 2], 7)

        // The same in kernels: zeros() after a released buffer full of sevens.
        let module = try JIT.kernels("""
            kernel sevens(n: i64) -> f64[] {
                let a = empty(n)
                for i in 0..<n { a[i] = 7.0 }
                return a
            }
            kernel nothing(n: i64) -> f64[] { return zeros(n) }
            """)
        _ = try module.kernel("sevens")(Int64(n))
        let hits = BufferCache.statistics.hits
        let zeros = try module.kernel("nothing")(Int64(n))
        XCTAssertEqual(BufferCache.statistics.hits, hits + 1)
        XCTAssertEqual(zeros.doubles, [Double](repeating: 0, count: n))
    }

    /// Small kernel allocations a call does not return are kept per thread for its next call
    /// (kernel_support.c): reused scratch must still read as zeros from `zeros`, a returned small
    /// array must never be handed out again while it lives, and the same must hold on several
    /// threads at once, in parallel loops, and with reuse off (a limit under 16 MiB).
    func testSmallKernelScratchIsReusedZeroedAndNeverAliasesResults() throws {
        let module = try JIT.kernels("""
            kernel scratch(n: i64) -> f64 {
                let a = zeros(n)
                var s = 0.0
                for i in 0..<n {
                    s += a[i]
                    a[i] = 7.0
                }
                return s
            }
            kernel stamped(n: i64, v: f64) -> f64[] {
                let t = empty(n)
                let a = empty(n)
                for i in 0..<n {
                    t[i] = v
                    a[i] = t[i] + i
                }
                return a
            }
            kernel rows(n: i64) -> f64 {
                var total = 0.0
                parallel for i in 0..<n {
                    let r = zeros(i + 1)
                    var s = 0.0
                    for j in 0..<i + 1 {
                        s += r[j]
                        r[j] = 1.0
                        s += r[j]
                    }
                    total += s
                }
                return total
            }
            """)
        let scratch = try module.kernel("scratch"), stamped = try module.kernel("stamped"), rows = try module.kernel("rows")
        @Sendable func check(_ label: String) throws -> [String] {
            var problems: [String] = []
            var held: [(NDArray, Double)] = []
            for round in 0..<30 {
                let n = Int64([100, 100, 37, 500][round % 4])  // 800, 800, 320 (rounded up), 4000 bytes
                if try scratch(n).doubles[0] != 0 { problems.append("\(label): zeros() read a reused buffer's sevens") }
                let v = Double(round * 1000)
                held.append((try stamped(n, v), v))
                if try rows(Int64(200)).doubles[0] != 20_100 { problems.append("\(label): parallel rows") }
                for (a, v) in held where !(0..<a.count).allSatisfy({ Double(scalar: a.element($0)) == v + Double($0) }) {
                    problems.append("\(label): a returned small array was overwritten")
                }
                if held.count > 5 { held.removeFirst(2) }
            }
            let addresses = Set(held.map { UInt(bitPattern: $0.0.storage.pointer) })
            if addresses.count != held.count { problems.append("\(label): live results share memory") }
            return problems
        }
        XCTAssertEqual(try check("one thread"), [])
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            do { for p in try check("thread \(thread)") { failures.add(p) } } catch { failures.add("\(error)") }
        }
        XCTAssertEqual(failures.messages, [])
        BufferCache.limit = 8 << 20  // below the per-thread slots' floor: no reuse
        XCTAssertEqual(try check("reuse off"), [])
    }

    func testConcurrentAllocationsNeverAlias() throws {
        let f = try JIT.compile("x * 3")
        let sizes = [512, 600, 8_192, 70_000, 530_000]  // f64 counts: 4 KiB .. 4.2 MB, several classes
        let inputs = sizes.map { n in NDArray((0..<n).map(Double.init)) }
        let live = BufferCache.statistics.liveBuffers
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            var held: [(NDArray, Double)] = []
            for round in 0..<40 {
                let k = (thread + round) % sizes.count
                let stamp = Double(thread * 1000 + round)
                let a = NDArray(uninitialized: .float64, shape: [sizes[k]])
                a.baseAddress.initializeMemory(as: Double.self, repeating: stamp, count: sizes[k])
                held.append((a, stamp))
                do {
                    let y = try f(x: inputs[k])
                    if Double(scalar: y.element(sizes[k] - 1)) != Double(3 * (sizes[k] - 1)) { failures.add("wrong result") }
                    held.append((y, -1))
                } catch { failures.add("\(error)") }
                if held.count > 6 {
                    for (array, stamp) in held where !Self.holds(array, stamp) {
                        failures.add("thread \(thread): a live buffer was overwritten")
                    }
                    held.removeFirst(4)
                }
            }
        }
        XCTAssertEqual(failures.messages, [])
        XCTAssertEqual(BufferCache.statistics.liveBuffers, live)
    }

    /// Whether every element is `stamp` (or, for stamp -1, element i is 3i).
    private static func holds(_ a: NDArray, _ stamp: Double) -> Bool {
        let p = a.baseAddress.assumingMemoryBound(to: Double.self)
        for i in 0..<a.count where p[i] != (stamp < 0 ? Double(3 * i) : stamp) { return false }
        return true
    }

    func testSmallArraysGoThroughTheThreadsSlotWhichTrimAndThreadExitReach() {
        BufferCache.trim()
        let n = 1024  // 8 KiB: kept in the releasing thread's own slot
        let address: UnsafeMutableRawPointer
        do { address = pointer(NDArray(uninitialized: .float64, shape: [n])) }
        let s = BufferCache.statistics
        XCTAssertEqual(s.cachedBytes, 8192)
        XCTAssertEqual(s.cachedBuffers, 1)
        do {
            let b = NDArray(zeros: .float64, shape: [n])
            XCTAssertEqual(pointer(b), address)
            XCTAssertEqual(BufferCache.statistics.hits, s.hits + 1)
            XCTAssertEqual(BufferCache.statistics.liveBuffers, s.liveBuffers + 1)
            XCTAssertEqual(BufferCache.statistics.cachedBytes, 0)
            XCTAssertTrue(b.doubles.allSatisfy { $0 == 0 })
            let c = NDArray(uninitialized: .float64, shape: [n])  // while b lives: other memory
            XCTAssertNotEqual(pointer(c), address)
        }
        XCTAssertEqual(BufferCache.statistics.liveBuffers, s.liveBuffers)
        XCTAssertEqual(BufferCache.statistics.cachedBuffers, 2)  // one in the slot, one shared
        XCTAssertEqual(BufferCache.trim(), 2 * 8192)
        XCTAssertEqual(BufferCache.statistics.cachedBytes, 0)

        // A thread that exits gives its slot's buffer to the shared cache, and its counts stay.
        var thread = pthread_t()
        XCTAssertEqual(pthread_create(&thread, nil, { _ in
            _ = NDArray(uninitialized: .float64, shape: [1024])
            return nil
        }, nil), 0)
        XCTAssertEqual(pthread_join(thread, nil), 0)
        let after = BufferCache.statistics
        XCTAssertEqual(after.cachedBytes, 8192)
        XCTAssertEqual(after.cachedBuffers, 1)
        XCTAssertEqual(after.liveBuffers, s.liveBuffers)
        XCTAssertEqual(BufferCache.trim(), 8192)
    }

    func testSmallArraysTakeBackTheirStorageObjectOnlyWhenNothingReferencesIt() {
        BufferCache.trim()
        let n = 512  // 4 KiB: the storage object stays in the thread's storage slot
        let s0 = BufferCache.statistics
        var ids: [ObjectIdentifier] = []
        for round in 0..<3 {
            let a = NDArray(uninitialized: .float64, shape: [n])
            a.baseAddress.initializeMemory(as: Double.self, repeating: Double(round), count: n)
            ids.append(ObjectIdentifier(a.storage))
        }
        // Made and dropped: one object, taken back twice (cache hits), allocated once (a miss).
        XCTAssertEqual(Set(ids).count, 1)
        var s = BufferCache.statistics  // drains the slot: the buffer is cached, not live
        XCTAssertEqual(s.hits, s0.hits + 2)
        XCTAssertEqual(s.misses, s0.misses + 1)
        XCTAssertEqual(s.liveBuffers, s0.liveBuffers)
        XCTAssertEqual(s.cachedBytes, 4096)

        // While a view references the storage, the next array gets other memory, and writing it
        // leaves the view alone; once the view goes, its object comes back.
        var view: NDArray? = NDArray(uninitialized: .float64, shape: [n]).sliced(axis: 0, 10..<20)
        view!.baseAddress.initializeMemory(as: Double.self, repeating: 1, count: 10)
        let viewed = ObjectIdentifier(view!.storage)
        for _ in 0..<3 {
            let other = NDArray(uninitialized: .float64, shape: [n])
            XCTAssertNotEqual(ObjectIdentifier(other.storage), viewed)
            XCTAssertNotEqual(pointer(other), pointer(view!))
            other.baseAddress.initializeMemory(as: Double.self, repeating: 2, count: n)
        }
        XCTAssertEqual(view!.doubles, [Double](repeating: 1, count: 10))
        view = nil
        XCTAssertEqual(ObjectIdentifier(NDArray(uninitialized: .float64, shape: [n]).storage), viewed)

        // An array held for long (a preallocated `out:`) keeps the slot from the arrays made and
        // dropped beside it only for a while (SJ_STORAGE_SLOT_PATIENCE arrays).
        do {
            let held = NDArray(uninitialized: .float64, shape: [n])
            held.baseAddress.initializeMemory(as: Double.self, repeating: 3, count: n)
            weak var last: ArrayStorage?
            var reused = 0
            for _ in 0..<20 {
                let a = NDArray(uninitialized: .float64, shape: [n])
                XCTAssertFalse(a.storage === held.storage)
                if let last, a.storage === last { reused += 1 }
                a.baseAddress.initializeMemory(as: Double.self, repeating: 4, count: n)
                last = a.storage
            }
            XCTAssertGreaterThanOrEqual(reused, 10)
            XCTAssertTrue(held.doubles.allSatisfy { $0 == 3 })
        }

        // zeros over a taken-back object full of sevens is zero; another size takes another object.
        let sevens: ObjectIdentifier
        do {
            let a = NDArray(uninitialized: .float64, shape: [n])
            a.baseAddress.initializeMemory(as: Double.self, repeating: 7, count: n)
            sevens = ObjectIdentifier(a.storage)
        }
        do {
            let z = NDArray(zeros: .float64, shape: [n])
            XCTAssertEqual(ObjectIdentifier(z.storage), sevens)
            XCTAssertEqual(z.doubles, [Double](repeating: 0, count: n))
            XCTAssertEqual(NDArray(zeros: .float64, shape: [n + 1]).doubles, [Double](repeating: 0, count: n + 1))
        }
        s = BufferCache.statistics
        XCTAssertEqual(s.liveBuffers, s0.liveBuffers)
        XCTAssertEqual(BufferCache.trim(), s.cachedBytes)
        XCTAssertEqual(BufferCache.statistics.cachedBytes, 0)

        // A limit of 0 releases the slot's object and keeps nothing; later arrays are not slotted.
        do { _ = NDArray(uninitialized: .float64, shape: [n]) }
        BufferCache.limit = 0
        XCTAssertEqual(BufferCache.statistics.cachedBytes, 0)
        do { _ = NDArray(zeros: .float64, shape: [n]) }
        XCTAssertEqual(BufferCache.statistics.cachedBytes, 0)
        XCTAssertEqual(BufferCache.statistics.liveBuffers, s0.liveBuffers)
    }

    /// Below the buffer cache's 4 KiB minimum the storage slot works the same way (the object and
    /// its malloc'd buffer are taken back when nothing references them), without counting in
    /// the cache's statistics; a view keeps its storage from being handed out, and zeros are zero.
    func testArraysBelowTheCacheMinimumTakeBackTheirStorageObject() throws {
        BufferCache.trim()
        let n = 10  // 80 bytes
        let s0 = BufferCache.statistics
        weak var first: ArrayStorage?
        var firstBuffer: UnsafeMutableRawPointer?
        do {
            let a = NDArray(uninitialized: .float64, count: n)
            first = a.storage
            firstBuffer = pointer(a)
        }
        XCTAssertNotNil(first, "the slot should keep the storage object of an array made and dropped")
        for round in 0..<3 {
            let a = NDArray(uninitialized: .float64, shape: [n])
            XCTAssertTrue(a.storage === first, "round \(round): the object was not taken back")
            XCTAssertEqual(pointer(a), firstBuffer)
            a.baseAddress.initializeMemory(as: Double.self, repeating: Double(round), count: n)
        }
        let z = NDArray(zeros: .float64, count: n)
        XCTAssertTrue(z.storage === first)
        XCTAssertEqual(z.doubles, [Double](repeating: 0, count: n))
        var view: NDArray? = z.sliced(axis: 0, 2..<5)
        view!.baseAddress.initializeMemory(as: Double.self, repeating: 9, count: 3)
        do { _ = consume z }
        for _ in 0..<3 {
            let other = NDArray(uninitialized: .float64, count: n)
            XCTAssertFalse(other.storage === view!.storage)
            other.baseAddress.initializeMemory(as: Double.self, repeating: -1, count: n)
        }
        XCTAssertEqual(view!.doubles, [9, 9, 9])
        view = nil
        let s1 = BufferCache.statistics  // drains the slot: small objects are freed, not cached
        XCTAssertEqual(s1.hits, s0.hits, "arrays below the cache's minimum are not cache hits")
        XCTAssertEqual(s1.misses, s0.misses)
        XCTAssertEqual(s1.cachedBytes, s0.cachedBytes)
        XCTAssertNil(first, "a drained slot releases its object")
        // Allocating expression calls with small results: every result is right, though each
        // takes back the last one's storage.
        let f = try JIT.compile("x*2.0 + 1.0")
        let x = NDArray((0..<n).map(Double.init))
        for round in 0..<4 {
            let y = try f.call(x)
            XCTAssertEqual(y.doubles, (0..<n).map { Double($0) * 2 + 1 }, "round \(round)")
            y.baseAddress.initializeMemory(as: Double.self, repeating: -7, count: n)
        }
        var kept: [NDArray] = []
        for _ in 0..<3 { kept.append(try f.call(x)) }
        XCTAssertEqual(Set(kept.map { ObjectIdentifier($0.storage) }).count, 3, "live results must not share storage")
        for k in kept { XCTAssertEqual(k.doubles, (0..<n).map { Double($0) * 2 + 1 }) }
    }

    /// `NDArray(uninitialized:count:)` and `NDArray(zeros:count:)`: one-dimensional arrays whose
    /// storage object, taken back from the thread's slot, brings its shape array along; the shape
    /// is always the count asked for, whatever the object held before (another dtype of the same
    /// byte count, another count), and zeros are zero.
    func testVectorsMadeByCountReuseTheirShapeArray() {
        BufferCache.trim()
        let n = 1024  // 8 KiB: in the storage slot's range
        var first: NDArray? = NDArray(uninitialized: .float64, count: n)
        first!.baseAddress.initializeMemory(as: Double.self, repeating: 5, count: n)
        let object = ObjectIdentifier(first!.storage)
        let shapeBuffer = first!.shape.withUnsafeBufferPointer { $0.baseAddress }
        first = nil
        let again = NDArray(uninitialized: .float64, count: n)
        XCTAssertEqual(ObjectIdentifier(again.storage), object)
        XCTAssertEqual(again.shape.withUnsafeBufferPointer { $0.baseAddress }, shapeBuffer, "the shape array was not reused")
        XCTAssertEqual(again.shape, [n])
        XCTAssertEqual(again.strides, [1])
        XCTAssertTrue(again.isContiguous)
        do { _ = consume again }
        // The same bytes as float32: the same object, twice the count, its own shape.
        let floats = NDArray(zeros: .float32, count: 2 * n)
        XCTAssertEqual(ObjectIdentifier(floats.storage), object)
        XCTAssertEqual(floats.shape, [2 * n])
        XCTAssertEqual(floats.toArray(Float.self), [Float](repeating: 0, count: 2 * n))
        do { _ = consume floats }
        XCTAssertEqual(NDArray(uninitialized: .float64, count: n).shape, [n])
        // Outside the slot's range, and empty.
        XCTAssertEqual(NDArray(zeros: .float64, count: 100_000).doubles, [Double](repeating: 0, count: 100_000))
        XCTAssertEqual(NDArray(uninitialized: .float64, count: 0).shape, [0])
        // What a kernel sees.
        let x = NDArray((0..<n).map(Double.init))
        let y = NDArray(uninitialized: .float64, count: n)
        XCTAssertNoThrow(try JIT.compile("x * 2.0").call(["x": x], out: y))
        XCTAssertEqual(y.doubles, (0..<n).map { Double($0) * 2 })
    }

    /// Results of one call that lie in the same kernel allocation share one storage object (taken
    /// over once); a result that views an argument shares the argument's storage; each is right.
    func testKernelResultsShareTheirAllocation() throws {
        let k = try JIT.kernels("""
            kernel same(n: i64) -> (f64[], f64[], f64[]) {
                let y = zeros(n)
                let z = empty_like(y)
                for i in 0..<n { y[i] = 1.0 * i; z[i] = 2.0 * i }
                return y, y, z
            }
            kernel view(x: f64[]) -> f64[] { return x[1..<len(x)] }
            """)
        for n in [3, 1000, 5000] {
            let r = try k.kernel("same").callAll([Int64(n)])
            XCTAssertEqual(r.count, 3)
            XCTAssertEqual(ObjectIdentifier(r[0].storage), ObjectIdentifier(r[1].storage))
            XCTAssertNotEqual(ObjectIdentifier(r[0].storage), ObjectIdentifier(r[2].storage))
            XCTAssertEqual(r[1].doubles, (0..<n).map(Double.init))
            XCTAssertEqual(r[2].doubles, (0..<n).map { 2 * Double($0) })
            XCTAssertEqual(r[0].strides, [1])
        }
        let x = NDArray((0..<100).map(Double.init))
        let v = try k.kernel("view").callAll([x])[0]
        XCTAssertEqual(ObjectIdentifier(v.storage), ObjectIdentifier(x.storage))
        XCTAssertEqual(v.doubles, (1..<100).map(Double.init))
    }

    func testVectorsMadeByShapeAreMadeAsByCount() {
        BufferCache.trim()
        let n = 1024
        var first: NDArray? = NDArray(uninitialized: .float64, shape: [n])
        let object = ObjectIdentifier(first!.storage)
        let shapeBuffer = first!.shape.withUnsafeBufferPointer { $0.baseAddress }
        first = nil
        // `shape: [n]` takes the one-dimensional path: the storage object and its shape array come back.
        let again = NDArray(zeros: .float64, shape: [n])
        XCTAssertEqual(ObjectIdentifier(again.storage), object)
        XCTAssertEqual(again.shape.withUnsafeBufferPointer { $0.baseAddress }, shapeBuffer)
        XCTAssertEqual(again.doubles, [Double](repeating: 0, count: n))
        XCTAssertEqual(again.strides, [1])
        // Other ranks keep their shape; 0-d arrays have one element.
        let shape = [4, 256]
        let matrix = NDArray(zeros: .float64, shape: shape)
        XCTAssertEqual(matrix.shape, shape)
        XCTAssertEqual(matrix.strides, [256, 1])
        XCTAssertEqual(matrix.doubles, [Double](repeating: 0, count: n))
        let scalar = NDArray(zeros: .int64, shape: [])
        XCTAssertEqual(scalar.shape, [])
        XCTAssertEqual(scalar.count, 1)
        XCTAssertEqual(NDArray(uninitialized: .float32, shape: [2, 3, 4]).strides, [12, 4, 1])
        XCTAssertEqual(NDArray(uninitialized: .float32, shape: [0]).shape, [0])
    }

    func testSmallArraysHeldByOtherThreadsAreNeverHandedOutAgain() {
        let n = 1024  // 8 KiB
        let failures = Failures()
        let group = DispatchGroup()
        let consumers = [DispatchQueue(label: "consumer 1"), DispatchQueue(label: "consumer 2")]
        for round in 0..<400 {
            let a = round % 5 == 0 ? NDArray(zeros: .float64, shape: [n]) : NDArray(uninitialized: .float64, shape: [n])
            if round % 5 == 0 && !Self.holds(a, 0) { failures.add("zeros not zero") }
            let stamp = Double(round + 1)
            a.baseAddress.initializeMemory(as: Double.self, repeating: stamp, count: n)
            group.enter()
            consumers[round % 2].async {
                if round % 7 == 0 { usleep(100) }  // held while this thread makes more
                if !Self.holds(a, stamp) { failures.add("an array held by another thread was overwritten") }
                group.leave()
            }
        }
        group.wait()
        XCTAssertEqual(failures.messages, [])
    }

    func testBoundIsRespectedAndOversizeBuffersAreNotKept() {
        BufferCache.trim()
        BufferCache.limit = 1 << 20
        let before = BufferCache.statistics
        do {
            let arrays = (0..<10).map { _ in NDArray(uninitialized: .uint8, shape: [1 << 18]) }  // 256 KiB each
            XCTAssertEqual(Set(arrays.map { pointer($0) }).count, 10)
        }
        var s = BufferCache.statistics
        XCTAssertEqual(s.cachedBytes, 1 << 20)
        XCTAssertEqual(s.cachedBuffers, 4)
        XCTAssertEqual(s.evicted - before.evicted, 6)
        _ = NDArray(uninitialized: .uint8, shape: [2 << 20])  // larger than the bound: back to the system
        s = BufferCache.statistics
        XCTAssertEqual(s.cachedBytes, 1 << 20)
        XCTAssertEqual(s.evicted - before.evicted, 7)
        // Lowering the bound returns the excess at once; 0 turns caching off.
        BufferCache.limit = 1 << 19
        XCTAssertEqual(BufferCache.statistics.cachedBytes, 1 << 19)
        BufferCache.limit = 0
        XCTAssertEqual(BufferCache.statistics.cachedBytes, 0)
        _ = NDArray(uninitialized: .uint8, shape: [1 << 18])
        XCTAssertEqual(BufferCache.statistics.cachedBytes, 0)
        XCTAssertEqual(BufferCache.statistics.stored, s.stored)
    }

    func testTrimReturnsCachedMemoryOnRequest() {
        BufferCache.trim()
        do { _ = (0..<3).map { _ in NDArray(uninitialized: .float64, shape: [1 << 16]) } }  // 512 KiB each
        let cached = BufferCache.statistics.cachedBytes
        XCTAssertEqual(cached, 3 << 19)
        XCTAssertEqual(BufferCache.trim(keepingBytes: cached - (1 << 19)), 1 << 19)  // the oldest one
        XCTAssertEqual(BufferCache.trim(), cached - (1 << 19))
        XCTAssertEqual(BufferCache.statistics.cachedBytes, 0)
        XCTAssertEqual(BufferCache.trim(), 0)
    }

    func testHugeBuffersAreHugePageAlignedAndSizeClassesBounded() {
        let a = NDArray(uninitialized: .float64, shape: [1 << 20])  // 8 MiB
        XCTAssertEqual(Int(bitPattern: pointer(a)) % (1 << 21), 0)
        let small = NDArray(uninitialized: .float64, shape: [1000])
        XCTAssertEqual(Int(bitPattern: pointer(small)) % 64, 0)
        for bytes in [4096, 4097, 5000, 100_000, 3 << 20, 4_000_001, 8_000_000, 134_217_728, 134_217_729] {
            let cap = BufferCache.capacity(forBytes: bytes)
            XCTAssertGreaterThanOrEqual(cap, bytes)
            XCTAssertLessThanOrEqual(Double(cap), Double(bytes) * 1.25 + Double(1 << 21), "\(bytes)")
            if cap >= 1 << 22 { XCTAssertEqual(cap % (1 << 21), 0, "\(bytes)") }
        }
        XCTAssertEqual(BufferCache.capacity(forBytes: 8_000_000), 8 << 20)
    }

    func testSizeSettingsParse() {
        XCTAssertEqual(BufferCache.parseSize("512M"), 512 << 20)
        XCTAssertEqual(BufferCache.parseSize("1G"), 1 << 30)
        XCTAssertEqual(BufferCache.parseSize("1.5GiB"), 3 << 29)
        XCTAssertEqual(BufferCache.parseSize("64k"), 64 << 10)
        XCTAssertEqual(BufferCache.parseSize("123456"), 123_456)
        XCTAssertEqual(BufferCache.parseSize("off"), 0)
        XCTAssertEqual(BufferCache.parseSize("0"), 0)
        for bad in ["", "-1", "lots", "12X", "1e9", "G", "1..2M"] {
            XCTAssertNil(BufferCache.parseSize(bad), bad)
        }
        let gib = 1 << 30
        XCTAssertLessThanOrEqual(BufferCache.defaultLimit, gib)
        XCTAssertGreaterThan(BufferCache.defaultLimit, 0)
    }

    func testBadEnvironmentSettingIsReportedAndTheDefaultKept() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bufcache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.txt")
        try "x = arange(10000)\nsum(x)\n".write(to: input, atomically: true, encoding: .utf8)
        let bad = try SwiftJITProcess.run([], in: dir, stdin: input, environment: ["SWIFTJIT_BUFFER_CACHE": "lots"])
        XCTAssertEqual(bad.status, 0)
        XCTAssertTrue(bad.stdout.contains("49995000"), bad.stdout)
        XCTAssertTrue(bad.stderr.contains("SWIFTJIT_BUFFER_CACHE='lots' is not a size"), bad.stderr)
        let good = try SwiftJITProcess.run([], in: dir, stdin: input, environment: ["SWIFTJIT_BUFFER_CACHE": "64M"])
        XCTAssertTrue(good.stdout.contains("49995000"), good.stdout)
        XCTAssertFalse(good.stderr.contains("SWIFTJIT_BUFFER_CACHE"), good.stderr)
    }
}

/// Failure messages collected from several threads.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ m: String) { lock.lock(); list.append(m); lock.unlock() }
    var messages: [String] { lock.lock(); defer { lock.unlock() }; return Array(Set(list)).sorted() }
}
