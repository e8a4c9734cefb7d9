"""`check`: judge a learner's derivation of ∂J/∂LEAF, step by step, like a compiler would.

`check` is `evaluate` (the passes: parse, shapes, values) followed by `diagnose`
(what went wrong and the fix, in the learner's own terms).
"""
from __future__ import annotations

from ..engine.network import Network
from .diagnose import diagnose
from .evaluate import evaluate
from .result import CheckResult


def check(network: Network, wrt: str, text: str, dims: dict[str, int] | None = None,
          origin: str = "<derivation>") -> CheckResult:
    evaluation = evaluate(network, wrt, text, dims, origin)
    diagnostics, suggestion = diagnose(evaluation)
    return evaluation.result(diagnostics, suggestion)
