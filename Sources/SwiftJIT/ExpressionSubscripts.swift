// Subscripted names in expressions (`x[1:] - x[:-1]`, `m[0, :] * 2`): the parsed expression in,
// the same expression with each distinct subscript replaced by a parameter of its own (named
// by its text, `x[1:]`, which no variable can be) and the list of those subscripts out. At call
// time each such parameter is bound to the strided view of its variable (no copy), so the
// views feed the one fused loop like any other argument. Indices must be integer constants.
import JITRuntime
import JITSema
import JITSyntax

/// One distinct subscript of an expression.
struct ExpressionSubscript {
    /// The parameter that stands for it in the rewritten expression.
    var name: String
    /// The variable it indexes.
    var base: String
    var items: [IndexItem]
    /// Where each item is in the source, for errors.
    var itemRanges: [SourceRange]

    /// The argument type of the view, for an argument of `type`.
    func type(of type: ArgumentType) throws -> ArgumentType {
        let named = items.filter { $0 != .ellipsis }.count
        let integers = items.filter { if case .index = $0 { return true }; return false }.count
        guard named <= type.rank else {
            throw IndexingError(item: items.indices.filter { items[$0] != .ellipsis }[type.rank],
                                message: "too many indices: '\(base)' is \(type.rank)-dimensional, but \(named) were indexed")
        }
        return ArgumentType(dtype: type.dtype, rank: type.rank - integers, contiguous: type.contiguous && keepsContiguity)
    }

    /// Whether the view of a contiguous array is contiguous whatever its shape: leading integers,
    /// then at most one slice of step 1, then whole axes.
    private var keepsContiguity: Bool {
        var rest = items[...]
        while case .index = rest.first { rest = rest.dropFirst() }
        if case .slice(_, _, let step) = rest.first, step == nil || step == 1 { rest = rest.dropFirst() }
        return rest.allSatisfy { $0 == .ellipsis || $0 == .slice(nil, nil, nil) }
    }

    /// The view of `view` it selects.
    func view(of view: ArgumentView) throws -> ArgumentView {
        let v = try StridedIndex(items, shape: view.shape, strides: view.strides)
        return ArgumentView(dtype: view.dtype, shape: v.shape, strides: v.strides,
                            pointer: view.pointer + v.offset * view.dtype.size, array: view.array)
    }

    /// An indexing error as a diagnostic at the offending item.
    func diagnostic(_ e: IndexingError, source: SourceText) -> JITError {
        .diagnostics(DiagnosticError(source: source, diagnostics: [
            Diagnostic("index_error", e.message, at: itemRanges[min(e.item, itemRanges.count - 1)])]))
    }
}

enum ExpressionSubscripts {
    /// `expr` with subscripts replaced by parameters, and the subscripts, in order of appearance.
    static func extract(_ expr: Expr, source: SourceText) throws -> (Expr, [ExpressionSubscript]) {
        var found: [ExpressionSubscript] = []
        var bag = DiagnosticBag()
        func rewrite(_ e: Expr) -> Expr {
            switch e.kind {
            case .index(let base, let itemExprs):
                guard case .name(let n) = base.kind else { return e }
                var items: [IndexItem] = []
                for item in itemExprs {
                    if let i = indexItem(item, &bag) { items.append(i) }
                }
                let name = n + "[" + items.map(\.description).joined(separator: ", ") + "]"
                if !found.contains(where: { $0.name == name }) {
                    found.append(ExpressionSubscript(name: name, base: n, items: items, itemRanges: itemExprs.map(\.range)))
                }
                return Expr(.name(name), e.range)
            case .unary(let op, let a): return Expr(.unary(op, rewrite(a)), e.range)
            case .binary(let op, let a, let b): return Expr(.binary(op, rewrite(a), rewrite(b)), e.range)
            case .call(let name, let nameRange, let args):
                return Expr(.call(name: name, nameRange: nameRange, arguments: args.map(rewrite)), e.range)
            case .keyword(let name, let value): return Expr(.keyword(name: name, value: rewrite(value)), e.range)
            default: return e
            }
        }
        let result = rewrite(expr)
        if bag.hasErrors { throw JITError.diagnostics(DiagnosticError(source: source, diagnostics: bag.diagnostics)) }
        return (result, found)
    }

    private static func indexItem(_ e: Expr, _ bag: inout DiagnosticBag) -> IndexItem? {
        switch e.kind {
        case .ellipsis: return .ellipsis
        case .stridedSlice(let a, let b, let c):
            let parts = [a, b, c].map { $0.map { integer($0, &bag) } }
            if parts.contains(where: { $0 != nil && $0! == nil }) { return nil }
            return .slice(parts[0] ?? nil, parts[1] ?? nil, parts[2] ?? nil)
        default:
            return integer(e, &bag).map { .index($0) }
        }
    }

    /// An integer constant: a literal, possibly signed.
    private static func integer(_ e: Expr, _ bag: inout DiagnosticBag) -> Int? {
        switch e.kind {
        case .integer(let v): return Int(v)
        case .unary(.negate, let a): return integer(a, &bag).map { -$0 }
        case .unary(.plus, let a): return integer(a, &bag)
        default:
            bag.error("subscript_not_constant",
                      "indices and slice bounds in an expression must be integer constants (use a kernel for computed indices)",
                      at: e.range)
            return nil
        }
    }
}

/// A text that is exactly one subscript of a name, as `x[1:, ::-1]` or `m[0]`: what the REPL
/// shows as a view of the variable rather than evaluating into a new array.
public struct SubscriptText {
    /// The subscripted name.
    public let base: String
    public let items: [IndexItem]
    let parsed: ExpressionSubscript
    let source: SourceText

    /// The subscript, or nil when `text` is anything else (or has syntax errors).
    public init?(_ text: String) {
        source = SourceText(text)
        guard let expr = try? Parser.parseExpression(source), case .index(let b, _) = expr.kind,
              case .name(let n) = b.kind, let (_, found) = try? ExpressionSubscripts.extract(expr, source: source),
              found.count == 1 else { return nil }
        base = n
        items = found[0].items
        parsed = found[0]
    }

    /// NumPy's `a[items]`: a view of `a`; indexing errors are diagnostics at the offending item.
    public func view(of a: NDArray) throws -> NDArray {
        do { return try a.subscripted(items) } catch let e as IndexingError { throw parsed.diagnostic(e, source: source) }
    }
}
