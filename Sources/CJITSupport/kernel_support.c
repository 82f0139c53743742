#include "kernel_support.h"
#include "runtime_settings.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* From 4 MiB up, 2 MiB aligned and marked MADV_HUGEPAGE before the first touch, as NumPy does
   and as ArrayStorage does for arrays allocated from Swift: a fresh 128 MiB result in 4 KiB
   pages costs 32,768 page faults (a kernel writing 2^24 doubles into empty_like took 72 ms, of
   which the writes are about 10). Inside SwiftJIT the allocation hooks send this to the buffer
   cache, which does the same and also reuses released buffers. */
enum { SJ_HUGE_THRESHOLD = 1 << 22, SJ_HUGE_PAGE = 1 << 21 };

static sj_alloc_fn alloc_hook = 0;
static sj_release_fn release_hook = 0;

void sj_set_allocation_hooks(sj_alloc_fn alloc, sj_release_fn release) {
    alloc_hook = alloc;
    release_hook = release;
}

static void release_allocation(void *p) {
    if (release_hook) release_hook(p); else free(p);
}

static void *system_alloc(size_t n, int zeroed) {
    void *p;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (n >= SJ_HUGE_THRESHOLD) {
        n = (n + SJ_HUGE_PAGE - 1) / SJ_HUGE_PAGE * SJ_HUGE_PAGE;
        p = aligned_alloc(SJ_HUGE_PAGE, n);
        if (p) (void)madvise(p, n, MADV_HUGEPAGE); /* advice only */
    } else
#endif
    p = aligned_alloc(64, n);
    if (p && zeroed) memset(p, 0, n);
    return p;
}

/* A call's first list of allocations (FIRST_LIST pointers) comes from a spare kept per thread, so
   a call that allocates does not also malloc and free its list. The spare is freed when the
   thread exits (a pthread key's destructor; the list itself is plain malloc memory, so a list
   given back on another thread simply becomes that thread's spare). */
enum { FIRST_LIST = 16 };
static _Thread_local void **spare_list;
/* Whether this thread has set its key (once: the destructor then runs at its exit). */
static _Thread_local int spare_key_set;
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

static void free_spare(void *unused) {
    (void)unused;
    free(spare_list);
    spare_list = NULL;
    spare_key_set = 0;
}

static void make_spare_key(void) { (void)pthread_key_create(&spare_key, free_spare); }

static void **first_list(void) {
    void **list = spare_list;
    if (list) { spare_list = NULL; return list; }
    return malloc(FIRST_LIST * sizeof(void *));
}

static void give_back_list(void **list, int64_t capacity) {
    if (!list) return;
    if (capacity != FIRST_LIST || spare_list) { free(list); return; }
    if (!spare_key_set) {
        (void)pthread_once(&spare_once, make_spare_key);
        if (pthread_setspecific(spare_key, (void *)1) != 0) { free(list); return; }
        spare_key_set = 1;
    }
    spare_list = list;
}

static void *kernel_alloc(sj_context *ctx, int64_t bytes, int zeroed) {
    if (bytes < 0) { ctx->code = SJ_BAD_SIZE; return NULL; }
    size_t n = (size_t)(bytes == 0 ? 64 : (bytes + 63) / 64 * 64);
    void *p = alloc_hook ? alloc_hook(n, zeroed) : system_alloc(n, zeroed);
    if (!p) { ctx->code = SJ_OUT_OF_MEMORY; return NULL; }
    if (ctx->count == 0 && ctx->capacity == 0 && !ctx->allocations) {
        ctx->allocations = first_list();
        if (!ctx->allocations) { release_allocation(p); ctx->code = SJ_OUT_OF_MEMORY; return NULL; }
        ctx->capacity = FIRST_LIST;
    }
    if (ctx->count == ctx->capacity) {
        int64_t cap = ctx->capacity ? ctx->capacity * 2 : FIRST_LIST;
        void **grown = realloc(ctx->allocations, (size_t)cap * sizeof(void *));
        if (!grown) { release_allocation(p); ctx->code = SJ_OUT_OF_MEMORY; return NULL; }
        ctx->allocations = grown;
        ctx->capacity = cap;
    }
    ctx->allocations[ctx->count++] = p;
    return p;
}

void *sj_kernel_alloc(sj_context *ctx, int64_t bytes) { return kernel_alloc(ctx, bytes, 1); }

void *sj_kernel_alloc_uninitialized(sj_context *ctx, int64_t bytes) { return kernel_alloc(ctx, bytes, 0); }

void sj_context_release(sj_context *ctx, void *const *keep, int64_t n) {
    for (int64_t i = 0; i < ctx->count; i++) {
        int kept = 0;
        for (int64_t k = 0; k < n; k++) if (keep[k] == ctx->allocations[i]) kept = 1;
        if (!kept) release_allocation(ctx->allocations[i]);
    }
    give_back_list(ctx->allocations, ctx->capacity);
    ctx->allocations = NULL;
    ctx->count = ctx->capacity = 0;
}

static _Thread_local uint64_t state[4] = {0x9E3779B97F4A7C15ull, 0xBF58476D1CE4E5B9ull, 0x94D049BB133111EBull, 1};
static _Thread_local int have_spare = 0;
static _Thread_local double spare;

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void sj_seed(int64_t seed) {
    uint64_t x = (uint64_t)seed;
    for (int i = 0; i < 4; i++) state[i] = splitmix64(&x);
    have_spare = 0;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next(void) {
    uint64_t result = rotl(state[1] * 5, 7) * 9;
    uint64_t t = state[1] << 17;
    state[2] ^= state[0]; state[3] ^= state[1]; state[1] ^= state[2]; state[0] ^= state[3];
    state[2] ^= t; state[3] = rotl(state[3], 45);
    return result;
}

double sj_random(void) { return (double)(next() >> 11) * 0x1.0p-53; }

double sj_normal(double mu, double sigma) {
    if (have_spare) { have_spare = 0; return mu + sigma * spare; }
    double u, v, s;
    do {
        u = 2 * sj_random() - 1;
        v = 2 * sj_random() - 1;
        s = u * u + v * v;
    } while (s >= 1 || s == 0);
    double m = sqrt(-2 * log(s) / s);
    spare = v * m;
    have_spare = 1;
    return mu + sigma * u * m;
}

int32_t (*sj_parallel_for_hook)(sj_loop_body, int64_t, int64_t, void *, sj_context *, void *, int64_t) = 0;

void sj_set_parallel_for_hook(sj_parallel_for_fn hook) { sj_parallel_for_hook = hook; }

static sj_parallel_serial_fn sj_parallel_serial_hook = 0;

void sj_set_parallel_serial_hook(sj_parallel_serial_fn hook) { sj_parallel_serial_hook = hook; }

int64_t sj_runtime_settings[SJ_SETTINGS_COUNT] = {[SJ_SETTING_STREAM_BYTES] = (int64_t)64 << 20};

int32_t sj_parallel_serial(int64_t n) {
    // Below the serial threshold (n * 64 elements < it) at any thread count: no call into Swift.
    if (n < (sj_setting_load(SJ_SETTING_SERIAL_ELEMENTS) + 63) / 64) return 1;
    if (sj_parallel_serial_hook) return sj_parallel_serial_hook(n);
    return sj_parallel_for_hook == 0;
}

int32_t sj_parallel_for(sj_loop_body body, int64_t lo, int64_t hi, void *env, sj_context *ctx, void *partials,
                        int64_t partial_bytes) {
    if (sj_parallel_for_hook) return sj_parallel_for_hook(body, lo, hi, env, ctx, partials, partial_bytes);
    // No runtime hook: the same chunks, in order, on this thread.
    int64_t n = hi > lo ? hi - lo : 0;
    int64_t chunks = n < SJ_MAX_CHUNKS ? n : SJ_MAX_CHUNKS;
    for (int64_t c = 0; c < chunks; c++) {
        int32_t code = body(lo + c * n / chunks, lo + (c + 1) * n / chunks, env, ctx, (char *)partials + c * partial_bytes);
        if (code) return code;
    }
    return 0;
}

void sj_context_merge(sj_context *parent, sj_context *child) {
    for (int64_t i = 0; i < child->count; i++) {
        if (parent->count == parent->capacity) {
            int64_t cap = parent->capacity ? parent->capacity * 2 : 16;
            void **grown = realloc(parent->allocations, (size_t)cap * sizeof(void *));
            if (!grown) { release_allocation(child->allocations[i]); continue; }
            parent->allocations = grown;
            parent->capacity = cap;
        }
        parent->allocations[parent->count++] = child->allocations[i];
    }
    give_back_list(child->allocations, child->capacity);
    child->allocations = NULL;
    child->count = child->capacity = 0;
    if (parent->code == 0 && child->code != 0) {
        int64_t a = parent->count, c = parent->capacity; void **p = parent->allocations;
        *parent = *child;
        parent->allocations = p; parent->count = a; parent->capacity = c;
    }
}

static _Thread_local int32_t expression_error = 0;

void sj_raise_expression_error(int32_t code) { expression_error = code; }

int32_t sj_take_expression_error(void) {
    int32_t code = expression_error;
    expression_error = 0;
    return code;
}
