// Ahead of time: filling the disk cache without running anything (for the host or a named CPU),
// and objects for a system linker (`swiftjit compile --emit-object`, see AOTHeader and
// docs/cache.md).
import JITLowering
import JITSema
import LLVMKit

extension Engine {
    /// The object-cache key of `unit` for the host, or for `cpu` (with `features`, else the
    /// CPU's own) when given.
    public func objectKey(_ unit: CompilationUnit, options: LoweringOptions, cpu: String? = nil,
                          features: String? = nil) throws -> ObjectKey {
        try objectKey(unit, options: CompileOptions(lowering: options, cpu: cpu, features: features))
    }

    /// The object-cache key of `unit` under `options` (its target included).
    public func objectKey(_ unit: CompilationUnit, options: CompileOptions) throws -> ObjectKey {
        objectKey(kind: unit.kind, label: unit.label, ir: unit.irText, settings: try settings(options))
    }

    /// Compiles `unit` into the disk cache unless a valid entry is there; nothing is loaded or run,
    /// so any CPU LLVM knows can be named. Returns the key and whether LLVM compiled it now.
    public func precompile(_ unit: CompilationUnit, options: LoweringOptions, cpu: String? = nil,
                           features: String? = nil) throws -> (key: ObjectKey, compiled: Bool) {
        try precompile(unit, options: CompileOptions(lowering: options, cpu: cpu, features: features))
    }

    /// `precompile` for the target `options` names.
    public func precompile(_ unit: CompilationUnit, options: CompileOptions,
                           trace: StageTrace? = nil) throws -> (key: ObjectKey, compiled: Bool) {
        try validateTarget(cpu: options.cpu, features: options.features)
        let key = try objectKey(unit, options: options)
        let compiled = try precompile(key, trace: trace) {
            try unit.lower(symbol: key.symbol, options: options.lowering, machine: $0, trace: trace)
        }
        return (key, compiled)
    }

    /// An object for a system linker (default code model) whose entry point is `symbol`.
    public func exportObject(_ unit: CompilationUnit, symbol: String, options: LoweringOptions,
                             cpu: String? = nil, features: String? = nil) throws -> [UInt8] {
        try exportObject(unit, symbol: symbol, options: CompileOptions(lowering: options, cpu: cpu, features: features))
    }

    /// `exportObject` for the target `options` names.
    public func exportObject(_ unit: CompilationUnit, symbol: String, options: CompileOptions,
                             trace: StageTrace? = nil) throws -> [UInt8] {
        try validateTarget(cpu: options.cpu, features: options.features)
        let key = try objectKey(unit, options: options)
        do {
            return try generateObject(key, forJIT: false, trace: trace) {
                try unit.lower(symbol: symbol, options: options.lowering, machine: $0, trace: trace)
            }
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
