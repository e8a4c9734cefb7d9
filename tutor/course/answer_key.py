"""A lesson's answer key: every question's answer, computed by the engine.

An author never writes an answer; the engine computes every one here, and
`validate` proves the author's expectations against them.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..engine.dims import Shape
from ..judge.result import CheckResult
from ..teach.answers import AnswerError, judge, parse_shape
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


def hints(step: Step) -> tuple[str, ...]:
    """The author's hints, or one plain hint when there are none: what `h` shows, one at a time."""
    if step.hints:
        return step.hints
    if step.kind == "ask-gradient":
        return ("Follow the chain from the loss, one factor at a time.",)
    if step.node is not None:
        return (f"Look at how {step.node} is defined.",)
    return (f"It has the shape of {step.of} followed by the shape of {step.wrt}.",)


@dataclass(frozen=True)
class ShapeAnswer:
    """A shape question's answer, judged: `correct`, `wrong_shape` or `unusable`, and why in words."""

    verdict: str
    message: str

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"


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

    def check(self, leaf: str, text: str, suggestion: bool = True) -> CheckResult:
        from ..notation.judged import check_text  # an answer in LaTeX, Unicode or typed math reads too
        return check_text(self.lesson.network, leaf, text, self.bindings, suggestion=suggestion).result

    def judge_shape(self, step: Step, text: str) -> ShapeAnswer:
        """A learner's answer to an ask-shape step, read forgivingly and judged dimension by dimension."""
        net = self.lesson.network
        try:
            given = parse_shape(text, set(net.dims))
        except AnswerError as exc:
            return ShapeAnswer("unusable", f"✗ {exc}")
        of, wrt = step.of or step.node or "", step.wrt or ""
        feedback = judge(given, expected_shape(self.lesson, step), self.bindings, of, wrt,
                         net.shapes.get(of, ()), net.shapes.get(wrt, ()))
        return ShapeAnswer("correct" if feedback.ok else "wrong_shape", feedback.message)


