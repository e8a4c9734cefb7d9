"""`ask-shape`: the shape of a node (`node`) or of a chain factor ∂of/∂wrt, typed as learners type shapes."""
from __future__ import annotations

from ...engine.language.dims import Shape, format_shape
from ...engine.language.network import Network
from ...engine.language.printer import code
from ...teach.answers import AnswerError, diagonal_step, parse_shape, shape_feedback
from ...teach.concepts import concept_hint, factor_concept
from ...teach.diagonal import diagonal
from ..step import LessonStep
from .base import Fail, Judged, Key, QUESTION_KEYS, QuestionKind, need_node



def expected_shape(network: Network, step: LessonStep) -> Shape:
    """A node's shape, or a factor's: the shape of `of` followed by the shape of `wrt`."""
    if step.node is not None:
        return network.shapes[step.node]
    assert step.of is not None and step.wrt is not None  # its kind requires it (checked when the lesson is read)
    return network.shapes[step.of] + network.shapes[step.wrt]


def typed(shape: Shape) -> str:
    """A shape as a learner would type it: `1 x H x Dx x H`."""
    return " x ".join(str(d) for d in shape) or "scalar"


def judge_shape(key: Key, step: LessonStep, text: str) -> Judged:
    """A shape, read forgivingly and judged dimension by dimension: correct, wrong_shape or unusable. A
    wrong shape's reply tells the answer; its `hint` says only where to look (a first attempt's reply)."""
    net = key.network
    try:
        given = parse_shape(text, set(net.dims))
    except AnswerError as exc:
        return Judged("unusable", f"✗ {exc}")
    of, wrt = step.of or step.node or "", step.wrt or ""
    diag = diagonal(net, of, wrt) if wrt else None  # named in the network's symbols: diag(σ′(z1))
    named = (diag.prime or code(diag.entries)) if diag is not None else diagonal_step(net, of, wrt)
    asked = (given, expected_shape(net, step), key.bindings, of, wrt, net.shapes.get(of, ()),
             net.shapes.get(wrt, ()), named)
    feedback, hint = shape_feedback(*asked), shape_feedback(*asked, tell=False)
    return Judged("correct" if feedback.ok else "wrong_shape", feedback.message,
                  hint=hint.message if hint.message != feedback.message else "")


def shape_expectations(key: Key, step: LessonStep, fail: Fail) -> None:
    """A factor that is zero has no place in a chain; an `expect` the author wrote is the engine's shape.
    (Shared with the factor view, which states the same shape.)"""
    net = key.network
    if step.node is None and step.of and step.wrt and step.wrt not in net.ancestors(step.of):
        fail(f"step {step.id!r}: {step.of} does not depend on {step.wrt}, so ∂{step.of}/∂{step.wrt} "
             "is zero and has no place in a chain", "wrt")
        return
    if step.expect is None:
        return
    want = expected_shape(net, step)
    try:
        given = parse_shape(step.expect, set(net.dims))
    except AnswerError as exc:
        fail(f"step {step.id!r}: expect = {step.expect!r}: {exc}", "expect")
        return
    feedback = shape_feedback(given, want, key.bindings, step.of or step.node or "", step.wrt or "",
                     net.shapes.get(step.of or step.node or "", ()), net.shapes.get(step.wrt or "", ()))
    if not feedback.ok:
        fail(f"step {step.id!r}: the author expects {step.expect}, but the engine says {format_shape(want)}",
             "expect")


class AskShape(QuestionKind):
    name = "ask-shape"
    keys = QUESTION_KEYS | {"node", "of", "wrt", "expect"}

    def check(self, step: LessonStep, network: Network, fail: Fail) -> None:
        if step.node is not None and (step.of or step.wrt):
            raise fail(f"step {step.id!r}: ask either for a node's shape (`node`) or a factor's (`of`, `wrt`), "
                       "not both", "node")
        if step.node is not None:
            need_node(step, network, fail, step.node, "node")
            return
        need_node(step, network, fail, step.of, "of")
        need_node(step, network, fail, step.wrt, "wrt")
        if step.of not in network.definitions:
            raise fail(f"step {step.id!r}: of = {step.of!r} must be a defined node", "of")

    def expectations(self, key: Key, step: LessonStep, fail: Fail) -> None:
        shape_expectations(key, step, fail)

    def text(self, step: LessonStep) -> str:
        if step.node is not None:
            return f"What is the shape of {step.node}?"
        return f"What is the shape of the Jacobian ∂{step.of}/∂{step.wrt}?"

    def default_hints(self, step: LessonStep) -> tuple[str, ...]:
        if step.node is not None:
            return (f"Look at how {step.node} is defined.",)
        return (f"It has the shape of {step.of} followed by the shape of {step.wrt}.",)

    def concept_hints(self, step: LessonStep, network: Network) -> tuple[str, ...]:
        if step.node is not None or step.of not in network.shapes or step.wrt not in network.shapes:
            return ()
        shape = network.shapes[step.of] + network.shapes[step.wrt]
        return (concept_hint(factor_concept(shape, diagonal_step(network, step.of, step.wrt))),)

    def asks(self, step: LessonStep) -> tuple:
        return ("shape", step.node) if step.node is not None else ("factor", step.of, step.wrt)

    def solution(self, key: Key, step: LessonStep) -> Shape:
        """The answer as data: the shape, for views that print it with its numbers."""
        return expected_shape(key.network, step)

    def answer(self, key: Key, step: LessonStep) -> str:
        return typed(self.solution(key, step))

    def judge(self, key: Key, step: LessonStep, text: str, suggestion: bool = False) -> Judged:
        return judge_shape(key, step, text)


ASK_SHAPE = AskShape()
