// Compile tiers of expressions (docs/cache.md, "Compile tiers"): an expression signature compiled
// now runs quick-tier code until its final code, compiled on the background thread, is swapped
// in; every call path reads the swapped entry. The background queue is held back (`suspend`) so
// that calls are sure to run on the quick code first.
import Foundation
import JITLowering
import XCTest
@testable import JITRuntime
@testable import SwiftJIT

final class ExpressionTierTests: XCTestCase {
    /// An expression never compiled before in this process (an integer constant is not lifted, so
    /// it makes a new key): `x * 2.5 + 1 + i % m` and its value in plain Swift.
    static func fresh() -> (source: String, m: Int) {
        let m = Int.random(in: 1_000...1_000_000_000)
        return ("a * 2.5 + 1.0 + b % \(m)", m)
    }

    static let x = NDArray((0..<1_000).map { Double($0) * 0.37 - 100 })
    static let i = NDArray((0..<1_000).map { Int64($0 * 7919) })

    static func reference(_ m: Int) -> [Double] {
        zip(x.doubles, i.toArray(Int64.self)).map { $0 * 2.5 + 1.0 + Double($1 % Int64(m)) }
    }

    /// Named, positional, out: and typed calls run on the quick code while the final code waits,
    /// then on the final code after it is swapped in; strict mode: the same bits in both tiers,
    /// and the values of plain Swift.
    func testEveryCallPathRunsTheQuickThenTheFinalCode() throws {
        let background = BackgroundCompiler.shared
        background.drain()
        let (source, m) = Self.fresh()
        let want = Self.reference(m)
        let quickBefore = background.statistics.quick, optimizedBefore = background.statistics.optimized
        background.suspend()
        defer { background.drain() }
        let f = try JIT.compile(source, options: JIT.Options(mathMode: .strict))
        let named = try f.call(["a": Self.x, "b": Self.i])
        let spec = try f.specialization(for: [.array(.float64, rank: 1), .array(.int64, rank: 1)])
        XCTAssertFalse(spec.kernel.isOptimized, "compiled by the quick tier; the final code waits in the queue")
        XCTAssertGreaterThan(background.statistics.quick, quickBefore)
        let positional = try f.call(Self.x, Self.i)
        let out = NDArray(zeros: .float64, shape: [1_000])
        _ = try f.call(Self.x, Self.i, out: out)
        let typed = try f.typed(NDArray.self, NDArray.self, into: NDArray.self, dtypes: [.float64, .int64])
        let typedOut = NDArray(zeros: .float64, shape: [1_000])
        try typed(Self.x, Self.i, out: typedOut)
        for r in [named, positional, out, typedOut] { XCTAssertEqual(r.doubles, want) }
        XCTAssertFalse(spec.kernel.isOptimized)

        background.resume()
        JIT.drainBackgroundCompiles()
        XCTAssertTrue(spec.kernel.isOptimized, "the final code is swapped in")
        XCTAssertGreaterThan(background.statistics.optimized, optimizedBefore)
        XCTAssertEqual(try f.call(["a": Self.x, "b": Self.i]).doubles, want)
        XCTAssertEqual(try f.call(Self.x, Self.i).doubles, want)
        try typed(Self.x, Self.i, out: typedOut)
        XCTAssertEqual(typedOut.doubles, want)
    }

    /// Relaxed mode (the default) with builtins: quick and final code agree within the relaxed
    /// mode's bound (a few ulp per operation, docs/reliability.md); NaN and infinities come out the
    /// same in both tiers.
    func testQuickAndFinalCodeAgreeInRelaxedModeWithBuiltinsAndSpecialValues() throws {
        let background = BackgroundCompiler.shared
        background.drain()
        let m = Int.random(in: 1_000...1_000_000_000)
        let source = "sqrt(a) * exp(b / 50) - 1 / a + sin(b) * 3 + c % \(m)"
        var xs = (0..<997).map { Double($0) * 0.5 - 10 }
        xs += [0, -0.0, .infinity]
        let x = NDArray(xs), y = NDArray((0..<1_000).map { Double($0 % 91) - 45 })
        let i = NDArray((0..<1_000).map { Int64($0) })
        background.suspend()
        defer { background.drain() }
        let f = try JIT.compile(source)
        let quick = try f.call(["a": x, "b": y, "c": i]).doubles
        let spec = try f.specialization(for: [.array(.float64, rank: 1), .array(.float64, rank: 1), .array(.int64, rank: 1)])
        XCTAssertFalse(spec.kernel.isOptimized)
        background.resume()
        XCTAssertTrue(spec.kernel.waitForOptimizedCode())
        let final = try f.call(["a": x, "b": y, "c": i]).doubles
        for (k, (q, g)) in zip(quick, final).enumerated() {
            if q.isNaN || g.isNaN {
                XCTAssertTrue(q.isNaN && g.isNaN, "element \(k): \(q) vs \(g)")
            } else if q.isInfinite || g.isInfinite {
                XCTAssertEqual(q, g, "element \(k)")
            } else {
                XCTAssertEqual(q, g, accuracy: 64 * Double.ulpOfOne * max(1, abs(g)), "element \(k)")
            }
        }
        XCTAssertTrue(quick[..<20].contains { $0.isNaN }, "sqrt of negatives is NaN")
    }

    /// Two threads call while the final code is swapped in: every result is right (strict mode:
    /// bit for bit), before, during and after the swap. A reduction of the same kind too.
    func testConcurrentCallsDuringTheSwap() throws {
        let background = BackgroundCompiler.shared
        background.drain()
        let (source, m) = Self.fresh()
        let want = Self.reference(m)
        background.suspend()
        let f = try JIT.compile(source, options: JIT.Options(mathMode: .strict))
        XCTAssertEqual(try f.call(Self.x, Self.i).doubles, want)
        let spec = try f.specialization(for: [.array(.float64, rank: 1), .array(.int64, rank: 1)])
        XCTAssertFalse(spec.kernel.isOptimized)
        final class Counts: @unchecked Sendable {
            let lock = NSLock()
            var quick = 0, final = 0, wrong = 0
        }
        let counts = Counts()
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread {
                var afterSwap = 0
                while afterSwap < 50 {
                    let wasOptimized = spec.kernel.isOptimized
                    let r = (try? f.call(Self.x, Self.i).doubles) ?? []
                    counts.lock.withLock {
                        if wasOptimized { counts.final += 1 } else { counts.quick += 1 }
                        if r != want { counts.wrong += 1 }
                    }
                    if wasOptimized { afterSwap += 1 }
                }
                group.leave()
            }.start()
        }
        while counts.lock.withLock({ counts.quick }) < 20 { usleep(1000) }
        background.resume()
        group.wait()
        JIT.drainBackgroundCompiles()
        XCTAssertTrue(spec.kernel.isOptimized)
        XCTAssertGreaterThanOrEqual(counts.quick, 20, "calls ran on the quick code")
        XCTAssertGreaterThanOrEqual(counts.final, 100)
        XCTAssertEqual(counts.wrong, 0)

        // A reduction is not tiered (its sums keep their bits from the first call on).
        let m2 = Int.random(in: 1_000...1_000_000_000)
        background.suspend()
        let s = try JIT.compile("sum(a * 2.5 + b % \(m2))")
        let first = try s.call(["a": Self.x, "b": Self.i]).doubles[0]
        background.resume()
        JIT.drainBackgroundCompiles()
        XCTAssertEqual(try s.call(["a": Self.x, "b": Self.i]).doubles[0].bitPattern, first.bitPattern)
        let terms = zip(Self.x.doubles, Self.i.toArray(Int64.self)).map { $0 * 2.5 + Double($1 % Int64(m2)) }
        let bound = Double(terms.count) * Double.ulpOfOne * terms.reduce(0) { $0 + abs($1) }
        XCTAssertEqual(first, terms.reduce(0, +), accuracy: bound)
    }

    /// Tiers off: one compile, straight to the final code, nothing queued.
    func testTiersOffCompilesOnce() throws {
        let background = BackgroundCompiler.shared
        background.drain()
        let (source, m) = Self.fresh()
        let f = try JIT.compile(source)
        let function = try f.typedIR(["a": .array(.float64, rank: 1), "b": .array(.int64, rank: 1)]).last!
        let engine = Engine()
        engine.diskCache = nil
        let quickBefore = background.statistics.quick
        var options = JIT.Options().compileOptions
        options.tiers = false
        let k = try engine.kernel(for: function, options: options)
        XCTAssertTrue(k.isOptimized)
        XCTAssertEqual(engine.llvmCompilations, 1)
        XCTAssertEqual(background.statistics.quick, quickBefore)
        XCTAssertEqual(background.statistics.pending, 0)
        // Tiers on, in another engine: a quick compile now, the final one in the background.
        let other = Engine()
        other.diskCache = nil
        options.tiers = true
        let q = try other.kernel(for: function, options: options)
        XCTAssertEqual(background.statistics.quick, quickBefore + 1)
        XCTAssertTrue(q.waitForOptimizedCode())
        XCTAssertEqual(other.llvmCompilations, 1, "the quick tier is not counted")
        _ = m
    }

    /// The disk cache holds only the final code of an expression; a disk hit links it directly.
    func testTheDiskCacheStoresOnlyTheFinalExpressionCode() throws {
        let background = BackgroundCompiler.shared
        background.drain()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("expr-tiers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (source, _) = Self.fresh()
        let function = try JIT.compile(source).typedIR(["a": .array(.float64, rank: 1), "b": .array(.int64, rank: 1)]).last!
        let engine = Engine()
        engine.diskCache = DiskCache(directory: folder)
        var options = JIT.Options().compileOptions
        options.tiers = true
        background.suspend()
        let k = try engine.kernel(for: function, options: options)
        XCTAssertFalse(k.isOptimized)
        XCTAssertEqual(engine.diskCache?.files().count, 0, "the quick tier's object is not stored")
        background.drain()
        XCTAssertTrue(k.isOptimized)
        XCTAssertEqual(engine.diskCache?.files().count, 1)
        let second = Engine()
        second.diskCache = DiskCache(directory: folder)
        let quickBefore = background.statistics.quick
        let g = try second.kernel(for: function, options: options)
        XCTAssertTrue(g.isOptimized, "a disk-cache hit is the final code")
        XCTAssertEqual(second.diskCacheHits, 1)
        XCTAssertEqual(second.llvmCompilations, 0)
        XCTAssertEqual(background.statistics.quick, quickBefore)
    }
}
