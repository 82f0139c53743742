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
        case .sameKind: return Casting.isSafe(from, to) || Casting.kindOrder(from) <= Casting.kindOrder(to)
        }
    }

    /// NumPy's kind order for same_kind casts: bool < unsigned < signed < float < complex.
    static func kindOrder(_ t: DType) -> Int {
        t.isBool ? 0 : t.isUnsignedInteger ? 1 : t.isSignedInteger ? 2 : t.isFloat ? 3 : 4
    }

    /// NumPy's `can_cast(from, to, 'safe')` for our dtypes.
    public static func isSafe(_ from: DType, _ to: DType) -> Bool {
        if from == to || from == .bool { return true }
        if to.isBool { return false }
        if from.isComplex { return to.isComplex && to.size >= from.size }
        if to.isComplex { return isSafe(from, to.realPart) }
        if from.isFloat { return to.isFloat && to.size >= from.size }
        // NumPy counts every integer as safely castable to float64 (64-bit ones lose precision).
        if to.isFloat { return to == .float64 || from.size <= 2 }
        if from.isUnsignedInteger { return to.isUnsignedInteger ? to.size >= from.size : to.size > from.size }
        return to.isSignedInteger && to.size >= from.size
    }
}
