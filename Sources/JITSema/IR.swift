// Typed IR: a value-type, SSA list of scalar operations for one element of the output
// (Cranelift style: instructions in an array, referred to by small typed ids). Every value
// has a dtype; there are no implicit conversions, so lowering never guesses. The same
// function runs once per element of a fused loop; `argument` values of array parameters
// are loads at the current index, of scalar parameters the scalar itself.

/// Refers to an instruction (and its result) in an `IRFunction`.
public struct ValueID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let index: Int32
    public init(_ index: Int) { self.index = Int32(index) }
    public static func < (a: ValueID, b: ValueID) -> Bool { a.index < b.index }
    public var description: String { "%\(index)" }
}

/// A typed constant. Float values are stored as Double, already rounded to the dtype.
public enum Constant: Hashable, Sendable {
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case complex(Double, Double)
}

/// Unary operations.
public enum UnaryOp: String, Hashable, Sendable {
    /// Arithmetic negation (wrapping for integers).
    case neg
    /// Bitwise not for integers, logical not for bool.
    case not
}

/// Binary operations; both operands have the instruction's type unless noted.
public enum BinaryOp: String, Hashable, Sendable {
    case add, sub, mul
    /// True division; float operands only (sema casts integers first).
    case div
    /// Floor division (Python `//`); integer division by zero gives 0.
    case floordiv
    /// Python modulo (sign of the divisor); integer modulo by zero gives 0.
    case mod
    /// Power; for integers a non-negative exponent (negative gives NumPy-free 0/±1, see docs).
    case pow
    /// Shifts with NumPy's results for counts outside [0, bits).
    case shl, shr
    /// Bitwise for integers, logical for bool.
    case and, or, xor
}

/// Comparisons; operands share a type, the result is bool.
public enum CompareOp: String, Hashable, Sendable {
    case lt, le, eq, ne, ge, gt
}

/// What an instruction computes.
public enum IROp: Hashable, Sendable {
    /// The value of parameter `n` at the current element.
    case argument(Int)
    case constant(Constant)
    /// Conversion of the operand to the instruction's type.
    case cast(ValueID)
    case unary(UnaryOp, ValueID)
    case binary(BinaryOp, ValueID, ValueID)
    case compare(CompareOp, ValueID, ValueID)
    /// A builtin from `Builtins`, by its row (prints as its name).
    case call(BuiltinID, [ValueID])
    /// `select(c, a, b)`: `a` where the bool `c` holds, else `b`.
    case select(ValueID, ValueID, ValueID)

    /// The values this operation reads.
    public var operands: [ValueID] {
        switch self {
        case .argument, .constant: return []
        case .cast(let a), .unary(_, let a): return [a]
        case .binary(_, let a, let b), .compare(_, let a, let b): return [a, b]
        case .call(_, let args): return args
        case .select(let c, let a, let b): return [c, a, b]
        }
    }
}

/// One instruction: an operation and its result type.
public struct IRInstruction: Hashable, Sendable {
    public var op: IROp
    public var type: DType
    public init(_ op: IROp, _ type: DType) {
        self.op = op
        self.type = type
    }
}

/// How a parameter is read in the innermost loop: once per call (`scalar`: true scalars and
/// array dimensions broadcast along the loop), at consecutive elements (`contiguous`), or with a
/// run-time element stride (`strided`: slices with steps, transposes, reversed views).
public enum ParameterKind: String, Hashable, Sendable {
    case scalar, contiguous, strided

    /// Whether the parameter is read per element.
    public var isArray: Bool { self != .scalar }
}

/// A parameter of the function: a name, its dtype and kind.
public struct IRParameter: Hashable, Sendable {
    public var name: String
    public var dtype: DType
    public var kind: ParameterKind
    public init(name: String, dtype: DType, kind: ParameterKind) {
        self.name = name
        self.dtype = dtype
        self.kind = kind
    }
}

/// A reduction over the elements of a function's result.
public enum ReductionOp: String, Hashable, Sendable, CaseIterable {
    case sum, prod, min, max

    /// The dtype a reduction of `t` accumulates and returns (NumPy: integer and bool sums and
    /// products give int64; min and max keep the type).
    public func accumulator(for t: DType) -> DType {
        switch self {
        case .sum, .prod: return t.isFloat || t.isComplex ? t : t.isUnsignedInteger ? .uint64 : .int64
        case .min, .max: return t
        }
    }
}

/// A typed, elementwise function: parameters, instructions in dependency order, one result.
public struct IRFunction: Hashable, Sendable {
    public var parameters: [IRParameter]
    public var instructions: [IRInstruction]
    public var result: ValueID
    /// How the result is written: `contiguous`, or `strided` (an `out=` view with a step).
    public var resultKind: ParameterKind
    /// When set, the function reduces its per-element results instead of storing them.
    public var reduction: ReductionOp?

    public init(parameters: [IRParameter], instructions: [IRInstruction], result: ValueID,
                resultKind: ParameterKind = .contiguous, reduction: ReductionOp? = nil) {
        self.parameters = parameters
        self.instructions = instructions
        self.result = result
        self.resultKind = resultKind
        self.reduction = reduction
    }

    /// The same function shape (parameters, result layout, reduction) with new instructions.
    public func with(instructions: [IRInstruction], result: ValueID) -> IRFunction {
        IRFunction(parameters: parameters, instructions: instructions, result: result, resultKind: resultKind,
                   reduction: reduction)
    }

    /// The instruction that defines `id`.
    public subscript(id: ValueID) -> IRInstruction { instructions[Int(id.index)] }

    /// The result's dtype.
    public var resultType: DType { self[result].type }

    /// Whether any parameter is an array (else the result is a scalar).
    public var hasArrayParameter: Bool { parameters.contains { $0.kind.isArray } }
}
