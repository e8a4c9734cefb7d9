"""Building expressions: `mk`, the `Simplifier` that rewrites them, and the helpers every rule uses.

`mk` is a plain constructor: it computes the new node's shape with the shape rules and marks the
node as freshly built, nothing more. A `Simplifier` holds the network's names and rewrites: its
`mk` builds a node and applies the rewrite rules indexed by the node's primitive (the table in
`algebra`) until none fires; `simplify` rebuilds what `mk` built fresh that way, leaving every
node it did not build (a network's own definitions, a gradient already simplified) as it is.
Children are always simplified first, so one local fixpoint per node is enough: the cost stays
linear in what is built. This module also gives `Expr` its operators (`a @ b`, `g * ans`,
`x.T`), each a plain `mk`, so derivative rules read like the math they encode.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeGuard

from ..language.dims import Dim, Shape
from ..errors import ShapeError
from ..language.ir import Call, Const, DimRef, Expr
from ..language.shapes import broadcast, infer
from .views import EMPTY, Names

Rewrite = Callable[[Call, "Simplifier"], "Expr | None"]
#: The rewrite rules by the primitive they fire on, each list in the order the rules are tried;
#: `algebra` fills it in (ANYWHERE: the rules that may fire on any primitive, tried last).
RULES: dict[str, tuple[Rewrite, ...]] = {}
ANYWHERE = "*"


def mk(prim: str, *args: Expr, **params) -> Call:
    """A node with its shape, built fresh: a `Simplifier` rewrites it when asked to `simplify`."""
    node = Call(prim, args, tuple(sorted(params.items())))
    return Call(prim, args, node.params, shape=infer(node, [a.shape for a in args]), fresh=True)


def raw(prim: str, *args: Expr, **params) -> Call:
    """A node with its shape and no rewriting: for forms a rule has already made canonical."""
    node = Call(prim, args, tuple(sorted(params.items())))
    return Call(prim, args, node.params, shape=infer(node, [a.shape for a in args]))


def extended(out: Expr, prim: str, factor: Expr) -> Call:
    """`out * factor` (or `/`) built with `raw`, the same node each time it is built on the same `out`: a
    product grown by one factor per step of a deep chain (a gradient through 1,000 tanh layers) is rebuilt
    from nodes it already has, a lookup each, and compares equal to the last step's by identity instead
    of by walking it."""
    grown = out.__dict__.get("_extended")
    if grown is None:
        grown = {}
        object.__setattr__(out, "_extended", grown)
    known = grown.get((prim, id(factor)))
    if known is not None and known[0] is factor:
        return known[1]
    node = raw(prim, out, factor)
    grown[prim, id(factor)] = (factor, node)
    return node


class Simplifier:
    """The rewrite rules applied with one network's names (none: `Simplifier()`)."""

    def __init__(self, names: Names = EMPTY):
        self.names = names

    def mk(self, prim: str, *args: Expr, **params) -> Expr:
        """The node built and rewritten until no rule fires."""
        node = extended(args[0], prim, args[1]) if prim in ("mul", "div") and not params else \
            raw(prim, *args, **params)
        for _ in range(16):
            for rule in RULES.get(node.prim, RULES[ANYWHERE]):
                new = rule(node, self)
                if new is not None:
                    break
            else:
                return node
            if not isinstance(new, Call):
                return new
            node = new
        return node

    def simplify(self, expr: Expr, memo: dict[int, Expr] | None = None) -> Expr:
        """expr with every node built fresh (by `mk`, an operator) rewritten, children first."""
        if not (isinstance(expr, Call) and expr.fresh):
            return expr
        memo = {} if memo is None else memo
        key = id(expr)
        if key not in memo:
            memo[key] = self.mk(expr.prim, *(self.simplify(a, memo) for a in expr.args), **dict(expr.params))
        return memo[key]

    def rebuild(self, expr: Expr, memo: dict[int, Expr] | None = None) -> Expr:
        """The same expression built again, every node of it rewritten (a definition as written)."""
        memo = {} if memo is None else memo
        if not isinstance(expr, Call):
            return expr
        key = id(expr)
        if key not in memo:
            memo[key] = self.mk(expr.prim, *(self.rebuild(a, memo) for a in expr.args), **dict(expr.params))
        return memo[key]


#: The rules with no network's names: formulas built on their own.
PLAIN = Simplifier()


def simplified(prim: str, *args: Expr, **params) -> Expr:
    """A node built and rewritten without a network's names."""
    return PLAIN.mk(prim, *args, **params)


def const(value: float) -> Const:
    return Const(int(value) if float(value).is_integer() and abs(value) < 1e15 else value)


def is_const(e: Expr, value: float | None = None) -> bool:
    return isinstance(e, Const) and (value is None or e.value == value)


def is_call(e: Expr | None, *prims: str) -> TypeGuard[Call]:
    return isinstance(e, Call) and e.prim in prims


def is_scalar(e: Expr) -> bool:
    return e.shape == ()


def is_dims(e: Expr) -> bool:
    """A product of dimension symbols (and numbers): `N`, `B * T`."""
    return isinstance(e, DimRef) or (is_call(e, "mul") and all(is_dims(a) or isinstance(a, Const) for a in e.args))


def dim_expr(d: Dim) -> Expr:
    """A dimension as a scalar expression: `N`, `N * Dy`, `3`."""
    out: Expr = const(d.coeff) if d.coeff != 1 or not d.symbols else DimRef(d.symbols[0])
    for s in (d.symbols if d.coeff != 1 else d.symbols[1:]):
        out = PLAIN.mk("mul", out, DimRef(s))  # sizes are never a network's names
    return out


def is_zero(e: Expr) -> bool:
    return is_const(e, 0) or is_call(e, "zeros_like", "zeros")


def zero_like(n: Expr) -> Expr:
    """A zero of n's shape, written after an operand of that shape where there is one."""
    if n.shape == ():
        return const(0)
    if not isinstance(n, Call):
        return raw("zeros_like", n)
    same = [a for a in n.args if a.shape == n.shape]
    for a in same:
        if is_zero(a):
            return a
    return raw("zeros_like", same[0]) if same else raw("zeros", shape=n.shape)


def shape_or_none(node: Call) -> Shape | None:
    try:
        return infer(node, [a.shape for a in node.args])
    except ShapeError:
        return None


def broadcast_of(shapes) -> Shape | None:
    """The shape operands of these shapes broadcast to (None: they do not)."""
    out: Shape = ()
    for s in shapes:
        try:
            out = broadcast(BROADCASTING, out, s)
        except ShapeError:
            return None
    return out


BROADCASTING = Call("mul", ())


# -- arithmetic on expressions: derivative rules read like the math they encode ------

def _lift(value) -> Expr:
    return value if isinstance(value, Expr) else Const(value)


def _operator(prim: str, swap: bool = False):
    def method(self, other):
        a, b = (_lift(other), self) if swap else (self, _lift(other))
        return mk(prim, a, b)
    return method


for _name, _prim in (("add", "add"), ("sub", "sub"), ("mul", "mul"), ("truediv", "div"), ("matmul", "matmul")):
    setattr(Expr, f"__{_name}__", _operator(_prim))
    setattr(Expr, f"__r{_name}__", _operator(_prim, swap=True))
for _name in ("gt", "ge", "lt", "le"):
    setattr(Expr, f"__{_name}__", _operator(_name))
Expr.__neg__ = lambda self: mk("neg", self)  # type: ignore[method-assign,assignment]
Expr.__pow__ = lambda self, exponent: mk("pow", self, exponent=exponent)  # type: ignore[method-assign,assignment]
Expr.T = property(lambda self: mk("transpose", self))  # type: ignore[method-assign,assignment]
