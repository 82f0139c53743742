// A pthread mutex for the per-call fast paths, without Foundation's `NSLock` around it.
//
// In: nothing. Out: lock() / unlock() / withLock(_:). NSLock on Linux is a class whose lock and
// unlock each go through Foundation before reaching pthread_mutex_lock: 37 of the fast path's
// instructions per call, besides the mutex's own (callgrind, `swiftjit overhead --sizes 10`,
// 2026-12-07). Inlinable, so a call site compiles to the two pthread calls.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A non-recursive mutex. Not for waiting on conditions; hold it only for a few loads and stores.
package final class PlainLock: @unchecked Sendable {
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>

    package init() {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inlinable @inline(__always) package func lock() { pthread_mutex_lock(mutex) }
    @inlinable @inline(__always) package func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` holding the lock.
    @inlinable @inline(__always) package func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
