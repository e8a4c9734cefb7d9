"""A document as plain data: the handout's structure, written out as HTML, Markdown or text.

A handout is built from the answer key and the engine's results as blocks (headings,
paragraphs, tables, code, formulas, answer boxes), never from a terminal recording. Every
piece of text in it is a string to be escaped by the writer: nobody's text is markup.
An author's Markdown (a `say` step) is read into the same blocks by `from_markdown`, with raw
HTML kept as text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .visible import visible

# -- inline runs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """Text in one style: plain, code, strong or emphasis; a link carries its target."""

    text: str
    style: str = ""          # "", "code", "strong", "em", "math"
    href: str = ""


Inline = tuple[Run, ...]


def plain(text: str) -> Inline:
    return (Run(text),)


def code(text: str) -> Inline:
    return (Run(text, "code"),)


def prose(text: str) -> Inline:
    """Prose where `backticks` mark code, as the tutor's messages write it."""
    parts = re.split(r"(`[^`]+`)", text)
    return tuple(Run(p[1:-1], "code") if p.startswith("`") and p.endswith("`") and len(p) > 1 else Run(p)
                 for p in parts if p)


def runs(*parts: Run | str) -> Inline:
    return tuple(Run(p) if isinstance(p, str) else p for p in parts)


# -- blocks -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    level: int
    text: Inline
    anchor: str = ""


@dataclass(frozen=True)
class Para:
    text: Inline
    role: str = ""           # "summary", "note", "muted", "question", "verdict-ok", "verdict-bad"


@dataclass(frozen=True)
class Code:
    """Code as code: a network, a derivation, a formula to copy."""

    text: str
    language: str = ""


@dataclass(frozen=True)
class Pre:
    """Monospaced text whose columns matter (a diagnostic's underline), not code to copy."""

    text: str


@dataclass(frozen=True)
class Formula:
    """A formula as a reader reads it (Unicode math), and as code."""

    label: str
    math: str
    code: str = ""
    latex: str = ""      # the same formula as LaTeX: `$$…$$` in Markdown, MathML in HTML


@dataclass(frozen=True)
class Table:
    head: tuple[Inline, ...]
    rows: tuple[tuple[Inline, ...], ...]
    caption: Inline = ()
    numeric: bool = False    # right-aligned numbers, no header row


@dataclass(frozen=True)
class Listing:
    items: tuple[tuple["Block", ...], ...]
    ordered: bool = False


@dataclass(frozen=True)
class Quote:
    blocks: tuple["Block", ...]


@dataclass(frozen=True)
class Rule:
    pass


@dataclass(frozen=True)
class Answer:
    """The answer key's answer to a question."""

    blocks: tuple["Block", ...]


@dataclass(frozen=True)
class Space:
    """Room to write an answer on a worksheet."""

    lines: int
    label: str = "Your answer"


@dataclass(frozen=True)
class Picture:
    """Blocks sized by their dimensions: column × row = matrix. Each item: (label, rows, cols); `ops` between."""

    items: tuple[tuple[str, int, int], ...]
    ops: tuple[str, ...]
    caption: Inline = ()


@dataclass(frozen=True)
class Keep:
    """Blocks that belong together (a judged derivation, a question and its answer): never split across pages."""

    blocks: tuple["Block", ...]


Block = Heading | Para | Code | Pre | Formula | Table | Listing | Quote | Rule | Answer | Space | Picture | Keep


@dataclass(frozen=True)
class Section:
    """One step of a lesson: its heading and its blocks."""

    heading: Heading
    blocks: tuple[Block, ...]
    kind: str = ""


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    meta: tuple[tuple[str, str], ...]          # (label, value) shown under the title
    intro: tuple[Block, ...]
    sections: tuple[Section, ...]
    footer: str = ""
    worksheet: bool = False
    lang: str = "en"
    extra: dict = field(default_factory=dict)


def flat(text: str) -> str:
    """Every run of whitespace (line breaks of every kind among it) is one space; other control
    characters are left for the writers, which make them visible."""
    return re.sub(r"\s+", " ", text)


def one_line(text: str) -> str:
    """A title's text: on one line, trimmed."""
    return flat(text).strip()


# -- an author's Markdown ---------------------------------------------------------------------------

#: Links an author may write; anything else (javascript:, data:, file:) stays text.
SAFE_LINK = re.compile(r"^(https?://|mailto:)", re.I)


def from_markdown(text: str, top: int = 3) -> tuple[Block, ...]:
    """An author's Markdown as blocks: headings start at level `top`, raw HTML and images stay text."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(text)
    blocks, _ = read_blocks(tokens, 0, None, top)
    return tuple(blocks)


def read_blocks(tokens, i: int, until: str | None, top: int) -> tuple[list, int]:
    out: list = []
    while i < len(tokens):
        t = tokens[i]
        if until is not None and t.type == until:
            return out, i + 1
        if t.type == "heading_open":
            level = min(6, top - 1 + int(t.tag[1:]))
            out.append(Heading(level, read_inline(tokens[i + 1])))
            i += 3
        elif t.type == "paragraph_open":
            out.append(Para(read_inline(tokens[i + 1])))
            i += 3
        elif t.type in ("fence", "code_block"):
            out.append(Code(t.content.rstrip("\n"), (t.info or "").split(" ")[0]))
            i += 1
        elif t.type in ("html_block",):
            out.append(Para(plain(t.content.strip())))
            i += 1
        elif t.type == "hr":
            out.append(Rule())
            i += 1
        elif t.type in ("bullet_list_open", "ordered_list_open"):
            closing = t.type.replace("_open", "_close")
            items, i = read_items(tokens, i + 1, closing, top)
            out.append(Listing(tuple(items), ordered=t.type.startswith("ordered")))
        elif t.type == "blockquote_open":
            inner, i = read_blocks(tokens, i + 1, "blockquote_close", top)
            out.append(Quote(tuple(inner)))
        elif t.type == "table_open":
            table, i = read_table(tokens, i + 1)
            out.append(table)
        else:
            i += 1
    return out, i


def read_items(tokens, i: int, closing: str, top: int) -> tuple[list, int]:
    items = []
    while i < len(tokens) and tokens[i].type != closing:
        if tokens[i].type == "list_item_open":
            inner, i = read_blocks(tokens, i + 1, "list_item_close", top)
            items.append(tuple(inner))
        else:
            i += 1
    return items, i + 1


def read_table(tokens, i: int) -> tuple[Table, int]:
    head: list[tuple[Inline, ...]] = []
    rows: list[tuple[Inline, ...]] = []
    row: list[Inline] = []
    in_head = False
    while i < len(tokens) and tokens[i].type != "table_close":
        t = tokens[i]
        if t.type == "thead_open":
            in_head = True
        elif t.type == "thead_close":
            in_head = False
        elif t.type == "tr_open":
            row = []
        elif t.type == "tr_close":
            (head if in_head else rows).append(tuple(row))
        elif t.type == "inline":
            row.append(read_inline(t))
        i += 1
    return Table(head[0] if head else (), tuple(rows)), i + 1


def read_inline(token) -> Inline:
    out: list[Run] = []
    style: list[str] = []
    href = ""
    for child in token.children or ():
        kind = child.type
        current = style[-1] if style else ""
        if kind == "text":
            out.append(Run(child.content, current, href))
        elif kind == "code_inline":
            out.append(Run(child.content, "code", href))
        elif kind in ("softbreak", "hardbreak"):
            out.append(Run(" ", current, href))
        elif kind == "strong_open":
            style.append("strong")
        elif kind == "em_open":
            style.append("em")
        elif kind in ("strong_close", "em_close"):
            if style:
                style.pop()
        elif kind == "link_open":
            target = child.attrGet("href") or ""
            href = target if SAFE_LINK.match(target) else ""
        elif kind == "link_close":
            href = ""
        elif kind == "image":  # no external resources: an image is its alternative text
            out.append(Run(child.content or "", current))
        elif kind == "html_inline":
            out.append(Run(child.content, current, href))
    return merge(out)


def merge(parts: list[Run]) -> Inline:
    """Neighbouring runs in the same style become one."""
    out: list[Run] = []
    for r in parts:
        if out and out[-1].style == r.style and out[-1].href == r.href:
            out[-1] = Run(out[-1].text + r.text, r.style, r.href)
        elif r.text:
            out.append(r)
    return tuple(out)
