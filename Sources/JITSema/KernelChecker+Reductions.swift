// KernelChecker, continued: whole-array reductions inside kernels. In: a statement whose
// expressions call `sum prod min max` (or `mean var std`, KernelChecker+Statistics) on whole
// arrays (`return sum(x*y) / len(x)`); out: statements that compute each reduction first, in one
// loop nest fused with its argument (no temporary array), into a synthetic variable `$red0, $red1,
// ...`, then the statement reading those variables. Innermost reductions are lifted first
// (`max(abs(x - sum(x) / len(x)))`). Results follow NumPy: integer and bool sums and products accumulate in int64 (uint64 for unsigned),
// min/max keep the dtype, propagate NaN and fail on an empty array.
import JITSyntax

extension KernelChecker {
    /// Whether `e` is a whole-array reduction call `sum(E)`, `prod(E)`, `min(E)`, `max(E)`.
    func isReduction(_ e: Expr) -> Bool {
        guard case .call(let name, _, let args) = e.kind else { return false }
        if isStatistic(name) { return true }
        guard ReductionOp(rawValue: name) != nil else { return false }
        if name == "min" || name == "max" {
            return args.filter { if case .keyword = $0.kind { return false }; return true }.count == 1
        }
        return true
    }

    /// Whether `e` reduces a whole array, itself or through the expression helpers it calls.
    func containsReduction(_ e: Expr) -> Bool {
        var seen: Set<String> = []
        func walk(_ e: Expr) -> Bool {
            if isReduction(e) { return true }
            switch e.kind {
            case .unary(_, let a): return walk(a)
            case .binary(_, let a, let b): return walk(a) || walk(b)
            case .call(let name, _, let args):
                if args.contains(where: walk) { return true }
                guard let body = expressionHelperBody(name), seen.insert(name).inserted else { return false }
                return walk(body)
            case .keyword(_, let v): return walk(v)
            case .index(let b, let i): return walk(b) || i.contains(where: walk)
            default: return false
            }
        }
        return walk(e)
    }

    /// The returned expression of `func name(...) { return e }`.
    func expressionHelperBody(_ name: String) -> Expr? {
        guard let helper = module.declaration(name), helper.isHelper, helper.body.count == 1,
              case .returnValue(let values) = helper.body[0].kind, values.count == 1 else { return nil }
        return values[0]
    }

    /// `s` with the reductions of its expressions lifted into statements before it; nil when
    /// there are none. A `while` condition is recomputed on every iteration, an `else if`
    /// condition only when the branches before it were not taken.
    mutating func liftingReductions(_ s: Statement) -> [Statement]? {
        var prefix: [Statement] = []
        func lift(_ e: Expr) -> Expr { containsReduction(e) ? liftReductions(e, into: &prefix) : e }
        var kind = s.kind
        switch s.kind {
        case .declare(let name, let mutable, let type, let value):
            guard containsReduction(value) else { return nil }
            kind = .declare(name: name, mutable: mutable, type: type, value: lift(value))
        case .assign(let target, let op, let value):
            guard containsReduction(value) else { return nil }
            kind = .assign(target: target, op: op, value: lift(value))
        case .returnValue(let values):
            guard values.contains(where: containsReduction) else { return nil }
            kind = .returnValue(values.map(lift))
        case .expression(let e):
            guard containsReduction(e) else { return nil }
            kind = .expression(lift(e))
        case .forLoop(let v, let start, let end, let step, let parallel, let body):
            guard containsReduction(start) || containsReduction(end) || step.map(containsReduction) == true else { return nil }
            kind = .forLoop(variable: v, start: lift(start), end: lift(end), step: step.map(lift), parallel: parallel, body: body)
        case .ifElse(let branches, let otherwise):
            guard branches.contains(where: { containsReduction($0.condition) }) else { return nil }
            if branches.count > 1, branches.dropFirst().contains(where: { containsReduction($0.condition) }) {
                let rest = Statement(.ifElse(branches: Array(branches.dropFirst()), otherwise: otherwise), s.range)
                return [Statement(.ifElse(branches: [branches[0]], otherwise: [rest]), s.range)]
            }
            kind = .ifElse(branches: [(lift(branches[0].condition), branches[0].body)] + branches.dropFirst(), otherwise: otherwise)
        case .whileLoop(let condition, let body):
            guard containsReduction(condition) else { return nil }
            // while c { body }  ->  while true { <reductions>; if !c' { break }; body }
            let c = lift(condition)
            let exit = Statement(.ifElse(branches: [(Expr(.unary(.invert, c), c.range), [Statement(.breakLoop, s.range)])],
                                         otherwise: nil), s.range)
            return [Statement(.whileLoop(condition: Expr(.boolean(true), condition.range), body: prefix + [exit] + body), s.range)]
        default:
            return nil
        }
        return prefix + [Statement(kind, s.range)]
    }

    /// `e` with each reduction replaced by the variable its lifted loop nest (appended to
    /// `prefix`) computes. Malformed reductions are reported and left in place.
    mutating func liftReductions(_ e: Expr, into prefix: inout [Statement]) -> Expr {
        func visit(_ e: Expr) -> Expr {
            switch e.kind {
            case .unary(let op, let a): return Expr(.unary(op, visit(a)), e.range)
            case .binary(let op, let a, let b): return Expr(.binary(op, visit(a), visit(b)), e.range)
            case .keyword(let n, let v): return Expr(.keyword(name: n, value: visit(v)), e.range)
            case .index(let b, let i): return Expr(.index(b, i.map(visit)), e.range)
            case .call(let name, let nameRange, let args):
                let inner = args.map(visit)
                // An expression helper that reduces is inlined here, so its reductions are lifted too.
                if let helper = module.declaration(name), expressionHelperBody(name) != nil,
                   containsReduction(e), let body = inline(helper, inner, e.range) {
                    inlining.append(name)
                    defer { inlining.removeLast() }
                    return visit(body)
                }
                if isStatistic(name) { return liftStatistic(name, inner, e.range, into: &prefix) ?? Expr(.integer(0), e.range) }
                guard isReduction(e), let op = ReductionOp(rawValue: name) else {
                    return Expr(.call(name: name, nameRange: nameRange, arguments: inner), e.range)
                }
                return liftOne(op, inner, e.range, into: &prefix) ?? Expr(.integer(0), e.range)
            default: return e
            }
        }
        return visit(e)
    }

    /// One reduction: its loop nest appended to `prefix`, the name of its result returned.
    mutating func liftOne(_ op: ReductionOp, _ args: [Expr], _ range: SourceRange, into prefix: inout [Statement]) -> Expr? {
        if let axis = args.first(where: { if case .keyword = $0.kind { return true }; return false }) {
            bag.error("kernel_axis", "'\(op.rawValue)' in a kernel reduces the whole array; 'axis=' is not supported here",
                      at: axis.range, notes: [DiagnosticNote("loop over the other axes and reduce a view, as in sum(m[i, 0..<m.shape[1]])")])
            return nil
        }
        guard args.count == 1 else {
            bag.error("wrong_argument_count", "'\(op.rawValue)' takes one array", at: range)
            return nil
        }
        guard !wholeArrays(args[0]).isEmpty else {
            bag.error("reduction_of_scalar", "'\(op.rawValue)' reduces an array, but its argument is a scalar", at: args[0].range,
                      notes: [DiagnosticNote(op == .min || op == .max ? "for two scalars write \(op.rawValue)(a, b)" : "pass an array variable or a view bound with 'let'")])
            return nil
        }
        guard let loop = arrayLoop(args[0], range) else { return nil }
        let r = range
        let name = "$red\(liftedReductions)"
        liftedReductions += 1
        let acc = op.accumulator(for: loop.dtype)
        let accName = Expr(.name(name), r)
        prefix += Self.sameShapes(loop, r)
        let update: Statement
        switch op {
        case .sum, .prod:
            let identity = Expr(op == .sum ? .integer(0) : .integer(1), r)
            prefix.append(Statement(.declare(name: name, mutable: true, type: .scalar(acc.shortName, rank: 0), value: identity), r))
            update = Statement(.assign(target: .variable(name), op: op == .sum ? .add : .multiply, value: loop.element), r)
        case .min, .max:
            // Start from the first element: an empty array has no minimum (NumPy raises).
            var nonEmpty = Expr(.boolean(true), r)
            for d in 0..<loop.rank {
                let positive = Expr(.binary(.greater, Self.extentSyntax(loop.arrays[0], d, r), Expr(.integer(0), r)), r)
                nonEmpty = Expr(.binary(.bitAnd, nonEmpty, positive), r)
            }
            let code = Expr(.integer(op == .min ? 9 : 10), r)  // 7 is SJ_CANCELLED
            prefix.append(Statement(.expression(Expr(.call(name: "$require", nameRange: r, arguments: [nonEmpty, code]), r)), r))
            let first = Self.substituteArrays(args[0], loop.arrays, (0..<loop.rank).map { _ in Expr(.integer(0), r) })
            prefix.append(Statement(.declare(name: name, mutable: true, type: nil, value: first), r))
            let combined = Expr(.call(name: op.rawValue, nameRange: r, arguments: [accName, loop.element]), r)
            update = Statement(.assign(target: .variable(name), op: nil, value: combined), r)
        }
        prefix.append(Self.nest(loop, [update], r))
        // Visible now, so a reduction around this one can type its element (the prefix statements
        // are checked after lifting, and declare it again).
        declare(name, .scalar(op == .min || op == .max ? loop.dtype : acc), mutable: true)
        return accName
    }
}
