/// Element types of arrays and scalars.
public enum DType: String, CaseIterable, Hashable, Sendable, Comparable {
    case bool, int32, int64, float32, float64

    /// The short spelling used in signatures and IR text (`f64`, `i32`, `bool`).
    public var shortName: String {
        switch self {
        case .bool: return "bool"
        case .int32: return "i32"
        case .int64: return "i64"
        case .float32: return "f32"
        case .float64: return "f64"
        }
    }

    /// Parses a short name or a NumPy name (`f64`, `float64`, `double`).
    public init?(name: String) {
        switch name.lowercased() {
        case "bool", "b1", "?": self = .bool
        case "i32", "int32": self = .int32
        case "i64", "int64", "int": self = .int64
        case "f32", "float32", "float": self = .float32
        case "f64", "float64", "double": self = .float64
        default: return nil
        }
    }

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .bool: return 1
        case .int32, .float32: return 4
        case .int64, .float64: return 8
        }
    }

    /// Bits per value (1 for bool).
    public var bitWidth: Int { self == .bool ? 1 : size * 8 }

    public var isBool: Bool { self == .bool }
    public var isInteger: Bool { self == .int32 || self == .int64 }
    public var isFloat: Bool { self == .float32 || self == .float64 }

    /// NumPy's type kind: 0 bool, 1 signed integer, 2 float.
    public var kind: Int { isBool ? 0 : isInteger ? 1 : 2 }

    public static func < (a: DType, b: DType) -> Bool { a.order < b.order }
    private var order: Int { DType.allCases.firstIndex(of: self)! }
}
