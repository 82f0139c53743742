// Kernel loops and their cancellation checks, for KernelEmitter. In: a loop statement's bounds
// and body; out: the loop's blocks, with a check of the cancellation flag (one load of
// `sj_cancel_pending`, a branch that is never taken until something is cancelled) placed so
// that no loop runs long between two checks and no vectorizable loop body holds one:
//
// - an outermost loop that contains another loop checks at its back-edge (once per iteration);
// - a flat counted loop (`for` without a loop inside, the outlined body of a `parallel for`) of
//   more than `stripIterations` iterations is strip-mined: it runs in strips of that many
//   iterations, the loop over a strip is the loop as written (the same body, bound and step, so
//   it vectorizes as before), and the check comes between strips. Shorter loops (W10's rows,
//   W4's ragged rows) run the loop as written, chosen by one compare on entry. (Emitting only the
//   loop as written for flat loops nested in another loop measured slower on W10: 22.4 against
//   19.7 us at n = 64, 490 against 410 ns at n = 10, LLVM 19; the same as a build without checks.)
// - a loop with a loop inside that is nested in another loop (W10's rows loop inside `for k`)
//   checks every `nestedCheckPeriod` (8) iterations, counted by its own counter, and a flat
//   `while` every `stripIterations` iterations; a flat loop nested in another runs as written only
//   for at most one strip. So between two checks run at most 8 iterations of the innermost loop
//   with a loop inside, each running flat loops of at most one strip (2^19 iterations of each
//   flat loop in its body, under 100 ms even for a body of 100 ns). Until 2026-12-06 nested loops
//   counted their work down in one function-wide budget (an i64 in a register, checked when spent)
//   instead: the budget's phi through every loop of the nest cost W10-10 12-14 % on LLVM 14.
// - the check's slow path calls `sj_cancelled_preserving` on x86-64, which keeps every general
//   register but r11 (LLVM's preserve_most convention, cancel.c): the never-taken call then costs
//   the loop around it no spills or register moves (W10-10 on LLVM 14 with per-loop counters:
//   215 -> 211 ns, on LLVM 19 214 -> 188; 2026-12-06, same binary, temporary switch).
// - a nested flat unit-step loop whose body only assigns scalars, stores, branches, breaks and
//   continues keeps one copy in place (as written, `stripsElsewhere`) and runs a range longer than
//   one strip by a call of a cold outlined function (KernelColdStrips.swift): on LLVM 14 the
//   in-place strip copy cost W10 12-21 %.
import CLLVM
import JITSema

extension KernelEmitter {
    /// Iterations of a flat loop between two cancellation checks (2^16: well under a millisecond
    /// for a vectorized body, a few milliseconds for a body of scalar transcendental calls).
    static let stripShift: UInt64 = 16

    /// Whether kernels check for cancellation at all: false only in a build made to measure what
    /// the checks cost (`swift build -c release -Xswiftc -DSWIFTJIT_NO_CANCEL_CHECKS`, with the
    /// object cache off), which cannot be interrupted.
    #if SWIFTJIT_NO_CANCEL_CHECKS
    static let checksEnabled = false
    #else
    static let checksEnabled = true
    #endif
    static var stripIterations: Int64 { 1 << stripShift }
    /// Iterations between two checks of a loop with a loop inside nested in another (a power of 2).
    static let nestedCheckPeriod: Int64 = 8

    /// `v = lo; while (by > 0 ? v < hi : v > hi) { body; v += by }` (by is not 0). A flat loop is
    /// emitted twice: as written for loops of at most one strip (chosen on entry by one compare;
    /// the code W10's short rows ran before the strips, which measured faster than going through
    /// the strip's bound), and strip-mined for longer ones (see the file's comment). `body` emits
    /// the statements given the blocks `continue` and `break` go to (it is called once per
    /// version); `loc` locates the cancellation. Returns the latches' back-edge branches (for
    /// `Module.requestVectorization`); the builder ends after the loop.
    /// With `statements` (the body's, for a unit-step loop whose variable counts up) a flat loop
    /// may run its index checks on the loop variable once, before the loop
    /// (KernelCheckHoisting.swift).
    func emitForLoop(_ v: Int, from lo: LLVMValueRef, to hi: LLVMValueRef, by: LLVMValueRef, flat: Bool,
                     at loc: KernelLocation, stripsElsewhere: Bool = false, statements: [KernelStatement]? = nil,
                     body: (_ next: LLVMBasicBlockRef, _ exit: LLVMBasicBlockRef) -> Void) -> [LLVMValueRef] {
        if flat, let statements, checksHoistable(v, statements) {
            return emitForLoopHoistingChecks(v, from: lo, to: hi) { lo, hi in
                emitForLoopVersions(v, from: lo, to: hi, by: by, flat: flat, at: loc, stripsElsewhere: stripsElsewhere, body: body)
            }
        }
        return emitForLoopVersions(v, from: lo, to: hi, by: by, flat: flat, at: loc, stripsElsewhere: stripsElsewhere, body: body)
    }

    /// `emitForLoop` without hoisted checks.
    func emitForLoopVersions(_ v: Int, from lo: LLVMValueRef, to hi: LLVMValueRef, by: LLVMValueRef, flat: Bool,
                             at loc: KernelLocation, stripsElsewhere: Bool,
                             body: (_ next: LLVMBasicBlockRef, _ exit: LLVMBasicBlockRef) -> Void) -> [LLVMValueRef] {
        let positive = LLVMBuildICmp(b, LLVMIntSGT, by, c64(0), "pos")!
        /// Whether v has not yet reached `bound`.
        func before(_ i: LLVMValueRef, _ bound: LLVMValueRef) -> LLVMValueRef {
            let up = LLVMBuildICmp(b, LLVMIntSLT, i, bound, "up"), down = LLVMBuildICmp(b, LLVMIntSGT, i, bound, "down")
            return LLVMBuildSelect(b, positive, up, down, "more")!
        }
        let exit = LLVMAppendBasicBlockInContext(ctx, fn, "endfor")!
        let nested = loopDepth > 0
        /// The loop from `head` on (v already holds its start): a plain one, or by strips.
        func loop(strips: Bool, head: LLVMBasicBlockRef) -> LLVMValueRef {
            let work = LLVMAppendBasicBlockInContext(ctx, fn, "forbody")!
            let latch = LLVMAppendBasicBlockInContext(ctx, fn, "fornext")!
            LLVMPositionBuilderAtEnd(b, head)
            let i = LLVMBuildLoad2(b, i64, slots[v]!.0, "i")!
            var backTo = head
            if strips {
                // head -> strip (bound of this strip) -> inner loop over the strip -> stripdone:
                // the loop's end, or a check and the next strip.
                let strip = LLVMAppendBasicBlockInContext(ctx, fn, "strip")!
                let inner = LLVMAppendBasicBlockInContext(ctx, fn, "stripfor")!
                let done = LLVMAppendBasicBlockInContext(ctx, fn, "stripdone")!
                let poll = LLVMAppendBasicBlockInContext(ctx, fn, "strippoll")!
                LLVMBuildCondBr(b, before(i, hi), strip, exit)
                LLVMPositionBuilderAtEnd(b, strip)
                let end = stripEnd(i, hi, by, positive)
                LLVMBuildBr(b, inner)
                LLVMPositionBuilderAtEnd(b, inner)
                let j = LLVMBuildLoad2(b, i64, slots[v]!.0, "i")!
                LLVMBuildCondBr(b, before(j, end), work, done)
                LLVMPositionBuilderAtEnd(b, done)
                LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, end, hi, "last"), exit, poll)
                LLVMPositionBuilderAtEnd(b, poll)
                checkCancelled(at: loc)
                LLVMBuildBr(b, head)
                backTo = inner
            } else {
                LLVMBuildCondBr(b, before(i, hi), work, exit)
            }
            LLVMPositionBuilderAtEnd(b, work)
            loopDepth += 1
            body(latch, exit)
            loopDepth -= 1
            branchIfOpen(latch)
            LLVMPositionBuilderAtEnd(b, latch)
            if !flat {
                if let counter { checkEvery(Self.nestedCheckPeriod, counter, at: loc) } else { checkCancelled(at: loc) }
            }
            let current = LLVMBuildLoad2(b, i64, slots[v]!.0, "i")!
            LLVMBuildStore(b, LLVMBuildAdd(b, current, by, "inext"), slots[v]!.0)
            return LLVMBuildBr(b, backTo)!
        }
        let counter = !flat && nested ? checkCounter() : nil
        LLVMBuildStore(b, lo, slots[v]!.0)
        let head = LLVMAppendBasicBlockInContext(ctx, fn, "for")!
        var backs: [LLVMValueRef] = []
        if flat && Self.checksEnabled && !stripsElsewhere {
            // Longer than one strip from the start (or empty: the strips' head sees that)? (A
            // caller that passes `stripsElsewhere` sends longer loops to strips of its own.)
            let long = LLVMAppendBasicBlockInContext(ctx, fn, "forstrips")!
            LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntNE, stripEnd(lo, hi, by, positive), hi, "long"), long, head)
            backs.append(loop(strips: true, head: long))
        } else {
            LLVMBuildBr(b, head)
        }
        backs.append(loop(strips: false, head: head))
        LLVMPositionBuilderAtEnd(b, exit)
        return backs
    }

    /// Where the strip starting at `i` ends: `i + stripIterations * by` when more than
    /// `stripIterations` iterations are left, else `hi`. `i` is before `hi`, so the distance is
    /// right as an unsigned number; steps of 2^47 or more (at most 2^17 iterations) are one strip,
    /// so the product never overflows. With the unit step all of it folds to one compare.
    private func stripEnd(_ i: LLVMValueRef, _ hi: LLVMValueRef, _ by: LLVMValueRef,
                          _ positive: LLVMValueRef) -> LLVMValueRef {
        let left = LLVMBuildSelect(b, positive, LLVMBuildSub(b, hi, i, "left"), LLVMBuildSub(b, i, hi, "left"), "left")!
        let magnitude = LLVMBuildSelect(b, positive, by, LLVMBuildNeg(b, by, "negby"), "absby")!
        let shift = LLVMConstInt(i64, Self.stripShift, 0)
        let small = LLVMBuildICmp(b, LLVMIntULT, magnitude, c64(1 << 47), "smallstep")!
        let far = LLVMBuildICmp(b, LLVMIntUGT, left, LLVMBuildShl(b, magnitude, shift, "span"), "far")!
        let long = LLVMBuildAnd(b, small, far, "long")!
        return LLVMBuildSelect(b, long, LLVMBuildAdd(b, i, LLVMBuildShl(b, by, shift, "stride"), "stripend"), hi, "end")!
    }

    /// `while cond { body }`: a flat one checks every `stripIterations` iterations (`continue`
    /// goes through the count too); one with a loop inside checks at its back-edge when
    /// outermost, else every `nestedCheckPeriod` iterations.
    func emitWhileLoop(_ cond: KernelScalarExpr, _ body: [KernelStatement]) {
        let flat = !Self.containsLoop(body), nested = loopDepth > 0
        let counter = flat || nested ? checkCounter() : nil
        let head = LLVMAppendBasicBlockInContext(ctx, fn, "while")!
        let loop = LLVMAppendBasicBlockInContext(ctx, fn, "body")!
        let next = LLVMAppendBasicBlockInContext(ctx, fn, "whilenext")!
        let exit = LLVMAppendBasicBlockInContext(ctx, fn, "endwhile")!
        LLVMBuildBr(b, head)
        LLVMPositionBuilderAtEnd(b, head)
        LLVMBuildCondBr(b, scalar(cond).0, loop, exit)
        LLVMPositionBuilderAtEnd(b, loop)
        loopTargets.append((next, exit))
        loopDepth += 1
        emitBlock(body)
        loopDepth -= 1
        loopTargets.removeLast()
        branchIfOpen(next)
        LLVMPositionBuilderAtEnd(b, next)
        if let counter { checkEvery(flat ? Self.stripIterations : Self.nestedCheckPeriod, counter, at: cond.location) } else { checkCancelled(at: cond.location) }
        LLVMBuildBr(b, head)
        LLVMPositionBuilderAtEnd(b, exit)
    }

    /// A counter of a loop's iterations for `checkEvery`, set to 0 here (before the loop); nil
    /// when kernels do not check.
    func checkCounter() -> LLVMValueRef? {
        guard Self.checksEnabled else { return nil }
        let counter = entryAlloca(i64, "checkcount")
        LLVMBuildStore(b, c64(0), counter)
        return counter
    }

    /// At a loop's back-edge: counts the iteration and checks for cancellation every `period`
    /// (a power of 2) iterations: an add, a mask and a never-taken branch, on the loop's own
    /// counter (an induction variable after mem2reg).
    func checkEvery(_ period: Int64, _ counter: LLVMValueRef, at loc: KernelLocation) {
        let count = LLVMBuildAdd(b, LLVMBuildLoad2(b, i64, counter, "checkcount"), c64(1), "checkcount")!
        LLVMBuildStore(b, count, counter)
        let due = LLVMBuildICmp(b, LLVMIntEQ, LLVMBuildAnd(b, count, c64(Int(period - 1)), "phase"), c64(0), "due")!
        let poll = LLVMAppendBasicBlockInContext(ctx, fn, "periodic")!, go = LLVMAppendBasicBlockInContext(ctx, fn, "notdue")!
        module.markUnlikely(branch: LLVMBuildCondBr(b, due, poll, go))
        LLVMPositionBuilderAtEnd(b, poll)
        checkCancelled(at: loc)
        LLVMBuildBr(b, go)
        LLVMPositionBuilderAtEnd(b, go)
    }

    /// LLVM's `preserve_mostcc` (CallingConv::PreserveMost, llvm-c's LLVMCallConv has no case for it).
    static let preserveMostCallConv: UInt32 = 14

    /// Returns SJ_CANCELLED when the call's cancellation token is set: one load of
    /// `sj_cancel_pending` (0 unless some token is cancelled), and only when that is not 0 a call
    /// of `sj_cancelled()` for this thread's token.
    func checkCancelled(at loc: KernelLocation) {
        guard Self.checksEnabled else { return }
        let pending = LLVMGetNamedGlobal(module.ref, "sj_cancel_pending") ?? LLVMAddGlobal(module.ref, i32, "sj_cancel_pending")!
        let count = LLVMBuildLoad2(b, i32, pending, "pending")!
        LLVMSetVolatile(count, 1)
        let ask = LLVMAppendBasicBlockInContext(ctx, fn, "askcancel"), go = LLVMAppendBasicBlockInContext(ctx, fn, "nocancel")
        module.markUnlikely(branch: LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntNE, count, LLVMConstInt(i32, 0, 0), "any"), ask, go))
        LLVMPositionBuilderAtEnd(b, ask)
        let type = LLVMFunctionType(i32, nil, 0, 0)!
        // x86-64 Linux: the preserve_most entry point (see the file's comment); elsewhere the C one.
        let preserving = machine.triple.hasPrefix("x86_64") && machine.triple.contains("linux")
        let name = preserving ? "sj_cancelled_preserving" : "sj_cancelled"
        var poll: LLVMValueRef! = LLVMGetNamedFunction(module.ref, name)
        if poll == nil {
            poll = LLVMAddFunction(module.ref, name, type)
            helper.markInaccessibleMemoryOnly(poll)
            if preserving { LLVMSetFunctionCallConv(poll, Self.preserveMostCallConv) }
        }
        let flag = LLVMBuildCall2(b, type, poll, nil, 0, "cancelled")!
        if preserving { LLVMSetInstructionCallConv(flag, Self.preserveMostCallConv) }
        check(LLVMBuildICmp(b, LLVMIntNE, flag, LLVMConstInt(i32, 0, 0), "stop")!, code: 7, at: loc)
        LLVMBuildBr(b, go)
        LLVMPositionBuilderAtEnd(b, go)
    }

    /// Whether statements contain a loop (their enclosing loop is then an outer loop).
    static func containsLoop(_ body: [KernelStatement]) -> Bool {
        body.contains { s in
            switch s {
            case .whileLoop, .forLoop: return true
            case .ifElse(let branches, let otherwise):
                return branches.contains { containsLoop($0.body) } || containsLoop(otherwise)
            case .sequence(let inner): return containsLoop(inner)
            default: return false
            }
        }
    }
}
