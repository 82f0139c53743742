// Payne-Hanek argument reduction for huge arguments of sin, cos and tan, branch-free and
// vectorisable (three table loads, which the vectoriser turns into gathers).
//
// For x = m * 2^(E-52) (m a 53-bit integer) the bits of 2/pi with weight 2^-i, i <= E-54, add
// multiples of 4 to x*2/pi and can be dropped. With s = max(E-53, 1) the table holds, per s, the
// next 159 bits of 2/pi as three doubles T0, T1, T2 scaled by 2^s (so none is subnormal); x is
// scaled by 2^-s (exact). The products are split exactly with FMA and summed modulo 4 in
// double-double; the fraction times pi/2 is r, |r| <= pi/4, with an absolute error below 2^-100.
import CLLVM

enum TwoOverPi {
    /// 2/pi in hexadecimal, fraction bits only (2/pi = 0.a2f9836e...), 1320 bits (mpmath).
    static let hex: String = [
        "a2f9836e4e441529fc2757d1f534ddc0db6295993c439041fe5163abdebbc561b7246e3a424dd2e006492eea09d1921c",
        "fe1deb1cb129a73ee88235f52ebb4484e99c7026b45f7e413991d639835339f49c845f8bbdf9283b1ff897ffde05980f",
        "ef2f118b5a0a6d1f6d367ecf27cb09b74f463f669e5fea2d7527bac7ebe5f17b3d0739f78a5292ea6bfb5fb11f8d5d08",
        "56033046fc7b6babf0cfbc209af4361da9e391615e",
    ].joined()

    /// Bit i (1-based) of 2/pi.
    static let bits: [UInt8] = hex.flatMap { ch -> [UInt8] in
        let v = UInt8(String(ch), radix: 16)!
        return [(v >> 3) & 1, (v >> 2) & 1, (v >> 1) & 1, v & 1]
    }

    /// Entries per table: s in 0..<count (entry 0 unused, equal to entry 1).
    static let count = 1000

    /// T_k(s) * 2^s = sum of bits s+53k ... s+53k+52 of 2/pi, scaled: an exact double.
    static func entry(_ s: Int, _ k: Int) -> Double {
        let s = max(s, 1)
        var m: UInt64 = 0
        for i in 0..<53 { m = m << 1 | UInt64(bits[s + 53 * k + i - 1]) }
        return Double(m) * Double(sign: .plus, exponent: -(53 * k + 52), significand: 1)
    }

    static let tables: [[Double]] = (0..<3).map { k in (0..<count).map { entry($0, k) } }
}

extension VMBuilder {
    /// The global constant array holding table k (one per module, shared by the functions).
    func twoOverPiTable(_ k: Int) -> (LLVMValueRef, LLVMTypeRef) {
        let f64 = LLVMDoubleTypeInContext(ctx)!
        let type = LLVMArrayType(f64, UInt32(TwoOverPi.count))!
        let name = "sj.vm.two_over_pi.\(k)"
        if let g = LLVMGetNamedGlobal(module, name) { return (g, type) }
        var values: [LLVMValueRef?] = TwoOverPi.tables[k].map { LLVMConstReal(f64, $0) }
        let g = LLVMAddGlobal(module, type, name)!
        LLVMSetInitializer(g, LLVMConstArray(f64, &values, UInt32(values.count)))
        LLVMSetGlobalConstant(g, 1)
        LLVMSetLinkage(g, LLVMPrivateLinkage)
        LLVMSetUnnamedAddr(g, 1)
        return (g, type)
    }

    /// Exact sum: (s, e) with s = fl(a + b), s + e = a + b.
    func twoSum(_ a: LLVMValueRef, _ b: LLVMValueRef) -> (LLVMValueRef, LLVMValueRef) {
        let s = add(a, b)
        let bb = sub(s, a)
        let e = add(sub(a, sub(s, bb)), sub(b, bb))
        return (s, e)
    }

    /// x minus the nearest multiple of 4 (exact for the values here).
    func mod4(_ x: LLVMValueRef) -> LLVMValueRef { fma(rint(mul(x, 0.25)), -4, x) }

    /// Payne-Hanek reduction of a finite double x (self must be the f64 builder): the quadrant's
    /// raw low bits and r, x = (4j + q)*pi/2 + r. Any finite x; used for large |x|.
    func payneHanek(_ x: LLVMValueRef) -> (LLVMValueRef, LLVMValueRef) {
        precondition(wide && lanes == 0)
        let biased = and(LLVMBuildLShr(b, bits(x), ci(52), "")!, ci(0x7ff))
        // s = E - 53 = biased - 1076, clamped to the table.
        var s = isub(biased, ci(1076))
        s = select(LLVMBuildICmp(b, LLVMIntSLT, s, ci(1), "")!, ci(1), s)
        s = select(LLVMBuildICmp(b, LLVMIntSGT, s, ci(Int64(TwoOverPi.count - 1)), "")!, ci(Int64(TwoOverPi.count - 1)), s)
        let xs = mul(x, float(shl(isub(ci(1023), s), 52)))  // x * 2^-s, exact
        func load(_ k: Int) -> LLVMValueRef {
            let (g, type) = twoOverPiTable(k)
            var idx: [LLVMValueRef?] = [ci(0), s]
            let p = LLVMBuildInBoundsGEP2(b, type, g, &idx, 2, "")!
            return LLVMBuildLoad2(b, ft, p, "")!
        }
        let t0 = load(0), t1 = load(1), t2 = load(2)
        let p0h = mul(xs, t0)
        let p0l = fma(xs, t0, neg(p0h))
        let p1h = mul(xs, t1)
        let p1l = fma(xs, t1, neg(p1h))
        let p2 = mul(xs, t2)
        let q0 = mod4(p0h)
        let (h1, e1) = twoSum(q0, p0l)
        let h2 = mod4(h1)
        let (a, e2) = twoSum(h2, p1h)
        let n = rint(a)
        let f = sub(a, n)  // exact, |f| <= 1/2
        let low = add(add(e1, e2), add(p1l, p2))
        let (fh, fl) = twoSum(f, low)
        // r = (fh + fl) * pi/2 in double-double, rounded once.
        let pio2hi = 1.5707963267948966, pio2lo = 6.123233995736766e-17
        let rh = mul(fh, pio2hi)
        let rl = fma(fh, pio2hi, neg(rh))
        let r = add(rh, add(rl, fma(fh, pio2lo, mul(fl, pio2hi))))
        return (lowBits(n), r)
    }
}
