"""Numbers for a network: values for every leaf at the bound dimensions.

Labels are one-hot along their softmax axis; everything else is a standard
normal draw, or positive where the forward pass needs it (a `log` of a leaf).
"""
from __future__ import annotations

import numpy as np

from ..errors import TutorError
from ..language.ir import Call, Var, walk
from ..language.network import Network
from .generator import Generator
from .numeric import forward
from ..idioms.canonical import find_targets

MAX_ELEMENTS = 50_000_000  # per array: above this, numbers are refused, not allocated


class TooLarge(TutorError):
    """The dimensions are too large for numbers; everything symbolic still works."""


def leaf_operand(network: Network, expr) -> str | None:
    """The leaf an operand of a product is, read directly or transposed."""
    if isinstance(expr, Call) and expr.prim == "transpose" and len(expr.args) == 1:
        expr = expr.args[0]
    return expr.name if isinstance(expr, Var) and expr.name in network.leaves else None


def product_scales(network: Network, bindings: dict[str, int]) -> dict[str, float]:
    """For each leaf that a matrix product reads, the factor that keeps the product of order one
    for an inner length K: K**-1/4 when the other side is a leaf too (scaled the same way), and
    K**-1/2 when it is a computed value of order one, as in a freshly initialised network. The
    smallest factor over the leaf's products wins."""
    out: dict[str, float] = {}
    for expr in network.definitions.values():
        for node in walk(expr):
            if isinstance(node, Call) and node.prim == "matmul":
                a, b = node.args
                k = a.shape[-1].value(bindings)
                sides = (leaf_operand(network, a), leaf_operand(network, b))
                for name, other in (sides, sides[::-1]):
                    if name is not None:
                        factor = k ** (-0.25 if other is not None else -0.5)
                        out[name] = min(out.get(name, 1.0), factor)
    return out


def sample_leaves(network: Network, bindings: dict[str, int], rng: Generator,
                  positive: bool = False, scale: float = 1.0) -> dict[str, np.ndarray]:
    """Values like a freshly initialised network's: each side of a matrix product is scaled so that
    products stay of order one however wide and deep the layers are (saturated units would hide
    mistakes, overflow the checks, and make the loss as computed lose the precision the complex
    step needs). `scale` shrinks every value further, for networks that overflow at order one."""
    targets = find_targets(network)
    scales = product_scales(network, bindings)
    values = {}
    for name, shape in network.leaves.items():
        dims = tuple(d.value(bindings) for d in shape)
        size = 1
        for n in dims:  # Python integers: no overflow before the limit is checked
            size *= n
        if size > MAX_ELEMENTS:
            raise TooLarge(f"{name} would hold {size:,} numbers at these dimensions "
                             f"(the limit is {MAX_ELEMENTS:,}); its shape is still checked symbolically",
                             expected="smaller dimensions for numeric verification")
        if name in targets:
            values[name] = one_hot(dims, targets[name], rng)
        elif name in network.binary:  # a 0/1 mask (dropout's), with both values present
            values[name] = bernoulli(dims, rng)
        elif name in network.draws:  # np.random.rand(...) in the forward pass: its own distribution
            values[name] = drawn(network.draws[name], dims, rng)
        elif positive:
            values[name] = rng.uniform(0.5, 1.5, size=dims) * scale
        else:
            values[name] = rng.standard_normal(dims) * (scales.get(name, 1.0) * scale)
    for name, bound in network.labels.items():
        values[name] = labels(tuple(d.value(bindings) for d in network.shapes[name]), bound.value(bindings), rng)
    return values


def labels(dims: tuple[int, ...], k: int, rng: Generator) -> np.ndarray:
    """Integer labels in range(k), with at least one repeat (so that an update that keeps one of two
    contributions to the same row shows)."""
    out = rng.integers(0, k, size=dims)
    if out.size >= 2 and k >= 2 and all_distinct(out):
        out.flat[1] = out.flat[0]
    return out


def all_distinct(values: np.ndarray) -> bool:
    """No value twice (np.unique would say the same, after importing numpy.ma: a fortieth of a command)."""
    ordered = np.sort(values, axis=None)
    return not bool(np.any(ordered[1:] == ordered[:-1]))


def bernoulli(dims: tuple[int, ...], rng: Generator) -> np.ndarray:
    """A 0/1 mask that keeps about half its entries, at least one of each where there are two."""
    out = (rng.random(dims) < 0.5).astype(float)
    if out.size >= 2:
        out.flat[0], out.flat[1] = 1.0, 0.0
    return out


def drawn(draw, dims: tuple[int, ...], rng: Generator) -> np.ndarray:
    """A draw of the forward pass (np.random.rand, randn, uniform, normal), from its own distribution."""
    if draw.distribution == "normal":
        return draw.low + draw.high * rng.standard_normal(dims)
    return rng.uniform(draw.low, draw.high, size=dims)


def one_hot(dims: tuple[int, ...], axis: int, rng: Generator) -> np.ndarray:
    if not dims:
        return np.float64(1.0)  # type: ignore[return-value]  # a label with no axes is the number 1
    length = dims[axis]
    hot = rng.integers(0, length, size=dims[:axis] + dims[axis + 1:])
    out = np.moveaxis(np.eye(length)[hot], -1, axis)
    return np.ascontiguousarray(out)


#: The scales of the leaves' values, tried in turn while the forward pass is not finite: values of
#: order one first, then smaller ones, at which exp(1000 * x) or x ** 1000 no longer overflow.
SCALES = (1.0, 0.1, 0.01, 0.001)


class NonFinite(TutorError):
    """The network's own values are not finite at any scale tried: not a learner's doing."""


def sample(network: Network, bindings: dict[str, int], rng: Generator,
           scales: tuple[float, ...] = SCALES) -> tuple[dict, dict]:
    """(leaf values, all forward values): finite everywhere, at the first of `scales` (normal draws,
    then positive ones) where they are, or a `NonFinite` error saying what went wrong where."""
    for scale in scales:
        for positive in (False, True):
            leaves = sample_leaves(network, bindings, rng, positive, scale)
            values = forward(network.definitions, leaves, bindings)
            if all(np.all(np.isfinite(v)) for v in values.values()):
                return leaves, values
    raise non_finite(values)


def non_finite(values: dict) -> NonFinite:
    """Why a forward pass is not finite, at its first value that is not."""
    name, value = next((n, v) for n, v in values.items() if not np.all(np.isfinite(v)))
    return non_finite_at(name, overflows=bool(np.any(np.isinf(value))))


def non_finite_at(name: str, overflows: bool) -> NonFinite:
    """An overflow (inf) said as one, apart from values that are not numbers (NaN)."""
    if overflows:
        return NonFinite(f"{name!r} overflows (its values become infinite) at every scale of "
                         "the sampled values tried, down to a thousandth", expected="a network whose values fit in "
                         "float64 for values of the leaves near zero")
    return NonFinite(f"the values are not numbers (NaN) at {name!r} for every sample tried "
                     "(a log or sqrt of something that can be negative, or 0/0?)")
