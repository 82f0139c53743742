// One elementwise expression with its specializations: the final expression of a
// `CompiledExpression`, or the argument of one of its lifted reductions. Calling it broadcasts
// the arguments, plans the iteration, finds or builds the specialization for how each argument
// is read in the innermost loop (typed IR -> passes -> native code) and runs it.
import Foundation
import JITLowering
import JITRuntime
import JITSema
import JITSyntax

/// One compiled version of an expression for one argument signature.
public struct Specialization: Sendable {
    /// Argument types in parameter order.
    public let signature: Signature
    /// Typed IR after the IR passes.
    public let function: IRFunction
    /// The native code (compiled from `function` with its float constants lifted into
    /// parameters, so it may be shared with expressions that differ only in those constants).
    public let kernel: CompiledKernel
    /// The values of the lifted constants, passed after the arguments.
    let constants: ConstantArguments
    /// dtype of the result.
    public var resultType: DType { function.resultType }
}

final class ExpressionStage: @unchecked Sendable {
    let expr: Expr
    let sourceText: SourceText
    let options: JIT.Options
    /// The names the stage reads, sorted.
    let parameterNames: [String]
    /// Set for the argument of a lifted reduction.
    let reduction: ReductionStep?
    private let lock = PlainLock()
    private var specializations: [Key: Specialization] = [:]
    /// Streaming variants (`LoweringOptions.streamingOutput`) by their plain kernel (kept alive by
    /// `specializations`, which never drops one, so the identifier is not reused); nil records a
    /// variant that could not be compiled, so that it is not tried again for every new plan.
    private var streamingKernels: [ObjectIdentifier: CompiledKernel?] = [:]
    /// Result dtypes by argument types, so calls with `out=` type-check once.
    private var resultTypes: [[ArgumentType]: DType] = [:]

    private struct Key: Hashable {
        var arguments: [ArgumentType]
        var output: ArgumentType?
    }

    init(expr: Expr, sourceText: SourceText, options: JIT.Options, reduction: ReductionStep? = nil) {
        self.expr = expr
        self.sourceText = sourceText
        self.options = options
        self.reduction = reduction
        parameterNames = TypeSpecializer.freeNames(expr)
    }

    /// The specialization for argument types in parameter order (and an `out=` type).
    func specialization(for types: [ArgumentType], output: ArgumentType? = nil) throws -> Specialization {
        let key = Key(arguments: types, output: output)
        lock.lock()
        if let s = specializations[key] { lock.unlock(); return s }
        lock.unlock()
        let signature = Signature(Array(zip(parameterNames, types)))
        let typed = try typedIR(signature, output: output)
        let (kernel, lifted) = try CompileDriver.native(typed, options: options.compileOptions, trace: nil)
        let s = Specialization(signature: signature, function: typed, kernel: kernel,
                               constants: ConstantArguments(lifted.values))
        lock.lock()
        specializations[key] = s
        lock.unlock()
        return s
    }

    /// The streaming variant of `spec`'s code, compiled on first use: the code launches whose
    /// output is at least `StreamingStores.threshold` bytes run (Launch.swift). Nil when it cannot
    /// be compiled (the launch then streams through tiles with the plain code).
    func streamingKernel(for spec: Specialization) -> CompiledKernel? {
        let id = ObjectIdentifier(spec.kernel)
        lock.lock()
        if let k = streamingKernels[id] { lock.unlock(); return k }
        lock.unlock()
        var compileOptions = options.compileOptions
        compileOptions.lowering.streamingOutput = true
        var kernel: CompiledKernel?
        if let (k, lifted) = try? CompileDriver.native(spec.function, options: compileOptions, trace: nil),
           lifted.values.count == spec.constants.count {
            kernel = k
        }
        lock.lock()
        streamingKernels[id] = .some(kernel)  // a nil variant is recorded too
        lock.unlock()
        return kernel
    }

    /// The result dtype for argument types, from type specialization alone (no LLVM work).
    func resultType(for types: [ArgumentType]) throws -> DType {
        lock.lock()
        if let t = resultTypes[types] { lock.unlock(); return t }
        lock.unlock()
        let t = try typedIR(Signature(Array(zip(parameterNames, types))), optimize: false).resultType
        lock.lock()
        resultTypes[types] = t
        lock.unlock()
        return t
    }

    /// Typed IR (after the passes unless `optimize` is false) for a signature.
    func typedIR(_ signature: Signature, output: ArgumentType? = nil, optimize: Bool = true,
                 trace: StageTrace? = nil) throws -> IRFunction {
        try CompileDriver.specialize(expr, source: sourceText, signature: signature, output: output,
                                     reduction: reduction?.op, options: options.compileOptions, optimize: optimize,
                                     trace: trace)
    }

    /// The broadcast shape of `views` (in parameter order).
    func broadcastShape(_ views: [ArgumentView]) throws -> [Int] {
        let named = zip(parameterNames, views).map { (name: $0, shape: $1.shape) }
        switch Broadcast.shape(named) {
        case .success(let s): return s
        case .failure: throw broadcastError(named)
        }
    }

    /// Runs the stage as a reduction over broadcast `views`.
    func runReduction(_ views: [ArgumentView]) throws -> NDArray {
        guard let step = reduction else { preconditionFailure("not a reduction stage") }
        let named = zip(parameterNames, views).map { (name: $0, shape: $1.shape) }
        let shape: [Int]
        switch Broadcast.shape(named) {
        case .success(let s): shape = s
        case .failure: throw broadcastError(named)
        }
        let strides = views.map { Broadcast.strides($0.shape, $0.strides, in: shape) }
        var plan: Reduce.Plan
        do { plan = try Reduce.plan(shape: shape, strides: strides, axis: step.axis) } catch let e as JITError {
            throw located(e, at: step.range, "axis")
        }
        let types = ExpressionStage.parameterTypes(views, plan.rowPlan)
        let spec = try specialization(for: types)
        let k = spec.constants
        if k.count > 0 {
            // The lifted constants are scalar operands after the arguments (stride 0 everywhere).
            plan = try Reduce.plan(shape: shape, strides: strides + k.zeroStrides(rank: shape.count), axis: step.axis)
        }
        do {
            return try withExtendedLifetime(k) {
                try Reduce.run(spec.kernel, op: step.op, dtype: spec.resultType, plan: plan,
                               pointers: views.map(\.pointer) + k.pointers, itemSizes: views.map(\.dtype.size) + k.itemSizes)
            }
        } catch let fault as ExpressionFault {
            throw runtimeError(fault)
        }
    }

    /// The specialization key of each argument: how the compiled row loop reads it. Stride 0
    /// along the row (a scalar, or a broadcast dimension) reads it once; stride 1 is contiguous.
    /// A row of one element reads arrays as contiguous whatever their stride, so small and
    /// large calls share code.
    static func parameterTypes(_ views: [ArgumentView], _ plan: IterationPlan) -> [ArgumentType] {
        zip(views, plan.innerStrides).map { v, s in
            if plan.innerCount <= 1 { return ArgumentType(dtype: v.dtype, rank: v.shape.isEmpty ? 0 : 1) }
            return ArgumentType(dtype: v.dtype, rank: s == 0 ? 0 : 1, contiguous: s == 1)
        }
    }

    /// Runs the stage elementwise over broadcast `views` (in parameter order).
    /// What a call's iteration depends on besides its pointers: repeated calls with the same
    /// dtypes, shapes, strides and out layout reuse the last plan and specialization (the fast
    /// path that keeps per-call overhead low).
    private struct CallPattern: Equatable {
        var dtypes: [DType]
        var shapes: [[Int]]
        var strides: [[Int]]
        var out: [Int]?
        var outStrides: [Int]?
        var outType: DType?
        var casting: Casting

        /// Whether a call with these views and out has this pattern (without allocating).
        func matches(_ views: [ArgumentView], _ out: NDArray?, _ casting: Casting) -> Bool {
            guard views.count == dtypes.count, casting == self.casting, out?.dtype == outType else { return false }
            for k in 0..<views.count where views[k].dtype != dtypes[k] || views[k].shape != shapes[k] || views[k].strides != strides[k] {
                return false
            }
            guard let out else { return self.out == nil }
            guard let shape = self.out, let strides = outStrides else { return false }
            return out.hasShape(shape) && out.hasStrides(strides)
        }
    }

    /// What repeated calls with one pattern share: the broadcast result, the prepared launch
    /// and the specialization. A class, so taking it from the cache costs one retain.
    private final class CallPlan {
        let pattern: CallPattern
        let shape: [Int]
        let strides: [[Int]]
        let outStrides: [Int]
        let launch: PreparedLaunch
        let spec: Specialization

        init(pattern: CallPattern, shape: [Int], strides: [[Int]], outStrides: [Int], launch: PreparedLaunch,
             spec: Specialization) {
            self.pattern = pattern
            self.shape = shape
            self.strides = strides
            self.outStrides = outStrides
            self.launch = launch
            self.spec = spec
        }
    }

    private var lastCall: CallPlan?

    /// What `runRepeated` did.
    enum RepeatedCall {
        /// The call did not match the last one's plan (or failed): take the full path.
        case declined
        /// The result is in `out`.
        case wroteOut
        /// A new result.
        case made(NDArray)
    }

    /// The per-call fast path: runs a call whose arguments (NDArrays and scalars, in parameter
    /// order) have exactly the dtypes, shapes and strides of the previous call, reusing its plan,
    /// prepared launch and specialization without building argument views. Returns nil when the
    /// call does not match (or has an argument of another kind): the caller takes the full path.
    /// Generic over the arguments' collection so that an array (positional calls) and a buffer on
    /// the caller's stack (named calls) each get their own specialized copy: through one
    /// `UnsafeBufferPointer` parameter, positional calls copied each existential (+30
    /// instructions a call).
    ///
    /// A call into `out` answers `.wroteOut` rather than a copy of `out`: the caller returns its own
    /// `out` (a consuming parameter), so the array's storage is not retained for the result and
    /// released again after the native code ran.
    func runRepeated<Arguments: RandomAccessCollection>(_ arguments: Arguments, out: NDArray?, casting: Casting) -> RepeatedCall
    where Arguments.Element == any JITArgument, Arguments.Index == Int {
        lock.lock()
        let cached = lastCall
        lock.unlock()
        // Shapes and strides compared without taking references to them (`hasShape`): a new
        // one-dimensional array keeps only its count (`NDArray.Layout`).
        guard let c = cached, c.pattern.casting == casting, out?.dtype == c.pattern.outType else { return .declined }
        if let out {  // (out's dtype matched: the pattern has an out)
            guard let shape = c.pattern.out, let strides = c.pattern.outStrides, out.hasShape(shape), out.hasStrides(strides) else { return .declined }
        }
        let n = arguments.count
        guard n == c.pattern.dtypes.count else { return .declined }
        let k = c.spec.constants
        return withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer.self, capacity: n + k.count + 1) { bases -> RepeatedCall in
            withUnsafeTemporaryAllocation(of: SIMD2<UInt64>.self, capacity: n) { slots -> RepeatedCall in
                for k in 0..<n {
                    let slot = UnsafeMutableRawPointer(slots.baseAddress! + k)
                    switch arguments[arguments.startIndex + k].fastArgument(scalarSlot: slot) {
                    case .array(let a):
                        guard a.dtype == c.pattern.dtypes[k], a.hasShape(c.pattern.shapes[k]), a.hasStrides(c.pattern.strides[k]) else { return .declined }
                        bases[k] = a.baseAddress
                    case .scalar(let dtype):
                        guard c.pattern.shapes[k].isEmpty, dtype == c.pattern.dtypes[k] else { return .declined }
                        bases[k] = slot
                    case .other:
                        return .declined
                    }
                }
                if let out {
                    // Any overlap with an input takes the full path (which copies that input first).
                    // out's shape and strides are the pattern's (checked above).
                    let (olo, ohi) = ArgumentView.byteSpan(out.baseAddress, c.pattern.out!, c.pattern.outStrides!, out.dtype.size)
                    for k in 0..<n where !c.pattern.shapes[k].isEmpty {
                        let (lo, hi) = ArgumentView.byteSpan(bases[k], c.pattern.shapes[k], c.pattern.strides[k], c.pattern.dtypes[k].size)
                        if lo < ohi && olo < hi && !(bases[k] == out.baseAddress && c.strides[k] == c.outStrides
                                                      && c.pattern.dtypes[k].size == out.dtype.size) {
                            return .declined
                        }
                    }
                }
                let made = out == nil ? NDArray(uninitialized: c.spec.resultType, sharedShape: c.shape) : nil
                for j in 0..<k.count { bases[n + j] = k.pointers[j] }
                bases[n + k.count] = made?.baseAddress ?? out.unsafelyUnwrapped.baseAddress
                // The plan holds the code alive for the call (another thread may replace lastCall).
                // A run-time error: the full path runs the call again and throws it.
                let fault = withExtendedLifetime(c) { c.launch.run(c.spec.kernel.entry, bases: UnsafePointer(bases.baseAddress!)) }
                guard fault == 0 else { return .declined }
                return made.map(RepeatedCall.made) ?? .wroteOut
            }
        }
    }

    /// Whether `out` shares memory with an argument other than as the very same view.
    private func overlaps(_ out: NDArray, _ views: [ArgumentView], _ strides: [[Int]], _ outStrides: [Int]) -> [Int] {
        let outView = ArgumentView(dtype: out.dtype, shape: out.shape, strides: out.strides, pointer: out.baseAddress)
        let (olo, ohi) = outView.byteSpan
        var result: [Int] = []
        for (k, v) in views.enumerated() where !v.shape.isEmpty {
            let (lo, hi) = v.byteSpan
            guard lo < ohi && olo < hi else { continue }
            if v.pointer == out.baseAddress && v.dtype.size == out.dtype.size && strides[k] == outStrides { continue }
            result.append(k)
        }
        return result
    }

    func runElementwise(_ views: [ArgumentView], out: NDArray?, casting: Casting) throws -> NDArray {
        lock.lock()
        let cached = lastCall
        lock.unlock()
        if let c = cached, c.pattern.matches(views, out, casting),
           out.map({ overlaps($0, views, c.strides, c.outStrides).isEmpty }) ?? true {
            let result = out ?? NDArray(uninitialized: c.spec.resultType, sharedShape: c.shape)
            let constants = c.spec.constants
            let fault = withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer.self, capacity: views.count + constants.count + 1) { bases in
                for k in 0..<views.count { bases[k] = views[k].pointer }
                for j in 0..<constants.count { bases[views.count + j] = constants.pointers[j] }
                bases[views.count + constants.count] = result.baseAddress
                return withExtendedLifetime(c) { c.launch.run(c.spec.kernel.entry, bases: UnsafePointer(bases.baseAddress!)) }
            }
            if fault != 0 { throw runtimeError(ExpressionFault(code: fault)) }
            return result
        }
        // Broadcast every argument (and out, which must already have the broadcast shape).
        let named = zip(parameterNames, views).map { (name: $0, shape: $1.shape) }
        let shape: [Int]
        switch Broadcast.shape(named) {
        case .success(let s): shape = s
        case .failure: throw broadcastError(named)
        }
        if out == nil, Broadcast.elementCount(shape) == nil {
            throw JITError.argument("the result's shape \(Broadcast.format(shape)) has more than 2^40 elements")
        }
        var strides = views.map { Broadcast.strides($0.shape, $0.strides, in: shape) }
        // The inner (innermost, after merging) layout of each argument decides its parameter kind.
        let outStrides = out.map { Broadcast.strides($0.shape, $0.strides, in: shape) }
            ?? NDArray.rowMajorStrides(shape)
        var plan = IterationPlan(shape: shape, strides: strides + [outStrides])
        var types = ExpressionStage.parameterTypes(views, plan)
        var outType: ArgumentType?
        if let out {
            guard out.shape == shape else {
                throw JITError.argument("out has shape \(Broadcast.format(out.shape)), but the result has shape \(Broadcast.format(shape))")
            }
            let natural = try resultType(for: types)
            guard casting.allows(natural, out.dtype) else {
                throw JITError.argument("cannot cast the result from \(natural.rawValue) to out's \(out.dtype.rawValue) with casting='\(casting.rawValue)'")
            }
            outType = ArgumentType(dtype: out.dtype, rank: 1, contiguous: plan.innerStrides.last == 1 || plan.innerCount <= 1)
        }
        // An input that overlaps out without being read at exactly the place it is written is
        // copied first, so the result is as if every input had been read before any write.
        var pointers = views.map(\.pointer)
        var keep: [NDArray] = []
        if let out {
            let outView = ArgumentView(dtype: out.dtype, shape: out.shape, strides: out.strides, pointer: out.baseAddress)
            let (olo, ohi) = outView.byteSpan
            for (k, v) in views.enumerated() where !v.shape.isEmpty {
                let (lo, hi) = v.byteSpan
                guard lo < ohi && olo < hi else { continue }
                let same = v.pointer == out.baseAddress && v.dtype.size == out.dtype.size && strides[k] == outStrides
                if same { continue }
                let copy = NDArray(dtype: v.dtype, shape: v.shape, strides: v.strides,
                                   storage: ArrayStorage(borrowing: v.pointer, byteCount: 0)).copy()
                keep.append(copy)
                pointers[k] = copy.baseAddress
                strides[k] = Broadcast.strides(copy.shape, copy.strides, in: shape)
            }
            if !keep.isEmpty {
                plan = IterationPlan(shape: shape, strides: strides + [outStrides])
                types = ExpressionStage.parameterTypes(views, plan)
            }
        }
        let spec = try specialization(for: types, output: outType)
        let constants = spec.constants
        if constants.count > 0 {
            // The lifted constants are scalar operands between the arguments and the output.
            plan = IterationPlan(shape: shape, strides: strides + constants.zeroStrides(rank: shape.count) + [outStrides])
        }
        let pattern = CallPattern(dtypes: views.map(\.dtype), shapes: views.map(\.shape), strides: views.map(\.strides),
                                  out: out?.shape, outStrides: out?.strides, outType: out?.dtype, casting: casting)
        let launch = PreparedLaunch(plan: plan, itemSizes: views.map(\.dtype.size) + constants.itemSizes
                                    + [(out?.dtype ?? spec.resultType).size])
        if launch.streams && IRGen.hasStreamingVariant(spec.function) { launch.streamKernel = streamingKernel(for: spec) }
        if keep.isEmpty {
            let entry = CallPlan(pattern: pattern, shape: shape, strides: strides, outStrides: outStrides,
                                 launch: launch, spec: spec)
            lock.lock()
            lastCall = entry
            lock.unlock()
        }
        let result = out ?? NDArray(uninitialized: spec.resultType, sharedShape: shape)
        let fault = withExtendedLifetime((keep, spec.kernel, constants)) {
            withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer.self, capacity: views.count + constants.count + 1) { bases in
                for k in 0..<views.count { bases[k] = pointers[k] }
                for j in 0..<constants.count { bases[views.count + j] = constants.pointers[j] }
                bases[views.count + constants.count] = result.baseAddress
                return launch.run(spec.kernel.entry, bases: UnsafePointer(bases.baseAddress!))
            }
        }
        if fault != 0 { throw runtimeError(ExpressionFault(code: fault)) }
        return result
    }

    /// A run-time error of this stage's code as a diagnostic: for a negative integer power, with
    /// a caret under the first exponent that is not a literal (NumPy's ValueError).
    /// The broadcast error of the smallest part of the expression whose operands do not
    /// broadcast (`a + b` inside `sin(a + b) * c`), at that part with a caret.
    func broadcastError(_ named: [(name: String, shape: [Int])]) -> JITError {
        let shapes = Dictionary(named.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        func failing(_ e: Expr) -> JITError? {
            let children: [Expr]
            switch e.kind {
            case .binary(_, let a, let b): children = [a, b]
            case .unary(_, let a), .keyword(_, let a), .member(let a, _): children = [a]
            case .call(_, _, let args): children = args
            default: children = []
            }
            for child in children { if let found = failing(child) { return found } }
            let names = TypeSpecializer.freeNames(e).map { (name: $0, shape: shapes[$0] ?? []) }
            if case .failure(let error) = Broadcast.shape(names) { return located(error, at: e.range, "broadcast") }
            return nil
        }
        if let found = failing(expr) { return found }
        if case .failure(let error) = Broadcast.shape(named) { return located(error, at: expr.range, "broadcast") }
        return .argument("operands could not be broadcast together")
    }

    /// A shape error (broadcasting, an axis) as a diagnostic at `range` of the source, so it is
    /// shown with the line and a caret like errors found before the call.
    func located(_ error: JITError, at range: SourceRange, _ id: String) -> JITError {
        guard case .argument(let message) = error else { return error }
        return .diagnostics(DiagnosticError(source: sourceText, diagnostics: [Diagnostic(id, message, at: range)]))
    }

    func runtimeError(_ fault: ExpressionFault) -> JITError {
        var range = expr.range
        func find(_ e: Expr) -> Bool {
            switch e.kind {
            case .binary(.power, let a, let b):
                if find(a) || find(b) { return true }
                if case .integer = b.kind { return false }
                if case .unary(.negate, let inner) = b.kind, case .integer = inner.kind { return false }
                range = b.range
                return true
            case .binary(_, let a, let b): return find(a) || find(b)
            case .unary(_, let a), .member(let a, _), .keyword(_, let a): return find(a)
            case .call(_, _, let args): return args.contains(where: find)
            default: return false
            }
        }
        _ = find(expr)
        return .diagnostics(DiagnosticError(source: sourceText, diagnostics: [
            Diagnostic("negative_integer_power", fault.message, at: range,
                       notes: [DiagnosticNote("an integer exponent was negative at run time; convert the base to float, e.g. f64(x) ** y")])]))
    }
}
