// Collapsing a 2-d elementwise loop nest into one loop, for KernelEmitter (issue 19). In: a serial
// unit-step `for v in lo..<hi` whose body is one `for w in 0..<E` (no step, not parallel) whose
// body is scalar assignments followed by one store `y[v, w] = value`, where every array element
// read is `a[v, w]` of a 2-d array, v and w are used only as those indices, and E reads only
// array extents and variables the nest does not assign. Out: the nest twice, chosen on entry:
//
// - as one loop over k in lo*E ..< hi*E with every `a[v, w]` read as `a.flat[k]`, when every array
//   of the nest has rows of exactly E contiguous elements (strides [E, 1]) and holds the nest's
//   range (0 <= lo, hi <= shape[0], E <= shape[1]);
// - as written, otherwise.
//
// The flat loop visits the same elements in the same order (k = v*E + w), so it computes exactly
// what the nest does, whatever the arrays share, and no index can be out of range. What it saves
// is each row's own loop: its vector loop's entry checks and a scalar remainder per row, or no
// vector loop at all for short rows. Measured (2026-12-06, `out[i, j] = a[i, j] * 2 + 1` repeated
// 3,000 times in one kernel, 1 thread, process time less about 0.22 s of start and compile): 20,000
// x 3 f64 about 0.3 s collapsed against 0.7-1.0 s as a nest, 100 x 100 about 0.07 against 0.12 s,
// LLVM 14 and 19; W9 (`a + trace(tanh(a))`, 100 x 100, which also allocates its result) gained
// 0-8 %, within the machine's noise.
import CLLVM
import JITSema

extension KernelEmitter {
    /// A nest that may run as one loop: the inner loop's variable and end, the arrays it indexes
    /// (each at [v, w]) and its body with those indices rewritten to [v].
    struct CollapsePlan {
        var inner: Int
        var extent: KernelScalarExpr
        var arrays: [Int]
        var body: [KernelStatement]
    }

    /// The plan for `for v in lo..<hi { body }` (see the file's comment), or nil.
    func collapsePlan(_ v: Int, stepped: Bool, _ body: [KernelStatement]) -> CollapsePlan? {
        guard loopPlans, !stepped, body.count == 1,
              case .forLoop(let w, let start, let end, nil, false, let reductions, let inner) = body[0], reductions.isEmpty,
              Self.isZero(start), case .store(let y, let yIndices, _, _)? = inner.last,
              Self.isRowColumn(yIndices, v, w), k.variables[y].type.rank == 2 else { return nil }
        var assigned: Set<Int> = [v, w]
        for s in inner.dropLast() {
            guard case .assign(let x, _) = s else { return nil }
            assigned.insert(x)
        }
        // E is evaluated once for the whole nest: it may not read anything the nest changes.
        guard end.operands.allSatisfy({ op in
            switch op {
            case .extent: return true
            case .variable(let x): return !assigned.contains(x)
            case .element: return false
            }
        }) else { return nil }
        var arrays: Set<Int> = [y]
        /// `e` with every a[v, w] read as a[v]; nil when it reads anything else of v, w or arrays.
        func rewritten(_ e: KernelScalarExpr) -> KernelScalarExpr? {
            var e = e
            for (n, op) in e.operands.enumerated() {
                switch op {
                case .variable(let x):
                    if x == v || x == w { return nil }
                case .extent:
                    break
                case .element(let a, let indices, let loc):
                    guard k.variables[a].type.rank == 2, Self.isRowColumn(indices, v, w) else { return nil }
                    arrays.insert(a)
                    e.operands[n] = .element(array: a, indices: [indices[0]], at: loc)
                }
            }
            return e
        }
        var flat: [KernelStatement] = []
        for s in inner {
            switch s {
            case .assign(let x, let e):
                guard let e = rewritten(e) else { return nil }
                flat.append(.assign(variable: x, e))
            case .store(let a, let indices, let value, let loc):
                guard let value = rewritten(value) else { return nil }
                flat.append(.store(array: a, indices: [indices[0]], value: value, at: loc))
            default:
                return nil
            }
        }
        return CollapsePlan(inner: w, extent: end, arrays: arrays.sorted(), body: flat)
    }

    /// `for v in lo..<hi { for w in 0..<E { ... } }` by `plan`: one flat loop when the run-time
    /// conditions hold, else the nest as written.
    func emitCollapsedFor(_ plan: CollapsePlan, _ v: Int, _ lo: LLVMValueRef, _ hi: LLVMValueRef,
                          at loc: KernelLocation, _ body: [KernelStatement]) {
        func cmp(_ p: LLVMIntPredicate, _ l: LLVMValueRef, _ r: LLVMValueRef) -> LLVMValueRef { LLVMBuildICmp(b, p, l, r, "c")! }
        func and(_ l: LLVMValueRef, _ r: LLVMValueRef) -> LLVMValueRef { LLVMBuildAnd(b, l, r, "and")! }
        // E is read only when the nest runs a row (as the nest reads it), so that an error in it
        // (a division by zero) is raised exactly when the nest would raise it.
        let decide = LLVMAppendBasicBlockInContext(ctx, fn, "collapse")!
        let join = LLVMAppendBasicBlockInContext(ctx, fn, "endcollapse")!
        LLVMBuildCondBr(b, cmp(LLVMIntSLT, lo, hi), decide, join)
        LLVMPositionBuilderAtEnd(b, decide)
        let e = int(plan.extent)
        var ok = and(cmp(LLVMIntSGE, lo, c64(0)), cmp(LLVMIntSGE, e, c64(0)))
        for a in plan.arrays {
            let x = arrays[a]!
            ok = and(ok, and(and(cmp(LLVMIntEQ, x.strides[1], c64(1)), cmp(LLVMIntEQ, x.strides[0], e)),
                             and(cmp(LLVMIntSLE, hi, x.shape[0]), cmp(LLVMIntSLE, e, x.shape[1]))))
        }
        let flat = LLVMAppendBasicBlockInContext(ctx, fn, "collapsed")!
        let plain = LLVMAppendBasicBlockInContext(ctx, fn, "nest")!
        LLVMBuildCondBr(b, ok, flat, plain)
        LLVMPositionBuilderAtEnd(b, plain)
        emitLoopAsWritten(v, lo, hi, by: c64(1), stepped: false, at: loc, body)
        LLVMBuildBr(b, join)

        // Each array as a vector of its rows' elements, for the flat loop only.
        LLVMPositionBuilderAtEnd(b, flat)
        let saved = plan.arrays.map { ($0, arrays[$0]!) }
        for (a, x) in saved {
            arrays[a] = ArrayValue(data: x.data, shape: [LLVMBuildMul(b, x.shape[0], e, "flatn")!], strides: [c64(1)])
        }
        let first = LLVMBuildMul(b, lo, e, "flatlo")!
        emitLoopAsWritten(v, first, LLVMBuildMul(b, hi, e, "flathi")!, by: c64(1), stepped: false, at: loc, plan.body)
        for (a, x) in saved { arrays[a] = x }
        LLVMBuildBr(b, join)
        LLVMPositionBuilderAtEnd(b, join)
    }

    /// Whether `e` is the integer constant 0.
    private static func isZero(_ e: KernelScalarExpr) -> Bool {
        guard e.operands.isEmpty, case .constant(.int(0)) = e.function[e.function.result].op else { return false }
        return true
    }

    /// Whether `indices` are exactly [v, w].
    private static func isRowColumn(_ indices: [KernelScalarExpr], _ v: Int, _ w: Int) -> Bool {
        indices.count == 2 && isVariable(indices[0], v) && isVariable(indices[1], w)
    }
}
