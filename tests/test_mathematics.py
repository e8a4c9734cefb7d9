"""Mathematics as written (SPEC §8): derivations in LaTeX, Unicode and typed math, chains of ∂-factors,
networks in LaTeX, and `shapetutor ask` on a whole post.

Every verdict is the one an independent reader gives: the derivation as read is run by the NumPy
oracle (tests/oracle.py, which executes it and differentiates the forward pass by itself), and
that verdict must agree with both the expected one and shapetutor's.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import oracle
from tutor.cli.app import app
from tutor.engine.language.network import load
from tutor.notation.marks import looks_like_math
from tutor.notation.judged import check_text

ROOT = Path(__file__).resolve().parent
runner = CliRunner()

# (network, leaf, the derivation as a learner writes it, the verdict an independent reader gives)
WRITTEN = [
    ("default", "W1", r"\frac{\partial J}{\partial W_1} = x^T \delta_1", "correct"),
    ("default", "W1", r"\frac{\partial J}{\partial \mathbf{W}_{1}} = \mathbf{x}^\top \boldsymbol{\delta}_1", "correct"),
    ("default", "W1", r"\delta_1 = (\hat{y} - y) W_2^T \circ h \circ (1 - h) \\ "
                      r"\frac{\partial J}{\partial W_1} = x^T \delta_1", "correct"),
    ("default", "W1", r"\delta_1 = (\hat{y} - y) W_2^T \odot \sigma'(z_1) \\ \nabla_{W_1} J = x^{T} \delta_{1}",
     "correct"),
    ("default", "W1", "xᵀ·((ŷ − y)·W₂ᵀ ∘ h ∘ (1 − h))", "correct"),
    ("default", "W1", "δ₁ = (ŷ − y)W₂ᵀ ⊙ h ⊙ (1 − h); ∂J/∂W₁ = xᵀδ₁", "correct"),
    ("default", "W1", "dJ/dW1 = x' δ1", "correct"),
    ("default", "W1", "x^T ((yhat - y) W2^T * h * (1 - h))", "correct"),
    ("default", "W1", r"\frac{\partial J}{\partial W_1} = x^T (\hat{y} - y) W_2^T", "wrong_value"),
    ("default", "W1", "δ₁ = (ŷ − y)W₂ᵀ; ∂J/∂W₁ = xᵀδ₁", "wrong_value"),
    ("default", "W1", r"\left( (\hat y - y) W_2^T \circ h \circ (1 - h) \right)^T x", "transposed"),
    ("default", "W1", r"\frac{\partial J}{\partial W_1} = \delta_1 x^T", "shape_error"),
    ("default", "W1", "(ŷ − y) W₂ᵀ ∘ h ∘ (1 − h) · x", "shape_error"),
    ("default", "W1", "(ŷ − y) W₂ᵀ ∘ h ∘ (1 − h) x", "shape_error"),
    ("default", "W1", r"x^T (\hat y - y) W_2^T \circ h \circ (1 - h)", "correct"),   # h scales columns
    ("default", "W1", r"x^T ((\hat y - y) W_2^T \circ h \circ (1 - h))", "correct"),
    ("default", "x", r"(\hat y - y) W_2^T \circ h \circ (1 - h) W_1^T", "correct"),
    ("default", "W2", r"\frac{\partial J}{\partial W_2} = h^T (\hat{y} - y)", "correct"),
    ("default", "W2", "∂J/∂W₂ = hᵀ(y − ŷ)", "scaled"),
    ("default", "W2", r"\frac{\partial J}{\partial W_2} = (\hat{y} - y)^T h", "transposed"),
    ("default", "x", r"\frac{\partial J}{\partial x} = \delta_1 W_1^T", "correct"),
    ("default", "b2", r"\frac{\partial J}{\partial b_2} = \hat{y} - y", "wrong_shape"),   # b2 is a vector: Dy
    ("default", "W2", r"\frac{\partial J}{\partial W_2} = \sigma(z_1)^T (\text{softmax}(z_2) - y)", "correct"),
    ("batch", "W1", r"\frac{\partial J}{\partial W_1} = \frac{1}{N} X^T \left( (\hat{Y} - Y) W_2^T \circ H_1 \circ (1 - H_1) \right)",
     "correct"),
    ("batch", "W1", r"\frac{\partial J}{\partial W_1} = X^T \left( (\hat{Y} - Y) W_2^T \circ H_1 \circ (1 - H_1) \right)",
     "scaled"),
    ("batch", "W2", r"\frac{\partial J}{\partial W_2} = H_1^T \Delta_2", "correct"),   # Δ2 = ∂J/∂Z2 has its 1/N
    ("batch", "W2", r"\frac{\partial J}{\partial W_2} = \frac{1}{N} H_1^T \Delta_2", "scaled"),
    ("column", "W1", r"\frac{\partial J}{\partial W_1} = \delta_1 x^T", "correct"),
    ("column", "W1", r"\frac{\partial J}{\partial W_1} = x^T \delta_1", "shape_error"),
]


@pytest.mark.parametrize("network,leaf,written,expected", WRITTEN, ids=[w[2][:40] for w in WRITTEN])
def test_a_derivation_written_as_mathematics_gets_the_verdict_an_independent_reader_gives(network, leaf, written,
                                                                                          expected):
    net = load(network)
    assert looks_like_math(written)
    checked = check_text(net, leaf, written)
    assert checked.reading is not None
    assert checked.result.verdict == expected, (checked.reading.shown, checked.result.diagnostics)
    # the oracle runs what was read with NumPy and differentiates the forward pass on its own
    assert oracle.verdict(net.source, leaf, checked.reading.code) == expected, checked.reading.code


# deeplearning.ai's network: examples as columns, the loss averaged over m (or, below, summed)
COURSE = """X: [n_x, m]
Y: [1, m]
W1: [n_h, n_x]
b1: [n_h, 1]
W2: [1, n_h]
b2: [1, 1]
Z1 = W1 @ X + b1
A1 = tanh(Z1)
Z2 = W2 @ A1 + b2
A2 = sigmoid(Z2)
J = -sum(Y * log(A2) + (1 - Y) * log(1 - A2)) / m
"""
SUMMED = COURSE.replace(") / m", ")")

# An unwritten dZ is the course's per-example error only where nothing else makes the answer right
UNWRITTEN = [
    (COURSE, "W1", r"dW^{[1]} = \frac{1}{m} dZ^{[1]} X^T", "correct", "per-example"),
    (COURSE, "W2", r"dW^{[2]} = \frac{1}{m} dZ^{[2]} A^{[1]T}", "correct", "per-example"),
    (COURSE, "W1", r"dW^{[1]} = dZ^{[1]} X^T", "correct", "∂J/∂Z1"),
    (COURSE, "W1", r"dW^{[1]} = \frac{1}{m^2} dZ^{[1]} X^T", "scaled", "∂J/∂Z1"),
    (COURSE, "W1", r"dW^{[1]} = \frac{1}{m} \frac{\partial J}{\partial Z^{[1]}} X^T", "scaled", None),
    (COURSE, "W1", r"\frac{\partial J}{\partial W_1} = \frac{1}{m} \delta_1 X^T", "scaled", "∂J/∂Z1"),
    (COURSE, "W1", r"dW^{[1]} = \frac{1}{m} X^T dZ^{[1]}", "shape_error", "∂J/∂Z1"),
    (SUMMED, "W1", r"dW^{[1]} = \frac{1}{m} dZ^{[1]} X^T", "scaled", "∂J/∂Z1"),
    (SUMMED, "W1", r"dW^{[1]} = dZ^{[1]} X^T", "correct", "∂J/∂Z1"),
]


@pytest.mark.parametrize("source,leaf,written,expected,taken_as", UNWRITTEN,
                         ids=[f"{'summed' if s is SUMMED else 'mean'}-{w}" for s, _, w, _, _ in UNWRITTEN])
def test_an_unwritten_dZ_is_a_course_s_per_example_error_only_when_the_post_brings_the_1_over_m_back(
        source, leaf, written, expected, taken_as):
    from tutor.engine.language.network import parse_network
    net = parse_network(source)
    checked = check_text(net, leaf, written)
    assert checked.result.verdict == expected, (checked.reading.shown, checked.result.diagnostics)
    assert oracle.verdict(net.source, leaf, checked.reading.code) == expected, checked.reading.code
    notes = " ".join(checked.reading.notes)
    if taken_as == "per-example":
        assert "per-example error" in notes and "m·∂J/∂Z" in notes
        assert "/ m" not in checked.reading.given[0]   # m·∂J/∂Z1 written with the m cancelled
    elif taken_as is not None:
        assert f"taken as ∂J/∂{taken_as[4:]}" in notes and "per-example" not in notes


def test_a_factor_juxtaposed_after_a_hadamard_chain_that_cannot_chain_with_its_neighbour_ends_the_chain():
    # the question's own mistake written in one line: x is the last factor of the whole chain, so the
    # mismatch is δ1 (1×H) · x (1×Dx), and the help puts x on the left, transposed, of all of δ1
    checked = check_text(load("default"), "W1", "(ŷ − y) W₂ᵀ ∘ h ∘ (1 − h) x")
    first = next(d for d in checked.result.diagnostics if d.severity == "error")
    assert first.code == "E201" and first.to_json()["operands"] == [[1, "H"], [1, "Dx"]]
    assert checked.result.suggestion == "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"
    assert "x.T @ ((yhat - y) @ W2.T * h * (1 - h))" in first.help.prose


def test_what_was_read_is_shown_in_the_network_language():
    checked = check_text(load("default"), "W1", r"\frac{\partial J}{\partial W_1} = x^T \delta_1")
    assert checked.reading.shown[-1] == "dW1 = x.T @ dz1"
    assert checked.reading.given == ("dz1 = (yhat - y) @ W2.T * h * (1 - h)",)
    assert any("δ" in n or "delta" in n for n in checked.reading.notes)


def test_a_product_is_read_by_the_shapes_and_the_reading_is_said():
    checked = check_text(load("default"), "W1", "x^T ((yhat - y) W2^T · h · (1 - h))")
    assert checked.reading.code == "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"
    notes = " ".join(checked.reading.notes)
    assert "matrix product (1×Dy)(Dy×H)" in notes and "elementwise product" in notes


def test_a_row_times_a_column_is_never_read_as_an_outer_product_by_broadcasting():
    # δ1 xᵀ in the row convention: (1×H)(Dx×1) does not chain; reading it elementwise would broadcast
    # into the right numbers and call a wrong derivation correct
    checked = check_text(load("default"), "W1", r"\delta_1 x^T")
    assert "@" in checked.reading.code.splitlines()[-1] and checked.result.verdict == "shape_error"


def test_code_stays_code():
    for code in ("x.T @ dz1", "dW1 = x.T @ ((yhat - y) @ W2.T * h * (1 - h))", "__import__('os').system('true')",
                 "sum(a, axis=0)  # ∂J/∂b", "dz2 = yhat - y; dW2 = np.einsum('ij,ik->jk', h, dz2)",
                 "dz2 = yhat - y ;dW2 = h.T @ dz2"):
        assert not looks_like_math(code)
    for math in ("W^T x", "x'", r"\hat{y}", "ŷ - y", "dJ/dW1 = x"):
        assert looks_like_math(math)


# -- chains of ∂-factors -----------------------------------------------------------------------

CHAINS = [
    ("W1", "∂J/∂W1 = ∂J/∂z2 · ∂z2/∂h · ∂h/∂z1 · ∂z1/∂W1", "shape_error", 3),
    ("W1", r"\frac{\partial J}{\partial W_1} = \frac{\partial J}{\partial z_2}\frac{\partial z_2}{\partial h}"
           r"\frac{\partial h}{\partial z_1}\frac{\partial z_1}{\partial W_1}", "shape_error", 3),
    ("W1", r"\frac{\partial J}{\partial \boldsymbol{W_1}} = \left( \hat{\boldsymbol{y}} - \boldsymbol{y} \right) "
           r"\cdot W_2^T \circ h \circ (1 -h) \cdot \frac{\partial \boldsymbol{z_1}}{\partial \boldsymbol{W_1}}",
     "shape_error", 1),
    ("b2", "∂J/∂b2 = ∂J/∂z2 · ∂z2/∂b2", "correct", None),
    ("x", "∂J/∂x = ∂J/∂z2 · ∂z2/∂h · ∂h/∂z1 · ∂z1/∂x", "correct", None),
    ("W1", "∂J/∂W1 = ∂J/∂z2 · ∂h/∂z1 · ∂z1/∂W1", "wrong_value", None),
    ("W1", r"\frac{\partial J}{\partial W_1} = (\hat y - y) W_2^T \cdot \frac{\partial z_1}{\partial W_1}",
     "shape_error", 1),
]


@pytest.mark.parametrize("leaf,written,expected,breaks_at", CHAINS, ids=[c[1][:40] for c in CHAINS])
def test_a_chain_of_partial_factors_is_the_naive_chain(leaf, written, expected, breaks_at):
    checked = check_text(load("default"), leaf, written)
    assert checked.chain is not None
    assert checked.result.verdict == expected
    if expected != "wrong_value":
        assert checked.chain.breaks_at == breaks_at
    if expected == "shape_error":
        d = checked.result.diagnostics[0]
        assert d.code == "E215" and d.op == "@"
        assert [[x.json() for x in s] for s in d.operands] == [[1, "H"], [1, "H", "Dx", "H"]]


def test_a_chain_whose_written_factors_are_wrong_is_not_correct():
    # ∂J/∂z1 written without σ′ is wrong even though the chain itself telescopes
    checked = check_text(load("default"), "W1", r"\frac{\partial J}{\partial W_1} = (\hat y - y) W_2^T \cdot "
                                                 r"\frac{\partial z_1}{\partial W_1}")
    assert checked.result.verdict != "correct"
    assert [(s.claims, s.value_ok) for s in checked.result.steps] == [("z1", False)]


def test_check_reads_mathematics_from_the_command_line():
    seed = (r"\frac{\partial J}{\partial \boldsymbol{W_1}} = \left( \hat{\boldsymbol{y}} - \boldsymbol{y} \right) "
            r"\cdot W_2^T \circ h \circ (1 -h) \cdot \frac{\partial \boldsymbol{z_1}}{\partial \boldsymbol{W_1}}")
    result = runner.invoke(app, ["check", "default", "--wrt", "W1", seed])
    assert result.exit_code == 1
    for shown in ("Read as:", "∂z1/∂W1: Jacobian 1×H×Dx×H", "The chain breaks at ∂z1/∂W1", "xᵀδ1", "E215"):
        assert shown in result.stdout, shown
    result = runner.invoke(app, ["check", "default", "--wrt", "W1", "--json", "xᵀ δ₁"])
    assert result.exit_code == 0 and json.loads(result.stdout)["verdict"] == "correct"
    result = runner.invoke(app, ["check", "default", "--wrt", "W1", r"x^T \delta_9"])
    assert result.exit_code == 2 and "not a name of the network" in result.stderr


@pytest.mark.parametrize("text", [r"\frac{\partial J}{", r"\left( x", "x^", r"\frac{\partial J}{\partial Q} = x",
                                  "∂J/∂", r"\begin{align} x", "‖x", "W^{foo} x", "x = = y", r"\sum", "$$",
                                  "(" * 300 + "x" + ")" * 300, r"\frac" * 200])
def test_mathematics_that_cannot_be_read_is_unusable_with_a_message(text):
    checked = check_text(load("default"), "W1", text)
    assert checked.result.verdict in ("unusable", "shape_error", "wrong_shape", "wrong_value")
    if checked.result.verdict == "unusable":
        assert checked.result.diagnostics[0].message


# -- a whole post: `shapetutor ask` ------------------------------------------------------------------

SEED = ROOT / "catalogue" / "questions" / "seed.md"


def test_the_seed_post_pasted_whole_gets_the_walkthrough_at_its_break():
    result = runner.invoke(app, ["ask", "-"], input=SEED.read_text(encoding="utf-8"))
    assert result.exit_code == 1, result.stderr
    out = result.stdout
    for shown in ("x: [1, Dx]", "z1 = x @ W1 + b1", "J = cross_entropy(y, yhat)",      # the network understood
                  "x is taken as a 1×Dx row",                                          # what it assumed
                  "∂z2/∂h taken as W2.T", "∂h/∂z1 taken as h * (1 - h)",               # the asker's factors
                  "∂z1/∂W1: Jacobian 1×H×Dx×H, a tensor, not a matrix",                # each factor's shape
                  "The chain breaks at ∂z1/∂W1",                                       # where it stops
                  "∂z1[k]/∂W1[i,j] = x[i] · [k = j]", "x.T @ dz1    (Dx×1)(1×H) = Dx×H", "xᵀδ1",  # the contraction
                  "verdict: shape_error"):
        assert shown in out, shown


def test_ask_json_is_as_the_contract_says():
    result = runner.invoke(app, ["ask", str(SEED), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"network", "read", "checks", "verdict", "assumptions"}
    assert data["network"]["loss"] == "J" and data["network"]["nodes"]["W1"] == {"shape": ["Dx", "H"], "kind": "leaf"}
    assert data["read"]["network"] == load("default").source.split("\n", 1)[1].replace("       ", "") or \
        "z1 = x @ W1 + b1" in data["read"]["network"]
    assert data["verdict"] == "shape_error" and all(c["verdict"] == "shape_error" for c in data["checks"])
    assert len(data["read"]["derivations"]) == len(data["checks"]) == 2
    first = data["checks"][-1]
    assert first["wrt"] == "W1" and first["diagnostics"][0]["code"] == "E215"
    assert first["diagnostics"][0]["operands"] == [[1, "H"], [1, "H", "Dx", "H"]]
    assert [(s["claims"], s["value_ok"]) for s in first["steps"]] == [("z2", True), ("z1", True)]
    assert any("1×Dx row" in a for a in data["assumptions"])


def test_the_network_read_from_the_seed_post_is_the_motivating_network():
    from tutor.engine.language.network import parse_network
    from tutor.engine.language.printer import code
    from tutor.notation.ask import ask
    answer = ask(SEED.read_text(encoding="utf-8").split("---\n", 2)[-1])
    built, bundled = parse_network(answer.network_source), load("default")
    assert built.shapes == bundled.shapes
    assert {n: code(e) for n, e in built.definitions.items()} == {n: code(e) for n, e in bundled.definitions.items()}


POST = r"""
My network is $z = Wx + b$, $\hat{y} = \sigma(z)$ and the loss is

$$L = -\sum_i y_i \log \hat{y}_i + (1 - y_i) \log(1 - \hat{y}_i)$$

where $W \in \mathbb{R}^{K \times D}$, $x \in \mathbb{R}^{D \times 1}$ and $b \in \mathbb{R}^{K \times 1}$.
I got $\frac{\partial L}{\partial W} = (\hat{y} - y) x^T$. Is that right?
"""


def test_a_post_with_a_correct_derivation_in_the_column_convention():
    result = runner.invoke(app, ["ask", "-", "--json"], input=POST)
    data = json.loads(result.stdout)
    assert result.exit_code == 0, data
    assert data["verdict"] == "correct"
    assert "x: [D, 1]" in data["read"]["network"] and "z = W @ x + b" in data["read"]["network"]


def test_a_post_without_a_derivation_is_unusable():
    result = runner.invoke(app, ["ask", "-"], input="How do I take the gradient of $W_1$?")
    assert result.exit_code == 2 and "no derivation" in result.stderr


# -- mathematics out ------------------------------------------------------------------------------

@pytest.mark.parametrize("network", ["default", "batch", "column", "mlp", "vector"])
def test_every_formula_written_as_latex_reads_back_as_the_gradient(network):
    from tutor.teach.derivation import derive
    net = load(network)
    for leaf, g in derive(net, check=False).gradients.items():
        written = g.formula_latex
        assert written and "." not in written.replace("\\cdot", ""), written
        checked = check_text(net, leaf, written)
        assert checked.result.verdict == "correct", (leaf, written, checked.reading and checked.reading.code)


def test_derive_prints_latex_and_puts_latex_beside_every_formula():
    result = runner.invoke(app, ["derive", "--latex", "--wrt", "W1"])
    assert result.exit_code == 0
    assert result.stdout.startswith("\\begin{align*}")
    assert r"\frac{\partial J}{\partial W_{1}} &= {x}^{\top} \left(\left(\hat{y} - y\right) {W_{2}}^{\top} \circ h" \
        in result.stdout
    data = json.loads(runner.invoke(app, ["derive", "batch", "--json", "--no-verify"]).stdout)
    for g in data["gradients"].values():
        assert g["latex"] and all(s["latex"] for s in g["steps"])


# -- networks written as mathematics ---------------------------------------------------------------

NETWORK_TEX = r"""
\begin{align*}
z_1 &= x W_1 + b_1 \\
h &= \tanh(z_1) \\
\hat{y} &= \text{softmax}(h W_2 + b_2) \\
J &= -\sum_i y_i \log(\hat{y}_i)
\end{align*}
where $x \in \mathbb{R}^{1 \times D}$, $W_1 \in \mathbb{R}^{D \times H}$, $b_1 \in \mathbb{R}^{H}$,
$W_2 \in \mathbb{R}^{H \times K}$ and $b_2 \in \mathbb{R}^{K}$.
"""


def test_every_command_that_takes_a_network_takes_one_in_latex(tmp_path):
    path = tmp_path / "net.tex"
    path.write_text(NETWORK_TEX, encoding="utf-8")
    shapes = json.loads(runner.invoke(app, ["shapes", str(path), "--json"]).stdout)
    assert shapes["nodes"]["x"]["shape"] == [1, "D"] and shapes["nodes"]["yhat"]["shape"] == [1, "K"]
    assert shapes["loss"] == "J"
    derived = runner.invoke(app, ["derive", str(path), "--json", "--wrt", "W1"])
    assert derived.exit_code == 0, derived.stderr
    data = json.loads(derived.stdout)
    assert data["verification"]["verified"]
    assert data["gradients"]["W1"]["formula"] == "x.T @ ((yhat - y) @ W2.T * (1 - h ** 2))"
    assert "y is taken to have the shape of what it multiplies, 1×K" in derived.stderr
    checked = runner.invoke(app, ["check", str(path), "--wrt", "W1", r"x^T ((\hat y - y) W_2^T \circ (1 - h^2))"])
    assert checked.exit_code == 0, checked.stdout
    walked = runner.invoke(app, ["walk", str(path), "--no-input", "--plain"])
    assert walked.exit_code == 0 and "x.T @ dz1" in walked.stdout


def test_the_python_face_takes_a_latex_network_and_a_latex_derivation():
    import tutor
    net = tutor.load(NETWORK_TEX)
    assert net.engine.shapes["W2"] != () and tutor.check(NETWORK_TEX, "W2", r"h^T (\hat{y} - y)").verdict == "correct"


@pytest.mark.parametrize("text,expected", [
    (r"$$L = \frac{1}{N} \|y - Xw\|^2$$ with $X \in \mathbb{R}^{N \times D}$, $y \in \mathbb{R}^{N}$, "
     r"$w \in \mathbb{R}^{D}$", "L = 1 / N * sum((y - X @ w) ** 2)"),
    (r"$$J = CE(y, \hat{y}), \quad \hat{y} = \text{softmax}(W x)$$ where $W \in \mathbb{R}^{K \times D}$ and "
     r"$x \in \mathbb{R}^{D \times 1}$", "J = cross_entropy(y, yhat)"),
])
def test_losses_as_people_write_them(text, expected):
    from tutor.notation.placed import network_from_math
    net, _ = network_from_math(text, "<post>")
    assert expected in net.source


@pytest.mark.parametrize("written, correct, exit_code", [
    # Ŷ_i of the batch is its row i, an example: a sum over the examples, whatever the index's letter
    (r"\frac{1}{N}\sum_i (\hat{Y}_i - Y_i)", True, 0),
    (r"\frac{1}{N}\sum_k (\hat{Y}_k - Y_k)", True, 0),
    (r"\sum_{i=1}^{N} (\hat{y}^{(i)} - y^{(i)})", False, 1),        # the 1/N left out
    (r"\frac{1}{N}\sum_{i,j} (\hat{Y}_{ij} - Y_{ij})", False, 1),   # every entry: a number
])
def test_a_sum_whose_index_picks_the_batchs_rows_is_over_the_examples(written, correct, exit_code):
    result = runner.invoke(app, ["check", "batch", "--wrt", "b2", written, "--json"])
    data = json.loads(result.stdout)
    assert result.exit_code == exit_code
    assert (data["verdict"] == "correct") == correct
    net = load("batch")
    checked = check_text(net, "b2", written)
    assert oracle.verdict(net.source, "b2", checked.reading.code) == data["verdict"], checked.reading.code


# -- hostile and broken mathematics -----------------------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from conftest import SCALE  # noqa: E402

MATH_TOKENS = [r"\frac", "{", "}", r"\partial", "J", "W_1", "^T", "^{", "_", r"\hat{y}", "(", ")", r"\left(",
               r"\right)", r"\cdot", r"\circ", "·", "∘", "ᵀ", "ŷ", "δ₁", r"\delta_1", "=", r"\\", "&", "$", "$$",
               r"\sum_i", r"\sigma", "'", r"\text{softmax}", r"\begin{align*}", r"\end{align*}", "x", "h", "(1 - h)",
               r"\in", r"\mathbb{R}^{D_x \times H}", "∂", "/", "[", "]", "‖", "|", "1", "0.5", "-", "+", "\n", "%",
               r"\nabla", "_{", "^{[1]}", "(1,1,1)", r"\mathbb{1}", ">", "*", "@", r"\operatorname{diag}", "\x00"]
SEEDS = [r"\frac{\partial J}{\partial W_1} = x^T \delta_1",
         r"\frac{\partial J}{\partial W_1} = \left( \hat{y} - y \right) \cdot W_2^T \circ h \circ (1 - h) \cdot "
         r"\frac{\partial z_1}{\partial W_1}",
         "∂J/∂W1 = ∂J/∂z2 · ∂z2/∂h · ∂h/∂z1 · ∂z1/∂W1", "xᵀ·((ŷ − y)·W₂ᵀ ∘ h ∘ (1 − h))"]


@settings(max_examples=150 * SCALE, deadline=None)
@given(st.data())
def test_broken_mathematics_is_a_verdict_or_unusable_never_a_crash(data):
    import time
    text = data.draw(st.sampled_from(SEEDS))
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()):
            text = text[:i] + data.draw(st.sampled_from(MATH_TOKENS)) + text[i:]
        else:
            text = text[:i] + text[i + data.draw(st.integers(1, 6)):]
    start = time.perf_counter()
    checked = check_text(load("default"), "W1", text)
    assert time.perf_counter() - start < 5
    assert checked.result.verdict in ("correct", "shape_error", "wrong_shape", "transposed", "scaled", "wrong_value",
                                      "unusable")
    if checked.result.verdict == "unusable":
        assert checked.result.diagnostics[0].message


@settings(max_examples=60 * SCALE, deadline=None)
@given(st.lists(st.sampled_from(MATH_TOKENS), max_size=30).map("".join))
def test_a_post_of_random_mathematics_is_answered_or_refused_with_a_message(text):
    from tutor.engine.errors import TutorError
    from tutor.notation.ask import ask
    try:
        answer = ask(text)
    except TutorError as error:
        assert error.message
    else:
        assert answer.verdict


def test_the_factors_a_learner_names_are_shown_beside_their_jacobians():
    post = (r"$$\frac{\partial J}{\partial W_1} = \frac{\partial J}{\partial z_2}\frac{\partial z_2}{\partial h}"
            r"\frac{\partial h}{\partial z_1}\frac{\partial z_1}{\partial W_1}$$" "\n\n"
            r"where $\frac{\partial z_2}{\partial h} = W_2^T$ and $\frac{\partial h}{\partial z_1} = h \circ (1-h)$.")
    result = runner.invoke(app, ["ask", "-", "--network", "default"], input=post)
    assert result.exit_code == 1
    assert "∂z2/∂h: Jacobian 1×Dy×1×H, a matrix in disguise (you take it as W2ᵀ)" in result.stdout
    assert "The chain breaks at ∂z1/∂W1" in result.stdout and "verdict: shape_error" in result.stdout
