"""Unit tests of the independent NumPy oracle (tests/oracle.py) itself."""
from __future__ import annotations

import numpy as np
import pytest

from oracle import OracleError, answer_name, judge, load, verdict

DEFAULT = """
x: [1, Dx]
y: [1, Dy]
W1: [Dx, H]
b1: [H]
W2: [H, Dy]
b2: [Dy]

z1 = x @ W1 + b1
h = sigmoid(z1)
z2 = h @ W2 + b2
yhat = softmax(z2)
J = cross_entropy(y, yhat)
"""

CS231N = """
X: [N, D]
y: int[N] < K
W: [D, K]
b: [1, K]
reg = 1e-3
num_examples = X.shape[0]
scores = np.dot(X, W) + b
exp_scores = np.exp(scores)
probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
correct_logprobs = -np.log(probs[range(num_examples), y])
data_loss = np.sum(correct_logprobs) / num_examples
reg_loss = 0.5 * reg * np.sum(W * W)
loss = data_loss + reg_loss
"""

DW1 = "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"


def test_default_network_dims_and_labels():
    net = load(DEFAULT)
    assert set(net.dims) == {"Dx", "H", "Dy"}
    assert len(set(net.dims.values())) == 3 and 1 not in net.dims.values()
    assert net.leaves["W1"] == (net.dims["Dx"], net.dims["H"])
    assert net.onehot_leaves == {"y"}       # the first argument of cross_entropy is a label
    values = net.sample(np.random.default_rng(1))
    assert values["y"].sum() == 1 and set(np.unique(values["y"])) <= {0.0, 1.0}


def test_given_dims_are_kept_and_others_avoid_them():
    net = load(DEFAULT, {"H": 5})
    assert net.dims["H"] == 5 and 5 not in (net.dims["Dx"], net.dims["Dy"])


def test_gradient_matches_the_textbook_formula():
    net = load(DEFAULT)
    values = net.sample(np.random.default_rng(2))
    fwd = net.forward(values)
    expected = fwd["x"].T @ ((fwd["yhat"] - fwd["y"]) @ fwd["W2"].T * fwd["h"] * (1 - fwd["h"]))
    assert np.allclose(net.gradient(values, "W1"), expected, rtol=1e-7, atol=1e-12)
    assert np.isclose(net.loss(values), -np.sum(fwd["y"] * np.log(fwd["yhat"])))


@pytest.mark.parametrize("text, expected", [
    (DW1, "correct"),
    ("((yhat - y) @ W2.T * h * (1 - h)).T @ x", "transposed"),
    ("0.5 * " + DW1, "scaled"),
    ("-" + DW1, "scaled"),
    ("x.T @ ((yhat - y) @ W2 * h * (1 - h))", "shape_error"),
    ("x.T @ ((yhat - y) @ W2.T * h)", "wrong_value"),
    ("(yhat - y) @ W2.T * h * (1 - h)", "wrong_shape"),
    ("dz2 = yhat - y\ndh = dz2 @ W2.T\ndz1 = dh * h * (1 - h)\ndW1 = x.T @ dz1\nunrelated = 3", "correct"),
    ("x.T @ ((yhat - y) @ W2.T * sigmoid_grad(h))", "correct"),
    ("x.T @ ((yhat - y) @ W2.T * sigmoid_prime(z1))", "correct"),
    ("x.T @ ((yhat - y) @ W2.T * sigmoid_prime(h))", "wrong_value"),
])
def test_default_network_verdicts(text, expected):
    assert verdict(DEFAULT, "W1", text) == expected


def test_scaled_reports_its_factor():
    assert judge(DEFAULT, "W1", "-2 * " + DW1).factor == pytest.approx(-2.0)


def test_integer_labels_are_integers_with_repeats():
    net = load(CS231N)
    assert net.int_leaves == {"y": net.dims["K"]}
    values = net.sample(np.random.default_rng(3))
    y = values["y"]
    assert y.dtype.kind == "i" and y.shape == (net.dims["N"],)
    assert y.min() >= 0 and y.max() < net.dims["K"] and len(np.unique(y)) < y.size
    with pytest.raises(OracleError):
        net.gradient(values, "y")


CASE_STUDY_DW = """
dscores = probs
dscores[range(num_examples), y] -= 1
dscores /= num_examples
dW = np.dot(X.T, dscores)
dW += reg * W
"""


def test_in_place_code_and_aliasing():
    assert verdict(CS231N, "W", CASE_STUDY_DW) == "correct"
    assert verdict(CS231N, "W", CASE_STUDY_DW.replace("dW += reg * W", "")) == "wrong_value"
    # the 1/N applied twice: the data term shrinks, the regularisation does not
    twice = CASE_STUDY_DW.replace("dscores /= num_examples", "dscores /= num_examples\ndscores /= num_examples")
    assert verdict(CS231N, "W", twice) == "wrong_value"
    # ... and applied to everything: a constant multiple
    assert judge(CS231N, "W", CASE_STUDY_DW + "dW /= num_examples").verdict == "scaled"
    # db without keepdims has the wrong shape for b: [1, K]
    assert verdict(CS231N, "b", "dscores = probs.copy()\ndscores[range(N), y] -= 1\n"
                                "db = np.sum(dscores, axis=0) / N") == "wrong_shape"
    # probs shares memory with dscores: using it after the in-place change is a bug
    aliasing = ("dscores = probs\ndscores[range(N), y] -= 1\n"
                "dW = X.T @ (probs - onehot(y, K)) / N + reg * W")
    assert verdict(CS231N, "W", aliasing) == "wrong_value"
    assert verdict(CS231N, "W", aliasing.replace("dscores = probs", "dscores = probs.copy()")) == "correct"


def test_answer_name():
    assert answer_name("dW1 = 1\nx = 2", "W1") == "dW1"
    assert answer_name("dW1 = 1\ngrads['W1'] = dW1\nx = 2", "W1") == "grads['W1']"
    assert answer_name("dJ_dW1 = 1", "W1") == "dJ_dW1"
    assert answer_name("grad_W1 = 1", "W1") == "grad_W1"
    assert answer_name("a = 1\nb = a", "W1") == "b"
    assert answer_name("d = x\nd[h <= 0] = 0", "W1") == "d"
    assert answer_name("a = 1\na * 2", "W1") is None
    assert answer_name("dW2 = 1\ndW1x = 2", "W1") == "dW1x"   # no claim on W1: the last line


def test_grads_dict_is_the_answer():
    text = f"grads = {{}}\ngrads['W1'] = {DW1}\ngrads['W2'] = h.T @ (yhat - y)"
    assert verdict(DEFAULT, "W1", text) == "correct"
    assert verdict(DEFAULT, "W2", text) == "correct"


def test_exact_zero_gradient_compares_absolutely():
    net = """
x: [N, D]
W: [D, H]
b: [1, H]
t: [N, H]
z = x @ W + b
c = z - np.mean(z, axis=0, keepdims=True)
J = np.sum((c - t) ** 2)
"""
    assert verdict(net, "b", "0 * b") == "correct"
    assert verdict(net, "b", "1e-3 * b") == "wrong_value"


def test_unknown_names_raise_instead_of_a_verdict():
    with pytest.raises(OracleError) as e:
        verdict(DEFAULT, "W1", "x.T @ nonsense")
    assert e.value.kind == "other"
