#!/usr/bin/env python3
"""Time to the first result in a fresh process, cold and warm cache (docs/benchmarks.md).

Driven by scripts/bench-firstcall. For W2 (Horner polynomial, 1M f64) and W8 (Mandelbrot 500 x
500, 50 iterations) it starts fresh processes of each tool and measures, per run:
  process   wall time of the whole process: start, imports, load inputs, compile or load the
            cached code, compute, check/write the result
  first     inside the process: from just before the first call (compile + run) to the result
Cold: the tool's persistent cache is emptied before every run. Warm: the cache was filled by one
earlier process. Tools: SwiftJIT (`swiftjit eval` / `swiftjit run`, SWIFTJIT_CACHE_DIR), Numba
(@njit(cache=True), NUMBA_CACHE_DIR) and JAX (jax.jit with the persistent compilation cache,
min compile time and entry size 0). All single-threaded where the tool allows (SwiftJIT
--threads 1, serial Numba); JAX runs as it does.

  drive  --swiftjit PATH --repo DIR [--runs 7] --out results.json [--docs docs/benchmarks.md]
  child  TOOL WORKLOAD DATA CACHE       (one measured process; prints a JSON line)
JAX's functions are scripts/bench_peers.py's; its first-call time includes moving the inputs
to the device.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
HORNER = "x*(1+x*(1+x*(1+x*(1+x*(1+x*(1+x*(1+x)))))))"
W8_ITERS = 50


def child(tool, wid, data, cache):
    import numpy as np
    if tool == "numba":
        os.environ["NUMBA_CACHE_DIR"] = cache
        from numba import njit

        @njit(cache=True)
        def w2(x):
            out = np.empty_like(x)
            for i in range(x.size):
                v = x[i]
                out[i] = v*(1+v*(1+v*(1+v*(1+v*(1+v*(1+v*(1+v)))))))
            return out

        @njit(cache=True)
        def w8(cr, ci):
            out = np.empty((len(ci), len(cr)), dtype=np.int64)
            for i in range(len(ci)):
                for j in range(len(cr)):
                    zr = 0.0
                    zi = 0.0
                    it = 0
                    for n in range(1, W8_ITERS + 1):
                        zr, zi = zr * zr - zi * zi + cr[j], 2 * zr * zi + ci[i]
                        if zr * zr + zi * zi >= 4:
                            break
                        it = n
                    out[i, j] = it
            return out
        call = {"W2": lambda d: w2(d["x"]), "W8": lambda d: w8(d["cr"], d["ci"])}[wid]
    else:
        import jax
        jax.config.update("jax_enable_x64", True)
        jax.config.update("jax_compilation_cache_dir", cache)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
        import bench_peers  # the same JAX functions as the throughput benchmark
        name = {"W2": "W2horner", "W8": "W8"}[wid]
        call = lambda d: np.asarray(bench_peers.jax_impl(name, d)())
    inputs = {k: np.load(os.path.join(data, f"{k}.npy")) for k in (["x"] if wid == "W2" else ["cr", "ci"])}
    t0 = time.perf_counter()
    result = call(inputs)
    first = time.perf_counter() - t0
    ref = np.load(os.path.join(data, f"{wid}-ref.npy"))
    ok = bool(np.allclose(result, ref, rtol=1e-12) if wid == "W2" else np.array_equal(result, ref))
    print(json.dumps({"first_ms": first * 1e3, "ok": ok}))


def prepare(data):
    import numpy as np
    os.makedirs(data, exist_ok=True)
    x = np.random.default_rng(20240601).normal(size=1_000_000)
    np.save(os.path.join(data, "x.npy"), x)
    np.save(os.path.join(data, "W2-ref.npy"), eval(HORNER, {"x": x}))
    c = np.linspace(-2, 2, 500)
    np.save(os.path.join(data, "cr.npy"), c)
    np.save(os.path.join(data, "ci.npy"), c)
    cr, ci = c[None, :], c[:, None]
    zr = np.zeros((500, 500)); zi = np.zeros((500, 500))
    it = np.zeros((500, 500), np.int64); active = np.ones((500, 500), bool)
    with np.errstate(all="ignore"):
        for n in range(1, W8_ITERS + 1):
            zr, zi = np.where(active, zr * zr - zi * zi + cr, zr), np.where(active, 2 * zr * zi + ci, zi)
            active &= zr * zr + zi * zi < 4
            it[active] = n
    np.save(os.path.join(data, "W8-ref.npy"), it)


def swiftjit_command(binary, repo, wid, data, out):
    if wid == "W2":
        return [binary, "eval", HORNER, "--var", f"x={data}/x.npy", "--out", out, "--threads", "1"]
    return [binary, "run", f"{repo}/Examples/mandelbrot.sj", "mandelbrot", "--arg", f"cr={data}/cr.npy",
            "--arg", f"ci={data}/ci.npy", "--arg", f"maxit={W8_ITERS}", "--out", out, "--threads", "1"]


def measure(tool, wid, data, cache, args):
    """One fresh process; returns (process ms, first-call ms)."""
    import numpy as np
    env = dict(os.environ)
    if tool == "swiftjit":
        out = os.path.join(cache, "..", f"out-{wid}.npy")
        env.update(SWIFTJIT_CACHE_DIR=cache, SWIFTJIT_CACHE_STATS="1")
        command = swiftjit_command(args["swiftjit"], args["repo"], wid, data, out)
    else:
        command = [sys.executable, os.path.abspath(__file__), "child", tool, wid, data, cache]
    t0 = time.perf_counter()
    r = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = (time.perf_counter() - t0) * 1e3
    if r.returncode != 0:
        raise SystemExit(f"{tool} {wid} failed:\n{r.stderr}")
    if tool == "swiftjit":
        stats = [l for l in r.stderr.splitlines() if "LLVM compilations" in l][-1]
        first = float(stats.split("command ")[1].split(" ms")[0])
        ready = float(stats.split("code ready in ")[1].split(" ms")[0])
        ref = np.load(os.path.join(data, f"{wid}-ref.npy"))
        res = np.load(out)
        ok = np.allclose(res, ref, rtol=1e-12) if wid == "W2" else np.array_equal(res, ref)
    else:
        line = json.loads(r.stdout.strip().splitlines()[-1])
        first, ok, ready = line["first_ms"], line["ok"], None
    if not ok:
        raise SystemExit(f"{tool} {wid}: wrong result")
    return wall, first, ready


def drive(args):
    work = tempfile.mkdtemp(prefix="firstcall-")
    data = os.path.join(work, "data")
    prepare(data)
    results = []
    for wid in ["W2", "W8"]:
        for tool in ["swiftjit", "numba", "jax"]:
            cache = os.path.join(work, f"cache-{tool}-{wid}")
            for state in ["cold", "warm"]:
                runs = []
                shutil.rmtree(cache, ignore_errors=True)
                os.makedirs(cache)
                if state == "warm":
                    measure(tool, wid, data, cache, args)  # fills the cache
                for _ in range(args["runs"]):
                    if state == "cold":
                        shutil.rmtree(cache, ignore_errors=True)
                        os.makedirs(cache)
                    runs.append(measure(tool, wid, data, cache, args))
                row = {"workload": wid, "tool": tool, "cache": state,
                       "process_ms": statistics.median(r[0] for r in runs),
                       "first_ms": statistics.median(r[1] for r in runs), "runs": len(runs),
                       "ready_ms": statistics.median(r[2] for r in runs) if tool == "swiftjit" else None}
                print(f"{wid} {tool:8} {state}: process {row['process_ms']:8.1f} ms, first call {row['first_ms']:8.1f} ms",
                      file=sys.stderr)
                results.append(row)
    shutil.rmtree(work, ignore_errors=True)
    with open(args["out"], "w") as f:
        json.dump(results, f, indent=1)
    if args.get("docs"):
        write_section(results, args["docs"], args["runs"])


def write_section(results, path, runs):
    """Puts the table into `path` between the markers bench_report.py keeps."""
    import platform
    from bench_report import FIRSTCALL_BEGIN, FIRSTCALL_END
    import numba
    import jax
    row = {(r["workload"], r["tool"], r["cache"]): r for r in results}
    L = [FIRSTCALL_BEGIN, "## Time to the first result in a fresh process, cold and warm cache", "",
         f"Measured {time.strftime('%Y-%m-%d %H:%M')} by `scripts/bench-firstcall --runs {runs}` (medians of {runs} fresh "
         f"processes per cell; {platform.processor() or platform.machine()}, busy 2-core machine); Numba {numba.__version__}, "
         f"JAX {jax.__version__}. **process**: wall time of the whole process (start, imports, reading the inputs, compiling "
         "or loading cached code, computing, writing or checking the result). **first call**: inside the process, from just "
         "before the first call to its result (SwiftJIT: the `swiftjit` command's run, including reading the .npy inputs "
         "and writing the output). **code ready** (SwiftJIT only): the engine's time on its cache misses, i.e. "
         "compiling (cold) or reading, verifying and linking the cached object (warm). Cold: the tool's persistent cache emptied before each process; warm: filled by an "
         "earlier process. SwiftJIT: `swiftjit eval` (W2) and `swiftjit run` (W8), `--threads 1`, SWIFTJIT_CACHE_DIR; "
         "Numba: `@njit(cache=True)`, serial, NUMBA_CACHE_DIR; JAX: `jax.jit` with the persistent compilation cache "
         "(minimum compile time and entry size 0).", "",
         "| workload | tool | process, cold ms | process, warm ms | first call, cold ms | first call, warm ms | "
         "code ready, cold ms | code ready, warm ms |",
         "|---|---|---|---|---|---|---|---|"]
    names = {"W2": "W2 Horner, 1M f64", "W8": "W8 Mandelbrot 500 x 500"}
    for wid in ["W2", "W8"]:
        for tool in ["swiftjit", "numba", "jax"]:
            c, w = row[(wid, tool, "cold")], row[(wid, tool, "warm")]
            ready = (f"{c['ready_ms']:.2f} | {w['ready_ms']:.2f}" if tool == "swiftjit" else " | ")
            L.append(f"| {names[wid]} | {tool} | {c['process_ms']:.0f} | {w['process_ms']:.0f} | "
                     f"{c['first_ms']:.1f} | {w['first_ms']:.1f} | {ready} |")
    L += ["", FIRSTCALL_END]
    block = "\n".join(L)
    text = open(path).read()
    if FIRSTCALL_BEGIN in text and FIRSTCALL_END in text:
        text = text[:text.index(FIRSTCALL_BEGIN)] + block + text[text.index(FIRSTCALL_END) + len(FIRSTCALL_END):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)


def main():
    if sys.argv[1] == "child":
        child(*sys.argv[2:6])
    else:
        a = sys.argv[2:]
        opts = {"runs": 7}
        while a:
            key, value = a[0].lstrip("-"), a[1]
            opts[key] = int(value) if key == "runs" else value
            a = a[2:]
        drive(opts)


if __name__ == "__main__":
    main()
