// Fuzz target `kernel`: kernel source -> parse -> check every kernel for its declared types, or,
// where a parameter has no type, for a fixed guess (float64 arrays or int64 scalars, by input). No LLVM.
import JITSema
import JITSyntax

enum KernelFuzz {
    static let guesses: [ArgumentType] = [.array(.float64), .scalar(.int64)]

    @Sendable static func run(_ bytes: [UInt8]) -> FuzzOutcome {
        let source = SourceText(String(decoding: bytes, as: UTF8.self), name: "<kernel>")
        return outcome {
            let module = try Parser.parseKernels(source)
            try KernelNames.check(module)
            var firstError: Error?
            for decl in module.declarations where !decl.isHelper {
                var signatures: [[ArgumentType]] = []
                if let declared = KernelChecker.declaredTypes(decl) {
                    signatures = [declared]
                } else {
                    let guess = guesses[bytes.count % guesses.count]  // one guess per input
                    signatures = [guess].map { guess in
                        decl.parameters.map { p in
                            if case .scalar(let name, let rank)? = p.type, let d = DType(name: name) {
                                return ArgumentType(dtype: d, rank: rank)
                            }
                            return guess
                        }
                    }
                }
                for (n, arguments) in signatures.enumerated() {
                    let mode: MathMode = n == 0 ? .relaxed : .strict
                    do {
                        _ = try KernelChecker.check(module, kernel: decl.name, arguments: arguments,
                                                    options: PassOptions(mathMode: mode))
                    } catch {
                        firstError = firstError ?? error
                    }
                }
            }
            if let firstError { throw firstError }
        }
    }
}
