// Complex values are pairs of LLVM values (`values` holds the real parts, `imag` the imaginary
// ones), stored interleaved in memory as NumPy does. Arithmetic follows NumPy's loops (Smith's
// division); functions call the C helpers of CJITSupport (C99 functions where NumPy uses them,
// NumPy's own formulas elsewhere), which the JIT is given as absolute symbols.
import CLLVM
import JITSema

extension Emitter {
    func isArgument(_ inst: IRInstruction) -> Bool {
        if case .argument = inst.op { return true }
        return false
    }

    /// Real and imaginary parts of a complex value already emitted.
    func parts(_ id: ValueID) -> (LLVMValueRef, LLVMValueRef) { (value(id), imag[Int(id.index)]!) }

    /// Allocas for helper results, in the current (entry) block.
    func makeScratch() {
        scratch = (LLVMBuildAlloca(b, f64, "cre")!, LLVMBuildAlloca(b, f64, "cim")!,
                   LLVMBuildAlloca(b, f32, "cref")!, LLVMBuildAlloca(b, f32, "cimf")!)
    }

    /// Loads element `index` of an array of `t` (both parts for complex).
    func loadElement(_ t: DType, base: LLVMValueRef, index: LLVMValueRef, name: String) -> (LLVMValueRef, LLVMValueRef?) {
        let mt = memoryType(t)
        if !t.isComplex {
            var idx: LLVMValueRef? = index
            let load = LLVMBuildLoad2(b, mt, LLVMBuildInBoundsGEP2(b, mt, base, &idx, 1, "a"), name)!
            LLVMSetAlignment(load, UInt32(t.size))
            return (fromMemory(load, t), nil)
        }
        var re: LLVMValueRef? = LLVMBuildShl(b, index, LLVMConstInt(i64, 1, 0), "ci")
        var im: LLVMValueRef? = LLVMBuildOr(b, re, LLVMConstInt(i64, 1, 0), "cj")
        let lre = LLVMBuildLoad2(b, mt, LLVMBuildInBoundsGEP2(b, mt, base, &re, 1, "ar"), name + ".re")!
        let lim = LLVMBuildLoad2(b, mt, LLVMBuildInBoundsGEP2(b, mt, base, &im, 1, "ai"), name + ".im")!
        LLVMSetAlignment(lre, UInt32(t.realPart.size))
        LLVMSetAlignment(lim, UInt32(t.realPart.size))
        return (lre, lim)
    }

    /// Stores `value` (and `imaginary` for complex) as element `index` of an array of `t`.
    func storeElement(_ value: LLVMValueRef, _ imaginary: LLVMValueRef?, _ t: DType, base: LLVMValueRef,
                      index: LLVMValueRef) {
        let mt = memoryType(t)
        if let imaginary, t.isComplex {
            var re: LLVMValueRef? = LLVMBuildShl(b, index, LLVMConstInt(i64, 1, 0), "ci")
            var im: LLVMValueRef? = LLVMBuildOr(b, re, LLVMConstInt(i64, 1, 0), "cj")
            LLVMSetAlignment(LLVMBuildStore(b, value, LLVMBuildInBoundsGEP2(b, mt, base, &re, 1, "dr")),
                             UInt32(t.realPart.size))
            LLVMSetAlignment(LLVMBuildStore(b, imaginary, LLVMBuildInBoundsGEP2(b, mt, base, &im, 1, "di")),
                             UInt32(t.realPart.size))
            return
        }
        var idx: LLVMValueRef? = index
        let store = LLVMBuildStore(b, toMemory(value, t), LLVMBuildInBoundsGEP2(b, mt, base, &idx, 1, "dst"))
        LLVMSetAlignment(store, UInt32(t.size))
    }

    /// Instructions with a complex result.
    func emitComplex(_ id: ValueID, _ inst: IRInstruction, fn: LLVMValueRef) -> (LLVMValueRef, LLVMValueRef) {
        let t = inst.type, pt = t.realPart, ty = valueType(t)
        switch inst.op {
        case .constant(let c):
            switch c {
            case .complex(let re, let im): return (LLVMConstReal(ty, re), LLVMConstReal(ty, im))
            case .float(let re): return (LLVMConstReal(ty, re), LLVMConstReal(ty, 0))
            case .int(let v): return (LLVMConstReal(ty, Double(v)), LLVMConstReal(ty, 0))
            case .bool(let v): return (LLVMConstReal(ty, v ? 1 : 0), LLVMConstReal(ty, 0))
            }
        case .cast(let a):
            let from = f[a].type
            if from.isComplex {
                let (re, im) = parts(a)
                return (cast(re, from: from.realPart, to: pt), cast(im, from: from.realPart, to: pt))
            }
            return (cast(value(a), from: from, to: pt), LLVMConstReal(ty, 0))
        case .unary(_, let a):
            let (re, im) = parts(a)
            return (LLVMBuildFNeg(b, re, "nre")!, LLVMBuildFNeg(b, im, "nim")!)
        case .binary(let op, let x, let y):
            let (a, bi) = parts(x), (c, d) = parts(y)
            switch op {
            case .add: return (LLVMBuildFAdd(b, a, c, "re")!, LLVMBuildFAdd(b, bi, d, "im")!)
            case .sub: return (LLVMBuildFSub(b, a, c, "re")!, LLVMBuildFSub(b, bi, d, "im")!)
            case .mul:
                let re = LLVMBuildFSub(b, LLVMBuildFMul(b, a, c, "ac"), LLVMBuildFMul(b, bi, d, "bd"), "re")!
                let im = LLVMBuildFAdd(b, LLVMBuildFMul(b, a, d, "ad"), LLVMBuildFMul(b, bi, c, "bc"), "im")!
                return (re, im)
            case .div: return divide(a, bi, c, d, pt)
            case .pow: return helper("sj_cpow", pt, [a, bi, c, d])
            default: preconditionFailure("sema never emits complex \(op)")
            }
        case .call(let id, let args):
            let fn = id.builtin
            if case .helper(let helperName)? = fn.complex {
                let (re, im) = parts(args[0])
                return helper(helperName, pt, [re, im])
            }
            switch fn.lowering {
            case .emitted(.conj):
                let (re, im) = parts(args[0])
                return (re, LLVMBuildFNeg(b, im, "conj")!)
            case .emitted(.complex):
                return (value(args[0]), value(args[1]))
            default:
                preconditionFailure("\(fn.name) has no complex result (the type specializer gives it none)")
            }
        case .select(let c, let x, let y):
            let (a, bi) = parts(x), (cc, d) = parts(y)
            return (LLVMBuildSelect(b, value(c), a, cc, "sre")!, LLVMBuildSelect(b, value(c), bi, d, "sim")!)
        case .argument, .compare:
            preconditionFailure("not a complex-valued instruction")
        }
    }

    /// Instructions with a real result that read complex operands; nil when none does.
    func emitFromComplex(_ id: ValueID, _ inst: IRInstruction) -> LLVMValueRef? {
        switch inst.op {
        case .compare(let op, let x, let y) where f[x].type.isComplex:
            let (a, bi) = parts(x), (c, d) = parts(y)
            if op == .eq {
                return LLVMBuildAnd(b, LLVMBuildFCmp(b, LLVMRealOEQ, a, c, "e1"), LLVMBuildFCmp(b, LLVMRealOEQ, bi, d, "e2"), "eq")!
            }
            return LLVMBuildOr(b, LLVMBuildFCmp(b, LLVMRealUNE, a, c, "n1"), LLVMBuildFCmp(b, LLVMRealUNE, bi, d, "n2"), "ne")!
        case .cast(let a) where f[a].type.isComplex:
            let (re, im) = parts(a)
            if inst.type == .bool {
                let zero = LLVMConstReal(LLVMTypeOf(re), 0)
                return LLVMBuildOr(b, LLVMBuildFCmp(b, LLVMRealUNE, re, zero, "z1"), LLVMBuildFCmp(b, LLVMRealUNE, im, zero, "z2"), "tobool")!
            }
            // An unsafe cast to a real type keeps the real part, as NumPy does.
            return cast(re, from: f[a].type.realPart, to: inst.type)
        case .call(let id, let args) where !args.isEmpty && f[args[0]].type.isComplex:
            guard case .emitted(let code) = id.builtin.lowering else { return nil }
            let pt = f[args[0]].type.realPart
            let (re, im) = parts(args[0])
            let name = code.rawValue
            switch code {
            case .real: return re
            case .imag: return im
            case .abs: return libm(pt == .float32 ? "hypotf" : "hypot", [re, im], ret: valueType(pt))
            case .isnan, .isinf:
                let a = classify(code, re, pt), c = classify(code, im, pt)
                return LLVMBuildOr(b, a, c, name)!
            case .isfinite:
                return LLVMBuildAnd(b, classify(code, re, pt), classify(code, im, pt), name)!
            case .sign, .fmod, .maximum, .minimum, .signbit, .conj, .complex: return nil
            }
        default:
            return nil
        }
    }

    /// isnan, isinf or isfinite of a real value or of one part of a complex value: bit tests,
    /// immune to fast-math assumptions about NaN and infinity.
    func classify(_ code: EmittedCode, _ v: LLVMValueRef, _ t: DType) -> LLVMValueRef {
        let wide = t == .float64
        let intTy = wide ? i64 : i32
        let magnitude = LLVMBuildAnd(b, bits(v, t), LLVMConstInt(intTy, wide ? 0x7fff_ffff_ffff_ffff : 0x7fff_ffff, 0), "mag")
        let infBits = LLVMConstInt(intTy, wide ? 0x7ff0_0000_0000_0000 : 0x7f80_0000, 0)
        let pred: LLVMIntPredicate = code == .isnan ? LLVMIntUGT : code == .isinf ? LLVMIntEQ : LLVMIntULT
        return LLVMBuildICmp(b, pred, magnitude, infBits, code.rawValue)!
    }

    /// NumPy's complex division (Smith's method; division by 0 gives inf/NaN parts).
    private func divide(_ a: LLVMValueRef, _ bi: LLVMValueRef, _ c: LLVMValueRef, _ d: LLVMValueRef,
                        _ pt: DType) -> (LLVMValueRef, LLVMValueRef) {
        let ty = valueType(pt)
        let absC = intrinsic("llvm.fabs", overloads: [ty], [c], ret: ty)
        let absD = intrinsic("llvm.fabs", overloads: [ty], [d], ret: ty)
        let one = LLVMConstReal(ty, 1), zero = LLVMConstReal(ty, 0)
        // |c| >= |d|: rat = d/c, scl = 1/(c + d*rat); ((a + b*rat)*scl, (b - a*rat)*scl)
        let rat1 = LLVMBuildFDiv(b, d, c, "rat1")
        let scl1 = LLVMBuildFDiv(b, one, LLVMBuildFAdd(b, c, LLVMBuildFMul(b, d, rat1, "drat"), "den1"), "scl1")
        let re1 = LLVMBuildFMul(b, LLVMBuildFAdd(b, a, LLVMBuildFMul(b, bi, rat1, "brat"), "n1"), scl1, "re1")
        let im1 = LLVMBuildFMul(b, LLVMBuildFSub(b, bi, LLVMBuildFMul(b, a, rat1, "arat"), "n2"), scl1, "im1")
        // both zero: (a/|c|, b/|c|)
        let re0 = LLVMBuildFDiv(b, a, absC, "re0"), im0 = LLVMBuildFDiv(b, bi, absC, "im0")
        let bothZero = LLVMBuildAnd(b, LLVMBuildFCmp(b, LLVMRealOEQ, absC, zero, "c0"),
                                    LLVMBuildFCmp(b, LLVMRealOEQ, absD, zero, "d0"), "z")
        // |c| < |d|: rat = c/d, scl = 1/(d + c*rat); ((a*rat + b)*scl, (b*rat - a)*scl)
        let rat2 = LLVMBuildFDiv(b, c, d, "rat2")
        let scl2 = LLVMBuildFDiv(b, one, LLVMBuildFAdd(b, d, LLVMBuildFMul(b, c, rat2, "crat"), "den2"), "scl2")
        let re2 = LLVMBuildFMul(b, LLVMBuildFAdd(b, LLVMBuildFMul(b, a, rat2, "arat2"), bi, "n3"), scl2, "re2")
        let im2 = LLVMBuildFMul(b, LLVMBuildFSub(b, LLVMBuildFMul(b, bi, rat2, "brat2"), a, "n4"), scl2, "im2")
        let first = LLVMBuildFCmp(b, LLVMRealOGE, absC, absD, "cbig")
        let reA = LLVMBuildSelect(b, bothZero, re0, re1, "rea"), imA = LLVMBuildSelect(b, bothZero, im0, im1, "ima")
        return (LLVMBuildSelect(b, first, reA, re2, "qre")!, LLVMBuildSelect(b, first, imA, im2, "qim")!)
    }

    /// Calls a C helper `name(args..., &re, &im)` (with an `f` suffix for complex64).
    private func helper(_ name: String, _ pt: DType, _ args: [LLVMValueRef]) -> (LLVMValueRef, LLVMValueRef) {
        let ty = valueType(pt)
        let (reSlot, imSlot) = pt == .float32 ? (scratch!.2, scratch!.3) : (scratch!.0, scratch!.1)
        let (fn, type) = function(pt == .float32 ? name + "f" : name, voidType,
                                  args.map { _ in ty } + [sj_pointer_to(ty), sj_pointer_to(ty)])
        addAttribute(fn, "nounwind")
        var callArgs: [LLVMValueRef?] = args + [reSlot, imSlot]
        LLVMBuildCall2(b, type, fn, &callArgs, UInt32(callArgs.count), "")
        return (LLVMBuildLoad2(b, ty, reSlot, "hre")!, LLVMBuildLoad2(b, ty, imSlot, "him")!)
    }
}
