"""A gradient written entry by entry: `∂J/∂W_{ij} = x_i δ_j`, `∂C/∂w^l_{jk} = a^{l-1}_k δ^l_j`,
`∂J/∂W_{ij} = \\frac{1}{N}\\sum_n X_{ni} Δ_{nj}`, `∂J/∂b_j = δ_j`.

Such an equation defines a whole matrix: its entry (i, j) for every i and j. It is read as that matrix,
put in matrix form where it is an outer product of two vectors (`x.T @ dz1`) and as an `einsum` otherwise,
with the left side's indices as the result's axes, in their order. Indices that go wrong show in the
result: `x_j δ_i` for W_{ij} is the transpose, and is judged so. Each array's subscripts name its axes in
order (an axis of length 1, as in a row or a column, takes none); an index of a product that the left side
does not have is summed, as Σ says.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..engine.language.dims import ONE, Shape
from .grammar import M
from . import kronecker  # noqa: F401  (registers the readings of ⊗ and vec before a Translator needs them)
from .translate import ATOM, MUL, Translation, Translator

#: Letters an einsum may use for the axes of length 1 that carry no index (they are summed away).
SPARE = "zyxwvutsrqpo"


@dataclass(frozen=True)
class Indexed:
    """An array with a letter for each of its axes (None for an axis of length 1)."""

    code: str
    shape: Shape
    axes: tuple[str | None, ...]

    @property
    def letters(self) -> tuple[str, ...]:
        return tuple(a for a in self.axes if a is not None)


class NotEntrywise(Exception):
    """The right side is not written by index: it is read as a matrix expression instead."""


def entry_letters(lhs: M) -> str:
    """The indices of a claim about one entry: `ij` of ∂J/∂W_{ij}, `j` of ∂J/∂b_j or of δ_j; empty otherwise."""
    claimed = lhs.args[1] if lhs.kind == "partial" else lhs
    if claimed.kind != "name":
        return ""
    index = claimed.index.replace(",", "").replace(" ", "")
    return index if index.isalpha() and index.islower() and len(set(index)) == len(index) <= 2 else ""


def entrywise(translate: Translator, value: M, letters: str, target: Shape) -> Translation | None:
    """The matrix an equation written entry by entry defines, or None when its right side has no index."""
    if not any(m.index for m in value.parts("name")):
        return None
    if len([d for d in target if d != ONE]) != len(letters):
        return None
    try:
        terms = [(sign, coefficient, factors) for sign, coefficient, factors in signed_terms(translate, value, 1)]
    except NotEntrywise:
        return None
    codes = []
    for sign, coefficient, factors in terms:
        missing = [c for c in letters if not any(c in f.letters for f in factors)]
        if missing:
            raise translate.error(f"the index {missing[0]} of the entry being claimed appears in no factor of the "
                                  "right side", "every index of the left side on the right (∂J/∂W_{ij} = x_i δ_j)")
        code = matrix(factors, letters, target)
        if coefficient:
            code = f"{coefficient} * {code}"
        codes.append(("- " if sign < 0 else "+ ") + code)
    text = " ".join(codes)
    text = text[2:] if text.startswith("+ ") else "-" + text[2:]
    translate.note(f"the entries written by index ({letters}) read as the whole matrix: {text}")
    return Translation(text, target, MUL if len(codes) == 1 else 1)


def signed_terms(translate: Translator, m: M, sign: int):
    """The terms of a sum, each as (sign, its scalar coefficient as code, its indexed factors)."""
    if m.kind in ("add", "sub"):
        yield from signed_terms(translate, m.args[0], sign)
        yield from signed_terms(translate, m.args[1], sign if m.kind == "add" else -sign)
        return
    if m.kind == "neg":
        yield from signed_terms(translate, m.args[0], -sign)
        return
    scalars: list[str] = []
    factors: list[Indexed] = []
    for part in product_parts(m):
        t = translate.go(part) if not carries_index(part) else None
        if t is not None and t.shape == ():
            scalars.append(translate.wrap(t, MUL + 1))
            continue
        factors.append(indexed(translate, part))
    if not factors:
        raise NotEntrywise
    yield sign, " * ".join(scalars), factors


def product_parts(m: M) -> list[M]:
    """The factors of a product (·, juxtaposition, ∘, a Σ's summand, a division by a number)."""
    if m.kind in ("prod", "had", "matmul"):
        return product_parts(m.args[0]) + product_parts(m.args[1])
    if m.kind == "sum" and m.index:
        return product_parts(m.args[0])
    if m.kind == "div" and not carries_index(m.args[1]):
        return product_parts(m.args[0]) + [M("div", (M("num", value=1.0), m.args[1]))]
    return [m]


def carries_index(m: M) -> bool:
    return any(p.index for p in m.parts("name"))


def indexed(translate: Translator, m: M) -> Indexed:
    """One factor with its axes' letters: a name with its subscripts, or an elementwise function of one
    (σ′(z_j), e^{z_j}, a_j − y_j), whose axes are its argument's."""
    if m.kind == "name" and m.index:
        t = translate.go(M("name", value=m.value, pos=m.pos, written=m.written))
        letters = m.index.replace(",", "").replace(" ", "")
        if t.shape is None or not letters.isalpha():
            raise NotEntrywise
        axes: list[str | None] = []
        rest = list(letters)
        for d in t.shape:
            axes.append(None if d == ONE or not rest else rest.pop(0))
        if rest:
            raise NotEntrywise
        return Indexed(translate.wrap(t, ATOM), t.shape, tuple(axes))
    inner = [p for p in m.parts("name") if p.index]
    if not inner or len({p.index for p in inner}) != 1:
        raise NotEntrywise
    bare = strip_indices(m)
    t = translate.go(bare)
    first = indexed(translate, inner[0])
    if t.shape != first.shape:
        raise NotEntrywise
    return Indexed(translate.wrap(t, ATOM), t.shape, first.axes)


def strip_indices(m: M) -> M:
    if m.kind == "name":
        return M("name", value=m.value, pos=m.pos, written=m.written)
    return M(m.kind, tuple(strip_indices(a) if isinstance(a, M) else a for a in m.args), m.value, m.pos, m.written,
             "", m.bound)


def matrix(factors: list[Indexed], letters: str, target: Shape) -> str:
    """The array whose entries the product of the factors gives, its axes in the order of `letters`, in the
    target's shape: an outer product in matrix form where it is one, an einsum otherwise."""
    if len(factors) == 1 and factors[0].letters == tuple(letters) and factors[0].shape == target:
        return factors[0].code   # ∂C/∂b_j = δ_j: the vector itself
    if len(letters) == 2 and len(factors) == 2 and all(len(f.letters) == 1 for f in factors) \
            and {f.letters[0] for f in factors} == set(letters) and len(target) == 2:
        first, second = sorted(factors, key=lambda f: letters.index(f.letters[0]))
        return f"{column(first)} @ {row(second)}"
    spare = iter(c for c in SPARE if all(c not in f.letters for f in factors) and c not in letters)
    subscripts = ["".join(a if a is not None else next(spare) for a in f.axes) for f in factors]
    code = f"einsum('{','.join(subscripts)}->{letters}', {', '.join(f.code for f in factors)})"
    if len(target) > len(letters):   # a row or a column: the axis of length 1 put back
        code += "[None, :]" if target[0] == ONE else "[:, None]"
    return code


def column(f: Indexed) -> str:
    if len(f.shape) == 1:
        return f"{f.code}[:, None]"
    return f.code if f.shape[1] == ONE else f"{f.code}.T"


def row(f: Indexed) -> str:
    if len(f.shape) == 1:
        return f"{f.code}[None, :]"
    return f.code if f.shape[0] == ONE else f"{f.code}.T"
