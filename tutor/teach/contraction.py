"""Why the last factor is not a matrix, and how contracting with it gives the gradient.

For the operation that reads the leaf directly (a matmul, a broadcast add,
an elementwise product), this writes the entries of its generalized Jacobian
in index notation, the contraction with the incoming gradient, the einsum that
computes it, and the matrix form it rearranges into (the outer product xᵀ·dz1).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..engine.language.dims import ONE, Shape, format_shape
from ..engine.language.ir import Call, Expr, Var, walk
from ..engine.language.network import Network
from ..engine.language.printer import code
from .stacked import TensorParts, gather_parts, tensor_parts


@dataclass(frozen=True)
class Contraction:
    leaf: str
    of: str
    op: str                      # the primitive that reads the leaf: "matmul", "add", ...
    entries: str                 # ∂z1[k]/∂W1[i,j] = x[i]·[k = j]
    contraction: str             # ∂J/∂W1[i,j] = Σ_k dz1[k] · x[i]·[k = j] = x[i]·dz1[j]
    einsum: str                  # np.einsum('i,j->ij', x[0], dz1[0])
    matrix: str                  # x.T @ dz1
    shapes: str                  # (Dx×1)(1×H) = Dx×H
    outer_product: bool          # the matrix form is a column times a row
    operands: tuple[tuple[str, Shape], ...] = ()  # the blocks of the picture: name, shape
    diagonal: tuple[str, ...] = ()   # dimensions over which the Jacobian is block-diagonal
    summed: tuple[str, ...] = ()     # dimensions of the output that the contraction adds up over
    flattened: tuple[tuple[str, Shape, Shape], ...] = ()  # stacks drawn as one matrix: name, shape, as a matrix


def delta(of: str) -> str | None:
    """The textbook's name for ∂J/∂z1: δ1 (Δ1 for a batch's Z1), for names that end in a layer number."""
    if not of[-1:].isdigit() or not of[:1].isalpha():
        return None
    return ("Δ" if of[0].isupper() else "δ") + of[-1]


def textbook(c: "Contraction") -> str:
    """The matrix form as a textbook writes it: x.T @ dz1 → xᵀδ1."""
    text = c.matrix
    name = delta(c.of)
    if name is not None:
        text = re.sub(rf"\bd{re.escape(c.of)}\b", name, text)
    text = text.replace(".T", "ᵀ")
    return re.sub(r"(ᵀ?) @ ", lambda m: m.group(1) or " ", text)  # xᵀδ1, δ1 xᵀ


def reader_of(expr: Expr, leaf: str) -> tuple[Call, int] | None:
    """The operation that takes the leaf as a direct argument, and which argument it is."""
    for node in walk(expr):
        if isinstance(node, Call):
            for i, arg in enumerate(node.args):
                if isinstance(arg, Var) and arg.name == leaf:
                    return node, i
    return None


def passes_gradient_through(expr: Expr, target: Call) -> bool:
    """True when only + and - stand between `target` and the whole expression."""
    node: Expr | None = expr
    while node is not target:
        if not (isinstance(node, Call) and node.prim in ("add", "sub")):
            return False
        node = next((a for a in node.args if any(n is target for n in walk(a))), None)
        if node is None:
            return False
    return True


def explain(network: Network, of: str, leaf: str) -> Contraction | None:
    expr = network.definitions[of]
    found = reader_of(expr, leaf)
    if found is None:
        return None
    node, position = found
    g = f"d{of}" if passes_gradient_through(expr, node) else f"d({code(node)})"
    if node.prim == "getitem" and position == 0:
        parts = gather_parts(network, of, leaf, node)
        return None if parts is None else from_parts(leaf, of, node, parts)
    if node.prim == "einsum" or (node.prim == "matmul" and max(len(a.shape) for a in node.args) > 2):
        return stacked(network, of, leaf, node, position)
    if node.prim == "matmul":
        return matmul(network, of, leaf, node, position, g)
    if node.prim in ("add", "sub") and network.shapes[leaf] != node.shape:
        return broadcast_add(network, of, leaf, node, g)
    return None


def idx(letters: str, shape: Shape) -> tuple[str, str]:
    """Index letters for the axes longer than 1 (a unit axis needs no index)."""
    kept = "".join(letter for letter, d in zip(letters, shape) if d != ONE)
    return kept, ("[" + ",".join(kept) + "]") if kept else ""


def as_block(shape: Shape, column: bool) -> Shape:
    """A vector drawn as a column or a row; a matrix as itself."""
    if len(shape) == 2:
        return shape
    if not shape:
        return (ONE, ONE)
    return (shape[0], ONE) if column else (ONE, shape[0])


def matmul(network: Network, of: str, leaf: str, node: Call, position: int, g: str) -> Contraction:
    """C = A @ B: C[a,c] = Σ_i A[a,i]·B[i,c]. Letters are dropped for unit axes."""
    a_expr, b_expr = node.args
    ra, rb = len(a_expr.shape), len(b_expr.shape)
    other = b_expr if position == 0 else a_expr
    name = code(other) if isinstance(other, Var) else f"({code(other)})"
    if position == 1:      # the leaf is B
        other_letters = "ai" if ra == 2 else "i"
        leaf_letters = "ij" if rb == 2 else "i"
        entry_c = ("a" if ra == 2 else "") + ("k" if rb == 2 else "")
        delta = ("k", "j") if rb == 2 else None
    else:                  # the leaf is A
        other_letters = "jc" if rb == 2 else "j"
        leaf_letters = "ij" if ra == 2 else "j"
        entry_c = ("k" if ra == 2 else "") + ("c" if rb == 2 else "")
        delta = ("k", "i") if ra == 2 else None
    result_c = entry_c.replace("k", delta[1]) if delta else entry_c
    out, leaf_shape, other_shape = node.shape, network.shapes[leaf], other.shape
    o_idx, l_idx = idx(other_letters, other_shape), idx(leaf_letters, leaf_shape)
    e_idx, r_idx = idx(entry_c, out), idx(result_c, out)
    kept_delta = delta if delta and delta[0] in e_idx[0] and delta[1] in l_idx[0] else None
    factor = f"{name}{o_idx[1]}"
    if position == 1:
        entries = f"{factor}" + (f" · [{kept_delta[0]} = {kept_delta[1]}]" if kept_delta else "")
        terms = f"{factor} · {g}{r_idx[1]}"
        args = f"{code(other)}, {g}"
    else:
        entries = (f"[{kept_delta[0]} = {kept_delta[1]}] · " if kept_delta else "") + factor
        terms = f"{g}{r_idx[1]} · {factor}"
        args = f"{g}, {code(other)}"
    summed = "".join(sorted(set(o_idx[0]) & set(r_idx[0]) - set(l_idx[0])))
    # The einsum keeps every axis (unit ones too), so it runs on the arrays as they are.
    full_spec = f"{other_letters},{result_c}->{leaf_letters}" if position == 1 else \
        f"{result_c},{other_letters}->{leaf_letters}"
    g_var = Var(g, shape=out)
    if position == 1:
        matrix = code(other.T @ g_var) if ra == 2 else (f"outer({code(other)}, {g})" if rb == 2 else code(other * g_var))
        left, right = as_block(other_shape[::-1], column=True), as_block(out, column=ra == 2)
        blocks = ((code(other.T) if ra == 2 else code(other), left), (g, right))
    else:
        matrix = code(g_var @ other.T) if rb == 2 else (f"outer({g}, {code(other)})" if ra == 2 else code(g_var * other))
        left = as_block(out, column=ra == 2)
        right = other_shape[::-1] if rb == 2 else as_block(other_shape, column=False)
        blocks = ((g, left), (code(other.T) if rb == 2 else code(other), right))
    outer_product = left[1] == ONE and right[0] == ONE and left[0] != ONE and right[1] != ONE
    return Contraction(
        leaf, of, "matmul",
        entries=f"∂{of}{e_idx[1]}/∂{leaf}{l_idx[1]} = {entries}",
        contraction=f"∂J/∂{leaf}{l_idx[1]} = " + (f"Σ_{e_idx[0]} " if e_idx[0] else "")
                    + f"{g}{e_idx[1]} · ∂{of}{e_idx[1]}/∂{leaf}{l_idx[1]} = "
                    + (f"Σ_{summed} " if summed else "") + terms,
        einsum=f"np.einsum('{full_spec}', {args})",
        matrix=matrix,
        shapes=f"({format_shape(left)})({format_shape(right)}) = {format_shape(leaf_shape)}",
        outer_product=outer_product, operands=blocks)


def broadcast_add(network: Network, of: str, leaf: str, node: Call, g: str) -> Contraction:
    leaf_shape, out_shape = network.shapes[leaf], node.shape
    extra = len(out_shape) - len(leaf_shape)
    stretched = [i for i in range(len(out_shape))
                 if i < extra or (leaf_shape[i - extra] == ONE and out_shape[i] != ONE)]
    names = "abcd"
    leaf_letters = "".join("j" if i == len(out_shape) - 1 else names[i] for i in range(extra, len(out_shape)))
    out_letters = "".join("j" if i == len(out_shape) - 1 else names[i] for i in range(len(out_shape)))
    summed = [out_letters[i] for i in stretched if out_shape[i] != ONE]
    out_idx, leaf_idx = idx(out_letters, out_shape), idx(leaf_letters, leaf_shape)
    sigma = ("Σ_" + "".join(summed) + " ") if summed else ""
    axes = tuple(stretched)
    axis_text = str(axes[0]) if len(axes) == 1 else str(axes)
    return Contraction(
        leaf, of, "add",
        entries=f"∂{of}{out_idx[1]}/∂{leaf}{leaf_idx[1]} = 1 where the indices agree ({leaf} is broadcast "
                f"over axis {axis_text})",
        contraction=f"∂J/∂{leaf}{leaf_idx[1]} = {sigma}{g}{out_idx[1]}",
        einsum=f"np.einsum('{out_letters}->{leaf_letters}', {g})",
        matrix=f"sum({g}, axis={axis_text})",
        shapes=f"{format_shape(out_shape)} summed over axis {axis_text} = {format_shape(leaf_shape)}",
        outer_product=False, operands=((g, out_shape),))


def stacked(network: Network, of: str, leaf: str, node: Call, position: int) -> Contraction | None:
    """A batched `@` or an einsum: the account in `stacked`, for operands of any rank."""
    parts = tensor_parts(network, of, leaf, node, position)
    return None if parts is None else from_parts(leaf, of, node, parts)


def from_parts(leaf: str, of: str, node: Call, parts: TensorParts) -> Contraction:
    (left, ls), (right, rs) = parts.operands if len(parts.operands) == 2 else ((None, ()), (None, ()))
    outer = len(ls) == 2 and len(rs) == 2 and ls[1] == ONE and rs[0] == ONE
    return Contraction(leaf, of, node.prim, parts.entries, parts.contraction, parts.einsum, parts.matrix,
                       parts.shapes, outer, parts.operands, parts.diagonal, parts.summed, parts.flattened)
