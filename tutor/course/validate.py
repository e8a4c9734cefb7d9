"""Validating a lesson: every author expectation proven, every question answerable by the engine.

Decided with the engine alone (no terminal, no rendering): the author's expectations
against the answer key, then each step's own answer judged as a learner's would be.
"""
from __future__ import annotations

import time

from ..engine.errors import Span, TutorError
from .answer_key import AnswerKey
from .kinds import KINDS
from .lesson import Lesson, LessonError, Locator
from .session import Session
from .step import LessonStep

#: Validating plays the whole lesson; one that takes longer is stopped and refused, not waited for.
#: The limit is CPU time, which a loaded machine does not steal, with a generous wall-clock backstop
#: for a machine so loaded that the lesson barely runs. (Each evaluation is also priced before it
#: runs: engine/budget.py.)
MAX_SECONDS = 8.0
MAX_WALL_SECONDS = 120.0


def validate(lesson: Lesson, seconds: float = MAX_SECONDS, wall_seconds: float = MAX_WALL_SECONDS) -> list[LessonError]:
    """Every author expectation against the engine, then a full automatic play, within `seconds` of CPU time."""
    errors: list[LessonError] = []
    answers = AnswerKey(lesson)
    cpu_start, wall_start = time.process_time(), time.monotonic()

    where = Locator(lesson.source) if lesson.source else None       # read once: a lesson may have 10,000 steps
    index = {s.id: i for i, s in enumerate(lesson.steps)}

    def fail(step: LessonStep, message: str, key: str | None = None) -> LessonError:
        line = where.step(index[step.id], key) if where else step.line
        errors.append(LessonError(message, Span(line, 0, 1), source=lesson.source, origin=str(lesson.path or "")))
        return errors[-1]

    def on_time(step: LessonStep) -> None:
        if time.process_time() - cpu_start >= seconds:
            fail(step, f"validating stopped at step {step.id!r}: the lesson took longer than {seconds:g} s of CPU "
                       "time to play (the limit)", None)
            raise OutOfTime
        if time.monotonic() - wall_start >= wall_seconds:
            fail(step, f"validating stopped at step {step.id!r}: the lesson took longer than {wall_seconds:g} s "
                       "to play, on a machine too busy to run it", None)
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
    """Each expectation an author wrote, proven against the engine's answer by the step's kind."""
    for step in lesson.steps:
        on_time(step)
        def fail_here(message: str, key: str | None = None, step: LessonStep = step) -> Exception:
            return fail(step, message, key)
        KINDS[step.kind].expectations(answers, step, fail_here)


def own_answers(lesson: Lesson, answers: AnswerKey, fail, on_time) -> None:
    """The lesson played through its session: each question answered with the key's own answer must be
    judged right at the first attempt, and each view must be computable."""
    session = Session(lesson, answers)
    while not session.finished:
        step = session.step
        on_time(step)
        if step.is_question:
            answer = answers.answer(step)  # empty: a gradient too long to write out, nothing to type
            accepted = not answer or bool(session.ask().play([answer]).correct)
        else:
            accepted = KINDS[step.kind].play(answers, step)
        if not accepted:
            fail(step, f"step {step.id!r}: the engine's own answer was not accepted when played")
        session.advance()
