"""Whole networks: the bundled examples and tests/networks/*.net.

Every leaf gets a gradient of its declared shape, the engine's own verifier
accepts it, and it equals central finite differences entry by entry. The
teacher-form formulas of the motivating examples are pinned, and the verifier
is shown to catch near-misses (a 1e-6 scaling, a same-shape transpose) while
never flagging a correct gradient.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tutor.engine.language.dims import shape_json
from tutor.engine.calculus.grad import backward
from tutor.engine.language.ir import Call, Const
from tutor.engine.language.network import load, parse_network
from tutor.engine.language.printer import code
from tutor.engine.numbers.sampling import sample
from tutor.engine.numbers.verify import verify

from gradcheck import check_gradients, check_reparse

NETWORK_FILES = sorted(Path(__file__).parent.glob("networks/*.net"))
BUNDLED = ["default", "batch", "column", "vector", "mlp"]
SPECS = BUNDLED + [str(p) for p in NETWORK_FILES]
IDS = BUNDLED + [p.stem for p in NETWORK_FILES]
#: Small, distinct sizes (values from 2 up, never 1, so no transpose can hide).
SMALL = (3, 4, 2, 5, 6, 7, 8)


def small_bindings(net):
    return net.bindings(dict(zip(net.dims, SMALL)))


def all_gradients(net):
    grads = backward(net)
    return {leaf: grads.wrt[leaf] for leaf in net.leaves}


def test_network_files_exist():
    assert len(NETWORK_FILES) >= 10


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_every_leaf_has_a_gradient_of_its_shape(spec):
    net = load(spec)
    grads = backward(net)
    assert net.loss in grads.wrt
    for leaf, shape in net.leaves.items():
        assert leaf in grads.wrt, f"no gradient for {leaf}"
        assert grads.wrt[leaf].shape == shape, (leaf, shape_json(grads.wrt[leaf].shape), shape_json(shape))
    for name in net.definitions:
        assert grads.wrt[name].shape == net.shapes[name], name


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_verifier_accepts_the_derived_gradients(spec):
    net = load(spec)
    for bindings in (net.bindings(), small_bindings(net)):
        result = verify(net, all_gradients(net), bindings)
        assert result.ok, (bindings, result.max_error, result.leaf_errors)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_gradients_equal_finite_differences(spec, seed):
    net = load(spec)
    bindings = small_bindings(net)
    leaves, _ = sample(net, bindings, np.random.default_rng(seed))
    check_gradients(net, bindings, leaves)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_printed_formulas_parse_and_evaluate_the_same(spec):
    net = load(spec)
    bindings = small_bindings(net)
    leaves, values = sample(net, bindings, np.random.default_rng(3))
    check_reparse(net, backward(net), values, bindings)


# -- the teacher-form formulas --------------------------------------------------------------

def formulas(spec):
    net = load(spec)
    return {leaf: code(f) for leaf, f in all_gradients(net).items()}


def test_default_network_formulas():
    f = formulas("default")
    assert f["W1"] == "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"
    assert f["b1"] == "sum((yhat - y) @ W2.T * h * (1 - h), axis=0)"
    assert f["W2"] == "h.T @ (yhat - y)"
    assert f["b2"] == "sum(yhat - y, axis=0)"


def test_default_b1_sums_over_axis_0():
    net = load("default")
    b1 = backward(net).wrt["b1"]
    assert isinstance(b1, Call) and b1.prim == "sum"
    assert b1.param("axis") == 0 and not b1.param("keepdims", False)
    assert shape_json(b1.args[0].shape) == [1, "H"]


def test_default_uses_the_one_hot_assumption():
    grads = backward(load("default"))
    assert [(a.target, a.axis) for a in grads.assumptions] == [("y", 1)]


def test_batch_formulas_divide_by_N_exactly_once():
    for leaf, text in formulas("batch").items():
        assert text.count("/ N") == 1, (leaf, text)
        assert text.count("N") == 1, (leaf, text)


def test_batch_W1_formula():
    assert formulas("batch")["W1"] == "X.T @ ((Yhat - Y) @ W2.T * H1 * (1 - H1)) / N"


def test_column_convention_W1_ends_with_x_T():
    f = formulas("column")
    assert f["W1"].endswith("@ x.T"), f["W1"]
    assert f["W2"] == "(yhat - y) @ h.T"
    assert f["b2"] == "yhat - y"
    assert "sum" not in f["b1"]  # b1 has the shape of z1: nothing is broadcast


def test_vector_convention_uses_outer_products():
    f = formulas("vector")
    assert f["W1"].startswith("outer(x, "), f["W1"]
    assert f["W2"] == "outer(h, yhat - y)"


def test_mlp_relu_gradient_uses_the_activation():
    assert "(A2 > 0)" in formulas("mlp")["W2"]


def test_formulas_use_only_names_of_the_network():
    import ast
    for spec in SPECS:
        net = load(spec)
        known = set(net.nodes) | set(net.dims)
        for leaf, text in formulas(spec).items():
            tree = ast.parse(text, mode="eval")
            called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
            names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - called
            assert names <= known, (spec, leaf, names - known)


# -- the verifier's sensitivity -----------------------------------------------------------

def scaled(expr, factor):
    return Call("mul", (Const(factor), expr), shape=expr.shape)


DEAD_RELU = ("verify() draws only 2 samples and does not resample when every ReLU unit is inactive: for "
             "tests/networks/l2.net (H=3) at the default seed 0 both draws have z1 < 0 everywhere, so dJ/dx and dJ/db1 are "
             "identically 0 there and any multiple of them (even 0) is accepted")


DEAD_RELU_CASES = {("l2", "x"), ("l2", "b1")}  # W1 also has the nonzero lam * W1 term


def leaf_cases():
    for spec, ident in zip(SPECS, IDS):
        for leaf in load(spec).leaves:
            marks = []
            yield pytest.param(spec, leaf, id=f"{ident}-{leaf}", marks=marks)


@pytest.mark.parametrize("spec, leaf", list(leaf_cases()))
def test_verifier_catches_a_gradient_scaled_by_one_part_in_a_million(spec, leaf):
    net = load(spec)
    good = all_gradients(net)
    bad = dict(good, **{leaf: scaled(good[leaf], 1 + 1e-6)})
    result = verify(net, bad, net.bindings())
    assert not result.ok, (leaf, result.max_error)
    assert max(result.leaf_errors, key=result.leaf_errors.get) == leaf


def test_verifier_rejects_a_zero_gradient_through_relu_at_every_seed():
    net = load(str(Path(__file__).parent / "networks/l2.net"))
    good = all_gradients(net)
    wrong = dict(good, x=scaled(good["x"], 0.0))
    accepted = [seed for seed in range(20) if verify(net, wrong, net.bindings(), seed=seed).ok]
    assert accepted == []


SQUARE = """\
x: [N, D]
W: [D, D]
V: [D, D]
c: [N, D]
h = tanh(x @ W)
J = sum(h @ V * c)
"""


@pytest.mark.parametrize("source, leaf", [
    (SQUARE, "W"), (SQUARE, "V"),
    (Path(__file__).parent.joinpath("networks/residual.net").read_text(), "W"),
    (Path(__file__).parent.joinpath("networks/rnn.net").read_text(), "Wh"),
], ids=["square-W", "square-V", "residual-W", "rnn-Wh"])
def test_verifier_catches_a_transposed_gradient_of_the_same_shape(source, leaf):
    net = parse_network(source)
    good = all_gradients(net)
    wrong = Call("transpose", (good[leaf],), shape=good[leaf].shape)
    bindings = net.bindings()
    assert verify(net, good, bindings).ok
    result = verify(net, dict(good, **{leaf: wrong}), bindings)
    assert not result.ok, result.max_error


def test_verifier_catches_a_flipped_sign_and_a_missing_term():
    net = load("batch")
    good = all_gradients(net)
    bindings = net.bindings()
    assert not verify(net, dict(good, W2=scaled(good["W2"], -1)), bindings).ok
    assert not verify(net, dict(good, b2=scaled(good["b2"], 0)), bindings).ok
    # a missing 1/N: the formula without its final division
    w1 = good["W1"]
    assert isinstance(w1, Call) and w1.prim == "div"
    assert not verify(net, dict(good, W1=w1.args[0]), bindings).ok


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_verifier_never_flags_correct_gradients(spec):
    net = load(spec)
    good = all_gradients(net)
    bindings = small_bindings(net)
    errors = [verify(net, good, bindings, seed=seed).max_error for seed in range(20)]
    assert max(errors) <= 1e-10, errors
    assert all(verify(net, good, bindings, seed=seed).ok for seed in range(20))


# -- labels -----------------------------------------------------------------------------------

LABEL_RANK_BUG = ("targets.find_targets records a label's axis in the softmax operand's rank (axis 1 of N×M) "
                  "even when the label broadcasts with a lower rank ([M]); sampling.one_hot then indexes "
                  "dims[1] of a 1-tuple: IndexError from sample() and verify()")
BROADCAST_LABEL_BUG = ("targets.find_targets takes a label that is broadcast along the softmax axis (a scalar, or "
                       "length 1 on that axis) for a one-hot label; it is sampled as 1.0 everywhere, so it sums to "
                       "the axis length, not 1, and the simplified gradient `softmax(Z) - s` is wrong (the engine's "
                       "own verify() rejects it)")


@pytest.mark.parametrize("source", [
    "y: [M]\nZ: [N, M]\nJ = cross_entropy(y, softmax(Z))\n",
    "w: [M]\nZ: [N, M]\nJ = -sum(log(softmax(Z)) * w)\n",
    "w: [M]\nZ: [N, M]\nJ = -sum(w * log_softmax(Z))\n",
], ids=["cross_entropy", "log-softmax-written-out", "log_softmax"])
def test_a_label_of_lower_rank_than_the_softmax_can_be_sampled(source):
    net = parse_network(source)
    grads = backward(net)
    result = verify(net, {leaf: grads.wrt[leaf] for leaf in net.leaves}, net.bindings())
    assert result.ok


@pytest.mark.parametrize("source", [
    "Z: [N, M]\ns: []\nJ = cross_entropy(s, softmax(Z))\n",
    "Z: [N, M]\ns: [N, 1]\nJ = cross_entropy(s, softmax(Z))\n",
    "z: [M]\ns: []\nJ = sum(s * log(softmax(z)))\n",
], ids=["scalar-label", "column-label", "scalar-weight-of-log-softmax"])
def test_a_label_broadcast_along_the_softmax_axis_is_not_one_hot(source):
    net = parse_network(source)
    bindings = net.bindings()
    grads = backward(net)
    assert verify(net, {leaf: grads.wrt[leaf] for leaf in net.leaves}, bindings).ok
    leaves, _ = sample(net, bindings, np.random.default_rng(0))
    check_gradients(net, bindings, leaves)


def test_a_label_of_the_same_rank_is_sampled_one_hot():
    net = parse_network("y: [1, M]\nZ: [N, M]\nJ = cross_entropy(y, softmax(Z))\n")
    leaves, _ = sample(net, net.bindings(), np.random.default_rng(0))
    assert sorted(np.ravel(leaves["y"]).tolist()) == [0.0] * (net.bindings()["M"] - 1) + [1.0]
    grads = backward(net)
    assert code(grads.wrt["Z"]) == "softmax(Z) - y"
    assert verify(net, {leaf: grads.wrt[leaf] for leaf in net.leaves}, net.bindings()).ok
