// ReductionLifting: AST -> a program of reduction steps and a final elementwise expression.
//
// `sum prod min max` may appear anywhere (`x - sum(x)/n`). Each reduction is lifted out, innermost
// first, and replaced by a synthetic variable (`sum#0`, a name no user can write) bound to its
// result. Each step's argument is itself elementwise, so it is fused into the reduction loop (no
// temporary array), and the final expression reads the reduced values like any other argument.
// Identical reductions are computed once.
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
                guard let op = ReductionOp(rawValue: name) else {
                    return Expr(.call(name: name, nameRange: nameRange, arguments: args.map(visit)), e.range)
                }
                var positional: [Expr] = []
                var axisExpr: Expr?
                for a in args {
                    if case .keyword(let label, let v) = a.kind {
                        if label == "axis", axisExpr == nil { axisExpr = v } else {
                            bag.error("unexpected_keyword", "'\(name)' takes only 'axis=' as keyword argument", at: a.range)
                        }
                    } else {
                        positional.append(a)
                    }
                }
                if positional.count == 2, axisExpr == nil { axisExpr = positional.removeLast() }
                guard positional.count == 1 else {
                    bag.error("wrong_argument_count", "'\(name)' takes one array argument and an optional axis", at: e.range)
                    return Expr(.integer(0), e.range)
                }
                var axis: Int?
                if let a = axisExpr {
                    switch a.kind {
                    case .none: axis = nil
                    case .integer(let v): axis = Int(v)
                    case .unary(.negate, let inner):
                        if case .integer(let v) = inner.kind { axis = -Int(v) } else { fallthrough }
                    default:
                        bag.error("bad_axis", "axis must be an integer literal or None", at: a.range)
                    }
                }
                let argument = visit(positional[0])
                if let existing = steps.first(where: { $0.op == op && $0.axis == axis && $0.argument.description == argument.description }) {
                    return Expr(.name(existing.name), e.range)
                }
                let step = ReductionStep(name: "\(name)#\(steps.count)", op: op, axis: axis, argument: argument, range: e.range)
                steps.append(step)
                return Expr(.name(step.name), e.range)
            default:
                return e
            }
        }
        let final = visit(expr)
        if bag.hasErrors { throw DiagnosticError(source: source, diagnostics: bag.diagnostics) }
        return ReductionProgram(steps: steps, final: final)
    }
}
