#include "kernel_support.h"
#include "runtime_settings.h"
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
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
static sj_alloc_fn sized_alloc_hook = 0;
static sj_release_sized_fn sized_release_hook = 0;

void sj_set_allocation_hooks(sj_alloc_fn alloc, sj_release_fn release) {
    alloc_hook = alloc;
    release_hook = release;
}

void sj_set_sized_allocation_hooks(sj_alloc_fn alloc, sj_release_sized_fn release) {
    sized_alloc_hook = alloc;
    sized_release_hook = release;
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

/* A call's list of allocations holds, after its `capacity` pointers, a note per allocation: the
   pointer again, its size and its kind: a small buffer of this file's own (below SMALL_MAX,
   NOTE_SMALL), a buffer from the sized hooks (NOTE_SIZED, which must go back by size:
   sj_context_sized_bytes tells the runtime that adopts one its size), or {NULL, 0, 0} for one
   from the plain hooks. Readers of the list (the Swift runtime, exported kernels' sj_take_array)
   see only the pointers; a note whose pointer no longer matches its entry (sj_take_array moves
   entries) is not trusted, and that allocation is released by pointer. Sized hooks are installed
   only by SwiftJIT's runtime, never by the standalone runtime that sj_take_array runs with. */
enum { NOTE_NONE = 0, NOTE_SMALL = 1, NOTE_SIZED = 2 };
typedef struct { void *p; size_t bytes; int kind; } size_note;

/* Gives back one allocation as its note says. */
static void keep_small(void *p, size_t n);
static void release_noted(void *p, size_note note) {
    if (note.p != p || note.kind == NOTE_NONE) release_allocation(p);
    else if (note.kind == NOTE_SMALL) keep_small(p, note.bytes);
    else sized_release_hook(p, note.bytes);
}

static size_t list_bytes(int64_t capacity) { return (size_t)capacity * (sizeof(void *) + sizeof(size_note)); }

static size_note *notes_of(void **list, int64_t capacity) { return (size_note *)(void *)(list + capacity); }

/* Grows a list from `capacity` to `grown_capacity` entries (the notes move behind the new
   pointers); NULL, with the list unchanged, when there is no memory. */
static void **grow_list(void **list, int64_t capacity, int64_t grown_capacity) {
    void **grown = realloc(list, list_bytes(grown_capacity));
    if (!grown) return NULL;
    if (capacity) memmove(grown + grown_capacity, grown + capacity, (size_t)capacity * sizeof(size_note));
    return grown;
}

/* A call's first list of allocations (FIRST_LIST entries) comes from a spare kept per thread, so
   a call that allocates does not also malloc and free its list. The spare is freed when the
   thread exits (a pthread key's destructor; the list itself is plain malloc memory, so a list
   given back on another thread simply becomes that thread's spare).

   Small buffers (below SMALL_MAX bytes, such as W10's 10 x 10 scratch matrix) that a call
   allocated and did not return are kept per thread too, at most SMALL_SLOTS of them (under
   32 KiB), and the thread's next small allocation of the same size takes one back: a 64-byte
   aligned allocation from the C heap goes through glibc's memalign path (no thread cache,
   splitting and consolidating chunks), and giving it back went through the buffer cache's lock;
   together they were about a fifth of W10's 1 us at n = 10. They are plain aligned_alloc memory
   (any of them may still be given to free()), are used only while the buffer cache allows
   per-thread slots (sj_set_small_buffer_reuse; never in the standalone runtime of exported
   kernels, which installs no hooks), and are freed at the thread's exit or at its next small
   allocation once reuse is turned off. */
enum { FIRST_LIST = 16, SMALL_MAX = 4096, SMALL_SLOTS = 8 };
static _Thread_local void **spare_list;
static _Thread_local void *small_buffer[SMALL_SLOTS];
static _Thread_local size_t small_bytes[SMALL_SLOTS];
static _Thread_local int small_count, small_next;
static _Atomic int small_reuse = 0;
/* Whether this thread has set its key (once: the destructor then runs at its exit). */
static _Thread_local int thread_key_set;
static pthread_key_t thread_key;
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;

static void free_small_buffers(void) {
    for (int s = 0; s < SMALL_SLOTS; s++) {
        free(small_buffer[s]);
        small_buffer[s] = NULL;
    }
    small_count = 0;
}

static void free_thread_spares(void *unused) {
    (void)unused;
    free(spare_list);
    spare_list = NULL;
    free_small_buffers();
    thread_key_set = 0;
}

static void make_thread_key(void) { (void)pthread_key_create(&thread_key, free_thread_spares); }

/* Registers this thread's key (so its spares are freed at its exit); 0 when that failed. */
static int have_thread_key(void) {
    if (thread_key_set) return 1;
    (void)pthread_once(&thread_once, make_thread_key);
    if (pthread_setspecific(thread_key, (void *)1) != 0) return 0;
    thread_key_set = 1;
    return 1;
}

void sj_set_small_buffer_reuse(int enabled) {
    atomic_store_explicit(&small_reuse, enabled != 0, memory_order_relaxed);
}

static void **first_list(void) {
    void **list = spare_list;
    if (list) { spare_list = NULL; return list; }
    return malloc(list_bytes(FIRST_LIST));
}

static void give_back_list(void **list, int64_t capacity) {
    if (!list) return;
    if (capacity != FIRST_LIST || spare_list || !have_thread_key()) { free(list); return; }
    spare_list = list;
}

/* A small buffer of exactly `n` bytes kept by this thread, or NULL. */
static void *take_small(size_t n) {
    if (!small_count) return NULL;
    for (int s = 0; s < SMALL_SLOTS; s++) {
        if (small_buffer[s] && small_bytes[s] == n) {
            void *p = small_buffer[s];
            small_buffer[s] = NULL;
            small_count--;
            return p;
        }
    }
    return NULL;
}

/* Keeps a released small buffer of `n` bytes for this thread (in an empty slot, or in place of
   a kept one, the slots taken in turn), or frees it when reuse is off. */
static void keep_small(void *p, size_t n) {
    if (!atomic_load_explicit(&small_reuse, memory_order_relaxed) || !have_thread_key()) { free(p); return; }
    int s = 0;
    while (s < SMALL_SLOTS && small_buffer[s]) s++;
    if (s == SMALL_SLOTS) {
        s = small_next;
        small_next = (small_next + 1) % SMALL_SLOTS;
        free(small_buffer[s]);
        small_count--;
    }
    small_buffer[s] = p;
    small_bytes[s] = n;
    small_count++;
}

/* `n` bytes (a multiple of 64), 64-byte aligned: small ones from this thread's kept buffers or
   the C heap (noted as this file's own), others from the sized hooks (noted with their size:
   the buffer cache then takes no lock up to its per-thread slot size, and keeps no address
   table entry) or the plain hooks; NULL when there is no memory. `*kind` says which (NOTE_*). */
static void *allocate(size_t n, int zeroed, int *kind) {
    *kind = NOTE_NONE;
    if (n < SMALL_MAX && alloc_hook) {
        if (atomic_load_explicit(&small_reuse, memory_order_relaxed)) {
            void *p = take_small(n);
            if (!p) p = aligned_alloc(64, n);
            if (p && zeroed) memset(p, 0, n);
            if (p) *kind = NOTE_SMALL;
            return p;
        }
        if (small_count) free_small_buffers();
    }
    if (n >= SMALL_MAX && sized_alloc_hook) {
        void *p = sized_alloc_hook(n, zeroed);
        if (p) *kind = NOTE_SIZED;
        return p;
    }
    return alloc_hook ? alloc_hook(n, zeroed) : system_alloc(n, zeroed);
}

static void *kernel_alloc(sj_context *ctx, int64_t bytes, int zeroed) {
    if (bytes < 0) { ctx->code = SJ_BAD_SIZE; return NULL; }
    size_t n = (size_t)(bytes == 0 ? 64 : (bytes + 63) / 64 * 64);
    int kind;
    void *p = allocate(n, zeroed, &kind);
    if (!p) { ctx->code = SJ_OUT_OF_MEMORY; return NULL; }
    size_note note = {kind ? p : NULL, kind ? n : 0, kind};
    if (ctx->count == 0 && ctx->capacity == 0 && !ctx->allocations) {
        ctx->allocations = first_list();
        if (!ctx->allocations) { release_noted(p, note); ctx->code = SJ_OUT_OF_MEMORY; return NULL; }
        ctx->capacity = FIRST_LIST;
    }
    if (ctx->count == ctx->capacity) {
        int64_t cap = ctx->capacity ? ctx->capacity * 2 : FIRST_LIST;
        void **grown = grow_list(ctx->allocations, ctx->capacity, cap);
        if (!grown) { release_noted(p, note); ctx->code = SJ_OUT_OF_MEMORY; return NULL; }
        ctx->allocations = grown;
        ctx->capacity = cap;
    }
    notes_of(ctx->allocations, ctx->capacity)[ctx->count] = note;
    ctx->allocations[ctx->count++] = p;
    return p;
}

void *sj_kernel_alloc(sj_context *ctx, int64_t bytes) { return kernel_alloc(ctx, bytes, 1); }

void *sj_kernel_alloc_uninitialized(sj_context *ctx, int64_t bytes) { return kernel_alloc(ctx, bytes, 0); }

void sj_context_release(sj_context *ctx, void *const *keep, int64_t n) {
    size_note *notes = ctx->allocations ? notes_of(ctx->allocations, ctx->capacity) : NULL;
    for (int64_t i = 0; i < ctx->count; i++) {
        int kept = 0;
        void *p = ctx->allocations[i];
        for (int64_t k = 0; k < n; k++) if (keep[k] == p) kept = 1;
        if (kept) continue;
        release_noted(p, notes[i]);
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
    size_note *child_notes = child->allocations ? notes_of(child->allocations, child->capacity) : NULL;
    for (int64_t i = 0; i < child->count; i++) {
        void *p = child->allocations[i];
        size_note note = child_notes[i].p == p ? child_notes[i] : (size_note){NULL, 0, NOTE_NONE};
        if (parent->count == parent->capacity) {
            int64_t cap = parent->capacity ? parent->capacity * 2 : FIRST_LIST;
            void **grown = grow_list(parent->allocations, parent->capacity, cap);
            if (!grown) {
                release_noted(p, note);
                continue;
            }
            parent->allocations = grown;
            parent->capacity = cap;
        }
        notes_of(parent->allocations, parent->capacity)[parent->count] = note;
        parent->allocations[parent->count++] = p;
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

size_t sj_context_sized_bytes(const sj_context *ctx, int64_t i) {
    if (!ctx->allocations || i < 0 || i >= ctx->count) return 0;
    size_note note = notes_of(ctx->allocations, ctx->capacity)[i];
    return note.p == ctx->allocations[i] && note.kind == NOTE_SIZED ? note.bytes : 0;
}
