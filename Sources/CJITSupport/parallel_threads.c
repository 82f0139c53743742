// A parallel-for hook on POSIX threads, for programs that link kernels exported by
// `swiftjit compile --emit-object` without SwiftJIT (SwiftJIT itself installs its own pool).
// Chunk boundaries and the order in which chunk contexts are merged are those of SwiftJIT's
// pool (KernelParallel.swift), so results do not depend on the number of threads.
#include "kernel_support.h"
#include <pthread.h>
#include <stdlib.h>

typedef struct {
    sj_loop_body body;
    int64_t lo, n, chunks, next, partial_bytes;
    void *env;
    char *partials;
    sj_context *contexts;
    int32_t *codes;
} sj_job;

static void *sj_worker(void *p) {
    sj_job *j = p;
    for (;;) {
        int64_t c = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
        if (c >= j->chunks) return NULL;
        int64_t b = j->lo + c * j->n / j->chunks, e = j->lo + (c + 1) * j->n / j->chunks;
        j->codes[c] = j->body(b, e, j->env, &j->contexts[c], j->partials ? j->partials + c * j->partial_bytes : NULL);
    }
}

enum { SJ_MAX_THREADS = 256 };
static int sj_threads = 1;

static int32_t sj_threads_hook(sj_loop_body body, int64_t lo, int64_t hi, void *env, sj_context *ctx, void *partials,
                               int64_t partial_bytes) {
    int64_t n = hi > lo ? hi - lo : 0;
    int64_t chunks = n < SJ_MAX_CHUNKS ? n : SJ_MAX_CHUNKS;
    if (chunks == 0) return 0;
    sj_job j = {body, lo, n, chunks, 0, partial_bytes, env, partials,
                calloc((size_t)chunks, sizeof(sj_context)), calloc((size_t)chunks, sizeof(int32_t))};
    if (!j.contexts || !j.codes) {
        free(j.contexts);
        free(j.codes);
        ctx->code = SJ_OUT_OF_MEMORY;
        return SJ_OUT_OF_MEMORY;
    }
    pthread_t threads[SJ_MAX_THREADS];
    int started = 0;
    for (int k = 1; k < sj_threads && k < chunks; k++) {
        if (pthread_create(&threads[started], NULL, sj_worker, &j) == 0) started++;
    }
    sj_worker(&j);
    for (int k = 0; k < started; k++) pthread_join(threads[k], NULL);
    int32_t first = 0;
    for (int64_t c = 0; c < chunks; c++) {
        sj_context_merge(ctx, &j.contexts[c]);
        if (first == 0) first = j.codes[c];
    }
    free(j.contexts);
    free(j.codes);
    return first;
}

void sj_use_threads(int threads) {
    sj_threads = threads < 1 ? 1 : threads > SJ_MAX_THREADS ? SJ_MAX_THREADS : threads;
    sj_set_parallel_for_hook(sj_threads > 1 ? sj_threads_hook : NULL);
}
