// The kernel workloads of WORKLOADS.md (W3 as a loop, W4, W8-W11, W13, W14), each a kernel
// source in this folder, run at the workload's size and checked against plain Swift
// (References.swift). Prints PASS/FAIL with the largest error, the median time of a call and
// the first compilation's time; exits 1 on any FAIL.
//
//   swift run -c release examples [--repeat N] [--only W4,W8,...] [--small]
//
// 'compile ms' is parsing the source plus compiling the kernel for its declared types (the
// first call's extra cost); 'first call ms' is compile plus one call. The error is
// max |got - want| / (|want| + 1e-3 max|want|) over the elements (integers: elements that
// differ, allowed up to 0.1% for Mandelbrot, whose chaotic points may flip under FMA
// contraction).
import Foundation
import SwiftJIT

struct Outcome {
    var id: String
    var what: String
    var error: Double
    var tolerance: Double
    var medianMs: Double
    var compileMs: Double
    var firstCallMs: Double
    var cached = false
    var note = ""
    var passed: Bool { error <= tolerance }
}

var repetitions = 20
var only: Set<String>?
var small = false
/// --no-bounds-checks compiles the kernels without index and divisor checks (to measure their cost).
nonisolated(unsafe) var boundsChecks = true
var argv = Array(CommandLine.arguments.dropFirst())
while !argv.isEmpty {
    let a = argv.removeFirst()
    switch a {
    case "--repeat":
        guard let v = argv.first.flatMap({ Int($0) }), v >= 1 else { print("--repeat needs a count >= 1"); exit(2) }
        repetitions = v
        argv.removeFirst()
    case "--only":
        guard let v = argv.first else { print("--only needs ids, e.g. W4,W10-64"); exit(2) }
        only = Set(v.split(separator: ",").map(String.init))
        argv.removeFirst()
    case "--small":
        small = true
    case "--no-bounds-checks":
        boundsChecks = false
    case "-h", "--help":
        print("usage: examples [--repeat N] [--only W3,W4,W8,W9,W10-10,W10-64,W10-256,W11,W11seeded,W13,W14,W14half] [--small] [--no-bounds-checks]")
        exit(0)
    default:
        print("examples: unknown option '\(a)'")
        exit(2)
    }
}

/// Times `body` `repetitions` times (at least 3, stopping after ~3 s); milliseconds each.
@MainActor func measure(_ body: () throws -> Void) rethrows -> [Double] {
    var times: [Double] = []
    var total = 0.0
    while times.count < repetitions && (times.count < 3 || total < 3000) {
        let start = now()
        try body()
        times.append(milliseconds(since: start))
        total += times.last!
    }
    return times
}

/// Compiles, calls once (timed with the compile), checks, then times further calls.
@MainActor func run(_ id: String, _ what: String, file: String, kernel name: String, _ arguments: [any JITArgument],
         tolerance: Double, check: (NDArray) -> (Double, String)) throws -> Outcome {
    let start = now()
    let loaded = try loadKernel(file, name)
    let first = try loaded.kernel.callAll(arguments)[0]
    let firstMs = milliseconds(since: start)
    let (error, note) = check(first)
    let times = try measure { _ = try loaded.kernel.callAll(arguments) }
    return Outcome(id: id, what: what, error: error, tolerance: tolerance, medianMs: median(times),
                   compileMs: loaded.compileMs, firstCallMs: firstMs, cached: !loaded.compiled, note: note)
}

func arrayError(_ got: [Double], _ want: [Double]) -> Double {
    let scale = want.filter(\.isFinite).map(abs).max() ?? 1
    return maxRelativeError(got, want, floor: 1e-3 * scale)
}

func scalarError(_ got: NDArray, _ want: Double) -> (Double, String) {
    let g = got.doubles.first ?? .nan
    return (got.shape == [] ? abs(g - want) / max(abs(want), 1e-300) : .infinity, "value \(g)")
}

var random = ExampleRandom(seed: 20240601)
var outcomes: [Outcome] = []
var failures: [String] = []

@MainActor func attempt(_ id: String, _ body: () throws -> Outcome) {
    guard only == nil || only!.contains(id) else { return }
    // Each workload's data from its own seed, so --only does not change it.
    random = ExampleRandom(seed: id.utf8.reduce(20240601) { $0 &* 31 &+ UInt64($1) })
    do {
        let o = try body()
        outcomes.append(o)
        print(line(o))
    } catch {
        failures.append(id)
        print("FAIL \(id): \(error)")
    }
}

func line(_ o: Outcome) -> String {
    func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }
    func num(_ x: Double, _ f: String = "%.3f") -> String { String(format: f, x) }
    return pad(o.passed ? "PASS" : "FAIL", 5) + pad(o.id, 10) + pad(o.what, 50)
        + "err " + pad(num(o.error, "%.2e"), 10) + "median " + pad(num(o.medianMs) + " ms", 13)
        + "compile " + pad(num(o.compileMs, "%.1f") + (o.cached ? " ms*" : " ms"), 11) + "first call " + num(o.firstCallMs, "%.1f") + " ms"
        + (o.note.isEmpty ? "" : "  (\(o.note))")
}

print("SwiftJIT kernel examples\(small ? " (small sizes)" : ""): repeat \(repetitions)")

// W3: 100 Gaussians on 300,000 points, as a loop.
attempt("W3") {
    let n = small ? 3000 : 300_000, k = 100
    let x = linspace(-10, 10, n)
    let A = (0..<k).map { _ in random.normal(5, 2) }
    let x0 = (0..<k).map { _ in random.uniform() }
    let w = (0..<k).map { _ in abs(random.uniform()) }
    let want = Reference.gaussians(x: x, A: A, x0: x0, w: w)
    return try run("W3", "100 Gaussians -> 100 x \(n) (loop)", file: "gaussians.sj", kernel: "gaussians",
                   [x, A, x0, w], tolerance: 1e-10) { r in
        (r.shape == [k, n] ? arrayError(r.doubles, want) : .infinity, "")
    }
}

// W4: ragged sum of atan over 2^24 values.
attempt("W4") {
    let total = small ? 1 << 16 : 1 << 24
    let jind = Inputs.ragged(&random, total: total)
    let X = (0..<total).map { _ in random.uniform() }
    let want = Reference.raggedSum(X: X, jind: jind)
    return try run("W4", "ragged sum of atan, \(total) values, \(jind.count - 1) rows", file: "ragged_sum.sj",
                   kernel: "ragged_sum", [X, jind], tolerance: 1e-8) { scalarError($0, want) }
}

// W8: Mandelbrot 500 x 500 over [-2, 2]^2, 50 iterations.
attempt("W8") {
    let n = small ? 100 : 500, maxit = 50
    let grid = linspace(-2, 2, n)
    let want = Reference.mandelbrot(cr: grid, ci: grid, maxit: maxit)
    return try run("W8", "Mandelbrot \(n) x \(n), \(maxit) iterations", file: "mandelbrot.sj", kernel: "mandelbrot",
                   [grid, grid, Int64(maxit)], tolerance: 1e-3) { r in
        guard r.shape == [n, n] else { return (.infinity, "shape \(r.shape)") }
        let differ = zip(r.toArray(Int64.self), want).filter { $0 != $1 }.count
        return (Double(differ) / Double(want.count), "\(differ) of \(want.count) counts differ")
    }
}

// W9: a + trace(tanh(a)), a = arange(10000) as 100 x 100.
attempt("W9") {
    let a = (0..<10_000).map(Double.init)
    let want = Reference.addTrace(a, rows: 100, cols: 100)
    return try run("W9", "a + sum(tanh(diag(a))), 100 x 100", file: "trace.sj", kernel: "add_trace",
                   [NDArray(a, shape: [100, 100])], tolerance: 1e-12) { r in
        (r.shape == [100, 100] ? arrayError(r.doubles, want) : .infinity, "")
    }
}

// W10: LU elimination, n = 10, 64, 256.
for n in [10, 64, 256] {
    attempt("W10-\(n)") {
        let m = Inputs.dominant(&random, n: n)
        let want = Reference.luPivotProduct(m, n: n)
        return try run("W10-\(n)", "LU without pivoting, product of pivots, n=\(n)", file: "lu.sj",
                       kernel: "lu_pivot_product", [NDArray(m, shape: [n, n])], tolerance: 1e-10) { scalarError($0, want) }
    }
}

// W11: Metropolis, 1500 samples, proposals and uniforms given (the benchmark's layout) ...
let data: [Double] = {
    var r = ExampleRandom(seed: 11)
    return (0..<20).map { _ in r.normal() }
}()
attempt("W11") {
    let eps = (0..<1500).map { _ in random.normal(0, 0.5) }
    let u = (0..<1500).map { _ in random.uniform() }
    let want = Reference.metropolis(data: data, eps: eps, u: u)
    return try run("W11", "Metropolis, 1500 samples, 20 data", file: "metropolis.sj", kernel: "metropolis",
                   [data, eps, u], tolerance: 1e-12) { r in
        let got = r.doubles
        let accepted = zip(got.dropFirst(), got).filter { $0 != $1 }.count
        return (arrayError(got, want), "\(accepted) moves, mean \(String(format: "%.3f", got.reduce(0, +) / Double(got.count)))")
    }
}
// ... and drawing them from the kernel's seeded generator (checked against its Swift port).
attempt("W11seeded") {
    let want = Reference.metropolisSeeded(data: data, n: 1500, seed: 42)
    return try run("W11seeded", "Metropolis, seeded kernel generator", file: "metropolis.sj",
                   kernel: "metropolis_seeded", [data, Int64(1500), Int64(42)], tolerance: 1e-12) { r in
        (arrayError(r.doubles, want), "")
    }
}

// W13: the bump finder on 10,000 rows of 4,000 float32.
attempt("W13") {
    let rows = small ? 200 : 10_000, n = 4000, k = 32
    let x = Inputs.bumps(&random, rows: rows, n: n)
    let want = Reference.pvLocations(x, rows: rows, n: n, threshold: 1, integralThreshold: 3, minWidth: 3, k: k)
    return try run("W13", "bump finder, \(rows) x \(n) f32", file: "bumps.sj", kernel: "pv_locations",
                   [NDArray(x, shape: [rows, n]), 1.0, 3.0, Int64(3), Int64(k)], tolerance: 1e-10) { r in
        guard r.shape == [rows, k] else { return (.infinity, "shape \(r.shape)") }
        let found = want.filter { !$0.isNaN }.count
        return (arrayError(r.doubles, want), "\(found) bumps")
    }
}

// W14: the ragged log-likelihood over 2^22 values.
attempt("W14") {
    let total = small ? 1 << 16 : 1 << 22
    let jind = Inputs.ragged(&random, total: total)
    let mu = (0..<(jind.count - 1)).map { _ in random.uniform(1, 2) }
    let I0 = (0..<total).map { _ in random.uniform(1, 2) }
    var I = [Double](repeating: 0, count: total)
    for i in 0..<(jind.count - 1) {
        for j in Int(jind[i])..<Int(jind[i + 1]) { I[j] = mu[i] * I0[j] + random.normal(0, 0.1) }
    }
    let want = Reference.logLikelihood(I: I, I0: I0, mu: mu, jind: jind, c0: 0.1, c1: 0.5)
    return try run("W14", "ragged log-likelihood, \(total) values", file: "loglik.sj", kernel: "loglik",
                   [I, I0, mu, jind, 0.1, 0.5], tolerance: 1e-8) { scalarError($0, want) }
}

// W14 with c1 = 0.5 written into the kernel (the benchmark's version).
attempt("W14half") {
    let total = small ? 1 << 16 : 1 << 22
    let jind = Inputs.ragged(&random, total: total)
    let mu = (0..<(jind.count - 1)).map { _ in random.uniform(1, 2) }
    let I0 = (0..<total).map { _ in random.uniform(1, 2) }
    var I = [Double](repeating: 0, count: total)
    for i in 0..<(jind.count - 1) {
        for j in Int(jind[i])..<Int(jind[i + 1]) { I[j] = mu[i] * I0[j] + random.normal(0, 0.1) }
    }
    let want = Reference.logLikelihood(I: I, I0: I0, mu: mu, jind: jind, c0: 0.1, c1: 0.5)
    return try run("W14half", "ragged log-likelihood, c1 = 0.5 literal", file: "loglik.sj", kernel: "loglik_half",
                   [I, I0, mu, jind, 0.1], tolerance: 1e-8) { scalarError($0, want) }
}

if outcomes.contains(where: \.cached) {
    print("* no LLVM compilation: the engine's cache (in memory, or the object cache on disk) already held this kernel")
}
let failed = outcomes.filter { !$0.passed }.map(\.id) + failures
print(failed.isEmpty ? "all \(outcomes.count) passed" : "FAILED: \(failed.joined(separator: ", "))")
exit(failed.isEmpty ? 0 : 1)
