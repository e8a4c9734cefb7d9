"""Which dimensions a network's loss averages over: J = (1/m)·Σ…, sum(…)/m, mean(…).

A course that writes its errors per example (deeplearning.ai's dZ2 = A2 − Y) means m·∂J/∂Z2 only
when the loss is an average over m; for a summed loss the per-example error is ∂J/∂Z2 itself. This
reads the loss's definition, through the names it is written with (J = data_loss + reg_loss), the
signs and constant factors in front, and a sum of terms (each term's average counts: a penalty
beside the data term averages over nothing).
"""
from __future__ import annotations

from .ir import Call, Const, DimRef, Expr, Var
from .network import Network

#: Primitives that leave an average as it is: J = −(…)/m, J = data + penalty, J = sum(mean(…, axis=0)).
THROUGH = {"neg", "add", "sub", "sum"}


def averaged_over(network: Network) -> frozenset[str]:
    """The dimension symbols the loss divides by as an average (empty for a summed loss)."""
    return frozenset(_averages(network.definitions[network.loss], network, depth=0))


def _averages(e: Expr, network: Network, depth: int) -> set[str]:
    if depth > 50:  # a loss written through fifty names is read no further
        return set()
    if isinstance(e, Var) and e.name in network.definitions:
        return _averages(network.definitions[e.name], network, depth + 1)
    if not isinstance(e, Call):
        return set()
    if e.prim in THROUGH:
        return set().union(*(_averages(a, network, depth + 1) for a in e.args))
    if e.prim == "div":
        top, bottom = e.args
        return _averages(top, network, depth + 1) | _divisors(bottom)
    if e.prim == "mul":
        found: set[str] = set()
        for a in e.args:
            found |= _reciprocal(a) if _constant(a) else _averages(a, network, depth + 1)
        return found
    if e.prim == "mean":
        return _mean_axes(e)
    return set()


def _constant(e: Expr) -> bool:
    if isinstance(e, (Const, DimRef)):
        return True
    return isinstance(e, Call) and e.prim in ("div", "mul", "neg") and all(_constant(a) for a in e.args)


def _divisors(e: Expr) -> set[str]:
    """The symbols a constant divides by when it is the bottom of a fraction: m, 2*m, (m*n)."""
    if isinstance(e, DimRef):
        return {e.name}
    if isinstance(e, Call) and e.prim == "mul":
        return set().union(*(_divisors(a) for a in e.args))
    return set()


def _reciprocal(e: Expr) -> set[str]:
    """The symbols of a constant factor that divides: 1/m, 0.5/m, −1/m."""
    if isinstance(e, Call) and e.prim == "div":
        return _divisors(e.args[1])
    if isinstance(e, Call) and e.prim == "neg":
        return _reciprocal(e.args[0])
    return set()


def _mean_axes(e: Call) -> set[str]:
    """mean(x) over all of x, or over the axes given: the symbols of the axes it divides by."""
    shape = e.args[0].shape
    if shape is None:
        return set()
    axis = e.param("axis")
    axes = range(len(shape)) if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
    found: set[str] = set()
    for a in axes:
        if -len(shape) <= a < len(shape):
            found.update(shape[a].names)
    return found
