"""E214: the first false step the wrong answer is built on (and that no later line makes good).

Everything after it inherits the mistake, so it leads the diagnosis: what it holds (the classic
mistake it makes, if it is one), and the right line in the learner's names."""
from __future__ import annotations

from ...engine.codes import E214
from ...engine.diagnostics import Diagnostic, Fix
from ..result import JudgedStep
from .case import Case
from .helpers import helper_hint
from .steps import describe, right_line

CODES = (E214,)


def items(case: Case) -> tuple[JudgedStep, ...]:
    """The claimed steps that are false, in the order they are claimed (when a later line does not conform,
    only the per-example ones, which a later line may still make good)."""
    return case.false_steps if case.values_judged else tuple(s for s in case.false_steps if case.per_example(s))


def find(case: Case, step: JudgedStep) -> Diagnostic | None:
    if not case.values_judged or step is not case.leading:
        return None
    named = case.leading_named
    described = "" if named else describe(case, step)
    what = f": {named.what}" if named else f": {described}" if described else ""
    note = " ".join(t for t in (named.why if named else "", helper_hint(case)) if t)
    help_text = right_line(case, step)
    return E214.at(f"{step.name} is not ∂J/∂{step.claims}" + what, case.step_span(step),
                   origin=case.evaluation.origin, note=note, help=Fix(help_text) if help_text else None)
