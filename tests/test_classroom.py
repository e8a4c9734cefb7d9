"""The classroom: worksheets that give nothing away, print without split views, and replays that
show what each learner typed."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tutor.cli import app
from tutor.course.answer_key import AnswerKey
from tutor.course.leaks import leaks, shapes_in
from tutor.course.lesson import bundled, parse, read
from tutor.front.handout import render

runner = CliRunner()
LEAKY = """format_version = 1
id = "leaky"
title = "Leaky"
summary = "States its answers early."

[network]
bundled = "default"
dims = { Dx = 4, H = 3, Dy = 2 }

[[steps]]
id = "intro"
kind = "say"
text = "The factor is a `1 × H × Dx × H` tensor, and db2 is `sum(yhat - y, axis=0)`."

[[steps]]
id = "shape"
kind = "ask-shape"
of = "z1"
wrt = "W1"

[[steps]]
id = "grad"
kind = "ask-gradient"
wrt = "b2"

[[steps]]
id = "after"
kind = "say"
text = "So it was 1×H×Dx×H after all."
"""


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("SHAPETUTOR_STATE_DIR", str(tmp_path / "state"))


# -- answers stated before their questions ---------------------------------------------------------------

def test_shapes_are_read_as_prose_writes_them():
    assert ("1", "H", "Dx", "H") in shapes_in("a 1×H×Dx×H tensor")
    assert ("Dx", "H") in shapes_in("W1 is (Dx, H), or `Dx x H`, or Dx \\times H")
    assert ("H", "Dx") in shapes_in("a 1×H×Dx×H tensor")           # a run inside a longer shape
    assert not shapes_in("Dx and H; xH; max(H)")                  # words are not shapes


def test_a_say_step_stating_a_later_answer_is_found_with_its_line():
    lesson = parse(LEAKY, "leaky.toml", None)
    found = [(leak.step.id, [q.id for q in leak.questions], leak.line) for leak in leaks(lesson, AnswerKey(lesson))]
    assert found == [("intro", ["shape", "grad"], 13)]                # the step after the questions is fine


def test_validate_warns_on_a_leak_and_still_passes(tmp_path):
    path = tmp_path / "leaky.toml"
    path.write_text(LEAKY, encoding="utf-8")
    result = runner.invoke(app, ["lesson", "validate", str(path)])
    assert result.exit_code == 0 and "✓" in result.stdout
    assert f"warning: {path}:13: step 'intro' states the answer to the later questions 'shape', 'grad'" \
        in result.stderr


@pytest.mark.parametrize("name", sorted(bundled()))
def test_no_bundled_lesson_states_an_answer_before_its_question(name):
    lesson = read(name)
    assert [(x.step.id, x.stated) for x in leaks(lesson, AnswerKey(lesson))] == []


# -- worksheets ------------------------------------------------------------------------------------------

def test_the_worksheet_does_not_say_how_to_get_the_answer_key():
    lesson = read("01-motivating-question")
    for suffix in ("html", "md", "txt"):
        sheet = render(lesson, suffix, worksheet=True)
        assert "answer key" not in sheet.lower() and "without --worksheet" not in sheet and "<footer>" not in sheet


def test_print_keeps_a_judged_derivation_and_each_question_on_one_page():
    lesson = read("03-batches")
    page = render(lesson, "html", worksheet=False)
    assert "tr, .keep { break-inside: avoid" in page
    checks = sum(1 for s in lesson.steps if s.kind == "show" and s.view == "check")
    questions = sum(1 for s in lesson.steps if s.is_question)
    assert page.count('<div class="keep">') == checks + questions
    judged = [k for k in page.split('<div class="keep">')[1:] if "A learner" in k]
    assert len(judged) == checks and all('class="verdict-' in k for k in judged)  # the line travels with its verdict


# -- replays ---------------------------------------------------------------------------------------------

def test_the_replay_shows_what_the_learner_typed(tmp_path):
    answers = tmp_path / "answers.toml"
    lesson = read("01-motivating-question")
    first = next(s for s in lesson.steps if s.kind == "ask-shape")
    answers.write_text(f'[answers]\n{json.dumps(first.id)} = ["h", "1 x Banana"]\n')
    result = runner.invoke(app, ["lesson", "run", "01-motivating-question", "--answers", str(answers), "--plain"])
    assert result.exit_code == 0
    shown = result.stdout
    assert "your answer (h: hint): h" in shown and "your answer (h: hint): 1 x Banana" in shown
    assert shown.index("your answer (h: hint): h") < shown.index("hint:", shown.index("(h: hint): h") + 12)
