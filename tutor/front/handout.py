"""A lesson as a handout with the answers: Markdown, or the rendered lesson as HTML, SVG or text.

Everything is self-contained (styles inline, no scripts, no network), so it works offline.
"""
from __future__ import annotations

import html
from io import StringIO

from ..engine.dims import format_shape
from ..engine.errors import TutorError
from ..course.lesson import Lesson, step_title
from ..course.answer_key import AnswerKey, expected_shape, question_text
from .lesson import Runner, view
from .prompt import Tee
from .files import check_export, write_export
from .look import Look
from .visible import Screen, code_span, fence, markdown_prose, markdown_text, one_line

FORMATS = ("md", "html", "svg", "txt")


def plain_text(renderable, width: int = 88) -> str:
    console = Screen(file=StringIO(), width=width, color_system=None, legacy_windows=False)
    console.print(renderable)
    return console.file.getvalue().rstrip()


def markdown(lesson: Lesson) -> str:
    """The handout as Markdown. Every text from the lesson is escaped (no HTML, no structure from a
    title's line breaks); a say step's text stays Markdown, with raw HTML shown as text."""
    key = AnswerKey(lesson)
    look = Look(unicode=True)
    b = key.bindings
    dims = ", ".join(f"{k} = {v}" for k, v in b.items())
    origin = lesson.network.origin
    name = origin.rsplit("/", 1)[-1] if "/" in origin else origin
    parts = [f"# {markdown_text(lesson.title)}", "", f"*{markdown_text(lesson.summary)}*", "",
             f"The network ({markdown_text(name)}), with {markdown_text(dims)}:", "",
             *fence(lesson.network.source.strip(), "python"), ""]
    for n, step in enumerate(lesson.steps, 1):
        parts.append(f"## {n}. {markdown_text(step_title(step))}")
        parts.append("")
        if step.kind == "say":
            parts.append(markdown_prose(step.text.strip()))
        elif step.kind == "show":
            parts += fence(plain_text(view(key, step, look)), "text")
        elif step.kind == "ask-shape":
            want = expected_shape(lesson, step)
            parts += [f"**{markdown_text(question_text(step))}**", "",
                      f"Answer: **{markdown_text(format_shape(want))}** = {markdown_text(format_shape(want, b))}"]
        else:
            parts += [f"**{markdown_text(question_text(step))}**", "",
                      f"Answer: {code_span(key.formula(step.wrt))}"]
        if step.hints and step.kind.startswith("ask"):
            parts += ["", "Hints: " + " · ".join(markdown_text(h) for h in step.hints)]
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def rendered(lesson: Lesson, suffix: str) -> str:
    """The lesson as it plays with every answer shown, recorded as HTML, SVG or text."""
    recorder = Screen(file=StringIO(), record=True, width=90, force_terminal=True)
    Runner(lesson, Tee(recorder), Look(), mode="reveal").run()
    title = one_line(lesson.title)
    if suffix == "html":
        return recorder.export_html(inline_styles=True).replace("<head>", f"<head>\n<title>{html.escape(title)}</title>",
                                                                   1)
    if suffix == "svg":
        return recorder.export_svg(title=title)
    return recorder.export_text()


def export(lesson: Lesson, path: str, force: bool = False) -> None:
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix not in FORMATS:
        raise TutorError(f"--output {path}: unknown format", expected="a file ending in .md, .html, .svg or .txt")
    check_export(path, force, "--output")
    write_export(path, markdown(lesson) if suffix == "md" else rendered(lesson, suffix), force)
