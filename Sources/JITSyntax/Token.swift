/// The kinds of token of the expression language.
public enum TokenKind: Hashable, Sendable {
    case integer(Int64)
    /// An integer literal too large for int64 (reported by the parser).
    case integerOverflow
    case float(Double)
    /// An imaginary literal such as `2.5j`.
    case imaginary(Double)
    case name(String)
    /// A Python keyword that the expression language reserves (`and`, `or`, `not`, `lambda`, ...).
    case keyword(String)
    case op(Operator)
    case leftParen, rightParen, comma
    case leftBracket, rightBracket, leftBrace, rightBrace, colon, semicolon, dot
    case assign
    /// `->` (kernel return types).
    case arrow
    /// `..<` (kernel ranges and slices).
    case halfOpenRange
    /// `+=`, `-=`, ... (kernel statements); the operator applied.
    case compoundAssign(BinaryOperator)
    case invalid(String)
    case endOfInput
}

/// Operator spellings, longest first where prefixes overlap.
public enum Operator: String, Hashable, Sendable, CaseIterable {
    case power = "**", floorDivide = "//", shiftLeft = "<<", shiftRight = ">>"
    case lessEqual = "<=", greaterEqual = ">=", equal = "==", notEqual = "!="
    case plus = "+", minus = "-", times = "*", divide = "/", modulo = "%"
    case bitAnd = "&", bitOr = "|", bitXor = "^", bitNot = "~", less = "<", greater = ">"
}

/// A token with its byte range in the source.
public struct Token: Hashable, Sendable {
    public var kind: TokenKind
    public var range: SourceRange

    public init(_ kind: TokenKind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}
