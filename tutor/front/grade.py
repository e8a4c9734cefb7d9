"""A graded lesson, shown: the summary table, and the Gradescope-compatible results object.

Each question's `output` is the feedback a learner would have seen at the terminal, as plain text,
with the fix and the suggestion kept back: graded work is told what is wrong, not the answer.
"""
from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ..course.grade import Grade, StepGrade
from .diagnostics import check_view
from .look import Look
from .text import plain_text


def verdict_words(s: StepGrade, look: Look) -> str:
    if s.verdict is None:
        return "- not answered"
    return look.text(f"{look.ok(s.correct)} {s.verdict.replace('_', ' ')}")


def grade_table(grade: Grade, look: Look) -> Table:
    table = Table(title=Text(look.text(f"{grade.lesson.id}: {grade.score} / {grade.max_score} points")), box=look.box,
                  title_justify="left")
    for column, justify in (("step", "left"), ("question", "left"), ("verdict", "left"), ("hints", "right"),
                            ("score", "right")):
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
        return "not answered" + (f" (hints used: {s.hints_used})" if s.hints_used else "")
    parts = [f"your answer: {s.answer}"]
    if s.check is not None:
        parts.append(plain_text(check_view(s.check, look, reveal=False)))
    else:
        parts.append(look.text(s.feedback))
    if s.attempts > 1:
        parts.append(f"attempts: {s.attempts}")
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
                                  "hints_used": s.hints_used, "hint_cost": s.hint_cost, "attempts": s.attempts}}
                  for s in grade.steps],
        "extra_data": {"lesson": grade.lesson.id, "ignored_answers": list(grade.ignored)},
    }
