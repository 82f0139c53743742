// Kernels from Swift. `JIT.kernels(source)` parses a source once and returns a `KernelModule`;
// `module.kernel("name")` (or `JIT.kernel(source, name:)`) gives a callable `Kernel` that is
// specialized for each distinct argument signature on first use (eagerly for fully typed
// parameters), like Numba's lazy dispatch, and cached.
import Foundation
import JITLowering
import JITRuntime
import JITSema
import JITSyntax

/// A parsed kernel source.
public final class KernelModule: @unchecked Sendable {
    /// The source's syntax tree.
    public let ast: KernelModuleAST
    /// Options every kernel of the module compiles with.
    public let options: JIT.Options
    private let lock = NSLock()
    /// Kernels handed out, held weakly: each `Kernel` owns its module, so a strong map here
    /// would be a cycle that leaked every module with its syntax tree and specializations.
    private var kernels: [String: WeakKernel] = [:]
    private struct WeakKernel { weak var kernel: Kernel? }

    init(source: String, name: String, options: JIT.Options, trace: StageTrace? = nil) throws {
        do {
            ast = try CompileDriver.parseKernels(SourceText(source, name: name), trace: trace)
        } catch let d as DiagnosticError {
            throw JITError.diagnostics(d)
        }
        self.options = options
    }

    /// Names of the kernels (not helper functions) the source declares.
    public var kernelNames: [String] { ast.declarations.filter { !$0.isHelper }.map(\.name) }

    /// The kernel called `name`.
    public func kernel(_ name: String) throws -> Kernel {
        lock.lock()
        defer { lock.unlock() }
        if let k = kernels[name]?.kernel { return k }
        guard let decl = ast.declaration(name), !decl.isHelper else {
            let names = kernelNames
            let hint = NameSuggestion.closest(to: name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
            throw JITError.argument("no kernel named '\(name)'\(hint); the source declares \(names.joined(separator: ", "))")
        }
        let k = Kernel(module: self, decl: decl)
        kernels[name] = WeakKernel(kernel: k)
        return k
    }
}

/// A callable kernel.
@dynamicCallable
public final class Kernel: @unchecked Sendable {
    public let module: KernelModule
    public let decl: KernelDecl
    public var name: String { decl.name }
    private let lock = PlainLock()
    private var compiled: [[ArgumentType]: CompiledKernelFunction] = [:]
    /// The last specialization called, found by comparing its types (repeated calls with the same
    /// kinds of arguments skip hashing them).
    private var last: LastSpecialization?

    /// The last specialization and its types, in a class of its own so that a call takes one
    /// plain reference to it: `CompiledKernelFunction`s are held weakly by the engine's slots, so
    /// each has a side table and every retain and release of one takes the runtime's slow path
    /// (`swift_release_n` on it was 315 of a call's 3,000 instructions; callgrind, 2026-12-07).
    private final class LastSpecialization {
        let types: [ArgumentType]
        let function: CompiledKernelFunction
        init(_ types: [ArgumentType], _ function: CompiledKernelFunction) {
            self.types = types
            self.function = function
        }
    }

    init(module: KernelModule, decl: KernelDecl) {
        self.module = module
        self.decl = decl
        sourceName = module.ast.source.name
    }

    /// The source's name, for run-time errors. Kept here so that a call's closures capture this
    /// string rather than the kernel: `KernelModule` holds kernels weakly, which gives each a side
    /// table, and every retain and release of one then takes the runtime's slow path (about 500
    /// instructions a call when the closures captured `self`; callgrind, 2026-12-07).
    private let sourceName: String

    /// Compiles for the declared parameter types now (when every parameter has one).
    @discardableResult
    public func compileDeclared() throws -> CompiledKernelFunction? {
        var bag = DiagnosticBag()
        for p in decl.parameters {
            if case .scalar(let t, _)? = p.type, DType(name: t) == nil {
                let hint = NameSuggestion.closest(to: t, in: DType.allCases.map(\.shortName)).map { [DiagnosticNote("did you mean '\($0)'?")] } ?? []
                bag.error("unknown_type", "unknown type '\(t)'", at: p.range, notes: hint)
            }
        }
        if bag.hasErrors { throw JITError.diagnostics(DiagnosticError(source: module.ast.source, diagnostics: bag.diagnostics)) }
        guard let types = KernelChecker.declaredTypes(decl) else { return nil }
        return try specialization(for: types)
    }

    /// The compiled kernel for argument types, built on first request.
    public func specialization(for types: [ArgumentType]) throws -> CompiledKernelFunction {
        lock.lock()
        if let last, last.types == types { lock.unlock(); return last.function }
        if let c = compiled[types] { last = LastSpecialization(types, c); lock.unlock(); return c }
        lock.unlock()
        let typed = try typedKernel(types)
        let c = try CompileDriver.native(typed, options: module.options.kernelCompileOptions, trace: nil)
        lock.lock()
        compiled[types] = c
        lock.unlock()
        return c
    }

    /// Waits until every specialization compiled so far runs its final (optimised) code: a
    /// specialization compiled now starts on a quick tier while its final code compiles on the
    /// background thread (docs/cache.md, "Compile tiers"). For tests and measurements; calls never
    /// need it.
    public func waitForOptimizedCode() {
        for c in lock.withLock({ Array(compiled.values) }) { c.waitForOptimizedCode() }
    }

    /// The typed kernel for argument types (what KernelGen lowers).
    public func typedKernel(_ types: [ArgumentType], trace: StageTrace? = nil) throws -> TypedKernel {
        try CompileDriver.check(module.ast, kernel: decl.name, types: types, options: module.options.kernelCompileOptions,
                                trace: trace)
    }

    /// Optimised LLVM IR for argument types.
    public func llvmIR(_ types: [ArgumentType]) throws -> String {
        try Engine.shared.llvmIR(for: .kernel(try typedKernel(types)), options: module.options.kernelCompileOptions.lowering)
    }

    /// Host assembly (or for `cpu`) for argument types: the code a call runs.
    public func assembly(_ types: [ArgumentType], cpu: String? = nil) throws -> String {
        try Engine.shared.assembly(for: .kernel(try typedKernel(types)), options: module.options.kernelCompileOptions.lowering,
                                   cpu: cpu)
    }

    /// Runs the kernel with positional arguments; returns every value it returns (scalars as
    /// 0-d arrays).
    public func callAll(_ arguments: [any JITArgument]) throws -> [NDArray] {
        let source = sourceName
        return try call(arguments) { function, raw in try function.run(raw, source: source) }
    }

    /// `k(a, b, 3)`: runs the kernel and returns its value (its first value for tuple returns;
    /// use `callAll` for all of them).
    public func dynamicallyCall(withArguments arguments: [any JITArgument]) throws -> NDArray {
        let source = sourceName
        let first = try call(arguments) { function, raw in try function.runFirst(raw, source: source) }
        return first ?? NDArray(zeros: .bool, shape: [])
    }

    /// Checks the argument count, finds the specialization and runs `body` with it and the raw
    /// arguments; a run-time error becomes a diagnostic at the kernel's source.
    private func call<R>(_ arguments: [any JITArgument],
                         _ body: (CompiledKernelFunction, UnsafeBufferPointer<CompiledKernelFunction.Argument>) throws -> R) throws -> R {
        guard arguments.count == decl.parameters.count else {
            throw JITError.argument("kernel '\(name)' takes \(decl.parameters.count) argument\(decl.parameters.count == 1 ? "" : "s") (\(decl.parameters.map(\.name).joined(separator: ", "))), but \(arguments.count) \(arguments.count == 1 ? "was" : "were") given")
        }
        do {
            if let result = try callRepeated(arguments, body) { return result }
            var raw: [CompiledKernelFunction.Argument] = []
            raw.reserveCapacity(arguments.count)
            return try withViews(arguments, 0, &raw) { raw in
                let types = raw.map { ArgumentType(dtype: $0.dtype, rank: $0.shape.count) }
                if types.contains(where: { $0.rank > KernelGen.maxRank }) {
                    throw JITError.argument("kernels take arrays of at most \(KernelGen.maxRank) dimensions")
                }
                let function = try specialization(for: types)
                return try raw.withUnsafeBufferPointer { try body(function, $0) }
            }
        } catch let e as KernelRunError {
            throw KernelRunDiagnostic.diagnostic(e, in: module.ast)
        }
    }

    /// The repeated-call fast path: when every argument is an array or a scalar of the dtype and
    /// rank of the last specialization called, runs `body` with it and the arguments read through
    /// `fastArgument` (no view closures, no type array, no lookup); nil otherwise (the general
    /// path then runs the call). Same results and errors as the general path.
    private func callRepeated<R>(_ arguments: [any JITArgument],
                                 _ body: (CompiledKernelFunction, UnsafeBufferPointer<CompiledKernelFunction.Argument>) throws -> R) throws -> R? {
        lock.lock()
        let cached = last
        lock.unlock()
        guard let cached, cached.types.count == arguments.count else { return nil }
        let n = arguments.count
        return try withUnsafeTemporaryAllocation(of: SIMD2<UInt64>.self, capacity: max(1, n)) { slots -> R? in
            try withUnsafeTemporaryAllocation(of: CompiledKernelFunction.Argument.self, capacity: n) { buffer -> R? in
                try callRepeated(arguments, cached, slots, buffer, body)
            }
        }
    }

    /// `callRepeated` with the scalar slots and the raw arguments on the caller's stack: the
    /// arguments are initialised into `buffer` one by one and deinitialised before returning.
    private func callRepeated<R>(_ arguments: [any JITArgument], _ cached: LastSpecialization,
                                 _ slots: UnsafeMutableBufferPointer<SIMD2<UInt64>>,
                                 _ buffer: UnsafeMutableBufferPointer<CompiledKernelFunction.Argument>,
                                 _ body: (CompiledKernelFunction, UnsafeBufferPointer<CompiledKernelFunction.Argument>) throws -> R) throws -> R? {
        let types = cached.types
        let n = arguments.count
        var count = 0
        defer { buffer.baseAddress?.deinitialize(count: count) }
        func append(_ a: CompiledKernelFunction.Argument) {
            (buffer.baseAddress! + count).initialize(to: a)
            count += 1
        }
        for k in 0..<n {
            let slot = UnsafeMutableRawPointer(slots.baseAddress! + k)
            switch arguments[k].fastArgument(scalarSlot: slot) {
            case .array(let a):
                guard a.dtype == types[k].dtype, a.rank == types[k].rank else { return nil }
                append(CompiledKernelFunction.Argument(dtype: a.dtype, shape: a.shape, strides: a.strides,
                                                       pointer: a.baseAddress, storage: a.storage, offset: a.offset))
            case .scalar(let dtype):
                guard dtype == types[k].dtype, types[k].rank == 0 else { return nil }
                append(CompiledKernelFunction.Argument(dtype: dtype, shape: [], strides: [], pointer: slot,
                                                       storage: nil, offset: 0))
            case .other:
                return nil
            }
        }
        return try withExtendedLifetime(arguments) { try body(cached.function, UnsafeBufferPointer(rebasing: buffer[0..<n])) }
    }

    private func withViews<R>(_ args: [any JITArgument], _ i: Int, _ raw: inout [CompiledKernelFunction.Argument],
                              _ body: ([CompiledKernelFunction.Argument]) throws -> R) throws -> R {
        if i == args.count { return try body(raw) }
        // One array for the whole recursion (appended to and trimmed back), not a copy per level.
        return try args[i].withArgumentView { v in
            raw.append(CompiledKernelFunction.Argument(dtype: v.dtype, shape: v.shape, strides: v.strides,
                                                       pointer: v.pointer, storage: v.array?.storage,
                                                       offset: v.array?.offset ?? 0))
            defer { raw.removeLast() }
            return try withViews(args, i + 1, &raw, body)
        }
    }
}

extension JIT {
    /// Parses a kernel source (`name` appears in error messages).
    public static func kernels(_ source: String, name: String = "<kernel>", options: Options = Options()) throws -> KernelModule {
        try KernelModule(source: source, name: name, options: options)
    }

    /// The kernel `name` of `source`.
    public static func kernel(_ source: String, name: String, options: Options = Options()) throws -> Kernel {
        try kernels(source, options: options).kernel(name)
    }
}
