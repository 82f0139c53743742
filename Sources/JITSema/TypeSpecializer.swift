// TypeSpecializer: AST + the concrete argument signature -> typed IR.
//
// In: an `Expr` from JITSyntax and the dtype/rank of every argument. Out: an `IRFunction` in
// which every value has a dtype and every conversion is an explicit `cast`, or a
// `DiagnosticError` listing every name, arity and type error found (with "did you mean" notes).
// Promotion follows NEP 50 (see Promotion.swift). Weak literal subtrees are computed in int64 /
// float64 and cast where they meet a strong operand; constant folding removes those casts.
import JITSyntax

/// Specializes expressions for argument signatures.
public struct TypeSpecializer {
    private let source: SourceText
    private let signature: Signature
    var builder: IRBuilder
    var bag = DiagnosticBag()
    private var callSite = 0

    /// A typed value during specialization. `literal` is set for a weak integer constant (a
    /// literal, or arithmetic on literals), so a literal that does not fit the type it meets can be
    /// reported. `constant` is the value of any integer known at compile time, weak or strong
    /// (`abs(-3)`, `max(1, 2) * 4`, `i8(5)`): arithmetic on two constants is computed exactly, and
    /// a result outside its type is an error, not a wrap (see `foldConstant`).
    struct Typed {
        var id: ValueID
        var type: SemaType
        var literal: Int64?
        var constant: Int64?

        init(id: ValueID, type: SemaType, literal: Int64? = nil, constant: Int64? = nil) {
            self.id = id
            self.type = type
            self.literal = literal
            self.constant = constant ?? literal
        }
    }

    private init(source: SourceText, signature: Signature) {
        self.source = source
        self.signature = signature
        builder = IRBuilder(parameters: zip(signature.names, signature.types).map {
            IRParameter(name: $0, dtype: $1.dtype, kind: $1.parameterKind)
        })
    }

    /// The typed IR of `expr` for `signature`; throws `DiagnosticError` on any error.
    /// `output` is the type of an `out=` array when there is one: the result is cast to its dtype
    /// (the caller has checked the casting rule) and written with its layout.
    public static func specialize(_ expr: Expr, source: SourceText, signature: Signature,
                                  output: ArgumentType? = nil, reduction: ReductionOp? = nil) throws -> IRFunction {
        var s = TypeSpecializer(source: source, signature: signature)
        let top = s.visit(expr)
        if s.bag.hasErrors || top == nil {
            throw DiagnosticError(source: source, diagnostics: s.bag.diagnostics)
        }
        var result = s.materialize(top!, to: top!.type.dtype, at: expr.range)
        if let output { result = s.builder.cast(result, to: output.dtype) }
        if let reduction {
            let t = s.builder[result].type
            if t.isComplex && (reduction == .min || reduction == .max) {
                throw DiagnosticError(source: source, diagnostics: [Diagnostic(
                    "complex_unsupported", "'\(reduction.rawValue)' is not defined for complex values", at: expr.range)])
            }
            result = s.builder.cast(result, to: reduction.accumulator(for: t))
        }
        let kind: ParameterKind = output.map { $0.rank > 0 && !$0.contiguous ? .strided : .contiguous } ?? .contiguous
        var f = s.builder.finish(result: result, resultKind: kind)
        f.reduction = reduction
        return f
    }

    /// The result dtype of `expr` for `signature` without building IR for later stages.
    public static func resultType(_ expr: Expr, source: SourceText, signature: Signature) throws -> DType {
        try specialize(expr, source: source, signature: signature).resultType
    }

    /// The names an expression reads, sorted: the parameters of its compiled form.
    public static func freeNames(_ expr: Expr) -> [String] {
        var names = Set<String>()
        func walk(_ e: Expr) {
            switch e.kind {
            case .name(let n) where n != "True" && n != "False": names.insert(n)
            case .unary(_, let a), .member(let a, _): walk(a)
            case .binary(_, let a, let b): walk(a); walk(b)
            case .call(_, _, let args): args.forEach(walk)
            case .keyword(_, let v): walk(v)
            default: break
            }
        }
        walk(expr)
        return names.sorted()
    }

    // MARK: values

    mutating func materialize(_ v: Typed, to dtype: DType, at range: SourceRange) -> ValueID {
        if let lit = v.literal, let bounds = dtype.integerRange, !bounds.contains(lit) {
            bag.error("literal_out_of_range", "integer literal \(lit) is out of bounds for \(dtype.rawValue)", at: range)
        }
        return builder.cast(v.id, to: dtype)
    }

    mutating func typeError(_ id: String, _ message: String, at range: SourceRange,
                                    notes: [DiagnosticNote] = []) -> Typed? {
        bag.error(id, message, at: range, notes: notes)
        return nil
    }

    private mutating func visit(_ e: Expr) -> Typed? {
        switch e.kind {
        case .integer(let v):
            return Typed(id: builder.constant(.int(v), .int64), type: SemaType(.int64, weak: true), literal: v)
        case .float(let v):
            return Typed(id: builder.constant(.float(v), .float64), type: SemaType(.float64, weak: true))
        case .boolean(let b):
            return Typed(id: builder.constant(.bool(b), .bool), type: SemaType(.bool))
        case .imaginary(let v):
            return Typed(id: builder.constant(.complex(0, v), .complex128), type: SemaType(.complex128, weak: true))
        case .none:
            return typeError("none_value", "'None' is only allowed as axis=None in a reduction", at: e.range)
        case .member(let base, let name) where name == "real" || name == "imag":
            // NumPy's attribute spelling: z.real, z.imag (also of real values: x and 0).
            guard let v = visit(base) else { return nil }
            return part(name == "real" ? .real : .imag, v)
        case .member(let base, let name):
            _ = visit(base)
            return typeError("unknown_attribute", "unknown attribute '\(name)'; values have .real and .imag", at: e.range)
        case .index, .slice, .stridedSlice, .ellipsis:
            return typeError("kernel_only", "indexing and attributes are only available inside kernels", at: e.range)
        case .keyword(let name, _):
            return typeError("unexpected_keyword", "keyword argument '\(name)=' is only allowed in sum, prod, min and max",
                             at: e.range)
        case .name(let n):
            return visitName(n, at: e.range)
        case .unary(let op, let a):
            guard let v = visit(a) else { return nil }
            guard var result = visitUnary(op, v, at: e.range) else { return nil }
            if op == .negate, let c = v.constant, result.type.dtype.isInteger {
                // -(2**63 - 1 + 1) and -u8(3) have no value in their type.
                let (n, overflow) = Int64(0).subtractingReportingOverflow(c)
                guard !overflow, result.type.dtype.integerRange?.contains(n) == true else {
                    return constantOverflow(result.type.dtype, at: e.range)
                }
                result.constant = n
                result.literal = result.type.weak ? n : nil
            }
            return result
        case .binary(let op, let a, let b):
            let l = visit(a), r = visit(b)
            guard let l, let r else { return nil }
            guard var result = visitBinary(op, l, r, e, a, b) else { return nil }
            guard foldConstant(op, l, r, into: &result, at: e.range) else { return nil }
            return result
        case .call(let name, let nameRange, let args):
            guard var v = visitCall(name, nameRange, args, at: e.range) else { return nil }
            // NEP 50: a NumPy function of Python scalars gives a NumPy scalar, which is strong
            // (`x_f32 + cos(3)` is float64); Python's complex() and the parts stay weak. Its
            // value, when known, stays known: `1099511627776 * max(-1, 2147483648)` overflows at
            // compile time as `2**63` does.
            if let fn = Builtins.lookup(name), fn.typing != .makeComplex && fn.typing != .part {
                v.type.weak = false
                v.literal = nil
            }
            return v
        }
    }

    /// Integer constants are computed exactly: `l op r` of two known integers gets its value, and
    /// a value outside the result's type is an error, not a wrap (as in Swift: `2**63`,
    /// `abs(2**40) * abs(2**40)`, `i8(100) + 100`). False after reporting an overflow.
    private mutating func foldConstant(_ op: BinaryOperator, _ l: Typed, _ r: Typed, into result: inout Typed,
                                       at range: SourceRange) -> Bool {
        let dtype = result.type.dtype
        guard let p = l.constant, let q = r.constant, dtype.isInteger, let bounds = dtype.integerRange else { return true }
        switch ConstantArithmetic.evaluate(op, p, q) {
        case .value(let v) where bounds.contains(v):
            result.constant = v
            result.literal = result.type.weak ? v : nil
        case .overflow where dtype == .uint64 && p >= 0 && q >= 0:
            break  // above int64 but maybe within uint64: left to run time
        case .value, .overflow:
            _ = constantOverflow(dtype, at: range)
            return false
        case .unknown:
            break
        }
        return true
    }

    private mutating func constantOverflow(_ dtype: DType = .int64, at range: SourceRange) -> Typed? {
        let notes = dtype == .int64
            ? [DiagnosticNote("integer literals compute in 64 bits; write a float (2.0**63) for a float result")]
            : [DiagnosticNote("constants compute exactly; convert an operand to a wider type for a wider result")]
        return typeError("constant_overflow", "integer constant expression overflows \(dtype.rawValue)", at: range, notes: notes)
    }

    private mutating func visitName(_ n: String, at range: SourceRange) -> Typed? {
        if let index = signature.names.firstIndex(of: n) {
            let p = builder.parameters[index]
            return Typed(id: builder.emit(.argument(index), p.dtype), type: SemaType(p.dtype))
        }
        if Builtins.lookup(n) != nil {
            return typeError("function_as_value", "'\(n)' is a function; call it as \(n)(...)", at: range)
        }
        var notes: [DiagnosticNote] = []
        if let s = NameSuggestion.closest(to: n, in: signature.names) { notes.append(DiagnosticNote("did you mean '\(s)'?")) }
        let known = signature.names.isEmpty ? "no variables are defined" : "variables: \(signature.names.joined(separator: ", "))"
        notes.append(DiagnosticNote(known))
        return typeError("unknown_variable", "unknown variable '\(n)'", at: range, notes: notes)
    }

    private mutating func visitUnary(_ op: UnaryOperator, _ v: Typed, at range: SourceRange) -> Typed? {
        let t = v.type
        switch op {
        case .plus:
            if t.dtype.isBool { return typeError("bool_unsupported", "unary '+' is not supported for bool", at: range) }
            return v
        case .negate:
            if t.dtype.isBool {
                return typeError("bool_unsupported", "unary '-' is not supported for bool; use '~'", at: range)
            }
            return Typed(id: builder.emit(.unary(.neg, v.id), t.dtype), type: t,
                         literal: v.literal.map { 0 &- $0 })
        case .invert:
            if t.dtype.isFloat || t.dtype.isComplex {
                return typeError("float_unsupported", "'~' needs bool or integer operands, not \(t.dtype.rawValue)",
                                 at: range)
            }
            let inverted = v.constant.flatMap { c in t.dtype.isInteger && t.dtype != .uint64 ? ScalarSemantics.wrap(~c, t.dtype) : nil }
            return Typed(id: builder.emit(.unary(.not, v.id), t.dtype), type: t,
                         literal: t.weak ? inverted : nil, constant: inverted)
        }
    }

    private mutating func visitBinary(_ op: BinaryOperator, _ l: Typed, _ r: Typed,
                                      _ e: Expr, _ a: Expr, _ b: Expr) -> Typed? {
        let t = Promotion.promote(l.type, r.type)
        let range = e.range
        func operands(_ dtype: DType) -> (ValueID, ValueID) {
            (materialize(l, to: dtype, at: a.range), materialize(r, to: dtype, at: b.range))
        }
        let bothTypes = "\(l.type.dtype.rawValue) and \(r.type.dtype.rawValue)"
        if t.dtype.isComplex && !(op.isComparison || op == .add || op == .subtract
                                  || op == .multiply || op == .divide || op == .power) {
            let what = op.isComparison ? "ordering comparisons are" : "'\(op.rawValue)' is"
            return typeError("complex_unsupported", "\(what) not defined for complex numbers (\(bothTypes))", at: range)
        }
        if op.isComparison {
            // NumPy 2 compares an integer array with an out-of-range Python int exactly
            // (uint8 == 256 is all False): compare in a type that holds both.
            var compareType = t.dtype
            for lit in [l.literal, r.literal].compactMap({ $0 }) where t.dtype.isInteger
                && !(t.dtype.integerRange?.contains(lit) ?? true) {
                compareType = t.dtype == .uint64 ? .float64 : .int64
            }
            let cmp: CompareOp = [.less: .lt, .lessEqual: .le, .equal: .eq, .notEqual: .ne,
                                  .greaterEqual: .ge, .greater: .gt][op]!
            if compareType == .float64, !l.type.weak, !r.type.weak,
               (l.type.dtype.isSignedInteger && r.type.dtype == .uint64) || (l.type.dtype == .uint64 && r.type.dtype.isSignedInteger) {
                return Typed(id: signedUnsignedCompare(cmp, l, r, signedOnLeft: l.type.dtype.isSignedInteger), type: SemaType(.bool))
            }
            let (x, y) = operands(compareType)
            if compareType.isComplex && cmp != .eq && cmp != .ne {
                return Typed(id: complexOrder(cmp, x, y, compareType), type: SemaType(.bool))
            }
            return Typed(id: builder.emit(.compare(cmp, x, y), .bool), type: SemaType(.bool))
        }
        switch op {
        case .add, .multiply:
            let (x, y) = operands(t.dtype)
            let bop: BinaryOp = t.dtype.isBool ? (op == .add ? .or : .and) : (op == .add ? .add : .mul)
            return Typed(id: builder.emit(.binary(bop, x, y), t.dtype), type: t)
        case .subtract:
            if t.dtype.isBool {
                return typeError("bool_unsupported", "'-' is not supported for bool operands; use '^'", at: range)
            }
            let (x, y) = operands(t.dtype)
            return Typed(id: builder.emit(.binary(.sub, x, y), t.dtype), type: t)
        case .divide:
            let rt = Promotion.floatResult(t)
            let (x, y) = operands(rt.dtype)
            return Typed(id: builder.emit(.binary(.div, x, y), rt.dtype), type: rt)
        case .floorDivide, .modulo, .power, .shiftLeft, .shiftRight:
            if t.dtype.isBool {
                return typeError("bool_unsupported", "'\(op.rawValue)' is not supported for bool operands (\(bothTypes))",
                                 at: range)
            }
            if (op == .shiftLeft || op == .shiftRight) && t.dtype.isFloat {
                return typeError("float_unsupported", "'\(op.rawValue)' needs integer operands, not \(bothTypes)", at: range)
            }
            if op == .power, t.weak, t.dtype.isInteger, let lit = r.literal, lit < 0 {
                // Python: an int to a negative int power is a float (2 ** -1 == 0.5), weak.
                let (x, y) = operands(.float64)
                return Typed(id: builder.emit(.binary(.pow, x, y), .float64), type: SemaType(.float64, weak: true))
            }
            if op == .power, t.dtype.isInteger, let lit = r.literal, lit < 0, !(r.type.weak && t.dtype.isUnsignedInteger) {
                return typeError("negative_integer_power", "integers to negative integer powers are not allowed",
                                 at: b.range, notes: [DiagnosticNote("write a float exponent, e.g. \(lit).0")])
            }
            let (x, y) = operands(t.dtype)
            let bop: BinaryOp = [.floorDivide: .floordiv, .modulo: .mod, .power: .pow,
                                 .shiftLeft: .shl, .shiftRight: .shr][op]!
            return Typed(id: builder.emit(.binary(bop, x, y), t.dtype), type: t)
        case .bitAnd, .bitOr, .bitXor:
            if t.dtype.isFloat {
                return typeError("float_unsupported", "'\(op.rawValue)' needs bool or integer operands, not \(bothTypes)",
                                 at: range)
            }
            let (x, y) = operands(t.dtype)
            let bop: BinaryOp = [.bitAnd: .and, .bitOr: .or, .bitXor: .xor][op]!
            return Typed(id: builder.emit(.binary(bop, x, y), t.dtype), type: t)
        default:
            return nil
        }
    }

    /// A signed integer compared with a uint64, exactly as NumPy 2 does (their common type,
    /// float64, would round both above 2^53: uint64 2^63+1 > int64 2^63-1 must hold). A negative
    /// signed value is below every uint64; otherwise both compare as uint64.
    private mutating func signedUnsignedCompare(_ op: CompareOp, _ l: Typed, _ r: Typed, signedOnLeft: Bool) -> ValueID {
        let (s, u) = signedOnLeft ? (l, r) : (r, l)
        let signed = builder.cast(s.id, to: .int64)
        let negative = builder.emit(.compare(.lt, signed, builder.constant(.int(0), .int64)), .bool)
        let asUnsigned = builder.cast(signed, to: .uint64)
        let unsigned = builder.emit(.compare(op, signedOnLeft ? asUnsigned : u.id, signedOnLeft ? u.id : asUnsigned), .bool)
        // With the signed value below: signed < u, so <, <= and != hold on its left; >, >= and != on its right.
        let below: Set<CompareOp> = signedOnLeft ? [.lt, .le, .ne] : [.gt, .ge, .ne]
        return builder.emit(.select(negative, builder.constant(.bool(below.contains(op)), .bool), unsigned), .bool)
    }

    private mutating func visitCall(_ name: String, _ nameRange: SourceRange, _ args: [Expr],
                                    at range: SourceRange) -> Typed? {
        guard let fn = Builtins.lookup(name) else {
            args.forEach { _ = visit($0) }
            var notes: [DiagnosticNote] = []
            if let s = NameSuggestion.closest(to: name, in: Builtins.all.map(\.name)) {
                notes.append(DiagnosticNote("did you mean '\(s)'?"))
            }
            if signature.names.contains(name) {
                return typeError("not_a_function", "'\(name)' is a variable, not a function", at: nameRange)
            }
            return typeError("unknown_function", "unknown function '\(name)'", at: nameRange, notes: notes)
        }
        let name = fn.name  // aliases (atan) become the canonical name (arctan)
        if fn.typing == .reduction {
            return typeError("misplaced_reduction", "'\(name)' must be lifted before specialization", at: range)
        }
        let typed = args.map { visit($0) }
        guard args.count == fn.arity else {
            return typeError("wrong_argument_count",
                             "'\(name)' takes \(fn.arity) argument\(fn.arity == 1 ? "" : "s"), but \(args.count) \(args.count == 1 ? "was" : "were") given",
                             at: range)
        }
        guard typed.allSatisfy({ $0 != nil }) else { return nil }
        let vs = typed.map { $0! }
        if vs.contains(where: { $0.type.dtype.isComplex }) && !fn.acceptsComplex {
            return typeError("complex_unsupported", "'\(name)' is not defined for complex arguments", at: range)
        }
        switch fn.typing {
        case .floatUnary:
            let t = Promotion.floatResult(vs[0].type)
            let x = materialize(vs[0], to: t.dtype, at: args[0].range)
            return Typed(id: builder.emit(.call(fn.id, [x]), t.dtype), type: t)
        case .floatBinary:
            let t = Promotion.floatResult(Promotion.promote(vs[0].type, vs[1].type))
            let x = materialize(vs[0], to: t.dtype, at: args[0].range)
            let y = materialize(vs[1], to: t.dtype, at: args[1].range)
            return Typed(id: builder.emit(.call(fn.id, [x, y]), t.dtype), type: t)
        case .sameUnary where vs[0].type.dtype.isComplex && fn.id == .round:
            return complexRound(vs[0])
        case .sameUnary where vs[0].type.dtype.isComplex && fn.id == .sign:
            return complexSign(vs[0])
        case .sameUnary where vs[0].type.dtype.isComplex:
            // abs of a complex value is its modulus, a float of the same precision.
            let t = SemaType(vs[0].type.dtype.realPart, weak: vs[0].type.weak)
            return Typed(id: builder.emit(.call(fn.id, [vs[0].id]), t.dtype), type: t)
        case .sameUnary:
            let t = vs[0].type
            if t.dtype.isBool && !fn.acceptsBool {
                return typeError("bool_unsupported", "'\(name)' does not accept bool arguments", at: range)
            }
            // Rounding is the identity on integers and bools, and so is abs on bools and unsigned.
            if !t.dtype.isFloat && (fn.id != .abs && fn.id != .sign || t.dtype.isBool
                                    || (fn.id == .abs && t.dtype.isUnsignedInteger)) { return vs[0] }
            // abs of an integer constant is a constant; abs(i8(-128)) has no value in int8.
            var constant: Int64?
            if fn.id == .abs, let c = vs[0].constant {
                guard c != .min, t.dtype.integerRange?.contains(Swift.abs(c)) == true else {
                    return constantOverflow(t.dtype, at: range)
                }
                constant = Swift.abs(c)
            }
            return Typed(id: builder.emit(.call(fn.id, [vs[0].id]), t.dtype), type: t, constant: constant)
        case .sameBinary:
            let t = Promotion.promote(vs[0].type, vs[1].type)
            if t.dtype.isBool && !fn.acceptsBool {
                return typeError("bool_unsupported", "'\(name)' does not accept bool arguments", at: range)
            }
            let x = materialize(vs[0], to: t.dtype, at: args[0].range)
            let y = materialize(vs[1], to: t.dtype, at: args[1].range)
            var constant: Int64?
            if t.dtype.isInteger, let p = vs[0].constant, let q = vs[1].constant, fn.id == .maximum || fn.id == .minimum {
                constant = fn.id == .maximum ? max(p, q) : min(p, q)
            }
            return Typed(id: builder.emit(.call(fn.id, [x, y]), t.dtype), type: t, constant: constant)
        case .predicate:
            let v = vs[0]
            if v.type.dtype.isFloat || v.type.dtype.isComplex {
                return Typed(id: builder.emit(.call(fn.id, [v.id]), .bool), type: SemaType(.bool))
            }
            // Integers and bools are never NaN or infinite; only negative integers have the sign bit.
            if fn.id == .signbit && v.type.dtype.isSignedInteger {
                let zero = builder.constant(.int(0), v.type.dtype)
                return Typed(id: builder.emit(.compare(.lt, v.id, zero), .bool), type: SemaType(.bool))
            }
            let answer = fn.id == .isfinite
            return Typed(id: builder.constant(.bool(answer), .bool), type: SemaType(.bool))
        case .select:
            let condition = materialize(vs[0], to: .bool, at: args[0].range)
            let t = Promotion.promote(vs[1].type, vs[2].type)
            let x = materialize(vs[1], to: t.dtype, at: args[1].range)
            let y = materialize(vs[2], to: t.dtype, at: args[2].range)
            return Typed(id: builder.emit(.select(condition, x, y), t.dtype), type: t)
        case .part:
            return part(fn.id, vs[0])
        case .conjugate:
            let v = vs[0]
            guard v.type.dtype.isComplex else { return v }
            return Typed(id: builder.emit(.call(fn.id, [v.id]), v.type.dtype), type: v.type)
        case .makeComplex:
            let part = Promotion.floatResult(Promotion.promote(vs[0].type, vs[1].type))
            let x = materialize(vs[0], to: part.dtype, at: args[0].range)
            let y = materialize(vs[1], to: part.dtype, at: args[1].range)
            let t = SemaType(part.dtype.complexOf, weak: part.weak)
            return Typed(id: builder.emit(.call(fn.id, [x, y]), t.dtype), type: t)
        case .conversion(let d):
            // An explicit conversion of a known integer wraps, as a cast does (i8(abs(300)) is 44).
            let constant = vs[0].constant.flatMap { c in
                vs[0].type.dtype.isInteger && d.isInteger && (d != .uint64 || c >= 0) ? ScalarSemantics.wrap(c, d) : nil
            }
            return Typed(id: materialize(vs[0], to: d, at: args[0].range), type: SemaType(d), constant: constant)
        case .reduction:
            return nil
        case .expansion:
            // BuiltinExpansion rewrites these (with their arity) before typing.
            return typeError("unexpanded_builtin", "'\(name)' cannot be used here", at: range)
        case .random:
            // A hidden per-call-site operand keeps hash-consing from merging two calls.
            callSite += 1
            let site = builder.constant(.int(Int64(callSite)), .int64)
            if name == "seed" {
                let n = materialize(vs[0], to: .int64, at: args[0].range)
                return Typed(id: builder.emit(.call(fn.id, [n, site]), .bool), type: SemaType(.bool))
            }
            let xs = vs.enumerated().map { materialize($0.element, to: .float64, at: args[$0.offset].range) }
            return Typed(id: builder.emit(.call(fn.id, xs + [site]), .float64), type: SemaType(.float64))
        }
    }
}
