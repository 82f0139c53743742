// KernelChecker, continued: array expressions. In: an expression that names an array, slices one
// or allocates one (zeros, ones, empty, full, *_like); out: a KernelArrayExpr.
import JITSyntax

extension KernelChecker {
    mutating func arrayExpr(_ e: Expr, quiet: Bool) -> KernelArrayExpr? {
        switch e.kind {
        case .name(let n):
            guard let v = lookup(n), variables[v].type.isArray else { return nil }
            return .variable(v)
        case .index(let base, let indices):
            guard indices.contains(where: isSliceIndex),
                  case .name(let n) = base.kind, let v = lookup(n), variables[v].type.isArray else { return nil }
            let rank = variables[v].type.rank
            guard indices.count == rank else {
                bag.error("wrong_index_count", "'\(n)' has \(rank) dimension\(rank == 1 ? "" : "s") but \(indices.count) were indexed", at: e.range)
                return nil
            }
            var parts: [KernelIndex] = []
            for i in indices {
                if case .slice(let lo, let hi) = i.kind {
                    guard let l = scalar(lo, as: .int64), let h = scalar(hi, as: .int64) else { return nil }
                    parts.append(.range(l, h, step: nil))
                } else if case .call("stride", _, _) = i.kind {
                    guard let (lo, hi, by) = strideIndex(i), let l = scalar(lo, as: .int64), let h = scalar(hi, as: .int64), let s = scalar(by, as: .int64) else { return nil }
                    parts.append(.range(l, h, step: s))
                } else {
                    guard let x = index(i) else { return nil }
                    parts.append(.single(x))
                }
            }
            return .view(of: v, parts, at: location(e.range))
        case .call(let name, _, let args) where ["zeros", "ones", "empty", "zeros_like", "ones_like", "empty_like", "full"].contains(name):
            return allocation(name, args, e.range)
        default:
            return nil
        }
    }

    /// zeros(n, m, dtype=f64), ones(...), empty(...), full(n, m, value=x), *_like(a, dtype=...).
    mutating func allocation(_ name: String, _ args: [Expr], _ range: SourceRange) -> KernelArrayExpr? {
        var dtype: DType = .float64
        var fill: Expr?
        var dims: [Expr] = []
        var like: Int?
        for a in args {
            if case .keyword(let label, let value) = a.kind {
                switch label {
                case "dtype":
                    guard case .name(let t) = value.kind, let d = DType(name: t) else {
                        bag.error("unknown_type", "dtype must be a type name such as f64, i64 or bool", at: value.range)
                        return nil
                    }
                    dtype = d
                case "value" where name == "full": fill = value
                default:
                    bag.error("unexpected_keyword", "'\(name)' takes dims and dtype=\(name == "full" ? " and value=" : "")", at: a.range)
                    return nil
                }
            } else {
                dims.append(a)
            }
        }
        if name.hasSuffix("_like") {
            guard dims.count == 1, case .name(let n) = dims[0].kind, let v = lookup(n), variables[v].type.isArray else {
                bag.error("bad_allocation", "'\(name)' takes one array (and optionally dtype=)", at: range)
                return nil
            }
            like = v
            if !args.contains(where: { if case .keyword("dtype", _) = $0.kind { return true }; return false }) {
                dtype = variables[v].type.dtype
            }
        }
        guard like != nil || !dims.isEmpty else {
            bag.error("bad_allocation", "'\(name)' needs at least one dimension", at: range)
            return nil
        }
        let shape: [KernelScalarExpr]
        if let like {
            shape = (0..<variables[like].type.rank).map { axis in
                extentExpr(like, axis, at: range)
            }
        } else {
            let s = dims.compactMap { scalar($0, as: .int64) }
            guard s.count == dims.count else { return nil }
            shape = s
        }
        var contents: KernelFill = name.hasPrefix("empty") ? .uninitialized : .zeros
        if name.hasPrefix("ones") {
            let one = dtype == .bool ? Expr(.boolean(true), range) : Expr(.integer(1), range)
            guard let one = scalar(one, as: dtype) else { return nil }
            contents = .value(one)
        }
        if let fill {
            guard let value = scalar(fill, as: dtype) else { return nil }
            contents = .value(value)
        }
        return .allocate(dtype, shape: shape, fill: contents, at: location(range))
    }

    func extentExpr(_ v: Int, _ axis: Int, at range: SourceRange) -> KernelScalarExpr {
        var b = IRBuilder(parameters: [IRParameter(name: "$0", dtype: .int64, kind: .scalar)])
        let r = b.emit(.argument(0), .int64)
        return KernelScalarExpr(function: b.finish(result: r), operands: [.extent(array: v, axis: axis)],
                                location: location(range))
    }
}
