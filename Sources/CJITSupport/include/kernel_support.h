// Runtime support for compiled kernels: the per-call context (error report and allocations) and
// the random number generator. Kernels receive a pointer to an sj_context and call these helpers.
#ifndef SWIFTJIT_KERNEL_SUPPORT_H
#define SWIFTJIT_KERNEL_SUPPORT_H
#include <stddef.h>
#include <stdint.h>

/// Error codes a kernel returns.
enum { SJ_OK = 0, SJ_INDEX_ERROR = 1, SJ_ZERO_DIVISION = 2, SJ_BAD_SIZE = 3, SJ_OUT_OF_MEMORY = 4,
       SJ_CANCELLED = 7, SJ_EMPTY_MIN = 9, SJ_EMPTY_MAX = 10, SJ_NEGATIVE_POWER = 16 };

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
/// The same without clearing the memory (for arrays the kernel writes whole: empty(), full()).
void *sj_kernel_alloc_uninitialized(sj_context *ctx, int64_t bytes);
/// Frees every allocation still owned by the context except those in `keep` (n pointers).
void sj_context_release(sj_context *ctx, void *const *keep, int64_t n);
/// Where kernel allocations come from (`bytes`, zeroed or not) and go back to. SwiftJIT's runtime
/// installs its buffer cache (buffer_cache.h); without hooks (the standalone runtime of exported
/// kernels) they are aligned_alloc memory that the caller frees with free().
typedef void *(*sj_alloc_fn)(size_t bytes, int zeroed);
typedef void (*sj_release_fn)(void *p);
void sj_set_allocation_hooks(sj_alloc_fn alloc, sj_release_fn release);
/// Hooks for kernel allocations of at least 4 KiB that go back by size (the buffer cache's
/// sj_buffer_acquire_sized / sj_buffer_release_sized: no lock up to its per-thread slot size).
/// With them installed, such an allocation that a call returns must be released by size by
/// whoever adopts it: sj_context_sized_bytes gives the size to pass.
typedef void (*sj_release_sized_fn)(void *p, size_t bytes);
void sj_set_sized_allocation_hooks(sj_alloc_fn alloc, sj_release_sized_fn release);
/// The size to release allocation `i` of `ctx` with (through the sized release hook) when it
/// came from the sized hooks; 0 when it goes back by pointer (the plain release hook or free()).
size_t sj_context_sized_bytes(const sj_context *ctx, int64_t i);
/// Whether small kernel allocations (under 4 KiB) that a call did not return are kept per thread
/// (at most 8, under 32 KiB) for the thread's next call; only with hooks installed. The buffer
/// cache turns it on with its per-thread slots (a limit of at least 16 MiB) and off below that.
void sj_set_small_buffer_reuse(int enabled);

/// Run-time errors of compiled expressions, which return nothing: the code (SJ_NEGATIVE_POWER
/// for an integer raised to a negative integer power) is kept per thread until the runtime
/// takes it, right after its calls on that thread. C programs calling an exported expression
/// read it with sj_take_expression_error() after the call.
void sj_raise_expression_error(int32_t code);
/// The code raised on this thread since the last call (0 if none), and clears it.
int32_t sj_take_expression_error(void);

/// The generator: xoshiro256** per thread, seeded with splitmix64.
void sj_seed(int64_t seed);
/// Uniform in [0, 1) with 53 random bits.
double sj_random(void);
/// Normal(mu, sigma) by the polar Box-Muller method.
double sj_normal(double mu, double sigma);

/// Cancellation: each thread has a current token (a flag, NULL for none) that the runtime's
/// chunk loops and kernels' outer loops poll; a nonzero flag stops the computation.
/// Installs `token` for this thread and returns the previous one.
volatile int32_t *sj_swap_cancel_token(volatile int32_t *token);
/// This thread's token.
volatile int32_t *sj_get_cancel_token(void);
/// Nonzero when this thread's token is set and cancelled (called by compiled kernels).
int32_t sj_cancelled(void);
#if defined(__x86_64__) && defined(__ELF__)
/// sj_cancelled with LLVM's preserve_most calling convention (cancel.c): what kernels compiled for
/// x86-64 Linux call (from C it behaves as sj_cancelled: it keeps more registers than C asks).
int32_t sj_cancelled_preserving(void);
#endif
/// How many tokens are cancelled and not reset: compiled kernels call sj_cancelled() only when
/// this is not 0.
extern volatile int32_t sj_cancel_pending;
/// Nonzero when `token` is set and cancelled.
int32_t sj_token_cancelled(volatile int32_t *token);
/// Clears a token's flag (a token must be cleared before it is freed).
void sj_reset_token(volatile int32_t *token);
/// Sets a token's flag (safe from any thread and from a signal handler).
void sj_cancel(volatile int32_t *token);
/// Installs a SIGINT handler that cancels `*target` when it is not NULL (and otherwise does
/// nothing); `sj_set_interrupt_target` changes the target. For the REPL.
void sj_install_interrupt_handler(void);
void sj_set_interrupt_target(volatile int32_t *target);

#endif

#ifndef SWIFTJIT_KERNEL_PARALLEL_H
#define SWIFTJIT_KERNEL_PARALLEL_H
/// The outlined body of a parallel loop: runs iterations begin..<end with the captured
/// variables in env, writes its reduction partials to `partials`, returns an error code.
typedef int32_t (*sj_loop_body)(int64_t begin, int64_t end, void *env, sj_context *ctx, void *partials);
/// Runs a parallel loop: the runtime splits lo..<hi into min(n, SJ_MAX_CHUNKS) chunks fixed by n
/// alone (so reductions combine in the same order at every thread count) and runs them on its
/// thread pool. Set by the runtime at start-up.
extern int32_t (*sj_parallel_for_hook)(sj_loop_body body, int64_t lo, int64_t hi, void *env, sj_context *ctx,
                                       void *partials, int64_t partial_bytes);
typedef int32_t (*sj_parallel_for_fn)(sj_loop_body, int64_t, int64_t, void *, sj_context *, void *, int64_t);
/// Installs the runtime's implementation of sj_parallel_for.
void sj_set_parallel_for_hook(sj_parallel_for_fn hook);
int32_t sj_parallel_for(sj_loop_body body, int64_t lo, int64_t hi, void *env, sj_context *ctx, void *partials,
                        int64_t partial_bytes);
/// For programs that link exported kernels without SwiftJIT: run parallel loops on `threads`
/// POSIX threads started per loop (1: serially on the calling thread, the default).
void sj_use_threads(int threads);
/// Whether a parallel loop of `n` iterations runs on the calling thread: the kernel then runs its
/// chunks itself, in the same order, without sj_parallel_for. Asks the hook set with
/// sj_set_parallel_serial_hook; without one, true when no parallel-for hook is installed.
int32_t sj_parallel_serial(int64_t n);
typedef int32_t (*sj_parallel_serial_fn)(int64_t);
/// Installs the runtime's answer to sj_parallel_serial.
void sj_set_parallel_serial_hook(sj_parallel_serial_fn hook);
/// Moves the allocations of `child` to `parent`; copies child's error if parent has none.
void sj_context_merge(sj_context *parent, sj_context *child);
enum { SJ_MAX_CHUNKS = 256 };
#endif
