"""The expression IR: small immutable trees.

A primitive is just a name (`"matmul"`, `"sigmoid"`); what it means lives in the
rule tables keyed by that name (shapes, derivatives, NumPy, printing). Nodes
carry their inferred shape and, when they came from source text, their span;
neither takes part in equality. `algebra` gives `Expr` its arithmetic
operators, so rules can be written as math (`g * ans * (1 - ans)`).
"""
from __future__ import annotations

import ast
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .dims import Shape
from ..diagnostics import Span


class Expr:
    """Every node has a shape and a span (None when it was not written).

    Each kind of node declares them as fields that take no part in equality; a shape is None only
    on a node just parsed, before `annotate` infers it, so the engine reads it as a `Shape`. The arithmetic
    operators are given by `simplify.build` (each a plain `mk`), so rules read as math.
    """

    __slots__ = ()

    if TYPE_CHECKING:
        shape: Shape
        span: Span | None

        def __add__(self, other: Expr | float) -> Expr: ...
        def __radd__(self, other: Expr | float) -> Expr: ...
        def __sub__(self, other: Expr | float) -> Expr: ...
        def __rsub__(self, other: Expr | float) -> Expr: ...
        def __mul__(self, other: Expr | float) -> Expr: ...
        def __rmul__(self, other: Expr | float) -> Expr: ...
        def __truediv__(self, other: Expr | float) -> Expr: ...
        def __rtruediv__(self, other: Expr | float) -> Expr: ...
        def __matmul__(self, other: Expr) -> Expr: ...
        def __rmatmul__(self, other: Expr) -> Expr: ...
        def __neg__(self) -> Expr: ...
        def __pow__(self, exponent: float) -> Expr: ...
        def __gt__(self, other: Expr | float) -> Expr: ...
        def __ge__(self, other: Expr | float) -> Expr: ...
        def __lt__(self, other: Expr | float) -> Expr: ...
        def __le__(self, other: Expr | float) -> Expr: ...

        @property
        def T(self) -> Expr: ...


@dataclass(frozen=True)
class Var(Expr):
    """A leaf or a defined name of the network (or a learner's own step)."""

    name: str
    shape: Shape = field(default=None, compare=False, repr=False)  # type: ignore[arg-type]
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Const(Expr):
    value: float
    shape: Shape = field(default=(), compare=False, repr=False)
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class DimRef(Expr):
    """A dimension symbol used as the scalar bound to it (`/ N`)."""

    name: str
    shape: Shape = field(default=(), compare=False, repr=False)
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, eq=False)
class Call(Expr):
    prim: str
    args: tuple[Expr, ...]
    params: tuple[tuple[str, Any], ...] = ()
    shape: Shape = field(default=None, compare=False, repr=False)  # type: ignore[arg-type]
    span: Span | None = field(default=None, compare=False, repr=False)
    caret: Span | None = field(default=None, compare=False, repr=False)  # the operator itself, within span
    fresh: bool = field(default=False, compare=False, repr=False)  # built by a rule, not yet simplified

    def param(self, name: str, default: Any = None) -> Any:
        for key, value in self.params:
            if key == name:
                return value
        return default

    # Hashed once and compared by hash first: formulas are looked up by structure (a network's own
    # names), and a deep tree would otherwise be walked again on every lookup.
    def __hash__(self) -> int:
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash((self.prim, self.args, self.params))
            object.__setattr__(self, "_hash", cached)
        return cached

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Call):
            return NotImplemented
        return (hash(self) == hash(other) and self.prim == other.prim and self.params == other.params
                and self.args == other.args)


def names_in(expr: Expr) -> set[str]:
    """The `Var` names an expression reads. Each shared node is visited once: a derived formula shares its
    parts, and twenty nested softmaxes written out as a tree have 2^20 nodes or more."""
    out: set[str] = set()
    seen: set[int] = set()   # ids of nodes held by `expr` for the whole walk
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Var):
            out.add(node.name)
        elif isinstance(node, Call) and id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.args)
    return out


def walk(expr: Expr):
    """Every sub-expression, children before parents (evaluation order)."""
    if isinstance(expr, Call):
        for arg in expr.args:
            yield from walk(arg)
    yield expr



#: How primitives that are operators are written (for messages and diagnostics).
OPERATORS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "matmul": "@", "pow": "**",
             "neg": "-", "transpose": ".T", "index": "[]",
             "gt": ">", "ge": ">=", "lt": "<", "le": "<=", "eq": "==", "ne": "!="}


def op_name(prim: str) -> str:
    return OPERATORS.get(prim, prim)


_ROOM = threading.Condition()
_inside = 0          # how many calls (any thread) are inside deep_recursion now
_saved: int | None = None   # the limit before the first of them raised it
_parsing = 0         # how many ast.parse calls (any thread) need the limit to stay where it is
_held = threading.local()   # .depth: how deep this thread is inside deep_recursion


@contextmanager
def deep_recursion(limit: int = 50_000):
    """Room for the recursion that derived formulas of deep networks need, restored afterwards.

    The recursion limit belongs to the whole process: the first call in raises it and the last one out
    puts back what it was, so calls from several threads never leave it raised (a save-and-restore
    per call would, when they interleave). Neither happens while another thread parses Python.

    Waiting for a parse lets go of the lock, so each wait comes before the count it guards changes:
    a thread that waited to leave is still counted, and one that enters meanwhile finds the room
    open instead of saving the raised limit as the one to restore."""
    global _inside, _saved
    if getattr(_held, "depth", 0) == 0:   # this thread's first room: counted with the other threads'
        with _ROOM:
            _ROOM.wait_for(lambda: _inside > 0 or _parsing == 0)
            if _inside == 0:
                _saved = sys.getrecursionlimit()
                if _saved < limit:
                    sys.setrecursionlimit(limit)
            _inside += 1
            _ROOM.notify_all()  # one waiting to leave may go now: it is no longer the last
    # A thread inside already only counts its rooms, without the lock (an evaluation enters one per
    # formula); whichever of them leaves last, in any order, leaves for the thread.
    _held.depth = getattr(_held, "depth", 0) + 1
    try:
        yield
    finally:
        _held.depth -= 1
        if _held.depth == 0:
            with _ROOM:
                _ROOM.wait_for(lambda: _inside > 1 or _parsing == 0)
                _inside -= 1
                if _inside == 0 and _saved is not None:
                    sys.setrecursionlimit(_saved)
                    _saved = None
                _ROOM.notify_all()


def parse_python(source: str, filename: str = "<unknown>", mode: str = "exec") -> Any:
    """`ast.parse`, with the recursion limit held where it is meanwhile: CPython checks that the limit did
    not move while it built the tree (a SystemError otherwise), and another thread's derivation may be
    raising or restoring it."""
    global _parsing
    with _ROOM:
        _parsing += 1
    try:
        return ast.parse(source, filename=filename, mode=mode)
    finally:
        with _ROOM:
            _parsing -= 1
            _ROOM.notify_all()


def expanded_size(expr: Expr, limit: int, memo: dict[int, int] | None = None) -> int:
    """How many nodes the expression has when written out as text (shared sub-trees repeat).

    Counted over the shared DAG, so it costs time linear in the DAG; stops early past `limit`.
    Pass one `memo` for many formulas that share parts (keep the formulas alive meanwhile).
    """
    memo = {} if memo is None else memo
    order: list[Expr] = []
    stack = [expr]
    while stack:  # post-order without recursion
        node = stack.pop()
        if id(node) in memo:
            continue
        if isinstance(node, Call) and any(id(a) not in memo for a in node.args):
            stack.append(node)
            stack.extend(a for a in node.args if id(a) not in memo)
            continue
        memo[id(node)] = size = min(limit + 1, 1 + sum(memo[id(a)] for a in getattr(node, "args", ())))
        order.append(node)
        # a part of expr past the limit, or more distinct parts than the limit (each is written at least
        # once): expr is past it too, and the rest of a large DAG need not be walked
        if size > limit or len(order) > limit:
            return limit + 1
    return memo[id(expr)]
