// CompileDriver: every stage an expression or a kernel goes through, listed in order in one place
// (Halide's Lower.cpp), each with a tag that `swiftjit ir --print-after TAG` and `--time-stages`
// use. In: source text, argument types and one `CompileOptions` (every setting that changes the
// code; the object key is derived from it). Out: native code from the engine's caches or
// compiled now.
//
//     expression: parse -> lift-reductions -> specialize -> [Pipeline.passes] -> lift-constants
//                 -> lower -> optimize -> codegen -> link
//     kernel:     parse -> check -> lower -> optimize -> codegen -> link
//
// The stages run at different times: parsing and reduction lifting when an expression is compiled
// (`JIT.compile`), specialization and the rest on the first call with a new argument signature;
// lower, optimize and codegen only when neither cache (memory, disk) holds the object. Every one
// of them is started from a function below; a `StageTrace` passed along times them and prints the
// result of those asked for.
import Foundation
import JITLowering
import JITRuntime
import JITSema
import JITSyntax

/// One stage of a compile: its tag, the target that implements it, what goes in, what comes out.
public struct CompileStage: Sendable, Equatable {
    /// The kebab-case tag `--print-after` and `--time-stages` use.
    public var tag: String
    /// The SwiftPM target that does the work.
    public var target: String
    /// What goes in.
    public var input: String
    /// What comes out (and is printed after the stage).
    public var output: String

    init(_ tag: String, _ target: String, _ input: String, _ output: String) {
        self.tag = tag
        self.target = target
        self.input = input
        self.output = output
    }
}

/// Runs the stages of a compile, in the order its stage lists give.
public enum CompileDriver {
    /// The back end, shared by expressions and kernels (run by the engine on a cache miss).
    static let backEnd: [CompileStage] = [
        CompileStage("lower", "JITLowering", "typed IR", "LLVM IR"),
        CompileStage("optimize", "LLVMKit", "LLVM IR", "optimised LLVM IR"),
        CompileStage("codegen", "LLVMKit", "optimised LLVM IR", "object file (printed: assembly)"),
        CompileStage("link", "JITRuntime", "object file", "entry point in the JIT"),
    ]

    /// Every stage of an elementwise expression, in order. Each lifted reduction and the final
    /// expression go through `specialize` and the stages after it once per argument signature.
    public static let expressionStages: [CompileStage] = [
        CompileStage("parse", "JITSyntax", "source text", "AST (subscripts extracted, builtins expanded)"),
        CompileStage("lift-reductions", "JITSema", "AST", "reduction steps and a final elementwise AST"),
        CompileStage("specialize", "JITSema", "AST and argument types", "typed IR"),
    ] + Pipeline.passes.map { CompileStage($0.tag, "JITSema", "typed IR", "typed IR") } + [
        CompileStage("lift-constants", "JITSema", "typed IR", "typed IR with float constants as parameters"),
    ] + backEnd

    /// Every stage of a kernel, in order (`check` runs the typed-IR passes on each scalar expression).
    public static let kernelStages: [CompileStage] = [
        CompileStage("parse", "JITSyntax", "source text", "kernel declarations (AST)"),
        CompileStage("check", "JITSema", "kernel AST and argument types", "typed kernel IR"),
    ] + backEnd

    /// Every tag `--print-after` accepts (`all` besides).
    public static var tags: [String] {
        var seen = Set<String>()
        return (expressionStages + kernelStages).map(\.tag).filter { seen.insert($0).inserted }
    }

    // MARK: expressions

    /// An expression after `parse` and `lift-reductions`.
    struct ParsedExpression {
        /// The parsed expression before builtin expansion (for the constants it names).
        var parsed: Expr
        var subscripts: [ExpressionSubscript]
        /// After subscript extraction and builtin expansion.
        var expanded: Expr
        var program: ReductionProgram
    }

    /// Stages `parse` and `lift-reductions`; throws `DiagnosticError`.
    static func parse(_ source: SourceText, keeping kept: Set<String>, trace: StageTrace?) throws -> ParsedExpression {
        let (parsed, subscripts, expanded) = try trace.run("parse", {
            let (parsed, subscripts) = try ExpressionSubscripts.extract(try Parser.parseExpression(source), source: source)
            return (parsed, subscripts, BuiltinExpansion.expand(parsed, keeping: kept))
        }, text: { "\($0.2)\n" })
        let program = try trace.run("lift-reductions", { try ReductionLifting.lift(expanded, source: source) },
                                    text: describe)
        return ParsedExpression(parsed: parsed, subscripts: subscripts, expanded: expanded, program: program)
    }

    /// Stage `specialize`, then the typed-IR passes unless `optimize` is false.
    static func specialize(_ expr: Expr, source: SourceText, signature: Signature, output: ArgumentType?,
                           reduction: ReductionOp?, options: CompileOptions, optimize: Bool = true,
                           trace: StageTrace?) throws -> IRFunction {
        let raw: IRFunction
        do {
            raw = try trace.run("specialize", {
                try TypeSpecializer.specialize(expr, source: source, signature: signature, output: output, reduction: reduction)
            }, text: \.description)
        } catch let d as DiagnosticError {
            throw JITError.diagnostics(d)
        }
        guard optimize else { return raw }
        return Pipeline.run(raw, options: options.passes, trace: trace)
    }

    /// Stage `lift-constants`, then the back end from the engine's caches or run now.
    static func native(_ function: IRFunction, options: CompileOptions,
                       trace: StageTrace?) throws -> (kernel: CompiledKernel, constants: LiftedConstants) {
        let lifted = liftConstants(function, trace: trace)
        return (try Engine.shared.kernel(for: lifted.function, options: options, trace: trace), lifted)
    }

    /// Stage `lift-constants`: the code a call compiles, with its float constants as parameters.
    static func liftConstants(_ function: IRFunction, trace: StageTrace?) -> LiftedConstants {
        trace.run("lift-constants", { JITSema.liftConstants(function) }, text: { $0.function.description })
    }

    // MARK: kernels

    /// Stage `parse` of a kernel source; throws `DiagnosticError`.
    static func parseKernels(_ source: SourceText, trace: StageTrace?) throws -> KernelModuleAST {
        try trace.run("parse", {
            let ast = try Parser.parseKernels(source)
            try KernelNames.check(ast)
            return ast
        }, text: describe)
    }

    /// Stage `check`: kernel `name` of `ast` typed for `types`.
    static func check(_ ast: KernelModuleAST, kernel name: String, types: [ArgumentType], options: CompileOptions,
                      trace: StageTrace?) throws -> TypedKernel {
        do {
            return try trace.run("check", {
                try KernelChecker.check(ast, kernel: name, arguments: types, options: options.passes)
            }, text: \.description)
        } catch let d as DiagnosticError {
            throw JITError.diagnostics(d)
        }
    }

    /// The back end of a typed kernel, from the engine's caches or run now.
    static func native(_ kernel: TypedKernel, options: CompileOptions, trace: StageTrace?) throws -> CompiledKernelFunction {
        try Engine.shared.kernelFunction(for: kernel, options: options, trace: trace)
    }

    // MARK: one compile through every stage

    /// Compiles `source` for named argument types through every stage, running the back end now
    /// rather than taking the object from a cache, so that every stage runs and is timed and
    /// printed through `trace` (`swiftjit ir --print-after`, `--time-stages`). The code is freed
    /// on return; nothing enters the caches.
    public static func compileExpression(_ source: String, types: [String: ArgumentType], options: JIT.Options = JIT.Options(),
                                         trace: StageTrace) throws {
        // Named constants bound as variables are read as variables (as a call would).
        let kept = Set(try CompiledExpression(source: source, options: options).shadowableConstants.filter { types[$0] != nil })
        let e = try CompiledExpression(source: source, options: options, keepingConstants: kept, trace: trace)
        try e.checkNames(Set(types.keys))
        for (stage, signature) in try e.signatures(types) {
            let lifted = liftConstants(try stage.typedIR(signature, trace: trace), trace: trace)
            try Engine.shared.compileUncached(.expression(lifted.function), options: options.compileOptions, trace: trace)
        }
    }

    /// Compiles kernel `name` of a kernel source (`sourceName` names it in diagnostics) through
    /// every stage, like `compileExpression`; `types` gives its argument types once it is parsed.
    public static func compileKernel(_ source: String, sourceName: String, kernel name: String,
                                     options: JIT.Options = JIT.Options(), trace: StageTrace,
                                     types: (Kernel) throws -> [ArgumentType]) throws {
        let kernel = try KernelModule(source: source, name: sourceName, options: options, trace: trace).kernel(name)
        let typed = try kernel.typedKernel(try types(kernel), trace: trace)
        try Engine.shared.compileUncached(.kernel(typed), options: options.kernelCompileOptions, trace: trace)
    }

    /// The time table of a traced compile: one row per stage tag in the order of `stages`, with
    /// how often it ran and its total milliseconds, and the total.
    public static func timeTable(_ trace: StageTrace, stages: [CompileStage]) -> String {
        var order: [String] = []
        for s in stages where !order.contains(s.tag) { order.append(s.tag) }
        var runs: [String: Int] = [:], seconds: [String: Double] = [:]
        for e in trace.entries {
            if !order.contains(e.stage) { order.append(e.stage) }
            runs[e.stage, default: 0] += 1
            seconds[e.stage, default: 0] += e.seconds
        }
        let width = max(5, order.map(\.count).max() ?? 0)
        func row(_ name: String, _ count: String, _ ms: String) -> String {
            name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + String(repeating: " ", count: max(0, 4 - count.count)) + count + "  "
                + String(repeating: " ", count: max(0, 10 - ms.count)) + ms
        }
        func ms(_ s: Double) -> String { String(format: "%.3f", s * 1000) }
        var lines = [row("stage", "runs", "ms")]
        for tag in order {
            lines.append(row(tag, String(runs[tag] ?? 0), runs[tag] == nil ? "-" : ms(seconds[tag] ?? 0)))
        }
        lines.append(row("total", String(trace.entries.count), ms(trace.entries.reduce(0) { $0 + $1.seconds })))
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: printed forms

    /// The reduction steps and the final expression, one line each.
    static func describe(_ program: ReductionProgram) -> String {
        var lines = program.steps.map { step -> String in
            var extras = step.axis.map { [", axis=\($0)"] } ?? []
            if step.keepDims { extras.append(", keepdims") }
            if let count = step.count { extras.append("; \(count) = count - \(step.ddof)") }
            return "\(step.name) = \(step.op.rawValue)(\(step.argument)\(extras.joined()))"
        }
        lines.append("result = \(program.final)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The declarations of a kernel source, one line each.
    static func describe(_ ast: KernelModuleAST) -> String {
        ast.declarations.map { d in
            let params = d.parameters.map { p in p.type.map { "\(p.name): \($0)" } ?? p.name }
            return "\(d.isHelper ? "func" : "kernel") \(d.name)(\(params.joined(separator: ", ")))"
                + (d.returnType.map { " -> \($0)" } ?? "") + " { \(d.body.count) statements }"
        }.joined(separator: "\n") + "\n"
    }
}

extension JIT.Options {
    /// The compile options expressions compile with (their bounds are checked by the runtime,
    /// not the code: the lowering default).
    var compileOptions: CompileOptions {
        CompileOptions(mathMode: mathMode, optimizationLevel: optimizationLevel)
    }

    /// The compile options kernels compile with.
    var kernelCompileOptions: CompileOptions {
        CompileOptions(mathMode: mathMode, optimizationLevel: optimizationLevel, boundsChecks: boundsChecks)
    }
}
