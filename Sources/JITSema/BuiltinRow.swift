// The parts of one row of the builtin table (Builtins.swift): how a builtin types its arguments,
// how it lowers for real, complex and vectorisable float arguments, which C names it has and how
// accurate it is. Lowering (JITLowering) switches over these enums, so a row is all it reads:
// no list of names elsewhere says what a builtin does.
import JITSyntax

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

/// How a call of a builtin with real arguments becomes machine code (EmitBuiltins.swift).
public enum LoweringRule: Hashable, Sendable {
    /// A function of the kernel runtime (CJITSupport), called with float64/int64 arguments.
    case runtime(String)
    /// An LLVM intrinsic overloaded on the float type (`llvm.sqrt`); lowers to libm where needed.
    /// Only float arguments reach it (the type specializer makes rounding of integers the identity).
    case intrinsic(String)
    /// A C math library function: the float64 name; float32 adds `f` (`sin`, `sinf`).
    case libm(String)
    /// Code lowering writes itself, for every argument type the type specializer lets through.
    case emitted(EmittedCode)
    /// Never a call in the typed IR: the type specializer, ReductionLifting or BuiltinExpansion
    /// turn it into other IR (`where` into a select, conversions into casts, reductions into
    /// loops, expansions into operators).
    case rewritten
}

/// The builtins whose code lowering writes itself (EmitBuiltins.swift; EmitComplex.swift for
/// complex arguments). One case per builtin; lowering switches over them without a default.
public enum EmittedCode: String, Hashable, Sendable, CaseIterable {
    /// floats: `llvm.fabs`; integers: wrapping negation of negatives; complex: hypot of the parts.
    case abs
    /// floats: -1, 0, 1 by comparisons (NaN stays NaN); integers: the same in integer arithmetic.
    case sign
    /// floats: `frem`; integers: remainder with a zero (or -1) divisor made safe.
    case fmod
    /// Comparison and select, NaN propagating from either side.
    case maximum, minimum
    /// Bit tests of the float's representation (immune to fast-math flags); complex: either part
    /// (isnan, isinf) or both parts (isfinite).
    case isnan, isinf, isfinite, signbit
    /// The parts of a complex value; the conjugate; a complex value from two parts.
    case real, imag, conj, complex
}

/// How a builtin accepts complex arguments; a row without one refuses them.
public enum ComplexLowering: Hashable, Sendable {
    /// A C helper of CJITSupport, `name(re, im, &re, &im)` (`f` added for complex64): C99's
    /// functions where NumPy uses them, NumPy's own formulas and branch cuts elsewhere.
    case helper(String)
    /// The row's emitted code handles complex arguments (EmitComplex.swift).
    case emitted
    /// The type specializer builds it from real operations on the parts
    /// (TypeSpecializer+Complex.swift: `round`, `sign`).
    case specialized
    /// Works on the whole value, whatever its type: `where`, conversions and reductions.
    case whole
}

/// The choice of implementation of a builtin per type and math mode.
public enum VectorMathImplementation: String, Hashable, Sendable {
    /// The rule of the builtin table (scalar libm call or LLVM intrinsic).
    case libm
    /// Our polynomial implementation (JITLowering's VectorMath*.swift; inlined and vectorised).
    case polynomial
    /// glibc's libmvec vector variants (`_ZGVeN8v_exp`, ...), called by the loop vectoriser
    /// through the vector-function ABI; our polynomial for scalar remainders. Only where libmvec
    /// is usable (`LibMVec`); else `polynomial`.
    case libmvec
}

/// Our branch-free implementations of math functions (JITLowering's VMBuilder has the body of
/// each; its switch over this enum has no default, so a case without a body does not compile).
public enum VectorKernel: String, Hashable, Sendable, CaseIterable {
    case exp, exp2, exp10, expm1, log, log2, log10, log1p
    case sin, cos, tan, sinh, cosh, tanh, arcsin, arccos, arctan, arcsinh, arccosh, arctanh
    case cbrt, erf, erfc
    /// Two arguments.
    case pow, arctan2

    /// Number of arguments of the body.
    public var arity: Int { self == .pow || self == .arctan2 ? 2 : 1 }
}

/// A builtin's vectorisable float lowering: our implementation and, per type and math mode, which
/// of it, libm and libmvec is used (measured: docs/vector-math.md).
public struct VectorLowering: Hashable, Sendable {
    /// Our implementation.
    public var kernel: VectorKernel
    /// `[strict, relaxed, fast]` for float64.
    public var float64: [VectorMathImplementation]
    /// `[strict, relaxed, fast]` for float32.
    public var float32: [VectorMathImplementation]
    /// sin, cos, tan: a rare expensive path (Payne-Hanek for huge arguments). Computing it for
    /// every element of branch-free vector code would cost 3x (f64) to 8x (f32), so our scalar
    /// function is called (not inlined) and gets explicit vector variants that the loop
    /// vectoriser calls through LLVM's vector-function ABI: each variant computes the common path
    /// for all lanes and branches to the scalar function only when some lane needs it
    /// (JITLowering's VectorMath.swift).
    public var variants: Bool

    /// The implementation for `type` (float32 or float64) in `mode`, before checking the target.
    public func choice(_ type: DType, _ mode: MathMode) -> VectorMathImplementation {
        let modes = type == .float64 ? float64 : float32
        switch mode {
        case .strict: return modes[0]
        case .relaxed: return modes[1]
        case .fast: return modes[2]
        }
    }
}

/// The documented maximum error of a builtin in ULP of the result type, per math mode
/// (scripts/accuracy checks the measured error against it; docs/vector-math.md lists both).
public struct AccuracyBound: Hashable, Sendable {
    public var strict: Double
    public var relaxed: Double
    public var fast: Double
}

/// A builtin as the typed IR names it: the index of its row in `Builtins.all`, so it always names
/// a row. Prints as the builtin's name (the IR's text form: `call sin(%0)`).
public struct BuiltinID: Hashable, Sendable, CustomStringConvertible {
    /// The row's index in `Builtins.all`.
    public let index: Int
    /// The row.
    public var builtin: Builtin { Builtins.all[index] }
    /// The builtin's name (canonical: `arctan`, not the alias `atan`).
    public var name: String { builtin.name }
    public var description: String { name }

    /// The builtin called `name`: for the builtins that passes and lowering create or look for
    /// (`sqrt` of ExpandPowers, the parts of complex values); a missing name is our bug.
    static func named(_ name: String) -> BuiltinID {
        guard let fn = Builtins.lookup(name) else { preconditionFailure("no builtin '\(name)' in the table") }
        return fn.id
    }

    public static let sqrt = named("sqrt"), abs = named("abs"), round = named("round"), sign = named("sign")
    public static let real = named("real"), imag = named("imag"), complex = named("complex")
    public static let isnan = named("isnan"), isinf = named("isinf"), isfinite = named("isfinite")
    public static let signbit = named("signbit")
    public static let maximum = named("maximum"), minimum = named("minimum")
    /// `power(a, b)`, the `**` operator: its row holds the float lowering of `**`.
    public static let power = named("power")
}

/// One builtin function: everything the compiler knows about it.
public struct Builtin: Hashable, Sendable {
    /// Its id (the index of the row).
    public internal(set) var id = BuiltinID(index: -1)
    /// The name used in expressions.
    public var name: String
    /// Number of arguments.
    public var arity: Int
    /// How argument and result types are decided.
    public var typing: TypingRule
    /// How it lowers for real arguments.
    public var lowering: LoweringRule
    /// For an expansion that is an operator: that operator (`add(a, b)` is `a + b`; BuiltinExpansion).
    public var binaryOperator: BinaryOperator?
    /// Whether bool arguments are accepted.
    public var acceptsBool: Bool
    /// How complex arguments are handled (float functions then give complex results); nil when
    /// they are refused.
    public var complex: ComplexLowering?
    /// Our vectorisable implementation and when it is used; nil when there is none.
    public var vector: VectorLowering?
    /// The C math library's float64 name (float32 adds `f`), also the base of libmvec's names
    /// (`_ZGVdN4v_asin`); nil when it has none.
    public var libm: String?
    /// The documented error bound, for functions whose accuracy scripts/accuracy measures.
    public var accuracy: AccuracyBound?
    /// For a reduction: the elementwise builtin that a call with two scalar arguments means in a
    /// kernel (`min(a, b)` is `minimum(a, b)`).
    public var pairwise: String?
    /// `mean var std`: a reduction computed from sums (ReductionLifting, KernelChecker+Statistics),
    /// whose name a kernel helper may take.
    public var statistic: Bool
    /// One line for `--list-functions` and the docs.
    public var summary: String

    /// Whether complex arguments are accepted.
    public var acceptsComplex: Bool { complex != nil }
}
