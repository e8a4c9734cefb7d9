"""Tokens → a small tree of mathematics (`M`), by precedence climbing.

The tree says what was written, not yet what it means in a network: a product written `·` or by
juxtaposition is `prod` until the shapes decide between a matrix and an elementwise product, and a
∂-factor (`∂z1/∂W1`) is kept as one. Names are put in their network spelling here (`W_1` → W1,
`\\hat{y}` → yhat, `z^{[1]}` → z1, `y_i` → y where `i` only indexes).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from ..engine.errors import ParseError
from .aliases import FUNCTION_ALIASES, PRIMED_NAMES
from .symbols import (BARE_ARGUMENT, DECORATIONS, FUNCTIONS, GREEK, HADAMARD, IGNORED, INDEX_LETTERS, PRODUCT,
                      STYLES, TRANSPOSE, WORDS, unreserved)
from .tokens import Tok

#: The letters posts give the label (y_i, Y_{nk}, t_k): with an index letter below, an element of the label.
LABELS = ("y", "Y", "t", "T")
#: Styles that set a word upright: `\mathrm{ReLU}` is one word, where `\mathbf{Wx}` is W times x.
UPRIGHT = {"mathrm", "rm", "mathsf", "sf", "textup", "mathtt", "tt", "symrm"}

MAX_DEPTH = 80


@dataclass(frozen=True)
class M:
    """A piece of mathematics: kind is name, num, add, sub, neg, had (∘), prod (· or juxtaposition),
    matmul (@), div, pow, T, call, sum, norm, partial, prime (σ′), in (a shape declaration), space (ℝ^{a×b})."""

    kind: str
    args: tuple = ()
    value: Any = None      # by kind: a name or a function's name (str), a number or exponent, a sum's axis, a shape
    pos: int = 0
    written: str = ""      # how a product or a name was written: "·", " ", "∘", "W_1"
    index: str = ""        # a name's index (`n` for P_n, `(i)` for x^{(i)}, an example); a Σ's index (`n`)
    bound: str = ""        # a Σ's upper bound as written (`N` in \sum_{n=1}^{N})

    def parts(self, *kinds: str) -> Iterator[M]:
        """Every piece of these kinds in this one, outermost first."""
        if self.kind in kinds:
            yield self
        for a in self.args:
            if isinstance(a, M):
                yield from a.parts(*kinds)


class Grammar:
    """Reads one statement's tokens. `known` names (the network's, the post's) decide `y_i` (an index)
    against `W_1` (a name); `functions` tells a call from a product (`h(1 - h)` is a product)."""

    def __init__(self, tokens: list[Tok], known: Callable[[str], bool], origin: str = "<derivation>",
                 source: str = ""):
        self.tokens = unwrap_styles([t for t in tokens if not (t.kind == "macro" and t.text in IGNORED)])
        self.i = 0
        self.known = known
        self.origin = origin
        self.source = source
        self.depth = 0
        # in LaTeX, letters side by side are separate symbols (`Xw` is X times w); typed math has words (yhat)
        self.letters = "\\" in source

    # -- helpers ---------------------------------------------------------------------------------------
    def peek(self, k: int = 0) -> Tok | None:
        j = self.i + k
        return self.tokens[j] if j < len(self.tokens) else None

    def next_is(self, *kinds: str, k: int = 0) -> bool:
        """Whether the token k places ahead is there and of one of these kinds."""
        t = self.peek(k)
        return t is not None and t.kind in kinds

    def take(self) -> Tok:
        if self.i >= len(self.tokens):  # a formula cut short ("d dJ/dW1 =" with nothing after)
            raise self.error("the mathematics ends where more was expected",
                             self.tokens[-1] if self.tokens else None)
        t = self.tokens[self.i]
        self.i += 1
        return t

    def error(self, message: str, tok: Tok | None = None, expected: str | None = None) -> ParseError:
        from ..engine.diagnostics import source_lines
        from ..engine.errors import Span
        span = None
        if tok is not None and self.source:
            before = source_lines(self.source[:tok.pos])
            span = Span(len(before), len(before[-1]), len(before[-1]) + max(len(tok.text), 1))
        return ParseError(message, span, source=self.source or None, origin=self.origin,
                          expected=expected or "mathematics such as \\frac{\\partial J}{\\partial W_1} = x^T \\delta_1")

    def sub_grammar(self, tokens) -> "Grammar":
        g = Grammar(list(tokens), self.known, self.origin, self.source)
        g.depth = self.depth + 1
        if g.depth > MAX_DEPTH:
            raise self.error(f"the mathematics is nested too deeply (the limit is {MAX_DEPTH} levels)")
        return g

    def whole(self, tokens) -> M:
        g = self.sub_grammar(tokens)
        out = g.expression()
        if (extra := g.peek()) is not None:
            raise g.error(f"unexpected {extra.text!r}", extra)
        return out

    # -- expressions -----------------------------------------------------------------------------------
    def expression(self, floor: int = 0) -> M:
        self.depth += 1
        if self.depth > MAX_DEPTH * 4:
            raise self.error(f"the mathematics is nested too deeply (the limit is {MAX_DEPTH} levels)")
        try:
            left = self.unary()
            while True:
                t = self.peek()
                if t is None:
                    return left
                op = self.binary(t)
                if op is None:
                    if floor <= 25 and self.starts_atom(t, left):
                        right = self.expression(26)
                        left = M("prod", (left, right), pos=t.pos, written=" ")
                        continue
                    return left
                kind, power, written = op
                if power < floor:
                    return left
                self.take()
                right = self.expression(power + 1)
                left = M(kind, (left, right), pos=t.pos, written=written)
        finally:
            self.depth -= 1

    def binary(self, t: Tok) -> tuple[str, int, str] | None:
        if t.kind == "op":
            return {"+": ("add", 10, "+"), "-": ("sub", 10, "-"), "/": ("div", 20, "/"), "*": ("prod", 20, "*"),
                    "@": ("matmul", 20, "@"), ">": ("gt", 5, ">"), "<": ("lt", 5, "<")}.get(t.text)
        if t.kind == "macro":
            if t.text in ("geq", "ge", "leq", "le", "gt", "lt"):
                kind = {"geq": "ge", "ge": "ge", "leq": "le", "le": "le", "gt": "gt", "lt": "lt"}[t.text]
                return kind, 5, kind
            if t.text in HADAMARD:
                return "had", 20, "∘"
            if t.text == "otimes":
                return "kron", 20, "⊗"
            if t.text in PRODUCT:
                return "prod", 20, "·" if t.text != "times" else "×"
            if t.text in ("pm", "mp"):
                return None
        return None

    def starts_atom(self, t: Tok, left: M) -> bool:
        if t.kind in ("name", "num", "group"):
            return True
        if t.kind == "open":
            return True
        if t.kind == "macro":
            return self.binary(t) is None and t.text not in ("in", "to", "mapsto", "approx", "equiv", "neq", "le",
                                                             "ge", "leq", "geq", "quad", "qquad", "text_")
        if t.kind == "op" and t.text == "‖":
            return True
        return False

    def unary(self) -> M:
        t = self.peek()
        if t is None:
            raise self.error("the expression ends too early", None, "an expression")
        if t.kind == "op" and t.text in "-+":
            self.take()
            operand = self.expression(20)
            return operand if t.text == "+" else M("neg", (operand,), pos=t.pos)
        return self.postfix(self.atom())

    def postfix(self, base: M) -> M:
        while True:
            t = self.peek()
            if t is None:
                return base
            if t.kind == "prime" and base.kind == "name" and base.value in PRIMED_NAMES.get():
                self.take()   # the post's Y' is its prediction, a value of its own: Ŷ
                base = M("name", value=f"{base.value}hat", pos=base.pos, written=f"{base.value}'")
            elif t.kind == "prime":
                self.take()
                base = M("T", (base,), pos=t.pos, written="'")   # x': MATLAB's transpose, as typed
            elif t.kind == "sup":
                self.take()
                base = self.superscript(base, self.argument())
            elif t.kind == "open" and t.text == "[" and base.kind == "name" and self.adjacent(base, t) \
                    and self.next_is("num", k=1) and self.next_is("close", k=2):
                self.take()
                layer = self.take()
                self.take()
                base = self.named(base.value, layer.text, base.pos)   # typed W[2], dz[2]: layer 2
            elif t.kind == "group" and base.kind == "name" and t.args and t.args[0].kind == "sub" \
                    and len(t.args) == 2:   # W_i{_j}: a subscript carried on in a group of its own
                self.take()
                base = self.named(base.value, self.text_of(t.args[1:]), base.pos)
            elif t.kind == "sub" and base.kind in ("name",):
                self.take()
                base = self.named(base.value, self.text_of(self.argument()), base.pos)
            elif t.kind == "sub" and base.kind in ("num", "ones") and base.value in (1.0, "") and \
                    is_size(self.tokens[self.i + 1:self.i + 2]):
                self.take()
                base = M("ones", value=self.text_of(self.argument()), pos=base.pos)   # 1_N, \mathbf{1}_N
            elif t.kind == "sub":
                self.take()
                self.argument()   # ‖v‖_2, a subscript on a bracket: only an index or a norm's order
            else:
                return base

    def adjacent(self, base: M, t: Tok) -> bool:
        written = str(base.written or base.value)
        return t.pos == base.pos + len(written) or (self.source[t.pos - 1:t.pos] not in (" ", "") if self.source
                                                     else True)

    def argument(self) -> tuple[Tok, ...]:
        t = self.peek()
        if t is None:
            raise self.error("a superscript or subscript is missing", None)
        self.take()
        if t.kind == "group":
            return t.args
        if t.kind == "open":   # typed W^[2], a^(1): the whole bracket
            inside = [t]
            while self.peek() is not None and not self.next_is("close"):
                inside.append(self.take())
            if self.peek() is not None:
                inside.append(self.take())
            example = self.tokens[self.i:self.i + 3]
            if len(example) == 3 and [x.kind for x in example] == ["open", "name", "close"] and \
                    example[0].text == "(" and example[1].text in INDEX_LETTERS and example[0].pos == inside[-1].pos + 1:
                inside.extend(example)   # typed A^[1](i): layer 1, example i
                self.i += 3
            return tuple(inside)
        if t.kind == "op" and t.text == "-" and self.peek() is not None:
            return (t, self.take())
        if t.kind in ("name", "num") and len(t.text) > 1:
            # as in TeX, ^ and _ take one character: X^TXw is X^{T} X w, W_12 is W_{1} 2 … unless typed as a word
            self.tokens.insert(self.i, Tok(t.kind, t.text[1:], t.pos + 1))
            return (Tok(t.kind, t.text[0], t.pos),)
        return (t,)

    def superscript(self, base: M, arg: tuple[Tok, ...]) -> M:
        text = self.text_of(arg)
        if base.kind == "name" and base.value == "R" and not self.known("R"):  # R^{a×b} typed plainly
            return M("space", (), value=self.dimensions(arg), pos=base.pos)
        scripted = self.layer_and_example(base, text)
        if scripted is not None:
            return scripted
        if text in TRANSPOSE or text in ("\\top", "\\intercal", "\\mathsf{T}", "\\mathrm{T}") or \
                (len(arg) == 1 and arg[0].kind == "macro" and (arg[0].text in TRANSPOSE or
                                                                self.text_of(arg[0].args[0] if arg[0].args else ())
                                                                in TRANSPOSE)):
            return M("T", (base,), pos=base.pos, written="^T")
        if text.isdigit() and base.kind == "name" and layer_superscript(base.value, text, self.known):
            return self.named(base.value, text, base.pos)   # W^1, z^{2}: layers, in a post that numbers them so
        if text.lstrip("-").replace(".", "", 1).isdigit():
            return M("pow", (base,), value=float(text), pos=base.pos)
        if base.kind == "name" and base.value == "e":
            return M("call", (self.whole(arg),), value="exp", pos=base.pos)
        if text == "*":
            return base
        raise self.error(f"cannot read the superscript {text!r}", arg[0] if arg else None,
                         "^T (a transpose), a number (a power), or ^{[1]} (a layer)")

    def layer_and_example(self, base: M, text: str) -> M | None:
        """Superscripts in brackets, as courses write them: `W^{[1]}` (layer 1), `x^{(i)}` (example i),
        `A^{[1](i)}` (layer 1, example i, deeplearning.ai's), `a^{(2)T}` (layer 2, transposed), `X^{\\{t\\}}`
        (a mini-batch, read as the batch itself). An example's index is kept on the name: the name stands for
        the whole array (a column or row per example), and a Σ over that index sums the examples' axis."""
        whole = re.fullmatch(r"((?:\[\w{1,3}\]|\(\w{1,3}\)|\\?\{\w{1,3}\\?\})+)\s*(T|\\top|')?", text)
        if base.kind != "name" or whole is None:
            return None
        layer, example = None, None
        for square, round_, _ in re.findall(r"\[(\w{1,3})\]|\((\w{1,3})\)|\{(\w{1,3})\\?\}", whole.group(1)):
            if square and square.isalpha() and square in INDEX_LETTERS:
                continue   # W^{[l]}: any layer, the name itself
            if square:
                layer = square
            elif round_ and round_.isalpha() and round_ in INDEX_LETTERS:
                example = round_
            elif round_ and (round_.isdigit() or round_.isalpha() and len(round_) <= 2):
                layer = round_
            elif round_:
                return None
        out = self.named(base.value, layer, base.pos) if layer else base
        if example:
            capital = str(out.value)[:1].upper() + str(out.value)[1:]
            if not self.known(str(out.value)) and self.known(capital):   # a^{[1](i)}: the i-th column of A^{[1]}
                out = replace(out, value=capital)
            out = replace(out, index=f"({example})")
        return M("T", (out,), pos=base.pos, written="^T") if whole.group(2) else out

    def ones(self, t: Tok) -> M:
        """`\\mathbf{1}`, `\\mathbb{1}`, `\\vec 1`: a vector of ones, its length what its product needs."""
        return M("ones", value="", pos=t.pos)

    def text_of(self, tokens) -> str:
        parts = []
        for t in tokens:
            if t.kind == "macro" and t.text in STYLES | WORDS and t.args:
                parts.append(self.text_of(t.args[0]))
            elif t.kind == "macro":
                parts.append("\\" + t.text)
            elif t.kind == "group":
                parts.append(self.text_of(t.args))
            elif t.kind == "sub":
                parts.append("")
            else:
                parts.append(t.text)
        return "".join(parts)

    def named(self, base: str, sub: str, pos: int) -> M:
        """A name with its subscript: W_1 → W1, D_x → Dx, y_i → y when y is known and i only indexes, and
        `\\delta_{1,i}`, `H_{1,n}` → δ1, H1 written with the index i, n (a layer, then an example or an entry)."""
        parts = sub.replace("{", "").replace("}", "").replace(" ", "").split(",")
        if len(parts) == 2 and parts[0].isdigit() and (parts[1] in INDEX_LETTERS or is_entry(parts[1])):
            layered = self.named(base, parts[0], pos)
            if self.known(str(layered.value)) or base in ("delta", "Delta"):
                return replace(layered, written=f"{base}_{{{sub}}}", index=parts[1])
        sub = sub.replace(",", "").replace("{", "").replace("}", "").replace(" ", "")
        joined = base + sub
        if self.known(joined):
            return M("name", value=joined, pos=pos, written=f"{base}_{sub}")
        if (sub in INDEX_LETTERS or (len(sub) <= 3 and sub.isalpha() and sub.islower() and all(
                c in "ijklmnt" for c in sub))) and (self.known(base) or base.endswith("hat") or base in LABELS):
            return M("name", value=unreserved(base), pos=pos, written=f"{base}_{sub}", index=sub)
        return M("name", value=joined, pos=pos, written=f"{base}_{sub}")

    def atom(self) -> M:
        t = self.peek()
        if t is None:
            raise self.error("the expression ends too early")
        if t.kind == "num":
            self.take()
            return M("num", value=float(t.text), pos=t.pos)
        if t.kind == "open":
            self.take()
            closing = ")" if t.text == "(" else "]"
            inner = self.until_close(closing, t)
            return inner
        if t.kind == "group":
            self.take()
            return self.whole(t.args)
        if t.kind == "op" and t.text == "‖":
            self.take()
            inner = self.until(lambda tok: tok.kind == "op" and tok.text == "‖", t, "‖")
            return M("norm", (inner,), pos=t.pos)
        if t.kind == "op" and t.text == "|":
            self.take()
            inner = self.until(lambda tok: tok.kind == "op" and tok.text == "|", t, "|")
            return M("call", (inner,), value="abs", pos=t.pos)
        if t.kind == "name":
            return self.word()
        if t.kind == "macro":
            return self.macro()
        raise self.error(f"unexpected {t.text!r}", t)

    def until_close(self, closing: str, opening: Tok) -> M:
        depth, j = 0, self.i
        while j < len(self.tokens):
            tok = self.tokens[j]
            if tok.kind == "open":
                depth += 1
            elif tok.kind == "close":
                if depth == 0:
                    break
                depth -= 1
            j += 1
        else:
            raise self.error(f"{opening.text!r} is never closed", opening, f"a closing {closing!r}")
        inner_tokens = self.tokens[self.i:j]
        self.i = j + 1
        parts = split_top(inner_tokens, ",")
        if len(parts) > 1:
            return M("tuple", tuple(self.whole(p) for p in parts), pos=opening.pos)
        return self.whole(inner_tokens)

    def until(self, stop: Callable[[Tok], bool], opening: Tok, closing: str) -> M:
        j = self.i
        while j < len(self.tokens) and not stop(self.tokens[j]):
            j += 1
        if j == len(self.tokens):
            raise self.error(f"{opening.text!r} is never closed", opening, f"a closing {closing!r}")
        inner = self.tokens[self.i:j]
        self.i = j + 1
        return self.whole(inner)

    def word(self) -> M:
        t = self.take()
        text = t.text
        nxt = self.peek()
        # typed derivatives: dJ/dW1
        if text.startswith("d") and len(text) > 1 and nxt is not None and nxt.kind == "op" and nxt.text == "/" \
                and (after := self.peek(1)) is not None and after.kind == "name" and after.text.startswith("d") \
                and len(after.text) > 1 and (self.known(text[1:]) or text[1:] in ("J", "L", "E", "C")):
            self.take()
            wrt_tok = self.take()
            wrt = self.postfix(self.named_word(wrt_tok.text[1:], wrt_tok.pos))
            return M("partial", (M("name", value=text[1:], pos=t.pos), wrt), pos=t.pos)
        if text == "d" and nxt is not None and nxt.kind == "name" and (after := self.peek(1)) is not None \
                and after.kind == "op" and after.text == "/":
            # d J / d W
            of = self.postfix(self.word())
            self.take()
            d = self.take()
            if d.kind != "name" or d.text != "d":
                raise self.error("a derivative dJ/dW needs a d before its variable", d)
            wrt = self.postfix(self.word())
            return M("partial", (of, wrt), pos=t.pos)
        fn = self.function_named(text)
        if fn is not None:
            return self.call(fn, t)
        if text in ("e",) and nxt is not None and nxt.kind == "sup":
            return M("name", value="e", pos=t.pos)
        derivative = self.activation_prime(text, t.pos)
        if derivative is not None:
            return derivative
        return self.named_word(text, t.pos)

    def activation_prime(self, text: str, pos: int) -> M | None:
        """g′(Z1), f'(z): the derivative of whatever activation made the next layer from z (read by the
        translator from the network's own definitions)."""
        from .aliases import FUNCTION_ALIASES
        layer = 3 if self.is_layer(0) and self.next_is("prime", k=3) else 0   # g[1]'(Z[1]), as typed
        if not layer and self.next_is("sup") and self.is_layer(1) and self.next_is("prime", k=4):
            layer = 4   # g^[1]'(Z^[1])
        if len(text) != 1 or self.known(text) or not (layer or self.next_is("prime")) \
                or text in FUNCTION_ALIASES.get():
            return None
        self.i += layer
        if not layer and self.is_layer(1):
            del self.tokens[self.i + 1:self.i + 4]   # g'[1](Z[1]): the layer typed after the prime
        after = self.peek(1)
        if after is None or not (after.kind == "open" and after.text == "(" or after.kind == "sup"):
            return None
        self.take()
        if after.kind == "sup":   # g'^{[1]}(Z^{[1]}): the layer is said twice
            self.take()
            self.argument()
        inner = self.atom()
        return M("prime", inner.args if inner.kind == "tuple" else (inner,), value="activation", pos=pos)

    def is_layer(self, k: int) -> bool:
        """Whether a layer typed in brackets, `[1]`, begins k tokens ahead."""
        opening = self.peek(k)
        return opening is not None and opening.kind == "open" and opening.text == "[" \
            and self.next_is("num", k=k + 1) and self.next_is("close", k=k + 2)

    def named_word(self, text: str, pos: int) -> M:
        if not text:
            raise self.error("a name is empty here (\\text{} or \\operatorname{} with nothing in it)")
        if self.known(text) or len(text) == 1:
            return M("name", value=unreserved(text), pos=pos, written=text)
        if self.letters and text[0] == "d" and text[1:].isalpha() and (len(text) == 2 or self.known(text[1:])):
            return M("name", value=unreserved(text), pos=pos, written=text)   # dZ^{[2]}, dW: a gradient's name, not d times Z
        if text.endswith("T") and self.known(text[:-1]) and not self.known("T"):
            return M("T", (M("name", value=unreserved(text[:-1]), pos=pos, written=text[:-1]),), pos=pos, written="T")
        parts = split_word(text, self.known)   # XT typed for Xᵀ (above), as course forums do with W[2]T
        if parts is None and self.letters and text.isalpha() and text.lower() not in FUNCTIONS:
            parts = list(text)
        if parts is None:
            return M("name", value=unreserved(text), pos=pos, written=text)
        # `Wx` is W times x: put the rest back to be read as juxtaposed names
        rest = [Tok("name", p, pos) for p in parts[1:]]
        self.tokens[self.i:self.i] = rest
        return M("name", value=parts[0], pos=pos, written=parts[0])

    def function_named(self, text: str) -> str | None:
        from .aliases import FUNCTION_ALIASES
        alias = FUNCTION_ALIASES.get().get(text)
        if alias is not None and alias.endswith("()"):   # s(Xw) where the post's s is also a value
            return applied(alias, self.peek())
        if self.known(text):
            return None
        if text in FUNCTION_ALIASES.get():   # the post said `g = \tanh`
            return applied(FUNCTION_ALIASES.get()[text], self.peek())
        return FUNCTIONS.get(text) or FUNCTIONS.get(text.lower()) if text.lower() in (
            "sigmoid", "relu", "tanh", "exp", "log", "ln", "softmax", "diag", "ce", "sum", "mean", "sqrt", "abs",
            "crossentropy", "cross_entropy", "max", "outer", "log_softmax", "xent", "logistic", "vec") or text == "CE" \
            else None

    def call(self, fn: str, t: Tok) -> M:
        nxt = self.peek()
        if nxt is not None and nxt.kind == "prime":
            self.take()
            if fn != "sigmoid" and fn != "tanh" and fn != "relu":
                raise self.error(f"cannot read the derivative {t.text}′", nxt, "σ′(z), tanh′(z) or ReLU′(z)")
            arg = self.call_arguments(fn, t)
            return M("prime", arg.args, value=fn, pos=t.pos)
        if nxt is not None and nxt.kind == "sup" and fn in ("sigmoid", "tanh", "exp", "log"):
            after = self.peek(1)
            if after is not None and self.text_of((after,)) == "\\prime":
                self.i += 2
                inner = self.call_arguments(fn, t)
                return M("prime", inner.args, value=fn, pos=t.pos)
        index = ""
        if nxt is not None and nxt.kind == "sub" and fn in ("sum", "max"):  # \max_i, sum_i
            self.take()
            index = self.text_of(self.argument()).split("=")[0].replace(" ", "")
        out = self.call_arguments(fn, t)
        if index and out.kind == "call" and out.value == "sum" and len(out.args) == 1:   # sum_n(P - Y)
            return M("sum", out.args, pos=out.pos, index=index)
        return replace(out, index=index) if index and out.kind == "sum" else out

    def call_arguments(self, fn: str, t: Tok) -> M:
        nxt = self.peek()
        if nxt is not None and nxt.kind == "open" and nxt.text == "(" or nxt is not None and nxt.kind == "group":
            if nxt.kind == "group":
                self.take()
                inner = self.whole(nxt.args)
                args = inner.args if inner.kind == "tuple" else (inner,)
            else:
                inner = self.atom()
                args = inner.args if inner.kind == "tuple" else (inner,)
            return M("call", tuple(args), value=fn, pos=t.pos, written=t.text)
        if fn in BARE_ARGUMENT and nxt is not None:
            return M("call", (self.postfix(self.atom()),), value=fn, pos=t.pos, written=t.text)
        if fn in ("sum", "mean"):
            return M("sum" if fn == "sum" else "mean", (self.expression(20),), pos=t.pos)
        raise self.error(f"{t.text} needs its argument in parentheses", t, f"{t.text}(...)")

    def macro(self) -> M:
        t = self.take()
        name = t.text
        if name in ("frac", "dfrac", "tfrac"):
            if len(t.args) < 2:
                raise self.error("\\frac needs two arguments", t, "\\frac{a}{b}")
            top, bottom = t.args[0], t.args[1]
            derivative = self.derivative(top, bottom, t)
            if derivative is not None:
                return derivative
            return M("div", (self.whole(top), self.whole(bottom)), pos=t.pos, written="frac")
        if name == "partial":
            of = self.postfix(self.atom())
            slash = self.peek()
            if slash is None or slash.kind != "op" or slash.text != "/":
                raise self.error("a ∂ must be a derivative ∂J/∂W", t, "∂J/∂W1 or \\frac{\\partial J}{\\partial W_1}")
            self.take()
            d = self.peek()
            if d is None or d.kind != "macro" or d.text != "partial":
                raise self.error("a derivative ∂J/∂W needs a ∂ below the line", d or t)
            self.take()
            wrt = self.postfix(self.atom())
            return M("partial", (of, wrt), pos=t.pos)
        if name == "nabla":
            sub: tuple[Tok, ...] = ()
            if self.next_is("sub"):
                self.take()
                sub = self.argument()
            of = self.postfix(self.atom()) if self.next_is("name", "macro") \
                else M("name", value="J", pos=t.pos)
            if not sub:  # ∇L(w): the gradient with respect to the function's argument
                nxt = self.peek()
                if nxt is None or nxt.kind != "open":   # ∇C (Nielsen): with respect to the network's output
                    return M("partial", (of, M("name", value="<output>", pos=t.pos)), pos=t.pos)
                return M("partial", (of, self.atom()), pos=t.pos)
            wrt = self.whole(sub)
            opening = self.peek()
            if of.kind == "name" and opening is not None and opening.kind == "open" and opening.text == "(":
                # ∇_w J(w): J's argument
                saved = self.i
                try:
                    argument = self.atom()
                except ParseError:
                    argument = None
                if argument is None or not (argument.kind == "name" and argument.value == wrt.value
                                            or argument.kind == "tuple"):
                    self.i = saved
            return M("partial", (of, wrt), pos=t.pos)
        if name in DECORATIONS:
            inner = self.text_of(t.args[0]) if t.args else ""
            inner_name = inner.split("_")[0] if inner else ""
            base = inner_name + DECORATIONS[name]
            tail = inner[len(inner_name):].lstrip("_")
            return self.postfix(self.named(base, tail, t.pos) if tail else
                                M("name", value=base, pos=t.pos, written=f"\\{name}{{{inner}}}"))
        if name in STYLES:
            if not t.args:
                return self.atom()
            if self.text_of(t.args[0]).strip() == "1":   # \mathbf{1}, \vec 1: a vector of ones
                return self.postfix(self.ones(t))
            return self.postfix(self.whole(t.args[0]))
        if name in WORDS:
            word = self.text_of(t.args[0]) if t.args else ""
            if name in ("mathbb", "Bbb") and word == "R":
                return self.space(t)
            if name == "mathbb" and word == "1" or word in ("1",):
                nxt = self.peek()
                if nxt is not None and (nxt.kind == "open" or nxt.kind == "sub"):  # 𝟙(z > 0), 𝟙_{z>0}: a mask
                    if nxt.kind == "sub":
                        self.take()
                        condition = self.argument()
                        if is_size(condition):   # 𝟙_N: N ones
                            return self.postfix(M("ones", value=self.text_of(condition), pos=t.pos))
                        return self.whole(condition)
                    return self.atom()
                return self.postfix(self.ones(t))
            fn = self.function_named(word.strip())
            if fn is not None:
                return self.call(fn, t)
            word = word.strip()
            if len(word) > 1 and not self.known(word) and self.next_is("open") and word.isalpha():
                raise self.error(f"{word}(…) is not a function the reader knows", t,
                                 "one of σ, tanh, ReLU, softmax, exp, log, diag, CE (or a name the post defines)")
            letters, self.letters = self.letters, False   # a word set upright is one name, not its letters
            try:
                return self.named_word(word, t.pos)
            finally:
                self.letters = letters
        if name in ("sum", "Sigma"):
            index, bound = "", ""
            if self.next_is("sub"):
                self.take()
                index = re.split(r"=|\\in\b", self.text_of(self.argument()))[0].strip()   # n=1, n \in [N]
            if self.next_is("sup"):
                self.take()
                bound = self.text_of(self.argument()).strip()
            if index.replace(" ", "").startswith("axis"):   # shapetutor's own \sum_{\text{axis } 0}
                axis = index.replace(" ", "")[4:]
                if axis.lstrip("-").isdigit():
                    return M("sum", (self.expression(20),), value=int(axis), pos=t.pos)
            return M("sum", (self.summand(index),), pos=t.pos, index=index.replace(" ", ""), bound=bound)
        if name == "sqrt":
            return M("call", (self.whole(t.args[0]) if t.args else self.atom(),), value="sqrt", pos=t.pos)
        if name in ("exp", "log", "ln", "tanh", "max", "min") or name in ("sigma",) and not self.known("sigma"):
            return self.call(FUNCTIONS.get(name, name), t)
        function = applied(FUNCTION_ALIASES.get().get(name), self.peek()) if name in GREEK else None
        if function is not None and not self.known(name):   # "ψ is the activation function (log sigmoid)"
            return self.call(function, t)
        if name in GREEK:
            return self.named_word(name, t.pos) if self.known(name) else M("name", value=unreserved(name), pos=t.pos,
                                                                            written="\\" + name)
        if name == "ell":
            return M("name", value="l", pos=t.pos)
        raise self.error(f"cannot read \\{name} here", t)

    def summand(self, index: str) -> M:
        """What Σ_i adds up: a product, and each further `+ term` or `− term` that still uses the index i
        (Σ_i y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i) is one sum; Σ_i … + λ‖W‖² is not)."""
        out = self.expression(20)
        while index and (nxt := self.peek()) is not None and nxt.kind == "op" and nxt.text in "+-":
            saved = self.i
            op = self.take()
            try:
                term = self.expression(20)
            except ParseError:
                self.i = saved
                break
            if not uses_index(term, index):
                self.i = saved
                break
            out = M("add" if op.text == "+" else "sub", (out, term), pos=op.pos)
        return out

    def space(self, t: Tok) -> M:
        """ℝ^{a×b}: a shape."""
        if not self.next_is("sup"):
            return M("space", (), value=(), pos=t.pos)
        self.take()
        return M("space", (), value=self.dimensions(self.argument()), pos=t.pos)

    def dimensions(self, arg) -> tuple[str, ...]:
        """The dimensions of ℝ^{…}: `D_x \\times H`, `1 \\times D`, and typed `1x5`, `30 x 5`."""
        dims = [self.text_of(d).replace("\\", "") for d in split_top(list(arg), "×")]
        if len(dims) == 1:
            typed = re.fullmatch(r"(\w+?)\s*x\s*(\w+)", dims[0])
            if typed and (typed.group(1).isdigit() or typed.group(2).isdigit()):
                return (typed.group(1), typed.group(2))
        return tuple(dims)

    def derivative(self, top, bottom, t: Tok) -> M | None:
        """\\frac{\\partial J}{\\partial W_1}, \\frac{dJ}{dW}, \\frac{\\partial}{\\partial W} J → a ∂-factor."""
        def strip(tokens):
            tokens = unwrap_styles([x for x in tokens if not (x.kind == "macro" and x.text in IGNORED)])
            if tokens and tokens[0].kind == "macro" and tokens[0].text in ("partial", "delta") \
                    and (tokens[0].text == "partial" or delta_fraction):   # \frac{\delta(x^TAx)}{\delta x}
                return tokens[1:]
            if tokens and tokens[0].kind == "name" and tokens[0].text == "d":
                return tokens[1:]
            if tokens and tokens[0].kind == "name" and tokens[0].text.startswith("d") and len(tokens[0].text) > 1:
                return [Tok("name", tokens[0].text[1:], tokens[0].pos)] + list(tokens[1:])
            return None
        delta_fraction = all(part and part[0].kind == "macro" and part[0].text == "delta" for part in (top, bottom))
        of, wrt = strip(top), strip(bottom)
        if of is None or wrt is None or not wrt:
            return None
        of_m = self.whole(of) if of else self.postfix(self.atom())
        return M("partial", (of_m, self.whole(wrt)), pos=t.pos)


def is_entry(index: str) -> bool:
    """Indices of an entry: `ni` of H_{1,ni} (example n, unit i), `jk` of w^l_{jk}."""
    return 1 <= len(index) <= 3 and index.isalpha() and index.islower() and all(c in "ijklmnpqrst" for c in index)


def is_size(tokens) -> bool:
    """A subscript that is a length (`N`, `{m}`, `{n_h}`), not a condition (`{z > 0}`)."""
    flat = [x for t in tokens for x in (t.args if t.kind == "group" else (t,))]
    return bool(flat) and all(x.kind in ("name", "num", "sub") for x in flat)


def layer_superscript(base: str, text: str, known: Callable[[str], bool]) -> bool:
    """Whether `base^text` is layer `text` of `base`: in a post that numbers layers with superscripts, when
    that layer is a name or the base alone is not (`a^2` stays a square where `a` is the network's)."""
    from .aliases import LAYER_SUPERSCRIPTS
    return LAYER_SUPERSCRIPTS.get() and int(text) >= 1 and (known(base + text) or not known(base))


def unwrap_styles(tokens: list[Tok]) -> list[Tok]:
    """`\\mathrm{ReLU}(z)`, `\\mathbf{W}_1`, `{\\rm softmax}(z)`, `\\vec{x}`: a macro (or a group) that only
    changes how a name looks is the name itself, so that a function written so still takes the bracket
    after it. Only a wrapper around plain names is opened (never one after `^` or `_`, which takes one
    argument, nor one around `+` or `-`)."""
    out: list[Tok] = []
    for t in tokens:
        after_script = bool(out) and out[-1].kind in ("sub", "sup")
        inner: tuple[Tok, ...] | None = None
        if t.kind == "macro" and t.text in STYLES and len(t.args) == 1:
            inner = t.args[0]
        elif t.kind == "group" and t.args and t.args[0].kind == "macro" and t.args[0].text in STYLES \
                and not t.args[0].args:   # {\rm ReLU}: a switch inside a group
            inner = t.args[1:]
        elif t.kind == "macro" and t.text in STYLES and not t.args:
            continue   # \rm, \displaystyle: a switch that only changes the look of what follows
        if inner is None or after_script or not plain_names(inner):
            out.append(t)
            continue
        if len(inner) == 1 and inner[0].kind == "name" and len(inner[0].text) > 1 and (
                t.kind == "group" or t.text in UPRIGHT):
            out.append(Tok("macro", "text", t.pos, (inner,)))   # \mathrm{ReLU}: a word, never R e L U
            continue
        out.extend(unwrap_styles(list(inner)))
    return out


def plain_names(tokens) -> bool:
    """Names with their subscripts and layer superscripts, and nothing that combines them."""
    return bool(tokens) and tokens[0].kind in ("name", "macro", "group") and all(
        t.kind in ("name", "num", "sub", "sup", "group", "prime") or t.kind == "macro" and t.text not in HADAMARD | PRODUCT
        for t in tokens)


def applied(alias: str | None, nxt: Tok | None) -> str | None:
    """The function a letter of the post stands for; a letter that is also a value (`s = s(Xw)`, the alias
    written `sigmoid()`) is the function only where it is applied to something in brackets."""
    if alias is None or not alias.endswith("()"):
        return alias
    return alias[:-2] if nxt is not None and nxt.kind == "open" and nxt.text == "(" else None


def uses_index(m: M, index: str) -> bool:
    """Whether a name in `m` was written with the subscript `index` (y_i for Σ_i)."""
    if m.kind == "name" and (m.written.endswith("_" + index) or m.index in (index, f"({index})")):
        return True
    return any(isinstance(a, M) and uses_index(a, index) for a in m.args)


def split_top(tokens: list[Tok], separator: str) -> list[list[Tok]]:
    """Split at a separator outside brackets (`,` between arguments; `×`, `\\times` or a typed `x`
    between dimensions, as in ℝ^{1 x D}: never the x of a subscript D_x)."""
    parts: list[list[Tok]] = [[]]
    depth = 0
    previous: Tok | None = None
    for t in tokens:
        if t.kind == "open":
            depth += 1
        elif t.kind == "close":
            depth -= 1
        splits = t.kind == "op" and t.text == separator
        if separator == "×":
            splits = splits or t.kind == "macro" and t.text in ("times", "cdot") or t.kind == "op" and t.text == "*" \
                or t.kind == "name" and t.text == "x" and previous is not None and previous.kind != "sub"
        previous = t
        if depth == 0 and splits:
            parts.append([])
            continue
        parts[-1].append(t)
    return [p for p in parts if p] if separator == "×" else parts


def split_word(text: str, known: Callable[[str], bool]) -> list[str] | None:
    """`Wx` → [W, x], `hW2` → [h, W2] when every piece is a known name; None when it cannot be split."""
    if not text:
        return []
    for cut in range(len(text), 0, -1):
        head = text[:cut]
        if known(head):
            rest = split_word(text[cut:], known)
            if rest is not None:
                return [head] + rest
    return None
