/// The stable text form of the typed IR, used by snapshot tests and `swiftjit ir --typed`:
///
///     func(x: f64[], a: f64) -> f64 {
///       %0 = arg x : f64
///       %1 = const 1.0 : f64
///       %2 = add %0, %1 : f64
///       ret %2
///     }
extension IRFunction: CustomStringConvertible {
    public var description: String {
        func suffix(_ k: ParameterKind) -> String { k == .scalar ? "" : k == .contiguous ? "[]" : "[::s]" }
        let params = parameters.map { "\($0.name): \($0.dtype.shortName)\(suffix($0.kind))" }
        let resultSuffix = hasArrayParameter || resultKind == .strided ? suffix(resultKind) : ""
        var out = "func(\(params.joined(separator: ", "))) -> \(resultType.shortName)\(resultSuffix) {\n"
        for (i, inst) in instructions.enumerated() {
            out += "  %\(i) = \(IRFunction.text(inst.op, parameters)) : \(inst.type.shortName)\n"
        }
        out += reduction.map { "  reduce \($0.rawValue) \(result)\n}\n" } ?? "  ret \(result)\n}\n"
        return out
    }

    static func text(_ op: IROp, _ parameters: [IRParameter]) -> String {
        switch op {
        case .argument(let n): return "arg \(parameters[n].name)"
        case .constant(.bool(let b)): return "const \(b)"
        case .constant(.int(let v)): return "const \(v)"
        case .constant(.float(let v)): return "const \(v)"
        case .constant(.complex(let re, let im)): return "const (\(re), \(im))"
        case .cast(let a): return "cast \(a)"
        case .unary(let op, let a): return "\(op.rawValue) \(a)"
        case .binary(let op, let a, let b): return "\(op.rawValue) \(a), \(b)"
        case .compare(let op, let a, let b): return "cmp \(op.rawValue) \(a), \(b)"
        case .call(let id, let args): return "call \(id.name)(\(args.map(\.description).joined(separator: ", ")))"
        case .select(let c, let a, let b): return "select \(c), \(a), \(b)"
        }
    }
}
