import JITSyntax

/// Errors from compiling or calling: user errors carry diagnostics or a precise message;
/// environment errors (LLVM, files) say what failed.
public enum JITError: Error, CustomStringConvertible, Sendable {
    /// Syntax, name, arity or type errors, with places in the source.
    case diagnostics(DiagnosticError)
    /// Wrong, missing or extra arguments, shapes or dtypes at call time.
    case argument(String)
    /// A file could not be read or written, or is not a valid file of its kind.
    case file(String)
    /// LLVM failed (target, optimisation or linking).
    case llvm(String)

    public var description: String {
        switch self {
        case .diagnostics(let d): return d.description
        case .argument(let m): return "error: \(m)"
        case .file(let m): return "error: \(m)"
        case .llvm(let m): return "error: LLVM: \(m)"
        }
    }
}
