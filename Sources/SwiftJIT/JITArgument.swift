// Arguments of compiled expressions: NDArray, Swift arrays (read in place, not copied) and
// scalars. Each conforming type lends a raw view of itself for the duration of a call.
import JITRuntime
import JITSema

/// A borrowed, raw view of one argument for the duration of a call.
public struct ArgumentView {
    public var dtype: DType
    public var shape: [Int]
    /// Element strides (row-major for Swift arrays; any, even negative, for NDArray views).
    public var strides: [Int]
    /// Element 0.
    public var pointer: UnsafeMutableRawPointer
    /// The array, when the argument is an NDArray (kept alive during the call).
    public var array: NDArray?

    public init(dtype: DType, shape: [Int], strides: [Int], pointer: UnsafeMutableRawPointer, array: NDArray? = nil) {
        self.dtype = dtype
        self.shape = shape
        self.strides = strides
        self.pointer = pointer
        self.array = array
    }

    /// The lowest and highest byte the view touches, for overlap checks.
    public var byteSpan: (lo: UnsafeMutableRawPointer, hi: UnsafeMutableRawPointer) {
        ArgumentView.byteSpan(pointer, shape, strides, dtype.size)
    }

    /// The lowest and highest byte that elements of `itemSize` bytes at `pointer` with `shape`
    /// and element `strides` touch.
    static func byteSpan(_ pointer: UnsafeMutableRawPointer, _ shape: [Int], _ strides: [Int],
                         _ itemSize: Int) -> (lo: UnsafeMutableRawPointer, hi: UnsafeMutableRawPointer) {
        var lo = 0, hi = 0
        for (extent, stride) in zip(shape, strides) {
            if extent == 0 { return (pointer, pointer) }
            if stride < 0 { lo += (extent - 1) * stride } else { hi += (extent - 1) * stride }
        }
        return (pointer + lo * itemSize, pointer + (hi + 1) * itemSize)
    }
}

/// A value that can be passed to a compiled expression.
public protocol JITArgument {
    /// Calls `body` with a view of the value that stays valid during the call.
    func withArgumentView<R>(_ body: (ArgumentView) throws -> R) throws -> R

    /// How the repeated-call fast path reads this argument without a runtime cast: an array
    /// hands over itself, a scalar stores its value at `slot` (16 bytes), anything else (the
    /// default) sends the call down the general path, which uses `withArgumentView`.
    ///
    /// A requirement rather than `as? NDArray` / `as? any JITScalar` on the existential: those
    /// casts were a third of the fast path's instructions (`swift_dynamicCast`, 194 of 1,114
    /// per call, callgrind, 2026-12-07). Types outside SwiftJIT need not implement it.
    func fastArgument(scalarSlot slot: UnsafeMutableRawPointer) -> FastArgument
}

/// What `JITArgument.fastArgument(scalarSlot:)` found.
public enum FastArgument {
    /// The argument is this array.
    case array(NDArray)
    /// A scalar of this dtype, stored in the slot.
    case scalar(DType)
    /// Neither: the call takes the general path.
    case other
}

extension JITArgument {
    public func fastArgument(scalarSlot slot: UnsafeMutableRawPointer) -> FastArgument { .other }
}

nonisolated(unsafe) private let emptyBuffer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)

extension NDArray: JITArgument {
    public func fastArgument(scalarSlot slot: UnsafeMutableRawPointer) -> FastArgument { .array(self) }

    public func withArgumentView<R>(_ body: (ArgumentView) throws -> R) throws -> R {
        try withExtendedLifetime(self) {
            try body(ArgumentView(dtype: dtype, shape: shape, strides: strides, pointer: baseAddress, array: self))
        }
    }
}

extension Array: JITArgument where Element: NDArrayElement {
    public func withArgumentView<R>(_ body: (ArgumentView) throws -> R) throws -> R {
        try withUnsafeBufferPointer { buf in
            let p = buf.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) } ?? emptyBuffer
            return try body(ArgumentView(dtype: Element.dtype, shape: [buf.count], strides: [1], pointer: p))
        }
    }
}

/// `casting:` in a dynamic call (`f(x: xs, out: o, casting: .unsafe)`); not an array argument.
extension Casting: JITArgument {
    public func withArgumentView<R>(_ body: (ArgumentView) throws -> R) throws -> R {
        throw JITError.argument("a casting rule is not an argument value")
    }
}

/// Scalars are passed by value, as 0-d arguments.
public protocol JITScalar: JITArgument, NDArrayElement {}

extension JITScalar {
    /// Stores the value at `slot` (which has room for 16 bytes); the fast call path's scalar slot.
    /// A conforming type whose size is not its dtype's (at most 16 bytes) takes the general path
    /// instead: the slot is never written past its end.
    public func fastArgument(scalarSlot slot: UnsafeMutableRawPointer) -> FastArgument {
        guard MemoryLayout<Self>.size == Self.dtype.size else { return .other }
        slot.storeBytes(of: self, as: Self.self)
        return .scalar(Self.dtype)
    }

    public func withArgumentView<R>(_ body: (ArgumentView) throws -> R) throws -> R {
        var copy = self
        return try withUnsafeMutableBytes(of: &copy) { raw in
            try body(ArgumentView(dtype: Self.dtype, shape: [], strides: [], pointer: raw.baseAddress!))
        }
    }
}

extension Double: JITScalar {}
extension Float: JITScalar {}
extension Int: JITScalar {}
extension Int64: JITScalar {}
extension Int32: JITScalar {}
extension Int16: JITScalar {}
extension Int8: JITScalar {}
extension UInt8: JITScalar {}
extension UInt16: JITScalar {}
extension UInt32: JITScalar {}
extension UInt64: JITScalar {}
extension Bool: JITScalar {}
