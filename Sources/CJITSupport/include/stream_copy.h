// Copies and clears with non-temporal (streaming) stores, for results much larger than the caches: the
// destination's cache lines are written without being read first and without evicting the
// inputs. In: a 16-byte aligned destination, a source, a byte count. Out: the copied bytes.
#ifndef SWIFTJIT_STREAM_COPY_H
#define SWIFTJIT_STREAM_COPY_H
#include <stddef.h>

/// Copies `bytes` from `src` to `dst` (16-byte aligned) with streaming stores where the CPU has
/// them (x86-64), else memcpy. Call sj_stream_fence before other threads read `dst`.
void sj_stream_copy(void *dst, const void *src, size_t bytes);
/// Sets `bytes` at `dst` (any alignment) to zero, with streaming stores where the CPU has them.
/// Call sj_stream_fence before other threads read `dst`.
void sj_stream_zero(void *dst, size_t bytes);
/// Orders the streaming stores before later stores (sfence on x86-64).
void sj_stream_fence(void);

#endif
