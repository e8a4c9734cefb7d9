"""Reading and judging a learner's answer to "what shape is this?".

Forgiving about notation (`1xH`, `1×H`, `(1, H)`, `[1,3]`, `1 x 3 x 5 x 3`),
strict about meaning, and specific in feedback: which dimension is wrong,
and why it should be what it is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..engine.language.dims import ONE, Dim, Shape, format_shape
from ..engine.language.ir import Call, names_in
from ..engine.language.network import Network
from ..engine.language.shapes import COMPARISONS, ELEMENTWISE, same_shape, shape_rules


@dataclass(frozen=True)
class Feedback:
    ok: bool
    message: str


class AnswerError(ValueError):
    pass


DIGITS = re.compile(r"\d+")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|.", re.S)
#: More digits than any size could have (and far below the 4,300 Python converts to an int).
MAX_DIGITS = 30


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
    lowered = cleaned.lower()  # once: matching at a position, never copying the rest (a long answer is linear)
    tokens: list[Dim | int] = []
    joins: list[str] = []  # the separators before each token after the first
    between = ""
    i = 0

    def ends_here(end: int) -> bool:
        return not (end < len(cleaned) and (cleaned[end].isalnum() or cleaned[end] == "_")
                    and cleaned[end].lower() != "x")

    while i < len(cleaned):
        digits = DIGITS.match(cleaned, i)
        symbol = None if digits else next(
            (s for exact in (True, False) for low, s in by_lower  # h and H may both be dimensions: case first
             if (cleaned.startswith(s, i) if exact else lowered.startswith(low, i)) and ends_here(i + len(low))),
            None)
        if digits and digits.end() - i > MAX_DIGITS:
            raise AnswerError(f"a number of {digits.end() - i:,} digits is not a dimension here")
        if digits or symbol is not None:
            if tokens:
                joins.append(between)
            if digits:
                tokens.append(int(digits.group()))
                i = digits.end()
            else:
                assert symbol is not None
                tokens.append(Dim.symbol(symbol))
                i += len(symbol)
            between = ""
            continue
        if cleaned[i] in "xX×*, \t()[]":
            between += cleaned[i]
            i += 1
            continue
        found = WORD.match(cleaned, i)
        assert found is not None  # WORD matches any one character
        word = found.group()
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


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


#: A wrong shape is answered with a hint first (what to look at); from this attempt on, the reply tells.
TELL_FROM_ATTEMPT = 2


def shape_feedback(answer: list[Dim | int], expected: Shape, bindings: dict[str, int], of: str, wrt: str,
                   of_shape: Shape, wrt_shape: Shape, diagonal: bool | str = False, tell: bool = True) -> Feedback:
    """Compare dimension by dimension, by symbol where given and by number otherwise.

    `wrt` is empty for "what is the shape of NODE?" (then `of` is the node); otherwise the question is the
    Jacobian ∂of/∂wrt, whose axes are of's followed by wrt's. `diagonal` says that ∂of/∂wrt is an
    elementwise step's Jacobian (`diagonal_step`), whose vector form a learner often writes for it; as a
    string it is what sits on that diagonal, in the network's symbols (σ′(z1)).
    A wrong answer gets a hint, saying where to look, unless `tell`: then the reply also gives the
    answer (a learner's second try, `TELL_FROM_ATTEMPT`; an author's `expect` in validation)."""
    def matches(given, want: Dim) -> bool:
        if isinstance(given, int):
            return given == want.value(bindings)
        return given == want

    def fits(given: list, want: Shape) -> bool:
        return len(given) == len(want) and all(matches(g, w) for g, w in zip(given, want))

    def shown(shape: Shape) -> str:
        return shape_text(shape, bindings)

    def wrong(hint: str, told: str) -> Feedback:
        return Feedback(False, "✗ " + (told if tell else hint))

    jacobian = bool(wrt)
    if fits(answer, expected):
        numeric_only = any(isinstance(g, int) for g in answer) and not expected == tuple(
            Dim(g) if isinstance(g, int) else g for g in answer)
        note = " (with numbers; symbolically it is " + format_shape(expected) + ")" if numeric_only else ""
        return Feedback(True, f"✓ {format_shape(expected)} = {format_shape(expected, bindings)}{note}")
    squeezed = tuple(d for d in expected if d != ONE)
    if 0 < len(squeezed) <= 2 < len(expected) and fits(answer, squeezed):
        return Feedback(True, f"✓ as a matrix, {format_shape(squeezed)}, once the axes of length 1 are "
                              f"dropped; in full the Jacobian is {format_shape(expected)} = "
                              f"{format_shape(expected, bindings)}")
    if jacobian and 2 < len(squeezed) < len(expected) and fits(answer, squeezed):
        # most notes write ∂z1/∂W1 as H×Dx×H, dropping the 1 of a row: the same tensor, said so
        return Feedback(True, f"✓ {format_shape(squeezed)} with the axes of length 1 dropped, as most notes "
                              f"write it; in full, {of}'s axes then {wrt}'s, it is {format_shape(expected)} = "
                              f"{format_shape(expected, bindings)}")
    if diagonal and of_shape == wrt_shape and len(of_shape) > 0 and fits(answer, of_shape):
        # the shape of an elementwise step's derivative, h ∘ (1 − h): the diagonal of the Jacobian
        entries = diagonal if isinstance(diagonal, str) else "…"
        why = (f"that is the shape of {of} itself: the shape of the vector an elementwise step multiplies by (∘), "
               f"its derivative at each entry of {wrt}. As a Jacobian that vector sits on a diagonal: each entry of "
               f"{of} depends only on the same entry of {wrt}, so ∂{of}/∂{wrt} is diag({entries}), with one axis "
               f"for each axis of {of} and then one for each axis of {wrt}; multiplying by a diagonal is the "
               "elementwise product ∘")
        return wrong(why, why)  # the concept, whatever the attempt: the shape follows from it
    given = " × ".join(str(g) for g in answer) if answer else "a scalar"
    # the input's own axes in another order, after the output's: a wrong shape of the input, not the Jacobian's order
    if jacobian:
        for full in (True, False):
            of_part = tuple(d for d in of_shape if full or d != ONE)
            wrt_part = tuple(d for d in wrt_shape if full or d != ONE)
            if len(answer) == len(of_part) + len(wrt_part) and len(wrt_part) > 1 and of_part \
                    and fits(answer[:len(of_part)], of_part) and reordered(answer[len(of_part):], wrt_part, matches):
                return wrong(f"{of}'s axes come first, rightly; the axes after them are {wrt}'s, in the order "
                             f"{wrt} has them: look at {wrt}'s shape again",
                             f"{of}'s axes come first, rightly; then {wrt}'s, in the order {wrt} has them: {wrt} is "
                             f"{shown(wrt_shape)}, so ∂{of}/∂{wrt} is {shown(expected)}")
            if len(answer) == len(of_part) + len(wrt_part) and len(of_part) > 1 and wrt_part \
                    and fits(answer[len(of_part):], wrt_part) and reordered(answer[:len(of_part)], of_part, matches):
                return wrong(f"{wrt}'s axes come last, rightly; the axes before them are {of}'s, in the order "
                             f"{of} has them: look at {of}'s shape again",
                             f"{wrt}'s axes come last, rightly; before them come {of}'s, in the order {of} has "
                             f"them: {of} is {shown(of_shape)}, so ∂{of}/∂{wrt} is {shown(expected)}")
    # the right axes in another order
    for want, full in ((expected, True), (squeezed, False)):
        if len(answer) == len(want) > 1 and reordered(answer, want, matches):
            return wrong(wrong_order(answer, want, full, expected, bindings, of, wrt, of_shape, wrt_shape, matches,
                                     tell=False),
                         wrong_order(answer, want, full, expected, bindings, of, wrt, of_shape, wrt_shape, matches))
    if len(answer) != len(expected):
        if jacobian and len(answer) == 2 and len(expected) > 2:
            return wrong(f"that is a matrix, but a Jacobian ∂{of}/∂{wrt} has one axis for each axis of {of} and "
                         f"then one for each axis of {wrt}: count them",
                         f"that is a matrix, but ∂{of}/∂{wrt} has {len(expected)} axes: one for each axis of {of} "
                         f"({format_shape(of_shape)}) followed by one for each axis of {wrt} "
                         f"({format_shape(wrt_shape)}): {shown(expected)}")
        if jacobian:
            return wrong(f"{len(answer)} dimension(s), but a Jacobian ∂{of}/∂{wrt} has an axis for each axis of "
                         f"{of}, then one for each axis of {wrt}",
                         f"{len(answer)} dimension(s), but a Jacobian ∂{of}/∂{wrt} has "
                         f"{len(of_shape)} + {len(wrt_shape)} = {len(expected)}: the shape of {of}, "
                         f"then the shape of {wrt}")
        axes = "1 axis" if len(answer) == 1 else f"{len(answer)} axes"
        return wrong(f"{given} has {axes}, but {of} has {'fewer' if len(answer) > len(expected) else 'more'}: "
                     f"look at how {of} is declared or defined",
                     f"{given} has {axes}, but {of} has {len(expected)}: it is {shown(expected)}")
    for i, (g, w) in enumerate(zip(answer, expected)):
        if not matches(g, w):
            ordinal = ORDINALS[i] if i < len(ORDINALS) else f"axis {i}"
            if jacobian:
                part, index = (of, i) if i < len(of_shape) else (wrt, i - len(of_shape))
                source = of_shape if i < len(of_shape) else wrt_shape
                hint = f"the {ordinal} dimension is not {g}: it is axis {index} of {part}; look at {part}'s shape"
                why = f"it is axis {index} of {part}, whose shape is {shown(source)}"
            else:
                hint = f"the {ordinal} dimension is not {g}: look at how {of} is declared or defined"
                why = f"{of} is {shown(expected)}"
            return wrong(hint, f"the {ordinal} dimension is {dim_text(w, bindings)}, not {g}: {why}")
    raise AssertionError("unreachable: some dimension differs")


def diagonal_step(network: Network, of: str, wrt: str) -> bool:
    """∂of/∂wrt is a diagonal Jacobian: `of` has wrt's shape and reaches it through elementwise operations
    only (h = sigmoid(z1), a = z * mask), so each entry of `of` depends on the same entry of `wrt` alone."""
    expr = network.definitions.get(of)
    if expr is None or wrt not in network.shapes or network.shapes.get(of) != network.shapes[wrt]:
        return False
    stack = [expr]
    while stack:
        node = stack.pop()
        if not isinstance(node, Call) or wrt not in names_in(node):
            continue
        if not (shape_rules.get(node.prim) is same_shape or node.prim in ELEMENTWISE or node.prim in COMPARISONS):
            return False
        stack.extend(node.args)
    return True


def shape_text(shape: Shape, bindings: dict[str, int]) -> str:
    """`1×Dy = 1×10`, or just `1×1` when there is nothing to bind."""
    if all(d.is_literal for d in shape):
        return format_shape(shape)
    return f"{format_shape(shape)} = {format_shape(shape, bindings)}"


def dim_text(d: Dim, bindings: dict[str, int]) -> str:
    return str(d) if d.is_literal else f"{d} = {d.value(bindings)}"


def reordered(answer: list, want: Shape, matches) -> bool:
    """The answer lists want's axes, each once, in another order."""
    left = list(range(len(want)))
    for g in answer:
        hit = next((i for i in left if matches(g, want[i])), None)
        if hit is None:
            return False
        left.remove(hit)
    return True


def wrong_order(answer, want: Shape, full: bool, expected: Shape, bindings, of: str, wrt: str, of_shape: Shape,
                wrt_shape: Shape, matches, tell: bool = True) -> str:
    """Why the order matters: a row is not a column; a Jacobian lists the output's axes first. Without
    `tell`, the reason only (the hint), not the shape it leads to."""
    answer_shape = tuple(a if isinstance(a, Dim) else next(w for w in want if matches(a, w)) for a in answer)
    whole = "" if full else f" (in full, with its axes of length 1, {shape_text(expected, bindings)})"
    if len(want) == 2 and ONE in want and full:
        kind = "a column" if want[1] == ONE else "a row"
        other = "a row" if kind == "a column" else "a column"
        noun = f"∂{of}/∂{wrt}" if wrt else of
        why = f" ({of} is a scalar, so it has the shape of {wrt})" if wrt and not of_shape else ""
        if not tell:
            return (f"that is {other}, {format_shape(answer_shape)}; look again at whether {noun} is a row or a "
                    f"column{why}")
        return f"that is {other}, {format_shape(answer_shape)}; {noun} is {kind}, {shape_text(want, bindings)}{why}"
    if not wrt:
        if not tell:
            return f"the right dimensions in another order: look at how {of} is declared or defined"
        return f"the axes are in the wrong order: {of} is {shape_text(want, bindings)}"
    if not tell:
        return (f"the right dimensions in the wrong order: a Jacobian ∂{of}/∂{wrt} lists the axes of {of} first "
                f"(the output), then those of {wrt}")
    of_part = tuple(d for d in of_shape if full or d != ONE)
    wrt_part = tuple(d for d in wrt_shape if full or d != ONE)
    if answer_shape == wrt_part + of_part:
        return (f"the axes are in the wrong order: output axes first. ∂{of}/∂{wrt} lists the axes of {of} "
                f"({format_shape(of_shape)}) and then those of {wrt} ({format_shape(wrt_shape)}): "
                f"{shape_text(want, bindings)}{whole}; {wrt}'s axes first is the denominator layout")
    return (f"the axes are in the wrong order: output axes first, the axes of {of} ({format_shape(of_shape)}) "
            f"and then those of {wrt} ({format_shape(wrt_shape)}): {shape_text(want, bindings)}{whole}")
