// StageTrace: what one compile shows of itself. In: the stage tags to print after (`--print-after`,
// `all` for every stage). Out: the text of each of those stages' results, handed to `output` as
// the stage finishes, and the wall time of every stage run, in order (`--time-stages`). The
// compile driver (SwiftJIT's CompileDriver) and the stages below it (Pipeline, the engine's
// back end) call `run` around each stage; an ordinary compile passes no trace and pays nothing.
import Dispatch
import Foundation

/// Times the stages of one compile and prints the result of those asked for.
public final class StageTrace: @unchecked Sendable {
    /// One stage run: its tag and wall time.
    public struct Entry: Sendable, Equatable {
        /// The stage's tag.
        public var stage: String
        /// Its wall time.
        public var seconds: Double
    }

    /// Tags to print after (`all`: every stage).
    public let printAfter: Set<String>
    private let output: (String, String) -> Void
    private let lock = NSLock()
    private var recorded: [Entry] = []

    /// A trace printing after the stages in `printAfter`: `output` gets each one's tag and text.
    public init(printAfter: Set<String> = [], output: @escaping (_ stage: String, _ text: String) -> Void = { _, _ in }) {
        self.printAfter = printAfter
        self.output = output
    }

    /// Every stage run so far, in the order they finished.
    public var entries: [Entry] { lock.withLock { recorded } }

    /// Whether the text after `stage` is wanted.
    public func prints(_ stage: String) -> Bool {
        printAfter.contains(stage) || printAfter.contains("all")
    }

    /// Runs `body` as stage `stage`: records its time and, when that stage is printed, hands
    /// `text(result)` to the output.
    public func run<T>(_ stage: String, _ body: () throws -> T, text: (T) -> String) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        record(stage, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        if prints(stage) { output(stage, text(result)) }
        return result
    }

    /// Adds a stage run timed elsewhere.
    public func record(_ stage: String, seconds: Double) {
        lock.withLock { recorded.append(Entry(stage: stage, seconds: seconds)) }
    }
}

extension Optional where Wrapped == StageTrace {
    /// Runs `body` as stage `stage` of the trace, or just runs it without one.
    @inline(__always)
    public func run<T>(_ stage: String, _ body: () throws -> T, text: (T) -> String) rethrows -> T {
        guard let trace = self else { return try body() }
        return try trace.run(stage, body, text: text)
    }
}
