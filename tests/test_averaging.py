"""Which dimensions a loss averages over: the fact that decides whether a course's per-example
error (deeplearning.ai's dZ2 = A2 − Y) is m·∂J/∂Z2 or ∂J/∂Z2 itself."""
from __future__ import annotations

import pytest

from tutor.engine.language.averaging import averaged_over
from tutor.engine.language.network import load, parse_network

HEAD = "X: [N, D]\nW: [D, C]\nT: [N, C]\nP = X @ W\n"


@pytest.mark.parametrize("loss,expected", [
    ("J = sum((P - T) ** 2) / N", {"N"}),
    ("J = 0.5 * sum((P - T) ** 2) / N", {"N"}),
    ("J = -1 / N * sum(T * log(sigmoid(P)))", {"N"}),
    ("J = -(1 / N) * sum(T * log(sigmoid(P)))", {"N"}),
    ("J = sum((P - T) ** 2) / (2 * N)", {"N"}),
    ("J = mean((P - T) ** 2)", {"N", "C"}),
    ("J = sum(mean((P - T) ** 2, axis=0))", {"N"}),
    ("J = sum((P - T) ** 2)", set()),
    ("J = 0.5 * sum((P - T) ** 2)", set()),
    ("data = sum((P - T) ** 2) / N\nreg = 0.5 * sum(W ** 2)\nJ = data + reg", {"N"}),
    ("J = sum((P - T) ** 2) / N + 0.5 * sum(W * W)", {"N"}),
    ("J = sum(exp(P / N))", set()),   # a division inside the loss's own expression is no average
])
def test_the_dimensions_a_loss_divides_by_as_an_average(loss, expected):
    assert averaged_over(parse_network(HEAD + loss + "\n")) == expected


@pytest.mark.parametrize("name,expected", [("default", set()), ("batch", {"N"}), ("cs231n", {"N"}),
                                           ("mlp", {"N"}), ("column", set())])
def test_the_bundled_networks(name, expected):
    assert averaged_over(load(name)) == expected
