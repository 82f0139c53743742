// CompilationUnit: typed code the engine compiles, an elementwise expression or a kernel, and the
// back-end stages every compile of either goes through: `lower` (typed IR -> LLVM IR, JITLowering),
// `optimize` (LLVM's pass pipeline), then, in the engine, `codegen` (an object file) and `link`
// (into the JIT). Every path that makes LLVM IR (the JIT, the disk cache, `swiftjit ir`/`asm`,
// objects for a system linker) starts lowering here, so each stage can be timed and printed.
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

    /// The entry point's name in LLVM IR printed for reading (`swiftjit ir`).
    var textSymbol: String {
        switch self {
        case .expression: return "sj_expr"
        case .kernel: return "kernel"
        }
    }

    /// Stages `lower` (a new module exporting `symbol`) and `optimize` (unless `optimize` is false;
    /// with `pipeline` instead of the unit's own when given), timed and printed through `trace`.
    func lower(symbol: String, options: LoweringOptions, machine: TargetMachine, optimize: Bool = true,
               pipeline: String? = nil, loopPlans: Bool = true, trace: StageTrace? = nil) throws -> LoweredModule {
        let lowered = try trace.run("lower", {
            switch self {
            case .expression(let f): return try IRGen.lower(f, symbol: symbol, options: options, machine: machine, optimize: false)
            case .kernel(let k):
                return try KernelGen.lower(k, symbol: symbol, options: options, machine: machine, optimize: false, loopPlans: loopPlans)
            }
        }, text: { $0.module.text })
        if optimize {
            try trace.run("optimize", {
                switch self {
                case .expression(let f):
                    try IRGen.optimize(lowered.module, for: f, options: options, machine: machine, pipeline: pipeline)
                case .kernel:
                    try lowered.module.runPasses(pipeline ?? options.passPipeline, machine: machine)
                }
            }, text: { lowered.module.text })
        }
        return lowered
    }
}
