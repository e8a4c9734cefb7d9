"""Random draws in a forward pass: `np.random.rand(*x.shape) < keep_prob`, `np.random.binomial(1, p, size)`.

A course's dropout draws its mask while it runs the network, and its backward pass reuses that very
mask. Nothing is run here, so a draw is read as what it is to the derivation: a fixed array of random
values, drawn once. Each call becomes a leaf of the network whose values are sampled from the call's
distribution (a uniform draw stays in [0, 1), so `< keep_prob` is a real mask with both values).

A row of `DRAWS` says how a NumPy function names its shape and which distribution it samples.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from ..errors import ParseError
from .dims import Shape
from .table import MODULES


@dataclass(frozen=True)
class Draw:
    """One random array of the forward pass: its distribution and the numbers that fix it."""

    distribution: str                 # "uniform", "normal" or "bernoulli"
    low: float = 0.0                  # uniform: [low, high); normal: mean low, deviation high
    high: float = 1.0


@dataclass(frozen=True)
class Sampler:
    distribution: str
    shape_from: str                   # "dims": rand(d0, d1, ...); "size": a size argument
    numbers: tuple[str, ...] = ()     # the positional parameters before size, in NumPy's order
    defaults: tuple[float, ...] = ()


#: NumPy's legacy random functions that courses call (np.random.X), each with how it is written.
DRAWS: dict[str, Sampler] = {
    "rand": Sampler("uniform", "dims"),
    "randn": Sampler("normal", "dims"),
    "random": Sampler("uniform", "size"),
    "random_sample": Sampler("uniform", "size"),
    "sample": Sampler("uniform", "size"),
    "standard_normal": Sampler("normal", "size"),
    "uniform": Sampler("uniform", "size", ("low", "high"), (0.0, 1.0)),
    "normal": Sampler("normal", "size", ("loc", "scale"), (0.0, 1.0)),
    "binomial": Sampler("bernoulli", "size", ("n", "p"), (1.0, 0.5)),
}


def drawn_function(node: ast.expr) -> str | None:
    """The name X of a call `np.random.X(...)` (None for any other expression)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        owner = node.func.value
        if isinstance(owner, ast.Attribute) and owner.attr == "random" and isinstance(owner.value, ast.Name) \
                and owner.value.id in MODULES:
            return node.func.attr
    return None


def read_draw(reader, node: ast.Call, scope) -> tuple[Draw, Shape]:
    """What `np.random.X(...)` draws and the shape of the array it draws."""
    name = drawn_function(node)
    sampler = DRAWS.get(name or "")
    if sampler is None:
        raise reader.error(ParseError, f"np.random.{name}() is not a draw the language reads", node.func,
                           "one of " + ", ".join(f"np.random.{k}" for k in DRAWS))
    keywords = {k.arg: k.value for k in node.keywords}
    if None in keywords:
        raise reader.error(ParseError, "name the draw's arguments", node)
    args = list(node.args)
    if sampler.shape_from == "dims":
        if keywords:
            raise reader.error(ParseError, f"np.random.{name}() takes its dimensions only", node,
                               f"np.random.{name}(N, H) or np.random.{name}(*x.shape)")
        shape: Shape = ()
        for a in args:
            if isinstance(a, ast.Starred):
                shape += tuple(reader.shape_of(starred_shape(reader, a), scope, 0))
            else:
                shape += (reader.dim_of(a, scope),)
        return Draw(sampler.distribution), tuple(reader.known_dims(shape, node, scope))
    given = dict(zip((*sampler.numbers, "size"), args))
    if len(args) > len(sampler.numbers) + 1:
        raise reader.error(ParseError, f"np.random.{name}() takes " + ", ".join((*sampler.numbers, "size")), node)
    for key, value in keywords.items():
        if key not in (*sampler.numbers, "size") or key in given:
            raise reader.error(ParseError, f"np.random.{name}() has no argument {key!r} here", value,
                               "its arguments are " + ", ".join((*sampler.numbers, "size")))
        given[key] = value
    numbers = [reader.number(given[k]) if k in given else d for k, d in zip(sampler.numbers, sampler.defaults)]
    if "size" not in given:
        shape = ()
    else:
        shape = tuple(reader.parameter("shape", given["size"], scope))
    if sampler.distribution == "bernoulli":
        n, p = numbers
        if n != 1 or not 0 < p < 1:
            raise reader.error(ParseError, "a binomial draw is read as a 0/1 mask: one trial with a probability "
                                           "strictly between 0 and 1", node, f"np.random.binomial(1, p, size={'...'})")
        return Draw("bernoulli"), shape
    if numbers:
        low, high = numbers
        if sampler.distribution == "uniform" and not low < high or sampler.distribution == "normal" and high <= 0:
            raise reader.error(ParseError, f"np.random.{name}(): an empty range or a spread that is not positive",
                               node)
        return Draw(sampler.distribution, low, high), shape
    return Draw(sampler.distribution, 0.0, 1.0), shape


def starred_shape(reader, node: ast.Starred) -> ast.expr:
    """`*x.shape` → x: a draw as large as an array."""
    if isinstance(node.value, ast.Attribute) and node.value.attr == "shape":
        return node.value.value
    raise reader.error(ParseError, "only an array's shape can be unpacked into a draw's dimensions", node,
                       "np.random.rand(*x.shape)")
