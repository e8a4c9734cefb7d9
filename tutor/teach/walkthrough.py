"""The walkthrough as data: a list of stages, some of which ask a question.

The terminal driver (`ui_walk`) shows them one by one and asks; without a
terminal it prints them all with the answers revealed. Both read the same
stages, built here from a `Derivation`.
"""
from __future__ import annotations

from dataclasses import dataclass

from .chain import Factor
from .derivation import Derivation, LeafGradient
from ..engine.dims import Shape, format_shape


@dataclass(frozen=True)
class Question:
    """The question "what is the shape of ∂of/∂wrt?", with a hint ladder ending in the answer."""

    of: str
    wrt: str
    expected: Shape
    of_shape: Shape
    wrt_shape: Shape
    hints: tuple[str, ...]


@dataclass(frozen=True)
class Stage:
    id: str
    kind: str                      # "factor", "break", "contraction", "numbers", "answer"
    factor: Factor | None = None
    index: int = 0                 # the factor's number, 1-based
    question: Question | None = None


def factor_question(d: Derivation, f: Factor) -> Question:
    net = d.network
    of_shape, wrt_shape = net.shapes[f.of], net.shapes[f.wrt]
    hints = (
        "A Jacobian ∂a/∂b has one axis for each axis of a, then one for each axis of b "
        "(the numerator layout).",
        f"{f.of} has shape {format_shape(of_shape)} and {f.wrt} has shape {format_shape(wrt_shape)}.",
        f"So ∂{f.of}/∂{f.wrt} has shape {format_shape(of_shape)} followed by {format_shape(wrt_shape)}: "
        f"{format_shape(f.shape)}.",
    )
    return Question(f.of, f.wrt, f.shape, of_shape, wrt_shape, hints)


def stages(d: Derivation, leaf: str, quiz: bool = True) -> list[Stage]:
    g: LeafGradient = d.gradients[leaf]
    out: list[Stage] = []
    for i, f in enumerate(g.chain, 1):
        out.append(Stage(f"factor-{i}", "factor", f, i, factor_question(d, f) if quiz else None))
        if g.breaks_at is not None and i - 1 == g.breaks_at:
            out.append(Stage("break", "break", f, i))
    if g.contraction is not None:
        out.append(Stage("contraction", "contraction"))
        out.append(Stage("numbers", "numbers"))
    out.append(Stage("answer", "answer"))
    return out
