/* The cache of released array buffers (see buffer_cache.h). In: sizes and released pointers.
   Out: buffers, reused when a released one of the same size class is cached.

   Sizes are rounded up to classes, four per power of two (at most 25 % more address space; pages
   never touched are never mapped), and from 4 MiB up to whole 2 MiB huge pages. Cached buffers
   hold their own bookkeeping (a node in their first bytes) and sit in two lists: one per class
   (taken most recent first, the warmest) and one in release order (given back to the system
   oldest first when the bound is reached or on trim). Buffers handed out are listed in a hash
   table from address to capacity, so a release needs only the pointer (kernel allocations are
   released by pointer through sj_context_release). One mutex guards everything; memory is mapped
   and unmapped outside it. Under AddressSanitizer cached buffers are poisoned (all but the node),
   so a use after release is still reported.

   Arrays made by ArrayStorage know their size, so they acquire and release by size
   (sj_buffer_acquire_sized / sj_buffer_release_sized) and need no entry in the table. For those,
   each thread keeps one released buffer of at most TLS_MAX bytes in a slot of its own (a
   _Thread_local record), so `NDArray(uninitialized:)` made and dropped per call takes no lock:
   one atomic exchange to take the slot's buffer, one store to put one back. The slot word is the
   buffer's address with its size class in the low bits (buffers are 64-byte aligned). Records
   are listed (under the lock) so that trimming, lowering the limit and reading the counters reach
   every thread's slot: trim takes a slot's buffer with the same atomic exchange, so a buffer is
   owned by exactly one party at a time. A thread's counters are written only by that thread
   (relaxed atomic loads and stores) and summed when read; a thread that exits gives its slot's
   buffer to the shared lists and its counters to the totals (a pthread key's destructor,
   registered once per thread).

   Each record also has a storage slot: one ArrayStorage object (an opaque +1 reference) that
   NDArray(uninitialized:) and zeros leave there, so that the thread's next array of the same
   byte count takes the object back, buffer and all, when nothing else references it any more
   (Swift's uniqueness check): no object allocation, no buffer acquire and release, no deinit.
   An object still in use goes back into the slot until it has been found in use
   SJ_STORAGE_SLOT_PATIENCE times in a row; then the newest array's object takes its place.
   Only the owning thread fills it; anyone takes it with an atomic exchange (the owner to reuse
   it, drains for statistics, trim and the limit, thread exit), so exactly one party owns the
   reference at a time. The objects are released through a function Swift sets. */
#include "buffer_cache.h"
#include "kernel_support.h"
#include "runtime_settings.h"
#include "stream_copy.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SJ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SJ_ASAN 1
#endif
#ifdef SJ_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

enum { HUGE_THRESHOLD = 1 << 22, HUGE_PAGE = 1 << 21, MIN_SHIFT = 11, MAX_SHIFT = 47, NODE_BYTES = 64 };
enum { NCLASSES = (MAX_SHIFT - MIN_SHIFT + 1) * 4 };

typedef struct node {
    struct node *cprev, *cnext;  /* in its class, most recently released first */
    struct node *lprev, *lnext;  /* in release order, most recent first */
    size_t cap;
} node;

typedef struct { uintptr_t key; size_t cap; } slot;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static node *classes[NCLASSES];
static node *newest, *oldest;
static size_t cached_bytes, cached_buffers, live_bytes, live_buffers;
static uint64_t hits, misses, stored, evicted;
static size_t limit_bytes;
static int limit_known;
static slot *table;
static unsigned table_shift;  /* table has 1 << table_shift slots */
static size_t table_count;

/* ---- per-thread slots (see the top of the file) ---- */

enum { TLS_MAX = SJ_BUFFER_SLOT_MAX, CLASS_BITS = 63 };

typedef struct thread_record {
    _Atomic uintptr_t slot;                     /* address | class, or 0 */
    _Atomic uintptr_t object;                   /* a storage object (+1 reference), or 0 */
    unsigned busy_streak;                       /* storage slot found in use, in a row (owner only) */
    _Atomic uint64_t hits, stored;              /* written by the owning thread only */
    _Atomic int64_t live_bytes, live_buffers;   /* deltas by the owning thread */
    struct thread_record *prev, *next;          /* in `records`, under the lock */
} thread_record;

static thread_record *records;
/* Counters of threads that have exited. */
static uint64_t retired_hits, retired_stored;
static int64_t retired_live_bytes, retired_live_buffers;
/* Nonzero while the limit is at least TLS_LIMIT_FLOOR: slots are used only then. */
enum { TLS_LIMIT_FLOOR = 16 << 20 };
static _Atomic int slots_enabled = 1;
static _Thread_local thread_record *my_record;
static _Thread_local int my_record_failed;
static pthread_key_t record_key;
static pthread_once_t record_once = PTHREAD_ONCE_INIT;
static void (*_Atomic storage_release)(void *);

size_t sj_buffer_cache_default_limit(void) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    size_t gib = (size_t)1 << 30;
    if (pages <= 0 || page <= 0) return gib;
    size_t eighth = (size_t)pages / 8 * (size_t)page;
    return eighth < gib ? eighth : gib;
}

static size_t round_up(size_t n, size_t step) { return (n + step - 1) / step * step; }

static unsigned floor_log2(size_t n) { return 63u - (unsigned)__builtin_clzll((unsigned long long)n); }

size_t sj_buffer_cache_capacity(size_t bytes) {
    if (bytes < SJ_BUFFER_CACHE_MIN) return round_up(bytes ? bytes : 1, 64);
    if (bytes > ((size_t)1 << MAX_SHIFT)) return 0;
    unsigned e = floor_log2(bytes - 1);  /* 2^e < bytes <= 2^(e+1) */
    size_t cap = round_up(bytes, (size_t)1 << (e - 2));
    return cap >= HUGE_THRESHOLD ? round_up(cap, HUGE_PAGE) : cap;
}

/* The class of a capacity that sj_buffer_cache_capacity returned. */
static int class_of(size_t cap) {
    unsigned e = floor_log2(cap - 1);
    size_t k = (cap - ((size_t)1 << e)) >> (e - 2);  /* 1...4 */
    return (int)((e - MIN_SHIFT) * 4 + (k - 1));
}

/* ---- memory from and back to the system ---- */

static int is_huge(size_t cap) { return cap >= HUGE_THRESHOLD; }

static void *system_alloc(size_t cap, int *zero) {
    *zero = 0;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (is_huge(cap)) {
        size_t span = cap + HUGE_PAGE;
        char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return NULL;
        char *aligned = (char *)round_up((size_t)(uintptr_t)p, HUGE_PAGE);
        size_t head = (size_t)(aligned - p), tail = span - head - cap;
        if (head) munmap(p, head);
        if (tail) munmap(aligned + cap, tail);
        (void)madvise(aligned, cap, MADV_HUGEPAGE); /* advice only: failure leaves normal pages */
        *zero = 1;                                  /* fresh anonymous pages read as zero */
        return aligned;
    }
#endif
    return aligned_alloc(is_huge(cap) ? HUGE_PAGE : 64, cap);
}

static void system_free(void *p, size_t cap) {
    UNPOISON(p, cap);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (is_huge(cap)) { munmap(p, cap); return; }
#endif
    free(p);
}

/* ---- the table of buffers handed out: address -> capacity (linear probing) ---- */

static size_t home(uintptr_t key) {
    return (size_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> (64 - table_shift));
}

static void table_put(uintptr_t key, size_t cap) {
    size_t mask = ((size_t)1 << table_shift) - 1, i = home(key);
    while (table[i].key) i = (i + 1) & mask;
    table[i].key = key;
    table[i].cap = cap;
    table_count++;
}

/* Room for one more entry; 0 when the system has no memory for a larger table. */
static int table_reserve(void) {
    if (table && (table_count + 1) * 2 <= ((size_t)1 << table_shift)) return 1;
    unsigned old_shift = table_shift;
    slot *old = table;
    unsigned shift = table ? table_shift + 1 : 8;
    slot *grown = calloc((size_t)1 << shift, sizeof(slot));
    if (!grown) return 0;
    table = grown;
    table_shift = shift;
    table_count = 0;
    if (old) {
        for (size_t i = 0; i < ((size_t)1 << old_shift); i++) if (old[i].key) table_put(old[i].key, old[i].cap);
        free(old);
    }
    return 1;
}

/* Removes `key`; its capacity, or 0 when the table does not hold it. */
static size_t table_take(uintptr_t key) {
    if (!table) return 0;
    size_t mask = ((size_t)1 << table_shift) - 1, i = home(key);
    while (table[i].key != key) {
        if (!table[i].key) return 0;
        i = (i + 1) & mask;
    }
    size_t cap = table[i].cap;
    /* Backward-shift deletion: move later entries of the run into the hole where allowed. */
    for (size_t j = (i + 1) & mask; table[j].key; j = (j + 1) & mask) {
        size_t h = home(table[j].key);
        int stays = (i <= j) ? (i < h && h <= j) : (i < h || h <= j);
        if (!stays) { table[i] = table[j]; i = j; }
    }
    table[i].key = 0;
    table_count--;
    return cap;
}

/* ---- the cached lists (callers hold the lock) ---- */

static void ensure_limit(void) {
    if (!limit_known) { limit_bytes = sj_buffer_cache_default_limit(); limit_known = 1; }
}

static void unlink_node(node *n) {
    int c = class_of(n->cap);
    if (n->cprev) n->cprev->cnext = n->cnext; else classes[c] = n->cnext;
    if (n->cnext) n->cnext->cprev = n->cprev;
    if (n->lprev) n->lprev->lnext = n->lnext; else newest = n->lnext;
    if (n->lnext) n->lnext->lprev = n->lprev; else oldest = n->lprev;
    cached_bytes -= n->cap;
    cached_buffers--;
}

static void push_node(node *n, size_t cap) {
    int c = class_of(cap);
    n->cap = cap;
    n->cprev = NULL;
    n->cnext = classes[c];
    if (classes[c]) classes[c]->cprev = n;
    classes[c] = n;
    n->lprev = NULL;
    n->lnext = newest;
    if (newest) newest->lprev = n; else oldest = n;
    newest = n;
    cached_bytes += cap;
    cached_buffers++;
}

/* Unlinks the oldest cached buffers until at most `keep` bytes stay; returns them chained by
   cnext, to be given back to the system after the lock is released. */
static node *evict_until(size_t keep) {
    node *victims = NULL;
    while (cached_bytes > keep && oldest) {
        node *n = oldest;
        unlink_node(n);
        n->cnext = victims;
        victims = n;
        evicted++;
    }
    return victims;
}

static size_t destroy(node *victims) {
    size_t freed = 0;
    while (victims) {
        node *next = victims->cnext;
        size_t cap = victims->cap;
        system_free(victims, cap);
        freed += cap;
        victims = next;
    }
    return freed;
}

/* Zeroes a reused buffer: with streaming stores from the size at which results are written with
   them (SJ_SETTING_STREAM_BYTES, StreamingStores.threshold), as a kernel's own clearing loop then
   is, so that `zeros(n)` is not slower than clearing a caller's array; else memset. */
static void clear(void *p, size_t bytes) {
    int64_t threshold = sj_setting_load(SJ_SETTING_STREAM_BYTES);
    if (threshold > 0 && bytes >= (uint64_t)threshold) {
        sj_stream_zero(p, bytes);
        sj_stream_fence();
    } else {
        memset(p, 0, bytes);
    }
}

/* ---- per-thread slots ---- */

static size_t cap_of_class(int c) {
    unsigned e = (unsigned)(c / 4) + MIN_SHIFT;
    return ((size_t)1 << e) + (size_t)(c % 4 + 1) * ((size_t)1 << (e - 2));
}

static void bump(_Atomic uint64_t *counter) {
    atomic_store_explicit(counter, atomic_load_explicit(counter, memory_order_relaxed) + 1, memory_order_relaxed);
}

static void add_live(thread_record *r, int64_t bytes, int64_t buffers) {
    atomic_store_explicit(&r->live_bytes, atomic_load_explicit(&r->live_bytes, memory_order_relaxed) + bytes,
                          memory_order_relaxed);
    atomic_store_explicit(&r->live_buffers, atomic_load_explicit(&r->live_buffers, memory_order_relaxed) + buffers,
                          memory_order_relaxed);
}

/* Puts a released buffer into the shared lists (or back to the system past the bound), counting
   it as stored when `count`; the caller does not hold the lock. */
static void store_shared(void *p, size_t cap, int count) {
    pthread_mutex_lock(&lock);
    ensure_limit();
    if (cap > limit_bytes) {
        evicted++;
        pthread_mutex_unlock(&lock);
        system_free(p, cap);
        return;
    }
    node *victims = cached_bytes + cap > limit_bytes ? evict_until(limit_bytes - cap) : NULL;
    POISON((char *)p + NODE_BYTES, cap - NODE_BYTES);
    push_node(p, cap);
    if (count) stored++;
    pthread_mutex_unlock(&lock);
    destroy(victims);
}

/* A thread's exit: its slot's buffer to the shared lists, its counters to the totals. */
static void retire_record(void *arg) {
    thread_record *r = arg;
    /* First the storage object: if no array references it, its buffer comes to this slot. */
    uintptr_t object = atomic_exchange_explicit(&r->object, 0, memory_order_acquire);
    void (*release)(void *) = atomic_load_explicit(&storage_release, memory_order_acquire);
    if (object && release) release((void *)object);
    uintptr_t word = atomic_exchange_explicit(&r->slot, 0, memory_order_acquire);
    pthread_mutex_lock(&lock);
    if (r->prev) r->prev->next = r->next; else records = r->next;
    if (r->next) r->next->prev = r->prev;
    retired_hits += atomic_load_explicit(&r->hits, memory_order_relaxed);
    retired_stored += atomic_load_explicit(&r->stored, memory_order_relaxed);
    retired_live_bytes += atomic_load_explicit(&r->live_bytes, memory_order_relaxed);
    retired_live_buffers += atomic_load_explicit(&r->live_buffers, memory_order_relaxed);
    pthread_mutex_unlock(&lock);
    my_record = NULL;
    free(r);
    if (word) {
        void *p = (void *)(word & ~(uintptr_t)CLASS_BITS);
        UNPOISON(p, NODE_BYTES);
        store_shared(p, cap_of_class((int)(word & CLASS_BITS)), 0);
    }
}

static void make_record_key(void) { (void)pthread_key_create(&record_key, retire_record); }

/* This thread's record, made and listed on first use; NULL when it cannot be (no memory). */
static thread_record *new_record(void);
static inline __attribute__((always_inline)) thread_record *record(void) {
    thread_record *r = my_record;
    return __builtin_expect(r != NULL, 1) ? r : new_record();
}

static __attribute__((noinline)) thread_record *new_record(void) {
    thread_record *r = NULL;
    if (my_record_failed) return NULL;
    (void)pthread_once(&record_once, make_record_key);
    r = calloc(1, sizeof *r);
    if (!r || pthread_setspecific(record_key, r) != 0) {
        free(r);
        my_record_failed = 1;
        return NULL;
    }
    pthread_mutex_lock(&lock);
    r->next = records;
    if (records) records->prev = r;
    records = r;
    pthread_mutex_unlock(&lock);
    my_record = r;
    return r;
}

/* Takes every thread's slot buffer (for trim and a lower limit); the lock is held. Returns them
   chained by cnext; each is counted as evicted. */
static node *take_slots(void) {
    node *victims = NULL;
    for (thread_record *r = records; r; r = r->next) {
        uintptr_t word = atomic_exchange_explicit(&r->slot, 0, memory_order_acquire);
        if (!word) continue;
        node *n = (node *)(word & ~(uintptr_t)CLASS_BITS);
        UNPOISON(n, NODE_BYTES);
        n->cap = cap_of_class((int)(word & CLASS_BITS));
        n->cnext = victims;
        victims = n;
        evicted++;
    }
    return victims;
}

/* Bytes and buffers held in slots now; the lock is held. */
static void slot_totals(uint64_t *bytes, uint64_t *buffers) {
    for (thread_record *r = records; r; r = r->next) {
        uintptr_t word = atomic_load_explicit(&r->slot, memory_order_relaxed);
        if (word) { *bytes += cap_of_class((int)(word & CLASS_BITS)); (*buffers)++; }
    }
}

/* ---- the interface ---- */

void *sj_buffer_acquire(size_t bytes, int zeroed) {
    if (bytes < SJ_BUFFER_CACHE_MIN) {
        void *p = aligned_alloc(64, sj_buffer_cache_capacity(bytes));
        if (p && zeroed) memset(p, 0, bytes);
        return p;
    }
    size_t cap = sj_buffer_cache_capacity(bytes);
    if (!cap) return NULL;
    pthread_mutex_lock(&lock);
    if (!table_reserve()) { pthread_mutex_unlock(&lock); return NULL; }
    node *n = classes[class_of(cap)];
    if (n) {
        unlink_node(n);
        hits++;
        table_put((uintptr_t)n, cap);
        live_bytes += cap;
        live_buffers++;
        pthread_mutex_unlock(&lock);
        UNPOISON(n, cap);
        if (zeroed) clear(n, bytes);
        return n;
    }
    misses++;
    pthread_mutex_unlock(&lock);
    int zero;
    void *p = system_alloc(cap, &zero);
    if (!p) return NULL;
    pthread_mutex_lock(&lock);
    if (!table_reserve()) {
        pthread_mutex_unlock(&lock);
        system_free(p, cap);
        return NULL;
    }
    table_put((uintptr_t)p, cap);
    live_bytes += cap;
    live_buffers++;
    pthread_mutex_unlock(&lock);
    if (zeroed && !zero) clear(p, bytes);
    return p;
}

void sj_buffer_release(void *p) {
    if (!p) return;
    pthread_mutex_lock(&lock);
    size_t cap = table_take((uintptr_t)p);
    if (!cap) {
        pthread_mutex_unlock(&lock);
        free(p);  /* not ours: a small buffer, or malloc memory adopted from elsewhere */
        return;
    }
    live_bytes -= cap;
    live_buffers--;
    pthread_mutex_unlock(&lock);
    store_shared(p, cap, 1);
}

void *sj_buffer_acquire_sized(size_t bytes, int zeroed) {
    size_t cap = sj_buffer_cache_capacity(bytes);
    thread_record *r;
    if (cap <= TLS_MAX && bytes >= SJ_BUFFER_CACHE_MIN && (r = record())) {
        uintptr_t c = (uintptr_t)class_of(cap);  /* 3 or more: a slot word of this class is never 0 */
        uintptr_t word = atomic_load_explicit(&r->slot, memory_order_relaxed);
        if ((word & CLASS_BITS) == c) {
            word = atomic_exchange_explicit(&r->slot, 0, memory_order_acquire);
            if ((word & CLASS_BITS) == c) {
                void *p = (void *)(word & ~(uintptr_t)CLASS_BITS);
                bump(&r->hits);
                add_live(r, (int64_t)cap, 1);
                UNPOISON(p, cap);
                if (zeroed) clear(p, bytes);
                return p;
            }
            /* Taken by a trim meanwhile (word 0), or of another class: that one to the lists. */
            if (word) {
                void *q = (void *)(word & ~(uintptr_t)CLASS_BITS);
                UNPOISON(q, NODE_BYTES);
                store_shared(q, cap_of_class((int)(word & CLASS_BITS)), 0);
            }
        }
    }
    if (bytes < SJ_BUFFER_CACHE_MIN) return sj_buffer_acquire(bytes, zeroed);
    if (!cap) return NULL;
    pthread_mutex_lock(&lock);
    node *n = classes[class_of(cap)];
    if (n) {
        unlink_node(n);
        hits++;
        live_bytes += cap;
        live_buffers++;
        pthread_mutex_unlock(&lock);
        UNPOISON(n, cap);
        if (zeroed) clear(n, bytes);
        return n;
    }
    misses++;
    live_bytes += cap;
    live_buffers++;
    pthread_mutex_unlock(&lock);
    int zero;
    void *p = system_alloc(cap, &zero);
    if (!p) {
        pthread_mutex_lock(&lock);
        live_bytes -= cap;
        live_buffers--;
        pthread_mutex_unlock(&lock);
        return NULL;
    }
    if (zeroed && !zero) clear(p, bytes);
    return p;
}

void sj_buffer_release_sized(void *p, size_t bytes) {
    if (!p) return;
    if (bytes < SJ_BUFFER_CACHE_MIN) { free(p); return; }
    size_t cap = sj_buffer_cache_capacity(bytes);
    thread_record *r;
    if (cap <= TLS_MAX && atomic_load_explicit(&slots_enabled, memory_order_relaxed) && (r = record())) {
        POISON(p, cap);
        bump(&r->stored);
        add_live(r, -(int64_t)cap, -1);
        uintptr_t word = (uintptr_t)p | (uintptr_t)class_of(cap);
        if (!atomic_load_explicit(&r->slot, memory_order_relaxed)) {
            /* Only this thread fills its slot, so an empty slot stays empty until the store. */
            atomic_store_explicit(&r->slot, word, memory_order_release);
            return;
        }
        /* The most recent buffer takes the slot; the one there goes to the shared lists (already
           counted as stored when it went into the slot). */
        uintptr_t old = atomic_exchange_explicit(&r->slot, word, memory_order_acq_rel);
        if (old) {
            void *q = (void *)(old & ~(uintptr_t)CLASS_BITS);
            UNPOISON(q, NODE_BYTES);
            store_shared(q, cap_of_class((int)(old & CLASS_BITS)), 0);
        }
        return;
    }
    pthread_mutex_lock(&lock);
    live_bytes -= cap;
    live_buffers--;
    pthread_mutex_unlock(&lock);
    store_shared(p, cap, 1);
}

size_t sj_buffer_cache_trim(size_t keep) {
    pthread_mutex_lock(&lock);
    node *victims = evict_until(keep);
    uint64_t slot_bytes = 0, slot_buffers = 0;
    slot_totals(&slot_bytes, &slot_buffers);
    node *slots = cached_bytes + slot_bytes > keep ? take_slots() : NULL;
    pthread_mutex_unlock(&lock);
    return destroy(victims) + destroy(slots);
}

void sj_buffer_cache_install_kernel_hooks(void) {
    sj_set_allocation_hooks(sj_buffer_acquire, sj_buffer_release);
    sj_set_sized_allocation_hooks(sj_buffer_acquire_sized, sj_buffer_release_sized);
    sj_set_small_buffer_reuse(sj_buffer_cache_limit() >= TLS_LIMIT_FLOOR);
}

void sj_buffer_cache_set_limit(size_t limit) {
    pthread_mutex_lock(&lock);
    limit_bytes = limit;
    limit_known = 1;
    atomic_store_explicit(&slots_enabled, limit >= TLS_LIMIT_FLOOR, memory_order_relaxed);
    sj_set_small_buffer_reuse(limit >= TLS_LIMIT_FLOOR);
    node *victims = evict_until(limit);
    node *slots = limit < TLS_LIMIT_FLOOR ? take_slots() : NULL;
    pthread_mutex_unlock(&lock);
    destroy(victims);
    destroy(slots);
}

size_t sj_buffer_cache_limit(void) {
    pthread_mutex_lock(&lock);
    ensure_limit();
    size_t limit = limit_bytes;
    pthread_mutex_unlock(&lock);
    return limit;
}

void sj_buffer_cache_get_stats(sj_buffer_cache_stats *out) {
    pthread_mutex_lock(&lock);
    ensure_limit();
    uint64_t h = hits + retired_hits, st = stored + retired_stored;
    int64_t lb = (int64_t)live_bytes + retired_live_bytes, ln = (int64_t)live_buffers + retired_live_buffers;
    uint64_t slot_bytes = 0, slot_buffers = 0;
    for (thread_record *r = records; r; r = r->next) {
        h += atomic_load_explicit(&r->hits, memory_order_relaxed);
        st += atomic_load_explicit(&r->stored, memory_order_relaxed);
        lb += atomic_load_explicit(&r->live_bytes, memory_order_relaxed);
        ln += atomic_load_explicit(&r->live_buffers, memory_order_relaxed);
    }
    slot_totals(&slot_bytes, &slot_buffers);
    out->hits = h;
    out->misses = misses;
    out->stored = st;
    out->evicted = evicted;
    out->cached_bytes = cached_bytes + slot_bytes;
    out->cached_buffers = cached_buffers + slot_buffers;
    out->live_bytes = (uint64_t)lb;
    out->live_buffers = (uint64_t)ln;
    out->limit = limit_bytes;
    pthread_mutex_unlock(&lock);
}

void sj_buffer_clear(void *p, size_t bytes) { clear(p, bytes); }

/* ---- storage slots (see the top of the file) ---- */

void *sj_storage_slot_take(void) {
    thread_record *r = my_record;
    if (!r) return NULL;
    /* Only this thread fills the slot: an empty one needs no exchange. */
    if (!atomic_load_explicit(&r->object, memory_order_relaxed)) return NULL;
    return (void *)atomic_exchange_explicit(&r->object, 0, memory_order_acquire);
}

int sj_storage_slot_put(void *object, int reused) {
    thread_record *r = record();
    if (!r || !atomic_load_explicit(&slots_enabled, memory_order_relaxed)) return 0;
    if (reused) {
        if (reused == 1) bump(&r->hits);
        r->busy_streak = 0;
    }
    atomic_store_explicit(&r->object, (uintptr_t)object, memory_order_release);
    return 1;
}

int sj_storage_slot_keep_busy(void) {
    thread_record *r = my_record;
    if (!r) return 0;
    if (++r->busy_streak < SJ_STORAGE_SLOT_PATIENCE) return 1;
    r->busy_streak = 0;
    return 0;
}

void sj_storage_slot_set_release(void (*release)(void *object)) {
    atomic_store_explicit(&storage_release, release, memory_order_release);
}

size_t sj_storage_slots_drain(void) {
    void (*release)(void *) = atomic_load_explicit(&storage_release, memory_order_acquire);
    size_t count = 0;
    if (!release) return 0;
    /* Released outside the lock (a release may run a deinit that takes it), a batch at a time;
       a pass that fills its batch is followed by another (bounded: threads may refill meanwhile). */
    for (int pass = 0; pass < 64; pass++) {
        enum { BATCH = 32 };
        uintptr_t objects[BATCH];
        int n = 0;
        pthread_mutex_lock(&lock);
        for (thread_record *r = records; r && n < BATCH; r = r->next) {
            if (!atomic_load_explicit(&r->object, memory_order_relaxed)) continue;
            uintptr_t object = atomic_exchange_explicit(&r->object, 0, memory_order_acquire);
            if (object) objects[n++] = object;
        }
        pthread_mutex_unlock(&lock);
        for (int i = 0; i < n; i++) release((void *)objects[i]);
        count += (size_t)n;
        if (n < BATCH) break;
    }
    return count;
}
