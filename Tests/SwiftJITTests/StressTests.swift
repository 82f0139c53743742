import Foundation
import JITRuntime
import SwiftJIT
import XCTest

/// 8 threads of mixed compile-and-call operations on shared and distinct expressions and kernels,
/// with the expression cache small enough to evict all the time; every result is checked.
/// `swift test` runs 300 operations per thread; `scripts/stress` runs 10,000
/// (`SWIFTJIT_STRESS_OPS`) and prints the figures recorded in docs/reliability.md.
final class StressTests: XCTestCase {
    static let threads = 8
    static var operationsPerThread: Int {
        ProcessInfo.processInfo.environment["SWIFTJIT_STRESS_OPS"].flatMap(Int.init) ?? 300
    }

    /// Expressions every thread compiles and calls, with their reference.
    static let shared: [(String, @Sendable (Double, Double) -> Double)] = [
        ("x*(1+x*(1+x))", { x, _ in x * (1 + x * (1 + x)) }),
        ("where(x > y, x - y, y - x)", { x, y in x > y ? x - y : y - x }),
        ("2*x + 3*y - 1", { x, y in 2 * x + 3 * y - 1 }),
        ("maximum(x, y) * 4", { x, y in max(x, y) * 4 }),
        ("(x + y) // 3", { x, y in ((x + y) / 3).rounded(.down) }),
        ("abs(x - 7) + floor(y / 2)", { x, y in abs(x - 7) + (y / 2).rounded(.down) }),
    ]

    static let sharedKernelSource = """
    kernel total(x: f64[]) -> f64 {
        var s = 0.0
        parallel for i in 0..<len(x) { s += x[i] }
        return s
    }
    kernel scaled(x: f64[], k: f64) -> f64[] {
        let out = empty(len(x))
        for i in 0..<len(x) { out[i] = x[i] * k }
        return out
    }
    """

    /// Disk-cache writes in the mix: called for one operation in 16 with the thread number and
    /// operation index. The test sets it to store an entry in the engine's own disk cache (a
    /// small temporary one, so eviction runs too) and read it back.
    nonisolated(unsafe) static var diskCacheWrite: ((Int, Int) throws -> Void)?

    struct Figures {
        var operations = 0, expressionCalls = 0, kernelCalls = 0, distinctTexts = 0, diskCacheWrites = 0
        mutating func add(_ o: Figures) {
            operations += o.operations; expressionCalls += o.expressionCalls; kernelCalls += o.kernelCalls
            distinctTexts += o.distinctTexts; diskCacheWrites += o.diskCacheWrites
        }
    }

    func testMixedCompileAndCallFromEightThreads() throws {
        let saved = JIT.expressionCacheCapacity
        JIT.expressionCacheCapacity = 64
        defer { JIT.expressionCacheCapacity = saved }
        // The engine compiles through a small disk cache meanwhile: every miss writes an object
        // file, and entries written by the operations below push its size over the cap.
        let savedDisk = Engine.shared.diskCache
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sj-stress-\(UUID().uuidString)")
        let disk = DiskCache(directory: folder, sizeLimit: 256 << 10)
        Engine.shared.diskCache = disk
        Self.diskCacheWrite = { thread, op in
            let key = "stress thread \(thread) entry \(op % 40)"
            let object = (0..<(1024 + op % 4096)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ thread &+ op) }
            disk.store(key: key, object: object)
            // Another thread may have evicted it meanwhile; what comes back must be exactly it.
            if let back = disk.load(key: key), back != object {
                throw JITError.argument("disk cache returned other bytes for '\(key)'")
            }
        }
        defer {
            Self.diskCacheWrite = nil
            Engine.shared.diskCache = savedDisk
            try? FileManager.default.removeItem(at: folder)
        }
        let ops = Self.operationsPerThread
        let evictionsBefore = JIT.expressionCacheStatistics.evictions
        let compilationsBefore = JIT.llvmCompilations
        let sharedKernels = try JIT.kernels(Self.sharedKernelSource)
        let results = Results()
        let start = Date()
        DispatchQueue.concurrentPerform(iterations: Self.threads) { thread in
            var rng = SplitMix(seed: UInt64(thread) &* 0x9E37_79B9 &+ 1)
            var mine = Figures()
            var errors: [String] = []
            for op in 0..<ops {
                do {
                    try Self.operation(thread: thread, op: op, rng: &rng, kernels: sharedKernels, figures: &mine)
                } catch {
                    errors.append("thread \(thread) op \(op): \(error)")
                }
            }
            results.add(mine, errors)
        }
        JIT.drainBackgroundCompiles()  // final codes of expressions and kernels compile in the background
        let (figures, failures) = (results.figures, results.failures)
        let seconds = Date().timeIntervalSince(start)
        let evictions = JIT.expressionCacheStatistics.evictions - evictionsBefore
        let compilations = JIT.llvmCompilations - compilationsBefore
        print(String(format: "stress: %d threads x %d operations in %.1f s (%.0f ops/s): %d expression calls, "
                     + "%d kernel calls, %d distinct expression texts, %d cache evictions, %d LLVM compilations, "
                     + "%d disk-cache writes, %d failures",
                     Self.threads, ops, seconds, Double(figures.operations) / seconds, figures.expressionCalls,
                     figures.kernelCalls, figures.distinctTexts, evictions, compilations, figures.diskCacheWrites,
                     failures.count))
        XCTAssertTrue(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(5))")
        XCTAssertEqual(figures.operations, Self.threads * ops)
        XCTAssertGreaterThan(evictions, 0, "the stress test must exercise eviction")
        XCTAssertGreaterThan(figures.diskCacheWrites, 0)
        XCTAssertEqual(disk.verify().count, 0, "every disk-cache entry left is valid")
        _ = disk.evict()
        XCTAssertLessThanOrEqual(disk.files().reduce(0) { $0 + $1.size }, disk.sizeLimit)
    }

    /// One operation, chosen at random; throws on a wrong result.
    static func operation(thread: Int, op: Int, rng: inout SplitMix, kernels: KernelModule,
                          figures: inout Figures) throws {
        figures.operations += 1
        let n = 1 + Int(rng.next() % 300)
        let x = (0..<n).map { _ in Double(Int(rng.next() % 41) - 20) }
        let y = (0..<n).map { _ in Double(Int(rng.next() % 41) - 20) }
        switch rng.next() % 16 {
        case 0...5:  // a shared expression
            let (text, reference) = shared[Int(rng.next() % UInt64(shared.count))]
            let r = try JIT.evaluate(text, ["x": x, "y": y])
            try check(r.doubles, zip(x, y).map(reference), text)
            figures.expressionCalls += 1
        case 6...8:  // a distinct text: new spelling of one of 16 constants (evicts; same code)
            let k = Int(rng.next() % 16)
            let spaces = String(repeating: " ", count: Int(rng.next() % 512))
            let text = "x *\(spaces)\(k) + y"
            let r = try JIT.evaluate(text, ["x": x, "y": y])
            try check(r.doubles, zip(x, y).map { $0 * Double(k) + $1 }, "x*\(k)+y")
            figures.expressionCalls += 1
            figures.distinctTexts += 1
        case 9:  // another dtype: a new signature of a shared expression
            let xi = x.map { Int32($0) }
            let r = try JIT.compile("2*x + 3*y - 1").call(["x": xi, "y": Int32(5)])
            try check(r.doubles, xi.map { Double(2 * $0 + 14) }, "2*x + 3*y - 1 (i32)")
            figures.expressionCalls += 1
        case 10, 11:  // the shared kernels
            let total = try kernels.kernel("total")(x)
            try check(total.doubles, [x.reduce(0, +)], "total")
            let k = Double(rng.next() % 9)
            let s = try kernels.kernel("scaled")(x, k)
            try check(s.doubles, x.map { $0 * k }, "scaled")
            figures.kernelCalls += 2
        case 12, 13:  // a distinct kernel source (one of 8 programs, so the engine compiles 8)
            let k = Int(rng.next() % 8)
            let source = "# thread \(thread), operation \(op)\nkernel shift(x: f64[]) -> f64 {\n var s = 0.0\n for i in 0..<len(x) { s += x[i] + \(k) }\n return s\n}"
            let r = try JIT.kernels(source).kernel("shift")(x)
            try check(r.doubles, [x.reduce(0) { $0 + $1 + Double(k) }], "shift \(k)")
            figures.kernelCalls += 1
        case 14:  // an expression error must stay an error
            do {
                _ = try JIT.evaluate("x + (", ["x": x])
                throw StressFailure(message: "a syntax error compiled")
            } catch is JITError {}
            figures.expressionCalls += 1
        default:  // disk-cache writes (issue 8): see `diskCacheWrite`
            if let write = diskCacheWrite {
                try write(thread, op)
                figures.diskCacheWrites += 1
            } else {
                let r = try JIT.evaluate("x - y", ["x": x, "y": y])
                try check(r.doubles, zip(x, y).map { $0 - $1 }, "x - y")
                figures.expressionCalls += 1
            }
        }
    }

    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var figures = Figures()
        private(set) var failures: [String] = []
        func add(_ f: Figures, _ errors: [String]) {
            lock.lock(); defer { lock.unlock() }
            figures.add(f)
            failures += errors
        }
    }

    struct StressFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static func check(_ got: [Double], _ want: [Double], _ what: String) throws {
        guard got == want else {
            throw StressFailure(message: "\(what): got \(got.prefix(4))..., want \(want.prefix(4))...")
        }
    }
}

/// A small seeded generator (SplitMix64) so a failing thread can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
