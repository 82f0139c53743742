// KernelChecker, continued: rules that span a whole kernel or module. In: the checker's state or
// a parsed module; out: diagnostics. The one assignability rule's message (stores, declarations,
// helper results), builtin names that kernels and helpers may not take, and the missing-return
// check over every path of a kernel's body.
import JITSyntax

extension KernelChecker {
    /// Reports a value of `natural` stored where `dtype` is wanted and information would be lost.
    mutating func lossyStore(_ natural: DType, into dtype: DType, _ assigning: String?, at range: SourceRange) {
        let what = assigning.map { "'\($0)' of type \(dtype.rawValue)" } ?? dtype.rawValue
        bag.error("type_mismatch", "cannot store a \(natural.rawValue) value in \(what) without losing information",
                  at: range, notes: [DiagnosticNote(Promotion.conversionHint(to: dtype))])
    }

    /// Reports an indexed name that is not an array variable: unknown (with a suggestion), a
    /// scalar, or not a name at all.
    mutating func notIndexable(_ base: Expr) {
        guard case .name(let n) = base.kind else {
            bag.error("not_an_array", "only array variables can be indexed", at: base.range)
            return
        }
        guard let v = lookup(n) else {
            unknownName(n, at: base.range)
            return
        }
        bag.error("not_an_array", "'\(n)' is a \(variables[v].type) scalar; only array variables can be indexed", at: base.range)
    }

    /// The constant `f` folds to, if it does.
    func constantResult(_ f: IRFunction) -> Constant? {
        let folded = Pipeline.run(f, options: options)
        if case .constant(let c) = folded[folded.result].op { return c }
        return nil
    }
}

// MARK: missing returns

extension KernelChecker {
    /// A kernel that returns a value (declared `-> T`, or `return v` somewhere) must return on every
    /// path: reports the closing brace when control can reach it, at compile time.
    mutating func checkReturns(_ decl: KernelDecl) {
        guard decl.returnType != nil || decl.body.contains(where: returnsValue) else { return }
        guard Self.completesNormally(decl.body) else { return }
        let end = max(decl.range.lower, decl.range.upper - 1)
        let declared = decl.returnType.map { "it is declared to return \($0)" } ?? "other paths return a value"
        bag.error("missing_return", "kernel '\(decl.name)' can reach its end without returning a value",
                  at: SourceRange(end, decl.range.upper),
                  notes: [DiagnosticNote("\(declared); add a 'return' at the end or on every path", at: decl.nameRange)])
    }

    func returnsValue(_ s: Statement) -> Bool {
        switch s.kind {
        case .returnValue(let values): return !values.isEmpty
        case .ifElse(let branches, let otherwise):
            return branches.contains { $0.body.contains(where: returnsValue) } || (otherwise ?? []).contains(where: returnsValue)
        case .whileLoop(_, let body), .forLoop(_, _, _, _, _, let body): return body.contains(where: returnsValue)
        default: return false
        }
    }

    /// Whether control can run off the end of `statements` (Swift's definite-return rule): `return`,
    /// `break` and `continue` end a path, an `if` ends it only with an `else` whose every branch
    /// ends it, a `for` or a `while` over a condition may run zero times, and `while true` ends it
    /// unless a `break` leaves it.
    static func completesNormally(_ statements: [Statement]) -> Bool {
        for s in statements where !completesNormally(s) { return false }
        return true
    }

    static func completesNormally(_ s: Statement) -> Bool {
        switch s.kind {
        case .returnValue, .breakLoop, .continueLoop: return false
        case .ifElse(let branches, let otherwise):
            guard let otherwise else { return true }
            return branches.contains { completesNormally($0.body) } || completesNormally(otherwise)
        case .whileLoop(let condition, let body):
            guard case .boolean(true) = condition.kind else { return true }
            return body.contains(where: breaksOut)
        default: return true
        }
    }

    /// Whether `s` contains a `break` of the loop it is in (not of a loop nested inside it).
    static func breaksOut(_ s: Statement) -> Bool {
        switch s.kind {
        case .breakLoop: return true
        case .ifElse(let branches, let otherwise):
            return branches.contains { $0.body.contains(where: breaksOut) } || (otherwise ?? []).contains(where: breaksOut)
        default: return false
        }
    }
}
