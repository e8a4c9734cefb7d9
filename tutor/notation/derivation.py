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

from ..engine.errors import ParseError
from .grammar import Grammar, M
from .tokens import Tok, tokenize
from .translate import Names, Translator

#: What only mathematics has (code never has a backslash, ^ or a prime).
MATH_MARKS = re.compile(r"[\\^'′ᵀŷŶ−∘⊙·⋅σδΔ∂∇Σ∑₀-₉ᵢⱼ⊤‖×∈ℝ]|\$|\bd[A-Za-z]\w*\s*/\s*d[A-Za-z]")


def looks_like_math(text: str) -> bool:
    """Whether a derivation is written as mathematics rather than in the network language.
    Python that parses stays code (its own reader refuses what is outside the language), unless it
    is math that happens to parse: `W^T` (an XOR) or a name such as `ŷ`."""
    import ast
    try:
        tree = ast.parse(text.replace(";", "\n")) if len(text) < 100_000 else None
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    if tree is not None:
        return any(isinstance(node, ast.BitXor) or isinstance(node, ast.Name) and not node.id.isascii()
                   for node in ast.walk(tree))
    without_comments = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    return bool(MATH_MARKS.search(without_comments))


@dataclass(frozen=True)
class Item:
    """One factor of a chain as written: a ∂-factor (of, wrt), or an expression standing for factors."""

    of: str
    wrt: str
    code: str | None = None     # for an expression: its code; None for a ∂-factor
    written: str = ""


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
class Reading:
    equations: tuple[Equation, ...]
    notes: tuple[str, ...] = ()
    given: tuple[str, ...] = ()         # lines the learner used without writing (δ1 read as ∂J/∂z1)

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
                out.append(f"d{e.chain.target} = " + " · ".join(
                    i.code if i.code is not None else f"∂{i.of}/∂{i.wrt}" for i in e.chain.items))
            else:
                out.append(f"{e.name} = {e.code}" if e.name else e.code)
        return out


def statements(tokens: list[Tok]) -> list[list[list[Tok]]]:
    """Tokens → equations, each a list of sides split at `=`; a line that starts with `=` continues the
    previous equation (`&= …` in an align block)."""
    lines: list[list[Tok]] = [[]]
    depth = 0
    for t in tokens:
        if t.kind == "open":
            depth += 1
        elif t.kind == "close":
            depth = max(depth - 1, 0)
        if t.kind == "break" or depth == 0 and t.kind == "op" and t.text in (";",):
            lines.append([])
            continue
        if t.kind == "op" and t.text in ("&", ",", ".") and depth == 0:
            if t.text == ",":
                lines.append([])
            continue
        if t.kind == "macro" and t.text in ("quad", "qquad", "text_", "label", "tag", "nonumber"):
            continue
        lines[-1].append(t)
    out: list[list[list[Tok]]] = []
    for line in lines:
        if not line:
            continue
        sides: list[list[Tok]] = [[]]
        depth = 0
        for t in line:
            if t.kind == "open":
                depth += 1
            elif t.kind == "close":
                depth = max(depth - 1, 0)
            if depth == 0 and (t.kind == "op" and t.text == "=" or t.kind == "macro" and t.text in
                               ("coloneqq", "equiv", "triangleq", "eqqcolon", "approx")):
                sides.append([])
                continue
            sides[-1].append(t)
        if not sides[0] and out:
            out[-1].extend(s for s in sides[1:] if s)
        elif any(sides):
            out.append([s for s in sides])
    return out


def written_text(source: str, tokens: list[Tok]) -> str:
    if not tokens:
        return ""
    start = tokens[0].pos
    last = tokens[-1]
    end = last.pos + max(len(last.text), 1)
    if last.kind in ("macro", "group"):
        end = source.find("}", end) + 1 or len(source)
    return source[start:end].strip()


def read(names: Names, text: str, origin: str = "<derivation>") -> Reading:
    """Mathematics → a `Reading`. Raises `ParseError`/`UnknownNameError` (the derivation is unusable)."""
    from .tokens import to_latex
    latex = to_latex(text)
    tokens = tokenize(text, origin)
    equations: list[Equation] = []
    notes: list[str] = []
    assigned: set[str] = set()
    translate = Translator(names, origin, latex)
    for number, sides in enumerate(statements(tokens)):
        if any(not s for s in sides):
            raise ParseError("an equation has an empty side", origin=origin, source=latex,
                             expected="LEFT = RIGHT, e.g. \\frac{\\partial J}{\\partial W_1} = x^T \\delta_1")
        grammar = lambda toks: Grammar(toks, names.known, origin, latex)  # noqa: E731
        trees = [grammar(s).whole(s) for s in sides]
        written = " = ".join(written_text(latex, s) for s in sides)
        if len(trees) == 1:
            chain = chain_of(trees[0], names, translate, None, number, written)
            if chain is not None:
                equations.append(Equation(chain.target, None, None, written, chain))
            else:
                equations.append(Equation(None, None, translate(trees[0]).code, written))
            continue
        lhs, values = trees[0], trees[1:]
        target, name, factor = claim(lhs, names)
        if factor is not None:
            value = next((v for v in reversed(values) if not has_partial(v)), None)
            if value is not None:
                equations.append(Equation(None, None, translate(value).code, written, factor=factor))
            continue
        value = values[-1]
        if has_partial(value):
            chain = chain_of(value, names, translate, target, number, written)
            equations.append(Equation(target, name, None, written, chain))
            continue
        for earlier in values[:-1]:
            if has_partial(earlier):
                chain = chain_of(earlier, names, translate, target, number, written)
                if chain is not None:
                    equations.append(Equation(target, None, None, written, chain))
        code = translate(value).code
        equations.append(Equation(target, name, code, written))
        if name:
            assigned.add(name)
        if name and name not in names.shapes and target in names.shapes:
            names.shapes[name] = names.shapes[target]
    notes.extend(translate.notes)
    given = []
    for grad in sorted(translate.gradients_used - assigned):
        truth = true_gradient(names, grad[1:])
        if truth is not None:
            given.append(f"{grad} = {truth}")
            notes.append(f"{grad} is used but never written out: it is taken as ∂{names.loss}/∂{grad[1:]} = {truth}")
    return Reading(tuple(equations), tuple(notes), tuple(given))


def true_gradient(names: Names, node: str) -> str | None:
    return names.truth(node) if names.truth is not None else None


def claim(lhs: M, names: Names) -> tuple[str | None, str | None, tuple[str, str] | None]:
    """What the left side claims: (node, the derivation's name for it, or a factor (of, wrt))."""
    if lhs.kind == "partial":
        of, wrt = node_of(lhs.args[0], names), node_of(lhs.args[1], names)
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
        if resolved is not None and resolved in names.shapes and not written.startswith(("delta", "Delta")):
            return None, resolved, None
        return None, written if written.isidentifier() else None, None
    raise ParseError("the left side of an equation must be a derivative (∂J/∂W1), δ1, or a name",
                     expected="\\frac{\\partial J}{\\partial W_1} = …")


def node_of(m: M, names: Names) -> str:
    if m.kind == "name":
        resolved = names.resolve(m.value)
        if resolved is not None:
            return resolved
        raise ParseError(f"∂{m.written or m.value}: {m.value!r} is not a node of the network",
                         expected="one of " + ", ".join(list(names.shapes)[:30]))
    raise ParseError("a ∂-factor must be a derivative of one node with respect to another (∂z1/∂W1)")


def has_partial(m: M) -> bool:
    return m.kind == "partial" or any(isinstance(a, M) and has_partial(a) for a in m.args)


PRODUCTS = ("prod", "matmul", "had")


def flatten_product(m: M) -> list[M]:
    if m.kind in PRODUCTS:
        return flatten_product(m.args[0]) + flatten_product(m.args[1])
    return [m]


def chain_of(m: M, names: Names, translate: Translator, target: str | None, number: int,
             written: str) -> Chain | None:
    """A product with ∂-factors in it → the chain as written. Runs of expressions between ∂-factors
    stand for the factors they replace: from where the chain had got to, to the next factor's top."""
    if not has_partial(m):
        return None
    factors = flatten_product(m)
    if any(f.kind != "partial" and has_partial(f) for f in factors):
        raise ParseError("a ∂-factor can only be chained by products (∂J/∂z1 · ∂z1/∂W1)",
                         expected="a product of ∂-factors, or of the expressions they stand for")
    items: list[Item] = []
    pending: list[M] = []
    at = names.loss
    for f in factors:
        if f.kind != "partial":
            pending.append(f)
            continue
        of, wrt = node_of(f.args[0], names), node_of(f.args[1], names)
        if pending:
            expr = pending[0]
            for nxt in pending[1:]:
                expr = M("prod", (expr, nxt), written="·")
            items.append(Item(at, of, translate(expr).code))
            pending = []
        items.append(Item(of, wrt))
        at = wrt
    if pending:
        expr = pending[0]
        for nxt in pending[1:]:
            expr = M("prod", (expr, nxt), written="·")
        items.append(Item(at, target or at, translate(expr).code))
    end = items[-1].wrt if items else None
    return Chain(target or end, tuple(items), number, written)
