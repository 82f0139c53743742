// A small n-dimensional array: element type, shape, strides (in elements), and storage that is
// either owned (allocated here, freed with the last reference) or borrowed (wrapping memory a
// caller keeps alive, without copying). Views share storage, as NumPy's do.
import CJITSupport
import Foundation
import JITSema

/// Memory behind one or more arrays.
public final class ArrayStorage: @unchecked Sendable {
    /// Start of the memory.
    public let pointer: UnsafeMutableRawPointer
    /// Size of the memory in bytes.
    public let byteCount: Int
    private let release: Release
    private let owner: AnyObject?
    /// The shape array `[n]` of the one-dimensional arrays made over this storage as new arrays
    /// (`NDArray.Layout.vector`: `NDArray(uninitialized:count:)`, `zeros`, one-dimensional
    /// results), which keep only their count and return this as their `shape`. A storage object
    /// taken back from the thread's slot (`make`) keeps it for the next array of the same count,
    /// so that array costs no allocation at all. Written only while the object is referenced by
    /// no array (by `make`'s caller and the thread's slot alone), so it never changes under an
    /// array that reads it.
    var vectorShape: [Int]?

    /// What the last reference does with the memory.
    private enum Release {
        case deallocate  // Swift's allocator (small buffers)
        case bufferCache  // back to the buffer cache (or free() for malloc memory it did not hand out)
        case bufferCacheSized  // back to the buffer cache by size (allocated here: no address table entry)
        case none  // borrowed
    }

    /// Takes over memory from a kernel allocation (the buffer cache, through the allocation
    /// hooks) or from C's malloc; given back to the cache, or freed, with the last reference.
    public init(adoptingMalloc pointer: UnsafeMutableRawPointer, byteCount: Int) {
        self.pointer = pointer
        self.byteCount = byteCount
        release = .bufferCache
        owner = nil
    }

    /// Takes over a kernel allocation that came from the buffer cache by size
    /// (`sj_context_sized_bytes` gave its `byteCount`); given back by size with the last
    /// reference, through the releasing thread's slot when it is small enough (no lock).
    init(adoptingSized pointer: UnsafeMutableRawPointer, byteCount: Int) {
        self.pointer = pointer
        self.byteCount = byteCount
        release = .bufferCacheSized
        owner = nil
    }

    /// A kernel allocation taken over from a call's context: by size when `sizedBytes` (from
    /// `sj_context_sized_bytes`) is not 0, else by pointer.
    static func adopting(_ pointer: UnsafeMutableRawPointer, sizedBytes: Int) -> ArrayStorage {
        sizedBytes > 0 ? ArrayStorage(adoptingSized: pointer, byteCount: sizedBytes)
            : ArrayStorage(adoptingMalloc: pointer, byteCount: 0)
    }

    /// Buffers at least this large are 2 MiB aligned and offered transparent huge pages.
    public static let hugePageThreshold = 1 << 22

    /// `n` bytes, 64-byte aligned. From 4 KiB up they come from the buffer cache (`BufferCache`),
    /// which reuses released buffers; from 4 MiB up (NumPy's threshold, `hugepage` in its
    /// alloc.c) they are 2 MiB aligned and marked MADV_HUGEPAGE before the first touch, so that on
    /// Linux with transparent huge pages in `madvise` mode (Debian's default) they are mapped in
    /// 2 MiB pages as NumPy's arrays are. Streaming through 128 MiB in 4 KiB pages cost W5 and W12
    /// 15-25 % against Numba and numexpr, which work on NumPy's memory. They are acquired and
    /// released by size, which lets buffers of up to 64 KiB come from (and go back to) a slot of
    /// the calling thread's own without a lock (`sj_buffer_acquire_sized`).
    private static func allocate(_ n: Int, zeroed: Bool) -> (UnsafeMutableRawPointer, Release) {
        if n >= BufferCache.minimumCachedBytes {
            _ = BufferCache.configured
            guard let p = sj_buffer_acquire_sized(n, zeroed ? 1 : 0) else {
                fatalError("out of memory: cannot allocate an array of \(n) bytes")
            }
            return (p, .bufferCacheSized)
        }
        let p = UnsafeMutableRawPointer.allocate(byteCount: n, alignment: 64)
        if zeroed { p.initializeMemory(as: UInt8.self, repeating: 0, count: n) }
        return (p, .deallocate)
    }

    /// Allocates `byteCount` zeroed bytes, 64-byte aligned.
    public init(zeroedBytes byteCount: Int) {
        (pointer, release) = Self.allocate(max(byteCount, 1), zeroed: true)
        self.byteCount = byteCount
        owner = nil
    }

    /// Allocates `byteCount` bytes, 64-byte aligned, without initialising them: for results that
    /// a kernel writes in full before anyone reads them.
    public init(uninitializedBytes byteCount: Int) {
        (pointer, release) = Self.allocate(max(byteCount, 1), zeroed: false)
        self.byteCount = byteCount
        owner = nil
    }

    /// Storage of `byteCount` bytes for a new array (`NDArray(uninitialized:)`, `zeros`).
    ///
    /// Up to 64 KiB (`SJ_STORAGE_SLOT_MAX`) the object is kept, after the array made over
    /// it, in the calling thread's storage slot (`sj_storage_slot_put`), and the thread's next
    /// array of the same byte count takes the object itself back once no array, view or anything
    /// else references it (it is then uniquely referenced, by the slot): no object allocated and
    /// freed, no buffer acquired and released, no deinit; what is left is the slot's exchange, one
    /// retain for the slot and the release when the array goes. Measured with `alloc-sweep --parts`
    /// (2026-12-06, LLVM 19, least of 6 interleaved runs on a 2-core VM; those figures include the
    /// harness's own executor checks, since removed: the array made and dropped is now 36-38 ns,
    /// the shape array alone 10-12, an atomic read-modify-write 2.0-2.4): a 4-16 KiB
    /// `NDArray(uninitialized:)` made and dropped went from 128-135 ns to 97 ns, 59-67 of which are
    /// the caller's `shape: [n]` array, which this cannot save. Arrays that are all kept (none comes
    /// back) pay the slot's exchange: made with the 1000 newest live, 128-141 ns before, 138-143
    /// after (with the patience of `sj_storage_slot_keep_busy`; 190 -> 223 ns when every new array
    /// took the slot). Below 4 KiB (Swift's allocator, not the buffer cache) the slot saves the
    /// 64-byte-aligned malloc and free, about 400 instructions (`memalign` is glibc's slow path)
    /// of a 1,500-instruction allocating call at n = 10 (callgrind, 2026-12-07).
    /// Statistics, trim, a new limit and thread exit drain the
    /// slots (`sj_storage_slots_drain`), so a slot's object counts as cached exactly when nothing
    /// else references it.
    static func make(byteCount: Int, zeroed: Bool) -> ArrayStorage {
        guard byteCount > 0, byteCount <= Int(SJ_STORAGE_SLOT_MAX) else {
            return ArrayStorage(byteCount, zeroed: zeroed)
        }
        if let raw = sj_storage_slot_take() {
            var held = Unmanaged<ArrayStorage>.fromOpaque(raw).takeRetainedValue()
            let unique = isKnownUniquelyReferenced(&held)
            if unique && held.byteCount == byteCount {
                keepInSlot(held, reused: byteCount >= BufferCache.minimumCachedBytes ? 1 : 2)
                if zeroed { sj_buffer_clear(held.pointer, byteCount) }
                return held
            }
            if !unique && sj_storage_slot_keep_busy() != 0 {
                // Still in use: back into the slot (the reference moves, no count changes), to be
                // taken once it is not; the new array's object is not kept.
                let reference = Unmanaged.passRetained(consume held)
                if sj_storage_slot_put(reference.toOpaque(), 0) == 0 { reference.release() }
                return ArrayStorage(byteCount, zeroed: zeroed)
            }
            // Another size, or in use too long (such as a preallocated `out:` array of this size):
            // the slot's reference goes (an object no array references any more is released here,
            // its buffer to this thread's buffer slot, where the new array may find it), and the
            // new array's object takes the slot.
        }
        let fresh = ArrayStorage(byteCount, zeroed: zeroed)
        keepInSlot(fresh, reused: 0)
        return fresh
    }

    /// Gives the thread's storage slot a reference to `storage` (none when slots are off);
    /// `reused` as `sj_storage_slot_put` takes it (0 new, 1 a cache hit, 2 taken back below the
    /// cache's minimum size).
    private static func keepInSlot(_ storage: ArrayStorage, reused: Int32) {
        let reference = Unmanaged.passRetained(storage)
        if sj_storage_slot_put(reference.toOpaque(), reused) == 0 { reference.release() }
    }

    private convenience init(_ byteCount: Int, zeroed: Bool) {
        if zeroed { self.init(zeroedBytes: byteCount) } else { self.init(uninitializedBytes: byteCount) }
    }

    /// Borrows memory that `owner` (if given) or the caller keeps alive.
    public init(borrowing pointer: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject? = nil) {
        self.pointer = pointer
        self.byteCount = byteCount
        release = .none
        self.owner = owner
    }

    deinit {
        switch release {
        case .deallocate: pointer.deallocate()
        case .bufferCache: sj_buffer_release(pointer)
        case .bufferCacheSized: sj_buffer_release_sized(pointer, max(byteCount, 1))
        case .none: break
        }
    }
}

/// Reading and writing one element of any dtype in memory.
public enum ScalarMemory {
    /// The element at `p`; integers as Int64 (uint64 as its bit pattern).
    public static func load(_ p: UnsafeRawPointer, _ dtype: DType) -> ScalarValue {
        switch dtype {
        case .bool: return .bool(p.load(as: UInt8.self) != 0)
        case .int8: return .int(Int64(p.load(as: Int8.self)))
        case .int16: return .int(Int64(p.loadUnaligned(as: Int16.self)))
        case .int32: return .int(Int64(p.loadUnaligned(as: Int32.self)))
        case .int64: return .int(p.loadUnaligned(as: Int64.self))
        case .uint8: return .int(Int64(p.load(as: UInt8.self)))
        case .uint16: return .int(Int64(p.loadUnaligned(as: UInt16.self)))
        case .uint32: return .int(Int64(p.loadUnaligned(as: UInt32.self)))
        case .uint64: return .int(Int64(bitPattern: p.loadUnaligned(as: UInt64.self)))
        case .float32: return .float(Double(p.loadUnaligned(as: Float.self)))
        case .float64: return .float(p.loadUnaligned(as: Double.self))
        case .complex64:
            return .complex(Double(p.loadUnaligned(as: Float.self)), Double((p + 4).loadUnaligned(as: Float.self)))
        case .complex128: return .complex(p.loadUnaligned(as: Double.self), (p + 8).loadUnaligned(as: Double.self))
        }
    }

    /// Writes `v` (converted as a cast would) at `p` as a `dtype` element.
    public static func store(_ v: ScalarValue, at p: UnsafeMutableRawPointer, _ dtype: DType) {
        switch (dtype, ScalarSemantics.cast(v, to: dtype)) {
        case (.bool, .bool(let b)): p.storeBytes(of: b ? 1 : 0, as: UInt8.self)
        case (.float32, .float(let x)): p.storeBytes(of: Float(x), as: Float.self)
        case (.float64, .float(let x)): p.storeBytes(of: x, as: Double.self)
        case (.complex64, .complex(let re, let im)):
            p.storeBytes(of: Float(re), as: Float.self)
            (p + 4).storeBytes(of: Float(im), as: Float.self)
        case (.complex128, .complex(let re, let im)):
            p.storeBytes(of: re, as: Double.self)
            (p + 8).storeBytes(of: im, as: Double.self)
        case (_, .int(let x)):
            withUnsafeBytes(of: x.littleEndian) { p.copyMemory(from: $0.baseAddress!, byteCount: dtype.size) }
        default: break
        }
    }
}

/// Swift types that are array elements.
public protocol NDArrayElement {
    /// The dtype of this Swift type.
    static var dtype: DType { get }
}
extension Bool: NDArrayElement { public static var dtype: DType { .bool } }
extension Int8: NDArrayElement { public static var dtype: DType { .int8 } }
extension Int16: NDArrayElement { public static var dtype: DType { .int16 } }
extension Int32: NDArrayElement { public static var dtype: DType { .int32 } }
extension UInt8: NDArrayElement { public static var dtype: DType { .uint8 } }
extension UInt16: NDArrayElement { public static var dtype: DType { .uint16 } }
extension UInt32: NDArrayElement { public static var dtype: DType { .uint32 } }
extension UInt64: NDArrayElement { public static var dtype: DType { .uint64 } }
extension Int64: NDArrayElement { public static var dtype: DType { .int64 } }
extension Int: NDArrayElement { public static var dtype: DType { .int64 } }
extension Float: NDArrayElement { public static var dtype: DType { .float32 } }
extension Double: NDArrayElement { public static var dtype: DType { .float64 } }

/// An n-dimensional array of one dtype.
public struct NDArray: @unchecked Sendable {
    /// Element type.
    public let dtype: DType
    /// The memory.
    public let storage: ArrayStorage
    /// Index of the first element in `storage`, in elements.
    public let offset: Int
    /// Shape and strides (see `Layout`).
    @usableFromInline let layout: Layout

    /// How an array keeps its shape and strides.
    ///
    /// A new one-dimensional array (`NDArray(uninitialized:count:)`, `zeros`, and the library's
    /// one-dimensional results) keeps only its element count: its shape array is the one its
    /// storage keeps (`ArrayStorage.vectorShape`, which does not change while an array references
    /// the storage) and its strides are `[1]`. So such an array holds one reference (its storage)
    /// instead of three: made and dropped per call, as `f(x, out: NDArray(uninitialized: .float64,
    /// count: n))` does, each reference was a retain, a release and an outlined destroy of an
    /// `[Int]` at the call site. A 4 KiB array made and dropped went from 357 to 229 instructions
    /// (callgrind) and from 37 to 24 ns (`alloc-sweep --parts`, 2026-12-07, LLVM 19; issue 16).
    /// The library's fast paths compare shapes with `hasShape`/`hasStrides`, which take no
    /// reference. Every other array (views, other ranks, borrowed memory) keeps both arrays.
    @usableFromInline enum Layout {
        case vector(count: Int)
        case general(shape: [Int], strides: [Int])
    }

    /// Extent of each dimension; empty for a 0-d array (a scalar).
    public var shape: [Int] {
        switch layout {
        case .vector: return storage.vectorShape!
        case .general(let shape, _): return shape
        }
    }

    /// Step between neighbours along each dimension, in elements.
    public var strides: [Int] {
        switch layout {
        case .vector: return NDArray.unitStride
        case .general(_, let strides): return strides
        }
    }

    /// Whether `other` is this array's shape (without taking a reference to the shape array).
    @inlinable
    package func hasShape(_ other: [Int]) -> Bool {
        switch layout {
        case .vector(let n): return other.count == 1 && other[0] == n
        case .general(let shape, _): return shape == other
        }
    }

    /// Whether `other` is this array's strides (without taking a reference to the strides array).
    @inlinable
    package func hasStrides(_ other: [Int]) -> Bool {
        switch layout {
        case .vector: return other.count == 1 && other[0] == 1
        case .general(_, let strides): return strides == other
        }
    }

    /// A view on existing storage.
    public init(dtype: DType, shape: [Int], strides: [Int]? = nil, storage: ArrayStorage, offset: Int = 0) {
        self.dtype = dtype
        layout = .general(shape: shape, strides: strides ?? NDArray.rowMajorStrides(shape))
        self.storage = storage
        self.offset = offset
    }

    /// A new zero-filled array (made as `init(uninitialized:shape:)` is).
    @inlinable
    public init(zeros dtype: DType, shape: [Int]) {
        if shape.count == 1 {
            self.init(zeros: dtype, count: shape[0])
        } else {
            self.init(zeros: dtype, sharedShape: shape)
        }
    }

    /// A new array whose elements are not initialised: only for results that a kernel writes in
    /// full before they are read.
    ///
    /// Inlinable so that a shape array written at the call, `shape: [n]`, need not be made on the
    /// heap: after inlining, the optimizer knows the literal's count, keeps only the
    /// one-dimensional branch, where the array is only read, and makes it on the caller's stack.
    /// A heap array is a malloc, a free and two reference counts: 10-12 ns here (`alloc-sweep
    /// --parts`; first measured as 40-45 ns, which included that tool's own executor checks). One-dimensional arrays are made as
    /// `init(uninitialized:count:)` makes them; others keep `shape` itself.
    @inlinable
    public init(uninitialized dtype: DType, shape: [Int]) {
        if shape.count == 1 {
            self.init(uninitialized: dtype, count: shape[0])
        } else {
            self.init(uninitialized: dtype, sharedShape: shape)
        }
    }

    /// A new zero-filled array that keeps `shape` itself as its shape (no new shape array): for
    /// the library's own results, whose shape arrays live in compiled plans.
    @usableFromInline
    package init(zeros dtype: DType, sharedShape shape: [Int]) {
        self.init(fresh: dtype, shape: shape, storage: ArrayStorage.make(byteCount: shape.reduce(1, *) * dtype.size, zeroed: true))
    }

    /// A new uninitialised array that keeps `shape` itself as its shape (see
    /// `init(zeros:sharedShape:)`).
    @usableFromInline
    package init(uninitialized dtype: DType, sharedShape shape: [Int]) {
        self.init(fresh: dtype, shape: shape, storage: ArrayStorage.make(byteCount: shape.reduce(1, *) * dtype.size, zeroed: false))
    }

    /// A new one-dimensional array of `count` elements, not initialised: `init(uninitialized:shape:)`
    /// with `[count]`, without the caller's shape array. Made and dropped per call (4-64 KiB), it
    /// takes back the thread's last storage object and that object's shape array too, so it
    /// allocates nothing (see `ArrayStorage.make`).
    public init(uninitialized dtype: DType, count: Int) {
        self.init(vector: dtype, count: count, storage: ArrayStorage.make(byteCount: count * dtype.size, zeroed: false))
    }

    /// A new zero-filled one-dimensional array of `count` elements (`init(zeros:shape:)` with
    /// `[count]`, allocating as `init(uninitialized:count:)`).
    public init(zeros dtype: DType, count: Int) {
        self.init(vector: dtype, count: count, storage: ArrayStorage.make(byteCount: count * dtype.size, zeroed: true))
    }

    @inline(__always)
    private init(vector dtype: DType, count: Int, storage: ArrayStorage) {
        precondition(count >= 0, "negative element count \(count)")
        // `storage` is new or taken back unreferenced (`ArrayStorage.make`): no array reads its
        // shape array while it is replaced.
        if storage.vectorShape?[0] != count { storage.vectorShape = [count] }
        self.dtype = dtype
        layout = .vector(count: count)
        self.storage = storage
        offset = 0
    }

    /// A contiguous array over new storage; a one-dimensional one keeps only its count, with
    /// `shape` itself as its storage's shape array when that has another count.
    @inline(__always)
    private init(fresh dtype: DType, shape: [Int], storage: ArrayStorage) {
        self.dtype = dtype
        if shape.count == 1 {
            if storage.vectorShape?[0] != shape[0] { storage.vectorShape = shape }
            layout = .vector(count: shape[0])
        } else {
            layout = .general(shape: shape, strides: NDArray.rowMajorStrides(shape))
        }
        self.storage = storage
        offset = 0
    }

    /// A new array holding a copy of `values`; `shape` defaults to one dimension.
    public init<T: NDArrayElement>(_ values: [T], shape: [Int]? = nil) {
        let shape = shape ?? [values.count]
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        self.init(zeros: T.dtype, shape: shape)
        let dst = storage.pointer
        values.withUnsafeBytes { src in
            if T.self == Bool.self {
                // Bool is one byte 0/1 in Swift, as in NumPy.
                dst.copyMemory(from: src.baseAddress!, byteCount: values.count)
            } else if T.self == Int.self {
                dst.copyMemory(from: src.baseAddress!, byteCount: values.count * 8)
            } else if let base = src.baseAddress {
                dst.copyMemory(from: base, byteCount: src.count)
            }
        }
    }

    /// A 0-d array holding one value.
    public init<T: NDArrayElement>(scalar: T) { self.init([scalar], shape: []) }

    /// Wraps caller-owned memory without copying; the caller keeps it alive while the array is used.
    public init<T: NDArrayElement>(wrapping buffer: UnsafeMutableBufferPointer<T>, shape: [Int]? = nil) {
        let shape = shape ?? [buffer.count]
        precondition(shape.reduce(1, *) <= buffer.count, "shape \(shape) exceeds the buffer")
        let storage = ArrayStorage(borrowing: UnsafeMutableRawPointer(buffer.baseAddress ?? UnsafeMutablePointer<T>.allocate(capacity: 0)),
                                   byteCount: buffer.count * MemoryLayout<T>.stride)
        self.init(dtype: T.dtype, shape: shape, storage: storage)
    }

    /// Row-major strides for a shape, in elements.
    public static func rowMajorStrides(_ shape: [Int]) -> [Int] {
        // One shared array for every vector (no allocation per result: a 4 KiB allocating call
        // is about a microsecond, and each heap allocation a few percent of it).
        if shape.count == 1 { return unitStride }
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[d] = step
            step *= max(shape[d], 1)
        }
        return strides
    }

    private static let unitStride = [1]

    /// Number of dimensions.
    public var rank: Int {
        switch layout {
        case .vector: return 1
        case .general(let shape, _): return shape.count
        }
    }
    /// Number of elements.
    public var count: Int {
        switch layout {
        case .vector(let n): return n
        case .general(let shape, _): return shape.reduce(1, *)
        }
    }
    /// Whether the elements are contiguous in row-major order.
    public var isContiguous: Bool {
        guard case .general(let shape, let strides) = layout else { return true }
        var expected = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] != 1 {
            if strides[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }

    /// Address of the first element.
    public var baseAddress: UnsafeMutableRawPointer { storage.pointer + offset * dtype.size }

    /// Element `i` in row-major order, as a scalar value.
    public func element(_ flat: Int) -> ScalarValue {
        var rest = flat
        var index = offset
        var d = shape.count - 1
        while d >= 0 {
            let extent = max(shape[d], 1)
            index += (rest % extent) * strides[d]
            rest /= extent
            d -= 1
        }
        return ScalarMemory.load(storage.pointer + index * dtype.size, dtype)
    }

    /// Calls `body` with the position in `storage` (in elements) of every element, in row-major
    /// order, walking the multi-index like an odometer. (Going through `element(_:)` per element
    /// took a division per axis and, in debug builds, a lock inside the runtime's generic `stride`
    /// iterator: 8 threads reading results under ThreadSanitizer spent 97 % of their time there.)
    func forEachPosition(_ body: (Int) -> Void) {
        let n = count
        guard n > 0 else { return }
        var index = [Int](repeating: 0, count: rank)
        var at = offset
        for _ in 0..<n {
            body(at)
            var d = rank - 1  // last axis fastest
            while d >= 0 {
                index[d] += 1
                at += strides[d]
                if index[d] < shape[d] { break }
                at -= strides[d] * index[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    /// The elements in row-major order, converted to `T` (bool and integers exactly; floats by
    /// Swift's conversion). A contiguous array of `T`'s own dtype is copied in one go.
    public func toArray<T: NDArrayElement & Numericish>(_: T.Type = T.self) -> [T] {
        if T.dtype == dtype, dtype != .bool, isContiguous {
            return Array(UnsafeBufferPointer(start: baseAddress.assumingMemoryBound(to: T.self), count: count))
        }
        var out: [T] = []
        out.reserveCapacity(count)
        let size = dtype.size, base = storage.pointer
        forEachPosition { at in out.append(T(scalar: ScalarMemory.load(base + at * size, dtype))) }
        return out
    }

    /// The elements as Double, in row-major order.
    public var doubles: [Double] { toArray(Double.self) }

    /// A contiguous array with the same elements (itself when already contiguous).
    public func contiguous() -> NDArray { isContiguous ? self : copy() }

    /// A new contiguous copy of the elements, in row-major order.
    public func copy() -> NDArray {
        let copy = NDArray(zeros: dtype, shape: shape)
        if isContiguous {
            copy.baseAddress.copyMemory(from: baseAddress, byteCount: count * dtype.size)
            return copy
        }
        let size = dtype.size, base = storage.pointer
        var to = copy.baseAddress
        forEachPosition { at in
            to.copyMemory(from: base + at * size, byteCount: size)
            to += size
        }
        return copy
    }

    /// A view of the same memory with dimensions reordered (`transposed()` reverses them).
    public func transposed(_ axes: [Int]? = nil) -> NDArray {
        let order = axes ?? Array((0..<rank).reversed())
        precondition(order.sorted() == Array(0..<rank), "axes \(order) do not permute \(rank) dimensions")
        return NDArray(dtype: dtype, shape: order.map { shape[$0] }, strides: order.map { strides[$0] },
                       storage: storage, offset: offset)
    }

    /// A view of elements `range` with `step` along `axis` (negative steps walk backwards).
    public func sliced(axis: Int = 0, _ range: Range<Int>? = nil, step: Int = 1) -> NDArray {
        precondition(step != 0, "step must not be 0")
        let r = range ?? 0..<shape[axis]
        precondition(r.lowerBound >= 0 && r.upperBound <= shape[axis], "range \(r) outside 0..<\(shape[axis])")
        let n = r.isEmpty ? 0 : (r.count + abs(step) - 1) / abs(step)
        let first = step > 0 ? r.lowerBound : r.upperBound - 1
        var newShape = shape, newStrides = strides
        newShape[axis] = n
        newStrides[axis] = strides[axis] * step
        return NDArray(dtype: dtype, shape: newShape, strides: newStrides, storage: storage,
                       offset: offset + (n == 0 ? 0 : first * strides[axis]))
    }

    /// A view with a new shape over the same contiguous elements.
    public func reshaped(_ newShape: [Int]) -> NDArray {
        precondition(isContiguous && newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return NDArray(dtype: dtype, shape: newShape, storage: storage, offset: offset)
    }

    /// Writes element `flat` (row-major) of a contiguous array.
    public func setElement(_ flat: Int, _ v: ScalarValue) {
        ScalarMemory.store(v, at: baseAddress + flat * dtype.size, dtype)
    }
}

/// Conversion from a scalar value, for `NDArray.toArray`.
public protocol Numericish {
    init(scalar: ScalarValue)
}

extension Double: Numericish {
    public init(scalar: ScalarValue) {
        switch scalar {
        case .bool(let b): self = b ? 1 : 0
        case .int(let v): self = Double(v)
        case .float(let v): self = v
        case .complex(let re, _): self = re
        }
    }
}
extension Float: Numericish { public init(scalar: ScalarValue) { self = Float(Double(scalar: scalar)) } }
extension Int64: Numericish {
    public init(scalar: ScalarValue) {
        switch scalar {
        case .bool(let b): self = b ? 1 : 0
        case .int(let v): self = v
        case .float(let v), .complex(let v, _): self = v.isFinite ? Int64(exactly: v.rounded(.towardZero)) ?? 0 : 0
        }
    }
}
extension Int: Numericish { public init(scalar: ScalarValue) { self = Int(Int64(scalar: scalar)) } }
extension Int32: Numericish { public init(scalar: ScalarValue) { self = Int32(truncatingIfNeeded: Int64(scalar: scalar)) } }
extension Int16: Numericish { public init(scalar: ScalarValue) { self = Int16(truncatingIfNeeded: Int64(scalar: scalar)) } }
extension Int8: Numericish { public init(scalar: ScalarValue) { self = Int8(truncatingIfNeeded: Int64(scalar: scalar)) } }
extension UInt8: Numericish { public init(scalar: ScalarValue) { self = UInt8(truncatingIfNeeded: Int64(scalar: scalar)) } }
extension UInt16: Numericish { public init(scalar: ScalarValue) { self = UInt16(truncatingIfNeeded: Int64(scalar: scalar)) } }
extension UInt32: Numericish { public init(scalar: ScalarValue) { self = UInt32(truncatingIfNeeded: Int64(scalar: scalar)) } }
extension UInt64: Numericish { public init(scalar: ScalarValue) { self = UInt64(bitPattern: Int64(scalar: scalar)) } }
extension Bool: Numericish {
    public init(scalar: ScalarValue) {
        switch scalar {
        case .bool(let b): self = b
        case .int(let v): self = v != 0
        case .float(let v): self = v != 0
        case .complex(let re, let im): self = re != 0 || im != 0
        }
    }
}
