// The current thread's stack bounds and the caller's frame address, for JITSyntax's StackGuard.
// In C because Swift has no frame-address builtin: the address of a Swift local is not on the
// real stack under AddressSanitizer's fake stacks (detect_stack_use_after_return).
#ifndef SJ_STACK_SUPPORT_H
#define SJ_STACK_SUPPORT_H
#include <stddef.h>
#include <stdint.h>

/// Lowest usable address and size of this thread's stack; returns 0 when they are unknown.
int sj_stack_bounds(uintptr_t *low, size_t *size);

/// The frame address of the function that calls this one (near enough: this one's frame).
uintptr_t sj_frame_address(void);

#endif
