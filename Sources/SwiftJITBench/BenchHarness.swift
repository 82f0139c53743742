// The machine-readable benchmark harness behind `swiftjit bench --workload/--serve` (scripts/bench):
// workloads by id, their inputs from .npy files, timed calls, JSON lines out.
import Dispatch
import Foundation
import SwiftJIT

/// A workload SwiftJIT can run, by the id scripts/bench_peers.py uses. The Python side writes
/// every array input to `<data>/<id>/<name>.npy` (identical data for every tool), checks the
/// result SwiftJIT writes against its NumPy float64 reference and does all the statistics.
///
/// Adding a workload is one entry in `BenchHarness.workloads`: broadcasting (W3) is a string
/// expression like the others; kernels (W4, W8-W11, W13, W14) name a kernel of a source in
/// Examples/ (the same files the `examples` program checks) and the order of its arguments.
/// Ids not listed answer "not yet supported".
public struct BenchHarness {
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

    /// The text of a kernel workload's source file: from the folder $SWIFTJIT_EXAMPLES when it is
    /// set, else the copy of Examples/ built into this library (WorkloadSources.swift), so an
    /// installed `swiftjit` needs no source tree.
    static func kernelSource(_ entry: Entry) throws -> String {
        if let dir = ProcessInfo.processInfo.environment["SWIFTJIT_EXAMPLES"], !dir.isEmpty {
            let path = (dir as NSString).appendingPathComponent(entry.source)
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw JITError.file("cannot read kernel source '\(path)' (SWIFTJIT_EXAMPLES is set to '\(dir)')")
            }
            return text
        }
        guard let text = WorkloadSources.files[entry.source] else {
            throw JITError.file("no kernel source '\(entry.source)' among the built-in workloads")
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

    /// A harness compiling in `math` mode, reporting `threads` as requested.
    public init(math: MathMode, threads: Int) {
        self.math = math
        self.threads = threads
    }

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
            guard let a = arguments[name] else { throw BenchError("workload input '\(name)' is missing") }
            return a
        }
        guard let result = try kernel.callAll(positional).first else {
            throw BenchError("kernel '\(entry.kernel!)' returns nothing")
        }
        return (kernel, positional, result)
    }

    /// Compiles and calls once (which specializes), then allocates the output of that shape.
    func load(_ id: String, _ entry: Entry, data: String?) throws -> (Loaded, firstCallMs: Double) {
        let arguments = try arguments(id, entry, data: data)
        let start = Self.now()
        if entry.typed {
            let loaded = try typedLoad(entry, arguments, start: start)
            JIT.drainBackgroundCompiles()  // time the final code (docs/cache.md, "Compile tiers")
            return loaded
        }
        if entry.kernel != nil {
            let (kernel, positional, result) = try firstKernelCall(entry, arguments)
            let firstMs = Double(Self.now() - start) / 1e6
            JIT.drainBackgroundCompiles()  // time the final code (docs/cache.md, "Compile tiers")
            _ = try kernel.callAll(positional)  // warm-up
            let call = { _ = try kernel.callAll(positional) }
            return (Loaded(call: call, out: result, allocating: call), firstMs)
        }
        let f = try JIT.compile(entry.source, options: options)
        let first = try f.call(arguments, out: nil)
        let firstMs = Double(Self.now() - start) / 1e6
        let out = NDArray(zeros: first.dtype, shape: first.shape)
        JIT.drainBackgroundCompiles()  // time the final code (docs/cache.md, "Compile tiers")
        _ = try f.call(arguments, out: out)  // warm-up into the output that will be timed
        return (Loaded(call: { _ = try f.call(arguments, out: out) }, out: out,
                       allocating: { _ = try f.call(arguments, out: nil) }), firstMs)
    }

    /// Which code the timing about to start runs: "final" when no background compile is pending
    /// or failed (with `SWIFTJIT_TIERS=0` the only code is final), else the quick tier's.
    static func timedTier() -> String {
        let t = JIT.tierStatistics
        return t.pending > 0 ? "quick (final code pending)" : t.failed > 0 ? "quick (final compile failed)" : "final"
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

    /// Times one workload `repetitions` times (or only its first call, in a fresh process) and
    /// returns the JSON reply; `out` receives the result for the caller to check.
    public func oneShot(workload id: String, data: String?, repetitions: Int, firstCallOnly: Bool, out: String?) throws -> [String: Any] {
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
        reply["timed_tier"] = Self.timedTier()
        reply["times_ms"] = try time(loaded, count: repetitions)
        let perCall = try timeBatches(loaded, samples: repetitions)
        reply["median_ns"] = perCall.median
        reply["min_ns"] = perCall.min
        reply["calls_per_sample"] = perCall.batch
        if let out { try NPY.write(loaded.out, to: out) }
        return reply
    }

    /// Prints `object` as one JSON line.
    public func emit(_ object: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// One command per stdin line, one JSON line per answer; errors are answers, not exits.
    public func serve() throws {
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
                        throw BenchError("run: '\(words[1])' is not loaded or bad count")
                    }
                    emit(["ok": true, "times_ms": try time(w, count: k)])
                case ("run-alloc", 3):
                    guard let w = loaded[words[1]], let k = Int(words[2]), k >= 1 else {
                        throw BenchError("run-alloc: '\(words[1])' is not loaded or bad count")
                    }
                    emit(["ok": true, "times_ms": try time(w, count: k, allocating: true)])
                case ("write", 3):
                    guard let w = loaded[words[1]] else { throw BenchError("write: '\(words[1])' is not loaded") }
                    try NPY.write(w.out, to: words[2])
                    emit(["ok": true])
                case ("unload", 2):
                    loaded[words[1]] = nil
                    emit(["ok": true])
                case ("quit", _):
                    emit(["ok": true])
                    return
                default:
                    throw BenchError("unknown command '\(line)'")
                }
            } catch let error as BenchError {
                emit(["ok": false, "error": error.message])
            } catch {
                emit(["ok": false, "error": "\(error)"])
            }
        }
    }
}
