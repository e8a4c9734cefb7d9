"""E213: the right shape, the wrong values; the classic mistake named when it is recognised."""
from __future__ import annotations

from ...engine.codes import E213
from ...engine.diagnostics import Diagnostic, Fix
from ...engine.language.dims import format_shape
from ..named import Named, one_use_off, recognise
from .case import Case
from .concepts import mistake_concept
from .helpers import helper_hint

CODES = (E213,)


def find(case: Case) -> Diagnostic | None:
    ev = case.evaluation
    if ev.verdict != "wrong_value" or ev.shape is None:
        return None
    named = recognise(ev, ev.wrt, [d.final for d in ev.samples], ev.samples) or one_use_off(ev, ev.samples)
    message = f"the shape is right ({format_shape(ev.shape)}) but the values are not ∂J/∂{ev.wrt}"
    leading = case.leading
    if named and leading is not None and case.leading_named == named and leading.claims != ev.wrt:
        # the step's own diagnostic names this mistake and its fix: say where, not the same twice
        message += f": it is built on {leading.name} (line {leading.line}), which has the mistake named above"
        named = Named(named.what, "", "", named.code, named.symbols)
    elif named:
        message += f": {named.what}"
    note = " ".join(t for t in (named.why if named else "", helper_hint(case)) if t)
    return E213.at(message, ev.answer_span, origin=ev.origin, note=note,
                   help=Fix(named.fix) if named and named.fix else None,
                   concept=mistake_concept(named.code) if named else "", symbols=named.symbols if named else ())
