"""A check result, drawn like a compiler's diagnostics: the learner's line, underlined, labelled."""
from __future__ import annotations

from rich.console import Group
from rich.text import Text

from .check import CheckResult, Diagnostic
from .dims import format_shape
from .render import Look

VERDICT_TEXT = {
    "correct": "correct",
    "shape_error": "an operation's shapes do not conform",
    "wrong_shape": "every operation conforms, but the result has the wrong shape",
    "transposed": "the transpose of the gradient",
    "scaled": "a constant multiple of the gradient",
    "wrong_value": "the right shape, the wrong values",
}


def check_view(result: CheckResult, look: Look, reveal: bool = True) -> Group:
    """Print it with crop=False: lines of code are never wrapped or cut, so they can be copied back.

    With reveal=False (a quiz), the fix and the suggestion are kept back: the learner tries again.
    """
    b = result.bindings
    expected = f"{format_shape(result.expected_shape)} = {format_shape(result.expected_shape, b)}"
    head = (f"{look.ok(result.correct)} ∂J/∂{result.wrt}: {VERDICT_TEXT[result.verdict]}"
            f"   [{result.verdict}; expected shape {expected}]")
    parts: list = [Text(look.text(head), style="bold green" if result.correct else "bold red")]
    for d in result.diagnostics:
        parts.append(Text(""))
        parts.append(diagnostic_view(result, d, look, reveal))
    if result.steps:
        lines_have_one_step = len({s.line for s in result.steps}) == len(result.steps)
        parts.append(Text(""))
        for s in result.steps:
            ok = s.shape_ok and s.value_ok
            what = "" if ok else (" (wrong shape)" if not s.shape_ok else
                                  " (values not checked)" if s.value_ok is None else " (wrong values)")
            shape = format_shape(s.shape) if s.shape is not None else "?"
            where = f"line {s.line}" if lines_have_one_step else f"{s.line}:{s.col + 1}"
            parts.append(Text(look.text(f"  {look.ok(bool(ok))} {where}: {s.name} = ∂J/∂{s.claims}, "
                                        f"{shape}{what}")))
    if not result.correct and result.suggestion and reveal:
        parts.append(Text(""))
        parts.append(Text(look.text("suggestion:")))
        for line in result.suggestion.splitlines():
            parts.append(code_line("    " + line))
    return Group(*parts)


def code_line(text: str, style: str = "") -> Text:
    """A line of code is never wrapped by us: copied back, it must still be one line."""
    return Text(text, style=style, no_wrap=True, overflow="ignore")


def diagnostic_view(result: CheckResult, d: Diagnostic, look: Look, reveal: bool = True) -> Group:
    style = "red" if d.severity == "error" else "yellow"
    head = Text()
    head.append(f"{d.severity}[{d.code}]", style=f"bold {style}")
    head.append(look.text(f": {d.message}"))
    parts: list = [head]
    if d.span:
        lines = result.source.splitlines()
        text = lines[d.span.line - 1] if d.span.line - 1 < len(lines) else ""
        gutter = " " * len(str(d.span.line))
        parts.append(Text(f"{gutter}--> derivation:{d.span.line}:{d.span.col + 1}", style="blue"))
        parts.append(Text(f"{gutter} |", style="blue"))
        source = code_line(f"{d.span.line} | ", "blue")
        source.append(text, style="default")
        parts.append(source)
        for row in underline(text, d, look):
            marks = code_line(f"{gutter} | ", "blue")
            marks.append(row, style=style)
            parts.append(marks)
    for label, body in (("note", d.note), ("help", d.help if reveal else "")):
        if body:
            line = Text()
            line.append(f"  = {label}: ", style="bold")
            line.append(look.text(body))
            parts.append(line)
    return Group(*parts)


def underline(text: str, d: Diagnostic, look: Look) -> list[str]:
    """Rows under the source line: '-' under each operand with its shape, '^' under the operator."""
    span = d.span
    end = min(span.end_col, len(text)) if span.end_col > span.col else span.col + 1
    labels = [(s, label) for s, label in d.labels if s and s.line == span.line]
    if not labels:
        return [" " * span.col + "^" * max(1, end - span.col)]
    row = [" "] * max(end, len(text))
    for s, _ in labels:
        for i in range(s.col, min(s.end_col, len(row))):
            row[i] = "-"
    if len(labels) == 2:
        gap = range(labels[0][0].end_col, labels[1][0].col)
        for i in gap:
            if i < len(text) and not text[i].isspace() and text[i] not in "()":
                row[i] = "^"
    rows = ["".join(row).rstrip()]
    rows[0] += " " + look.text(labels[-1][1])
    for s, label in reversed(labels[:-1]):
        rows.append(" " * s.col + "|")
        rows.append(" " * s.col + look.text(label))
    return rows
