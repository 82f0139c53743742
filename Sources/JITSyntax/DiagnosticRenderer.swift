/// Draws diagnostics as text:
///
///     <expr>:1:14: error: expected ')' to close '(' at column 4
///     1 | sin(x) + cos(y
///       |              ^
///       = note: did you mean 'sin'?
///
/// The caret line underlines the whole range (`^~~~`). Control characters in the source line are
/// shown as `?` so the caret stays aligned and the terminal is never driven by user input.
public struct DiagnosticRenderer: Sendable {
    public init() {}

    /// Renders every diagnostic, separated by newlines.
    public func render(_ diagnostics: [Diagnostic], in source: SourceText) -> String {
        diagnostics.map { render($0, in: source) }.joined(separator: "\n")
    }

    /// Renders one diagnostic with its source line, caret and notes.
    public func render(_ d: Diagnostic, in source: SourceText) -> String {
        let (line, column) = source.location(of: d.range.lower)
        var out = "\(source.name):\(line):\(column): \(d.severity.rawValue): \(d.message)\n"
        out += snippet(d.range, in: source, line: line)
        for note in d.notes {
            if let r = note.range, r != d.range {
                let (nl, nc) = source.location(of: r.lower)
                out += "  = note: \(note.message) (\(nl):\(nc))\n"
            } else {
                out += "  = note: \(note.message)\n"
            }
        }
        return out
    }

    private func snippet(_ range: SourceRange, in source: SourceText, line: Int) -> String {
        let lr = source.lineRange(line)
        let maxShown = 120
        let lineBytes = Array(source.bytes[lr])
        let startInLine = min(max(0, range.lower - lr.lowerBound), lineBytes.count)
        let endInLine = min(max(startInLine, range.upper - lr.lowerBound), lineBytes.count)
        // Keep long lines readable: show a window around the range.
        var windowStart = 0
        if startInLine > maxShown - 20 { windowStart = startInLine - 40 }
        let windowEnd = min(lineBytes.count, windowStart + maxShown)
        let prefix = windowStart > 0 ? "..." : ""
        let suffix = windowEnd < lineBytes.count ? "..." : ""
        let shown = visible(lineBytes[windowStart..<windowEnd])
        let before = visible(lineBytes[windowStart..<max(windowStart, min(startInLine, windowEnd))])
        let underlined = visible(lineBytes[min(startInLine, windowEnd)..<min(max(endInLine, startInLine), windowEnd)])
        let gutter = String(line)
        let pad = String(repeating: " ", count: gutter.count)
        let caretPad = String(repeating: " ", count: prefix.count + before.count)
        let tildes = String(repeating: "~", count: max(0, underlined.count - 1))
        return "\(gutter) | \(prefix)\(shown)\(suffix)\n\(pad) | \(caretPad)^\(tildes)\n"
    }

    private func visible(_ bytes: ArraySlice<UInt8>) -> String {
        let s = String(decoding: bytes, as: UTF8.self)
        return String(s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
    }
}
