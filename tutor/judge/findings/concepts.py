"""The concept each diagnostic is about (`teach.concepts`), in the learner's own symbols.

A finding that knows the concept it found sets `Diagnostic.concept` itself (the shape error knows which
rearrangement fixed it); for the others one table keyed by code names it from the case: a constant
factor by its symbols (the 1/N of the mean, 1/keep_prob, the sign), a recognised mistake by its kind.
The symbols come from the network: the leaf, the array it meets in a matrix product, the batch's
dimension, the prediction and the label.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction

from ...engine.diagnostics import Diagnostic
from ...engine.language.ir import Call, Const, Var, walk
from ...engine.language.network import Network
from ...teach.concepts import BATCH_NAMES, is_broadcast_bias, matmul_order, matmul_partner, product_uses, weight_like
from ...teach.answers import diagonal_step
from ...teach.contraction import delta
from .. import scale
from ..result import JudgedStep
from .case import Case
from .shape_error import bare_name, factor_top, failing_call

#: Each recognised mistake's kind, by the ending of its code (mistakes.MISTAKES).
MISTAKE_CONCEPTS: dict[str, str] = {
    "relu-mask-missing": "mask", "relu-value-for-mask": "mask", "softmax-diagonal": "softmax-jacobian",
    "softmax-derivative-twice": "softmax-jacobian", "use-missing": "tied-weights", "use-scaled": "tied-weights",
    "square-use-scaled": "square-factor",
}


def mistake_concept(code: str | None) -> str:
    if code is None:
        return "activation-derivative"
    return MISTAKE_CONCEPTS.get(code, "activation-derivative")


# -- the learner's symbols ----------------------------------------------------------------------


def prediction_and_label(net: Network) -> tuple[str, str] | None:
    """ŷ and y as the network names them: the loss's arguments, a computed node and a leaf."""
    loss = net.definitions.get(net.loss)
    if loss is None:
        return None
    names = [n.name for n in walk(loss) if isinstance(n, Var)]
    computed = next((n for n in names if n in net.definitions), None)
    label = next((n for n in names if n in net.leaves or n in net.labels), None)
    return (computed, label) if computed and label else None


def symbols(case: Case) -> dict[str, str]:
    ev = case.evaluation
    net, leaf = ev.network, ev.wrt
    out = {"leaf": leaf}
    found = matmul_order(net, leaf)
    if found is not None:
        node, other, rows = found
        top, _ = factor_top(net, node, leaf)
        d = (delta(top) or f"d{top}") if top == node else f"∂J/∂{top}"
        out.update(W=leaf, node=top, x=other, factor=f"∂{top}/∂{leaf}", delta=d,
                   product=f"{other} @ {leaf}" if rows else f"{leaf} @ {other}",
                   grad_x=f"{d} @ {leaf}ᵀ" if rows else f"{leaf}ᵀ @ {d}",
                   grad_W=f"{other}ᵀ @ {d}" if rows else f"{d} @ {other}ᵀ")
    if is_broadcast_bias(net, leaf):
        out["b"] = leaf
    if net.binary:
        out["mask"] = sorted(net.binary)[0]
    batch = next((d for d in BATCH_NAMES if d in net.dims), None)
    if batch is not None:
        out["N"] = batch
    pair = prediction_and_label(net)
    if pair is not None:
        out["yhat"], out["y"] = pair
    return out


def dims_text(f: scale.ScaleFactor, powers) -> str:
    names = f.dims_text(powers)
    return names if len(powers) == 1 and powers[0][1] == 1 else f"({names})"


def named_constant(net: Network, k: float) -> tuple[str, float] | None:
    """(how the network writes it, value) of a named constant of the network (`keep_prob = 0.8`), or one minus
    it (`1 - p`), that the factor is or whose inverse it is: a dropout's scaling left out or applied twice."""
    for name, expr in net.definitions.items():
        if isinstance(expr, Const) and isinstance(expr.value, (int, float)) and expr.value not in (0, 1, -1):
            for text, c in ((name, float(expr.value)), (f"(1 - {name})", 1 - float(expr.value))):
                if c and (math.isclose(abs(k), c, rel_tol=1e-9) or math.isclose(abs(k), 1 / c, rel_tol=1e-9)):
                    return text, c
    return None


def constant_cause(net: Network, k: float) -> str:
    """A factor that is a named constant of the network, said by its name: `the 1/keep_prob is missing`."""
    found = named_constant(net, k)
    if found is None:
        return ""
    text, c = found
    if math.isclose(abs(k), c, rel_tol=1e-9):
        return f"the 1/{text} is missing (1/{text} = {1 / c:.6g} here): the kept units were scaled by it"
    return f"there is a 1/{text} too many (1/{text} = {1 / c:.6g} here): the kept units are scaled by it once"


def used_twice(case: Case, d: Diagnostic) -> tuple[str, dict[str, str]]:
    """Wrong values for a leaf that enters several products (W and Wᵀ, xᵀ A x): a use's contribution is
    missing."""
    ev = case.evaluation
    return ("tied-weights", {"W": ev.wrt}) if product_uses(ev.network, ev.wrt) > 1 else ("", {})


def broadcast_clash(case: Case, d: Diagnostic) -> tuple[str, dict[str, str]]:
    """Elementwise operands that do not broadcast, with no rearrangement found: one the other's transpose
    is the layout (a gradient computed transposed, then added to one that is not); else nothing is named."""
    shapes = [tuple(s) for s in d.operands or ()]
    if len(shapes) == 2 and len(shapes[0]) > 1 and shapes[0] == tuple(reversed(shapes[1])):
        return "layout", {}
    return "", {}


def shape_clash(case: Case, d: Diagnostic) -> tuple[str, dict[str, str]]:
    """A product that does not conform with no rearrangement found: for a weight matrix that meets an array
    in a product, the outer product its gradient is; else the transpose going back brings."""
    ev = case.evaluation
    partner = matmul_partner(ev.network, ev.wrt)
    node = failing_call(case)
    operands = {bare_name(a) for a in node.args} if node is not None else set()
    if partner is not None and partner[1] in operands and weight_like(ev.network, ev.wrt):
        return "outer-product", {}
    return "missing-transpose", {}


def scale_concept(case: Case, f: scale.ScaleFactor | None, value: float | None) -> tuple[str, dict[str, str]]:
    """The concept behind a constant factor: the mean's 1/N, the sign, a square's 2, a dropout's 1/keep_prob."""
    net = case.evaluation.network
    if f is not None and f.symbolic:
        dims = f.up or f.down
        return "mean-1-over-n", {"N": dims_text(f, dims).strip("()")}
    k = float(f.constant) if f is not None else (value or 0.0)
    if k < 0 and math.isclose(abs(k), 1.0):
        return "gradient-sign", {}
    constant = named_constant(net, k) if k else None
    if constant is not None:
        return "dropout-scale", {"keep": constant[0]}
    if f is not None and abs(f.constant) in (2, Fraction(1, 2)):
        return "square-factor", {}
    if k < 0:
        return "gradient-sign", {}
    return "", {}


# -- the table, keyed by code ---------------------------------------------------------------------

Namer = Callable[[Case, Diagnostic], tuple[str, dict[str, str]]]


def scaled_answer(case: Case, d: Diagnostic) -> tuple[str, dict[str, str]]:
    return scale_concept(case, case.scales.answer(), case.evaluation.factor)


def step_holds(case: Case, d: Diagnostic) -> tuple[str, dict[str, str]]:
    """A claimed step: what it holds (a multiple, a transpose, another node's gradient)."""
    step = next((s for s in case.evaluation.steps if d.span is not None and s.line == d.span.line
                 and s.col == d.span.col), None)
    if step is None:
        return "", {}
    if d.code == "E214" and case.leading_named is not None and step is case.leading:
        return mistake_concept(case.leading_named.code), dict(case.leading_named.symbols)
    f = case.step_scale(step) if step.shape_ok else None
    if f is not None:
        if d.code == "N214" and f.constant == 1 and len(f.up) == 1 and not f.down:
            return "per-example", {"N": f.dims_text(f.up)}
        answer = case.scales.answer() if case.evaluation.verdict == "scaled" else None
        if f.constant < 0 and answer is not None and answer.constant < 0 and not answer.symbolic:
            return "gradient-sign", {}  # the step's N is made up for later; its sign is not
        return scale_concept(case, f, f.value)
    if "transpose" in d.message:
        return "layout", {}
    if "holds ∂J/∂" in d.message:
        return ("bias-sum" if is_broadcast_bias(case.evaluation.network, step.claims) else "chain-complete"), {}
    if not step.shape_ok:
        return ("diagonal-jacobian" if matrix_product_through_elementwise(case, step) else "parameter-shape"), {}
    return used_twice(case, d)


def matrix_product_through_elementwise(case: Case, step: JudgedStep) -> bool:
    """A step of the wrong shape for a node that an elementwise step leads from (z1 under h = σ(z1)),
    written with a matrix product: the diagonal Jacobian taken as a matrix to multiply by."""
    net = case.evaluation.network
    line = next((l for l in case.evaluation.lines if l.name == step.var or l.name == step.name), None)
    if line is None or not any(isinstance(n, Call) and n.prim == "matmul" for n in walk(line.expr)):
        return False
    return any(diagonal_step(net, top, step.claims) for top in net.definitions if top != step.claims)


def fixed(concept: str) -> Namer:
    return lambda case, d: (concept, {})


BY_CODE: dict[str, Namer] = {
    "E201": shape_clash,
    "E202": broadcast_clash,
    "E204": fixed("parameter-shape"),
    "E210": fixed("parameter-shape"),
    "E211": fixed("layout"),
    "E212": scaled_answer,
    "E213": used_twice,
    "E214": step_holds,
    "E215": fixed("tensor-factor"),
    "E216": fixed("chain-complete"),
    "N214": step_holds,
    "N215": fixed("mask"),
    "W301": fixed("distinct-dimensions"),
    "W302": fixed("batch-form"),
    "W303": fixed("layout"),
    "W304": fixed("softmax-jacobian"),
    "W305": fixed("batch-form"),
    "W306": fixed("stack-transpose"),
}


def named(case: Case, diagnostics: tuple[Diagnostic, ...]) -> tuple[Diagnostic, ...]:
    """Every diagnostic with its concept and the learner's symbols for it."""
    mine = symbols(case)
    out = []
    for d in diagnostics:
        concept, extra = (d.concept, dict(d.symbols)) if d.concept else \
            BY_CODE.get(d.code, lambda c, x: ("", {}))(case, d)
        if concept:
            d = replace(d, concept=concept, symbols=tuple(sorted({**mine, **extra}.items())))
        out.append(d)
    return tuple(out)
