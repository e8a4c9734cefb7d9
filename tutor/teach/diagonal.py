"""The diagonal of an elementwise step's Jacobian, in the network's own symbols.

For h = sigmoid(z1) each entry of h depends on the same entry of z1 alone, so ∂h/∂z1 is zero off
its diagonal and holds σ′(z1) = h ∘ (1 − h) on it: diag(σ′(z1)). A product with a diagonal matrix
is the elementwise product ∘, which is why the backward step is `dz1 = dh * h * (1 - h)`. The walk,
`derive` and `check` name this diagonal wherever they show such a step.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..engine.calculus.grad import local_vjp
from ..engine.language.dims import ONE
from ..engine.language.ir import Call, Const, Expr, Var
from ..engine.language.network import Network
from .answers import diagonal_step

#: How a teacher names the derivative of an activation applied to u.
PRIMES = {"sigmoid": "σ′", "tanh": "tanh′", "relu": "relu′", "exp": "exp′", "log": "log′", "sqrt": "sqrt′",
          "abs": "abs′", "square": "square′", "log1p": "log1p′"}


@dataclass(frozen=True)
class Diagonal:
    """∂of/∂wrt is diag(entries): `entries` in the network's names, `prime` as a teacher writes it."""

    of: str
    wrt: str
    entries: Expr          # the vector on the diagonal: h * (1 - h)
    prime: str             # "σ′(z1)" when `of` is one function of wrt, else ""

    @property
    def identity(self) -> bool:
        """1 on the diagonal: the gradient passes through unchanged (y = x + …)."""
        return isinstance(self.entries, Const) and self.entries.value == 1


def diagonal(network: Network, of: str, wrt: str) -> Diagonal | None:
    """The diagonal of ∂of/∂wrt when the step is elementwise (`diagonal_step`), else None."""
    if not diagonal_step(network, of, wrt) or all(d == ONE for d in network.shapes[of]):
        return None  # a scalar's derivative is a number, not a diagonal
    entries = local_vjp(network, of, wrt, Const(1))
    while isinstance(entries, Call) and entries.prim == "broadcast_to":  # the same number on every entry
        entries = entries.args[0]
    if entries is None:
        return None
    expr = network.definitions[of]
    prime = ""
    if isinstance(expr, Call) and expr.prim in PRIMES and len(expr.args) == 1 and isinstance(expr.args[0], Var) \
            and expr.args[0].name == wrt:
        prime = f"{PRIMES[expr.prim]}({wrt})"
    elif isinstance(expr, Call) and expr.prim == "maximum" and any(isinstance(a, Const) and a.value == 0
                                                                    for a in expr.args) \
            and any(isinstance(a, Var) and a.name == wrt for a in expr.args):
        prime = f"relu′({wrt})"
    return Diagonal(of, wrt, entries, prime)
