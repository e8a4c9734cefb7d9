"""User text is shown as text: it never acts on the terminal, and markup in it is never read.

Networks, derivations, file names, lesson texts, answers and saved progress may hold terminal
control sequences (a window title, a clipboard write, a hyperlink to a local file, a cleared
screen) and rich markup (`[link=file:///…]`, `[/]`). Two ways out of shapetutor carry text, and
both pass through here:

* every console that draws (terminal, piped output, stderr, the recorders behind exports) is a
  `Screen`: markup is never parsed, no hyperlink is ever emitted, and every piece of text it writes
  has its control characters made visible, while rich's own colours, which are not text, still work;
  the front draws panels and Markdown with `Panel` and `Markdown` from here, which never read markup
  or make links;
* every plain write (`say`) and every Markdown export (`markdown_text`) goes through `visible`.

Made visible: C0 controls but tab and newline, and DEL, as their Unicode control pictures (ESC is
␛), or `\\x1b` where the output cannot show them; C1 controls as `\\x9b`; bytes that were not
UTF-8 (kept by Python as lone surrogates) as `\\xff`.
"""
from __future__ import annotations

import re

from rich.console import Console
from rich.markdown import Markdown as RichMarkdown
from rich.panel import Panel as RichPanel
from rich.segment import Segment
from rich.text import Text

LINE_BREAKS = re.compile(r"\s*[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+\s*")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def visible(text: str, pictures: bool = True) -> str:
    """`text` with every control character made visible; tab and newline are kept."""
    if not CONTROL.search(text):
        return text
    return CONTROL.sub(lambda m: shown(m.group(), pictures), text)


def shown(ch: str, pictures: bool) -> str:
    o = ord(ch)
    if 0xDC80 <= o <= 0xDCFF:                 # an undecodable byte, as surrogateescape keeps it
        return f"\\x{o - 0xDC00:02x}"
    if o >= 0xD800:
        return f"\\u{o:04x}"
    if pictures and o < 0x20:
        return chr(0x2400 + o)
    if pictures and o == 0x7F:
        return "\u2421"
    return f"\\x{o:02x}"


def one_line(text: str, pictures: bool = True) -> str:
    """Text for a place that holds one line (a title, a name): line breaks become spaces."""
    return visible(LINE_BREAKS.sub(" ", text).strip(), pictures)


def can_show_pictures(encoding: str | None) -> bool:
    return "utf" in (encoding or "").lower()


class Screen(Console):
    """A rich console whose text is always text (see the module's docstring)."""

    def __init__(self, **kwargs):
        kwargs.update(markup=False, emoji=False, highlight=False)
        super().__init__(**kwargs)

    def render(self, renderable, options=None):
        pictures = can_show_pictures(self.encoding)
        for segment in super().render(renderable, options):
            text, style, control = segment
            if control:                        # rich's own cursor and screen codes
                yield segment
                continue
            if style is not None and style.link:
                style = style.update_link(None)
            if CONTROL.search(text):
                text = visible(text, pictures)
            yield Segment(text, style, control) if (text, style) != (segment.text, segment.style) else segment

    def input(self, prompt="", **kwargs):
        kwargs["markup"] = False               # a prompt may name the learner's own nodes
        kwargs["emoji"] = False
        return super().input(prompt, **kwargs)

    def on_broken_pipe(self) -> None:          # the reader left (`| head`): end quietly, as the JSON path does
        raise BrokenPipeError


def Markdown(text: str) -> RichMarkdown:
    """A lesson's Markdown on the terminal: links are shown with their address, never made live."""
    return RichMarkdown(text, hyperlinks=False)


def Panel(renderable, title=None, **kwargs) -> RichPanel:
    """A rich panel whose title is text (rich reads a string title as markup: `[/]` in a lesson's title
    would end the program, `[link=…]` would become a live link)."""
    return RichPanel(renderable, title=Text(title) if isinstance(title, str) else title, **kwargs)


# -- Markdown exports ---------------------------------------------------------------------------------

#: Characters that make structure anywhere in a line of Markdown (emphasis, links, code, tables, HTML).
INLINE = re.compile(r"([\\`*_\[\]|~])")
#: What makes structure at the start of a line: headings, lists, quotes, rules, ordered lists.
LINE_START = re.compile(r"^(\s*)([#>+=-])|^(\s*\d+)([.)])")
#: The start of raw HTML: a tag, a closing tag, a comment, a declaration.
HTML_START = re.compile(r"<(?=[A-Za-z/!?])")


def markdown_text(text: str) -> str:
    """Plain text as Markdown that reads back as exactly that text, on one line: no emphasis,
    link, code, table, heading, list or HTML can come out of it."""
    text = INLINE.sub(r"\\\1", one_line(text)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}",
                          text)


def markdown_prose(text: str) -> str:
    """An author's Markdown (a say step's text), kept as Markdown but with no raw HTML: a `<` that
    would open a tag is written `&lt;`. Control characters are made visible."""
    return HTML_START.sub("&lt;", visible(text))


def fence(text: str, info: str = "") -> list[str]:
    """A fenced code block holding `text` verbatim, its fence longer than any run of backticks inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    bar = "`" * max(3, longest + 1)
    return [bar + info, visible(text), bar]


def code_span(text: str) -> str:
    """Inline code holding `text` exactly, on one line."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    bar, pad = "`" * (longest + 1), " " if text.startswith("`") or text.endswith("`") else ""
    return f"{bar}{pad}{one_line(text)}{pad}{bar}"
