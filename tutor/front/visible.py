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
* every plain write (`say`) and every export (the handouts' writers) goes through `visible`.

Made visible: C0 controls but tab and newline, and DEL, as their Unicode control pictures (ESC is
␛), or `\\x1b` where the output cannot show them; C1 controls as `\\x9b`; bytes that were not
UTF-8 (kept by Python as lone surrogates) as `\\xff`; the characters that reorder or break lines
unseen (bidirectional overrides and isolates, U+2028 and U+2029) as `\\u202e`.
"""
from __future__ import annotations

import re
import sys

from rich.console import Console
from rich.panel import Panel as RichPanel
from rich.segment import Segment
from rich.text import Text

LINE_BREAKS = re.compile(r"\s*[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+\s*")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def visible(text: str, pictures: bool = True) -> str:
    """`text` with every control character made visible; tab and newline are kept."""
    if not CONTROL.search(text):
        return text
    return CONTROL.sub(lambda m: shown(m.group(), pictures), text)


def shown(ch: str, pictures: bool) -> str:
    o = ord(ch)
    if 0xDC80 <= o <= 0xDCFF:                 # an undecodable byte, as surrogateescape keeps it
        return f"\\x{o - 0xDC00:02x}"
    if o > 0xFF:
        return f"\\u{o:04x}"
    if pictures and o < 0x20:
        return chr(0x2400 + o)
    if pictures and o == 0x7F:
        return "\u2421"
    return f"\\x{o:02x}"


def one_line(text: str, pictures: bool = True) -> str:
    """Text for a place that holds one line (a title, a name): line breaks become spaces."""
    return visible(LINE_BREAKS.sub(" ", text).strip(), pictures)


def line_editing() -> bool:
    """Arrow keys, editing and history (↑) at every prompt where a learner types at a terminal and this
    Python has readline: importing it is what makes `input()` edit lines instead of reading `^[[D`."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return False
    try:
        import readline  # noqa: F401
    except ImportError:                        # Windows without pyreadline: plain input still works
        return False
    return True


def can_show_pictures(encoding: str | None) -> bool:
    return "utf" in (encoding or "").lower()


class Screen(Console):
    """A rich console whose text is always text (see the module's docstring)."""

    def __init__(self, **kwargs):
        kwargs.update(markup=False, emoji=False, highlight=False)
        if "file" in kwargs:
            # A console that writes into a string is a capture, never the notebook's own output:
            # inside Jupyter rich would otherwise display it and leave the string empty.
            kwargs.setdefault("force_jupyter", False)
        super().__init__(**kwargs)

    #: Rich renders nested renderables (a table in a panel) through `render` too, and everything they
    #: draw comes out of the outermost call: only that one needs to look at the text.
    _rendering = False

    def render(self, renderable, options=None):
        if self._rendering:
            yield from super().render(renderable, options)
            return
        self._rendering = True
        try:  # drawn whole before anything is yielded, so no other drawing can start while this one is open
            segments = list(super().render(renderable, options))
        finally:
            self._rendering = False
        yield from self.visible_segments(segments)

    def visible_segments(self, segments):
        pictures = can_show_pictures(self.encoding)
        for segment in segments:
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
        if isinstance(prompt, str) and not kwargs.get("password") and kwargs.get("stream") is None \
                and line_editing():
            # readline redraws the prompt as the learner edits a line or recalls one, so it must own it
            self.file.flush()
            return input(visible(prompt, can_show_pictures(self.encoding)))
        return super().input(prompt, **kwargs)

    def on_broken_pipe(self) -> None:          # the reader left (`| head`): end quietly, as the JSON path does
        raise BrokenPipeError


def Markdown(text: str):
    """A lesson's Markdown on the terminal: links are shown with their address, never made live.
    (rich.markdown brings markdown-it and pygments, a third of a command's start-up: only lessons
    draw Markdown, so only they import it.)"""
    from rich.markdown import Markdown as RichMarkdown

    return RichMarkdown(text, hyperlinks=False)


def Panel(renderable, title=None, **kwargs) -> RichPanel:
    """A rich panel whose title is text (rich reads a string title as markup: `[/]` in a lesson's title
    would end the program, `[link=…]` would become a live link)."""
    return RichPanel(renderable, title=Text(title) if isinstance(title, str) else title, **kwargs)
