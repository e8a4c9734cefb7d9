"""The classic mistakes, as mutated derivative rules.

Each mistake replaces a few entries of the rule table; deriving with it gives
the gradient a learner who makes that mistake would get. A learner's answer
that equals one of these (in float64, on every draw) is named precisely.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..engine.vjp import call


@dataclass(frozen=True)
class Mistake:
    code: str
    name: str
    explanation: str
    rules: dict


def _sigmoid_twice(g, ans, a):
    s = call("sigmoid", ans)
    return g * s * (1 - s)


MISTAKES: tuple[Mistake, ...] = (
    Mistake("missing-activation-derivative", "a missing activation derivative",
            "the gradient passes through the activation unchanged; multiply by its derivative "
            "(h ∘ (1 − h) for a sigmoid, 1 − h² for tanh, (z > 0) for ReLU)",
            {"sigmoid": (lambda g, ans, a: g,), "tanh": (lambda g, ans, a: g,), "relu": (lambda g, ans, a: g,)}),
    Mistake("activation-derivative-at-input", "the activation's derivative evaluated at its input",
            "σ′(z) = σ(z)(1 − σ(z)) = h ∘ (1 − h): it uses the output h, not z ∘ (1 − z)",
            {"sigmoid": (lambda g, ans, a: g * a * (1 - a),), "tanh": (lambda g, ans, a: g * (1 - a ** 2),)}),
    Mistake("activation-applied-twice", "σ applied to h again",
            "h is already σ(z1); its derivative is h ∘ (1 − h), not σ(h) ∘ (1 − σ(h))",
            {"sigmoid": (_sigmoid_twice,)}),
    Mistake("softmax-diagonal", "the softmax Jacobian reduced to its diagonal",
            "the softmax Jacobian is diag(ŷ) − ŷᵀŷ, not just ŷ ∘ (1 − ŷ); applied to −y/ŷ it gives ŷ − y "
            "(because y sums to 1)",
            {"softmax": (lambda g, ans, a, axis=-1: g * ans * (1 - ans),)}),
)
