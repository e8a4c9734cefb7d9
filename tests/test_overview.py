"""derive for every leaf: the backward pass drawn once, each leaf a path through it, output linear in depth."""
from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest

from tutor.engine.language.latex import latex
from tutor.engine.language.network import bundled_examples, load, parse_network
from tutor.engine.language.printer import code
from tutor.front.look import Look
from tutor.front.render import derivation_view
from tutor.front.visible import Screen
from tutor.teach.derivation import derive

NETWORKS = sorted(bundled_examples()) + sorted(str(p) for p in (Path(__file__).parent / "networks").glob("*.net"))


def drawn(d, width: int = 100) -> str:
    out = Screen(file=StringIO(), width=width, no_color=True, soft_wrap=False)
    out.print(derivation_view(d, Look(unicode=False)))
    return out.file.getvalue()


def mlp(layers: int) -> str:
    lines = ["X: [N, D]", "T: [N, D]"] + [f"W{i}: [D, D]\nb{i}: [D]" for i in range(layers)]
    prev = "X"
    for i in range(layers):
        lines.append(f"A{i} = tanh({prev} @ W{i} + b{i})")
        prev = f"A{i}"
    return "\n".join(lines + [f"J = sum(({prev} - T) ** 2) / N"]) + "\n"


@pytest.mark.parametrize("spec", NETWORKS)
def test_the_shared_factors_are_every_leafs_chain_each_once(spec):
    d = derive(load(spec), check=False)
    shared = [(f.of, f.wrt) for f in d.shared_factors]
    assert len(shared) == len(set(shared))
    union = {(f.of, f.wrt) for g in d.gradients.values() for f in g.chain}
    assert set(shared) == union
    for g in d.gradients.values():  # the same factor, the same rule, whichever leaf's chain it is in
        rules = {(f.of, f.wrt): f.rule for f in d.shared_factors}
        assert all(f.rule is rules[f.of, f.wrt] or code(f.rule) == code(rules[f.of, f.wrt])
                   for f in g.chain if f.rule is not None)


def test_every_leaf_and_every_factor_is_drawn_once():
    d = derive(load("default"), dims={"Dx": 5, "H": 3, "Dy": 4})
    text = drawn(d)
    assert text.count("The backward pass") == 1
    factors, _, leaves = text.partition("The gradients (each has")
    for f in d.shared_factors:
        assert factors.count(f"d{f.of}/d{f.wrt}") == 1, (f.of, f.wrt)
    for leaf in d.gradients:
        assert f"dJ/d{leaf} " in leaves
    assert "x.T @ ((yhat - y) @ W2.T * h * (1 - h))" in text          # a short formula, in one line
    assert "verified numerically" in text and "--wrt LEAF" in text


def test_one_leaf_is_drawn_in_full():
    d = derive(load("default"), wrt="W1")
    text = drawn(d)
    assert "The chain for dJ/dW1" in text and "Contracting with dz1/dW1" in text and "not a matrix" in text


def test_the_text_grows_linearly_with_depth():
    sizes = {n: len(drawn(derive(parse_network(mlp(n)), check=False))) for n in (8, 32)}
    assert sizes[32] < 5 * sizes[8]  # four times the layers: quadratic output would be sixteen times


def test_a_shared_step_is_the_same_text_in_every_leaf_and_equals_its_own_printing():
    d = derive(parse_network(mlp(12)), check=False)
    data = d.to_json()
    by_name: dict[str, dict] = {}
    for leaf, g in d.gradients.items():
        for step, entry in zip(g.steps, data["gradients"][leaf]["steps"]):
            assert entry == {"name": step.name, "formula": code(step.formula), "latex": latex(step.formula)}
            assert by_name.setdefault((step.name, step.of), entry) == entry
    assert len(by_name) > len(d.gradients)  # the deep leaves share their steps


def test_a_formula_is_printed_as_the_printer_prints_it():
    d = derive(parse_network(mlp(6)), check=False)
    for g in d.gradients.values():
        assert g.formula_code == code(g.formula) and g.formula_latex == latex(g.formula)
