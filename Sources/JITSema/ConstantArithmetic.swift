// ConstantArithmetic: exact int64 arithmetic on integer constants (weak literals), for the type
// specializer. In: an operator and two Int64 operands; out: the exact value, `overflow` when the
// mathematical result does not fit in int64 (`2**63`: an error, as in Swift, not a wrap), or
// `unknown` where the value is decided at run time (division by zero, negative powers).
import JITSyntax

enum ConstantArithmetic {
    enum Result: Equatable {
        case value(Int64)
        case overflow
        case unknown
    }

    static func evaluate(_ op: BinaryOperator, _ p: Int64, _ q: Int64) -> Result {
        func checked(_ r: (partialValue: Int64, overflow: Bool)) -> Result { r.overflow ? .overflow : .value(r.partialValue) }
        switch op {
        case .add: return checked(p.addingReportingOverflow(q))
        case .subtract: return checked(p.subtractingReportingOverflow(q))
        case .multiply: return checked(p.multipliedReportingOverflow(by: q))
        case .floorDivide:
            guard q != 0 else { return .unknown }
            if p == .min && q == -1 { return .overflow }
            let (d, r) = p.quotientAndRemainder(dividingBy: q)
            return .value(r != 0 && (r < 0) != (q < 0) ? d - 1 : d)
        case .modulo:
            guard q != 0 else { return .unknown }
            if q == -1 { return .value(0) }
            let r = p % q
            return .value(r != 0 && (r < 0) != (q < 0) ? r + q : r)
        case .power:
            guard q >= 0 else { return .unknown }
            var result: Int64 = 1, base = p, e = q
            while e > 0 {
                if e & 1 == 1 {
                    let m = result.multipliedReportingOverflow(by: base)
                    if m.overflow { return .overflow }
                    result = m.partialValue
                }
                e >>= 1
                if e > 0 {
                    let m = base.multipliedReportingOverflow(by: base)
                    if m.overflow { return .overflow }
                    base = m.partialValue
                }
            }
            return .value(result)
        case .shiftLeft:
            guard q >= 0 else { return .unknown }
            if p == 0 { return .value(0) }
            guard q < 64 else { return .overflow }
            let v = p << q
            return v >> q == p ? .value(v) : .overflow
        case .shiftRight:
            guard q >= 0 else { return .unknown }
            return .value(q >= 64 ? (p < 0 ? -1 : 0) : p >> q)
        case .bitAnd: return .value(p & q)
        case .bitOr: return .value(p | q)
        case .bitXor: return .value(p ^ q)
        default: return .unknown
        }
    }
}
