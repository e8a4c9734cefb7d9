"""A post's own network, built, with its errors placed where the post wrote them.

The network a post describes is checked as read, in the network language (`z2 = W2 @ h + b2`); an error
found there is moved to the definition's line and column in the post (`z_2 &= W_2 h + b_2`), with the
operation's operands underlined as the asker typed them, and the reading said beside it. A leaf whose
shape cannot be told is shown where the post first uses it.
"""
from __future__ import annotations

import re

from ..engine.diagnostics import Span, source_lines
from ..engine.errors import TutorError
from ..engine.language.network import Network, parse_network
from .grammar import M
from .network import LOSS_NAMES, build, gather
from .tokens import to_latex_mapped
from .translate import is_assumption

#: A name in the network language: an identifier that is not an attribute (`.T`) or a keyword argument.
CODE_NAME = re.compile(r"(?<![.\w])([A-Za-z_]\w*)(?!\s*=[^=])")
NOT_NAMES = {"axis", "keepdims", "T", "ones", "sum", "mean"}


def network_in_post(math_net, post: str, origin: str = "<post>",
                    read_origin: str = "<the post's network>") -> tuple[Network, str, list[str]]:
    """The post's own network, its text in the network language, and what was assumed to write it; an error
    in it is located where the post wrote the definition, not in the network as read."""
    try:
        source, said = build(math_net, origin)
    except TutorError as error:
        leaves, definition = getattr(error, "leaves", ()), getattr(error, "definition", None)
        if leaves:
            raise unknown_shape_in_post(error, leaves[0], math_net, post, origin) from None
        raise (definition_in_post(error, definition, math_net, post, origin) if definition else error) from None
    try:
        return parse_network(source, read_origin), source, said
    except TutorError as error:
        raise placed_in_post(no_loss_said(error, source), source, math_net, post, origin) from None


def no_loss_said(error: TutorError, network_source: str) -> TutorError:
    """A post that never defines its loss (Nielsen's δ^L = ∇_a C ⊙ σ'(z^L), with C left to the book) has its
    last definition taken for the loss, which is not one number: say that the loss is what is missing."""
    last = re.match(r"(\w+) = ", (network_source.strip().splitlines() or [""])[-1])
    if error.diagnostic.code != "E204" or last is None or last.group(1) in LOSS_NAMES:
        return error
    return error.amended(
        message=f"the post defines no loss: its last definition, {last.group(1)}, is taken for it, and it is not "
                "one number",
        expected="the loss as a definition, e.g. C = \\frac{1}{2} \\| a^L - y \\|^2 (quadratic) or "
                 "J = -\\sum_k y_k \\log \\hat{y}_k (cross-entropy)")


def placed_in_post(error: TutorError, network_source: str, net, post: str,
                   origin: str = "<post>") -> TutorError:
    """`error` from checking the network as read (`network_source`), moved to the post when it lies in
    one of the post's definitions and that definition can be found in the post; otherwise `error` itself."""
    d = error.diagnostic
    if d.span is None or d.span.end_line not in (None, d.span.line):
        return error
    lines = source_lines(network_source)
    if not 0 < d.span.line <= len(lines):
        return error
    line = lines[d.span.line - 1]
    defined = re.match(r"(\w+) = ", line)
    written = net.written.get(defined.group(1)) if defined else None
    if defined is None or written is None:
        return error
    value = net.definitions[defined.group(1)][0]
    spanned = latex_span(value, line, d.span.col, d.span.end_col, written)
    if spanned is None:
        return definition_in_post(error.amended(span=None), defined.group(1), net, post, origin) \
            .amended(caret=None, labels=(), note=d.note or f"read as `{line.strip()}`")
    span = in_post(written, *spanned, post)
    if span is None:
        return error
    note = d.note or f"read as `{line.strip()}`"
    return error.amended(source=post, span=span, caret=None, labels=(), origin=origin, note=note)


def definition_in_post(error: TutorError, name: str, net, post: str, origin: str = "<post>") -> TutorError:
    """An error in reading one of the post's definitions, shown at its right side in the post (where the
    error itself says no place)."""
    written = net.written.get(name)
    if error.span is not None or written is None or not written.latex.strip():
        return error
    latex = written.latex.splitlines()[0]
    right = latex.find("=") + 1
    span = in_post(written, right + len(latex[right:]) - len(latex[right:].lstrip()), len(latex), post)
    return error if span is None else error.amended(source=post, span=span, origin=origin)


def unknown_shape_in_post(error: TutorError, leaf: str, net, post: str, origin: str = "<post>") -> TutorError:
    """"Cannot tell the shape of y", shown where the post first uses y."""
    for name, written in net.written.items():
        uses = sorted((m.pos for m in net.definitions[name][0].parts("name") if m.value == leaf))
        if uses:
            at = uses[0] - written.start
            span = in_post(written, at, at + token_length(written.latex, at), post)
            if span is not None:
                return error.amended(source=post, span=span, origin=origin)
    return error


def latex_span(value: M, line: str, col: int, end_col: int, written) -> tuple[int, int] | None:
    """The part of a definition's LaTeX (columns of `written.latex`) that the code `line[col:end_col]`
    was read from: the same names, in the same order, and the same occurrence of them."""
    segment = line[col:end_col]
    wanted = names_in_code(segment)
    if not wanted:
        return None
    occurrence = count_runs(names_in_code(line[line.find(" = ") + 3:col]) + wanted, wanted) - 1
    found = list(value.parts("name", "call"))
    found.sort(key=lambda m: m.pos)
    values = [str(m.value) for m in found]
    runs = [i for i in range(len(values) - len(wanted) + 1) if values[i:i + len(wanted)] == wanted]
    if not runs:
        return None
    i = runs[min(occurrence, len(runs) - 1)]
    first, last = found[i].pos - written.start, found[i + len(wanted) - 1].pos - written.start
    return first, last + token_length(written.latex, last)


def names_in_code(code: str) -> list[str]:
    return [n for n in CODE_NAME.findall(code) if n not in NOT_NAMES]


def count_runs(values: list[str], wanted: list[str]) -> int:
    return sum(values[i:i + len(wanted)] == wanted for i in range(len(values) - len(wanted) + 1))


#: What follows a symbol and still belongs to it: `_1`, `_{x}`, `^{[1]}`, `^T`, a prime.
ATTACHED = re.compile(r"(?:[_^](?:\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z0-9])|')*")


def token_length(latex: str, at: int) -> int:
    """How long the symbol at `at` is written: `x`, `W_1`, `\\hat{y}`, `\\sigma`, `z^{[2]}`."""
    m = re.compile(r"\\[A-Za-z]+(?:\{[^{}]*\})*|[A-Za-z0-9]").match(latex, at)
    if m is None:
        return 1
    tail = ATTACHED.match(latex, m.end())
    return (tail.end() if tail else m.end()) - at


def in_post(written, start: int, end: int, post: str) -> Span | None:
    """The span in the post of the definition's LaTeX from column `start` to `end` (on the definition's
    first line), when the definition stands in the post as written."""
    latex_line = written.latex.splitlines()[0] if written.latex else ""
    typed_line = written.typed.splitlines()[0] if written.typed else ""
    if not 0 <= start < end <= len(latex_line):
        return None
    place = find_in_post(typed_line, post) or find_in_post(latex_line, post)
    if place is None:
        return None
    row, column, found = place
    to_post = column_in(found, latex_line, column)
    return Span(row, to_post(start), max(to_post(end - 1) + 1, to_post(start) + 1))


def find_in_post(line: str, post: str) -> tuple[int, int, str] | None:
    """(line, column, the text found) of a line of a derivation in the post, when it is there as written."""
    line = line.strip()
    if not line:
        return None
    for number, text in enumerate(source_lines(post), 1):
        at = text.find(line)
        if at >= 0:
            return number, at, line
    return None


def column_in(written: str, read: str, start: int):
    """A column of the derivation's line as read (LaTeX) → the column in the post, where it was typed
    (Unicode `W₂ᵀ` is longer read as `W_{2}^{T}`)."""
    latex, origins = to_latex_mapped(written)
    offset = len(read) - len(read.lstrip())
    if latex.strip() != read.strip():
        return lambda col: start + max(0, min(col - offset, len(written)))
    return lambda col: start + origins[max(0, min(col - offset, len(origins) - 1))]


def network_from_math(source: str, origin: str):
    """A network written as mathematics (an align block, $$ … $$, or a whole post) → (Network, assumptions)."""
    from .formulas import written_out
    from .post import prose_shapes, read_post
    post = read_post(source)
    math = [written_out(m) for m in post.math or [source]]
    gathered, _ = gather(math, prose_shapes(post.prose))
    gathered.convention = post.convention
    network, _, assumptions = network_in_post(gathered, source, origin, f"{origin} (as read)")
    return network, [a for a in assumptions if is_assumption(a)]
