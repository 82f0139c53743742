// Settings the runtime reads on every call without taking a lock: relaxed atomic loads and
// stores of int64_t words. SwiftJIT's Parallel keeps the thread count and the serial threshold
// here, so sj_parallel_serial can answer small loops without calling back into Swift, and the
// size from which compiled kernel loops write their output with streaming stores.
#ifndef SWIFTJIT_RUNTIME_SETTINGS_H
#define SWIFTJIT_RUNTIME_SETTINGS_H
#include <stdint.h>

/// The settings' words.
enum {
    /// The thread count the program set (0: not set).
    SJ_SETTING_THREADS = 0,
    /// Loops of fewer than this many elements (64 per parallel-loop iteration) run serially; 0
    /// until SwiftJIT's runtime sets it (then sj_parallel_serial asks its hook for every loop).
    SJ_SETTING_SERIAL_ELEMENTS = 1,
    /// Kernel loops that write at least this many bytes of one contiguous output write it with
    /// streaming stores (KernelStreaming.swift); INT64_MAX turns them off. 64 MiB until SwiftJIT's
    /// StreamingStores sets it.
    SJ_SETTING_STREAM_BYTES = 2,
    SJ_SETTINGS_COUNT = 3
};
extern int64_t sj_runtime_settings[SJ_SETTINGS_COUNT];

/// Reads a setting.
static inline int64_t sj_setting_load(int index) { return __atomic_load_n(&sj_runtime_settings[index], __ATOMIC_RELAXED); }
/// Writes a setting.
static inline void sj_setting_store(int index, int64_t value) {
    __atomic_store_n(&sj_runtime_settings[index], value, __ATOMIC_RELAXED);
}

#endif
