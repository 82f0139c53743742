#!/usr/bin/env python3
"""SwiftJIT's typed entry points against Numba's compiled call on the workloads whose whole run is
microseconds (issue 19): W9 (a + trace(tanh(a)), 100 x 100), W10-10 (LU elimination, n=10) and
W15-10 (2*a + 3*b, n=10; numexpr too).

    bench_typed.py --swiftjit PATH [--rounds 5] [--out typed.json]

Inputs and NumPy references are written once with bench_peers.py's generator (a fresh
default_rng(20240601) per workload), so every tool computes on identical data. Each round runs, in
alternating order, `swiftjit bench --json --workload W --data DIR` (the typed entry point; its
median_ns comes from batches of calls) and one Python worker that times bench_peers.py's own peer
callables the same way: batches of about 200 us, the median per call over 41 batches. The worker
also reports the scripts/bench way (every call timed on its own, which adds the clock's cost).
Both run pinned to one CPU with one thread. Prints medians over rounds and the ratio
peer / SwiftJIT (>1: SwiftJIT is faster), then each tool's least batch over all rounds (the
machine's fast phase, for a VM whose speed comes and goes). Needs numba (scripts/requirements-bench.txt).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_peers import SEED, check, gen_inputs, pin, reference, thread_env  # noqa: E402

WORKLOADS = ["W9", "W10-10", "W15-10"]
PEERS = {"W9": ["numba"], "W10-10": ["numba"], "W15-10": ["numba", "numexpr"]}

WORKER = r'''
import json, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
import numexpr, numba
numexpr.set_num_threads(1)
numba.set_num_threads(1)
from bench_peers import check, load_inputs, make_peer
data, wids = sys.argv[2], sys.argv[3].split(",")
peers = json.loads(sys.argv[4])
res = {}
for wid in wids:
    inp = load_inputs(data, wid)
    ref = np.load(f"{data}/{wid}/ref.npy")
    for tool in peers[wid]:
        f = make_peer(tool, wid, inp)
        bad = check(wid, np.asarray(f()), ref)
        if bad:
            res[f"{wid}/{tool}"] = {"wrong": bad}
            continue
        for _ in range(200):
            f()
        t0 = time.perf_counter_ns(); f(); f(); f(); f(); f(); f(); f(); f(); f(); f()
        batch = max(1, int(200_000 / max(1.0, (time.perf_counter_ns() - t0) / 10)))
        batched = []
        for _ in range(41):
            t0 = time.perf_counter_ns()
            for _ in range(batch):
                f()
            batched.append((time.perf_counter_ns() - t0) / batch)
        single = []
        for _ in range(2000):
            t0 = time.perf_counter_ns()
            f()
            single.append(time.perf_counter_ns() - t0)
        res[f"{wid}/{tool}"] = {"median_ns": sorted(batched)[20], "min_ns": min(batched),
                                "single_call_median_ns": sorted(single)[1000], "batch": batch}
print(json.dumps(res))
'''


def run(cmd):
    out = subprocess.run(cmd, env=dict(thread_env(1), SWIFTJIT_NUM_THREADS="1"), preexec_fn=pin(1),
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"bench_typed: {' '.join(cmd[:3])} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--swiftjit", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--out")
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as data:
        for wid in WORKLOADS:
            os.makedirs(os.path.join(data, wid))
            inp = gen_inputs(wid, np.random.default_rng(SEED))
            for k, v in inp.items():
                np.save(os.path.join(data, wid, k + ".npy"), v)
            np.save(os.path.join(data, wid, "ref.npy"), reference(wid, inp))
        samples, lows = {}, {}
        for r in range(a.rounds):
            jobs = [("swiftjit", None), ("python", None)]
            if r % 2:
                jobs.reverse()
            for kind, _ in jobs:
                if kind == "python":
                    got = run([sys.executable, "-c", WORKER, here, data, ",".join(WORKLOADS), json.dumps(PEERS)])
                    for key, v in got.items():
                        if "wrong" in v:
                            sys.exit(f"bench_typed: {key} disagrees with the reference: {v['wrong']}")
                        samples.setdefault(key, []).append(v["median_ns"])
                        lows.setdefault(key, []).append(v["min_ns"])
                        samples.setdefault(key + " (each call timed)", []).append(v["single_call_median_ns"])
                    continue
                for wid in WORKLOADS:
                    out = os.path.join(data, wid, "out-swiftjit.npy")
                    got = run([a.swiftjit, "bench", "--json", "--workload", wid, "--data", data, "--repeat", "41",
                               "--out", out])
                    bad = check(wid, np.load(out), np.load(os.path.join(data, wid, "ref.npy")))
                    if bad:
                        sys.exit(f"bench_typed: SwiftJIT's {wid} disagrees with the reference: {bad}")
                    samples.setdefault(f"{wid}/swiftjit", []).append(got["median_ns"])
                    lows.setdefault(f"{wid}/swiftjit", []).append(got["min_ns"])
    medians = {k: statistics.median(v) for k, v in samples.items()}
    print(f"median ns per call over {a.rounds} rounds (1 thread, pinned; ratio peer / SwiftJIT typed, >1: SwiftJIT faster)")
    for wid in WORKLOADS:
        base = medians[f"{wid}/swiftjit"]
        cells = [f"SwiftJIT typed {base:,.0f}"]
        for tool in PEERS[wid]:
            for suffix in ("", " (each call timed)"):
                v = medians[f"{wid}/{tool}{suffix}"]
                cells.append(f"{tool}{suffix} {v:,.0f} ({v / base:.2f}x)")
        print(f"  {wid}: " + ", ".join(cells))
    # On a shared VM the batches' times are often bimodal (a slow phase about twice the fast one,
    # coming and going within a run), so a round's median can land in either phase; the least batch
    # of each tool, over all rounds, is the fast phase's figure for both.
    least = {k: min(v) for k, v in lows.items()}
    print("least batch, ns per call, over all rounds (the machine's fast phase; ratio peer / SwiftJIT typed)")
    for wid in WORKLOADS:
        base = least[f"{wid}/swiftjit"]
        cells = [f"SwiftJIT typed {base:,.0f}"] + [f"{t} {least[f'{wid}/{t}']:,.0f} ({least[f'{wid}/{t}'] / base:.2f}x)"
                                                  for t in PEERS[wid]]
        print(f"  {wid}: " + ", ".join(cells))
    if a.out:
        with open(a.out, "w") as fh:
            json.dump({"rounds": a.rounds, "median_ns": medians, "least_ns": least, "samples": samples, "lows": lows},
                      fh, indent=1)


if __name__ == "__main__":
    main()
