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


def test_a_formula_too_long_to_read_is_not_written_out():
    from tutor.engine.printer import PRINT_LIMIT, TOO_LONG_CODE, code, code_or_none, math
    e = "x"
    for _ in range(20):
        e = f"softmax({e}, axis=1)"
    network = parse_network(f"x: [N, D]\nJ = sum({e})\n")
    from tutor.engine.build import mk
    from tutor.engine.ir import Var as V
    x = V("x", shape=network.shapes["x"])
    doubled = x
    for _ in range(40):  # shared twice at every level: 2**40 nodes written out
        doubled = mk("add", doubled, mk("mul", doubled, x))
    took = seconds(lambda: (code(doubled), math(doubled)))
    assert code(doubled) == TOO_LONG_CODE and code_or_none(doubled) is None and "not shown" in math(doubled)
    assert took < 1.0 and str(PRINT_LIMIT) in TOO_LONG_CODE


@pytest.mark.parametrize("network", [
    "x: [N, D]\nJ = sum(" + "softmax(" * 20 + "x" + ", axis=1)" * 20 + ")\n",
    "\n".join(["x: [N, D]", "a = x"] + ["a = a * sigmoid(a)"] * 60 + ["J = sum(a)"]) + "\n",
], ids=["20 nested softmaxes", "a SiLU chain"])
def test_derive_on_deep_shared_formulas_ends_in_time(tmp_path, network):
    (tmp_path / "deep.net").write_text(network)
    start = time.perf_counter()
    done = run("derive", str(tmp_path / "deep.net"), "--dims", "N=2,D=3", cwd=tmp_path, timeout=120)
    assert done.returncode in (0, 2) and "Traceback" not in done.stderr, done.stderr
    assert time.perf_counter() - start < 40
