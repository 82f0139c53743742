// Stopping long computations from Swift: a CancellationToken installed around calls, or the
// current task's cancellation. Calls stop at their next check (between work items, between
// chunks of parallel loops, between strips of kernels' flat loops, at their outer-loop
// back-edges) and throw `CancellationError`;
// the call's memory is freed as on any error, and compiled code and caches stay valid.
import JITRuntime

extension JIT {
    /// Runs `body` so that `token.cancel()` (from any thread) stops the SwiftJIT calls it makes
    /// with `CancellationError`. Throws at once if the token is already cancelled.
    public static func withCancellation<R>(_ token: CancellationToken, _ body: () throws -> R) throws -> R {
        try token.installed(body)
    }

    /// Runs `body` so that cancelling the current task stops the SwiftJIT calls it makes with
    /// `CancellationError`, also a call that is running then (in an already cancelled task it
    /// throws at once). Plain calls look at the task only when they start (a call made in a
    /// cancelled task throws `CancellationError`); this ties the task to a token that the
    /// running code polls.
    public static func cancellable<R>(_ body: () throws -> R) async throws -> R {
        try Task.checkCancellation()
        let token = CancellationToken()
        return try await withTaskCancellationHandler {
            try token.installed(body)
        } onCancel: {
            token.cancel()
        }
    }
}
