"""Kronecker and vec forms as posts write them: `\\frac{\\partial J}{\\partial \\mathrm{vec}(W)} = \\delta^T (a^T
\\otimes I_m)`, `\\frac{\\partial \\mathrm{vec}(z)}{\\partial \\mathrm{vec}(W)} = x^T \\otimes I`.

`vec` stacks a matrix's columns into one column (the convention of matrix calculus texts, Magnus and
Neudecker's); `A ⊗ B` is the Kronecker product, written in the network language with `einsum` and a
`reshape`; `I`, `I_m`, `I_{mm}` is an identity matrix, whose size a product beside it decides when it is not
written. A gradient claimed with respect to vec(W) is W's gradient stacked by columns: it is put back into
W's shape by undoing that stacking, and judged as the gradient.
"""
from __future__ import annotations

import re

from ..engine.language.dims import ONE, Dim, Shape, format_shape
from .grammar import M
from .translate import ATOM, POSTFIX, READINGS, Translation, Translator

#: How an identity matrix is written: I, Id, I_m, I_{mm}, I_{m \times m}, I_{m*m} (the subscript read into the name).
IDENTITY = re.compile(r"(?:I|Id)(?P<size>[A-Za-z]\w*?)?(?:\\times|\*|x)?(?P=size)?")


def identity_size(translate: Translator, m: M) -> tuple[bool, Dim | None]:
    """Whether `m` is an identity matrix the network does not name otherwise, and its size when written."""
    if m.kind != "name" or translate.names.resolve(str(m.value)) is not None:
        return False, None
    found = IDENTITY.fullmatch(str(m.value).replace(" ", ""))
    if found is None:
        return False, None
    size = found.group("size")
    if size is None:
        return True, None
    dim = translate.names.resolve(size)
    if dim is None or dim not in translate.names.dims:
        return False, None
    return True, Dim.symbol(dim)


def as_matrix(t: Translation) -> Translation:
    """A vector of one axis as the column it stands for in matrix calculus."""
    if t.shape is not None and len(t.shape) == 1:
        return Translation(f"{translate_wrap(t)}[:, None]", (t.shape[0], ONE), POSTFIX)
    return t


def translate_wrap(t: Translation) -> str:
    return f"({t.code})" if t.prec < POSTFIX else t.code


def kronecker(translate: Translator, m: M, rows: Dim | None = None) -> Translation:
    """A ⊗ B: the block matrix whose block (i, j) is A[i, j] B. An identity whose size is not written takes
    the size that makes the product's rows `rows` (the columns of what multiplies it from the left)."""
    sides: list[Translation | None] = []
    unsized = []
    for side in m.args:
        is_identity, size = identity_size(translate, side)
        if is_identity and size is None:
            sides.append(None)
            unsized.append(side)
        elif is_identity and size is not None:
            sides.append(Translation(f"eye({size})", (size, size), ATOM))
        else:
            sides.append(as_matrix(translate.go(side)))
    known = [s for s in sides if s is not None]
    if any(s.shape is None or len(s.shape) != 2 for s in known):
        raise translate.error("a Kronecker product ⊗ needs two matrices (or vectors) whose shapes are known",
                              "A \\otimes B with A and B matrices of the network")
    if unsized:
        other = known[0].shape if len(known) == 1 else None
        size = rows.divide(other[0]) if rows is not None and other is not None else None
        if size is None:
            raise translate.error("the size of the identity I in a Kronecker product is not written, and no product "
                                  "beside it tells it", "I_m, with m the identity's size")
        translate.note(f"I in the Kronecker product read as the {size}×{size} identity: the product beside it needs "
                       f"{rows} rows")
        sides = [s if s is not None else Translation(f"eye({size})", (size, size), ATOM) for s in sides]
    a, b = sides[0], sides[1]
    assert a is not None and b is not None and a.shape is not None and b.shape is not None
    (p, q), (r, s) = a.shape, b.shape
    shape: Shape = (p * r, q * s)
    translate.note(f"⊗ read as the Kronecker product of {format_shape(a.shape)} and {format_shape(b.shape)}: "
                   f"a {format_shape(shape)} matrix")
    return Translation(f"einsum('ij,kl->ikjl', {a.code}, {b.code}).reshape({p * r}, {q * s})", shape, POSTFIX)


def vec(translate: Translator, t: Translation) -> Translation:
    """vec(X): X's columns stacked into one column."""
    t = as_matrix(t)
    if t.shape is None or len(t.shape) != 2:
        raise translate.error("vec(…) stacks the columns of a matrix: its argument's shape must be known",
                              "vec(W) with W a matrix of the network")
    p, q = t.shape
    if q == ONE:
        return t
    return Translation(f"{translate_wrap(t)}.T.reshape({p * q}, 1)", (p * q, ONE), POSTFIX)


def unvec(translate: Translator, t: Translation, leaf: str, shape: Shape) -> Translation:
    """A gradient claimed with respect to vec(W), put back into W's shape by undoing the stacking of columns."""
    if len(shape) != 2:
        return t
    p, q = shape
    if t.shape is not None and [d for d in t.shape if d != ONE] != [p * q]:   # unknown: the judge shows where it fails
        raise translate.error(f"∂/∂vec({leaf}) is a vector of {p * q} entries, but the right side is "
                              f"{format_shape(t.shape)}",
                              f"a row or a column of {p * q} entries")
    code = f"{translate_wrap(t)}.reshape({q}, {p}).T"
    translate.note(f"∂/∂vec({leaf}) read as the gradient stacked by columns (vec): put back into {leaf}'s shape, "
                   f"{format_shape(shape)}, by undoing that stacking: {code}")
    return Translation(code, shape, POSTFIX)


def is_vec(m: M) -> bool:
    return m.kind == "call" and m.value == "vec" and len(m.args) == 1


def vectorised(m: M) -> bool:
    """Whether a product of ∂-factors is written in vec form: a factor with respect to vec(W)."""
    return any(p.kind == "partial" and is_vec(p.args[1]) for p in m.parts("partial"))


def kronecker_product(translate: Translator, m: M) -> Translation:
    """A ⊗ B, or a product whose right factor is one (δᵀ (aᵀ ⊗ I): the product sizes an unsized I)."""
    if m.kind == "kron":
        return kronecker(translate, m)
    a = translate.go(m.args[0])
    rows = a.shape[-1] if a.shape else None
    return translate.joined(a, kronecker(translate, m.args[1], rows), m.written if m.kind == "prod" else "@")


READINGS["kron"] = kronecker_product
READINGS["vec"] = vec
