// `swiftjit bench --json --workload W9 | W10-n | W15-n`: the workloads whose whole run is a few
// microseconds, timed through the typed entry points (Kernel.typed, CompiledExpression.typed),
// with inputs generated here when no --data folder is given. Per-call medians come from batches
// of calls, so the clock's own cost (tens of ns) does not swamp calls of tens of ns.
import Dispatch
import SwiftJIT
import TestData

extension BenchHarness {
    /// The workloads whose inputs `generatedInputs` makes (the formulas of scripts/bench_peers.py).
    public static let generated = "W9, W10-n, W15-n"

    /// Whether `generatedInputs` can make the inputs of workload `id` (no --data needed).
    public static func canGenerate(_ id: String) -> Bool {
        (id == "W9" || id.hasPrefix("W10-") || id.hasPrefix("W15-")) && workloads[id] != nil
    }

    /// W9: a = arange(10000) as 100 x 100; W10-n: uniform(0, 1)/n + eye(n); W15-n: a, b ~ U(0, 1).
    static func generatedInputs(_ id: String) throws -> [String: any JITArgument] {
        var random = SeededRandom(seed: 20240601)
        if id == "W9" { return ["a": NDArray((0..<10_000).map(Double.init), shape: [100, 100])] }
        if id.hasPrefix("W10-"), let n = Int(id.dropFirst(4)) {
            let m = (0..<n * n).map { k in random.uniform() / Double(n) + (k / n == k % n ? 1 : 0) }
            return ["M": NDArray(m, shape: [n, n])]
        }
        if id.hasPrefix("W15-"), let n = Int(id.dropFirst(4)) {
            return ["a": NDArray((0..<n).map { _ in random.uniform() }), "b": NDArray((0..<n).map { _ in random.uniform() })]
        }
        throw BenchError("no generated inputs for '\(id)' (give --data)")
    }

    /// Loads a typed workload: its entry point made (compiled) and called once.
    func typedLoad(_ entry: Entry, _ arguments: [String: any JITArgument], start: UInt64) throws -> (Loaded, firstCallMs: Double) {
        func array(_ name: String) throws -> NDArray {
            guard let a = arguments[name] as? NDArray else { throw BenchError("workload input '\(name)' is missing") }
            return a
        }
        guard let name = entry.kernel else {
            // W15: an elementwise expression of two arrays into a preallocated output.
            let f = try JIT.compile(entry.source, options: options)
            let g = try f.typed(NDArray.self, NDArray.self, into: NDArray.self)
            let a = try array(f.parameterNames[0]), b = try array(f.parameterNames[1])
            let out = NDArray(zeros: .float64, shape: a.shape)
            try g(a, b, out: out)
            let firstMs = Double(Self.now() - start) / 1e6
            let call: () throws -> Void = { try g(a, b, out: out) }
            return (Loaded(call: call, out: out, allocating: call), firstMs)
        }
        let kernel = try JIT.kernels(try Self.kernelSource(entry), name: entry.source, options: options).kernel(name)
        let a = try array(entry.order[0])
        if entry.order.count == 1, let returns = try kernel.compileDeclared()?.kernel.returnTypes, returns.first?.isArray == true {
            // W9: returns a new array.
            let f = try kernel.typed(NDArray.self, returning: NDArray.self)
            let result = try f(a)
            let firstMs = Double(Self.now() - start) / 1e6
            let call: () throws -> Void = { _ = try f(a) }
            return (Loaded(call: call, out: result, allocating: call), firstMs)
        }
        // W10: returns a scalar.
        let f = try kernel.typed(NDArray.self, returning: Double.self)
        let result = NDArray(scalar: try f(a))
        let firstMs = Double(Self.now() - start) / 1e6
        let call: () throws -> Void = { _ = try f(a) }
        return (Loaded(call: call, out: result, allocating: call), firstMs)
    }

    /// Per-call nanoseconds from `samples` timed batches of calls, each batch about 200 us long.
    func timeBatches(_ w: Loaded, samples: Int) throws -> (median: Double, min: Double, batch: Int) {
        let probeStart = Self.now()
        for _ in 0..<10 { try w.call() }
        let estimate = max(1.0, Double(Self.now() - probeStart) / 10)
        let batch = max(1, min(1_000_000, Int(200_000 / estimate)))
        var perCall: [Double] = []
        for _ in 0..<samples {
            let start = Self.now()
            for _ in 0..<batch { try w.call() }
            perCall.append(Double(Self.now() - start) / Double(batch))
        }
        perCall.sort()
        let median = perCall.count % 2 == 1 ? perCall[perCall.count / 2]
            : (perCall[perCall.count / 2 - 1] + perCall[perCall.count / 2]) / 2
        return (median, perCall[0], batch)
    }
}
