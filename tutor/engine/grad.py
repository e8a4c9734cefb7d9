"""Reverse accumulation over a network: the walker that knows no math.

It visits the definitions from the loss backwards, hands each operation's
incoming gradient to that primitive's rules in `vjp`, undoes broadcasting, and
sums the contributions that reach a name from several uses.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from .algebra import mk
from .ir import Call, Const, Expr, Var, deep_recursion, names_in
from .network import Network
from .targets import find_targets
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
    fused = written_out_softmax(network) if "softmax" not in (rules or {}) else {}
    done: set[str] = set()
    with deep_recursion(), assuming(network) as used:
        for name in reversed(network.definitions):
            g = grads.get(name)
            if g is None or name in done:
                continue
            if name in fused:  # exp(z) / sum(exp(z)): the softmax's own rule, as a teacher writes it
                exps, z, target, axis = fused[name]
                through: dict[str, Expr] = {}
                push(network.definitions[name], g, Var(name, shape=network.shapes[name]), through, table)
                grads[exps] = add(grads.get(exps), through[exps])  # for a learner's dexp_scores
                gz = vjp_rules["softmax"][0](g, Var(name, shape=network.shapes[name]), z, axis=axis)
                if target is not z:  # a max-shift: the softmax does not change, nor does its gradient
                    grads[z.name] = add(grads.get(z.name), gz)
                    done.add(z.name)
                push(target, gz, target, grads, table)
                done.add(exps)
                continue
            push(network.definitions[name], g, Var(name, shape=network.shapes[name]), grads, table)
    return Gradients(loss, grads, tuple(dict.fromkeys(used)))


def add(a: Expr | None, b: Expr) -> Expr:
    return b if a is None else mk("add", a, b)


def written_out_softmax(network: Network) -> dict[str, tuple[str, Expr, Expr, int]]:
    """P = E / sum(E, axis, keepdims=True) with E = exp(z) read only there: P → (E, z, where the gradient goes,
    axis). When z = a - max(a, axis, keepdims=True) is read only by E, the gradient goes to a."""
    out = {}
    defs, readers = network.definitions, network.readers
    for name, expr in defs.items():
        if not (isinstance(expr, Call) and expr.prim == "div"):
            continue
        top, bottom = expr.args
        if not (isinstance(top, Var) and top.name in defs and readers.get(top.name) == [name]
                and isinstance(bottom, Call) and bottom.prim == "sum" and bottom.args[0] == top
                and bottom.param("keepdims") and isinstance(bottom.param("axis"), int)):
            continue
        exp = defs[top.name]
        if not (isinstance(exp, Call) and exp.prim == "exp" and exp.args[0].shape == expr.shape):
            continue
        z, axis = exp.args[0], bottom.param("axis")
        target = z
        shift = defs.get(z.name) if isinstance(z, Var) else None
        if isinstance(shift, Call) and shift.prim == "sub" and readers.get(z.name) == [top.name]:
            a, m = shift.args
            if isinstance(m, Call) and m.prim in ("max",) and m.args[0] == a and m.param("keepdims") \
                    and m.param("axis") in (axis, axis - len(a.shape), axis + len(a.shape)) and a.shape == z.shape:
                target = a
        out[name] = (top.name, z, target, axis)
    return out


@contextmanager
def assuming(network: Network):
    """The network's labels for the softmax rules, and a list collecting the assumptions used."""
    used: list[Assumption] = []
    token_t, token_u = TARGETS.set(find_targets(network)), USED.set(used)
    try:
        yield used
    finally:
        TARGETS.reset(token_t)
        USED.reset(token_u)


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
