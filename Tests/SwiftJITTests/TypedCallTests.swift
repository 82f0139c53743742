import ComplexModule
import Dispatch
import JITSema
import SwiftJIT
import XCTest

/// Typed entry points (`Kernel.typed`, `CompiledExpression.typed`): the same values as the
/// dictionary and positional paths, clear errors for wrong types and shapes at creation and at
/// call, kernels' run-time errors, and concurrent calls.
final class TypedCallTests: XCTestCase {
    static let source = """
    kernel lu(M: f64[,]) -> f64 {
        let n = M.shape[0]
        let A = empty(n, n)
        for i in 0..<n {
            for j in 0..<n { A[i, j] = M[i, j] }
        }
        for k in 0..<n - 1 {
            let piv = A[k, k]
            parallel for i in k + 1..<n {
                let l = A[i, k] / piv
                A[i, k] = l
                for j in k + 1..<n { A[i, j] -= l * A[k, j] }
            }
        }
        var p = 1.0
        for k in 0..<n { p *= A[k, k] }
        return p
    }

    kernel add_trace(a: f64[,]) -> f64[,] {
        var t = 0.0
        parallel for i in 0..<min(a.shape[0], a.shape[1]) { t += tanh(a[i, i]) }
        let out = empty_like(a)
        for i in 0..<a.shape[0] {
            for j in 0..<a.shape[1] { out[i, j] = a[i, j] + t }
        }
        return out
    }

    kernel axpy(a: f64, n: i64) -> f64 { return a * n + 1 }

    kernel scale(x: f32[], s: f32) {
        for i in 0..<len(x) { x[i] *= s }
    }

    kernel weighted(x, w) -> f64 {
        var s = 0.0
        for i in 0..<len(x) { s += x[i] * w[i] }
        return s
    }

    kernel tail(x: f64[]) -> f64[] {
        let t = x[1..<len(x)]
        return t
    }

    kernel at(x: f64[], i: i64) -> f64 { return x[i] }

    kernel ramp_tail(n: i64) -> f64[] {
        let z = zeros(n)
        for i in 0..<n { z[i] = i * 1.5 }
        let v = z[1..<n]
        return v
    }

    kernel pair(x: f64) { return x, 2 * x }

    kernel isum(b: i32[]) -> i32 {
        var c = b[0]
        for i in 1..<len(b) { c += b[i] }
        return c
    }

    kernel flag(x: f64) -> bool { return x > 0 }

    kernel cmag(z: c128) -> f64 { return abs(z) }

    kernel ctwice(z: c128) -> c128 { return z * 2 }
    """

    func module() throws -> KernelModule { try JIT.kernels(Self.source, name: "typed.sj") }

    func matrix(_ n: Int, seed: Double) -> NDArray {
        NDArray((0..<n * n).map { k in (k % (n + 1) == 0 ? 1.0 : 0) + (sin(Double(k) * seed) + 1) / Double(2 * n) },
                shape: [n, n])
    }

    // MARK: kernels: same values as the dynamic path

    func testScalarResultKernelsMatchTheDynamicPath() throws {
        let m = try module()
        let lu = try m.kernel("lu")
        let typedLU = try lu.typed(NDArray.self, returning: Double.self)
        for n in [1, 2, 10, 33] {
            let a = matrix(n, seed: Double(n) + 0.5)
            XCTAssertEqual(try typedLU(a), try lu(a).doubles[0])
        }
        let axpy = try m.kernel("axpy").typed(Double.self, Int.self, returning: Double.self)
        XCTAssertEqual(try axpy(2.5, 4), 11.0)
        XCTAssertEqual(try axpy(-1, 0), 1.0)
        let isum = try m.kernel("isum").typed(NDArray.self, returning: Int32.self)
        XCTAssertEqual(try isum(NDArray([Int32(5), -2, 7])), 10)
        let flag = try m.kernel("flag").typed(Double.self, returning: Bool.self)
        XCTAssertTrue(try flag(0.5))
        XCTAssertFalse(try flag(-0.5))
        let cmag = try m.kernel("cmag").typed(Complex<Double>.self, returning: Double.self)
        XCTAssertEqual(try cmag(Complex(3, 4)), 5)
        let ctwice = try m.kernel("ctwice").typed(Complex<Double>.self, returning: Complex<Double>.self)
        XCTAssertEqual(try ctwice(Complex(1.5, -2)), Complex(3, -4))
    }

    func testArrayResultTakesOverTheKernelsAllocation() throws {
        let k = try module().kernel("add_trace")
        let typed = try k.typed(NDArray.self, returning: NDArray.self)
        let a = NDArray((0..<10_000).map(Double.init), shape: [100, 100])
        let viaTyped = try typed(a)
        let viaDynamic = try k(a)
        XCTAssertEqual(viaTyped.shape, [100, 100])
        XCTAssertEqual(viaTyped.doubles, viaDynamic.doubles)
        // Each call returns a new array.
        let again = try typed(a)
        XCTAssertNotEqual(again.baseAddress, viaTyped.baseAddress)
        XCTAssertEqual(again.doubles, viaTyped.doubles)
    }

    func testArrayResultThatIsAViewSharesTheArgumentsStorage() throws {
        let tail = try module().kernel("tail").typed(NDArray.self, returning: NDArray.self)
        let x = NDArray([1.0, 2, 3, 4])
        let t = try tail(x)
        XCTAssertEqual(t.doubles, [2, 3, 4])
        XCTAssertEqual(t.baseAddress, x.baseAddress + 8)
        // A view of a buffer pointer's memory is copied (that memory is the caller's).
        let tailOfBuffer = try module().kernel("tail").typed(UnsafeBufferPointer<Double>.self, returning: NDArray.self)
        let xs: [Double] = [5, 6, 7]
        let copied = try xs.withUnsafeBufferPointer { buffer -> NDArray in
            let r = try tailOfBuffer(buffer)
            XCTAssertNotEqual(r.baseAddress, UnsafeMutableRawPointer(mutating: buffer.baseAddress!) + 8)
            return r
        }
        XCTAssertEqual(copied.doubles, [6, 7])
        // A slice of an array the kernel allocated keeps that allocation.
        let rampTail = try module().kernel("ramp_tail").typed(Int.self, returning: NDArray.self)
        XCTAssertEqual(try rampTail(5).doubles, [1.5, 3, 4.5, 6])
        XCTAssertEqual(try rampTail(5).doubles, try module().kernel("ramp_tail")(Int64(5)).doubles)
    }

    func testBufferPointersAndVoidKernelsWriteInPlace() throws {
        let m = try module()
        let scale = try m.kernel("scale").typed(UnsafeMutableBufferPointer<Float>.self, Float.self, returning: Void.self)
        var xs: [Float] = [1, 2, 3]
        try xs.withUnsafeMutableBufferPointer { try scale($0, 2) }
        XCTAssertEqual(xs, [2, 4, 6])
        let scaleArray = try m.kernel("scale").typed(NDArray.self, Float.self, returning: Void.self)
        let a = NDArray([Float(1), 2, 3])
        try scaleArray(a, 0.5)
        XCTAssertEqual(a.toArray(Float.self), [0.5, 1, 1.5])
        // Undeclared parameters take their types from buffer pointers (f64[] here).
        let weighted = try m.kernel("weighted").typed(UnsafeBufferPointer<Double>.self, UnsafeBufferPointer<Double>.self,
                                                      returning: Double.self)
        let x: [Double] = [1, 2, 3], w: [Double] = [0.5, 0.25, 2]
        let s = try x.withUnsafeBufferPointer { xb in try w.withUnsafeBufferPointer { wb in try weighted(xb, wb) } }
        XCTAssertEqual(s, 0.5 + 0.5 + 6)
    }

    func testExplicitTypesForUndeclaredParametersAndStridedViews() throws {
        let k = try module().kernel("weighted")
        let typed = try k.typed(NDArray.self, NDArray.self, returning: Double.self, types: [.array(.float64), .array(.float64)])
        let x = NDArray([1.0, 9, 2, 9, 3, 9]).sliced(axis: 0, 0..<6, step: 2)
        let w = NDArray([0.5, 0.25, 2])
        XCTAssertEqual(try typed(x, w), try k(x, w).doubles[0])
        XCTAssertEqual(try typed(x, w), 7.0)
    }

    func testZeroDimensionalArrayForAScalarParameter() throws {
        let axpy = try module().kernel("axpy").typed(NDArray.self, Int.self, returning: Double.self)
        XCTAssertEqual(try axpy(NDArray(scalar: 2.0), 3), 7.0)
    }

    // MARK: kernels: errors at creation

    func testCreationErrorsAreClear() throws {
        let m = try module()
        func message(_ body: () throws -> Void) -> String {
            do { try body() } catch { return "\(error)" }
            return "no error"
        }
        XCTAssertEqual(message { _ = try m.kernel("lu").typed(NDArray.self, returning: Int.self) },
                       "error: kernel 'lu' cannot return Int: make its typed entry point with returning: Double (it returns f64)")
        XCTAssertEqual(message { _ = try m.kernel("add_trace").typed(NDArray.self, returning: Double.self) },
                       "error: kernel 'add_trace' cannot return Double: make its typed entry point with returning: NDArray (it returns f64[,])")
        XCTAssertEqual(message { _ = try m.kernel("scale").typed(NDArray.self, Float.self, returning: Double.self) },
                       "error: kernel 'scale' cannot return Double: make its typed entry point with returning: Void (it returns nothing)")
        XCTAssertEqual(message { _ = try m.kernel("axpy").typed(Double.self, returning: Double.self) },
                       "error: kernel 'axpy' takes 2 arguments (a, n), but the typed entry point was given 1 type")
        XCTAssertEqual(message { _ = try m.kernel("weighted").typed(NDArray.self, NDArray.self, returning: Double.self) },
                       "error: parameter 'x' of kernel 'weighted' has no declared type and NDArray does not fix one: declare it (x: f64[]) or pass types:")
        XCTAssertEqual(message { _ = try m.kernel("pair").typed(Double.self, returning: Double.self) },
                       "error: kernel 'pair' returns 2 values (f64, f64); typed entry points return one (use callAll)")
        XCTAssertEqual(message { _ = try m.kernel("axpy").typed(Double.self, Int.self, returning: Double.self, types: [.scalar(.float64)]) },
                       "error: kernel 'axpy' takes 2 arguments (a, n), but types: lists 1")
        XCTAssertEqual(message { _ = try m.kernel("axpy").typed(Double.self, Int.self, returning: Double.self,
                                                               types: [.scalar(.float32), .scalar(.int64)]) },
                       "error: parameter 'a' of kernel 'axpy' is given as f32, but Double is always f64")
        // A Swift type that contradicts the declaration is the checker's diagnostic, with a caret.
        let declared = message { _ = try m.kernel("axpy").typed(Float.self, Int.self, returning: Double.self) }
        XCTAssertTrue(declared.contains("argument 'a' of kernel 'axpy' is declared f64 but was given f32"), declared)
        XCTAssertTrue(declared.contains("^"), declared)
    }

    // MARK: kernels: errors at call

    func testCallErrorsNameTheArgument() throws {
        let lu = try module().kernel("lu").typed(NDArray.self, returning: Double.self)
        XCTAssertThrowsError(try lu(NDArray([Float(1), 2, 3, 4], shape: [2, 2]))) { e in
            XCTAssertEqual("\(e)", "error: typed call of kernel 'lu': argument 'M' must be a float64 array of rank 2 (f64[,]), got a float32 array of shape (2, 2)")
        }
        XCTAssertThrowsError(try lu(NDArray([1.0, 2, 3, 4]))) { e in
            XCTAssertEqual("\(e)", "error: typed call of kernel 'lu': argument 'M' must be a float64 array of rank 2 (f64[,]), got a float64 array of shape (4,)")
        }
        // The entry point still works afterwards.
        XCTAssertEqual(try lu(matrix(3, seed: 1)), try module().kernel("lu")(matrix(3, seed: 1)).doubles[0])
    }

    func testRunTimeErrorsAreStillReported() throws {
        let at = try module().kernel("at").typed(NDArray.self, Int.self, returning: Double.self)
        let x = NDArray([1.0, 2, 3])
        XCTAssertEqual(try at(x, 2), 3)
        XCTAssertThrowsError(try at(x, 3)) { e in
            XCTAssertEqual("\(e)", "error: typed.sj:47:45: index 3 is out of range for axis 0 with size 3 in kernel 'at'")
        }
        XCTAssertEqual(try at(x, 0), 1)
    }

    // MARK: expressions

    func testExpressionsMatchTheDictionaryPath() throws {
        let f = try JIT.compile("2*a + 3*b")
        let g = try f.typed(NDArray.self, NDArray.self, into: NDArray.self)
        for n in [0, 1, 10, 1000] {
            let a = NDArray((0..<n).map { Double($0) * 0.5 }), b = NDArray((0..<n).map { 1 / Double($0 + 1) })
            let out = NDArray(zeros: .float64, shape: [n])
            try g(a, b, out: out)
            XCTAssertEqual(out.doubles, try f.call(["a": a, "b": b]).doubles)
        }
        // Two dimensions: arguments of out's shape.
        let a2 = NDArray((0..<12).map(Double.init), shape: [3, 4]), out2 = NDArray(zeros: .float64, shape: [3, 4])
        try g(a2, a2, out: out2)
        XCTAssertEqual(out2.doubles, (0..<12).map { 5 * Double($0) })
    }

    func testExpressionsWithFloatLiteralsAndRunTimeErrors() throws {
        // Float literals are lifted into constant operands (issue 18): the typed path passes them,
        // at one thread and at two (a long array), and a second text with other literals shares code.
        for n in [5, 300_000] {
            let x = NDArray((0..<n).map { Double($0 % 100) * 0.25 })
            for (text, k) in [("x*2.5 + 1.25", 2.5), ("x*3.5 + 1.25", 3.5)] {
                let f = try JIT.compile(text)
                let g = try f.typed(NDArray.self, into: NDArray.self)
                let out = NDArray(zeros: .float64, shape: [n])
                try g(x, out: out)
                XCTAssertEqual(out.doubles, x.doubles.map { $0 * k + 1.25 }, text)
            }
        }
        // A negative integer exponent at run time is NumPy's error, through the typed path too.
        let p = try JIT.compile("a ** b")
        let g = try p.typed(NDArray.self, NDArray.self, into: NDArray.self, dtypes: [.int64, .int64], outDType: .int64)
        let out = NDArray(zeros: .int64, shape: [3])
        XCTAssertThrowsError(try g(NDArray([Int64(2), 3, 4]), NDArray([Int64(1), -1, 2]), out: out)) { e in
            XCTAssertTrue("\(e)".contains("negative integer powers"), "\(e)")
        }
    }

    func testExpressionsWithScalarsBuffersAndOtherDTypes() throws {
        let f = try JIT.compile("x*s + 1")
        let g = try f.typed(Double.self, UnsafeBufferPointer<Double>.self, into: UnsafeMutableBufferPointer<Double>.self)
        XCTAssertEqual(f.parameterNames, ["s", "x"])
        let xs: [Double] = [1, 2, 3]
        var out = [Double](repeating: 0, count: 3)
        try xs.withUnsafeBufferPointer { x in try out.withUnsafeMutableBufferPointer { try g(2, x, out: $0) } }
        XCTAssertEqual(out, [3, 5, 7])
        // float32 arrays given by dtypes:, a float64 output by casting (safe).
        let h = try f.typed(Float.self, NDArray.self, into: NDArray.self, dtypes: [.float32, .float32], outDType: .float64)
        let o = NDArray(zeros: .float64, shape: [2])
        try h(0.5, NDArray([Float(2), 4]), out: o)
        XCTAssertEqual(o.doubles, [2, 3])
        XCTAssertEqual(try f.call(["s": Float(0.5), "x": NDArray([Float(2), 4])], out: o).doubles, [2, 3])
    }

    func testExpressionInPlaceAndLargeCalls() throws {
        let f = try JIT.compile("2*a + 3*b")
        let g = try f.typed(NDArray.self, NDArray.self, into: NDArray.self)
        let n = 100_000  // above the serial threshold: split over the pool
        let a = NDArray((0..<n).map { Double($0 % 97) }), b = NDArray((0..<n).map { Double($0 % 13) })
        let expected = try f.call(["a": a, "b": b]).doubles
        let out = NDArray(zeros: .float64, shape: [n])
        try g(a, b, out: out)
        XCTAssertEqual(out.doubles, expected)
        // out may be an input itself.
        try g(a, b, out: a)
        XCTAssertEqual(a.doubles, expected)
    }

    func testExpressionErrorsAtCreationAndCall() throws {
        func message(_ body: () throws -> Void) -> String {
            do { try body() } catch { return "\(error)" }
            return "no error"
        }
        let f = try JIT.compile("2*a + 3*b")
        XCTAssertEqual(message { _ = try f.typed(NDArray.self, into: NDArray.self) },
                       "error: '2*a + 3*b' takes 2 arguments (a, b, in that order), but the typed entry point was given 1 type")
        XCTAssertEqual(message { _ = try JIT.compile("sum(x) + x").typed(NDArray.self, into: NDArray.self) },
                       "error: typed entry points take elementwise expressions; 'sum(x) + x' has a reduction (use call)")
        XCTAssertEqual(message { _ = try f.typed(NDArray.self, NDArray.self, into: NDArray.self, outDType: .float32) },
                       "error: cannot cast the result of '2*a + 3*b' from float64 to float32 with casting='safe'")
        XCTAssertEqual(message { _ = try f.typed(Double.self, NDArray.self, into: NDArray.self, dtypes: [.float32, .float64]) },
                       "error: argument 'a' of '2*a + 3*b' is given dtype float32, but Double is always float64")
        let g = try f.typed(NDArray.self, NDArray.self, into: NDArray.self)
        let a = NDArray([1.0, 2, 3]), out = NDArray(zeros: .float64, shape: [3])
        XCTAssertEqual(message { try g(a, NDArray([1.0, 2]), out: out) },
                       "error: typed call of '2*a + 3*b': argument 'b' must be a contiguous float64 array of out's shape (3,), got a float64 array of shape (2,)")
        XCTAssertEqual(message { try g(NDArray([1.0, 2, 3, 4, 5, 6]).sliced(axis: 0, 0..<6, step: 2), a, out: out) },
                       "error: typed call of '2*a + 3*b': argument 'a' must be a contiguous float64 array of out's shape (3,), got a float64 array of shape (3,) (not contiguous)")
        XCTAssertEqual(message { try g(a, a, out: NDArray(zeros: .float32, shape: [3])) },
                       "error: typed call of '2*a + 3*b': out must be a contiguous float64 array, got a float32 array of shape (3,)")
        let big = NDArray([1.0, 2, 3, 4])
        XCTAssertEqual(message { try g(big.sliced(axis: 0, 0..<3), big.sliced(axis: 0, 0..<3), out: big.sliced(axis: 0, 1..<4)) },
                       "error: typed call of '2*a + 3*b': out overlaps argument 'a' without being the same array (call copies such an input first)")
        XCTAssertEqual(out.doubles, [0, 0, 0])
    }

    // MARK: threads

    func testConcurrentTypedCallsGiveTheSameValues() throws {
        let m = try module()
        let lu = try m.kernel("lu").typed(NDArray.self, returning: Double.self)
        let trace = try m.kernel("add_trace").typed(NDArray.self, returning: NDArray.self)
        let g = try JIT.compile("2*a + 3*b").typed(NDArray.self, NDArray.self, into: NDArray.self)
        let matrices = (0..<8).map { matrix(6 + $0, seed: Double($0) + 0.25) }
        let expectedLU = try matrices.map { try m.kernel("lu")($0).doubles[0] }
        let square = NDArray((0..<64).map(Double.init), shape: [8, 8])
        let expectedTrace = try m.kernel("add_trace")(square).doubles
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            let a = NDArray((0..<50).map { Double($0 + t) }), b = NDArray((0..<50).map { Double($0 * t) })
            let out = NDArray(zeros: .float64, shape: [50])
            let want = (0..<50).map { 2 * Double($0 + t) + 3 * Double($0 * t) }
            for i in 0..<300 {
                do {
                    if try lu(matrices[(t + i) % 8]) != expectedLU[(t + i) % 8] { failures.add("lu \(t) \(i)") }
                    if i % 10 == 0, try trace(square).doubles != expectedTrace { failures.add("trace \(t) \(i)") }
                    try g(a, b, out: out)
                    if out.doubles != want { failures.add("expression \(t) \(i)") }
                } catch {
                    failures.add("\(error)")
                }
            }
        }
        XCTAssertEqual(failures.list, [])
    }
}

/// Failures collected from several threads.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var list: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
