"""Every case of every catalogue module (tests/catalogue/*.py that defines CASES) has the verdict
the independent NumPy oracle computes (tests/oracle.py: true gradients by complex step and central
differences, the learner's text run as NumPy, integer labels drawn as integers).

A case needs `network` (or `net`), `wrt`, `derivation` (or `text`) and `verdict`; `dims` is
optional. Nothing here imports `tutor`.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

from oracle import judge

CATALOGUE = Path(__file__).parent / "catalogue"


def _cases():
    out = []
    for info in sorted(pkgutil.iter_modules([str(CATALOGUE)]), key=lambda m: m.name):
        module = importlib.import_module(f"catalogue.{info.name}")
        for i, c in enumerate(getattr(module, "CASES", ())):
            out.append(pytest.param(c, id=f"{info.name}:{getattr(c, 'id', i)}"))
    return out


def _field(case, *names):
    for name in names:
        if hasattr(case, name):
            return getattr(case, name)
    raise AttributeError(f"a catalogue case needs one of {names}")


@pytest.mark.parametrize("case", _cases())
def test_oracle_verdict_matches_the_catalogue(case):
    network = _field(case, "network", "net")
    derivation = _field(case, "derivation", "text")
    dims = getattr(case, "dims", None)
    if case.verdict == "unusable":
        pytest.skip("the oracle runs plain Python: what the product refuses is its allowlist's business")
    j = judge(network, case.wrt, derivation, dims=dict(dims) if dims else None)
    assert j.verdict == case.verdict, (
        f"oracle says {j.verdict} (factor {j.factor}, shape {j.shape}, expected shape "
        f"{j.expected_shape}, per draw {j.per_draw}, error {j.error})")


def test_the_course_catalogue_is_present_and_balanced():
    from catalogue.course_code import CASES
    assert len(CASES) >= 90
    assert len({c.id for c in CASES}) == len(CASES)
    correct = sum(c.verdict == "correct" for c in CASES)
    assert 0.35 * len(CASES) <= correct <= 0.65 * len(CASES)
