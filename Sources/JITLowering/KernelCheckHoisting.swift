// Index checks made once before a flat loop, for KernelEmitter. In: a flat unit-step `for v in
// lo..<hi` whose body indexes arrays with `v` itself (`a[v]`, `a[i, v]`, `a[v, v]`) and has no
// `break`. Out: two loops. The first runs v over lo..<safe without those checks, where safe is the
// largest end for which no such index can fail: `min(hi, n1, n2, ...)` over the extents the body
// checks v against (extents of arrays bound before the loop), or lo when lo is negative. The
// second, entered only when safe < hi (almost never: an index error is coming), runs the rest
// with every check, so an error is raised at the same iteration, access and line as in the loop
// as written, after the same stores. Other checks (indices that are not v, arrays bound in the
// body) stay in both loops.
//
// Why: a check in the body is a second exit of the loop. LLVM vectorizes such a loop, but the
// last 1..VF*UF iterations (up to 16 with AVX-512 f64) must run in the scalar loop, and with
// 64-iteration reduction blocks that was 20 of W9's 100 `tanh` evaluations, about a tenth of W9
// (2026-12-06: W9 least 2,356-2,433 ns without the checks on v against 2,645-2,755 with them,
// same binary, 1 thread, both LLVMs). IRCE, LLVM's pass for this, did nothing here (opt-19,
// `irce` before `default<O3>`).
//
// Which extents are covered is decided while the first loop's body is emitted: `axisIndex` skips
// the check of v against an extent `n` when `n` is one of the values that held the extents of the
// arrays bound at the loop's start (the same LLVM value, so it is the same extent, and it is
// defined before the loop), and records it. The bound of the first loop is a placeholder until
// then, replaced by `safe` computed in front of it. Unit step only: v then takes exactly the values
// lo, lo+1, ... < safe, all in 0..<n. The quick tier leaves this out (`loopPlans`).
import CLLVM
import JITSema

/// The extents a loop variable's index checks were made against before its loop.
final class HoistedChecks {
    /// Extents of the arrays bound when the loop started.
    let available: Set<LLVMValueRef>
    /// Those that an index check on the loop variable was left out for, in order of first use.
    private(set) var used: [LLVMValueRef] = []

    init(available: Set<LLVMValueRef>) { self.available = available }

    /// Whether the check of the loop variable against `n` is made before the loop (and records it).
    func covers(_ n: LLVMValueRef) -> Bool {
        guard available.contains(n) else { return false }
        if !used.contains(n) { used.append(n) }
        return true
    }
}

extension KernelEmitter {
    /// Whether the checks of a flat unit-step loop over `v` may be made before it.
    func checksHoistable(_ v: Int, _ body: [KernelStatement]) -> Bool {
        guard options.boundsChecks, loopPlans, streamTile == nil, hoistedChecks[v] == nil else { return false }
        func breaks(_ statements: [KernelStatement]) -> Bool {
            statements.contains { s in
                switch s {
                case .breakLoop: return true
                case .ifElse(let branches, let otherwise): return branches.contains { breaks($0.body) } || breaks(otherwise)
                case .sequence(let inner): return breaks(inner)
                case .forLoop, .whileLoop: return true  // not flat; never here
                default: return false
                }
            }
        }
        return !breaks(body)
    }

    /// The loop over lo..<hi as the two loops of the file's comment; `loop` emits one loop (all its
    /// versions) over a range and returns its latches.
    func emitForLoopHoistingChecks(_ v: Int, from lo: LLVMValueRef, to hi: LLVMValueRef,
                                   loop: (_ lo: LLVMValueRef, _ hi: LLVMValueRef) -> [LLVMValueRef]) -> [LLVMValueRef] {
        let placeholder = LLVMBuildFreeze(b, hi, "safeend")!
        let hoisted = HoistedChecks(available: Set(arrays.values.flatMap(\.shape)))
        hoistedChecks[v] = hoisted
        var backs = loop(lo, placeholder)
        hoistedChecks[v] = nil
        guard !hoisted.used.isEmpty else {
            LLVMReplaceAllUsesWith(placeholder, hi)
            LLVMInstructionEraseFromParent(placeholder)
            return backs
        }
        let after = LLVMGetInsertBlock(b)!
        LLVMPositionBuilderBefore(b, placeholder)
        var end = hi
        for n in hoisted.used {
            end = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, n, end, "lower"), n, end, "safe")!
        }
        end = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSGT, end, lo, "ahead"), end, lo, "safe")!
        let safe = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, lo, c64(0), "negative"), lo, end, "safeend")!
        LLVMReplaceAllUsesWith(placeholder, safe)
        LLVMInstructionEraseFromParent(placeholder)

        LLVMPositionBuilderAtEnd(b, after)
        let rest = LLVMAppendBasicBlockInContext(ctx, fn, "checkedrest")!
        let done = LLVMAppendBasicBlockInContext(ctx, fn, "endchecked")!
        module.markUnlikely(branch: LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, safe, hi, "unsafe"), rest, done)!)
        LLVMPositionBuilderAtEnd(b, rest)
        backs += loop(safe, hi)
        LLVMBuildBr(b, done)
        LLVMPositionBuilderAtEnd(b, done)
        return backs
    }
}
