// The purpose-built worker pool behind `Parallel.forEach` (see Parallel.swift for why it, and
// not `DispatchQueue.concurrentPerform`, with the measurements).
//
// Workers are started on first use and kept; between regions they spin for a short while
// (`spinNanoseconds`) and then sleep on a condition variable, so back-to-back calls start in
// well under a microsecond and an idle process uses no CPU. One region runs at a time: a caller
// that finds the pool busy (another thread's region) runs its items itself, serially, so
// concurrent callers never wait for each other, never deadlock and never oversubscribe the cores.
// A region's state word holds (generation, workers joined, closed): workers join only the current
// open region, the caller closes it when every item is claimed and then waits only for the
// workers that joined (they are running), never for a worker that has not woken up yet.
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

@available(macOS 15.0, *)
final class ThreadPool: @unchecked Sendable {
    static let shared = ThreadPool()

    /// How long an idle worker polls for the next region before it sleeps.
    static let spinNanoseconds: UInt64 = 100_000
    /// Most workers ever started.
    static let maxWorkers = 255

    /// Region state: generation << 16 | joined << 1 | closed.
    private let state = Atomic<Int>(0)
    /// Next item to claim in the current region.
    private let next = Atomic<Int>(0)
    /// Workers that left the current region.
    private let left = Atomic<Int>(0)
    /// Set while a caller owns the pool.
    private let busy = Atomic<Bool>(false)
    private let sleepers = Atomic<Int>(0)
    // Written by the owning caller before it publishes a generation.
    nonisolated(unsafe) private var items = 0
    /// Workers the current region wants. Atomic because a worker that loaded a generation's open
    /// state may read it while the owner already writes the next region's (ThreadSanitizer found
    /// the plain variable racing; the compare-exchange then fails, so the value was never used).
    private let wanted = Atomic<Int>(0)
    nonisolated(unsafe) private var body: ((Int) -> Void)?

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Workers started (changed only by the owning caller).
    nonisolated(unsafe) private var started = 0

    private init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
    }

    /// Runs body(0..<items) on the caller and up to threads - 1 workers; false (having run
    /// nothing) when another region holds the pool.
    func run(items: Int, threads: Int, _ body: (Int) -> Void) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        defer { busy.store(false, ordering: .releasing) }
        let helpers = min(threads - 1, ThreadPool.maxWorkers)
        while started < helpers {
            let index = started
            let thread = Thread { [unowned self] in self.workerLoop(index) }
            thread.name = "swiftjit-worker-\(index)"
            thread.start()
            started += 1
        }
        withoutActuallyEscaping(body) { body in
            self.items = items
            self.wanted.store(helpers, ordering: .relaxed)
            self.body = body
            next.store(0, ordering: .relaxed)
            left.store(0, ordering: .relaxed)
            // Publish a new open region with no workers joined.
            let generation = (state.load(ordering: .relaxed) >> 16) + 1
            state.store(generation << 16, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(wake)
                pthread_mutex_unlock(mutex)
            }
            Parallel.markInside { self.work() }
            // Close the region; wait for the workers that joined it.
            let closed = state.bitwiseXor(1, ordering: .acquiringAndReleasing).newValue
            let joined = (closed >> 1) & 0x7FFF
            var spins = 0
            while left.load(ordering: .acquiring) < joined {
                spins += 1
                if spins > 1000 { sched_yield() }
            }
            self.body = nil
        }
        return true
    }

    private func work() {
        let n = items
        guard let body else { return }
        while true {
            let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
            if i >= n { return }
            body(i)
        }
    }

    private func workerLoop(_ index: Int) {
        var seen = 0
        while true {
            // Wait for a generation newer than `seen`.
            var s = state.load(ordering: .acquiring)
            if s >> 16 == seen {
                let start = DispatchTime.now().uptimeNanoseconds
                var polls = 0
                while s >> 16 == seen {
                    polls += 1
                    if polls & 255 == 0 && DispatchTime.now().uptimeNanoseconds - start > ThreadPool.spinNanoseconds {
                        pthread_mutex_lock(mutex)
                        sleepers.add(1, ordering: .sequentiallyConsistent)
                        while state.load(ordering: .sequentiallyConsistent) >> 16 == seen {
                            pthread_cond_wait(wake, mutex)
                        }
                        sleepers.subtract(1, ordering: .sequentiallyConsistent)
                        pthread_mutex_unlock(mutex)
                    }
                    s = state.load(ordering: .acquiring)
                }
            }
            seen = s >> 16
            // Join if the region is still open and wants this worker.
            var joined = false
            while s >> 16 == seen && s & 1 == 0 && index < wanted.load(ordering: .relaxed) {
                let (exchanged, current) = state.compareExchange(expected: s, desired: s + 2, ordering: .acquiringAndReleasing)
                if exchanged { joined = true; break }
                s = current
            }
            if joined {
                Parallel.markInside { self.work() }
                left.add(1, ordering: .releasing)
            }
        }
    }
}
