// Kernel indexing with NumPy's meaning, for KernelEmitter. In: index values and an axis extent;
// out: the element offset along the axis (a single index) or a view's offset, extent and stride (a
// slice). A negative index counts from the end once (x[-1] is the last element) and is then
// bounds-checked (unless checks are off); slice bounds count from the end and are clipped to the
// axis, so a slice never leaves its array; a slice step may be negative and a zero step is an
// error.
import CLLVM
import JITSema

extension KernelEmitter {
    /// The offset along an axis for index expression `e`. The variable of an enclosing unit-step
    /// loop, used as the index itself, is only checked against 0..<n (a negative value is an
    /// out-of-range error, not wrapped): its values form an arithmetic sequence, so LLVM can move
    /// the check out of the loop and the loop vectorizes with contiguous loads, which the select
    /// of the wrap would prevent. Every other index wraps once from the end (NumPy).
    func axisIndex(_ e: KernelScalarExpr, extent n: LLVMValueRef, axis: Int, at loc: KernelLocation) -> LLVMValueRef {
        let i = int(e)
        guard e.operands.count == 1, case .variable(let v) = e.operands[0], countingUp.contains(v),
              case .argument(0) = e.function[e.function.result].op else {
            return wrappedIndex(i, extent: n, axis: axis, at: loc)
        }
        if options.boundsChecks {
            if let hoisted = hoistedChecks[v], hoisted.covers(n) { return i }  // checked before the loop
            check(LLVMBuildICmp(b, LLVMIntUGE, i, n, "oob")!, code: 1, at: loc, axis: axis, index: i, bound: n)
        }
        return i
    }

    /// `i`, plus `n` when negative; checked against `0..<n` when bounds checks are on (the error
    /// reports the index as written).
    func wrappedIndex(_ i: LLVMValueRef, extent n: LLVMValueRef, axis: Int, at loc: KernelLocation) -> LLVMValueRef {
        let negative = LLVMBuildICmp(b, LLVMIntSLT, i, c64(0), "neg")
        let wrapped = LLVMBuildSelect(b, negative, LLVMBuildAdd(b, i, n, "wrap"), i, "idx")!
        if options.boundsChecks {
            check(LLVMBuildICmp(b, LLVMIntUGE, wrapped, n, "oob")!, code: 1, at: loc, axis: axis, index: i, bound: n)
        }
        return wrapped
    }

    /// A slice `lo..<hi` (step nil) or `stride(from: lo, to: hi, by: step)` of an axis of extent
    /// `n`: the first element's index, the number of elements and the step (Python's
    /// `slice.indices`).
    func sliceBounds(_ lo: LLVMValueRef, _ hi: LLVMValueRef, step: LLVMValueRef?, extent n: LLVMValueRef,
                     at loc: KernelLocation) -> (first: LLVMValueRef, count: LLVMValueRef, step: LLVMValueRef) {
        func select(_ c: LLVMValueRef, _ x: LLVMValueRef, _ y: LLVMValueRef) -> LLVMValueRef { LLVMBuildSelect(b, c, x, y, "sel")! }
        func less(_ x: LLVMValueRef, _ y: LLVMValueRef) -> LLVMValueRef { LLVMBuildICmp(b, LLVMIntSLT, x, y, "lt")! }
        /// v + n when negative, then clipped to [low, high].
        func clip(_ v: LLVMValueRef, _ low: LLVMValueRef, _ high: LLVMValueRef) -> LLVMValueRef {
            let w = select(less(v, c64(0)), LLVMBuildAdd(b, v, n, "w")!, v)
            return select(less(w, low), low, select(less(high, w), high, w))
        }
        guard let step else {
            let l = clip(lo, c64(0), n), h = clip(hi, c64(0), n)
            let count = select(less(l, h), LLVMBuildSub(b, h, l, "cnt")!, c64(0))
            return (l, count, c64(1))
        }
        check(LLVMBuildICmp(b, LLVMIntEQ, step, c64(0), "zstep")!, code: 3, at: loc, index: step)
        let up = less(c64(0), step)
        let minusOne = c64(-1), last = LLVMBuildSub(b, n, c64(1), "last")!
        let low = select(up, c64(0), minusOne), high = select(up, n, last)
        let l = clip(lo, low, high), h = clip(hi, low, high)
        let span = select(up, LLVMBuildSub(b, h, l, "d")!, LLVMBuildSub(b, l, h, "d")!)
        let magnitude = select(up, step, LLVMBuildSub(b, c64(0), step, "m")!)
        let rounded = LLVMBuildSDiv(b, LLVMBuildSub(b, LLVMBuildAdd(b, span, magnitude, "s")!, c64(1), "s1")!, magnitude, "q")!
        let count = select(less(c64(0), span), rounded, c64(0))
        // An empty slice starts at 0, so its data pointer stays inside the array.
        let first = select(less(c64(0), count), l, c64(0))
        return (first, count, step)
    }
}
