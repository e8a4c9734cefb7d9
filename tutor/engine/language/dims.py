"""Symbolic dimensions: products of symbols and a positive integer.

`Dim(3)`, `Dim.symbol("H")` and `N*Dx` are all `Dim`s. Two dimensions are the
same only when they are the same product: `H` and `Dy` never unify, whatever
numbers they are bound to, while `h*d` and `d*h` are one dimension. Products
appear in declarations (`Wq: [E, h*d]`), in reshapes that merge axes, and when
`outer` flattens its operands. A product is shown with its factors in the order
they were written (`h*d`), which takes no part in equality.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..errors import DimensionError

SYMBOL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: Numbers used when a symbol is left unbound: distinct, small, never 1 (a 1 would hide broadcasting).
DEFAULT_VALUES = (5, 3, 4, 6, 7, 2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20)
#: Dimensions above this are never allocated; the tool stays symbolic and says so.
MAX_NUMERIC_DIM = 1_000_000


@dataclass(frozen=True, order=True)
class Dim:
    coeff: int = 1
    symbols: tuple[str, ...] = ()  # sorted, with repetition
    written: tuple[str, ...] | None = field(default=None, compare=False, repr=False)  # the factors as written

    @classmethod
    def symbol(cls, name: str) -> "Dim":
        return cls(1, (name,))

    @property
    def is_literal(self) -> bool:
        return not self.symbols

    def __mul__(self, other: "Dim") -> "Dim":
        if other.is_literal and other.coeff == 1:
            return self
        if self.is_literal and self.coeff == 1:
            return other
        symbols = tuple(sorted(self.symbols + other.symbols))
        return Dim(self.coeff * other.coeff, symbols, self.factors + other.factors if symbols else None)

    @property
    def factors(self) -> tuple[str, ...]:
        """The factors in the order written: `("4", "E")`, `("h", "d")`."""
        if self.written is not None:
            return self.written
        return ((str(self.coeff),) if self.coeff != 1 or not self.symbols else ()) + self.symbols

    @property
    def names(self) -> tuple[str, ...]:
        """Its symbols in the order written, each once: `("h", "d")` for `h*d`."""
        return tuple(dict.fromkeys(f for f in self.factors if not f.isdigit()))

    def divide(self, other: "Dim") -> "Dim | None":
        """self / other when it is a whole dimension (`N*T*E / N` is `T*E`), else None."""
        rest = list(self.symbols)
        for s in other.symbols:
            if s not in rest:
                return None
            rest.remove(s)
        if other.coeff == 0 or self.coeff % other.coeff:
            return None
        return Dim(self.coeff // other.coeff, tuple(rest))

    def minus(self, other: "Dim") -> "Dim | None":
        """self - other when it is known symbolically (`4*H - H` is `3*H`, `(n_a + n_x) - n_a` is `n_x`)
        and positive, else None."""
        mine, theirs = list(terms(self)), terms(other)
        for t in theirs:
            same = next((m for m in mine if m.symbols == t.symbols and m.coeff >= t.coeff), None)
            if same is None:
                return None
            mine.remove(same)
            if same.coeff > t.coeff:
                mine.append(Dim(same.coeff - t.coeff, same.symbols))
        return total(mine) if mine else None

    def value(self, bindings: Mapping[str, int]) -> int:
        out = self.coeff
        for name in self.symbols:
            out *= symbol_value(name, bindings)
        return out

    def __add__(self, other: "Dim") -> "Dim":
        """A dimension sum, as concatenation makes one: `n_a + n_x` (a symbol of its own, `(n_a + n_x)`)."""
        return total(terms(self) + terms(other))

    def json(self) -> int | str:
        """A literal is an integer; anything symbolic is its text (`"H"`, `"N*Dx"`)."""
        return self.coeff if self.is_literal else str(self)

    def __str__(self) -> str:
        return "*".join(self.factors)


ONE = Dim(1)
Shape = tuple[Dim, ...]


def is_sum(symbol: str) -> bool:
    return symbol.startswith("(")


def terms(d: Dim) -> list[Dim]:
    """The monomials a dimension adds up: `(n_a + n_x)` → [n_a, n_x]; anything else is its own term."""
    if d.coeff == 1 and len(d.symbols) == 1 and is_sum(d.symbols[0]):
        return [parse_term(t) for t in d.symbols[0][1:-1].split(" + ")]
    return [d]


def parse_term(text: str) -> Dim:
    out = ONE
    for factor in text.split("*"):
        out = out * (Dim(int(factor)) if factor.isdigit() else Dim.symbol(factor))
    return out


def total(parts: Iterable[Dim]) -> Dim:
    """The sum of monomials, like terms collected: one Dim, a sum symbol where symbols differ."""
    collected: dict[tuple[str, ...], int] = {}
    for t in parts:
        for u in (m for v in terms(t) for m in expanded(v)):
            collected[u.symbols] = collected.get(u.symbols, 0) + u.coeff
    monomials = sorted((Dim(c, k) for k, c in collected.items() if c), key=str)
    if len(monomials) == 1:
        return monomials[0]
    return Dim.symbol("(" + " + ".join(str(m) for m in monomials) + ")")


def expanded(d: Dim) -> list[Dim]:
    """A monomial whose factors include a sum, multiplied out: `h*(1 + n)` → [h, h*n] (a sum of such
    products, as a concatenation of flattened arrays makes, stays a flat sum of monomials)."""
    out = [Dim(d.coeff)]
    for name in d.symbols:
        factors = terms(Dim.symbol(name)) if is_sum(name) else [Dim.symbol(name)]
        out = [m * f for m in out for f in factors]
    return out


def symbol_value(name: str, bindings: Mapping[str, int]) -> int:
    """A symbol's number; a sum symbol's is the sum of its terms'."""
    if is_sum(name):
        return sum(t.value(bindings) for t in terms(Dim.symbol(name)))
    return bindings[name]


def base_names(d: Dim) -> tuple[str, ...]:
    """The symbols to bind, in the order written: a sum's own symbols (`n_a`, `n_x`), never the sum."""
    out: list[str] = []
    for name in d.names:
        for part in ([n for t in terms(Dim.symbol(name)) for n in t.names] if is_sum(name) else [name]):
            if part not in out:
                out.append(part)
    return tuple(out)


def product(dims: Iterable[Dim]) -> Dim:
    out = ONE
    for d in dims:
        out = out * d
    return out


def format_shape(shape: Shape, bindings: Mapping[str, int] | None = None, *, unicode: bool = True) -> str:
    """`1×H` (or `1xH`); with bindings, the numbers instead of the symbols."""
    times = "×" if unicode else " x "  # spaced, so Dx x H never reads as DxxH
    if not shape:
        return "scalar"
    if bindings is None:
        return times.join(str(d) for d in shape)
    return times.join(str(d.value(bindings)) for d in shape)


def shape_json(shape: Shape) -> list[int | str]:
    return [d.json() for d in shape]


def parse_bindings(text: str | None) -> dict[str, int]:
    """`Dx=5,H=3` → {"Dx": 5, "H": 3}; every problem is a `DimensionError`."""
    out: dict[str, int] = {}
    if not text:
        return out
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, number = item.partition("=")
        name, number = name.strip(), number.strip()
        if not sep or not SYMBOL.match(name):
            raise DimensionError(f"bad dimension binding {item!r}", expected="NAME=positive integer, e.g. Dx=5,H=3")
        if not (number.isascii() and number.isdigit()) or len(number) > 12 or int(number) < 1:
            raise DimensionError(f"dimension {name} must be a positive integer, got {number!r}",
                                 expected="NAME=positive integer, e.g. H=3")
        value = int(number)
        if value > MAX_NUMERIC_DIM:
            raise DimensionError(f"dimension {name}={value} is larger than {MAX_NUMERIC_DIM:,}: "
                                 "shapetutor reasons about it symbolically but will not allocate arrays that size",
                                 expected=f"a value up to {MAX_NUMERIC_DIM:,}")
        if name in out and out[name] != value:
            raise DimensionError(f"dimension {name} bound twice ({out[name]} and {value})")
        out[name] = value
    return out


def complete_bindings(symbols: Iterable[str], given: Mapping[str, int], literals: Iterable[int] = ()) -> dict[str, int]:
    """Bind every symbol: the user's values first, then distinct defaults for the rest.

    Defaults avoid the user's values and the network's literal sizes, so no two
    dimensions coincide by accident and hide a transpose.
    """
    symbols = list(symbols)
    taken = set(given.values()) | set(literals) | {1}
    spare = (v for v in itertools.chain(DEFAULT_VALUES, itertools.count(21)) if v not in taken)
    out: dict[str, int] = {}
    for position, name in enumerate(symbols):
        if name in given:
            out[name] = given[name]
            continue
        # each symbol keeps its usual default unless a chosen value already took it
        usual = DEFAULT_VALUES[position] if position < len(DEFAULT_VALUES) else None
        value = usual if usual is not None and usual not in taken else next(spare)
        while value in taken:
            value = next(spare)
        out[name] = value
        taken.add(value)
    return out
