"""`say`: prose in Markdown, read and shown."""
from __future__ import annotations

from ...engine.language.network import Network
from ..step import LessonStep
from .base import Fail, StepKind


class Say(StepKind):
    name = "say"
    keys = frozenset({"text"})

    def title(self, step: LessonStep) -> str:
        return "Read"

    def check(self, step: LessonStep, network: Network, fail: Fail) -> None:
        if not step.text.strip():
            raise fail(f"step {step.id!r}: a say step needs `text`", "text")


SAY = Say()
