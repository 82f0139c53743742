import Foundation
import SwiftJIT
import XCTest

/// Throughput of the math functions (elements per ns): SwiftJIT relaxed/fast/strict, where strict
/// is glibc's scalar libm called from the JITted loop. Runs only with SWIFTJIT_THROUGHPUT=1
/// (scripts/throughput runs it and adds NumPy); prints one line per function and type. The JITted
/// code is optimised the same in debug and release builds of the package.
final class VectorMathThroughputTests: XCTestCase {
    /// The vectorisable functions of the builtin table (`pow` is the `power` row, `x**y`).
    static let functions = Builtins.all.filter { $0.vector != nil }.map { $0.id == .power ? "pow" : $0.name }

    static func domain(_ name: String) -> (Double, Double) {
        switch name {
        case "log", "log2", "log10": return (1e-3, 1e3)
        case "log1p": return (-0.9, 10)
        case "arcsin", "arccos", "arctanh": return (-0.99, 0.99)
        case "arccosh": return (1, 100)
        case "exp", "exp2", "exp10", "expm1", "sinh", "cosh": return (-20, 20)
        case "pow": return (0.1, 10)
        default: return (-10, 10)
        }
    }

    /// CPU time of the calling thread in ns (one thread runs the loop): on a busy machine it
    /// counts only the time this thread ran, unlike the wall clock.
    static func threadTime() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec)
    }

    /// Median of `repeat` runs of `body`, in ns of thread CPU time.
    static func time(_ repeats: Int = 15, _ body: () throws -> Void) rethrows -> Double {
        try body()
        var ts: [Double] = []
        for _ in 0..<repeats {
            let t0 = threadTime()
            try body()
            ts.append(threadTime() - t0)
        }
        return ts.sorted()[ts.count / 2]
    }

    func testThroughputTable() throws {
        guard ProcessInfo.processInfo.environment["SWIFTJIT_THROUGHPUT"] == "1" else {
            throw XCTSkip("set SWIFTJIT_THROUGHPUT=1 (scripts/throughput)")
        }
        let n = Int(ProcessInfo.processInfo.environment["SWIFTJIT_THROUGHPUT_N"] ?? "") ?? 1_000_000
        let only = ProcessInfo.processInfo.environment["SWIFTJIT_THROUGHPUT_FUNCTIONS"].map { Set($0.split(separator: ",").map(String.init)) }
        JIT.numThreads = 1
        print("THROUGHPUT n=\(n) (elements/ns of thread CPU time, single thread, median)")
        print("THROUGHPUT function type relaxed fast strict")
        for name in Self.functions where only?.contains(name) ?? true {
            let (lo, hi) = Self.domain(name)
            let xs = (0..<n).map { lo + (hi - lo) * Double($0) / Double(n) }
            // Second argument: pow's exponent in [-5, 5), arctan2's x falling from 10 to -10.
            let ys = (0..<n).map { name == "pow" ? -5 + 10 * Double($0) / Double(n) : -10 + 20 * Double(n - 1 - $0) / Double(n) }
            let expression = name == "pow" ? "x**y" : name == "arctan2" ? "arctan2(x, y)" : "\(name)(x)"
            for wide in [true, false] {
                let x: NDArray = wide ? NDArray(xs) : NDArray(xs.map { Float($0) })
                let y: NDArray = wide ? NDArray(ys) : NDArray(ys.map { Float($0) })
                let args = expression.contains("y") ? ["x": x, "y": y] : ["x": x]
                let out = NDArray(zeros: wide ? .float64 : .float32, shape: [n])
                var line = "THROUGHPUT \(name) \(wide ? "f64" : "f32")"
                for mode in [MathMode.relaxed, .fast, .strict] {
                    let f = try JIT.compile(expression, options: JIT.Options(mathMode: mode))
                    let ns = try Self.time { _ = try f.call(args, out: out) }
                    line += String(format: " %.3f", Double(n) / ns)
                }
                print(line)
            }
        }
    }
}
