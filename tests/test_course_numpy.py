"""Course code from further public sources (tests/catalogue/course_numpy.py, issue 21): every verdict is
the one the NumPy oracle proves (tests/test_catalogue_oracle.py re-proves them), no wrong derivation is
called correct, and nearly every line of each source is read as written."""
from __future__ import annotations

from collections import defaultdict

import pytest

from answer_leaks import derivation_leaks
from catalogue.course_numpy import CASES
from tutor.engine.language.network import parse_network
from tutor.judge.check import check


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_check_gives_the_oracles_verdict(case):
    network = parse_network(case.network)
    r = check(network, case.wrt, case.derivation)
    assert r.verdict == case.verdict, [d.message for d in r.diagnostics]
    if case.verdict != "correct":
        assert not r.correct and any(d.severity == "error" for d in r.diagnostics)
        assert not derivation_leaks(network, case.wrt, case.derivation, r), "--no-suggestion gives the answer"


def code_lines(text: str) -> set[str]:
    """A source's own lines: neither declarations (written by hand) nor comments nor blank lines."""
    out = set()
    for line in text.splitlines():
        bare = line.split("#", 1)[0].strip()
        head = bare.split("=", 1)[0]
        if not bare or (":" in head and "[" in bare and "=" not in bare):
            continue
        out.add(bare)
    return out


def shares() -> dict[str, tuple[int, int]]:
    """Per source: (lines accepted as written, lines in all), the changed or left-out ones counted once."""
    lines: dict[str, set[str]] = defaultdict(set)
    adapted: dict[str, int] = defaultdict(int)
    seen: set[tuple[str, str]] = set()
    for c in CASES:  # a snippet's own backward lines are its first case's (later ones vary them)
        first = (c.source, c.network) not in seen
        seen.add((c.source, c.network))
        lines[c.source] |= code_lines(c.network) | (code_lines(c.derivation) if first else set())
        adapted[c.source] = max(adapted[c.source], c.adapted)
    return {s: (len(lines[s]) - adapted[s], len(lines[s]) + 0) for s in lines}


def test_the_sources_are_read_as_written():
    per_source = shares()
    assert len(per_source) >= 12
    accepted = sum(a for a, _ in per_source.values())
    total = sum(t for _, t in per_source.values())
    assert accepted / total >= 0.95, per_source
    for source, (a, t) in per_source.items():  # pg-pong's game loop is read for three frames, its loss added
        assert a / t >= 0.8, (source, a, t)


def test_the_catalogue_is_balanced():
    assert len(CASES) >= 50 and len({c.id for c in CASES}) == len(CASES)
    wrong = [c for c in CASES if c.verdict != "correct"]
    assert len(wrong) >= 12 and len({c.verdict for c in wrong}) >= 3
