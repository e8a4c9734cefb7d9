"""The one error type the user ever sees, with the source span it points at.

Every problem with a learner's or author's input becomes a `TutorError`; the
command layer turns it into a located message on stderr and exit code 2.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """Where something sits in its source: 1-based line, 0-based columns (as `ast`)."""

    line: int
    col: int
    end_col: int
    end_line: int | None = None

    @classmethod
    def of(cls, node) -> "Span | None":
        if getattr(node, "lineno", None) is None:
            return None
        end_line = getattr(node, "end_lineno", None) or node.lineno
        end_col = getattr(node, "end_col_offset", None)
        if end_col is None or end_line != node.lineno:
            end_col = node.col_offset + 1
        return cls(node.lineno, node.col_offset, end_col, end_line)


class TutorError(Exception):
    """Unusable input: a message, where it is, and what was expected."""

    code = "E000"

    def __init__(self, message: str, span: Span | None = None, *, source: str | None = None,
                 origin: str | None = None, expected: str | None = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.source = source
        self.origin = origin
        self.expected = expected

    def located(self) -> str:
        """`file:line:col: message` (the form editors and graders parse)."""
        where = self.origin or ("<input>" if self.span else "")
        if self.span:
            where = f"{where}:{self.span.line}:{self.span.col + 1}"
        text = f"{where}: error: {self.message}" if where else f"shapetutor: error: {self.message}"
        if self.expected:
            text += f"\n  expected: {self.expected}"
        return text


class ParseError(TutorError):
    code = "E100"


class NameError_(TutorError):
    """A name that is not a leaf, a definition, a dimension or an allowed function."""

    code = "E101"


class ShapeError(TutorError):
    """An operation whose operand shapes do not conform."""

    code = "E200"

    def __init__(self, message: str, span: Span | None = None, *, op: str = "",
                 operands: tuple = (), **kwargs):
        super().__init__(message, span, **kwargs)
        self.op = op
        self.operands = operands


class DimensionError(TutorError):
    """A bad `--dims` binding, or dimensions a network does not use."""

    code = "E300"
