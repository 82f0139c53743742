// A benchmark's own failure (a missing input, a bad serve command): a message, no usage text.

/// A benchmark failure the caller reports as a message (serve mode answers it as JSON).
public struct BenchError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var message: String

    /// A failure saying `message`.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
