"""The rewrite rules (issue 12) never change a value, and each reads the way it is meant to.

A property: random expressions over a network's leaves and names, built once as written (`raw`, no
rule applied) and once through `mk` with the network's names in force (the way every formula is
built), have the same values on random numbers. Then one example per rule, by its printed form.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st

from conftest import SCALE
from tutor.engine.simplify.algebra import mk, rebuild
from tutor.engine.simplify.build import raw
from tutor.engine.calculus.grad import names_of_network
from tutor.engine.language.ir import Call, Const, DimRef, Var
from tutor.engine.language.network import parse_network
from tutor.engine.numbers.numeric import Evaluator
from tutor.engine.language.printer import code
from tutor.engine.numbers.sampling import sample

NETWORK = parse_network("""\
X: [N, D]
G: [N, D]
gamma: [D]
w: [D]
s: []
mu = mean(X, axis=0)
xc = X - mu
var = mean(xc ** 2, axis=0)
xhat = xc / sqrt(var + 1e-5)
scores = X * gamma
exp_scores = exp(scores)
probs = exp_scores / sum(exp_scores, axis=1, keepdims=True)
h = tanh(X)
J = sum(G * xhat) + sum(probs * G) + sum(h) + s * sum(w * w)
""")
BINDINGS = {"N": 4, "D": 3}
MATRIX = NETWORK.shapes["X"]
ROW = NETWORK.shapes["gamma"]
SCALAR = ()
NAMES = {MATRIX: ["X", "G", "xc", "xhat", "probs", "h", "exp_scores"], ROW: ["gamma", "w", "mu", "var"],
         SCALAR: ["s"]}


def leaf(shape):
    return st.sampled_from(NAMES[shape]).map(lambda name: Var(name, shape=NETWORK.shapes[name]))


def numbers():
    return st.sampled_from([0.5, 2, 1, 3]).map(Const)


@st.composite
def expressions(draw, shape, depth=3):
    """A well-shaped expression of `shape`, written as a learner or a rule might build it."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(leaf(shape))
    kind = draw(st.sampled_from(["binary", "binary", "unary", "scale", "reduce", "matmul"]))
    if kind == "binary":
        op = draw(st.sampled_from(["add", "sub", "mul", "mul", "div"]))
        a = draw(expressions(shape, depth - 1))
        other = draw(st.sampled_from([shape, ROW, SCALAR] if shape == MATRIX else [shape, SCALAR]))
        b = draw(expressions(other, depth - 1))
        if op == "div":  # a divisor that is never near zero
            b = raw("add", raw("exp", b), Const(1))
        return raw(op, *((a, b) if draw(st.booleans()) else (b, a))) if op in ("add", "mul") else raw(op, a, b)
    if kind == "unary":
        a = draw(expressions(shape, depth - 1))
        op = draw(st.sampled_from(["neg", "square", "sqrt", "tanh"]))
        if op == "square":
            return raw("pow", a, exponent=2)
        if op == "sqrt":
            return raw("pow", raw("sqrt", raw("add", raw("exp", a), Const(1))), exponent=2)
        return raw(op, a)
    if kind == "scale":
        a = draw(expressions(shape, depth - 1))
        c = draw(numbers())
        scaled = raw("mul", c, a) if draw(st.booleans()) else raw("div", a, c)
        return raw("div", scaled, DimRef("N", shape=())) if draw(st.booleans()) else scaled
    if kind == "reduce" and shape in (ROW, SCALAR):
        a = draw(expressions(MATRIX, depth - 1))
        prim = draw(st.sampled_from(["sum", "mean"]))
        return raw(prim, a, axis=0) if shape == ROW else raw(prim, a)
    if kind == "matmul" and shape == MATRIX:
        a, b, c = (draw(expressions(MATRIX, depth - 1)) for _ in range(3))
        gram = raw("matmul", a, raw("transpose", b))  # N×N
        return raw("matmul", gram, c) if draw(st.booleans()) else \
            raw("transpose", raw("matmul", raw("transpose", c), raw("transpose", gram)))
    return draw(leaf(shape))


@settings(max_examples=150 * SCALE, deadline=None)
@given(st.sampled_from([MATRIX, ROW, SCALAR]).flatmap(lambda s: expressions(s)), st.integers(0, 2 ** 32 - 1))
def test_rewriting_never_changes_a_value(written, seed):
    _, values = sample(NETWORK, BINDINGS, np.random.default_rng(seed))
    built = rebuild(written, names_of_network(NETWORK))
    note(f"written: {code(written)}")
    note(f"built:   {code(built)}")
    assert built.shape == written.shape
    with np.errstate(all="ignore"):
        want = np.asarray(Evaluator(values, BINDINGS)(written), dtype=float)
        got = np.asarray(Evaluator(values, BINDINGS)(built), dtype=float)
    assume(np.all(np.isfinite(want)))  # exp of exp of ...: the numbers overflow, not the algebra
    np.testing.assert_allclose(np.broadcast_to(got, np.shape(want)), want, rtol=1e-9, atol=1e-9)
    again = parse_network(NETWORK.source + f"again = {code(built)}\nagain_loss = sum(again)\n")
    assert again.shapes["again"] == written.shape  # what is printed parses back, with its shape


def built(text: str) -> str:
    """A definition's expression, built through the rules with the test network's names."""
    net = parse_network(NETWORK.source + f"probe = {text}\nprobe_loss = sum(probe)\n")
    return code(rebuild(net.definitions["probe"], names_of_network(NETWORK)))


@pytest.mark.parametrize("written, reads", [
    ("2 * (0.5 / N) * X", "X / N"),                                   # constants collected
    ("0.5 * s * w + 0.5 * s * w", "s * w"),                           # like terms
    ("X / N - G / N", "(X - G) / N"),                                 # a common factor once
    ("2 * (X - G) - 2 * (X - w)", "2 * (w - G)"),                     # a sum opened where terms meet
    ("sqrt(var + 1e-5) ** 2", "var + 1e-05"),                         # sqrt(v) ** 2 is v
    ("xc / sqrt(var + 1e-5) * G", "xhat * G"),                        # a name written back
    ("sum(xc, axis=0)", "zeros((D,))"),                               # a centred variable sums to 0
    ("sum(G * gamma, axis=0)", "gamma * sum(G, axis=0)"),             # constant factors leave a sum
    ("sum(sum(X, axis=1, keepdims=True), axis=1, keepdims=True)",     # a sum of one entry is that entry
     "sum(X, axis=1, keepdims=True)"),
    ("exp_scores / sum(exp_scores, axis=1, keepdims=True)", "probs"),  # a definition is its name
    ("mean(X, axis=0)", "mu"),
    ("eye(N)[range(N)]", "onehot(arange(N), N)"),                      # one spelling of a one-hot row
    ("0 < X", "X > 0"),                                               # a mask as it is written
    ("X + 0 * G", "X"),                                               # no 0 * device
    ("G * exp(X) / (1 + exp(X))", "G * sigmoid(X)"),                  # the softplus's derivative named
    ("1 / (1 + exp(-X))", "sigmoid(X)"),
    ("broadcast_to(s, (N, D)) > 0", "broadcast_to(s > 0, (N, D))"),   # a scalar stays inside a broadcast
    ("einsum('ab,ac->cb', X, G)", "G.T @ X"),                         # a contraction as a product
])
def test_a_rule_reads_as_meant(written, reads):
    assert built(written) == reads


STACKS = parse_network("Q: [B, H, T, D]\nS: [B, H, T, T]\nJ = sum(Q) + sum(S)\n")


@pytest.mark.parametrize("written, reads", [
    ("swapaxes(swapaxes(Q, -1, -2) @ S, -1, -2)", "swapaxes(S, -1, -2) @ Q"),      # (Qᵀ S)ᵀ = Sᵀ Q, per matrix
    ("swapaxes(S @ swapaxes(S, 2, 3), 2, 3)", "S @ swapaxes(S, -1, -2)"),
    ("swapaxes(S @ Q, -1, -2)", "swapaxes(S @ Q, -1, -2)"),                          # no transpose inside: kept
    ("swapaxes(S @ swapaxes(S, -1, -2), 0, 1)", "swapaxes(S @ swapaxes(S, -1, -2), 0, 1)"),  # not the matrices' axes
])
def test_a_stack_of_matrices_transposes_as_each_matrix_does(written, reads):
    net = parse_network(STACKS.source + f"probe = {written}\nprobe_loss = sum(probe)\n")
    got = rebuild(net.definitions["probe"], names_of_network(STACKS))
    assert code(got) == reads
    bindings = {"B": 2, "H": 3, "T": 4, "D": 5}
    _, values = sample(STACKS, bindings, np.random.default_rng(0))
    np.testing.assert_allclose(Evaluator(values, bindings)(got), Evaluator(values, bindings)(net.definitions["probe"]))
