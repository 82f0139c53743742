import CLLVM

/// An LLVM context created through ORC, so modules made in it can be handed to the JIT.
/// One per compilation: contexts are not shared between threads.
public final class ThreadSafeContext {
    public let ref: LLVMOrcThreadSafeContextRef
    /// The underlying `LLVMContextRef` (owned by `self`).
    public var context: LLVMContextRef { LLVMOrcThreadSafeContextGetContext(ref) }

    public init() {
        ref = LLVMOrcCreateNewThreadSafeContext()
        // Missed-optimisation warnings (a vectorization hint that could not be honoured) are
        // not the user's business; the default handler would print them to stderr.
        sj_silence_diagnostics(LLVMOrcThreadSafeContextGetContext(ref))
    }
    deinit { LLVMOrcDisposeThreadSafeContext(ref) }
}

/// An LLVM module. Owns its handle until `consume` hands it on.
public final class Module {
    private var handle: LLVMModuleRef?
    /// The context the module lives in (kept alive with it).
    public let context: ThreadSafeContext

    public init(name: String, context: ThreadSafeContext) {
        self.context = context
        handle = LLVMModuleCreateWithNameInContext(name, context.context)
    }

    /// The module handle; only valid before `consume`.
    public var ref: LLVMModuleRef {
        guard let handle else { preconditionFailure("module used after it was consumed") }
        return handle
    }

    /// Gives up ownership of the handle (to the JIT).
    public func consume() -> LLVMModuleRef {
        let h = ref
        handle = nil
        return h
    }

    deinit { if let handle { LLVMDisposeModule(handle) } }

    /// The module's textual IR.
    public var text: String { takeMessage(LLVMPrintModuleToString(ref)) }

    /// Runs LLVM's verifier; returns its message when the module is broken.
    public func verify() -> String? {
        var msg: UnsafeMutablePointer<CChar>?
        let broken = LLVMVerifyModule(ref, LLVMReturnStatusAction, &msg) != 0
        let text = takeMessage(msg)
        return broken ? text : nil
    }

    /// A deep copy in the same context (emission to memory modifies its module).
    public func clone() -> Module {
        let m = Module(cloning: LLVMCloneModule(ref), context: context)
        return m
    }

    private init(cloning ref: LLVMModuleRef, context: ThreadSafeContext) {
        self.context = context
        handle = ref
    }

    /// Sets triple and data layout from a target machine.
    public func configure(for machine: TargetMachine) {
        LLVMSetTarget(ref, machine.triple)
        let layout = LLVMCreateTargetDataLayout(machine.ref)
        let text = takeMessage(LLVMCopyStringRepOfTargetData(layout))
        LLVMSetDataLayout(ref, text)
        LLVMDisposeTargetData(layout)
    }

    /// Runs a new-pass-manager pipeline such as `default<O3>` with loop and SLP vectorization.
    public func runPasses(_ pipeline: String, machine: TargetMachine) throws {
        let options = LLVMCreatePassBuilderOptions()
        defer { LLVMDisposePassBuilderOptions(options) }
        LLVMPassBuilderOptionsSetLoopVectorization(options, 1)
        LLVMPassBuilderOptionsSetSLPVectorization(options, 1)
        LLVMPassBuilderOptionsSetLoopInterleaving(options, 1)
        LLVMPassBuilderOptionsSetLoopUnrolling(options, 1)
        if let e = PhaseTimes.measure(\.optimize, { LLVMError.take(LLVMRunPasses(ref, pipeline, machine.ref, options)) }) {
            throw e
        }
    }
}

extension Module {
    /// Attaches a `!llvm.loop` hint `llvm.loop.vectorize.enable` to a loop's latch branch: the
    /// loop vectorizer then vectorizes the loop and may reorder its floating-point reductions
    /// (LoopVectorizeHints::allowReordering), what `#pragma clang loop vectorize(enable)` does.
    /// This is how reductions vectorize on LLVM 14, whose C API cannot set `reassoc` on
    /// instructions; it is used on every version so that both make the same loops.
    /// The loop ID must refer to itself: it is built around a temporary node that is then
    /// replaced by the node itself, which makes the node distinct.
    /// `noRuntimeUnroll` adds `llvm.loop.unroll.runtime.disable`, which the vectorized loop
    /// inherits: LLVM 19 puts it there itself, LLVM 14 does not and unrolled the vector loop of
    /// an expression `sum` four times more, a longer loop for the same memory stream.
    public func requestVectorization(latch branch: LLVMValueRef, noRuntimeUnroll: Bool = false) {
        let c = context.context
        func flag(_ key: String, _ value: LLVMMetadataRef? = nil) -> LLVMMetadataRef? {
            var operands: [LLVMMetadataRef?] = [LLVMMDStringInContext2(c, key, key.utf8.count)]
            if let value { operands.append(value) }
            return LLVMMDNodeInContext2(c, &operands, operands.count)
        }
        let on = LLVMValueAsMetadata(LLVMConstInt(LLVMInt1TypeInContext(c), 1, 0))
        let placeholder = LLVMTemporaryMDNode(c, nil, 0)
        var loopOperands: [LLVMMetadataRef?] = [placeholder, flag("llvm.loop.vectorize.enable", on)]
        if noRuntimeUnroll { loopOperands.append(flag("llvm.loop.unroll.runtime.disable")) }
        let loopID = LLVMMDNodeInContext2(c, &loopOperands, loopOperands.count)!
        LLVMMetadataReplaceAllUsesWith(placeholder, loopID)
        let kind = LLVMGetMDKindIDInContext(c, "llvm.loop", 9)
        LLVMSetMetadata(branch, kind, LLVMMetadataAsValue(c, loopID))
    }
}

extension Module {
    /// Attaches `!prof !{"branch_weights", 1, 2^20 - 1}` to a conditional branch whose first
    /// successor is (almost) never taken: a cancellation check, a run-time error. Without it
    /// LLVM weighs both ways alike, and the register allocator puts the spills and reloads that a
    /// call on the cold path needs into the loop around it (LLVM 14: W10's elimination loop, about
    /// 100 ns of 500 at n = 10).
    public func markUnlikely(branch: LLVMValueRef) {
        let c = context.context
        let i32 = LLVMInt32TypeInContext(c)
        var operands: [LLVMMetadataRef?] = [
            LLVMMDStringInContext2(c, "branch_weights", 14),
            LLVMValueAsMetadata(LLVMConstInt(i32, 1, 0)),
            LLVMValueAsMetadata(LLVMConstInt(i32, (1 << 20) - 1, 0)),
        ]
        let weights = LLVMMDNodeInContext2(c, &operands, operands.count)
        LLVMSetMetadata(branch, LLVMGetMDKindIDInContext(c, "prof", 4), LLVMMetadataAsValue(c, weights))
    }
}

/// An IR builder; disposed before its context (it is owned by the lowering that uses it).
public final class Builder {
    public let ref: LLVMBuilderRef
    public init(context: ThreadSafeContext) { ref = LLVMCreateBuilderInContext(context.context) }
    deinit { LLVMDisposeBuilder(ref) }
}
