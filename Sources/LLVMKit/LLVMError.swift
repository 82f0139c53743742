// LLVMKit: thin Swift owners of LLVM C handles. Every handle has one owner that disposes it in
// deinit; handing a module to the JIT consumes the owner. Nothing here knows about SwiftJIT's
// language: it is the LLVM C API made safe to hold from Swift.
import CLLVM

/// An error reported by LLVM (environment errors: target lookup, JIT linking, pass parsing).
public struct LLVMError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "LLVM: \(message)" }

    /// Converts and consumes an `LLVMErrorRef`; nil for success.
    static func take(_ ref: LLVMErrorRef?) -> LLVMError? {
        guard let ref else { return nil }
        let cmsg = LLVMGetErrorMessage(ref)
        defer { LLVMDisposeErrorMessage(cmsg) }
        return LLVMError(cmsg.map { String(cString: $0) } ?? "unknown error")
    }
}

/// Takes ownership of a C string LLVM allocated and returns it as a Swift string.
func takeMessage(_ p: UnsafeMutablePointer<CChar>?) -> String {
    guard let p else { return "" }
    defer { LLVMDisposeMessage(p) }
    return String(cString: p)
}

/// Process-wide LLVM facts and one-time initialisation. Everything but `initialize` needs the
/// library loaded: call `initialize` (or create an `OrcJIT` or `TargetMachine`) first.
public enum LLVM {
    /// Loads the chosen libLLVM and initialises the native target, once (`LLVMLibrary.load`);
    /// throws an `LLVMError` saying what to install when no supported LLVM is found.
    public static func initialize() throws {
        try LLVMLibrary.load()
    }

    /// Major version of the loaded LLVM.
    public static var versionMajor: Int { Int(sj_llvm_version_major()) }
    /// Minor version of the loaded LLVM.
    public static var versionMinor: Int { Int(sj_llvm_version_minor()) }

    /// Whether per-instruction fast-math flags are available (LLVM 18+).
    public static var hasInstructionFastMathFlags: Bool { sj_has_instruction_fmf() != 0 }

    /// The host's target triple.
    public static var hostTriple: String { takeMessage(LLVMGetDefaultTargetTriple()) }
    /// The host CPU's name as LLVM knows it (`znver1`, `skylake-avx512`).
    public static var hostCPUName: String { takeMessage(LLVMGetHostCPUName()) }
    /// The host CPU's features (`+avx2,+fma,...`).
    public static var hostCPUFeatures: String { takeMessage(LLVMGetHostCPUFeatures()) }
}
