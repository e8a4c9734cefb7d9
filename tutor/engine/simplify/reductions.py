"""Rules about sums along axes: what is zero, what stands outside, which axes are kept.

A centred variable sums to zero along the axes it was centred on; a factor that does not vary
along the summed axes leaves the sum, unless a network name forms inside it; a kept leading axis
that broadcasting restores anyway is dropped.
"""
from __future__ import annotations

from .build import Simplifier, is_call, is_zero, shape_or_none, zero_like
from .collect import build_product, fold_names
from ..language.dims import ONE, Shape, product
from ..language.ir import Call, DimRef, Expr
from ..language.shapes import ELEMENTWISE, normalize_axes
from .views import Names, Product, product_of, terms_of


def reduced_axes(n: Call) -> tuple[int, ...]:
    return normalize_axes(n, n.args[0].shape, n.param("axis"))


def unit_axes(n: Call, s: Simplifier) -> Expr | None:
    """A sum or mean that keeps its axes of length 1 adds nothing up: sum(c, axis=1, keepdims=True) of a
    column is c. (Without keepdims it stays: sum(d, axis=0) of a 1×H row says where a bias was broadcast.)"""
    if n.prim in ("sum", "mean") and n.args[0].shape == n.shape and all(n.shape[i] == ONE for i in reduced_axes(n)):
        return n.args[0]
    return None


def same_value(a: Expr, b: Expr, table: Names) -> bool:
    return a == b or table.resolve(a) == table.resolve(b)


def is_mean_of(m: Expr, a: Expr, axes: tuple[int, ...], table: Names) -> bool:
    """m is the mean of a over `axes`, broadcasting back along them (mean(a, axis) or sum(a, axis) / n)."""
    m = table.resolve(m)
    leading = axes == tuple(range(len(axes)))
    if is_call(m, "mean"):
        return (same_value(m.args[0], a, table) and reduced_axes(m) == axes
                and (leading or m.param("keepdims", False)))
    p = product_of(m)
    arrays = [(b, e) for b, e in p.powers if b.shape != ()]
    if len(arrays) != 1 or arrays[0][1] != 1:
        return False
    total = table.resolve(arrays[0][0])
    if not (is_call(total, "sum") and same_value(total.args[0], a, table) and reduced_axes(total) == axes and (leading or total.param("keepdims", False))):
        return False
    count = product(a.shape[i] for i in axes)
    symbols: dict[str, float] = {}
    for b, e in p.powers:
        if b.shape == () and not isinstance(b, DimRef):
            return False
        if isinstance(b, DimRef):
            symbols[b.name] = symbols.get(b.name, 0) + e
    wanted: dict[str, float] = {}
    for s in count.symbols:
        wanted[s] = wanted.get(s, 0) - 1
    return symbols == wanted and abs(p.coeff * count.coeff - 1) < 1e-12


def is_centred(v: Expr, axes: tuple[int, ...], table: Names) -> bool:
    """v sums to zero along `axes`: X - mean(X, axes), or such a difference times what is constant along them."""
    r = table.resolve(v)
    if is_call(r, "sub") and r.args[0].shape == v.shape and is_mean_of(r.args[1], r.args[0], axes, table):
        return True
    p = product_of(r, table)
    varying = [(b, e) for b, e in p.powers if not constant_along(b, v.shape, axes)]
    return (len(varying) == 1 and varying[0][1] == 1 and varying[0][0] != r and varying[0][0].shape == v.shape
            and is_centred(varying[0][0], axes, table))


def centred_sum(n: Call, s: Simplifier) -> Expr | None:
    """sum(X - mean(X, axis), axis) is 0: a centred variable sums to zero along the axes it was centred on."""
    if n.prim in ("sum", "mean") and is_centred(n.args[0], reduced_axes(n), s.names):
        return zero_like(n)
    return None


def sum_zero_terms(n: Call, s: Simplifier) -> Expr | None:
    """sum(a + b, axis) where sum(b, axis) is 0: sum(a, axis)."""
    if n.prim not in ("sum", "mean") or not is_call(n.args[0], "add", "sub"):
        return None
    params = dict(n.params)
    terms = terms_of(n.args[0])
    kept = [t for t in terms if t.shape != n.args[0].shape or not is_zero(s.mk(n.prim, t, **params))]
    if len(kept) == len(terms):
        return None
    if not kept:
        return zero_like(n)
    inner = kept[0]
    for t in kept[1:]:
        inner = s.mk("add", inner, t)
    return s.mk(n.prim, inner, **params) if inner.shape == n.args[0].shape else None


def constant_along(e: Expr, shape: Shape, axes: tuple[int, ...]) -> bool:
    """e (broadcast into `shape`) does not vary along `axes`."""
    offset = len(shape) - len(e.shape)
    return offset >= 0 and all(i < offset or e.shape[i - offset] == ONE for i in axes)


def pull_out_of_sum(n: Call, s: Simplifier) -> Expr | None:
    """Factors that do not vary along the summed axes leave the sum: sum(gamma * G, axis=0) → gamma * sum(G, axis=0)."""
    if n.prim not in ("sum", "mean") or not is_call(n.args[0], "mul", "div", "neg"):
        return None
    x = n.args[0]
    axes = reduced_axes(n)
    p = fold_names(product_of(x, s.names), s.names)  # a name stays whole: sum(G * xhat), not sum(G * xc) / sqrt(var + eps)
    outside = [(b, e) for b, e in p.powers if constant_along(b, x.shape, axes)]
    inside = [(b, e) for b, e in p.powers if not constant_along(b, x.shape, axes)]
    if not inside or (not outside and p.coeff == 1):
        return None
    body = build_product(Product(1.0, tuple(inside)), s.names)
    if len(body.shape) != len(x.shape) or any(body.shape[i] != x.shape[i] for i in axes):
        return None
    out = s.mk("mul", build_product(Product(p.coeff, tuple(outside)), s.names),
               s.mk(n.prim, body, **dict(n.params)))
    return out if out.shape == n.shape else None


def sums_in_products(n: Call, s: Simplifier) -> Expr | None:
    """In a product, what does not vary along a sum's axes stands outside the sum, except where a name
    forms inside it: bnvar_inv * sum(G * bngain * bndiff, axis=0) → bngain * sum(G * bnraw, axis=0)."""
    if n.prim not in ("mul", "div"):
        return None
    table = s.names
    p = product_of(n, table)
    for i, (total, e) in enumerate(p.powers):
        if e != 1 or not is_call(total, "sum", "mean"):
            continue
        body, axes = total.args[0], reduced_axes(total)
        movable = [(b, x) for j, (b, x) in enumerate(p.powers)
                   if j != i and constant_along(b, body.shape, axes) and _fits(b, body)]
        inside = fold_names(product_of(body, table), table)
        if movable and table.folds:
            trial = fold_names(product_of(body, table).times(Product(1.0, tuple(movable))), table)
            if named_count(trial, body.shape, axes, table) > named_count(inside, body.shape, axes, table):
                inside = trial
            else:
                movable = []
        else:
            movable = []
        stay = tuple((b, x) for b, x in inside.powers if not constant_along(b, body.shape, axes))
        leave = Product(inside.coeff, tuple((b, x) for b, x in inside.powers if constant_along(b, body.shape, axes)))
        if not movable and not leave.powers and leave.coeff == 1:
            continue
        kept = build_product(Product(1.0, stay), table) if stay else None
        if kept is None or len(kept.shape) != len(body.shape) or any(kept.shape[a] != body.shape[a] for a in axes):
            continue
        moved = {b for b, _ in movable}
        rest = Product(p.coeff, tuple((b, x) for j, (b, x) in enumerate(p.powers) if j != i and b not in moved))
        summed = s.mk(total.prim, kept, **dict(total.params))
        out = build_product(rest.times(leave).times(Product(1.0, ((summed, 1.0),))), table)
        if out.shape == n.shape and out != n:
            return out
    return None


def _fits(b: Expr, body: Expr) -> bool:
    """b broadcasts into body without growing it."""
    return shape_or_none(Call("mul", (body, b))) == body.shape


def named_count(p: Product, shape: Shape, axes: tuple[int, ...], table: Names) -> float:
    """How many of the network's names a sum's body uses that must stay inside it (they vary along its axes)."""
    named_vars = {v for v, _ in table.folds}
    return sum(abs(e) for b, e in p.powers if b in named_vars and not constant_along(b, shape, axes))


def leading_keepdims(n: Call, s: Simplifier) -> Expr | None:
    """In `G - sum(G, axis=0, keepdims=True)` the kept leading axis is not needed: broadcasting restores it."""
    if n.prim not in ELEMENTWISE:
        return None
    args = list(n.args)
    for i, a in enumerate(args):
        if is_call(a, "sum", "mean") and a.param("keepdims", False):
            axes = reduced_axes(a)
            if axes and axes == tuple(range(len(axes))):
                args[i] = s.mk(a.prim, a.args[0], axis=a.param("axis"))
                if shape_or_none(Call(n.prim, tuple(args), n.params)) == n.shape:
                    return s.mk(n.prim, *args, **dict(n.params))
                args[i] = a
    return None
