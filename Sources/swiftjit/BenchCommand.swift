// `swiftjit bench`: the reference workloads timed in-process, against a memcpy of the same size
// as a bandwidth reference, plus the cost of a first compile and of a cached one.
import ArgumentParser
import Dispatch
import Foundation
import SwiftJIT

/// A fixed-seed generator (xorshift64*) with uniform and normal (Box-Muller) draws.
struct BenchRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Standard normal.
    mutating func normal() -> Double {
        let u1 = max(uniform(), 0x1p-53), u2 = uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }
}

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

    // Machine-readable modes, driven by scripts/bench (see BenchHarness below).
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

    struct Workload {
        var name: String
        var source: String
        var arguments: [String: any JITArgument]
        var n: Int
    }

    func scaled(_ n: Int) -> Int { max(1, Int((Double(n) * sizeScale).rounded())) }

    func run() throws {
        // The thread pool serves expressions, reductions and parallel kernel loops.
        JIT.numThreads = threads
        if serve { return try BenchHarness(math: math, threads: threads).serve() }
        if json {
            let harness = BenchHarness(math: math, threads: threads)
            return harness.emit(try harness.oneShot(
                workload: workload!, data: data, repetitions: repetitions, firstCallOnly: firstCall, out: out))
        }
        let options = JIT.Options(mathMode: math)
        var random = BenchRandom(seed: 20240601)

        let n1 = scaled(300_000)
        let linspace = (0..<n1).map { n1 == 1 ? -10.0 : -10 + 20 * Double($0) / Double(n1 - 1) }
        let n2 = scaled(1_000_000)
        let normal = NDArray((0..<n2).map { _ in random.normal() })
        let n5 = scaled(1 << 24)
        let uniform = NDArray((0..<n5).map { _ in random.uniform() })
        let n7 = scaled(1_000_000)
        let a7 = NDArray((0..<n7).map { _ in random.normal() })
        let b7 = NDArray((0..<n7).map { _ in random.normal() })
        let c7 = NDArray((0..<n7).map { _ in random.normal() })
        let n12 = scaled(1 << 24)
        let x12 = NDArray((0..<n12).map { _ in random.uniform() })
        let y12 = NDArray((0..<n12).map { _ in random.uniform() })

        let horner = "x*(1+x*(1+x*(1+x*(1+x*(1+x*(1+x*(1+x)))))))"
        let workloads = [
            Workload(name: "W1 gaussian", source: "A*exp(-(x-x0)**2/(2*w**2))",
                     arguments: ["A": 1.0, "x0": 0.0, "w": 1.0, "x": NDArray(linspace)], n: n1),
            Workload(name: "W2 polynomial", source: "x + x**2 + x**3 + x**4 + x**5 + x**6 + x**7 + x**8",
                     arguments: ["x": normal], n: n2),
            Workload(name: "W2 Horner", source: horner, arguments: ["x": normal], n: n2),
            Workload(name: "W5 1+A+A**2+A**3", source: "1 + A + A**2 + A**3", arguments: ["A": uniform], n: n5),
            Workload(name: "W7 b**2-4*a*c", source: "b**2 - 4*a*c", arguments: ["a": a7, "b": b7, "c": c7], n: n7),
            Workload(name: "W12 triad 16M", source: "x + 2.5*y", arguments: ["x": x12, "y": y12], n: n12),
        ]

        print("swiftjit bench: repeat \(repetitions), size scale \(sizeScale), math \(math.rawValue)")
        print(row("workload", "n", "median ms", "min ms", "GB/s") + "  alloc ms  no cache ms  no NT ms")

        // Bandwidth reference: y = x for 1M and 16M float64 (8 MB read + 8 MB written, and 128 + 128).
        for nCopy in [scaled(1_000_000), n12] {
            let source = NDArray((0..<nCopy).map(Double.init))
            let destination = NDArray(zeros: .float64, shape: [nCopy])
            let copyBytes = nCopy * 8
            let copyTimes = measure {
                destination.baseAddress.copyMemory(from: source.baseAddress, byteCount: copyBytes)
            }
            report("copy y = x (memcpy)", nCopy, copyTimes, bytes: 2 * copyBytes)
        }

        for w in workloads {
            let f = try JIT.compile(w.source, options: options)
            let first = try f.call(w.arguments, out: nil)  // compiles
            let out = NDArray(zeros: first.dtype, shape: first.shape)
            var bytes = out.count * out.dtype.size
            for value in w.arguments.values {
                if let a = value as? NDArray { bytes += a.count * a.dtype.size }
            }
            // Four calls, timed interleaved (one of each per repetition, so that a busy machine
            // slows them alike): out= as is; out= without streaming stores; the allocating call in
            // steady state (the previous result released, so the buffer cache serves it); the
            // allocating call with the cache off. Each has its own compiled object (a different
            // text), so each keeps its own prepared call plan.
            let streaming = StreamingStores.threshold
            StreamingStores.threshold = Int.max
            let direct = try JIT.compile("(\(w.source))", options: options)
            _ = try direct.call(w.arguments, out: out)  // plan prepared without streaming stores
            StreamingStores.threshold = streaming
            let allocating = try JIT.compile("((\(w.source)))", options: options)
            let limit = BufferCache.limit
            let calls: [() throws -> Void] = [
                { _ = try f.call(w.arguments, out: out) },
                { _ = try direct.call(w.arguments, out: out) },
                { _ = try allocating.call(w.arguments, out: nil) },
                { _ = try allocating.call(w.arguments, out: nil) },
            ]
            var samples = [[Double]](repeating: [], count: calls.count)
            for call in calls { try call(); try call() }
            for _ in 0..<repetitions {
                for (k, call) in calls.enumerated() {
                    if k == 2 { try call() }  // a result released into the cache, as in a loop
                    if k == 3 { BufferCache.limit = 0 }
                    let start = DispatchTime.now().uptimeNanoseconds
                    try call()
                    samples[k].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                    BufferCache.limit = limit
                }
            }
            let times = samples[0]
            report(w.name, w.n, times, bytes: bytes, extra: [median(samples[2]), median(samples[3]), median(samples[1])])
        }

        // Compilation: a new text each time, so neither cache can serve it.
        print("")
        print(row("compilation", "", "median ms", "min ms", ""))
        let small = NDArray((0..<1000).map { Double($0) / 1000 })
        let compileRuns = max(3, min(repetitions, 20))
        var firstTimes: [Double] = []
        let stamp = UInt32.random(in: 0...UInt32.max)
        for k in 0..<compileRuns {
            // A fresh variable name makes a never-seen function (literals would not: expressions
            // that differ only in float literals share code).
            let name = "x\(stamp)_\(k)"
            let text = "x*(1+x*(1+x*(1+x))) * 2 + 1".replacingOccurrences(of: "x", with: name)
            let start = DispatchTime.now().uptimeNanoseconds
            let f = try JIT.compile(text, options: options)
            _ = try f.call([name: small], out: nil)
            firstTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        print(row("first compile + call", "", ms(median(firstTimes)), ms(firstTimes.min() ?? 0), ""))

        // Cached: the same text again and the specialization lookup, averaged over a batch.
        let known = try JIT.compile(horner, options: options)
        let types = [ArgumentType(dtype: .float64, rank: 1)]
        _ = try known.specialization(for: types)
        let batch = 1000
        var lookupFailure: Error?
        let cachedTimes = measure {
            do {
                for _ in 0..<batch {
                    let f = try JIT.compile(horner, options: options)
                    _ = try f.specialization(for: types)
                }
            } catch { lookupFailure = error }
        }.map { $0 / Double(batch) }
        if let lookupFailure { throw lookupFailure }
        print(row("cached compile", "", String(format: "%.5f", median(cachedTimes)),
                  String(format: "%.5f", cachedTimes.min() ?? 0), ""))
        print("LLVM compilations in this run: \(JIT.llvmCompilations)")
    }

    /// Times `body` `repetitions` times after two warm-up runs; milliseconds.
    func measure(_ body: () -> Void) -> [Double] {
        body()
        body()
        var times: [Double] = []
        times.reserveCapacity(repetitions)
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times
    }

    func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    func ms(_ x: Double) -> String { String(format: "%.3f", x) }

    func report(_ name: String, _ n: Int, _ times: [Double], bytes: Int, extra: [Double] = []) {
        let med = median(times)
        let gbps = med > 0 ? Double(bytes) / (med * 1e-3) / 1e9 : 0
        let more = extra.map { String(repeating: " ", count: max(0, 10 - ms($0).count)) + ms($0) }.joined(separator: "   ")
        print(row(name, String(n), ms(med), ms(times.min() ?? 0), String(format: "%.2f", gbps)) + more)
    }

    func row(_ a: String, _ b: String, _ c: String, _ d: String, _ e: String) -> String {
        func left(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
        func right(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }
        return left(a, 24) + right(b, 10) + right(c, 12) + right(d, 10) + right(e, 8)
    }
}

// MARK: - machine-readable harness (scripts/bench)

/// A workload SwiftJIT can run, by the id scripts/bench_peers.py uses. The Python side writes
/// every array input to `<data>/<id>/<name>.npy` (identical data for every tool), checks the
/// result SwiftJIT writes against its NumPy float64 reference and does all the statistics.
///
/// Adding a workload is one entry in `BenchHarness.workloads`: broadcasting (W3) is a string
/// expression like the others; kernels (W4, W8-W11, W13, W14) name a kernel of a source in
/// Examples/ (the same files the `examples` program checks) and the order of its arguments.
/// Ids not listed answer "not yet supported".
struct BenchHarness {
    struct Entry {
        /// An expression; for kernels, the kernel source file in Examples/ (see `kernelSource`).
        var source: String
        /// Array inputs, read from <data>/<id>/<name>.npy.
        var arrays: [String]
        /// Scalar inputs, passed as Swift Doubles.
        var scalars: [String: Double] = [:]
        /// Shapes to view array inputs with (W3 broadcasts 100 x 1 parameters against a row).
        var shapes: [String: [Int]] = [:]
        /// Kernels: the kernel's name in the source file; nil for expressions.
        var kernel: String? = nil
        /// Kernels: the arguments in the kernel's parameter order, by input name (arrays,
        /// `scalars` or `integers`).
        var order: [String] = []
        /// Kernels: integer scalar inputs, passed as Int64.
        var integers: [String: Int64] = [:]
        /// Timed through the typed entry point (`Kernel.typed`, `CompiledExpression.typed`): the
        /// workloads whose whole run is a few microseconds, where the call path decides.
        var typed = false

        /// A kernel workload: `kernel` of Examples/`file`, called with `order`.
        static func kernel(_ file: String, _ name: String, _ order: [String], scalars: [String: Double] = [:],
                           integers: [String: Int64] = [:], typed: Bool = false) -> Entry {
            let named = Set(scalars.keys).union(integers.keys)
            return Entry(source: file, arrays: order.filter { !named.contains($0) }, scalars: scalars, kernel: name,
                         order: order, integers: integers, typed: typed)
        }
    }

    static let horner = "x*(1+x*(1+x*(1+x*(1+x*(1+x*(1+x*(1+x)))))))"
    static let workloads: [String: Entry] = [
        "W1": Entry(source: "A*exp(-(x-x0)**2/(2*w**2))", arrays: ["x"], scalars: ["A": 1, "x0": 0, "w": 1]),
        "W2poly": Entry(source: "x + x**2 + x**3 + x**4 + x**5 + x**6 + x**7 + x**8", arrays: ["x"]),
        "W2horner": Entry(source: horner, arrays: ["x"]),
        "W3": Entry(source: "A*exp(-(x-x0)**2/(2*w**2))", arrays: ["A", "x", "x0", "w"],
                    shapes: ["A": [100, 1], "x0": [100, 1], "w": [100, 1], "x": [1, 300_000]]),
        "W5": Entry(source: "1 + A + A**2 + A**3", arrays: ["A"]),
        "W6": Entry(source: "sin(a**2)*exp(b)", arrays: ["a", "b"]),
        "W7": Entry(source: "b**2 - 4*a*c", arrays: ["a", "b", "c"]),
        "W12copy-1M": Entry(source: "x", arrays: ["x"]),
        "W12copy-16M": Entry(source: "x", arrays: ["x"]),
        "W12triad-1M": Entry(source: "x + 2.5*y", arrays: ["x", "y"]),
        "W12triad-16M": Entry(source: "x + 2.5*y", arrays: ["x", "y"]),
        "R1": Entry(source: "sum(x*x)", arrays: ["x"]),
        "W4": .kernel("ragged_sum.sj", "ragged_sum", ["X", "jind"]),
        "W8": .kernel("mandelbrot.sj", "mandelbrot", ["cr", "ci", "maxit"], integers: ["maxit": 50]),
        "W9": .kernel("trace.sj", "add_trace", ["a"], typed: true),
        "W10-10": .kernel("lu.sj", "lu_pivot_product", ["M"], typed: true),
        "W10-64": .kernel("lu.sj", "lu_pivot_product", ["M"], typed: true),
        "W10-256": .kernel("lu.sj", "lu_pivot_product", ["M"], typed: true),
        // The issue-19 call-overhead workload: a tiny expression, named arguments a and b.
        "W15-10": Entry(source: "2*a + 3*b", arrays: ["a", "b"], typed: true),
        "W11": .kernel("metropolis.sj", "metropolis", ["data", "eps", "u"]),
        // NaN-padded 10,000 x 32 centres, as scripts/bench_peers.py's W13_K and W13_PARAMS.
        "W13": .kernel("bumps.sj", "pv_locations", ["x", "threshold", "integral_threshold", "min_width", "k"],
                       scalars: ["threshold": 1.0, "integral_threshold": 3.0], integers: ["min_width": 3, "k": 32]),
        // c1 = 0.5 as a literal, as the Numba peer has it (a run-time exponent is a scalar pow).
        "W14": .kernel("loglik.sj", "loglik_half", ["I", "I0", "mu", "jind", "c0"], scalars: ["c0": 0.1]),
        // Kernel-loop min/max reductions over 2^24 float64 (issue 15), beside NumPy's x.max().
        "R2": .kernel("minmax.sj", "max_loop", ["x"]),
        "R3": .kernel("minmax.sj", "min_abs_loop", ["x"]),
    ]

    /// The folder of the kernel sources: $SWIFTJIT_EXAMPLES, else Examples/ of the checkout this
    /// executable was built from.
    static func examplesDirectory() -> String {
        if let dir = ProcessInfo.processInfo.environment["SWIFTJIT_EXAMPLES"], !dir.isEmpty { return dir }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples").path
    }

    /// The text of a kernel workload's source file.
    static func kernelSource(_ entry: Entry) throws -> String {
        let path = (examplesDirectory() as NSString).appendingPathComponent(entry.source)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw JITError.file("cannot read kernel source '\(path)' (set SWIFTJIT_EXAMPLES to the Examples folder)")
        }
        return text
    }

    /// A loaded workload: compiled, inputs bound, output allocated (kernels: the first result).
    struct Loaded {
        /// One timed call.
        var call: () throws -> Void
        var out: NDArray
        /// The same call allocating its result (`f.call(args)`, released before the next one);
        /// kernels allocate in `call` already.
        var allocating: () throws -> Void
    }

    var math: MathMode
    var threads: Int

    var options: JIT.Options { JIT.Options(mathMode: math) }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    func unsupported(_ id: String) -> [String: Any] {
        ["ok": true, "workload": id, "supported": false, "reason": "not yet supported"]
    }

    func arguments(_ id: String, _ entry: Entry, data: String?) throws -> [String: any JITArgument] {
        guard let data else { return try Self.generatedInputs(id) }
        var arguments: [String: any JITArgument] = [:]
        for name in entry.arrays {
            // Copied out of the (memory-mapped) file into anonymous memory, as np.load does.
            let file = try NPY.read(path: (data as NSString).appendingPathComponent("\(id)/\(name).npy")).contiguous()
            let array = NDArray(zeros: file.dtype, shape: file.shape)
            array.baseAddress.copyMemory(from: file.baseAddress, byteCount: file.count * file.dtype.size)
            arguments[name] = entry.shapes[name].map { array.reshaped($0) } ?? array
        }
        for (name, value) in entry.scalars { arguments[name] = value }
        for (name, value) in entry.integers { arguments[name] = value }
        return arguments
    }

    /// Compiles a kernel workload (JIT.kernels + the declared signature or the first call's)
    /// and calls it once; returns the kernel, its positional arguments and the result.
    func firstKernelCall(_ entry: Entry, _ arguments: [String: any JITArgument]) throws -> (Kernel, [any JITArgument], NDArray) {
        let module = try JIT.kernels(try Self.kernelSource(entry), name: entry.source, options: options)
        let kernel = try module.kernel(entry.kernel!)
        let positional = try entry.order.map { name -> any JITArgument in
            guard let a = arguments[name] else { throw UserError(message: "workload input '\(name)' is missing") }
            return a
        }
        guard let result = try kernel.callAll(positional).first else {
            throw UserError(message: "kernel '\(entry.kernel!)' returns nothing")
        }
        return (kernel, positional, result)
    }

    /// Compiles and calls once (which specializes), then allocates the output of that shape.
    func load(_ id: String, _ entry: Entry, data: String?) throws -> (Loaded, firstCallMs: Double) {
        let arguments = try arguments(id, entry, data: data)
        let start = Self.now()
        if entry.typed { return try typedLoad(entry, arguments, start: start) }
        if entry.kernel != nil {
            let (kernel, positional, result) = try firstKernelCall(entry, arguments)
            let firstMs = Double(Self.now() - start) / 1e6
            _ = try kernel.callAll(positional)  // warm-up
            let call = { _ = try kernel.callAll(positional) }
            return (Loaded(call: call, out: result, allocating: call), firstMs)
        }
        let f = try JIT.compile(entry.source, options: options)
        let first = try f.call(arguments, out: nil)
        let firstMs = Double(Self.now() - start) / 1e6
        let out = NDArray(zeros: first.dtype, shape: first.shape)
        _ = try f.call(arguments, out: out)  // warm-up into the output that will be timed
        return (Loaded(call: { _ = try f.call(arguments, out: out) }, out: out,
                       allocating: { _ = try f.call(arguments, out: nil) }), firstMs)
    }

    /// `count` timed calls into the preallocated output; milliseconds each.
    func time(_ w: Loaded, count: Int, allocating: Bool = false) throws -> [Double] {
        var times: [Double] = []
        times.reserveCapacity(count)
        let call = allocating ? w.allocating : w.call
        for _ in 0..<count {
            let start = Self.now()
            try call()
            times.append(Double(Self.now() - start) / 1e6)
        }
        return times
    }

    func describe(_ id: String, _ entry: Entry) -> [String: Any] {
        var d: [String: Any] = ["ok": true, "workload": id, "supported": true, "expression": entry.source,
                                "threads_requested": threads, "threads_used": JIT.numThreads]
        if let k = entry.kernel {
            d["expression"] = "kernel \(k) in Examples/\(entry.source)"
        }
        return d
    }

    func oneShot(workload id: String, data: String?, repetitions: Int, firstCallOnly: Bool, out: String?) throws -> [String: Any] {
        guard let entry = Self.workloads[id] else { return unsupported(id) }
        var reply = describe(id, entry)
        if firstCallOnly {
            // A fresh process has an empty in-memory cache: this is a real compile.
            let arguments = try arguments(id, entry, data: data)
            let start = Self.now()
            let result: NDArray
            if entry.kernel != nil {
                result = try firstKernelCall(entry, arguments).2
            } else {
                result = try JIT.compile(entry.source, options: options).call(arguments, out: nil)
            }
            reply["first_call_ms"] = Double(Self.now() - start) / 1e6
            if let out { try NPY.write(result, to: out) }
            return reply
        }
        let (loaded, firstMs) = try load(id, entry, data: data)
        reply["first_call_ms"] = firstMs
        reply["call"] = entry.typed ? "typed" : entry.kernel != nil ? "kernel.callAll" : "call(named, out:)"
        reply["inputs"] = data == nil ? "generated (seed 20240601)" : "from --data"
        reply["times_ms"] = try time(loaded, count: repetitions)
        let perCall = try timeBatches(loaded, samples: repetitions)
        reply["median_ns"] = perCall.median
        reply["min_ns"] = perCall.min
        reply["calls_per_sample"] = perCall.batch
        if let out { try NPY.write(loaded.out, to: out) }
        return reply
    }

    func emit(_ object: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// One command per stdin line, one JSON line per answer; errors are answers, not exits.
    func serve() throws {
        var loaded: [String: Loaded] = [:]
        while let line = readLine() {
            let words = line.split(separator: " ").map(String.init)
            guard let command = words.first else { continue }
            do {
                switch (command, words.count) {
                case ("load", 3):
                    let id = words[1]
                    guard let entry = Self.workloads[id] else { emit(unsupported(id)); continue }
                    let (w, firstMs) = try load(id, entry, data: words[2])
                    loaded[id] = w
                    var reply = describe(id, entry)
                    reply["first_call_ms_in_process"] = firstMs
                    emit(reply)
                case ("run", 3):
                    guard let w = loaded[words[1]], let k = Int(words[2]), k >= 1 else {
                        throw UserError(message: "run: '\(words[1])' is not loaded or bad count")
                    }
                    emit(["ok": true, "times_ms": try time(w, count: k)])
                case ("run-alloc", 3):
                    guard let w = loaded[words[1]], let k = Int(words[2]), k >= 1 else {
                        throw UserError(message: "run-alloc: '\(words[1])' is not loaded or bad count")
                    }
                    emit(["ok": true, "times_ms": try time(w, count: k, allocating: true)])
                case ("write", 3):
                    guard let w = loaded[words[1]] else { throw UserError(message: "write: '\(words[1])' is not loaded") }
                    try NPY.write(w.out, to: words[2])
                    emit(["ok": true])
                case ("unload", 2):
                    loaded[words[1]] = nil
                    emit(["ok": true])
                case ("quit", _):
                    emit(["ok": true])
                    return
                default:
                    throw UserError(message: "unknown command '\(line)'")
                }
            } catch let error as UserError {
                emit(["ok": false, "error": error.message])
            } catch {
                emit(["ok": false, "error": "\(error)"])
            }
        }
    }
}
