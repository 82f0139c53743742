// The thread pool behind kernels' `parallel for`: KernelGen outlines a parallel loop's body and
// calls sj_parallel_for, which lands here. Chunks are fixed by the iteration count alone
// (min(n, SJ_MAX_CHUNKS) of them), each with its own context and reduction partials, so the
// result does not depend on the number of threads or on scheduling.
import CJITSupport

enum KernelParallel {
    /// From this many iterations a serial parallel loop without reductions runs by chunks (each
    /// a call of the outlined body), so a cancellation stops it between chunks.
    static let cancellableIterations: Int64 = 1 << 16

    /// Installs the hooks once (Engine does, before any kernel runs).
    static let installed: Bool = {
        _ = Parallel.serialThreshold  // the threshold sj_parallel_serial reads, set before any kernel runs
        // Kernels ask this before each parallel loop and run the chunks themselves when it is 1.
        sj_set_parallel_serial_hook { n in
            let (elements, overflow) = Int(n).multipliedReportingOverflow(by: 64)
            return Parallel.threadsFor(elements: overflow ? .max : elements) <= 1 ? 1 : 0
        }
        sj_set_parallel_for_hook { body, lo, hi, env, ctx, partials, partialBytes in
            guard let body, let ctx else { return 0 }
            let n = max(0, hi - lo)
            let chunks = Int(min(n, Int64(SJ_MAX_CHUNKS)))
            guard chunks > 0 else { return 0 }
            let threads = Parallel.threadsFor(elements: Int(n) * 64)
            if threads <= 1 {
                guard let partials, partialBytes > 0 else {
                    // Serial and without reduction partials: chunking cannot change the result, so
                    // the whole range is one call on the caller's context (no per-chunk contexts);
                    // long loops go by chunks so a cancellation is seen between them.
                    guard n >= KernelParallel.cancellableIterations else { return body(lo, hi, env, ctx, nil) }
                    for c in 0..<chunks {
                        if sj_cancelled() != 0 { return Int32(SJ_CANCELLED) }
                        let b = lo + Int64(c) * n / Int64(chunks), e = lo + Int64(c + 1) * n / Int64(chunks)
                        let code = body(b, e, env, ctx, nil)
                        if code != 0 { return code }
                    }
                    return 0
                }
                // Serial with reductions: the same chunks, in order, each into its own partial (so
                // the result is bit for bit that of any thread count), but all on the caller's
                // context, stopping at the first error (the one the parallel path would report
                // first). No per-chunk contexts to allocate and merge: W9's 100-step trace paid
                // for 100 of them on every call.
                for c in 0..<chunks {
                    if sj_cancelled() != 0 { return Int32(SJ_CANCELLED) }
                    let b = lo + Int64(c) * n / Int64(chunks), e = lo + Int64(c + 1) * n / Int64(chunks)
                    let code = body(b, e, env, ctx, partials + c * Int(partialBytes))
                    if code != 0 { return code }
                }
                return 0
            }
            var contexts = [sj_context](repeating: sj_context(), count: chunks)
            var codes = [Int32](repeating: 0, count: chunks)
            let base = UnsafeMutableRawPointer(partials)
            let token = sj_get_cancel_token()
            contexts.withUnsafeMutableBufferPointer { cs in
                codes.withUnsafeMutableBufferPointer { rc in
                    Parallel.forEach(items: chunks, threads: threads) { c in
                        // Each chunk runs under the caller's cancellation token, on whatever thread.
                        let previous = sj_swap_cancel_token(token)
                        defer { _ = sj_swap_cancel_token(previous) }
                        if sj_cancelled() != 0 { rc[c] = Int32(SJ_CANCELLED); return }
                        let b = lo + Int64(c) * n / Int64(chunks), e = lo + Int64(c + 1) * n / Int64(chunks)
                        rc[c] = body(b, e, env, cs.baseAddress! + c, base.map { $0 + c * Int(partialBytes) })
                    }
                }
            }
            var first: Int32 = 0
            for c in 0..<chunks {
                sj_context_merge(ctx, &contexts[c])
                if first == 0 { first = codes[c] }
            }
            return first
        }
        return true
    }()
}
