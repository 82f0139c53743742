/// Rebuilds a function instruction by instruction through a hash-consing `IRBuilder`.
/// `transform` receives each instruction with operands already mapped to the new function and
/// returns the value that replaces it (usually `builder.emit(instruction)`). Because the
/// builder hash-conses, every rewrite also merges common subexpressions.
func rewrite(_ f: IRFunction,
             _ transform: (inout IRBuilder, IRInstruction) -> ValueID) -> IRFunction {
    var builder = IRBuilder(parameters: f.parameters)
    var map: [ValueID] = []
    map.reserveCapacity(f.instructions.count)
    for inst in f.instructions {
        let m: (ValueID) -> ValueID = { map[Int($0.index)] }
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
        map.append(transform(&builder, IRInstruction(op, inst.type)))
    }
    return f.with(instructions: builder.instructions, result: map[Int(f.result.index)])
}
