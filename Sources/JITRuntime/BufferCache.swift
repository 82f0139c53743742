// The Swift face of the buffer cache (CJITSupport's buffer_cache.c): its bound (API and the
// SWIFTJIT_BUFFER_CACHE environment variable), its counters, trimming, and the hooks that send
// kernel allocations through it. In: settings. Out: statistics; memory for ArrayStorage.
import CJITSupport
import Foundation

/// A bounded, thread-safe cache of released array buffers.
///
/// Arrays of 4 KiB or more that SwiftJIT allocates (results of allocating calls, `NDArray(zeros:)`,
/// `NDArray(uninitialized:)`, kernel allocations) take their memory from here, and give it back when
/// the last array or view using it goes away. A repeated allocating call, such as `y = f(x)` in a
/// loop, then writes into memory whose pages are already mapped, instead of having the operating
/// system fault in and zero fresh pages on every call. Memory is never handed out while any array,
/// view or slice still references it.
///
/// The cache holds at most ``limit`` bytes (by default the smaller of 1 GiB and an eighth of the
/// physical memory; `SWIFTJIT_BUFFER_CACHE` sets it at start-up, e.g. `512M`, `2G`, `0` or `off`
/// to disable). Beyond it the oldest cached buffers are returned to the system; ``trim(keepingBytes:)``
/// returns them on request.
///
/// Buffers of up to 64 KiB that arrays allocate in Swift (`NDArray(uninitialized:)`, `zeros`,
/// expression results) go back first into a slot of the releasing thread's own, one buffer per
/// thread, from which that thread's next array of the same size class takes it without a lock
/// (only while the limit is at least 16 MiB). A slot's buffer counts in ``Statistics/cachedBytes``, is
/// returned by ``trim(keepingBytes:)`` and by a lower limit, and goes to the shared cache when its
/// thread exits. Such arrays made with `NDArray(uninitialized:)` or `NDArray(zeros:)` also leave
/// their storage object in a slot of the thread's own, and the thread's next array of the same
/// byte count takes that object back, buffer and all (a hit), once no array, view or other
/// reference uses it any more. Arrays under 4 KiB (Swift's allocator, not this cache) use the same
/// storage slot, so small allocating calls reuse their last result's object and memory too; those
/// reuses are not counted as hits, and their memory is freed, not cached, when the slot is
/// released. Reading ``statistics``, ``trim(keepingBytes:)``, setting ``limit`` and thread exit
/// release those objects first, so a buffer counts as cached exactly when nothing references it.
///
/// Kernel allocations under 4 KiB that a call does not return (scratch such as W10's 10 x 10
/// matrix) are not cached here: while the per-thread slots are on, each thread keeps up to 8 of
/// them (under 32 KiB) for its next call (`kernel_support.c`), which saves the C heap's aligned
/// allocation and a lock per call (about 130 ns of W10's 450-1,000 ns at n = 10). They are freed
/// when the thread exits, or at its next small allocation once the limit is below 16 MiB; they are
/// not counted in ``Statistics`` nor returned by ``trim(keepingBytes:)``.
public enum BufferCache {
    /// The cache's counters, read at one instant.
    public struct Statistics: Sendable, Equatable {
        /// Allocations served from the cache.
        public var hits: Int
        /// Allocations of cacheable size that took fresh memory from the system.
        public var misses: Int
        /// Released buffers kept in the cache.
        public var stored: Int
        /// Buffers returned to the system (over the bound, trimmed, or larger than the bound).
        public var evicted: Int
        /// Bytes held by the cache now.
        public var cachedBytes: Int
        /// Buffers held by the cache now.
        public var cachedBuffers: Int
        /// Bytes of cacheable buffers in use (handed out, not yet released).
        public var liveBytes: Int
        /// Cacheable buffers in use.
        public var liveBuffers: Int
        /// The bound on ``cachedBytes``.
        public var limit: Int
    }

    /// The environment variable read once, before the first allocation: a byte count with an
    /// optional K, M or G suffix (powers of 1024), or `off`.
    public static let environmentVariable = "SWIFTJIT_BUFFER_CACHE"

    /// Requests smaller than this are ordinary heap memory and are not cached.
    public static let minimumCachedBytes = Int(SJ_BUFFER_CACHE_MIN)

    /// The default bound: the smaller of 1 GiB and an eighth of the physical memory.
    public static var defaultLimit: Int { Int(sj_buffer_cache_default_limit()) }

    /// The most bytes the cache keeps; 0 disables it. Lowering it returns the excess at once.
    public static var limit: Int {
        get {
            _ = configured
            return Int(sj_buffer_cache_limit())
        }
        set {
            _ = configured
            sj_buffer_cache_set_limit(size_t(max(0, newValue)))
            // After the new limit: what the slots give back is kept (or not) under it.
            _ = sj_storage_slots_drain()
        }
    }

    /// The current counters.
    public static var statistics: Statistics {
        _ = configured
        _ = sj_storage_slots_drain()
        var s = sj_buffer_cache_stats()
        sj_buffer_cache_get_stats(&s)
        return Statistics(hits: Int(s.hits), misses: Int(s.misses), stored: Int(s.stored), evicted: Int(s.evicted),
                          cachedBytes: Int(s.cached_bytes), cachedBuffers: Int(s.cached_buffers),
                          liveBytes: Int(s.live_bytes), liveBuffers: Int(s.live_buffers), limit: Int(s.limit))
    }

    /// Returns cached buffers to the system, oldest first, until at most `keepingBytes` stay
    /// cached; the number of bytes returned.
    @discardableResult
    public static func trim(keepingBytes: Int = 0) -> Int {
        _ = sj_storage_slots_drain()
        return Int(sj_buffer_cache_trim(size_t(max(0, keepingBytes))))
    }

    /// The capacity a request of `bytes` occupies (its size class, at most 25 % larger).
    public static func capacity(forBytes bytes: Int) -> Int { Int(sj_buffer_cache_capacity(size_t(max(0, bytes)))) }

    /// Parses a size setting: `1073741824`, `512K`, `512M`, `1G`, `1.5G` (powers of 1024; a
    /// trailing `B` or `iB` is allowed), or `off` / `0`. Nil when it is none of these.
    public static func parseSize(_ text: String) -> Int? {
        var s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if s == "off" || s == "none" { return 0 }
        for suffix in ["ib", "b"] where s.hasSuffix(suffix) && s.count > suffix.count {
            s.removeLast(suffix.count)
            break
        }
        var scale = 1.0
        if let last = s.last, let power = ["k": 1, "m": 2, "g": 3, "t": 4][String(last)] {
            scale = pow(1024, Double(power))
            s.removeLast()
        }
        guard !s.isEmpty, s.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(s),
              value.isFinite, value >= 0, value * scale < 0x1p62 else { return nil }
        return Int((value * scale).rounded(.down))
    }

    /// Applies SWIFTJIT_BUFFER_CACHE and installs the kernel allocation hooks, once. A setting
    /// that does not parse is reported on standard error and the default kept.
    static let configured: Void = {
        if let text = ProcessInfo.processInfo.environment[environmentVariable], !text.isEmpty {
            if let bytes = parseSize(text) {
                sj_buffer_cache_set_limit(size_t(bytes))
            } else {
                let message = "swiftjit: warning: \(environmentVariable)='\(text)' is not a size (such as 512M, 1G or off); "
                    + "using the default of \(defaultLimit) bytes\n"
                FileHandle.standardError.write(message.data(using: .utf8)!)
            }
        }
        sj_buffer_cache_install_kernel_hooks()
        sj_storage_slot_set_release { Unmanaged<ArrayStorage>.fromOpaque($0!).release() }
    }()
}
