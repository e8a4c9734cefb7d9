"""The actual numbers of a small generalized Jacobian and of its contraction.

Only for small dimensions (a few hundred entries): the tensor is built entry
by entry with complex steps through the one definition it belongs to, so the
learner can see ∂z1[k]/∂W1[i,j] = x[i]·[k = j] as numbers, and the contraction
computed both ways (einsum over the tensor, and the matrix formula).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .derivation import Derivation
from .numeric import Evaluator
from .sampling import sample

MAX_ENTRIES = 600
STEP = 1e-30


@dataclass(frozen=True)
class JacobianNumbers:
    of: str
    leaf: str
    tensor: np.ndarray        # shape(of) + shape(leaf)
    incoming: np.ndarray      # ∂J/∂of, shaped like `of`
    contracted: np.ndarray    # Σ over of's axes of incoming · tensor
    formula: np.ndarray       # the matrix formula's value
    leaf_value: np.ndarray
    matches: bool


def jacobian_numbers(d: Derivation, leaf: str, seed: int = 0) -> JacobianNumbers | None:
    g = d.gradients[leaf]
    last = next((f for f in reversed(g.chain) if f.wrt == leaf), None)
    net = d.network
    if last is None or last.of not in net.definitions:
        return None
    of = last.of
    of_shape = tuple(x.value(d.bindings) for x in net.shapes[of])
    leaf_shape = tuple(x.value(d.bindings) for x in net.leaves[leaf])
    if int(np.prod(of_shape + leaf_shape, dtype=np.int64)) > MAX_ENTRIES:
        return None
    from .grad import backward
    rng = np.random.default_rng(seed)
    _, values = sample(net, d.bindings, rng)
    tensor = np.zeros(of_shape + leaf_shape)
    for index in np.ndindex(*leaf_shape) if leaf_shape else [()]:
        bumped = np.array(values[leaf], dtype=complex)
        bumped[index] += 1j * STEP
        local = Evaluator({**values, leaf: bumped}, d.bindings)(net.definitions[of])
        tensor[(Ellipsis,) + index] = np.imag(np.broadcast_to(local, of_shape)) / STEP
    incoming_expr = backward(net).wrt.get(of)
    ev = Evaluator(values, d.bindings)
    incoming = np.broadcast_to(ev(incoming_expr), of_shape) if incoming_expr is not None else np.zeros(of_shape)
    contracted = np.tensordot(incoming, tensor, axes=len(of_shape))
    formula = np.broadcast_to(ev(g.formula), leaf_shape)
    matches = bool(np.allclose(contracted, formula, rtol=1e-9, atol=1e-12))
    return JacobianNumbers(of, leaf, tensor, np.asarray(incoming), contracted, np.asarray(formula),
                           np.asarray(values[leaf]), matches)
