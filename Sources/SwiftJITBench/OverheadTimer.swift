// The timer behind `swiftjit overhead`: per-call overhead of a cached expression, thread scaling of
// the reference workloads, and the serial/parallel crossover sweep used to pick
// `Parallel.serialThreshold`.
// Medians over repeated timed runs after a warm-up, release build (see scripts/bench-overhead).
import Dispatch
import Foundation
import SwiftJIT

/// The timings of `swiftjit overhead`, by section.
public struct OverheadTimer {
    /// Sections to run: overhead, kernel, scaling, crossover.
    public var sections: Set<String>
    /// Element counts for the overhead section.
    public var sizes: [Int]
    /// Thread counts for scaling; the largest is crossover's parallel count.
    public var threads: [Int]
    /// Timed runs per measurement.
    public var repetitions: Int
    /// Overhead and kernel sections: one JSON object instead of text.
    public var json: Bool

    /// A timer for `sections` (the defaults are `swiftjit overhead`'s).
    public init(sections: Set<String> = ["overhead", "scaling"], sizes: [Int] = [10, 1000, 10000], threads: [Int] = [1, 2],
                repetitions: Int = 21, json: Bool = false) {
        self.sections = sections
        self.sizes = sizes
        self.threads = threads
        self.repetitions = repetitions
        self.json = json
    }

    /// Runs the chosen sections and prints their results.
    public func run() throws {
        if sections.contains("overhead") { try overhead() }
        if sections.contains("kernel") { try kernelOverhead() }
        if sections.contains("scaling") { try scaling(threads) }
        if sections.contains("crossover") { try crossover(threads.max() ?? 2) }
    }

    func ramp(_ n: Int, _ scale: Double = 1e-3) -> NDArray {
        NDArray((0..<n).map { Double($0 % 1000) * scale - 0.5 }, shape: [n])
    }

    /// Median seconds of `body` over repetitions (after one warm-up), each run timing `inner` calls.
    func median(inner: Int = 1, _ body: () throws -> Void) rethrows -> Double {
        try body()
        var times: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<inner { try body() }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(inner))
        }
        times.sort()
        return times[times.count / 2]
    }

    func format(_ s: Double) -> String {
        s < 1e-6 ? String(format: "%.0f ns", s * 1e9)
            : s < 1e-3 ? String(format: "%.2f us", s * 1e6) : String(format: "%.3f ms", s * 1e3)
    }

    func overhead() throws {
        let f = try JIT.compile("x*2.0 + 1.0")
        if !json { print("per-call time of 'x*2.0 + 1.0' (threads \(JIT.numThreads)):") }
        var rows: [String] = []
        for n in sizes {
            let x = ramp(n), out = NDArray(zeros: .float64, shape: [n])
            let inner = max(1, 200_000 / max(n, 100))
            let positional = try median(inner: inner) { _ = try f.call(x, out: out) }
            let named = try median(inner: inner) { _ = try f.call(["x": x], out: out) }
            let allocating = try median(inner: inner) { _ = try f.call(x) }
            let eval = try median(inner: inner) { _ = try JIT.evaluate("x*2.0 + 1.0", ["x": x], out: out) }
            let g = try f.typed(NDArray.self, into: NDArray.self)
            let typed = try median(inner: inner) { try g(x, out: out) }
            if json {
                rows.append("\"\(n)\": {\"positional\": \(positional), \"named\": \(named), \"allocating\": \(allocating), \"evaluate\": \(eval), \"typed\": \(typed)}")
            } else {
                print("  n=\(n): call(x, out:) \(format(positional))  call([\"x\": x], out:) \(format(named))  call(x) \(format(allocating))  JIT.evaluate(out:) \(format(eval))  typed(x, out:) \(format(typed))")
            }
        }
        if json { print("{\"threads\": \(JIT.numThreads), \"seconds\": {\(rows.joined(separator: ", "))}}") }
    }

    /// Per-call time of small kernels (their call overhead) through `k(...)` and the typed entry
    /// point: one reading x[0] of a 10-element array, one adding 1.0 to a scalar.
    func kernelOverhead() throws {
        let k = try JIT.kernel("kernel first(x: f64[]) -> f64 {\n    return x[0] + 1.0\n}", name: "first")
        let x = ramp(10)
        let dynamic = try median(inner: 20_000) { _ = try k(x) }
        let typedFirst = try k.typed(NDArray.self, returning: Double.self)
        let typed = try median(inner: 200_000) { _ = try typedFirst(x) }
        let s = try JIT.kernel("kernel add1(x: f64) -> f64 {\n    return x + 1.0\n}", name: "add1")
        let scalarDynamic = try median(inner: 20_000) { _ = try s(2.5) }
        let typedAdd = try s.typed(Double.self, returning: Double.self)
        let scalarTyped = try median(inner: 200_000) { _ = try typedAdd(2.5) }
        if json {
            print("{\"kernel_call\": \(dynamic), \"kernel_typed\": \(typed), \"scalar_kernel_call\": \(scalarDynamic), \"scalar_kernel_typed\": \(scalarTyped)}")
        } else {
            print("per-call time of a kernel returning x[0] + 1.0: k(x) \(format(dynamic)), typed \(format(typed))")
            print("per-call time of a kernel returning x + 1.0 (scalar): k(x) \(format(scalarDynamic)), typed \(format(scalarTyped))")
        }
    }

    func workloads() throws -> [(String, () throws -> Void)] {
        let n = 300_000
        let x = ramp(n, 6e-3)
        let w1 = try JIT.compile("A*exp(-(x-x0)**2/(2*w**2))")
        let out1 = NDArray(zeros: .float64, shape: [n])
        let a3 = NDArray((0..<100).map { 1 + Double($0) / 100 }, shape: [100, 1])
        let x03 = NDArray((0..<100).map { Double($0) / 100 - 0.5 }, shape: [100, 1])
        let w3 = NDArray((0..<100).map { 0.5 + Double($0) / 100 }, shape: [100, 1])
        let x3 = x.reshaped([1, n])
        let out3 = NDArray(zeros: .float64, shape: [100, n])
        let w6 = try JIT.compile("sin(a**2)*exp(b)")
        let a6 = ramp(1_000_000).reshaped([1000, 1000]), b6 = ramp(1_000_000, 2e-3).reshaped([1000, 1000])
        let out6 = NDArray(zeros: .float64, shape: [1000, 1000])
        let s = ramp(1 << 24)
        let sum = try JIT.compile("sum(s)")
        return [
            ("W1 n=300000", { _ = try w1.call(["A": 1.0, "x": x, "x0": 0.0, "w": 1.0], out: out1) }),
            ("W3 (100,1)x(1,300000)", { _ = try w1.call(["A": a3, "x": x3, "x0": x03, "w": w3], out: out3) }),
            ("W6 1000x1000", { _ = try w6.call(["a": a6, "b": b6], out: out6) }),
            ("sum 2^24", { _ = try sum.call(["s": s]) }),
        ]
    }

    func scaling(_ counts: [Int]) throws {
        print("median time per call (threads: \(counts.map(String.init).joined(separator: ", "))):")
        for (name, body) in try workloads() {
            var times: [Double] = []
            for t in counts {
                JIT.numThreads = t
                times.append(try median(body))
            }
            let speedups = times.count > 1 ? "  speed-up \(String(format: "%.2f", times[0] / times.last!))x" : ""
            print("  \(name): " + times.map(format).joined(separator: " / ") + speedups)
        }
    }

    func crossover(_ t: Int) throws {
        let cheap = try JIT.compile("a*b + c"), costly = try JIT.compile("A*exp(-(x-x0)**2/(2*w**2))")
        let threshold = Parallel.serialThreshold
        defer { Parallel.serialThreshold = threshold }
        Parallel.serialThreshold = 0
        print("n: 'a*b + c' 1 thread / \(t) threads | W1 1 thread / \(t) threads")
        for n in [1024, 2048, 4096, 8192, 12288, 16384, 24576, 32768, 65536, 131072] {
            let a = ramp(n), b = ramp(n, 2e-3), c = ramp(n, 3e-3), out = NDArray(zeros: .float64, shape: [n])
            let inner = max(1, 2_000_000 / n)
            var row: [Double] = []
            for threads in [1, t] {
                JIT.numThreads = threads
                row.append(try median(inner: inner) { _ = try cheap.call(["a": a, "b": b, "c": c], out: out) })
            }
            for threads in [1, t] {
                JIT.numThreads = threads
                row.append(try median(inner: inner) {
                    _ = try costly.call(["A": 1.0, "x": a, "x0": 0.0, "w": 1.0], out: out)
                })
            }
            print("  \(n): \(format(row[0])) / \(format(row[1])) | \(format(row[2])) / \(format(row[3]))")
        }
    }
}
