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


for _prim in ("neg", "exp", "log", "sqrt", "abs", "sign", "sigmoid", "tanh", "relu", "pow", "gelu", "erf"):
    shape_rules[_prim] = same_shape


def elementwise(node: Call, a: Shape, b: Shape) -> Shape:
    return broadcast(node, a, b)


ELEMENTWISE = ("add", "sub", "mul", "div", "maximum", "minimum")
COMPARISONS = ("gt", "ge", "lt", "le")
for _prim in ELEMENTWISE + COMPARISONS:
    shape_rules[_prim] = elementwise


def matmul(node: Call, a: Shape, b: Shape) -> Shape:
    """NumPy's matmul at every rank: a 1-D operand is a row (on the left) or a column (on the right),
    the last two axes multiply as matrices, and the axes before them broadcast (a stack of matrices)."""
    if not a or not b:
        raise fail(node, f"@ needs arrays, not scalars: {show(a, b)}; use * to scale", a, b, code="E201")
    inner_a = a[-1]
    inner_b = b[0] if len(b) == 1 else b[-2]
    if inner_a != inner_b:
        raise fail(node, f"the inner dimensions of {format_shape(a)} @ {format_shape(b)} do not match "
                         f"({inner_a} ≠ {inner_b})", a, b, code="E201")
    rows = a[-2:-1]                         # none for a 1-D left operand
    cols = b[-1:] if len(b) >= 2 else ()    # none for a 1-D right operand
    stack_a, stack_b = a[:-2], b[:-2]
    if not stack_a and not stack_b:
        return rows + cols
    try:
        stack = broadcast(node, stack_a, stack_b)
    except ShapeError:
        raise fail(node, f"the stacked (leading) axes of {format_shape(a)} @ {format_shape(b)} do not broadcast: "
                         f"{format_shape(stack_a)} with {format_shape(stack_b)}", a, b, code="E202") from None
    return stack + rows + cols


shape_rules["matmul"] = matmul


def permutation(node: Call, a: Shape, axes) -> tuple[int, ...]:
    """`axes` of transpose as a permutation of range(rank); None reverses every axis, as NumPy does."""
    rank = len(a)
    if axes is None:
        return tuple(reversed(range(rank)))
    if len(axes) != rank:
        raise fail(node, f"transpose needs one axis for each of the {rank} axes of {format_shape(a)}, "
                         f"got {tuple(axes)}", a)
    out = tuple(normalize_axis(node, a, ax) for ax in axes)
    if sorted(out) != list(range(rank)):
        raise fail(node, f"axes {tuple(axes)} are not a permutation of the axes of {format_shape(a)}", a)
    return out


def normalize_axis(node: Call, shape: Shape, axis: int, rank: int | None = None) -> int:
    rank = len(shape) if rank is None else rank
    if not -rank <= axis < rank:
        raise fail(node, f"axis {axis} is out of range for a {format_shape(shape)} array (rank {len(shape)})",
                   shape)
    return axis % rank


def transpose(node: Call, a: Shape) -> Shape:
    return tuple(a[i] for i in permutation(node, a, node.param("axes")))


def swapaxes(node: Call, a: Shape) -> Shape:
    i, j = (normalize_axis(node, a, node.param(k)) for k in ("axis1", "axis2"))
    out = list(a)
    out[i], out[j] = a[j], a[i]
    return tuple(out)


def moved_order(node: Call, a: Shape) -> list[int]:
    """np.moveaxis: the source axes go to the destination positions, the others keep their order."""
    source, destination = (node.param(k) for k in ("source", "destination"))
    source = source if isinstance(source, tuple) else (source,)
    destination = destination if isinstance(destination, tuple) else (destination,)
    if len(source) != len(destination):
        raise fail(node, f"moveaxis needs as many destinations as sources, got {source} and {destination}", a)
    src = [normalize_axis(node, a, ax) for ax in source]
    dst = [normalize_axis(node, a, ax) for ax in destination]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise fail(node, "moveaxis: an axis is repeated", a)
    order = [n for n in range(len(a)) if n not in src]
    for d, s_ in sorted(zip(dst, src)):
        order.insert(d, s_)
    return order


def moveaxis(node: Call, a: Shape) -> Shape:
    return tuple(a[i] for i in moved_order(node, a))


def expand_dims(node: Call, a: Shape) -> Shape:
    axis = node.param("axis")
    if axis is None:
        raise fail(node, "expand_dims needs an axis (or a tuple of axes) where the new axes of length 1 go", a)
    axes = axis if isinstance(axis, tuple) else (axis,)
    rank = len(a) + len(axes)
    new = {normalize_axis(node, a, ax, rank) for ax in axes}
    if len(new) != len(axes):
        raise fail(node, f"expand_dims: axis {axis} repeats an axis", a)
    rest = iter(a)
    return tuple(ONE if i in new else next(rest) for i in range(rank))


for _prim, _rule in (("transpose", transpose), ("swapaxes", swapaxes), ("moveaxis", moveaxis),
                     ("expand_dims", expand_dims)):
    shape_rules[_prim] = _rule


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
    if axis is None:
        raise fail(node, f"{node.prim} works along an axis or a tuple of axes, not axis=None", a)
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
    stacks: list[Shape] = []      # what each operand's `...` stands for
    for term, shape in zip(inputs.split(","), shapes):
        head, dots, tail = term.partition("...")
        if len(head) + len(tail) > len(shape) or (not dots and len(term) != len(shape)):
            raise fail(node, f"einsum term {term!r} has {len(head) + len(tail)} letters for a "
                             f"{format_shape(shape)} operand", *shapes)
        if dots:
            stacks.append(shape[len(head):len(shape) - len(tail)])
            shape = shape[:len(head)] + shape[len(shape) - len(tail):]
        for letter, d in zip(head + tail, shape):
            if sizes.setdefault(letter, d) != d and ONE not in (d, sizes[letter]):
                raise fail(node, f"einsum letter {letter!r} stands for both {sizes[letter]} and {d}", *shapes,
                           code="E201")
            if sizes[letter] == ONE:
                sizes[letter] = d
    stack: Shape = ()
    for s in stacks:
        try:
            stack = broadcast(node, stack, s)
        except ShapeError:
            raise fail(node, f"the axes that ... stands for do not broadcast: {show(*stacks)}", *shapes,
                       code="E202") from None
    head, dots, tail = output.partition("...")
    if stack and not dots:
        raise fail(node, f"... stands for {format_shape(stack)} in the inputs, so the output needs ... too",
                   *shapes)
    return tuple(sizes[letter] for letter in head) + (stack if dots else ()) + tuple(sizes[t] for t in tail)


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


def broadcast_to(node: Call, a: Shape) -> Shape:
    """`broadcast_to(Pos, (B, N, E))`: a repeated along new leading axes and along its axes of length 1."""
    target: Shape = node.param("shape")
    if len(a) > len(target) or any(d != t and d != ONE for d, t in zip(reversed(a), reversed(target))):
        raise fail(node, f"cannot broadcast {format_shape(a)} to {format_shape(target)}", a, code="E202")
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
