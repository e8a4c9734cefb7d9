"""The concept table (tutor/teach/concepts.py): one entry per mistake, named by the diagnostics, explained
once per concept in the learner's symbols, used by the lessons' hints and listed in docs/concepts.md.

Also the notes the table's issue found misleading or garbled, each with the input that showed it.
"""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import oracle
import tutor
from tutor.cli import app
from tutor.course.kinds import QUESTIONS
from tutor.course.step import LessonStep
from tutor.engine.language.network import load, parse_network
from tutor.front.concepts_page import concepts_page
from tutor.front.diagnostics import check_view
from tutor.front.look import Look
from tutor.judge.findings import concepts as judged_concepts
from tutor.judge.findings import shape_error
from tutor.teach import concepts
from tutor.teach.concepts import CONCEPTS, DEFAULT_SYMBOLS

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

LEAST_SQUARES = "X: [n, P]\nw: [P, 1]\ny: [n, 1]\nr = y - X @ w\nL = sum(r ** 2)\n"
SOFTMAX_HU = "h: [1, H]\ny: [1, K]\nU: [H, K]\nb2: [1, K]\nyhat = softmax(h @ U + b2)\nJ = cross_entropy(y, yhat)\n"
COURSE = (ROOT / "tests" / "catalogue" / "questions" / "deeplearningai-course1-week3.net").read_text(encoding="utf-8")
BATCH = "X: [N, D]\nY: [N, K]\nW: [D, K]\nb: [K]\nP = softmax(X @ W + b)\nJ = cross_entropy(Y, P) / N\n"
NO_BIAS = "X: [N, D]\nY: [N, K]\nW: [D, K]\nP = softmax(X @ W)\nJ = cross_entropy(Y, P) / N\n"
DROPOUT = ("a: [N, H]\nM: binary[N, H]\nW: [H, K]\ny: [N, K]\nkeep_prob = 0.7\nb = a * M / keep_prob\nout = b @ W\n"
           "J = sum((out - y) ** 2) / 2\n")


def rendered(result, reveal: bool = True) -> str:
    out = io.StringIO()
    inner = getattr(result, "engine", result)
    Console(file=out, width=200, color_system=None).print(check_view(inner, Look(), reveal), crop=False)
    return out.getvalue()


def test_every_concept_has_an_id_a_name_a_paragraph_and_a_hint_without_the_formula():
    assert {"chain-order", "diagonal-jacobian", "outer-product", "missing-transpose", "bias-sum", "mean-1-over-n",
            "per-example", "mask", "tied-weights", "layout", "gradient-sign", "dropout-scale"} <= set(CONCEPTS)
    for c in CONCEPTS.values():
        assert re.fullmatch(r"[a-z0-9-]+", c.id)
        text = c.explain()
        assert text and "{" not in text and "}" not in text, c.id
        assert c.hint.endswith("?"), c.id
        assert "@" not in c.hint and ".T" not in c.hint and "=" not in c.hint, c.id
        assert c.link == f"docs/concepts.md#{c.id}"


def test_an_explanation_speaks_in_the_learners_symbols():
    text = concepts.explain("outer-product", {"x": "A1", "W": "W2", "delta": "dZ2", "product": "W2 @ A1",
                                              "grad_W": "dZ2 @ A1ᵀ"})
    assert "W2 @ A1" in text and "dZ2 @ A1ᵀ" in text
    assert concepts.explain("no-such-concept") == ""


def test_docs_concepts_md_is_generated_from_the_table():
    shown = (ROOT / "docs" / "concepts.md").read_text(encoding="utf-8")
    assert shown == concepts_page(), "docs/concepts.md is generated: run the command at its top"
    for c in CONCEPTS.values():
        assert f'<a id="{c.id}"></a>' in shown


def source_concepts() -> set[str]:
    """Every concept id written in the judge and notation code: each must be an entry of the table."""
    ids = set(judged_concepts.MISTAKE_CONCEPTS.values()) | set(shape_error.KIND_CONCEPTS.values())
    for path in (ROOT / "tutor").rglob("*.py"):
        ids |= set(re.findall(r'concept="([a-z0-9-]+)"', path.read_text(encoding="utf-8")))
        ids |= set(re.findall(r'fixed\("([a-z0-9-]+)"\)', path.read_text(encoding="utf-8")))
        ids |= set(re.findall(r'return "([a-z0-9-]+)", \{', path.read_text(encoding="utf-8")))
    return ids - {""}


def test_every_concept_the_code_names_is_in_the_table():
    named = source_concepts()
    assert len(named) >= 12
    assert named <= set(CONCEPTS), named - set(CONCEPTS)


def test_a_concept_is_explained_once_however_often_its_mistake_recurs():
    result = tutor.check("default", "W1", "dz1 = (yhat - y) @ W2.T * h * (1 - h)\ndW1 = dz1.T @ x")
    assert [d.concept for d in result.diagnostics if d.severity == "error"] == ["layout", "layout"]
    text = rendered(result)
    assert text.count("= concept:") == 1 and "docs/concepts.md#layout" in text


def test_without_the_suggestion_the_concept_gives_its_hint_not_its_paragraph():
    result = tutor.check("default", "W1", "(yhat - y) @ W2.T * h * (1 - h) @ x", suggestion=False)
    text = rendered(result, reveal=False)
    assert "concept:" in text and CONCEPTS["outer-product"].hint.split()[0] in text
    assert "x.T @" not in text and "xᵀ @ δ1" not in text


def test_check_json_carries_the_concept_as_an_extra_field():
    out = runner.invoke(app, ["check", "default", "--wrt", "W1", "--json", "x.T @ (y - yhat) @ W2.T * h * (1 - h)"])
    data = json.loads(out.stdout)
    assert data["verdict"] == "scaled"
    assert [d.get("concept") for d in data["diagnostics"]] == ["gradient-sign"]


# -- naming what was missed in the learner's symbols ------------------------------------------------

def test_a_missing_one_over_n_is_the_mean_not_a_constant_factor():
    text = "dP = P - Y\nX.T @ dP"
    result = tutor.check(BATCH, "W", text, dims={"N": 5})
    assert result.verdict == "scaled" == oracle.verdict(BATCH, "W", text, {"N": 5})
    d = result.diagnostics[-1]
    assert d.concept == "mean-1-over-n" and "the 1/N is missing" in d.message and "constant factor 5" not in d.message
    assert dict(d.symbols)["N"] == "N"


def test_one_over_keep_prob_is_named_by_its_name():
    text = "dout = out - y\ndb = dout @ W.T\nda = db * M"
    result = tutor.check(DROPOUT, "a", text)
    assert result.verdict == "scaled" == oracle.verdict(DROPOUT, "a", text)
    messages = " ".join(d.message for d in result.diagnostics)
    assert "1/keep_prob" in messages and "1.42857 ×" not in messages and "a constant factor" not in messages
    assert {d.concept for d in result.diagnostics} == {"dropout-scale"}


def test_a_forgotten_relu_mask_is_explained_by_the_mask():
    net = "x: [N, D]\ny: [N, K]\nW1: [D, H]\nW2: [H, K]\nh = relu(x @ W1)\nout = h @ W2\nJ = sum((out - y) ** 2) / 2\n"
    text = "dout = out - y\ndh = dout @ W2.T\ndW1 = x.T @ dh"
    result = tutor.check(net, "W1", text)
    assert result.verdict == "wrong_value" == oracle.verdict(net, "W1", text)
    assert "mask" in {d.concept for d in result.diagnostics}
    assert "per-example" not in {d.concept for d in result.diagnostics}


def test_a_course_per_example_step_is_not_blamed_for_a_missing_sum():
    text = "dZ2 = A2 - Y\ndZ1 = W2.T @ dZ2 * (1 - A1 ** 2)\ndb1 = dZ1 / m"
    result = tutor.check(COURSE, "b1", text)
    assert result.verdict == "wrong_shape" == oracle.verdict(COURSE, "b1", text)
    assert "bias-sum" in {d.concept for d in result.diagnostics}
    assert not any("dZ2" in d.message and d.severity == "error" for d in result.diagnostics)


def test_a_right_per_example_step_before_a_broken_line_is_a_note_not_wrong():
    text = "dZ2 = A2 - Y\ndW2 = dZ2 @ A1 / m"
    result = tutor.check(COURSE, "W2", text)
    assert result.verdict == "shape_error"
    note = next(d for d in result.diagnostics if d.code == "N214")
    assert "m·∂J/∂Z2" in note.message and "1/m" in note.message and note.concept == "per-example"
    assert "(wrong values)" not in rendered(result)


# -- misleading notes -----------------------------------------------------------------------------

def test_no_bias_note_on_a_network_without_a_bias():
    text = "X.T @ (P - Y)"
    result = tutor.check(NO_BIAS, "W", text)
    assert result.verdict == oracle.verdict(NO_BIAS, "W", text)
    assert not any(d.concept == "bias-sum" or "bias" in d.note for d in result.diagnostics)


def test_no_one_example_note_on_least_squares_without_a_batch():
    for text in ("-2 * r.T @ X", "-2 * X.T @ r", "2 * X.T @ r"):
        result = tutor.check(LEAST_SQUARES, "w", text)
        assert result.verdict == oracle.verdict(LEAST_SQUARES, "w", text)
        for d in result.diagnostics:
            assert "one example" not in d.message + d.note and d.concept not in ("per-example", "bias-sum")


def test_the_factor_of_a_product_inside_a_definition_is_named_by_the_product():
    result = tutor.check(SOFTMAX_HU, "U", "(yhat - y) @ h")
    note = result.diagnostics[0].note
    assert "∂(h @ U)/∂U" in note and "∂yhat/∂U" not in note
    assert result.diagnostics[0].concept == "outer-product"


def test_a_jacobian_with_at_most_two_long_axes_is_not_called_a_tensor():
    net = "x: [1, n]\nw: [n, 1]\ny: [1, 1]\nz = x @ w\nJ = sum((z - y) ** 2) / 2\n"
    result = tutor.check(net, "w", "z - y")
    assert result.verdict == "wrong_shape"
    for d in result.diagnostics:
        assert "tensor, not a matrix" not in d.note and "not a matrix but" not in d.note


def test_a_bias_sum_is_found_whether_or_not_the_pre_activation_is_named():
    named = "x: [N, D]\ny: [N, K]\nW: [D, K]\nb: [K]\nz = x @ W + b\nh = sigmoid(z)\nJ = sum((h - y) ** 2) / 2\n"
    unnamed = "x: [N, D]\ny: [N, K]\nW: [D, K]\nb: [K]\nh = sigmoid(x @ W + b)\nJ = sum((h - y) ** 2) / 2\n"
    for net in (named, unnamed):
        result = tutor.check(net, "b", "(h - y) * h * (1 - h)")
        assert result.verdict == "wrong_shape"
        d = result.diagnostics[-1]
        assert d.concept == "bias-sum" and "summed over that axis" in d.note and d.help.prose == "sum(…, axis=0)"


def test_a_missing_last_line_asks_for_the_leaf_being_checked():
    result = tutor.check("default", "W2", "a = 1\nb = a")
    assert result.verdict == "unusable"
    expected = " ".join(d.expected for d in result.diagnostics)
    assert "dW2 = ..." in expected and "dW1" not in expected


def test_no_transpose_is_doubled_nor_written_after_a_whole_product():
    net = "h: [1, H]\ny: [1, K]\nU: [H, K]\nyhat = softmax(h @ U)\nJ = cross_entropy(y, yhat)\n"
    for text in ("U.T @ (yhat - y)", "(yhat - y) @ U.T @ h", "h @ (yhat - y)"):
        result = tutor.check(net, "U", text)
        every = " ".join(d.message + d.note + (d.help.prose if d.help else "") for d in result.diagnostics) + \
            (result.suggestion or "")
        assert ".T.T" not in every and "ᵀᵀ" not in every and ".Tᵀ" not in every
        assert not re.search(r" [@*] \S+ᵀ belongs", every)
    assert shape_error.transposed("U.T") == "U" and shape_error.transposed("U") == "U.T"
    assert shape_error.transposed("(a @ b)") == "(a @ b).T"


def test_a_transpose_of_a_stack_in_a_network_gets_the_swapaxes_note(tmp_path):
    source = "X: [B, T, E]\nW: [E, E]\nY = X @ W\nZ = Y.T\nJ = sum(Z ** 2)\n"
    net = parse_network(source)
    assert any("swapaxes" in note and "B×T×E" in note for note in net.notes)
    path = tmp_path / "stack.net"
    path.write_text(source, encoding="utf-8")
    out = runner.invoke(app, ["shapes", str(path)])
    assert out.exit_code == 0 and "swapaxes" in out.stdout
    assert not parse_network("X: [N, D]\nW: [D, K]\nZ = (X @ W).T\nJ = sum(Z ** 2)\n").notes


# -- the lessons' hints use the same entries -------------------------------------------------------

def test_a_lessons_default_hints_end_with_the_concept_the_question_turns_on():
    net = load("default")
    shape = QUESTIONS["ask-shape"]
    gradient = QUESTIONS["ask-gradient"]
    diagonal = shape.hints(LessonStep("q", "ask-shape", 1, of="h", wrt="z1"), net)
    tensor = shape.hints(LessonStep("q", "ask-shape", 1, of="z1", wrt="W1"), net)
    weight = gradient.hints(LessonStep("q", "ask-gradient", 1, wrt="W1"), net)
    assert CONCEPTS["diagonal-jacobian"].hint in diagonal[-1]
    assert CONCEPTS["tensor-factor"].hint in tensor[-1]
    assert CONCEPTS["outer-product"].hint in weight[-1]
    batch = parse_network(BATCH)
    assert CONCEPTS["bias-sum"].hint in gradient.hints(LessonStep("q", "ask-gradient", 1, wrt="b"), batch)[-1]
    # without the network (an author's hint list, a handout) the plain hint stays
    assert len(shape.hints(LessonStep("q", "ask-shape", 1, of="h", wrt="z1"))) == 1


@pytest.mark.parametrize("name", sorted(CONCEPTS))
def test_each_hint_gives_no_formula_of_the_default_network(name):
    formulas = [tutor.derive("default").gradients[leaf].formula for leaf in ("W1", "W2", "b1", "b2")]
    hint = concepts.concept_hint(name)
    assert not any(f in hint for f in formulas)
    assert DEFAULT_SYMBOLS  # the defaults fill every name


def test_a_chain_with_its_factors_out_of_order_is_the_chain_order_not_a_missing_factor():
    swapped = tutor.check("default", "W1", "∂J/∂z2 · ∂h/∂z1 · ∂z2/∂h · ∂z1/∂W1")
    missing = tutor.check("default", "W1", "∂J/∂z2 · ∂h/∂z1 · ∂z1/∂W1")
    assert [d.concept for d in swapped.diagnostics if d.code == "E216"] == ["chain-order"]
    assert [d.concept for d in missing.diagnostics if d.code == "E216"] == ["chain-complete"]


def test_a_transposed_term_added_to_a_right_one_is_the_layout_not_a_diagonal():
    net = ("x: [1, Dx]\ny: [1, Dy]\nW1: [Dx, H]\nW2: [H, Dy]\nh = sigmoid(x @ W1)\nyhat = softmax(h @ W2)\n"
           "J = cross_entropy(y, yhat) + sum(W2 * W2)\n")
    result = tutor.check(net, "W2", "dW2 = (yhat - y).T @ h\ndW2 += 2 * W2")
    assert result.verdict == "shape_error"
    assert [d.concept for d in result.diagnostics if d.severity == "error"] == ["layout"]


def test_a_weights_gradient_is_an_outer_product_and_a_datas_a_transpose():
    net = parse_network("inputs: [inputs_0, D]\nweights: [D, H]\nout = inputs @ weights\nJ = sum(out ** 2)\n")
    assert concepts.gradient_concept(net, "weights") == "outer-product"
    assert concepts.gradient_concept(net, "inputs") == "missing-transpose"
    batch = parse_network(BATCH)
    assert concepts.gradient_concept(batch, "W") == "outer-product"
    assert concepts.gradient_concept(batch, "X") == "missing-transpose"
    assert concepts.gradient_concept(batch, "b") == "bias-sum"
    tied = parse_network("x: [1, D]\nW: [D, H]\nh = sigmoid(x @ W)\nxhat = h @ W.T\nJ = sum((xhat - x) ** 2)\n")
    assert concepts.gradient_concept(tied, "W") == "tied-weights" and concepts.product_uses(tied, "W") == 2
    penalty = parse_network("x: [1, D]\nW: [D, H]\nJ = sum((x @ W) ** 2) + sum(W * W)\n")
    assert concepts.product_uses(penalty, "W") == 1


def test_graded_work_gets_the_concepts_hint_on_the_command_line_and_in_python():
    out = runner.invoke(app, ["check", "default", "--wrt", "W1", "--no-suggestion", "(yhat - y) @ W2.T * h * (1 - h) @ x"])
    assert "concept:" in out.stdout and "xᵀ @ δ1" not in out.stdout and "x.T @" not in out.stdout
    text = str(tutor.check("default", "W1", "(yhat - y) @ W2.T * h * (1 - h) @ x", suggestion=False))
    assert "concept:" in text and "xᵀ @ δ1" not in text


def test_an_elementwise_derivative_taken_as_a_matrix_names_the_diagonal():
    text = "dz2 = yhat - y\ndh = dz2 @ W2.T\ndz1 = dh @ (h * (1 - h)).T\ndW1 = x.T @ dz1"
    result = tutor.check("default", "W1", text)
    assert result.verdict == "wrong_shape" == oracle.verdict(load("default").source, "W1", text)
    assert result.diagnostics[0].code == "E214" and result.diagnostics[0].concept == "diagonal-jacobian"


def test_a_per_example_step_written_the_other_way_round_names_the_sign():
    text = "dZ2 = Y - A2\ndW2 = dZ2 @ A1.T / m"
    result = tutor.check(COURSE, "W2", text)
    assert result.verdict == "scaled" == oracle.verdict(COURSE, "W2", text)
    assert {d.concept for d in result.diagnostics} == {"gradient-sign"}


def test_the_softmax_derivative_applied_on_top_of_yhat_minus_y_is_named():
    text = "dz2 = (yhat - y) * yhat * (1 - yhat)\ndW2 = h.T @ dz2"
    result = tutor.check("default", "W2", text)
    assert result.verdict == "wrong_value" == oracle.verdict(load("default").source, "W2", text)
    assert {d.concept for d in result.diagnostics} == {"softmax-jacobian"}
    assert "already" in result.diagnostics[0].message
