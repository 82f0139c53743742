// What a user gives the CLI and the API that reaches LLVM (CPU names, feature strings) is checked
// first: a typo is a diagnostic with "did you mean" and the valid names, never LLVM's abort. And a
// REPL kernel may not take a builtin's name.
import Foundation
import JITRuntime
import LLVMKit
import SwiftJIT
import XCTest

final class TargetOptionTests: XCTestCase {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("targetoptions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testUnknownCPUsAndFeaturesAreDiagnosticsOnTheCommandLine() throws {
        let dir = try temporaryDirectory()
        let expr = ["compile", "--expr", "x*(1+x)", "--signature", "x: f64[]"]
        let typo = try SwiftJITProcess.run(expr + ["--cpu", "haswel"], in: dir)
        XCTAssertEqual(typo.status, 1, typo.stderr)
        XCTAssertTrue(typo.stderr.contains("unknown CPU 'haswel'") && typo.stderr.contains("did you mean 'haswell'?"), typo.stderr)
        XCTAssertTrue(typo.stderr.contains("x86-64-v3") && typo.stderr.contains("znver3"), "the valid names are listed: \(typo.stderr)")
        XCTAssertFalse(typo.stderr.contains("LLVM ERROR") || typo.stderr.contains("not a recognized processor"), typo.stderr)
        // A real CPU without 64-bit mode made LLVM abort ("64-bit code requested ...").
        let cpu32 = try SwiftJITProcess.run(expr + ["--cpu", "i686"], in: dir)
        XCTAssertEqual(cpu32.status, 1, cpu32.stderr)
        XCTAssertTrue(cpu32.stderr.contains("unknown CPU 'i686'"), cpu32.stderr)
        let feature = try SwiftJITProcess.run(expr + ["--cpu", "haswell", "--features", "+avx2,+fmaa"], in: dir)
        XCTAssertEqual(feature.status, 1, feature.stderr)
        XCTAssertTrue(feature.stderr.contains("unknown CPU feature 'fmaa'") && feature.stderr.contains("did you mean '+fma'?"), feature.stderr)
        let unsigned = try SwiftJITProcess.run(expr + ["--features", "avx2"], in: dir)
        XCTAssertTrue(unsigned.stderr.contains("write features as +name or -name"), unsigned.stderr)
        let no64 = try SwiftJITProcess.run(expr + ["--features=-64bit"], in: dir)
        XCTAssertEqual(no64.status, 1, no64.stderr)
        XCTAssertTrue(no64.stderr.contains("feature '-64bit' is not allowed"), no64.stderr)
        // Valid names still compile.
        let ok = try SwiftJITProcess.run(expr + ["--cpu", "x86-64-v2", "--features", "+avx2,-fma"], in: dir)
        XCTAssertEqual(ok.status, 0, ok.stderr)
    }

    func testTheAPIChecksTargetsBeforeLLVM() throws {
        XCTAssertThrowsError(try Engine.shared.validateTarget(cpu: "skylake-avx521", features: nil)) {
            XCTAssertTrue("\($0)".contains("did you mean 'skylake-avx512'?"), "\($0)")
        }
        XCTAssertNoThrow(try Engine.shared.validateTarget(cpu: nil, features: nil))
        XCTAssertNoThrow(try Engine.shared.validateTarget(cpu: LLVM.hostCPUName, features: ""))
        let names = try XCTUnwrap(TargetNames.cpuNames)
        XCTAssertTrue(names.contains("x86-64") && names.contains("x86-64-v4") && !names.contains("i386"))
        let f = try JIT.compile("x + 1")
        XCTAssertThrowsError(try f.precompile(["x": .array(.float64)], cpu: "haswel")) {
            XCTAssertTrue("\($0)".contains("did you mean 'haswell'?"), "\($0)")
        }
        // Even a TargetMachine made directly refuses an unknown name instead of letting LLVM abort later.
        XCTAssertThrowsError(try TargetMachine(cpu: "pentium4"))
    }

    func testAREPLKernelCannotTakeABuiltinsName() throws {
        let dir = try temporaryDirectory()
        let script = dir.appendingPathComponent("session.txt")
        try "kernel sin(a) { return a * 100 }\nx = linspace(0, 1, 2)\nsin(x)\nsin(x) + 1\n".write(to: script, atomically: true, encoding: .utf8)
        let r = try SwiftJITProcess.run([], in: dir, stdin: script, environment: ["HOME": dir.path, "SWIFTJIT_HISTORY": dir.appendingPathComponent("h").path])
        XCTAssertEqual(r.stderr, """
            <stdin>:1:8: error: a kernel cannot be named 'sin': it is a builtin function
            1 | kernel sin(a) { return a * 100 }
              |        ^~~
              = note: rename it, e.g. 'sin_kernel' or 'my_sin'

            """)
        // sin means the builtin everywhere.
        XCTAssertEqual(r.stdout, "array([0.        , 0.84147098])\nfloat64 (2,)\narray([1.        , 1.84147098])\nfloat64 (2,)\n")
    }
}
