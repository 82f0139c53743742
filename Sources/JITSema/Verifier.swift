/// Checks the invariants every pass must keep: operands defined before use, argument indices
/// and types matching the parameters, operand types matching each operation. A failure is our
/// bug, never the user's, so it stops with the IR printed.
public enum Verifier {
    /// The first violated invariant, or nil.
    public static func check(_ f: IRFunction) -> String? {
        guard Int(f.result.index) < f.instructions.count, f.result.index >= 0 else { return "result out of range" }
        for (i, inst) in f.instructions.enumerated() {
            for o in inst.op.operands where o.index < 0 || Int(o.index) >= i {
                return "%\(i) uses \(o) before it is defined"
            }
            let type: (ValueID) -> DType = { f.instructions[Int($0.index)].type }
            switch inst.op {
            case .argument(let n):
                guard n >= 0 && n < f.parameters.count else { return "%\(i): argument \(n) out of range" }
                if f.parameters[n].dtype != inst.type { return "%\(i): argument type differs from parameter" }
            case .constant(let c):
                switch c {
                case .bool where inst.type.isBool, .int where inst.type.isInteger, .float where inst.type.isFloat,
                     .complex where inst.type.isComplex: break
                default: return "%\(i): constant of the wrong kind for \(inst.type)"
                }
            case .cast: break
            case .unary(let u, let a):
                if type(a) != inst.type { return "%\(i): operand type differs" }
                if u == .neg && inst.type.isBool { return "%\(i): neg on bool" }
                if u == .not && inst.type.isFloat { return "%\(i): not on float" }
            case .binary(let op, let a, let b):
                if type(a) != inst.type || type(b) != inst.type { return "%\(i): operand types differ from result" }
                switch op {
                case .div where !inst.type.isFloat && !inst.type.isComplex: return "%\(i): div needs floats"
                case .shl, .shr: if !inst.type.isInteger { return "%\(i): shift needs integers" }
                case .and, .or, .xor: if inst.type.isFloat { return "%\(i): bitwise op on floats" }
                case .sub, .floordiv, .mod, .pow: if inst.type.isBool { return "%\(i): \(op) on bool" }
                default: break
                }
            case .compare(_, let a, let b):
                if type(a) != type(b) || inst.type != .bool { return "%\(i): compare types" }
            case .call(let id, let args):
                let fn = id.builtin
                guard fn.arity + (fn.typing == .random ? 1 : 0) == args.count else { return "%\(i): bad call \(fn.name)" }
                if fn.lowering == .rewritten { return "%\(i): \(fn.name) is rewritten before lowering" }
            case .select(let c, let a, let b):
                if type(c) != .bool || type(a) != inst.type || type(b) != inst.type { return "%\(i): select types" }
            }
        }
        return nil
    }

    /// Stops with the IR printed when `f` is malformed.
    public static func verify(_ f: IRFunction, after pass: String) {
        if let problem = check(f) {
            // The printer needs an in-range result; without one, show the raw instructions.
            let text = Int(f.result.index) < f.instructions.count ? "\(f)" : "\(f.instructions)"
            preconditionFailure("IR verifier failed after \(pass): \(problem)\n\(text)")
        }
    }
}
