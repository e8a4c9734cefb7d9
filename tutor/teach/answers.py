"""Reading and judging a learner's answer to "what shape is this?".

Forgiving about notation (`1xH`, `1×H`, `(1, H)`, `[1,3]`, `1 x 3 x 5 x 3`),
strict about meaning, and specific in feedback: which dimension is wrong,
and why it should be what it is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..engine.dims import ONE, Dim, Shape, format_shape


@dataclass(frozen=True)
class Feedback:
    ok: bool
    message: str


class AnswerError(ValueError):
    pass


def parse_shape(text: str, symbols: set[str]) -> list[Dim | int]:
    """A shape as the learner typed it: symbols stay symbols, numbers stay numbers.

    Reads left to right, taking the longest dimension symbol (any case) or number at
    each point and skipping separators, so `1xHxDxxH` reads as 1, H, Dx, H. A `*` joins
    two dimensions into one product (`B×T×h*d` has three axes, the last h*d) wherever
    the axes are separated some other way; on its own (`1*H*Dx*H`) it separates axes.
    """
    cleaned = re.sub(r"\s*\*\s*", "*", text.strip().strip("()[]").strip())
    if cleaned.lower() in ("", "scalar"):
        return []
    by_lower = sorted(((s.lower(), s) for s in symbols), key=lambda p: -len(p[0]))
    tokens: list[Dim | int] = []
    joins: list[str] = []  # the separators before each token after the first
    between = ""
    i = 0
    while i < len(cleaned):
        rest = cleaned[i:]
        digits = re.match(r"\d+", rest)
        symbol = None if digits else next(
            (s for exact in (True, False) for low, s in by_lower  # h and H may both be dimensions: case first
             if (rest.startswith(s) if exact else rest.lower().startswith(low))
             and not (len(rest) > len(low) and (rest[len(low)].isalnum() or rest[len(low)] == "_")
                      and rest[len(low)].lower() != "x")), None)
        if digits or symbol is not None:
            if tokens:
                joins.append(between)
            tokens.append(int(digits.group()) if digits else Dim.symbol(symbol))
            i += digits.end() if digits else len(symbol)
            between = ""
            continue
        if rest[0] in "xX×*, \t()[]":
            between += rest[0]
            i += 1
            continue
        word = re.match(r"[A-Za-z_][A-Za-z0-9_]*|.", rest).group()
        known = ", ".join(sorted(symbols))
        raise AnswerError(f"{word!r} is not a dimension here (the dimensions are {known}, or numbers)")
    products = any(j != "*" for j in joins) and "*" in joins
    out: list[Dim | int] = tokens[:1]
    for join, token in zip(joins, tokens[1:]):
        if products and join == "*":
            left = out.pop()
            out.append(as_dim(left) * as_dim(token))
        else:
            out.append(token)
    return [d.coeff if isinstance(d, Dim) and d.is_literal else d for d in out]


def as_dim(d: Dim | int) -> Dim:
    return Dim(d) if isinstance(d, int) else d


def judge(answer: list[Dim | int], expected: Shape, bindings: dict[str, int], of: str, wrt: str,
          of_shape: Shape, wrt_shape: Shape) -> Feedback:
    """Compare dimension by dimension, by symbol where given and by number otherwise."""
    def matches(given, want: Dim) -> bool:
        if isinstance(given, int):
            return given == want.value(bindings)
        return given == want

    if len(answer) == len(expected) and all(matches(g, w) for g, w in zip(answer, expected)):
        numeric_only = any(isinstance(g, int) for g in answer) and not expected == tuple(
            Dim(g) if isinstance(g, int) else g for g in answer)
        note = " (with numbers; symbolically it is " + format_shape(expected) + ")" if numeric_only else ""
        return Feedback(True, f"✓ {format_shape(expected)} = {format_shape(expected, bindings)}{note}")
    rank_of, rank_wrt = len(of_shape), len(wrt_shape)
    squeezed = tuple(d for d in expected if d != ONE)
    if 0 < len(squeezed) <= 2 < len(expected) and len(answer) == len(squeezed) and \
            all(matches(g, w) for g, w in zip(answer, squeezed)):
        return Feedback(True, f"✓ as a matrix, {format_shape(squeezed)}, once the axes of length 1 are "
                              f"dropped; in full the Jacobian is {format_shape(expected)} = "
                              f"{format_shape(expected, bindings)}")
    if len(answer) != len(expected):
        if len(answer) == 2 and len(expected) > 2:
            return Feedback(False, f"✗ that is a matrix, but ∂{of}/∂{wrt} has {len(expected)} axes: one for each "
                                   f"axis of {of} ({format_shape(of_shape)}) followed by one for each axis of "
                                   f"{wrt} ({format_shape(wrt_shape)})")
        return Feedback(False, f"✗ {len(answer)} dimension(s), but a Jacobian ∂{of}/∂{wrt} has "
                               f"{rank_of} + {rank_wrt} = {len(expected)}: the shape of {of}, then the shape of {wrt}")
    for i, (g, w) in enumerate(zip(answer, expected)):
        if not matches(g, w):
            part, index = (of, i) if i < rank_of else (wrt, i - rank_of)
            source = of_shape if i < rank_of else wrt_shape
            swapped = list(answer[rank_of:] + answer[:rank_of])
            if all(matches(a, b) for a, b in zip(swapped, expected)):
                return Feedback(False, f"✗ that is the shape of {wrt} followed by {of}; the Jacobian ∂{of}/∂{wrt} "
                                       f"lists {of}'s axes first (numerator layout)")
            given = g if isinstance(g, int) else str(g)
            return Feedback(False, f"✗ dimension {i + 1} is {given}, but it is axis {index} of {part}, whose shape "
                                   f"is {format_shape(source)}: it must be {w} = {w.value(bindings)}")
    raise AssertionError("unreachable: some dimension differs")
