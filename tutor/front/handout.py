"""A lesson as a handout with the answers: Markdown, or the rendered lesson as HTML, SVG or text.

Everything is self-contained (styles inline, no scripts, no network), so it works offline.
"""
from __future__ import annotations

import html
from io import StringIO

from rich.console import Console

from ..engine.dims import format_shape
from ..engine.errors import TutorError
from ..course.lesson import Lesson, step_title
from ..course.answer_key import AnswerKey, expected_shape, question_text
from .lesson import Runner, view
from .prompt import Tee
from .look import Look

FORMATS = ("md", "html", "svg", "txt")


def plain_text(renderable, width: int = 88) -> str:
    console = Console(file=StringIO(), width=width, color_system=None, legacy_windows=False)
    console.print(renderable)
    return console.file.getvalue().rstrip()


def markdown(lesson: Lesson) -> str:
    key = AnswerKey(lesson)
    look = Look(unicode=True)
    b = key.bindings
    dims = ", ".join(f"{k} = {v}" for k, v in b.items())
    origin = lesson.network.origin
    name = origin.rsplit("/", 1)[-1] if "/" in origin else origin
    parts = [f"# {lesson.title}", "", f"*{lesson.summary}*", "",
             f"The network ({name}), with {dims}:", "", "```python", lesson.network.source.strip(), "```", ""]
    for n, step in enumerate(lesson.steps, 1):
        parts.append(f"## {n}. {step_title(step)}")
        parts.append("")
        if step.kind == "say":
            parts.append(step.text.strip())
        elif step.kind == "show":
            parts += ["```text", plain_text(view(key, step, look)), "```"]
        elif step.kind == "ask-shape":
            want = expected_shape(lesson, step)
            parts += [f"**{question_text(step)}**", "",
                      f"Answer: **{format_shape(want)}** = {format_shape(want, b)}"]
        else:
            parts += [f"**{question_text(step)}**", "", f"Answer: `{key.formula(step.wrt)}`"]
        if step.hints and step.kind.startswith("ask"):
            parts += ["", "Hints: " + " · ".join(step.hints)]
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def export(lesson: Lesson, path: str) -> None:
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix not in FORMATS:
        raise TutorError(f"--output {path}: unknown format", expected="a file ending in .md, .html, .svg or .txt")
    if suffix == "md":
        text = markdown(lesson)
    else:
        recorder = Console(file=StringIO(), record=True, width=90, force_terminal=True)
        Runner(lesson, Tee(recorder), Look(), mode="reveal").run()
        if suffix == "html":
            text = recorder.export_html(inline_styles=True).replace(
                "<head>", f"<head>\n<title>{html.escape(lesson.title)}</title>", 1)
        elif suffix == "svg":
            text = recorder.export_svg(title=lesson.title)
        else:
            text = recorder.export_text()
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise TutorError(f"cannot write {path}: {exc.strerror or exc}") from None
