"""Adds NumPy's throughput to the SwiftJIT table written by VectorMathThroughputTests and prints
a Markdown table (elements/ns, higher is better)."""
import sys
import time

import numpy as np

NP = {"arcsin": np.arcsin, "arccos": np.arccos, "arctan": np.arctan, "arcsinh": np.arcsinh,
      "arccosh": np.arccosh, "arctanh": np.arctanh, "exp10": lambda x, out: np.power(x.dtype.type(10), x, out=out)}
DOMAIN = {"log": (1e-3, 1e3), "log2": (1e-3, 1e3), "log10": (1e-3, 1e3), "log1p": (-0.9, 10),
          "arcsin": (-0.99, 0.99), "arccos": (-0.99, 0.99), "arctanh": (-0.99, 0.99), "arccosh": (1, 100),
          "exp": (-20, 20), "exp2": (-20, 20), "exp10": (-20, 20), "expm1": (-20, 20), "sinh": (-20, 20),
          "cosh": (-20, 20)}


def numpy_rate(name, t, n):
    fn = NP.get(name) or getattr(np, name, None)
    if fn is None:
        try:
            import scipy.special as sp
            fn = getattr(sp, name)
        except Exception:
            return None
    lo, hi = DOMAIN.get(name, (-10, 10))
    x = np.linspace(lo, hi, n, endpoint=False).astype(np.float64 if t == "f64" else np.float32)
    out = np.empty_like(x)
    fn(x, out=out)
    ts = []
    for _ in range(15):
        t0 = time.perf_counter_ns()
        fn(x, out=out)
        ts.append(time.perf_counter_ns() - t0)
    return n / sorted(ts)[len(ts) // 2]


def main():
    lines = open(sys.argv[1]).read().splitlines()
    n = int(lines[0].split("n=")[1].split()[0])
    out = [f"Elements per ns, one thread, {n} elements, median of 15 (higher is better); "
           f"NumPy {np.__version__} measured in the same run.", "",
           "| function | type | SwiftJIT relaxed | SwiftJIT fast | SwiftJIT strict (glibc scalar) | NumPy |",
           "|---|---|---|---|---|---|"]
    for line in lines[2:]:
        name, t, *rates = line.split()
        r = numpy_rate(name, t, n)
        out.append(f"| {name} | {t} | " + " | ".join(rates) + f" | {'-' if r is None else f'{r:.3f}'} |")
    print("\n".join(out))
    if len(sys.argv) > 2:  # docs file: replace the table between the markers
        begin, end = "<!-- throughput-table:begin -->", "<!-- throughput-table:end -->"
        text = open(sys.argv[2]).read()
        if begin in text and end in text:
            text = text[:text.index(begin)] + begin + "\n\n" + "\n".join(out) + "\n\n" + text[text.index(end):]
            open(sys.argv[2], "w").write(text)


if __name__ == "__main__":
    main()
