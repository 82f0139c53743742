// Nested flat loops with their long case outlined, for KernelEmitter (issue 21). In: a unit-step
// `for` without a loop inside, nested in another loop, whose body only assigns scalars, stores,
// evaluates, checks, branches, breaks and continues (no view, no return). Out: the loop as written
// (one copy, KernelLoops.swift) for a range of at most one strip, and for a longer range one call
// of a cold, never-inlined function that runs the loop by strips with a check between them (the
// outlined body of `parallel for`, KernelParallelGen.swift, without reductions).
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
// the call's code, with its location in the context, as from a parallel loop. The enclosing
// variables go in by value (env, so their slots here never escape and stay registers); those the
// body assigns (a running sum) come back the same way: the outlined function writes them into env
// when its loop ends, and the caller reads them from there (since 2026-12-06: W4's and W14's rows
// then run as one copy too; before, they kept two copies in place and W4 cost about 3 % on LLVM
// 14). The quick tier leaves this out (`loopPlans`).
import CLLVM
import JITSema

extension KernelEmitter {
    /// The scalar variables a nested flat loop assigns, when its long case may be outlined (see
    /// the file's comment); nil when it may not.
    func coldStripsAssigned(_ body: [KernelStatement]) -> [Int]? {
        guard loopPlans, Self.checksEnabled, loopDepth > 0, streamTile == nil, beforeFailure == nil,
              !Self.containsLoop(body) else { return nil }
        var assigned: Set<Int> = []
        func allowed(_ statements: [KernelStatement]) -> Bool {
            statements.allSatisfy { s in
                switch s {
                case .store, .evaluate, .require, .breakLoop, .continueLoop: return true
                case .assign(let variable, _):
                    assigned.insert(variable)
                    return true
                case .ifElse(let branches, let otherwise): return branches.allSatisfy { allowed($0.body) } && allowed(otherwise)
                case .sequence(let inner): return allowed(inner)
                case .bind, .returnValues, .forLoop, .whileLoop: return false
                }
            }
        }
        return allowed(body) ? assigned.sorted() : nil
    }

    /// `for v in lo..<hi { body }` (unit step, nested, flat): as written in place for at most one
    /// strip, else by one call of the outlined strips.
    func emitLoopWithColdStrips(_ v: Int, _ lo: LLVMValueRef, _ hi: LLVMValueRef, at loc: KernelLocation,
                                _ body: [KernelStatement], assigned: [Int],
                                inPlace: (_ lo: LLVMValueRef, _ hi: LLVMValueRef) -> Void) {
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
        let f = outline(v, scalars, arrayVars, [], body, blocked: false, writeBack: assigned)
        helper.addAttribute(f, "noinline")
        helper.addAttribute(f, "cold")
        var ps: [LLVMTypeRef?] = [i64, i64, sj_pointer_to(i64), ptr, ptr]
        let type = LLVMFunctionType(i32, &ps, 5, 0)!
        var args: [LLVMValueRef?] = [lo, hi, LLVMBuildBitCast(b, env, sj_pointer_to(i64), "envw"),
                                     LLVMBuildBitCast(b, contextArg, ptr, "c"), LLVMConstPointerNull(ptr)]
        let code = LLVMBuildCall2(b, type, f, &args, 5, "coldcode")!
        let failed = LLVMAppendBasicBlockInContext(ctx, fn, "coldfail")!
        let ok = LLVMAppendBasicBlockInContext(ctx, fn, "coldback")!
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, code, LLVMConstInt(i32, 0, 0), "coldok"), ok, failed)
        LLVMPositionBuilderAtEnd(b, failed)
        LLVMBuildRet(b, code)
        // The assigned variables as the outlined loop left them (it wrote them back into env).
        LLVMPositionBuilderAtEnd(b, ok)
        let words = LLVMBuildBitCast(b, env, sj_pointer_to(i64), "envb")!
        for (ty, slot, word) in envWords(assigned, of: scalars, in: words) {
            LLVMBuildStore(b, LLVMBuildLoad2(b, ty, word, "after")!, slot)
        }
        LLVMBuildBr(b, join)

        LLVMPositionBuilderAtEnd(b, warm)
        inPlace(lo, hi)
        LLVMBuildBr(b, join)
        LLVMPositionBuilderAtEnd(b, join)
    }
}
