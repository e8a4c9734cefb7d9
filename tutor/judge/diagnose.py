"""What went wrong, and the fix, in the learner's own notation.

Reads an `Evaluation` (the passes' verdict and evidence) and returns the diagnostics and the
suggestion. Each diagnostic comes from one finding (`findings/`, one module per code, run in the
order of their registry); the suggestion is written as close to the learner's form as it can.
Candidate fixes are tried with `evaluate`, never with `check` itself.
"""
from __future__ import annotations

import numpy as np

from ..engine.diagnostics import Diagnostic
from ..engine.calculus.grad import backward
from ..engine.language.ir import Var
from ..engine.numbers.numeric import Evaluator
from ..engine.language.printer import code_or_none
from .evaluate import Evaluation, close
from .findings import run, shape_error
from .findings.case import Case


def diagnose(evaluation: Evaluation) -> tuple[tuple[Diagnostic, ...], str]:
    """The diagnostics (a shape error first, then the warnings, then the rest) and the suggested derivation."""
    case = Case(evaluation)
    return run(case), suggestion(case) or derived_formula(evaluation)


def suggestion(case: Case) -> str:
    """A right derivation: the rearrangement that fixes a shape error, or one built on the learner's
    last right step; nothing when the answer is right."""
    if not case.values_judged:
        return shape_error.suggestion(case)
    return "" if case.correct else built_on_last_right_step(case.evaluation)


def derived_formula(ev: Evaluation) -> str:
    g = backward(ev.network).wrt.get(ev.wrt)
    return (code_or_none(g) or "") if g is not None else "0"


def built_on_last_right_step(ev: Evaluation) -> str:
    """The correct formula in terms of the learner's last correct step: their lines up to that step, then
    one line for the answer (short, in their names)."""
    net = ev.network
    good = [s for s in ev.steps if s.value_ok and s.name.isidentifier()]
    target = answer_name(ev)
    for step in sorted(good, key=lambda s: s.statement, reverse=True):
        seed = Var(step.name, shape=net.shapes[step.claims])
        g = backward(net, seeds={step.claims: seed}).wrt.get(ev.wrt)
        if g is None:
            continue
        named = lambda d: {**d.values, step.name: d.learner[step.var]}  # noqa: E731
        if all(close(np.broadcast_to(Evaluator(named(d), ev.bindings)(g), np.shape(d.truth[ev.wrt])),
                     d.truth[ev.wrt], d.reference) for d in ev.samples):
            text = code_or_none(g)
            if not text:
                return ""
            assert ev.reading is not None
            prefix = "\n".join(ev.reading.statements[: step.statement + 1])
            return f"{prefix}\n{target} = {text}"
    return ""


def answer_name(ev: Evaluation) -> str:
    """The name the learner gives the answer (dW1, grads['W1']), or dLEAF."""
    mine = [c for c in ev.reading.claims if c.node == ev.wrt] if ev.reading is not None else []
    return max(mine, key=lambda c: c.statement).name if mine else f"d{ev.wrt}"
