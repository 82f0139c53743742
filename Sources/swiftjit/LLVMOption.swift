// The command line's choice of LLVM and `swiftjit --version`. In: the arguments (`--llvm 14`,
// `--llvm=/usr/lib/llvm-19`, anywhere before a `--`) and SWIFTJIT_LLVM. Out: the arguments without
// the option, the choice handed to JIT.useLLVM, and the version text. Neither loads LLVM.
import Foundation
import SwiftJIT

enum LLVMOption {
    /// Removes `--llvm VALUE` / `--llvm=VALUE` (before any `--`) and returns its value.
    static func extract(_ arguments: [String]) throws -> (value: String?, rest: [String]) {
        var rest: [String] = []
        var value: String?
        var i = 0
        while i < arguments.count {
            let arg = arguments[i]
            if arg == "--" {
                rest += arguments[i...]
                break
            }
            if arg == "--llvm" {
                guard i + 1 < arguments.count else { throw UserError(message: "--llvm needs a value: a version (14 to 19) or a path") }
                value = arguments[i + 1]
                i += 2
                continue
            }
            if arg.hasPrefix("--llvm=") {
                value = String(arg.dropFirst("--llvm=".count))
                i += 1
                continue
            }
            rest.append(arg)
            i += 1
        }
        return (value, rest)
    }

    /// Chooses the LLVM `value` names (see JIT.useLLVM).
    static func apply(_ value: String) throws {
        do {
            try JIT.useLLVM(try LLVMSelection(parsing: value))
        } catch let error as JITError {
            throw UserError(message: "--llvm \(value): \(error.description.replacingOccurrences(of: "error: LLVM: ", with: ""))")
        } catch {
            throw UserError(message: "--llvm \(value): \(error)")
        }
    }

    /// Set by main when `--llvm` was given (for the version text).
    nonisolated(unsafe) static var given: String?

    /// `swiftjit --version`: SwiftJIT's version, and the LLVM in use and why, found without loading it.
    static var versionText: String {
        var lines = ["swiftjit \(JIT.version)"]
        let why: String
        if let given {
            why = "chosen by --llvm \(given)"
        } else if let env = ProcessInfo.processInfo.environment["SWIFTJIT_LLVM"], !env.isEmpty {
            why = "chosen by SWIFTJIT_LLVM=\(env)"
        } else {
            why = "the newest installed"
        }
        do {
            let llvm = try JIT.llvmLibrary()
            lines.append("LLVM \(llvm.version) (\(llvm.path); \(why))")
        } catch let error as JITError {
            lines.append("LLVM: none usable (\(why)): "
                         + error.description.replacingOccurrences(of: "error: LLVM: ", with: ""))
        } catch {
            lines.append("LLVM: none usable: \(error)")
        }
        let supported = JIT.supportedLLVMVersions
        lines.append("supported LLVM: \(supported.lowerBound) to \(supported.upperBound) (SWIFTJIT_LLVM=N|PATH or --llvm N|PATH)")
        return lines.joined(separator: "\n")
    }
}
