"""A network written as mathematics → a network file in the language of SPEC §1.

Definitions (`z_1 = x W_1 + b_1`, `\\hat{y} = \\text{softmax}(z_2)`, `J = CE(y, \\hat{y})`) come in any
order; shapes come from `W_1 \\in \\mathbb{R}^{D_x \\times H}` or from prose ("x is 1×Dx"). A leaf whose
shape is never given is inferred from how it is used (x in `x W_1` is a 1×Dx row), and each such
inference is said as an assumption with the way to say otherwise.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import TypeGuard

from ..engine.language.dims import Dim, Shape, format_shape
from ..engine.errors import ParseError, TutorError
from .derivation import Statement, flatten_product, short_text, statements
from .grammar import Grammar, M
from .tokens import Tok, tokenize, to_latex
from . import kronecker  # noqa: F401  (registers the readings of ⊗ and vec before a Translator needs them)
from .translate import Names, Translator, broadcast, examples_among, matmul

#: The loss's usual names, preferred when several definitions are read by nothing.
LOSS_NAMES = ("J", "L", "E", "C", "loss", "l", "cost")


@dataclass(frozen=True)
class Written:
    """A definition as the post has it: as typed, as LaTeX, and where that LaTeX begins in its piece (the
    positions of the definition's tree count from the piece's start)."""

    typed: str
    latex: str
    start: int


@dataclass
class MathNetwork:
    """What a post says about its network, gathered before it is built."""

    definitions: dict[str, tuple[M, str]] = field(default_factory=dict)   # name → (value, as written)
    declared: dict[str, Shape] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)
    convention: str | None = None   # "rows" or "columns", when the post says which
    unread: dict[str, tuple[str, ParseError]] = field(default_factory=dict)   # name → (as written, why)
    written: dict[str, Written] = field(default_factory=dict)   # name → its definition as the post has it
    wanted: list[str] = field(default_factory=list)   # the gradients the post asks for alone: w for "∇_w J(w)"
    unsaid: list[tuple[str, str, str]] = field(default_factory=list)   # working read as an answer for want of one
    working: list[str] = field(default_factory=list)   # what was read as working, not judged, said as such

    def known(self, name: str) -> bool:
        return name in self.definitions or name in self.declared


def dimension(text: str) -> Dim:
    text = text.replace("{", "").replace("}", "").replace("_", "").replace("\\", "").strip()
    if text.isdigit():
        return Dim(int(text))
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", text):
        raise ParseError(f"{text!r} is not a dimension", expected="a number or a symbol such as D_x or H")
    return Dim.symbol(text)


def shape_of_space(space: M) -> Shape:
    return tuple(dimension(d) for d in space.value)


def gather(post_math: list[str], prose_shapes: dict[str, Shape], names_seen: set[str] | None = None,
           leaves: set[str] | None = None,
           typed: list[str | None] | None = None) -> tuple[MathNetwork, list[tuple[str, str, str]]]:
    """Every math piece of a post → the network's definitions and declarations, and the statements that
    are derivations (as written, with the text they came from). `typed` has each piece as the post has it, where
    the reading rewrote it (w^l as w^{[2]}): a derivation is shown as the asker typed it."""
    net = MathNetwork()
    net.declared.update(prose_shapes)
    names_seen = set(prose_shapes) | (names_seen or set())
    derivations: list[tuple[str, str, str]] = []
    pieces = []
    for text in post_math:
        latex = to_latex(text)
        tokens = tokenize(text, "<post>")
        pieces.append((latex, statements(tokens, len(latex)), text))
    # first pass: the names being defined or declared, so that `y_i` and `Wx` read right
    lhs_names: set[str] = set(names_seen)
    for latex, found, _ in pieces:
        for st in found:
            first = st.sides[0]
            at = next((i for i, t in enumerate(first) if t.kind == "macro" and t.text == "in"), None)
            if at is not None:  # declared names are known too, so that `Wx` reads as W x
                for t in first[:at]:
                    name = plain_name([t]) if t.kind in ("name", "macro") else None
                    if name:
                        lhs_names.add(name)
                name = plain_name(first[:at])
                if name:
                    lhs_names.add(name)
                continue
            if len(st.sides) > 1:
                name = plain_name(first)
                if name:
                    lhs_names.add(name)
            else:
                asked = wanted_gradient(first)
                if asked:
                    net.wanted.append(asked)
    from .aliases import is_alias_statement
    as_typed = statements_as_typed(pieces, typed)
    for latex, found, text in pieces:
        for st in found:
            if is_alias_statement(st.text(latex)) or names_a_gradient(st.sides):
                continue
            handle(net, st, latex, derivations, lhs_names, leaves or set(), text, as_typed.get((id(st))))
    if len(net.unsaid) < len(derivations):   # the post says what its answer is a gradient of: working stays working
        derivations = [d for d in derivations if d not in net.unsaid]
    return net, derivations


def chain_rule_by_index(values, known, latex: str) -> bool:
    """Every value a Σ whose terms hold ∂-factors (δ_j = Σ_k ∂C/∂z_k ∂z_k/∂z_j): the chain rule written entry by
    entry, the working of a derivation rather than a value to judge."""
    try:
        trees = [Grammar(list(side), known, source=latex).whole(list(side)) for side in values]
    except Exception:  # noqa: BLE001 - anything else is read as it always was
        return False
    return bool(trees) and all(t.kind == "sum" and any(True for _ in t.parts("partial")) for t in trees)


def entry_by_entry(lhs: M) -> bool:
    """∂y_{ij}/∂x_{mn} = …: the derivative of one entry with respect to another, the working of a derivation by
    index (with Kronecker deltas, δ_{m,a}), not a gradient of the loss to judge."""
    return lhs.kind == "partial" and all(a.kind == "name" and (a.index or re.search(r"_\{?[a-z],?[a-z]\}?$", a.written))
                                         for a in lhs.args)


def names_a_gradient(sides) -> bool:
    """`δ = ∂J/∂z` on its own: says which gradient the post's δ is, and is neither a definition nor an answer."""
    if len(sides) != 2:
        return False
    try:
        trees = [Grammar(list(side), lambda n: False).whole(list(side)) for side in sides]
    except Exception:  # noqa: BLE001 - anything else is read as it always was
        return False
    delta = trees[0]   # δ = ∂J/∂z, the δ on the left: ∂C/∂b = δ the other way round is a claim about b
    letter = str((delta.args[0] if delta.kind == "T" else delta).value)
    return delta.kind in ("name", "T") and trees[1].kind == "partial" \
        and (letter.startswith(("delta", "Delta")) or letter == "g")   # g = ∇_a J (the Deep Learning book)


def statements_as_typed(pieces, typed: list[str | None] | None) -> dict[int, str]:
    """Each statement of a rewritten piece (by id) → the same statement as the post typed it, where the piece as
    typed splits into as many statements."""
    out: dict[int, str] = {}
    for (_, found, text), original in zip(pieces, typed or []):
        if original is None or original == text:
            continue
        try:
            before = statements(tokenize(original, "<post>"), len(to_latex(original)))
        except TutorError:
            continue
        if len(before) == len(found):
            out.update({id(st): was.typed(original) for st, was in zip(found, before)})
    return out


def wanted_gradient(tokens) -> str | None:
    """`∇_w J(w)` or `∂J/∂w` standing alone: the gradient the post asks about (w), or None."""
    try:
        tree = Grammar(list(tokens), lambda n: False).whole(list(tokens))
    except Exception:  # noqa: BLE001 - anything else is simply not a question
        return None
    return str(tree.args[1].value) if tree.kind == "partial" and tree.args[1].kind == "name" \
        and tree.args[1].value != "<output>" else None


def plain_name(tokens) -> str | None:
    """The name a left side defines (`z_1` → z1, `\\hat{y}` → yhat), or None when it is not a plain name."""
    try:
        tree = Grammar(list(tokens), lambda n: False).whole(list(tokens))
    except Exception:  # noqa: BLE001 - a left side that is not a name is simply not a definition
        return None
    return tree.value if tree.kind == "name" else None


def is_derivative_side(tree: M) -> bool:
    if tree.kind == "partial":
        return True
    if tree.kind == "name":
        v = str(tree.value)
        return v.startswith(("delta", "Delta")) or bool(re.fullmatch(r"d[A-Za-z]\w*", v)) and len(v) > 1 \
            and v not in ("dim",)
    return False


def handle(net: MathNetwork, st: Statement, latex: str, derivations: list, lhs_names: set[str],
           leaves: set[str], typed: str | None = None, shown: str | None = None) -> None:
    """One statement of the post: a declaration, a definition, or a derivation (kept as (LaTeX, the LaTeX
    of its piece, as typed)). A definition none of whose values can be read is kept in `net.unread`."""
    def derivation() -> None:
        derivations.append((st.text(latex), latex, shown if shown is not None
                            else st.typed(typed) if typed is not None else st.text(latex)))

    known = lambda n: n in lhs_names or net.known(n)  # noqa: E731
    sides = [list(s) for s in st.sides]
    in_at = next((i for i, t in enumerate(sides[0]) if t.kind == "macro" and t.text == "in"), None)
    if len(sides) == 1 and in_at is not None:
        declare(net, sides[0][:in_at], sides[0][in_at + 1:], known)
        return
    if len(sides) < 2:
        if st.start < len(latex) and latex[:st.start].rstrip().endswith("=") or latex.lstrip().startswith("="):
            derivation()   # `=2(y-Xw)(-X)`: a value whose left side is unsaid
        return
    try:
        lhs = Grammar(sides[0], known, source=latex).whole(sides[0])
    except ParseError:
        return
    if lhs.kind == "name" and len(sides) == 2 and annotation_only(sides[1]):   # W_0 = [2 × 4]: a shape
        inside = [t if not (t.kind == "op" and t.text == ",") else Tok("macro", "times", t.pos) for t in sides[1][1:-1]]
        try:
            net.declared[str(lhs.value)] = tuple(dimension(d) for d in
                                                 (Grammar(inside, known).dimensions(tuple(inside))))
        except ParseError:
            pass
        return
    if lhs.kind == "name" and len(sides) == 2 and stacked(sides[1]):
        return   # X = [x^{(1)}, x^{(2)} \dots x^{(m)}]: how X holds its examples, said of a leaf, not a value
    rest = str(lhs.value)[1:] if lhs.kind == "name" else ""
    gradient_name = lhs.kind == "name" and str(lhs.value).startswith("d") and (
        rest in lhs_names or rest.lower() in {n.lower() for n in lhs_names} or lhs.value not in lhs_names
        or re.fullmatch(r"[A-Za-z]\d+", rest) is not None)   # dZ[2] = A[2] - Y: a course's gradient of layer 2
    if lhs.kind == "partial" or str(lhs.value).startswith(("delta", "Delta")) or \
            is_derivative_side(lhs) and gradient_name or lhs.kind == "name" and lhs.value in leaves:
        working = "the derivative of one entry with respect to another, written by index" if entry_by_entry(lhs) \
            else "the chain rule written by index (a Σ of ∂-factors)" if chain_rule_by_index(sides[1:], known, latex) \
            else ""
        if working:
            net.working.append(f"`{short_text(st.text(latex), 60)}` is {working}: read as working, not judged")
            return
        derivation()
        return
    if lhs.kind == "prod" and lhs.args[0].kind == "name" and lhs.args[1].kind in ("name", "tuple"):
        lhs = lhs.args[0]   # L(w) = …: a function of its parameters, named L
    elif lhs.kind != "name" and net.wanted and len(net.wanted) == len(set(net.wanted)) == 1:
        derivation()   # "we can simplify and get: −(1 − s)y + s(1 − y) = s − y", in a post that asks for ∇_w J
        net.unsaid.append(derivations[-1])
        return
    if lhs.kind != "name":
        return
    failed: list[ParseError] = []
    for side in sides[1:]:
        try:
            value = Grammar(side, known, source=latex).whole(side)
        except ParseError as error:
            failed.append(error)
            continue
        if contains(value, "partial"):
            continue
        if lhs.value not in net.definitions:
            net.definitions[lhs.value] = (value, st.text(latex))
            raw = latex[st.start:st.end]
            net.written[str(lhs.value)] = Written(st.typed(typed) if typed is not None else st.text(latex),
                                                  st.text(latex), st.start + len(raw) - len(raw.lstrip()))
        return
    if failed:
        net.unread.setdefault(str(lhs.value), (st.typed(typed) if typed is not None else st.text(latex), failed[0]))


def stacked(side: list[Tok]) -> bool:
    """`[x^{(1)}, x^{(2)} \\dots x^{(m)}]`: an array written as the list of its examples (or columns)."""
    return any(t.kind == "macro" and t.text in ("dots", "cdots", "ldots") for t in side) and \
        any(t.kind == "op" and t.text == "," for t in side)


def annotation_only(side: list[Tok]) -> bool:
    """`[2 × 4]`, `(m, n)`: a bracket holding only dimensions, × or commas."""
    if len(side) < 3 or side[0].kind != "open" or side[-1].kind != "close":
        return False
    inside = side[1:-1]
    separated = any(t.kind == "macro" and t.text == "times" or t.kind == "op" and t.text == "," for t in inside)
    return separated and all(t.kind in ("name", "num", "sub", "group") or t.kind == "macro" and t.text == "times"
                             or t.kind == "op" and t.text == "," for t in inside)


def contains(m: M, kind: str) -> bool:
    return m.kind == kind or any(isinstance(a, M) and contains(a, kind) for a in m.args)


def declare(net: MathNetwork, names: list[Tok], space: list[Tok], known) -> None:
    """`W_1 \\in \\mathbb{R}^{D_x \\times H}` (or `W_1, W_2 \\in …`) → declared shapes. Labels declared as
    `Y \\in \\{0, 1\\}^{N \\times C}` (or in ℤ, ℕ) have that shape as well."""
    texts = [t.text for t in space]
    if texts[:5] == ["(", "0", ",", "1", ")"] and len(space) >= 7 and space[5].kind == "sup" or \
            space and space[0].kind == "macro" and space[0].text in ("mathbb", "Bbb") and space[0].args \
            and "".join(x.text for x in space[0].args[0]) in ("Z", "N", "B"):
        at = 5 if texts[:1] == ["("] else 1
        space = [Tok("macro", "mathbb", space[0].pos, ((Tok("name", "R", space[0].pos),),))] + list(space[at:])
    try:
        tree = Grammar(space, known).whole(space)
    except ParseError:
        return
    if tree.kind != "space":
        return
    shape = shape_of_space(tree)
    groups: list[list[Tok]] = [[]]
    for t in names:
        if t.kind == "op" and t.text == ",":
            groups.append([])
        else:
            groups[-1].append(t)
    for g in groups:
        name = plain_name(g) if g else None
        if name:
            net.declared[name] = shape


def order(definitions: dict[str, tuple[M, str]]) -> list[str]:
    """Definitions in an order that defines each name before it is used (posts often start from J)."""
    uses = {name: names_in(value) & set(definitions) for name, (value, _) in definitions.items()}
    out: list[str] = []
    pending = list(definitions)
    while pending:
        ready = [n for n in pending if uses[n] <= set(out) | {n} and n not in uses[n]]
        if not ready:
            raise ParseError("the definitions depend on each other in a circle: " + ", ".join(pending),
                             expected="each name defined from names defined before it or leaves")
        # keep the post's own order among the ready ones, but the loss (read by nothing) last
        out.append(ready[0])
        pending.remove(ready[0])
    return out


def names_in(m: M) -> set[str]:
    if m.kind == "name":
        return {str(m.value)}
    out: set[str] = set()
    for a in m.args:
        if isinstance(a, M):
            out |= names_in(a)
    return out


def build(net: MathNetwork, origin: str = "<post>") -> tuple[str, list[str]]:
    """The network in the language of SPEC §1, and what was assumed to write it."""
    if not net.definitions:
        raise ParseError("no network found: no definitions such as z_1 = x W_1 + b_1",
                         expected="an align block of definitions, with shapes as W_1 \\in \\mathbb{R}^{D_x \\times H}")
    defined = order(net.definitions)
    readers = {n: [m for m in defined if n in names_in(net.definitions[m][0])] for n in defined}
    unread = [n for n in defined if not readers[n]]
    loss = next((n for n in LOSS_NAMES if n in unread), unread[-1] if unread else defined[-1])
    defined = [n for n in defined if n != loss] + [loss]
    dims = {d for shape in net.declared.values() for dim in shape for d in dim.names}
    used = set().union(*(names_in(v) for v, _ in net.definitions.values()))
    leaves = [n for n in dict.fromkeys(list(net.declared) + sorted(used)) if n not in net.definitions
              and n not in dims and n in used | set(net.declared) and n != "e"]
    leaves = [n for n in leaves if n in used]
    shapes: dict[str, Shape | None] = {n: net.declared.get(n) for n in leaves}
    assumptions: list[str] = []
    columns = vectors_are_columns(net, defined, shapes)
    orient_vectors(net, defined, shapes, columns, assumptions)
    infer_leaves(net, defined, shapes, dims, assumptions)
    missing = [n for n in leaves if shapes.get(n) is None]
    if missing:
        error = ParseError(f"cannot tell the shape of {', '.join(missing)}",
                           expected=f"a line such as {missing[0]} \\in \\mathbb{{R}}^{{1 \\times D}}, or '{missing[0]} is "
                                    "1×D' in the text")
        error.leaves = tuple(missing)   # type: ignore[attr-defined]   # placed at the first use in the post
        raise error
    names = Names(dict(shapes), dims, loss, columns=columns, leaves=frozenset(leaves))
    names.examples = examples_among(set(), [shapes[n] for n in leaves])
    lines = [f"{n}: [{', '.join(' * '.join(d.factors) for d in shapes[n] or ())}]" for n in leaves]  # none missing
    translate = Translator(names, origin)
    for n in defined:
        value, written = net.definitions[n]
        translate.whole_sums = n == loss   # the loss is one number: Σ over the examples of a row is all of it
        try:
            t = translate(value)
        except TutorError as error:
            error.definition = n   # type: ignore[attr-defined]   # placed at that definition in the post
            raise
        names.shapes[n] = t.shape
        lines.append(f"{n} = {t.code}")
    assumptions.extend(translate.notes)
    return "\n".join(lines) + "\n", assumptions


def is_matrix(shape: Shape | None) -> TypeGuard[Shape]:
    return shape is not None and len(shape) == 2 and Dim(1) not in shape


def vectors_are_columns(net: MathNetwork, defined: list[str], shapes: dict[str, Shape | None]) -> bool:
    """What the post says, or else what its products show: a declared matrix times a leaf (`W x`) is the
    column convention, a leaf times a declared matrix (`x W`) the row one."""
    if net.convention is not None:
        return net.convention == "columns"
    for n in defined:
        for p in net.definitions[n][0].parts("prod", "matmul"):
            a, b = p.args
            if a.kind == "name" and is_matrix(shapes.get(a.value)) and b.kind == "name" and b.value in shapes \
                    and not is_matrix(shapes.get(b.value)):
                return True
            if b.kind == "name" and is_matrix(shapes.get(b.value)) and a.kind == "name" and a.value in shapes \
                    and not is_matrix(shapes.get(a.value)):
                return False
    return False


def orient_vectors(net: MathNetwork, defined: list[str], shapes: dict[str, Shape | None], columns: bool,
                   assumptions: list[str]) -> None:
    """`x ∈ R^{Dx}` is a vector; beside matrices it must be a row or a column. One that multiplies a matrix
    is the row or column the product needs; with column vectors every other one (a bias `b1 ∈ R^H`) is a
    column too, so that `W1 x + b1` adds two columns rather than broadcasting into an H×H matrix. With rows,
    a bias stays a vector, which broadcasts over a row (or over each row of a batch) as NumPy does."""
    said = "the post's vectors are columns" if net.convention == "columns" else \
        "the post's vectors are rows" if net.convention == "rows" else ""
    oriented: set[str] = set()
    for n in defined:
        for p in net.definitions[n][0].parts("prod", "matmul"):
            a, b = p.args
            for leaf, matrix, row in ((a, b, True), (b, a, False)):
                shape = shapes.get(leaf.value) if leaf.kind == "name" else None
                other = shapes.get(matrix.value) if matrix.kind == "name" else None
                if shape is None or len(shape) != 1 or leaf.value in oriented or other is None \
                        or not is_matrix(other):
                    continue
                if (other[0] if row else other[1]) != shape[0]:
                    continue
                oriented_shape = (Dim(1), shape[0]) if row else (shape[0], Dim(1))
                shapes[leaf.value] = oriented_shape
                oriented.add(leaf.value)
                assumptions.append(
                    f"{leaf.value} ∈ R^{shape[0]} is taken as a {format_shape(oriented_shape)} "
                    f"{'row' if row else 'column'}: it multiplies the {format_shape(other)} matrix {matrix.value} "
                    f"from the {'left' if row else 'right'}" + (f" ({said})" if said else "")
                    + f"; say `{leaf.value} \\in \\mathbb{{R}}^{{…}}` with both dimensions otherwise")
    if not columns:
        return
    for leaf, shape in shapes.items():
        if shape is not None and len(shape) == 1 and leaf not in oriented:
            shapes[leaf] = (shape[0], Dim(1))
            assumptions.append(f"{leaf} ∈ R^{shape[0]} is taken as a {shape[0]}×1 column "
                               f"({said or 'the network multiplies matrices by columns'}), so that it adds to "
                               f"columns without broadcasting; say `{leaf} \\in \\mathbb{{R}}^{{1 \\times {shape[0]}}}` "
                               "for a row")


def infer_leaves(net: MathNetwork, defined: list[str], shapes: dict[str, Shape | None], dims: set[str],
                 assumptions: list[str]) -> None:
    """Shapes of leaves nobody declared, from how they are used: beside a known shape in + − ∘ or a
    cross-entropy, they share it; on the left of a matrix W (a×b) they are a 1×a row; on its right, a b×1
    column. Repeated until nothing more is learnt."""
    def shape(m: M) -> Shape | None:
        k = m.kind
        if k == "name":
            if m.value in dims:
                return ()
            return shapes.get(m.value) if m.value in shapes else known.get(m.value)
        if k == "num":
            return ()
        if k in ("add", "sub", "had", "div"):
            return broadcast(shape(m.args[0]), shape(m.args[1]))
        if k in ("matmul", "prod"):
            a, b = shape(m.args[0]), shape(m.args[1])
            if a == () or b == ():
                return b if a == () else a
            return matmul(a, b) or broadcast(a, b)
        if k in ("neg", "pow", "prime"):
            return shape(m.args[0])
        if k == "T":
            s = shape(m.args[0])
            return s if s is None or len(s) < 2 else s[:-2] + (s[-1], s[-2])
        if k == "call":
            if m.value in ("cross_entropy", "sum", "mean"):
                return ()
            if m.value in ("max_", "maximum", "minimum") and len(m.args) == 2:   # max(0, z): z's shape
                return broadcast(shape(m.args[0]), shape(m.args[1]))
            return shape(m.args[0]) if m.args else None
        if k in ("sum", "mean", "norm"):
            return ()
        return None

    def learn(m: M) -> None:
        for a in m.args:
            if isinstance(a, M):
                learn(a)
        k = m.kind
        pair = m.args if k in ("add", "sub", "had") or k == "call" and m.value == "cross_entropy" else ()
        if len(pair) == 2:
            a, b = pair
            sa, sb = shape(a), shape(b)
            for x, other in ((a, sb), (b, sa)):
                if x.kind == "name" and x.value in shapes and shapes[x.value] is None and other:
                    shapes[x.value] = other
                    assumptions.append(f"{x.value} is taken to have the shape of what it meets, "
                                       f"{format_shape(other)}; say `{x.value} \\in \\mathbb{{R}}^{{…}}` otherwise")
        if k in ("prod", "matmul", "had"):
            scalar_coefficients(m)
        if k in ("prod", "matmul"):
            a, b = m.args
            sa, sb = shape(a), shape(b)
            same_index = index_of(a) is not None and index_of(a) == index_of(b)   # Y_{nk} log P_{nk}
            for x, other in ((a, sb), (b, sa)):  # y_i log ŷ_i: beside a vector, an unknown is the same vector
                if x.kind == "name" and x.value in shapes and shapes[x.value] is None and other \
                        and (not is_matrix(other) or same_index):
                    shapes[x.value] = other
                    assumptions.append(f"{x.value} is taken to have the shape of what it multiplies, "
                                       f"{format_shape(other)}; say `{x.value} \\in \\mathbb{{R}}^{{…}}` otherwise")
            if a.kind == "name" and a.value in shapes and shapes[a.value] is None and is_matrix(sb):
                shapes[a.value] = (Dim(1), sb[0])
                assumptions.append(f"{a.value} is taken as a 1×{sb[0]} row (it multiplies a {format_shape(sb)} "
                                   f"matrix from the left: the row-vector convention); say `{a.value} \\in "
                                   f"\\mathbb{{R}}^{{{sb[0]} \\times 1}}` for a column")
            declared_transpose = a.kind == "T" and a.args[0].kind == "name" and a.args[0].value in net.declared
            if b.kind == "name" and b.value in shapes and shapes[b.value] is None and is_matrix(sa) \
                    and (a.kind != "T" or declared_transpose):   # Wᵀx with W declared n×k: x is an n×1 column
                shapes[b.value] = (sa[1], Dim(1))
                assumptions.append(f"{b.value} is taken as a {sa[1]}×1 column (a {format_shape(sa)} matrix "
                                   f"multiplies it from the left: the column convention); say `{b.value} \\in "
                                   f"\\mathbb{{R}}^{{1 \\times {sa[1]}}}` for a row")

    def scalar_coefficients(m: M) -> None:
        """λ in (λ/2)‖w‖² or λ wᵀw: a name that only scales a number (the rest of its product is a scalar)
        is a number itself."""
        factors = [f for _, _, f in flatten_product(m)]
        for i, f in enumerate(factors):
            name = coefficient(f)
            if name is None or name not in shapes or shapes[name] is not None or len(factors) < 2:
                continue
            rest = factors[:i] + factors[i + 1:]
            product = rest[0]
            for r in rest[1:]:
                product = M("prod", (product, r))
            if shape(product) == ():
                shapes[name] = ()
                assumptions.append(f"{name} is taken as a number: it only multiplies a number "
                                   f"(the rest of its product); say `{name} \\in \\mathbb{{R}}^{{…}}` otherwise")

    known: dict[str, Shape | None] = {}
    for _ in range(2 * (len(defined) + len(shapes)) + 2):
        before = dict(shapes)
        for n in defined:
            value = net.definitions[n][0]
            learn(value)
            known[n] = shape(value)
        if shapes == before and not guess_matrix(net, defined, shapes, dims, assumptions):
            break


def coefficient(m: M) -> str | None:
    """The name a factor scales by: λ in λ, λ/2, −λ, (λ)."""
    while m.kind in ("div", "neg"):
        m = m.args[0]
    return str(m.value) if m.kind == "name" else None


def index_of(m: M) -> str | None:
    """The index a name (or a function of one) was written with: `nk` for Y_{nk} or log P_{nk}."""
    while m.kind == "call" and m.args:
        m = m.args[0]
    if m.kind == "name" and "_" in m.written and m.written.split("_", 1)[0] == m.value:
        return m.written.split("_", 1)[1]
    return None


def guess_matrix(net: MathNetwork, defined: list[str], shapes: dict[str, Shape | None], dims: set[str],
                 assumptions: list[str]) -> bool:
    """Nothing more can be learnt: a capital letter that multiplies something from the left (X in `Xw`) is
    taken as a matrix of new dimensions, said as an assumption. True when a guess was made."""
    for n in defined:
        for p in net.definitions[n][0].parts("prod", "matmul"):
            left = p.args[0]
            if left.kind == "name" and shapes.get(left.value, ()) is None and str(left.value)[:1].isupper():
                taken = dims | set(shapes) | set(net.definitions)
                candidates = itertools.chain(("N", "D", "M", "K", "P", "Q"), (f"D{i}" for i in itertools.count(1)))
                free = list(itertools.islice((d for d in candidates if d not in taken), 2))
                rows, cols = Dim.symbol(free[0]), Dim.symbol(free[1])
                dims.update({free[0], free[1]})
                shapes[left.value] = (rows, cols)
                assumptions.append(f"{left.value} is taken as a {free[0]}×{free[1]} matrix (nothing says its shape); "
                                   f"say `{left.value} \\in \\mathbb{{R}}^{{… \\times …}}` otherwise")
                return True
    return False
