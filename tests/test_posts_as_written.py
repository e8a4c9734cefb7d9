"""Mathematics as people post it: a Σ over the examples, deeplearning.ai's example superscripts, LaTeX
names that are Python words, vectors of ones, shapes stated with adjectives, and a post whose derivations
are judged while one of them cannot be read. Every verdict is the independent NumPy oracle's too."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import oracle
from test_mathematics import COURSE   # deeplearning.ai's two-layer network: examples as columns, averaged over m
from tutor.cli.app import app
from tutor.engine.language.network import load, parse_network
from tutor.notation.ask import ask
from tutor.notation.judged import check_text
from tutor.notation.plain import declarations
from tutor import check as tutor_check

runner = CliRunner()

# one example, a row: no axis of examples anywhere
SINGLE = load("default").source
BATCH = load("batch").source   # N rows, J = cross_entropy(Y, Yhat) / N: ∂J/∂Z1 carries the 1/N itself


def judged(source: str, leaf: str, written: str):
    net = parse_network(source)
    checked = check_text(net, leaf, written)
    assert checked.reading is not None, checked.result.diagnostics
    return net, checked


SUMS = [
    # the bias gradients of a batch of rows: Σ over n is the sum down axis 0
    (BATCH, "b2", r"\frac{\partial J}{\partial b_2} = \frac{1}{N}\sum_{n} (\hat{Y} - Y)", "correct"),
    (BATCH, "b2", r"\frac{\partial J}{\partial b_2} = \frac{1}{N}\sum_{n=1}^{N} (\hat{Y}_n - Y_n)", "correct"),
    (BATCH, "b2", r"\frac{\partial J}{\partial b_2} = \sum_{n=1}^{N} (\hat{Y} - Y)", "scaled"),   # no 1/N
    (BATCH, "b1", r"\frac{\partial J}{\partial b_1} = \sum_{n} \delta_1^{(n)}", "correct"),
    (BATCH, "b1", r"\frac{\partial J}{\partial b_1} = \frac{1}{N}\sum_{n=1}^{N} \delta_1^{(n)}", "scaled"),  # 1/N twice
    (BATCH, "b1", r"\frac{\partial J}{\partial b_1} = \sum_{i} \delta_1^{(i)}", "correct"),   # (i) marks an example
    (BATCH, "b1", "∂J/∂b₁ = Σ_n δ₁", "correct"),
    (BATCH, "b2", "db2 = sum_n(Ŷ − Y) / N", "correct"),
    (BATCH, "b1", "db1 = Σₙ δ₁⁽ⁿ⁾", "correct"),
    (BATCH, "b2", r"\frac{\partial J}{\partial b_2} = \frac{1}{N}\sum_{n \in [N]} (\hat Y - Y)", "correct"),
    (BATCH, "b2", "db2 = sum_k(Ŷ − Y) / N", "wrong_shape"),
    # a Σ over every index, or over an index that does not count the examples, adds up everything
    (BATCH, "b2", r"\frac{\partial J}{\partial b_2} = \frac{1}{N}\sum_{i,j} (\hat{Y} - Y)", "wrong_shape"),
    # a lone subscript on a batch of rows picks a row, an example: Ŷ_k is example k, whatever the letter
    (BATCH, "b2", r"\frac{\partial J}{\partial b_2} = \frac{1}{N}\sum_{k} (\hat{Y}_k - Y_k)", "correct"),
    (BATCH, "b2", r"\frac{\partial J}{\partial b_2} = \frac{1}{N}\sum_i (\hat{Y}_i - Y_i)", "correct"),
    (BATCH, "b2", r"\frac{\partial J}{\partial b_2} = \sum_i (\hat{Y}_i - Y_i)", "scaled"),
    (BATCH, "b2", r"\frac{\partial J}{\partial b_2} = \frac{1}{N}\sum_{i,j} (\hat{Y}_{ij} - Y_{ij})", "wrong_shape"),
    (BATCH, "b1", r"\frac{\partial J}{\partial b_1} = \sum_i \delta_{1,i}", "correct"),   # layer 1, example i
    (BATCH, "b1", r"\frac{\partial J}{\partial b_1} = \frac{1}{N}\sum_i \delta_{1,i}", "scaled"),
    (BATCH, "W2", r"\frac{\partial J}{\partial W_2} = \frac{1}{N}\sum_i H_{1,i}^T (\hat Y_i - Y_i)", "correct"),
    (BATCH, "W2", r"\frac{\partial J}{\partial W_2} = \frac{1}{N}\sum_i (\hat Y_i - Y_i)^T H_{1,i}", "transposed"),
    (COURSE, "b2", r"db^{[2]} = \frac{1}{m}\sum_{i} (A^{[2]}_i - Y_i)", "correct"),   # columns: A_i is column i
    (COURSE, "b2", r"db^{[2]} = \frac{1}{m}\sum_{i} (A_{2,i} - Y_i)", "correct"),
    (COURSE, "b2", r"db^{[2]} = \sum_{i} (A_{2,i} - Y_i)", "scaled"),
    # per-example outer products summed: the matrix product already adds up over the examples
    (BATCH, "W2", r"\frac{\partial J}{\partial W_2} = \sum_{n} H_1^{(n)T} \Delta_2^{(n)}", "correct"),
    # deeplearning.ai: examples are columns, a bias n_h×1, dZ the per-example error of the course
    (COURSE, "b1", r"db^{[1]} = \frac{1}{m}\sum_{i=1}^{m} dZ^{[1](i)}", "correct"),
    (COURSE, "b1", r"db^{[1]} = \sum_{i=1}^{m} dZ^{[1](i)}", "correct"),            # dZ taken as ∂J/∂Z1 itself
    (COURSE, "b1", r"db^{[1]} = \frac{1}{m^2}\sum_{i=1}^{m} dZ^{[1](i)}", "scaled"),
    (COURSE, "b2", r"db^{[2]} = \frac{1}{m}\sum_{i=1}^{m} (A^{[2](i)} - Y^{(i)})", "correct"),
    (COURSE, "b2", r"db^{[2]} = \sum_{i=1}^{m} (A^{[2](i)} - Y^{(i)})", "scaled"),
    (COURSE, "b1", r"db^{[1]} = \frac{1}{m}\sum_{j} dZ^{[1]}", "wrong_shape"),   # j counts nothing: all of it
    # one example: Σ_i over a row is the whole sum, as before
    (SINGLE, "b2", r"\frac{\partial J}{\partial b_2} = \sum_{i} (\hat{y}_i - y_i)", "wrong_shape"),
    # the examples written out, (i), in a network of one example: the sum is its one term
    (SINGLE, "W1", r"\frac{\partial J}{\partial W_1} = \sum_{i} x^{(i)T} \delta_1^{(i)}", "correct"),
    (SINGLE, "W1", r"\frac{\partial J}{\partial W_1} = \sum_{i} \delta_1^{(i)T} x^{(i)}", "transposed"),
]


@pytest.mark.parametrize("source,leaf,written,expected", SUMS, ids=[w[:50] for _, _, w, _ in SUMS])
def test_a_sum_over_the_examples_index_sums_the_examples_axis_only(source, leaf, written, expected):
    net, checked = judged(source, leaf, written)
    assert checked.result.verdict == expected, (checked.reading.shown, checked.result.diagnostics)
    assert oracle.verdict(net.source, leaf, checked.reading.code) == expected, checked.reading.code


def test_the_reading_of_a_sum_over_the_examples_is_said():
    _, checked = judged(BATCH, "b2", r"\frac{\partial J}{\partial b_2} = \frac{1}{N}\sum_{n} (\hat{Y} - Y)")
    assert "sum(Yhat - Y, axis=0)" in checked.reading.code
    assert any(note.startswith("Σ_n taken over the examples only") for note in checked.reading.notes)
    _, checked = judged(COURSE, "b1", r"db^{[1]} = \frac{1}{m}\sum_{i=1}^{m} dZ^{[1](i)}")
    assert "sum(dZ1, axis=1, keepdims=True)" in checked.reading.code   # the bias is n_h×1


# A softmax classifier as a post writes it: the loss sums over the examples and the classes
SOFTMAX_POST = r"""Rows are examples: $X \in \mathbb{R}^{N \times D}$, $W \in \mathbb{R}^{D \times C}$,
$b \in \mathbb{R}^{C}$ and the labels $Y \in \mathbb{R}^{N \times C}$.
$$S = XW + b, \quad P = \operatorname{softmax}(S), \quad L = -\frac{1}{N}\sum_{n} \sum_k Y_{nk} \log P_{nk}$$
My bias gradient is $\frac{\partial L}{\partial b} = \frac{1}{N}\sum_{n=1}^{N} (P_n - Y_n)$.
"""


@pytest.mark.parametrize("answer_written, expected", [
    (r"\frac{1}{N}\sum_{n=1}^{N} (P_n - Y_n)", "correct"),
    (r"\sum_{n=1}^{N} (P_n - Y_n)", "scaled"),
    (r"\frac{1}{N}\sum_{n,k} (P_{nk} - Y_{nk})", "wrong_shape"),
])
def test_a_post_whose_bias_gradient_sums_over_the_examples(answer_written, expected):
    post = SOFTMAX_POST.replace(r"\frac{1}{N}\sum_{n=1}^{N} (P_n - Y_n)", answer_written)
    answer = ask(post)
    assert "L = -(1 / N * sum(sum(Y * log(P))))" in answer.network_source   # the loss is still one number
    [asked] = answer.asked
    assert asked.check.result.verdict == expected, asked.check.reading.shown
    assert oracle.verdict(answer.network.source, "b", asked.check.reading.code) == expected


# deeplearning.ai's superscripts: [1] the layer, (i) the example, also inside the loss
COURSE_POST = r"""Column vectors. $X \in \mathbb{R}^{n_x \times m}$, $W^{[1]} \in \mathbb{R}^{1 \times n_x}$,
$b^{[1]} \in \mathbb{R}^{1 \times 1}$, $Y \in \mathbb{R}^{1 \times m}$.
$$Z^{[1]} = W^{[1]} X + b^{[1]}, \quad A^{[1]} = \sigma(Z^{[1]})$$
$$J = -\frac{1}{m}\sum_{i=1}^{m} \left( y^{(i)} \log a^{[1](i)} + (1-y^{(i)})\log(1-a^{[1](i)}) \right)$$
$$dZ^{[1]} = A^{[1]} - Y$$
$$dW^{[1]} = \frac{1}{m} dZ^{[1]} X^T$$
$$db^{[1]} = \frac{1}{m}\sum_{i=1}^{m} dZ^{[1](i)}$$
"""


def test_the_example_superscript_of_deeplearning_ai_is_read_in_the_loss_and_in_a_derivation():
    answer = ask(COURSE_POST)
    assert "J = -(1 / m * sum(Y * log(A1) + (1 - Y) * log(1 - A1)))" in answer.network_source
    assert [(a.wrt, a.check.result.verdict) for a in answer.asked] == [("W1", "correct"), ("b1", "correct")]
    for a in answer.asked:
        assert oracle.verdict(answer.network.source, a.wrt, a.check.reading.code) == "correct"
    wrong = ask(COURSE_POST.replace(r"db^{[1]} = \frac{1}{m}\sum_{i=1}^{m}", r"db^{[1]} = \sum_{i=1}^{m}"))
    b1 = wrong.asked[-1].check
    assert b1.result.verdict == "scaled" == oracle.verdict(wrong.network.source, "b1", b1.reading.code)


@pytest.mark.parametrize("written, code", [
    (r"x^{(i)}", "x"), (r"A^{[1](i)}", "A1"), (r"A^{(i)[1]}", "A1"), (r"a^{[2](i)T}", "A2.T"),
])
def test_layer_and_example_superscripts_name_the_layer(written, code):
    _, checked = judged(COURSE.replace("X:", "x: [n_x, m]\nX:"), "W1", rf"dW^{{[1]}} = {written}")
    assert checked.reading.code.endswith(f"dW1 = {code}"), checked.reading.code


# -- names that are words of Python, and vectors of ones ---------------------------------------------

RIDGE = r"""$X \in \mathbb{R}^{N \times d}$, $w \in \mathbb{R}^{d}$, $y \in \mathbb{R}^{N}$DECLARED:
$$L = \frac{1}{2N}\| Xw - y \|^2 + \frac{\lambda}{2}\|w\|^2$$
$\nabla_w L = ANSWER$
"""


@pytest.mark.parametrize("declared", [r", $\lambda \in \mathbb{R}$", ""])
@pytest.mark.parametrize("written, expected", [
    (r"\frac{1}{N} X^\top (Xw - y) + \lambda w", "correct"),
    (r"X^\top (Xw - y) + \lambda w", "wrong_value"),
    (r"\frac{1}{N} X^\top (Xw - y) + 2 \lambda w", "wrong_value"),
])
def test_lambda_is_a_name_that_is_not_a_python_word_and_a_coefficient_is_a_number(declared, written, expected):
    answer = ask(RIDGE.replace("DECLARED", declared).replace("ANSWER", written))
    assert "lambd: []" in answer.network_source and "lambda" not in answer.network_source
    if not declared:   # nothing states λ's shape: it only scales a number, and that is said
        assert any(a.startswith("lambd is taken as a number") for a in answer.assumptions)
    [asked] = answer.asked
    assert asked.check.result.verdict == expected, asked.check.reading.shown
    assert oracle.verdict(answer.network.source, "w", asked.check.reading.code) == expected


def test_a_python_word_typed_as_a_name_is_renamed_and_said():
    net = parse_network("x: [1, D]\nw: [D, 1]\nlambd: []\nJ = sum((x @ w) ** 2) + lambd * sum(w ** 2)\n")
    checked = check_text(net, "w", r"\frac{\partial J}{\partial w} = 2 x^T (x w) + 2 \lambda w")
    assert checked.result.verdict == "correct" == oracle.verdict(net.source, "w", checked.reading.code)
    assert any("read as lambd" in note for note in checked.reading.notes)


ONES = [
    (BATCH, "b1", r"\frac{\partial J}{\partial b_1} = \mathbf{1}^\top \delta_1", "correct"),
    (BATCH, "b1", r"\frac{\partial J}{\partial b_1} = \mathbb{1}^T \delta_1", "correct"),
    (BATCH, "b1", r"\frac{\partial J}{\partial b_1} = \vec{1}^\top \delta_1", "correct"),
    (BATCH, "b1", r"\frac{\partial J}{\partial b_1} = \mathbf{1}_N^\top \delta_1", "correct"),
    (BATCH, "b1", "∂J/∂b₁ = 1_N^T δ₁", "correct"),
    (BATCH, "b1", r"\frac{\partial J}{\partial b_1} = \delta_1^\top \mathbf{1}", "correct"),
    (BATCH, "b1", r"\frac{\partial J}{\partial b_1} = \frac{1}{N} \mathbf{1}^\top \delta_1", "scaled"),
    (BATCH, "b2", r"\frac{\partial J}{\partial b_2} = \frac{1}{N} \mathbf{1}^\top (\hat{Y} - Y)", "correct"),
    (BATCH, "b2", r"\frac{\partial J}{\partial b_2} = \mathbf{1}^\top (\hat{Y} - Y)", "scaled"),
    (BATCH, "b1", r"\frac{\partial J}{\partial b_1} = \mathbf{1}_H^\top \delta_1", "shape_error"),   # H ones, N rows
    (COURSE, "b1", r"db^{[1]} = \frac{1}{m} dZ^{[1]} \mathbf{1}", "correct"),
    (COURSE, "b1", r"db^{[1]} = \frac{1}{m} dZ^{[1]} \mathbb{1}_m", "correct"),
]


@pytest.mark.parametrize("source,leaf,written,expected", ONES, ids=[w[:50] for _, _, w, _ in ONES])
def test_a_vector_of_ones_is_as_long_as_its_product_needs(source, leaf, written, expected):
    net, checked = judged(source, leaf, written)
    assert checked.result.verdict == expected, (checked.reading.shown, checked.result.diagnostics)
    assert oracle.verdict(net.source, leaf, checked.reading.code) == expected, checked.reading.code
    assert any(note.startswith("𝟏 taken as a vector of") for note in checked.reading.notes)


# -- shapes stated with words between "is" and the shape -------------------------------------------

@pytest.mark.parametrize("line, expected", [
    ("Y is one-hot N x C", [r"Y \in \mathbb{R}^{N \times C}"]),
    ("X is a real N x D matrix", [r"X \in \mathbb{R}^{N \times D}"]),
    ("b is a row vector 1 x C", [r"b \in \mathbb{R}^{1 \times C}"]),
    ("W is a matrix of size D x C", [r"W \in \mathbb{R}^{D \times C}"]),
    ("x is the input; W is D x H", [r"W \in \mathbb{R}^{D \times H}"]),
    ("the answer is a 1×H row", []),
    ("the labels Y are one-hot, N x C", [r"Y \in \mathbb{R}^{N \times C}"]),
    ("Y ∈ {0,1}^{N×C}", [r"Y \in \mathbb{R}^{N \times C}"]),
])
def test_a_shape_is_read_with_adjectives_before_it(line, expected):
    assert declarations(line) == expected


ONE_HOT_POST = """X is N x D, W is D x C, b is 1 x C, Y is one-hot N x C.
Loss: L = -(1/N) * sum(Y * log(softmax(X W + b))).

```python
P = np.exp(X @ W + b) / np.sum(np.exp(X @ W + b), axis=1, keepdims=True)
dW = ANSWER
```
"""


@pytest.mark.parametrize("written, expected", [
    ("X.T @ (P - Y) / N", "correct"), ("X.T @ (P - Y)", "scaled"), ("(P - Y).T @ X / N", "transposed"),
])
def test_a_stated_shape_is_never_replaced_by_a_guess(written, expected):
    answer = ask(ONE_HOT_POST.replace("ANSWER", written))
    assert "Y: [N, C]" in answer.network_source and "b: [1, C]" in answer.network_source
    assert not any(a.startswith("Y is taken") for a in answer.assumptions)
    [asked] = answer.asked
    assert asked.check.result.verdict == expected
    assert oracle.verdict(answer.network.source, "W", asked.read or asked.check.result.source) == expected


def test_labels_declared_in_zero_one_have_that_shape():
    post = (r"$X \in \mathbb{R}^{N \times D}$, $W \in \mathbb{R}^{D \times C}$, $b \in \mathbb{R}^{1 \times C}$, "
            "one-hot labels $Y \\in \\{0,1\\}^{N \\times C}$.\n"
            r"$$L = -\frac{1}{N}\sum_{n=1}^{N}\sum_{k=1}^{C} Y_{nk} \log \operatorname{softmax}(XW + b)_{nk}$$"
            "\n" r"$\frac{\partial L}{\partial W} = X^\top (\operatorname{softmax}(XW + b) - Y) / N$" "\n")
    answer = ask(post)
    assert "Y: [N, C]" in answer.network_source
    [asked] = answer.asked
    assert asked.check.result.verdict == "correct"
    assert oracle.verdict(answer.network.source, "W", asked.check.reading.code) == "correct"


# -- a post with judged derivations and one that cannot be read ------------------------------------

MIXED = r"""Column vectors. $X \in \mathbb{R}^{n_x \times m}$, $W \in \mathbb{R}^{1 \times n_x}$,
$b \in \mathbb{R}^{1 \times 1}$, $Y \in \mathbb{R}^{1 \times m}$.
$$Z = W X + b, \quad A = \sigma(Z)$$
$$J = -\frac{1}{m}\sum \left( Y \log A + (1-Y)\log(1-A) \right)$$

My gradients:

$$\frac{\partial J}{\partial W} = WEIGHT$$
$$\frac{\partial J}{\partial b} = \frac{1}{m}\sum (A - Y)^{\{q\}}$$
"""


@pytest.mark.parametrize("weight, verdict, code", [
    (r"\frac{1}{m} (A - Y) X^T", "unusable", 1),     # one right, one unread: not all correct, not nothing
    (r"(A - Y) X^T", "scaled", 1),                  # a wrong one is the verdict, whatever else is unread
])
def test_a_post_whose_derivations_were_judged_but_one_could_not_be_read_exits_1(weight, verdict, code):
    post = MIXED.replace("WEIGHT", weight)
    result = runner.invoke(app, ["ask", "-", "--json"], input=post)
    data = json.loads(result.stdout)
    assert result.exit_code == code, result.output
    assert data["verdict"] == verdict
    assert [c["verdict"] for c in data["checks"]][-1] == "unusable"
    answer = ask(post)
    judged_one = answer.asked[0].check
    assert oracle.verdict(answer.network.source, "W", judged_one.reading.code) == judged_one.result.verdict


def test_a_post_with_nothing_that_can_be_read_still_exits_2():
    post = MIXED.replace(r"$$\frac{\partial J}{\partial W} = WEIGHT$$", "")
    result = runner.invoke(app, ["ask", "-"], input=post)
    assert result.exit_code == 2, result.output


def test_an_error_in_a_derivation_is_located_at_its_line_and_column_in_the_post():
    post = MIXED.replace("WEIGHT", r"\frac{1}{m} (A - Y) X^T")
    result = runner.invoke(app, ["ask", "-", "--json"], input=post)
    data = json.loads(result.stdout)
    [diagnostic] = data["checks"][-1]["diagnostics"]
    lines = post.splitlines()
    row = next(i for i, line in enumerate(lines, 1) if r"\frac{\partial J}{\partial b}" in line)
    assert diagnostic["line"] == row
    assert lines[row - 1][diagnostic["col"]:].startswith("^{") or lines[row - 1][diagnostic["col"]] in "\\{("
    assert data["read"]["derivations"][-1].startswith(r"\frac{\partial J}{\partial b}")   # the derivation, not the post
    shown = runner.invoke(app, ["ask", "-"], input=post)
    assert f"<post>:{row}:{diagnostic['col'] + 1}" in shown.stdout
    assert lines[row - 1] in shown.stdout   # the post's own line is shown under it


def test_an_unknown_name_in_a_derivation_is_located_in_the_post_too():
    post = ("$X \\in \\mathbb{R}^{N \\times D}$, $W \\in \\mathbb{R}^{D \\times C}$, $Y \\in \\mathbb{R}^{N \\times C}$.\n"
            "$$L = -\\frac{1}{N}\\sum Y \\log \\operatorname{softmax}(XW)$$\n\n"
            "So I get $\\frac{\\partial L}{\\partial W} = \\frac{1}{N} X^\\top (Q - Y)$.\n")
    result = runner.invoke(app, ["ask", "-"], input=post)
    assert result.exit_code == 2
    column = post.splitlines()[3].index("Q")
    assert f"<post>:4:{column + 1}" in result.stdout + result.stderr


TYPED_COURSE = """Column vectors. X is n_x x m, W1 is 1 x n_x, b1 is 1 x 1, Y is 1 x m.

    Z^[1] = W^[1] X + b^[1]
    A^[1] = sigmoid(Z^[1])
    J = -(1/m) sum(Y log A^[1] + (1 - Y) log(1 - A^[1]))
    db^[1] = ANSWER
"""


@pytest.mark.parametrize("written, expected", [
    ("(1/m) sum_i (A^[1](i) - Y^(i))", "correct"),
    ("sum_i (A^[1](i) - Y^(i))", "scaled"),
    ("(1/m) sum_j (A^[1] - Y)", "wrong_shape"),   # j counts nothing: a number, where b1 is 1×1
])
def test_course_superscripts_typed_in_plain_text(written, expected):
    answer = ask(TYPED_COURSE.replace("ANSWER", written))
    [asked] = answer.asked
    assert asked.check.result.verdict == expected, asked.check.reading.shown
    assert oracle.verdict(answer.network.source, "b1", asked.check.reading.code) == expected


@pytest.mark.parametrize("said", [
    "Y, one-hot encoded, has shape N x C.",
    "The labels Y (one-hot, N x C) are given.",
    "Y holds one-hot rows, N x C.",
    "Y is one-hot encoded with shape N x C.",
])
def test_a_shape_said_with_more_words_between_is_never_overruled_by_a_guess(said):
    post = ONE_HOT_POST.replace("Y is one-hot N x C.", said).replace("ANSWER", "X.T @ (P - Y) / N")
    answer = ask(post)
    assert "Y: [N, C]" in answer.network_source
    assert not any(a.startswith("Y is taken") for a in answer.assumptions)
    [asked] = answer.asked
    assert asked.check.result.verdict == "correct"
    assert oracle.verdict(answer.network.source, "W", asked.read or asked.check.result.source) == "correct"


def test_a_shape_handed_on_to_something_else_is_not_said_of_the_symbol():
    from tutor.notation.post import prose_shapes
    assert prose_shapes(["W2 gives an output 1 x Dy", "W1 maps it into a hidden layer, 1 x H"]) == {}


# -- an error in the post's own network is shown where the post wrote it ----------------------------

WRONG_NETWORK = r"""Row vectors: $x \in \mathbb{R}^{1 \times D_x}$, $W_1 \in \mathbb{R}^{D_x \times H}$, $b_1 \in \mathbb{R}^{H}$,
$W_2 \in \mathbb{R}^{H \times D_y}$, $b_2 \in \mathbb{R}^{D_y}$, $y \in \mathbb{R}^{1 \times D_y}$.

$$
\begin{align*}
z_1 &= x W_1 + b_1 \\
h &= \sigma(z_1) \\
z_2 &= SECOND \\
\hat{y} &= \text{softmax}(z_2) \\
J &= -\sum_i y_i \log \hat{y}_i
\end{align*}
$$

My answer: $\frac{\partial J}{\partial W_1} = x^T \delta_1$.
"""


@pytest.mark.parametrize("second, underlined, code", [
    ("W_2 h + b_2", "W_2 h", "E201"),            # the product, as the asker typed it
    ("h W_2 + b_1", "h W_2 + b_1", "E202"),       # the sum that does not broadcast
    ("h W_2 + b_2 W_1", "b_2 W_1", "E201"),
])
def test_an_error_in_the_posts_network_is_located_in_the_post(second, underlined, code):
    post = WRONG_NETWORK.replace("SECOND", second)
    result = runner.invoke(app, ["ask", "-", "--json"], input=post)
    assert result.exit_code == 2, result.output
    error = json.loads(result.stdout)["error"]
    lines = post.splitlines()
    row = next(i for i, line in enumerate(lines, 1) if line.startswith("z_2 &="))
    assert (error["code"], error["origin"], error["line"]) == (code, "<post>", row)
    assert lines[row - 1][error["col"]:error["end_col"]] == underlined
    shown = runner.invoke(app, ["ask", "-"], input=post)
    assert f"<post>:{row}:{error['col'] + 1}" in shown.output and lines[row - 1] in shown.output
    assert "<the post's network>" not in shown.output


def test_an_error_in_a_typed_network_is_located_where_it_was_typed():
    post = ("Row vectors. x ∈ R^{1×Dx}, W₁ ∈ R^{Dx×H}, b₁ ∈ R^H, W₂ ∈ R^{H×Dy}, b₂ ∈ R^{Dy}, y ∈ R^{1×Dy}\n\n"
            "    z₁ = x W₁ + b₁\n    h = σ(z₁)\n    z₂ = W₂ h + b₂\n    ŷ = softmax(z₂)\n    J = CE(y, ŷ)\n\n"
            "I wrote ∂J/∂W₁ = xᵀ δ₁\n")
    result = runner.invoke(app, ["ask", "-", "--json"], input=post)
    error = json.loads(result.stdout)["error"]
    assert (error["line"], post.splitlines()[4][error["col"]:error["end_col"]]) == (5, "W₂ h")


def test_a_network_error_is_located_in_the_file_given_as_the_network(tmp_path):
    path = tmp_path / "net.md"
    post = WRONG_NETWORK.replace("SECOND", "W_2 h + b_2")
    path.write_text(post, encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "--wrt", "W1", r"x^T \delta_1"])
    assert result.exit_code == 2
    row = next(i for i, line in enumerate(post.splitlines(), 1) if line.startswith("z_2 &="))
    assert f"{path}:{row}:8" in result.output


@pytest.mark.parametrize("post, row, written", [
    # a leaf nothing gives a shape to: shown where the post first uses it
    ("$W \\in \\mathbb{R}^{D \\times C}$.\n\n$$L = \\frac{1}{2}\\|X W - T\\|^2 + q$$\n\n"
     "$\\frac{\\partial L}{\\partial W} = X^T (X W - T)$\n", 3, "q"),
    # a definition the reader cannot make into one: the definition's right side
    ("$x \\in \\mathbb{R}^{1 \\times D}$, $W \\in \\mathbb{R}^{D \\times C}$, $y \\in \\mathbb{R}^{1 \\times C}$\n\n"
     "$$p = \\text{softmax}(x W)$$\n$$J = CE(y, p, x)$$\n\n$\\frac{\\partial J}{\\partial W} = x^T (p - y)$\n",
     4, "CE(y, p, x)"),
])
def test_a_network_that_cannot_be_built_says_where_in_the_post(post, row, written):
    result = runner.invoke(app, ["ask", "-", "--json"], input=post)
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert (error["origin"], error["line"]) == ("<post>", row)
    assert post.splitlines()[row - 1][error["col"]:error["end_col"]] == written


# -- questions as they were posted, each judged as its answer judges it -----------------------------

def source_of(answer, asked) -> str:
    """What was judged, in the derivation language: the reading, or the code with its unwritten lines."""
    return asked.check.reading.code if asked.check.reading is not None else asked.read or asked.check.result.source


# Cross Validated 253460 ("Derive the gradients of a basic neural network"): the post names its own
# δ1 = ∂J/∂z2 = ŷ − y, where δ1 otherwise stands for ∂J/∂z1
CV_253460 = r"""Given a neural network as following
\begin{align*}
&J = CE(y,\hat{y})=-\sum_i y_i log(\hat{y}_i)\\
&\hat{y} = softmax(z_2)\\
&z_2 = hW_2+b_2\\
&h = sigmoid(z_1)\\
&z_1 = xW_1+b_1
\end{align*}
and $$\frac{\partial J}{\partial z_2}=\hat{y}-y=\delta_1$$ where $W_1 \in \mathbb{R}^{D_x \times H}$, $b_1 \in \mathbb{R}^H$,
$W_2 \in \mathbb{R}^{H \times D_y}$ and $b_2 \in \mathbb{R}^{D_y}$.

Why $\frac{\partial J}{\partial W_2}=ANSWER$?
"""


@pytest.mark.parametrize("written, expected", [
    (r"h^T \delta_1", "correct"),                                     # the given solution
    (r"\frac{\partial J}{\partial z_2} \frac{\partial z_2}{\partial W_2}=\delta_1 h^T", "shape_error"),   # the asker's
    (r"\delta_1^T h", "transposed"),
])
def test_a_delta_the_post_defines_is_what_the_post_says_it_is(written, expected):
    answer = ask(CV_253460.replace("ANSWER", written))
    asked = answer.asked[-1]
    assert (asked.wrt, asked.check.result.verdict) == ("W2", expected), asked.check.reading.shown
    assert "dz2 = yhat - y" in asked.check.reading.code and "dz1" not in asked.check.reading.code
    assert any("δ1 is its own ∂J/∂z2" in a for a in answer.assumptions)
    if asked.check.chain is None:
        assert oracle.verdict(answer.network.source, "W2", source_of(answer, asked)) == expected


def test_a_delta_the_post_does_not_define_keeps_its_usual_reading():
    post = CV_253460.replace(r"\frac{\partial J}{\partial z_2}=\hat{y}-y=\delta_1", r"\frac{\partial J}{\partial z_2}=\hat{y}-y")
    answer = ask(post.replace("W_2}=ANSWER", r"W_1}=x^T \delta_1"))
    [asked] = answer.asked
    assert asked.check.result.verdict == "correct" and "dz1 = (yhat - y) @ W2.T" in asked.check.reading.code


# Cross Validated 411203 ("derivation in vectorised form"), the asker's layer i written for layer 1:
# Z_1 = W_1ᵀ A_0 + B_1 with A_0 = Xᵀ and its size said as dim(A_0) = n * m
CV_411203 = r"""the formula for the derivative of the cost function wrt W is given as:

$$\frac {dJ} {dW_{1}} = ANSWER$$

Where $Z_1 = W_1^TA_{0} + B_1$, $A_0$ is $X^T$, i.e., $dim(A_{0}) = n * m$ and $A_1 = \sigma(Z_1)$,
$dim(W_1) = (n, n_1)$, $dim(B_1) = (n_1, 1)$, $dim(Y) = (n_1, m)$,
$$J = -\frac{1}{m}\sum \left(Y \log A_1 + (1 - Y)\log(1 - A_1)\right)$$
"""


@pytest.mark.parametrize("written, expected", [
    (r"\frac {1} {m} \frac {dJ} {dZ_{1}} A_{0}^T", "wrong_shape"),   # as given: the transpose of what W1 needs
    (r"A_0 (\frac {dJ} {dZ_{1}})^T", "correct"),
    (r"\frac {1} {m} (\frac {dJ} {dZ_{1}} A_{0}^T)^T", "scaled"),    # dJ/dZ1 already holds the 1/m
])
def test_a_shape_said_as_dim_of_an_array_is_read(written, expected):
    answer = ask(CV_411203.replace("ANSWER", written))
    assert "A0: [n, m]" in answer.network_source and "W1: [n, n1]" in answer.network_source
    [asked] = answer.asked
    assert asked.check.result.verdict == expected, asked.check.reading.shown
    assert oracle.verdict(answer.network.source, "W1", asked.check.reading.code) == expected


@pytest.mark.parametrize("said, declared", [
    (r"dim(A_{0}) = n * m", r"A_{0} \in \mathbb{R}^{n \times m}"),
    (r"\dim(Z_1) = (n_1, m)", r"Z_1 \in \mathbb{R}^{n1 \times m}"),
    ("X.shape = (N, D)", r"X \in \mathbb{R}^{N \times D}"),
    ("shape(X) = N x D", r"X \in \mathbb{R}^{N \times D}"),
    ("dim(A) = n", None),
    ("dW = dZ * x.T", None),
])
def test_a_shape_said_as_a_function_of_the_array(said, declared):
    from tutor.notation.plain import size_statement
    assert size_statement(said) == declared


@pytest.mark.parametrize("line, equations", [
    ("so dW = dZ / x ie.", ["dW = dZ / x"]),
    ("so dW = dZ / x ie. dW = dZ * x.T", ["dW = dZ / x", "dW = dZ * x.T"]),
    ("I think dW = dZ * x.T, e.g. for one example", ["dW = dZ * x.T"]),
    ("the tie = 3", []),
])
def test_an_equation_in_a_sentence_ends_at_an_abbreviation(line, equations):
    from tutor.notation.post import typed_math
    from tutor.notation.sentences import prose_equations
    assert prose_equations(line, typed_math) == equations


# DeepLearning.AI's forum types layers in brackets and the dot product as a full stop
CATALOGUE = __import__("pathlib").Path(__file__).resolve().parent / "catalogue" / "questions"
COURSE_PATH = str(CATALOGUE / "deeplearningai-course1-week3.net")
COURSE_NET = load(COURSE_PATH).source


@pytest.mark.parametrize("typed, expected", [
    ("dZ[1] = W[2]T.dZ[2] * g[1]'(Z[1])", "correct"),                       # community thread 333451
    ("dZ[2] = A[2] - Y\ndZ[1] = W[2]T . dZ[2] * g'[1](Z[1])", "correct"),   # community thread 59528
    ("dZ[2] = A[2] - Y\ndZ[1] = dZ[2].W[2] * g'[1](Z[1])", "shape_error"),
    ("dZ[2] = A[2] - Y\ndZ[1] = W[2]T . dZ[2]", "wrong_value"),
    ("dz[1] = a[1] - y", "wrong_value"),                                      # community thread 336971
])
def test_deeplearning_ai_forum_notation(typed, expected):
    answer = ask(f"Week 3 question:\n\n{typed.replace(chr(10), chr(10) + chr(10))}\n", network=COURSE_PATH)
    [asked] = answer.asked
    assert asked.check.result.verdict == expected, asked.check.reading and asked.check.reading.shown
    assert oracle.verdict(COURSE_NET, asked.wrt, asked.check.reading.code) == expected


def test_a_course_error_is_carried_on_with_the_courses_one_over_m_and_said():
    answer = ask("dZ[2] = A[2] - Y\n\ndZ[1] = W[2]T . dZ[2] * g'[1](Z[1])\n", network=COURSE_PATH)
    [asked] = answer.asked
    assert asked.check.reading.code.endswith("dW1 = (dZ1 @ X.T) / m")
    assert any("per-example error" in a and "carried on as the course does" in a for a in answer.assumptions)
    # a δ or a written ∂J/∂Z1 is the gradient itself: never carried on with an extra 1/m
    answer = ask(r"$$\frac{\partial J}{\partial Z_1} = W_2^T (A_2 - Y) \circ (1 - A_1^2)$$", network=COURSE_PATH)
    assert answer.asked[0].check.result.verdict == "scaled"


def test_a_course_post_without_its_network_is_not_judged_against_another():
    result = runner.invoke(app, ["ask", "-"], input="dZ[2] = A[2] - Y\n\ndZ[1] = W[2]T . dZ[2] * g'[1](Z[1])\n")
    assert result.exit_code == 2 and "could not be read" in result.output and "A2" in result.output


# code that reads a course's gradient it never computes (community thread 165181)
L2_PATH = str(CATALOGUE / "deeplearningai-165181-l2.net")
L2_NET = load(L2_PATH).source


@pytest.mark.parametrize("code, expected, per_example", [
    ("dW1 = 1/m * np.dot(dZ1, X.T) + (lambd * W1) / m", "correct", True),
    ("dW1 = 1/m * np.dot(dZ1, X.T) + (lambd * np.sum(W1)) / m", "wrong_value", False),
    ("dW1 = np.dot(dZ1, X.T) + (lambd * W1) / m", "correct", False),   # no 1/m brought back: dZ1 is ∂J/∂Z1
    ("dW1 = 1/m * np.dot(X.T, dZ1) + (lambd * W1) / m", "shape_error", False),
])
def test_code_that_uses_a_gradient_it_never_computes(code, expected, per_example):
    answer = ask(f"I tried with:\n\n```\n{code}\n```\n", network=L2_PATH)
    [asked] = answer.asked
    assert asked.check.result.verdict == expected
    assert any(a.startswith("dZ1 is used but never written out") for a in answer.assumptions)
    assert any("per-example error" in a for a in answer.assumptions) == per_example
    assert oracle.verdict(L2_NET, "W1", asked.check.result.source) == expected


# Physics Forums 3368762: x typed for ×, and ψ named as the activation in words
PF_3368762 = """The equation describing the network is:

y = ψ(W3 x ψ(W2 x ψ(W1 x I)))

Where:
y (scalar) is the output value
W1 (2x2 matrix) are the 1st layer weights
W2 (2x2 matrix) are the 2nd layer weights
W3 (1x2 matrix) are the output layer weight
I (2x1 vector) is the input vector
ψ is the activation function (log sigmoid)

When I try to differentiate by W1 I get:

dy/dW1 = ANSWER
"""


@pytest.mark.parametrize("written, expected", [
    ("ψ'(W3 x ψ(W2 x ψ(W1 x I))) x W3 x ψ'(W2 x ψ(W1 x I)) x W2 x ψ'(W1 x I) x I", "wrong_shape"),
    ("I x ψ'(W1 x I) x W2 x ψ'(W2 x ψ(W1 x I)) x W3 x ψ'(W3 x ψ(W2 x ψ(W1 x I)))", "shape_error"),
])
def test_x_typed_for_times_where_x_is_no_name_of_the_post(written, expected):
    answer = ask(PF_3368762.replace("ANSWER", written))
    assert "y = sigmoid(W3 @ sigmoid(W2 @ sigmoid(W1 @ I)))" in answer.network_source
    [asked] = answer.asked
    assert asked.check.result.verdict == expected
    assert oracle.verdict(answer.network.source, "W1", asked.check.reading.code) == expected


def test_x_stays_a_name_where_the_post_gives_it_a_shape_or_leaves_a_neighbour_unsaid():
    from tutor.notation.plain import x_as_times
    assert x_as_times(["z = W x + b"], {"W", "b"}) == ["z = W x + b"]      # x then +: x is an operand
    assert x_as_times(["z = W x b"], {"W", "b", "x"}) == ["z = W x b"]      # x has a shape: a name
    assert x_as_times(["z = W x b"], {"W"}) == ["z = W x b"]                # b says nothing: x may be a name
    assert x_as_times(["z = W x b"], {"W", "b"}) == ["z = W × b"]


def test_a_primed_letter_the_post_speaks_of_is_a_value_not_a_transpose():
    from tutor.notation.aliases import primed_names, reading_aliases
    said = ["where Y = given value and Y' is computed in the neural network by the output layer",
            "Y in my case is 4x1 and Y' = 4x1"]
    assert primed_names(said) == {"Y"}
    assert primed_names(["x' is the transpose of x"]) == frozenset()
    assert primed_names(["where f' is the derivative of the activation"]) == frozenset()
    net = parse_network("A: [H, 1]\nW: [K, H]\nY: [K, 1]\nz = W @ A\nYhat = sigmoid(z)\nE = sum((Y - Yhat) ** 2) / 2\n")
    with reading_aliases({}, False, {}, frozenset({"Y"})):
        right = check_text(net, "W", "dW = ((Y' - Y) Y'(1 - Y')) A^T")
        flipped = check_text(net, "W", "dW = ((Y - Y') Y'(1 - Y')) A^T")   # example-a.com 31863383: D = (Y - Y')Y'(1-Y')
    assert right.result.verdict == "correct" == oracle.verdict(net.source, "W", right.reading.code)
    assert flipped.result.verdict == "scaled" == oracle.verdict(net.source, "W", flipped.reading.code)


# Cross Validated 452162: s is both the vector and the logistic function, and · in the loss is a dot product
CV_452162 = r"""I want to derive the gradient $\nabla_wJ(w)$ of the logistic regression cost function
$J(w) = -\textbf{y}\cdot ln\textbf{ s} - (\mathbf{1} - \textbf{y}) \cdot ln( \mathbf{1} - \textbf{s})$, where
$\textbf{s} = s(\textbf{Xw})$ is shorthand for the logistic function. We can simplify and get:

$$ANSWER$$
"""


@pytest.mark.parametrize("written, expected", [
    (r"-(\mathbf{1} - s(\textbf{Xw}))\textbf{y} + s(\textbf{Xw})(\mathbf{1} - \textbf{y}) = s(\textbf{Xw}) - \textbf{y}",
     "wrong_shape"),
    (r"\nabla_wJ(w) = \textbf{X}^T(s(\textbf{Xw}) - \textbf{y})", "correct"),
    (r"\nabla_wJ(w) = (s(\textbf{Xw}) - \textbf{y})^T \textbf{X}", "transposed"),
])
def test_a_letter_that_is_both_a_value_and_its_function(written, expected):
    answer = ask(CV_452162.replace("ANSWER", written))
    assert "s = sigmoid(X @ w)" in answer.network_source
    assert "J = -sum(y * log(s)) - sum((1 - y) * log(1 - s))" in answer.network_source
    [asked] = answer.asked
    assert (asked.wrt, asked.check.result.verdict) == ("w", expected)
    assert oracle.verdict(answer.network.source, "w", asked.check.reading.code) == expected


def test_a_long_paragraph_is_read_for_shapes_in_linear_time():
    """Words between a name and a shape are whole words: a paragraph of them is never split every way."""
    import time
    from tutor.notation.post import prose_shapes
    # a post pasted with its catalogue header: one paragraph of 443 characters took 45 s when a word could be
    # split into fillers every way
    paragraph = (CATALOGUE / "datascience-54731-dimensions-wont-match.md").read_text(encoding="utf-8").split("---\n")[1]
    start = time.perf_counter()
    prose_shapes([paragraph.strip(), paragraph.strip() + " W is 2 x 3"])
    assert time.perf_counter() - start < 3
    assert prose_shapes([paragraph.strip() + " W is 2 x 3"])["W"] == prose_shapes(["W is 2 x 3"])["W"]


def test_working_is_an_answer_only_where_the_post_gives_no_other():
    identity = r"$$\textbf{y} \cdot ln \textbf{s} = \textbf{y}^T ln \textbf{s}$$"
    post = CV_452162.replace("$$ANSWER$$", identity + "\n\n" + r"$$\nabla_wJ(w) = \textbf{X}^T(s(\textbf{Xw}) - \textbf{y})$$")
    [asked] = ask(post).asked   # the identity is working, never judged as the gradient
    assert asked.check.result.verdict == "correct"


# Layers named by letters, as Nielsen's book writes them (neuralnetworksanddeeplearning.com, chapter 2): a letter
# superscript that names a layer is a layer, never a power.
NIELSEN_GENERAL = r"""I am reading Nielsen's chapter 2. The network is

$$z^l = w^l a^{l-1} + b^l, \qquad a^l = \sigma(z^l)$$

with the quadratic cost $C = \frac{1}{2}\|y - a^L\|^2$. The equations are

$$\delta^L = \nabla_a C \odot \sigma'(z^L)$$
$$\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)$$
$$\frac{\partial C}{\partial w^l_{jk}} = ENTRY$$
"""

NIELSEN_LAYERS = r"""Take $L = 2$: $z^1 = w^1 x + b^1$, $a^1 = \sigma(z^1)$, $z^L = w^L a^1 + b^L$, $a^L = \sigma(z^L)$, with
$C = \frac{1}{2}\|a^L - y\|^2$, $x \in \mathbb{R}^{n}$, $w^1 \in \mathbb{R}^{h \times n}$, $w^L \in \mathbb{R}^{k \times h}$.

$$\delta^{x,L} = (a^{x,L} - y) \odot \sigma'(z^{x,L})$$
$$\frac{\partial C}{\partial w^L} = WEIGHT$$
"""


@pytest.mark.parametrize("post, written, expected", [
    (NIELSEN_GENERAL.replace("ENTRY", r"a^{l-1}_k \delta^l_j"), "dz2 @ a1.T", "correct"),
    (NIELSEN_GENERAL.replace("ENTRY", r"a^{l-1}_j \delta^l_k"), "a1 @ dz2.T", "transposed"),
    (NIELSEN_GENERAL.replace(r"(w^{l+1})^T \delta^{l+1}", r"\delta^{l+1} w^{l+1}").replace("ENTRY", r"a^{l-1}_k \delta^l_j"),
     None, "shape_error"),
    (NIELSEN_LAYERS.replace("WEIGHT", r"\delta^L (a^{L-1})^T"), "dz2 @ a1.T", "correct"),
    (NIELSEN_LAYERS.replace("WEIGHT", r"\delta^L (a^{L-1})^T").replace(r"(a^{x,L} - y) \odot ", ""), None, "wrong_value"),
    (NIELSEN_LAYERS.replace("WEIGHT", r"(a^{L-1})^T \delta^L"), None, "shape_error"),
])
def test_layers_named_by_letters_are_layers(post, written, expected):
    answer = ask(post)
    [asked] = answer.asked
    assert asked.check.result.verdict == expected, asked.check.reading and asked.check.reading.shown
    code = asked.check.reading.code
    if written is not None:
        assert code.splitlines()[-1].endswith(written), code
    if expected != "shape_error":
        assert oracle.verdict(answer.network.source, asked.wrt, code) == expected
    said = " ".join(answer.assumptions)
    assert "L = " in said or "layer 2" in said or "L read as" in said or "L = 2" in post


def test_a_general_layer_is_written_out_and_its_sizes_are_said():
    answer = ask(NIELSEN_GENERAL.replace("ENTRY", r"a^{l-1}_k \delta^l_j"))
    assert {"w1", "w2", "w3", "a0"} <= set(answer.network.leaves)
    assert str(answer.network.shapes["w2"]) != str(answer.network.shapes["w3"])
    said = " ".join(answer.assumptions)
    assert "general layer l" in said and "n_k units" in said and "l = 2" in said


# A gradient written entry by entry is the matrix it defines; its indices in the wrong order are its transpose.
ENTRIES = [
    (SINGLE, "W2", r"\frac{\partial J}{\partial W_{2,ij}} = h_i (\hat{y}_j - y_j)", "correct"),
    (SINGLE, "W2", r"\frac{\partial J}{\partial W_{2,ij}} = h_j (\hat{y}_i - y_i)", "transposed"),
    (SINGLE, "b1", r"\frac{\partial J}{\partial b_{1,j}} = \delta_{1,j}", "correct"),
    (BATCH, "W2", r"\frac{\partial J}{\partial W_{2,ij}} = \frac{1}{N}\sum_n H_{1,ni} (\hat{Y}_{nj} - Y_{nj})", "correct"),
    (BATCH, "W2", r"\frac{\partial J}{\partial W_{2,ij}} = \sum_n H_{1,ni} (\hat{Y}_{nj} - Y_{nj})", "scaled"),
    (BATCH, "W2", r"\frac{\partial J}{\partial W_{2,ij}} = \sum_n H_{1,nj} \Delta_{2,ni}", "transposed"),
]


@pytest.mark.parametrize("source, leaf, written, expected", ENTRIES)
def test_a_gradient_written_by_its_entries_is_judged_as_its_matrix(source, leaf, written, expected):
    net, checked = judged(source, leaf, written)
    assert checked.result.verdict == expected, checked.reading.shown
    assert oracle.verdict(source, leaf, checked.reading.code) == expected
    assert any("read as the whole matrix" in note for note in checked.reading.notes)


def test_an_index_of_the_entry_that_no_factor_has_is_said():
    checked = check_text(parse_network(SINGLE), "W1", r"\frac{\partial J}{\partial W_{1,ij}} = x_k \delta_{1,j}")
    assert checked.result.verdict == "unusable"
    assert "index i" in checked.result.diagnostics[0].message


def test_a_statement_of_what_delta_is_is_not_an_answer_of_its_own():
    post = (r"With $z = x W_1 + b_1$, $h = \sigma(z)$, $\hat{y} = \text{softmax}(h W_2 + b_2)$, $J = CE(y, \hat{y})$, "
            r"$x \in \mathbb{R}^{1 \times D_x}$, $W_1 \in \mathbb{R}^{D_x \times H}$, $W_2 \in \mathbb{R}^{H \times D_y}$"
            "\n\n" r"I get $$\frac{\partial J}{\partial W_{1,ij}} = x_i \delta_j$$ where $\delta = \frac{\partial J}{\partial z}$.")
    answer = ask(post)
    assert [a.check.result.verdict for a in answer.asked] == ["correct"]
    assert answer.exit_code == 0


# Kronecker and vec forms (Magnus and Neudecker's vec stacks columns): ∂J/∂vec(W) is W's gradient stacked by
# columns, judged once put back into W's shape; a chain in vec form is a product of matrices.
COLUMN_LAYER = """a: [n, 1]
W: [m, n]
z = W @ a
J = sum(tanh(z))
"""
VEC = [
    (r"\frac{\partial J}{\partial \mathrm{vec}(W)} = \delta^T (a^T \otimes I_m)", "correct"),
    (r"\frac{\partial J}{\partial \mathrm{vec}(W)} = \delta^T (a^T \otimes I)", "correct"),     # I sized by δᵀ
    (r"\frac{\partial J}{\partial \mathrm{vec}(W)} = \delta^T (I_m \otimes a^T)", "wrong_value"),  # rows stacked
    (r"\frac{\partial J}{\partial \operatorname{vec}(W)} = \mathrm{vec}(\delta a^T)^T", "correct"),
    (r"\frac{\partial J}{\partial \mathrm{vec}(W)} = \mathrm{vec}(a \delta^T)^T", "wrong_value"),
    (r"\frac{\partial \mathrm{vec}(z)}{\partial \mathrm{vec}(W)} = a^T \otimes I_m" "\n"
     r"\frac{\partial J}{\partial \mathrm{vec}(W)} = \frac{\partial J}{\partial z} \frac{\partial \mathrm{vec}(z)}{\partial \mathrm{vec}(W)}",
     "correct"),
    (r"\frac{\partial \mathrm{vec}(z)}{\partial \mathrm{vec}(W)} = I_m \otimes a" "\n"
     r"\frac{\partial J}{\partial \mathrm{vec}(W)} = \frac{\partial J}{\partial z} \frac{\partial \mathrm{vec}(z)}{\partial \mathrm{vec}(W)}",
     "shape_error"),
    (r"\frac{\partial J}{\partial z} = \mathrm{diag}(1 - \tanh^2(z)) \mathbf{1}", None),
]


@pytest.mark.parametrize("written, expected", [v for v in VEC if v[1] is not None])
def test_kronecker_and_vec_forms_are_judged_as_the_gradient_they_stack(written, expected):
    net, checked = judged(COLUMN_LAYER, "W", written)
    assert checked.result.verdict == expected, checked.reading.shown
    if expected != "shape_error":
        assert oracle.verdict(COLUMN_LAYER, "W", checked.reading.code) == expected


def test_an_identity_whose_size_nothing_tells_is_said():
    checked = check_text(parse_network(COLUMN_LAYER), "W", r"\frac{\partial J}{\partial \mathrm{vec}(W)} = a^T \otimes I")
    assert checked.result.verdict == "unusable"
    assert "identity" in checked.result.diagnostics[0].message


@pytest.mark.parametrize("sign", [r"\circ", r"\odot", "*", r"\ast", "∘", "⊙"])
def test_every_hadamard_sign_and_diag_as_a_jacobian_factor(sign):
    hadamard = rf"\frac{{\partial J}}{{\partial W_1}} = x^T ((\hat{{y}} - y) W_2^T {sign} h {sign} (1 - h))"
    jacobian = rf"\delta_1 = (\hat{{y}} - y) W_2^T \mathrm{{diag}}(h {sign} (1 - h))" "\n" r"\frac{\partial J}{\partial W_1} = x^T \delta_1"
    for written in (hadamard, jacobian):
        net, checked = judged(SINGLE, "W1", written)
        assert checked.result.verdict == "correct", (written, checked.reading.shown)
        assert oracle.verdict(SINGLE, "W1", checked.reading.code) == "correct"


# A network written by index: each entry's definition read as the whole vector, a matrix written with two
# indices a matrix, and gradients written by index judged as their matrices.
SOFTMAX_BY_INDEX = r"""A single layer with softmax: $z_j = \sum_k w_{jk} x_k + b_j$ and $\hat{y}_j = \frac{e^{z_j}}{\sum_k e^{z_k}}$,
with the cross-entropy $J = -\sum_j y_j \log \hat{y}_j$. Here $x \in \mathbb{R}^{D}$.

I got $$\frac{\partial J}{\partial w_{jk}} = GRADIENT$$
"""
NIELSEN_BY_INDEX = r"""$$z^l_j = \sum_k w^l_{jk} a^{l-1}_k + b^l_j, \qquad a^l_j = \sigma(z^l_j)$$

with $C = \frac{1}{2}\sum_j (y_j - a^L_j)^2$. I derived

$$\delta^l_j = \sum_k w^{l+1}_{BACK} \delta^{l+1}_k \sigma'(z^l_j)$$
$$\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j$$
"""


@pytest.mark.parametrize("post, expected", [
    (SOFTMAX_BY_INDEX.replace("GRADIENT", r"(\hat{y}_j - y_j) x_k"), "correct"),
    (SOFTMAX_BY_INDEX.replace("GRADIENT", r"x_j (\hat{y}_k - y_k)"), "transposed"),
    (SOFTMAX_BY_INDEX.replace("GRADIENT", r"\hat{y}_j x_k"), "wrong_value"),
    (NIELSEN_BY_INDEX.replace("BACK", "{kj}"), "correct"),
    (NIELSEN_BY_INDEX.replace("BACK", "{jk}"), "shape_error"),
])
def test_a_network_written_by_index_is_read_in_matrix_form(post, expected):
    answer = ask(post)
    [asked] = answer.asked
    assert asked.check.result.verdict == expected, asked.check.reading and asked.check.reading.shown
    assert "@" in answer.network_source and "_" not in answer.network_source.split("\n")[-1]
    if expected != "shape_error":
        assert oracle.verdict(answer.network.source, asked.wrt, asked.check.reading.code) == expected
    assert any("entry by entry" in said for said in answer.assumptions)


# Notation met in real posts, each read for its whole class (the catalogue holds the posts themselves).
TYPED_POSTS = [
    # δJ/δW typed for ∂J/∂W, XT for Xᵀ (T names nothing), ∗ and a mask [Z1>0] in a sentence's equation
    ("Is δJ/δW1 = 1/m∗((W2)^T(A2−Y) ∗ (1−A1^2))XT right?", "correct"),
    ("Is δJ/δW1 = 1/m∗((W2)^T(A2−Y) ∗ (1−A1^2))X right?", "shape_error"),
    # an equation over two code spans, with the layer's T glued to the gradient after it
    ("When computing `dZ^[1]` (which should be = `W^[2]TdZ^[2]*g^[1]'(Z^[1])`) I get lost.", "correct"),
    ("When computing `dZ^[1]` (which should be = `W^[2]dZ^[2]*g^[1]'(Z^[1])`) I get lost.", "shape_error"),
    # mathematical italic letters, typed layer letters, and Chinese prose around the equation
    ("反向传播步骤（2），𝑑𝑊[𝑙]=𝑑𝑍[𝑙]⋅𝐴[𝑙−1]ᵀ，其中", "correct"),
    ("反向传播步骤（2），𝑑𝑊[𝑙]=𝑑𝑍[𝑙]⋅𝐴[𝑙−1]，其中", "shape_error"),
]


@pytest.mark.parametrize("post, expected", TYPED_POSTS)
def test_typed_notation_of_course_forums(post, expected):
    answer = ask(post, COURSE_PATH)
    assert [a.check.result.verdict for a in answer.asked] == [expected], \
        [a.check.reading and a.check.reading.shown for a in answer.asked]


CHAIN_NET = """y: [n, 1]
A: [n, k]
x: [k, 1]
beta = A.T @ y
p = softmax(beta, axis=0)
CE = cross_entropy(x, p)
"""


@pytest.mark.parametrize("written, expected", [
    # a ∂-factor whose top is a function of a node is that node; ⊙ before a Jacobian that is not diagonal breaks
    (r"\frac{dCE}{dy} = \frac{dCE}{d softmax(\beta)} \frac{dsoftmax(\beta)}{d\beta} \odot \frac{d\beta}{d y}", "shape_error"),
    (r"\frac{dCE}{dy} = \frac{dCE}{d softmax(\beta)} \frac{dsoftmax(\beta)}{d\beta} \frac{d\beta}{d y}", "correct"),
])
def test_a_factor_of_a_function_and_an_elementwise_join_in_a_chain(written, expected):
    checked = check_text(parse_network(CHAIN_NET), "y", written)
    assert checked.result.verdict == expected, [d.message for d in checked.result.diagnostics]
    if expected == "shape_error":
        assert "elementwise" in checked.result.diagnostics[0].message


def test_a_value_written_as_a_function_of_names_is_that_value():
    net = "X: [M, N]\nY: [K, N]\nW: [M, K]\nS = softmax(W.T @ X, axis=0)\nE = cross_entropy(Y, S)\n"
    for written, expected in [(r"\nabla E(W) = X(S(X) - Y)^T", "correct"), (r"\nabla E(W) = X(S(X) - Y)", "shape_error")]:
        checked = check_text(parse_network(net), "W", written)
        assert checked.result.verdict == expected, checked.reading and checked.reading.shown


def test_working_written_by_index_is_said_and_not_judged():
    post = (r"$$\frac{\partial y_{ij}}{\partial x_{mn}} = \sum_a w_{ia}\delta_{m,a}\delta_{n,j} = w_{im}\delta_{n,j}$$"
            "\n\nand so, with an environment inside the sentence, \\begin{align} \\frac{\\partial L}{\\partial W} = "
            "\\frac{\\partial L}{\\partial Y} X^T \\end{align} as expected.")
    answer = ask(post, str(CATALOGUE / "notes-annp0-matmul.net"))
    assert [a.check.result.verdict for a in answer.asked] == ["correct"]
    assert any("working, not judged" in said for said in answer.assumptions)


def test_check_reads_layers_named_by_letters_against_the_networks_own_layers():
    net = load(str(CATALOGUE / "github-fengdu78-21-columns.net")).source   # layers 1 and 2, columns, one example
    for leaf, written, expected in [
            ("w2", r"\frac{\partial L}{\partial w^L} = \delta^L (a^{L-1})^T", "correct"),
            ("w1", r"\frac{\partial L}{\partial w^l} = (a^{l-1})^T \delta^l", "shape_error"),
            ("w1", "dw[l] = dz[l] a[l-1]^T", "correct"),
            ("w1", "dw[l] = dz[l] a[l-1]", "shape_error"),   # typed as a course forum does: mathematics, not code
            ("w1", r"\frac{\partial L}{\partial w^l} = \delta^l (a^{l-1})^T \odot 2", "scaled")]:
        result = check_text(parse_network(net), leaf, written).result
        assert result.verdict == expected, (written, [d.message for d in result.diagnostics])
    assert tutor_check(net, "w1", "dw[l] = dz[l] a[l-1]").verdict == "shape_error"   # the public check, too


def test_nielsens_four_equations_in_components():
    post = (r"For $z^l = w^l a^{l-1} + b^l$, $a^l = \sigma(z^l)$ and $C = \frac{1}{2}\|y - a^L\|^2$:" "\n\n"
            r"$$\delta^L_j = \frac{\partial C}{\partial a^L_j} \sigma'(z^L_j)$$" "\n\n"
            r"$$\delta^l_j = \sum_k w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^l_j)$$" "\n\n"
            r"$$\frac{\partial C}{\partial b^l_j} = BIAS$$" "\n\n"
            r"$$\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j$$")
    for bias, expected in ((r"\delta^l_j", "correct"), (r"a^{l-1}_j \delta^l_j", "shape_error")):
        answer = ask(post.replace("BIAS", bias))
        assert [(a.wrt, a.check.result.verdict) for a in answer.asked] == [("b2", expected), ("w2", "correct")]


@pytest.mark.parametrize("gradient, expected", [(r"g\, h^{(k-1)T}", "correct"), (r"g\, h^{(k-1)}", "shape_error"),
                                                (r"h^{(k-1)} g^T", "transposed")])
def test_the_deep_learning_books_k_and_g(gradient, expected):
    post = (r"$$\nabla_{W^{(k)}}J = GRADIENT$$ where $g = \nabla_{a^{(k)}} J$, $a^{(k)} = b^{(k)} + W^{(k)}h^{(k-1)}$, "
            r"$h^{(k)} = \tanh(a^{(k)})$, with $J = \frac{1}{2}\|h^{(L)} - y\|^2$.").replace("GRADIENT", gradient)
    answer = ask(post)
    assert [(a.wrt, a.check.result.verdict) for a in answer.asked] == [("W2", expected)]
    assert any("names a general layer" in said for said in answer.assumptions)


NIELSEN_WITHOUT_A_COST = r"""In Nielsen's book the output error is $\delta^L = \nabla_a C \odot \sigma'(z^L)$ and
$\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)$ with $z^l = w^l a^{l-1} + b^l$, $a^l = \sigma(z^l)$.
Then $\frac{\partial C}{\partial w^l} = \delta^l (a^{l-1})^T$. Is that the right shape?
"""


def test_a_post_that_never_defines_its_loss_is_told_so_and_judged_once_it_does():
    done = runner.invoke(app, ["ask", "-"], input=NIELSEN_WITHOUT_A_COST)
    assert done.exit_code == 2 and "the post defines no loss" in done.stderr, done.stderr
    assert "C = \\frac{1}{2}" in done.stderr   # what to add, in the post's own notation
    with_cost = NIELSEN_WITHOUT_A_COST.replace("Is that", r"With $C = \frac{1}{2} \| a^L - y \|^2$, is that")
    done = runner.invoke(app, ["ask", "-"], input=with_cost)
    assert done.exit_code == 0 and "✓ verdict: correct" in done.stdout, done.output


@pytest.mark.parametrize("said", ["L = 0", "L = 1", "L = 3, l = 5"])
def test_a_general_layer_at_a_layer_that_cannot_be_is_told_so(said):
    post = (f"Take ${said}$. $$z^l = w^l a^{{l-1}} + b^l, \\quad a^l = \\sigma(z^l)$$ and "
            "$$C = \\frac{1}{2} \\| a^L - y \\|^2$$ Is $\\frac{\\partial C}{\\partial w^l} = \\delta^l (a^{l-1})^T$ right?")
    done = runner.invoke(app, ["ask", "-"], input=post)
    assert done.exit_code == 2 and "judged at a layer l between 1 and L" in " ".join(done.stderr.split()), done.output
