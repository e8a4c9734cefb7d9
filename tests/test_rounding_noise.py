"""Where float64 cannot decide, `check` never calls a right answer wrong, and a wrong answer is still
never called right.

A gradient that exact arithmetic makes zero by cancelling terms (the rows of a softmax summed, nested
softmaxes) is computed as rounding noise whose size says nothing (1e-49 after 25 softmaxes); a
saturated function (`sigmoid(1000 * x)`) rounds its slope away. The judge measures that noise by
computing both sides again with every result moved a few units in its last place
(`noise.Jittered`), sets aside a draw where the answer and the gradient differ by no more than it, and
with no draw left says the check was inconclusive (W307, `value_ok` null) instead of `wrong_value`.

Every network's true gradient is checked here independently: by complex step on a NumPy forward pass
written in this file (exact to rounding, no cancellation in the step).
"""
from __future__ import annotations

import numpy as np
import pytest

from tutor.engine.calculus.grad import backward
from tutor.engine.language.network import parse_network
from tutor.engine.language.printer import code
from tutor.engine.numbers.generator import Generator
from tutor.engine.numbers.noise import Jittered, jitter
from tutor.engine.numbers.numeric import Evaluator
from tutor.judge.check import check
from tutor.judge.evaluate import evaluate

STEP = 1e-30


def nested_softmax(depth: int, inner: str = "x") -> str:
    for _ in range(depth):
        inner = f"softmax({inner})"
    return inner


def np_softmax(z):
    e = np.exp(z - np.max(np.real(z), axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def np_sigmoid(z):
    return 0.5 * (1 + np.tanh(z / 2))  # finite for any real part, complex ones included


def complex_step_gradient(loss, x: np.ndarray) -> np.ndarray:
    """∂loss/∂x entry by entry, by complex step: exact to rounding, with no subtractive cancellation."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        z = x.astype(complex)
        z[i] += 1j * STEP
        g[i] = np.imag(loss(z)) / STEP
    return g


# -- the networks where float64 cannot decide, each with its gradient checked independently --------

def softmax_sum(depth: int) -> str:
    return f"x: [N, D]\na = {nested_softmax(depth)}\nJ = sum(a)\n"


@pytest.mark.parametrize("depth", [1, 2, 5, 10, 25])
def test_nested_softmaxes_summed_have_a_zero_gradient_by_complex_step(depth):
    rng = np.random.default_rng(depth)
    x = rng.standard_normal((3, 4))

    def loss(z):
        for _ in range(depth):
            z = np_softmax(z)
        return np.sum(z)
    assert np.max(np.abs(complex_step_gradient(loss, x))) < 1e-15


@pytest.mark.parametrize("depth", [1, 2, 5, 10, 25])
@pytest.mark.parametrize("answer", ["x * 0", "zeros_like(x)", "0 * x + 0"])
def test_a_zero_gradient_through_nested_softmaxes_is_never_called_wrong(depth, answer):
    result = check(parse_network(softmax_sum(depth)), "x", answer)
    assert result.verdict == "correct", result.diagnostics
    if result.value_ok is None:  # no draw could decide: said so
        assert [d.code for d in result.diagnostics] == ["W307"]
        assert "inconclusive" in result.diagnostics[0].message


@pytest.mark.parametrize("depth", [2, 5, 10])
def test_the_derived_formula_through_nested_softmaxes_is_right_too(depth):
    network = parse_network(softmax_sum(depth))
    formula = code(backward(network).wrt["x"])
    assert check(network, "x", formula).verdict == "correct"


def test_the_issues_case_25_softmaxes_summed_was_wrong_value_and_is_not():
    """The round's report: 25 nested softmaxes, `x * 0`, a computed truth of about 1e-40."""
    network = parse_network(f"x: [1, D]\na = {nested_softmax(25)}\nJ = sum(a)\n")
    result = check(network, "x", "x * 0")
    assert result.verdict == "correct" and result.value_ok in (True, None)


def test_when_no_draw_decides_the_check_says_inconclusive_with_value_ok_null(monkeypatch):
    """Whether a draw decides is the draw's luck (the noise of `x * 0` and of the gradient may or may
    not stand apart): over several seeds the answer is never called wrong, and a check where no draw
    decided says so, with `value_ok` null."""
    import tutor.judge.evaluate as evaluate_module
    network = parse_network("x: [4, D]\na = softmax(softmax(x))\nJ = sum(a)\n")
    undecided = 0
    for seed in range(8):
        monkeypatch.setattr(evaluate_module, "Generator", lambda s, seed=seed: Generator(s + seed))
        result = check(network, "x", "x * 0")
        assert result.verdict == "correct" and result.value_ok in (True, None)
        w307 = [d for d in result.diagnostics if d.code == "W307"]
        if result.value_ok is None:
            undecided += 1
            assert w307 and w307[0].severity == "warning" and "float64" in w307[0].message
            assert result.to_json()["value_ok"] is None
        else:
            assert not w307
    assert undecided  # the seeds do reach the case where no draw decides


def saturated(scale: str = "1000") -> str:
    return f"x: [1, D]\nt: [1, D]\nJ = sum(sigmoid({scale} * x) * t)\n"


def test_a_saturated_sigmoid_gradient_by_complex_step():
    rng = np.random.default_rng(3)
    x, t = rng.standard_normal((1, 5)), rng.standard_normal((1, 5))
    g = complex_step_gradient(lambda z: np.sum(np_sigmoid(1000 * z) * t), x)
    s = np_sigmoid(1000 * x)
    with np.errstate(over="ignore"):  # cosh overflows to inf where the slope underflows to 0
        exact = 1000 * t / (4 * np.cosh(500 * x) ** 2)  # sigmoid'(z) = 1 / (4 cosh(z / 2)²)
    assert np.allclose(g, exact, rtol=1e-8, atol=1e-300)
    assert np.allclose(1000 * s * (1 - s) * t, exact, rtol=1e-8, atol=1e-12 * np.max(np.abs(t)))


SATURATED_RIGHT = [
    "1000 * sigmoid(1000 * x) * (1 - sigmoid(1000 * x)) * t",
    "1000 * sigmoid(1000 * x) * sigmoid(-1000 * x) * t",
    "s = sigmoid(1000 * x)\nds = s * (1 - s)\n1000 * ds * t",
]


@pytest.mark.parametrize("answer", SATURATED_RIGHT)
def test_right_answers_on_a_saturated_sigmoid_are_never_called_wrong(answer):
    result = check(parse_network(saturated()), "x", answer)
    assert result.verdict == "correct", result.diagnostics


def test_a_gradient_that_is_exactly_zero_through_a_chain_is_never_called_wrong():
    """The loss sums the rows of a softmax after a tanh layer: J = N whatever W and x are."""
    network = parse_network("x: [N, Dx]\nW: [Dx, H]\nh = tanh(x @ W)\np = softmax(h)\nJ = sum(p)\n")
    for wrt, answer in [("W", "W * 0"), ("x", "0 * x"), ("W", code(backward(network).wrt["W"]))]:
        assert check(network, wrt, answer).verdict == "correct", (wrt, answer)


# -- wrong answers are never called right, on the same networks and on ordinary ones ---------------

ORDINARY = """\
x: [N, Dx]
W: [Dx, Dx]
b: [Dx]
t: [N, Dx]
h = tanh(x @ W + b)
J = sum(h * t)
"""
TANH_RIGHT = "x.T @ ((1 - h ** 2) * t)"
TANH_WRONG = {
    "a missing factor": "x.T @ t",
    "a transpose": "((1 - h ** 2) * t).T @ x",
    "one part in a thousand": "1.001 * (x.T @ ((1 - h ** 2) * t))",
    "a sign": "-(x.T @ ((1 - h ** 2) * t))",
    "a missing square": "x.T @ ((1 - h) * t)",
}

STEEP = "x: [N, D]\nt: [N, D]\nJ = sum(sigmoid(3 * x) * t)\n"
STEEP_RIGHT = "3 * sigmoid(3 * x) * (1 - sigmoid(3 * x)) * t"
STEEP_WRONG = {
    "a missing factor": "sigmoid(3 * x) * (1 - sigmoid(3 * x)) * t",
    "one part in a thousand": "3.003 * sigmoid(3 * x) * (1 - sigmoid(3 * x)) * t",
    "a sign": "-3 * sigmoid(3 * x) * (1 - sigmoid(3 * x)) * t",
    "the wrong derivative": "3 * sigmoid(3 * x) * t",
}

# 25 nested softmaxes weighted by t: the gradient is about 1e-17 but computed exactly (no cancellation
# at its end), so float64 tells mistakes in it apart
SOFT_WEIGHTED = f"x: [1, D]\nt: [1, D]\na = {nested_softmax(3)}\nJ = sum(a * t)\n"


def ordinary_gradient(rng) -> tuple[np.ndarray, ...]:
    x, W, b, t = (rng.standard_normal(s) for s in [(3, 4), (4, 4), (4,), (3, 4)])
    g = complex_step_gradient(lambda z: np.sum(np.tanh(x @ z + b) * t), W)
    return x, W, b, t, g


def test_the_ordinary_right_answer_agrees_with_complex_step():
    x, W, b, t, g = ordinary_gradient(np.random.default_rng(5))
    h = np.tanh(x @ W + b)
    assert np.allclose(x.T @ ((1 - h ** 2) * t), g, rtol=1e-10)
    assert check(parse_network(ORDINARY), "W", TANH_RIGHT, dims={"N": 3, "Dx": 4}).verdict == "correct"


@pytest.mark.parametrize("mistake", sorted(TANH_WRONG))
def test_wrong_answers_on_an_ordinary_network_are_never_called_right(mistake):
    answer = TANH_WRONG[mistake]
    # the mistake is a mistake: it differs from the complex-step gradient
    x, W, b, t, g = ordinary_gradient(np.random.default_rng(6))
    h = np.tanh(x @ W + b)
    value = eval(answer, {"x": x, "t": t, "h": h})  # noqa: S307 -- the test's own literal, never input
    assert not np.allclose(value, g, rtol=1e-6)
    result = check(parse_network(ORDINARY), "W", answer, dims={"N": 3, "Dx": 4})
    assert result.verdict != "correct" and result.value_ok is False


@pytest.mark.parametrize("mistake", sorted(STEEP_WRONG))
def test_wrong_answers_on_a_steep_sigmoid_are_never_called_right(mistake):
    network = parse_network(STEEP)
    assert check(network, "x", STEEP_RIGHT).verdict == "correct"
    result = check(network, "x", STEEP_WRONG[mistake])
    assert result.verdict != "correct" and result.value_ok is False


@pytest.mark.parametrize("answer", [
    "11 * sigmoid(10 * x) * (1 - sigmoid(10 * x)) * t",
    "10.01 * sigmoid(10 * x) * (1 - sigmoid(10 * x)) * t",
    "-10 * sigmoid(10 * x) * (1 - sigmoid(10 * x)) * t",
    "sigmoid(10 * x) * (1 - sigmoid(10 * x)) * t",
    "10 * sigmoid(10 * x) * t",
])
def test_wrong_answers_on_a_nearly_saturated_sigmoid_are_never_called_right(answer):
    network = parse_network(saturated("10"))
    assert check(network, "x", "10 * sigmoid(10 * x) * (1 - sigmoid(10 * x)) * t").verdict == "correct"
    result = check(network, "x", answer)
    assert result.verdict != "correct" and result.value_ok is False


@pytest.mark.parametrize("answer", [
    "1000 * sigmoid(1000 * x) * t",
    "-1000 * sigmoid(1000 * x) * (1 - sigmoid(1000 * x)) * t - sigmoid(1000 * x) * t",
    "t",
])
def test_wrong_answers_on_a_saturated_sigmoid_that_float64_resolves_are_never_called_right(answer):
    result = check(parse_network(saturated()), "x", answer)
    assert result.verdict != "correct" and result.value_ok is False


@pytest.mark.parametrize("mistake", ["x.T", "1.001 * g", "-g", "t * 0 + g * 2"])
def test_wrong_answers_through_nested_softmaxes_with_a_real_gradient_are_never_called_right(mistake):
    network = parse_network(SOFT_WEIGHTED)
    right = code(backward(network).wrt["x"])
    assert check(network, "x", right).verdict == "correct"
    answer = f"g = {right}\n{mistake}" if mistake != "x.T" else "x.T"
    assert check(network, "x", answer).verdict != "correct"


def test_a_step_that_is_rounding_noise_is_judged_as_its_gradient():
    network = parse_network("x: [N, D]\na1 = softmax(x)\na2 = softmax(a1)\na3 = softmax(a2)\nJ = sum(a3)\n")
    result = check(network, "x", "da2 = a2 * 0\nda1 = zeros_like(a1)\ndx = x * 0")
    assert result.verdict == "correct"
    assert all(step.value_ok is not False for step in result.steps)


# -- the noise itself ---------------------------------------------------------------------------------

def test_jitter_moves_floats_by_a_few_units_in_the_last_place_and_leaves_integers_alone():
    rng = np.random.default_rng(0)
    a = rng.standard_normal(1000)
    moved = jitter(a, rng)
    assert 0 < np.max(np.abs(moved / a - 1)) <= 5 * np.finfo(float).eps
    labels = np.arange(5)
    assert jitter(labels, rng) is labels
    mask = a > 0
    assert jitter(mask, rng) is mask


def test_the_jittered_noise_of_a_cancelling_sum_is_the_size_of_its_terms_rounding():
    network = parse_network(softmax_sum(1))
    g = backward(network).wrt["x"]
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 4))
    from tutor.engine.numbers.numeric import forward
    values = forward(network.definitions, {"x": x}, {"N": 3, "D": 4})
    exact = Evaluator(values, {"N": 3, "D": 4})(g)
    moved = Jittered(values, {"N": 3, "D": 4}, rng)(g)
    noise = np.max(np.abs(np.asarray(moved) - np.asarray(exact)))
    assert 1e-19 < noise < 1e-13  # rounding of terms of order one, not of the value (often exactly 0)


def test_an_accurate_gradient_moves_by_rounding_only():
    network = parse_network(ORDINARY)
    ev = evaluate(network, "W", "1.001 * (" + TANH_RIGHT + ")", {"N": 3, "Dx": 4})
    assert ev.verdict == "scaled"
    for draw in ev.samples:
        learner, final, truth = draw.second_opinion()
        t = np.asarray(draw.truth["W"])
        assert np.max(np.abs(truth["W"] - t)) <= 1e-13 * np.max(np.abs(t))
