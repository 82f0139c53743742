// ReductionLifting: AST -> a program of reduction steps and a final elementwise expression.
//
// `sum prod min max` may appear anywhere (`x - sum(x)/n`). Each reduction is lifted out, innermost
// first, and replaced by a synthetic variable (`sum#0`, a name no user can write) bound to its
// result. Each step's argument is itself elementwise, so it is fused into the reduction loop (no
// temporary array), and the final expression reads the reduced values like any other argument.
// Identical reductions are computed once.
//
// `mean var std` become sums divided by a count: `mean(x)` is `sum#0 / count#0`, where the step
// binds `count#0` to the number of elements it reduced (minus `ddof`), as a 0-d array of the
// sum's real float type (float32 for float32 and complex64 sums, else float64), so the quotient
// has NumPy's type (float64 for integers, else x's). `var(x)` sums `real(d * conj(d))` with
// `d = x - mean(x)`, the mean kept with its reduced axis (keepdims) so it broadcasts against x;
// `std` is the square root of `var`.
import JITSyntax

/// One lifted reduction.
public struct ReductionStep: Hashable, Sendable {
    /// The synthetic variable the result is bound to.
    public var name: String
    public var op: ReductionOp
    /// The axis (negative counts from the end), or nil for all axes.
    public var axis: Int?
    /// The elementwise expression reduced (reductions inside it are earlier steps).
    public var argument: Expr
    /// Where the call is in the source.
    public var range: SourceRange
    /// Whether the result keeps the reduced axis with extent 1 (NumPy's keepdims), so it
    /// broadcasts against the array it reduced.
    public var keepDims = false
    /// A variable to bind to the number of elements reduced minus `ddof` (mean, var, std).
    public var count: String?
    /// NumPy's delta degrees of freedom, subtracted from the count.
    public var ddof = 0

    /// The real float type of the count of a reduction whose result is `dtype`.
    public static func countType(_ dtype: DType) -> DType {
        dtype == .float32 || dtype == .complex64 ? .float32 : .float64
    }
}

/// Reductions to compute in order, then the elementwise expression that reads them.
public struct ReductionProgram: Sendable {
    public var steps: [ReductionStep]
    public var final: Expr
}

public enum ReductionLifting {
    /// Lifts every reduction out of `expr`; throws `DiagnosticError` for malformed reductions.
    public static func lift(_ expr: Expr, source: SourceText) throws -> ReductionProgram {
        var steps: [ReductionStep] = []
        var bag = DiagnosticBag()
        func visit(_ e: Expr) -> Expr {
            switch e.kind {
            case .unary(let op, let a): return Expr(.unary(op, visit(a)), e.range)
            case .member(let a, let name): return Expr(.member(visit(a), name), e.range)
            case .binary(let op, let a, let b): return Expr(.binary(op, visit(a), visit(b)), e.range)
            case .keyword(let name, let v): return Expr(.keyword(name: name, value: visit(v)), e.range)
            case .call(let name, let nameRange, let args):
                let statistic = Builtins.lookup(name)?.statistic == true
                guard let op = ReductionOp(rawValue: name) ?? (statistic ? .sum : nil) else {
                    return Expr(.call(name: name, nameRange: nameRange, arguments: args.map(visit)), e.range)
                }
                let keywords = name == "var" || name == "std" ? ["axis", "ddof"] : ["axis"]
                var positional: [Expr] = []
                var keywordValues: [String: Expr] = [:]
                for a in args {
                    if case .keyword(let label, let v) = a.kind {
                        if keywords.contains(label), keywordValues[label] == nil { keywordValues[label] = v } else {
                            let allowed = keywords.map { "'\($0)='" }.joined(separator: " and ")
                            bag.error("unexpected_keyword", "'\(name)' takes only \(allowed) as keyword argument\(keywords.count == 1 ? "" : "s")", at: a.range)
                        }
                    } else {
                        positional.append(a)
                    }
                }
                for k in keywords where positional.count > 1 && keywordValues[k] == nil {
                    keywordValues[k] = positional.remove(at: 1)
                }
                guard positional.count == 1 else {
                    let what = keywords.count == 1 ? "an optional axis" : "an optional axis and ddof"
                    bag.error("wrong_argument_count", "'\(name)' takes one array argument and \(what)", at: e.range)
                    return Expr(.integer(0), e.range)
                }
                var axis: Int?
                if let a = keywordValues["axis"] {
                    switch a.kind {
                    case .none: axis = nil
                    default:
                        if let v = integerLiteral(a) { axis = v } else {
                            bag.error("bad_axis", "axis must be an integer literal or None", at: a.range)
                        }
                    }
                }
                var ddof = 0
                if let d = keywordValues["ddof"] {
                    if let v = integerLiteral(d), v >= 0 { ddof = v } else {
                        bag.error("bad_ddof", "ddof must be a non-negative integer literal", at: d.range)
                    }
                }
                let argument = visit(positional[0])
                func lifted(_ argument: Expr, keepDims: Bool = false, counted: Bool = false, ddof: Int = 0) -> (Expr, Expr?) {
                    if let existing = steps.first(where: { $0.op == op && $0.axis == axis && $0.keepDims == keepDims
                                                           && ($0.count != nil) == counted && $0.ddof == ddof
                                                           && $0.argument.description == argument.description }) {
                        return (Expr(.name(existing.name), e.range), existing.count.map { Expr(.name($0), e.range) })
                    }
                    let k = steps.count
                    var step = ReductionStep(name: "\(op.rawValue)#\(k)", op: op, axis: axis, argument: argument, range: e.range)
                    step.keepDims = keepDims
                    step.ddof = ddof
                    step.count = counted ? "count#\(k)" : nil
                    steps.append(step)
                    return (Expr(.name(step.name), e.range), step.count.map { Expr(.name($0), e.range) })
                }
                func divide(_ a: Expr, _ b: Expr?) -> Expr { Expr(.binary(.divide, a, b!), e.range) }
                func call(_ f: String, _ xs: [Expr]) -> Expr { Expr(.call(name: f, nameRange: nameRange, arguments: xs), e.range) }
                switch name {
                case "mean":
                    let (total, count) = lifted(argument, counted: true)
                    return divide(total, count)
                case "var", "std":
                    let (total, count) = lifted(argument, keepDims: axis != nil, counted: true)
                    let d = Expr(.binary(.subtract, argument, divide(total, count)), e.range)
                    let squares = call("real", [Expr(.binary(.multiply, d, call("conj", [d])), e.range)])
                    let (sum, n) = lifted(squares, counted: true, ddof: ddof)
                    return name == "var" ? divide(sum, n) : call("sqrt", [divide(sum, n)])
                default:
                    return lifted(argument).0
                }
            default:
                return e
            }
        }
        let final = visit(expr)
        if bag.hasErrors { throw DiagnosticError(source: source, diagnostics: bag.diagnostics) }
        return ReductionProgram(steps: steps, final: final)
    }

    /// `3` or `-1` as an Int.
    private static func integerLiteral(_ a: Expr) -> Int? {
        switch a.kind {
        case .integer(let v): return Int(exactly: v)
        case .unary(.negate, let inner): if case .integer(let v) = inner.kind { return Int(exactly: v).map { -$0 } }
        default: break
        }
        return nil
    }
}
