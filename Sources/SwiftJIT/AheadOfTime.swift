// Ahead of time, from Swift (and `swiftjit compile`): fill the disk cache for given argument
// types, for the host or a named CPU, or export a C-ABI object and header (docs/cache.md).
import JITLowering
import JITRuntime
import JITSema

/// What one precompilation did.
public struct PrecompileResult: Sendable {
    /// The cache entry's key.
    public var key: ObjectKey
    /// False when a valid entry was in the cache already.
    public var compiled: Bool
}

/// An exported object file and the C header that declares it.
public struct ExportedObject: Sendable {
    public var object: [UInt8]
    public var header: String
}

extension Kernel {
    /// Compiles the kernel for `types` into the disk cache (nothing is loaded or run, so `cpu`
    /// may name any CPU LLVM knows; `features` default to that CPU's own).
    public func precompile(_ types: [ArgumentType], cpu: String? = nil, features: String? = nil) throws -> PrecompileResult {
        var options = module.options.kernelCompileOptions
        (options.cpu, options.features) = (cpu, features)
        let r = try Engine.shared.precompile(.kernel(try typedKernel(types)), options: options)
        return PrecompileResult(key: r.key, compiled: r.compiled)
    }

    /// An object exporting `<name>_entry` and a header defining the C function `name`.
    public func export(_ types: [ArgumentType], name: String, cpu: String? = nil, features: String? = nil) throws -> ExportedObject {
        let typed = try typedKernel(types)
        let header = try AOTHeader.kernel(typed, name: name)
        var options = module.options.kernelCompileOptions
        (options.cpu, options.features) = (cpu, features)
        let object = try Engine.shared.exportObject(.kernel(typed), symbol: name + "_entry", options: options)
        return ExportedObject(object: object, header: header)
    }
}

extension CompiledExpression {
    /// Compiles the expression (every stage) for named argument types into the disk cache: the
    /// code every call runs and, for elementwise stages whose result is a new contiguous array
    /// (`IRGen.hasStreamingVariant`) while streaming stores are on (`StreamingStores`), the
    /// streaming variant that calls with large outputs
    /// compile on first use (`ExpressionStage.streamingKernel`), so that a process started on a
    /// precompiled cache compiles neither.
    public func precompile(_ types: [String: ArgumentType], cpu: String? = nil, features: String? = nil) throws -> [PrecompileResult] {
        // The code a call compiles: float constants lifted into parameters (ExpressionStage).
        var options = options.compileOptions
        (options.cpu, options.features) = (cpu, features)
        var streaming = options
        streaming.lowering.streamingOutput = true
        let streams = StreamingStores.automatic || StreamingStores.threshold < Int.max
        return try typedIR(types).flatMap { function -> [PrecompileResult] in
            let lifted = CompileDriver.liftConstants(function, trace: nil)
            let variants = streams && IRGen.hasStreamingVariant(function) ? [options, streaming] : [options]
            return try variants.map {
                let r = try Engine.shared.precompile(.expression(lifted.function), options: $0)
                return PrecompileResult(key: r.key, compiled: r.compiled)
            }
        }
    }

    /// An object exporting `<name>_entry` and a header defining the C function `name`
    /// (expressions without reductions).
    public func export(_ types: [String: ArgumentType], name: String, cpu: String? = nil, features: String? = nil) throws -> ExportedObject {
        let stages = try typedIR(types)
        guard stages.count == 1, let f = stages.first else {
            throw JITError.argument("expressions with reductions cannot be exported yet")
        }
        let header = try AOTHeader.expression(f, name: name, source: source)
        var options = options.compileOptions
        (options.cpu, options.features) = (cpu, features)
        let object = try Engine.shared.exportObject(.expression(f), symbol: name + "_entry", options: options)
        return ExportedObject(object: object, header: header)
    }
}
