"""Speaker notes off the class's screen: `lesson notes` follows the presenter in a second terminal,
and `--present --notes-to FILE` keeps FILE holding the current step's notes."""
from __future__ import annotations

import os
import time

import pexpect
import pytest
from typer.testing import CliRunner

from tutor.cli import app
from tutor.course import presenting
from tutor.course.lesson import bundled, parse, read
from tutor.front.present import notes_text

from test_present import LESSON, finish, spawn

runner = CliRunner()


@pytest.fixture
def lesson_file(tmp_path):
    path = tmp_path / "present.toml"
    path.write_text(LESSON, encoding="utf-8")
    return path


def test_a_position_is_published_read_and_withdrawn(tmp_path):
    lesson = parse(LESSON, "present.toml", None)
    where = presenting.position(lesson, 1)
    assert (where.step, where.steps, where.notes, where.next_title) == (
        1, 4, "Say that the last line matters most.", "Shapes")
    assert presenting.publish(where, tmp_path)
    assert presenting.current(tmp_path) == where
    presenting.withdraw(tmp_path, pid=where.pid + 1)                 # not this presenter's: kept
    assert presenting.current(tmp_path) == where
    presenting.withdraw(tmp_path)
    assert presenting.current(tmp_path) is None
    last = presenting.position(lesson, 4)
    assert last.notes == "" and "(no notes for this step)" in notes_text(last) and "(the last step)" in notes_text(last)


def test_a_presenter_that_is_gone_is_ignored(tmp_path):
    lesson = parse(LESSON, "present.toml", None)
    child = pexpect.spawn("true")
    child.expect(pexpect.EOF)
    child.close()
    presenting.publish(presenting.position(lesson, 2, pid=child.pid), tmp_path)
    assert presenting.current(tmp_path) is None
    (tmp_path / presenting.FILE).write_text("{not json")
    assert presenting.current(tmp_path) is None


def test_lesson_notes_once(tmp_path, monkeypatch):
    monkeypatch.setenv("SHAPETUTOR_STATE_DIR", str(tmp_path))
    result = runner.invoke(app, ["lesson", "notes", "--once"])
    assert result.exit_code == 2 and "no lesson is being presented" in result.stderr
    presenting.publish(presenting.position(parse(LESSON, "present.toml", None), 3), tmp_path)
    result = runner.invoke(app, ["lesson", "notes", "--once"])
    assert result.exit_code == 0 and "Give them a minute." in result.stdout and "step 3/4" in result.stdout


def test_notes_follow_the_presenter_and_stay_off_the_slides(tmp_path, lesson_file):
    notes = tmp_path / "notes.txt"
    state = tmp_path / "state"
    child = spawn(tmp_path, str(lesson_file), "--present", "--notes-to", str(notes))
    child.expect("q: quit")
    slide = child.before
    assert "Say that the last line" not in slide                     # not on the class's screen
    assert "Say that the last line matters most." in notes.read_text()
    assert presenting.current(state).step == 1
    follower = runner.invoke(app, ["lesson", "notes", "--once"], env={"SHAPETUTOR_STATE_DIR": str(state)})
    assert "Say that the last line matters most." in follower.stdout and "next: Shapes" in follower.stdout
    child.send(" ")                                                  # step 2: no notes
    child.expect("q: quit")
    deadline = time.monotonic() + 10
    while "step 2/4" not in notes.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "(no notes for this step)" in notes.read_text()
    child.send("q")
    assert finish(child) == 0
    assert not (state / presenting.FILE).exists()                    # the presentation is over


def test_notes_to_needs_present_and_never_replaces_a_stranger(tmp_path, lesson_file):
    result = runner.invoke(app, ["lesson", "run", str(lesson_file), "--notes-to", str(tmp_path / "n.txt")])
    assert result.exit_code == 2 and "--notes-to goes with --present" in result.stderr
    mine = tmp_path / "mine.txt"
    mine.write_text("my own notes")
    child = spawn(tmp_path, str(lesson_file), "--present", "--notes-to", str(mine))
    assert finish(child) == 2 and mine.read_text() == "my own notes"


@pytest.mark.parametrize("name", sorted(bundled()))
def test_every_bundled_lesson_has_speaker_notes(name):
    lesson = read(name)
    assert sum(1 for s in lesson.steps if s.notes.strip()) >= 2


def test_lesson_notes_follows_until_the_presentation_ends(tmp_path):
    import sys
    from test_present import ROOT
    lesson = parse(LESSON, "present.toml", None)
    env = dict(os.environ, TERM="dumb", SHAPETUTOR_STATE_DIR=str(tmp_path),
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    child = pexpect.spawn(sys.executable, ["-m", "tutor", "lesson", "notes"], env=env, encoding="utf-8", timeout=30)
    child.expect("Waiting for a presentation")
    presenting.publish(presenting.position(lesson, 1), tmp_path)
    child.expect("Say that the last line matters most.")
    presenting.publish(presenting.position(lesson, 3), tmp_path)
    child.expect("Give them a minute.")
    presenting.withdraw(tmp_path)
    child.expect("The presentation has ended.")
    assert finish(child) == 0
