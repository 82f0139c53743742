// Binary arithmetic with NumPy's semantics: Python floor division and modulo, integer
// division and modulo by zero give 0 (and INT_MIN // -1 wraps) without ever trapping, shifts
// by the bit width or more give 0 (or -1 for negative >>), integer power by repeated squaring.
import CLLVM
import JITSema

extension Emitter {
    func binary(_ op: BinaryOp, _ id: ValueID, _ xID: ValueID, _ yID: ValueID, _ t: DType) -> LLVMValueRef {
        let x = value(xID), y = value(yID)
        if t.isFloat {
            return floatBinary(op, id, xID, yID, x, y, t)
        }
        let ty = valueType(t)
        switch op {
        case .add: return LLVMBuildAdd(b, x, y, "add")!
        case .sub: return LLVMBuildSub(b, x, y, "sub")!
        case .mul: return LLVMBuildMul(b, x, y, "mul")!
        case .and: return LLVMBuildAnd(b, x, y, "and")!
        case .or: return LLVMBuildOr(b, x, y, "or")!
        case .xor: return LLVMBuildXor(b, x, y, "xor")!
        case .div:
            // Sema divides floats only; keep lowering total with a float division.
            return LLVMBuildFDiv(b, x, y, "div")!
        case .floordiv where t.isUnsignedInteger, .mod where t.isUnsignedInteger:
            let zero = LLVMConstInt(ty, 0, 0), one = LLVMConstInt(ty, 1, 0)
            let yIsZero = LLVMBuildICmp(b, LLVMIntEQ, y, zero, "y0")!
            divisionCheck?(yIsZero)
            let safeY = LLVMBuildSelect(b, yIsZero, one, y, "safey")!
            let r = op == .floordiv ? LLVMBuildUDiv(b, x, safeY, "q")! : LLVMBuildURem(b, x, safeY, "r")!
            return LLVMBuildSelect(b, yIsZero, zero, r, op.rawValue)!
        case .floordiv, .mod:
            let zero = LLVMConstInt(ty, 0, 0), one = LLVMConstInt(ty, 1, 0), minusOne = LLVMConstAllOnes(ty)!
            let yIsZero = LLVMBuildICmp(b, LLVMIntEQ, y, zero, "y0")!
            divisionCheck?(yIsZero)
            let yIsMinusOne = LLVMBuildICmp(b, LLVMIntEQ, y, minusOne, "ym1")
            let special = LLVMBuildOr(b, yIsZero, yIsMinusOne, "special")
            let safeY = LLVMBuildSelect(b, special, one, y, "safey")!
            let q = LLVMBuildSDiv(b, x, safeY, "q")!
            let r = LLVMBuildSRem(b, x, safeY, "r")!
            // Floor: when the remainder is non-zero and its sign differs from the divisor's.
            let rNonZero = LLVMBuildICmp(b, LLVMIntNE, r, zero, "rnz")
            let signsDiffer = LLVMBuildICmp(b, LLVMIntSLT, LLVMBuildXor(b, r, safeY, "rxy"), zero, "sd")
            let adjust = LLVMBuildAnd(b, rNonZero, signsDiffer, "adj")
            if op == .floordiv {
                let floored = LLVMBuildSelect(b, adjust, LLVMBuildSub(b, q, one, "qm1"), q, "fq")
                let negX = LLVMBuildSub(b, zero, x, "negx")
                let viaMinusOne = LLVMBuildSelect(b, yIsMinusOne, negX, floored, "fq1")
                return LLVMBuildSelect(b, yIsZero, zero, viaMinusOne, "floordiv")!
            }
            let adjusted = LLVMBuildSelect(b, adjust, LLVMBuildAdd(b, r, safeY, "rpy"), r, "m")
            return LLVMBuildSelect(b, special, zero, adjusted, "mod")!
        case .shl, .shr:
            let width = LLVMConstInt(ty, UInt64(t.bitWidth), 0)
            let inRange = LLVMBuildICmp(b, LLVMIntULT, y, width, "inrange")
            let masked = LLVMBuildAnd(b, y, LLVMConstInt(ty, UInt64(t.bitWidth - 1), 0), "amt")
            if op == .shl {
                return LLVMBuildSelect(b, inRange, LLVMBuildShl(b, x, masked, "shl"), LLVMConstInt(ty, 0, 0), "shl")!
            }
            if t.isUnsignedInteger {
                return LLVMBuildSelect(b, inRange, LLVMBuildLShr(b, x, masked, "shr"), LLVMConstInt(ty, 0, 0), "shr")!
            }
            let sign = LLVMBuildAShr(b, x, LLVMConstInt(ty, UInt64(t.bitWidth - 1), 0), "sign")
            return LLVMBuildSelect(b, inRange, LLVMBuildAShr(b, x, masked, "shr"), sign, "shr")!
        case .pow:
            return integerPower(x, y, t, checked: !isConstant(yID))
        }
    }

    private func floatBinary(_ op: BinaryOp, _ id: ValueID, _ xID: ValueID, _ yID: ValueID,
                             _ x: LLVMValueRef, _ y: LLVMValueRef, _ t: DType) -> LLVMValueRef {
        let result: LLVMValueRef
        switch op {
        case .add, .sub:
            // Contraction: a single-use product feeding an add/sub becomes one fused multiply-add.
            if fastMath.contracts, let fused = fuse(op, id, xID, yID, t) { return fused }
            result = op == .add ? LLVMBuildFAdd(b, x, y, "fadd")! : LLVMBuildFSub(b, x, y, "fsub")!
        case .mul: result = LLVMBuildFMul(b, x, y, "fmul")!
        case .div: result = LLVMBuildFDiv(b, x, y, "fdiv")!
        case .pow:
            if let r = vectorMathCall(BuiltinID.power.builtin, [x, y], t) { return r }  // the `power` row; VectorMathPow.swift
            let call = intrinsic("llvm.pow", overloads: [valueType(t)], [x, y], ret: valueType(t))
            fastMath.applyToPow(call, for: id)
            return call
        case .mod, .floordiv:
            return floatFloorDivMod(op, id, x, y, t)
        case .shl, .shr, .and, .or, .xor:
            preconditionFailure("sema never emits \(op) on floats")
        }
        fastMath.apply(result, for: id)
        return result
    }

    /// `a*b + c`, `c + a*b`, `a*b - c`, `c - a*b` as `llvm.fmuladd` when the product is used once.
    private func fuse(_ op: BinaryOp, _ id: ValueID, _ xID: ValueID, _ yID: ValueID, _ t: DType) -> LLVMValueRef? {
        func product(_ v: ValueID) -> (ValueID, ValueID)? {
            guard useCounts[Int(v.index)] == 1, case .binary(.mul, let p, let q) = f[v].op else { return nil }
            return (p, q)
        }
        let ty = valueType(t)
        func fma(_ a: LLVMValueRef, _ b2: LLVMValueRef, _ c: LLVMValueRef) -> LLVMValueRef {
            let r = intrinsic("llvm.fmuladd", overloads: [ty], [a, b2, c], ret: ty)
            fastMath.apply(r, for: id)
            return r
        }
        func neg(_ v: LLVMValueRef) -> LLVMValueRef { LLVMBuildFNeg(b, v, "neg")! }
        if let (p, q) = product(xID) {
            // The product's own instruction was emitted already; it becomes dead and is removed.
            let c = value(yID)
            return fma(value(p), value(q), op == .add ? c : neg(c))
        }
        if let (p, q) = product(yID) {
            let c = value(xID)
            return fma(op == .add ? value(p) : neg(value(p)), value(q), c)
        }
        return nil
    }

    /// NumPy's float floor division and remainder (npy_divmod): Python semantics, remainder with
    /// the sign of the divisor, division by zero giving inf/NaN as IEEE says.
    private func floatFloorDivMod(_ op: BinaryOp, _ id: ValueID, _ a: LLVMValueRef, _ bv: LLVMValueRef,
                                  _ t: DType) -> LLVMValueRef {
        let ty = valueType(t)
        let zero = floatConstant(0, t)
        let mod = LLVMBuildFRem(b, a, bv, "fmod")!
        let bIsZero = LLVMBuildFCmp(b, LLVMRealOEQ, bv, zero, "b0")
        let modNonZero = LLVMBuildFCmp(b, LLVMRealUNE, mod, zero, "mnz")
        let bNeg = LLVMBuildFCmp(b, LLVMRealOLT, bv, zero, "bneg")
        let modNeg = LLVMBuildFCmp(b, LLVMRealOLT, mod, zero, "mneg")
        let differ = LLVMBuildAnd(b, modNonZero, LLVMBuildXor(b, bNeg, modNeg, "x"), "differ")
        if op == .mod {
            let adjusted = LLVMBuildSelect(b, differ, LLVMBuildFAdd(b, mod, bv, "mpb"), mod, "adj")!
            let signedZero = intrinsic("llvm.copysign", overloads: [ty], [zero, bv], ret: ty)
            let withZero = LLVMBuildSelect(b, modNonZero, adjusted, signedZero, "m")!
            return LLVMBuildSelect(b, bIsZero, mod, withZero, "remainder")!
        }
        var div = LLVMBuildFDiv(b, LLVMBuildFSub(b, a, mod, "amm"), bv, "div")!
        div = LLVMBuildSelect(b, differ, LLVMBuildFSub(b, div, floatConstant(1, t), "dm1"), div, "div1")!
        let floorDiv = intrinsic("llvm.floor", overloads: [ty], [div], ret: ty)
        let frac = LLVMBuildFSub(b, div, floorDiv, "frac")
        let bump = LLVMBuildFCmp(b, LLVMRealOGT, frac, floatConstant(0.5, t), "bump")
        let snapped = LLVMBuildSelect(b, bump, LLVMBuildFAdd(b, floorDiv, floatConstant(1, t), "fp1"), floorDiv, "snap")!
        let divNonZero = LLVMBuildFCmp(b, LLVMRealUNE, div, zero, "dnz")
        let quotient = LLVMBuildFDiv(b, a, bv, "q")!
        let signedZero = intrinsic("llvm.copysign", overloads: [ty], [zero, quotient], ret: ty)
        let result = LLVMBuildSelect(b, divNonZero, snapped, signedZero, "fd")!
        return LLVMBuildSelect(b, bIsZero, quotient, result, "floordiv")!
    }

    /// x**y for integers by repeated squaring over the 6 (or 5) bits an exponent below the bit
    /// width needs, unrolled so the element loop stays branch-free. Exponents at or above the
    /// width keep squaring correctly because the loop covers every set bit up to 63 for i64.
    /// Negative exponents give 1 for x == 1, ±1 for x == -1 and 0 otherwise; where the exponent
    /// is not a constant, `powerCheck` turns them into a run-time error (NumPy's ValueError).
    private func integerPower(_ x: LLVMValueRef, _ y: LLVMValueRef, _ t: DType, checked: Bool) -> LLVMValueRef {
        let ty = valueType(t)
        let zero = LLVMConstInt(ty, 0, 0)!, one = LLVMConstInt(ty, 1, 0)!
        var result: LLVMValueRef = one
        var base: LLVMValueRef = x
        for bit in 0..<(t.isUnsignedInteger ? t.bitWidth : t.bitWidth - 1) {
            let mask = LLVMConstInt(ty, 1 << UInt64(bit), 0)
            let set = LLVMBuildICmp(b, LLVMIntNE, LLVMBuildAnd(b, y, mask, "bit"), zero, "set")
            result = LLVMBuildSelect(b, set, LLVMBuildMul(b, result, base, "rm"), result, "r")!
            base = LLVMBuildMul(b, base, base, "sq")!
        }
        if t.isUnsignedInteger { return result }
        let negative = LLVMBuildICmp(b, LLVMIntSLT, y, zero, "eneg")!
        if checked { powerCheck?(negative) }
        let xIsOne = LLVMBuildICmp(b, LLVMIntEQ, x, one, "x1")
        let xIsMinusOne = LLVMBuildICmp(b, LLVMIntEQ, x, LLVMConstAllOnes(ty), "xm1")
        let odd = LLVMBuildICmp(b, LLVMIntNE, LLVMBuildAnd(b, y, one, "odd"), zero, "isodd")
        let minusOneResult = LLVMBuildSelect(b, odd, LLVMConstAllOnes(ty), one, "m1r")
        let negResult = LLVMBuildSelect(b, xIsOne, one, LLVMBuildSelect(b, xIsMinusOne, minusOneResult, zero, "nr"), "nr1")
        return LLVMBuildSelect(b, negative, negResult, result, "ipow")!
    }
}
