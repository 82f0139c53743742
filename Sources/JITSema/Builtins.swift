// The one table of builtin functions. The type specializer reads arity and typing rule from it,
// lowering reads how each lowers, and the docs and `swiftjit functions` list it. Adding a function
// means adding a row here (and, for `.custom`, a case in lowering).

/// How a builtin types its arguments and result.
public enum TypingRule: Hashable, Sendable {
    /// One argument; float result (integers and bools become float64, float32 stays float32).
    case floatUnary
    /// Two arguments promoted together; float result.
    case floatBinary
    /// One argument; the result has the argument's type (`abs`, `floor`, ...).
    case sameUnary
    /// Two arguments promoted together; the result has that type (`maximum`, `fmod`).
    case sameBinary
    /// One argument; bool result (`isnan`, ...).
    case predicate
    /// `where(cond, a, b)`: cond becomes bool, `a` and `b` are promoted together.
    case select
    /// `real`, `imag`: the parts of a complex value (a float of its precision); for real
    /// arguments the value itself, or zero.
    case part
    /// `conj`: complex conjugate; the identity on real values.
    case conjugate
    /// `complex(re, im)`: two real values promoted together to float, as one complex value.
    case makeComplex
    /// `sum prod min max`: lifted out of elementwise code by ReductionLifting.
    case reduction
    /// `bool i8 ... c128`: an explicit conversion to that dtype (NumPy's `astype`, unsafe casting;
    /// float to integer truncates toward zero, see ScalarSemantics.floatToInteger). The result is
    /// strong (a typed value, like `np.int64(x)`).
    case conversion(DType)
    /// `random() normal(mu, sigma) seed(n)`: the kernel runtime's generator (float64; seed gives
    /// bool true). Impure: each call site gets its own hidden operand so calls are never merged.
    case random
    /// `clip mod deg2rad ...`: rewritten into other builtins and operators before typing
    /// (BuiltinExpansion), so the result types are those of what they expand to.
    case expansion
}

/// How a builtin becomes machine code.
public enum LoweringRule: Hashable, Sendable {
    /// A function of the kernel runtime (CJITSupport), called with float64/int64 arguments.
    case runtime(String)
    /// An LLVM intrinsic overloaded on the float type (`llvm.sqrt`); lowers to libm where needed.
    case intrinsic(String)
    /// A C math library function: the float64 name; float32 adds `f` (`sin`, `sinf`).
    case libm(String)
    /// Emitted by lowering itself (`where`, `sign`, `maximum`, integer cases, ...).
    case custom
}

/// One builtin function.
public struct Builtin: Hashable, Sendable {
    /// The name used in expressions.
    public var name: String
    /// Number of arguments.
    public var arity: Int
    /// How argument and result types are decided.
    public var typing: TypingRule
    /// How it lowers for float arguments.
    public var lowering: LoweringRule
    /// Whether bool arguments are accepted.
    public var acceptsBool: Bool
    /// Whether complex arguments are accepted (float functions then give complex results; the
    /// lowering calls our C99-based helpers with NumPy's branch cuts).
    public var acceptsComplex: Bool
    /// One line for `--list-functions` and the docs.
    public var summary: String
}

/// The table of builtins.
public enum Builtins {
    /// Every builtin, in the order the docs list them.
    public static let all: [Builtin] = [
        b("where", 3, .select, .custom, bool: true, complex: true, "where(c, a, b): a where c is true, else b"),
        b("real", 1, .part, .custom, bool: true, complex: true, "real part (the value itself for real types)"),
        b("imag", 1, .part, .custom, bool: true, complex: true, "imaginary part (zero for real types)"),
        b("conj", 1, .conjugate, .custom, bool: true, complex: true, "complex conjugate"),
        b("complex", 2, .makeComplex, .custom, "complex(re, im)"),
        b("sin", 1, .floatUnary, .intrinsic("llvm.sin"), "sine"),
        b("cos", 1, .floatUnary, .intrinsic("llvm.cos"), "cosine"),
        b("tan", 1, .floatUnary, .libm("tan"), "tangent"),
        b("arcsin", 1, .floatUnary, .libm("asin"), "inverse sine"),
        b("arccos", 1, .floatUnary, .libm("acos"), "inverse cosine"),
        b("arctan", 1, .floatUnary, .libm("atan"), "inverse tangent"),
        b("arctan2", 2, .floatBinary, .libm("atan2"), "arctan2(y, x): angle of (x, y)"),
        b("sinh", 1, .floatUnary, .libm("sinh"), "hyperbolic sine"),
        b("cosh", 1, .floatUnary, .libm("cosh"), "hyperbolic cosine"),
        b("tanh", 1, .floatUnary, .libm("tanh"), "hyperbolic tangent"),
        b("arcsinh", 1, .floatUnary, .libm("asinh"), "inverse hyperbolic sine"),
        b("arccosh", 1, .floatUnary, .libm("acosh"), "inverse hyperbolic cosine"),
        b("arctanh", 1, .floatUnary, .libm("atanh"), "inverse hyperbolic tangent"),
        b("exp", 1, .floatUnary, .intrinsic("llvm.exp"), "e**x"),
        b("expm1", 1, .floatUnary, .libm("expm1"), "exp(x) - 1, accurate near 0"),
        b("exp2", 1, .floatUnary, .libm("exp2"), "2**x"),
        b("exp10", 1, .floatUnary, .libm("exp10"), "10**x"),
        b("log", 1, .floatUnary, .intrinsic("llvm.log"), "natural logarithm"),
        b("log1p", 1, .floatUnary, .libm("log1p"), "log(1 + x), accurate near 0"),
        b("log2", 1, .floatUnary, .intrinsic("llvm.log2"), "base-2 logarithm"),
        b("log10", 1, .floatUnary, .intrinsic("llvm.log10"), "base-10 logarithm"),
        b("sqrt", 1, .floatUnary, .intrinsic("llvm.sqrt"), "square root"),
        b("cbrt", 1, .floatUnary, .libm("cbrt"), "cube root"),
        b("erf", 1, .floatUnary, .libm("erf"), "error function"),
        b("erfc", 1, .floatUnary, .libm("erfc"), "complementary error function, 1 - erf(x)"),
        b("abs", 1, .sameUnary, .intrinsic("llvm.fabs"), bool: true, complex: true,
          "absolute value (of a complex value: its modulus, a float)"),
        b("ceil", 1, .sameUnary, .intrinsic("llvm.ceil"), bool: true, "round up"),
        b("floor", 1, .sameUnary, .intrinsic("llvm.floor"), bool: true, "round down"),
        b("trunc", 1, .sameUnary, .intrinsic("llvm.trunc"), bool: true, "round towards zero"),
        b("round", 1, .sameUnary, .intrinsic("llvm.roundeven"), bool: true, complex: true,
          "round to nearest, ties to even (complex: each part)"),
        b("sign", 1, .sameUnary, .custom, complex: true, "-1, 0 or 1 (NaN stays NaN); complex: z/|z|, 0 for 0"),
        b("fmod", 2, .sameBinary, .custom, "C remainder: sign of the dividend; integer fmod by 0 is 0"),
        b("hypot", 2, .floatBinary, .libm("hypot"), "sqrt(x*x + y*y) without overflow"),
        b("maximum", 2, .sameBinary, .custom, bool: true, "elementwise maximum; NaN propagates"),
        b("minimum", 2, .sameBinary, .custom, bool: true, "elementwise minimum; NaN propagates"),
        b("copysign", 2, .floatBinary, .intrinsic("llvm.copysign"), "magnitude of x, sign of y"),
        b("nextafter", 2, .floatBinary, .libm("nextafter"), "next float after x towards y"),
        b("isnan", 1, .predicate, .custom, bool: true, complex: true, "true where NaN (either part)"),
        b("isinf", 1, .predicate, .custom, bool: true, complex: true, "true where +inf or -inf (either part)"),
        b("isfinite", 1, .predicate, .custom, bool: true, complex: true, "true where neither NaN nor infinite"),
        b("signbit", 1, .predicate, .custom, bool: true, "true where the sign bit is set (also -0.0)"),
        b("sum", 1, .reduction, .custom, bool: true, complex: true, "sum(x, axis=None): sum over all axes or one"),
        b("prod", 1, .reduction, .custom, bool: true, complex: true, "prod(x, axis=None): product"),
        b("min", 1, .reduction, .custom, bool: true, "min(x, axis=None): minimum; NaN propagates"),
        b("max", 1, .reduction, .custom, bool: true, "max(x, axis=None): maximum; NaN propagates"),
        b("mean", 1, .reduction, .custom, bool: true, complex: true,
          "mean(x, axis=None): arithmetic mean (float64 for integers and bools, else x's type)"),
        b("var", 1, .reduction, .custom, bool: true, complex: true,
          "var(x, axis=None, ddof=0): variance, mean(abs(x - mean(x))**2) * n/(n - ddof) (a real type)"),
        b("std", 1, .reduction, .custom, bool: true, complex: true,
          "std(x, axis=None, ddof=0): standard deviation, sqrt(var(x, axis, ddof))"),
        b("clip", 3, .expansion, .custom, bool: true, "clip(x, lo, hi): minimum(maximum(x, lo), hi); NaN propagates"),
        b("mod", 2, .expansion, .custom, "mod(a, b): a % b, the remainder with the sign of b (NumPy's rule; fmod is C's)"),
        b("remainder", 2, .expansion, .custom, "remainder(a, b): the same as mod(a, b), a % b"),
        b("deg2rad", 1, .expansion, .custom, bool: true, "x * (pi/180): degrees to radians (also radians)"),
        b("rad2deg", 1, .expansion, .custom, bool: true, "x * (180/pi): radians to degrees (also degrees)"),
        b("square", 1, .expansion, .custom, bool: true, "x**2"),
        b("negative", 1, .expansion, .custom, "-x"),
        b("positive", 1, .expansion, .custom, "+x"),
        b("add", 2, .expansion, .custom, bool: true, "a + b"),
        b("subtract", 2, .expansion, .custom, "a - b"),
        b("multiply", 2, .expansion, .custom, bool: true, "a * b"),
        b("divide", 2, .expansion, .custom, bool: true, "a / b (also true_divide)"),
        b("floor_divide", 2, .expansion, .custom, "a // b"),
        b("power", 2, .expansion, .custom, "a ** b"),
        b("greater", 2, .expansion, .custom, bool: true, "a > b"),
        b("greater_equal", 2, .expansion, .custom, bool: true, "a >= b"),
        b("less", 2, .expansion, .custom, bool: true, "a < b"),
        b("less_equal", 2, .expansion, .custom, bool: true, "a <= b"),
        b("equal", 2, .expansion, .custom, bool: true, "a == b"),
        b("not_equal", 2, .expansion, .custom, bool: true, "a != b"),
        b("bitwise_and", 2, .expansion, .custom, bool: true, "a & b"),
        b("bitwise_or", 2, .expansion, .custom, bool: true, "a | b"),
        b("bitwise_xor", 2, .expansion, .custom, bool: true, "a ^ b"),
        b("left_shift", 2, .expansion, .custom, "a << b"),
        b("right_shift", 2, .expansion, .custom, "a >> b"),
        b("logical_and", 2, .expansion, .custom, bool: true, "bool(a) & bool(b)"),
        b("logical_or", 2, .expansion, .custom, bool: true, "bool(a) | bool(b)"),
        b("logical_xor", 2, .expansion, .custom, bool: true, "bool(a) ^ bool(b)"),
        b("logical_not", 1, .expansion, .custom, bool: true, "~bool(x)"),
    ] + DType.allCases.map { conversion($0) } + [
        b("random", 0, .random, .runtime("sj_random"), "kernels: uniform float64 in [0, 1) (xoshiro256**)"),
        b("normal", 2, .random, .runtime("sj_normal"), "kernels: normal(mu, sigma), float64 (polar Box-Muller)"),
        b("seed", 1, .random, .runtime("sj_seed"), "kernels: seed(n) restarts this thread's generator"),
    ]

    /// Functions of one argument that accept complex values through the C99-based helpers.
    static let complexCapable: Set<String> = [
        "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh",
        "arctanh", "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt",
    ]

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
        return b(d.shortName, 1, .conversion(d), .custom, bool: true, complex: true, "convert to \(what)")
    }

    private static func b(_ name: String, _ arity: Int, _ typing: TypingRule, _ lowering: LoweringRule,
                          bool: Bool = false, complex: Bool? = nil, _ summary: String) -> Builtin {
        Builtin(name: name, arity: arity, typing: typing, lowering: lowering, acceptsBool: bool,
                acceptsComplex: complex ?? complexCapable.contains(name), summary: summary)
    }
}
