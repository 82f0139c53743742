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
    private var specializations: [[ArgumentType]: Specialization] = [:]

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

    /// The specialization for argument types in parameter order, built on first request.
    public func specialization(for types: [ArgumentType]) throws -> Specialization {
        lock.lock()
        if let s = specializations[types] { lock.unlock(); return s }
        lock.unlock()
        let signature = Signature(Array(zip(parameterNames, types)))
        let typed = try typedIR(signature)
        let lowering = options.lowering
        let kernel = try Engine.shared.kernel(for: typed, options: lowering)
        let s = Specialization(signature: signature, function: typed, kernel: kernel)
        lock.lock()
        specializations[types] = s
        lock.unlock()
        return s
    }

    /// The specialization for named argument types (eager compilation).
    public func specialize(_ types: [String: ArgumentType]) throws -> Specialization {
        try specialization(for: try orderedTypes(types))
    }

    /// Typed IR after the passes, for a signature.
    public func typedIR(_ signature: Signature, printAfter: Set<String> = [],
                        log: (String, IRFunction) -> Void = { _, _ in }) throws -> IRFunction {
        let raw: IRFunction
        do {
            raw = try TypeSpecializer.specialize(expr, source: sourceText, signature: signature)
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

    /// Evaluates with arguments bound by name; writes into `out` when given, else returns a new
    /// array (0-d when every argument is a scalar).
    public func call(_ arguments: [String: any JITArgument], out: NDArray? = nil) throws -> NDArray {
        try checkNames(Set(arguments.keys))
        let ordered = parameterNames.map { arguments[$0]! }
        var views: [ArgumentView] = []
        views.reserveCapacity(ordered.count)
        return try withViews(ordered, 0, &views) { try self.run($0, out: out) }
    }

    /// `f(x: xs, y: 2.0)`; an `out:` label names the output array unless `out` is a variable.
    public func dynamicallyCall(withKeywordArguments pairs: KeyValuePairs<String, any JITArgument>) throws -> NDArray {
        var arguments: [String: any JITArgument] = [:]
        var out: NDArray?
        for (name, value) in pairs {
            if name == "out" && !parameterNames.contains("out") {
                guard let array = value as? NDArray else { throw JITError.argument("'out' must be an NDArray") }
                out = array
                continue
            }
            if name.isEmpty { throw JITError.argument("arguments must be named, as in f(x: xs)") }
            if arguments[name] != nil { throw JITError.argument("argument '\(name)' given twice") }
            arguments[name] = value
        }
        return try call(arguments, out: out)
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

    private func run(_ views: [ArgumentView], out: NDArray?) throws -> NDArray {
        // Shapes: every array argument must have the same shape (broadcasting is issue 3).
        var shape: [Int]? = nil
        var shapeOwner = ""
        for (name, v) in zip(parameterNames, views) where !v.shape.isEmpty {
            if let s = shape, s != v.shape {
                throw JITError.argument("shapes \(fmt(s)) of '\(shapeOwner)' and \(fmt(v.shape)) of '\(name)' differ")
            }
            shape = v.shape
            shapeOwner = name
        }
        let types = views.map { ArgumentType(dtype: $0.dtype, rank: $0.shape.count) }
        let spec = try specialization(for: types)
        let resultShape = shape ?? []
        let result: NDArray
        if let out {
            guard out.dtype == spec.resultType else {
                throw JITError.argument("out has dtype \(out.dtype.rawValue), but '\(source)' gives \(spec.resultType.rawValue)")
            }
            guard out.shape == resultShape else {
                throw JITError.argument("out has shape \(fmt(out.shape)), but the result has shape \(fmt(resultShape))")
            }
            guard out.isContiguous else { throw JITError.argument("out must be contiguous") }
            try checkOverlap(out, views)
            result = out
        } else {
            result = NDArray(zeros: spec.resultType, shape: resultShape)
        }
        let n = Int64(resultShape.reduce(1, *))
        var pointers: [UnsafeMutableRawPointer?] = views.map { $0.pointer }
        pointers.withUnsafeMutableBufferPointer { buf in
            spec.kernel.entry(0, n, buf.baseAddress, result.baseAddress)
        }
        return result
    }

    /// `out` may be an input itself (elementwise in place) or disjoint from it, not a shifted overlap.
    private func checkOverlap(_ out: NDArray, _ views: [ArgumentView]) throws {
        let lo = out.baseAddress, hi = out.baseAddress + out.count * out.dtype.size
        for (name, v) in zip(parameterNames, views) where !v.shape.isEmpty {
            let vlo = v.pointer, vhi = v.pointer + v.byteCount
            if vlo < hi && lo < vhi && !(vlo == lo && v.dtype.size == out.dtype.size) {
                throw JITError.argument("out overlaps argument '\(name)' without being the same array")
            }
        }
    }

    private func fmt(_ s: [Int]) -> String {
        s.count == 1 ? "(\(s[0]),)" : "(" + s.map(String.init).joined(separator: ", ") + ")"
    }
}

extension JIT.Options {
    /// The lowering options these compile with.
    var lowering: LoweringOptions { LoweringOptions(mathMode: mathMode, optimizationLevel: optimizationLevel) }
}
