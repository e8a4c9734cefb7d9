"""Results files that never fail a learner for the tool's sake, and never harm an input.

`lesson grade` always writes the results file it is asked for: a missing or malformed answers
file scores 0 with the reason (Gradescope) or is not gradable with the reason (PrairieLearn). A
results file is never written through a symbolic link or over an input without `--force`, and
a submission of thousands of attempts is graded within a budget.
"""
from __future__ import annotations

import json
import os
import time

import jsonschema
import pytest
from typer.testing import CliRunner

import tutor.schemas
from tutor.cli import app
from tutor.course.grade import MAX_ATTEMPTS, Budget, grade
from tutor.course.lesson import parse

runner = CliRunner()
LESSON = """format_version = 1
id = "graded"
title = "A graded lesson"
summary = "Two questions, worth 1 and 3 points."

[network]
bundled = "default"
dims = { Dx = 4, H = 3, Dy = 2 }

[[steps]]
id = "shape"
kind = "ask-shape"
of = "z1"
wrt = "W1"

[[steps]]
id = "grad-W1"
kind = "ask-gradient"
wrt = "W1"
points = 3
"""
RIGHT_W1 = "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"
GRADESCOPE = jsonschema.Draft202012Validator(tutor.schemas.load("grade"))


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("SHAPETUTOR_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture
def lesson(tmp_path):
    path = tmp_path / "graded.toml"
    path.write_text(LESSON, encoding="utf-8")
    return str(path)


def answers_file(tmp_path, text: str, name: str = "answers.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def grade_cli(*args: str):
    return runner.invoke(app, ["lesson", "grade", *args])


def valid_prairielearn(data: dict) -> None:
    """PrairieLearn's external-grader results: `score` in [0, 1] when gradable, else format errors."""
    assert isinstance(data["gradable"], bool)
    if data["gradable"]:
        assert 0 <= data["score"] <= 1
        for test in data["tests"]:
            assert {"name", "points", "max_points", "output"} <= set(test)
            assert 0 <= test["points"] <= test["max_points"]
    else:
        assert data["format_errors"] and all(isinstance(e, str) and e for e in data["format_errors"])


# -- a results file is always written ----------------------------------------------------------------

@pytest.mark.parametrize("answers, fragment", [
    (None, "cannot read the answers file"),
    ("shape = [", "TOML syntax error"),
    ("shape = 3", "must be a string or a list of strings"),
])
def test_an_unusable_answers_file_still_writes_results_with_the_reason(tmp_path, lesson, answers, fragment):
    path = answers_file(tmp_path, answers) if answers is not None else str(tmp_path / "missing.toml")
    scope, prairie = tmp_path / "results.json", tmp_path / "pl.json"
    result = grade_cli(lesson, "--answers", path, "--gradescope", str(scope), "--prairielearn", str(prairie))
    assert result.exit_code == 2 and fragment in result.stderr and "Traceback" not in result.stderr
    written = json.loads(scope.read_text())
    GRADESCOPE.validate(written)
    assert written["score"] == 0 and written["max_score"] == 4 and fragment in written["output"]
    assert [t["status"] for t in written["tests"]] == ["failed", "failed"]
    pl = json.loads(prairie.read_text())
    valid_prairielearn(pl)
    assert pl["gradable"] is False and fragment in pl["format_errors"][0]


def test_an_unusable_lesson_still_writes_results(tmp_path):
    path = answers_file(tmp_path, "")
    scope = tmp_path / "results.json"
    assert grade_cli("no-such-lesson", "--answers", path, "--gradescope", str(scope)).exit_code == 2
    written = json.loads(scope.read_text())
    GRADESCOPE.validate(written)
    assert written["score"] == 0 and "no lesson named" in written["output"]


def test_prairielearn_results(tmp_path, lesson):
    out = tmp_path / "results.json"
    path = answers_file(tmp_path, f'shape = "1 x H"\n"grad-W1" = "{RIGHT_W1}"\n')
    result = grade_cli(lesson, "--answers", path, "--prairielearn", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    valid_prairielearn(data)
    assert data["gradable"] is True and data["score"] == 0.75                  # 3 of 4 points
    assert [(t["points"], t["max_points"]) for t in data["tests"]] == [(0, 1), (3, 3)]
    assert RIGHT_W1 not in data["tests"][0]["output"]                          # nothing given away


def test_an_unreadable_answer_is_not_gradable_on_prairielearn(tmp_path, lesson):
    out = tmp_path / "results.json"
    path = answers_file(tmp_path, 'shape = "1 x H x Dx x H"\n"grad-W1" = "x.T @ ("\n')
    assert grade_cli(lesson, "--answers", path, "--prairielearn", str(out)).exit_code == 0
    data = json.loads(out.read_text())
    valid_prairielearn(data)
    assert data["gradable"] is False and data["format_errors"][0].startswith("grad-W1: ")
    assert "line 1" in data["format_errors"][0]


# -- never through a link, never over an input ----------------------------------------------------------

def test_results_are_not_written_through_a_link_without_force(tmp_path, lesson):
    path = answers_file(tmp_path, f'"grad-W1" = "{RIGHT_W1}"\n')
    precious = tmp_path / "precious.txt"
    precious.write_text("a learner's own file")
    link = tmp_path / "results.json"
    os.symlink(precious, link)
    for flag in ("--gradescope", "--prairielearn"):
        result = grade_cli(lesson, "--answers", path, flag, str(link))
        assert result.exit_code == 2 and "symbolic link" in result.stderr
        assert precious.read_text() == "a learner's own file"
    assert grade_cli(lesson, "--answers", path, "--gradescope", str(link), "--force").exit_code == 0
    assert json.loads(precious.read_text())["score"] == 3


@pytest.mark.parametrize("which", ["answers", "lesson"])
def test_results_never_replace_an_input(tmp_path, lesson, which):
    path = answers_file(tmp_path, f'"grad-W1" = "{RIGHT_W1}"\n')
    target = path if which == "answers" else lesson
    before = open(target, encoding="utf-8").read()
    for flag in ("--gradescope", "--prairielearn"):
        result = grade_cli(lesson, "--answers", path, flag, target)
        assert result.exit_code == 2 and "results never replace an input" in result.stderr
        assert open(target, encoding="utf-8").read() == before
    hard = tmp_path / "hard-link.json"                                        # the same file by another name
    os.link(target, hard)
    assert grade_cli(lesson, "--answers", path, "--gradescope", str(hard)).exit_code == 2
    assert open(target, encoding="utf-8").read() == before


def test_an_unusable_answers_file_never_replaces_itself(tmp_path, lesson):
    path = answers_file(tmp_path, "shape = [")
    assert grade_cli(lesson, "--answers", path, "--gradescope", path).exit_code == 2
    assert open(path, encoding="utf-8").read() == "shape = ["


# -- a budget, not luck ------------------------------------------------------------------------------

def test_thousands_of_attempts_are_graded_within_the_budget(tmp_path, lesson):
    wrong = ["(yhat - y) @ W2.T * h * (1 - h) @ x"] * 5000
    path = answers_file(tmp_path, "[answers]\n" + f'"grad-W1" = {json.dumps(wrong + [RIGHT_W1])}\n'
                        + f'shape = {json.dumps(["1 x H"] * 5000)}\n')
    started = time.monotonic()
    result = grade_cli(lesson, "--answers", path, "--json")
    assert time.monotonic() - started < 20
    assert result.exit_code == 0 and "not judged" in result.stderr
    tests = {t["extra_data"]["id"]: t for t in json.loads(result.stdout)["tests"]}
    assert tests["grad-W1"]["extra_data"]["attempts"] == MAX_ATTEMPTS
    assert tests["grad-W1"]["extra_data"]["unjudged"] == 5001 - MAX_ATTEMPTS  # the right one came too late
    assert tests["grad-W1"]["score"] == 0 and "not judged" in tests["grad-W1"]["output"]


def test_the_budget_is_shared_by_the_questions_of_a_submission():
    lesson = parse(LESSON, "graded.toml", None)
    graded = grade(lesson, {"shape": ["1 x H"] * 3 + ["1 x H x Dx x H"], "grad-W1": [RIGHT_W1]}, Budget(attempts=3))
    assert [(s.attempts, s.unjudged, s.verdict) for s in graded.steps] == [(3, 1, "wrong_shape"), (0, 1, None)]
    spent = Budget(seconds=0.0, start=time.process_time() - 1)
    assert grade(lesson, {"grad-W1": [RIGHT_W1]}, spent).unjudged == 1


# -- the platforms' scripts in docs/grading.md run as written -------------------------------------------

def docs_script(first_comment: str) -> str:
    """The code block of docs/grading.md whose first comment line starts with `first_comment`."""
    import re
    from pathlib import Path
    doc = (Path(__file__).resolve().parent.parent / "docs" / "grading.md").read_text(encoding="utf-8")
    for block in re.findall(r"```(?:sh|dockerfile)\n(.*?)```", doc, flags=re.S):
        comment = next((line for line in block.splitlines() if line.startswith("# ")), "")
        if comment.startswith(f"# {first_comment}"):
            return block
    raise AssertionError(f"no script {first_comment!r} in docs/grading.md")


def run_script(script: str, tmp_path, env: dict) -> None:
    import shutil
    import subprocess
    import sys
    from pathlib import Path
    path = tmp_path / "script.sh"
    path.write_text(script)
    bin_dir = str(Path(sys.executable).parent)
    assert shutil.which("shapetutor", path=bin_dir), "the test environment installs the command"
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"], SHAPETUTOR_STATE_DIR=str(tmp_path / "s"),
               **env)
    done = subprocess.run(["bash", str(path)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("submitted", ['"grad-W1" = "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"\n', "shape = [", None])
def test_the_gradescope_autograder_in_the_docs(tmp_path, submitted):
    import sys
    from pathlib import Path
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    (root / "source" / "lesson.toml").write_text(LESSON)
    if submitted is not None:
        (root / "submission" / "my answers.toml").write_text(submitted)
    run_script(docs_script("run_autograder"), tmp_path,
               {"AUTOGRADER_ROOT": str(root), "SHAPETUTOR": str(Path(sys.executable).parent / "shapetutor")})
    results = json.loads((root / "results" / "results.json").read_text())
    GRADESCOPE.validate(results)
    assert results["score"] == (3 if submitted and "grad-W1" in submitted else 0)
    if submitted != '"grad-W1" = "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"\n':
        assert "could not be graded" in results["output"]


def test_the_prairielearn_grader_in_the_docs(tmp_path):
    root = tmp_path / "grade"
    (root / "tests").mkdir(parents=True)
    (root / "student").mkdir()
    (root / "tests" / "lesson.toml").write_text(LESSON)
    (root / "student" / "answers.toml").write_text('shape = "1 x H x Dx x H"\n')
    dockerfile = docs_script("Dockerfile")
    assert "COPY grade.sh /usr/local/bin/shapetutor-grade" in dockerfile
    run_script(docs_script("grade.sh"), tmp_path, {"GRADE_ROOT": str(root)})
    results = json.loads((root / "results" / "results.json").read_text())
    valid_prairielearn(results)
    assert results["gradable"] is True and results["score"] == 0.25
