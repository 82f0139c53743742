#!/usr/bin/env python3
"""Allocating calls against out= calls: SwiftJIT and its peers, same run, one thread (issue 16).

  scripts/.venv/bin/python scripts/bench_alloc.py --swiftjit .build/release/swiftjit
      [--data .build-bench/bench-data] [--workloads W1,W2horner,W5,W7,W12triad-16M]
      [--rounds 5] [--target-ms 60] [--json results.json]

In: the inputs that scripts/bench_peers.py writes (`prepare`, run here when they are missing) and a
release `swiftjit`. Out: a Markdown table of medians in ms on standard output (for
docs/benchmarks.md), and the raw times as JSON with --json.

SwiftJIT's two columns come from one `swiftjit bench --serve --threads 1` process: 'run' times
`f.call(args, out: y)`, 'run-alloc' times `f.call(args)` with each result released before the next
call (served by the buffer cache). The peers run in this process, pinned to the same CPU with one
thread: numexpr.evaluate and a Numba @vectorize ufunc, each with and without out=, and NumPy (which
allocates its result and temporaries). Every tool is timed round-robin, once per round, in batches of
about --target-ms.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_peers as bp  # noqa: E402  (inputs, checks and the swiftjit serve protocol)

TOOLS = ["swiftjit out=", "swiftjit alloc", "numexpr out=", "numexpr alloc", "numba-vec out=", "numba-vec alloc",
         "numpy"]


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
        "numpy": bp.numpy_impl(wid, inp),
    }


def timed(f, k):
    times = []
    for _ in range(k):
        t0 = time.perf_counter_ns()
        f()
        times.append((time.perf_counter_ns() - t0) / 1e6)
    return times


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--swiftjit", required=True)
    p.add_argument("--data", default=".build-bench/bench-data")
    p.add_argument("--workloads", default="W1,W2horner,W5,W7,W12triad-16M")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--target-ms", type=float, default=60)
    p.add_argument("--max-batch", type=int, default=2000)
    p.add_argument("--json")
    args = p.parse_args()
    wids = args.workloads.split(",")
    unknown = [w for w in wids if w not in bp.ELEMENTWISE]
    if unknown:
        sys.exit(f"bench_alloc.py: not an elementwise workload: {', '.join(unknown)}")
    os.environ.update(bp.thread_env(1))
    bp.pin(1)()
    if not all(os.path.exists(os.path.join(args.data, w, "ref.npy")) for w in wids):
        bp.prepare(argparse.Namespace(data=args.data, force=False))
    import numba
    import numexpr
    numexpr.set_num_threads(1)
    numba.set_num_threads(1)
    swift = bp.Proc([args.swiftjit, "bench", "--serve", "--threads", "1"], 1)
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
        reply = swift.ask(f"load {wid} {args.data}")
        if not reply.get("ok") or not reply.get("supported"):
            raise SystemExit(f"{wid} swiftjit: {reply}")
        path = os.path.join(tempfile.gettempdir(), f"bench-alloc-{os.getpid()}-{wid}.npy")
        swift.ask(f"write {wid} {path}")
        bad = bp.check(wid, bp.np.load(path), ref)
        os.remove(path)
        if bad:
            raise SystemExit(f"{wid} swiftjit: {bad}")
        del ref

        def run(tool, k):
            if tool.startswith("swiftjit"):
                r = swift.ask(f"{'run' if tool == 'swiftjit out=' else 'run-alloc'} {wid} {k}")
                if not r.get("ok"):
                    raise SystemExit(f"{wid} {tool}: {r}")
                return r["times_ms"]
            return timed(fns[tool], k)

        batch = {t: max(1, min(args.max_batch, int(args.target_ms / max(min(run(t, 2)), 1e-3)))) for t in TOOLS}
        times = {t: [] for t in TOOLS}
        for r in range(args.rounds):
            for tool in TOOLS[r % len(TOOLS):] + TOOLS[:r % len(TOOLS)]:
                times[tool] += run(tool, batch[tool])
        swift.ask(f"unload {wid}")
        results[wid] = times
    swift.ask("quit")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=1)
    print("| workload | " + " | ".join(TOOLS) + " | SwiftJIT alloc / out= | best peer alloc / SwiftJIT alloc |")
    print("|---|" + "---:|" * (len(TOOLS) + 2))
    for wid, times in results.items():
        med = {t: statistics.median(v) for t, v in times.items()}
        best_alloc = min(med["numexpr alloc"], med["numba-vec alloc"], med["numpy"])
        cells = [f"{med[t]:.3f}" for t in TOOLS]
        print(f"| {wid} | " + " | ".join(cells)
              + f" | {med['swiftjit alloc'] / med['swiftjit out=']:.2f} | {best_alloc / med['swiftjit alloc']:.2f} |")


if __name__ == "__main__":
    main()
