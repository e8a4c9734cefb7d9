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
from ..errors import ShapeError
from .ir import Call, Expr, Var, op_name
from .table import MAX_NODE_RANK

ShapeRule = Callable[..., Shape]
shape_rules: dict[str, ShapeRule] = {}


def fail(node: Call | None, message: str, *shapes: Shape, code: str = "E203") -> ShapeError:
    """E201: a matrix product's dimensions; E202: broadcasting; E203: anything else (axes, ranks)."""
    if node is None:  # a rule's own question (which axes?), asked of a node it has not built
        return ShapeError(message, None, operands=shapes, code=code)
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


def normalize_axes(node: Call | None, shape: Shape, axis) -> tuple[int, ...]:
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


for _prim in ("neg", "exp", "log", "sqrt", "abs", "sign", "sigmoid", "tanh", "relu", "pow", "log1p", "copy",
              "zeros_like", "ones_like", "clip", "gelu", "erf",
              "sin", "cos", "tan", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
              "expm1", "log2", "log10", "floor", "ceil", "trunc", "round", "isnan", "isinf", "isfinite"):
    shape_rules[_prim] = same_shape


def elementwise(node: Call, a: Shape, b: Shape) -> Shape:
    return broadcast(node, a, b)


ELEMENTWISE = ("add", "sub", "mul", "div", "maximum", "minimum", "arctan2", "hypot", "logaddexp")
COMPARISONS = ("gt", "ge", "lt", "le", "eq", "ne")
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
shape_rules["argsort"] = along_axis
shape_rules["log_softmax"] = along_axis


def reduce(node: Call, a: Shape) -> Shape:
    axes = normalize_axes(node, a, node.param("axis"))
    if node.param("keepdims", False):
        return tuple(ONE if i in axes else d for i, d in enumerate(a))
    return tuple(d for i, d in enumerate(a) if i not in axes)


shape_rules["sum"] = reduce
shape_rules["prod"] = reduce
shape_rules["argmax"] = reduce
shape_rules["argmin"] = reduce
shape_rules["logsumexp"] = reduce  # never written: only a written-out log-sum-exp seen whole (forms.py)
shape_rules["mean"] = reduce
shape_rules["max"] = reduce
shape_rules["min"] = reduce


def norm(node: Call, a: Shape) -> Shape:
    return ()


shape_rules["norm"] = norm


def where(node: Call, cond: Shape, a: Shape, b: Shape) -> Shape:
    return broadcast(node, broadcast(node, cond, a), b)


shape_rules["where"] = where


def squeeze(node: Call, a: Shape) -> Shape:
    axis = node.param("axis")
    if axis is None:
        return tuple(d for d in a if d != ONE)
    axes = normalize_axes(node, a, axis)
    for i in axes:
        if a[i] != ONE:
            raise fail(node, f"squeeze: axis {i} of a {format_shape(a)} array has length {a[i]}, not 1", a)
    return tuple(d for i, d in enumerate(a) if i not in axes)


shape_rules["squeeze"] = squeeze


def arange(node: Call) -> Shape:
    return (node.param("n"),)


shape_rules["arange"] = arange


def filled(node: Call) -> Shape:
    if None in node.param("shape"):
        raise fail(node, f"{node.prim} needs every size: -1 has nothing to be inferred from", ())
    return tuple(node.param("shape"))


shape_rules["zeros"] = filled
shape_rules["ones"] = filled


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
    target = node.param("shape")
    if None in target:  # -1: whatever the other sizes leave, when that is known symbolically
        known = product(d for d in target if d is not None)
        rest = product(a).divide(known)
        if rest is None:
            raise fail(node, f"cannot reshape {format_shape(a)} with -1 next to {format_shape(tuple(d for d in target if d is not None))}: "
                             "the remaining size is not a whole dimension", a)
        target = tuple(rest if d is None else d for d in target)
    if product(a) != product(target):
        raise fail(node, f"cannot reshape {format_shape(a)} into {format_shape(target)}: "
                         "the sizes differ", a)
    return target


shape_rules["reshape"] = reshape


def onehot(node: Call, labels: Shape) -> Shape:
    return labels + (node.param("n"),)


shape_rules["onehot"] = onehot


def eye(node: Call) -> Shape:
    return (node.param("n"), node.param("m") or node.param("n"))  # k shifts the diagonal, not the shape


shape_rules["eye"] = eye


def broadcast_to(node: Call, a: Shape) -> Shape:
    """`broadcast_to(Pos, (B, N, E))`: a repeated along new leading axes and along its axes of length 1."""
    target: Shape = node.param("shape")
    if len(a) > len(target) or any(d != t and d != ONE for d, t in zip(reversed(a), reversed(target))):
        raise fail(node, f"cannot broadcast {format_shape(a)} to {format_shape(target)}", a, code="E202")
    return target


shape_rules["broadcast_to"] = broadcast_to


# -- indexing: NumPy's basic and advanced indexing, over symbolic dimensions ----------------------

def slice_length(node: Call, axis: Dim, start, stop) -> Dim:
    """The length of axis[start:stop], when it is known symbolically."""
    if axis.is_literal and all(b is None or isinstance(b, int) or b.is_literal for b in (start, stop)):
        lo, hi = (b if b is None or isinstance(b, int) else b.coeff for b in (start, stop))
        n = len(range(axis.coeff)[lo:hi])
        if n == 0:
            raise fail(node, f"the slice [{lo}:{hi}] of an axis of length {axis.coeff} is empty", ())
        return Dim(n)
    shown = f"{'' if start is None else start}:{'' if stop is None else stop}"
    # a bound counted from the end is known when the axis is a sum with that many to spare:
    # dWb[:-1] of an axis of length (1 + H), the bias trick's row of ones taken off again, is dWb[:H]
    start, stop = (axis.minus(Dim(-b)) or b if isinstance(b, int) and b < 0 else b for b in (start, stop))
    if any(isinstance(b, int) and b < 0 for b in (start, stop)):
        raise fail(node, f"the slice {shown} counts from the end of an axis of length {axis}; write the bound "
                         "with the dimension's symbol", ())
    lo = None if start in (None, 0) else (Dim(start) if isinstance(start, int) else start)
    hi = axis if stop is None else (Dim(stop) if isinstance(stop, int) else stop)
    length = hi if lo is None else hi.minus(lo)
    if length is None or not (hi == axis or axis.minus(hi) is not None):
        raise fail(node, f"the slice {shown} of an axis of length {axis}: its length is not known symbolically", ())
    return length


def index_plan(node: Call, a: Shape, index_shapes: list[Shape]) -> list[tuple]:
    """Each item of the index with the axis it reads: (item, axis or None); ellipsis expanded."""
    items = list(node.param("items"))
    consumed = sum(1 for it in items if it[0] in "sia")
    if consumed > len(a):
        raise fail(node, f"too many indices ({consumed}) for a {format_shape(a)} array", a, *index_shapes)
    if ("e",) in items:
        at = items.index(("e",))
        items[at:at + 1] = [("s", None, None)] * (len(a) - consumed)
    else:
        items += [("s", None, None)] * (len(a) - consumed)
    plan: list[tuple] = []
    axis = 0
    for it in items:
        if it[0] == "n":
            plan.append((it, None))
        else:
            plan.append((it, axis))
            axis += 1
    return plan


def index_layout(node: Call, a: Shape, index_shapes: list[Shape]) -> tuple[list[tuple], Shape, list[tuple]]:
    """(plan, the index arrays' joint shape, where each result axis comes from).

    A result axis is ("item", k) for the k-th item of the plan (a slice or a new axis) or
    ("joint", j) for the j-th axis of the advanced indices' broadcast shape. As in NumPy, integers
    count as advanced indices once an index array is present, and the joint axes stand in place of
    the advanced indices when those are next to each other, otherwise first.
    """
    plan = index_plan(node, a, index_shapes)
    arrays = [index_shapes[it[1] - 1] for it, _ in plan if it[0] == "a"]
    advanced = bool(arrays)
    for it, axis in plan:
        if it[0] == "i" and a[axis].is_literal and not -a[axis].coeff <= it[1] < a[axis].coeff:
            raise fail(node, f"index {it[1]} is out of range for an axis of length {a[axis]}", a, *index_shapes)
    joint: Shape = ()
    for shape in arrays:
        joint = broadcast(node, joint, shape)
    positions = [k for k, (it, _) in enumerate(plan) if it[0] == "a" or (advanced and it[0] == "i")]
    adjacent = positions == list(range(positions[0], positions[-1] + 1)) if positions else True
    joint_slots = [("joint", j) for j in range(len(joint))]
    slots: list[tuple] = []
    for k, (it, axis) in enumerate(plan):
        if advanced and k in positions:
            if k == positions[0] and adjacent:
                slots += joint_slots
            continue
        if it[0] in "sn":
            slots.append(("item", k))
    if not adjacent:
        slots = joint_slots + slots
    return plan, joint, slots


def getitem(node: Call, a: Shape, *index_shapes: Shape) -> Shape:
    plan, joint, slots = index_layout(node, a, list(index_shapes))
    out = []
    for kind, k in slots:
        if kind == "joint":
            out.append(joint[k])
        else:
            it, axis = plan[k]
            out.append(ONE if it[0] == "n" else slice_length(node, a[axis], it[1], it[2]))
    return tuple(out)


shape_rules["getitem"] = getitem


def setitem(node: Call, a: Shape, value: Shape, *index_shapes: Shape) -> Shape:
    """`a[index] = value` (or -=, += …) as a new array: value must broadcast to what the index picks."""
    items = node.param("items")
    if any(it[0] == "m" for it in items):
        mask = index_shapes[0]
        if mask != a[:len(mask)]:
            raise fail(node, f"the mask is {format_shape(mask)}, but the array is {format_shape(a)}", a, mask,
                       code="E202")
        if value:
            raise fail(node, "a masked assignment here takes a number (d[mask] = 0)", a, value)
        return a
    picked = getitem(Call("getitem", node.args[:1] + node.args[2:], (("items", items),), span=node.span,
                          caret=node.caret), a, *index_shapes)
    if broadcast(node, value, picked) != picked:
        raise fail(node, f"cannot assign a {format_shape(value)} value to the {format_shape(picked)} entries "
                         "the index picks", value, picked, code="E202")
    return a


shape_rules["setitem"] = setitem


def cumsum(node: Call, a: Shape) -> Shape:
    """A running sum along an axis; with no axis, over the flattened array (NumPy's default)."""
    if node.param("axis") is None:
        return (product(a),)
    normalize_axes(node, a, node.param("axis"))
    return a


shape_rules["cumsum"] = cumsum


def along_any_axes(node: Call, a: Shape) -> Shape:
    """flip and roll: the same shape; the axes they name must exist."""
    if node.param("axis") is not None:
        normalize_axes(node, a, node.param("axis"))
    return a


shape_rules["flip"] = along_any_axes
shape_rules["roll"] = along_any_axes


def concatenate(node: Call, *shapes: Shape) -> Shape:
    """Arrays joined along an existing axis: every other axis agrees; the joined one is the sum (`H + D`)."""
    first = shapes[0]
    if not first:
        raise fail(node, "concatenate needs arrays with an axis, not scalars", *shapes)
    axis = normalize_axis(node, first, node.param("axis"))
    for s in shapes[1:]:
        if len(s) != len(first) or any(d != e for i, (d, e) in enumerate(zip(s, first)) if i != axis):
            raise fail(node, f"concatenate along axis {axis}: {show(*shapes)} differ in another axis", *shapes,
                       code="E202")
    joined = first[axis]
    for s in shapes[1:]:
        joined = joined + s[axis]
    return first[:axis] + (joined,) + first[axis + 1:]


shape_rules["concatenate"] = concatenate


def infer(node: Call, shapes: list[Shape]) -> Shape:
    out = shape_rules[node.prim](node, *shapes)
    if len(out) > MAX_NODE_RANK:
        raise fail(node, f"this gives an array of {len(out)} axes; the limit is {MAX_NODE_RANK}", *shapes)
    return out


def annotate(expr: Expr, arrays: dict[str, Shape]) -> Expr:
    """The same tree with every node's shape filled in, checked in evaluation order."""
    if isinstance(expr, Var):
        return replace(expr, shape=arrays[expr.name])
    if isinstance(expr, Call):
        args = tuple(annotate(a, arrays) for a in expr.args)
        node = replace(expr, args=args)
        return replace(node, shape=infer(node, [a.shape for a in args]))
    return expr
