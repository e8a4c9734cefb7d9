"""E210: every operation conforms, but the answer is not shaped like the leaf.

Why is decided by the first explanation that holds, each one small and tried in order: the
numbers are right with extra axes of length 1, or right but rearranged; a bias gradient not
summed over its broadcast axis, or summed over the wrong one; the chain stopped early at a node
on the way (δ1 = ∂J/∂z1), with the factors still missing."""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ...engine.codes import E210
from ...engine.diagnostics import Diagnostic, Fix
from ...engine.language.dims import ONE, Shape, format_shape
from ...engine.language.ir import Call, walk
from ...engine.language.network import Network
from ...engine.language.printer import code
from ...teach.contraction import Contraction, delta, explain, textbook
from ..evaluate import close, truth_of
from ..named import Early, stopped_early
from .case import Case
from .concepts import is_broadcast_bias
from .written import atomic, attempt, edited_source, segment

CODES = (E210,)


def find(case: Case) -> Diagnostic | None:
    ev = case.evaluation
    if ev.verdict != "wrong_shape" or ev.shape is None:
        return None
    base = E210.at(f"the result is {format_shape(ev.shape)}, but ∂J/∂{ev.wrt} has {ev.wrt}'s shape "
                   f"{format_shape(ev.expected_shape)}", ev.answer_span, origin=ev.origin)
    for explanation in EXPLANATIONS:
        explained = explanation(case, base)
        if explained is not None:
            return explained
    return base


def finals_and_truths(case: Case) -> tuple[list[np.ndarray], list[np.ndarray]]:
    ev = case.evaluation
    return [np.asarray(d.final) for d in ev.samples], [np.asarray(truth_of(d, ev.wrt)) for d in ev.samples]


def right_numbers(case: Case) -> bool:
    """The answer holds the gradient's numbers, in order, in another shape."""
    finals, truths = finals_and_truths(case)
    return all(f.size == t.size and close(f.reshape(t.shape), t) for f, t in zip(finals, truths))


def extra_unit_axes(case: Case, base: Diagnostic) -> Diagnostic | None:
    """The right numbers with axes of length 1 too many: sum them away."""
    ev = case.evaluation
    got = ev.shape
    assert got is not None
    extra = unit_axes(got, ev.expected_shape)
    if extra is None or not right_numbers(case):
        return None
    axis = str(extra[0]) if len(extra) == 1 else str(extra)
    note = (f"the numbers are right, but the result has {'an extra axis' if len(extra) == 1 else 'extra axes'} "
            f"of length 1 (axis {axis})" + (": the single example's axis, which a batch would make N long"
                                             if extra == (0,) else ""))
    help_text = f"sum(…, axis={axis})" if extra != tuple(range(len(got))) else "sum(…)"
    bias = extra == (0,) and is_broadcast_bias(ev.network, ev.wrt)
    return replace(base, note=note, help=Fix(help_text), concept="bias-sum" if bias else "parameter-shape")


def rearranged(case: Case, base: Diagnostic) -> Diagnostic | None:
    """The right numbers in the right order, arranged in another shape (a reshape too many)."""
    if not right_numbers(case):
        return None
    ev = case.evaluation
    assert ev.shape is not None
    reshape = f"`….reshape({ev.wrt}.shape)`"
    reshaped = re.search(r"\b(reshape|ravel|flatten|squeeze)\b|\bnewaxis\b", ev.source)
    if unit_axes(ev.expected_shape, ev.shape) is not None:   # a scalar for b: [1], a (D,) for w: [D, 1]
        note = (f"the numbers are right, but the result lacks {ev.wrt}'s axes of length 1: NumPy would broadcast "
                f"it in {ev.wrt} -= lr * d{ev.wrt}, but a gradient has its parameter's own shape, which is what "
                f"optimisers and graders check")
        fix = f"keep the axes: write {reshape}" + (", or keepdims=True in the sum or mean" if "keepdims" not in
                                                    ev.source else "")
    else:
        note = (f"the numbers are right, in the right order, but arranged as {format_shape(ev.shape)}: a gradient "
                f"keeps its parameter's shape, so that {ev.wrt} -= lr * d{ev.wrt} works")
        fix = f"write {reshape}"
    if reshaped:
        fix = f"leave out the {reshaped.group(0)}, or write {reshape}"
    return replace(base, note=note, help=Fix(fix), concept="parameter-shape")


def unsummed_bias(case: Case, base: Diagnostic) -> Diagnostic | None:
    """A bias gradient not yet summed over the axis the bias was broadcast along."""
    ev = case.evaluation
    assert ev.shape is not None
    finals, truths = finals_and_truths(case)
    for axis in range(len(ev.shape)):
        for keep in (False, True):  # a column bias (n×1) keeps the summed axis
            summed = [np.sum(f, axis=axis, keepdims=keep) for f in finals]
            if all(s.shape == t.shape and close(s, t) for s, t in zip(summed, truths)):
                kept = ", keepdims=True" if keep else ""
                return replace(base, note=f"the bias was broadcast over axis {axis} (the examples), so its gradient "
                                          "is summed over that axis", help=Fix(f"sum(…, axis={axis}{kept})"),
                               concept="bias-sum")
    return None


def other_axis(case: Case, base: Diagnostic) -> Diagnostic | None:
    """A sum over the wrong axis: try the others on the learner's last line."""
    ev = case.evaluation
    if not ev.lines:
        return None
    for node in walk(ev.lines[-1].expr):
        if isinstance(node, Call) and node.prim == "sum" and isinstance(node.param("axis"), int) and node.span:
            axis = node.param("axis")
            rank = len(node.args[0].shape or ())
            for other in range(rank):
                if other == axis % rank:
                    continue
                text = segment(ev, node)
                fixed = text.replace(f"axis={axis}", f"axis={other}")
                if fixed == text:
                    continue
                outcome = attempt(ev, edited_source(ev, node.span, fixed))
                if outcome is not None and outcome.verdict == "correct":
                    return replace(base, note=f"summed over axis {axis}, but the bias was broadcast over axis "
                                              f"{other} (the examples)", help=Fix(f"write `{fixed}`"),
                                   concept="bias-sum")
    return None


def stopped_short(case: Case, base: Diagnostic) -> Diagnostic | None:
    """The answer is ∂J/∂node for a node on the way: the chain stopped early."""
    ev = case.evaluation
    early = stopped_early(ev, ev.samples)
    return early_chain(case, base, early) if early is not None else None


#: Why the answer has the wrong shape: the first that holds.
EXPLANATIONS: tuple[Callable[[Case, Diagnostic], Diagnostic | None], ...] = (
    extra_unit_axes, rearranged, unsummed_bias, other_axis, stopped_short)


COUNTS = {1: "one factor", 2: "two factors", 3: "three factors", 4: "four factors", 5: "five factors",
          6: "six factors", 7: "seven factors", 8: "eight factors", 9: "nine factors"}


def pre_activation(net: Network, node: str) -> bool:
    """z1 = x @ W1 + b1: the node textbooks call δ1's home (not h1 = σ(z1), not a loss term)."""
    expr = net.definitions.get(node)
    return isinstance(expr, Call) and expr.prim in ("add", "sub", "matmul") and \
        any(isinstance(n, Call) and n.prim in ("matmul", "einsum") for n in walk(expr))


def early_chain(case: Case, base: Diagnostic, early: Early) -> Diagnostic:
    """Name the node (δ1), the factors still missing with their shapes, and, for the last one, the
    contraction that finishes the job (xᵀδ1)."""
    ev = case.evaluation
    net, leaf, node = ev.network, ev.wrt, early.node
    named = delta(node) if pre_activation(net, node) else None
    short = named or f"d{node}"
    what = f"{short} = ∂J/∂{node}" if named else f"∂J/∂{node}"
    count = COUNTS.get(len(early.missing), f"{len(early.missing)} factors")
    message = (f"this is {what} ({format_shape(net.shapes[node])}), not ∂J/∂{leaf} "
               f"({format_shape(ev.expected_shape)}): the chain stopped {count} early")
    if len(early.missing) > 1:
        listed = " and ".join(f"∂{f.of}/∂{f.wrt} ({format_shape(f.shape)})" for f in early.missing)
        return replace(base, message=message, concept="chain-complete",
                       note=f"the factors still missing are {listed}: go back through each of them in turn")
    f = early.missing[0]
    c = explain(net, f.of, leaf)
    note = f"the missing factor ∂{f.of}/∂{f.wrt} is {factor_kind(f.shape)}"
    fix = None
    if c is not None and not reads_gradient_of(c, node):
        c = None  # the leaf sits inside a larger definition (tanh(X @ W1 + b1)): no single contraction
        note += f": go back through {node}'s whole definition, {code(net.definitions[node])}, to {leaf}"
    if c is not None:
        lhs, _, rhs = c.contraction.partition(" = ")
        result_text = rhs.rsplit(" = ", 1)[-1]
        mine = gradient_named(f"{lhs} = {result_text}", node, short)
        note += (f": {c.entries}; contracting {short} with it gives {mine}, which is {textbook(c)}: "
                 f"{c.shapes}")
        fix = finishing_fix(case, c)
    concept = "bias-sum" if is_broadcast_bias(net, leaf) else "outer-product" \
        if c is not None and len([d for d in f.shape if d != ONE]) > 2 else "chain-complete"
    return replace(base, message=message, note=note, help=fix, concept=concept)


def factor_kind(shape: Shape) -> str:
    """A tensor only when more than two of its axes are longer than 1; else a matrix in disguise."""
    long = [d for d in shape if d != ONE]
    if len(long) > 2:
        return f"a {format_shape(shape)} tensor, not a matrix"
    return f"{format_shape(shape)}: a matrix once its axes of length 1 are dropped"



def gradient_pattern(node: str) -> re.Pattern[str]:
    return re.compile(rf"\bd{re.escape(node)}\b")


def reads_gradient_of(c: Contraction, node: str) -> bool:
    """The contraction's matrix form takes the node's own gradient `dNODE` as its incoming gradient."""
    return gradient_pattern(node).search(c.matrix) is not None


def gradient_named(text: str, node: str, name: str) -> str:
    """A formula of the contraction with its incoming gradient `dNODE` written as `name`."""
    return gradient_pattern(node).sub(lambda _: name, text)


def finishing_fix(case: Case, c: Contraction) -> Fix | None:
    """The learner's own answer put into the contraction's matrix form, if that is right."""
    ev = case.evaluation
    reading = case.reading
    line = next((l for l in ev.lines if l.name == reading.answer), None) \
        if reading.answer is not None else (ev.lines[-1] if ev.lines else None)
    span = getattr(line.expr, "span", None) if line is not None else None
    if line is None or span is None or (span.end_line or span.line) != span.line:
        return None
    written = gradient_named(c.matrix, c.of, atomic(segment(ev, line.expr)))
    outcome = attempt(ev, edited_source(ev, span, written))
    if outcome is None or outcome.verdict != "correct":
        return None
    return Fix(f"write `{written}`", span, written)


def unit_axes(got: Shape, want: Shape) -> tuple[int, ...] | None:
    """The axes of length 1 whose removal turns `got` into `want`, if that is all that differs."""
    if len(got) < len(want):
        return None
    for extra in itertools.combinations(range(len(got)), len(got) - len(want)):
        if all(got[i] == ONE for i in extra) and tuple(d for i, d in enumerate(got) if i not in extra) == want:
            return extra
    return None
