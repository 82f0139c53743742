// Non-temporal stores for results much larger than the caches. A launch whose contiguous output
// is at least `StreamingStores.threshold` bytes computes each stretch of a row into a small
// scratch tile (it stays in L1) and streams the tile to the output (sj_stream_copy), so the
// output's cache lines are written without first being read from memory and without evicting
// the inputs: a triad moves three streams instead of four. In: a kernel entry, a row range, the
// operand pointers. Out: the same elements as a direct call (tiles start at multiples of 64
// elements, so every element goes through the same vector or scalar code as without tiles).
import CJITSupport
import Foundation

/// When results are written with non-temporal (streaming) stores.
public enum StreamingStores {
    /// The environment variable read once: a size such as `64M` (see `BufferCache.parseSize`),
    /// or `off`.
    public static let environmentVariable = "SWIFTJIT_STREAMING_STORES"

    /// The default threshold: 64 MiB of output.
    public static let defaultThreshold = 64 << 20

    private static let lock = NSLock()
    nonisolated(unsafe) private static var current: Int = {
        guard let text = ProcessInfo.processInfo.environment[environmentVariable], !text.isEmpty else {
            return defaultThreshold
        }
        guard let bytes = BufferCache.parseSize(text) else {
            let message = "swiftjit: warning: \(environmentVariable)='\(text)' is not a size (such as 64M or off); "
                + "using the default of \(defaultThreshold) bytes\n"
            FileHandle.standardError.write(message.data(using: .utf8)!)
            return defaultThreshold
        }
        return bytes == 0 ? Int.max : bytes
    }()

    /// Outputs of at least this many bytes (contiguous, 64-byte aligned) are written with
    /// streaming stores; `Int.max` turns them off. Expressions read it when a call pattern is
    /// first prepared; compiled kernel loops (KernelStreaming.swift) read it on every call, from
    /// the runtime's settings (runtime_settings.h), which this keeps equal to it.
    public static var threshold: Int {
        get { lock.lock(); defer { lock.unlock() }; return current }
        set {
            lock.lock()
            current = max(1, newValue)
            sj_setting_store(Int32(SJ_SETTING_STREAM_BYTES), Int64(current))
            lock.unlock()
        }
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
