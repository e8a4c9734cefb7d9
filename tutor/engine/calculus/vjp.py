"""Vector-Jacobian rules: one entry per primitive, one rule per argument; calculus only.

A rule gets the incoming gradient `g` (shaped like the output), `ans` (the
output, by its forward name where it has one), the arguments and the
parameters, and returns the gradient for its argument as an *expression*
(`None`: no gradient flows there), built fresh with `mk` and the operators: the
walker simplifies it. A rule knows nothing of the network it is used in: the
forms a teacher writes (softmax and cross-entropy as `probs - Y`, the binary
cross-entropy through a sigmoid as `A - Y`) are fusions (fusions.py), tried
first where they fire. Undoing broadcasting is not the rules' business: the
walker does it once, with `unbroadcast`.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ..simplify.algebra import const, dim_expr, is_call, is_const, is_scalar, mk
from ..language.dims import ONE, Shape, product
from ..errors import TutorError
from ..language.ir import Call, Expr, Var
from ..language.table import MAX_EINSUM_OPERANDS, MAX_JOINED
from ..language.shapes import index_layout, normalize_axes, permutation

Rule = Callable[..., Expr] | None


class Builder(Protocol):
    """What undoing broadcasting builds with: a simplifying constructor, and the sum along axes."""

    def mk(self, prim: str, *args: Expr, **params) -> Expr: ...

    def sum_along(self, k: Expr, axes: tuple[int, ...], rank: int) -> Expr: ...
vjp_rules: dict[str, tuple[Rule, ...]] = {}


def defvjp(prim: str, *rules: Rule) -> None:
    vjp_rules[prim] = rules


def call(prim: str, *args: Expr, **params) -> Expr:
    return mk(prim, *args, **params)


# -- elementwise arithmetic ---------------------------------------------------
defvjp("add", lambda g, ans, a, b: g, lambda g, ans, a, b: g)
defvjp("sub", lambda g, ans, a, b: g, lambda g, ans, a, b: -g)
defvjp("mul", lambda g, ans, a, b: g * b, lambda g, ans, a, b: g * a)
defvjp("div", lambda g, ans, a, b: g / b, lambda g, ans, a, b: -(g * a) / b ** 2)
defvjp("neg", lambda g, ans, a: -g)
defvjp("pow", lambda g, ans, a, exponent: g * exponent * a ** (exponent - 1))
def against_zero(x: Expr, ans: Expr, compare: str) -> Expr:
    """The mask of maximum(x, 0) (a ReLU written out) in the network's names: (hidden > 0), (z > 0)."""
    named = x if isinstance(x, Var) else ans if isinstance(ans, Var) else x
    return mk(compare, named, const(0))


def clipped(compare: str, mine: int):
    """maximum/minimum's rule for operand `mine`: where it wins (ties to the first operand)."""
    def rule(g, ans, a, b):
        x, other = (a, b) if mine == 0 else (b, a)
        if is_const(other, 0):
            return g * against_zero(x, ans, compare)
        tie = {"gt": "ge", "lt": "le"}[compare] if mine == 0 else compare
        return g * mk(tie, a, b) if mine == 0 else g * mk(tie, b, a)
    return rule


defvjp("maximum", clipped("gt", 0), clipped("gt", 1))
defvjp("minimum", clipped("lt", 0), clipped("lt", 1))
for _cmp in ("gt", "ge", "lt", "le"):
    defvjp(_cmp, None, None)

# -- elementwise functions, written with the forward value where a teacher would --
defvjp("exp", lambda g, ans, a: g * ans)
defvjp("log", lambda g, ans, a: g / a)
defvjp("sqrt", lambda g, ans, a: g / (2 * ans))
defvjp("abs", lambda g, ans, a: g * call("sign", a))
defvjp("log1p", lambda g, ans, a: g / (1 + a))
defvjp("copy", lambda g, ans, a: g)
defvjp("zeros_like", None)
defvjp("ones_like", None)
defvjp("clip", lambda g, ans, a, a_min, a_max: g * ((a >= a_min) * (a <= a_max)))
defvjp("where", None, lambda g, ans, c, a, b: call("where", c, g, const(0)),
       lambda g, ans, c, a, b: call("where", c, const(0), g))
defvjp("arange")
defvjp("zeros")
defvjp("ones")
defvjp("sign", None)
defvjp("sigmoid", lambda g, ans, a: g * ans * (1 - ans))
defvjp("tanh", lambda g, ans, a: g * (1 - ans ** 2))
defvjp("relu", lambda g, ans, a: g * (ans > 0))  # relu(z) > 0 exactly where z > 0

#: GELU's tanh approximation (GPT-2, BERT): gelu(x) = x/2 · (1 + tanh(√(2/π)·(x + 0.044715·x³))).
GELU_SCALE, GELU_CUBIC = 0.7978845608028654, 0.044715
TWO_OVER_SQRT_PI = 1.1283791670955126  # erf'(x) = 2/√π · exp(−x²)


def gelu_vjp(g, ans, a):
    t = call("tanh", GELU_SCALE * (a + GELU_CUBIC * a ** 3))
    return g * (0.5 * (1 + t) + 0.5 * a * (1 - t ** 2) * (GELU_SCALE * (1 + 3 * GELU_CUBIC * a ** 2)))


defvjp("gelu", gelu_vjp)
defvjp("erf", lambda g, ans, a: g * (TWO_OVER_SQRT_PI * call("exp", -a ** 2)))


# -- the rest of the array API's elementwise functions (issue 21) --------------------------------
LN2, LN10 = 0.6931471805599453, 2.302585092994046
defvjp("sin", lambda g, ans, a: g * call("cos", a))
defvjp("cos", lambda g, ans, a: -(g * call("sin", a)))
defvjp("tan", lambda g, ans, a: g * (1 + ans ** 2))
defvjp("sinh", lambda g, ans, a: g * call("cosh", a))
defvjp("cosh", lambda g, ans, a: g * call("sinh", a))
defvjp("arcsin", lambda g, ans, a: g / call("sqrt", 1 - a ** 2))
defvjp("arccos", lambda g, ans, a: -g / call("sqrt", 1 - a ** 2))
defvjp("arctan", lambda g, ans, a: g / (1 + a ** 2))
defvjp("arcsinh", lambda g, ans, a: g / call("sqrt", a ** 2 + 1))
defvjp("arccosh", lambda g, ans, a: g / call("sqrt", a ** 2 - 1))
defvjp("arctanh", lambda g, ans, a: g / (1 - a ** 2))
defvjp("expm1", lambda g, ans, a: g * (ans + 1))
defvjp("log2", lambda g, ans, a: g / (LN2 * a))
defvjp("log10", lambda g, ans, a: g / (LN10 * a))
defvjp("arctan2", lambda g, ans, y, x: g * x / (x ** 2 + y ** 2), lambda g, ans, y, x: -(g * y) / (x ** 2 + y ** 2))
defvjp("hypot", lambda g, ans, a, b: g * a / ans, lambda g, ans, a, b: g * b / ans)
defvjp("logaddexp", lambda g, ans, a, b: g * call("exp", a - ans), lambda g, ans, a, b: g * call("exp", b - ans))
# constant almost everywhere: no gradient flows (casts to integers, rounding, tests, positions)
for _prim in ("floor", "ceil", "trunc", "round", "isnan", "isinf", "isfinite", "argmax", "argmin", "argsort"):
    defvjp(_prim, None)
for _prim in ("eq", "ne"):
    defvjp(_prim, None, None)


# -- linear algebra --------------------------------------------------------------
def mT(e: Expr) -> Expr:
    """The matrix transpose: `.T` for a matrix, the last two axes swapped for a stack of matrices."""
    return e.T if len(e.shape) <= 2 else call("swapaxes", e, axis1=-1, axis2=-2)


def matmul_left(g, ans, a, b):
    ra, rb = len(a.shape), len(b.shape)
    if rb == 1:
        if ra == 1:
            return g * b
        return call("outer", g, b) if ra == 2 else call("expand_dims", g, axis=-1) * b
    if ra == 1:  # a row vector against a (stack of) matrices: g (…, m) contracts with b's columns
        return b @ g if rb == 2 else call("einsum", b, g, spec="...km,...m->...k")
    return g @ mT(b)


def matmul_right(g, ans, a, b):
    ra, rb = len(a.shape), len(b.shape)
    if ra == 1:
        if rb == 1:
            return a * g
        return call("outer", a, g) if rb == 2 else call("expand_dims", a, axis=-1) * call("expand_dims", g, axis=-2)
    if ra >= 3 and rb <= 2:
        # one matrix (or vector) shared by a whole stack: every row of every matrix in the stack is one
        # more example, so the stack flattens into rows: X.reshape(B*T, E).T @ dY.reshape(B*T, F)
        rows = product(a.shape[:-1])
        return shaped(a, (rows, a.shape[-1])).T @ shaped(g, (rows,) + g.shape[len(a.shape) - 1:])
    return mT(a) @ g


defvjp("matmul", matmul_left, matmul_right)


def transpose_vjp(g, ans, a, axes=None):
    if axes is None:
        return g.T  # reversing every axis undoes itself
    order = permutation(None, a.shape, axes)
    return call("transpose", g, axes=tuple(order.index(i) for i in range(len(order))))


defvjp("transpose", transpose_vjp)
defvjp("swapaxes", lambda g, ans, a, axis1, axis2: call("swapaxes", g, axis1=axis1, axis2=axis2))
defvjp("moveaxis", lambda g, ans, a, source, destination: call("moveaxis", g, source=destination,
                                                                   destination=source))
defvjp("expand_dims", lambda g, ans, a, axis: shaped(g, a.shape))
defvjp("broadcast_to", lambda g, ans, a, shape: g)  # the walker sums the copies back (unbroadcast)


def flat(e: Expr) -> Expr:
    return e if len(e.shape) == 1 else call("reshape", e, shape=(product(e.shape),))


def shaped(e: Expr, shape: Shape) -> Expr:
    return e if e.shape == shape else call("reshape", e, shape=shape)


defvjp("outer", lambda g, ans, a, b: shaped(g @ flat(b), a.shape),
       lambda g, ans, a, b: shaped(flat(a) @ g, b.shape))
def diag_vjp(g, ans, a):
    if len(a.shape) == 2 and a.shape[0] != a.shape[1]:
        # g along the diagonal of a non-square matrix: eye(n, m) scaled by row (wide) or by column (tall)
        n, m = a.shape
        wide = n == ONE or (n.is_literal and m.is_literal and n.coeff < m.coeff)
        eye = call("eye", n=n, m=m)
        return eye * shaped(g, (ans.shape[0], ONE)) if wide else eye * g
    return call("diag", g)


defvjp("diag", diag_vjp)
defvjp("reshape", lambda g, ans, a, shape: shaped(g, a.shape))


LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def spelled_out(terms: list[str], output: str, shapes: list[Shape]) -> tuple[list[str], str]:
    """The same einsum with `...` written as letters of its own (right-aligned, as NumPy broadcasts),
    each recalling its dimension where it can (`b` for B)."""
    stacks = [shape[len(t.partition("...")[0]):len(shape) - len(t.partition("...")[2])]
              for t, shape in zip(terms, shapes) if "..." in t]
    depth = max((len(s) for s in stacks), default=0)
    stack = [next((s[len(s) - depth + i] for s in stacks if len(s) >= depth - i and s[len(s) - depth + i] != ONE),
                  ONE) for i in range(depth)]
    taken = set("".join(terms) + output)
    fresh = []
    for d in stack:
        hint = [d.names[0][0].lower()] if len(d.names) == 1 and not d.factors[0].isdigit() else []
        letter = next(c for c in hint + list(LETTERS) if c.isalpha() and c not in taken)
        taken.add(letter)
        fresh.append(letter)

    def spell(term: str, rank: int) -> str:
        return term.replace("...", "".join(fresh[depth - rank:]))
    spelled = [spell(t, len(shape) - len(t.replace("...", ""))) if "..." in t else t
               for t, shape in zip(terms, shapes)]
    return spelled, spell(output, depth)


def einsum_vjp(position: int):
    def rule(g, ans, *operands, spec):
        inputs, output = spec.split("->")
        terms = inputs.split(",")
        mine, operand = terms[position], operands[position]
        if "..." in spec and not (mine.startswith("...") and "..." in output):
            # NumPy cannot sum over what ... stands for: name those axes with letters
            terms, output = spelled_out(terms, output, [o.shape for o in operands])
            mine = terms[position]
        others = [t for i, t in enumerate(terms) if i != position] + [output]
        args = [o for i, o in enumerate(operands) if i != position] + [g]
        lonely = set(mine.replace("...", "")) - set("".join(others))
        grad = mk("einsum", *args, spec=",".join(others) + "->" + "".join(c for c in mine if c not in lonely))
        if not lonely:
            return grad
        # a letter summed within this operand alone: every entry along it gets the same gradient
        kept = tuple(ONE if c in lonely else d for c, d in zip(mine, operand.shape))
        return call("broadcast_to", shaped(grad, kept), shape=operand.shape)
    return rule


defvjp("einsum", *(einsum_vjp(i) for i in range(MAX_EINSUM_OPERANDS)))


def index_vjp(g, ans, a, i):
    row = call("onehot", const(i), n=a.shape[0])
    rank = len(a.shape)
    if rank == 1:
        return g * row
    return call("outer", row, g) if rank == 2 else call("expand_dims", row, axis=tuple(range(1, rank))) * g


defvjp("index", index_vjp)

def getitem_vjp(g: Expr, ans: Expr, a: Expr, *index: Expr, items: tuple) -> Expr:
    """Scatter g back to a's shape, written in the language: a slice contributes an `eye(L, M, k=start)`
    factor, an integer or an index array a `onehot(idx, M)` factor, contracted with g by einsum.
    `P[arange(N), y]` reads back as `c * onehot(y, K)`; through a log it is `c * onehot(y, K) / P`."""
    node = Call("getitem", (a, *index), (("items", items),))
    plan, joint, slots = index_layout(node, a.shape, [i.shape for i in index])
    fresh = iter(LETTERS)
    res = [next(fresh) for _ in slots]
    joint_letters = [res[i] for i, (kind, _) in enumerate(slots) if kind == "joint"]
    src: list[str] = [""] * len(a.shape)
    factors: list[tuple[Expr, str]] = []
    advanced = bool(joint) or any(it[0] == "a" for it, _ in plan)
    for n, (it, axis) in enumerate(plan):
        if axis is None:
            continue
        length = a.shape[axis]
        if it[0] == "s":
            r = res[slots.index(("item", n))]
            size, start = ans.shape[slots.index(("item", n))], it[1] or 0
            if size == length and start == 0:
                src[axis] = r
            else:
                src[axis] = next(fresh)
                factors.append((call("eye", n=size, m=length, k=start), r + src[axis]))
        elif it[0] == "i" and not advanced:
            src[axis] = next(fresh)
            factors.append((call("onehot", const(it[1]), n=length), src[axis]))
        else:
            idx = index[it[1] - 1] if it[0] == "a" else const(it[1])
            if is_call(idx, "arange") and idx.param("n") == length and idx.shape == joint and len(joint) == 1 \
                    and joint_letters[0] not in src:
                src[axis] = joint_letters[0]
                continue
            own = []
            for j, d in enumerate(idx.shape):
                at = len(joint) - len(idx.shape) + j
                own.append(joint_letters[at] if d == joint[at] else next(fresh))
            src[axis] = next(fresh)
            factors.append((call("onehot", idx, n=length), "".join(own) + src[axis]))
    return scatter(g, "".join(res), factors, "".join(src), ans.shape, a)


def scatter(g: Expr, letters: str, factors: list, output: str, sizes, like: Expr) -> Expr:
    """einsum(g, *factors) with g's letters, simplified when g is one number repeated (a mean or a sum)."""
    covered = set("".join(t for _, t in factors))
    if is_call(g, "broadcast_to") and is_scalar(g.args[0]) and set(output) <= covered:
        g = g.args[0]
    if not is_scalar(g) or not set(output) <= covered:
        terms = [letters] + [t for _, t in factors]
        return mk("einsum", g, *(f for f, _ in factors), spec=",".join(terms) + "->" + output)
    scale = g
    for letter, d in zip(letters, sizes):
        if letter not in output and not any(letter in t for _, t in factors):
            scale = scale * dim_expr(d)  # a new axis that is summed away: its length
    if not factors:
        return mk("broadcast_to", scale, shape=like.shape) if output else scale
    if len(factors) == 1 and factors[0][1] == output:
        return scale * factors[0][0]
    return scale * mk("einsum", *(f for f, _ in factors), spec=",".join(t for _, t in factors) + "->" + output)


defvjp("getitem", getitem_vjp)


def setitem_vjp(position: int):
    """`d[index] = v` (or +=, -=, np.add.at) in a forward pass: what was overwritten gets no gradient, the
    assigned values get the gradient of the entries they went to (summed where they were broadcast)."""
    def rule(g, ans, a, value, *index, items, op="set"):
        if op not in ("set", "add", "sub", "add_at"):
            raise TutorError("an assignment into part of an array with *= or /= is not differentiated here; "
                             "write it with where(...)")
        if any(it[0] == "m" for it in items):  # d[mask] = c: a number where the mask holds
            if position == 0:
                return call("where", index[0], const(0), g) if op == "set" else g
            total = call("sum", call("where", index[0], g, const(0)))
            return -total if op == "sub" else total
        picked = mk("getitem", g, *index, items=items)
        if position == 1:
            return -picked if op == "sub" else picked
        if op != "set":
            return g
        return g - getitem_vjp(picked, mk("getitem", a, *index, items=items), a, *index, items=items)
    return rule


defvjp("setitem", setitem_vjp(0), setitem_vjp(1))


# -- reductions ----------------------------------------------------------------
def broadcast_back(g: Expr, a: Expr, axis, keepdims: bool) -> Expr:
    """Spread a reduced gradient over the axes it was reduced from."""
    axes = normalize_axes(None, a.shape, axis)
    kept = tuple(ONE if i in axes else d for i, d in enumerate(a.shape))
    leading = axes == tuple(range(len(axes)))  # NumPy re-expands leading axes by itself
    if not keepdims and not leading:
        g = shaped(g, kept)
    return call("broadcast_to", g, shape=a.shape)


def count(a: Expr, axis) -> Expr:
    axes = normalize_axes(None, a.shape, axis)
    return dim_expr(product(a.shape[i] for i in axes))


defvjp("sum", lambda g, ans, a, axis=None, keepdims=False: broadcast_back(g, a, axis, keepdims))
# the gradient goes to the entries that are the maximum (a >= max(a) holds only there)
defvjp("max", lambda g, ans, a, axis=None, keepdims=False:
       broadcast_back(g, a, axis, keepdims) * (a >= broadcast_back(ans, a, axis, keepdims)))
defvjp("min", lambda g, ans, a, axis=None, keepdims=False:
       broadcast_back(g, a, axis, keepdims) * (a <= broadcast_back(ans, a, axis, keepdims)))
defvjp("norm", lambda g, ans, a: g * a / ans)
defvjp("squeeze", lambda g, ans, a, axis=None: shaped(g, a.shape))
defvjp("mean", lambda g, ans, a, axis=None, keepdims=False: broadcast_back(g / count(a, axis), a, axis, keepdims))
def others_product(a: Expr, axis) -> Expr | None:
    """Each entry's share of a product: the product of the *other* entries along the axis, multiplied out
    rather than divided (prod / a is 0 / 0 at an entry that is exactly 0, as after a ReLU or a mask).
    Along the last axis of b (…, n): prod(where(eye(n) == 1, 1, b[…, None, :]), axis=-1)."""
    axes = normalize_axes(None, a.shape, axis)
    if len(axes) != 1 and len(axes) != len(a.shape):
        return None
    b = call("reshape", a, shape=(product(a.shape),)) if len(axes) != 1 or not a.shape else a
    k = 0 if b is not a else axes[0]
    if k != len(b.shape) - 1:
        b = call("moveaxis", b, source=k, destination=-1)
    n = b.shape[-1]
    off_diagonal = call("eq", call("eye", n=n), const(1))
    others = call("prod", call("where", off_diagonal, const(1), call("expand_dims", b, axis=-2)), axis=-1)
    if k != len(b.shape) - 1:
        others = call("moveaxis", others, source=-1, destination=k)
    return others if b is a else call("reshape", others, shape=a.shape)


def prod_vjp(g, ans, a, axis=None, keepdims=False):
    others = others_product(a, axis)
    if others is None:  # several axes but not all: the share as a quotient (exact away from 0)
        return broadcast_back(g * ans, a, axis, keepdims) / a
    return broadcast_back(g, a, axis, keepdims) * others


defvjp("prod", prod_vjp)


def cumsum_vjp(g, ans, a, axis=None):
    """Each entry counts in every running sum from its place on: the running sum of g taken backwards."""
    if axis is None:
        return shaped(call("flip", call("cumsum", call("flip", g), axis=0)), a.shape)
    return call("flip", call("cumsum", call("flip", g, axis=axis), axis=axis), axis=axis)


defvjp("cumsum", cumsum_vjp)
defvjp("flip", lambda g, ans, a, axis=None: call("flip", g, axis=axis))
defvjp("roll", lambda g, ans, a, shift, axis=None: call(
    "roll", g, shift=tuple(-s for s in shift) if isinstance(shift, tuple) else -shift, axis=axis))


def concatenate_vjp(position: int):
    """The piece of g where operand `position` went: a slice along the joined axis."""
    def rule(g, ans, *arrays, axis=0):
        at = axis % len(ans.shape)
        start = None
        for a in arrays[:position]:
            start = a.shape[at] if start is None else start + a.shape[at]
        stop = arrays[position].shape[at] if start is None else start + arrays[position].shape[at]
        if stop == ans.shape[at]:
            stop = None
        items = tuple(("s", None, None) for _ in range(at)) + (("s", start, stop),)
        return mk("getitem", g, items=items)
    return rule


defvjp("concatenate", *(concatenate_vjp(i) for i in range(MAX_JOINED)))


# -- softmax and cross-entropy (their teacher forms, probs - Y, are fusions: fusions.py) --------
def along(axes: tuple[int, ...], rank: int):
    """The axis parameter a kept sum along `axes` is written with: -1 for the last axis."""
    if len(axes) == 1:
        return axes[0] - rank if axes[0] == rank - 1 else axes[0]
    return axes


def full(g: Expr, like: Expr) -> Expr:
    """g spread to like's shape, so that a sum along an axis counts every copy."""
    return g if g.shape == like.shape else call("broadcast_to", g, shape=like.shape)


def softmax_vjp(g, ans, a, axis=-1):
    axes = normalize_axes(None, a.shape, axis)
    return ans * (g - call("sum", g * ans, axis=along(axes, len(a.shape)), keepdims=True))


def log_softmax_vjp(g, ans, a, axis=-1):
    axes = normalize_axes(None, a.shape, axis)
    return g - call("softmax", a, axis=axis) * call("sum", full(g, ans), axis=along(axes, len(a.shape)), keepdims=True)


defvjp("softmax", softmax_vjp)
defvjp("log_softmax", log_softmax_vjp)
# log(sum(exp(a), axis)) written out and seen whole (forms.py): its gradient is the softmax
defvjp("logsumexp", lambda g, ans, a, axis, keepdims=False:
       broadcast_back(g, a, axis, keepdims) * call("softmax", a, axis=axis - len(a.shape)))
defvjp("cross_entropy", lambda g, ans, y, p: -(g * call("log", p)), lambda g, ans, y, p: -(g * y) / p)
defvjp("onehot", None)
defvjp("eye")


# -- the one place broadcasting is undone ------------------------------------------
def unbroadcast(g: Expr, shape: Shape, build: Builder) -> Expr:
    """Sum g over the axes that broadcasting added or stretched, so it has `shape`; a local gradient
    with fewer axes than its input (cross_entropy(y, p) with y 1×Dy, p Dy) is the same along the
    missing ones, so it is broadcast to the input's shape. `build` makes the sums (a one-hot label
    summed along its axis is 1: `Fusing.sum_along`)."""
    if g.shape == shape:
        return g
    if all(d == ONE for d in shape):
        total = build.mk("sum", g)
        return total if total.shape == shape else build.mk("reshape", total, shape=shape)
    extra = len(g.shape) - len(shape)
    if extra > 0:
        g = build.mk("sum", g, axis=0 if extra == 1 else tuple(range(extra)))
    offset = len(shape) - len(g.shape)  # broadcasting aligns trailing axes
    stretched = tuple(i + offset for i, have in enumerate(g.shape) if shape[i + offset] == ONE and have != ONE)
    if stretched:  # a one-hot target summed along its axis is 1 (sum(Y, axis=1) under scores - lse)
        g = build.sum_along(g, tuple(i - offset for i in stretched), len(g.shape))
    if g.shape != shape:
        g = build.mk("broadcast_to", g, shape=shape)
    assert g.shape == shape, f"gradient of shape {g.shape} for an input of shape {shape}"
    return g
