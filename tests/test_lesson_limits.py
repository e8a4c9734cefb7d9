"""Lessons and progress bounded by what they cost, not by luck: a stuck lock holder is waited for
with a timeout and a message, a lesson whose steps are not tables is a located error, and
`lesson validate` limits CPU time, which a loaded machine does not steal.
"""
from __future__ import annotations

import os
import time

import pytest
from typer.testing import CliRunner

from tutor.cli import app
from tutor.course import progress as progress_module, validate as validate_module
from tutor.course.lesson import LessonError, parse
from tutor.course.progress import Entry, Progress, ProgressError
from tutor.course.validate import validate

runner = CliRunner()
LESSON = """format_version = 1
id = "tiny"
title = "A tiny lesson"
summary = "One question."

[network]
bundled = "default"

[[steps]]
id = "shape"
kind = "ask-shape"
node = "z1"
"""


# -- the progress lock -------------------------------------------------------------------------------

@pytest.fixture
def held_lock(tmp_path, monkeypatch):
    """Another run holding the progress lock and never letting go; saves wait 0.3 s for it."""
    fcntl = pytest.importorskip("fcntl")
    monkeypatch.setattr(progress_module, "LOCK_SECONDS", 0.3)
    folder = tmp_path / "state"
    folder.mkdir()
    fd = os.open(folder / ".progress.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    yield folder
    os.close(fd)


def test_a_save_waits_for_a_stuck_lock_holder_then_says_so(held_lock):
    progress = Progress(held_lock)
    started = time.monotonic()
    progress.put("tiny", Entry("shape", (), 1))             # a lesson goes on: the failure is a warning
    assert time.monotonic() - started < 5
    assert progress.failed and "saving progress for over 0.3 s" in progress.warnings[0]
    with pytest.raises(ProgressError, match="stop it and try again"):
        progress.remove(None)                                # forgetting fails loudly: nothing was forgotten


def test_lesson_reset_with_a_stuck_lock_holder_exits_2_with_the_message(held_lock, monkeypatch):
    monkeypatch.setenv("SHAPETUTOR_STATE_DIR", str(held_lock))
    result = runner.invoke(app, ["lesson", "reset", "--all", "--yes"])
    assert result.exit_code == 2 and "saving progress" in result.stderr and "Traceback" not in result.stderr


def test_the_lock_is_taken_once_it_is_free(tmp_path):
    progress = Progress(tmp_path / "state")
    progress.put("tiny", Entry("shape", (), 1))
    assert not progress.failed and Progress(tmp_path / "state").has("tiny")


# -- steps that are not tables -------------------------------------------------------------------------

@pytest.mark.parametrize("steps, what", [
    ('steps = ["say hello"]', "a string"),
    ("steps = [1, 2]", "an integer"),
    ('steps = [{ id = "a", kind = "say", text = "Hi." }, "b"]', "a string"),
    ('steps = [["a"]]', "an array"),
])
def test_steps_that_are_not_tables_are_a_located_error(tmp_path, steps, what):
    text = LESSON.split("[network]")[0] + steps + '\n\n[network]\nbundled = "default"\n'
    line = text.splitlines().index(steps) + 1
    with pytest.raises(LessonError) as caught:
        parse(text, "l.toml", None)
    assert f"is {what}, not a table" in caught.value.message and caught.value.span.line == line
    path = tmp_path / "l.toml"
    path.write_text(text)
    result = runner.invoke(app, ["lesson", "validate", str(path)])
    assert result.exit_code == 2 and f"l.toml:{line}:" in result.stderr and "Traceback" not in result.stderr


# -- validation's limit is CPU time --------------------------------------------------------------------

def test_validation_is_not_a_race_with_the_wall_clock(monkeypatch):
    """On a loaded machine the wall clock runs ahead of the work: validation still finishes."""
    lesson = parse(LESSON, "l.toml", None)
    clock = iter(range(0, 10**6, 5))                         # five seconds pass at every look
    monkeypatch.setattr(validate_module.time, "monotonic", lambda: next(clock))
    assert validate(lesson) == []


def test_validation_stops_at_its_cpu_time_limit(monkeypatch):
    lesson = parse(LESSON, "l.toml", None)
    clock = iter([0.0] + [100.0] * 10)                       # a step that spends 100 s of CPU time
    monkeypatch.setattr(validate_module.time, "process_time", lambda: next(clock))
    errors = validate(lesson)
    assert len(errors) == 1 and "longer than 8 s of CPU time" in errors[0].message


# -- a lesson at the size limit is validated in seconds ---------------------------------------------------

def test_a_lesson_at_the_size_limit_validates_in_seconds(tmp_path):
    """Thousands of questions, each after a say step that gives its answer away: the checks stay linear."""
    from tutor.course.lesson import MAX_LESSON_BYTES
    head = LESSON.split("[[steps]]")[0].replace('bundled = "default"', 'bundled = "default"\ndims = { Dx = 4, H = 3 }')
    pair = ('\n[[steps]]\nid = "s{0}"\nkind = "say"\ntext = "It is a 1×H×Dx×H tensor ({0})."\n'
            '\n[[steps]]\nid = "q{0}"\nkind = "ask-shape"\nof = "z1"\nwrt = "W1"\n')
    count = (MAX_LESSON_BYTES - len(head)) // len(pair.format(99999))
    text = head + "".join(pair.format(i) for i in range(count))
    assert len(text.encode()) <= MAX_LESSON_BYTES and count > 4000
    path = tmp_path / "big.toml"
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    result = runner.invoke(app, ["lesson", "validate", str(path)])
    assert time.monotonic() - started < 20                     # well within, even on a loaded machine
    assert result.exit_code == 0
    assert result.stderr.count("warning:") == count            # one line per say step
    assert "'q1', 'q2', 'q3' and" in result.stderr


def test_a_say_step_longer_than_any_screen_is_drawn_up_to_a_screenful(tmp_path, monkeypatch):
    """A lesson whose text is one 1 MB Markdown table: its first rows and a note, not minutes of drawing."""
    from tutor.front.step_views import SAY_LINES
    monkeypatch.setenv("SHAPETUTOR_STATE_DIR", str(tmp_path / "state"))
    rows = "".join(f"| {i} | x{i} | y{i} |\n" for i in range(30000))
    text = LESSON.split("[[steps]]")[0] + f'[[steps]]\nid = "t"\nkind = "say"\ntext = """\n| a | b | c |\n|---|---|---|\n{rows}"""\n'
    path = tmp_path / "table.toml"
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    result = runner.invoke(app, ["lesson", "run", str(path), "--no-input"])
    assert time.monotonic() - started < 20 and result.exit_code == 0
    assert f"{30002 - SAY_LINES:,} more lines" in result.stdout.replace("\n", " ")
    assert " 100 " in result.stdout and " 29999 " not in result.stdout


def test_a_say_step_of_one_table_row_with_thousands_of_columns_is_cut_to_a_screen(tmp_path, monkeypatch):
    """A 1 MB table that is one row wide, not long: its lines are cut, so drawing costs what a screen holds."""
    from tutor.front.step_views import SAY_LINE_CHARS
    monkeypatch.setenv("SHAPETUTOR_STATE_DIR", str(tmp_path / "state"))
    columns = 60_000
    table = "|" + "h|" * columns + "\n|" + "-|" * columns + "\n|" + "v|" * columns + "\n"
    text = LESSON.split("[[steps]]")[0] + f'[[steps]]\nid = "t"\nkind = "say"\ntext = """\n{table}"""\n'
    path = tmp_path / "wide.toml"
    path.write_text(text, encoding="utf-8")
    started = time.process_time()
    result = runner.invoke(app, ["lesson", "run", str(path), "--no-input"])
    assert time.process_time() - started < 10 and result.exit_code == 0   # minutes and a gigabyte before
    assert f"3 lines cut at {SAY_LINE_CHARS} characters" in result.stdout.replace("\n", " ")
