"""Answers stated before their questions: a `say` step whose text gives away a later question's answer.

A worksheet prints every `say` step, so a sentence that names a question's shape (`a 1×H×Dx×H
tensor`) or writes out its formula above the question hands the answer to everyone. `lesson
validate` warns on each; the author rewords the text or moves it after the question.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from .answer_key import AnswerKey, expected_shape
from .lesson import Lesson, Locator
from .step import LessonStep

#: A shape as prose writes it: dimensions joined by ×, \times, *, commas, or a spaced x (`Dx x H`).
DIM = r"(?:[A-Za-z_][A-Za-z0-9_]*|\d+)"
SEPARATOR = r"(?:\s*(?:×|\\times|\*|,)\s*|\s+[xX]\s+)"
SHAPE = re.compile(rf"(?<![A-Za-z0-9_]){DIM}(?:{SEPARATOR}{DIM})+(?![A-Za-z0-9_])")
SPLIT = re.compile(SEPARATOR)


@dataclass(frozen=True)
class Leak:
    step: LessonStep                  # the say step that states answers
    questions: tuple[LessonStep, ...] # the first questions it answers, later in the lesson (up to `NAMED`)
    count: int                  # how many later questions it answers in all
    stated: str                 # the words that give the first away
    line: int                   # where the say step's text is, in the lesson file


#: A leak names this many of the questions it gives away, and counts the rest.
NAMED = 3


#: The longest shape a question asks for: a Jacobian of two rank-4 arrays.
LONGEST = 8


def shapes_in(text: str) -> dict[tuple[str, ...], str]:
    """Every shape written in `text` (two to `LONGEST` dimensions), as its dimensions → the words."""
    found: dict[tuple[str, ...], str] = {}
    for match in SHAPE.finditer(text):
        words = match.group(0)
        dims = tuple(SPLIT.split(words))
        # a longer run (1×H×Dx×H) also states each run of its dimensions it contains (H×Dx×H)
        for start in range(len(dims)):
            for end in range(start + 2, min(len(dims), start + LONGEST) + 1):
                found.setdefault(dims[start:end], words)
    return found


def squashed(text: str) -> str:
    return re.sub(r"[\s`$]+", "", text)


def leaks(lesson: Lesson, key: AnswerKey) -> list[Leak]:
    """Each `say` step that states the answer of questions asked after it, in the lesson's order. Linear in
    the lesson: each say step is read once, and each distinct answer looked up in it once."""
    where = Locator(lesson.source) if lesson.source else None
    shapes: dict[tuple[str, ...], list[int]] = {}     # a shape asked for → the questions asking it, in order
    formulas: dict[str, list[int]] = {}               # a formula asked for (without spaces) → likewise
    written: dict[str, str] = {}                      # … → the formula as the engine writes it
    for j, question in enumerate(lesson.steps):
        if question.kind == "ask-shape":
            want = tuple(str(d) for d in expected_shape(key.lesson, question))
            if len(want) >= 2:  # a single dimension is named everywhere; a shape of two or more is an answer
                shapes.setdefault(want, []).append(j)
        elif question.is_question:
            formula = key.answer(question)
            if formula:
                formulas.setdefault(squashed(formula), []).append(j)
                written.setdefault(squashed(formula), formula)
    out = []
    for i, step in enumerate(lesson.steps):
        if step.kind != "say":
            continue
        text = f"{step.title}\n{step.text}"
        flat = squashed(text)
        hits = [(asked, words) for shape, words in shapes_in(text).items() if (asked := shapes.get(shape))]
        hits += [(asked, written[formula]) for formula, asked in formulas.items() if formula in flat]
        later = [(asked[bisect_right(asked, i):], words) for asked, words in hits]
        later = [(asked, words) for asked, words in later if asked]
        if not later:
            continue
        first = sorted(j for asked, _ in later for j in asked[:NAMED])[:NAMED]
        words = min(later, key=lambda hit: hit[0][0])[1]
        out.append(Leak(step, tuple(lesson.steps[j] for j in first), sum(len(asked) for asked, _ in later), words,
                        where.step(i, "text") if where else step.line))
    return out


@dataclass(frozen=True)
class HintLeak:
    step: LessonStep                  # the question whose hint states its own answer
    hint: int                   # which hint, from 1
    stated: str                 # the words that give it away
    line: int                   # where the step's hints are, in the lesson file


def accepted_shapes(want: tuple[str, ...]) -> set[tuple[str, ...]]:
    """A shape question's answer as a learner may type it and be right: in full, or with its axes of
    length 1 dropped (as a matrix, or as most notes write a Jacobian)."""
    squeezed = tuple(d for d in want if d != "1")
    out = {want} if len(want) >= 2 else set()
    if len(squeezed) >= 2 and squeezed != want:
        out.add(squeezed)
    return out


def stating_hints(key: AnswerKey, step: LessonStep) -> dict[int, str]:
    """The hints of one question that state its answer (from 1) → the words that do: the shape asked for
    (in full or without its axes of length 1) or the formula. A hint says where to look."""
    if not step.is_question or not step.hints:
        return {}
    if step.kind == "ask-shape":
        shapes = accepted_shapes(tuple(str(d) for d in expected_shape(key.lesson, step)))
        formula = ""
    else:
        shapes, formula = set(), squashed(key.answer(step) or "")
    out = {}
    for n, hint in enumerate(step.hints, 1):
        stated = next((words for shape, words in shapes_in(hint).items() if shape in shapes), None)
        if stated is None and formula and formula in squashed(hint):
            stated = key.answer(step)
        if stated is not None:
            out[n] = stated
    return out


def hint_leaks(lesson: Lesson, key: AnswerKey) -> list[HintLeak]:
    """Each hint that states its own question's answer; a worksheet leaves such a hint out."""
    where = Locator(lesson.source) if lesson.source else None
    return [HintLeak(step, n, stated, where.step(i, "hints") if where else step.line)
            for i, step in enumerate(lesson.steps) for n, stated in stating_hints(key, step).items()]
