"""`check`: judge a learner's derivation of ∂J/∂LEAF, step by step, like a compiler would.

`check` is `evaluate` (the passes: parse, shapes, values) followed by `diagnose`
(what went wrong and the fix, in the learner's own terms).

The two people behind a check are told apart. The instructor's inputs (the leaf, the
dimensions) are checked first and raise `TutorError`. The learner's text never raises: text
that cannot be used (a syntax error, an unknown name, a refused form) is a result with the
verdict `unusable` and its located diagnostic, so a grader always has a result to report.
"""
from __future__ import annotations

from ..engine.errors import TutorError
from ..engine.language.network import Network, check_indices
from ..engine.numbers.sampling import NonFinite, TooLarge
from .diagnose import diagnose
from .evaluate import evaluate
from .result import CheckResult


def check(network: Network, wrt: str, text: str, dims: dict[str, int] | None = None,
          origin: str = "<derivation>", suggestion: bool = True) -> CheckResult:
    """The verdict on `text` as ∂J/∂wrt; with suggestion=False, nothing that gives the answer away."""
    network.require_leaf(wrt)
    bindings = network.bindings(dims)
    check_indices(network, bindings)
    try:
        evaluation = evaluate(network, wrt, text, bindings, origin)
    except (TooLarge, NonFinite):  # the instructor's network or dimensions: not the learner's doing
        raise
    except TutorError as error:
        result = CheckResult.unusable(network, wrt, text, origin, bindings, error.diagnostic)
    else:
        result = evaluation.result(*diagnose(evaluation))
    return result if suggestion else result.withheld()


def unreadable(network: Network, wrt: str, error: TutorError, dims: dict[str, int] | None = None,
               origin: str = "<derivation>") -> CheckResult:
    """A learner's answer that could not even be read as text (a missing file, bytes that are not
    UTF-8, not a string at all): the verdict `unusable`, once the instructor's inputs are known good."""
    network.require_leaf(wrt)
    return CheckResult.unusable(network, wrt, "", error.origin or origin, network.bindings(dims), error.diagnostic)
