"""How much numeric work one evaluation may do, decided from the shapes alone, before any array exists.

Shapes and formulas stay symbolic at any size, but numbers cost memory and time, and a per-array
limit is not enough: four leaves just under it, a product of outer products, an einsum of eight
operands or six hundred leaves each stay within it and still ask for gigabytes or minutes. So
every place that makes arrays first prices everything it will evaluate, counted over the shared
expression graph (each node once, as the evaluators compute it), and refuses when over:

* **numbers**: every value held at once (the evaluators keep every node's value), leaves included,
  times the copies the caller keeps (draws, complex passes), against MAX_NUMBERS;
* **time**: a cost per number (drawn, computed, copied, compared), per operation (a matrix product's
  multiply-adds, an einsum's along the contraction path NumPy's `optimize` takes, anything else by
  its size, transcendental functions dearer) and per node (the interpreter), against MAX_SECONDS.
  The costs were measured on a laptop core; a machine three times slower still stays within 10 s.

`require` raises `TooLarge` (a `TutorError`) naming what was too big and the limit. `derive`
catches it and says the numeric check was skipped; `check` makes it exit 2.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..language.dims import Shape, format_shape
from ..language.ir import Call, Expr, Var, expanded_size, op_name
from ..language.printer import code
from .sampling import TooLarge

#: Numbers held at once by one evaluation, every copy counted: 100 million float64s are 0.8 GB.
MAX_NUMBERS = 100_000_000
#: The time one evaluation may take, as the costs below estimate it.
MAX_SECONDS = 2.0
#: Seconds per number of a value, per operation, per node (measured: derive's check and check's draws).
NUMBER_COST = 150e-9
OPERATION_COST = 1.5e-9
NODE_COST = 20e-6
#: Operations per number for the primitives that cost more than an addition.
HEAVY = {"exp": 8, "log": 8, "sqrt": 4, "tanh": 10, "sigmoid": 10, "softmax": 12, "log_softmax": 12, "pow": 10,
         "log1p": 8, "cross_entropy": 10, "norm": 2,
         **{f: 10 for f in ("sin", "cos", "tan", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh",
                            "arctanh", "expm1", "log2", "log10", "arctan2", "hypot", "logaddexp")},
         "argsort": 20}
#: A multiply-add of a matrix product (BLAS) costs a fraction of an elementwise operation.
MULTIPLY_ADD = 0.25


@dataclass(frozen=True)
class Price:
    """What evaluating some expressions once costs, and the node that costs the most of each."""

    numbers: int
    operations: int
    nodes: int
    largest: tuple[int, Expr | None]       # (numbers, node) of the largest value
    costliest: tuple[int, Expr | None]     # (operations, node) of the costliest operation
    #: multiply-adds of matrix products and einsums (counted in `operations` at MULTIPLY_ADD each), and
    #: those of them in products of two stacks of matrices, which NumPy runs one small product at a time
    multiply_adds: int = 0
    stacked_multiply_adds: int = 0

    @property
    def seconds(self) -> float:
        return self.numbers * NUMBER_COST + self.operations * OPERATION_COST + self.nodes * NODE_COST


def size(shape: Shape | None, bindings: Mapping[str, int]) -> int:
    return math.prod(d.value(bindings) for d in shape) if shape else 1


def price(exprs: Iterable[Expr], bindings: Mapping[str, int], shapes: Mapping[str, Shape],
          computed: Iterable[str] = ()) -> Price:
    """The price of evaluating `exprs` once, every shared node counted once; `shapes` gives the sizes of
    the names values are read from (leaves and defined nodes, each counted once), except the names
    `computed` by `exprs` themselves (a network's definitions), whose values are already counted."""
    numbers = operations_ = nodes = macs = stacked = 0
    largest: tuple[int, Expr | None] = (0, None)
    costliest: tuple[int, Expr | None] = (0, None)
    seen: set[int] = set()
    names: set[str] = set(computed)
    stack = list(exprs)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Var):
            if node.name not in names:
                names.add(node.name)
                n = size(shapes.get(node.name, node.shape), bindings)
                numbers += n
                largest = max(largest, (n, node), key=lambda t: t[0])
            continue
        if not isinstance(node, Call):
            continue
        stack.extend(node.args)
        n, ops = size(node.shape, bindings), operations(node, bindings)
        numbers, operations_, nodes = numbers + n, operations_ + ops, nodes + 1
        if node.prim in ("matmul", "einsum"):
            added = multiply_adds(node, bindings)
            macs += added
            if node.prim == "matmul" and all(len(a.shape or ()) >= 3 for a in node.args):
                stacked += added
        largest = max(largest, (n, node), key=lambda t: t[0])
        costliest = max(costliest, (ops, node), key=lambda t: t[0])
    return Price(numbers, operations_, nodes, largest, costliest, macs, stacked)


def multiply_adds(node: Call, bindings: Mapping[str, int]) -> int:
    """The multiply-adds of a matrix product or an einsum at these sizes."""
    if node.prim == "einsum":
        return einsum_cost(node.param("spec"), [a.shape or () for a in node.args], bindings)
    a = node.args[0].shape or ()
    return size(node.shape, bindings) * (a[-1].value(bindings) if a else 1)


def operations(node: Call, bindings: Mapping[str, int]) -> int:
    """Elementary operations of one primitive at these sizes."""
    out = size(node.shape, bindings)
    if node.prim == "matmul":
        a = node.args[0].shape or ()
        return out + int(out * (a[-1].value(bindings) if a else 1) * MULTIPLY_ADD)
    if node.prim == "einsum":
        return out + int(einsum_cost(node.param("spec"), [a.shape or () for a in node.args], bindings) * MULTIPLY_ADD)
    return max([out, *(size(a.shape, bindings) for a in node.args)]) * HEAVY.get(node.prim, 1)


def einsum_cost(spec: str, shapes: list[Shape], bindings: Mapping[str, int]) -> int:
    """Multiply-adds of `np.einsum(spec, ...)` as numeric.py calls it: two operands directly (every
    combination of the letters), more along the greedy contraction path NumPy's `optimize` picks."""
    spec = without_ellipsis(spec, shapes)
    inputs, output = spec.split("->")
    terms = inputs.split(",")
    letters: dict[str, int] = {}
    for term, shape in zip(terms, shapes):
        for letter, d in zip(term, shape):
            letters[letter] = d.value(bindings)
    if len(terms) <= 2:
        return math.prod(letters.values())
    import numpy as np
    views = [np.broadcast_to(np.zeros(()), tuple(letters[x] for x in t)) for t in terms]  # shapes, no memory
    path = np.einsum_path(spec, *views, optimize="greedy")[0][1:]
    live, total = list(terms), 0
    for step in path:
        used = [live[i] for i in step]
        for i in sorted(step, reverse=True):
            del live[i]
        involved = set("".join(used))
        total += math.prod(letters[x] for x in involved)
        keep = set("".join(live)) | set(output)
        live.append("".join(x for x in sorted(involved) if x in keep))
    return total


def without_ellipsis(spec: str, shapes: list[Shape]) -> str:
    """The spec with each `...` spelled as letters of its own, aligned from the right as NumPy
    broadcasts them: '...k,km,mp->...p' for a rank-3 first operand is 'ABk,km,mp->ABp'."""
    if "..." not in spec:
        return spec
    inputs, _, output = spec.partition("->")
    terms = inputs.split(",")
    spare = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in spec]
    ranks = [len(shape) - (len(term) - 3) for term, shape in zip(terms, shapes) if "..." in term]
    wide = spare[:max(ranks, default=0)]
    def spell(term: str, rank: int) -> str:
        return term.replace("...", "".join(wide[len(wide) - rank:]) if rank > 0 else "")
    spelled = [spell(t, len(shape) - (len(t) - 3)) if "..." in t else t for t, shape in zip(terms, shapes)]
    return ",".join(spelled) + "->" + spell(output, len(wide))


def require(exprs: Iterable[Expr], bindings: Mapping[str, int], shapes: Mapping[str, Shape], *,
            computed: Iterable[str] = (), copies: float = 1, passes: float = 1,
            what: str = "the numeric check") -> Price:
    """Refuse (`TooLarge`) before any array is made when `passes` evaluations of `exprs`, with `copies`
    of their values alive at once, go over MAX_NUMBERS or MAX_SECONDS; otherwise the price."""
    cost = price(exprs, bindings, shapes, computed)
    problem = over(cost, copies, passes, what)
    if problem is not None:
        message, node = problem
        raise TooLarge(message, getattr(node, "span", None),
                       expected="smaller dimensions for numbers (shapes and formulas stay symbolic)")
    return cost


def over(cost: Price, copies: float, passes: float, what: str) -> tuple[str, Expr | None] | None:
    """What is too big about `cost` (the message, and the node to point at), or None."""
    if cost.numbers * copies > MAX_NUMBERS:
        n, node = cost.largest
        return (f"{what} would hold {int(cost.numbers * copies):,} numbers at these dimensions (the limit is "
                f"{MAX_NUMBERS:,}); the largest value, {describe(node)}, has {n:,}"), node
    if cost.seconds * passes > MAX_SECONDS:
        n, node = cost.costliest
        return (f"{what} would take about {cost.seconds * passes:.0f} s at these dimensions (the limit is "
                f"{MAX_SECONDS:.0f} s); the costliest step, {describe(node)}, takes {n:,} operations"), node
    return None


def affordable(each: Price, passes: float = 1) -> int:
    """How many evaluations priced `each` (of `passes` passes) fit in one budget of time."""
    return int(MAX_SECONDS // max(each.seconds * passes, 1e-9))


def describe(node: Expr | None) -> str:
    """A node as a person would recognise it: its name, its code when short, else its operation and shape."""
    if node is None:
        return "?"
    if isinstance(node, Var):
        return node.name
    if isinstance(node, Call) and expanded_size(node, 40) <= 40:
        text = code(node)
        if len(text) <= 60:
            return text
    prim = op_name(node.prim) if isinstance(node, Call) else "value"
    return f"a {prim} of shape {format_shape(node.shape or ())}"
