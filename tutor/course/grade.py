"""Grading a lesson from an answers file: points per question, and hints that cost what the lesson says.

The answers file is the one `lesson run --answers` replays: step id → an answer, or a list of
attempts in order, where `"h"` asks for a hint. Each question is played the way the runner plays
it (hints shown one at a time, a `h` with no hint left passed over, the first right answer ends
the question) and judged by the engine alone: no terminal, no rendering. A question answered
right scores its points less its hints' cost, never below 0; a wrong or missing answer scores 0.

Judging costs time, so a submission is judged within a budget: the first `MAX_ATTEMPTS` attempts
at each question, `MAX_JUDGED` in all, in `MAX_CPU_SECONDS` of CPU time; attempts past it are
counted and reported (`unjudged`), never judged, so an answers file of thousands of attempts is
graded in seconds, not hours.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..engine.errors import UnreadableError
from ..engine.files import read_text
from ..judge.result import CheckResult
from .answer_key import AnswerKey, question_text
from .kinds.base import Judged
from .lesson import MAX_LESSON_BYTES, Lesson, LessonError, read_toml
from .session import HINT, Question
from .step import LessonStep

#: The grading budget (see the module's docstring).
MAX_ATTEMPTS = 20
MAX_JUDGED = 200
MAX_CPU_SECONDS = 60.0


@dataclass
class Budget:
    """What is left of a submission's judging budget: attempts, and CPU time (`time.process_time`)."""

    attempts: int = MAX_JUDGED
    seconds: float = MAX_CPU_SECONDS
    start: float = field(default_factory=time.process_time)

    def spend(self) -> bool:
        """Take one attempt's share; False once the budget is spent (the attempt is not judged)."""
        if self.attempts <= 0 or time.process_time() - self.start > self.seconds:
            return False
        self.attempts -= 1
        return True


@dataclass(frozen=True)
class StepGrade:
    """One question, graded."""

    step: LessonStep
    points: float                     # what the question is worth
    score: float
    verdict: str | None               # None: not answered
    answer: str | None                # the last attempt
    hints_used: int
    attempts: int
    hint_cost: float                  # points taken off for the hints
    check: CheckResult | None = None  # an ask-gradient's last attempt, judged (without the answer given away)
    feedback: str = ""                # an ask-shape's last attempt, judged in words
    unjudged: int = 0                 # attempts past the budget: counted, not judged
    tried: tuple[tuple[str, Judged], ...] = ()   # every judged attempt, in order (a class's mistakes)

    @property
    def question(self) -> str:
        return question_text(self.step)

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"


@dataclass(frozen=True)
class Grade:
    lesson: Lesson
    steps: tuple[StepGrade, ...]
    ignored: tuple[str, ...] = ()     # answers for ids that are not questions of the lesson

    @property
    def score(self) -> float:
        return tidy(sum(s.score for s in self.steps))

    @property
    def max_score(self) -> float:
        return tidy(sum(s.points for s in self.steps))

    @property
    def unjudged(self) -> int:
        return sum(s.unjudged for s in self.steps)


def tidy(x: float) -> float:
    """Points as a person reads them: 0.1 + 0.2 is 0.3, and 2.0 is 2."""
    x = round(x, 6)
    return int(x) if x == int(x) else x


def grade(lesson: Lesson, answers: dict[str, list[str]], budget: Budget | None = None,
          key: AnswerKey | None = None) -> Grade:
    """A submission graded; `key` shares one answer key (and its derivation) among a class's submissions."""
    key = key or AnswerKey(lesson)
    budget = budget or Budget()
    questions = [s for s in lesson.steps if s.is_question]
    asked = {s.id for s in questions}
    graded = tuple(grade_step(key, step, answers.get(step.id, []), budget) for step in questions)
    return Grade(lesson, graded, tuple(k for k in answers if k not in asked))


def grade_step(key: AnswerKey, step: LessonStep, entries: list[str], budget: Budget | None = None) -> StepGrade:
    """One question played from its entries, as the runner plays them (`session.Question`), and scored;
    attempts past the budget are counted, not judged."""
    budget = budget or Budget()
    played = Question(step, key)
    unjudged = 0
    for entry in entries:
        if played.over:
            break
        if entry not in ("", HINT) and (played.attempts >= MAX_ATTEMPTS or not budget.spend()):
            unjudged += 1
            continue
        played.take(entry)
    judged = played.judged
    cost = tidy(played.hints_used * key.lesson.cost_of_hints(step))
    score = tidy(max(0.0, step.points - cost)) if played.correct else 0
    return StepGrade(step, step.points, score, played.verdict, played.answer, played.hints_used, played.attempts,
                     cost, judged.check if judged else None, judged.message if judged else "", unjudged,
                     tuple(played.tried))


def read_answers(path: str) -> dict[str, list[str]]:
    """An answers file: a TOML table (optionally under `[answers]`) from step id to an answer or a list of them."""
    try:
        text = read_text(path, "the answers file", MAX_LESSON_BYTES)
    except UnreadableError as exc:
        raise LessonError(exc.message, origin=exc.origin, expected=exc.expected) from None
    data = read_toml(text, path)
    table = data.get("answers", data)
    if not isinstance(table, dict):
        raise LessonError(f"{path}: `answers` must be a table from step id to answer", origin=path)
    out: dict[str, list[str]] = {}
    for step_id, value in table.items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            raise LessonError(f"{path}: the answer for {step_id!r} must be a string or a list of strings",
                              origin=path, expected='step-id = "answer", or step-id = ["h", "answer"]')
        out[step_id] = values
    return out

