"""A long gradient as a teacher's steps (issue 12): dxhat = G * gamma, dvar = …, dmu = …, dX = ….

Every step is an expression of the network language over the network's names and the earlier
steps: appended to the network as definitions, the steps parse, and, evaluated in order, each
`dNAME` equals ∂loss/∂NAME and the last one equals the leaf's gradient (the one-line formula).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from catalogue.teacher_formulas import REFERENCES
from catalogue.teacher_formulas_more import MORE_REFERENCES
from gradcheck import STEP, assert_close, evaluate
from tutor.cli import app
from tutor.engine.errors import TutorError
from tutor.engine.calculus.grad import backward
from tutor.engine.language.network import load, parse_network
from tutor.engine.numbers.numeric import forward
from tutor.engine.language.printer import code
from tutor.engine.numbers.sampling import sample
from tutor.engine.calculus.forward_values import substitute
from tutor.engine.calculus.steps import steps_for
from tutor.engine.language.ir import Var
from tutor.teach.derivation import ONE_LINE, derive

NETWORKS = ["default", "batch", "column", "vector", "mlp"] + sorted(
    str(p) for p in Path(__file__).parent.glob("networks/*.net"))


def catalogue_networks() -> list[str]:
    """The teachers' networks that parse (declared labels need the onehot/int declarations)."""
    out = []
    for ref in REFERENCES + MORE_REFERENCES:
        try:
            parse_network(ref.network)
        except TutorError:
            continue
        if ref.network not in out:
            out.append(ref.network)
    return out


def check_steps(net, seed: int = 0) -> int:
    """Every leaf's steps parse, and evaluate to what they claim: a node's gradient (`dNAME`), the gradient
    at an unnamed part of a definition (an inner step: checked against central differences of the loss
    in that part's value), or the part's value (a forward step). Returns how many leaves had steps."""
    bindings = net.bindings(dict(zip(net.dims, (3, 4, 5, 6, 7, 8, 9, 10, 11))))
    leaves, values = sample(net, bindings, np.random.default_rng(seed))
    grads = backward(net)
    with_steps = 0
    inner: dict[str, np.ndarray] = {}
    for leaf in net.leaves:
        steps = steps_for(net, leaf)
        if not steps:
            continue
        with_steps += 1
        assert steps[-1].of == leaf and steps[-1].kind == "gradient"
        text = net.source.rstrip("\n") + "\n" + "".join(f"{s.name} = {code(s.formula)}\n" for s in steps)
        again = parse_network(text + f"steps_loss = sum({steps[-1].name})\n", "<steps>")
        computed = forward(again.definitions, dict(leaves), bindings)
        for s in steps:
            if s.kind == "gradient":
                assert again.shapes[s.name] == net.shapes[s.of], s.name
                expected = evaluate(grads.wrt[s.of], values, bindings)
            else:
                assert s.kind in ("inner", "forward") and s.at is not None, s
                assert again.shapes[s.name] == s.at.shape, s.name
                if s.kind == "forward":
                    expected = evaluate(s.at, values, bindings)
                else:
                    if s.name not in inner:
                        inner[s.name] = gradient_at_part(net, s.of, s.at, values, bindings)
                    expected = inner[s.name]
            assert_close(np.asarray(computed[s.name], dtype=float), np.broadcast_to(expected, np.shape(computed[s.name])),
                         f"{s.name} = {code(s.formula)}", atol=1e-7 if s.kind == "inner" else 0.0)
    return with_steps


def gradient_at_part(net, owner: str, part, values, bindings) -> np.ndarray:
    """∂J/∂(the part of owner's definition), by central differences: the network with that part's value
    given as a leaf of its own, perturbed one entry at a time."""
    value = evaluate(part, values, bindings)
    held = Var("part_held_out", shape=part.shape)
    definitions = dict(net.definitions)
    definitions[owner] = substitute(net.definitions[owner], {part: held})
    assert definitions[owner] != net.definitions[owner], "the part is written in the definition"
    given = {name: values[name] for name in [*net.leaves, *net.labels]}
    out = np.zeros(np.shape(value))
    for idx in np.ndindex(*np.shape(value)):
        sides = []
        for step in (STEP, -STEP):
            moved = np.array(value, dtype=float)
            moved[idx] += step
            sides.append(float(forward(definitions, {**given, held.name: moved}, bindings)[net.loss]))
        out[idx] = (sides[0] - sides[1]) / (2 * STEP)
    return out


@pytest.mark.parametrize("spec", NETWORKS, ids=lambda s: Path(s).stem)
def test_steps_of_the_example_networks_give_their_gradients(spec):
    check_steps(load(spec))


@pytest.mark.parametrize("source", catalogue_networks(), ids=lambda s: s.strip().splitlines()[-1][:40])
def test_steps_of_the_teachers_networks_give_their_gradients(source):
    check_steps(parse_network(source))


def test_batchnorm_is_written_as_the_cs231n_steps():
    net = parse_network(next(r.network for r in REFERENCES if r.id == "cs231n-batchnorm-X"))
    steps = {s.name: code(s.formula) for s in steps_for(net, "X")}
    assert list(steps) == ["dxhat", "dvar", "dxc", "dmu", "dX"]
    assert steps["dxhat"] == "G * gamma"
    assert steps["dX"] == "dxc + dmu / N"
    assert check_steps(net) >= 1


def test_softmax_output_is_not_a_step_the_input_is():
    """-Y / N / probs is never written as a step: the softmax rule cancels it into (probs - Y) / N."""
    source = next(r.network for r in REFERENCES if r.id == "cs231n-case-2layer-W1")
    net = parse_network(re.sub(r"onehot\[", "[", source))
    steps = {s.name: code(s.formula) for s in steps_for(net, "W1")}
    assert "dprobs" not in steps
    assert steps["dscores"] == "(probs - Y) / N"
    assert steps["dW1"] == "X.T @ (dhidden * (hidden > 0))"


def test_a_scaled_one_hot_label_is_not_a_step_karpathys_steps_are():
    """Backprop ninja: dlogprobs = -onehot / n is sent on whole, so dlogits is the textbook (probs - onehot) / n."""
    net = parse_network(next(r.network for r in MORE_REFERENCES if r.id == "ninja-W1"))
    steps = {s.name: code(s.formula) for s in steps_for(net, "W1")}
    assert "dlogprobs" not in steps
    assert steps["dlogits"] == "(probs - onehot(Yb, vocab_size)) / n"
    assert steps["dhprebn"] == "dbndiff + dbnmeani / n"
    assert list(steps)[-1] == "dW1" and steps["dW1"] == "embcat.T @ dhprebn"


def test_a_step_name_the_network_uses_is_not_taken():
    net = parse_network("x: [N, D]\nW: [D, D]\nG: [N, D]\ndh = tanh(x @ W)\nh = dh * dh\nk = h @ W\nJ = sum(G * k)\n")
    names = [s.name for s in steps_for(net, "W")]
    assert "d_h" in names and not set(names) & set(net.shapes)
    assert len(set(names)) == len(names)
    check_steps(net)


def test_derive_shows_steps_only_for_a_formula_longer_than_a_line():
    short = derive(load("default"), check=False)
    assert all(g.steps == () for g in short.gradients.values())
    layer = derive(load(str(Path(__file__).parent / "networks/layernorm.net")), wrt="x", check=False)
    g = layer.gradients["x"]
    assert len(g.formula_code) > ONE_LINE and [s.name for s in g.steps][-1] == "dx"


def test_derive_json_carries_the_steps():
    runner = CliRunner()
    result = runner.invoke(app, ["derive", str(Path(__file__).parent / "networks/layernorm.net"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    x = data["gradients"]["x"]
    assert x["steps"] and x["steps"][-1]["name"] == "dx"
    assert all(set(s) == {"name", "formula", "latex"} for s in x["steps"])   # SPEC §8: LaTeX beside every formula
    assert data["gradients"]["b"]["steps"] == []
    assert isinstance(x["formula"], str) and "\n" not in x["formula"]


def test_derive_prints_the_steps_and_the_one_line_form():
    runner = CliRunner()
    result = runner.invoke(app, ["derive", str(Path(__file__).parent / "networks/layernorm.net"), "--wrt", "x"],
                           env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "dmu" in text and "dx " in text and "in one line" in text
