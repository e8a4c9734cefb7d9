"""What every kind of lesson step provides, and what a question adds.

A kind owns its TOML keys and their checks, what `lesson validate` proves about it, and, for a
question, its wording, hints, answer and grading. Nothing here renders: the front draws each kind
from the data these return (`tutor/front/step_views.py`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol

from ...engine.language.network import Network
from ...judge.result import CheckResult
from ...teach.derivation import Derivation
from ..step import LessonStep


class Key(Protocol):
    """What a kind needs of the answer key (`answer_key.AnswerKey`): the network, its numbers and the engine."""

    bindings: dict

    @property
    def network(self) -> Network: ...

    @property
    def derivation(self) -> Derivation: ...

    def formula(self, leaf: str) -> str: ...

    def shape_answer(self, step: LessonStep) -> str: ...

    def check(self, leaf: str, text: str, suggestion: bool = True) -> CheckResult: ...


#: fail(message, key) → the located error to raise (at read time) or to record (when validating).
Fail = Callable[[str, "str | None"], Exception]
#: Keys every question may have.
QUESTION_KEYS = frozenset({"hints", "points", "hint_cost"})


@dataclass(frozen=True)
class Judged:
    """One attempt at a question, judged by the engine alone."""

    verdict: str                         # correct, wrong_shape, unusable, or check's verdicts for a formula
    message: str = ""                    # the judgement in words (a shape question)
    check: CheckResult | None = None     # the full judgement of a formula, with its diagnostics
    hint: str = ""                       # the judgement without the answer: a first wrong attempt's reply

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"


class StepKind:
    """A kind of step that asks nothing: it is read, checked and shown."""

    name: ClassVar[str]
    keys: ClassVar[frozenset[str]]       # its own TOML keys, beyond the common ones
    question: ClassVar[bool] = False

    def title(self, step: LessonStep) -> str:
        """A plain title for a step whose author gave none."""
        raise NotImplementedError

    def check(self, step: LessonStep, network: Network, fail: Fail) -> None:
        """At read time: every name resolves and every key makes sense (raise `fail(...)` if not)."""

    def expectations(self, key: Key, step: LessonStep, fail: Fail) -> None:
        """`lesson validate`: each expectation the author wrote, proven against the engine (record `fail(...)`)."""

    def play(self, key: Key, step: LessonStep) -> bool:
        """`lesson validate`: the step played (a question is played by the session, with its kind's answer)."""
        return True


class QuestionKind(StepKind):
    """A kind of step that asks the learner something and judges the answer."""

    question = True

    def title(self, step: LessonStep) -> str:
        return "Question"

    def text(self, step: LessonStep) -> str:
        """The question, in words."""
        raise NotImplementedError

    def default_hints(self, step: LessonStep) -> tuple[str, ...]:
        """One plain hint, for a question whose author wrote none."""
        raise NotImplementedError

    def concept_hints(self, step: LessonStep, network: Network) -> tuple[str, ...]:
        """After the plain hint, the hint of the concept the question turns on (`teach.concepts`, the
        entry its diagnostics name); none by default."""
        return ()

    def hints(self, step: LessonStep, network: Network | None = None) -> tuple[str, ...]:
        """The author's hints, or the default ones when there are none: what `h` shows, one at a time."""
        if step.hints:
            return step.hints
        return self.default_hints(step) + (self.concept_hints(step, network) if network is not None else ())

    def asks(self, step: LessonStep) -> tuple:
        """The fact the question asks for, as a worksheet compares it with what a view states."""
        raise NotImplementedError

    def answer(self, key: Key, step: LessonStep) -> str:
        """The engine's answer, as a learner would type it."""
        raise NotImplementedError

    def judge(self, key: Key, step: LessonStep, text: str, suggestion: bool = False) -> Judged:
        """A learner's answer, judged; `suggestion` keeps the right answer in a formula's judgement."""
        raise NotImplementedError


def need_node(step: LessonStep, network: Network, fail: Fail, name: str | None, key: str, leaf: bool = False) -> None:
    """`key` names a node (or a leaf) of the network."""
    if name is None:
        raise fail(f"step {step.id!r}: needs `{key}`", None)
    pool = network.leaves if leaf else network.shapes
    if name not in pool:
        raise fail(f"step {step.id!r}: {key} = {name!r} is not a {'leaf' if leaf else 'node'} of the network", key)
