/// A named source text held as UTF-8 bytes, with line lookup for rendering diagnostics.
public struct SourceText: Sendable, Hashable {
    /// A name for messages: `<expr>`, a file path.
    public var name: String
    /// The text's UTF-8 bytes.
    public var bytes: [UInt8]

    public init(_ text: String, name: String = "<expr>") {
        self.name = name
        self.bytes = Array(text.utf8)
    }

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
        var line = 1
        var lineStart = 0
        for i in 0..<offset where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        let column = String(decoding: bytes[lineStart..<offset], as: UTF8.self).count + 1
        return (line, column)
    }

    /// Byte range of the given 1-based line, without its newline.
    public func lineRange(_ line: Int) -> Range<Int> {
        var current = 1
        var start = 0
        var i = 0
        while i < bytes.count && current < line {
            if bytes[i] == UInt8(ascii: "\n") { current += 1; start = i + 1 }
            i += 1
        }
        var end = start
        while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
        return start..<end
    }
}
