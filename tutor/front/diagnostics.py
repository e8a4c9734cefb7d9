"""The one renderer of diagnostics: the learner's line, underlined and labelled, like a compiler's.

Every diagnostic is drawn here, whether it is a step of `check` or an input error that ends
with exit code 2: its code, the true origin (`--> my.net:4:3`), the source line, the operands
underlined with their shapes and the operator marked, then `note:` and `help:`.
"""
from __future__ import annotations

from rich.console import Group
from rich.text import Text

from ..engine.codes import Display, lookup
from ..engine.diagnostics import Diagnostic, source_lines
from ..engine.language.dims import format_shape
from ..judge.result import CheckResult
from ..teach import concepts
from .look import Look

VERDICT_TEXT = {
    "correct": "correct",
    "shape_error": "an operation's shapes do not match",
    "wrong_shape": "every operation works, but the result has the wrong shape",
    "transposed": "the transpose of the gradient",
    "scaled": "a constant multiple of the gradient",
    "wrong_value": "the right shape, the wrong values",
    "unusable": "the derivation cannot be read",
}


def display(d: Diagnostic) -> Display:
    """How to show a diagnostic: its code's display hint (an unknown code is shown as it is)."""
    known = lookup(d.code)
    return known.display if known is not None else Display.CODED


def code_line(text: str, style: str = "") -> Text:
    """A line of code is never wrapped by us: copied back, it must still be one line."""
    return Text(text, style=style, no_wrap=True, overflow="ignore")


def snippet(d: Diagnostic, source: str, look: Look, origin: str = "") -> list[tuple[str, str, str]]:
    """The located part of a diagnostic as rows (gutter, text, kind): the `-->` origin, the learner's
    line, and the rows underlining it. Kinds: "where", "source", "marks"."""
    lines = source_lines(source) if source else []
    where = d.origin or origin
    if d.span and 0 < d.span.line <= len(lines):
        text = lines[d.span.line - 1]
        gutter = " " * len(str(d.span.line))
        rows = [(f"{gutter}--> ", f"{where or '<input>'}:{d.span.line}:{d.span.col + 1}", "where"),
                (f"{gutter} |", "", "where"), (f"{d.span.line} | ", text, "source")]
        rows += [(f"{gutter} | ", marks, "marks") for marks in underline(text, d, look)]
        return rows
    return [("  --> ", where, "where")] if where else []


def concept_text(d: Diagnostic, reveal: bool = True) -> str:
    """The concept behind a diagnostic: its name, the teacher's paragraph in the learner's symbols, and
    where the docs say more; with reveal=False a hint instead of the paragraph, which may show the formula."""
    c = concepts.lookup(d.concept) if d.concept else None
    if c is None:
        return ""
    symbols = dict(d.symbols)
    body = c.explain(symbols) if reveal else c.hint
    return f"{concepts.title(c.id, symbols)}. {body} (more: {c.link})"


def diagnostic_view(d: Diagnostic, source: str, look: Look, reveal: bool = True, origin: str = "",
                    concept: bool = False, paragraph: bool = True) -> Group:
    """One diagnostic; `source` is the text its spans point into. With reveal=False the fix is kept back;
    with concept=True the concept behind it is explained after the fix (its hint only, with
    paragraph=False: graded work, where the paragraph in the learner's symbols could give the answer)."""
    style = "red" if d.severity == "error" else "yellow"
    head = Text()
    head.append(d.severity if display(d) is Display.PLAIN else f"{d.severity}[{d.code}]", style=f"bold {style}")
    head.append(look.text(f": {d.message}"))
    parts: list = [head]
    for gutter, body, kind in snippet(d, source, look, origin):
        row = code_line(gutter, "blue")
        if body:
            row.append(body, style={"where": "blue", "source": "default", "marks": style}[kind])
        parts.append(row)
    for label, body in (("note", d.note), ("expected", d.expected),
                        ("help", d.help.prose if d.help and reveal else ""),
                        ("concept", concept_text(d, reveal and paragraph) if concept else "")):
        if body:
            line = Text()
            line.append(f"  = {label}: ", style="bold")
            line.append(look.text(body))
            parts.append(line)
    return Group(*parts)


def underline(text: str, d: Diagnostic, look: Look) -> list[str]:
    """Rows under the source line: '-' under each operand with its shape, '^' under the operator."""
    span = d.span
    assert span is not None  # only a diagnostic that points into its source is underlined
    end = min(span.end_col, len(text)) if span.end_col > span.col else span.col + 1
    labels = [label for label in d.labels if label.span and label.span.line == span.line]
    caret = d.caret
    inside = caret is not None and caret.line == span.line and span.col <= caret.col < caret.end_col <= end
    if not labels and inside and caret is not None and (caret.col, caret.end_col) != (span.col, end):
        # the operation underlined, the operator itself marked: `x @ W` → `--^--`
        marks = ["-"] * (end - span.col)
        for i in range(caret.col, caret.end_col):
            marks[i - span.col] = "^"
        return [" " * span.col + "".join(marks)]
    if not labels:
        return [" " * span.col + "^" * max(1, end - span.col)]
    row = [" "] * max(end, len(text))
    for label in labels:
        for i in range(label.span.col, min(label.span.end_col, len(row))):
            row[i] = "-"
    caret = d.caret
    if caret is not None and caret.line == span.line:
        for i in range(caret.col, min(caret.end_col, len(row))):
            row[i] = "^"
    rows = ["".join(row).rstrip()]
    rows[0] += " " + look.text(labels[-1].text)
    for label in reversed(labels[:-1]):
        rows.append(" " * label.span.col + "|")
        rows.append(" " * label.span.col + look.text(label.text))
    return rows


def check_view(result: CheckResult, look: Look, reveal: bool = True, explained: set[str] | None = None) -> Group:
    """Print it with crop=False: lines of code are never wrapped or cut, so they can be copied back.

    With reveal=False (a quiz), the fix and the suggestion are kept back: the learner tries again.
    """
    b = result.bindings
    loss, leaf = result.network.loss, result.wrt
    expected = f"{format_shape(result.expected_shape)} = {format_shape(result.expected_shape, b)}" \
        if any(not d.is_literal for d in result.expected_shape) else format_shape(result.expected_shape)
    style = "bold green" if result.correct else "bold red"
    # the verdict in words; the shape it must have on a line of its own, so no shape is cut in two
    parts: list = [Text(look.text(f"{look.ok(result.correct)} ∂{loss}/∂{leaf}: {VERDICT_TEXT[result.verdict]}"),
                        style=style),
                   Text(look.text(f"  ∂{loss}/∂{leaf} has {leaf}'s shape, {expected}"), style="dim")]
    # each concept explained once, however often its mistake recurs (across a file's gradients: `explained`)
    explained = set() if explained is None else explained
    for d in result.diagnostics:
        parts.append(Text(""))
        first = bool(d.concept) and d.concept not in explained
        explained.add(d.concept)
        parts.append(diagnostic_view(d, result.source, look, reveal, result.origin, concept=first,
                                     paragraph=reveal and result.suggestion is not None))
    if result.steps:
        lines_have_one_step = len({s.line for s in result.steps}) == len(result.steps)
        parts.append(Text(""))
        # a step that holds something else on purpose (a per-example dZ2 whose 1/m comes later) has a note
        noted = {d.span.line for d in result.diagnostics if display(d) is Display.MADE_GOOD and d.span is not None}
        for s in result.steps:
            ok = s.shape_ok and s.value_ok
            what = "" if ok else (" (wrong shape)" if not s.shape_ok else
                                  " (values not checked)" if s.value_ok is None else
                                  " (something else, made good later: see the note)" if s.line in noted else
                                  " (wrong values)")
            mark = look.text("·") if not ok and s.line in noted else look.ok(bool(ok))
            shape = format_shape(s.shape) if s.shape is not None else "?"
            where = f"line {s.line}" if lines_have_one_step else f"{s.line}:{s.col + 1}"
            parts.append(Text(look.text(f"  {mark} {where}: {s.name} = ∂J/∂{s.claims}, {shape}{what}")))
    # a fix already given (a `help`) makes the whole answer redundant: the learner makes the change
    fixed = any(d.help for d in result.diagnostics if d.severity == "error")
    if not result.correct and result.suggestion and reveal and not fixed:
        parts.append(Text(""))
        parts.append(Text(look.text("suggestion:")))
        for line in result.suggestion.splitlines():
            parts.append(code_line("    " + line))
    return Group(*parts)
