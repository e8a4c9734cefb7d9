"""Reverse accumulation over a network: the walker that knows no math.

It visits the definitions from the loss backwards, hands each operation's
incoming gradient to that primitive's rule in `vjp` (or to its teacher fusion,
fusions.py, where one applies), simplifies the result with the network's names,
undoes broadcasting, and sums the contributions that reach a name from several
uses. What the network's spellings mean (a softmax written out, a one-hot label)
comes from the canonical pass, once, as facts.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from ..simplify.algebra import Names, zero_like
from ..idioms.canonical import NO_FACTS, Facts, canonical
from ..idioms.forms import Form
from ..language.ir import Call, Const, Expr, Var, deep_recursion, names_in
from ..language.dims import Shape
from ..language.network import Network
from ..simplify.views import Assumption
from .fusions import FUSIONS, Fusing
from .vjp import unbroadcast, vjp_rules


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
    if seeds is None and not rules:  # the network's own gradients: derived once, however many ask
        found = true_gradients(network)
        return Gradients(found.of, dict(found.wrt), found.assumptions)
    return reverse(network, seeds, rules)


@lru_cache(maxsize=16)
def true_gradients(network: Network) -> Gradients:
    """The loss's gradients by the true rules, per network (a check asks for them from several places, and
    on a deep chain each pass costs as much as the rest of the diagnosis)."""
    return reverse(network, None, None)


def reverse(network: Network, seeds: dict[str, Expr] | None, rules: dict | None) -> Gradients:
    loss = network.loss
    network, facts = canonical(network)
    walk = Walk({**vjp_rules, **(rules or {})}, dict(seeds) if seeds is not None else {loss: Const(1)}, network,
                Fusing(facts))
    with deep_recursion():
        for name in reversed(network.definitions):
            g = walk.grads.get(name)
            if g is not None:
                walk.push(network.definitions[name], g, Var(name, shape=network.shapes[name]), name)
    return Gradients(loss, walk.grads, tuple(dict.fromkeys(walk.fusing.used)))


def names_of_network(network: Network) -> Names:
    """The network's names, as `rebuild` takes them to write its expressions by hand."""
    return canonical(network)[1].names


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
    fusing: Fusing = field(default_factory=Fusing)
    fences: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def facts(self) -> Facts:
        return self.fusing.facts

    def push(self, expr: Expr, g: Expr, ans: Expr, owner: str | None = None,
             fence: frozenset[str] | None = None) -> None:
        """Send g, the gradient at `expr` (whose value is `ans`), down to the names it reads."""
        fence = self.fences.get(owner) if fence is None and owner is not None else fence
        if isinstance(expr, Var):
            if fence is None or expr.name in fence:
                self.grads[expr.name] = (self.fusing.mk("add", self.grads[expr.name], g) if expr.name in self.grads
                                         else g)
            return
        if not isinstance(expr, Call):
            return
        form = self.facts.form(owner, expr) if fence is None else None
        if form is not None:
            self.through_form(form, expr, g, ans, owner)
            return
        params = dict(expr.params)
        rules = self.table[expr.prim]
        fusion = FUSIONS.get(expr.prim) if rules is vjp_rules.get(expr.prim) else None
        for position, (rule, arg) in enumerate(zip(rules, expr.args)):
            if rule is None or not names_in(arg):
                continue
            fused = fusion(self.fusing, g, ans, *expr.args, **params) if fusion and position == 0 else None
            local = local_gradient(rule, g, ans, expr.args, params, arg.shape, self.fusing, fused)
            self.push(arg, local, arg, owner, fence)

    def through_form(self, form: Form, expr: Call, g: Expr, ans: Expr, owner: str | None) -> None:
        g, ans = self.fusing.through_written_form(form, expr, g, ans)
        self.push(form.call, g, ans, owner)
        assert self.network is not None  # a form is found only in a network's definitions
        for shift in form.shifts:  # through the form, a shift's gradient is exactly zero
            for name in names_in(shift):
                self.grads.setdefault(name, zero_like(Var(name, shape=self.network.shapes[name])))
        if form.inside:
            for name in form.inside:
                self.fences[name] = form.inside
            self.push(expr, g, ans, owner, fence=form.inside)


def local_gradient(rule: Callable[..., Expr], g: Expr, ans: Expr, args: tuple[Expr, ...], params: dict,
                   shape: Shape, fusing: Fusing, fused: Expr | None = None) -> Expr:
    """One rule's gradient for one argument (or the fusion's, when it gave one), simplified with the
    network's names and summed back to the argument's shape."""
    local = fused if fused is not None else rule(g, ans, *args, **params)
    return unbroadcast(fusing.simplify(local), shape, fusing)


def rule_gradient(node: Call, position: int, g: Expr, facts: Facts = NO_FACTS) -> Expr | None:
    """The derivative rule's gradient for one argument of one operation (its value standing for the
    output), simplified with the facts' names and summed back to the argument's shape."""
    rule = vjp_rules[node.prim][position]
    if rule is None:
        return None
    fusing, params = Fusing(facts), dict(node.params)
    fusion = FUSIONS.get(node.prim) if position == 0 else None
    fused = fusion(fusing, g, node, *node.args, **params) if fusion else None
    return local_gradient(rule, g, node, node.args, params, node.args[position].shape, fusing, fused)


def push(expr: Expr, g: Expr, ans: Expr, grads: dict[str, Expr], table: dict | None = None,
         facts: Facts = NO_FACTS) -> list[Assumption]:
    """Send g, the gradient at `expr` (whose value is `ans`), down to the names it reads (no forms);
    gives the assumptions the rules relied on."""
    walk = Walk(vjp_rules if table is None else table, grads, fusing=Fusing(facts))
    walk.push(expr, g, ans)
    return walk.fusing.used


def local_vjp(network: Network, of: str, wrt: str, g: Expr) -> Expr | None:
    """The part of ∂/∂wrt that flows through the one definition `of`, for an incoming g."""
    return local_vjps(network, of, g).get(wrt)


def local_vjps(network: Network, of: str, g: Expr) -> dict[str, Expr]:
    """For every name the definition `of` reads, the part of its gradient that flows through `of`, for an
    incoming g: one pass through the definition gives them all."""
    network, facts = canonical(network)
    walk = Walk(vjp_rules, {}, network, Fusing(facts))
    walk.push(network.definitions[of], g, Var(of, shape=network.shapes[of]), of)
    return walk.grads
