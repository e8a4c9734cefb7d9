"""Which leaves are labels: one-hot along the axis a softmax normalises.

They are sampled that way for numbers, and they let the softmax + cross-entropy
gradient simplify to `yhat - y` (an assumption stated wherever it is used). A
label is read from how the loss uses it, in every spelling courses write:
`cross_entropy(y, softmax(z))`, `y * log(softmax(z))`, `y * log_softmax(z)`, the
picked probability `log(sum(p * y, axis))`, and `sum(y * z, axis)` beside the
log-sum-exp of the same z; a softmax or log-sum-exp may be written out by hand
(forms.py).
"""
from __future__ import annotations

from collections.abc import Mapping

from .forms import Form
from ..language.ir import Call, Expr, Var, walk
from ..language.network import Network
from ..language.shapes import normalize_axes


def one_hot_labels(network: Network, forms: Mapping[tuple[str, Expr], Form]) -> dict[str, int]:
    """Leaf name → the axis along which it is a one-hot label, given the forms written out by hand."""
    found: dict[str, set[int]] = {}
    owner_of: dict[int, str] = {}

    def resolve(e: Expr) -> tuple[Expr, str | None]:
        if isinstance(e, Var) and e.name in network.definitions:
            return network.definitions[e.name], e.name
        return e, owner_of.get(id(e))

    def normalised(e: Expr, prims: tuple[str, ...]) -> tuple[int, int] | tuple[None, None]:
        """(axis, rank) of the softmax (or log-softmax) that e is, written with the function or out by hand."""
        e, owner = resolve(e)
        if isinstance(e, Call) and e.prim not in prims and owner is not None:
            form = forms.get((owner, e))
            e = form.call if form is not None else e
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

    logits: list[tuple[Expr, int]] = []  # what a log-sum-exp is taken of, and along which axis
    for name, expr in network.definitions.items():
        for node in walk(expr):
            owner_of[id(node)] = name
            form = forms.get((name, node)) if isinstance(node, Call) else None
            if form is not None and form.call.prim == "logsumexp":
                logits.append((form.call.args[0], normalize_axes(None, form.call.args[0].shape,
                                                                 form.call.param("axis"))[0]))

    for name, expr in network.definitions.items():
        for node in walk(expr):
            if not isinstance(node, Call):
                continue
            if node.prim == "cross_entropy":
                y, p = node.args
                axis, rank = normalised(p, ("softmax",))
                if axis is None and y.shape:
                    axis, rank = len(y.shape) - 1, len(y.shape)
                note(y, axis, rank)
            elif node.prim == "mul":
                for y, other in (node.args, node.args[::-1]):
                    inner, _ = resolve(other)
                    if isinstance(inner, Call) and inner.prim == "log":
                        note(y, *normalised(inner.args[0], ("softmax",)))
                    else:
                        note(y, *normalised(other, ("log_softmax",)))
            elif node.prim == "log":
                picked(node, normalised, note, resolve)
            elif node.prim == "sum":
                beside_logsumexp(node, logits, note, resolve)
    out = {name: axes.pop() for name, axes in found.items() if len(axes) == 1 and -1 not in axes}
    out.update({name: len(network.leaves[name]) - 1 for name in network.onehot})  # declared `onehot[N, K]`
    return out


def picked(log: Call, normalised, note, resolve) -> None:
    """log(sum(p * y, axis)): the probability a one-hot y picks out of the softmax p."""
    total, _ = resolve(log.args[0])
    if not (isinstance(total, Call) and total.prim == "sum" and isinstance(total.args[0], Call)
            and total.args[0].prim == "mul"):
        return
    axes = normalize_axes(None, total.args[0].shape, total.param("axis"))
    for p, y in (total.args[0].args, total.args[0].args[::-1]):
        axis, rank = normalised(p, ("softmax",))
        if axis is not None and axes == (axis,) and y.shape == p.shape:
            note(y, axis, rank)


def beside_logsumexp(total: Call, logits: list[tuple[Expr, int]], note, resolve) -> None:
    """sum(y * z, axis) where the loss also takes the log-sum-exp of z along that axis: y picks z's entry."""
    inner, _ = resolve(total.args[0])
    if not (isinstance(inner, Call) and inner.prim == "mul"):
        return
    axes = normalize_axes(None, inner.shape, total.param("axis"))
    for y, z in (inner.args, inner.args[::-1]):
        for x, axis in logits:
            if (x == z or resolve(x)[0] == resolve(z)[0]) and axes in ((axis,), tuple(range(len(z.shape)))) \
                    and y.shape == z.shape:
                note(y, axis, len(z.shape))
