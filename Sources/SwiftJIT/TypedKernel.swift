// Typed entry points of kernels: `kernel.typed(NDArray.self, Double.self, returning: Double.self)`
// fixes the parameter types when it is made (compiling that specialization), so a call only
// checks each argument's dtype and rank, writes it into a frame on the caller's stack and calls
// the native function: no dictionary, no boxing, no lock and no allocation (beyond what the
// kernel allocates itself). Scalar results come back by value; an array result takes over the
// memory the kernel allocated for it.
import Foundation
import JITLowering
import JITRuntime
import JITSema

/// What every typed kernel wrapper (`TypedKernel0` ... `TypedKernel6`) shares: the compiled
/// kernel, the parameter types it was made for and the layout of the call frame. Immutable, so
/// any number of threads may call at once.
///
/// The frame is `frameWords` Int64 words: the argument pointers (one word per parameter), then
/// each parameter's slot (a scalar's bytes, or an array descriptor {data, shape, strides}), then
/// the result slot.
public final class TypedKernelCore: @unchecked Sendable {
    /// The native code.
    @usableFromInline let function: CompiledKernelFunction
    /// The parameter types, in order.
    public let types: [ArgumentType]
    /// Word offset of each parameter's slot in the frame.
    @usableFromInline let slots: [Int]
    /// Word offset of the result slot.
    @usableFromInline let resultOffset: Int
    @usableFromInline let frameWords: Int
    /// Whether the kernel returns an array (else a scalar or nothing).
    @usableFromInline let returnsArray: Bool
    /// The source's name, for run-time errors.
    @usableFromInline let source: String
    let kernelName: String
    let parameterNames: [String]

    init(_ kernel: Kernel, _ swiftTypes: [any KernelArgument.Type], _ result: Any.Type, _ explicit: [ArgumentType]?) throws {
        let parameters = kernel.decl.parameters
        kernelName = kernel.name
        parameterNames = parameters.map(\.name)
        let list = parameterNames.joined(separator: ", ")
        guard swiftTypes.count == parameters.count else {
            throw JITError.argument("kernel '\(kernel.name)' takes \(parameters.count) argument\(parameters.count == 1 ? "" : "s") (\(list)), but the typed entry point was given \(swiftTypes.count) type\(swiftTypes.count == 1 ? "" : "s")")
        }
        if let explicit, explicit.count != parameters.count {
            throw JITError.argument("kernel '\(kernel.name)' takes \(parameters.count) argument\(parameters.count == 1 ? "" : "s") (\(list)), but types: lists \(explicit.count)")
        }
        var types: [ArgumentType] = []
        for (k, p) in parameters.enumerated() {
            let fixed = swiftTypes[k].kernelArgumentType
            var declared: ArgumentType?
            if case .scalar(let name, let rank)? = p.type, let d = DType(name: name) {
                declared = ArgumentType(dtype: d, rank: rank)
            }
            guard let want = explicit?[k] ?? fixed ?? declared else {
                throw JITError.argument("parameter '\(p.name)' of kernel '\(kernel.name)' has no declared type and \(swiftTypes[k]) does not fix one: declare it (\(p.name): f64[]) or pass types:")
            }
            if let fixed, fixed.dtype != want.dtype || fixed.rank != want.rank {
                throw JITError.argument("parameter '\(p.name)' of kernel '\(kernel.name)' is given as \(want), but \(swiftTypes[k]) is always \(fixed)")
            }
            guard want.rank <= KernelGen.maxRank else {
                throw JITError.argument("kernels take arrays of at most \(KernelGen.maxRank) dimensions")
            }
            types.append(ArgumentType(dtype: want.dtype, rank: want.rank))
        }
        // Compiles (or finds) the specialization; a declared type that differs is a diagnostic here.
        function = try kernel.specialization(for: types)
        self.types = types
        let returns = function.kernel.returnTypes
        returnsArray = returns.first?.isArray ?? false
        try Self.checkResult(result, returns, kernel.name)
        var offset = types.count
        var slots: [Int] = []
        for t in types {
            slots.append(offset)
            offset += max(2, 1 + 2 * t.rank)
        }
        self.slots = slots
        resultOffset = offset
        frameWords = offset + (returnsArray ? KernelGen.resultSlotWords : 2)
        source = kernel.module.ast.source.name
    }

    /// Throws unless `result` is what the kernel returns: the scalar's Swift type (`Double` for
    /// f64, `Int` or `Int64` for i64, ...), `NDArray` for an array, `Void` for nothing.
    private static func checkResult(_ result: Any.Type, _ returns: [KernelType], _ name: String) throws {
        let matches: Bool
        switch returns.count {
        case 0: matches = result == Void.self
        case 1:
            switch returns[0] {
            case .scalar(let d): matches = (result as? any NDArrayElement.Type)?.dtype == d
            case .array: matches = result == NDArray.self
            }
        default:
            throw JITError.argument("kernel '\(name)' returns \(returns.count) values (\(returns.map(\.description).joined(separator: ", "))); typed entry points return one (use callAll)")
        }
        guard matches else {
            let want: String
            switch returns.first {
            case nil: want = "Void (it returns nothing)"
            case .array(let d, let rank)?: want = "NDArray (it returns \(KernelType.array(d, rank: rank)))"
            case .scalar(let d)?: want = "\(swiftName(d)) (it returns \(d.shortName))"
            }
            throw JITError.argument("kernel '\(name)' cannot return \(result): make its typed entry point with returning: \(want)")
        }
    }

    /// The Swift type of a scalar dtype.
    static func swiftName(_ d: DType) -> String {
        switch d {
        case .bool: return "Bool"
        case .int8: return "Int8"
        case .int16: return "Int16"
        case .int32: return "Int32"
        case .int64: return "Int"
        case .uint8: return "UInt8"
        case .uint16: return "UInt16"
        case .uint32: return "UInt32"
        case .uint64: return "UInt64"
        case .float32: return "Float"
        case .float64: return "Double"
        case .complex64: return "Complex<Float>"
        case .complex128: return "Complex<Double>"
        }
    }

    /// Writes argument `k` into the frame: its pointer word and its slot.
    @inlinable @inline(__always)
    public func put<A: KernelArgument>(_ a: A, _ k: Int, _ frame: UnsafeMutablePointer<Int64>) throws {
        let slot = frame + slots[k]
        UnsafeMutableRawPointer(frame + k).storeBytes(of: UnsafeMutableRawPointer(slot), as: UnsafeMutableRawPointer.self)
        guard a.writeKernelArgument(to: slot, as: types[k]) else { throw mismatch(k, a.kernelArgumentDescription) }
    }

    /// Lays out a frame on the stack, lets `write` fill the arguments and calls the kernel.
    /// `arrays(k, body)` lends argument k to `body` when it is an NDArray (only asked for when the
    /// kernel returns an array). Throws `CancellationError` first when the thread's token is
    /// cancelled or the call is made in a cancelled task.
    @inlinable @inline(__always)
    public func call<R>(_ write: (UnsafeMutablePointer<Int64>) throws -> Void,
                        arrays: (Int, (NDArray) -> Void) -> Void) throws -> R {
        try Cancellation.check()
        return try withUnsafeTemporaryAllocation(of: Int64.self, capacity: frameWords) { buffer in
            let frame = buffer.baseAddress!
            try write(frame)
            if returnsArray {
                return try callReturningArray(frame, arrays) as! R
            }
            try function.call(frame: frame, results: resultOffset, source: source)
            return UnsafeRawPointer(frame + resultOffset).load(as: R.self)
        }
    }

    /// The call of a kernel that returns an array: the result may be a view of an argument, found
    /// from the descriptors in the frame (`arrays` lends the NDArrays, whose storage it shares). A
    /// result shaped like an NDArray argument (`empty_like(a)`) shares that argument's shape and
    /// strides arrays instead of allocating its own. The arguments are compared through their
    /// descriptors in the frame and lent, not copied, so the call retains only what the result keeps.
    @usableFromInline
    func callReturningArray(_ frame: UnsafeMutablePointer<Int64>, _ arrays: (Int, (NDArray) -> Void) -> Void) throws -> NDArray {
        // Extents and strides (elements) of the result, in its slot at words 1... and 1 + maxRank...
        let like: (UnsafeMutablePointer<Int64>, Int) -> (shape: [Int]?, strides: [Int]?) = { result, rank in
            var shape: [Int]?, strides: [Int]?
            for k in 0..<self.types.count where self.types[k].rank == rank && rank > 0 && (shape == nil || strides == nil) {
                let slot = frame + self.slots[k]
                let sameShape = shape == nil && (0..<rank).allSatisfy { slot[1 + $0] == result[1 + $0] }
                let sameStrides = strides == nil && (0..<rank).allSatisfy { slot[1 + rank + $0] == result[1 + KernelGen.maxRank + $0] }
                guard sameShape || sameStrides else { continue }
                arrays(k) { a in
                    if sameShape { shape = a.shape }
                    if sameStrides { strides = a.strides }
                }
            }
            return (shape, strides)
        }
        return try function.callReturningArray(frame: frame, results: resultOffset, source: source, like: like) { data, d, shape, strides in
            for (k, t) in types.enumerated() where t.rank > 0 {
                let slot = frame + slots[k]
                guard let base = UnsafeMutableRawPointer(bitPattern: Int(slot[0])) else { continue }
                var lo = 0, hi = 0, empty = false
                for axis in 0..<t.rank {
                    let extent = Int(slot[1 + axis]), stride = Int(slot[1 + t.rank + axis])
                    if extent == 0 { empty = true }
                    if stride < 0 { lo += (extent - 1) * stride } else { hi += (extent - 1) * stride }
                }
                guard !empty, data >= base + lo * t.dtype.size, data < base + (hi + 1) * t.dtype.size else { continue }
                var view: NDArray?
                arrays(k) { owner in
                    view = NDArray(dtype: d, shape: shape, strides: strides, storage: owner.storage,
                                   offset: owner.offset + (data - owner.baseAddress) / d.size)
                }
                if let view { return view }
                // A buffer pointer's memory is the caller's: the result is a copy.
                return NDArray(dtype: d, shape: shape, strides: strides,
                               storage: ArrayStorage(borrowing: data, byteCount: 0)).copy()
            }
            return nil
        }
    }

    /// The error for argument `k` not matching its parameter type.
    @usableFromInline
    func mismatch(_ k: Int, _ given: String) -> JITError {
        let t = types[k]
        let want = t.rank == 0 ? "a \(Self.swiftName(t.dtype)) (\(t.dtype.rawValue))"
            : "a \(t.dtype.rawValue) array of rank \(t.rank) (\(t))"
        return JITError.argument("typed call of kernel '\(kernelName)': argument '\(parameterNames[k])' must be \(want), got \(given)")
    }
}

extension Kernel {

    /// The typed entry point for no parameters of the given Swift types, returning `R`.
    public func typed<R>(
        returning: R.Type, types: [ArgumentType]? = nil) throws -> TypedKernel0<R> {
        TypedKernel0(core: try TypedKernelCore(self, [], R.self, types))
    }

    /// The typed entry point for one parameter of the given Swift types, returning `R`.
    public func typed<A: KernelArgument, R>(
        _ a: A.Type, returning: R.Type, types: [ArgumentType]? = nil) throws -> TypedKernel1<A, R> {
        TypedKernel1(core: try TypedKernelCore(self, [A.self], R.self, types))
    }

    /// The typed entry point for two parameters of the given Swift types, returning `R`.
    public func typed<A: KernelArgument, B: KernelArgument, R>(
        _ a: A.Type, _ b: B.Type, returning: R.Type, types: [ArgumentType]? = nil) throws -> TypedKernel2<A, B, R> {
        TypedKernel2(core: try TypedKernelCore(self, [A.self, B.self], R.self, types))
    }

    /// The typed entry point for three parameters of the given Swift types, returning `R`.
    public func typed<A: KernelArgument, B: KernelArgument, C: KernelArgument, R>(
        _ a: A.Type, _ b: B.Type, _ c: C.Type, returning: R.Type, types: [ArgumentType]? = nil) throws -> TypedKernel3<A, B, C, R> {
        TypedKernel3(core: try TypedKernelCore(self, [A.self, B.self, C.self], R.self, types))
    }

    /// The typed entry point for four parameters of the given Swift types, returning `R`.
    public func typed<A: KernelArgument, B: KernelArgument, C: KernelArgument, D: KernelArgument, R>(
        _ a: A.Type, _ b: B.Type, _ c: C.Type, _ d: D.Type, returning: R.Type, types: [ArgumentType]? = nil) throws -> TypedKernel4<A, B, C, D, R> {
        TypedKernel4(core: try TypedKernelCore(self, [A.self, B.self, C.self, D.self], R.self, types))
    }

    /// The typed entry point for five parameters of the given Swift types, returning `R`.
    public func typed<A: KernelArgument, B: KernelArgument, C: KernelArgument, D: KernelArgument, E: KernelArgument,
                      R>(
        _ a: A.Type, _ b: B.Type, _ c: C.Type, _ d: D.Type, _ e: E.Type, returning: R.Type,
        types: [ArgumentType]? = nil) throws -> TypedKernel5<A, B, C, D, E, R> {
        TypedKernel5(core: try TypedKernelCore(self, [A.self, B.self, C.self, D.self, E.self], R.self, types))
    }

    /// The typed entry point for six parameters of the given Swift types, returning `R`.
    public func typed<A: KernelArgument, B: KernelArgument, C: KernelArgument, D: KernelArgument, E: KernelArgument,
                      F: KernelArgument, R>(
        _ a: A.Type, _ b: B.Type, _ c: C.Type, _ d: D.Type, _ e: E.Type, _ f: F.Type, returning: R.Type,
        types: [ArgumentType]? = nil) throws -> TypedKernel6<A, B, C, D, E, F, R> {
        TypedKernel6(core: try TypedKernelCore(self, [A.self, B.self, C.self, D.self, E.self, F.self], R.self, types))
    }
}
