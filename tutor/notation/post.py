"""A question as posted (Markdown with `$…$`, `$$…$$`, `\\begin{align*}`, prose between) → its pieces.

markdown-it-py finds the structure and mdit-py-plugins' dollar-math and amsmath find the mathematics,
so `$` inside code and `*` inside math are never mistaken. Prose is kept too: it is where a post says
"x is 1×Dx". Both libraries are imported only here, when a post is read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..engine.language.dims import Dim, Shape
from .plain import convention, declarations, is_math_block, math_lines, size_statement, without_remarks
from .sentences import prose_equations
from .tokens import Tok, tokenize

#: Display math written with brackets, which Markdown would otherwise read as escaped brackets.
BRACKETS = ((re.compile(r"\\\[(.+?)\\\]", re.S), r"$$\1$$"), (re.compile(r"\\\((.+?)\\\)", re.S), r"$\1$"),
            # an environment set inside a sentence ("… written as \begin{align} … \end{align} where …"), which
            # Markdown reads as text: it is display mathematics all the same
            (re.compile(r"(?<=[^\s$])([ \t]*)\\begin\{(align|equation|gather|multline)\*?\}(.+?)\\end\{\2\*?\}", re.S),
             r"\1$$\3$$"))


@dataclass
class Post:
    math: list[str] = field(default_factory=list)        # each display block or inline formula, in order
    prose: list[str] = field(default_factory=list)       # the text between, inline math written plainly
    code: list[str] = field(default_factory=list)        # code blocks (a network may be given as code)
    convention: str | None = None                        # "rows" or "columns", when the post says which
    typed: list[str | None] = field(default_factory=list)  # each piece of `math` as the post has it, if it was rewritten


def read_post(text: str) -> Post:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.amsmath import amsmath_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    for pattern, replacement in BRACKETS:
        text = pattern.sub(replacement, text)
    md = MarkdownIt("commonmark").use(dollarmath_plugin, allow_space=True, allow_digits=True,
                                      double_inline=True).use(amsmath_plugin)
    post = Post()
    for token in md.parse(text):
        if token.type in ("math_block", "math_block_label", "amsmath"):
            post.math.append(size_statement(token.content) or token.content)
        elif token.type in ("fence", "code_block") and is_math_block(token.content, token.info):
            post.math.append(math_lines(token.content))   # plain mathematics set apart by indenting or a fence
        elif token.type in ("fence", "code_block"):
            post.code.append(token.content)
        elif token.type == "inline":
            if not any(c.type.startswith("math") for c in token.children or ()):
                post.math.extend(without_remarks(REMARK.split(equation, 1)[0]) for line in prose_lines(token)
                                 for equation in prose_equations(line, typed_math))
            post.math.extend(d for line in token.content.splitlines() if "$" not in line   # LaTeX is read above
                             for d in declarations(line))
            words = []
            for child in token.children or ():
                if child.type in ("math_inline", "math_inline_double"):
                    post.math.append(size_statement(child.content) or child.content)
                    words.append(plain(child.content))
                elif child.type in ("text", "code_inline"):
                    words.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    words.append("\n")
            post.prose.append("".join(words))
    post.convention = convention(post.prose)
    return post


def prose_lines(token) -> list[str]:
    """A paragraph's lines as typed (a `*` is a product, never the emphasis Markdown would make of it), with
    what a code span holds (`dW1 = x.T @ dz1`) set on a line of its own: a span is how a post without
    MathJax marks its mathematics."""
    lines: list[str] = []
    for line in token.content.splitlines():
        line = SAID_EQUAL.sub(lambda m: f"`{m.group(1) or m.group(3)} = {m.group(2) or m.group(4)}`", line)   # `dZ1` (which should be = `…`)
        lines.extend(ESCAPED.sub(r"\1", part).strip() if i % 2 == 0 else part.strip()
                     for i, part in enumerate(CODE_SPAN.split(line)))
    # words in Chinese or Japanese, and their full-width punctuation, end the mathematics typed between them
    return [piece.strip() for line in lines for piece in CJK.split(line) if piece.strip()]


#: A run of CJK characters or full-width punctuation ("，其中", "（2），"): prose around typed mathematics.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
CODE_SPAN = re.compile(r"`+([^`]+)`+")
#: "`dZ^[1]` (which should be = `W^[2]TdZ^[2]*…`)", "`dW` should be `dZ X.T`": one equation in two code spans.
SAID_EQUAL = re.compile(r"`([^`=]+)`\s*\(?\s*(?:which\s+)?(?:(?:should|must|would)\s+be|equals|is\s+equal\s+to)\s*=?\s*"
                        r"`([^`=]+)`\)?|`([^`=]+)`\s*\(?\s*=\s*`([^`=]+)`\)?")
#: Markdown's escapes, as a post typed to keep `*` and `_` from making emphasis: W\_1, x\*W1.
ESCAPED = re.compile(r"\\([*_`#\[\]<>|~])")


#: A line of prose that is an equation typed plainly: `=2(y-Xw)(-X)`, `dW1 = x' delta1`.
TYPED = re.compile(r"[\w\s@'^*∗⋅∙+\-/()\[\]=.,|·×∘⊙ᵀ−ŷδσ∂∑Σ₀-₉<>]+")
REMARK = re.compile(r",?\s+(?:where|with|which|for|if)\s")   # `dZ1 = …, where * is elementwise`: the remark goes
PROSE_WORDS = re.compile(r"(?:\b[A-Za-z]{3,}\b[\s,]+){3,}")


#: Words that may lead an equation typed in a sentence: "so dW1 = …", "then δ1 = …".
LEADS = re.compile(r"^(?:(?:so|then|thus|hence|therefore|and|now|i\.e\.|ie|we get|giving)[\s,:]+)+", re.I)
#: A word of prose before the `=`: "Contracting δ1 = …", "with entries ∂z1_k/∂W1_ij = …" is a sentence.
PROSE_BEFORE = re.compile(r"\b[A-Za-z]{4,}\s+\S")


def typed_math(line: str) -> bool:
    line = line.strip()
    return bool(line) and len(line) < 200 and "=" in line and TYPED.fullmatch(line) is not None \
        and PROSE_WORDS.search(line) is None and PROSE_BEFORE.search(LEADS.sub("", line.split("=", 1)[0])) is None


def plain(math: str) -> str:
    """Inline math written plainly for the prose reader: `W_1` → W1, `1 \\times D_x` → 1×Dx."""
    try:
        tokens = tokenize(math, "<post>")
    except Exception:  # noqa: BLE001 - prose is read on a best-effort basis
        return math
    return "".join(plain_token(t) for t in tokens)


def plain_token(t: Tok) -> str:
    if t.kind == "macro":
        if t.text in ("times", "cdot"):
            return "×"
        if t.text in ("hat", "widehat") and t.args:
            return "".join(plain_token(a) for a in t.args[0]) + "hat"
        if t.args:
            return "".join(plain_token(a) for a in t.args[0])
        if t.text == "in":
            return " ∈ "
        return ""
    if t.kind == "group":
        return "".join(plain_token(a) for a in t.args)
    if t.kind in ("sub", "sup"):
        return "" if t.kind == "sub" else "^"
    return t.text if t.kind != "break" else " "


#: A name in prose, with a layer written after it: W1, W[1], W^[1], W^(1) (all W1).
LAYERED = r"[A-Za-z][A-Za-z0-9]*(?:\^?\[\d+\]|\^\(\d+\)|\^\d+)?"
#: "x is 1×Dx", "W1 is a Dx × H matrix", "b1: H×1", "W1 (Dx×H)".
PROSE_SHAPE = re.compile(
    rf"\b(?P<name>{LAYERED})\s*(?:is|are|:|∈|has shape|of shape|has size|with shape|has dimensions?"
    r"|\(|, a|, an)\s*(?:an?\s+|of\s+|the\s+)?(?:shape\s+|size\s+|dimensions?\s+)?"
    r"(?:(?!(?:is|are|and|or|but|where|with|has|of|by|x)\b)[a-z][a-z-]*\s+){0,3}?(?:of\s+(?:shape|size)\s+)?[(\[]?\s*"
    r"\b(?P<a>[A-Za-z0-9]+?)\s*(?:×|\bx\b|(?<=\d)x(?=\w)|\*|\bby\b)\s*(?P<b>[A-Za-z0-9]+)\s*[)\]]?(?!\w)")
#: "x has shape (1, Dx)", "W1 of shape [Dx, H]".
PROSE_TUPLE = re.compile(
    rf"\b(?P<name>{LAYERED})\s*(?:has shape|of shape|with shape|'s shape is|has dimensions?|=|is)\s*"
    r"[(\[]\s*(?P<a>[A-Za-z0-9]+)\s*,\s*(?P<b>[A-Za-z0-9]+)\s*[)\]]")
#: Where a clause begins: a shape said after one (", where x is 1×n") is about a name, not about a value
#: written before it on the line (`∂J/∂z2 = ŷ − y (1×Dy)`).
CLAUSE_STARTS = ("\n", ". ", ", ", " where ", " with ", " and ", "; ")
NOT_NAMES = {"it", "is", "this", "that", "which", "shape", "size", "matrix", "vector", "where", "and", "of", "a", "an"}


#: A shape said about a symbol with more words between ("Y, one-hot encoded, has shape N x C", "the labels
#: Y (one-hot, N x C)", "Y holds one-hot rows, N x C"): only lower-case words, commas and brackets between,
#: none that hands the shape on to something else ("W2 gives an output 1 x Dy"). Read last, so a shape
#: said plainly anywhere comes first.
FILLER = r"(?:(?!(?:and|or|but|where|which|gives?|produces?|outputs?|maps?|returns?|yields?|to|into|from|times" \
    r"|than|then|so|equals?|becomes?|x|by)\b)[a-z][a-z-]*(?![a-z-])|[,(:])"   # a whole word: never split in two
PROSE_STATED = re.compile(
    rf"(?<![\w\\])(?P<name>{LAYERED})(?![A-Za-z0-9])(?:\s*{FILLER}){{1,6}}\s*[(\[]?\s*"
    r"\b(?P<a>[A-Za-z0-9]+?)\s*(?:×|\bx\b|(?<=\d)x(?=\w)|\*|\bby\b)\s*(?P<b>[A-Za-z0-9]+)\s*[)\]]?(?!\w)")


def prose_shapes(prose: list[str]) -> dict[str, Shape]:
    from .symbols import FUNCTIONS
    out: dict[str, Shape] = {}
    for patterns in ((PROSE_TUPLE, PROSE_SHAPE), (PROSE_STATED,)):   # said plainly first, with words between last
        for paragraph in prose:
            for pattern in patterns:
                for m in pattern.finditer(paragraph):
                    name, a, b = re.sub(r"[\^\[\]()]", "", m.group("name")), m.group("a"), m.group("b")
                    clause = max(paragraph.rfind(sep, 0, m.start()) + len(sep) for sep in CLAUSE_STARTS)
                    if "=" in paragraph[clause:m.start()] or pattern is PROSE_STATED and "=" in m.group():
                        continue   # `∂J/∂z2 = ŷ − y (1×Dy)`: the shape of the value, not of y
                    if name.lower() in NOT_NAMES or name.isdigit() or name in FUNCTIONS or name.lower() in FUNCTIONS:
                        continue
                    if pattern is PROSE_STATED and len(name) > 3 and not re.search(r"[\d_]", name):
                        continue   # a word ("labels"), not a symbol
                    if any(len(d) >= 4 and d.isalpha() and d.islower() for d in (a, b)) or \
                            paragraph[max(0, m.start() - 1):m.start()] in ("'", "’"):
                        continue   # "differentiate by W1", "don't": words, not a shape
                    try:
                        out.setdefault(name, (dim(a), dim(b)))
                    except ValueError:
                        continue
    return out


def dim(text: str) -> Dim:
    if text.isdigit():
        if int(text) < 1:
            raise ValueError(text)
        return Dim(int(text))
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", text):
        raise ValueError(text)
    return Dim.symbol(text)
