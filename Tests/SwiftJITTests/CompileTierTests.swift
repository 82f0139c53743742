// Compile tiers (docs/cache.md, "Compile tiers"): a kernel compiled now runs quick-tier code
// until its final code, compiled on the background thread, is swapped in. The background queue
// is held back (`suspend`) so that calls are sure to run on the quick code first.
import Foundation
import JITLowering
import XCTest
@testable import JITRuntime
@testable import SwiftJIT

final class CompileTierTests: XCTestCase {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples")

    /// A kernel of `file` under a name never used before (so it is compiled now), and its source.
    func freshKernel(_ file: String, _ name: String, mode: MathMode = .relaxed) throws -> (Kernel, String) {
        let tag = "t\(UInt32.random(in: 0...UInt32.max))"
        let source = try String(contentsOf: Self.examples.appendingPathComponent(file), encoding: .utf8)
            .replacingOccurrences(of: name, with: name + tag)
        return (try JIT.kernels(source, name: file, options: JIT.Options(mathMode: mode)).kernel(name + tag), source)
    }

    /// `kernel` compiled for `types` with tiers on or off (whatever the environment says).
    func compile(_ kernel: Kernel, _ types: [ArgumentType], tiers: Bool, mode: MathMode = .relaxed) throws -> CompiledKernelFunction {
        var options = JIT.Options(mathMode: mode).kernelCompileOptions
        options.tiers = tiers
        return try Engine.shared.kernelFunction(for: try kernel.typedKernel(types), options: options)
    }

    static func argument(_ a: NDArray) -> CompiledKernelFunction.Argument {
        CompiledKernelFunction.Argument(dtype: a.dtype, shape: a.shape, strides: a.strides, pointer: a.storage.pointer + a.offset * a.dtype.size,
                                        storage: a.storage, offset: a.offset)
    }

    /// W9 in strict mode (ordered sums, libm's tanh): the quick and the final code give the same
    /// bits. Two threads call it many times while the final code is swapped in; every result is
    /// the one tiers off gives.
    func testResultsAreIdenticalBeforeDuringAndAfterTheSwap() throws {
        let background = BackgroundCompiler.shared
        background.drain()
        let (kernel, _) = try freshKernel("trace.sj", "add_trace", mode: .strict)
        let a = NDArray((0..<10_000).map { Double($0 % 97) / 50 - 1 }, shape: [100, 100])
        let types = [ArgumentType.array(.float64, rank: 2)]
        let reference = try compile(kernel, types, tiers: false, mode: .strict).run([Self.argument(a)], source: "t").map(\.doubles)
        let optimizedBefore = background.statistics.optimized
        // Tiers are not in the key: the same kernel under another name is compiled anew, tiered.
        background.suspend()
        let (fresh, _) = try freshKernel("trace.sj", "add_trace", mode: .strict)
        let f = try compile(fresh, types, tiers: true, mode: .strict)
        XCTAssertFalse(f.isOptimized, "compiled by the quick tier; the final code waits in the queue")
        final class Counts: @unchecked Sendable {
            let lock = NSLock()
            var quick = 0, final = 0, wrong = 0
        }
        let counts = Counts()
        let expected = reference[0]
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread {
                var afterSwap = 0
                while afterSwap < 50 {
                    let wasOptimized = f.isOptimized
                    let r = (try? f.run([Self.argument(a)], source: "t").first?.doubles) ?? []
                    counts.lock.withLock {
                        if wasOptimized { counts.final += 1 } else { counts.quick += 1 }
                        if r != expected { counts.wrong += 1 }
                    }
                    if wasOptimized { afterSwap += 1 }
                }
                group.leave()
            }.start()
        }
        // Both threads call the quick code a while, then the final code is compiled and swapped in.
        while counts.lock.withLock({ counts.quick }) < 20 { usleep(1000) }
        background.resume()
        group.wait()
        XCTAssertTrue(f.isOptimized)
        XCTAssertEqual(background.statistics.optimized, optimizedBefore + 1)
        XCTAssertGreaterThanOrEqual(counts.quick, 20, "calls ran on the quick code")
        XCTAssertGreaterThanOrEqual(counts.final, 100)
        XCTAssertEqual(counts.wrong, 0, "every result is the one tiers off gives")
    }

    /// Tiers off: the final code from the start, nothing queued; W9 and W10 on the quick tier
    /// (relaxed mode) agree with NumPy's arithmetic (plain Swift here) within the bounds the
    /// workload tests use, and with their final code within the relaxed-mode reassociation bound.
    func testQuickTierOfW9AndW10AgreesWithTheReferenceAndTheFinalCode() throws {
        let background = BackgroundCompiler.shared
        background.drain()
        let (w9, _) = try freshKernel("trace.sj", "add_trace")
        let off = try compile(w9, [.array(.float64, rank: 2)], tiers: false)
        XCTAssertTrue(off.isOptimized)
        XCTAssertEqual(background.statistics.pending, 0)

        background.suspend()
        defer { background.drain() }
        let (w9q, _) = try freshKernel("trace.sj", "add_trace")
        let a = NDArray((0..<10_000).map(Double.init), shape: [100, 100])
        let quick9 = try compile(w9q, [.array(.float64, rank: 2)], tiers: true)
        XCTAssertFalse(quick9.isOptimized)
        var t = 0.0
        for i in 0..<100 { t += Foundation.tanh(Double(i * 101)) }
        let want9 = (0..<10_000).map { Double($0) + t }
        let got9 = try quick9.run([Self.argument(a)], source: "t")[0].doubles
        for (g, w) in zip(got9, want9) { XCTAssertEqual(g, w, accuracy: 1e-14 * abs(w) + 1e-12) }
        let final9 = try off.run([Self.argument(a)], source: "t")[0].doubles
        for (g, w) in zip(got9, final9) { XCTAssertEqual(g, w, accuracy: 4 * Double.ulpOfOne * abs(w)) }

        let (w10, _) = try freshKernel("lu.sj", "lu_pivot_product")
        let quick10 = try compile(w10, [.array(.float64, rank: 2)], tiers: true)
        XCTAssertFalse(quick10.isOptimized)
        let n = 10
        let m: [Double] = (0..<n * n).map { (i: Int) -> Double in
            i / n == i % n ? Double(n + 1) : 1.0 / Double(1 + i % 7)
        }
        var lu = m
        for p in 0..<(n - 1) {
            for i in (p + 1)..<n {
                let l = lu[i * n + p] / lu[p * n + p]
                lu[i * n + p] = l
                for j in (p + 1)..<n { lu[i * n + j] -= l * lu[p * n + j] }
            }
        }
        let want10 = (0..<n).reduce(1.0) { $0 * lu[$1 * n + $1] }
        let got10 = try quick10.run([Self.argument(NDArray(m, shape: [n, n]))], source: "t")[0].doubles[0]
        XCTAssertEqual(got10, want10, accuracy: 1e-12 * abs(want10))
        background.resume()
        XCTAssertTrue(quick10.waitForOptimizedCode())
        let final10 = try quick10.run([Self.argument(NDArray(m, shape: [n, n]))], source: "t")[0].doubles[0]
        XCTAssertEqual(final10, want10, accuracy: 1e-12 * abs(want10))
    }

    /// A float sum in relaxed mode: the quick tier adds in the source's order, the final code with
    /// vector partial sums; both are within the recursive-summation bound (n - 1) u sum|x| of the
    /// exact sum (docs/cache.md, "Compile tiers").
    func testSumsOfBothTiersAreWithinTheSummationBound() throws {
        let background = BackgroundCompiler.shared
        background.drain()
        let tag = "s\(UInt32.random(in: 0...UInt32.max))"
        let source = "kernel total\(tag)(x: f64[]) -> f64 {\n    var s = 0.0\n    for i in 0..<x.shape[0] {\n        s += x[i]\n    }\n    return s\n}\n"
        let kernel = try JIT.kernels(source).kernel("total\(tag)")
        background.suspend()
        defer { background.drain() }
        let f = try compile(kernel, [.array(.float64, rank: 1)], tiers: true)
        let x = NDArray((0..<10_001).map { Foundation.sin(Double($0) * 0.37) * Double(1 + $0 % 13) })
        let quick = try f.run([Self.argument(x)], source: "t")[0].doubles[0]
        background.resume()
        XCTAssertTrue(f.waitForOptimizedCode())
        let final = try f.run([Self.argument(x)], source: "t")[0].doubles[0]
        let values = x.doubles
        XCTAssertEqual(quick, values.reduce(0, +), "the quick tier adds in order")
        var exact = 0.0, compensation = 0.0  // Kahan
        for v in values {
            let y = v - compensation, s = exact + y
            compensation = (s - exact) - y
            exact = s
        }
        let bound = Double(values.count - 1) * Double.ulpOfOne / 2 * values.reduce(0) { $0 + abs($1) }
        XCTAssertEqual(quick, exact, accuracy: bound)
        XCTAssertEqual(final, exact, accuracy: bound)
    }

    /// The disk cache only ever holds the final code: nothing is stored by the quick tier, the
    /// final object is stored once it is compiled, and a second engine loads it directly (final
    /// code at once, no quick tier).
    func testTheDiskCacheStoresOnlyTheFinalCode() throws {
        let background = BackgroundCompiler.shared
        background.drain()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tiers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let engine = Engine()
        engine.diskCache = DiskCache(directory: folder)
        let (kernel, _) = try freshKernel("lu.sj", "lu_pivot_product")
        let typed = try kernel.typedKernel([.array(.float64, rank: 2)])
        background.suspend()
        let quickBefore = background.statistics.quick
        let f = try engine.kernelFunction(for: typed, options: CompileOptions(lowering: LoweringOptions(), tiers: true))
        XCTAssertFalse(f.isOptimized)
        XCTAssertEqual(background.statistics.quick, quickBefore + 1)
        XCTAssertEqual(engine.diskCache?.files().count, 0, "the quick tier's object is not stored")
        background.drain()
        XCTAssertTrue(f.isOptimized)
        XCTAssertEqual(engine.diskCache?.files().count, 1)
        let second = Engine()
        second.diskCache = DiskCache(directory: folder)
        let g = try second.kernelFunction(for: typed, options: CompileOptions(lowering: LoweringOptions(), tiers: true))
        XCTAssertTrue(g.isOptimized, "a disk-cache hit is the final code")
        XCTAssertEqual(second.diskCacheHits, 1)
        XCTAssertEqual(second.llvmCompilations, 0)
        XCTAssertEqual(background.statistics.quick, quickBefore + 1)
    }

    /// A background compile that fails leaves the kernel on its quick code, working, and is
    /// recorded (statistics, stderr), not lost.
    func testAFailedBackgroundCompileKeepsTheQuickCode() throws {
        let background = BackgroundCompiler.shared
        background.drain()
        let failedBefore = background.statistics.failed
        background.suspend()
        defer { background.drain() }
        background.failNext = "injected failure"
        let (kernel, _) = try freshKernel("lu.sj", "lu_pivot_product")
        let f = try compile(kernel, [.array(.float64, rank: 2)], tiers: true)
        background.resume()
        XCTAssertFalse(f.waitForOptimizedCode(), "the final code never came")
        background.drain()
        XCTAssertEqual(background.statistics.failed, failedBefore + 1)
        XCTAssertEqual(background.statistics.lastError, "injected failure")
        let got = try f.run([Self.argument(NDArray([2.0, 5, 7, 0, 3, 1, 0, 0, 0.5], shape: [3, 3]))], source: "t")[0].doubles
        XCTAssertEqual(got, [3])
    }

    /// The setting: `SWIFTJIT_TIERS=0` turns tiers off; anything else (or nothing) leaves them on.
    func testTheEnvironmentTurnsTiersOff() {
        XCTAssertFalse(EnvironmentSettings(reading: ["SWIFTJIT_TIERS": "0"]).tiers)
        XCTAssertTrue(EnvironmentSettings(reading: [:]).tiers)
        XCTAssertFalse(CompileOptions(environment: EnvironmentSettings(reading: ["SWIFTJIT_TIERS": "0"])).tiers)
    }
}
