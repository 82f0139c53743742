// The streaming variant of an elementwise expression (LoweringOptions.streamingOutput), for
// outputs much larger than the caches. In: the entry being emitted (IRGen.swift), then the
// optimised module. Out: an entry whose loop runs from 0 over pointers advanced to `begin`, with
// the output there 64-byte aligned (an `llvm.assume` the runtime makes true: Launch.swift calls
// this entry only then), and, after the optimiser, non-temporal metadata on the loop's vector
// stores to the output.
//
// Why this shape: the loop vectoriser does not vectorise a store marked non-temporal whose
// alignment is below the vector's (x86 has no unaligned MOVNT), and a scalar store is only
// element-aligned. So the plain loop is vectorised first; with the loop starting at element 0 of
// a 64-byte aligned output, LLVM proves its vector stores aligned (instcombine on LLVM 14-16,
// `infer-alignment` from 17), and only then are they marked. Scalar stores of the remainder stay
// plain. Measured on the Zen 4 VM (C loops, 128 MiB, one thread): a triad with non-temporal
// stores in the loop 10.3 ms, plain stores 14.3, through a 4 KiB tile and a streaming copy
// (what `StreamingStores.call` does) 19-22.
import CLLVM
import JITSema
import LLVMKit

extension IRGen {
    /// Whether `function` has a streaming variant: an elementwise expression (no reduction) whose
    /// result is a new contiguous array with at least one array operand (all-scalar operands
    /// make one element, as the final stage of `sum(x*2)` does). The one test the lowering, the
    /// runtime (`ExpressionStage.streamingKernel`) and precompiling
    /// (`CompiledExpression.precompile`) share; for anything else `streamingOutput` would only
    /// make a second key for code no call runs.
    public static func hasStreamingVariant(_ function: IRFunction) -> Bool {
        function.reduction == nil && function.resultKind == .contiguous
            && function.parameters.contains { $0.kind != .scalar }
    }
}

extension Emitter {
    /// Whether this expression is lowered as the streaming variant.
    var streamsOutput: Bool { options.streamingOutput && IRGen.hasStreamingVariant(f) }

    /// `pointer` (to elements of `size` bytes, `stride` elements apart, 1 when nil) advanced by
    /// `begin` elements.
    func advanced(_ pointer: LLVMValueRef, by begin: LLVMValueRef, size: Int, stride: LLVMValueRef?,
                  type: LLVMTypeRef) -> LLVMValueRef {
        var bytes = LLVMBuildMul(b, begin, LLVMConstInt(i64, UInt64(size), 0), "skip")
        if let stride { bytes = LLVMBuildMul(b, bytes, stride, "skip.strided") }
        let raw = LLVMBuildBitCast(b, pointer, bytePointer, "raw")
        let moved = LLVMBuildInBoundsGEP2(b, i8, raw, &bytes, 1, "at.begin")!
        return LLVMBuildBitCast(b, moved, type, "advanced")!
    }

    /// Tells LLVM that `pointer` is 64-byte aligned.
    func assumeAligned64(_ pointer: LLVMValueRef) {
        var params: [LLVMTypeRef?] = [i1]
        let type = LLVMFunctionType(voidType, &params, 1, 0)!
        let assume = LLVMGetNamedFunction(module.ref, "llvm.assume") ?? LLVMAddFunction(module.ref, "llvm.assume", type)!
        let address = LLVMBuildPtrToInt(b, pointer, i64, "out.address")
        let low = LLVMBuildAnd(b, address, LLVMConstInt(i64, 63, 0), "out.misalignment")
        var args: [LLVMValueRef?] = [LLVMBuildICmp(b, LLVMIntEQ, low, LLVMConstInt(i64, 0, 0), "out.aligned")]
        LLVMBuildCall2(b, type, assume, &args, 1, "")
    }
}

extension IRGen {
    /// Marks the aligned vector stores to memory reached from a function parameter (the output:
    /// an expression writes nothing else but its stack scratch) as non-temporal. Returns how many.
    @discardableResult
    public static func markStreamingStores(_ module: Module) -> Int {
        let ctx = module.context.context
        var one = [LLVMValueAsMetadata(LLVMConstInt(LLVMInt32TypeInContext(ctx), 1, 0))]
        let node = LLVMMetadataAsValue(ctx, LLVMMDNodeInContext2(ctx, &one, 1))
        let kind = LLVMGetMDKindIDInContext(ctx, "nontemporal", 11)
        var marked = 0
        var function = LLVMGetFirstFunction(module.ref)
        while let fn = function {
            var block = LLVMGetFirstBasicBlock(fn)
            while let bb = block {
                var instruction = LLVMGetFirstInstruction(bb)
                while let inst = instruction {
                    if LLVMIsAStoreInst(inst) != nil, let bytes = vectorBytes(LLVMTypeOf(LLVMGetOperand(inst, 0))),
                       LLVMGetAlignment(inst) >= bytes, reachedFromParameter(LLVMGetOperand(inst, 1)) {
                        LLVMSetMetadata(inst, kind, node)
                        marked += 1
                    }
                    instruction = LLVMGetNextInstruction(inst)
                }
                block = LLVMGetNextBasicBlock(bb)
            }
            function = LLVMGetNextFunction(fn)
        }
        return marked
    }

    /// Bytes of a fixed vector of floats or integers of whole bytes; nil for anything else.
    static func vectorBytes(_ type: LLVMTypeRef?) -> UInt32? {
        guard let type, LLVMGetTypeKind(type) == LLVMVectorTypeKind, let element = LLVMGetElementType(type) else { return nil }
        let lanes = LLVMGetVectorSize(type)
        switch LLVMGetTypeKind(element) {
        case LLVMDoubleTypeKind: return lanes * 8
        case LLVMFloatTypeKind: return lanes * 4
        case LLVMIntegerTypeKind:
            let bits = LLVMGetIntTypeWidth(element)
            return bits % 8 == 0 ? lanes * bits / 8 : nil
        default: return nil
        }
    }

    /// Whether `pointer` is a function parameter or an address computed from one by GEPs and casts.
    static func reachedFromParameter(_ pointer: LLVMValueRef?) -> Bool {
        var p = pointer
        for _ in 0..<64 {
            guard let v = p else { return false }
            if LLVMIsAArgument(v) != nil { return true }
            guard LLVMIsAGetElementPtrInst(v) != nil || LLVMIsABitCastInst(v) != nil else { return false }
            p = LLVMGetOperand(v, 0)
        }
        return false
    }
}
