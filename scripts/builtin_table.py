"""SwiftJIT's builtin table, as `swiftjit functions --json` prints it: the one list of functions the
test generators and accuracy scripts work from (no list of names of their own to drift).

In: a swiftjit binary (SWIFTJIT_BIN, else the checkout's .build/debug or .build/release build, else
`swift build --product swiftjit` is run). Out: the rows, each a dict with name, arity, typing
{"rule", "dtype"?}, lowering {"kind", "symbol" | "code"}, accepts_bool, accepts_complex,
complex {"kind", "symbol"?}?, libm?, vector {"kernel", "variants", "float64", "float32"}?,
accuracy_ulp {"strict", "relaxed", "fast"}?, pairwise?, summary (keys marked ? only where the row
has them). See Sources/JITSema/BuiltinRow.swift for what each means.
"""
import functools
import json
import os
import subprocess

import repo_root


def binary():
    """The swiftjit binary to ask: SWIFTJIT_BIN, an existing build in the checkout, or a new build."""
    if os.environ.get("SWIFTJIT_BIN"):
        return os.environ["SWIFTJIT_BIN"]
    root = repo_root.find()
    for config in ("debug", "release"):
        path = root / ".build" / config / "swiftjit"
        if path.is_file():
            return str(path)
    subprocess.run(["swift", "build", "--product", "swiftjit"], cwd=root, check=True)
    return str(root / ".build" / "debug" / "swiftjit")


@functools.lru_cache(maxsize=None)
def rows(path=None):
    """Every row of the table, in its order."""
    out = subprocess.run([path or binary(), "functions", "--json"], check=True, capture_output=True, text=True)
    return tuple(json.loads(out.stdout))


def rule(row):
    """The typing rule's name (`floatUnary`, `sameBinary`, `predicate`, ...)."""
    return row["typing"]["rule"]


def names(*rules, arity=None, path=None):
    """Names of the rows with one of these typing rules (all rows when none is given) and, when
    given, this arity, in the table's order."""
    return [r["name"] for r in rows(path) if (not rules or rule(r) in rules) and (arity is None or r["arity"] == arity)]


def row(name, path=None):
    """The row called `name`."""
    return next(r for r in rows(path) if r["name"] == name)


def complex_helpers(path=None):
    """Functions that take complex arguments through a C helper (NumPy's branch cuts)."""
    return [r["name"] for r in rows(path) if r.get("complex", {}).get("kind") == "helper"]


def measured(path=None):
    """Rows with an accuracy bound (the vectorisable math functions), in the table's order."""
    return [r for r in rows(path) if "accuracy_ulp" in r]


if __name__ == "__main__":
    for r in rows():
        print(r["name"], r["arity"], rule(r), r["lowering"]["kind"])
