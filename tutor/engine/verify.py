"""Numeric proof that derived gradients are right: complex-step directional derivatives.

For random values of every leaf and a random direction V_L per leaf, the
imaginary part of J(leaves + i·h·V) / h is exactly Σ_L ⟨∂J/∂L, V_L⟩ up to
rounding, with no subtractive cancellation; the derived formulas must give
the same number. One complex forward pass checks every leaf at once, so the
cost is a few forward passes per draw, never one per parameter. Each V_L is
scaled so that every leaf weighs the same, and a leaf whose check fails is
then found with one pass of its own.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .ir import Expr
from .network import Network
from .numeric import Evaluator, forward
from .sampling import sample

STEP = 1e-30
#: Normalised error allowed (a rounding-level floor); measured errors are ~1e-16.
TOLERANCE = 1e-10


@dataclass
class Verification:
    max_error: float
    draws: int
    forward_passes: int
    leaf_errors: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.max_error <= TOLERANCE)

    @property
    def failed_leaves(self) -> list[str]:
        return [name for name, error in self.leaf_errors.items() if error > TOLERANCE]


#: A gradient this small next to the largest one is rounding noise around an exact zero.
ROUNDING = 1e-12
#: Extra draws allowed when a gradient is zero in every draw so far (dead ReLUs hide mistakes).
MAX_DRAWS = 8


def verify(network: Network, formulas: Mapping[str, Expr], bindings: Mapping[str, int],
           draws: int = 2, seed: int = 0) -> Verification:
    """Check ∂loss/∂leaf == formulas[leaf] for every leaf given."""
    rng = np.random.default_rng(seed)
    worst, passes, leaf_errors = 0.0, 0, {}
    silent = set(formulas)  # leaves whose gradient has been exactly zero in every draw so far
    done = 0
    while done < draws or (silent and done < MAX_DRAWS):
        done += 1
        leaves, values = sample(network, dict(bindings), rng)
        passes += 1
        ev = Evaluator(values, bindings)
        grads = {name: np.broadcast_to(np.asarray(ev(f), dtype=float), np.shape(leaves[name]))
                 for name, f in formulas.items()}
        silent -= {name for name, g in grads.items() if np.any(g != 0)}
        # A gradient that is zero in exact arithmetic (a bias just before a batch norm) comes out of its
        # formula as rounding noise; balancing it would compare noise with noise. It is checked against
        # the size of the network's other gradients instead.
        typical = max((float(np.max(np.abs(g))) for g in grads.values() if np.size(g)), default=0.0)
        noise = {name for name, g in grads.items() if 0 < typical and np.size(g)
                 and float(np.max(np.abs(g))) <= ROUNDING * typical}
        rest = {name: g for name, g in grads.items() if name not in noise}
        error, used = check_draw(network, leaves, rest, bindings, rng) if rest else (0.0, 0)
        passes += used
        for name in noise:
            v = rng.standard_normal(np.shape(grads[name]))
            leaf_errors[name] = max(leaf_errors.get(name, 0.0), directional_error(
                network, leaves, {name: grads[name]}, {name: v}, bindings, floor=typical * abs_dot(np.ones_like(v), v)))
            error = max(error, leaf_errors[name])
            passes += 1
        if error > TOLERANCE:
            for name in rest:
                one, _ = check_draw(network, leaves, {name: grads[name]}, bindings, rng)
                leaf_errors[name] = max(leaf_errors.get(name, 0.0), one)
                passes += 1
        worst = max(worst, error)
    return Verification(worst, done, passes, leaf_errors)


#: The imaginary step times the largest direction entry stays below this, so the complex step is
#: linear; the step shrinks as needed (rounding in the imaginary parts is relative, so a step of
#: 1e-200 is as exact as 1e-30), and only a direction that would need a step near underflow is
#: given a pass of its own.
LINEAR = 1e-20
MAX_SCALE = 1e200


def check_draw(network: Network, leaves: dict, grads: dict, bindings: Mapping[str, int],
               rng: np.random.Generator) -> tuple[float, int]:
    """The normalised error of claimed gradients at one draw of values, and the passes it took."""
    directions = {name: balanced_direction(g, rng) for name, g in grads.items()}
    # A gradient so small that balancing it would push the step towards underflow gets a pass of its own.
    alone = [name for name, v in directions.items() if v is None]
    for name in alone:
        directions[name] = rng.standard_normal(np.shape(grads[name]))
    together = {name: g for name, g in grads.items() if name not in alone}
    error = directional_error(network, leaves, together, {k: directions[k] for k in together}, bindings) \
        if together else 0.0
    for name in alone:
        error = max(error, directional_error(network, leaves, {name: grads[name]}, {name: directions[name]},
                                             bindings))
    return error, 1 + len(alone)


def balanced_direction(grad: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """A random direction scaled so that Σ|g·v| = 1, so each leaf counts equally;
    None when that would take a scale beyond MAX_SCALE (a vanishing gradient)."""
    v = rng.standard_normal(np.shape(grad))
    weight = abs_dot(grad, v)
    if weight > 0 and np.isfinite(weight):
        if float(np.max(np.abs(v))) / weight > MAX_SCALE:
            return None
        return v / weight
    norm = float(np.sqrt(np.sum(v * v))) or 1.0
    return v / norm


def directional_error(network: Network, leaves: dict, grads: dict, directions: dict,
                      bindings: Mapping[str, int], floor: float = 0.0) -> float:
    """|complex-step derivative − Σ⟨g, v⟩| over the scale of the terms (at least `floor`)."""
    largest = max((float(np.max(np.abs(v))) for v in directions.values() if np.size(v)), default=0.0)
    step = min(STEP, LINEAR / largest) if largest > 0 else STEP
    shifted = dict(leaves)
    for name, v in directions.items():
        z = np.empty(np.shape(v), dtype=complex)  # built in place: large leaves get no extra copies
        z.real = leaves[name]
        z.imag = v
        z.imag *= step
        shifted[name] = z
    loss = forward(network.definitions, shifted, bindings)[network.loss]
    del shifted
    numeric = float(np.imag(loss)) / step
    claimed = sum(float(np.vdot(np.ravel(g), np.ravel(directions[name]))) for name, g in grads.items())
    scale = sum(abs_dot(g, directions[name]) for name, g in grads.items()) + abs(numeric)
    if not np.isfinite(numeric) or not np.isfinite(claimed):
        return float("inf")
    return abs(numeric - claimed) / max(scale, floor, 1e-300)


def abs_dot(a: np.ndarray, b: np.ndarray) -> float:
    """Σ|a·b| with one temporary."""
    product = np.multiply(a, b)
    if isinstance(product, np.ndarray):
        np.abs(product, out=product)
        return float(np.sum(product))
    return float(abs(product))
