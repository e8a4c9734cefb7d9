"""The classic mistakes, as mutated derivative rules.

Each mistake replaces one entry of the rule table; deriving with it gives the
gradient a learner who makes that mistake would get. A learner's answer that
equals one of these (in float64, on every draw) is named precisely, with the
right derivative. `{out}` stands for the activation's output as the network
names it (h, A1), `{inp}` for its input as an operand (z1, or (x @ W)), `{arg}` as written (x @ W).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..engine.language.ir import Const
from ..engine.calculus.vjp import Rule, call, vjp_rules


@dataclass(frozen=True)
class Mistake:
    code: str
    prim: str                  # the primitive whose rule the learner got wrong
    what: str                  # what the learner did
    right: str                 # the right derivative, in words
    fix: str                   # the right factor, as code
    wrong: str                 # the learner's factor, as code
    rule: Callable             # the mutated rule for the argument that carries the gradient


def _sigmoid_again(g, ans, a):
    s = call("sigmoid", ans)
    return g * s * (1 - s)


def _softmax_again(g, ans, a, axis=-1):
    return vjp_rules["softmax"][0](g, ans, a, axis=axis) * ans * (1 - ans)


def _tanh_again(g, ans, a):
    return g * (1 - call("tanh", ans) ** 2)


SIGMOID = ("σ′(u) = σ(u)(1 − σ(u)): for {out} = sigmoid(…) multiply elementwise by {out} ∘ (1 − {out})",
           "{out} * (1 - {out})")
TANH = ("tanh′(u) = 1 − tanh(u)²: for {out} = tanh(…) multiply elementwise by 1 − {out}²", "(1 - {out} ** 2)")
RELU = ("relu′(u) is 1 where u > 0 and 0 elsewhere: multiply elementwise by the mask ({out} > 0)", "({out} > 0)")

MISTAKES: tuple[Mistake, ...] = (
    # sigmoid
    Mistake("sigmoid-derivative-missing", "sigmoid", "the sigmoid's derivative is missing: the gradient passes "
            "through {out} = sigmoid(…) unchanged", *SIGMOID, "", lambda g, ans, a: g),
    Mistake("tanh-derivative-for-sigmoid", "sigmoid", "this is tanh's derivative, 1 − {out}², used for the "
            "sigmoid layer {out}", *SIGMOID, "(1 - {out} ** 2)", lambda g, ans, a: g * (1 - ans ** 2)),
    Mistake("sigmoid-derivative-at-input", "sigmoid", "the sigmoid's derivative is taken at its input, "
            "{inp} ∘ (1 − {inp}), instead of at its output {out}", *SIGMOID, "{inp} * (1 - {inp})",
            lambda g, ans, a: g * a * (1 - a)),
    Mistake("sigmoid-applied-twice", "sigmoid", "σ is applied to {out} again: {out} is already σ({arg}), so "
            "σ({out}) ∘ (1 − σ({out})) is not its derivative", *SIGMOID, "sigmoid({out}) * (1 - sigmoid({out}))",
            _sigmoid_again),
    # tanh
    Mistake("tanh-derivative-missing", "tanh", "tanh's derivative is missing: the gradient passes through "
            "{out} = tanh(…) unchanged", *TANH, "", lambda g, ans, a: g),
    Mistake("sigmoid-derivative-for-tanh", "tanh", "this is the sigmoid's derivative, {out} ∘ (1 − {out}), used "
            "for the tanh layer {out}", *TANH, "{out} * (1 - {out})", lambda g, ans, a: g * ans * (1 - ans)),
    Mistake("tanh-derivative-without-square", "tanh", "tanh's derivative is 1 − {out}², not 1 − {out} (the "
            "square is missing)", *TANH, "(1 - {out})", lambda g, ans, a: g * (1 - ans)),
    Mistake("tanh-derivative-at-input", "tanh", "tanh's derivative is taken at its input, 1 − {inp}², instead "
            "of at its output {out}", *TANH, "(1 - {inp} ** 2)", lambda g, ans, a: g * (1 - a ** 2)),
    Mistake("relu-mask-for-tanh", "tanh", "this is the ReLU's mask ({out} > 0), used for the tanh layer {out}",
            *TANH, "({out} > 0)", lambda g, ans, a: g * (ans > 0)),
    Mistake("tanh-applied-twice", "tanh", "tanh is applied to {out} again: {out} is already tanh({arg}), so "
            "1 − tanh({out})² is not its derivative", *TANH, "(1 - tanh({out}) ** 2)", _tanh_again),
    # relu
    Mistake("relu-mask-missing", "relu", "the ReLU's mask is missing: the gradient passes through "
            "{out} = relu(…) unchanged, also where the unit is off", *RELU, "", lambda g, ans, a: g),
    Mistake("relu-value-for-mask", "relu", "this multiplies by the ReLU's output {out} instead of by its mask "
            "({out} > 0)", *RELU, "{out}", lambda g, ans, a: g * ans),
    Mistake("sigmoid-derivative-for-relu", "relu", "this is the sigmoid's derivative, {out} ∘ (1 − {out}), used "
            "for the ReLU layer {out}", *RELU, "{out} * (1 - {out})", lambda g, ans, a: g * ans * (1 - ans)),
    Mistake("tanh-derivative-for-relu", "relu", "this is tanh's derivative, 1 − {out}², used for the ReLU layer "
            "{out}", *RELU, "(1 - {out} ** 2)", lambda g, ans, a: g * (1 - ans ** 2)),
    # softmax
    Mistake("softmax-derivative-twice", "softmax", "the softmax's diagonal {out} ∘ (1 − {out}) is applied again on "
            "top of a gradient that already went through the softmax (ŷ − y includes its Jacobian)",
            "with cross-entropy, ∂J/∂z = ŷ − y already contains the softmax's whole Jacobian, diag(ŷ) − ŷᵀŷ; "
            "nothing more multiplies it", "", "", lambda g, ans, a, axis=-1: _softmax_again(g, ans, a, axis)),
    Mistake("softmax-diagonal", "softmax", "the softmax Jacobian is reduced to its diagonal, {out} ∘ (1 − {out})",
            "the softmax Jacobian is diag(ŷ) − ŷᵀŷ, not just its diagonal; applied to −y/ŷ it gives ŷ − y "
            "(because y sums to 1)", "", "", lambda g, ans, a, axis=-1: g * ans * (1 - ans)),
)


def is_zero(e) -> bool:
    return isinstance(e, Const) and e.value == 0


def relu_like(mutated: Callable) -> tuple[Callable, Callable]:
    """`np.maximum(0, z)` is a ReLU: the mistake goes to the argument that is not the constant 0."""
    left, right = vjp_rules["maximum"]
    assert left is not None and right is not None  # both arguments of maximum carry a gradient
    return (lambda g, ans, a, b: mutated(g, ans, a) if is_zero(b) else left(g, ans, a, b),
            lambda g, ans, a, b: mutated(g, ans, b) if is_zero(a) else right(g, ans, a, b))


def rules_for(mistake: Mistake, prim: str, only: str | None = None) -> dict:
    """The mutated rule table entries for `prim` (a call of `mistake.prim`, or `maximum` as a ReLU);
    with `only`, the mistake is made at that one named node and nowhere else."""
    mutated: tuple[Rule, ...]
    if prim == "maximum":
        mutated = relu_like(mistake.rule)
    else:
        mutated = (mistake.rule,) + vjp_rules[prim][1:]
    if only is None:
        return {prim: mutated}
    original = vjp_rules[prim]

    def at(i: int):
        def rule(g, ans, *args, **params):
            here = getattr(ans, "name", None) == only
            return (mutated if here else original)[i](g, ans, *args, **params)
        return rule
    return {prim: tuple(at(i) for i in range(len(original)))}
