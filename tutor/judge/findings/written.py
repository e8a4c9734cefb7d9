"""The learner's own text: a node as they wrote it, an edit of it, and a candidate fix tried quietly.

Fixes are shown as changes to what the learner wrote, so they are built from its spans; whether a
fix is right is decided by evaluating the edited derivation, never by reading printed text.
"""
from __future__ import annotations

from ...engine.diagnostics import Span, source_lines
from ...engine.errors import TutorError
from ...engine.language.ir import Expr
from ...engine.language.printer import code
from ..evaluate import Evaluation, evaluate


def segment(ev: Evaluation, expr: Expr) -> str:
    """`expr` as the learner wrote it (printed, when it spans several lines)."""
    span = getattr(expr, "span", None)
    if span is None or (span.end_line or span.line) != span.line:
        return code(expr)
    return ev.source_line(span.line)[span.col:span.end_col]


def atomic(text: str) -> str:
    """Wrap in parentheses unless it already reads as one operand (a name, a call, a group)."""
    t = text.strip()
    if t.replace("_", "").replace(".", "").isalnum():
        return t
    head = t.split("(", 1)[0]
    if t.endswith(")") and (head == "" or head.replace(".", "").replace("_", "").isalnum()) \
            and closing_paren(t, len(head)) == len(t) - 1:
        return t
    return f"({t})"


def closing_paren(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1


def edited_source(ev: Evaluation, span: Span, replacement: str) -> str:
    lines = source_lines(ev.source)
    text = lines[span.line - 1]
    lines[span.line - 1] = text[:span.col] + replacement + text[span.end_col:]
    return "\n".join(lines)


def attempt(ev: Evaluation, text: str) -> Evaluation | None:
    """Evaluate a candidate fix quietly (None when it cannot even be read)."""
    try:
        return evaluate(ev.network, ev.wrt, text, dict(ev.bindings), ev.origin)
    except TutorError:
        return None
