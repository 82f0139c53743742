import ComplexModule
import SwiftJIT
import XCTest

/// Complex numbers: arithmetic, functions with NumPy's branch cuts and special values, and the
/// type rules. Expected values were produced by NumPy 2.4 (see the comment on each table).
final class ComplexTests: XCTestCase {
    private func array(_ values: [(Double, Double)]) -> NDArray {
        let a = NDArray(zeros: .complex128, shape: [values.count])
        for (i, v) in values.enumerated() { a.setElement(i, .complex(v.0, v.1)) }
        return a
    }

    private func parts(_ a: NDArray) -> [(Double, Double)] {
        (0..<a.count).map {
            guard case .complex(let re, let im) = a.element($0) else { return (.nan, .nan) }
            return (re, im)
        }
    }

    /// Within `ulps` units in the last place, NaN matching NaN, infinities exact, and the sign
    /// of zero only checked when `signedZeros` is set.
    private func close(_ a: Double, _ b: Double, ulps: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a.isInfinite || b.isInfinite { return a == b }
        if a == b { return a.sign == b.sign || a != 0 }
        return abs(a - b) <= ulps * max(a.ulp, b.ulp)
    }

    func testFunctionsMatchNumPyIncludingBranchCuts() throws {
        let z = array(complexInputs)
        var failures: [String] = []
        for (name, expected) in complexExpected.sorted(by: { $0.key < $1.key }) {
            let r = try JIT.evaluate("\(name)(z)", ["z": z], options: JIT.Options(mathMode: .strict))
            XCTAssertEqual(r.dtype, .complex128)
            for (i, (got, want)) in zip(parts(r), expected).enumerated()
            where !(close(got.0, want.0, ulps: 4) && close(got.1, want.1, ulps: 4)) {
                failures.append("\(name)(\(complexInputs[i])): got \(got), NumPy \(want)")
            }
        }
        XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
    }

    func testArithmetic() throws {
        let a = array([(1, 2), (3, -1), (0, 0), (1e300, 1e300)]), b = array([(3, -1), (0, 0), (2, 5), (1e300, 1e300)])
        let sum = parts(try JIT.evaluate("a + b", ["a": a, "b": b]))
        XCTAssertEqual(sum[0].0, 4); XCTAssertEqual(sum[0].1, 1)
        let prod = parts(try JIT.evaluate("a * b", ["a": a, "b": b], options: JIT.Options(mathMode: .strict)))
        XCTAssertEqual(prod[0].0, 5); XCTAssertEqual(prod[0].1, 5)
        let quotient = parts(try JIT.evaluate("a / b", ["a": a, "b": b]))
        XCTAssertEqual(quotient[0].0, 0.1, accuracy: 1e-15); XCTAssertEqual(quotient[0].1, 0.7, accuracy: 1e-15)
        XCTAssertTrue(quotient[1].0.isInfinite, "division by zero gives infinite parts, as NumPy")
        XCTAssertEqual(quotient[3].0, 1, "Smith's division does not overflow")
        XCTAssertEqual(quotient[3].1, 0)
        let power = parts(try JIT.evaluate("a ** 2", ["a": a], options: JIT.Options(mathMode: .strict)))
        XCTAssertEqual(power[0].0, -3); XCTAssertEqual(power[0].1, 4)
        XCTAssertEqual(try JIT.evaluate("a == b", ["a": a, "b": a]).toArray(Bool.self), [true, true, true, true])
        XCTAssertEqual(try JIT.evaluate("abs(a)", ["a": array([(3, 4)])]).doubles, [5])
        XCTAssertEqual(try JIT.evaluate("real(a) + imag(a)", ["a": array([(3, 4)])]).doubles, [7])
        XCTAssertEqual(parts(try JIT.evaluate("conj(a)", ["a": array([(3, 4)])]))[0].1, -4)
        let made = parts(try JIT.evaluate("complex(x, y)", ["x": [1.0], "y": [2.0]]))
        XCTAssertEqual(made[0].0, 1); XCTAssertEqual(made[0].1, 2)
        XCTAssertEqual(try JIT.evaluate("isnan(a) | isinf(a)", ["a": array([(.nan, 0), (0, .infinity), (1, 1)])])
                        .toArray(Bool.self), [true, true, false])
    }

    func testLiteralsAndPromotion() throws {
        XCTAssertEqual(try JIT.evaluate("x * 1j", ["x": [Float(2)]]).dtype, .complex64)
        XCTAssertEqual(try JIT.evaluate("x * 1j", ["x": [2.0]]).dtype, .complex128)
        XCTAssertEqual(try JIT.evaluate("i * 1j", ["i": [Int32(2)]]).dtype, .complex128)
        let r = parts(try JIT.evaluate("2.5e1j + x", ["x": [1.0]]))
        XCTAssertEqual(r[0].0, 1); XCTAssertEqual(r[0].1, 25)
        let c64 = try JIT.evaluate("z * 2", ["z": [Complex<Float>(1, -1)]])
        XCTAssertEqual(c64.dtype, .complex64)
        XCTAssertEqual(c64.complexes[0].real, 2)
    }

    func testTypeErrors() {
        let z = array([(1, 1)])
        for (expr, message) in [("z // 2", "'//' is not defined for complex numbers"),
                                ("floor(z)", "'floor' is not defined for complex arguments"),
                                ("maximum(z, z)", "'maximum' is not defined for complex arguments"),
                                ("max(z)", "'max' is not defined for complex values")] {
            XCTAssertThrowsError(try JIT.evaluate(expr, ["z": z]), expr) { e in
                XCTAssertTrue("\(e)".contains(message), "\(expr): \(e)")
            }
        }
    }

    func testComplexSumsAndProducts() throws {
        let z = array((0..<10_000).map { (Double($0) * 1e-3, 1.0) })
        let s = parts(try JIT.evaluate("sum(z)", ["z": z]))
        XCTAssertEqual(s[0].0, 49995, accuracy: 1e-8)
        XCTAssertEqual(s[0].1, 10_000)
        let p = parts(try JIT.evaluate("prod(z)", ["z": array([(0, 1), (0, 1), (2, 0)])]))
        XCTAssertEqual(p[0].0, -2); XCTAssertEqual(p[0].1, 0)
    }

    func testNpyRoundTrip() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sj-complex-\(getpid()).npy").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let z = array([(1, -2), (.infinity, 0.5)])
        try NPY.write(z, to: path)
        let back = try NPY.read(path: path)
        XCTAssertEqual(back.dtype, .complex128)
        XCTAssertEqual(back.element(1), .complex(.infinity, 0.5))
        // NumPy's repr: one float format for the real parts, one with a sign for the imaginary parts.
        XCTAssertEqual(ArrayFormatter.format(try JIT.evaluate("z * 1", ["z": array([(1, -2)])])), "array([1.-2.j])")
        XCTAssertEqual(ArrayFormatter.format(array([(.infinity, 0.5), (1, -2), (.nan, -3)])),
                       "array([inf+0.5j,  1.-2.j , nan-3.j ])")
        let c64 = try JIT.evaluate("c64(z)", ["z": array([(1e-5, 2), (3, -4e-6), (0, 0), (-0.0, -1)])])
        XCTAssertEqual(ArrayFormatter.format(c64), "array([ 1.e-05+2.e+00j,  3.e+00-4.e-06j,  0.e+00+0.e+00j, -0.e+00-1.e+00j],\n      dtype=complex64)")
    }
}

// Produced by NumPy 2.4.6: np.<name>(z) for the inputs below.
private let complexInputs: [(Double, Double)] = [(2.0, 0.0), (2.0, -0.0), (-1.0, 0.0), (-1.0, -0.0), (-4.0, 0.0), (-4.0, -0.0), (0.5, 0.5), (-0.3, 1.7), (1e-08, -2e-09), (3.0, -4.0), (0.0, 0.0), (-2.5, 10000000000.0), (.infinity, 1.0), (1.0, .infinity), (.nan, 1.0), (-.infinity, 0.0)]
private let complexExpected: [String: [(Double, Double)]] = [
    "exp": [(7.38905609893065, 0.0), (7.38905609893065, -0.0), (0.36787944117144233, 0.0), (0.36787944117144233, -0.0), (0.01831563888873418, 0.0), (0.01831563888873418, -0.0), (1.4468890365841693, 0.7904390832136149), (-0.09545034900864631, 0.7346433603920708), (1.00000001, -2.00000002e-09), (-13.128783081462158, 15.200784463067954), (1.0, 0.0), (0.07167002302592877, -0.04001693139845069), (.infinity, .infinity), (.nan, .nan), (.nan, .nan), (0.0, 0.0)],
    "log": [(0.6931471805599453, 0.0), (0.6931471805599453, -0.0), (0.0, 3.141592653589793), (0.0, -3.141592653589793), (1.3862943611198906, 3.141592653589793), (1.3862943611198906, -3.141592653589793), (-0.34657359027997264, 0.7853981633974483), (0.5459616502586565, 1.7454685258031364), (-18.401070387375725, -0.19739555984988078), (1.6094379124341003, -0.9272952180016122), (-.infinity, 0.0), (23.025850929940457, 1.5707963270448966), (.infinity, 0.0), (.infinity, 1.5707963267948966), (.nan, .nan), (.infinity, 3.141592653589793)],
    "log1p": [(1.0986122886681098, 0.0), (1.0986122886681098, -0.0), (-.infinity, 0.0), (-.infinity, -0.0), (1.0986122886681098, 3.141592653589793), (1.0986122886681098, -3.141592653589793), (0.4581453659370776, 0.3217505543966422), (0.6089378547474636, 1.1801892830972098), (9.999999889225291e-09, -1.9999999800000004e-09), (1.7328679513998633, -0.7853981633974483), (0.0, 0.0), (23.025850929940457, 1.5707963269448966), (.infinity, 0.0), (.infinity, 1.5707963267948966), (.nan, .nan), (.infinity, 3.141592653589793)],
    "log10": [(0.3010299956639812, 0.0), (0.3010299956639812, -0.0), (0.0, 1.3643763538418412), (0.0, -1.3643763538418412), (0.6020599913279624, 1.3643763538418412), (0.6020599913279624, -1.3643763538418412), (-0.1505149978319906, 0.3410940884604603), (0.23710813203812758, 0.7580473490921058), (-7.99148333035061, -0.08572780239500631), (0.6989700043360187, -0.4027191962733731), (-.infinity, 0.0), (10.0, 0.6821881770294943), (.infinity, 0.0), (.infinity, 0.6821881769209206), (.nan, .nan), (.infinity, 1.3643763538418412)],
    "log2": [(1.0, 0.0), (1.0, -0.0), (0.0, 4.532360141827193), (0.0, -4.532360141827193), (2.0, 4.532360141827193), (2.0, -4.532360141827193), (-0.5, 1.1330900354567983), (0.7876561653437184, 2.5181787862039546), (-26.547132994915714, -0.28478159528892355), (2.321928094887362, -1.3378042124509761), (-.infinity, 0.0), (33.219280948873624, 2.266180071274271), (.infinity, 0.0), (.infinity, 2.2661800709135966), (.nan, .nan), (.infinity, 4.532360141827193)],
    "sqrt": [(1.4142135623730951, 0.0), (1.4142135623730951, -0.0), (0.0, 1.0), (0.0, -1.0), (0.0, 2.0), (0.0, -2.0), (0.7768869870150187, 0.3217971264527913), (0.8444725129224773, 1.0065454908157918), (0.00010049387799061585, -9.950854917683446e-06), (2.0, -1.0), (0.0, 0.0), (70710.67810981591, 70710.6781274936), (.infinity, 0.0), (.infinity, .infinity), (.nan, .nan), (0.0, .infinity)],
    "sin": [(0.9092974268256817, -0.0), (0.9092974268256817, 0.0), (-0.8414709848078965, 0.0), (-0.8414709848078965, -0.0), (0.7568024953079282, -0.0), (0.7568024953079282, 0.0), (0.5406126857131534, 0.4573041531842493), (-0.8358243686191043, 2.527468723190649), (1e-08, -2e-09), (3.853738037919377, 27.016813258003932), (0.0, 0.0), (-.infinity, -.infinity), (.nan, .nan), (.infinity, .infinity), (.nan, .nan), (.nan, 0.0)],
    "cos": [(-0.4161468365471424, -0.0), (-0.4161468365471424, 0.0), (0.5403023058681398, 0.0), (0.5403023058681398, -0.0), (-0.6536436208636119, -0.0), (-0.6536436208636119, 0.0), (0.9895848833999199, -0.24982639750046154), (2.701992959680282, 0.7818376958374182), (1.0, 2e-17), (-27.034945603074224, 3.851153334811777), (1.0, -0.0), (-.infinity, .infinity), (.nan, .nan), (.infinity, -.infinity), (.nan, .nan), (.nan, 0.0)],
    "tan": [(-2.185039863261519, 0.0), (-2.185039863261519, -0.0), (-1.557407724654902, 0.0), (-1.557407724654902, -0.0), (-1.1578212823495775, 0.0), (-1.1578212823495775, -0.0), (0.40389645531602575, 0.5640831412674985), (-0.03568250091586533, 0.9457340139741869), (1e-08, -2e-09), (-0.00018734620462947845, -0.9993559873814732), (0.0, 0.0), (0.0, 1.0), (.nan, .nan), (0.0, 1.0), (.nan, .nan), (.nan, 0.0)],
    "arcsin": [(1.5707963267948966, 1.3169578969248166), (1.5707963267948966, -1.3169578969248166), (-1.5707963267948966, 0.0), (-1.5707963267948966, -0.0), (-1.5707963267948966, 2.0634370688955608), (-1.5707963267948966, -2.0634370688955608), (0.45227844715119064, 0.5306375309525179), (-0.1513854812624992, 1.3107496902488216), (1e-08, -1.9999999999999997e-09), (0.6339838656391766, -2.305509031243477), (0.0, 0.0), (-2.5e-10, 23.7189981105004), (1.5707963267948966, .infinity), (0.0, .infinity), (.nan, .nan), (-1.5707963267948966, .infinity)],
    "arccos": [(0.0, -1.3169578969248166), (0.0, 1.3169578969248166), (3.141592653589793, -0.0), (3.141592653589793, 0.0), (3.141592653589793, -2.0634370688955608), (3.141592653589793, 2.0634370688955608), (1.118517879643706, -0.5306375309525179), (1.7221818080573958, -1.3107496902488216), (1.5707963167948966, 1.9999999999999997e-09), (0.93681246115572, 2.305509031243477), (1.5707963267948966, -0.0), (1.5707963270448966, -23.7189981105004), (0.0, -.infinity), (1.5707963267948966, -.infinity), (.nan, .nan), (3.141592653589793, -.infinity)],
    "arctan": [(1.1071487177940904, 0.0), (1.1071487177940904, -0.0), (-0.7853981633974483, 0.0), (-0.7853981633974483, -0.0), (-1.3258176636680326, 0.0), (-1.3258176636680326, -0.0), (0.5535743588970452, 0.40235947810852507), (-1.4236790442393028, 0.6358752035135133), (1.0000000000000002e-08, -2.0000000000000005e-09), (1.4483069952314644, -0.15899719167999918), (0.0, 0.0), (-1.5707963267948966, 1e-10), (1.5707963267948966, 0.0), (1.5707963267948966, 0.0), (.nan, .nan), (-1.5707963267948966, 0.0)],
    "sinh": [(3.626860407847019, 0.0), (3.626860407847019, -0.0), (-1.1752011936438014, 0.0), (-1.1752011936438014, -0.0), (-27.28991719712775, 0.0), (-27.28991719712775, -0.0), (0.4573041531842493, 0.5406126857131534), (0.039235763211921855, 1.0366254194722615), (1.0000000000000002e-08, -2e-09), (-6.5481200409110025, 7.61923172032141), (0.0, 0.0), (-5.282552253603283, -2.9895280689168025), (.infinity, .infinity), (.nan, .nan), (.nan, .nan), (-.infinity, 0.0)],
    "cosh": [(3.7621956910836314, 0.0), (3.7621956910836314, -0.0), (1.5430806348152437, -0.0), (1.5430806348152437, 0.0), (27.308232836016487, -0.0), (27.308232836016487, 0.0), (0.9895848833999199, 0.24982639750046154), (-0.13468611222056817, -0.30198205908019077), (1.0, -2.0000000000000005e-17), (-6.580663040551157, 7.581552742746545), (1.0, 0.0), (5.354222276629211, 2.949511137518352), (.infinity, .infinity), (.nan, .nan), (.nan, .nan), (.infinity, -0.0)],
    "tanh": [(0.9640275800758168, 0.0), (0.9640275800758168, -0.0), (-0.7615941559557649, 0.0), (-0.7615941559557649, -0.0), (-0.999329299739067, 0.0), (-0.999329299739067, -0.0), (0.5640831412674985, 0.40389645531602575), (-2.9115207481259047, -1.1686311699363667), (1.0000000000000002e-08, -2e-09), (1.000709536067233, -0.0049082580674960595), (0.0, 0.0), (-0.992889324016071, -0.011391000645331753), (1.0, 0.0), (.nan, .nan), (.nan, .nan), (-1.0, 0.0)],
    "arcsinh": [(1.4436354751788103, 0.0), (1.4436354751788103, -0.0), (-0.8813735870195429, 0.0), (-0.8813735870195429, -0.0), (-2.0947125472611012, 0.0), (-2.0947125472611012, -0.0), (0.5306375309525179, 0.45227844715119064), (-1.1511827117610314, 1.3583551589067286), (1e-08, -2.0000000000000005e-09), (2.2999140408792695, -0.9176168533514787), (0.0, 0.0), (-23.7189981105004, 1.5707963265448965), (.infinity, 0.0), (.infinity, 1.5707963267948966), (.nan, .nan), (-.infinity, 0.0)],
    "arccosh": [(1.3169578969248166, 0.0), (1.3169578969248166, -0.0), (0.0, 3.141592653589793), (0.0, -3.141592653589793), (2.0634370688955608, 3.141592653589793), (2.0634370688955608, -3.141592653589793), (0.5306375309525179, 1.118517879643706), (1.3107496902488216, 1.7221818080573958), (1.9999999999999997e-09, -1.5707963167948966), (2.305509031243477, -0.93681246115572), (0.0, 1.5707963267948966), (23.7189981105004, 1.5707963270448966), (.infinity, 0.0), (.infinity, 1.5707963267948966), (.nan, .nan), (.infinity, 3.141592653589793)],
    "arctanh": [(0.5493061443340549, 1.5707963267948966), (0.5493061443340549, -1.5707963267948966), (-.infinity, 0.0), (-.infinity, -0.0), (-0.25541281188299536, 1.5707963267948966), (-0.25541281188299536, -1.5707963267948966), (0.40235947810852507, 0.5535743588970452), (-0.07595582215779154, 1.049069489395666), (1e-08, -2.0000000000000005e-09), (0.1175009073114339, -1.4099210495965755), (0.0, 0.0), (-2.5e-20, 1.5707963266948965), (0.0, 1.5707963267948966), (0.0, 1.5707963267948966), (.nan, .nan), (-0.0, 1.5707963267948966)],
    "expm1": [(6.38905609893065, 0.0), (6.38905609893065, -0.0), (-0.6321205588285577, 0.0), (-0.6321205588285577, -0.0), (-0.9816843611112658, 0.0), (-0.9816843611112658, -0.0), (0.4468890365841692, 0.7904390832136149), (-1.0954503490086465, 0.7346433603920708), (1.0000000048e-08, -2.00000002e-09), (-14.128783081462158, 15.200784463067954), (0.0, 0.0), (-0.9283299769740714, -0.04001693139845069), (.infinity, .infinity), (.nan, .nan), (.nan, .nan), (-1.0, 0.0)],
]
