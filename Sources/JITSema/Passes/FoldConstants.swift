/// Pass `fold-constants`: evaluates operations whose operands are all constants, with the
/// semantics of `ScalarSemantics`. It never folds to NaN or -0.0 (whose meaning depends on the
/// math mode), never across a division by zero, and leaves function calls (but integer `maximum`,
/// `minimum` and `abs`, which are exact) and float `//`, `%` and `**` to run time, where libm
/// decides them. A `select` on a constant condition picks its
/// branch.
public func foldConstants(_ f: IRFunction, _ options: PassOptions) -> IRFunction {
    rewrite(f) { b, inst in
        func const_(_ id: ValueID) -> ScalarValue? {
            if case .constant(let c) = b[id].op { return ScalarValue(c) }
            return nil
        }
        func emitFolded(_ v: ScalarValue?) -> ValueID {
            guard let v else { return b.emit(inst) }
            if case .float(let x) = v, x.isNaN || (x == 0 && x.sign == .minus) { return b.emit(inst) }
            return b.constant(v.constant, inst.type)
        }
        switch inst.op {
        case .cast(let a):
            guard let x = const_(a) else { return b.emit(inst) }
            return emitFolded(ScalarSemantics.cast(x, from: b[a].type, to: inst.type))
        case .unary(let u, let a):
            guard let x = const_(a) else { return b.emit(inst) }
            switch (u, x) {
            case (.neg, .int(let v)): return emitFolded(ScalarSemantics.normalize(.int(0 &- v), inst.type))
            case (.neg, .float(let v)): return emitFolded(.float(-v))
            case (.not, .int(let v)): return emitFolded(.int(~v))
            case (.not, .bool(let v)): return emitFolded(.bool(!v))
            default: return b.emit(inst)
            }
        case .binary(let op, let l, let r):
            guard let x = const_(l), let y = const_(r) else { return b.emit(inst) }
            switch (x, y) {
            case (.int(let p), .int(let q)):
                if (op == .floordiv || op == .mod) && q == 0 { return b.emit(inst) }
                return emitFolded(ScalarSemantics.integer(op, p, q, dtype: inst.type).map { .int($0) })
            case (.float(let p), .float(let q)):
                if op == .div && q == 0 { return b.emit(inst) }
                return emitFolded(ScalarSemantics.float(op, p, q, inst.type).map { .float($0) })
            case (.bool(let p), .bool(let q)):
                switch op {
                case .and: return emitFolded(.bool(p && q))
                case .or: return emitFolded(.bool(p || q))
                case .xor: return emitFolded(.bool(p != q))
                default: return b.emit(inst)
                }
            default: return b.emit(inst)
            }
        case .compare(let op, let l, let r):
            guard let x = const_(l), let y = const_(r) else { return b.emit(inst) }
            return emitFolded(.bool(ScalarSemantics.compare(op, x, y, dtype: b[l].type)))
        case .call(let id, let args) where inst.type.isInteger && [BuiltinID.maximum, .minimum, .abs].contains(id):
            // Exact on integers (no libm involved): folded so an integer constant's value is known
            // (a kernel checks a constant stored in a narrower variable by it). uint64 compares
            // as its bit pattern.
            let values = args.compactMap { id -> Int64? in if case .int(let v)? = const_(id) { return v }; return nil }
            guard values.count == args.count, !values.isEmpty else { return b.emit(inst) }
            let order: (Int64, Int64) -> Bool = inst.type == .uint64
                ? { UInt64(bitPattern: $0) < UInt64(bitPattern: $1) } : { $0 < $1 }
            switch id {
            case .maximum: return emitFolded(.int(values.max(by: order)!))
            case .minimum: return emitFolded(.int(values.min(by: order)!))
            default:
                let v = values[0]
                return emitFolded(inst.type.isUnsignedInteger ? .int(v) : ScalarSemantics.normalize(.int(v < 0 ? 0 &- v : v), inst.type))
            }
        case .select(let c, let x, let y):
            if case .bool(let v)? = const_(c) { return v ? x : y }
            return b.emit(inst)
        default:
            return b.emit(inst)
        }
    }
}
