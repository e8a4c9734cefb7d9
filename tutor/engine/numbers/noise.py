"""Rounding noise, measured: the same computation with every operation's result moved by a few units
in its last place, as rounding could have moved it.

A value that exact arithmetic makes zero by cancelling terms (`1 - sum(softmax(z))`) is computed as
rounding noise the size of those terms' last place, and every later step scales that noise with the
value: after 25 nested softmaxes it is 1e-40, its own magnitude says nothing. Moving the leaves a few
units in their last place does not show it either (a saturated softmax rounds the moved leaves to the
same numbers). Moving every intermediate result does: the difference between the two computations is
the rounding noise of the terms, carried to the end exactly as the computation carries it (Monte Carlo
arithmetic, with the relative moves a few times larger than rounding's half unit, so the noise is
over- rather than under-estimated).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..language.ir import Call, Expr
from .generator import Generator
from .numeric import Evaluator, forward

#: Each result is multiplied by 1 + u·ULPS·ε, u uniform on (−1, 1): rounding moves it by at most ½ε.
ULPS = 4

#: The operations that round their results. The others (max, where, indexing, reshaping, comparisons…)
#: give back numbers they were given, exactly: moving those would break equalities the computation relies
#: on (`logits == logits.max(1)`), which rounding never does. A move is a factor, so signs and zeros stay.
ROUNDING = frozenset({
    "add", "sub", "mul", "div", "matmul", "einsum", "outer", "sum", "mean", "cumsum", "prod", "norm",
    "hypot", "pow", "sqrt", "exp", "expm1", "log", "log1p", "log2", "log10", "logaddexp", "logsumexp",
    "sigmoid", "tanh", "softmax", "log_softmax", "cross_entropy", "erf", "gelu",
    "sin", "cos", "tan", "sinh", "cosh", "arcsin", "arccos", "arctan", "arctan2", "arcsinh", "arccosh", "arctanh",
})


class Jittered(Evaluator):
    """An `Evaluator` whose every rounded floating-point result is moved by a few units in its last place
    (integers, booleans, exact operations and the values it is given stay as they are)."""

    def __init__(self, values: Mapping[str, np.ndarray], bindings: Mapping[str, int], rng: Generator):
        super().__init__(values, bindings)
        self.rng = rng

    def value(self, expr: Expr) -> Any:
        key = id(expr)
        if key in self.memo:
            return self.memo[key]
        out = super().value(expr)
        if isinstance(expr, Call) and expr.prim in ROUNDING:
            out = jitter(out, self.rng)
            self.memo[key] = out
        return out


def jitter(value: Any, rng: Generator) -> Any:
    array = np.asarray(value)
    if array.dtype.kind != "f" or array.size == 0:
        return value
    move = rng.random(array.shape) - 0.5
    move *= 2 * ULPS * np.finfo(array.dtype).eps
    move += 1
    return array * move


def jittered_forward(definitions: Mapping[str, Expr], leaves: dict, bindings: Mapping[str, int],
                     rng: Generator) -> dict:
    """The forward pass, every result moved as rounding could have moved it."""
    return forward(definitions, leaves, bindings, lambda out, given: Jittered(out, given, rng))
