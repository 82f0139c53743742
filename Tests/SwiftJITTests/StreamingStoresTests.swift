// Streaming (non-temporal) stores: outputs of at least StreamingStores.threshold bytes are computed
// in scratch tiles and streamed out; the elements must be exactly those of direct writes.
import CJITSupport
import Foundation
@testable import JITRuntime
import SwiftJIT
import XCTest

/// Outputs written with streaming stores (tiles in scratch memory, then non-temporal stores) hold
/// the same elements as direct writes: every dtype width, odd lengths, rows, unaligned `out=`.
final class StreamingStoresTests: XCTestCase {
    func testStreamedResultsEqualDirectOnes() throws {
        let (saved, automatic) = (StreamingStores.threshold, StreamingStores.automatic)
        StreamingStores.threshold = 4096
        defer { StreamingStores.threshold = saved; StreamingStores.automatic = automatic }
        for n in [4097, 70_001, (1 << 16) + 3] {
            let x = NDArray((0..<n).map { Double($0 % 1000) }), y = NDArray((0..<n).map { Double(n - $0) })
            let f64 = try JIT.compile("x + y*2 + 1")(x: x, y: y)
            XCTAssertEqual(f64.doubles, (0..<n).map { Double($0 % 1000) + Double(n - $0) * 2 + 1 }, "f64 \(n)")
            let xf = NDArray((0..<n).map { Float($0 % 1000) })
            let f32 = try JIT.compile("xf * 3")(xf: xf)
            XCTAssertEqual(f32.toArray(Float.self), (0..<n).map { Float($0 % 1000) * 3 }, "f32 \(n)")
            let xi = NDArray((0..<n).map { Int8(truncatingIfNeeded: $0) })
            let i8 = try JIT.compile("xi + xi")(xi: xi)
            XCTAssertEqual(i8.toArray(Int8.self), (0..<n).map { Int8(truncatingIfNeeded: $0) &+ Int8(truncatingIfNeeded: $0) }, "i8 \(n)")
            let b = try JIT.compile("x > 500")(x: x)
            XCTAssertEqual(b.toArray(Bool.self), (0..<n).map { $0 % 1000 > 500 }, "bool \(n)")
            let c = try JIT.compile("x * 1j + y")(x: x, y: y)
            XCTAssertEqual(c.dtype, .complex128)
            let pairs = UnsafeBufferPointer(start: c.baseAddress.assumingMemoryBound(to: Double.self), count: 2 * n)
            XCTAssertTrue((0..<n).allSatisfy { pairs[2 * $0] == Double(n - $0) && pairs[2 * $0 + 1] == Double($0 % 1000) }, "c128 \(n)")
            // Rows of a 2-D result, and an out= view that is not 64-byte aligned.
            let rows = NDArray((0..<(4 * n)).map { Double($0 % 777) }, shape: [4, n])
            let twice = try JIT.compile("r * 2")(r: rows)
            XCTAssertEqual(twice.doubles, (0..<(4 * n)).map { Double($0 % 777) * 2 }, "rows \(n)")
            let base = NDArray(zeros: .float64, shape: [n + 1])
            let view = base.sliced(axis: 0, 1..<(n + 1))
            _ = try JIT.compile("x - y").call(["x": x, "y": y], out: view)
            XCTAssertEqual(base.doubles, [0] + (0..<n).map { Double($0 % 1000) - Double(n - $0) }, "unaligned out \(n)")
        }
    }

    /// The C copy and clear (32-byte stores where the CPU has AVX, 16-byte ones else) at every
    /// 16-byte offset and odd lengths: the bytes copied or cleared exactly, none around them.
    func testStreamCopyAndZeroAtEveryOffset() {
        let capacity = 9000
        let src = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        let dst = UnsafeMutableRawPointer.allocate(byteCount: capacity + 128, alignment: 64)
        defer { src.deallocate(); dst.deallocate() }
        for i in 0..<capacity { src.storeBytes(of: UInt8(truncatingIfNeeded: i &* 31 &+ 7), toByteOffset: i, as: UInt8.self) }
        for offset in stride(from: 0, through: 48, by: 16) {
            for bytes in [0, 15, 16, 17, 48, 63, 64, 65, 127, 4096, 4111, capacity - 64] {
                dst.initializeMemory(as: UInt8.self, repeating: 0xEE, count: capacity + 128)
                sj_stream_copy(dst + offset, src, bytes)
                sj_stream_fence()
                XCTAssertEqual(memcmp(dst + offset, src, bytes), 0, "copy of \(bytes) at +\(offset)")
                XCTAssertTrue((0..<offset).allSatisfy { dst.load(fromByteOffset: $0, as: UInt8.self) == 0xEE }, "before, copy \(bytes) at +\(offset)")
                XCTAssertTrue((offset + bytes..<offset + bytes + 64).allSatisfy { dst.load(fromByteOffset: $0, as: UInt8.self) == 0xEE },
                              "after, copy \(bytes) at +\(offset)")
                for zeroAt in [offset, offset + 3] {
                    dst.initializeMemory(as: UInt8.self, repeating: 0xEE, count: capacity + 128)
                    sj_stream_zero(dst + zeroAt, bytes)
                    sj_stream_fence()
                    XCTAssertTrue((zeroAt..<zeroAt + bytes).allSatisfy { dst.load(fromByteOffset: $0, as: UInt8.self) == 0 }, "zero \(bytes) at +\(zeroAt)")
                    XCTAssertTrue((0..<zeroAt).allSatisfy { dst.load(fromByteOffset: $0, as: UInt8.self) == 0xEE }, "before, zero \(bytes) at +\(zeroAt)")
                    XCTAssertTrue((zeroAt + bytes..<zeroAt + bytes + 64).allSatisfy { dst.load(fromByteOffset: $0, as: UInt8.self) == 0xEE },
                                  "after, zero \(bytes) at +\(zeroAt)")
                }
            }
        }
    }

    /// The streaming variant's loop stores with MOVNT (aligned vector stores marked non-temporal
    /// after vectorising); the plain variant does not.
    func testStreamingVariantStoresNonTemporally() throws {
        #if arch(x86_64)
        let f = try JIT.compile("x + 2.5*y")
        let vector = ArgumentType(dtype: .float64, rank: 1, contiguous: true)
        let streaming = try f.assembly(["x": vector, "y": vector], streaming: true)
        let plain = try f.assembly(["x": vector, "y": vector])
        XCTAssertTrue(streaming.contains("vmovntpd") || streaming.contains("movntpd"), streaming)
        XCTAssertFalse(plain.contains("movnt"), plain)
        // Strided inputs and a float32 result advance by their own element sizes.
        let strided = ArgumentType(dtype: .float32, rank: 1, contiguous: false)
        XCTAssertTrue(try JIT.compile("a * 2").assembly(["a": strided], streaming: true).contains("movntp"))
        #endif
        // And the results: strided float32 input, an output large enough to stream.
        let (saved, automatic) = (StreamingStores.threshold, StreamingStores.automatic)
        StreamingStores.threshold = 4096
        defer { StreamingStores.threshold = saved; StreamingStores.automatic = automatic }
        let n = 20_011
        let wide = NDArray((0..<(2 * n)).map { Float($0 % 97) })
        let everyOther = wide.sliced(axis: 0, 0..<(2 * n), step: 2)
        let doubled = try JIT.compile("a * 2")(a: everyOther)
        XCTAssertEqual(doubled.toArray(Float.self), (0..<n).map { Float((2 * $0) % 97) * 2 })
    }

    /// The automatic choice: small outputs whose call reads and writes more than 5/8 of the
    /// last-level cache stream; the same output with less data around it does not; a size given
    /// turns the choice off.
    func testAutomaticChoiceFollowsTheLastLevelCache() throws {
        let (saved, automatic) = (StreamingStores.threshold, StreamingStores.automatic)
        defer { StreamingStores.threshold = saved; StreamingStores.automatic = automatic }
        let cache = try Self.defaultChoiceAndCache()
        let mib = 1 << 20
        XCTAssertEqual(StreamingStores.choice(outputBytes: 2 * mib, workingSetBytes: cache), .streamingSerially)
        XCTAssertEqual(StreamingStores.choice(outputBytes: 2 * mib, workingSetBytes: cache / 2), .plain)
        XCTAssertEqual(StreamingStores.choice(outputBytes: mib / 2, workingSetBytes: cache), .plain, "below the smallest output")
        XCTAssertEqual(StreamingStores.choice(outputBytes: 64 * mib, workingSetBytes: 64 * mib), .streaming, "the threshold")
        XCTAssertEqual(StreamingStores.choice(outputBytes: .max, workingSetBytes: .max), .streaming)
        StreamingStores.threshold = 64 << 20  // a size given: the automatic choice is off
        XCTAssertFalse(StreamingStores.automatic)
        XCTAssertEqual(StreamingStores.choice(outputBytes: 2 * mib, workingSetBytes: 4 * cache), .plain)
        // And in a call: four arrays of 5/32 of the cache each (an output of at least 1 MiB).
        StreamingStores.automatic = true
        let n = max(cache / 8 * 5 / 4 / 8 + 64, (1 << 20) / 8)
        let a = NDArray((0..<n).map { Double($0 % 101) }), b = NDArray((0..<n).map { Double($0 % 7) })
        let c = NDArray((0..<n).map { Double($0 % 13) })
        let d = try JIT.compile("b**2 - 4*a*c")(a: a, b: b, c: c)
        let want: [Double] = (0..<n).map { i in
            let (x, y, z) = (Double(i % 101), Double(i % 7), Double(i % 13))
            return y * y - 4 * x * z
        }
        XCTAssertEqual(d.doubles, want)
    }

    /// A launch streamed by the automatic choice alone streams only when it runs on one thread; one
    /// over the threshold streams at any thread count; a broadcast scalar does not count as data.
    func testAutomaticStreamingIsForSerialCallsOnly() throws {
        let (saved, automatic) = (StreamingStores.threshold, StreamingStores.automatic)
        defer { StreamingStores.threshold = saved; StreamingStores.automatic = automatic }
        let cache = try Self.defaultChoiceAndCache()
        let n = max(cache / 8 / 2, 1 << 17)  // two f64 streams of half the cache: the automatic rule
        let small = PreparedLaunch(plan: IterationPlan(shape: [n], strides: [[1], [1]]), itemSizes: [8, 8])
        XCTAssertTrue(small.streams)
        XCTAssertTrue(small.streamsSeriallyOnly)
        let scalarInput = PreparedLaunch(plan: IterationPlan(shape: [n], strides: [[0], [1]]), itemSizes: [8, 8])
        XCTAssertFalse(scalarInput.streams, "a broadcast scalar is not read per element")
        let huge = PreparedLaunch(plan: IterationPlan(shape: [(64 << 20) / 8], strides: [[1], [1]]), itemSizes: [8, 8])
        XCTAssertTrue(huge.streams)
        XCTAssertFalse(huge.streamsSeriallyOnly)
        // The same results at one and two threads.
        let x = NDArray((0..<n).map { Double($0 % 1000) })
        let f = try JIT.compile("x * 0.5 + 2")
        let saveThreads = JIT.numThreads
        defer { JIT.numThreads = saveThreads }
        JIT.numThreads = 1
        let one = try f(x: x)
        JIT.numThreads = 2
        let two = try f(x: x)
        XCTAssertEqual(one.doubles, two.doubles)
        XCTAssertEqual(one.doubles, (0..<n).map { Double($0 % 1000) * 0.5 + 2 })
    }

    /// Sets the default choice (64 MiB threshold, automatic on) and returns the last-level cache's
    /// size; skips the test where sysfs does not give one. The caller restores the settings.
    private static func defaultChoiceAndCache() throws -> Int {
        StreamingStores.threshold = 64 << 20
        StreamingStores.automatic = true
        guard let cache = StreamingStores.lastLevelCacheBytes else { throw XCTSkip("no last-level cache size in sysfs") }
        return cache
    }
}
