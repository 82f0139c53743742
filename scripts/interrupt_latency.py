#!/usr/bin/env python3
"""Time from Ctrl-C to the prompt in the REPL, on a pseudo-terminal (docs/repl.md, Ctrl-C).

    scripts/interrupt_latency.py PATH/TO/swiftjit [--delay 1.5] [--rounds 3] [--case NAME ...]

Each case defines what it needs, starts a computation of hours, sends ^C after --delay seconds and
measures until the REPL prints `interrupted` and its prompt; the figure is the median over --rounds. Set
SWIFTJIT_LLVM and SWIFTJIT_NUM_THREADS as for any run.
"""
import argparse
import os
import pty
import select
import statistics
import time

# name -> (setup lines, the long-running input)
CASES = {
    "serial outer loop": (["kernel spin(n: i64) -> f64 {", "var s = 0.0",
                           "for i in 0..<n { for j in 0..<1000 { s += sin((i + j) * 1.0) } }",
                           "return s", "}"], "spin(1000000000)"),
    "parallel outer loop": (["kernel pspin(n: i64) -> f64 {", "var s = 0.0",
                             "parallel for i in 0..<n { for j in 0..<1000 { s += sin((i + j) * 1.0) } }",
                             "return s", "}"], "pspin(1000000000)"),
    "nested middle loop": (["kernel mid(n: i64) -> f64 {", "var s = 0.0",
                            "for i in 0..<n { for j in 0..<n { for m in 0..<60000 { s += sin((i + j + m) * 1.0) } } }",
                            "return s", "}"], "mid(1000000000)"),
    "flat serial for": (["kernel flat(n: i64) -> f64 {", "var s = 0.0",
                         "for i in 0..<n { s += sin(i * 1.0) }", "return s", "}"], "flat(1000000000000000)"),
    "flat parallel for": (["kernel pflat(n: i64) -> f64 {", "var s = 0.0",
                           "parallel for i in 0..<n { s += sin(i * 1.0) }", "return s", "}"],
                          "pflat(10000000000)"),
    "flat while": (["kernel wflat(n: i64) -> f64 {", "var s = 0.0", "var i = 0",
                    "while i < n { s += sin(i * 1.0)", "i += 1 }", "return s", "}"], "wflat(1000000000000000)"),
    "elementwise 20M": (["big = linspace(0, 1, 20000000)"], ":time sin(big) * cos(big) + exp(big)"),
    "sum(x*x) 2^27": (["x = linspace(0, 1, 134217728)"], ":time sum(x*x)"),
}


def read_until(fd, patterns, timeout, after=b""):
    """Reads from fd until one of `patterns` appears after the first `after` in what was read;
    returns the seconds it took, or raises TimeoutError."""
    start = time.perf_counter()
    buf = b""

    def found():
        i = buf.find(after) if after else 0
        return i >= 0 and any(p in buf[i + len(after):] for p in patterns)

    while not found():
        left = timeout - (time.perf_counter() - start)
        if left <= 0:
            raise TimeoutError(f"no {patterns!r} within {timeout} s; got {buf[-300:]!r}")
        r, _, _ = select.select([fd], [], [], left)
        if r:
            buf += os.read(fd, 65536)
    if os.environ.get("LATENCY_DEBUG"):
        print(repr(buf[-300:]))
    return time.perf_counter() - start


def run_case(binary, setup, long_input, delay):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.environ["SWIFTJIT_HISTORY"] = ""
        os.execv(binary, [binary, "repl"])
    try:
        read_until(fd, [b">>> "], 60)
        for line in setup:
            os.write(fd, line.encode() + b"\r")
            read_until(fd, [b">>> ", b"... "], 60, after=b"\n")  # the next prompt
        time.sleep(0.5)
        os.write(fd, long_input.encode() + b"\r")
        read_until(fd, [b"\n"], 10)
        time.sleep(delay)
        os.write(fd, b"\x03")
        seconds = read_until(fd, [b">>> "], 30, after=b"interrupted")
        return seconds
    finally:
        os.write(fd, b"\x04")
        time.sleep(0.2)
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("binary")
    p.add_argument("--delay", type=float, default=1.5)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--case", action="append", choices=sorted(CASES))
    a = p.parse_args()
    for name in a.case or list(CASES):
        setup, long_input = CASES[name]
        times = []
        for _ in range(a.rounds):
            try:
                times.append(run_case(a.binary, setup, long_input, a.delay) * 1e3)
            except TimeoutError as e:
                print(f"{name}: {e}")
                break
        if times:
            print(f"{name:22s} median {statistics.median(times):7.1f} ms  (all: {', '.join(f'{t:.1f}' for t in times)})",
                  flush=True)


if __name__ == "__main__":
    main()
