"""Where a generalized Jacobian is block-diagonal: the axes along which it is zero unless indices agree.

∂S/∂Qh of batched attention is B×h×T×T×B×h×T×d, but example b of S depends only on example b of
Qh, head h only on head h, query row i only on row i: the tensor is zero unless those indices
agree, so it is a stack of small dense T×(T×d) blocks, one per (b, h, i). This is found by
probing the factor's own rule with numbers at small dimensions: an incoming gradient that is
non-zero in one slice of `of` (index k along an axis) must come back non-zero in the matching
slice of `wrt` only, for the first and the last k. It reads the derivative rule, so it holds for
any operation, composite definitions included.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..engine.numbers.budget import require
from ..engine.language.dims import ONE, Shape, format_shape
from ..engine.numbers.generator import Generator
from ..engine.errors import TutorError
from ..engine.language.network import Network
from ..engine.numbers.numeric import Evaluator
from ..engine.numbers.sampling import sample
from .chain import STRUCTURE_AXES, ChainFactor  # noqa: F401  (the factors probed)

MAX_PROBE_ENTRIES = 200_000  # probing stays a moment's work at the small dimensions it uses


@dataclass(frozen=True)
class Structure:
    of: str
    wrt: str
    #: (axes of `of`, axis of `wrt`): zero unless their indices agree. Usually one axis of `of`; two
    #: neighbouring ones (h, d) when `wrt` has them merged into one (h*d).
    pairs: tuple[tuple[tuple[int, ...], int], ...]
    of_shape: Shape
    wrt_shape: Shape

    @property
    def block(self) -> tuple[Shape, Shape]:
        """The dense block left for each combination of the paired indices: of's other axes × wrt's
        (axes of length 1 left out)."""
        mine = {i for axes, _ in self.pairs for i in axes}
        theirs = {j for _, j in self.pairs}
        return (tuple(d for i, d in enumerate(self.of_shape) if i not in mine and d != ONE),
                tuple(d for j, d in enumerate(self.wrt_shape) if j not in theirs and d != ONE))

    @property
    def over(self) -> tuple[str, ...]:
        """The paired axes by their dimension, with the axis number where a dimension repeats (T, T)."""
        names = [str(d) for d in self.of_shape]
        return tuple(str(self.wrt_shape[j]) if len(axes) > 1 else
                     names[axes[0]] + (f" (axis {axes[0]})" if names.count(names[axes[0]]) > 1 else "")
                     for axes, j in self.pairs)

    def text(self) -> str:
        """One sentence for a learner."""
        rows, cols = self.block
        over = ", ".join(self.over)
        if not rows and not cols:
            return (f"diagonal: each entry of {self.of} depends on one entry of {self.wrt} only, so only where each "
                    "entry goes matters, never the whole tensor")

        def part(shape: Shape) -> str:
            return format_shape(shape) if len(shape) == 1 else f"({format_shape(shape)})" if shape else "1"
        merged = [f" ({', '.join(str(self.of_shape[i]) for i in axes)} of {self.of} read as one index)"
                  for axes, _ in self.pairs if len(axes) > 1]
        return (f"block-diagonal over {over}: zero unless the {over} indices of {self.of} and {self.wrt} agree"
                f"{''.join(merged)}, so it is a stack of dense {part(rows)}×{part(cols)} blocks, one for each "
                f"({over})")


@lru_cache(maxsize=8)
def probe_values(network: Network):
    """Forward values at small default dimensions (structure does not depend on the sizes); None when
    even those are beyond the budget (a network written with large literal dimensions)."""
    bindings = network.bindings()
    try:
        require(network.definitions.values(), bindings, network.shapes, computed=network.definitions,
                what="finding the Jacobians' structure")
        _, values = sample(network, bindings, Generator(7))
    except TutorError:
        return None
    return bindings, values


def candidates(of_shape: Shape, wrt_shape: Shape) -> list[tuple[tuple[int, ...], int]]:
    """Axis pairs that could be diagonal: the same dimension, or two neighbours whose product is it."""
    out: list[tuple[tuple[int, ...], int]] = [((i,), j) for i, d in enumerate(of_shape)
                                              for j, e in enumerate(wrt_shape) if d == e and d != ONE]
    out += [((i, i + 1), j) for i in range(len(of_shape) - 1) for j, e in enumerate(wrt_shape)
            if ONE not in (of_shape[i], of_shape[i + 1]) and of_shape[i] * of_shape[i + 1] == e]
    return out


def structure(network: Network, f: ChainFactor) -> Structure | None:
    """The block-diagonal structure of one chain factor, or None when it has none to speak of."""
    if f.rule is None or not f.incoming:
        return None
    of_shape, wrt_shape = network.shapes[f.of], network.shapes[f.wrt]
    pairs_to_try = candidates(of_shape, wrt_shape)
    if not pairs_to_try:
        return None
    probe = probe_values(network)
    if probe is None:
        return None
    bindings, values = probe
    of_n = tuple(d.value(bindings) for d in of_shape)
    wrt_n = tuple(d.value(bindings) for d in wrt_shape)
    if int(np.prod(of_n + wrt_n[:1], dtype=np.int64)) > MAX_PROBE_ENTRIES:
        return None
    tried = sorted({axes for axes, _ in pairs_to_try})
    try:  # the rule runs twice for each axis tried
        require([f.rule], bindings, network.shapes, passes=2 * len(tried))
    except TutorError:
        return None
    rng = Generator(11)
    held: dict[tuple[tuple[int, ...], int], bool] = {}
    for axes in tried:
        i, length = axes[0], int(np.prod([of_n[a] for a in axes]))
        merged = of_n[:i] + (length,) + of_n[axes[-1] + 1:]
        for k in (0, length - 1):
            g = rng.standard_normal(merged)
            g[(slice(None),) * i + (np.arange(length) != k,)] = 0.0
            g = g.reshape(of_n)
            back = np.broadcast_to(Evaluator({**values, f.incoming: g}, bindings)(f.rule), wrt_n)
            scale = float(np.max(np.abs(back))) if back.size else 0.0
            for mine, j in pairs_to_try:
                if mine != axes:
                    continue
                inside = np.take(back, [k], axis=j)
                outside = np.delete(back, k, axis=j)
                ok = scale > 0 and float(np.max(np.abs(inside))) > 0 and \
                    (outside.size == 0 or float(np.max(np.abs(outside))) <= 1e-12 * scale)
                held[mine, j] = held.get((mine, j), True) and ok
    pairs: list[tuple[tuple[int, ...], int]] = []
    for (axes, j), ok in sorted(held.items(), key=lambda kv: (len(kv[0][0]), kv[0])):
        taken = {i for a, _ in pairs for i in a}
        if ok and j not in {b for _, b in pairs} and taken.isdisjoint(axes):
            pairs.append((axes, j))
    if not pairs:
        return None
    return Structure(f.of, f.wrt, tuple(sorted(pairs)), of_shape, wrt_shape)
