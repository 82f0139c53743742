// PhaseTimes: process-wide seconds spent in each phase of making code (for profiling compile
// time, `swiftjit compile-bench`). In: the phases that LLVMKit and the engine time. Out: running
// totals of wall time and of the measuring thread's CPU time (on a loaded machine the CPU time
// is the steadier figure); a profile is the difference of two snapshots. Costs four clock reads
// per phase. Phases run on the background compile thread (the optimised tier, CompileTiers.swift)
// go to totals of their own, so a profile of the calling thread is not mixed with them.
import Dispatch
import Foundation
import Synchronization

/// Running totals of the seconds spent per compile phase, process-wide.
public enum PhaseTimes {
    /// Seconds per phase.
    public struct Totals: Sendable {
        /// Creating target machines.
        public var targetMachine = 0.0
        /// Building LLVM IR from typed IR (our lowering), including verification.
        public var irBuild = 0.0
        /// LLVM's optimisation pipeline.
        public var optimize = 0.0
        /// Code generation to an object file.
        public var codegen = 0.0
        /// Linking an object into the JIT and looking its entry up.
        public var link = 0.0
        /// Disk-cache reads and writes.
        public var disk = 0.0
        /// Freeing code (resource tracker removal).
        public var free = 0.0

        public init() {}

        /// Each phase's seconds minus `earlier`'s.
        public func since(_ earlier: Totals) -> Totals {
            var d = Totals()
            for p in Totals.phases { d[keyPath: p.1] = self[keyPath: p.1] - earlier[keyPath: p.1] }
            return d
        }

        /// The phases with their names, in pipeline order.
        nonisolated(unsafe) public static let phases: [(String, WritableKeyPath<Totals, Double>)] = [
            ("target-machine", \.targetMachine), ("ir-build", \.irBuild), ("optimize", \.optimize),
            ("codegen", \.codegen), ("link", \.link), ("disk", \.disk), ("free", \.free),
        ]
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var totals = Totals()
    nonisolated(unsafe) private static var cpuTotals = Totals()
    nonisolated(unsafe) private static var backgroundTotals = Totals()
    /// The background compile thread (`pthread_t` as an integer; 0: none yet).
    private static let backgroundThread = Atomic<UInt>(0)

    /// The wall-time totals so far (phases on the calling threads, not the background thread).
    public static var current: Totals { lock.withLock { totals } }
    /// The CPU-time totals so far (of the threads that ran each phase; not the background thread).
    public static var currentCPU: Totals { lock.withLock { cpuTotals } }
    /// The CPU-time totals of the background compile thread so far.
    public static var backgroundCPU: Totals { lock.withLock { backgroundTotals } }

    /// Marks the calling thread as the background compile thread: its phases count in
    /// `backgroundCPU` only.
    public static func markBackgroundThread() {
        backgroundThread.store(UInt(pthread_self()), ordering: .releasing)
    }

    /// CPU time of the calling thread, seconds.
    public static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Runs `body`, adding its wall time and the calling thread's CPU time to `phase`.
    public static func measure<T>(_ phase: WritableKeyPath<Totals, Double>, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds, cpuStart = threadCPUSeconds()
        defer {
            let s = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpu = threadCPUSeconds() - cpuStart
            let background = backgroundThread.load(ordering: .acquiring) == UInt(pthread_self())
            lock.withLock {
                if background {
                    backgroundTotals[keyPath: phase] += cpu
                } else {
                    totals[keyPath: phase] += s
                    cpuTotals[keyPath: phase] += cpu
                }
            }
        }
        return try body()
    }
}
