// `swiftjit` with no arguments, or `swiftjit repl`: the interactive loop.
//
// On a terminal it shows prompts and reads lines with LineEditor (history file, completion).
// With standard input from a file or a pipe it runs the same inputs without prompts, so a
// session can be scripted; it then exits 1 if any input failed (a typed session exits 0).
import ArgumentParser
import Foundation
import SwiftJIT

struct Repl: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explore arrays, expressions and kernels interactively (the default with no arguments).",
        discussion: """
            Type :help in the REPL for its commands. History is kept in $SWIFTJIT_HISTORY, else \
            $XDG_STATE_HOME/swiftjit/history, else ~/.swiftjit_history.
            Scripted: swiftjit < session.txt (no prompts; exit status 1 if an input failed).
            """)

    func run() throws {
        let status = REPLLoop().run()
        if status != 0 { throw ExitCode(status) }
    }
}

struct REPLLoop {
    /// Runs the loop until :quit or the end of input; returns the exit status.
    func run() -> Int32 {
        let prompting = isatty(0) != 0
        let session = Session(interactive: prompting)
        var editor: LineEditor?
        if LineEditor.isUsable {
            editor = LineEditor(history: History(path: History.defaultPath())) { [unowned session] before in
                session.completions(before)
            }
        }
        if prompting {
            Console.out("SwiftJIT REPL (math \(session.options.mathMode.rawValue), \(JIT.numThreads) threads). "
                        + ":help for help, Ctrl-D to quit.")
        }
        var pending: [String] = []
        var lineNumber = 0, firstLine = 1
        while true {
            let prompt = pending.isEmpty ? Session.prompt : Session.continuationPrompt
            let line: String
            if let editor {
                switch editor.readLine(prompt: prompt) {
                case .line(let text):
                    line = text
                    editor.history.add(text)
                case .interrupted:
                    pending = []
                    continue
                case .endOfInput:
                    return 0
                }
            } else {
                if prompting { FileHandle.standardOutput.write(Data(prompt.utf8)) }
                guard let text = Swift.readLine(strippingNewline: true) else { break }
                line = text
            }
            lineNumber += 1
            if pending.isEmpty { firstLine = lineNumber }
            pending.append(line)
            let input = pending.joined(separator: "\n")
            if Session.needsMore(input) { continue }
            pending = []
            if session.run(input, firstLine: firstLine) == .quit { break }
        }
        if !pending.isEmpty {
            _ = session.run(pending.joined(separator: "\n"), firstLine: firstLine)
        }
        // A typed session ends well whatever went wrong in it; a script reports its failures.
        return session.failed && !prompting ? 1 : 0
    }
}

extension Session {
    /// Tab completion: commands at the start of a line, else variables, kernels, REPL functions
    /// and builtin functions that start with the word before the cursor.
    func completions(_ before: [Character]) -> (start: Int, candidates: [String]) {
        var start = before.count
        while start > 0 && (before[start - 1].isLetter || before[start - 1].isNumber || before[start - 1] == "_") {
            start -= 1
        }
        if start == 1 && before[0] == ":" { start = 0 }
        let word = String(before[start...])
        let pool: [String]
        if word.hasPrefix(":") {
            pool = Self.commands.map(\.name)
        } else {
            guard !word.isEmpty else { return (start, []) }
            pool = variables.keys.sorted() + declarations.map(\.name) + REPLFunctions.all.map(\.name)
                + Builtins.all.map(\.name)
        }
        var seen = Set<String>()
        return (start, pool.filter { $0.hasPrefix(word) && seen.insert($0).inserted })
    }
}
