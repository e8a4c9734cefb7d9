"""The learner's text with some sub-expressions replaced, and the way back to the file's positions.

A flattened statement is written from the learner's own text (`dW2 = (1/m)*np.dot(dZ2, A1.T)` stays
exactly that), with only the parts that had to change spliced in (`self.params['W1']` → `W1`). Each
piece remembers where it came from, so a column in the flattened text maps to a column in the file.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: A node parsed from the learner's file. Typeshed declares no position on `ast.AST` and an optional end on
#: expressions and statements, but every node `ast.parse` gives has all four: lineno, col_offset, end_lineno
#: and end_col_offset.
Located = Any


@dataclass(frozen=True)
class Piece:
    """A run of flattened text on one line and where it stands in the file."""

    start: int        # column in the flattened line
    end: int
    file_line: int
    file_col: int
    file_end: int
    exact: bool       # the learner's own characters (columns map one to one)


@dataclass(frozen=True)
class Written:
    """Flattened text (possibly several lines) with, for each of its lines, its pieces."""

    text: str
    lines: tuple[tuple[Piece, ...], ...]

    def locate(self, line: int, col: int) -> tuple[int, int]:
        """(file line, file column) of a position in this text (line 0-based here)."""
        pieces = self.lines[min(max(line, 0), len(self.lines) - 1)]
        for p in pieces:
            if p.start <= col < p.end or (p is pieces[-1] and col >= p.start):
                if p.exact:
                    return p.file_line, min(p.file_col + col - p.start, max(p.file_end, p.file_col))
                return p.file_line, p.file_col
        first = pieces[0] if pieces else Piece(0, 0, 1, 0, 0, False)
        return first.file_line, first.file_col

    def locate_end(self, line: int, col: int) -> tuple[int, int]:
        pieces = self.lines[min(max(line, 0), len(self.lines) - 1)]
        for p in pieces:
            if p.start < col <= p.end:
                return (p.file_line, p.file_col + col - p.start) if p.exact else (p.file_line, p.file_end)
        last = pieces[-1] if pieces else Piece(0, 0, 1, 0, 0, False)
        return last.file_line, last.file_end


def plain(text: str, line: int, col: int, end: int) -> Written:
    """Text that stands for a span of the file as a whole (a name put for an expression)."""
    return Written(text, ((Piece(0, len(text), line, col, end, False),),))


def join(*parts: Written) -> Written:
    """Texts one after another on the same line (the first line of each joins the last line of the one before)."""
    text, lines = "", [list[Piece]()]
    for part in parts:
        base = len(text.rsplit("\n", 1)[-1])
        for i, pieces in enumerate(part.lines):
            if i:
                lines.append([])
                shift = 0
            else:
                shift = base
            lines[-1].extend(Piece(p.start + shift, p.end + shift, p.file_line, p.file_col, p.file_end, p.exact)
                             for p in pieces)
        text += part.text
    return Written(text, tuple(tuple(ps) for ps in lines))


def splice(source_lines: list[str], node: Located, replacements: dict[int, tuple[Located, str]]) -> Written:
    """The source text of `node` with each replaced sub-node's text put in its place."""
    outer = [r for r in replacements.values() if within(r[0], node)]
    if any(r[0] is node for r in outer):
        text = next(t for n, t in outer if n is node)
        return plain(text, node.lineno, node.col_offset, end_on_first_line(source_lines, node))
    outer = [r for r in outer if not any(o[0] is not r[0] and within(r[0], o[0]) for o in outer)]
    outer.sort(key=lambda r: (r[0].lineno, r[0].col_offset))
    line, col = node.lineno, node.col_offset
    end_line, end_col = node.end_lineno, node.end_col_offset
    parts: list[Written] = []
    for sub, text in outer:
        parts.append(verbatim(source_lines, line, col, sub.lineno, sub.col_offset))
        parts.append(plain(text, sub.lineno, sub.col_offset, sub.end_col_offset if sub.end_lineno == sub.lineno
                           else len(source_lines[sub.lineno - 1])))
        line, col = sub.end_lineno, sub.end_col_offset
    parts.append(verbatim(source_lines, line, col, end_line, end_col))
    return join(*parts)


def verbatim(source_lines: list[str], line: int, col: int, end_line: int, end_col: int) -> Written:
    """The file's own characters between two positions."""
    if (line, col) >= (end_line, end_col):
        return Written("", ((),))
    texts, lines = [], []
    for n in range(line, end_line + 1):
        full = source_lines[n - 1]
        a = col if n == line else 0
        b = end_col if n == end_line else len(full)
        texts.append(full[a:b])
        lines.append((Piece(0, b - a, n, a, b, True),))
    return Written("\n".join(texts), tuple(lines))


def within(inner: Located, outer: Located) -> bool:
    return (outer.lineno, outer.col_offset) <= (inner.lineno, inner.col_offset) and \
        (inner.end_lineno, inner.end_col_offset) <= (outer.end_lineno, outer.end_col_offset)


def end_on_first_line(source_lines: list[str], node: Located) -> int:
    return node.end_col_offset if node.end_lineno == node.lineno else len(source_lines[node.lineno - 1])
