// Lexer: source bytes -> tokens with byte ranges. Never fails: bad bytes become `.invalid`
// tokens that the parser reports. Numeric literals follow Python: `1`, `1_000`, `0x1f`,
// `0o17`, `0b101`, `2.5`, `.5`, `5.`, `1e-9`, `2.5j`.

/// Splits a source text into tokens.
public struct Lexer {
    private let bytes: [UInt8]
    private var pos = 0

    /// Python keywords the expression language reserves.
    public static let keywords: Set<String> = [
        "and", "or", "not", "in", "is", "if", "else", "lambda", "for", "while", "def",
        "return", "import", "class", "yield", "async", "await", "del", "pass",
    ]

    public init(_ source: SourceText) { bytes = source.bytes }

    /// Multi-character punctuation of the kernel language, longest first.
    static let punctuation: [(String, TokenKind)] = [
        ("**=", .compoundAssign(.power)), ("//=", .compoundAssign(.floorDivide)),
        ("<<=", .compoundAssign(.shiftLeft)), (">>=", .compoundAssign(.shiftRight)), ("..<", .halfOpenRange),
        ("+=", .compoundAssign(.add)), ("-=", .compoundAssign(.subtract)), ("*=", .compoundAssign(.multiply)),
        ("/=", .compoundAssign(.divide)), ("%=", .compoundAssign(.modulo)), ("&=", .compoundAssign(.bitAnd)),
        ("|=", .compoundAssign(.bitOr)), ("^=", .compoundAssign(.bitXor)), ("->", .arrow),
    ]

    /// Every multi-byte and operator spelling as bytes, longest first (punctuation before
    /// operators, as before), built once: the lexer compares in place and allocates nothing per token.
    static let spellings: [([UInt8], TokenKind)] =
        punctuation.map { (Array($0.0.utf8), $0.1) } + Operator.allCases.map { (Array($0.rawValue.utf8), .op($0)) }

    /// Single-byte punctuation.
    static let single: [UInt8: TokenKind] = [
        40: .leftParen, 41: .rightParen, 44: .comma, 91: .leftBracket, 93: .rightBracket,
        123: .leftBrace, 125: .rightBrace, 58: .colon, 59: .semicolon, 46: .dot, 61: .assign,
    ]

    /// All tokens, ending with `.endOfInput`.
    public mutating func tokenize() -> [Token] {
        var tokens: [Token] = []
        while true {
            let t = next()
            tokens.append(t)
            if t.kind == .endOfInput { return tokens }
        }
    }

    private func peek(_ k: Int = 0) -> UInt8 { pos + k < bytes.count ? bytes[pos + k] : 0 }
    private var atEnd: Bool { pos >= bytes.count }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    private static func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95
    }
    private static func isIdent(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }

    /// The next token.
    public mutating func next() -> Token {
        // Blanks, and `#` comments to the end of the line.
        while !atEnd {
            let c = bytes[pos]
            if c == 32 || c == 9 || c == 10 || c == 13 || c == 12 {
                pos += 1
            } else if c == UInt8(ascii: "#") {
                while !atEnd, bytes[pos] != 10 { pos += 1 }
            } else {
                break
            }
        }
        let start = pos
        guard !atEnd else { return Token(.endOfInput, SourceRange(pos, pos)) }
        let c = bytes[pos]
        if Lexer.isDigit(c) || (c == UInt8(ascii: ".") && Lexer.isDigit(peek(1))) {
            return lexNumber()
        }
        if Lexer.isIdentStart(c) {
            while !atEnd, Lexer.isIdent(bytes[pos]) { pos += 1 }
            let word = String(decoding: bytes[start..<pos], as: UTF8.self)
            let kind: TokenKind = Lexer.keywords.contains(word) ? .keyword(word) : .name(word)
            return Token(kind, SourceRange(start, pos))
        }
        for (spelling, kind) in Lexer.spellings where spelling[0] == c && matches(spelling) {
            pos += spelling.count
            return Token(kind, SourceRange(start, pos))
        }
        pos += 1
        if let k = Lexer.single[c] { return Token(k, SourceRange(start, pos)) }
        // An invalid byte: take a whole UTF-8 sequence so the message shows the character.
        if c >= 0x80 {
            while !atEnd, bytes[pos] & 0xC0 == 0x80 { pos += 1 }
        }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        return Token(.invalid(text), SourceRange(start, pos))
    }

    /// Whether the bytes at `pos` spell `spelling`.
    private func matches(_ spelling: [UInt8]) -> Bool {
        guard pos + spelling.count <= bytes.count else { return false }
        for i in 0..<spelling.count where bytes[pos + i] != spelling[i] { return false }
        return true
    }

    private mutating func digits(_ accept: (UInt8) -> Bool) -> String {
        var s = ""
        while !atEnd, accept(bytes[pos]) || (bytes[pos] == 95 && pos + 1 < bytes.count && accept(bytes[pos + 1])) {
            if bytes[pos] != 95 { s.append(Character(Unicode.Scalar(bytes[pos]))) }
            pos += 1
        }
        return s
    }

    private mutating func lexNumber() -> Token {
        let start = pos
        if bytes[pos] == 48, pos + 1 < bytes.count {
            let radixChar = bytes[pos + 1] | 0x20
            let radix: Int? = radixChar == UInt8(ascii: "x") ? 16 : radixChar == UInt8(ascii: "o") ? 8
                : radixChar == UInt8(ascii: "b") ? 2 : nil
            if let radix {
                pos += 2
                let text = digits { c in
                    let v: Int
                    if Lexer.isDigit(c) { v = Int(c) - 48 }
                    else if (c | 0x20) >= 97 && (c | 0x20) <= 102 { v = Int(c | 0x20) - 87 }
                    else { return false }
                    return v < radix
                }
                let range = SourceRange(start, pos)
                if text.isEmpty { return Token(.invalid(String(decoding: bytes[start..<pos], as: UTF8.self)), range) }
                if let v = Int64(text, radix: radix) { return Token(.integer(v), range) }
                return Token(.integerOverflow, range)
            }
        }
        var text = digits(Lexer.isDigit)
        var isFloat = false
        if !atEnd, bytes[pos] == UInt8(ascii: "."), peek(1) != UInt8(ascii: ".") {  // `0..<n` is a range
            isFloat = true
            pos += 1
            text += "." + digits(Lexer.isDigit)
        }
        if !atEnd, bytes[pos] | 0x20 == UInt8(ascii: "e") {
            let save = pos
            pos += 1
            var sign = ""
            if !atEnd, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") {
                sign = String(Character(Unicode.Scalar(bytes[pos])))
                pos += 1
            }
            let exp = digits(Lexer.isDigit)
            if exp.isEmpty { pos = save } else { isFloat = true; text += "e" + sign + exp }
        }
        if text.hasPrefix(".") { text = "0" + text }
        if text.hasSuffix(".") { text += "0" }
        if !atEnd, bytes[pos] | 0x20 == UInt8(ascii: "j") {
            pos += 1
            return Token(.imaginary(Double(text) ?? .nan), SourceRange(start, pos))
        }
        // A letter glued to a number (`2x`) is not a literal.
        if !atEnd, Lexer.isIdentStart(bytes[pos]) {
            while !atEnd, Lexer.isIdent(bytes[pos]) { pos += 1 }
            return Token(.invalid(String(decoding: bytes[start..<pos], as: UTF8.self)), SourceRange(start, pos))
        }
        let range = SourceRange(start, pos)
        if isFloat { return Token(.float(Double(text) ?? .nan), range) }
        if let v = Int64(text) { return Token(.integer(v), range) }
        return Token(.integerOverflow, range)
    }
}
