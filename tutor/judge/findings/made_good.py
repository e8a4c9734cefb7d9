"""N214: a step that claims a gradient and holds something else, made good by a later line.

Courses do this on purpose (deeplearning.ai's per-example dZ2 = A2 - Y, whose 1/m comes back in
dW2): the answer does not suffer from it, so it is a note saying what the step holds and where it
is made good. The front lists such a step as made good later (its code's display hint)."""
from __future__ import annotations

from ...engine.codes import N214
from ...engine.diagnostics import Diagnostic
from .. import scale
from ..result import JudgedStep
from .case import ANSWER, Case
from .steps import describe

CODES = (N214,)


def find(case: Case, step: JudgedStep) -> Diagnostic | None:
    good = case.made_good[step.name]
    if not case.values_judged:  # a later line does not conform: the 1/N may still come back there
        f = case.step_scale(step)
        if f is None:
            return None
        return N214.at(f"your {step.name} is {scale.multiple(f)}∂J/∂{step.claims}{scale.convention(f)}: right as a "
                       f"course's step if a later line brings back the {scale.inverse_text(f)}",
                       case.step_span(step), origin=case.evaluation.origin)
    back_in = case.compensated_at(step) if good is None and not case.correct else None
    if step is case.leading or (good is None and not case.correct and back_in is None):
        return None
    ev = case.evaluation
    what = describe(case, step) or f"does not hold ∂J/∂{step.claims}"
    if back_in is not None:  # the answer is wrong elsewhere; this step's 1/N comes back as a course's does
        later = next((case.step_span(s) for s in ev.steps if s.statement == back_in), None)
    else:
        later = case.reading.answer_span if good == ANSWER else \
            next((line.span for line in ev.lines if line.name == good), None)
    where = ""
    if later is not None:
        at = f"line {later.line}"
        if later.line == step.line:  # statements separated by `;`: name the statement itself
            at = f"`{ev.source_line(later.line)[later.col:later.end_col].strip()}`"
        where = f"; {at} makes up for it"
        f = case.scales.step(step)
        inverse = scale.inverse_text(f) if f is not None else None
        if inverse:
            where = f"; the {inverse} comes back in {at}"
    return N214.at(f"your {step.name} {what}{where}", case.step_span(step), origin=ev.origin)
