// Emission of one typed-IR instruction as LLVM instructions. Total over the IR: sema decided
// every type, so there is no default case that could fail.
import CLLVM
import JITSema

extension Emitter {
    func emit(_ id: ValueID, _ inst: IRInstruction, index: LLVMValueRef?, fn: LLVMValueRef) -> LLVMValueRef {
        let t = inst.type
        if t.isComplex, !isArgument(inst) {
            let (re, im) = emitComplex(id, inst, fn: fn)
            imag[Int(id.index)] = im
            return re
        }
        if let real = emitFromComplex(id, inst) { return real }
        switch inst.op {
        case .argument(let n) where inlineArguments != nil:
            let (re, im) = inlineArguments![n]
            imag[Int(id.index)] = im
            return re
        case .argument(let n):
            let slot = UInt32(parameterSlots[n])
            let p = LLVMGetParam(fn, slot)!
            guard f.parameters[n].kind.isArray, let index else {
                if t.isComplex { imag[Int(id.index)] = LLVMGetParam(fn, slot + 1) }
                return p
            }
            let position = f.parameters[n].kind == .strided
                ? LLVMBuildMul(b, index, LLVMGetParam(fn, slot + 1), "si")! : index
            let (re, im) = loadElement(t, base: p, index: position, name: f.parameters[n].name)
            imag[Int(id.index)] = im
            return re
        case .constant(let c):
            return constant(c, t)
        case .cast(let a):
            return cast(value(a), from: f[a].type, to: t)
        case .unary(.neg, let a):
            if t.isFloat {
                let v = LLVMBuildFNeg(b, value(a), "neg")!
                fastMath.apply(v, for: id)
                return v
            }
            return LLVMBuildSub(b, LLVMConstInt(valueType(t), 0, 0), value(a), "neg")!
        case .unary(.not, let a):
            return LLVMBuildXor(b, value(a), LLVMConstAllOnes(valueType(t)), "not")!
        case .binary(let op, let x, let y):
            return binary(op, id, x, y, t)
        case .compare(let op, let x, let y):
            return compare(op, value(x), value(y), f[x].type)
        case .call(let builtin, let args):
            return call(builtin, id, args, t)
        case .select(let c, let x, let y):
            return LLVMBuildSelect(b, value(c), value(x), value(y), "sel")!
        }
    }

    func constant(_ c: Constant, _ t: DType) -> LLVMValueRef {
        switch c {
        case .bool(let v): return LLVMConstInt(i1, v ? 1 : 0, 0)
        case .int(let v): return LLVMConstInt(valueType(t), UInt64(bitPattern: v), t.isSignedInteger ? 1 : 0)
        case .float(let v): return LLVMConstReal(valueType(t), v)
        case .complex(let re, _): return LLVMConstReal(valueType(t), re)
        }
    }

    func floatConstant(_ v: Double, _ t: DType) -> LLVMValueRef { LLVMConstReal(valueType(t), v) }
    func intConstant(_ v: Int64, _ t: DType) -> LLVMValueRef { LLVMConstInt(valueType(t), UInt64(bitPattern: v), 1) }

    func cast(_ v: LLVMValueRef, from: DType, to: DType) -> LLVMValueRef {
        if from == to { return v }
        let dst = valueType(to)
        switch (from, to) {
        case (_, .bool):
            if from.isFloat { return LLVMBuildFCmp(b, LLVMRealUNE, v, LLVMConstReal(valueType(from), 0), "tobool")! }
            return LLVMBuildICmp(b, LLVMIntNE, v, LLVMConstInt(valueType(from), 0, 0), "tobool")!
        case (.bool, _):
            return to.isFloat ? LLVMBuildUIToFP(b, v, dst, "cvt")! : LLVMBuildZExt(b, v, dst, "cvt")!
        case _ where from.isInteger && to.isInteger:
            if from.size == to.size { return v }
            if from.size > to.size { return LLVMBuildTrunc(b, v, dst, "cvt")! }
            return from.isSignedInteger ? LLVMBuildSExt(b, v, dst, "cvt")! : LLVMBuildZExt(b, v, dst, "cvt")!
        case _ where from.isInteger:
            return from.isSignedInteger ? LLVMBuildSIToFP(b, v, dst, "cvt")! : LLVMBuildUIToFP(b, v, dst, "cvt")!
        case (.float32, .float64): return LLVMBuildFPExt(b, v, dst, "cvt")!
        case (.float64, .float32): return LLVMBuildFPTrunc(b, v, dst, "cvt")!
        default:
            return floatToInteger(v, from: from, to: to)
        }
    }

    /// float -> integer (`i64(x)`, unsafe `out=` casts) by ScalarSemantics.floatToInteger's rule:
    /// truncate, convert inside the target's window, fixed values outside it and for NaN. The
    /// conversion's own result is frozen, since `fptosi` of a value out of range is poison.
    private func floatToInteger(_ v: LLVMValueRef, from: DType, to: DType) -> LLVMValueRef {
        let ft = valueType(from), dst = valueType(to)
        let w = ScalarSemantics.floatToIntegerWindow(to)
        let t = intrinsic("llvm.trunc", overloads: [ft], [v], ret: ft)
        let inRange = LLVMBuildAnd(b, LLVMBuildFCmp(b, LLVMRealOGE, t, LLVMConstReal(ft, w.low), "lo"),
                                   LLVMBuildFCmp(b, LLVMRealOLT, t, LLVMConstReal(ft, w.high), "hi"), "inwindow")
        let above = LLVMBuildFCmp(b, LLVMRealOGE, t, LLVMConstReal(ft, w.high), "above")
        let wide = to.size == 8 || to == .uint32 ? i64 : i32
        var converted = LLVMBuildFPToSI(b, v, wide, "cvt")!
        if to == .uint64 {
            // [2^63, 2^64): convert t - 2^63 and set the top bit.
            let high = LLVMBuildFCmp(b, LLVMRealOGE, t, LLVMConstReal(ft, 0x1p63), "u64hi")
            let shifted = LLVMBuildXor(b, LLVMBuildFPToSI(b, LLVMBuildFSub(b, t, LLVMConstReal(ft, 0x1p63), "m63"), i64, "cvth"),
                                       LLVMConstInt(i64, 1 << 63, 0), "top")
            converted = LLVMBuildSelect(b, high, shifted, converted, "u64")!
        }
        let narrowed = LLVMGetIntTypeWidth(wide) == to.bitWidth ? converted
            : LLVMBuildTrunc(b, LLVMBuildFreeze(b, converted, "fw"), dst, "wrap")!
        let fixed = LLVMBuildSelect(b, above, intConstant(w.above, to), intConstant(w.below, to), "outside")
        return LLVMBuildSelect(b, inRange, LLVMBuildFreeze(b, narrowed, "fz"), fixed, "toint")!
    }

    func compare(_ op: CompareOp, _ x: LLVMValueRef, _ y: LLVMValueRef, _ t: DType) -> LLVMValueRef {
        if t.isFloat {
            // Ordered comparisons are false with NaN; != is true with NaN, as in NumPy.
            let p: LLVMRealPredicate = [.lt: LLVMRealOLT, .le: LLVMRealOLE, .eq: LLVMRealOEQ,
                                        .ne: LLVMRealUNE, .ge: LLVMRealOGE, .gt: LLVMRealOGT][op]!
            return LLVMBuildFCmp(b, p, x, y, "cmp")!
        }
        let signed: [CompareOp: LLVMIntPredicate] = [.lt: LLVMIntSLT, .le: LLVMIntSLE, .eq: LLVMIntEQ,
                                                     .ne: LLVMIntNE, .ge: LLVMIntSGE, .gt: LLVMIntSGT]
        let unsigned: [CompareOp: LLVMIntPredicate] = [.lt: LLVMIntULT, .le: LLVMIntULE, .eq: LLVMIntEQ,
                                                       .ne: LLVMIntNE, .ge: LLVMIntUGE, .gt: LLVMIntUGT]
        return LLVMBuildICmp(b, (t.isSignedInteger ? signed : unsigned)[op]!, x, y, "cmp")!
    }

    /// A call of an overloaded LLVM intrinsic such as `llvm.sqrt` (name mangled with the types).
    func intrinsic(_ base: String, overloads: [LLVMTypeRef], _ args: [LLVMValueRef], ret: LLVMTypeRef) -> LLVMValueRef {
        let suffix = overloads.map { t -> String in
            if t == f64 { return "f64" }
            if t == f32 { return "f32" }
            return "i\(LLVMGetIntTypeWidth(t))"
        }.joined(separator: ".")
        let (fn, type) = function("\(base).\(suffix)", ret, args.map { LLVMTypeOf($0) })
        var a: [LLVMValueRef?] = args
        return LLVMBuildCall2(b, type, fn, &a, UInt32(args.count), "")!
    }

    /// A call of a C library function.
    func libm(_ name: String, _ args: [LLVMValueRef], ret: LLVMTypeRef) -> LLVMValueRef {
        let (fn, type) = function(name, ret, args.map { LLVMTypeOf($0) })
        addAttribute(fn, "nounwind")
        addAttribute(fn, "willreturn")
        var a: [LLVMValueRef?] = args
        return LLVMBuildCall2(b, type, fn, &a, UInt32(args.count), "")!
    }

    /// Integer bit pattern of a float (for class tests that no fast-math flag can remove).
    func bits(_ v: LLVMValueRef, _ t: DType) -> LLVMValueRef {
        LLVMBuildBitCast(b, v, t == .float32 ? i32 : i64, "bits")!
    }
}
