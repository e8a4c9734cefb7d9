"""Any renderable as a string: plain text for `str()` and assertion messages, HTML for notebooks.

The same renderers draw the terminal, the plain text and the notebook, so a learner reads one
diagnosis wherever they meet it. The HTML escapes every piece of text, the learner's included.
"""
from __future__ import annotations

import re
from io import StringIO

from rich.terminal_theme import TerminalTheme

from .visible import Screen

#: The width tables and panels are laid out in.
WIDTH = 100
PRE = ('<pre class="shapetutor" style="white-space: pre-wrap; overflow-x: auto; line-height: 1.35; '
       'font-family: Menlo, Consolas, \'DejaVu Sans Mono\', monospace; font-size: 0.9em">{code}</pre>')
#: Colours that read on a light and on a dark notebook alike; the text's own colour is left to the
#: notebook (a marker colour, removed after export), so plain text is never black on black.
MARKER = (1, 2, 3)
NOTEBOOK = TerminalTheme((255, 255, 255), MARKER,
                         [(128, 128, 128), (205, 49, 49), (22, 150, 80), (176, 128, 0), (40, 116, 200),
                          (180, 70, 180), (20, 140, 160), (150, 150, 150)])
UNSET = re.compile(r"(?:text-decoration-)?color: #010203;? ?")


def plain_text(renderable, width: int = WIDTH, soft_wrap: bool = False) -> str:
    """No colour, no control codes: what a test cell or a log shows. With soft_wrap, prose is never
    broken into lines (a notebook or a test report wraps it to its own width)."""
    out = StringIO()
    console = Screen(file=out, width=width, color_system=None, force_terminal=False, no_color=True,
                     legacy_windows=False)
    console.print(renderable, crop=False, soft_wrap=soft_wrap)
    return "\n".join(line.rstrip() for line in out.getvalue().rstrip().splitlines())


def html(renderable, width: int = WIDTH, soft_wrap: bool = False) -> str:
    """An HTML fragment (one <pre>, colours inline) that a notebook shows as it is."""
    console = Screen(file=StringIO(), width=width, record=True, force_terminal=True, color_system="truecolor",
                     legacy_windows=False)
    console.print(renderable, crop=False, soft_wrap=soft_wrap)
    return UNSET.sub("", console.export_html(theme=NOTEBOOK, inline_styles=True, code_format=PRE))
