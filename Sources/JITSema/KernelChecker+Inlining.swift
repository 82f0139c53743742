// KernelChecker, continued: helper functions, which are inlined at every call. In: a call of a
// helper; out: for an expression helper (`func f(a) { return e }`) the expression with its
// parameters replaced, for a helper with statements those statements in a scope of their own.
// Recursion, nesting depth and the number of inlined copies are bounded and reported.
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
            guard let converted = stored(result, as: variables[v].type.dtype, target, at: range) else { return nil }
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

    // MARK: expression helpers

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
