"""Questions as people write them (SPEC §8): the ways a post wraps, numbers, sizes and types its
mathematics, each read as what it says; what cannot be read is said, never guessed into a leaf; and
hostile posts end with a located error and exit code 2."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import oracle
from tutor.engine.errors import TutorError
from tutor.notation.ask import ask
from tutor.notation.post import typed_math
from tutor.notation.sentences import prose_equations

ROOT = Path(__file__).resolve().parent.parent

NETWORK = r"""
$$
\begin{aligned}
z_1 &= x W_1 + b_1 \\
a &= ACT(z_1) \\
z_2 &= a W_2 + b_2 \\
\hat{y} &= SOFT(z_2) \\
L &= CE(y, \hat{y})
\end{aligned}
$$
with $x \in \mathbb{R}^{1 \times D}$, $W_1 \in \mathbb{R}^{D \times H}$ and $W_2 \in \mathbb{R}^{H \times C}$.

$$\frac{\partial L}{\partial W_2} = a^T (\hat y - y)$$
"""


def network(act: str, soft: str) -> str:
    return NETWORK.replace("ACT", act).replace("SOFT", soft)


WRAPPERS = [r"\mathrm{{{}}}", r"\text{{{}}}", r"\operatorname{{{}}}", r"\textrm{{{}}}", r"{{\rm {}}}",
            r"\mathsf{{{}}}", r"\mathbf{{{}}}", r"\boldsymbol{{{}}}", r"\bm{{{}}}", r"\mathit{{{}}}", "{}"]


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_a_function_set_in_any_style_is_that_function(wrapper):
    post = network(wrapper.format("ReLU"), wrapper.format("softmax"))
    answer = ask(post)
    assert "a = relu(z1)" in answer.network_source and "yhat = softmax(z2)" in answer.network_source
    assert [a.check.result.verdict for a in answer.asked] == ["correct"]
    # the label's shape is fixed by the loss (CE(y, ŷ) with ŷ 1×C), and that is said
    assert "y: [1, C]" in answer.network_source
    assert any(s.startswith("y is taken to have the shape") for s in answer.assumptions)
    assert oracle.verdict(answer.network.source, "W2", answer.asked[0].check.reading.code) == "correct"


def test_a_definition_that_cannot_be_read_is_never_made_a_leaf():
    post = network(r"\mathrm{Swoosh}", r"\mathrm{softmax}")
    with pytest.raises(TutorError) as caught:
        ask(post)
    error = caught.value
    assert "cannot read the definition of a" in error.message and "Swoosh" in error.message
    assert error.span is not None and error.span.line == 5   # its line in the post


def test_a_definition_nothing_needs_is_left_out_and_said():
    post = network(r"\mathrm{ReLU}", r"\mathrm{softmax}") + "\nand $r = \\mathrm{Swoosh}(z_1)$.\n"
    answer = ask(post)
    said = [s for s in answer.to_json()["assumptions"] if "Swoosh" in s]
    assert said and "left out of the network" in said[0]
    assert "r" not in answer.network.nodes


def test_a_post_whose_network_cannot_be_read_is_not_judged_against_another():
    post = ("I have a 3-layer net with $W_3 \\in \\mathbb{R}^{H_2 \\times C}$ and I derived\n\n"
            "$$\\frac{\\partial L}{\\partial W_3} = a_2^T (\\hat{y} - y)$$\n")
    with pytest.raises(TutorError) as caught:
        ask(post)
    assert "W3" in caught.value.message and "could not be read" in caught.value.message


def test_a_derivation_is_shown_as_the_asker_typed_it():
    post = ("Rows: z₁ = xW₁ + b₁, h = σ(z₁), z₂ = hW₂ + b₂, ŷ = softmax(z₂), J = CE(y, ŷ). "
            "x is 1×Dx, W₁ is Dx×H, W₂ is H×Dy.\n\nI wrote ∂J/∂W₁ = xᵀ((ŷ − y)W₂ᵀ ∘ h ∘ (1 − h)) and it works.\n")
    answer = ask(post)
    assert [a.written for a in answer.asked] == ["∂J/∂W₁ = xᵀ((ŷ − y)W₂ᵀ ∘ h ∘ (1 − h))"]
    assert answer.verdict == "correct"


@pytest.mark.parametrize("line, expected", [
    ("My backward: dW1 = X^T (P - Y) where * is elementwise. Correct?", ["dW1 = X^T (P - Y) where * is elementwise"]),
    ("then either dJ/dW1 = x' * delta1 or dJ/dW1 = delta1 * x' ?", ["dJ/dW1 = x' * delta1", "dJ/dW1 = delta1 * x'"]),
    ("I wrote ∂L/∂W₁ = xᵀ · δ₁ but numpy says no.", ["∂L/∂W₁ = xᵀ · δ₁"]),
    ("Column vectors: z₁ = W₁x + b₁, h = tanh(z₁), J = CE(y, ŷ). W₁ ∈ ℝ^{H×D}.",
     ["z₁ = W₁x + b₁", "h = tanh(z₁)", "J = CE(y, ŷ)"]),
    ("With z[1] = W[1] x + b[1] and a[1] = tanh(z[1]).", ["z[1] = W[1] x + b[1]", "a[1] = tanh(z[1])"]),
    ("Contracting δ1 = (ŷ − y) W2ᵀ with it gives the rest", []),
    ("with entries ∂z1_k/∂W1_ij = x_i·[j = k].", []),
])
def test_equations_are_cut_out_of_sentences(line, expected):
    assert prose_equations(line, typed_math) == expected


LAYERS = r"""
$$z^1 = W^1 x + b^1,\quad a^1 = \sigma(z^1),\quad z^2 = W^2 a^1 + b^2,\quad a^2 = \mathrm{softmax}(z^2),\quad J = \mathrm{CE}(y, a^2)$$
with $x \in \mathbb{R}^{4}$, $W^1 \in \mathbb{R}^{3 \times 4}$, $W^2 \in \mathbb{R}^{2 \times 3}$.

$$\frac{\partial J}{\partial W^1} = \left( (W^2)^T (a^2 - y) \odot a^1 \odot (1 - a^1) \right) x^T$$
"""


def test_plain_superscripts_number_layers_in_a_post_that_writes_w_to_the_first():
    answer = ask(LAYERS)
    assert "z1 = W1 @ x + b1" in answer.network_source and "a2 = softmax(z2, axis=0)" in answer.network_source
    assert answer.verdict == "correct"


def test_a_letter_the_post_names_a_function_is_that_function():
    post = ("Let $g = \\tanh$. With rows, $z_1 = x W_1$, $h = g(z_1)$, $\\hat y = h W_2$, "
            "$E = \\frac12 \\|y - \\hat y\\|^2$, $x \\in \\mathbb{R}^{1 \\times n}$, $W_1 \\in \\mathbb{R}^{n \\times m}$, "
            "$W_2 \\in \\mathbb{R}^{m \\times k}$.\n\n$$\\frac{\\partial E}{\\partial W_1} = x^T ((\\hat y - y) W_2^T "
            "\\odot g'(z_1))$$\n")
    answer = ask(post)
    assert "h = tanh(z1)" in answer.network_source and answer.verdict == "correct"


def test_octave_elementwise_and_two_answers_for_one_node():
    post = ("Columns. `z2 = Theta1 * a1`, `a2 = sigmoid(z2)`, `z3 = Theta2 * a2`, `a3 = sigmoid(z3)`, "
            "`J = -sum(y .* log(a3) + (1 - y) .* log(1 - a3))`. Theta1 is 5x4, Theta2 is 3x5, a1 is 4x1, y is 3x1.\n\n"
            "    delta3 = a3 - y\n    delta2 = (Theta2' * delta3) .* a2 .* (1 - a2)\n\nor\n\n"
            "    delta2 = (Theta2 * delta3) .* a2 .* (1 - a2)\n")
    answer = ask(post)
    assert [a.check.result.verdict for a in answer.asked] == ["correct", "shape_error"]


HOSTILE = {
    "unbalanced": ("With $x \\in \\mathbb{R}^{1 \\times D}$, $W_1 \\in \\mathbb{R}^{D \\times H}$:\n\n"
                   "$$z_1 = x W_1 \\\\ h = \\sigma(z_1 \\\\ J = \\sum h$$\n\n"
                   "$$\\frac{\\partial J}{\\partial W_1} = x^T {\\delta_1$$\n", "never closed", ":3:"),
    "def": ("$$\\def\\foo{W_1} z_1 = x \\foo$$\n\n$$\\frac{\\partial J}{\\partial W_1} = \\foo^T$$\n",
            "defines its own macro", ":1:"),
    "nested": ("$$\\frac{\\partial J}{\\partial W_1} = " + "\\left(" * 10_000 + "x" + "\\right)" * 10_000 + "$$\n",
               "too long", ""),
    "huge": (("$$z_1 = x W_1 + b_1$$ and some words. " * 140_000)[:5_000_000], "limit", ""),
    "fractions": ("$$" + "\\frac{" * 400 + "x" + "}{y}" * 400 + "$$\n", "nested too deeply", ""),
}


@pytest.mark.parametrize("name", [*HOSTILE, "binary"])
def test_a_hostile_post_ends_with_a_located_error_and_exit_code_2(name, tmp_path):
    path = tmp_path / "post.md"
    if name == "binary":
        path.write_bytes(bytes(range(256)) * 40 + b"$$\\frac{\\partial J}{\\partial W_1}$$")
        said, where = "not UTF-8", ""
    else:
        text, said, where = HOSTILE[name]
        path.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "tutor", "ask", str(path)], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
                                                         "HOME": str(tmp_path)})
    assert done.returncode == 2, done.stderr
    assert said in done.stderr and where in done.stderr
    assert "Traceback" not in done.stderr + done.stdout and "internal error" not in done.stderr
