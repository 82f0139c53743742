/// Builds an `IRFunction`, hash-consing instructions: asking for an instruction that already
/// exists returns the existing value. That is common-subexpression elimination by construction,
/// so every pass that rebuilds through it also removes duplicates.
public struct IRBuilder {
    public private(set) var instructions: [IRInstruction] = []
    private var existing: [IRInstruction: ValueID] = [:]
    public let parameters: [IRParameter]

    public init(parameters: [IRParameter]) { self.parameters = parameters }

    /// The value of `instruction`, added if new.
    public mutating func emit(_ instruction: IRInstruction) -> ValueID {
        if let id = existing[instruction] { return id }
        let id = ValueID(instructions.count)
        instructions.append(instruction)
        existing[instruction] = id
        return id
    }

    /// Shorthand for `emit(IRInstruction(op, type))`.
    public mutating func emit(_ op: IROp, _ type: DType) -> ValueID { emit(IRInstruction(op, type)) }

    /// The instruction defining `id`.
    public subscript(id: ValueID) -> IRInstruction { instructions[Int(id.index)] }

    /// A constant of the given type.
    public mutating func constant(_ c: Constant, _ type: DType) -> ValueID { emit(.constant(c), type) }

    /// `value` converted to `type` (itself when it already has that type).
    public mutating func cast(_ value: ValueID, to type: DType) -> ValueID {
        self[value].type == type ? value : emit(.cast(value), type)
    }

    /// The finished function returning `result`.
    public func finish(result: ValueID, resultKind: ParameterKind = .contiguous) -> IRFunction {
        IRFunction(parameters: parameters, instructions: instructions, result: result, resultKind: resultKind)
    }
}
