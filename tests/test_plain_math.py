"""Mathematics typed as plain text: blocks that are mathematics rather than code, shapes declared with a
plain R or ℝ, remarks beside a value, the stated vector convention, and the motivating question read the
same whether it is posted in LaTeX, in Unicode or in ASCII."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import oracle
from tutor.engine.language.network import parse_network
from tutor.notation.ask import ask
from tutor.notation.plain import convention, declarations, is_math_block, without_remarks
from tutor.notation.post import read_post

QUESTIONS = Path(__file__).resolve().parent / "catalogue" / "questions"


def body(name: str) -> str:
    return (QUESTIONS / name).read_text(encoding="utf-8").split("---\n", 2)[2]


@pytest.mark.parametrize("line, expected", [
    ("W1 ∈ R^{Dx×H}", [r"W1 \in \mathbb{R}^{Dx \times H}"]),
    ("b1 ∈ R^H", [r"b1 \in \mathbb{R}^{H}"]),
    ("x ∈ ℝ^{1×Dx}", [r"x \in \mathbb{R}^{1 \times Dx}"]),
    ("W1 in R^(Dx x H)", [r"W1 \in \mathbb{R}^{Dx \times H}"]),
    ("W_1 ∈ R^{D_x × H}", [r"W_1 \in \mathbb{R}^{Dx \times H}"]),
    ("W1, W2 ∈ R^{H×H}", [r"W1, W2 \in \mathbb{R}^{H \times H}"]),
    ("W1: Dx×H", [r"W1 \in \mathbb{R}^{Dx \times H}"]),
    ("W1 is Dx x H", [r"W1 \in \mathbb{R}^{Dx \times H}"]),
    ("X is a N x Dx matrix", [r"X \in \mathbb{R}^{N \times Dx}"]),
    ("b2 in R^Dy", [r"b2 \in \mathbb{R}^{Dy}"]),
    ("W₁ ∈ ℝ^{Dₓ×H}", [r"W₁ \in \mathbb{R}^{Dx \times H}"]),
    ("where x is in R^n", [r"x \in \mathbb{R}^{n}"]),
    ("Note: 1×H", []),
    ("the answer is 1×H", []),
])
def test_shapes_declared_in_plain_text_are_written_as_declarations(line, expected):
    assert declarations(line) == expected


@pytest.mark.parametrize("line, expected", [
    ("∂J/∂z2 = ŷ − y            (1×Dy)", "∂J/∂z2 = ŷ − y"),
    ("dJ/dz2 = yhat - y (1 x Dy)", "dJ/dz2 = yhat - y"),
    ("∂h/∂z1 = h ∘ (1 − h)      (elementwise)", "∂h/∂z1 = h ∘ (1 − h)"),
    ("dh/dz1 = h*(1-h) (element-wise, by the chain rule)", "dh/dz1 = h*(1-h)"),
    ("J = CE(y, yhat)", "J = CE(y, yhat)"),
    ("dz = (yhat)", "dz = (yhat)"),
    ("dz1 = dh * h * (1 - h)", "dz1 = dh * h * (1 - h)"),
    ("dz1 = dh * h * (1 - h)   # the sigmoid's derivative", "dz1 = dh * h * (1 - h)"),
])
def test_remarks_beside_a_value_are_taken_off_and_the_value_stays(line, expected):
    assert without_remarks(line) == expected


@pytest.mark.parametrize("block, label, math", [
    ("z1 = x W1 + b1\nh = sigmoid(z1)\n", "", True),
    ("∂J/∂W1 = ∂J/∂z2 · ∂z2/∂h\n", "", True),
    ("dJ/dW1 = dJ/dz2 * dz2/dh\ndz2/dh = W2^T\n", "", True),
    ("W1 in R^(Dx x H), b1 in R^H\n", "", True),
    ("z1 = x @ W1 + b1\nh = sigmoid(z1)\n", "", False),
    ("grads['W1'] = X.T @ dZ1\n", "", False),
    ("def f(x):\n    return x W\n", "", False),
    ("Traceback (most recent call last):\n  dW2 = np.dot(dZ2, A1)\nValueError: shapes (1,3) (4,3)\n", "", False),
    ("z1 = x W1 + b1\n", "python", False),
    ("z1 = x @ W1 + b1\n", "math", True),
])
def test_a_block_is_mathematics_by_what_it_holds_and_python_stays_code(block, label, math):
    assert is_math_block(block, label) is math


@pytest.mark.parametrize("prose, expected", [
    (["I write every vector as a row (row-vector convention)."], "rows"),
    (["x is a column vector and so is b."], "columns"),
    (["with the vectors as columns"], "columns"),
    (["row vectors here; the book uses column vectors"], "rows"),
    (["nothing said"], None),
])
def test_the_stated_convention_is_the_first_one_said(prose, expected):
    assert convention(prose) == expected


def test_a_sentence_with_an_equation_in_it_is_prose_not_a_derivation():
    post = read_post("The fourth factor is a tensor\nwith entries ∂z1_k/∂W1_ij = x_i·[j = k].\n\n"
                     "* Contracting δ1 = (ŷ − y) W2ᵀ ∘ h ∘ (1 − h) (1×H) with it gives the rest\n")
    assert post.math == []


def test_the_plain_question_gets_the_latex_questions_diagnosis():
    """The learner's chain, typed in Unicode or ASCII in indented or fenced blocks, is read as the same
    network and breaks at the same factor as the LaTeX version of the question."""
    seed = ask(body("seed.md"))
    for name in ("plain-unicode.md", "plain-ascii.md"):
        plain = ask(body(name))
        assert plain.network.source == seed.network.source, name
        assert plain.network.nodes_json() == seed.network.nodes_json(), name
        assert plain.assumptions[:len(seed.assumptions)] == seed.assumptions, name   # ASCII `*` is said too
        mine, theirs = plain.asked[0].check.result.to_json(), seed.asked[0].check.result.to_json()
        assert mine["verdict"] == theirs["verdict"] == "shape_error", name
        assert mine["diagnostics"] == theirs["diagnostics"], name
        assert mine["suggestion"] == theirs["suggestion"], name
        # the learner's own value of the first factor is judged as a step, and is right
        assert [(s.name, s.value_ok) for s in plain.asked[0].check.result.steps] == [("dz2", True)], name
        assert plain.verdict == "shape_error"


def test_the_same_question_without_its_indentation_is_read_the_same():
    indented = body("plain-unicode.md")
    flat = "\n".join(line[4:] if line.startswith("    ") else line for line in indented.splitlines())
    a, b = ask(indented), ask(flat)
    assert a.to_json() == b.to_json()


def test_with_column_vectors_a_vector_declared_in_r_n_is_a_column_and_softmax_runs_down_it():
    answer = ask(body("plain-columns.md"))
    net = answer.network
    assert net.source.splitlines()[:6] == ["W1: [H, Dx]", "W2: [Dy, H]", "b1: [H, 1]", "b2: [Dy, 1]",
                                            "x: [Dx, 1]", "y: [Dy, 1]"]
    assert "yhat = softmax(z2, axis=0)" in net.source
    assert any("b1 ∈ R^H is taken as a H×1 column (the post's vectors are columns)" in a for a in answer.assumptions)
    # the network as read is the column network: its loss equals a hand-written one at random values
    rng = np.random.default_rng(3)
    Dx, H, Dy = 4, 3, 5
    W1, W2 = rng.normal(size=(H, Dx)), rng.normal(size=(Dy, H))
    b1, b2, x = rng.normal(size=(H, 1)), rng.normal(size=(Dy, 1)), rng.normal(size=(Dx, 1))
    y = np.eye(Dy)[:, [2]]
    h = 1 / (1 + np.exp(-(W1 @ x + b1)))
    z2 = W2 @ h + b2
    p = np.exp(z2 - z2.max()) / np.exp(z2 - z2.max()).sum()
    by_hand = -np.sum(y * np.log(p))
    values = dict(W1=W1, W2=W2, b1=b1, b2=b2, x=x, y=y)
    assert oracle.load(net.source, {"Dx": Dx, "H": H, "Dy": Dy}).loss(values) == pytest.approx(by_hand, rel=1e-12)


def test_a_vector_declared_in_r_n_that_multiplies_a_matrix_is_the_row_the_product_needs():
    post = ("I use row vectors.\n\n    z1 = x W1 + b1\n    h = sigmoid(z1)\n    J = sum(h)\n"
            "    x ∈ R^{Dx}, b1 ∈ R^H, W1 ∈ R^{Dx×H}\n\n    ∂J/∂W1 = xᵀ (h ∘ (1 − h))\n")
    answer = ask(post)
    assert "x: [1, Dx]" in answer.network.source and "b1: [H]" in answer.network.source
    assert any("x ∈ R^Dx is taken as a 1×Dx row" in a for a in answer.assumptions)
    assert answer.verdict == "correct"
    assert oracle.verdict(answer.network.source, "W1", answer.asked[0].check.reading.code) == "correct"


def test_a_plain_post_whose_shapes_cannot_be_told_says_what_to_write():
    from tutor.engine.errors import TutorError
    with pytest.raises(TutorError) as caught:
        ask("    z1 = x W1 + b1\n    h = sigmoid(z1)\n    J = sum(h)\n\n    ∂J/∂W1 = xᵀ (h ∘ (1 − h))\n")
    assert "cannot tell the shape" in caught.value.message
    assert "\\in \\mathbb{R}" in (caught.value.expected or "")


def test_python_code_in_a_post_stays_code():
    post = read_post("```\nz1 = x @ W1 + b1\nh = sigmoid(z1)\n```\n\n    dW1 = x.T @ dz1\n")
    assert post.math == [] and len(post.code) == 2


def test_plain_networks_parse_as_networks():
    for name in ("plain-unicode.md", "plain-ascii.md", "plain-columns.md", "plain-batch.md",
                 "plain-columns-batch.md", "plain-fenced-tanh.md"):
        net = ask(body(name)).network
        assert parse_network(net.source, name).loss == "J"


def test_a_factors_value_written_after_the_naive_chain_does_not_make_the_chain_correct():
    from tutor.notation.judged import check_text
    from tutor.engine.language.network import load
    net = load("default")
    checked = check_text(net, "W1", "∂J/∂W1 = ∂J/∂z2 · ∂z2/∂h · ∂h/∂z1 · ∂z1/∂W1\n∂J/∂z2 = ŷ − y")
    assert checked.result.verdict == "shape_error"
    assert [(s.name, s.value_ok) for s in checked.result.steps] == [("dz2", True)]
