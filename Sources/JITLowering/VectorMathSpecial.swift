// Vectorisable cbrt, erf and erfc (relaxed and fast mode), in the style of VectorMath.swift: the
// same algorithms in float64 and float32, with polynomials of the type's precision (Chebyshev
// fits made with mpmath, coefficients rounded to the type; the constant term kept in two parts).
//
// cbrt: x = 2^(3q + r) m, u = 2^r m in [1/2, 4); a degree-6 polynomial for u^(-1/3), Newton
// steps (no division; two for f64, one for f32), cbrt(u) = u r^2 and one last correction with
// the residual u - y^3 computed with FMAs.
// erf/erfc, a = |x|: erf = a P(a^2) below 0.75; above, erfc = exp(-a^2) h(a) with
// h(a) = erfc(a) e^(a^2) a polynomial in a - 1.625 on [0.75, 2.5] and a h(a) a polynomial in
// 1/a - c on [2.5, 27.3] (f32: [2.5, 10.1]); exp(-a^2) takes a^2 as an exact double-double
// (expDD in VectorMathPow.swift), so erfc keeps its relative accuracy down to underflow.
import CLLVM

/// The polynomials of one float type.
struct SpecialFunctionFits {
    /// u^(-1/3) on [0.5, 4], relative error 2^-9.
    let cbrtInitial: [Double]
    /// erf(a)/a as a polynomial in a^2 on [0, 0.5625] (a <= 0.75); constant term hi + lo.
    let erfSmall: [Double], erfSmallLo: Double
    /// erfc(a) e^(a^2) in s = a - 1.625 on [0.75, 2.5].
    let erfcMiddle: [Double], erfcMiddleLo: Double
    /// a erfc(a) e^(a^2) in u = 1/a - tailCenter on [2.5, 27.3] (f64) / [2.5, 10.1] (f32).
    let erfcTail: [Double], erfcTailLo: Double, tailCenter: Double

    static let cbrtInitial: [Double] = [
        1.863292226939474, -1.8014807815629674, 1.5070652810892966, -0.7572091019168168, 0.2187794143645443,
        -0.033481340744897385, 0.0020992887130498335,
    ]

    /// float64: relative errors of the polynomials 0.12, 0.32, 0.33 ULP (2^-53).
    static let double = SpecialFunctionFits(
        cbrtInitial: cbrtInitial,
        erfSmall: [1.1283791670955126, -0.37612638903183715, 0.11283791670952596, -0.026866170644428485,
                   0.005223977615420539, -0.0008548326188759752, 0.00012055289567541706, -1.4924196305569617e-05,
                   1.643068417974155e-06, -1.5940066854661717e-07, 1.1472499701094691e-08],
        erfSmallLo: 1.4509499591290667e-17,
        erfcMiddle: [0.30226120936348594, -0.14603023666418333, 0.06496207478418799, -0.02697791009325299,
                     0.010561485441327068, -0.0039261985004078815, 0.0013938042926977632, -0.0004746475789053498,
                     0.00015562549449697123, -4.927914168156969e-05, 1.5109376281574478e-05, -4.495722205218113e-06,
                     1.3006440219972538e-06, -3.664559167544895e-07, 1.0072112691570007e-07, -2.7093193887444613e-08,
                     7.1107184436329505e-09, -1.7705803196223427e-09, 4.468752739241623e-10, -1.43329084271297e-10,
                     3.4466053260904424e-11],
        erfcMiddleLo: -2.1300243845955138e-17,
        erfcTail: [0.5516086797776011, -0.10814540611886295, -0.18873805803276292, 0.22006938937102005,
                   0.021396406707072883, -0.35156240588348153, 0.40876161312119114, 0.13825180731456985,
                   -1.162221140090162, 1.640539464432241, 0.19428802361823272, -5.256678543344391, 10.290984429864295,
                   -4.958444792668881, -25.891711924039726, 85.42951393527945, -86.55282891384023, -210.5338299747932,
                   544.5331818747618],
        erfcTailLo: 5.158401343593478e-17, tailCenter: 0.2183)

    /// float32 (coefficients are floats): relative errors 0.08, 0.32, 0.07 ULP (2^-24).
    static let single = SpecialFunctionFits(
        cbrtInitial: cbrtInitial,
        erfSmall: [1.1283791065216064, -0.3761261999607086, 0.11283386498689651, -0.026835113763809204,
                   0.005115332081913948, -0.0006756479851901531],
        erfSmallLo: 5.9057146728491716e-08,
        erfcMiddle: [0.30226120352745056, -0.1460302323102951, 0.06496208906173706, -0.026977913454174995,
                     0.010561266914010048, -0.003926137462258339, 0.001395010738633573, -0.0004749848449137062,
                     0.00015263668319676071, -4.844296199735254e-05, 1.8457894839229994e-05, -5.434073045762489e-06],
        erfcMiddleLo: 5.682880388491185e-09,
        erfcTail: [0.5479978322982788, -0.11944693326950073, -0.16778835654258728, 0.21951797604560852,
                   -0.027609268203377724, -0.2737562954425812, 0.37779051065444946, -0.030965516343712807],
        erfcTailLo: -2.5680232940139547e-10, tailCenter: 0.25)
}

extension VMBuilder {
    /// Horner with the constant term as hi + lo (rounded once at the end).
    func horner(_ x: LLVMValueRef, _ cs: [Double], lo: Double) -> LLVMValueRef {
        add(c(cs[0]), fma(x, horner(x, Array(cs.dropFirst())), c(lo)))
    }

    func cbrt(_ x: LLVMValueRef) -> LLVMValueRef {
        let ax = fabs(x)
        let tiny = cmp(LLVMRealOLT, ax, wide ? 2.2250738585072014e-308 : 1.1754943508222875e-38)
        let scaleBits: Int64 = wide ? 54 : 24  // a multiple of 3
        let xs = select(tiny, mul(ax, Double(sign: .plus, exponent: Int(scaleBits), significand: 1)), ax)
        let ix = bits(xs)
        let e = isub(LLVMBuildLShr(b, ix, ci(mantissaBits), "")!, ci(bias))
        let mantissa = and(ix, ci((1 << mantissaBits) - 1))
        let m = float(LLVMBuildOr(b, mantissa, ci(bias << mantissaBits), "")!)  // [1, 2)
        let k = add(toFloat(e), select(tiny, c(-Double(scaleBits)), c(0)))
        let q = rint(mul(k, 1.0 / 3))
        let u = mul(m, pow2(fma(q, -3, k)))  // m * 2^r, r in {-1, 0, 1}
        var r = horner(u, SpecialFunctionFits.cbrtInitial)
        for _ in 0..<(wide ? 2 : 1) {  // Newton for r^-3 = u: 2^-9 -> 2^-17 -> 2^-33
            let w = mul(mul(mul(r, r), r), u)
            r = fma(mul(r, 1.0 / 3), sub(c(1), w), r)
        }
        let r2 = mul(r, r)
        let y0 = mul(u, r2)
        // y = y0 + (u - y0^3) / (3 y0^2), the residual with FMAs and 1/y0^2 ~ r^2.
        let (y2, y2e) = twoProd(y0, y0)
        let res = fma(neg(y2e), y0, fma(neg(y2), y0, u))
        let y = fma(res, mul(r2, 1.0 / 3), y0)
        let result = copysign(mul(y, pow2(q)), x)
        let special = LLVMBuildOr(b, cmp(LLVMRealUEQ, ax, 0), cmp(LLVMRealUEQ, ax, Double.infinity), "")!  // 0, inf, NaN
        return select(special, x, result)
    }

    /// (erf(x), erfc(x)).
    func erfPair(_ x: LLVMValueRef) -> (LLVMValueRef, LLVMValueRef) {
        let fits = wide ? SpecialFunctionFits.double : SpecialFunctionFits.single
        let a = fabs(x)
        let small = mul(a, horner(mul(a, a), fits.erfSmall, lo: fits.erfSmallLo))  // erf(a), a < 0.75
        let middle = horner(sub(a, c(1.625)), fits.erfcMiddle, lo: fits.erfcMiddleLo)
        let tail = div(horner(sub(div(c(1), a), c(fits.tailCenter)), fits.erfcTail, lo: fits.erfcTailLo), a)
        let (p, pe) = twoProd(a, a)
        let big = mul(expDD(neg(p), neg(pe)), select(cmp(LLVMRealOLT, a, 2.5), middle, tail))  // erfc(a), a >= 0.75
        let isSmall = cmp(LLVMRealOLT, a, 0.75)
        let erf = copysign(select(isSmall, small, sub(c(1), big)), x)
        let positive = cmp(LLVMRealOGE, x, 0)
        let erfc = select(isSmall, sub(c(1), erf), select(positive, big, sub(c(2), big)))
        return (select(isNaN(x), x, erf), select(isNaN(x), x, erfc))
    }
}
