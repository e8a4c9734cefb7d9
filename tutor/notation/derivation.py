"""A derivation written as mathematics → the derivation language of SPEC §3, and its ∂-chains.

Each equation `\\frac{\\partial J}{\\partial W_1} = x^T \\delta_1` becomes a line `dW1 = x.T @ dz1` (a
claim about W1, judged on its own); an equation whose value is a product of ∂-factors
(`∂J/∂z2 · ∂z2/∂h · ∂h/∂z1 · ∂z1/∂W1`), or of expressions standing for the first factors followed by
∂-factors (the seed's `(ŷ − y)·W2ᵀ∘h∘(1−h)·∂z1/∂W1`), is kept as a `Chain`: the naive product, which
the chain-rule walk explains at its break.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import cast

from ..engine.errors import ParseError
from .grammar import Grammar, M
from .kronecker import is_vec, translate_wrap, unvec, vec, vectorised
from .tokens import Tok, tokenize
from .translate import POSTFIX, Names, Translation, Translator

@dataclass(frozen=True)
class Item:
    """One factor of a chain as written: a ∂-factor (of, wrt), or an expression standing for factors."""

    of: str
    wrt: str
    code: str | None = None     # for an expression: its code; None for a ∂-factor
    written: str = ""
    shape: tuple | None = None  # for an expression: its shape
    elementwise: bool = False   # joined to the factor before it by ∘ or ⊙ rather than by a product


@dataclass(frozen=True)
class Chain:
    target: str                 # the node whose gradient the chain claims (W1)
    items: tuple[Item, ...]
    line: int                   # index of the equation among the derivation's lines
    written: str = ""


@dataclass(frozen=True)
class Equation:
    target: str | None          # the node claimed (W1 for ∂J/∂W1, z1 for δ1), or None
    name: str | None            # the derivation's name for it (dW1), or None for a bare expression
    code: str | None            # its value in the network language; None when it is a chain
    written: str
    chain: Chain | None = None
    factor: tuple[str, str] | None = None   # ∂z2/∂h = W2ᵀ: what the learner takes a factor to be


@dataclass(frozen=True)
class MathDerivation:
    """A derivation written as mathematics, read into the network language equation by equation."""

    equations: tuple[Equation, ...]
    notes: tuple[str, ...] = ()
    given: tuple[str, ...] = ()         # lines the learner used without writing (δ1 read as ∂J/∂z1)
    assumed: tuple[str, ...] = ()       # of those, the names taken as ∂J/∂node (the post says nothing of them)
    written_as_d: tuple[str, ...] = ()  # of those, the ones the post writes dZ1, as courses write per-example errors

    @property
    def code(self) -> str:
        """The derivation in the language of SPEC §3 (the chains left out: they are not values)."""
        lines = list(self.given) + [f"{e.name} = {e.code}" if e.name else e.code
                                    for e in self.equations if e.code is not None and e.factor is None]
        return "\n".join(lines)

    @property
    def chains(self) -> tuple[Chain, ...]:
        return tuple(e.chain for e in self.equations if e.chain is not None)

    @property
    def shown(self) -> list[str]:
        """Each line as read, in the network language; a chain as its factors."""
        out = list(self.given)
        for e in self.equations:
            if e.factor is not None:
                out.append(f"∂{e.factor[0]}/∂{e.factor[1]} taken as {e.code}")
            elif e.chain is not None:
                out.append(f"d{e.chain.target} = " + "".join(
                    (("" if n == 0 else " ⊙ " if i.elementwise else " · ")
                     + (i.code if i.code is not None else f"∂{i.of}/∂{i.wrt}")) for n, i in enumerate(e.chain.items)))
            else:
                assert e.code is not None  # neither a ∂-factor nor a chain: an expression
                out.append(f"{e.name} = {e.code}" if e.name else e.code)
        return out


@dataclass(frozen=True)
class Statement:
    """One equation as written: its sides (tokens) and where it stands in the (LaTeX) text."""

    sides: tuple[tuple[Tok, ...], ...]
    start: int
    end: int

    def text(self, latex: str) -> str:
        return tidy(latex[self.start:self.end])

    def typed(self, original: str) -> str:
        """The statement as the asker typed it (Unicode stays Unicode), from the text before its LaTeX."""
        from .tokens import as_written
        return tidy(as_written(original, self.start, self.end))


def tidy(text: str) -> str:
    """A statement without the line break, `&` or punctuation that ends it."""
    return text.strip().rstrip("\\").strip().rstrip(",;.&").strip()


SEPARATORS = ("coloneqq", "equiv", "triangleq", "eqqcolon", "approx")


def annotation(tokens: list[Tok]) -> int | None:
    """Where a trailing `(1 \\times D_y)` begins: a bracket at the end holding only dimensions and ×."""
    if not tokens or tokens[-1].kind != "close":
        return None
    depth = 0
    for i in range(len(tokens) - 1, -1, -1):
        t = tokens[i]
        if t.kind == "close":
            depth += 1
        elif t.kind == "open":
            depth -= 1
            if depth == 0:
                inside = tokens[i + 1:-1]
                times = any(x.kind == "macro" and x.text == "times" for x in inside)
                plain = all(x.kind in ("name", "num", "sub", "group") or x.kind == "macro" and x.text == "times"
                            for x in inside)
                after_equals = i > 0 and tokens[i - 1].kind == "op" and tokens[i - 1].text == "="
                return i if times and plain and i > 0 and not after_equals else None   # W_0 = [2×4] is a shape
    return None


def statements(tokens: list[Tok], length: int) -> list[Statement]:
    """Tokens → equations, each split at `=`; a line that starts with `=` continues the previous
    equation (`&= …` in an align block). Lines end at a line break, `\\\\`, `;` or a top-level comma."""
    lines: list[tuple[list[Tok], int, int]] = []
    current: list[Tok] = []
    depth = 0
    start = 0

    def close(end: int) -> None:
        while current and (said := annotation(current)):  # `ŷ − y  (1 × D_y)`: a shape said beside the value
            end = current[said].pos
            del current[said:]
        if current:
            lines.append((list(current), start, end))

    skipping = False
    for i, t in enumerate(tokens):
        if skipping and t.kind != "break":
            continue
        skipping = False
        if (t.kind == "macro" and t.text in ("quad", "qquad", "text_") or is_connective(t)) and depth == 0 and current:
            if has_equals(current) and equation_follows(tokens, i + 1):
                close(t.pos)   # `a = b \qquad \text{and} \qquad c = d`: two equations side by side
                current = []
                continue
            skipping = True   # what follows \quad on a line is a remark: (1 × D_y), \text{elementwise}
            continue
        if t.kind == "open":
            depth += 1
        elif t.kind == "close":
            depth = max(depth - 1, 0)
        if t.kind == "break" or depth == 0 and t.kind == "op" and t.text in (";", ","):
            close(t.pos)
            current = []
            continue
        if t.kind == "op" and t.text == "&" and depth == 0 and has_equals(current) and column_follows(tokens, i + 1):
            close(t.pos)   # `z_1 &= x W_1 & h &= \sigma(z_1)`: an align block's second column
            current = []
            continue
        if t.kind == "op" and t.text in ("&",) or t.kind == "op" and t.text == "." and depth == 0:
            continue
        if is_connective(t):
            continue
        if t.kind == "macro" and t.text in ("quad", "qquad", "label", "tag", "nonumber", "notag"):
            continue
        if not current:
            start = t.pos
        current.append(t)
    close(length)
    lines = joined_declarations(lines)
    out: list[Statement] = []
    for line, begin, end in lines:
        sides: list[list[Tok]] = [[]]
        depth = 0
        if any(t.kind == "op" and t.text == "=" for t in line):  # `… = ŷ − y ∈ ℝ^{1×10}`: the shape is a remark
            at = next((i for i, t in enumerate(line) if t.kind == "macro" and t.text == "in"
                       and any(u.kind == "op" and u.text == "=" for u in line[:i])), None)
            if at is not None:
                end = line[at].pos
                line = line[:at]
        for t in line:
            if t.kind == "open":
                depth += 1
            elif t.kind == "close":
                depth = max(depth - 1, 0)
            if depth == 0 and (t.kind == "op" and t.text == "=" or t.kind == "macro" and t.text in SEPARATORS):
                sides.append([])
                continue
            sides[-1].append(t)
        if not sides[0] and out:
            previous = out[-1]
            out[-1] = Statement(previous.sides + tuple(tuple(s) for s in sides[1:] if s), previous.start, end)
        elif not sides[0] and any(sides):   # `= 2(y − Xw)(−X)` on a line of its own: a value, its left side unsaid
            rest = [s for s in sides[1:] if s]
            out.append(Statement((tuple(rest[-1]),), rest[-1][0].pos, end))
        elif any(sides):
            out.append(Statement(tuple(tuple(s) for s in sides), begin, end))
    return out


def has_equals(tokens: list[Tok]) -> bool:
    return any(t.kind == "op" and t.text == "=" for t in tokens)


def is_connective(t: Tok) -> bool:
    """`\\text{and}`, `\\text{or}`, `\\text{where}`: a word between equations."""
    return t.kind == "macro" and t.text in ("text", "mbox", "textrm") and len(t.args) == 1 and \
        "".join(x.text for x in t.args[0]).strip().lower() in ("and", "or", "where", "with", "then", "so", "i.e.")


def rest_of_line(tokens: list[Tok], i: int) -> list[Tok]:
    out = []
    for t in tokens[i:]:
        if t.kind == "break":
            break
        out.append(t)
    return out


def equation_follows(tokens: list[Tok], i: int) -> bool:
    """Whether the rest of the line is another equation (it has an `=` of its own at the top level)."""
    depth = 0
    for t in rest_of_line(tokens, i):
        depth += (t.kind == "open") - (t.kind == "close")
        if depth == 0 and t.kind == "op" and t.text == "=":
            return True
    return False


def column_follows(tokens: list[Tok], i: int) -> bool:
    """Whether an align row goes on with another equation in a column of its own (`& h &= …`)."""
    rest = rest_of_line(tokens, i)
    return any(a.kind == "op" and a.text == "&" and b.kind == "op" and b.text == "=" for a, b in zip(rest, rest[1:]))


def joined_declarations(lines: list[tuple[list[Tok], int, int]]) -> list[tuple[list[Tok], int, int]]:
    """`w, x \\in \\mathbb{R}^D` was cut at its comma: names alone before a declaration belong to it."""
    out: list[tuple[list[Tok], int, int]] = []
    for line, begin, end in lines:
        if out and any(t.kind == "macro" and t.text == "in" for t in line) and not has_equals(line):
            names, b, _ = out[-1]
            if names and all(t.kind in ("name", "sub", "num", "group") or t.kind == "macro" and t.args
                             for t in names) and not has_equals(names):
                out[-1] = (names + [Tok("op", ",", end)] + line, b, end)
                continue
        out.append((line, begin, end))
    return out


def read(names: Names, text: str, origin: str = "<derivation>") -> MathDerivation:
    """Mathematics → a `MathDerivation`. Raises `ParseError`/`UnknownNameError` (the derivation is unusable)."""
    from .entries import entry_letters, entrywise
    taken: dict[tuple[str, str], Translation] = {}   # ∂z/∂vec(W) = aᵀ ⊗ I: the factors the post gives a value
    from .tokens import to_latex
    latex = to_latex(text)
    tokens = tokenize(text, origin)
    equations: list[Equation] = []
    notes: list[str] = []
    assigned: set[str] = set()
    translate = Translator(names, origin, latex)
    for number, statement in enumerate(statements(tokens, len(latex))):
        sides = [list(side) for side in statement.sides]
        if any(not s for s in sides):
            raise ParseError("an equation has an empty side", origin=origin, source=latex,
                             expected="LEFT = RIGHT, e.g. \\frac{\\partial J}{\\partial W_1} = x^T \\delta_1")
        grammar = lambda toks: Grammar(toks, names.known, origin, latex)  # noqa: E731
        trees = [grammar(s).whole(s) for s in sides]
        written = statement.text(latex)
        if len(trees) == 1:
            chain = chain_of(trees[0], names, translate, None, number, written) \
                if has_partial(trees[0], names) else None
            if chain is not None:
                equations.append(Equation(chain.target, None, None, written, chain))
            else:
                equations.append(Equation(None, None, translate(trees[0]).code, written))
            continue
        lhs, values = trees[0], trees[1:]
        if lhs.kind not in ("partial", "name") and not has_partial(values[-1], names):
            # −(1 − s)y + s(1 − y) = s − y: working whose claim is unsaid; its last value is the answer
            equations.append(Equation(None, None, translate(values[-1]).code, written))
            continue
        target, name, factor = claim(lhs, names)
        if factor is not None:
            value = next((v for v in reversed(values) if not has_partial(v, names)), None)
            if value is not None:
                taken[factor] = translate(value)
                equations.append(Equation(None, None, taken[factor].code, written, factor=factor))
            continue
        while len(values) > 1 and values[-1].kind == "name" and name is not None \
                and names.resolve(str(values[-1].value)) == name:
            values = values[:-1]   # ∂J/∂z2 = ŷ − y = δ1: the last side names what the line is, the value is before it
        value = values[-1]
        if has_partial(value, names) and target is not None and vectorised(value):
            # ∂J/∂vec(W) = ∂J/∂z · ∂z/∂vec(W): the vec form's factors are matrices, and their product is a value
            values = values[:-1] + [M("vec_chain", (value,))]
            value = values[-1]
        elif has_partial(value, names):
            chain = chain_of(value, names, translate, target, number, written)
            equations.append(Equation(target, name, None, written, chain))
            continue
        for earlier in values[:-1]:
            if has_partial(earlier, names) or has_partial(earlier) and len(list(partials(earlier))) > 1:
                try:
                    chain = chain_of(earlier, names, translate, target, number, written)
                except ParseError:   # Σ_i ∂L^{(i)}/∂a^{(i)} ⋯ = Σ_i (a^{(i)} − y^{(i)}): the working before the value
                    notes.append(f"in `{short_text(written)}`, the working between the first and the last `=` has "
                                 "∂-factors inside a sum or another operation, so it is not walked as a chain; "
                                 "the value after the last `=` is judged")
                    continue
                if chain is not None:
                    equations.append(Equation(target, None, None, written, chain))
        translate.target = names.shapes.get(target) if target is not None else None
        claimed = translate.target
        letters = entry_letters(lhs) if claimed else ""   # ∂J/∂W_{ij} = x_i δ_j: a matrix by its entries
        translated = vec_chain(translate, value.args[0], taken, names) if value.kind == "vec_chain" else \
            (entrywise(translate, value, letters, claimed) if letters and claimed else None) or translate(value)
        if claimed and target and lhs.kind == "partial" and is_vec(lhs.args[1]):   # ∂J/∂vec(W) = …
            translated = unvec(translate, translated, target, claimed)
        translate.target = None
        code = translated.code
        equations.append(Equation(target, name, code, written))
        if name and target is None and names.resolve(name) is None and translated.shape is not None:
            names.shapes[name] = translated.shape   # δ₁ = … where the network names no z1: a value of the post's own
            notes.append(f"{name} is a name the derivation gives its own value, {code}")
        if name:
            assigned.add(name)
        if name and name not in names.shapes and target in names.shapes:
            names.shapes[name] = names.shapes[target]
    notes.extend(translate.notes)
    given = []
    assumed = []
    for grad in sorted(translate.gradients_used - assigned):
        if grad in names.given:   # the post says it elsewhere (a code block: dZ2 = A2 - Y)
            given.append(f"{grad} = {names.given[grad]}")
            notes.append(f"{grad} is taken as the post itself writes it: {grad} = {names.given[grad]}")
            continue
        truth = true_gradient(names, grad[1:])
        if truth is not None:
            given.append(f"{grad} = {truth}")
            assumed.append(grad)
            notes.append(unwritten_note(grad, names.loss, truth))
    return MathDerivation(tuple(equations), tuple(notes), tuple(given), tuple(assumed),
                          tuple(g for g in assumed if g in translate.d_names))


def unwritten_note(grad: str, loss: str, truth: str, per_example: str | None = None) -> str:
    """What a gradient used but never written is taken to be: ∂J/∂node, or, when the post brings the
    batch's 1/m back itself, a course's per-example error m·∂J/∂node."""
    if per_example is None:
        return f"{grad} is used but never written out: it is taken as ∂{loss}/∂{grad[1:]} = {truth}"
    m = per_example
    return (f"{grad} is used but never written out, and the post brings the 1/{m} back itself: it is taken as "
            f"the per-example error, as deeplearning.ai writes it, {grad} = {m}·∂{loss}/∂{grad[1:]} = {truth}")


def true_gradient(names: Names, node: str) -> str | None:
    return names.truth(node) if names.truth is not None else None


def claim(lhs: M, names: Names) -> tuple[str | None, str | None, tuple[str, str] | None]:
    """What the left side claims: (node, the derivation's name for it, or a factor (of, wrt))."""
    if lhs.kind == "partial" and lhs.args[0].kind == "call" and lhs.args[0].value == "vec" and len(lhs.args[0].args) == 1:
        lhs = M("partial", (lhs.args[0].args[0], lhs.args[1]), pos=lhs.pos)   # ∂vec(z)/∂vec(W): a factor of z
    if lhs.kind == "partial" and lhs.args[0].kind == "call":
        # ∇_w ln(s(Xw)) = 1 − s(Xw): the gradient of a piece of the loss, a step of the working, not ∂J/∂w
        return None, None, (f"{lhs.args[0].value}(…)", node_of(lhs.args[1], names))
    if lhs.kind == "partial":
        wrt = node_of(lhs.args[0 + 1], names)
        try:
            of = node_of(lhs.args[0], names)
        except ParseError:  # ∂MSE/∂w, ∇e_n(w): a name for the loss the network calls otherwise
            of = names.loss
        if of == names.loss or of in ("J", "L"):
            return wrt, f"d{wrt}", None
        return None, None, (of, wrt)
    if lhs.kind == "name":
        written = lhs.value
        resolved = names.resolve(written)
        if resolved is not None and resolved.startswith("d") and resolved[1:] in names.shapes:
            return resolved[1:], resolved, None
        if written.startswith("d") and names.resolve(written[1:]) is not None:
            node = names.resolve(written[1:])
            return node, f"d{node}", None
        if resolved in names.leaves:   # "the gradient wrt W_ij: W_ij = …": a leaf is never defined by an equation
            return resolved, f"d{resolved}", None
        if resolved is not None and resolved in names.shapes and not written.startswith(("delta", "Delta")):
            return None, resolved, None
        return None, written if written.isidentifier() else None, None
    raise ParseError("the left side of an equation must be a derivative (∂J/∂W1), δ1, or a name",
                     expected="\\frac{\\partial J}{\\partial W_1} = …")


def node_of(m: M, names: Names) -> str:
    if m.kind == "call" and m.value == "vec" and len(m.args) == 1:   # ∂J/∂vec(W): W's gradient, stacked
        return node_of(m.args[0], names)
    if m.kind == "name" and m.value == "<output>" and names.output is not None:
        return names.output
    if m.kind == "name":
        resolved = names.resolve(m.value)
        if resolved is not None and resolved in names.shapes and not (resolved.startswith("d") and resolved[1:]
                                                                      in names.shapes and m.value != resolved):
            return resolved
        raise ParseError(f"∂{m.written or m.value}: {m.value!r} is not a node of the network",
                         expected="one of " + ", ".join(list(names.shapes)[:30]))
    if m.kind == "call" and len(m.args) == 1 and m.args[0].kind == "name":   # ∂softmax(β)/∂β: the node softmax(β) is
        argument = names.resolve(str(m.args[0].value))
        for text, node in names.defined_as.items():
            if text == f"{m.value}({argument})" or text.startswith(f"{m.value}({argument}, "):
                return node
    raise ParseError("a ∂-factor must be a derivative of one node with respect to another (∂z1/∂W1)")


def has_partial(m: M, names: Names | None = None) -> bool:
    """Whether `m` holds a ∂-factor that is a Jacobian (∂z1/∂W1); with `names`, a gradient of the loss
    (∂J/∂z2, ∇C) is a value, not a factor of a chain, unless a Jacobian follows it."""
    if names is not None:
        return any(is_jacobian(p, names) for p in partials(m))
    return m.kind == "partial" or any(isinstance(a, M) and has_partial(a) for a in m.args)


def partials(m: M):
    if m.kind == "partial":
        yield m
    for a in m.args:
        if isinstance(a, M):
            yield from partials(a)


def is_jacobian(p: M, names: Names) -> bool:
    of = p.args[0]
    if of.kind == "name":
        resolved = names.resolve(of.value)
        return resolved is not None and resolved != names.loss and resolved in names.shapes
    return True


PRODUCTS = ("prod", "matmul", "had")


def flatten_product(m: M, kind: str = "", written: str = "") -> list[tuple[str, str, M]]:
    """A product → its factors, each with the operator written before it (`·`, `∘`, juxtaposition)."""
    if m.kind in PRODUCTS:
        return flatten_product(m.args[0], kind, written) + flatten_product(m.args[1], m.kind, m.written)
    return [(kind, written, m)]


def joined(pending: list[tuple[str, str, M]]) -> M:
    """Factors back into one product, each joined by the operator the learner wrote."""
    expr = pending[0][2]
    for kind, written, factor in pending[1:]:
        expr = M(kind or "prod", (expr, factor), written=written or "·")
    return expr


def chain_of(m: M, names: Names, translate: Translator, target: str | None, number: int,
             written: str) -> Chain | None:
    """A product with ∂-factors in it → the chain as written. Runs of expressions between ∂-factors
    stand for the factors they replace: from where the chain had got to, to the next factor's top."""
    if not has_partial(m):
        return None
    factors = flatten_product(m)
    if any(f.kind != "partial" and has_partial(f) for _, _, f in factors):
        raise ParseError("a ∂-factor can only be chained by products (∂J/∂z1 · ∂z1/∂W1)",
                         expected="a product of ∂-factors, or of the expressions they stand for")
    items: list[Item] = []
    pending: list[tuple[str, str, M]] = []
    at = names.loss
    for kind, written_op, f in factors:
        if f.kind != "partial":
            pending.append((kind if pending else "", written_op if pending else "", f))
            continue
        of, wrt = node_of(f.args[0], names), node_of(f.args[1], names)
        if pending:
            t = translate(joined(pending))
            items.append(Item(at, of, t.code, shape=t.shape))
            pending = []
        items.append(Item(of, wrt, elementwise=kind == "had"))
        at = wrt
    if pending:
        t = translate(joined(pending))
        items.append(Item(at, target or at, t.code, shape=t.shape))
    end = items[-1].wrt if items else None
    return Chain(cast(str, target or end), tuple(items), number, written)  # a ∂-factor gives one item at least


def short_text(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def vec_chain(translate: Translator, m: M, taken: dict, names) -> Translation:
    """`∂J/∂z · ∂z/∂vec(W)`: in vec form every factor is a matrix (a gradient is the row vec(∂J/∂z)ᵀ, a Jacobian
    ∂vec(z)/∂vec(W) is size(z) × size(W)), so the chain is their matrix product, a row of size(W) entries.
    A Jacobian is the value the post gives it (∂z/∂vec(W) = aᵀ ⊗ I); the loss's gradient at a node is ∂J/∂node."""
    out: Translation | None = None
    for _, _, factor in flatten_product(m):
        if factor.kind == "partial":
            of, wrt = node_of(factor.args[0], names), node_of(factor.args[1], names)
            if of == names.loss:
                t = translate.go(M("partial", (M("name", value=of), M("name", value=wrt))))
                t = vec(translate, t)
                t = Translation(f"{translate_wrap(t)}.T", (t.shape[1], t.shape[0]) if t.shape else None, POSTFIX)
            elif (of, wrt) in taken:
                t = taken[(of, wrt)]
            else:
                raise translate.error(f"the chain in vec form needs a value for ∂{of}/∂vec({wrt}), which the post does "
                                      "not give", f"a line such as \\frac{{\\partial {of}}}{{\\partial vec({wrt})}} = …")
        else:
            t = translate.go(factor)
        out = t if out is None else translate.joined(out, t, "@")
    assert out is not None
    translate.note("the chain in vec form read as the matrix product of its factors (the loss's gradient at a node "
                   "as the row vec(∂J/∂node)ᵀ)")
    return out
