"""`--no-suggestion` and worksheets never give the answer away.

The README promises that `check --no-suggestion` keeps back everything that gives the answer, and a
worksheet is handed to learners before class. Over every wrong derivation of the real questions as posted
(tests/catalogue/questions) `check --no-suggestion` is run, as text and as JSON, and over every bundled
lesson the worksheet is exported; neither may contain the right formula in any printed spelling: as code
(`.T`, `@`, `*`), as mathematics (ᵀ, ∘, −, ŷ), with the learner's own names (the suggestion `check` would
have made) or with the network's (the formula `derive` writes). The course catalogues' mistakes
(tests/test_course_code.py, tests/test_course_numpy.py) and homework files with their mistakes
(tests/test_homework_catalogue.py) are held to the same beside the full check each of them makes anyway
(tests/answer_leaks.py).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from answer_leaks import SHORTEST, forbidden, leaks, normalised
from tutor.cli import app
from tutor.course.answer_key import AnswerKey
from tutor.course.lesson import bundled, read
from tutor.engine.errors import TutorError
from tutor.engine.language.network import parse_network
from tutor.engine.language.printer import code, math
from tutor.judge.check import check
from tutor.notation.ask import ask
from tutor.teach.derivation import derive

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "catalogue" / "questions"
runner = CliRunner()


def run_check(net_path: str, wrt: str, derivation_path: str, as_json: bool) -> str:
    args = ["check", net_path, "--wrt", wrt, "--file", derivation_path, "--no-suggestion"] + (["--json"] if as_json
                                                                                              else ["--plain"])
    result = runner.invoke(app, args, env={"COLUMNS": "400"})
    assert result.exit_code in (1, 2), (result.exit_code, result.output)
    return result.stdout + result.stderr


# -- the wrong derivations of real questions (the course catalogues' are held to it in their own tests) ---

def wrong_posted(path: Path) -> list[tuple[str, str, str]]:
    """(network as read, wrt, derivation as read) for each wrong derivation of a real question."""
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    meta = dict(line.split(": ", 1) for line in head.strip().splitlines())
    network = str(QUESTIONS / meta["network"]) if "network" in meta else None
    try:
        answer = ask(body, network, None, meta.get("wrt")).to_json()
    except TutorError:
        return []
    derivations = answer["read"]["derivations"]
    return [(answer["read"]["network"], checked["wrt"], derivations[i]) for i, checked in enumerate(answer["checks"])
            if checked["verdict"] not in ("correct", "unusable") and i < len(derivations)]


# each question is read when its test runs, not while the tests are collected (in every worker)
@pytest.mark.parametrize("path", sorted(QUESTIONS.glob("*.md")), ids=lambda p: p.stem)
def test_no_suggestion_keeps_the_answer_of_a_posted_question(path, tmp_path):
    for network, wrt, derivation in wrong_posted(path):
        net_path, text_path = tmp_path / "net.net", tmp_path / "derivation.py"
        net_path.write_text(network)
        text_path.write_text(derivation)
        parsed = parse_network(network)
        answers = forbidden(parsed, wrt, check(parsed, wrt, derivation), derivation)
        for as_json in (False, True):
            output = run_check(str(net_path), wrt, str(text_path), as_json)
            assert not leaks(output, answers), (leaks(output, answers), output)


# -- the worksheets of the bundled lessons -----------------------------------------------------------

LESSONS = sorted(bundled())


@pytest.mark.parametrize("lesson_id", LESSONS)
@pytest.mark.parametrize("suffix", ["md", "txt", "html"])
def test_a_worksheet_never_contains_a_questions_answer(lesson_id, suffix, tmp_path):
    lesson = read(lesson_id)
    key = AnswerKey(lesson)
    answers = set()
    for step in lesson.steps:
        if step.kind == "ask-gradient":
            g = key.derivation.gradients[step.wrt]
            answers |= {normalised(code(g.formula)), normalised(math(g.formula))}
            if step.expect:
                answers.add(normalised(step.expect))
    out = tmp_path / f"sheet.{suffix}"
    result = runner.invoke(app, ["lesson", "export", lesson_id, "--worksheet", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    if suffix == "html":
        import html
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    found = leaks(text, {a for a in answers if len(a) >= SHORTEST})
    assert not found, found


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_no_hint_of_a_bundled_lesson_states_its_questions_answer(lesson_id):
    """A hint says where to look: never the shape or the formula the question asks for."""
    from tutor.course.leaks import hint_leaks
    lesson = read(lesson_id)
    assert not hint_leaks(lesson, AnswerKey(lesson)), [(h.step.id, h.stated) for h in hint_leaks(lesson,
                                                                                              AnswerKey(lesson))]


LEAKY = """format_version = 1
id = "leaky"
title = "Hints that say too much"
summary = "Each question has one hint that is its answer."

[network]
bundled = "batch"

[[steps]]
id = "factor"
kind = "ask-shape"
of = "Z1"
wrt = "W1"
hints = ["Z1 first, then W1.", "It is N x H x Dx x H."]

[[steps]]
id = "squeezed"
kind = "ask-shape"
of = "Z2"
wrt = "H1"
hints = ["Dropping nothing, it is N×Dy×N×H; most notes write it the same.", "The output's axes come first."]

[[steps]]
id = "gradient"
kind = "ask-gradient"
wrt = "W2"
hints = ["H1 goes on the left.", "Write H1.T @ (Yhat - Y) / N."]
"""


def test_a_hint_that_states_its_answer_is_warned_about_and_left_out_of_the_worksheet(tmp_path):
    path = tmp_path / "leaky.toml"
    path.write_text(LEAKY)
    lesson = read(str(path))
    from tutor.course.leaks import hint_leaks
    found = {(h.step.id, h.hint) for h in hint_leaks(lesson, AnswerKey(lesson))}
    assert found == {("factor", 2), ("squeezed", 1), ("gradient", 2)}
    validated = runner.invoke(app, ["lesson", "validate", str(path)])
    assert validated.exit_code == 0 and validated.stderr.count("states its answer") == 3, validated.stderr
    sheet = tmp_path / "sheet.md"
    assert runner.invoke(app, ["lesson", "export", str(path), "--worksheet", "-o", str(sheet)]).exit_code == 0
    text = sheet.read_text(encoding="utf-8")
    assert "Z1 first, then W1." in text and "H1 goes on the left." in text and "axes come first" in text
    for leaked in ("N x H x Dx x H", "N×Dy×N×H", "H1.T @ (Yhat - Y) / N"):
        assert leaked not in text
    key = tmp_path / "key.md"
    assert runner.invoke(app, ["lesson", "export", str(path), "-o", str(key)]).exit_code == 0
    assert "It is N x H x Dx x H." in key.read_text(encoding="utf-8")     # the answer key keeps every hint
