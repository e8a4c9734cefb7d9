"""Definitions in a post that could not be read: said, never turned silently into leaves.

A post's `a = \\mathrm{Foo}(z_1)` that the reader cannot make sense of would otherwise leave `a` as a leaf
with a guessed shape, and the post would be judged against a network it does not have. A definition
that the network needs (another definition reads its name, or it is the loss) stops the reading with
its place in the post; one that nothing needs is left out and said.
"""
from __future__ import annotations

import re

from ..engine.diagnostics import Span, source_lines
from ..engine.errors import ParseError
from .network import LOSS_NAMES, MathNetwork, names_in


def unread_definitions(net: MathNetwork, post: str | None = None) -> list[str]:
    """Raise for the first unread definition the network needs; the notes that say the others."""
    unread = {name: why for name, why in net.unread.items() if name not in net.definitions}
    if not unread:
        return []
    used = set().union(*(names_in(value) for value, _ in net.definitions.values())) if net.definitions else set()
    needed = [n for n in unread if n in used or n in LOSS_NAMES or not net.definitions]
    if needed:
        written, error = unread[needed[0]]
        raise located(f"cannot read the definition of {needed[0]}, `{written}`: {error.message}", written, post,
                      error.diagnostic.expected or "a definition in the functions and products the reader knows")
    return [f"`{written}` could not be understood ({error.message}), so it is left out of the network; "
            "write it with the functions and products of docs/mathematics.md" for written, error in unread.values()]


#: TeX that defines macros: what it would expand to is never worked out (nothing in a post is run).
MACRO_DEFINITION = re.compile(r"\\(?:def|gdef|edef|xdef|let|newcommand|renewcommand|providecommand|DeclareMathOperator)"
                              r"(?![A-Za-z])")


def refuse_macro_definitions(math: list[str], post: str) -> None:
    """A post that defines its own macros (`\\def\\foo{W_1}`) is refused with the place of the first."""
    for text in math:
        m = MACRO_DEFINITION.search(text)
        if m is not None:
            raise located(f"the post defines its own macro with \\{m.group()[1:]}, which is not expanded",
                          text[m.start():].splitlines()[0], post,
                          "the mathematics written out without macros of the post's own")


def located(message: str, written: str, post: str | None, expected: str) -> ParseError:
    """An error placed at the statement's line and column in the post, when it can be found there."""
    first = written.splitlines()[0] if written else ""
    at = post.find(first) if post and first else -1
    if post is None or at < 0:
        return ParseError(message, origin="<post>", expected=expected)
    before = source_lines(post[:at])
    span = Span(len(before), len(before[-1]), len(before[-1]) + len(first))
    return ParseError(message, span, source=post, origin="<post>", expected=expected)
