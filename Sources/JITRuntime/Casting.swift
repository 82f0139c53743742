import JITSema

/// NumPy's casting rules for writing a result into an `out=` array.
public enum Casting: String, CaseIterable, Sendable {
    /// Only the same dtype.
    case no
    /// The same dtype (byte order aside, which does not arise here).
    case equiv
    /// Only casts that keep every value (int32 -> int64, float32 -> float64, int32 -> float64, ...).
    case safe
    /// Safe casts and casts within a kind (float64 -> float32, int64 -> int32).
    case sameKind = "same_kind"
    /// Any cast.
    case unsafe

    /// Whether `from` may be written into an array of `to` under this rule.
    public func allows(_ from: DType, _ to: DType) -> Bool {
        if from == to { return true }
        switch self {
        case .no, .equiv: return false
        case .unsafe: return true
        case .safe: return Casting.isSafe(from, to)
        case .sameKind: return Casting.isSafe(from, to) || from.kind == to.kind
        }
    }

    /// NumPy's `can_cast(from, to, 'safe')` for our dtypes.
    public static func isSafe(_ from: DType, _ to: DType) -> Bool {
        if from == to || from == .bool { return true }
        switch (from, to) {
        case (.int32, .int64), (.int32, .float64), (.int64, .float64), (.float32, .float64): return true
        default: return false
        }
    }
}
