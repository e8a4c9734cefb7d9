"""A long gradient as the steps a teacher writes: `dxhat = G * gamma`, `dvar = …`, `dmu = …`, `dX = …`.

The walk is the backward pass itself with one change: once a node's gradient is complete, the
node's step name (`dxhat`) is sent on instead of the expression, and the expression becomes that
step. Some gradients are sent on as expressions, because a teacher never writes them as steps: a
bare name, number or broadcast number, a scaled one-hot label (`-onehot(y, K) / N`, which the
softmax's rule turns into `probs - onehot(y, K)`), and a gradient divided by the node itself (`-Y / N / probs`
at a softmax's output, the cross-entropy's at a sigmoid's): the next rule cancels that division
(`probs - Y`) and needs to see it.

Every step is an expression of the language over the network's names and the earlier steps, so
the steps, evaluated in order, give the gradient, and pasted into `check` they are a derivation
whose every line is a right claim.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from ..simplify.algebra import is_call, is_zero
from .fusions import Fusing
from .grad import Walk
from ..idioms.canonical import canonical
from ..language.ir import Call, Const, DimRef, Expr, Var, deep_recursion, names_in
from ..language.table import FUNCTIONS
from ..language.network import Network
from ..language.printer import code
from ..simplify.views import product_of
from .vjp import vjp_rules


@dataclass(frozen=True)
class DerivedStep:
    name: str       # dxhat
    of: str         # the node whose gradient it is: xhat
    formula: Expr
    uses: frozenset[str] = field(default=frozenset(), compare=False)  # the earlier steps it reads

    @cached_property
    def code(self) -> str:
        return code(self.formula)


def steps_for(network: Network, leaf: str) -> tuple[DerivedStep, ...]:
    """The steps that ∂loss/∂leaf needs, in order, the leaf's own last (empty when it has no gradient)."""
    table, final = named_walk(network)
    if leaf not in final:
        return ()
    last = DerivedStep(step_name(network, leaf, set(table)), leaf, final[leaf],
                       frozenset(names_in(final[leaf])) & set(table))
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
    """(the steps by name, in walk order; each leaf's gradient in terms of them)."""
    network, facts = canonical(network)
    walk = Walk(vjp_rules, {network.loss: Const(1)}, network, Fusing(facts))
    steps: dict[str, DerivedStep] = {}
    with deep_recursion():
        for name in reversed(network.definitions):
            g = walk.grads.get(name)
            if g is None:
                continue
            if not passes_as_expression(g, name, walk.fusing) and name != network.loss:
                step = DerivedStep(step_name(network, name, set(steps)), name, g, frozenset(names_in(g)) & set(steps))
                steps[step.name] = step
                g = Var(step.name, shape=network.shapes[name])
            walk.push(network.definitions[name], g, Var(name, shape=network.shapes[name]), name)
    return steps, {leaf: walk.grads[leaf] for leaf in network.leaves if leaf in walk.grads}


def passes_as_expression(g: Expr, name: str, fusing: Fusing) -> bool:
    """A gradient that is sent on as it is, not named: a name, a number, a repeated number, or one
    divided by the node itself, which the next rule cancels."""
    if isinstance(g, (Var, Const, DimRef)) or is_zero(g):
        return True
    if is_call(g, "broadcast_to"):  # repeated along an axis: the rule that reads it absorbs the repetition
        return True
    if g.shape and fusing.target_scale(g, len(g.shape) - 1, len(g.shape)) is not None:  # -onehot(y, K) / N: the
        return True                                                               # softmax's rule cancels it
    return divides_by(g, Var(name))


def divides_by(g: Expr, node: Var) -> bool:
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


def step_name(network: Network, node: str, taken: set[str]) -> str:
    """dNAME (a claim `check` understands), or d_NAME / grad_NAME when the network uses dNAME already."""
    for candidate in (f"d{node}", f"d_{node}", f"grad_{node}"):
        if candidate not in network.shapes and candidate not in network.dims and candidate not in FUNCTIONS \
                and candidate not in taken:
            return candidate
    i = 2
    while f"d{node}_{i}" in network.shapes or f"d{node}_{i}" in taken:
        i += 1
    return f"d{node}_{i}"
