// IRGen: typed IR -> one LLVM module with one exported function, a fused elementwise loop.
//
// In: an `IRFunction` (JITSema), `LoweringOptions`, a `TargetMachine`. Out: a `LoweredModule`
// whose exported symbol has the C ABI
//
//     void entry(int64_t begin, int64_t end, void *const *args, const int64_t *strides, void *out)
//
// This is the innermost loop of an n-dimensional iteration: `args[k]` points at parameter k's
// element 0 of the current row (the value itself for scalar parameters), `strides[k]` is its
// element stride along the row (read only for `strided` parameters), `strides[nparams]` the
// output's. The loop writes out[i*stride] for i in begin..<end, so callers can split a row
// across threads; outer dimensions are walked by the runtime.
// `entry` unpacks the pointers and calls an internal, always-inlined body whose array pointers
// are `noalias`, so the vectorizer needs no runtime alias checks: callers pass outputs that are
// disjoint from the inputs or identical to one of them (same index read before write).
// Loop-invariant values (scalars, constants and what depends only on them) are computed once
// before the loop.
import CLLVM
import JITSema
import LLVMKit

/// A module ready for the JIT, with the name of its entry point.
public struct LoweredModule {
    public let module: Module
    public let symbol: String
}

public enum IRGen {
    /// Lowers `function` into a new module named after `symbol` and optimises it (unless `optimize`
    /// is false: the compile driver runs and times the two stages apart).
    public static func lower(_ function: IRFunction, symbol: String, options: LoweringOptions,
                             machine: TargetMachine, optimize: Bool = true) throws -> LoweredModule {
        let context = ThreadSafeContext()
        let module = Module(name: symbol, context: context)
        module.configure(for: machine)
        PhaseTimes.measure(\.irBuild) {
            do {
                let emitter = Emitter(function: function, module: module, options: options, machine: machine)
                emitter.emitEntry(symbol: symbol)
            }
            if let problem = module.verify() {
                preconditionFailure("lowering produced invalid LLVM IR: \(problem)\n\(function)\n\(module.text)")
            }
        }
        if optimize { try self.optimize(module, for: function, options: options, machine: machine) }
        return LoweredModule(module: module, symbol: symbol)
    }

    /// Runs the pass pipeline (`pipeline`, else `function`'s own) over a lowered expression's
    /// module, then, for the streaming variant, marks its aligned vector stores non-temporal:
    /// the one place both happen, for `lower` and for the compile driver's timed stages.
    public static func optimize(_ module: Module, for function: IRFunction, options: LoweringOptions,
                                machine: TargetMachine, pipeline: String? = nil) throws {
        try module.runPasses(pipeline ?? passPipeline(for: function, options: options), machine: machine)
        if options.streamingOutput && hasStreamingVariant(function) { markStreamingStores(module) }
    }

    /// LLVM's pass pipeline for `function`'s module (`LoweringOptions.expressionPipeline`).
    public static func passPipeline(for function: IRFunction, options: LoweringOptions) -> String {
        let calls = function.instructions.contains { if case .call = $0.op { return true } else { return false } }
        let pipeline = options.expressionPipeline(reduces: function.reduction != nil, calls: calls)
        // The streaming variant needs its vector stores' alignment proven after vectorising:
        // instcombine did it up to LLVM 16, a pass of its own since (IRGen+StreamingStores.swift).
        return options.streamingOutput && LLVM.versionMajor >= 17 ? pipeline + ",function(infer-alignment)" : pipeline
    }
}

/// Emits one function; holds the builder and the map from IR values to LLVM values.
final class Emitter {
    let f: IRFunction
    let module: Module
    let ctx: LLVMContextRef
    let llvmBuilder: Builder
    var b: LLVMBuilderRef { llvmBuilder.ref }
    let options: LoweringOptions
    let machine: TargetMachine
    let fastMath: FastMath
    var values: [LLVMValueRef?]
    /// Imaginary parts of complex values (`values` holds their real parts).
    var imag: [LLVMValueRef?]
    /// Stack slots the complex helpers write their results to (f64 pair, f32 pair).
    var scratch: (LLVMValueRef, LLVMValueRef, LLVMValueRef, LLVMValueRef)?
    /// How often each value is used (for contraction of single-use products).
    let useCounts: [Int]
    /// Index of each IR parameter's first LLVM parameter in the body function.
    var parameterSlots: [Int] = []

    /// Values bound to the function's parameters when it is emitted inline (kernels).
    var inlineArguments: [(LLVMValueRef, LLVMValueRef?)]?
    /// Called with an i1 that is true when an integer divisor is zero (checked kernels).
    var divisionCheck: ((LLVMValueRef) -> Void)?
    /// Called with an i1 that is true when a signed integer is raised to a negative power read
    /// at run time (kernels: an error at once; expressions: `ExpressionErrors.swift`).
    var powerCheck: ((LLVMValueRef) -> Void)?
    /// Expressions: the i8 slot that collects run-time errors of the current call.
    var errorFlag: LLVMValueRef?

    init(function: IRFunction, module: Module, options: LoweringOptions, machine: TargetMachine,
         builder: Builder? = nil, kernel: Bool = false) {
        f = function
        self.module = module
        ctx = module.context.context
        llvmBuilder = builder ?? Builder(context: module.context)
        self.options = options
        self.machine = machine
        fastMath = FastMath(mode: options.mathMode, function: function, kernel: kernel)
        values = Array(repeating: nil, count: function.instructions.count)
        imag = Array(repeating: nil, count: function.instructions.count)
        var uses = Array(repeating: 0, count: function.instructions.count)
        for inst in function.instructions { for o in inst.op.operands { uses[Int(o.index)] += 1 } }
        uses[Int(function.result.index)] += 1
        useCounts = uses
    }

    // MARK: types

    var i1: LLVMTypeRef { LLVMInt1TypeInContext(ctx) }
    var i8: LLVMTypeRef { LLVMInt8TypeInContext(ctx) }
    var i16: LLVMTypeRef { LLVMInt16TypeInContext(ctx) }
    var i32: LLVMTypeRef { LLVMInt32TypeInContext(ctx) }
    var i64: LLVMTypeRef { LLVMInt64TypeInContext(ctx) }
    var f32: LLVMTypeRef { LLVMFloatTypeInContext(ctx) }
    var f64: LLVMTypeRef { LLVMDoubleTypeInContext(ctx) }
    var voidType: LLVMTypeRef { LLVMVoidTypeInContext(ctx) }
    var bytePointer: LLVMTypeRef { sj_pointer_type(ctx) }

    /// The type a value of `dtype` has in registers (bool is i1).
    func valueType(_ t: DType) -> LLVMTypeRef {
        switch t {
        case .bool: return i1
        case .int8, .uint8: return i8
        case .int16, .uint16: return i16
        case .int32, .uint32: return i32
        case .int64, .uint64: return i64
        case .float32, .complex64: return f32
        case .float64, .complex128: return f64
        }
    }

    /// The type a value of `dtype` has in memory (bool is a byte, as in NumPy; a complex value is
    /// two of its part type, real first, so its element index is doubled).
    func memoryType(_ t: DType) -> LLVMTypeRef { t == .bool ? i8 : valueType(t) }

    // MARK: functions

    func addAttribute(_ fn: LLVMValueRef, _ name: String, index: LLVMAttributeIndex = LLVMAttributeIndex(bitPattern: -1)) {
        let kind = LLVMGetEnumAttributeKindForName(name, name.utf8.count)
        guard kind != 0 else { return }
        LLVMAddAttributeAtIndex(fn, index, LLVMCreateEnumAttribute(ctx, kind, 0))
    }

    /// Marks a runtime function that touches only memory the module cannot see (its own state:
    /// the thread's cancellation token, the thread pool), and does not unwind. Calls of it stay
    /// (it may change that state, so none is merged or moved out of a loop), but they no longer
    /// count as writes to the kernel's arrays, so loads of those can still move past them: a
    /// loop that holds such a call on a path never taken (a cancellation check) is optimised as
    /// if it were not there. `memory(inaccessiblemem: readwrite)` from LLVM 16 on, before it
    /// `inaccessiblememonly`.
    func markInaccessibleMemoryOnly(_ fn: LLVMValueRef) {
        let memory = LLVMGetEnumAttributeKindForName("memory", 6)
        if memory != 0 {
            // MemoryEffects: two bits (ref, mod) per location; inaccessible memory is location 1.
            LLVMAddAttributeAtIndex(fn, LLVMAttributeIndex(bitPattern: -1), LLVMCreateEnumAttribute(ctx, memory, 3 << 2))
        } else {
            addAttribute(fn, "inaccessiblememonly")
        }
        addAttribute(fn, "nounwind")
    }

    func addStringAttribute(_ fn: LLVMValueRef, _ key: String, _ value: String) {
        let attr = LLVMCreateStringAttribute(ctx, key, UInt32(key.utf8.count), value, UInt32(value.utf8.count))
        LLVMAddAttributeAtIndex(fn, LLVMAttributeIndex(bitPattern: -1), attr)
    }

    func setTargetAttributes(_ fn: LLVMValueRef) {
        addStringAttribute(fn, "target-cpu", machine.cpu)
        if !machine.features.isEmpty { addStringAttribute(fn, "target-features", machine.features) }
        for (k, v) in fastMath.functionAttributes() { addStringAttribute(fn, k, v) }
        addAttribute(fn, "nounwind")
    }

    func function(_ name: String, _ ret: LLVMTypeRef, _ params: [LLVMTypeRef]) -> (LLVMValueRef, LLVMTypeRef) {
        var ps: [LLVMTypeRef?] = params
        let type = LLVMFunctionType(ret, &ps, UInt32(params.count), 0)!
        if let existing = LLVMGetNamedFunction(module.ref, name) { return (existing, type) }
        return (LLVMAddFunction(module.ref, name, type), type)
    }

    // MARK: entry and loop

    func emitEntry(symbol: String) {
        let body = emitBody(name: symbol + ".body")
        let (entry, _) = function(symbol, voidType, [i64, i64, sj_pointer_to(bytePointer), sj_pointer_to(i64), bytePointer])
        setTargetAttributes(entry)
        let block = LLVMAppendBasicBlockInContext(ctx, entry, "entry")
        LLVMPositionBuilderAtEnd(b, block)
        let argsArray = LLVMGetParam(entry, 2)!, stridesArray = LLVMGetParam(entry, 3)!
        func stride(_ k: Int) -> LLVMValueRef {
            var index = LLVMConstInt(i64, UInt64(k), 0)
            let slot = LLVMBuildInBoundsGEP2(b, i64, stridesArray, &index, 1, "sslot")
            return LLVMBuildLoad2(b, i64, slot, "stride")!
        }
        let outType = sj_pointer_to(memoryType(f.resultType))!
        let begin = LLVMGetParam(entry, 0)!, end = LLVMGetParam(entry, 1)!
        var callArgs: [LLVMValueRef?] = [begin, end, LLVMBuildBitCast(b, LLVMGetParam(entry, 4), outType, "out")]
        // The streaming variant (IRGen+StreamingStores.swift): the loop from 0, every array
        // pointer advanced to `begin`, the output there 64-byte aligned.
        let streaming = streamsOutput
        if streaming {
            let out = advanced(callArgs[2]!, by: begin, size: f.resultType.size, stride: nil, type: outType)
            assumeAligned64(out)
            callArgs = [LLVMConstInt(i64, 0, 0), LLVMBuildSub(b, end, begin, "count"), out]
        }
        if f.resultKind == .strided { callArgs.append(stride(f.parameters.count)) }
        for (k, p) in f.parameters.enumerated() {
            var index = LLVMConstInt(i64, UInt64(k), 0)
            let slot = LLVMBuildInBoundsGEP2(b, bytePointer, argsArray, &index, 1, "slot")
            let raw = LLVMBuildLoad2(b, bytePointer, slot, "arg.\(p.name)")!
            let typed = LLVMBuildBitCast(b, raw, sj_pointer_to(memoryType(p.dtype)), "p.\(p.name)")!
            switch p.kind {
            case .contiguous:
                callArgs.append(streaming ? advanced(typed, by: begin, size: p.dtype.size, stride: nil,
                                                     type: sj_pointer_to(memoryType(p.dtype))) : typed)
            case .strided:
                let s = stride(k)
                callArgs.append(streaming ? advanced(typed, by: begin, size: p.dtype.size, stride: s,
                                                     type: sj_pointer_to(memoryType(p.dtype))) : typed)
                callArgs.append(s)
            case .scalar:
                let load = LLVMBuildLoad2(b, memoryType(p.dtype), typed, p.name)!
                callArgs.append(fromMemory(load, p.dtype))
                if p.dtype.isComplex {
                    var one = LLVMConstInt(i64, 1, 0)
                    let imAddress = LLVMBuildInBoundsGEP2(b, memoryType(p.dtype), typed, &one, 1, "im.addr")
                    callArgs.append(LLVMBuildLoad2(b, memoryType(p.dtype), imAddress, p.name + ".im"))
                }
            }
        }
        LLVMBuildCall2(b, body.1, body.0, &callArgs, UInt32(callArgs.count), "")
        LLVMBuildRetVoid(b)
    }

    /// body(begin, end, out*, [out stride], per parameter: pointer [+ stride] or value): the loop.
    func emitBody(name: String) -> (LLVMValueRef, LLVMTypeRef) {
        var params: [LLVMTypeRef] = [i64, i64, sj_pointer_to(memoryType(f.resultType))]
        var pointerSlots: [Int] = [2]
        if f.resultKind == .strided { params.append(i64) }
        parameterSlots = []
        for p in f.parameters {
            parameterSlots.append(params.count)
            switch p.kind {
            case .contiguous:
                pointerSlots.append(params.count)
                params.append(sj_pointer_to(memoryType(p.dtype)))
            case .strided:
                pointerSlots.append(params.count)
                params.append(sj_pointer_to(memoryType(p.dtype)))
                params.append(i64)
            case .scalar:
                params.append(valueType(p.dtype))
                if p.dtype.isComplex { params.append(valueType(p.dtype)) }
            }
        }
        let (fn, type) = function(name, voidType, params)
        LLVMSetLinkage(fn, LLVMInternalLinkage)
        setTargetAttributes(fn)
        addAttribute(fn, "alwaysinline")
        for k in pointerSlots {
            addAttribute(fn, "noalias", index: LLVMAttributeIndex(k + 1))
            addAttribute(fn, "nocapture", index: LLVMAttributeIndex(k + 1))
        }
        if let op = f.reduction {
            emitReductionLoops(fn, op)
            return (fn, type)
        }
        let entry = LLVMAppendBasicBlockInContext(ctx, fn, "entry")
        let loop = LLVMAppendBasicBlockInContext(ctx, fn, "loop")
        let exit = LLVMAppendBasicBlockInContext(ctx, fn, "exit")
        LLVMPositionBuilderAtEnd(b, entry)
        makeScratch()
        beginErrorCollection()
        let begin = LLVMGetParam(fn, 0)!, end = LLVMGetParam(fn, 1)!
        let out = LLVMGetParam(fn, 2)!

        // Invariant values first, in the entry block.
        let invariant = invariantValues()
        for (i, inst) in f.instructions.enumerated() where invariant[i] {
            values[i] = emit(ValueID(i), inst, index: nil, fn: fn)
        }
        let any = LLVMBuildICmp(b, LLVMIntSLT, begin, end, "nonempty")
        LLVMBuildCondBr(b, any, loop, exit)

        LLVMPositionBuilderAtEnd(b, loop)
        let i = LLVMBuildPhi(b, i64, "i")!
        for (k, inst) in f.instructions.enumerated() where !invariant[k] {
            values[k] = emitInLoop(ValueID(k), inst, index: i, fn: fn)
        }
        let result = values[Int(f.result.index)]!
        let position = f.resultKind == .strided ? LLVMBuildMul(b, i, LLVMGetParam(fn, 3), "oi")! : i
        storeElement(result, imag[Int(f.result.index)], f.resultType, base: out, index: position)
        let next = LLVMBuildAdd(b, i, LLVMConstInt(i64, 1, 0), "i.next")!
        let more = LLVMBuildICmp(b, LLVMIntSLT, next, end, "more")
        let latch = LLVMGetInsertBlock(b)
        LLVMBuildCondBr(b, more, loop, exit)
        var incoming: [LLVMValueRef?] = [begin, next]
        var blocks: [LLVMBasicBlockRef?] = [entry, latch]
        LLVMAddIncoming(i, &incoming, &blocks, 2)

        LLVMPositionBuilderAtEnd(b, exit)
        finishErrorCollection(fn)
        LLVMBuildRetVoid(b)
        return (fn, type)
    }

    /// Which values do not depend on any array element.
    func invariantValues() -> [Bool] {
        var inv = Array(repeating: false, count: f.instructions.count)
        for (i, inst) in f.instructions.enumerated() {
            if case .argument(let n) = inst.op {
                inv[i] = !f.parameters[n].kind.isArray
            } else {
                inv[i] = inst.op.operands.allSatisfy { inv[Int($0.index)] }
            }
        }
        return inv
    }

    private func emitInLoop(_ id: ValueID, _ inst: IRInstruction, index: LLVMValueRef, fn: LLVMValueRef) -> LLVMValueRef {
        emit(id, inst, index: index, fn: fn)
    }

    /// Converts a loaded memory value to its register form (bytes to i1 for bool).
    func fromMemory(_ v: LLVMValueRef, _ t: DType) -> LLVMValueRef {
        t == .bool ? LLVMBuildICmp(b, LLVMIntNE, v, LLVMConstInt(i8, 0, 0), "b")! : v
    }

    /// Converts a register value to its memory form.
    func toMemory(_ v: LLVMValueRef, _ t: DType) -> LLVMValueRef {
        t == .bool ? LLVMBuildZExt(b, v, i8, "byte")! : v
    }

    /// The LLVM value of an IR value already emitted.
    func value(_ id: ValueID) -> LLVMValueRef { values[Int(id.index)]! }
}
