"""Issue 13's acceptance suite: rank-3/4 networks through the commands, proven by finite differences.

For every network of tests/catalogue/tensor_networks.py and tests/catalogue/more_tensor_networks.py:

* `shapes --json` gives every node the catalogue's shape (products as written: "h*d");
* `derive --json` gives a gradient for every float leaf (none for an int leaf); each `formula` is
  evaluated here as the NumPy text it is, on values computed here without the tool, and equals
  central finite differences of the loss computed here too (the catalogue test's own evaluator);
* every chain factor's shape is shape(of) + shape(wrt), and the numeric check passed;
* each formula, typed back to `check` as a learner's answer, is judged correct;
* `walk --no-input` shows the `big_factor` of six or more axes.
"""
from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from typer.testing import CliRunner

import test_tensor_catalogue as independent
from catalogue import more_tensor_networks as more
from tutor.cli import app
from tutor.engine.language.network import parse_network
from tutor.judge.check import check
from tutor.teach.derivation import derive

runner = CliRunner()
ALL = tuple(independent.NETWORKS) + tuple(more.NETWORKS)
BY_ID = {entry.id: entry for entry in ALL}
ids = [entry.id for entry in ALL]
assert len(set(ids)) == len(ids)
#: The language's functions as NumPy has them, for evaluating the formulas shapetutor prints.
FORMULA_FUNCTIONS = {
    **independent.FUNCTIONS,
    "gelu": lambda u: 0.5 * u * (1 + np.tanh(0.7978845608028654 * (u + 0.044715 * u ** 3))),
    "erf": np.vectorize(math.erf, otypes=[float]), "eye": np.eye,
}


def dims_arg(entry) -> str:
    return ",".join(f"{k}={v}" for k, v in entry.dims.items())


def write(entry, tmp_path) -> str:
    path = tmp_path / f"{entry.id}.net"
    path.write_text(entry.network)
    return str(path)


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def independent_evaluator(entry):
    """(network text read by the test, its values at the catalogue's dims, finite differences)."""
    if entry.id in independent.CATALOGUE.BY_ID:
        return independent.sampled(entry.id)
    return sampled_more(entry.id)


_more_cache: dict = {}


def sampled_more(entry_id: str):
    """The same, for the networks of more_tensor_networks: the catalogue test's reading and drawing,
    one-hot rows for labels, and central differences evaluated with this file's functions (gelu, erf)."""
    if entry_id not in _more_cache:
        entry = more.BY_ID[entry_id]
        net = independent.Net(entry.network)
        rng = np.random.default_rng(0)
        values = independent.draw(net, entry, entry.dims, rng)
        for name in labels(entry):
            shape = np.shape(values[name])
            values[name] = np.eye(shape[-1])[rng.integers(0, shape[-1], size=shape[:-1])]
        diffs = {name: [differences(net, values, entry.dims, name, h) for h in independent.STEPS]
                 for name in net.float_leaves()}
        _more_cache[entry_id] = (net, values, diffs)
    return _more_cache[entry_id]


def labels(entry) -> list[str]:
    """Leaves read as the label of a cross-entropy: one-hot rows (the networks say so in their comments)."""
    return re.findall(r"cross_entropy\((\w+),", entry.network)


def run(net, values: dict, dims: dict) -> dict:
    scope = {"__builtins__": {}, **FORMULA_FUNCTIONS, "np": independent.NP, **dims, **values}
    out = dict(values)
    with np.errstate(all="raise", under="ignore"):
        for name, compiled in net.code.items():
            scope[name] = out[name] = eval(compiled, scope)  # noqa: S307 - the test's own networks
    return out


def differences(net, values: dict, dims: dict, name: str, step: float) -> np.ndarray:
    base = np.array(values[name], dtype=np.float64)
    out = np.zeros(base.shape)
    for idx in np.ndindex(*base.shape):
        up, down = base.copy(), base.copy()
        up[idx] += step
        down[idx] -= step
        f_up = float(run(net, {**values, name: up}, dims)[net.loss])
        f_down = float(run(net, {**values, name: down}, dims)[net.loss])
        out[idx] = (f_up - f_down) / (up[idx] - down[idx])
    return out, None, None


def formula_value(text: str, scope: dict):
    """The printed formula, evaluated as the NumPy code it claims to be (test code; the tool never evaluates)."""
    with np.errstate(all="raise", under="ignore"):
        return eval(text, {"__builtins__": {}}, scope)  # noqa: S307 - shapetutor's own output, in a test


@pytest.mark.parametrize("entry", ALL, ids=ids)
def test_shapes_json_matches_the_catalogue(entry, tmp_path):
    data = json.loads(invoke("shapes", write(entry, tmp_path), "--json", "--dims", dims_arg(entry)).stdout)
    assert data["dims"] == entry.dims
    assert {name: node["shape"] for name, node in data["nodes"].items()} == entry.shapes


@pytest.mark.parametrize("entry", ALL, ids=ids)
def test_every_gradient_equals_finite_differences(entry, tmp_path):
    data = json.loads(invoke("derive", write(entry, tmp_path), "--json", "--dims", dims_arg(entry)).stdout)
    net, values, diffs = independent_evaluator(entry)
    assert set(data["gradients"]) == set(net.float_leaves()), "a gradient for every float leaf, none for int leaves"
    forward = run(net, values, entry.dims)
    scope = {**FORMULA_FUNCTIONS, "np": independent.NP, "numpy": independent.NP, **entry.dims, **forward}
    for leaf, gradient in data["gradients"].items():
        assert gradient["shape"] == entry.shapes[leaf]
        assert gradient["formula"], f"∂J/∂{leaf} has no formula"
        got = np.broadcast_to(formula_value(gradient["formula"], scope), np.shape(values[leaf]))
        fine = diffs[leaf][1][0]
        scale = max(1.0, float(np.max(np.abs(fine))))
        np.testing.assert_allclose(got, fine, rtol=0, atol=1e-6 * scale,
                                   err_msg=f"∂J/∂{leaf} = {gradient['formula']}")


@pytest.mark.parametrize("entry", ALL, ids=ids)
def test_chain_factors_have_the_shape_of_of_then_wrt(entry, tmp_path):
    data = json.loads(invoke("derive", write(entry, tmp_path), "--json", "--dims", dims_arg(entry)).stdout)
    nodes = {name: node["shape"] for name, node in data["nodes"].items()}
    for leaf, gradient in data["gradients"].items():
        assert gradient["chain"], leaf
        for factor in gradient["chain"]:
            assert factor["shape"] == nodes[factor["of"]] + nodes[factor["wrt"]], (leaf, factor)
        assert gradient["chain"][-1]["wrt"] == leaf or any(f["wrt"] == leaf for f in gradient["chain"])


@pytest.mark.parametrize("entry", ALL, ids=ids)
def test_each_formula_typed_back_is_judged_correct(entry):
    network = parse_network(entry.network, entry.id)
    derivation = derive(network, entry.dims, check=False)
    for leaf, gradient in derivation.gradients.items():
        result = check(network, leaf, gradient.formula_code, entry.dims)
        assert result.verdict == "correct", (leaf, gradient.formula_code, result.verdict)


BIG = [entry for entry in ALL if entry.big_factor]


@pytest.mark.parametrize("entry", BIG, ids=[entry.id for entry in BIG])
def test_walk_shows_the_big_factor(entry, tmp_path):
    path = write(entry, tmp_path)
    of, wrt = entry.big_factor
    data = json.loads(invoke("derive", path, "--json", "--dims", dims_arg(entry), "--no-verify").stdout)
    leaf = next(name for name, g in data["gradients"].items()
                if any(f["of"] == of and f["wrt"] == wrt for f in g["chain"]))
    out = invoke("walk", path, "--no-input", "--wrt", leaf, "--dims", dims_arg(entry)).stdout
    found = re.search(rf"Jacobian ∂{re.escape(of)}/∂{re.escape(wrt)}: (\S+) = (\S+)", out)
    assert found, f"the walk to {leaf} does not show ∂{of}/∂{wrt}"
    symbolic, numbers = found.groups()
    axes = len(entry.shapes[of]) + len(entry.shapes[wrt])
    assert axes >= 6 and len(symbolic.split("×")) == axes and len(numbers.split("×")) == axes


def test_the_attention_walk_explains_the_weight_factor():
    """The issue's example: ∂Q/∂Wq of batched attention is B×T×h×d×E×h*d, the tensor factors are
    block-diagonal over the batch and head axes, the naive chain breaks, and the contraction has
    its einsum and its matrix form X.reshape(B*T, E).T @ dQ.reshape(B*T, h*d)."""
    out = invoke("walk", "attention", "--no-input", "--wrt", "Wq", "--dims", "B=2,T=3,E=4,h=2,d=5").stdout
    flat = " ".join(out.split())
    assert "Jacobian ∂Q/∂Wq: B×T×h×d×E×h*d = 2×3×2×5×4×10" in flat
    assert "block-diagonal over B, h, T" in flat
    assert "A chain of matrices stops at factor" in flat
    assert "np.einsum('bte,bti->ei', X, dQ.reshape(B, T, h * d))" in flat
    assert "X.reshape(B * T, E).T @ dQ.reshape(B * T, h * d)" in flat
    assert "(E×B*T)(B*T×h*d) = E×h*d" in flat


# -- the rules one at a time ---------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tutor.engine.language.dims import Dim  # noqa: E402
from tutor.engine.errors import ShapeError, TutorError  # noqa: E402
from tutor.engine.calculus.grad import backward  # noqa: E402
from tutor.engine.numbers.numeric import Evaluator, forward  # noqa: E402
from tutor.engine.language.printer import code  # noqa: E402

SYMBOLS = ("A", "Bd", "C", "D", "F")
SIZES = {"A": 2, "Bd": 3, "C": 5, "D": 7, "F": 11}


def declare(shapes: dict) -> str:
    return "".join(f"{name}: [{', '.join(shape)}]\n" for name, shape in shapes.items())


def numeric(shape) -> tuple:
    return tuple(math.prod(int(f) if f.isdigit() else SIZES[f] for f in d.split("*")) for d in shape)


stacks = st.lists(st.sampled_from(SYMBOLS + ("1",)), min_size=0, max_size=2)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SYMBOLS), st.sampled_from(SYMBOLS), st.sampled_from(SYMBOLS), stacks, stacks,
       st.booleans(), st.booleans())
def test_matmul_shapes_follow_numpy_at_every_rank(n, k, m, stack_a, stack_b, vector_a, vector_b):
    """Whatever the ranks, the symbolic shape of A @ B is NumPy's shape at distinct sizes, or both refuse."""
    a = (k,) if vector_a else tuple(stack_a) + (n, k)
    b = (k,) if vector_b else tuple(stack_b) + (k, m)
    source = declare({"P": a, "R": b}) + "Z = P @ R\nJ = sum(Z)\n"
    try:
        want = np.matmul(np.ones(numeric(a)), np.ones(numeric(b))).shape
    except ValueError:
        with pytest.raises(ShapeError):
            parse_network(source)
        return
    net = parse_network(source)
    assert tuple(d.value(SIZES) for d in net.shapes["Z"]) == want
    grads = backward(net).wrt
    assert grads["P"].shape == net.leaves["P"] and grads["R"].shape == net.leaves["R"]


@pytest.mark.parametrize("expr, want", [
    ("transpose(X, (0, 2, 1, 3))", ("A", "C", "Bd", "D")),
    ("X.transpose(3, 2, 1, 0)", ("D", "C", "Bd", "A")),
    ("X.T", ("D", "C", "Bd", "A")),
    ("swapaxes(X, -1, -2)", ("A", "Bd", "D", "C")),
    ("X.swapaxes(0, 2)", ("C", "Bd", "A", "D")),
    ("moveaxis(X, 1, -1)", ("A", "C", "D", "Bd")),
    ("moveaxis(X, (0, 1), (2, 3))", ("C", "D", "A", "Bd")),
    ("expand_dims(X, 2)", ("A", "Bd", "1", "C", "D")),
    ("expand_dims(X, (0, -1))", ("1", "A", "Bd", "C", "D", "1")),
    ("X.reshape(A * Bd, C, D)", ("A*Bd", "C", "D")),
    ("X.reshape(A, Bd, C * D).reshape(A, Bd, C, D)", ("A", "Bd", "C", "D")),
    ("broadcast_to(X, (F, A, Bd, C, D))", ("F", "A", "Bd", "C", "D")),
    ("einsum('...cd,de->...ce', X, W)", ("A", "Bd", "C", "F")),
    ("einsum('a...d,de->a...e', X, W)", ("A", "Bd", "C", "F")),
    ("einsum('abcd,de->e', X, W)", ("F",)),
    ("softmax(X, axis=(1, 3))", ("A", "Bd", "C", "D")),
    ("sum(X, axis=(0, 2))", ("Bd", "D")),
    ("mean(X, axis=(1, 2), keepdims=True)", ("A", "1", "1", "D")),
    ("gelu(X) + erf(X)", ("A", "Bd", "C", "D")),
])
def test_axis_functions_have_numpy_shapes_and_gradients(expr, want):
    source = declare({"X": ("A", "Bd", "C", "D"), "W": ("D", "F")}) + f"Z = {expr}\nJ = sum(Z * Z) + sum(W)\n"
    net = parse_network(source)
    assert tuple(str(d) for d in net.shapes["Z"]) == want
    bindings = net.bindings(SIZES)
    rng = np.random.default_rng(1)
    leaves = {name: rng.standard_normal(numeric(tuple(str(d) for d in shape))) for name, shape in net.leaves.items()}
    values = forward(net.definitions, leaves, bindings)
    assert np.shape(values["Z"]) == numeric(want)
    grads = backward(net).wrt
    for leaf in ("X", "W"):
        got = np.broadcast_to(Evaluator(values, bindings)(grads[leaf]), np.shape(leaves[leaf]))
        fd = np.zeros(np.shape(leaves[leaf]))
        flat = fd.reshape(-1)
        for i in range(0, flat.size, max(1, flat.size // 40)):  # a sample of the entries
            index = np.unravel_index(i, fd.shape)
            out = []
            for sign in (1, -1):
                bumped = leaves[leaf].copy()
                bumped[index] += sign * 1e-6
                out.append(forward(net.definitions, {**leaves, leaf: bumped}, bindings)[net.loss])
            assert abs((out[0] - out[1]) / 2e-6 - got[index]) <= 1e-5 * max(1.0, abs(got[index])), \
                (leaf, index, code(grads[leaf]))


@pytest.mark.parametrize("source, words", [
    ("X: [A, Bd, C]\nY: [A, D, C]\nJ = sum(X @ Y)\n", ("inner dimensions",)),
    ("X: [A, Bd, C]\nY: [D, C, F]\nJ = sum(X @ Y)\n", ("stacked", "do not broadcast")),
    ("X: [A, Bd, C, D, F]\nJ = sum(X)\n", ("rank 5",)),
    ("X: [A, Bd, C]\nJ = sum(X.reshape(A, C * A))\n", ("cannot reshape",)),
    ("X: [A, Bd, C]\nJ = sum(softmax(X, axis=(0, 3)))\n", ("out of range",)),
    ("X: [A, Bd, C]\nJ = sum(transpose(X, (0, 2)))\n", ("one axis for each",)),
    ("X: [A, Bd, C]\nJ = sum(expand_dims(X, (" + ", ".join(map(str, range(40))) + ")))\n", ("the limit is 32",)),
    ("X: [A, Bd, C]\nJ = sum(X.reshape(A, Bd, C" + ", 1" * 40 + "))\n", ("the limit is 32",)),
])
def test_tensor_shape_errors_are_located_messages(source, words):
    with pytest.raises(TutorError) as info:
        parse_network(source)
    assert info.value.span is not None
    for word in words:
        assert word in info.value.message


def test_product_dimensions_are_one_dimension_whichever_order():
    h, d = Dim.symbol("h"), Dim.symbol("d")
    assert h * d == d * h and hash(h * d) == hash(d * h)
    assert str(h * d) == "h*d" and str(d * h) == "d*h" and (Dim(4) * Dim.symbol("E")).json() == "4*E"
    net = parse_network("X: [B, h*d]\nW: [d*h, E]\nJ = sum(X @ W)\n")
    assert net.nodes_json()["X"]["shape"] == ["B", "h*d"] and net.dims == ("B", "h", "d", "E")


def test_broadcast_to_prints_as_itself_and_parses_back():
    net = parse_network("b: [E]\nX: [B, T, E]\nJ = sum(broadcast_to(b, (B, T, E)) * X)\n")
    formula = code(backward(net).wrt["X"])
    assert formula == "broadcast_to(b, (B, T, E))"
    assert check(net, "X", formula).verdict == "correct"
    assert check(net, "b", code(backward(net).wrt["b"])).verdict == "correct"


@pytest.mark.parametrize("fn, derivative", [
    ("erf", lambda x: 2 / math.sqrt(math.pi) * math.exp(-x * x)),
    ("gelu", None),
])
def test_erf_and_gelu_derivatives_against_real_finite_differences(fn, derivative):
    """erf's derivative is taken as given by the complex-step check (docs/language.md): proven here."""
    net = parse_network(f"x: [N]\nJ = sum({fn}(x))\n")
    xs = np.linspace(-3, 3, 13)
    grad = Evaluator({"x": xs, "J": None}, {"N": 13})(backward(net).wrt["x"])
    impl = FORMULA_FUNCTIONS[fn]
    fd = (impl(xs + 1e-6) - impl(xs - 1e-6)) / 2e-6
    np.testing.assert_allclose(grad, fd, rtol=1e-7, atol=1e-9)
    if derivative:
        np.testing.assert_allclose(grad, [derivative(x) for x in xs], rtol=1e-12)


def test_batched_matmul_gradient_transposes_only_the_last_two_axes():
    """The bug of issue 13: a.T @ g at rank 3 reversed every axis and failed in derive."""
    net = parse_network("X: [B, T, E]\nW: [B, E, F]\nC: [B, T, F]\nJ = sum((X @ W) * C)\n")
    grads = backward(net).wrt
    assert code(grads["W"]) == "swapaxes(X, -1, -2) @ C"
    assert code(grads["X"]) == "C @ swapaxes(W, -1, -2)"
    result = derive(net, {"B": 2, "T": 3, "E": 4, "F": 5})
    assert result.verification.ok


def test_walk_of_a_tensor_network_starts_at_its_first_weight():
    out = invoke("walk", "attention", "--no-input", "--dims", "B=2,T=3,E=4,h=2,d=5").stdout
    assert "Step 1 of" in out and "∂Q/∂Wq" in out


@pytest.mark.parametrize("entry", ALL, ids=ids)
def test_the_contraction_forms_the_walk_prints_are_right(entry):
    """The einsum and the matrix form of each leaf's last step, typed back with the true incoming
    gradient (d<of> = its derived formula), are judged correct: the teaching computes the gradient."""
    network = parse_network(entry.network, entry.id)
    derivation = derive(network, entry.dims, check=False)
    truth = backward(network).wrt
    for leaf, gradient in derivation.gradients.items():
        c = gradient.contraction
        if c is None or gradient.paths != 1 or len(network.readers[leaf]) != 1:
            continue  # a leaf reaching the loss several ways: the contraction is one part of its gradient
        incoming = f"d{c.of} = {code(truth[c.of])}\n" if c.of != network.loss else ""
        for form in (c.einsum, c.matrix):
            if not form or "d(" in form:
                continue
            result = check(network, leaf, incoming + form, entry.dims)
            assert result.verdict == "correct", (leaf, form, result.verdict)


def test_a_gradient_that_is_exactly_zero_verifies_and_a_wrong_zero_does_not():
    """b1 right before a batch norm has gradient 0; its formula gives rounding noise (makemore part 4,
    whose W1: [T*E, H] is a product dimension). Noise is judged against the other gradients' size."""
    from catalogue import course_code
    from tutor.engine.simplify.algebra import mk
    from tutor.engine.language.ir import Const, Var
    from tutor.engine.numbers.verify import verify
    net = parse_network(course_code.KARPATHY)
    bindings = net.bindings()
    formulas = {leaf: g for leaf, g in backward(net).wrt.items() if leaf in net.leaves}
    assert verify(net, formulas, bindings).ok
    ones = mk("add", Const(1), mk("mul", Const(0), Var("b1", shape=net.leaves["b1"])))
    assert not verify(net, {**formulas, "W2": mk("mul", Const(1e-14), formulas["W2"])}, bindings).ok
    assert not verify(net, {**formulas, "b1": mk("mul", Const(1e-3), ones)}, bindings).ok
