"""W302–W306: what conforms but should worry a learner, one check each, keyed by the primitive it
looks at. The shape pass asks the checks of each operation as it types it, so the warnings come in
evaluation order (W301, a conformance by equal numbers, is found where the shape rule fails)."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from ..engine.codes import W302, W303, W304, W305, W306
from ..engine.diagnostics import Diagnostic, Fix
from ..engine.language.dims import ONE, Shape, format_shape
from ..engine.language.ir import Call, op_name
from ..engine.language.shapes import ELEMENTWISE

Check = Callable[[Call, Mapping[str, int]], "Diagnostic | None"]


def shape_of(node: Call, i: int) -> Shape:
    """An argument's shape: the shape pass has filled it in before the node is checked."""
    shape = node.args[i].shape
    assert shape is not None, "checked after its arguments are typed"
    return shape


def transpose_of_vector(node: Call, bindings: Mapping[str, int]) -> Diagnostic | None:
    a = shape_of(node, 0)
    if len(a) != 1:
        return None
    return W303.at(f".T on a 1-D array does nothing: {format_shape(a)} stays {format_shape(a)}", node.span,
                   node.caret, op=".T", operands=(a,))


def transpose_of_stack(node: Call, bindings: Mapping[str, int]) -> Diagnostic | None:
    a = shape_of(node, 0)
    if node.param("axes") is not None or len(a) < 3:
        return None
    return W306.at(f".T reverses every axis of a {len(a)}-D array: {format_shape(a)} becomes "
                   f"{format_shape(tuple(reversed(a)))}; for a stack of matrices use swapaxes(a, -1, -2)",
                   node.span, node.caret, op=".T", operands=(a,))


def softmax_over_one(node: Call, bindings: Mapping[str, int]) -> Diagnostic | None:
    a = shape_of(node, 0)
    axis = node.param("axis", -1)
    axes = axis if isinstance(axis, tuple) else (axis,)
    lengths = [a[i] for i in axes] if a else [ONE]
    if not all(d == ONE or d.value(bindings) == 1 for d in lengths):
        return None
    return W304.at(f"{node.prim} over axis {axis}, which has length 1: every entry becomes 1 and the gradient 0",
                   node.span, node.caret, op=node.prim, operands=(a,))


def outer_by_broadcast(node: Call, bindings: Mapping[str, int]) -> Diagnostic | None:
    if not stretches_both(node):
        return None
    a, b = shape_of(node, 0), shape_of(node, 1)
    out = node.shape if node.shape is not None else ()
    return W302.at(f"broadcasting {format_shape(a)} against {format_shape(b)} silently builds a "
                   f"{format_shape(out)} outer product", node.span, node.caret, op=op_name(node.prim),
                   operands=(a, b), help=Fix("write the outer product as a matrix product, e.g. x.T @ d, which also "
                                             "works for a batch"))


def single_example(node: Call, bindings: Mapping[str, int]) -> Diagnostic | None:
    """An outer product by broadcasting that leans on the single example's axis of length 1."""
    if not stretches_both(node):
        return None
    a, b = shape_of(node, 0), shape_of(node, 1)
    if not any(d == ONE for d in a + b):
        return None
    return W305.at("right for one example only: this relies on the single example's axis of length 1, and with a "
                   "batch of N examples it fails or sums nothing", node.span, node.caret, op=op_name(node.prim),
                   operands=(a, b))


def stretches_both(node: Call) -> bool:
    """Each operand is stretched along an axis where the other is long."""
    if len(node.args) != 2:
        return False
    a, b = shape_of(node, 0), shape_of(node, 1)
    if not a or not b:
        return False
    n = max(len(a), len(b))
    sa, sb = (ONE,) * (n - len(a)) + a, (ONE,) * (n - len(b)) + b
    a_stretched = any(x == ONE and y != ONE for x, y in zip(sa, sb))
    b_stretched = any(y == ONE and x != ONE for x, y in zip(sa, sb))
    return a_stretched and b_stretched


#: The checks for each primitive, in the order their warnings are listed.
CAUTIONS: dict[str, tuple[Check, ...]] = {
    "transpose": (transpose_of_vector, transpose_of_stack),
    "softmax": (softmax_over_one,),
    "log_softmax": (softmax_over_one,),
    **{prim: (outer_by_broadcast, single_example) for prim in ELEMENTWISE},
}


def cautions(node: Call, bindings: Mapping[str, int]) -> list[Diagnostic]:
    """The warnings about one typed operation."""
    checks = CAUTIONS.get(node.prim, ())
    if checks and node.prim in ELEMENTWISE and not stretches_both(node):
        return []   # both of an elementwise operation's cautions are about operands stretched both ways
    found = (check(node, bindings) for check in checks)
    return [d for d in found if d is not None]
