// Reduction loops. The kernel reduces the per-element values of rows begin..<end into one
// partial result written to *out (the accumulator dtype's memory form). The runtime calls it on
// blocks of 4,096 elements and combines block results pairwise, so float sums are
// blocked-pairwise, not one long chain. Three loop shapes:
// - float sum/prod in relaxed and fast mode, and every integer reduction: one accumulator in a
//   plain loop carrying the `llvm.loop.vectorize.enable` hint, so the loop vectorizer keeps
//   VF x interleave accumulators in vector registers and reads contiguous vectors (with the hint
//   it may reorder the float reduction on LLVM 14, whose C API sets no `reassoc` flags);
// - float min/max in every mode: the same loop over integer keys (the float's bits mapped to a
//   signed integer that orders like the float, NaN mapped above or below everything), because
//   an integer min/max vectorizes on every LLVM while a NaN-propagating float select does not;
//   min and max are exact, so the order does not matter;
// - float sum/prod in strict mode: 8 accumulators over 8-element steps, then a tail loop, then
//   the 8 combined pairwise: a fixed order, the same on every machine and vector width.
import CLLVM
import JITSema

extension Emitter {
    static let lanes = 8

    func emitReductionLoops(_ fn: LLVMValueRef, _ op: ReductionOp) {
        let t = f.resultType
        if t.isComplex { return emitComplexReductionLoops(fn, op) }
        if t.isFloat && (op == .min || op == .max) { return emitSingleAccumulatorLoop(fn, op, keyed: true) }
        if !t.isFloat || options.mathMode != .strict { return emitSingleAccumulatorLoop(fn, op, keyed: false) }
        let ty = valueType(t)
        let entry = LLVMAppendBasicBlockInContext(ctx, fn, "entry")
        let mainCheck = LLVMAppendBasicBlockInContext(ctx, fn, "main.check")
        let mainBody = LLVMAppendBasicBlockInContext(ctx, fn, "main.body")
        let tailCheck = LLVMAppendBasicBlockInContext(ctx, fn, "tail.check")
        let tailBody = LLVMAppendBasicBlockInContext(ctx, fn, "tail.body")
        let exit = LLVMAppendBasicBlockInContext(ctx, fn, "exit")
        LLVMPositionBuilderAtEnd(b, entry)
        makeScratch()
        beginErrorCollection()
        let begin = LLVMGetParam(fn, 0)!, end = LLVMGetParam(fn, 1)!
        let out = LLVMGetParam(fn, 2)!
        let invariant = invariantValues()
        for (i, inst) in f.instructions.enumerated() where invariant[i] {
            values[i] = emit(ValueID(i), inst, index: nil, fn: fn)
        }
        let identity = reductionIdentity(op, t)
        LLVMBuildBr(b, mainCheck)

        // main.check: i, acc[0..<8] phis; continue while i + 8 <= end.
        LLVMPositionBuilderAtEnd(b, mainCheck)
        let i = LLVMBuildPhi(b, i64, "i")!
        let accs = (0..<Emitter.lanes).map { LLVMBuildPhi(b, ty, "acc\($0)")! }
        let next8 = LLVMBuildAdd(b, i, LLVMConstInt(i64, UInt64(Emitter.lanes), 0), "i8")!
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLE, next8, end, "more8"), mainBody, tailCheck)

        LLVMPositionBuilderAtEnd(b, mainBody)
        var updated: [LLVMValueRef] = []
        for lane in 0..<Emitter.lanes {
            let index = LLVMBuildAdd(b, i, LLVMConstInt(i64, UInt64(lane), 0), "il")!
            updated.append(combine(op, accs[lane], elementValue(index, invariant, fn), t))
        }
        let mainLatch = LLVMGetInsertBlock(b)
        LLVMBuildBr(b, mainCheck)
        addIncoming(i, [(begin, entry), (next8, mainLatch)])
        for lane in 0..<Emitter.lanes {
            addIncoming(accs[lane], [(identity, entry), (updated[lane], mainLatch)])
        }

        // tail: one element at a time into acc0.
        LLVMPositionBuilderAtEnd(b, tailCheck)
        let j = LLVMBuildPhi(b, i64, "j")!
        let tailAcc = LLVMBuildPhi(b, ty, "tacc")!
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, j, end, "more1"), tailBody, exit)
        LLVMPositionBuilderAtEnd(b, tailBody)
        let tailNext = combine(op, tailAcc, elementValue(j, invariant, fn), t)
        let jNext = LLVMBuildAdd(b, j, LLVMConstInt(i64, 1, 0), "j1")!
        let tailLatch = LLVMGetInsertBlock(b)
        LLVMBuildBr(b, tailCheck)
        addIncoming(j, [(i, mainCheck), (jNext, tailLatch)])
        addIncoming(tailAcc, [(accs[0], mainCheck), (tailNext, tailLatch)])

        // exit: ((a0+a1)+(a2+a3)) + ((a4+a5)+(a6+a7)), with acc0 replaced by the tail's result.
        LLVMPositionBuilderAtEnd(b, exit)
        var level: [LLVMValueRef] = [tailAcc] + accs.dropFirst()
        while level.count > 1 {
            level = stride(from: 0, to: level.count, by: 2).map { combine(op, level[$0], level[$0 + 1], t) }
        }
        let store = LLVMBuildStore(b, toMemory(level[0], t), out)
        LLVMSetAlignment(store, UInt32(t.size))
        finishErrorCollection(fn)
        LLVMBuildRetVoid(b)
    }

    /// The blocks of a one-accumulator loop: entry, check, body, exit.
    private func loopBlocks(_ fn: LLVMValueRef) -> (LLVMBasicBlockRef, LLVMBasicBlockRef, LLVMBasicBlockRef, LLVMBasicBlockRef) {
        (LLVMAppendBasicBlockInContext(ctx, fn, "entry"), LLVMAppendBasicBlockInContext(ctx, fn, "check"),
         LLVMAppendBasicBlockInContext(ctx, fn, "body"), LLVMAppendBasicBlockInContext(ctx, fn, "exit"))
    }

    /// In `entry`: scratch slots, error collection, the parameters (begin, end, out) and the
    /// loop-invariant values, computed once; returns the parameters and which values are invariant.
    private func enterReduction(_ fn: LLVMValueRef, at entry: LLVMBasicBlockRef)
        -> (LLVMValueRef, LLVMValueRef, LLVMValueRef, [Bool]) {
        LLVMPositionBuilderAtEnd(b, entry)
        makeScratch()
        beginErrorCollection()
        let invariant = invariantValues()
        for (i, inst) in f.instructions.enumerated() where invariant[i] {
            values[i] = emit(ValueID(i), inst, index: nil, fn: fn)
        }
        return (LLVMGetParam(fn, 0)!, LLVMGetParam(fn, 1)!, LLVMGetParam(fn, 2)!, invariant)
    }

    /// One accumulator over begin..<end in a loop the vectorizer is asked to vectorize. With
    /// `keyed`, float min/max run on order-preserving integer keys (see `orderKey`).
    private func emitSingleAccumulatorLoop(_ fn: LLVMValueRef, _ op: ReductionOp, keyed: Bool) {
        let t = f.resultType
        let bits = LLVMIntTypeInContext(ctx, UInt32(8 * t.size))!
        let ty = keyed ? bits : valueType(t)
        let (entry, check, body, exit) = loopBlocks(fn)
        let (begin, end, out, invariant) = enterReduction(fn, at: entry)
        let identity = keyed ? orderKey(reductionIdentity(op, t), t, nanKey: nil) : reductionIdentity(op, t)
        LLVMBuildBr(b, check)
        LLVMPositionBuilderAtEnd(b, check)
        let i = LLVMBuildPhi(b, i64, "i")!
        let acc = LLVMBuildPhi(b, ty, "acc")!
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, i, end, "more"), body, exit)
        LLVMPositionBuilderAtEnd(b, body)
        let element = elementValue(i, invariant, fn)
        let next: LLVMValueRef
        if keyed {
            next = keyedMinMax(op, acc, element, t)
        } else if let fused = fusedAccumulate(op, acc, t) {
            next = fused
        } else {
            next = combine(op, acc, element, t)
        }
        let iNext = LLVMBuildAdd(b, i, LLVMConstInt(i64, 1, 0), "i1")!
        let latch = LLVMGetInsertBlock(b)
        let back = LLVMBuildBr(b, check)!
        module.requestVectorization(latch: back, noRuntimeUnroll: true)
        addIncoming(i, [(begin, entry), (iNext, latch)])
        addIncoming(acc, [(identity, entry), (next, latch)])
        LLVMPositionBuilderAtEnd(b, exit)
        let result = keyed ? LLVMBuildBitCast(b, orderKeyInverse(acc, t), valueType(t), "fromkey")! : acc
        let store = LLVMBuildStore(b, toMemory(result, t), out)
        LLVMSetAlignment(store, UInt32(t.size))
        finishErrorCollection(fn)
        LLVMBuildRetVoid(b)
    }

    /// `acc + a*b` as one `llvm.fmuladd` when the summed element is a product used by nothing
    /// else and the mode contracts (relaxed, fast), the same contraction an expression's
    /// `c + a*b` gets (EmitArithmetic). LLVM 19 fused the separate `fmul`/`fadd` through their
    /// `contract` flags already; LLVM 14, whose C API sets no flags, kept a multiply and an add
    /// per vector, so both LLVMs now build the same FMA loop from one source.
    private func fusedAccumulate(_ op: ReductionOp, _ acc: LLVMValueRef, _ t: DType) -> LLVMValueRef? {
        let r = f.result
        guard op == .sum, t.isFloat, fastMath.contracts, useCounts[Int(r.index)] == 1,
              case .binary(.mul, let p, let q) = f[r].op else { return nil }
        let ty = valueType(t)
        let fused = intrinsic("llvm.fmuladd", overloads: [ty], [value(p), value(q), acc], ret: ty)
        fastMath.apply(fused, for: r)
        return fused
    }

    /// The key accumulator `acc` after taking in the float `element`: the integer min or max of
    /// `acc` and the element's key, NaN keyed so that it wins. An integer select of a compare,
    /// which the loop vectorizer turns into a vector min/max reduction on every LLVM (kernel
    /// loops use it too, KernelMinMaxKeys.swift).
    func keyedMinMax(_ op: ReductionOp, _ acc: LLVMValueRef, _ element: LLVMValueRef, _ t: DType,
                     signClear: Bool = false) -> LLVMValueRef {
        let key = minMaxKey(op, element, t, signClear: signClear)
        let pred = op == .min ? LLVMIntSLE : LLVMIntSGE
        return LLVMBuildSelect(b, LLVMBuildICmp(b, pred, acc, key, "keep"), acc, key, "racc")!
    }

    /// The key of a float for a min or max reduction: `orderKey` with NaN the largest key for
    /// max, the smallest for min. `signClear`: the value's sign bit is known to be 0 (an `abs`).
    func minMaxKey(_ op: ReductionOp, _ value: LLVMValueRef, _ t: DType, signClear: Bool = false) -> LLVMValueRef {
        let width = 8 * t.size
        let nanKey = op == .max ? (UInt64(1) << (width - 1)) - 1 : UInt64(1) << (width - 1)
        return orderKey(value, t, nanKey: LLVMConstInt(LLVMIntTypeInContext(ctx, UInt32(width)), nanKey, 0),
                        signClear: signClear)
    }

    /// A float's bits as a signed integer that orders like the float: non-negative floats keep
    /// their bits, negative ones flip every bit but the sign (so -0.0 < +0.0). NaN (found by a
    /// bit test, immune to fast-math flags) becomes `nanKey` when given: the largest key for
    /// max, the smallest for min, so NaN wins as NumPy's min and max propagate it.
    /// With `signClear` (the sign bit is known to be 0) the key is the bits themselves, which
    /// LLVM 14 cannot tell by itself when the value is an `abs`.
    func orderKey(_ value: LLVMValueRef, _ t: DType, nanKey: LLVMValueRef?, signClear: Bool = false) -> LLVMValueRef {
        let width = UInt32(8 * t.size)
        let bits = LLVMIntTypeInContext(ctx, width)!
        let raw = LLVMBuildBitCast(b, value, bits, "fbits")!
        let key = signClear ? raw : flipMagnitudeIfNegative(raw, width: width)
        guard let nanKey else { return key }
        let magnitude = LLVMBuildAnd(b, raw, LLVMConstInt(bits, (UInt64(1) << (width - 1)) - 1, 0), "mag")
        let infinity = t == .float32 ? UInt64(0x7F80_0000) : 0x7FF0_0000_0000_0000
        let isNaN = LLVMBuildICmp(b, LLVMIntUGT, magnitude, LLVMConstInt(bits, infinity, 0), "isnan")
        return LLVMBuildSelect(b, isNaN, nanKey, key, "key")!
    }

    /// The bits of the float whose key is `key` (the map is its own inverse). The NaN keys map
    /// to NaN bit patterns (0x7FF...F and 0xFFF...F).
    func orderKeyInverse(_ key: LLVMValueRef, _ t: DType) -> LLVMValueRef {
        flipMagnitudeIfNegative(key, width: UInt32(8 * t.size))
    }

    /// x ^ ((x >>s (w-1)) >>u 1): flips the low w-1 bits where the sign bit is set.
    private func flipMagnitudeIfNegative(_ x: LLVMValueRef, width: UInt32) -> LLVMValueRef {
        let bits = LLVMTypeOf(x)!
        let sign = LLVMBuildAShr(b, x, LLVMConstInt(bits, UInt64(width - 1), 0), "sgn")
        let mask = LLVMBuildLShr(b, sign, LLVMConstInt(bits, 1, 0), "mask")
        return LLVMBuildXor(b, x, mask, "flip")!
    }

    /// Complex sums and products: the same loop shape with a (re, im) pair per accumulator.
    private func emitComplexReductionLoops(_ fn: LLVMValueRef, _ op: ReductionOp) {
        let t = f.resultType, ty = valueType(t)
        let (entry, check, body, exit) = loopBlocks(fn)
        let (begin, end, out, invariant) = enterReduction(fn, at: entry)
        let identity = (LLVMConstReal(ty, op == .prod ? 1 : 0)!, LLVMConstReal(ty, 0)!)
        LLVMBuildBr(b, check)
        LLVMPositionBuilderAtEnd(b, check)
        let i = LLVMBuildPhi(b, i64, "i")!
        let accRe = LLVMBuildPhi(b, ty, "are")!, accIm = LLVMBuildPhi(b, ty, "aim")!
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, i, end, "more"), body, exit)
        LLVMPositionBuilderAtEnd(b, body)
        let re = elementValue(i, invariant, fn), im = imag[Int(f.result.index)]!
        let next = combineComplex(op, (accRe, accIm), (re, im))
        let iNext = LLVMBuildAdd(b, i, LLVMConstInt(i64, 1, 0), "i1")!
        let latch = LLVMGetInsertBlock(b)
        LLVMBuildBr(b, check)
        addIncoming(i, [(begin, entry), (iNext, latch)])
        addIncoming(accRe, [(identity.0, entry), (next.0, latch)])
        addIncoming(accIm, [(identity.1, entry), (next.1, latch)])
        LLVMPositionBuilderAtEnd(b, exit)
        storeElement(accRe, accIm, t, base: out, index: LLVMConstInt(i64, 0, 0))
        finishErrorCollection(fn)
        LLVMBuildRetVoid(b)
    }

    private func combineComplex(_ op: ReductionOp, _ x: (LLVMValueRef, LLVMValueRef),
                                _ y: (LLVMValueRef, LLVMValueRef)) -> (LLVMValueRef, LLVMValueRef) {
        if op == .sum { return (LLVMBuildFAdd(b, x.0, y.0, "sre")!, LLVMBuildFAdd(b, x.1, y.1, "sim")!) }
        let re = LLVMBuildFSub(b, LLVMBuildFMul(b, x.0, y.0, "ac"), LLVMBuildFMul(b, x.1, y.1, "bd"), "pre")!
        let im = LLVMBuildFAdd(b, LLVMBuildFMul(b, x.0, y.1, "ad"), LLVMBuildFMul(b, x.1, y.0, "bc"), "pim")!
        return (re, im)
    }

    private func addIncoming(_ phi: LLVMValueRef, _ pairs: [(LLVMValueRef, LLVMBasicBlockRef?)]) {
        var values: [LLVMValueRef?] = pairs.map(\.0)
        var blocks: [LLVMBasicBlockRef?] = pairs.map(\.1)
        LLVMAddIncoming(phi, &values, &blocks, UInt32(pairs.count))
    }

    /// Emits the per-element instructions for element `index` and returns the result value.
    private func elementValue(_ index: LLVMValueRef, _ invariant: [Bool], _ fn: LLVMValueRef) -> LLVMValueRef {
        for (k, inst) in f.instructions.enumerated() where !invariant[k] {
            values[k] = emit(ValueID(k), inst, index: index, fn: fn)
        }
        return values[Int(f.result.index)]!
    }

    func reductionIdentity(_ op: ReductionOp, _ t: DType) -> LLVMValueRef {
        let ty = valueType(t)
        switch (op, t.isFloat) {
        case (.sum, true): return LLVMConstReal(ty, 0)
        case (.prod, true): return LLVMConstReal(ty, 1)
        case (.min, true): return LLVMConstReal(ty, .infinity)
        case (.max, true): return LLVMConstReal(ty, -.infinity)
        case (.sum, false): return LLVMConstInt(ty, 0, 0)
        case (.prod, false): return LLVMConstInt(ty, 1, 0)
        case (.min, false):
            if t == .bool || t.isUnsignedInteger { return LLVMConstAllOnes(ty) }
            return LLVMConstInt(ty, UInt64(bitPattern: t.integerRange!.upperBound), 1)
        case (.max, false):
            if t == .bool || t.isUnsignedInteger { return LLVMConstInt(ty, 0, 0) }
            return LLVMConstInt(ty, UInt64(bitPattern: t.integerRange!.lowerBound), 1)
        }
    }

    /// acc (op) v; min and max propagate NaN from either side.
    func combine(_ op: ReductionOp, _ a: LLVMValueRef, _ v: LLVMValueRef, _ t: DType) -> LLVMValueRef {
        if t.isFloat {
            switch op {
            case .sum:
                let r = LLVMBuildFAdd(b, a, v, "racc")!
                fastMath.apply(r, for: f.result)
                return r
            case .prod:
                let r = LLVMBuildFMul(b, a, v, "racc")!
                fastMath.apply(r, for: f.result)
                return r
            case .min, .max:
                let keep = LLVMBuildFCmp(b, op == .min ? LLVMRealOLE : LLVMRealOGE, a, v, "keep")
                let aNaN = LLVMBuildFCmp(b, LLVMRealUNO, a, a, "anan")
                return LLVMBuildSelect(b, LLVMBuildOr(b, keep, aNaN, "k"), a, v, "racc")!
            }
        }
        switch op {
        case .sum: return t == .bool ? LLVMBuildOr(b, a, v, "racc")! : LLVMBuildAdd(b, a, v, "racc")!
        case .prod: return t == .bool ? LLVMBuildAnd(b, a, v, "racc")! : LLVMBuildMul(b, a, v, "racc")!
        case .min, .max:
            if t == .bool { return op == .min ? LLVMBuildAnd(b, a, v, "racc")! : LLVMBuildOr(b, a, v, "racc")! }
            let pred = t.isSignedInteger ? (op == .min ? LLVMIntSLE : LLVMIntSGE) : (op == .min ? LLVMIntULE : LLVMIntUGE)
            return LLVMBuildSelect(b, LLVMBuildICmp(b, pred, a, v, "keep"), a, v, "racc")!
        }
    }
}
