// Streaming stores in kernel loops (KernelStreaming.swift): a loop writing `y[i] = ...` over at
// least StreamingStores.threshold bytes computes tiles on the stack and streams them to y. The
// elements must be exactly those of the loop as written, for every dtype width and any length
// (a tail shorter than a tile or than 64 bytes), and the loop as written must run whenever the
// tiles could differ: y read in the loop, y overlapping an input, y unaligned or strided.
import Foundation
import SwiftJIT
import XCTest

final class KernelStreamingTests: XCTestCase {
    private var saved = 0
    private var savedAutomatic = true

    override func setUp() {
        (saved, savedAutomatic) = (StreamingStores.threshold, StreamingStores.automatic)
        StreamingStores.threshold = 4096
    }

    override func tearDown() {
        StreamingStores.threshold = saved
        StreamingStores.automatic = savedAutomatic
    }

    private let source = """
        kernel fresh(x: f64[]) -> f64[] {
            let y = empty_like(x)
            for i in 0..<len(x) { y[i] = x[i] * 2.5 + 1 }
            return y
        }
        kernel into(x: f64[], y: f64[]) {
            for i in 0..<len(x) { y[i] = x[i] * 2.5 + 1 }
        }
        kernel narrow(x: f64[]) -> f32[] {
            let y = empty(len(x), dtype=f32)
            for i in 0..<len(x) {
                let t = x[i] * 0.5
                y[i] = f32(t + 1)
            }
            return y
        }
        kernel bytes(x: i64[]) -> (i8[], bool[]) {
            let y = empty(len(x), dtype=i8)
            let z = empty(len(x), dtype=bool)
            for i in 0..<len(x) { y[i] = i8(x[i] % 100) }
            for i in 0..<len(x) { z[i] = x[i] % 3 == 0 }
            return y, z
        }
        kernel rotate(x: f64[]) -> c128[] {
            let y = empty(len(x), dtype=c128)
            for i in 0..<len(x) { y[i] = x[i] * 1j + 2 }
            return y
        }
        kernel accumulate(x: f64[]) -> f64[] {
            let y = zeros(len(x))
            for i in 0..<len(x) { y[i] += x[i] * 2.5 }
            return y
        }
        kernel cleared(n: i64) -> f64[] {
            return zeros(n)
        }
        kernel inc(x: i64[], y: i64[]) {
            for i in 0..<len(x) { y[i] = x[i] + 1 }
        }
        kernel divide(x: i64[], y: i64[]) {
            for i in 0..<len(x) { y[i] = 1000 // x[i] }
        }
        """

    private func values(_ n: Int) -> [Double] { (0..<n).map { Double($0 % 1000) * 0.001 - 0.3 } }

    /// `body`'s value with streaming stores off (the loop as written) and on (from 4 KiB).
    private func directAndStreamed<T>(_ body: () throws -> T) rethrows -> (T, T) {
        StreamingStores.threshold = Int.max
        let direct = try body()
        StreamingStores.threshold = 4096
        return (direct, try body())
    }

    func testStreamedKernelResultsEqualTheLoopAsWritten() throws {
        let m = try JIT.kernels(source)
        // 4104 bytes (a 8-byte tail), a tile and a bit, several tiles with an odd tail.
        for n in [513, 2049, 70_001, (1 << 16) + 3] {
            let v = values(n), x = NDArray(v)
            var (direct, streamed) = try directAndStreamed { try m.kernel("fresh")(x).doubles }
            XCTAssertTrue(direct == streamed, "empty_like \(n)")
            XCTAssertEqual(streamed[n - 1], v[n - 1] * 2.5 + 1, accuracy: 1e-15)
            (direct, streamed) = try directAndStreamed {
                let y = NDArray(uninitialized: .float64, shape: [n])
                _ = try m.kernel("into")(x, y)
                return y.doubles
            }
            XCTAssertTrue(direct == streamed, "out \(n)")
            let f32 = try directAndStreamed { try m.kernel("narrow")(x).toArray(Float.self) }
            XCTAssertTrue(f32.0 == f32.1 && f32.1 == v.map { Float($0 * 0.5 + 1) }, "f32 \(n)")
            let xi = NDArray((0..<n).map { Int64($0 * 7) })
            let both = try m.kernel("bytes").callAll([xi])
            XCTAssertTrue(both[0].toArray(Int8.self) == (0..<n).map { Int8(($0 * 7) % 100) }, "i8 \(n)")
            XCTAssertTrue(both[1].toArray(Bool.self) == (0..<n).map { ($0 * 7) % 3 == 0 }, "bool \(n)")
            let c = try m.kernel("rotate")(x)
            XCTAssertEqual(c.dtype, .complex128)
            let pairs = UnsafeBufferPointer(start: c.baseAddress.assumingMemoryBound(to: Double.self), count: 2 * n)
            XCTAssertTrue((0..<n).allSatisfy { pairs[2 * $0] == 2 && pairs[2 * $0 + 1] == v[$0] }, "c128 \(n)")
        }
    }

    func testOnlyLoopsThatCannotTellTheDifferenceAreTiled() throws {
        let m = try JIT.kernels(source)
        let types = [ArgumentType(dtype: .float64, rank: 1)]
        XCTAssertTrue(try m.kernel("fresh").llvmIR(types).contains("sj_stream_copy"))
        XCTAssertTrue(try m.kernel("into").llvmIR(types + types).contains("sj_stream_copy"))
        // y[i] += ... reads y: written as it is.
        XCTAssertFalse(try m.kernel("accumulate").llvmIR(types).contains("sj_stream_copy"))
    }

    func testInPlaceUnalignedStridedAndOverlappingOutputs() throws {
        let m = try JIT.kernels(source)
        let into = try m.kernel("into"), inc = try m.kernel("inc")
        let n = 20_000
        let ramp = (0..<Int64(n + 8)).map { $0 * 3 }
        // In place (y is x, element for element): tiles allowed, same result.
        let a = NDArray(ramp)
        _ = try inc(a, a)
        XCTAssertTrue(a.toArray(Int64.self) == ramp.map { $0 + 1 }, "in place")
        // y ahead of x by 8 elements (64 bytes, so y is aligned): each iteration reads what the
        // one 8 before wrote, which tiles would not see; the loop as written must run.
        let b = NDArray(ramp)
        _ = try inc(b.sliced(axis: 0, 0..<n), b.sliced(axis: 0, 8..<(n + 8)))
        var want = ramp
        for i in 0..<n { want[i + 8] = want[i] + 1 }
        XCTAssertTrue(b.toArray(Int64.self) == want, "overlapping, ahead")
        // y behind x: reads run ahead of the writes, either way the same.
        let c = NDArray(ramp)
        _ = try inc(c.sliced(axis: 0, 8..<(n + 8)), c.sliced(axis: 0, 0..<n))
        want = ramp
        for i in 0..<n { want[i] = want[i + 8] + 1 }
        XCTAssertTrue(c.toArray(Int64.self) == want, "overlapping, behind")
        // Not 64-byte aligned, and strided: written directly, nothing around them touched.
        let x = NDArray(values(n))
        let reference = NDArray(uninitialized: .float64, shape: [n])
        _ = try into(x, reference)
        let base = NDArray(zeros: .float64, shape: [n + 1])
        _ = try into(x, base.sliced(axis: 0, 1..<(n + 1)))
        XCTAssertTrue(base.doubles == [0] + reference.doubles, "unaligned")
        let wide = NDArray(zeros: .float64, shape: [2 * n])
        _ = try into(x, wide.sliced(axis: 0, 0..<(2 * n), step: 2))
        let w = wide.doubles
        XCTAssertTrue(stride(from: 0, to: 2 * n, by: 2).map { w[$0] } == reference.doubles, "strided")
        XCTAssertTrue(stride(from: 1, to: 2 * n, by: 2).allSatisfy { w[$0] == 0 }, "strided gaps")
    }

    func testAnErrorInsideATileLeavesTheElementsBeforeIt() throws {
        let m = try JIT.kernels(source)
        let n = 10_000, zeroAt = 5_000  // inside the third tile of 2048
        let x = NDArray((0..<n).map { Int64($0 == zeroAt ? 0 : $0 % 50 + 1) })
        let y = NDArray([Int64](repeating: -1, count: n))
        XCTAssertThrowsError(try m.kernel("divide")(x, y))
        let got = y.toArray(Int64.self)
        XCTAssertEqual(Array(got[..<zeroAt]), (0..<zeroAt).map { 1000 / Int64($0 % 50 + 1) })
        XCTAssertTrue(got[zeroAt...].allSatisfy { $0 == -1 })
    }

    func testZerosAreZerosAfterStreamedResultsAndResultsNeverAlias() throws {
        let m = try JIT.kernels(source)
        let n = 70_001
        let x = NDArray(values(n))
        // Results of the same size class, alive together, are distinct buffers.
        let r1 = try m.kernel("fresh")(x), r2 = try m.kernel("fresh")(x)
        XCTAssertNotEqual(r1.storage.pointer, r2.storage.pointer)
        XCTAssertTrue(r1.doubles == r2.doubles)
        // Released streamed results (non-zero) come back as zeros(n).
        for _ in 0..<3 { _ = try m.kernel("fresh")(x) }
        let z = try m.kernel("cleared")(n)
        XCTAssertTrue(z.doubles.allSatisfy { $0 == 0 })
        // The same through NDArray(zeros:), at sizes with a tail that is not a multiple of 64 bytes
        // (cleared with streaming stores from the threshold on, as the kernel's buffers are).
        for (dtype, count) in [(DType.float64, n), (.int8, 5_003), (.float32, 70_001)] {
            let bytes = count * dtype.size
            let dirty = NDArray(uninitialized: dtype, shape: [count])
            dirty.baseAddress.initializeMemory(as: UInt8.self, repeating: 0xA5, count: bytes)
            let address = dirty.storage.pointer
            _ = consume dirty
            let clean = NDArray(zeros: dtype, shape: [count])
            XCTAssertEqual(clean.storage.pointer, address, "the released buffer is reused")
            let raw = UnsafeRawBufferPointer(start: clean.baseAddress, count: bytes)
            XCTAssertTrue(raw.allSatisfy { $0 == 0 }, "zeros(\(dtype), \(count))")
        }
        let acc = try m.kernel("accumulate")(x)
        XCTAssertTrue(acc.doubles == values(n).map { 0 + $0 * 2.5 })
        // Made on several threads at once: every result its own buffer, each correct.
        let made = Results()
        let kernel = try m.kernel("fresh")
        DispatchQueue.concurrentPerform(iterations: 8) { _ in made.keep(try? kernel(x)) }
        let results = made.arrays
        XCTAssertEqual(results.count, 8)
        XCTAssertEqual(Set(results.map { $0.storage.pointer }).count, 8)
        for r in results { XCTAssertTrue(r.doubles == r1.doubles) }
    }
}

/// Arrays made on several threads, kept alive together.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [NDArray] = []
    func keep(_ a: NDArray?) {
        guard let a else { return }
        lock.lock()
        kept.append(a)
        lock.unlock()
    }
    var arrays: [NDArray] { lock.lock(); defer { lock.unlock() }; return kept }
}
