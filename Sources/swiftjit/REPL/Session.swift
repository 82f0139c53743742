// One REPL session: its variables, kernels and options, and what each entered input does.
//
// An input is a command (`:time EXPR`), a kernel or helper definition (`kernel f(x) { ... }`,
// possibly several lines), an assignment (`y = EXPR`, `a, b = k(x)`) or a bare value, which is
// printed. A value is a REPL function call (`linspace(0, 1, 5)`), a kernel call (`k(x, 3)`; its
// arguments are values too) or an expression of the expression language whose names are REPL
// variables (evaluated as JIT.evaluate does, into a new array). Errors in the typed text are
// diagnostics at byte ranges of the input, drawn with a caret under the typed line.
import CJITSupport
import Foundation
import SwiftJIT

final class Session {
    /// Variables, by name.
    var variables: [String: NDArray] = [:]
    /// Options for expressions and kernels (`:math`).
    var options = JIT.Options()
    /// Kernel and helper declarations, in definition order.
    var declarations: [Declaration] = []
    /// All declarations as one kernel module (rebuilt when one is added or the options change).
    var module: KernelModule?
    /// Whether prompts are shown (errors then draw their caret under the typed line).
    let interactive: Bool
    /// Whether any input failed (the exit status of a scripted session).
    private(set) var failed = false
    /// The line number in the script of the input being run.
    private(set) var currentFirstLine = 1

    /// The token every input runs under; on a terminal Ctrl-C (SIGINT) cancels it while an
    /// input runs, which stops the computation and keeps the session.
    private let interrupt = CancellationToken()

    static let prompt = ">>> "
    static let continuationPrompt = "... "

    init(interactive: Bool) {
        self.interactive = interactive
        sj_seed(0)  // reproducible sessions: rand, normal and kernels draw from seed 0 until seed(n)
        if interactive { sj_install_interrupt_handler() }
    }

    enum Outcome { case proceed, quit }

    /// Runs one complete input; `firstLine` is its line number in a script (for messages).
    func run(_ input: String, firstLine: Int = 1) -> Outcome {
        currentFirstLine = firstLine
        interrupt.reset()
        if interactive { sj_set_interrupt_target(interrupt.rawFlag) }
        defer { if interactive { sj_set_interrupt_target(nil) } }
        do {
            return try interrupt.installed { try execute(input, firstLine: firstLine) }
        } catch {
            failed = true
            report(error, input: input, firstLine: firstLine)
            return .proceed
        }
    }

    private func execute(_ input: String, firstLine: Int) throws -> Outcome {
        let text = input.trimmingCharacters(in: .whitespaces)
        if text.isEmpty || text.hasPrefix("#") { return .proceed }
        if text.hasPrefix(":") { return try command(input) }
        if Self.startsDefinition(text) {
            try define(input, name: "<stdin>", linesBefore: firstLine - 1)
            return .proceed
        }
        if let (names, valueStart) = Self.assignmentTargets(input) {
            let values = try evaluateAll(Fragment(input, from: valueStart))
            try assign(names, values, input: input)
            return .proceed
        }
        for value in try evaluateAll(Fragment(input)) { show(value) }
        return .proceed
    }

    // MARK: input shapes

    /// Whether the input begins a kernel or helper definition.
    static func startsDefinition(_ text: String) -> Bool {
        let word = text.prefix { $0.isLetter }
        return (word == "kernel" || word == "func") && text.dropFirst(word.count).first?.isWhitespace == true
    }

    /// Whether the input needs more lines: a definition whose braces are not yet balanced.
    static func needsMore(_ input: String) -> Bool {
        let text = input.trimmingCharacters(in: .whitespacesAndNewlines)
        guard startsDefinition(text) else { return false }
        var depth = 0, opened = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            for c in line.prefix(while: { $0 != "#" }) {
                if c == "{" { depth += 1; opened = true }
                if c == "}" { depth -= 1 }
            }
        }
        return !opened || depth > 0
    }

    /// `a = ...` or `a, b = ...` (not `a == b`): the names and the byte offset after `=`.
    static func assignmentTargets(_ input: String) -> ([(String, SourceRange)], Int)? {
        let bytes = Array(input.utf8)
        var names: [(String, SourceRange)] = []
        var i = 0
        func skipSpaces() { while i < bytes.count && (bytes[i] == 32 || bytes[i] == 9) { i += 1 } }
        while true {
            skipSpaces()
            let start = i
            while i < bytes.count && (isIdentifierByte(bytes[i]) && (i > start || !isDigit(bytes[i]))) { i += 1 }
            guard i > start else { return nil }
            names.append((String(decoding: bytes[start..<i], as: UTF8.self), SourceRange(start, i)))
            skipSpaces()
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            guard bytes[i] == UInt8(ascii: "="), i + 1 >= bytes.count || bytes[i + 1] != UInt8(ascii: "=") else { return nil }
            return (names, i + 1)
        }
    }

    static func isIdentifierByte(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "_") || isDigit(b) || (b | 0x20 >= UInt8(ascii: "a") && b | 0x20 <= UInt8(ascii: "z"))
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    // MARK: variables

    private func assign(_ names: [(String, SourceRange)], _ values: [NDArray], input: String) throws {
        for (name, range) in names {
            if let reason = reservedReason(name) {
                throw InputError("cannot assign to '\(name)': \(reason)", at: range)
            }
        }
        guard names.count == values.count else {
            let what = values.count == 1 ? "1 value" : "\(values.count) values"
            throw InputError("\(names.count) names but the right side gives \(what)",
                             at: names[0].1.union(names[names.count - 1].1))
        }
        for ((name, _), value) in zip(names, values) { variables[name] = value }
    }

    /// Why a name cannot be a variable, or nil.
    func reservedReason(_ name: String) -> String? {
        if Lexer.keywords.contains(name) || ["kernel", "func", "true", "false"].contains(name) { return "it is a keyword" }
        if REPLFunctions.named(name) != nil { return "it is a REPL function" }
        if Builtins.all.contains(where: { $0.name == name }) { return "it is a builtin function" }
        if declarations.contains(where: { $0.name == name }) { return "it is a kernel" }
        return nil
    }

    /// Prints a value: arrays as NumPy's repr and a line with their dtype and shape; scalars as
    /// plain numbers (`3`, `2.5`, `(1+2j)`, `true`), with a dtype line when it is not the
    /// default of its kind (`int32`).
    func show(_ value: NDArray) {
        Console.out(ArrayFormatter.display(value) + (value.rank == 0 ? "" : "\n" + ArrayFormatter.describe(value)))
    }

    // MARK: errors

    /// Prints an error. Diagnostics in the typed input name it `<stdin>:LINE:COL` (LINE counts
    /// the lines read, typed or scripted) and show the line with a caret under it: on a terminal,
    /// directly under the line as typed after the prompt; otherwise as a numbered source line.
    func report(_ error: Error, input: String, firstLine: Int) {
        switch error {
        case let e as InputDiagnostics:
            if interactive && !input.contains("\n") {
                Console.error(e.diagnostics.map { inlineCaret($0, input: input, line: firstLine) }.joined())
            } else {
                let shift = firstLine - 1
                let source = SourceText(String(repeating: "\n", count: shift) + input, name: "<stdin>")
                let moved = e.diagnostics.map { d -> Diagnostic in
                    var d = d
                    d.range = SourceRange(d.range.lower + shift, d.range.upper + shift)
                    d.notes = d.notes.map { DiagnosticNote($0.message) }
                    return d
                }
                Console.error(DiagnosticRenderer().render(moved, in: source))
            }
        case JITError.diagnostics(let d) where d.source.name == Self.kernelsName:
            Console.error(originalDiagnostics(d))
        case let e as JITError:
            Console.error(e.description)
        case let e as InputError:
            report(InputDiagnostics([e.diagnostic]), input: input, firstLine: firstLine)
        case let e as RenderedError:
            Console.error(e.text)
        case let e as PlainError:
            Console.error("error: \(e.message)")
        case is CancellationError:
            Console.error("interrupted")
        default:
            Console.error("error: \(error)")
        }
    }

    private func inlineCaret(_ d: Diagnostic, input: String, line: Int) -> String {
        let bytes = Array(input.utf8)
        let lower = min(max(0, d.range.lower), bytes.count)
        let upper = min(max(lower, d.range.upper), bytes.count)
        let column = String(decoding: bytes[..<lower], as: UTF8.self).count
        let width = String(decoding: bytes[lower..<upper], as: UTF8.self).count
        var text = String(repeating: " ", count: Self.prompt.count + column) + "^"
            + String(repeating: "~", count: max(0, width - 1)) + "\n"
        text += "<stdin>:\(line):\(column + 1): \(d.severity.rawValue): \(d.message)\n"
        for note in d.notes { text += "  = note: \(note.message)\n" }
        return text
    }
}

/// A part of the input: its text and where it starts (a byte offset), so diagnostics in it can
/// point into the typed line.
struct Fragment {
    var text: String
    var offset: Int

    /// `input` from byte `start` on, without surrounding blanks.
    init(_ input: String, from start: Int = 0, to end: Int? = nil) {
        let bytes = Array(input.utf8)
        var lo = min(start, bytes.count), hi = min(end ?? bytes.count, bytes.count)
        while lo < hi && (bytes[lo] == 32 || bytes[lo] == 9 || bytes[lo] == 10) { lo += 1 }
        while hi > lo && (bytes[hi - 1] == 32 || bytes[hi - 1] == 9 || bytes[hi - 1] == 10) { hi -= 1 }
        text = String(decoding: bytes[lo..<hi], as: UTF8.self)
        offset = lo
    }

    /// The range of the whole fragment in the input.
    var range: SourceRange { SourceRange(offset, offset + text.utf8.count) }
}

/// An error at a range of the typed input.
struct InputError: Error {
    var diagnostic: Diagnostic

    init(_ message: String, at range: SourceRange, note: String? = nil) {
        diagnostic = Diagnostic("repl", message, at: range, notes: note.map { [DiagnosticNote($0)] } ?? [])
    }
}

/// Diagnostics whose ranges are byte offsets in the typed input.
struct InputDiagnostics: Error {
    var diagnostics: [Diagnostic]
    init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    /// Diagnostics in a fragment's own text, moved to the fragment's place in the input.
    init(_ error: DiagnosticError, shiftedBy offset: Int) {
        diagnostics = error.diagnostics.map { d in
            var d = d
            d.range = SourceRange(d.range.lower + offset, d.range.upper + offset)
            d.notes = d.notes.map { n in DiagnosticNote(n.message, at: n.range.map { SourceRange($0.lower + offset, $0.upper + offset) }) }
            return d
        }
    }
}

/// Diagnostics already drawn.
struct RenderedError: Error {
    var text: String
}

/// An error with a message and no place in the input (files, values).
struct PlainError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// The REPL's output, unbuffered so results and errors appear in the order they happen.
enum Console {
    static func out(_ text: String) { write(text, to: FileHandle.standardOutput) }
    static func error(_ text: String) { write(text, to: FileHandle.standardError) }

    private static func write(_ text: String, to handle: FileHandle) {
        handle.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
