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
from tutor.engine.calculus.forward_values import occurrences, substitute
from tutor.engine.calculus.steps import steps_for
from tutor.engine.language.ir import Call, Var, names_in, walk
from tutor.engine.language.table import FUNCTIONS, claimed_node
from tutor.judge.check import check
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


def transformer(blocks: int) -> str:
    """A pre-LayerNorm transformer (the benchmark's): per block a layer norm, single-head attention with a
    residual, a layer norm and a GELU MLP with a residual."""
    lines = ["X: [B, T, E]", "Yt: [B, T, E]"]
    for i in range(blocks):
        lines += [f"{p}{i}: [E, E]" for p in ("Wq", "Wk", "Wv", "Wo")]
        lines += [f"g1_{i}: [E]", f"be1_{i}: [E]", f"g2_{i}: [E]", f"be2_{i}: [E]", f"W1_{i}: [E, F]", f"b1_{i}: [F]",
                  f"W2_{i}: [F, E]", f"b2_{i}: [E]"]
    h = "X"
    for i in range(blocks):
        lines += [f"m1_{i} = mean({h}, axis=-1, keepdims=True)", f"c1_{i} = {h} - m1_{i}",
                  f"v1_{i} = mean(c1_{i} ** 2, axis=-1, keepdims=True)",
                  f"n1_{i} = c1_{i} / sqrt(v1_{i} + 0.00001) * g1_{i} + be1_{i}",
                  f"Q{i} = n1_{i} @ Wq{i}", f"K{i} = n1_{i} @ Wk{i}", f"V{i} = n1_{i} @ Wv{i}",
                  f"A{i} = softmax(Q{i} @ swapaxes(K{i}, -1, -2) / sqrt(E), axis=-1)",
                  f"R{i} = {h} + (A{i} @ V{i}) @ Wo{i}",
                  f"m2_{i} = mean(R{i}, axis=-1, keepdims=True)", f"c2_{i} = R{i} - m2_{i}",
                  f"v2_{i} = mean(c2_{i} ** 2, axis=-1, keepdims=True)",
                  f"n2_{i} = c2_{i} / sqrt(v2_{i} + 0.00001) * g2_{i} + be2_{i}",
                  f"U{i} = gelu(n2_{i} @ W1_{i} + b1_{i})", f"H{i} = R{i} + U{i} @ W2_{i} + b2_{i}"]
        h = f"H{i}"
    return "\n".join(lines + [f"J = mean(({h} - Yt) ** 2)"]) + "\n"


#: Networks whose gradients reach unnamed parts of their definitions (the class, not one function).
UNNAMED_PARTS = {
    "gated": "x: [N, D]\nW1: [D, H]\nb1: [H]\nW2: [D, H]\nb2: [H]\nV: [H, K]\n"
             "h = tanh(x @ W1 + b1) * sigmoid(x @ W2 + b2)\nJ = sum((h @ V) ** 2)\n",
    "silu": "x: [N, D]\nW: [D, H]\nb: [H]\nV: [H, K]\nh = (x @ W + b) * sigmoid(x @ W + b)\nJ = sum((h @ V) ** 2)\n",
    "gelu-mlp": "x: [N, D]\nW1: [D, H]\nb1: [H]\nW2: [H, K]\nb2: [K]\ny: [N, K]\n"
                "h = gelu(x @ W1 + b1)\nout = h @ W2 + b2\nJ = mean((out - y) ** 2)\n",
    "attention": "X: [T, E]\nWq: [E, E]\nWk: [E, E]\nWv: [E, E]\nG: [T, E]\n"
                 "A = softmax((X @ Wq) @ (X @ Wk).T / sqrt(E), axis=-1)\nJ = sum(G * (A @ (X @ Wv)))\n",
    "gelu of a leaf": "x: [N, D]\nV: [D, K]\nh = gelu(x)\nJ = sum((h @ V) ** 2)\n",
    "names taken": "x: [N, D]\nW: [D, H]\nzh: [H]\nV: [H, K]\nzh_2 = sum(x, axis=0)\nth = zh * 2\n"
                   "h = gelu(x @ W + zh)\nJ = sum((h @ V) ** 2) + sum(zh_2) + sum(th)\n",
}


def test_a_transformers_steps_give_its_gradients():
    assert check_steps(parse_network(transformer(2))) >= 20


@pytest.mark.parametrize("name", UNNAMED_PARTS)
def test_steps_at_unnamed_parts_give_their_gradients(name):
    check_steps(parse_network(UNNAMED_PARTS[name]))


def test_geluss_derivative_is_applied_once_and_its_preactivation_named_once():
    net = parse_network(transformer(2))
    steps = {s.name: s for s in steps_for(net, "b1_0")}
    assert steps["zU0"].kind == "forward" and steps["zU0"].code == "n2_0 @ W1_0 + b1_0"
    assert steps["tU0"].kind == "forward" and steps["tU0"].code.startswith("tanh(") and "zU0" in steps["tU0"].code
    assert steps["dzU0"].kind == "inner" and code(steps["dzU0"].at) == "n2_0 @ W1_0 + b1_0"
    assert steps["dzU0"].code.startswith("dU0 * ") and "tU0" in steps["dzU0"].code
    assert {s.name: s.code for s in steps_for(net, "X")}["dn2_0"] == "dzU0 @ W1_0.T"
    assert steps["db1_0"].code == "sum(dzU0, axis=(0, 1))"
    assert sum("n2_0 @ W1_0 + b1_0" in s.code for s in steps.values()) == 1   # written once, then by name
    assert [(s.name, s.code.count("tanh(")) for s in steps.values() if "tanh(" in s.code] == [("tU1", 1), ("tU0", 1)]
    w1 = {s.name: s.code for s in steps_for(net, "W1_0")}
    assert "dzU0" in w1 and "dzU0" in w1["dW1_0"]


def test_the_attention_scores_gradient_is_a_step_both_projections_read():
    net = parse_network(transformer(2))
    steps = {s.name: s for s in steps_for(net, "Wq0")}
    assert steps["dzA0"].kind == "inner" and code(steps["dzA0"].at) == "Q0 @ swapaxes(K0, -1, -2) / sqrt(E)"
    assert steps["dQ0"].code == "dzA0 @ K0 / sqrt(E)"
    assert "dzA0" in {s.name for s in steps_for(net, "Wk0")}


def test_every_transformer_step_fits_a_line_and_every_long_gradient_has_steps():
    d = derive(parse_network(transformer(3)), check=False)
    for leaf, g in d.gradients.items():
        if g.formula_code is None or len(g.formula_code) > ONE_LINE:
            assert g.steps and g.steps[-1].of == leaf, leaf
        assert all(len(s.code) <= 120 for s in g.steps), [s.code for s in g.steps if len(s.code) > 120]


def forward_values_written_twice(net, steps) -> list[str]:
    """A value of the network's forward pass (reading only the network's names, at least 8 characters, more
    than a transpose) that one step writes more than once."""
    helpers = {s.name for s in steps}
    parts = {e for d in net.definitions.values() for e in walk(d) if isinstance(e, Call)}
    out = []
    for s in steps:
        for e, n in occurrences(s.formula).items():
            names = names_in(e)
            if n > 1 and names and not names & helpers and len(code(e)) >= 8 and not is_view(e) \
                    and any(p in parts for p in walk(e)):
                out.append(f"{s.name}: {code(e)} written {n} times")
    return out


def is_view(e) -> bool:
    return isinstance(e, Call) and e.prim in ("transpose", "swapaxes")


@pytest.mark.parametrize("source", [transformer(2), *UNNAMED_PARTS.values()],
                         ids=["transformer", *UNNAMED_PARTS])
def test_no_step_writes_a_forward_value_twice(source):
    net = parse_network(source)
    for leaf in net.leaves:
        assert forward_values_written_twice(net, steps_for(net, leaf)) == [], leaf


@pytest.mark.parametrize("source", [transformer(2), *UNNAMED_PARTS.values()],
                         ids=["transformer", *UNNAMED_PARTS])
def test_a_helpers_name_is_fresh_and_claims_no_node(source):
    net = parse_network(source)
    nodes = set(net.shapes)
    for leaf in net.leaves:
        steps = steps_for(net, leaf)
        assert len({s.name for s in steps}) == len(steps)
        for s in steps:
            assert s.name not in net.shapes and s.name not in net.dims and s.name not in FUNCTIONS, s.name
            if s.kind != "gradient":
                assert claimed_node(s.name, nodes) is None, s.name
            else:
                assert claimed_node(s.name, nodes) == s.of, s.name


def test_a_value_the_derivative_repeats_is_named_though_no_definition_writes_it():
    """GELU's derivative at a leaf writes tanh(… x …) twice: named once, for ∂J/∂x's own step."""
    steps = steps_for(parse_network(UNNAMED_PARTS["gelu of a leaf"]), "x")
    assert [(s.name, s.kind, s.code.startswith("tanh(")) for s in steps] == [
        ("dh", "gradient", False), ("tx", "forward", True), ("dx", "gradient", False)]
    assert "tanh(" not in steps[-1].code and steps[-1].code.count("tx") == 2


def test_a_piece_of_a_gradient_is_not_a_forward_value():
    """sum(V.T, axis=0) is what reaches h when the loss is linear in it: a gradient, written where it is used."""
    net = parse_network("x: [N, D]\nW: [D, H]\nb: [H]\nV: [H, K]\nh = (x @ W + b) * sigmoid(x @ W + b)\nJ = sum(h @ V)\n")
    steps = steps_for(net, "x")
    assert [(s.name, s.kind) for s in steps] == [("sh", "forward"), ("dx", "gradient")]
    assert steps[0].code == "sigmoid(x @ W + b)" and steps[-1].code.count("sum(V.T, axis=0)") == 2
    check_steps(net)


def test_a_name_the_network_has_is_not_a_helpers():
    net = parse_network(UNNAMED_PARTS["names taken"])
    names = {s.name: s.kind for s in steps_for(net, "W")}
    assert names == {"dh": "gradient", "zh_3": "forward", "th_2": "forward", "dzh_3": "inner", "dW": "gradient"}


def test_a_short_gradient_at_an_unnamed_part_is_written_where_it_is_used():
    """dh * (1 - h ** 2), dhidden * (hidden > 0): the courses write these inline; so do the steps."""
    rnn = load(str(Path(__file__).parent / "networks/rnn.net"))
    assert all(s.kind == "gradient" for leaf in rnn.leaves for s in steps_for(rnn, leaf))
    source = next(r.network for r in REFERENCES if r.id == "cs231n-batchnorm-X")   # eps = 1e-5 is no name to copy to
    assert all(s.kind == "gradient" for s in steps_for(parse_network(source), "X"))


PASTED = [("transformer", transformer(2), leaf) for leaf in ("X", "b1_0", "Wq0", "g1_0", "W1_1", "Wo0")] + [
    ("cs231n batchnorm", next(r.network for r in REFERENCES if r.id == "cs231n-batchnorm-X"), "X"),
    ("makemore", next(r.network for r in MORE_REFERENCES if r.id == "ninja-W1"), "W1"),
    ("lstm", next(r.network for r in MORE_REFERENCES if r.id == "lstm-c_prev"), "x"),
    ("gru", next(r.network for r in MORE_REFERENCES if r.id == "gru-Wz"), "h_prev"),
    ("layernorm", (Path(__file__).parent / "networks/layernorm.net").read_text(), "x"),
    ("rnn", (Path(__file__).parent / "networks/rnn.net").read_text(), "U"),
] + [(name, source, leaf) for name, source in UNNAMED_PARTS.items() for leaf in ("x", "X") if f"{leaf}:" in source]


@pytest.mark.parametrize("name, source, leaf", PASTED, ids=[f"{n}-{leaf}" for n, _, leaf in PASTED])
def test_the_steps_pasted_into_check_are_judged_correct(name, source, leaf):
    net = parse_network(source)
    steps = steps_for(net, leaf)
    assert len(steps) > 1
    result = check(net, leaf, "\n".join(f"{s.name} = {s.code}" for s in steps))
    assert result.verdict == "correct", (result.verdict, [d.message for d in result.diagnostics])
    assert result.steps and all(s.shape_ok and s.value_ok for s in result.steps)
    claimed = {s.claims for s in result.steps}
    assert claimed == {s.of for s in steps if s.kind == "gradient"}   # the helpers claim nothing


def test_derive_json_says_which_steps_name_unnamed_parts(tmp_path):
    path = tmp_path / "transformer.net"
    path.write_text(transformer(2))
    result = CliRunner().invoke(app, ["derive", str(path), "--json", "--wrt", "b1_0", "--no-verify"])
    assert result.exit_code == 0, result.output
    steps = {s["name"]: s for s in json.loads(result.stdout)["gradients"]["b1_0"]["steps"]}
    assert steps["zU0"] == {"name": "zU0", "formula": "n2_0 @ W1_0 + b1_0", "latex": steps["zU0"]["latex"],
                            "kind": "forward", "part": "n2_0 @ W1_0 + b1_0"}
    assert steps["dzU0"]["kind"] == "inner" and steps["dzU0"]["part"] == "n2_0 @ W1_0 + b1_0"
    assert set(steps["dU0"]) == {"name", "formula", "latex"} and set(steps["db1_0"]) == {"name", "formula", "latex"}
    jsonschema = pytest.importorskip("jsonschema")
    import tutor.schemas
    jsonschema.validate(json.loads(result.stdout), tutor.schemas.load("derive"))


def test_derive_text_says_what_a_helper_step_names(tmp_path):
    path = tmp_path / "transformer.net"
    path.write_text(transformer(2))
    result = CliRunner().invoke(app, ["derive", str(path), "--wrt", "Wq0", "--no-verify"],
                                env={"NO_COLOR": "1", "COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    lines = {line.split()[1]: line for line in result.stdout.splitlines() if line.startswith("│ ") and " = " in line}
    assert "# a value inside U1" in lines["zU1"] and "derivative uses" in lines["tU1"]
    assert "# ∂J/∂zU1" in lines["dzU1"]
    assert "# ∂J/∂(Q0 @ swapaxes(K0, -1, -2) / sqrt(E)) inside A0" in lines["dzA0"]
    assert "# " not in lines["dQ0"]
