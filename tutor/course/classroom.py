"""A class at once: every answers file in a folder graded against one answer key, and what the class
got wrong, as data for a TA's report.

The lesson is derived once and shared by every submission, which is what makes a folder of 300 cheap
next to 300 processes. A file that cannot be read is a submission that scored 0, with the reason. A
mistake is grouped by what it says about the learner's understanding: for a shape question, the shape
answered; for a formula, its verdict and the first error's code. Each group counts the students who
made it at least once (a mistake later corrected still counts) and keeps two example answers, never
who wrote them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.errors import TutorError
from ..teach.answers import AnswerError, parse_shape
from ..engine.dims import format_shape
from .answer_key import AnswerKey
from .grade import Grade, grade, read_answers
from .kinds.base import Judged
from .lesson import Lesson, LessonError

#: A class is at most this many files (a folder of thousands is a mistake, not a class).
MAX_SUBMISSIONS = 5000
EXAMPLES = 2


@dataclass(frozen=True)
class Submission:
    file: str                      # the answers file's name in the folder
    grade: Grade | None            # None: the file could not be read
    reason: str = ""               # why not

    @property
    def score(self) -> float:
        return self.grade.score if self.grade else 0


@dataclass
class Mistake:
    """One misconception: which question, what was answered, how many students, two examples."""

    question: str                  # the step id
    verdict: str
    code: str | None               # the first error diagnostic's code, for a formula
    shape: str | None              # the shape answered, for a shape question
    detail: str                    # what the engine told the first student who made it
    students: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Classroom:
    lesson: Lesson
    submissions: tuple[Submission, ...]

    @property
    def max_score(self) -> float:
        return sum(s.points for s in self.lesson.steps if s.is_question)

    def question_counts(self) -> dict[str, tuple[int, int, int]]:
        """Step id → (right, wrong, unanswered) over the submissions that could be read."""
        counts = {s.id: [0, 0, 0] for s in self.lesson.steps if s.is_question}
        for sub in self.submissions:
            for g in sub.grade.steps if sub.grade else ():
                counts[g.step.id][0 if g.correct else 2 if g.verdict is None else 1] += 1
        return {k: (v[0], v[1], v[2]) for k, v in counts.items()}

    def mistakes(self) -> list[Mistake]:
        """Every misconception, the most common first."""
        found: dict[tuple, Mistake] = {}
        for sub in self.submissions:
            seen: set[tuple] = set()
            for g in sub.grade.steps if sub.grade else ():
                for answer, judged in g.tried:
                    if judged.correct:
                        continue
                    key = mistake_key(self.lesson, g.step.id, g.step.kind, answer, judged)
                    if key not in found:
                        found[key] = Mistake(g.step.id, judged.verdict, key[2] if g.step.kind != "ask-shape" else None,
                                             key[2] if g.step.kind == "ask-shape" else None, detail_of(judged))
                    mistake = found[key]
                    if key not in seen:
                        seen.add(key)
                        mistake.students += 1
                    if len(mistake.examples) < EXAMPLES and answer not in mistake.examples:
                        mistake.examples.append(answer)
        order = {s.id: i for i, s in enumerate(self.lesson.steps)}
        return sorted(found.values(), key=lambda m: (-m.students, order[m.question], m.verdict))


def mistake_key(lesson: Lesson, step_id: str, kind: str, answer: str, judged: Judged) -> tuple:
    """What groups a wrong answer with others that show the same misunderstanding: (question, verdict,
    the shape answered or the first error's code)."""
    if kind == "ask-shape":
        try:
            shape: str | None = format_shape(tuple(parse_shape(answer, set(lesson.network.dims))))
        except (AnswerError, TutorError):
            shape = None
        return step_id, judged.verdict, shape
    errors = [d for d in (judged.check.diagnostics if judged.check else ()) if d.severity == "error"]
    return step_id, judged.verdict, errors[0].code if errors else None


def detail_of(judged: Judged) -> str:
    """What the engine told the learner, in a line: a shape's judgement, or a formula's first diagnostic."""
    if judged.check is not None:
        return judged.check.diagnostics[0].message if judged.check.diagnostics else ""
    return judged.message.lstrip("✗ ").splitlines()[0] if judged.message else ""


def answers_files(folder: str) -> list[Path]:
    """The regular files in `folder` (links and sub-folders are not submissions), by name."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise LessonError(f"cannot read the folder {folder}: {exc.strerror or exc}", origin=folder) from None
    files = [Path(e.path) for e in entries if e.is_file(follow_symlinks=False) and not e.name.startswith(".")]
    if len(files) > MAX_SUBMISSIONS:
        raise LessonError(f"{folder} holds {len(files):,} files; a class is at most {MAX_SUBMISSIONS:,}",
                          origin=folder, expected="a folder of answers files")
    return files


def grade_folder(lesson: Lesson, folder: str) -> Classroom:
    """Every answers file in `folder`, graded with one shared answer key."""
    key = AnswerKey(lesson)
    submissions = []
    for path in answers_files(folder):
        try:
            given = read_answers(str(path))
        except TutorError as error:
            where = f"line {error.span.line}: " if error.span else ""
            submissions.append(Submission(path.name, None, where + error.message.replace(str(path) + ": ", "")))
            continue
        submissions.append(Submission(path.name, grade(lesson, given, key=key)))
    return Classroom(lesson, tuple(submissions))
