// KernelChecker: kernel AST + argument signature -> TypedKernel.
//
// Statements are checked here; every scalar expression is rewritten so that what it reads
// (scalar variables, array elements, array extents) become parameters `$0, $1, ...`, and then
// specialized by TypeSpecializer and optimised by the IR pipeline exactly like an expression.
// So kernels share the expression language's operators, builtins, promotion and diagnostics.
//
// This file holds the checker's state, its entry points, types and scopes. The rest, by job:
//   KernelChecker+Statements   declarations, if/while/for, break/continue, return, calls
//   KernelChecker+Assignments  assignments, element stores, returns, parallel-loop reductions
//   KernelChecker+Scalars      scalar expressions -> typed IR over operands
//   KernelChecker+Arrays       array names, views (slices) and allocations
//   KernelChecker+Expansion    whole-array expressions -> allocation + loop nest
//   KernelChecker+Reductions   whole-array reductions (sum/prod/min/max) lifted out of statements
//   KernelChecker+Inlining     helper functions (expression helpers and helpers with statements)
//   KernelChecker+Rules        the one assignability rule, reserved names, missing returns, strides
import JITSyntax

private let M_E_VALUE = 2.718281828459045235360287471352662498

public struct KernelChecker {
    let module: KernelModuleAST
    let source: SourceText
    let options: PassOptions
    var bag = DiagnosticBag()
    var variables: [KernelVariable] = []
    var scopes: [[String: Int]] = [[:]]
    var loopDepth = 0
    /// For each enclosing parallel loop: the scope depth outside it and the reductions found.
    var parallelLoops: [(outerScopes: Int, reductions: [KernelLoopReduction])] = []
    var returnTypes: [KernelType]?
    var inlineDepth = 0
    /// Helpers being inlined, outermost first: a helper already on it calls itself.
    var inlining: [String] = []
    /// Helper calls inlined so far in this kernel, bounded by `maxInlinedCopies`.
    var inlinedCopies = 0
    /// Most helper calls inlined into one kernel. Helpers are expanded at every call, so a chain
    /// of helpers each calling the next twice doubles per level; the fuzzer found a 2.6 KB kernel
    /// whose expansion ran for minutes before this bound.
    public static let maxInlinedCopies = 1_000
    /// Most helpers nested inside each other.
    public static let maxInlineDepth = 16
    /// Loop depth at each enclosing parallel loop (a break directly in one is not allowed).
    var parallelLoopDepths: [Int] = []
    /// Whole-array reductions lifted so far (they name their results `$red0`, `$red1`, ...).
    var liftedReductions = 0
    /// The source text of the call each lifted array result comes from (`$red0` is
    /// `mean(m, axis=0)`), so messages name what the user wrote.
    var liftedCalls: [String: String] = [:]
    /// Variables declared without a type whose value was an error: their type is unknown, so
    /// statements reading or assigning them are not checked again (one error, not a cascade of
    /// guesses such as "returns f64").
    var untyped: Set<Int> = []

    /// Names of constants in kernels (unless a variable has the name).
    static let constants: [String: Double] = ["pi": Double.pi, "e": M_E_VALUE, "inf": .infinity, "nan": .nan]

    /// Specializes kernel `name` of `module` for `arguments`; throws `DiagnosticError`.
    public static func check(_ module: KernelModuleAST, kernel name: String, arguments: [ArgumentType],
                             options: PassOptions) throws -> TypedKernel {
        var c = KernelChecker(module: module, source: module.source, options: options)
        guard let decl = module.declaration(name), !decl.isHelper else {
            let names = module.declarations.filter { !$0.isHelper }.map(\.name)
            var notes = [DiagnosticNote("kernels in this source: \(names.joined(separator: ", "))")]
            if let s = NameSuggestion.closest(to: name, in: names) { notes.insert(DiagnosticNote("did you mean '\(s)'?"), at: 0) }
            throw DiagnosticError(source: module.source, diagnostics: [Diagnostic(
                "unknown_kernel", "no kernel named '\(name)'", at: SourceRange(0, 0), notes: notes)])
        }
        return try c.checkKernel(decl, arguments)
    }

    /// The declared parameter types of a kernel, when every parameter has one (eager compilation).
    public static func declaredTypes(_ decl: KernelDecl) -> [ArgumentType]? {
        var types: [ArgumentType] = []
        for p in decl.parameters {
            guard case .scalar(let name, let rank)? = p.type, let d = DType(name: name) else { return nil }
            types.append(ArgumentType(dtype: d, rank: rank))
        }
        return types
    }

    mutating func checkKernel(_ decl: KernelDecl, _ arguments: [ArgumentType]) throws -> TypedKernel {
        guard arguments.count == decl.parameters.count else {
            throw DiagnosticError(source: source, diagnostics: [Diagnostic(
                "wrong_argument_count",
                "kernel '\(decl.name)' takes \(decl.parameters.count) argument\(decl.parameters.count == 1 ? "" : "s"), but \(arguments.count) \(arguments.count == 1 ? "was" : "were") given",
                at: decl.nameRange)])
        }
        for (p, a) in zip(decl.parameters, arguments) {
            let type: KernelType = a.rank == 0 ? .scalar(a.dtype) : .array(a.dtype, rank: a.rank)
            if let declared = p.type, let want = resolve(declared, at: p.range), want != type {
                bag.error("argument_type", "argument '\(p.name)' of kernel '\(decl.name)' is declared \(want) but was given \(type)",
                          at: p.range)
            }
            declare(p.name, type, mutable: false)
        }
        if let r = decl.returnType { returnTypes = resolveReturn(r, at: decl.nameRange) }
        let body = block(decl.body)
        checkReturns(decl)
        if bag.hasErrors { throw DiagnosticError(source: source, diagnostics: bag.diagnostics) }
        return TypedKernel(name: decl.name, variables: variables, parameterCount: decl.parameters.count,
                           returnTypes: returnTypes ?? [], body: body)
    }

    // MARK: types and scopes

    mutating func resolve(_ t: TypeAnnotation, at range: SourceRange) -> KernelType? {
        switch t {
        case .scalar(let name, let rank):
            guard let d = DType(name: name) else {
                bag.error("unknown_type", "unknown type '\(name)'", at: range,
                          notes: NameSuggestion.closest(to: name, in: DType.allCases.map(\.shortName)).map { [DiagnosticNote("did you mean '\($0)'?")] } ?? [])
                return nil
            }
            return rank == 0 ? .scalar(d) : .array(d, rank: rank)
        case .tuple:
            bag.error("unexpected_tuple", "a tuple type is only allowed as a return type", at: range)
            return nil
        }
    }

    mutating func resolveReturn(_ t: TypeAnnotation, at range: SourceRange) -> [KernelType]? {
        if case .tuple(let items) = t { return items.compactMap { resolve($0, at: range) } }
        return resolve(t, at: range).map { [$0] }
    }

    @discardableResult
    mutating func declare(_ name: String, _ type: KernelType, mutable: Bool) -> Int {
        variables.append(KernelVariable(name: name, type: type, mutable: mutable))
        scopes[scopes.count - 1][name] = variables.count - 1
        return variables.count - 1
    }

    func lookup(_ name: String) -> Int? {
        for scope in scopes.reversed() { if let v = scope[name] { return v } }
        return nil
    }

    func visibleNames() -> [String] { scopes.flatMap(\.keys) }

    func location(_ r: SourceRange) -> KernelLocation {
        let (line, column) = source.location(of: r.lower)
        return KernelLocation(r, line: line, column: column)
    }
}
