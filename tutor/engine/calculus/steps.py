"""A long gradient as the steps a teacher writes: `dxhat = G * gamma`, `dvar = …`, `dmu = …`, `dX = …`.

The walk is the backward pass itself with one change: once a node's gradient is complete, the
node's step name (`dxhat`) is sent on instead of the expression, and the expression becomes that
step. Some gradients are sent on as expressions, because a teacher never writes them as steps: a
bare name, number or broadcast number, a scaled one-hot label (`-onehot(y, K) / N`, which the
softmax's rule turns into `probs - onehot(y, K)`), and a gradient divided by the node itself (`-Y / N / probs`
at a softmax's output, the cross-entropy's at a sigmoid's): the next rule cancels that division
(`probs - Y`) and needs to see it.

A step is one of three kinds:

* `gradient`: `dNAME` = ∂J/∂NAME for a node of the network (`dU1 = dH1 @ W2_1.T`);
* `inner`: the gradient at a part of a definition the network leaves unnamed, when that gradient
  would otherwise be copied into several places: the part reads several names a gradient reaches
  (`eps = 1e-5` is none) and its gradient is longer than COPIED characters (or, reading one such
  name, longer than a line). GELU's derivative at `U1 = gelu(n2_1 @ W1_1 + b1_1)` is applied
  once, as `dzU1 = dU1 * (…)`, and `dn2_1`, `dW1_1` and `db1_1` read `dzU1`; a short one
  (`dh * (1 - h ** 2)`, `dhidden * (hidden > 0)`) is written where it is used, as the courses do. A part written twice in one definition is left as it is;
* `forward`: a value the network leaves unnamed that one step writes more than once, named once
  (`zU1 = n2_1 @ W1_1 + b1_1`, `tU1 = tanh(…zU1…)`; forward_values.py says which).

The names of the last two come from step_names.py: `zU1` is the value, `dzU1` ∂J/∂zU1. Every step
is an expression of the language over the network's names and the earlier steps, so the steps,
evaluated in order, give the gradient, and pasted into `check` they are a derivation whose every
line is a right claim (the helpers' names claim no node).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from ..simplify.algebra import is_call, is_zero
from .forward_values import ForwardValues, unique_nodes
from .fusions import Fusing
from .grad import Walk
from .step_names import StepNames
from ..idioms.canonical import canonical
from ..language.ir import Call, Const, DimRef, Expr, Var, deep_recursion, expanded_size, names_in
from ..language.network import Network
from ..language.printer import code
from ..simplify.views import product_of
from .vjp import vjp_rules

GRADIENT, INNER, FORWARD = "gradient", "inner", "forward"

#: An unnamed part's gradient longer than this (characters of code) is a step of its own when the
#: part reads several names (it would be copied into each); reading one name, when longer than a line.
COPIED = 30
LONG = 80


@dataclass(frozen=True)
class DerivedStep:
    name: str       # dxhat
    of: str         # gradient: the node whose gradient it is (xhat); inner, forward: whose definition it serves
    formula: Expr
    uses: frozenset[str] = field(default=frozenset(), compare=False)  # the earlier steps it reads
    kind: str = GRADIENT
    at: Expr | None = field(default=None, compare=False)  # inner, forward: the part, in the network's names
    written: bool = field(default=True, compare=False)    # forward: the part is written in of's definition
                                                          # (not only in its derivative, as GELU's tanh(…))

    @cached_property
    def code(self) -> str:
        return code(self.formula)


def steps_for(network: Network, leaf: str) -> tuple[DerivedStep, ...]:
    """The steps that ∂loss/∂leaf needs, in order, the leaf's own last (empty when it has no gradient)."""
    table, final = named_walk(network)
    if leaf not in final:
        return ()
    last = DerivedStep(StepNames(network).gradient(leaf), leaf, final[leaf],
                       frozenset(names_in(final[leaf]) & table.keys()))
    needed: set[str] = set()
    stack = list(last.uses)
    while stack:
        name = stack.pop()
        if name not in needed:
            needed.add(name)
            stack.extend(table[name].uses - needed)
    return tuple(s for s in table.values() if s.name in needed) + (last,)


@lru_cache(maxsize=16)
def named_walk(network: Network) -> tuple[dict[str, DerivedStep], dict[str, Expr]]:
    """(the steps by name, in order; each leaf's gradient in terms of them)."""
    network, facts = canonical(network)
    names = StepNames(network)
    walk = NamingWalk(vjp_rules, {network.loss: Const(1)}, network, Fusing(facts), names=names)
    steps = walk.steps
    with deep_recursion():
        for name in reversed(network.definitions):
            g = walk.grads.get(name)
            if g is None:
                continue
            if not passes_as_expression(g, Var(name), walk.fusing) and name != network.loss:
                step = DerivedStep(names.take(names.gradient(name)), name, g,
                                   frozenset(names_in(g) & steps.keys()))
                steps[step.name] = step
                g = Var(step.name, shape=network.shapes[name])
            walk.push(network.definitions[name], g, Var(name, shape=network.shapes[name]), name)
        final = {leaf: walk.grads[leaf] for leaf in network.leaves if leaf in walk.grads}
        return with_forward_values(network, steps, final, names)


@dataclass
class NamingWalk(Walk):
    """The backward pass that makes a step of a long gradient reaching an unnamed part of a definition."""

    names: StepNames | None = None
    steps: dict[str, DerivedStep] = field(default_factory=dict)
    parts: dict[str, tuple[set[int], dict[Expr, int]]] = field(default_factory=dict)

    def push(self, expr: Expr, g: Expr, ans: Expr, owner: str | None = None,
             fence: frozenset[str] | None = None) -> None:
        if (ans is expr and isinstance(expr, Call) and owner is not None and fence is None
                and owner not in self.fences and self.worth_a_step(expr, g, owner)):
            assert self.names is not None
            name = self.names.inner(owner, expr)
            self.steps[name] = DerivedStep(name, owner, g, frozenset(names_in(g) & self.steps.keys()), INNER, expr)
            g = Var(name, shape=expr.shape)
        super().push(expr, g, ans, owner, fence)

    def worth_a_step(self, part: Call, g: Expr, owner: str) -> bool:
        """g, the gradient at an unnamed part of owner's definition, would be copied or is long, and the
        next rule need not see inside it; the part is written once in the definition (a form's
        primitive, built by the walk, is not a part)."""
        if not longer_than(g, COPIED) or passes_as_expression(g, part, self.fusing):
            return False
        ids, written = self.parts_of(owner)
        if id(part) not in ids or written[part] > 1:
            return False
        return len(names_in(part) & self.varying) > 1 or longer_than(g, LONG)  # several: copied to each

    @cached_property
    def varying(self) -> frozenset[str]:
        """The names a gradient reaches: the leaves, and the definitions that read one (not `eps = 1e-5`)."""
        assert self.network is not None
        out = set(self.network.leaves)
        for name, used in self.network.reads.items():
            if any(u in out for u in used):
                out.add(name)
        return frozenset(out)

    def parts_of(self, owner: str) -> tuple[set[int], dict[Expr, int]]:
        if owner not in self.parts:
            assert self.network is not None
            ids: set[int] = set()
            written: dict[Expr, int] = {}
            stack = [self.network.definitions[owner]]
            while stack:
                e = stack.pop()
                if isinstance(e, Call):
                    ids.add(id(e))
                    written[e] = written.get(e, 0) + 1
                    stack.extend(e.args)
            self.parts[owner] = ids, written
        return self.parts[owner]


def with_forward_values(network: Network, steps: dict[str, DerivedStep], final: dict[str, Expr],
                        names: StepNames) -> tuple[dict[str, DerivedStep], dict[str, Expr]]:
    """The steps with the forward values they repeat named (each a step before its first use)."""
    owners = owners_of_parts(network)
    values = ForwardValues(network.definitions, owners, steps.__contains__,
                           lambda owner, value: names.forward(owner_of(value, owners, owner), value))
    out: dict[str, DerivedStep] = {}
    emitted = 0

    def add_values() -> None:  # the values just named, before the step that first reads them
        nonlocal emitted
        for name, formula, owner in values.made[emitted:]:
            meaning = values.meaning[name]
            out[name] = DerivedStep(name, owner_of(meaning, owners, owner), formula,
                                    frozenset(names_in(formula) & out.keys()), FORWARD, meaning, meaning in owners)
        emitted = len(values.made)

    for step in steps.values():
        formula = values.reuse(step.formula, step.of)
        add_values()
        out[step.name] = DerivedStep(step.name, step.of, formula, frozenset(names_in(formula) & out.keys()),
                                     step.kind, step.at)
    leaves = {}
    for leaf, formula in final.items():
        leaves[leaf] = values.reuse(formula, leaf)
        add_values()
    return out, leaves


def owners_of_parts(network: Network) -> dict[Expr, str]:
    """Each part of a definition (as a value) → the first node whose definition writes it."""
    out: dict[Expr, str] = {}
    for name, definition in network.definitions.items():
        stack = [definition]
        while stack:
            e = stack.pop()
            if isinstance(e, Call):
                out.setdefault(e, name)
                stack.extend(e.args)
    return out


def owner_of(value: Expr, owners: dict[Expr, str], otherwise: str) -> str:
    """The node whose definition writes the value, or the largest part of it (GELU's tanh(…) is U1's
    when the pre-activation inside it is); `otherwise` when it holds no part."""
    if value in owners:
        return owners[value]
    inside = [p for p in unique_nodes(value) if isinstance(p, Call) and p in owners]
    return owners[max(inside, key=lambda p: expanded_size(p, 10**6))] if inside else otherwise


def longer_than(e: Expr, limit: int) -> bool:
    """Its code is longer than `limit` characters (measured without writing out a long one)."""
    return expanded_size(e, limit) > limit or len(code(e)) > limit


def passes_as_expression(g: Expr, node: Expr, fusing: Fusing) -> bool:
    """A gradient that is sent on as it is, not named: a name, a number, a repeated number, or one
    divided by the node itself, which the next rule cancels."""
    if isinstance(g, (Var, Const, DimRef)) or is_zero(g):
        return True
    if is_call(g, "broadcast_to"):  # repeated along an axis: the rule that reads it absorbs the repetition
        return True
    if g.shape and fusing.target_scale(g, len(g.shape) - 1, len(g.shape)) is not None:  # -onehot(y, K) / N: the
        return True                                                               # softmax's rule cancels it
    return divides_by(g, node)


def divides_by(g: Expr, node: Expr) -> bool:
    """g divides by the node, or by 1 - node, somewhere: -Y / N / probs, (Y - 1) / (1 - AL)."""
    stack = [g]
    while stack:
        e = stack.pop()
        if isinstance(e, Call):
            if e.prim == "div" and any(b == node or (is_call(b, "sub") and b.args[1] == node)
                                       for b, k in product_of(e.args[1]).powers if k > 0):
                return True
            stack.extend(e.args)
    return False
