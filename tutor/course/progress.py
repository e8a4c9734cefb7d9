"""A learner's progress through lessons, kept in their state directory.

A lesson's progress is known by the lesson's id *and* its source: a bundled lesson by its id, a
lesson file by its id and its absolute path, so a file that reuses a bundled lesson's id, or two
files with one id, each keep their own. Every save is a merge: under a lock, the file is read
afresh, the lesson's steps done are added to what is there (two runs of one lesson at once both
count), and the result is written to a temporary file and renamed over the old one.

Nothing is ever lost to a bad file: a progress file that cannot be understood (cut mid-write, not
JSON, nested absurdly deep) is set aside as `progress.json.bad-<time>` with a warning before a fresh
one is written, and one that is not a regular file (a named pipe, a device, a folder) is never
read and never replaced. A save that fails is a `ProgressError`.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..engine.errors import TutorError, UnreadableError
from ..engine.files import decode, kind_of, read_bytes, replace_file

#: The progress of thousands of lessons fits in far less.
MAX_PROGRESS_BYTES = 4_000_000
#: A save waits this long for another run holding the lock, then gives up with a message (never hangs).
LOCK_SECONDS = 10.0


class ProgressError(TutorError):
    """The progress file could not be written (or read to be merged)."""


class Unusable(Exception):
    """The progress file is there but cannot be understood: set aside before it is replaced."""


def state_dir() -> Path:
    override = os.environ.get("SHAPETUTOR_STATE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_state_dir
    return Path(user_state_dir("shapetutor", appauthor=False))


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Entry:
    step: str | None = None       # the step to resume at
    done: tuple[str, ...] = ()    # step ids finished
    total: int = 0
    finished: bool = False
    fingerprint: str = ""
    source: str = ""              # the lesson file, for lessons that are not bundled ("" for bundled ones)

    @property
    def percent(self) -> int:
        return 100 if self.finished else min(100, int(100 * len(self.done) / self.total)) if self.total else 0

    def to_json(self, lesson_id: str) -> dict:
        return {"id": lesson_id, "step": self.step, "done": list(self.done), "total": self.total,
                "finished": self.finished, "fingerprint": self.fingerprint, "source": self.source}

    @classmethod
    def from_json(cls, raw) -> "Entry | None":
        """An entry as saved, or None when it is not one (a hand-edited file): such entries are kept, unused."""
        if not isinstance(raw, dict):
            return None
        step, done, total = raw.get("step"), raw.get("done", []), raw.get("total", 0)
        finished, fingerprint, source = raw.get("finished", False), raw.get("fingerprint", ""), raw.get("source", "")
        if not (step is None or isinstance(step, str)) or not isinstance(done, list) \
                or not all(isinstance(s, str) for s in done) or isinstance(total, bool) \
                or not isinstance(total, int) or not 0 <= total < 10**9 or not isinstance(finished, bool) \
                or not isinstance(fingerprint, str) or not isinstance(source, str):
            return None
        return cls(step, tuple(done), total, finished, fingerprint, source)

    def merged(self, newer: "Entry") -> "Entry":
        """This saved entry and a newer one of the same lesson: the steps done by either (the lesson
        unchanged), resuming where the newer one stopped."""
        if newer.fingerprint != self.fingerprint:
            return newer
        done = tuple(dict.fromkeys(self.done + newer.done))
        finished = self.finished or newer.finished
        step = newer.step if newer.step not in done or self.step in done else self.step
        return Entry(None if finished else step, done, newer.total, finished, newer.fingerprint, newer.source)


def key_of(lesson_id: str, source: str) -> str:
    """Where an entry lives in the file: a bundled lesson under its id, a lesson file under its path and id."""
    return f"{source}#{lesson_id}" if source else lesson_id


def identity(key: str, raw) -> tuple[str, str]:
    """(lesson id, source) of a saved entry; files written before entries named their id were keyed by it."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return raw["id"], raw.get("source", "") if isinstance(raw.get("source"), str) else ""
    return key, raw.get("source", "") if isinstance(raw, dict) and isinstance(raw.get("source"), str) else ""


def strict_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def strict_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large a number")
    return value


class Progress:
    def __init__(self, folder: Path | None = None):
        self.folder = folder or state_dir()
        self.path = self.folder / "progress.json"
        self.warnings: list[str] = []
        self.failed = False               # a save failed (said in `warnings`)
        self._cache: dict | None = None

    # -- reading ------------------------------------------------------------------------------------
    def read(self) -> dict:
        if self._cache is None:
            try:
                self._cache = self.load()
            except (Unusable, ProgressError) as exc:
                self.warnings.append(f"the progress file {self.path} could not be read ({exc}); "
                                     "lessons start afresh")
                self._cache = {}
        return self._cache

    def load(self) -> dict:
        """The saved entries by key; `Unusable` for a file that is there but cannot be understood,
        `ProgressError` for one that is not a regular file or cannot be opened."""
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise ProgressError(f"{self.path}: {exc.strerror or exc}") from None
        kind = kind_of(info.st_mode)
        if kind is not None:
            raise ProgressError(f"{self.path} is {kind}, not a regular file")
        if info.st_size > MAX_PROGRESS_BYTES:
            raise Unusable(f"{info.st_size:,} bytes; the limit is {MAX_PROGRESS_BYTES:,}")
        try:
            data = read_bytes(str(self.path), "the progress file", MAX_PROGRESS_BYTES)
        except UnreadableError as exc:
            raise ProgressError(exc.message) from None
        try:
            text = decode(data, str(self.path))
            data = json.loads(text, parse_constant=strict_constant, parse_float=strict_float)
        except UnreadableError as exc:
            raise Unusable(exc.message) from None
        except ValueError as exc:
            raise Unusable(f"not JSON: {exc}") from None
        except RecursionError:
            raise Unusable("nested too deeply") from None
        if not isinstance(data, dict):
            raise Unusable("not a JSON object")
        return data

    def entries(self) -> list[tuple[str, Entry]]:
        """(lesson id, entry) of every usable entry, in the order they were first saved."""
        out = []
        for key, raw in self.read().items():
            entry = Entry.from_json(raw)
            if entry is not None:
                out.append((identity(key, raw)[0], entry))
        return out

    def get(self, lesson_id: str, source: str = "") -> Entry:
        return next((e for i, e in self.entries() if i == lesson_id and e.source == source), Entry(source=source))

    def has(self, lesson_id: str, source: str = "") -> bool:
        return any(i == lesson_id and e.source == source for i, e in self.entries())

    def ids(self) -> list[str]:
        return list(dict.fromkeys(i for i, _ in self.entries()))

    # -- writing ------------------------------------------------------------------------------------
    def put(self, lesson_id: str, entry: Entry) -> None:
        """Merge a lesson's progress into the file; a failure is a warning (the lesson goes on)."""
        def change(data: dict) -> None:
            saved = Entry()
            for key in [k for k, raw in data.items() if identity(k, raw) == (lesson_id, entry.source)]:
                saved = Entry.from_json(data.pop(key)) or saved
            data[key_of(lesson_id, entry.source)] = (saved.merged(entry) if saved.fingerprint else entry).to_json(
                lesson_id)
        try:
            self.update(change)
        except ProgressError as exc:
            self.failed = True
            self.warnings.append(f"progress not saved ({exc.message})")

    def remove(self, lesson_id: str | None, source: str = "") -> None:
        """Forget one lesson's progress (by id and source), or every lesson's; a failure is a `ProgressError`."""
        def change(data: dict) -> None:
            for key in [k for k, raw in data.items() if lesson_id is None or identity(k, raw) == (lesson_id, source)]:
                del data[key]
        self.update(change)

    def update(self, change) -> None:
        """Read, change and write back under a lock. A file that cannot be understood is set aside first."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with self.locked():
                try:
                    data = self.load()  # fresh, under the lock: another run may have written since
                except Unusable as exc:
                    aside = self.set_aside()
                    self.warnings.append(f"the progress file {self.path} could not be read ({exc}); "
                                         f"it is kept as {aside.name} and a fresh one is started")
                    data = {}
                change(data)
                target = os.path.realpath(self.path) if os.path.islink(self.path) else str(self.path)
                replace_file(target, (json.dumps(data, indent=1) + "\n").encode("utf-8"))
                self._cache = data
        except OSError as exc:
            raise ProgressError(f"cannot write the progress file in {self.folder}: {exc.strerror or exc}") from None

    def set_aside(self) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.bad-{stamp}")
        n = 1
        while os.path.lexists(aside):
            n += 1
            aside = self.path.with_name(f"{self.path.name}.bad-{stamp}-{n}")
        os.replace(self.path, aside)
        return aside

    @contextlib.contextmanager
    def locked(self):
        """An exclusive lock on `.progress.lock` beside the file (a regular file, opened without blocking)."""
        lock = self.folder / ".progress.lock"
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0),
                     0o600)
        try:
            kind = kind_of(os.fstat(fd).st_mode)
            if kind is not None:
                raise ProgressError(f"the lock file {lock} is {kind}, not a regular file")
            if not acquire(fd, LOCK_SECONDS):
                raise ProgressError(f"another shapetutor has been saving progress for over {LOCK_SECONDS:g} s "
                                    f"(it holds {lock}); if one is stuck, stop it and try again")
            try:
                yield
            finally:
                release(fd)
        finally:
            os.close(fd)


def acquire(fd: int, seconds: float) -> bool:
    """Take the lock, trying until `seconds` have passed; False if another holder keeps it that long."""
    deadline = time.monotonic() + seconds
    pause = 0.01
    while not try_lock(fd):
        if time.monotonic() >= deadline:
            return False
        time.sleep(pause)
        pause = min(0.2, pause * 2)
    return True


if sys.platform != "win32":  # (a platform check rather than an ImportError, so each branch is type-checked)
    import fcntl

    def try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def release(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
else:  # Windows
    import msvcrt

    def try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def release(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
