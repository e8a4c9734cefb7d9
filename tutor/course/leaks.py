"""Answers stated before their questions: a `say` step whose text gives away a later question's answer.

A worksheet prints every `say` step, so a sentence that names a question's shape (`a 1×H×Dx×H
tensor`) or writes out its formula above the question hands the answer to everyone. `lesson
validate` warns on each; the author rewords the text or moves it after the question.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .answer_key import AnswerKey, expected_shape
from .lesson import Lesson, Locator
from .step import Step

#: A shape as prose writes it: dimensions joined by ×, \times, *, commas, or a spaced x (`Dx x H`).
DIM = r"(?:[A-Za-z_][A-Za-z0-9_]*|\d+)"
SEPARATOR = r"(?:\s*(?:×|\\times|\*|,)\s*|\s+[xX]\s+)"
SHAPE = re.compile(rf"(?<![A-Za-z0-9_]){DIM}(?:{SEPARATOR}{DIM})+(?![A-Za-z0-9_])")
SPLIT = re.compile(SEPARATOR)


@dataclass(frozen=True)
class Leak:
    step: Step          # the say step that states it
    question: Step      # the question it answers, later in the lesson
    stated: str         # the words that give it away
    line: int           # where the say step's text is, in the lesson file


def shapes_in(text: str) -> dict[tuple[str, ...], str]:
    """Every shape written in `text` (two dimensions or more), as its dimensions → the words."""
    found: dict[tuple[str, ...], str] = {}
    for match in SHAPE.finditer(text):
        words = match.group(0)
        dims = tuple(SPLIT.split(words))
        # a longer run (1×H×Dx×H) also states each run of its dimensions it contains (H×Dx×H)
        for start in range(len(dims)):
            for end in range(start + 2, len(dims) + 1):
                found.setdefault(dims[start:end], words)
    return found


def squashed(text: str) -> str:
    return re.sub(r"[\s`$]+", "", text)


def leaks(lesson: Lesson, key: AnswerKey) -> list[Leak]:
    """Each `say` step that states the answer of a question asked after it."""
    out = []
    where = Locator(lesson.source) if lesson.source else None
    for j, question in enumerate(lesson.steps):
        if not question.is_question:
            continue
        for i, step in enumerate(lesson.steps[:j]):
            if step.kind != "say":
                continue
            stated = stated_answer(key, question, f"{step.title}\n{step.text}")
            if stated:
                out.append(Leak(step, question, stated, where.step(i, "text") if where else step.line))
    return out


def stated_answer(key: AnswerKey, question: Step, text: str) -> str:
    """The words of `text` that state the question's answer, or "" when it does not."""
    if question.kind == "ask-shape":
        want = tuple(str(d) for d in expected_shape(key.lesson, question))
        # a single dimension is named everywhere; a shape of two or more is an answer
        return shapes_in(text).get(want, "") if len(want) >= 2 else ""
    formula = key.answer(question)
    return formula if formula and squashed(formula) in squashed(text) else ""
