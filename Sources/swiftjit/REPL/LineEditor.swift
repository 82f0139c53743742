// The REPL's line editor: a small raw-mode editor on the terminal (termios), after linenoise.
//
// Why our own rather than libedit: libedit's editing functions (el_set, el_get) are C variadic
// functions, which Swift cannot call, so using it would take a C shim target, a package that
// probes for the headers at load time and two build configurations to test; its readline
// emulation turns Ctrl-C into a signal that is awkward to map to "clear the line". The keys the
// REPL needs fit in this file, behave the same on every machine (which the pseudo-terminal test
// relies on) and need no system package at all.
//
// Keys: printable text (UTF-8), Left/Right, Home/End, Delete, Backspace, Ctrl-A/E (start/end),
// Ctrl-B/F (left/right), Ctrl-K (kill to end), Ctrl-U (kill to start), Ctrl-W (kill word),
// Ctrl-L (clear screen), Up/Down and Ctrl-P/N (history), Tab (completion), Ctrl-C (abandon the
// line), Ctrl-D (quit on an empty line, else delete under the cursor), Enter; word motion with
// Alt-b/Alt-f, Ctrl-Left/Right and Alt-Left/Right (words are letters, digits and `_`, as in
// readline); Ctrl-R reverse history search (type to narrow, Ctrl-R for an older match, Enter runs
// the match, Ctrl-G or Ctrl-C gives the line back as it was, any other key keeps the match to edit).
//
// Output uses only `\r`, `\n`, `ESC[K` (erase to end of line), `ESC[nC` (cursor right) and
// `ESC[H ESC[2J` (Ctrl-L); lines longer than the terminal scroll horizontally.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class LineEditor {
    enum Result: Equatable {
        case line(String)
        /// Ctrl-C: the line was abandoned.
        case interrupted
        /// Ctrl-D on an empty line, or the end of input.
        case endOfInput
    }

    /// Completion: for the text before the cursor, where the word being completed starts (a
    /// character index) and the candidates for it.
    typealias Completer = (_ before: [Character]) -> (start: Int, candidates: [String])

    var history: History
    let complete: Completer
    private var buffer: [Character] = []
    private var cursor = 0
    private var prompt = ""

    init(history: History, complete: @escaping Completer) {
        self.history = history
        self.complete = complete
    }

    /// Whether standard input and output are a terminal the editor can drive.
    static var isUsable: Bool {
        guard isatty(0) != 0, isatty(1) != 0 else { return false }
        let term = getenv("TERM").map { String(cString: $0) } ?? ""
        return term != "dumb"
    }

    /// Reads one line, showing `prompt`.
    func readLine(prompt: String) -> Result {
        var original = termios()
        guard tcgetattr(0, &original) == 0 else { return .endOfInput }
        var raw = original
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        // TCSADRAIN, not TCSAFLUSH: input typed ahead (or pasted) is kept.
        tcsetattr(0, TCSADRAIN, &raw)
        defer { tcsetattr(0, TCSADRAIN, &original) }
        self.prompt = prompt
        buffer = []
        cursor = 0
        history.beginBrowsing()
        refresh()
        return edit()
    }

    private func edit() -> Result {
        while let c = readScalar() {
            switch c.value {
            case 13, 10:
                cursor = buffer.count
                refresh()
                write("\n")
                return .line(String(buffer))
            case 3:
                write("^C\n")
                return .interrupted
            case 4:
                if buffer.isEmpty {
                    write("\n")
                    return .endOfInput
                }
                deleteForward()
            case 127, 8: deleteBackward()
            case 1: move(to: 0)
            case 5: move(to: buffer.count)
            case 2: move(to: cursor - 1)
            case 6: move(to: cursor + 1)
            case 11: kill(cursor..<buffer.count)
            case 21: kill(0..<cursor)
            case 23: kill(wordStart()..<cursor)
            case 12:
                write("\u{1b}[H\u{1b}[2J")
                refresh()
            case 16: recall(older: true)
            case 14: recall(older: false)
            case 9: completeWord()
            case 18:
                if let line = reverseSearch() { return .line(line) }
            case 27: escapeSequence()
            case 0..<32: break
            default: insert(Character(c))
            }
        }
        write("\n")
        return .endOfInput
    }

    // MARK: editing

    private func insert(_ c: Character) {
        buffer.insert(c, at: cursor)
        cursor += 1
        refresh()
    }

    private func insert(_ text: String) {
        buffer.insert(contentsOf: text, at: cursor)
        cursor += text.count
        refresh()
    }

    private func deleteBackward() {
        guard cursor > 0 else { return }
        buffer.remove(at: cursor - 1)
        cursor -= 1
        refresh()
    }

    private func deleteForward() {
        guard cursor < buffer.count else { return }
        buffer.remove(at: cursor)
        refresh()
    }

    private func move(to position: Int) {
        cursor = min(max(0, position), buffer.count)
        refresh()
    }

    private func kill(_ range: Range<Int>) {
        buffer.removeSubrange(range)
        cursor = range.lowerBound
        refresh()
    }

    /// Start of the word before the cursor (spaces, then non-spaces, as readline's Ctrl-W).
    private func wordStart() -> Int {
        var i = cursor
        while i > 0 && buffer[i - 1] == " " { i -= 1 }
        while i > 0 && buffer[i - 1] != " " { i -= 1 }
        return i
    }

    private func recall(older: Bool) {
        guard let line = history.step(older: older, current: String(buffer)) else { return }
        buffer = Array(line)
        cursor = buffer.count
        refresh()
    }

    private func completeWord() {
        let (start, candidates) = complete(Array(buffer[..<cursor]))
        guard !candidates.isEmpty else { return }
        let typed = cursor - start
        let common = candidates.dropFirst().reduce(Array(candidates[0])) { prefix, next in
            Array(zip(prefix, next).prefix { $0 == $1 }.map(\.0))
        }
        if common.count > typed {
            insert(String(common[typed...]))
        } else if candidates.count > 1 {
            write("\n" + candidates.joined(separator: "  ") + "\n")
            refresh()
        }
    }

    /// Whether a character is part of a word for word motion.
    private static func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

    /// Start of the word at or before the cursor (readline's backward-word, Alt-b).
    private func wordLeft() -> Int {
        var i = cursor
        while i > 0 && !Self.isWord(buffer[i - 1]) { i -= 1 }
        while i > 0 && Self.isWord(buffer[i - 1]) { i -= 1 }
        return i
    }

    /// End of the word at or after the cursor (readline's forward-word, Alt-f).
    private func wordRight() -> Int {
        var i = cursor
        while i < buffer.count && !Self.isWord(buffer[i]) { i += 1 }
        while i < buffer.count && Self.isWord(buffer[i]) { i += 1 }
        return i
    }

    /// Ctrl-R: searches the history from the newest entry for lines containing what is typed.
    /// Returns the line to run when Enter is pressed; nil when the search ends and editing goes on
    /// (with the match, or with the line as it was after Ctrl-G or Ctrl-C).
    private func reverseSearch() -> String? {
        let saved = (buffer, cursor)
        let entries = history.entries
        var query = "", found: Int? = nil, failed = false
        func search(before limit: Int) {
            guard !query.isEmpty else { found = nil; failed = false; return }
            if let i = entries[..<min(limit, entries.count)].lastIndex(where: { $0.contains(query) }) {
                found = i
                failed = false
            } else {
                failed = true
            }
        }
        func show() {
            let match = found.map { entries[$0].replacingOccurrences(of: "\n", with: " ") } ?? ""
            write("\r\(failed ? "(failed reverse-i-search)" : "(reverse-i-search)")`\(query)': \(match)\u{1b}[K")
        }
        show()
        while let c = readScalar() {
            switch c.value {
            case 18: search(before: found ?? entries.count)
            case 127, 8:
                if !query.isEmpty { query.removeLast() }
                search(before: entries.count)
            case 7, 3:
                (buffer, cursor) = saved
                refresh()
                return nil
            case 13, 10:
                let line = found.map { entries[$0] } ?? String(saved.0)
                buffer = Array(line)
                cursor = buffer.count
                refresh()
                write("\n")
                return line
            case 32...126, 128...:
                query.unicodeScalars.append(c)
                search(before: (found ?? entries.count - 1) + 1)
            default:
                if let found { buffer = Array(entries[found]) }
                cursor = buffer.count
                refresh()
                return nil
            }
            show()
        }
        return nil
    }

    private func escapeSequence() {
        guard let first = readByte() else { return }
        switch first {
        case UInt8(ascii: "b"): return move(to: wordLeft())
        case UInt8(ascii: "f"): return move(to: wordRight())
        default: break
        }
        if first == UInt8(ascii: "O") {
            switch readByte() {
            case UInt8(ascii: "H"): move(to: 0)
            case UInt8(ascii: "F"): move(to: buffer.count)
            default: break
            }
            return
        }
        guard first == UInt8(ascii: "[") else { return }
        // CSI: parameter bytes, then a final byte in 0x40...0x7E.
        var parameters: [UInt8] = []
        while let b = readByte() {
            if (0x40...0x7e).contains(b) {
                csi(final: b, String(decoding: parameters, as: UTF8.self))
                return
            }
            parameters.append(b)
        }
    }

    private func csi(final: UInt8, _ parameters: String) {
        switch (final, parameters) {
        // Ctrl- or Alt-Left/Right (xterm's modifiers 5 and 3): a word at a time.
        case (UInt8(ascii: "C"), "1;5"), (UInt8(ascii: "C"), "1;3"): move(to: wordRight())
        case (UInt8(ascii: "D"), "1;5"), (UInt8(ascii: "D"), "1;3"): move(to: wordLeft())
        case (UInt8(ascii: "A"), _): recall(older: true)
        case (UInt8(ascii: "B"), _): recall(older: false)
        case (UInt8(ascii: "C"), _): move(to: cursor + 1)
        case (UInt8(ascii: "D"), _): move(to: cursor - 1)
        case (UInt8(ascii: "H"), _), (UInt8(ascii: "~"), "1"), (UInt8(ascii: "~"), "7"): move(to: 0)
        case (UInt8(ascii: "F"), _), (UInt8(ascii: "~"), "4"), (UInt8(ascii: "~"), "8"): move(to: buffer.count)
        case (UInt8(ascii: "~"), "3"): deleteForward()
        default: break
        }
    }

    // MARK: terminal

    /// Redraws the prompt and the line, scrolling horizontally when it is wider than the terminal.
    private func refresh() {
        let columns = terminalColumns()
        let promptWidth = prompt.count
        var start = 0, length = buffer.count, position = cursor
        while promptWidth + position >= columns && position > 0 {
            start += 1
            length -= 1
            position -= 1
        }
        while promptWidth + length > columns - 1 && length > 0 { length -= 1 }
        var text = "\r" + prompt + String(buffer[start..<start + length]) + "\u{1b}[K\r"
        if promptWidth + position > 0 { text += "\u{1b}[\(promptWidth + position)C" }
        write(text)
    }

    private func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { posixWrite(1, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }

    private func readByte() -> UInt8? {
        var b: UInt8 = 0
        while true {
            let n = read(0, &b, 1)
            if n == 1 { return b }
            if n < 0 && errno == EINTR { continue }
            return nil
        }
    }

    /// One UTF-8 encoded character (invalid bytes become U+FFFD).
    private func readScalar() -> Unicode.Scalar? {
        guard let first = readByte() else { return nil }
        let extra = first >= 0xf0 ? 3 : first >= 0xe0 ? 2 : first >= 0xc0 ? 1 : 0
        var bytes = [first]
        for _ in 0..<extra {
            guard let b = readByte() else { break }
            bytes.append(b)
        }
        return String(decoding: bytes, as: UTF8.self).unicodeScalars.first
    }
}

/// write(2), under a name the editor's own `write` does not shadow.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
