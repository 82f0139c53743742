// The REPL's colon commands: :help :vars :type :time :ir :asm :math :threads :cache :load :quit.
import Foundation
import SwiftJIT

extension Session {
    /// Command names with their argument and what they do, for :help and completion.
    static let commands: [(name: String, argument: String, summary: String)] = [
        (":help", "[NAME]", "this list, or what a function, builtin or command does"),
        (":vars", "", "variables (dtype, shape, size) and kernels"),
        (":type", "EXPR", "dtype and shape of a value, and the argument types it was compiled for"),
        (":time", "EXPR", "time a value like %timeit: median and min per call, over runs x loops"),
        (":ir", "EXPR", "optimised LLVM IR of an expression or kernel call for the current variables"),
        (":asm", "EXPR", "host assembly of an expression"),
        (":math", "[strict|relaxed|fast]", "show or set the floating-point mode"),
        (":threads", "[N]", "show or set the threads a call may use"),
        (":cache", "", "what has been compiled so far"),
        (":load", "FILE.sj", "define the kernels and helpers of a file"),
        (":quit", "", "leave (also Ctrl-D)"),
    ]

    func command(_ input: String) throws -> Outcome {
        let trimmed = Fragment(input)
        let name = String(trimmed.text.prefix { !$0.isWhitespace })
        let argument = Fragment(input, from: trimmed.offset + name.utf8.count)
        switch name {
        case ":help", ":h", ":?":
            Console.out(argument.text.isEmpty ? help() : try helpEntry(argument))
        case ":quit", ":q", ":exit": return .quit
        case ":vars": Console.out(variablesTable())
        case ":type": Console.out(try typeText(try prepare(argument)))
        case ":time": Console.out(try timing(try prepare(argument)))
        case ":ir", ":asm":
            let text = try inspect(try prepare(argument), assembly: name == ":asm", at: argument.range)
            Console.out(text.hasSuffix("\n") ? String(text.dropLast()) : text)
        case ":math":
            if !argument.text.isEmpty {
                guard let mode = MathMode(rawValue: argument.text) else {
                    throw InputError("unknown math mode '\(argument.text)'", at: argument.range, note: "modes: strict, relaxed, fast")
                }
                options.mathMode = mode
                try rebuildKernels()
            }
            Console.out("math: \(options.mathMode.rawValue)")
        case ":threads":
            if !argument.text.isEmpty {
                guard let n = Int(argument.text), n >= 1 else {
                    throw InputError("expected a number of threads (1 or more)", at: argument.range)
                }
                JIT.numThreads = n
            }
            Console.out("threads: \(JIT.numThreads)")
        case ":cache": Console.out(cacheText())
        case ":load":
            guard !argument.text.isEmpty else { throw InputError(":load needs a file name", at: trimmed.range) }
            let path = argument.text.hasPrefix("\"") ? String(argument.text.dropFirst().dropLast()) : argument.text
            let source: String
            do { source = try RunKernel.readSource(path) } catch JITError.file(let message) {
                throw InputError(message, at: argument.range)
            }
            let names = try define(source, name: path)
            Console.out("loaded \(path): \(names.joined(separator: ", "))")
        default:
            let hint = NameSuggestion.closest(to: name, in: Self.commands.map(\.name))
            throw InputError("unknown command '\(name)'", at: Fragment(input, from: trimmed.offset, to: trimmed.offset + name.utf8.count).range,
                             note: hint.map { "did you mean '\($0)'?" } ?? "type :help for the commands")
        }
        return .proceed
    }

    private func help() -> String {
        var lines = ["Values: variables, numbers, expressions of the expression language (x*2 + sin(y)),",
                     "kernel calls k(x, 3), and these functions:"]
        let width = REPLFunctions.all.map(\.usage.count).max() ?? 0
        for f in REPLFunctions.all {
            lines.append("  " + f.usage.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + f.summary)
        }
        lines += ["NAME = value stores, a bare value prints; `kernel name(params) { ... }` defines a kernel",
                  "(continued over lines until its braces balance). x[1], x[-1], x[1:8:2], x[::-1], m[0, :], t[..., 0]",
                  "are views of variables (NumPy's basic indexing), in expressions too: x[1:] - x[:-1]. Commands:"]
        let commandWidth = Self.commands.map { $0.name.count + $0.argument.count + 1 }.max() ?? 0
        for c in Self.commands {
            let head = c.argument.isEmpty ? c.name : c.name + " " + c.argument
            lines.append("  " + head.padding(toLength: commandWidth, withPad: " ", startingAt: 0) + "  " + c.summary)
        }
        lines.append("Keys: arrows, Home/End, Ctrl-A/E/K/U/W, Alt-b/f and Ctrl-Left/Right by words, Up/Down history,")
        lines.append("Ctrl-R searches it, Tab completes, Ctrl-C clears the line")
        lines.append("(and stops a running computation, keeping the session).")
        return lines.joined(separator: "\n")
    }

    /// `:help NAME`: the entry of a builtin (from the builtin table), a REPL function or a command.
    private func helpEntry(_ argument: Fragment) throws -> String {
        let name = argument.text
        if let fn = Builtins.lookup(name) {
            var lines: [String] = []
            let parameters = ["x", "y", "z"].prefix(fn.arity).joined(separator: ", ")
            let head = fn.summary.hasPrefix(fn.name + "(") ? "" : "\(fn.name)(\(parameters)): "
            lines.append(head + fn.summary)
            if fn.name != name { lines.append("(\(name) is another name for \(fn.name))") }
            let aliases = Builtins.aliases.filter { $0.value == fn.name }.map(\.key).sorted()
            if !aliases.isEmpty { lines.append("also called: \(aliases.joined(separator: ", "))") }
            var accepts = ["integers", "floats"]
            if fn.acceptsBool { accepts.insert("bools", at: 0) }
            if fn.acceptsComplex { accepts.append("complex") }
            if fn.typing != .expansion && fn.typing != .random { lines.append("accepts: \(accepts.joined(separator: ", "))") }
            return lines.joined(separator: "\n")
        }
        if let value = BuiltinExpansion.constants[name] {
            return "\(name): the constant \(value) (a variable of that name is read instead)"
        }
        if let f = REPLFunctions.named(name) { return "\(f.usage): \(f.summary)" }
        let command = name.hasPrefix(":") ? name : ":" + name
        if let c = Self.commands.first(where: { $0.name == command }) {
            return (c.argument.isEmpty ? c.name : c.name + " " + c.argument) + ": " + c.summary
        }
        let known = Builtins.all.map(\.name) + REPLFunctions.all.map(\.name) + Self.commands.map(\.name)
        throw InputError("no help for '\(name)'", at: argument.range,
                         note: NameSuggestion.closest(to: name, in: known).map { "did you mean '\($0)'?" } ?? "type :help for everything")
    }

    private func variablesTable() -> String {
        var rows = [["name", "dtype", "shape", "size"]]
        for name in variables.keys.sorted() {
            let v = variables[name]!
            rows.append([name, v.dtype.rawValue, ArrayFormatter.shapeText(v.shape), Self.bytesText(v.count * v.dtype.size)])
        }
        let widths = (0..<4).map { c in rows.map { $0[c].count }.max()! }
        var lines = rows.count == 1 ? ["no variables"] : rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        if let module {
            for decl in module.ast.declarations {
                let params = decl.parameters.map { p in p.type.map { "\(p.name): \($0)" } ?? p.name }.joined(separator: ", ")
                lines.append("\(decl.isHelper ? "func" : "kernel") \(decl.name)(\(params))"
                             + (decl.returnType.map { " -> \($0)" } ?? ""))
            }
        }
        return lines.joined(separator: "\n")
    }

    static func bytesText(_ n: Int) -> String {
        if n < 1024 { return "\(n) B" }
        if n < 1 << 20 { return String(format: "%.1f KB", Double(n) / 1024) }
        if n < 1 << 30 { return String(format: "%.1f MB", Double(n) / 1048576) }
        return String(format: "%.1f GB", Double(n) / 1073741824)
    }

    /// `(x: f64[]) -> float64 (300000,)`: argument types, then the value's dtype and shape.
    private func typeText(_ prepared: Prepared) throws -> String {
        let values = try prepared.run()
        let result = values.map(ArrayFormatter.describe).joined(separator: ", ")
        switch prepared {
        case .expression(let f, let arguments, _, _):
            let types = f.parameterNames.compactMap { name in arguments[name].map { "\(name): \(Self.typeName($0))" } }
            return "(\(types.joined(separator: ", "))) -> \(result)"
        case .kernel(let k, let arguments):
            let types = zip(k.decl.parameters, arguments).map { "\($0.name): \(Self.typeName($1))" }
            return "\(k.name)(\(types.joined(separator: ", "))) -> \(values.count == 1 ? result : "(\(result))")"
        case .function(let name, _):
            return "\(name)(...) -> \(values.isEmpty ? "nothing" : result)"
        case .view:
            return "view -> \(result)"
        }
    }

    /// The argument type of a value: `f64`, `f64[]`, `i32[,]`.
    static func typeName(_ a: NDArray) -> String {
        "\(ArgumentType(dtype: a.dtype, rank: a.rank))"
    }

    private func inspect(_ prepared: Prepared, assembly: Bool, at range: SourceRange) throws -> String {
        switch prepared {
        case .expression(let f, _, _, _):
            let types = try prepared.boundArguments().mapValues { ArgumentType(dtype: $0.dtype, rank: $0.rank) }
            return assembly ? try f.assembly(types) : try f.llvmIR(types)
        case .kernel(let k, let arguments):
            guard !assembly else { throw InputError(":asm shows expressions; for kernels use :ir", at: range) }
            return try k.llvmIR(arguments.map { ArgumentType(dtype: $0.dtype, rank: $0.rank) })
        case .function(let name, _):
            throw InputError("'\(name)' is a REPL function, not compiled code", at: range)
        case .view:
            throw InputError("a view of a variable is not compiled code", at: range)
        }
    }

    private func cacheText() -> String {
        var lines = ["LLVM compilations: \(JIT.llvmCompilations) (each distinct expression stage or kernel, per argument types and options)"]
        lines.append("math: \(options.mathMode.rawValue), threads: \(JIT.numThreads)")
        if let module { lines.append("kernels: \(module.kernelNames.joined(separator: ", "))") }
        lines.append("Compiled code is kept in memory for the session; a repeated call does no LLVM work.")
        return lines.joined(separator: "\n")
    }
}
