"""Where a presenter is, so that the speaker notes can follow on a second screen, off the class's.

`lesson run --present` publishes each step it shows to `presenting.json` in the state directory
(the lesson, the step, its notes and the next step's title); `lesson notes`, in another terminal,
reads it and shows the notes as the presenter moves. The file is replaced whole on every step and
removed when the presentation ends; one left by a presenter that was killed is recognised by its
process id and ignored. Publishing never stops a presentation: a state directory that cannot be
written only means no notes elsewhere.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from ..engine.errors import UnreadableError
from ..engine.files import read_bytes, replace_file
from .lesson import Lesson
from .progress import state_dir

FILE = "presenting.json"
MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class Position:
    """What the presenter's second screen shows: the step on the class's screen and its notes."""

    lesson: str
    title: str
    step: int                 # 1-based
    steps: int
    step_title: str
    notes: str
    next_title: str           # "" at the last step
    pid: int


def position(lesson: Lesson, step: int, pid: int | None = None) -> Position:
    """The position at step `step` (1-based) of `lesson`."""
    from .lesson import step_title
    steps = lesson.steps
    this = steps[step - 1]
    following = step_title(steps[step]) if step < len(steps) else ""
    return Position(lesson.id, lesson.title, step, len(steps), step_title(this), this.notes, following,
                    os.getpid() if pid is None else pid)


def path(folder: Path | None = None) -> Path:
    return (folder or state_dir()) / FILE


def publish(where: Position, folder: Path | None = None) -> bool:
    """Tell the second screen where the presenter is; False when it cannot be written (nothing else happens)."""
    target = path(folder)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():
            return False
        replace_file(str(target), (json.dumps(asdict(where)) + "\n").encode("utf-8"))
    except OSError:
        return False
    return True


def withdraw(folder: Path | None = None, pid: int | None = None) -> None:
    """The presentation is over: remove the file, if it is this presenter's."""
    found = current(folder, check_alive=False)
    if found is not None and found.pid == (os.getpid() if pid is None else pid):
        try:
            path(folder).unlink()
        except OSError:
            pass


def current(folder: Path | None = None, check_alive: bool = True) -> Position | None:
    """Where the presenter is, or None: no presentation, an unreadable file, or a presenter that is gone."""
    target = path(folder)
    if target.is_symlink():
        return None
    try:
        raw = json.loads(read_bytes(str(target), "the presenter's position", MAX_BYTES))
        found = Position(**raw)
    except (OSError, UnreadableError, ValueError, TypeError):
        return None
    if not all(isinstance(getattr(found, k), t) for k, t in (("lesson", str), ("title", str), ("step", int),
                                                              ("steps", int), ("step_title", str), ("notes", str),
                                                              ("next_title", str), ("pid", int))):
        return None
    if check_alive and not alive(found.pid):
        return None
    return found


def alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":  # signal 0 would end the process there: assume it runs
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or a platform that cannot tell: assume it runs
    return True
