"""A lesson being played, as data: where the learner is, and each question's attempts and hints.

The terminal runner, `lesson grade` and `lesson validate` drive this one machine, so a bare
Enter, a hint and an attempt mean the same everywhere. At a question, an entry is:

* `h`: the next hint; with none left it is passed over (the learner is told so, nothing else);
* empty (a bare Enter): the learner gives up, and the question ends with its answer shown;
* anything else: an attempt, judged by the step's kind; the first right one ends the question. A
  first wrong attempt is answered with a hint (where to look); from `TELL_FROM_ATTEMPT` on, the reply
  says the answer too.

Nothing here reads a terminal or renders: each entry returns an event the front draws.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from ..teach.answers import TELL_FROM_ATTEMPT
from .answer_key import AnswerKey
from .kinds import QUESTIONS
from .kinds.base import Judged, QuestionKind
from .lesson import Lesson
from .progress import Entry, content_hash
from .step import LessonStep

HINT = "h"


@dataclass(frozen=True)
class Hint:
    """The next hint was shown."""

    text: str


@dataclass(frozen=True)
class NoHintLeft:
    """`h` with every hint shown already: passed over."""


@dataclass(frozen=True)
class GaveUp:
    """A bare Enter: the question ends, and its answer is shown."""


Event = Hint | NoHintLeft | GaveUp | Judged


@dataclass
class Question:
    """One question's attempt loop: hints used, attempts judged, and whether it is over."""

    step: LessonStep
    key: AnswerKey
    suggestion: bool = False           # keep the right answer in a formula's judgement (a learner at a terminal)
    hints_used: int = 0
    attempts: int = 0
    answer: str | None = None          # the last attempt
    judged: Judged | None = None       # the last attempt, judged
    over: bool = False
    tried: list[tuple[str, Judged]] = field(default_factory=list)   # every attempt, judged, in order

    @property
    def kind(self) -> QuestionKind:
        return QUESTIONS[self.step.kind]

    @property
    def hints(self) -> tuple[str, ...]:
        return self.kind.hints(self.step, self.key.network)

    @property
    def verdict(self) -> str | None:
        return self.judged.verdict if self.judged else None

    @property
    def correct(self) -> bool | None:
        return self.judged.correct if self.judged else None

    def take(self, entry: str) -> Event:
        """One entry of the learner's (see the module's docstring)."""
        if entry == "":
            self.over = True
            return GaveUp()
        if entry == HINT:
            if self.hints_used < len(self.hints):
                self.hints_used += 1
                return Hint(self.hints[self.hints_used - 1])
            return NoHintLeft()
        self.attempts += 1
        self.answer = entry
        judged = self.kind.judge(self.key, self.step, entry, self.suggestion)
        if judged.hint and self.attempts < TELL_FROM_ATTEMPT:  # hint before telling: the answer comes later
            judged = replace(judged, message=judged.hint)
        self.judged = judged
        self.tried.append((entry, self.judged))
        self.over = self.judged.correct
        return self.judged

    def play(self, entries: Iterable[str]) -> "Question":
        """Entries in order until the question is over (the rest are not looked at)."""
        for entry in entries:
            if self.over:
                break
            self.take(entry)
        return self

    def to_json(self) -> dict:
        return {"id": self.step.id, "kind": self.step.kind, "answer": self.answer, "verdict": self.verdict,
                "correct": self.correct, "hints_used": self.hints_used, "attempts": self.attempts}


@dataclass
class Session:
    """A lesson played from `position`: the questions asked so far, and the steps done (for progress)."""

    lesson: Lesson
    key: AnswerKey
    position: int = 0
    questions: list[Question] = field(default_factory=list)
    done: list[str] = field(default_factory=list)

    @classmethod
    def resume(cls, lesson: Lesson, key: AnswerKey, entry: Entry | None = None, start: int | None = None) -> "Session":
        """A session at `start`, or where `entry` (the learner's saved progress) stopped; the steps it
        records as done carry over while the lesson is unchanged."""
        done = list(entry.done) if entry is not None and entry.fingerprint == content_hash(lesson.source) else []
        return cls(lesson, key, resume_at(lesson, entry) if start is None else start, done=done)

    @property
    def step(self) -> LessonStep:
        return self.lesson.steps[self.position]

    @property
    def finished(self) -> bool:
        return self.position >= len(self.lesson.steps)

    def ask(self, suggestion: bool = False) -> Question:
        """The current step's question, started."""
        question = Question(self.step, self.key, suggestion)
        self.questions.append(question)
        return question

    def advance(self) -> None:
        self.position += 1

    def back(self) -> None:
        self.position = max(0, self.position - 1)

    def entry(self, source: str) -> Entry:
        """The progress to save: where to resume, the steps done (every one before this), and the lesson's
        fingerprint."""
        steps = self.lesson.steps
        for step in steps[:self.position]:
            if step.id not in self.done:
                self.done.append(step.id)
        return Entry(None if self.finished else steps[self.position].id, tuple(self.done), len(steps),
                     self.finished, content_hash(self.lesson.source), source)


def resume_at(lesson: Lesson, entry: Entry | None) -> int:
    """Where saved progress resumes: its step, found by id (safe when the lesson has changed since), or
    else the first step not done; the start for a lesson finished or never begun."""
    if entry is None or not entry.step or entry.finished:
        return 0
    found = lesson.index(entry.step)
    return found if found is not None else next((i for i, s in enumerate(lesson.steps) if s.id not in entry.done), 0)
