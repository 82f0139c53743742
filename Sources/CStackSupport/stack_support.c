#define _GNU_SOURCE
#include <pthread.h>
#include "stack_support.h"

int sj_stack_bounds(uintptr_t *low, size_t *size) {
#if defined(__APPLE__)
    pthread_t self = pthread_self();
    uintptr_t top = (uintptr_t)pthread_get_stackaddr_np(self);
    *size = pthread_get_stacksize_np(self);
    *low = top - *size;
    return 1;
#elif defined(__linux__)
    /* A thread's stack does not move, and pthread_getattr_np reads /proc/self/maps on the main
       thread (tens of microseconds), so the answer is kept per thread. */
    static __thread uintptr_t cached_low;
    static __thread size_t cached_size;
    if (cached_low != 0) { *low = cached_low; *size = cached_size; return 1; }
    pthread_attr_t attr;
    void *address = NULL;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
    int ok = pthread_attr_getstack(&attr, &address, size) == 0;
    pthread_attr_destroy(&attr);
    *low = (uintptr_t)address;
    if (ok && address != NULL) { cached_low = *low; cached_size = *size; }
    return ok && address != NULL;
#else
    (void)low; (void)size;
    return 0;
#endif
}

__attribute__((noinline)) uintptr_t sj_frame_address(void) {
    return (uintptr_t)__builtin_frame_address(0);
}
