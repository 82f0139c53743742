import Foundation
import JITLowering
import JITRuntime
import SwiftJIT
import XCTest

/// The vectorised math functions (Sources/JITLowering/VectorMath*.swift): documented error bounds
/// (docs/vector-math.md) on a few thousand arguments per function, special values, huge
/// trigonometric arguments, and that the loops really are vector code without libm calls.
/// float32 results are checked against glibc in Double (within 1e-3 ULP of float32 exact);
/// float64 against glibc's double functions (correctly rounded in practice for these), so the
/// assertion allows the documented bound.
final class VectorMathTests: XCTestCase {
    static let bound = 4.0  // relaxed and fast, ULP
    static var functions: [(String, (Double) -> Double, ClosedRange<Double>)] { [
        ("exp", Foundation.exp, -745...709.7), ("exp2", Foundation.exp2, -1074...1023.9),
        ("exp10", { Foundation.pow(10, $0) }, -300...308), ("expm1", Foundation.expm1, -40...709),
        ("log", Foundation.log, 1e-300...1e300), ("log2", Foundation.log2, 1e-300...1e300),
        ("log10", Foundation.log10, 1e-300...1e300), ("log1p", Foundation.log1p, -0.999...1e10),
        ("sin", Foundation.sin, -1e4...1e4), ("cos", Foundation.cos, -1e4...1e4), ("tan", Foundation.tan, -1e4...1e4),
        ("sinh", Foundation.sinh, -710...710), ("cosh", Foundation.cosh, -710...710), ("tanh", Foundation.tanh, -30...30),
        ("arcsin", Foundation.asin, -1...1), ("arccos", Foundation.acos, -1...1), ("arctan", Foundation.atan, -1e10...1e10),
        ("arcsinh", Foundation.asinh, -1e300...1e300), ("arccosh", Foundation.acosh, 1...1e300),
        ("arctanh", Foundation.atanh, -1...1),
        ("cbrt", Precise.cbrt, -1e300...1e300), ("erf", Precise.erf, -6...6), ("erfc", Precise.erfc, -6...27.3),
    ] }

    /// Arguments: uniform over the range, plus log-uniform magnitudes near 0 and 1.
    static func arguments(_ range: ClosedRange<Double>, count: Int = 3000) -> [Double] {
        var g = SystemRandomNumberGenerator()
        var xs: [Double] = []
        let positive = range.lowerBound > 0
        for i in 0..<count {
            switch i % 3 {
            case 0: xs.append(Double.random(in: range, using: &g))
            case 1:
                if positive {
                    xs.append(Foundation.exp(Double.random(in: Foundation.log(range.lowerBound)...Foundation.log(range.upperBound), using: &g)))
                } else {
                    let m = Foundation.exp(Double.random(in: -40...Foundation.log(max(1, range.upperBound)), using: &g))
                    let v = Bool.random(using: &g) ? m : -m
                    xs.append(min(max(v, range.lowerBound), range.upperBound))
                }
            default: xs.append(Double.random(in: max(range.lowerBound, -3)...min(range.upperBound, 3), using: &g))
            }
        }
        return xs
    }

    static func ulps(_ y: Double, _ ref: Double, float: Bool) -> Double {
        if y == ref || (y.isNaN && ref.isNaN) { return 0 }
        if float {
            let r = Float(ref)
            if r.isInfinite { return y.isInfinite && (y > 0) == (r > 0) ? 0 : .infinity }
            let u = Double(max(r.magnitude.ulp, Float.leastNonzeroMagnitude))
            return Swift.abs(y - ref) / u
        }
        if ref.isInfinite || y.isInfinite { return .infinity }
        return Swift.abs(y - ref) / max(ref.magnitude.ulp, Double.leastNonzeroMagnitude)
    }

    func checkBound(_ mode: MathMode) throws {
        for (name, ref, range) in Self.functions {
            let xs = Self.arguments(range)
            let f = try JIT.compile("\(name)(x)", options: JIT.Options(mathMode: mode))
            let y64 = try f(x: xs).doubles
            var worst = 0.0, at = 0.0
            for (x, y) in zip(xs, y64) {
                let e = Self.ulps(y, ref(x), float: false)
                if e > worst { worst = e; at = x }
            }
            XCTAssertLessThanOrEqual(worst, Self.bound, "\(name) f64 \(mode) at x = \(at)")
            let xf = xs.map { Float($0) }
            let y32 = try f(x: xf).toArray(Float.self)
            worst = 0
            for (x, y) in zip(xf, y32) {
                let e = Self.ulps(Double(y), ref(Double(x)), float: true)
                if e > worst { worst = e; at = Double(x) }
            }
            XCTAssertLessThanOrEqual(worst, Self.bound, "\(name) f32 \(mode) at x = \(at)")
        }
    }

    func testRelaxedWithinBound() throws { try checkBound(.relaxed) }
    func testFastWithinBound() throws { try checkBound(.fast) }

    /// Special values in relaxed mode, float64 and float32: exactly glibc's answer (NaN, +-inf,
    /// +-0, overflow and underflow at the thresholds, subnormal results), else within the bound.
    func testSpecialValues() throws {
        for mode in [MathMode.relaxed, .fast] { try checkSpecialValues(mode) }
    }

    /// Fast mode may call glibc's libmvec (the rows' vector lowering): its special values must be the
    /// documented ones too (fast mode keeps NaN and infinity semantics for isnan & co).
    func checkSpecialValues(_ mode: MathMode) throws {
        let d = Double.leastNonzeroMagnitude, n = Double.leastNormalMagnitude
        let xs: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, d, -d, n, -n, n / 3, 1, -1, 0.5,
                            709.78, 709.79, -745.13, -745.14, -708.5, 1023.5, 1024, -1074, -1075.5,
                            88.72, 88.73, -103.9, -104, 308.2, 308.3, -323.5, -324, 38.5, 38.6,
                            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e300, -1e300, 1e22, -0.999999,
                            710.4, -710.4, 710.5, 89.4, 89.5, 22, 9]
        for (name, ref, _) in Self.functions {
            let f = try JIT.compile("\(name)(x)", options: JIT.Options(mathMode: mode))
            let y = try f(x: xs).doubles
            for (x, v) in zip(xs, y) {
                let r = ref(x)
                if r.isNaN { XCTAssert(v.isNaN, "\(name)(\(x)) = \(v), want NaN"); continue }
                if r.isInfinite || r == 0 {
                    XCTAssertEqual(v, r, "\(name)(\(x))")
                    if r == 0 { XCTAssertEqual(v.sign, r.sign, "\(name)(\(x)) sign of zero") }
                    continue
                }
                XCTAssertLessThanOrEqual(Self.ulps(v, r, float: false), Self.bound, "\(name)(\(x)) = \(v), want \(r)")
            }
            let xf = xs.map { Float($0) }
            let yf = try f(x: xf).toArray(Float.self)
            for (x, v) in zip(xf, yf) {
                let r = ref(Double(x))
                let rf = Float(r)
                if r.isNaN { XCTAssert(v.isNaN, "\(name)(\(x) as f32) = \(v), want NaN"); continue }
                if rf.isInfinite || rf == 0 {
                    XCTAssertEqual(v, rf, "\(name)(\(x) as f32)")
                    if rf == 0 { XCTAssertEqual(v.sign, rf.sign, "\(name)(\(x) as f32) sign of zero") }
                    continue
                }
                XCTAssertLessThanOrEqual(Self.ulps(Double(v), r, float: true), Self.bound, "\(name)(\(x) as f32) = \(v), want \(r)")
            }
        }
    }

    /// Huge arguments of sin, cos and tan in relaxed mode: Payne-Hanek reduction, within 1 ULP of
    /// glibc (which reduces exactly too) on magnitudes up to the largest double / float.
    func testHugeTrigonometricArguments() throws {
        var g = SystemRandomNumberGenerator()
        let xs = (0..<2000).map { _ in (Bool.random(using: &g) ? 1.0 : -1.0) * Foundation.exp(Double.random(in: 9...709, using: &g)) }
        let xf = (0..<2000).map { _ in Float((Bool.random(using: &g) ? 1.0 : -1.0) * Foundation.exp(Double.random(in: 9...88, using: &g))) }
        for (name, ref) in [("sin", Foundation.sin), ("cos", Foundation.cos), ("tan", Foundation.tan)] as [(String, (Double) -> Double)] {
            for mode in [MathMode.relaxed, .fast] {  // fast: libmvec for some (the rows' vector lowering)
                let f = try JIT.compile("\(name)(x)", options: JIT.Options(mathMode: mode))
                for (x, y) in zip(xs, try f(x: xs).doubles) {
                    XCTAssertLessThanOrEqual(Self.ulps(y, ref(x), float: false), Self.bound, "\(name)(\(x))")
                }
                for (x, y) in zip(xf, try f(x: xf).toArray(Float.self)) {
                    XCTAssertLessThanOrEqual(Self.ulps(Double(y), ref(Double(x)), float: true), Self.bound, "\(name)(\(x) as f32) \(mode)")
                }
            }
        }
    }

    /// Strict mode keeps glibc: bit-identical to Foundation's functions.
    func testStrictKeepsLibm() throws {
        let xs = Self.arguments(-20...20, count: 500)
        for (name, ref) in [("exp", Foundation.exp), ("sin", Foundation.sin), ("cos", Foundation.cos)] as [(String, (Double) -> Double)] {
            let f = try JIT.compile("\(name)(x)", options: JIT.Options(mathMode: .strict))
            XCTAssertEqual(try f(x: xs).doubles, xs.map(ref), name)
        }
    }

    /// The new builtins: erf erfc cbrt exp10 exp2 (strict: glibc).
    func testNewBuiltins() throws {
        let xs: [Double] = [-2, -0.5, 0, 0.5, 1, 3, 27]
        let cases: [(String, (Double) -> Double)] = [("erf", Foundation.erf), ("erfc", Foundation.erfc),
                                                     ("cbrt", Foundation.cbrt), ("exp2", Foundation.exp2),
                                                     ("exp10", { Foundation.pow(10, $0) })]
        for (name, ref) in cases {
            for mode in [MathMode.strict, .relaxed] {
                let y = try JIT.evaluate("\(name)(x)", ["x": xs], options: JIT.Options(mathMode: mode)).doubles
                for (x, v) in zip(xs, y) {
                    XCTAssertLessThanOrEqual(Self.ulps(v, ref(x), float: false), 2, "\(name)(\(x)) \(mode)")
                }
            }
            let yf = try JIT.evaluate("\(name)(x)", ["x": xs.map { Float($0) }]).toArray(Float.self)
            for (x, v) in zip(xs, yf) {
                XCTAssertLessThanOrEqual(Self.ulps(Double(v), ref(x), float: true), 2, "\(name)(\(x)) f32")
            }
        }
    }

    /// In relaxed mode the loops are vector code without calls of libm (x86-64 with FMA): exp and
    /// log inline, sin and cos through their vector variants.
    func testLoopsAreVectorisedWithoutLibmCalls() throws {
        #if arch(x86_64)
        let expressions = ["exp": "exp(x)", "log": "log(x)", "sin": "sin(x)", "cos": "cos(x)", "cbrt": "cbrt(x)",
                           "erf": "erf(x)", "erfc": "erfc(x)", "pow": "x**x", "atan2": "arctan2(x, x + 1)"]
        for (name, expression) in expressions {
            for dtype in [DType.float64, .float32] {
                let f = try JIT.compile(expression)
                guard try f.assembly(["x": .array(dtype)]).contains("vfmadd") else { continue }  // no FMA: libm
                let ir = try f.llvmIR(["x": .array(dtype)])
                let c = dtype == .float32 ? "f" : ""
                XCTAssertFalse(ir.contains("@\(name)\(c)(") || ir.contains("@llvm.\(name)."), "\(name) \(dtype) calls libm:\n\(ir)")
                XCTAssertTrue(ir.contains(dtype == .float32 ? " x float>" : " x double>"), "\(name) \(dtype) is not vectorised:\n\(ir)")
            }
        }
        #endif
    }

    /// Fast mode calls libmvec's vector variants where the builtin's row chooses them, at the
    /// target's widest ISA (AVX-512 `_ZGVeN8v_exp`, AVX2 `_ZGVdN4v_exp`), and nowhere else; relaxed
    /// never. Skipped without libmvec or without AVX2 (then fast mode uses our code).
    func testFastModeUsesLibmvecWhereChosen() throws {
        let features = Set(try Engine.shared.cpuFeatures.split(separator: ",").map(String.init))
        guard LibMVec.available, features.contains("+avx2"), features.contains("+fma") else {
            throw XCTSkip("libmvec or AVX2 not available: fast mode uses our implementations")
        }
        let avx512 = features.contains("+avx512f")
        for row in Builtins.all where row.vector != nil {
            let name = row.name, glibc = try XCTUnwrap(row.libm, name)
            let binary = row.arity == 2
            let expression = row.id == .power ? "x**y" : binary ? "\(name)(x, y)" : "\(name)(x)"
            for dtype in [DType.float64, .float32] {
                let f = try JIT.compile(expression, options: JIT.Options(mathMode: .fast))
                let ir = try f.llvmIR(binary ? ["x": .array(dtype), "y": .array(dtype)] : ["x": .array(dtype)])
                // The vectorizer picks the width: 512-bit (`e`) where the CPU prefers it, 256-bit
                // (`d`) where it has AVX-512 but prefers 256-bit vectors (znver4 and later report
                // that), so either is right on an AVX-512 machine; AVX2 machines have only `d`.
                let suffix = "\(binary ? "vv" : "v")_\(glibc)\(dtype == .float32 ? "f" : "")("
                let widths = (avx512 ? [("e", 8), ("d", 4)] : [("d", 4)]).map { ($0.0, $0.1 * (dtype == .float32 ? 2 : 1)) }
                let calls = widths.map { "call <\($0.1) x \(dtype == .float32 ? "float" : "double")> @_ZGV\($0.0)N\($0.1)\(suffix)" }
                if VectorMath.choice(row.vector, dtype, .fast) == .libmvec {
                    XCTAssertTrue(calls.contains { ir.contains($0) },
                                  "\(name) \(dtype): fast mode should make one of \(calls)")
                } else {
                    XCTAssertFalse(ir.contains("@_ZGVe") || ir.contains("@_ZGVd"), "\(name) \(dtype): fast mode should not call libmvec")
                }
                let relaxed = try JIT.compile(expression, options: JIT.Options(mathMode: .relaxed))
                let rir = try relaxed.llvmIR(binary ? ["x": .array(dtype), "y": .array(dtype)] : ["x": .array(dtype)])
                XCTAssertFalse(rir.contains("@_ZGVe") || rir.contains("@_ZGVd"), "\(name) \(dtype): relaxed mode calls libmvec")
            }
        }
    }

    /// The libmvec choice is part of the object key (disk cache).
    func testObjectKeyNamesLibmvec() throws {
        let key = try Engine.shared.objectKey(kind: "expression", label: "k", ir: "", options: LoweringOptions())
        XCTAssertTrue(key.text.contains("libmvec \(LibMVec.available ? "loaded" : "none")"))
    }
}
