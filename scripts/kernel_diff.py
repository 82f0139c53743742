#!/usr/bin/env python3
"""Differential test of kernels against NumPy: seeded random programs over assignments, compound
assignments, promotions, weak literals and names that shadow builtins, run by `swiftjit run` and by
NumPy 2 scalars (NEP 50) here. In: a seed, a time budget and the swiftjit binary; out: one line per
mismatch (program, arguments, both answers) and a summary. A program either gives NumPy's value
(floats within a few ulps, strict math) or is refused at compile time with a caret exactly when a
store would lose information (NumPy's can_cast(..., 'safe') for typed values; by kind and range for
literals). Integer overflow wraps in both. Nothing may crash or hang.

    scripts/kernel_diff.py [--seconds N] [--seed S] [--bin .build/debug/swiftjit]
"""
import argparse, os, random, re, subprocess, sys, tempfile, time, warnings
import numpy as np

warnings.filterwarnings("ignore")
TYPES = ["bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64"]
NP = {"bool": np.bool_, "i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64, "u8": np.uint8,
      "u16": np.uint16, "u32": np.uint32, "u64": np.uint64, "f32": np.float32, "f64": np.float64}
KIND = {"bool": 0, "f32": 2, "f64": 2}
SHADOWS = ["abs", "sum", "max", "sin", "sqrt", "prod"]  # variable names that are also builtins


def kind(t): return KIND.get(t, 1)


def short(dtype):
    return {np.dtype(v): k for k, v in NP.items()}[np.dtype(dtype)]


class Gen:
    """A random kernel and its NumPy evaluation; `Refused` when a store would lose information."""

    class Refused(Exception):
        pass

    def __init__(self, rng):
        self.rng = rng
        self.bad = None

    def literal(self, k):
        r = self.rng
        if k == 2:
            return repr(r.choice([0.5, 2.5, -1.25, 3.0, 1e3]))
        return str(r.choice([0, 1, 2, 3, 7, 0, 1, 2, 3, 7, 100, 255, 300, -1, -5, 2 ** 31, 2 ** 40]))

    def expr(self, env, depth):
        """(text, value, weak, const, known): value is a NumPy scalar, or a Python int/float when
        weak. const: computed from literals only (through calls too), so a compile-time constant;
        known: an integer whose exact value SwiftJIT tracks (not one converted from a float).

        NumPy 2 (NEP 50): literals are weak Python scalars, but a function of them is a strong NumPy
        scalar (`np.abs(6)` is `np.int64(6)`, `np.maximum(-1, 2.5)` is `np.float64`). SwiftJIT
        follows that, and computes integer constants exactly: a constant whose value leaves its type
        (`1099511627776 * max(-1, 2147483648)`, `2**63`, `u8(0) - 1`) is a compile-time error where
        NumPy wraps."""
        r = self.rng
        if depth == 0 or r.random() < 0.3:
            if r.random() < 0.3:
                text = self.literal(r.choice([1, 1, 2]))
                v = eval(text)
                return text, v, True, True, isinstance(v, int)
            name = r.choice(list(env))
            return name, env[name], False, False, False
        op = r.choice(["+", "-", "*", "+", "*", "abs", "max", "min", "conv", "conv"])
        a = self.expr(env, depth - 1)
        if op == "abs":
            v = np.abs(a[1])
            known = a[4] and is_int(v)
            if known:
                v, known = self.constant(abs(int(a[1])), v)
            return f"abs({a[0]})", v, False, a[3], known
        if op == "conv":
            # Explicit conversions (NumPy's astype: wraps, float to integer by NumPy's x86-64 rule).
            t = r.choice(TYPES)
            x = a[1]
            if isinstance(x, int) and kind(t) == 1 and not np.iinfo(NP[t]).min <= x <= np.iinfo(NP[t]).max:
                self.bad = self.bad or "literal out of range in a conversion"
                v = NP[t](0)
            else:
                v = np.asarray(np.float64(x) if isinstance(x, float) else x).astype(NP[t])[()]
            known = a[4] and kind(t) == 1 and is_int(x) and (t != "u64" or int(x) >= 0)
            return f"{t}({a[0]})", v, False, a[3], known
        b = self.expr(env, depth - 1)
        if op in ("max", "min"):
            # NumPy 2 promotion of the pair decides the type, NaN-free here.
            f = np.maximum if op == "max" else np.minimum
            v = self.checked(lambda: f(a[1], b[1]))
            return f"{op}({a[0]}, {b[0]})", v, False, a[3] and b[3], a[4] and b[4] and is_int(v)
        if (isinstance(a[1], np.bool_) or isinstance(b[1], np.bool_)) and op == "-":
            op = "+"
        f = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y}[op]
        v = self.checked(lambda: f(a[1], b[1]))
        known = a[4] and b[4] and is_int(v) and not self.bad
        if known:
            v, known = self.constant(f(int(a[1]), int(b[1])), v)
        return f"({a[0]} {op} {b[0]})", v, a[2] and b[2], a[3] and b[3], known

    def constant(self, exact, v):
        """An integer constant expression: its exact value must fit the result's type (int64 for
        Python ints), else the statement is refused (`constant overflow`). Returns the value and
        whether SwiftJIT still knows it (a uint64 above int64 is left to run time)."""
        dtype = np.dtype(np.int64 if isinstance(v, int) else v.dtype)
        info = np.iinfo(dtype)
        if dtype == np.uint64 and 2 ** 63 <= exact <= info.max:
            return v, False
        if not info.min <= exact <= info.max and not (dtype == np.uint64 and exact > info.max):
            self.bad = self.bad or "constant overflow"
            return type(v)(0), False
        return v, dtype != np.uint64 or exact <= info.max

    def checked(self, f):
        """NumPy refuses a Python int out of the other operand's range (NEP 50): so does the kernel.
        The refusal is noted (the statement is then expected to fail) and a stand-in value used."""
        try:
            return f()
        except OverflowError as e:
            self.bad = self.bad or f"literal out of range: {e}"
            return np.int64(0)
        except TypeError as e:  # bool - bool: SwiftJIT refuses it too ("use '^'")
            self.bad = self.bad or f"type error: {e}"
            return np.int64(0)

    def store(self, value, const, t):
        """The value stored in a `t` variable, or Refused. A value from literals only (through
        calls too: `abs(-3)`) is a compile-time constant, stored like a Python scalar: by kind, and
        an integer by its value's range."""
        if const:
            k = 2 if isinstance(value, (float, np.floating)) else (0 if isinstance(value, (bool, np.bool_)) else 1)
            if k > kind(t):
                raise Gen.Refused("weak kind")
            if kind(t) == 1 and not (np.iinfo(NP[t]).min <= int(value) <= np.iinfo(NP[t]).max):
                raise Gen.Refused("weak range")
            return NP[t](value)
        if not np.can_cast(value.dtype, NP[t], "safe"):
            raise Gen.Refused("unsafe")
        return NP[t](value)

    def program(self):
        r = self.rng
        params = {n: r.choice(TYPES) for n in "abc"}
        args = {}
        for n, t in params.items():
            if t == "bool":
                args[n] = NP[t](r.random() < 0.5)
            elif kind(t) == 2:
                args[n] = NP[t](r.choice([0.5, -2.25, 3.0, 1e5, -7.5]))
            else:
                info = np.iinfo(NP[t])
                args[n] = NP[t](r.choice([0, 1, 3, 100, info.max, info.min, info.max // 3]))
        env = dict(args)
        lines, refused = [], None
        names = ["v0", "v1", r.choice(SHADOWS)]
        types = {}
        for name in names:
            t = r.choice(TYPES + ["i64"] * 4 + ["f64"] * 10)
            types[name] = t
            self.bad = None
            text, value, _, const, _ = self.expr(env, 1)
            lines.append(f"    var {name}: {t} = {text}")
            try:
                if self.bad:
                    raise Gen.Refused(self.bad)
                env[name] = self.store(value, const, t)
            except Gen.Refused as e:
                refused = refused or (len(lines) + 1, str(e))
                env[name] = NP[t](0)
        for _ in range(r.randint(2, 5)):
            target = r.choice(names)
            op = r.choice(["=", "=", "+=", "*=", "-="])
            self.bad = None
            text, value, _, const, _ = self.expr(env, 2)
            lines.append(f"    {target} {op} {text}")
            try:
                if op != "=":
                    v = env[target]
                    value = self.checked(lambda: v + value if op == "+=" else v - value if op == "-=" else v * value)
                    const = False
                if self.bad:
                    raise Gen.Refused(self.bad)
                env[target] = self.store(value, const, types[target])
            except Gen.Refused as e:
                refused = refused or (len(lines) + 1, str(e))
        # Calls of the builtins a variable shadows still mean the builtin.
        shadow = names[2]
        call = {"abs": "abs(v0)", "sum": "v0", "max": "max(v0, v1)", "sin": "v0", "sqrt": "v0", "prod": "v0"}[shadow]
        rt = types["v0"]
        lines.append(f"    return {call}")
        ret = {"abs": abs(env["v0"]), "max": np.maximum(env["v0"], env["v1"])}.get(shadow, env["v0"])
        try:
            ret = self.store(ret, False, rt)
        except Gen.Refused as e:
            refused = refused or (len(lines) + 1, str(e))
        head = "kernel k(" + ", ".join(f"{n}: {t}" for n, t in params.items()) + f") -> {rt} {{"
        return "\n".join([head] + lines + ["}"]) + "\n", args, ret, refused


def is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def parse(text):
    text = text.strip()
    m = re.fullmatch(r"np\.(\w+)\((.*)\)", text)
    body = m.group(2) if m else text
    if text in ("np.True_", "True"):
        return True
    if text in ("np.False_", "False"):
        return False
    return float(body) if re.search(r"[.eEn]", body) else int(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bin", default=".build/debug/swiftjit")
    o = ap.parse_args()
    rng = random.Random(o.seed)
    gen = Gen(rng)
    start, cases, refused_ok, values_ok, failures = time.time(), 0, 0, 0, []
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "k.sj")
        env = dict(os.environ, SWIFTJIT_CACHE_DIR=os.path.join(d, "cache"))  # thousands of one-off kernels
        while time.time() - start < o.seconds:
            source, args, want, refused = gen.program()
            cases += 1
            with open(path, "w") as f:
                f.write(source)
            cmd = [o.bin, "run", path, "k", "--math", "strict"]
            for n, v in args.items():
                cmd += ["--arg", f"{n}={'true' if v is np.True_ else 'false' if v is np.False_ else repr(v.item())}"]
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
            except subprocess.TimeoutExpired:
                failures.append(f"hang:\n{source}{args}")
                continue
            if p.returncode not in (0, 1):
                failures.append(f"status {p.returncode}:\n{source}{args}\n{p.stderr[-2000:]}")
            elif refused:
                if p.returncode == 1 and "error:" in p.stderr and "^" in p.stderr and f"k.sj:{refused[0]}:" in p.stderr:
                    refused_ok += 1
                else:
                    failures.append(f"expected a compile error at line {refused[0]} ({refused[1]}):\n{source}{args}\n"
                                    f"got status {p.returncode}: {p.stdout}{p.stderr}")
            elif p.returncode != 0:
                failures.append(f"unexpected error:\n{source}{args}\n{p.stderr}")
            else:
                got, w = parse(p.stdout), want.item()
                same = got == w if not isinstance(w, float) else (
                    got == w or (np.isnan(w) and np.isnan(got)) or abs(got - w) <= 4 * abs(np.spacing(np.float32(w) if rt32(source) else w)))
                if same:
                    values_ok += 1
                else:
                    failures.append(f"value:\n{source}{args}\n  swiftjit {p.stdout.strip()}, NumPy {want!r}")
            if len(failures) >= 20:
                break
    for f in failures:
        print(f + "\n")
    print(f"kernel_diff seed {o.seed}: {cases} programs, {values_ok} values agree, {refused_ok} refused as expected, "
          f"{len(failures)} failures, {time.time() - start:.0f} s")
    sys.exit(1 if failures else 0)


def rt32(source):
    return source.split("->")[1].strip().startswith("f32")


if __name__ == "__main__":
    main()
