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
// - everything nested in another loop counts its work down in the function's work budget, an
//   i64 that mem2reg keeps in a register (`spendWork`): a loop as written nested in another loop
//   spends its distance (at most two strips) on entry, a loop with a loop inside that is nested
//   in another spends 1 per iteration at its back-edge, and a flat `while` (outermost or nested)
//   1 per iteration; the back-edges of the nested loops with a loop inside and of flat `while`s
//   check when the budget is spent (<= 0) and refill it with `stripIterations`. So between two
//   checks run at most about 2^17 iterations of flat loops, however the loops nest (a long
//   middle loop over short rows, a `while true` inside a `for`), and the rows of W10 pay an add
//   and a compare of a register instead of a volatile load (which on LLVM 14 cost W10 16-25 %).
// - a nested flat unit-step loop whose body only stores, branches, breaks and continues keeps one
//   copy in place (as written, `stripsElsewhere`) and runs a range longer than one strip by a
//   call of a cold outlined function (KernelColdStrips.swift): on LLVM 14 the in-place strip copy
//   cost W10 12-21 %.
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
                if nested { spendWork(c64(1), at: loc) } else { checkCancelled(at: loc) }
            }
            let current = LLVMBuildLoad2(b, i64, slots[v]!.0, "i")!
            LLVMBuildStore(b, LLVMBuildAdd(b, current, by, "inext"), slots[v]!.0)
            return LLVMBuildBr(b, backTo)!
        }
        LLVMBuildStore(b, lo, slots[v]!.0)
        let head = LLVMAppendBasicBlockInContext(ctx, fn, "for")!
        var backs: [LLVMValueRef] = []
        if flat && Self.checksEnabled && stripsElsewhere {
            // At most one strip (the caller sends longer loops to the strips elsewhere): only the
            // loop as written, spending its distance as below.
            let distance = LLVMBuildSelect(b, positive, LLVMBuildSub(b, hi, lo, "dist"), LLVMBuildSub(b, lo, hi, "dist"), "dist")!
            spendWork(LLVMBuildSelect(b, before(lo, hi), distance, c64(0), "work")!, at: loc, check: false)
            LLVMBuildBr(b, head)
        } else if flat && Self.checksEnabled {
            // Longer than one strip from the start (or empty: the strips' head sees that)?
            let long = LLVMAppendBasicBlockInContext(ctx, fn, "forstrips")!
            if nested {
                // The loop as written spends its iterations (its distance, at most one strip and
                // a bit) from the function's budget; the enclosing loop checks at its back-edge.
                let spend = LLVMAppendBasicBlockInContext(ctx, fn, "forspend")!
                LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntNE, stripEnd(lo, hi, by, positive), hi, "long"), long, spend)
                LLVMPositionBuilderAtEnd(b, spend)
                let distance = LLVMBuildSelect(b, positive, LLVMBuildSub(b, hi, lo, "dist"), LLVMBuildSub(b, lo, hi, "dist"), "dist")!
                let cap = c64(Int(Self.stripIterations) * 2)
                let capped = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntULT, distance, cap, "fits"), distance, cap, "work")!
                spendWork(LLVMBuildSelect(b, before(lo, hi), capped, c64(0), "work")!, at: loc, check: false)
                LLVMBuildBr(b, head)
            } else {
                LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntNE, stripEnd(lo, hi, by, positive), hi, "long"), long, head)
            }
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

    /// `while cond { body }`: a flat one spends one unit of the function's budget per iteration
    /// and checks when it is spent (`continue` goes through the count too); one with a loop
    /// inside checks at its back-edge when outermost, else spends one unit there.
    func emitWhileLoop(_ cond: KernelScalarExpr, _ body: [KernelStatement]) {
        let flat = !Self.containsLoop(body), nested = loopDepth > 0
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
        if flat || nested { spendWork(c64(1), at: cond.location) } else { checkCancelled(at: cond.location) }
        LLVMBuildBr(b, head)
        LLVMPositionBuilderAtEnd(b, exit)
    }

    /// Takes `units` from the function's work budget (an i64 alloca, `stripIterations` at entry,
    /// kept in a register after mem2reg) and, with `check`, checks for cancellation and refills
    /// it when it is spent: a compare and a never-taken branch instead of a load.
    func spendWork(_ units: LLVMValueRef, at loc: KernelLocation, check: Bool = true) {
        guard Self.checksEnabled else { return }
        let slot = workBudget ?? entryAlloca(i64, "workbudget", initial: c64(Int(Self.stripIterations)))
        workBudget = slot
        let left = LLVMBuildSub(b, LLVMBuildLoad2(b, i64, slot, "budget"), units, "budget")!
        LLVMBuildStore(b, left, slot)
        guard check else { return }
        let poll = LLVMAppendBasicBlockInContext(ctx, fn, "spent")!, go = LLVMAppendBasicBlockInContext(ctx, fn, "budgetok")!
        module.markUnlikely(branch: LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLE, left, c64(0), "spent"), poll, go))
        LLVMPositionBuilderAtEnd(b, poll)
        LLVMBuildStore(b, c64(Int(Self.stripIterations)), slot)
        checkCancelled(at: loc)
        LLVMBuildBr(b, go)
        LLVMPositionBuilderAtEnd(b, go)
    }

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
        var poll: LLVMValueRef! = LLVMGetNamedFunction(module.ref, "sj_cancelled")
        if poll == nil {
            poll = LLVMAddFunction(module.ref, "sj_cancelled", type)
            helper.markInaccessibleMemoryOnly(poll)
        }
        let flag = LLVMBuildCall2(b, type, poll, nil, 0, "cancelled")!
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
