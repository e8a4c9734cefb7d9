"""Lessons: validation, every way of running them, exports, progress."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect
import pytest
from typer.testing import CliRunner

from tutor.cli import app
from tutor.course.lesson import bundled, read
from tutor.course.answer_key import AnswerKey, expected_shape

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted(bundled())
runner = CliRunner()
GOOD = """format_version = 1
id = "tiny"
title = "A tiny lesson"
summary = "Two questions."

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
expect = "1×H×Dx×H"
hints = ["z1 first, then W1."]

[[steps]]
id = "grad"
kind = "ask-gradient"
wrt = "b2"
"""


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    folder = tmp_path / "state"
    monkeypatch.setenv("SHAPETUTOR_STATE_DIR", str(folder))
    return folder


def lesson(*args: str, stdin: str | None = None):
    return runner.invoke(app, ["lesson", *args], input=stdin)


def test_list_shows_every_bundled_lesson():
    result = lesson("list")
    assert result.exit_code == 0
    assert len(LESSONS) >= 7
    for name in LESSONS:
        assert name in result.stdout


def test_every_bundled_lesson_validates():
    result = lesson("validate", *[str(ROOT / "lessons" / f"{n}.toml") for n in LESSONS])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("✓") == len(LESSONS)


@pytest.mark.parametrize("name", LESSONS)
def test_every_lesson_runs_to_the_end_without_input(name):
    result = lesson("run", name, "--no-input")
    assert result.exit_code == 0, result.output
    steps = read(name).steps
    assert f"{len(steps)}/{len(steps)}" in result.stdout


@pytest.mark.parametrize("name", LESSONS)
def test_every_lesson_plays_from_an_answers_file(tmp_path, name):
    the_lesson = read(name)
    engine = AnswerKey(the_lesson)
    answers = {}
    for step in the_lesson.steps:
        if step.kind == "ask-shape":
            right = " x ".join(str(d) for d in expected_shape(the_lesson, step)) or "scalar"
            answers[step.id] = ["h", "1", right]   # a hint, a wrong answer, then the right one
        elif step.kind == "ask-gradient":
            answers[step.id] = ["0 * " + step.wrt, engine.formula(step.wrt)]
    path = tmp_path / "answers.toml"
    path.write_text("[answers]\n" + "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in answers.items()))
    result = lesson("run", name, "--answers", str(path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["lesson"] == name
    asked = [r for r in data["steps"] if r["kind"].startswith("ask")]
    assert len(asked) == len(answers)
    for r in asked:
        assert r["correct"] is True, r
        assert r["attempts"] == 2
        if r["kind"] == "ask-shape":
            assert r["hints_used"] == 1


@pytest.mark.parametrize("name", LESSONS)
@pytest.mark.parametrize("suffix", ["html", "md"])
def test_every_lesson_exports(tmp_path, name, suffix):
    path = tmp_path / f"handout.{suffix}"
    result = lesson("export", name, "--output", str(path))
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert read(name).title in text.replace("&#x27;", "'")
    assert list(tmp_path.iterdir()) == [path]
    if suffix == "html":
        assert "<script" not in text and "http" not in text.split("<body", 1)[-1]


def test_exports_to_svg_and_txt(tmp_path):
    for suffix in ("svg", "txt"):
        path = tmp_path / f"h.{suffix}"
        assert lesson("export", "03-batches", "-o", str(path)).exit_code == 0
        assert "1/N" in path.read_text(encoding="utf-8") or "N" in path.read_text(encoding="utf-8")
    assert lesson("export", "03-batches", "-o", str(tmp_path / "h.pdf")).exit_code == 2


def write(tmp_path, text: str, name: str = "lesson.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("change, line, fragment", [
    (lambda t: t.replace('title = "A tiny lesson"', 'title = "A tiny lesson'), 3, "TOML syntax error"),
    (lambda t: t.replace('expect = "1×H×Dx×H"', 'expect = "1×H×H×Dx"'), 20, "the author expects"),
    (lambda t: t.replace('wrt = "W1"', 'wrt = "W7"'), 19, "'W7' is not a node"),
    (lambda t: t.replace('id = "grad"', 'id = "shape"'), 24, "used twice"),
    (lambda t: t.replace('bundled = "default"', 'path = "../outside.net"'), 7, "leaves the lesson's folder"),
    (lambda t: t.replace('kind = "say"', 'kind = "sing"'), 12, "kind must be one of"),
    (lambda t: t.replace("format_version = 1", "format_version = 9"), 1, "format_version"),
    (lambda t: t + '\n[[steps]]\nid = "c"\nkind = "show"\nview = "check"\nwrt = "W1"\n'
                   'derivation = "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"\nexpect_verdict = "transposed"\n',
     34, "expects the verdict transposed"),
])
def test_broken_lessons_are_refused_with_a_location(tmp_path, change, line, fragment):
    (tmp_path.parent / "outside.net").write_text("x: [2]\nJ = sum(x)\n")
    path = write(tmp_path, change(GOOD))
    result = lesson("validate", str(path))
    assert result.exit_code == 2
    assert f"lesson.toml:{line}:" in result.stderr, result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_a_network_file_beside_the_lesson_is_allowed(tmp_path):
    (tmp_path / "net.net").write_text((ROOT / "tutor" / "examples" / "default.net").read_text())
    path = write(tmp_path, GOOD.replace('bundled = "default"', 'path = "net.net"'))
    assert lesson("validate", str(path)).exit_code == 0


def test_reset_asks_or_needs_yes(state, tmp_path):
    from tutor.course.progress import Entry, Progress
    Progress().put("03-batches", Entry("intro", (), 8))
    assert lesson("reset", "03-batches").exit_code == 2          # no terminal, no --yes
    assert lesson("reset", "03-batches", "--yes").exit_code == 0
    assert "03-batches" not in Progress().ids()
    assert lesson("reset", "03-batches", "--yes").exit_code == 2  # nothing left to forget
    assert lesson("reset").exit_code == 2
    path = write(tmp_path, GOOD)                                # a lesson file, by its path
    Progress().put("tiny", Entry("shape", ("intro",), 3, source=str(path.resolve())))
    assert lesson("reset", str(path), "--yes").exit_code == 0
    assert "tiny" not in Progress().ids()


def test_a_corrupted_progress_file_is_a_warning_and_a_fresh_start(state):
    state.mkdir(parents=True)
    (state / "progress.json").write_text('{"01-motivating-question": {"step": "contr')  # cut mid-write
    result = lesson("list")
    assert result.exit_code == 0
    assert "could not be read" in result.stderr
    assert "01-motivating-question" in result.stdout


# -- real terminal -------------------------------------------------------------------------------------

def spawn(args: list[str], state: Path) -> pexpect.spawn:
    env = dict(os.environ, COLUMNS="80", LINES="40", TERM="xterm-256color", SHAPETUTOR_STATE_DIR=str(state),
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return pexpect.spawn(sys.executable, ["-m", "tutor", "lesson", *args], env=env, encoding="utf-8",
                         timeout=30, dimensions=(40, 80))


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else -child.signalstatus


def saved_entry(state: Path, lesson_id: str, path: Path):
    """A lesson file's progress as saved: known by its id and its file."""
    from tutor.course.progress import Progress
    return Progress(state).get(lesson_id, str(path.resolve()))


def test_interactive_run_with_hint_wrong_answer_back_quit_and_resume(tmp_path, state):
    path = write(tmp_path, GOOD)
    child = spawn(["run", str(path)], state)
    child.expect("Enter ▸ ")
    child.sendline("")
    child.expect(r"your answer \(h: hint\): ")
    child.sendline("h")
    child.expect("hint: z1 first, then W1.")
    child.expect(r"your answer \(h: hint\): ")
    child.sendline("1xH")
    child.expect("✗")
    child.expect(r"your answer \(h: hint\): ")
    child.sendline("1 x H x Dx x H")
    child.expect("✓ 1×H×Dx×H")
    child.expect(r"your formula")
    child.sendline("q")
    child.expect("Pick up again with")
    assert finish(child) == 0
    saved = saved_entry(state, "tiny", path)
    assert saved.step == "grad" and saved.done == ("intro", "shape")

    listed = lesson("list")  # bundled only; the tiny lesson is a file
    assert listed.exit_code == 0

    child = spawn(["run", str(path)], state)          # resumes at the gradient question
    child.expect("resuming at step 3")
    child.expect(r"your formula")
    child.sendline("sum(yhat - y, axis=0)")
    child.expect("✓ ∂J/∂b2: correct")
    assert finish(child) == 0
    assert saved_entry(state, "tiny", path).finished is True


def test_resume_by_step_id_after_the_lesson_changed(tmp_path, state):
    path = write(tmp_path, GOOD)
    child = spawn(["run", str(path)], state)
    child.expect("Enter ▸ ")
    child.sendline("")
    child.expect(r"your answer")
    child.sendline("q")
    finish(child)
    # the author inserts a step before the one the learner stopped at
    path.write_text(GOOD.replace('[[steps]]\nid = "shape"', '[[steps]]\nid = "new"\nkind = "say"\ntext = "New."\n\n'
                                                            '[[steps]]\nid = "shape"'))
    child = spawn(["run", str(path)], state)
    child.expect("resuming at step 3 \\(shape\\)")
    child.sendline("q")
    assert finish(child) == 0


def test_ctrl_c_in_a_lesson_exits_130_and_keeps_progress(tmp_path, state):
    path = write(tmp_path, GOOD)
    child = spawn(["run", str(path)], state)
    child.expect("Enter ▸ ")
    child.sendline("")
    child.expect(r"your answer")
    child.sendintr()
    child.expect("Interrupted")
    assert finish(child) == 130
    assert saved_entry(state, "tiny", path).step == "shape"


def test_present_mode_keys(state):
    child = spawn(["run", "01-motivating-question", "--present"], state)
    child.expect("1/13")
    child.send(" ")
    child.expect("2/13")
    child.send("\x1b[C")                     # →
    child.expect(r"3/13")
    child.expect("What is the shape of W1")
    child.send(" ")                          # the answer, on the same step
    child.expect("Dx×H = 4×3")
    child.send("\x1b[D")                     # ←
    child.expect("What is the shape of W1")
    child.send("G")
    child.expect("13/13")
    child.send("g")
    child.expect("go to step")
    child.send("\r")                         # g Enter: the first step
    child.expect("1/13")
    child.send("q")
    assert finish(child) == 0


def test_present_without_a_terminal_prints_every_screen(state):
    result = lesson("run", "06-softmax-cross-entropy", "--present")
    assert result.exit_code == 0
    assert "diag(ŷ) − ŷᵀŷ" in result.stdout and "7/7" in result.stdout
