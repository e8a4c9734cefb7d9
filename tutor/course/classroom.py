"""A class at once: every answers file in a folder graded against one answer key, and what the class
got wrong, as data for a TA's report.

The lesson is derived once and shared by every submission, which is what makes a folder of 300 cheap
next to 300 processes; on a machine with several cores a large class is graded by forked workers that
inherit that derivation (`grade_folder`'s `workers`). A file that cannot be read is a submission that
scored 0, with the reason. A mistake is grouped by what it says about the learner's understanding: for
a shape question, the shape answered; for a formula, its verdict and the first error's code. Each
group counts the students who made it at least once (a mistake later corrected still counts) and keeps
two example answers, never who wrote them.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.language.dims import Dim, format_shape
from ..engine.errors import TutorError
from ..teach.answers import AnswerError, parse_shape
from .answer_key import AnswerKey
from .grade import grade, read_answers
from .kinds.base import Judged
from .lesson import Lesson, LessonError

#: A class is at most this many files (a folder of thousands is a mistake, not a class).
MAX_SUBMISSIONS = 5000
EXAMPLES = 2
#: Below this many submissions, starting workers costs more than it saves.
PARALLEL_FROM = 40


@dataclass(frozen=True)
class Answered:
    """One question of one submission, as the report counts it."""

    step: str
    verdict: str | None            # None: not answered
    correct: bool


@dataclass(frozen=True)
class Slip:
    """One wrong attempt, with what groups it with others' (see `slip`)."""

    step: str
    verdict: str
    code: str | None               # the first error diagnostic's code, for a formula
    shape: str | None              # the shape answered, for a shape question
    detail: str                    # what the engine told the learner
    answer: str


@dataclass(frozen=True)
class Submission:
    file: str                      # the answers file's name in the folder
    score: float
    reason: str = ""               # why it could not be read ("" when it was graded)
    answered: tuple[Answered, ...] = ()
    slips: tuple[Slip, ...] = ()

    @property
    def graded(self) -> bool:
        return not self.reason


@dataclass
class Mistake:
    """One misconception: which question, what was answered, how many students, two examples."""

    question: str
    verdict: str
    code: str | None
    shape: str | None
    detail: str
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
            for a in sub.answered:
                counts[a.step][0 if a.correct else 2 if a.verdict is None else 1] += 1
        return {k: (v[0], v[1], v[2]) for k, v in counts.items()}

    def mistakes(self) -> list[Mistake]:
        """Every misconception, the most common first."""
        found: dict[tuple, Mistake] = {}
        for sub in self.submissions:
            seen: set[tuple] = set()
            for s in sub.slips:
                key = (s.step, s.verdict, s.code, s.shape)
                mistake = found.setdefault(key, Mistake(s.step, s.verdict, s.code, s.shape, s.detail))
                if key not in seen:
                    seen.add(key)
                    mistake.students += 1
                if len(mistake.examples) < EXAMPLES and s.answer not in mistake.examples:
                    mistake.examples.append(s.answer)
        order = {s.id: i for i, s in enumerate(self.lesson.steps)}
        return sorted(found.values(), key=lambda m: (-m.students, order[m.question], m.verdict))


def slip(lesson: Lesson, step_id: str, kind: str, answer: str, judged: Judged) -> Slip:
    """A wrong attempt and what groups it with others that show the same misunderstanding."""
    if kind == "ask-shape":
        try:
            shape: str | None = format_shape(tuple(d if isinstance(d, Dim) else Dim(d)
                                                   for d in parse_shape(answer, set(lesson.network.dims))))
        except (AnswerError, TutorError):
            shape = None
        detail = judged.message.lstrip("✗ ").splitlines()[0] if judged.message else ""
        return Slip(step_id, judged.verdict, None, shape, detail, answer)
    diagnostics = judged.check.diagnostics if judged.check else ()
    errors = [d for d in diagnostics if d.severity == "error"]
    return Slip(step_id, judged.verdict, errors[0].code if errors else None, None,
                diagnostics[0].message if diagnostics else "", answer)


def answers_files(folder: str) -> list[Path]:
    """The regular files in `folder` (links, sub-folders and hidden files are not submissions), by name."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise LessonError(f"cannot read the folder {folder}: {exc.strerror or exc}", origin=folder) from None
    files = [Path(e.path) for e in entries if e.is_file(follow_symlinks=False) and not e.name.startswith(".")]
    if len(files) > MAX_SUBMISSIONS:
        raise LessonError(f"{folder} holds {len(files):,} files; a class is at most {MAX_SUBMISSIONS:,}",
                          origin=folder, expected="a folder of answers files")
    return files


def grade_file(key: AnswerKey, path: Path) -> Submission:
    """One answers file, graded and reduced to what the report needs."""
    try:
        given = read_answers(str(path))
    except TutorError as error:
        where = f"line {error.span.line}: " if error.span else ""
        return Submission(path.name, 0, where + error.message.replace(str(path) + ": ", ""))
    graded = grade(key.lesson, given, key=key)
    answered = tuple(Answered(s.step.id, s.verdict, s.correct) for s in graded.steps)
    slips = tuple(slip(key.lesson, s.step.id, s.step.kind, answer, judged)
                  for s in graded.steps for answer, judged in s.tried if not judged.correct)
    return Submission(path.name, graded.score, "", answered, slips)


#: The answer key a forked worker inherits (set just before the workers start).
_SHARED: AnswerKey | None = None


def grade_shared(path: Path) -> Submission:
    assert _SHARED is not None
    try:
        return grade_file(_SHARED, path)
    except Exception as exc:  # a bug in one submission's grading is that submission's, not the class's
        return Submission(path.name, 0, f"the grader failed ({type(exc).__name__}); a bug in shapetutor")


def workers_for(count: int) -> int:
    """How many forked workers help: one per core, for a class large enough, where fork is safe."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if count < PARALLEL_FROM or cores < 2 or not sys.platform.startswith("linux"):
        return 1
    return min(cores, 8)


def grade_folder(lesson: Lesson, folder: str, workers: int | None = None) -> Classroom:
    """Every answers file in `folder`, graded with one shared answer key (by forked workers where it helps)."""
    global _SHARED
    key = AnswerKey(lesson)
    files = answers_files(folder)
    workers = workers_for(len(files)) if workers is None else workers
    if workers <= 1:
        return Classroom(lesson, tuple(grade_file(key, path) for path in files))
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    key.derivation  # derived once, here, and inherited by every worker
    _SHARED = key
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            submissions = tuple(pool.map(grade_shared, files, chunksize=max(1, len(files) // (workers * 4))))
    finally:
        _SHARED = None
    return Classroom(lesson, submissions)
