"""The contraction for an operation on tensors of rank 3 and 4: a batched `@` or an einsum.

Every such operation is an einsum, `out[letters] = Σ Π operand[letters]`, so one account serves
them all. The Jacobian ∂out/∂leaf has an entry for each index of out and each index of the leaf;
it is zero unless the indices they share agree (block-diagonal over those axes), and the
contraction with the incoming gradient sums over every index of out that the leaf does not have
(each example's part adds up). The matrix form is the derivative rule's own formula, so it is
what `derive` prints: `X.reshape(B*T, E).T @ dQ.reshape(B*T, h*d)` when one matrix is shared by a
whole stack.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..engine.simplify.algebra import is_call, mk, simplify
from ..engine.language.dims import ONE, Dim, Shape, format_shape, product
from ..engine.calculus.grad import rule_gradient
from ..engine.idioms.canonical import facts_of
from ..engine.language.ir import Call, Expr, Var, walk
from ..engine.language.printer import code
from ..engine.calculus.vjp import spelled_out

POOL = "ijklmnopqrsuvwxyzabcdefghABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Operations the incoming gradient passes through on its way down to the operation that reads the leaf,
#: without needing their forward value: the gradient there is still written with d<of>.
PASSES = ("add", "sub", "neg", "reshape", "transpose", "swapaxes", "moveaxis", "expand_dims", "broadcast_to")


@dataclass(frozen=True)
class Spec:
    """An operation as an einsum with a letter for every axis, and the size each letter stands for."""

    terms: tuple[str, ...]
    output: str
    sizes: dict


def letter_for(d: Dim, taken: set[str]) -> str:
    """A letter that recalls the dimension (`b` for B, `t` for T), or the next free one."""
    hint = [d.names[0][0].lower()] if len(d.names) == 1 and d.factors == d.names else []  # not for h*d or 4*E
    for c in hint + list(POOL):
        if c.isalpha() and c not in taken:
            taken.add(c)
            return c
    raise ValueError("out of letters")


def matmul_spec(a: Shape, b: Shape, out: Shape) -> tuple[tuple[str, str], str]:
    """NumPy's matmul as an einsum: the stacked axes (right-aligned), then rows, inner, columns."""
    taken: set[str] = set()
    has_rows, has_cols = len(a) >= 2, len(b) >= 2
    stack = out[: len(out) - has_rows - has_cols]
    s = "".join(letter_for(d, taken) for d in stack)
    n = letter_for(a[-2], taken) if has_rows else ""
    k = letter_for(a[-1], taken)
    m = letter_for(b[-1], taken) if has_cols else ""
    def stack_of(shape: Shape) -> str:  # an operand's own stack axes: the last ones of the output's stack
        return s[len(s) - (len(shape) - 2):] if len(shape) > 2 else ""
    return (stack_of(a) + n + k, stack_of(b) + k + m), s + n + m


def spec_of(node: Call) -> Spec:
    shapes = [arg.shape for arg in node.args]
    terms: Sequence[str]
    if node.prim == "matmul":
        terms, output = matmul_spec(shapes[0], shapes[1], node.shape)
    else:
        inputs, output = node.param("spec").split("->")
        terms, output = spelled_out(inputs.split(","), output, shapes)
    sizes: dict[str, Dim] = {}
    for term, shape in zip(terms, shapes):
        for c, d in zip(term, shape):
            if sizes.get(c, ONE) == ONE:
                sizes[c] = d
    return Spec(tuple(terms), output, sizes)


def gradient_at(expr: Expr, target: Call, g: Expr) -> Expr | None:
    """The gradient at `target` inside a definition, written with the definition's own gradient g,
    when only operations that pass it along (+, reshape, transposes, …) stand between them."""
    node = expr
    while node is not target:
        if not (isinstance(node, Call) and node.prim in PASSES):
            return None
        found = [(i, a) for i, a in enumerate(node.args) if any(n is target for n in walk(a))]
        if len(found) != 1:
            return None
        i, child = found[0]
        passed = rule_gradient(node, i, g)
        if passed is None:
            return None
        g = passed
        node = child
    return g


def indexed(name: str, term: str, shape: Shape, rename: dict[str, str] | None = None) -> str:
    """`X[b,t,e]`: the letters of the axes longer than 1 (a unit axis needs no index)."""
    rename = rename or {}
    kept = [rename.get(c, c) for c, d in zip(term, shape) if d != ONE]
    return name + ("[" + ",".join(kept) + "]" if kept else "")


@dataclass(frozen=True)
class TensorParts:
    entries: str
    contraction: str
    einsum: str
    matrix: str
    shapes: str
    operands: tuple[tuple[str, Shape], ...]
    diagonal: tuple[str, ...]       # dimensions over which ∂out/∂leaf is block-diagonal
    summed: tuple[str, ...]         # dimensions of out the contraction adds up over (every example's part)
    flattened: tuple[tuple[str, Shape, Shape], ...]  # stacks drawn as one matrix: name, shape, matrix shape


def tensor_parts(network, of: str, leaf: str, node: Call, position: int) -> TensorParts | None:
    spec = spec_of(node)
    expr = network.definitions[of]
    d_of = Var(f"d{of}", shape=network.shapes[of])
    at_node = gradient_at(expr, node, d_of)
    g_text = code(at_node) if at_node is not None else f"d({code(node)})"
    g_var = at_node if at_node is not None else Var(g_text, shape=node.shape)
    if not isinstance(g_var, Var) and len(g_text) > 60:
        g_text, g_var = f"d({code(node)})", Var(f"d({code(node)})", shape=node.shape)
    mine, out = spec.terms[position], spec.output
    others = [(t, a) for i, (t, a) in enumerate(zip(spec.terms, node.args)) if i != position]
    sizes = spec.sizes
    real = lambda c: sizes.get(c, ONE) != ONE  # noqa: E731 - a letter of length 1 needs no index or sum
    used = set("".join(spec.terms) + out)
    fresh = iter(c for c in POOL if c not in used)
    rename = {c: next(fresh) for c in out if c in mine}
    title = of if at_node is not None and at_node == d_of else f"({code(node)})"
    inner = sorted({c for t, _ in others for c in t if c not in out and c not in mine and real(c)})
    factors = [indexed(operand_name(a), t, a.shape, rename) for t, a in others]
    deltas = [f"[{rename[c]} = {c}]" for c in out if c in mine and real(c)]
    product_text = " · ".join(factors + deltas) or "1"
    entries = (f"∂{title}{indexed('', out, node.shape, rename)}/∂{leaf}{indexed('', mine, node.args[position].shape)}"
               f" = " + (f"Σ_{''.join(inner)} " if inner else "") + product_text)
    summed = [c for c in out if c not in mine and real(c)]
    every = [rename.get(c, c) for c in out if real(c)]
    g_name = g_text if isinstance(g_var, Var) else "g"
    plain = " · ".join([indexed(g_name, out, node.shape)] + [indexed(operand_name(a), t, a.shape) for t, a in others])
    at_leaf = f"{leaf}{indexed('', mine, node.args[position].shape)}"
    contraction = (f"∂J/∂{at_leaf} = " + (f"Σ_{''.join(every)} " if every else "")
                   + f"{indexed(g_name, out, node.shape, rename)} · ∂{title}{indexed('', out, node.shape, rename)}"
                   + f"/∂{at_leaf} = " + (f"Σ_{''.join(summed + inner)} " if summed or inner else "") + plain)
    if g_name == "g":
        contraction += f"   (g = {g_text}, the gradient at {code(node)})"
    einsum = ""
    leaf_shape = node.args[position].shape
    if all(sizes[c] == d or d != ONE for c, d in zip(mine, leaf_shape)):  # no broadcast axis of length 1
        terms = [t for t, _ in others] + [out]
        args = [code(a) for _, a in others] + [g_text]
        if position == 0:
            terms, args = terms[-1:] + terms[:-1], args[-1:] + args[:-1]
        einsum = f"np.einsum('{','.join(terms)}->{mine}', {', '.join(args)})"
    matrix_expr = local_rule(network, node, position, g_var)
    matrix = code(matrix_expr) if matrix_expr is not None else ""
    shapes, operands, flattened = matrix_shapes(matrix_expr, leaf_shape)
    return TensorParts(entries, contraction, einsum, matrix, shapes, operands,
                       tuple(f"{c} ({sizes[c]})" for c in out if c in mine and real(c)),
                       tuple(f"{c} ({sizes[c]})" for c in summed), flattened)


def operand_name(e: Expr) -> str:
    text = code(e)
    return text if isinstance(e, Var) else f"({text})"


def local_rule(network, node: Call, position: int, g: Expr) -> Expr | None:
    """The derivative rule's formula for the leaf through this one operation."""
    return rule_gradient(node, position, g, facts_of(network))


def matrix_shapes(e: Expr | None, leaf_shape: Shape):
    """`(E×B*T)(B*T×h*d) = E×h*d`, the matrix product's two operands, and the stacks flattened into them."""
    total = ""
    if e is not None and is_call(e, "sum") and is_call(e.args[0], "matmul"):
        axes = e.param("axis")
        total = " summed over the stacked axis " + str(axes)
        e = e.args[0]
    while is_call(e, "neg"):
        e = e.args[0]
    if e is None or not is_call(e, "matmul"):
        return "", (), ()
    a, b = e.args
    operands = tuple((code(x), x.shape) for x in (a, b))
    flattened = tuple((code(flat.args[0]), flat.args[0].shape, flat.shape) for flat in map(reshaped, (a, b))
                      if flat is not None)
    text = f"({format_shape(a.shape)})({format_shape(b.shape)}) = {format_shape(e.shape)}{total}"
    if total:
        text += f" = {format_shape(leaf_shape)}"
    return text, operands, flattened


def reshaped(e: Expr) -> Call | None:
    """The reshape that flattens a stack into a matrix, in `X.reshape(B*T, E)` or `X.reshape(B*T, E).T`."""
    if is_call(e, "transpose"):
        e = e.args[0]
    if is_call(e, "reshape") and len(e.args[0].shape) > len(e.shape):
        return e
    return None


def gather_parts(network, of: str, leaf: str, node: Call) -> TensorParts | None:
    """`Emb[tokens]`: rows of a table picked by an integer array. Its Jacobian is a one-hot pattern,
    so the contraction scatters each position's gradient back to the row it came from."""
    if node.param("items") != (("a", 1),):  # a slice (theta[1:]) or a plain index is not a gather
        return None
    table, index = node.args
    if not isinstance(index, Var) or index.name not in network.labels:
        return None
    expr = network.definitions[of]
    d_of = Var(f"d{of}", shape=network.shapes[of])
    at_node = gradient_at(expr, node, d_of)
    if at_node is None:
        return None
    g_text = code(at_node)
    taken: set[str] = set()
    pos = "".join(letter_for(d, taken) for d in index.shape)
    row = letter_for(table.shape[0], taken)
    rest = "".join(letter_for(d, taken) for d in table.shape[1:])
    primed = {c: next(c2 for c2 in POOL if c2 not in taken | set(pos + row + rest)) for c in rest}
    taken |= set(primed.values())
    n = table.shape[0]
    hot = f"onehot({index.name}, {n})"
    at = lambda letters: "[" + ",".join(letters) + "]" if letters else ""  # noqa: E731
    deltas = "".join(f" · [{primed[c]} = {c}]" for c in rest)
    entries = (f"∂{of if at_node == d_of else '(' + code(node) + ')'}{at(pos + ''.join(primed.values()))}"
               f"/∂{leaf}{at(row + rest)} = [{index.name}{at(pos)} = {row}]{deltas}")
    g_name = g_text if isinstance(at_node, Var) else "g"
    contraction = (f"∂J/∂{leaf}{at(row + rest)} = Σ_{pos} [{index.name}{at(pos)} = {row}] · {g_name}{at(pos + rest)}"
                   f": row {row} collects the gradient of every position that holds {row}")
    if g_name == "g":
        contraction += f"   (g = {g_text}, the gradient at {code(node)})"
    einsum = f"np.einsum('{pos}{row},{pos}{rest}->{row}{rest}', {hot}, {g_text})"
    positions = product(index.shape)
    onehot = mk("onehot", index, n=n)
    flat_hot = mk("reshape", onehot, shape=(positions, n))
    flat_g = mk("reshape", at_node, shape=(positions,) + tuple(table.shape[1:]))
    matrix_expr = simplify(flat_hot.T @ flat_g) if len(table.shape) == 2 else None
    if matrix_expr is None:
        return TensorParts(entries, contraction, einsum, "", "", (), (), tuple(f"{c} ({d})" for c, d in
                                                                              zip(pos, index.shape)), ())
    shapes, operands, flattened = matrix_shapes(matrix_expr, table.shape)
    return TensorParts(entries, contraction, einsum, code(matrix_expr), shapes, operands,
                       tuple(f"{c} ({d})" for c, d in zip(rest, table.shape[1:])),
                       tuple(f"{c} ({d})" for c, d in zip(pos, index.shape)), flattened)
