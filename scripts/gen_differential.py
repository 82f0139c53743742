#!/usr/bin/env python3
"""Generates the differential test cases for SwiftJIT against NumPy.

Usage:  python3 scripts/gen_differential.py [output-dir]
        (default: Tests/SwiftJITTests/Cases/differential)

The functions come from SwiftJIT's builtin table (`swiftjit functions --json`, read by
builtin_table.py: SWIFTJIT_BIN or the checkout's build), so every function of the table is
covered; NUMPY_EQUIVALENT names NumPy's (or SciPy's) function where NumPy has none of that name.

Deterministic: a fixed seed, fixed edge values, and NumPy (2.x) as the reference. The files it
writes are committed; Tests/SwiftJITTests/DifferentialTests.swift reads them and runs every case
through the JIT in each math mode (strict, relaxed, fast).

Files: operators.txt (every operator, every dtype pair, array/scalar/literal positions),
functions.txt (every builtin function), composite.txt (reference workloads, mixed dtypes,
literal-only expressions), broadcast.txt (broadcasting across ranks, strided views),
out.txt (out= and casting, in place, overlapping outs), reductions.txt (sum prod min max),
complex.txt (complex64/complex128), intwidths.txt (int8 int16 uint8 uint16 uint32 uint64),
numpy2.txt (NumPy 2 rules: attributes .real/.imag, NEP 50 for functions of literals, integer
powers of literals, complex order/round/sign, conversion functions, float32 in relaxed mode).

FORMAT (one token-separated line per item; `#` starts a comment line; blank lines ignored)

    array <id> <dtype> <v1> <v2> ...      shared input array, referenced by id from cases
    case <n> <class>                      starts a case; n is unique in the file; class is the
                                          comparison class: exact | powconst | transcendental |
                                          composite | reduction | predicate (see README.md for
                                          the bounds)
    expr <expression text to end of line>
    arg <name> array <id>                 an array argument (one of the shared arrays)
    arg <name> array <id> shape <d1> ...  an array argument laid out row-major in that shape
                                          (no dimensions: 0-d)
    view <name> <op>                      (repeatable, in order) the argument is a view of that
                                          array: `transpose` (NDArray.transposed(), reversing the
                                          dimensions), `slice axis=<a> start=<s> stop=<e>
                                          step=<k>` (NDArray.sliced(axis: a, s..<e, step: k); a
                                          negative step walks from e-1 down to s), `reshape <d1>
                                          ...` (NDArray.reshaped)
    arg <name> scalar <dtype> <v>         a typed scalar argument (np.float32(v) in NumPy)
    out new <dtype> <d1> ...              out= is a new zero-filled array of that dtype and shape
    out arg <name>                        out= is the array argument <name> is a view of (before
                                          its views): out and the inputs share memory
    outview <op>                          (repeatable) a view of out, as for `view`
    casting <rule>                        no | equiv | safe | same_kind | unsafe (default safe)    expect <dtype> array <v1> <v2> ...    the NumPy result (a 1-d array)
    expect <dtype> scalar <v>             the NumPy result when every argument is a scalar (0-d)
    rshape <d1> ...                       (after expect) the result's shape, when it is not
                                          1-d (empty: 0-d); with out=, the result is out itself
    expect error                          NumPy raises (or SwiftJIT deliberately refuses): the
                                          JIT must throw
    alt <v1> <v2> ...                     (optional, repeatable) another accepted result in
                                          relaxed/fast mode: NumPy's result with the zeros in the
                                          float inputs all +0.0, or all -0.0 (those modes ignore
                                          the sign of zero, e.g. copysign(1, -0.0) may give 1)
    scale <v1> <v2> ...                   (composite only) per element, the largest magnitude of
                                          the terms (operands of + and -, and the result), as
                                          float64; relaxed/fast tolerance is relative to it
    anyzero <i1> <i2> ...                 (optional) elements where NumPy leaves the sign of a zero
                                          result unspecified (maximum/minimum of -0.0 and 0.0):
                                          either zero is accepted in every mode
    precision float32                     (composite only, optional) a float32 value occurs in
                                          the computation: the relative tolerance is float32's
    fastskip <i1> <i2> ...                elements not compared in fast mode (an input, an
                                          intermediate or the result is NaN, infinite or
                                          subnormal); `-` if none
    ignore <i1> <i2> ...                  elements compared in no mode (out=: NaN, inf or
                                          out-of-range float -> integer casts)
    reduce <n>                            (reduction only) the longest reduction; the tolerance
                                          is (n + 8)·eps of the per-element `scale`, which is a
                                          first-order error scale (sum(|x|) for a sum)
    known-failure <modes> <reason>        a SwiftJIT bug: the test counts the case but does not
                                          compare it in <modes> (comma list, or `all`); written
                                          from KNOWN_FAILURES / KNOWN_ND below, not edited by
                                          hand

Values: bool `0`/`1`; integers (int8 ... int64, uint8 ... uint64) decimal; float32/float64 the IEEE
bit pattern as 8/16 lower-case hex digits (so NaN, -0.0, infinities and subnormals are exact);
complex64/complex128 the two parts' bit patterns as one token `re:im` (8 or 16 hex digits each).
dtypes: bool int8 int16 int32 int64 uint8 uint16 uint32 uint64 float32 float64 complex64 complex128.
Class `complex` (complex.txt): each part within the ulp bound in the part's type, or within
ulps·eps·|z| of the expected value z (see README.md).

Deliberate differences from NumPy encoded here (SwiftJIT's rule wins):
  * float functions of bool arguments give float64 in SwiftJIT (NumPy: float16): not generated;
  * `// % ** << >>`, fmod and sign with bool operands only are errors in SwiftJIT (NumPy: int8);
  * round(bool) is the identity (bool) in SwiftJIT (NumPy: float16);
  * integer ** negative integer: only non-negative integer exponents are generated;
  * float functions of 8/16-bit integers give float64 in SwiftJIT (NumPy: float16/float32): the
    reference computes them from float64 inputs;
  * on complex values, maximum, minimum and min/max reductions are errors in SwiftJIT (NumPy
    orders complex numbers lexicographically there; `< <= > >=`, round and sign agree);
  * a float to integer conversion out of range follows NumPy 2.4 on x86-64 (numpy2.txt records
    this machine's NumPy; ScalarSemantics.floatToInteger documents the rule).

The reference evaluates the expression's Python AST node by node with NumPy operators (literals
stay Python ints/floats, i.e. weak, as NEP 50 wants), except that `**` is np.power: the `**`
operator squares for an exponent 2 and so gives int8 for bool ** 2.
"""

import ast
import math
import operator
import os
import struct
import sys
import warnings

import numpy as np

SEED = 20240611
N = 40

DTYPES = ["bool", "int32", "int64", "float32", "float64"]
NP = {"bool": np.bool_, "int32": np.int32, "int64": np.int64, "float32": np.float32, "float64": np.float64,
      "int8": np.int8, "int16": np.int16, "uint8": np.uint8, "uint16": np.uint16, "uint32": np.uint32,
      "uint64": np.uint64, "complex64": np.complex64, "complex128": np.complex128}
INTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
COMPLEX_PART = {"complex64": "float32", "complex128": "float64"}

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import builtin_table  # noqa: E402
import repo_root  # noqa: E402
ROOT = str(repo_root.find())
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Tests/SwiftJITTests/Cases/differential")

warnings.simplefilter("ignore")
np.seterr(all="ignore")
rng = np.random.default_rng(SEED)

# --------------------------------------------------------------------------------------------
# values

def edge_values(dt):
    if dt == "float64":
        return [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-310, 1e300, -1e300, math.inf, -math.inf,
                math.nan, 1e6, -1e6, 0.1, 7.0, -7.0]
    if dt == "float32":
        return [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-40, 3e38, -3e38, math.inf, -math.inf,
                math.nan, 1e6, -1e6, 0.1, 7.0, -7.0]
    if dt == "int32":
        return [0, 1, -1, 2, -7, 7, 31, 32, 63, 64, -2**31, 2**31 - 1]
    if dt == "int64":
        return [0, 1, -1, 2, -7, 7, 31, 32, 63, 64, -2**63, 2**63 - 1]
    raise ValueError(dt)


def make_array(dt, variant):
    """A length-N array of dtype dt: edge values plus random ones, permuted by variant."""
    if dt == "bool":
        return rng.integers(0, 2, N).astype(np.bool_)
    edges = edge_values(dt)
    if dt.startswith("float"):
        rest = N - len(edges)
        wide = rng.uniform(-10, 10, rest - 8)
        unit = rng.uniform(-1, 1, 8)
        vals = np.array(edges + list(wide) + list(unit), dtype=NP[dt])
    else:
        vals = np.array(edges + list(rng.integers(-100, 101, N - len(edges))), dtype=NP[dt])
    if variant:
        vals = vals[rng.permutation(N)]
    return vals


def make_exponents(dt):
    """Non-negative integer exponents (NumPy raises for negative integer powers of arrays)."""
    vals = [0, 1, 2, 3, 4, 5, 31, 32, 63, 64] + list(rng.integers(0, 6, N - 10))
    if dt == "bool":
        return (np.array(vals) % 2).astype(np.bool_)
    return np.array(vals, dtype=NP[dt])[rng.permutation(N)]


def enc(v, dt):
    """One value as its text token."""
    if dt == "bool":
        return "1" if bool(v) else "0"
    if dt in INTS:
        return str(int(v))
    if dt in COMPLEX_PART:
        c = NP[dt](v)
        return "%s:%s" % (enc(c.real, COMPLEX_PART[dt]), enc(c.imag, COMPLEX_PART[dt]))
    if dt == "float32":
        return "%08x" % struct.unpack("<I", struct.pack("<f", np.float32(v)))[0]
    return "%016x" % struct.unpack("<Q", struct.pack("<d", np.float64(v)))[0]


def enc_all(a, dt):
    a = np.asarray(a)
    if dt == "bool":
        return " ".join("1" if v else "0" for v in a.tolist())
    if dt in INTS:
        return " ".join(str(v) for v in a.tolist())
    if dt in COMPLEX_PART:
        c = a.astype(NP[dt])
        part = COMPLEX_PART[dt]
        return " ".join("%s:%s" % (r, i) for r, i in zip(enc_all(c.real, part).split(), enc_all(c.imag, part).split()))
    if dt == "float32":
        return " ".join("%08x" % v for v in a.astype(np.float32).view(np.uint32).tolist())
    return " ".join("%016x" % v for v in a.astype(np.float64).view(np.uint64).tolist())


def dtname(d):
    d = np.dtype(d)
    names = {np.dtype(t): n for n, t in NP.items()}
    return names.get(d)

# --------------------------------------------------------------------------------------------
# evaluation of an expression with NumPy, node by node

# The elementwise functions of the table, evaluated by NumPy's function of the same name or, where
# NumPy has none, by the equivalent here (a table function with neither stops the generator).
ELEMENTWISE = ("floatUnary", "floatBinary", "sameUnary", "sameBinary", "predicate")
FLOAT_FUNCS = set(builtin_table.names("floatUnary", "floatBinary"))
def _exact(name, odd=False, limit=math.inf):
    """mpmath's `name` at 160 bits, rounded to the argument's float type (float64 for integers):
    for functions NumPy lacks where SciPy's are off by many ULP (scipy.special.erfc(27) is 0, the
    value is 5.2e-319). An odd function keeps the sign of a zero (mpmath's zero has none);
    arguments are clamped to +-limit (mpmath cannot round erfc(1e300) to a float)."""
    def one(v, fn, mp):
        if np.isnan(v):
            return v
        r = float(fn(mp.mpf(max(min(v, limit), -limit))))
        return math.copysign(r, v) if odd and r == 0 else r

    def f(x):
        import mpmath as mp
        mp.mp.prec = 160
        a = np.asarray(x)
        t = a.dtype if a.dtype.kind == "f" else np.dtype(np.float64)
        fn = getattr(mp, name)
        r = np.array([one(float(v), fn, mp) for v in a.astype(np.float64).reshape(-1)],
                     dtype=np.float64).astype(t).reshape(a.shape)
        return r if isinstance(x, np.ndarray) else t.type(r[()])
    return f


NUMPY_EQUIVALENT = {
    "exp10": lambda x: np.power(10.0, x),   # a weak 10.0: float32 stays float32
    "erf": _exact("erf", odd=True, limit=1000),
    "erfc": _exact("erfc", limit=1000),
}


def _numpy_function(name):
    f = NUMPY_EQUIVALENT.get(name) or getattr(np, name, None)
    if f is None:
        raise SystemExit("gen_differential.py: no NumPy equivalent of builtin %r: add it to NUMPY_EQUIVALENT" % name)
    return f


FUNCS = {"where": np.where}
for _n in builtin_table.names(*ELEMENTWISE):
    FUNCS[_n] = _numpy_function(_n)


def _float64_of_small_ints(f):
    """SwiftJIT's rule: float functions of integers give float64 (NumPy: float16 for 8-bit and
    float32 for 16-bit integers); the arguments of other types are passed unchanged."""
    def g(*xs):
        ys = [np.asarray(x).astype(np.float64) if isinstance(x, (np.ndarray, np.generic))
              and np.asarray(x).dtype.kind in "iu" and np.asarray(x).dtype.itemsize < 4 else x for x in xs]
        return f(*ys)
    return g


for _n in FLOAT_FUNCS:
    FUNCS[_n] = _float64_of_small_ints(FUNCS[_n])


def make_complex(a, b):
    """complex(re, im): both parts promoted together (NEP 50, literals weak), integers and bools
    to float64, then the complex type of that precision."""
    if all(isinstance(v, (bool, int, float)) for v in (a, b)):
        return complex(a, b)          # literal-only: a weak Python complex, as SwiftJIT folds it
    t = np.result_type(a, b)
    if t.kind in "biu":
        t = np.dtype(np.float64)
    ct = np.complex64 if t == np.float32 else np.complex128
    shape = np.broadcast_shapes(np.shape(a), np.shape(b))
    r = np.empty(shape, dtype=ct)
    r.real = a
    r.imag = b
    return r if shape else ct(r[()])


FUNCS.update(real=np.real, imag=np.imag, conj=np.conj, complex=make_complex)


def make_conversion(dt):
    """i64(x) ...: NumPy's scalar type for a Python number (np.int8(300) raises, as SwiftJIT
    refuses the literal), astype (unsafe casting) for arrays and NumPy scalars."""
    def convert(x):
        if type(x) in (bool, int, float, complex):
            return NP[dt](x)
        a = np.asarray(x).astype(NP[dt])
        return a if a.ndim else NP[dt](a[()])
    return convert


CONVERSIONS = {"bool": "bool", "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64", "u8": "uint8",
               "u16": "uint16", "u32": "uint32", "u64": "uint64", "f32": "float32", "f64": "float64",
               "c64": "complex64", "c128": "complex128"}
FUNCS.update({short: make_conversion(dt) for short, dt in CONVERSIONS.items()})

BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
          ast.Pow: np.power, ast.LShift: operator.lshift, ast.RShift: operator.rshift,
          ast.BitAnd: operator.and_, ast.BitOr: operator.or_, ast.BitXor: operator.xor}
CMPOPS = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Eq: operator.eq, ast.NotEq: operator.ne,
          ast.GtE: operator.ge, ast.Gt: operator.gt}
UNOPS = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert}


REDUCTIONS = {"sum": np.sum, "prod": np.prod, "min": np.min, "max": np.max}


def bad_mask(v):
    """Elements fast mode need not reproduce: NaN, infinite or subnormal floats."""
    a = np.asarray(v)
    if a.dtype.kind == "c":
        return bad_mask(a.real) | bad_mask(a.imag)
    if a.dtype.kind != "f":
        return np.zeros(a.shape, dtype=bool)
    tiny = np.finfo(a.dtype).tiny
    return ~np.isfinite(a) | ((a != 0) & (np.abs(a) < tiny))


def mag(v):
    """Magnitudes as float64 (the modulus of complex values)."""
    a = np.asarray(v)
    if a.dtype.kind == "c":
        return np.abs(a).astype(np.float64)
    return np.abs(np.asarray(v, dtype=np.float64))


def reduce_axis(kw, ndim):
    axis = kw.get("axis")
    return None if axis is None else axis % max(ndim, 1)


class Evaluation:
    """Evaluates an expression. Per node it also computes (structurally, through broadcasting
    and reductions) `mask`: an input or intermediate feeding the element is NaN, infinite or
    subnormal (for fastskip), and `err`: a first-order bound on the magnitude the rounding
    errors scale with (for reduction cases); it records the operands of + and - (for scale) and
    the longest reduction."""

    def __init__(self, env):
        self.env = env
        self.nodes = []
        self.terms = []
        self.reduce_length = 0
        self.mask = None
        self.err = None

    def run(self, text):
        tree = ast.parse(text, mode="eval").body
        v, self.mask, self.err = self.visit(tree)
        return v

    def visit(self, n):
        masks = []
        extra = None
        errs = []
        if isinstance(n, ast.Constant):
            v = n.value
        elif isinstance(n, ast.Name):
            v = self.env[n.id]
        elif isinstance(n, ast.Attribute):
            (a, ma, ea) = self.visit(n.value)
            masks, errs = [ma], [ea]
            v = getattr(a, n.attr)      # .real / .imag (NumPy's; Python numbers have them too)
        elif isinstance(n, ast.BinOp):
            (a, ma, ea), (b, mb, eb) = self.visit(n.left), self.visit(n.right)
            masks += [ma, mb]
            if isinstance(n.op, ast.Pow) and all(type(t) is int for t in (a, b)):
                v = a ** b              # Python ints: 2 ** -1 is 0.5
            else:
                v = BINOPS[type(n.op)](a, b)
            if isinstance(n.op, (ast.Add, ast.Sub)):
                self.terms += [a, b]
                errs = [ea, eb]
            elif isinstance(n.op, ast.Mult):
                errs = [ea * mag(b) + eb * mag(a)]
            elif isinstance(n.op, ast.Div):
                with np.errstate(all="ignore"):
                    bb = mag(b)
                    errs = [ea / bb + eb * mag(a) / (bb * bb)]
            else:
                errs = [ea, eb]
            if isinstance(n.op, ast.Div) and np.asarray(v).dtype.kind == "f":
                # fast mode may divide as x * (1/y) (arcp): 1/y is an intermediate there
                extra = np.divide(1, np.asarray(b).astype(np.asarray(v).dtype))
            if isinstance(n.op, ast.Pow) and isinstance(b, (int, float)) and np.asarray(v).dtype.kind == "f":
                # SwiftJIT expands constant powers into products: |x|**ceil(|n|) is an intermediate
                # (it may overflow although x**-n does not).
                extra = np.power(np.abs(np.asarray(a).astype(np.asarray(v).dtype)), float(math.ceil(abs(b))))
                self.nodes.append(extra)
        elif isinstance(n, ast.UnaryOp):
            o, mo, eo = self.visit(n.operand)
            masks, errs = [mo], [eo]
            v = UNOPS[type(n.op)](o)
        elif isinstance(n, ast.Compare):
            assert len(n.ops) == 1
            (a, ma, ea), (b, mb, eb) = self.visit(n.left), self.visit(n.comparators[0])
            masks += [ma, mb]
            v = CMPOPS[type(n.ops[0])](a, b)
            errs = [np.zeros(np.shape(v))]
        elif isinstance(n, ast.Call) and n.func.id in REDUCTIONS:
            (a, ma, ea), = [self.visit(x) for x in n.args]
            kw = {k.arg: ast.literal_eval(k.value) for k in n.keywords}
            a = np.asarray(a)
            axis = reduce_axis(kw, a.ndim)
            v = REDUCTIONS[n.func.id](a, axis=kw.get("axis"))
            size = a.size if axis is None else a.shape[axis]
            self.reduce_length = max(self.reduce_length, size)
            full = np.broadcast_to(ma, a.shape)
            masks = [np.any(full, axis=axis) if a.ndim else full]
            ef = np.broadcast_to(ea, a.shape).astype(np.float64)
            if n.func.id == "sum":
                errs = [np.sum(ef, axis=axis) if a.ndim else ef]
            elif n.func.id == "prod":
                errs = [mag(v)]
            else:
                errs = [np.max(ef, axis=axis, initial=0.0) if a.ndim else ef]
        elif isinstance(n, ast.Call):
            results = [self.visit(a) for a in n.args]
            masks = [m for _, m, _ in results]
            errs = [e for _, _, e in results]
            v = FUNCS[n.func.id](*[x for x, _, _ in results])
        else:
            raise ValueError(ast.dump(n))
        self.nodes.append(v)
        shape = np.shape(v)
        m = bad_mask(v)
        if extra is not None:
            m = m | bad_mask(extra)
        for x in masks:
            m = m | np.broadcast_to(x, shape)
        with np.errstate(all="ignore"):
            e = mag(v) if np.asarray(v).dtype.kind != "b" else np.zeros(shape)
            for x in errs:
                e = np.fmax(e, np.broadcast_to(np.asarray(x, dtype=np.float64), shape))
        return v, m, e


# --------------------------------------------------------------------------------------------
# case files

BOOL_ONLY_ERRORS = {"//", "%", "**", "<<", ">>"}
# Float functions compared within the transcendental bound; copysign and nextafter are exact.
TRANSCENDENTAL = FLOAT_FUNCS - {"copysign", "nextafter"}


class CaseFile:
    def __init__(self, name, title):
        self.name = name
        self.lines = ["# " + title, "# Generated by scripts/gen_differential.py (NumPy %s, seed %d); do not edit by hand"
                      % (np.__version__, SEED), "# (known failures: KNOWN_FAILURES in the script). Format: see the script's docstring.", ""]
        self.arrays = {}      # key -> id
        self.count = 0
        self.errors = 0
        self.known = {}       # case text key -> known-failure line

    def array(self, a, dt):
        key = (dt, enc_all(a, dt))
        if key not in self.arrays:
            aid = "A%d" % len(self.arrays)
            self.arrays[key] = aid
            self.lines.append("array %s %s %s" % (aid, dt, key[1]))
        return self.arrays[key]

    def add(self, expr, args, cls, expect_error=False, known=None):
        """args: list of (name, kind, dtype, value) with kind 'array' or 'scalar'."""
        env = {}
        for name, kind, dt, val in args:
            env[name] = np.asarray(val, dtype=NP[dt]) if kind == "array" else NP[dt](val)
        out = []
        self.count += 1
        out.append("case %d %s" % (self.count, cls))
        out.append("expr " + expr)
        for name, kind, dt, val in args:
            if kind == "array":
                out.append("arg %s array %s" % (name, self.array(val, dt)))
            else:
                out.append("arg %s scalar %s %s" % (name, dt, enc(val, dt)))
        result = None
        if not expect_error:
            try:
                ev = Evaluation(env)
                result = ev.run(expr)
            except Exception:
                expect_error = True
        if expect_error:
            self.errors += 1
            out.append("expect error")
        else:
            r = np.asarray(result)
            rdt = dtname(r.dtype)
            if rdt is None:
                raise RuntimeError("%s: NumPy result dtype %s is not supported (args %s)" % (expr, r.dtype, args))
            kind = "array" if r.ndim else "scalar"
            out.append("expect %s %s %s" % (rdt, kind, enc_all(r.reshape(-1), rdt)))
            self.alternatives(out, expr, args, r, rdt)
            if cls == "predicate":
                skip = np.zeros(r.shape, dtype=bool)
            else:
                skip = np.broadcast_to(ev.mask, r.shape)
            if cls == "composite":
                scale = mag(r)
                for t in ev.terms:
                    ta = mag(t)
                    scale = np.fmax(scale, np.broadcast_to(ta, scale.shape))
                out.append("scale " + enc_all(scale.reshape(-1), "float64"))
                if any(np.asarray(v).dtype == np.float32 for v in list(env.values()) + ev.nodes):
                    out.append("precision float32")
            top = ast.parse(expr, mode="eval").body
            if isinstance(top, ast.Call) and top.func.id in ("maximum", "minimum"):
                # NumPy does not define which zero maximum(-0.0, 0.0) gives (its SIMD loops return
                # the second operand, its docs say the first): either sign is accepted there.
                za, zb = (np.asarray(Evaluation(env).run(ast.unparse(arg))).astype(np.float64)
                          for arg in top.args)
                tie = np.broadcast_to((za == 0) & (zb == 0), r.shape).reshape(-1)
                if np.any(tie):
                    out.append("anyzero " + " ".join(str(i) for i in np.nonzero(tie)[0]))
            idx = np.nonzero(skip.reshape(-1))[0]
            out.append("fastskip " + (" ".join(str(i) for i in idx) if len(idx) else "-"))
        if known:
            out.append("known-failure " + known)
        self.lines += out

    def alternatives(self, out, expr, args, r, rdt):
        """Results with the float input zeros all +0.0 or all -0.0 (relaxed/fast ignore the sign
        of zero), when they differ from r by more than the sign of a zero result."""
        def has_zero(v, dt):
            v = np.asarray(v, dtype=NP[dt])
            if dt in COMPLEX_PART:
                return np.any(v.real == 0) or np.any(v.imag == 0)
            return dt.startswith("float") and np.any(v == 0)
        if not any(has_zero(val, dt) for _, _, dt, val in args):
            return
        for zero in (0.0, -0.0):
            env = {}
            for name, kind, dt, val in args:
                v = np.array(val, dtype=NP[dt])
                if dt.startswith("float"):
                    v = np.where(v == 0, NP[dt](zero), v)
                elif dt in COMPLEX_PART:
                    w = np.empty_like(v)
                    w.real = np.where(v.real == 0, zero, v.real)
                    w.imag = np.where(v.imag == 0, zero, v.imag)
                    v = w
                env[name] = v if kind == "array" else NP[dt](v)
            try:
                a = np.asarray(Evaluation(env).run(expr))
            except Exception:
                continue
            if a.dtype != r.dtype:
                continue
            if a.dtype.kind == "c":
                same = ((a.real == r.real) | (np.isnan(a.real) & np.isnan(r.real))) & \
                       ((a.imag == r.imag) | (np.isnan(a.imag) & np.isnan(r.imag)))
            else:
                same = (a == r) | (np.isnan(a) & np.isnan(r))
            if not np.all(same):
                out.append("alt " + enc_all(a.reshape(-1), rdt))

    def write(self):
        os.makedirs(OUT, exist_ok=True)
        path = os.path.join(OUT, self.name)
        with open(path, "w") as f:
            f.write("\n".join(self.lines) + "\n")
        return path, self.count, self.errors, os.path.getsize(path)


# --------------------------------------------------------------------------------------------
# n-d cases: broadcasting, views, out= and casting, reductions

def np_view(a, views):
    """The NumPy view matching NDArray's view operations (transposed(), sliced(axis:_:step:),
    reshaped(_:))."""
    for v in views:
        if v[0] == "transpose":
            a = a.T
        elif v[0] == "slice":
            _, axis, start, stop, step = v
            if start == stop:
                sl = slice(0, 0)
            elif step > 0:
                sl = slice(start, stop, step)
            else:  # NDArray.sliced walks backwards from stop - 1 down to start
                sl = slice(stop - 1, start - 1 if start > 0 else None, step)
            a = a[(slice(None),) * axis + (sl,)]
        elif v[0] == "reshape":
            b = a.reshape(v[1])
            assert np.shares_memory(a, b) or a.size == 0, "reshape of a non-contiguous view copies"
            a = b
        else:
            raise ValueError(v)
    return a


def view_text(v):
    if v[0] == "transpose":
        return "transpose"
    if v[0] == "slice":
        return "slice axis=%d start=%d stop=%d step=%d" % v[1:]
    return "reshape " + " ".join(str(d) for d in v[1])


class Arg:
    """An argument of an n-d case: a scalar, or an array laid out in `shape` seen through `views`."""

    def __init__(self, name, dt, values, shape=None, views=(), scalar=False):
        self.name, self.dt, self.scalar = name, dt, scalar
        self.values = values if scalar else np.asarray(values, dtype=NP[dt]).reshape(-1)
        self.shape = tuple(shape) if shape is not None else (None if scalar else (self.values.size,))
        self.views = list(views)

    def base(self):
        return np.array(self.values, dtype=NP[self.dt]).reshape(self.shape)

    def value(self):
        return NP[self.dt](self.values) if self.scalar else np_view(self.base(), self.views).copy()


def cast_ignore(r, odt):
    """Elements of an unsafe float -> integer cast that are implementation-defined (NaN, inf,
    out of range)."""
    r = np.asarray(r)
    if r.dtype.kind != "f" or odt not in ("int32", "int64"):
        return np.zeros(r.shape, dtype=bool)
    info = np.iinfo(NP[odt])
    with np.errstate(all="ignore"):
        t = np.trunc(r.astype(np.float64))
        return ~np.isfinite(r) | (t < float(info.min)) | (t >= -float(info.min))


R_SAMEKIND = ("SwiftJIT's same_kind refuses int -> float casts that NumPy allows (np.can_cast(int32, "
              "float32, 'same_kind') is True: same_kind allows a cast to a higher kind)")

# n-d known failures: (file, expression, out dtype, casting) -> modes and reason
KNOWN_ND = {
}
_used_known_nd = set()


def add_nd(cf, expr, args, cls, out=None, outviews=(), casting=None, expect_error=False, note=None):
    """An n-d case. out: None, ("new", dtype, shape) or ("arg", name) (the array the argument
    is a view of); outviews: views of out. The reference reads copies of the inputs (NumPy's
    out= semantics: as if the inputs were read before any element is written)."""
    cf.count += 1
    lines = ["case %d %s" % (cf.count, cls), "expr " + expr]
    if note:
        lines.insert(0, "# " + note)
    env = {}
    for a in args:
        if a.scalar:
            lines.append("arg %s scalar %s %s" % (a.name, a.dt, enc(a.values, a.dt)))
        else:
            lines.append(("arg %s array %s shape %s" % (a.name, cf.array(a.values, a.dt), " ".join(map(str, a.shape)))).rstrip())
            lines += ["view %s %s" % (a.name, view_text(v)) for v in a.views]
        env[a.name] = a.value()
    o = None
    if out is not None:
        if out[0] == "new":
            lines.append("out new %s %s" % (out[1], " ".join(map(str, out[2]))))
            o = np_view(np.zeros(out[2], dtype=NP[out[1]]), outviews)
        else:
            lines.append("out arg %s" % out[1])
            o = np_view([a for a in args if a.name == out[1]][0].base(), outviews)
        lines += ["outview " + view_text(v) for v in outviews]
    if casting:
        lines.append("casting " + casting)
    r = None
    if not expect_error:
        try:
            ev = Evaluation(env)
            r = np.asarray(ev.run(expr))
        except Exception:
            expect_error = True
    if not expect_error and o is not None:
        # SwiftJIT wants out of exactly the result's shape (NumPy would also broadcast the
        # result into a larger out: not generated).
        if o.shape != r.shape or not np.can_cast(r.dtype, o.dtype, casting or "safe"):
            expect_error = True
    known = None
    if out is not None and out[0] == "new":
        key = (cf.name, expr, args[0].dt, out[1], casting or "safe")
        known = KNOWN_ND.get(key)
        if known:
            _used_known_nd.add(key)
    if expect_error:
        cf.errors += 1
        lines.append("expect error")
        if known:
            lines.append("known-failure " + known)
        cf.lines += lines
        return
    ignore = np.zeros(r.shape, dtype=bool)
    mask = np.broadcast_to(ev.mask, r.shape)
    if o is not None:
        ignore = cast_ignore(r, dtname(o.dtype))
        np.copyto(o, r, casting="unsafe")
        mask = mask | bad_mask(o)
        final = np.array(o)
    else:
        final = r
    rdt = dtname(final.dtype)
    if rdt is None:
        raise RuntimeError("%s: NumPy result dtype %s is not supported" % (expr, final.dtype))
    lines.append(("expect %s %s %s" % (rdt, "array" if final.ndim else "scalar", enc_all(final.reshape(-1), rdt))).rstrip())
    if final.ndim != 1:
        if final.ndim:
            lines.append("rshape " + " ".join(map(str, final.shape)))
    if cls in ("composite", "reduction"):
        scale = np.abs(final.astype(np.float64))
        if cls == "composite":
            for t in ev.terms:
                scale = np.fmax(scale, np.broadcast_to(mag(t), scale.shape))
        else:
            scale = np.fmax(scale, np.broadcast_to(ev.err, scale.shape))
            lines.append("reduce %d" % ev.reduce_length)
        lines.append("scale " + enc_all(scale.reshape(-1), "float64"))
        if any(np.asarray(v).dtype == np.float32 for v in list(env.values()) + ev.nodes) or rdt == "float32":
            lines.append("precision float32")
    if rdt.startswith("float") and re_minmax.search(expr):
        zero = (final == 0).reshape(-1)
        if np.any(zero):
            # the sign of a zero min/max is unspecified when -0.0 and +0.0 tie
            lines.append("anyzero " + " ".join(str(i) for i in np.nonzero(zero)[0]))
    idx = np.nonzero(ignore.reshape(-1))[0]
    if len(idx):
        lines.append("ignore " + " ".join(str(i) for i in idx))
    idx = np.nonzero(np.asarray(mask).reshape(-1))[0] if cls != "predicate" else []
    lines.append("fastskip " + (" ".join(str(i) for i in idx) if len(idx) else "-"))
    if known:
        lines.append("known-failure " + known)
    cf.lines += lines


import re
re_minmax = re.compile(r"\b(min|max|minimum|maximum)\(")


def scalar_pick(arr, k):
    return arr.reshape(-1)[k % N]


# --------------------------------------------------------------------------------------------
# Known SwiftJIT failures: bugs (or undecided differences) found by these tests. Each becomes a
# `known-failure <modes> <reason>` line in its case, so the test counts the case but does not
# compare it in those modes. Key: (file, expression, signature as name:kind:dtype,...), the
# modes that fail, the reason. Remove an entry when the bug is fixed (the test prints the known
# failures that pass).

# Fast mode is bounded by policy (README.md: flush-to-zero allowed, 32 ulp), not by entries here;
# reciprocal division, exp2-based `c ** x` and flushed subnormals are within that policy.
KNOWN_FAILURES = [
]

R_ZERO_POW = ("complex 0 ** z with real(z) > 0 (and z not real): NumPy 2.4's npy_cpow gives 0 (for any "
              "imaginary part, NaN too); SwiftJIT gives nan+nanj (NumPy's older rule)")
R_CPOW_RECIP = ("complex z ** n for a negative integer n where z**|n| underflows to 0: NumPy computes 1/r with "
                "its division (1/(0+0j) = inf+nanj); SwiftJIT gives nan+nanj")
R_CMUL_INF = ("complex multiplication that overflows to inf - inf: NumPy multiplies with C99 Annex G "
              "semantics (__mulsc3/__muldc3 recover infinities: (-3e38+3e38j)*(-3e38+infj) = -inf-infj); "
              "SwiftJIT computes the parts directly (nan-infj)")
R_CONJ_BOOL = "conj(bool): NumPy gives int8 (np.conjugate has no bool loop), SwiftJIT the bool itself (open question)"
R_U64_LIT = ("an integer literal above int64's range (18446744073709551615 = uint64 max, with a uint64 array) "
             "is refused (\"does not fit in int64\"); NumPy accepts it for uint64")
R_CMP_LIT = ("comparison with an integer literal out of the array type's range (int8 == 128, uint8 < -1): "
             "NumPy 2 compares the values (all False/True), SwiftJIT refuses the literal")
R_FAST_POW = ("fast mode c ** n for integer exponents |n| >= 127 (exp2(n*log2(c))): 37-49 ulp, beyond the "
              "32-ulp fast policy")

# Known failures matched by rule (file, expression regex, signature regex, modes, reason): used
# for families of cases (every operator with a literal, every signature).
R_FAST_CDIV = ("fast mode, complex64 division by values near FLT_MAX: Smith's method overflows an intermediate "
               "(c + d*rat = 6e38) to inf, which fast mode assumes never happens; on LLVM 14 the result is NaN")
KNOWN_RULES = [
    ("complex.txt", r"/", r"complex64", "fast", R_FAST_CDIV),
    ("complex.txt", r"^x \* y$", r"^x:array:complex64,y:(array:complex(64|128)|scalar:complex64)$", "strict,relaxed", R_CMUL_INF),
    ("complex.txt", r"^conj\(x\)$", r"^x:array:bool$", "all", R_CONJ_BOOL),
    ("intwidths.txt", r"18446744073709551615", r"uint64", "all", R_U64_LIT),
    ("intwidths.txt", r"^x == 18446744073709551616$", r".", "all", R_U64_LIT),
]
# rules that must match a case that fails (checked: every rule matches some case)
_used_rules = set()

KNOWN = {(f, e, sig): "%s %s" % (modes, reason) for f, e, sig, modes, reason in KNOWN_FAILURES}
_used_known = set()


def known_rule(fname, expr, sig):
    for k, (f, er, sr, modes, reason) in enumerate(KNOWN_RULES):
        if f == fname and re.search(er, expr) and re.search(sr, sig):
            _used_rules.add(k)
            return "%s %s" % (modes, reason)
    return None


def signature_text(args):
    return ",".join("%s:%s:%s" % (n, k, dt) for n, k, dt, _ in args)


def add(cf, expr, args, cls, expect_error=False):
    key = (cf.name, expr, signature_text(args))
    if key in KNOWN:
        _used_known.add(key)
    cf.add(expr, args, cls, expect_error, KNOWN.get(key) or known_rule(cf.name, expr, key[2]))

# --------------------------------------------------------------------------------------------

def main():
    X = {dt: make_array(dt, 0) for dt in DTYPES}
    Y = {dt: make_array(dt, 1) for dt in DTYPES}
    E = {dt: make_exponents(dt) for dt in DTYPES}
    U = {dt: rng.uniform(-1, 1, N).astype(NP[dt]) for dt in ("float32", "float64")}
    for dt in U:
        U[dt][:6] = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5]
    G = {dt: (rng.uniform(1, 10, N)).astype(NP[dt]) for dt in ("float32", "float64")}  # >= 1, arccosh
    files = []

    # ---------------------------------------------------------------- operators
    ops = CaseFile("operators.txt", "Operators: every binary operator for every dtype pair and position")
    binops = ["+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^",
              "<", "<=", "==", "!=", ">=", ">"]
    k = 0
    for op in binops:
        for a in DTYPES:
            for b in DTYPES:
                k += 1
                bool_err = op in BOOL_ONLY_ERRORS and a == "bool" and b == "bool"
                int_pow = op == "**" and a != "float32" and a != "float64" and b != "float32" and b != "float64"
                yv = E[b] if int_pow else Y[b]
                cls = "transcendental" if op == "**" else "exact"
                expr = "x %s y" % op
                add(ops, expr, [("x", "array", a, X[a]), ("y", "array", b, yv)], cls, bool_err)
                add(ops, expr, [("x", "array", a, X[a]), ("y", "scalar", b, scalar_pick(yv, 3 * k))], cls, bool_err)
                add(ops, expr, [("x", "scalar", a, scalar_pick(X[a], 5 * k + 1)), ("y", "array", b, yv)], cls, bool_err)
                if a == b:
                    add(ops, expr, [("x", "scalar", a, scalar_pick(X[a], 7 * k + 2)),
                                    ("y", "scalar", b, scalar_pick(yv, 11 * k + 3))], cls, bool_err)
        # literals
        for a in DTYPES:
            lits = ["3", "2.5", "-7"] if op != "**" else ["3", "2.5", "0"]
            for lit in lits:
                cls = "exact"
                if op == "**":
                    cls = "powconst"
                add(ops, "x %s %s" % (op, lit), [("x", "array", a, X[a])], cls)
            lhs = "3" if op != "**" else "2"
            xv = E[a] if op == "**" and a in ("bool", "int32", "int64") else X[a]
            add(ops, "%s %s x" % (lhs, op), [("x", "array", a, xv)],
                "transcendental" if op == "**" else "exact")
            add(ops, "2.5 %s x" % op, [("x", "array", a, xv)], "transcendental" if op == "**" else "exact")
    # constant exponents (SwiftJIT expands them)
    for a in DTYPES:
        for lit in ["2", "4", "5", "0.5", "1.5", "-1", "-2.0", "-0.5", "1", "1.0", "3.0"]:
            neg_int = lit == "-1" and a in ("bool", "int32", "int64")
            add(ops, "x ** %s" % lit, [("x", "array", a, X[a])], "powconst", neg_int)
    # literal overflow for int32 (both refuse), bool literals
    add(ops, "x + 3000000000", [("x", "array", "int32", X["int32"])], "exact")
    add(ops, "x * 2147483647", [("x", "array", "int32", X["int32"])], "exact")
    for a in DTYPES:
        add(ops, "x + True", [("x", "array", a, X[a])], "exact")
        add(ops, "x & False", [("x", "array", a, X[a])], "exact")
    # unary operators
    for a in DTYPES:
        add(ops, "-x", [("x", "array", a, X[a])], "exact")
        add(ops, "+x", [("x", "array", a, X[a])], "exact")
        add(ops, "~x", [("x", "array", a, X[a])], "exact")
        add(ops, "-x", [("x", "scalar", a, scalar_pick(X[a], 9))], "exact")
        add(ops, "~x", [("x", "scalar", a, scalar_pick(X[a], 4))], "exact")
    files.append(ops.write())

    # ---------------------------------------------------------------- functions
    fns = CaseFile("functions.txt", "Builtin functions: every function, dtype and position")
    unary = builtin_table.names("floatUnary", "sameUnary", "predicate", arity=1)
    # Functions of bool that keep bool (or give bool): the rest give float64 in SwiftJIT and
    # float16 in NumPy (not compared), or are refused (sign, by both).
    same_bool_ok = {n for n in builtin_table.names("sameUnary", "predicate") if builtin_table.row(n)["accepts_bool"]}
    k = 0
    for fn in unary:
        cls = "transcendental" if fn in TRANSCENDENTAL else ("predicate" if fn in ("isnan", "isinf", "isfinite") else "exact")
        for a in DTYPES:
            k += 1
            same = builtin_table.rule(builtin_table.row(fn)) != "floatUnary"
            if a == "bool" and not same:
                continue  # float functions of bool: float64 in SwiftJIT, float16 in NumPy
            err = a == "bool" and fn not in same_bool_ok
            expr = "%s(x)" % fn
            if fn == "round" and a == "bool":
                # SwiftJIT: identity on bool (NumPy gives float16); encode SwiftJIT's rule
                cf_expect_identity(fns, expr, X[a])
                continue
            add(fns, expr, [("x", "array", a, X[a])], cls, err)
            add(fns, expr, [("x", "scalar", a, scalar_pick(X[a], 3 * k))], cls, err)
            if a in U:
                add(fns, expr, [("x", "array", a, U[a])], cls, err)
                if fn == "arccosh":
                    add(fns, expr, [("x", "array", a, G[a])], cls, err)
    binary = builtin_table.names("floatBinary", "sameBinary", arity=2)
    for fn in binary:
        bool_ok = builtin_table.row(fn)["accepts_bool"]
        same = builtin_table.rule(builtin_table.row(fn)) == "sameBinary"
        cls = "transcendental" if fn in TRANSCENDENTAL else "exact"
        for a in DTYPES:
            for b in DTYPES:
                k += 1
                if a == "bool" and b == "bool" and not bool_ok and not same:
                    continue  # a float function of two bools: float16 in NumPy
                err = a == "bool" and b == "bool" and not bool_ok
                expr = "%s(x, y)" % fn
                add(fns, expr, [("x", "array", a, X[a]), ("y", "array", b, Y[b])], cls, err)
                add(fns, expr, [("x", "array", a, X[a]), ("y", "scalar", b, scalar_pick(Y[b], 3 * k))], cls, err)
                add(fns, expr, [("x", "scalar", a, scalar_pick(X[a], 5 * k)), ("y", "array", b, Y[b])], cls, err)
                if a == b:
                    add(fns, expr, [("x", "scalar", a, scalar_pick(X[a], 7 * k + 1)),
                                    ("y", "scalar", b, scalar_pick(Y[b], 3 * k + 2))], cls, err)
        for a in DTYPES:
            if a == "bool" and not bool_ok:
                continue
            add(fns, "%s(x, 2.5)" % fn, [("x", "array", a, X[a])], cls)
            add(fns, "%s(x, -3)" % fn, [("x", "array", a, X[a])], cls)
            add(fns, "%s(3, x)" % fn, [("x", "array", a, X[a])], cls)
    # where: condition dtypes, value dtype pairs, positions, literals
    for c in DTYPES:
        add(fns, "where(c, x, y)", [("c", "array", c, X[c]), ("x", "array", "float64", X["float64"]),
                                     ("y", "array", "float64", Y["float64"])], "exact")
    for a in DTYPES:
        for b in DTYPES:
            k += 1
            args = [("c", "array", "bool", X["bool"])]
            add(fns, "where(c, x, y)", args + [("x", "array", a, X[a]), ("y", "array", b, Y[b])], "exact")
            add(fns, "where(c, x, y)", args + [("x", "array", a, X[a]), ("y", "scalar", b, scalar_pick(Y[b], k))], "exact")
            add(fns, "where(c, x, y)", args + [("x", "scalar", a, scalar_pick(X[a], 2 * k)), ("y", "array", b, Y[b])], "exact")
        add(fns, "where(c, x, 0)", [("c", "array", "bool", Y["bool"]), ("x", "array", a, X[a])], "exact")
        add(fns, "where(c, 2.5, x)", [("c", "array", "bool", Y["bool"]), ("x", "array", a, X[a])], "exact")
        add(fns, "where(c, x, y)", [("c", "scalar", "bool", True), ("x", "array", a, X[a]), ("y", "array", a, Y[a])], "exact")
        add(fns, "where(c, x, y)", [("c", "scalar", "bool", False), ("x", "scalar", a, scalar_pick(X[a], 7)),
                                     ("y", "scalar", a, scalar_pick(Y[a], 8))], "exact")
    add(fns, "where(c, 1, 2.5)", [("c", "array", "bool", X["bool"])], "exact")
    add(fns, "where(c, 1, 2)", [("c", "array", "bool", X["bool"])], "exact")
    files.append(fns.write())

    # ---------------------------------------------------------------- composite
    cmp = CaseFile("composite.txt", "Composite expressions: reference workloads, mixed dtypes, literal-only")
    for dt in ("float32", "float64"):
        xs = X[dt]
        xg = (rng.uniform(-6, 6, N)).astype(NP[dt])
        A = (rng.uniform(-3, 3, N)).astype(NP[dt])
        A[:8] = [0.0, -0.0, 1.0, -1.0, 0.5, np.nan, np.inf, 1e10]
        a = rng.uniform(-10, 10, N).astype(NP[dt])
        b = rng.uniform(-10, 10, N).astype(NP[dt])
        c = rng.uniform(-10, 10, N).astype(NP[dt])
        for arr in (xs, xg):
            add(cmp, "A*exp(-(x-x0)**2/(2*w**2))", [("A", "array", dt, A), ("x", "array", dt, arr),
                                                     ("x0", "scalar", dt, 0.75), ("w", "scalar", dt, 1.5)], "composite")
            add(cmp, "x + x**2 + x**3 + x**4", [("x", "array", dt, arr)], "composite")
            add(cmp, "x*(1+x*(1+x*(1+x)))", [("x", "array", dt, arr)], "composite")
            add(cmp, "where(x > 0, sqrt(x), -x)", [("x", "array", dt, arr)], "composite")
            add(cmp, "(x < y) & ~isnan(x)", [("x", "array", dt, arr), ("y", "array", dt, Y[dt])], "exact")
            add(cmp, "x*y + z", [("x", "array", dt, arr), ("y", "array", dt, Y[dt]), ("z", "array", dt, A)], "composite")
        add(cmp, "1 + A + A**2 + A**3", [("A", "array", dt, A)], "composite")
        add(cmp, "1 + A + A**2 + A**3", [("A", "array", dt, xs)], "composite")
        add(cmp, "b**2 - 4*a*c", [("a", "array", dt, a), ("b", "array", dt, b), ("c", "array", dt, c)], "composite")
        add(cmp, "b**2 - 4*a*c", [("a", "array", dt, xs), ("b", "array", dt, Y[dt]), ("c", "array", dt, A)], "composite")
        add(cmp, "b**2 - 4*a*c", [("a", "scalar", dt, 1.5), ("b", "array", dt, b), ("c", "scalar", dt, -2.0)], "composite")
        add(cmp, "sin(x)**2 + cos(x)**2", [("x", "array", dt, xg)], "composite")
        add(cmp, "exp(log(abs(x)) * 0.5)", [("x", "array", dt, xg)], "composite")
        add(cmp, "sqrt(x*x + y*y)", [("x", "array", dt, a), ("y", "array", dt, b)], "composite")
        add(cmp, "arctan2(y, x) * 180 / 3.141592653589793", [("x", "array", dt, a), ("y", "array", dt, b)], "composite")
    # mixed dtypes
    f32, f64, i32, i64, bl = X["float32"], X["float64"], X["int32"], X["int64"], X["bool"]
    mixed = [
        ("x * 2 + i", [("x", "array", "float32", f32), ("i", "array", "int32", i32)]),
        ("x * 2.5 + j", [("x", "array", "float32", f32), ("j", "array", "int64", i64)]),
        ("sqrt(i) + x", [("i", "array", "int32", i32), ("x", "array", "float32", f32)]),
        ("(i + 3) / x", [("i", "array", "int32", i32), ("x", "array", "float64", f64)]),
        ("i // 2 * x", [("i", "array", "int64", i64), ("x", "array", "float32", f32)]),
        ("where(b, x, i)", [("b", "array", "bool", bl), ("x", "array", "float32", f32), ("i", "array", "int32", i32)]),
        ("where(b, i, j)", [("b", "array", "bool", bl), ("i", "array", "int32", i32), ("j", "array", "int64", i64)]),
        ("b + i * 2", [("b", "array", "bool", bl), ("i", "array", "int32", i32)]),
        ("(i & 7) << 2 | j", [("i", "array", "int32", i32), ("j", "array", "int64", E["int64"])]),
        ("x * s + t", [("x", "array", "float32", f32), ("s", "scalar", "float64", 1.25), ("t", "scalar", "int32", 3)]),
        ("x / s - 1", [("x", "array", "float32", f32), ("s", "scalar", "float32", 3.0)]),
        ("maximum(x, i) - minimum(y, 0)", [("x", "array", "float32", f32), ("i", "array", "int32", i32),
                                           ("y", "array", "float32", Y["float32"])]),
        ("abs(x - y) <= 1e-3 * abs(y)", [("x", "array", "float64", f64), ("y", "array", "float64", Y["float64"])]),
        ("(x > 0) * x", [("x", "array", "float32", f32)]),
        ("i % 3 == 0", [("i", "array", "int64", i64)]),
        ("~(i > 0) | b", [("i", "array", "int32", i32), ("b", "array", "bool", bl)]),
        ("floor(x) + ceil(y) - round(x * y)", [("x", "array", "float64", U["float64"] * 10),
                                               ("y", "array", "float64", Y["float64"])]),
        ("exp(x) * i", [("x", "array", "float32", U["float32"]), ("i", "array", "int32", i32)]),
    ]
    for expr, args in mixed:
        cls = "composite"
        add(cmp, expr, args, cls)
    # literal-only expressions (weak values become int64 / float64)
    for expr in ["2 ** 10", "-7 // 2", "-7 % 3", "7 % -3", "1 + 2.5", "3 << 4", "-17 >> 2", "2.5 * 4",
                 "sqrt(2)", "exp(1.0)", "10 / 4", "5 // 0", "5 % 0", "maximum(3, 2.5)", "where(True, 1, 2)"]:
        add_literal(cmp, expr)
    files.append(cmp.write())

    files += nd_files(X, Y)
    files += new_dtype_files(X, Y, E)
    files.append(numpy2_file(X, Y, E))

    total = 0
    for path, count, errors, size in files:
        total += size
        print("%s: %d cases (%d expect error), %d bytes" % (os.path.relpath(path, ROOT), count, errors, size))
    print("total %d bytes" % total)
    unused = [k for k in KNOWN if k not in _used_known] + [k for k in KNOWN_ND if k not in _used_known_nd] \
        + [KNOWN_RULES[k][:3] for k in range(len(KNOWN_RULES)) if k not in _used_rules]
    if unused:
        sys.exit("known failures that match no case: %s" % unused)


def nd_files(X, Y):
    """broadcast.txt, out.txt and reductions.txt: the n-d features, over a few dtype pairs
    (float64, float32, int32, int64, bool) rather than all 25."""
    nrng = np.random.default_rng(SEED + 1)

    def pool(dt, n, src=None, lo=None, hi=None):
        """n values of dtype dt: from the edge-value arrays (cyclically, shuffled), or uniform
        in [lo, hi]."""
        if lo is not None:
            if dt == "bool":
                return nrng.integers(0, 2, n).astype(np.bool_)
            if dt.startswith("float"):
                return nrng.uniform(lo, hi, n).astype(NP[dt])
            return nrng.integers(lo, hi + 1, n).astype(NP[dt])
        base = (src or X)[dt]
        idx = nrng.permutation(max(n, N))[:n] % N
        return base[idx]

    def arr(name, dt, shape, views=(), **kw):
        return Arg(name, dt, pool(dt, int(np.prod(shape)), **kw), shape, views)

    def sc(name, dt, v):
        return Arg(name, dt, v, scalar=True)

    files = []
    # ------------------------------------------------------------ broadcasting and views
    bc = CaseFile("broadcast.txt", "Broadcasting across ranks and strided (non-contiguous) views")
    pairs = [("float64", "float64"), ("float32", "float32"), ("int32", "int64"), ("int64", "float64"),
             ("bool", "int32"), ("float32", "int32"), ("bool", "bool")]
    shapes = [((3, 1), (1, 4)), ((2, 3, 4), (3, 1)), ((4,), (2, 3, 4)), ((1, 1), (2, 3)),
              ((2, 1, 4), (3, 1)), ((5, 1, 1), (1, 2, 1)), ((0, 3), (3,)), ((0, 3), (1, 3)),
              ((0, 3), (0, 1)), ((1,), (2, 3)), ((3, 4), (3, 4))]
    k = 0
    for sa, sb in shapes:
        for a, b in pairs:
            k += 1
            if k % 2 and (a, b) not in pairs[:2]:
                continue
            exprs = ["x + y", "x * y - y"] if (a, b) != ("bool", "bool") else ["x & y", "x + y"]
            for e in exprs:
                add_nd(bc, e, [arr("x", a, sa), arr("y", b, sb)], "exact" if "-" not in e else "composite")
        add_nd(bc, "where(c, x, y)", [arr("c", "bool", sb), arr("x", "float64", sa), arr("y", "int32", (1,))], "exact")
    # scalars with n-d arrays
    for dt in DTYPES:
        add_nd(bc, "x * s + 1", [arr("x", dt, (3, 4)), sc("s", dt, pool(dt, 1)[0])], "composite")
        add_nd(bc, "s - x", [sc("s", "float64", 2.5), arr("x", dt, (2, 3, 2))], "exact")
        add_nd(bc, "x < 3", [arr("x", dt, (2, 3))], "exact")
    add_nd(bc, "sqrt(x) + y", [arr("x", "float64", (4, 1), lo=0, hi=9), arr("y", "float32", (3,))], "transcendental")
    add_nd(bc, "where(x > y, x, y)", [arr("x", "float32", (2, 1, 3)), arr("y", "float32", (4, 1))], "exact")
    add_nd(bc, "arctan2(y, x)", [arr("x", "float64", (3, 1)), arr("y", "float64", (5,))], "transcendental")
    # shapes that do not broadcast: SwiftJIT must throw
    for sa, sb in [((3,), (4,)), ((2, 3), (3, 2)), ((0, 3), (2, 3)), ((2, 3, 4), (2, 4)), ((3, 1), (2,))]:
        for a, b in [("float64", "float64"), ("int32", "float32")]:
            add_nd(bc, "x + y", [arr("x", a, sa), arr("y", b, sb)], "exact")
    # strided views, read in place
    T, S, R = ("transpose",), (lambda ax, a, b, st: ("slice", ax, a, b, st)), (lambda *sh: ("reshape", sh))
    views = [
        ((4, 5), [T], (5, 4)),
        ((3, 10), [S(1, 0, 10, 2)], (5,)),
        ((10,), [S(0, 0, 10, -1)], (10,)),
        ((12,), [S(0, 1, 12, 3)], (3, 1)),
        ((2, 3, 4), [T], (2,)),
        ((6, 4), [S(0, 0, 6, -2)], (3, 4)),
        ((24,), [R(2, 3, 4), T], (4, 3, 2)),
        ((4, 6), [S(0, 1, 3, 1), R(12)], (12,)),
        ((5, 7), [S(1, 1, 6, -2), T], (3, 1)),
        ((4, 6), [S(0, 2, 2, 1)], (6,)),
        ((8, 3), [S(0, 1, 8, 3), S(1, 0, 3, -1)], (3,)),
        ((3, 4), [T, S(0, 0, 4, -1)], (4, 3)),
    ]
    k = 0
    for base, vs, other in views:
        for a, b in [("float64", "float64"), ("float32", "int32"), ("int64", "int64"), ("bool", "float32"), ("int32", "bool")]:
            k += 1
            add_nd(bc, "x * 2 + y", [arr("x", a, base, vs), arr("y", b, other)], "composite")
            if k % 3 == 0:
                add_nd(bc, "x - y", [arr("x", a, base, vs), arr("y", b, base, vs)], "exact")
        add_nd(bc, "abs(x) + sqrt(abs(y))", [arr("x", "float64", base, vs), arr("y", "float32", base, vs)], "composite")
        add_nd(bc, "where(x > 0, x, -x)", [arr("x", "int32", base, vs)], "exact")
        add_nd(bc, "exp(x)", [arr("x", "float32", base, vs, lo=-5, hi=5)], "transcendental")
    files.append(bc.write())

    # ------------------------------------------------------------ out= and casting
    oc = CaseFile("out.txt", "out= arrays, casting rules, in-place and overlapping outputs")
    same = [("float64", "float64"), ("float32", "float32"), ("int32", "int32"), ("int64", "int64"), ("bool", "bool")]
    for a, b in same:
        e = "x + y" if a != "bool" else "x | y"
        for o in DTYPES:
            for casting in ("no", "equiv", "safe", "same_kind", "unsafe"):
                if casting in ("no", "equiv") and o not in (a, "float64"):
                    continue
                add_nd(oc, e, [arr("x", a, (2, 3)), arr("y", b, (3,))], "exact", out=("new", o, (2, 3)), casting=casting)
    # casting defaults to safe
    add_nd(oc, "x * y", [arr("x", "float32", (3, 4)), arr("y", "float32", (3, 4))], "exact", out=("new", "float64", (3, 4)))
    add_nd(oc, "x * y", [arr("x", "float64", (3, 4)), arr("y", "float64", (3, 4))], "exact", out=("new", "float32", (3, 4)))
    add_nd(oc, "x * y", [arr("x", "int32", (3, 4)), arr("y", "int64", (3, 4))], "exact", out=("new", "int32", (3, 4)))
    # float -> int (unsafe): values in range only (NaN/inf/out-of-range are implementation-defined)
    for dt in ("float64", "float32"):
        for o in ("int32", "int64", "bool"):
            add_nd(oc, "x * 3.5", [arr("x", dt, (40,))], "exact", out=("new", o, (40,)), casting="unsafe")
            add_nd(oc, "x - y", [arr("x", dt, (4, 5), lo=-1e4, hi=1e4), arr("y", dt, (5,), lo=-10, hi=10)], "exact",
                   out=("new", o, (4, 5)), casting="unsafe")
    add_nd(oc, "x * 2", [arr("x", "int64", (40,))], "exact", out=("new", "int32", (40,)), casting="same_kind")
    add_nd(oc, "x * 2", [arr("x", "int64", (40,))], "exact", out=("new", "bool", (40,)), casting="unsafe")
    add_nd(oc, "x * 2", [arr("x", "int64", (40,))], "exact", out=("new", "float32", (40,)), casting="unsafe")
    # mixed inputs: the casting rule applies to the result's dtype (into out)
    add_nd(oc, "x + i", [arr("x", "float32", (3, 4)), arr("i", "int32", (4,))], "exact", out=("new", "float32", (3, 4)), casting="same_kind")
    add_nd(oc, "x + i", [arr("x", "float32", (3, 4)), arr("i", "int32", (4,))], "exact", out=("new", "float64", (3, 4)), casting="no")
    # broadcast inputs into out, non-contiguous out
    add_nd(oc, "x * y", [arr("x", "float64", (3, 1)), arr("y", "float64", (4,))], "exact", out=("new", "float64", (3, 4)))
    add_nd(oc, "x + y", [arr("x", "int32", (4, 1)), arr("y", "int32", (3,))], "exact", out=("new", "int64", (4, 6)),
           outviews=[S(1, 0, 6, 2)])
    add_nd(oc, "x - 1", [arr("x", "float32", (3, 5))], "exact", out=("new", "float32", (5, 3)), outviews=[T])
    add_nd(oc, "x / 4", [arr("x", "float64", (6,))], "exact", out=("new", "float64", (6,)), outviews=[S(0, 0, 6, -1)])
    # wrong out shape: SwiftJIT must throw
    add_nd(oc, "x + y", [arr("x", "float64", (3, 4)), arr("y", "float64", (4,))], "exact", out=("new", "float64", (4,)))
    add_nd(oc, "x + y", [arr("x", "float64", (3, 4)), arr("y", "float64", (4,))], "exact", out=("new", "float64", (4, 3)))
    add_nd(oc, "x + 1", [arr("x", "int32", (5,))], "exact", out=("new", "int32", (6,)))
    add_nd(oc, "x + 1", [arr("x", "int32", (2, 3))], "exact", out=("new", "int32", (6,)))
    # in place: out is an input
    for dt in ("float64", "float32", "int32", "int64"):
        add_nd(oc, "x * 2 + y", [arr("x", dt, (3, 4)), arr("y", dt, (4,))], "composite", out=("arg", "x"))
        add_nd(oc, "x * 2 + y", [arr("x", dt, (4, 3), [T]), arr("y", dt, (3,))], "composite", out=("arg", "x"), outviews=[T])
        add_nd(oc, "y - x", [arr("x", dt, (8,)), arr("y", dt, (8,))], "exact", out=("arg", "y"))
        # overlapping shifted views: out = x[1:], input x[:-1] (and the other way round); reversed
        add_nd(oc, "x + 1", [arr("x", dt, (9,), [S(0, 0, 8, 1)])], "exact", out=("arg", "x"), outviews=[S(0, 1, 9, 1)])
        add_nd(oc, "x + 1", [arr("x", dt, (9,), [S(0, 1, 9, 1)])], "exact", out=("arg", "x"), outviews=[S(0, 0, 8, 1)])
        add_nd(oc, "x * 3 - y", [arr("x", dt, (10,), [S(0, 0, 10, -1)]), arr("y", dt, (10,))], "composite",
               out=("arg", "x"))
        add_nd(oc, "x - y", [arr("x", dt, (4, 4), [T]), arr("y", dt, (4,))], "exact", out=("arg", "x"))
        add_nd(oc, "x + x", [arr("x", dt, (3, 6), [S(1, 0, 4, 1)])], "exact", out=("arg", "x"), outviews=[S(1, 2, 6, 1)])
    add_nd(oc, "x & y", [arr("x", "bool", (9,), [S(0, 0, 8, 1)]), arr("y", "bool", (8,))], "exact", out=("arg", "x"),
           outviews=[S(0, 1, 9, 1)])
    # in place with a cast: float64 result into the float32 input
    add_nd(oc, "x * y", [arr("x", "float32", (6,)), arr("y", "float64", (6,))], "exact", out=("arg", "x"), casting="same_kind")
    add_nd(oc, "x * y", [arr("x", "float32", (6,)), arr("y", "float64", (6,))], "exact", out=("arg", "x"))
    files.append(oc.write())

    # ------------------------------------------------------------ reductions
    rd = CaseFile("reductions.txt", "Reductions: sum, prod, min, max with axis=None/k/-k, inside expressions")
    fns = ["sum", "prod", "min", "max"]
    for dt in DTYPES:
        for fn in fns:
            kw = dict(lo=0.5, hi=2) if fn == "prod" and dt.startswith("float") else \
                dict(lo=-3, hi=3) if fn == "prod" else {}
            cls = "reduction" if dt.startswith("float") and fn in ("sum", "prod") else "exact"
            add_nd(rd, "%s(x)" % fn, [arr("x", dt, (40,), **kw)], cls)
            add_nd(rd, "%s(x)" % fn, [arr("x", dt, (3, 4), **kw)], cls)
            for ax in (0, 1, -1, -2):
                add_nd(rd, "%s(x, axis=%d)" % (fn, ax), [arr("x", dt, (4, 5), **kw)], cls)
            for ax in (1, -3, 2):
                add_nd(rd, "%s(x, axis=%d)" % (fn, ax), [arr("x", dt, (2, 3, 4), **kw)], cls)
            add_nd(rd, "%s(x, axis=0)" % fn, [arr("x", dt, (5, 4), [T], **kw)], cls)
            add_nd(rd, "%s(x, axis=1)" % fn, [arr("x", dt, (6, 5), [S(1, 0, 5, -2)], **kw)], cls)
            add_nd(rd, "%s(x, axis=2)" % fn, [arr("x", dt, (3, 4), **kw)], cls)          # axis out of range
            add_nd(rd, "%s(x, axis=0)" % fn, [arr("x", dt, (0, 3), **kw)], cls)         # empty (min/max raise)
            add_nd(rd, "%s(x, axis=1)" % fn, [arr("x", dt, (0, 3), **kw)], cls)
    # long float sums (NumPy: pairwise in blocks of 128; SwiftJIT: its own order)
    for dt in ("float32", "float64"):
        add_nd(rd, "sum(x)", [arr("x", dt, (1000,), lo=-10, hi=10)], "reduction")
        add_nd(rd, "sum(x, axis=0)", [arr("x", dt, (300, 3), lo=0, hi=1)], "reduction")
        add_nd(rd, "sum(x, axis=1)", [arr("x", dt, (3, 300), lo=-1, hi=1)], "reduction")
        add_nd(rd, "sum(x*y)", [arr("x", dt, (500,), lo=-1, hi=1), arr("y", dt, (500,), lo=-1, hi=1)], "reduction")
    # NaN propagation in min/max (and sums)
    for dt in ("float32", "float64"):
        xs = pool(dt, 12, lo=-5, hi=5)
        xs[[3, 7]] = np.nan
        for fn in fns:
            add_nd(rd, "%s(x)" % fn, [Arg("x", dt, xs, (12,))], "reduction" if fn in ("sum", "prod") else "exact")
            add_nd(rd, "%s(x, axis=1)" % fn, [Arg("x", dt, xs, (3, 4))], "reduction" if fn in ("sum", "prod") else "exact")
        zs = np.array([0.0, -0.0, 1.0, -0.0, 0.0, 2.0], dtype=NP[dt])
        add_nd(rd, "min(x)", [Arg("x", dt, zs, (6,))], "exact")
        add_nd(rd, "max(x, axis=0)", [Arg("x", dt, zs, (2, 3))], "exact")
    # reductions inside expressions (NumPy broadcasting of the reduced shape, no keepdims)
    for dt in ("float64", "float32", "int32", "int64", "bool"):
        fl = dt.startswith("float")
        cls = "reduction" if fl else "exact"
        num = dict(lo=-10, hi=10)
        if dt != "bool":
            add_nd(rd, "x - sum(x)/n", [arr("x", dt, (40,), **num), sc("n", "int64", 40)], "reduction")
            add_nd(rd, "x - sum(x, axis=0)/4", [arr("x", dt, (4, 5), **num)], "reduction")
            add_nd(rd, "x / max(abs(x), axis=0)", [arr("x", dt, (3, 4), **num)], "reduction")
            add_nd(rd, "x / max(abs(x), axis=1)", [arr("x", dt, (4, 4), **num)], "reduction")
            add_nd(rd, "x / max(abs(x), axis=1)", [arr("x", dt, (3, 4), **num)], "reduction")   # (3,4) / (3,): error
            add_nd(rd, "max(x) - min(x)", [arr("x", dt, (5, 6), **num)], cls)
            add_nd(rd, "sum(x*y, axis=1)", [arr("x", dt, (3, 7), **num), arr("y", dt, (7,), **num)], cls)
            add_nd(rd, "sum(x, axis=-1) + y", [arr("x", dt, (2, 3, 4), **num), arr("y", dt, (3,), **num)], cls)
            add_nd(rd, "sum(x > 0)", [arr("x", dt, (40,))], "exact")
            add_nd(rd, "prod(x, axis=0) * 2", [arr("x", dt, (3, 4), lo=-3, hi=3)], cls)
            add_nd(rd, "sum(x) + sum(y)", [arr("x", dt, (6,), **num), arr("y", dt, (2, 3), **num)], cls)
            add_nd(rd, "sum(x, axis=0)", [arr("x", dt, (4, 6), [S(1, 0, 6, 2), T], **num)], cls)
        else:
            add_nd(rd, "sum(x) + 1", [arr("x", dt, (40,))], "exact")
            add_nd(rd, "sum(x & y, axis=1)", [arr("x", dt, (3, 7)), arr("y", dt, (7,))], "exact")
            add_nd(rd, "max(x, axis=0) | y", [arr("x", dt, (3, 4)), arr("y", dt, (4,))], "exact")
            add_nd(rd, "min(x) == y", [arr("x", dt, (3, 4)), arr("y", dt, (4,))], "exact")
        if fl:
            add_nd(rd, "sum(where(isnan(x), 0, x))", [arr("x", dt, (40,))], "reduction")
            add_nd(rd, "exp(x - max(x))", [arr("x", dt, (3, 8), **num)], "transcendental")
    add_nd(rd, "sum(s)", [sc("s", "float64", 2.5)], "reduction")
    add_nd(rd, "max(s) + x", [sc("s", "int32", 7), arr("x", "int32", (3,))], "exact")
    files.append(rd.write())
    return files


# --------------------------------------------------------------------------------------------
# complex64/complex128 and the integer widths int8 int16 uint8 uint16 uint32 uint64

C = ("complex64", "complex128")
NEW_INTS = ("int8", "int16", "uint8", "uint16", "uint32", "uint64")
COMPLEX_FUNCS = builtin_table.complex_helpers()
# On complex values: `< <= > >=` order lexicographically (NumPy 2), `round` rounds both parts and
# `sign` is z/|z| (NumPy 2), in both; SwiftJIT refuses the others (NumPy refuses all but maximum
# and minimum, which it orders lexicographically: a deliberate difference).
COMPLEX_ORDER_OPS = ["<", "<=", ">", ">=", "//", "%", "<<", ">>", "&", "|", "^"]
COMPLEX_ORDERED = {"<", "<=", ">", ">=", "round", "sign"}
COMPLEX_ORDER_FUNCS1 = ["floor", "ceil", "trunc", "round", "sign", "signbit"]
COMPLEX_ORDER_FUNCS2 = ["fmod", "hypot", "maximum", "minimum", "copysign", "nextafter", "arctan2"]


def complex_edges(part):
    """Edge values of complex numbers with parts of dtype `part`: every pair of special parts,
    points on the branch cuts (either side: ±0 in the other part), unit-circle and random values."""
    big, tiny = (1e300, 1e-310) if part == "float64" else (3e38, 1e-40)
    parts = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, big, -big, tiny, math.inf, math.nan]
    vals = [complex(a, b) for a in parts for b in parts]
    for v in [-3.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 3.0, -1e10, 1e10]:
        vals += [complex(v, 0.0), complex(v, -0.0), complex(0.0, v), complex(-0.0, v)]
    crng = np.random.default_rng(SEED + 3 + (part == "float64"))
    vals += list(crng.uniform(-3, 3, 24) + 1j * crng.uniform(-3, 3, 24))
    ang = crng.uniform(-math.pi, math.pi, 8)
    vals += list(np.exp(1j * ang))
    vals += list(crng.uniform(-30, 30, 4) + 1j * crng.uniform(-30, 30, 4)) + [complex(-math.inf, 1.0), complex(-math.inf, -math.inf), complex(1.0, -math.inf), complex(-math.inf, math.nan)]
    return vals


def int_edges(dt):
    info = np.iinfo(NP[dt])
    if dt.startswith("u"):
        vals = [0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 63, 64, info.max, info.max - 1, info.max // 2, info.max // 2 + 1]
        if dt == "uint64":
            vals += [2 ** 32, 2 ** 53 + 1]
        return vals
    return [0, 1, -1, 2, -7, 7, 8, 15, 16, 31, 32, 63, 64, info.min, info.max, info.min + 1, -3, 100 % (info.max + 1)]


def new_dtype_files(X, Y, E):
    xrng = np.random.default_rng(SEED + 2)
    files = []

    def tile(src, n, perm=True):
        """n values from src (cyclically), shuffled."""
        src = np.asarray(src)
        idx = np.arange(n) % len(src)
        if perm:
            idx = idx[xrng.permutation(n)]
        return src[idx]

    def sc(v):
        return np.asarray(v).reshape(-1)[0]

    # ------------------------------------------------------------------ complex
    cf = CaseFile("complex.txt", "complex64 and complex128: operators, functions, branch cuts, mixes with real types")
    ZE = {dt: np.array(complex_edges(COMPLEX_PART[dt]), dtype=NP[dt]) for dt in C}
    L = 96                                  # binary operators: a sample of the edge values
    ZX = {dt: tile(ZE[dt], L) for dt in C}
    ZY = {dt: tile(ZE[dt], L) for dt in C}
    R = {dt: tile(X[dt], L) for dt in DTYPES}
    R["int8"] = tile(np.array(int_edges("int8"), dtype=np.int8), L)

    def vals(dt, second=False):
        if dt in C:
            return ZY[dt] if second else ZX[dt]
        return R[dt]

    def ccls(rdt_complex):
        return "complex" if rdt_complex else "transcendental"

    ops = ["+", "-", "*", "/", "**", "==", "!="]
    pairs = [("complex64", "complex64"), ("complex128", "complex128"), ("complex64", "complex128"),
             ("complex128", "float32"), ("float32", "complex128"), ("complex128", "int32"),
             ("complex64", "float32"), ("float64", "complex64"), ("complex64", "int8"), ("int64", "complex64")]
    pairs = pairs + [("complex64", "bool")]
    k = 0
    for op in ops:
        cls = "exact" if op in ("+", "-", "==", "!=") else "complex"
        for a, b in pairs:
            k += 1
            expr = "x %s y" % op
            xa, yb = vals(a), vals(b, True)
            add(cf, expr, [("x", "array", a, xa), ("y", "array", b, yb)], cls)
            if k % 2:
                add(cf, expr, [("x", "array", a, xa), ("y", "scalar", b, sc(tile(yb, 1)))], cls)
            else:
                add(cf, expr, [("x", "scalar", a, sc(tile(xa, 1))), ("y", "array", b, yb)], cls)
            if a == b:
                add(cf, expr, [("x", "scalar", a, sc(tile(xa, 1))), ("y", "scalar", b, sc(tile(yb, 1)))], cls)
    # literals: weak complex (x_f32 * 1j is complex64), Python complex constants
    lits = ["x * 1j", "1j * x", "x + 2.5e1j", "x - (2 + 3j)", "(2+3j) / x", "x / 1j", "x * 2.5", "x + 3",
            "x ** 2", "x ** 3", "x ** 0.5", "x ** -1", "x ** (1+1j)", "(1+2j) ** x", "x == 1j", "x != 0",
            "x * (0.5 - 0.25j) + 1"]
    for dt in C:
        for e in lits:
            cls = "exact" if e in ("x + 2.5e1j", "x - (2 + 3j)", "x + 3", "x == 1j", "x != 0") else "complex"
            add(cf, e, [("x", "array", dt, ZX[dt])], cls)
    for j, dt in enumerate(("float32", "float64", "int32", "int16", "uint8", "bool")):
        src = R[dt] if dt in R else tile(np.array(int_edges(dt), dtype=NP[dt]), L)
        for e in ["x * 1j", "x + 2.5e1j", "(2 + 3j) * x", "x ** (0.5+1j)", "x - 1j == 0"][j % 2::2]:
            cls = "exact" if e in ("x + 2.5e1j", "x - 1j == 0") else "complex"
            add(cf, e, [("x", "array", dt, src)], cls)
    # unary operators
    for dt in C:
        add(cf, "-x", [("x", "array", dt, ZX[dt])], "exact")
        add(cf, "+x", [("x", "array", dt, ZX[dt])], "exact")
        add(cf, "-x", [("x", "scalar", dt, ZX[dt][20])], "exact")
        add(cf, "~x", [("x", "array", dt, ZX[dt])], "exact", True)
    # operators that need an order or integers: errors
    for op in COMPLEX_ORDER_OPS:
        refused = op not in COMPLEX_ORDERED
        for a, b in [("complex128", "complex128"), ("complex64", "float32"), ("int32", "complex64")]:
            add(cf, "x %s y" % op, [("x", "array", a, vals(a)), ("y", "array", b, vals(b, True))], "exact", refused)
        add(cf, "x %s 1" % op, [("x", "array", "complex128", ZX["complex128"])], "exact", refused)
        add(cf, "z %s 1j" % op, [("z", "array", "float64", R["float64"])], "exact", refused)
    # functions
    for fn in COMPLEX_FUNCS:
        for dt in C:
            add(cf, "%s(x)" % fn, [("x", "array", dt, ZE[dt])], "complex")
            add(cf, "%s(x)" % fn, [("x", "scalar", dt, ZX[dt][k % L])], "complex")
            k += 7
    for dt in C:
        add(cf, "abs(x)", [("x", "array", dt, ZE[dt])], "transcendental")
        add(cf, "abs(x)", [("x", "scalar", dt, ZX[dt][5])], "transcendental")
        for fn in ("isnan", "isinf", "isfinite"):
            add(cf, "%s(x)" % fn, [("x", "array", dt, ZE[dt])], "predicate")
        for fn in ("real", "imag", "conj"):
            add(cf, "%s(x)" % fn, [("x", "array", dt, ZX[dt])], "exact")
            add(cf, "%s(x)" % fn, [("x", "scalar", dt, ZX[dt][k % L])], "exact")
            k += 3
        for fn in COMPLEX_ORDER_FUNCS1:
            add(cf, "%s(x)" % fn, [("x", "array", dt, ZX[dt])], "complex" if fn == "sign" else "exact",
                fn not in COMPLEX_ORDERED)
        for fn in COMPLEX_ORDER_FUNCS2:
            add(cf, "%s(x, y)" % fn, [("x", "array", dt, ZX[dt]), ("y", "array", dt, ZY[dt])], "exact", True)
            add(cf, "%s(x, y)" % fn, [("x", "array", "float32", R["float32"]), ("y", "array", dt, ZY[dt])], "exact", True)
    for dt in ("float32", "float64", "int32", "int64", "bool", "uint8"):
        src = R[dt] if dt in R else tile(np.array(int_edges(dt), dtype=NP[dt]), L)
        for fn in ("real", "imag", "conj"):
            add(cf, "%s(x)" % fn, [("x", "array", dt, src)], "exact")
    # complex(re, im)
    for a, b in [("float64", "float64"), ("float32", "float32"), ("float32", "float64"), ("int32", "int32"),
                 ("float32", "int32"), ("int8", "float32"), ("bool", "float64"), ("int64", "float32")]:
        add(cf, "complex(x, y)", [("x", "array", a, vals(a)), ("y", "array", b, tile(vals(b), L))], "exact")
    for e in ["complex(x, 0)", "complex(0, x)", "complex(x, 2.5)", "complex(x, -x)", "complex(2, 3) * x", "abs(complex(x, 1))"]:
        for dt in ("float32", "float64"):
            add(cf, e, [("x", "array", dt, R[dt])], "transcendental" if "abs" in e else "exact")
    add(cf, "complex(x, y)", [("x", "scalar", "float32", 1.5), ("y", "scalar", "float32", -0.0)], "exact")
    add(cf, "complex(x, y)", [("x", "array", "complex128", ZX["complex128"]), ("y", "array", "float64", R["float64"])], "exact", True)
    # where
    cond = tile(X["bool"], L)
    for a, b in [("complex128", "complex128"), ("complex64", "float32"), ("complex64", "complex128"), ("float64", "complex64"), ("int32", "complex64")]:
        add(cf, "where(c, x, y)", [("c", "array", "bool", cond), ("x", "array", a, vals(a)), ("y", "array", b, vals(b, True))], "exact")
    for dt in C:
        add(cf, "where(c, x, 0)", [("c", "array", "bool", cond), ("x", "array", dt, ZX[dt])], "exact")
        add(cf, "where(c, 1j, x)", [("c", "array", "bool", cond), ("x", "array", dt, ZX[dt])], "exact")
        add(cf, "where(x != 0, x, 1)", [("x", "array", dt, ZX[dt])], "exact")
        add(cf, "where(c, x, y)", [("c", "array", "complex128", ZY["complex128"]), ("x", "array", dt, ZX[dt]),
                                    ("y", "array", "float64", R["float64"])], "exact")
    # composite
    for dt in C:
        add(cf, "exp(1j * imag(x)) * abs(x)", [("x", "array", dt, ZX[dt])], "complex")
        add(cf, "where(isfinite(x), x, 0) * 2 + y", [("x", "array", dt, ZX[dt]), ("y", "array", "float32", R["float32"])], "complex")
    add(cf, "x * 1j + y", [("x", "array", "float32", R["float32"]), ("y", "array", "float64", R["float64"])], "complex")
    add(cf, "exp(1j * x)", [("x", "array", "float64", R["float64"])], "complex")
    add(cf, "exp(1j * x)", [("x", "array", "float32", R["float32"])], "complex")
    # literal-only complex expressions
    for e in ["(2 + 3j) * (1 - 1j)", "abs(3 + 4j)", "1j ** 2", "sqrt(-1 + 0j)", "real(2 + 3j)", "conj(1j) == -1j"]:
        add(cf, e, [], "complex")

    # n-d: reductions, broadcasting, views
    nd = []
    for dt in C:
        z = tile(ZE[dt][121:193], 24)     # branch-cut and random values (finite)
        zs = z.copy()
        zs[5] = complex(np.nan, 0)
        small = (tile(ZE[dt][161:185], 24) * 0.7).astype(NP[dt])
        nd += [("sum(x)", [Arg("x", dt, z, (24,))], "reduction"),
               ("sum(x, axis=0)", [Arg("x", dt, z, (4, 6))], "reduction"),
               ("sum(x, axis=-1)", [Arg("x", dt, z, (2, 3, 4))], "reduction"),
               ("prod(x)", [Arg("x", dt, small, (24,))], "reduction"),
               ("prod(x, axis=1)", [Arg("x", dt, small, (4, 6))], "reduction"),
               ("sum(x)", [Arg("x", dt, zs, (24,))], "reduction"),
               ("sum(x * conj(x))", [Arg("x", dt, z, (24,))], "reduction"),
               ("x - sum(x) / 24", [Arg("x", dt, z, (24,))], "reduction"),
               ("sum(x, axis=0)", [Arg("x", dt, z, (4, 6), [("transpose",)])], "reduction"),
               ("min(x)", [Arg("x", dt, z, (24,))], "error"),
               ("max(x, axis=0)", [Arg("x", dt, z, (4, 6))], "error"),
               ("x * y", [Arg("x", dt, z[:4], (4, 1)), Arg("y", "float32", tile(X["float32"], 6), (6,))], "complex"),
               ("x + y", [Arg("x", dt, z[:6], (2, 3)), Arg("y", dt, z[6:9], (3,))], "exact"),
               ("exp(x) + y", [Arg("x", dt, z[:12], (3, 4), [("transpose",)]), Arg("y", "complex128", z[12:15], (3,))], "complex"),
               ("x / 2", [Arg("x", dt, z[:12], (12,), [("slice", 0, 0, 12, -3)])], "complex")]
    for e, args, cls in nd:
        add_nd(cf, e, args, "exact" if cls == "error" else cls, expect_error=cls == "error")
    files.append(cf.write())

    # ------------------------------------------------------------------ integer widths
    iw = CaseFile("intwidths.txt", "int8 int16 uint8 uint16 uint32 uint64: operators, mixes, wrapping, literals")
    IX = {dt: np.array(int_edges(dt) + list(xrng.integers(-100 if dt[0] == "i" else 0, 101, N - len(int_edges(dt)))),
                       dtype=NP[dt]) for dt in NEW_INTS}
    IY = {dt: tile(IX[dt], N) for dt in NEW_INTS}
    IE = {dt: np.array([0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 31, 32, 63, 64] + list(xrng.integers(0, 6, N - 14)),
                       dtype=NP[dt])[xrng.permutation(N)] for dt in NEW_INTS}
    allx = dict(X)
    allx.update(IX)
    ally = dict(Y)
    ally.update(IY)
    alle = dict(E)
    alle.update(IE)
    binops = ["+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "<", "<=", "==", "!=", ">=", ">"]
    k = 0
    for op in binops:
        cls = "transcendental" if op == "**" else "exact"
        # each new type with itself and (rotating over the operators) with int64, float32, float64,
        # bool; one of the cross pairs per operator
        partners = ["int64", "float32", "float64", "bool"]
        cross = [("uint8", "int8"), ("int8", "uint16"), ("uint16", "int16"), ("uint32", "int32"), ("int32", "uint32"),
                 ("uint64", "int8"), ("uint64", "uint8"), ("int16", "uint32"), ("uint64", "int64")]
        o = binops.index(op)
        pairs = []
        for j, t in enumerate(NEW_INTS):
            pairs += [(t, t), (t, partners[(o + j) % 4])]
        pairs += [cross[o % len(cross)]]
        for a, b in pairs:
            k += 1
            fl = lambda d: d.startswith("float")
            int_pow = op == "**" and not fl(a) and not fl(b)
            yv = alle[b] if int_pow else ally[b]
            expr = "x %s y" % op
            add(iw, expr, [("x", "array", a, allx[a]), ("y", "array", b, yv)], cls)
            if a != b:
                pass
            elif k % 2:
                add(iw, expr, [("x", "array", a, allx[a]), ("y", "scalar", b, yv[k % N])], cls)
            else:
                # the other order: a typed scalar of the partner's dtype with the new type's array
                xv = alle[b] if int_pow else ally[b]
                av = alle[a] if int_pow else allx[a]
                add(iw, expr, [("x", "scalar", b, xv[k % N]), ("y", "array", a, av)], cls)
            if a == b and k % 7 == 0:
                add(iw, expr, [("x", "scalar", a, allx[a][k % N]), ("y", "scalar", b, yv[(k + 5) % N])], cls)
        for j, t in enumerate(NEW_INTS):
            maxlit = str(int(np.iinfo(NP[t]).max))
            lits = ["3", "2.5"] + ([maxlit] if op not in ("**", "<<", ">>") else [])
            lit = lits[(o + j) % len(lits)]
            add(iw, "x %s %s" % (op, lit), [("x", "array", t, allx[t])], "powconst" if op == "**" else "exact")
            if (o + j) % 2:
                add(iw, "3 %s x" % op, [("x", "array", t, IE[t] if op == "**" else allx[t])], cls)
    # unary operators and functions
    for t in NEW_INTS:
        for e in ["-x", "~x", "abs(x)", "sign(x)", "x * x - 1"]:
            add(iw, e, [("x", "array", t, allx[t])], "exact")
        add(iw, "-x", [("x", "scalar", t, allx[t][13])], "exact")
        for e in ["maximum(x, y)", "minimum(x, y)", "fmod(x, y)", "where(x > y, x, y)"]:
            add(iw, e, [("x", "array", t, allx[t]), ("y", "array", t, IY[t])], "exact")
        add(iw, "where(c, x, y)", [("c", "array", t, IY[t]), ("x", "array", t, allx[t]), ("y", "array", "float32", Y["float32"])], "exact")
        for e in ["sqrt(x)", "arctan2(x, y)"]:
            add(iw, e, [("x", "array", t, allx[t]), ("y", "array", t, IY[t])] if "y" in e else [("x", "array", t, allx[t])], "transcendental")
        for e in ["floor(x)", "signbit(x)"]:
            add(iw, e, [("x", "array", t, allx[t])], "exact")
    # division and modulo by zero, INT_MIN // -1, shifts by >= width
    for t in NEW_INTS:
        info = np.iinfo(NP[t])
        bits = info.bits
        if t[0] == "i":
            xs = [info.min, info.min, info.max, info.max, 7, -7, 0, info.min, 1, -1, 5, -5]
            ys = [-1, 0, -1, 0, 0, 0, 0, 1, -1, 0, -2, 2]
            shifts = [0, 1, bits - 1, bits, bits + 1, 2 * bits, 63, 64, 65, -1, -bits, 3]
            sx = [1, -1, info.max, info.min, 5, -5, 1, -1, info.max, info.min, 7, -7]
        else:
            xs = [info.max, info.max, 0, 7, 0, 1, info.max, 5, info.max - 1, 3, 0, 2]
            ys = [0, 1, 0, info.max, 1, 0, info.max, 2, info.max, 0, 0, 1]
            shifts = [0, 1, bits - 1, bits, bits + 1, 2 * bits, 63, 64, 65, 200, bits - 2, 3]
            sx = [1, info.max, info.max, 1, 5, info.max, 1, 7, info.max, 1, 3, info.max]
        xa = np.array(xs, dtype=NP[t])
        ya = np.array(ys, dtype=NP[t])
        for op in ("//", "%"):
            add(iw, "x %s y" % op, [("x", "array", t, xa), ("y", "array", t, ya)], "exact")
        add(iw, "x // 0", [("x", "array", t, xa)], "exact")
        add(iw, "x % 0", [("x", "array", t, xa)], "exact")
        sa = np.array(sx, dtype=NP[t])
        ca = np.array([v % (info.max + 1) if t[0] == "u" else v for v in shifts], dtype=NP[t])
        for op in ("<<", ">>"):
            add(iw, "x %s y" % op, [("x", "array", t, sa), ("y", "array", t, ca)], "exact")
            add(iw, "x %s y" % op, [("x", "array", t, sa), ("y", "array", "int64", np.array(shifts, dtype=np.int64))], "exact")
            add(iw, "x %s %d" % (op, bits), [("x", "array", t, sa)], "exact")
        # literal range: out of range for the type is an error (NumPy raises), in range is fine
        for lit in [info.max, info.max + 1, info.min, info.min - 1, -1, 300]:
            add(iw, "x + %d" % lit if lit >= 0 else "x + (%d)" % lit, [("x", "array", t, allx[t])], "exact")
        add(iw, "x * -1", [("x", "array", t, allx[t])], "exact")
        add(iw, "x == %d" % (info.max + 1), [("x", "array", t, allx[t])], "exact")
        add(iw, "x < -1", [("x", "array", t, allx[t])], "exact")
    # n-d: reductions (sums of signed give int64, of unsigned uint64), broadcasting
    for t in NEW_INTS:
        src = tile(allx[t], 24)
        for e in ["sum(x)", "prod(x)", "min(x)"]:
            add_nd(iw, e, [Arg("x", t, src, (24,))], "exact")
        add_nd(iw, "sum(x, axis=1)", [Arg("x", t, src, (4, 6))], "exact")
        add_nd(iw, "max(x, axis=0)", [Arg("x", t, src, (4, 6), [("transpose",)])], "exact")
        add_nd(iw, "x + y", [Arg("x", t, src[:4], (4, 1)), Arg("y", "int16", tile(IX["int16"], 3), (3,))], "exact")
    files.append(iw.write())
    return files


def cf_expect_identity(cf, expr, xs):
    """A case whose expected result is the input itself (SwiftJIT's rule where NumPy differs)."""
    cf.count += 1
    cf.lines += ["case %d exact" % cf.count, "expr " + expr,
                 "arg x array %s" % cf.array(xs, "bool"),
                 "expect bool array " + enc_all(xs, "bool"), "fastskip -"]
    known = KNOWN.get((cf.name, expr, "x:array:bool"))
    if known:
        cf.lines.append("known-failure " + known)


def add_literal(cf, expr):
    """Literal-only expression: Python semantics with int64/float64 results (weak defaults);
    integer division by zero gives 0 like SwiftJIT's integer rule."""
    tree = ast.parse(expr, mode="eval")

    class Typed(ast.NodeTransformer):
        def visit_Constant(self, n):
            if isinstance(n.value, bool):
                return ast.copy_location(ast.Call(ast.Name("bool_", ast.Load()), [n], []), n)
            f = "int64" if isinstance(n.value, int) else "float64"
            return ast.copy_location(ast.Call(ast.Name(f, ast.Load()), [n], []), n)
    t = ast.fix_missing_locations(Typed().visit(tree))
    env = dict(FUNCS)
    env.update(int64=np.int64, float64=np.float64, bool_=np.bool_)
    r = np.asarray(eval(compile(t, "<expr>", "eval"), env))
    rdt = dtname(r.dtype)
    cf.count += 1
    cls = "transcendental" if any(f in expr for f in ("sqrt", "exp")) else "exact"
    cf.lines += ["case %d %s" % (cf.count, cls), "expr " + expr,
                 "expect %s scalar %s" % (rdt, enc_all(r.reshape(-1), rdt)),
                 "fastskip " + ("0" if rdt.startswith("float") and not np.isfinite(r) else "-")]
    known = KNOWN.get((cf.name, expr, ""))
    if known:
        cf.lines.append("known-failure " + known)


# --------------------------------------------------------------------------------------------
# NumPy 2 rules (numpy2.txt)

def numpy2_file(X, Y, E):
    """Attributes .real/.imag, NEP 50 for functions of literals and complex(), integer powers of
    literals and negative integer exponents at run time, complex order/round/sign, the conversion
    functions bool i8 ... c128 (float to integer by NumPy's rule on x86-64, NaN and out-of-range
    values included), float32 expressions where relaxed mode must not reassociate."""
    nrng = np.random.default_rng(SEED + 5)
    nf = CaseFile("numpy2.txt", "NumPy 2 rules: .real/.imag, NEP 50 for functions of literals, integer powers, "
                  "complex order/round/sign, conversion functions, float32 order of operations")
    ZE = {dt: np.array(complex_edges(COMPLEX_PART[dt]), dtype=NP[dt]) for dt in C}
    small = {"int8": np.array(int_edges("int8") + list(nrng.integers(-100, 101, N - len(int_edges("int8")))), dtype=np.int8),
             "uint8": np.array(int_edges("uint8") + list(nrng.integers(0, 201, N - len(int_edges("uint8")))), dtype=np.uint8),
             "uint64": np.array(int_edges("uint64") + list(nrng.integers(0, 201, N - len(int_edges("uint64")))), dtype=np.uint64)}
    allx = dict(X)
    allx.update(small)

    # attributes (NumPy's spelling of real() and imag(); real values: x and 0)
    for dt in C:
        for e in ["x.real", "x.imag", "x.real - x.imag", "conj(x).imag == -x.imag", "x.imag.real"]:
            add(nf, e, [("x", "array", dt, ZE[dt])], "exact")
        add(nf, "abs(x) - x.real", [("x", "array", dt, ZE[dt])], "composite")
        add(nf, "x.imag", [("x", "scalar", dt, ZE[dt][130])], "exact")
        add(nf, "x.real < y.real", [("x", "array", dt, ZE[dt]), ("y", "array", dt, ZE[dt][::-1].copy())], "exact")
    for dt in ("float32", "float64", "int32", "int64", "bool", "uint8"):
        for e in ["x.real", "x.imag", "x.real + x.imag"]:
            add(nf, e, [("x", "array", dt, allx[dt])], "exact")
    add(nf, "(2 + 3j).imag * x", [("x", "array", "float32", X["float32"])], "exact")

    # NEP 50: a function of Python scalars is a NumPy scalar (strong); Python's complex() and the
    # parts of a Python complex stay weak
    for dt in ("float32", "int32", "int8", "uint8", "bool"):
        for e in ["x + cos(3)", "x * sqrt(2)", "x - exp(1.0)", "x + abs(-3)", "x * where(True, 2, 3)",
                  "x + real(2.5 + 1j)", "x + complex(1, 2)", "x + 2.5", "x * 2"]:
            cls = "composite" if any(f in e for f in ("cos", "sqrt", "exp")) else "exact"
            add(nf, e, [("x", "array", dt, allx[dt])], cls)
    for e in ["cos(3)", "abs(-3) + 2", "sqrt(2) * 2"]:
        add(nf, e, [], "transcendental")
    f32, y32 = X["float32"], Y["float32"]
    for e in ["complex(x, y)", "complex(x, y) * 2", "complex(x, 0.5)", "complex(1, 2) * x", "complex(x, y) + 1j"]:
        add(nf, e, [("x", "array", "float32", f32), ("y", "array", "float32", y32)] if "y" in e
            else [("x", "array", "float32", f32)], "exact" if "*" not in e else "complex")
    add(nf, "complex(x, y)", [("x", "scalar", "float32", 2.5), ("y", "array", "float32", y32)], "exact")

    # integer powers: Python ints give floats for negative exponents; integer arrays raise, at
    # compile time for a literal exponent and at run time for a negative element
    for e in ["2 ** -1", "2 ** -2 * 3", "(-2) ** -3", "2 ** (1 - 3)", "10 ** -2 + 1", "2 ** 10"]:
        add(nf, e, [], "transcendental")
    for dt in ("float32", "float64", "int32", "int64"):
        add(nf, "x * 2 ** -1", [("x", "array", dt, X[dt])], "exact")
    neg = E["int64"].copy()
    neg[7] = -1
    pos = E["int64"]
    for dt in ("int32", "int64", "int8", "uint8"):
        add(nf, "x ** -1", [("x", "array", dt, allx[dt])], "exact")
        add(nf, "x ** (1 - 2)", [("x", "array", dt, allx[dt])], "exact")
    for a in ("int32", "int64", "int8"):
        add(nf, "x ** y", [("x", "array", a, allx[a]), ("y", "array", "int64", neg)], "exact")
        add(nf, "x ** y", [("x", "array", a, allx[a]), ("y", "array", "int64", pos)], "transcendental")
    add(nf, "x ** y", [("x", "array", "int64", X["int64"]), ("y", "scalar", "int64", -2)], "exact")
    add(nf, "x ** (y - 1)", [("x", "array", "int64", X["int64"]), ("y", "array", "int64", pos)], "exact")
    add(nf, "sum(x ** y)", [("x", "array", "int64", X["int64"]), ("y", "array", "int64", neg)], "exact")
    add(nf, "2 ** y", [("y", "array", "int32", neg.astype(np.int32))], "exact")
    add(nf, "x ** y", [("x", "array", "float64", X["float64"]), ("y", "array", "int64", neg)], "transcendental")
    add(nf, "x ** y", [("x", "array", "uint8", small["uint8"]), ("y", "array", "uint8", (pos % 9).astype(np.uint8))],
        "transcendental")

    # complex: lexicographic order, round half to even of both parts, sign z/|z|
    for dt in C:
        z = ZE[dt]
        w = z[nrng.permutation(len(z))]
        for op in ("<", "<=", ">", ">="):
            add(nf, "x %s y" % op, [("x", "array", dt, z), ("y", "array", dt, w)], "exact")
        add(nf, "x >= 0", [("x", "array", dt, z)], "exact")
        add(nf, "x < 1j", [("x", "array", dt, z)], "exact")
        add(nf, "round(x)", [("x", "array", dt, z)], "exact")
        add(nf, "round(x * 2.5)", [("x", "array", dt, z)], "complex")
        add(nf, "sign(x)", [("x", "array", dt, z)], "complex")
        add(nf, "sign(x)", [("x", "scalar", dt, z[140])], "complex")
    add(nf, "x < y", [("x", "array", "float32", X["float32"]), ("y", "array", "complex128", ZE["complex128"][:N])], "exact")
    add(nf, "x > y", [("x", "array", "int32", X["int32"]), ("y", "array", "complex64", ZE["complex64"][:N])], "exact")

    # conversions: NumPy's astype (unsafe casting); float to integer truncates toward zero, and
    # NaN, infinities and out-of-range values give what NumPy gives on x86-64
    cv = np.array([math.nan, math.inf, -math.inf, 1e20, -1e20, 3e9, -3e9, 300.0, -1.0, -129.5, 1e19, 2.0 ** 63,
                   2.0 ** 64, -0.7, 65543.0, 4294967301.0, 0.5, -0.5, 2.5, -2.5, 1.9999, -1.9999, 127.9, -128.9,
                   255.5, 65535.9, 2147483647.0, -2147483648.0, 2147483648.0, 4294967295.0, 9.2e18, -9.2e18,
                   1.8e19, 0.0, -0.0, 1e-310, 7.0, -7.0, 1e6, -1e6])
    zc = np.array([complex(v, w) for v, w in zip(cv, cv[::-1])], dtype=np.complex128)
    for short, dt in CONVERSIONS.items():
        for src, vals in [("float64", cv), ("float32", cv.astype(np.float32)), ("int64", X["int64"]),
                          ("int8", small["int8"]), ("uint64", small["uint64"]), ("bool", X["bool"]),
                          ("complex128", zc)]:
            add(nf, "%s(x)" % short, [("x", "array", src, vals)], "exact")
        add(nf, "%s(x)" % short, [("x", "scalar", "float64", -2.75)], "exact")
    # A constant whose exact value leaves its type is a compile-time error (issue 24, as 2**63 and
    # as in Swift) where NumPy's typed scalars wrap (np.int8(127) + 1 is -128).
    for e in ["i64(2.7)", "i64(-2.7)", "u8(255)", "f32(0.1)", "bool(0.0)", "bool(2)", "c64(1.5)", "i8(127) + 1",
              "f32(1e300)", "i8(300)", "u8(-1)", "u64(-1)", "i32(2.5) * 2.5", "f64(3) / 2"]:
        add(nf, e, [], "exact", expect_error=e == "i8(127) + 1")
    i32, f64, u10 = X["int32"], X["float64"], (nrng.uniform(-1, 1, N) * 10).astype(np.float64)
    mixed = [("f64(i) / 2", [("i", "array", "int32", i32)]),
             ("f32(i) * x", [("i", "array", "int32", i32), ("x", "array", "float32", f32)]),
             ("f32(0.1) * x", [("x", "array", "float64", f64)]),
             ("f32(0.1) + x", [("x", "array", "float32", f32)]),
             ("i64(x) % 7", [("x", "array", "float64", u10)]),
             ("i32(x) // 2 + i", [("x", "array", "float64", u10), ("i", "array", "int32", i32)]),
             ("u8(x) + 250", [("x", "array", "float64", u10)]),
             ("c64(x) * 1j", [("x", "array", "float32", f32)]),
             ("bool(x) & (x > 0)", [("x", "array", "float64", f64)]),
             ("f64(i > 0) - 0.5", [("i", "array", "int32", i32)]),
             ("i64(x.real) + i64(x.imag)", [("x", "array", "complex128", zc)])]
    for e, args in mixed:
        add(nf, e, args, "exact")

    # float32: NumPy's order of operations; relaxed mode may contract a*b + c into an FMA (the
    # composite bound, relative to the largest term) but does not reassociate
    b, c, d, e32 = [(nrng.uniform(-10, 10, N)).astype(np.float32) for _ in range(4)]
    for e, args in [("3 - (b + 3)", [("b", "array", "float32", b)]),
                    ("(b + 1e4) - 1e4", [("b", "array", "float32", b)]),
                    ("b*c + d*e", [("b", "array", "float32", b), ("c", "array", "float32", c),
                                   ("d", "array", "float32", d), ("e", "array", "float32", e32)]),
                    ("(b + c) + d - c", [("b", "array", "float32", b), ("c", "array", "float32", c),
                                         ("d", "array", "float32", d)])]:
        add(nf, e, args, "composite")
    return nf.write()


if __name__ == "__main__":
    main()
