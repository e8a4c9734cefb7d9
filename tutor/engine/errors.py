"""The one error type the user ever sees, carrying the diagnostic it is shown as.

Every problem with a learner's or author's input becomes a `TutorError`; the
command layer turns it into a located message on stderr and exit code 2. The
error carries one frozen `Diagnostic` (its code, message, span, caret, operands,
what was expected); a change on the way up is a new error over
`dataclasses.replace` of that diagnostic (`amended`), so nothing is lost by
rebuilding it field by field. The engine's messages speak of the input, never
of command-line flags: an error about an argument (`wrt`, `dims`) names it in
`argument`, and each front adds its own spelling of it (`--wrt W9`, `wrt='W9'`).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, TypeVar

from .codes import E000, E100, E101, E203, E300
from .diagnostics import Diagnostic, Span

__all__ = ["Span", "TutorError", "ParseError", "UnknownNameError", "ShapeError", "DimensionError", "UnreadableError"]

Error = TypeVar("Error", bound="TutorError")


class CarriedCode:
    """`code` of an error: on the class, the code its kind defaults to; on an error, the code it carries."""

    def __init__(self, default: str):
        self.default = default

    def __get__(self, error: TutorError | None, kind: type | None = None) -> str:
        return self.default if error is None else error.diagnostic.code


class TutorError(Exception):
    """Unusable input: a message, where it is, and what was expected."""

    code: Any = CarriedCode(E000.code)

    def __init__(self, message: str, span: Span | None = None, *, source: str | None = None,
                 origin: str | None = None, expected: str | None = None,
                 argument: tuple[str, str] | None = None, code: str | None = None, op: str | None = None,
                 operands: tuple[Any, ...] | None = None, caret: Span | None = None):
        super().__init__(message)
        default = type(self).code
        self.diagnostic = Diagnostic(code or default, "error", message, span, caret, origin or "", op or None,
                                     tuple(operands) if operands else None, expected=expected or "")
        self.source = source
        self.argument = argument          # (parameter, value given), e.g. ("wrt", "W9")

    @classmethod
    def carrying(cls: type[Error], diagnostic: Diagnostic, *, source: str | None = None,
                 argument: tuple[str, str] | None = None) -> Error:
        """An error of this kind shown as `diagnostic`, whole."""
        error = cls.__new__(cls)
        Exception.__init__(error, diagnostic.message)
        error.diagnostic = diagnostic
        error.source = source
        error.argument = argument
        return error

    def amended(self: Error, *, source: str | None = None, **changes: Any) -> Error:
        """The same error with some of its diagnostic's fields changed (a message prefixed, an origin
        given), and the text its spans point into if that is now known."""
        return type(self).carrying(replace(self.diagnostic, **changes), source=source or self.source,
                                   argument=self.argument)

    @property
    def message(self) -> str:
        return self.diagnostic.message

    @property
    def span(self) -> Span | None:
        return self.diagnostic.span

    @property
    def caret(self) -> Span | None:
        return self.diagnostic.caret

    @property
    def origin(self) -> str | None:
        return self.diagnostic.origin or None

    @property
    def expected(self) -> str | None:
        return self.diagnostic.expected or None

    @property
    def op(self) -> str:
        return self.diagnostic.op or ""

    @property
    def operands(self) -> tuple[Any, ...]:
        """The operands' shapes."""
        return self.diagnostic.operands or ()

    def located(self) -> str:
        """`file:line:col: error: message` (the one-line form editors and graders parse)."""
        where = self.origin or ("<input>" if self.span else "")
        if self.span:
            where = f"{where}:{self.span.line}:{self.span.col + 1}"
        text = f"{where}: error: {self.message}" if where else f"shapetutor: error: {self.message}"
        if self.expected:
            text += f"\n  expected: {self.expected}"
        return text


class ParseError(TutorError):
    code = CarriedCode(E100.code)


class UnreadableError(TutorError):
    """Text that could not be read at all: a file that is missing, bytes that are not UTF-8."""


class UnknownNameError(TutorError):
    """A name that is not a leaf, a definition, a dimension or an allowed function."""

    code = CarriedCode(E101.code)


class ShapeError(TutorError):
    """An operation whose operand shapes do not conform (E201 matmul, E202 broadcast, E203 the rest,
    E204 a loss that is not a scalar, E205 an index array that is not of integers)."""

    code = CarriedCode(E203.code)


class DimensionError(TutorError):
    """A bad dimension binding, or dimensions a network does not use."""

    code = CarriedCode(E300.code)
