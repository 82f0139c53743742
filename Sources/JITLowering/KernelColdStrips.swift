// Nested flat loops with their long case outlined, for KernelEmitter (issue 21). In: a unit-step
// `for` without a loop inside, nested in another loop, whose body only stores, evaluates, checks,
// branches, breaks and continues (no assignment to a variable, no view, no return). Out: the loop
// as written (one copy, KernelLoops.swift) for a range of at most one strip, and for a longer range one call of a cold, never-inlined function
// that runs the loop by strips with a check between them (the outlined body of `parallel for`,
// KernelParallelGen.swift, without reductions).
//
// Why: every flat loop is otherwise emitted twice in place, as written and strip-mined, and on
// LLVM 14 the second copy of a nested loop costs the loop as written 12-21 % (W10 LU, whose rows
// are never long: 2026-12-06, least batches, W10-10 361-384 ns against 300-325 without checks and
// 310-335 with one copy; LLVM 19 was unaffected). With the long case out of line the hot code is
// the one copy: W10-10 292-314 ns (no checks 264-292, two copies 332-451), W10-64 19.9-21.9 µs
// (19.4-19.6, 21.0-24.6) on LLVM 14; on LLVM 19 as fast as without checks (same binary, a
// temporary switch, least batches of 5-6 interleaved rounds, 04:19-04:21 UTC).
//
// A break ends the call's loop, which is the whole loop; a run-time error (an index) comes back as
// the call's code, with its location in the context, as from a parallel loop. The body assigns no
// variable, so the enclosing ones go in by value. The quick tier leaves this out (`loopPlans`).
import CLLVM
import JITSema

extension KernelEmitter {
    /// Whether a nested flat loop may have its long case outlined (see the file's comment).
    func coldStripsAllowed(_ body: [KernelStatement]) -> Bool {
        guard loopPlans, Self.checksEnabled, loopDepth > 0, streamTile == nil, beforeFailure == nil else { return false }
        func allowed(_ statements: [KernelStatement]) -> Bool {
            statements.allSatisfy { s in
                switch s {
                case .store, .evaluate, .require, .breakLoop, .continueLoop: return true
                case .ifElse(let branches, let otherwise): return branches.allSatisfy { allowed($0.body) } && allowed(otherwise)
                case .sequence(let inner): return allowed(inner)
                case .assign, .bind, .returnValues, .forLoop, .whileLoop: return false
                }
            }
        }
        return !Self.containsLoop(body) && allowed(body)
    }

    /// `for v in lo..<hi { body }` (unit step, nested, flat): as written in place for at most one
    /// strip, else by one call of the outlined strips.
    func emitLoopWithColdStrips(_ v: Int, _ lo: LLVMValueRef, _ hi: LLVMValueRef, at loc: KernelLocation,
                                _ body: [KernelStatement]) {
        let long = LLVMBuildAnd(b, LLVMBuildICmp(b, LLVMIntSLT, lo, hi, "some")!,
                                LLVMBuildICmp(b, LLVMIntUGT, LLVMBuildSub(b, hi, lo, "n")!, c64(Int(Self.stripIterations)), "long")!,
                                "outofline")!
        let cold = LLVMAppendBasicBlockInContext(ctx, fn, "coldstrips")!
        let warm = LLVMAppendBasicBlockInContext(ctx, fn, "inline")!
        let join = LLVMAppendBasicBlockInContext(ctx, fn, "endcold")!
        module.markUnlikely(branch: LLVMBuildCondBr(b, long, cold, warm))

        LLVMPositionBuilderAtEnd(b, cold)
        let scalars = slots.keys.sorted(), arrayVars = arrays.keys.sorted()
        let (env, fill) = outlineEnv(scalars, arrayVars, extraWords: 0)
        fill([])
        let f = outline(v, scalars, arrayVars, [], body, blocked: false)
        helper.addAttribute(f, "noinline")
        helper.addAttribute(f, "cold")
        var ps: [LLVMTypeRef?] = [i64, i64, sj_pointer_to(i64), ptr, ptr]
        let type = LLVMFunctionType(i32, &ps, 5, 0)!
        var args: [LLVMValueRef?] = [lo, hi, LLVMBuildBitCast(b, env, sj_pointer_to(i64), "envw"),
                                     LLVMBuildBitCast(b, contextArg, ptr, "c"), LLVMConstPointerNull(ptr)]
        let code = LLVMBuildCall2(b, type, f, &args, 5, "coldcode")!
        let failed = LLVMAppendBasicBlockInContext(ctx, fn, "coldfail")!
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, code, LLVMConstInt(i32, 0, 0), "coldok"), join, failed)
        LLVMPositionBuilderAtEnd(b, failed)
        LLVMBuildRet(b, code)

        LLVMPositionBuilderAtEnd(b, warm)
        _ = emitForLoop(v, from: lo, to: hi, by: c64(1), flat: true, at: loc, stripsElsewhere: true, statements: body) { next, exit in
            loopTargets.append((next, exit))
            let counts = countingUp.insert(v).inserted
            emitBlock(body)
            if counts { countingUp.remove(v) }
            loopTargets.removeLast()
        }
        LLVMBuildBr(b, join)
        LLVMPositionBuilderAtEnd(b, join)
    }
}
