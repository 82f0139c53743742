// KernelChecker: kernel AST + argument signature -> TypedKernel.
//
// Statements are checked here; every scalar expression is rewritten so that what it reads
// (scalar variables, array elements, array extents) become parameters `$0, $1, ...`, and then
// specialized by TypeSpecializer and optimised by the IR pipeline exactly like an expression.
// So kernels share the expression language's operators, builtins, promotion and diagnostics.
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
        return KernelLocation(line: line, column: column)
    }

    // MARK: statements

    mutating func block(_ statements: [Statement]) -> [KernelStatement] {
        scopes.append([:])
        defer { scopes.removeLast() }
        return statements.compactMap { statement($0) }
    }

    mutating func statement(_ s: Statement) -> KernelStatement? {
        if let lifted = liftingReductions(s) {
            return .sequence(lifted.compactMap { statement($0) })
        }
        switch s.kind {
        case .declare(let name, let mutable, _, let value) where statementHelper(value) != nil:
            return inlineStatements(statementHelper(value)!, value, target: name, declare: true, mutable: mutable, s.range)
        case .assign(.variable(let name), nil, let value) where statementHelper(value) != nil:
            return inlineStatements(statementHelper(value)!, value, target: name, declare: false, mutable: true, s.range)
        case .declare(let name, let mutable, let annotation, let value):
            // copy(a): a new array with a's elements (a whole-array expression of just `a`).
            if case .call("copy", _, let args) = value.kind, args.count == 1, case .name(let a) = args[0].kind,
               let v = lookup(a), variables[v].type.isArray {
                return elementwise(name, args[0], s.range)
            }
            if arrayExpr(value, quiet: true) == nil, !wholeArrays(value).isEmpty {
                if mutable { bag.error("mutable_array", "array variables are 'let' bindings; use 'let \(name)'", at: s.range) }
                return elementwise(name, value, s.range)
            }
            if let arrayValue = arrayExpr(value, quiet: true) {
                if mutable { bag.error("mutable_array", "array variables are 'let' bindings; use 'let \(name)'", at: s.range) }
                let v = declare(name, arrayType(arrayValue), mutable: false)
                return .bind(variable: v, arrayValue)
            }
            var want: DType?
            if let annotation, let t = resolve(annotation, at: s.range) {
                guard !t.isArray else {
                    bag.error("type_mismatch", "'\(name)' is declared \(t) but its value is a scalar", at: s.range)
                    return nil
                }
                want = t.dtype
            }
            guard let e = scalar(value, as: want, assigning: name) else {
                declare(name, .scalar(want ?? .float64), mutable: mutable)
                return nil
            }
            let v = declare(name, .scalar(e.type), mutable: mutable)
            return .assign(variable: v, e)
        case .assign(let target, let op, let value):
            return assignment(target, op, value, s.range)
        case .ifElse(let branches, let otherwise):
            var typed: [(KernelScalarExpr, [KernelStatement])] = []
            for (c, body) in branches {
                let cond = scalar(c, as: .bool, truth: true)
                let b = block(body)
                if let cond { typed.append((cond, b)) }
            }
            let other = otherwise.map { block($0) } ?? []
            return .ifElse(typed, otherwise: other)
        case .whileLoop(let c, let body):
            let cond = scalar(c, as: .bool, truth: true)
            loopDepth += 1
            let b = block(body)
            loopDepth -= 1
            return cond.map { .whileLoop($0, b) }
        case .forLoop(let name, let start, let end, let step?, true, let body):
            return parallelStride(name, start, end, step, body, s.range)
        case .forLoop(let name, let start, let end, let step, let parallel, let body):
            let lo = scalar(start, as: .int64), hi = scalar(end, as: .int64)
            let by = step.flatMap { scalar($0, as: .int64) }
            scopes.append([:])
            let v = declare(name, .scalar(.int64), mutable: false)
            loopDepth += 1
            if parallel {
                parallelLoops.append((scopes.count - 1, []))
                parallelLoopDepths.append(loopDepth)
            }
            let b = block(body)
            let reductions = parallel ? parallelLoops.removeLast().reductions : []
            if parallel { parallelLoopDepths.removeLast() }
            loopDepth -= 1
            scopes.removeLast()
            guard let lo, let hi else { return nil }
            return .forLoop(variable: v, start: lo, end: hi, step: by, parallel: parallel, reductions: reductions, body: b)
        case .breakLoop, .continueLoop:
            if loopDepth == 0 {
                bag.error("outside_loop", "'\(s.kind == .breakLoop ? "break" : "continue")' outside a loop", at: s.range)
                return nil
            }
            if parallelLoopDepths.last == loopDepth, s.kind == .breakLoop {
                bag.error("parallel_break", "'break' is not allowed in a parallel loop", at: s.range)
            }
            return s.kind == .breakLoop ? .breakLoop : .continueLoop
        case .returnValue(let values):
            if !parallelLoops.isEmpty {
                bag.error("parallel_return", "'return' is not allowed in a parallel loop", at: s.range)
                return nil
            }
            // A whole-array expression is computed into a new array first.
            var prefix: [KernelStatement] = []
            var rewritten: [Expr] = []
            for (n, v) in values.enumerated() {
                if arrayExpr(v, quiet: true) == nil, !wholeArrays(v).isEmpty {
                    let temp = "$ret\(n)"
                    guard let statements = elementwise(temp, v, s.range) else { return nil }
                    prefix.append(statements)
                    rewritten.append(Expr(.name(temp), v.range))
                } else {
                    rewritten.append(v)
                }
            }
            guard let r = returnStatement(rewritten, s.range) else { return nil }
            return prefix.isEmpty ? r : .sequence(prefix + [r])
        case .expression(let e):
            if case .call("$require", _, let args) = e.kind {
                var code: Int32 = 6
                if args.count == 2, case .integer(let c) = args[1].kind { code = Int32(c) }
                return scalar(args[0], as: .bool, truth: true).map { .require($0, at: location(e.range), code: code) }
            }
            guard case .call = e.kind else {
                bag.error("unused_value", "an expression statement must be a call such as seed(42)", at: s.range)
                return nil
            }
            return scalar(e).map { .evaluate($0) }
        }
    }

    func arrayType(_ a: KernelArrayExpr) -> KernelType {
        switch a {
        case .variable(let v): return variables[v].type
        case .view(let v, let idx, _):
            let dropped = idx.filter { if case .single = $0 { return true }; return false }.count
            return .array(variables[v].type.dtype, rank: variables[v].type.rank - dropped)
        case .allocate(let d, let shape, _, _): return .array(d, rank: shape.count)
        }
    }

    mutating func assignment(_ target: AssignTarget, _ op: BinaryOperator?, _ value: Expr,
                                     _ range: SourceRange) -> KernelStatement? {
        switch target {
        case .variable(let name):
            guard let v = lookup(name) else {
                unknownName(name, at: range)
                return nil
            }
            let variable = variables[v]
            if variable.type.isArray {
                bag.error("assign_array", "'\(name)' is an array; assign to its elements (\(name)[i] = ...)", at: range)
                return nil
            }
            if !variable.mutable {
                bag.error("assign_constant", "cannot assign to '\(name)': it is a 'let' constant or a parameter",
                          at: range, notes: [DiagnosticNote("declare it with 'var' to change it")])
                return nil
            }
            let rhs = op.map { Expr(.binary($0, Expr(.name(name), range), value), range) } ?? value
            if let loop = parallelLoops.last, scopes[..<loop.outerScopes].contains(where: { $0[name] == v }) {
                // A write to a variable from outside the parallel loop: only reductions are allowed.
                let reduction = detectReduction(name, op, value)
                guard let reduction else {
                    bag.error("shared_write", "'\(name)' is shared by the iterations of a parallel loop; only reductions ('\(name) += ...', '\(name) *= ...', '\(name) = min(\(name), ...)', '\(name) = max(\(name), ...)') may update it",
                              at: range)
                    return nil
                }
                // Every enclosing parallel loop that the variable is outside of reduces it.
                for l in parallelLoops.indices where scopes[..<parallelLoops[l].outerScopes].contains(where: { $0[name] == v })
                    && !parallelLoops[l].reductions.contains(where: { $0.variable == v }) {
                    parallelLoops[l].reductions.append(KernelLoopReduction(variable: v, op: reduction))
                }
            }
            guard let e = scalar(rhs, as: variable.type.dtype, assigning: name) else { return nil }
            return .assign(variable: v, e)
        case .element(let target):
            guard case .index(let base, let indices) = target.kind, case .name(let name) = base.kind,
                  let v = lookup(name), variables[v].type.isArray else {
                if case .index(let base, _) = target.kind, case .name(let name) = base.kind, lookup(name) == nil {
                    unknownName(name, at: base.range)
                } else {
                    bag.error("bad_assignment_target", "only elements of array variables can be assigned to", at: target.range)
                }
                return nil
            }
            let rank = variables[v].type.rank
            guard indices.count == rank else {
                bag.error("wrong_index_count", "'\(name)' has \(rank) dimension\(rank == 1 ? "" : "s") but \(indices.count) ind\(indices.count == 1 ? "ex was" : "ices were") given",
                          at: target.range)
                return nil
            }
            let idx = indices.compactMap { index($0) }
            let rhs = op.map { Expr(.binary($0, target, value), range) } ?? value
            guard idx.count == rank, let e = scalar(rhs, as: variables[v].type.dtype, assigning: "\(name)[...]") else { return nil }
            return .store(array: v, indices: idx, value: e, at: location(target.range))
        }
    }

    /// `s += e`, `s *= e`, `s = min(s, e)`, `s = max(s, e)` on an outer variable.
    func detectReduction(_ name: String, _ op: BinaryOperator?, _ value: Expr) -> ReductionOp? {
        if op == .add { return .sum }
        if op == .multiply { return .prod }
        if op == nil, case .call(let f, _, let args) = value.kind, f == "min" || f == "max", args.count == 2,
           args.contains(where: { $0.kind == .name(name) }) {
            return f == "min" ? .min : .max
        }
        return nil
    }

    mutating func returnStatement(_ values: [Expr], _ range: SourceRange) -> KernelStatement? {
        var returns: [KernelReturn] = []
        var types: [KernelType] = []
        for v in values {
            if let a = arrayExpr(v, quiet: true) {
                returns.append(.array(a))
                types.append(arrayType(a))
            } else if let e = scalar(v) {
                returns.append(.scalar(e))
                types.append(.scalar(e.type))
            } else {
                return nil
            }
        }
        if let declared = returnTypes {
            guard declared.count == types.count else {
                bag.error("return_count", "the kernel returns \(declared.count) value\(declared.count == 1 ? "" : "s"), but this returns \(types.count)", at: range)
                return nil
            }
            for (i, (want, got)) in zip(declared, types).enumerated() where want != got {
                if case .scalar(let w) = want, case .scalar(let g) = got, case .scalar(let value) = returns[i],
                   Promotion.assignable(g, weak: value.function.parameters.isEmpty, to: w) {
                    if case .scalar(var e) = returns[i] {
                        e.function = Pipeline.run(castResult(e.function, to: w), options: options)
                        returns[i] = .scalar(e)
                    }
                    continue
                }
                let hint = want.isArray || got.isArray ? [] : [DiagnosticNote(Promotion.conversionHint(to: want.dtype))]
                bag.error("return_type", "returns \(got) where the kernel's return type says \(want)", at: values[i].range, notes: hint)
            }
        } else {
            returnTypes = types
        }
        return .returnValues(returns)
    }

    func castResult(_ f: IRFunction, to dtype: DType) -> IRFunction {
        var b = IRBuilder(parameters: f.parameters)
        var map: [ValueID] = []
        for inst in f.instructions {
            let m: (ValueID) -> ValueID = { map[Int($0.index)] }
            var op = inst.op
            switch op {
            case .cast(let a): op = .cast(m(a))
            case .unary(let u, let a): op = .unary(u, m(a))
            case .binary(let o, let x, let y): op = .binary(o, m(x), m(y))
            case .compare(let o, let x, let y): op = .compare(o, m(x), m(y))
            case .call(let n, let args): op = .call(n, args.map(m))
            case .select(let c, let x, let y): op = .select(m(c), m(x), m(y))
            default: break
            }
            map.append(b.emit(IRInstruction(op, inst.type)))
        }
        // Cast first: `b.finish(result: b.cast(...))` would finish a copy of `b` taken before the cast.
        let result = b.cast(map[Int(f.result.index)], to: dtype)
        return b.finish(result: result)
    }

    // MARK: arrays

    mutating func arrayExpr(_ e: Expr, quiet: Bool) -> KernelArrayExpr? {
        switch e.kind {
        case .name(let n):
            guard let v = lookup(n), variables[v].type.isArray else { return nil }
            return .variable(v)
        case .index(let base, let indices):
            guard indices.contains(where: isSliceIndex),
                  case .name(let n) = base.kind, let v = lookup(n), variables[v].type.isArray else { return nil }
            let rank = variables[v].type.rank
            guard indices.count == rank else {
                bag.error("wrong_index_count", "'\(n)' has \(rank) dimension\(rank == 1 ? "" : "s") but \(indices.count) were indexed", at: e.range)
                return nil
            }
            var parts: [KernelIndex] = []
            for i in indices {
                if case .slice(let lo, let hi) = i.kind {
                    guard let l = scalar(lo, as: .int64), let h = scalar(hi, as: .int64) else { return nil }
                    parts.append(.range(l, h, step: nil))
                } else if case .call("stride", _, _) = i.kind {
                    guard let (lo, hi, by) = strideIndex(i), let l = scalar(lo, as: .int64), let h = scalar(hi, as: .int64), let s = scalar(by, as: .int64) else { return nil }
                    parts.append(.range(l, h, step: s))
                } else {
                    guard let x = index(i) else { return nil }
                    parts.append(.single(x))
                }
            }
            return .view(of: v, parts, at: location(e.range))
        case .call(let name, _, let args) where ["zeros", "ones", "empty", "zeros_like", "ones_like", "empty_like", "full"].contains(name):
            return allocation(name, args, e.range)
        default:
            return nil
        }
    }

    /// zeros(n, m, dtype=f64), ones(...), empty(...), full(n, m, value=x), *_like(a, dtype=...).
    mutating func allocation(_ name: String, _ args: [Expr], _ range: SourceRange) -> KernelArrayExpr? {
        var dtype: DType = .float64
        var fill: Expr?
        var dims: [Expr] = []
        var like: Int?
        for a in args {
            if case .keyword(let label, let value) = a.kind {
                switch label {
                case "dtype":
                    guard case .name(let t) = value.kind, let d = DType(name: t) else {
                        bag.error("unknown_type", "dtype must be a type name such as f64, i64 or bool", at: value.range)
                        return nil
                    }
                    dtype = d
                case "value" where name == "full": fill = value
                default:
                    bag.error("unexpected_keyword", "'\(name)' takes dims and dtype=\(name == "full" ? " and value=" : "")", at: a.range)
                    return nil
                }
            } else {
                dims.append(a)
            }
        }
        if name.hasSuffix("_like") {
            guard dims.count == 1, case .name(let n) = dims[0].kind, let v = lookup(n), variables[v].type.isArray else {
                bag.error("bad_allocation", "'\(name)' takes one array (and optionally dtype=)", at: range)
                return nil
            }
            like = v
            if !args.contains(where: { if case .keyword("dtype", _) = $0.kind { return true }; return false }) {
                dtype = variables[v].type.dtype
            }
        }
        guard like != nil || !dims.isEmpty else {
            bag.error("bad_allocation", "'\(name)' needs at least one dimension", at: range)
            return nil
        }
        let shape: [KernelScalarExpr]
        if let like {
            shape = (0..<variables[like].type.rank).map { axis in
                extentExpr(like, axis, at: range)
            }
        } else {
            let s = dims.compactMap { scalar($0, as: .int64) }
            guard s.count == dims.count else { return nil }
            shape = s
        }
        var contents: KernelFill = name.hasPrefix("empty") ? .uninitialized : .zeros
        if name.hasPrefix("ones") {
            let one = dtype == .bool ? Expr(.boolean(true), range) : Expr(.integer(1), range)
            guard let one = scalar(one, as: dtype) else { return nil }
            contents = .value(one)
        }
        if let fill {
            guard let value = scalar(fill, as: dtype) else { return nil }
            contents = .value(value)
        }
        return .allocate(dtype, shape: shape, fill: contents, at: location(range))
    }

    func extentExpr(_ v: Int, _ axis: Int, at range: SourceRange) -> KernelScalarExpr {
        var b = IRBuilder(parameters: [IRParameter(name: "$0", dtype: .int64, kind: .scalar)])
        let r = b.emit(.argument(0), .int64)
        return KernelScalarExpr(function: b.finish(result: r), operands: [.extent(array: v, axis: axis)],
                                location: location(range))
    }

    // MARK: scalar expressions

    mutating func index(_ e: Expr) -> KernelScalarExpr? {
        guard let x = scalar(e) else { return nil }
        guard x.type.isInteger || x.type.isBool else {
            bag.error("index_type", "array indices must be integers, not \(x.type.rawValue)", at: e.range)
            return nil
        }
        return x.type == .int64 ? x : scalar(e, as: .int64)
    }

    mutating func unknownName(_ name: String, at range: SourceRange) {
        var notes: [DiagnosticNote] = []
        if let s = NameSuggestion.closest(to: name, in: visibleNames()) { notes.append(DiagnosticNote("did you mean '\(s)'?")) }
        bag.error("unknown_variable", "unknown variable '\(name)'", at: range, notes: notes)
    }

    /// A scalar expression, converted to `dtype` when given (an assignment's or a condition's).
    mutating func scalar(_ e: Expr, as dtype: DType? = nil, assigning: String? = nil, truth: Bool = false) -> KernelScalarExpr? {
        var operands: [KernelOperand] = []
        var types: [DType] = []
        var ok = true
        func bind(_ op: KernelOperand, _ t: DType) -> String {
            if let i = operands.firstIndex(of: op) { return "$\(i)" }
            operands.append(op)
            types.append(t)
            return "$\(operands.count - 1)"
        }
        func rewrite(_ e: Expr) -> Expr {
            switch e.kind {
            case .name(let n):
                guard let v = lookup(n) else {
                    if let c = KernelChecker.constants[n] { return Expr(.float(c), e.range) }
                    if Builtins.lookup(n) == nil { unknownName(n, at: e.range); ok = false }
                    return e
                }
                if variables[v].type.isArray {
                    bag.error("array_as_scalar", "'\(n)' is an array; index it (\(n)[i]) to read an element", at: e.range)
                    ok = false
                    return e
                }
                return Expr(.name(bind(.variable(v), variables[v].type.dtype)), e.range)
            case .index(let base, let indices):
                if case .member(let arr, "shape") = base.kind, case .name(let n) = arr.kind, let v = lookup(n),
                   variables[v].type.isArray, indices.count == 1, case .integer(let k) = indices[0].kind {
                    guard k >= 0 && Int(k) < variables[v].type.rank else {
                        bag.error("bad_axis", "'\(n)' has \(variables[v].type.rank) dimensions; shape[\(k)] does not exist", at: e.range)
                        ok = false
                        return e
                    }
                    return Expr(.name(bind(.extent(array: v, axis: Int(k)), .int64)), e.range)
                }
                guard case .name(let n) = base.kind, let v = lookup(n), variables[v].type.isArray else {
                    notIndexable(base)
                    ok = false
                    return e
                }
                let rank = variables[v].type.rank
                guard indices.count == rank else {
                    bag.error("wrong_index_count", "'\(n)' has \(rank) dimension\(rank == 1 ? "" : "s") but \(indices.count) ind\(indices.count == 1 ? "ex was" : "ices were") given", at: e.range)
                    ok = false
                    return e
                }
                if indices.contains(where: isSliceIndex) {
                    bag.error("slice_in_expression", "a slice makes an array; bind it with 'let' before using its elements", at: e.range)
                    ok = false
                    return e
                }
                let idx = indices.compactMap { index($0) }
                guard idx.count == rank else { ok = false; return e }
                return Expr(.name(bind(.element(array: v, indices: idx, at: location(e.range)), variables[v].type.dtype)), e.range)
            case .member(let base, let name) where name == "real" || name == "imag":
                return Expr(.member(rewrite(base), name), e.range)  // z.real: TypeSpecializer
            case .member(_, let name):
                bag.error("unknown_attribute", "unknown attribute '\(name)' (arrays have .shape[k])", at: e.range)
                ok = false
                return e
            case .call("len", _, let args):
                // len of a whole-array expression (`len(a * a)`, from a helper) is its arrays' length.
                let n: String? = args.count != 1 ? nil : { if case .name(let n) = args[0].kind { return n }; return wholeArrays(args[0]).first }()
                guard let n, let v = lookup(n), variables[v].type.isArray else {
                    bag.error("bad_len", "len takes one array", at: e.range)
                    ok = false
                    return e
                }
                return Expr(.name(bind(.extent(array: v, axis: 0), .int64)), e.range)
            case .call(let name, _, _) where ["mean", "var", "std"].contains(name) && module.declaration(name) == nil:
                bag.error("statistic_in_kernel", "'\(name)' is not available in kernels (it is in expressions)", at: e.range,
                          notes: [DiagnosticNote("compute it with a loop, e.g. the mean as sum(x) / len(x)")])
                ok = false
                return e
            case .call(let name, let nameRange, let args):
                if (name == "min" || name == "max") && args.count == 2 {
                    return Expr(.call(name: name == "min" ? "minimum" : "maximum", nameRange: nameRange,
                                      arguments: args.map(rewrite)), e.range)
                }
                if let helper = module.declaration(name), helper.isHelper {
                    guard let body = inline(helper, args, e.range) else { ok = false; return e }
                    inlineDepth += 1
                    inlining.append(helper.name)
                    defer { inlineDepth -= 1; inlining.removeLast() }
                    return rewrite(body)
                }
                return Expr(.call(name: name, nameRange: nameRange, arguments: args.map(rewrite)), e.range)
            case .unary(let op, let a): return Expr(.unary(op, rewrite(a)), e.range)
            case .binary(let op, let a, let b): return Expr(.binary(op, rewrite(a), rewrite(b)), e.range)
            case .keyword(let n, let v): return Expr(.keyword(name: n, value: rewrite(v)), e.range)
            case .slice:
                bag.error("slice_in_expression", "'..<' is only allowed inside an index or a for loop", at: e.range)
                ok = false
                return e
            default: return e
            }
        }
        let rewritten = BuiltinExpansion.expand(rewrite(e), constants: false)
        guard ok else { return nil }
        let signature = Signature(types.enumerated().map { ("$\($0.offset)", ArgumentType.scalar($0.element)) })
        do {
            var f = try TypeSpecializer.specialize(rewritten, source: source, signature: signature)
            if let dtype, f.resultType != dtype {
                let natural = f.resultType
                // Literal-only values are weak (Python scalars): `var s: f32 = 0.0` is fine, `n = 2.5`
                // for an integer `n` is not. Conditions take any value's truth.
                let weak = f.parameters.isEmpty
                guard truth || Promotion.assignable(natural, weak: weak, to: dtype) else {
                    lossyStore(natural, into: dtype, assigning, at: e.range)
                    return nil
                }
                if weak, dtype.isInteger, case .int(let v)? = constantResult(f),
                   let bounds = dtype.integerRange, !bounds.contains(v) {
                    bag.error("literal_out_of_range", "integer constant \(v) is out of bounds for \(dtype.rawValue)", at: e.range)
                    return nil
                }
                f = try TypeSpecializer.specialize(rewritten, source: source, signature: signature,
                                                   output: ArgumentType.scalar(dtype))
            }
            f = Pipeline.run(f, options: options)
            return KernelScalarExpr(function: f, operands: operands, location: location(e.range))
        } catch let d as DiagnosticError {
            for diagnostic in d.diagnostics { bag.report(diagnostic) }
            return nil
        } catch {
            return nil
        }
    }

    /// Whether a call of `helper` at `range` may be inlined here: not from inside itself, not
    /// nested too deep, not past the kernel's budget of inlined copies. Reports why not.
    mutating func mayInline(_ helper: KernelDecl, _ range: SourceRange) -> Bool {
        if let first = inlining.firstIndex(of: helper.name) {
            let cycle = Array(inlining[first...]) + [helper.name]
            let notes = cycle.count > 2 ? [DiagnosticNote("through the calls \(cycle.joined(separator: " -> "))")] : []
            bag.error("recursive_helper", "helper '\(helper.name)' calls itself; helpers are inlined, so they cannot recurse",
                      at: range, notes: notes)
            return false
        }
        guard inlineDepth < Self.maxInlineDepth else {
            bag.error("helper_nesting", "helper '\(helper.name)' is nested more than \(Self.maxInlineDepth) helpers deep", at: range)
            return false
        }
        inlinedCopies += 1
        guard inlinedCopies <= Self.maxInlinedCopies else {
            if inlinedCopies == Self.maxInlinedCopies + 1 {
                bag.error("helper_expansion", "helper calls expand to more than \(Self.maxInlinedCopies) inlined copies in this kernel",
                          at: range, notes: [DiagnosticNote("every call of a helper is inlined, so helpers calling helpers several times multiply; call them fewer times or use a loop")])
            }
            return false
        }
        return true
    }

    /// A helper `func f(a, b) { return expr }` called with arguments: expr with the parameters
    /// replaced by the argument expressions. Helpers with other statements are reported.
    mutating func inline(_ helper: KernelDecl, _ args: [Expr], _ range: SourceRange) -> Expr? {
        guard helper.body.count == 1, case .returnValue(let values) = helper.body[0].kind, values.count == 1 else {
            bag.error("helper_form", "helper '\(helper.name)' has statements: call it on its own, as in 'let v = \(helper.name)(...)'",
                      at: range)
            return nil
        }
        guard args.count == helper.parameters.count else {
            bag.error("wrong_argument_count", "'\(helper.name)' takes \(helper.parameters.count) arguments, but \(args.count) were given", at: range)
            return nil
        }
        guard mayInline(helper, range) else { return nil }
        let bindings = Dictionary(uniqueKeysWithValues: zip(helper.parameters.map(\.name), args))
        func substitute(_ e: Expr) -> Expr {
            switch e.kind {
            case .name(let n): return bindings[n].map { Expr($0.kind, $0.range) } ?? e
            case .unary(let op, let a): return Expr(.unary(op, substitute(a)), e.range)
            case .binary(let op, let a, let b): return Expr(.binary(op, substitute(a), substitute(b)), e.range)
            case .call(let n, let r, let a): return Expr(.call(name: n, nameRange: r, arguments: a.map(substitute)), e.range)
            case .index(let b, let i): return Expr(.index(substitute(b), i.map(substitute)), e.range)
            case .keyword(let n, let v): return Expr(.keyword(name: n, value: substitute(v)), e.range)
            default: return e
            }
        }
        inlineDepth += 1
        defer { inlineDepth -= 1 }
        return substitute(values[0])
    }
}
