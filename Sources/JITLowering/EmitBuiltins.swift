// Calls of builtins, driven by the builtin table: intrinsics and libm by rule, the rest here.
import CLLVM
import JITSema

extension Emitter {
    func call(_ name: String, _ id: ValueID, _ argIDs: [ValueID], _ t: DType) -> LLVMValueRef {
        guard let fn = Builtins.lookup(name) else { preconditionFailure("unknown builtin \(name) in IR") }
        if case .runtime(let symbol) = fn.lowering { return runtimeCall(symbol, argIDs) }  // EmitKernelRuntime.swift
        let args = argIDs.map(value)
        let argType = f[argIDs[0]].type
        let ty = valueType(argType)
        if argType.isFloat, let r = vectorMathCall(name, args, argType) { return r }  // VectorMath.swift
        if argType.isFloat {
            switch fn.lowering {
            case .intrinsic(let base):
                let r = intrinsic(base, overloads: [ty], args, ret: ty)
                fastMath.apply(r, for: id)
                return r
            case .libm(let base):
                let r = libm(argType == .float32 ? base + "f" : base, args, ret: ty)
                fastMath.apply(r, for: id)
                return r
            case .custom, .runtime:
                break
            }
        }
        switch name {
        case "abs":
            // Integers (floats took the intrinsic above): wrapping negation of negatives.
            let neg = LLVMBuildSub(b, LLVMConstInt(ty, 0, 0), args[0], "neg")
            let isNeg = LLVMBuildICmp(b, LLVMIntSLT, args[0], LLVMConstInt(ty, 0, 0), "isneg")
            return LLVMBuildSelect(b, isNeg, neg, args[0], "abs")!
        case "sign":
            let x = args[0]
            if argType.isFloat {
                let zero = floatConstant(0, argType)
                let gt = LLVMBuildFCmp(b, LLVMRealOGT, x, zero, "gt")
                let lt = LLVMBuildFCmp(b, LLVMRealOLT, x, zero, "lt")
                let eq = LLVMBuildFCmp(b, LLVMRealOEQ, x, zero, "eq")
                let rest = LLVMBuildSelect(b, eq, zero, x, "z")  // NaN stays NaN, -0.0 gives 0.0
                let neg = LLVMBuildSelect(b, lt, floatConstant(-1, argType), rest, "n")
                return LLVMBuildSelect(b, gt, floatConstant(1, argType), neg, "sign")!
            }
            let zero = LLVMConstInt(ty, 0, 0)
            if argType.isUnsignedInteger {
                return LLVMBuildZExt(b, LLVMBuildICmp(b, LLVMIntNE, x, zero, "nz"), ty, "sign")!
            }
            let gt = LLVMBuildZExt(b, LLVMBuildICmp(b, LLVMIntSGT, x, zero, "gt"), ty, "gtz")
            let lt = LLVMBuildZExt(b, LLVMBuildICmp(b, LLVMIntSLT, x, zero, "lt"), ty, "ltz")
            return LLVMBuildSub(b, gt, lt, "sign")!
        case "fmod":
            if argType.isFloat {
                let r = LLVMBuildFRem(b, args[0], args[1], "fmod")!
                fastMath.apply(r, for: id)
                return r
            }
            let zero = LLVMConstInt(ty, 0, 0), one = LLVMConstInt(ty, 1, 0)
            if argType.isUnsignedInteger {
                let safe = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntEQ, args[1], zero, "y0"), one, args[1], "safey")
                return LLVMBuildURem(b, args[0], safe, "fmod")!  // x rem 1 == 0 for a zero divisor
            }
            let special = LLVMBuildOr(b, LLVMBuildICmp(b, LLVMIntEQ, args[1], zero, "y0"),
                                      LLVMBuildICmp(b, LLVMIntEQ, args[1], LLVMConstAllOnes(ty), "ym1"), "sp")
            let safe = LLVMBuildSelect(b, special, one, args[1], "safey")
            return LLVMBuildSRem(b, args[0], safe, "fmod")!  // x rem 1 == 0 covers both special cases
        case "maximum", "minimum":
            let isMax = name == "maximum"
            if argType.isFloat {
                // NaN propagates from either side, as NumPy's maximum/minimum.
                let pick = LLVMBuildFCmp(b, isMax ? LLVMRealOGE : LLVMRealOLE, args[0], args[1], "pick")
                let aNaN = LLVMBuildFCmp(b, LLVMRealUNO, args[0], args[0], "anan")
                let useA = LLVMBuildOr(b, pick, aNaN, "usea")
                return LLVMBuildSelect(b, useA, args[0], args[1], name)!
            }
            let pred = argType.isSignedInteger ? (isMax ? LLVMIntSGE : LLVMIntSLE) : (isMax ? LLVMIntUGE : LLVMIntULE)
            let useA = LLVMBuildICmp(b, pred, args[0], args[1], "usea")
            return LLVMBuildSelect(b, useA, args[0], args[1], name)!
        case "isnan", "isinf", "isfinite", "signbit":
            // Bit tests: immune to fast-math assumptions about NaN and infinity.
            let wide = argType == .float64
            let intTy = wide ? i64 : i32
            let raw = bits(args[0], argType)
            if name == "signbit" { return LLVMBuildICmp(b, LLVMIntSLT, raw, LLVMConstInt(intTy, 0, 0), "signbit")! }
            let magnitude = LLVMBuildAnd(b, raw, LLVMConstInt(intTy, wide ? 0x7fff_ffff_ffff_ffff : 0x7fff_ffff, 0), "mag")
            let infBits = LLVMConstInt(intTy, wide ? 0x7ff0_0000_0000_0000 : 0x7f80_0000, 0)
            let pred: LLVMIntPredicate = name == "isnan" ? LLVMIntUGT : name == "isinf" ? LLVMIntEQ : LLVMIntULT
            return LLVMBuildICmp(b, pred, magnitude, infBits, name)!
        default:
            preconditionFailure("builtin \(name) has no lowering for \(argType)")
        }
    }
}
