"""A network written by index: `z_j = \\sum_k w_{jk} x_k + b_j`, `a_j = \\sigma(z_j)`, `z^l_j = \\sum_k w^l_{jk}
a^{l-1}_k + b^l_j`.

A definition whose left side is one entry (`z_j`) defines the whole vector: each `\\sum_k` of a matrix's entry
times a vector's entry is the matrix product it spells, and every other name written with the left side's
index is the whole vector. `\\sum_k w_{jk} x_k` (the matrix's second index summed) is `w x`, the matrix taking
columns; `\\sum_k x_k w_{kj}` or `\\sum_k w_{kj} x_k` (its first index summed) is `x w`, the matrix taking rows.
The rewrite is made before the post is read, so the network is read in matrix form; it is said.
"""
from __future__ import annotations

import re

#: A name as posts write it, with a layer superscript before or after its indices: w, \mathbf{W}, w^{[2]}, \hat{y}.
BASE = r"(?:\\(?:mathbf|boldsymbol|bm|hat)\{[A-Za-z]\}|[A-Za-z])"
SUP = r"(?:\^\{[^{}]*\}|\^[A-Za-z0-9])"
SUM = r"\\sum_\{?\s*(?P<s>[a-z])(?:\s*=\s*\w+)?\s*\}?(?:\^\{(?:[^{}]|\{[^{}]*\})*\}|\^\w)?\s*"
MATRIX = rf"(?P<m>{BASE}{SUP}?)_\{{\s*(?P<a>[a-z])\s*,?\s*(?P<b>[a-z])\s*\}}(?P<m_sup>{SUP})?"
VECTOR = rf"(?P<v>{BASE}{SUP}?)_\{{?\s*(?P<c>[a-z])\s*\}}?(?P<v_sup>{SUP})?"
#: Σ_k A_{jk} v_k and Σ_k v_k A_{jk} (the matrix's second index summed: A v); Σ_k A_{kj} v_k and Σ_k v_k A_{kj}
#: (its first index summed: v A).
PRODUCTS = [re.compile(SUM + MATRIX + r"\s*(?:\\cdot\s*)?" + VECTOR),
            re.compile(SUM + VECTOR + r"\s*(?:\\cdot\s*)?" + MATRIX)]
#: `z_j = …`, `z^{[2]}_j = …`, `\hat{y}_j = …`: a definition of one entry.
DEFINITION = re.compile(rf"^\s*(?P<lhs>{BASE}{SUP}?)_\{{?\s*(?P<j>[a-z])\s*\}}?(?P<lhs_sup>{SUP})?\s*=(?P<rhs>[^=]*)$", re.S)


def matrix_form(text: str, products: list[tuple[str, str, bool]] | None = None) -> str | None:
    """An entry's definition in matrix form, or None when `text` is not one. Each matrix product made is added
    to `products`: (the matrix, the vector, whether the matrix is on the left)."""
    found = DEFINITION.match(text)
    if found is None:
        return None
    j = found.group("j")
    rhs = found.group("rhs")
    made: list[tuple[str, str, bool]] = []

    def product(m: re.Match) -> str:
        summed, a, b = m.group("s"), m.group("a"), m.group("b")
        if m.group("c") != summed:
            return m.group()
        matrix = m.group("m") + (m.group("m_sup") or "")
        vector = m.group("v") + (m.group("v_sup") or "")
        if a == j and b == summed:
            made.append((matrix, vector, True))
            return f"{matrix} {vector}"
        if b == j and a == summed:
            made.append((matrix, vector, False))
            return f"{vector} {matrix}"
        return m.group()

    for pattern in PRODUCTS:
        rhs = pattern.sub(product, rhs)
    # every other name written with the entry's index is the whole vector
    rhs = re.sub(rf"({BASE}{SUP}?)_\{{?\s*{j}\s*\}}?(?![\w])", r"\1", rhs)
    if re.search(rf"_\{{?\s*[a-z]\s*,?\s*[a-z]?\s*\}}?", rhs) and "\\sum" in rhs:
        return None   # a sum left that is not a matrix product: not read as one
    if products is not None:
        products.extend(made)
    return f"{found.group('lhs')}{found.group('lhs_sup') or ''} = {rhs.strip()}"


def by_index(math: list[str]) -> tuple[list[str], list[str]]:
    """The post's mathematics with each definition of an entry put in matrix form, and what was said. A matrix
    written with two indices is a matrix: where the post gives the size of the vector it multiplies and none of its
    own, it is given that many columns (rows) and a new size for the other side, which is said."""
    out, said = [], []
    products: list[tuple[str, str, bool]] = []
    for text in math:
        if "\\partial" in text or "∂" in text:
            out.append(text)
            continue
        parts = re.split(r"(\\qquad|\\quad|,(?=[^,=]*=)\s*)", text)   # definitions side by side: each its own
        for i in range(0, len(parts), 2):
            rewritten = matrix_form(parts[i], products)
            if rewritten is not None:
                said.append(f"`{short(parts[i])}` is written entry by entry: read as the whole vector, {short(rewritten)}")
                parts[i] = f" {rewritten} "
        out.append("".join(parts))
    for matrix, vector, left in products:
        size = declared_size(math, vector)
        if size is None or declared_size(math, matrix) is not None or "times" in size:
            continue
        other = f"n_{{{re.sub(r'[^A-Za-z0-9]', '', matrix)}}}"
        shape = f"{other} \\times {size}" if left else f"{size} \\times {other}"
        out.append(f"{matrix} \\in \\mathbb{{R}}^{{{shape}}}")
        said.append(f"{matrix} is written with two indices, a matrix: it is taken as {shape.replace(chr(92) + 'times', '×')} "
                    f"({size} to match {vector}); say `{matrix} \\in \\mathbb{{R}}^{{…}}` otherwise")
    return out, said


def declared_size(math: list[str], name: str) -> str | None:
    """The size the post gives a name (`x \\in \\mathbb{R}^{D}` → D), as written."""
    pattern = re.compile(rf"(?<![\w\\]){re.escape(name)}\s*\\in\s*\\(?:mathbb|Bbb)\{{?R\}}?\^(?:\{{(?P<a>[^{{}}]+)\}}|(?P<b>\w))")
    for text in math:
        found = pattern.search(text)
        if found:
            return (found.group("a") or found.group("b")).strip()
    return None


def short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
