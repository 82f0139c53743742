import Foundation
import JITRuntime
import JITSyntax
@testable import SwiftJIT
import XCTest

/// Every bound in docs/limits.md ends in its documented error or eviction.
final class LimitsTests: XCTestCase {
    func diagnosticIDs(_ body: () throws -> Void) -> [String] {
        do {
            try body()
        } catch JITError.diagnostics(let d) {
            return d.diagnostics.map(\.id)
        } catch {
            return ["other: \(error)"]
        }
        return []
    }

    func testExpressionSizeAndDepth() {
        let long = Array(repeating: "x", count: Parser.maxSourceBytes / 2 + 1).joined(separator: "+")
        XCTAssertEqual(diagnosticIDs { _ = try JIT.compile(long) }, ["expression_too_long"])
        let deep = String(repeating: "(", count: 10_000) + "x" + String(repeating: ")", count: 10_000)
        XCTAssertEqual(diagnosticIDs { _ = try JIT.compile(deep) }, ["nesting_too_deep"])
        let unary = String(repeating: "-", count: 5_000) + "x"
        XCTAssertEqual(diagnosticIDs { _ = try JIT.compile(unary) }, ["nesting_too_deep"])
        let ok = String(repeating: "(", count: 100) + "x" + String(repeating: ")", count: 100)
        XCTAssertEqual(diagnosticIDs { _ = try JIT.compile(ok) }, [])
    }

    func testKernelSizeAndDepth() {
        let body = String(repeating: "x = x + 1\n", count: Parser.maxKernelSourceBytes / 10 + 1)
        let long = "kernel f(x: f64) -> f64 {\n\(body)return x\n}"
        XCTAssertEqual(diagnosticIDs { _ = try JIT.kernels(long) }, ["source_too_long"])
        let nested = String(repeating: "if x > 0 {\n", count: 1_000) + String(repeating: "}\n", count: 1_000)
        XCTAssertEqual(diagnosticIDs { _ = try JIT.kernels("kernel f(x: f64) {\n\(nested)}") }, ["nesting_too_deep"])
    }

    func testExpressionCacheEvictsLeastRecentlyUsed() throws {
        let saved = JIT.expressionCacheCapacity
        defer { JIT.expressionCacheCapacity = saved }
        JIT.expressionCacheCapacity = 3
        let a = try JIT.compile("x + 1001")
        _ = try JIT.compile("x + 1002")
        _ = try JIT.compile("x + 1003")
        XCTAssertEqual(JIT.expressionCacheStatistics.count, 3)
        let before = JIT.expressionCacheStatistics.evictions
        XCTAssertTrue(try JIT.compile("x + 1001") === a)  // a is now the most recently used
        _ = try JIT.compile("x + 1004")                    // evicts x + 1002
        XCTAssertTrue(try JIT.compile("x + 1001") === a)
        XCTAssertEqual(JIT.expressionCacheStatistics.evictions - before, 1)
        JIT.expressionCacheCapacity = 0                     // clamped to 1: keeps the newest
        XCTAssertEqual(JIT.expressionCacheCapacity, 1)
        XCTAssertTrue(try JIT.compile("x + 1001") === a)
        XCTAssertEqual(try JIT.compile("x + 1004").call(["x": [1.0]]).doubles, [1005])
    }

    func testLRUCacheOrder() {
        var c = LRUCache<Int, String>(capacity: 2)
        c.insert(1, "a"); c.insert(2, "b")
        XCTAssertEqual(c.value(for: 1), "a")
        c.insert(3, "c")
        XCTAssertNil(c.value(for: 2))
        XCTAssertEqual(c.value(for: 1), "a")
        XCTAssertEqual(c.value(for: 3), "c")
        c.capacity = 1
        XCTAssertEqual(c.count, 1)
        XCTAssertEqual(c.value(for: 3), "c")
        XCTAssertEqual(c.evictions, 2)
    }

    func testCompiledFunctionLimitIsAClearError() throws {
        let saved = Engine.maxCompiledFunctions
        defer { Engine.maxCompiledFunctions = saved }
        Engine.maxCompiledFunctions = 0
        XCTAssertThrowsError(try JIT.evaluate("arccosh(x * 987654.5) - x // 3", ["x": [1.0]])) { error in
            XCTAssertTrue("\(error)".contains("compiled functions, the limit"), "\(error)")
        }
    }

    /// Found by the npy fuzz target (Cases/fuzz/npy/zero-extent-with-huge-extents.npy): a 0 extent
    /// let the other extents overflow the strides.
    func testNPYShapeWithAZeroAndHugeExtentsIsAnError() throws {
        func npy(_ shape: String) -> [UInt8] {
            var header = Array("{'descr': '<f8', 'fortran_order': False, 'shape': \(shape), }".utf8)
            while (10 + header.count + 1) % 64 != 0 { header.append(0x20) }
            header.append(0x0A)
            return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header
        }
        XCTAssertThrowsError(try NPY.read(bytes: npy("(0, 4611686018427387904, 4)"), name: "z.npy")) { error in
            XCTAssertTrue("\(error)".contains("nonzero extents multiply to more than 2^40"), "\(error)")
        }
        XCTAssertEqual(try NPY.read(bytes: npy("(0, 1099511627776)"), name: "ok.npy").shape, [0, 1 << 40])
    }

    /// Found by the kernel fuzz target (Cases/fuzz/kernel/return-promoted-scalar.sj): a returned
    /// scalar promoted to the declared return type built its IR from a stale builder copy.
    func testReturnedScalarIsPromotedToTheDeclaredType() throws {
        let k = try JIT.kernels("kernel f(x: i64) -> f64 {\n    return x\n}").kernel("f")
        XCTAssertEqual(try k(Int64(3)).doubles, [3.0])
        let g = try JIT.kernels("kernel g(x: i32, y: f32) -> (f64, i64) {\n    return y, x\n}").kernel("g")
        let r = try g.callAll([Int32(-4), Float(2.5)])
        XCTAssertEqual(r.map(\.doubles), [[2.5], [-4.0]])
    }
}

/// Parsing and checking the deepest accepted nesting must fit a secondary thread's stack (512 KB,
/// Dispatch's default): anything deeper than the stack allows is a diagnostic, not a crash.
final class StackDepthTests: XCTestCase {
    func onSmallStack(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread { body(); done.signal() }
        thread.stackSize = 512 << 10
        thread.start()
        done.wait()
    }

    func testDeepestNestingOnA512KBStack() {
        let depth = Parser.maxDepth - 2
        let calls = String(repeating: "sin(", count: depth) + "x" + String(repeating: ")", count: depth)
        let parens = String(repeating: "(", count: depth) + "x" + String(repeating: ")", count: depth)
        let kernel = "kernel f(x: f64) -> f64 {\n    return \(calls)\n}"
        let ifs = "kernel g(x: f64) -> f64 {\n var y = x\n" + String(repeating: "if x > 0 {\n", count: depth)
            + "y = 2 * y\n" + String(repeating: "}\n", count: depth) + "return y\n}"
        onSmallStack {
            for text in [calls, parens] {
                do {
                    _ = try JIT.compile(text).typedIR(["x": .array(.float64)])
                } catch JITError.diagnostics(let d) {
                    XCTAssertEqual(d.diagnostics.map(\.id), ["nesting_too_deep"])
                } catch { XCTFail("\(error)") }
            }
            for (source, name) in [(kernel, "f"), (ifs, "g")] {
                do {
                    _ = try JIT.kernels(source).kernel(name).typedKernel([.scalar(.float64)])
                } catch JITError.diagnostics(let d) {
                    XCTAssertEqual(d.diagnostics.map(\.id), ["nesting_too_deep"])
                } catch { XCTFail("\(error)") }
            }
        }
    }
}
