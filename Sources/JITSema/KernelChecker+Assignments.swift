// KernelChecker, continued: assignments and returns. In: an assignment target and value, or the
// returned values; out: typed stores, assignments and returns, with the kernel's one assignability
// rule (KernelChecker+Rules.swift) and the reductions a parallel loop performs on outer variables.
import JITSyntax

extension KernelChecker {
    mutating func assignment(_ target: AssignTarget, _ op: BinaryOperator?, _ value: Expr,
                                     _ range: SourceRange) -> KernelStatement? {
        switch target {
        case .variable(let name):
            guard let v = lookup(name) else {
                unknownName(name, at: range)
                return nil
            }
            let variable = variables[v]
            if variable.type.isArray {
                bag.error("assign_array", "'\(name)' is an array; assign to its elements (\(name)[i] = ...)", at: range)
                return nil
            }
            if !variable.mutable {
                bag.error("assign_constant", "cannot assign to '\(name)': it is a 'let' constant or a parameter",
                          at: range, notes: [DiagnosticNote("declare it with 'var' to change it")])
                return nil
            }
            if untyped.contains(v) {
                _ = scalar(value)  // errors of its own only
                return nil
            }
            let rhs = op.map { Expr(.binary($0, Expr(.name(name), range), value), range) } ?? value
            if let loop = parallelLoops.last, scopes[..<loop.outerScopes].contains(where: { $0[name] == v }) {
                // A write to a variable from outside the parallel loop: only reductions are allowed.
                let reduction = detectReduction(name, op, value)
                guard let reduction else {
                    bag.error("shared_write", "'\(name)' is shared by the iterations of a parallel loop; only reductions ('\(name) += ...', '\(name) *= ...', '\(name) = min(\(name), ...)', '\(name) = max(\(name), ...)') may update it",
                              at: range)
                    return nil
                }
                // Every enclosing parallel loop that the variable is outside of reduces it.
                for l in parallelLoops.indices where scopes[..<parallelLoops[l].outerScopes].contains(where: { $0[name] == v })
                    && !parallelLoops[l].reductions.contains(where: { $0.variable == v }) {
                    parallelLoops[l].reductions.append(KernelLoopReduction(variable: v, op: reduction))
                }
            }
            guard let e = scalar(rhs, as: variable.type.dtype, assigning: name) else { return nil }
            return .assign(variable: v, e)
        case .element(let target):
            guard case .index(let base, let indices) = target.kind, case .name(let name) = base.kind,
                  let v = lookup(name), variables[v].type.isArray else {
                if case .index(let base, _) = target.kind, case .name(let name) = base.kind, lookup(name) == nil {
                    unknownName(name, at: base.range)
                } else {
                    bag.error("bad_assignment_target", "only elements of array variables can be assigned to", at: target.range)
                }
                return nil
            }
            let rank = variables[v].type.rank
            guard indices.count == rank else {
                bag.error("wrong_index_count", "'\(name)' has \(rank) dimension\(rank == 1 ? "" : "s") but \(indices.count) ind\(indices.count == 1 ? "ex was" : "ices were") given",
                          at: target.range)
                return nil
            }
            let idx = indices.compactMap { index($0) }
            let rhs = op.map { Expr(.binary($0, target, value), range) } ?? value
            guard idx.count == rank, let e = scalar(rhs, as: variables[v].type.dtype, assigning: "\(name)[...]") else { return nil }
            return .store(array: v, indices: idx, value: e, at: location(target.range))
        }
    }

    /// `s += e`, `s *= e`, `s = min(s, e)`, `s = max(s, e)` on an outer variable.
    func detectReduction(_ name: String, _ op: BinaryOperator?, _ value: Expr) -> ReductionOp? {
        if op == .add { return .sum }
        if op == .multiply { return .prod }
        if op == nil, case .call(let f, _, let args) = value.kind, Builtins.lookup(f)?.pairwise != nil, args.count == 2,
           args.contains(where: { $0.kind == .name(name) }) {
            return ReductionOp(rawValue: f)
        }
        return nil
    }

    mutating func returnStatement(_ values: [Expr], _ range: SourceRange) -> KernelStatement? {
        var returns: [KernelReturn] = []
        var types: [KernelType] = []
        for v in values {
            if let a = arrayExpr(v, quiet: true) {
                returns.append(.array(a))
                types.append(arrayType(a))
            } else if let e = scalar(v) {
                returns.append(.scalar(e))
                types.append(.scalar(e.type))
            } else {
                return nil
            }
        }
        if let declared = returnTypes {
            guard declared.count == types.count else {
                bag.error("return_count", "the kernel returns \(declared.count) value\(declared.count == 1 ? "" : "s"), but this returns \(types.count)", at: range)
                return nil
            }
            for (i, (want, got)) in zip(declared, types).enumerated() where want != got {
                if case .scalar(let w) = want, case .scalar(let g) = got, case .scalar(let value) = returns[i] {
                    switch storeRefusal(value.function, into: w) {
                    case nil:
                        returns[i] = .scalar(converted(value, to: w))
                        continue
                    case .outOfRange(let refusal)?:
                        // `-> u8 { return 300 }` wrapped to 44 before (found by scripts/kernel_diff.py).
                        report(.outOfRange(refusal), g, into: w, nil, at: values[i].range)
                        continue
                    case .lossy?:
                        break
                    }
                }
                let hint = want.isArray || got.isArray ? [] : [DiagnosticNote(Promotion.conversionHint(to: want.dtype))]
                bag.error("return_type", "returns \(got) where the kernel's return type says \(want)", at: values[i].range, notes: hint)
            }
        } else {
            returnTypes = types
        }
        return .returnValues(returns)
    }

    func castResult(_ f: IRFunction, to dtype: DType) -> IRFunction {
        var b = IRBuilder(parameters: f.parameters)
        var map: [ValueID] = []
        for inst in f.instructions {
            let m: (ValueID) -> ValueID = { map[Int($0.index)] }
            var op = inst.op
            switch op {
            case .cast(let a): op = .cast(m(a))
            case .unary(let u, let a): op = .unary(u, m(a))
            case .binary(let o, let x, let y): op = .binary(o, m(x), m(y))
            case .compare(let o, let x, let y): op = .compare(o, m(x), m(y))
            case .call(let id, let args): op = .call(id, args.map(m))
            case .select(let c, let x, let y): op = .select(m(c), m(x), m(y))
            default: break
            }
            map.append(b.emit(IRInstruction(op, inst.type)))
        }
        // Cast first: `b.finish(result: b.cast(...))` would finish a copy of `b` taken before the cast.
        let result = b.cast(map[Int(f.result.index)], to: dtype)
        return b.finish(result: result)
    }
}
