#!/usr/bin/env python3
"""Per-call overhead: time of one call of a cached `x*2.0 + 1.0` into a preallocated output, at
n = 10, 1,000 and 10,000 elements, for SwiftJIT (`swiftjit overhead --json`, timed inside Swift),
numexpr (`numexpr.evaluate(..., out=)`), Numba (an `@njit` loop writing `out`), a NumPy ufunc pair
with `out=` and JAX (a jitted function, `block_until_ready`; it returns a new buffer). Peers are
timed from Python, as their users call them. Every thread count runs in its own processes, pinned
to that many CPUs, and the tools alternate over several rounds; the median per call is reported.

    bench_percall.py --swiftjit PATH --threads 1,2 --out percall.json [--rounds 5]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

from bench_peers import pin, thread_env

SIZES = [10, 1000, 10000]
EXPR = "x*2.0 + 1.0"

WORKER = r'''
import json, os, sys, time
import numpy as np
T = int(sys.argv[1]); sizes = [int(s) for s in sys.argv[2].split(",")]; reps = int(sys.argv[3])
import numexpr as ne; ne.set_num_threads(T)
import numba; numba.set_num_threads(T)
import jax, jax.numpy as jnp
jax.config.update("jax_enable_x64", True)

@numba.njit(cache=False)
def nb(x, out):
    for i in range(x.size):
        out[i] = x[i] * 2.0 + 1.0

@jax.jit
def jx(x):
    return x * 2.0 + 1.0

def median_per_call(f, inner):
    f(); f()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        for _ in range(inner):
            f()
        times.append((time.perf_counter_ns() - t0) / inner / 1e9)
    times.sort()
    return times[len(times) // 2]

res = {}
for n in sizes:
    x = (np.arange(n) % 1000) * 1e-3 - 0.5
    out = np.empty(n)
    xj = jnp.asarray(x)
    ref = x * 2.0 + 1.0
    calls = {
        "numexpr": lambda: ne.evaluate("x*2.0 + 1.0", local_dict={"x": x}, out=out),
        "numba": lambda: nb(x, out),
        "numpy": lambda: np.add(np.multiply(x, 2.0, out=out), 1.0, out=out),
        "jax": lambda: jx(xj).block_until_ready(),
    }
    for name, f in calls.items():
        f()
        got = np.asarray(jx(xj)) if name == "jax" else out
        assert np.allclose(got, ref), name
    inner = max(1, 200_000 // max(n, 100))
    res[str(n)] = {name: median_per_call(f, inner) for name, f in calls.items()}
print(json.dumps(res))
'''


def run_pinned(cmd, T):
    env = thread_env(T)
    env["SWIFTJIT_NUM_THREADS"] = str(T)
    out = subprocess.run(cmd, env=env, preexec_fn=pin(T), capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"bench_percall: {' '.join(cmd[:2])} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--swiftjit", required=True)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=15, help="timed runs per tool, size and round")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    sizes = ",".join(map(str, SIZES))
    result = {"expression": EXPR, "sizes": SIZES, "threads": {}}
    for T in [int(t) for t in a.threads.split(",")]:
        samples = {}
        for r in range(a.rounds):
            runs = [("swiftjit", [a.swiftjit, "overhead", "--sections", "overhead", "--sizes", sizes,
                                  "--repeat", str(a.repeat), "--json"]),
                    ("python", [sys.executable, "-c", WORKER, str(T), sizes, str(a.repeat)])]
            if r % 2:
                runs.reverse()
            for kind, cmd in runs:
                got = run_pinned(cmd, T)
                if kind == "swiftjit":
                    for n, forms in got["seconds"].items():
                        for form, s in forms.items():
                            samples.setdefault(n, {}).setdefault(f"swiftjit-{form}", []).append(s)
                else:
                    for n, tools in got.items():
                        for tool, s in tools.items():
                            samples.setdefault(n, {}).setdefault(tool, []).append(s)
        result["threads"][str(T)] = {n: {tool: statistics.median(v) for tool, v in tools.items()}
                                     for n, tools in samples.items()}
        print(f"per-call T={T}: " + json.dumps(result["threads"][str(T)]), file=sys.stderr)
    with open(a.out, "w") as fh:
        json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
