"""The walk teaches in the right order: the learner predicts before the punchline, only gradients worth
walking are offered, an unknown leaf is refused before anything is drawn, every elementwise Jacobian is
named as the diagonal it is (walk, derive, check), and a walk or a lesson ends with a next step."""
from __future__ import annotations

import re

import numpy as np
import pytest
from typer.testing import CliRunner

from tutor.cli import app
from tutor.engine.language.network import load, parse_network
from tutor.engine.numbers.numeric import Evaluator
from tutor.engine.numbers.sampling import sample
from tutor.teach.diagonal import diagonal
from tutor.teach.walkthrough import worth_walking
from test_walk_terminal import finish, spawn

runner = CliRunner()


def flat(text: str) -> str:
    """Text as read, whatever the panels' borders and the wrapping."""
    return re.sub(r"\s+", " ", re.sub(r"[│╭╮╰╯─]", " ", text))


def walk(*args: str) -> str:
    result = runner.invoke(app, ["walk", *args, "--no-input"])
    assert result.exit_code == 0, result.output
    return result.stdout


# -- an unknown leaf -------------------------------------------------------------------------------

@pytest.mark.parametrize("leaf", ["W9", "z1", "nothing"])
def test_an_unknown_leaf_is_refused_before_anything_is_drawn(leaf):
    result = runner.invoke(app, ["walk", "--wrt", leaf, "--no-input"])
    assert result.exit_code == 2
    assert result.stdout == "", "no banner, no shapes table before the error"
    assert f"--wrt {leaf}" in result.stderr and "one of the leaves" in result.stderr


# -- the punchline after the prediction ------------------------------------------------------------

@pytest.mark.parametrize("net, leaf, rule", [("default", "W1", "dW1 = xᵀ dz1"), ("batch", "W1", "dW1 = Xᵀ dZ1"),
                                             ("default", "W2", "dW2 = hᵀ dz2"), ("column", "W1", "dW1 = dz1 xᵀ")])
def test_the_leafs_rule_is_never_shown_before_its_shape_is_predicted(net, leaf, rule):
    out = walk(net, "--wrt", leaf)
    last = out.index(f"Jacobian ∂")  # every factor's shape line comes before the rule of the leaf's step
    leaf_step = out.index(f"/∂{leaf}:", out.index(f"Step "))
    assert rule not in out[:leaf_step], "the backward rule of the leaf's step is the answer: it waits"
    assert last < leaf_step


def test_in_a_terminal_the_break_is_predicted_before_the_answer_appears():
    child = spawn("--wrt", "W1", "--dims", "Dx=5,H=3,Dy=4", "--no-quiz", "--step", "4")
    child.expect("Step 4 of 4")
    child.expect("naive product so far")
    shown = child.before
    assert "dW1" not in shown and "xᵀ" not in shown and "x.T" not in shown
    child.expect("The naive chain breaks here")
    child.expect("Enter ▸ ")
    child.sendline("q")
    assert finish(child) == 0


# -- what is offered -----------------------------------------------------------------------------------

@pytest.mark.parametrize("net, offered, held", [
    ("default", ["x", "W1", "b1", "W2", "b2"], ["y"]),       # a one-hot label
    ("batch", ["X", "W1", "b1", "W2", "b2"], ["Y"]),
    ("mlp", ["X", "W1", "b1", "W2", "b2", "W3", "b3"], ["T"]),  # a regression target, (P − T)²
    ("attention", ["X", "Wq", "Wk", "Wv", "Wo"], ["Yt"]),
    ("conv1d", ["Xu", "W", "b", "Wc", "bc"], ["Y"]),          # declared onehot
])
def test_only_gradients_worth_walking_are_offered(net, offered, held):
    assert worth_walking(load(net)) == offered
    line = next(line for line in walk(net).splitlines() if line.startswith("Other gradients to walk"))
    for leaf in held:
        assert not re.search(rf"\b{leaf}\b", line.split(":", 1)[1].split("(")[0]), line


def test_a_bias_subtracted_before_a_product_and_a_masked_input_are_still_offered():
    net = parse_network("x: [1, H]\nW: [H, H]\nb: [1, H]\nT: [1, H]\nz = x @ W - b\nh = tanh(z) @ W\n"
                        "J = sum((h - T) ** 2)\n")
    assert worth_walking(net) == ["x", "W", "b"]
    masked = parse_network("x: [N, H]\nm: binary[N, H]\nW: [H, K]\na = (x * m) @ W\nJ = sum(a ** 2)\n")
    assert worth_walking(masked) == ["x", "W"]


def test_a_label_named_on_the_command_line_is_still_walked():
    assert "Step 1 of 1: ∂J/∂y" in walk("--wrt", "y")


# -- the diagonal, named ---------------------------------------------------------------------------

ELEMENTWISE = [
    ("x: [1, H]\nh = sigmoid(x)\nJ = sum(h * h)\n", "h", "x", "σ′(x)"),
    ("x: [N, H]\nh = tanh(x)\nJ = sum(h ** 3)\n", "h", "x", "tanh′(x)"),
    ("x: [N, H]\nh = relu(x)\nJ = sum(h * h)\n", "h", "x", "relu′(x)"),
    ("x: [N, H]\nh = np.maximum(0, x)\nJ = sum(h * h)\n", "h", "x", "relu′(x)"),
    ("x: [N, H]\nm: binary[N, H]\nh = x * m / 0.8\nJ = sum(h * h)\n", "h", "x", ""),
    ("x: [H]\nh = exp(x) * 2 + x\nJ = sum(h * h)\n", "h", "x", ""),
]


@pytest.mark.parametrize("source, of, wrt, prime", ELEMENTWISE)
def test_the_diagonal_of_an_elementwise_step_is_its_jacobian_by_finite_differences(source, of, wrt, prime):
    net = parse_network(source)
    diag = diagonal(net, of, wrt)
    assert diag is not None and diag.prime == prime
    bindings = net.bindings({})
    _, values = sample(net, bindings, np.random.default_rng(3))   # every forward value: h too
    entries = np.broadcast_to(np.asarray(Evaluator(values, bindings)(diag.entries), dtype=float),
                              np.shape(values[wrt]))
    x = np.asarray(values[wrt], dtype=float)
    jac = np.zeros(x.shape + x.shape)
    eps = 1e-6
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += eps
        down[index] -= eps
        f_up = np.asarray(Evaluator({**values, wrt: up}, bindings)(net.definitions[of]), dtype=float)
        f_down = np.asarray(Evaluator({**values, wrt: down}, bindings)(net.definitions[of]), dtype=float)
        jac[(...,) + index] = (f_up - f_down) / (2 * eps)
    flat = jac.reshape(x.size, x.size)
    assert np.allclose(np.diag(flat), entries.reshape(-1), atol=1e-6)
    assert np.allclose(flat - np.diag(np.diag(flat)), 0, atol=1e-8), "zero off the diagonal"


def test_mixing_steps_and_scalars_have_no_diagonal():
    net = load("default")
    assert diagonal(net, "yhat", "z2") is None and diagonal(net, "z1", "W1") is None
    assert diagonal(net, "z2", "h") is None
    assert diagonal(load("cs231n"), "loss", "data_loss") is None     # a scalar's derivative is a number


def test_walk_derive_and_check_name_the_diagonal_in_the_learners_symbols():
    out = flat(walk("--wrt", "W1"))
    assert "∂h/∂z1 is diagonal, diag(σ′(z1))" in out and "σ′(z1) = h ∘ (1 − h)" in out
    assert "elementwise product ∘" in out
    derived = flat(runner.invoke(app, ["derive", "--wrt", "W1"]).stdout)
    assert "∂h/∂z1 is diagonal, diag(σ′(z1))" in derived
    batch = flat(runner.invoke(app, ["derive", "batch", "--wrt", "W1"]).stdout)
    assert "∂H1/∂Z1 is diagonal, diag(σ′(Z1))" in batch and "σ′(Z1) = H1 ∘ (1 − H1)" in batch
    checked = runner.invoke(app, ["check", "default", "--wrt", "W1", "x.T @ ((yhat - y) @ W2.T)"])
    assert checked.exit_code == 1 and "diagonal matrix diag(σ′(z1))" in flat(checked.stdout)


def test_the_break_says_what_differs_from_the_four_axis_factor_before_it():
    out = flat(walk("--wrt", "W1"))
    assert "What differs from factor 3, ∂h/∂z1, which has 4 axes too" in out
    assert "H×H matrix diag(σ′(z1))" in out and "3 axes are left, H×Dx×H" in out


# -- the next step ---------------------------------------------------------------------------------

def test_a_walk_ends_with_the_next_commands():
    lines = walk("--wrt", "W1").rstrip().splitlines()
    assert lines[-4:] == ["Next: the same network as a lesson, with questions:",
                          "  shapetutor lesson run 01-motivating-question",
                          "Or: write ∂J/∂W1 yourself and have it checked:",
                          "  shapetutor check default --wrt W1 'dW1 = ...'"]


def test_a_lesson_ends_with_the_next_lesson_and_the_last_with_a_check():
    first = runner.invoke(app, ["lesson", "run", "01-motivating-question", "--no-input"]).stdout
    assert first.rstrip().endswith("Next: the next lesson:\n  shapetutor lesson run 02-biases-and-w2")
    last = runner.invoke(app, ["lesson", "run", "08-attention-gradients", "--no-input"]).stdout
    assert last.rstrip().splitlines()[-1].startswith("  shapetutor check attention --wrt ")


def test_the_next_lesson_after_a_walk_is_one_about_the_walked_gradient():
    from tutor.course.next_step import after_walk
    assert after_walk("default", "W2")[0].command == "shapetutor lesson run 05-jacobians-and-layouts"
    assert after_walk("batch", "b1")[0].command == "shapetutor lesson run 02-biases-and-w2"
    only = after_walk("cs231n", "W")        # no lesson on it: check a derivation of one's own
    assert len(only) == 1 and only[0].command == "shapetutor check cs231n --wrt W 'dW = ...'"
