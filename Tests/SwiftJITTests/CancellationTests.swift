// Cancelling computations from Swift: a CancellationToken cancelled from another thread stops a
// running kernel (serial outer loop, parallel loop, flat serial and parallel loops, flat while
// loops) and a long expression or reduction with CancellationError; a call made in a cancelled
// task throws at once (plain and typed calls, JIT.cancellable);
// JIT.cancellable stops when its task is cancelled. After each, the same compiled code runs again normally.
import Foundation
import XCTest
@testable import SwiftJIT

final class CancellationTests: XCTestCase {
    static let source = """
        kernel spin(n: i64) -> f64 {
            var s = 0.0
            for i in 0..<n { for j in 0..<1000 { s += sin((i + j) * 1.0) } }
            return s
        }

        kernel pspin(n: i64) -> f64 {
            var s = 0.0
            parallel for i in 0..<n { for j in 0..<1000 { s += sin((i + j) * 1.0) } }
            return s
        }

        kernel wspin(n: i64) -> f64 {
            var s = 0.0
            for i in 0..<n {
                var j = 0
                while j < 1000 {
                    s += sin((i + j) * 1.0)
                    j += 1
                }
            }
            return s
        }

        kernel wforever(n: i64) -> f64 {
            var s = 0.0
            for i in 0..<n {
                var j = 0
                while j >= 0 {
                    s += sin((i + j) * 1.0)
                    j += 1
                }
            }
            return s
        }

        kernel middle(n: i64) -> f64 {
            var s = 0.0
            for i in 0..<n { for j in 0..<n { for m in 0..<3 { s += sin((i + j + m) * 1.0) } } }
            return s
        }
        """

    /// Runs `body` under a token that another thread cancels once `body` has started.
    func cancelledWhileRunning(_ body: @escaping () throws -> Void) -> Error? {
        let token = CancellationToken()
        let started = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            started.wait()
            Thread.sleep(forTimeInterval: 0.05)
            token.cancel()
        }
        do {
            try JIT.withCancellation(token) {
                started.signal()
                try body()
            }
        } catch {
            return error
        }
        return nil
    }

    func testTokenStopsKernelsWithCancellationError() throws {
        let module = try JIT.kernels(Self.source, name: "spin.sj")
        // wspin: a flat while inside a loop counts its iterations down to a check of its own.
        for name in ["spin", "pspin", "wspin"] {
            let k = try module.kernel(name)
            // 10^12 sin calls: only a cancellation ends this call within the test's time.
            let error = cancelledWhileRunning { _ = try k(Int64(1_000_000_000)) }
            XCTAssertTrue(error is CancellationError, "\(name): \(String(describing: error))")
            XCTAssertEqual(try k(Int64(1)).doubles[0], -0.012909906458834941, accuracy: 1e-15, name)
        }
    }

    /// While some other computation's token is cancelled, every check a kernel passes calls into
    /// the runtime (sj_cancelled_preserving on x86-64, which must keep the kernel's registers): the
    /// kernel must still finish with the same bits, in nested loops of every kind.
    func testChecksWhileAnotherTokenIsCancelledKeepResults() throws {
        // W10's LU (TypedCallTests.source holds it) next to the spinning kernels.
        let source = Self.source + "\n" + TypedCallTests.source
        let module = try JIT.kernels(source, name: "spin.sj")
        let n = 48
        // Diagonally dominant, so that the pivots stay away from 0.
        let values: [Double] = (0..<n * n).map { (i: Int) -> Double in
            i % (n + 1) == 0 ? Double(n + 1) : 1.0 / Double(1 + (i * 7) % 13)
        }
        let m = NDArray(values, shape: [n, n])
        func results() throws -> [Double] {
            [try module.kernel("middle")(Int64(40)).doubles[0], try module.kernel("wspin")(Int64(300)).doubles[0],
             try module.kernel("spin")(Int64(30)).doubles[0], try module.kernel("lu")(m).doubles[0]]
        }
        _ = try results()
        JIT.drainBackgroundCompiles()  // every call below on the final tier
        let expected = try results()
        let other = CancellationToken()
        other.cancel()
        defer { other.reset() }
        XCTAssertEqual(try results(), expected)
        XCTAssertEqual(try JIT.withCancellation(CancellationToken()) { try results() }, expected)
        XCTAssertFalse(expected.contains { !$0.isFinite })
    }

    /// A flat `while` inside a `for` that never ends (j stays >= 0 for 2^63 iterations) and a long
    /// middle loop over short inner loops: both stop within the call.
    func testTokenStopsEndlessNestedWhileAndLongMiddleLoops() throws {
        let module = try JIT.kernels(Self.source, name: "spin.sj")
        for name in ["wforever", "middle"] {
            let k = try module.kernel(name)
            let error = cancelledWhileRunning { _ = try k(Int64(1_000_000_000)) }
            XCTAssertTrue(error is CancellationError, "\(name): \(String(describing: error))")
        }
        let middle = try module.kernel("middle")
        var expected = 0.0
        for i in 0..<4 { for j in 0..<4 { for m in 0..<3 { expected += sin(Double(i + j + m)) } } }
        XCTAssertEqual(try middle(Int64(4)).doubles[0], expected, accuracy: 1e-12)
    }

    /// Flat loops (no loop inside): strip-mined, checked between strips of 2^16 iterations.
    static let flatSource = """
        kernel flat(n: i64) -> f64 {
            var s = 0.0
            for i in 0..<n { s += sin(i * 1.0) }
            return s
        }

        kernel flatstep(n: i64) -> f64 {
            var s = 0.0
            for i in stride(from: n, to: 0, by: -3) { s += sin(i * 1.0) }
            return s
        }

        kernel pflat(n: i64) -> f64 {
            var s = 0.0
            parallel for i in 0..<n { s += sin(i * 1.0) }
            return s
        }

        kernel pflatnoreduce(n: i64, out: f64[]) {
            parallel for i in 0..<n {
                let v = sin(i * 1.0)
                if v > 2.0 { out[0] = v }
            }
        }

        kernel nestedflat(n: i64, out: f64[]) {
            for k in 0..<3 {
                for i in 0..<n { out[0] = sin(i * 1.0) + k }
            }
        }

        kernel wflat(n: i64) -> f64 {
            var s = 0.0
            var i = 0
            while i < n {
                s += sin(i * 1.0)
                i += 1
            }
            return s
        }
        """

    func testTokenStopsFlatKernelLoops() throws {
        let module = try JIT.kernels(Self.flatSource, name: "flat.sj")
        // sum of sin(i), i < 1000
        let expected = (0..<1000).reduce(0.0) { $0 + sin(Double($1)) }
        // 10^15 sin calls: only a cancellation ends these calls within the test's time.
        let huge = Int64(1_000_000_000_000_000)
        for name in ["flat", "pflat", "wflat"] {
            let k = try module.kernel(name)
            let error = cancelledWhileRunning { _ = try k(huge) }
            XCTAssertTrue(error is CancellationError, "\(name): \(String(describing: error))")
            XCTAssertEqual(try k(Int64(1000)).doubles[0], expected, accuracy: 1e-9, name)
        }
        let step = try module.kernel("flatstep")
        let error = cancelledWhileRunning { _ = try step(huge) }
        XCTAssertTrue(error is CancellationError, "flatstep: \(String(describing: error))")
        let stepped = stride(from: 3000, to: 0, by: -3).reduce(0.0) { $0 + sin(Double($1)) }
        XCTAssertEqual(try step(Int64(3000)).doubles[0], stepped, accuracy: 1e-9)
        // A long loop nested in another, whose long case runs out of line (KernelColdStrips.swift).
        let nested = try module.kernel("nestedflat")
        let last = NDArray([0.0])
        let interrupted = cancelledWhileRunning { _ = try nested(huge, last) }
        XCTAssertTrue(interrupted is CancellationError, "nestedflat: \(String(describing: interrupted))")
        _ = try nested(Int64(100_000), last)
        XCTAssertEqual(last.doubles[0], sin(99_999.0) + 2, accuracy: 1e-12)
        let noReduce = try module.kernel("pflatnoreduce")
        let out = NDArray([-1.0])
        let stopped = cancelledWhileRunning { _ = try noReduce(huge, out) }
        XCTAssertTrue(stopped is CancellationError, "pflatnoreduce: \(String(describing: stopped))")
        _ = try noReduce(Int64(1000), out)
        XCTAssertEqual(out.doubles, [-1.0])
    }

    func testTokenStopsAReductionWithinTheCall() throws {
        // sum over a broadcast 10^5 x 10^5 iteration: 10^10 products (seconds) from 1.6 MB of
        // input, far longer than the 50 ms after which the token is cancelled: a result instead
        // of the error means the call was not stopped inside.
        let a = NDArray((0..<100_000).map { Double($0 % 7) }, shape: [100_000, 1])
        let b = NDArray((0..<100_000).map { Double($0 % 5) })
        let f = try JIT.compile("sum(a * b)")
        let error = cancelledWhileRunning { _ = try f(a: a, b: b) }
        XCTAssertTrue(error is CancellationError, String(describing: error))
        let small = try f(a: NDArray([1.0, 2.0], shape: [2, 1]), b: NDArray([3.0, 4.0, 5.0]))
        XCTAssertEqual(small.doubles, [36.0])
    }

    func testTokenStopsALongExpression() throws {
        let x = NDArray((0..<(1 << 22)).map { Double($0) })
        let f = try JIT.compile("sin(x) * cos(x) + exp(-x)")
        let error = cancelledWhileRunning {
            for _ in 0..<100_000 { _ = try f(x: x) }  // minutes of work without the cancellation
        }
        XCTAssertTrue(error is CancellationError, String(describing: error))
        XCTAssertEqual(try f(x: NDArray([0.0])).doubles, [1.0])
    }

    func testCancelledTokenStopsTheNextCallAtOnce() throws {
        let token = CancellationToken()
        token.cancel()
        XCTAssertTrue(token.isCancelled)
        let f = try JIT.compile("x + 1")
        XCTAssertThrowsError(try JIT.withCancellation(token) { try f(x: [1.0]) }) { XCTAssertTrue($0 is CancellationError) }
        token.reset()
        XCTAssertEqual(try JIT.withCancellation(token) { try f(x: [1.0]) }.doubles, [2.0])
    }

    func testCancelledTaskStopsCalls() async throws {
        let f = try JIT.compile("x * 2")
        let task = Task { () -> Error? in
            withUnsafeCurrentTask { $0?.cancel() }
            do { _ = try await JIT.cancellable { try f(x: [1.0]) }; return nil } catch { return error }
        }
        let error = await task.value
        XCTAssertTrue(error is CancellationError, String(describing: error))
    }

    func testCallsInACancelledTaskThrow() async throws {
        let f = try JIT.compile("x * 2")
        let typed = try f.typed(NDArray.self, into: NDArray.self)
        let k = try JIT.kernels(Self.source).kernel("spin")
        let big = NDArray([Double](repeating: 1, count: 1 << 16)), bigOut = NDArray([Double](repeating: 0, count: 1 << 16))
        let small = NDArray([1.0, 2.0]), smallOut = NDArray([0.0, 0.0])
        let task = Task { () -> [Error?] in
            withUnsafeCurrentTask { $0?.cancel() }
            var errors: [Error?] = []
            func attempt(_ call: () throws -> Void) {
                do { try call(); errors.append(nil) } catch { errors.append(error) }
            }
            attempt { _ = try f(x: [1.0]) }
            attempt { _ = try f.call(NDArray([1.0]), out: NDArray([0.0])) }
            attempt { _ = try k(Int64(1)) }
            attempt { try typed(big, out: bigOut) }
            attempt { try typed(small, out: smallOut) }
            return errors
        }
        let errors = await task.value
        XCTAssertEqual(errors.count, 5)
        for (n, error) in errors.enumerated() {
            XCTAssertTrue(error is CancellationError, "call \(n): \(String(describing: error))")
        }
        XCTAssertEqual(bigOut.doubles[0], 0, "the typed call ran")
        XCTAssertEqual(smallOut.doubles, [0, 0], "the typed call ran")
        // Outside the task the same calls run.
        XCTAssertEqual(try f(x: [1.0]).doubles, [2.0])
        try typed(big, out: bigOut)
        XCTAssertEqual(bigOut.doubles[0], 2.0)
        try typed(small, out: smallOut)
        XCTAssertEqual(smallOut.doubles, [2.0, 4.0])
        XCTAssertEqual(try k(Int64(1)).doubles[0], -0.012909906458834941, accuracy: 1e-15)
    }

    /// Typed kernel calls (scalar, array and no result) made in a cancelled task throw
    /// CancellationError before the kernel runs: its writes do not happen, and the typed entry
    /// points work normally afterwards. The array-returning call allocates nothing it keeps.
    static let typedSource = """
        kernel bump(x: f64[]) -> f64 {
            x[0] += 1.0
            return x[0]
        }

        kernel fill(x: f64[]) {
            for i in 0..<len(x) { x[i] = 7.0 }
        }

        kernel twice(x: f64[]) -> f64[] {
            let out = empty_like(x)
            for i in 0..<len(x) { out[i] = 2.0 * x[i] }
            return out
        }
        """

    func testTypedKernelCallsInACancelledTaskThrowAtEntry() async throws {
        let module = try JIT.kernels(Self.typedSource, name: "typed.sj")
        let bump = try module.kernel("bump").typed(NDArray.self, returning: Double.self)
        let fill = try module.kernel("fill").typed(UnsafeMutableBufferPointer<Double>.self, returning: Void.self)
        let twice = try module.kernel("twice").typed(NDArray.self, returning: NDArray.self)
        // Big enough that twice's result would come from the buffer cache (counted as live).
        let x = NDArray((0..<4096).map(Double.init))
        let storage = UnsafeMutableBufferPointer<Double>.allocate(capacity: 2)
        storage.initialize(repeating: 0)
        defer { storage.deallocate() }
        nonisolated(unsafe) let pointer = storage
        let live = BufferCache.statistics.liveBuffers
        let errors = await Task { () -> [Error?] in
            withUnsafeCurrentTask { $0?.cancel() }
            var errors: [Error?] = []
            func attempt(_ call: () throws -> Void) {
                do { try call(); errors.append(nil) } catch { errors.append(error) }
            }
            attempt { _ = try bump(x) }
            attempt { try fill(pointer) }
            attempt { _ = try twice(x) }
            return errors
        }.value
        XCTAssertEqual(errors.count, 3)
        for (n, error) in errors.enumerated() {
            XCTAssertTrue(error is CancellationError, "call \(n): \(String(describing: error))")
        }
        XCTAssertEqual(x.doubles[0], 0, "bump ran")
        XCTAssertEqual(Array(storage), [0.0, 0.0], "fill ran")
        XCTAssertEqual(BufferCache.statistics.liveBuffers, live, "a cancelled call left a buffer behind")
        // Outside the task they run.
        XCTAssertEqual(try bump(x), 1.0)
        try fill(storage)
        XCTAssertEqual(Array(storage), [7.0, 7.0])
        XCTAssertEqual(Array(try twice(x).doubles.prefix(3)), [2.0, 2.0, 4.0])
    }

    func testCancellableStopsWhenTheTaskIsCancelled() async throws {
        let k = try JIT.kernels(Self.source).kernel("spin")
        let task = Task { () -> Error? in
            do { _ = try await JIT.cancellable { try k(Int64(1_000_000_000)) }; return nil } catch { return error }
        }
        try await Task.sleep(nanoseconds: 100_000_000)
        task.cancel()
        let error = await task.value
        XCTAssertTrue(error is CancellationError, String(describing: error))
        XCTAssertEqual(try k(Int64(1)).doubles[0], -0.012909906458834941, accuracy: 1e-15)
    }
}
