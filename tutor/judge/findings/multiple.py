"""E212: the answer is a constant multiple of the gradient, the constant named by its symbols
(a missing 1/N, a 1/N applied twice, a flipped sign)."""
from __future__ import annotations

from ...engine.codes import E212
from ...engine.diagnostics import Diagnostic
from .. import scale
from .case import Case
from .concepts import constant_cause

CODES = (E212,)


def find(case: Case) -> Diagnostic | None:
    ev = case.evaluation
    if ev.verdict != "scaled":
        return None
    return E212.at(message(case), ev.answer_span, origin=ev.origin)


def message(case: Case) -> str:
    ev = case.evaluation
    f = case.scales.answer()
    named = constant_cause(ev.network, ev.factor) if ev.factor and (f is None or not f.symbolic) else ""
    if named:
        return f"this is {ev.factor:.6g}·∂J/∂{ev.wrt}: {named}"
    if f is None:
        return f"this is {ev.factor:.6g} × ∂J/∂{ev.wrt}: off by a constant factor"
    return f"this is {scale.multiple(f)}∂J/∂{ev.wrt}{scale.here(f, ev.bindings)}: " \
        f"{scale.cause(f, scale.squares_something(ev.network))}"
