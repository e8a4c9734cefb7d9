"""What to try next, when a walk or a lesson ends: one command the learner can type.

After a walk, a lesson on the same network (the first one not about something else), or else
`check` on the learner's own derivation of the gradient just walked. After a lesson, the next
bundled lesson in order, or, after the last one, `check` on a derivation of their own.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .bundled import bundled

if TYPE_CHECKING:
    from .lesson import Lesson

#: How a bundled example names itself as a network's origin.
BUNDLED = " (bundled)"


@dataclass(frozen=True)
class NextStep:
    """A sentence saying why, and the command to type."""

    why: str
    command: str


def check_own(network: str, leaf: str) -> NextStep:
    return NextStep(f"write ∂J/∂{leaf} yourself and have it checked",
                    f"shapetutor check {network} --wrt {leaf} 'd{leaf} = ...'")


def lesson_networks(network: str | None = None) -> dict[str, tuple[str, frozenset[str]]]:
    """Bundled lesson id → the bundled network it uses and the leaves its steps are about (lessons with
    a network of their own are left out). With `network`, only the lessons whose text names it are read:
    the others cannot be on it, and a walk waits for what it reads."""
    out: dict[str, tuple[str, frozenset[str]]] = {}
    for lesson_id, entry in bundled().items():
        try:
            text = entry.read_text(encoding="utf-8")  # type: ignore[attr-defined]
            if network is not None and network not in text:
                continue
            import tomllib
            data = tomllib.loads(text)
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        table, steps = data.get("network", {}), data.get("steps", [])
        if isinstance(table, dict) and isinstance(table.get("bundled"), str) and isinstance(steps, list):
            about = frozenset(s["wrt"] for s in steps if isinstance(s, dict) and isinstance(s.get("wrt"), str))
            out[lesson_id] = (table["bundled"], about)
    return out


def after_walk(network: str, leaf: str) -> tuple[NextStep, ...]:
    """A bundled lesson on the walked network (one about the walked leaf first), and checking a derivation
    of one's own."""
    on_it = [(lesson_id, about) for lesson_id, (used, about) in lesson_networks(network).items() if used == network]
    lesson = next((lesson_id for lesson_id, about in on_it if leaf in about), on_it[0][0] if on_it else None)
    own = check_own(network, leaf)
    if lesson is None:
        return (own,)
    return NextStep("the same network as a lesson, with questions", f"shapetutor lesson run {lesson}"), own


def after_lesson(lesson: Lesson) -> NextStep:
    """The next bundled lesson; after the last (or a lesson of one's own), a derivation of one's own checked."""
    from .lesson import INLINE
    order = list(bundled())
    if lesson.id in order and order.index(lesson.id) + 1 < len(order):
        return NextStep("the next lesson", f"shapetutor lesson run {order[order.index(lesson.id) + 1]}")
    origin = lesson.network.origin
    network = origin.removesuffix(BUNDLED) if origin.endswith(BUNDLED) else None if origin == INLINE else origin
    leaf = next((s.wrt for s in reversed(lesson.steps) if s.kind == "ask-gradient" and s.wrt), None)
    if network is not None and leaf is not None:
        return check_own(network, leaf)
    return NextStep("walk the chain rule through a network of your own", "shapetutor walk my_net.net")
