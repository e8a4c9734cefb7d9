"""Properties of the primitives that course code brought in (issue 11): for generated shapes, axes and
index forms, each one's shape rule agrees with NumPy and each one's derivative rule with central finite
differences; the printed gradient parses back to the same numbers.

Covered: max/min (axis, keepdims), clip, where, log1p, copy, squeeze, linalg.norm, square/power,
reshape with -1, indexing (slices, new axes, integers, picking with labels, gathering with an integer
array of rank 1 or 2), onehot, zeros_like/ones_like, a written-out softmax, reassigned names.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.engine.language.network import parse_network
from tutor.engine.numbers.numeric import forward
from tutor.engine.numbers.sampling import sample

from gradcheck import check_gradients, check_reparse

pytestmark = pytest.mark.filterwarnings("ignore:The recursion limit will not be reset")

AXES = st.sampled_from([None, 0, 1, -1, (0, 1)])


def reductions(draw_axis, keepdims, prim):
    axis = "" if draw_axis is None else f", axis={draw_axis}"
    return f"A: [N, M]\nc: [N, M]\nr = {prim}(A * c{axis}, keepdims={keepdims})\nJ = sum(r * r)\n"


TEMPLATES = {
    "max": lambda d: reductions(d.draw(AXES), d.draw(st.booleans()), "np.max"),
    "amax method": lambda d: f"A: [N, M]\nr = A.max({d.draw(st.sampled_from([0, 1]))}, keepdims=True)\nJ = sum(r ** 2)\n",
    "min": lambda d: reductions(d.draw(AXES), d.draw(st.booleans()), "np.min"),
    "clip": lambda d: "A: [N, M]\nJ = sum(np.clip(A, -0.5, 0.5) ** 2)\n",
    "where": lambda d: "A: [N, M]\nB: [M]\nJ = sum(np.where(A > 0, A * B, np.square(B)))\n",
    "log1p": lambda d: "A: [N, M]\nJ = sum(np.log1p(A * A))\n",
    "copy": lambda d: "A: [N, M]\nB = A.copy()\nJ = sum(np.copy(B) * A)\n",
    "squeeze": lambda d: f"a: [{d.draw(st.sampled_from(['1, M', 'M, 1']))}]\nJ = sum(np.squeeze(a) ** 3)\n",
    "norm": lambda d: "A: [N, M]\nJ = np.linalg.norm(A) + np.power(np.sum(A), 2)\n",
    "reshape -1": lambda d: (f"X: [N, M]\nr = X.reshape({d.draw(st.sampled_from(['1, -1', '-1,', '-1, 1', 'N, -1']))})\n"
                             "J = sum(r.reshape(X.shape) * X) + sum(r ** 3)\n"),
    "slice": lambda d: "A: [5, 8]\nB: [N, H]\ni = A[:, 0:4]\nf = A[:, 4:8]\nJ = sum(sigmoid(i) * tanh(f)) + sum(A[1:] ** 2) + sum(B[:, 0:H] * B[0:N])\n",
    "new axis": lambda d: f"a: [M]\nB: [N, M]\nJ = sum(B * a[{d.draw(st.sampled_from(['None, :', 'np.newaxis', 'None']))}] ** 2)\n",
    "int with slice": lambda d: "A: [N, M]\nJ = sum(A[0, :] ** 2) + sum(A[:, 1] ** 3) + sum(A[..., 0])\n",
    "pick": lambda d: "S: [N, K]\ny: int[N] < K\nP = softmax(S, axis=1)\nJ = -mean(log(P[np.arange(N), y]))\n",
    "pick range": lambda d: "S: [N, K]\ny: int[N] < K\nJ = sum(S[range(N), y] ** 2)\n",
    "gather": lambda d: f"E: [V, D]\nt: int[{d.draw(st.sampled_from(['N', 'N, T']))}] < V\nJ = sum(tanh(E[t]))\n",
    "gather with integer": lambda d: "E: [V, D]\nt: int[N] < V\nJ = sum(E[t, 0] ** 2)\n",
    "onehot": lambda d: "S: [N, K]\ny: int[N] < K\nJ = sum((S - onehot(y, K)) ** 2) + sum(np.eye(K)[y] * S)\n",
    "like": lambda d: "A: [N, M]\nJ = sum(A * np.ones_like(A) + np.zeros_like(A))\n",
    "written-out softmax": lambda d: (
        "S: [N, K]\ny: int[N] < K\n"
        + d.draw(st.sampled_from(["Z = S - np.max(S, axis=1, keepdims=True)\nE = np.exp(Z)\n", "E = np.exp(S)\n"]))
        + "P = E / np.sum(E, axis=1, keepdims=True)\nloss = -np.sum(np.log(P[range(N), y]))\nloss /= N\n"),
    "reassigned": lambda d: "A: [N, M]\nb: [M]\nout = A + b\nout = relu(out)\nout = out * out\nloss = sum(out)\nloss += sum(b * b)\n",
}


@st.composite
def generated(draw):
    name = draw(st.sampled_from(sorted(TEMPLATES)))
    return name, TEMPLATES[name](type("D", (), {"draw": staticmethod(draw)}))


@settings(max_examples=120)
@given(generated(), st.integers(0, 2**32 - 1))
def test_new_primitives_have_right_shapes_and_gradients(case, seed):
    name, source = case
    network = parse_network(source)
    bindings = network.bindings()
    leaves, values = sample(network, bindings, np.random.default_rng(seed))
    numpy_values = forward(network.definitions, leaves, bindings)
    for node, shape in network.shapes.items():  # the symbolic shape is NumPy's shape
        assert np.shape(numpy_values[node]) == tuple(d.value(bindings) for d in shape), (name, node)
    grads, values = check_gradients(network, bindings, leaves)
    check_reparse(network, grads, values, bindings)


def test_integer_labels_have_no_gradient_and_are_refused_as_numbers():
    network = parse_network("S: [N, K]\ny: int[N] < K\nJ = sum(S[range(N), y])\n")
    assert "y" not in network.leaves and network.labels["y"].symbols == ("K",)
    with pytest.raises(Exception, match="integer labels"):
        parse_network("S: [N, K]\ny: int[N] < K\nJ = sum(S * y)\n")
