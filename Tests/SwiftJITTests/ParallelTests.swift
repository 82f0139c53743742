import Dispatch
import Foundation
import SwiftJIT
import XCTest

/// Multi-threaded execution: results independent of the thread count, concurrent and nested calls.
final class ParallelTests: XCTestCase {
    override func tearDown() {
        Parallel.resetThreadCount()
        super.tearDown()
    }

    private func ramp(_ n: Int, _ scale: Double = 1e-3, _ shift: Double = 0.5) -> [Double] {
        (0..<n).map { Double(($0 &* 7919) % 10007) * scale - shift }
    }

    private func bits(_ a: NDArray) -> [UInt64] { a.doubles.map { $0.bitPattern } }

    private func withThreads<R>(_ t: Int, _ body: () throws -> R) rethrows -> R {
        JIT.numThreads = t
        defer { Parallel.resetThreadCount() }
        return try body()
    }

    func testThreadCountSetting() {
        XCTAssertGreaterThanOrEqual(Parallel.availableCores, 1)
        JIT.numThreads = 3
        XCTAssertEqual(JIT.numThreads, 3)
        JIT.numThreads = 0
        XCTAssertEqual(JIT.numThreads, 1)
        Parallel.resetThreadCount()
        XCTAssertEqual(JIT.numThreads, Parallel.defaultThreadCount)
        XCTAssertEqual(Parallel.parseCPUMax("max 100000"), nil)
        XCTAssertEqual(Parallel.parseCPUMax("150000 100000"), 2)
        XCTAssertEqual(Parallel.parseCPUMax("200000 100000\n"), 2)
        XCTAssertEqual(Parallel.parseCPUMax("50000 100000"), 1)
    }

    func testThreadCountIsNotPartOfTheCacheKey() throws {
        let x = ramp(100_000)
        _ = try withThreads(1) { try JIT.evaluate("x*3.5 - 1.25", ["x": x]) }
        JIT.drainBackgroundCompiles()  // a leftover second-tier kernel compile would count
        let before = JIT.cacheMisses
        _ = try withThreads(2) { try JIT.evaluate("x*3.5 - 1.25", ["x": x]) }
        _ = try withThreads(5) { try JIT.evaluate("x*3.5 - 1.25", ["x": x]) }
        XCTAssertEqual(JIT.cacheMisses, before)
    }

    func testLargeElementwiseMatchesOneThread() throws {
        // Odd lengths, so the last range of a split row has a scalar tail.
        let n = 300_001
        let x = ramp(n, 6e-4)
        let w1 = "A*exp(-(x-x0)**2/(2*w**2))"
        let args: [String: any JITArgument] = ["A": 1.0, "x": x, "x0": 0.1, "w": 0.9]
        let serial = try withThreads(1) { try JIT.evaluate(w1, args) }
        for t in [2, 3, 4, 7] {
            let r = try withThreads(t) { try JIT.evaluate(w1, args) }
            XCTAssertEqual(bits(r), bits(serial), "threads \(t)")
        }
        // Broadcast rows (W3-like) and a 2-D case with short rows.
        let a = NDArray((0..<40).map { 1 + Double($0) / 40 }, shape: [40, 1])
        let xr = NDArray(ramp(20_011, 3e-4), shape: [1, 20_011])
        let serial2 = try withThreads(1) { try JIT.evaluate("a*exp(-(x-a)**2)", ["a": a, "x": xr]) }
        let short = NDArray(ramp(50_000 * 3), shape: [50_000, 3])
        let col = NDArray([1.0, 2.0, 3.0], shape: [3])
        let serial3 = try withThreads(1) { try JIT.evaluate("sin(m)*c + m", ["m": short, "c": col]) }
        for t in [2, 4] {
            let r2 = try withThreads(t) { try JIT.evaluate("a*exp(-(x-a)**2)", ["a": a, "x": xr]) }
            XCTAssertEqual(r2.shape, [40, 20_011])
            XCTAssertEqual(bits(r2), bits(serial2), "threads \(t)")
            let r3 = try withThreads(t) { try JIT.evaluate("sin(m)*c + m", ["m": short, "c": col]) }
            XCTAssertEqual(bits(r3), bits(serial3), "threads \(t)")
        }
        // Spot-check values against Foundation.
        for i in stride(from: 0, to: n, by: 9_973) {
            let e = exp(-(x[i] - 0.1) * (x[i] - 0.1) / (2 * 0.81))
            XCTAssertEqual(serial.doubles[i], e, accuracy: 1e-12)
        }
    }

    func testOutAndInPlaceAreThreadSafe() throws {
        let n = 200_003
        let x = NDArray(ramp(n))
        let expected = try withThreads(1) { try JIT.evaluate("x*x + 1", ["x": x]) }
        let out = NDArray(zeros: .float64, shape: [n])
        _ = try withThreads(2) { try JIT.evaluate("x*x + 1", ["x": x], out: out) }
        XCTAssertEqual(bits(out), bits(expected))
        // out is also the input, read at the place it is written.
        _ = try withThreads(2) { try JIT.evaluate("x*x + 1", ["x": out], out: out) }
        let twice = try withThreads(1) { try JIT.evaluate("x*x + 1", ["x": expected]) }
        XCTAssertEqual(bits(out), bits(twice))
    }

    func testReductionsAreBitIdenticalAtEveryThreadCount() throws {
        let n = (1 << 20) + 7
        let x = ramp(n, 1.37e-3, 3.1)
        let m = NDArray(ramp(300 * 1000), shape: [300, 1000])
        let tall = NDArray(ramp(70_000 * 2), shape: [70_000, 2])
        let cases: [(String, [String: any JITArgument])] = [
            ("sum(x)", ["x": x]), ("sum(x*x - 0.5)", ["x": x]), ("prod(1 + x*1e-7)", ["x": x]),
            ("max(x)", ["x": x]), ("min(x)", ["x": x]),
            ("sum(m, axis=0)", ["m": m]), ("sum(m, axis=1)", ["m": m]), ("sum(m)", ["m": m]),
            ("sum(t, axis=1)", ["t": tall]), ("sum(t, axis=0)", ["t": tall]),
            ("x - sum(x)/4", ["x": x]),
        ]
        for (source, args) in cases {
            let serial = try withThreads(1) { try JIT.evaluate(source, args) }
            for t in [2, 3, 4, 8] {
                let r = try withThreads(t) { try JIT.evaluate(source, args) }
                XCTAssertEqual(r.shape, serial.shape, source)
                XCTAssertEqual(bits(r), bits(serial), "\(source) at \(t) threads")
            }
        }
        // The result is the pairwise sum of the 4096-element blocks: close to the exact sum.
        let exact = x.reduce(0.0, +)
        let s = try JIT.evaluate("sum(x)", ["x": x]).doubles[0]
        XCTAssertEqual(s, exact, accuracy: abs(exact) * 1e-12)
        // Integers are exact.
        let ints = (0..<Int64(1 << 20)).map { $0 % 1000 - 500 }
        let isum = try withThreads(2) { try JIT.evaluate("sum(i)", ["i": ints]) }
        XCTAssertEqual(isum.toArray(Int64.self), [ints.reduce(0, +)])
    }

    func testFixedThreadCountIsDeterministic() throws {
        let x = ramp(1 << 19, 2.3e-3, 1.7)
        let first = try withThreads(2) { try JIT.evaluate("sum(exp(x)*x)", ["x": x]) }
        for _ in 0..<10 {
            let r = try withThreads(2) { try JIT.evaluate("sum(exp(x)*x)", ["x": x]) }
            XCTAssertEqual(bits(r), bits(first))
        }
    }

    func testConcurrentCallsFromManyThreads() throws {
        let sources = ["A*exp(-(x-x0)**2/(2*w**2))", "sin(x)**2 + cos(x)**2 - x", "sum(x*x) + x", "x*3 - 1"]
        let inputs = (0..<4).map { ramp(120_000 + 1_001 * $0, 1e-3 * Double($0 + 1)) }
        // Compiled first and their final code swapped in (docs/cache.md, "Compile tiers"): in
        // relaxed mode the quick tier's bits may differ from the final code's.
        for i in 0..<4 {
            let args: [String: any JITArgument] = ["A": 2.0, "x": inputs[i], "x0": 0.25, "w": 1.5]
            _ = try JIT.evaluate(sources[i], args)
        }
        JIT.drainBackgroundCompiles()
        var expected: [[UInt64]] = []
        for i in 0..<8 {
            let args: [String: any JITArgument] = ["A": 2.0, "x": inputs[i % 4], "x0": 0.25, "w": 1.5]
            expected.append(bits(try withThreads(1) { try JIT.evaluate(sources[i % 4], args) }))
        }
        JIT.numThreads = 2
        let results = ResultBox(count: 8 * 6)
        let done = DispatchGroup()
        for i in 0..<8 {
            done.enter()
            Thread {
                for round in 0..<6 {
                    let args: [String: any JITArgument] = ["A": 2.0, "x": inputs[i % 4], "x0": 0.25, "w": 1.5]
                    let r = try? JIT.evaluate(sources[i % 4], args)
                    // A closure, not `\.bitPattern`: a key path is looked up per element behind a
                    // runtime lock in debug builds, which under ThreadSanitizer made 8 threads take minutes.
                    results.set(i * 6 + round, r.map { $0.doubles.map { $0.bitPattern } })
                }
                done.leave()
            }.start()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 120), .success)
        for i in 0..<8 {
            for round in 0..<6 {
                XCTAssertEqual(results.get(i * 6 + round), expected[i], "thread \(i) round \(round)")
            }
        }
    }

    func testNestedParallelCalls() throws {
        let x = ramp(150_000, 2e-3)
        let serial = try withThreads(1) { try JIT.evaluate("exp(-x*x) + sum(x)", ["x": x]) }
        JIT.numThreads = 2
        let results = ResultBox(count: 6)
        // A user's own parallel region calling SwiftJIT.
        DispatchQueue.concurrentPerform(iterations: 6) { i in
            let r = try? JIT.evaluate("exp(-x*x) + sum(x)", ["x": x])
            results.set(i, r.map { $0.doubles.map { $0.bitPattern } })
        }
        for i in 0..<6 { XCTAssertEqual(results.get(i), bits(serial)) }
        // SwiftJIT called from inside a SwiftJIT parallel region runs serially there.
        let inner = ResultBox(count: 4)
        Parallel.forEach(items: 4, threads: 2) { i in
            XCTAssertTrue(Parallel.isInsideRegion)
            XCTAssertEqual(Parallel.threadsFor(elements: 1 << 24), 1)
            let r = try? JIT.evaluate("exp(-x*x) + sum(x)", ["x": x])
            inner.set(i, r.map { $0.doubles.map { $0.bitPattern } })
        }
        XCTAssertFalse(Parallel.isInsideRegion)
        for i in 0..<4 { XCTAssertEqual(inner.get(i), bits(serial)) }
    }

    func testForEachRunsEveryItemOnce() {
        for (items, threads) in [(0, 2), (1, 4), (7, 2), (1000, 3), (5, 16)] {
            let seen = ResultBox(count: items)
            Parallel.forEach(items: items, threads: threads) { i in
                XCTAssertNil(seen.get(i))
                seen.set(i, [UInt64(i)])
            }
            for i in 0..<items { XCTAssertEqual(seen.get(i), [UInt64(i)]) }
        }
    }
}

/// Results written by several threads, one slot each.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[UInt64]??]

    init(count: Int) { slots = Array(repeating: .none, count: count) }

    func set(_ i: Int, _ v: [UInt64]?) { lock.lock(); slots[i] = .some(v); lock.unlock() }
    func get(_ i: Int) -> [UInt64]? { lock.lock(); defer { lock.unlock() }; return slots[i] ?? nil }
    var complete: Bool { lock.lock(); defer { lock.unlock() }; return slots.allSatisfy { $0 != nil } }
}
