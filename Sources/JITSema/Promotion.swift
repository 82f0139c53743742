// Type promotion after NumPy 2 (NEP 50). Array and typed-scalar arguments are strong; literals
// written in the expression are weak: they take the other operand's type when their kind (bool <
// integer < float) is not higher, so `x*2.5` stays float32 for a float32 `x`. Two weak operands
// stay weak (Python arithmetic), and a weak value that never meets a strong one becomes int64 or
// float64.

/// A type during specialization: a dtype, and whether it is weak (a Python-style literal).
public struct SemaType: Hashable, Sendable, CustomStringConvertible {
    /// The dtype the value is computed in (int64 / float64 / bool for weak values).
    public var dtype: DType
    /// Whether the value comes from literals only.
    public var weak: Bool

    public init(_ dtype: DType, weak: Bool = false) {
        self.dtype = dtype
        self.weak = weak
    }

    public var description: String { weak ? "weak \(dtype.shortName)" : dtype.shortName }
}

public enum Promotion {
    /// NumPy's result type of two strong dtypes.
    public static func promote(_ a: DType, _ b: DType) -> DType {
        if a == b { return a }
        if a.isBool { return b }
        if b.isBool { return a }
        if a.isComplex || b.isComplex {
            // Complex with anything: the complex type wide enough for the other's real type.
            let (c, o) = a.isComplex ? (a, b) : (b, a)
            let part = promote(c.realPart, o.realPart)
            return part.isFloat ? part.complexOf : .complex128
        }
        if a.isFloat && b.isFloat { return max(a, b) }
        if a.isFloat || b.isFloat {
            // float32 holds 8- and 16-bit integers exactly; wider integers need float64.
            let (f, i) = a.isFloat ? (a, b) : (b, a)
            return i.size <= 2 ? f : .float64
        }
        if a.isSignedInteger == b.isSignedInteger { return a.size >= b.size ? a : b }
        // Signed with unsigned: the smallest signed type holding both, else float64 (uint64).
        let (s, u) = a.isSignedInteger ? (a, b) : (b, a)
        if s.size > u.size { return s }
        return DType.signed(bytes: u.size * 2) ?? .float64
    }

    /// The result type of two operands, weak or strong (NEP 50).
    public static func promote(_ a: SemaType, _ b: SemaType) -> SemaType {
        switch (a.weak, b.weak) {
        case (false, false): return SemaType(promote(a.dtype, b.dtype))
        case (true, true): return SemaType(promote(a.dtype, b.dtype), weak: true)
        case (true, false): return promoteWeak(a.dtype, strong: b.dtype)
        case (false, true): return promoteWeak(b.dtype, strong: a.dtype)
        }
    }

    private static func promoteWeak(_ weak: DType, strong: DType) -> SemaType {
        if weak.kind <= strong.kind { return SemaType(strong) }
        // A weak complex meeting a float keeps the float's precision (x_f32 * 1j is complex64).
        if weak.kind == 3 { return SemaType(strong.isFloat ? strong.complexOf : .complex128) }
        // A weak value of a higher kind brings its default type: int64 for integers, float64 for floats.
        return SemaType(weak.kind == 1 ? .int64 : .float64)
    }

    /// Whether a value of dtype `from` may be stored in a variable, array element or return value
    /// of dtype `to` without losing information: the one assignability rule of kernels. A strong
    /// value must promote to `to` (`i32` into `i64`, `i64` into `f64`); a weak value (from
    /// literals only) must not be of a higher kind (an integer literal may be stored in an `f32`,
    /// a float literal not in an `i64`; whether an integer constant fits is checked by value).
    public static func assignable(_ from: DType, weak: Bool, to: DType) -> Bool {
        if from == to { return true }
        if weak { return from.kind <= to.kind }
        return promote(from, to) == to
    }

    /// The note suggesting an explicit conversion of a value to `to`: `i64(...)` and friends.
    public static func conversionHint(to: DType) -> String {
        "convert explicitly with \(to.shortName)(...) (float to integer truncates toward zero) or use a wider type"
    }

    /// The float type a float-valued function or true division gives for an operand type.
    public static func floatResult(_ t: SemaType) -> SemaType {
        t.dtype.isFloat || t.dtype.isComplex ? t : SemaType(.float64, weak: t.weak)
    }
}
