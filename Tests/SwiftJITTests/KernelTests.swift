import SwiftJIT
import XCTest

/// Kernels: statements, loops, arrays, returns and run-time errors, checked against plain Swift.
final class KernelTests: XCTestCase {
    static let source = """
    # Mandelbrot escape counts on an n x n grid over [-2, 2]^2 (W8).
    kernel mandelbrot(n: i64, maxit: i64) -> i64[,] {
        let out = zeros(n, n, dtype=i64)
        for i in 0..<n {
            for j in 0..<n {
                let cr = -2.0 + 4.0 * j / n
                let ci = -2.0 + 4.0 * i / n
                var zr = 0.0
                var zi = 0.0
                var it = 0
                while it < maxit {
                    if zr*zr + zi*zi >= 4.0 { break }
                    let t = zr*zr - zi*zi + cr
                    zi = 2*zr*zi + ci
                    zr = t
                    it += 1
                }
                out[i, j] = it
            }
        }
        return out
    }

    func sq(x) { return x * x }

    kernel total(x: f64[]) -> f64 {
        var s = 0.0
        parallel for i in 0..<len(x) {
            s += sq(x[i])
        }
        return s
    }

    kernel outside(x: f64[]) -> f64 {
        return x[len(x)]
    }

    kernel divide(a: i64, b: i64) -> i64 {
        return a // b
    }

    # untyped parameters: specialized per call signature
    kernel scale(x, k) {
        let y = empty_like(x)
        for i in 0..<x.shape[0] {
            y[i] = x[i] * k
        }
        return y, len(x)
    }

    kernel evens(n: i64) -> i64[] {
        let buf = zeros(n, dtype=i64)
        var count = 0
        for i in stride(from: 0, to: n, by: 2) {
            buf[count] = i
            count += 1
        }
        return buf[0..<count]
    }

    kernel trace(a: f64[,]) -> f64 {
        var t = 0.0
        for i in 0..<min(a.shape[0], a.shape[1]) {
            t += tanh(a[i, i])
        }
        return t
    }

    kernel branches(x: i64) -> i64 {
        if x < 0 {
            return -1
        } else if x == 0 {
            return 0
        } else {
            var k = 0
            while true {
                k += 1
                if k * k >= x { break }
                continue
            }
            return k
        }
    }

    kernel draws(n: i64, s: i64) -> f64[] {
        seed(s)
        let out = empty(n)
        for i in 0..<n { out[i] = normal(0.0, 1.0) + 0 * random() }
        return out
    }
    """

    private func module() throws -> KernelModule { try JIT.kernels(Self.source, name: "kernels.sj") }

    func testMandelbrotMatchesSwift() throws {
        let k = try module().kernel("mandelbrot")
        let n = 40, maxit = 50
        let r = try k(Int64(n), Int64(maxit))
        XCTAssertEqual(r.dtype, .int64)
        XCTAssertEqual(r.shape, [n, n])
        let got = r.toArray(Int64.self)
        for i in 0..<n {
            for j in 0..<n {
                let cr = -2.0 + 4.0 * Double(j) / Double(n), ci = -2.0 + 4.0 * Double(i) / Double(n)
                var zr = 0.0, zi = 0.0, it = 0
                while it < maxit {
                    if zr * zr + zi * zi >= 4 { break }
                    let t = zr * zr - zi * zi + cr
                    zi = 2 * zr * zi + ci
                    zr = t
                    it += 1
                }
                XCTAssertEqual(got[i * n + j], Int64(it), "(\(i), \(j))")
            }
        }
    }

    func testParallelReductionAndHelper() throws {
        let x = (0..<1000).map { Double($0) / 100 }
        let r = try module().kernel("total")(x)
        XCTAssertEqual(r.shape, [])
        XCTAssertEqual(r.doubles[0], x.map { $0 * $0 }.reduce(0, +), accuracy: 1e-9)
    }

    func testIndexOutOfRangeNamesKernelLineColumnIndexAndBound() throws {
        let k = try module().kernel("outside")
        XCTAssertThrowsError(try k([1.0, 2.0])) { e in
            // A diagnostic at the index, drawn with the source line and a caret by DiagnosticRenderer.
            XCTAssertEqual("\(e)", """
                kernels.sj:35:14: error: index 2 is out of range for axis 0 with size 2 in kernel 'outside'
                35 |     return x[len(x)]
                   |              ^~~~~~

                """)
            guard case JITError.diagnostics(let d) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(d.source.slice(d.diagnostics[0].range), "len(x)")
        }
    }

    func testIntegerDivisionByZeroIsAnError() throws {
        let k = try module().kernel("divide")
        XCTAssertEqual(try k(Int64(-7), Int64(2)).toArray(Int64.self), [-4])
        XCTAssertThrowsError(try k(Int64(1), Int64(0))) { e in
            XCTAssertTrue("\(e)".contains("integer division by zero in kernel 'divide'"), "\(e)")
        }
    }

    func testUntypedKernelSpecializesPerSignatureAndReturnsTuples() throws {
        let k = try module().kernel("scale")
        let r = try k.callAll([[1.0, 2.0, 3.0], 2.0])
        XCTAssertEqual(r[0].doubles, [2, 4, 6])
        XCTAssertEqual(r[1].toArray(Int64.self), [3])
        let f = try k.callAll([[Float(1), 2], Float(0.5)])
        XCTAssertEqual(f[0].dtype, .float32)
        XCTAssertEqual(f[0].toArray(Float.self), [0.5, 1])
    }

    func testStrideLoopsAndReturnedSlicesOfAllocations() throws {
        let r = try module().kernel("evens")(Int64(9))
        XCTAssertEqual(r.toArray(Int64.self), [0, 2, 4, 6, 8])
    }

    func testTwoDimensionalIndexingOnViews() throws {
        let a = NDArray((0..<12).map { Double($0) / 10 }, shape: [3, 4])
        let t = try module().kernel("trace")(a).doubles[0]
        XCTAssertEqual(t, Foundation.tanh(0) + Foundation.tanh(0.5) + Foundation.tanh(1.0), accuracy: 1e-15)
        let tt = try module().kernel("trace")(a.transposed()).doubles[0]
        XCTAssertEqual(tt, t, accuracy: 1e-15)
    }

    func testBranchesLoopsBreakContinue() throws {
        let k = try module().kernel("branches")
        XCTAssertEqual(try [-5, 0, 1, 10, 16].map { try k(Int64($0)).toArray(Int64.self)[0] }, [-1, 0, 1, 4, 4])
    }

    func testSeededRandomNumbersAreReproducible() throws {
        let k = try module().kernel("draws")
        let a = try k(Int64(1000), Int64(42)).doubles, b = try k(Int64(1000), Int64(42)).doubles
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, try k(Int64(1000), Int64(43)).doubles)
        let mean = a.reduce(0, +) / 1000, variance = a.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 1000
        XCTAssertEqual(mean, 0, accuracy: 0.1)
        XCTAssertEqual(variance, 1, accuracy: 0.15)
    }

    func testWrongArgumentsAreClearErrorsBeforeAnyCodeRuns() throws {
        let k = try module().kernel("mandelbrot")
        XCTAssertThrowsError(try k(Int64(3))) { e in
            XCTAssertTrue("\(e)".contains("takes 2 arguments (n, maxit), but 1 was given"), "\(e)")
        }
        XCTAssertThrowsError(try k([1.0], Int64(3))) { e in
            XCTAssertTrue("\(e)".contains("declared i64 but was given f64[]"), "\(e)")
        }
        XCTAssertThrowsError(try module().kernel("mandelbrott")) { e in
            XCTAssertTrue("\(e)".contains("did you mean 'mandelbrot'?"), "\(e)")
        }
    }
}

/// Whole-array expressions inside kernels: one fused loop nest, no temporaries.
final class KernelArrayExpressionTests: XCTestCase {
    static let source = """
    kernel plus_trace(a: f64[,]) -> f64[,] {
        var t = 0.0
        for i in 0..<a.shape[0] { t += tanh(a[i, i]) }
        return a + t
    }

    kernel combine(x: f64[], y: f64[], k: f64) -> f64[] {
        let z = sin(x) * k + y ** 2
        return z
    }
    """

    func testReturnOfAWholeArrayExpressionLikeW9() throws {
        let a = NDArray((0..<16).map { Double($0) / 16 }, shape: [4, 4])
        let r = try JIT.kernels(Self.source).kernel("plus_trace")(a)
        let t = (0..<4).map { Foundation.tanh(Double($0 * 5) / 16) }.reduce(0, +)
        XCTAssertEqual(r.shape, [4, 4])
        for (got, x) in zip(r.doubles, a.doubles) { XCTAssertEqual(got, x + t, accuracy: 1e-15) }
    }

    func testLetBoundWholeArrayExpression() throws {
        let x = [0.1, 0.2, 0.3], y = [1.0, 2.0, 3.0]
        let r = try JIT.kernels(Self.source).kernel("combine")(x, y, 2.0).doubles
        for i in 0..<3 { XCTAssertEqual(r[i], Foundation.sin(x[i]) * 2 + y[i] * y[i], accuracy: 1e-15) }
    }

    func testShapesMustAgree() throws {
        XCTAssertThrowsError(try JIT.kernels(Self.source, name: "w.sj").kernel("combine")([0.1, 0.2], [1.0], 2.0)) { e in
            XCTAssertTrue("\(e)".contains("different shapes"), "\(e)")
        }
    }
}

/// Smaller language points: constants, copies, loops inside parallel loops, helper limits.
final class KernelLanguageDetailTests: XCTestCase {
    static let source = """
    kernel consts() -> (f64, bool, bool) {
        return pi, isnan(nan), isinf(-inf)
    }

    kernel copied(a: f64[,]) -> f64[,] {
        let b = copy(a)
        b[0, 0] = 99.0
        return b
    }

    kernel triangle(n: i64) -> i64 {
        var count = 0
        parallel for i in 0..<n {
            for j in 0..<n {
                if j > i { break }
                count += 1
            }
        }
        return count
    }
    """

    func testConstantsCopiesAndBreakInsideAParallelLoopsInnerLoop() throws {
        let m = try JIT.kernels(Self.source)
        let c = try m.kernel("consts").callAll([])
        XCTAssertEqual(c[0].doubles, [Double.pi])
        XCTAssertEqual(c[1].toArray(Bool.self) + c[2].toArray(Bool.self), [true, true])
        let a = NDArray([1.0, 2, 3, 4], shape: [2, 2])
        let b = try m.kernel("copied")(a)
        XCTAssertEqual(b.doubles, [99, 2, 3, 4])
        XCTAssertEqual(a.doubles, [1, 2, 3, 4], "the argument is unchanged")
        XCTAssertEqual(try m.kernel("triangle")(Int64(10)).toArray(Int64.self), [55])
    }

    func testPythonBooleanOperatorsGiveOneError() throws {
        XCTAssertThrowsError(try JIT.compile("(x > 1) and (x < 5)")) { e in
            XCTAssertEqual("\(e)".components(separatedBy: "error:").count - 1, 1, "\(e)")
        }
        XCTAssertThrowsError(try JIT.compile("x > 1 and x < 5")) { e in
            XCTAssertFalse("\(e)".contains("chained"), "\(e)")
        }
    }
}

/// Kernels over every kind of dtype: complex, small integers, float32, bool.
final class KernelTypeTests: XCTestCase {
    static let source = """
    kernel cplx(z: c128[], w: c128) -> c128 {
        var s = 0j
        for i in 0..<len(z) { s += z[i] * w }
        return s
    }
    kernel small(a: u8[], b: i16[]) -> i64 {
        var s = 0
        for i in 0..<len(a) { s += a[i] * b[i] }
        return s
    }
    kernel f32sum(a: f32[]) -> f32 {
        var s: f32 = 0.0
        for i in 0..<len(a) { s += a[i] }
        return s
    }
    kernel flags(a: bool[]) -> i64 {
        var n = 0
        for i in 0..<len(a) { if a[i] { n += 1 } }
        return n
    }
    """

    func testEveryKindOfDType() throws {
        let m = try JIT.kernels(Self.source)
        let z = NDArray(zeros: .complex128, shape: [2])
        z.setElement(0, .complex(1, 2))
        z.setElement(1, .complex(3, -1))
        let w = NDArray(zeros: .complex128, shape: [])
        w.setElement(0, .complex(0, 1))
        XCTAssertEqual(try m.kernel("cplx")(z, w).element(0), .complex(-1, 4))
        // uint8 * int16 is int16 (NumPy), wrapping: 200 * -3 = -600, 100 * 4 = 400.
        XCTAssertEqual(try m.kernel("small")([UInt8(200), 100], [Int16(-3), 4]).toArray(Int64.self), [-200])
        let f = try m.kernel("f32sum")([Float(0.5), 0.25])
        XCTAssertEqual(f.dtype, .float32)
        XCTAssertEqual(f.toArray(Float.self), [0.75])
        XCTAssertEqual(try m.kernel("flags")([true, false, true]).toArray(Int64.self), [2])
    }
}

/// Helpers with statements, inlined where a statement calls them.
final class KernelHelperTests: XCTestCase {
    static let source = """
    func rowsum(m, i) {
        var s = 0.0
        for j in 0..<m.shape[1] { s += m[i, j] }
        return s
    }

    func clamp(x, lo, hi) {
        var y = x
        if y < lo { y = lo }
        if y > hi { y = hi }
        return y
    }

    kernel rowmax(m: f64[,]) -> f64 {
        var best = -inf
        for i in 0..<m.shape[0] {
            let s = rowsum(m, i)
            best = max(best, s)
        }
        var c = 0.0
        c = clamp(best, 0.0, 10.0)
        return c
    }
    """

    func testHelpersWithLoopsAndBranches() throws {
        let m = NDArray([1.0, 2, 3, 4, 5, 6], shape: [2, 3])
        XCTAssertEqual(try JIT.kernels(Self.source).kernel("rowmax")(m).doubles, [10])
        let small = NDArray([1.0, 2, 0.5, 0.25], shape: [2, 2])
        XCTAssertEqual(try JIT.kernels(Self.source).kernel("rowmax")(small).doubles, [3])
    }

    func testHelpersWithEarlyReturnsAreReported() throws {
        let source = """
        func f(x) {
            if x > 0.0 { return 1.0 }
            return 2.0
        }
        kernel k(a: f64) -> f64 {
            let v = f(a)
            return v
        }
        """
        XCTAssertThrowsError(try JIT.kernels(source).kernel("k").compileDeclared()) { e in
            XCTAssertTrue("\(e)".contains("must end with its only 'return <value>'"), "\(e)")
        }
    }
}

/// Allocation sizes that are negative or too large are errors, never a wrapped-around allocation.
final class KernelAllocationLimitTests: XCTestCase {
    func testHugeAndNegativeShapes() throws {
        let k = try JIT.kernels("""
        kernel make(n: i64, m: i64) -> i64 {
            let a = zeros(n, m)
            return len(a)
        }
        """, name: "alloc.sj").kernel("make")
        XCTAssertEqual(try k(Int64(3), Int64(4)).toArray(Int64.self), [3])
        XCTAssertThrowsError(try k(Int64(1) << 31, Int64(1) << 31)) { e in
            XCTAssertTrue("\(e)".contains("invalid size"), "\(e)")
        }
        XCTAssertThrowsError(try k(Int64(-1), Int64(4))) { e in
            XCTAssertTrue("\(e)".contains("invalid size or step -1"), "\(e)")
        }
        XCTAssertThrowsError(try k(Int64(1) << 62, Int64(4)))
    }

    /// zeros() is cleared memory, ones()/full() are filled, empty() is written by the kernel: only
    /// zeros() asks the runtime for cleared memory, so a zeros() array that reuses memory an
    /// earlier empty() array filled with 7s must still read 0.
    func testEveryAllocationHoldsWhatItPromises() throws {
        let m = try JIT.kernels("""
        kernel scribble(n: i64) -> f64 {
            let e = empty(n, 4)
            for i in 0..<n { for j in 0..<4 { e[i, j] = 7.0 } }
            return e[n - 1, 3]
        }
        kernel sums(n: i64) -> (f64, f64, f64, i64) {
            let z = zeros(n, 4)
            let o = ones(n, dtype=i32)
            let f = full(n, value=2.5)
            let l = zeros_like(o)
            var sz = 0.0
            var so = 0.0
            var sf = 0.0
            var sl = 0
            for i in 0..<n {
                for j in 0..<4 { sz += z[i, j] }
                so += o[i]
                sf += f[i]
                sl += l[i]
            }
            return sz, so, sf, sl
        }
        """, name: "alloc.sj")
        for n in [1, 33, 5_000] {
            XCTAssertEqual(try m.kernel("scribble")(Int64(n)).doubles, [7])
            let r = try m.kernel("sums").callAll([Int64(n)])
            XCTAssertEqual(r.map { $0.doubles[0] }, [0, Double(n), 2.5 * Double(n), 0], "n = \(n)")
        }
    }
}
