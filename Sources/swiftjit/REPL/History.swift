// The REPL's history: the lines entered, kept across sessions in a file, one line per entry.
//
// The file is $SWIFTJIT_HISTORY when set (empty: no file), else $XDG_STATE_HOME/swiftjit/history,
// else ~/.swiftjit_history. Each line is appended as it is entered, so a crashed session keeps its
// history; the newest `limit` lines are read at start.
import Foundation

struct History {
    /// Lines kept in memory and read from the file.
    static let limit = 1000

    private(set) var entries: [String] = []
    let path: String?
    /// While browsing with Up/Down: the entry shown (entries.count is the line being typed) and
    /// the line being typed, kept so Down can return to it.
    private var index = 0
    private var typed = ""

    init(path: String?) {
        self.path = path
        if let path, let text = try? String(contentsOfFile: path, encoding: .utf8) {
            entries = Array(text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init).suffix(Self.limit))
        }
        index = entries.count
    }

    /// The history file from the environment, as described above.
    static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let path = environment["SWIFTJIT_HISTORY"] { return path.isEmpty ? nil : path }
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/swiftjit/history" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.swiftjit_history" }
        return nil
    }

    /// Records a line (not blank ones, nor a repeat of the previous line).
    mutating func add(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty, line != entries.last else { return }
        entries.append(line)
        if entries.count > Self.limit { entries.removeFirst(entries.count - Self.limit) }
        guard let path else { return }
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = try? FileHandle(forWritingTo: url) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Starts a new line: Up shows the newest entry first.
    mutating func beginBrowsing() {
        index = entries.count
        typed = ""
    }

    /// The entry one older or newer than the one shown (`current` is what the line holds now);
    /// nil when there is none.
    mutating func step(older: Bool, current: String) -> String? {
        if index == entries.count { typed = current }
        let next = older ? index - 1 : index + 1
        guard next >= 0 && next <= entries.count else { return nil }
        index = next
        return index == entries.count ? typed : entries[index]
    }
}
