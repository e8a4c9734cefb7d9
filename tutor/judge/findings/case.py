"""What the findings read besides the evaluation itself, worked out once per check.

The passes (`evaluate`) give the verdict and the evidence; the findings explain it. Several of them
need the same facts: which step each value was computed from, which false step a later right line
makes good, the first false step the wrong answer is built on and the classic mistake it makes, the
constant factors by their symbols. A `Case` holds the evaluation and works these out on demand.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from ...engine.diagnostics import Span
from ...engine.language.ir import names_in
from .. import scale
from ...engine.errors import TutorError
from ..evaluate import Evaluation, ParsedDerivation, evaluate
from ..named import Named, recognise
from ..result import JudgedStep

T = TypeVar("T")

ANSWER = "<answer>"  # the bare last expression, where there is one


@dataclass(frozen=True)
class Case:
    """A check's evaluation and the facts its findings share."""

    evaluation: Evaluation
    memo: dict[Callable[..., Any], Any] = field(default_factory=dict, compare=False, repr=False)

    def once(self, work: Callable[[Case], T]) -> T:
        """`work(self)`, done the first time it is asked for (a search two findings both need)."""
        if work not in self.memo:
            self.memo[work] = work(self)
        return self.memo[work]

    @property
    def reading(self) -> ParsedDerivation:
        assert self.evaluation.reading is not None, "an evaluation always carries its reading"
        return self.evaluation.reading

    @property
    def values_judged(self) -> bool:
        """Every operation conformed, so the values were computed and compared."""
        return self.evaluation.verdict != "shape_error"

    @property
    def correct(self) -> bool:
        return self.evaluation.verdict == "correct"

    @cached_property
    def uses(self) -> dict[str, set[str]]:
        """For each variable of the derivation, every variable its value was computed from."""
        out: dict[str, set[str]] = {}
        for line in self.reading.lines:
            reads = names_in(line.expr)
            deps = set(reads)
            for r in reads:
                deps |= out.get(r, set())
            if line.name:
                out[line.name] = deps
        if self.reading.answer is None:
            out[ANSWER] = self.last_line_uses(out)
        return out

    def last_line_uses(self, uses: dict[str, set[str]]) -> set[str]:
        last = self.reading.lines[-1] if self.reading.lines else None
        if last is None:
            return set()
        deps = set(names_in(last.expr))
        for r in list(deps):
            deps |= uses.get(r, set())
        return deps

    @cached_property
    def made_good(self) -> dict[str, str | None]:
        """For each claimed step, the right step (or the right answer) built on it, if any."""
        ev = self.evaluation
        right = [s.var for s in ev.steps if s.value_ok] + ([self.answer] if self.correct else [])
        return {s.name: next((r for r in right if s.var in self.uses.get(r, set()) and r != s.var), None)
                for s in ev.steps}

    @property
    def answer(self) -> str:
        """The variable holding the answer, or ANSWER for a bare last expression."""
        return self.reading.answer or ANSWER

    @cached_property
    def false_steps(self) -> tuple[JudgedStep, ...]:
        return tuple(s for s in self.evaluation.steps if not (s.shape_ok and s.value_ok))

    @cached_property
    def leading(self) -> JudgedStep | None:
        """The first false step the wrong answer depends on that nothing made good."""
        if self.correct:
            return None
        answer_deps = self.uses.get(self.answer, set()) | {self.answer}
        return next((s for s in self.false_steps if s.var in answer_deps and self.made_good[s.name] is None
                     and not self.compensated(s)), None)

    def per_example(self, step: JudgedStep) -> bool:
        """The step is N·∂J/∂node for one dimension N: a course's per-example dZ2 = A2 - Y."""
        if not step.shape_ok or step.value_ok is None or step.claims == self.evaluation.wrt:
            return False
        f = self.step_scale(step)
        return f is not None and f.constant == 1 and len(f.up) == 1 and f.up[0][1] == 1 and not f.down

    def step_scale(self, step: JudgedStep) -> scale.ScaleFactor | None:
        """The constant a claimed step is off by; when a later line does not conform, read from the lines
        before it, evaluated on their own."""
        if self.values_judged:
            return self.scales.step(step)
        prefix = self.prefix
        twin = next((s for s in prefix.evaluation.steps if (s.name, s.statement) == (step.name, step.statement)),
                    None) if prefix is not None else None
        return prefix.scales.step(twin) if prefix is not None and twin is not None else None

    @cached_property
    def prefix(self) -> Case | None:
        ev = self.evaluation
        if self.values_judged or not self.false_steps:
            return None
        last = max(s.statement for s in self.false_steps)
        text = "\n".join(self.reading.statements[: last + 1])
        try:
            return Case(evaluate(ev.network, ev.wrt, text, ev.bindings, ev.origin))
        except TutorError:
            return None

    def compensated(self, step: JudgedStep) -> bool:
        """A per-example step (N·∂J/∂node, a course's dZ2 = A2 - Y) whose 1/N a later line brings back (it
        divides by N) and the answer does not lack: the answer's own mistake is elsewhere."""
        return self.compensated_at(step) is not None

    def compensated_at(self, step: JudgedStep) -> int | None:
        """The statement that brings a per-example step's 1/N back (see `compensated`), if one does."""
        if not step.shape_ok or step.claims == self.evaluation.wrt:
            return None
        f = self.scales.step(step)
        if f is None or f.constant != 1 or len(f.up) != 1 or f.down:
            return None
        answer = self.scales.answer() if self.evaluation.verdict == "scaled" else None
        if answer is not None and f.up[0][0] in dict(answer.up):
            return None
        dim = f.up[0][0]
        names = [dim] + [name for name, d in self.reading.dim_names if str(d) == dim]   # m = X.shape[1]
        divides = re.compile(rf"/\s*(\(\s*)?(float\()?(?:{'|'.join(map(re.escape, names))})\b")
        return next((k for k, text in enumerate(self.reading.statements) if k > step.statement and divides.search(text)),
                    None)

    @cached_property
    def leading_named(self) -> Named | None:
        """The classic mistake the leading step makes, if it is one."""
        step = self.leading
        if step is None or not step.shape_ok:
            return None
        ev = self.evaluation
        values = [d.learner[step.var] for d in ev.samples]
        return recognise(ev, step.claims, values, list(ev.samples))

    @cached_property
    def scales(self) -> scale.Scales:
        return scale.Scales(self.evaluation)

    def step_span(self, step: JudgedStep) -> Span | None:
        """Where a step's name is written."""
        return Span(step.line, step.col, step.col + len(step.name)) if step.line else None
