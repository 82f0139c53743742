// Allocating calls against `out:` calls over result sizes from 4 KiB to 128 MiB (issue 16).
//
//   swift run -c release alloc-sweep [--rounds N] [--target-ms T] [--sizes 4K,64K,...] [--only CASE] [--clock cpu|wall] [--markdown]
//   swift run -c release alloc-sweep --parts [--sizes 4K,16K]
//
// In: nothing (inputs are made here). Out: one row per case and result size with the median time
// of the allocating call, of the `out:` call doing the same work, and their ratio, as a table (or a
// Markdown table with --markdown). Steady state, as users write it: `y = f(x)` in a loop, each
// result released before the next call, so the buffer cache (`BufferCache`) serves it.
//
// Cases (each pair does the same arithmetic; only where the result comes from differs):
// - expr: `f.call(["x": x])` against `f.call(["x": x], out: y)` for `x*2.5 + 1`, and the same
//   with keyword arguments, `f(x: x)` against `f(x: x, out: y)`;
// - kernel empty_like: a kernel that allocates and returns `empty_like(x)` against one writing
//   into a caller's array;
// - kernel zeros: `zeros(len(x))` accumulated into, against the same kernel clearing the caller's
//   array itself;
// - kernel return: a kernel returning the whole-array expression `x*2.5 + 1` (an array the kernel
//   allocates), against the loop writing into a caller's array;
// - Swift NDArray: `NDArray(uninitialized:shape:)` made in Swift per call and filled by `out:`,
//   against a preallocated one; and the same made with `NDArray(uninitialized:count:)` (no shape
//   array from the caller).
// Both calls of a pair alternate within each round (batches of about --target-ms), so drift on a
// shared machine falls on both. "alloc / out:" is the ratio of the two medians; "paired" the median
// of each round's own ratio (its two batches ran back to back), which drift between rounds does not
// move: on the 2-vCPU VM the first swung by 0.92-1.16 from run to run for 1 µs calls.
//
// --parts times, instead, what an `NDArray` made in Swift costs, in ns (the least of --rounds
// batches of 200,000): made and dropped, made and kept (the 1000 newest live at a time: arrays
// that are not reused), its shape array alone, a storage object from
// `ArrayStorage`'s public initializer alone (which the optimizer may keep on the stack), the buffer
// cache's acquire and release alone, and the `out:` call with a fresh array against one made and
// dropped beside a reused `out:`. With --parts, --only STEP times only the steps whose name starts
// with STEP (for `perf record`).
import CJITSupport
import Foundation
import SwiftJIT

var rounds = 11
var targetMs = 40.0
var sizeNames = ["2K", "4K", "8K", "16K", "64K", "256K", "1M", "4M", "16M", "64M", "128M"]
var markdown = false
var parts = false
nonisolated(unsafe) var cpuClock = false  // set once, before any timing
var only: String?
var argv = Array(CommandLine.arguments.dropFirst())
func usage(_ message: String) -> Never {
    FileHandle.standardError.write(Data("alloc-sweep: \(message)\nusage: alloc-sweep [--rounds N] [--target-ms T] [--sizes 4K,64K,1M,128M] [--only CASE] [--clock cpu|wall] [--markdown] [--parts]\n".utf8))
    exit(2)
}
while !argv.isEmpty {
    let a = argv.removeFirst()
    switch a {
    case "--rounds":
        guard let v = argv.first.flatMap({ Int($0) }), v >= 1 else { usage("--rounds needs a count >= 1") }
        rounds = v; argv.removeFirst()
    case "--target-ms":
        guard let v = argv.first.flatMap({ Double($0) }), v > 0 else { usage("--target-ms needs a positive number") }
        targetMs = v; argv.removeFirst()
    case "--sizes":
        guard let v = argv.first else { usage("--sizes needs a list such as 4K,1M,128M") }
        sizeNames = v.split(separator: ",").map(String.init); argv.removeFirst()
    case "--markdown": markdown = true
    case "--parts": parts = true
    case "--clock":
        guard let v = argv.first, v == "cpu" || v == "wall" else { usage("--clock takes cpu or wall") }
        cpuClock = v == "cpu"; argv.removeFirst()
    case "--only":
        guard let v = argv.first else { usage("--only needs a case name prefix, such as kernel") }
        only = v; argv.removeFirst()
    case "-h", "--help":
        print("usage: alloc-sweep [--rounds N] [--target-ms T] [--sizes 4K,64K,1M,128M] [--only CASE] [--clock cpu|wall] [--markdown] [--parts]"); exit(0)
    default: usage("unknown option '\(a)'")
    }
}

/// "4K" -> 4096, "128M" -> 134217728.
func bytes(_ name: String) -> Int? {
    let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
    guard let last = name.last else { return nil }
    if let unit = units[last], let v = Int(name.dropLast()), v > 0 { return v * unit }
    return Int(name).flatMap { $0 > 0 ? $0 : nil }
}
let sizes: [(String, Int)] = sizeNames.map { name in
    guard let b = bytes(name), b >= 8 else { usage("not a size: '\(name)'") }
    return (name, b)
}

let kernels = try JIT.kernels("""
    kernel alloc_empty(x: f64[]) -> f64[] {
        let y = empty_like(x)
        for i in 0..<len(x) { y[i] = x[i] * 2.5 + 1 }
        return y
    }
    kernel into(x: f64[], y: f64[]) {
        for i in 0..<len(x) { y[i] = x[i] * 2.5 + 1 }
    }
    kernel alloc_zeros(x: f64[]) -> f64[] {
        let y = zeros(len(x))
        for i in 0..<len(x) { y[i] += x[i] * 2.5 }
        return y
    }
    kernel returned(x: f64[]) -> f64[] {
        return x * 2.5 + 1
    }
    kernel into_cleared(x: f64[], y: f64[]) {
        for i in 0..<len(x) { y[i] = 0.0 }
        for i in 0..<len(x) { y[i] += x[i] * 2.5 }
    }
    """)
let allocEmpty = try kernels.kernel("alloc_empty"), into = try kernels.kernel("into")
let allocZeros = try kernels.kernel("alloc_zeros"), intoCleared = try kernels.kernel("into_cleared")
let returned = try kernels.kernel("returned")
let expr = try JIT.compile("x*2.5 + 1")

/// Nanoseconds of the clock in use: the calling thread's CPU time with --clock cpu (user and
/// system, so page faults count, but time spent waiting for a CPU that other processes hold does
/// not: at one thread every call runs on this thread), else the monotonic wall clock.
func now() -> UInt64 {
    guard cpuClock else { return DispatchTime.now().uptimeNanoseconds }
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

/// Milliseconds per call of `body` over `count` calls.
func batch(_ count: Int, _ body: () throws -> Void) rethrows -> Double {
    let t0 = now()
    for _ in 0..<count { try body() }
    return Double(now() - t0) / 1e6 / Double(count)
}

func median(_ v: [Double]) -> Double {
    let s = v.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

struct Row { var what: String; var size: String; var alloc: Double; var out: Double; var paired: Double }
var rows: [Row] = []

if parts {
    // Not generic: a generic one went through value witnesses, which cost as much as the storage.
    @inline(never) func keep(_ a: NDArray) { withExtendedLifetime(a) {} }
    @inline(never) func keep(_ s: ArrayStorage) { withExtendedLifetime(s) {} }
    @inline(never) func keep(_ s: [Int]) { withExtendedLifetime(s) {} }
    for (name, byteCount) in sizes {
        let n = byteCount / 8
        let x = NDArray((0..<n).map { Double($0 % 1000) * 0.001 }), y = NDArray(uninitialized: .float64, shape: [n])
        var kept: [NDArray] = []
        kept.reserveCapacity(1000)
        let steps: [(String, () throws -> Void)] = [
            ("NDArray(uninitialized:) made and dropped", { keep(NDArray(uninitialized: .float64, shape: [n])) }),
            ("NDArray(uninitialized:count:) made and dropped", { keep(NDArray(uninitialized: .float64, count: n)) }),
            ("NDArray(uninitialized:) made, 1000 kept", {
                kept.append(NDArray(uninitialized: .float64, shape: [n]))
                if kept.count == 1000 { kept.removeAll(keepingCapacity: true) }
            }),
            ("shape array [n] alone", { keep([n]) }),
            ("ArrayStorage(uninitializedBytes:) alone", { keep(ArrayStorage(uninitializedBytes: byteCount)) }),
            ("buffer cache acquire + release", { sj_buffer_release(sj_buffer_acquire(byteCount, 0)) }),
            ("buffer cache acquire + release by size", { sj_buffer_release_sized(sj_buffer_acquire_sized(byteCount, 0), byteCount) }),
            ("call, out: reused y", { _ = try expr.call(["x": x], out: y) }),
            ("call, out: fresh NDArray", { _ = try expr.call(["x": x], out: NDArray(uninitialized: .float64, shape: [n])) }),
            ("fresh NDArray dropped + call, out: y", {
                keep(NDArray(uninitialized: .float64, shape: [n]))
                _ = try expr.call(["x": x], out: y)
            }),
        ]
        for (what, body) in steps where only.map({ what.hasPrefix($0) }) ?? true {
            for _ in 0..<1000 { try body() }
            var best = Double.infinity
            for _ in 0..<rounds { best = min(best, try batch(200_000, body)) }
            print("\(what.padding(toLength: 48, withPad: " ", startingAt: 0)) \(name.leftPad(6)) \(String(format: "%8.1f", best * 1e6)) ns")
        }
    }
    exit(0)
}

for (name, byteCount) in sizes {
    let n = byteCount / 8
    let x = NDArray((0..<n).map { Double($0 % 1000) * 0.001 })
    let y = NDArray(uninitialized: .float64, shape: [n])
    let cases: [(String, () throws -> Void, () throws -> Void)] = [
        ("expr x*2.5+1", { _ = try expr.call(["x": x]) }, { _ = try expr.call(["x": x], out: y) }),
        ("expr f(x: x)", { _ = try expr(x: x) }, { _ = try expr(x: x, out: y) }),
        ("kernel empty_like", { _ = try allocEmpty(x) }, { _ = try into(x, y) }),
        ("kernel zeros", { _ = try allocZeros(x) }, { _ = try intoCleared(x, y) }),
        ("kernel return", { _ = try returned(x) }, { _ = try into(x, y) }),
        ("Swift NDArray + out:", {
            let z = NDArray(uninitialized: .float64, shape: [n])
            _ = try expr.call(["x": x], out: z)
        }, { _ = try expr.call(["x": x], out: y) }),
        ("Swift NDArray(count:) + out:", {
            let z = NDArray(uninitialized: .float64, count: n)
            _ = try expr.call(["x": x], out: z)
        }, { _ = try expr.call(["x": x], out: y) }),
    ]
    for (what, alloc, out) in cases where only.map({ what.hasPrefix($0) }) ?? true {
        // Check the pair computes the same thing, then warm up (compile, fill the cache).
        try out()
        let want = y.doubles
        var got: NDArray?
        switch what {
        case "expr x*2.5+1": got = try expr.call(["x": x])
        case "expr f(x: x)": got = try expr(x: x)
        case "kernel empty_like": got = try allocEmpty(x)
        case "kernel zeros": got = try allocZeros(x)
        case "kernel return": got = try returned(x)
        default: got = nil
        }
        if let got, got.doubles != want {
            FileHandle.standardError.write(Data("alloc-sweep: \(what) at \(name): the allocating call's result differs\n".utf8))
            exit(1)
        }
        got = nil
        for _ in 0..<3 { try alloc(); try out() }
        // Time the final code, not the quick tier's, and without its compile running beside.
        JIT.drainBackgroundCompiles()
        for _ in 0..<3 { try alloc(); try out() }
        let single = max(try batch(1, alloc), try batch(1, out), 1e-6)
        let count = max(1, min(100_000, Int(targetMs / single)))
        var a: [Double] = [], o: [Double] = []
        for r in 0..<rounds {
            if r % 2 == 0 {
                a.append(try batch(count, alloc)); o.append(try batch(count, out))
            } else {
                o.append(try batch(count, out)); a.append(try batch(count, alloc))
            }
        }
        rows.append(Row(what: what, size: name, alloc: median(a), out: median(o),
                        paired: median(zip(a, o).map { $0 / $1 })))
    }
}

let header = ["case", "result", "alloc ms", "out: ms", "alloc / out:", "paired"]
func fmt(_ v: Double) -> String { v < 0.01 ? String(format: "%.5f", v) : v < 1 ? String(format: "%.4f", v) : String(format: "%.3f", v) }
if markdown {
    print("| " + header.joined(separator: " | ") + " |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows {
        print("| \(r.what) | \(r.size) | \(fmt(r.alloc)) | \(fmt(r.out)) | \(String(format: "%.2f", r.alloc / r.out)) | \(String(format: "%.2f", r.paired)) |")
    }
} else {
    print(header[0].padding(toLength: 22, withPad: " ", startingAt: 0) + header.dropFirst().map { $0.leftPad(12) }.joined())
    for r in rows {
        print(r.what.padding(toLength: 22, withPad: " ", startingAt: 0) + r.size.leftPad(12) + fmt(r.alloc).leftPad(12)
              + fmt(r.out).leftPad(12) + String(format: "%.2f", r.alloc / r.out).leftPad(12)
              + String(format: "%.2f", r.paired).leftPad(10))
    }
}
let worst = rows.max { $0.alloc / $0.out < $1.alloc / $1.out }
let worstPaired = rows.max { $0.paired < $1.paired }
if let worst, let worstPaired {
    print("worst alloc / out: \(String(format: "%.2f", worst.alloc / worst.out)) (\(worst.what), \(worst.size)); worst paired "
          + "\(String(format: "%.2f", worstPaired.paired)) (\(worstPaired.what), \(worstPaired.size)); LLVM \(JIT.loadedLLVM.map { "\($0.major).\($0.minor)" } ?? "?"), buffer cache limit \(BufferCache.limit >> 20) MiB")
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? " " + self : String(repeating: " ", count: width - count) + self }
}
