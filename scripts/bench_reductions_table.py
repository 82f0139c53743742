#!/usr/bin/env python3
"""Markdown table of scripts/bench-reductions' results: SwiftJIT before/after issue 15 on LLVM 14 and
19 (tools swiftjit-llvmN-before and swiftjit-llvmN of bench_peers.py drive) beside the best peer."""
import json, statistics, sys
peers = ["numpy", "numexpr", "numba", "numba-par", "jax"]
def med(s): return statistics.median(s["times_ms"]) if s.get("times_ms") else None
def f(x): return "" if x is None else (f"{x:.1f}" if x >= 10 else f"{x:.2f}")


def main():
    r = json.load(open(sys.argv[1]))
    print("| workload | threads | LLVM 14 before | LLVM 19 before | LLVM 14 after | LLVM 19 after | after: 14 / 19 | best peer | best peer / LLVM 14 after | best peer / LLVM 19 after | NumPy |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    for wid, e in r["workloads"].items():
        for T, tt in e.items():
            g = lambda t: med(tt.get(t, {})) if tt.get(t, {}).get("status") == "ok" else None
            b14, b19, a14, a19 = g("swiftjit-llvm14-before"), g("swiftjit-llvm19-before"), g("swiftjit-llvm14"), g("swiftjit-llvm19")
            ps = [(g(p), p) for p in peers if g(p)]
            bp = min(ps) if ps else (None, "")
            npy = f(g("numpy"))
            print(f"| {wid} | {T} | {f(b14)} | {f(b19)} | {f(a14)} | {f(a19)} | {a14/a19:.2f} | {bp[1]} {f(bp[0])} | {bp[0]/a14:.2f} | {bp[0]/a19:.2f} | {npy} |" if a14 and a19 and bp[0] else f"| {wid} | {T} | {f(b14)} | {f(b19)} | {f(a14)} | {f(a19)} | | | | | {npy} |")


if __name__ == "__main__":
    main()
