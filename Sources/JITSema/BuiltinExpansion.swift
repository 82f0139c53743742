// BuiltinExpansion: NumPy's everyday names that are other builtins and operators in disguise.
// `clip(x, lo, hi)` is `minimum(maximum(x, lo), hi)`, `mod(a, b)` is `a % b` (NumPy's sign rule:
// the divisor's sign), `deg2rad(x)` is `x * (pi/180)` as NumPy computes it, and `pi`, `e`, `inf`,
// `nan` are float literals (weak, as Python floats). The rewrite runs on the AST before typing,
// in expressions (CompiledExpression) and in kernel scalar expressions (KernelChecker), so
// these names need no typing or lowering of their own: their rows in the builtin table have the
// `.expansion` typing rule. (mean, var and std are reductions: see ReductionLifting.)
import JITSyntax

public enum BuiltinExpansion {
    /// Named constants, as NumPy's `np.pi`, `np.e`, `np.inf`, `np.nan`, `np.euler_gamma`.
    public static let constants: [String: Double] = [
        "pi": Double.pi, "e": 2.718281828459045235360287471352662498, "inf": .infinity, "nan": .nan,
        "euler_gamma": 0.5772156649015329,
    ]

    /// Whether a kernel helper may take `fn`'s name (the names this file and the statistics add).
    public static func helperMayShadow(_ fn: Builtin) -> Bool {
        fn.typing == .expansion || fn.statistic
    }

    /// `expr` with every expansion applied (bottom-up). Constant names in `keeping` stay
    /// variables; `constants` is false where the names are resolved elsewhere (kernels bind them
    /// before, so locals may shadow them).
    public static func expand(_ e: Expr, constants useConstants: Bool = true, keeping: Set<String> = []) -> Expr {
        func visit(_ e: Expr) -> Expr {
            switch e.kind {
            case .name(let n) where useConstants && !keeping.contains(n):
                return constants[n].map { Expr(.float($0), e.range) } ?? e
            case .unary(let op, let a): return Expr(.unary(op, visit(a)), e.range)
            case .binary(let op, let a, let b): return Expr(.binary(op, visit(a), visit(b)), e.range)
            case .keyword(let name, let v): return Expr(.keyword(name: name, value: visit(v)), e.range)
            case .member(let a, let name): return Expr(.member(visit(a), name), e.range)
            case .index(let a, let indices): return Expr(.index(visit(a), indices.map(visit)), e.range)
            case .call(let name, let nameRange, let arguments):
                let args = arguments.map(visit)
                return expandCall(name, nameRange, args, e.range)
                    ?? Expr(.call(name: name, nameRange: nameRange, arguments: args), e.range)
            default: return e
            }
        }
        return visit(e)
    }

    /// The expansion of one call with already expanded arguments, or nil when it is not one (a
    /// wrong argument count is left for the type specializer to report against the table).
    static func expandCall(_ name: String, _ nameRange: SourceRange, _ args: [Expr], _ range: SourceRange) -> Expr? {
        guard let fn = Builtins.lookup(name), fn.typing == .expansion, args.count == fn.arity,
              !args.contains(where: { if case .keyword = $0.kind { return true }; return false }) else { return nil }
        func call(_ f: String, _ xs: [Expr]) -> Expr { Expr(.call(name: f, nameRange: nameRange, arguments: xs), range) }
        func binary(_ op: BinaryOperator, _ a: Expr, _ b: Expr) -> Expr { Expr(.binary(op, a, b), range) }
        func float(_ v: Double) -> Expr { Expr(.float(v), range) }
        if let op = fn.binaryOperator { return binary(op, args[0], args[1]) }  // the row says which
        switch fn.name {
        case "clip": return call("minimum", [call("maximum", [args[0], args[1]]), args[2]])
        case "deg2rad": return binary(.multiply, args[0], float(Double.pi / 180))
        case "rad2deg": return binary(.multiply, args[0], float(180 / Double.pi))
        case "square": return binary(.power, args[0], Expr(.integer(2), range))
        case "negative": return Expr(.unary(.negate, args[0]), range)
        case "positive": return Expr(.unary(.plus, args[0]), range)
        case "logical_not": return Expr(.unary(.invert, call("bool", [args[0]])), range)
        case "logical_and": return binary(.bitAnd, call("bool", [args[0]]), call("bool", [args[1]]))
        case "logical_or": return binary(.bitOr, call("bool", [args[0]]), call("bool", [args[1]]))
        case "logical_xor": return binary(.bitXor, call("bool", [args[0]]), call("bool", [args[1]]))
        default: return nil
        }
    }
}
