"""A learner's progress through lessons, kept in their state directory.

Writes are atomic (a temporary file, then a rename) and serialised with a lock,
so two runs at once never corrupt the file. A file that cannot be read gives a
warning and a fresh start, never a crash.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


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
    source: str = ""              # the lesson file, for lessons that are not bundled

    @property
    def percent(self) -> int:
        return 100 if self.finished else int(100 * len(self.done) / self.total) if self.total else 0


class Progress:
    def __init__(self, folder: Path | None = None):
        self.folder = folder or state_dir()
        self.path = self.folder / "progress.json"
        self.warnings: list[str] = []
        self._cache: dict[str, dict] | None = None

    def read(self) -> dict[str, dict]:
        if self._cache is None:
            self._cache = self.load()
        return self._cache

    def load(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return data
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            self.warnings.append(f"the progress file {self.path} could not be read ({exc}); starting afresh")
            return {}

    def get(self, lesson_id: str) -> Entry:
        raw = self.read().get(lesson_id)
        if not isinstance(raw, dict):
            return Entry()
        try:
            return Entry(raw.get("step"), tuple(raw.get("done", ())), int(raw.get("total", 0)),
                         bool(raw.get("finished", False)), str(raw.get("fingerprint", "")),
                         str(raw.get("source", "")))
        except (TypeError, ValueError):
            return Entry()

    def put(self, lesson_id: str, entry: Entry) -> None:
        self.update(lambda data: data.__setitem__(lesson_id, {
            "step": entry.step, "done": list(entry.done), "total": entry.total,
            "finished": entry.finished, "fingerprint": entry.fingerprint, "source": entry.source}))

    def ids(self) -> list[str]:
        return list(self.read())

    def remove(self, lesson_id: str | None) -> None:
        self.update(lambda data: data.clear() if lesson_id is None else data.pop(lesson_id, None))

    def update(self, change) -> None:
        """Read, change and write back under a lock; a failure to write is a warning, not a crash."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with self.locked():
                data = self.load()  # fresh, under the lock: another run may have written since
                change(data)
                fd, temp = tempfile.mkstemp(dir=self.folder, prefix=".progress-", suffix=".tmp")
                try:
                    with os.fdopen(fd, "w", encoding="utf-8") as handle:
                        json.dump(data, handle, indent=1)
                        handle.flush()
                        os.fsync(handle.fileno())
                    os.replace(temp, self.path)
                    self._cache = data
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(temp)
                    raise
        except OSError as exc:
            self.warnings.append(f"progress not saved ({exc.strerror or exc}: {self.folder})")

    @contextlib.contextmanager
    def locked(self):
        import fcntl
        with open(self.folder / ".progress.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
