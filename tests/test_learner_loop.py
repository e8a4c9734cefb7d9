"""The learner's loop, as rustlings has it: `lesson run next`, `check --file F --watch`, and the three
lines a walk ends with (the chain, where it broke, the contraction)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutor.cli import app
from tutor.course.lesson import bundled
from tutor.course.progress import Entry, Progress
from tutor.engine.language.network import load
from tutor.teach.derivation import derive
from tutor.teach.walkthrough import summary

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
RIGHT = "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"
WRONG = "x.T @ ((yhat - y) @ W2.T)"


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    folder = tmp_path / "state"
    monkeypatch.setenv("SHAPETUTOR_STATE_DIR", str(folder))
    return folder


# -- lesson run next --------------------------------------------------------------------------------

def test_run_next_continues_the_first_unfinished_lesson(state):
    lessons = list(bundled())
    progress = Progress(state)
    progress.put(lessons[0], Entry(None, (), 1, True))
    progress.put(lessons[1], Entry("some-step", ("a",), 5, False))
    result = runner.invoke(app, ["lesson", "run", "next", "--no-input"])
    assert result.exit_code == 0, result.output
    assert f"next: {lessons[1]}" in result.stderr
    assert f"lesson: {lessons[1]}" in result.stdout


def test_run_next_when_everything_is_finished(state):
    progress = Progress(state)
    for lesson_id in bundled():
        progress.put(lesson_id, Entry(None, (), 1, True))
    result = runner.invoke(app, ["lesson", "run", "next", "--no-input"])
    assert result.exit_code == 0 and "Every bundled lesson is finished" in result.stderr
    assert not result.stdout


def test_run_next_starts_with_the_first_lesson():
    result = runner.invoke(app, ["lesson", "run", "next", "--no-input"])
    assert result.exit_code == 0 and f"lesson: {next(iter(bundled()))}" in result.stdout


# -- check --watch ----------------------------------------------------------------------------------

def wait_for(path: Path, text: str, proc: subprocess.Popen, timeout: float = 60, times: int = 1) -> None:
    """Until the watcher has printed `text` (`times` times; it writes to a file we read at the end: poll it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.read_text(encoding="utf-8", errors="replace").count(text) >= times:
            return
        assert proc.poll() is None, "the watcher stopped by itself"
        time.sleep(0.1)
    raise AssertionError(f"never printed {text!r}")


def save(path: Path, text: str) -> None:
    """As an editor does: a new file renamed into place (a new inode), not always a new mtime second."""
    temp = path.with_suffix(".tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def run_watch(tmp_path: Path, *extra: str) -> tuple[str, str, int]:
    source = tmp_path / "dW1.py"
    source.write_text(WRONG, encoding="utf-8")
    out_path = tmp_path / "out.txt"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               SHAPETUTOR_STATE_DIR=str(tmp_path / "state"), COLUMNS="100")
    with open(out_path, "w", encoding="utf-8") as out, open(tmp_path / "err.txt", "w", encoding="utf-8") as err:
        proc = subprocess.Popen([sys.executable, "-m", "tutor", "check", "default", "--wrt", "W1", "--file",
                                 str(source), "--watch", *extra], stdout=out, stderr=err, env=env)
        try:
            first = '"verdict": "wrong_value"' if "--json" in extra else "the values are not"
            wait_for(out_path, first, proc)
            save(source, "x.T @ (")                      # saved half-way through typing: unusable
            wait_for(tmp_path / "err.txt", "error[E100]", proc)
            save(source, RIGHT)
            wait_for(out_path, '"verdict": "correct"' if "--json" in extra else "✓ ∂J/∂W1: correct", proc)
            # the note after each check: only then is the check over and its exit code kept (a Ctrl-C while
            # the last check still returns leaves the one before's)
            wait_for(tmp_path / "err.txt" if "--json" in extra else out_path, "save it again", proc, times=3)
        finally:
            proc.send_signal(signal.SIGINT)              # Ctrl-C
            code = proc.wait(timeout=30)
    return out_path.read_text(encoding="utf-8"), (tmp_path / "err.txt").read_text(encoding="utf-8"), code


def test_check_watch_checks_again_on_every_save(tmp_path):
    out, err, code = run_watch(tmp_path)
    assert out.index("the values are not") < out.index("✓ ∂J/∂W1: correct")   # each result printed in turn
    assert out.count("save it again to check again") == 3
    assert "stopped watching" in err and "Traceback" not in err
    assert code == 0                                                            # the last check was right


def test_check_watch_json_is_one_document_per_check(tmp_path):
    out, err, code = run_watch(tmp_path, "--json")
    documents = [json.loads(line) for line in out.splitlines()]
    assert [d["verdict"] for d in documents] == ["wrong_value", "unusable", "correct"]
    assert "checked" in err and code == 0


def test_watch_needs_a_file():
    result = runner.invoke(app, ["check", "default", "--wrt", "W1", "--watch", "--", RIGHT])
    assert result.exit_code == 2 and "--watch needs the derivation in a file" in result.stderr


# -- the walk's summary -----------------------------------------------------------------------------

def test_a_walk_ends_with_three_lines_of_what_it_showed():
    d = derive(load("default"), wrt="W1", check=False)
    chain, broke, contraction = summary(d, "W1")
    assert chain == "The chain: ∂J/∂W1 = ∂J/∂z2 · ∂z2/∂h · ∂h/∂z1 · ∂z1/∂W1."
    assert "at factor 4, ∂z1/∂W1, a 1×H×Dx×H tensor" in broke
    assert "x.T @ dz1" in contraction and "(Dx×1)(1×H) = Dx×H" in contraction
    batch = derive(load("batch"), wrt="W1", check=False)
    _, broke, contraction = summary(batch, "W1")
    assert "factor 2, ∂Z2/∂H1" in broke
    assert contraction.index("dZ2 @ W2.T") < contraction.index("X.T @ dZ1")   # at the break, then at the leaf
    result = runner.invoke(app, ["walk", "default", "--wrt", "W1", "--no-input"])
    assert "What this walk showed" in result.stdout and "Where it broke: at factor 4" in result.stdout


def test_walk_batch_contracts_where_the_chain_breaks():
    out = runner.invoke(app, ["walk", "batch", "--wrt", "W1", "--no-input"]).stdout
    broke = out.index("The naive chain breaks here")
    at_break = out.index("Contracting with ∂Z2/∂H1")
    assert broke < at_break < out.index("Step 3 of 4") < out.index("Contracting with ∂Z1/∂W1")
    assert "dZ2 @ W2.T" in out[at_break:out.index("Step 3 of 4")]
