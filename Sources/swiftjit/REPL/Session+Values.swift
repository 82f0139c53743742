// Values in the REPL: REPL function calls, kernel calls and expressions over variables, each
// prepared once (compiled, arguments bound) so `:time` can run it many times, `:type` and `:ir`
// can inspect it, and a plain input can run it once.
import Foundation
import SwiftJIT

/// A value ready to compute.
enum Prepared {
    /// An expression with its arguments (the variables it reads), where its text starts in the
    /// input (for run-time errors such as an index out of range), and the calls inside it whose
    /// values it also reads (made each time it runs).
    case expression(CompiledExpression, [String: NDArray], offset: Int, calls: [EmbeddedCall])
    /// A view of a variable (`x[1:]`), made when prepared.
    case view(NDArray)
    /// A kernel call with its arguments.
    case kernel(Kernel, [NDArray])
    /// A REPL function call; nil when it returns nothing (save, seed).
    case function(String, () throws -> NDArray?)

    /// Computes the value(s).
    func run() throws -> [NDArray] {
        switch self {
        case .expression(let f, _, let offset, let calls):
            let arguments = try boundArguments()
            do { return [try f.call(arguments)] } catch JITError.diagnostics(let d) {
                throw Session.naming(calls, in: InputDiagnostics(d, shiftedBy: offset))
            }
        case .view(let v): return [v]
        case .kernel(let k, let arguments): return try k.callAll(arguments)
        case .function(_, let body): return try body().map { [$0] } ?? []
        }
    }

    /// An expression's arguments: its variables and the values of the calls inside it (run now).
    func boundArguments() throws -> [String: NDArray] {
        guard case .expression(_, var arguments, _, let calls) = self else { return [:] }
        for call in calls { arguments[call.variable] = try call.value() }
        return arguments
    }
}

/// A call `name(arguments)` that spans a whole fragment.
struct CallSyntax {
    var name: String
    var nameRange: SourceRange
    var arguments: [Argument]
    var range: SourceRange

    struct Argument {
        /// `dtype` of `dtype=f32`.
        var label: String?
        var value: Fragment
    }

    /// The call, when `fragment` is exactly one call `NAME(...)` (quotes and nested brackets
    /// respected).
    init?(_ fragment: Fragment) {
        let bytes = Array(fragment.text.utf8)
        var i = 0
        while i < bytes.count && Session.isIdentifierByte(bytes[i]) { i += 1 }
        guard i > 0, !Session.isDigit(bytes[0]) else { return nil }
        let nameEnd = i
        while i < bytes.count && bytes[i] == 32 { i += 1 }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "("), bytes.last == UInt8(ascii: ")") else { return nil }
        var depth = 0, quote: UInt8?, pieceStart = i + 1
        var pieces: [Range<Int>] = []
        for j in i..<bytes.count {
            let b = bytes[j]
            if let q = quote {
                if b == q { quote = nil }
                continue
            }
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { quote = b; continue }
            if b == UInt8(ascii: "(") || b == UInt8(ascii: "[") { depth += 1 }
            if b == UInt8(ascii: ")") || b == UInt8(ascii: "]") {
                depth -= 1
                // The call's own parenthesis must close last.
                if depth == 0 && j != bytes.count - 1 { return nil }
            }
            if (b == UInt8(ascii: ",") && depth == 1) || (depth == 0 && j == bytes.count - 1) {
                pieces.append(pieceStart..<j)
                pieceStart = j + 1
            }
        }
        guard quote == nil else { return nil }
        let base = fragment.offset
        name = String(decoding: bytes[..<nameEnd], as: UTF8.self)
        nameRange = SourceRange(base, base + nameEnd)
        range = fragment.range
        arguments = []
        for piece in pieces {
            let text = String(decoding: bytes[piece], as: UTF8.self)
            if pieces.count == 1 && text.allSatisfy(\.isWhitespace) { break }
            var argument = Argument(label: nil, value: Fragment(fragment.text, from: piece.lowerBound, to: piece.upperBound))
            argument.value.offset += base
            if let (labels, valueStart) = Session.assignmentTargets(text), labels.count == 1 {
                argument.label = labels[0].0
                argument.value = Fragment(fragment.text, from: piece.lowerBound + valueStart, to: piece.upperBound)
                argument.value.offset += base
            }
            arguments.append(argument)
        }
    }
}

extension Session {
    /// Every value of `fragment` (kernels may return several).
    func evaluateAll(_ fragment: Fragment) throws -> [NDArray] {
        try prepare(fragment).run()
    }

    /// One value (an argument of a call).
    func evaluate(_ fragment: Fragment) throws -> NDArray {
        if let v = variables[fragment.text] { return v }
        if let i = Int64(fragment.text) { return NDArray(scalar: i) }
        if let d = Double(fragment.text), fragment.text.first?.isNumber == true || fragment.text.first == "." {
            return NDArray(scalar: d)
        }
        let values = try evaluateAll(fragment)
        guard values.count == 1 else {
            throw InputError("expected one value, this gives \(values.count)", at: fragment.range)
        }
        return values[0]
    }

    /// Compiles and binds `fragment` without running it.
    func prepare(_ fragment: Fragment) throws -> Prepared {
        guard !fragment.text.isEmpty else { throw InputError("expected a value", at: fragment.range) }
        if let call = CallSyntax(fragment) {
            if let function = REPLFunctions.named(call.name), variables[call.name] == nil {
                return .function(call.name, try function.bind(call, self))
            }
            if declarations.contains(where: { $0.name == call.name }) {
                guard let module else { throw PlainError("no kernel module") }
                let kernel = try module.kernel(call.name)
                if let label = call.arguments.first(where: { $0.label != nil }) {
                    throw InputError("kernel arguments are positional", at: label.value.range)
                }
                return .kernel(kernel, try call.arguments.map { try evaluate($0.value) })
            }
        }
        if let s = SubscriptText(fragment.text), let value = variables[s.base] {
            do { return .view(try s.view(of: value)) } catch JITError.diagnostics(let d) {
                throw InputDiagnostics(d, shiftedBy: fragment.offset)
            }
        }
        return try prepareExpression(fragment)
    }

    private func prepareExpression(_ typed: Fragment) throws -> Prepared {
        let (fragment, calls) = try embeddedCalls(in: typed) ?? (typed, [])
        let f: CompiledExpression
        do {
            f = try JIT.compile(fragment.text, options: options)
        } catch JITError.diagnostics(let d) {
            throw InputDiagnostics(d, shiftedBy: fragment.offset)
        }
        var arguments: [String: NDArray] = [:]
        for name in f.parameterNames where !calls.contains(where: { $0.variable == name }) {
            if let value = variables[name] {
                arguments[name] = value
                continue
            }
            var tokens = Lexer(SourceText(fragment.text))
            let token = tokens.tokenize().first { $0.kind == .name(name) }
            let range = token.map { SourceRange($0.range.lower + fragment.offset, $0.range.upper + fragment.offset) }
                ?? fragment.range
            let hint = NameSuggestion.closest(to: name, in: Array(variables.keys) + declarations.map(\.name)
                                              + REPLFunctions.all.map(\.name))
            let isKernel = declarations.contains { $0.name == name } || REPLFunctions.named(name) != nil
            throw InputError(isKernel ? "'\(name)' is a function: call it, as in \(name)(...)"
                                      : "name '\(name)' is not defined", at: range,
                             note: isKernel ? nil : hint.map { "did you mean '\($0)'?" })
        }
        // A variable named like a constant (`e = ...`) is read instead of the constant.
        for name in f.shadowableConstants { if let value = variables[name] { arguments[name] = value } }
        return .expression(f, arguments, offset: fragment.offset, calls: calls)
    }

    // MARK: kernels

    /// Defines the kernels and helpers of `source` (replacing ones of the same names); typed
    /// kernels are compiled now so their errors show at once. `linesBefore` blank lines are put
    /// in front so messages give the line numbers of a script. Returns the names defined.
    @discardableResult
    func define(_ source: String, name: String, linesBefore: Int = 0) throws -> [String] {
        let parsed = try JIT.kernels(String(repeating: "\n", count: linesBefore) + source, name: name, options: options)
        let new = parsed.ast.declarations.map {
            Declaration(name: $0.name, text: parsed.ast.source.slice($0.range), origin: parsed.ast.source,
                        originOffset: $0.range.lower)
        }
        for decl in new where variables[decl.name] != nil || REPLFunctions.named(decl.name) != nil {
            throw PlainError("'\(decl.name)' is already a \(variables[decl.name] != nil ? "variable" : "REPL function")")
        }
        let candidate = declarations.filter { old in !new.contains { $0.name == old.name } } + new
        let module = try Self.module(candidate, options: options)
        let saved = (declarations, self.module)
        (declarations, self.module) = (candidate, module)
        do {
            for decl in parsed.ast.declarations where !decl.isHelper {
                try module.kernel(decl.name).compileDeclared()
            }
        } catch JITError.diagnostics(let d) where d.source.name == Self.kernelsName {
            let text = originalDiagnostics(d)
            (declarations, self.module) = saved
            throw RenderedError(text: text)
        } catch {
            (declarations, self.module) = saved
            throw error
        }
        return new.map(\.name)
    }

    /// Rebuilds the kernel module (after `:math`).
    func rebuildKernels() throws {
        module = declarations.isEmpty ? nil : try Self.module(declarations, options: options)
    }

    static let kernelsName = "<kernels>"
    static let declarationSeparator = "\n\n"

    static func module(_ declarations: [Declaration], options: JIT.Options) throws -> KernelModule {
        try JIT.kernels(declarations.map(\.text).joined(separator: declarationSeparator), name: kernelsName, options: options)
    }

    /// Diagnostics in the combined kernel source, drawn in the sources the declarations came
    /// from (a file given to :load, a script, the typed input).
    func originalDiagnostics(_ error: DiagnosticError) -> String {
        var starts: [Int] = []
        var offset = 0
        for decl in declarations {
            starts.append(offset)
            offset += decl.text.utf8.count + Self.declarationSeparator.utf8.count
        }
        return error.diagnostics.map { d in
            guard let k = starts.lastIndex(where: { $0 <= d.range.lower }), k < declarations.count else {
                return DiagnosticRenderer().render(d, in: error.source)
            }
            let shift = declarations[k].originOffset - starts[k]
            var moved = d
            moved.range = SourceRange(d.range.lower + shift, d.range.upper + shift)
            moved.notes = d.notes.map { n in DiagnosticNote(n.message, at: n.range.map { SourceRange($0.lower + shift, $0.upper + shift) }) }
            return DiagnosticRenderer().render(moved, in: declarations[k].origin)
        }.joined(separator: "\n")
    }
}

/// A kernel or helper declaration: its text, and where it came from (for messages).
struct Declaration {
    var name: String
    var text: String
    var origin: SourceText
    /// Byte offset of `text` in `origin`.
    var originOffset: Int
}
