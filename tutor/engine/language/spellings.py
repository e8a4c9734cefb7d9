"""NumPy and PyTorch spellings that are compositions of the language's primitives.

`np.var(x, axis)` is `mean((x - mean(x, axis, keepdims=True)) ** 2, axis)`, `np.tile` a reshape of a
broadcast, `np.hstack((a, b))` a concatenate, `.astype(float)` a copy: each is read here into the
primitives whose shape, derivative and NumPy rules are already in the tables, so its gradient is
right by construction (micrograd's "few primitives, many derived operations"). Each builder gets the
reader, the call, its arguments as written (the array first for a method) and the scope, and
returns an expression; nothing is evaluated. docs/language.md lists them beside the primitives.
"""
from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Literal, overload

from ..errors import ParseError
from .dims import ONE, Dim, product
from .ir import Call, Const, DimRef, Expr
from .shapes import annotate
from .table import MAX_JOINED

Builder = Callable[..., Expr]
SPELLINGS: dict[str, Builder] = {}

#: string.ascii_letters, without importing `string` for it
ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def spelling(*names: str):
    def register(fn: Builder) -> Builder:
        for name in names:
            SPELLINGS[name] = fn
        return fn
    return register


class Written:
    """One call as written: its name, positional arguments and keywords, read on demand."""

    def __init__(self, reader, node: ast.Call, name: str, args: list[ast.expr], scope, depth: float):
        self.reader, self.node, self.name, self.args, self.scope, self.depth = reader, node, name, args, scope, depth
        self.keywords = {k.arg: k.value for k in node.keywords}

    def fail(self, message: str, expected: str, at=None):
        return self.reader.error(ParseError, message, at if at is not None else self.node, expected)

    def argument(self, i: int, key: str, default=ast):
        """Argument i, or keyword `key`: the ast node, or `default` when absent (an error when none is given)."""
        if i < len(self.args):
            return self.args[i]
        if key in self.keywords:
            return self.keywords[key]
        if default is ast:
            raise self.fail(f"{self.name}() needs its {key}", f"{self.name}(..., {key}=...)")
        return default

    def only(self, *keys: str, at_most: int) -> None:
        """Refuse keywords it does not read (a float `dtype=` changes nothing) and extra arguments."""
        unknown = set(self.keywords) - set(keys) - {"dtype"}
        if unknown or len(self.args) > at_most:
            what = ", ".join(sorted(str(key) for key in unknown)) or f"{len(self.args)} arguments"
            raise self.fail(f"{self.name}() does not take {what} here",
                            f"{self.name}(" + ", ".join(["a"] + list(keys)) + ")")

    def array(self, node: ast.expr) -> Expr:
        """An operand, with its shape known."""
        return self.typed(self.reader.expr(node, self.scope, self.depth + 1))

    def typed(self, e: Expr) -> Expr:
        return annotate(e, self.scope.arrays)

    def reshaped(self, e: Expr, shape) -> Expr:
        return e if e.shape == tuple(shape) else self.typed(mk("reshape", e, shape=tuple(shape)))

    def literal(self, node, what: str):
        try:
            return ast.literal_eval(node)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise self.fail(f"{self.name}(): {what} must be written as a literal", what, node) from None

    @overload
    def axis(self, node, rank: int, allow_none: Literal[False]) -> int: ...
    @overload
    def axis(self, node, rank: int, allow_none: bool = True) -> int | None: ...

    def axis(self, node, rank: int, allow_none: bool = True) -> int | None:
        value = None if node is None else self.literal(node, "the axis")
        if value is None and allow_none:
            return None
        if type(value) is not int or not -rank <= value < rank:
            raise self.fail(f"{self.name}(): axis {value!r} is not an axis of a rank-{rank} array",
                            f"an integer from {-rank} to {rank - 1}", node)
        return value % rank

    def size(self, node) -> Dim:
        return self.reader.dim_of(node, self.scope, self.depth + 1)


def mk(prim: str, *args: Expr, **params) -> Call:
    return Call(prim, args, tuple(sorted(params.items())))


def dim_number(d: Dim) -> Expr:
    """A dimension read as a number: N, or N * T."""
    out: Expr = Const(d.coeff)
    for s in d.symbols:
        out = mk("mul", out, DimRef(s))
    return out


# -- statistics ---------------------------------------------------------------------------------

def reduced(c: Written) -> tuple:
    """A reduction's axis (second argument or `axis=`) and keepdims (NumPy's `keepdims=`, torch's
    `keepdim=`), as the primitive's parameters take them."""
    axis_node = c.argument(1, "axis", None)
    axis = None if axis_node is None else c.literal(axis_node, "the axis")
    keep = c.keywords.get("keepdims", c.keywords.get("keepdim"))
    return axis, bool(c.literal(keep, "keepdims")) if keep is not None else False


@spelling("var", "std")
def variance(c: Written) -> Expr:
    """var(x, axis) = mean((x - mean(x, axis, keepdims=True)) ** 2, axis); std is its square root."""
    c.only("axis", "keepdims", "ddof", "correction", "unbiased", at_most=2)
    x = c.array(c.args[0])
    axis, keepdims = reduced(c)
    ddof = 0
    for key in ("ddof", "correction"):
        if key in c.keywords:
            ddof = c.literal(c.keywords[key], key)
    if "unbiased" in c.keywords and c.literal(c.keywords["unbiased"], "unbiased"):
        ddof = 1
    centred = mk("sub", x, mk("mean", x, axis=axis, keepdims=True))
    out = mk("mean", mk("pow", centred, exponent=2), axis=axis, keepdims=keepdims)
    if ddof:
        axes = range(len(x.shape)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
        n = product(x.shape[a] for a in axes)
        if not n.is_literal:
            count = dim_number(n)
            out = mk("mul", out, mk("div", count, mk("sub", count, Const(ddof))))
        else:
            out = mk("mul", out, Const(n.coeff / (n.coeff - ddof)))
    return mk("sqrt", out) if c.name == "std" else out


# -- joining and splitting ---------------------------------------------------------------------

@spelling("concatenate", "concat", "hstack", "vstack", "row_stack", "stack", "column_stack", "cat")
def joined(c: Written) -> Expr:
    """concatenate((a, b), axis), its stacking variants and torch's cat: one concatenate along an axis."""
    c.only("axis", "dim", at_most=2)
    first = c.args[0] if c.args else None
    if not isinstance(first, (ast.Tuple, ast.List)) or not first.elts:
        raise c.fail(f"{c.name}() takes a tuple or list of arrays written out", f"np.{c.name}((a, b), axis=1)")
    if len(first.elts) > MAX_JOINED:
        raise c.fail(f"{c.name}() joins at most {MAX_JOINED} arrays here", "fewer arrays")
    arrays = [c.array(e) for e in first.elts]
    rank = len(arrays[0].shape)
    axis_node = c.argument(1, "axis", c.keywords.get("dim"))
    if c.name in ("stack",):
        axis = c.axis(axis_node, rank + 1, allow_none=False) if axis_node is not None else 0
        arrays = [c.typed(mk("expand_dims", a, axis=axis)) for a in arrays]
    elif c.name == "column_stack" and (rank <= 1 or any(len(a.shape) < 2 for a in arrays)):
        # each vector a column, beside the matrices (np.column_stack([h, np.ones(N)]): the bias trick's ones)
        arrays = [c.reshaped(a, (a.shape[0], ONE) if a.shape else (ONE, ONE)) if len(a.shape) < 2 else a
                  for a in arrays]
        axis = 1
    elif c.name in ("vstack", "row_stack"):  # NumPy's atleast_2d: a number is a 1×1 row, a vector a row
        arrays = [c.reshaped(a, (ONE, ONE) if not a.shape else (ONE, a.shape[0])) if len(a.shape) < 2 else a
                  for a in arrays]
        axis = 0
    elif c.name in ("hstack", "column_stack"):
        arrays = [c.reshaped(a, (ONE,)) if not a.shape else a for a in arrays]  # numbers joined into a vector
        axis = 0 if rank <= 1 else 1
    else:
        axis = c.axis(axis_node, rank, allow_none=False) if axis_node is not None else 0
    return Call("concatenate", tuple(arrays), (("axis", axis),), span=c.reader.span(c.node),
                caret=c.reader.caret(c.node))


# -- repeating -----------------------------------------------------------------------------------

@spelling("tile")
def tile(c: Written) -> Expr:
    """tile(a, (r0, r1)): a broadcast along a new axis before each, merged into it."""
    c.only("reps", at_most=2)
    a = c.array(c.args[0])
    reps_node = c.argument(1, "reps")
    reps = reps_node.elts if isinstance(reps_node, (ast.Tuple, ast.List)) else [reps_node]
    counts = [c.size(r) for r in reps]
    rank = max(len(a.shape), len(counts))
    shape = (ONE,) * (rank - len(a.shape)) + a.shape
    counts = [ONE] * (rank - len(counts)) + counts
    spread = c.reshaped(a, tuple(d for s in shape for d in (ONE, s)))
    big = c.typed(mk("broadcast_to", spread, shape=tuple(d for r, s in zip(counts, shape) for d in (r, s))))
    return c.reshaped(big, tuple(r * s for r, s in zip(counts, shape)))


@spelling("repeat", "repeat_interleave")
def repeat(c: Written) -> Expr:
    """repeat(a, k, axis): each entry k times in a row along the axis (the array flattened without one)."""
    c.only("repeats", "axis", "dim", at_most=3)
    a = c.array(c.args[0])
    k = c.size(c.argument(1, "repeats"))
    axis_node = c.argument(2, "axis", c.keywords.get("dim"))
    if axis_node is None:
        a, axis = c.reshaped(a, (product(a.shape),)), 0
    else:
        axis = c.axis(axis_node, len(a.shape), allow_none=False)
    s = a.shape
    spread = c.reshaped(a, s[:axis + 1] + (ONE,) + s[axis + 1:])
    big = c.typed(mk("broadcast_to", spread, shape=s[:axis + 1] + (k,) + s[axis + 1:]))
    return c.reshaped(big, s[:axis] + (s[axis] * k,) + s[axis + 1:])


# -- indexing --------------------------------------------------------------------------------------

@spelling("take")
def take(c: Written) -> Expr:
    """take(a, idx, axis): idx along the axis (the flattened array without one)."""
    c.only("indices", "axis", at_most=3)
    a = c.array(c.args[0])
    idx_node = c.argument(1, "indices")
    axis_node = c.argument(2, "axis", None)
    if axis_node is None:
        a, axis = c.reshaped(a, (product(a.shape),)), 0
    else:
        axis = c.axis(axis_node, len(a.shape), allow_none=False)
    lead = tuple(("s", None, None) for _ in range(axis))
    if isinstance(idx_node, ast.Constant) and type(idx_node.value) is int:
        return Call("getitem", (a,), (("items", lead + (("i", idx_node.value),)),), span=c.reader.span(c.node))
    idx = c.array(idx_node)
    return Call("getitem", (a, idx), (("items", lead + (("a", 1),)),), span=c.reader.span(c.node))


def along(a: Expr, idx: Expr, axis: int, span) -> Expr:
    """take_along_axis: idx picks along `axis`; every other axis is matched by position (a range)."""
    rank = len(a.shape)
    operands, items = [], []
    for j in range(rank):
        if j == axis:
            operands.append(idx)
        else:
            line = annotate(mk("arange", n=a.shape[j]), {})
            others = tuple(i for i in range(rank) if i != j)
            operands.append(annotate(mk("expand_dims", line, axis=others), {}) if others else line)
        items.append(("a", len(operands)))
    return Call("getitem", (a, *operands), (("items", tuple(items)),), span=span)


@spelling("take_along_axis", "gather")
def take_along_axis(c: Written) -> Expr:
    c.only("indices", "axis", "dim", "index", at_most=3)
    a = c.array(c.args[0])
    if c.name == "gather":  # torch.gather(a, dim, index)
        axis_node, idx_node = c.argument(1, "dim"), c.argument(2, "index")
    else:
        idx_node, axis_node = c.argument(1, "indices"), c.argument(2, "axis")
    idx = c.array(idx_node)
    axis = c.axis(axis_node, len(a.shape), allow_none=False)
    if len(idx.shape) != len(a.shape):
        raise c.fail(f"{c.name}(): the indices need as many axes as the array", "indices of the same rank", idx_node)
    return along(a, idx, axis, c.reader.span(c.node))


@spelling("sort")
def sort(c: Written) -> Expr:
    """sort(a, axis) = take_along_axis(a, argsort(a, axis), axis): its gradient goes back where each entry came from."""
    c.only("axis", "kind", at_most=2)
    a = c.array(c.args[0])
    axis = c.axis(c.argument(1, "axis", ast.Constant(-1)), len(a.shape), allow_none=False)
    order = c.typed(mk("argsort", a, axis=axis))
    return along(a, order, axis, c.reader.span(c.node))


# -- linear algebra ---------------------------------------------------------------------------------

@spelling("vecdot", "linalg.vecdot")
def vecdot(c: Written) -> Expr:
    """vecdot(a, b, axis=-1) = sum(a * b, axis) on real arrays."""
    c.only("axis", at_most=2)
    a, b = c.array(c.args[0]), c.array(c.argument(1, "x2"))
    axis = c.literal(c.keywords["axis"], "the axis") if "axis" in c.keywords else -1
    return mk("sum", mk("mul", a, b), axis=axis)


@spelling("matrix_transpose", "linalg.matrix_transpose")
def matrix_transpose(c: Written) -> Expr:
    c.only(at_most=1)
    return mk("swapaxes", c.array(c.args[0]), axis1=-1, axis2=-2)


@spelling("tensordot", "linalg.tensordot")
def tensordot(c: Written) -> Expr:
    """tensordot(a, b, axes): the einsum that contracts a's last (or listed) axes with b's first (or listed)."""
    c.only("axes", at_most=3)
    a, b = c.array(c.args[0]), c.array(c.argument(1, "b"))
    axes = c.literal(c.argument(2, "axes", ast.Constant(2)), "axes")
    if type(axes) is int:
        mine, theirs = list(range(len(a.shape) - axes, len(a.shape))), list(range(axes))
    elif isinstance(axes, (tuple, list)) and len(axes) == 2:
        mine, theirs = ([x] if type(x) is int else list(x) for x in axes)
    else:
        raise c.fail("tensordot(): axes must be a number or a pair of axis lists", "axes=1 or axes=([1], [0])")
    mine = [m % len(a.shape) for m in mine]
    theirs = [t % len(b.shape) for t in theirs]
    letters = iter(ASCII_LETTERS)
    ta = [next(letters) for _ in a.shape]
    tb = [next(letters) for _ in b.shape]
    for m, t in zip(mine, theirs):
        tb[t] = ta[m]
    out = [x for i, x in enumerate(ta) if i not in mine] + [x for i, x in enumerate(tb) if i not in theirs]
    spec = "".join(ta) + "," + "".join(tb) + "->" + "".join(out)
    return Call("einsum", (a, b), (("spec", spec),), span=c.reader.span(c.node))


# -- casts and constants ----------------------------------------------------------------------------

FLOAT_TYPES = {"float", "float64", "float32", "float16", "double", "single", "f", "f4", "f8", "d", "float_"}
INT_TYPES = {"int", "int64", "int32", "int16", "int8", "int_", "intc", "intp", "uint8", "long", "i", "i4", "i8"}


def dtype_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


@spelling("astype", "type", "to")
def astype(c: Written) -> Expr:
    """a.astype(float) is the same values; a.astype(int) drops the fraction (a constant); a mask stays a mask."""
    c.only("copy", "dtype", at_most=2)
    a = c.array(c.args[0])
    kind = dtype_name(c.argument(1, "dtype"))
    if kind in FLOAT_TYPES:
        return mk("copy", a)
    if kind in INT_TYPES:
        return mk("trunc", a)
    if kind == "bool":
        return mk("ne", a, Const(0))
    raise c.fail(f"{c.name}(): the type {kind!r} is not one shapetutor reads", "float, np.float64, int or bool")


@spelling("full", "full_like", "empty", "empty_like")
def full(c: Written) -> Expr:
    """full(shape, c) and full_like(a, c) are zeros(shape) + c; empty(...) is read as zeros (its values are
    overwritten before they are read)."""
    c.only("shape", "fill_value", at_most=2)
    if c.name.endswith("_like"):
        base = mk("zeros_like", c.array(c.args[0]))
    else:
        base = c.reader.call(ast.Call(func=ast.Name("zeros", ast.Load()), args=c.args[:1], keywords=[],
                                      lineno=c.node.lineno, col_offset=c.node.col_offset,
                                      end_lineno=c.node.end_lineno, end_col_offset=c.node.end_col_offset),
                             c.scope, c.depth)
    if c.name.startswith("empty"):
        return base
    return mk("add", base, c.reader.expr(c.argument(1, "fill_value"), c.scope, c.depth + 1))


@spelling("logical_not")
def logical_not(c: Written) -> Expr:
    c.only(at_most=1)
    return mk("eq", c.array(c.args[0]), Const(0))


@spelling("logical_and")
def logical_and(c: Written) -> Expr:
    c.only(at_most=2)
    return mk("mul", mk("ne", c.array(c.args[0]), Const(0)), mk("ne", c.array(c.args[1]), Const(0)))


@spelling("logical_or")
def logical_or(c: Written) -> Expr:
    c.only(at_most=2)
    return mk("maximum", mk("ne", c.array(c.args[0]), Const(0)), mk("ne", c.array(c.args[1]), Const(0)))


@spelling("all", "any")
def all_any(c: Written) -> Expr:
    c.only("axis", "keepdims", at_most=2)
    axis, keepdims = reduced(c)
    return mk("min" if c.name == "all" else "max", mk("ne", c.array(c.args[0]), Const(0)), axis=axis,
              keepdims=keepdims)


@spelling("count_nonzero")
def count_nonzero(c: Written) -> Expr:
    c.only("axis", "keepdims", at_most=2)
    axis, keepdims = reduced(c)
    return mk("sum", mk("ne", c.array(c.args[0]), Const(0)), axis=axis, keepdims=keepdims)


@spelling("signbit")
def signbit(c: Written) -> Expr:
    c.only(at_most=1)
    return mk("lt", c.array(c.args[0]), Const(0))


@spelling("floor_divide")
def floor_divide(c: Written) -> Expr:
    c.only(at_most=2)
    return mk("floor", mk("div", c.array(c.args[0]), c.array(c.args[1])))


@spelling("remainder", "mod", "fmod")
def remainder(c: Written) -> Expr:
    """a - b * floor(a / b): NumPy's remainder (the sign of b); its gradient is 1 for a, -floor(a / b) for b."""
    c.only(at_most=2)
    a, b = c.array(c.args[0]), c.array(c.args[1])
    return mk("sub", a, mk("mul", b, mk("trunc" if c.name == "fmod" else "floor", mk("div", a, b))))
