// The reference workloads timed in-process (`swiftjit bench` without --json/--serve): each
// expression against a memcpy of the same size as a bandwidth reference, out= against allocating
// calls (with and without the buffer cache) and without streaming stores, plus the cost of a first
// compile and of a cached one. Prints a table.
import Dispatch
import Foundation
import SwiftJIT
import TestData

/// The in-process benchmark table of `swiftjit bench`.
public struct ReferenceBench {
    /// Timed runs per workload.
    public var repetitions: Int
    /// Every workload's size is multiplied by this factor.
    public var sizeScale: Double
    /// The floating-point mode of every compiled expression.
    public var math: MathMode

    /// A benchmark of `repetitions` runs per workload at `sizeScale` times the reference sizes.
    public init(repetitions: Int = 20, sizeScale: Double = 1, math: MathMode = .relaxed) {
        self.repetitions = repetitions
        self.sizeScale = sizeScale
        self.math = math
    }

    struct Workload {
        var name: String
        var source: String
        var arguments: [String: any JITArgument]
        var n: Int
    }

    func scaled(_ n: Int) -> Int { max(1, Int((Double(n) * sizeScale).rounded())) }

    /// Runs every workload and prints the table.
    public func run() throws {
        let options = JIT.Options(mathMode: math)
        var random = SeededRandom(seed: 20240601)

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
            let (streaming, automatic) = (StreamingStores.threshold, StreamingStores.automatic)
            StreamingStores.threshold = Int.max
            let direct = try JIT.compile("(\(w.source))", options: options)
            _ = try direct.call(w.arguments, out: out)  // plan prepared without streaming stores
            StreamingStores.threshold = streaming
            StreamingStores.automatic = automatic
            let allocating = try JIT.compile("((\(w.source)))", options: options)
            // Time the final code: the quick tier's is replaced once the background compiles are done
            // (docs/cache.md, "Compile tiers").
            JIT.drainBackgroundCompiles()
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
