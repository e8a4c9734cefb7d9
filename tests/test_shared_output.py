"""Output that writes shared parts once is the same output: `derive --json`'s text is exactly
`json.dumps(data, indent=2)` of the same data, and formulas printed with shared sub-expressions
remembered read exactly as printed alone."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutor.engine.language.network import load
from tutor.cli import app
from tutor.engine.language.dims import ONE
from tutor.engine.language.latex import latex
from tutor.engine.language.printer import code, math as math_printer
from tutor.front.json_text import indented
from tutor.teach.derivation import derive

HERE = Path(__file__).parent
runner = CliRunner()
BUNDLED = ("default", "batch", "column", "vector", "mlp", "cs231n", "attention", "conv1d", "embedding")
NETWORKS = [*BUNDLED, *(str(p) for p in sorted(HERE.glob("networks/*.net")))]


def tanh_mlp(layers: int) -> str:
    lines = ["X: [N, D]", "T: [N, D]"] + [f"W{i}: [D, D]\nb{i}: [D]" for i in range(layers)]
    prev = "X"
    for i in range(layers):
        lines.append(f"A{i} = tanh({prev} @ W{i} + b{i})")
        prev = f"A{i}"
    return "\n".join(lines + [f"J = sum(({prev} - T) ** 2) / N"]) + "\n"


SHARED = {"of": "A1", "wrt": "W1", "shape": ["N", 3, []]}
VALUES = [None, True, False, 0, -7, 2 ** 70, 0.1, -2.5e-300, 1e300, math.nan, math.inf, -math.inf, "", "plain",
          'quote " and back\\slash\n\ttab \x00 \x1f', "é ŷ ∂ 😀", [], {}, [[]], [{}], {"a": {}}, (1, "two"),
          {"1": 1, 2: 2, 3.5: 3, True: 4, False: 5, None: 6},
          {"chains": [[SHARED, SHARED], [SHARED], {"inside": SHARED}], "again": SHARED, "empty": [[], {}, [], {}]}]


@pytest.mark.parametrize("data", VALUES, ids=range(len(VALUES)))
def test_indented_json_is_the_standard_librarys(data):
    assert indented(data) == json.dumps(data, indent=2)


@pytest.mark.parametrize("data", [[object()], {(1, 2): 3}, {"a": [1, {2, 3}]}, [b"bytes"]])
def test_what_json_cannot_hold_is_refused_as_json_refuses_it(data):
    with pytest.raises(TypeError) as ours:
        indented(data)
    with pytest.raises(TypeError) as theirs:
        json.dumps(data, indent=2)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("network", NETWORKS + ["mlp12"])
def test_derive_json_is_the_same_text_and_the_same_data(network, tmp_path):
    if network == "mlp12":
        network = str(tmp_path / "mlp12.net")
        Path(network).write_text(tanh_mlp(12))
    result = runner.invoke(app, ["derive", network, "--json"])
    assert result.exit_code == 0, result.output
    data = derive(load(network)).to_json()
    assert result.stdout == json.dumps(data, indent=2) + "\n"


@pytest.mark.parametrize("network", NETWORKS + ["mlp12"])
def test_formulas_printed_with_shared_parts_remembered_read_as_printed_alone(network, tmp_path):
    if network == "mlp12":
        network = str(tmp_path / "mlp12.net")
        Path(network).write_text(tanh_mlp(12))
    alone = derive(load(network), check=False)
    together = derive(load(network), check=False)
    with code.sharing(), latex.sharing(), math_printer.sharing():
        with code.sharing():  # nested: the outer memory serves both
            shared = {leaf: (g.formula_code, g.formula_latex, math_printer(g.formula))
                      for leaf, g in together.gradients.items()}
    for leaf, g in alone.gradients.items():
        assert shared[leaf] == (g.formula_code, g.formula_latex, math_printer(g.formula)), leaf
    assert code.shared.memo is None and latex.shared.memo is None  # nothing is remembered afterwards


@pytest.mark.parametrize("network", NETWORKS)
def test_the_chains_share_their_factors_and_keep_their_naive_products(network):
    result = derive(load(network), check=False)
    net = result.network
    by_edge: dict = {}
    for leaf, g in result.gradients.items():
        alive = True
        for f in g.chain:
            assert f.shape == net.shapes[f.of] + net.shapes[f.wrt]
            matrix = all(sum(d != ONE for d in net.shapes[n]) <= 1 for n in (f.of, f.wrt))
            alive = alive and (f.of == net.loss or matrix)
            assert f.naive == (net.shapes[f.wrt] if alive else None), (leaf, f)
            if f.naive is None:
                assert by_edge.setdefault((f.of, f.wrt), f) is f  # one object per factor, in every chain


def test_past_its_room_the_printer_writes_parts_again_and_the_text_is_the_same(monkeypatch, tmp_path):
    import tutor.engine.language.printer as printer
    path = tmp_path / "mlp12.net"
    path.write_text(tanh_mlp(12))
    alone = derive(load(str(path)), check=False)
    expected = {leaf: (g.formula_code, g.formula_latex) for leaf, g in alone.gradients.items()}
    monkeypatch.setattr(printer, "MEMO_CHARACTERS", 200)
    together = derive(load(str(path)), check=False)
    with code.sharing(), latex.sharing():
        shared = {leaf: (g.formula_code, g.formula_latex) for leaf, g in together.gradients.items()}
        assert 0 <= code.shared.room < 200 and code.shared.memo  # some kept, the rest written again
    assert shared == expected
