// `swiftjit bench` and `swiftjit overhead`: their options; the work is SwiftJITBench's
// (ReferenceBench, BenchHarness, OverheadTimer), which finds its kernel sources without the source
// tree (WorkloadSources.swift).
import ArgumentParser
import SwiftJIT
import SwiftJITBench

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time the reference workloads and compilation.",
        discussion: """
            Medians and minima over --repeat timed runs after a warm-up, writing into a
            preallocated output (out=); 'alloc ms' is the median of the same call allocating its
            result (f(x), the previous result released: served by the buffer cache), 'no cache ms'
            the same with the buffer cache switched off, 'no NT ms' the out= call without streaming
            stores (StreamingStores; outputs of 64 MiB and more use them). GB/s counts the bytes of the array
            arguments read plus the output written, at the out= median. 'first compile' is JIT.compile plus the first call of a never-seen expression
            (on 1000 elements); 'cached compile' is JIT.compile of a known text plus the
            specialization lookup.
            """)

    @Option(name: .customLong("repeat"), help: "Timed runs per workload.")
    var repetitions = 20

    @Option(help: "Multiply every workload's size by this factor.")
    var sizeScale = 1.0

    @Option(help: "Floating-point mode: strict, relaxed or fast.")
    var math: MathMode = .relaxed

    // Machine-readable modes, driven by scripts/bench (SwiftJITBench/BenchHarness.swift).
    @Flag(help: "Machine-readable mode: time one --workload on inputs from --data and print JSON.")
    var json = false

    @Flag(help: "Serve mode: read 'load ID DIR', 'run ID K', 'run-alloc ID K', 'write ID PATH', 'unload ID', 'quit' lines on stdin; answer one JSON line each.")
    var serve = false

    @Flag(help: "With --json: time JIT.compile plus the first call only (run it in a fresh process).")
    var firstCall = false

    @Option(help: "With --json: the workload id (W1, W2poly, W2horner, W5, W6, W7, W12copy-1M ...).")
    var workload: String?

    @Option(help: ArgumentHelp("With --json: the folder holding <workload>/<input>.npy, written by scripts/bench_peers.py (W9, W10-n and W15-n are generated when it is not given).", valueName: "dir"))
    var data: String?

    @Option(help: ArgumentHelp("With --json: write the result here, for the caller to check.", valueName: "path.npy"))
    var out: String?

    @Option(help: "Threads (accepted and reported; SwiftJIT runs single-threaded for now).")
    var threads = 1

    func validate() throws {
        if json && serve { throw ValidationError("give --json or --serve, not both") }
        if json && workload == nil { throw ValidationError("--json needs --workload ID") }
        if json, let id = workload, data == nil, !BenchHarness.canGenerate(id) {
            throw ValidationError("--json --workload \(id) needs --data DIR (only \(BenchHarness.generated) are generated without it)")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard repetitions >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard sizeScale > 0, sizeScale.isFinite, sizeScale <= 64 else {
            throw ValidationError("--size-scale must be greater than 0 and at most 64")
        }
    }

    func run() throws {
        // The thread pool serves expressions, reductions and parallel kernel loops.
        JIT.numThreads = threads
        do {
            if serve { return try BenchHarness(math: math, threads: threads).serve() }
            if json {
                let harness = BenchHarness(math: math, threads: threads)
                return harness.emit(try harness.oneShot(
                    workload: workload!, data: data, repetitions: repetitions, firstCallOnly: firstCall, out: out))
            }
            try ReferenceBench(repetitions: repetitions, sizeScale: sizeScale, math: math).run()
        } catch let error as BenchError {
            throw UserError(message: error.message)
        }
    }
}

struct Overhead: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time per-call overhead, thread scaling and the serial/parallel crossover.",
        discussion: """
            overhead: median time of one call of a cached 'x*2.0 + 1.0' on n elements: \
            CompiledExpression.call with a positional and a named argument into a preallocated out, \
            a positional call that allocates its result, JIT.evaluate into out, and the typed entry \
            point (f.typed) into out.
            kernel: a small kernel and a scalar kernel through k(...) and through k.typed.
            scaling: medians of W1, W3, W6 and a sum of 2^24 elements at each --threads value.
            crossover: for each n, median time at 1 thread and at --threads threads with the serial \
            threshold disabled.
            """)

    @Option(help: "Sections to run: overhead, kernel, scaling, crossover (comma-separated).")
    var sections = "overhead,scaling"

    @Option(help: "Element counts for overhead.")
    var sizes = "10,1000,10000"

    @Option(help: "Thread counts for scaling (comma-separated); for crossover, the parallel count.")
    var threads = "1,2"

    @Option(name: .customLong("repeat"), help: "Timed runs per measurement.")
    var repetitions = 21

    @Flag(help: "overhead only: print one JSON object (seconds per call by size and call form).")
    var json = false

    func run() throws {
        try OverheadTimer(sections: Set(sections.split(separator: ",").map(String.init)),
                          sizes: sizes.split(separator: ",").compactMap { Int($0) },
                          threads: threads.split(separator: ",").compactMap { Int($0) },
                          repetitions: repetitions, json: json).run()
    }
}
