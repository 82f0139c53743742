/// Pass `dce`: drops instructions the result does not depend on, keeping order, and merges
/// duplicates (the rebuild hash-conses).
public func eliminateDeadCode(_ f: IRFunction, _ options: PassOptions) -> IRFunction {
    var live = [Bool](repeating: false, count: f.instructions.count)
    live[Int(f.result.index)] = true
    for i in stride(from: f.instructions.count - 1, through: 0, by: -1) where live[i] {
        for o in f.instructions[i].op.operands { live[Int(o.index)] = true }
    }
    var builder = IRBuilder(parameters: f.parameters)
    var map = [ValueID?](repeating: nil, count: f.instructions.count)
    for (i, inst) in f.instructions.enumerated() where live[i] {
        let m: (ValueID) -> ValueID = { map[Int($0.index)]! }
        let op: IROp
        switch inst.op {
        case .argument, .constant: op = inst.op
        case .cast(let a): op = .cast(m(a))
        case .unary(let u, let a): op = .unary(u, m(a))
        case .binary(let b, let x, let y): op = .binary(b, m(x), m(y))
        case .compare(let c, let x, let y): op = .compare(c, m(x), m(y))
        case .call(let id, let args): op = .call(id, args.map(m))
        case .select(let c, let x, let y): op = .select(m(c), m(x), m(y))
        }
        map[i] = builder.emit(IRInstruction(op, inst.type))
    }
    return f.with(instructions: builder.instructions, result: map[Int(f.result.index)]!)
}
