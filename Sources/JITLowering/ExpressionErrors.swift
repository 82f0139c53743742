// Run-time errors of compiled expressions. The entry function returns nothing, so a loop
// collects the error conditions of its elements (a signed integer to a negative power read at
// run time) in one i8 slot, an `or` reduction that vectorizes, and after the loop reports a
// nonzero slot to CJITSupport's per-thread `sj_raise_expression_error`; the runtime takes the
// code on the same thread right after its calls (JITRuntime's ExpressionFault).
import CLLVM
import JITSema

extension Emitter {
    /// Code of an integer raised to a negative integer power (SJ_NEGATIVE_POWER).
    static let negativePowerCode: UInt64 = 16

    /// Whether the value is an IR constant.
    func isConstant(_ id: ValueID) -> Bool {
        if case .constant = f[id].op { return true }
        return false
    }

    /// In an expression body's entry block: the error slot, zero, and the check that sets it.
    func beginErrorCollection() {
        let slot = LLVMBuildAlloca(b, i8, "errors")!
        LLVMBuildStore(b, LLVMConstInt(i8, 0, 0), slot)
        errorFlag = slot
        powerCheck = { [unowned self] negative in
            let old = LLVMBuildLoad2(self.b, self.i8, slot, "err")!
            let bit = LLVMBuildZExt(self.b, negative, self.i8, "negpow")!
            LLVMBuildStore(self.b, LLVMBuildOr(self.b, old, bit, "err1"), slot)
        }
    }

    /// Before an expression body returns: reports a set slot to the runtime (a cold call after
    /// the loop; nothing is emitted when the expression has no checked operation).
    func finishErrorCollection(_ fn: LLVMValueRef) {
        guard let slot = errorFlag, f.instructions.contains(where: needsCheck) else { return }
        let report = LLVMAppendBasicBlockInContext(ctx, fn, "report")
        let done = LLVMAppendBasicBlockInContext(ctx, fn, "done")
        let set = LLVMBuildICmp(b, LLVMIntNE, LLVMBuildLoad2(b, i8, slot, "errors")!, LLVMConstInt(i8, 0, 0), "failed")
        LLVMBuildCondBr(b, set, report, done)
        LLVMPositionBuilderAtEnd(b, report)
        let (raise, type) = function("sj_raise_expression_error", voidType, [i32])
        var args: [LLVMValueRef?] = [LLVMConstInt(i32, Emitter.negativePowerCode, 0)]
        LLVMBuildCall2(b, type, raise, &args, 1, "")
        LLVMBuildBr(b, done)
        LLVMPositionBuilderAtEnd(b, done)
    }

    /// A signed integer power whose exponent is not a constant.
    private func needsCheck(_ inst: IRInstruction) -> Bool {
        guard case .binary(.pow, _, let y) = inst.op, inst.type.isSignedInteger else { return false }
        return !isConstant(y)
    }
}
