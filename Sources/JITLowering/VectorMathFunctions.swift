// The vector-math functions on VMBuilder: exp, log and their variants, sin/cos/tan (with
// VectorMathTrig.swift for huge arguments), the hyperbolic and inverse functions. In: one
// argument of the builder's float type (scalar or vector); out: the result, branch-free. pow,
// arctan2, cbrt, erf and erfc are in VectorMathPow.swift and VectorMathSpecial.swift.
import CLLVM
import JITSema
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - The functions

extension VMBuilder {
    /// ln 2 in two parts: the high part has trailing zero bits, so k*hi is exact.
    var ln2hi: Double { wide ? 0.6931471803691238 : 0.693145751953125 }
    var ln2lo: Double { wide ? 1.9082149292705877e-10 : 1.428606765330187e-06 }

    /// exp(r) - 1 - r for |r| <= ln2/2 (Chebyshev fit of (e^r - 1 - r)/r^2; relative error
    /// 1.4e-17 (f64), 1.8e-10 (f32)).
    func expm1Tail(_ r: LLVMValueRef) -> LLVMValueRef {
        let cs: [Double] = wide
            ? [0.5000000000000001, 0.16666666666666669, 0.04166666666662062, 0.008333333333329581,
               0.001388888891894843, 0.00019841269865108961, 2.4801518627288527e-05, 2.755726551078097e-06,
               2.762134524790676e-07, 2.510171798275628e-08]
            : [0.5000000014290679, 0.16666666683274078, 0.041666456766036974, 0.008333309699590927,
               0.0013934546677292897, 0.00019892247549463068]
        return mul(mul(r, r), horner(r, cs))
    }

    /// 2^k * exp(r) for integer-valued k (clamped so the result over- and underflows correctly)
    /// and |r| <= ln2/2 (a little more is fine). Scaled in two steps so that subnormal results
    /// round once and 2^1024 overflows.
    func scaleExp(_ k: LLVMValueRef, _ r: LLVMValueRef) -> LLVMValueRef {
        let p = add(add(r, expm1Tail(r)), 1)
        let k1 = trunc(mul(k, 0.5))
        let k2 = sub(k, k1)
        return mul(mul(p, pow2(k1)), pow2(k2))
    }

    /// Clamps x to [lo, hi] (NaN stays NaN).
    func clamp(_ x: LLVMValueRef, _ lo: Double, _ hi: Double) -> LLVMValueRef {
        let y = select(cmp(LLVMRealOGT, x, hi), hi, x)
        return select(cmp(LLVMRealOLT, y, lo), lo, y)
    }

    func exp(_ x: LLVMValueRef) -> LLVMValueRef {
        let xc = wide ? clamp(x, -746, 710) : clamp(x, -104, 89)
        let k = rint(mul(xc, 1.4426950408889634))
        var r = fma(k, -ln2hi, xc)
        r = fma(k, -ln2lo, r)
        return scaleExp(k, r)  // NaN propagates
    }

    func exp2(_ x: LLVMValueRef) -> LLVMValueRef {
        let xc = wide ? clamp(x, -1076, 1025) : clamp(x, -151, 129)
        let k = rint(xc)
        let f = sub(xc, k)  // exact
        // f*ln2 with the product's rounding error folded in: hi + lo.
        let hi = mul(f, 0.6931471805599453)
        let lo = fma(f, 0.6931471805599453, neg(hi))
        let r = add(hi, add(lo, mul(f, wide ? 2.3190468138462996e-17 : 0)))
        return scaleExp(k, r)
    }

    func exp10(_ x: LLVMValueRef) -> LLVMValueRef {
        let xc = wide ? clamp(x, -324, 309) : clamp(x, -46, 39)
        // log10(2) in two parts (FMA makes the first step exact).
        let l2hi = wide ? 0.3010299956639812 : 0.3010300099849701
        let l2lo = wide ? -2.8037281277851704e-18 : -1.432098883924482e-08
        let k = rint(mul(xc, 3.321928094887362))
        var f = fma(k, -l2hi, xc)
        f = fma(k, -l2lo, f)
        let ln10 = 2.302585092994046
        let hi = mul(f, ln10)
        let lo = fma(f, ln10, neg(hi))
        let r = add(hi, add(lo, mul(f, wide ? -2.1707562233822494e-16 : 0)))
        return scaleExp(k, r)
    }

    func expm1(_ x: LLVMValueRef) -> LLVMValueRef {
        // e^x - 1 = 2^k (e^r - 1) + (2^k - 1), summed in the order that keeps the error small.
        // Near 0 (|x| < ln2/2) k is 0 (x * log2(e) rounds to at most 0.5, and rint(0.5) is 0), so
        // r is x exactly and this is x + tail(x) exactly, with no cancellation: no separate
        // polynomial for small x (it was a second evaluation in every vector lane, about 15 % of
        // a vector tanh; results are bit-identical).
        let xc = wide ? clamp(x, -40, 710) : clamp(x, -20, 89)
        let k = rint(mul(xc, 1.4426950408889634))
        var r = fma(k, -ln2hi, xc)
        r = fma(k, -ln2lo, r)
        let em1 = add(r, expm1Tail(r))  // e^r - 1
        let k1 = trunc(mul(k, 0.5))
        let k2 = sub(k, k1)
        let s1 = pow2(k1), s2 = pow2(k2)
        // e^x - 1 = (em1 + (1 - 2^-k)) * 2^k; 1 - 2^-k is exact for |k| <= 53. For k > 56 the -1
        // is below half an ULP: (em1 + 1) * 2^k, scaled in two steps so 2^1024 does not overflow.
        let kLarge = cmp(LLVMRealOGT, k, 56)
        let kc = select(kLarge, c(56), k)
        let t = select(kLarge, c(1), sub(c(1), pow2(neg(kc))))
        var y = mul(mul(add(em1, t), s1), s2)
        y = select(cmp(LLVMRealOLT, x, wide ? -40 : -20), -1, y)
        // Tiny x (incl. -0.0 and subnormals): x itself.
        y = select(cmp(LLVMRealOLT, fabs(x), wide ? 1e-300 : 1e-30), x, y)
        return select(isNaN(x), x, y)
    }

    /// Splits positive finite x into k and f with x = 2^k * (1 + f), 1 + f in [sqrt(2)/2, sqrt(2)).
    /// Subnormals are scaled first. Returns (k as float, f).
    func logReduce(_ x: LLVMValueRef) -> (LLVMValueRef, LLVMValueRef) {
        let sub = cmp(LLVMRealOLT, x, wide ? 2.2250738585072014e-308 : 1.1754943508222875e-38)
        let xs = select(sub, mul(x, wide ? 4503599627370496.0 : 8388608.0), x)
        let kadj = select(sub, c(wide ? -52 : -23), c(0))
        let ix = bits(xs)
        let off = ci(wide ? 0x3fe6_a09e_667f_3bcd : 0x3f35_04f3)  // bits of sqrt(1/2)
        let tmp = isub(ix, off)
        let ki = ashr(tmp, mantissaBits)  // exponent, so that the mantissa lands in [sqrt(1/2), sqrt(2))
        let m = float(isub(ix, shl(ki, mantissaBits)))
        let k = add(toFloat(ki), kadj)
        return (k, self.sub(m, c(1)))
    }

    /// log(1 + f) - f + f^2/2 pieces in fdlibm's form: returns (hfsq, s*(hfsq + R)).
    func logKernel(_ f: LLVMValueRef) -> (LLVMValueRef, LLVMValueRef) {
        let s = div(f, add(f, 2))
        let z = mul(s, s)
        let lg: [Double] = wide
            ? [6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
               2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01,
               1.479819860511658591e-01]
            : [6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
               2.222219843214978396e-01]
        let rr = mul(z, horner(z, lg))
        let hfsq = mul(mul(f, f), 0.5)
        return (hfsq, mul(s, add(hfsq, rr)))
    }

    /// Special values of the logarithms: log(+-0) = -inf, log(x<0) = NaN, log(inf) = inf, NaN.
    func logSpecials(_ x: LLVMValueRef, _ y: LLVMValueRef) -> LLVMValueRef {
        var y = select(cmp(LLVMRealOEQ, x, 0), -Double.infinity, y)
        y = select(cmp(LLVMRealOLT, x, 0), Double.nan, y)
        y = select(cmp(LLVMRealOEQ, x, Double.infinity), Double.infinity, y)
        return select(isNaN(x), x, y)
    }

    /// log(x) as hi + lo (hi = k*ln2hi + f, not normalised), before special values.
    func logParts(_ x: LLVMValueRef) -> (LLVMValueRef, LLVMValueRef, LLVMValueRef) {
        let (k, f) = logReduce(x)
        let (hfsq, t) = logKernel(f)
        // log = k*ln2hi + f - hfsq + t + k*ln2lo
        let lo = add(fma(k, ln2lo, t), neg(hfsq))
        return (k, f, lo)
    }

    func log(_ x: LLVMValueRef) -> LLVMValueRef {
        let (k, f) = logReduce(x)
        let (hfsq, t) = logKernel(f)
        // fdlibm: k*ln2_hi - ((hfsq - (s*(hfsq+R) + k*ln2_lo)) - f)
        let y = sub(mul(k, ln2hi), sub(sub(hfsq, fma(k, ln2lo, t)), f))
        return logSpecials(x, y)
    }

    /// log(x) * scale with scale = hi + lo, for log2 and log10: the pieces are multiplied before
    /// they are summed, so the result keeps almost all of log's accuracy.
    func scaledLog(_ x: LLVMValueRef, perLn2: Double, hi: Double, lo: Double) -> LLVMValueRef {
        let (k, f) = logReduce(x)
        let (hfsq, t) = logKernel(f)
        let tail = sub(t, hfsq)  // log(1+f) = f + tail
        // (f + tail)*scale + k*perLn2 with f*hi split exactly.
        let fh = mul(f, hi)
        let fl = fma(f, hi, neg(fh))
        let rest = fma(tail, hi, fma(add(f, tail), lo, fl))
        let kp = mul(k, perLn2)  // exact for log2 (perLn2 = 1); rounded once for log10
        let kpl = fma(k, perLn2, neg(kp))
        let y = add(add(kp, fh), add(rest, kpl))
        return logSpecials(x, y)
    }

    func log2(_ x: LLVMValueRef) -> LLVMValueRef {
        scaledLog(x, perLn2: 1, hi: 1.4426950408889634, lo: 2.0355273740931033e-17)
    }

    func log10(_ x: LLVMValueRef) -> LLVMValueRef {
        // For log10, k*log10(2) needs more than one double: k*l2hi exact + k*l2lo.
        let (k, f) = logReduce(x)
        let (hfsq, t) = logKernel(f)
        let tail = sub(t, hfsq)
        let hi = 0.4342944819032518, lo = 1.098319650216765e-17
        let fh = mul(f, hi)
        let fl = fma(f, hi, neg(fh))
        let rest = fma(tail, hi, fma(add(f, tail), lo, fl))
        let l2hi = wide ? 0.3010299956639812 : 0.3010300099849701
        let l2lo = wide ? -2.8037281277851704e-18 : -1.432098883924482e-08
        let y = add(add(mul(k, l2hi), fh), fma(k, l2lo, rest))
        return logSpecials(x, y)
    }

    func log1p(_ x: LLVMValueRef) -> LLVMValueRef {
        // u = 1 + x rounded; c = (x - (u - 1)) / u corrects for the rounding (fdlibm's trick).
        let u = add(x, 1)
        let corr = div(sub(x, sub(u, c(1))), u)
        let (k, f) = logReduce(u)
        let (hfsq, t) = logKernel(f)
        let y0 = sub(mul(k, ln2hi), sub(sub(hfsq, add(fma(k, ln2lo, t), corr)), f))
        // Small x: directly (u - 1 == x exactly is not needed): log1p(x) = x - x^2/2 + ... via kernel of x.
        let (hs, ts) = logKernel(x)
        let ySmall = sub(x, sub(hs, ts))
        var y = select(cmp(LLVMRealOLT, fabs(x), 0.25), ySmall, y0)
        y = select(cmp(LLVMRealOLT, fabs(x), wide ? 1e-300 : 1e-30), x, y)  // keeps -0.0, subnormals
        y = select(cmp(LLVMRealOEQ, x, -1), -Double.infinity, y)
        y = select(cmp(LLVMRealOLT, x, -1), Double.nan, y)
        y = select(cmp(LLVMRealOEQ, x, Double.infinity), Double.infinity, y)
        return select(isNaN(x), x, y)
    }

    // MARK: trigonometric

    /// Reduction by pi/2: x = n*pi/2 + r, |r| <= pi/4 (a little more for large x). Three-part
    /// Cody-Waite with FMA; the first step is exact. Returns (quadrant as raw integer bits, r).
    func reducePiOver2(_ x: LLVMValueRef) -> (LLVMValueRef, LLVMValueRef) {
        let n = rint(mul(x, 0.6366197723675814))
        let p: [Double] = wide ? [1.5707963267948966, 6.123233995736766e-17, -1.4973849048591698e-33]
                               : [1.5707963705062866, -4.371138828673793e-08, -1.7151245100058819e-15]
        var r = fma(n, -p[0], x)
        r = fma(n, -p[1], r)
        r = fma(n, -p[2], r)
        return (lowBits(n), r)
    }

    /// sin(r) for |r| <= pi/4 (fdlibm's kernel; f32 uses its leading terms).
    func sinKernel(_ r: LLVMValueRef) -> LLVMValueRef {
        let z = mul(r, r)
        let s: [Double] = wide
            ? [-1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04,
               2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10]
            : [-1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04,
               2.75573137070700676789e-06]
        return fma(mul(z, r), horner(z, s), r)
    }

    /// cos(r) for |r| <= pi/4 (fdlibm's kernel).
    func cosKernel(_ r: LLVMValueRef) -> LLVMValueRef {
        let z = mul(r, r)
        let cs: [Double] = wide
            ? [4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05,
               -2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11]
            : [4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05,
               -2.75573143513906633035e-07]
        let hz = mul(z, 0.5)
        let w = sub(c(1), hz)
        let tail = fma(mul(z, z), horner(z, cs), sub(sub(c(1), w), hz))
        return add(w, tail)
    }

    /// Above this |x| the Cody-Waite reduction gives way to Payne-Hanek (VectorMathTrig.swift).
    var trigLimit: Double { wide ? 1.0e9 : 1.0e4 }

    /// x = (4j + q)*pi/2 + r: Cody-Waite, or Payne-Hanek for |x| > trigLimit (computed for every
    /// element and selected: the loop has no branches).
    func reduceTrig(_ x: LLVMValueRef) -> (LLVMValueRef, LLVMValueRef) {
        let (qc, rc) = reducePiOver2(x)
        guard reduceHuge else { return (qc, rc) }
        let huge = cmp(LLVMRealOGT, fabs(x), trigLimit)
        if wide {
            let (qh, rh) = payneHanek(x)
            return (select(huge, qh, qc), select(huge, rh, rc))
        }
        let d = VMBuilder(ctx: ctx, module: module, b: b, wide: true)
        let (qh, rh) = d.payneHanek(LLVMBuildFPExt(b, x, d.ft, "")!)
        let q32 = LLVMBuildTrunc(b, qh, it, "")!
        return (select(huge, q32, qc), select(huge, LLVMBuildFPTrunc(b, rh, ft, "")!, rc))
    }

    func sinCos(_ x: LLVMValueRef, cosine: Bool) -> LLVMValueRef {
        let (q, r) = reduceTrig(x)
        let s = sinKernel(r), co = cosKernel(r)
        let qq = cosine ? iadd(q, ci(1)) : q
        let useCos = ieq(and(qq, ci(1)), ci(1))
        let v = select(useCos, co, s)
        // Sign flip for quadrants 2 and 3 (bit 1 of q) into the sign bit.
        let flip = shl(and(qq, ci(2)), wide ? 62 : 30)
        var y = float(xor(bits(v), flip))
        if !cosine {
            y = select(cmp(LLVMRealOLT, fabs(x), wide ? 7.450580596923828e-09 : 2.44140625e-04), x, y)
        }
        return y  // inf and NaN give NaN through the reduction
    }

    func tan(_ x: LLVMValueRef) -> LLVMValueRef {
        let (q, r) = reduceTrig(x)
        let s = sinKernel(r), co = cosKernel(r)
        let odd = ieq(and(q, ci(1)), ci(1))
        // tan = s/c in even quadrants, -c/s in odd ones.
        let y = div(select(odd, neg(co), s), select(odd, s, co))
        return select(cmp(LLVMRealOLT, fabs(x), wide ? 7.450580596923828e-09 : 2.44140625e-04), x, y)
    }

    // MARK: hyperbolic

    func sinh(_ x: LLVMValueRef) -> LLVMValueRef {
        // |x| < 1: x + x^3/6 + ... via expm1: sinh = (e - 1/e)/2 with e = expm1(|x|):
        // sinh|x| = (em1 + em1/(em1+1))/2, accurate for all |x| below overflow.
        let ax = fabs(x)
        let halfOverflow = wide ? 709.0 : 88.0
        let em1 = expm1(select(cmp(LLVMRealOGT, ax, halfOverflow), c(halfOverflow), ax))
        var y = mul(add(em1, div(em1, add(em1, 1))), 0.5)
        // Large |x|: e^(|x|-ln2) computed as e^(|x|/2)^2/2 to avoid early overflow.
        let h = exp(mul(ax, 0.5))
        let big = mul(mul(h, 0.5), h)
        y = select(cmp(LLVMRealOGT, ax, halfOverflow), big, y)
        y = copysign(y, x)
        return select(isNaN(x), x, y)
    }

    func cosh(_ x: LLVMValueRef) -> LLVMValueRef {
        let ax = fabs(x)
        let halfOverflow = wide ? 709.0 : 88.0
        let e = exp(select(cmp(LLVMRealOGT, ax, halfOverflow), c(halfOverflow), ax))
        var y = add(mul(e, 0.5), div(c(0.5), e))
        let h = exp(mul(ax, 0.5))
        y = select(cmp(LLVMRealOGT, ax, halfOverflow), mul(mul(h, 0.5), h), y)
        return select(isNaN(x), x, y)
    }

    func tanh(_ x: LLVMValueRef) -> LLVMValueRef {
        // tanh|x| = em1/(em1 + 2) with em1 = expm1(2|x|); 1 for |x| > 22 (f64) / 9 (f32).
        let ax = fabs(x)
        let lim = wide ? 22.0 : 9.01
        let em1 = expm1(mul(select(cmp(LLVMRealOGT, ax, lim), c(lim), ax), 2))
        var y = div(em1, add(em1, 2))
        y = select(cmp(LLVMRealOGT, ax, lim), 1, y)
        y = copysign(y, x)
        y = select(cmp(LLVMRealOLT, ax, wide ? 1e-300 : 1e-30), x, y)
        return select(isNaN(x), x, y)
    }

    // MARK: inverse functions

    /// atan(x): fdlibm's argument classes (|x| < 7/16, 11/16, 19/16, 39/16, beyond) chosen by
    /// selects; one division and one polynomial.
    func atan(_ x: LLVMValueRef) -> LLVMValueRef {
        let ax = fabs(x)
        // t = (a*|x| - b)/(c + d*|x|); atan|x| = hi + atan(t) with hi + lo = atan(b/a...).
        let classes: [(Double, (Double, Double, Double, Double), Double, Double)] = [
            (7.0 / 16, (1, 0, 1, 0), 0, 0),
            (11.0 / 16, (2, 1, 2, 1), 4.63647609000806093515e-01, 2.26987774529616870924e-17),
            (19.0 / 16, (1, 1, 1, 1), 7.85398163397448278999e-01, 3.06161699786838301793e-17),
            (39.0 / 16, (1, 1.5, 1, 1.5), 9.82793723247329054082e-01, 1.39033110312309984516e-17),
            (.infinity, (0, 1, 0, 1), 1.57079632679489655800e+00, 6.12323399573676603587e-17),
        ]
        // Walk from the largest class down so the smallest matching bound wins.
        var a = c(0), bb = c(1), cc = c(0), d = c(1), hi = c(classes[4].2), lo = c(classes[4].3)
        for (limit, coef, h, l) in classes.dropLast().reversed() {
            let inClass = cmp(LLVMRealOLT, ax, limit)
            a = select(inClass, c(coef.0), a); bb = select(inClass, c(coef.1), bb)
            cc = select(inClass, c(coef.2), cc); d = select(inClass, c(coef.3), d)
            hi = select(inClass, c(h), hi); lo = select(inClass, c(l), lo)
        }
        // For |x| >= 39/16: t = (0*|x| - 1)/(0 + |x|) = -1/|x|.
        let axc = select(cmp(LLVMRealOGT, ax, wide ? 1e300 : 1e30), c(wide ? 1e300 : 1e30), ax)  // no 0*inf
        let t = div(sub(mul(a, axc), bb), add(cc, mul(d, axc)))
        let z = mul(t, t)
        let w = mul(z, z)
        // f64: fdlibm's degree-22 odd polynomial; f32: musl's atanf, degree 10 (|t| <= 7/16).
        let at: [Double] = wide
            ? [3.33333333333329318027e-01, -1.99999999998764832476e-01, 1.42857142725034663711e-01,
               -1.11111104054623557880e-01, 9.09088713343650656196e-02, -7.69187620504482999495e-02,
               6.66107313738753120669e-02, -5.83357013379057348645e-02, 4.97687799461593236017e-02,
               -3.65315727442169155270e-02, 1.62858201153657823623e-02]
            : [3.3333328366e-01, -1.9999158382e-01, 1.4253635705e-01, -1.0648017377e-01, 6.1687607318e-02]
        let s1 = mul(z, horner(w, stride(from: 0, to: at.count, by: 2).map { at[$0] }))
        let s2 = mul(w, horner(w, stride(from: 1, to: at.count, by: 2).map { at[$0] }))
        let y = sub(hi, sub(sub(mul(t, add(s1, s2)), lo), t))
        var r = copysign(y, x)
        r = select(cmp(LLVMRealOLT, ax, wide ? 1e-300 : 1e-30), x, r)  // keeps -0.0 and subnormals
        return select(isNaN(x), x, r)
    }

    func asin(_ x: LLVMValueRef) -> LLVMValueRef {
        // atan(x / sqrt((1-x)(1+x))); |x| > 1 gives NaN through the square root.
        let ax = fabs(x)
        let den = intrinsic("llvm.sqrt", [mul(sub(c(1), ax), add(ax, 1))])
        return copysign(atan(div(ax, den)), x)
    }

    func acos(_ x: LLVMValueRef) -> LLVMValueRef {
        // 2 atan(sqrt((1-x)/(1+x))); acos(-1) = pi through atan(inf).
        let q = intrinsic("llvm.sqrt", [div(sub(c(1), x), add(x, 1))])
        let y = mul(atan(q), 2)
        return select(isNaN(x), x, y)
    }

    func asinh(_ x: LLVMValueRef) -> LLVMValueRef {
        // log1p(|x| + x^2/(1 + sqrt(1 + x^2))) = log(|x| + sqrt(1 + x^2)); huge |x|: log|x| + ln 2.
        let ax = fabs(x)
        let big = cmp(LLVMRealOGT, ax, wide ? 268435456.0 : 4096.0)
        let x2 = mul(ax, ax)
        let u = add(ax, div(x2, add(intrinsic("llvm.sqrt", [add(x2, 1)]), 1)))
        let arg = select(big, sub(ax, c(1)), u)
        var y = log1p(arg)
        y = select(big, add(y, 0.6931471805599453), y)
        y = copysign(y, x)
        y = select(cmp(LLVMRealOLT, ax, wide ? 1e-300 : 1e-30), x, y)
        return select(isNaN(x), x, y)
    }

    func acosh(_ x: LLVMValueRef) -> LLVMValueRef {
        // log1p(t + sqrt(t(t + 2))), t = x - 1; huge x: log x + ln 2; x < 1: NaN.
        let big = cmp(LLVMRealOGT, x, wide ? 268435456.0 : 4096.0)
        let t = sub(x, c(1))
        let u = add(t, intrinsic("llvm.sqrt", [mul(t, add(t, 2))]))
        var y = log1p(select(big, t, u))
        y = select(big, add(y, 0.6931471805599453), y)
        y = select(cmp(LLVMRealOLT, x, 1), Double.nan, y)
        return select(isNaN(x), x, y)
    }

    func atanh(_ x: LLVMValueRef) -> LLVMValueRef {
        // 0.5 log1p(2|x|/(1 - |x|)), odd; atanh(+-1) = +-inf, |x| > 1: NaN.
        let ax = fabs(x)
        var y = mul(log1p(div(add(ax, ax), sub(c(1), ax))), 0.5)
        y = select(cmp(LLVMRealOGT, ax, 1), Double.nan, y)
        y = copysign(y, x)
        y = select(cmp(LLVMRealOLT, ax, wide ? 1e-300 : 1e-30), x, y)
        return select(isNaN(x), x, y)
    }

    /// The body of `kernel` on argument x (and y for the functions of two arguments). No default:
    /// a kernel without a body does not compile.
    func body(_ kernel: VectorKernel, _ x: LLVMValueRef, _ y: LLVMValueRef? = nil) -> LLVMValueRef {
        switch kernel {
        case .exp: return exp(x)
        case .exp2: return exp2(x)
        case .exp10: return exp10(x)
        case .expm1: return expm1(x)
        case .log: return log(x)
        case .log2: return log2(x)
        case .log10: return log10(x)
        case .log1p: return log1p(x)
        case .sin: return sinCos(x, cosine: false)
        case .cos: return sinCos(x, cosine: true)
        case .tan: return tan(x)
        case .sinh: return sinh(x)
        case .cosh: return cosh(x)
        case .tanh: return tanh(x)
        case .arctan: return atan(x)
        case .arcsin: return asin(x)
        case .arccos: return acos(x)
        case .arcsinh: return asinh(x)
        case .arccosh: return acosh(x)
        case .arctanh: return atanh(x)
        case .cbrt: return cbrt(x)  // VectorMathSpecial.swift
        case .erf: return erfPair(x).0
        case .erfc: return erfPair(x).1
        case .pow: return pow(x, y!)  // VectorMathPow.swift
        case .arctan2: return atan2(x, y!)
        }
    }
}
