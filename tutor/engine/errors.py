"""The one error type the user ever sees, with the source span it points at.

Every problem with a learner's or author's input becomes a `TutorError`; the
command layer turns it into a located message on stderr and exit code 2. The
engine's messages speak of the input, never of command-line flags: an error
about an argument (`wrt`, `dims`) names it in `argument`, and each front adds
its own spelling of it (`--wrt W9`, `wrt='W9'`).
"""
from __future__ import annotations

from .diagnostics import Diagnostic, Span

__all__ = ["Span", "TutorError", "ParseError", "UnknownNameError", "ShapeError", "DimensionError", "UnreadableError"]


class TutorError(Exception):
    """Unusable input: a message, where it is, and what was expected."""

    code = "E000"

    def __init__(self, message: str, span: Span | None = None, *, source: str | None = None,
                 origin: str | None = None, expected: str | None = None,
                 argument: tuple[str, str] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.source = source
        self.origin = origin
        self.expected = expected
        self.argument = argument          # (parameter, value given), e.g. ("wrt", "W9")
        if code is not None:
            self.code = code

    def located(self) -> str:
        """`file:line:col: error: message` (the one-line form editors and graders parse)."""
        where = self.origin or ("<input>" if self.span else "")
        if self.span:
            where = f"{where}:{self.span.line}:{self.span.col + 1}"
        text = f"{where}: error: {self.message}" if where else f"shapetutor: error: {self.message}"
        if self.expected:
            text += f"\n  expected: {self.expected}"
        return text

    def diagnostic(self, caret: Span | None = None) -> Diagnostic:
        return Diagnostic(self.code, "error", self.message, self.span, caret, self.origin or "",
                          expected=self.expected or "")


class ParseError(TutorError):
    code = "E100"


class UnreadableError(TutorError):
    """Text that could not be read at all: a file that is missing, bytes that are not UTF-8."""


class UnknownNameError(TutorError):
    """A name that is not a leaf, a definition, a dimension or an allowed function."""

    code = "E101"


class ShapeError(TutorError):
    """An operation whose operand shapes do not conform (E201 matmul, E202 broadcast, E203 the rest)."""

    code = "E200"

    def __init__(self, message: str, span: Span | None = None, *, op: str = "",
                 operands: tuple = (), caret: Span | None = None, **kwargs):
        super().__init__(message, span, **kwargs)
        self.op = op
        self.operands = operands
        self.caret = caret


class DimensionError(TutorError):
    """A bad dimension binding, or dimensions a network does not use."""

    code = "E300"
