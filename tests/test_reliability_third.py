"""The third hostile round (issue 25), class by class: each rule pinned down in-process or, where the
rule is about the command line, in a subprocess as a learner would run it.

Time bounds are generous for a loaded 2-core machine; what they catch is work that grows faster than
its input (exponential expansions, quadratic scans), which misses them by orders of magnitude.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tutor.engine.forms import Reading
from tutor.engine.ir import Var
from tutor.engine.network import parse_network

ROOT = Path(__file__).resolve().parent.parent


def run(*argv: str, stdin: str | None = None, cwd: Path = ROOT, timeout: float = 60, env: dict | None = None):
    return subprocess.run([sys.executable, "-m", "tutor", *argv], input=stdin, capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env=dict(os.environ, **(env or {})))


def seconds(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


# -- 2. work bounded by what it costs ---------------------------------------------------------------------------

def test_names_defined_as_products_are_expanded_once_each():
    lines = ["x: [N, D]", "a0 = exp(x)"] + [f"a{i} = a{i - 1} * a{i - 1}" for i in range(1, 41)]
    network = parse_network("\n".join(lines + ["J = sum(a40)"]))
    reading = Reading(network)
    took = seconds(lambda: reading.powers(Var("a40")))
    assert reading.powers(Var("a40")) == [(Var("a0"), 2.0 ** 40)]
    assert reading.through == {f"a{i}" for i in range(1, 41)}
    assert took < 0.5
