"""One mistake, one diagnosis, in a homework file's verdict on a gradient.

`check` speaks about a wrong answer twice when its first false step is also where the mistake shows:
E214 for the step (`dZ1 is not ∂J/∂Z1`) and E213 for the answer (`the values are not ∂J/∂W1: this is the
sigmoid's derivative used for the tanh layer`). In a file the learner reads both at once, so they become
one: the diagnosis stands at the line that has the mistake and names it.

* the step is the answer itself (`dW1 = X.T.dot(dA1)` with σ′ left out): the answer's diagnosis alone;
* the answer is "built on" the step, whose diagnosis names the mistake, or is the same multiple of its
  gradient as the step is of its own: the step's alone;
* the answer's diagnosis names a mistake that explains the answer whole (the answer is exactly the gradient
  with that one mistake made): the step's, naming that mistake (the step alone may be read as another one:
  a mask missing in every ReLU layer gives the same first step as the one mask missing);
* the answer's diagnosis names nothing (only "the values are not ∂J/∂W") and the step's says what the step
  holds instead (`is N·∂J/∂scores`): the step's.

Anything else (two steps, two answers' findings, a shape error) keeps what `check` found.
"""
from __future__ import annotations

import re
from dataclasses import replace

from ..engine.diagnostics import Diagnostic

BARE_STEP = re.compile(r"^(?P<name>\S+) is not ∂J/∂(?P<claims>\S+)$")
ANSWER = re.compile(r"^the shape is right \(.*?\) but the values are not ∂J/∂(?P<wrt>\S+?)(?:: (?P<what>.*))?$",
                    re.S)


MULTIPLE = re.compile(r"^this is (?P<factor>[^∂]+?)·∂J/∂")
ANSWER_CODES = ("E210", "E211", "E212", "E213")   # what the answer is: wrong shape, transposed, scaled, wrong values


def one_per_mistake(diagnostics: tuple[Diagnostic, ...], wrt: str) -> tuple[Diagnostic, ...]:
    steps = [d for d in diagnostics if d.code == "E214"]
    answers = [d for d in diagnostics if d.code in ANSWER_CODES]
    if len(steps) != 1 or len(answers) != 1:
        return diagnostics
    step, answer = steps[0], answers[0]
    claims = BARE_STEP.match(step.message.split(":", 1)[0])
    if claims is not None and claims.group("claims") == wrt and step.line == answer.line:
        return tuple(d for d in diagnostics if d is not step)        # the step is the answer
    factor = MULTIPLE.search(answer.message) if answer.code == "E212" else None
    if factor is not None and f"is {factor.group('factor')}·∂J/∂" in step.message and step.line != answer.line:
        return tuple(d for d in diagnostics if d is not answer)      # the step's factor is the answer's
    said = ANSWER.match(answer.message) if answer.code == "E213" else None
    if said is None:
        return diagnostics
    what = said.group("what") or ""
    if not what and step.line != answer.line and not BARE_STEP.match(step.message):
        return tuple(d for d in diagnostics if d is not answer)      # the step says where it goes wrong, and how
    if what.startswith("it is built on "):
        return tuple(d for d in diagnostics if d is not answer)      # the step already names the mistake
    if what:  # the answer's named mistake explains it whole: it is the step's mistake, named at the step
        head = step.message.split(": ", 1)[0]
        merged = replace(step, message=f"{head}: {what}", note=answer.note or step.note,
                         concept=answer.concept or step.concept, symbols=answer.symbols or step.symbols,
                         help=answer.help or step.help)
        return tuple(merged if d is step else d for d in diagnostics if d is not answer)
    return diagnostics
