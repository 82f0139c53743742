import SwiftJIT
import XCTest

/// Flat kernel loops run in strips of 2^16 iterations with a cancellation check between them
/// (KernelLoops.swift): loops of several strips must still run every iteration once, in order,
/// with any step (negative, huge), `break` and `continue`, in `for`, `while` and `parallel for`.
/// Each kernel folds the iterations into an order-sensitive hash, checked against Swift.
final class StripMinedLoopTests: XCTestCase {
    static let source = """
    kernel walk(lo: i64, hi: i64, step: i64) -> i64 {
        var h = 0
        for i in stride(from: lo, to: hi, by: step) { h = h * 31 + i + 1 }
        return h
    }

    kernel skip(n: i64, stop: i64) -> i64 {
        var h = 0
        for i in 0..<n {
            if i % 3 == 0 { continue }
            if i == stop { break }
            h = h * 31 + i
        }
        return h
    }

    kernel wskip(n: i64, stop: i64) -> i64 {
        var h = 0
        var i = -1
        while i < n - 1 {
            i += 1
            if i % 3 == 0 { continue }
            if i == stop { break }
            h = h * 31 + i
        }
        return h
    }

    kernel psum(n: i64) -> i64 {
        var s = 0
        parallel for i in 0..<n { s += i % 1000 }
        return s
    }

    kernel pfill(out: i8[]) {
        parallel for i in 0..<len(out) { out[i] = i8(i % 7) }
    }

    kernel nested(out: i64[], n: i64, stop: i64) {
        for k in 0..<3 {
            for i in 0..<n {
                if i == stop { break }
                if i % 5 == 1 { continue }
                out[i] = out[i] * 3 + k + i
            }
        }
    }

    kernel nestedhash(n: i64, stop: i64) -> (i64, f64, i64) {
        var h = 0
        var s = 0.0
        var m = -1
        for k in 0..<3 {
            for i in 0..<n {
                if i == stop { break }
                if i % 5 == 1 { continue }
                h = h * 31 + i + k + 1
                s += (i % 7) * 0.5
                m = max(m, (i * 7919) % 100003)
            }
        }
        return h, s, m
    }
    """

    private func module() throws -> KernelModule { try JIT.kernels(Self.source, name: "strips.sj") }

    private func hash<S: Sequence<Int64>>(_ values: S) -> Int64 {
        values.reduce(Int64(0)) { $0 &* 31 &+ $1 &+ 1 }
    }

    func testForLoopsOfManyStripsRunEveryIterationInOrder() throws {
        let walk = try module().kernel("walk")
        let cases: [(Int64, Int64, Int64)] = [
            (0, 200_003, 1),                     // 3 strips and a bit
            (0, 65_536, 1), (0, 65_537, 1),      // exactly one strip, one more
            (5, 1_000_000, 7),                   // 142,857 iterations
            (200_000, -7, -3),                   // counting down
            (-(1 << 62), 1 << 62, 1 << 45),      // 2^18 iterations with a large step
            (1 << 62, -(1 << 62), -(1 << 44)),   // 2^19 iterations down
            (-(1 << 62), 1 << 62, 1 << 47),      // a step too large to strip: one strip
            (0, (1 << 62) + 5, 1 << 61),         // 3 iterations, no overflow of i + step
        ]
        for (lo, hi, step) in cases {
            let expected = hash(stride(from: lo, to: hi, by: Int(step)))
            XCTAssertEqual(try walk(lo, hi, step).toArray(Int64.self)[0], expected, "stride(from: \(lo), to: \(hi), by: \(step))")
        }
    }

    func testBreakAndContinueAcrossStrips() throws {
        let m = try module()
        func expected(_ n: Int64, _ stop: Int64) -> Int64 {
            var h: Int64 = 0
            for i in 0..<n {
                if i % 3 == 0 { continue }
                if i == stop { break }
                h = h &* 31 &+ i
            }
            return h
        }
        for name in ["skip", "wskip"] {
            let k = try m.kernel(name)
            for (n, stop) in [(Int64(300_000), Int64(-1)), (300_000, 250_001), (300_000, 65_537), (70_000, 5)] {
                XCTAssertEqual(try k(n, stop).toArray(Int64.self)[0], expected(n, stop), "\(name)(\(n), \(stop))")
            }
        }
    }

    /// A flat loop nested in another whose body only stores runs as written in place for at most
    /// one strip and, when longer, as one call of an outlined function that runs it by strips
    /// (KernelColdStrips.swift): every element as in Swift, `break` and `continue` as written, an
    /// index error from inside the outlined loop with its place, on both paths.
    func testNestedLoopsWithTheirLongCaseOutOfLine() throws {
        let k = try module().kernel("nested")
        for (n, stop) in [(70_000, -1), (200_003, 150_000), (65_536, -1), (65_537, 65_536), (1_000, 7), (0, -1)] {
            let out = NDArray([Int64](repeating: 1, count: max(n, 1)))
            var want = [Int64](repeating: 1, count: max(n, 1))
            for kk in 0..<3 {
                for i in 0..<n {
                    if i == stop { break }
                    if i % 5 == 1 { continue }
                    want[i] = want[i] &* 3 &+ Int64(kk) &+ Int64(i)
                }
            }
            _ = try k(out, Int64(n), Int64(stop))
            XCTAssertEqual(out.toArray(Int64.self), want, "n = \(n), stop = \(stop)")
        }
        for n in [1_000, 100_000] {  // in place, and out of line
            let short = NDArray([Int64](repeating: 0, count: n - 1))
            XCTAssertThrowsError(try k(short, Int64(n), Int64(-1))) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("index \(n - 1) is out of range for axis 0 with size \(n - 1)"), text)
                XCTAssertTrue(text.contains("strips.sj:44:"), text)
            }
        }
        let ir = try k.llvmIR([ArgumentType(dtype: .int64, rank: 1), .scalar(.int64), .scalar(.int64)])
        XCTAssertTrue(ir.contains("coldcode"), "the long case is not out of line")
    }

    /// The same with variables the loop assigns (an order-sensitive hash, a sum, a max): they go
    /// into the outlined loop and come back from it, and on both paths every iteration counts once,
    /// in order.
    func testNestedLoopsOutOfLineKeepTheirVariables() throws {
        let k = try module().kernel("nestedhash")
        _ = try k.callAll([Int64(0), Int64(-1)])
        JIT.drainBackgroundCompiles()  // the final tier (the quick one runs no loop out of line)
        for (n, stop) in [(70_000, -1), (200_003, 150_000), (65_536, -1), (65_537, 65_536), (1_000, 7), (0, -1)] {
            var h: Int64 = 0, s = 0.0, m: Int64 = -1
            for kk in 0..<3 {
                for i in 0..<n {
                    if i == stop { break }
                    if i % 5 == 1 { continue }
                    h = h &* 31 &+ Int64(i + kk + 1)
                    s += Double(i % 7) * 0.5
                    m = max(m, Int64((i * 7919) % 100_003))
                }
            }
            let r = try k.callAll([Int64(n), Int64(stop)])
            XCTAssertEqual(r[0].toArray(Int64.self)[0], h, "h: n = \(n), stop = \(stop)")
            XCTAssertEqual(r[1].doubles[0], s, "s: n = \(n), stop = \(stop)")
            XCTAssertEqual(r[2].toArray(Int64.self)[0], m, "m: n = \(n), stop = \(stop)")
        }
        let ir = try k.llvmIR([.scalar(.int64), .scalar(.int64)])
        XCTAssertTrue(ir.contains("coldcode"), "the long case is not out of line")
    }

    func testParallelLoopsWithChunksOfSeveralStrips() throws {
        // 256 chunks of 78,125 iterations: two strips each.
        let n = 20_000_000
        let m = try module()
        let expected = (n / 1000) * (999 * 1000 / 2)
        XCTAssertEqual(try m.kernel("psum")(Int64(n)).toArray(Int64.self)[0], Int64(expected))
        let out = NDArray([Int8](repeating: -1, count: 17_000_000))
        _ = try m.kernel("pfill")(out)
        let values = out.toArray(Int8.self)
        XCTAssertNil(values.indices.first { values[$0] != Int8($0 % 7) }, "an element of pfill's output was not written")
    }
}
