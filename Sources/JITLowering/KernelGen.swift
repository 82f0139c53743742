// KernelGen: TypedKernel -> an LLVM module with one exported function
//
//     int32_t kernel(void *const *args, int64_t *results, sj_context *ctx)
//
// args[k] points at parameter k: a scalar's value, or an array descriptor of int64 words
// {data pointer, shape[rank], strides[rank] (in elements)}. Each return value fills a slot of
// `resultSlotWords` words in `results`: a scalar's value (complex: two words), or an array
// descriptor as above. The function returns 0, or an error code (kernel_support.h) after writing
// the line, column, axis, index and bound to ctx. Scalar variables live in allocas (mem2reg makes
// them registers); scalar expressions are emitted inline by the expression Emitter.
import CLLVM
import JITSema
import LLVMKit

public enum KernelGen {
    /// Words per return slot: a data pointer, 8 extents, 8 strides.
    public static let resultSlotWords = 17
    /// Highest array rank a kernel can take or return.
    public static let maxRank = 8
    /// Chunks a parallel loop is split into at most (SJ_MAX_CHUNKS in kernel_support.h).
    public static let maxChunks = 256

    /// Lowers `kernel` into a new module exporting `symbol`, and optimises it.
    /// `loopPlans: false` (the quick tier) leaves out the loop versions that only make the code
    /// faster and compute the same (collapsed nests, nested loops' long case out of line), so that
    /// the first code is made sooner; the final code has them.
    public static func lower(_ kernel: TypedKernel, symbol: String, options: LoweringOptions,
                             machine: TargetMachine, optimize: Bool = true, loopPlans: Bool = true) throws -> LoweredModule {
        let context = ThreadSafeContext()
        let module = Module(name: symbol, context: context)
        module.configure(for: machine)
        PhaseTimes.measure(\.irBuild) {
            do {
                let gen = KernelEmitter(kernel: kernel, module: module, options: options, machine: machine)
                gen.loopPlans = loopPlans
                gen.emit(symbol: symbol)
            }
            if let problem = module.verify() {
                preconditionFailure("kernel lowering produced invalid LLVM IR: \(problem)\n\(module.text)")
            }
        }
        if optimize { try module.runPasses(options.passPipeline, machine: machine) }
        return LoweredModule(module: module, symbol: symbol)
    }
}

/// An array value in registers: data pointer, extents and strides (elements).
struct ArrayValue {
    var data: LLVMValueRef
    var shape: [LLVMValueRef]
    var strides: [LLVMValueRef]
}

final class KernelEmitter {
    let k: TypedKernel
    let module: Module
    let options: LoweringOptions
    let machine: TargetMachine
    let builder: Builder
    var b: LLVMBuilderRef { builder.ref }
    let ctx: LLVMContextRef
    var fn: LLVMValueRef!
    var contextArg: LLVMValueRef!
    var resultsArg: LLVMValueRef!
    /// Scalar variables: (real part alloca, imaginary part alloca for complex).
    var slots: [Int: (LLVMValueRef, LLVMValueRef?)] = [:]
    var arrays: [Int: ArrayValue] = [:]
    var loopTargets: [(continueBlock: LLVMBasicBlockRef, breakBlock: LLVMBasicBlockRef)] = []
    var scratch: (LLVMValueRef, LLVMValueRef, LLVMValueRef, LLVMValueRef)?
    var entryBlock: LLVMBasicBlockRef!
    var outlined = 0
    /// Variables of the enclosing unit-step `for` and `parallel for` loops (they count up from
    /// their start and are not assigned in the body).
    var countingUp: Set<Int> = []
    /// Loops enclosing the statement being emitted (in this function). Loops nested in another
    /// check for cancellation every few iterations instead of every one (KernelLoops.swift).
    var loopDepth = 0
    /// Variables the loop being emitted carries as min/max keys (KernelMinMaxKeys.swift).
    var keyedMinMax: [Int: KeyedMinMax] = [:]
    /// Whether the function being emitted prefers 512-bit vectors (MathLoopWidth).
    var prefersWide = false
    /// While the tile loop of a streaming-store loop is emitted (KernelStreaming.swift): the
    /// array whose stores go to the tile, the tile, and the index of the tile's first element.
    var streamTile: (array: Int, data: LLVMValueRef, first: LLVMValueRef)?
    /// Emitted by `fail` before an error return (a streaming loop's tile written out first).
    var beforeFailure: (() -> Void)?
    /// Whether result-neutral loop versions are emitted (false for the quick tier: `lower`).
    var loopPlans = true
    /// Loop variables whose index checks against some extents are made once before their loop
    /// (KernelCheckHoisting.swift).
    var hoistedChecks: [Int: HoistedChecks] = [:]
    /// A throwaway Emitter for types and attribute helpers.
    let helper: Emitter

    init(kernel: TypedKernel, module: Module, options: LoweringOptions, machine: TargetMachine) {
        k = kernel
        self.module = module
        self.options = options
        self.machine = machine
        builder = Builder(context: module.context)
        ctx = module.context.context
        var ib = IRBuilder(parameters: [])
        let r = ib.constant(.bool(true), .bool)
        helper = Emitter(function: ib.finish(result: r), module: module, options: options, machine: machine, builder: builder,
                         kernel: true)
    }

    var i1: LLVMTypeRef { LLVMInt1TypeInContext(ctx) }
    var i8: LLVMTypeRef { LLVMInt8TypeInContext(ctx) }
    var i32: LLVMTypeRef { LLVMInt32TypeInContext(ctx) }
    var i64: LLVMTypeRef { LLVMInt64TypeInContext(ctx) }
    var ptr: LLVMTypeRef { sj_pointer_type(ctx) }
    func c64(_ v: Int) -> LLVMValueRef { LLVMConstInt(i64, UInt64(bitPattern: Int64(v)), 1) }
    func c64opt(_ v: Int) -> LLVMValueRef? { c64(v) }

    // MARK: function

    func emit(symbol: String) {
        var params: [LLVMTypeRef?] = [sj_pointer_to(ptr), sj_pointer_to(i64), ptr]
        let type = LLVMFunctionType(i32, &params, 3, 0)!
        fn = LLVMAddFunction(module.ref, symbol, type)
        helper.setTargetAttributes(fn)
        preferWidth(for: k.body, inLoop: false)
        let entry = LLVMAppendBasicBlockInContext(ctx, fn, "entry")
        entryBlock = entry
        LLVMPositionBuilderAtEnd(b, entry)
        helper.makeScratch()
        scratch = helper.scratch
        contextArg = LLVMGetParam(fn, 2)
        resultsArg = LLVMGetParam(fn, 1)
        makeSlots()
        // Parameters.
        let argsArray = LLVMGetParam(fn, 0)!
        for v in 0..<k.parameterCount {
            var index = c64opt(v)
            let slot = LLVMBuildInBoundsGEP2(b, ptr, argsArray, &index, 1, "slot")
            let raw = LLVMBuildLoad2(b, ptr, slot, k.variables[v].name)!
            switch k.variables[v].type {
            case .array(_, let rank):
                let words = LLVMBuildBitCast(b, raw, sj_pointer_to(i64), "desc")!
                arrays[v] = readDescriptor(words, rank: rank, dtype: k.variables[v].type.dtype)
            case .scalar(let d):
                let mt = helper.memoryType(d)
                let typed = LLVMBuildBitCast(b, raw, sj_pointer_to(mt), "p")!
                let (re, im) = helper.loadElement(d, base: typed, index: c64(0), name: k.variables[v].name)
                LLVMBuildStore(b, re, slots[v]!.0)
                if let im { LLVMBuildStore(b, im, slots[v]!.1!) }
            }
        }
        emitBlock(k.body)
        if LLVMGetBasicBlockTerminator(LLVMGetInsertBlock(b)) == nil {
            // Falling off the end: fine without return values, an error with them.
            if k.returnTypes.isEmpty {
                LLVMBuildRet(b, LLVMConstInt(i32, 0, 0))
            } else {
                fail(code: 5, at: KernelLocation(line: 0, column: 0), axis: nil, index: nil, bound: nil)
            }
        }
    }

    /// Marks the current function "prefer-vector-width"="512" when MathLoopWidth wants it for
    /// `statements`, and records the choice in `prefersWide`.
    func preferWidth(for statements: [KernelStatement], inLoop: Bool) {
        prefersWide = MathLoopWidth.wanted(statements, inLoop: inLoop, options: options, features: machine.features)
        if prefersWide { helper.addStringAttribute(fn, "prefer-vector-width", "512") }
    }

    /// Allocas for every scalar variable, in the current (entry) block.
    func makeSlots() {
        for (v, variable) in k.variables.enumerated() where !variable.type.isArray {
            let ty = helper.valueType(variable.type.dtype)
            let re = LLVMBuildAlloca(b, ty, variable.name)!
            let im = variable.type.dtype.isComplex ? LLVMBuildAlloca(b, ty, variable.name + ".im") : nil
            slots[v] = (re, im)
        }
    }

    func readDescriptor(_ words: LLVMValueRef, rank: Int, dtype: DType) -> ArrayValue {
        func word(_ i: Int) -> LLVMValueRef {
            var idx = c64opt(i)
            return LLVMBuildLoad2(b, i64, LLVMBuildInBoundsGEP2(b, i64, words, &idx, 1, "w"), "word")!
        }
        let data = LLVMBuildIntToPtr(b, word(0), sj_pointer_to(helper.memoryType(dtype)), "data")!
        return ArrayValue(data: data, shape: (0..<rank).map { word(1 + $0) }, strides: (0..<rank).map { word(1 + rank + $0) })
    }

    // MARK: errors

    /// Stores an error into ctx and returns its code from the kernel.
    func fail(code: Int32, at loc: KernelLocation, axis: Int?, index: LLVMValueRef?, bound: LLVMValueRef?) {
        beforeFailure?()
        func field(_ offset: Int, _ type: LLVMTypeRef) -> LLVMValueRef {
            var o = c64opt(offset)
            let p = LLVMBuildInBoundsGEP2(b, i8, LLVMBuildBitCast(b, contextArg, ptr, "c"), &o, 1, "f")
            return LLVMBuildBitCast(b, p, sj_pointer_to(type), "fp")!
        }
        LLVMBuildStore(b, LLVMConstInt(i32, UInt64(code), 0), field(0, i32))
        LLVMBuildStore(b, LLVMConstInt(i32, UInt64(loc.line), 0), field(4, i32))
        LLVMBuildStore(b, LLVMConstInt(i32, UInt64(loc.column), 0), field(8, i32))
        LLVMBuildStore(b, LLVMConstInt(i32, UInt64(bitPattern: Int64(axis ?? -1)), 1), field(12, i32))
        LLVMBuildStore(b, index ?? c64(0), field(16, i64))
        LLVMBuildStore(b, bound ?? c64(0), field(24, i64))
        LLVMBuildRet(b, LLVMConstInt(i32, UInt64(code), 0))
    }

    /// if `condition` then fail, else continue in a new block.
    func check(_ condition: LLVMValueRef, code: Int32, at loc: KernelLocation, axis: Int? = nil,
               index: LLVMValueRef? = nil, bound: LLVMValueRef? = nil) {
        let bad = LLVMAppendBasicBlockInContext(ctx, fn, "error")
        let good = LLVMAppendBasicBlockInContext(ctx, fn, "ok")
        LLVMBuildCondBr(b, condition, bad, good)
        LLVMPositionBuilderAtEnd(b, bad)
        fail(code: code, at: loc, axis: axis, index: index, bound: bound)
        LLVMPositionBuilderAtEnd(b, good)
    }

    // MARK: expressions

    func scalar(_ e: KernelScalarExpr) -> (LLVMValueRef, LLVMValueRef?) {
        let em = scalarEmitter(e, count: e.function.instructions.count)
        return (em.values[Int(e.function.result.index)]!, em.imag[Int(e.function.result.index)])
    }

    /// An Emitter that has emitted the first `count` instructions of `e` (their operands bound).
    func scalarEmitter(_ e: KernelScalarExpr, count: Int) -> Emitter {
        var args: [(LLVMValueRef, LLVMValueRef?)] = []
        for (n, op) in e.operands.enumerated() {
            let dtype = e.function.parameters[n].dtype
            switch op {
            case .variable(let v):
                let (re, im) = slots[v]!
                let ty = helper.valueType(dtype)
                args.append((LLVMBuildLoad2(b, ty, re, "v")!, im.map { LLVMBuildLoad2(b, ty, $0, "vi")! }))
            case .extent(let a, let axis):
                args.append((arrays[a]!.shape[axis], nil))
            case .element(let a, let indices, let loc):
                let address = elementOffset(a, indices, loc)
                let (re, im) = helper.loadElement(dtype, base: arrays[a]!.data, index: address, name: "el")
                args.append((re, im))
            }
        }
        let em = Emitter(function: e.function, module: module, options: options, machine: machine, builder: builder,
                         kernel: true)
        em.inlineArguments = args
        em.scratch = scratch
        em.parameterSlots = []
        if options.boundsChecks {
            let loc = e.location
            em.divisionCheck = { [unowned self] zero in self.check(zero, code: 2, at: loc) }
            em.powerCheck = { [unowned self] negative in self.check(negative, code: Int32(Emitter.negativePowerCode), at: loc) }
        }
        for (i, inst) in e.function.instructions.prefix(count).enumerated() {
            em.values[i] = em.emit(ValueID(i), inst, index: nil, fn: fn)
        }
        return em
    }

    func int(_ e: KernelScalarExpr) -> LLVMValueRef { scalar(e).0 }

    /// The element offset (in elements) of a[indices], with bounds checks when enabled.
    func elementOffset(_ a: Int, _ indices: [KernelScalarExpr], _ loc: KernelLocation) -> LLVMValueRef {
        let array = arrays[a]!
        var offset = c64(0)
        for (axis, e) in indices.enumerated() {
            let i = axisIndex(e, extent: array.shape[axis], axis: axis, at: loc)
            offset = LLVMBuildAdd(b, offset, LLVMBuildMul(b, i, array.strides[axis], "o"), "off")
        }
        return offset
    }

    // MARK: statements

    func emitBlock(_ statements: [KernelStatement]) {
        for s in statements {
            if LLVMGetBasicBlockTerminator(LLVMGetInsertBlock(b)) != nil {
                // Code after break/continue/return is unreachable; give it a block of its own.
                LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(ctx, fn, "dead"))
            }
            emitStatement(s)
        }
    }

    func emitStatement(_ s: KernelStatement) {
        switch s {
        case .assign(let v, let e):
            if let kv = keyedMinMax[v] { return emitKeyedUpdate(kv, e) }
            let (re, im) = scalar(e)
            LLVMBuildStore(b, re, slots[v]!.0)
            if let im, let slot = slots[v]!.1 { LLVMBuildStore(b, im, slot) }
        case .bind(let v, let a):
            arrays[v] = arrayValue(a)
        case .store(let a, let indices, let value, let loc):
            if let tile = streamTile, tile.array == a { return emitTileStore(tile, indices, value) }
            let offset = elementOffset(a, indices, loc)
            let (re, im) = scalar(value)
            helper.storeElement(re, im, k.variables[a].type.dtype, base: arrays[a]!.data, index: offset)
        case .ifElse(let branches, let otherwise):
            let end = LLVMAppendBasicBlockInContext(ctx, fn, "endif")
            for branch in branches {
                let then = LLVMAppendBasicBlockInContext(ctx, fn, "then")
                let next = LLVMAppendBasicBlockInContext(ctx, fn, "else")
                LLVMBuildCondBr(b, scalar(branch.condition).0, then, next)
                LLVMPositionBuilderAtEnd(b, then)
                emitBlock(branch.body)
                branchIfOpen(end)
                LLVMPositionBuilderAtEnd(b, next)
            }
            emitBlock(otherwise)
            branchIfOpen(end)
            LLVMPositionBuilderAtEnd(b, end)
        case .whileLoop(let cond, let body):
            emitWhileLoop(cond, body)
        case .forLoop(let v, let start, let end, _, true, let reductions, let body):
            emitParallelFor(v, start, end, reductions, body)
        case .forLoop(let v, let start, let end, let step, _, _, let body):
            let lo = int(start), hi = int(end)
            let by = step.map { int($0) } ?? c64(1)
            let loc = step?.location ?? start.location
            if step != nil { check(LLVMBuildICmp(b, LLVMIntEQ, by, c64(0), "zstep")!, code: 3, at: loc) }
            emitSerialFor(v, lo, hi, by: by, stepped: step != nil, at: loc, body)
        case .breakLoop:
            LLVMBuildBr(b, loopTargets.last!.breakBlock)
        case .continueLoop:
            LLVMBuildBr(b, loopTargets.last!.continueBlock)
        case .returnValues(let values):
            for (n, r) in values.enumerated() {
                let base = KernelGen.resultSlotWords * n
                func word(_ i: Int) -> LLVMValueRef {
                    var idx = c64opt(base + i)
                    return LLVMBuildInBoundsGEP2(b, i64, resultsArg, &idx, 1, "r")!
                }
                switch r {
                case .scalar(let e):
                    let (re, im) = scalar(e)
                    let t = e.type
                    let slot = LLVMBuildBitCast(b, word(0), sj_pointer_to(helper.memoryType(t)), "rs")!
                    helper.storeElement(re, im, t, base: slot, index: c64(0))
                case .array(let a):
                    let value = arrayValue(a)
                    LLVMBuildStore(b, LLVMBuildPtrToInt(b, value.data, i64, "rp"), word(0))
                    for (d, s) in value.shape.enumerated() { LLVMBuildStore(b, s, word(1 + d)) }
                    for (d, s) in value.strides.enumerated() { LLVMBuildStore(b, s, word(1 + KernelGen.maxRank + d)) }
                }
            }
            LLVMBuildRet(b, LLVMConstInt(i32, 0, 0))
        case .evaluate(let e):
            _ = scalar(e)
        case .sequence(let statements):
            emitBlock(statements)
        case .require(let cond, let loc, let code):
            check(LLVMBuildNot(b, scalar(cond).0, "unmet")!, code: code, at: loc)
        }
    }

    func branchIfOpen(_ target: LLVMBasicBlockRef?) {
        if LLVMGetBasicBlockTerminator(LLVMGetInsertBlock(b)) == nil { LLVMBuildBr(b, target) }
    }

    /// `for v in lo..<hi by by { body }` on this thread (a step of 0 was checked by the caller):
    /// serial loops, and the serial path of a parallel loop without reductions.
    func emitSerialFor(_ v: Int, _ lo: LLVMValueRef, _ hi: LLVMValueRef, by: LLVMValueRef, stepped: Bool,
                       at loc: KernelLocation, _ body: [KernelStatement]) {
        if let plan = collapsePlan(v, stepped: stepped, body) {
            return emitCollapsedFor(plan, v, lo, hi, at: loc, body)
        }
        if let plan = streamingPlan(v, stepped: stepped, body) {
            return emitStreamingFor(plan, v, lo, hi, at: loc, body)
        }
        emitLoopAsWritten(v, lo, hi, by: by, stepped: stepped, at: loc, body)
    }

    /// The loop of `emitSerialFor` as written.
    func emitLoopAsWritten(_ v: Int, _ lo: LLVMValueRef, _ hi: LLVMValueRef, by: LLVMValueRef, stepped: Bool,
                           at loc: KernelLocation, _ body: [KernelStatement]) {
        if !stepped, let assigned = coldStripsAssigned(body) {
            return emitLoopWithColdStrips(v, lo, hi, at: loc, body, assigned: assigned) { lo, hi in
                emitLoopInPlace(v, lo, hi, by: by, stepped: false, at: loc, body, stripsElsewhere: true)
            }
        }
        emitLoopInPlace(v, lo, hi, by: by, stepped: stepped, at: loc, body, stripsElsewhere: false)
    }

    /// The loop of `emitLoopAsWritten` in place (`stripsElsewhere`: the caller runs ranges longer
    /// than one strip elsewhere).
    private func emitLoopInPlace(_ v: Int, _ lo: LLVMValueRef, _ hi: LLVMValueRef, by: LLVMValueRef, stepped: Bool,
                                 at loc: KernelLocation, _ body: [KernelStatement], stripsElsewhere: Bool) {
        let keyed = beginKeyedMinMax(body: body, hasStep: stepped)
        let back = emitForLoop(v, from: lo, to: hi, by: by, flat: !Self.containsLoop(body), at: loc,
                               stripsElsewhere: stripsElsewhere, statements: stepped ? nil : body) { next, exit in
            loopTargets.append((next, exit))
            let counts = !stepped && countingUp.insert(v).inserted
            emitBlock(body)
            if counts { countingUp.remove(v) }
            loopTargets.removeLast()
        }
        if ReductionLoopHint.wanted(body: body, hasStep: stepped, kernel: k, mode: options.mathMode) {
            back.forEach { module.requestVectorization(latch: $0) }
        }
        endKeyedMinMax(keyed)
    }

    // MARK: arrays

    func arrayValue(_ a: KernelArrayExpr) -> ArrayValue {
        switch a {
        case .variable(let v):
            return arrays[v]!
        case .view(let v, let indices, let loc):
            let base = arrays[v]!
            var offset = c64(0)
            var shape: [LLVMValueRef] = [], strides: [LLVMValueRef] = []
            for (axis, index) in indices.enumerated() {
                switch index {
                case .single(let e):
                    let i = axisIndex(e, extent: base.shape[axis], axis: axis, at: loc)
                    offset = LLVMBuildAdd(b, offset, LLVMBuildMul(b, i, base.strides[axis], "o"), "off")
                case .range(let lo, let hi, let step):
                    // Clipped to the axis, so a view always stays inside its array.
                    let s = sliceBounds(int(lo), int(hi), step: step.map { int($0) }, extent: base.shape[axis], at: loc)
                    offset = LLVMBuildAdd(b, offset, LLVMBuildMul(b, s.first, base.strides[axis], "o"), "off")
                    shape.append(s.count)
                    strides.append(step == nil ? base.strides[axis] : LLVMBuildMul(b, base.strides[axis], s.step, "st")!)
                }
            }
            var idx: LLVMValueRef? = offset
            let data = LLVMBuildInBoundsGEP2(b, helper.memoryType(k.variables[v].type.dtype), base.data, &idx, 1, "view")!
            if k.variables[v].type.dtype.isComplex {
                var twice: LLVMValueRef? = LLVMBuildShl(b, offset, c64(1), "c2")
                let cdata = LLVMBuildInBoundsGEP2(b, helper.memoryType(k.variables[v].type.dtype), base.data, &twice, 1, "cview")!
                return ArrayValue(data: cdata, shape: shape, strides: strides)
            }
            return ArrayValue(data: data, shape: shape, strides: strides)
        case .allocate(let dtype, let shapeExprs, let fill, let loc):
            let shape = shapeExprs.map { int($0) }
            var count = c64(1)
            // Every extent non-negative and the element count at most 2^40, checked before each
            // multiplication so a huge shape cannot wrap around to a small allocation.
            let limit = c64(1 << 40)
            for s in shape {
                check(LLVMBuildICmp(b, LLVMIntSLT, s, c64(0), "neg")!, code: 3, at: loc, index: s)
                let room = LLVMBuildSDiv(b, limit, LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntEQ, s, c64(0), "z"), c64(1), s, "d"), "room")
                check(LLVMBuildICmp(b, LLVMIntSGT, count, room, "huge")!, code: 3, at: loc, index: s)
                count = LLVMBuildMul(b, count, s, "count")
            }
            let bytes = LLVMBuildMul(b, count, c64(dtype.size), "bytes")!
            // sj_kernel_alloc sets ctx->code when it fails; allocateRaw returns that code. Only
            // zeros() needs cleared memory: a filled array is written whole right here, and
            // empty() promises nothing.
            let zeroed: Bool
            if case .zeros = fill { zeroed = true } else { zeroed = false }
            let raw = allocateRaw(bytes: bytes, at: loc, zeroed: zeroed)
            let data = LLVMBuildBitCast(b, raw, sj_pointer_to(helper.memoryType(dtype)), "data")!
            var strides = [LLVMValueRef](repeating: c64(1), count: shape.count)
            for d in stride(from: shape.count - 2, through: 0, by: -1) {
                strides[d] = LLVMBuildMul(b, strides[d + 1], shape[d + 1], "st")
            }
            let value = ArrayValue(data: data, shape: shape, strides: strides)
            if case .value(let fill) = fill { fillArray(value, count: count, dtype: dtype, with: scalar(fill)) }
            return value
        }
    }

    func fillArray(_ a: ArrayValue, count: LLVMValueRef, dtype: DType, with value: (LLVMValueRef, LLVMValueRef?)) {
        let slot = LLVMBuildAlloca(b, i64, "fi")!
        LLVMBuildStore(b, c64(0), slot)
        let head = LLVMAppendBasicBlockInContext(ctx, fn, "fill")
        let body = LLVMAppendBasicBlockInContext(ctx, fn, "fillbody")
        let exit = LLVMAppendBasicBlockInContext(ctx, fn, "filled")
        LLVMBuildBr(b, head)
        LLVMPositionBuilderAtEnd(b, head)
        let i = LLVMBuildLoad2(b, i64, slot, "i")!
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, i, count, "more"), body, exit)
        LLVMPositionBuilderAtEnd(b, body)
        helper.storeElement(value.0, value.1, dtype, base: a.data, index: i)
        LLVMBuildStore(b, LLVMBuildAdd(b, i, c64(1), "n"), slot)
        LLVMBuildBr(b, head)
        LLVMPositionBuilderAtEnd(b, exit)
    }
}
