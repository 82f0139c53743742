// The kernel language's syntax tree: declarations of kernels and helper functions, statements,
// and type annotations. Expressions are the expression language's `Expr` (with indexing, slices
// and attributes, which only kernels accept).

/// A written type: a scalar dtype name with an optional array rank (`f64`, `f64[]`, `i64[,]`),
/// or a tuple of types (return types only).
public indirect enum TypeAnnotation: Hashable, Sendable, CustomStringConvertible {
    /// dtype name as written and rank (0 for scalars).
    case scalar(String, rank: Int)
    case tuple([TypeAnnotation])

    public var description: String {
        switch self {
        case .scalar(let name, let rank):
            return rank == 0 ? name : "\(name)[\(String(repeating: ",", count: rank - 1))]"
        case .tuple(let items): return "(" + items.map(\.description).joined(separator: ", ") + ")"
        }
    }
}

/// A parameter: a name and, when written, its type.
public struct KernelParameter: Hashable, Sendable {
    public var name: String
    public var type: TypeAnnotation?
    public var range: SourceRange
}

/// Where an assignment stores: a variable or array elements.
public enum AssignTarget: Hashable, Sendable {
    case variable(String)
    case element(Expr)
}

/// One statement, with the range of its source.
public struct Statement: Hashable, Sendable {
    public indirect enum Kind: Hashable, Sendable {
        /// `let`/`var` name (: type)? = value
        case declare(name: String, mutable: Bool, type: TypeAnnotation?, value: Expr)
        /// target = value, or target op= value (`op` set)
        case assign(target: AssignTarget, op: BinaryOperator?, value: Expr)
        /// if / else if / else: conditions with their blocks, and the final else block.
        case ifElse(branches: [(condition: Expr, body: [Statement])], otherwise: [Statement]?)
        case whileLoop(condition: Expr, body: [Statement])
        /// for name in start..<end (by step), possibly parallel.
        case forLoop(variable: String, start: Expr, end: Expr, step: Expr?, parallel: Bool, body: [Statement])
        case breakLoop
        case continueLoop
        case returnValue([Expr])
        /// A call evaluated for its effect (`seed(42)`).
        case expression(Expr)
    }

    public var kind: Kind
    public var range: SourceRange

    public init(_ kind: Kind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}

extension Statement.Kind {
    public static func == (a: Statement.Kind, b: Statement.Kind) -> Bool { "\(a)" == "\(b)" }
    public func hash(into h: inout Hasher) { h.combine("\(self)") }
}

/// A kernel or a helper function.
public struct KernelDecl: Hashable, Sendable {
    public var name: String
    public var nameRange: SourceRange
    /// `func` helpers are inlined into kernels; `kernel`s are entry points.
    public var isHelper: Bool
    public var parameters: [KernelParameter]
    public var returnType: TypeAnnotation?
    public var body: [Statement]
    public var range: SourceRange
}

/// A parsed kernel source: every declaration in it.
public struct KernelModuleAST: Sendable {
    public var source: SourceText
    public var declarations: [KernelDecl]

    /// The declaration called `name`.
    public func declaration(_ name: String) -> KernelDecl? { declarations.first { $0.name == name } }
}
