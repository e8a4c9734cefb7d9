"""The findings of `check`, one module each, in the order their diagnostics are listed.

A finding has the codes it emits (`CODES`, registered in `engine.codes`) and a `find` that
returns a diagnostic or None. Most are about the answer as a whole (`find(case)`); some are
asked about each item in turn — each warning, each claimed step, each line set aside
(`items(case)` and `find(case, item)`) — and for each item the first finding of the group that
finds something speaks. `diagnose` runs the registry; a new kind of finding is a new module and a
row here.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from ...engine.codes import Code
from ...engine.diagnostics import Diagnostic
from . import (in_place, leading_step, made_good, multiple, set_aside, shape_error, transposed, warnings, wrong_shape,
               wrong_value)
from .case import Case


class Finding(Protocol):
    """A module that finds one thing about the answer as a whole."""

    CODES: tuple[Code, ...]

    def find(self, case: Case) -> Diagnostic | None: ...


class ItemFinding(Protocol):
    """A module that finds one thing about an item (a claimed step, a warning, a line set aside)."""

    CODES: tuple[Code, ...]

    def find(self, case: Case, item: Any) -> Diagnostic | None: ...


@dataclass(frozen=True)
class Each:
    """Findings asked about each item in turn; per item, the first that finds something speaks."""

    items: Callable[[Case], Iterable[Any]]
    findings: tuple[ItemFinding, ...]

    @property
    def CODES(self) -> tuple[Code, ...]:
        return tuple(c for f in self.findings for c in f.CODES)

    def find_all(self, case: Case) -> list[Diagnostic]:
        found = []
        for item in self.items(case):
            first = next((d for d in (f.find(case, item) for f in self.findings) if d is not None), None)
            if first is not None:
                found.append(first)
        return found


#: Every finding, in the order its diagnostics are listed: a shape error before the warnings; the
#: warnings, then what the claimed steps hold, then what the answer is; lines set aside last.
FINDINGS: tuple[Finding | Each, ...] = (
    shape_error,
    Each(warnings.items, (warnings,)),
    Each(in_place.items, (in_place,)),
    Each(leading_step.items, (leading_step, made_good)),
    transposed,
    multiple,
    wrong_shape,
    wrong_value,
    Each(set_aside.items, (set_aside,)),
)


def run(case: Case, findings: Sequence[Finding | Each] = FINDINGS) -> tuple[Diagnostic, ...]:
    found: list[Diagnostic] = []
    for finding in findings:
        if isinstance(finding, Each):
            found += finding.find_all(case)
        else:
            diagnostic = finding.find(case)
            if diagnostic is not None:
                found.append(diagnostic)
    return tuple(found)


def emitted_codes() -> tuple[Code, ...]:
    """Every code a finding can emit."""
    return tuple(c for f in FINDINGS for c in f.CODES)
