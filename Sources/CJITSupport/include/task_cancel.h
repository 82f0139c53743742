// Whether the Swift task the calling thread runs is cancelled, for the check at the start of a
// SwiftJIT call. Not part of the runtime of exported kernels (scripts/build-runtime): it calls the
// Swift concurrency runtime.
#ifndef SWIFTJIT_TASK_CANCEL_H
#define SWIFTJIT_TASK_CANCEL_H
#include <stdint.h>

/// Nonzero when the calling thread runs a Swift task and that task is cancelled.
int32_t sj_task_cancelled(void);

#endif
