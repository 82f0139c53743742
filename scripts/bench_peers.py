#!/usr/bin/env python3
"""SwiftJIT against NumPy, numexpr, Numba and JAX on the reference workloads (docs/benchmarks.md).

Three roles, all driven by scripts/bench:
  prepare --data DIR                write every workload's inputs and NumPy float64 reference as .npy
  worker  --data DIR --threads T    (one process per thread count; env set before import) load a
                                    workload, build and check every peer, time batches on request
  drive   --data DIR --threads 1,2 --swiftjit PATH --out results.json
                                    spawn a worker and a `swiftjit bench --serve` per thread count and
                                    time every tool round-robin (tools x thread counts x rounds)

A workload is one entry in WORKLOADS (inputs, reference, size in bytes) plus its peers in PEERS;
SwiftJIT's side is one entry in Sources/swiftjit/BenchCommand.swift (BenchHarness.workloads).
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

TOOLS = ["swiftjit", "numpy", "numexpr", "numba", "numba-par", "numba-vec", "jax"]
SEED = 20240601

# --------------------------------------------------------------------------------------------
# Workloads: inputs and the NumPy float64 reference.


def ragged(rng, total):
    """Row starts (last = total) for rows of lengths 100..19,900 (mean 10,000); last row cut."""
    lengths = []
    s = 0
    while s < total:
        n = int(rng.integers(100, 19901))
        n = min(n, total - s)
        lengths.append(n)
        s += n
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


# Elementwise workloads: a scalar formula over module `m` (np, jnp or numba's np); the numexpr
# text is the same formula without "m.". Arrays first, then scalars (a dict of constants).
ELEMENTWISE = {
    "W1": ("A*m.exp(-(x-x0)**2/(2*w**2))", ["x"], {"A": 1.0, "x0": 0.0, "w": 1.0}),
    "W2poly": ("x + x**2 + x**3 + x**4 + x**5 + x**6 + x**7 + x**8", ["x"], {}),
    "W2horner": ("x*(1+x*(1+x*(1+x*(1+x*(1+x*(1+x*(1+x)))))))", ["x"], {}),
    "W5": ("1 + A + A**2 + A**3", ["A"], {}),
    "W6": ("m.sin(a**2)*m.exp(b)", ["a", "b"], {}),
    "W7": ("b**2 - 4*a*c", ["a", "b", "c"], {}),
    "W12copy-1M": ("x", ["x"], {}),
    "W12copy-16M": ("x", ["x"], {}),
    "W12triad-1M": ("x + 2.5*y", ["x", "y"], {}),
    "W12triad-16M": ("x + 2.5*y", ["x", "y"], {}),
    "W15-10": ("2*a + 3*b", ["a", "b"], {}),
}
W3_EXPR = "A*m.exp(-(x-x0)**2/(2*w**2))"
W8_ITERS = 50
W13_K = 32  # at most this many centres per array, NaN-padded
W13_PARAMS = (1.0, 3.0, 3)  # threshold, integral_threshold, min_width


def gen_inputs(wid, rng):
    n1m = 1_000_000
    if wid == "W1":
        return {"x": np.linspace(-10, 10, 300_000)}
    if wid in ("W2poly", "W2horner"):
        return {"x": rng.normal(size=n1m)}
    if wid == "W3":
        return {"x": np.linspace(-10, 10, 300_000), "A": rng.normal(5, 2, 100),
                "x0": rng.uniform(0, 1, 100), "w": np.abs(rng.uniform(0, 1, 100))}
    if wid == "W4":
        jind = ragged(rng, 1 << 24)
        return {"X": rng.uniform(0, 1, 1 << 24), "jind": jind}
    if wid == "W5":
        return {"A": rng.uniform(0, 1, 1 << 24)}
    if wid == "W6":
        return {"a": rng.uniform(0, 1, (1000, 1000)), "b": rng.uniform(0, 1, (1000, 1000))}
    if wid == "W7":
        return {"a": rng.normal(size=n1m), "b": rng.normal(size=n1m), "c": rng.normal(size=n1m)}
    if wid == "W8":
        return {"cr": np.linspace(-2, 2, 500), "ci": np.linspace(-2, 2, 500)}
    if wid == "W9":
        return {"a": np.arange(10000, dtype=np.float64).reshape(100, 100)}
    if wid.startswith("W10-"):
        n = int(wid[4:])
        return {"M": rng.uniform(0, 1, (n, n)) / n + np.eye(n)}
    if wid == "W11":
        return {"data": rng.normal(size=20), "eps": rng.normal(0, 0.5, 1500), "u": rng.uniform(0, 1, 1500)}
    if wid.startswith("W12"):
        n = (1 << 24) if wid.endswith("16M") else (1 << 20)
        d = {"x": rng.uniform(0, 1, n)}
        if "triad" in wid:
            d["y"] = rng.uniform(0, 1, n)
        return d
    if wid == "W13":
        R, n = 10_000, 4_000
        x = rng.uniform(0, 0.8, (R, n))
        idx = np.arange(n, dtype=np.float64)
        for _ in range(5):
            present = rng.uniform(0, 1, (R, 1)) < 0.7
            c = rng.uniform(50, n - 50, (R, 1))
            h = rng.uniform(1, 3, (R, 1)) * present
            s = rng.uniform(2, 10, (R, 1))
            x += h * np.exp(-(idx - c) ** 2 / (2 * s * s))
        return {"x": x.astype(np.float32)}
    if wid == "R1":
        return {"x": rng.uniform(0, 1, 1 << 24)}
    if wid in ("R2", "R3"):
        return {"x": rng.uniform(-1, 1, 1 << 24)}
    if wid.startswith("W15-"):
        n = int(wid[4:])
        return {"a": rng.uniform(0, 1, n), "b": rng.uniform(0, 1, n)}
    if wid == "W14":
        jind = ragged(rng, 1 << 22)
        nrows = len(jind) - 1
        mu = rng.uniform(1, 2, nrows)
        I0 = rng.uniform(1, 2, 1 << 22)
        I = np.repeat(mu, np.diff(jind)) * I0 + rng.normal(0, 0.1, 1 << 22)
        return {"I": I, "I0": I0, "mu": mu, "jind": jind}
    raise KeyError(wid)


WORKLOADS = {  # id: (description, bytes moved (read + written) or None when not memory-bound)
    "W1": ("single Gaussian, n=300,000", 2 * 8 * 300_000),
    "W2poly": ("polynomial x+...+x**8, n=1M", 2 * 8 * 1_000_000),
    "W2horner": ("polynomial, Horner form, n=1M", 2 * 8 * 1_000_000),
    "W3": ("100 Gaussians -> 100 x 300,000 (broadcast)", 8 * 300_000 + 8 * 100 * 300_000),
    "W4": ("ragged sum of atan, 2^24", None),
    "W5": ("1 + A + A**2 + A**3, 2^24", 2 * 8 * (1 << 24)),
    "W6": ("sin(a**2)*exp(b), 1000 x 1000", 3 * 8 * 1_000_000),
    "W7": ("b**2 - 4*a*c, n=1M", 4 * 8 * 1_000_000),
    "W8": ("Mandelbrot 500 x 500, 50 iterations", None),
    "W9": ("a + trace(tanh(a)), 100 x 100", None),
    "W10-10": ("LU elimination, n=10", None),
    "W10-64": ("LU elimination, n=64", None),
    "W10-256": ("LU elimination, n=256", None),
    "W11": ("Metropolis sampler, 1500 samples", None),
    "W12copy-1M": ("copy y = x, 2^20", 2 * 8 * (1 << 20)),
    "W12copy-16M": ("copy y = x, 2^24", 2 * 8 * (1 << 24)),
    "W12triad-1M": ("triad x + 2.5*y, 2^20", 3 * 8 * (1 << 20)),
    "W12triad-16M": ("triad x + 2.5*y, 2^24", 3 * 8 * (1 << 24)),
    "W13": ("bump finder, 10,000 x 4,000 f32", 4 * 10_000 * 4_000),
    "W14": ("ragged log-likelihood, 2^22", None),
    "R1": ("reduction sum(x*x), 2^24", 8 * (1 << 24)),
    # Drawn last, so adding it left every other workload's data as it was.
    "W15-10": ("2*a + 3*b, n=10 (call overhead)", None),
    # After W15-10 for the same reason.
    "R2": ("kernel loop m = max(m, x[i]), 2^24", 8 * (1 << 24)),
    "R3": ("kernel loop m = min(m, abs(x[i])), 2^24", 8 * (1 << 24)),
}
# Tolerances of the check against the reference (rtol; atol is rtol * max |reference|).
RTOL = {"R1": 1e-10, "W4": 1e-8, "W14": 1e-8, "W10-256": 1e-8, "W13": 1e-8}
INT_MISMATCH_FRACTION = 1e-3  # W8: chaotic points may flip with FMA contraction


# ---- NumPy implementations (also the reference, run in float64) -----------------------------

def np_elementwise(wid, inp):
    expr, arrays, scalars = ELEMENTWISE[wid]
    env = dict(scalars, m=np, **{k: inp[k] for k in arrays})
    if wid.startswith("W12"):  # one operation into a preallocated output, as users write it
        out = np.empty_like(inp["x"])
        if "copy" in wid:
            return lambda: (np.copyto(out, inp["x"]), out)[1]
        x, y = inp["x"], inp["y"]
        return lambda: np.add(x, 2.5 * y, out=out)
    code = compile(expr, wid, "eval")
    return lambda: eval(code, env)


def np_w3(inp):
    A, x0, w, x = inp["A"][:, None], inp["x0"][:, None], inp["w"][:, None], inp["x"][None, :]
    return lambda: A * np.exp(-(x - x0) ** 2 / (2 * w ** 2))


def np_w4(inp):
    X, jind = inp["X"], inp["jind"]
    def f():
        i = np.repeat(np.arange(len(jind) - 1, dtype=np.float64), np.diff(jind))
        j = np.arange(len(X), dtype=np.float64)
        return np.sum(np.arctan(X * i * j))
    return f


def np_w8(inp):
    cr, ci = inp["cr"], inp["ci"]
    def f():
        Cr = np.broadcast_to(cr[None, :], (len(ci), len(cr)))
        Ci = np.broadcast_to(ci[:, None], (len(ci), len(cr)))
        zr = np.zeros(Cr.shape)
        zi = np.zeros(Cr.shape)
        it = np.zeros(Cr.shape, dtype=np.int64)
        active = np.ones(Cr.shape, dtype=bool)
        for n in range(1, W8_ITERS + 1):
            zr2 = zr * zr - zi * zi + Cr
            zi2 = 2 * zr * zi + Ci
            zr = np.where(active, zr2, zr)
            zi = np.where(active, zi2, zi)
            active &= zr * zr + zi * zi < 4
            it[active] = n
        return it
    return f


def np_w9(inp):
    a = inp["a"]
    return lambda: a + np.sum(np.tanh(np.diagonal(a)))


def np_w10(inp):
    M = inp["M"]
    def f():
        A = M.copy()
        n = A.shape[0]
        for k in range(n - 1):
            A[k + 1:, k] /= A[k, k]
            A[k + 1:, k + 1:] -= np.outer(A[k + 1:, k], A[k, k + 1:])
        return np.prod(np.diagonal(A))
    return f


def norm_pdf(x, m, s):
    return np.exp(-0.5 * ((x - m) / s) ** 2) / (s * np.sqrt(2 * np.pi))


def np_w11(inp):
    data, eps, u = inp["data"], inp["eps"], inp["u"]
    def f():
        mu = 1.0
        out = np.empty(len(eps))
        for t in range(len(eps)):
            prop = mu + eps[t]
            p_cur = np.prod(norm_pdf(data, mu, 1.0)) * norm_pdf(mu, 0.0, 1.0)
            p_prop = np.prod(norm_pdf(data, prop, 1.0)) * norm_pdf(prop, 0.0, 1.0)
            if u[t] < p_prop / p_cur:
                mu = prop
            out[t] = mu
        return out
    return f


def np_w13(inp):
    x = inp["x"]
    thr, ithr, minw = W13_PARAMS
    def f():
        R, n = x.shape
        xd = x.astype(np.float64)
        pad = np.zeros((R, 1), np.int8)
        d = np.diff(np.concatenate([pad, (x >= thr).astype(np.int8), pad], axis=1), axis=1)
        sr, sc = np.nonzero(d == 1)
        _, ec = np.nonzero(d == -1)
        zero = np.zeros((R, 1))
        cs = np.concatenate([zero, np.cumsum(xd, axis=1)], axis=1)
        cw = np.concatenate([zero, np.cumsum(xd * np.arange(n), axis=1)], axis=1)
        integ = cs[sr, ec] - cs[sr, sc]
        ws = cw[sr, ec] - cw[sr, sc]
        keep = (ec - sc >= minw) & (integ >= ithr)
        kr, centres = sr[keep], ws[keep] / integ[keep]
        rank = np.arange(len(kr)) - np.searchsorted(kr, kr)
        out = np.full((R, W13_K), np.nan)
        ok = rank < W13_K
        out[kr[ok], rank[ok]] = centres[ok]
        return out
    return f


def np_w14(inp):
    I, I0, mu, jind = inp["I"], inp["I0"], inp["mu"], inp["jind"]
    c0, c1 = 0.1, 0.5
    def f():
        m = np.repeat(mu, np.diff(jind)) * I0
        s = c0 * m ** c1
        return np.sum(np.log(s) + 0.5 * ((I - m) / s) ** 2)
    return f


def numpy_impl(wid, inp):
    if wid == "R1":
        x = inp["x"]
        return lambda: np.sum(x * x)
    if wid == "R2":
        x = inp["x"]
        return lambda: x.max()
    if wid == "R3":
        x = inp["x"]
        return lambda: np.abs(x).min()
    if wid in ELEMENTWISE:
        return np_elementwise(wid, inp)
    if wid.startswith("W10-"):
        return np_w10(inp)
    return {"W3": np_w3, "W4": np_w4, "W8": np_w8, "W9": np_w9, "W11": np_w11,
            "W13": np_w13, "W14": np_w14}[wid](inp)


def reference(wid, inp):
    return np.asarray(numpy_impl(wid, inp)())


# ---- numexpr ---------------------------------------------------------------------------------

def ne_impl(wid, inp):
    import numexpr as ne
    if wid in ELEMENTWISE:
        expr, arrays, scalars = ELEMENTWISE[wid]
        text = expr.replace("m.", "")
        env = dict(scalars, **{k: inp[k] for k in arrays})
        out = np.empty_like(inp[arrays[0]])
        return lambda: ne.evaluate(text, local_dict=env, out=out)
    if wid == "W3":
        env = {"A": inp["A"][:, None], "x0": inp["x0"][:, None], "w": inp["w"][:, None], "x": inp["x"][None, :]}
        out = np.empty((100, len(inp["x"])))
        text = W3_EXPR.replace("m.", "")
        return lambda: ne.evaluate(text, local_dict=env, out=out)
    if wid == "R1":
        x = inp["x"]
        return lambda: ne.evaluate("sum(x*x)", local_dict={"x": x})[()]
    if wid == "W4":
        X, jind = inp["X"], inp["jind"]
        def f():
            i = np.repeat(np.arange(len(jind) - 1, dtype=np.float64), np.diff(jind))
            j = np.arange(len(X), dtype=np.float64)
            return ne.evaluate("sum(arctan(X*i*j))", local_dict={"X": X, "i": i, "j": j})[()]
        return f
    if wid == "W14":
        I, I0, mu, jind = inp["I"], inp["I0"], inp["mu"], inp["jind"]
        def f():
            mur = np.repeat(mu, np.diff(jind))
            return ne.evaluate("sum(log(0.1*(mur*I0)**0.5) + 0.5*((I - mur*I0)/(0.1*(mur*I0)**0.5))**2)",
                               local_dict={"I": I, "I0": I0, "mur": mur})[()]
        return f
    return None


# ---- Numba -----------------------------------------------------------------------------------

def numba_elementwise(wid, inp, variant):
    import numba
    expr, arrays, scalars = ELEMENTWISE[wid]
    args = arrays + list(scalars)
    ns = {"m": np, "prange": numba.prange}
    exec(f"def g({', '.join(args)}):\n    return {expr}\n", ns)
    g = numba.njit(ns["g"])
    svals = [scalars[k] for k in scalars]
    shape = inp[arrays[0]].shape
    flat = [inp[k].reshape(-1) for k in arrays]
    out = np.empty(shape)
    oflat = out.reshape(-1)
    if variant == "vec":
        sig = "float64(" + ", ".join(["float64"] * len(args)) + ")"
        vf = numba.vectorize([sig])(ns["g"])
        full = [inp[k] for k in arrays]
        return lambda: vf(*full, *svals, out=out)
    loop = "prange" if variant == "par" else "range"
    body = ", ".join(f"{k}[i]" for k in arrays) + "".join(f", {k}" for k in scalars)
    scope = dict(ns, g=g)
    exec(f"def kern({', '.join(args)}, out):\n    for i in {loop}(out.size):\n        out[i] = g({body})\n", scope)
    kern = numba.njit(parallel=(variant == "par"))(scope["kern"])
    return lambda: (kern(*flat, *svals, oflat), out)[1]


def numba_impl(wid, inp, variant):
    """variant: 'njit', 'par' (parallel=True with prange) or 'vec' (@vectorize)."""
    import numba
    from numba import njit, prange
    par = variant == "par"
    if wid in ELEMENTWISE:
        return numba_elementwise(wid, inp, variant)
    if wid == "W3":
        @njit
        def g(x, A, x0, w):
            return A * np.exp(-(x - x0) ** 2 / (2 * w ** 2))
        A, x0, w, x = inp["A"], inp["x0"], inp["w"], inp["x"]
        out = np.empty((len(A), len(x)))
        if variant == "vec":
            vf = numba.vectorize(["float64(float64, float64, float64, float64)"])(g.py_func)
            return lambda: vf(x[None, :], A[:, None], x0[:, None], w[:, None], out=out)
        def k(x, A, x0, w, out):
            for i in prange(len(A)):
                for j in range(len(x)):
                    out[i, j] = g(x[j], A[i], x0[i], w[i])
        kern = njit(parallel=par)(k)
        return lambda: (kern(x, A, x0, w, out), out)[1]
    if wid == "R1":
        if variant == "vec":
            return None
        def k(x):
            s = 0.0
            for i in prange(len(x)):
                s += x[i] * x[i]
            return s
        kern = njit(parallel=par)(k)
        x = inp["x"]
        return lambda: kern(x)
    if wid in ("R2", "R3"):
        if variant == "vec":
            return None
        if wid == "R2":
            def k(x):
                m = -np.inf
                for i in prange(len(x)):
                    m = max(m, x[i])
                return m
        else:
            def k(x):
                m = np.inf
                for i in prange(len(x)):
                    m = min(m, abs(x[i]))
                return m
        kern = njit(parallel=par)(k)
        x = inp["x"]
        return lambda: kern(x)
    if wid == "W4":
        if variant == "vec":
            return None
        def k(X, jind):
            s = 0.0
            for i in prange(len(jind) - 1):
                for j in range(jind[i], jind[i + 1]):
                    s += np.arctan(X[j] * i * j)
            return s
        kern = njit(parallel=par)(k)
        X, jind = inp["X"], inp["jind"]
        return lambda: kern(X, jind)
    if wid == "W8":
        def mandel(cr, ci):
            zr = 0.0
            zi = 0.0
            it = 0
            for n in range(1, W8_ITERS + 1):
                zr, zi = zr * zr - zi * zi + cr, 2 * zr * zi + ci
                if zr * zr + zi * zi >= 4:
                    break
                it = n
            return it
        cr, ci = inp["cr"], inp["ci"]
        out = np.empty((len(ci), len(cr)), dtype=np.int64)
        if variant == "vec":
            vf = numba.vectorize(["int64(float64, float64)"])(mandel)
            return lambda: vf(cr[None, :], ci[:, None], out=out)
        g = njit(mandel)
        def k(cr, ci, out):
            for i in prange(len(ci)):
                for j in range(len(cr)):
                    out[i, j] = g(cr[j], ci[i])
        kern = njit(parallel=par)(k)
        return lambda: (kern(cr, ci, out), out)[1]
    if wid == "W9":
        if variant == "vec":
            return None
        def k(a):
            trace = 0.0
            for i in prange(a.shape[0]):
                trace += np.tanh(a[i, i])
            return a + trace
        kern = njit(parallel=par)(k)
        a = inp["a"]
        return lambda: kern(a)
    if wid.startswith("W10-"):
        if variant == "vec":
            return None
        def k(M):
            A = M.copy()
            n = A.shape[0]
            for kk in range(n - 1):
                piv = A[kk, kk]
                for i in prange(kk + 1, n):
                    l = A[i, kk] / piv
                    A[i, kk] = l
                    for j in range(kk + 1, n):
                        A[i, j] -= l * A[kk, j]
            p = 1.0
            for kk in range(n):
                p *= A[kk, kk]
            return p
        kern = njit(parallel=par)(k)
        M = inp["M"]
        return lambda: kern(M)
    if wid == "W11":
        if variant != "njit":
            return None  # a sequential chain: nothing to parallelise or vectorise
        @njit
        def k(data, eps, u):
            c = 1.0 / np.sqrt(2 * np.pi)
            mu = 1.0
            out = np.empty(len(eps))
            for t in range(len(eps)):
                prop = mu + eps[t]
                lc = 1.0
                lp = 1.0
                for d in data:
                    lc *= np.exp(-0.5 * (d - mu) ** 2) * c
                    lp *= np.exp(-0.5 * (d - prop) ** 2) * c
                p_cur = lc * np.exp(-0.5 * mu ** 2) * c
                p_prop = lp * np.exp(-0.5 * prop ** 2) * c
                if u[t] < p_prop / p_cur:
                    mu = prop
                out[t] = mu
            return out
        data, eps, u = inp["data"], inp["eps"], inp["u"]
        return lambda: k(data, eps, u)
    if wid == "W13":
        if variant == "vec":
            return None
        thr, ithr, minw = W13_PARAMS
        K = W13_K
        def k(x, out):
            R, n = x.shape
            for r in prange(R):
                cnt = 0
                inrun = False
                integral = 0.0
                wsum = 0.0
                start = 0
                for i in range(n + 1):
                    if i < n and x[r, i] >= thr:
                        if not inrun:
                            inrun = True
                            start = i
                            integral = 0.0
                            wsum = 0.0
                        v = np.float64(x[r, i])
                        integral += v
                        wsum += v * i
                    elif inrun:
                        inrun = False
                        if i - start >= minw and integral >= ithr and cnt < K:
                            out[r, cnt] = wsum / integral
                            cnt += 1
                for c in range(cnt, K):
                    out[r, c] = np.nan
        kern = njit(parallel=par)(k)
        x = inp["x"]
        out = np.empty((x.shape[0], K))
        return lambda: (kern(x, out), out)[1]
    if wid == "W14":
        if variant == "vec":
            return None
        def k(I, I0, mu, jind):
            s = 0.0
            for i in prange(len(jind) - 1):
                for j in range(jind[i], jind[i + 1]):
                    m = mu[i] * I0[j]
                    sij = 0.1 * m ** 0.5
                    s += np.log(sij) + 0.5 * ((I[j] - m) / sij) ** 2
            return s
        kern = njit(parallel=par)(k)
        I, I0, mu, jind = inp["I"], inp["I0"], inp["mu"], inp["jind"]
        return lambda: kern(I, I0, mu, jind)
    return None


# ---- JAX -------------------------------------------------------------------------------------

def jax_impl(wid, inp):
    import jax
    import jax.numpy as jnp
    from jax import lax
    dev = {k: jnp.asarray(v) for k, v in inp.items()}
    if wid in ELEMENTWISE:
        expr, arrays, scalars = ELEMENTWISE[wid]
        scope = dict(scalars, m=jnp)
        exec(f"def g({', '.join(arrays)}):\n    return {expr}\n", scope)
        g = scope["g"]
        if "copy" in wid:
            g = jnp.copy  # jit of the identity would hand back its input without copying
        f = jax.jit(g)
        args = [dev[k] for k in arrays]
        return lambda: f(*args).block_until_ready()
    if wid == "W3":
        f = jax.jit(lambda x, A, x0, w: A[:, None] * jnp.exp(-(x[None, :] - x0[:, None]) ** 2 / (2 * w[:, None] ** 2)))
        a = [dev[k] for k in ("x", "A", "x0", "w")]
        return lambda: f(*a).block_until_ready()
    if wid == "R1":
        f = jax.jit(lambda x: jnp.sum(x * x))
        x = dev["x"]
        return lambda: f(x).block_until_ready()
    if wid in ("R2", "R3"):
        f = jax.jit(jnp.max if wid == "R2" else lambda x: jnp.min(jnp.abs(x)))
        x = dev["x"]
        return lambda: f(x).block_until_ready()
    if wid in ("W4", "W14"):
        N = len(inp["X"] if wid == "W4" else inp["I"])
        if wid == "W4":
            def g(X, jind):
                i = jnp.repeat(jnp.arange(len(inp["jind"]) - 1, dtype=jnp.float64), jnp.diff(jind), total_repeat_length=N)
                j = jnp.arange(N, dtype=jnp.float64)
                return jnp.sum(jnp.arctan(X * i * j))
            a = [dev["X"], dev["jind"]]
        else:
            def g(I, I0, mu, jind):
                m = jnp.repeat(mu, jnp.diff(jind), total_repeat_length=N) * I0
                s = 0.1 * m ** 0.5
                return jnp.sum(jnp.log(s) + 0.5 * ((I - m) / s) ** 2)
            a = [dev[k] for k in ("I", "I0", "mu", "jind")]
        f = jax.jit(g)
        return lambda: f(*a).block_until_ready()
    if wid == "W8":
        def g(cr, ci):
            Cr = jnp.broadcast_to(cr[None, :], (ci.shape[0], cr.shape[0]))
            Ci = jnp.broadcast_to(ci[:, None], (ci.shape[0], cr.shape[0]))
            def body(n, st):
                zr, zi, it, active = st
                zr2 = zr * zr - zi * zi + Cr
                zi2 = 2 * zr * zi + Ci
                zr = jnp.where(active, zr2, zr)
                zi = jnp.where(active, zi2, zi)
                active = active & (zr * zr + zi * zi < 4)
                it = jnp.where(active, n, it)
                return zr, zi, it, active
            z = jnp.zeros(Cr.shape)
            st = (z, z, jnp.zeros(Cr.shape, jnp.int64), jnp.ones(Cr.shape, bool))
            return lax.fori_loop(1, W8_ITERS + 1, body, st)[2]
        f = jax.jit(g)
        return lambda: f(dev["cr"], dev["ci"]).block_until_ready()
    if wid == "W9":
        f = jax.jit(lambda a: a + jnp.sum(jnp.tanh(jnp.diagonal(a))))
        return lambda: f(dev["a"]).block_until_ready()
    if wid.startswith("W10-"):
        def g(A):
            n = A.shape[0]
            idx = jnp.arange(n)
            def body(k, A):
                lower = idx > k
                l = jnp.where(lower, A[:, k] / A[k, k], 0.0)
                row = jnp.where(lower, A[k, :], 0.0)
                A = A - jnp.outer(l, row)
                return A.at[:, k].set(jnp.where(lower, l, A[:, k]))
            return jnp.prod(jnp.diagonal(lax.fori_loop(0, n - 1, body, A)))
        f = jax.jit(g)
        return lambda: f(dev["M"]).block_until_ready()
    if wid == "W11":
        def g(data, eps, u):
            def pdf(x, m):
                return jnp.exp(-0.5 * (x - m) ** 2) / jnp.sqrt(2 * jnp.pi)
            def step(mu, e_u):
                e, uu = e_u
                prop = mu + e
                p_cur = jnp.prod(pdf(data, mu)) * pdf(mu, 0.0)
                p_prop = jnp.prod(pdf(data, prop)) * pdf(prop, 0.0)
                mu = jnp.where(uu < p_prop / p_cur, prop, mu)
                return mu, mu
            return lax.scan(step, jnp.float64(1.0), (eps, u))[1]
        f = jax.jit(g)
        return lambda: f(dev["data"], dev["eps"], dev["u"]).block_until_ready()
    return None  # W13: data-dependent output, not written for JAX


def make_peer(tool, wid, inp):
    if tool == "numpy":
        return numpy_impl(wid, inp)
    if tool == "numexpr":
        return ne_impl(wid, inp)
    if tool == "numba":
        return numba_impl(wid, inp, "njit")
    if tool == "numba-par":
        return numba_impl(wid, inp, "par")
    if tool == "numba-vec":
        return numba_impl(wid, inp, "vec")
    if tool == "jax":
        return jax_impl(wid, inp)
    raise KeyError(tool)


def check(wid, result, ref):
    """None when `result` matches the reference, else a description of the difference."""
    result = np.asarray(result)
    if result.shape != ref.shape:
        return f"shape {result.shape} != {ref.shape}"
    if ref.dtype.kind in "iub":
        bad = int(np.count_nonzero(result != ref))
        if bad > INT_MISMATCH_FRACTION * ref.size:
            return f"{bad} of {ref.size} elements differ"
        return None
    rtol = RTOL.get(wid, 1e-10)
    finite = np.isfinite(ref)
    if not np.array_equal(np.isnan(result), np.isnan(ref)):
        return "NaN positions differ"
    scale = float(np.max(np.abs(ref[finite]))) if finite.any() else 1.0
    r, f = result[finite], ref[finite]
    err = np.abs(r - f)
    lim = rtol * np.abs(f) + rtol * scale * 1e-3
    if np.any(~(err <= lim)):
        i = int(np.argmax(err / np.maximum(lim, 1e-300)))
        return f"max rel err {float(np.max(err / np.maximum(np.abs(f), 1e-300))):.3g} (value {r.flat[i]!r} vs {f.flat[i]!r})"
    return None


def load_inputs(data, wid):
    d = os.path.join(data, wid)
    return {f[:-4]: np.load(os.path.join(d, f)) for f in sorted(os.listdir(d))
            if f.endswith(".npy") and f != "ref.npy" and not f.startswith("out-")}


# --------------------------------------------------------------------------------------------
# prepare

def prepare(args):
    rng = np.random.default_rng(SEED)
    for wid in WORKLOADS:
        d = os.path.join(args.data, wid)
        inp = gen_inputs(wid, rng)  # sequential draws from one generator: the data is fixed
        if args.workloads and wid not in args.workloads.split(","):
            continue
        os.makedirs(d, exist_ok=True)
        if os.path.exists(os.path.join(d, "ref.npy")) and not args.force:
            continue
        for k, v in inp.items():
            np.save(os.path.join(d, k + ".npy"), v)
        np.save(os.path.join(d, "ref.npy"), reference(wid, inp))
        print(f"prepared {wid}", file=sys.stderr)


# --------------------------------------------------------------------------------------------
# worker: one per thread count, env set by the driver before Python started

def worker(args):
    T = args.threads
    import numexpr
    numexpr.set_num_threads(T)
    import numba
    numba.set_num_threads(T)
    import jax
    jax.config.update("jax_enable_x64", True)
    import jaxlib
    import llvmlite
    versions = {"python": sys.version.split()[0], "numpy": np.__version__, "numexpr": numexpr.__version__,
                "numba": numba.__version__, "llvmlite": llvmlite.__version__, "jax": jax.__version__,
                "jaxlib": jaxlib.__version__, "numexpr_threads": numexpr.get_num_threads(),
                "numba_threads": numba.get_num_threads(), "numba_threading_layer": None}
    peers = [t for t in TOOLS if t != "swiftjit"]
    fns = {}

    def reply(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    reply({"ok": True, "versions": versions})
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        try:
            if w[0] == "load":
                wid = w[1]
                inp = load_inputs(args.data, wid)
                ref = np.load(os.path.join(args.data, wid, "ref.npy"))
                status = {}
                for tool in peers:
                    t0 = time.perf_counter()
                    try:
                        f = make_peer(tool, wid, inp)
                        if f is None:
                            status[tool] = {"status": "n/a"}
                            continue
                        r = f()
                        first = (time.perf_counter() - t0) * 1e3
                        bad = check(wid, np.asarray(r), ref)
                    except Exception as e:  # a peer that fails is reported, not fatal
                        status[tool] = {"status": "error", "detail": f"{type(e).__name__}: {e}"[:300]}
                        continue
                    if bad:
                        status[tool] = {"status": "wrong", "detail": bad, "first_call_ms": first}
                        continue
                    f()  # warm-up
                    fns[(wid, tool)] = f
                    status[tool] = {"status": "ok", "first_call_ms": first}
                del ref
                reply({"ok": True, "tools": status})
                if versions["numba_threading_layer"] is None:
                    try:
                        versions["numba_threading_layer"] = numba.threading_layer()
                    except Exception:
                        pass
            elif w[0] == "run":
                f = fns[(w[1], w[2])]
                k = int(w[3])
                times = []
                for _ in range(k):
                    t0 = time.perf_counter_ns()
                    f()
                    times.append((time.perf_counter_ns() - t0) / 1e6)
                reply({"ok": True, "times_ms": times})
            elif w[0] == "unload":
                for key in [k for k in fns if k[0] == w[1]]:
                    del fns[key]
                import gc
                gc.collect()
                reply({"ok": True})
            elif w[0] == "versions":
                reply({"ok": True, "versions": versions})
            elif w[0] == "quit":
                reply({"ok": True})
                return
        except Exception as e:
            reply({"ok": False, "error": f"{type(e).__name__}: {e}"})


# --------------------------------------------------------------------------------------------
# drive

def thread_env(T):
    env = dict(os.environ)
    for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS",
              "NUMEXPR_MAX_THREADS", "NUMBA_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
        env[k] = str(T)
    env["XLA_FLAGS"] = ("--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" if T == 1
                        else f"--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads={T}")
    env["JAX_PLATFORMS"] = "cpu"
    env["JAX_ENABLE_X64"] = "1"
    return env


def pin(T):
    cpus = sorted(os.sched_getaffinity(0))[:T]
    return lambda: os.sched_setaffinity(0, cpus)


class Proc:
    def __init__(self, cmd, T, extra_env=None):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                  env=dict(thread_env(T), **(extra_env or {})), preexec_fn=pin(T))

    def ask(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        out = self.p.stdout.readline()
        if not out:
            raise RuntimeError(f"process {self.p.args[0]} ended (asked: {line})")
        return json.loads(out)

    def read(self):
        return json.loads(self.p.stdout.readline())


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def swiftjit_builds(specs):
    """--swiftjit PATH (one build: tool 'swiftjit') or --swiftjit LLVM[-TAG]=PATH, repeated (one tool
    'swiftjit-llvmN[-TAG]' per build, run with SWIFTJIT_LLVM=N; a tag such as 'before' tells two
    builds for one LLVM apart): [(tool, path, extra env)]."""
    builds = []
    for spec in specs:
        label, sep, path = spec.partition("=")
        if not sep:
            builds.append(("swiftjit", spec, {}))
        else:
            builds.append((f"swiftjit-llvm{label}", path, {"SWIFTJIT_LLVM": label.split("-")[0]}))
    if len(builds) > 1 and any(t == "swiftjit" for t, _, _ in builds):
        raise SystemExit("--swiftjit: label every build (LLVM=PATH) when there are several")
    return builds


def drive(args):
    threads = [int(t) for t in args.threads.split(",")]
    builds = swiftjit_builds(args.swiftjit)
    wids = list(WORKLOADS) if not args.workloads else args.workloads.split(",")
    me = os.path.abspath(__file__)
    workers, swifts = {}, {}
    versions = None
    for T in threads:
        workers[T] = Proc([sys.executable, me, "worker", "--data", args.data, "--threads", str(T)], T)
        v = workers[T].read()["versions"]
        versions = versions or v
        versions[f"numba_threads_T{T}"] = v["numba_threads"]
        for tool, path, env in builds:
            swifts[(T, tool)] = Proc([path, "bench", "--serve", "--threads", str(T)], T, env)
    results = {"workloads": {}, "swiftjit_builds": [t for t, _, _ in builds], "threads": threads, "rounds": args.rounds, "target_ms": args.target_ms}
    t_start = time.time()
    for wid in wids:
        log(f"[{time.time() - t_start:6.0f}s] {wid}")
        entry = {T: {} for T in threads}
        ref = np.load(os.path.join(args.data, wid, "ref.npy"))
        runnable = []  # (T, tool, proc, name-in-proc)
        for T in threads:
            st = workers[T].ask(f"load {wid}")
            if not st.get("ok"):
                raise RuntimeError(st)
            for tool, s in st["tools"].items():
                entry[T][tool] = s
                if s["status"] == "ok":
                    runnable.append((T, tool))
            # SwiftJIT: first call in a fresh process, then load + check in the serving process
            for tool, exe, env in builds:
                sp = swifts[(T, tool)]
                sw = sp.ask(f"load {wid} {args.data}")
                if not sw.get("ok"):
                    entry[T][tool] = {"status": "error", "detail": sw.get("error")}
                    continue
                if not sw.get("supported"):
                    entry[T][tool] = {"status": "n/a", "detail": "not yet supported"}
                    continue
                path = os.path.join(args.data, wid, f"out-{tool}-{T}.npy")
                sp.ask(f"write {wid} {path}")
                bad = check(wid, np.load(path), ref)
                os.remove(path)
                fc = subprocess.run([exe, "bench", "--json", "--first-call", "--workload", wid,
                                     "--data", args.data, "--threads", str(T)], capture_output=True, text=True,
                                    env=dict(thread_env(T), **env), preexec_fn=pin(T))
                first = json.loads(fc.stdout)["first_call_ms"] if fc.returncode == 0 else None
                if bad:
                    entry[T][tool] = {"status": "wrong", "detail": bad, "first_call_ms": first}
                else:
                    entry[T][tool] = {"status": "ok", "first_call_ms": first,
                                      "first_call_ms_in_process": sw.get("first_call_ms_in_process")}
                    runnable.append((T, tool))
        del ref

        def run(T, tool, k):
            if tool.startswith("swiftjit"):
                r = swifts[(T, tool)].ask(f"run {wid} {k}")
            else:
                r = workers[T].ask(f"run {wid} {tool} {k}")
            if not r.get("ok"):
                raise RuntimeError(f"{wid} {tool} T={T}: {r}")
            return r["times_ms"]

        # calibrate the batch size per (T, tool): about target_ms of work per round
        batch = {}
        for T, tool in runnable:
            t = min(run(T, tool, 1))
            batch[(T, tool)] = max(1, min(args.max_batch, int(args.target_ms / max(t, 1e-3))))
            entry[T][tool]["times_ms"] = []
        for r in range(args.rounds):  # round-robin: every tool and thread count once per round
            order = runnable[r % len(runnable):] + runnable[:r % len(runnable)] if runnable else []
            for T, tool in order:
                entry[T][tool]["times_ms"] += run(T, tool, batch[(T, tool)])
        for T in threads:
            workers[T].ask(f"unload {wid}")
            for tool, _, _ in builds:
                swifts[(T, tool)].ask(f"unload {wid}")
        results["workloads"][wid] = {str(T): entry[T] for T in threads}
        with open(args.out, "w") as fh:  # partial results survive an interruption
            json.dump(dict(results, versions=versions), fh, indent=1)
    for T in threads:  # the threading layer is known once a parallel function has run
        v = workers[T].ask("versions")["versions"]
        if v.get("numba_threading_layer"):
            versions["numba_threading_layer"] = v["numba_threading_layer"]
    for T in threads:
        workers[T].ask("quit")
    for sp in swifts.values():
        sp.ask("quit")
    results["versions"] = versions
    results["elapsed_s"] = time.time() - t_start
    with open(args.out, "w") as fh:
        json.dump(results, fh, indent=1)
    log(f"timed in {results['elapsed_s']:.0f}s; results in {args.out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--data", required=True)
    p.add_argument("--force", action="store_true")
    p.add_argument("--workloads", help="write only these (comma-separated); the others are still drawn")
    p = sub.add_parser("worker")
    p.add_argument("--data", required=True)
    p.add_argument("--threads", type=int, required=True)
    p = sub.add_parser("drive")
    p.add_argument("--data", required=True)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--swiftjit", required=True, action="append",
                   help="PATH, or LLVM=PATH once per build to time several (e.g. 14=... 19=...)")
    p.add_argument("--out", required=True)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--target-ms", type=float, default=60.0, help="work per tool per round")
    p.add_argument("--max-batch", type=int, default=50)
    p.add_argument("--workloads", help="comma-separated subset (default: all)")
    args = ap.parse_args()
    {"prepare": prepare, "worker": worker, "drive": drive}[args.cmd](args)


if __name__ == "__main__":
    main()
