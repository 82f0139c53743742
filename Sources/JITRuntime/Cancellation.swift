// Cooperative cancellation of computations: a token (a flag) installed for the calling thread;
// the runtime polls it between work items and chunks of parallel loops (and hands it to the
// pool's threads), compiled kernels between strips of flat loops and at the back-edges of outer
// loops (KernelLoops.swift). Calls also look at the current task's cancellation when they start.
// In: `token.cancel()` from any thread, a signal handler or a task's cancellation; out: the call
// stops and throws Swift's `CancellationError`, with every allocation of the call freed as on
// any other error.
import CJITSupport

/// A flag that stops the SwiftJIT calls running under it (`JIT.withCancellation`).
public final class CancellationToken: @unchecked Sendable {
    let flag: UnsafeMutablePointer<Int32>

    public init() {
        flag = .allocate(capacity: 1)
        flag.initialize(to: 0)
    }

    deinit {
        sj_reset_token(flag)  // keeps the count of cancelled tokens right
        flag.deallocate()
    }

    /// Stops the calls running under this token (at their next check, within milliseconds);
    /// later calls under it stop at once. Safe from any thread.
    public func cancel() { sj_cancel(flag) }

    /// Clears the flag, so the token can serve again.
    public func reset() { sj_reset_token(flag) }

    /// Whether `cancel()` was called.
    public var isCancelled: Bool { sj_token_cancelled(flag) != 0 }

    /// Runs `body` with this token installed for the calling thread's SwiftJIT calls.
    public func installed<R>(_ body: () throws -> R) throws -> R {
        if isCancelled { throw CancellationError() }
        let previous = sj_swap_cancel_token(flag)
        defer { _ = sj_swap_cancel_token(previous) }
        return try withExtendedLifetime(self) { try body() }
    }

    /// The token's flag, for a signal handler (`sj_set_interrupt_target`).
    public var rawFlag: UnsafeMutablePointer<Int32> { flag }
}

public enum Cancellation {
    /// Throws `CancellationError` when the calling thread's token is cancelled or the call is
    /// made in a cancelled task: at the start of every call, typed ones included (`f(x:)`,
    /// `f.call`, `out:`, `k(...)`, typed kernels and expressions). The task is asked through the
    /// runtime's entry points (sj_task_cancelled, about 6 ns outside a task, 17 ns in one).
    @inline(__always)
    public static func check() throws {
        if sj_cancelled() != 0 || sj_task_cancelled() != 0 { throw CancellationError() }
    }

    /// Throws `CancellationError` when the calling thread's token is cancelled: at the end of
    /// calls whose work items may have been skipped.
    @inline(__always)
    public static func checkToken() throws {
        if sj_cancelled() != 0 { throw CancellationError() }
    }
}
