// Reduction loops. The kernel reduces the per-element values of rows begin..<end into one
// partial result written to *out (the accumulator dtype's memory form). The runtime calls it on
// blocks of 4,096 elements and combines block results pairwise, so float sums are
// blocked-pairwise, not one long chain. Three loop shapes:
// - float sum/prod in relaxed and fast mode, and every integer reduction: one accumulator in a
//   plain loop carrying the `llvm.loop.vectorize.enable` hint, so the loop vectorizer keeps
//   VF x interleave accumulators in vector registers and reads contiguous vectors (with the hint
//   it may reorder the float reduction on LLVM 14, whose C API sets no `reassoc` flags);
// - float min/max in every mode: the same loop with three integer min/max accumulators of the
//   floats' bits (FloatMinMaxBits.swift), because an integer min/max vectorizes on every LLVM
//   while a NaN-propagating float select does not; min and max are exact, so the order does
//   not matter;
// - float sum/prod in strict mode: 8 accumulators over 8-element steps, then a tail loop, then
//   the 8 combined pairwise: a fixed order, the same on every machine and vector width.
import CLLVM
import JITSema

extension Emitter {
    static let lanes = 8

    func emitReductionLoops(_ fn: LLVMValueRef, _ op: ReductionOp) {
        let t = f.resultType
        if t.isComplex { return emitComplexReductionLoops(fn, op) }
        if t.isFloat && (op == .min || op == .max) { return emitFloatMinMaxLoop(fn, op) }
        if !t.isFloat || options.mathMode != .strict { return emitSingleAccumulatorLoop(fn, op) }
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

    /// The parts of a one-accumulator loop that its emitters share.
    private struct Loop {
        let entry: LLVMBasicBlockRef, check: LLVMBasicBlockRef, body: LLVMBasicBlockRef, exit: LLVMBasicBlockRef
        let begin: LLVMValueRef, end: LLVMValueRef, out: LLVMValueRef
        let invariant: [Bool]
        /// The element index, a phi in `check`.
        let i: LLVMValueRef
    }

    /// Entry and check blocks up to the index phi; the builder is left in `check` for the
    /// accumulator phis, then `enterBody` ends the check.
    private func openLoop(_ fn: LLVMValueRef) -> Loop {
        let (entry, check, body, exit) = loopBlocks(fn)
        let (begin, end, out, invariant) = enterReduction(fn, at: entry)
        LLVMBuildBr(b, check)
        LLVMPositionBuilderAtEnd(b, check)
        let i = LLVMBuildPhi(b, i64, "i")!
        return Loop(entry: entry, check: check, body: body, exit: exit, begin: begin, end: end, out: out,
                    invariant: invariant, i: i)
    }

    /// Ends the check (continue while i < end) and emits element i in the body; returns it.
    private func enterBody(_ loop: Loop, _ fn: LLVMValueRef) -> LLVMValueRef {
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, loop.i, loop.end, "more"), loop.body, loop.exit)
        LLVMPositionBuilderAtEnd(b, loop.body)
        return elementValue(loop.i, loop.invariant, fn)
    }

    /// Ends the body: i + 1 and the branch back carrying the vectorization hint; returns the
    /// latch block. The builder is left in the exit block.
    private func closeLoop(_ loop: Loop) -> LLVMBasicBlockRef {
        let iNext = LLVMBuildAdd(b, loop.i, LLVMConstInt(i64, 1, 0), "i1")!
        let latch = LLVMGetInsertBlock(b)!
        let back = LLVMBuildBr(b, loop.check)!
        module.requestVectorization(latch: back, noRuntimeUnroll: true)
        addIncoming(loop.i, [(loop.begin, loop.entry), (iNext, latch)])
        LLVMPositionBuilderAtEnd(b, loop.exit)
        return latch
    }

    /// One accumulator over begin..<end in a loop the vectorizer is asked to vectorize.
    private func emitSingleAccumulatorLoop(_ fn: LLVMValueRef, _ op: ReductionOp) {
        let t = f.resultType
        let loop = openLoop(fn)
        let acc = LLVMBuildPhi(b, valueType(t), "acc")!
        let element = enterBody(loop, fn)
        let next = fusedAccumulate(op, acc, t) ?? combine(op, acc, element, t)
        let latch = closeLoop(loop)
        addIncoming(acc, [(reductionIdentity(op, t), loop.entry), (next, latch)])
        storeResult(acc, t, loop.out, fn)
    }

    /// Float min/max over begin..<end: three integer accumulators of the elements' bits
    /// (FloatMinMaxBits.swift) in a loop the vectorizer is asked to vectorize.
    private func emitFloatMinMaxLoop(_ fn: LLVMValueRef, _ op: ReductionOp) {
        let t = f.resultType
        let loop = openLoop(fn)
        let accs = ["a", "b", "c"].map { LLVMBuildPhi(b, floatBitsType(t), "mm.\($0)")! }
        let element = enterBody(loop, fn)
        var signClear = false
        if case .call(.abs, let args) = f[f.result].op, f[args[0]].type.isFloat { signClear = true }
        let next = floatMinMaxUpdate(op, accs, floatBits(element, t), signClear: signClear)
        let latch = closeLoop(loop)
        for (k, identity) in floatMinMaxIdentities(op, t).enumerated() {
            addIncoming(accs[k], [(identity, loop.entry), (next[k], latch)])
        }
        storeResult(floatMinMaxResult(op, accs, t), t, loop.out, fn)
    }

    /// Stores the partial result and returns.
    private func storeResult(_ value: LLVMValueRef, _ t: DType, _ out: LLVMValueRef, _ fn: LLVMValueRef) {
        let store = LLVMBuildStore(b, toMemory(value, t), out)
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
