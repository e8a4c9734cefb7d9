"""N216: a line outside the language that only packs gradients already claimed (CS224n's
`grad = np.concatenate(...)`) is set aside with a note instead of making the derivation unusable."""
from __future__ import annotations

from ...engine.codes import N216
from ...engine.diagnostics import Diagnostic, Span
from .case import Case

CODES = (N216,)


def items(case: Case) -> tuple[tuple[Span, str], ...]:
    return tuple(case.reading.set_aside)


def find(case: Case, line: tuple[Span, str]) -> Diagnostic | None:
    span, why = line
    return N216.at(f"line {span.line} is not judged: {why}", span, origin=case.evaluation.origin,
                   note=f"it claims no gradient, and ∂J/∂{case.evaluation.wrt} is claimed before it; the verdict "
                        f"is about that claim")
