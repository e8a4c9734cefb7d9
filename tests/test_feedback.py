"""Feedback that names the concept: what the learner has (δ1 = ∂J/∂z1 and the factor still missing), a
constant by its symbols (1/(N·Dy)), a swapped activation derivative with the right one, a quiz answer in
the wrong order, the column convention without rows, the contraction where the naive chain breaks, += in
the walk, and the verdict in words. Every named mistake is proven with NumPy: the learner's formula is
wrong, and the fix the tutor gives is right."""
from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from tutor.cli import app
from tutor.engine.language.dims import Dim, ONE
from tutor.engine.calculus.grad import backward
from tutor.engine.language.network import load, parse_network
from tutor.engine.language.printer import code_or_none
from tutor.front.diagnostics import check_view
from tutor.front.look import Look
from tutor.judge.check import check
from tutor import check as tutor_check
from tutor.teach.answers import parse_shape, shape_feedback
from tutor.teach.chain import factors

from oracle import judge as oracle_judge, verdict as oracle_verdict

NETS = Path(__file__).resolve().parent / "networks"
runner = CliRunner()
D1 = "(yhat - y) @ W2.T * h * (1 - h)"

MSE = """# regression with the mean over every element
X: [N, Dx]
T: [N, Dy]
W: [Dx, Dy]
P = X @ W
J = mean((P - T) ** 2)
"""
TWO_TANH = """# two tanh layers
X: [N, Dx]
Y: [N, Dy]
W1: [Dx, H]
W2: [H, H]
W3: [H, Dy]
A1 = tanh(X @ W1)
A2 = tanh(A1 @ W2)
P = A2 @ W3
J = sum((P - Y) ** 2) / 2
"""


def shown(result, width: int = 80) -> str:
    console = Console(file=StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(check_view(result, Look()), crop=False)
    return console.file.getvalue()


def first_error(result):
    return next(d for d in result.diagnostics if d.severity == "error")


# -- a chain that stopped early ----------------------------------------------------------------------

def test_the_seeds_own_mistake_is_named_delta1_and_the_missing_factor():
    r = check(load("default"), "W1", D1)
    assert r.verdict == "wrong_shape"
    e = first_error(r)
    assert e.code == "E210"
    assert "this is δ1 = ∂J/∂z1 (1×H)" in e.message and "stopped one factor early" in e.message
    assert "∂z1/∂W1 is a 1×H×Dx×H tensor" in e.note and "xᵀδ1" in e.note and "x[i] · δ1[j]" in e.note
    assert e.help.replacement == f"x.T @ ({D1})"
    assert check(load("default"), "W1", e.help.replacement).correct
    text = shown(r)
    assert "suggestion:" not in text              # the help is the fix; the whole answer is not printed twice


@pytest.mark.parametrize("net, wrt, text, node, textbook", [
    ("column", "W1", "W2.T @ (yhat - y) * h * (1 - h)", "δ1 = ∂J/∂z1 (H×1)", "δ1 xᵀ"),
    ("batch", "W1", "(Yhat - Y) @ W2.T * H1 * (1 - H1) / N", "Δ1 = ∂J/∂Z1 (N×H)", "XᵀΔ1"),
    ("vector", "W1", "(yhat - y) @ W2.T * h * (1 - h)", "δ1 = ∂J/∂z1 (H)", "outer(x, δ1)"),
    ("batch", "W2", "(Yhat - Y) / N", "∂J/∂Z2 (N×Dy)", "H1ᵀ"),
])
def test_a_gradient_one_factor_short_in_every_convention(net, wrt, text, node, textbook):
    r = check(load(net), wrt, text)
    e = first_error(r)
    assert e.code == "E210" and node in e.message and "one factor early" in e.message, e.message
    assert textbook in e.note
    assert check(load(net), wrt, e.help.replacement).correct


def test_two_factors_short_lists_both():
    e = first_error(check(load("default"), "W1", "(yhat - y) @ W2.T"))
    assert "this is ∂J/∂h (1×H)" in e.message and "two factors early" in e.message
    assert "∂h/∂z1 (1×H×1×H)" in e.note and "∂z1/∂W1 (1×H×Dx×H)" in e.note


NETWORKS = ["default", "batch", "column", "vector", "mlp", "cs231n"] + \
    [str(p) for p in sorted(NETS.glob("*.net")) if p.stem in ("residual", "gated", "logistic", "rnn", "l2")]


@pytest.mark.parametrize("spec", NETWORKS)
def test_any_nodes_gradient_given_for_a_leaf_is_named_as_that_node(spec):
    """For every leaf, the gradient of each node between it and the loss (a shape of its own) is named."""
    net = load(spec)
    grads = backward(net).wrt
    tried = 0
    for leaf in net.leaves:
        chain = factors(net, leaf)
        for f in chain:
            node = f.of
            if node == net.loss or node not in grads or net.shapes[node] == net.leaves[leaf]:
                continue
            text = code_or_none(grads[node])
            if not text or len(text) > 300:
                continue
            r = check(net, leaf, text)
            if r.verdict != "wrong_shape":
                continue
            e = first_error(r)
            tried += 1
            named = re.search(r"this is (?:\S+ = )?∂J/∂(\S+) \(", e.message)
            if named is None:  # a bias or an extra axis: said in its own words
                assert e.note, e.message
                continue
            assert named.group(1) in net.definitions, e.message
            if e.help is not None and e.help.replacement:
                assert check(net, leaf, e.help.replacement).correct, e.help.replacement
    assert tried


# -- constants by their symbols --------------------------------------------------------------------

def test_a_missing_mean_over_two_axes_is_named_by_its_symbols():
    net = parse_network(MSE)
    # N·Dy = 6 = Dx here: the symbols decide, not the numbers
    r = check(net, "W", "2 * X.T @ (P - T)", {"N": 2, "Dy": 3, "Dx": 6})
    assert r.verdict == "scaled" and r.factor == pytest.approx(6)
    e = first_error(r)
    assert re.search(r"1/\((N·Dy|Dy·N)\) is missing", e.message), e.message
    assert "Dx" not in e.message.split(":", 1)[1] and "160" not in e.message
    big = check(net, "W", "2 * X.T @ (P - T)", {"N": 16, "Dy": 10})
    assert re.search(r"(N·Dy|Dy·N)·∂J/∂W \((N·Dy|Dy·N) = 160 here\)", first_error(big).message)


def test_a_factor_that_is_two_only_by_coincidence_is_not_called_a_square():
    net = parse_network(MSE)
    r = check(net, "W", "X.T @ (P - T) / N", {"N": 5, "Dx": 3, "Dy": 4})   # Dy/2 = 2 here
    message = first_error(r).message
    assert r.factor == pytest.approx(2) and "Dy/2" in message and "1/Dy is missing" in message


def test_a_factor_two_where_nothing_is_squared_is_not_blamed_on_a_square():
    """Cross-entropy squares nothing: a doubled gradient there (or dropout's 1/p at p = ½) is a constant
    factor 2, not the derivative of a square."""
    r = check(load("default"), "W2", "2 * h.T @ (yhat - y)")
    message = first_error(r).message
    assert r.verdict == "scaled" and "a constant factor 2" in message and "square" not in message


@pytest.mark.parametrize("net, wrt, text, says", [
    ("batch", "W2", "H1.T @ (Yhat - Y)", ["N·∂J/∂W2", "the 1/N is missing"]),
    ("batch", "W2", "H1.T @ (Yhat - Y) / N / N", ["(1/N)·∂J/∂W2", "a 1/N too many"]),
    ("default", "W2", "h.T @ (y - yhat)", ["−1·∂J/∂W2", "the sign is flipped"]),
    ("batch", "W2", "-H1.T @ (Yhat - Y)", ["−N·∂J/∂W2", "the 1/N is missing", "the sign is flipped"]),
    ("mlp", "W3", "2 * A2.T @ (P - T) / N", ["2·∂J/∂W3", "a factor 2 from a square"]),
])
def test_scaled_answers_name_the_constant(net, wrt, text, says):
    r = check(load(net), wrt, text)
    assert r.verdict == "scaled"
    message = first_error(r).message
    for part in says:
        assert part in message, message


def test_a_per_example_step_is_named_by_its_symbol():
    r = check(load(str(NETS / "column_batch.net")), "W2", "dZ2 = P - Y; dW2 = (1 / N) * dZ2 @ A1.T")
    assert r.correct
    note = next(d for d in r.diagnostics if d.code == "N214")
    assert "N·∂J/∂Z2, the per-example gradient" in note.message and "the 1/N comes back" in note.message


def test_a_per_example_step_whose_1_over_m_comes_back_under_the_learners_name_for_m_is_not_the_mistake():
    """deeplearning.ai's dZ2 = P - Y is m·∂J/∂Z2 with m = X.shape[1] the learner's name for N: the wrong
    answer's mistake is the sigmoid's derivative in dZ1, said at dZ1's line; dZ2 gets the course's note."""
    derivation = ("m = X.shape[1]\ndZ2 = P - Y\ndZ1 = W2.T @ dZ2 * A1 * (1 - A1)\n"
                  "dW1 = (1 / m) * dZ1 @ X.T")
    r = check(load(str(NETS / "column_batch.net")), "W1", derivation)
    assert r.verdict == "wrong_value"
    first = next(d for d in r.diagnostics if d.severity == "error")
    assert first.span.line == 3 and "dZ1" in first.message
    note = next(d for d in r.diagnostics if d.code == "N214")
    assert note.span.line == 2 and "the 1/N comes back in line 4" in note.message


# -- activation derivatives ------------------------------------------------------------------------

SWAPS = [
    ("default", "W1", "x.T @ ((yhat - y) @ W2.T * (1 - h ** 2))", "tanh's derivative", "h * (1 - h)"),
    ("default", "W1", "x.T @ ((yhat - y) @ W2.T * z1 * (1 - z1))", "at its input", "h * (1 - h)"),
    ("default", "W1", "x.T @ ((yhat - y) @ W2.T)", "the sigmoid's derivative is missing", "h * (1 - h)"),
    ("mlp", "W1", "X.T @ (((P - T) @ W3.T * (A2 > 0)) @ W2.T * A1 * (1 - A1)) / N",
     "the sigmoid's derivative", "(1 - A1 ** 2)"),
    ("mlp", "W1", "X.T @ (((P - T) @ W3.T * (A2 > 0)) @ W2.T * (1 - A1)) / N", "the square is missing",
     "(1 - A1 ** 2)"),
    ("mlp", "W1", "X.T @ ((P - T) @ W3.T @ W2.T * (1 - A1 ** 2)) / N", "the ReLU's mask is missing", "(A2 > 0)"),
    ("mlp", "W2", "A1.T @ ((P - T) @ W3.T * A2) / N", "instead of by its mask", "(A2 > 0)"),
    ("cs231n", "W", "X.T @ ((probs - onehot(y, K)) / N @ W2.T) + reg * W", "the ReLU's mask is missing",
     "(hidden_layer > 0)"),
]


@pytest.mark.parametrize("net, wrt, text, named, right", SWAPS)
def test_a_swapped_or_missing_activation_derivative_is_named_with_the_right_one(net, wrt, text, named, right):
    r = check(load(net), wrt, text)
    assert r.verdict == "wrong_value"
    e = first_error(r)
    assert e.code == "E213" and named in e.message, e.message
    assert f"`{right}`" in e.help.prose, e.help.prose
    assert "′" in e.note                                  # the right derivative, in words
    out = shown(r)
    assert "suggestion:" not in out and r.suggestion not in out   # no whole answer beside the named mistake
    assert check(load(net), wrt, r.suggestion).correct           # the JSON still carries a right derivation
    data = json.loads(runner.invoke(app, ["check", net, "--wrt", wrt, "--json", "--", text]).stdout)
    assert data["verdict"] == "wrong_value" and data["suggestion"] == r.suggestion


def test_a_mistake_in_one_of_two_tanh_layers_names_that_layer():
    net = parse_network(TWO_TANH)
    right = check(net, "W1", "X.T @ (((P - Y) @ W3.T * (1 - A2 ** 2)) @ W2.T * (1 - A1 ** 2))")
    assert right.correct
    r = check(net, "W1", "X.T @ (((P - Y) @ W3.T * (1 - A2 ** 2)) @ W2.T * A1 * (1 - A1))")
    e = first_error(r)
    assert "the sigmoid's derivative" in e.message and "tanh layer A1" in e.message and "A2" not in e.message


def test_a_swapped_derivative_in_a_step_leads_and_the_answer_points_to_it():
    r = check(load("default"), "W1", "dz2 = yhat - y\ndh = dz2 @ W2.T\ndz1 = dh * (1 - h ** 2)\ndW1 = x.T @ dz1")
    step, answer = [d for d in r.diagnostics if d.severity == "error"]
    assert step.code == "E214" and "tanh's derivative" in step.message and step.help.prose == "dz1 = dh * h * (1 - h)"
    assert "built on dz1 (line 3)" in answer.message and answer.help is None


# -- quiz answers -----------------------------------------------------------------------------------

H, Dy, Dx = Dim.symbol("H"), Dim.symbol("Dy"), Dim.symbol("Dx")
B = {"H": 3, "Dy": 10, "Dx": 5}


def answer(text, expected, of, wrt, of_shape, wrt_shape):
    return shape_feedback(parse_shape(text, set(B)), expected, B, of, wrt, of_shape, wrt_shape)


@pytest.mark.parametrize("text", ["H x Dy", "3 x 10", "1 x H x 1 x Dy"])
def test_axes_in_the_wrong_order_are_told_output_axes_first(text):
    f = answer(text, (ONE, Dy, ONE, H), "z2", "h", (ONE, Dy), (ONE, H))
    assert not f.ok and "the axes are in the wrong order: output axes first" in f.message, f.message


@pytest.mark.parametrize("text, of, wrt, of_shape, wrt_shape", [
    ("10x1", "J", "z2", (), (ONE, Dy)), ("Dy x 1", "z2", "", (ONE, Dy), ())])
def test_a_column_for_a_row_gets_a_sentence(text, of, wrt, of_shape, wrt_shape):
    f = answer(text, (ONE, Dy), of, wrt, of_shape, wrt_shape)
    assert not f.ok and "that is a column, Dy×1" in f.message and "a row, 1×Dy = 1×10" in f.message
    assert "dimension 1 is" not in f.message and "1 = 1" not in f.message


def test_a_wrong_dimension_names_its_axis_without_1_equals_1():
    f = answer("3 x Dy", (ONE, Dy), "z2", "", (ONE, Dy), ())
    assert f.message == "✗ the first dimension is 1, not 3: z2 is 1×Dy = 1×10"


# -- the column convention, the layouts, the walk ---------------------------------------------------

def test_the_column_convention_shows_no_rows():
    net = load("column")
    for leaf in ("W1", "b1", "W2", "x"):
        for f in factors(net, leaf):
            assert f.naive is None or f.naive == net.shapes[f.wrt]
            assert f.naive is None or f.naive[-1] == ONE          # a column, never 1×n
        for command in (["walk", "column", "--wrt", leaf, "--no-input"], ["derive", "column", "--wrt", leaf]):
            out = runner.invoke(app, command).stdout
            out = re.sub(r"\)\(1×\w+\)|\.T \(1×\w+\)", "", out)   # a transposed column (hᵀ) is a row, rightly
            rows = set(re.findall(r"(?<![×\w])1×(?:H|Dy)(?![×\w])", out))
            assert not rows, (command, rows)


def test_the_break_note_uses_the_tables_layout():
    wide = {"COLUMNS": "200"}
    out = runner.invoke(app, ["derive", "column", "--wrt", "W1", "--layout", "denominator"], env=wide).stdout
    assert "│ H×Dx×H×1 =" in out and "is a H×Dx×H×1 = 5×3×5×1 tensor (4-D, W1's axes first)" in out
    out = runner.invoke(app, ["derive", "column", "--wrt", "W1"], env=wide).stdout
    assert "│ H×1×H×Dx =" in out and "is a H×1×H×Dx = 5×1×5×3 tensor (4-D)" in out
    assert "dz1 (H×1) meets ∂z1/∂W1" in out


def test_a_node_used_twice_adds_up_in_the_walk():
    out = runner.invoke(app, ["walk", str(NETS / "residual.net"), "--wrt", "x", "--no-input"]).stdout
    assert "dh += " in out and "dr += " in out and "the paths add up" in out
    assert "dx += " in out


# -- the verdict in words ---------------------------------------------------------------------------

VERDICTS = [("default", "W1", f"x.T @ ({D1})"), ("default", "W1", f"{D1} @ x"), ("default", "W1", D1),
            ("default", "W1", f"({D1}).T @ x"), ("batch", "W1", "X.T @ ((Yhat - Y) @ W2.T * H1 * (1 - H1))"),
            ("default", "W1", "x.T @ ((yhat - y) @ W2.T)")]


@pytest.mark.parametrize("net, wrt, text", VERDICTS)
def test_the_verdict_is_in_words_and_the_head_line_is_whole(net, wrt, text):
    r = check(load(net), wrt, text)
    expected = f"{wrt}'s shape, {'Dx×H = 5×3' if net == 'default' else 'Dx×H = 3×4'}"
    for width in (80, 60, 40):
        text = shown(r, width)
        assert not re.search(r"\[(correct|shape_error|wrong_shape|transposed|scaled|wrong_value)\b", text)
        lines = text.splitlines()
        assert lines[0].startswith(("✓ ∂J/∂", "✗ ∂J/∂"))
        if width == 80:
            assert len(lines[0]) <= width and lines[1] == f"  ∂J/∂{wrt} has {expected}"
        assert any(line.endswith(expected) for line in lines[:4])   # the shape is never cut in two


def test_explain_e210_uses_the_seeds_example():
    out = runner.invoke(app, ["explain", "E210"]).stdout
    assert "(yhat - y) @ W2.T * h * (1 - h)" in out and "x.T @ ((yhat - y) @ W2.T * h * (1 - h))" in out
    assert "δ1 = ∂J/∂z1" in out and "1×H×Dx×H" in out


SWAP_FIXES = [  # (the learner's formula, the part the tutor names, what it says to write instead)
    (0, "(1 - h ** 2)", "h * (1 - h)"), (1, "z1 * (1 - z1)", "h * (1 - h)"),
    (3, "A1 * (1 - A1)", "(1 - A1 ** 2)"), (4, "(1 - A1)", "(1 - A1 ** 2)")]


def test_named_mistakes_are_wrong_by_numpy_and_the_fixes_right():
    """Every formula above that the tutor calls wrong is wrong by an independent NumPy oracle; each fix it
    names, made in the learner's own text, is right by the oracle."""
    for net, wrt, text, _, _ in SWAPS:
        assert oracle_verdict(load(net).source, wrt, text) == "wrong_value", text
    for i, wrong, right in SWAP_FIXES:
        net, wrt, text, _, _ = SWAPS[i]
        e = first_error(check(load(net), wrt, text))
        assert f"`{wrong}`" in e.help.prose and f"`{right}`" in e.help.prose
        assert oracle_verdict(load(net).source, wrt, text.replace(wrong, right)) == "correct", text
    for net, wrt, text in [("default", "W1", D1), ("column", "W1", "W2.T @ (yhat - y) * h * (1 - h)"),
                           ("batch", "W1", "(Yhat - Y) @ W2.T * H1 * (1 - H1) / N")]:
        fix = first_error(check(load(net), wrt, text)).help.replacement
        assert oracle_verdict(load(net).source, wrt, fix) == "correct", fix
    judged = oracle_judge(MSE, "W", "2 * X.T @ (P - T)", {"N": 2, "Dy": 3, "Dx": 6})
    assert judged.verdict == "scaled" and judged.factor == pytest.approx(6)


# -- a gradient changed in place on its way down (N215) ----------------------------------------------------

CS231N = """X: [N, D]
y: int[N] < C
W1: [D, H]
b1: [H]
W2: [H, C]
b2: [C]
hidden = np.maximum(0, X.dot(W1) + b1)
scores = hidden.dot(W2) + b2
probs = softmax(scores, axis=1)
loss = -np.sum(np.log(probs[np.arange(N), y])) / N
"""
CS231N_BACKWARD = """dscores = probs.copy()
dscores[range(N), y] -= 1
dscores /= N
dhidden = np.dot(dscores, W2.T)
dhidden[hidden {mask} 0] = 0
dW1 = np.dot(X.T, dhidden)
"""


def test_a_relu_mask_applied_in_place_is_right_and_named():
    derivation = CS231N_BACKWARD.format(mask="<=")
    net = parse_network(CS231N)
    assert oracle_verdict(CS231N, "W1", derivation) == "correct"
    result = check(net, "W1", derivation)
    assert result.verdict == "correct"
    step = next(s for s in result.steps if s.name == "dhidden")
    assert step.value_ok and step.line == 4           # judged where it held ∂J/∂hidden
    note = next(d for d in result.diagnostics if d.code == "N215")
    assert note.span.line == 5 and "∂J/∂(X @ W1 + b1)" in note.message and "maximum" in note.message
    assert not [d for d in result.diagnostics if d.severity == "error"]


def test_a_wrong_mask_in_place_is_still_the_first_wrong_step():
    derivation = CS231N_BACKWARD.format(mask=">")
    assert oracle_verdict(CS231N, "W1", derivation) == "wrong_value"
    result = check(parse_network(CS231N), "W1", derivation)
    assert result.verdict == "wrong_value"
    first = result.diagnostics[0]
    assert first.code == "E214" and first.span.line == 5
    assert not [d for d in result.diagnostics if d.code == "N215"]


def test_an_activation_derivative_multiplied_in_place_names_the_node_it_reaches():
    result = check(load("default"), "W1", "dz2 = yhat - y\ndh = dz2 @ W2.T\ndh *= h * (1 - h)\ndW1 = x.T @ dh\n")
    assert result.verdict == "correct"
    note = next(d for d in result.diagnostics if d.code == "N215")
    assert note.span.line == 3 and "now holds ∂J/∂z1" in note.message and "sigmoid" in note.message
    assert all(s.value_ok for s in result.steps)


# -- a packing line outside the language (N216), flattened gradients ---------------------------------------

CS224N = """data: [M, Dx]
labels: onehot[M, Dy]
W1: [Dx, H]
b1: [1, H]
W2: [H, Dy]
b2: [1, Dy]
h = sigmoid(np.dot(data, W1) + b1)
yhat = softmax(np.dot(h, W2) + b2)
cost = -np.sum(labels * np.log(yhat))
"""
CS224N_BACKWARD = """d3 = yhat - labels
gradW2 = np.dot(h.T, d3)
dh = np.dot(d3, W2.T)
dz = dh * sigmoid_grad(h)
gradW1 = np.dot(data.T, dz)
grad = np.concatenate([g.flatten() for g in (gradW1, gradW2)])
"""
# (np.concatenate of the flattened gradients is in the language since issue 21; the comprehension is not)


@pytest.mark.parametrize("wrt", ["W1", "W2"])
def test_a_line_that_packs_the_gradients_is_set_aside_with_a_note(wrt):
    result = check(parse_network(CS224N), wrt, CS224N_BACKWARD)
    assert oracle_verdict(CS224N, wrt, CS224N_BACKWARD.rsplit("grad =", 1)[0]) == "correct"
    assert result.verdict == "correct"
    note = next(d for d in result.diagnostics if d.code == "N216")
    assert note.span.line == 6 and "concatenate" in note.message


def test_a_packing_line_before_the_claim_or_read_later_is_still_unusable():
    net = parse_network(CS224N)
    early = "grad = np.concatenate([g.ravel() for g in (W1, W2)])\n" + CS224N_BACKWARD
    assert check(net, "W1", early).verdict == "unusable"
    later = CS224N_BACKWARD + "gradW1 = grad\n"
    assert check(net, "W1", later).verdict == "unusable"


def test_a_flattened_gradient_has_the_right_numbers_in_the_wrong_arrangement():
    text = "np.dot(data.T, np.dot(yhat - labels, W2.T) * h * (1 - h)).ravel()"
    result = check(parse_network(CS224N), "W1", text)
    assert result.verdict == "wrong_shape" == oracle_verdict(CS224N, "W1", text)
    first = result.diagnostics[0]
    assert first.code == "E210" and "the numbers are right" in first.note and "reshape(W1.shape)" in first.help.prose


@pytest.mark.parametrize("text", ["H x Dx x H", "3 x 5 x 3"])
def test_a_jacobian_written_without_its_axes_of_length_1_is_right_and_said_so(text):
    f = answer(text, (ONE, H, Dx, H), "z1", "W1", (ONE, H), (Dx, H))
    assert f.ok and "axes of length 1 dropped" in f.message and "1×H×Dx×H" in f.message, f.message


@pytest.mark.parametrize("text", ["1 x H", "1 x 3"])
def test_the_vector_of_an_elementwise_step_is_linked_to_its_diagonal_jacobian(text):
    """The seed learner's ∂h/∂z1 = h ∘ (1 − h) is 1×H: the reply names the diagonal and why a product
    with it is ∘, and leaves the Jacobian's shape for the learner to work out."""
    f = shape_feedback(parse_shape(text, set(B)), (ONE, H, ONE, H), B, "h", "z1", (ONE, H), (ONE, H), diagonal=True)
    assert not f.ok and "diag" in f.message and "elementwise product ∘" in f.message
    assert "1×H×1×H" not in f.message, "a hint, not the answer"


def test_only_an_elementwise_step_is_called_diagonal():
    from tutor.teach.answers import diagonal_step
    net = load("default")
    assert diagonal_step(net, "h", "z1")                       # sigmoid: one entry each
    assert not diagonal_step(net, "yhat", "z2")                # softmax: every entry of z2 reaches each one
    assert not diagonal_step(net, "z1", "W1") and not diagonal_step(net, "z2", "h")
    masked = parse_network("x: [N, H]\nm: binary[N, H]\na = x * m\nJ = sum(a ** 2)\n")
    assert diagonal_step(masked, "a", "x")
    # the same shapes through a matrix product are not diagonal
    mixed = parse_network("x: [N, N]\nW: [N, N]\na = x @ W\nJ = sum(a ** 2)\n")
    assert not diagonal_step(mixed, "a", "x")
    # without the flag the old reply stands: a softmax's 1×Dy is not diagonal
    f = answer("1 x Dy", (ONE, Dy, ONE, Dy), "yhat", "z2", (ONE, Dy), (ONE, Dy))
    assert not f.ok and "diag" not in f.message


@pytest.mark.parametrize("net, wrt, text", [
    ("default", "W1", "(yhat - y) @ W2.T * h * (1 - h) @ x"),     # the seed's chain: x belongs on the left
    ("default", "x", "W1 @ ((yhat - y) @ W2.T * h * (1 - h))"),
    ("default", "W2", "h.T @ (y - yhat)"),                           # a flipped sign
])
def test_no_suggestion_keeps_every_formula_of_the_answer_back(net, wrt, text):
    """--no-suggestion (graded work) says what concept was missed, never the formula that fixes it."""
    full = tutor_check(net, wrt, text)
    withheld = json.dumps(tutor_check(net, wrt, text, suggestion=False).to_json(), ensure_ascii=False)
    assert full.suggestion and full.suggestion not in withheld
    for piece in ("x.T @ dz1", "dz1 @ W1.T", "ŷ − y", "h.T @ (yhat"):
        assert piece not in withheld, piece


@pytest.mark.parametrize("answer,help_says,not_says", [
    ("np.mean(p - t)", "keep the axes", "leave out"),                              # a scalar for b: [1]
    ("np.mean(p - t, keepdims=True).reshape(())", "leave out the reshape", "keep the axes"),
])
def test_the_help_for_right_numbers_in_the_wrong_shape_names_what_the_learner_wrote(answer, help_says, not_says):
    net = parse_network("x: [N, D]\nt: [N, 1]\nw: [D, 1]\nb: [1]\np = sigmoid(x @ w + b)\n"
                        "J = -mean(t * log(p) + (1 - t) * log(1 - p))\n")
    r = check(net, "b", answer)
    assert r.verdict == "wrong_shape"
    d = next(d for d in r.diagnostics if d.code == "E210")
    assert help_says in d.help.prose and not_says not in d.help.prose and "reshape(b.shape)" in d.help.prose


BUNDLED_CS231N_BACKWARD = ("dscores = probs - onehot(y, K)\ndscores /= N\ndhidden = dscores @ W2.T\n"
                   "dhidden[hidden_layer <= 0] = 0\n")


@pytest.mark.parametrize("answer,what,concept", [
    ("X.T @ dhidden", "the gradient through W's use in reg_loss is missing", "tied-weights"),
    ("X.T @ dhidden + 2 * reg * W", "the term through W's use in reg_loss is twice what it should be",
     "square-factor"),
    ("X.T @ dhidden - reg * W", "the term through W's use in reg_loss has the wrong sign", "tied-weights"),
    ("X.T @ dhidden + 3 * reg * W", "the term through W's use in reg_loss is 3 times what it should be",
     "tied-weights"),
    ("2 * X.T @ dhidden + reg * W", "the term through W's use in hidden_layer is twice what it should be",
     "tied-weights"),
])
def test_a_parameter_used_twice_is_told_which_use_its_answer_gets_wrong(answer, what, concept):
    """CS231n's W is read by the layer and by the penalty ½·reg·ΣW²: the answer's mistake is named by the
    use it concerns, with that use's gradient as the fix (the oracle agrees the answer is wrong)."""
    net = load("cs231n")
    r = check(net, "W", BUNDLED_CS231N_BACKWARD + f"dW = {answer}")
    assert r.verdict == "wrong_value" and oracle_verdict(net.source, "W", BUNDLED_CS231N_BACKWARD + f"dW = {answer}") \
        == "wrong_value"
    d = next(d for d in r.diagnostics if d.code == "E213")
    assert what in d.message and d.concept == concept
    use = "reg_loss" if "reg_loss" in what else "hidden_layer"
    assert d.help is not None and d.help.prose.startswith(("add ", f"write the term through {use} as "))


def test_a_tied_weight_missing_one_path_is_named_and_a_mask_mistake_is_not_taken_for_a_use():
    net = parse_network("x: [1, D]\nW: [D, H]\nh = tanh(x @ W)\nxr = h @ W.T\nJ = 0.5 * sum((xr - x) ** 2)\n")
    decoder_only = "dxr = xr - x\ndW = (dxr.T @ h)"
    r = check(net, "W", decoder_only)
    assert r.verdict == "wrong_value"
    assert "the gradient through W's use in h is missing" in next(d for d in r.diagnostics if d.code == "E213").message
    mask = BUNDLED_CS231N_BACKWARD.replace("dhidden[hidden_layer <= 0] = 0\n", "") + "dW = X.T @ dhidden + reg * W"
    r = check(load("cs231n"), "W", mask)
    assert "use in" not in next(d for d in r.diagnostics if d.code == "E213").message
