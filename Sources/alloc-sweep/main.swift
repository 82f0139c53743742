// Allocating calls against `out:` calls over result sizes from 4 KiB to 128 MiB (issue 16).
//
//   swift run -c release alloc-sweep [--rounds N] [--target-ms T] [--sizes 4K,64K,...] [--only CASE] [--clock cpu|wall] [--markdown|--tsv]
//   swift run -c release alloc-sweep --parts [--sizes 4K,16K]
//   swift run -c release alloc-sweep --placement [--sizes 4K,32K]
//
// In: nothing (inputs are made here). Out: one row per case and result size with the median time
// of the allocating call, of the `out:` call doing the same work, and their ratio, as a table (or a
// Markdown table with --markdown, or tab-separated rows with --tsv for scripts/bench-alloc-sweep
// to combine several processes). Steady state, as users write it: `y = f(x)` in a loop, each
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
// move: on the 2-vCPU VM the first swung by 0.92-1.16 from run to run for 1 µs calls. "least" is
// the ratio of the two least batches: interference from other processes only adds time, so the
// least batch is the closest to the call's own cost.
//
// --parts times, instead, what an `NDArray` made in Swift costs, in ns (the least of --rounds
// batches of 20,000, every step once per round): made and dropped, made and kept (the 1000 newest
// live at a time: arrays that are not reused), its shape array alone, a storage object from
// `ArrayStorage`'s public initializer alone (which the optimizer may keep on the stack), the buffer
// cache's acquire and release alone, and the `out:` call into: a reused array, an array made once
// here (not by the plan), that array beside a fresh one made and dropped, a fresh array, and a
// fresh zeroed one. With --parts, --only STEP times only the steps whose name starts with STEP
// (for `perf record`).
//
// --placement times the `out:` call alone with the output placed at several distances from the
// input modulo 4 KiB (both inside one page-aligned block, so nothing else moves): the least of
// --rounds batches per distance, and the ratio to the best distance. It measures what the
// allocating and `out:` calls above may differ by only because their outputs land elsewhere.
import CJITSupport
import Foundation
import SwiftJIT

var rounds = 11
var targetMs = 40.0
var sizeNames = ["2K", "4K", "8K", "16K", "64K", "256K", "1M", "4M", "16M", "64M", "128M"]
var markdown = false
var tsv = false
var parts = false
var placement = false
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
    case "--tsv": tsv = true
    case "--parts": parts = true
    case "--placement": placement = true
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

struct Row { var what: String; var size: String; var alloc: Double; var out: Double; var paired: Double; var least: Double }
var rows: [Row] = []

// Not generic: a generic one went through value witnesses, which cost as much as the storage. At
// file scope: declared inside the top-level code they were main-actor functions, and each call
// checked the executor (swift_task_isCurrentExecutor, 8-12 ns of a 72 ns step).
@inline(never) func keep(_ a: NDArray) { withExtendedLifetime(a) {} }
@inline(never) func keep(_ s: ArrayStorage) { withExtendedLifetime(s) {} }
@inline(never) func keep(_ s: [Int]) { withExtendedLifetime(s) {} }

if placement {
    // Distances (output - input) modulo 4 KiB, in bytes: the store and load streams line up in
    // their low 12 address bits when the distance is 0 or a little under 4096 (a store shortly
    // before a load of an address 4 KiB away), and are far apart at 2048.
    let distances = [0, 64, 128, 256, 512, 1024, 2048, 3072, 3840, 3968, 4032]
    print("placement: out: call x*2.5+1, ns (least of \(rounds) batches), output at input + k*4 KiB + distance")
    for (name, byteCount) in sizes {
        let n = byteCount / 8
        let pages = (byteCount + 4095) / 4096
        let block = UnsafeMutableRawPointer.allocate(byteCount: (2 * pages + 4) * 4096, alignment: 4096)
        defer { block.deallocate() }
        let xPointer = block.bindMemory(to: Double.self, capacity: n)
        for i in 0..<n { xPointer[i] = Double(i % 1000) * 0.001 }
        let x = NDArray(wrapping: UnsafeMutableBufferPointer(start: xPointer, count: n))
        // Every round times every distance once, so a slow phase of a shared machine falls on all.
        let outputs = distances.map { d in
            NDArray(wrapping: UnsafeMutableBufferPointer(
                start: (block + (pages + 1) * 4096 + d).bindMemory(to: Double.self, capacity: n), count: n))
        }
        for y in outputs { for _ in 0..<1000 { _ = try expr.call(["x": x], out: y) } }
        JIT.drainBackgroundCompiles()
        var best = [Double](repeating: .infinity, count: distances.count)
        for _ in 0..<rounds {
            for (i, y) in outputs.enumerated() {
                best[i] = min(best[i], try batch(5_000) { _ = try expr.call(["x": x], out: y) })
            }
        }
        let row = zip(distances, best.map { $0 * 1e6 }).map { ($0, $1) }
        let least = row.map(\.1).min() ?? 1
        for (d, ns) in row {
            print("\(name.leftPad(6)) distance \(String(d).leftPad(5)) \(String(format: "%8.1f", ns)) ns \(String(format: "%5.2f", ns / least))")
        }
    }
    exit(0)
}

if parts {
    for (name, byteCount) in sizes {
        let n = byteCount / 8
        let x = NDArray((0..<n).map { Double($0 % 1000) * 0.001 }), y = NDArray(uninitialized: .float64, shape: [n])
        var kept: [NDArray] = []
        let w = NDArray(uninitialized: .float64, count: n)
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
            ("call, out: premade w", { _ = try expr.call(["x": x], out: w) }),
            ("call, out: premade w + fresh dropped", { keep(NDArray(uninitialized: .float64, count: n)); _ = try expr.call(["x": x], out: w) }),
            ("call, out: zeroed fresh NDArray", { _ = try expr.call(["x": x], out: NDArray(zeros: .float64, count: n)) }),
            ("call, out: fresh NDArray", { _ = try expr.call(["x": x], out: NDArray(uninitialized: .float64, shape: [n])) }),
            ("call, out: fresh z (sweep's closure)", {
                let z = NDArray(uninitialized: .float64, count: n)
                _ = try expr.call(["x": x], out: z)
            }),
            ("fresh NDArray dropped + call, out: y", {
                keep(NDArray(uninitialized: .float64, shape: [n]))
                _ = try expr.call(["x": x], out: y)
            }),
        ]
        // Every round times every step once (a slow phase of a shared machine falls on all of
        // them; timed one step after another, the same call moved by 20 % between steps).
        let chosen = steps.filter { only.map($0.0.hasPrefix) ?? true }
        for (_, body) in chosen { for _ in 0..<1000 { try body() } }
        JIT.drainBackgroundCompiles()
        var best = [Double](repeating: .infinity, count: chosen.count)
        for _ in 0..<rounds {
            for (i, (_, body)) in chosen.enumerated() { best[i] = min(best[i], try batch(20_000, body)) }
        }
        for ((what, _), b) in zip(chosen, best) {
            print("\(what.padding(toLength: 48, withPad: " ", startingAt: 0)) \(name.leftPad(6)) \(String(format: "%8.1f", b * 1e6)) ns")
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
                        paired: median(zip(a, o).map { $0 / $1 }), least: a.min()! / o.min()!))
    }
}

let header = ["case", "result", "alloc ms", "out: ms", "alloc / out:", "paired", "least"]
func fmt(_ v: Double) -> String { v < 0.01 ? String(format: "%.5f", v) : v < 1 ? String(format: "%.4f", v) : String(format: "%.3f", v) }
if tsv {
    // case, size, alloc ms, out: ms, paired, least (no header; the script names the columns).
    for r in rows { print([r.what, r.size, "\(r.alloc)", "\(r.out)", "\(r.paired)", "\(r.least)"].joined(separator: "\t")) }
    exit(0)
}
if markdown {
    print("| " + header.joined(separator: " | ") + " |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows {
        print("| \(r.what) | \(r.size) | \(fmt(r.alloc)) | \(fmt(r.out)) | \(String(format: "%.2f", r.alloc / r.out)) | \(String(format: "%.2f", r.paired)) | \(String(format: "%.2f", r.least)) |")
    }
} else {
    print(header[0].padding(toLength: 22, withPad: " ", startingAt: 0) + header.dropFirst().map { $0.leftPad(12) }.joined())
    for r in rows {
        print(r.what.padding(toLength: 22, withPad: " ", startingAt: 0) + r.size.leftPad(12) + fmt(r.alloc).leftPad(12)
              + fmt(r.out).leftPad(12) + String(format: "%.2f", r.alloc / r.out).leftPad(12)
              + String(format: "%.2f", r.paired).leftPad(10) + String(format: "%.2f", r.least).leftPad(8))
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
