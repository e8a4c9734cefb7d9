"""Numeric proof that derived gradients are right: complex-step directional derivatives.

For random values of every leaf and a random direction V_L per leaf, the imaginary part of
J(leaves + i·h·V) / h is exactly Σ_L ⟨∂J/∂L, V_L⟩ up to rounding, with no subtractive
cancellation; the derived formulas must give the same number. One complex forward pass checks
every leaf at once, so the cost is a few forward passes per draw, never one per parameter; a leaf
whose check fails is then found with one pass of its own.

Sized for realistic networks, at a small multiple of a hand-written forward and backward pass:

* the forward pass and every formula run as one `Schedule` (shared parts once, each value let go
  after its last reader), and each gradient is reduced to two numbers the moment it exists;
* directions are seeded uniform float32 draws, made again in chunks when needed instead of
  stored (small ones are kept);
* the complex pass keeps nothing of the real one;
* the first draw runs at the sizes asked for; when those are large, the further draws (a second,
  and more while some gradient has been zero in every draw, since dead ReLUs hide mistakes) run at
  the network's small default sizes, which also keep every symbol's number distinct; sizes beyond
  the budget are checked at the small sizes only, and the result says so.

The error is normalised by the root-sum-square of the terms g·v, each leaf's direction scaled so
that its terms weigh one. Rounding adds up over the terms like a random walk, and so does a
relative error in a gradient (the directions have mean zero), so an error of 1e-6 in any one leaf
stands as far above the rounding floor for a leaf of 16 million entries as for one of ten: a sum
of absolute values would hide it behind the square root of the number of entries.

A gradient can be rounding noise where exact arithmetic gives zero (the rows of a softmax summed),
and a loss nearly flat along a leaf makes the complex step noisy; balancing would blow either up
into a false alarm. So a draw that disagrees gets a second opinion at leaves a few units in the
last place away: the difference between the two measures each leaf's rounding noise, and a
disagreement counts only where it stands a hundred times above it.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import TutorError
from ..language.ir import Call, Expr, Var
from ..language.network import Network, check_indices
from .generator import Generator
from .numeric import Schedule
from .sampling import MAX_ELEMENTS, SCALES, TooLarge, non_finite_at, sample_leaves

STEP = 1e-30
#: Normalised error allowed (a rounding-level floor); measured errors are ~1e-16.
TOLERANCE = 1e-10
#: Extra draws allowed when a gradient is zero in every draw so far (dead ReLUs hide mistakes).
MAX_DRAWS = 8
#: The imaginary part of a shifted leaf stays below this, so the complex step is linear; the step
#: shrinks as needed (rounding in the imaginary parts is relative, so a step of 1e-200 is as exact
#: as 1e-30), and only a direction that would need a step near underflow gets a pass of its own.
LINEAR = 1e-20
MAX_SCALE = 1e200
#: A draw whose arrays hold more numbers than this is large: the draws after it run at small sizes.
SMALL_DRAW = 100_000
#: Above this many numbers in the forward pass (or MAX_ELEMENTS in one array), the check runs at
#: the small sizes only: 250 million float64s are 2 GB before the complex copies.
MAX_NUMBERS = 250_000_000
#: The check's own budget, from the shapes before any array is made: the bytes its passes hold at
#: once, and its CPU seconds. Over either, the check runs at the small sizes, and says why.
MAX_CHECK_BYTES = 1_500_000_000
MAX_CHECK_SECONDS = 7.0
#: CPU seconds per number a step makes (in the real pass and the complex ones), per number of a leaf
#: (drawn, its direction drawn in each pass, copied into complex), per multiply-add of a product that
#: runs as one BLAS call (a matrix, or a stack of matrices times one matrix), and per multiply-add of a
#: product of two stacks, which NumPy runs one small product at a time. Fitted to the CPU time of one
#: draw on the benchmark's realistic networks (`python bench/run.py --only budget` prints the estimate
#: beside the measured cost: within 1.5x of it).
LEAN_NUMBER_COST = 1.5e-9
LEAF_NUMBER_COST = 21e-9
BLAS_MULTIPLY_ADD_COST = 0.031e-9
STACKED_MULTIPLY_ADD_COST = 0.96e-9
#: A complex multiply-add is four real ones.
COMPLEX = 4


@dataclass
class Verification:
    max_error: float
    draws: int
    forward_passes: int
    leaf_errors: dict[str, float] = field(default_factory=dict)
    dims: dict[str, int] = field(default_factory=dict)  # the sizes the first draw ran at
    later_dims: dict[str, int] | None = None  # the smaller sizes of the other draws, when they differ
    scaled_down: str = ""  # why `dims` are not the sizes asked for ("" when they are)
    inconclusive: str = ""  # why float64 could not decide, when every disagreement was of that kind

    @property
    def ok(self) -> bool:
        return bool(self.max_error <= TOLERANCE)

    @property
    def failed_leaves(self) -> list[str]:
        return [name for name, error in self.leaf_errors.items() if error > TOLERANCE]


def verify(network: Network, formulas: Mapping[str, Expr], bindings: Mapping[str, int],
           draws: int = 2, seed: int = 0) -> Verification:
    """Check ∂loss/∂leaf == formulas[leaf] for every leaf given."""
    checker = Checker(network, formulas)
    first, later, scaled_down = plan_sizes(network, formulas, bindings, checker)
    small = small_sizes(network, dict(bindings))
    # Telling rounding from a wrong formula takes a pass per leaf and a second opinion: at large sizes
    # that can cost many times the check itself, so a disagreement there is settled at the small sizes.
    settle_small = first != small and \
        over_budget(checker, first, draws=1, complex_passes=3 + 2 * len(formulas)) is not None
    rng = Generator(seed)
    worst, passes = 0.0, 0
    leaf_errors: dict[str, float] = {}
    silent = set(formulas)  # leaves whose gradient has been exactly zero in every draw so far
    done = 0
    undecided: dict[str, str] = {}
    while done < draws or (silent and done < MAX_DRAWS):
        sizes = first if done == 0 else later
        outcome = checker.draw(sizes, rng, locate=not (settle_small and sizes != small))
        passes += outcome.passes
        if outcome.error > TOLERANCE and outcome.unsettled:
            first = later = small
            scaled_down = ("the check at the sizes asked for disagreed, and telling rounding from a wrong "
                           "formula there would take too long, so it was settled at the small sizes")
            settle_small, done, worst, leaf_errors, silent = False, 0, 0.0, {}, set(formulas)
            continue
        done += 1
        silent -= outcome.nonzero
        worst = max(worst, outcome.error)
        for name, error in outcome.leaf_errors.items():
            leaf_errors[name] = max(leaf_errors.get(name, 0.0), error)
        undecided.update(outcome.undecided)
    failed = [name for name, error in leaf_errors.items() if error > TOLERANCE]
    inconclusive = "; ".join(f"∂{network.loss}/∂{name}: {undecided[name]}" for name in failed) \
        if failed and all(name in undecided for name in failed) else ""
    return Verification(worst, done, passes, leaf_errors, dict(first),
                        dict(later) if later != first else None, scaled_down, inconclusive)


# -- which sizes -----------------------------------------------------------------------------------

def numbers(network: Network, formulas: Mapping[str, Expr], bindings: Mapping[str, int]) -> tuple[int, int]:
    """(the largest array of the check, the leaves and named forward values together), in numbers."""
    def size(shape) -> int:
        return math.prod(d.value(bindings) for d in shape)
    largest, seen = 1, set()
    stack = list(network.definitions.values()) + list(formulas.values())
    while stack:  # every node once, shared or not
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            if isinstance(node, Call):
                stack.extend(node.args)
                if node.shape is not None:
                    largest = max(largest, size(node.shape))
    named = [size(shape) for shape in network.shapes.values()]
    return max(largest, *named), sum(named)


def small_sizes(network: Network, asked: dict) -> dict:
    """The network's own small sizes, or those asked for when an index needs them."""
    small = network.bindings()
    try:
        check_indices(network, small)
    except TutorError:  # an index beyond the small sizes: only the sizes asked for will do
        return asked
    return small


def plan_sizes(network: Network, formulas: Mapping[str, Expr], bindings: Mapping[str, int],
               checker: "Checker | None" = None) -> tuple[dict, dict, str]:
    """(sizes of the first draw, sizes of the later ones, why the first are not those asked for)."""
    asked = dict(bindings)
    small = small_sizes(network, asked)
    checker = checker or Checker(network, formulas)
    largest, total = numbers(network, formulas, asked)
    later_small = total > SMALL_DRAW and numbers(network, formulas, small)[1] < total
    reason = ""
    if largest > MAX_ELEMENTS:
        reason = f"one array would hold {largest:,} numbers there (the limit is {MAX_ELEMENTS:,})"
    elif total > MAX_NUMBERS:
        reason = f"the forward pass would hold {total:,} numbers there (the limit is {MAX_NUMBERS:,})"
    else:
        reason = over_budget(checker, asked, draws=1 if later_small else 2) or ""
    if reason:
        if small == asked or numbers(network, formulas, small)[0] > MAX_ELEMENTS or over_budget(checker, small, 2):
            raise TooLarge(f"{reason}, and there are no smaller sizes to check at; shapes and formulas "
                           "are still derived symbolically",
                           expected="smaller dimensions for numeric verification")
        return small, small, reason
    if later_small:
        return asked, small, ""
    return asked, asked, ""


def over_budget(checker: "Checker", bindings: Mapping[str, int], draws: int, complex_passes: int = 2) -> str | None:
    """Why `draws` draws of the check at these sizes are beyond its budget (`check_estimate`), or None."""
    held, seconds = check_estimate(checker, bindings, draws, complex_passes)
    if held > MAX_CHECK_BYTES:
        return (f"the check would hold about {held / 1e9:.1f} GB at once there (the limit is "
                f"{MAX_CHECK_BYTES / 1e9:.1f} GB)")
    if seconds > MAX_CHECK_SECONDS:
        return f"the check would take about {seconds:.0f} s there (the limit is {MAX_CHECK_SECONDS:.0f} s)"
    return None


def check_estimate(checker: "Checker", bindings: Mapping[str, int], draws: int,
                   complex_passes: int = 2) -> tuple[int, float]:
    """(bytes held at once, CPU seconds) that `draws` draws of the check cost at these sizes, from the shapes
    alone: the real pass with its leaves kept, or a complex pass (twice the bytes a number) beside the
    real leaves, and the nudged leaves of a second opinion; every number a step makes in the real pass
    (the forward values and every formula) and in the complex ones (the forward pass again), every
    leaf's numbers, and every multiply-add."""
    from .budget import price
    network = checker.network

    def count(shape) -> int:
        return math.prod(d.value(bindings) for d in shape)
    leaves = sum(count(shape) for shape in network.leaves.values())
    real, loss = checker.real.peak_numbers(bindings), checker.loss.peak_numbers(bindings)
    held = max(8 * (real + leaves), 8 * leaves + 16 * loss) + 8 * leaves
    work = price([*network.definitions.values(), *checker.formulas.values()], bindings, network.shapes,
                 computed=network.definitions)
    forward = price(network.definitions.values(), bindings, network.shapes, computed=network.definitions)
    numbers = work.numbers + complex_passes * forward.numbers
    stacked = work.stacked_multiply_adds + complex_passes * COMPLEX * forward.stacked_multiply_adds
    blas = work.multiply_adds + complex_passes * COMPLEX * forward.multiply_adds - stacked
    seconds = draws * (numbers * LEAN_NUMBER_COST + leaves * LEAF_NUMBER_COST + blas * BLAS_MULTIPLY_ADD_COST
                       + stacked * STACKED_MULTIPLY_ADD_COST)
    return held, seconds


# -- one draw ---------------------------------------------------------------------------------------

@dataclass
class Outcome:
    error: float
    passes: int
    nonzero: set[str]
    leaf_errors: dict[str, float]
    unsettled: bool = False  # a disagreement not yet told apart from rounding (not located)
    undecided: dict[str, str] = field(default_factory=dict)  # leaf → why float64 cannot decide there


@dataclass
class Terms:
    """A leaf's gradient reduced against its direction v: Σ g·v and Σ (g·v)²."""
    dot: float
    square: float
    direction: Direction
    scale: float = 1.0   # the leaf is shifted along v · scale
    alone: bool = False  # checked in a pass of its own (a vanishing gradient)


class NonFinite(Exception):
    def __init__(self, name: str, overflows: bool):
        self.name, self.overflows = name, overflows


class Checker:
    """The programs of a check, compiled once: the real pass with every formula, and the loss alone."""

    def __init__(self, network: Network, formulas: Mapping[str, Expr]):
        self.network = network
        self.formulas = dict(formulas)
        self.real = Schedule(network.definitions, self.formulas)
        self.loss = Schedule(network.definitions, {"loss": Var(network.loss)}, every_definition=False)
        self.loss_value = 0.0  # the loss at the last complex pass (its real part)

    def draw(self, bindings: Mapping[str, int], rng: Generator, locate: bool = True) -> Outcome:
        """Values for the leaves, every formula reduced against its direction, then the complex passes."""
        seeds = rng.integers(2**63, size=len(self.formulas))
        # values of order one first; smaller ones where those overflow (exp(1000 * x)), never a verdict on inf
        for scale, positive in itertools.product(SCALES, (False, True)):
            leaves = sample_leaves(self.network, dict(bindings), rng, positive, scale)
            directions = {k: Direction(int(s), np.size(leaves[k])) for k, s in zip(self.formulas, seeds)}
            try:
                terms = self.reduce(leaves, bindings, directions)
                break
            except NonFinite as bad:
                failure = bad
        else:
            raise non_finite_at(failure.name, failure.overflows)

        def again() -> tuple[dict, dict[str, Terms]]:
            nudged_leaves = nudged(leaves, rng)
            return nudged_leaves, self.reduce(nudged_leaves, bindings, directions)

        if not locate:
            return self.judge(leaves, bindings, terms, locate=False)
        return self.judge(leaves, bindings, terms, again=again)

    def reduce(self, leaves: dict, bindings: Mapping[str, int], directions: dict[str, Direction]) -> dict[str, Terms]:
        """The real pass: every forward value checked finite, every gradient reduced to its Terms."""
        terms: dict[str, Terms] = {}

        def finite(name: str, value) -> None:
            # a finite sum has no inf or nan in it; only an overflowing one needs the entries looked at
            if not math.isfinite(float(np.sum(value))) and not np.all(np.isfinite(value)):
                raise NonFinite(name, overflows=bool(np.any(np.isinf(value))))

        def reduce(leaf: str, g) -> None:
            dot, square = against_direction(np.shape(leaves[leaf]), g, directions[leaf])
            if math.isinf(square):  # the gradient overflows where the loss did not: drawn again smaller
                raise NonFinite(f"∂{self.network.loss}/∂{leaf}", overflows=True)
            terms[leaf] = Terms(dot, square, directions[leaf])

        self.real.run(dict(leaves), bindings, finite, reduce)
        return terms

    def judge(self, leaves: dict, bindings: Mapping[str, int], terms: dict[str, Terms], locate: bool = True,
              again: Callable[[], tuple[dict, dict[str, Terms]]] | None = None) -> Outcome:
        """The complex passes: every leaf at once (vanishing gradients alone). When that disagrees with
        the formulas, each leaf alone with the same direction, to say which is wrong (`locate`), and,
        given `again`, against a second opinion: the same check at leaves a few units in the last
        place away, whose difference from the first measures the rounding noise of both sides (a
        gradient that is zero in exact arithmetic is rounding noise in the formula's value; a loss
        nearly flat along a leaf is noisy in the complex step). Then the verdict rests on the leaves,
        each disagreement against its own noise."""
        balance(terms)
        groups = [{k: t for k, t in terms.items() if not t.alone}] + [{k: t} for k, t in terms.items() if t.alone]
        groups = [group for group in groups if group]
        error = max((discrepancy(self.derivative(leaves, bindings, group), group) for group in groups), default=0.0)
        passes = 1 + len(groups)
        leaf_errors: dict[str, float] = {}
        undecided: dict[str, str] = {}
        if error > TOLERANCE and (locate or again is not None):
            second = None
            if again is not None:
                second = again()
                passes += 1
                for name, t in second[1].items():
                    t.scale, t.alone = terms[name].scale, terms[name].alone
            for name, t in terms.items():
                alone = {name: t}
                once = self.derivative(leaves, bindings, alone)
                if second is None:
                    leaf_errors[name] = discrepancy(once, alone)
                else:
                    other = pick(second[1], alone)
                    leaf_errors[name] = discrepancy(once, alone, self.derivative(second[0], bindings, other), other)
                passes += 1 + (second is not None)
                if leaf_errors[name] > TOLERANCE:
                    reason = undecidable(once, t, self.loss_value)
                    if reason:
                        undecided[name] = reason
            if second is not None:
                error = max(leaf_errors.values(), default=0.0)
        return Outcome(error, passes, {k for k, t in terms.items() if t.square > 0}, leaf_errors,
                       unsettled=error > TOLERANCE and not locate and again is None, undecided=undecided)

    def derivative(self, leaves: dict, bindings: Mapping[str, int], terms: dict[str, Terms]) -> float:
        """The complex-step derivative of the loss along these leaves' directions, each times its scale."""
        step = min(STEP, LINEAR / max(0.5 * t.scale for t in terms.values()))
        inputs = dict(leaves)
        for name, t in terms.items():
            inputs[name] = shifted(leaves[name], t.direction, t.scale * step)
        loss: list[Any] = []
        self.loss.run(inputs, bindings, on_output=lambda _, value: loss.append(value))  # takes the shifted leaves
        self.loss_value = float(np.real(loss[0]))
        return float(np.imag(loss[0])) / step


#: A disagreement must stand this many times above the rounding noise that a second opinion measures.
NOISE_MARGIN = 100
#: A gradient whose terms are this small next to the loss is at the level of float64's rounding.
ROUNDING_LEVEL = 1e-12


def undecidable(numeric: float, t: Terms, loss: float) -> str:
    """Why float64 cannot tell this leaf's formula right or wrong here ("" when it can): the check then
    says it was inconclusive, never that a formula it could not test is a bug."""
    if not math.isfinite(numeric):  # the real pass was finite, or the draw would have been made smaller
        return ("the complex step overflows where the loss itself does not (a steep or saturated function: "
                "the exponential of a large argument is beyond float64)")
    if not math.isfinite(t.dot) or not math.isfinite(t.square):
        return ""
    if t.alone:
        return "the gradient is below 1e-200, where the complex step underflows in float64"
    if math.sqrt(t.square) <= ROUNDING_LEVEL * max(1.0, abs(loss)):
        return (f"the gradient is at the level of float64's rounding (about {math.sqrt(t.square):.0e} against "
                f"a loss of {abs(loss):.0e}: the loss is flat or saturated there, or the gradient is zero in exact "
                f"arithmetic), where rounding and a wrong formula look the same")
    return ""


def discrepancy(numeric: float, terms: dict[str, Terms], numeric_again: float | None = None,
                terms_again: dict[str, Terms] | None = None) -> float:
    """|complex-step derivative − claimed| over the root-sum-square of the terms, plus, with a second
    opinion, the rounding noise between the two (times NOISE_MARGIN over the tolerance)."""
    claimed = sum(t.dot * t.scale for t in terms.values())
    # each term's size times its scale is about 1 by construction; hypot never raises where `** 2` would
    scale = math.hypot(*(math.sqrt(t.square) * t.scale for t in terms.values())) + abs(numeric)
    if numeric_again is not None and terms_again is not None:
        claimed_again = sum(t.dot * t.scale for t in terms_again.values())
        noise = abs(numeric - numeric_again) + abs(claimed - claimed_again)
        scale += NOISE_MARGIN / TOLERANCE * noise
    if not math.isfinite(numeric) or not math.isfinite(claimed) or not math.isfinite(scale):
        return math.inf
    return abs(numeric - claimed) / max(scale, 1e-300)


def pick(terms: dict[str, Terms], names) -> dict[str, Terms]:
    return {name: terms[name] for name in names}


def nudged(leaves: dict, rng: Generator) -> dict:
    """The leaves a few units in the last place away (labels and integers as they are): the same
    computation, rounded differently."""
    out = {}
    for name, value in leaves.items():
        value = np.asarray(value)
        if value.dtype.kind == "f" and value.size:
            wobble = rng.random(value.shape) - 0.5
            wobble *= 8 * np.finfo(value.dtype).eps
            wobble += 1
            value = value * wobble
        out[name] = value
    return out


def check_draw(network: Network, leaves: dict, grads: Mapping[str, np.ndarray], bindings: Mapping[str, int],
               rng: Generator) -> tuple[float, int]:
    """The normalised error of claimed gradients, given as arrays, at given values of the leaves (the
    check of one draw, for gradients that come from elsewhere), and the forward passes it took."""
    terms = {}
    for name, g in grads.items():
        v = Direction(int(rng.integers(2**63)), np.size(leaves[name]))
        terms[name] = Terms(*against_direction(np.shape(leaves[name]), g, v), v)
    outcome = Checker(network, {}).judge(leaves, bindings, terms, locate=False)
    return outcome.error, outcome.passes


def balance(terms: dict[str, Terms]) -> None:
    """Scale each direction so that its leaf's terms weigh one; a gradient so small that this would
    push the step towards underflow is checked alone; a zero one keeps its direction as drawn."""
    for t in terms.values():
        if t.square > 0 and math.isfinite(t.square):
            t.scale = 1 / math.sqrt(t.square)
            if t.scale > MAX_SCALE:
                t.scale, t.alone = 1.0, True
        elif math.isfinite(t.square):
            t.scale = 1.0


#: Uniform on (−½, ½) in float32: u − ½ + 2⁻²⁵ for a float32 u = k·2⁻²⁴ is an odd multiple of 2⁻²⁵,
#: exact, symmetric about zero and never zero.
CENTRE = np.float32(0.5 - 2.0 ** -25)
#: Directions are drawn and used this many entries at a time: no temporaries the size of a leaf.
CHUNK = 1 << 18


class Direction:
    """A leaf's random direction, drawn from its own seed in chunks: a small one is kept, a large
    one is drawn again whenever it is needed, the same every time."""

    def __init__(self, seed: int, size: int):
        self.seed, self.size = seed, size
        self.kept: np.ndarray | None = None

    def chunks(self):
        """(start, values) pairs covering the leaf's entries in order (C order)."""
        if self.kept is not None:
            yield 0, self.kept
            return
        rng = Generator(self.seed)
        for start in range(0, self.size, CHUNK):
            v = rng.random(min(CHUNK, self.size - start), dtype=np.float32)
            v -= CENTRE
            if self.size <= CHUNK:
                self.kept = v
            yield start, v

    def values(self) -> np.ndarray:
        """The whole direction, flat (for tests and small leaves)."""
        return np.concatenate([v for _, v in self.chunks()]) if self.size else np.empty(0, np.float32)


def against_direction(shape: tuple[int, ...], g, v: Direction) -> tuple[float, float]:
    """(Σ g·v, Σ (g·v)²) for a claimed gradient g of a leaf of this shape."""
    try:
        flat = np.ravel(np.broadcast_to(np.asarray(g, dtype=float), shape))  # a view, unless broadcast or transposed
    except ValueError:  # a claim that does not fit the leaf's shape is wrong whatever its numbers
        return math.nan, math.nan
    dot = square = 0.0
    buffer = np.empty(min(CHUNK, flat.size))
    for start, chunk in v.chunks():
        p = np.multiply(flat[start:start + chunk.size], chunk, out=buffer[:chunk.size])
        dot += float(np.sum(p))
        square += float(np.sum(np.square(p, out=p)))  # not np.dot: BLAS threads cost more than they save here
    return dot, square


def shifted(value: np.ndarray, v: Direction, factor: float) -> np.ndarray:
    """value + i·factor·v, built in place: a large leaf gets no copy besides the complex one."""
    z = np.empty(np.shape(value), dtype=complex)
    z.real = value
    imag = z.reshape(-1).imag
    for start, chunk in v.chunks():
        np.multiply(chunk, np.float64(factor), out=imag[start:start + chunk.size])  # float64: a Python float stays float32
    return z
