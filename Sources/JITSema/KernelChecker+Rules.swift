// KernelChecker, continued: rules that span a whole kernel or module. In: the checker's state or
// a parsed module; out: diagnostics and conversions. The one assignability rule, its conversion and
// its message (stores, declarations, helper results, returns), builtin names that kernels and
// helpers may not take, and the missing-return check over every path of a kernel's body.
import JITSyntax

/// Why a scalar value may not be stored in a variable, element or return value of some dtype.
enum StoreRefusal {
    /// It would lose information by its type (`n = 2.5` for an integer `n`).
    case lossy
    /// A constant integer outside the target's range (`var v: u8 = 300`, `return max(300, 1)`).
    case outOfRange(String)
}

extension KernelChecker {
    /// `e` stored where `dtype` is wanted (by the one store rule, `storeRefusal`): converted, or
    /// nil after reporting why it may not be stored.
    mutating func stored(_ e: KernelScalarExpr, as dtype: DType, _ assigning: String?, at range: SourceRange) -> KernelScalarExpr? {
        if let refusal = storeRefusal(e.function, into: dtype) {
            report(refusal, e.type, into: dtype, assigning, at: range)
            return nil
        }
        return converted(e, to: dtype)
    }

    /// `e` with its result cast to `dtype` (and the cast optimised like any expression).
    func converted(_ e: KernelScalarExpr, to dtype: DType) -> KernelScalarExpr {
        guard e.type != dtype else { return e }
        var c = e
        c.function = Pipeline.run(castResult(e.function, to: dtype), options: options)
        return c
    }

    /// The one store rule of kernels, for the scalar value `f` computes, stored as `dtype`: a
    /// strong value must promote to `dtype` (NumPy's safe casting); a value from literals only is
    /// weak, a Python scalar: it must not be of a higher kind, and an integer must fold to a
    /// constant that fits. An integer that does not fold (`7 // 0`, left to run time) must fit by
    /// its type. Nil when the store is allowed.
    func storeRefusal(_ f: IRFunction, into dtype: DType) -> StoreRefusal? {
        let natural = f.resultType
        if natural == dtype { return nil }
        let constant = f.parameters.isEmpty ? constantResult(f) : nil
        let weak = f.parameters.isEmpty && (!natural.isInteger || constant != nil)
        guard Promotion.assignable(natural, weak: weak, to: dtype) else { return .lossy }
        if weak, case .int(let v)? = constant, let bounds = dtype.integerRange {
            // uint64 is held as its bit pattern: a negative one is above int64.
            if natural == .uint64 && v < 0 { return .outOfRange("\(UInt64(bitPattern: v))") }
            if !bounds.contains(v) { return .outOfRange("\(v)") }
        }
        return nil
    }

    /// Reports a refused store of a `natural` value in `dtype` (`assigning` names the target).
    mutating func report(_ refusal: StoreRefusal, _ natural: DType, into dtype: DType, _ assigning: String?, at range: SourceRange) {
        switch refusal {
        case .lossy: lossyStore(natural, into: dtype, assigning, at: range)
        case .outOfRange(let v):
            bag.error("literal_out_of_range", "integer constant \(v) is out of bounds for \(dtype.rawValue)", at: range)
        }
    }

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

    /// Whether an index is a slice: `lo..<hi` or `stride(from: lo, to: hi, by: step)`.
    func isSliceIndex(_ e: Expr) -> Bool {
        if case .slice = e.kind { return true }
        if case .call("stride", _, _) = e.kind { return true }
        return false
    }

    /// The bounds and step of a `stride(from:to:by:)` index; reports a malformed one.
    mutating func strideIndex(_ e: Expr) -> (Expr, Expr, Expr)? {
        guard case .call("stride", _, let args) = e.kind else { return nil }
        var labelled: [String: Expr] = [:]
        for a in args { if case .keyword(let label, let value) = a.kind { labelled[label] = value } }
        guard args.count == 3, let f = labelled["from"], let t = labelled["to"], let b = labelled["by"] else {
            bag.error("bad_stride", "a slice with a step is written stride(from: lo, to: hi, by: step)", at: e.range)
            return nil
        }
        return (f, t, b)
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

// MARK: parallel strides

extension KernelChecker {
    /// `parallel for i in stride(from: a, to: b, by: s) { body }` as
    ///     let $from = a; let $by = s; $require($by != 0)
    ///     parallel for $t in 0..<max(0, -(($from - b) // $by)) { let i = $from + $t * $by; body }
    /// (the iteration count is ceil((b - a) / s), for either sign of s).
    mutating func parallelStride(_ name: String, _ start: Expr, _ end: Expr, _ step: Expr, _ body: [Statement],
                                 _ range: SourceRange) -> KernelStatement? {
        let r = range, n = liftedReductions
        liftedReductions += 1
        let from = "$from\(n)", by = "$by\(n)", t = "$t\(n)"
        func ident(_ s: String) -> Expr { Expr(.name(s), r) }
        let nonZero = Expr(.binary(.notEqual, ident(by), Expr(.integer(0), r)), r)
        let span = Expr(.binary(.floorDivide, Expr(.binary(.subtract, ident(from), end), r), ident(by)), r)
        let count = Expr(.call(name: "max", nameRange: r, arguments: [Expr(.integer(0), r), Expr(.unary(.negate, span), r)]), r)
        let i = Expr(.binary(.add, ident(from), Expr(.binary(.multiply, ident(t), ident(by)), r)), r)
        let statements = [
            Statement(.declare(name: from, mutable: false, type: .scalar("i64", rank: 0), value: start), start.range),
            Statement(.declare(name: by, mutable: false, type: .scalar("i64", rank: 0), value: step), step.range),
            Statement(.expression(Expr(.call(name: "$require", nameRange: r, arguments: [nonZero, Expr(.integer(3), r)]), step.range)), step.range),
            Statement(.forLoop(variable: t, start: Expr(.integer(0), r), end: count, step: nil, parallel: true,
                               body: [Statement(.declare(name: name, mutable: false, type: nil, value: i), r)] + body), r),
        ]
        return .sequence(statements.compactMap { statement($0) })
    }
}
