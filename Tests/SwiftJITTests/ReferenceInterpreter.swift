// The differential fuzzer's reference: a plain Swift evaluator over typed IR (before any pass),
// one element at a time, that also carries a first-order error bound for every float value.
//
// Every operation is evaluated at its operands' values and at the corners of their error
// intervals; the spread of those results plus the operation's own allowance (the bounds of
// Cases/differential/README.md for the math mode) is the result's bound. An operation whose
// result jumps inside that interval (comparisons, floor, //, casts to integers, NaN appearing)
// makes the element "unstable": it is not compared, since either answer would be right.
import Foundation
import JITSema

struct RefValue {
    var value: ScalarValue
    /// Absolute error bound (floats); 0 for integers and bools.
    var error: Double = 0
    /// The element depends on a value that is not determined within the bounds.
    var unstable = false
    /// A NaN, infinity or subnormal appeared on the way (fast mode skips such elements).
    var special = false
    /// Some integer `//` or `%` had a zero divisor (an error in kernels, 0 in expressions; fmod gives 0 in both).
    var integerDivisionByZero = false
}

struct ReferenceInterpreter {
    let function: IRFunction
    let mode: MathMode

    /// Allowance in ulps of the result for one operation, per class and math mode.
    func ulps(_ kind: String) -> Double {
        if mode == .fast { return 32 }
        switch kind {
        case "exact": return mode == .strict ? 0 : 2  // relaxed reassociates (x/s*c -> x*c/s)
        case "powconst": return mode == .strict ? 2 : 8
        default: return 4  // transcendental
        }
    }

    static let discontinuous: Set<String> = ["ceil", "floor", "trunc", "round", "sign", "fmod", "copysign",
                                             "nextafter", "isnan", "isinf", "isfinite", "signbit"]

    /// Evaluates the function for one element; `arguments` holds each parameter's value there.
    func run(_ arguments: [ScalarValue]) -> RefValue? {
        var values: [RefValue] = []
        var divisionByZero = false
        values.reserveCapacity(function.instructions.count)
        for inst in function.instructions {
            let t = inst.type
            let v: RefValue?
            switch inst.op {
            case .argument(let n): v = mark(RefValue(value: arguments[n]))
            case .constant(let c): v = RefValue(value: ScalarValue(c))
            case .cast(let a):
                let from = function[a].type
                v = apply([values[Int(a.index)]], t, kind: "exact", jumps: !t.isFloat) {
                    ScalarSemantics.cast($0[0], from: from, to: t)
                }
            case .unary(let op, let a):
                v = apply([values[Int(a.index)]], t, kind: "exact", jumps: false) { x in
                    switch (op, x[0]) {
                    case (.neg, .float(let f)): return .float(-f)
                    case (.neg, .int(let i)): return .int(ScalarSemantics.wrap(0 &- i, t))
                    case (.not, .bool(let b)): return .bool(!b)
                    case (.not, .int(let i)): return .int(ScalarSemantics.wrap(~i, t))
                    default: return nil
                    }
                }
            case .binary(.pow, let a, let b) where t.isFloat && isConstant(b, 0.5):
                // `x**0.5` is sqrt(x), as in NumPy's array power (so (-inf)**0.5 is NaN, not pow's +inf).
                v = call("sqrt", [values[Int(a.index)]], t)
            case .binary(let op, let a, let b):
                let operands = [values[Int(a.index)], values[Int(b.index)]]
                v = binary(op, operands, t)
            case .compare(let op, let a, let b):
                let operandType = function[a].type
                v = apply([values[Int(a.index)], values[Int(b.index)]], t, kind: "exact", jumps: true) {
                    .bool(ScalarSemantics.compare(op, $0[0], $0[1], dtype: operandType))
                }
            case .select(let c, let a, let b):
                let cond = values[Int(c.index)]
                guard case .bool(let which) = cond.value else { return nil }
                var chosen = values[Int((which ? a : b).index)]
                chosen.unstable = chosen.unstable || cond.unstable
                chosen.special = chosen.special || cond.special
                v = chosen
            case .call(let name, let args):
                v = call(name.name, args.map { values[Int($0.index)] }, t)
            }
            guard let v else { return nil }
            values.append(v)
            switch inst.op {
            case .binary(.floordiv, _, let b), .binary(.mod, _, let b):
                if !t.isFloat, values[Int(b.index)].value == .int(0) { divisionByZero = true }
            default: break
            }
        }
        var result = values[Int(function.result.index)]
        result.integerDivisionByZero = divisionByZero
        return result
    }

    /// Whether `id` is the constant `c` (possibly cast, as a weak literal is before folding).
    func isConstant(_ id: ValueID, _ c: Double) -> Bool {
        switch function[id].op {
        case .constant(.float(let x)): return x == c
        case .cast(let a): return isConstant(a, c)
        default: return false
        }
    }

    func binary(_ op: BinaryOp, _ x: [RefValue], _ t: DType) -> RefValue? {
        if t.isFloat {
            let jumps = op == .floordiv || op == .mod
            let kind = op == .pow ? "transcendental" : "exact"
            var r = apply(x, t, kind: kind, jumps: jumps) { v in
                let (a, b) = (v[0].asDouble, v[1].asDouble)
                let r: Double
                switch op {
                case .add: r = a + b
                case .sub: r = a - b
                case .mul: r = a * b
                case .div: r = a / b
                case .pow: r = Foundation.pow(a, b)
                case .floordiv, .mod:
                    guard b != 0, a.isFinite, b.isFinite else { return nil }
                    let (q, m) = Self.divmod(a, b)
                    r = op == .floordiv ? q : m
                default: return nil
                }
                return .float(t == .float32 ? Double(Float(r)) : r)
            }
            // relaxed and fast may contract a*b+c into an FMA and reassociate sums: allow one
            // rounding of the largest operand of every + and - (the README's `rtol·scale`).
            // |round(round(a*b) + c) - round(a*b + c)| <= ulp(a*b)/2 + ulp(result): within the
            // README's composite bound (8 ulp or rtol·scale) and much tighter.
            if var rr = r, mode != .strict, op == .add || op == .sub {
                let scale = x.map { abs($0.value.asDouble) + $0.error }.max() ?? 0
                let result = abs(rr.value.asDouble)
                rr.error += scale * (t == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne)
                if result.isFinite { rr.error += t == .float32 ? Double(Float(result).ulp) : result.ulp }
                r = rr
            }
            return r
        }
        return apply(x, t, kind: "exact", jumps: false) { v in
            switch (v[0], v[1]) {
            case (.int(let a), .int(let b)): return ScalarSemantics.integer(op, a, b, dtype: t).map { .int($0) }
            case (.bool(let a), .bool(let b)):
                switch op {
                case .and, .mul: return .bool(a && b)
                case .or, .add: return .bool(a || b)
                case .xor: return .bool(a != b)
                default: return nil
                }
            default: return nil
            }
        }
    }

    func call(_ name: String, _ x: [RefValue], _ t: DType) -> RefValue? {
        if x.contains(where: { !$0.value.isFloat }) {
            return apply(x, t, kind: "exact", jumps: true) { v in Self.integerCall(name, v, t) }
        }
        let kind = Self.discontinuous.contains(name) ? "exact"
            : ["abs", "maximum", "minimum"].contains(name) ? "exact" : "transcendental"
        return apply(x, t, kind: kind, jumps: Self.discontinuous.contains(name)) { v in
            let a = v[0].asDouble, b = v.count > 1 ? v[1].asDouble : 0
            guard let r = Self.floatFunction(name, a, b) else { return nil }
            if case .bool = r { return r }
            return .float(t == .float32 ? Double(Float(r.asDouble)) : r.asDouble)
        }
    }

    static func floatFunction(_ name: String, _ a: Double, _ b: Double) -> ScalarValue? {
        let r: Double
        switch name {
        case "sin": r = sin(a)
        case "cos": r = cos(a)
        case "tan": r = tan(a)
        case "arcsin": r = asin(a)
        case "arccos": r = acos(a)
        case "arctan": r = atan(a)
        case "arctan2": r = atan2(a, b)
        case "sinh": r = sinh(a)
        case "cosh": r = cosh(a)
        case "tanh": r = tanh(a)
        case "arcsinh": r = asinh(a)
        case "arccosh": r = acosh(a)
        case "arctanh": r = atanh(a)
        case "exp": r = exp(a)
        case "expm1": r = expm1(a)
        case "exp2": r = exp2(a)
        case "exp10": r = pow(10, a)
        case "log": r = log(a)
        case "log1p": r = log1p(a)
        case "log2": r = log2(a)
        case "log10": r = log10(a)
        case "sqrt": r = sqrt(a)
        case "cbrt": r = cbrt(a)
        case "erf": r = erf(a)
        case "erfc": r = erfc(a)
        case "abs": r = abs(a)
        case "ceil": r = ceil(a)
        case "floor": r = floor(a)
        case "trunc": r = trunc(a)
        case "round": r = a.rounded(.toNearestOrEven)
        case "sign": r = a.isNaN ? a : a > 0 ? 1 : a < 0 ? -1 : 0
        case "fmod": r = fmod(a, b)
        case "hypot": r = hypot(a, b)
        case "maximum": r = a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
        case "minimum": r = a.isNaN || b.isNaN ? .nan : Swift.min(a, b)
        case "copysign": r = copysign(a, b)
        case "nextafter": r = nextafter(a, b)
        case "isnan": return .bool(a.isNaN)
        case "isinf": return .bool(a.isInfinite)
        case "isfinite": return .bool(a.isFinite)
        case "signbit": return .bool(a.sign == .minus)
        default: return nil
        }
        return .float(r)
    }

    static func integerCall(_ name: String, _ v: [ScalarValue], _ t: DType) -> ScalarValue? {
        switch (name, v.first) {
        case ("isnan", _), ("isinf", _): return .bool(false)
        case ("isfinite", _): return .bool(true)
        case ("signbit", .int(let a)?): return .bool(a < 0)
        case ("signbit", .bool?): return .bool(false)
        case ("abs", .int(let a)?): return .int(ScalarSemantics.wrap(a < 0 ? 0 &- a : a, t))
        case ("sign", .int(let a)?): return .int(a.signum())
        case ("ceil", let a?), ("floor", let a?), ("trunc", let a?), ("round", let a?), ("abs", let a?): return a
        case ("maximum", .int(let a)?): if case .int(let b) = v[1] { return .int(Swift.max(a, b)) }
        case ("minimum", .int(let a)?): if case .int(let b) = v[1] { return .int(Swift.min(a, b)) }
        case ("maximum", .bool(let a)?): if case .bool(let b) = v[1] { return .bool(a || b) }
        case ("minimum", .bool(let a)?): if case .bool(let b) = v[1] { return .bool(a && b) }
        case ("fmod", .int(let a)?):
            if case .int(let b) = v[1] { return .int(b == 0 || b == -1 ? 0 : a % b) }
        default: break
        }
        return nil
    }

    /// NumPy's npy_divmod for finite operands and a nonzero divisor.
    static func divmod(_ a: Double, _ b: Double) -> (Double, Double) {
        var m = fmod(a, b)
        var div = (a - m) / b
        if m != 0 {
            if (b < 0) != (m < 0) { m += b; div -= 1 }
        } else {
            m = copysign(0, b)
        }
        var q: Double
        if div != 0 {
            q = floor(div)
            if div - q > 0.5 { q += 1 }
        } else {
            q = copysign(0, a / b)
        }
        return (q, m)
    }

    /// `f` at the operands and at every corner of their error intervals; see the file comment.
    func apply(_ x: [RefValue], _ t: DType, kind: String, jumps: Bool,
               _ f: ([ScalarValue]) -> ScalarValue?) -> RefValue? {
        guard let center = f(x.map(\.value)) else { return nil }
        var r = RefValue(value: center, unstable: x.contains { $0.unstable }, special: x.contains { $0.special })
        if x.contains(where: { $0.error > 0 }) {
            var spread = 0.0
            for corner in 0..<(1 << x.count) {
                let moved = x.enumerated().map { i, v -> ScalarValue in
                    guard case .float(let d) = v.value, v.error > 0 else { return v.value }
                    return .float(corner & (1 << i) == 0 ? d - v.error : d + v.error)
                }
                guard let c = f(moved) else { r.unstable = true; break }
                switch (center, c) {
                case (.float(let p), .float(let q)):
                    if p.isNaN != q.isNaN || (!p.isFinite || !q.isFinite) && p != q || jumps && p != q {
                        r.unstable = true
                    } else if p.isFinite {
                        spread = Swift.max(spread, abs(p - q))
                    }
                default:
                    if c != center { r.unstable = true }
                }
            }
            r.error = spread
        }
        if case .float(let p) = center, p.isFinite {
            let ulp = t == .float32 ? Double(Float(p).ulp) : p.ulp
            r.error += ulps(kind) * ulp
        }
        return mark(r)
    }

    func mark(_ v: RefValue) -> RefValue {
        var v = v
        if case .float(let d) = v.value, !d.isFinite || d.isSubnormal || (d != 0 && abs(d) < 1.2e-38) {
            v.special = true
        }
        return v
    }
}

extension ScalarValue {
    var isFloat: Bool { if case .float = self { return true } else { return false } }
    var asDouble: Double {
        switch self {
        case .bool(let b): return b ? 1 : 0
        case .int(let v): return Double(v)
        case .float(let v): return v
        case .complex(let re, _): return re
        }
    }
}
