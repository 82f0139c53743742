// KernelParser: kernel source text -> KernelModuleAST. Statements are parsed here; every
// expression inside them by the expression parser (Parser, in kernel mode).
//
//   source     ::= decl*
//   decl       ::= ('kernel' | 'func') NAME '(' [param (',' param)*] ')' ['->' type] block
//   param      ::= NAME [':' type]
//   type       ::= NAME ['[' ','* ']'] | '(' type (',' type)* ')'
//   block      ::= '{' statement* '}'
//   statement  ::= ('let' | 'var') NAME [':' type] '=' expression
//                | target ('=' | '+=' | '-=' | '*=' | '/=' | '//=' | '%=' | '**=' | ...) expression
//                | 'if' expression block ('else' 'if' expression block)* ['else' block]
//                | 'while' expression block
//                | ['parallel'] 'for' NAME 'in' range block
//                | 'break' | 'continue' | 'return' [expression (',' expression)*]
//                | expression                                   (a call, for its effect)
//   range      ::= expression '..<' expression
//                | 'stride' '(' 'from' ':' expression ',' 'to' ':' expression ',' 'by' ':' expression ')'
//   target     ::= NAME | NAME '[' index (',' index)* ']'
//
// Comments start with '#'. Statements may be separated by ';' (optional).

extension Parser {
    /// Parses a kernel source; throws `DiagnosticError` with every syntax error found.
    public static func parseKernels(_ source: SourceText) throws -> KernelModuleAST {
        if source.bytes.count > Parser.maxKernelSourceBytes {
            throw DiagnosticError(source: source, diagnostics: [Diagnostic(
                "source_too_long", "kernel source is \(source.bytes.count) bytes long; the limit is \(Parser.maxKernelSourceBytes)",
                at: SourceRange(0, 0))])
        }
        var p = Parser(source)
        p.kernelMode = true
        var lexer = Lexer(source)
        p.tokens = lexer.tokenize()
        var decls: [KernelDecl] = []
        do {
            while p.current.kind != .endOfInput {
                decls.append(try p.parseDecl())
            }
        } catch let e as TooDeep {
            p.bag.error("nesting_too_deep", "kernel is nested too deeply (the limit is \(Parser.maxDepth) levels)", at: e.range)
        } catch let d as DiagnosticError {
            throw DiagnosticError(source: source, diagnostics: d.diagnostics)
        }
        if p.bag.hasErrors { throw DiagnosticError(source: source, diagnostics: p.bag.diagnostics) }
        if decls.isEmpty {
            throw DiagnosticError(source: source, diagnostics: [Diagnostic(
                "empty_source", "the source declares no kernel", at: SourceRange(0, source.bytes.count))])
        }
        var seen: [String: SourceRange] = [:]
        var bag = DiagnosticBag()
        for d in decls {
            if let first = seen[d.name] {
                bag.error("duplicate_declaration", "'\(d.name)' is declared twice", at: d.nameRange,
                          notes: [DiagnosticNote("first declared here", at: first)])
            }
            seen[d.name] = d.nameRange
        }
        if bag.hasErrors { throw DiagnosticError(source: source, diagnostics: bag.diagnostics) }
        return KernelModuleAST(source: source, declarations: decls)
    }

    /// Longest accepted kernel source, in bytes.
    public static let maxKernelSourceBytes = 1_000_000

    private mutating func fail(_ id: String, _ message: String, at range: SourceRange) -> DiagnosticError {
        bag.error(id, message, at: range)
        return DiagnosticError(source: source, diagnostics: bag.diagnostics)
    }

    private mutating func expect(_ kind: TokenKind, _ what: String) throws -> Token {
        guard current.kind == kind else {
            throw fail("expected_token", "expected \(what), found \(describe(current))", at: current.range)
        }
        return advance()
    }

    private mutating func expectName(_ what: String) throws -> Token {
        guard case .name = current.kind else {
            throw fail("expected_name", "expected \(what), found \(describe(current))", at: current.range)
        }
        return advance()
    }

    private func isWord(_ w: String) -> Bool {
        current.kind == .name(w) || current.kind == .keyword(w)
    }

    /// decl ::= ('kernel' | 'func') NAME '(' params ')' ['->' type] block
    mutating func parseDecl() throws -> KernelDecl {
        let start = current
        guard isWord("kernel") || isWord("func") || isWord("def") else {
            throw fail("expected_declaration", "expected 'kernel' or 'func', found \(describe(current))", at: current.range)
        }
        let isHelper = !isWord("kernel")
        _ = advance()
        let nameToken = try expectName("a name after '\(isHelper ? "func" : "kernel")'")
        guard case .name(let name) = nameToken.kind else { preconditionFailure() }
        _ = try expect(.leftParen, "'(' to start the parameters")
        var params: [KernelParameter] = []
        if current.kind != .rightParen {
            while true {
                let p = try expectName("a parameter name")
                guard case .name(let pname) = p.kind else { preconditionFailure() }
                var type: TypeAnnotation?
                if current.kind == .colon {
                    _ = advance()
                    type = try parseType()
                }
                params.append(KernelParameter(name: pname, type: type, range: p.range))
                if current.kind == .comma { _ = advance(); continue }
                break
            }
        }
        _ = try expect(.rightParen, "')' to end the parameters")
        var returnType: TypeAnnotation?
        if current.kind == .arrow {
            _ = advance()
            returnType = try parseType()
        }
        let body = try parseBlock()
        let end = tokens[max(0, index - 1)].range
        return KernelDecl(name: name, nameRange: nameToken.range, isHelper: isHelper, parameters: params,
                          returnType: returnType, body: body, range: start.range.union(end))
    }

    /// type ::= NAME ['[' ','* ']'] | '(' type (',' type)* ')'
    mutating func parseType() throws -> TypeAnnotation {
        if current.kind == .leftParen {
            _ = advance()
            var items: [TypeAnnotation] = []
            while true {
                items.append(try parseType())
                if current.kind == .comma { _ = advance(); continue }
                break
            }
            _ = try expect(.rightParen, "')' to end the tuple type")
            return .tuple(items)
        }
        let t = try expectName("a type such as f64 or f64[]")
        guard case .name(let name) = t.kind else { preconditionFailure() }
        var rank = 0
        if current.kind == .leftBracket {
            _ = advance()
            rank = 1
            while current.kind == .comma { _ = advance(); rank += 1 }
            _ = try expect(.rightBracket, "']' to end the array type")
        }
        return .scalar(name, rank: rank)
    }

    /// block ::= '{' statement* '}'
    mutating func parseBlock() throws -> [Statement] {
        let open = try expect(.leftBrace, "'{'")
        try enter(open.range)
        defer { depth -= 1 }
        var body: [Statement] = []
        while current.kind != .rightBrace {
            if current.kind == .endOfInput {
                let (line, column) = source.location(of: open.range.lower)
                throw fail("expected_close_brace", "expected '}' to close the '{' at \(line):\(column)", at: current.range)
            }
            if current.kind == .semicolon { _ = advance(); continue }
            body.append(try parseStatement())
        }
        _ = advance()
        return body
    }

    mutating func parseStatement() throws -> Statement {
        let start = current
        func finish(_ kind: Statement.Kind) -> Statement {
            Statement(kind, start.range.union(tokens[max(0, index - 1)].range))
        }
        if isWord("let") || isWord("var") {
            let mutable = isWord("var")
            _ = advance()
            let nameToken = try expectName("a variable name")
            guard case .name(let name) = nameToken.kind else { preconditionFailure() }
            var type: TypeAnnotation?
            if current.kind == .colon {
                _ = advance()
                type = try parseType()
            }
            _ = try expect(.assign, "'=' and an initial value")
            let value = try parseExpressionRule()
            return finish(.declare(name: name, mutable: mutable, type: type, value: value))
        }
        if isWord("if") {
            var branches: [(condition: Expr, body: [Statement])] = []
            var otherwise: [Statement]?
            _ = advance()
            branches.append((try parseExpressionRule(), try parseBlock()))
            while isWord("else") {
                _ = advance()
                if isWord("if") {
                    _ = advance()
                    branches.append((try parseExpressionRule(), try parseBlock()))
                } else {
                    otherwise = try parseBlock()
                    break
                }
            }
            return finish(.ifElse(branches: branches, otherwise: otherwise))
        }
        if isWord("while") {
            _ = advance()
            let condition = try parseExpressionRule()
            return finish(.whileLoop(condition: condition, body: try parseBlock()))
        }
        if isWord("parallel") || isWord("for") {
            let parallel = isWord("parallel")
            _ = advance()
            if parallel {
                guard isWord("for") else { throw fail("expected_for", "expected 'for' after 'parallel'", at: current.range) }
                _ = advance()
            }
            let v = try expectName("a loop variable")
            guard case .name(let variable) = v.kind else { preconditionFailure() }
            guard isWord("in") else { throw fail("expected_in", "expected 'in' after the loop variable", at: current.range) }
            _ = advance()
            var start: Expr, end: Expr, step: Expr?
            if current.kind == .name("stride"), tokens[index + 1].kind == .leftParen {
                let call = try parseExpressionRule()
                guard case .call(_, _, let args) = call.kind else { preconditionFailure() }
                var labelled: [String: Expr] = [:]
                for a in args {
                    guard case .keyword(let label, let value) = a.kind else {
                        throw fail("bad_stride", "stride takes from:, to: and by:", at: a.range)
                    }
                    labelled[label] = value
                }
                // `from: x` parses as a keyword argument only with '='; accept 'from: x' via labels below.
                guard let f = labelled["from"], let t = labelled["to"], let b = labelled["by"] else {
                    throw fail("bad_stride", "stride needs from:, to: and by:", at: call.range)
                }
                (start, end, step) = (f, t, b)
            } else {
                start = try parseExpressionRule()
                guard current.kind == .halfOpenRange else {
                    throw fail("expected_range", "expected '..<' in the loop range", at: current.range)
                }
                _ = advance()
                end = try parseExpressionRule()
            }
            let body = try parseBlock()
            return finish(.forLoop(variable: variable, start: start, end: end, step: step, parallel: parallel, body: body))
        }
        if isWord("break") { _ = advance(); return finish(.breakLoop) }
        if isWord("continue") { _ = advance(); return finish(.continueLoop) }
        if isWord("return") {
            _ = advance()
            var values: [Expr] = []
            if current.kind != .rightBrace && current.kind != .semicolon {
                while true {
                    values.append(try parseExpressionRule())
                    if current.kind == .comma { _ = advance(); continue }
                    break
                }
            }
            return finish(.returnValue(values))
        }
        // Assignment or expression statement.
        let lhs = try parseExpressionRule()
        if current.kind == .assign || isCompound(current.kind) {
            var op: BinaryOperator?
            if case .compoundAssign(let o) = current.kind { op = o }
            let opToken = advance()
            let target: AssignTarget
            switch lhs.kind {
            case .name(let n): target = .variable(n)
            case .index: target = .element(lhs)
            default:
                throw fail("bad_assignment_target", "only variables and array elements can be assigned to", at: opToken.range)
            }
            let value = try parseExpressionRule()
            return finish(.assign(target: target, op: op, value: value))
        }
        return finish(.expression(lhs))
    }

    private func isCompound(_ k: TokenKind) -> Bool {
        if case .compoundAssign = k { return true }
        return false
    }
}
