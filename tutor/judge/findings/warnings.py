"""W301–W306: what conforms but should worry a learner, found while the shapes were inferred
(`cautions`, one check per warning keyed by primitive; W301 where a shape rule fails): listed as
found, in evaluation order."""
from __future__ import annotations

from ...engine.codes import W301, W302, W303, W304, W305, W306, W307
from ...engine.diagnostics import Diagnostic
from .case import Case

CODES = (W301, W302, W303, W304, W305, W306, W307)


def items(case: Case) -> tuple[Diagnostic, ...]:
    return case.evaluation.warnings


def find(case: Case, warning: Diagnostic) -> Diagnostic | None:
    return warning
