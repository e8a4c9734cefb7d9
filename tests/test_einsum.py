"""einsum: the contraction `walk` prints can be typed back, and differentiated."""
from __future__ import annotations

import numpy as np
import pytest

from tutor.judge.check import check
from tutor.engine.calculus.grad import backward
from tutor.engine.language.network import load, parse_network
from tutor.engine.numbers.numeric import Evaluator, forward
from tutor.engine.numbers.sampling import sample


@pytest.mark.parametrize("source", [
    "x: [N, D]\nW: [D, K]\nJ = sum(einsum('nd,dk->nk', x, W) ** 2)\n",
    "a: [D]\nb: [D]\nJ = einsum('i,i->', a, b)\n",
    "A: [N, D]\nB: [N, K]\nC: [D, K]\nJ = sum(einsum('nd,nk->dk', A, B) * C)\n",
    "A: [N, D]\nJ = sum(einsum('nd->dn', A) ** 2)\n",
    "A: [N, 1]\nB: [1, K]\nC: [N, K]\nJ = sum(einsum('ij,jk->ik', A, B) * C)\n",
])
def test_einsum_gradients_match_finite_differences(source):
    net = parse_network(source)
    bindings = net.bindings()
    leaves, values = sample(net, bindings, np.random.default_rng(3))
    grads = backward(net).wrt
    for leaf, base in leaves.items():
        claimed = np.broadcast_to(Evaluator(values, bindings)(grads[leaf]), np.shape(base))
        fd = np.zeros(np.shape(base))
        for index in np.ndindex(*np.shape(base)):
            out = []
            for sign in (1, -1):
                bumped = np.array(base, dtype=float)
                bumped[index] += sign * 1e-6
                out.append(forward(net.definitions, {**leaves, leaf: bumped}, bindings)[net.loss])
            fd[index] = (out[0] - out[1]) / 2e-6
        assert np.allclose(claimed, fd, rtol=1e-5, atol=1e-7), leaf


def test_the_einsum_walk_prints_is_accepted_by_check():
    result = check(load(), "W1", "dz1 = (yhat - y) @ W2.T * h * (1 - h); np.einsum('ai,aj->ij', x, dz1)")
    assert result.verdict == "correct"


@pytest.mark.parametrize("text", ["einsum('ij->ij', x, x)", "einsum('ii->i', W1)", "einsum(x, W1)",
                                  "einsum('ij,jk', x, W1)", "einsum('ab->c', W1)"])
def test_malformed_einsum_is_refused(text):
    result = check(load(), "W1", text)
    assert result.verdict == "unusable"
    assert result.diagnostics[0].severity == "error" and result.diagnostics[0].line == 1


def test_einsum_letters_must_agree():
    result = check(load(), "W1", "einsum('ij,jk->ik', x, W2)")
    assert result.verdict == "shape_error"
