"""Functions written out by their formulas: `p_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}}` is softmax(z), and
`\\frac{1}{1 + e^{-z}}` is σ(z).

Posts often define the output by its formula rather than by name. Each pattern here is rewritten into
the function it spells before the post is read (the rest of the LaTeX is untouched), so `p` becomes a node
`softmax(z)` instead of an expression in the indexed leaves z_i and z_j.
"""
from __future__ import annotations

import re

#: A vector's name, optionally with its layer: z, z_2, z^{[2]}, z^{(2)}.
NAME = r"[A-Za-z](?:_\{?\d\}?|\^\{?[\[(]\d[\])]\}?)?"
INDEX = r"_\{?[a-z]\}?"


def exp(group: str) -> str:
    """e^{z_i} or \\exp(z_i) (with \\left( \\right) or not), the vector's name in `group`."""
    return (rf"(?:e\^\{{\s*(?P<{group}>{NAME}){INDEX}\s*\}}"
            rf"|\\exp\s*(?:\\left)?\(\s*(?P<{group}2>{NAME}){INDEX}\s*(?:\\right)?\))")


SUM = r"\\sum(?:_\{[^{}]*\}|_[a-z])?(?:\^\{[^{}]*\}|\^[A-Za-z0-9])?"
SOFTMAX = re.compile(
    rf"(?P<lhs>(?:\\hat\{{?\w\}}?|[A-Za-z]\w?)){INDEX}\s*=\s*\\frac\s*\{{\s*{exp('top')}\s*\}}"
    rf"\s*\{{\s*{SUM}\s*{exp('bottom')}\s*\}}")
#: \frac{1}{1 + e^{-z}} or \frac{1}{1 + \exp(-z)}
SIGMOID = re.compile(rf"\\frac\s*\{{\s*1\s*\}}\s*\{{\s*1\s*\+\s*(?:e\^\{{\s*-\s*(?P<a>{NAME})\s*\}}"
                     rf"|\\exp\s*(?:\\left)?\(\s*-\s*(?P<b>{NAME})\s*(?:\\right)?\))\s*\}}")


def written_out(text: str) -> str:
    """The post's mathematics with each function written out by its formula put as the function."""
    def softmax(m: re.Match) -> str:
        top = m.group("top") or m.group("top2")
        bottom = m.group("bottom") or m.group("bottom2")
        if top != bottom:
            return m.group()
        return f"{m.group('lhs')} = \\mathrm{{softmax}}({top})"

    def sigmoid(m: re.Match) -> str:
        return f"\\sigma({m.group('a') or m.group('b')})"

    return SIGMOID.sub(sigmoid, SOFTMAX.sub(softmax, text))
