// Statistics of the malloc heap (glibc's mallinfo2), see heap_stats.h.
#include "heap_stats.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

sj_heap_stats sj_heap_statistics(void) {
    sj_heap_stats s = {0, 0, 0, 0};
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 m = mallinfo2();
    s.in_use = m.uordblks + m.hblkhd;
    s.free_held = m.fordblks;
    s.arena = m.arena;
    s.mmapped = m.hblkhd;
#endif
    return s;
}
