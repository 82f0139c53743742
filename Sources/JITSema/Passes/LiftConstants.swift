/// Pass `lift-constants` (run after the pipeline, on the code that is compiled): finite float
/// constants become scalar parameters appended after the function's own, so expressions that
/// differ only in such literals (`x*2.5 + 1`, `x*3.5 + 1`) have the same typed IR, hence the same
/// cache key and one compilation; the caller passes the values (`LiftedConstants.values`).
///
/// Kept in the code (folded), because LLVM does better with them or because they decide the IR:
/// integer, bool and complex constants (integer multiplications by constants become shifts, and
/// integer literals decide NumPy's promotion), non-finite floats, exponents (`x**2` is expanded
/// into multiplications by `expand-powers` before this pass; other exponents stay constant),
/// divisors (`x/2.0` stays a multiplication by 0.5 after LLVM), and arguments of builtin calls.
/// A constant with any use that keeps it is kept for every use. See docs/language.md.
public struct LiftedConstants: Sendable {
    /// The function with the lifted constants as parameters `$k0`, `$k1`, ... after the others.
    public var function: IRFunction
    /// The lifted constants' dtypes and values, in parameter order.
    public var values: [(dtype: DType, value: Double)]
}

public func liftConstants(_ f: IRFunction) -> LiftedConstants {
    var keep = [Bool](repeating: false, count: f.instructions.count)
    for inst in f.instructions {
        switch inst.op {
        case .binary(let op, let a, let b):
            if op != .add && op != .sub && op != .mul { keep[Int(b.index)] = true }
            if op != .add && op != .sub && op != .mul && op != .div { keep[Int(a.index)] = true }
        case .call(_, let args):
            for a in args { keep[Int(a.index)] = true }
        case .cast(let a):
            keep[Int(a.index)] = true
        case .argument, .constant, .unary, .compare, .select:
            break
        }
    }
    var lifted = f
    var values: [(dtype: DType, value: Double)] = []
    for (i, inst) in f.instructions.enumerated() {
        guard case .constant(.float(let v)) = inst.op, inst.type.isFloat, v.isFinite, !keep[i] else { continue }
        lifted.instructions[i].op = .argument(lifted.parameters.count)
        lifted.parameters.append(IRParameter(name: "$k\(values.count)", dtype: inst.type, kind: .scalar))
        values.append((inst.type, v))
    }
    return LiftedConstants(function: lifted, values: values)
}
