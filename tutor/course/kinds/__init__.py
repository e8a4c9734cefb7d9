"""The kinds of lesson step, one module each, in one table keyed by the `kind` a lesson writes.

A new kind is one module here (its keys, checks, validation and, for a question, its grading)
and one renderer in `tutor/front/step_views.py`; tests hold the table, the renderers and the
JSON schemas' enums together.
"""
from __future__ import annotations

from .ask_gradient import ASK_GRADIENT
from .ask_shape import ASK_SHAPE
from .base import Judged, QuestionKind, StepKind
from .say import SAY
from .show import SHOW, VIEWS

KINDS: dict[str, StepKind] = {k.name: k for k in (SAY, SHOW, ASK_SHAPE, ASK_GRADIENT)}
#: The kinds that ask something (and are graded).
QUESTIONS: dict[str, QuestionKind] = {name: k for name, k in KINDS.items() if isinstance(k, QuestionKind)}


def all_keys() -> frozenset[str]:
    """Every key a step may have, of any kind."""
    return frozenset().union(*(k.keys for k in KINDS.values()))


__all__ = ["KINDS", "QUESTIONS", "VIEWS", "Judged", "QuestionKind", "StepKind", "all_keys"]
