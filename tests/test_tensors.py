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
from tutor.engine.network import parse_network
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
