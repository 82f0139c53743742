/// A named source text held as UTF-8 bytes, with line lookup for rendering diagnostics.
public struct SourceText: Sendable, Hashable {
    /// A name for messages: `<expr>`, a file path.
    public var name: String
    /// The text's UTF-8 bytes.
    public let bytes: [UInt8]
    /// Byte offset where each line starts (the first is 0): line lookups are binary searches,
    /// so rendering many diagnostics for a long source stays linear.
    private let lineStarts: [Int]

    public init(_ text: String, name: String = "<expr>") {
        self.name = name
        self.bytes = Array(text.utf8)
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        self.lineStarts = starts
    }

    /// Number of lines (a final newline starts an empty last line).
    public var lineCount: Int { lineStarts.count }

    /// The text as a Swift string.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The source bytes of `range`, as a string.
    public func slice(_ range: SourceRange) -> String {
        let lo = min(max(0, range.lower), bytes.count)
        let hi = min(max(lo, range.upper), bytes.count)
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }

    /// 1-based line and column (in characters) of a byte offset.
    public func location(of offset: Int) -> (line: Int, column: Int) {
        let offset = min(max(0, offset), bytes.count)
        // The last line start at or before `offset`.
        var lo = 0, hi = lineStarts.count
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid }
        }
        let column = String(decoding: bytes[lineStarts[lo]..<offset], as: UTF8.self).count + 1
        return (lo + 1, column)
    }

    /// Byte range of the given 1-based line, without its newline (lines outside the text are
    /// clamped to the first or last line).
    public func lineRange(_ line: Int) -> Range<Int> {
        let line = min(max(1, line), lineStarts.count)
        let start = lineStarts[line - 1]
        let end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        return start..<end
    }
}
