"""The forward values a step repeats, named once: `zU1 = n2_1 @ W1_1 + b1_1`, then `… zU1 …`.

A derivative rule writes its operand's value wherever the derivative needs it: GELU's derivative
at an unnamed pre-activation spells the pre-activation out six times and `tanh(…)` of it twice. A
teacher names such a value once, in the forward pass, and uses the name. Here a value is named when
one step's formula (or a leaf's last one) writes it more than once, it is a value of the forward
pass (computed from the network's names and no gradient: a part of a definition, or a nonlinear
function of one or of a name), and it is more than a name seen another way (`W.T`,
`swapaxes(V, -1, -2)`, `onehot(y, K)`) or a few characters. The largest repeated value is named
first, so `tanh(…zU1…)` becomes `tU1` and the pre-activation inside it `zU1`. A value named once
is used by name in every later step, and one that is a node's own definition is called by the node.

The forward values of different steps are not merged: `var + eps` in `dvar` and again in `dxc` is
written as the course writes it.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import replace

from ..language.ir import Call, Const, DimRef, Expr, Var, expanded_size, names_in
from ..language.printer import code

#: Calls that only look at one name another way: never worth a name of their own.
VIEWS = frozenset({"transpose", "swapaxes", "reshape", "moveaxis", "expand_dims", "squeeze", "broadcast_to",
                   "onehot", "neg", "copy"})

#: What a gradient is built of when the loss is linear in a node: a value made only of these (and
#: no part of a definition) is a piece of a gradient, not of the forward pass.
LINEAR = VIEWS | {"add", "sub", "mul", "div", "matmul", "sum", "mean", "einsum", "outer", "dot", "index"}

#: A repeated value shorter than this (characters of code) is written out again.
SHORTEST = 8


class ForwardValues:
    """The values named so far (each once), and a way to name more."""

    def __init__(self, definitions: Mapping[str, Expr], parts: Collection[Expr], gradients: Callable[[str], bool],
                 name_for: Callable[[str, Expr], str]):
        self.nodes: dict[Expr, str] = {e: n for n, e in definitions.items() if isinstance(e, Call)}  # a node's value
        self.parts = parts                # every part of every definition
        self.is_gradient = gradients      # a name that holds a gradient (such a value is not forward)
        self.name_for = name_for          # (owner, value in the network's names) → a fresh name
        self.known: dict[Expr, Var] = {}  # a value as it is written in the steps → its name
        self.meaning: dict[str, Expr] = {}  # a value's name → the value in the network's names
        self.made: list[tuple[str, Expr, str]] = []  # (name, formula, owner) of each value named, in order

    def reuse(self, formula: Expr, owner: str) -> Expr:
        """The formula with every value already named used by name, and its own repeated values named."""
        formula = substitute(formula, self.known)
        while True:
            repeated = [e for e, n in occurrences(formula).items() if n > 1 and self.worth_a_name(e)]
            if not repeated:
                return formula
            sizes: dict[int, int] = {}   # one count of the shared parts for all of them
            value = max(repeated, key=lambda e: expanded_size(e, 10**6, sizes))
            self.name(value, owner)
            formula = substitute(formula, self.known)

    def name(self, value: Expr, owner: str) -> None:
        meaning = substitute(value, {Var(n): e for n, e in self.meaning.items()})
        node = self.nodes.get(meaning)
        if node is not None:  # the network names it already
            self.known[value] = Var(node, shape=value.shape)
            return
        formula = self.reuse(value, owner)  # its own repeated parts first, so they come before it
        name = self.name_for(owner, meaning)
        self.known[value] = self.known[formula] = Var(name, shape=value.shape)
        self.meaning[name] = meaning
        self.made.append((name, formula, owner))

    def worth_a_name(self, e: Expr) -> bool:
        if not isinstance(e, Call) or (e.prim in VIEWS and all(isinstance(a, (Var, Const, DimRef)) for a in e.args)):
            return False
        names = names_in(e)
        if not names or any(self.is_gradient(n) for n in names):
            return False
        if expanded_size(e, SHORTEST) <= SHORTEST and len(code(e)) < SHORTEST:
            return False
        # a value of the forward pass: a part of a definition, a function of one (GELU's tanh(…)) or of a
        # name (tanh(… x …)); not a piece of a gradient that happens to read no step (sum(V.T, axis=0))
        return any(isinstance(p, Var) and p.name in self.meaning or isinstance(p, Call) and
                   (p in self.parts or p.prim not in LINEAR) for p in unique_nodes(e))


def unique_nodes(e: Expr) -> list[Expr]:
    """Every node of e's shared tree, once."""
    out: list[Expr] = []
    seen: set[int] = set()
    stack = [e]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            out.append(node)
            if isinstance(node, Call):
                stack.extend(node.args)
    return out


def occurrences(formula: Expr) -> dict[Expr, int]:
    """How often each sub-expression is written in the formula's text (a shared part counts each time
    it is written), in time linear in the shared tree."""
    order: list[Expr] = []
    seen: set[int] = set()
    stack: list[tuple[Expr, bool]] = [(formula, False)]
    while stack:  # post-order over the shared tree, each node once
        node, done = stack.pop()
        if done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            if isinstance(node, Call):
                stack.extend((a, False) for a in node.args)
    times = {id(formula): 1}
    out: dict[Expr, int] = {}
    for node in reversed(order):  # every node before its parts
        n = times.get(id(node), 0)
        if isinstance(node, Call):
            out[node] = out.get(node, 0) + n
            for a in node.args:
                times[id(a)] = times.get(id(a), 0) + n
    return out


def substitute(formula: Expr, names: Mapping[Expr, Expr]) -> Expr:
    """The formula with each sub-expression found in `names` replaced by what it maps to."""
    if not names:
        return formula
    done: dict[int, Expr] = {}
    stack = [formula]
    while stack:  # post-order without recursion: a formula may be deep
        node = stack.pop()
        if id(node) in done:
            continue
        if node in names:
            done[id(node)] = names[node]
            continue
        if not isinstance(node, Call):
            done[id(node)] = node
            continue
        pending = [a for a in node.args if id(a) not in done]
        if pending:
            stack.append(node)
            stack.extend(pending)
            continue
        args = tuple(done[id(a)] for a in node.args)
        done[id(node)] = node if all(a is b for a, b in zip(args, node.args)) else replace(node, args=args)
    return done[id(formula)]
