// Streaming stores for kernel loops, for KernelEmitter (issue 16). In: a serial unit-step `for`
// loop. Out: when its body is scalar assignments followed by one store `y[i] = value` (y a
// vector, i the loop variable, other vectors read only at [i], y not read at all), the loop twice,
// chosen on entry:
//
// - in tiles, when the loop writes at least SJ_SETTING_STREAM_BYTES bytes (runtime_settings.h,
//   StreamingStores.threshold: 64 MiB by default), y is contiguous, 64-byte aligned where the
//   loop starts and holds the loop's range, and every vector read is contiguous, holds the range
//   and either is y itself (same element size) or does not overlap it. Each tile (4 KiB) is
//   computed into a stack buffer, which stays in L1, and copied to y with streaming stores
//   (sj_stream_copy), so y's cache lines are written without first being read from memory and
//   without evicting the inputs, as expressions do (StreamingStores.swift);
// - as written, otherwise.
//
// The conditions keep the tiles' result the loop's: delaying the writes to y by up to a tile
// changes nothing when no iteration reads what an earlier one wrote (y is not read, an input is
// y itself element for element or apart from it). An error inside a tile (a division by zero,
// cancellation) first writes out the elements before it, as the loop as written would have.
import CLLVM
import JITSema

extension KernelEmitter {
    /// A loop that may write its output with streaming stores: the output and the vectors read.
    struct StreamingPlan {
        var output: Int
        var reads: [Int]
    }

    /// Bytes of one tile.
    static let streamTileBytes = 4 << 10

    /// The plan for `for v in lo..<hi { body }` (see the file's comment), or nil.
    func streamingPlan(_ v: Int, stepped: Bool, _ body: [KernelStatement]) -> StreamingPlan? {
        guard !stepped, case .store(let y, let indices, let value, _)? = body.last, Self.isVector(k.variables[y].type),
              indices.count == 1, Self.isVariable(indices[0], v) else { return nil }
        var reads: Set<Int> = []
        /// Whether `e` reads vectors other than y only at [v].
        func allowed(_ e: KernelScalarExpr) -> Bool {
            e.operands.allSatisfy { op in
                switch op {
                case .variable, .extent: return true
                case .element(let a, let index, _):
                    guard a != y, Self.isVector(k.variables[a].type), index.count == 1, Self.isVariable(index[0], v) else {
                        return false
                    }
                    reads.insert(a)
                    return true
                }
            }
        }
        guard allowed(value) else { return nil }
        for s in body.dropLast() {
            guard case .assign(let w, let e) = s, w != v, allowed(e) else { return nil }
        }
        return StreamingPlan(output: y, reads: reads.sorted())
    }

    private static func isVector(_ t: KernelType) -> Bool {
        if case .array(_, 1) = t { return true }
        return false
    }

    /// Whether `e` is variable `v` itself.
    static func isVariable(_ e: KernelScalarExpr, _ v: Int) -> Bool {
        guard e.operands.count == 1, case .variable(let w) = e.operands[0], w == v,
              case .argument(0) = e.function[e.function.result].op else { return false }
        return true
    }

    /// `for v in lo..<hi { body }` by `plan`: the tiles when the run-time conditions hold, else
    /// the loop as written.
    func emitStreamingFor(_ plan: StreamingPlan, _ v: Int, _ lo: LLVMValueRef, _ hi: LLVMValueRef,
                          at loc: KernelLocation, _ body: [KernelStatement]) {
        let y = arrays[plan.output]!
        let size = k.variables[plan.output].type.dtype.size
        let tiles = LLVMAppendBasicBlockInContext(ctx, fn, "streamtiles")!
        let plain = LLVMAppendBasicBlockInContext(ctx, fn, "asWritten")!
        let join = LLVMAppendBasicBlockInContext(ctx, fn, "endstream")!
        LLVMBuildCondBr(b, streamingWanted(plan, y, size, lo, hi), tiles, plain)
        LLVMPositionBuilderAtEnd(b, plain)
        emitLoopAsWritten(v, lo, hi, by: c64(1), stepped: false, at: loc, body)
        LLVMBuildBr(b, join)

        LLVMPositionBuilderAtEnd(b, tiles)
        let tileType = LLVMArrayType(i8, UInt32(Self.streamTileBytes))!
        let tile = entryAlloca(tileType, "tile")
        LLVMSetAlignment(tile, 64)
        let tileBytes = LLVMBuildBitCast(b, tile, ptr, "tilebytes")!
        let tileData = LLVMBuildBitCast(b, tile, sj_pointer_to(helper.memoryType(k.variables[plan.output].type.dtype)), "tiledata")!
        let start = entryAlloca(i64, "tilestart")
        LLVMBuildStore(b, lo, start)
        let head = LLVMAppendBasicBlockInContext(ctx, fn, "tile")!
        let work = LLVMAppendBasicBlockInContext(ctx, fn, "tilebody")!
        let done = LLVMAppendBasicBlockInContext(ctx, fn, "tilesdone")!
        LLVMBuildBr(b, head)
        LLVMPositionBuilderAtEnd(b, head)
        let t = LLVMBuildLoad2(b, i64, start, "t")!
        LLVMBuildCondBr(b, LLVMBuildICmp(b, LLVMIntSLT, t, hi, "moretiles"), work, done)
        LLVMPositionBuilderAtEnd(b, work)
        let perTile = c64(Self.streamTileBytes / size)
        let full = LLVMBuildICmp(b, LLVMIntSGT, LLVMBuildSub(b, hi, t, "left"), perTile, "full")!
        let end = LLVMBuildSelect(b, full, LLVMBuildAdd(b, t, perTile, "tend"), hi, "tileend")!
        /// Streams elements t..<upTo from the tile to y.
        func copyOut(upTo: LLVMValueRef) {
            var at: LLVMValueRef? = LLVMBuildMul(b, t, c64(size), "at")
            let dst = LLVMBuildInBoundsGEP2(b, i8, LLVMBuildBitCast(b, y.data, ptr, "ybytes"), &at, 1, "dst")!
            callStreamCopy(dst, tileBytes, LLVMBuildMul(b, LLVMBuildSub(b, upTo, t, "n"), c64(size), "bytes")!)
        }
        streamTile = (plan.output, tileData, t)
        beforeFailure = { [unowned self] in
            copyOut(upTo: LLVMBuildLoad2(b, i64, slots[v]!.0, "failedAt")!)
            callStreamFence()
        }
        emitLoopAsWritten(v, t, end, by: c64(1), stepped: false, at: loc, body)
        streamTile = nil
        copyOut(upTo: end)
        LLVMBuildStore(b, end, start)
        beforeFailure = { [unowned self] in callStreamFence() }
        checkCancelled(at: loc)
        beforeFailure = nil
        LLVMBuildBr(b, head)
        LLVMPositionBuilderAtEnd(b, done)
        callStreamFence()
        LLVMBuildBr(b, join)
        LLVMPositionBuilderAtEnd(b, join)
    }

    /// The store `y[i] = value` of a tile loop: into the tile, at i - (the tile's first index).
    /// (The loop's range lies inside y, checked on entry, so there is no bounds check.)
    func emitTileStore(_ tile: (array: Int, data: LLVMValueRef, first: LLVMValueRef), _ indices: [KernelScalarExpr],
                       _ value: KernelScalarExpr) {
        let index = LLVMBuildSub(b, int(indices[0]), tile.first, "tileindex")!
        let (re, im) = scalar(value)
        helper.storeElement(re, im, k.variables[tile.array].type.dtype, base: tile.data, index: index)
    }

    /// Whether the loop lo..<hi writes y with streaming stores (see the file's comment).
    private func streamingWanted(_ plan: StreamingPlan, _ y: ArrayValue, _ size: Int,
                                 _ lo: LLVMValueRef, _ hi: LLVMValueRef) -> LLVMValueRef {
        func cmp(_ p: LLVMIntPredicate, _ l: LLVMValueRef, _ r: LLVMValueRef) -> LLVMValueRef { LLVMBuildICmp(b, p, l, r, "c")! }
        func and(_ l: LLVMValueRef, _ r: LLVMValueRef) -> LLVMValueRef { LLVMBuildAnd(b, l, r, "and")! }
        func or(_ l: LLVMValueRef, _ r: LLVMValueRef) -> LLVMValueRef { LLVMBuildOr(b, l, r, "or")! }
        func address(_ a: ArrayValue) -> LLVMValueRef { LLVMBuildPtrToInt(b, a.data, i64, "addr")! }
        // The threshold, loaded from the runtime's settings on every entry (volatile: set at any time).
        let (settingsType, settings) = runtimeSettings()
        var index: [LLVMValueRef?] = [c64(0), c64(2)]  // SJ_SETTING_STREAM_BYTES
        let word = LLVMBuildInBoundsGEP2(b, settingsType, settings, &index, 2, "w")!
        let threshold = LLVMBuildLoad2(b, i64, word, "streambytes")!
        LLVMSetVolatile(threshold, 1)
        let count = LLVMBuildSub(b, hi, lo, "count")!
        // count * size >= threshold, without overflow: count > (threshold - 1) / size.
        let enough = cmp(LLVMIntSGT, count, LLVMBuildSDiv(b, LLVMBuildSub(b, threshold, c64(1), "t1"), c64(size), "tq")!)
        let yLow = address(y), yHigh = LLVMBuildAdd(b, yLow, LLVMBuildMul(b, y.shape[0], c64(size), "ybytes"), "yend")!
        let first = LLVMBuildAdd(b, yLow, LLVMBuildMul(b, lo, c64(size), "lobytes"), "first")!
        var ok = and(and(cmp(LLVMIntSGE, lo, c64(0)), cmp(LLVMIntSLE, hi, y.shape[0])), and(enough, cmp(LLVMIntEQ, y.strides[0], c64(1))))
        ok = and(ok, cmp(LLVMIntEQ, LLVMBuildAnd(b, first, c64(63), "misaligned"), c64(0)))
        for r in plan.reads {
            let a = arrays[r]!, aSize = k.variables[r].type.dtype.size
            let aLow = address(a), aHigh = LLVMBuildAdd(b, aLow, LLVMBuildMul(b, a.shape[0], c64(aSize), "abytes"), "aend")!
            var apart = or(cmp(LLVMIntULE, aHigh, yLow), cmp(LLVMIntULE, yHigh, aLow))
            if aSize == size { apart = or(apart, cmp(LLVMIntEQ, aLow, yLow)) }
            ok = and(ok, and(and(cmp(LLVMIntEQ, a.strides[0], c64(1)), cmp(LLVMIntSLE, hi, a.shape[0])), apart))
        }
        return ok
    }

    /// The runtime's settings (runtime_settings.h: `int64_t sj_runtime_settings[3]`), declared
    /// once per module, and their type.
    func runtimeSettings() -> (LLVMTypeRef, LLVMValueRef) {
        let type = LLVMArrayType(i64, 3)!
        return (type, LLVMGetNamedGlobal(module.ref, "sj_runtime_settings") ?? LLVMAddGlobal(module.ref, type, "sj_runtime_settings")!)
    }

    private func callStreamCopy(_ dst: LLVMValueRef, _ src: LLVMValueRef, _ bytes: LLVMValueRef) {
        var ps: [LLVMTypeRef?] = [ptr, ptr, i64]
        let type = LLVMFunctionType(LLVMVoidTypeInContext(ctx), &ps, 3, 0)!
        let f = LLVMGetNamedFunction(module.ref, "sj_stream_copy") ?? LLVMAddFunction(module.ref, "sj_stream_copy", type)!
        var args: [LLVMValueRef?] = [dst, src, bytes]
        LLVMBuildCall2(b, type, f, &args, 3, "")
    }

    private func callStreamFence() {
        let type = LLVMFunctionType(LLVMVoidTypeInContext(ctx), nil, 0, 0)!
        let f = LLVMGetNamedFunction(module.ref, "sj_stream_fence") ?? LLVMAddFunction(module.ref, "sj_stream_fence", type)!
        LLVMBuildCall2(b, type, f, nil, 0, "")
    }
}
