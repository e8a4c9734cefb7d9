"""Conditions on numbers and lists of arrays by number (tutor/engine/language/program.py): `if layer > 0:`
inside an unrolled loop picks its branch as the text is read, and `all_f = [None] * (K + 1)` holds arrays
named all_f_0, all_f_1, … (Prince's Understanding Deep Learning notebooks). Every verdict is the NumPy
oracle's."""
from __future__ import annotations

import pytest

from oracle import verdict as oracle_verdict
from tutor.engine.errors import TutorError
from tutor.engine.language.network import parse_network
from tutor.judge.check import check

DEEP = """
W_0: [H, D]
W_1: [H, H]
W_2: [C, H]
x: [D, 1]
L = 3
h = [None] * L
a = [None] * (L + 1)
a[0] = x
for l in range(L):
    h[l] = np.matmul(W[l], a[l])
    if l < L - 1:
        a[l + 1] = np.tanh(h[l])
    else:
        a[l + 1] = h[l]
J = np.sum(a[L] ** 2)
"""

BACKWARD = """
dh = [None] * L
da = [None] * (L + 1)
dW = [None] * L
da[L] = 2 * a[L]
for l in reversed(range(L)):
    if l == L - 1 or not l < L - 1:
        dh[l] = da[l + 1]
    else:
        dh[l] = da[l + 1] * (1 - a[l + 1] ** 2)
    dW[l] = np.matmul(dh[l], a[l].T)
    if l > 0:
        da[l] = np.matmul(W[l].T, dh[l])
"""


@pytest.mark.parametrize("wrt, derivation, expected", [
    ("W_0", BACKWARD + "dW[0]", "correct"),
    ("W_1", BACKWARD + "dW[1]", "correct"),
    ("W_2", BACKWARD + "dW[2]", "correct"),
    ("W_0", BACKWARD.replace("if l == L - 1 or", "if l == L - 2 or") + "dW[0]", "wrong_value"),
    ("W_1", BACKWARD.replace("(1 - a[l + 1] ** 2)", "(1 - h[l] ** 2)") + "dW[1]", "wrong_value"),
    ("W_2", BACKWARD.replace("da[L] = 2 * a[L]", "da[L] = a[L]") + "dW[2]", "scaled"),
])
def test_a_branch_is_picked_by_the_loops_counter(wrt, derivation, expected):
    assert oracle_verdict(DEEP, wrt, derivation) == expected
    r = check(parse_network(DEEP), wrt, derivation)
    assert r.verdict == expected, [d.message for d in r.diagnostics]


def test_a_helper_may_branch_on_a_number():
    net = "x: [N]\nw: [N]\nJ = np.sum(x * w)\n"
    text = "def g(v, k):\n    if k > 1:\n        out = v * 2\n    else:\n        out = v\n    return out\ndx = g(w, 1)"
    assert check(parse_network(net), "x", text).verdict == "correct"
    assert check(parse_network(net), "x", text.replace("g(w, 1)", "g(w, 2)")).verdict == "scaled"


@pytest.mark.parametrize("text", ["dx = w\nif dx > 0:\n    dx = 2 * dx", "dx = w\nif n > 0:\n    dx = 2 * dx",
                                  "dx = w\nif (w > 0).any():\n    dx = 2 * dx"])
def test_a_condition_on_values_is_refused_with_its_place(text):
    r = check(parse_network("x: [N]\nw: [N]\nJ = np.sum(x * w)\n"), "x", text)
    assert r.verdict == "unusable"
    (error,) = [d for d in r.diagnostics if d.severity == "error"]
    assert "not known as the text is read" in error.message and error.span.line == 2


def test_a_network_branches_on_a_number_and_refuses_a_branch_on_values():
    with pytest.raises(TutorError) as err:
        parse_network("x: [N]\nh = np.tanh(x)\nif h > 0:\n    h = 2 * h\nJ = np.sum(h)\n")
    assert "not known as the text is read" in err.value.message and err.value.span.line == 3


LISTS = """
X: [3, D]
W: [H, D]
v: [H]
hs, ps = [], []
for t in range(3):
    h = np.tanh(np.dot(W, X[t]))
    p = sigmoid(np.dot(v, h))
    label = 1 if np.random.uniform() < p else 0
    hs.append(h)
    ps.append(label - p)
J = np.sum(np.log(np.hstack(ps) ** 2 + 1)) + 0 * np.sum(np.vstack(hs))
"""


@pytest.mark.parametrize("wrt, derivation, expected", [
    ("v", "eph = np.vstack(hs)\nepd = np.vstack(ps)\n"
          "s = sigmoid(eph @ v)[:, None]\ndv = (eph.T @ (-2 * epd / (epd ** 2 + 1) * s * (1 - s))).ravel()", "correct"),
    ("v", "eph = np.vstack(hs)\nepd = np.vstack(ps)\n"
          "s = sigmoid(eph @ v)[:, None]\ndv = (eph.T @ (2 * epd / (epd ** 2 + 1) * s * (1 - s))).ravel()", "scaled"),
    ("v", "eph = np.hstack(hs)\ndv = eph[:H]", "wrong_value"),
])
def test_lists_filled_by_append_are_stacked_as_written(wrt, derivation, expected):
    assert oracle_verdict(LISTS, wrt, derivation) == expected
    r = check(parse_network(LISTS), wrt, derivation)
    assert r.verdict == expected, [d.message for d in r.diagnostics]


@pytest.mark.parametrize("text, message", [
    ("x: [N]\nJ = np.sum(x if x > 0 else -x)\n", "comparison of single numbers"),
    ("x: [N]\nJ = np.sum(x if x else -x)\n", "needs a comparison"),
    ("x: [N]\nxs = []\nxs.append(x, x)\nJ = np.sum(x)\n", "append takes one array"),
])
def test_a_conditional_expression_or_an_append_that_cannot_be_read_is_refused(text, message):
    with pytest.raises(TutorError) as err:
        parse_network(text)
    assert message in err.value.message and err.value.span is not None


def test_a_conditional_expression_on_the_loops_counter_picks_its_branch():
    net = parse_network("x: [N]\nJ = 0\nfor i in range(3):\n    J = J + (np.sum(x) if i > 0 else 2 * np.sum(x))\n")
    assert check(net, "x", "dx = 4 * np.ones_like(x)").verdict == "correct"


TRASK = """
X: [N, D]
y: [N, 1]
syn0: [D, H]
def nonlin(x,deriv=False):
    if(deriv==True):
        return x*(1-x)
    return 1/(1+np.exp(-x))
l1 = nonlin(np.dot(X,syn0))
J = 0.5 * np.sum((y - l1) ** 2)
"""


@pytest.mark.parametrize("derivation, expected", [
    ("def nonlin(x,deriv=False):\n    if(deriv==True):\n        return x*(1-x)\n    return 1/(1+np.exp(-x))\n"
     "dsyn0 = X.T.dot((l1 - y) * nonlin(l1,deriv=True))", "correct"),
    ("def nonlin(x,deriv=False):\n    if deriv:\n        return x*(1-x)\n    return 1/(1+np.exp(-x))\n"
     "dsyn0 = X.T.dot((l1 - y) * nonlin(l1, True))", "correct"),
    ("def nonlin(x,deriv=False):\n    if not deriv:\n        return 1/(1+np.exp(-x))\n    return x*(1-x)\n"
     "dsyn0 = X.T.dot((l1 - y) * nonlin(l1))", "wrong_value"),
    ("def grow(x, k=2):\n    if k > 1:\n        return x * k\n    return x\n"
     "dsyn0 = grow(X.T.dot((l1 - y) * l1 * (1 - l1)), k=1)", "correct"),
    ("def grow(x, k=2):\n    if k > 1:\n        return x * k\n    return x\n"
     "dsyn0 = grow(X.T.dot((l1 - y) * l1 * (1 - l1)))", "scaled"),
])
def test_a_helpers_flag_picks_its_branch(derivation, expected):
    assert oracle_verdict(TRASK, "syn0", derivation) == expected
    r = check(parse_network(TRASK), "syn0", derivation)
    assert r.verdict == expected, [d.message for d in r.diagnostics]


@pytest.mark.parametrize("derivation, message", [
    ("def f(x, k=None):\n    return x\ndsyn0 = f(syn0)", "defaults"),
    ("def f(x, k=1):\n    return x\ndsyn0 = f(syn0, j=2)", "no argument 'j'"),
    ("def f(x, k):\n    return x\ndsyn0 = f(syn0)", "takes 2 argument"),
    ("def f(x, k=1):\n    if x > 0:\n        return x\n    return x\ndsyn0 = f(syn0)", "not known as the text"),
    ("def f(x):\n    for i in range(2):\n        if i > 0:\n            return x\n    return x\ndsyn0 = f(syn0)",
     "one `return`"),
])
def test_a_helper_call_that_cannot_be_read_is_refused(derivation, message):
    r = check(parse_network(TRASK), "syn0", derivation)
    assert r.verdict == "unusable"
    assert any(message in d.message for d in r.diagnostics), [d.message for d in r.diagnostics]


DICT_NET = "x: [N, D]\nW: [D, K]\nJ = np.sum(np.tanh(x @ W))\n"
RIGHT = "x.T @ (1 - np.tanh(x @ W) ** 2)"


@pytest.mark.parametrize("derivation, expected", [
    (f"grads = {{'W': {RIGHT}}}\ngradients = grads\ngradients['W'] = 2 * gradients['W']\ngrads['W']", "scaled"),
    (f"grads = {{'W': {RIGHT}}}\ngradients = grads\ngrads = {{'W': 3 * {RIGHT}}}\ngrads['W']", "scaled"),
    (f"grads = {{'W': 2 * {RIGHT}}}\ngradients = grads\ngradients['W'] = {RIGHT}\ng = grads\ng['W']", "correct"),
    (f"W = params['W']\ndW = {RIGHT}", "correct"),
])
def test_a_dictionary_under_two_names_is_one_dictionary(derivation, expected):
    assert oracle_verdict(DICT_NET, "W", derivation) == expected
    r = check(parse_network(DICT_NET), "W", derivation)
    assert r.verdict == expected, [d.message for d in r.diagnostics]
