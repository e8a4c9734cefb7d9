"""Mathematics as written → tokens: LaTeX (through pylatexenc), Unicode math and typed math alike.

Unicode is first rewritten as the LaTeX it stands for; pylatexenc then finds the macros, their
arguments and the groups, and the plain characters between them are cut into names, numbers and
operators here. A token keeps its offset in the (rewritten) text for messages.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..engine.errors import ParseError
from .symbols import SUBSCRIPTS, SUPERSCRIPTS, UNICODE

#: How many arguments a macro reads when pylatexenc did not attach them.
ARGUMENTS = {"frac": 2, "dfrac": 2, "tfrac": 2, "hat": 1, "widehat": 1, "bar": 1, "overline": 1, "tilde": 1,
             "widetilde": 1, "dot": 1, "vec": 1, "boldsymbol": 1, "mathbf": 1, "bm": 1, "mathrm": 1, "mathit": 1,
             "mathsf": 1, "pmb": 1, "text": 1, "operatorname": 1, "textrm": 1, "textnormal": 1, "mbox": 1,
             "mathcal": 1, "mathbb": 1, "Bbb": 1, "mathscr": 1, "sqrt": 1, "textbf": 1, "textit": 1, "mathop": 1,
             "underline": 1, "label": 1, "tag": 1, "texttt": 1, "textsf": 1, "mathtt": 1, "underbrace": 1,
             "overbrace": 1, "hspace": 1, "vspace": 1, "phantom": 1, "mathnormal": 1, "mathbold": 1, "symbf": 1,
             "symbfit": 1, "symit": 1, "symrm": 1, "mathbfit": 1, "vb": 1, "vv": 1, "va": 1, "textup": 1, "emph": 1}
MAX_TOKENS = 20_000
DIGITS = set("0123456789")


@dataclass(frozen=True)
class Tok:
    kind: str            # name num op open close sub sup prime macro group break
    text: str = ""
    pos: int = 0
    args: tuple = field(default=(), compare=False)   # a macro's arguments, each a tuple of tokens; a group's tokens

    def __repr__(self) -> str:  # short, for tests and messages
        if self.kind == "macro":
            return f"\\{self.text}" + "".join("{" + " ".join(map(repr, a)) + "}" for a in self.args)
        if self.kind == "group":
            return "{" + " ".join(map(repr, self.args)) + "}"
        return self.text


def to_latex(text: str) -> str:
    """Unicode math → the LaTeX it stands for: `W₂ᵀ` → `W_{2}^{T}`, `ŷ` → `\\hat{y}`, `y + U+0302` too."""
    return to_latex_mapped(text)[0]


def as_written(text: str, start: int, end: int) -> str:
    """The part of `text` that its LaTeX's characters start..end came from: a statement shown as the
    asker typed it (`∂J/∂W₁ = xᵀδ₁`), not as the LaTeX it was read through."""
    from bisect import bisect_right
    _, origins = to_latex_mapped(text)
    start = max(0, min(start, len(origins) - 1))
    end = max(start, min(end, len(origins) - 1))
    if end == start:
        return ""
    # the end is where the next character of the text begins (`₁₂` is one piece `_{12}` of the LaTeX)
    return text[origins[start]:origins[bisect_right(origins, origins[end - 1])]]


def to_latex_mapped(text: str) -> tuple[str, list[int]]:
    """`to_latex`, with where each character of the LaTeX came from in `text` (one more entry at the end)."""
    out: list[str] = []
    origins: list[int] = []

    def put(piece: str, at: int) -> None:
        out.append(piece)
        origins.extend([at] * len(piece))

    i = 0
    while i < len(text):
        ch = text[i]
        if i + 1 < len(text) and text[i + 1] == "\u0302":  # a letter with a combining circumflex
            put(r"\hat{" + ch + "}", i)
            i += 2
            continue
        if ch in SUBSCRIPTS:
            j = i
            while j < len(text) and text[j] in SUBSCRIPTS:
                j += 1
            put("_{" + "".join(SUBSCRIPTS[c] for c in text[i:j]) + "}", i)
            i = j
            continue
        if ch in SUPERSCRIPTS:
            j = i
            while j < len(text) and text[j] in SUPERSCRIPTS:
                j += 1
            put("^{" + "".join(SUPERSCRIPTS[c] for c in text[i:j]) + "}", i)
            i = j
            continue
        if ch in UNICODE and ch.isalpha() and text[i + 1:i + 2] in DIGITS:  # δ1 typed: δ₁
            j = i + 1
            while j < len(text) and text[j] in DIGITS:
                j += 1
            put(UNICODE[ch].strip() + "_{" + text[i + 1:j] + "}", i)
            i = j
            continue
        if ch in UNICODE:
            put(UNICODE[ch], i)
        elif ord(ch) > 127:
            # bold and italic math letters (𝐖, 𝑥) are their plain letters
            plain = unicodedata.normalize("NFKC", ch)
            put(plain if plain.isascii() else ch, i)
        else:
            put(ch, i)
        i += 1
    origins.append(len(text))
    return "".join(out), origins


def tokenize(text: str, origin: str = "<derivation>") -> list[Tok]:
    """LaTeX / Unicode / typed math → a list of tokens (groups and macro arguments nested)."""
    from pylatexenc.latexwalker import LatexWalker  # only when mathematics is read

    latex = to_latex(text)
    try:
        nodes, _, _ = LatexWalker(latex, tolerant_parsing=True).get_latex_nodes()
    except RecursionError:
        raise ParseError("the LaTeX is nested too deeply to be read", origin=origin,
                         expected="fewer nested groups and fractions") from None
    except Exception as exc:  # pylatexenc's own errors: an unbalanced group and the like
        raise ParseError(f"cannot read this as LaTeX: {exc}", origin=origin) from None
    count = [0]
    tokens = attach_arguments(flatten(nodes or [], count))
    if count[0] > MAX_TOKENS:
        raise ParseError(f"the mathematics is too long ({count[0]:,} tokens; the limit is {MAX_TOKENS:,})",
                         origin=origin)
    return tokens


def flatten(nodes, count: list[int]) -> list[Tok]:
    from pylatexenc.latexwalker import (LatexCharsNode, LatexCommentNode, LatexEnvironmentNode, LatexGroupNode,
                                        LatexMacroNode, LatexMathNode, LatexSpecialsNode)
    out: list[Tok] = []
    for node in nodes:
        if node is None:
            continue
        count[0] += 1
        if count[0] > MAX_TOKENS:
            break
        pos = node.pos or 0
        if isinstance(node, LatexCharsNode):
            out.extend(characters(node.chars, pos))
        elif isinstance(node, LatexSpecialsNode):
            out.extend(characters(node.specials_chars, pos))
        elif isinstance(node, LatexCommentNode):
            continue
        elif isinstance(node, LatexGroupNode):
            out.append(Tok("group", "{", pos, tuple(flatten(node.nodelist, count))))
        elif isinstance(node, (LatexMathNode, LatexEnvironmentNode)):
            out.extend(flatten(node.nodelist, count))
            if isinstance(node, LatexEnvironmentNode):
                out.append(Tok("break", "\n", pos))
        elif isinstance(node, LatexMacroNode):
            args = []
            if node.nodeargd is not None:
                for arg in node.nodeargd.argnlist or ():
                    if arg is None:
                        continue
                    inner = arg.nodelist if isinstance(arg, LatexGroupNode) else [arg]
                    args.append(tuple(flatten(inner, count)))
            name = node.macroname
            if name == "\\":
                out.append(Tok("break", "\\\\", pos))
            elif name in ("|", "Vert", "lVert", "rVert"):
                out.append(Tok("op", "‖", pos))
            elif name in ("{", "lbrace"):
                out.append(Tok("open", "(", pos))
            elif name in ("}", "rbrace"):
                out.append(Tok("close", ")", pos))
            elif name in ("langle",):
                out.append(Tok("open", "(", pos))
            elif name in ("rangle",):
                out.append(Tok("close", ")", pos))
            elif name in ("lvert", "rvert", "vert"):
                out.append(Tok("op", "|", pos))
            elif name in ("lbrack",):
                out.append(Tok("open", "[", pos))
            elif name in ("rbrack",):
                out.append(Tok("close", "]", pos))
            elif name == "'" or name == "`":  # a prime that pylatexenc took for an accent
                out.append(Tok("prime", "'", pos))
                out.extend(t for a in args for t in a)
            else:
                out.append(Tok("macro", name, pos, tuple(args)))
    return out


OPERATORS = set("+-=/,;|&*<>!:")
#: A layer typed in brackets just before: `W[2]` (then `T` is its transpose), `W[2]T` (then `.` is a product).
LAYER_BEFORE = re.compile(r"[A-Za-z]\^?\[\w{1,3}\]$")
#: What may follow the T of W[2]T glued to it: a course's gradient name (W^[2]TdZ^[2]).
GLUED_AFTER_T = re.compile(r"d[A-Z]")
PRODUCT_DOT_BEFORE = re.compile(r"[A-Za-z]\[\w{1,3}\]T?$")
#: What follows a `.` in code: a method or an attribute, never a factor.
METHODS = {"T", "shape", "sum", "mean", "dot", "reshape", "transpose", "max", "min", "copy", "astype", "size",
           "ndim", "flatten", "ravel", "squeeze"}


def characters(chars: str, pos: int) -> list[Tok]:
    """Plain characters → names (letters and digits together: `W1`, `yhat`), numbers and operators."""
    out: list[Tok] = []
    i = 0
    while i < len(chars):
        ch = chars[i]
        at = pos + i
        if ch.isspace():
            if ch == "\n":
                out.append(Tok("break", "\n", at))
            i += 1
        elif ch in DIGITS or (ch == "." and chars[i + 1:i + 2] in DIGITS and i + 1 < len(chars)):
            j, dots = i, 0
            while j < len(chars) and (chars[j] in DIGITS or chars[j] == "." and dots == 0):
                dots += chars[j] == "."
                j += 1
            if chars[j - 1] == ".":
                j -= 1
            out.append(Tok("num", chars[i:j], at))
            i = j
        elif ch == "T" and LAYER_BEFORE.search(chars[:i]) and (not chars[i + 1:i + 2].isalnum()
                                                              or GLUED_AFTER_T.match(chars, i + 1)):
            out.append(Tok("sup", "^", at))       # W[2]T, as deeplearning.ai's forum types W^{[2]T}
            out.append(Tok("name", "T", at))
            i += 1
        elif ch.isalpha() or ch.isdigit():  # a letter, or a digit of another script, starts a name
            j = i
            while j < len(chars) and (chars[j].isalnum() or chars[j] == "_" and typed_underscore(chars, j)):
                j += 1
            out.append(Tok("name", chars[i:j], at))
            i = j
        elif ch == "_":
            out.append(Tok("sub", "_", at))
            i += 1
        elif ch == "^":
            out.append(Tok("sup", "^", at))
            i += 1
        elif ch == "'":
            out.append(Tok("prime", "'", at))
            i += 1
        elif ch in "([":
            out.append(Tok("open", ch, at))
            i += 1
        elif ch in ")]":
            out.append(Tok("close", ch, at))
            i += 1
        elif ch == "@":
            out.append(Tok("op", "@", at))
            i += 1
        elif ch == "." and chars[i + 1:i + 2] == "T" and not chars[i + 2:i + 3].isalnum():
            out.append(Tok("sup", "^", at))       # code's x.T, met in typed math
            out.append(Tok("name", "T", at + 1))
            i += 2
        elif ch == "." and PRODUCT_DOT_BEFORE.search(chars[:i]) and (word := re.match(r"[A-Za-z]\w*", chars[i + 1:])) \
                and word.group() not in METHODS:
            out.append(Tok("macro", "cdot", at))  # W[2]T.dZ[2]: the dot product, typed as a full stop
            i += 1
        elif ch == "." and chars[i + 1:i + 2] in ("*", "^", "/"):   # Octave's elementwise .* .^ ./
            out.append(Tok("macro", "odot", at) if chars[i + 1] == "*" else
                       Tok("sup", "^", at) if chars[i + 1] == "^" else Tok("op", "/", at))
            i += 2
        elif ch == "*" and chars[i + 1:i + 2] == "*":
            out.append(Tok("sup", "^", at))
            i += 2
        elif ch in OPERATORS:
            out.append(Tok("op", ch, at))
            i += 1
        else:
            out.append(Tok("op", ch, at))
            i += 1
    return out


def typed_underscore(chars: str, j: int) -> bool:
    """`y_hat`, `cross_entropy`, `log_softmax`: an underscore inside a word of three or more letters on each
    side is part of the name; `W_1`, `y_i`, `D_x` are subscripts."""
    start = j
    while start > 0 and chars[start - 1].isalnum():
        start -= 1
    end = j + 1
    while end < len(chars) and chars[end].isalnum():
        end += 1
    return j - start >= 3 and end - j - 1 >= 3 or chars[start:end] in ("y_hat", "Y_hat")


def attach_arguments(tokens: list[Tok]) -> list[Tok]:
    """Give each macro the arguments pylatexenc left beside it (`\\operatorname` then `{diag}`)."""
    out: list[Tok] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.kind == "group":
            t = Tok("group", t.text, t.pos, tuple(attach_arguments(list(t.args))))
        if t.kind == "macro":
            args = [tuple(attach_arguments(list(a))) for a in t.args]
            need = ARGUMENTS.get(t.text, 0) - len(args)
            while need > 0 and i + 1 < len(tokens):
                nxt = tokens[i + 1]
                if nxt.kind == "group":
                    args.append(tuple(attach_arguments(list(nxt.args))))
                else:
                    if nxt.kind == "name" and len(nxt.text) > 1:  # \hat yi: only the first letter
                        args.append((Tok("name", nxt.text[0], nxt.pos),))
                        tokens = tokens[:i + 1] + [Tok("name", nxt.text[1:], nxt.pos + 1)] + tokens[i + 2:]
                        need -= 1
                        continue
                    args.append((nxt,))
                i += 1
                need -= 1
            t = Tok("macro", t.text, t.pos, tuple(args))
        out.append(t)
        i += 1
    return out
