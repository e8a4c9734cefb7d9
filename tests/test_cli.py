"""The commands as a user, a script or an autograder sees them."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tutor.cli import app
from tutor.engine.language.network import load
from tutor.engine.numbers.numeric import Evaluator
from tutor.engine.language.parse import Reader, Scope
from tutor.engine.numbers.sampling import sample

NETWORKS = sorted(Path(__file__).parent.glob("networks/*.net"))
BUNDLED = ["default", "batch", "column", "vector", "mlp"]
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def finite_difference(net, values, bindings, leaf, eps=1e-6):
    from tutor.engine.numbers.numeric import forward
    base = values[leaf]
    grad = np.zeros(np.shape(base))
    for index in np.ndindex(*np.shape(base)):
        out = []
        for sign in (1, -1):
            shifted = {k: v for k, v in values.items() if k in net.leaves}
            bumped = np.array(base, dtype=float, copy=True)
            bumped[index] += sign * eps
            shifted[leaf] = bumped
            out.append(forward(net.definitions, shifted, bindings)[net.loss])
        grad[index] = (out[0] - out[1]) / (2 * eps)
    return grad


def evaluate_formula(net, text, values, bindings):
    """Parse a JSON formula as a learner's tool would, and evaluate it on the forward values."""
    reader = Reader(text, "<formula>")
    expr = reader.expr(ast.parse(text, mode="eval").body, Scope(arrays=dict(net.shapes), dims=set(net.dims)))
    return Evaluator(values, bindings)(expr)


@pytest.mark.parametrize("spec", BUNDLED + [str(p) for p in NETWORKS])
def test_derive_json_matches_finite_differences(spec):
    result = invoke("derive", spec, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    net = load(spec)
    assert set(data) == {"loss", "dims", "nodes", "gradients", "verification"}
    assert data["verification"]["verified"] is True and data["verification"]["skipped"] is None
    assert data["verification"]["dims"] == data["dims"] and data["verification"]["draws"] >= 2
    assert data["loss"] == net.loss
    assert set(data["nodes"]) == set(net.nodes)
    assert set(data["gradients"]) == set(net.leaves)
    shapes = {name: node["shape"] for name, node in data["nodes"].items()}
    for leaf, entry in data["gradients"].items():
        assert entry["shape"] == shapes[leaf]
        for factor in entry["chain"]:
            assert factor["shape"] == shapes[factor["of"]] + shapes[factor["wrt"]]
    bindings = data["dims"]
    _, values = sample(net, bindings, np.random.default_rng(7))
    for leaf, entry in data["gradients"].items():
        claimed = np.broadcast_to(evaluate_formula(net, entry["formula"], values, bindings), np.shape(values[leaf]))
        expected = finite_difference(net, values, bindings, leaf)
        scale = max(1.0, float(np.max(np.abs(expected))))
        assert np.allclose(claimed, expected, atol=1e-6 * scale, rtol=1e-5), (leaf, entry["formula"])


def test_default_json_is_the_motivating_answer():
    data = json.loads(invoke("derive", "--json", "--dims", "Dx=5,H=3,Dy=4").stdout)
    assert data["dims"] == {"Dx": 5, "Dy": 4, "H": 3}
    w1 = data["gradients"]["W1"]
    assert w1["shape"] == ["Dx", "H"]
    assert w1["formula"] == "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"
    assert [(f["of"], f["wrt"]) for f in w1["chain"]] == [("J", "z2"), ("z2", "h"), ("h", "z1"), ("z1", "W1")]
    assert w1["chain"][0]["shape"] == [1, "Dy"]
    assert w1["chain"][-1]["shape"] == [1, "H", "Dx", "H"]
    assert data["nodes"]["z1"] == {"shape": [1, "H"], "kind": "defined"}


def test_derive_wrt_limits_the_gradients():
    data = json.loads(invoke("derive", "batch", "--wrt", "b1", "--json").stdout)
    assert list(data["gradients"]) == ["b1"]
    assert data["gradients"]["b1"]["formula"].endswith("/ N")


def test_shapes_json_uses_symbols_and_numbers():
    result = invoke("shapes", "batch", "--json", "--dims", "N=32,Dx=784,H=100,Dy=10")
    data = json.loads(result.stdout)
    assert data["nodes"]["Z1"]["shape"] == ["N", "H"]
    assert data["dims"] == {"N": 32, "Dx": 784, "Dy": 10, "H": 100}


def test_human_output_shows_the_break_and_the_outer_product():
    out = invoke("derive", "--wrt", "W1", "--dims", "Dx=784,H=100,Dy=10").stdout
    assert "(1×H)·∂z1/∂W1" in out
    assert "1×H×Dx×H" in out and "1×100×784×100" in out
    assert "x[i] · dz1[j]" in out
    assert "(Dx×1)(1×H) = Dx×H" in out
    assert "✓ verified" in out


def test_plain_output_is_ascii():
    out = invoke("derive", "--wrt", "W1", "--plain").stdout
    assert out.isascii()
    assert "[ok] verified" in out


@pytest.mark.parametrize("args, fragment", [
    (["derive", "no_such_network"], "no network file or bundled example"),
    (["derive", "missing/file.net"], "cannot read network"),
    (["derive", "--dims", "Dx=0"], "positive integer"),
    (["derive", "--dims", "Q=3"], "does not use"),
    (["derive", "--dims", "Dx=99999999999"], "larger than"),
    (["derive", "--dims", "Dx"], "NAME=positive integer"),
    (["derive", "--wrt", "z1"], "a defined node, not a leaf"),
    (["derive", "--wrt", "nope"], "not in the network"),
    (["derive", "--layout", "sideways"], "not a layout"),
    (["shapes", "missing.net"], "cannot read network"),
])
def test_unusable_input_exits_2_with_a_message(args, fragment):
    result = invoke(*args)
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.output + result.stderr


@pytest.mark.parametrize("source, line, col", [
    ("x: [1, D]\nJ = sum(x @ W)\n", 2, 12),
    ("x: [1, D]\nJ = x +\n", 2, 7),
    ("x: [1, D]\nJ = sum(x.__class__)\n", 2, 8),
    ("x: [1, D]\nW: [H, D]\nJ = sum(x @ W)\n", 3, 8),
    ("x: [1, D]\nz = x * 2\n", 2, 4),
])
def test_bad_network_files_are_located(tmp_path, source, line, col):
    path = tmp_path / "bad.net"
    path.write_text(source)
    result = invoke("derive", str(path))
    assert result.exit_code == 2
    assert f"--> {path}:{line}:{col + 1}" in result.stderr and result.stderr.startswith("error")
    assert "Traceback" not in result.stderr


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "junk.net"
    path.write_bytes(bytes(range(256)))
    result = invoke("shapes", str(path))
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_help_does_not_import_numpy():
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom tutor.cli import app\n"
            "r = CliRunner().invoke(app, ['--help'])\nassert r.exit_code == 0, r.output\n"
            "print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_python_dash_m_and_examples_list():
    out = subprocess.run([sys.executable, "-m", "tutor", "examples"], capture_output=True, text=True, check=True)
    for name in BUNDLED:
        assert name in out.stdout


def test_walk_without_a_terminal_prints_everything():
    result = invoke("walk")
    assert result.exit_code == 0
    assert "∂J/∂W1" in result.stdout and "checked with numbers" in result.stdout
