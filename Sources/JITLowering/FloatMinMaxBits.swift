// Float min/max reductions as integer min/max reductions of the floats' bits, for expression
// reductions (EmitReduction.swift) and kernel loops (KernelMinMaxKeys.swift).
//
// No LLVM vectorizes the NaN-propagating float select `a >= b or a is NaN ? a : b` as a
// reduction (LLVM 14 wants no-NaN flags, LLVM 19 only its own `llvm.maximum`), while an integer
// min/max reduction vectorizes on every LLVM. Read as a signed integer, a float's bits order the
// non-negative floats (and above +inf the positive NaNs) correctly, and the negative ones in
// reverse; read unsigned, the negative floats (sign bit set) lie above every non-negative one,
// ordered by magnitude, with the negative NaNs above -inf. So three integer reductions of the
// bits, with no per-element arithmetic, give a NaN-propagating max:
//   A = signed max:   the largest non-negative value (a positive NaN beats +inf), if any;
//   B = unsigned min: the negative value of the smallest magnitude (used when A is negative,
//                     that is when no element is non-negative);
//   C = unsigned max: above the bits of -inf exactly when a negative NaN was seen;
// and a min symmetrically (A = signed min, B = unsigned max, C = signed max, above +inf's bits
// exactly when a positive NaN was seen). The result is one select on A's sign (B's for min) and
// one on C. -0.0 orders below +0.0, as the key of the previous lowering did. Compared with that
// key (two shifts and a xor per element, then a NaN test and select), this is three vector
// min/max instructions per vector and nothing else: R2 (`m = max(m, x[i])`) ran at about half
// the speed of reading the array. An element whose sign bit is known to be clear (`abs(e)`)
// cannot change B or the max's C, so those updates are left out.
import CLLVM
import JITSema

extension Emitter {
    /// The integer type of a float's bits.
    func floatBitsType(_ t: DType) -> LLVMTypeRef { LLVMIntTypeInContext(ctx, UInt32(8 * t.size))! }

    /// The three accumulators' compare predicates (keep the accumulator when true) in the order
    /// A, B, C (see above).
    private func bitsPredicates(_ op: ReductionOp) -> [LLVMIntPredicate] {
        op == .max ? [LLVMIntSGE, LLVMIntULE, LLVMIntUGE] : [LLVMIntSLE, LLVMIntUGE, LLVMIntSGE]
    }

    /// The identities of A, B and C: the bits no element can lose to.
    func floatMinMaxIdentities(_ op: ReductionOp, _ t: DType) -> [LLVMValueRef] {
        let width = 8 * t.size
        let signBit = UInt64(1) << (width - 1)
        let allOnes = width == 64 ? UInt64.max : (UInt64(1) << width) - 1
        let values: [UInt64] = op == .max
            ? [signBit, allOnes, 0]  // signed min, unsigned max, unsigned min
            : [signBit - 1, 0, signBit]  // signed max, unsigned min, signed min
        return values.map { LLVMConstInt(floatBitsType(t), $0, 0)! }
    }

    /// The bits of `value` as taken in by the accumulators: `value` itself (one float element)
    /// for all three, so a variable's start value is an element like the others.
    func floatBits(_ value: LLVMValueRef, _ t: DType) -> LLVMValueRef {
        LLVMBuildBitCast(b, value, floatBitsType(t), "fbits")!
    }

    /// A, B and C after taking in an element's `bits`. With `signClear` (the element's sign bit
    /// is 0) the updates that cannot change anything are left out.
    func floatMinMaxUpdate(_ op: ReductionOp, _ accs: [LLVMValueRef], _ bits: LLVMValueRef,
                           signClear: Bool = false) -> [LLVMValueRef] {
        let predicates = bitsPredicates(op)
        return accs.indices.map { k in
            if signClear && (k == 1 || (k == 2 && op == .max)) { return accs[k] }
            let keep = LLVMBuildICmp(b, predicates[k], accs[k], bits, "keep")
            return LLVMBuildSelect(b, keep, accs[k], bits, "racc")!
        }
    }

    /// The float (as `t`'s value type) that A, B and C stand for; a NaN when one was seen.
    func floatMinMaxResult(_ op: ReductionOp, _ accs: [LLVMValueRef], _ t: DType) -> LLVMValueRef {
        let bits = floatBitsType(t)
        let width = 8 * t.size
        let zero = LLVMConstInt(bits, 0, 0)
        let exponentAllOnes: UInt64 = t == .float32 ? 0x7F80_0000 : 0x7FF0_0000_0000_0000
        let (a, bAcc, c) = (accs[0], accs[1], accs[2])
        let picked: LLVMValueRef
        let nanSeen: LLVMValueRef
        if op == .max {
            // A non-negative value exists: A (a positive NaN among them is the largest); else B.
            picked = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSGE, a, zero, "anyNonNeg"), a, bAcc, "mm")!
            let negativeInfinity = exponentAllOnes | (UInt64(1) << (width - 1))
            nanSeen = LLVMBuildICmp(b, LLVMIntUGT, c, LLVMConstInt(bits, negativeInfinity, 0), "negNaN")
        } else {
            // A negative value exists: B (a negative NaN among them is the largest); else A.
            picked = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, bAcc, zero, "anyNeg"), bAcc, a, "mm")!
            nanSeen = LLVMBuildICmp(b, LLVMIntSGT, c, LLVMConstInt(bits, exponentAllOnes, 0), "posNaN")
        }
        let result = LLVMBuildSelect(b, nanSeen, c, picked, "mmbits")!
        return LLVMBuildBitCast(b, result, valueType(t), "mmval")!
    }
}
