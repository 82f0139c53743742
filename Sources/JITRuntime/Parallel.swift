// Parallel execution of kernel work: the thread count, the cores the process may use, and the
// one way SwiftJIT runs work on several threads (`Parallel.forEach`).
//
// Executor: a small purpose-built pool (ThreadPool.swift), not `DispatchQueue.concurrentPerform`,
// because it measured faster on this machine (2 cores, release build, medians, machine otherwise
// idle; `swiftjit overhead --sections scaling,crossover`, `SWIFTJIT_EXECUTOR=dispatch` selects
// concurrentPerform for comparison):
//   1 -> 2 threads          pool                     concurrentPerform
//   W1 n=300,000            1.277 ms -> 0.635 ms     1.184 ms -> 0.683 ms
//   'a*b + c' n=32,768      17.99 us -> 11.13 us     17.87 us -> 24.56 us (slower than serial)
//   W1 n=8,192              41.6 us -> 27.8 us       44.9 us -> 72.6 us
// concurrentPerform's second thread often starts tens of microseconds late (a standalone test:
// two 10 us items took 26.6 us with concurrentPerform, 10.3 us with a spinning pool), so below
// ~100K elements it was no faster than one thread; the pool's workers poll briefly between calls.
//
// Thread count, in order of precedence:
//   1. `Parallel.threadCount` / `JIT.numThreads` when set by the program (the CLI's `--threads`);
//   2. `SWIFTJIT_NUM_THREADS` (a positive integer) in the environment at first use;
//   3. the cores this process may run on: the CPU affinity mask (`sched_getaffinity`), capped by
//      the cgroup CPU quota (v2 `cpu.max`, v1 `cpu.cfs_quota_us`/`cpu.cfs_period_us`), rounded up.
// The thread count is a run-time setting only: compiled kernels and every cache key are the same
// whatever it is.
//
// Safety: every call owns its work (no state is shared between calls), so any number of threads
// may run compiled expressions at once. Work that is started from a thread that is already
// running SwiftJIT work of a parallel region (a thread-local flag) runs serially on that thread,
// so nesting neither deadlocks nor multiplies threads; libdispatch in addition narrows nested
// `concurrentPerform`s of the user's own (it divides the width by the nesting depth).
import CJITSupport
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public enum Parallel {
    // MARK: thread count

    /// The settings live in C (runtime_settings.h), read on every call without a lock: the
    /// configured thread count (0: not set) and the serial threshold, which starts at the default.
    private static let settingsReady: Bool = {
        sj_setting_store(Int32(SJ_SETTING_SERIAL_ELEMENTS), Int64(defaultSerialThreshold))
        return true
    }()

    /// Threads a kernel call may use (at least 1). Setting it affects calls started afterwards;
    /// setting nil returns to the default (`SWIFTJIT_NUM_THREADS`, else `availableCores`).
    public static var threadCount: Int {
        get {
            let configured = Int(sj_setting_load(Int32(SJ_SETTING_THREADS)))
            return configured > 0 ? configured : defaultThreadCount
        }
        set { sj_setting_store(Int32(SJ_SETTING_THREADS), Int64(max(1, newValue))) }
    }

    /// Returns to the default thread count.
    public static func resetThreadCount() {
        sj_setting_store(Int32(SJ_SETTING_THREADS), 0)
    }

    /// `SWIFTJIT_NUM_THREADS` when it is a positive integer, else `availableCores`.
    public static let defaultThreadCount: Int = {
        if let text = ProcessInfo.processInfo.environment["SWIFTJIT_NUM_THREADS"],
           let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= 1 {
            return n
        }
        return availableCores
    }()

    /// The number of cores this process may run on: the affinity mask, capped by the cgroup quota.
    public static let availableCores: Int = {
        var n = affinityCount() ?? ProcessInfo.processInfo.activeProcessorCount
        if let quota = cgroupCPULimit() { n = min(n, quota) }
        return max(1, n)
    }()

    /// CPUs in this thread's affinity mask (Linux), nil when unknown.
    static func affinityCount() -> Int? {
        #if os(Linux)
        // sched_getaffinity is a GNU extension the Glibc module does not import; look it up.
        typealias GetAffinity = @convention(c) (pid_t, Int, UnsafeMutableRawPointer?) -> Int32
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "sched_getaffinity") else { return nil }
        let getAffinity = unsafeBitCast(symbol, to: GetAffinity.self)
        var mask = [UInt64](repeating: 0, count: 128)  // room for 8192 CPUs
        let count = mask.withUnsafeMutableBytes { bytes -> Int in
            guard getAffinity(0, bytes.count, bytes.baseAddress) == 0 else { return 0 }
            return bytes.reduce(0) { $0 + $1.nonzeroBitCount }
        }
        return count > 0 ? count : nil
        #else
        return nil
        #endif
    }

    /// The cgroup CPU quota in whole CPUs (rounded up), nil when unlimited or unknown.
    static func cgroupCPULimit() -> Int? {
        #if os(Linux)
        // The process's cgroup paths: "0::/path" (v2), "N:cpu,cpuacct:/path" (v1).
        var v2Path = "", v1Path = ""
        if let text = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                guard parts.count == 3 else { continue }
                if parts[0] == "0" && parts[1].isEmpty { v2Path = String(parts[2]) }
                if parts[1].split(separator: ",").contains("cpu") { v1Path = String(parts[2]) }
            }
        }
        func read(_ path: String) -> String? {
            (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // v2: "max 100000" or "QUOTA PERIOD", in the process's cgroup or at the root of the mount.
        for dir in Set(["/sys/fs/cgroup" + v2Path, "/sys/fs/cgroup"]) {
            if let text = read(dir + "/cpu.max") {
                return parseCPUMax(text)
            }
        }
        // v1: cpu.cfs_quota_us (-1: unlimited) / cpu.cfs_period_us.
        for dir in Set(["/sys/fs/cgroup/cpu" + v1Path, "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"]) {
            if let q = read(dir + "/cpu.cfs_quota_us").flatMap({ Int($0) }),
               let p = read(dir + "/cpu.cfs_period_us").flatMap({ Int($0) }) {
                return q > 0 && p > 0 ? (q + p - 1) / p : nil
            }
        }
        #endif
        return nil
    }

    /// Parses cgroup v2 `cpu.max` ("max PERIOD" or "QUOTA PERIOD") into whole CPUs, rounded up.
    public static func parseCPUMax(_ text: String) -> Int? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 1, fields[0] != "max", let quota = Int(fields[0]), quota > 0 else { return nil }
        let period = fields.count >= 2 ? Int(fields[1]) ?? 100_000 : 100_000
        guard period > 0 else { return nil }
        return max(1, (quota + period - 1) / period)
    }

    // MARK: running work

    /// Below this many elements (summed over the rows of a call) a kernel call runs serially:
    /// waking a second thread costs more than it saves. Measured with `swiftjit overhead
    /// --sections crossover` (release, 2 cores, medians of 21, threshold disabled; time at 1 / 2
    /// threads): 'a*b + c' (3 loads, 1 store per element) 4,096: 6.90/6.75 us, 8,192: 8.13/7.37 us,
    /// 16,384: 10.42/8.46 us, 32,768: 17.99/11.13 us; W1 (exp) gains already at 1,024 (13.3/12.0
    /// us). The crossover of the cheapest expressions is 4-8K elements; 16K keeps a clear margin
    /// (a sleeping worker takes longer to wake than a polling one) and leaves small calls alone.
    /// Settable for measurement (`swiftjit overhead --crossover`); calls started afterwards use it.
    public static var serialThreshold: Int {
        get {
            _ = settingsReady
            return Int(sj_setting_load(Int32(SJ_SETTING_SERIAL_ELEMENTS)))
        }
        set {
            _ = settingsReady
            sj_setting_store(Int32(SJ_SETTING_SERIAL_ELEMENTS), Int64(max(0, newValue)))
        }
    }
    public static let defaultSerialThreshold = 16_384

    /// Elements per work item of a parallel call: big enough that claiming an item costs nothing
    /// next to running it, small enough (<= 512 KiB per float64 operand) to stay in L2 and to
    /// balance the load.
    public static let chunkElements = 32_768

    /// Per-thread flag: set while the thread runs work of a parallel region.
    fileprivate static let insideKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Whether this thread is running work of a SwiftJIT parallel region (nested calls run serially).
    public static var isInsideRegion: Bool { pthread_getspecific(insideKey) != nil }

    /// The threads a call of `elements` elements should use given `requested` (nil: `threadCount`).
    public static func threadsFor(elements: Int, requested: Int? = nil) -> Int {
        // Lock-free: small calls (every typed call of a few elements) ask this on every call.
        guard elements >= max(serialThreshold, 2) else { return 1 }
        let t = requested ?? threadCount
        guard t > 1, !isInsideRegion else { return 1 }
        return t
    }

    /// Runs `body(i)` for every i in 0..<items on up to `threads` threads (the caller is one of
    /// them). Items are claimed in order from a shared counter, so which thread runs which item
    /// varies: `body` must write only to places that belong to its item. Returns when all are done.
    public static func forEach(items: Int, threads: Int, _ body: (Int) -> Void) {
        let t = min(threads, items)
        if t <= 1 || isInsideRegion {
            for i in 0..<items { body(i) }
            return
        }
        if #available(macOS 15.0, *), !useDispatch {
            if ThreadPool.shared.run(items: items, threads: t, body) { return }
            // Another region holds the pool: run here, serially, rather than oversubscribe.
            markInside { for i in 0..<items { body(i) } }
            return
        }
        let counter = ItemCounter()
        withoutActuallyEscaping(body) { body in
            let box = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: t) { _ in
                let previous = pthread_getspecific(insideKey)
                pthread_setspecific(insideKey, UnsafeRawPointer(bitPattern: 1))
                defer { pthread_setspecific(insideKey, previous) }
                while true {
                    let i = counter.next()
                    if i >= items { break }
                    box.value(i)
                }
            }
        }
    }
}

extension Parallel {
    /// Runs `body` with this thread marked as running work of a parallel region.
    static func markInside<R>(_ body: () throws -> R) rethrows -> R {
        let previous = pthread_getspecific(insideKey)
        pthread_setspecific(insideKey, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(insideKey, previous) }
        return try body()
    }

    /// `SWIFTJIT_EXECUTOR=dispatch` selects `concurrentPerform` instead of the pool (for measurement).
    static let useDispatch = ProcessInfo.processInfo.environment["SWIFTJIT_EXECUTOR"] == "dispatch"
}

/// A counter handing out work items; a mutex is plenty at a few items per thread.
private final class ItemCounter: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value = 0

    init() { pthread_mutex_init(mutex, nil) }
    deinit { pthread_mutex_destroy(mutex); mutex.deallocate() }

    func next() -> Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let v = value
        value += 1
        return v
    }
}

/// Carries a value the caller knows to be safe across the threads of one region.
private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
