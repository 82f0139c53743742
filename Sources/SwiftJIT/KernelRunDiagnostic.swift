// A kernel's run-time error (index out of range, division by zero, ...) as a diagnostic: the
// line and column the compiled code reports in, the source range of the failing operation out
// (the `a[i]`, the `n // d`), found in the module's syntax tree, so the error is drawn with the
// source line and a caret like a compile error.
import JITRuntime
import JITSyntax

enum KernelRunDiagnostic {
    static func diagnostic(_ e: KernelRunError, in module: KernelModuleAST) -> JITError {
        let source = module.source
        let lineStart = source.lineRange(e.line)
        let lineText = source.slice(SourceRange(lineStart.lowerBound, lineStart.upperBound))
        let offset = lineStart.lowerBound + lineText.prefix(max(0, e.column - 1)).utf8.count
        let range = failing(e.kind, axis: e.axis, at: offset, in: module) ?? SourceRange(offset, min(offset + 1, lineStart.upperBound))
        return .diagnostics(DiagnosticError(source: source, diagnostics: [Diagnostic(e.kind, e.message, at: range)]))
    }

    /// The range of the operation that fails at `offset`: the innermost subscript for an index
    /// error (the index of its axis), the innermost division for a division by zero, else the outermost expression there.
    private static func failing(_ kind: String, axis: Int, at offset: Int, in module: KernelModuleAST) -> SourceRange? {
        var candidates: [Expr] = []
        func visit(_ e: Expr) {
            if e.range.lower == offset { candidates.append(e) }
            guard e.range.lower <= offset && offset < e.range.upper else { return }
            switch e.kind {
            case .unary(_, let a), .member(let a, _), .keyword(_, let a): visit(a)
            case .binary(_, let a, let b), .slice(let a, let b): visit(a); visit(b)
            case .call(_, _, let args): args.forEach(visit)
            case .index(let a, let items): visit(a); items.forEach(visit)
            case .stridedSlice(let a, let b, let c): [a, b, c].compactMap { $0 }.forEach(visit)
            default: break
            }
        }
        func visit(_ s: Statement) {
            guard s.range.lower <= offset && offset < s.range.upper else { return }
            switch s.kind {
            case .declare(_, _, _, let v): visit(v)
            case .assign(let target, _, let v):
                if case .element(let t) = target { visit(t) }
                visit(v)
            case .ifElse(let branches, let otherwise):
                for b in branches { visit(b.condition); b.body.forEach(visit) }
                otherwise?.forEach(visit)
            case .whileLoop(let c, let body): visit(c); body.forEach(visit)
            case .forLoop(_, let start, let end, let step, _, let body):
                visit(start); visit(end); step.map(visit); body.forEach(visit)
            case .returnValue(let values): values.forEach(visit)
            case .expression(let e): visit(e)
            case .breakLoop, .continueLoop: break
            }
        }
        for d in module.declarations { d.body.forEach(visit) }
        let wanted: (Expr) -> Bool
        switch kind {
        case "index_out_of_range":
            wanted = { if case .index = $0.kind { return true }; return false }
        case "division_by_zero":
            wanted = { if case .binary(let op, _, _) = $0.kind { return [.divide, .floorDivide, .modulo].contains(op) }; return false }
        default:
            return candidates.max { $0.range.upper < $1.range.upper }?.range
        }
        guard let found = candidates.filter(wanted).min(by: { $0.range.upper < $1.range.upper }) else {
            return candidates.max { $0.range.upper < $1.range.upper }?.range
        }
        // An index out of range: the index of the failing axis.
        if case .index(_, let items) = found.kind, axis >= 0, axis < items.count { return items[axis].range }
        return found.range
    }
}
