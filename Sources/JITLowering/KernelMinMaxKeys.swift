// Float min/max reductions in kernel loops (`m = max(m, x[i])`, `m = min(m, abs(x[i] - c))`),
// for KernelEmitter. In: a `for` or `parallel for` body and the math mode; out: the loop with each
// such variable carried as integer accumulators of floats' bits while it runs.
//
// The scalar `max(a, b)` propagates NaN from either side (a select of `a >= b or a is NaN`), and
// no LLVM vectorizes that select as a reduction: LLVM 14 wants no-NaN flags on a float min/max
// (its C API cannot set them, and they would drop NaN), LLVM 19 vectorizes only its own
// NaN-propagating intrinsic, which LLVM 14 does not. So in relaxed and fast mode the loop keeps the
// variable as the three integer min/max accumulators of the expression reductions
// (FloatMinMaxBits.swift), which vectorize on every LLVM: the variable's value before the loop
// goes in as one element, each update takes in the new value's bits, and after the loop the
// accumulators give the float back. Min and max are exact, so only which of two equal zeros comes
// out can differ from the source order (-0.0 orders below 0.0). Strict mode keeps the select in
// source order.
//
// Only innermost loops without early exits and without a step (the loops that get the
// vectorization hint, ReductionLoopHint.swift), and only variables whose every write in the loop
// is such an update and that nothing else in the loop reads.
import CLLVM
import JITSema

/// A float variable a loop reduces with min or max, carried as integer accumulators meanwhile.
struct KeyedMinMax {
    let variable: Int
    let op: ReductionOp
    let dtype: DType
    /// The allocas of the accumulators A, B, C (in the entry block, so mem2reg makes them registers).
    let slots: [LLVMValueRef]
}

enum MinMaxKeys {
    /// The variables of a loop body to carry as keys, with their reduction.
    static func candidates(body: [KernelStatement], hasStep: Bool, kernel: TypedKernel,
                           mode: MathMode) -> [Int: ReductionOp] {
        guard mode != .strict, !hasStep, ReductionLoopHint.isFlat(body) else { return [:] }
        var ops: [Int: ReductionOp] = [:]
        var excluded = Set<Int>()
        visit(body, kernel, ops: &ops, excluded: &excluded)
        return ops.filter { v, _ in
            let t = kernel.variables[v].type
            return !excluded.contains(v) && !t.isArray && t.dtype.isFloat
        }
    }

    private static func visit(_ statements: [KernelStatement], _ kernel: TypedKernel, ops: inout [Int: ReductionOp],
                              excluded: inout Set<Int>) {
        for s in statements {
            switch s {
            case .assign(let v, let e):
                if let op = update(of: v, e), e.type == kernel.variables[v].type.dtype, ops[v] == nil || ops[v] == op {
                    ops[v] = op
                } else {
                    excluded.insert(v)
                    excluded.formUnion(reads(e))
                }
            case .ifElse(let branches, let otherwise):
                for branch in branches {
                    excluded.formUnion(reads(branch.condition))
                    visit(branch.body, kernel, ops: &ops, excluded: &excluded)
                }
                visit(otherwise, kernel, ops: &ops, excluded: &excluded)
            case .sequence(let inner):
                visit(inner, kernel, ops: &ops, excluded: &excluded)
            case .store(_, let indices, let value, _):
                excluded.formUnion(reads(value))
                indices.forEach { excluded.formUnion(reads($0)) }
            case .evaluate(let e), .require(let e, _, _):
                excluded.formUnion(reads(e))
            case .bind(_, let a):
                excluded.formUnion(reads(a))
            case .forLoop, .whileLoop, .breakLoop, .continueLoop, .returnValues:
                continue  // only `continue` passes isFlat
            }
        }
    }

    /// The reduction `e` performs on `v` when it is `maximum(v, other)` or `minimum(v, other)`
    /// (either order) of v's dtype, reading v nowhere else.
    static func update(of v: Int, _ e: KernelScalarExpr) -> ReductionOp? {
        let f = e.function
        guard let (op, _) = split(v, e), f.resultType.isFloat else { return nil }
        // v's operands are read once in all, by the result call; the others do not read v.
        let mine = Set(e.operands.indices.filter { e.operands[$0] == .variable(v) })
        let uses = f.instructions.reduce(0) { n, inst in
            n + inst.op.operands.filter { id in
                if case .argument(let k) = f[id].op { return mine.contains(k) }
                return false
            }.count
        }
        let elsewhere = e.operands.indices.contains { !mine.contains($0) && reads(e.operands[$0]).contains(v) }
        return uses == 1 && !elsewhere ? op : nil
    }

    /// For `maximum(a, b)` / `minimum(a, b)` as the last instruction, with one of a and b an
    /// argument bound to `v`: the reduction and the other operand.
    static func split(_ v: Int, _ e: KernelScalarExpr) -> (ReductionOp, ValueID)? {
        let f = e.function
        guard Int(f.result.index) == f.instructions.count - 1,
              case .call(let builtin, let args) = f[f.result].op, args.count == 2,
              builtin == .maximum || builtin == .minimum else { return nil }
        func isV(_ id: ValueID) -> Bool {
            if case .argument(let k) = f[id].op { return e.operands[k] == .variable(v) }
            return false
        }
        let op: ReductionOp = builtin == .maximum ? .max : .min
        if isV(args[0]) && !isV(args[1]) { return (op, args[1]) }
        if isV(args[1]) && !isV(args[0]) { return (op, args[0]) }
        return nil
    }

    static func reads(_ e: KernelScalarExpr) -> Set<Int> {
        e.operands.reduce(into: Set<Int>()) { $0.formUnion(reads($1)) }
    }

    static func reads(_ o: KernelOperand) -> Set<Int> {
        switch o {
        case .variable(let v): return [v]
        case .element(_, let indices, _): return indices.reduce(into: Set<Int>()) { $0.formUnion(reads($1)) }
        case .extent: return []
        }
    }

    static func reads(_ a: KernelArrayExpr) -> Set<Int> {
        var all = Set<Int>()
        switch a {
        case .variable: break
        case .view(_, let indices, _):
            for index in indices {
                switch index {
                case .single(let e): all.formUnion(reads(e))
                case .range(let lo, let hi, let step):
                    all.formUnion(reads(lo))
                    all.formUnion(reads(hi))
                    if let step { all.formUnion(reads(step)) }
                }
            }
        case .allocate(_, let shape, let fill, _):
            shape.forEach { all.formUnion(reads($0)) }
            if case .value(let e) = fill { all.formUnion(reads(e)) }
        }
        return all
    }
}

extension KernelEmitter {
    /// Before a loop: the accumulators of the variables the loop reduces with min/max (see above),
    /// each variable's value taken in as their first element.
    func beginKeyedMinMax(body: [KernelStatement], hasStep: Bool) -> [KeyedMinMax] {
        let found = MinMaxKeys.candidates(body: body, hasStep: hasStep, kernel: k, mode: options.mathMode)
        return found.keys.sorted().map { v in
            let t = k.variables[v].type.dtype
            let name = k.variables[v].name
            let value = LLVMBuildLoad2(b, helper.valueType(t), slots[v]!.0, "mm")!
            let bits = helper.floatBits(value, t)
            let accs = ["a", "b", "c"].map { entryAlloca(helper.floatBitsType(t), "\(name).mm.\($0)") }
            for slot in accs { LLVMBuildStore(b, bits, slot) }
            let keyed = KeyedMinMax(variable: v, op: found[v]!, dtype: t, slots: accs)
            keyedMinMax[v] = keyed
            return keyed
        }
    }

    /// After the loop (at its exit): each variable back from its accumulators.
    func endKeyedMinMax(_ keyed: [KeyedMinMax]) {
        for kv in keyed {
            let accs = kv.slots.map { LLVMBuildLoad2(b, helper.floatBitsType(kv.dtype), $0, "mmacc")! }
            LLVMBuildStore(b, helper.floatMinMaxResult(kv.op, accs, kv.dtype), slots[kv.variable]!.0)
            keyedMinMax[kv.variable] = nil
        }
    }

    /// `v = max(v, other)` (or min) on v's accumulators.
    func emitKeyedUpdate(_ kv: KeyedMinMax, _ e: KernelScalarExpr) {
        let (_, other) = MinMaxKeys.split(kv.variable, e)!
        let em = scalarEmitter(e, count: Int(e.function.result.index))  // all but the result
        // A loaded element is frozen, so that it stays a float load: otherwise instcombine loads it
        // as an integer through a cast pointer, and LLVM 14's loop vectorizer then no longer assumes
        // a unit stride for `x[i]` and gathers (freeze itself costs no instruction).
        var value = em.values[Int(other.index)]!
        if LLVMIsALoadInst(value) != nil { value = LLVMBuildFreeze(b, value, "mmel")! }
        var signClear = false
        if case .call(.abs, let args) = e.function[other].op, e.function[args[0]].type.isFloat { signClear = true }
        let bitsType = helper.floatBitsType(kv.dtype)
        let accs = kv.slots.map { LLVMBuildLoad2(b, bitsType, $0, "mmacc")! }
        let next = helper.floatMinMaxUpdate(kv.op, accs, helper.floatBits(value, kv.dtype), signClear: signClear)
        for (slot, v) in zip(kv.slots, next) { LLVMBuildStore(b, v, slot) }
    }
}
