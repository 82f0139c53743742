// What typed entry points (`Kernel.typed`, `CompiledExpression.typed`) take and write into:
// scalars passed by value, NDArrays and buffer pointers passed by their data pointer, shape and
// strides. Each conformance writes itself straight into the caller's stack frame and checks its
// type and shape as it does so, without allocating.
import JITRuntime
import JITSema

/// A value a typed entry point takes (`Double`, `Float`, `Int`, `Int32`, `Bool`, ..., `NDArray`,
/// `UnsafeBufferPointer<T>` and `UnsafeMutableBufferPointer<T>` of those element types).
public protocol KernelArgument {
    /// The parameter type every value of this Swift type has: `f64` for `Double`, `f32[]` for
    /// `UnsafeBufferPointer<Float>`; nil when each value carries its own (`NDArray`).
    static var kernelArgumentType: ArgumentType? { get }

    /// Writes the value as a kernel reads a parameter of `type` into `slot`, which has room for
    /// `max(2, 1 + 2 * type.rank)` words: a scalar's bytes, or an array's descriptor {data
    /// pointer, shape, strides in elements}. Returns false when the value is not of that type.
    func writeKernelArgument(to slot: UnsafeMutablePointer<Int64>, as type: ArgumentType) -> Bool

    /// Element 0 of the value as an elementwise expression reads an argument of `dtype` for an
    /// output of `shape`: a scalar is stored in `scratch` (16 bytes); an array must be
    /// contiguous and of exactly that shape. nil when the value does not fit.
    func expressionOperand(dtype: DType, shape: TypedShape, scratch: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer?

    /// The value in words, for error messages: "a float32 array of shape (3, 4)".
    var kernelArgumentDescription: String { get }

    /// Calls `body` with the value when it is an NDArray (kernel results that are views of it
    /// share its storage, results shaped like it its shape and strides), else does nothing. The
    /// array is lent, not copied (no reference counting on the typed call path).
    func withKernelArgumentArray(_ body: (NDArray) -> Void)
}

/// Where a typed expression writes its result: a contiguous `NDArray` or an
/// `UnsafeMutableBufferPointer<T>`.
public protocol ExpressionOutput {
    /// The element type every value of this Swift type has; nil for `NDArray`.
    static var outputDType: DType? { get }
    /// The data pointer and shape when the value is a contiguous array of `dtype`, else nil.
    func outputStorage(dtype: DType) -> (pointer: UnsafeMutableRawPointer, shape: TypedShape)?
    /// The value in words, for error messages.
    var kernelArgumentDescription: String { get }
}

/// The shape of a typed expression call: its output's element count and, for an NDArray
/// output, its shape (nil: one dimension of `count`).
public struct TypedShape {
    public var count: Int
    public var shape: [Int]?

    public init(count: Int, shape: [Int]?) {
        self.count = count
        self.shape = shape
    }

    /// Whether an array of shape `s` has this shape.
    @inlinable
    public func matches(_ s: [Int]) -> Bool {
        if let shape { return s == shape }
        return s.count == 1 && s[0] == count
    }

    /// Whether a buffer of `n` elements (one dimension) has this shape.
    @inlinable
    public func matches(count n: Int) -> Bool {
        if let shape { return shape.count == 1 && shape[0] == n }
        return n == count
    }

    /// `(3, 4)`.
    public var description: String { Broadcast.format(shape ?? [count]) }
}

extension KernelArgument {
    @inlinable
    public func withKernelArgumentArray(_ body: (NDArray) -> Void) {}
}

// MARK: scalars

extension KernelArgument where Self: NDArrayElement {
    @inlinable
    public static var kernelArgumentType: ArgumentType? { .scalar(Self.dtype) }

    @inlinable
    public func writeKernelArgument(to slot: UnsafeMutablePointer<Int64>, as type: ArgumentType) -> Bool {
        UnsafeMutableRawPointer(slot).storeBytes(of: self, as: Self.self)
        return type.rank == 0 && type.dtype == Self.dtype
    }

    @inlinable
    public func expressionOperand(dtype: DType, shape: TypedShape, scratch: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        scratch.storeBytes(of: self, as: Self.self)
        return dtype == Self.dtype ? scratch : nil
    }

    public var kernelArgumentDescription: String { "a \(Self.self) (\(Self.dtype.rawValue))" }
}

extension Double: KernelArgument {}
extension Float: KernelArgument {}
extension Int: KernelArgument {}
extension Int64: KernelArgument {}
extension Int32: KernelArgument {}
extension Int16: KernelArgument {}
extension Int8: KernelArgument {}
extension UInt64: KernelArgument {}
extension UInt32: KernelArgument {}
extension UInt16: KernelArgument {}
extension UInt8: KernelArgument {}
extension Bool: KernelArgument {}

// MARK: arrays

extension NDArray: KernelArgument, ExpressionOutput {
    public static var kernelArgumentType: ArgumentType? { nil }
    public static var outputDType: DType? { nil }

    @inlinable
    public func writeKernelArgument(to slot: UnsafeMutablePointer<Int64>, as type: ArgumentType) -> Bool {
        let rank = shape.count
        guard dtype == type.dtype, rank == type.rank else { return false }
        if rank == 0 {
            // A 0-d array passed for a scalar parameter: its value.
            UnsafeMutableRawPointer(slot).copyMemory(from: baseAddress, byteCount: dtype.size)
            return true
        }
        slot[0] = Int64(Int(bitPattern: baseAddress))
        for d in 0..<rank {
            slot[1 + d] = Int64(shape[d])
            slot[1 + rank + d] = Int64(strides[d])
        }
        return true
    }

    @inlinable
    public func expressionOperand(dtype: DType, shape: TypedShape, scratch: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        guard self.dtype == dtype, shape.matches(self.shape), isContiguous else { return nil }
        return baseAddress
    }

    @inlinable
    public func outputStorage(dtype: DType) -> (pointer: UnsafeMutableRawPointer, shape: TypedShape)? {
        guard self.dtype == dtype, isContiguous else { return nil }
        return (baseAddress, TypedShape(count: count, shape: shape))
    }

    public var kernelArgumentDescription: String {
        "a \(dtype.rawValue) array of shape \(Broadcast.format(shape))\(isContiguous ? "" : " (not contiguous)")"
    }

    @inlinable
    public func withKernelArgumentArray(_ body: (NDArray) -> Void) { body(self) }
}

/// A buffer of `count` elements of `dtype` at `base`, as a kernel or expression argument.
@inlinable
func writeBuffer(_ base: UnsafeRawPointer?, _ count: Int, to slot: UnsafeMutablePointer<Int64>) {
    slot[0] = Int64(Int(bitPattern: base))
    slot[1] = Int64(count)
    slot[2] = 1
}

extension UnsafeBufferPointer: KernelArgument where Element: NDArrayElement {
    @inlinable
    public static var kernelArgumentType: ArgumentType? { .array(Element.dtype) }

    @inlinable
    public func writeKernelArgument(to slot: UnsafeMutablePointer<Int64>, as type: ArgumentType) -> Bool {
        writeBuffer(baseAddress, count, to: slot)
        return type.rank == 1 && type.dtype == Element.dtype
    }

    @inlinable
    public func expressionOperand(dtype: DType, shape: TypedShape, scratch: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        guard dtype == Element.dtype, shape.matches(count: count) else { return nil }
        return UnsafeMutableRawPointer(mutating: baseAddress) ?? scratch
    }

    public var kernelArgumentDescription: String { "an UnsafeBufferPointer<\(Element.self)> of \(count) elements" }
}

extension UnsafeMutableBufferPointer: KernelArgument, ExpressionOutput where Element: NDArrayElement {
    @inlinable
    public static var kernelArgumentType: ArgumentType? { UnsafeBufferPointer<Element>.kernelArgumentType }
    @inlinable
    public static var outputDType: DType? { Element.dtype }

    @inlinable
    public func writeKernelArgument(to slot: UnsafeMutablePointer<Int64>, as type: ArgumentType) -> Bool {
        UnsafeBufferPointer(self).writeKernelArgument(to: slot, as: type)
    }

    @inlinable
    public func expressionOperand(dtype: DType, shape: TypedShape, scratch: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        UnsafeBufferPointer(self).expressionOperand(dtype: dtype, shape: shape, scratch: scratch)
    }

    @inlinable
    public func outputStorage(dtype: DType) -> (pointer: UnsafeMutableRawPointer, shape: TypedShape)? {
        guard dtype == Element.dtype else { return nil }
        let pointer = baseAddress.map { UnsafeMutableRawPointer($0) } ?? emptyOutput
        return (pointer, TypedShape(count: count, shape: nil))
    }

    public var kernelArgumentDescription: String { "an UnsafeMutableBufferPointer<\(Element.self)> of \(count) elements" }
}

/// Where an empty buffer's elements are (none are read or written).
@usableFromInline
nonisolated(unsafe) let emptyOutput = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
