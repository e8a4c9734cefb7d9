"""A class at once: `lesson grade LESSON --answers DIR --report report.html [--json]` grades every
answers file in DIR against one answer key and writes the report a TA opens: the score distribution,
each question's right and wrong counts, and the mistakes ranked by how many students made them, each
with its concept and two anonymised examples; charts inline as SVG, no script, printable."""
from __future__ import annotations

import json
import os
import re

import jsonschema
import pytest
from typer.testing import CliRunner

import tutor.schemas

from tutor.cli import app
from tutor.course.classroom import grade_folder
from tutor.course.lesson import parse

from test_handouts import browser, png_pixels, screenshot

runner = CliRunner()
LESSON = """format_version = 1
id = "class"
title = "A class's lesson"
summary = "Two questions."

[network]
bundled = "default"
dims = { Dx = 4, H = 3, Dy = 2 }

[[steps]]
id = "shape-W1"
kind = "ask-shape"
node = "W1"

[[steps]]
id = "grad-W1"
kind = "ask-gradient"
wrt = "W1"
points = 2
"""
RIGHT = "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"
TRANSPOSED = "((yhat - y) @ W2.T * h * (1 - h)).T @ x"
SHAPE_ERROR = "(yhat - y) @ W2.T * h * (1 - h) @ x"
SUBMISSIONS = {
    "ada-lovelace.toml": {"shape-W1": "Dx x H", "grad-W1": RIGHT},
    "ben-ohm.toml": {"shape-W1": "H x Dx", "grad-W1": TRANSPOSED},
    "cy-young.toml": {"shape-W1": ["H x Dx", "Dx x H"], "grad-W1": [SHAPE_ERROR, TRANSPOSED]},
    "dee-dee.toml": {"shape-W1": "H x Dx"},
    "eve-curie.toml": {"grad-W1": "(x.T @ ((yhat - y) @ W2.T * h * (1 - h))).T"},
}


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("SHAPETUTOR_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture
def lesson(tmp_path):
    path = tmp_path / "class.toml"
    path.write_text(LESSON)
    return str(path)


@pytest.fixture
def folder(tmp_path):
    out = tmp_path / "submissions"
    out.mkdir()
    for name, answers in SUBMISSIONS.items():
        (out / name).write_text("".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in answers.items()))
    (out / "broken.toml").write_text("shape-W1 = [")
    (out / "a-folder").mkdir()                                     # not a submission
    os.symlink(out / "ada-lovelace.toml", out / "link.toml")                # nor is a link
    return out


@pytest.mark.parametrize("workers", [1, 2], ids=["one-process", "forked-workers"])
def test_the_class_is_graded_with_one_answer_key(folder, workers):
    classroom = grade_folder(parse(LESSON, "class.toml", None), str(folder), workers=workers)
    assert [s.file for s in classroom.submissions] == ["ada-lovelace.toml", "ben-ohm.toml", "broken.toml", "cy-young.toml", "dee-dee.toml",
                                                       "eve-curie.toml"]
    assert [s.score for s in classroom.submissions] == [3, 0, 0, 1, 0, 0]
    assert not classroom.submissions[2].graded and "TOML syntax error" in classroom.submissions[2].reason
    assert classroom.question_counts() == {"shape-W1": (2, 2, 1), "grad-W1": (1, 3, 1)}
    ranked = [(m.question, m.verdict, m.shape or m.code, m.students) for m in classroom.mistakes()]
    # H×Dx: ben, cy (later right) and dee; the transposed formula: ben and cy (and eve's is transposed too)
    assert ranked[0] == ("shape-W1", "wrong_shape", "H×Dx", 3)
    assert ranked[1][:2] == ("grad-W1", "transposed") and ranked[1][3] == 3
    assert ("grad-W1", "shape_error", "E201", 1) in ranked
    assert all(len(m.examples) <= 2 for m in classroom.mistakes())


def test_the_report_a_ta_opens(tmp_path, lesson, folder):
    report = tmp_path / "report.html"
    result = runner.invoke(app, ["lesson", "grade", lesson, "--answers", str(folder), "--report", str(report),
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    jsonschema.validate(data, tutor.schemas.load("grade-class"))
    assert data["max_score"] == 3 and len(data["submissions"]) == 6
    assert data["mistakes"][0]["students"] == 3 and "H×Dx" in data["mistakes"][0]["concept"]
    assert sum(d["students"] for d in data["distribution"]) == 6
    page = report.read_text(encoding="utf-8")
    assert page.count("<svg") == 1 + 2                               # the distribution, and a bar per question
    assert "<script" not in page.lower() and "http" not in page.split("<body", 1)[1]
    for name in SUBMISSIONS:                                       # anonymised: no file names
        assert name not in page and name.split(".")[0] not in page
    assert "3 students" in page and "explain E201" in page and "could not be read" in page
    assert re.search(r"for example <code>[^<]*H x Dx", page)
    assert "break-inside: avoid" in page                           # printable


def test_the_terminal_summary(lesson, folder):
    result = runner.invoke(app, ["lesson", "grade", lesson, "--answers", str(folder), "--plain"])
    assert result.exit_code == 0
    assert "6 submissions" in result.stdout and "3 x shape-W1: answered H x Dx" in result.stdout


@pytest.mark.parametrize("args, fragment", [
    (["--gradescope", "r.json"], "a folder is a class"),
    (["--report", "report.txt"], "a report is a page"),
])
def test_class_mode_refusals(tmp_path, lesson, folder, args, fragment):
    result = runner.invoke(app, ["lesson", "grade", lesson, "--answers", str(folder), *args])
    assert result.exit_code == 2 and fragment in result.stderr


def test_a_report_needs_a_folder_and_never_replaces_a_stranger(tmp_path, lesson, folder):
    one = folder / "ada-lovelace.toml"
    result = runner.invoke(app, ["lesson", "grade", lesson, "--answers", str(one), "--report", str(tmp_path / "r.html")])
    assert result.exit_code == 2 and "--report goes with a folder" in result.stderr
    mine = tmp_path / "mine.html"
    mine.write_text("<p>my page</p>")
    result = runner.invoke(app, ["lesson", "grade", lesson, "--answers", str(folder), "--report", str(mine)])
    assert result.exit_code == 2 and mine.read_text() == "<p>my page</p>"


@pytest.mark.skipif(browser() is None, reason="no headless browser here (apt-get install chromium)")
def test_the_report_renders_in_a_real_browser(tmp_path, lesson, folder):
    report = tmp_path / "report.html"
    assert runner.invoke(app, ["lesson", "grade", lesson, "--answers", str(folder), "--report", str(report)]) \
        .exit_code == 0
    out = tmp_path / "shot.png"
    screenshot(browser(), report, out, 794, 1400, tmp_path / "profile")
    w, h, pixels = png_pixels(out)
    assert (w, h) == (794, 1400)
    assert sum(1 for b in pixels if b not in (0, 255)) / len(pixels) > 0.01


def test_learner_text_in_the_report_is_inert(tmp_path, lesson, folder):
    (folder / "zed.toml").write_text('"grad-W1" = "x \\u001b]0;owned\\u0007 <script>alert(1)</script>"\n')
    report = tmp_path / "report.html"
    assert runner.invoke(app, ["lesson", "grade", lesson, "--answers", str(folder), "--report", str(report)]) \
        .exit_code == 0
    page = report.read_text(encoding="utf-8")
    assert "\x1b" not in page and "\x07" not in page and "<script" not in page and "&lt;script&gt;" in page
