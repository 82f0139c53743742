import JITRuntime
import SwiftJIT
import XCTest

/// `parallel for` on the thread pool: reductions, writes to distinct elements, errors, nesting,
/// and results that do not depend on the thread count.
final class KernelParallelTests: XCTestCase {
    static let source = """
    kernel stats(x: f64[]) -> (f64, f64, f64, f64) {
        var s = 0.0
        var p = 1.0
        var lo = 1e300
        var hi = -1e300
        parallel for i in 0..<len(x) {
            s += x[i]
            p *= 1.0 + x[i] * 1e-6
            lo = min(lo, x[i])
            hi = max(hi, x[i])
        }
        return s, p, lo, hi
    }

    kernel squares(n: i64) -> f64[] {
        let out = empty(n)
        parallel for i in 0..<n {
            let v = i * 0.5
            out[i] = v * v
        }
        return out
    }

    kernel ragged(x: f64[], starts: i64[]) -> f64 {
        var total = 0.0
        parallel for r in 0..<len(starts) - 1 {
            var row = 0.0
            for j in starts[r]..<starts[r + 1] {
                row += atan(x[j] * r * j)
            }
            total += row
        }
        return total
    }

    kernel faulty(x: f64[]) -> f64 {
        var s = 0.0
        parallel for i in 0..<len(x) + 1 {
            s += x[i]
        }
        return s
    }

    kernel nested(n: i64) -> i64 {
        var c = 0
        parallel for i in 0..<n {
            parallel for j in 0..<n {
                c += i * j
            }
        }
        return c
    }
    """

    private func module() throws -> KernelModule { try JIT.kernels(Self.source, name: "par.sj") }

    override func tearDown() {
        Parallel.resetThreadCount()
    }

    func testReductionsAreCorrectAndIdenticalAtEveryThreadCount() throws {
        let x = (0..<100_003).map { Foundation.sin(Double($0) * 0.37) * 100 }
        var results: [[Double]] = []
        // The same code for every call: the final tier (a first call may run the quick tier,
        // whose sums are in the source's order, docs/cache.md "Compile tiers").
        _ = try module().kernel("stats").callAll([x])
        JIT.drainBackgroundCompiles()
        for t in [1, 2, 3, 8] {
            JIT.numThreads = t
            results.append(try module().kernel("stats").callAll([x]).map { $0.doubles[0] })
        }
        for r in results.dropFirst() { XCTAssertEqual(r, results[0], "same bits at every thread count") }
        XCTAssertEqual(results[0][0], x.reduce(0, +), accuracy: 1e-7)
        XCTAssertEqual(results[0][2], x.min()!)
        XCTAssertEqual(results[0][3], x.max()!)
        XCTAssertEqual(results[0][1], x.reduce(1.0) { $0 * (1 + $1 * 1e-6) }, accuracy: 1e-9)
    }

    /// A loop the runtime would run on one thread runs its chunks in the kernel itself: they must
    /// be the pool's chunks to the bit (values of very different sizes make any other split show).
    func testChunksRunInTheKernelAreThoseOfThePool() throws {
        let k = try module().kernel("stats")
        _ = try k.callAll([[1.0, 2.0]])
        JIT.drainBackgroundCompiles()  // every call on the final tier
        let saved = Parallel.serialThreshold
        defer { Parallel.serialThreshold = saved }
        for n in [1, 2, 7, 255, 256, 257, 1000, 4099] {
            let x: [Double] = (0..<n).map { i in
                let big = 1e16 * Double(i % 5 + 1), small = Double(i % 7) + 0.1
                return i % 3 == 0 ? big : small
            }
            JIT.numThreads = 1
            Parallel.serialThreshold = saved
            let inKernel = try k.callAll([x]).map { $0.doubles[0] }
            JIT.numThreads = 2
            Parallel.serialThreshold = 0
            let pooled = try k.callAll([x]).map { $0.doubles[0] }
            XCTAssertEqual(inKernel, pooled, "n = \(n)")
            XCTAssertEqual(inKernel[2], x.min()!)
        }
    }

    /// A reduction over a flat body is split into chunks of whole 64-iteration blocks (the last
    /// one shorter): chunk c of min(blocks, 256) covers blocks c*blocks/chunks ..< (c+1)*blocks/chunks.
    /// In strict mode each chunk adds in order from 0 and the chunks are added in order, so the
    /// sum is exactly that split's, in the kernel and on the pool.
    func testFlatReductionsAreSplitIntoBlocksOf64() throws {
        let k = try JIT.kernels("""
            kernel total(x: f64[]) -> f64 {
                var t = 0.0
                parallel for i in 0..<len(x) { t += x[i] }
                return t
            }
            """, options: JIT.Options(mathMode: .strict)).kernel("total")
        _ = try k([1.0, 2.0])
        JIT.drainBackgroundCompiles()
        let saved = Parallel.serialThreshold, savedThreads = JIT.numThreads
        defer { Parallel.serialThreshold = saved; JIT.numThreads = savedThreads }
        for n in [1, 63, 64, 65, 100, 1000, 16_384, 16_449, 20_000] {
            let x: [Double] = (0..<n).map { (i: Int) -> Double in
                let big: Double = 1e16 * Double(i % 5 + 1), small: Double = Double(i % 7) + 0.1
                return i % 3 == 0 ? big : small
            }
            let blocks = (n + 63) / 64, chunks = min(blocks, 256)
            var want = 0.0
            for c in 0..<chunks {
                var part = 0.0
                let from: Int = c * blocks / chunks * 64, to: Int = min(n, (c + 1) * blocks / chunks * 64)
                for i in from..<to { part += x[i] }
                want += part
            }
            JIT.numThreads = 1
            Parallel.serialThreshold = saved
            XCTAssertEqual(try k(NDArray(x)).doubles[0], want, "n = \(n), in the kernel")
            JIT.numThreads = 2
            Parallel.serialThreshold = 0
            XCTAssertEqual(try k(NDArray(x)).doubles[0], want, "n = \(n), on the pool")
        }
    }

    func testWritesToDistinctElements() throws {
        let r = try module().kernel("squares")(Int64(50_000)).doubles
        XCTAssertEqual(r.count, 50_000)
        for i in stride(from: 0, to: 50_000, by: 997) { XCTAssertEqual(r[i], Double(i) * 0.5 * Double(i) * 0.5) }
    }

    func testRaggedRowsLikeW4() throws {
        let starts: [Int64] = [0, 3, 3, 10, 25]
        let x = (0..<25).map { Double($0) * 0.01 }
        var want = 0.0
        for r in 0..<4 {
            var row = 0.0
            for j in Int(starts[r])..<Int(starts[r + 1]) { row += Foundation.atan(x[j] * Double(r) * Double(j)) }
            want += row
        }
        XCTAssertEqual(try module().kernel("ragged")(x, starts).doubles[0], want, accuracy: 1e-13)
    }

    func testErrorsInsideParallelLoopsAreReported() throws {
        XCTAssertThrowsError(try module().kernel("faulty")([1.0, 2.0, 3.0])) { e in
            XCTAssertEqual("\(e)", """
                par.sj:39:16: error: index 3 is out of range for axis 0 with size 3 in kernel 'faulty'
                39 |         s += x[i]
                   |                ^

                """)
        }
    }

    func testNestedParallelLoops() throws {
        XCTAssertEqual(try module().kernel("nested")(Int64(30)).toArray(Int64.self), [Int64((0..<30).reduce(0, +) * (0..<30).reduce(0, +))])
    }

    func testConcurrentCallsOfOneKernel() throws {
        let k = try module().kernel("squares")
        let failures = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 16) { t in
            do {
                let r = try k(Int64(20_000 + t)).doubles
                if r[r.count - 1] != Double(r.count - 1) * 0.5 * Double(r.count - 1) * 0.5 { failures.withLock { $0 += 1 } }
            } catch { failures.withLock { $0 += 1 } }
        }
        XCTAssertEqual(failures.value, 0)
    }
}
