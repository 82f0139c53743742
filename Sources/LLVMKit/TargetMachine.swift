import CLLVM

/// A target machine for a CPU (the host by default), used for the optimiser's cost model and for
/// emitting assembly and objects.
public final class TargetMachine {
    public let ref: LLVMTargetMachineRef
    public let triple: String
    public let cpu: String
    public let features: String

    /// A machine for `cpu`/`features` at the aggressive optimisation level. No `cpu` means the
    /// host's; no `features` means the host's when the CPU is the host's, else the CPU's defaults.
    /// `forJIT` picks the JIT's code model; false gives the default (small) model, for objects
    /// that a system linker links into a program.
    public init(cpu: String? = nil, features: String? = nil, forJIT: Bool = true) throws {
        try LLVM.initialize()
        try TargetNames.validate(cpu: cpu, features: features)
        triple = LLVM.hostTriple
        let hostCPU = LLVM.hostCPUName
        self.cpu = cpu ?? hostCPU
        self.features = features ?? (self.cpu == hostCPU ? LLVM.hostCPUFeatures : "")
        var target: LLVMTargetRef?
        var err: UnsafeMutablePointer<CChar>?
        if LLVMGetTargetFromTriple(triple, &target, &err) != 0 {
            throw LLVMError(takeMessage(err))
        }
        guard let machine = LLVMCreateTargetMachine(target, triple, self.cpu, self.features,
                                                    LLVMCodeGenLevelAggressive, LLVMRelocPIC,
                                                    forJIT ? LLVMCodeModelJITDefault : LLVMCodeModelDefault) else {
            throw LLVMError("could not create a target machine for \(triple) \(self.cpu)")
        }
        ref = machine
    }

    deinit { LLVMDisposeTargetMachine(ref) }

    /// Assembly for a module (emitted from a clone; the module is unchanged).
    public func assembly(of module: Module) throws -> String {
        try emit(module, LLVMAssemblyFile)
    }

    /// An object file for a module (emitted from a clone).
    public func object(of module: Module) throws -> [UInt8] {
        let text = try emitBytes(module, LLVMObjectFile)
        return text
    }

    private func emit(_ module: Module, _ kind: LLVMCodeGenFileType) throws -> String {
        String(decoding: try emitBytes(module, kind), as: UTF8.self)
    }

    private func emitBytes(_ module: Module, _ kind: LLVMCodeGenFileType) throws -> [UInt8] {
        let copy = module.clone()
        var buffer: LLVMMemoryBufferRef?
        var err: UnsafeMutablePointer<CChar>?
        if PhaseTimes.measure(\.codegen, { LLVMTargetMachineEmitToMemoryBuffer(ref, copy.ref, kind, &err, &buffer) }) != 0 {
            throw LLVMError(takeMessage(err))
        }
        guard let buffer else { throw LLVMError("no output from code generation") }
        defer { LLVMDisposeMemoryBuffer(buffer) }
        let size = LLVMGetBufferSize(buffer)
        guard let start = LLVMGetBufferStart(buffer) else { return [] }
        return start.withMemoryRebound(to: UInt8.self, capacity: size) { Array(UnsafeBufferPointer(start: $0, count: size)) }
    }
}
