// Cancelling computations from Swift: a CancellationToken cancelled from another thread stops a
// running kernel (serial outer loop, parallel loop) and a long expression with CancellationError;
// JIT.cancellable in a cancelled task throws at once; JIT.cancellable stops when its task is cancelled. After
// each, the same compiled code runs again normally.
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
        for name in ["spin", "pspin"] {
            let k = try module.kernel(name)
            // 10^12 sin calls: only a cancellation ends this call within the test's time.
            let error = cancelledWhileRunning { _ = try k(Int64(1_000_000_000)) }
            XCTAssertTrue(error is CancellationError, "\(name): \(String(describing: error))")
            XCTAssertEqual(try k(Int64(1)).doubles[0], -0.012909906458834941, accuracy: 1e-15, name)
        }
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
