// Which kernel loops get the `llvm.loop.vectorize.enable` hint (Module.requestVectorization).
//
// In: a loop body of the typed kernel IR and the math mode. Out: whether its latch should carry
// the hint. A floating-point reduction (`s += e`, `s *= e`, `s = s + e` with `s` from outside
// the loop) vectorizes only if LLVM may reorder it: on LLVM 18+ the `reassoc` flag on each
// instruction says so, on LLVM 14 only the hint can (its C API cannot set instruction flags).
// The hint also overrides the vectorizer's cost model, so it goes only where it pays: innermost
// loops with a unit step, no early exit, and a float variable whose every update in the loop
// reads its previous value. Strict mode never gets it: its sums stay ordered.
import JITSema

enum ReductionLoopHint {
    /// Whether a loop with `body` should carry the vectorization hint.
    static func wanted(body: [KernelStatement], hasStep: Bool, kernel: TypedKernel, mode: MathMode) -> Bool {
        guard mode != .strict, !hasStep else { return false }
        var updates: [Int: Bool] = [:]   // variable -> every assignment reads it
        guard collect(body, into: &updates) else { return false }
        return updates.contains { v, selfUpdating in
            let t = kernel.variables[v].type
            return selfUpdating && !t.isArray && t.dtype.isFloat
        }
    }

    /// Whether a loop body holds no loop and no early exit.
    static func isFlat(_ body: [KernelStatement]) -> Bool {
        var updates: [Int: Bool] = [:]
        return collect(body, into: &updates)
    }

    /// Records each assigned variable; false when the body holds a loop or an early exit.
    private static func collect(_ statements: [KernelStatement], into updates: inout [Int: Bool]) -> Bool {
        for s in statements {
            switch s {
            case .assign(let v, let e):
                let reads = e.operands.contains { if case .variable(v) = $0 { return true } else { return false } }
                updates[v] = (updates[v] ?? true) && reads
            case .ifElse(let branches, let otherwise):
                for branch in branches where !collect(branch.body, into: &updates) { return false }
                if !collect(otherwise, into: &updates) { return false }
            case .sequence(let inner):
                if !collect(inner, into: &updates) { return false }
            case .forLoop, .whileLoop, .breakLoop, .returnValues:
                return false
            case .bind, .store, .continueLoop, .evaluate, .require:
                continue
            }
        }
        return true
    }
}
