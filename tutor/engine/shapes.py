"""Shape rules, one per primitive, over symbolic dimensions.

Each rule takes the call and its operands' shapes and returns the result's
shape, or raises a `ShapeError` naming the operation, the requirement and the
offending shapes. NumPy's rules, with one difference on purpose: two distinct
symbols never match, even where their numbers would.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .dims import ONE, Dim, Shape, format_shape, product
from .errors import ShapeError
from .ir import Call, Expr, Var, op_name

ShapeRule = Callable[..., Shape]
shape_rules: dict[str, ShapeRule] = {}


def fail(node: Call, message: str, *shapes: Shape, code: str = "E203") -> ShapeError:
    """E201: a matrix product's dimensions; E202: broadcasting; E203: anything else (axes, ranks)."""
    return ShapeError(message, node.span, op=op_name(node.prim), operands=shapes, caret=node.caret, code=code)


def show(*shapes: Shape) -> str:
    return ", ".join(format_shape(s) for s in shapes)


def broadcast(node: Call, a: Shape, b: Shape) -> Shape:
    """NumPy broadcasting, right-aligned; a literal 1 stretches, symbols must be equal."""
    out: list[Dim] = []
    for i in range(1, max(len(a), len(b)) + 1):
        da = a[-i] if i <= len(a) else ONE
        db = b[-i] if i <= len(b) else ONE
        if da == db or db == ONE:
            out.append(da)
        elif da == ONE:
            out.append(db)
        else:
            raise fail(node, f"cannot broadcast {format_shape(a)} with {format_shape(b)}: "
                             f"dimension {da} does not match {db}", a, b, code="E202")
    return tuple(reversed(out))


def normalize_axes(node: Call, shape: Shape, axis) -> tuple[int, ...]:
    """Axis parameter → sorted non-negative axes (None means every axis)."""
    rank = len(shape)
    if axis is None:
        return tuple(range(rank))
    axes = axis if isinstance(axis, tuple) else (axis,)
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise fail(node, f"axis {a} is out of range for a {format_shape(shape)} array "
                             f"(rank {rank})", shape)
        out.append(a % rank)
    if len(set(out)) != len(out):
        raise fail(node, f"axis {axis} repeats an axis", shape)
    return tuple(sorted(out))


def same_shape(node: Call, a: Shape) -> Shape:
    return a


for _prim in ("neg", "exp", "log", "sqrt", "abs", "sign", "sigmoid", "tanh", "relu", "pow", "zeros_like"):
    shape_rules[_prim] = same_shape


def elementwise(node: Call, a: Shape, b: Shape) -> Shape:
    return broadcast(node, a, b)


ELEMENTWISE = ("add", "sub", "mul", "div", "maximum", "minimum")
COMPARISONS = ("gt", "ge", "lt", "le")
for _prim in ELEMENTWISE + COMPARISONS:
    shape_rules[_prim] = elementwise


def matmul(node: Call, a: Shape, b: Shape) -> Shape:
    if not a or not b:
        raise fail(node, f"@ needs arrays, not scalars: {show(a, b)}; use * to scale", a, b, code="E201")
    inner_a = a[-1]
    inner_b = b[0] if len(b) == 1 else b[-2]
    if inner_a != inner_b:
        raise fail(node, f"the inner dimensions of {format_shape(a)} @ {format_shape(b)} do not match "
                         f"({inner_a} ≠ {inner_b})", a, b, code="E201")
    return a[:-1] + (b[1:] if len(b) == 2 else ())


shape_rules["matmul"] = matmul


def transpose(node: Call, a: Shape) -> Shape:
    return tuple(reversed(a))


shape_rules["transpose"] = transpose


def index(node: Call, a: Shape) -> Shape:
    if not a:
        raise fail(node, "cannot index a scalar", a)
    i, first = node.param("i"), a[0]
    if first.is_literal and not -first.coeff <= i < first.coeff:
        raise fail(node, f"index {i} is out of range for an axis of length {first.coeff}", a)
    return a[1:]


shape_rules["index"] = index


def along_axis(node: Call, a: Shape) -> Shape:
    if not a:
        raise fail(node, f"{node.prim} needs an array with an axis, not a scalar", a)
    axis = node.param("axis", -1)
    if type(axis) is not int:
        raise fail(node, f"{node.prim} works along one axis: axis must be an integer, not {axis!r}", a)
    normalize_axes(node, a, axis)
    return a


shape_rules["softmax"] = along_axis
shape_rules["log_softmax"] = along_axis


def reduce(node: Call, a: Shape) -> Shape:
    axes = normalize_axes(node, a, node.param("axis"))
    if node.param("keepdims", False):
        return tuple(ONE if i in axes else d for i, d in enumerate(a))
    return tuple(d for i, d in enumerate(a) if i not in axes)


shape_rules["sum"] = reduce
shape_rules["logsumexp"] = reduce  # never written: only a written-out log-sum-exp seen whole (forms.py)
shape_rules["mean"] = reduce


def outer(node: Call, a: Shape, b: Shape) -> Shape:
    return (product(a), product(b))


shape_rules["outer"] = outer


def diag(node: Call, a: Shape) -> Shape:
    if len(a) == 1:
        return (a[0], a[0])
    if len(a) == 2:
        n, m = a
        if n == m:
            return (n,)
        if n.is_literal and m.is_literal:
            return (Dim(min(n.coeff, m.coeff)),)
        if ONE in (n, m):  # min(1, anything) is 1
            return (ONE,)
        raise fail(node, f"diag of a {format_shape(a)} matrix: its length is min({n}, {m}), "
                         "which is not known symbolically; use a square matrix", a)
    raise fail(node, f"diag needs a vector or a matrix, not a {format_shape(a)} array", a)


shape_rules["diag"] = diag


def cross_entropy(node: Call, y: Shape, p: Shape) -> Shape:
    broadcast(node, y, p)
    return ()


shape_rules["cross_entropy"] = cross_entropy


def einsum(node: Call, *shapes: Shape) -> Shape:
    inputs, output = node.param("spec").split("->")
    sizes: dict[str, Dim] = {}
    for term, shape in zip(inputs.split(","), shapes):
        if len(term) != len(shape):
            raise fail(node, f"einsum term {term!r} has {len(term)} letters for a {format_shape(shape)} operand",
                       *shapes)
        for letter, d in zip(term, shape):
            if sizes.setdefault(letter, d) != d and ONE not in (d, sizes[letter]):
                raise fail(node, f"einsum letter {letter!r} stands for both {sizes[letter]} and {d}", *shapes,
                           code="E201")
            if sizes[letter] == ONE:
                sizes[letter] = d
    return tuple(sizes[letter] for letter in output)


shape_rules["einsum"] = einsum


def reshape(node: Call, a: Shape) -> Shape:
    target: Shape = node.param("shape")
    if product(a) != product(target):
        raise fail(node, f"cannot reshape {format_shape(a)} into {format_shape(target)}: "
                         "the sizes differ", a)
    return target


shape_rules["reshape"] = reshape


def onehot(node: Call) -> Shape:
    return (node.param("n"),)


shape_rules["onehot"] = onehot


def eye(node: Call) -> Shape:
    return (node.param("n"), node.param("m") or node.param("n"))


shape_rules["eye"] = eye


def broadcast_to(node: Call, g: Shape) -> Shape:
    target: Shape = node.param("shape")
    if broadcast(node, g, target) != target:
        raise fail(node, f"cannot broadcast {format_shape(g)} to {format_shape(target)}", g, target)
    return target


shape_rules["broadcast_to"] = broadcast_to


def infer(node: Call, shapes: list[Shape]) -> Shape:
    return shape_rules[node.prim](node, *shapes)


def annotate(expr: Expr, arrays: dict[str, Shape]) -> Expr:
    """The same tree with every node's shape filled in, checked in evaluation order."""
    if isinstance(expr, Var):
        return replace(expr, shape=arrays[expr.name])
    if isinstance(expr, Call):
        args = tuple(annotate(a, arrays) for a in expr.args)
        node = replace(expr, args=args)
        return replace(node, shape=infer(node, [a.shape for a in args]))
    return expr
