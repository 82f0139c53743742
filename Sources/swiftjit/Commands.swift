// Subcommands: eval, ir, asm, functions (bench is in BenchCommand.swift, repl in REPL/).
import ArgumentParser
import Foundation
import SwiftJIT

/// A failure that is the user's but not a usage error (exit code 1).
struct UserError: Error {
    var message: String
}

extension MathMode: ExpressibleByArgument {}

struct SwiftJITCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftjit",
        abstract: "Compile and run numexpr-style expressions with LLVM.",
        discussion: """
            --llvm N|PATH (anywhere before --) chooses the LLVM for any command, over SWIFTJIT_LLVM; \
            the default is the newest installed of LLVM 14 to 19. LLVM is loaded only when something is compiled.
            """,
        version: LLVMOption.versionText,
        subcommands: [Repl.self, Eval.self, IR.self, Asm.self, Functions.self, RunKernel.self, Compile.self, Cache.self,
                      Bench.self, Overhead.self, CompileBench.self])
}

/// The expression (positional, `--expr` or `--expr-file`) and the math mode.
struct ExpressionOptions: ParsableArguments {
    @Argument(help: "The expression, e.g. 'a*exp(-x**2)'. May begin with '-'.")
    var expression: String?

    // Set by ArgumentRewriting for expressions that begin with '-'.
    @Option(name: .customLong("expr"), help: .hidden)
    var expressionOption: String?

    @Option(name: .customLong("expr-file"), help: ArgumentHelp("Read the expression from a file.", valueName: "path"))
    var expressionFile: String?

    @Option(help: "Floating-point mode: strict, relaxed or fast.")
    var math: MathMode = .relaxed

    func validate() throws {
        let given = [expression != nil, expressionOption != nil, expressionFile != nil].filter { $0 }.count
        if given == 0 { throw ValidationError("Missing expression (give EXPR or --expr-file PATH).") }
        if given > 1 { throw ValidationError("Give the expression once: either EXPR or --expr-file PATH.") }
    }

    /// The expression text.
    func source() throws -> String {
        if let path = expressionFile {
            guard FileManager.default.fileExists(atPath: path) else {
                throw JITError.file("cannot read expression file '\(path)': no such file")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw JITError.file("cannot read expression file '\(path)'")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw JITError.file("expression file '\(path)' is not UTF-8 text")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return expression ?? expressionOption ?? ""
    }

    func compile() throws -> CompiledExpression {
        try JIT.compile(try source(), options: JIT.Options(mathMode: math))
    }

    /// Kernel `name` of the source file the argument names (`ir --kernel`, `asm --kernel`).
    func kernel(_ name: String) throws -> Kernel {
        let path = try source()
        return try JIT.kernels(try RunKernel.readSource(path), name: path, options: JIT.Options(mathMode: math)).kernel(name)
    }
}

/// Parses `NAME=VALUE`, checking NAME is an identifier.
func splitBinding(_ text: String, option: String, valueName: String) throws -> (String, String) {
    guard let eq = text.firstIndex(of: "=") else {
        throw ValidationError("\(option) '\(text)' must have the form NAME=\(valueName)")
    }
    let name = String(text[..<eq]), value = String(text[text.index(after: eq)...])
    guard let first = name.first, first.isLetter || first == "_",
          name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), name.allSatisfy(\.isASCII) else {
        throw ValidationError("\(option) '\(text)': '\(name)' is not a variable name")
    }
    guard !value.isEmpty else { throw ValidationError("\(option) '\(text)' has no \(valueName) after '='") }
    return (name, value)
}

/// Checks the NAME=VALUE syntax while parsing, so errors come with the subcommand's usage.
func checkBindings(_ bindings: [String], option: String, valueName: String) throws {
    var seen = Set<String>()
    for binding in bindings {
        let name = try splitBinding(binding, option: option, valueName: valueName).0
        guard seen.insert(name).inserted else { throw ValidationError("\(option): '\(name)' is given twice") }
    }
}

/// `--var NAME=PATH.npy` options, read.
func readVariables(_ bindings: [String]) throws -> [(String, NDArray)] {
    try bindings.map { binding in
        let (name, path) = try splitBinding(binding, option: "--var", valueName: "PATH.npy")
        return (name, try NPY.read(path: path))
    }
}

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate an expression over .npy files.",
        discussion: """
            Examples:
              swiftjit eval 'a*x + b' --var a=a.npy --var x=x.npy --var b=b.npy --out y.npy
              swiftjit eval -x**2 --var x=x.npy
              swiftjit eval 'x * k' --var x=x.npy --var k=3.5
            VALUE is a .npy file or a scalar: integer text is an int64, other number text (1.5, 1e-3, \
            nan, inf) a float64 and true/false a bool. A --var the expression does not read is ignored \
            with a note (--strict refuses it). Without --out the result is printed (a scalar plainly, \
            with its dtype when not the default). A scalar result is written as a 0-d array.
            """)

    @OptionGroup var expression: ExpressionOptions

    @Option(name: .customLong("var"), help: ArgumentHelp("Bind a variable to a .npy file or a scalar.",
                                                         valueName: "NAME=PATH.npy|VALUE"))
    var variables: [String] = []

    @Flag(help: "Refuse a --var the expression does not read (by default it is ignored with a note).")
    var strict = false

    @Option(help: ArgumentHelp("Write the result to a .npy file instead of printing it.", valueName: "path"))
    var out: String?

    @Option(help: "Threads to use (default: SWIFTJIT_NUM_THREADS, else the cores available).")
    var threads: Int?

    func validate() throws {
        try checkBindings(variables, option: "--var", valueName: "PATH.npy|VALUE")
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        if let threads { JIT.numThreads = threads }
        let f = try expression.compile()
        let bindings = try variables.map { try splitBinding($0, option: "--var", valueName: "PATH.npy|VALUE") }
        let readable = f.parameterNames + f.shadowableConstants
        let unused = bindings.map(\.0).filter { !readable.contains($0) }
        if !unused.isEmpty {
            let names = unused.map { "'\($0)'" }.joined(separator: ", ")
            let reads = f.parameterNames.isEmpty ? "no variables" : f.parameterNames.joined(separator: ", ")
            if strict { throw UserError(message: "unexpected variable \(names) (--strict); the expression reads \(reads)") }
            FileHandle.standardError.write(Data("note: ignoring --var \(names): the expression reads \(reads)\n".utf8))
        }
        var arguments: [String: any JITArgument] = [:]
        for (name, text) in bindings where readable.contains(name) {
            arguments[name] = try RunKernel.untypedValue(text)
        }
        let missing = f.parameterNames.filter { arguments[$0] == nil }
        if !missing.isEmpty {
            throw UserError(message: "no value for \(missing.map { "'\($0)'" }.joined(separator: ", ")); give \(missing.map { "--var \($0)=PATH.npy|VALUE" }.joined(separator: " "))")
        }
        let result = try f.call(arguments, out: nil)
        if let out {
            try NPY.write(result, to: out)
        } else {
            print(ArrayFormatter.display(result))
        }
    }
}

/// `--var` files and `--type` declarations, as argument types.
struct SignatureOptions: ParsableArguments {
    @Option(name: .customLong("var"), help: ArgumentHelp("Take a variable's type from a .npy file.", valueName: "NAME=PATH.npy"))
    var variables: [String] = []

    @Option(name: .customLong("type"), help: ArgumentHelp("Declare a variable's type: f64, f64[], i32[,], bool[] ...", valueName: "NAME=TYPE"))
    var types: [String] = []

    func validate() throws {
        try checkBindings(variables, option: "--var", valueName: "PATH.npy")
        try checkBindings(types, option: "--type", valueName: "TYPE")
        var seen = Set<String>()
        for binding in variables + types {
            let (name, value) = try splitBinding(binding, option: "--var", valueName: "PATH.npy")
            guard seen.insert(name).inserted else { throw ValidationError("'\(name)' is given twice") }
            if types.contains(binding), ArgumentType(parsing: value) == nil {
                throw ValidationError("--type '\(binding)': '\(value)' is not a type (examples: f64, f64[], i32[,], bool[])")
            }
        }
    }

    func argumentTypes() throws -> [String: ArgumentType] {
        var result: [String: ArgumentType] = [:]
        for (name, array) in try readVariables(variables) {
            result[name] = ArgumentType(dtype: array.dtype, rank: array.rank)
        }
        for binding in types {
            let (name, text) = try splitBinding(binding, option: "--type", valueName: "TYPE")
            guard result[name] == nil else { throw ValidationError("'\(name)' is given twice") }
            guard let type = ArgumentType(parsing: text) else {
                throw ValidationError("--type '\(binding)': '\(text)' is not a type (examples: f64, f64[], i32[,], bool[])")
            }
            result[name] = type
        }
        return result
    }
}

/// Checks that `types` names exactly the parameters of `f`, and orders them.
func signature(of f: CompiledExpression, _ types: [String: ArgumentType]) throws -> Signature {
    let missing = f.parameterNames.filter { types[$0] == nil }
    if !missing.isEmpty {
        throw UserError(message: "no type for \(missing.map { "'\($0)'" }.joined(separator: ", ")); give --var NAME=PATH.npy or --type NAME=f64[]")
    }
    let extra = Set(types.keys).subtracting(f.parameterNames).sorted()
    if !extra.isEmpty {
        throw UserError(message: "unexpected variable \(extra.map { "'\($0)'" }.joined(separator: ", ")); the expression reads \(f.parameterNames.isEmpty ? "no variables" : f.parameterNames.joined(separator: ", "))")
    }
    return Signature(f.parameterNames.compactMap { name in types[name].map { (name, $0) } })
}

struct IR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ir",
        abstract: "Print the optimised LLVM IR (or typed IR) of an expression or a kernel for given argument types.",
        discussion: """
            Examples:
              swiftjit ir 'a*x + b' --type a=f64 --type x=f64[] --type b=f64[] --typed
              swiftjit ir Examples/lu.sj --kernel lu_pivot_product --type M=f64[,] --typed
              swiftjit ir 'x*2 + 1' --type x=f64[] --print-after fold-constants --print-after lower
              swiftjit ir Examples/lu.sj --kernel lu_pivot_product --type M=f64[,] --time-stages
            With --kernel the argument is a kernel source file; parameters without a --type or --var \
            take their declared types.
            --print-after and --time-stages compile once through every stage (lower, optimize, codegen \
            and link run even when the object is cached). Stages of an expression: \
            \(CompileDriver.expressionStages.map(\.tag).joined(separator: ", ")); of a kernel: \
            \(CompileDriver.kernelStages.map(\.tag).joined(separator: ", ")). The text after a stage follows \
            a line ';; after STAGE'; the time table goes to standard error.
            """)

    @OptionGroup var expression: ExpressionOptions
    @OptionGroup var signatureOptions: SignatureOptions

    @Flag(help: "Print the typed IR after SwiftJIT's passes instead of LLVM IR.")
    var typed = false

    @Option(help: ArgumentHelp("Print a kernel of the source file given as the argument.", valueName: "NAME"))
    var kernel: String?

    @Option(name: .customLong("print-after"),
            help: ArgumentHelp("Print the IR after a compile stage instead (repeatable; 'all': every stage).", valueName: "STAGE"))
    var printAfter: [String] = []

    @Flag(name: .customLong("time-stages"), help: "Print each compile stage's time (ms) to standard error.")
    var timeStages = false

    func validate() throws {
        for tag in printAfter where tag != "all" && !CompileDriver.tags.contains(tag) {
            let hint = NameSuggestion.closest(to: tag, in: CompileDriver.tags).map { " (did you mean '\($0)'?)" } ?? ""
            throw ValidationError("--print-after '\(tag)' is not a stage\(hint); stages: \(CompileDriver.tags.joined(separator: ", ")), all")
        }
    }

    func run() throws {
        let types = try signatureOptions.argumentTypes()
        if !printAfter.isEmpty || timeStages { return try traceStages(types) }
        if let kernel {
            let k = try expression.kernel(kernel)
            let argumentTypes = try kernelArgumentTypes(k, types)
            let text = typed ? try k.typedKernel(argumentTypes).description : try k.llvmIR(argumentTypes)
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            return
        }
        let f = try expression.compile()
        let sig = try signature(of: f, types)
        if typed {
            let text = try f.typedIR(sig).description
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        } else {
            print(try f.llvmIR(types), terminator: "")
        }
    }
}

extension IR {
    /// One compile through every stage, printing after the stages asked for and timing them.
    func traceStages(_ types: [String: ArgumentType]) throws {
        let trace = StageTrace(printAfter: Set(printAfter)) { stage, text in
            print(";; after \(stage)")
            print(text, terminator: text.hasSuffix("\n") || text.isEmpty ? "" : "\n")
        }
        let options = JIT.Options(mathMode: expression.math)
        if let kernel {
            let path = try expression.source()
            try CompileDriver.compileKernel(try RunKernel.readSource(path), sourceName: path, kernel: kernel,
                                            options: options, trace: trace) { try kernelArgumentTypes($0, types) }
        } else {
            let f = try expression.compile()
            _ = try signature(of: f, types)
            try CompileDriver.compileExpression(try expression.source(), types: types, options: options, trace: trace)
        }
        if timeStages {
            fflush(nil)
            let stages = kernel == nil ? CompileDriver.expressionStages : CompileDriver.kernelStages
            FileHandle.standardError.write(Data(CompileDriver.timeTable(trace, stages: stages).utf8))
        }
    }
}

/// A kernel's argument types: given by name (`--type`, `--var`) or declared in its source.
func kernelArgumentTypes(_ k: Kernel, _ types: [String: ArgumentType]) throws -> [ArgumentType] {
    let names = k.decl.parameters.map(\.name)
    if let extra = types.keys.sorted().first(where: { !names.contains($0) }) {
        throw UserError(message: "kernel '\(k.name)' has no parameter '\(extra)' (its parameters: \(names.joined(separator: ", ")))")
    }
    let declared = k.decl.parameters.map { p -> ArgumentType? in
        guard case .scalar(let name, let rank)? = p.type, let d = DType(name: name) else { return nil }
        return ArgumentType(dtype: d, rank: rank)
    }
    return try zip(names, declared).map { name, declared in
        guard let t = types[name] ?? declared else {
            throw UserError(message: "parameter '\(name)' of kernel '\(k.name)' has no declared type; give --type \(name)=TYPE")
        }
        return t
    }
}

struct Asm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asm",
        abstract: "Print the host assembly of an expression or a kernel for given argument types.",
        discussion: """
            Examples:
              swiftjit asm 'x*(1+x*(1+x))' --type x=f64[]
              swiftjit asm 'a*x + b' --type a=f64 --type x=f64[] --type b=f64[] --streaming
              swiftjit asm Examples/lu.sj --kernel lu_pivot_product --type M=f64[,]
            With --kernel the argument is a kernel source file; parameters without a --type or --var \
            take their declared types.
            """)

    @OptionGroup var expression: ExpressionOptions
    @OptionGroup var signatureOptions: SignatureOptions
    @Flag(help: "The variant that writes outputs with non-temporal stores (large outputs: SWIFTJIT_STREAMING_STORES).")
    var streaming = false
    @Option(help: ArgumentHelp("Print a kernel of the source file given as the argument.", valueName: "NAME"))
    var kernel: String?

    func validate() throws {
        if kernel != nil && streaming {
            throw ValidationError("--streaming is for expressions; a kernel's loops stream through tiles at run time")
        }
    }

    func run() throws {
        let types = try signatureOptions.argumentTypes()
        if let kernel {
            let k = try expression.kernel(kernel)
            let text = try k.assembly(try kernelArgumentTypes(k, types))
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            return
        }
        let f = try expression.compile()
        _ = try signature(of: f, types)
        print(try f.assembly(types, streaming: streaming), terminator: "")
    }
}

struct Functions: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the builtin functions.")

    @Flag(help: "Print the builtin table as JSON (name, arity, typing, lowering, bool/complex, summary).")
    var json = false

    func run() throws {
        if json { return print(try Self.json()) }
        let width = Builtins.all.map(\.name.count).max() ?? 0
        print("name".padding(toLength: width, withPad: " ", startingAt: 0) + "  arity  summary")
        for b in Builtins.all {
            let arity = String(b.arity)
            print(b.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                  + String(repeating: " ", count: max(0, 5 - arity.count)) + arity + "  " + b.summary)
        }
    }
}
