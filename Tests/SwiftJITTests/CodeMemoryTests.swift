// Machine code is freed: an engine keeps only its `codeCacheCapacity` most recent functions
// alive on its own, code nobody holds leaves the JIT (ORC resource trackers), code that is
// still held (an expression's specialization, a call in flight on another thread) stays, and
// freed code compiles again under the same symbol.
import Foundation
import XCTest
import JITLowering
import LLVMKit
@testable import JITRuntime
import JITSema
@testable import SwiftJIT

final class CodeMemoryTests: XCTestCase {
    /// Typed IR of `x*k + n` for f64 arrays: distinct for every n (a different constant).
    /// Straight to the final code: with tiers, a function compiled now also holds its quick
    /// code (two objects in the JIT) until the background compile is done, which these counts of
    /// live code do not expect (docs/cache.md, "Compile tiers").
    static let untiered = CompileOptions(lowering: LoweringOptions(), tiers: false)

    static func function(_ n: Int) throws -> IRFunction {
        try JIT.compile("x*x + \(n)", options: JIT.Options()).typedIR(Signature([("x", .array(.float64))]))
    }

    /// Runs `kernel` on `x` (one thread).
    static func run(_ kernel: CompiledKernel, _ x: [Double]) -> [Double] {
        var x = x
        var out = [Double](repeating: .nan, count: x.count)
        x.withUnsafeMutableBytes { xb in
            out.withUnsafeMutableBytes { ob in
                Launch.run(kernel, plan: IterationPlan(shape: [xb.count / 8], strides: [[1], [1]]),
                           operands: [LaunchOperand(pointer: xb.baseAddress!, itemSize: 8, strides: [1]),
                                      LaunchOperand(pointer: ob.baseAddress!, itemSize: 8, strides: [1])], threads: 1)
            }
        }
        return out
    }

    func testCodeNobodyHoldsIsFreedAndCompilesAgain() throws {
        let engine = try Engine()
        engine.diskCache = nil
        engine.codeCacheCapacity = 3
        weak var first: CompiledKernel?
        do {
            let k = try engine.kernel(for: try Self.function(0), options: Self.untiered)
            XCTAssertEqual(Self.run(k, [1, 2]), [1, 4])
            first = k
        }
        for n in 1...10 { _ = try engine.kernel(for: try Self.function(n), options: Self.untiered) }
        XCTAssertEqual(engine.liveFunctions, 3, "only the engine's three most recent are alive")
        XCTAssertNil(first, "the first function's code was freed")
        // The same key again: compiled anew, under the same symbol, with the right result.
        let before = engine.llvmCompilations
        let again = try engine.kernel(for: try Self.function(0), options: Self.untiered)
        XCTAssertEqual(engine.llvmCompilations, before + 1)
        XCTAssertEqual(Self.run(again, [3]), [9])
        // A recent one is served from memory.
        _ = try engine.kernel(for: try Self.function(10), options: Self.untiered)
        XCTAssertEqual(engine.llvmCompilations, before + 1)
    }

    /// Every `poolClearInterval` removals the JIT clears ORC's symbol string pool of the names of
    /// removed code and returns malloc's free memory to the system (without it, resident memory
    /// crept up over 100,000 compiles, docs/reliability.md); code still held keeps working.
    func testRemovalsClearTheSymbolPoolAndReturnFreeMemory() throws {
        let engine = try Engine()
        engine.diskCache = nil
        engine.codeCacheCapacity = 1
        let jit = try engine.started().jit
        XCTAssertEqual(jit.poolClearInterval, OrcJIT.clearPoolEvery)
        jit.poolClearInterval = 3
        let held = try engine.kernel(for: try Self.function(200), options: Self.untiered)
        let before = jit.poolClearings
        // 7 more functions: each pushes the previous one out of the engine's cache, 6 removals.
        for n in 201...207 { _ = try engine.kernel(for: try Self.function(n), options: Self.untiered) }
        XCTAssertEqual(engine.liveFunctions, 2, "the held function and the engine's most recent")
        XCTAssertEqual(jit.poolClearings - before, 2, "6 removals, one clearing per 3")
        XCTAssertEqual(Self.run(held, [3]), [209])
        // Freed code compiles again under the same symbol after its name left the pool.
        let again = try engine.kernel(for: try Self.function(201), options: Self.untiered)
        XCTAssertEqual(Self.run(again, [2]), [205])
    }

    func testHeldCodeStaysAliveAfterTheEngineForgetsIt() throws {
        let engine = try Engine()
        engine.diskCache = nil
        engine.codeCacheCapacity = 1
        let held = try engine.kernel(for: try Self.function(100), options: Self.untiered)
        for n in 101...105 { _ = try engine.kernel(for: try Self.function(n), options: Self.untiered) }
        XCTAssertEqual(engine.liveFunctions, 2, "the held function and the engine's most recent")
        XCTAssertEqual(Self.run(held, [2]), [104])
        // Asked for again while held: the same code, no compilation.
        let before = engine.llvmCompilations
        XCTAssertTrue(try engine.kernel(for: try Self.function(100), options: Self.untiered) === held)
        XCTAssertEqual(engine.llvmCompilations, before)
    }

    /// One thread calls a kernel it holds in a loop while another compiles enough functions to
    /// push it out of the engine's cache many times over: every call gives the right answer.
    func testACallInFlightOnAnotherThreadKeepsItsCode() throws {
        let engine = try Engine()
        engine.diskCache = nil
        engine.codeCacheCapacity = 2
        let x = (0..<1000).map(Double.init)
        let expected = x.map { $0 * $0 + 200 }
        final class State: @unchecked Sendable {
            let lock = NSLock()
            var kernel: CompiledKernel?
            var wrong = 0, made = 0
        }
        let state = State()
        state.kernel = try engine.kernel(for: try Self.function(200), options: Self.untiered)
        DispatchQueue.concurrentPerform(iterations: 2) { t in
            if t == 0 {
                var mine = state.lock.withLock { state.kernel }
                state.lock.withLock { state.kernel = nil }   // only this thread holds it now
                for _ in 0..<300 {
                    let r = Self.run(mine!, x)
                    state.lock.withLock { state.made += 1; if r != expected { state.wrong += 1 } }
                }
                mine = nil
            } else {
                for n in 201...212 { _ = try? engine.kernel(for: try! Self.function(n), options: Self.untiered) }
            }
        }
        XCTAssertEqual(state.made, 300)
        XCTAssertEqual(state.wrong, 0)
        XCTAssertEqual(engine.liveFunctions, 2, "once the caller let go, only the engine's two recent remain")
    }
}
