"""N215: a gradient changed in place through an activation (CS231n's `dhidden[hidden <= 0] = 0`).

The name held ∂J/∂hidden and now holds the gradient at hidden's input: right, and worth saying,
since the name no longer says what it holds."""
from __future__ import annotations

from ...engine.codes import N215
from ...engine.diagnostics import Diagnostic
from ...engine.language.ir import Call, Var
from ...engine.language.printer import code
from ..result import JudgedStep
from .case import Case

CODES = (N215,)


def items(case: Case) -> tuple[JudgedStep, ...]:
    return tuple(s for s in case.evaluation.steps if s.passed) if case.values_judged else ()


def find(case: Case, step: JudgedStep) -> Diagnostic | None:
    if step.passed is None:
        return None
    span, through = step.passed
    definition = case.evaluation.network.definitions[step.claims]
    function = definition.prim if isinstance(definition, Call) else code(definition)
    now = through.name if isinstance(through, Var) else f"({code(through)})"
    return N215.at(f"{step.name} changes here: it held ∂J/∂{step.claims} and now holds ∂J/∂{now}, the gradient "
                   f"at the input of {step.claims}'s {function}", span, origin=case.evaluation.origin)
