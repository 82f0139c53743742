// The kernel language's conformance suite: every production of the grammar in docs/kernels.md and
// every documented rule (types and promotion, conversions, arrays and views, negative indices and
// slices, whole-array expressions and reductions, parallel loops, random numbers, helpers), one
// case at least each, with values checked against known answers (computed with NumPy or plain
// Swift, written out here); and every class of error with its location.
import JITSema
import SwiftJIT
import XCTest

final class KernelConformanceTests: XCTestCase {
    /// Calls kernel `name` of `source` and returns every value it returns.
    func run(_ source: String, _ name: String = "k", _ args: [any JITArgument] = [],
             file: StaticString = #filePath, line: UInt = #line) throws -> [NDArray] {
        try JIT.kernels(source, name: "conformance.sj").kernel(name).callAll(args)
    }

    func double(_ source: String, _ args: [any JITArgument] = [], file: StaticString = #filePath, line: UInt = #line) throws -> Double {
        let r = try run(source, "k", args)
        XCTAssertEqual(r.first?.shape, [], file: file, line: line)
        return r[0].doubles[0]
    }

    func int(_ source: String, _ args: [any JITArgument] = [], file: StaticString = #filePath, line: UInt = #line) throws -> Int64 {
        let r = try run(source, "k", args)
        XCTAssertEqual(r.first?.dtype, .int64, file: file, line: line)
        return r[0].toArray(Int64.self)[0]
    }

    /// The error `source` gives (compiled for its declared types, or called with `args`).
    func error(_ source: String, _ args: [any JITArgument]? = nil) -> String {
        do {
            let k = try JIT.kernels(source, name: "conformance.sj").kernel("k")
            if let args { _ = try k.callAll(args) } else { _ = try k.compileDeclared() }
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    /// Asserts that `source` fails to compile with `message` at `line:column`.
    func assertError(_ source: String, _ message: String, at location: String, file: StaticString = #filePath, line: UInt = #line) {
        assertError(source, nil, message, at: location, file: file, line: line)
    }

    /// Asserts that `source` fails (called with `args`, if given) with `message` at `line:column`.
    func assertError(_ source: String, _ args: [any JITArgument]?, _ message: String, at location: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        let text = error(source, args)
        XCTAssertTrue(text.contains(message), "expected '\(message)' in: \(text)", file: file, line: line)
        XCTAssertTrue(text.contains("conformance.sj:\(location)"), "expected location \(location) in: \(text)", file: file, line: line)
    }

    // MARK: declarations, parameters, types

    func testDeclarationsParametersAndTypes() throws {
        // decl ::= 'kernel' NAME '(' params ')' '->' type block; param ::= NAME ':' type
        XCTAssertEqual(try double("kernel k(a: f64, b: f64) -> f64 { return a * b }", [2.5, 4.0]), 10)
        // untyped parameters are specialized per call
        XCTAssertEqual(try run("kernel k(a, b) { return a + b }", "k", [Int64(2), Int64(3)])[0].toArray(Int64.self), [5])
        XCTAssertEqual(try run("kernel k(a, b) { return a + b }", "k", [Float(1.5), Float(2)])[0].dtype, .float32)
        // type ::= NAME '[' ','* ']': 1-d and 2-d arrays
        let m = NDArray([1.0, 2, 3, 4, 5, 6], shape: [2, 3])
        XCTAssertEqual(try double("kernel k(m: f64[,]) -> f64 { return m[1, 2] + m.shape[1] }", [m]), 9)
        // tuple return type ::= '(' type (',' type)* ')'; return expr, expr
        let t = try run("kernel k(x: f64[]) -> (f64, i64) { return x[0], len(x) }", "k", [[7.0, 8.0]])
        XCTAssertEqual(t[0].doubles, [7])
        XCTAssertEqual(t[1].toArray(Int64.self), [2])
        // every scalar type name is accepted
        for name in ["bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "c64", "c128"] {
            let r = try run("kernel k(x: \(name)[]) -> i64 { return len(x) }", "k", [NDArray(zeros: DType(name: name)!, shape: [3])])
            XCTAssertEqual(r[0].toArray(Int64.self), [3], name)
        }
        // comments start with '#'; ';' separates statements; '//' is floor division
        XCTAssertEqual(try int("kernel k() -> i64 { var n = 7 # seven\n n = n // 2; return n }"), 3)
    }

    // MARK: statements

    func testLetVarAndEveryCompoundAssignment() throws {
        // 'let'/'var' NAME [':' type] '=' expression
        XCTAssertEqual(try double("kernel k() -> f64 { let a: f64 = 2; var b = a; b = b + 1; return b }"), 3)
        let cases: [(String, Int64)] = [("+=", 13), ("-=", 7), ("*=", 30), ("//=", 3), ("%=", 1), ("**=", 1000),
                                        ("&=", 2), ("|=", 11), ("^=", 9), ("<<=", 80), (">>=", 1)]
        for (op, want) in cases {
            let rhs = ["<<=": "3", ">>=": "3", "**=": "3"][op] ?? "3"
            XCTAssertEqual(try int("kernel k() -> i64 { var n = 10; n \(op) \(rhs); return n }"), want, op)
        }
        XCTAssertEqual(try double("kernel k() -> f64 { var x = 10.0; x /= 4; return x }"), 2.5)
        // compound assignment to an array element
        XCTAssertEqual(try run("kernel k(a: f64[]) -> f64[] { a[1] += 5; a[0] *= 3; return a }", "k", [[1.0, 2.0]])[0].doubles, [3, 7])
    }

    func testIfWhileForBreakContinue() throws {
        let branches = "kernel k(x: f64) -> i64 { if x < 0 { return -1 } else if x == 0 { return 0 } else { return 1 } }"
        XCTAssertEqual(try int(branches, [-2.0]), -1)
        XCTAssertEqual(try int(branches, [0.0]), 0)
        XCTAssertEqual(try int(branches, [3.0]), 1)
        // while, break, continue: sum of odd numbers below 20, stopping at 15
        let loop = """
        kernel k() -> i64 {
            var i = 0
            var s = 0
            while true {
                i += 1
                if i % 2 == 0 { continue }
                if i > 15 { break }
                s += i
            }
            return s
        }
        """
        XCTAssertEqual(try int(loop), 64)
        // for over a range and over stride(from:to:by:), up and down
        XCTAssertEqual(try int("kernel k(n: i64) -> i64 { var s = 0; for i in 0..<n { s += i }; return s }", [Int64(10)]), 45)
        XCTAssertEqual(try int("kernel k() -> i64 { var s = 0; for i in stride(from: 10, to: 0, by: -3) { s += i }; return s }"), 22)
        // an expression statement is a call: seed(42)
        XCTAssertEqual(try double("kernel k() -> f64 { seed(42); let a = random(); seed(42); return a - random() }"), 0)
    }

    func testParallelLoopsAndReductions() throws {
        let x = (0..<1000).map { Double($0 % 17) - 8 }
        let src = """
        kernel k(x: f64[]) -> (f64, f64, f64, f64) {
            var s = 0.0
            var p = 1.0
            var lo = inf
            var hi = -inf
            parallel for i in 0..<len(x) {
                s += x[i]
                p *= 1.0 + x[i] / 1000
                lo = min(lo, x[i])
                hi = max(hi, x[i])
            }
            return s, p, lo, hi
        }
        """
        let r = try run(src, "k", [x])
        XCTAssertEqual(r[0].doubles[0], x.reduce(0, +), accuracy: 1e-9)
        XCTAssertEqual(r[1].doubles[0], x.reduce(1.0) { $0 * (1 + $1 / 1000) }, accuracy: 1e-9)
        XCTAssertEqual(r[2].doubles[0], -8)
        XCTAssertEqual(r[3].doubles[0], 8)
        // parallel for over stride(from:to:by:), both signs of the step (Python: sum(range(9, -1, -2)) == 25)
        XCTAssertEqual(try double("kernel k(x: f64[]) -> f64 { var s = 0.0; parallel for i in stride(from: len(x) - 1, to: -1, by: -2) { s += x[i] }; return s }",
                                  [(0..<10).map(Double.init)]), 25)
        XCTAssertEqual(try int("kernel k(n: i64) -> i64 { var s = 0; parallel for i in stride(from: 3, to: n, by: 4) { s += i }; return s }", [Int64(100)]), 1275)
        XCTAssertEqual(try int("kernel k(n: i64) -> i64 { var s = 0; parallel for i in stride(from: 3, to: n, by: 4) { s += i }; return s }", [Int64(0)]), 0)
        // array elements may be written by the iterations
        XCTAssertEqual(try run("kernel k(n: i64) -> i64[] { let a = zeros(n, dtype=i64); parallel for i in stride(from: 0, to: n, by: 2) { a[i] = i }; return a }",
                               "k", [Int64(5)])[0].toArray(Int64.self), [0, 0, 2, 0, 4])
    }

    // MARK: types, promotion, assignability

    func testPromotionAndWeakLiterals() throws {
        // var n = 0 is i64, var s = 0.0 is f64
        XCTAssertEqual(try run("kernel k() { var n = 0; return n }")[0].dtype, .int64)
        XCTAssertEqual(try run("kernel k() { var s = 0.0; return s }")[0].dtype, .float64)
        // literals are weak: x * 2.5 stays f32 for an f32 x
        XCTAssertEqual(try run("kernel k(x: f32) { return x * 2.5 }", "k", [Float(2)])[0].dtype, .float32)
        // i32 + i64 promotes to i64; an i64 value may be stored in an f64 variable
        XCTAssertEqual(try run("kernel k(a: i32, b: i64) { return a + b }", "k", [Int32(1), Int64(2)])[0].dtype, .int64)
        XCTAssertEqual(try double("kernel k(n: i64) -> f64 { var s = 0.5; s = n; return s }", [Int64(3)]), 3)
        // an integer literal may be stored in a float variable, a float return converts to the declared width
        XCTAssertEqual(try run("kernel k() -> f32 { var s: f32 = 1; return s }")[0].dtype, .float32)
        XCTAssertEqual(try double("kernel k(n: i64) -> f64 { return n }", [Int64(4)]), 4)
    }

    func testAssignmentsThatLoseInformationAreErrors() {
        assertError("kernel k(x: f64) -> i64 {\n    var n = 0\n    n = 2.5\n    return n\n}", "cannot store a float64 value in 'n' of type int64", at: "3:9")
        assertError("kernel k(a: i64[]) -> i64 {\n    a[0] = 2.5\n    return a[0]\n}", "cannot store a float64 value in 'a[...]' of type int64", at: "2:12")
        assertError("kernel k(x: f64) -> i64 {\n    var n = 0\n    n += x\n    return n\n}", "convert explicitly with i64(...)", at: "3:5")
        assertError("kernel k(x: f64) -> i64 {\n    return x\n}", "returns f64 where the kernel's return type says i64", at: "2:12")
        assertError("kernel k() -> u8 {\n    let v: u8 = 300\n    return v\n}", "integer constant 300 is out of bounds for uint8", at: "2:17")
        assertError("kernel k() -> bool {\n    var b = true\n    b = 2\n    return b\n}", "cannot store a int64 value in 'b' of type bool", at: "3:9")
    }

    func testIntegerConstantsAreExact() throws {
        XCTAssertEqual(try int("kernel k() -> i64 { return 2**62 + (2**62 - 1) }"), Int64.max)
        XCTAssertEqual(try int("kernel k() -> i64 { return -7 // 2 }"), -4)
        XCTAssertEqual(try int("kernel k() -> i64 { return -7 % 3 }"), 2)
        assertError("kernel k() -> i64 {\n    return 2**63\n}", "integer constant expression overflows int64", at: "2:12")
        assertError("kernel k() -> i64 {\n    return 3037000500 * 3037000500\n}", "overflows int64", at: "2:12")
        XCTAssertThrowsError(try JIT.evaluate("i + (2**31 + 1)", ["i": [Int32(1)]])) {
            XCTAssertTrue("\($0)".contains("2147483649 is out of bounds for int32"), "\($0)")
        }
        XCTAssertThrowsError(try JIT.evaluate("2**63", [:])) { XCTAssertTrue("\($0)".contains("<expr>:1:1: error: integer constant expression overflows int64"), "\($0)") }
    }

    func testConstantsThroughBuiltinCallsAreExact() throws {
        // A function of constants is a strong NumPy scalar (NEP 50), but still a constant: its
        // arithmetic is exact, and a result outside its type is a compile-time error with a caret,
        // as 2**63 is (issue 24; NumPy's int64 scalars would wrap).
        assertError("kernel k(a: i32) -> i64 {\n    var v = a * abs(2)\n    v += 1099511627776 * max(-1, 2147483648)\n    return v\n}",
                    "integer constant expression overflows int64", at: "3:10")
        assertError("kernel k() -> i64 {\n    return abs(2**62) * abs(-2)\n}", "overflows int64", at: "2:12")
        assertError("kernel k() -> i64 {\n    return -min(-2**62 * 2, 0)\n}", "overflows int64", at: "2:12")
        assertError("kernel k() -> u8 {\n    return u8(0) - 1\n}", "integer constant expression overflows uint8", at: "2:12")
        assertError("kernel k() -> i8 {\n    return i8(100) + 100\n}", "overflows int8", at: "2:12")
        assertError("kernel k() -> i8 {\n    return -abs(i8(-128))\n}", "overflows int8", at: "2:13")
        XCTAssertEqual(try int("kernel k() -> i64 { return 1099511627776 * max(-1, 2147483) }"), 1_099_511_627_776 * 2_147_483)
        XCTAssertEqual(try int("kernel k() -> i64 { return abs(-3) * min(4, 5) - max(1, 2) }"), 10)
        // Values of variables are run-time values: they wrap as NumPy's int64 scalars do.
        XCTAssertEqual(try int("kernel k(a: i64) -> i64 { return a * 2**40 * 2**40 }", [Int64(1)]), 0)
        // An explicit conversion of a constant wraps, as a cast does.
        XCTAssertEqual(try int("kernel k() -> i64 { return i64(i8(abs(300))) }"), 44)
        // Above int64 but inside uint64 is left to run time, which has the exact value.
        XCTAssertEqual(try run("kernel k() -> u64 { return u64(2**62) * 3 }")[0].toArray(UInt64.self), [13_835_058_055_282_163_712])
        XCTAssertThrowsError(try JIT.evaluate("maximum(-1, 2147483648) * 1099511627776", [:])) {
            XCTAssertTrue("\($0)".contains("<expr>:1:1: error: integer constant expression overflows int64"), "\($0)")
        }
        XCTAssertEqual(try JIT.evaluate("abs(-3) * 4", [:]).toArray(Int64.self), [12])
    }

    func testAFailedDeclarationIsReportedOnce() {
        // The variable's type is unknown after its error: uses of it are not checked against a guess.
        let text = error("kernel k() -> u8 {\n    let mask = u8(0) - 1\n    var n = mask + 1\n    n += mask\n    return mask\n}")
        XCTAssertTrue(text.contains("conformance.sj:2:16: error: integer constant expression overflows uint8"), text)
        XCTAssertEqual(text.components(separatedBy: "error:").count - 1, 1, text)
    }

    // MARK: arrays, views, indices

    func testAllocationAndViews() throws {
        let alloc = """
        kernel k(x: f64[]) -> (f64[,], i64[], f64[], f32[], f64[], bool[]) {
            let a = zeros(2, 3)
            a[1, 2] = 5
            let b = ones(3, dtype=i64)
            let c = full(2, value=2.5)
            let d = ones_like(x, dtype=f32)
            let e = empty_like(x)
            for i in 0..<len(x) { e[i] = x[i] * 2 }
            let f = ones(2, dtype=bool)
            return a, b, c, d, e, f
        }
        """
        let r = try run(alloc, "k", [[1.0, 2.0]])
        XCTAssertEqual(r[0].shape, [2, 3])
        XCTAssertEqual(r[0].doubles, [0, 0, 0, 0, 0, 5])
        XCTAssertEqual(r[1].toArray(Int64.self), [1, 1, 1])
        XCTAssertEqual(r[2].doubles, [2.5, 2.5])
        XCTAssertEqual(r[3].toArray(Float.self), [1, 1])
        XCTAssertEqual(r[4].doubles, [2, 4])
        XCTAssertEqual(r[5].toArray(Bool.self), [true, true])
        // views: a row of a matrix (a single index drops the axis), a slice of a vector; writes go through
        let m = NDArray([1.0, 2, 3, 4, 5, 6], shape: [2, 3])
        let v = try run("kernel k(m: f64[,]) -> f64[] { let row = m[1, 0..<m.shape[1]]; row[0] = 9; return row }", "k", [m])
        XCTAssertEqual(v[0].doubles, [9, 5, 6])
        XCTAssertEqual(m.doubles, [1, 2, 3, 9, 5, 6])
        // a returned slice of an array allocated in the kernel owns its memory
        XCTAssertEqual(try run("kernel k(n: i64) -> f64[] { let a = zeros(n); a[3] = 1; let v = a[2..<4]; return v }", "k", [Int64(6)])[0].doubles, [0, 1])
    }

    func testNegativeIndicesSlicesAndSteps() throws {
        let x = (0..<10).map(Double.init)  // NumPy: x = np.arange(10.0)
        XCTAssertEqual(try double("kernel k(x: f64[]) -> f64 { return x[-1] + 10 * x[-len(x)] }", [x]), 9)        // x[-1] + 10*x[-10]
        XCTAssertEqual(try run("kernel k(x: f64[]) -> f64[] { let v = x[-3..<100]; return v }", "k", [x])[0].doubles, [7, 8, 9])  // x[-3:100]
        XCTAssertEqual(try run("kernel k(x: f64[]) -> f64[] { let v = x[0..<-7]; return v }", "k", [x])[0].doubles, [0, 1, 2])    // x[0:-7]
        XCTAssertEqual(try run("kernel k(x: f64[]) -> i64 { let v = x[5..<2]; return len(v) }", "k", [x])[0].toArray(Int64.self), [0])  // x[5:2]
        XCTAssertEqual(try run("kernel k(x: f64[]) -> f64[] { let v = x[stride(from: 1, to: 8, by: 3)]; return v }", "k", [x])[0].doubles, [1, 4, 7])  // x[1:8:3]
        XCTAssertEqual(try run("kernel k(x: f64[]) -> f64[] { let v = x[stride(from: 8, to: 1, by: -3)]; return v }", "k", [x])[0].doubles, [8, 5, 2])  // x[8:1:-3]
        XCTAssertEqual(try run("kernel k(x: f64[]) -> f64[] { let v = x[stride(from: -1, to: -len(x) - 1, by: -1)]; return v }", "k", [x])[0].doubles,
                       x.reversed())  // x[-1:-11:-1]
        XCTAssertEqual(try run("kernel k(x: f64[]) -> f64[] { let v = x[stride(from: 100, to: -100, by: -4)]; return v }", "k", [x])[0].doubles, [9, 5, 1])  // x[100:-100:-4]
        let m = NDArray((0..<12).map(Double.init), shape: [3, 4])
        XCTAssertEqual(try run("kernel k(m: f64[,]) -> f64[] { let c = m[0..<m.shape[0], -1]; return c }", "k", [m])[0].doubles, [3, 7, 11])  // m[:, -1]
        XCTAssertEqual(try double("kernel k(m: f64[,]) -> f64 { return m[-1, -2] }", [m]), 10)  // m[-1, -2]
        // a negative index wraps once: further out is an error located at the index (column 14: the caret is under the index, issue 21)
        assertError("kernel k(x: f64[]) -> f64 {\n    return x[-11]\n}", [x], "index -11 is out of range for axis 0 with size 10", at: "2:14")
        assertError("kernel k(x: f64[]) -> f64 {\n    return x[10]\n}", [x], "index 10 is out of range for axis 0 with size 10", at: "2:14")
        assertError("kernel k(x: f64[]) -> f64[] {\n    let v = x[stride(from: 0, to: 5, by: 0)]\n    return v\n}", [x], "invalid size or step 0", at: "2:13")
    }

    func testWholeArrayExpressionsAndReductions() throws {
        let x = [1.0, -4.0, 3.0, 2.5], y = [2.0, 1.0, 0.5, -1.0]
        // let z = <expression over whole arrays>: one fused loop writing a new array
        XCTAssertEqual(try run("kernel k(x: f64[], y: f64[]) -> f64[] { let z = x * 2 + y; return z }", "k", [x, y])[0].doubles, [4, -7, 6.5, 4])
        XCTAssertEqual(try run("kernel k(x: f64[]) -> f64[] { return x / len(x) }", "k", [x])[0].doubles, [0.25, -1, 0.75, 0.625])
        // reductions of whole arrays (NumPy: np.sum(x), np.max(np.abs(x)), np.sum(x*y)/len(x), ...)
        XCTAssertEqual(try double("kernel k(x: f64[]) -> f64 { return sum(x) }", [x]), 2.5)
        XCTAssertEqual(try double("kernel k(x: f64[]) -> f64 { return sum(x) / len(x) }", [x]), 0.625)
        XCTAssertEqual(try double("kernel k(x: f64[]) -> f64 { return max(abs(x)) }", [x]), 4)
        XCTAssertEqual(try double("kernel k(x: f64[], y: f64[]) -> f64 { return sum(x*y) / len(x) }", [x, y]), -0.75)
        XCTAssertEqual(try double("kernel k(x: f64[]) -> f64 { return max(abs(x - sum(x) / len(x))) }", [x]), 4.625)
        XCTAssertEqual(try double("kernel k(x: f64[]) -> f64 { return prod(x) + min(x) }", [x]), -34)
        XCTAssertEqual(try run("kernel k(x: i32[]) { return sum(x) }", "k", [[Int32(3), 1, 2]])[0].dtype, .int64)
        XCTAssertEqual(try run("kernel k(x: i32[]) { return max(x) }", "k", [[Int32(3), 1, 2]])[0].toArray(Int32.self), [3])
        XCTAssertEqual(try double("kernel k(m: f64[,]) -> f64 { return sum(m * m) }", [NDArray([1.0, 2, 3, 4], shape: [2, 2])]), 30)
        // through expression helpers, and beside a variable named like a reduction (NumPy: sum + mean + var + 3)
        let helpers = """
        func mean(a) { return sum(a) / len(a) }
        func var_(a) { return mean(a * a) - mean(a) ** 2 }
        kernel k(x: f64[]) -> f64 {
            let sum = 3.0
            return sum(x) + mean(x) + var_(x) + sum
        }
        """
        XCTAssertEqual(try double(helpers, [x]), 13.796875)
        // in conditions and loops: a while condition is recomputed every iteration
        XCTAssertEqual(try int("kernel k(x: f64[]) -> i64 { var n = 0; while sum(x) > n { n += 1 }; return n }", [x]), 3)
        XCTAssertEqual(try int("kernel k(x: f64[]) -> i64 { if sum(x) < 0 { return -1 } else if max(x) > 2 { return 1 }; return 0 }", [x]), 1)
        // per row inside a parallel loop, on views
        let m = NDArray((0..<12).map(Double.init), shape: [3, 4])
        let rows = "kernel k(m: f64[,]) -> f64[] { let out = zeros(m.shape[0]); parallel for i in 0..<m.shape[0] { let r = m[i, 0..<m.shape[1]]; out[i] = sum(r) + min(r) }; return out }"
        XCTAssertEqual(try run(rows, "k", [m])[0].doubles, [6, 26, 46])
        // min/max of an empty array is an error (NumPy raises)
        assertError("kernel k(x: f64[]) -> f64 {\n    return max(x)\n}", [[Double]()], "zero-size array to reduction operation max", at: "2:12")
        XCTAssertEqual(try double("kernel k(x: f64[]) -> f64 { return sum(x) }", [[Double]()]), 0)
        assertError("kernel k(m: f64[,]) -> f64 {\n    return sum(m, axis=0)\n}", "'axis=' is not supported here", at: "2:19")
        // whole-array operands must have one shape (checked at run time)
        assertError("kernel k(x: f64[], y: f64[]) -> f64[] {\n    let z = x + y\n    return z\n}", [[1.0], [1.0, 2.0]], "different shapes", at: "2:5")
    }

    // MARK: helpers, random numbers, builtins

    func testHelpers() throws {
        let src = """
        func sq(a) { return a * a }
        func clamp(v, lo, hi) {
            var r = v
            if r < lo { r = lo }
            if r > hi { r = hi }
            return r
        }
        kernel k(x: f64) -> f64 {
            let c = clamp(x, 0.0, 2.0)
            return sq(c) + sq(x)
        }
        """
        XCTAssertEqual(try double(src, [3.0]), 13)
        XCTAssertEqual(try double(src, [-1.0]), 1)
        assertError("func f(a) { return f(a) }\nkernel k(x: f64) -> f64 {\n    return f(x)\n}", "calls itself", at: "1:20")
    }

    func testRandomNumbersAreReproducible() throws {
        let src = """
        kernel k(n: i64) -> (f64[], f64) {
            seed(7)
            let a = empty(n)
            for i in 0..<n { a[i] = random() }
            var s = 0.0
            for i in 0..<1000 { s += normal(1.0, 2.0) }
            return a, s / 1000
        }
        """
        let first = try run(src, "k", [Int64(5)]), second = try run(src, "k", [Int64(5)])
        XCTAssertEqual(first[0].doubles, second[0].doubles)
        XCTAssertTrue(first[0].doubles.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(first[1].doubles[0], 1.0, accuracy: 0.3)
    }

    func testBuiltinNamesAreReserved() {
        assertError("kernel sin(a: f64) -> f64 { return a * 100 }\nkernel k(x: f64) -> f64 { return sin(x) }",
                    "a kernel cannot be named 'sin': it is a builtin function", at: "1:8")
        assertError("func atan(a) { return a }\nkernel k(x: f64) -> f64 { return atan(x) }", "a helper cannot be named 'atan'", at: "1:6")
        assertError("kernel zeros(n: i64) -> i64 { return n }\nkernel k(x: f64) -> f64 { return x }", "kernel-language function", at: "1:8")
        assertError("kernel pi() -> f64 { return 3.0 }\nkernel k(x: f64) -> f64 { return x }", "it is a constant", at: "1:8")
    }

    // MARK: compile-time errors and their locations

    func testMissingReturnsAreFoundOnEveryPath() throws {
        assertError("kernel k(x: f64) -> f64 {\n    if x > 0 { return x }\n}", "kernel 'k' can reach its end without returning a value", at: "3:1")
        assertError("kernel k(n: i64) -> i64 {\n    for i in 0..<n { return i }\n}", "can reach its end", at: "3:1")
        assertError("kernel k(n: i64) -> i64 {\n    while true {\n        if n > 3 { break }\n    }\n}", "can reach its end", at: "5:1")
        assertError("kernel k(n: i64) {\n    if n > 0 { return n }\n}", "other paths return a value", at: "3:1")
        // complete: every branch returns; an endless loop never ends
        XCTAssertEqual(try int("kernel k(n: i64) -> i64 { if n > 0 { return 1 } else { return 2 } }", [Int64(1)]), 1)
        XCTAssertEqual(try int("kernel k(n: i64) -> i64 { var i = 0; while true { i += 1; if i > n { return i } } }", [Int64(4)]), 5)
        // a kernel that returns nothing needs no return
        XCTAssertEqual(try run("kernel k(a: f64[]) { a[0] = 1 }", "k", [[0.0]]).count, 0)
    }

    func testEveryCompileErrorClassHasItsLocation() {
        let cases: [(String, String, String)] = [
            ("kernel k(x: f64[]) -> f64 {\n    return y[0]\n}", "unknown variable 'y'", "2:12"),
            ("kernel k(x: f64[]) -> f64 {\n    var s = 0.0\n    s += xs[0]\n    return s\n}", "did you mean 'x'?", "3:10"),
            ("kernel k(x: f64) -> f64 {\n    return x[0]\n}", "'x' is a f64 scalar; only array variables can be indexed", "2:12"),
            ("kernel k(x: f64) -> f64 {\n    return sni(x)\n}", "unknown function 'sni'", "2:12"),
            ("kernel k(x: f64) -> f64 {\n    let a = 1.0\n    a = 2.0\n    return a\n}", "cannot assign to 'a'", "3:5"),
            ("kernel k(x: f64) -> f64 {\n    break\n}", "'break' outside a loop", "2:5"),
            ("kernel k(x: f64[]) -> f64 {\n    var s = 0.0\n    parallel for i in 0..<len(x) { s = x[i] }\n    return s\n}", "shared by the iterations", "3:36"),
            ("kernel k(x: f64[]) -> f64 {\n    return x[1.5]\n}", "array indices must be integers", "2:14"),
            ("kernel k(x: f64[,]) -> f64 {\n    return x[1]\n}", "has 2 dimensions", "2:12"),
            ("kernel k(x: q64) -> f64 {\n    return x\n}", "unknown type 'q64'", "1:10"),
            ("kernel k(x: f64) -> f64 {\n    return x +* 2\n}", "expected an expression", "2:15"),
            ("kernel k(x: f64[]) -> f64 {\n    let v = x[stride(from: 0, to: 2)]\n    return v[0]\n}", "stride(from: lo, to: hi, by: step)", "2:15"),
        ]
        for (source, message, location) in cases { assertError(source, message, at: location) }
    }

    func testRunTimeErrorsHaveTheirLocation() {
        assertError("kernel k(a: i64, b: i64) -> i64 {\n    return a // b\n}", [Int64(1), Int64(0)], "integer division by zero", at: "2:12")
        assertError("kernel k(n: i64) -> f64[] {\n    let a = zeros(n)\n    return a\n}", [Int64(-1)], "invalid size", at: "2:13")
        assertError("kernel k(n: i64) -> i64 {\n    var s = 0\n    for i in stride(from: 0, to: n, by: 0) { s += i }\n    return s\n}", [Int64(3)], "invalid size or step 0", at: "3:41")
    }
}
