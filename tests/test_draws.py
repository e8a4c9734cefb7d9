"""Random draws in a network's forward pass (tutor/engine/language/draws.py): a dropout mask drawn as the
network runs is a fixed array the derivation reuses. Every verdict is the NumPy oracle's, whose forward
pass draws with NumPy itself (from one seed per sample)."""
from __future__ import annotations

import numpy as np
import pytest

from oracle import verdict as oracle_verdict
from tutor.engine.errors import TutorError
from tutor.engine.language.network import parse_network
from tutor.engine.numbers.sampling import sample_leaves
from tutor.judge.check import check

LAYER = """
x: [N, D]
w: [D, K]
{draw_line}
out = x * mask
J = np.sum(out @ w)
"""

DRAWS = {
    "rand-dims": "mask = (np.random.rand(N, D) < 0.8) / 0.8",
    "rand-starred": "mask = (np.random.rand(*x.shape) < 0.5) / 0.5",
    "rand-shape-items": "mask = np.random.rand(x.shape[0], x.shape[1]) < 0.7",
    "random-size": "mask = np.random.random(x.shape) < 0.6",
    "random-sample-tuple": "mask = np.random.random_sample((N, D)) < 0.6",
    "uniform": "mask = np.random.uniform(0, 1, size=x.shape) > 0.3",
    "binomial": "mask = np.random.binomial(1, 0.7, size=x.shape) / 0.7",
    "binomial-keywords": "mask = np.random.binomial(n=1, p=0.5, size=(N, D))",
    "randn-noise": "mask = 1 + 0.1 * np.random.randn(N, D)",
    "normal-noise": "mask = np.random.normal(1.0, 0.1, x.shape)",
    "standard-normal": "mask = np.random.standard_normal(x.shape) ** 2",
}

DERIVATIONS = {
    "right": ("dout = np.ones((N, 1)) * w.sum(axis=1)\ndx = dout * mask", "correct"),
    "mask-left-out": ("dout = np.ones((N, 1)) * w.sum(axis=1)\ndx = dout", "wrong_value"),
}


@pytest.mark.parametrize("kind", DERIVATIONS)
@pytest.mark.parametrize("draw", DRAWS)
def test_a_drawn_mask_is_reused_by_the_derivation(draw, kind):
    net = LAYER.format(draw_line=DRAWS[draw])
    derivation, expected = DERIVATIONS[kind]
    assert oracle_verdict(net, "x", derivation) == expected
    r = check(parse_network(net), "x", derivation)
    assert r.verdict == expected, [d.message for d in r.diagnostics]


def test_a_draw_bound_to_a_name_is_a_leaf_sampled_from_its_distribution():
    net = parse_network("x: [N, D]\nD1 = np.random.rand(N, D)\nD1 = (D1 < 0.5).astype(int)\nJ = np.sum(x * D1)\n")
    drawn = [n for n in net.leaves if n in net.draws]
    assert len(drawn) == 1 and net.shapes[drawn[0]] == net.shapes["x"]
    values = sample_leaves(net, {"N": 40, "D": 30}, np.random.default_rng(0))[drawn[0]]
    assert values.min() >= 0 and values.max() < 1 and 0.3 < values.mean() < 0.7
    masked = parse_network("x: [N]\nm = np.random.binomial(1, 0.5, size=x.shape)\nJ = np.sum(x * m)\n")
    (m,) = masked.draws
    assert set(np.unique(sample_leaves(masked, {"N": 50}, np.random.default_rng(1))[m])) == {0.0, 1.0}


@pytest.mark.parametrize("text, message", [
    ("x: [N]\nJ = np.sum(x * np.random.binomial(2, 0.5, size=x.shape))\n", "one trial"),
    ("x: [N]\nJ = np.sum(x * np.random.rand(K))\n", "unknown dimension"),
    ("x: [N]\nJ = np.sum(x * np.random.shuffle(x))\n", "not a draw"),
    ("x: [N]\nJ = np.sum(x * np.random.uniform(1, 1, size=x.shape))\n", "empty range"),
    ("x: [N]\nJ = np.sum(x * np.random.rand(*x))\n", "shape can be unpacked"),
])
def test_a_draw_that_cannot_be_read_is_refused_with_its_place(text, message):
    with pytest.raises(TutorError) as err:
        parse_network(text)
    assert message in err.value.message and err.value.span is not None


def test_a_derivation_reuses_the_forward_draw_and_never_draws_its_own():
    net = parse_network("x: [N]\nmask = np.random.rand(N) < 0.5\nJ = np.sum(x * mask)\n")
    r = check(net, "x", "dx = np.random.rand(N) < 0.5")
    assert r.verdict == "unusable" and "forward pass" in r.diagnostics[0].message
