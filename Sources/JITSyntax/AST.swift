/// Binary operators of the expression language, by their source spelling.
public enum BinaryOperator: String, Hashable, Sendable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%"
    case power = "**", shiftLeft = "<<", shiftRight = ">>", bitAnd = "&", bitOr = "|", bitXor = "^"
    case less = "<", lessEqual = "<=", equal = "==", notEqual = "!=", greaterEqual = ">=", greater = ">"

    /// Whether the operator compares (its result is bool).
    public var isComparison: Bool {
        switch self {
        case .less, .lessEqual, .equal, .notEqual, .greaterEqual, .greater: return true
        default: return false
        }
    }
}

/// Prefix operators.
public enum UnaryOperator: String, Hashable, Sendable {
    case negate = "-", plus = "+", invert = "~"
}

/// An expression node with the source range it came from. Nodes are values; the tree is
/// bounded in height by the parser (`Parser.maxDepth`), so recursive walks are safe.
public indirect enum ExprKind: Hashable, Sendable {
    case integer(Int64)
    case float(Double)
    case imaginary(Double)
    case boolean(Bool)
    case name(String)
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    /// A call with the callee's name and its range.
    case call(name: String, nameRange: SourceRange, arguments: [Expr])
    /// `name=value` inside a call's argument list (`sum(x, axis=1)`).
    case keyword(name: String, value: Expr)
    /// Python's `None` (only meaningful as `axis=None`).
    case none
    /// `a[i, j]` (kernels): an element, or a view when an index is a slice.
    case index(Expr, [Expr])
    /// `lo..<hi` inside an index (kernels).
    case slice(Expr, Expr)
    /// `a.shape` and other attributes (kernels).
    case member(Expr, String)
    /// `start:stop:step` inside a subscript of an expression (`x[1:]`, `x[::-1]`); each part may
    /// be left out.
    case stridedSlice(Expr?, Expr?, Expr?)
    /// `...` inside a subscript of an expression: as many `:` as the array needs.
    case ellipsis
}

/// An expression and where it is in the source.
public struct Expr: Hashable, Sendable {
    public var kind: ExprKind
    public var range: SourceRange
    /// Height of the tree below and including this node (a leaf is 1).
    public let height: Int

    public init(_ kind: ExprKind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
        switch kind {
        case .integer, .float, .imaginary, .boolean, .name, .none, .ellipsis: height = 1
        case .stridedSlice(let a, let b, let c): height = max(a?.height ?? 0, b?.height ?? 0, c?.height ?? 0) + 1
        case .keyword(_, let v): height = v.height + 1
        case .index(let a, let idx): height = max(a.height, idx.map(\.height).max() ?? 0) + 1
        case .slice(let lo, let hi): height = max(lo.height, hi.height) + 1
        case .member(let a, _): height = a.height + 1
        case .unary(_, let e): height = e.height + 1
        case .binary(_, let l, let r): height = max(l.height, r.height) + 1
        case .call(_, _, let args): height = (args.map(\.height).max() ?? 0) + 1
        }
    }
}

extension Expr: CustomStringConvertible {
    /// A fully parenthesised rendering, used by parser tests to show structure.
    public var description: String {
        switch kind {
        case .integer(let v): return String(v)
        case .float(let v): return "\(v)"
        case .imaginary(let v): return "\(v)j"
        case .boolean(let b): return b ? "True" : "False"
        case .name(let n): return n
        case .unary(let op, let e): return "(\(op.rawValue)\(e))"
        case .binary(let op, let l, let r): return "(\(l) \(op.rawValue) \(r))"
        case .call(let name, _, let args): return "\(name)(\(args.map(\.description).joined(separator: ", ")))"
        case .keyword(let name, let v): return "\(name)=\(v)"
        case .none: return "None"
        case .index(let a, let idx): return "\(a)[\(idx.map(\.description).joined(separator: ", "))]"
        case .slice(let lo, let hi): return "\(lo)..<\(hi)"
        case .member(let a, let name): return "\(a).\(name)"
        case .stridedSlice(let a, let b, let c):
            return (a?.description ?? "") + ":" + (b?.description ?? "") + (c.map { ":\($0)" } ?? "")
        case .ellipsis: return "..."
        }
    }
}
