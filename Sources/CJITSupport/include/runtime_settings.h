// Settings the Swift runtime reads on every call without taking a lock (Parallel's thread count
// and serial threshold): relaxed atomic loads and stores of plain int64_t words. Inline, so a
// read is one load in the caller.
#ifndef SWIFTJIT_RUNTIME_SETTINGS_H
#define SWIFTJIT_RUNTIME_SETTINGS_H
#include <stdint.h>

/// Reads a setting word.
static inline int64_t sj_setting_load(const int64_t *word) { return __atomic_load_n(word, __ATOMIC_RELAXED); }
/// Writes a setting word.
static inline void sj_setting_store(int64_t *word, int64_t value) { __atomic_store_n(word, value, __ATOMIC_RELAXED); }

#endif
