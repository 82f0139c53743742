import JITRuntime
import SwiftJIT
import XCTest

/// Reductions vectorize on every supported LLVM (issue 15): the optimised IR of a reduction loop
/// has vector types and, for contiguous inputs, contiguous vector loads and no gathers. LLVM 14
/// gets there through the `llvm.loop.vectorize.enable` hint (its C API cannot set `reassoc`),
/// LLVM 19 through the same hint plus instruction flags; the CI runs this file against both.
final class ReductionVectorizationTests: XCTestCase {
    private let f64 = ArgumentType.array(.float64)
    private let f32 = ArgumentType.array(.float32)
    private let i64 = ArgumentType.array(.int64)

    /// The IR has a vectorized loop that reads contiguous vectors of `element` and gathers nothing.
    private func assertVectorizedContiguous(_ ir: String, element: String = "double",
                                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(ir.contains("vector.body"), "no vectorized loop:\n\(ir)", file: file, line: line)
        XCTAssertNotNil(ir.range(of: #"load <\d+ x \#(element)>"#, options: .regularExpression),
                        "no contiguous vector load of \(element):\n\(ir)", file: file, line: line)
        XCTAssertFalse(ir.contains("llvm.masked.gather"), "gather in the loop:\n\(ir)", file: file, line: line)
        let strided = stridedShuffles(ir)
        XCTAssertTrue(strided.isEmpty, "strided lanes (an interleaved load split by shuffles):\n"
                      + strided.joined(separator: "\n"), file: file, line: line)
    }

    /// The `shufflevector`s that pick lanes with a stride above 1 (`<i32 0, i32 8, ...>`): the sign of
    /// blocked accumulators read as an interleave group, as LLVM 19 did with 8 scalar accumulators.
    private func stridedShuffles(_ ir: String) -> [String] {
        ir.split(separator: "\n").map(String.init).filter { line in
            guard line.contains("shufflevector") else { return false }
            let lanes = line.matches(of: /i32 (\d+)/).compactMap { Int($0.1) }
            return lanes.count >= 2 && lanes[1] - lanes[0] > 1
        }
    }

    /// The definition of one function of a module, not a call of it (`kernel.par1` is the outlined body of the first
    /// `parallel for`; the kernel itself also holds the short loop combining the chunks' partials).
    private func function(_ name: String, in ir: String) -> String {
        let pattern = "define[^\n]*@" + NSRegularExpression.escapedPattern(for: name) + "\\("
        guard let start = ir.range(of: pattern, options: .regularExpression) else { return "" }
        let rest = ir[start.lowerBound...]
        let end = rest.range(of: "\n}\n")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    private func kernelIR(_ source: String, _ name: String, _ types: [ArgumentType],
                          mode: MathMode = .relaxed) throws -> String {
        try JIT.kernels(source, options: JIT.Options(mathMode: mode)).kernel(name).llvmIR(types)
    }

    // MARK: kernels

    private let serialSum = """
    kernel s(x: f64[]) -> f64 {
        var s = 0.0
        for i in 0..<len(x) { s += x[i] * x[i] }
        return s
    }
    """

    func testSerialSumLoopVectorizesInRelaxedAndFastMode() throws {
        for mode in [MathMode.relaxed, .fast] {
            let ir = try kernelIR(serialSum, "s", [f64], mode: mode)
            assertVectorizedContiguous(ir)
            XCTAssertNotNil(ir.range(of: #"fadd[a-z ]*<\d+ x double>"#, options: .regularExpression), ir)
        }
    }

    func testStrictModeKeepsTheOrderedSum() throws {
        let ir = try kernelIR(serialSum, "s", [f64], mode: .strict)
        XCTAssertNil(ir.range(of: #"fadd[a-z ]*<\d+ x double>"#, options: .regularExpression),
                     "strict mode must not reorder the sum:\n\(ir)")
    }

    func testParallelForReductionVectorizes() throws {
        let source = """
        kernel p(x: f32[]) -> f32 {
            var s: f32 = 0
            parallel for i in 0..<len(x) { s += x[i] }
            return s
        }
        """
        assertVectorizedContiguous(function("kernel.par1", in: try kernelIR(source, "p", [f32])), element: "float")
    }

    func testProductReductionVectorizes() throws {
        let source = """
        kernel p(x: f64[]) -> f64 {
            var r = 1.0
            for i in 0..<len(x) { r *= 1 + x[i] / 1000 }
            return r
        }
        """
        let ir = try kernelIR(source, "p", [f64])
        assertVectorizedContiguous(ir)
        XCTAssertNotNil(ir.range(of: #"fmul[a-z ]*<\d+ x double>"#, options: .regularExpression), ir)
    }

    func testRaggedArctanSumVectorizes() throws {
        let source = """
        kernel ragged_sum(X: f64[], jind: i64[]) -> f64 {
            var s = 0.0
            parallel for i in 0..<len(jind) - 1 {
                for j in jind[i]..<jind[i + 1] {
                    s += arctan(X[j] * i * j)
                }
            }
            return s
        }
        """
        assertVectorizedContiguous(function("kernel.par1", in: try kernelIR(source, "ragged_sum", [f64, i64])))
    }

    func testReductionKernelsGiveTheSameValueInEveryMode() throws {
        let x = (0..<10_001).map { sin(Double($0) * 0.37) }
        let exact = x.reduce(0) { $0 + $1 * $1 }
        for mode in MathMode.allCases {
            let k = try JIT.kernels(serialSum, options: JIT.Options(mathMode: mode)).kernel("s")
            let got = try k(x).doubles[0]
            XCTAssertEqual(got, exact, accuracy: 1e-12 * exact, "\(mode)")
        }
    }

    // MARK: kernel min/max

    /// `m = max(m, e)` / `m = min(m, e)` loops over x: serial or parallel, either argument order.
    private func minMaxKernel(_ op: String, _ element: String, dtype: String, parallel: Bool = false,
                              vFirst: Bool = true) -> String {
        let start = op == "max" ? "-inf" : "inf"
        let call = vFirst ? "\(op)(m, \(element))" : "\(op)(\(element), m)"
        return """
        kernel k(x: \(dtype)[]) -> \(dtype) {
            var m: \(dtype) = \(start)
            \(parallel ? "parallel " : "")for i in 0..<len(x) { m = \(call) }
            return m
        }
        """
    }

    /// The integer min/max the keyed loop reduces with: LLVM 14 keeps the vector select of a
    /// compare, LLVM 19 turns it into `llvm.smax`/`llvm.smin` on vectors.
    private func assertVectorIntegerMinMax(_ ir: String, bits: Int, file: StaticString = #filePath, line: UInt = #line) {
        let select = #"select <\d+ x i1> %[\w.]+, <\d+ x i\#(bits)>"#
        let intrinsic = #"@llvm\.(smax|smin)\.v\d+i\#(bits)\("#
        XCTAssertTrue(ir.range(of: select, options: .regularExpression) != nil
                      || ir.range(of: intrinsic, options: .regularExpression) != nil,
                      "no vector integer min/max on i\(bits):\n\(ir)", file: file, line: line)
    }

    func testMinMaxLoopReductionsVectorize() throws {
        for mode in [MathMode.relaxed, .fast] {
            for (dtype, element, bits) in [("f64", "double", 64), ("f32", "float", 32)] {
                for op in ["max", "min"] {
                    for (arg, vFirst) in [("x[i]", true), ("abs(x[i])", true), ("x[i] * 2 - 1", false)] {
                        let source = minMaxKernel(op, arg, dtype: dtype, vFirst: vFirst)
                        let ir = try kernelIR(source, "k", [dtype == "f64" ? f64 : f32], mode: mode)
                        assertVectorizedContiguous(ir, element: element)
                        assertVectorIntegerMinMax(ir, bits: bits)
                    }
                    let parallel = minMaxKernel(op, "x[i]", dtype: dtype, parallel: true)
                    let body = function("kernel.par1", in: try kernelIR(parallel, "k", [dtype == "f64" ? f64 : f32], mode: mode))
                    assertVectorizedContiguous(body, element: element)
                    assertVectorIntegerMinMax(body, bits: bits)
                }
            }
        }
    }

    func testWholeArrayMinMaxInKernelsVectorizes() throws {
        // Lifted into `$red = x[0]; for i { $red = max($red, x[i]) }`.
        let source = """
        kernel r(x: f64[]) -> f64 {
            return max(abs(x)) - min(x)
        }
        """
        let ir = try kernelIR(source, "r", [f64])
        assertVectorizedContiguous(ir)
        assertVectorIntegerMinMax(ir, bits: 64)
    }

    func testMinMaxLoopsThatReadTheVariableStayScalar() throws {
        // `m` also read by another statement: not a pure reduction, so no keys (the loop keeps
        // the float select); the value is still right.
        let source = """
        kernel k(x: f64[]) -> f64 {
            var m = -inf
            var s = 0.0
            for i in 0..<len(x) {
                m = max(m, x[i])
                s += m
            }
            return s
        }
        """
        let ir = try kernelIR(source, "k", [f64])
        XCTAssertNil(ir.range(of: #"@llvm\.smax\.v\d|icmp sge <"#, options: .regularExpression), ir)
        let x: [Double] = [1, 3, 2, 5, 4]
        XCTAssertEqual(try JIT.kernels(source).kernel("k")(x).doubles[0], 1 + 3 + 3 + 5 + 5)
    }

    // MARK: kernel min/max values

    /// x[i] = ((7919 i + 13) mod 10007 - 5003) / 64: exact in f32 and f64, in a scrambled order.
    private static func minMaxData(_ n: Int) -> [Double] {
        (0..<n).map { (i: Int) -> Double in
            let scrambled: Int = (i * 7919 + 13) % 10007
            return Double(scrambled - 5003) / 64
        }
    }

    /// NumPy's results over minMaxData(n) (the same for float64 and float32) of, in order,
    /// np.max(x, initial=-inf), np.min(x, initial=inf), np.max(abs(x), initial=-inf),
    /// np.min(abs(x), initial=inf): the loops below start from -inf / inf. Computed with NumPy 2.4.6.
    private static let numpyMinMax: [Int: [Double]] = [
        0: [-.infinity, .infinity, -.infinity, .infinity],
        1: [-77.96875, -77.96875, 77.96875, 77.96875],
        7: [71.625, -77.96875, 77.96875, 13.140625],
        1000: [78.078125, -78.125, 78.125, 0.046875],
        10007: [78.171875, -78.171875, 78.171875, 0.0],
    ]

    private func minMaxValueKernel(_ op: String, abs: Bool, dtype: String, parallel: Bool) -> String {
        """
        kernel k(x: \(dtype)[], start: \(dtype)) -> \(dtype) {
            var m = start
            \(parallel ? "parallel " : "")for i in 0..<len(x) { m = \(op)(m, \(abs ? "abs(x[i])" : "x[i]")) }
            return m
        }
        """
    }

    private func callMinMax(_ k: Kernel, _ x: [Double], start: Double, f32: Bool) throws -> Double {
        guard f32 else { return try k(x, start).doubles[0] }
        return Double(try k(x.map { Float($0) }, Float(start)).toArray(Float.self)[0])
    }

    /// Loop min/max against NumPy in every mode, serial and parallel, at 1 and 2 threads (2 with
    /// the pool forced on), for empty, one-element and longer arrays; a NaN anywhere (first, middle,
    /// last element, or the start value) gives NaN as NumPy's max does, except in fast mode, which
    /// assumes no NaN.
    func testMinMaxLoopValuesMatchNumPy() throws {
        let savedThreshold = Parallel.serialThreshold
        defer {
            Parallel.serialThreshold = savedThreshold
            Parallel.resetThreadCount()
        }
        let ops = [("max", false), ("min", false), ("max", true), ("min", true)]
        for mode in MathMode.allCases {
            for dtype in ["f64", "f32"] {
                for parallel in [false, true] {
                    for (column, (op, abs)) in ops.enumerated() {
                        let source = minMaxValueKernel(op, abs: abs, dtype: dtype, parallel: parallel)
                        let k = try JIT.kernels(source, options: JIT.Options(mathMode: mode)).kernel("k")
                        let start = op == "max" ? -Double.infinity : .infinity
                        let what = "\(op)\(abs ? " abs" : "") \(dtype) \(mode)\(parallel ? " parallel" : "")"
                        for threads in [1, 2] {
                            JIT.numThreads = threads
                            Parallel.serialThreshold = threads == 2 ? 0 : savedThreshold
                            for (n, expected) in Self.numpyMinMax {
                                var x = Self.minMaxData(n)
                                let got = try callMinMax(k, x, start: start, f32: dtype == "f32")
                                XCTAssertEqual(got, expected[column], "\(what) n=\(n) threads=\(threads)")
                                guard mode != .fast, n > 0 else { continue }
                                for position in Set([0, n / 2, n - 1]) {
                                    x = Self.minMaxData(n)
                                    x[position] = .nan
                                    let nan = try callMinMax(k, x, start: start, f32: dtype == "f32")
                                    XCTAssertTrue(nan.isNaN, "\(what) n=\(n) NaN at \(position) threads=\(threads): \(nan)")
                                }
                                let fromNaN = try callMinMax(k, Self.minMaxData(n), start: .nan, f32: dtype == "f32")
                                XCTAssertTrue(fromNaN.isNaN, "\(what) n=\(n) start NaN threads=\(threads): \(fromNaN)")
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: expressions

    func testExpressionReductionsReadContiguousVectors() throws {
        for mode in [MathMode.relaxed, .fast] {
            for source in ["sum(x*x)", "prod(x)"] {
                let ir = try JIT.compile(source, options: JIT.Options(mathMode: mode)).llvmIR(["x": f64])
                assertVectorizedContiguous(ir)
            }
        }
        let f = try JIT.compile("sum(x)").llvmIR(["x": f32])
        assertVectorizedContiguous(f, element: "float")
    }

    /// `sum(a*b)` accumulates with one fused multiply-add per vector on every LLVM in relaxed and
    /// fast mode (LLVM 14 had a multiply and an add: its C API sets no `contract` flag), and its
    /// vector loop is not unrolled again (LLVM 14 had unrolled it four times): both LLVMs build
    /// the same loop. Strict mode neither fuses nor reorders.
    func testSumOfProductsIsOneFusedLoopOnEveryLLVM() throws {
        for mode in [MathMode.relaxed, .fast] {
            for (source, types) in [("sum(x*x)", ["x": f64]), ("sum(x*y)", ["x": f64, "y": f64])] {
                let ir = try JIT.compile(source, options: JIT.Options(mathMode: mode)).llvmIR(types)
                assertVectorizedContiguous(ir)
                XCTAssertNotNil(ir.range(of: #"@llvm\.fmuladd\.v\d+f64\("#, options: .regularExpression),
                                "\(source) \(mode): no vector fused multiply-add:\n\(ir)")
                XCTAssertNil(ir.range(of: #"fmul[a-z ]*<\d+ x double>"#, options: .regularExpression),
                             "\(source) \(mode): a separate vector multiply:\n\(ir)")
                XCTAssertTrue(ir.contains("llvm.loop.unroll.runtime.disable"), "\(source) \(mode):\n\(ir)")
            }
        }
        let strict = try JIT.compile("sum(x*x)", options: JIT.Options(mathMode: .strict)).llvmIR(["x": f64])
        XCTAssertFalse(strict.contains("llvm.fmuladd"), strict)
    }

    /// The fused sums against exact references: sums of products of small integers over 64ths are
    /// exact in float64 whatever the order and rounding of the partial sums, so every mode, thread
    /// count and LLVM must give the reference itself; a sum of squares of tenths is checked
    /// against a compensated sum within 1e-13 (blocked pairwise error), and NaN/infinity propagate
    /// (not checked in fast mode, which assumes neither).
    func testFusedSumsMatchReferenceSums() throws {
        defer { Parallel.resetThreadCount() }
        let n = 300_001  // blocks of 4,096 and a tail, several work items
        let x: [Double] = Self.minMaxData(n)
        let y: [Double] = (0..<n).map { (i: Int) -> Double in
            let scrambled: Int = (i * 104_729 + 7) % 1009
            return Double(scrambled - 504) / 64
        }
        var exactXX = 0, exactXY = 0  // in units of 1/4096
        for i in 0..<n {
            exactXX += Int(x[i] * 64) * Int(x[i] * 64)
            exactXY += Int(x[i] * 64) * Int(y[i] * 64)
        }
        let tenths: [Double] = (0..<n).map { (i: Int) -> Double in Double(i % 1000) / 10 }
        var refTenths = 0.0, compensation = 0.0  // Kahan-compensated sum of the squares of tenths
        for v in tenths {
            let term = v * v - compensation
            let t = refTenths + term
            compensation = (t - refTenths) - term
            refTenths = t
        }
        for mode in MathMode.allCases {
            for threads in [1, 2] {
                JIT.numThreads = threads
                let xx = try JIT.compile("sum(x*x)", options: JIT.Options(mathMode: mode))
                let xy = try JIT.compile("sum(x*y)", options: JIT.Options(mathMode: mode))
                let what = "\(mode) threads=\(threads)"
                XCTAssertEqual(try xx.call(["x": x]).doubles[0], Double(exactXX) / 4096, what)
                XCTAssertEqual(try xy.call(["x": x, "y": y]).doubles[0], Double(exactXY) / 4096, what)
                XCTAssertEqual(try xx.call(["x": tenths]).doubles[0], refTenths, accuracy: 1e-13 * refTenths, what)
                guard mode != .fast else { continue }  // fast mode assumes no NaN or infinity
                var special = x
                special[n / 3] = .nan
                XCTAssertTrue(try xy.call(["x": special, "y": y]).doubles[0].isNaN, what)
                special[n / 3] = .infinity
                XCTAssertEqual(try xx.call(["x": special]).doubles[0], .infinity, what)
            }
        }
    }

    func testMinAndMaxVectorizeInEveryMode() throws {
        for mode in MathMode.allCases {
            for source in ["min(x)", "max(x)"] {
                let ir = try JIT.compile(source, options: JIT.Options(mathMode: mode)).llvmIR(["x": f64])
                XCTAssertTrue(ir.contains("vector.body"), "\(source) \(mode):\n\(ir)")
                XCTAssertFalse(ir.contains("llvm.masked.gather"), ir)
            }
        }
    }

    func testIntegerSumVectorizes() throws {
        let ir = try JIT.compile("sum(x)").llvmIR(["x": i64])
        XCTAssertTrue(ir.contains("vector.body"), ir)
        XCTAssertNotNil(ir.range(of: #"load <\d+ x i64>"#, options: .regularExpression), ir)
    }

    func testMinMaxKeepNumPySemantics() throws {
        // NaN propagates from anywhere; signed zeros, infinities and the f32 path.
        var x = (0..<5000).map { Double($0 % 97) - 48.5 }
        XCTAssertEqual(try JIT.evaluate("max(x)", ["x": x]).doubles[0], 47.5)
        XCTAssertEqual(try JIT.evaluate("min(x)", ["x": x]).doubles[0], -48.5)
        x[3777] = .nan
        XCTAssertTrue(try JIT.evaluate("max(x)", ["x": x]).doubles[0].isNaN)
        XCTAssertTrue(try JIT.evaluate("min(x)", ["x": x]).doubles[0].isNaN)
        let infinities: [Double] = [1, -.infinity, 3, .infinity, -2]
        XCTAssertEqual(try JIT.evaluate("max(x)", ["x": infinities]).doubles[0], .infinity)
        XCTAssertEqual(try JIT.evaluate("min(x)", ["x": infinities]).doubles[0], -.infinity)
        let zeros: [Double] = [0.0, -0.0, 0.0]
        XCTAssertEqual(try JIT.evaluate("min(x)", ["x": zeros]).doubles[0].sign, .minus)
        XCTAssertEqual(try JIT.evaluate("max(x)", ["x": zeros]).doubles[0].sign, .plus)
        let negatives: [Float] = (0..<1000).map { -Float($0) - 0.5 }
        XCTAssertEqual(try JIT.evaluate("max(x)", ["x": negatives]).toArray(Float.self)[0], -0.5)
        XCTAssertEqual(try JIT.evaluate("min(x)", ["x": negatives]).toArray(Float.self)[0], -999.5)
        var withNaN = negatives
        withNaN[10] = -.nan
        XCTAssertTrue(try JIT.evaluate("max(x)", ["x": withNaN]).toArray(Float.self)[0].isNaN)
    }
}
