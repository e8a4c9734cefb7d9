"""A post's own names for its activation: "let $g = \\tanh$", "with $f$ the sigmoid", "f is ReLU".

Lecture notes write the activation as a letter (`a = f(z)`, `g'(z)`); read as a name, `f(z)` would be
f times z and f a leaf with a guessed shape. A post that says which function the letter is makes
`f(z)` that function, for as long as the post is read.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar

from .symbols import FUNCTIONS

#: The letters the post being read names functions with: letter → the network language's function.
FUNCTION_ALIASES: ContextVar[dict[str, str]] = ContextVar("function_aliases", default={})

#: The post's own letters for gradients: `δ1` → `z2` where the post writes ∂J/∂z2 = ŷ − y = δ1 (its δ1 is ∂J/∂z2,
#: not the ∂J/∂z1 that δ1 otherwise stands for).
GRADIENT_LETTERS: ContextVar[dict[str, str]] = ContextVar("gradient_letters", default={})

#: Letters the post writes with a prime as a value of their own (`Y'`, the prediction beside the target Y),
#: never a transpose: "Y' is computed by the output layer", "Y' is 4x1".
PRIMED_NAMES: ContextVar[frozenset[str]] = ContextVar("primed_names", default=frozenset())
#: "Y' is computed …", "y' is the output", "Y' = 4x1": a primed letter spoken of as a thing of its own.
PRIMED = re.compile(r"(?<![\w\\])(?P<letter>[A-Za-z])'\s+(?:is|are)\s+(?!(?:the\s+|its\s+|a\s+)?transpose)"
                    r"|(?<![\w\\])(?P<shaped>[A-Za-z])'\s*=\s*\d+\s*x\s*\d+\b")


def primed_names(prose: list[str]) -> frozenset[str]:
    """The letters whose primed form the post speaks of as a value of its own (the prediction Y')."""
    return frozenset(m.group("letter") or m.group("shaped") for text in prose for m in PRIMED.finditer(text)
                     if not re.search(r"transpose|derivative|gradient", text[max(0, m.start() - 40):m.end() + 40], re.I))


#: Whether the post being read numbers its layers with plain superscripts (W^1, z^2, a^{1}).
LAYER_SUPERSCRIPTS: ContextVar[bool] = ContextVar("layer_superscripts", default=False)
#: A letter with the superscript 1: nobody writes a first power, so `W^1` says the superscripts are layers.
FIRST_LAYER = re.compile(r"(?<![\\\w])[A-Za-z]\^\{?1\}?(?![\d.])")

#: How a function is written, as what the letter stands for.
WRITTEN = r"\\?(?:sigma|sigmoid|logistic|tanh|ReLU|relu|softmax)|\\(?:text|mathrm|operatorname)\{(?:ReLU|relu|softmax|sigmoid|tanh)\}"
#: `g = \tanh`, `f(\cdot) = \sigma(\cdot)` as a statement of its own (never `p = softmax(z)`, a definition).
STATEMENT = re.compile(rf"^\s*(?P<letter>[a-zA-Z])\s*(?:=\s*(?P<fn>{WRITTEN})|\(\s*(?P<v>\\cdot|[a-z])\s*\)\s*=\s*"
                       rf"(?P<fn2>{WRITTEN})\s*\(\s*(?P=v)\s*\))\s*[.,;]?\s*$")
#: "with f the sigmoid", "f is the logistic function", "where g denotes tanh" (f and g: the letters notes use).
SENTENCE = re.compile(r"\b(?P<letter>[fg])\s+(?:is\s+|being\s+|denotes\s+|as\s+)?(?:the\s+|a\s+)?"
                      r"(?P<fn>sigmoid|logistic|tanh|relu|softmax)\b"
                      # "ψ is the activation function (log sigmoid)", "phi is the activation, tanh"
                      r"|(?<!\w)(?P<symbol>[fgψφσ]|phi|psi)\s+is\s+(?:the\s+|an?\s+)?activation(?:\s+function)?"
                      r"[\s,:(]*(?:a\s+|the\s+)?(?:log[- ]?)?(?P<named>sigmoid|logistic|tanh|relu|softmax)\b", re.I)


#: A Greek letter as the reader names it (`ψ` is read as `\psi`).
GREEK_NAMES = {"ψ": "psi", "φ": "phi", "σ": "sigma", "psi": "psi", "phi": "phi"}


#: `\textbf{s} = s(\textbf{Xw})`: a letter that names both a value and the function that makes it.
SAME_LETTER = re.compile(r"^\s*(?:\\(?:textbf|mathbf|boldsymbol|bm)\{\s*)?(?P<letter>[a-zA-Z])\s*\}?\s*=\s*"
                         r"(?P=letter)\s*\(")
#: What the prose says that function is: "s is shorthand for the logistic function".
NAMED_FUNCTION = re.compile(r"\b(?P<fn>logistic|sigmoid|tanh|relu|softmax)\b", re.I)


def function_aliases(math: list[str], prose: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    said = [m.group("fn") for text in prose for m in NAMED_FUNCTION.finditer(text)]
    for text in math:
        m = SAME_LETTER.match(text)
        if m and len(set(name_of(f) for f in said)) == 1:   # s = s(Xw), "s … the logistic function"
            out[m.group("letter")] = name_of(said[0]) + "()"
    for text in math:
        m = STATEMENT.match(text)
        if m:
            out[m.group("letter")] = name_of(m.group("fn") or m.group("fn2"))
    for text in prose:
        for m in SENTENCE.finditer(text):
            letter = m.group("letter") or m.group("symbol")
            fn = name_of(m.group("fn") or m.group("named"))
            out.setdefault(letter, fn)
            if letter in GREEK_NAMES or len(letter) > 1:   # ψ typed, or \psi in LaTeX
                out.setdefault(GREEK_NAMES.get(letter, letter.lower()), fn)
    return out


def name_of(written: str) -> str:
    word = re.sub(r"\\(?:text|mathrm|operatorname)\{|[\\{}]", "", written).lower()
    return FUNCTIONS[word]  # the mathematics readers' own table of how functions are written


def is_alias_statement(text: str) -> bool:
    """`g = \\tanh`: says what a letter is, and is neither a definition nor a derivation."""
    return STATEMENT.match(text) is not None


def layered_superscripts(math: list[str]) -> bool:
    return any(FIRST_LAYER.search(text) for text in math)


@contextmanager
def reading_aliases(aliases: dict[str, str], layers: bool = False, gradients: dict[str, str] | None = None,
                    primed: frozenset[str] = frozenset()):
    """Read a post with its letters for functions, its letters for gradients and, when it numbers layers with
    superscripts, that."""
    token = FUNCTION_ALIASES.set(aliases)
    layer_token = LAYER_SUPERSCRIPTS.set(layers)
    gradient_token = GRADIENT_LETTERS.set(gradients or {})
    primed_token = PRIMED_NAMES.set(primed)
    try:
        yield
    finally:
        PRIMED_NAMES.reset(primed_token)
        GRADIENT_LETTERS.reset(gradient_token)
        LAYER_SUPERSCRIPTS.reset(layer_token)
        FUNCTION_ALIASES.reset(token)
