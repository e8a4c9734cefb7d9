"""Statements and types of the NumPy a learner writes (issue 21): tuple assignment and unpacking, lambda,
loops over a range (unrolled), names bound to numbers and dimensions, names that shadow functions,
assignment into part of an array in a forward pass, np.add.at, 0/1 masks, scalar labels and a 1×1 loss.

Every verdict here is a value comparison on random draws (check), and every derived gradient is verified
numerically (derive's complex-step check), so a wrong reading cannot pass.
"""
from __future__ import annotations

import numpy as np
import pytest

from tutor.engine.errors import ParseError
from tutor.engine.language.network import parse_network
from tutor.engine.numbers.sampling import sample_leaves
from tutor.judge.check import check
from tutor.api import derive


def verdict(network: str, wrt: str, derivation: str) -> str:
    return check(parse_network(network), wrt, derivation).verdict


def verified(network: str) -> dict:
    out = derive(network).to_json()
    assert out["verification"]["verified"], out["verification"]
    return out


UNPACK = """
x: [N, D]
W: [D, H]
N_, D_ = x.shape
h, g = x @ W, 2
relu = np.maximum(h, 0)
sq = lambda t: t ** 2
for i in range(2):
    relu = relu * 0.5
J = np.sum(sq(relu) * g) / N_
"""


def test_unpacking_lambda_loops_and_a_shadowed_function_name():
    network = parse_network(UNPACK)
    assert network.dim_names["N_"].symbols == ("N",)
    assert "relu" in network.definitions and "relu_1" in network.definitions
    verified(UNPACK)
    right = "drelu = 4 * relu / N\nfor i in range(2):\n    drelu = drelu * 0.5\ndh = drelu * (h > 0)\ndW = x.T @ dh"
    assert verdict(UNPACK, "W", right) == "correct"
    assert verdict(UNPACK, "W", right.replace("range(2)", "range(1)")) == "scaled"


def test_unpacking_several_values_at_once():
    net = "x: [N, D]\nW: [D, H]\nz = x @ W\nJ = np.sum(z ** 2)\n"
    assert verdict(net, "W", "dz, dW = 2 * z, 0 * W\ndW = x.T @ dz") == "correct"
    assert verdict(net, "W", "dWx, dz = np.zeros_like(W), 2 * z\ndW = dWx + x.T @ dz") == "correct"
    refused = check(parse_network(net), "W", "a, b = 2 * z, a\ndW = x.T @ a")
    assert refused.verdict == "unusable" and "both sides" in refused.diagnostics[0].message
    with pytest.raises(ParseError, match="3 names but 2 values"):
        parse_network("x: [N]\na, b, c = x, x\nJ = np.sum(a)\n")


def test_a_helper_that_returns_a_tuple_and_np_split():
    net = """
x: [N, 2*H]
W: [H, K]
def affine_forward(x, w):
    out = x @ w
    return out, x
a, b = np.split(x, 2, axis=1)
out, cache = affine_forward(a * b, W)
J = np.sum(out ** 2)
"""
    out = verified(net)
    assert out["nodes"]["a"]["shape"] == ["N", "H"]
    assert verdict(net, "W", "dW = (a * b).T @ (2 * out)") == "correct"
    assert verdict(net, "W", "dW = (a + b).T @ (2 * out)") == "wrong_value"


def test_loop_bounds_must_be_numbers():
    with pytest.raises(ParseError, match="not a number"):
        parse_network("x: [N]\nfor i in range(N):\n    x = x * 2\nJ = np.sum(x)\n")
    with pytest.raises(ParseError, match="limit"):
        parse_network("x: [N]\ny = x\nfor i in range(1000):\n    y = y * 2\nJ = np.sum(y)\n")


def test_loop_keys_are_spelled_out():
    net = "W1: [D, D]\nW2: [D, D]\nx: [N, D]\nh1 = x @ W1\nh2 = h1 @ W2\nJ = np.sum(h2)\n"
    derivation = """
grads = {}
dh = {}
dh2 = np.ones_like(h2)
dh1 = dh2 @ W2.T
grads['dW2'] = h1.T @ dh2
grads['dW1'] = x.T @ dh1
total = 0
for l in range(1, 3):
    total = total + np.sum(grads["dW" + str(l)])
"""
    assert verdict(net, "W1", derivation) == "correct"


def test_partial_assignment_in_the_forward_pass_is_differentiated():
    net = "x: [N, D]\nW: [D, 3]\nh = x @ W\nh[:, 0:2] = 0\nh[:, 2] += 1\nJ = np.sum(h ** 2)\n"
    verified(net)
    assert verdict(net, "W", "dh = 2 * h\ndh[:, 0:2] = 0\ndW = x.T @ dh") == "correct"
    masked = "x: [N, D]\nW: [D, H]\nh = x @ W\nh[h < 0] = 0\nJ = np.sum(h ** 2)\n"
    verified(masked)
    assert verdict(masked, "W", "dW = x.T @ (2 * h)") == "correct"
    assert verdict(masked, "W", "dW = x.T @ (2 * (x @ W))") == "wrong_value"
    with pytest.raises(ParseError, match="repeat"):
        parse_network("x: [N, D]\ny: int[N] < N\nh = x * 1\nh[y] = 0\nJ = np.sum(h)\n")
    with pytest.raises(ParseError, match="repeat"):  # a range broadcast against labels of another shape
        parse_network("x: [N, D]\ny: int[K, N] < D\nh = x * 1\nh[np.arange(N), y] = 0\nJ = np.sum(h)\n")
    # paired one to one with a range, every position is distinct (CS231n's svm_loss: margins[np.arange(N), y] = 0)
    picked = "x: [N, D]\ny: int[N] < D\nW: [D, D]\nh = x @ W\nh[np.arange(N), y] = 0\nJ = np.sum(h ** 2)\n"
    verified(picked)
    assert verdict(picked, "W", "dh = 2 * h\ndh[np.arange(N), y] = 0\ndW = x.T @ dh") == "correct"
    assert verdict(picked, "W", "dW = x.T @ (2 * h)") == "correct"
    assert verdict(picked, "W", "dW = x.T @ (2 * (x @ W))") == "wrong_value"


def test_np_add_at_adds_every_repeated_index():
    net = "E: [V, D]\ntok: int[N] < V\nW: [D, K]\ne = E[tok]\nJ = np.sum((e @ W) ** 2)\n"
    assert verdict(net, "E", "de = 2 * (e @ W) @ W.T\ndE = np.zeros_like(E)\nnp.add.at(dE, tok, de)") == "correct"
    # NumPy's `+=` keeps one update per repeated index (labels are drawn with a repeat)
    assert verdict(net, "E", "de = 2 * (e @ W) @ W.T\ndE = np.zeros_like(E)\ndE[tok] += de") == "wrong_value"


CAPTIONING = """
x: [N, T, V]
y: int[N, T] < V
mask: binary[N, T]
N_, T_, V_ = x.shape
x_flat = x.reshape(N_ * T_, V_)
y_flat = y.reshape(N_ * T_)
mask_flat = mask.reshape(N_ * T_)
probs = np.exp(x_flat - np.max(x_flat, axis=1, keepdims=True))
probs /= np.sum(probs, axis=1, keepdims=True)
loss = -np.sum(mask_flat * np.log(probs[np.arange(N_ * T_), y_flat])) / N_
"""


def test_labels_and_masks_keep_their_kind_through_reshape():
    """CS231n assignment 3's temporal softmax loss, its own backward lines."""
    network = parse_network(CAPTIONING)
    assert network.kinds["y_flat"] == "int" and network.kinds["mask"] == "bool"
    right = ("dx_flat = probs.copy()\ndx_flat[np.arange(N * T), y_flat] -= 1\ndx_flat /= N\n"
             "dx_flat *= mask_flat[:, None]\ndx = dx_flat.reshape(N, T, V)")
    assert verdict(CAPTIONING, "x", right) == "correct"
    assert verdict(CAPTIONING, "x", right.replace("dx_flat *= mask_flat[:, None]\n", "")) == "wrong_value"


def test_a_binary_leaf_is_sampled_as_a_zero_one_mask():
    net = "X: [N, D]\nW: [D, H]\nmask: binary[N, H]\nh = np.maximum(0, X @ W)\nout = h * mask / 0.5\nJ = np.sum(out ** 2)\n"
    network = parse_network(net)
    values = sample_leaves(network, network.bindings(), np.random.default_rng(0))
    assert set(np.unique(values["mask"])) == {0.0, 1.0}
    # with a 0/1 mask, dout already vanishes where the mask does: both spellings are right
    assert verdict(net, "W", "dout = 2 * out\ndh = dout * mask / 0.5\ndh[h <= 0] = 0\ndW = X.T @ dh") == "correct"
    assert verdict(net, "W", "dout = 2 * out\ndh = dout / 0.5\ndh[h <= 0] = 0\ndW = X.T @ dh") == "correct"
    assert verdict(net, "W", "dout = 2 * out\ndh = dout * mask\ndh[h <= 0] = 0\ndW = X.T @ dh") == "scaled"


def test_a_scalar_integer_label():
    net = "x: [N, K]\nlbl: int[] < K\np = softmax(x, axis=1)\nJ = -np.sum(np.log(p[:, lbl]))\n"
    network = parse_network(net)
    assert network.shapes["lbl"] == () and "lbl" in network.labels
    verified(net)
    assert verdict(net, "x", "dx = p.copy()\ndx[:, lbl] -= 1") == "correct"
    assert verdict(net, "x", "dx = p.copy()") == "wrong_value"


@pytest.mark.parametrize("cost", [
    "cost = -1 / m_ * (np.dot(Y, np.log(A).T) + np.dot(1 - Y, np.log(1 - A).T))",
    "cost = (Y - A) @ (Y - A).T",
])
def test_a_one_by_one_loss_is_a_scalar_loss(cost):
    net = f"X: [n_x, m]\nY: [1, m]\nW: [1, n_x]\nb: [1, 1]\nA = sigmoid(np.dot(W, X) + b)\nm_ = X.shape[1]\n{cost}\n"
    network = parse_network(net)
    assert network.shapes["cost"] == () and network.notes and "1×1" in network.notes[0]
    verified(net)


def test_the_least_squares_cost_as_the_textbook_writes_it():
    net = "X: [N, D]\nw: [D, 1]\ny: [N, 1]\ncost = (y - X @ w).T @ (y - X @ w)\n"
    assert verdict(net, "w", "dw = -2 * X.T @ (y - X @ w)") == "correct"
    assert verdict(net, "w", "dw = -X.T @ (y - X @ w)") == "scaled"


def test_names_bound_to_numbers_are_bounds():
    net = "x: [N, 4]\nW: [4, K]\nk = 2\nz = x[:, :k] @ W[:k, :]\nJ = np.sum(z ** 2)\n"
    out = verified(net)
    assert out["nodes"]["z"]["shape"] == ["N", "K"]
    assert verdict(net, "W", "dW = np.zeros_like(W)\ndW[:k, :] = x[:, :k].T @ (2 * z)") == "correct"


def test_dimension_sums():
    from tutor.engine.language.dims import Dim
    n_a, n_x, h = Dim.symbol("n_a"), Dim.symbol("n_x"), Dim.symbol("H")
    total = n_a + n_x
    assert total == n_x + n_a and str(total) == "(n_a + n_x)"
    assert total.minus(n_a) == n_x and total.minus(n_x) == n_a and total.minus(h) is None
    assert h + h == Dim(2) * h and (total + h).minus(total) == h
    assert total.value({"n_a": 5, "n_x": 3}) == 8
    network = parse_network("a: [N, H]\nb: [N, D]\nc = np.hstack((a, b))\nJ = np.sum(c[:, H:] ** 2)\n")
    assert [str(d) for d in network.shapes["c"]] == ["N", "(D + H)"]
    assert network.dims == ("N", "H", "D")
    verified("a: [N, H]\nb: [N, D]\nc = np.hstack((a, b))\nJ = np.sum(c[:, H:] ** 2)\n")


@pytest.mark.parametrize("source, words", [
    ("x: [N]\nJ = np.sum(x ^ 2)\n", "**"),
    ("x: [N]\nJ = np.sum((lambda q: q)(x))\n", "f = lambda"),
    ("x: [N]\nJ = np.sum(~x)\n", "1 - mask"),
    ("x: [N]\ny = x\nfor v in x:\n    y = y * v\nJ = np.sum(y)\n", "range"),
    ("x: [N]\nf = lambda: x\nJ = np.sum(x)\n", "def f("),
    ("x: [N]\nb, c = x\nJ = np.sum(b)\n", "np.split"),
])
def test_what_is_still_refused_says_what_to_write(source, words):
    with pytest.raises(ParseError) as info:
        parse_network(source)
    text = info.value.message + " " + (info.value.expected or "")
    assert words in text, text


def test_derive_says_a_one_by_one_loss_was_read_as_a_scalar(tmp_path):
    from typer.testing import CliRunner
    from tutor.cli import app
    path = tmp_path / "least_squares.net"
    path.write_text("X: [N, D]\nw: [D, 1]\ny: [N, 1]\ncost = (y - X @ w).T @ (y - X @ w)\n")
    result = CliRunner().invoke(app, ["derive", str(path)])
    assert result.exit_code == 0 and "1×1 array" in result.output and "verified" in result.output


def test_a_loop_over_names_and_a_result_written_out():
    net = "x: [N, D]\nW: [D, H]\nV: [D, H]\nJ = np.sum((x @ W) ** 2) + np.sum(x @ V)\n"
    derivation = ("dW = 2 * x.T @ (x @ W)\ndV = x.T @ np.ones((N, H))\n"
                  "for d in [dW, dV]:\n    np.multiply(d, 2, out=d)\ndW = dW / 2\n")
    assert verdict(net, "W", derivation) == "correct"
    assert verdict(net, "V", derivation) == "scaled"


@pytest.mark.parametrize("loop", ["range(1000000000)", "range(0, 10, 0)", "range(100)"])
def test_long_loops_are_refused_quickly(loop):
    import time
    body = "    h = h * 2\n" * 3
    nested = f"x: [N]\nh = x\nfor i in {loop}:\n    for j in range(100):\n{body.replace('    ', '        ')}J = np.sum(h)\n"
    start = time.perf_counter()
    with pytest.raises(ParseError):
        parse_network(nested)
    assert time.perf_counter() - start < 2


def test_reductions_written_as_numpy_keep_their_axes_when_asked():
    """count_nonzero, all/any and var take NumPy's axis and keepdims alike (count_nonzero dropped keepdims)."""
    x = np.arange(6.0).reshape(2, 3) - 2
    for text, expected in (("count_nonzero(x, axis=1, keepdims=True)", np.count_nonzero(x, axis=1, keepdims=True)),
                           ("all(x, axis=0, keepdims=True)", np.all(x, axis=0, keepdims=True)),
                           ("var(x, 1, keepdims=True)", np.var(x, 1, keepdims=True)),
                           ("count_nonzero(x, axis=0)", np.count_nonzero(x, axis=0))):
        net = parse_network(f"x: [N, D]\nc = {text}\nJ = sum(c * x)\n")
        assert len(net.shapes["c"]) == np.ndim(expected), text


# -- lists, tuples and methods as courses write them (Nielsen's backprop, deeplearning.ai's caches) -------------

LISTED = """
x: [D, 1]
w1: [H, D]
w2: [K, H]
b1: [H, 1]
b2: [K, 1]
weights = [w1, w2]
biases = [b1, b2]
a = x
zs = []
for b, w in zip(biases, weights):
    z = np.dot(w, a) + b
    zs.append(z)
    a = np.tanh(z)
caches = [((x, w1), zs[0]), ((np.tanh(zs[0]), w2), zs[-1])]
J = np.sum(a ** 2)
"""

LISTED_BACKWARD = """
def back(d, cache, kind):
    (a_prev, W), z = cache
    if kind == "tanh":
        d = d * (1 - np.tanh(z) ** 2)
    return np.dot(W.T, d), np.dot(d, a_prev.T)

grads = {}
L = len(caches)
d = 2 * np.tanh(zs[-1])
grads["dA" + str(L - 1)], grads["dW" + str(L)] = back(d, caches[L - 1], kind="tanh")
for l in reversed(range(L - 1)):
    grads["dA" + str(l)], grads["dW" + str(l + 1)] = back(grads["dA" + str(l + 1)], caches[l], kind="tanh")
"""


@pytest.mark.parametrize("wrt", ["w1", "w2"])
def test_lists_tuples_and_string_keys_are_read_as_written(wrt):
    assert verdict(LISTED, wrt, LISTED_BACKWARD + f'grads["d{wrt.upper()}"]') == "correct"
    assert verdict(LISTED, wrt, LISTED_BACKWARD.replace('kind="tanh"', 'kind="relu"') + f'grads["d{wrt.upper()}"]') \
        == "wrong_value"
    verified(LISTED)


def test_a_method_pasted_with_self_reads_its_attributes_and_calls():
    text = """
def delta(self, a, y):
    return 2 * a
nabla = [np.zeros(w.shape) for w in self.weights]
nabla[-1] = np.dot(self.delta(np.tanh(zs[-1]), 0) * (1 - np.tanh(zs[-1]) ** 2), np.tanh(zs[-2]).T)
nabla[-1]
"""
    assert verdict(LISTED, "w2", text) == "correct"
    assert verdict(LISTED, "w2", text.replace("zs[-2]", "zs[-1]")) == "wrong_shape"


@pytest.mark.parametrize("text, words", [
    ("d = zs[-3]\nd", "out of range for the list zs of 2"),
    ("n = [None] * 2\nn[2] = zs[0]\nn[2]", "out of range for the list n of 2"),
    ("n = [w for w in weights if w]\nn[0]", "no condition"),
    ("for a, b in zip(weights):\n    q = a\nq", "2 names one value each"),
    ("p, q, r = caches[0]\np", "holds 2 values"),
])
def test_lists_read_wrongly_are_refused_with_a_position(text, words):
    r = check(parse_network(LISTED), "w1", text)
    assert r.verdict == "unusable" and words in r.diagnostics[0].message and r.diagnostics[0].line


def test_torch_clone_and_detach_are_copies():
    """makemore's `dlogits = dnorm_logits.clone()`, pasted from PyTorch: a copy, in a derivation and a network."""
    from tutor.engine.language.network import load
    net = load("default")
    right = "dscores = yhat.clone()\ndscores -= y\ndW2 = h.T @ dscores"
    assert check(net, "W2", right).correct
    assert check(net, "W2", right.replace("yhat.clone()", "yhat.detach().clone()")).correct
    assert not check(net, "W2", right.replace("dscores -= y", "dscores += y")).correct
    torch_forward = parse_network(net.source.replace("h = sigmoid(z1)", "h = sigmoid(z1).clone()"))
    assert torch_forward.shapes["h"] == net.shapes["h"]
