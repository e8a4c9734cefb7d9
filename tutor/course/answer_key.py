"""A lesson's answer key: every question's answer, computed by the engine.

An author never writes an answer; the engine computes every one here, and
`validate` proves the author's expectations against them.
"""
from __future__ import annotations

from ..engine.dims import Shape
from ..judge.check import check
from ..judge.result import CheckResult
from ..teach.derivation import Derivation, derive
from .lesson import Lesson, Step


def expected_shape(lesson: Lesson, step: Step) -> Shape:
    net = lesson.network
    if step.node is not None:
        return net.shapes[step.node]
    return net.shapes[step.of] + net.shapes[step.wrt]


def question_text(step: Step) -> str:
    if step.kind == "ask-gradient":
        return f"Write ∂J/∂{step.wrt} as a formula"
    if step.node is not None:
        return f"What is the shape of {step.node}?"
    return f"What is the shape of the Jacobian ∂{step.of}/∂{step.wrt}?"


class AnswerKey:
    """The derivation of a lesson's network, computed once and shared by its steps."""

    def __init__(self, lesson: Lesson):
        self.lesson = lesson
        self.bindings = lesson.network.bindings(lesson.dims)
        self._derivation: Derivation | None = None

    @property
    def derivation(self) -> Derivation:
        if self._derivation is None:
            self._derivation = derive(self.lesson.network, self.bindings)
        return self._derivation

    def formula(self, leaf: str) -> str:
        return self.derivation.gradients[leaf].formula_code or ""

    def shape_answer(self, step: Step) -> str:
        """The answer to an ask-shape step, as a learner would type it: `1 x H x Dx x H`."""
        return " x ".join(str(d) for d in expected_shape(self.lesson, step)) or "scalar"

    def check(self, leaf: str, text: str) -> CheckResult:
        return check(self.lesson.network, leaf, text, self.bindings)


