// Typed entry points of elementwise expressions: `f.typed(NDArray.self, Double.self, into:
// NDArray.self)` fixes, when it is made, each argument's dtype, which arguments are scalars and
// which arrays, and the output's dtype (compiling that specialization). A call checks that every
// array argument is contiguous and has the output's shape (no broadcasting: `call` does that),
// writes the pointers into a frame on the caller's stack and runs the native loop once over all
// elements; a call large enough for several threads is split over the pool.
import CJITSupport
import JITRuntime
import JITSema

/// What every typed expression wrapper (`TypedExpression1` ... `TypedExpression6`) shares: the
/// compiled loop, the argument and output dtypes and the call frame's layout. Immutable, so any
/// number of threads may call at once.
///
/// The frame is Int64 words: the operand pointers (the arguments in `parameterNames` order, then
/// the output), then 16 bytes per argument where a scalar argument's value is stored.
public final class TypedExpressionCore: @unchecked Sendable {
    /// The compiled loop's entry now (quick tier, then final once swapped in).
    @usableFromInline var entry: KernelEntry { specialization.kernel.entry }
    /// The arguments' dtypes, in `parameterNames` order.
    public let dtypes: [DType]
    /// The output's dtype.
    public let outDType: DType
    @usableFromInline let argumentCount: Int
    /// Element stride of each operand along the loop: 0 for scalars, 1 for arrays and the output.
    let innerStrides: UnsafeMutablePointer<Int64>
    /// Bytes per element of each operand, the output last.
    let itemSizes: [Int]
    /// Keeps the compiled code and its typed IR.
    let specialization: Specialization
    /// The stage, for run-time errors as diagnostics with a caret.
    let stage: ExpressionStage
    /// Lifted constants the loop reads after the arguments (`specialization.constants`).
    let constantCount: Int
    let source: String
    let parameterNames: [String]

    init(_ f: CompiledExpression, _ swiftTypes: [any KernelArgument.Type], _ output: any ExpressionOutput.Type,
         _ dtypes: [DType]?, _ outDType: DType?, _ casting: Casting) throws {
        source = f.source
        parameterNames = f.parameterNames
        guard f.reductionStages.isEmpty else {
            throw JITError.argument("typed entry points take elementwise expressions; '\(f.source)' has a reduction (use call)")
        }
        let n = parameterNames.count
        let list = "\(parameterNames.joined(separator: ", ")), in that order"
        guard swiftTypes.count == n else {
            throw JITError.argument("'\(f.source)' takes \(n) argument\(n == 1 ? "" : "s") (\(list)), but the typed entry point was given \(swiftTypes.count) type\(swiftTypes.count == 1 ? "" : "s")")
        }
        if let dtypes, dtypes.count != n {
            throw JITError.argument("'\(f.source)' takes \(n) argument\(n == 1 ? "" : "s") (\(list)), but dtypes: lists \(dtypes.count)")
        }
        var types: [ArgumentType] = []
        for k in 0..<n {
            let fixed = swiftTypes[k].kernelArgumentType
            let d = dtypes?[k] ?? fixed?.dtype ?? .float64
            if let fixed, fixed.dtype != d {
                throw JITError.argument("argument '\(parameterNames[k])' of '\(f.source)' is given dtype \(d.rawValue), but \(swiftTypes[k]) is always \(fixed.dtype.rawValue)")
            }
            types.append(ArgumentType(dtype: d, rank: fixed?.rank == 0 ? 0 : 1))
        }
        let natural = try f.finalStage.resultType(for: types)
        if let fixed = output.outputDType, let outDType, fixed != outDType {
            throw JITError.argument("outDType is \(outDType.rawValue), but \(output) is always \(fixed.rawValue)")
        }
        let out = output.outputDType ?? outDType ?? natural
        guard casting.allows(natural, out) else {
            throw JITError.argument("cannot cast the result of '\(f.source)' from \(natural.rawValue) to \(out.rawValue) with casting='\(casting.rawValue)'")
        }
        specialization = try f.finalStage.specialization(for: types, output: ArgumentType(dtype: out, rank: 1))
        self.dtypes = types.map(\.dtype)
        self.outDType = out
        argumentCount = n
        stage = f.finalStage
        // Operands of the compiled loop: the arguments, the lifted constants (scalars, issue 18),
        // then out.
        let constants = specialization.constants
        constantCount = constants.count
        innerStrides = .allocate(capacity: n + constants.count + 1)
        for k in 0..<n { innerStrides[k] = types[k].rank == 0 ? 0 : 1 }
        for j in 0..<constants.count { innerStrides[n + j] = 0 }
        innerStrides[n + constants.count] = 1
        itemSizes = types.map(\.dtype.size) + constants.itemSizes + [out.size]
    }

    deinit { innerStrides.deallocate() }

    /// Checks argument `k` against the call's shape and writes its pointer into the frame.
    @inlinable @inline(__always)
    public func put<A: KernelArgument>(_ a: A, _ k: Int, _ frame: UnsafeMutablePointer<Int64>, _ shape: TypedShape) throws {
        let scratch = UnsafeMutableRawPointer(frame + argumentCount + 1 + 2 * k)
        guard let p = a.expressionOperand(dtype: dtypes[k], shape: shape, scratch: scratch) else {
            throw mismatch(k, a.kernelArgumentDescription, shape)
        }
        UnsafeMutableRawPointer(frame + k).storeBytes(of: p, as: UnsafeMutableRawPointer.self)
    }

    /// Checks `out`, lays out a frame on the stack, lets `write` fill the arguments and runs.
    @inlinable @inline(__always)
    public func call<O: ExpressionOutput>(_ out: O, _ write: (UnsafeMutablePointer<Int64>, TypedShape) throws -> Void) throws {
        guard let (pointer, shape) = out.outputStorage(dtype: outDType) else {
            throw outputMismatch(out.kernelArgumentDescription)
        }
        try withUnsafeTemporaryAllocation(of: Int64.self, capacity: 3 * argumentCount + 1) { buffer in
            let frame = buffer.baseAddress!
            try write(frame, shape)
            UnsafeMutableRawPointer(frame + argumentCount).storeBytes(of: pointer, as: UnsafeMutableRawPointer.self)
            try run(frame, count: shape.count)
        }
    }

    /// Runs the loop over `count` elements of the operands whose pointers are in `frame`.
    @usableFromInline
    func run(_ frame: UnsafeMutablePointer<Int64>, count: Int) throws {
        try Cancellation.check()
        let bases = UnsafeMutableRawPointer(frame).assumingMemoryBound(to: UnsafeMutableRawPointer.self)
        let n = argumentCount
        let out = bases[n], outEnd = out + count * itemSizes[n]
        // An array that overlaps out must be out itself (read at the place it is written).
        for k in 0..<n where innerStrides[k] != 0 {
            let p = bases[k]
            if p < outEnd && out < p + count * itemSizes[k] && !(p == out && itemSizes[k] == itemSizes[n]) {
                throw JITError.argument("typed call of '\(source)': out overlaps argument '\(parameterNames[k])' without being the same array (call copies such an input first)")
            }
        }
        guard count > 0 else { return }
        let c = constantCount
        var byItems = false
        let fault: Int32 = withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer.self, capacity: n + c + 1) { ops in
            let operands = ops.baseAddress!
            for k in 0..<n { operands[k] = bases[k] }
            if c > 0 {
                let values = specialization.constants.pointers
                for j in 0..<c { operands[n + j] = values[j] }
            }
            operands[n + c] = out
            return withExtendedLifetime(specialization) {
                if Parallel.threadsFor(elements: count) <= 1 && count < Launch.cancellableElements {
                    let raw = UnsafeRawPointer(operands).assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
                    entry(0, Int64(count), raw, innerStrides, out)
                    return sj_take_expression_error()
                }
                byItems = true
                let plan = IterationPlan(shape: [count], strides: (0...(n + c)).map { [Int(innerStrides[$0])] })
                return PreparedLaunch(plan: plan, itemSizes: itemSizes).run(entry, bases: UnsafePointer(operands))
            }
        }
        if byItems { try Cancellation.checkToken() }  // work items may have been skipped
        if fault != 0 { throw stage.runtimeError(ExpressionFault(code: fault)) }
    }

    /// The error for argument `k` not fitting a call of `shape`.
    @usableFromInline
    func mismatch(_ k: Int, _ given: String, _ shape: TypedShape) -> JITError {
        let d = dtypes[k]
        let want = innerStrides[k] == 0 ? "a \(TypedKernelCore.swiftName(d)) (\(d.rawValue))"
            : "a contiguous \(d.rawValue) array of out's shape \(shape.description)"
        return JITError.argument("typed call of '\(source)': argument '\(parameterNames[k])' must be \(want), got \(given)")
    }

    /// The error for an output that is not a contiguous array of `outDType`.
    @usableFromInline
    func outputMismatch(_ given: String) -> JITError {
        JITError.argument("typed call of '\(source)': out must be a contiguous \(outDType.rawValue) array, got \(given)")
    }
}

extension CompiledExpression {

    /// The typed entry point for one argument (in `parameterNames` order) of the given Swift types, writing into `O`.
    public func typed<A: KernelArgument, O: ExpressionOutput>(
        _ a: A.Type, into: O.Type, dtypes: [DType]? = nil, outDType: DType? = nil, casting: Casting = .safe) throws -> TypedExpression1<A, O> {
        TypedExpression1(core: try TypedExpressionCore(self, [A.self], O.self, dtypes,
                                                         outDType, casting))
    }

    /// The typed entry point for two arguments (in `parameterNames` order) of the given Swift types, writing into `O`.
    public func typed<A: KernelArgument, B: KernelArgument, O: ExpressionOutput>(
        _ a: A.Type, _ b: B.Type, into: O.Type, dtypes: [DType]? = nil, outDType: DType? = nil,
        casting: Casting = .safe) throws -> TypedExpression2<A, B, O> {
        TypedExpression2(core: try TypedExpressionCore(self, [A.self, B.self], O.self, dtypes,
                                                         outDType, casting))
    }

    /// The typed entry point for three arguments (in `parameterNames` order) of the given Swift types, writing into `O`.
    public func typed<A: KernelArgument, B: KernelArgument, C: KernelArgument, O: ExpressionOutput>(
        _ a: A.Type, _ b: B.Type, _ c: C.Type, into: O.Type, dtypes: [DType]? = nil, outDType: DType? = nil,
        casting: Casting = .safe) throws -> TypedExpression3<A, B, C, O> {
        TypedExpression3(core: try TypedExpressionCore(self, [A.self, B.self, C.self], O.self, dtypes,
                                                         outDType, casting))
    }

    /// The typed entry point for four arguments (in `parameterNames` order) of the given Swift types, writing into `O`.
    public func typed<A: KernelArgument, B: KernelArgument, C: KernelArgument, D: KernelArgument,
                      O: ExpressionOutput>(
        _ a: A.Type, _ b: B.Type, _ c: C.Type, _ d: D.Type, into: O.Type, dtypes: [DType]? = nil,
        outDType: DType? = nil, casting: Casting = .safe) throws -> TypedExpression4<A, B, C, D, O> {
        TypedExpression4(core: try TypedExpressionCore(self, [A.self, B.self, C.self, D.self], O.self, dtypes,
                                                         outDType, casting))
    }

    /// The typed entry point for five arguments (in `parameterNames` order) of the given Swift types, writing into `O`.
    public func typed<A: KernelArgument, B: KernelArgument, C: KernelArgument, D: KernelArgument, E: KernelArgument,
                      O: ExpressionOutput>(
        _ a: A.Type, _ b: B.Type, _ c: C.Type, _ d: D.Type, _ e: E.Type, into: O.Type, dtypes: [DType]? = nil,
        outDType: DType? = nil, casting: Casting = .safe) throws -> TypedExpression5<A, B, C, D, E, O> {
        TypedExpression5(core: try TypedExpressionCore(self, [A.self, B.self, C.self, D.self, E.self], O.self, dtypes,
                                                         outDType, casting))
    }

    /// The typed entry point for six arguments (in `parameterNames` order) of the given Swift types, writing into `O`.
    public func typed<A: KernelArgument, B: KernelArgument, C: KernelArgument, D: KernelArgument, E: KernelArgument,
                      F: KernelArgument, O: ExpressionOutput>(
        _ a: A.Type, _ b: B.Type, _ c: C.Type, _ d: D.Type, _ e: E.Type, _ f: F.Type, into: O.Type,
        dtypes: [DType]? = nil, outDType: DType? = nil, casting: Casting = .safe) throws -> TypedExpression6<A, B, C, D, E, F, O> {
        TypedExpression6(core: try TypedExpressionCore(self, [A.self, B.self, C.self, D.self, E.self, F.self], O.self, dtypes,
                                                         outDType, casting))
    }
}
