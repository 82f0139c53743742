// StackGuard: how much of the current thread's stack is left, so that deep nesting becomes the
// `nesting_too_deep` diagnostic on any thread, also on a 512 KB secondary thread (Dispatch's
// default) where 400 levels of `sin(` do not fit in a debug or sanitizer build.
import CStackSupport

enum StackGuard {
    /// The address below which a parser stops descending: an eighth of the stack (at least 64 KB)
    /// is kept for the stages that walk the tree after it, which take far less stack per level
    /// than the parser's chain of precedence functions. nil when the bounds are unknown.
    static func parserFloor() -> UInt? {
        var low: UInt = 0
        var size = 0
        guard sj_stack_bounds(&low, &size) != 0 else { return nil }
        let floor = low + max(UInt(size) / 8, 64 << 10)
        // A frame outside the reported stack (an unusual thread setup): do not guess.
        let here = sj_frame_address()
        return here > low && here < low + UInt(size) ? floor : nil
    }

    /// Address of the current frame.
    static func currentFrame() -> UInt { sj_frame_address() }
}
