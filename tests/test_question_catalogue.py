"""The catalogue of real questions as posted (tests/catalogue/questions/): each post, read whole by
`ask`, gets the verdict its accepted answer gives, and almost all are read at all.

Each file is the question's text as posted (its formulas exactly as the asker wrote them) under a
header: its source address, its notation, the verdicts the accepted answer gives to the asker's
derivations (`expect`, in the order they appear), and, when the post describes its network only in
words, a `.net` file beside it that says the same in the network language.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

import oracle
from tutor.engine.errors import TutorError
from tutor.notation.ask import ask

HERE = Path(__file__).resolve().parent / "catalogue" / "questions"
MATHEMATICS = ("latex", "typed", "unicode")


@dataclass(frozen=True)
class Question:
    name: str
    meta: dict
    body: str

    @property
    def expected(self) -> list[str]:
        return [v.strip() for v in self.meta["expect"].split(",")]

    def network(self) -> str | None:
        return str(HERE / self.meta["network"]) if "network" in self.meta else None


def questions() -> list[Question]:
    out = []
    for path in sorted(HERE.glob("*.md")):
        _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = dict(line.split(": ", 1) for line in head.strip().splitlines())
        out.append(Question(path.stem, meta, body))
    return out


QUESTIONS = questions()


@pytest.fixture(scope="module")
def answers():
    out = {}
    for q in QUESTIONS:
        try:
            out[q.name] = ask(q.body, q.network(), None, q.meta.get("wrt"))
        except TutorError:   # a post that cannot be read at all: every derivation in it unread
            out[q.name] = None
    return out


def verdicts_of(answer, q) -> list[str]:
    return [a.check.result.verdict for a in answer.asked] if answer is not None else ["unusable"] * len(q.expected)


def test_the_catalogue_is_real_questions_with_their_sources():
    assert len(QUESTIONS) >= 10
    for q in QUESTIONS:
        assert q.meta["source"] and q.meta["answer"] and q.meta["notation"] in MATHEMATICS
        assert all(v in oracle.VERDICTS for v in q.expected), q.name
        if "network" in q.meta:
            assert (HERE / q.meta["network"]).is_file()


def test_at_least_nine_in_ten_derivations_written_as_mathematics_are_read(answers):
    read = total = 0
    for q in QUESTIONS:
        verdicts = verdicts_of(answers[q.name], q)
        total += len(q.expected)
        read += sum(v != "unusable" for v in verdicts[:len(q.expected)])
    assert total >= 20 and read / total >= 0.9, f"{read} of {total} read"


def test_no_wrong_derivation_is_called_correct(answers):
    for q in QUESTIONS:
        for got, expected in zip(verdicts_of(answers[q.name], q), q.expected):
            assert not (got == "correct" and expected != "correct"), q.name


@pytest.mark.parametrize("q", QUESTIONS, ids=[q.name for q in QUESTIONS])
def test_each_verdict_on_what_is_read_is_the_accepted_answers(q, answers):
    answer = answers[q.name]
    if answer is None:
        pytest.skip("not read at all (counted in the reading rate)")
    verdicts = verdicts_of(answer, q)
    assert len(verdicts) == len(q.expected), (verdicts, q.expected)
    for got, expected, asked in zip(verdicts, q.expected, answer.asked):
        if got == "unusable":
            continue
        assert got == expected, (asked.written, asked.check.reading and asked.check.reading.shown)
        # no wrong derivation is called correct, and what was read gets the same verdict from the oracle
        reading = asked.check.reading
        if reading is not None and asked.check.chain is None:
            assert oracle.verdict(answer.network.source, asked.wrt, reading.code) == expected, reading.code
