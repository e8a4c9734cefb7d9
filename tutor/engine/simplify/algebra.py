"""The rewrite rules that make formulas read like a teacher's, indexed by the primitive they fire on.

Each rule looks at one node and the `Simplifier` (which holds the network's names) and returns a
simpler node, or None; it builds what it returns with the simplifier's `mk`. The small local ones
are here; products and sums are collected in `collect`, reductions in `reductions`. `RULES` is
the table, as SymPy's `typed({MatMul: do_one(*rules)})`: for each primitive the rules that fire on
it, in the order below. The network's names, which several rules write back into formulas, are
read into a `Names` table by `names_of`; `simplify(expr, names)` is the pass as a function.
"""
from __future__ import annotations

from collections.abc import Callable

from .build import (ANYWHERE, PLAIN, RULES, Rewrite, Simplifier, const, dim_expr, is_call, is_const, is_dims,
                    is_scalar, is_zero, mk, raw, shape_or_none, simplified, zero_like)
from .collect import build_product, collect_factors, collect_terms
from ..idioms.forms import is_eye_rows
from ..language.dims import ONE, Shape, product
from ..language.ir import Call, Const, DimRef, Expr, Var
from .reductions import (centred_sum, leading_keepdims, pull_out_of_sum, reduced_axes, sum_zero_terms,
                         sums_in_products, unit_axes)
from ..language.shapes import COMPARISONS, ELEMENTWISE, normalize_axes
from .views import EMPTY, Names, Product, product_of

#: Linear operations of one array that only move, copy or add up its entries: a sign, a constant
#: factor or a scalar divisor passes through them unchanged.
LINEAR_UNARY = ("transpose", "sum", "mean", "reshape", "swapaxes", "moveaxis", "expand_dims", "broadcast_to")
#: Those a constant factor or divisor leaves (not broadcast_to: absorb_broadcast keeps scalars inside it).
FACTOR_OUTWARD = tuple(p for p in LINEAR_UNARY if p != "broadcast_to")
FOLD = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b if b else None}

#: What the rest of the engine builds with (always from here, so that the table below is filled in).
__all__ = ["mk", "raw", "simplified", "simplify", "Simplifier", "const", "dim_expr", "is_call", "is_const",
           "is_scalar", "is_zero", "zero_like", "build_product", "names_of", "rebuild"]


def fold_constants(n: Call, s: Simplifier) -> Expr | None:
    a, b = (n.args + (None, None))[:2]
    if n.prim in FOLD and isinstance(a, Const) and isinstance(b, Const):
        value = FOLD[n.prim](a.value, b.value)
        return None if value is None else const(value)
    if n.prim == "neg" and isinstance(n.args[0], Const):
        return const(-n.args[0].value)
    return None


def identities(n: Call, s: Simplifier) -> Expr | None:
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
            return s.mk("neg", b)
    if n.prim == "pow" and n.param("exponent") == 1:
        return n.args[0]
    return None


def constants_first(n: Call, s: Simplifier) -> Expr | None:
    """`W * 2` → `2 * W`; `2 * (3 * W)` → `6 * W`; `x * (1 / N)` → `x / N`."""
    if n.prim != "mul":
        return None
    a, b = n.args
    if isinstance(b, Const) and not isinstance(a, Const):
        return s.mk("mul", b, a)
    if isinstance(a, Const) and is_call(b, "mul") and isinstance(b.args[0], Const):
        return s.mk("mul", const(a.value * b.args[0].value), b.args[1])
    for x, y in ((a, b), (b, a)):
        if is_call(y, "div") and is_const(y.args[0], 1) and is_scalar(y.args[1]):
            return s.mk("div", x, y.args[1])
    return None


def pull_out_negation(n: Call, s: Simplifier) -> Expr | None:
    """Signs travel outward, so they cancel and `-(y - yhat)` can become `yhat - y`."""
    p, args = n.prim, n.args
    if p == "neg":
        (a,) = args
        if is_call(a, "neg"):
            return a.args[0]
        if is_call(a, "sub"):
            return s.mk("sub", a.args[1], a.args[0])
        if is_call(a, "div") and is_call(a.args[0], "sub") and is_scalar(a.args[1]):  # -((P - T) / N)
            return s.mk("div", s.mk("sub", a.args[0].args[1], a.args[0].args[0]), a.args[1])
        return None
    if p in ("mul", "div", "matmul", "outer"):
        a, b = args
        if is_call(a, "neg"):
            return s.mk("neg", s.mk(p, a.args[0], b))
        if is_call(b, "neg"):
            return s.mk("neg", s.mk(p, a, b.args[0]))
        if p == "mul" and isinstance(a, Const) and a.value < 0:
            return s.mk("neg", s.mk("mul", const(-a.value), b))
    if p in LINEAR_UNARY and is_call(args[0], "neg"):
        return s.mk("neg", s.mk(p, args[0].args[0], **dict(n.params)))
    if p == "add":
        a, b = args
        if is_call(b, "neg"):
            return s.mk("sub", a, b.args[0])
        if is_call(a, "neg"):
            return s.mk("sub", b, a.args[0])
    if p == "sub":
        a, b = args
        if is_call(b, "neg"):
            return s.mk("add", a, b.args[0])
        if is_call(a, "neg"):
            return s.mk("neg", s.mk("add", a.args[0], b))
    return None


def constants_outward(n: Call, s: Simplifier) -> Expr | None:
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
                return s.mk("mul", c, s.mk(n.prim, *args))
    outward = split(n.args[0]) if n.prim in FACTOR_OUTWARD else None
    if outward:
        c, rest = outward
        return s.mk("mul", c, s.mk(n.prim, rest, **dict(n.params)))
    if n.prim == "div":
        top, bottom = split(n.args[0]), split(n.args[1])
        if top and bottom and top[0].value == bottom[0].value:
            return s.mk("div", top[1], bottom[1])
        if top and isinstance(n.args[1], Const) and n.args[1].value == top[0].value:
            return top[1]
    return None


def common_divisor(n: Call, s: Simplifier) -> Expr | None:
    """`a / N - b / N` → `(a - b) / N`; `sum(a / N)` → `sum(a) / N`."""
    if n.prim in ("add", "sub"):
        a, b = n.args
        if is_call(a, "div") and is_call(b, "div") and a.args[1] == b.args[1] and is_scalar(a.args[1]):
            return s.mk("div", s.mk(n.prim, a.args[0], b.args[0]), a.args[1])
    if n.prim == "div" and is_call(n.args[0], "div") and is_dims(n.args[1]) and is_dims(n.args[0].args[1]):
        return s.mk("div", n.args[0].args[0], s.mk("mul", n.args[0].args[1], n.args[1]))  # / B / T → / (B * T)
    if n.prim in FACTOR_OUTWARD and is_call(n.args[0], "div") and is_scalar(n.args[0].args[1]):
        inner, divisor = n.args[0].args
        return s.mk("div", s.mk(n.prim, inner, **dict(n.params)), divisor)
    if n.prim in ("mul", "matmul", "outer") and not any(isinstance(a, Const) for a in n.args):
        # A division by a scalar floats outward, so `/ N` appears once, at the end.
        a, b = n.args
        if is_call(a, "div") and is_scalar(a.args[1]) and not is_const(a.args[0], 1):
            return s.mk("div", s.mk(n.prim, a.args[0], b), a.args[1])
        if is_call(b, "div") and is_scalar(b.args[1]) and not is_const(b.args[0], 1):
            return s.mk("div", s.mk(n.prim, a, b.args[0]), b.args[1])
    return None


def sum_of_broadcast(n: Call, s: Simplifier) -> Expr | None:
    """sum(c repeated over A) over every axis is c times A's size: `N * M`, not a sum of ones."""
    if n.prim in ("sum", "mean") and n.param("axis") is None and is_call(n.args[0], "reshape", "transpose"):
        return s.mk(n.prim, n.args[0].args[0])  # a sum of everything ignores the layout
    if n.prim in ("sum", "mean") and is_call(n.args[0], "broadcast_to") and is_scalar(n.args[0].args[0]):
        c = n.args[0].args[0]
        if n.prim == "sum":
            c = s.mk("mul", c, dim_expr(product(n.args[0].shape[i] for i in reduced_axes(n))))
        return c if n.shape == () else s.mk("broadcast_to", c, shape=n.shape)
    return None


def broadcast_outward(n: Call, s: Simplifier) -> Expr | None:
    """A broadcast leaves linear operations, so that an elementwise operation can absorb it:
    bcast(g).T → bcast(g as a column); bcast(c) @ v → bcast(c * sum(v, axis=0)). (A sign leaves the
    broadcast instead: pull_out_negation.)"""
    if n.prim == "transpose" and n.param("axes") is None and is_call(n.args[0], "broadcast_to"):
        g, shape = n.args[0].args[0], n.args[0].shape
        if is_scalar(g):  # one number repeated: the same whichever way round
            return s.mk("broadcast_to", g, shape=n.shape)
        if len(g.shape) < len(shape):
            g = s.mk("reshape", g, shape=(ONE,) * (len(shape) - len(g.shape)) + g.shape)
        return s.mk("broadcast_to", s.mk("transpose", g), shape=n.shape)
    if n.prim == "matmul":
        a, b = n.args
        if is_call(a, "broadcast_to") and is_scalar(a.args[0]) and len(a.shape) == 2:
            if b.shape[0] == ONE and len(b.shape) == 2:  # bcast(c, (n, 1)) @ row: the row, c times, n times
                return s.mk("broadcast_to", s.mk("mul", a.args[0], b), shape=n.shape)
            total = s.mk("sum", b) if len(b.shape) == 1 else s.mk("sum", b, axis=0)
            return s.mk("broadcast_to", s.mk("mul", a.args[0], total), shape=n.shape)
        if is_call(b, "broadcast_to") and is_scalar(b.args[0]) and len(b.shape) == 2:
            if a.shape[-1] == ONE and len(a.shape) == 2:  # column @ bcast(c, (1, n)): the column, c times, n times
                return s.mk("broadcast_to", s.mk("mul", b.args[0], a), shape=n.shape)
            total = s.mk("sum", a) if len(a.shape) == 1 else s.mk("sum", a, axis=-1, keepdims=True)
            return s.mk("broadcast_to", s.mk("mul", b.args[0], total), shape=n.shape)
    return None


def no_op_transpose(n: Call, s: Simplifier) -> Expr | None:
    """`a.T.T` → `a`; `(a.T @ b).T` → `b.T @ a`, and so for the last two axes of stacks of matrices; `.T`
    of a vector does nothing; axes moved and moved back are where they were."""
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
            return s.mk("transpose", a.args[0], axes=composed)
        if axes is None and is_call(a, "matmul") and any(is_call(x, "transpose") for x in a.args) \
                and len(a.args[0].shape) == 2 and len(a.args[1].shape) == 2:
            return s.mk("matmul", s.mk("transpose", a.args[1]), s.mk("transpose", a.args[0]))
    if n.prim == "swapaxes":
        (a,) = n.args
        rank = len(a.shape)
        i, j = n.param("axis1") % rank, n.param("axis2") % rank
        if i == j:
            return a
        if is_call(a, "swapaxes") and {a.param("axis1") % rank, a.param("axis2") % rank} == {i, j}:
            return a.args[0]
        if {i, j} == {rank - 1, rank - 2} and is_call(a, "matmul") and all(len(x.shape) >= 2 for x in a.args) \
                and any(swaps_last_two(x) for x in a.args):   # swap(swap(Q) @ dS) → swap(dS) @ Q
            return s.mk("matmul", s.mk("swapaxes", a.args[1], axis1=-1, axis2=-2),
                        s.mk("swapaxes", a.args[0], axis1=-1, axis2=-2))
    return None


def swaps_last_two(e: Expr) -> bool:
    if not is_call(e, "swapaxes"):
        return False
    rank = len(e.shape)
    return {e.param("axis1") % rank, e.param("axis2") % rank} == {rank - 1, rank - 2}


def repeats_nothing(n: Call, s: Simplifier) -> Expr | None:
    """broadcast_to(x, shape) that only adds axes of length 1 is a reshape (of an array: a number stays
    broadcast, which absorbs into what it multiplies)."""
    if n.prim == "broadcast_to" and n.args[0].shape != () and product(n.args[0].shape) == product(n.shape):
        return s.mk("reshape", n.args[0], shape=n.shape)
    return None


def eye_rows(n: Call, s: Simplifier) -> Expr | None:
    """np.eye(K)[y] is onehot(y, K): one spelling, which the softmax fusions know to be one-hot."""
    eye = n.args[0]
    return s.mk("onehot", n.args[1], n=eye.param("n")) if is_eye_rows(n) and isinstance(eye, Call) else None


def reshape_once(n: Call, s: Simplifier) -> Expr | None:
    """A reshape of a reshape is one reshape; a reshape to the shape it has is nothing."""
    if n.prim == "reshape":
        (a,) = n.args
        if a.shape == n.shape:
            return a
        if is_call(a, "reshape"):
            return s.mk("reshape", a.args[0], shape=n.param("shape"))
    return None


def absorb_broadcast(n: Call, s: Simplifier) -> Expr | None:
    """An operation that broadcasts anyway needs no explicit `broadcast_to`."""
    if n.prim == "broadcast_to" and n.args[0].shape == n.shape:
        return n.args[0]
    if n.prim in ELEMENTWISE + COMPARISONS:
        a, b = n.args
        # A scalar combined with a broadcast stays inside it: bcast(c) * 2 → bcast(2 * c).
        if is_call(a, "broadcast_to") and is_scalar(b):
            return s.mk("broadcast_to", s.mk(n.prim, a.args[0], b), shape=a.param("shape"))
        if is_call(b, "broadcast_to") and is_scalar(a):
            return s.mk("broadcast_to", s.mk(n.prim, a, b.args[0]), shape=b.param("shape"))
        for x, y in ((a, b), (b, a)):
            # bcast(c, like) * v where v only lacks like's leading unit axes: c * v, as a row.
            if (is_call(x, "broadcast_to") and is_scalar(x.args[0]) and n.prim == "mul"
                    and y.shape != n.shape and n.shape[len(n.shape) - len(y.shape):] == y.shape
                    and all(d.is_literal and d.coeff == 1 for d in n.shape[: len(n.shape) - len(y.shape)])):
                return s.mk("mul", x.args[0], s.mk("reshape", y, shape=n.shape))
        if is_call(a, "broadcast_to"):
            trial = Call(n.prim, (a.args[0], b), n.params)
            if shape_or_none(trial) == n.shape:
                return s.mk(n.prim, a.args[0], b)
        if is_call(b, "broadcast_to"):
            trial = Call(n.prim, (a, b.args[0]), n.params)
            if shape_or_none(trial) == n.shape:
                return s.mk(n.prim, a, b.args[0])
    return None



# -- zeros: what is identically zero drops out -------------------------------------------

#: Linear in their first operand: zero in, zero out.
LINEAR = ("neg", "transpose", "sum", "mean", "reshape", "broadcast_to", "index", "diag")


def zeros(n: Call, s: Simplifier) -> Expr | None:
    """0 * a, a @ 0, sum(0), -0, 0 / a are zero; a + 0 and a - 0 are a."""
    p, args = n.prim, n.args
    if p in ("mul", "matmul", "outer", "einsum") and any(is_zero(a) for a in args):
        return zero_like(n)
    if p in LINEAR + ("div",) and is_zero(args[0]):
        return zero_like(n)
    if p == "pow" and is_zero(args[0]) and n.param("exponent") > 0:
        return zero_like(n)
    if p in ("add", "sub"):
        a, b = args
        if is_zero(b) and a.shape == n.shape:
            return a
        if is_zero(a) and b.shape == n.shape:
            return b if p == "add" else s.mk("neg", b)
    return None

# -- reshapes and axes ---------------------------------------------------------------------------

def reshape_through(n: Call, s: Simplifier) -> Expr | None:
    """A reshape that only adds or drops unit axes goes inside a product (scalars stay out), turns a sum into
    its keepdims form, and carries a broadcast scalar along: reshape(1 / N / sum(P * Y, axis=1), (N, 1))
    → 1 / N / sum(P * Y, axis=1, keepdims=True)."""
    if n.prim != "reshape":
        return None
    (a,) = n.args
    shape = n.param("shape")
    if is_call(a, "broadcast_to") and is_scalar(a.args[0]):
        return s.mk("broadcast_to", a.args[0], shape=shape)
    if is_scalar(a) and not isinstance(a, Call):  # (1).reshape(1, 1): a number as an array of one entry
        return s.mk("broadcast_to", a, shape=shape)
    if is_call(a, "sum", "mean") and not a.param("keepdims", False):
        x = a.args[0]
        axes = reduced_axes(a)
        if tuple(ONE if i in axes else d for i, d in enumerate(x.shape)) == shape:
            # sum(AL - Y) of a (1, m) row, kept (1, 1): the sum along m, as a teacher writes it
            wanted = tuple(i for i in axes if x.shape[i] != ONE) or axes
            return s.mk(a.prim, x, axis=wanted[0] if len(wanted) == 1 else wanted, keepdims=True)
    if is_call(a, "mul", "div", "neg"):
        p = product_of(a)
        # the factors that carry a's shape (for a scalar, the one that is not a dimension or a number)
        carriers = [b for b, _ in p.powers if b.shape == a.shape and (a.shape or not isinstance(b, DimRef))]
        if all(b.shape in ((), a.shape) for b, _ in p.powers) and (carriers if a.shape else len(carriers) == 1):
            moved = tuple((s.mk("reshape", b, shape=shape) if b in carriers else b, e) for b, e in p.powers)
            return build_product(Product(p.coeff, moved), s.names)
    return None


def reshape_unkept(n: Call, s: Simplifier) -> Expr | None:
    """reshape(sum(x, axis, keepdims=True), without the kept axes) is sum(x, axis)."""
    if n.prim != "reshape":
        return None
    a = n.args[0]
    if is_call(a, "sum", "mean") and a.param("keepdims", False):
        axes = reduced_axes(a)
        if tuple(d for i, d in enumerate(a.shape) if i not in axes) == n.shape:
            return s.mk(a.prim, a.args[0], axis=a.param("axis"))
    return None


def elementwise_einsum(n: Call, s: Simplifier) -> Expr | None:
    """einsum('a,ab->ab', v, M), a product with nothing summed, is the broadcast product: reshape(v, (N, 1)) * M."""
    if n.prim != "einsum" or len(n.args) != 2:
        return None
    inputs, output = n.param("spec").split("->")
    terms = inputs.split(",")
    if "".join(sorted(set("".join(terms)))) != "".join(sorted(output)) or len(set(output)) != len(output):
        return None
    for big, small in ((0, 1), (1, 0)):
        if terms[big] == output and [c for c in output if c in terms[small]] == list(terms[small]):
            x, y = n.args[small], n.args[big]
            aligned = tuple(x.shape[terms[small].index(c)] if c in terms[small] else ONE for c in output)
            x = x if aligned[len(aligned) - len(x.shape):] == x.shape and all(
                d == ONE for d in aligned[:len(aligned) - len(x.shape)]) else s.mk("reshape", x, shape=aligned)
            out = s.mk("mul", x, y) if small == 0 else s.mk("mul", y, x)
            return out if out.shape == n.shape else None
    return None


def einsum_as_sum(n: Call, s: Simplifier) -> Expr | None:
    """einsum('ab->a', x) is sum(x, axis=1)."""
    if n.prim != "einsum" or len(n.args) != 1:
        return None
    term, output = n.param("spec").split("->")
    if len(set(term)) != len(term) or [c for c in term if c in output] != list(output):
        return None
    axes = tuple(i for i, c in enumerate(term) if c not in output)
    if not axes:
        return n.args[0]
    return s.mk("sum", n.args[0], axis=axes[0] if len(axes) == 1 else axes)


def einsum_as_matmul(n: Call, s: Simplifier) -> Expr | None:
    """A two-operand einsum that sums one shared letter of matrices or vectors is a matrix product:
    einsum('ab,ac->cb', D, onehot(Xb, V)) is onehot(Xb, V).T @ D."""
    if n.prim != "einsum" or len(n.args) != 2:
        return None
    inputs, output = n.param("spec").split("->")
    t0, t1 = inputs.split(",")
    shared = set(t0) & set(t1)
    if len(shared) != 1 or shared & set(output) or not (1 <= len(t0) <= 2 and 1 <= len(t1) <= 2) \
            or len(set(t0)) != len(t0) or len(set(t1)) != len(t1) or sorted(output) != sorted(set(t0 + t1) - shared):
        return None
    (letter,) = shared
    ops = list(zip((t0, t1), n.args))
    if output and output[0] not in t0:
        ops.reverse()                  # the operand that holds the output's first letter goes on the left
    (left_term, left), (right_term, right) = ops
    if len(left_term) == 2 and left_term[0] == letter:      # left as (free, s)
        left = s.mk("transpose", left)
    if len(right_term) == 2 and right_term[1] == letter:    # right as (s, free)
        right = s.mk("transpose", right)
    out = s.mk("matmul", left, right)
    return out if out.shape == n.shape else None


def canonical_axis(n: Call, s: Simplifier) -> Expr | None:
    """softmax(S, axis=1) of a matrix is softmax(S): one spelling per axis, so the network's names match."""
    if n.prim in ("softmax", "log_softmax"):
        axis = n.param("axis", -1)
        axes = normalize_axes(n, n.shape, axis)
        want = (-1 if axes[0] == len(n.shape) - 1 else axes[0]) if len(axes) == 1 else axes
        if want != axis:
            return s.mk(n.prim, n.args[0], axis=want)
    if n.prim in ("sum", "mean") and n.param("axis") is not None:
        axes = reduced_axes(n)
        summed: int | tuple[int, ...] | None = axes[0] if len(axes) == 1 else axes
        if len(axes) == len(n.args[0].shape) and not n.param("keepdims", False):
            summed = None  # every axis: sum(A)
        if summed != n.param("axis"):
            return s.mk(n.prim, n.args[0], axis=summed, keepdims=n.param("keepdims", False))
    return None

# -- comparisons and the network's own names -------------------------------------------------

FLIPPED = {"gt": "lt", "lt": "gt", "ge": "le", "le": "ge"}


def constant_on_the_right(n: Call, s: Simplifier) -> Expr | None:
    """`0 < z` → `z > 0`, as a mask is written."""
    if n.prim in FLIPPED and isinstance(n.args[0], Const) and not isinstance(n.args[1], Const):
        return s.mk(FLIPPED[n.prim], n.args[1], n.args[0])
    return None


def exp_of_log_softmax(n: Call, s: Simplifier) -> Expr | None:
    """exp(log_softmax(s)) is softmax(s) (CS231n's probs = exp(log_probs))."""
    if n.prim == "exp":
        inner = s.names.seen(n.args[0])
        if is_call(inner, "log_softmax"):
            return s.mk("softmax", inner.args[0], axis=inner.param("axis", -1))
    return None


def logistic(n: Call, s: Simplifier) -> Expr | None:
    """exp(z) / (1 + exp(z)) and 1 / (1 + exp(-z)) are sigmoid(z): the softplus's derivative, as it is named."""
    if n.prim not in ("mul", "div"):
        return None
    p = product_of(n)
    powers = dict(p.powers)
    # only a product with an exp in it can hold sigmoid(-z) * exp(z): a long chain of sigmoids without
    # one is not searched base by base (each search builds two nodes)
    has_exp = any(is_call(base, "exp") for base in powers)
    for base, e in p.powers:
        if e == 1 and has_exp and is_call(base, "sigmoid"):  # sigmoid(-z) * exp(z) is sigmoid(z)
            flipped = s.mk("neg", base.args[0])
            grown = s.mk("exp", flipped)
            if powers.get(grown, 0.0) >= 1:
                swap = Product(1.0, ((base, -1.0), (grown, -1.0), (s.mk("sigmoid", flipped), 1.0)))
                out = build_product(p.times(swap), s.names)
                return out if out.shape == n.shape else None
        if e != -1 or not is_call(base, "add"):
            continue
        for one, other in (base.args, base.args[::-1]):
            if is_const(one, 1) and is_call(other, "exp") and other.shape == base.shape:
                z = other.args[0]
                swap = Product(1.0, ((base, 1.0), (s.mk("sigmoid", s.mk("neg", z)), 1.0)))  # 1 / (1 + exp(z))
                out = build_product(p.times(swap), s.names)
                return out if out.shape == n.shape else None
    return None


def named(n: Call, s: Simplifier) -> Expr | None:
    """A sub-expression that a network defines is written with the network's name for it."""
    name = s.names.by_value.get(n)
    return s.names.vars[name] if name is not None else None

#: Every rule, in the order rules are tried on a node, with the primitives it fires on (ANYWHERE: any).
ORDER: tuple[tuple[Rewrite, tuple[str, ...]], ...] = (
    # numbers, 0 and 1
    (fold_constants, ("add", "sub", "mul", "div", "neg")),
    (identities, ("add", "sub", "mul", "div", "pow")),
    (zeros, ("mul", "matmul", "outer", "einsum", "div", "pow", "add", "sub") + LINEAR),
    # repetitions absorbed
    (absorb_broadcast, ("broadcast_to",) + ELEMENTWISE + COMPARISONS),
    (sum_of_broadcast, ("sum", "mean")),
    (broadcast_outward, ("transpose", "matmul")),
    (repeats_nothing, ("broadcast_to",)),
    (unit_axes, ("sum", "mean")),                                                # a sum of one entry
    # one spelling each
    (no_op_transpose, ("transpose", "swapaxes")),
    (reshape_once, ("reshape",)),
    (reshape_through, ("reshape",)),
    (reshape_unkept, ("reshape",)),
    (eye_rows, ("getitem",)),
    (elementwise_einsum, ("einsum",)),
    (einsum_as_matmul, ("einsum",)),
    (einsum_as_sum, ("einsum",)),
    (canonical_axis, ("softmax", "log_softmax", "sum", "mean")),
    (constant_on_the_right, tuple(FLIPPED)),
    # signs and constants outward
    (pull_out_negation, ("neg", "mul", "div", "matmul", "outer", "add", "sub") + LINEAR_UNARY),
    (constants_first, ("mul",)),
    (constants_outward, ("matmul", "outer", "div") + FACTOR_OUTWARD),
    (common_divisor, ("add", "sub", "div", "mul", "matmul", "outer") + FACTOR_OUTWARD),
    # reductions (reductions.py)
    (centred_sum, ("sum", "mean")),
    (sum_zero_terms, ("sum", "mean")),
    (pull_out_of_sum, ("sum", "mean")),
    (sums_in_products, ("mul", "div")),
    # products and sums (collect.py)
    (collect_factors, ("mul", "div", "pow", "sqrt")),
    (collect_terms, ("add", "sub")),
    # the network's own names
    (logistic, ("mul", "div")),
    (exp_of_log_softmax, ("exp",)),
    (leading_keepdims, ELEMENTWISE),
    (named, (ANYWHERE,)),
)


def by_primitive(order: tuple[tuple[Rewrite, tuple[str, ...]], ...]) -> dict[str, tuple[Rewrite, ...]]:
    """For each primitive a rule names, the rules that fire on it, in order (ANYWHERE: those for any other)."""
    prims = {p for _, on in order for p in on}
    return {p: tuple(rule for rule, on in order if p in on or ANYWHERE in on) for p in prims | {ANYWHERE}}


RULES.update(by_primitive(ORDER))

# -- the network's names, for the rules above --------------------------------------------------

def names_of(definitions: dict[str, Expr], shapes: dict[str, Shape],
             seen_whole: Callable[[str, Expr], Expr | None] | None = None) -> Names:
    """The table the rules read a network's names from; each definition simplified with the names before it.

    `seen_whole(name, definition)` gives the function a definition computes when it is written out by
    hand (probs = exp_scores / sum(...) is softmax(scores)): the name stands for that too.
    """
    table = Names()
    s = Simplifier(table)
    for name, expr in definitions.items():
        var = Var(name, shape=shapes[name])
        table.vars[name] = var
        value = s.rebuild(expr)
        table.values[name] = value
        whole = seen_whole(name, expr) if seen_whole else None
        if whole is not None:
            table.forms[name] = s.rebuild(whole)
            table.by_value.setdefault(table.forms[name], name)
        if isinstance(value, (Var, Const, DimRef)):
            continue
        p = product_of(value, table)
        if p.coeff == 1 and (len(p.powers) > 1 or (len(p.powers) == 1 and p.powers[0][1] != 1)):
            table.products[name] = p
            # later definitions are read with this name folded back in, as their author wrote them
            table.folds = sorted(((table.vars[k], q) for k, q in table.products.items()),
                                 key=lambda vq: -len(vq[1].powers))
        table.by_value.setdefault(value, name)
    return table


def simplify(expr: Expr, names: Names = EMPTY) -> Expr:
    """expr as a teacher writes it: every node it was built fresh with rewritten, with a network's names."""
    return PLAIN.simplify(expr) if names is EMPTY else Simplifier(names).simplify(expr)


def rebuild(expr: Expr, names: Names = EMPTY) -> Expr:
    """The same expression built again through the rules, so that every rule has seen it; with a
    network's names (`names_of`), for code that writes a network's expressions by hand."""
    return (PLAIN if names is EMPTY else Simplifier(names)).rebuild(expr)
