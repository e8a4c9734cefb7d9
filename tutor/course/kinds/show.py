"""`show`: one of the engine's views of the lesson's network (the front draws it)."""
from __future__ import annotations

from ...engine.language.network import Network
from ...judge.result import VERDICTS
from ..step import LessonStep
from .ask_shape import shape_expectations
from .base import Fail, Key, StepKind, need_node


VIEWS = ("shapes", "chain", "factor", "contraction", "blocks", "numbers", "gradient", "check")


class Show(StepKind):
    name = "show"
    keys = frozenset({"view", "of", "wrt", "derivation", "expect", "expect_verdict"})

    def title(self, step: LessonStep) -> str:
        return step.view.capitalize()

    def check(self, step: LessonStep, network: Network, fail: Fail) -> None:
        if step.view not in VIEWS:
            raise fail(f"step {step.id!r}: view must be one of {', '.join(VIEWS)}", "view")
        if step.view == "factor":
            need_node(step, network, fail, step.of, "of")
            need_node(step, network, fail, step.wrt, "wrt")
        elif step.view != "shapes":
            need_node(step, network, fail, step.wrt, "wrt", leaf=True)
        if step.view == "check" and not step.derivation:
            raise fail(f"step {step.id!r}: a check view needs a `derivation`", "view")
        if step.expect_verdict is not None and step.expect_verdict not in VERDICTS:
            raise fail(f"step {step.id!r}: expect_verdict must be one of {', '.join(VERDICTS)}", "expect_verdict")

    def expectations(self, key: Key, step: LessonStep, fail: Fail) -> None:
        """A factor's `expect` is its shape; a judged derivation's `expect_verdict` is check's verdict."""
        if step.view == "factor":
            shape_expectations(key, step, fail)
        if step.view != "check":
            return
        assert step.wrt is not None and step.derivation is not None  # required by a check view (checked on reading)
        result = key.check(step.wrt, step.derivation)
        if result.verdict == "unusable" and step.expect_verdict != "unusable":
            fail(f"step {step.id!r}: the derivation cannot be checked: {result.diagnostics[0].message}", "derivation")
        elif step.expect_verdict and result.verdict != step.expect_verdict:
            fail(f"step {step.id!r}: the author expects the verdict {step.expect_verdict}, but the engine says "
                 f"{result.verdict}", "expect_verdict")

    def play(self, key: Key, step: LessonStep) -> bool:
        """Every view is computable (what it costs is priced before it runs: engine/budget.py)."""
        if step.view == "check":
            assert step.wrt is not None and step.derivation is not None
            key.check(step.wrt, step.derivation)
        elif step.view == "numbers":
            from ...teach.jacobian_numbers import jacobian_numbers
            assert step.wrt is not None
            jacobian_numbers(key.derivation, step.wrt)
        elif step.view not in ("shapes", "factor"):
            assert step.wrt is not None
            key.derivation.gradients[step.wrt].chain
        return True


SHOW = Show()
