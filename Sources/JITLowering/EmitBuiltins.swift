// Calls of builtins, driven by the builtin table: intrinsics and libm by rule, the emitted code of
// the rows that have it here.
import CLLVM
import JITSema

extension Emitter {
    /// A call of builtin `id` with real arguments (complex ones: EmitComplex.swift), by its row:
    /// the runtime function, our vector math where the row has it and chooses it, the intrinsic
    /// or libm function, or the row's emitted code.
    func call(_ id: BuiltinID, _ inst: ValueID, _ argIDs: [ValueID], _ t: DType) -> LLVMValueRef {
        let fn = id.builtin
        if case .runtime(let symbol) = fn.lowering { return runtimeCall(symbol, argIDs) }  // EmitKernelRuntime.swift
        let args = argIDs.map(value)
        let argType = f[argIDs[0]].type
        if argType.isFloat, let r = vectorMathCall(fn, args, argType) { return r }  // VectorMath.swift
        let ty = valueType(argType)
        switch fn.lowering {
        case .intrinsic(let base):
            let r = intrinsic(base, overloads: [ty], args, ret: ty)
            fastMath.apply(r, for: inst)
            return r
        case .libm(let base):
            let r = libm(argType == .float32 ? base + "f" : base, args, ret: ty)
            fastMath.apply(r, for: inst)
            return r
        case .emitted(let code):
            return emitted(code, inst, args, argType)
        case .runtime:
            preconditionFailure("runtime calls return above")
        case .rewritten:
            preconditionFailure("\(fn.name) is rewritten before lowering (the verifier refuses such a call)")
        }
    }

    /// The code of an `.emitted` row for real arguments of type `argType`.
    private func emitted(_ code: EmittedCode, _ id: ValueID, _ args: [LLVMValueRef], _ argType: DType) -> LLVMValueRef {
        let ty = valueType(argType)
        let name = code.rawValue
        switch code {
        case .abs:
            if argType.isFloat {
                let r = intrinsic("llvm.fabs", overloads: [ty], args, ret: ty)
                fastMath.apply(r, for: id)
                return r
            }
            // Integers: wrapping negation of negatives.
            let neg = LLVMBuildSub(b, LLVMConstInt(ty, 0, 0), args[0], "neg")
            let isNeg = LLVMBuildICmp(b, LLVMIntSLT, args[0], LLVMConstInt(ty, 0, 0), "isneg")
            return LLVMBuildSelect(b, isNeg, neg, args[0], "abs")!
        case .sign:
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
        case .fmod:
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
        case .maximum, .minimum:
            let isMax = code == .maximum
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
        case .signbit:
            let raw = bits(args[0], argType)
            return LLVMBuildICmp(b, LLVMIntSLT, raw, LLVMConstInt(argType == .float64 ? i64 : i32, 0, 0), "signbit")!
        case .isnan, .isinf, .isfinite:
            return classify(code, args[0], argType)  // EmitComplex.swift
        case .real, .imag, .conj, .complex:
            preconditionFailure("\(name) of real arguments: the type specializer keeps it out of the IR")
        }
    }
}
