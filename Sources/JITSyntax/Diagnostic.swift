// Diagnostics as typed values (swift-syntax style): a stage produces `Diagnostic`s with
// byte ranges into the source; `DiagnosticRenderer` turns them into text with carets.
// Line and column are computed only when rendering.

/// A half-open range of UTF-8 byte offsets into a source text.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
    /// First byte of the range.
    public var lower: Int
    /// One past the last byte of the range.
    public var upper: Int

    /// A range from `lower` up to (not including) `upper`.
    public init(_ lower: Int, _ upper: Int) {
        self.lower = lower
        self.upper = max(lower, upper)
    }

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(min(lower, other.lower), max(upper, other.upper))
    }

    public var description: String { "\(lower)..<\(upper)" }
}

/// How serious a diagnostic is.
public enum Severity: String, Sendable {
    case error, warning, note
}

/// A note attached to a diagnostic ("did you mean 'sin'?"), optionally pointing somewhere.
public struct DiagnosticNote: Hashable, Sendable {
    /// The note's text.
    public var message: String
    /// Where it points, if anywhere.
    public var range: SourceRange?

    public init(_ message: String, at range: SourceRange? = nil) {
        self.message = message
        self.range = range
    }
}

/// One problem found in user input: an id (snake_case, stable for tests), a message, a place.
public struct Diagnostic: Hashable, Sendable {
    /// A stable snake_case identifier such as `unknown_function`.
    public var id: String
    /// Error or warning.
    public var severity: Severity
    /// The human-readable message.
    public var message: String
    /// The bytes of the source the diagnostic is about.
    public var range: SourceRange
    /// Further remarks.
    public var notes: [DiagnosticNote]

    public init(_ id: String, _ message: String, at range: SourceRange,
                severity: Severity = .error, notes: [DiagnosticNote] = []) {
        self.id = id
        self.severity = severity
        self.message = message
        self.range = range
        self.notes = notes
    }
}

/// Thrown when input has errors: the source and every diagnostic found in it.
public struct DiagnosticError: Error, Sendable, CustomStringConvertible {
    /// The text the diagnostics refer to.
    public var source: SourceText
    /// All diagnostics, in source order.
    public var diagnostics: [Diagnostic]

    public init(source: SourceText, diagnostics: [Diagnostic]) {
        self.source = source
        self.diagnostics = diagnostics.sorted { ($0.range.lower, $0.range.upper) < ($1.range.lower, $1.range.upper) }
    }

    /// The diagnostics rendered with source lines and carets.
    public var description: String { DiagnosticRenderer().render(diagnostics, in: source) }
}

/// Accumulates diagnostics during one stage.
public struct DiagnosticBag: Sendable {
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    /// Whether any error was reported.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Records a diagnostic.
    public mutating func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    /// Records an error.
    public mutating func error(_ id: String, _ message: String, at range: SourceRange, notes: [DiagnosticNote] = []) {
        diagnostics.append(Diagnostic(id, message, at: range, notes: notes))
    }
}
