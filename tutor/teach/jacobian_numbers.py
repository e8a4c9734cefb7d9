"""The actual numbers of a small generalized Jacobian and of its contraction.

Only for small dimensions (a few hundred entries): the tensor is built entry
by entry with complex steps through the one definition it belongs to, so the
learner can see ∂z1[k]/∂W1[i,j] = x[i]·[k = j] as numbers, and the contraction
computed both ways (einsum over the tensor, and the matrix formula).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .derivation import Derivation
from ..engine.numbers.budget import require
from ..engine.numbers.generator import Generator
from ..engine.numbers.numeric import Evaluator
from ..engine.numbers.sampling import TooLarge, sample
from ..engine.numbers.verify import STEP

MAX_ENTRIES = 600


@dataclass(frozen=True)
class JacobianNumbers:
    of: str
    leaf: str
    tensor: np.ndarray        # shape(of) + shape(leaf)
    incoming: np.ndarray      # ∂J/∂of, shaped like `of`
    contracted: np.ndarray    # Σ over of's axes of incoming · tensor
    formula: np.ndarray       # the matrix form of the same step (x.T @ dz1)
    matches: bool
    whole: bool               # False when the leaf also reaches the loss another way (this is one part)


def jacobian_numbers(d: Derivation, leaf: str, seed: int = 0) -> JacobianNumbers | None:
    """The Jacobian of the leaf's last step (the one the contraction panel explains), in numbers."""
    from .chain import incoming as incoming_name
    from .derivation import last_reader
    from ..engine.calculus.grad import backward, local_vjp
    net = d.network
    of = last_reader(net, leaf)
    if of is None:
        return None
    of_shape = tuple(x.value(d.bindings) for x in net.shapes[of])
    leaf_shape = tuple(x.value(d.bindings) for x in net.leaves[leaf])
    if math.prod(of_shape + leaf_shape) > MAX_ENTRIES:
        return None
    truth = backward(net).wrt.get(of)
    try:  # a value of the network, then the one definition once per entry of the leaf
        require([*net.definitions.values(), *([truth] if truth is not None else [])], d.bindings, net.shapes,
                computed=net.definitions)
        require([net.definitions[of]], d.bindings, net.shapes, passes=math.prod(leaf_shape) + 1)
    except TooLarge:
        return None
    _, values = sample(net, d.bindings, Generator(seed))
    tensor = np.zeros(of_shape + leaf_shape)
    for index in np.ndindex(*leaf_shape) if leaf_shape else [()]:
        bumped = np.array(values[leaf], dtype=complex)
        bumped[index] += 1j * STEP
        local = Evaluator({**values, leaf: bumped}, d.bindings)(net.definitions[of])
        tensor[(Ellipsis,) + index] = np.imag(np.broadcast_to(local, of_shape)) / STEP
    incoming = np.broadcast_to(Evaluator(values, d.bindings)(truth), of_shape) if truth is not None \
        else np.zeros(of_shape)
    contracted = np.tensordot(incoming, tensor, axes=len(of_shape))
    # the step's own rule (x.T @ dz1), evaluated with the true incoming gradient
    placeholder = incoming_name(net, of)
    rule = local_vjp(net, of, leaf, placeholder)
    step_values = {**values, getattr(placeholder, "name", ""): incoming}
    formula = np.broadcast_to(Evaluator(step_values, d.bindings)(rule), leaf_shape) if rule is not None \
        else np.zeros(leaf_shape)
    matches = bool(np.allclose(contracted, formula, rtol=1e-9, atol=1e-12))
    if not matches:  # the engine contradicts itself: a bug, reported as one (exit 3), never shown as a lesson
        raise RuntimeError(f"the contraction of ∂{of}/∂{leaf} and its matrix formula disagree")
    return JacobianNumbers(of, leaf, tensor, np.asarray(incoming), contracted, np.asarray(formula), matches,
                           len(net.readers[leaf]) == 1 and d.gradients[leaf].paths == 1)
