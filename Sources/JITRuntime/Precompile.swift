// Ahead of time: filling the disk cache without running anything (for the host or a named CPU),
// and objects for a system linker (`swiftjit compile --emit-object`, see AOTHeader and
// docs/cache.md).
import JITLowering
import JITSema
import LLVMKit

/// Typed code the engine can compile: an elementwise expression or a kernel.
public enum CompilationUnit {
    case expression(IRFunction)
    case kernel(TypedKernel)

    /// The ABI name that enters the key.
    var kind: String {
        switch self {
        case .expression: return "expression"
        case .kernel: return "kernel"
        }
    }

    /// One line for listings: the typed signature.
    var label: String {
        switch self {
        case .expression(let f): return "\(f)".prefix { $0 != "{" }.trimmingCharacters(in: .whitespaces)
        case .kernel(let k):
            let params = k.variables.prefix(k.parameterCount).map { "\($0.name): \($0.type)" }
            return "\(k.name)(\(params.joined(separator: ", "))) -> \(k.returnTypes.map(\.description).joined(separator: ", "))"
        }
    }

    /// The canonical typed IR text.
    var irText: String {
        switch self {
        case .expression(let f): return "\(f)"
        case .kernel(let k): return "\(k)"
        }
    }

    func lower(symbol: String, options: LoweringOptions, machine: TargetMachine) throws -> LoweredModule {
        switch self {
        case .expression(let f): return try IRGen.lower(f, symbol: symbol, options: options, machine: machine)
        case .kernel(let k): return try KernelGen.lower(k, symbol: symbol, options: options, machine: machine)
        }
    }
}

extension Engine {
    /// The object-cache key of `unit` for the host, or for `cpu` (with `features`, else the
    /// CPU's own) when given.
    public func objectKey(_ unit: CompilationUnit, options: LoweringOptions, cpu: String? = nil,
                          features: String? = nil) throws -> ObjectKey {
        try objectKey(kind: unit.kind, label: unit.label, ir: unit.irText, options: options, cpu: cpu, features: features)
    }

    /// Compiles `unit` into the disk cache unless a valid entry is there; nothing is loaded or run,
    /// so any CPU LLVM knows can be named. Returns the key and whether LLVM compiled it now.
    public func precompile(_ unit: CompilationUnit, options: LoweringOptions, cpu: String? = nil,
                           features: String? = nil) throws -> (key: ObjectKey, compiled: Bool) {
        try validateTarget(cpu: cpu, features: features)
        let key = try objectKey(unit, options: options, cpu: cpu, features: features)
        let compiled = try precompile(key) { try unit.lower(symbol: key.symbol, options: options, machine: $0) }
        return (key, compiled)
    }

    /// An object for a system linker (default code model) whose entry point is `symbol`.
    public func exportObject(_ unit: CompilationUnit, symbol: String, options: LoweringOptions,
                             cpu: String? = nil, features: String? = nil) throws -> [UInt8] {
        try validateTarget(cpu: cpu, features: features)
        let key = try objectKey(unit, options: options, cpu: cpu, features: features)
        do {
            return try generateObject(key, forJIT: false) { try unit.lower(symbol: symbol, options: options, machine: $0) }
        } catch let e as LLVMError { throw JITError.llvm(e.message) }
    }

    /// Checks a CPU name and feature string a user gave before LLVM sees them (an unknown CPU makes
    /// LLVM abort): a `JITError` with a "did you mean" and the valid names.
    public func validateTarget(cpu: String?, features: String?) throws {
        guard cpu != nil || features != nil else { return }
        // The check asks LLVM about the host: load it first (as compiling would), so a missing
        // LLVM is reported as such rather than as a bad argument.
        _ = try started()
        do {
            try TargetNames.validate(cpu: cpu, features: features) { NameSuggestion.closest(to: $0, in: $1) }
        } catch let e as LLVMError { throw JITError.argument(e.message) }
    }
}
