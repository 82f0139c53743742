// How math modes reach LLVM. On LLVM 18+ the C API sets fast-math flags per instruction. On
// LLVM 14 it cannot, so contraction is made explicit (`llvm.fmuladd`, used on every version so
// results agree across versions) and `fast` adds the function attributes the backend reads.
// NaN/infinity tests never see the no-NaN/no-infinity assumptions: their operand trees are
// computed without those flags, and the tests themselves are integer bit tests.
import CLLVM
import JITSema

struct FastMath {
    let mode: MathMode
    /// Values whose NaN/infinity must be kept even in fast mode (operands of isnan & co, and of
    /// float -> integer conversions).
    let classSensitive: Set<ValueID>
    /// Whether relaxed mode may reassociate: only in kernels, where it lets `+=` reductions
    /// vectorize. Elementwise expressions in relaxed mode keep NumPy's order of operations
    /// (`3 - (b + 3)` is not `-b`), so float32 results differ from NumPy only by contraction.
    let relaxedReassociates: Bool

    init(mode: MathMode, function f: IRFunction, kernel: Bool = false) {
        self.mode = mode
        relaxedReassociates = kernel
        var sensitive = Set<ValueID>()
        var work: [ValueID] = []
        for inst in f.instructions {
            if case .call(let id, let args) = inst.op, [BuiltinID.isnan, .isinf, .isfinite].contains(id) {
                work.append(contentsOf: args)
            }
            // Float -> integer conversions give fixed results for NaN and infinities (language.md).
            if case .cast(let a) = inst.op, inst.type.isInteger, !f[a].type.isInteger, !f[a].type.isBool {
                work.append(a)
            }
        }
        while let v = work.popLast() {
            if sensitive.insert(v).inserted { work.append(contentsOf: f[v].op.operands) }
        }
        classSensitive = sensitive
    }

    /// Flag bits for an instruction computing `value`.
    func flags(for value: ValueID) -> UInt32 {
        switch mode {
        case .strict: return 0
        case .relaxed:
            let reassoc = relaxedReassociates ? UInt32(SJ_FMF_ALLOW_REASSOC) : 0
            return UInt32(SJ_FMF_ALLOW_CONTRACT | SJ_FMF_NO_SIGNED_ZEROS | SJ_FMF_APPROX_FUNC) | reassoc
        case .fast:
            var all = UInt32(SJ_FMF_ALLOW_CONTRACT | SJ_FMF_ALLOW_REASSOC | SJ_FMF_NO_SIGNED_ZEROS
                              | SJ_FMF_APPROX_FUNC | SJ_FMF_ALLOW_RECIPROCAL)
            if !classSensitive.contains(value) { all |= UInt32(SJ_FMF_NO_NANS | SJ_FMF_NO_INFS) }
            return all
        }
    }

    /// Whether `a*b + c` may become one fused multiply-add.
    var contracts: Bool { mode != .strict }

    /// Applies the flags of `value` to an emitted instruction (LLVM 18+; no-op before).
    func apply(_ inst: LLVMValueRef, for value: ValueID) {
        let f = flags(for: value)
        if f != 0 { _ = sj_set_fast_math_flags(inst, f) }
    }

    /// Flags for a `pow` call: in relaxed mode without approximation or reassociation, which
    /// would let LLVM turn pow(x, float(n)) into repeated multiplication (powi), off by tens of
    /// ULP for large n.
    func applyToPow(_ inst: LLVMValueRef, for value: ValueID) {
        var f = flags(for: value)
        if mode == .relaxed { f &= ~UInt32(SJ_FMF_APPROX_FUNC | SJ_FMF_ALLOW_REASSOC) }
        if f != 0 { _ = sj_set_fast_math_flags(inst, f) }
    }

    /// Function attributes carrying the mode where instruction flags are not available.
    func functionAttributes() -> [(String, String)] {
        guard mode == .fast, sj_has_instruction_fmf() == 0 else { return [] }
        var attrs = [("unsafe-fp-math", "true"), ("no-signed-zeros-fp-math", "true"), ("approx-func-fp-math", "true")]
        if classSensitive.isEmpty { attrs += [("no-nans-fp-math", "true"), ("no-infs-fp-math", "true")] }
        return attrs
    }
}
