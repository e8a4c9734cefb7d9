"""Building expressions that read the way a teacher writes them.

`mk` computes a new node's shape with the shape rules, then applies a tuple of
tiny rewrite rules until none fires. This module also gives `Expr` its
operators (`a @ b`, `g * ans`, `x.T`), each built through `mk`. Children are always built first, so one
local fixpoint per node is enough: the cost stays linear in what is built.
"""
from __future__ import annotations

from collections.abc import Callable

from .dims import Dim, Shape, product
from .errors import ShapeError
from .ir import Call, Const, DimRef, Expr
from .shapes import ELEMENTWISE, infer

Rewrite = Callable[[Call], "Expr | None"]
#: Linear operations of one array that only move, copy or add up its entries: a sign, a constant
#: factor or a scalar divisor passes through them unchanged.
LINEAR_UNARY = ("transpose", "sum", "mean", "reshape", "swapaxes", "moveaxis", "expand_dims", "broadcast_to")
#: Those a constant factor or divisor leaves (not broadcast_to: absorb_broadcast keeps scalars inside it).
FACTOR_OUTWARD = tuple(p for p in LINEAR_UNARY if p != "broadcast_to")
FOLD = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b if b else None}


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


# -- rewrite rules: each looks at one node and returns a simpler one, or None ---------

def fold_constants(n: Call) -> Expr | None:
    if n.prim in FOLD and all(isinstance(a, Const) for a in n.args):
        value = FOLD[n.prim](n.args[0].value, n.args[1].value)
        return None if value is None else const(value)
    if n.prim == "neg" and isinstance(n.args[0], Const):
        return const(-n.args[0].value)
    return None


def identities(n: Call) -> Expr | None:
    """x + 0, x * 1, x / 1, x ** 1, 1 * x, -1 * x — where the shape is unchanged."""
    if n.prim in ("add", "sub", "mul", "div"):
        a, b = n.args
        if n.prim == "add" and is_const(a, 0) and b.shape == n.shape:
            return b
        if n.prim in ("add", "sub") and is_const(b, 0) and a.shape == n.shape:
            return a
        if n.prim == "mul" and is_const(a, 1) and b.shape == n.shape:
            return b
        if n.prim in ("mul", "div") and is_const(b, 1) and a.shape == n.shape:
            return a
        if n.prim == "mul" and is_const(a, -1) and b.shape == n.shape:
            return mk("neg", b)
    if n.prim == "pow" and n.param("exponent") == 1:
        return n.args[0]
    if n.prim == "add" and n.args[0] == n.args[1] and n.args[0].shape == n.shape:  # W * W gives W + W
        c, rest = leading_constant(n.args[0])
        return mk("mul", const(2 * c), rest)
    return None


def leading_constant(e: Expr) -> tuple[float, Expr]:
    """(c, rest) with e == c * rest: `0.5 * reg * W` is (0.5, reg * W)."""
    if is_call(e, "mul") and isinstance(e.args[0], Const):
        return e.args[0].value, e.args[1]
    if is_call(e, "mul") and is_call(e.args[0], "mul") and isinstance(e.args[0].args[0], Const):
        return e.args[0].args[0].value, mk("mul", e.args[0].args[1], e.args[1])
    return 1, e


def constants_first(n: Call) -> Expr | None:
    """`W * 2` → `2 * W`; `2 * (3 * W)` → `6 * W`; `x * (1 / N)` → `x / N`."""
    if n.prim != "mul":
        return None
    a, b = n.args
    if isinstance(b, Const) and not isinstance(a, Const):
        return mk("mul", b, a)
    if isinstance(a, Const) and is_call(b, "mul") and isinstance(b.args[0], Const):
        return mk("mul", const(a.value * b.args[0].value), b.args[1])
    for x, y in ((a, b), (b, a)):
        if is_call(y, "div") and is_const(y.args[0], 1) and is_scalar(y.args[1]):
            return mk("div", x, y.args[1])
    return None


def pull_out_negation(n: Call) -> Expr | None:
    """Signs travel outward, so they cancel and `-(y - yhat)` can become `yhat - y`."""
    p, args = n.prim, n.args
    if p == "neg":
        (a,) = args
        if is_call(a, "neg"):
            return a.args[0]
        if is_call(a, "sub"):
            return mk("sub", a.args[1], a.args[0])
        if is_call(a, "div") and is_call(a.args[0], "sub") and is_scalar(a.args[1]):  # -((P - T) / N)
            return mk("div", mk("sub", a.args[0].args[1], a.args[0].args[0]), a.args[1])
        return None
    if p in ("mul", "div", "matmul", "outer"):
        a, b = args
        if is_call(a, "neg"):
            return mk("neg", mk(p, a.args[0], b))
        if is_call(b, "neg"):
            return mk("neg", mk(p, a, b.args[0]))
        if p == "mul" and isinstance(a, Const) and a.value < 0:
            return mk("neg", mk("mul", const(-a.value), b))
    if p in LINEAR_UNARY and is_call(args[0], "neg"):
        return mk("neg", mk(p, args[0].args[0], **dict(n.params)))
    if p == "add":
        a, b = args
        if is_call(b, "neg"):
            return mk("sub", a, b.args[0])
        if is_call(a, "neg"):
            return mk("sub", b, a.args[0])
    if p == "sub":
        a, b = args
        if is_call(b, "neg"):
            return mk("add", a, b.args[0])
        if is_call(a, "neg"):
            return mk("neg", mk("add", a.args[0], b))
    return None


def constants_outward(n: Call) -> Expr | None:
    """A constant factor leaves products, sums and transposes, so that it can cancel: `(2 * a) @ b` → `2 * (a @ b)`;
    `2 * a / (2 * N)` → `a / N`."""
    def split(e: Expr) -> tuple[Const, Expr] | None:
        if is_call(e, "mul") and isinstance(e.args[0], Const) and not isinstance(e.args[1], Const):
            return e.args[0], e.args[1]
        return None

    if n.prim in ("matmul", "outer"):
        for i, arg in enumerate(n.args):
            found = split(arg)
            if found:
                c, rest = found
                args = list(n.args)
                args[i] = rest
                return mk("mul", c, mk(n.prim, *args))
    if n.prim in FACTOR_OUTWARD and split(n.args[0]):
        c, rest = split(n.args[0])
        return mk("mul", c, mk(n.prim, rest, **dict(n.params)))
    if n.prim == "div":
        top, bottom = split(n.args[0]), split(n.args[1])
        if top and bottom and top[0].value == bottom[0].value:
            return mk("div", top[1], bottom[1])
        if top and isinstance(n.args[1], Const) and n.args[1].value == top[0].value:
            return top[1]
    return None


def common_divisor(n: Call) -> Expr | None:
    """`a / N - b / N` → `(a - b) / N`; `sum(a / N)` → `sum(a) / N`."""
    if n.prim in ("add", "sub"):
        a, b = n.args
        if is_call(a, "div") and is_call(b, "div") and a.args[1] == b.args[1] and is_scalar(a.args[1]):
            return mk("div", mk(n.prim, a.args[0], b.args[0]), a.args[1])
    if n.prim == "div" and is_call(n.args[0], "div") and is_dims(n.args[1]) and is_dims(n.args[0].args[1]):
        return mk("div", n.args[0].args[0], mk("mul", n.args[0].args[1], n.args[1]))  # / B / T → / (B * T)
    if n.prim in FACTOR_OUTWARD and is_call(n.args[0], "div") and is_scalar(n.args[0].args[1]):
        inner, divisor = n.args[0].args
        return mk("div", mk(n.prim, inner, **dict(n.params)), divisor)
    if n.prim in ("mul", "matmul") and not any(isinstance(a, Const) for a in n.args):
        # A division by a scalar floats outward, so `/ N` appears once, at the end.
        a, b = n.args
        if is_call(a, "div") and is_scalar(a.args[1]) and not is_const(a.args[0], 1):
            return mk("div", mk(n.prim, a.args[0], b), a.args[1])
        if is_call(b, "div") and is_scalar(b.args[1]) and not is_const(b.args[0], 1):
            return mk("div", mk(n.prim, a, b.args[0]), b.args[1])
    return None


def sum_of_broadcast(n: Call) -> Expr | None:
    """sum(c repeated over A) over every axis is c times A's size: `N * M`, not a sum of ones."""
    if n.prim == "sum" and n.param("axis") is None and is_call(n.args[0], "broadcast_to") \
            and is_scalar(n.args[0].args[0]):
        return mk("mul", n.args[0].args[0], dim_expr(product(n.args[0].shape)))
    return None


def no_op_transpose(n: Call) -> Expr | None:
    """`a.T.T` → `a`; `(a.T @ b).T` → `b.T @ a`; `.T` of a vector does nothing; axes moved and moved back
    are where they were."""
    if n.prim == "transpose":
        (a,) = n.args
        axes = n.param("axes")
        if len(a.shape) <= 1 or axes == tuple(range(len(a.shape))):
            return a
        if is_call(a, "transpose"):
            inner = a.param("axes")
            if inner is None and axes is None:
                return a.args[0]
            rank = len(a.shape)
            p = inner if inner is not None else tuple(reversed(range(rank)))
            q = axes if axes is not None else tuple(reversed(range(rank)))
            composed = tuple(p[i % rank] % rank for i in q)
            return mk("transpose", a.args[0], axes=composed)
        if axes is None and is_call(a, "matmul") and any(is_call(x, "transpose") for x in a.args) \
                and len(a.args[0].shape) == 2 and len(a.args[1].shape) == 2:
            return mk("matmul", mk("transpose", a.args[1]), mk("transpose", a.args[0]))
    if n.prim == "swapaxes":
        (a,) = n.args
        rank = len(a.shape)
        i, j = n.param("axis1") % rank, n.param("axis2") % rank
        if i == j:
            return a
        if is_call(a, "swapaxes") and {a.param("axis1") % rank, a.param("axis2") % rank} == {i, j}:
            return a.args[0]
    return None


def reshape_once(n: Call) -> Expr | None:
    """A reshape of a reshape is one reshape; a reshape to the shape it has is nothing."""
    if n.prim == "reshape":
        (a,) = n.args
        if a.shape == n.shape:
            return a
        if is_call(a, "reshape"):
            return mk("reshape", a.args[0], shape=n.param("shape"))
    return None


def absorb_broadcast(n: Call) -> Expr | None:
    """An operation that broadcasts anyway needs no explicit `broadcast_to`."""
    if n.prim == "broadcast_to" and n.args[0].shape == n.shape:
        return n.args[0]
    if n.prim in ELEMENTWISE:
        a, b = n.args
        # A scalar combined with a broadcast stays inside it: bcast(c) * 2 → bcast(2 * c).
        if is_call(a, "broadcast_to") and is_scalar(b):
            return mk("broadcast_to", mk(n.prim, a.args[0], b), shape=a.param("shape"))
        if is_call(b, "broadcast_to") and is_scalar(a):
            return mk("broadcast_to", mk(n.prim, a, b.args[0]), shape=b.param("shape"))
        for x, y in ((a, b), (b, a)):
            # bcast(c, like) * v where v only lacks like's leading unit axes: c * v, as a row.
            if (is_call(x, "broadcast_to") and is_scalar(x.args[0]) and n.prim == "mul"
                    and y.shape != n.shape and n.shape[len(n.shape) - len(y.shape):] == y.shape
                    and all(d.is_literal and d.coeff == 1 for d in n.shape[: len(n.shape) - len(y.shape)])):
                return mk("mul", x.args[0], mk("reshape", y, shape=n.shape))
        if is_call(a, "broadcast_to"):
            trial = Call(n.prim, (a.args[0], b), n.params)
            if _shape_or_none(trial) == n.shape:
                return mk(n.prim, a.args[0], b)
        if is_call(b, "broadcast_to"):
            trial = Call(n.prim, (a, b.args[0]), n.params)
            if _shape_or_none(trial) == n.shape:
                return mk(n.prim, a, b.args[0])
    return None


def _shape_or_none(node: Call) -> Shape | None:
    try:
        return infer(node, [a.shape for a in node.args])
    except ShapeError:
        return None


REWRITES: tuple[Rewrite, ...] = (fold_constants, identities, absorb_broadcast, sum_of_broadcast, no_op_transpose,
                                 reshape_once, pull_out_negation, constants_first, constants_outward, common_divisor)
