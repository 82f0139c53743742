// Parser: tokens -> `Expr`, by precedence climbing over one table (clox's Pratt table).
// Python's precedence, lowest first:
//
//   expression ::= bitor (compare_op bitor)?        (chained comparisons are rejected)
//   bitor      ::= bitxor ('|' bitxor)*
//   bitxor     ::= bitand ('^' bitand)*
//   bitand     ::= shift ('&' shift)*
//   shift      ::= arith (('<<' | '>>') arith)*
//   arith      ::= term (('+' | '-') term)*
//   term       ::= unary (('*' | '/' | '//' | '%') unary)*
//   unary      ::= ('-' | '+' | '~') unary | power
//   power      ::= primary ('**' unary)?            (right-associative; -x**2 is -(x**2))
//                | NAME '[' subscript ']' ('**' unary)?   (Parser+Subscript.swift)
//   primary    ::= NUMBER | 'True' | 'False' | 'None' | NAME | NAME '(' [argument (',' argument)*] ')'
//                | '(' expression ')'
//   argument   ::= expression | NAME '=' expression'
//
// Limits keep hostile input a diagnostic: source length, tree height and node count are capped.

/// Parses one expression and reports every syntax error it can recover from.
public struct Parser {
    /// Longest accepted source, in bytes.
    public static let maxSourceBytes = 100_000
    /// Highest accepted expression tree (nesting of parentheses, operators and calls).
    public static let maxDepth = 400

    let source: SourceText
    var tokens: [Token] = []
    var index = 0
    var bag = DiagnosticBag()
    var depth = 0
    /// Stack address below which parsing stops with `nesting_too_deep` (0: unknown).
    var stackFloor: UInt?
    /// Kernel sources also accept `true`/`false`, indexing `a[i]` and attributes `a.shape`.
    var kernelMode = false

    struct TooDeep: Error { var range: SourceRange }

    public init(_ source: SourceText) { self.source = source }

    /// Parses `source` as one expression; throws `DiagnosticError` listing every error.
    public static func parseExpression(_ source: SourceText) throws -> Expr {
        var p = Parser(source)
        return try p.parseWhole()
    }

    /// Parses the whole source as one expression.
    public mutating func parseWhole() throws -> Expr {
        if source.bytes.count > Parser.maxSourceBytes {
            throw DiagnosticError(source: source, diagnostics: [Diagnostic(
                "expression_too_long",
                "expression is \(source.bytes.count) bytes long; the limit is \(Parser.maxSourceBytes)",
                at: SourceRange(0, 0))])
        }
        var lexer = Lexer(source)
        tokens = lexer.tokenize()
        if tokens.count == 1 {
            throw DiagnosticError(source: source, diagnostics: [Diagnostic(
                "empty_expression", "empty expression", at: SourceRange(0, source.bytes.count))])
        }
        var result: Expr
        do {
            result = try parseExpressionRule()
            if case .invalid(let text) = current.kind {
                bag.error("invalid_character", "invalid \(text == "\0" ? "NUL byte" : "character '\(text)'") in expression",
                          at: current.range)
            } else if current.kind != .endOfInput {
                bag.error("unexpected_token", "unexpected \(describe(current)) after the end of the expression",
                          at: current.range)
            }
        } catch let e as TooDeep {
            bag.error("nesting_too_deep", "expression is nested too deeply (the limit is \(Parser.maxDepth) levels)",
                      at: e.range)
            result = Expr(.integer(0), e.range)
        }
        if bag.hasErrors { throw DiagnosticError(source: source, diagnostics: bag.diagnostics) }
        return result
    }

    // MARK: tokens

    var current: Token { tokens[index] }
    mutating func advance() -> Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .endOfInput: return "end of input"
        case .integer, .integerOverflow, .float, .imaginary: return "number '\(source.slice(t.range))'"
        case .name(let n): return "name '\(n)'"
        case .keyword(let k): return "keyword '\(k)'"
        case .invalid(let s): return "character '\(s)'"
        default: return "'\(source.slice(t.range))'"
        }
    }

    mutating func enter(_ range: SourceRange) throws {
        depth += 1
        if depth > Parser.maxDepth { throw TooDeep(range: range) }
        // Past a shallow depth, also stop where this thread's stack would run short (the bounds
        // are looked up once per parse, and only for deeply nested sources).
        if depth > 4 {
            if stackFloor == nil { stackFloor = StackGuard.parserFloor() ?? 0 }
            if StackGuard.currentFrame() < stackFloor! { throw TooDeep(range: range) }
        }
    }

    // MARK: binary operators

    /// Binding power of a binary operator token, with Python's levels (higher binds tighter).
    private func binaryOperator(_ t: Token) -> (BinaryOperator, Int)? {
        switch t.kind {
        case .op(let op):
            switch op {
            case .bitOr: return (.bitOr, 2)
            case .bitXor: return (.bitXor, 3)
            case .bitAnd: return (.bitAnd, 4)
            case .shiftLeft: return (.shiftLeft, 5)
            case .shiftRight: return (.shiftRight, 5)
            case .plus: return (.add, 6)
            case .minus: return (.subtract, 6)
            case .times: return (.multiply, 7)
            case .divide: return (.divide, 7)
            case .floorDivide: return (.floorDivide, 7)
            case .modulo: return (.modulo, 7)
            default: return nil
            }
        default: return nil
        }
    }

    private func comparisonOperator(_ t: Token) -> BinaryOperator? {
        guard case .op(let op) = t.kind else { return nil }
        switch op {
        case .less: return .less
        case .lessEqual: return .lessEqual
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .greaterEqual: return .greaterEqual
        case .greater: return .greater
        default: return nil
        }
    }

    /// Python's `and`/`or` are reported (use `&`/`|`) and parsed at their own, lowest level, so
    /// `x > 1 and x < 5` gives one error, not a second one about chained comparisons.
    mutating func parseExpressionRule() throws -> Expr {
        var left = try parseComparison()
        while case .keyword(let k) = current.kind, k == "and" || k == "or" {
            let t = advance()
            bag.error("python_boolean_operator",
                      "'\(k)' is not supported; use '\(k == "and" ? "&" : "|")' (and parenthesise comparisons)", at: t.range)
            let right = try parseComparison()
            left = Expr(.binary(k == "and" ? .bitAnd : .bitOr, left, right), left.range.union(right.range))
            try checkHeight(left)
        }
        return left
    }

    /// comparison ::= bitor (compare_op bitor)?
    mutating func parseComparison() throws -> Expr {
        var left = try parseBinary(minPower: 2)
        if let op = comparisonOperator(current) {
            _ = advance()
            let right = try parseBinary(minPower: 2)
            left = Expr(.binary(op, left, right), left.range.union(right.range))
            try checkHeight(left)
            if let again = comparisonOperator(current) {
                let t = current
                bag.error("chained_comparison",
                          "chained comparisons are not supported; write '(a \(op.rawValue) b) & (b \(again.rawValue) c)'",
                          at: t.range)
                _ = advance()
                _ = try parseBinary(minPower: 2)
            }
        }
        return left
    }

    /// Precedence climbing for the left-associative levels bitor .. term.
    private mutating func parseBinary(minPower: Int) throws -> Expr {
        var left = try parseUnary()
        while let (op, power) = binaryOperator(current), power >= minPower {
            let t = advance()
            if case .keyword(let k) = t.kind {
                bag.error("python_boolean_operator",
                          "'\(k)' is not supported; use '\(k == "and" ? "&" : "|")' (and parenthesise comparisons)",
                          at: t.range)
            }
            try enter(t.range)
            let right = try parseBinary(minPower: power + 1)
            depth -= 1
            left = Expr(.binary(op, left, right), left.range.union(right.range))
            try checkHeight(left)
        }
        return left
    }

    /// Left-associative chains (`x+x+...+x`) grow the tree without recursing in the parser;
    /// the tree's height is checked too, so later recursive stages stay within the stack.
    func checkHeight(_ e: Expr) throws {
        if e.height > Parser.maxDepth { throw TooDeep(range: e.range) }
    }

    /// unary ::= ('-' | '+' | '~') unary | power
    private mutating func parseUnary() throws -> Expr {
        let t = current
        var op: UnaryOperator?
        switch t.kind {
        case .op(.minus): op = .negate
        case .op(.plus): op = .plus
        case .op(.bitNot): op = .invert
        case .keyword("not"):
            bag.error("python_boolean_operator", "'not' is not supported; use '~' (and parenthesise comparisons)",
                      at: t.range)
            op = .invert
        default: break
        }
        guard let op else { return try parsePower() }
        _ = advance()
        try enter(t.range)
        let operand = try parseUnary()
        depth -= 1
        let node = Expr(.unary(op, operand), t.range.union(operand.range))
        try checkHeight(node)
        return node
    }

    /// power ::= postfix ('**' unary)?
    private mutating func parsePower() throws -> Expr {
        let base = try parsePostfix()
        guard current.kind == .op(.power) else { return base }
        let t = advance()
        try enter(t.range)
        let exponent = try parseUnary()
        depth -= 1
        let node = Expr(.binary(.power, base, exponent), base.range.union(exponent.range))
        try checkHeight(node)
        return node
    }

    /// postfix ::= primary ('[' index (',' index)* ']' | '.' NAME)*      (indexing: kernels only)
    /// index   ::= expression | expression '..<' expression
    private mutating func parsePostfix() throws -> Expr {
        var e = try parsePrimary()
        if !kernelMode, case .name = e.kind, current.kind == .leftBracket { e = try parseSubscript(of: e) }
        while true {
            if kernelMode && current.kind == .leftBracket {
                let open = advance()
                try enter(open.range)
                var indices: [Expr] = []
                while true {
                    let lo = try parseExpressionRule()
                    if current.kind == .halfOpenRange {
                        _ = advance()
                        let hi = try parseExpressionRule()
                        indices.append(Expr(.slice(lo, hi), lo.range.union(hi.range)))
                    } else {
                        indices.append(lo)
                    }
                    if current.kind == .comma { _ = advance(); continue }
                    break
                }
                depth -= 1
                guard current.kind == .rightBracket else {
                    bag.error("expected_close_bracket", "expected ']' to close '[' at column \(source.location(of: open.range.lower).column)",
                              at: current.range)
                    throw DiagnosticError(source: source, diagnostics: bag.diagnostics)
                }
                let close = advance()
                e = Expr(.index(e, indices), e.range.union(close.range))
                try checkHeight(e)
            } else if current.kind == .dot, case .name(let member) = tokens[index + 1].kind {
                _ = advance()
                let name = advance()
                e = Expr(.member(e, member), e.range.union(name.range))
                try checkHeight(e)
            } else {
                break
            }
        }
        return e
    }

    /// primary ::= NUMBER | True | False | NAME | NAME '(' args ')' | '(' expression ')'
    private mutating func parsePrimary() throws -> Expr {
        let t = current
        switch t.kind {
        case .integer(let v):
            _ = advance()
            return Expr(.integer(v), t.range)
        case .integerOverflow:
            _ = advance()
            bag.error("integer_literal_too_large", "integer literal does not fit in int64", at: t.range)
            return Expr(.integer(0), t.range)
        case .float(let v):
            _ = advance()
            return Expr(.float(v), t.range)
        case .imaginary(let v):
            _ = advance()
            return Expr(.imaginary(v), t.range)
        case .name("True"):
            _ = advance()
            return Expr(.boolean(true), t.range)
        case .name("False"):
            _ = advance()
            return Expr(.boolean(false), t.range)
        case .name("true") where kernelMode, .name("false") where kernelMode:
            _ = advance()
            return Expr(.boolean(t.kind == .name("true")), t.range)
        case .name("None"):
            _ = advance()
            return Expr(.none, t.range)
        case .name(let n):
            _ = advance()
            if current.kind == .leftParen { return try parseCall(name: n, nameRange: t.range) }
            return Expr(.name(n), t.range)
        case .leftParen:
            _ = advance()
            try enter(t.range)
            let inner = try parseExpressionRule()
            depth -= 1
            if current.kind == .rightParen {
                let close = advance()
                return Expr(inner.kind, t.range.union(close.range))
            }
            bag.error("expected_close_paren",
                      "expected ')' to close '(' at column \(source.location(of: t.range.lower).column)",
                      at: current.range)
            return inner
        case .keyword(let k):
            _ = advance()
            if k == "not" || k == "and" || k == "or" {
                bag.error("python_boolean_operator", "'\(k)' is not supported; use '\(k == "not" ? "~" : k == "and" ? "&" : "|")'", at: t.range)
            } else {
                bag.error("reserved_word", "'\(k)' is a reserved word and cannot be used in an expression", at: t.range)
            }
            return Expr(.integer(0), t.range)
        case .invalid(let s):
            _ = advance()
            let shown = s == "\0" ? "NUL byte" : "character '\(s)'"
            bag.error("invalid_character", "invalid \(shown) in expression", at: t.range)
            throw DiagnosticError(source: source, diagnostics: bag.diagnostics)
        case .endOfInput:
            bag.error("expected_expression", "expected an expression, found end of input", at: t.range)
            throw DiagnosticError(source: source, diagnostics: bag.diagnostics)
        default:
            bag.error("expected_expression", "expected an expression, found \(describe(t))", at: t.range)
            throw DiagnosticError(source: source, diagnostics: bag.diagnostics)
        }
    }

    /// call ::= NAME '(' [expression (',' expression)*] ')'
    mutating func parseCall(name: String, nameRange: SourceRange) throws -> Expr {
        let open = advance()
        try enter(open.range)
        defer { depth -= 1 }
        var args: [Expr] = []
        if current.kind != .rightParen {
            while true {
                if case .name(let label) = current.kind,
                   tokens[index + 1].kind == .assign || (kernelMode && tokens[index + 1].kind == .colon) {
                    let labelToken = advance()
                    _ = advance()
                    let value = try parseExpressionRule()
                    args.append(Expr(.keyword(name: label, value: value), labelToken.range.union(value.range)))
                    if current.kind == .comma { _ = advance(); continue }
                    break
                }
                args.append(try parseExpressionRule())
                if current.kind == .comma { _ = advance(); continue }
                break
            }
        }
        var end = current.range
        if current.kind == .rightParen {
            end = advance().range
        } else {
            bag.error("expected_close_paren",
                      "expected ')' to close the call of '\(name)' at column \(source.location(of: open.range.lower).column)",
                      at: current.range)
            end = args.last?.range ?? open.range
        }
        let node = Expr(.call(name: name, nameRange: nameRange, arguments: args), nameRange.union(end))
        try checkHeight(node)
        return node
    }
}
