"""Adds NumPy's throughput and libmvec's (scripts/libmvec.c) to the SwiftJIT table
written by VectorMathThroughputTests and prints a Markdown table (elements/ns, higher is better).

    throughput_numpy.py SWIFTJIT.txt LIBMVEC.txt [DOCS.md]"""
import platform
import sys
import time

import numpy as np

NP = {"arcsin": np.arcsin, "arccos": np.arccos, "arctan": np.arctan, "arcsinh": np.arcsinh,
      "arccosh": np.arccosh, "arctanh": np.arctanh, "exp10": lambda x, out: np.power(x.dtype.type(10), x, out=out),
      "pow": np.power}
DOMAIN = {"log": (1e-3, 1e3), "log2": (1e-3, 1e3), "log10": (1e-3, 1e3), "log1p": (-0.9, 10),
          "arcsin": (-0.99, 0.99), "arccos": (-0.99, 0.99), "arctanh": (-0.99, 0.99), "arccosh": (1, 100),
          "exp": (-20, 20), "exp2": (-20, 20), "exp10": (-20, 20), "expm1": (-20, 20), "sinh": (-20, 20),
          "cosh": (-20, 20), "pow": (0.1, 10)}


def numpy_rate(name, t, n):
    fn = NP.get(name) or getattr(np, name, None)
    if fn is None:
        try:
            import scipy.special as sp
            fn = getattr(sp, name)
        except Exception:
            return None
    lo, hi = DOMAIN.get(name, (-10, 10))
    dt = np.float64 if t == "f64" else np.float32
    x = np.linspace(lo, hi, n, endpoint=False).astype(dt)
    # Second argument as in VectorMathThroughputTests: pow's exponent, arctan2's x.
    y = (np.linspace(-5, 5, n, endpoint=False) if name == "pow" else -10 + 20 * np.arange(n - 1, -1, -1) / n).astype(dt)
    args = (x, y) if name in ("pow", "arctan2") else (x,)
    out = np.empty_like(x)
    fn(*args, out=out)
    ts = []
    for _ in range(15):
        t0 = time.thread_time_ns()  # CPU time of this thread, as the other columns
        fn(*args, out=out)
        ts.append(time.thread_time_ns() - t0)
    return n / sorted(ts)[len(ts) // 2]


def main():
    lines = open(sys.argv[1]).read().splitlines()
    n = int(lines[0].split("n=")[1].split()[0])
    libmvec = {}
    for line in open(sys.argv[2]).read().splitlines():
        name, t, rate = line.split()
        libmvec[(name, t)] = rate
    out = [f"Elements per ns of thread CPU time (not wall time: the machine may be busy), one thread, {n} elements, "
           f"median of 15 (higher is better); glibc "
           f"{platform.libc_ver()[1]} libmvec (AVX-512 variants, called through dlsym) and NumPy {np.__version__} "
           "measured in the same run.", "",
           "| function | type | SwiftJIT relaxed | SwiftJIT fast | SwiftJIT strict (glibc scalar) | glibc libmvec | NumPy |",
           "|---|---|---|---|---|---|---|"]
    for line in lines[2:]:
        name, t, *rates = line.split()
        r = numpy_rate(name, t, n)
        out.append(f"| {name} | {t} | " + " | ".join(rates) + f" | {libmvec.get((name, t), '-')}"
                   f" | {'-' if r is None else f'{r:.3f}'} |")
    print("\n".join(out))
    if len(sys.argv) > 3:  # docs file: replace the table between the markers
        begin, end = "<!-- throughput-table:begin -->", "<!-- throughput-table:end -->"
        text = open(sys.argv[3]).read()
        if begin in text and end in text:
            text = text[:text.index(begin)] + begin + "\n\n" + "\n".join(out) + "\n\n" + text[text.index(end):]
            open(sys.argv[3], "w").write(text)


if __name__ == "__main__":
    main()
