// Arguments of compiled expressions: NDArray, Swift arrays (read in place, not copied) and
// scalars. Each conforming type lends a raw view of itself for the duration of a call.
import JITRuntime
import JITSema

/// A borrowed, raw view of one argument for the duration of a call.
public struct ArgumentView {
    public var dtype: DType
    public var shape: [Int]
    public var pointer: UnsafeMutableRawPointer
    /// Bytes the argument spans, for overlap checks.
    public var byteCount: Int
    /// The array, when the argument is one (for strided inputs, which are made contiguous).
    public var array: NDArray?
}

/// A value that can be passed to a compiled expression.
public protocol JITArgument {
    /// Calls `body` with a view of the value that stays valid during the call.
    func withArgumentView<R>(_ body: (ArgumentView) throws -> R) throws -> R
}

nonisolated(unsafe) private let emptyBuffer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)

extension NDArray: JITArgument {
    public func withArgumentView<R>(_ body: (ArgumentView) throws -> R) throws -> R {
        // Strided views are read through a contiguous copy until strided loops land (issue 3).
        let a = contiguous()
        return try withExtendedLifetime(a) {
            try body(ArgumentView(dtype: a.dtype, shape: a.shape, pointer: a.baseAddress,
                                  byteCount: a.count * a.dtype.size, array: a))
        }
    }
}

extension Array: JITArgument where Element: NDArrayElement {
    public func withArgumentView<R>(_ body: (ArgumentView) throws -> R) throws -> R {
        try withUnsafeBufferPointer { buf in
            let p = buf.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) } ?? emptyBuffer
            return try body(ArgumentView(dtype: Element.dtype, shape: [buf.count], pointer: p,
                                         byteCount: buf.count * MemoryLayout<Element>.stride, array: nil))
        }
    }
}

/// Scalars are passed by value, as 0-d arguments.
public protocol JITScalar: JITArgument, NDArrayElement {}

extension JITScalar {
    public func withArgumentView<R>(_ body: (ArgumentView) throws -> R) throws -> R {
        var copy = self
        return try withUnsafeMutableBytes(of: &copy) { raw in
            try body(ArgumentView(dtype: Self.dtype, shape: [], pointer: raw.baseAddress!,
                                  byteCount: raw.count, array: nil))
        }
    }
}

extension Double: JITScalar {}
extension Float: JITScalar {}
extension Int: JITScalar {}
extension Int64: JITScalar {}
extension Int32: JITScalar {}
extension Bool: JITScalar {}
