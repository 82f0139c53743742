// `parallel for`: the loop body is outlined into its own function
//
//     int32_t body(int64_t begin, int64_t end, int64_t *env, sj_context *ctx, void *partials)
//
// env holds the values of the enclosing scalar variables (copied into private ones at chunk
// start; they are read-only in the loop, KernelChecker makes sure) and the enclosing arrays'
// descriptors. Reduction variables start each chunk at their identity; each chunk writes its
// partial results to `partials` (on the caller's stack), and the caller combines them in chunk
// order after sj_parallel_for has run every chunk on the runtime's thread pool. When the runtime
// says the loop runs on the calling thread (sj_parallel_serial), the kernel runs it itself: a
// loop without reductions as a plain serial loop emitted in place (no call, no env), one with
// reductions as the same chunks as the pool's, by direct calls of the same (not inlined) body.
import CLLVM
import JITSema

extension KernelEmitter {
    func emitParallelFor(_ v: Int, _ start: KernelScalarExpr, _ end: KernelScalarExpr,
                         _ reductions: [KernelLoopReduction], _ body: [KernelStatement]) {
        let lo = int(start), hi = int(end)
        let scalars = slots.keys.sorted(), arrayVars = arrays.keys.sorted()
        // A reduction over a flat body runs in blocks of `reductionBlock` iterations (see
        // `reductionBlock`): its chunks are made of blocks, and env carries lo and hi.
        let blocked = !reductions.isEmpty && !Self.containsLoop(body)
        let (env, fillWords) = outlineEnv(scalars, arrayVars, extraWords: blocked ? 2 : 0)
        func fillEnv() { fillWords(blocked ? [lo, hi] : []) }
        let partialBytes = partialSlotBytes(reductions) * reductions.count
        var partials = LLVMConstPointerNull(ptr)!
        if !reductions.isEmpty {
            // On the caller's stack: it waits for every chunk, so the pool's threads may write here.
            let buffer = entryAlloca(LLVMArrayType(i8, UInt32(KernelGen.maxChunks * partialBytes))!, "partials")
            LLVMSetAlignment(buffer, 16)
            partials = LLVMBuildBitCast(b, buffer, ptr, "partialsp")!
        }
        let statements = body
        let body = outline(v, scalars, arrayVars, reductions, body, blocked: blocked)
        let envp = LLVMBuildBitCast(b, env, sj_pointer_to(i64), "envw")!
        let n = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSGT, hi, lo, "some"), LLVMBuildSub(b, hi, lo, "n"), c64(0), "n0")!
        // What the runtime and the serial chunks divide: the iterations, or the blocks.
        let (units, first, last) = blocked ? { () -> (LLVMValueRef, LLVMValueRef, LLVMValueRef) in
            let shift = c64(Self.reductionBlockShift)
            let partial = LLVMBuildICmp(b, LLVMIntNE, LLVMBuildAnd(b, n, c64(Self.reductionBlock - 1), "nrem"), c64(0), "npart")!
            let blocks = LLVMBuildAdd(b, LLVMBuildAShr(b, n, shift, "nb"), LLVMBuildZExt(b, partial, i64, "nb1"), "blocks")!
            return (blocks, c64(0), blocks)
        }() : (n, lo, hi)
        let code = entryAlloca(i32, "pcodeslot")
        // A loop the runtime would run on this thread (the common small case) runs here: without
        // reductions in place, with them as the same chunks in the same order as
        // sj_parallel_for's serial path, calling the body directly.
        let threaded = LLVMAppendBasicBlockInContext(ctx, fn, "pthreads"), onThread = LLVMAppendBasicBlockInContext(ctx, fn, "pserial")
        let joined = LLVMAppendBasicBlockInContext(ctx, fn, "pjoined")
        emitSerialTest(n, serial: onThread!, threaded: threaded!)
        LLVMPositionBuilderAtEnd(b, threaded)
        fillEnv()
        // sj_parallel_for(body, lo, hi, env, ctx, partials, partialBytes)
        var ps: [LLVMTypeRef?] = [ptr, i64, i64, ptr, ptr, ptr, i64]
        let forType = LLVMFunctionType(i32, &ps, 7, 0)!
        let forFn = LLVMGetNamedFunction(module.ref, "sj_parallel_for") ?? LLVMAddFunction(module.ref, "sj_parallel_for", forType)!
        var args: [LLVMValueRef?] = [LLVMBuildBitCast(b, body, ptr, "bodyp"), first, last, LLVMBuildBitCast(b, env, ptr, "envp"),
                                     LLVMBuildBitCast(b, contextArg, ptr, "c"), partials, c64(partialBytes)]
        LLVMBuildStore(b, LLVMBuildCall2(b, forType, forFn, &args, 7, "pcode")!, code)
        LLVMBuildBr(b, joined)
        LLVMPositionBuilderAtEnd(b, onThread)
        if reductions.isEmpty && (!prefersWide || MathLoopWidth.callsMath(statements, inLoop: true, mode: options.mathMode)) {
            // Without reductions the serial path is the loop itself, emitted here: no call, the
            // enclosing variables and array descriptors as they are (known strides, no env).
            // Not where this function prefers 512-bit vectors for its math and this loop has
            // none: the outlined body keeps the plain loop at the target's preferred width.
            let outer = arrays
            emitSerialFor(v, lo, hi, by: c64(1), stepped: false, at: start.location, statements)
            arrays = outer
            LLVMBuildStore(b, LLVMConstInt(i32, 0, 0), code)
        } else {
            fillEnv()
            emitSerialChunks(body, envp, first, last, units, partials, partialBytes, code)
        }
        LLVMBuildBr(b, joined)
        LLVMPositionBuilderAtEnd(b, joined)
        let failed = LLVMAppendBasicBlockInContext(ctx, fn, "pfail"), ok = LLVMAppendBasicBlockInContext(ctx, fn, "pok")
        let result = LLVMBuildLoad2(b, i32, code, "pcode")!
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntNE, result, LLVMConstInt(i32, 0, 0), "perr"), failed, ok)
        LLVMPositionBuilderAtEnd(b, failed)
        LLVMBuildRet(b, result)
        LLVMPositionBuilderAtEnd(b, ok)
        guard !reductions.isEmpty else { return }
        // Combine the chunks' partials in chunk order: chunks = min(max(hi - lo, 0), SJ_MAX_CHUNKS).
        let chunks = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSLT, units, c64(KernelGen.maxChunks), "few"), units,
                                     c64(KernelGen.maxChunks), "chunks")!
        let counter = entryAlloca(i64, "chunk")
        LLVMBuildStore(b, c64(0), counter)
        let head = LLVMAppendBasicBlockInContext(ctx, fn, "combine"), step = LLVMAppendBasicBlockInContext(ctx, fn, "combinestep")
        let done = LLVMAppendBasicBlockInContext(ctx, fn, "combined")
        LLVMBuildBr(b, head)
        LLVMPositionBuilderAtEnd(b, head)
        let c = LLVMBuildLoad2(b, i64, counter, "c")!
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, c, chunks, "morechunks"), step, done)
        LLVMPositionBuilderAtEnd(b, step)
        for (r, red) in reductions.enumerated() {
            let t = k.variables[red.variable].type.dtype
            var offset: LLVMValueRef? = LLVMBuildAdd(b, LLVMBuildMul(b, c, c64(partialBytes), "co"),
                                                     c64(partialSlotBytes(reductions) * r), "ro")
            let p = LLVMBuildBitCast(b, LLVMBuildInBoundsGEP2(b, i8, partials, &offset, 1, "pp"), sj_pointer_to(helper.memoryType(t)), "ppt")!
            let part = helper.fromMemory(LLVMBuildLoad2(b, helper.memoryType(t), p, "part")!, t)
            let acc = LLVMBuildLoad2(b, helper.valueType(t), slots[red.variable]!.0, "acc")!
            LLVMBuildStore(b, helper.combine(red.op, acc, part, t), slots[red.variable]!.0)
        }
        LLVMBuildStore(b, LLVMBuildAdd(b, c, c64(1), "c1"), counter)
        LLVMBuildBr(b, head)
        LLVMPositionBuilderAtEnd(b, done)
    }

    /// Branches to `serial` when the runtime runs a loop of `n` iterations on the calling thread:
    /// below the serial threshold, read here from sj_runtime_settings (runtime_settings.h: n * 64
    /// elements below SJ_SETTING_SERIAL_ELEMENTS), else as sj_parallel_serial(n) answers.
    private func emitSerialTest(_ n: LLVMValueRef, serial: LLVMBasicBlockRef, threaded: LLVMBasicBlockRef) {
        let (settingsType, settings) = runtimeSettings()
        var idx: [LLVMValueRef?] = [c64(0), c64(1)]
        let elements = LLVMBuildLoad2(b, i64, LLVMBuildInBoundsGEP2(b, settingsType, settings, &idx, 2, "serialp"), "serialelements")!
        LLVMSetVolatile(elements, 1)
        let limit = LLVMBuildAShr(b, LLVMBuildAdd(b, elements, c64(63), "se63"), c64(6), "seriallimit")!
        let ask = LLVMAppendBasicBlockInContext(ctx, fn, "paskserial")
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, n, limit, "small"), serial, ask)
        LLVMPositionBuilderAtEnd(b, ask)
        var sps: [LLVMTypeRef?] = [i64]
        let serialType = LLVMFunctionType(i32, &sps, 1, 0)!
        var serialFn: LLVMValueRef! = LLVMGetNamedFunction(module.ref, "sj_parallel_serial")
        if serialFn == nil {
            serialFn = LLVMAddFunction(module.ref, "sj_parallel_serial", serialType)
            helper.markInaccessibleMemoryOnly(serialFn)
        }
        var sargs: [LLVMValueRef?] = [n]
        let answer = LLVMBuildCall2(b, serialType, serialFn, &sargs, 1, "serial")!
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntNE, answer, LLVMConstInt(i32, 0, 0), "isserial"), serial, threaded)
    }

    /// The serial path of a parallel loop: without reductions one call of `body` over lo..<hi;
    /// with them, chunk c of min(n, SJ_MAX_CHUNKS) covers lo + c*n/chunks ..< lo + (c+1)*n/chunks
    /// and writes its partials at c * partialBytes, stopping at the first error. When n <=
    /// SJ_MAX_CHUNKS every chunk is one unit (an iteration, or a block of a flat body); otherwise
    /// the boundaries step without a division per chunk. Stores the error code (or 0) in `code`.
    private func emitSerialChunks(_ body: LLVMValueRef, _ envp: LLVMValueRef, _ lo: LLVMValueRef, _ hi: LLVMValueRef,
                                  _ n: LLVMValueRef, _ partials: LLVMValueRef, _ partialBytes: Int, _ code: LLVMValueRef) {
        var ps: [LLVMTypeRef?] = [i64, i64, sj_pointer_to(i64), ptr, ptr]
        let bodyType = LLVMFunctionType(i32, &ps, 5, 0)!
        let context = LLVMBuildBitCast(b, contextArg, ptr, "c")!
        func call(_ begin: LLVMValueRef, _ end: LLVMValueRef, _ part: LLVMValueRef) -> LLVMValueRef {
            var args: [LLVMValueRef?] = [begin, end, envp, context, part]
            return LLVMBuildCall2(b, bodyType, body, &args, 5, "scode")!
        }
        guard partialBytes > 0 else {
            LLVMBuildStore(b, call(lo, hi, partials), code)
            return
        }
        func partial(_ c: LLVMValueRef) -> LLVMValueRef {
            var offset: LLVMValueRef? = LLVMBuildMul(b, c, c64(partialBytes), "soff")
            return LLVMBuildInBoundsGEP2(b, i8, partials, &offset, 1, "spart")!
        }
        LLVMBuildStore(b, LLVMConstInt(i32, 0, 0), code)
        let done = LLVMAppendBasicBlockInContext(ctx, fn, "sdone")!
        let single = LLVMAppendBasicBlockInContext(ctx, fn, "ssingle"), chunked = LLVMAppendBasicBlockInContext(ctx, fn, "schunked")
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLE, n, c64(KernelGen.maxChunks), "sfew"), single, chunked)
        LLVMPositionBuilderAtEnd(b, single)
        emitCountedLoop(from: lo, to: hi, code: code, exit: done) { i in
            call(i, LLVMBuildAdd(b, i, c64(1), "si1"), partial(LLVMBuildSub(b, i, lo, "sc")))
        }
        LLVMPositionBuilderAtEnd(b, chunked)
        // n = q * chunks + r: chunk c+1 starts q (+1 when the remainders carry) after chunk c.
        let chunks = c64(KernelGen.maxChunks)
        let q = LLVMBuildSDiv(b, n, chunks, "q")!, r = LLVMBuildSRem(b, n, chunks, "r")!
        let begin = entryAlloca(i64, "sbegin"), rem = entryAlloca(i64, "srem")
        LLVMBuildStore(b, lo, begin)
        LLVMBuildStore(b, c64(0), rem)
        emitCountedLoop(from: c64(0), to: chunks, code: code, exit: done) { c in
            let start = LLVMBuildLoad2(b, i64, begin, "sb")!
            let sum = LLVMBuildAdd(b, LLVMBuildLoad2(b, i64, rem, "sr")!, r, "srr")!
            let carry = LLVMBuildICmp(b, LLVMIntSGE, sum, chunks, "scarry")!
            let end = LLVMBuildAdd(b, LLVMBuildAdd(b, start, q, "sbq")!, LLVMBuildZExt(b, carry, i64, "sc1")!, "se")!
            LLVMBuildStore(b, LLVMBuildSub(b, sum, LLVMBuildSelect(b, carry, chunks, c64(0), "swrap")!, "srem2"), rem)
            LLVMBuildStore(b, end, begin)
            return call(start, end, partial(c))
        }
        LLVMPositionBuilderAtEnd(b, done)
    }

    /// `for i in from..<to { code = step(i); if code != 0 { break } }`, then a branch to `exit`.
    private func emitCountedLoop(from: LLVMValueRef, to: LLVMValueRef, code: LLVMValueRef, exit: LLVMBasicBlockRef,
                                 _ step: (LLVMValueRef) -> LLVMValueRef) {
        let counter = entryAlloca(i64, "scount")
        LLVMBuildStore(b, from, counter)
        let head = LLVMAppendBasicBlockInContext(ctx, fn, "sloop"), work = LLVMAppendBasicBlockInContext(ctx, fn, "sstep")
        let next = LLVMAppendBasicBlockInContext(ctx, fn, "snext")
        LLVMBuildBr(b, head)
        LLVMPositionBuilderAtEnd(b, head)
        let i = LLVMBuildLoad2(b, i64, counter, "si")!
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, i, to, "smore"), work, exit)
        LLVMPositionBuilderAtEnd(b, work)
        let status = step(i)
        LLVMBuildStore(b, status, code)
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntEQ, status, LLVMConstInt(i32, 0, 0), "sok"), next, exit)
        LLVMPositionBuilderAtEnd(b, next)
        LLVMBuildStore(b, LLVMBuildAdd(b, i, c64(1), "snexti"), counter)
        LLVMBuildBr(b, head)
    }

    /// An alloca in the function's entry block, holding `initial` from the start when given.
    func entryAlloca(_ type: LLVMTypeRef, _ name: String, initial: LLVMValueRef? = nil) -> LLVMValueRef {
        let here = LLVMGetInsertBlock(b)
        if let first = LLVMGetFirstInstruction(entryBlock) { LLVMPositionBuilderBefore(b, first) } else { LLVMPositionBuilderAtEnd(b, entryBlock) }
        let a = LLVMBuildAlloca(b, type, name)!
        if let initial { LLVMBuildStore(b, initial, a) }
        LLVMPositionBuilderAtEnd(b, here)
        return a
    }

    /// Memory from the call's context (freed with it), zeroed unless `zeroed` is false, or an
    /// error return.
    func allocateRaw(bytes: LLVMValueRef, at loc: KernelLocation, zeroed: Bool = true) -> LLVMValueRef {
        var ps: [LLVMTypeRef?] = [ptr, i64]
        let allocType = LLVMFunctionType(ptr, &ps, 2, 0)!
        let name = zeroed ? "sj_kernel_alloc" : "sj_kernel_alloc_uninitialized"
        let alloc = LLVMGetNamedFunction(module.ref, name) ?? LLVMAddFunction(module.ref, name, allocType)!
        var args: [LLVMValueRef?] = [LLVMBuildBitCast(b, contextArg, ptr, "c"), bytes]
        let raw = LLVMBuildCall2(b, allocType, alloc, &args, 2, "mem")!
        let failed = LLVMAppendBasicBlockInContext(ctx, fn, "allocfail"), ok = LLVMAppendBasicBlockInContext(ctx, fn, "allocok")
        LLVMBuildCondBr(b, LLVMBuildIsNull(b, raw, "null"), failed, ok)
        LLVMPositionBuilderAtEnd(b, failed)
        LLVMBuildRet(b, LLVMConstInt(i32, 4, 0))
        LLVMPositionBuilderAtEnd(b, ok)
        return raw
    }

    /// The env of an outlined body, an i64 array in the function's entry block (so loops around
    /// the call do not grow the stack), and a function that fills it where the builder is:
    /// scalars by value (they are read-only in the outlined loop), so their slots here never
    /// escape and stay registers: two words each, the value's bytes (a complex one's real part)
    /// and the imaginary part; then each array's data pointer, extents and strides; then `extra`.
    func outlineEnv(_ scalars: [Int], _ arrayVars: [Int], extraWords: Int) -> (LLVMValueRef, ([LLVMValueRef]) -> Void) {
        let words = 2 * scalars.count + arrayVars.reduce(0) { $0 + 1 + 2 * arrays[$1]!.shape.count } + extraWords
        let here = LLVMGetInsertBlock(b)
        if let first = LLVMGetFirstInstruction(entryBlock) { LLVMPositionBuilderBefore(b, first) }
        let envType = LLVMArrayType(i64, UInt32(max(words, 1)))!
        let env = LLVMBuildAlloca(b, envType, "env")!
        LLVMPositionBuilderAtEnd(b, here)
        func fill(_ extra: [LLVMValueRef]) {
            var w = 0
            func word() -> LLVMValueRef {
                var idx: [LLVMValueRef?] = [c64(0), c64(w)]
                w += 1
                return LLVMBuildInBoundsGEP2(b, envType, env, &idx, 2, "e")!
            }
            for s in scalars {
                let ty = helper.valueType(k.variables[s].type.dtype)
                for part in [slots[s]!.0, slots[s]!.1] {
                    let slot = word()
                    if let part { LLVMBuildStore(b, LLVMBuildLoad2(b, ty, part, "sv")!, LLVMBuildBitCast(b, slot, sj_pointer_to(ty), "ev")) }
                }
            }
            for a in arrayVars {
                let value = arrays[a]!
                LLVMBuildStore(b, LLVMBuildPtrToInt(b, value.data, i64, "dp")!, word())
                for extent in value.shape { LLVMBuildStore(b, extent, word()) }
                for stride in value.strides { LLVMBuildStore(b, stride, word()) }
            }
            for value in extra { LLVMBuildStore(b, value, word()) }
        }
        return (env, fill)
    }

    /// For each part (real, imaginary) of the scalar variables `vars`: its value type, its slot
    /// and its word in an outlined body's env (`words`, an i64 pointer; `scalars` as `outlineEnv`
    /// laid them out, two words each).
    func envWords(_ vars: [Int], of scalars: [Int], in words: LLVMValueRef) -> [(LLVMTypeRef, LLVMValueRef, LLVMValueRef)] {
        vars.flatMap { s -> [(LLVMTypeRef, LLVMValueRef, LLVMValueRef)] in
            let ty = helper.valueType(k.variables[s].type.dtype), w = 2 * scalars.firstIndex(of: s)!
            return [slots[s]!.0, slots[s]!.1].enumerated().compactMap { part, slot in
                guard let slot else { return nil }
                var idx: LLVMValueRef? = c64(w + part)
                return (ty, slot, LLVMBuildBitCast(b, LLVMBuildInBoundsGEP2(b, i64, words, &idx, 1, "ew"), sj_pointer_to(ty), "envword")!)
            }
        }
    }

    /// Iterations of a block of a `parallel for` with reductions whose body has no loop: the runtime
    /// and the serial path divide such a loop into chunks of whole blocks (the last one shorter),
    /// not of single iterations, so that a loop of up to SJ_MAX_CHUNKS * 64 iterations (W9's 100
    /// `tanh` of the trace) runs as a few vectorized chunks instead of one-iteration chunks each
    /// with a partial, combined one after the other. The chunks still depend only on the
    /// iteration count, so the result is the same at every thread count.
    static let reductionBlockShift: Int = 6
    static var reductionBlock: Int { 1 << reductionBlockShift }

    /// Bytes of each reduction's partial in a chunk's block of partials: 8 (so a loop of
    /// one-iteration chunks with one real reduction, W9's trace, stores its partials as one
    /// vector instead of scattering them), 16 when one of them is complex.
    func partialSlotBytes(_ reductions: [KernelLoopReduction]) -> Int {
        reductions.contains { k.variables[$0.variable].type.dtype.isComplex } ? 16 : 8
    }

    /// Builds the outlined body function and returns it; the emitter's state is restored after.
    /// The variables of `writeBack` (scalars assigned in a serial body run out of line,
    /// KernelColdStrips.swift) are stored back into their env words when the loop ends.
    func outline(_ v: Int, _ scalars: [Int], _ arrayVars: [Int], _ reductions: [KernelLoopReduction],
                 _ body: [KernelStatement], blocked: Bool, writeBack: [Int] = []) -> LLVMValueRef {
        let saved = (fn, contextArg, resultsArg, slots, arrays, loopTargets, scratch, entryBlock, LLVMGetInsertBlock(b))
        let savedWide = prefersWide, savedDepth = loopDepth
        loopDepth = 0
        outlined += 1
        var ps: [LLVMTypeRef?] = [i64, i64, sj_pointer_to(i64), ptr, ptr]
        let type = LLVMFunctionType(i32, &ps, 5, 0)!
        let name = String(cString: LLVMGetValueName(saved.0)) + ".par\(outlined)"
        let f = LLVMAddFunction(module.ref, name, type)!
        LLVMSetLinkage(f, LLVMInternalLinkage)
        helper.setTargetAttributes(f)
        fn = f
        preferWidth(for: body, inLoop: true)
        // With reductions, never inlined where the kernel runs the chunks itself: the serial path
        // calls the very machine code the pool runs, so its partials are the pool's to the bit.
        // Relaxed mode lets LLVM reassociate `+=`, and an inlined copy of the same loop may be
        // vectorized in another shape (it was, once the checks were hoisted: a 7-element sum
        // differed in its last bit). A flat body runs whole 64-iteration blocks per call, so the
        // call costs little. Without reductions the serial path is the loop emitted in place, or
        // one direct call of this function.
        if !reductions.isEmpty { helper.addAttribute(f, "noinline") }
        let entry = LLVMAppendBasicBlockInContext(ctx, f, "entry")
        entryBlock = entry
        LLVMPositionBuilderAtEnd(b, entry)
        helper.makeScratch()
        scratch = helper.scratch
        contextArg = LLVMGetParam(f, 3)
        resultsArg = nil
        slots = [:]
        makeSlots()
        let env = LLVMGetParam(f, 2)!, partials = LLVMGetParam(f, 4)!
        var w = 0
        func word() -> LLVMValueRef {
            var idx: LLVMValueRef? = c64(w)
            w += 1
            return LLVMBuildLoad2(b, i64, LLVMBuildInBoundsGEP2(b, i64, env, &idx, 1, "ew"), "w")!
        }
        for s in scalars {
            let t = k.variables[s].type.dtype, ty = helper.valueType(t)
            var idx: LLVMValueRef? = c64(w)
            let re = LLVMBuildBitCast(b, LLVMBuildInBoundsGEP2(b, i64, env, &idx, 1, "ew"), sj_pointer_to(ty), "outer")!
            idx = c64(w + 1)
            let im = LLVMBuildBitCast(b, LLVMBuildInBoundsGEP2(b, i64, env, &idx, 1, "ewi"), sj_pointer_to(ty), "outeri")!
            w += 2
            if let red = reductions.first(where: { $0.variable == s }) {
                LLVMBuildStore(b, helper.reductionIdentity(red.op, t), slots[s]!.0)
                continue
            }
            LLVMBuildStore(b, LLVMBuildLoad2(b, ty, re, "cap")!, slots[s]!.0)
            if let slot = slots[s]!.1 { LLVMBuildStore(b, LLVMBuildLoad2(b, ty, im, "capi")!, slot) }
        }
        arrays = [:]
        for a in arrayVars {
            let rank = saved.4[a]!.shape.count
            let data = LLVMBuildIntToPtr(b, word(), sj_pointer_to(helper.memoryType(k.variables[a].type.dtype)), "data")!
            arrays[a] = ArrayValue(data: data, shape: (0..<rank).map { _ in word() }, strides: (0..<rank).map { _ in word() })
        }
        // for i in begin..<end (blocks begin..<end: lo + begin*block ..< min(hi, lo + end*block))
        var begin = LLVMGetParam(f, 0)!, end = LLVMGetParam(f, 1)!
        if blocked {
            let lo = word(), hi = word(), shift = c64(Self.reductionBlockShift)
            let to = LLVMBuildShl(b, end, shift, "bend")!
            begin = LLVMBuildAdd(b, lo, LLVMBuildShl(b, begin, shift, "bbegin"), "from")
            end = LLVMBuildSelect(b, LLVMBuildICmp(b, LLVMIntSGE, to, LLVMBuildSub(b, hi, lo, "span"), "tail"), hi,
                                  LLVMBuildAdd(b, lo, to, "to"), "upto")
        }
        let keyed = beginKeyedMinMax(body: body, hasStep: false)
        let outerCounting = countingUp
        if reductions.isEmpty, let plan = collapsePlan(v, stepped: false, body) {
            // A 2-d elementwise nest over this chunk's rows: one loop when the rows are contiguous.
            (loopTargets, countingUp) = ([], [])
            emitCollapsedFor(plan, v, begin, end, at: KernelLocation(line: 0, column: 0), body)
            countingUp = outerCounting
        } else {
            let back = emitForLoop(v, from: begin, to: end, by: c64(1), flat: !Self.containsLoop(body),
                                   at: KernelLocation(line: 0, column: 0), statements: body) { next, exit in
                loopTargets = [(next, exit)]
                countingUp = [v]
                emitBlock(body)
                countingUp = outerCounting
            }
            if ReductionLoopHint.wanted(body: body, hasStep: false, kernel: k, mode: options.mathMode) {
                back.forEach { module.requestVectorization(latch: $0) }
            }
        }
        endKeyedMinMax(keyed)
        for (r, red) in reductions.enumerated() {
            let t = k.variables[red.variable].type.dtype
            var offset: LLVMValueRef? = c64(partialSlotBytes(reductions) * r)
            let p = LLVMBuildBitCast(b, LLVMBuildInBoundsGEP2(b, i8, partials, &offset, 1, "pp"), sj_pointer_to(helper.memoryType(t)), "ppt")!
            let value = LLVMBuildLoad2(b, helper.valueType(t), slots[red.variable]!.0, "partial")!
            LLVMBuildStore(b, helper.toMemory(value, t), p)
        }
        for (ty, slot, word) in envWords(writeBack, of: scalars, in: env) {
            LLVMBuildStore(b, LLVMBuildLoad2(b, ty, slot, "final")!, word)
        }
        LLVMBuildRet(b, LLVMConstInt(i32, 0, 0))
        (fn, contextArg, resultsArg, slots, arrays, loopTargets, scratch, entryBlock) =
            (saved.0, saved.1, saved.2, saved.3, saved.4, saved.5, saved.6, saved.7)
        prefersWide = savedWide
        loopDepth = savedDepth
        LLVMPositionBuilderAtEnd(b, saved.8)
        return f
    }
}
