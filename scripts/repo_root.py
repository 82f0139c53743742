"""The SwiftJIT checkout the tools work on, whether they run from scripts/ or are installed.

In: nothing (the module's own place, then the working directory). Out: the folder holding
Package.swift and Examples/: the parent of scripts/ when run from a checkout, else the working
directory or the nearest of its parents that is a checkout (installed commands run inside one).
"""
import pathlib


def find():
    """The checkout's root folder as a pathlib.Path (the working directory when none is found)."""
    def is_root(p):
        return (p / "Package.swift").is_file() and (p / "Examples").is_dir()
    here = pathlib.Path(__file__).resolve().parent.parent
    if is_root(here):
        return here
    cwd = pathlib.Path.cwd().resolve()
    return next((p for p in [cwd, *cwd.parents] if is_root(p)), cwd)
