"""Presenting a lesson to a class (`lesson run --present`), in a real terminal: slides taller than the
screen scroll inside their frame with the title kept, g N / :N jump, the key line names the key that
reveals an answer, speaker notes show with --notes, q leaves a clean screen."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest
from typer.testing import CliRunner

from tutor.cli import app
from tutor.course.lesson import parse

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
CLEAR = "\x1b[2J"

LESSON = '''format_version = 1
id = "present-me"
title = "Presenting [bold]shapes[/bold]"
summary = "A lesson with notes and a network of its own."

[network]
source = """
# A tiny regression net
x: [1, D]
W: [D, K]
y: [1, K]
z = x @ W
J = sum((z - y) ** 2)
"""
dims = { D = 4, K = 3 }

[[steps]]
id = "long"
kind = "say"
title = "A long slide"
notes = "Say that the last line matters most."
text = """
%s

The very last line.
"""

[[steps]]
id = "shapes"
kind = "show"
view = "shapes"

[[steps]]
id = "q"
kind = "ask-shape"
of = "z"
wrt = "W"
notes = "Give them a minute."

[[steps]]
id = "end"
kind = "say"
text = "Done."
''' % "\n\n".join(f"Paragraph number {i}." for i in range(1, 30))


@pytest.fixture
def lesson_file(tmp_path) -> Path:
    path = tmp_path / "present.toml"
    path.write_text(LESSON, encoding="utf-8")
    return path


def spawn(tmp_path: Path, *args: str, rows: int = 24) -> pexpect.spawn:
    env = dict(os.environ, TERM="xterm-256color", SHAPETUTOR_STATE_DIR=str(tmp_path / "state"),
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    return pexpect.spawn(sys.executable, ["-m", "tutor", "lesson", "run", *args], env=env, encoding="utf-8",
                         timeout=30, dimensions=(rows, 80))


def screen_after(child, pattern: str) -> str:
    """The text of the screen drawn when `pattern` shows (everything since the last clear)."""
    child.expect(pattern)
    drawn = child.before + child.after
    return drawn.rsplit(CLEAR, 1)[-1]


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else -child.signalstatus


def test_a_tall_slide_scrolls_inside_its_frame_and_keeps_its_title(tmp_path, lesson_file):
    child = spawn(tmp_path, str(lesson_file), "--present")
    first = screen_after(child, r"q: quit")
    assert "A long slide" in first and "Paragraph number 1." in first and "The very last line." not in first
    assert "↓ more" in first and "↓↑: scroll" in first
    assert len(first.splitlines()) <= 24
    for _ in range(60):
        child.send("j")
    child.send("\x1b[6~")                                   # and a page down: already at the end
    last = ""
    while "The very last line." not in last:
        last = screen_after(child, r"q: quit")
    assert "A long slide" in last and "Paragraph number 1." not in last and "↑ above" in last
    child.send("k")
    assert "A long slide" in screen_after(child, r"q: quit")
    child.send("q")
    assert finish(child) == 0


def test_jumps_reveal_notes_and_a_clean_exit(tmp_path, lesson_file):
    child = spawn(tmp_path, str(lesson_file), "--present", "--notes")
    first = screen_after(child, r"q: quit")
    assert "Say that the last line matters most." in first                # notes below the slide
    child.send("g")
    child.expect("go to step")
    child.send("3\r")
    question = screen_after(child, r"q: quit")
    assert "step 3/4" in question and "What is the shape of the Jacobian ∂z/∂W" in question
    assert "space: reveal the answer" in question and "Give them a minute." in question
    child.send(" ")
    answer = screen_after(child, r"q: quit")
    assert "1×K×D×K = 1×3×4×3" in answer and "space/→: next" in answer
    child.send(":2\r")
    shapes = screen_after(child, r"q: quit")
    assert "step 2/4" in shapes and "Shapes in A tiny regression net" in shapes       # the inline network's title
    assert "Presenting [bold]shapes[/bold]" in shapes                                 # a title is text, not markup
    child.send("g9\r")                                                                # past the end: the last step
    assert "step 4/4" in screen_after(child, r"q: quit")
    child.send("q")
    child.expect_exact(CLEAR)                                                         # q clears the screen
    assert finish(child) == 0


def test_notes_are_validated_and_printed_without_a_terminal(tmp_path, lesson_file):
    result = runner.invoke(app, ["lesson", "run", str(lesson_file), "--present", "--notes"])
    assert result.exit_code == 0, result.output
    assert "Give them a minute." in result.stdout and "A tiny regression net" in result.stdout
    result = runner.invoke(app, ["lesson", "run", str(lesson_file), "--present"])
    assert "Give them a minute." not in result.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(LESSON.replace('notes = "Give them a minute."', "notes = 3"), encoding="utf-8")
    result = runner.invoke(app, ["lesson", "validate", str(bad)])
    assert result.exit_code == 2 and "notes must be a string" in result.stderr
    assert parse(LESSON, "x.toml", None).steps[0].notes == "Say that the last line matters most."
