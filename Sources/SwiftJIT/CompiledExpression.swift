// A parsed expression, ready to be called with any argument types. Reductions in it are lifted
// into stages of their own (ReductionLifting), each fused with its elementwise argument; the
// final stage is elementwise and reads the reduced values like any other argument.
import Foundation
import JITLowering
import JITRuntime
import JITSema
import JITSyntax

/// An expression compiled lazily per argument signature. Safe to call from many threads.
@dynamicCallable
public final class CompiledExpression: @unchecked Sendable {
    /// The source text.
    public let source: String
    /// The names the expression reads, sorted: its parameters.
    public let parameterNames: [String]
    /// Named constants the expression reads (`pi`, `e`, `inf`, `nan`, `euler_gamma`), sorted. A
    /// caller that binds one of these names as a variable gets the variable: the call then runs
    /// a version of the expression compiled with that name as a parameter (`i**e` with `e` given).
    public let shadowableConstants: [String]
    /// Constant names this version reads as variables.
    private let keptConstants: Set<String>
    private let variantLock = NSLock()
    private var variants: [Set<String>: CompiledExpression] = [:]
    /// The options it compiles with.
    public let options: JIT.Options
    let sourceText: SourceText
    /// Lifted reductions, in evaluation order.
    let reductionStages: [ExpressionStage]
    /// The elementwise expression that produces the result.
    let finalStage: ExpressionStage
    /// Subscripted names (`x[1:]`), each a parameter of the stages bound to a view of its variable.
    let subscripts: [ExpressionSubscript]
    /// The stages' parameters, sorted: `parameterNames` and the subscripts' names.
    let boundNames: [String]

    init(source: String, options: JIT.Options, keepingConstants kept: Set<String> = [], trace: StageTrace? = nil) throws {
        self.source = source
        keptConstants = kept
        self.options = options
        sourceText = SourceText(source)
        let program: ReductionProgram
        do {
            let parsed = try CompileDriver.parse(sourceText, keeping: kept, trace: trace)
            shadowableConstants = TypeSpecializer.freeNames(parsed.parsed).filter { BuiltinExpansion.constants[$0] != nil && !kept.contains($0) }
            program = parsed.program
            boundNames = TypeSpecializer.freeNames(parsed.expanded)
            let views = Set(parsed.subscripts.map(\.name))
            parameterNames = Set(boundNames.filter { !views.contains($0) } + parsed.subscripts.map(\.base)).sorted()
            self.subscripts = parsed.subscripts
        } catch let d as DiagnosticError {
            throw JITError.diagnostics(d)
        }
        let text = sourceText
        reductionStages = program.steps.map {
            ExpressionStage(expr: $0.argument, sourceText: text, options: options, reduction: $0)
        }
        finalStage = ExpressionStage(expr: program.final, sourceText: text, options: options)
        try checkCalls()
    }

    /// Reports unknown functions and wrong argument counts before any types are known, by
    /// specializing every stage once with every name as a float64 array and keeping only those.
    private func checkCalls() throws {
        let early: Set<String> = ["unknown_function", "wrong_argument_count", "function_as_value", "not_a_function",
                                  "unexpected_keyword", "none_value"]
        var found: [Diagnostic] = []
        for stage in reductionStages + [finalStage] {
            let probe = Signature(stage.parameterNames.map { ($0, ArgumentType.array(.float64)) })
            do {
                _ = try TypeSpecializer.specialize(stage.expr, source: sourceText, signature: probe)
            } catch let d as DiagnosticError {
                found += d.diagnostics.filter { early.contains($0.id) }
            }
        }
        if !found.isEmpty { throw JITError.diagnostics(DiagnosticError(source: sourceText, diagnostics: found)) }
    }

    /// The version of the expression that reads the constants among `names` as variables, or
    /// nil when `names` binds none of them.
    func variant<C: Collection>(binding names: C) throws -> CompiledExpression? where C.Element == String {
        if shadowableConstants.isEmpty { return nil }
        let shadowed = Set(shadowableConstants.filter { names.contains($0) })
        if shadowed.isEmpty { return nil }
        variantLock.lock()
        if let v = variants[shadowed] { variantLock.unlock(); return v }
        variantLock.unlock()
        let v = try CompiledExpression(source: source, options: options, keepingConstants: keptConstants.union(shadowed))
        variantLock.lock()
        defer { variantLock.unlock() }
        variants[shadowed] = variants[shadowed] ?? v
        return variants[shadowed]
    }

    // MARK: specialization and inspection

    /// Result types of the reductions for the given argument types: each reduced value is a
    /// scalar (all axes) or an array one rank lower than the largest argument it reads.
    func signatures(_ types: [String: ArgumentType]) throws -> [(ExpressionStage, Signature)] {
        var known = types
        for s in subscripts {
            do { known[s.name] = try s.type(of: types[s.base]!) } catch let e as IndexingError { throw s.diagnostic(e, source: sourceText) }
        }
        var result: [(ExpressionStage, Signature)] = []
        for stage in reductionStages + [finalStage] {
            let signature = Signature(stage.parameterNames.map { ($0, known[$0]!) })
            result.append((stage, signature))
            if let step = stage.reduction {
                let dtype = try stage.typedIR(signature, optimize: false).resultType
                let inputRank = signature.types.map(\.rank).max() ?? 1
                let rank = step.axis == nil ? 0 : step.keepDims ? inputRank : max(0, inputRank - 1)
                known[step.name] = ArgumentType(dtype: dtype, rank: rank)
                if let count = step.count { known[count] = ArgumentType(dtype: ReductionStep.countType(dtype), rank: 0) }
            }
        }
        return result
    }

    /// The specialization of the final stage for named argument types (eager compilation; the
    /// reductions, if any, are compiled too).
    @discardableResult
    public func specialize(_ types: [String: ArgumentType]) throws -> Specialization {
        if let v = try variant(binding: types.keys) { return try v.specialize(types) }
        try checkNames(Set(types.keys))
        var last: Specialization?
        for (stage, signature) in try signatures(types) {
            last = try stage.specialization(for: signature.types)
        }
        return last!
    }

    /// Typed IR after the passes for named argument types: the final stage's, preceded by each
    /// lifted reduction's (timed and printed through `trace` when given).
    public func typedIR(_ types: [String: ArgumentType], trace: StageTrace? = nil) throws -> [IRFunction] {
        if let v = try variant(binding: types.keys) { return try v.typedIR(types, trace: trace) }
        try checkNames(Set(types.keys))
        return try signatures(types).map { try $0.0.typedIR($0.1, trace: trace) }
    }

    /// The final stage's specialization for types in `parameterNames` order; for expressions
    /// without reductions (where the final stage reads exactly the parameters). A cache lookup
    /// after the first call.
    public func specialization(for types: [ArgumentType]) throws -> Specialization {
        guard reductionStages.isEmpty, subscripts.isEmpty else {
            throw JITError.argument("'\(source)' has \(subscripts.isEmpty ? "reductions" : "subscripts"); use specialize(_:) with named types")
        }
        return try finalStage.specialization(for: types)
    }

    /// Typed IR of the final stage for a signature in parameter order (no reductions).
    public func typedIR(_ signature: Signature) throws -> IRFunction {
        try finalStage.typedIR(signature)
    }

    /// Optimised LLVM IR for named argument types (one module per stage).
    public func llvmIR(_ types: [String: ArgumentType], optimize: Bool = true) throws -> String {
        if let v = try variant(binding: types.keys) { return try v.llvmIR(types, optimize: optimize) }
        try checkNames(Set(types.keys))
        return try signatures(types).map {
            try Engine.shared.llvmIR(for: .expression(try $0.0.typedIR($0.1)), options: options.compileOptions.lowering,
                                     optimize: optimize)
        }.joined(separator: "\n")
    }

    /// Assembly for named argument types, for the host CPU or `cpu`; with `streaming`, of the
    /// variant that writes outputs of `StreamingStores.threshold` bytes and more (non-temporal
    /// stores, `LoweringOptions.streamingOutput`).
    public func assembly(_ types: [String: ArgumentType], cpu: String? = nil, streaming: Bool = false) throws -> String {
        if let v = try variant(binding: types.keys) { return try v.assembly(types, cpu: cpu, streaming: streaming) }
        try checkNames(Set(types.keys))
        var lowering = options.compileOptions.lowering
        lowering.streamingOutput = streaming
        return try signatures(types).map {
            try Engine.shared.assembly(for: try $0.0.typedIR($0.1), options: lowering, cpu: cpu)
        }.joined(separator: "\n")
    }

    func checkNames<C: Collection>(_ given: C) throws where C.Element == String {
        // The common case, exactly the parameters, is checked without building sets.
        if given.count == parameterNames.count && parameterNames.allSatisfy({ given.contains($0) }) { return }
        let given = Set(given)
        let missing = parameterNames.filter { !given.contains($0) }
        if !missing.isEmpty {
            throw JITError.argument("missing value for \(missing.map { "'\($0)'" }.joined(separator: ", ")) in '\(source)'")
        }
        let extra = given.subtracting(parameterNames).sorted()
        if !extra.isEmpty {
            throw JITError.argument("unexpected argument \(extra.map { "'\($0)'" }.joined(separator: ", ")); '\(source)' reads \(parameterNames.isEmpty ? "no variables" : parameterNames.joined(separator: ", "))")
        }
    }

    // MARK: calling

    /// Evaluates with arguments bound by name, broadcasting them as NumPy does; writes into `out`
    /// when given (its dtype reached from the result's under `casting`, default `safe` as in
    /// numexpr), else returns a new array (0-d when every argument is a scalar).
    ///
    /// `out` is a consuming parameter: a call into it returns that very array without retaining
    /// it again (passing an array for the last time, as `f.call(args, out: NDArray(...))` or a
    /// local's last use do, moves it in and out of the call).
    public func call(_ arguments: [String: any JITArgument], out: consuming NDArray? = nil,
                     casting: Casting = .safe) throws -> NDArray {
        let n = parameterNames.count
        if arguments.count == n, n <= Self.namesPlacedByScan {
            // In parameter order on the stack, each name found by comparing it with the few
            // parameter names: no lookups (hashing each name) and no array on the heap, which
            // were 400 of the 2,700 instructions of `f.call(["x": x], out: y)` at n = 10.
            var placed = false
            let made = try withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { index -> NDArray? in
                var k = 0
                for name in arguments.keys {
                    guard let i = parameterNames.firstIndex(of: name) else { return nil }
                    index[k] = i
                    k += 1
                }
                placed = true
                return try withUnsafeTemporaryAllocation(of: (any JITArgument).self, capacity: n) { ordered in
                    // Distinct names (dictionary keys) found among distinct parameter names: every
                    // slot is initialised exactly once.
                    for (k, value) in arguments.values.enumerated() { (ordered.baseAddress! + index[k]).initialize(to: value) }
                    defer { _ = ordered.deinitialize() }
                    return try run(UnsafeBufferPointer(ordered), out: out, casting: casting)
                }
            }
            if placed { return try result(made, or: out) }
        } else if arguments.count == n {
            var ordered: [any JITArgument] = []
            ordered.reserveCapacity(n)
            for name in parameterNames {
                guard let value = arguments[name] else { break }
                ordered.append(value)
            }
            if ordered.count == n { return try result(run(ordered, out: out, casting: casting), or: out) }
        }
        if let v = try variant(binding: arguments.keys) { return try v.call(arguments, out: out, casting: casting) }
        try checkNames(arguments.keys)
        return try result(run(parameterNames.map { arguments[$0]! }, out: out, casting: casting), or: out)
    }

    /// A call's result: the new array `run` made, else `out`, which it wrote into (`run` returns
    /// nil only for a call with `out`).
    @inline(__always)
    private func result(_ made: NDArray?, or out: consuming NDArray?) throws -> NDArray {
        if let made { return made }
        guard let out else { throw JITError.argument("internal error: no result and no out array") }
        return out
    }

    /// Evaluates with arguments given by position, in `parameterNames` order (the names the
    /// expression reads, sorted): `f.call(x, y, out: o)` for "x*y + 1". The fastest way to call
    /// a compiled expression repeatedly: no names are looked up.
    /// `out` is consuming, as in `call(_:out:casting:)` with names.
    public func call(_ arguments: any JITArgument..., out: consuming NDArray? = nil, casting: Casting = .safe) throws -> NDArray {
        guard arguments.count == parameterNames.count else {
            throw JITError.argument("'\(source)' takes \(parameterNames.count) argument\(parameterNames.count == 1 ? "" : "s") (\(parameterNames.joined(separator: ", ")), in that order), got \(arguments.count)")
        }
        return try result(run(arguments, out: out, casting: casting), or: out)
    }

    /// Calls with at most this many parameters bind named arguments by comparing names.
    static let namesPlacedByScan = 16

    /// Evaluates with `ordered` in parameter order (an array, or a buffer valid during the call).
    /// Returns the new result, or nil when the fast path wrote into `out` (the caller returns its
    /// own `out`: no copy of it is retained here and released after the call).
    private func run<Arguments: RandomAccessCollection>(_ ordered: Arguments, out: NDArray?, casting: Casting) throws -> NDArray?
    where Arguments.Element == any JITArgument, Arguments.Index == Int {
        try Cancellation.check()
        let result: NDArray?
        switch reductionStages.isEmpty && subscripts.isEmpty ? finalStage.runRepeated(ordered, out: out, casting: casting) : .declined {
        case .wroteOut: result = nil
        case .made(let r): result = r
        case .declined: result = try runChecked(Array(ordered), out: out, casting: casting)
        }
        try Cancellation.checkToken()  // work items may have been skipped
        return result
    }

    /// The general path: every argument's view, subscripts, reductions, then the final stage.
    private func runChecked(_ ordered: [any JITArgument], out: NDArray?, casting: Casting) throws -> NDArray {
        var views: [ArgumentView] = []
        views.reserveCapacity(ordered.count)
        return try withViews(ordered, 0, &views) { views in
            try run(views: subscripts.isEmpty ? views : try subscriptViews(views), out: out, casting: casting)
        }
    }

    /// The views of the stages' parameters (`boundNames`), from those of `parameterNames`.
    private func subscriptViews(_ views: [ArgumentView]) throws -> [ArgumentView] {
        var bound = Dictionary(uniqueKeysWithValues: zip(parameterNames, views))
        for s in subscripts {
            do { bound[s.name] = try s.view(of: bound[s.base]!) } catch let e as IndexingError { throw s.diagnostic(e, source: sourceText) }
        }
        return boundNames.map { bound[$0]! }
    }

    /// Evaluates with `views` in `boundNames` order.
    private func run(views: [ArgumentView], out: NDArray?, casting: Casting) throws -> NDArray {
        if reductionStages.isEmpty {
            return try finalStage.runElementwise(views, out: out, casting: casting)
        }
        var bound = Dictionary(uniqueKeysWithValues: zip(boundNames, views))
        var reduced: [NDArray] = []
        for stage in reductionStages {
            let step = stage.reduction!
            let inputs = stage.parameterNames.map { bound[$0]! }
            let r = try stage.runReduction(inputs)
            reduced.append(r)
            var (shape, strides) = (r.shape, r.strides)
            let reducedShape = step.count != nil || step.keepDims ? try stage.broadcastShape(inputs) : []
            let axis = step.axis.map { $0 < 0 ? $0 + reducedShape.count : $0 }
            if step.keepDims, let axis {
                shape.insert(1, at: axis)
                strides.insert(0, at: axis)
            }
            bound[step.name] = ArgumentView(dtype: r.dtype, shape: shape, strides: strides, pointer: r.baseAddress, array: r)
            if let count = step.count {
                let n = axis.map { reducedShape[$0] } ?? reducedShape.reduce(1, *)
                let value = Double(max(0, n - step.ddof))
                let c = ReductionStep.countType(r.dtype) == .float32 ? NDArray(scalar: Float(value)) : NDArray(scalar: value)
                reduced.append(c)
                bound[count] = ArgumentView(dtype: c.dtype, shape: [], strides: [], pointer: c.baseAddress, array: c)
            }
        }
        return try withExtendedLifetime(reduced) {
            try finalStage.runElementwise(finalStage.parameterNames.map { bound[$0]! }, out: out, casting: casting)
        }
    }

    /// `f(x: xs, y: 2.0)`; an `out:` label names the output array unless `out` is a variable,
    /// and a `casting:` label (a `Casting`) sets the casting rule for it.
    public func dynamicallyCall(withKeywordArguments pairs: KeyValuePairs<String, any JITArgument>) throws -> NDArray {
        // Arguments go straight into parameter order: building a dictionary first and reading it
        // back doubled the cost of a small call (`f(x: x)` at 4 KiB: 1.45 us against 0.68 us).
        let n = parameterNames.count
        return try withUnsafeTemporaryAllocation(of: (any JITArgument)?.self, capacity: n) { slots in
            slots.initialize(repeating: nil)
            defer { _ = slots.deinitialize() }
            return try call(keywords: pairs, slots: slots)
        }
    }

    /// `dynamicallyCall(withKeywordArguments:)` with a slot per parameter on the caller's stack.
    private func call(keywords pairs: KeyValuePairs<String, any JITArgument>,
                      slots: UnsafeMutableBufferPointer<(any JITArgument)?>) throws -> NDArray {
        var arguments: [String: any JITArgument] = [:]  // names the expression does not read
        var out: NDArray?
        var casting = Casting.safe
        for (name, value) in pairs {
            if name == "casting" && !parameterNames.contains("casting") {
                guard let c = value as? Casting else { throw JITError.argument("'casting' must be a Casting") }
                casting = c
                continue
            }
            if name == "out" && !parameterNames.contains("out") {
                // Not `as? NDArray`: a runtime cast on every `f(x: x, out: y)`.
                var scratch = SIMD2<UInt64>()
                guard case .array(let array) = withUnsafeMutableBytes(of: &scratch, { value.fastArgument(scalarSlot: $0.baseAddress!) }) else {
                    throw JITError.argument("'out' must be an NDArray")
                }
                out = array
                continue
            }
            if name.isEmpty { throw JITError.argument("arguments must be named, as in f(x: xs)") }
            if let i = parameterNames.firstIndex(of: name) {
                if slots[i] != nil { throw JITError.argument("argument '\(name)' given twice") }
                slots[i] = value
            } else {
                if arguments[name] != nil { throw JITError.argument("argument '\(name)' given twice") }
                arguments[name] = value
            }
        }
        if arguments.isEmpty, !slots.contains(where: { $0 == nil }) {
            let made = try withUnsafeTemporaryAllocation(of: (any JITArgument).self, capacity: slots.count) { ordered -> NDArray? in
                for (i, value) in slots.enumerated() { (ordered.baseAddress! + i).initialize(to: value!) }
                defer { _ = ordered.deinitialize() }
                return try run(UnsafeBufferPointer(ordered), out: out, casting: casting)
            }
            return try result(made, or: out)
        }
        for (i, value) in slots.enumerated() { if let value { arguments[parameterNames[i]] = value } }
        return try call(arguments, out: out, casting: casting)
    }

    private func withViews<R>(_ args: [any JITArgument], _ i: Int, _ views: inout [ArgumentView],
                              _ body: ([ArgumentView]) throws -> R) throws -> R {
        if i == args.count { return try body(views) }
        return try args[i].withArgumentView { view -> R in
            views.append(view)
            defer { views.removeLast() }
            return try withViews(args, i + 1, &views, body)
        }
    }
}
