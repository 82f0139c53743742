// Typed kernel IR: what KernelChecker makes of a kernel for one argument signature, and what
// KernelGen lowers. Statements are structured (if, while, for) over typed local variables;
// every scalar expression is a small typed-IR function (the same IRFunction the expression
// language compiles, run through the same passes) whose parameters are the variables, array
// elements and array extents it reads.
//
// Kernel IR is a value: equality and hashing compare the trees (synthesized), and
// KernelIRPrinter.swift gives it a stable text form, which `swiftjit ir FILE --kernel NAME --typed`
// prints, snapshot tests compare, and the object cache key is made from.
import JITSyntax

/// The type of a kernel value: a scalar of a dtype, or an array of a dtype and rank.
public enum KernelType: Hashable, Sendable, CustomStringConvertible {
    case scalar(DType)
    case array(DType, rank: Int)

    public var dtype: DType {
        switch self {
        case .scalar(let d), .array(let d, _): return d
        }
    }

    public var isArray: Bool {
        if case .array = self { return true }
        return false
    }

    public var rank: Int {
        if case .array(_, let r) = self { return r }
        return 0
    }

    public var description: String {
        switch self {
        case .scalar(let d): return d.shortName
        case .array(let d, let r): return "\(d.shortName)[\(String(repeating: ",", count: r - 1))]"
        }
    }
}

/// A local variable (parameters are the first ones).
public struct KernelVariable: Hashable, Sendable {
    public var name: String
    public var type: KernelType
    public var mutable: Bool
}

/// Where a source construct is: its source range, and the line and column of its start, which
/// compiled code reports when the construct fails at run time.
public struct KernelLocation: Hashable, Sendable {
    /// The construct's bytes in the kernel source.
    public var range: SourceRange
    /// 1-based line of `range.lower`.
    public var line: Int
    /// 1-based column (in characters) of `range.lower`.
    public var column: Int

    /// A location at `range`, whose start is at `line` and `column`.
    public init(_ range: SourceRange, line: Int, column: Int) {
        self.range = range
        self.line = line
        self.column = column
    }

    /// A place known only by line and column, with an empty range at the source's start; lowering
    /// uses `KernelLocation(line: 0, column: 0)` for checks it adds itself (cancellation).
    public init(line: Int, column: Int) {
        self.init(SourceRange(0, 0), line: line, column: column)
    }
}

/// An operand of a scalar expression: what its IR parameter is bound to.
public indirect enum KernelOperand: Hashable, Sendable {
    /// A scalar variable's current value.
    case variable(Int)
    /// An element of an array variable, at integer indices (bounds-checked unless disabled).
    case element(array: Int, indices: [KernelScalarExpr], at: KernelLocation)
    /// The extent of an array variable along an axis.
    case extent(array: Int, axis: Int)
}

/// A scalar expression: typed IR over operands.
public struct KernelScalarExpr: Hashable, Sendable {
    public var function: IRFunction
    public var operands: [KernelOperand]
    public var location: KernelLocation

    public var type: DType { function.resultType }
}

/// One index position of a view: a single index (the axis disappears; negative counts from the
/// end once) or a slice with NumPy's meaning: negative bounds count from the end, bounds are
/// clipped to the axis, a step (nil: 1) may be negative and must not be zero.
public enum KernelIndex: Hashable, Sendable {
    case single(KernelScalarExpr)
    case range(KernelScalarExpr, KernelScalarExpr, step: KernelScalarExpr?)
}

/// Something an array variable is bound to.
public indirect enum KernelArrayExpr: Hashable, Sendable {
    case variable(Int)
    /// A view of an array: slices keep their axis, single indices drop it.
    case view(of: Int, [KernelIndex], at: KernelLocation)
    /// A new array of a dtype and shape, holding `fill`.
    case allocate(DType, shape: [KernelScalarExpr], fill: KernelFill, at: KernelLocation)
}

/// What a new array holds before the kernel writes it.
public enum KernelFill: Hashable, Sendable {
    /// `zeros`, `zeros_like`.
    case zeros
    /// `empty`, `empty_like` and whole-array expressions, which write every element: nothing is
    /// spent on clearing memory that is overwritten (as NumPy's and Numba's `empty`).
    case uninitialized
    /// `ones`, `ones_like`, `full`.
    case value(KernelScalarExpr)
}

/// A returned value.
public enum KernelReturn: Hashable, Sendable {
    case scalar(KernelScalarExpr)
    case array(KernelArrayExpr)
}

/// A reduction a parallel loop performs on an outer variable (`s += ...` in the body).
public struct KernelLoopReduction: Hashable, Sendable {
    public var variable: Int
    public var op: ReductionOp
}

/// One `if` or `else if` of an if statement: its condition and the statements it guards.
public struct KernelBranch: Hashable, Sendable {
    /// The condition (bool).
    public var condition: KernelScalarExpr
    /// The statements run when it holds.
    public var body: [KernelStatement]

    /// A branch running `body` when `condition` holds.
    public init(_ condition: KernelScalarExpr, _ body: [KernelStatement]) {
        self.condition = condition
        self.body = body
    }
}

/// A typed statement.
public indirect enum KernelStatement: Hashable, Sendable {
    case assign(variable: Int, KernelScalarExpr)
    case bind(variable: Int, KernelArrayExpr)
    case store(array: Int, indices: [KernelScalarExpr], value: KernelScalarExpr, at: KernelLocation)
    case ifElse([KernelBranch], otherwise: [KernelStatement])
    case whileLoop(KernelScalarExpr, [KernelStatement])
    case forLoop(variable: Int, start: KernelScalarExpr, end: KernelScalarExpr, step: KernelScalarExpr?,
                 parallel: Bool, reductions: [KernelLoopReduction], body: [KernelStatement])
    case breakLoop
    case continueLoop
    case returnValues([KernelReturn])
    case evaluate(KernelScalarExpr)
    /// Statements made from one source statement (whole-array expressions).
    case sequence([KernelStatement])
    /// A run-time requirement: equal shapes in a whole-array expression (code 6), a non-empty
    /// array for a lifted min (7) or max (8).
    case require(KernelScalarExpr, at: KernelLocation, code: Int32 = 6)
}

extension KernelStatement {
    /// What a helper parameter is bound to when the helper is inlined.
    enum Bound {
        case scalar(KernelScalarExpr)
        case array(KernelArrayExpr)
    }
}

/// A kernel specialized for one signature.
public struct TypedKernel: Hashable, Sendable {
    public var name: String
    /// Every variable; the first `parameterCount` are the parameters, in order.
    public var variables: [KernelVariable]
    public var parameterCount: Int
    public var returnTypes: [KernelType]
    public var body: [KernelStatement]
}
