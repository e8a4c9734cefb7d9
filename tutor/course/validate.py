"""Validating a lesson: every author expectation proven, every question answerable by the engine.

Decided with the engine alone (no terminal, no rendering): the author's expectations
against the answer key, then each step's own answer judged as a learner's would be.
"""
from __future__ import annotations

import time

from ..engine.language.dims import format_shape
from ..engine.errors import Span, TutorError
from ..teach.answers import AnswerError, parse_shape, shape_feedback
from ..teach.jacobian_numbers import jacobian_numbers
from .answer_key import AnswerKey, expected_shape
from .lesson import Lesson, LessonError, Locator, Step

#: Validating plays the whole lesson; one that takes longer is stopped and refused, not waited for.
#: (Each evaluation is also priced before it runs: engine/budget.py.)
MAX_SECONDS = 8.0


def validate(lesson: Lesson, seconds: float = MAX_SECONDS) -> list[LessonError]:
    """Every author expectation against the engine, then a full automatic play, within `seconds`."""
    errors: list[LessonError] = []
    answers = AnswerKey(lesson)
    deadline = time.monotonic() + seconds

    def fail(step: Step, message: str, key: str | None = None) -> None:
        line = step.line
        if lesson.source:
            index = lesson.steps.index(step)
            line = Locator(lesson.source).step(index, key)
        errors.append(LessonError(message, Span(line, 0, 1), source=lesson.source, origin=str(lesson.path or "")))

    def on_time(step: Step) -> None:
        if time.monotonic() > deadline:
            fail(step, f"validating stopped at step {step.id!r}: the lesson took longer than {seconds:g} s to play "
                       "(the limit)", None)
            raise OutOfTime

    try:
        check_expectations(lesson, answers, fail, on_time)
        if not errors:
            own_answers(lesson, answers, fail, on_time)
    except OutOfTime:
        pass
    except TutorError as exc:
        errors.append(LessonError(f"playing the lesson failed: {exc.message}", origin=str(lesson.path or "")))
    return errors


class OutOfTime(Exception):
    """Validation ran past its time (already reported)."""


def check_expectations(lesson: Lesson, answers: AnswerKey, fail, on_time) -> None:
    """Each expectation an author wrote, proven against the engine's answer."""
    net = lesson.network
    for step in lesson.steps:
        on_time(step)
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
                feedback = shape_feedback(given, want, answers.bindings, step.of or step.node or "", step.wrt or "",
                                          net.shapes.get(step.of or step.node, ()), net.shapes.get(step.wrt, ()))
                if not feedback.ok:
                    fail(step, f"step {step.id!r}: the author expects {step.expect}, but the engine says "
                               f"{format_shape(want)}", "expect")
        if step.kind == "show" and step.view == "check":
            result = answers.check(step.wrt, step.derivation)
            if result.verdict == "unusable" and step.expect_verdict != "unusable":
                fail(step, f"step {step.id!r}: the derivation cannot be checked: {result.diagnostics[0].message}",
                     "derivation")
                continue
            if step.expect_verdict and result.verdict != step.expect_verdict:
                fail(step, f"step {step.id!r}: the author expects the verdict {step.expect_verdict}, but the "
                           f"engine says {result.verdict}", "expect_verdict")
        if step.kind == "ask-gradient" and step.expect is not None:
            result = answers.check(step.wrt, step.expect)
            if result.verdict == "unusable":
                fail(step, f"step {step.id!r}: expect = {step.expect!r} cannot be checked: "
                           f"{result.diagnostics[0].message}", "expect")
                continue
            if not result.correct:
                fail(step, f"step {step.id!r}: the author's expected answer is {result.verdict}, not correct",
                     "expect")


def own_answers(lesson: Lesson, answers: AnswerKey, fail, on_time) -> None:
    """Each question answered with the key's own answer must be judged right, and each view computable."""
    for step in lesson.steps:
        on_time(step)
        accepted = True
        if step.kind == "ask-shape":
            accepted = answers.judge_shape(step, answers.shape_answer(step)).correct
        elif step.kind == "ask-gradient":
            formula = answers.formula(step.wrt)
            accepted = not formula or answers.check(step.wrt, formula).correct
        elif step.kind == "show" and step.view == "check":
            answers.check(step.wrt, step.derivation)
        elif step.kind == "show" and step.view == "numbers":
            jacobian_numbers(answers.derivation, step.wrt)
        elif step.kind == "show" and step.view not in ("shapes", "factor"):
            answers.derivation.gradients[step.wrt].chain
        if not accepted:
            fail(step, f"step {step.id!r}: the engine's own answer was not accepted when played")
