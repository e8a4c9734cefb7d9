"""Course code as learners paste it (tests/catalogue/course_code.py): shapetutor's verdict is the one the
independent NumPy oracle proves (tests/test_catalogue_oracle.py), through `check` and, for a sample, through
the command line.

Cases whose network declares a rank-3 leaf or a product dimension (`x: [N, d1, d2]`, `W1: [T*E, H]`) need
issue 13's declarations; until the language has them they are expected to fail, strictly, so that they are
switched on the day it does.
"""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from catalogue.course_code import CASES
from tutor.cli import app
from tutor.engine.language.network import parse_network
from tutor.judge.check import check
from test_json_schemas import valid_check_json

runner = CliRunner()


def params(cases):
    return [pytest.param(c, id=c.id) for c in cases]


@pytest.mark.parametrize("case", params(CASES))
def test_check_gives_the_oracles_verdict(case):
    r = check(parse_network(case.network), case.wrt, case.derivation)
    valid_check_json(r)
    assert r.verdict == case.verdict, [d.message for d in r.diagnostics]
    assert r.correct == (case.verdict == "correct")
    errors = [d for d in r.diagnostics if d.severity == "error"]
    if case.verdict == "correct":
        assert not errors and (r.shape_ok, r.value_ok) == (True, True)
    else:
        assert errors, "a wrong derivation gets an error diagnostic"


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
