"""A lesson's answer key: every question's answer, computed by the engine.

An author never writes an answer; the engine computes every one here, and
`validate` proves the author's expectations against them. What each kind of
question asks, and how its answers are judged, is its kind's (`kinds/`).
"""
from __future__ import annotations

from ..engine.language.dims import Shape
from ..engine.language.network import Network
from ..judge.check import check
from ..judge.result import CheckResult
from ..teach.derivation import Derivation, derive
from .kinds import QUESTIONS
from .kinds.ask_shape import expected_shape as shape_of, typed
from .kinds.base import Judged
from .lesson import Lesson
from .step import LessonStep


def expected_shape(lesson: Lesson, step: LessonStep) -> Shape:
    """The answer to an ask-shape step (or the shape a factor view states)."""
    return shape_of(lesson.network, step)


def question_text(step: LessonStep) -> str:
    return QUESTIONS[step.kind].text(step)


def hints(step: LessonStep) -> tuple[str, ...]:
    """The author's hints, or one plain hint when there are none: what `h` shows, one at a time."""
    return QUESTIONS[step.kind].hints(step)


class AnswerKey:
    """The derivation of a lesson's network, computed once and shared by its steps."""

    def __init__(self, lesson: Lesson):
        self.lesson = lesson
        self.bindings = lesson.network.bindings(lesson.dims)
        self._derivation: Derivation | None = None

    @property
    def network(self) -> Network:
        return self.lesson.network

    @property
    def derivation(self) -> Derivation:
        if self._derivation is None:
            self._derivation = derive(self.lesson.network, self.bindings)
        return self._derivation

    def formula(self, leaf: str) -> str:
        return self.derivation.gradients[leaf].formula_code or ""

    def shape_answer(self, step: LessonStep) -> str:
        """The answer to an ask-shape step, as a learner would type it: `1 x H x Dx x H`."""
        return typed(expected_shape(self.lesson, step))

    def answer(self, step: LessonStep) -> str:
        """Any question's answer, as a learner would type it."""
        return QUESTIONS[step.kind].answer(self, step)

    def judge(self, step: LessonStep, text: str, suggestion: bool = False) -> Judged:
        """A learner's answer to any question, judged by its kind."""
        return QUESTIONS[step.kind].judge(self, step, text, suggestion)

    def check(self, leaf: str, text: str, suggestion: bool = True) -> CheckResult:
        from ..notation.judged import check_text  # an answer in LaTeX, Unicode or typed math reads too
        return check_text(self.lesson.network, leaf, text, self.bindings, suggestion=suggestion).result
