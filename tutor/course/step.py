"""One step of a lesson, as read from its `[[steps]]` table (what each key means is its kind's business)."""
from __future__ import annotations

from dataclasses import dataclass

#: Grading: points per question unless a step says otherwise.
DEFAULT_POINTS = 1
#: Keys every step may have, whatever its kind.
COMMON_KEYS = frozenset({"id", "kind", "title", "notes"})


@dataclass(frozen=True)
class LessonStep:
    """One step of a lesson as its author wrote it: a `say`, a `show` or a question."""

    id: str
    kind: str
    line: int
    title: str = ""
    text: str = ""
    view: str = ""
    node: str | None = None
    of: str | None = None
    wrt: str | None = None
    derivation: str | None = None
    expect: str | None = None
    expect_verdict: str | None = None
    hints: tuple[str, ...] = ()
    points: float = DEFAULT_POINTS         # what a question is worth when graded
    hint_cost: float | None = None         # points off per hint used; None: the lesson's
    notes: str = ""                        # speaker notes, for the presenter
    is_question: bool = False              # its kind asks something (set from the kinds' table when read)
