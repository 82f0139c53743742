// The compile driver: its stage lists are what a compile really runs, in that order; every
// stage can be printed (`swiftjit ir --print-after`) and timed (`--time-stages`); and the one
// CompileOptions value decides the object key, the environment included.
import Foundation
import XCTest
import JITLowering
@testable import JITRuntime
import JITSema
@testable import SwiftJIT

final class CompileDriverTests: XCTestCase {
    func testExpressionStagesRunInTheListedOrder() throws {
        let trace = StageTrace()
        try CompileDriver.compileExpression("x*2.5 + y", types: ["x": .array(.float64), "y": .scalar(.float64)], trace: trace)
        XCTAssertEqual(trace.entries.map(\.stage), CompileDriver.expressionStages.map(\.tag))
        XCTAssertEqual(CompileDriver.expressionStages.map(\.tag), [
            "parse", "lift-reductions", "specialize", "fold-constants", "expand-powers", "fold-constants", "dce",
            "lift-constants", "lower", "optimize", "codegen", "link",
        ])
        XCTAssertTrue(trace.entries.allSatisfy { $0.seconds >= 0 })
    }

    /// Each lifted reduction goes through specialize and everything after it, before the final
    /// expression does.
    func testReductionsGoThroughTheStagesFirst() throws {
        let trace = StageTrace()
        try CompileDriver.compileExpression("x - sum(x)", types: ["x": .array(.float64)], trace: trace)
        let perFunction = Array(CompileDriver.expressionStages.map(\.tag).dropFirst(2))
        XCTAssertEqual(trace.entries.map(\.stage), ["parse", "lift-reductions"] + perFunction + perFunction)
    }

    func testKernelStagesRunInTheListedOrder() throws {
        let trace = StageTrace(printAfter: ["check", "parse"]) { stage, text in
            if stage == "check" { XCTAssertTrue(text.hasPrefix("kernel twice(a#0: f64[], n#1: i32) -> f64"), text) }
            if stage == "parse" { XCTAssertEqual(text, "kernel twice(a: f64[], n) -> f64 { 1 statements }\n") }
        }
        try CompileDriver.compileKernel("kernel twice(a: f64[], n) -> f64 {\n    return a[0] * n\n}\n", sourceName: "k.sj",
                                        kernel: "twice", trace: trace) { _ in [.array(.float64), .scalar(.int32)] }
        XCTAssertEqual(trace.entries.map(\.stage), CompileDriver.kernelStages.map(\.tag))
        XCTAssertEqual(CompileDriver.kernelStages.map(\.tag), ["parse", "check", "lower", "optimize", "codegen", "link"])
    }

    /// What is printed after each stage is that stage's result.
    func testPrintAfterShowsEachStagesResult() throws {
        var printed: [String: [String]] = [:]
        let trace = StageTrace(printAfter: ["all"]) { printed[$0, default: []].append($1) }
        try CompileDriver.compileExpression("x**2 + 1.5", types: ["x": .array(.float64)], trace: trace)
        XCTAssertEqual(Set(printed.keys), Set(CompileDriver.expressionStages.map(\.tag)))
        XCTAssertEqual(printed["parse"], ["((x ** 2) + 1.5)\n"])
        XCTAssertTrue(printed["specialize"]![0].contains("pow"), printed["specialize"]![0])
        XCTAssertFalse(printed["expand-powers"]![0].contains("pow"), printed["expand-powers"]![0])
        XCTAssertTrue(printed["lift-constants"]![0].contains("$k0"), printed["lift-constants"]![0])
        XCTAssertTrue(printed["lower"]![0].contains("define"))
        XCTAssertTrue(printed["optimize"]![0].contains("define"))
        XCTAssertFalse(printed["codegen"]![0].isEmpty)
        XCTAssertTrue(printed["link"]![0].hasPrefix("linked sj_stages_"))
        XCTAssertEqual(printed["fold-constants"]?.count, 2)
    }

    // MARK: CompileOptions

    /// The environment is read once into CompileOptions; lowering follows the options.
    func testEnvironmentEntersCompileOptionsAndTheKey() throws {
        let off = EnvironmentSettings(reading: ["SWIFTJIT_VECTOR_MATH": "0", "SWIFTJIT_LIBMVEC": "0", "SWIFTJIT_PIPELINE": "full"])
        XCTAssertEqual(off, EnvironmentSettings(vectorMath: false, libmvec: false, leanExpressions: false))
        XCTAssertEqual(EnvironmentSettings(reading: [:]), EnvironmentSettings())
        let options = CompileOptions(mathMode: .fast, environment: off)
        XCTAssertFalse(options.lowering.vectorMath)
        XCTAssertFalse(options.lowering.libmvec)
        XCTAssertFalse(options.lowering.leanExpressions)
        XCTAssertEqual(options.passes, PassOptions(mathMode: .fast))
        let settings = try Engine.shared.settings(options)
        XCTAssertTrue(settings.keyText.contains("vector-math off\nlibmvec none\npipeline full"), settings.keyText)
        XCTAssertNotEqual(try Engine.shared.settings(CompileOptions(mathMode: .fast)).keyText, settings.keyText)
    }

    /// The key's setting lines are made from the fields of the options, so none can be missing:
    /// one line per field of LoweringOptions after the target lines, and CompileOptions holds
    /// nothing but the lowering options and the target, which the key resolves.
    func testEveryOptionFieldIsAKeyLine() throws {
        let settings = try Engine.shared.settings(CompileOptions())
        let lines = settings.keyText.split(separator: "\n")
        let fields = Mirror(reflecting: settings.lowering).children.compactMap(\.label)
        XCTAssertEqual(lines.count, 6 + fields.count)
        // `tiers` decides when the final code is ready, not what it is (only final code is stored).
        XCTAssertEqual(Mirror(reflecting: CompileOptions()).children.compactMap(\.label), ["lowering", "cpu", "features", "tiers"])
        XCTAssertEqual(CodeSettings.loweringLine("someNewSetting", 7), "someNewSetting 7")
        let targeted = try Engine.shared.settings(CompileOptions(cpu: "x86-64-v3", features: "+sse2"))
        XCTAssertTrue(targeted.keyText.contains("cpu x86-64-v3\nfeatures +sse2\n"), targeted.keyText)
    }

    /// Every field of the public JIT.Options reaches the CompileOptions kernels compile with
    /// (expressions check their bounds in the runtime, so their code keeps the checks' default).
    func testJITOptionsReachCompileOptions() {
        XCTAssertEqual(Mirror(reflecting: JIT.Options()).children.compactMap(\.label),
                       ["mathMode", "optimizationLevel", "boundsChecks"])
        let o = JIT.Options(mathMode: .strict, optimizationLevel: 2, boundsChecks: false)
        XCTAssertEqual(o.kernelCompileOptions.lowering.mathMode, .strict)
        XCTAssertEqual(o.kernelCompileOptions.lowering.optimizationLevel, 2)
        XCTAssertFalse(o.kernelCompileOptions.lowering.boundsChecks)
        XCTAssertEqual(o.compileOptions.lowering.mathMode, .strict)
        XCTAssertEqual(o.compileOptions.lowering.optimizationLevel, 2)
        XCTAssertTrue(o.compileOptions.lowering.boundsChecks)
        XCTAssertEqual(o.compileOptions.lowering.vectorMath, EnvironmentSettings.process.vectorMath)
        XCTAssertEqual(o.compileOptions.lowering.leanExpressions, EnvironmentSettings.process.leanExpressions)
    }

    // MARK: the command line

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("driver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testPrintAfterAllAndTimeStagesNameEveryStage() throws {
        let dir = try temporaryDirectory()
        let r = try SwiftJITProcess.run(["ir", "x*2 + sum(x)", "--type", "x=f64[]", "--print-after", "all", "--time-stages"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        for stage in CompileDriver.expressionStages {
            XCTAssertTrue(r.stdout.contains(";; after \(stage.tag)\n"), stage.tag)
            XCTAssertNotNil(r.stderr.range(of: "\n\(stage.tag) +[0-9]+ +[0-9.]+\n", options: .regularExpression), "\(stage.tag): \(r.stderr)")
        }
        XCTAssertTrue(r.stderr.hasPrefix("stage "), r.stderr)
        XCTAssertTrue(r.stderr.contains("\ntotal "), r.stderr)

        let source = dir.appendingPathComponent("k.sj")
        try "kernel twice(a: f64[], n) -> f64 {\n    return a[0] * n\n}\n".write(to: source, atomically: true, encoding: .utf8)
        let k = try SwiftJITProcess.run(["ir", source.path, "--kernel", "twice", "--type", "n=i32", "--print-after", "all",
                                         "--time-stages"], in: dir)
        XCTAssertEqual(k.status, 0, k.stderr)
        for stage in CompileDriver.kernelStages {
            XCTAssertTrue(k.stdout.contains(";; after \(stage.tag)\n"), stage.tag)
            XCTAssertNotNil(k.stderr.range(of: "\n\(stage.tag) +1 +[0-9.]+\n", options: .regularExpression), "\(stage.tag): \(k.stderr)")
        }

        let bad = try SwiftJITProcess.run(["ir", "x", "--type", "x=f64[]", "--print-after", "fold-constant"], in: dir)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("'fold-constant' is not a stage (did you mean 'fold-constants'?)"), bad.stderr)
    }

    /// The typed stages of a small expression, as `--print-after` shows them (stable across
    /// LLVM versions); RECORD_SNAPSHOTS=1 rewrites Cases/print-after.txt.
    func testPrintAfterSnapshot() throws {
        let dir = try temporaryDirectory()
        let stages = ["parse", "lift-reductions", "specialize", "fold-constants", "expand-powers", "dce", "lift-constants"]
        let r = try SwiftJITProcess.run(["ir", "x**2 + 2.5*y - sum(x)", "--type", "x=f64[]", "--type", "y=f64"]
                                        + stages.flatMap { ["--print-after", $0] }, in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().appendingPathComponent("Cases/print-after.txt")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try r.stdout.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        XCTAssertEqual(r.stdout, try String(contentsOf: url, encoding: .utf8), "RECORD_SNAPSHOTS=1 re-records")
    }
}
