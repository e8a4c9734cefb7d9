"""A constant factor named by its symbols: N·Dy, 1/N, −1, 2 — never "a factor of 160".

The factor between a learner's value and the gradient is a number at one binding of the
dimensions. Evaluating the derivation once more, with every dimension multiplied by its own
prime, and factoring the ratio of the two numbers over those primes gives each dimension's
exponent exactly (distinct symbols stay distinct even where their numbers coincide). What is
left is a plain constant: −1, 2, ½.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..engine.errors import TutorError
from .evaluate import Evaluation, classify, evaluate, truth_of

PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
#: Exponents are whole or half (a 1/√d in attention); nothing else is named by symbols.
MAX_POWER = 4


@dataclass(frozen=True)
class ScaleFactor:
    """c = constant · Π dim^power, with the value it has at the learner's dimensions."""

    constant: Fraction | float
    powers: tuple[tuple[str, Fraction], ...]   # (dimension, exponent), exponents ≠ 0
    value: float

    @property
    def up(self) -> tuple[tuple[str, Fraction], ...]:
        return tuple(p for p in self.powers if p[1] > 0)

    @property
    def down(self) -> tuple[tuple[str, Fraction], ...]:
        return tuple((name, -e) for name, e in self.powers if e < 0)

    @property
    def symbolic(self) -> bool:
        return bool(self.powers)

    def text(self) -> str:
        """N·Dy, 1/N, −1, 2·N, N/2, 1/(N·Dy), √D."""
        sign = "−" if self.constant < 0 else ""
        k = abs(self.constant)
        top: list[str] = []
        bottom: list[str] = []
        if isinstance(k, Fraction):
            top += [str(k.numerator)] if k.numerator != 1 else []
            bottom += [str(k.denominator)] if k.denominator != 1 else []
        elif k != 1:
            top.append(constant_text(k))
        top += [power_text(n, e) for n, e in self.up]
        bottom += [power_text(n, e) for n, e in self.down]
        numerator = "·".join(top) or "1"
        if not bottom:
            return sign + numerator
        denominator = bottom[0] if len(bottom) == 1 else "(" + "·".join(bottom) + ")"
        return f"{sign}{numerator}/{denominator}"

    def dims_text(self, powers) -> str:
        return "·".join(power_text(n, e) for n, e in powers)


def power_text(name: str, e: Fraction) -> str:
    if e == 1:
        return name
    if e == Fraction(1, 2):
        return f"√{name}"
    return f"{name}^{e}" if e.denominator != 1 else f"{name}{superscript(int(e))}"


def superscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"))


def constant_text(k) -> str:
    return str(k) if isinstance(k, int) else f"{k:.6g}"


def nice(value: float) -> Fraction | float:
    """A small fraction (2, 1/2, 3/4) where the number is one, else the number."""
    f = Fraction(value).limit_denominator(4)
    good = f != 0 and abs(f.numerator) <= 16 and math.isclose(float(f), value, rel_tol=1e-7)
    return f if good else value


def rescaled(bindings: dict[str, int], dims) -> dict[str, int]:
    """Every dimension times its own prime."""
    return {name: v * (PRIMES[i] if name in dims and i < len(PRIMES) else 1)
            for i, (name, v) in enumerate(bindings.items())}


def factor(c0: float, c1: float, bindings: dict[str, int]) -> ScaleFactor | None:
    """The factor whose value is c0 at `bindings` and c1 at `rescaled(bindings)`, named by its symbols.
    None when the ratio is not a product of powers of the dimensions (a hard-coded 5 for N)."""
    if not (c0 and c1) or (c0 < 0) != (c1 < 0) or len(bindings) > len(PRIMES):
        return None
    ratio = Fraction(c1 / c0) ** 2   # squared, so a √d is a whole power
    ratio = ratio.limit_denominator(10 ** 12)
    powers = []
    for (name, _), p in zip(bindings.items(), PRIMES):
        e = 0
        while ratio.numerator % p == 0 and e < 2 * MAX_POWER:
            ratio /= p
            e += 1
        while ratio.denominator % p == 0 and e > -2 * MAX_POWER:
            ratio *= p
            e -= 1
        if e:
            powers.append((name, Fraction(e, 2)))
    if ratio != 1:
        return None
    monomial = math.prod(bindings[n] ** float(e) for n, e in powers)
    check = math.prod(PRIMES[list(bindings).index(n)] ** float(e) for n, e in powers)
    if not math.isclose(c1 / c0, check, rel_tol=1e-6):
        return None
    return ScaleFactor(nice(c0 / monomial), tuple(powers), c0)


def squared(node):
    """What a node squares (u for u ** 2 or u * u), or None."""
    from ..engine.language.ir import Call
    if isinstance(node, Call) and (node.prim == "pow" and node.param("exponent") == 2 or
                                   node.prim == "mul" and len(node.args) == 2 and node.args[0] == node.args[1]):
        return node.args[0]
    return None


def squares_something(network) -> bool:
    """Whether the network squares anything: only then is a factor 2 likely the derivative of a square."""
    from ..engine.language.ir import walk
    return any(squared(node) is not None for expr in network.definitions.values() for node in walk(expr))


def cause(f: ScaleFactor, squares: bool = True) -> str:
    """The likely reasons for a constant factor, in the learner's terms (`squares`: the network squares
    something, so a factor 2 may come from its derivative)."""
    reasons = []
    if f.up:
        names = f.dims_text(f.up)
        what = names if len(f.up) == 1 and f.up[0][1] == 1 else f"({names})"
        reasons.append(f"the 1/{what} is missing (the 1/{what} of the mean)")
    if f.down:
        names = f.dims_text(f.down)
        what = names if len(f.down) == 1 and f.down[0][1] == 1 else f"({names})"
        reasons.append(f"there is a 1/{what} too many (divided twice?)")
    if f.constant < 0:
        reasons.append("the sign is flipped: a gradient points uphill, the way that makes the loss larger")
    k = abs(f.constant)
    if k in (2, Fraction(1, 2)) and squares:
        reasons.append("a factor 2 from a square: its derivative is 2·u, unless a ½ in the loss cancels it")
    elif k != 1:
        reasons.append(f"a constant factor {constant_text(k) if not isinstance(k, Fraction) else k}")
    return "; ".join(reasons)


# -- a derivation's factors, named --------------------------------------------------------------

def step_factor(result: Evaluation, step) -> float | None:
    if not step.shape_ok:
        return None
    samples = result.samples
    verdict, factor = classify([d.learner[step.var] for d in samples], [truth_of(d, step.claims) for d in samples],
                               True, [d.reference for d in samples])
    return factor if verdict == "scaled" else None


def multiple(f: ScaleFactor) -> str:
    """`N·`, `(1/N)·`, `−1·`: a factor written in front of ∂J/∂…"""
    text = f.text()
    return f"({text})·" if "/" in text else f"{text}·"


def convention(f: ScaleFactor) -> str:
    if f.constant == 1 and len(f.up) == 1 and not f.down and f.up[0][1] == 1:
        return ", the per-example gradient"
    if f.constant == -1 and not f.symbolic:
        return " (the sign is flipped)"
    return ""


def inverse_text(f: ScaleFactor) -> str | None:
    """What a later line brings back: the 1/N, a factor N, the sign."""
    if f.constant == -1 and not f.symbolic:
        return "sign"
    if f.constant == 1 and f.up and not f.down:
        dims = f.dims_text(f.up)
        return f"1/{dims}" if len(f.up) == 1 else f"1/({dims})"
    if f.constant == 1 and f.down and not f.up:
        return f"factor {f.dims_text(f.down)}"
    return None


class Scales:
    """Constant factors named by their symbols: the derivation evaluated once more, every dimension
    multiplied by its own prime (computed only when a factor is to be named)."""

    #: Beyond this many numbers in the largest array, the factor is given as a number.
    MAX_ELEMENTS = 2_000_000

    def __init__(self, result: Evaluation):
        self.result = result
        self._other: Evaluation | None = None
        self._tried = False

    def other(self) -> Evaluation | None:
        if not self._tried:
            self._tried = True
            r = self.result
            bigger = rescaled(r.bindings, set(r.network.dims))
            largest = max((int(np.prod([d.value(bigger) for d in s])) for s in r.network.shapes.values()), default=0)
            if largest <= self.MAX_ELEMENTS:
                try:
                    self._other = evaluate(r.network, r.wrt, r.source, bigger, r.origin)
                except TutorError:
                    pass
        return self._other

    def answer(self) -> ScaleFactor | None:
        r = self.result
        if r.factor is None:
            return None
        other = self.other()
        named = factor(r.factor, other.factor, r.bindings) \
            if other is not None and other.verdict == "scaled" and other.factor is not None else None
        return named or ScaleFactor(nice(r.factor), (), r.factor)

    def step(self, step) -> ScaleFactor | None:
        c = step_factor(self.result, step)
        if c is None:
            return None
        other = self.other()
        twin = next((s for s in other.steps if (s.name, s.statement) == (step.name, step.statement)), None) \
            if other is not None else None
        c1 = step_factor(other, twin) if other is not None and twin is not None else None
        named = factor(c, c1, self.result.bindings) if c1 is not None else None
        return named or ScaleFactor(nice(c), (), c)


def here(f: ScaleFactor, bindings: dict[str, int]) -> str:
    """What the symbols are worth at the learner's dimensions: (N = 8 here), (N·Dy = 160 here)."""
    if not f.symbolic:
        return ""
    if len(f.powers) == 1 or not f.down:
        dims = f.dims_text(tuple((n, abs(e)) for n, e in f.powers))
        value = 1.0
        for n, e in f.powers:
            value *= bindings[n] ** float(abs(e))
        return f" ({dims} = {value:.6g} here)"
    return " (" + ", ".join(f"{n} = {bindings[n]}" for n, _ in f.powers) + " here)"
