"""The walkthrough as data: a list of stages, some of which ask a question.

The terminal driver (`ui_walk`) shows them one by one and asks; without a
terminal it prints them all with the answers revealed. Both read the same
stages, built here from a `Derivation`.
"""
from __future__ import annotations

from dataclasses import dataclass

from .chain import ChainFactor
from .derivation import Derivation, LeafGradient
from ..engine.idioms.canonical import find_targets
from ..engine.language.dims import Shape, format_shape
from ..engine.language.ir import Call, Expr, Var, names_in, walk
from ..engine.language.network import Network


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
    kind: str                      # "factor", "break", "contraction", "numbers", "answer", "summary"
    factor: ChainFactor | None = None
    index: int = 0                 # the factor's number, 1-based
    question: Question | None = None


def factor_question(d: Derivation, f: ChainFactor) -> Question:
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
            if g.break_contraction is not None:  # carry the gradient on past the break, by contracting
                out.append(Stage("break-contraction", "contraction", f, i))
    if g.contraction is not None:
        out.append(Stage("contraction", "contraction"))
        out.append(Stage("numbers", "numbers"))
    out.append(Stage("answer", "answer"))
    out.append(Stage("summary", "summary"))
    return out


def summary(d: Derivation, leaf: str) -> tuple[str, str, str]:
    """What a walk showed, in three lines: the chain, where the naive product broke, the contraction."""
    g = d.gradients[leaf]
    loss = d.network.loss
    chain = " · ".join(f"∂{f.of}/∂{f.wrt}" for f in g.chain)
    paths = f", added up over its {g.paths} paths" if g.paths > 1 else ""
    first = f"The chain: ∂{loss}/∂{leaf} = {chain}{paths}." if g.chain else \
        f"The chain: {loss} does not depend on {leaf}, so ∂{loss}/∂{leaf} is 0."
    if g.breaks_at is None:
        second = "Where it broke: nowhere; every factor acts as a matrix, so the naive product goes through."
    else:
        f = g.chain[g.breaks_at]
        second = (f"Where it broke: at factor {g.breaks_at + 1}, ∂{f.of}/∂{f.wrt}, a {format_shape(f.shape)} "
                  f"tensor, not a matrix.")
    steps = [c for c in (g.break_contraction, g.contraction) if c is not None]
    if steps:
        third = "The contraction: " + "; then ".join(
            f"{c.matrix} at ∂{c.of}/∂{c.leaf}, {c.shapes}" for c in steps) + "."
    else:
        third = "The contraction: none needed; each factor's rule carries the gradient on."
    return first, second, third


#: Products that mix entries: a leaf that reaches one of them is more than a target compared with a prediction.
MIXING = frozenset({"matmul", "einsum", "dot", "tensordot", "outer", "inner", "matvec"})


def worth_walking(network: Network) -> list[str]:
    """The leaves whose gradient a walk teaches something about: the parameters and the inputs, not the
    labels and targets the loss compares a prediction with (`y` of a cross-entropy, `T` of (P − T)²), nor
    a 0/1 mask. Every leaf keeps its gradient (`walk --wrt y` still walks it); these are the ones offered."""
    labels = set(find_targets(network)) | set(network.onehot) | set(network.binary)
    offered = [leaf for leaf in network.leaves if leaf not in labels and not is_target(network, leaf)]
    return offered or list(network.leaves)


def is_target(network: Network, leaf: str) -> bool:
    """`leaf` meets the network only in a difference with a prediction of its own shape (P − T, T − P), and
    nothing after that difference mixes entries: a regression target, not a bias."""
    shape = network.leaves[leaf]
    after = network.descendants(leaf)
    downstream = after | {leaf}
    seen = False
    for name in after:
        for node in walk(network.definitions[name]):
            if not isinstance(node, Call):
                continue
            args = node.args
            if node.prim in MIXING and any(downstream & names_in(a) for a in args):
                return False
            direct = [a for a in args if isinstance(a, Var) and a.name == leaf]
            if not direct:
                continue
            if node.prim != "sub" or len(args) != 2:
                return False
            other: Expr = args[1] if direct[0] is args[0] else args[0]
            reached = set().union(*({n} | network.ancestors(n) for n in names_in(other)))
            if tuple(other.shape) != tuple(shape) or not (reached & set(network.leaves)) - {leaf}:
                return False
            seen = True
    return seen
