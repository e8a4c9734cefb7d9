"""Course code as learners paste it (tests/catalogue/course_code.py): shapetutor's verdict is the one the
independent NumPy oracle proves (tests/test_catalogue_oracle.py), through `check` and, for a sample, through
the command line.

Cases whose network declares a rank-3 leaf or a product dimension (`x: [N, d1, d2]`, `W1: [T*E, H]`) need
issue 13's declarations; until the language has them they are expected to fail, strictly, so that they are
switched on the day it does.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict

import pytest
from typer.testing import CliRunner

from answer_leaks import derivation_leaks
from catalogue.course_code import ADAPTED, CASES, SRC_DLAI_W4, SRC_DLAI_W4_DEEP, SRC_NIELSEN
from test_course_numpy import code_lines
from tutor.cli import app
from tutor.engine.language.network import parse_network
from tutor.judge.check import check
from test_json_schemas import valid_check_json

runner = CliRunner()


def params(cases):
    return [pytest.param(c, id=c.id) for c in cases]


@pytest.mark.parametrize("case", params(CASES))
def test_check_gives_the_oracles_verdict(case):
    network = parse_network(case.network)
    r = check(network, case.wrt, case.derivation)
    valid_check_json(r)
    assert r.verdict == case.verdict, [d.message for d in r.diagnostics]
    assert r.correct == (case.verdict == "correct")
    errors = [d for d in r.diagnostics if d.severity == "error"]
    if case.verdict == "correct":
        assert not errors and (r.shape_ok, r.value_ok) == (True, True)
    else:
        assert errors, "a wrong derivation gets an error diagnostic"
        if not case.by_hand:  # a hand-unrolled case prints what its as-written twin prints
            assert not derivation_leaks(network, case.wrt, case.derivation, r), "--no-suggestion gives the answer"


@pytest.mark.parametrize("case", params(CASES[::9]))
def test_the_command_line_agrees(case, tmp_path):
    path = tmp_path / "course.net"
    path.write_text(case.network)
    result = runner.invoke(app, ["check", str(path), "--wrt", case.wrt, "--json", "-"], input=case.derivation)
    assert result.exit_code == (0 if case.verdict == "correct" else 1), result.output
    assert json.loads(result.stdout)["verdict"] == case.verdict


def test_the_catalogue_reaches_beyond_the_first_courses():
    sources = {c.source for c in CASES}
    assert len(CASES) >= 194 and len(sources) >= 20
    assert sum(c.verdict == "correct" for c in CASES) >= 0.4 * len(CASES)


def shares() -> dict[str, tuple[int, int]]:
    """Per source: (lines read as written, lines in all). A source's lines are its networks' and, per network,
    its first case's derivation (later cases vary it); cases rewritten by hand are left out where an
    "as written" case reads the same lines, and ADAPTED counts the lines still changed or added."""
    lines: dict[str, set[str]] = defaultdict(set)
    seen: set[tuple[str, str]] = set()
    for c in CASES:
        if c.by_hand:
            continue
        first = (c.source, c.network) not in seen
        seen.add((c.source, c.network))
        lines[c.source] |= code_lines(c.network) | (code_lines(source_lines(c.derivation)) if first else set())
    return {s: (len(lines[s]) - ADAPTED.get(s, 0), len(lines[s])) for s in lines}


def source_lines(derivation: str) -> str:
    """A derivation without the bare line that names the gradient asked about (`nabla_w[0]`, `grads["dW1"]`):
    that line is the learner's question, not the course's code."""
    lines = derivation.rstrip().splitlines()
    last = lines[-1] if lines else ""
    asks = bool(re.fullmatch(r"[A-Za-z_]\w*(\[[^\]]+\])?", last.strip())) and not last.startswith((" ", "\t"))
    return "\n".join(lines[:-1] if asks else lines)


def test_the_courses_are_read_as_written():
    per_source = shares()
    assert set(per_source) == {c.source for c in CASES}
    accepted = sum(a for a, _ in per_source.values())
    total = sum(t for _, t in per_source.values())
    assert accepted / total >= 0.95, per_source
    for source, (a, t) in per_source.items():  # nnfs's layer objects are the one source written by hand
        assert a / t >= 0.65, (source, a, t)


def test_the_loops_lists_and_keys_are_read_as_the_courses_print_them():
    as_written = [c for c in CASES if "as-written" in c.id]
    assert {c.source for c in as_written} >= {SRC_NIELSEN, SRC_DLAI_W4, SRC_DLAI_W4_DEEP}
    text = "\n".join(c.derivation for c in as_written)
    for idiom in ("nabla_w[-l]", "for l in range(2, self.num_layers)", "for l in reversed(range(L-1))",
                  'grads["dW" + str(l + 1)]', "current_cache = caches[l]", "A_prev, W, b = cache"):
        assert idiom in text
    assert all(not c.by_hand for c in as_written) and sum(c.by_hand for c in CASES) >= 20
