/// What specialization needs to know of one argument: its dtype and shape class.
public struct ArgumentType: Hashable, Sendable, CustomStringConvertible {
    /// Element type.
    public var dtype: DType
    /// Number of dimensions (0 for a scalar).
    public var rank: Int
    /// Whether the elements are contiguous in row-major order.
    public var contiguous: Bool

    public init(dtype: DType, rank: Int, contiguous: Bool = true) {
        self.dtype = dtype
        self.rank = rank
        self.contiguous = contiguous
    }

    /// A scalar of `dtype`.
    public static func scalar(_ dtype: DType) -> ArgumentType { ArgumentType(dtype: dtype, rank: 0) }
    /// A contiguous 1-d array of `dtype`.
    public static func array(_ dtype: DType, rank: Int = 1) -> ArgumentType { ArgumentType(dtype: dtype, rank: rank) }

    /// How specialization reads it in the inner loop.
    public var parameterKind: ParameterKind { rank == 0 ? .scalar : contiguous ? .contiguous : .strided }

    /// `f64` for scalars, `f64[]` / `f64[,]` for arrays, with `!c` marking non-contiguous ones.
    public var description: String {
        if rank == 0 { return dtype.shortName }
        return "\(dtype.shortName)[\(String(repeating: ",", count: rank - 1))]\(contiguous ? "" : "!c")"
    }

    /// Parses the `description` form (`f64`, `i32[]`, `f32[,]`).
    public init?(parsing text: String) {
        var t = text.trimmingCharacters(in: .whitespaces)
        var contiguous = true
        if t.hasSuffix("!c") { contiguous = false; t.removeLast(2) }
        var rank = 0
        if let open = t.firstIndex(of: "["), t.hasSuffix("]") {
            let inner = t[t.index(after: open)..<t.index(before: t.endIndex)]
            guard inner.allSatisfy({ $0 == "," }) else { return nil }
            rank = inner.count + 1
            t = String(t[..<open])
        }
        guard let dtype = DType(name: t) else { return nil }
        self.init(dtype: dtype, rank: rank, contiguous: contiguous)
    }
}

/// The concrete types of an expression's arguments, in parameter order.
public struct Signature: Hashable, Sendable, CustomStringConvertible {
    public var names: [String]
    public var types: [ArgumentType]

    public init(_ arguments: [(String, ArgumentType)]) {
        names = arguments.map(\.0)
        types = arguments.map(\.1)
    }

    public var description: String {
        "(" + zip(names, types).map { "\($0): \($1)" }.joined(separator: ", ") + ")"
    }
}

import Foundation
