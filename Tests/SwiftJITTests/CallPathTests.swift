import ComplexModule
import Dispatch
import Foundation
import SwiftJIT
import XCTest

/// The per-call fast path: repeated calls reuse the previous call's plan only when every
/// argument matches it, positional calls bind in `parameterNames` order, and every way of
/// leaving the fast path (new shapes, dtypes, strides, overlapping out) still gives NumPy's result.
final class CallPathTests: XCTestCase {
    private func values(_ a: NDArray) -> [Double] { a.doubles }

    func testPositionalCallsBindInParameterOrder() throws {
        let f = try JIT.compile("x - 2*a + 10*b")
        XCTAssertEqual(f.parameterNames, ["a", "b", "x"])
        let r = try f.call(1.0, 2.0, [100.0, 200.0])
        XCTAssertEqual(values(r), [118, 218])
        XCTAssertEqual(values(try f.call(["x": [100.0, 200.0], "a": 1.0, "b": 2.0])), [118, 218])
        XCTAssertThrowsError(try f.call(1.0, 2.0)) { error in
            XCTAssertTrue("\(error)".contains("takes 3 arguments (a, b, x, in that order), got 2"), "\(error)")
        }
    }

    func testRepeatedCallsSeeNewDataAndScalars() throws {
        let f = try JIT.compile("x*k + 1")
        let out = NDArray(zeros: .float64, shape: [5])
        for round in 0..<4 {
            let x = NDArray((0..<5).map { Double($0 + round) }, shape: [5])
            let k = Double(round) + 0.5
            _ = try f.call(k, x, out: out)
            XCTAssertEqual(values(out), (0..<5).map { Double($0 + round) * k + 1 })
            XCTAssertEqual(values(try f.call(k, x)), values(out))
        }
    }

    func testChangingShapesDtypesAndStridesLeavesTheFastPath() throws {
        let f = try JIT.compile("x*2 + y")
        let a = NDArray([1.0, 2, 3, 4, 5, 6], shape: [2, 3])
        let row = NDArray([10.0, 20, 30], shape: [3])
        XCTAssertEqual(values(try f.call(a, row)), [12, 24, 36, 18, 30, 42])
        // Same call again (fast path), then a transposed view: other strides, other shape.
        XCTAssertEqual(values(try f.call(a, row)), [12, 24, 36, 18, 30, 42])
        let col = NDArray([10.0, 20], shape: [2])
        XCTAssertEqual(values(try f.call(a.transposed(), col)), [12, 28, 14, 30, 16, 32])
        // Another dtype for y: float32 promotes with float64 to float64.
        let r = try f.call(a, NDArray([Float(1), 2, 3], shape: [3]))
        XCTAssertEqual(r.dtype, .float64)
        XCTAssertEqual(values(r), [3, 6, 9, 9, 12, 15])
        // Integer arrays now: the result is int64.
        let ints = try f.call(NDArray([Int64(1), 2, 3], shape: [3]), NDArray([Int64(5), 5, 5], shape: [3]))
        XCTAssertEqual(ints.dtype, .int64)
        XCTAssertEqual(ints.toArray(Int64.self), [7, 9, 11])
        // A scalar where an array was: the fast path must not read it as an array.
        XCTAssertEqual(values(try f.call(a, 1.0)), [3, 5, 7, 9, 11, 13])
        XCTAssertEqual(values(try f.call(a, Float(1))), [3, 5, 7, 9, 11, 13])
    }

    /// A caller's own scalar type whose size is not its dtype's (here 24 bytes claiming f64) never
    /// writes past the fast path's 16-byte slot: it takes the general path, which reads its
    /// first 8 bytes as the f64, on every call.
    func testScalarTypesOfAnotherSizeTakeTheGeneralPath() throws {
        struct Wide: JITScalar {
            static var dtype: DType { .float64 }
            var value: Double, padding: (Double, Double) = (-1, -1)
        }
        var slot = (SIMD2<UInt64>(), SIMD2<UInt64>(repeating: 7))
        withUnsafeMutableBytes(of: &slot) { raw in
            if case .other = Wide(value: 2).fastArgument(scalarSlot: raw.baseAddress!) {} else {
                XCTFail("a 24-byte scalar must not be stored into the 16-byte slot")
            }
        }
        XCTAssertEqual(slot.1, SIMD2<UInt64>(repeating: 7))
        let f = try JIT.compile("x*k")
        let x = NDArray([1.0, 2.0], shape: [2])
        for k in [2.0, 3.0, 2.0] {
            XCTAssertEqual(try f.call(k, x).doubles, [k, 2 * k])
            XCTAssertEqual(try f.call(Wide(value: k), x).doubles, [k, 2 * k])
        }
    }

    /// Named arguments are bound by comparing names (up to 16 parameters) or by lookups (more):
    /// both bind every name to its parameter whatever the dictionary's order, and a missing or
    /// unknown name is an error, not a wrong binding.
    func testNamedArgumentsBindByNameWithFewAndManyParameters() throws {
        let f = try JIT.compile("x - 2*a + 10*b")
        for _ in 0..<3 {
            var d: [String: any JITArgument] = [:]
            for (name, value) in [("b", 2.0), ("x", 100.0), ("a", 1.0)].shuffled() { d[name] = value }
            XCTAssertEqual(try f.call(d).doubles, [118])
            XCTAssertEqual(try f(b: 2.0, a: 1.0, x: 100.0).doubles, [118])
        }
        XCTAssertThrowsError(try f.call(["x": 1.0, "a": 1.0, "c": 1.0])) { XCTAssertTrue("\($0)".contains("missing value for 'b'"), "\($0)") }
        XCTAssertThrowsError(try f.call(["x": 1.0, "a": 1.0, "b": 1.0, "c": 1.0])) { XCTAssertTrue("\($0)".contains("'c'"), "\($0)") }
        XCTAssertThrowsError(try f.call(["x": 1.0, "a": 1.0])) { XCTAssertTrue("\($0)".contains("'b'"), "\($0)") }
        XCTAssertThrowsError(try f(x: 1.0, a: 1.0, b: 1.0, out: 2.0)) { XCTAssertTrue("\($0)".contains("'out' must be an NDArray"), "\($0)") }
        XCTAssertEqual(try JIT.compile("2 + 3").call([String: any JITArgument]()).doubles, [5])

        // 20 parameters: v00*1 + v01*2 + ... + v19*20, with v_i = i.
        let names = (0..<20).map { String(format: "v%02d", $0) }
        let g = try JIT.compile(names.enumerated().map { "\($1)*\($0 + 1)" }.joined(separator: " + "))
        var d: [String: any JITArgument] = [:]
        for (i, name) in names.enumerated().shuffled() { d[name] = NDArray([Double(i), Double(i)], shape: [2]) }
        let want = Double((0..<20).map { $0 * ($0 + 1) }.reduce(0, +))
        XCTAssertEqual(try g.call(d).doubles, [want, want])
        XCTAssertEqual(try g.call(d).doubles, [want, want])
    }

    /// Kernels' repeated-call fast path: calls with the last specialization's dtypes and ranks
    /// skip the argument views and the type lookup; scalar results of every kind come back as
    /// they were computed; other dtypes, ranks and argument kinds leave the fast path; run-time
    /// errors on it keep their diagnostics.
    func testKernelRepeatedCallsAndScalarResults() throws {
        let m = try JIT.kernels("""
            kernel first(x: f64[]) -> f64 { return x[0] + 1.0 }
            kernel pick(x, i) { return x[i] }
            kernel flag(x: f64[]) -> bool { return x[0] > 0.5 }
            kernel small(k: i64) -> i8 { return i8(k) }
            kernel wide(k: i64) -> u64 { return u64(k) }
            kernel single(x: f64) -> f32 { return f32(x) }
            kernel rot(z: c128) -> c128 { return z * 1j }
            """, name: "fast.sj")
        let first = try m.kernel("first"), pick = try m.kernel("pick")
        for round in 0..<4 {
            let x = NDArray([Double(round), 5], shape: [2])
            XCTAssertEqual(try first(x).doubles, [Double(round) + 1])
            XCTAssertEqual(try pick(x, 1).doubles, [5])
        }
        // Another dtype, a Swift array, an integer array: each is right.
        XCTAssertEqual(try pick(NDArray([Float(1.5), 2.5], shape: [2]), 0).toArray(Float.self), [1.5])
        XCTAssertEqual(try pick([7.0, 8.0], 1).doubles, [8])
        XCTAssertEqual(try pick(NDArray([Int64(4), 9], shape: [2]), 1).toArray(Int64.self), [9])
        XCTAssertEqual(try pick(NDArray([1.0, 2], shape: [2]), 0).doubles, [1])
        // An index out of range on the fast path: the caret diagnostic, then the next call works.
        XCTAssertThrowsError(try pick(NDArray([1.0, 2], shape: [2]), 5)) { error in
            XCTAssertTrue("\(error)".contains("index 5 is out of range for axis 0 with size 2"), "\(error)")
            XCTAssertTrue("\(error)".contains("fast.sj:2:"), "\(error)")
        }
        XCTAssertEqual(try pick(NDArray([1.0, 2], shape: [2]), 1).doubles, [2])
        // Scalar results of several dtypes, each called twice (the second on the fast path).
        for _ in 0..<2 {
            let f = try m.kernel("flag")(NDArray([0.75], shape: [1]))
            XCTAssertEqual(f.dtype, .bool)
            XCTAssertEqual(f.toArray(Bool.self), [true])
            XCTAssertEqual(try m.kernel("flag")(NDArray([0.25], shape: [1])).toArray(Bool.self), [false])
            XCTAssertEqual(try m.kernel("small")(Int64(-3)).toArray(Int8.self), [-3])
            XCTAssertEqual(try m.kernel("wide")(Int64(-1)).toArray(UInt64.self), [UInt64.max])
            XCTAssertEqual(try m.kernel("single")(0.1).toArray(Float.self), [Float(0.1)])
            let z = try m.kernel("rot")(NDArray(scalar: Complex(1.0, 2.0)))
            XCTAssertEqual(z.dtype, .complex128)
            XCTAssertEqual(z.complexes, [Complex(-2.0, 1.0)])
        }
    }

    /// One-dimensional kernel results share the shape array of the last result of their length
    /// (CompiledKernelFunction.vectorShape): results of other lengths, kept or dropped, from one
    /// thread or four at once, each have their own length and values.
    func testKernelVectorResultsOfChangingLengths() throws {
        let k = try JIT.kernel("""
            kernel ramp(n: i64, start: f64) -> f64[] {
                let y = empty(n)
                for i in 0..<n { y[i] = start + i }
                return y
            }
            """, name: "ramp")
        var kept: [NDArray] = []
        for n in [3, 5, 3, 3, 0, 5, 1] {
            let y = try k(n, Double(n))
            XCTAssertEqual(y.shape, [n])
            XCTAssertEqual(y.doubles, (0..<n).map { Double(n + $0) })
            kept.append(y)
        }
        for (y, n) in zip(kept, [3, 5, 3, 3, 0, 5, 1]) {
            XCTAssertEqual(y.shape, [n])
            XCTAssertEqual(y.doubles, (0..<n).map { Double(n + $0) })
        }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for round in 0..<200 {
                let n = 1 + (round * 7 + t * 3) % 40
                do {
                    let y = try k(n, Double(t))
                    if y.shape != [n] || y.doubles != (0..<n).map({ Double(t + $0) }) {
                        failures.add("thread \(t) round \(round): shape \(y.shape), want [\(n)]")
                    }
                } catch {
                    failures.add("thread \(t): \(error)")
                }
            }
        }
        XCTAssertEqual(failures.all, [])
    }

    /// A type of the caller's own that conforms to `JITArgument` without implementing
    /// `fastArgument` (the default says `.other`): every call takes the general path through
    /// `withArgumentView`, also right after fast calls with the same shapes, and is right.
    func testArgumentTypesOutsideSwiftJITTakeTheGeneralPath() throws {
        struct Ramp: JITArgument {
            let values: [Double]
            func withArgumentView<R>(_ body: (ArgumentView) throws -> R) throws -> R {
                try values.withArgumentView(body)
            }
        }
        let f = try JIT.compile("x*2 + k")
        let x = NDArray([1.0, 2, 3], shape: [3])
        let out = NDArray(zeros: .float64, shape: [3])
        for round in 0..<3 {
            let k = Double(round)
            XCTAssertEqual(values(try f.call(k, x, out: out)), [2 + k, 4 + k, 6 + k])  // fast after the first
            XCTAssertEqual(values(try f.call(k, Ramp(values: [10, 20, 30]), out: out)), [20 + k, 40 + k, 60 + k])
            XCTAssertEqual(values(try f.call(k, Ramp(values: [1, 1, 1]))), [2 + k, 2 + k, 2 + k])
            XCTAssertEqual(values(try f.call(["x": Ramp(values: [0, 5, 0]), "k": k])), [k, 10 + k, k])
        }
        var slot = SIMD2<UInt64>()
        withUnsafeMutableBytes(of: &slot) { raw in
            let p = raw.baseAddress!
            if case .other = Ramp(values: []).fastArgument(scalarSlot: p) {} else {
                XCTFail("a type outside SwiftJIT should take the general path")
            }
            // SwiftJIT's scalars and arrays take the fast path (JITScalar's witness, not the default).
            let scalars: [(any JITArgument, DType)] = [(2.5, .float64), (Float(1.5), .float32), (7, .int64),
                                                       (Int32(-2), .int32), (UInt8(9), .uint8), (true, .bool)]
            for (value, dtype) in scalars {
                guard case .scalar(let d) = value.fastArgument(scalarSlot: p), d == dtype else {
                    XCTFail("\(value) should be a \(dtype) scalar on the fast path"); continue
                }
            }
            XCTAssertEqual(p.load(as: Bool.self), true)
            if case .array(let a) = (x as any JITArgument).fastArgument(scalarSlot: p) {
                XCTAssertEqual(a.baseAddress, x.baseAddress)
            } else {
                XCTFail("an NDArray should hand over itself")
            }
        }
    }

    func testOverlappingOutIsCopiedEvenAfterAFastCall() throws {
        let f = try JIT.compile("x + 1")
        let buffer = NDArray((0..<8).map(Double.init), shape: [8])
        let head = buffer.sliced(0..<7), tail = buffer.sliced(1..<8)
        let other = NDArray(zeros: .float64, shape: [7])
        // Two calls with the same layout set up the fast path...
        _ = try f.call(head, out: other)
        _ = try f.call(head, out: other)
        // ...then out overlaps the input shifted by one element: the result must be as if x
        // was read before anything was written (NumPy's rule), not a running sum.
        _ = try f.call(head, out: tail)
        XCTAssertEqual(values(buffer), [0, 1, 2, 3, 4, 5, 6, 7])
        // In place on the very same view is allowed and computed directly.
        _ = try f.call(buffer, out: buffer)
        _ = try f.call(buffer, out: buffer)
        XCTAssertEqual(values(buffer), [2, 3, 4, 5, 6, 7, 8, 9])
    }

    func testCallsIntoOutReturnThatArrayInEveryCallStyle() throws {
        // `out` is consuming: a call into it returns the array itself (same storage, same view),
        // on the fast path and the general one, for arrays made per call and arrays reused.
        let f = try JIT.compile("x*2.0 + 1.0")
        let x = NDArray([1.0, 2, 3, 4])
        let want: [Double] = [3, 5, 7, 9]
        let kept = NDArray(uninitialized: .float64, count: 4)
        for round in 0..<4 {  // the first call of each style takes the general path, the rest the fast one
            for (style, call) in [
                ("named", { (o: NDArray) in try f.call(["x": x], out: o) }),
                ("positional", { (o: NDArray) in try f.call(x, out: o) }),
                ("keywords", { (o: NDArray) in try f(x: x, out: o) }),
                ("evaluate", { (o: NDArray) in try JIT.evaluate("x*2.0 + 1.0", ["x": x], out: o) }),
            ] as [(String, (NDArray) throws -> NDArray)] {
                let fresh = NDArray(uninitialized: .float64, count: 4)
                let storage = fresh.storage
                let r = try call(fresh)
                XCTAssertTrue(r.storage === storage, "\(style), round \(round): not the out array")
                XCTAssertEqual(r.doubles, want, "\(style), round \(round)")
                let again = try call(kept)
                XCTAssertTrue(again.storage === kept.storage, "\(style), round \(round)")
                XCTAssertEqual(kept.doubles, want, "\(style), round \(round)")
            }
        }
        // A view as out: the same view comes back, and the elements around it are untouched.
        let base = NDArray(zeros: .float64, count: 6)
        let view = base.sliced(axis: 0, 1..<5)
        for _ in 0..<3 {
            let r = try f.call(x, out: view)
            XCTAssertEqual(r.offset, 1)
            XCTAssertEqual(r.shape, [4])
            XCTAssertEqual(base.doubles, [0, 3, 5, 7, 9, 0])
        }
        // Allocating calls still return new arrays; out of another dtype under `casting` too.
        let a = try f.call(x), b = try f.call(x)
        XCTAssertFalse(a.storage === b.storage)
        XCTAssertEqual(a.doubles, want)
        let f32 = NDArray(zeros: .float32, count: 4)
        for _ in 0..<3 {
            XCTAssertTrue(try f.call(x, out: f32, casting: .sameKind).storage === f32.storage)
            XCTAssertEqual(f32.doubles, want)
        }
        // A run-time error on the fast path still throws, and the next call works.
        let g = try JIT.compile("x ** k")
        let ints = NDArray([Int64(2), 3, 4])
        let io = NDArray(zeros: .int64, count: 3)
        for _ in 0..<2 { _ = try g.call(["x": ints, "k": Int64(2)], out: io) }
        XCTAssertEqual(io.toArray(Int64.self), [4, 9, 16])
        XCTAssertThrowsError(try g.call(["x": ints, "k": Int64(-1)], out: io)) { error in
            XCTAssertTrue("\(error)".contains("negative integer powers"), "\(error)")
        }
        XCTAssertTrue(try g.call(["x": ints, "k": Int64(3)], out: io).storage === io.storage)
        XCTAssertEqual(io.toArray(Int64.self), [8, 27, 64])
    }

    func testResultsAreFullyWrittenWithoutZeroing() throws {
        // Results are allocated without zeroing: every element must come from the kernel,
        // also for broadcast results whose rows are walked by the launcher.
        let f = try JIT.compile("a + b")
        for _ in 0..<3 {
            let r = try f.call(NDArray([1.0, 2, 3], shape: [3, 1]), NDArray([10.0, 20, 30, 40], shape: [1, 4]))
            XCTAssertEqual(r.shape, [3, 4])
            XCTAssertEqual(values(r), [11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43])
        }
        let g = try JIT.compile("x > 2")
        XCTAssertEqual(try g.call([1.0, 3.0, 5.0]).toArray(Bool.self), [false, true, true])
    }

    func testConcurrentPositionalCallsWithDifferentShapes() throws {
        let f = try JIT.compile("x*x + k")
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            let n = 3 + t % 4
            let x = NDArray((0..<n).map { Double($0 + t) }, shape: [n])
            for i in 0..<300 {
                let k = Double(i)
                guard let r = try? f.call(k, x),
                      r.doubles == (0..<n).map({ Double($0 + t) * Double($0 + t) + k }) else {
                    failures.add("thread \(t) call \(i)")
                    return
                }
            }
        }
        XCTAssertEqual(failures.all, [])
    }

    func testSmallParallelKernelLoopsRunSeriallyAndReportErrors() throws {
        let module = try JIT.kernels("""
            kernel scale(x: f64[], k: f64) -> f64[] {
                let y = empty(len(x))
                parallel for i in 0..<len(x) {
                    y[i] = x[i] * k
                }
                return y
            }
            kernel bad(x: f64[]) -> f64 {
                var s = 0.0
                parallel for i in 0..<len(x) {
                    x[i] = x[i + 1]
                }
                return s
            }
            """)
        XCTAssertEqual(try module.kernel("scale")([1.0, 2, 3], 2.0).doubles, [2, 4, 6])
        XCTAssertThrowsError(try module.kernel("bad")(NDArray([1.0, 2, 3], shape: [3]))) { error in
            XCTAssertTrue("\(error)".contains("index 3 is out of range for axis 0 with size 3"), "\(error)")
        }
    }
}

/// Failure messages collected from several threads.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
