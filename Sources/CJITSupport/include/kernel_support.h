// Runtime support for compiled kernels: the per-call context (error report and allocations) and
// the random number generator. Kernels receive a pointer to an sj_context and call these helpers.
#ifndef SWIFTJIT_KERNEL_SUPPORT_H
#define SWIFTJIT_KERNEL_SUPPORT_H
#include <stdint.h>

/// Error codes a kernel returns.
enum { SJ_OK = 0, SJ_INDEX_ERROR = 1, SJ_ZERO_DIVISION = 2, SJ_BAD_SIZE = 3, SJ_OUT_OF_MEMORY = 4 };

/// One call's context: what went wrong and where, and the memory the kernel allocated.
typedef struct sj_context {
    int32_t code;
    int32_t line, column, axis;
    int64_t index, bound;
    void **allocations;
    int64_t count, capacity;
} sj_context;

/// Zeroed, 64-byte aligned memory owned by the call until the runtime takes it over.
void *sj_kernel_alloc(sj_context *ctx, int64_t bytes);
/// Frees every allocation still owned by the context except those in `keep` (n pointers).
void sj_context_release(sj_context *ctx, void *const *keep, int64_t n);

/// The generator: xoshiro256** per thread, seeded with splitmix64.
void sj_seed(int64_t seed);
/// Uniform in [0, 1) with 53 random bits.
double sj_random(void);
/// Normal(mu, sigma) by the polar Box-Muller method.
double sj_normal(double mu, double sigma);

#endif
