"""Diagnostics as values: what went wrong, where, and how to fix it.

A `Diagnostic` is built once and never changed. It carries its primary span,
the caret inside it (the operator itself, recorded by the parser, never
guessed from the text), labelled secondary spans (each operand with its
shape), a stable code, a `note` (why) and a `help` (the fix, as a replacement
of a span of the learner's text, with prose). One renderer in the front draws
every diagnostic: the learner's derivation errors and the exit-2 input errors.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: Line breaks as Python's tokenizer (and so `ast`) counts them; U+2028 or a form feed does not end a line.
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def source_lines(text: str) -> list[str]:
    """The lines of a source, numbered as `ast` numbers them (str.splitlines would split more)."""
    return LINE_BREAK.split(text)


def char_col(line: str, byte_col: int) -> int:
    """`ast` counts columns in UTF-8 bytes; text is indexed in characters."""
    if line.isascii():
        return byte_col
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


@dataclass(frozen=True)
class Span:
    """Where something sits in its source: 1-based line, 0-based columns (as `ast`)."""

    line: int
    col: int
    end_col: int
    end_line: int | None = None

    @classmethod
    def of(cls, node: Any, lines: list[str] | None = None) -> Span | None:
        """An `ast` node's span (None for a node without a position); with the source's lines, in
        characters rather than UTF-8 bytes."""
        if getattr(node, "lineno", None) is None:
            return None
        line = lines[node.lineno - 1] if lines is not None and node.lineno <= len(lines) else ""
        col = char_col(line, node.col_offset)
        end_line = getattr(node, "end_lineno", None) or node.lineno
        end_col = getattr(node, "end_col_offset", None)
        if end_col is None or end_line != node.lineno:
            end_col = col + 1
        else:
            end_col = char_col(line, end_col)
        return cls(node.lineno, col, end_col, end_line)


@dataclass(frozen=True)
class Label:
    """A secondary span with its text: an operand and its shape."""

    span: Span
    text: str


@dataclass(frozen=True)
class Fix:
    """The fix: prose, and where it is a change to the learner's text, the span and its replacement."""

    prose: str
    span: Span | None = None
    replacement: str | None = None


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: str                                # "error" | "warning" | "note"
    message: str
    span: Span | None = None                     # the primary span: the whole failing operation
    caret: Span | None = None                    # the operator inside it
    origin: str = ""                             # the file or channel the text came from
    op: str | None = None
    operands: tuple[Any, ...] | None = None      # the operands' shapes (dims imports this module)
    labels: tuple[Label, ...] = ()
    note: str = ""
    help: Fix | None = None
    expected: str = ""                           # for unusable input: what would have been accepted
    concept: str = ""                            # the id of the concept behind the mistake (teach.concepts)
    symbols: tuple[tuple[str, str], ...] = ()    # the learner's symbols for that concept's explanation

    @property
    def line(self) -> int | None:
        return self.span.line if self.span else None

    @property
    def col(self) -> int | None:
        return self.span.col if self.span else None

    @property
    def end_col(self) -> int | None:
        return self.span.end_col if self.span else None

    @property
    def where(self) -> str:
        """`origin:line:col` (1-based column, as editors show it)."""
        origin = self.origin or "<input>"
        return f"{origin}:{self.span.line}:{self.span.col + 1}" if self.span else origin

    def to_json(self) -> dict[str, Any]:
        out = {"code": self.code, "severity": self.severity, "message": self.message,
               "line": self.line, "col": self.col, "end_col": self.end_col, "op": self.op,
               "operands": [[d.json() for d in s] for s in self.operands] if self.operands is not None else None}
        if self.note:
            out["note"] = self.note
        if self.help:
            out["help"] = self.help.prose
        if self.expected:
            out["expected"] = self.expected
        if self.concept:
            out["concept"] = self.concept
        return out
