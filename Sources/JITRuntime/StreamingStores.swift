// Non-temporal stores for results much larger than the caches. A launch whose contiguous output
// is at least `StreamingStores.threshold` bytes writes it without first reading its cache lines
// from memory and without evicting the inputs: a triad moves three streams instead of four.
// Expressions run their streaming variant (IRGen+StreamingStores.swift: the loop's own vector
// stores are non-temporal) on every range whose output starts 64-byte aligned (Launch.swift);
// other ranges, and kernels' loops (KernelStreaming.swift), compute each stretch of a row into a
// small scratch tile (it stays in L1) and stream the tile to the output (sj_stream_copy), which
// is `call` below. In: a kernel entry, a row range, the operand pointers. Out: the same elements
// as a direct call (tiles start at multiples of 64 elements, so every element goes through the
// same vector or scalar code as without tiles).
import CJITSupport
import Foundation

/// When results are written with non-temporal (streaming) stores.
public enum StreamingStores {
    /// The environment variable read once: a size such as `64M` (see `BufferCache.parseSize`),
    /// `off`, or `auto` (the default when unset: see `automatic`).
    public static let environmentVariable = "SWIFTJIT_STREAMING_STORES"

    /// The default threshold: 64 MiB of output.
    public static let defaultThreshold = 64 << 20

    private static let lock = NSLock()
    nonisolated(unsafe) private static var current: Int = {
        guard let text = ProcessInfo.processInfo.environment[environmentVariable], !text.isEmpty, text != "auto" else {
            return defaultThreshold
        }
        guard let bytes = BufferCache.parseSize(text) else {
            let message = "swiftjit: warning: \(environmentVariable)='\(text)' is not a size (such as 64M), off or auto; "
                + "using the default of \(defaultThreshold) bytes\n"
            FileHandle.standardError.write(message.data(using: .utf8)!)
            return defaultThreshold
        }
        return bytes == 0 ? Int.max : bytes
    }()
    nonisolated(unsafe) private static var isAutomatic: Bool = {
        let text = ProcessInfo.processInfo.environment[environmentVariable] ?? ""
        return text.isEmpty || text == "auto"
    }()

    /// Outputs of at least this many bytes (contiguous, 64-byte aligned) are written with
    /// streaming stores; `Int.max` turns them off. Expressions read it when a call pattern is
    /// first prepared; compiled kernel loops (KernelStreaming.swift) read it on every call, from
    /// the runtime's settings (runtime_settings.h), which this keeps equal to it. Setting it
    /// turns `automatic` off.
    public static var threshold: Int {
        get { lock.lock(); defer { lock.unlock() }; return current }
        set {
            lock.lock()
            current = max(1, newValue)
            isAutomatic = false
            sj_setting_store(Int32(SJ_SETTING_STREAM_BYTES), Int64(current))
            lock.unlock()
        }
    }

    /// Whether expressions also stream smaller outputs when a call's data does not stay in the
    /// last-level cache from one call to the next: when the bytes it reads and writes are at
    /// least 5/8 of that cache (`lastLevelCacheBytes`) and the output is at least
    /// `automaticMinimumOutput`, in calls that run on one thread (Launch.swift says why). On by
    /// default (SWIFTJIT_STREAMING_STORES unset or `auto`); off
    /// when a size is given or `threshold` is set. Measured on the 2-vCPU Zen 4 VM (32 MiB L3,
    /// one thread, `swiftjit bench`, medians ms, plain / streaming): W2 Horner and W12 copy 1M
    /// (16 MB read and written) 0.26 / 0.30 and 0.22 / 0.31, so not there; W12 triad 1M (24 MB)
    /// 0.58-0.87 / 0.35-0.40 and W7 (32 MB) 0.68-1.36 / 0.54-0.75.
    public static var automatic: Bool {
        get { lock.lock(); defer { lock.unlock() }; return isAutomatic }
        set { lock.lock(); isAutomatic = newValue; lock.unlock() }
    }

    /// The smallest output the automatic choice streams.
    public static let automaticMinimumOutput = 1 << 20

    /// The size of one last-level cache (the highest-level data or unified cache of CPU 0, from
    /// Linux's sysfs, which gives one instance's size where `sysconf` may give the package's
    /// total); nil where it cannot be read.
    public static let lastLevelCacheBytes: Int? = {
        var best: (level: Int, bytes: Int)?
        for index in 0..<8 {
            let dir = "/sys/devices/system/cpu/cpu0/cache/index\(index)/"
            func read(_ name: String) -> String? {
                (try? String(contentsOfFile: dir + name, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard let levelText = read("level"), let level = Int(levelText), let type = read("type"), type != "Instruction",
                  let sizeText = read("size"), let bytes = BufferCache.parseSize(sizeText), bytes > 0 else { continue }
            if best.map({ level > $0.level }) ?? true { best = (level, bytes) }
        }
        return best?.bytes
    }()

    /// How a launch writes its output.
    public enum Choice: Sendable {
        /// Plain stores.
        case plain
        /// Streaming stores at any thread count (an output of at least `threshold` bytes).
        case streaming
        /// Streaming stores when the call runs on one thread (the automatic choice alone):
        /// Launch.swift says why not on more.
        case streamingSerially
    }

    /// The choice for a launch writing `outputBytes` (contiguous) and reading and writing
    /// `workingSetBytes` in all (both saturating at `Int.max`).
    public static func choice(outputBytes: Int, workingSetBytes: Int) -> Choice {
        lock.lock()
        let (limit, auto) = (current, isAutomatic)
        lock.unlock()
        if outputBytes >= limit { return .streaming }
        guard auto, let cache = lastLevelCacheBytes, outputBytes >= automaticMinimumOutput,
              workingSetBytes >= cache / 8 * 5 else { return .plain }
        return .streamingSerially
    }

    /// Copies the threshold (with SWIFTJIT_STREAMING_STORES applied) into the runtime's
    /// settings, once, before the first kernel call.
    static let configured: Void = {
        let bytes = threshold
        sj_setting_store(Int32(SJ_SETTING_STREAM_BYTES), Int64(bytes))
    }()

    /// Bytes of one scratch tile.
    static let tileBytes = 4 << 10

    /// Runs `entry` on elements begin..<end like a direct call, writing the output (the last of
    /// `count` pointers in `ptrs`, contiguous, `itemSize` bytes per element) with streaming
    /// stores. An output that is not 64-byte aligned at `begin` is written directly.
    static func call(_ entry: KernelEntry, begin: Int, end: Int, ptrs: UnsafeMutablePointer<UnsafeMutableRawPointer?>,
                     count: Int, strides: UnsafePointer<Int64>, itemSize: Int) {
        guard let out = ptrs[count - 1], (Int(bitPattern: out) + begin * itemSize) % 64 == 0 else {
            entry(Int64(begin), Int64(end), ptrs, strides, ptrs[count - 1])
            return
        }
        let tile = max(64, tileBytes / itemSize / 64 * 64)
        withUnsafeTemporaryAllocation(byteCount: tile * itemSize, alignment: 64) { scratch in
            let base = UInt(bitPattern: Int(bitPattern: scratch.baseAddress!))
            var b = begin
            while b < end {
                let e = min(end, b + tile)
                // The kernel writes element i at out + i * itemSize: aim elements b..<e at the tile.
                let shifted = UnsafeMutableRawPointer(bitPattern: base &- UInt(b * itemSize))
                ptrs[count - 1] = shifted
                entry(Int64(b), Int64(e), ptrs, strides, shifted)
                sj_stream_copy(out + b * itemSize, scratch.baseAddress!, (e - b) * itemSize)
                b = e
            }
        }
        ptrs[count - 1] = out
        sj_stream_fence()
    }
}
