#!/usr/bin/env python3
"""Turns the results of `bench_peers.py drive` into docs/benchmarks.md and docs/benchmarks.png."""
import argparse
import json
import os
import statistics

from bench_peers import TOOLS, WORKLOADS

PEERS = [t for t in TOOLS if t != "swiftjit"]
FIRST_CALL_PEERS = ["numba", "numba-par", "numba-vec", "jax"]


def builds(res):
    """The SwiftJIT columns: 'swiftjit', or 'swiftjit-llvm14', 'swiftjit-llvm19', ... (one per LLVM)."""
    return res.get("swiftjit_builds", ["swiftjit"])


def label(tool):
    return f"SwiftJIT LLVM {tool[len('swiftjit-llvm'):]}" if tool.startswith("swiftjit-llvm") else (
        "SwiftJIT" if tool == "swiftjit" else tool)


def med(s):
    return statistics.median(s["times_ms"]) if s.get("times_ms") else None


def fmt_ms(x):
    if x is None:
        return ""
    if x >= 100:
        return f"{x:.0f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.4f}" if x < 0.01 else f"{x:.3f}"


def cell(s, value):
    st = s.get("status") if s else "n/a"
    if st == "ok":
        return value
    if st == "n/a":
        return "n/a" if not s or not s.get("detail") else f"n/a ({s['detail']})"
    return f"**{st}**"


def copy_bandwidth(res, T):
    """Best achieved GB/s of any tool on the 16M copy at T threads, in this run."""
    e = res["workloads"].get("W12copy-16M", {}).get(str(T), {})
    best = None
    for s in e.values():
        if s.get("status") == "ok" and s.get("times_ms"):
            gbps = WORKLOADS["W12copy-16M"][1] / (min(s["times_ms"]) * 1e-3) / 1e9
            best = gbps if best is None or gbps > best else best
    return best


def write_md(res, meta, path, png_name):
    threads = res["threads"]
    SW = builds(res)
    tools = SW + PEERS
    base = SW[0]
    FIRST_CALL_TOOLS = SW + FIRST_CALL_PEERS
    llvms = ", ".join(label(t)[len("SwiftJIT "):] for t in SW) if SW != ["swiftjit"] else f"LLVM {meta['llvm']}"
    L = []
    L.append("# Benchmarks: SwiftJIT against NumPy, numexpr, Numba and JAX\n")
    L.append(f"Measured {meta['date']} on **{meta['cpu']}** ({meta['cores']} cores), {meta['os']}.  ")
    L.append(f"Command: `{meta['command']}` (total wall time {meta.get('wall', '?')}).\n")
    v = res["versions"]
    L.append("Versions: " + ", ".join([
        f"SwiftJIT {meta['swiftjit_commit']} ({meta['swift']}, {llvms}, math mode relaxed)",
        f"Python {v['python']}", f"NumPy {v['numpy']}", f"numexpr {v['numexpr']}",
        f"Numba {v['numba']} (llvmlite {v['llvmlite']}, threading layer {v.get('numba_threading_layer')})",
        f"JAX {v['jax']} (jaxlib {v['jaxlib']}, x64 enabled)"]) + ".\n")
    L.append(f"![speed relative to NumPy]({png_name})\n")
    L.append("## How this is measured\n")
    L.append(f"""- Every reference workload (WORKLOADS.md: W1-W14, and W15 `2*a + 3*b` at n=10 for call overhead) at its stated formula and size; inputs come from one fixed-seed
  generator (`numpy.random.default_rng({20240601})`), are written once as .npy files and read by every tool, so all tools
  compute on identical data.
- Before anything is timed, each tool's result is compared with the NumPy float64 reference (relative tolerance
  1e-10, 1e-8 for long reductions; W8's integer escape counts may differ at ≤0.1% of points, where FMA contraction
  flips chaotic boundary points). A tool that disagrees is shown as **wrong** and not timed; **error** means it failed to run.
- Each thread count runs in its own processes: one Python worker (OMP/MKL/OPENBLAS/NUMEXPR/NUMBA_NUM_THREADS and
  `XLA_FLAGS=--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1` — `=true ...=N` above one thread — set before
  import, then `numexpr.set_num_threads(N)` and `numba.set_num_threads(N)`) and one `swiftjit bench --serve`, both
  pinned to N CPUs with `sched_setaffinity`.
- After a first call (checked) and a warm-up call, each tool gets a batch size of about {res['target_ms']:.0f} ms of work, then
  {res['rounds']} rounds go round-robin over all (thread count, tool) pairs, rotating the starting tool each round, so drift
  hits every tool alike. Every call is timed on its own; tables give the median and minimum over all calls.
- Peers are called from Python, so their times include the Python call overhead (it dominates W9 and W10 n=10);
  SwiftJIT is timed inside its own process around `CompiledExpression.call(_:out:)`.
- Outputs: SwiftJIT, numexpr, Numba and `@vectorize` write into a preallocated output; NumPy evaluates the expression as
  written (temporaries and a fresh result, except W12, which uses `np.copyto`/`np.add(..., out=)`); JAX returns a new
  buffer (its programming model).
- **First call** is compile plus the first call on that data. SwiftJIT's is measured in a fresh `swiftjit` process
  (nothing cached; it includes LLVM start-up); Numba's and JAX's in the long-lived worker (their import is not
  counted, but the first Numba compile of the process also pays Numba's own start-up, which lands on W1).
- SwiftJIT uses its thread pool at `--threads N` (`JIT.numThreads`): elementwise expressions and reductions
  above 16,384 elements, and `parallel for` loops in kernels. Expression workloads go through
  `CompiledExpression.call(_:out:)`; kernel workloads (W4, W8, W11, W13, W14) through the kernels in `Examples/`
  (W14 as `loglik_half`, with the exponent 0.5 written in, as the Numba peer has it); W9, W10 and W15, whose whole
  run is microseconds, through the typed entry points (`Kernel.typed`, `CompiledExpression.typed`; docs/calling.md).
- GB/s counts bytes read plus bytes written once (no write-allocate traffic), at the minimum time; the copy
  bandwidth is the best any tool achieved on the 2^24 copy (W12) at that thread count in this same run.
- Other work on the machine during the run (it is a shared 2-core VM) shows up as noise; compare within a run.
  Parallel regions that need both cores at once suffer most: when another process holds a core, Numba's
  `parallel=True` at 2 threads waits a scheduler time slice per region (see W9, W10, W12 1M), so
  those numbers measure the machine's load as much as Numba.
- NumPy's W2 (`x**3` ... `x**8` on normal, partly negative, data) goes through `pow` per element, which is why it is
  hundreds of times slower than the Horner form.
""")
    L += headline_section(res)
    if len(SW) > 1:
        L += llvm_section(res)
    # summary tables
    for T in threads:
        L.append(f"## Summary at {T} thread{'s' if T > 1 else ''}: median ms (ratio peer / {label(base)} in parentheses; >1 means SwiftJIT is faster)\n")
        L.append("| workload | " + " | ".join(label(t) for t in tools) + " |")
        L.append("|---|" + "---:|" * len(tools))
        for wid, e in res["workloads"].items():
            tt = e[str(T)]
            sw = med(tt.get(base, {}))
            row = [f"{wid}"]
            for tool in tools:
                s = tt.get(tool, {})
                m = med(s)
                txt = fmt_ms(m)
                if tool != base and m is not None and sw:
                    txt += f" ({m / sw:.2f}x)"
                row.append(cell(s, txt) if s.get("status") != "n/a" or tool not in SW else "n/a (not yet supported)")
            L.append("| " + " | ".join(row) + " |")
        L.append("")
    if len(threads) > 1 and 1 in threads:
        L += speedup_section(res, threads, tools)
    if res.get("percall"):
        L += percall_section(res["percall"])
    # detail
    L.append(f"## Per workload: median / min ms, ratio to {label(base)} (median), first call ms, GB/s (% of copy)\n")
    L.append("| workload | threads | tool | median ms | min ms | peer / SwiftJIT | first call ms | GB/s | % of copy | runs |")
    L.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for wid, e in res["workloads"].items():
        desc, nbytes = WORKLOADS[wid]
        for T in threads:
            tt = e[str(T)]
            bw = copy_bandwidth(res, T)
            sw = med(tt.get(base, {}))
            for tool in tools:
                s = tt.get(tool, {})
                st = s.get("status", "n/a")
                name = f"{wid} {desc}"
                if st != "ok":
                    detail = s.get("detail", "")
                    what = "n/a (not yet supported)" if tool in SW and st == "n/a" else (
                        "n/a" if st == "n/a" else f"**{st}**: {detail}")
                    L.append(f"| {name} | {T} | {label(tool)} | {what} | | | | | | |")
                    continue
                m, mn = med(s), min(s["times_ms"])
                ratio = f"{m / sw:.2f}" if sw and tool != base else ""
                first = fmt_ms(s.get("first_call_ms")) if tool in FIRST_CALL_TOOLS else ""
                gb = pct = ""
                if nbytes:
                    g = nbytes / (mn * 1e-3) / 1e9
                    gb = f"{g:.1f}"
                    pct = f"{100 * g / bw:.0f}%" if bw else ""
                L.append(f"| {name} | {T} | {label(tool)} | {fmt_ms(m)} | {fmt_ms(mn)} | {ratio} | {first} | {gb} | {pct} | {len(s['times_ms'])} |")
    L.append("")
    L.append("## Timing on the Swift side\n")
    L.append("SwiftJIT is timed by a small loop in `swiftjit bench --serve` (Sources/swiftjit/BenchCommand.swift) that reports "
             "every call's time to the Python driver, which computes medians and minima for all tools alike. "
             "ordo-one/benchmark (which the machine carries) has its own process model and statistics; one loop "
             "and one set of statistics for every tool keeps the comparison interleaved and like for like.")
    L.append("")
    L.append("## What is missing\n")
    L.append("- W3 is measured as the broadcast expression (the loop form is in Examples/gaussians.sj); W14 as "
             "`loglik_half` (exponent 0.5 written in, as in the Numba peer).")
    L.append("- Peers not written: numexpr for W8–W11 and W13 (no loops), `@vectorize` for reductions and kernels that are not "
             "elementwise, Numba `parallel` for W11 (a sequential chain), JAX for W13 (data-dependent output). Shown as n/a.")
    L.append("")
    # The compile-time (scripts/bench-compile), first-call (scripts/bench-firstcall),
    # allocating-call (scripts/bench_alloc.py), allocation-sweep (scripts/bench-alloc-sweep) and
    # reduction (scripts/bench-reductions) sections are measured separately: keep them.
    L.append(firstcall_section(path, COMPILE_BEGIN, COMPILE_END))
    L.append(firstcall_section(path))
    L.append(firstcall_section(path, ALLOC_BEGIN, ALLOC_END))
    L.append(firstcall_section(path, SWEEP_BEGIN, SWEEP_END))
    L.append(firstcall_section(path, REDUCTIONS_BEGIN, REDUCTIONS_END))
    with open(path, "w") as fh:
        fh.write("\n".join(L))


def headline_section(res):
    """Median of the best peer / median of each SwiftJIT build, per workload and thread count."""
    L = ["## Headline: median of the best peer / median of SwiftJIT (>1: SwiftJIT is faster)\n",
         "Each row names the LLVM that SwiftJIT was built against; the call style is `f.call(args, out:)` for "
         "elementwise expressions and a plain call for kernels and reductions.\n"]
    wids = list(res["workloads"])
    L.append("| build | threads | " + " | ".join(wids) + " |")
    L.append("|---|---:|" + "---:|" * len(wids))
    for tool in builds(res):
        for T in res["threads"]:
            row = [label(tool), str(T)]
            for wid in wids:
                tt = res["workloads"][wid][str(T)]
                sw = med(tt.get(tool, {})) if tt.get(tool, {}).get("status") == "ok" else None
                peers = [med(tt[p]) for p in PEERS if tt.get(p, {}).get("status") == "ok" and med(tt[p])]
                row.append(f"{min(peers) / sw:.2f}" if sw and peers else "")
            L.append("| " + " | ".join(row) + " |")
    L.append("")
    return L


def llvm_section(res):
    """Median of each build / median of the last build (the newest LLVM), per workload and thread count."""
    SW = builds(res)
    ref = SW[-1]
    L = [f"## LLVM versions: median of each build / median of {label(ref)} (same run; 1.00 = same speed)\n"]
    L.append("| workload | threads | " + " | ".join(f"{label(t)} ms" for t in SW) + " | " +
             " | ".join(f"{label(t)[len('SwiftJIT '):]} / {label(ref)[len('SwiftJIT '):]}" for t in SW[:-1]) + " |")
    L.append("|---|---:|" + "---:|" * (2 * len(SW) - 1))
    for wid, e in res["workloads"].items():
        for T in res["threads"]:
            tt = e[str(T)]
            ms = [med(tt[t]) if tt.get(t, {}).get("status") == "ok" else None for t in SW]
            ratios = [f"{m / ms[-1]:.2f}" if m and ms[-1] else "" for m in ms[:-1]]
            L.append(f"| {wid} | {T} | " + " | ".join(fmt_ms(m) for m in ms) + " | " + " | ".join(ratios) + " |")
    L.append("")
    return L


def speedup_section(res, threads, tools):
    """Median at 1 thread / median at each higher count, per workload and tool."""
    L = []
    for T in [t for t in threads if t > 1]:
        L.append(f"## Speed-up from 1 to {T} threads: median at 1 thread / median at {T} (same run)\n")
        L.append("| workload | " + " | ".join(label(t) for t in tools) + " |")
        L.append("|---|" + "---:|" * len(tools))
        for wid, e in res["workloads"].items():
            row = [wid]
            for tool in tools:
                a, b = med(e["1"].get(tool, {})), med(e[str(T)].get(tool, {}))
                row.append(f"{a / b:.2f}x" if a and b else "")
            L.append("| " + " | ".join(row) + " |")
        L.append("")
    return L


def percall_section(pc):
    """Per-call overhead table from bench_percall.py's JSON."""
    cols = [("swiftjit-positional", "SwiftJIT `f.call(x, out: o)`"), ("swiftjit-named", "SwiftJIT `f.call([\"x\": x], out: o)`"),
            ("swiftjit-allocating", "SwiftJIT `f.call(x)`"), ("swiftjit-evaluate", "SwiftJIT `JIT.evaluate(..., out:)`"),
            ("swiftjit-typed", "SwiftJIT typed `g(x, out: o)`"), ("numexpr", "numexpr `evaluate(..., out=)`"), ("numba", "Numba `@njit` loop"), ("numpy", "NumPy ufuncs, `out=`"),
            ("jax", "JAX `jit`")]
    L = [f"## Per-call overhead: `{pc['expression']}` on n float64 elements, median µs per call\n",
         "Measured by `scripts/bench_percall.py` (run by `scripts/bench`): a cached expression called in a loop into a "
         "preallocated output (JAX returns a new buffer); peers timed from Python, as their users call them, SwiftJIT "
         "inside Swift; processes pinned to the thread count, tools alternating over rounds. Ratio = peer / SwiftJIT "
         "positional call (>1: SwiftJIT has less overhead).\n"]
    for T, sizes in pc["threads"].items():
        L.append(f"**{T} thread{'s' if T != '1' else ''}**\n")
        L.append("| n | " + " | ".join(c[1] for c in cols) + " |")
        L.append("|---:|" + "---:|" * len(cols))
        for n, tools in sizes.items():
            base = tools.get("swiftjit-positional")
            row = [f"{int(n):,}"]
            for key, _ in cols:
                v = tools.get(key)
                if v is None:
                    row.append("")
                    continue
                txt = f"{v * 1e6:.2f}"
                if not key.startswith("swiftjit") and base:
                    txt += f" ({v / base:.2f}x)"
                row.append(txt)
            L.append("| " + " | ".join(row) + " |")
        L.append("")
    return L


FIRSTCALL_BEGIN, FIRSTCALL_END = "<!-- bench-firstcall -->", "<!-- /bench-firstcall -->"
ALLOC_BEGIN, ALLOC_END = "<!-- bench-alloc -->", "<!-- /bench-alloc -->"
COMPILE_BEGIN, COMPILE_END = "<!-- bench-compile -->", "<!-- /bench-compile -->"
SWEEP_BEGIN, SWEEP_END = "<!-- bench-alloc-sweep -->", "<!-- /bench-alloc-sweep -->"
# Reductions before and after issue 15 on LLVM 14 and 19 (scripts/bench-reductions).
REDUCTIONS_BEGIN, REDUCTIONS_END = "<!-- bench-reductions -->", "<!-- /bench-reductions -->"


def firstcall_section(path, begin=FIRSTCALL_BEGIN, end=FIRSTCALL_END):
    """The block between `begin` and `end` (scripts/bench-firstcall's by default) in `path`, or ''."""
    try:
        text = open(path).read()
    except OSError:
        return ""
    if begin not in text or end not in text:
        return ""
    return text[text.index(begin):text.index(end) + len(end)] + "\n"


def write_png(res, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    threads = res["threads"]
    wids = list(res["workloads"])
    tools = builds(res) + PEERS
    colors = {"swiftjit": "#d62728", "swiftjit-llvm14": "#ff7f0e", "swiftjit-llvm19": "#d62728", "numpy": "#7f7f7f", "numexpr": "#1f77b4", "numba": "#2ca02c",
              "numba-par": "#98df8a", "numba-vec": "#bcbd22", "jax": "#9467bd"}
    fig, axes = plt.subplots(len(threads), 1, figsize=(18, 5.2 * len(threads)), squeeze=False)
    width = 0.8 / len(tools)
    for ax, T in zip(axes[:, 0], threads):
        x = np.arange(len(wids))
        for k, tool in enumerate(tools):
            vals = []
            for wid in wids:
                tt = res["workloads"][wid][str(T)]
                base, m = med(tt.get("numpy", {})), med(tt.get(tool, {}))
                vals.append(base / m if base and m and tt[tool].get("status") == "ok" else np.nan)
            pos = x - 0.4 + (k + 0.5) * width
            ax.bar(pos, vals, width, label=label(tool), color=colors.get(tool, "#8c564b"))
            if tool.startswith("swiftjit"):  # say why the bar is missing
                for p, v in zip(pos, vals):
                    if np.isnan(v):
                        ax.text(p, 1.0, "SwiftJIT n/a", rotation=90, ha="center", va="bottom",
                                fontsize=7, color=colors.get(tool, "#8c564b"))
        ax.set_yscale("log")
        ax.axhline(1.0, color="black", lw=0.8)
        ax.set_xticks(x)
        ax.set_xticklabels(wids, rotation=35, ha="right")
        ax.set_ylabel("speed relative to NumPy (higher is faster)")
        ax.set_title(f"{T} thread{'s' if T > 1 else ''} (median times; missing bar = n/a or not supported"
                     ")")
        ax.grid(axis="y", which="both", alpha=0.3)
        ax.set_axisbelow(True)
        ax.legend(ncol=len(tools), fontsize=9, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--meta", required=True, help="JSON with date, cpu, cores, os, command, swift, llvm, swiftjit_commit")
    ap.add_argument("--md", default="docs/benchmarks.md")
    ap.add_argument("--png", default="docs/benchmarks.png")
    ap.add_argument("--percall", help="JSON from bench_percall.py (optional)")
    a = ap.parse_args()
    res = json.load(open(a.results))
    if a.percall and os.path.exists(a.percall):
        res["percall"] = json.load(open(a.percall))
    res["workloads"] = {w: res["workloads"][w] for w in WORKLOADS if w in res["workloads"]}
    meta = json.load(open(a.meta))
    write_md(res, meta, a.md, a.png.split("/")[-1])
    write_png(res, a.png)
    print(f"wrote {a.md} and {a.png}")


if __name__ == "__main__":
    main()
