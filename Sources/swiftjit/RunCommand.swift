// `swiftjit run`: run a kernel of a kernel source file with arguments given by parameter name.
import ArgumentParser
import Foundation
import SwiftJIT

/// `--math` and `--no-bounds-checks`: the options compiled code depends on (run, compile).
struct CodeOptions: ParsableArguments {
    @Option(help: "Floating-point mode: strict, relaxed or fast.")
    var math: MathMode = .relaxed

    @Flag(help: "Kernels: do not check array indices and integer divisors (faster; an out-of-range index is undefined behaviour).")
    var noBoundsChecks = false

    var options: JIT.Options { JIT.Options(mathMode: math, boundsChecks: !noBoundsChecks) }
}

struct RunKernel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a kernel from a kernel source file (.sj).",
        discussion: """
            Examples:
              swiftjit run Examples/lu.sj lu_pivot_product --arg M=m.npy
              swiftjit run Examples/mandelbrot.sj mandelbrot --arg cr=x.npy --arg ci=x.npy --arg maxit=50 --out it.npy

            Give every parameter of the kernel once, by name, with --arg NAME=VALUE. VALUE is a .npy file (arrays; a 0-d array is a scalar) or a scalar. For a parameter with a declared scalar type the text is read as that type; for an untyped one integer text is an i64, other number text (1.5, 1e-3, nan, inf) an f64 and true/false a bool. Anything else is read as a .npy path.

            Without --out every returned value is printed, one after the other. With --out the first is written to OUT.npy and the others of a tuple to OUT.1.npy, OUT.2.npy, ...
            """)

    @Argument(help: ArgumentHelp("The kernel source file.", valueName: "file.sj"))
    var file: String

    @Argument(help: "The kernel to run.")
    var kernel: String

    @Option(name: .customLong("arg"), help: ArgumentHelp("Give a parameter a value: a .npy file or a number/true/false.",
                                                        valueName: "NAME=PATH.npy|VALUE"))
    var arguments: [String] = []

    @Option(help: ArgumentHelp("Write the (first) returned value to a .npy file instead of printing.", valueName: "path"))
    var out: String?

    @OptionGroup var code: CodeOptions

    @Option(help: "Threads to use (default: SWIFTJIT_NUM_THREADS, else the cores available).")
    var threads: Int?

    func validate() throws {
        try checkBindings(arguments, option: "--arg", valueName: "PATH.npy|VALUE")
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let out, out.isEmpty { throw ValidationError("--out needs a path") }
    }

    func run() throws {
        if let threads { JIT.numThreads = threads }
        let source = try Self.readSource(file)
        let module = try JIT.kernels(source, name: file,
                                     options: code.options)
        let k = try module.kernel(kernel)
        let parameters = k.decl.parameters
        var given: [String: String] = [:]
        for binding in arguments {
            let (name, value) = try splitBinding(binding, option: "--arg", valueName: "PATH.npy|VALUE")
            given[name] = value
        }
        let names = parameters.map(\.name)
        let signature = "\(kernel)(\(parameters.map { p in p.type.map { "\(p.name): \($0)" } ?? p.name }.joined(separator: ", ")))"
        let extra = given.keys.filter { !names.contains($0) }.sorted()
        if !extra.isEmpty {
            throw UserError(message: "kernel '\(kernel)' has no parameter \(extra.map { "'\($0)'" }.joined(separator: ", ")); it takes \(signature)")
        }
        let missing = names.filter { given[$0] == nil }
        if !missing.isEmpty {
            throw UserError(message: "no value for \(missing.map { "'\($0)'" }.joined(separator: ", ")) of \(signature); give \(missing.map { "--arg \($0)=..." }.joined(separator: " "))")
        }
        let values = try parameters.map { try value(given[$0.name]!, for: $0.name, declared: $0.type) }
        let results = try k.callAll(values)
        if let out {
            guard !results.isEmpty else {
                throw UserError(message: "kernel '\(kernel)' returns no value; there is nothing to write to '\(out)'")
            }
            for (n, r) in results.enumerated() {
                try NPY.write(r, to: n == 0 ? out : Self.path(out, n))
            }
        } else {
            for r in results { print(ArrayFormatter.display(r)) }
        }
    }

    /// OUT.npy -> OUT.n.npy (OUT -> OUT.n.npy without the extension).
    static func path(_ out: String, _ n: Int) -> String {
        let base = out.hasSuffix(".npy") ? String(out.dropLast(4)) : out
        return "\(base).\(n).npy"
    }

    static func readSource(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw JITError.file("cannot read kernel source '\(path)': no such file")
        }
        if isDirectory.boolValue { throw JITError.file("cannot read kernel source '\(path)': it is a directory") }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw JITError.file("cannot read kernel source '\(path)': \(FileErrors.reason(error))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw JITError.file("kernel source '\(path)' is not UTF-8 text")
        }
        return text
    }

    /// The argument for parameter `name` from its --arg text.
    func value(_ text: String, for name: String, declared: TypeAnnotation?) throws -> any JITArgument {
        switch declared {
        case .scalar(let typeName, 0)? where DType(name: typeName) != nil:
            let dtype = DType(name: typeName)!
            if let v = Self.scalar(text, as: dtype) { return v }
            if Self.looksNumeric(text) || text == "true" || text == "false" {
                throw UserError(message: "--arg \(name)=\(text): '\(text)' is not a value of \(name)'s type \(dtype.shortName)")
            }
        case .scalar(_, let rank)? where rank > 0:
            if Self.looksNumeric(text) || text == "true" || text == "false" {
                throw UserError(message: "--arg \(name)=\(text): '\(name)' is an array (\(declared!)); give a .npy file")
            }
        default:
            break
        }
        return try Self.untypedValue(text)
    }

    /// The value of untyped text: integer text is an i64, other number text (1.5, 1e-3, nan, inf)
    /// an f64, true/false a bool; anything else is read as a .npy path.
    static func untypedValue(_ text: String) throws -> any JITArgument {
        if let v = Int64(text) { return v }
        if text == "true" || text == "false" { return text == "true" }
        if looksNumeric(text), let v = Double(text) { return v }
        return try NPY.read(path: text)
    }

    /// Number text (as Double reads it), or nan/inf.
    static func looksNumeric(_ text: String) -> Bool {
        let t = text.lowercased()
        if ["nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"].contains(t) { return true }
        return Double(text) != nil && !t.contains("x") && t.first.map { $0.isNumber || "+-.".contains($0) } == true
    }

    /// `text` as a scalar of `dtype` (exact for integers; nil when it is not one).
    static func scalar(_ text: String, as dtype: DType) -> (any JITArgument)? {
        switch dtype {
        case .bool: return text == "true" ? true : text == "false" ? false : nil
        case .int8: return Int8(text)
        case .int16: return Int16(text)
        case .int32: return Int32(text)
        case .int64: return Int64(text)
        case .uint8: return UInt8(text)
        case .uint16: return UInt16(text)
        case .uint32: return UInt32(text)
        case .uint64: return UInt64(text)
        case .float32: return looksNumeric(text) ? Float(text) : nil
        case .float64: return looksNumeric(text) ? Double(text) : nil
        case .complex64, .complex128: return nil
        }
    }
}
