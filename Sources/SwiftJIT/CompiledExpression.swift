// A parsed expression with its specializations. Calling it computes the argument signature
// (dtype, rank, contiguity of each argument), finds or builds the specialization (typed IR ->
// passes -> native code), checks shapes, allocates or checks the output and runs the loop.
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
    /// The native code.
    public let kernel: CompiledKernel
    /// dtype of the result.
    public var resultType: DType { function.resultType }
}

/// An expression compiled lazily per argument signature. Safe to call from many threads.
@dynamicCallable
public final class CompiledExpression: @unchecked Sendable {
    /// The source text.
    public let source: String
    /// The names the expression reads, sorted: its parameters.
    public let parameterNames: [String]
    /// The options it compiles with.
    public let options: JIT.Options
    let sourceText: SourceText
    let expr: Expr
    private let lock = NSLock()
    private var specializations: [Key: Specialization] = [:]

    init(source: String, options: JIT.Options) throws {
        self.source = source
        self.options = options
        sourceText = SourceText(source)
        do {
            expr = try Parser.parseExpression(sourceText)
        } catch let d as DiagnosticError {
            throw JITError.diagnostics(d)
        }
        parameterNames = TypeSpecializer.freeNames(expr)
        try checkCalls()
    }

    /// Reports unknown functions and wrong argument counts before any types are known, by
    /// specializing once with every name as a float64 array and keeping only those errors.
    private func checkCalls() throws {
        let probe = Signature(parameterNames.map { ($0, ArgumentType.array(.float64)) })
        do {
            _ = try TypeSpecializer.specialize(expr, source: sourceText, signature: probe)
        } catch let d as DiagnosticError {
            let early: Set<String> = ["unknown_function", "wrong_argument_count", "function_as_value", "not_a_function"]
            let found = d.diagnostics.filter { early.contains($0.id) }
            if !found.isEmpty { throw JITError.diagnostics(DiagnosticError(source: sourceText, diagnostics: found)) }
        }
    }

    // MARK: specialization

    private struct Key: Hashable {
        var arguments: [ArgumentType]
        var output: ArgumentType?
    }

    /// The specialization for argument types in parameter order (and an `out=` type), built on
    /// first request.
    public func specialization(for types: [ArgumentType], output: ArgumentType? = nil) throws -> Specialization {
        let key = Key(arguments: types, output: output)
        lock.lock()
        if let s = specializations[key] { lock.unlock(); return s }
        lock.unlock()
        let signature = Signature(Array(zip(parameterNames, types)))
        let typed = try typedIR(signature, output: output)
        let kernel = try Engine.shared.kernel(for: typed, options: options.lowering)
        let s = Specialization(signature: signature, function: typed, kernel: kernel)
        lock.lock()
        specializations[key] = s
        lock.unlock()
        return s
    }

    /// The result dtype for argument types, from type specialization alone (no LLVM work).
    public func resultType(for types: [ArgumentType]) throws -> DType {
        let key = Key(arguments: types, output: nil)
        lock.lock()
        if let s = specializations[key] { lock.unlock(); return s.resultType }
        lock.unlock()
        do {
            return try TypeSpecializer.resultType(expr, source: sourceText,
                                                  signature: Signature(Array(zip(parameterNames, types))))
        } catch let d as DiagnosticError {
            throw JITError.diagnostics(d)
        }
    }

    /// The specialization for named argument types (eager compilation).
    public func specialize(_ types: [String: ArgumentType]) throws -> Specialization {
        try specialization(for: try orderedTypes(types))
    }

    /// Typed IR after the passes, for a signature.
    public func typedIR(_ signature: Signature, output: ArgumentType? = nil, printAfter: Set<String> = [],
                        log: (String, IRFunction) -> Void = { _, _ in }) throws -> IRFunction {
        let raw: IRFunction
        do {
            raw = try TypeSpecializer.specialize(expr, source: sourceText, signature: signature, output: output)
        } catch let d as DiagnosticError {
            throw JITError.diagnostics(d)
        }
        return Pipeline.run(raw, options: PassOptions(mathMode: options.mathMode), printTags: printAfter,
                            printAfter: log)
    }

    /// Optimised LLVM IR for named argument types.
    public func llvmIR(_ types: [String: ArgumentType], optimize: Bool = true) throws -> String {
        let signature = Signature(Array(zip(parameterNames, try orderedTypes(types))))
        return try Engine.shared.llvmIR(for: try typedIR(signature), options: options.lowering,
                                        optimize: optimize)
    }

    /// Assembly for named argument types, for the host CPU or `cpu`.
    public func assembly(_ types: [String: ArgumentType], cpu: String? = nil) throws -> String {
        let signature = Signature(Array(zip(parameterNames, try orderedTypes(types))))
        return try Engine.shared.assembly(for: try typedIR(signature), options: options.lowering,
                                          cpu: cpu)
    }

    private func orderedTypes(_ types: [String: ArgumentType]) throws -> [ArgumentType] {
        try checkNames(Set(types.keys))
        return parameterNames.map { types[$0]! }
    }

    private func checkNames(_ given: Set<String>) throws {
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
    public func call(_ arguments: [String: any JITArgument], out: NDArray? = nil,
                     casting: Casting = .safe) throws -> NDArray {
        try checkNames(Set(arguments.keys))
        let ordered = parameterNames.map { arguments[$0]! }
        var views: [ArgumentView] = []
        views.reserveCapacity(ordered.count)
        return try withViews(ordered, 0, &views) { try self.run($0, out: out, casting: casting) }
    }

    /// `f(x: xs, y: 2.0)`; an `out:` label names the output array unless `out` is a variable,
    /// and a `casting:` label (a `Casting`) sets the casting rule for it.
    public func dynamicallyCall(withKeywordArguments pairs: KeyValuePairs<String, any JITArgument>) throws -> NDArray {
        var arguments: [String: any JITArgument] = [:]
        var out: NDArray?
        var casting = Casting.safe
        for (name, value) in pairs {
            if name == "casting" && !parameterNames.contains("casting") {
                guard let c = value as? Casting else { throw JITError.argument("'casting' must be a Casting") }
                casting = c
                continue
            }
            if name == "out" && !parameterNames.contains("out") {
                guard let array = value as? NDArray else { throw JITError.argument("'out' must be an NDArray") }
                out = array
                continue
            }
            if name.isEmpty { throw JITError.argument("arguments must be named, as in f(x: xs)") }
            if arguments[name] != nil { throw JITError.argument("argument '\(name)' given twice") }
            arguments[name] = value
        }
        return try call(arguments, out: out, casting: casting)
    }

    private func withViews<R>(_ args: [any JITArgument], _ i: Int, _ views: inout [ArgumentView],
                              _ body: ([ArgumentView]) throws -> R) throws -> R {
        if i == args.count { return try body(views) }
        var collected = views
        let r = try args[i].withArgumentView { view -> R in
            collected.append(view)
            return try withViews(args, i + 1, &collected, body)
        }
        views = collected
        return r
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

    private func run(_ views: [ArgumentView], out: NDArray?, casting: Casting) throws -> NDArray {
        // Broadcast every argument (and out, which must already have the broadcast shape).
        let named = zip(parameterNames, views).map { (name: $0, shape: $1.shape) }
        let shape: [Int]
        switch Broadcast.shape(named) {
        case .success(let s): shape = s
        case .failure(let e): throw e
        }
        var strides = views.map { Broadcast.strides($0.shape, $0.strides, in: shape) }
        // The inner (innermost, after merging) layout of each argument decides its parameter kind.
        let outStrides = out.map { Broadcast.strides($0.shape, $0.strides, in: shape) }
            ?? NDArray.rowMajorStrides(shape)
        var plan = IterationPlan(shape: shape, strides: strides + [outStrides])
        var types = CompiledExpression.parameterTypes(views, plan)
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
                types = CompiledExpression.parameterTypes(views, plan)
            }
        }
        let spec = try specialization(for: types, output: outType)
        let result = out ?? NDArray(zeros: spec.resultType, shape: shape)
        let operands = (0..<views.count).map {
            LaunchOperand(pointer: pointers[$0], itemSize: views[$0].dtype.size, strides: strides[$0])
        } + [LaunchOperand(pointer: result.baseAddress, itemSize: result.dtype.size, strides: outStrides)]
        withExtendedLifetime(keep) {
            Launch.run(spec.kernel, plan: plan, operands: operands)
        }
        return result
    }
}

extension JIT.Options {
    /// The lowering options these compile with.
    var lowering: LoweringOptions { LoweringOptions(mathMode: mathMode, optimizationLevel: optimizationLevel) }
}
