"""The findings of `check`, one module each, in the order their diagnostics are listed.

Each finding module has the codes it emits (`CODES`, registered in `engine.codes`) and a `find`
that returns a diagnostic or None. Most are about the answer as a whole (`find(case)`); some are
asked about each item in turn — each warning, each claimed step, each line set aside
(`items(case)` and `find(case, item)`) — and for each item the first finding of the group that
finds something speaks. `diagnose` runs the registry; a new kind of finding is a new module and a
row here.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ...engine.codes import Code
from ...engine.diagnostics import Diagnostic
from . import concepts
from . import (in_place, leading_step, made_good, multiple, set_aside, shape_error, transposed, warnings, wrong_shape,
               wrong_value)
from .case import Case

Item = TypeVar("Item")


@dataclass(frozen=True)
class Finding:
    """One thing found about the answer as a whole: the codes it emits, and its `find`."""

    codes: tuple[Code, ...]
    find: Callable[[Case], Diagnostic | None]

    def find_all(self, case: Case) -> list[Diagnostic]:
        found = self.find(case)
        return [found] if found is not None else []


@dataclass(frozen=True)
class ItemFinding(Generic[Item]):
    """One thing found about an item (a warning, a claimed step, a line set aside)."""

    codes: tuple[Code, ...]
    find: Callable[[Case, Item], Diagnostic | None]


@dataclass(frozen=True)
class Each(Generic[Item]):
    """Findings asked about each item in turn; per item, the first that finds something speaks."""

    items: Callable[[Case], Iterable[Item]]
    findings: tuple[ItemFinding[Item], ...]

    @property
    def codes(self) -> tuple[Code, ...]:
        return tuple(c for f in self.findings for c in f.codes)

    def find_all(self, case: Case) -> list[Diagnostic]:
        found = []
        for item in self.items(case):
            first = next((d for d in (f.find(case, item) for f in self.findings) if d is not None), None)
            if first is not None:
                found.append(first)
        return found


#: Every finding, in the order its diagnostics are listed: a shape error before the warnings; the
#: warnings, then what the claimed steps hold, then what the answer is; lines set aside last.
FINDINGS: tuple[Finding | Each[Any], ...] = (
    Finding(shape_error.CODES, shape_error.find),
    Each(warnings.items, (ItemFinding(warnings.CODES, warnings.find),)),
    Each(in_place.items, (ItemFinding(in_place.CODES, in_place.find),)),
    Each(leading_step.items, (ItemFinding(leading_step.CODES, leading_step.find),
                              ItemFinding(made_good.CODES, made_good.find))),
    Finding(transposed.CODES, transposed.find),
    Finding(multiple.CODES, multiple.find),
    Finding(wrong_shape.CODES, wrong_shape.find),
    Finding(wrong_value.CODES, wrong_value.find),
    Each(set_aside.items, (ItemFinding(set_aside.CODES, set_aside.find),)),
)


def run(case: Case, findings: Sequence[Finding | Each[Any]] = FINDINGS) -> tuple[Diagnostic, ...]:
    return concepts.named(case, tuple(d for finding in findings for d in finding.find_all(case)))


def emitted_codes() -> tuple[Code, ...]:
    """Every code a finding can emit."""
    return tuple(c for f in FINDINGS for c in f.codes)
