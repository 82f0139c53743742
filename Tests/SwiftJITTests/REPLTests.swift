// The REPL (`swiftjit` with no arguments): a scripted session from a file with its exact output,
// and a session typed on a pseudo-terminal, checked by what the screen shows.
import Foundation
import XCTest

final class REPLTests: XCTestCase {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("repltests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// HOME and the history file in `directory`, so no test reads or writes the user's history.
    func environment(_ directory: URL) -> [String: String] {
        ["HOME": directory.path, "SWIFTJIT_HISTORY": directory.appendingPathComponent("history").path,
         "XDG_STATE_HOME": "", "TERM": "xterm", "SWIFTJIT_NUM_THREADS": "2"]
    }

    static let statsKernel = """
            # mean and standard deviation
            kernel stats(x: f64[]) -> (f64, f64) {
                var s = 0.0
                var q = 0.0
                for i in 0..<len(x) {
                    s += x[i]
                    q += x[i] * x[i]
                }
                let m = s / len(x)
                return m, sqrt(q / len(x) - m * m)
            }

            """

    static let script = """
            # a scripted session: no prompts; results on stdout, errors on stderr
            x = linspace(0, 1, 5)
            x
            y = x**2 + 1
            y
            :type y * 2
            big = linspace(-10, 10, 300000)
            sin(big) * 2
            i = arange(10, dtype=i32)
            i
            i * 2.5
            kernel total(a) {
                var s = 0.0
                for k in 0..<len(a) {
                    s += a[k]
                }
                return s
            }
            total(y)
            :load ker.sj
            m, sd = stats(y)
            m
            sd
            z = x +* 2
            w = q + 1
            stats(i)
            seed(1)
            r = rand(3)
            save("r.npy", r)
            r2 = load("r.npy")
            r2 == r
            :math strict
            :vars
            :nope

            """

    static let expectedOutput = """
            array([0.  , 0.25, 0.5 , 0.75, 1.  ])
            float64 (5,)
            array([1.    , 1.0625, 1.25  , 1.5625, 2.    ])
            float64 (5,)
            (y: f64[]) -> float64 (5,)
            array([ 1.08804222,  1.08793034,  1.08781846, ..., -1.08781846,
                   -1.08793034, -1.08804222], shape=(300000,))
            float64 (300000,)
            array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], dtype=int32)
            int32 (10,)
            array([ 0. ,  2.5,  5. ,  7.5, 10. , 12.5, 15. , 17.5, 20. , 22.5])
            float64 (10,)
            6.875
            loaded ker.sj: stats
            1.375
            0.3686970300938154
            array([ True,  True,  True])
            bool (3,)
            math: strict
            name  dtype    shape      size
            big   float64  (300000,)  2.3 MB
            i     int32    (10,)      40 B
            m     float64  ()         8 B
            r     float64  (3,)       24 B
            r2    float64  (3,)       24 B
            sd    float64  ()         8 B
            x     float64  (5,)       40 B
            y     float64  (5,)       40 B
            kernel total(a)
            kernel stats(x: f64[]) -> (f64, f64)

            """

    static let expectedErrors = """
            <stdin>:24:8: error: expected an expression, found '*'
            24 | z = x +* 2
               |        ^
            <stdin>:25:5: error: name 'q' is not defined
            25 | w = q + 1
               |     ^
            ker.sj:2:14: error: argument 'x' of kernel 'stats' is declared f64[] but was given i32[]
            2 | kernel stats(x: f64[]) -> (f64, f64) {
              |              ^
            <stdin>:34:1: error: unknown command ':nope'
            34 | :nope
               | ^~~~~
              = note: did you mean ':type'?

            """

    /// Standard input from a file: no prompts, results on stdout, each error on stderr with the
    /// script's line and a caret, and exit status 1 because some inputs failed.
    func testScriptedSession() throws {
        let dir = try temporaryDirectory()
        try Self.statsKernel.write(to: dir.appendingPathComponent("ker.sj"), atomically: true, encoding: .utf8)
        let script = dir.appendingPathComponent("session.txt")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        let r = try SwiftJITProcess.run([], in: dir, stdin: script, environment: environment(dir))
        XCTAssertEqual(r.stdout, Self.expectedOutput)
        XCTAssertEqual(r.stderr, Self.expectedErrors)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("r.npy").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("history").path),
                       "a scripted session keeps no history")

        // Without errors the status is 0; `swiftjit repl` is the same loop.
        try "x = arange(4)\nx * 2\n:quit\nx\n".write(to: script, atomically: true, encoding: .utf8)
        let clean = try SwiftJITProcess.run(["repl"], in: dir, stdin: script, environment: environment(dir))
        XCTAssertEqual(clean.stdout, "array([0, 2, 4, 6])\nint64 (4,)\n")
        XCTAssertEqual(clean.stderr, "")
        XCTAssertEqual(clean.status, 0)
    }

    /// Typed on a terminal: arrays, an expression, a multi-line kernel, :time, an error with its
    /// caret under the typed line, history recall and editing, tab completion, Ctrl-C, Ctrl-D;
    /// then a second session recalls the first one's history.
    func testTerminalSession() throws {
        let dir = try temporaryDirectory()
        let env = environment(dir)
        let t = try PseudoTerminal(in: dir, environment: env)
        try waitForPrompt(t, ">>> ")
        XCTAssertTrue(t.screen.text[0].hasPrefix("SwiftJIT REPL"), "\(t.screen.text)")

        try enter(t, "x = linspace(0, 1, 5)")
        try enter(t, "y = x**2")
        try enter(t, "y")
        try expectLines(t, after: ">>> y", ["array([0.    , 0.0625, 0.25  , 0.5625, 1.    ])", "float64 (5,)"])

        // A kernel over several lines: continuation prompts until the braces balance.
        try enter(t, "kernel total(a) {", prompt: "... ")
        try enter(t, "    var s = 0.0", prompt: "... ")
        try enter(t, "    for i in 0..<len(a) { s += a[i] }", prompt: "... ")
        try enter(t, "    return s", prompt: "... ")
        try enter(t, "}")
        try enter(t, "total(y)")
        try expectLines(t, after: ">>> total(y)", ["1.875"])

        try enter(t, ":time total(y)")
        let timing = try line(t, after: ">>> :time total(y)")
        XCTAssertTrue(timing.hasPrefix("median ") && timing.contains(", min ") && timing.contains(" runs x "), timing)

        // The caret sits under the '*' as typed after the prompt.
        try enter(t, "z = x +* 2")
        try expectLines(t, after: ">>> z = x +* 2", [String(repeating: " ", count: 11) + "^",
                                                      "error: expected an expression, found '*'"])

        // Up recalls the line; Left x3 and Backspace delete the '+'.
        t.type("\u{1b}[A")
        try waitForPrompt(t, ">>> z = x +* 2")
        t.type("\u{1b}[D\u{1b}[D\u{1b}[D\u{7f}")
        try waitForPrompt(t, ">>> z = x * 2")
        try enter(t, "")
        try enter(t, "z")
        try expectLines(t, after: ">>> z", ["array([0. , 0.5, 1. , 1.5, 2. ])"])

        // Tab completes a kernel's name.
        t.type("tot\t")
        try waitForPrompt(t, ">>> total")
        try enter(t, "(z)")
        try expectLines(t, after: ">>> total(z)", ["5.0"])

        // Ctrl-C abandons the line; Ctrl-D on an empty line quits.
        t.type("garbage\u{3}")
        XCTAssertTrue(t.wait { $0.text.contains(">>> garbage^C") && $0.cursorLine == ">>> " }, "\(t.screen.text)")
        t.type("\u{4}")
        XCTAssertEqual(t.waitForExit(), 0)

        let history = try String(contentsOf: dir.appendingPathComponent("history"), encoding: .utf8)
        XCTAssertTrue(history.contains("kernel total(a) {\n    var s = 0.0\n"), history)
        XCTAssertTrue(history.hasSuffix("z = x * 2\nz\ntotal(z)\n"), history)
        XCTAssertFalse(history.contains("garbage"), history)

        // A new session starts with the old history.
        let second = try PseudoTerminal(in: dir, environment: env)
        try waitForPrompt(second, ">>> ")
        second.type("\u{1b}[A")
        try waitForPrompt(second, ">>> total(z)")
        second.type("\u{3}\u{4}")
        XCTAssertEqual(second.waitForExit(), 0)
    }

    // MARK: helpers

    /// Waits until the cursor's line reads `prompt` exactly (a prompt and what is typed after it).
    func waitForPrompt(_ t: PseudoTerminal, _ prompt: String, file: StaticString = #filePath, line: UInt = #line) throws {
        if !t.wait(until: { $0.cursorLine == prompt }) {
            XCTFail("waited for '\(prompt)'; the screen shows:\n\(t.screen.text.joined(separator: "\n"))", file: file, line: line)
            throw XCTSkip("the terminal session cannot go on")
        }
    }

    /// Types a line and Enter, and waits for the next prompt.
    func enter(_ t: PseudoTerminal, _ text: String, prompt: String = ">>> ",
               file: StaticString = #filePath, line: UInt = #line) throws {
        let before = t.screen.text.count
        t.type(text + "\r")
        if !t.wait(until: { $0.text.count > before && $0.cursorLine == prompt }) {
            XCTFail("no '\(prompt)' after '\(text)'; the screen shows:\n\(t.screen.text.joined(separator: "\n"))",
                    file: file, line: line)
            throw XCTSkip("the terminal session cannot go on")
        }
    }

    /// The screen line after the last line that reads `typed`.
    func line(_ t: PseudoTerminal, after typed: String) throws -> String {
        let text = t.screen.text
        let index = try XCTUnwrap(text.lastIndex(of: typed), "no line '\(typed)' in:\n\(text.joined(separator: "\n"))")
        return index + 1 < text.count ? text[index + 1] : ""
    }

    func expectLines(_ t: PseudoTerminal, after typed: String, _ expected: [String],
                     file: StaticString = #filePath, line: UInt = #line) throws {
        let text = t.screen.text
        let index = try XCTUnwrap(text.lastIndex(of: typed), "no line '\(typed)' in:\n\(text.joined(separator: "\n"))")
        XCTAssertEqual(Array(text[(index + 1)...].prefix(expected.count)), expected, file: file, line: line)
    }
}
