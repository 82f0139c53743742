// The one table of builtin functions: one row per builtin (its parts are in BuiltinRow.swift).
// The type specializer reads arity and typing rule from it; lowering reads how each lowers for
// real, complex and vectorisable arguments and the C names; `swiftjit functions --json` prints it,
// and the scripts that generate tests or measure accuracy read that. Adding a function is adding
// a row here plus its implementation and tests: docs/architecture.md, "Adding a builtin".
import JITSyntax

/// The table of builtins.
public enum Builtins {
    /// Every builtin, in the order the docs list them. The comment after a vectorisable row gives
    /// the measurements behind its choice of implementation (see `VectorLowering`): libmvec's
    /// throughput relative to ours and its max ULP, float64 | float32 (docs/vector-math.md; AVX-512
    /// machine, glibc 2.36; scripts/accuracy --libmvec, scripts/throughput). Strict mode keeps
    /// glibc's libm; relaxed uses ours everywhere (one scalar algorithm: the same result at every
    /// vector width, with or without glibc); fast uses libmvec where it had at least 1.1x our
    /// throughput and a measured max error <= 3.5 ULP (the bound is 4), else ours.
    public static let all: [Builtin] = numbered([
        b("where", 3, .select, .rewritten, bool: true, complex: .whole, "where(c, a, b): a where c is true, else b"),
        b("real", 1, .part, .emitted(.real), bool: true, complex: .emitted, "real part (the value itself for real types)"),
        b("imag", 1, .part, .emitted(.imag), bool: true, complex: .emitted, "imaginary part (zero for real types)"),
        b("conj", 1, .conjugate, .emitted(.conj), bool: true, complex: .emitted, "complex conjugate"),
        b("complex", 2, .makeComplex, .emitted(.complex), "complex(re, im)"),
        b("sin", 1, .floatUnary, .intrinsic("llvm.sin"), complex: .helper("sj_csin"),
          vector: v(.sin, [L, P, V], [L, P, V], variants: true), "sine"),  // 1.75x 3.17 | 2.00x 1.72
        b("cos", 1, .floatUnary, .intrinsic("llvm.cos"), complex: .helper("sj_ccos"),
          vector: v(.cos, [L, P, P], [L, P, V], variants: true), "cosine"),  // 1.37x 3.26 but 8 ULP for |x| > 1e9 | 2.06x 1.74
        b("tan", 1, .floatUnary, .libm("tan"), complex: .helper("sj_ctan"),
          vector: v(.tan, [L, P, V], [L, P, V], variants: true), "tangent"),  // 1.69x 3.06 (3.1 huge) | 1.71x 3.04 (3.1 huge)
        b("arcsin", 1, .floatUnary, .libm("asin"), complex: .helper("sj_casin"),
          vector: v(.arcsin, [L, P, V], [L, P, V]), "inverse sine"),  // 2.33x 2.43 | 2.70x 3.04
        b("arccos", 1, .floatUnary, .libm("acos"), complex: .helper("sj_cacos"),
          vector: v(.arccos, [L, P, V], [L, P, V]), "inverse cosine"),  // 2.05x 1.67 | 2.38x 1.81
        b("arctan", 1, .floatUnary, .libm("atan"), complex: .helper("sj_catan"),
          vector: v(.arctan, [L, P, V], [L, P, V]), "inverse tangent"),  // 1.25x 1.51 | 1.41x 1.93
        b("arctan2", 2, .floatBinary, .libm("atan2"), vector: v(.arctan2, [L, P, V], [L, P, V]), ulp: 2,
          "arctan2(y, x): angle of (x, y)"),  // 1.37x 2.54 | 1.61x 3.02
        b("sinh", 1, .floatUnary, .libm("sinh"), complex: .helper("sj_csinh"),
          vector: v(.sinh, [L, P, V], [L, P, V]), ulp: 2, "hyperbolic sine"),  // 1.78x 1.85 | 3.19x 1.77
        b("cosh", 1, .floatUnary, .libm("cosh"), complex: .helper("sj_ccosh"),
          vector: v(.cosh, [L, P, P], [L, P, V]), ulp: 2, "hyperbolic cosine"),  // 0.81x (2.5x in another run): unclear | 2.45x 2.25
        b("tanh", 1, .floatUnary, .libm("tanh"), complex: .helper("sj_ctanh"),
          vector: v(.tanh, [L, P, P], [L, P, V]), ulp: 3, "hyperbolic tangent"),  // 1.02x 1.12: not faster | 1.98x 1.34
        b("arcsinh", 1, .floatUnary, .libm("asinh"), complex: .helper("sj_casinh"),
          vector: v(.arcsinh, [L, P, V], [L, P, V]), ulp: 2, "inverse hyperbolic sine"),  // 1.61x 1.42 | 1.97x 0.89
        b("arccosh", 1, .floatUnary, .libm("acosh"), complex: .helper("sj_cacosh"),
          vector: v(.arccosh, [L, P, V], [L, P, V]), ulp: 3, "inverse hyperbolic cosine"),  // 1.37x 1.51 | 1.54x 1.16
        b("arctanh", 1, .floatUnary, .libm("atanh"), complex: .helper("sj_catanh"),
          vector: v(.arctanh, [L, P, V], [L, P, V]), ulp: 2, "inverse hyperbolic tangent"),  // 1.87x 1.35 | 2.21x 1.47
        b("exp", 1, .floatUnary, .intrinsic("llvm.exp"), complex: .helper("sj_cexp"),
          vector: v(.exp, [L, P, P], [L, P, P]), "e**x"),  // 0.97x 3.05 | 1.01x 2.41: not faster
        b("expm1", 1, .floatUnary, .libm("expm1"), complex: .helper("sj_cexpm1"),
          vector: v(.expm1, [L, P, V], [L, P, V]), "exp(x) - 1, accurate near 0"),  // 1.59x 2.04 | 1.72x 2.23
        b("exp2", 1, .floatUnary, .libm("exp2"), vector: v(.exp2, [L, P, V], [L, P, V]), "2**x"),  // 1.39x 1.02 | 1.75x 0.97
        b("exp10", 1, .floatUnary, .libm("exp10"),
          vector: v(.exp10, [L, P, V], [L, P, P]), ulp: 2, "10**x"),  // 1.37x 1.54 | 1.36x 3.75 ULP: too close to 4
        b("log", 1, .floatUnary, .intrinsic("llvm.log"), complex: .helper("sj_clog"),
          vector: v(.log, [L, P, V], [L, P, P]), "natural logarithm"),  // 1.13x 1.48 | 1.58x (ours 1.6x faster in another run) 3.87 ULP
        b("log1p", 1, .floatUnary, .libm("log1p"), complex: .helper("sj_clog1p"),
          vector: v(.log1p, [L, P, V], [L, P, V]), "log(1 + x), accurate near 0"),  // 2.45x 1.92 | 1.91x 1.86
        b("log2", 1, .floatUnary, .intrinsic("llvm.log2"), complex: .helper("sj_clog2"),
          vector: v(.log2, [L, P, V], [L, P, V]), "base-2 logarithm"),  // 2.05x 1.82 | 3.13x 2.04
        b("log10", 1, .floatUnary, .intrinsic("llvm.log10"), complex: .helper("sj_clog10"),
          vector: v(.log10, [L, P, V], [L, P, V]), ulp: 2, "base-10 logarithm"),  // 2.10x 1.79 | 3.26x 3.03
        b("sqrt", 1, .floatUnary, .intrinsic("llvm.sqrt"), complex: .helper("sj_csqrt"), "square root"),
        b("cbrt", 1, .floatUnary, .libm("cbrt"), vector: v(.cbrt, [L, P, V], [L, P, V]), ulp: 4, "cube root"),  // 2.01x 1.78 | 2.23x 1.93
        b("erf", 1, .floatUnary, .libm("erf"),
          vector: v(.erf, [L, P, V], [L, P, P]), ulp: 2, "error function"),  // 2.42x 2.44 | 2.02x 4.00 ULP: at the bound
        b("erfc", 1, .floatUnary, .libm("erfc"), vector: v(.erfc, [L, P, V], [L, P, V]), ulp: 5,
          "complementary error function, 1 - erf(x)"),  // 2.10x 1.83 | 1.23x 1.49
        b("abs", 1, .sameUnary, .emitted(.abs), bool: true, complex: .emitted,
          "absolute value (of a complex value: its modulus, a float)"),
        b("ceil", 1, .sameUnary, .intrinsic("llvm.ceil"), bool: true, "round up"),
        b("floor", 1, .sameUnary, .intrinsic("llvm.floor"), bool: true, "round down"),
        b("trunc", 1, .sameUnary, .intrinsic("llvm.trunc"), bool: true, "round towards zero"),
        b("round", 1, .sameUnary, .intrinsic("llvm.roundeven"), bool: true, complex: .specialized,
          "round to nearest, ties to even (complex: each part)"),
        b("sign", 1, .sameUnary, .emitted(.sign), complex: .specialized, "-1, 0 or 1 (NaN stays NaN); complex: z/|z|, 0 for 0"),
        b("fmod", 2, .sameBinary, .emitted(.fmod), libm: "fmod", "C remainder: sign of the dividend; integer fmod by 0 is 0"),
        b("hypot", 2, .floatBinary, .libm("hypot"), "sqrt(x*x + y*y) without overflow"),
        b("maximum", 2, .sameBinary, .emitted(.maximum), bool: true, "elementwise maximum; NaN propagates"),
        b("minimum", 2, .sameBinary, .emitted(.minimum), bool: true, "elementwise minimum; NaN propagates"),
        b("copysign", 2, .floatBinary, .intrinsic("llvm.copysign"), "magnitude of x, sign of y"),
        b("nextafter", 2, .floatBinary, .libm("nextafter"), "next float after x towards y"),
        b("isnan", 1, .predicate, .emitted(.isnan), bool: true, complex: .emitted, "true where NaN (either part)"),
        b("isinf", 1, .predicate, .emitted(.isinf), bool: true, complex: .emitted, "true where +inf or -inf (either part)"),
        b("isfinite", 1, .predicate, .emitted(.isfinite), bool: true, complex: .emitted, "true where neither NaN nor infinite"),
        b("signbit", 1, .predicate, .emitted(.signbit), bool: true, "true where the sign bit is set (also -0.0)"),
        b("sum", 1, .reduction, .rewritten, bool: true, complex: .whole, "sum(x, axis=None): sum over all axes or one"),
        b("prod", 1, .reduction, .rewritten, bool: true, complex: .whole, "prod(x, axis=None): product"),
        b("min", 1, .reduction, .rewritten, bool: true, pairwise: "minimum", "min(x, axis=None): minimum; NaN propagates"),
        b("max", 1, .reduction, .rewritten, bool: true, pairwise: "maximum", "max(x, axis=None): maximum; NaN propagates"),
        b("mean", 1, .reduction, .rewritten, bool: true, complex: .whole, statistic: true,
          "mean(x, axis=None): arithmetic mean (float64 for integers and bools, else x's type)"),
        b("var", 1, .reduction, .rewritten, bool: true, complex: .whole, statistic: true,
          "var(x, axis=None, ddof=0): variance, mean(abs(x - mean(x))**2) * n/(n - ddof) (a real type)"),
        b("std", 1, .reduction, .rewritten, bool: true, complex: .whole, statistic: true,
          "std(x, axis=None, ddof=0): standard deviation, sqrt(var(x, axis, ddof))"),
        b("clip", 3, .expansion, .rewritten, bool: true, "clip(x, lo, hi): minimum(maximum(x, lo), hi); NaN propagates"),
        b("mod", 2, .expansion, .rewritten, op: .modulo, "mod(a, b): a % b, the remainder with the sign of b (NumPy's rule; fmod is C's)"),
        b("remainder", 2, .expansion, .rewritten, op: .modulo, "remainder(a, b): the same as mod(a, b), a % b"),
        b("deg2rad", 1, .expansion, .rewritten, bool: true, "x * (pi/180): degrees to radians (also radians)"),
        b("rad2deg", 1, .expansion, .rewritten, bool: true, "x * (180/pi): radians to degrees (also degrees)"),
        b("square", 1, .expansion, .rewritten, bool: true, "x**2"),
        b("negative", 1, .expansion, .rewritten, "-x"),
        b("positive", 1, .expansion, .rewritten, "+x"),
        b("add", 2, .expansion, .rewritten, op: .add, bool: true, "a + b"),
        b("subtract", 2, .expansion, .rewritten, op: .subtract, "a - b"),
        b("multiply", 2, .expansion, .rewritten, op: .multiply, bool: true, "a * b"),
        b("divide", 2, .expansion, .rewritten, op: .divide, bool: true, "a / b (also true_divide)"),
        b("floor_divide", 2, .expansion, .rewritten, op: .floorDivide, "a // b"),
        // `**` on floats: llvm.pow (libm's pow), or this row's vector lowering (EmitArithmetic.swift).
        b("power", 2, .expansion, .rewritten, op: .power, vector: v(.pow, [L, P, V], [L, P, V]), libm: "pow",
          "a ** b"),  // 1.91x 1.11 | 1.53x 0.89
        b("greater", 2, .expansion, .rewritten, op: .greater, bool: true, "a > b"),
        b("greater_equal", 2, .expansion, .rewritten, op: .greaterEqual, bool: true, "a >= b"),
        b("less", 2, .expansion, .rewritten, op: .less, bool: true, "a < b"),
        b("less_equal", 2, .expansion, .rewritten, op: .lessEqual, bool: true, "a <= b"),
        b("equal", 2, .expansion, .rewritten, op: .equal, bool: true, "a == b"),
        b("not_equal", 2, .expansion, .rewritten, op: .notEqual, bool: true, "a != b"),
        b("bitwise_and", 2, .expansion, .rewritten, op: .bitAnd, bool: true, "a & b"),
        b("bitwise_or", 2, .expansion, .rewritten, op: .bitOr, bool: true, "a | b"),
        b("bitwise_xor", 2, .expansion, .rewritten, op: .bitXor, bool: true, "a ^ b"),
        b("left_shift", 2, .expansion, .rewritten, op: .shiftLeft, "a << b"),
        b("right_shift", 2, .expansion, .rewritten, op: .shiftRight, "a >> b"),
        b("logical_and", 2, .expansion, .rewritten, bool: true, "bool(a) & bool(b)"),
        b("logical_or", 2, .expansion, .rewritten, bool: true, "bool(a) | bool(b)"),
        b("logical_xor", 2, .expansion, .rewritten, bool: true, "bool(a) ^ bool(b)"),
        b("logical_not", 1, .expansion, .rewritten, bool: true, "~bool(x)"),
    ] + DType.allCases.map { conversion($0) } + [
        b("random", 0, .random, .runtime("sj_random"), "kernels: uniform float64 in [0, 1) (xoshiro256**)"),
        b("normal", 2, .random, .runtime("sj_normal"), "kernels: normal(mu, sigma), float64 (polar Box-Muller)"),
        b("seed", 1, .random, .runtime("sj_seed"), "kernels: seed(n) restarts this thread's generator"),
    ])

    private static let byName: [String: Builtin] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// C and Numba spellings accepted for NumPy's names (`atan` is `arctan`).
    public static let aliases: [String: String] = [
        "asin": "arcsin", "acos": "arccos", "atan": "arctan", "atan2": "arctan2", "asinh": "arcsinh",
        "acosh": "arccosh", "atanh": "arctanh", "fabs": "abs", "absolute": "abs",
        "rint": "round", "fix": "trunc", "radians": "deg2rad", "degrees": "rad2deg", "true_divide": "divide",
    ]

    /// The builtin called `name` (or an alias of it), if any.
    public static func lookup(_ name: String) -> Builtin? { byName[name] ?? aliases[name].flatMap { byName[$0] } }

    /// The conversion function named by a dtype's short name (`i64(x)`, `f32(x)`, `bool(x)`).
    private static func conversion(_ d: DType) -> Builtin {
        let what = d.isBool ? "bool (nonzero is true)" : d.isInteger
            ? "\(d.rawValue) (floats truncate toward zero; integers wrap)" : d.rawValue
        return b(d.shortName, 1, .conversion(d), .rewritten, bool: true, complex: .whole, "convert to \(what)")
    }

    /// The rows with their ids.
    private static func numbered(_ rows: [Builtin]) -> [Builtin] {
        rows.enumerated().map { i, row in
            var row = row
            row.id = BuiltinID(index: i)
            return row
        }
    }

    private static let L = VectorMathImplementation.libm
    private static let P = VectorMathImplementation.polynomial
    private static let V = VectorMathImplementation.libmvec

    /// A vector lowering: `[strict, relaxed, fast]` per float type.
    private static func v(_ kernel: VectorKernel, _ f64: [VectorMathImplementation], _ f32: [VectorMathImplementation],
                          variants: Bool = false) -> VectorLowering {
        VectorLowering(kernel: kernel, float64: f64, float32: f32, variants: variants)
    }

    /// An accuracy bound: `strict` ULP in strict mode (glibc's libm; its own maxima exceed 1 ULP
    /// for a few functions), 4 ULP in relaxed and fast mode (ours or libmvec).
    private static func ulp(_ strict: Double) -> AccuracyBound {
        AccuracyBound(strict: strict, relaxed: 4, fast: 4)
    }

    /// A row. The C name is the libm rule's, or an intrinsic's (`llvm.sin` is `sin`), unless
    /// given; vectorisable rows have an accuracy bound: `ulp` in strict mode (1 unless given), 4
    /// in relaxed and fast mode.
    private static func b(_ name: String, _ arity: Int, _ typing: TypingRule, _ lowering: LoweringRule,
                          op: BinaryOperator? = nil, bool: Bool = false, complex: ComplexLowering? = nil,
                          vector: VectorLowering? = nil,
                          ulp strict: Double? = nil, libm: String? = nil, pairwise: String? = nil, statistic: Bool = false,
                          _ summary: String) -> Builtin {
        var cName = libm
        if case .libm(let n) = lowering { cName = n }
        if case .intrinsic(let n) = lowering, n.hasPrefix("llvm.") { cName = String(n.dropFirst(5)) }
        return Builtin(name: name, arity: arity, typing: typing, lowering: lowering, binaryOperator: op, acceptsBool: bool,
                       complex: complex, vector: vector, libm: cName,
                       accuracy: vector == nil ? nil : ulp(strict ?? 1), pairwise: pairwise, statistic: statistic,
                       summary: summary)
    }
}
