"""Fresh names for the steps that stand for something the network leaves unnamed.

A teacher calls the pre-activation inside `U1 = gelu(n2_1 @ W1_1 + b1_1)` `zU1`, its gradient
`dzU1`, and the `tanh(…)` that GELU's derivative uses twice `tU1`. The name is a prefix chosen by
the primitive that computes the value (`z` for a pre-activation or anything else, `t` for tanh, `s`
for sigmoid, `e` for exp, `p` for softmax, `std` for a square root) followed by the node whose
definition holds it, then `_2`, `_3`, … when taken. A name is free when the network does not use
it (a node, a dimension, a name for a dimension or another node), it is not a function, a course
helper or a Python keyword, no step has it, and `check` would not read it as a claim on a node:
`dzU1` claims nothing, because `zU1` is never a node.
"""
from __future__ import annotations

import keyword
from itertools import count

from ..language.ir import Call, Expr
from ..language.network import Network
from ..language.table import FUNCTIONS, HELPERS, claimed_node

#: How the name of a value begins, by the primitive that computes it; any other value is a `z`.
VALUE_PREFIX = {"tanh": "t", "sigmoid": "s", "exp": "e", "softmax": "p", "sqrt": "std"}


class StepNames:
    """The names given so far, and the value each stem stands for, for one network's steps."""

    def __init__(self, network: Network):
        self.nodes = set(network.shapes)
        self.taken = (set(network.shapes) | set(network.dims) | set(network.aliases) | set(network.dim_names)
                      | set(FUNCTIONS) | set(HELPERS) | set(keyword.kwlist))
        self.stems: dict[Expr, str] = {}   # a value (in the network's names) → the stem it is called by
        self.given: set[str] = set()       # the names steps have

    def free(self, name: str) -> bool:
        return name not in self.taken and claimed_node(name, self.nodes) is None

    def gradient(self, node: str) -> str:
        """The name for node's gradient, a claim `check` reads as one: dNODE, or d_NODE / grad_NODE when
        the network uses dNODE already, else dNODE_2, dNODE_3, … (not taken: see `take`)."""
        for candidate in (f"d{node}", f"d_{node}", f"grad_{node}"):
            if candidate not in self.taken:
                return candidate
        return next(f"d{node}_{i}" for i in count(2) if f"d{node}_{i}" not in self.taken)

    def take(self, name: str) -> str:
        self.taken.add(name)
        self.given.add(name)
        return name

    def inner(self, owner: str, value: Expr) -> str:
        """`dSTEM`, the gradient at an unnamed part of owner's definition (STEM is then the value's name too)."""
        stem = self.stems.get(value)
        if stem is None or f"d{stem}" in self.given:   # the same value in two definitions: two gradients
            stem = self.fresh_stem(owner, value)
            self.stems.setdefault(value, stem)
        return self.take(f"d{stem}")

    def forward(self, owner: str, value: Expr) -> str:
        """The name of a forward value: the stem its gradient was given, if it has one."""
        stem = self.stems.get(value)
        if stem is None:
            stem = self.stems[value] = self.fresh_stem(owner, value)
        return self.take(stem)

    def fresh_stem(self, owner: str, value: Expr) -> str:
        """A stem whose name and gradient's name are both free (both are kept for it)."""
        prefix = VALUE_PREFIX.get(value.prim, "z") if isinstance(value, Call) else "z"
        base = prefix + owner if len(prefix) == 1 else f"{prefix}_{owner}"
        for i in count(1):
            stem = base if i == 1 else f"{base}_{i}"
            if self.free(stem) and self.free(f"d{stem}"):
                self.taken.add(f"d{stem}")  # kept for its gradient, so no other stem ends up with that name
                return stem
        raise AssertionError("unreachable")
