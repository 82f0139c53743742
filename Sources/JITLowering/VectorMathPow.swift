// Vectorisable pow and arctan2 (relaxed and fast mode), in the style of VectorMath.swift: one
// branch-free scalar LLVM function per float type that the loop vectoriser widens.
//
// pow(x, y) for float64 is exp(y * log|x|) with log|x| in double-double (relative error about
// 2^-65) and the product and the exponential's reduced argument in double-double, so the result
// stays within about 1 ULP even when |y * log x| is near 745. float32 computes the same in double
// (plain log and exp of double are far more precise than a float needs). Every C99/NumPy special
// case is a select. arctan2 is arctan of |y|/|x| (VectorMath.swift) placed in its quadrant, with
// C99's signed-zero and infinity rules.
import CLLVM

extension VMBuilder {
    // MARK: double-double arithmetic (pairs hi + lo, |lo| <= ulp(hi)/2)

    /// Exact sum when |a| >= |b| (or a == 0).
    func fastTwoSum(_ a: LLVMValueRef, _ b: LLVMValueRef) -> (LLVMValueRef, LLVMValueRef) {
        let s = add(a, b)
        return (s, sub(b, sub(s, a)))
    }

    /// Exact product: p + e = a * b.
    func twoProd(_ a: LLVMValueRef, _ b: LLVMValueRef) -> (LLVMValueRef, LLVMValueRef) {
        let p = mul(a, b)
        return (p, fma(a, b, neg(p)))
    }

    func ddMul(_ a: (LLVMValueRef, LLVMValueRef), _ b: (LLVMValueRef, LLVMValueRef)) -> (LLVMValueRef, LLVMValueRef) {
        let (p, e) = twoProd(a.0, b.0)
        return fastTwoSum(p, add(e, fma(a.0, b.1, mul(a.1, b.0))))
    }

    /// Sum of two double-doubles of any magnitudes.
    func ddAdd(_ a: (LLVMValueRef, LLVMValueRef), _ b: (LLVMValueRef, LLVMValueRef)) -> (LLVMValueRef, LLVMValueRef) {
        let (s, e) = twoSum(a.0, b.0)
        return fastTwoSum(s, add(e, add(a.1, b.1)))
    }

    // MARK: log and exp in double-double (float64 builder)

    /// log(x) as a double-double for positive finite x (relative error about 2^-65):
    /// x = 2^k (1 + f), t = f/(2 + f), log(1 + f) = 2t + 2t^3/3 + t^5 T(t^2), |t| <= 0.1716.
    func logDD(_ x: LLVMValueRef) -> (LLVMValueRef, LLVMValueRef) {
        let (k, f) = logReduce(x)  // f = m - 1 exactly
        let (dh, dl) = fastTwoSum(c(2), f)
        let inv = div(c(1), dh)  // the one division
        let th = mul(f, inv)
        let rem = fma(neg(th), dl, fma(neg(th), dh, f))  // f - th*(dh + dl), first step (nearly) exact
        let t = (th, mul(rem, inv))
        let t2 = ddMul(t, t)
        let t3 = ddMul(t2, t)
        // T(z) = sum 2/(2j+5) z^j: truncation error below 2^-70 relative for z <= 0.0295.
        let tz = horner(t2.0, (0..<10).map { 2.0 / Double(2 * $0 + 5) })
        let t5 = mul(mul(t2.0, t3.0), tz)
        let twoThirds = (c(0.6666666666666666), c(3.700743415417188e-17))
        var s = ddAdd((mul(k, ln2hi), c(0)), (add(t.0, t.0), add(t.1, t.1)))  // k*ln2hi is exact
        s = ddAdd(s, ddMul(t3, twoThirds))
        return ddAdd(s, (add(mul(k, ln2lo), t5), c(0)))  // both below 2^-9 of the sum's size
    }

    /// exp(zh + zl) for a double-double argument (|zl| <= ulp(zh)); overflows to inf and
    /// underflows gradually like `exp`.
    func expDD(_ zh: LLVMValueRef, _ zl: LLVMValueRef) -> LLVMValueRef {
        let inRange = cmp(LLVMRealOLT, fabs(zh), wide ? 746 : 104)
        let xc = wide ? clamp(zh, -746, 710) : clamp(zh, -104, 89)
        let low = select(inRange, zl, c(0))
        let k = rint(mul(xc, 1.4426950408889634))
        let r = fma(k, -ln2hi, xc)  // exact
        let (p, pe) = twoProd(k, c(ln2lo))
        let (rh0, e1) = twoSum(r, neg(p))
        let (rh, rl) = fastTwoSum(rh0, add(sub(e1, pe), low))
        // e^(rh + rl) = 1 + rh + tail(rh) + rl (1 + rh), the 1 + rh part exact.
        let (s, e) = fastTwoSum(c(1), rh)
        let q = add(s, add(e, add(expm1Tail(rh), fma(rl, rh, rl))))
        let k1 = trunc(mul(k, 0.5))
        return mul(mul(q, pow2(k1)), pow2(sub(k, k1)))
    }

    // MARK: pow

    /// Runs `body` on this builder's values widened to double and rounds the result to float;
    /// float64 runs it directly.
    func inDouble(_ args: [LLVMValueRef], _ body: (VMBuilder, [LLVMValueRef]) -> LLVMValueRef) -> LLVMValueRef {
        guard !wide else { return body(self, args) }
        var d = VMBuilder(ctx: ctx, module: module, b: b, wide: true)
        d.lanes = lanes
        let r = body(d, args.map { LLVMBuildFPExt(b, $0, d.ft, "")! })
        return LLVMBuildFPTrunc(b, r, ft, "")!
    }

    /// Whether integer-valued y is odd (false for non-integers, infinities and |y| >= 2^53).
    func isOddInteger(_ y: LLVMValueRef) -> LLVMValueRef {
        let half = mul(y, 0.5)
        let isInt = cmp(LLVMRealOEQ, trunc(y), y)
        return LLVMBuildAnd(b, isInt, cmp(LLVMRealONE, trunc(half), half), "")!
    }

    /// pow's special cases (C99 Annex F, as NumPy) around `mag`, the value of |x|^y computed for
    /// finite nonzero |x| and finite y.
    func powSpecials(_ x: LLVMValueRef, _ y: LLVMValueRef, _ mag: LLVMValueRef) -> LLVMValueRef {
        let ax = fabs(x)
        // |x| = 0 or inf: 0 or inf by the sign of y and which one |x| is.
        let zeroOrInf = LLVMBuildOr(b, cmp(LLVMRealOEQ, ax, 0), cmp(LLVMRealOEQ, ax, Double.infinity), "")!
        let toZero = LLVMBuildXor(b, cmp(LLVMRealOLT, y, 0), cmp(LLVMRealOEQ, ax, 0), "")!
        var r = select(zeroOrInf, select(toZero, c(0), c(Double.infinity)), mag)
        // y = +-inf: 0, 1 or inf by |x| - 1 with the sign of y.
        let efx = select(cmp(LLVMRealOLT, y, 0), sub(c(1), ax), sub(ax, c(1)))  // (|x| - 1) * sign(y)
        let yInf = select(cmp(LLVMRealOLT, efx, 0), c(0), select(cmp(LLVMRealOEQ, efx, 0), c(1), c(Double.infinity)))
        r = select(cmp(LLVMRealOEQ, fabs(y), Double.infinity), yInf, r)
        // Sign: negative x (also -0.0, -inf) to an odd integer power.
        let negative = LLVMBuildICmp(b, LLVMIntSLT, bits(x), ci(0), "")!
        r = select(LLVMBuildAnd(b, negative, isOddInteger(y), "")!, neg(r), r)
        // Finite x < 0 to a finite non-integer power: NaN.
        let finiteNegative = LLVMBuildAnd(b, cmp(LLVMRealOLT, x, 0), cmp(LLVMRealONE, ax, Double.infinity), "")!
        let nonInteger = LLVMBuildAnd(b, cmp(LLVMRealONE, trunc(y), y), cmp(LLVMRealONE, fabs(y), Double.infinity), "")!
        r = select(LLVMBuildAnd(b, finiteNegative, nonInteger, "")!, Double.nan, r)
        r = select(LLVMBuildOr(b, isNaN(x), isNaN(y), "")!, Double.nan, r)
        // x**0 = 1 and 1**y = 1, NaN included.
        let one = LLVMBuildOr(b, cmp(LLVMRealOEQ, y, 0), cmp(LLVMRealOEQ, x, 1), "")!
        return select(one, 1, r)
    }

    func pow(_ x: LLVMValueRef, _ y: LLVMValueRef) -> LLVMValueRef {
        guard wide else {
            // float32: |x|^y in double (|y log x| < 2^8, so a plain double log and exp are exact
            // enough; log without its special cases), the special cases in float.
            let mag = inDouble([fabs(x), y]) { d, a in
                let (k, f) = d.logReduce(a[0])
                let (hfsq, t) = d.logKernel(f)
                let log = d.add(d.mul(k, 0.6931471805599453), d.sub(f, d.sub(hfsq, t)))
                return d.exp(d.mul(a[1], log))
            }
            return powSpecials(x, y, mag)
        }
        let (lh, ll) = logDD(fabs(x))
        let (zh, ze) = twoProd(y, lh)
        let mag = expDD(zh, fma(y, ll, ze))
        return powSpecials(x, y, mag)
    }

    // MARK: arctan2

    /// atan2(y, x) (C99): atan(|y|/|x|) in [0, pi/2], reflected to pi - a for x with the sign
    /// bit set, with the sign of y. 0/0 and inf/inf are the cases the division cannot decide.
    func atan2(_ y: LLVMValueRef, _ x: LLVMValueRef) -> LLVMValueRef {
        let ax = fabs(x), ay = fabs(y)
        var a = atan(div(ay, ax))
        a = select(LLVMBuildAnd(b, cmp(LLVMRealOEQ, ay, 0), cmp(LLVMRealOEQ, ax, 0), "")!, c(0), a)
        let piHi = wide ? Double.pi : Double(Float.pi)
        let reflected = add(sub(c(piHi), a), c(Double.pi - piHi))
        let negativeX = LLVMBuildICmp(b, LLVMIntSLT, bits(x), ci(0), "")!
        a = select(negativeX, reflected, a)
        let bothInf = LLVMBuildAnd(b, cmp(LLVMRealOEQ, ay, Double.infinity), cmp(LLVMRealOEQ, ax, Double.infinity), "")!
        a = select(bothInf, select(negativeX, c(3 * Double.pi / 4), c(Double.pi / 4)), a)
        let r = copysign(a, y)
        return select(LLVMBuildOr(b, isNaN(x), isNaN(y), "")!, Double.nan, r)
    }
}
