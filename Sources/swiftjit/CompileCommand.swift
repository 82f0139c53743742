// `swiftjit compile`: fill the object cache ahead of time (for the host or a named CPU), or export
// a C-ABI object and header (docs/cache.md).
import ArgumentParser
import Foundation
import SwiftJIT

struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile kernels or an expression ahead of time: into the object cache, or to a C object and header.",
        discussion: """
            Examples:
              swiftjit compile Examples/mandelbrot.sj mandelbrot --signature 'f64[], f64[], i64'
              swiftjit compile Examples/lu.sj --signature 'M: f64[,]' --cpu x86-64-v3
              swiftjit compile --expr 'x*(1+x*(1+x))' --signature 'x: f64[]' --signature 'x: f32[]'
              swiftjit compile Examples/mandelbrot.sj mandelbrot --signature 'f64[], f64[], i64' \\
                  --emit-object mandel.o --emit-header mandel.h

            A signature lists argument types (f64, i32[], f32[,], bool[], ...) separated by commas, in \
            parameter order or as NAME: TYPE. Kernels whose parameters all have declared types need no \
            signature. Without KERNEL every kernel of the file is compiled. The cache is \
            SWIFTJIT_CACHE_DIR, else $XDG_CACHE_HOME/swiftjit, else ~/.cache/swiftjit. An entry made \
            for --cpu is used by a machine whose CPU name and features (`swiftjit cache info` shows \
            them) match --cpu and --features.
            With --emit-object/--emit-header one kernel (or the expression) and one signature are \
            compiled to an object for the system linker and a header declaring the C function (named \
            after the kernel, or --name); kernels link against the runtime library (scripts/build-runtime).
            """)

    @Argument(help: ArgumentHelp("A kernel source file.", valueName: "file.sj"))
    var file: String?

    @Argument(help: "The kernel to compile (default: every kernel of the file).")
    var kernel: String?

    @Option(name: .customLong("expr"), help: ArgumentHelp("Compile this expression instead of a kernel file.", valueName: "EXPR"))
    var expression: String?

    @Option(name: .customLong("signature"), help: ArgumentHelp("Argument types, e.g. 'f64[], i64' or 'x: f64[]'; repeatable.", valueName: "SIG"))
    var signatures: [String] = []

    @Option(help: ArgumentHelp("Compile for this CPU (an LLVM CPU name such as x86-64-v3 or znver3) instead of the host.", valueName: "NAME"))
    var cpu: String?

    @Option(help: ArgumentHelp("CPU features (default: the host's for the host CPU, else the named CPU's own).", valueName: "+avx2,..."))
    var features: String?

    @OptionGroup var code: CodeOptions

    @Option(name: .customLong("emit-object"), help: ArgumentHelp("Write a C-ABI object file instead of filling the cache.", valueName: "path.o"))
    var objectPath: String?

    @Option(name: .customLong("emit-header"), help: ArgumentHelp("Write the C header of the exported object.", valueName: "path.h"))
    var headerPath: String?

    @Option(help: ArgumentHelp("The exported C function's name (default: the kernel's, or 'expr').", valueName: "NAME"))
    var name: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    var exporting: Bool { objectPath != nil || headerPath != nil }

    func validate() throws {
        if (file == nil) == (expression == nil) { throw ValidationError("Give a kernel file or --expr EXPR (one of them).") }
        if expression != nil, signatures.isEmpty { throw ValidationError("--expr needs at least one --signature.") }
        for s in signatures { _ = try parseSignature(s) }
        if exporting, signatures.count > 1 { throw ValidationError("--emit-object/--emit-header take one --signature.") }
    }

    func run() throws {
        let options = code.options
        var jobs: [(label: String, precompile: () throws -> [PrecompileResult], export: (String) throws -> ExportedObject)] = []
        if let expression {
            let f = try JIT.compile(expression, options: options)
            for text in signatures {
                let types = try expressionTypes(f, try parseSignature(text))
                jobs.append(("\(expression) \(Signature(f.parameterNames.map { ($0, types[$0]!) }))",
                             { try f.precompile(types, cpu: cpu, features: features) },
                             { try f.export(types, name: $0, cpu: cpu, features: features) }))
            }
        } else if let file {
            let module = try JIT.kernels(try RunKernel.readSource(file), name: file, options: options)
            for name in kernel.map({ [$0] }) ?? module.kernelNames {
                let k = try module.kernel(name)
                let all: [[ArgumentType]]
                if signatures.isEmpty {
                    guard let declared = KernelChecker.declaredTypes(k.decl) else {
                        throw UserError(message: "kernel '\(name)' has untyped parameters; give --signature")
                    }
                    all = [declared]
                } else {
                    all = try signatures.map { try kernelTypes(k, try parseSignature($0)) }
                }
                for types in all {
                    jobs.append(("\(name)(\(types.map(\.description).joined(separator: ", ")))",
                                 { [try k.precompile(types, cpu: cpu, features: features)] },
                                 { try k.export(types, name: $0, cpu: cpu, features: features) }))
                }
            }
        }
        if exporting {
            guard jobs.count == 1 else { throw UserError(message: "--emit-object exports one kernel; name it (the file has \(jobs.count))") }
            let exported = try jobs[0].export(name ?? kernel ?? (expression != nil ? "expr" : jobs[0].label.prefix { $0 != "(" }.description))
            if let objectPath { try FileErrors.write(Data(exported.object), to: objectPath) }
            if let headerPath { try FileErrors.write(Data(exported.header.utf8), to: headerPath) }
            if !quiet { printError("exported \(jobs[0].label)") }
            return
        }
        guard JIT.diskCache != nil else { throw UserError(message: "the object cache is off (SWIFTJIT_CACHE_DIR=off)") }
        for (n, job) in jobs.enumerated() {
            let start = DispatchTime.now().uptimeNanoseconds
            let results = try job.precompile()
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            let what = results.allSatisfy { !$0.compiled } ? "already cached" : String(format: "compiled in %.0f ms", ms)
            if !quiet { printError("[\(n + 1)/\(jobs.count)] \(job.label): \(what)") }
        }
    }

    /// Named types for an expression: by name, or positional in `parameterNames` order.
    func expressionTypes(_ f: CompiledExpression, _ items: [(String?, ArgumentType)]) throws -> [String: ArgumentType] {
        try bind(items, to: f.parameterNames, what: "the expression")
    }

    /// Positional types for a kernel.
    func kernelTypes(_ k: Kernel, _ items: [(String?, ArgumentType)]) throws -> [ArgumentType] {
        let names = k.decl.parameters.map(\.name)
        let named = try bind(items, to: names, what: "kernel '\(k.name)'")
        return names.map { named[$0]! }
    }

    private func bind(_ items: [(String?, ArgumentType)], to names: [String], what: String) throws -> [String: ArgumentType] {
        guard items.count == names.count else {
            throw UserError(message: "\(what) takes \(names.count) argument(s) (\(names.joined(separator: ", "))); the signature gives \(items.count)")
        }
        var result: [String: ArgumentType] = [:]
        for (k, (name, type)) in items.enumerated() {
            let n = name ?? names[k]
            guard names.contains(n) else { throw UserError(message: "\(what) has no parameter '\(n)'") }
            result[n] = type
        }
        guard result.count == names.count else { throw UserError(message: "a parameter of \(what) is given twice") }
        return result
    }
}

/// Parses `f64[], x: i64, y=f32[,]` (optionally in parentheses) into (name, type) items.
func parseSignature(_ text: String) throws -> [(String?, ArgumentType)] {
    var t = text.trimmingCharacters(in: .whitespaces)
    if t.hasPrefix("("), t.hasSuffix(")") { t = String(t.dropFirst().dropLast()) }
    var items: [String] = [], current = "", depth = 0
    for c in t {
        if c == "[" { depth += 1 }
        if c == "]" { depth -= 1 }
        if c == ",", depth == 0 { items.append(current); current = "" } else { current.append(c) }
    }
    if !current.trimmingCharacters(in: .whitespaces).isEmpty || !items.isEmpty { items.append(current) }
    return try items.map { item in
        let parts = item.split(whereSeparator: { $0 == ":" || $0 == "=" }).map { $0.trimmingCharacters(in: .whitespaces) }
        guard (1...2).contains(parts.count), let type = ArgumentType(parsing: parts.last!) else {
            throw ValidationError("--signature '\(text)': '\(item.trimmingCharacters(in: .whitespaces))' is not a type (examples: f64, f64[], i32[,], x: bool[])")
        }
        return (parts.count == 2 ? parts[0] : nil, type)
    }
}
