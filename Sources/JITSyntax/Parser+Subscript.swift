// NumPy subscripts of names in expressions: `x[1]`, `x[1:3]`, `x[::-1]`, `m[0, :]`, `t[..., 0]`.
// Tokens after a name and '[' -> `.index(.name(n), items)`, each item an expression (an integer),
// a `.stridedSlice(start, stop, step)` with optional parts, or `.ellipsis`. Kernels keep their
// own `lo..<hi` indexing (Parser.parsePostfix); what the items may be (integer constants) is
// decided later (SwiftJIT's ExpressionSubscripts).
//
//   subscript ::= item (',' item)* ','?
//   item      ::= '...' | [expression] ':' [expression] [':' [expression]] | expression

extension Parser {
    /// Parses `[items]` after the name `base`.
    mutating func parseSubscript(of base: Expr) throws -> Expr {
        let open = advance()
        try enter(open.range)
        defer { depth -= 1 }
        var items: [Expr] = []
        while current.kind != .rightBracket {
            items.append(try parseSubscriptItem())
            guard current.kind == .comma else { break }
            _ = advance()
        }
        guard current.kind == .rightBracket else {
            bag.error("expected_close_bracket",
                      "expected ']' to close '[' at column \(source.location(of: open.range.lower).column)",
                      at: current.range)
            throw DiagnosticError(source: source, diagnostics: bag.diagnostics)
        }
        let close = advance()
        if items.isEmpty {
            bag.error("empty_subscript", "expected an index or slice inside '[]'", at: open.range.union(close.range))
        }
        let node = Expr(.index(base, items), base.range.union(close.range))
        try checkHeight(node)
        return node
    }

    private mutating func parseSubscriptItem() throws -> Expr {
        let start = current.range
        if isEllipsis {
            _ = advance(); _ = advance()
            let last = advance()
            return Expr(.ellipsis, start.union(last.range))
        }
        var parts: [Expr?] = []
        var end = start
        var colons = 0
        while true {
            if current.kind == .colon || current.kind == .comma || current.kind == .rightBracket {
                parts.append(nil)
            } else {
                let e = try parseExpressionRule()
                parts.append(e)
                end = e.range
            }
            guard current.kind == .colon, colons < 2 else { break }
            end = advance().range
            colons += 1
        }
        if colons == 0, let only = parts[0] { return only }
        while parts.count < 3 { parts.append(nil) }
        return Expr(.stridedSlice(parts[0], parts[1], colons == 2 ? parts[2] : nil), start.union(end))
    }

    /// Three adjacent dots.
    private var isEllipsis: Bool {
        guard current.kind == .dot, index + 2 < tokens.count else { return false }
        let a = tokens[index + 1], b = tokens[index + 2]
        return a.kind == .dot && b.kind == .dot && a.range.lower == current.range.upper && b.range.lower == a.range.upper
    }
}
