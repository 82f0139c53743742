/// Element types of arrays and scalars.
public enum DType: String, CaseIterable, Hashable, Sendable, Comparable {
    case bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64, complex64, complex128

    /// The short spelling used in signatures and IR text (`f64`, `i32`, `u8`, `bool`).
    public var shortName: String {
        switch self {
        case .bool: return "bool"
        case .int8: return "i8"
        case .int16: return "i16"
        case .int32: return "i32"
        case .int64: return "i64"
        case .uint8: return "u8"
        case .uint16: return "u16"
        case .uint32: return "u32"
        case .uint64: return "u64"
        case .float32: return "f32"
        case .float64: return "f64"
        case .complex64: return "c64"
        case .complex128: return "c128"
        }
    }

    /// Parses a short name or a NumPy name (`f64`, `float64`, `double`, `u8`, `uint8`).
    public init?(name: String) {
        let n = name.lowercased()
        if let d = DType(rawValue: n) { self = d; return }
        if let d = DType.allCases.first(where: { $0.shortName == n }) { self = d; return }
        switch n {
        case "b1", "?": self = .bool
        case "int": self = .int64
        case "float": self = .float64  // NumPy's `float`
        case "double": self = .float64
        case "complex": self = .complex128
        default: return nil
        }
    }

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .bool, .int8, .uint8: return 1
        case .int16, .uint16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64, .complex64: return 8
        case .complex128: return 16
        }
    }

    /// Bits per value (1 for bool).
    public var bitWidth: Int { self == .bool ? 1 : size * 8 }

    public var isBool: Bool { self == .bool }
    public var isSignedInteger: Bool { self == .int8 || self == .int16 || self == .int32 || self == .int64 }
    public var isUnsignedInteger: Bool { self == .uint8 || self == .uint16 || self == .uint32 || self == .uint64 }
    /// Signed or unsigned integer.
    public var isInteger: Bool { isSignedInteger || isUnsignedInteger }
    public var isFloat: Bool { self == .float32 || self == .float64 }
    public var isComplex: Bool { self == .complex64 || self == .complex128 }

    /// The kind that decides weak-literal promotion: 0 bool, 1 integer (signed or unsigned),
    /// 2 float, 3 complex.
    public var kind: Int { isBool ? 0 : isInteger ? 1 : isFloat ? 2 : 3 }

    /// The real type of a complex type's parts (itself for other types).
    public var realPart: DType { self == .complex64 ? .float32 : self == .complex128 ? .float64 : self }

    /// The complex type with parts of this float type.
    public var complexOf: DType { self == .float32 ? .complex64 : .complex128 }

    /// The signed integer type of `bytes` bytes.
    public static func signed(bytes: Int) -> DType? {
        [1: .int8, 2: .int16, 4: .int32, 8: .int64][bytes]
    }

    /// Smallest and largest value of an integer type (as Int64 / UInt64 bit patterns for uint64).
    public var integerRange: ClosedRange<Int64>? {
        switch self {
        case .int8: return Int64(Int8.min)...Int64(Int8.max)
        case .int16: return Int64(Int16.min)...Int64(Int16.max)
        case .int32: return Int64(Int32.min)...Int64(Int32.max)
        case .int64: return Int64.min...Int64.max
        case .uint8: return 0...Int64(UInt8.max)
        case .uint16: return 0...Int64(UInt16.max)
        case .uint32: return 0...Int64(UInt32.max)
        case .uint64: return 0...Int64.max  // literals are int64, so this is the reachable part
        default: return nil
        }
    }

    public static func < (a: DType, b: DType) -> Bool { a.order < b.order }
    private var order: Int { DType.allCases.firstIndex(of: self)! }
}
