// StackGuard: how much of the current thread's stack is left, so that deep nesting becomes the
// `nesting_too_deep` diagnostic on any thread, also on a 512 KB secondary thread (Dispatch's
// default) where 400 levels of `sin(` would not fit in a debug or sanitizer build.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
/// glibc's pthread_getattr_np (a GNU extension the Glibc module does not export).
@_silgen_name("pthread_getattr_np")
private func pthreadGetattrNP(_ thread: pthread_t, _ attr: UnsafeMutablePointer<pthread_attr_t>) -> Int32
#endif

enum StackGuard {
    /// Lowest usable address of this thread's stack and the stack's size, or nil when unknown.
    static func bounds() -> (low: UInt, size: UInt)? {
        #if canImport(Glibc)
        var attr = pthread_attr_t()
        guard pthreadGetattrNP(pthread_self(), &attr) == 0 else { return nil }
        defer { pthread_attr_destroy(&attr) }
        var address: UnsafeMutableRawPointer?
        var size = 0
        guard pthread_attr_getstack(&attr, &address, &size) == 0, let address else { return nil }
        return (UInt(bitPattern: address), UInt(size))
        #elseif canImport(Darwin)
        let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
        let size = UInt(pthread_get_stacksize_np(pthread_self()))
        return (top - size, size)
        #else
        return nil
        #endif
    }

    /// Address of the caller's frame (near enough).
    @inline(never)
    static func currentFrame() -> UInt {
        var marker = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    /// The address below which a parser stops descending: an eighth of the stack (at least 64 KB)
    /// is kept for the stages that walk the tree after it, which take far less stack per level
    /// than the parser's chain of precedence functions. nil when the bounds are unknown.
    static func parserFloor() -> UInt? {
        guard let (low, size) = bounds() else { return nil }
        return low + max(size / 8, 64 << 10)
    }
}
