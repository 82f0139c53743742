// The cache of released array buffers. In: a size to acquire, or a pointer to release. Out: memory
// 64-byte aligned (2 MiB aligned and offered transparent huge pages from 4 MiB up). Buffers of
// SJ_BUFFER_CACHE_MIN bytes or more go back into a bounded, thread-safe cache when released, so a
// repeated allocating call gets memory whose pages are already mapped instead of faulting in (and
// having the kernel zero) fresh pages on every call. SwiftJIT's runtime (ArrayStorage, and kernel
// allocations through sj_set_allocation_hooks) allocates through it; the standalone C runtime of
// exported kernels does not include it.
#ifndef SWIFTJIT_BUFFER_CACHE_H
#define SWIFTJIT_BUFFER_CACHE_H
#include <stddef.h>
#include <stdint.h>

/// Requests below this many bytes are plain aligned_alloc memory and are never cached.
enum { SJ_BUFFER_CACHE_MIN = 4096 };

/// Counters and sizes of the cache, read at one instant.
typedef struct sj_buffer_cache_stats {
    uint64_t hits;           // acquisitions served from the cache
    uint64_t misses;         // acquisitions (of cacheable size) that took fresh memory
    uint64_t stored;         // releases that kept the buffer in the cache
    uint64_t evicted;        // cached or released buffers returned to the system (bound, trim, limit)
    uint64_t cached_bytes;   // capacity held by the cache now
    uint64_t cached_buffers;
    uint64_t live_bytes;     // capacity of cacheable buffers handed out and not yet released
    uint64_t live_buffers;
    uint64_t limit;          // the bound on cached_bytes
} sj_buffer_cache_stats;

/// `bytes` bytes (zeroed when `zeroed`), or NULL when the system has no memory.
void *sj_buffer_acquire(size_t bytes, int zeroed);
/// Gives back a pointer from sj_buffer_acquire: kept in the cache while it fits under the limit
/// (the oldest cached buffers are returned to the system to make room), else returned at once.
/// A pointer the cache did not hand out (plain malloc memory) is passed to free().
void sj_buffer_release(void *p);
/// `bytes` bytes (zeroed when `zeroed`) for an owner that gives them back with
/// sj_buffer_release_sized and the same `bytes` (ArrayStorage): served first from the calling
/// thread's own slot (no lock) when the size is at most SJ_BUFFER_SLOT_MAX, else as sj_buffer_acquire
/// (but with no entry in the address table).
void *sj_buffer_acquire_sized(size_t bytes, int zeroed);
/// Gives back a pointer from sj_buffer_acquire_sized with the `bytes` it was acquired with: into
/// the calling thread's slot when the buffer is at most SJ_BUFFER_SLOT_MAX (while the limit is
/// at least 16 MiB), else as sj_buffer_release.
void sj_buffer_release_sized(void *p, size_t bytes);
/// Returns cached buffers to the system, oldest first, until at most `keep` bytes stay cached;
/// the number of bytes returned.
size_t sj_buffer_cache_trim(size_t keep);
/// Sets the bound on cached bytes (0 disables caching) and trims to it.
void sj_buffer_cache_set_limit(size_t limit);
/// The bound on cached bytes: the last one set, else sj_buffer_cache_default_limit().
size_t sj_buffer_cache_limit(void);
/// min(1 GiB, physical memory / 8).
size_t sj_buffer_cache_default_limit(void);
/// The capacity that a request of `bytes` is rounded up to (its size class).
size_t sj_buffer_cache_capacity(size_t bytes);
/// Makes kernel allocations (kernel_support.h) come from this cache: by pointer, and from 4 KiB
/// by size; small scratch kept per thread while the limit allows per-thread slots.
void sj_buffer_cache_install_kernel_hooks(void);
/// Fills `out` with the current counters.
void sj_buffer_cache_get_stats(sj_buffer_cache_stats *out);
/// Zeroes `bytes` bytes at `p` as a reused buffer is cleared (streaming stores for large ones).
void sj_buffer_clear(void *p, size_t bytes);

/// Buffers acquired and released by size of at most this many bytes go through the calling
/// thread's buffer slot (256 KiB: W9's 80 KB result, 100 x 100 f64, takes no lock; with a slot
/// per thread, 64 threads hold at most the 16 MiB below which slots are off).
enum { SJ_BUFFER_SLOT_MAX = 256 << 10 };
/// Arrays of up to this many bytes made in Swift keep their storage object in the thread's
/// storage slot (NDArray(uninitialized:), zeros).
enum { SJ_STORAGE_SLOT_MAX = 64 << 10 };
/// The calling thread's storage slot: one storage object (an ArrayStorage, as an opaque +1
/// reference) kept after the array made over it, so that the thread's next array of that size
/// can take the object itself, buffer and all, once nothing else references it. Takes the slot's
/// object (the reference is now the caller's), or NULL.
void *sj_storage_slot_take(void);
/// Puts a +1 reference into the calling thread's storage slot, which must be empty (only its own
/// thread fills it); `reused` 1: the object was taken back (a cache hit), 2: taken back, but its
/// buffer is below SJ_BUFFER_CACHE_MIN (Swift's allocator, which the cache's counts leave out),
/// 0: a new object. Returns 0 when it keeps nothing (slots are off
/// while the limit is below 16 MiB, or the thread has no record): the caller keeps the reference.
int sj_storage_slot_put(void *object, int reused);
/// The object taken from the slot is still in use (another array references it): whether to put
/// it back (1) rather than give the slot to the new array (0). Put back until it has been found in
/// use SJ_STORAGE_SLOT_PATIENCE times in a row (a reuse starts the count again): arrays that are
/// all kept then pay little for the slot, and one held for long (a preallocated `out:` array)
/// keeps the slot from the arrays made per call only that long.
int sj_storage_slot_keep_busy(void);
enum { SJ_STORAGE_SLOT_PATIENCE = 8 };
/// The function that releases a storage slot's reference (set once, before any slot is filled).
void sj_storage_slot_set_release(void (*release)(void *object));
/// Takes every thread's storage slot object and releases it (outside the lock); those no array
/// references any more give their buffers back as arrays do. The number released.
size_t sj_storage_slots_drain(void);

#endif
