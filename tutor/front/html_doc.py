"""A `Document` as one self-contained HTML page: semantic, printable, readable on a phone.

No scripts and no external resources (a Content-Security-Policy says so to the browser too);
every piece of text is escaped. The stylesheet is light on screen and on paper: no dark slabs
that waste toner, tables and answer boxes never split across printed pages, and the page fits
both A4 and US Letter (the browser's paper size decides; the content is narrower than either).
"""
from __future__ import annotations

from html import escape

from .document import (Answer, Code, Document, Formula, Heading, Inline, Keep, Listing, Para, Picture, Pre, Quote, Rule,
                       Section, Space, Table, visible)

STYLE = """
:root { color-scheme: light; --ink: #1a1a1a; --muted: #555; --line: #c8c8c8; --soft: #f5f5f2; --accent: #1f5f8b; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: var(--ink);
       font: 16px/1.55 Georgia, "Times New Roman", "Liberation Serif", serif; }
main { max-width: 46rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
header h1 { font-size: 1.7rem; line-height: 1.25; margin: 0 0 .4rem; }
.subtitle { font-size: 1.05rem; color: var(--muted); margin: 0 0 .8rem; font-style: italic; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .8rem; margin: 0 0 1rem;
          font-size: .9rem; color: var(--muted); }
dl.meta dt { font-weight: bold; } dl.meta dd { margin: 0; }
.name-line { display: flex; gap: 2rem; flex-wrap: wrap; margin: 1rem 0; font-size: .95rem; }
.name-line span { flex: 1 1 12rem; border-bottom: 1px solid var(--ink); padding-bottom: .2rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .6rem; padding-top: .6rem; border-top: 1px solid var(--line); }
h2 .number { color: var(--accent); margin-right: .4rem; }
h3, h4, h5, h6 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
p { margin: .5rem 0; }
a { color: var(--accent); }
code, pre, kbd { font-family: "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: .88em; }
:not(pre) > code { background: var(--soft); border: 1px solid #e3e3de; border-radius: 3px; padding: 0 .2em;
                   overflow-wrap: anywhere; }
pre { background: #fbfbf9; border: 1px solid var(--line); border-left: 3px solid var(--accent); border-radius: 3px;
      padding: .6rem .8rem; margin: .6rem 0; line-height: 1.4; }
pre.code { white-space: pre-wrap; overflow-wrap: anywhere; }
pre.aligned { white-space: pre; overflow-x: auto; }
.formula { margin: .6rem 0; padding: .5rem .8rem; border: 1px solid var(--line); border-radius: 3px; }
.formula .label { color: var(--muted); font-size: .9rem; display: block; }
.formula .math { font-family: "Cambria Math", "STIX Two Math", "DejaVu Serif", Georgia, serif; font-size: 1.1rem;
                 overflow-wrap: anywhere; }
.formula code { display: block; margin-top: .3rem; background: none; border: 0; padding: 0; }
.table-wrap { overflow-x: auto; margin: .6rem 0; }
table { border-collapse: collapse; font-size: .92rem; min-width: 50%; }
caption { text-align: left; color: var(--muted); font-size: .9rem; padding-bottom: .3rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: bold; }
table.numbers td { text-align: right; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace;
                   font-size: .85rem; }
.question { font-weight: bold; }
.answer { border: 1px solid var(--accent); border-radius: 4px; padding: .4rem .8rem; margin: .6rem 0; }
.answer > .label { color: var(--accent); font-weight: bold; font-size: .9rem; }
.space { border: 1px solid var(--ink); border-radius: 4px; margin: .6rem 0; padding: .3rem .6rem; }
.space .label { color: var(--muted); font-size: .85rem; }
.space .line { border-bottom: 1px dotted #888; height: 2.1rem; }
.note { color: var(--muted); font-size: .95rem; }
.verdict-bad { border-left: 3px solid #a33; padding-left: .6rem; }
.verdict-ok { border-left: 3px solid #286a3a; padding-left: .6rem; }
.hints { font-size: .92rem; color: var(--muted); }
blockquote { margin: .6rem 0; padding-left: .8rem; border-left: 3px solid var(--line); color: var(--muted); }
figure.blocks { margin: .8rem 0; }
figure.blocks .row { display: flex; align-items: center; flex-wrap: wrap; gap: .6rem; }
figure.blocks .item { display: inline-flex; flex-direction: column; align-items: center; gap: .2rem; }
figure.blocks .block { background: #dfe9f1; border: 1px solid var(--accent); }
figure.blocks .op { font-size: 1.3rem; padding-top: .2rem; }
figure.blocks .name { font-size: .8rem; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .3rem; }
footer { margin-top: 2.5rem; padding-top: .6rem; border-top: 1px solid var(--line); color: var(--muted);
         font-size: .85rem; }
@media (max-width: 30rem) {
  body { font-size: 15px; }
  main { padding: .8rem .7rem 2rem; }
  header h1 { font-size: 1.4rem; }
  dl.meta { grid-template-columns: 1fr; }
  table { font-size: .85rem; }
}
@page { margin: 16mm 15mm; }
@media print {
  body { font-size: 10.5pt; background: #fff; color: #000; }
  main { max-width: none; padding: 0; }
  a { color: #000; text-decoration: underline; }
  h2 { border-top: 0; padding-top: 0; margin-top: 1.2rem; }
  h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  pre, table, figure, .formula, .answer, .space, .question, tr, .keep { break-inside: avoid; page-break-inside: avoid; }
  footer { break-before: avoid; page-break-before: avoid; margin-top: 1rem; }
  pre, pre.aligned { white-space: pre-wrap; overflow: visible; background: #fff; }
  .table-wrap { overflow: visible; }
  thead { display: table-header-group; }
  th, :not(pre) > code { background: #fff; }
  figure.blocks .block { background: #fff; border: 1.5px solid #000; }
  .space .line { height: 2.4rem; }
}
"""

#: What the page may load: nothing beyond its own inline style.
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'"


def page_head(title: str, style: str, lang: str = "en") -> str:
    """Every HTML page shapetutor writes begins alike: UTF-8, a policy that lets it load nothing, the
    generator's mark, its title and its inline style."""
    return f"""<!DOCTYPE html>
<html lang="{attr(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{attr(POLICY)}">
<meta name="generator" content="shapetutor">
<title>{text(title)}</title>
<style>{style}</style>
</head>"""


def text(s: str) -> str:
    return escape(visible(s), quote=False)


def attr(s: str) -> str:
    return escape(visible(s), quote=True)


def inline(parts: Inline) -> str:
    out = []
    for r in parts:
        body = text(r.text)
        if r.style == "code":
            body = f"<code>{body}</code>"
        elif r.style == "strong":
            body = f"<strong>{body}</strong>"
        elif r.style == "em":
            body = f"<em>{body}</em>"
        elif r.style == "math":
            body = f'<span class="math">{body}</span>'
        if r.href:
            body = f'<a href="{attr(r.href)}" rel="noreferrer noopener">{body}</a>'
        out.append(body)
    return "".join(out)


def block(b) -> str:
    if isinstance(b, Heading):
        anchor = f' id="{attr(b.anchor)}"' if b.anchor else ""
        return f"<h{b.level}{anchor}>{inline(b.text)}</h{b.level}>"
    if isinstance(b, Para):
        role = f' class="{attr(b.role)}"' if b.role else ""
        return f"<p{role}>{inline(b.text)}</p>"
    if isinstance(b, Code):
        lang = f' class="language-{attr(b.language)}"' if b.language else ""
        return f'<pre class="code"><code{lang}>{text(b.text)}</code></pre>'
    if isinstance(b, Pre):
        return f'<pre class="aligned">{text(b.text)}</pre>'
    if isinstance(b, Formula):
        code = f"<code>{text(b.code)}</code>" if b.code else ""
        shown = mathml(b.latex, b.math) if b.latex else text(b.math)
        return (f'<div class="formula"><span class="label">{text(b.label)}</span>'
                f'<span class="math">{shown}</span>{code}</div>')
    if isinstance(b, Table):
        return table(b)
    if isinstance(b, Listing):
        tag = "ol" if b.ordered else "ul"
        items = "".join(f"<li>{''.join(block(x) for x in item)}</li>" for item in b.items)
        return f"<{tag}>{items}</{tag}>"
    if isinstance(b, Quote):
        return f"<blockquote>{''.join(block(x) for x in b.blocks)}</blockquote>"
    if isinstance(b, Rule):
        return "<hr>"
    if isinstance(b, Answer):
        return f'<div class="answer"><div class="label">Answer</div>{"".join(block(x) for x in b.blocks)}</div>'
    if isinstance(b, Space):
        lines = "".join('<div class="line"></div>' for _ in range(b.lines))
        return f'<div class="space"><div class="label">{text(b.label)}</div>{lines}</div>'
    if isinstance(b, Picture):
        return picture(b)
    if isinstance(b, Keep):
        return f'<div class="keep">{"".join(block(x) for x in b.blocks)}</div>'
    raise TypeError(f"no HTML for {type(b).__name__}")


def table(t: Table) -> str:
    caption = f"<caption>{inline(t.caption)}</caption>" if t.caption else ""
    head = ""
    if t.head:
        head = "<thead><tr>" + "".join(f'<th scope="col">{inline(c)}</th>' for c in t.head) + "</tr></thead>"
    body = "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>" for row in t.rows)
    kind = ' class="numbers"' if t.numeric else ""
    return f'<div class="table-wrap"><table{kind}>{caption}{head}<tbody>{body}</tbody></table></div>'


def picture(p: Picture) -> str:
    parts = []
    for i, (name, rows, cols) in enumerate(p.items):
        if i:
            parts.append(f'<span class="op" aria-hidden="true">{text(p.ops[i - 1])}</span>')
        parts.append(f'<span class="item"><span class="block" style="width:{cols * 0.9:.1f}rem;'
                     f'height:{rows * 0.9:.1f}rem"></span><span class="name">{text(name)}</span></span>')
    caption = f"<figcaption>{inline(p.caption)}</figcaption>" if p.caption else ""
    return f'<figure class="blocks"><div class="row">{"".join(parts)}</div>{caption}</figure>'


def section(s: Section) -> str:
    body = "".join(block(b) for b in s.blocks)
    kind = f" {attr(s.kind)}" if s.kind else ""
    return f'<section class="step{kind}">{block(s.heading)}{body}</section>'


def to_html(doc: Document) -> str:
    meta = "".join(f"<dt>{text(k)}</dt><dd>{text(v)}</dd>" for k, v in doc.meta)
    name_line = ('<div class="name-line"><span>Name:</span><span>Date:</span></div>' if doc.worksheet else "")
    intro = "".join(block(b) for b in doc.intro)
    sections = "\n".join(section(s) for s in doc.sections)
    footer = f"<footer>{text(doc.footer)}</footer>" if doc.footer else ""
    return f"""{page_head(doc.title, STYLE, doc.lang)}
<body>
<main>
<header>
<h1>{text(doc.title)}</h1>
<p class="subtitle">{text(doc.subtitle)}</p>
<dl class="meta">{meta}</dl>
{name_line}
</header>
{intro}
{sections}
{footer}
</main>
</body>
</html>
"""


def mathml(latex: str, fallback: str) -> str:
    """A formula as MathML, which the browser typesets itself (no script, nothing fetched); its reading in
    Unicode math stays as the alternative text. The text as it was when the conversion cannot be made."""
    try:
        from latex2mathml.converter import convert
        converted = convert(latex, display="block")
    except Exception:  # noqa: BLE001 - any failure of the converter: the Unicode form is still right
        return text(fallback)
    converted = converted.replace(' xmlns="http://www.w3.org/1998/Math/MathML"', "", 1)  # HTML needs no namespace
    return converted.replace("<math ", f'<math alttext="{attr(fallback)}" ', 1)
