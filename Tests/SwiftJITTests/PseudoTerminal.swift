// The built `swiftjit` run on a pseudo-terminal (posix_openpt), with a small model of the screen
// it draws: what a user would see after typing keys (REPLTests).
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class PseudoTerminal {
    let master: Int32
    let process = Process()
    private(set) var screen: Screen

    /// Starts `swiftjit arguments` on a new terminal of `columns` x 40.
    init(_ arguments: [String] = [], in directory: URL, environment: [String: String], columns: Int = 100) throws {
        // posix_openpt and friends are hidden from Swift's Glibc module (they need _XOPEN_SOURCE),
        // so they are looked up by name.
        guard let library = dlopen(nil, RTLD_NOW),
              let openpt = dlsym(library, "posix_openpt"), let grant = dlsym(library, "grantpt"),
              let unlock = dlsym(library, "unlockpt"), let ptsname = dlsym(library, "ptsname") else {
            throw XCTSkip("no posix_openpt")
        }
        typealias IntFunction = @convention(c) (Int32) -> Int32
        typealias NameFunction = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
        master = unsafeBitCast(openpt, to: IntFunction.self)(O_RDWR | O_NOCTTY)
        guard master >= 0, unsafeBitCast(grant, to: IntFunction.self)(master) == 0,
              unsafeBitCast(unlock, to: IntFunction.self)(master) == 0,
              let name = unsafeBitCast(ptsname, to: NameFunction.self)(master) else {
            throw XCTSkip("no pseudo-terminal available")
        }
        var size = winsize(ws_row: 40, ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
        let slave = open(name, O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw XCTSkip("cannot open \(String(cString: name))") }
        screen = Screen(columns: columns)
        let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        process.executableURL = try SwiftJITProcess.executable()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = SwiftJITProcess.childEnvironment(environment)
        process.standardInput = handle
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try handle.close()
    }

    deinit {
        if process.isRunning { process.terminate() }
        close(master)
    }

    /// Ctrl-C: types it, and sends SIGINT as the terminal's line discipline does to its foreground
    /// process (the child is not in a session of its own, so the terminal cannot do it here).
    func interrupt() {
        type("\u{3}")
        kill(process.processIdentifier, SIGINT)
    }

    /// SIGINT alone, as a second Ctrl-C would send it (without typing another ^C for the prompt).
    func signalInterrupt() { kill(process.processIdentifier, SIGINT) }

    /// Types `keys` (control characters and escape sequences included).
    func type(_ keys: String) {
        let bytes = Array(keys.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress!, $0.count) }
    }

    /// Reads output until `condition` holds for the screen or `timeout` seconds pass.
    @discardableResult
    func wait(timeout: Double = 120, until condition: (Screen) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition(screen) {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(min(left, 1) * 1000)) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = read(master, &buffer, buffer.count)
            if n <= 0 { return condition(screen) }  // the program has gone (EIO)
            screen.feed(buffer[..<n])
        }
        return true
    }

    /// Waits for the process to end (reading what it still prints) and returns its status.
    func waitForExit(timeout: Double = 60) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { wait(timeout: 0.2) { _ in false } }
        return process.isRunning ? nil : process.terminationStatus
    }
}

/// The lines a terminal shows, for the subset of control sequences the REPL writes: text,
/// `\r`, `\n`, backspace, `ESC[nC`, `ESC[nD`, `ESC[K`, `ESC[2J`; lines wrap at `columns`. The
/// screen grows downwards without scrolling lines away, so every line printed stays visible.
struct Screen {
    let columns: Int
    private(set) var lines: [[Character]] = [[]]
    private var row = 0, column = 0
    private var pending: [UInt8] = []

    init(columns: Int) { self.columns = columns }

    /// The lines, without trailing blanks.
    var text: [String] {
        lines.map { String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
    }

    /// The line the cursor is on, as shown (trailing blanks kept, so a bare prompt is ">>> ").
    var cursorLine: String { String(lines[row]) }

    mutating func feed<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        pending += bytes
        var i = 0
        parsing: while i < pending.count {
            let b = pending[i]
            switch b {
            case 0x1b:
                guard i + 1 < pending.count else { break parsing }
                guard pending[i + 1] == UInt8(ascii: "[") else { i += 2; continue }
                guard let end = pending[(i + 2)...].firstIndex(where: { (0x40...0x7e).contains($0) }) else { break parsing }
                control(final: pending[end], String(decoding: pending[(i + 2)..<end], as: UTF8.self))
                i = end + 1
            case UInt8(ascii: "\r"): column = 0; i += 1
            case UInt8(ascii: "\n"): moveDown(); i += 1
            case 8: column = max(0, column - 1); i += 1
            case 0..<32: i += 1
            default:
                let length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1
                guard i + length <= pending.count else { break parsing }
                put(Character(String(decoding: pending[i..<(i + length)], as: UTF8.self)))
                i += length
            }
        }
        pending.removeFirst(i)
    }

    private mutating func moveDown() {
        row += 1
        if row == lines.count { lines.append([]) }
    }

    private mutating func put(_ c: Character) {
        if column >= columns {
            moveDown()
            column = 0
        }
        while lines[row].count < column { lines[row].append(" ") }
        if column < lines[row].count { lines[row][column] = c } else { lines[row].append(c) }
        column += 1
    }

    private mutating func control(final: UInt8, _ parameters: String) {
        let n = Int(parameters) ?? 1
        switch final {
        case UInt8(ascii: "C"): column = min(columns, column + n)
        case UInt8(ascii: "D"): column = max(0, column - n)
        case UInt8(ascii: "K"): if column < lines[row].count { lines[row].removeSubrange(column...) }
        case UInt8(ascii: "J") where parameters == "2":
            lines = [[]]
            row = 0
            column = 0
        default: break
        }
    }
}
