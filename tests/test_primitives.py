"""Every primitive has its row in every table, and each idea lives in one place (issue 20, item 1).

A primitive is a name; what it means is a row keyed by that name in each table: its shape rule
(language/shapes.py), its derivative rule, one per argument, or an explicit None for "no gradient"
(calculus/vjp.py), its NumPy rule (numbers/numeric.py), and its cost (numbers/budget.py, or the
default of one operation per number). The rewrite rules are indexed by the primitive they fire
on, and the teacher fusions by the primitive where they fire. Derivative rules and rewrite rules
get everything they use as arguments: none reads a context variable.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tutor.engine.calculus.fusions import FUSIONS
from tutor.engine.calculus.grad import backward
from tutor.engine.calculus.vjp import vjp_rules
from tutor.engine.idioms.canonical import canonical
from tutor.engine.language.ir import Const, Var
from tutor.engine.language.network import parse_network
from tutor.engine.language.printer import code
from tutor.engine.language.shapes import shape_rules
from tutor.engine.language.table import BINARY, COMPARE, FUNCTIONS, MAX_JOINED
from tutor.engine.numbers.budget import HEAVY
from tutor.engine.numbers.numeric import impl_rules
from tutor.engine.simplify.algebra import ORDER, Simplifier, mk, simplify
from tutor.engine.simplify.build import ANYWHERE, RULES

ENGINE = Path(__file__).resolve().parents[1] / "tutor" / "engine"
PRIMITIVES = sorted(shape_rules)


def test_the_language_writes_only_primitives_that_have_a_shape_rule():
    written = {fn.prim for fn in FUNCTIONS.values()} | set(BINARY.values()) | set(COMPARE.values())
    assert written - set(shape_rules) == set()


@pytest.mark.parametrize("prim", PRIMITIVES)
def test_every_primitive_has_a_derivative_rule_or_says_it_has_no_gradient(prim):
    assert prim in vjp_rules, f"{prim} has no row in the derivative table (vjp.py)"
    assert all(rule is None or callable(rule) for rule in vjp_rules[prim])


@pytest.mark.parametrize("prim", PRIMITIVES)
def test_every_primitive_has_a_numpy_rule(prim):
    assert callable(impl_rules.get(prim)), f"{prim} has no NumPy rule (numeric.py)"


def test_no_table_has_a_row_for_a_primitive_without_a_shape_rule():
    for name, table in (("derivative", vjp_rules), ("NumPy", impl_rules), ("cost", HEAVY), ("fusion", FUSIONS),
                        ("rewrite", {p: r for p, r in RULES.items() if p != ANYWHERE})):
        assert set(table) - set(shape_rules) == set(), f"the {name} table names unknown primitives"


def test_a_function_has_one_derivative_rule_per_argument():
    for fn in FUNCTIONS.values():
        if fn.prim == "concatenate":  # variadic: a rule for each position, up to the most operands it joins
            assert len(vjp_rules[fn.prim]) == MAX_JOINED
            continue
        assert len(vjp_rules[fn.prim]) == fn.arity, fn.prim
    for prim in (*BINARY.values(), *COMPARE.values()):
        assert len(vjp_rules[prim]) == 2, prim


def test_a_cost_is_an_operation_count_or_the_default():
    assert all(isinstance(k, (int, float)) and k >= 1 for k in HEAVY.values())


def test_the_rewrite_table_keeps_every_rule_in_order_under_each_primitive_it_fires_on():
    position = {rule: i for i, (rule, _) in enumerate(ORDER)}
    for rule, prims in ORDER:
        for prim in prims:
            assert rule in RULES[prim]
    for prim, rules in RULES.items():
        assert [position[r] for r in rules] == sorted(position[r] for r in rules), prim
        assert all(r in rules for r, on in ORDER if ANYWHERE in on), prim


def test_fusions_fire_only_on_primitives_with_a_rule_of_their_own():
    assert set(FUSIONS) <= {p for p, rules in vjp_rules.items() if rules and rules[0] is not None}


def test_no_rule_reads_a_context_variable():
    """The facts and the names are passed as values: nothing in the engine reads a context variable."""
    for path in ENGINE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "ContextVar"]
        assert not uses, f"{path.relative_to(ENGINE)} uses a ContextVar"
    source = (ENGINE / "calculus" / "vjp.py").read_text(encoding="utf-8")
    assert "facts" not in source and "assume" not in source, "a derivative rule reads the network's facts"


def test_mk_is_a_plain_constructor_and_simplify_rewrites():
    x = Var("x", shape=())
    built = mk("mul", Const(1), x)
    assert code(built) == "1 * x" and built.fresh
    assert simplify(built) == x
    assert Simplifier().mk("mul", Const(1), x) == x


WRITTEN_OUT = """
X: [N, D]
W: [D, K]
y: [N, K]
scores = X @ W
exp_scores = exp(scores)
probs = exp_scores / sum(exp_scores, axis=1, keepdims=True)
loss = -sum(y * log(probs)) / N
"""


def test_the_canonical_pass_reads_each_spelling_once_as_facts():
    network, facts = canonical(parse_network(WRITTEN_OUT))
    assert canonical(network)[1] is facts  # computed once per network
    assert dict(facts.onehot) == {"y": 1}
    form = facts.form("probs", network.definitions["probs"])
    assert form is not None and code(form.call) == "softmax(scores)" and form.inside == {"exp_scores"}
    assert code(facts.names.seen(Var("probs"))) == "softmax(scores)"
    assert facts.one_hot_axis(Var("y", shape=network.leaves["y"])) == 1 and facts.one_hot_axis(Var("X")) is None


def test_the_softmax_fusion_is_the_only_place_the_label_is_assumed_one_hot():
    network = parse_network(WRITTEN_OUT)
    grads = backward(network)
    assert code(grads.wrt["W"]) == "X.T @ (probs - y) / N"
    assert [a.target for a in grads.assumptions] == ["y"]
    pure = backward(network, rules={"softmax": (vjp_rules["softmax"][0],)})  # the rule alone, no fusion
    assert pure.assumptions == () and code(pure.wrt["W"]) != code(grads.wrt["W"])
