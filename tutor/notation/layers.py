"""Layers named by letters, as Nielsen writes them: `w^L`, `b^l`, `a^{L-1}`, `δ^{l+1}`, `δ^{x,L}`.

A letter superscript that names a layer is not a power. `L` is the last layer, `l` any layer, `l ± k` the
layers beside it, and `x,` before the layer (`δ^{x,L}`) the training example x, which a network of one
example drops. Each such superscript is rewritten as the numbered layer it stands for (`w^{[3]}`), before
the post is read:

* a post that writes its network for a general layer (`z^l = w^l a^{l-1} + b^l`, `a^l = σ(z^l)`) has that
  layer written out three times, so that `l` (the middle one) has a layer before it and one after it, and
  `L` is the last: a general equation is judged at one layer, which is said;
* a post that writes a network with numbered layers (`z^1 = w^1 x + b^1`) and `L` for its last one takes `L`
  as the layer after its highest numbered one (or the number it says, "L = 2"), and `l` as the one before L.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: A name (a letter, or δ, Δ) with a layer written as a letter: `^L`, `^{l-1}`, `^{x,L}`, `^\ell`.
BASE = r"(?P<base>\\delta|\\Delta|δ|Δ|(?:(?<=[_^][A-Za-z0-9])|(?<![\w\\]))[A-Za-df-zA-QS-Z])"   # after δ_k too
LETTER = r"(?:L|l|\\ell\b|ℓ)"
LAYER = re.compile(BASE + r"\s*\^\s*(?:\{\s*[(\[]?\s*(?:(?P<example>[a-z])\s*,\s*)?(?P<letter>" + LETTER +
                   r")\s*(?:(?P<sign>[-+])\s*(?P<step>\d))?\s*[)\]]?\s*(?P<t>T|\\top)?\s*\}|(?P<bare>" + LETTER + r"))")
#: `z^l = …` for a general layer: the definitions a post writes once for every layer.
GENERAL = re.compile(r"(?:^|(?<=[,;&$\\])|(?<=quad))\s*(?P<lhs>[zZaAhH]\s*\^\s*\{?\s*[(\[]?(?:l|\\ell|ℓ)(?P<offset>\s*[-+]\s*\d)?[)\]]?\s*\}?(?:_\{?[a-z]\}?)?)\s*&?=\s*(?P<rhs>(?:[^=&{}]|\{(?:[^{}]|\{[^{}]*\})*\})+?)"
                     # the right side ends where something other than space does (each space run is looked
                     # across once, not once for every space in it: linear in a run of spaces)
                     r"(?<!\s)(?=\s*(?:,|;|\\qquad|\\quad|\\\\|\\text\{\s*and\s*\}|$))", re.M)
#: `w_{jk}^{l}`, `a_k^{l-1}`: a layer written after the indices, put before them (`w^{l}_{jk}`) to be read as one.
AFTER_INDICES = re.compile(BASE + r"(?P<sub>_\{[^{}]*\}|_[A-Za-z0-9])\s*(?P<sup>\^\s*(?:\{\s*[(\[]?\s*(?:[a-z]\s*,\s*)?"
                           + LETTER + r"\s*(?:[-+]\s*\d)?\s*[)\]]?\s*\}|" + LETTER + r"))")
#: A layer letter typed in brackets, as course forums type them: dw[l], a[l-1], W[L].
TYPED_LAYER = re.compile(r"(?<![\w\\])(?P<base>d?[A-Za-z])\[(?P<letter>[lL])\s*(?:(?P<sign>[-+−])\s*(?P<step>\d))?\]")
#: The Deep Learning book's letter for a general layer, k (W^{(k)}, h^{(k-1)}): a layer wherever the post also writes
#: it with a step (k − 1, k + 1) in a superscript, and read as l is.
OTHER_LETTER = "k"
STEPPED = re.compile(r"\^\s*\{\s*[(\[]?\s*" + OTHER_LETTER + r"\s*[-+]\s*\d\s*[)\]]?\s*\}")
AS_L = re.compile(r"(\^\s*\{\s*[(\[]?\s*)" + OTHER_LETTER + r"(?=\s*(?:[-+]\s*\d\s*)?[)\]]?\s*(?:T|\\top)?\s*\})|(\^\s*)"
                  + OTHER_LETTER + r"(?![\w])")
#: "L = 2", "l = 1": the post says which layer a letter is.
SAID = re.compile(r"(?<![\w\\])(?P<letter>[Ll])\s*=\s*(?P<n>\d)\b")
#: The activations a general layer reads: a^{l-1}, h^{l-1}, written after the weight (columns) or before it (rows).
READS = r"[aAhH]\s*\^\s*\{\s*[(\[]?\s*(?:l|\\ell|ℓ)\s*-\s*1\s*[)\]]?\s*\}(?:_\{?[a-z]\}?)?"
#: ∇_a C (Nielsen): the gradient with respect to the output activations a^L.
NABLA_A = re.compile(r"\\nabla\s*_\s*\{?\s*a\s*\}?(?=\s*[A-Z])|∇\s*_?\s*a(?=\s*[A-Z])|∇ₐ(?=\s*[A-Z])")
#: A numbered layer as posts write it on the left of a definition: z^1, z^{2}, z^{[2]}, z_2.
NUMBERED = re.compile(r"(?<![\w\\])[zZaAhH]\s*(?:\^\s*\{?\s*\[?(?P<up>\d)\]?\s*\}?|_\s*\{?(?P<down>\d)\}?)\s*&?=")


@dataclass(frozen=True)
class Layers:
    """How the post's letters were numbered: the rewritten mathematics, and what was said about it."""

    math: list[str]
    said: list[str]
    found: bool
    origin: tuple[int | None, ...] = ()   # for each piece, the piece of the post it was (None: a size added)


def numbered_layers(math: list[str], prose: list[str], given: int | None = None) -> Layers:
    """The post's mathematics with each layer written as a letter put as the numbered layer it names. `given` is
    the last layer of a network given beside the post (--network): L is that layer, and nothing is written out."""
    math = [AFTER_INDICES.sub(lambda m: m.group("base") + m.group("sup") + m.group("sub"), text) for text in math]
    origin: list[int | None] = list(range(len(math)))
    renamed = any(STEPPED.search(text) for text in math) and not any(
        (m.group("letter") or m.group("bare")) != "L" for text in math for m in LAYER.finditer(text))
    if renamed:   # W^{(k)}, h^{(k-1)}: the book's k is the general layer l
        math = [AS_L.sub(lambda m: (m.group(1) or m.group(2)) + "l", text) for text in math]
    if not any(LAYER.search(text) or TYPED_LAYER.search(text) for text in math):
        return Layers(math, [], False, tuple(origin))
    math = [GENERAL.sub(to_layer_l, text) for text in math]   # z^{l+1} = … w^{l+1} a^l: the same as z^l = … a^{l-1}
    said: list[str] = []
    general = given is None and any(GENERAL.search(text) for text in math)
    stated = {m.group("letter"): int(m.group("n")) for text in math + prose for m in SAID.finditer(text)}
    if general:
        first = 1
        last = stated.get("L", first + 2)
        layer = stated.get("l", last - 1)
        if last < 2 or not first <= layer <= last:
            from ..engine.errors import ParseError
            taken = f"L = {last}" + (f" and l = {layer}" if "l" in stated else "")
            raise ParseError(f"the post takes {taken}: equations written for a general layer l are judged at a layer "
                             "l between 1 and L, with L at least 2 (a layer before the last)",
                             expected="L = 2 or more, and l from 1 to L (or neither, and layers 1 to 3 are read)")
        unsized = not any(re.search(r"\\in\b|∈", text) for text in math + prose)
        sizes = sized(math, first, last) if unsized else []   # no size said: n_k units in layer k
        math = [written_out(text, first, last) for text in math] + sizes
        origin += [None] * len(sizes)
        if sizes:
            said.append("the post gives no sizes: layer k is taken to have n_k units (" + ", ".join(sizes) + ")")
        said.append(f"the network is written for a general layer l: it is read with layers {first} to {last} "
                    f"(L = {last}), and each equation in l is judged at l = {layer}, a layer with one before and one "
                    "after it")
    else:
        numbers = [int(m.group("up") or m.group("down")) for text in math for m in NUMBERED.finditer(text)]
        last_defined = any(re.search(r"(?<![\w\\])[zZaAhH]\s*\^\s*\{?\s*[(\[]?L[)\]]?\s*\}?\s*&?=", text) for text in math)
        last = given or stated.get("L") or (max(numbers) + (1 if last_defined else 0) if numbers else 2)
        layer = stated.get("l", last - 1)
        if "L" not in stated:
            said.append(f"L read as layer {last}, the network's last")
        if any(m.group("letter") in ("l", "\\ell", "ℓ") or m.group("bare") in ("l", "\\ell", "ℓ")
               for text in math for m in LAYER.finditer(text)) and "l" not in stated:
            said.append(f"l read as layer {layer}, the one before the last; say which with l = …")
    if any(m.group("example") for text in math for m in LAYER.finditer(text)):
        said.append("a superscript x, (δ^{x,l}) names one training example: the network has one, so it is dropped")
    if renamed:
        said.append(f"the post's {OTHER_LETTER} (in h^{{({OTHER_LETTER}-1)}}) names a general layer, as l does")
    kept = [i for i, text in enumerate(math) if not SAID.fullmatch(text.strip())]   # "L = 2" counts layers
    out = [numbered(NABLA_A.sub(lambda m: "\\nabla_{a^{L}}", math[i]), last, layer) for i in kept]
    return Layers(out, said, True, tuple(origin[i] for i in kept))


def numbered(text: str, last: int, layer: int) -> str:
    def one(m: re.Match) -> str:
        letter = m.group("letter") or m.group("bare")
        n = last if letter == "L" else layer
        step = int(m.group("step") or 0)
        n = n - step if m.group("sign") == "-" else n + step
        return f"{m.group('base')}^{{[{n}]}}" + ("^T" if m.group("t") else "")   # h^{(k-1)T}: transposed

    def typed(m: re.Match) -> str:   # dw[l], a[l−1]: typed, and kept typed (dw[1], a[0])
        n = last if m.group("letter") == "L" else layer
        step = int(m.group("step") or 0)
        return f"{m.group('base')}[{n - step if m.group('sign') in ('-', '−') else n + step}]"
    return TYPED_LAYER.sub(typed, LAYER.sub(one, text))


def written_out(text: str, first: int, last: int) -> str:
    """Each definition written for a general layer l, written out for layers first … last."""
    def copies(m: re.Match) -> str:
        return " \\qquad ".join(numbered(f"{m.group('lhs')} = {m.group('rhs').strip()}", last, k)
                                for k in range(first, last + 1))
    return GENERAL.sub(copies, text)


def sized(math: list[str], first: int, last: int) -> list[str]:
    """Sizes for a network written for a general layer that gives none: layer k has n_k units, its weight
    maps n_{k-1} units to n_k, the first activations (the input) have n_{first-1}, every other name of the
    layer n_k, and the target the last layer's; a column each, or a row each where the weight follows."""
    general = [m for text in math for m in GENERAL.finditer(text)]
    rows = any(re.search(READS + r"\s*(?:\\cdot\s*)?[A-Za-z]\s*\^", m.group("rhs")) for m in general)
    defined = {m.group("lhs").strip()[0] for m in general}
    inputs = {m.group(0).strip()[0] for g in general for m in re.finditer(READS, g.group("rhs"))}
    names: dict[str, str] = {}
    for g in general:
        for m in re.finditer(r"(?<![\w\\])([A-Za-z])\s*\^\s*\{?\s*[(\[]?(?:l|\\ell|ℓ)(?!\s*[-+])[)\]]?\s*\}?(?:_\{?[a-z,]+\}?)?", g.group("rhs")):
            letter = m.group(1)
            if letter in defined or letter in names:
                continue
            after = g.group("rhs")[m.end():]
            before = g.group("rhs")[:m.start()]
            weight = re.match(r"\s*(?:\\cdot\s*)?" + READS, after) or re.search(READS + r"\s*(?:\\cdot\s*)?$", before)
            names[letter] = "weight" if weight else "vector"

    def vector(n: str) -> str:
        return f"1 \\times {n}" if rows else f"{n} \\times 1"
    out = []
    for k in range(first, last + 1):
        for letter, kind in names.items():
            shape = (f"n_{k - 1} \\times n_{k}" if rows else f"n_{k} \\times n_{k - 1}") if kind == "weight" \
                else vector(f"n_{k}")
            out.append(f"{letter}^{{[{k}]}} \\in \\mathbb{{R}}^{{{shape}}}")
    for letter in inputs:
        out.append(f"{letter}^{{[{first - 1}]}} \\in \\mathbb{{R}}^{{{vector(f'n_{first - 1}')}}}")
    out.append(f"y \\in \\mathbb{{R}}^{{{vector(f'n_{last}')}}}")
    return out


def to_layer_l(m: re.Match) -> str:
    """A definition written for layer l ± k (z^{l+1}_j = … a^l_i …) written for layer l, every layer in it moved alike."""
    offset = int(m.group("offset").replace(" ", "")) if m.group("offset") else 0
    if not offset:
        return m.group()

    def moved(layer: re.Match) -> str:
        letter = layer.group("letter") or layer.group("bare")
        if letter == "L":
            return layer.group()
        step = (int(layer.group("step") or 0) * (-1 if layer.group("sign") == "-" else 1)) - offset
        sign = f" {'+' if step > 0 else '-'} {abs(step)}" if step else ""
        return f"{layer.group('base')}^{{{letter}{sign}}}"
    return LAYER.sub(moved, m.group())


def layered_text(text: str, network) -> str:
    """A derivation checked against a network, with its layers named by letters (w^L, a^{l-1}, dw[l]) put as the
    network's numbered layers: L its last, l the one before."""
    if not (LAYER.search(text) or TYPED_LAYER.search(text)):
        return text
    numbers = [int(m.group(1)) for name in network.nodes if (m := re.fullmatch(r"[A-Za-z]+_?(\d)", name))]
    return numbered_layers([text], [], max(numbers) if numbers else None).math[0]
