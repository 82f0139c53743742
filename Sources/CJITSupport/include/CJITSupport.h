// Umbrella header of the runtime helpers JITted code calls.
#include "jit_support.h"
#include "kernel_support.h"
#include "buffer_cache.h"
#include "stream_copy.h"
#include "runtime_settings.h"
#include "task_cancel.h"
#include "heap_stats.h"
