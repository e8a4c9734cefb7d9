"""The engine side of lessons: each question's answer, and validation of an author's expectations.

An author never writes an answer; the engine computes every one here. `validate` proves the
author's expectations and then plays the lesson through with the engine's own answers.
"""
from __future__ import annotations

from io import StringIO

from rich.console import Console

from .answers import AnswerError, judge, parse_shape
from .derivation import Derivation, derive
from .dims import Shape, format_shape
from .errors import Span, TutorError
from .lesson import Lesson, LessonError, Locator, Step
from .render import Look
from .ui_prompt import Tee


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


class Engine:
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

    def check(self, leaf: str, text: str):
        from .check import check
        return check(self.lesson.network, leaf, text, self.bindings)


def validate(lesson: Lesson) -> list[LessonError]:
    """Every author expectation against the engine, then a full automatic play."""
    errors: list[LessonError] = []
    engine = Engine(lesson)
    net = lesson.network

    def fail(step: Step, message: str, key: str | None = None) -> None:
        line = step.line
        if lesson.source:
            index = lesson.steps.index(step)
            line = Locator(lesson.source).step(index, key)
        errors.append(LessonError(message, Span(line, 0, 1), source=lesson.source, origin=str(lesson.path or "")))

    for step in lesson.steps:
        if step.kind == "ask-shape" or (step.kind == "show" and step.view == "factor"):
            if step.node is None and step.of and step.wrt and step.wrt not in net.ancestors(step.of):
                fail(step, f"step {step.id!r}: {step.of} does not depend on {step.wrt}, so ∂{step.of}/∂{step.wrt} "
                           "is zero and has no place in a chain", "wrt")
                continue
            if step.expect is not None:
                want = expected_shape(lesson, step)
                try:
                    given = parse_shape(step.expect, set(net.dims))
                except AnswerError as exc:
                    fail(step, f"step {step.id!r}: expect = {step.expect!r}: {exc}", "expect")
                    continue
                feedback = judge(given, want, engine.bindings, step.of or step.node or "", step.wrt or "",
                                 net.shapes.get(step.of or step.node, ()), net.shapes.get(step.wrt, ()))
                if not feedback.ok:
                    fail(step, f"step {step.id!r}: the author expects {step.expect}, but the engine says "
                               f"{format_shape(want)}", "expect")
        if step.kind == "show" and step.view == "check":
            try:
                result = engine.check(step.wrt, step.derivation)
            except TutorError as exc:
                fail(step, f"step {step.id!r}: the derivation cannot be checked: {exc.message}", "derivation")
                continue
            if step.expect_verdict and result.verdict != step.expect_verdict:
                fail(step, f"step {step.id!r}: the author expects the verdict {step.expect_verdict}, but the "
                           f"engine says {result.verdict}", "expect_verdict")
        if step.kind == "ask-gradient" and step.expect is not None:
            try:
                result = engine.check(step.wrt, step.expect)
            except TutorError as exc:
                fail(step, f"step {step.id!r}: expect = {step.expect!r} cannot be checked: {exc.message}", "expect")
                continue
            if not result.correct:
                fail(step, f"step {step.id!r}: the author's expected answer is {result.verdict}, not correct",
                     "expect")
    if not errors:
        try:  # play it through, answering with the engine's own answers
            from .ui_lesson import Runner
            runner = Runner(lesson, Tee(Console(file=StringIO(), width=80)), Look(), mode="auto")
            runner.run()
            if not all(r.correct for r in runner.results if r.correct is not None):
                bad = next(r for r in runner.results if r.correct is False)
                fail(lesson.steps[lesson.index(bad.id)], f"step {bad.id!r}: the engine's own answer was not "
                                                         "accepted when played")
        except TutorError as exc:
            errors.append(LessonError(f"playing the lesson failed: {exc.message}", origin=str(lesson.path or "")))
    return errors
