// Statistics of this process's malloc heap (glibc), for memory diagnostics such as
// `swiftjit compile-bench --sections memory`: whether resident memory that grows is memory in
// use, memory freed but kept by malloc, or memory mapped by other means (such as JIT code).
#ifndef SJ_HEAP_STATS_H
#define SJ_HEAP_STATS_H
#include <stdint.h>

typedef struct {
    /// Bytes in use by the program (small chunks plus chunks mmapped by malloc).
    uint64_t in_use;
    /// Bytes freed but kept by malloc in its arenas.
    uint64_t free_held;
    /// Bytes of malloc's arenas (sbrk'd and mmapped heaps, used and free).
    uint64_t arena;
    /// Bytes of chunks malloc mmapped on their own.
    uint64_t mmapped;
} sj_heap_stats;

/// The current statistics (all zero where the C library does not provide mallinfo2).
sj_heap_stats sj_heap_statistics(void);

#endif
