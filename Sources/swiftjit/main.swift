// The `swiftjit` command line: the REPL (no arguments), eval, ir, asm, functions, run and bench.
// LLVM is loaded only by commands that compile or link code (see LLVMOption for --llvm and --version).
//
// Errors never end in a backtrace: JIT errors (expression diagnostics with carets, file and
// argument problems) print their description to stderr and exit 1; command-line usage errors
// print argument-parser's message and usage and exit 2; help and version exit 0.
import ArgumentParser
import Foundation
import SwiftJIT

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

let started = DispatchTime.now().uptimeNanoseconds
// `--llvm VALUE` chooses the LLVM for any command (before SWIFTJIT_LLVM); nothing loads it yet.
var arguments: [String]
do {
    let (llvm, rest) = try LLVMOption.extract(Array(CommandLine.arguments.dropFirst()))
    if let llvm {
        LLVMOption.given = llvm
        try LLVMOption.apply(llvm)
    }
    arguments = ArgumentRewriting.rewrite(rest)
} catch let error as UserError {
    printError("error: \(error.message)")
    exit(2)
}
// No arguments: the REPL (interactive on a terminal, scripted from a file or pipe).
if arguments.isEmpty { exit(REPLLoop().run()) }
do {
    var command = try SwiftJITCommand.parseAsRoot(arguments)
    try command.run()
    // Kernels' final code (compiled on the background thread after a quick first tier) is what
    // the disk cache stores: a one-shot command waits for it, so the next process loads it.
    JIT.drainBackgroundCompiles()
    if ProcessInfo.processInfo.environment["SWIFTJIT_CACHE_STATS"] == "1" {
        let ms = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        let llvm = JIT.loadedLLVM.map { "LLVM \($0.version) loaded in " + String(format: "%.2f ms, ", $0.loadSeconds * 1e3) }
        printError("swiftjit: \(JIT.llvmCompilations) LLVM compilations, \(JIT.diskCacheHits) disk-cache hits, "
                   + (llvm ?? "LLVM not loaded, ")
                   + String(format: "code ready in %.2f ms, command %.2f ms", JIT.cacheMissSeconds * 1e3, ms))
    }
} catch let error as JITError {
    printError(error.description)
    exit(1)
} catch let error as UserError {
    printError("error: \(error.message)")
    exit(1)
} catch {
    let code = SwiftJITCommand.exitCode(for: error)
    if code == .validationFailure {
        printError(SwiftJITCommand.fullMessage(for: error))
        exit(2)
    }
    SwiftJITCommand.exit(withError: error)
}
