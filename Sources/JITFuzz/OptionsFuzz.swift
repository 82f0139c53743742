// Fuzz target `options`: what a user gives the CLI (`swiftjit compile --cpu --features --math
// --signature`) and the API (`precompile(cpu:features:)`, `JIT.Options`), as lines of the input:
//     CPU name (empty: the host's)
//     feature string (empty: the default)
//     math mode (strict | relaxed | fast)
//     argument type of x (f64[], f32, i64[,], ...)
// -> validation -> when accepted, an exported object of a small expression compiled by LLVM for
// that CPU and those features. LLVM aborts the process on a CPU or feature it cannot compile for,
// so an accepted input that reaches LLVM and aborts is a finding.
import JITLowering
import JITRuntime
import JITSema
import JITSyntax

enum OptionsFuzz {
    /// The expression compiled for an accepted input: float arithmetic, a libm call, a select.
    static let expression = "x * (1 + x) + sqrt(abs(x)) + where(x > 0, x, -x)"

    @Sendable static func run(_ bytes: [UInt8]) -> FuzzOutcome {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func line(_ i: Int) -> String? { i < lines.count && !lines[i].isEmpty ? lines[i] : nil }
        return outcome {
            let cpu = line(0), features = line(1)
            try Engine.shared.validateTarget(cpu: cpu, features: features)
            let mode = try line(2).map { text -> MathMode in
                guard let m = MathMode(rawValue: text) else { throw FuzzOptionError("unknown math mode '\(text)'") }
                return m
            } ?? .relaxed
            let type = try line(3).map { text -> ArgumentType in
                guard let t = ArgumentType(parsing: text) else { throw FuzzOptionError("bad type '\(text)'") }
                return t
            } ?? .array(.float64)
            let source = SourceText(expression)
            let f = try TypeSpecializer.specialize(try Parser.parseExpression(source), source: source,
                                                   signature: Signature([("x", type)]))
            let options = LoweringOptions(mathMode: mode)
            _ = try Engine.shared.exportObject(.expression(Pipeline.run(f, options: PassOptions(mathMode: mode))),
                                               symbol: "fuzz_options", options: options, cpu: cpu, features: features)
        }
    }
}

struct FuzzOptionError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
