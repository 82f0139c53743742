#!/usr/bin/env python3
"""Generates the differential test cases for SwiftJIT against NumPy.

Usage:  python3 scripts/gen_differential.py [output-dir]
        (default: Tests/SwiftJITTests/Cases/differential)

Deterministic: a fixed seed, fixed edge values, and NumPy (2.x) as the reference. The files it
writes are committed; Tests/SwiftJITTests/DifferentialTests.swift reads them and runs every case
through the JIT in each math mode (strict, relaxed, fast).

Files: operators.txt (every operator, every dtype pair, array/scalar/literal positions),
functions.txt (every builtin function), composite.txt (reference workloads, mixed dtypes,
literal-only expressions).

FORMAT (one token-separated line per item; `#` starts a comment line; blank lines ignored)

    array <id> <dtype> <v1> <v2> ...      shared input array, referenced by id from cases
    case <n> <class>                      starts a case; n is unique in the file; class is the
                                          comparison class: exact | powconst | transcendental |
                                          composite | predicate (see README.md for the bounds)
    expr <expression text to end of line>
    arg <name> array <id>                 an array argument (one of the shared arrays)
    arg <name> scalar <dtype> <v>         a typed scalar argument (np.float32(v) in NumPy)
    expect <dtype> array <v1> <v2> ...    the NumPy result (a 1-d array)
    expect <dtype> scalar <v>             the NumPy result when every argument is a scalar (0-d)
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
                                          intermediate or the result is NaN or infinite); `-` if
                                          none
    known-failure <modes> <reason>        a SwiftJIT bug: the test counts the case but does not
                                          compare it in <modes> (comma list, or `all`); written
                                          from KNOWN_FAILURES below, not edited by hand

Values: bool `0`/`1`; int32/int64 decimal; float32/float64 the IEEE bit pattern as 8/16 lower-case
hex digits (so NaN, -0.0, infinities and subnormals are exact). dtypes: bool int32 int64 float32
float64.

Deliberate differences from NumPy encoded here (SwiftJIT's rule wins):
  * float functions of bool arguments give float64 in SwiftJIT (NumPy: float16): not generated;
  * `// % ** << >>`, fmod and sign with bool operands only are errors in SwiftJIT (NumPy: int8);
  * round(bool) is the identity (bool) in SwiftJIT (NumPy: float16);
  * integer ** negative integer: only non-negative integer exponents are generated.

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
NP = {"bool": np.bool_, "int32": np.int32, "int64": np.int64, "float32": np.float32, "float64": np.float64}

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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
    if dt in ("int32", "int64"):
        return str(int(v))
    if dt == "float32":
        return "%08x" % struct.unpack("<I", struct.pack("<f", np.float32(v)))[0]
    return "%016x" % struct.unpack("<Q", struct.pack("<d", np.float64(v)))[0]


def enc_all(a, dt):
    a = np.asarray(a)
    if dt == "bool":
        return " ".join("1" if v else "0" for v in a.tolist())
    if dt in ("int32", "int64"):
        return " ".join(str(v) for v in a.tolist())
    if dt == "float32":
        return " ".join("%08x" % v for v in a.astype(np.float32).view(np.uint32).tolist())
    return " ".join("%016x" % v for v in a.astype(np.float64).view(np.uint64).tolist())


def dtname(d):
    d = np.dtype(d)
    names = {np.dtype(np.bool_): "bool", np.dtype(np.int32): "int32", np.dtype(np.int64): "int64",
             np.dtype(np.float32): "float32", np.dtype(np.float64): "float64"}
    return names.get(d)

# --------------------------------------------------------------------------------------------
# evaluation of an expression with NumPy, node by node

FUNCS = {
    "where": np.where, "abs": np.abs, "round": np.round,
}
for _n in ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh",
           "arcsinh", "arccosh", "arctanh", "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt",
           "ceil", "floor", "trunc", "sign", "fmod", "hypot", "maximum", "minimum", "copysign",
           "nextafter", "isnan", "isinf", "isfinite", "signbit"]:
    FUNCS[_n] = getattr(np, _n)

BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
          ast.Pow: np.power, ast.LShift: operator.lshift, ast.RShift: operator.rshift,
          ast.BitAnd: operator.and_, ast.BitOr: operator.or_, ast.BitXor: operator.xor}
CMPOPS = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Eq: operator.eq, ast.NotEq: operator.ne,
          ast.GtE: operator.ge, ast.Gt: operator.gt}
UNOPS = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert}


class Evaluation:
    """Evaluates an expression; records every node value (for fastskip) and the magnitudes of
    the operands of + and - (for scale)."""

    def __init__(self, env):
        self.env = env
        self.nodes = []
        self.terms = []

    def run(self, text):
        tree = ast.parse(text, mode="eval").body
        return self.visit(tree)

    def visit(self, n):
        if isinstance(n, ast.Constant):
            v = n.value
        elif isinstance(n, ast.Name):
            v = self.env[n.id]
        elif isinstance(n, ast.BinOp):
            a, b = self.visit(n.left), self.visit(n.right)
            v = BINOPS[type(n.op)](a, b)
            if isinstance(n.op, (ast.Add, ast.Sub)):
                self.terms += [a, b]
            if isinstance(n.op, ast.Pow) and isinstance(b, (int, float)) and np.asarray(v).dtype.kind == "f":
                # SwiftJIT expands constant powers into products: |x|**ceil(|n|) is an intermediate
                # (it may overflow although x**-n does not).
                self.nodes.append(np.power(np.abs(np.asarray(a).astype(np.asarray(v).dtype)),
                                           float(math.ceil(abs(b)))))
        elif isinstance(n, ast.UnaryOp):
            v = UNOPS[type(n.op)](self.visit(n.operand))
        elif isinstance(n, ast.Compare):
            assert len(n.ops) == 1
            v = CMPOPS[type(n.ops[0])](self.visit(n.left), self.visit(n.comparators[0]))
        elif isinstance(n, ast.Call):
            args = [self.visit(a) for a in n.args]
            v = FUNCS[n.func.id](*args)
        else:
            raise ValueError(ast.dump(n))
        self.nodes.append(v)
        return v


def nonfinite_mask(vals, shape):
    m = np.zeros(shape, dtype=bool)
    for v in vals:
        a = np.asarray(v)
        if a.dtype.kind == "f":
            m |= np.broadcast_to(~np.isfinite(a), shape)
    return m

# --------------------------------------------------------------------------------------------
# case files

BOOL_ONLY_ERRORS = {"//", "%", "**", "<<", ">>"}
TRANSCENDENTAL = {"sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh",
                  "tanh", "arcsinh", "arccosh", "arctanh", "exp", "expm1", "log", "log1p", "log2",
                  "log10", "sqrt", "hypot"}


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
            if rdt.startswith("float"):
                shape = r.shape
                if cls == "predicate":
                    skip = np.zeros(shape, dtype=bool)
                else:
                    skip = nonfinite_mask(list(env.values()) + ev.nodes, shape)
            else:
                skip = nonfinite_mask(list(env.values()) + ev.nodes, r.shape) if cls != "predicate" else np.zeros(r.shape, bool)
            if cls == "composite":
                scale = np.abs(np.asarray(r, dtype=np.float64))
                for t in ev.terms:
                    ta = np.abs(np.asarray(t, dtype=np.float64))
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
        if not any(dt.startswith("float") and np.any(np.asarray(val, dtype=NP[dt]) == 0)
                   for _, _, dt, val in args):
            return
        for zero in (0.0, -0.0):
            env = {}
            for name, kind, dt, val in args:
                v = np.array(val, dtype=NP[dt])
                if dt.startswith("float"):
                    v = np.where(v == 0, NP[dt](zero), v)
                env[name] = v if kind == "array" else NP[dt](v)
            try:
                a = np.asarray(Evaluation(env).run(expr))
            except Exception:
                continue
            if a.dtype != r.dtype:
                continue
            same = (a == r) | (np.isnan(a) & np.isnan(r))
            if not np.all(same):
                out.append("alt " + enc_all(a.reshape(-1), rdt))

    def write(self):
        os.makedirs(OUT, exist_ok=True)
        path = os.path.join(OUT, self.name)
        with open(path, "w") as f:
            f.write("\n".join(self.lines) + "\n")
        return path, self.count, self.errors, os.path.getsize(path)


def scalar_pick(arr, k):
    return arr.reshape(-1)[k % N]


# --------------------------------------------------------------------------------------------
# Known SwiftJIT failures: bugs (or undecided differences) found by these tests. Each becomes a
# `known-failure <modes> <reason>` line in its case, so the test counts the case but does not
# compare it in those modes. Key: (file, expression, signature as name:kind:dtype,...), the
# modes that fail, the reason. Remove an entry when the bug is fixed (the test prints the known
# failures that pass).

R_DIV = ("fast: division by a loop-invariant value or in float32 becomes x*(1/y) with the rcp "
         "estimate (arcp): 1 ulp off, and 0 instead of a subnormal float32 quotient")
R_POWI = ("relaxed/fast: float ** int32 array/scalar lowers to llvm.powi (repeated multiplication): "
          "up to 25 ulp off for exponents of magnitude 50-90 (int64 exponents use pow and pass)")
R_EXP2 = "fast: c ** x becomes exp2(x*log2(c)): up to 17 ulp off for large results"
R_RCP = "fast: x ** -1 uses the rcp estimate, which flushes subnormal results (1/3e38 gives 0)"
R_SQRT = ("NumPy's power turns a scalar exponent 0.5 into sqrt: (-0.0)**0.5 = -0.0 and (-inf)**0.5 = nan; "
          "SwiftJIT gives C pow's +0.0 (strict) and +inf (strict, relaxed)")
R_RSQRT = ("relaxed: x ** -0.5 becomes 1/sqrt(x), so (-0.0)**-0.5 is -inf instead of +inf "
           "(no-signed-zeros flips the sign of an infinity, not only of a zero)")

KNOWN_FAILURES = [
    ("operators.txt", "x / y", "x:array:bool,y:array:float32", "fast", R_DIV),
    ("operators.txt", "x / y", "x:scalar:bool,y:array:float32", "fast", R_DIV),
    ("operators.txt", "x / y", "x:array:int32,y:scalar:int32", "fast", R_DIV),
    ("operators.txt", "x / y", "x:array:int32,y:scalar:float32", "fast", R_DIV),
    ("operators.txt", "x / y", "x:array:int64,y:scalar:int64", "fast", R_DIV),
    ("operators.txt", "x / y", "x:array:int64,y:scalar:float32", "fast", R_DIV),
    ("operators.txt", "x / y", "x:array:float32,y:array:bool", "fast", R_DIV),
    ("operators.txt", "x / y", "x:scalar:float32,y:array:bool", "fast", R_DIV),
    ("operators.txt", "x / y", "x:array:float32,y:scalar:int32", "fast", R_DIV),
    ("operators.txt", "x / y", "x:array:float32,y:scalar:int64", "fast", R_DIV),
    ("operators.txt", "x / y", "x:array:float32,y:array:float32", "fast", R_DIV),
    ("operators.txt", "x / y", "x:array:float32,y:scalar:float32", "fast", R_DIV),
    ("operators.txt", "x / y", "x:scalar:float32,y:array:float32", "fast", R_DIV),
    ("operators.txt", "x / y", "x:array:float32,y:scalar:float64", "fast", R_DIV),
    ("operators.txt", "x / y", "x:array:float64,y:scalar:int32", "fast", R_DIV),
    ("operators.txt", "x / y", "x:array:float64,y:scalar:int64", "fast", R_DIV),
    ("operators.txt", "x / y", "x:array:float64,y:scalar:float32", "fast", R_DIV),
    ("operators.txt", "x / 3", "x:array:int32", "fast", R_DIV),
    ("operators.txt", "x / 2.5", "x:array:int32", "fast", R_DIV),
    ("operators.txt", "x / -7", "x:array:int32", "fast", R_DIV),
    ("operators.txt", "x / 3", "x:array:int64", "fast", R_DIV),
    ("operators.txt", "x / 2.5", "x:array:int64", "fast", R_DIV),
    ("operators.txt", "x / -7", "x:array:int64", "fast", R_DIV),
    ("operators.txt", "x / 3", "x:array:float32", "fast", R_DIV),
    ("operators.txt", "x / 2.5", "x:array:float32", "fast", R_DIV),
    ("operators.txt", "x / -7", "x:array:float32", "fast", R_DIV),
    ("operators.txt", "3 / x", "x:array:float32", "fast", R_DIV),
    ("operators.txt", "2.5 / x", "x:array:float32", "fast", R_DIV),
    ("operators.txt", "x / 3", "x:array:float64", "fast", R_DIV),
    ("operators.txt", "x / 2.5", "x:array:float64", "fast", R_DIV),
    ("operators.txt", "x / -7", "x:array:float64", "fast", R_DIV),
    ("operators.txt", "x ** y", "x:array:float32,y:array:int32", "relaxed,fast", R_POWI),
    ("operators.txt", "x ** y", "x:scalar:float32,y:array:int32", "relaxed,fast", R_POWI),
    ("operators.txt", "x ** y", "x:array:float64,y:array:int32", "relaxed,fast", R_POWI),
    ("operators.txt", "x ** y", "x:array:float64,y:scalar:int32", "relaxed,fast", R_POWI),
    ("operators.txt", "x ** y", "x:scalar:float64,y:array:int32", "relaxed,fast", R_POWI),
    ("operators.txt", "2.5 ** x", "x:array:int32", "fast", R_EXP2),
    ("operators.txt", "2.5 ** x", "x:array:int64", "fast", R_EXP2),
    ("operators.txt", "2.5 ** x", "x:array:float32", "fast", R_EXP2),
    ("operators.txt", "2.5 ** x", "x:array:float64", "fast", R_EXP2),
    ("operators.txt", "x ** 0.5", "x:array:float32", "strict,relaxed", R_SQRT),
    ("operators.txt", "x ** 0.5", "x:array:float64", "strict,relaxed", R_SQRT),
    ("operators.txt", "x ** -1", "x:array:float32", "fast", R_RCP),
    ("operators.txt", "x ** -0.5", "x:array:float32", "relaxed", R_RSQRT),
    ("operators.txt", "x ** -0.5", "x:array:float64", "relaxed", R_RSQRT),
]

KNOWN = {(f, e, sig): "%s %s" % (modes, reason) for f, e, sig, modes, reason in KNOWN_FAILURES}
_used_known = set()


def signature_text(args):
    return ",".join("%s:%s:%s" % (n, k, dt) for n, k, dt, _ in args)


def add(cf, expr, args, cls, expect_error=False):
    key = (cf.name, expr, signature_text(args))
    if key in KNOWN:
        _used_known.add(key)
    cf.add(expr, args, cls, expect_error, KNOWN.get(key))

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
    unary = ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh",
             "arccosh", "arctanh", "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "abs",
             "ceil", "floor", "trunc", "round", "sign", "isnan", "isinf", "isfinite", "signbit"]
    same_bool_ok = {"abs", "ceil", "floor", "trunc", "isnan", "isinf", "isfinite", "signbit"}
    k = 0
    for fn in unary:
        cls = "transcendental" if fn in TRANSCENDENTAL else ("predicate" if fn in ("isnan", "isinf", "isfinite") else "exact")
        for a in DTYPES:
            k += 1
            if a == "bool" and fn not in same_bool_ok and fn not in ("sign", "round"):
                continue  # float functions of bool: float64 in SwiftJIT, float16 in NumPy
            err = a == "bool" and fn == "sign"
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
    binary = ["arctan2", "fmod", "hypot", "maximum", "minimum", "copysign", "nextafter"]
    for fn in binary:
        cls = "transcendental" if fn in TRANSCENDENTAL else "exact"
        for a in DTYPES:
            for b in DTYPES:
                k += 1
                if a == "bool" and b == "bool" and fn not in ("maximum", "minimum", "fmod"):
                    continue
                err = fn == "fmod" and a == "bool" and b == "bool"
                expr = "%s(x, y)" % fn
                add(fns, expr, [("x", "array", a, X[a]), ("y", "array", b, Y[b])], cls, err)
                add(fns, expr, [("x", "array", a, X[a]), ("y", "scalar", b, scalar_pick(Y[b], 3 * k))], cls, err)
                add(fns, expr, [("x", "scalar", a, scalar_pick(X[a], 5 * k)), ("y", "array", b, Y[b])], cls, err)
                if a == b:
                    add(fns, expr, [("x", "scalar", a, scalar_pick(X[a], 7 * k + 1)),
                                    ("y", "scalar", b, scalar_pick(Y[b], 3 * k + 2))], cls, err)
        for a in DTYPES:
            if a == "bool" and fn not in ("maximum", "minimum"):
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

    total = 0
    for path, count, errors, size in files:
        total += size
        print("%s: %d cases (%d expect error), %d bytes" % (os.path.relpath(path, ROOT), count, errors, size))
    print("total %d bytes" % total)
    unused = [k for k in KNOWN if k not in _used_known]
    if unused:
        sys.exit("known failures that match no case: %s" % unused)


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


if __name__ == "__main__":
    main()
