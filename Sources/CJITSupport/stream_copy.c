/* Streaming copies and clears (see stream_copy.h): 64 bytes per step as four 16-byte MOVNTDQ
   stores (SSE2, present on every x86-64), the rest with memcpy or memset. */
#include "stream_copy.h"
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <emmintrin.h>
#endif

void sj_stream_copy(void *dst, const void *src, size_t bytes) {
#if defined(__x86_64__)
    size_t n = bytes / 64 * 64;
    char *d = dst;
    const char *s = src;
    for (size_t i = 0; i < n; i += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)(s + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(s + i + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(s + i + 32));
        __m128i e = _mm_loadu_si128((const __m128i *)(s + i + 48));
        _mm_stream_si128((__m128i *)(d + i), a);
        _mm_stream_si128((__m128i *)(d + i + 16), b);
        _mm_stream_si128((__m128i *)(d + i + 32), c);
        _mm_stream_si128((__m128i *)(d + i + 48), e);
    }
    memcpy(d + n, s + n, bytes - n);
#else
    memcpy(dst, src, bytes);
#endif
}

void sj_stream_zero(void *dst, size_t bytes) {
#if defined(__x86_64__)
    char *d = dst;
    size_t head = (size_t)(-(uintptr_t)d & 15);
    if (head >= bytes) {
        memset(d, 0, bytes);
        return;
    }
    memset(d, 0, head);
    d += head;
    bytes -= head;
    size_t n = bytes / 64 * 64;
    __m128i z = _mm_setzero_si128();
    for (size_t i = 0; i < n; i += 64) {
        _mm_stream_si128((__m128i *)(d + i), z);
        _mm_stream_si128((__m128i *)(d + i + 16), z);
        _mm_stream_si128((__m128i *)(d + i + 32), z);
        _mm_stream_si128((__m128i *)(d + i + 48), z);
    }
    memset(d + n, 0, bytes - n);
#else
    memset(dst, 0, bytes);
#endif
}

void sj_stream_fence(void) {
#if defined(__x86_64__)
    _mm_sfence();
#endif
}
