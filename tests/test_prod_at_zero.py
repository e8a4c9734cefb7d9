"""A product's gradient where an entry is exactly 0 (after a ReLU or a mask): each entry's share is the
product of the other entries, multiplied out rather than divided (prod / a would be 0 / 0 there).
Checked against central differences of the forward pass, along every kind of axis."""
from __future__ import annotations

import numpy as np
import pytest

from gradcheck import check_gradients, check_reparse, leaf_values
from oracle import verdict as oracle_verdict
from tutor.engine.language.network import parse_network
from tutor.judge.check import check

BINDINGS = {"N": 4, "D": 3, "T": 5}


@pytest.mark.parametrize("reduction", [
    "np.prod(h)",
    "np.sum(np.prod(h, axis=1))",
    "np.sum(np.prod(h, axis=0) * w)",
    "np.sum(np.prod(h, axis=-1, keepdims=True))",
    "np.sum(h.prod(axis=1) ** 2)",
    "np.sum(np.prod(g, axis=1))",
    "np.sum(np.prod(g, axis=(0, 1, 2)))",
    "np.sum(np.prod(g, axis=(0, 2)))",
])
def test_a_product_with_zero_entries_has_its_exact_gradient(reduction):
    net = parse_network(f"x: [N, D]\nw: [D]\nu: [N, T, D]\nh = relu(x) + relu(w)\ng = relu(u) * 0.5 + 0.5\n"
                        f"J = {reduction}\n")
    rng = np.random.default_rng(3)
    leaves = leaf_values(net, BINDINGS, rng)
    leaves["x"][0, 0] = -1.0       # an exact zero in the product, whatever the draw
    leaves["w"][0] = -1.0
    grads, values = check_gradients(net, BINDINGS, leaves)
    check_reparse(net, grads, values, BINDINGS)


NET = "x: [N, D]\nh = relu(x)\nJ = np.sum(np.prod(h, axis=1))\n"


@pytest.mark.parametrize("derivation, expected, judged", [
    ("others = np.prod(np.where(np.eye(D) == 1, 1, h[:, None, :]), axis=-1)\ndx = others * (x > 0)", "correct",
     "correct"),
    # 0 / 0 where h is 0: values that are not numbers, never compared as right
    ("dx = np.prod(h, axis=1, keepdims=True) / h * (x > 0)", "wrong_value", "unusable"),
    ("dx = np.prod(h, axis=1, keepdims=True) * (x > 0)", "wrong_value", "wrong_value"),
])
def test_a_learners_product_rule_is_judged_where_entries_are_zero(derivation, expected, judged):
    assert oracle_verdict(NET, "x", derivation) == expected
    r = check(parse_network(NET), "x", derivation)
    assert r.verdict == judged and r.correct == (expected == "correct"), [d.message for d in r.diagnostics]
