"""E211: the answer is the transpose of the gradient (numerator layout reported as a gradient)."""
from __future__ import annotations

from ...engine.codes import E211
from ...engine.diagnostics import Diagnostic
from ...engine.language.dims import format_shape
from .case import Case

CODES = (E211,)


def find(case: Case) -> Diagnostic | None:
    ev = case.evaluation
    if ev.verdict != "transposed" or ev.shape is None:
        return None
    return E211.at(f"this is the transpose of ∂J/∂{ev.wrt}: {format_shape(ev.shape)} where {ev.wrt} is "
                   f"{format_shape(ev.expected_shape)}", ev.answer_span, origin=ev.origin,
                   note="a gradient has the parameter's own shape (denominator layout), so W -= lr * dW works")
