// CompileTiers: the background thread of tiered compiles. A kernel or elementwise expression
// compiled now (not in either cache) is first compiled by a quick tier (scalar cleanup passes, code
// generation at level 0: a fifth of the time) and called at once; its final code (the pipeline it
// has without tiers) is compiled here, on one background thread, then swapped into its entry
// (`TieredEntry`: an atomic pointer store; calls load it without a lock) and stored in the disk
// cache. docs/cache.md, "Compile tiers".
//
// In: jobs from `Engine.tiered` (a closure compiling, linking and installing one kernel's or
// expression's final code). Out: the jobs run one at a time in queue order; statistics of what happened.
// Bounded: one thread, at most `maxPending` queued jobs (when full, the caller compiles the
// final code itself, as without tiers). A failed job keeps the quick code; the failure is counted,
// kept in `statistics.lastError` and printed to stderr. At process exit the job running finishes
// (LLVM must not be torn down under it) and queued ones are dropped.
import Foundation
import LLVMKit
import Synchronization

/// The entry of a compiled function (kernel or expression) that may change once: compiled now,
/// it starts on quick-tier code while its final code compiles on the background thread, which then
/// swaps the entry (docs/cache.md, "Compile tiers"). Calls read the entry with one atomic load and
/// no lock. The quick code stays in the JIT until this object goes (not at the swap), so a call
/// still running on it keeps working.
public final class TieredEntry: @unchecked Sendable {
    /// The address of the code calls run now.
    private let address: Atomic<UInt>
    private let lock = NSCondition()
    /// The quick tier's code (nil when compiled straight to final code); freed with this object.
    private let quickCode: JITCode?
    /// The final code, once there (given at init, or swapped in by the background thread).
    private var finalCode: JITCode?
    /// The background compile gave up (failed or dropped at exit): the quick code stays.
    private var abandoned = false

    /// Final code, or (`quick`) quick-tier code awaiting `installFinal`.
    init(code: JITCode, quick: Bool) {
        address = Atomic(UInt(bitPattern: code.address))
        quickCode = quick ? code : nil
        finalCode = quick ? nil : code
    }

    /// The address calls use now (one atomic load, acquire).
    public var raw: UnsafeRawPointer {
        UnsafeRawPointer(bitPattern: address.load(ordering: .acquiring))!
    }

    /// Whether calls run the final code (compiled straight to it, from the disk cache, or swapped in).
    public var isOptimized: Bool { lock.withLock { finalCode != nil } }

    /// Waits until the final code is in (returns at once when it is, or when its background compile
    /// failed or was dropped); true when it is in.
    @discardableResult
    public func waitForOptimizedCode() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        while finalCode == nil && !abandoned { lock.wait() }
        return finalCode != nil
    }

    /// Swaps the final code in (the background thread): kept first, then published to calls.
    func installFinal(_ code: JITCode) {
        lock.withLock {
            finalCode = code
            address.store(UInt(bitPattern: code.address), ordering: .releasing)
            lock.broadcast()
        }
    }

    /// The final code will not come: waiters return, calls stay on the quick code.
    func abandonFinal() {
        lock.withLock {
            abandoned = true
            lock.broadcast()
        }
    }
}

/// What the background compiles have done in this process.
public struct TierStatistics: Sendable, Equatable {
    /// Kernels compiled by the quick tier (and queued for their final code).
    public var quick = 0
    /// Final codes compiled in the background and swapped in.
    public var optimized = 0
    /// Background compiles that failed (the kernel kept its quick code).
    public var failed = 0
    /// Jobs not run or not installed: their kernel was freed first, or the process was exiting.
    public var skipped = 0
    /// Jobs queued or running now.
    public var pending = 0
    /// The last failure's message.
    public var lastError: String?
}

/// The one background compile thread and its queue.
public final class BackgroundCompiler: @unchecked Sendable {
    /// The process's background compiler.
    public static let shared = BackgroundCompiler()
    /// Most jobs queued at once; beyond it kernels compile straight to their final code.
    public static let maxPending = 64
    /// `SWIFTJIT_TIERS_LOG=1` prints one line per background compile to stderr.
    static let logging = ProcessInfo.processInfo.environment["SWIFTJIT_TIERS_LOG"] == "1"

    private let condition = NSCondition()
    private var queue: [(label: String, work: () throws -> Bool)] = []
    private var head = 0
    private var running = false
    private var started = false
    private var exiting = false
    private var stats = TierStatistics()
    /// Tests: jobs wait while this is set (`suspend`/`resume`), so calls can be made on quick code.
    private var suspended = false
    /// Tests: the next job fails with this message instead of compiling.
    var failNext: String? {
        get { condition.withLock { injectedFailure } }
        set { condition.withLock { injectedFailure = newValue } }
    }
    private var injectedFailure: String?

    /// What has happened so far.
    public var statistics: TierStatistics {
        condition.withLock {
            var s = stats
            s.pending = queue.count - head + (running ? 1 : 0)
            return s
        }
    }

    /// Whether a job can be queued now.
    var hasRoom: Bool { condition.withLock { !exiting && queue.count - head < Self.maxPending } }

    /// Counts a quick-tier compile.
    func countQuick() { condition.withLock { stats.quick += 1 } }

    /// Queues `work` (which returns false when it had nothing to install); false when the queue is
    /// full or the process is exiting, and nothing was queued.
    func enqueue(label: String, _ work: @escaping () throws -> Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !exiting, queue.count - head < Self.maxPending else { return false }
        queue.append((label, work))
        if !started {
            started = true
            let thread = Thread { [self] in loop() }
            thread.name = "swiftjit-compile"
            thread.stackSize = 16 << 20  // LLVM's passes recurse
            thread.start()
            // Registered after LLVM was loaded, so it runs before LLVM's own exit-time teardown.
            atexit { BackgroundCompiler.shared.finishForExit() }
        }
        condition.broadcast()
        return true
    }

    /// Waits until every queued job has run (resumes a suspended queue first).
    public func drain() {
        condition.lock()
        suspended = false
        condition.broadcast()
        while running || head < queue.count { condition.wait() }
        condition.unlock()
    }

    /// Throws the failure a test asked for (`failNext`), once; jobs call it first.
    func throwInjectedFailure() throws {
        if let message = condition.withLock({ () -> String? in
            defer { injectedFailure = nil }
            return injectedFailure
        }) {
            throw LLVMError(message)
        }
    }

    /// Tests: holds queued jobs back until `resume` (or `drain`).
    func suspend() { condition.withLock { suspended = true } }

    /// Tests: lets queued jobs run again.
    func resume() {
        condition.withLock {
            suspended = false
            condition.broadcast()
        }
    }

    private func loop() {
        PhaseTimes.markBackgroundThread()
        while true {
            condition.lock()
            while head == queue.count || exiting || suspended { condition.wait() }
            let job = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            running = true
            condition.unlock()
            let start = DispatchTime.now().uptimeNanoseconds
            var outcome: String
            do {
                let installed = try job.work()
                outcome = installed ? "swapped in" : "skipped (kernel freed)"
                condition.withLock { if installed { stats.optimized += 1 } else { stats.skipped += 1 } }
            } catch {
                let message = (error as? LLVMError)?.message ?? "\(error)"
                outcome = "failed: \(message)"
                condition.withLock {
                    stats.failed += 1
                    stats.lastError = message
                }
                FileHandle.standardError.write(Data(
                    "swiftjit: warning: optimised compile of \(job.label) failed, keeping its quick code: \(message)\n".utf8))
            }
            if Self.logging {
                let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                FileHandle.standardError.write(Data("swiftjit: tiers: \(job.label): \(outcome) (\(String(format: "%.1f", ms)) ms)\n".utf8))
            }
            condition.withLock {
                running = false
                condition.broadcast()
            }
        }
    }

    /// At exit: drops queued jobs and waits for the one running.
    private func finishForExit() {
        condition.lock()
        exiting = true
        stats.skipped += queue.count - head
        queue.removeAll()
        head = 0
        while running { condition.wait() }
        condition.unlock()
    }
}
