// KernelChecker, continued: statements that expand into several (helpers with statements,
// whole-array expressions).
import JITSyntax

extension KernelChecker {

    // MARK: helpers with statements

    /// The helper a statement calls directly (`let v = f(...)`, `v = f(...)`) when it has statements.
    func statementHelper(_ value: Expr) -> KernelDecl? {
        guard case .call(let name, _, _) = value.kind, lookup(name) == nil,
              let helper = module.declaration(name), helper.isHelper else { return nil }
        if helper.body.count == 1, case .returnValue = helper.body[0].kind { return nil }
        return helper
    }

    /// `let v = f(a, b)` for a helper with statements: its parameters become constants bound to the
    /// arguments and its body runs in a scope of its own; its single, final `return e` gives v.
    mutating func inlineStatements(_ helper: KernelDecl, _ call: Expr, target: String, declare: Bool,
                                           mutable: Bool, _ range: SourceRange) -> KernelStatement? {
        guard case .call(_, _, let args) = call.kind else { return nil }
        guard args.count == helper.parameters.count else {
            bag.error("wrong_argument_count", "'\(helper.name)' takes \(helper.parameters.count) arguments, but \(args.count) were given", at: range)
            return nil
        }
        guard case .returnValue(let values)? = helper.body.last?.kind, values.count == 1,
              !helper.body.dropLast().contains(where: { containsReturn($0) }) else {
            bag.error("helper_form", "helper '\(helper.name)' must end with its only 'return <value>'", at: helper.nameRange)
            return nil
        }
        guard mayInline(helper, range) else { return nil }
        inlineDepth += 1
        inlining.append(helper.name)
        defer { inlineDepth -= 1; inlining.removeLast() }
        // Arguments are evaluated in the caller's scope, then bound in the helper's.
        var statements: [KernelStatement] = []
        var bindings: [(String, KernelStatement.Bound)] = []
        for (p, a) in zip(helper.parameters, args) {
            if let array = arrayExpr(a, quiet: true) {
                bindings.append((p.name, .array(array)))
            } else if let e = scalar(a) {
                bindings.append((p.name, .scalar(e)))
            } else {
                return nil
            }
        }
        scopes.append([:])
        for (name, bound) in bindings {
            switch bound {
            case .array(let a):
                let v = self.declare(name, arrayType(a), mutable: false)
                statements.append(.bind(variable: v, a))
            case .scalar(let e):
                let v = self.declare(name, .scalar(e.type), mutable: false)
                statements.append(.assign(variable: v, e))
            }
        }
        statements += helper.body.dropLast().compactMap { statement($0) }
        let result = scalar(values[0])
        scopes.removeLast()
        guard let result else { return nil }
        if declare {
            let v = self.declare(target, .scalar(result.type), mutable: mutable)
            statements.append(.assign(variable: v, result))
        } else {
            guard let v = lookup(target), variables[v].mutable, !variables[v].type.isArray else {
                bag.error("assign_constant", "cannot assign to '\(target)'", at: range)
                return nil
            }
            guard Promotion.assignable(result.type, weak: result.function.parameters.isEmpty, to: variables[v].type.dtype) else {
                lossyStore(result.type, into: variables[v].type.dtype, target, at: range)
                return nil
            }
            var converted = result
            if result.type != variables[v].type.dtype {
                converted.function = Pipeline.run(castResult(result.function, to: variables[v].type.dtype), options: options)
            }
            statements.append(.assign(variable: v, converted))
        }
        return .sequence(statements)
    }

    func containsReturn(_ s: Statement) -> Bool {
        switch s.kind {
        case .returnValue: return true
        case .ifElse(let branches, let otherwise):
            return branches.contains { $0.body.contains(where: containsReturn) } || (otherwise ?? []).contains(where: containsReturn)
        case .whileLoop(_, let body), .forLoop(_, _, _, _, _, let body): return body.contains(where: containsReturn)
        default: return false
        }
    }

    // MARK: whole-array expressions

    /// Array variables `e` reads whole (not indexed, not as len/shape arguments).
    func wholeArrays(_ e: Expr) -> [String] {
        var names: [String] = []
        func walk(_ e: Expr) {
            switch e.kind {
            case .name(let n):
                if let v = lookup(n), variables[v].type.isArray, !names.contains(n) { names.append(n) }
            case .index, .member: break
            case .call("len", _, _): break
            case .call(_, _, let args): args.forEach(walk)
            case .unary(_, let a): walk(a)
            case .binary(_, let a, let b): walk(a); walk(b)
            case .keyword(_, let v): walk(v)
            default: break
            }
        }
        walk(e)
        return names
    }

    /// `let name = <expression over whole arrays>`: one fused loop nest writing a new array, as
    ///     let name = empty(a.shape[0], ..., dtype=T)
    ///     $require(b.shape[d] == a.shape[d]) ...
    ///     for $i0 in 0..<a.shape[0] { ... name[$i0, ...] = <expression with x -> x[$i0, ...]> }
    mutating func elementwise(_ target: String, _ value: Expr, _ range: SourceRange) -> KernelStatement? {
        let arrayNames = wholeArrays(value)
        let rank = variables[lookup(arrayNames[0])!].type.rank
        for n in arrayNames where variables[lookup(n)!].type.rank != rank {
            bag.error("rank_mismatch", "whole-array expressions need arrays of one rank ('\(arrayNames[0])' has \(rank), '\(n)' has \(variables[lookup(n)!].type.rank)); index them in a loop",
                      at: range)
            return nil
        }
        let r = range
        func ident(_ s: String) -> Expr { Expr(.name(s), r) }
        func int(_ v: Int) -> Expr { Expr(.integer(Int64(v)), r) }
        func extent(_ array: String, _ d: Int) -> Expr { Expr(.index(Expr(.member(ident(array), "shape"), r), [int(d)]), r) }
        let loopVars = (0..<rank).map { "$i\($0)" }
        func substitute(_ e: Expr) -> Expr {
            switch e.kind {
            case .name(let n) where arrayNames.contains(n): return Expr(.index(ident(n), loopVars.map(ident)), e.range)
            case .unary(let op, let a): return Expr(.unary(op, substitute(a)), e.range)
            case .binary(let op, let a, let b): return Expr(.binary(op, substitute(a), substitute(b)), e.range)
            case .call(let f, let fr, let args): return Expr(.call(name: f, nameRange: fr, arguments: args.map(substitute)), e.range)
            case .keyword(let k, let v): return Expr(.keyword(name: k, value: substitute(v)), e.range)
            default: return e
            }
        }
        let element = substitute(value)
        // The element type: the expression typed with the loop variables in scope.
        scopes.append([:])
        loopVars.forEach { declare($0, .scalar(.int64), mutable: false) }
        let probe = scalar(element)
        scopes.removeLast()
        guard let dtype = probe?.type else { return nil }
        var statements: [Statement] = []
        let dims = (0..<rank).map { extent(arrayNames[0], $0) } + [Expr(.keyword(name: "dtype", value: ident(dtype.shortName)), r)]
        statements.append(Statement(.declare(name: target, mutable: false, type: nil,
                                             value: Expr(.call(name: "empty", nameRange: r, arguments: dims), r)), r))
        for other in arrayNames.dropFirst() {
            for d in 0..<rank {
                let same = Expr(.binary(.equal, extent(other, d), extent(arrayNames[0], d)), r)
                statements.append(Statement(.expression(Expr(.call(name: "$require", nameRange: r, arguments: [same]), r)), r))
            }
        }
        var body = [Statement(.assign(target: .element(Expr(.index(ident(target), loopVars.map(ident)), r)), op: nil, value: element), r)]
        for d in stride(from: rank - 1, through: 0, by: -1) {
            body = [Statement(.forLoop(variable: loopVars[d], start: int(0), end: extent(arrayNames[0], d), step: nil,
                                       parallel: false, body: body), r)]
        }
        statements += body
        return .sequence(statements.compactMap { statement($0) })
    }
}
