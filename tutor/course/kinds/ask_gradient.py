"""`ask-gradient`: ∂J/∂wrt as a formula, judged by `check` with its diagnostics."""
from __future__ import annotations

from ...engine.language.network import Network
from ...teach.concepts import concept_hint, gradient_concept
from ..step import LessonStep
from .base import Fail, Judged, Key, QUESTION_KEYS, QuestionKind, need_node



class AskGradient(QuestionKind):
    name = "ask-gradient"
    keys = QUESTION_KEYS | {"wrt", "expect"}

    def check(self, step: LessonStep, network: Network, fail: Fail) -> None:
        need_node(step, network, fail, step.wrt, "wrt", leaf=True)

    def expectations(self, key: Key, step: LessonStep, fail: Fail) -> None:
        """An `expect` the author wrote must be judged correct."""
        if step.expect is None:
            return
        assert step.wrt is not None  # its kind requires it (checked when the lesson is read)
        result = key.check(step.wrt, step.expect)
        if result.verdict == "unusable":
            fail(f"step {step.id!r}: expect = {step.expect!r} cannot be checked: {result.diagnostics[0].message}",
                 "expect")
        elif not result.correct:
            fail(f"step {step.id!r}: the author's expected answer is {result.verdict}, not correct", "expect")

    def text(self, step: LessonStep) -> str:
        return f"Write ∂J/∂{step.wrt} as a formula"

    def default_hints(self, step: LessonStep) -> tuple[str, ...]:
        return ("Follow the chain from the loss, one factor at a time.",)

    def concept_hints(self, step: LessonStep, network: Network) -> tuple[str, ...]:
        return (concept_hint(gradient_concept(network, step.wrt)),) if step.wrt in network.leaves else ()

    def asks(self, step: LessonStep) -> tuple:
        return ("gradient", step.wrt)

    def answer(self, key: Key, step: LessonStep) -> str:
        assert step.wrt is not None
        return key.formula(step.wrt)

    def judge(self, key: Key, step: LessonStep, text: str, suggestion: bool = False) -> Judged:
        """Text that cannot be read is the verdict `unusable`, with its located diagnostic."""
        assert step.wrt is not None
        result = key.check(step.wrt, text, suggestion=suggestion)
        return Judged(result.verdict, check=result)


ASK_GRADIENT = AskGradient()
