"""Reverse accumulation over a network: the walker that knows no math.

It visits the definitions from the loss backwards, hands each operation's
incoming gradient to that primitive's rules in `vjp`, undoes broadcasting, and
sums the contributions that reach a name from several uses.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from functools import lru_cache

from .algebra import mk, names_of
from .ir import Call, Const, Expr, Var, deep_recursion, names_in
from .network import Network
from .targets import find_targets
from .views import NAMES, Names
from .vjp import TARGETS, USED, Assumption, unbroadcast, vjp_rules


@dataclass(frozen=True)
class Gradients:
    """∂loss/∂name for every node the loss depends on, as expressions."""

    of: str
    wrt: dict[str, Expr]
    assumptions: tuple[Assumption, ...]


def backward(network: Network, seeds: dict[str, Expr] | None = None,
             rules: dict | None = None) -> Gradients:
    """Gradients of the loss (or of the given seeds' sum) with respect to every node.

    `rules` overrides entries of the rule table: that is how a learner's
    classic mistakes (a missing activation derivative, …) are reproduced.
    """
    table = {**vjp_rules, **(rules or {})}
    loss = network.loss
    grads: dict[str, Expr] = dict(seeds) if seeds is not None else {loss: Const(1)}
    with deep_recursion(), assuming(network) as used:
        for name in reversed(network.definitions):
            g = grads.get(name)
            if g is not None:
                push(network.definitions[name], g, Var(name, shape=network.shapes[name]), grads, table)
    return Gradients(loss, grads, tuple(dict.fromkeys(used)))


@contextmanager
def assuming(network: Network):
    """The network's labels for the softmax rules, and a list collecting the assumptions used."""
    used: list[Assumption] = []
    token_t, token_u = TARGETS.set(find_targets(network)), USED.set(used)
    token_n = NAMES.set(network_names(network))
    try:
        yield used
    finally:
        NAMES.reset(token_n)
        TARGETS.reset(token_t)
        USED.reset(token_u)


@lru_cache(maxsize=16)
def network_names(network: Network) -> Names:
    """The network's definitions as the rules read them, so formulas can use the network's own names."""
    with deep_recursion():
        return names_of(network.definitions, network.shapes)


def push(expr: Expr, g: Expr, ans: Expr, grads: dict[str, Expr], table: dict | None = None) -> None:
    """Send g, the gradient at `expr` (whose value is `ans`), down to the names it reads."""
    table = vjp_rules if table is None else table
    if isinstance(expr, Var):
        grads[expr.name] = mk("add", grads[expr.name], g) if expr.name in grads else g
        return
    if not isinstance(expr, Call):
        return
    params = dict(expr.params)
    for rule, arg in zip(table[expr.prim], expr.args):
        if rule is None or not names_in(arg):
            continue
        local = unbroadcast(rule(g, ans, *expr.args, **params), arg.shape)
        push(arg, local, arg, grads, table)


def local_vjp(network: Network, of: str, wrt: str, g: Expr) -> Expr | None:
    """The part of ∂/∂wrt that flows through the one definition `of`, for an incoming g."""
    grads: dict[str, Expr] = {}
    with assuming(network):
        push(network.definitions[of], g, Var(of, shape=network.shapes[of]), grads)
    return grads.get(wrt)
