#!/usr/bin/env python3
"""Allocating calls against out= calls: SwiftJIT and its peers, same run, one thread (issue 16).

  scripts/.venv/bin/python scripts/bench_alloc.py --swiftjit 19=.build-llvm19/release/swiftjit
      [--swiftjit 14=.build-llvm14/release/swiftjit] [--data .build-bench/bench-data]
      [--workloads W1,W2horner,W5,W7,W12triad-16M] [--rounds 5] [--target-ms 60] [--json results.json]
      [--docs docs/benchmarks.md]

In: the inputs that scripts/bench_peers.py writes (`prepare`, run here when they are missing) and
release `swiftjit` builds, each named by its LLVM version. Out: a Markdown section on standard
output (with --docs, it replaces the block between <!-- bench-alloc --> markers in that file, which
scripts/bench_report.py keeps), and the raw times as JSON with --json. The section also holds each
build's `swiftjit bench --threads 1` table (out=, allocating, allocating with the buffer cache off,
out= without streaming stores, all interleaved in one process).

SwiftJIT's two columns per build come from one `swiftjit bench --serve --threads 1` process: 'run' times
`f.call(args, out: y)`, 'run-alloc' times `f.call(args)` with each result released before the next
call (served by the buffer cache). The peers run in this process, pinned to the same CPU with one
thread: numexpr.evaluate and a Numba @vectorize ufunc, each with and without out=, a Numba @njit loop into out=, JAX's
jitted function (returns a new buffer) and NumPy (which allocates its result and temporaries). Every tool is timed round-robin, once per round, in batches of
about --target-ms.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_peers as bp  # noqa: E402  (inputs, checks and the swiftjit serve protocol)

PEERS = ["numexpr out=", "numexpr alloc", "numba-vec out=", "numba-vec alloc", "numba-njit out=", "jax", "numpy"]


def peers(wid, inp):
    """Callables per peer column for an elementwise workload."""
    import numba
    import numexpr as ne
    expr, arrays, scalars = bp.ELEMENTWISE[wid]
    text = expr.replace("m.", "")
    env = dict(scalars, **{k: inp[k] for k in arrays})
    out = bp.np.empty_like(inp[arrays[0]])
    args = arrays + list(scalars)
    ns = {"m": bp.np}
    exec(f"def g({', '.join(args)}):\n    return {expr}\n", ns)
    vf = numba.vectorize(["float64(" + ", ".join(["float64"] * len(args)) + ")"])(ns["g"])
    full = [inp[k] for k in arrays] + [scalars[k] for k in scalars]
    return {
        "numexpr out=": lambda: ne.evaluate(text, local_dict=env, out=out),
        "numexpr alloc": lambda: ne.evaluate(text, local_dict=env),
        "numba-vec out=": lambda: vf(*full, out=out),
        "numba-vec alloc": lambda: vf(*full),
        "numba-njit out=": bp.numba_elementwise(wid, inp, "njit"),
        "jax": bp.jax_impl(wid, inp),
        "numpy": bp.numpy_impl(wid, inp),
    }


def timed(f, k):
    times = []
    for _ in range(k):
        t0 = time.perf_counter_ns()
        f()
        times.append((time.perf_counter_ns() - t0) / 1e6)
    return times


def markdown(results, labels, wids, args, tables):
    import datetime
    tools = tool_names(labels)
    L = ["<!-- bench-alloc -->", "## Allocating calls against `out=`, one thread\n"]
    load = open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else ["?"] * 3
    L.append(f"Measured {datetime.datetime.now():%Y-%m-%d %H:%M} by `scripts/bench_alloc.py --rounds {args.rounds}` "
             f"(medians in ms, all tools interleaved in one run, one thread, pinned to one CPU; load average "
             f"{' '.join(load)} on 2 cores, so compare within a row, not with the tables above). "
             "**alloc** is the call that returns a new array: SwiftJIT's `f.call(args)` in steady state (each result "
             "released before the next call, so the buffer cache serves it: `BufferCache`, "
             "SWIFTJIT_BUFFER_CACHE), numexpr's `evaluate` and a Numba `@vectorize` ufunc without `out=`; "
             "**out=** writes into a preallocated array; numba-njit is an `@njit` loop into `out=`; JAX's jitted "
             "function returns a new buffer (XLA on one thread). NumPy allocates its temporaries and result (W12: "
             "`np.add(x, 2.5*y, out=)`). SwiftJIT writes outputs of 64 MiB and more (W5, W12 16M) with "
             "non-temporal stores in the expression's loop, and from 1 MiB when the call reads and writes at least "
             "5/8 of the last-level cache (W7, W12 triad 1M; `StreamingStores`, SWIFTJIT_STREAMING_STORES=auto). "
             "'no NT ms' below turns them off.\n")
    L.append("| workload | " + " | ".join(tools) + " | " + " | ".join(f"LLVM {l}: alloc / out=" for l in labels)
             + "".join(f" | best peer / SwiftJIT alloc (LLVM {l})" for l in labels) + " |")
    L.append("|---|" + "---:|" * (len(tools) + 2 * len(labels)))
    for wid in wids:
        med = {t: statistics.median(v) for t, v in results[wid].items()}
        best = min(med[t] for t in PEERS)
        ratios = [f"{med[f'swiftjit {l} alloc'] / med[f'swiftjit {l} out=']:.2f}" for l in labels]
        L.append(f"| {wid} | " + " | ".join(f"{med[t]:.3f}" for t in tools) + " | " + " | ".join(ratios)
                 + "".join(f" | {best / med[f'swiftjit {l} alloc']:.2f}" for l in labels) + " |")
    for label, table in tables.items():
        L.append(f"\n`swiftjit bench --threads 1 --repeat {args.bench_repeat}`, LLVM {label}, in the same session: "
                 "'alloc ms' the allocating call served by the buffer cache, 'no cache ms' the same with "
                 "`BufferCache.limit = 0` (what every allocating call cost before the cache), 'no NT ms' `out=` without "
                 "streaming stores; copy rows are memcpy.\n")
        L.append("```\n" + table.strip() + "\n```")
    L.append("<!-- /bench-alloc -->")
    return "\n".join(L) + "\n"


def tool_names(labels):
    return [f"swiftjit {l} {k}" for l in labels for k in ("out=", "alloc")] + PEERS


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--swiftjit", action="append", required=True, help="LABEL=PATH, e.g. 19=.build-llvm19/release/swiftjit")
    p.add_argument("--data", default=".build-bench/bench-data")
    p.add_argument("--workloads", default="W1,W2horner,W5,W7,W12triad-16M")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--target-ms", type=float, default=60)
    p.add_argument("--max-batch", type=int, default=2000)
    p.add_argument("--bench-repeat", type=int, default=20)
    p.add_argument("--json")
    p.add_argument("--docs")
    args = p.parse_args()
    builds = dict(b.split("=", 1) if "=" in b else (str(i), b) for i, b in enumerate(args.swiftjit))
    labels = list(builds)
    wids = args.workloads.split(",")
    unknown = [w for w in wids if w not in bp.ELEMENTWISE]
    if unknown:
        sys.exit(f"bench_alloc.py: not an elementwise workload: {', '.join(unknown)}")
    os.environ.update(bp.thread_env(1))
    bp.pin(1)()
    if not all(os.path.exists(os.path.join(args.data, w, "ref.npy")) for w in wids):
        bp.prepare(argparse.Namespace(data=args.data, force=False, workloads=None))
    import numba
    import numexpr
    numexpr.set_num_threads(1)
    numba.set_num_threads(1)
    # A label that is an LLVM major version (14, 19) runs its build with SWIFTJIT_LLVM set to it.
    llvm_env = {l: {"SWIFTJIT_LLVM": l.split("-")[0]} if l.split("-")[0].isdigit() else {} for l in builds}
    swifts = {l: bp.Proc([path, "bench", "--serve", "--threads", "1"], 1, llvm_env[l]) for l, path in builds.items()}
    tools = tool_names(labels)
    results = {}
    for wid in wids:
        bp.log(f"{wid}")
        inp = bp.load_inputs(args.data, wid)
        ref = bp.np.load(os.path.join(args.data, wid, "ref.npy"))
        fns = peers(wid, inp)
        for tool, f in fns.items():
            bad = bp.check(wid, bp.np.asarray(f()), ref)
            if bad:
                raise SystemExit(f"{wid} {tool}: {bad}")
        for label, swift in swifts.items():
            reply = swift.ask(f"load {wid} {args.data}")
            if not reply.get("ok") or not reply.get("supported"):
                raise SystemExit(f"{wid} swiftjit {label}: {reply}")
            path = os.path.join(tempfile.gettempdir(), f"bench-alloc-{os.getpid()}-{wid}.npy")
            swift.ask(f"write {wid} {path}")
            bad = bp.check(wid, bp.np.load(path), ref)
            os.remove(path)
            if bad:
                raise SystemExit(f"{wid} swiftjit {label}: {bad}")
        del ref

        def run(tool, k):
            if tool.startswith("swiftjit"):
                _, label, kind = tool.split(" ")
                r = swifts[label].ask(f"{'run' if kind == 'out=' else 'run-alloc'} {wid} {k}")
                if not r.get("ok"):
                    raise SystemExit(f"{wid} {tool}: {r}")
                return r["times_ms"]
            return timed(fns[tool], k)

        batch = {t: max(1, min(args.max_batch, int(args.target_ms / max(min(run(t, 2)), 1e-3)))) for t in tools}
        times = {t: [] for t in tools}
        for r in range(args.rounds):
            for tool in tools[r % len(tools):] + tools[:r % len(tools)]:
                times[tool] += run(tool, batch[tool])
        for swift in swifts.values():
            swift.ask(f"unload {wid}")
        results[wid] = times
    for swift in swifts.values():
        swift.ask("quit")
    tables = {}
    for label, path in builds.items():
        bp.log(f"swiftjit bench, {label}")
        tables[label] = subprocess.run([path, "bench", "--threads", "1", "--repeat", str(args.bench_repeat)],
                                       capture_output=True, text=True, check=True,
                                       env=dict(os.environ, **llvm_env[label])).stdout
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=1)
    section = markdown(results, labels, wids, args, tables)
    print(section)
    if args.docs:
        text = open(args.docs).read() if os.path.exists(args.docs) else ""
        begin, end = "<!-- bench-alloc -->", "<!-- /bench-alloc -->"
        if begin in text and end in text:
            text = text[:text.index(begin)] + section + text[text.index(end) + len(end) + 1:]
        else:
            text = text.rstrip("\n") + "\n\n" + section
        with open(args.docs, "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
