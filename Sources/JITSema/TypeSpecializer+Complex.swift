// NumPy 2's definitions on complex values that are built from real operations in the typed IR
// (so constant folding, the reference interpreter and every lowering agree): `.real`/`.imag`,
// `round` and `sign` of complex values, and ordering comparisons (lexicographic, as NumPy 2).
// In: typed operands. Out: typed values made of `real`, `imag`, `complex`, compares and selects.

extension TypeSpecializer {
    /// `real(v)` / `imag(v)` and the attributes `v.real` / `v.imag`: the parts of a complex value
    /// (a float of its precision); a real value itself, or zero of its type.
    mutating func part(_ id: BuiltinID, _ v: Typed) -> Typed {
        if v.type.dtype.isComplex {
            let t = SemaType(v.type.dtype.realPart, weak: v.type.weak)
            return Typed(id: builder.emit(.call(id, [v.id]), t.dtype), type: t)
        }
        if id == .real { return v }
        let zero: Constant = v.type.dtype.isBool ? .bool(false) : v.type.dtype.isFloat ? .float(0) : .int(0)
        return Typed(id: builder.constant(zero, v.type.dtype), type: v.type)
    }

    /// The real and imaginary parts of a complex value, as ids of its real type.
    private mutating func splitComplex(_ v: Typed) -> (ValueID, ValueID, DType) {
        let rt = v.type.dtype.realPart
        return (builder.emit(.call(.real, [v.id]), rt), builder.emit(.call(.imag, [v.id]), rt), rt)
    }

    /// `round(z)`: both parts rounded half to even (NumPy 2).
    mutating func complexRound(_ v: Typed) -> Typed {
        let (re, im, rt) = splitComplex(v)
        let r = builder.emit(.call(.round, [re]), rt), i = builder.emit(.call(.round, [im]), rt)
        return Typed(id: builder.emit(.call(.complex, [r, i]), v.type.dtype), type: v.type)
    }

    /// `sign(z)` as NumPy 2 computes it: z/|z|; 0 for 0; NaN+NaNj where |z| is NaN; for an
    /// infinite |z|, ±1 for an infinite real part, else the sign of the imaginary part on the
    /// imaginary axis (NaN+NaNj when both parts are infinite).
    mutating func complexSign(_ v: Typed) -> Typed {
        let (re, im, rt) = splitComplex(v)
        let modulus = builder.emit(.call(.abs, [v.id]), rt)
        let zero = builder.constant(.float(0), rt), nan = builder.constant(.float(.nan), rt)
        let isZero = builder.emit(.compare(.eq, modulus, zero), .bool)
        let isNaN = builder.emit(.call(.isnan, [modulus]), .bool)
        let isInf = builder.emit(.call(.isinf, [modulus]), .bool)
        let reInf = builder.emit(.call(.isinf, [re]), .bool), imInf = builder.emit(.call(.isinf, [im]), .bool)
        let bothInf = builder.emit(.binary(.and, reInf, imInf), .bool)
        func select(_ c: ValueID, _ a: ValueID, _ b: ValueID) -> ValueID { builder.emit(.select(c, a, b), rt) }
        func part(_ x: ValueID, _ onInfinite: ValueID) -> ValueID {
            let finite = builder.emit(.binary(.div, x, modulus), rt)
            let onInf = select(bothInf, nan, onInfinite)
            return select(isZero, zero, select(isNaN, nan, select(isInf, onInf, finite)))
        }
        // An infinite |z| with a finite real part is taken as an infinite imaginary part, as
        // NumPy does (also when |z| overflows with both parts finite).
        let r = part(re, select(reInf, builder.emit(.call(.sign, [re]), rt), zero))
        let i = part(im, select(reInf, zero, builder.emit(.call(.sign, [im]), rt)))
        return Typed(id: builder.emit(.call(.complex, [r, i]), v.type.dtype), type: v.type)
    }

    /// `x < y` (and `<=`, `>`, `>=`) with a complex operand, both already of complex type `t`:
    /// NumPy 2's lexicographic order, `(xr < yr and neither imaginary part is NaN) or (xr == yr
    /// and xi < yi)`.
    mutating func complexOrder(_ op: CompareOp, _ x: ValueID, _ y: ValueID, _ t: DType) -> ValueID {
        let rt = t.realPart
        let xr = builder.emit(.call(.real, [x]), rt), xi = builder.emit(.call(.imag, [x]), rt)
        let yr = builder.emit(.call(.real, [y]), rt), yi = builder.emit(.call(.imag, [y]), rt)
        let strict: CompareOp = op == .lt || op == .le ? .lt : .gt
        let realOrder = builder.emit(.compare(strict, xr, yr), .bool)
        let xiNaN = builder.emit(.call(.isnan, [xi]), .bool), yiNaN = builder.emit(.call(.isnan, [yi]), .bool)
        let noNaN = builder.emit(.unary(.not, builder.emit(.binary(.or, xiNaN, yiNaN), .bool)), .bool)
        let first = builder.emit(.binary(.and, realOrder, noNaN), .bool)
        let tie = builder.emit(.binary(.and, builder.emit(.compare(.eq, xr, yr), .bool),
                                       builder.emit(.compare(op, xi, yi), .bool)), .bool)
        return builder.emit(.binary(.or, first, tie), .bool)
    }
}
