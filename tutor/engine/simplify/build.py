"""Building expressions: `mk` and the helpers every rewrite rule uses.

`mk` computes a new node's shape with the shape rules, then applies the rewrite
rules (the table in `algebra`) until none fires. This module also gives `Expr`
its operators (`a @ b`, `g * ans`, `x.T`), each built through `mk`. Children are
always built first, so one local fixpoint per node is enough: the cost stays
linear in what is built.
"""
from __future__ import annotations

from collections.abc import Callable

from ..language.dims import Dim, Shape
from ..errors import ShapeError
from ..language.ir import Call, Const, DimRef, Expr
from ..language.shapes import broadcast, infer

Rewrite = Callable[[Call], "Expr | None"]
#: The rewrite rules, in the order they are tried; `algebra` fills it in.
REWRITES: list[Rewrite] = []


def mk(prim: str, *args: Expr, **params) -> Expr:
    node = Call(prim, args, tuple(sorted(params.items())))
    node = Call(prim, args, node.params, shape=infer(node, [a.shape for a in args]))
    for _ in range(16):
        for rule in REWRITES:
            new = rule(node)
            if new is not None:
                break
        else:
            return node
        if not isinstance(new, Call):
            return new
        node = new
    return node


def const(value: float) -> Const:
    return Const(int(value) if float(value).is_integer() and abs(value) < 1e15 else value)


def is_const(e: Expr, value: float | None = None) -> bool:
    return isinstance(e, Const) and (value is None or e.value == value)


def is_call(e: Expr, *prims: str) -> bool:
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
        out = mk("mul", out, DimRef(s))
    return out


def raw(prim: str, *args: Expr, **params) -> Expr:
    """A node with its shape and no rewriting: for forms a rule has already made canonical."""
    node = Call(prim, args, tuple(sorted(params.items())))
    return Call(prim, args, node.params, shape=infer(node, [a.shape for a in args]))


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
Expr.__neg__ = lambda self: mk("neg", self)
Expr.__pow__ = lambda self, exponent: mk("pow", self, exponent=exponent)
Expr.T = property(lambda self: mk("transpose", self))
