"""A graded lesson, shown: the summary table, and the results objects of Gradescope and PrairieLearn.

Each question's `output` is the feedback a learner would have seen at the terminal, as plain text,
with the fix and the suggestion kept back: graded work is told what is wrong, not the answer.
A submission that cannot be graded (its answers file missing or unreadable) still gets a results
object: 0 with the reason on Gradescope, `gradable: false` with the reason on PrairieLearn.
"""
from __future__ import annotations

import json
import os

from rich.console import JustifyMethod
from rich.table import Table
from rich.text import Text

from ..course.answer_key import question_text
from ..course.grade import Grade, StepGrade, tidy
from ..course.lesson import Lesson
from ..engine.errors import TutorError
from .diagnostics import check_view
from .files import write_export
from .look import Look
from .text import plain_text


def verdict_words(s: StepGrade, look: Look) -> str:
    if s.verdict is None:
        return "- not answered"
    return look.text(f"{look.ok(s.correct)} {s.verdict.replace('_', ' ')}")


def grade_table(grade: Grade, look: Look) -> Table:
    table = Table(title=Text(look.text(f"{grade.lesson.id}: {grade.score} / {grade.max_score} points")), box=look.box,
                  title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (("step", "left"), ("question", "left"), ("verdict", "left"),
                                                      ("hints", "right"), ("score", "right"))
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for s in grade.steps:
        hints = f"{s.hints_used}" + (f" (-{s.hint_cost})" if s.hint_cost else "")
        table.add_row(Text(s.step.id), Text(look.text(s.question)), Text(verdict_words(s, look)), Text(hints),
                      Text(f"{s.score} / {s.points}"))
    table.add_section()
    table.add_row(Text("total"), Text(""), Text(""), Text(""), Text(f"{grade.score} / {grade.max_score}"))
    return table


def output(s: StepGrade, look: Look) -> str:
    """What the learner is told about one question: their answer, the judgement, the hints' cost."""
    if s.verdict is None:
        return "not answered" + (f" (hints used: {s.hints_used})" if s.hints_used else "") + (
            f"; {s.unjudged} attempts were not judged (grading judges a limited number)" if s.unjudged else "")
    parts = [f"your answer: {s.answer}"]
    if s.check is not None:
        parts.append(plain_text(check_view(s.check, look, reveal=False)))
    else:
        parts.append(look.text(s.feedback))
    if s.attempts > 1:
        parts.append(f"attempts: {s.attempts}")
    if s.unjudged:
        parts.append(f"{s.unjudged} later attempt{'s were' if s.unjudged > 1 else ' was'} not judged "
                     "(grading judges a limited number of attempts)")
    if s.hints_used:
        parts.append(f"hints used: {s.hints_used}" + (f" (-{s.hint_cost} points)" if s.hint_cost else ""))
    return "\n".join(parts)


def grade_json(grade: Grade) -> dict:
    """Gradescope's results.json shape: `score`, `max_score`, and one test per question (docs/json.md).
    JSON is data: its text is the same whatever terminal asked for it."""
    look = Look()
    return {
        "score": grade.score,
        "max_score": grade.max_score,
        "tests": [{"name": f"{s.step.id}: {s.question}", "score": s.score, "max_score": s.points,
                   "status": "passed" if s.correct else "failed", "output": output(s, look),
                   "extra_data": {"id": s.step.id, "kind": s.step.kind, "verdict": s.verdict, "answer": s.answer,
                                  "hints_used": s.hints_used, "hint_cost": s.hint_cost, "attempts": s.attempts,
                                  "unjudged": s.unjudged}}
                  for s in grade.steps],
        "extra_data": {"lesson": grade.lesson.id, "ignored_answers": list(grade.ignored)},
    }


def ungradable_json(reason: str, lesson: Lesson | None) -> dict:
    """Gradescope's results for a submission that cannot be graded: 0 points, and the reason, shown to the
    learner (every question failed with it, when the lesson is known)."""
    questions = [s for s in lesson.steps if s.is_question] if lesson is not None else []
    return {
        "score": 0,
        "max_score": tidy(sum(s.points for s in questions)),
        "output": f"Your answers could not be graded: {reason}",
        "tests": [{"name": f"{s.id}: {question_text(s)}", "score": 0, "max_score": s.points, "status": "failed",
                   "output": "not graded: the answers could not be read",
                   "extra_data": {"id": s.id, "kind": s.kind, "verdict": None, "answer": None, "hints_used": 0,
                                  "hint_cost": 0, "attempts": 0, "unjudged": 0}} for s in questions],
        "extra_data": {"lesson": lesson.id if lesson is not None else None, "ignored_answers": []},
    }


# -- PrairieLearn ------------------------------------------------------------------------------------

def prairielearn_json(grade: Grade) -> dict:
    """PrairieLearn's external-grader results: `score` in [0, 1] and a test per question with its points.
    An answer that cannot be read (the verdict `unusable`) makes the submission not gradable, as a syntax
    error does in PrairieLearn: the learner is shown why and loses no attempt."""
    look = Look()
    tests = [{"name": f"{s.step.id}: {s.question}", "description": s.question, "points": s.score,
              "max_points": s.points, "message": verdict_words(s, look), "output": output(s, look)}
             for s in grade.steps]
    unreadable = [f"{s.step.id}: {unreadable_reason(s, look)}" for s in grade.steps if s.verdict == "unusable"]
    if unreadable:
        return {"gradable": False, "format_errors": unreadable,
                "message": "Some answers could not be read; fix them and submit again.", "tests": tests}
    return {"gradable": True, "score": round(grade.score / grade.max_score, 6) if grade.max_score else 1.0,
            "message": f"{grade.score} / {grade.max_score} points", "tests": tests}


def ungradable_prairielearn(reason: str) -> dict:
    return {"gradable": False, "format_errors": [reason], "message": f"Your answers could not be graded: {reason}"}


def unreadable_reason(s: StepGrade, look: Look) -> str:
    """Why an answer could not be read, in a line: its first diagnostic, or the shape reader's words."""
    if s.check is not None and s.check.diagnostics:
        d = s.check.diagnostics[0]
        return f"{d.message} (line {d.span.line}, column {d.span.col + 1})" if d.span else d.message
    return look.text(s.feedback.lstrip("✗ "))


# -- writing results ---------------------------------------------------------------------------------

def check_results(path: str, inputs: dict[str, str], force: bool, what: str) -> None:
    """Refuse, before any work, a results file that is a symbolic link or one of the inputs (`inputs`:
    path → what it is), unless `force`: a planted link or a mistyped flag never replaces a submission."""
    if force:
        return
    if os.path.islink(path):
        raise TutorError(f"{what} {path} is a symbolic link (to {os.readlink(path)}); results are not written "
                         "through links", expected="another file name, or --force to write where it points")
    for given, name in inputs.items():
        try:
            same = os.path.samefile(path, given)
        except OSError:  # one of them does not exist (a bundled lesson's id, a results file not written yet)
            same = False
        if same:
            raise TutorError(f"{what} {path} is {name}; results never replace an input",
                             expected="another file name for the results")


def write_results(path: str, data: dict, inputs: dict[str, str], force: bool, what: str) -> None:
    """A results file, replaced whole (results are data, rewritten on every run), after the same refusals."""
    check_results(path, inputs, force, what)
    write_export(path, json.dumps(data, indent=2) + "\n", force=True, what=what)
