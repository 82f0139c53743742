// KernelChecker, continued: scalar expressions. In: an expression; out: a KernelScalarExpr, the
// expression rewritten so that what it reads (scalar variables, array elements, extents) are
// parameters `$0, $1, ...`, specialized by TypeSpecializer and run through the IR pipeline.
import JITSyntax

extension KernelChecker {
    mutating func index(_ e: Expr) -> KernelScalarExpr? {
        guard let x = scalar(e) else { return nil }
        guard x.type.isInteger || x.type.isBool else {
            bag.error("index_type", "array indices must be integers, not \(x.type.rawValue)", at: e.range)
            return nil
        }
        return x.type == .int64 ? x : scalar(e, as: .int64)
    }

    mutating func unknownName(_ name: String, at range: SourceRange) {
        var notes: [DiagnosticNote] = []
        if let s = NameSuggestion.closest(to: name, in: visibleNames()) { notes.append(DiagnosticNote("did you mean '\(s)'?")) }
        bag.error("unknown_variable", "unknown variable '\(name)'", at: range, notes: notes)
    }

    /// A scalar expression, converted to `dtype` when given (an assignment's or a condition's).
    mutating func scalar(_ e: Expr, as dtype: DType? = nil, assigning: String? = nil, truth: Bool = false) -> KernelScalarExpr? {
        var operands: [KernelOperand] = []
        var types: [DType] = []
        var ok = true
        func bind(_ op: KernelOperand, _ t: DType) -> String {
            if let i = operands.firstIndex(of: op) { return "$\(i)" }
            operands.append(op)
            types.append(t)
            return "$\(operands.count - 1)"
        }
        func rewrite(_ e: Expr) -> Expr {
            switch e.kind {
            case .name(let n):
                guard let v = lookup(n) else {
                    if let c = KernelChecker.constants[n] { return Expr(.float(c), e.range) }
                    if Builtins.lookup(n) == nil { unknownName(n, at: e.range); ok = false }
                    return e
                }
                if variables[v].type.isArray {
                    bag.error("array_as_scalar", "'\(n)' is an array; index it (\(n)[i]) to read an element", at: e.range)
                    ok = false
                    return e
                }
                if untyped.contains(v) {
                    ok = false  // its declaration was reported
                    return e
                }
                return Expr(.name(bind(.variable(v), variables[v].type.dtype)), e.range)
            case .index(let base, let indices):
                if case .member(let arr, "shape") = base.kind, case .name(let n) = arr.kind, let v = lookup(n),
                   variables[v].type.isArray, indices.count == 1, case .integer(let k) = indices[0].kind {
                    guard k >= 0 && Int(k) < variables[v].type.rank else {
                        bag.error("bad_axis", "'\(n)' has \(variables[v].type.rank) dimensions; shape[\(k)] does not exist", at: e.range)
                        ok = false
                        return e
                    }
                    return Expr(.name(bind(.extent(array: v, axis: Int(k)), .int64)), e.range)
                }
                guard case .name(let n) = base.kind, let v = lookup(n), variables[v].type.isArray else {
                    notIndexable(base)
                    ok = false
                    return e
                }
                let rank = variables[v].type.rank
                guard indices.count == rank else {
                    bag.error("wrong_index_count", "'\(n)' has \(rank) dimension\(rank == 1 ? "" : "s") but \(indices.count) ind\(indices.count == 1 ? "ex was" : "ices were") given", at: e.range)
                    ok = false
                    return e
                }
                if indices.contains(where: isSliceIndex) {
                    bag.error("slice_in_expression", "a slice makes an array; bind it with 'let' before using its elements", at: e.range)
                    ok = false
                    return e
                }
                let idx = indices.compactMap { index($0) }
                guard idx.count == rank else { ok = false; return e }
                return Expr(.name(bind(.element(array: v, indices: idx, at: location(e.range)), variables[v].type.dtype)), e.range)
            case .member(let base, let name) where name == "real" || name == "imag":
                return Expr(.member(rewrite(base), name), e.range)  // z.real: TypeSpecializer
            case .member(_, let name):
                bag.error("unknown_attribute", "unknown attribute '\(name)' (arrays have .shape[k])", at: e.range)
                ok = false
                return e
            case .call("len", _, let args):
                // len of a whole-array expression (`len(a * a)`, from a helper) is its arrays' length.
                let n: String? = args.count != 1 ? nil : { if case .name(let n) = args[0].kind { return n }; return wholeArrays(args[0]).first }()
                guard let n, let v = lookup(n), variables[v].type.isArray else {
                    bag.error("bad_len", "len takes one array", at: e.range)
                    ok = false
                    return e
                }
                return Expr(.name(bind(.extent(array: v, axis: 0), .int64)), e.range)
            case .call(let name, let nameRange, let args):
                if (name == "min" || name == "max") && args.count == 2 {
                    return Expr(.call(name: name == "min" ? "minimum" : "maximum", nameRange: nameRange,
                                      arguments: args.map(rewrite)), e.range)
                }
                if let helper = module.declaration(name), helper.isHelper {
                    guard let body = inline(helper, args, e.range) else { ok = false; return e }
                    inlineDepth += 1
                    inlining.append(helper.name)
                    defer { inlineDepth -= 1; inlining.removeLast() }
                    return rewrite(body)
                }
                return Expr(.call(name: name, nameRange: nameRange, arguments: args.map(rewrite)), e.range)
            case .unary(let op, let a): return Expr(.unary(op, rewrite(a)), e.range)
            case .binary(let op, let a, let b): return Expr(.binary(op, rewrite(a), rewrite(b)), e.range)
            case .keyword(let n, let v): return Expr(.keyword(name: n, value: rewrite(v)), e.range)
            case .slice:
                bag.error("slice_in_expression", "'..<' is only allowed inside an index or a for loop", at: e.range)
                ok = false
                return e
            default: return e
            }
        }
        let rewritten = BuiltinExpansion.expand(rewrite(e), constants: false)
        guard ok else { return nil }
        let signature = Signature(types.enumerated().map { ("$\($0.offset)", ArgumentType.scalar($0.element)) })
        do {
            var f = try TypeSpecializer.specialize(rewritten, source: source, signature: signature)
            if let dtype, f.resultType != dtype {
                // Conditions take any value's truth; other values follow the one assignability rule.
                if !truth, let refusal = storeRefusal(f, into: dtype) {
                    report(refusal, f.resultType, into: dtype, assigning, at: e.range)
                    return nil
                }
                f = try TypeSpecializer.specialize(rewritten, source: source, signature: signature,
                                                   output: ArgumentType.scalar(dtype))
            }
            f = Pipeline.run(f, options: options)
            return KernelScalarExpr(function: f, operands: operands, location: location(e.range))
        } catch let d as DiagnosticError {
            for diagnostic in d.diagnostics { bag.report(diagnostic) }
            return nil
        } catch {
            return nil
        }
    }
}
