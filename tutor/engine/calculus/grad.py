"""Reverse accumulation over a network: the walker that knows no math.

It visits the definitions from the loss backwards, hands each operation's
incoming gradient to that primitive's rules in `vjp`, undoes broadcasting, and
sums the contributions that reach a name from several uses.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from ..simplify.algebra import mk, names_of, zero_like
from ..idioms.forms import Form, recognise
from ..language.ir import Call, Const, Expr, Var, deep_recursion, names_in
from ..language.network import Network
from ..idioms.targets import find_targets
from ..simplify.views import NAMES, TARGETS, USED, Assumption, Names
from .vjp import over, unbroadcast, vjp_rules


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
    loss = network.loss
    walk = Walk({**vjp_rules, **(rules or {})}, dict(seeds) if seeds is not None else {loss: Const(1)}, network)
    with deep_recursion(), assuming(network) as used:
        for name in reversed(network.definitions):
            g = walk.grads.get(name)
            if g is not None:
                walk.push(network.definitions[name], g, Var(name, shape=network.shapes[name]), name)
    return Gradients(loss, walk.grads, tuple(dict.fromkeys(used)))


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
        return names_of(network.definitions, network.shapes, lambda name, expr: whole(network, name, expr))


def whole(network: Network, name: str, expr: Expr) -> Expr | None:
    form = recognise(expr, network, name)
    return form.call if form is not None and form.call.prim in ("softmax", "log_softmax") else None


@dataclass
class Walk:
    """Gradients so far, the rules, and the names that a written-out form has already passed by.

    A form (forms.py: a softmax written out, a log-sum-exp) sends the gradient through its
    primitive's rule in one step; the names computed inside it still get their own gradients,
    but deliver them only to each other (`fences`), never again to what the form reaches.
    """

    table: dict
    grads: dict[str, Expr]
    network: Network | None = None
    fences: dict[str, frozenset[str]] = field(default_factory=dict)

    def push(self, expr: Expr, g: Expr, ans: Expr, owner: str | None = None, fence: frozenset[str] | None = None):
        """Send g, the gradient at `expr` (whose value is `ans`), down to the names it reads."""
        fence = self.fences.get(owner) if fence is None else fence
        if isinstance(expr, Var):
            if fence is None or expr.name in fence:
                self.grads[expr.name] = mk("add", self.grads[expr.name], g) if expr.name in self.grads else g
            return
        if not isinstance(expr, Call):
            return
        form = recognise(expr, self.network, owner) if self.network and owner and fence is None else None
        if form is not None:
            self.through_form(form, expr, g, ans, owner)
            return
        params = dict(expr.params)
        for rule, arg in zip(self.table[expr.prim], expr.args):
            if rule is None or not names_in(arg):
                continue
            local = unbroadcast(rule(g, ans, *expr.args, **params), arg.shape)
            self.push(arg, local, arg, owner, fence)

    def through_form(self, form: Form, expr: Call, g: Expr, ans: Expr, owner: str) -> None:
        if not isinstance(ans, Var):  # written inline: g divided by the pieces is divided by the function
            k = over(g, expr)
            g, ans = (g if k is None else k / form.call), form.call
        self.push(form.call, g, ans, owner)
        for shift in form.shifts:  # through the form, a shift's gradient is exactly zero
            for name in names_in(shift):
                self.grads.setdefault(name, zero_like(Var(name, shape=self.network.shapes[name])))
        if form.inside:
            for name in form.inside:
                self.fences[name] = form.inside
            self.push(expr, g, ans, owner, fence=form.inside)


def push(expr: Expr, g: Expr, ans: Expr, grads: dict[str, Expr], table: dict | None = None) -> None:
    """Send g, the gradient at `expr` (whose value is `ans`), down to the names it reads (no forms)."""
    Walk(vjp_rules if table is None else table, grads).push(expr, g, ans)


def local_vjp(network: Network, of: str, wrt: str, g: Expr) -> Expr | None:
    """The part of ∂/∂wrt that flows through the one definition `of`, for an incoming g."""
    walk = Walk(vjp_rules, {}, network)
    with assuming(network):
        walk.push(network.definitions[of], g, Var(of, shape=network.shapes[of]), of)
    return walk.grads.get(wrt)
