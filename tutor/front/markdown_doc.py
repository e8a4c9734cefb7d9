"""A `Document` as Markdown with the same structure as the HTML: headings, tables, code blocks.

Every piece of text is escaped, so nobody's text becomes markup: no raw HTML passes through
(`<` is written `&lt;`), a title is one line, a code span or block is fenced with more backticks
than it contains, and a table cell's `|` is escaped.
"""
from __future__ import annotations

import re

from .document import (Answer, Code, Document, Formula, Heading, Inline, Keep, Listing, Para, Picture, Pre, Quote, Rule,
                       Section, Space, Table, flat, visible)

#: Characters with a meaning somewhere in (GitHub-flavoured) Markdown: escaped wherever they appear.
SPECIAL = re.compile(r"([\\`*_\[\]{}#|~!$^])")
#: The characters of HTML, written as entities: no tag can open, whatever reads the file.
ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
#: What starts a block at the beginning of a line: a list item, a quote, a heading, a rule, a table row.
LINE_START = re.compile(r"^(\s*)([-+*](?=\s|$)|=+\s*$|\d+[.)](?=\s|$))")


def text(s: str) -> str:
    """Literal text: one line, every Markdown character escaped."""
    s = SPECIAL.sub(r"\\\1", visible(flat(s)))
    s = re.sub("[&<>]", lambda m: ENTITIES[m.group()], s)
    return LINE_START.sub(lambda m: m.group(1) + (m.group(2)[:-1] + "\\" + m.group(2)[-1]
                                                  if m.group(2)[0].isdigit() else "\\" + m.group(2)), s)


def code_span(s: str) -> str:
    s = visible(flat(s))
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s.strip() else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def fenced(s: str, language: str = "") -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", s)), default=2)
    fence = "`" * max(3, longest + 1)
    lang = re.sub(r"[^A-Za-z0-9_+-]", "", language)
    return f"{fence}{lang}\n{visible(s).rstrip()}\n{fence}"


def inline(parts: Inline, cell: bool = False) -> str:
    out = []
    for r in parts:
        if r.style == "code":
            body = code_span(r.text)
            if cell:
                body = body.replace("|", "\\|")
        else:
            body = text(r.text)
            mark = {"strong": "**", "em": "*"}.get(r.style, "")
            if mark and body.strip():  # delimiters hug the text; spaces stay outside them
                inner = body.strip()
                body = body[:len(body) - len(body.lstrip())] + f"{mark}{inner}{mark}" + \
                    body[len(body.rstrip()):]
        if r.href:
            target = r.href.replace("(", "%28").replace(")", "%29").replace(" ", "%20").replace("<", "%3C")
            body = f"[{body}]({target})"
        out.append(body)
    return "".join(out)


def block(b, depth: int = 0) -> str:
    if isinstance(b, Heading):
        return "#" * b.level + " " + inline(b.text)
    if isinstance(b, Para):
        return inline(b.text)
    if isinstance(b, Code):
        return fenced(b.text, b.language)
    if isinstance(b, Pre):
        return fenced(b.text, "text")
    if isinstance(b, Formula):
        lines = [f"{text(b.label)}", "", fenced(b.math, "text")]
        if b.latex:   # for readers that typeset mathematics (GitHub, Jupyter, Pandoc)
            lines += ["", "$$", b.latex.replace("$", r"\$"), "$$"]
        if b.code:
            lines += ["", fenced(b.code, "python")]
        return "\n".join(lines)
    if isinstance(b, Table):
        return table(b)
    if isinstance(b, Listing):
        items = []
        for n, item in enumerate(b.items, 1):
            marker = f"{n}." if b.ordered else "-"
            body = "\n\n".join(block(x, depth + 1) for x in item) or text("")
            pad = " " * (len(marker) + 1)
            body = body.replace("\n", "\n" + pad)
            items.append(f"{marker} {body}")
        return "\n".join(items)
    if isinstance(b, Quote):
        inner = "\n\n".join(block(x, depth) for x in b.blocks)
        return "\n".join("> " + line if line else ">" for line in inner.splitlines())
    if isinstance(b, Rule):
        return "---"
    if isinstance(b, Answer):
        inner = "\n\n".join(block(x, depth) for x in b.blocks)
        return "\n".join("> " + line if line else ">" for line in ("**Answer**\n\n" + inner).splitlines())
    if isinstance(b, Space):
        return f"{text(b.label)}:\n\n" + fenced("\n" * (2 * b.lines), "text")
    if isinstance(b, Keep):
        return "\n\n".join(block(x, depth) for x in b.blocks)
    if isinstance(b, Picture):
        shown = f" {b.ops[0]} ".join(name for name, _, _ in b.items[:2]) if b.items else ""
        rest = f" {b.ops[1]} {b.items[2][0]}" if len(b.items) > 2 and len(b.ops) > 1 else ""
        caption = inline(b.caption)
        return fenced(shown + rest, "text") + (f"\n\n{caption}" if caption else "")
    raise TypeError(f"no Markdown for {type(b).__name__}")


def table(t: Table) -> str:
    width = max([len(t.head)] + [len(r) for r in t.rows]) if (t.head or t.rows) else 0
    if not width:
        return ""
    head = list(t.head) + [()] * (width - len(t.head)) if t.head else [()] * width
    lines = ["| " + " | ".join(inline(c, cell=True) or " " for c in head) + " |",
             "|" + "|".join(("---:" if t.numeric else "---") for _ in range(width)) + "|"]
    for row in t.rows:
        cells = list(row) + [()] * (width - len(row))
        lines.append("| " + " | ".join(inline(c, cell=True) or " " for c in cells) + " |")
    caption = f"{inline(t.caption)}\n\n" if t.caption else ""
    return caption + "\n".join(lines)


def section(s: Section) -> str:
    return "\n\n".join([block(s.heading)] + [block(b) for b in s.blocks])


def to_markdown(doc: Document) -> str:
    parts = [f"# {text(doc.title)}", f"*{text(doc.subtitle)}*" if doc.subtitle.strip() else ""]
    if doc.meta:
        parts.append("\n".join(f"- **{text(k)}:** {text(v)}" for k, v in doc.meta))
    if doc.worksheet:
        parts.append("Name: \\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_\\_ Date: \\_\\_\\_\\_\\_\\_\\_\\_\\_\\_")
    parts += [block(b) for b in doc.intro]
    parts += [section(s) for s in doc.sections]
    if doc.footer:
        parts.append("---")
        parts.append(f"*{text(doc.footer)}*")
    return "\n\n".join(p for p in parts if p) + "\n"
