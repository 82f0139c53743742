import CLLVM
import Foundation

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
    /// `codeGenLevel` is the code generator's optimisation level (0...3, default 3: aggressive).
    public init(cpu: String? = nil, features: String? = nil, forJIT: Bool = true, codeGenLevel: Int = 3) throws {
        try LLVM.initialize()
        triple = LLVM.hostTriple
        let hostCPU = LLVM.hostCPUName
        // Only names a user chose are checked: the host's own CPU and features (which cache keys
        // carry explicitly) are what LLVM reported, and the tables need not list them all (an
        // LLVM without its own table, a feature newer than the table).
        let hostFeatures = (cpu == nil || cpu == hostCPU) ? LLVM.hostCPUFeatures : nil
        try TargetNames.validate(cpu: cpu == hostCPU ? nil : cpu,
                                 features: features != nil && features == hostFeatures ? nil : features)
        self.cpu = cpu ?? hostCPU
        self.features = features ?? (self.cpu == hostCPU ? LLVM.hostCPUFeatures : "")
        var target: LLVMTargetRef?
        var err: UnsafeMutablePointer<CChar>?
        if LLVMGetTargetFromTriple(triple, &target, &err) != 0 {
            throw LLVMError(takeMessage(err))
        }
        guard let machine = LLVMCreateTargetMachine(target, triple, self.cpu, self.features,
                                                    [LLVMCodeGenLevelNone, LLVMCodeGenLevelLess, LLVMCodeGenLevelDefault,
                                                     LLVMCodeGenLevelAggressive][min(3, max(0, codeGenLevel))], LLVMRelocPIC,
                                                    forJIT ? LLVMCodeModelJITDefault : LLVMCodeModelDefault) else {
            throw LLVMError("could not create a target machine for \(triple) \(self.cpu)")
        }
        ref = machine
    }

    deinit { LLVMDisposeTargetMachine(ref) }

    /// Assembly for a module (emitted from a clone; the module is unchanged).
    public func assembly(of module: Module) throws -> String {
        String(decoding: try emitBytes(module.clone(), LLVMAssemblyFile), as: UTF8.self)
    }

    /// An object file for a module (emitted from a clone).
    public func object(of module: Module) throws -> [UInt8] {
        try emitBytes(module.clone(), LLVMObjectFile)
    }

    /// An object file for a module that is not used afterwards: emitted from the module itself,
    /// which code generation changes (no clone: a kernel's clone costs a few hundred microseconds).
    public func object(consuming module: Module) throws -> [UInt8] {
        try emitBytes(module, LLVMObjectFile)
    }

    private static let poolLock = NSLock()
    nonisolated(unsafe) private static var pool: [String: [TargetMachine]] = [:]

    /// Runs `body` with a machine for `cpu`/`features` taken from a pool of idle ones (made if
    /// none is idle) and returns it afterwards: creating a machine and its subtarget costs about
    /// half a millisecond per compile. A machine is used by one thread at a time. `codeGenLevel`
    /// as in `init` (0: the quick tier's FastISel code generation).
    public static func withPooled<T>(cpu: String? = nil, features: String? = nil, forJIT: Bool = true,
                                     codeGenLevel: Int = 3, _ body: (TargetMachine) throws -> T) throws -> T {
        let key = "\(cpu ?? "")|\(features ?? "")|\(forJIT)|\(codeGenLevel)"
        let idle = poolLock.withLock { pool[key]?.popLast() }
        let machine = try idle ?? PhaseTimes.measure(\.targetMachine) {
            try TargetMachine(cpu: cpu, features: features, forJIT: forJIT, codeGenLevel: codeGenLevel)
        }
        defer { poolLock.withLock { if pool[key, default: []].count < 4 { pool[key, default: []].append(machine) } } }
        return try body(machine)
    }

    /// Emits `module` (which code generation changes: pass a clone to keep the original).
    private func emitBytes(_ module: Module, _ kind: LLVMCodeGenFileType) throws -> [UInt8] {
        var buffer: LLVMMemoryBufferRef?
        var err: UnsafeMutablePointer<CChar>?
        if PhaseTimes.measure(\.codegen, { LLVMTargetMachineEmitToMemoryBuffer(ref, module.ref, kind, &err, &buffer) }) != 0 {
            throw LLVMError(takeMessage(err))
        }
        guard let buffer else { throw LLVMError("no output from code generation") }
        defer { LLVMDisposeMemoryBuffer(buffer) }
        let size = LLVMGetBufferSize(buffer)
        guard let start = LLVMGetBufferStart(buffer) else { return [] }
        return start.withMemoryRebound(to: UInt8.self, capacity: size) { Array(UnsafeBufferPointer(start: $0, count: size)) }
    }
}
