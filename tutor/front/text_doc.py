"""A `Document` as plain text, 78 columns: for a terminal, an email, a printer without a browser."""
from __future__ import annotations

import textwrap

from .document import (Answer, Code, Document, Formula, Heading, Inline, Keep, Listing, Para, Picture, Pre, Quote, Rule,
                       Section, Space, Table, one_line, visible)

WIDTH = 78


def inline(parts: Inline) -> str:
    return one_line("".join(r.text if not r.href else f"{r.text} <{r.href}>" for r in parts))


def wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False) or indent.rstrip()


def block(b, indent: str = "") -> str:
    if isinstance(b, Heading):
        title = inline(b.text)
        return f"{indent}{title}\n{indent}{('=' if b.level <= 2 else '-') * min(len(title), WIDTH)}"
    if isinstance(b, Para):
        return wrap(inline(b.text), indent)
    if isinstance(b, (Code, Pre)):
        return "\n".join(indent + "    " + visible(line) for line in b.text.splitlines())
    if isinstance(b, Formula):
        lines = [wrap(b.label, indent), wrap(b.math, indent + "    ")]
        if b.code:
            lines.append(indent + "    code: " + visible(b.code))
        return "\n".join(lines)
    if isinstance(b, Table):
        return table(b, indent)
    if isinstance(b, Listing):
        out = []
        for n, item in enumerate(b.items, 1):
            marker = f"{n}. " if b.ordered else "- "
            body = "\n".join(block(x, indent + " " * len(marker)) for x in item)
            out.append(indent + marker + body.lstrip())
        return "\n".join(out)
    if isinstance(b, Quote):
        return "\n".join(block(x, indent + "| ") for x in b.blocks)
    if isinstance(b, Rule):
        return indent + "-" * 20
    if isinstance(b, Answer):
        return indent + "ANSWER\n" + "\n".join(block(x, indent + "  ") for x in b.blocks)
    if isinstance(b, Space):
        return indent + f"{b.label}:\n" + "\n".join(indent + "  " + "_" * 60 + "\n" for _ in range(b.lines))
    if isinstance(b, Keep):
        return "\n\n".join(block(x, indent) for x in b.blocks)
    if isinstance(b, Picture):
        shown = " ".join(f"{name}" + (f" {b.ops[i]}" if i < len(b.ops) else "") for i, (name, _, _) in
                         enumerate(b.items))
        return wrap(shown, indent + "    ") + ("\n" + wrap(inline(b.caption), indent) if b.caption else "")
    raise TypeError(f"no text for {type(b).__name__}")


def table(t: Table, indent: str) -> str:
    rows = ([tuple(inline(c) for c in t.head)] if t.head else []) + [tuple(inline(c) for c in r) for r in t.rows]
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + ("",) * (width - len(r)) for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(width)]
    caption = wrap(inline(t.caption), indent) + "\n" if t.caption else ""
    if sum(widths) + 3 * width + len(indent) > WIDTH and t.head:  # too wide: one record per row
        records = []
        for r in rows[1:]:
            records.append("\n".join(wrap(f"{h}: {v}", indent + "  ") for h, v in zip(rows[0], r) if v))
        return caption + "\n\n".join(records)
    out = []
    for n, r in enumerate(rows):
        cells = [c.rjust(w) if t.numeric else c.ljust(w) for c, w in zip(r, widths)]
        out.append(indent + "  ".join(cells).rstrip())
        if n == 0 and t.head:
            out.append(indent + "  ".join("-" * w for w in widths))
    return caption + "\n".join(out)


def section(s: Section) -> str:
    return "\n\n".join([block(s.heading)] + [block(b) for b in s.blocks])


def to_text(doc: Document) -> str:
    title = one_line(doc.title)
    parts = [f"{title}\n{'#' * min(len(title), WIDTH)}", wrap(doc.subtitle)]
    parts.append("\n".join(f"{k}: {v}" for k, v in doc.meta))
    if doc.worksheet:
        parts.append("Name: ______________________   Date: ____________")
    parts += [block(b) for b in doc.intro]
    parts += [section(s) for s in doc.sections]
    if doc.footer:
        parts.append(wrap(doc.footer))
    return visible("\n\n".join(p for p in parts if p)) + "\n"
