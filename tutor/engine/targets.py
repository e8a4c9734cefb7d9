"""Which leaves are labels: one-hot along the axis a softmax normalises.

They are sampled that way for numbers, and they let the softmax + cross-entropy
gradient simplify to `yhat - y` (an assumption stated wherever it is used).
"""
from __future__ import annotations

from functools import lru_cache

from .ir import Call, Expr, Var, walk
from .network import Network
from .shapes import normalize_axes


@lru_cache(maxsize=16)
def find_targets(network: Network) -> dict[str, int]:
    """Leaf name → the axis along which it is a one-hot label."""
    found: dict[str, set[int]] = {}

    def resolve(e: Expr) -> Expr:
        return network.definitions.get(e.name, e) if isinstance(e, Var) else e

    def softmax_axis(e: Expr, prims: tuple[str, ...]) -> tuple[int, int] | tuple[None, None]:
        """(axis, rank) of the softmax that e is, or (None, None)."""
        e = resolve(e)
        if isinstance(e, Call) and e.prim in prims:
            axes = normalize_axes(e, e.args[0].shape, e.param("axis", -1))
            if len(axes) == 1:  # over several axes at once (a spatial softmax) there is no one-hot axis
                return axes[0], len(e.args[0].shape)
        return None, None

    def note(y: Expr, axis: int | None, rank: int | None = None) -> None:
        """Record y as one-hot along `axis` (counted in an operand of `rank` axes, right-aligned)."""
        if not (isinstance(y, Var) and y.name in network.leaves) or axis is None:
            return
        shape = network.leaves[y.name]
        own = axis - ((rank if rank is not None else len(shape)) - len(shape))
        if 0 <= own < len(shape) and not (shape[own].is_literal and shape[own].coeff == 1):
            found.setdefault(y.name, set()).add(own)
        else:  # broadcast along the normalised axis: it cannot sum to 1 there
            found.setdefault(y.name, set()).add(-1)

    for expr in network.definitions.values():
        for node in walk(expr):
            if not isinstance(node, Call):
                continue
            if node.prim == "cross_entropy":
                y, p = node.args
                axis, rank = softmax_axis(p, ("softmax",))
                if axis is None and y.shape:
                    axis, rank = len(y.shape) - 1, len(y.shape)
                note(y, axis, rank)
            elif node.prim == "mul":
                for y, other in (node.args, node.args[::-1]):
                    other = resolve(other)
                    if isinstance(other, Call) and other.prim == "log":
                        note(y, *softmax_axis(other.args[0], ("softmax",)))
                    else:
                        note(y, *softmax_axis(other, ("log_softmax",)))
    out = {name: axes.pop() for name, axes in found.items() if len(axes) == 1 and -1 not in axes}
    out.update({name: len(network.leaves[name]) - 1 for name in network.onehot})  # declared `onehot[N, K]`
    return out
