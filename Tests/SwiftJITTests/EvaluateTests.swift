import SwiftJIT
import XCTest

/// End-to-end: expressions compiled and run through the public API, values checked.
final class EvaluateTests: XCTestCase {
    func testQuickStartExample() throws {
        let f = try JIT.compile("x*(1+x*(1+x))")
        let r = try f(x: [1.0, 2.0, 3.0, -0.5])
        XCTAssertEqual(r.dtype, .float64)
        XCTAssertEqual(r.shape, [4])
        XCTAssertEqual(r.doubles, [3, 14, 39, -0.375])
    }

    func testScalarsAndArraysMix() throws {
        let xs = (0..<1000).map { Double($0) / 100 - 5 }
        let r = try JIT.evaluate("A*exp(-(x-x0)**2/(2*w**2))", ["A": 2.0, "x": xs, "x0": 0.5, "w": 1.5])
        for (i, x) in xs.enumerated() {
            let want = 2.0 * Foundation.exp(-(x - 0.5) * (x - 0.5) / (2 * 1.5 * 1.5))
            XCTAssertEqual(r.doubles[i], want, accuracy: 4e-16 * max(1, abs(want)), "x = \(x)")
        }
    }

    func testAllScalarArgumentsGiveAZeroDimensionalResult() throws {
        let r = try JIT.evaluate("a * b + 1", ["a": 2.0, "b": 3.0])
        XCTAssertEqual(r.shape, [])
        XCTAssertEqual(r.doubles, [7])
        let c = try JIT.evaluate("2 ** 10 + 1")
        XCTAssertEqual(c.dtype, .int64)
        XCTAssertEqual(c.toArray(Int64.self), [1025])
    }

    func testFloat32StaysFloat32WithWeakLiterals() throws {
        let r = try JIT.evaluate("x * 2.5 + 1", ["x": [Float(1), 2, 3]])
        XCTAssertEqual(r.dtype, .float32)
        XCTAssertEqual(r.toArray(Float.self), [3.5, 6, 8.5])
    }

    func testIntegerFloorDivisionAndModuloFloorLikePython() throws {
        let a: [Int64] = [7, -7, 7, -7, 5, Int64.min, Int64.min, 3]
        let b: [Int64] = [2, 2, -2, -2, 0, -1, 1, 0]
        let q = try JIT.evaluate("a // b", ["a": a, "b": b]).toArray(Int64.self)
        let m = try JIT.evaluate("a % b", ["a": a, "b": b]).toArray(Int64.self)
        XCTAssertEqual(q, [3, -4, -4, 3, 0, Int64.min, Int64.min, 0])
        XCTAssertEqual(m, [1, 1, -1, -1, 0, 0, 0, 0])
        let q32 = try JIT.evaluate("a // b", ["a": [Int32.min, -9], "b": [Int32(-1), 4]]).toArray(Int32.self)
        XCTAssertEqual(q32, [Int32.min, -3])
    }

    func testTrueDivisionOfIntegersGivesFloat64() throws {
        let r = try JIT.evaluate("a / b", ["a": [Int32(1), 3, 0], "b": [Int32(2), 0, 0]])
        XCTAssertEqual(r.dtype, .float64)
        let v = r.doubles
        XCTAssertEqual(v[0], 0.5)
        XCTAssertEqual(v[1], .infinity)
        XCTAssertTrue(v[2].isNaN)
    }

    func testShiftsOutsideTheBitWidthGiveNumPysResult() throws {
        let a: [Int64] = [1, 1, -8, 8, -8, 1]
        let s: [Int64] = [3, 64, 70, 70, 1, -1]
        XCTAssertEqual(try JIT.evaluate("a << s", ["a": a, "s": s]).toArray(Int64.self), [8, 0, 0, 0, -16, 0])
        XCTAssertEqual(try JIT.evaluate("a >> s", ["a": a, "s": s]).toArray(Int64.self), [0, 0, -1, 0, -4, 0])
    }

    func testPowers() throws {
        let x = [2.0, -3.0, 0.25]
        XCTAssertEqual(try JIT.evaluate("x**2", ["x": x]).doubles, [4, 9, 0.0625])
        XCTAssertEqual(try JIT.evaluate("x**-1", ["x": x]).doubles, [0.5, -1.0 / 3.0, 4])
        XCTAssertEqual(try JIT.evaluate("x**0.5", ["x": [4.0, 2.25]]).doubles, [2, 1.5])
        XCTAssertTrue(try JIT.evaluate("x**0.5", ["x": [-Double.infinity]]).doubles[0].isNaN,
                      "x**0.5 is sqrt(x), as in NumPy")
        XCTAssertEqual(try JIT.evaluate("x**1.5", ["x": [-Double.infinity, 4]]).doubles, [Double.infinity, 8],
                       "pow(-inf, 1.5) is +inf, not sqrt's NaN")
        XCTAssertEqual(try JIT.evaluate("x**-0.5", ["x": [-0.0]]).doubles, [Double.infinity])
        XCTAssertEqual(try JIT.evaluate("i**e", ["i": [Int64(3), -2, 7, 1, -1], "e": [Int64(4), 3, 0, 5, 3]])
                        .toArray(Int64.self), [81, -8, 1, 1, -1])
        // A negative integer exponent is NumPy's ValueError, also for the bases 1 and -1.
        XCTAssertThrowsError(try JIT.evaluate("i**e", ["i": [Int64(1), -1], "e": [Int64(-5), -3]]))
        XCTAssertEqual(try JIT.evaluate("i**3", ["i": [Int32(3), -2]]).toArray(Int32.self), [27, -8])
    }

    func testComparisonsAndLogic() throws {
        let x = [1.0, .nan, 3.0]
        XCTAssertEqual(try JIT.evaluate("(x > 1) | isnan(x)", ["x": x]).toArray(Bool.self), [false, true, true])
        XCTAssertEqual(try JIT.evaluate("x != x", ["x": x]).toArray(Bool.self), [false, true, false])
        XCTAssertEqual(try JIT.evaluate("~(x < 2)", ["x": x]).toArray(Bool.self), [false, true, true])
        XCTAssertEqual(try JIT.evaluate("where(x > 1, x, -1.0)", ["x": x]).doubles, [-1, -1, 3])
    }

    func testIsnanSurvivesEveryMathMode() throws {
        for mode in MathMode.allCases {
            let r = try JIT.evaluate("isnan(x * 2 + y) | isinf(x)", ["x": [1.0, .infinity, .nan, 0], "y": [0.0, 0, 0, .nan]],
                                     options: JIT.Options(mathMode: mode))
            XCTAssertEqual(r.toArray(Bool.self), [false, true, true, true], "\(mode)")
            let f = try JIT.evaluate("isfinite(x / y)", ["x": [1.0, 1.0, 0.0], "y": [0.0, 2.0, 0.0]],
                                     options: JIT.Options(mathMode: mode))
            XCTAssertEqual(f.toArray(Bool.self), [false, true, false], "\(mode)")
        }
    }

    func testFunctions() throws {
        let x = [0.5, -1.5, 2.5, -0.0]
        XCTAssertEqual(try JIT.evaluate("round(x)", ["x": x]).doubles, [0, -2, 2, -0.0])
        XCTAssertEqual(try JIT.evaluate("sign(x)", ["x": x]).doubles, [1, -1, 1, 0])
        XCTAssertEqual(try JIT.evaluate("maximum(x, 0)", ["x": [1.0, .nan, -1]]).doubles.map { $0.isNaN ? 99 : $0 },
                       [1, 99, 0])
        XCTAssertEqual(try JIT.evaluate("fmod(a, b)", ["a": [Int32(7), -7, 5], "b": [Int32(3), 3, 0]]).toArray(Int32.self),
                       [1, -1, 0])
        XCTAssertEqual(try JIT.evaluate("abs(i)", ["i": [Int32(-3), Int32.min]]).toArray(Int32.self), [3, Int32.min])
        XCTAssertEqual(try JIT.evaluate("arctan2(y, x)", ["y": [1.0], "x": [1.0]]).doubles[0], Double.pi / 4, accuracy: 1e-15)
        XCTAssertEqual(try JIT.evaluate("signbit(x)", ["x": x]).toArray(Bool.self), [false, true, false, true])
        XCTAssertEqual(try JIT.evaluate("copysign(3, x)", ["x": x]).doubles, [3, -3, 3, -3])
    }

    func testOutArrayAndInPlace() throws {
        let x = NDArray([1.0, 2.0, 3.0])
        let out = NDArray(zeros: .float64, shape: [3])
        let f = try JIT.compile("2*x + 1")
        let r = try f(x: x, out: out)
        XCTAssertEqual(out.doubles, [3, 5, 7])
        XCTAssertEqual(r.baseAddress, out.baseAddress)
        _ = try f(x: x, out: x)
        XCTAssertEqual(x.doubles, [3, 5, 7], "out may alias an input elementwise")
    }

    func testKeywordArgumentsBindByNameInAnyOrder() throws {
        let f = try JIT.compile("x - 2*y")
        XCTAssertEqual(try f(y: NDArray([1.0, 2.0]), x: NDArray([10.0, 20.0])).doubles, [8, 16])
        XCTAssertEqual(try f(x: NDArray([10.0, 20.0]), y: NDArray([1.0, 2.0])).doubles, [8, 16])
        XCTAssertThrowsError(try f(x: [1.0], x: [2.0])) { e in
            XCTAssertEqual("\(e)", "error: argument 'x' given twice")
        }
        XCTAssertThrowsError(try f(x: [1.0], z: [2.0], z: [3.0])) { e in
            XCTAssertEqual("\(e)", "error: argument 'z' given twice")
        }
        XCTAssertThrowsError(try f(x: [1.0], z: [2.0])) { e in
            XCTAssertTrue("\(e)".contains("'y'"), "\(e)")
        }
    }

    func testArgumentErrorsAreClear() throws {
        let f = try JIT.compile("x + y")
        XCTAssertThrowsError(try f(x: [1.0])) { e in
            XCTAssertEqual("\(e)", "error: missing value for 'y' in 'x + y'")
        }
        XCTAssertThrowsError(try f(x: [1.0], y: [1.0], z: [2.0])) { e in
            XCTAssertTrue("\(e)".contains("unexpected argument 'z'"), "\(e)")
        }
        XCTAssertThrowsError(try f(x: [1.0, 2.0], y: [1.0, 2.0, 3.0])) { e in
            XCTAssertEqual("\(e)", """
                <expr>:1:1: error: operands could not be broadcast together: 'x' has shape (2,) and 'y' has shape (3,)
                1 | x + y
                  | ^~~~~

                """)
        }
        XCTAssertThrowsError(try f(x: [1.0], y: [1.0], out: NDArray(zeros: .float32, shape: [1]))) { e in
            XCTAssertEqual("\(e)", "error: cannot cast the result from float64 to out's float32 with casting='safe'")
        }
        XCTAssertThrowsError(try f(x: [1.0], y: [1.0], out: NDArray(zeros: .float64, shape: [2]))) { e in
            XCTAssertEqual("\(e)", "error: out has shape (2,), but the result has shape (1,)")
        }
    }

    func testTypeErrorsSurfaceAtCallWithCarets() throws {
        let f = try JIT.compile("x << 1")
        XCTAssertEqual(try f(x: [Int64(1)]).toArray(Int64.self), [2])
        XCTAssertThrowsError(try f(x: [1.0])) { e in
            XCTAssertTrue("\(e)".contains("^~~~~~"), "\(e)")
        }
        XCTAssertThrowsError(try JIT.compile("sinn(x)")) { e in
            XCTAssertTrue("\(e)".contains("did you mean 'sin'?"), "\(e)")
        }
    }

    func testSecondCompileOfTheSameSignatureDoesNoLLVMWork() throws {
        let src = "x * 3.25 + y * 0.125"
        let f = try JIT.compile(src)
        _ = try f(x: [1.0], y: [2.0])
        JIT.drainBackgroundCompiles()  // a leftover second-tier kernel compile would count
        let before = JIT.cacheMisses
        let g = try JIT.compile(src)
        XCTAssertTrue(f === g)
        _ = try g(x: [5.0, 6.0], y: [1.0, 2.0])
        _ = try JIT.evaluate(src, ["x": [1.0], "y": [2.0]])
        XCTAssertEqual(JIT.cacheMisses, before)
        _ = try g(x: [Float(5)], y: [Float(1)])
        JIT.drainBackgroundCompiles()  // a tiered miss counts when its final code is compiled
        XCTAssertEqual(JIT.cacheMisses, before + 1, "a new signature compiles once")
        _ = try JIT.evaluate(src, ["x": [1.0], "y": [2.0]], options: JIT.Options(mathMode: .strict))
        JIT.drainBackgroundCompiles()
        XCTAssertEqual(JIT.cacheMisses, before + 2, "the math mode is part of the key")
    }

    func testConcurrentCompileAndCallFromManyThreads() throws {
        let exprs = (0..<8).map { "x * \($0) + sin(x) * \($0 % 3)" }
        let xs = (0..<2048).map { Double($0) / 512 }
        let failures = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            do {
                let src = exprs[i % exprs.count]
                let k = Double(i % exprs.count), m = Double((i % exprs.count) % 3)
                let r = try JIT.evaluate(src, ["x": xs]).doubles
                for (j, x) in xs.enumerated() where abs(r[j] - (x * k + Foundation.sin(x) * m)) > 1e-12 {
                    failures.withLock { $0 += 1 }
                    break
                }
            } catch {
                failures.withLock { $0 += 1 }
            }
        }
        XCTAssertEqual(failures.value, 0)
    }

    func testLargeArrayMatchesScalarLoop() throws {
        let n = 100_003
        let xs = (0..<n).map { Double($0) * 1e-4 - 3 }
        let r = try JIT.evaluate("x + x**2 + x**3 + x**4", ["x": xs], options: JIT.Options(mathMode: .strict)).doubles
        for i in stride(from: 0, to: n, by: 997) {
            let x = xs[i]
            let want = x + x * x + x * (x * x) + (x * x) * (x * x)
            XCTAssertEqual(r[i], want, "x = \(x)")
        }
    }
}

/// A value behind a lock, for counting across threads in tests.
final class Locked<T>: @unchecked Sendable {
    private var v: T
    private let lock = NSLock()
    init(_ v: T) { self.v = v }
    func withLock(_ body: (inout T) -> Void) { lock.lock(); body(&v); lock.unlock() }
    var value: T { lock.lock(); defer { lock.unlock() }; return v }
}
