// The command line's LLVM: `swiftjit --version`, SWIFTJIT_LLVM and --llvm choosing the LLVM of one
// build, the message when there is none, and commands that compile nothing not loading LLVM
// (they succeed with SWIFTJIT_LLVM naming nothing, which loading would report as an error).
import Foundation
import JITRuntime
@testable import LLVMKit
import XCTest

final class LLVMCommandLineTests: XCTestCase {
    typealias Run = SwiftJITProcess.Output

    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Run {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llvmcli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var input: URL?
        if let stdin {
            input = dir.appendingPathComponent("stdin.txt")
            try stdin.write(to: input!, atomically: true, encoding: .utf8)
        }
        return try SwiftJITProcess.run(arguments, in: dir, stdin: input, environment: environment)
    }

    var installed: [Int] { LLVMLibrary.installedVersions().filter { LLVMLibrary.supported.contains($0) } }

    func testVersionNamesSwiftJITAndTheChosenLLVM() throws {
        guard let newest = installed.first else { throw XCTSkip("no supported LLVM installed") }
        let r = try run(["--version"], environment: ["SWIFTJIT_LLVM": ""])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "swiftjit \(Engine.version)")
        XCTAssertTrue(lines.count > 1 && lines[1].hasPrefix("LLVM \(newest) (") && lines[1].hasSuffix("; the newest installed)"),
                      r.stdout)
        for n in installed {
            let byEnv = try run(["--version"], environment: ["SWIFTJIT_LLVM": "\(n)"])
            XCTAssertTrue(byEnv.stdout.contains("\nLLVM \(n) ("), byEnv.stdout)
            XCTAssertTrue(byEnv.stdout.contains("chosen by SWIFTJIT_LLVM=\(n))"), byEnv.stdout)
            let byOption = try run(["--llvm", "\(n)", "--version"], environment: ["SWIFTJIT_LLVM": "/nonexistent"])
            XCTAssertTrue(byOption.stdout.contains("\nLLVM \(n) ("), byOption.stdout)
            XCTAssertTrue(byOption.stdout.contains("chosen by --llvm \(n))"), byOption.stdout)
        }
        let none = try run(["--version"], environment: ["SWIFTJIT_LLVM": "/nonexistent"])
        XCTAssertEqual(none.status, 0, none.stderr)
        XCTAssertTrue(none.stdout.contains("LLVM: none usable (chosen by SWIFTJIT_LLVM=/nonexistent): no libLLVM at /nonexistent"),
                      none.stdout)
    }

    /// One build, every installed LLVM: the environment and the option decide which one compiles
    /// (`cache info --host` loads it and prints its full version).
    func testEachInstalledLLVMCompilesWithTheSameBuild() throws {
        guard !installed.isEmpty else { throw XCTSkip("no supported LLVM installed") }
        for n in installed {
            for (arguments, environment) in [([String](), ["SWIFTJIT_LLVM": "\(n)"]),
                                             (["--llvm", "\(n)"], ["SWIFTJIT_LLVM": ""])] {
                let r = try run(arguments + ["eval", "2.5*(1+2.5*(1+2.5))"], environment: environment)
                XCTAssertEqual(r.status, 0, "LLVM \(n) \(arguments): \(r.stderr)")
                XCTAssertTrue(r.stdout.contains("24.375"), "LLVM \(n) \(arguments): \(r.stdout)")
                let info = try run(arguments + ["cache", "info", "--host"], environment: environment)
                XCTAssertEqual(info.status, 0, info.stderr)
                XCTAssertTrue(info.stdout.contains("\nllvm            \(n)."), "LLVM \(n): \(info.stdout)")
            }
        }
    }

    func testNoUsableLLVMIsOneClearError() throws {
        for (environment, arguments, message) in [
            (["SWIFTJIT_LLVM": "/nonexistent"], [String](), "error: LLVM: no libLLVM at /nonexistent"),
            (["SWIFTJIT_LLVM": "13"], [], "error: LLVM: LLVM 13 is not supported: SwiftJIT works with LLVM 14 to 19"),
            (["SWIFTJIT_LLVM": "llvm"], [], "error: LLVM: SWIFTJIT_LLVM=llvm: 'llvm' does not name an LLVM"),
        ] {
            let r = try run(arguments + ["eval", "1 + 2"], environment: environment)
            XCTAssertEqual(r.status, 1, "\(environment): \(r.stdout) \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix(message), "\(environment): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr)
        }
        let option = try run(["--llvm", "/nonexistent", "eval", "1 + 2"])
        XCTAssertEqual(option.status, 2, option.stderr)
        XCTAssertTrue(option.stderr.hasPrefix("error: --llvm /nonexistent: no libLLVM at /nonexistent"), option.stderr)
    }

    func testCommandsThatCompileNothingDoNotLoadLLVM() throws {
        let noLLVM = ["SWIFTJIT_LLVM": "/nonexistent"]
        for arguments in [["--help"], ["--version"], ["functions"], ["cache", "list"], ["cache", "info"], ["cache", "verify"]] {
            let r = try run(arguments, environment: noLLVM)
            XCTAssertEqual(r.status, 0, "\(arguments): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("LLVM"), "\(arguments): \(r.stderr)")
        }
        // The REPL starts and answers commands; the first expression is what needs LLVM.
        let repl = try run([], stdin: ":help\n1 + 2\n", environment: noLLVM)
        XCTAssertTrue(repl.stdout.contains(":help"), repl.stdout)
        XCTAssertTrue(repl.stderr.contains("no libLLVM at /nonexistent"), repl.stderr)
    }
}
