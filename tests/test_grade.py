"""`shapetutor lesson grade`: an instructor grades a learner's answers file with one command.

Points come from the lesson (`points` on a question, 1 by default; `hint_cost` per hint, for the
lesson or one question), an unanswered question scores 0, and the results are a summary table
or Gradescope's results.json. The grade agrees, question by question, with what `lesson run
--answers` replays, and every verdict a lesson can give is one `lesson validate` accepts.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutor.cli import app
from tutor.course.answer_key import AnswerKey
from tutor.course.lesson import VERDICTS, bundled, read
from tutor.judge.result import VERDICTS as CHECK_VERDICTS

runner = CliRunner()
LESSONS = sorted(bundled())
GRADED = """format_version = 1
id = "graded"
title = "A graded lesson"
summary = "Three questions, worth 1, 2 and 3 points."
hint_cost = 0.25

[network]
bundled = "default"
dims = { Dx = 4, H = 3, Dy = 2 }

[[steps]]
id = "intro"
kind = "say"
text = "Hello."

[[steps]]
id = "shape"
kind = "ask-shape"
of = "z1"
wrt = "W1"
hints = ["z1 first, then W1.", "four axes"]

[[steps]]
id = "grad-b2"
kind = "ask-gradient"
wrt = "b2"
points = 2
hint_cost = 0.5

[[steps]]
id = "grad-W1"
kind = "ask-gradient"
wrt = "W1"
points = 3
"""
RIGHT_W1 = "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("SHAPETUTOR_STATE_DIR", str(tmp_path / "state"))


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def grade(*args: str):
    return runner.invoke(app, ["lesson", "grade", *args])


def toml_answers(answers: dict[str, list[str]]) -> str:
    return "[answers]\n" + "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in answers.items())


def test_points_hint_costs_and_unanswered_questions(tmp_path):
    lesson = write(tmp_path, "graded.toml", GRADED)
    answers = write(tmp_path, "answers.toml", toml_answers({
        "shape": ["h", "h", "h", "1 x H x Dx x H"],          # two hints (a third h has none to show)
        "grad-b2": ["h", "sum(y - yhat, axis=0)", "sum(yhat - y, axis=0)"],  # one hint, at this question's cost
    }))
    result = grade(lesson, "--answers", answers, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    tests = {t["extra_data"]["id"]: t for t in data["tests"]}
    assert list(tests) == ["shape", "grad-b2", "grad-W1"]
    assert (tests["shape"]["score"], tests["shape"]["max_score"]) == (0.5, 1)      # 1 - 2 × 0.25
    assert (tests["grad-b2"]["score"], tests["grad-b2"]["max_score"]) == (1.5, 2)  # 2 - 0.5
    assert tests["grad-b2"]["extra_data"]["attempts"] == 2
    assert (tests["grad-W1"]["score"], tests["grad-W1"]["status"]) == (0, "failed")
    assert tests["grad-W1"]["extra_data"]["verdict"] is None and tests["grad-W1"]["output"] == "not answered"
    assert (data["score"], data["max_score"]) == (2, 6)
    assert all(t["status"] == "passed" for t in (tests["shape"], tests["grad-b2"]))


def test_a_wrong_answer_scores_0_and_its_feedback_gives_nothing_away(tmp_path):
    lesson = write(tmp_path, "graded.toml", GRADED)
    answers = write(tmp_path, "answers.toml", toml_answers({
        "shape": "1 x H x H", "grad-b2": "x.T @ (", "grad-W1": "(yhat - y) @ W2.T * h * (1 - h) @ x"}))
    data = json.loads(grade(lesson, "--answers", answers, "--json").stdout)
    tests = {t["extra_data"]["id"]: t for t in data["tests"]}
    assert data["score"] == 0 and data["max_score"] == 6
    assert [tests[k]["extra_data"]["verdict"] for k in tests] == ["wrong_shape", "unusable", "shape_error"]
    w1 = tests["grad-W1"]["output"]
    assert "error[E201]" in w1 and "1×H" in w1
    assert RIGHT_W1 not in w1 and "help:" not in w1 and "suggestion" not in w1
    assert "error[E100]" in tests["grad-b2"]["output"]


def test_the_summary_table_and_the_gradescope_file(tmp_path):
    lesson = write(tmp_path, "graded.toml", GRADED)
    answers = write(tmp_path, "answers.toml", toml_answers({"grad-W1": RIGHT_W1}))
    out = tmp_path / "results" / "results.json"
    out.parent.mkdir()
    result = grade(lesson, "--answers", answers, "--gradescope", str(out), "--plain")
    assert result.exit_code == 0
    assert "3 / 6" in result.stdout and "grad-W1" in result.stdout and "not answered" in result.stdout
    written = json.loads(out.read_text())
    as_json = json.loads(grade(lesson, "--answers", answers, "--json").stdout)
    assert written == as_json and written["score"] == 3
    assert grade(lesson, "--answers", answers, "--gradescope", str(tmp_path / "no" / "dir.json")).exit_code == 2


@pytest.mark.parametrize("answers, fragment", [
    (None, "cannot read the answers file"),
    ("shape = [", "TOML syntax error"),
    ("shape = 3", "must be a string or a list of strings"),
    ('answers = "x"', "must be a table"),
    ("shape = ['h', 2]", "must be a string or a list of strings"),
])
def test_an_unusable_answers_file_exits_2(tmp_path, answers, fragment):
    lesson = write(tmp_path, "graded.toml", GRADED)
    path = write(tmp_path, "answers.toml", answers) if answers is not None else str(tmp_path / "missing.toml")
    result = grade(lesson, "--answers", path, "--json")
    assert result.exit_code == 2 and fragment in result.stderr
    assert set(json.loads(result.stdout)) == {"error"}  # --json: an error object, never a score
    assert "Traceback" not in result.stderr


def test_an_unusable_lesson_exits_2(tmp_path):
    answers = write(tmp_path, "answers.toml", "")
    assert grade("no-such-lesson", "--answers", answers).exit_code == 2
    broken = write(tmp_path, "broken.toml", GRADED.replace("points = 2", "points = -2"))
    result = grade(broken, "--answers", answers)
    assert result.exit_code == 2 and "broken.toml:" in result.stderr


def test_answers_for_steps_that_ask_nothing_are_ignored_and_said_so(tmp_path):
    lesson = write(tmp_path, "graded.toml", GRADED)
    answers = write(tmp_path, "answers.toml", toml_answers({"intro": "hello", "grad-w1": RIGHT_W1}))
    result = grade(lesson, "--answers", answers, "--json")
    assert result.exit_code == 0
    assert "'grad-w1' is not a question" in result.stderr and "'intro' is not a question" in result.stderr
    assert json.loads(result.stdout)["extra_data"]["ignored_answers"] == ["intro", "grad-w1"]


@pytest.mark.parametrize("change, line, fragment", [
    (lambda t: t.replace("points = 2", "points = -2"), 27, "points must be a number from 0"),
    (lambda t: t.replace("points = 2", 'points = "two"'), 27, "points must be a number from 0"),
    (lambda t: t.replace("points = 2", "points = true"), 27, "points must be a number from 0"),
    (lambda t: t.replace("hint_cost = 0.5", "hint_cost = nan"), 28, "hint_cost must be a number from 0"),
    (lambda t: t.replace("hint_cost = 0.25", "hint_cost = -1"), 5, "hint_cost must be a number from 0"),
    (lambda t: t.replace('kind = "say"', 'kind = "say"\npoints = 1'), 14, "belongs on a question"),
])
def test_grading_keys_are_validated_with_a_location(tmp_path, change, line, fragment):
    path = write(tmp_path, "lesson.toml", change(GRADED))
    result = runner.invoke(app, ["lesson", "validate", path])
    assert result.exit_code == 2
    assert f"lesson.toml:{line}:" in result.stderr, result.stderr
    assert fragment in result.stderr


def test_fractional_points_and_free_hints_validate(tmp_path):
    path = write(tmp_path, "lesson.toml", GRADED.replace("points = 3", "points = 2.5").replace("hint_cost = 0.25\n", ""))
    assert runner.invoke(app, ["lesson", "validate", path]).exit_code == 0
    lesson = read(path)
    assert lesson.hint_cost == 0 and [s.points for s in lesson.steps if s.is_question] == [1, 2, 2.5]


# -- the grade and the replay agree; every verdict is one validate accepts ----------------------------

def answer_variants(lesson_id: str) -> dict[str, list[str]]:
    """For each question: a hint, a wrong or unreadable try, then the engine's own answer."""
    lesson = read(lesson_id)
    key = AnswerKey(lesson)
    out = {}
    for i, step in enumerate(s for s in lesson.steps if s.is_question):
        if step.kind == "ask-shape":
            wrong = ["banana", "1 x 1 x 1 x 1 x 1"][i % 2]
            right = key.shape_answer(step)
        else:
            wrong = ["x.T @ (", "W1 * 2", "sum(W1 @ W1.T)"][i % 3]
            right = key.formula(step.wrt)
        out[step.id] = [[], ["h", wrong, right], [wrong], ["h", "h"], [right]][i % 5]
    return out


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_grading_agrees_with_the_replay_of_the_same_answers(tmp_path, lesson_id):
    answers = write(tmp_path, "answers.toml", toml_answers(answer_variants(lesson_id)))
    replay = runner.invoke(app, ["lesson", "run", lesson_id, "--answers", answers, "--json"])
    graded = grade(lesson_id, "--answers", answers, "--json")
    assert replay.exit_code == graded.exit_code == 0
    steps = json.loads(replay.stdout)["steps"]
    tests = json.loads(graded.stdout)["tests"]
    assert [s["id"] for s in steps] == [t["extra_data"]["id"] for t in tests]
    for s, t in zip(steps, tests):
        extra = t["extra_data"]
        assert (s["verdict"], s["answer"], s["hints_used"], s["attempts"]) == \
            (extra["verdict"], extra["answer"], extra["hints_used"], extra["attempts"]), s["id"]
        assert (t["score"] > 0) == bool(s["correct"]) == (t["status"] == "passed")
        assert s["verdict"] is None or s["verdict"] in VERDICTS


def test_every_verdict_a_lesson_gives_is_one_validate_accepts(tmp_path):
    assert set(VERDICTS) == set(CHECK_VERDICTS)
    derivations = {"correct": RIGHT_W1, "shape_error": "(yhat - y) @ W2.T * h * (1 - h) @ x",
                   "wrong_shape": "(yhat - y) @ W2.T * h * (1 - h)", "transposed": "((yhat - y) @ W2.T * h * (1 - h)).T @ x",
                   "scaled": f"2 * {RIGHT_W1}", "wrong_value": "x.T @ ((yhat - y) @ W2.T * z1 * (1 - z1))",
                   "unusable": "x.T @ ("}
    assert set(derivations) == set(VERDICTS)
    steps = "".join(f'\n[[steps]]\nid = "{v}"\nkind = "show"\nview = "check"\nwrt = "W1"\n'
                    f"derivation = {json.dumps(text)}\nexpect_verdict = \"{v}\"\n" for v, text in derivations.items())
    path = write(tmp_path, "lesson.toml", GRADED + steps)
    result = runner.invoke(app, ["lesson", "validate", path])
    assert result.exit_code == 0, result.stderr
    # an unreadable derivation shown without saying so is still the author's mistake
    unsaid = GRADED + steps.replace('expect_verdict = "unusable"', "")
    result = runner.invoke(app, ["lesson", "validate", write(tmp_path, "unsaid.toml", unsaid)])
    assert result.exit_code == 2 and "cannot be checked" in result.stderr
