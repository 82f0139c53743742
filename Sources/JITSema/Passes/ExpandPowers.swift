/// Pass `expand-powers`: `x**n` with a constant exponent becomes multiplications (and a square
/// root for half-integers), as numexpr does.
///
/// - Integer types: any constant 0 <= n <= 64, by repeated squaring (exact, wrapping).
/// - Floats, strict mode: n in -2...4 (each result within 2 ULP of a correctly rounded pow).
/// - Floats, every mode: `x**0.5` is `sqrt(x)`, as NumPy computes it (so -0.0 gives -0.0 and
///   -inf gives NaN, unlike C's pow).
/// - Floats, relaxed and fast: integral |n| <= 16 and other half-integral |n| <= 16.5 via `sqrt`;
///   `-inf` and `-0.0` keep pow's answers through selects, so infinity semantics are kept.
public func expandPowers(_ f: IRFunction, _ options: PassOptions) -> IRFunction {
    rewrite(f) { b, inst in
        guard case .binary(.pow, let base, let e) = inst.op, case .constant(let c) = b[e].op else {
            return b.emit(inst)
        }
        let t = inst.type
        switch c {
        case .int(let n) where n >= 0 && n <= 64:
            return power(&b, base, Int(n), t)
        case .float(let x) where x == x.rounded():
            let limit: ClosedRange<Double> = options.mathMode == .strict ? -2...4 : -16...16
            guard limit.contains(x) else { return b.emit(inst) }
            let n = Int(x)
            let p = power(&b, base, abs(n), t)
            if n >= 0 { return p }
            return b.emit(.binary(.div, b.constant(.float(1), t), p), t)
        case .float(0.5):
            return b.emit(.call(.sqrt, [base]), t)
        case .float(let x) where options.mathMode != .strict && (x - 0.5) == (x - 0.5).rounded() && abs(x) <= 16.5:
            // x = k + 1/2: sqrt(base) * base**k, or its reciprocal for negative exponents.
            let k = Int(abs(x) - 0.5)
            // pow(-0.0, negative) is +inf: read -0.0 as +0.0 so the reciprocal's sign is right.
            let zero = b.constant(.float(0), t)
            let unsignedBase = x < 0 ? b.emit(.select(b.emit(.compare(.eq, base, zero), .bool), zero, base), t) : base
            let root = b.emit(.call(.sqrt, [unsignedBase]), t)
            var p = k == 0 ? root : b.emit(.binary(.mul, power(&b, base, k, t), root), t)
            if x < 0 { p = b.emit(.binary(.div, b.constant(.float(1), t), p), t) }
            // pow(-inf, k + 1/2) is +inf (or +0 for negative exponents); sqrt(-inf) would be NaN.
            let minusInf = b.constant(.float(-.infinity), t)
            let isMinusInf = b.emit(.compare(.eq, base, minusInf), .bool)
            let special = b.constant(.float(x > 0 ? .infinity : 0), t)
            return b.emit(.select(isMinusInf, special, p), t)
        default:
            return b.emit(inst)
        }
    }
}

/// base**n for n >= 0 by repeated squaring.
private func power(_ b: inout IRBuilder, _ base: ValueID, _ n: Int, _ t: DType) -> ValueID {
    if n == 0 {
        return b.constant(t.isFloat ? .float(1) : .int(1), t)
    }
    var result: ValueID?
    var square = base
    var e = n
    while e > 0 {
        if e & 1 == 1 { result = result.map { b.emit(.binary(.mul, $0, square), t) } ?? square }
        e >>= 1
        if e > 0 { square = b.emit(.binary(.mul, square, square), t) }
    }
    return result!
}
