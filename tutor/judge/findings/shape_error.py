"""E201–E205: the first operation whose shapes do not conform, its operands labelled, and the
rearrangement of the learner's own text that fixes it.

The code is the engine's (the shape rule that failed chose it); this finding adds the labels, why
(a numeric clash, the contraction behind a swap) and the fix, tried by evaluating it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ...engine.numbers.budget import affordable, price
from ...engine.codes import E201, E202, E203, E204, E205
from ...engine.diagnostics import Diagnostic, Fix, Label
from ...engine.language.dims import ONE, Shape, format_shape
from ...engine.calculus.grad import backward
from ...engine.language.ir import OPERATORS, Call, Var, walk
from ...engine.language.network import Network
from ...engine.language.printer import code
from ...teach.concepts import weight_like
from ...teach.contraction import explain
from ..evaluate import Evaluation, shape_error_diagnostic
from ..result import Line
from .case import Case
from .written import atomic, attempt, edited_source, segment

CODES = (E201, E202, E203, E204, E205)


@dataclass(frozen=True)
class Rewrite:
    """A rearrangement of the failing operation that conforms: its text, what changed, the whole
    derivation with it, and that derivation's evaluation."""

    text: str
    kind: str
    candidate: str
    outcome: Evaluation

    @property
    def right(self) -> bool:
        return self.outcome.verdict == "correct"


def find(case: Case) -> Diagnostic | None:
    """The first failing operation with its operands labelled, why, and the rearrangement that fixes it."""
    ev = case.evaluation
    if ev.verdict != "shape_error" or ev.error is None:
        return None
    base = shape_error_diagnostic(ev)
    error = ev.error
    node = failing_call(case)
    if node is None:
        return base
    b = ev.bindings
    labels = tuple(Label(arg.span, f"{format_shape(shape)} = {format_shape(shape, b)}")
                   for arg, shape in zip(node.args, error.operands) if arg.span is not None)
    note = numeric_clash(error.operands, b)
    best = case.once(rearrangement)
    if best is None:
        return replace(base, labels=labels, note=note)
    line = case.reading.failed_line
    assert line is not None and error.span is not None  # a failing call was found on it
    shape = best.outcome.shape
    shown = "" if shape is None else format_shape(shape) + (f" = {format_shape(shape, b)}" if shape else "")
    whole_answer = case.reading.failed_last and line.expr.span == error.span  # the arrow's shape is the answer's
    prose = f"write `{best.text}`" + (f" → {shown}" if whole_answer and shape is not None else "") + \
        ("" if best.right else " (this conforms; check the values next)")
    note = (note + " " if note else "") + rearrangement_note(ev, node, best.kind)
    return replace(base, labels=labels, note=note, help=Fix(prose, error.span, best.text),
                   concept=rearrangement_concept(ev, node, best.kind))


def suggestion(case: Case) -> str:
    """The whole derivation with the rearrangement, when that makes it right."""
    best = case.once(rearrangement) if case.evaluation.verdict == "shape_error" else None
    return best.candidate.strip() if best is not None and best.right else ""


def failing_call(case: Case) -> Call | None:
    """The operation that does not conform, as read on its line."""
    line: Line | None = case.reading.failed_line
    error = case.evaluation.error
    if line is None or error is None:
        return None
    for node in walk(line.expr):
        if isinstance(node, Call) and node.span == error.span:
            return node
    return None


def rearrangement(case: Case) -> Rewrite | None:
    """The first rearrangement that makes the derivation right; failing that, on the last line, the
    first that conforms. Each is a whole evaluation: as many as one budget of time allows."""
    ev = case.evaluation
    node, span = failing_call(case), ev.error.span if ev.error is not None else None
    if node is None or span is None:
        return None
    net, b = ev.network, ev.bindings
    each = price([*net.definitions.values(), *backward(net).wrt.values()], b, net.shapes)
    best = None
    for text, kind in rewrites(node, ev)[:affordable(each)]:
        candidate = edited_source(ev, span, text)
        outcome = attempt(ev, candidate)
        if outcome is None or outcome.verdict == "shape_error":
            continue
        if outcome.verdict == "correct":
            return Rewrite(text, kind, candidate, outcome)
        if best is None and outcome.shape_ok and case.reading.failed_last:
            best = Rewrite(text, kind, candidate, outcome)
    return best


def rewrites(node: Call, ev: Evaluation) -> list[tuple[str, str]]:
    """Rearrangements of a failing operation: (text, what changed)."""
    if len(node.args) != 2:
        return []
    a, b = (atomic(segment(ev, x)) for x in node.args)
    ta, tb = (transposed(x) for x in (a, b))
    if node.prim == "matmul":
        raw_a, raw_b = (segment(ev, x).strip() for x in node.args)
        bare_a, bare_b = (x[:-2] if x.endswith(".T") else x for x in (raw_a, raw_b))
        return [(f"{tb} @ {a}", "swap-transpose"), (f"{b} @ {ta}", "swap-transpose"),
                (f"{a} @ {tb}", "transpose-right"), (f"{ta} @ {b}", "transpose-left"),
                (f"{b} @ {a}", "swap"), (f"{a} * {b}", "elementwise"), (f"{ta} @ {tb}", "transpose-both"),
                (f"outer({bare_a}, {bare_b})", "outer"), (f"outer({bare_b}, {bare_a})", "outer")]
    symbol = OPERATORS[node.prim] if node.prim in ("add", "sub", "mul", "div") else None
    if symbol is None:
        return []
    return [(f"{a} {symbol} {tb}", "transpose-right"), (f"{ta} {symbol} {b}", "transpose-left"),
            (f"{a} @ {b}", "matmul"), (f"{a} @ {tb}", "matmul"), (f"{ta} @ {b}", "matmul")]


def numeric_clash(operands: tuple[Shape, ...], bindings: dict[str, int]) -> str:
    dims = {d for s in operands for d in s if not d.is_literal}
    by_value: dict[int, list[str]] = {}
    for d in dims:
        by_value.setdefault(d.value(bindings), []).append(str(d))
    same = [names for names in by_value.values() if len(names) > 1]
    if not same:
        return ""
    names = sorted(same[0])
    return (f"{' and '.join(names)} are different dimensions even though both are "
            f"{next(v for v, n in by_value.items() if n == same[0])} here: NumPy would run this and compute "
            "something else, so shapetutor reads the symbols.")


def rearrangement_note(ev: Evaluation, node: Call, kind: str) -> str:
    """Why the rearrangement is right, in the tutor's terms."""
    net, leaf = ev.network, ev.wrt
    partner = partner_of(net, leaf)
    names = {a.name for a in walk(node) if isinstance(a, Var)}
    if node.prim == "matmul" and kind.startswith("swap") and partner and partner[1] in names:
        of, other = partner
        c = explain(net, of, leaf)
        top, top_shape = factor_top(net, of, leaf)
        shape = top_shape + net.leaves[leaf]
        side = "left" if c and c.matrix.startswith(other) else "right"
        kind = f"not a matrix but a {format_shape(shape)} tensor" if len([d for d in shape if d != ONE]) > 2 \
            else f"{format_shape(shape)}"
        return (f"the last factor ∂{top}/∂{leaf} is {kind} "
                f"with entries {c.entries.split(' = ', 1)[1] if c else '…'}; contracting the incoming gradient "
                f"with it puts {other} on the {side}, transposed.")  # the formula itself is the help's
    if kind == "outer":
        return ("with 1-D vectors there is no row or column to transpose (.T does nothing); the outer product "
                "that the contraction gives is outer(x, d).")
    if kind == "elementwise":
        return "`@` is the matrix product; an activation's derivative multiplies elementwise, with `*`."
    if kind in ("transpose-right", "transpose-left"):
        which = node.args[1] if kind == "transpose-right" else node.args[0]
        nm = code(which)
        if isinstance(which, Var):
            return f"{nm} where {nm}ᵀ belongs: going backwards through a product with {nm} multiplies by its transpose."
        return (f"`{nm}` where its transpose `{transposed(atomic(nm))}` belongs: going backwards through a product "
                "multiplies by the transpose of what it was multiplied with.")
    if kind == "matmul":
        return "the shapes ask for a matrix product here, not an elementwise one."
    return ""


def transposed(text: str) -> str:
    """`U` → `U.T`, `U.T` → `U` (never `U.T.T`), `(a @ b)` → `(a @ b).T`."""
    if text.endswith(".T") and atomic(text[:-2]) == text[:-2]:
        return text[:-2]
    return f"{text}.T"


#: The concept behind each kind of rearrangement that fixes a shape error: the same factors in the other
#: order are the other convention's formula (W2ᵀδ written for rows); a factor moved and transposed, or
#: transposed where it stands, is the transpose that going back through a product brings.
KIND_CONCEPTS = {"swap": "layout", "swap-transpose": "missing-transpose", "transpose-right": "missing-transpose",
                 "transpose-left": "missing-transpose", "transpose-both": "layout", "elementwise": "diagonal-jacobian",
                 "outer": "outer-product", "matmul": "outer-product"}


def rearrangement_concept(ev: Evaluation, node: Call, kind: str) -> str:
    """A rearrangement that puts the leaf's partner (x in z1 = x @ W1) beside the incoming gradient, for a
    matrix leaf, is the outer product; the rest by kind."""
    partner = partner_of(ev.network, ev.wrt)
    moved = node.args[1:] if kind == "transpose-right" else node.args[:1] if kind == "transpose-left" else node.args
    if partner and any(bare_name(a) == partner[1] for a in moved) and weight_like(ev.network, ev.wrt) \
            and kind != "elementwise":
        return "outer-product"
    return KIND_CONCEPTS.get(kind, "")


def bare_name(e) -> str | None:
    """`x` for x and for x transposed."""
    if isinstance(e, Call) and e.prim == "transpose" and len(e.args) == 1:
        e = e.args[0]
    return e.name if isinstance(e, Var) else None


def factor_top(net: Network, of: str, leaf: str) -> tuple[str, Shape]:
    """What the leaf's own factor is the derivative of: the definition when it is the product (z1 = x @ W1,
    or with a bias added), else the product itself, (h @ U) inside yhat = softmax(h @ U + b2)."""
    expr = net.definitions[of]
    direct = [expr] + (list(expr.args) if isinstance(expr, Call) and expr.prim in ("add", "sub") else [])
    for node in walk(expr):
        if isinstance(node, Call) and node.prim == "matmul" and any(getattr(a, "name", None) == leaf for a in node.args):
            if node in direct or node.shape is None:
                return of, net.shapes[of]
            return f"({code(node)})", node.shape
    return of, net.shapes[of]


def partner_of(net: Network, leaf: str) -> tuple[str, str] | None:
    """(of, name) when the leaf meets a named array in a matmul: z1 = x @ W1 → ("z1", "x")."""
    for of, expr in net.definitions.items():
        for node in walk(expr):
            if isinstance(node, Call) and node.prim == "matmul":
                a, b = node.args
                for mine, other in ((a, b), (b, a)):
                    if isinstance(mine, Var) and mine.name == leaf and isinstance(other, Var):
                        return of, other.name
    return None
