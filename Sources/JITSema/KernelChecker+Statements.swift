// KernelChecker, continued: statements. In: one parsed statement in the current scopes; out: a
// typed KernelStatement (or several in a .sequence) and diagnostics. Declarations, if/while/for,
// break/continue, return, expression statements; assignments and returns are in
// KernelChecker+Assignments.swift.
import JITSyntax

extension KernelChecker {
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
                let v = declare(name, .scalar(want ?? .float64), mutable: mutable)
                if want == nil { untyped.insert(v) }
                return nil
            }
            let v = declare(name, .scalar(e.type), mutable: mutable)
            return .assign(variable: v, e)
        case .assign(let target, let op, let value):
            return assignment(target, op, value, s.range)
        case .ifElse(let branches, let otherwise):
            var typed: [KernelBranch] = []
            for (c, body) in branches {
                let cond = scalar(c, as: .bool, truth: true)
                let b = block(body)
                if let cond { typed.append(KernelBranch(cond, b)) }
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
}
