"""A lesson as a handout: the answer key (the default) or a worksheet, as HTML, Markdown or text.

The handout is a `Document` built from data: the answer key's answers and the engine's results
(shapes, chains, contractions, numbers, checks), never a terminal recording. A worksheet has the
same steps with room to write instead of answers; a `show` step after the first question that
would give a question's answer away is left for class. SVG is the lesson as the terminal shows it.
"""
from __future__ import annotations

from io import StringIO

from ..course.answer_key import AnswerKey
from ..course.kinds import QUESTIONS
from ..course.lesson import Lesson, network_title, step_title
from ..engine.errors import TutorError
from .files import check_export, write_export
from .document import Code, Document, Heading, Para, Section, one_line, plain, runs, Run
from .handout_blocks import dims_text
from .look import Look
from .step_views import VIEWS
from .visible import Screen, visible

FORMATS = ("md", "html", "txt", "svg")


def left_for_class(lesson: Lesson, key: AnswerKey) -> set[str]:
    """The show steps a worksheet leaves out: after the first question, those stating a question's answer."""
    asked = {QUESTIONS[s.kind].asks(s) for s in lesson.steps if s.is_question}
    first = next((i for i, s in enumerate(lesson.steps) if s.is_question), len(lesson.steps))
    return {s.id for s in lesson.steps[first + 1:] if VIEWS[s.kind].states(key, s) & asked}


# -- the document -------------------------------------------------------------------------------

def document(lesson: Lesson, worksheet: bool = False) -> Document:
    key = AnswerKey(lesson)
    net, b = lesson.network, key.bindings
    origin = network_title(lesson).rsplit("/", 1)[-1]
    skipped = left_for_class(lesson, key) if worksheet else set()
    sections = []
    for n, step in enumerate(lesson.steps, 1):
        heading = Heading(2, runs(Run(f"{n}.", "strong"), " " + one_line(step_title(step))), f"step-{step.id}")
        if step.id in skipped:
            blocks = [Para(plain(f"Shown in class once you have answered (a {step.view} view)."), role="note")]
        else:
            blocks = VIEWS[step.kind].blocks(key, step, worksheet)
        sections.append(Section(heading, tuple(blocks), step.kind))
    questions = sum(1 for s in lesson.steps if s.is_question)
    meta = (("Handout", "worksheet: write your answers in the boxes" if worksheet else "answer key"),
            ("Lesson", lesson.id), ("Network", origin), ("Dimensions", dims_text(b) or "none"),
            ("Steps", f"{len(lesson.steps)}, of which {questions} are questions"))
    intro = (Heading(2, plain("The network"), "network"),
             Para(plain(f"The loss is {net.loss}. Every shape below is symbolic; the numbers use {dims_text(b)}."
                        if b else f"The loss is {net.loss}.")),
             Code(net.source.strip(), "python"))
    # a worksheet says nothing of the answer key: it is the instructor's to hand out
    footer = "" if worksheet else "Made with shapetutor: every answer is computed by its engine and checked numerically."
    return Document(one_line(lesson.title) + (" (worksheet)" if worksheet else " (answer key)"),
                    one_line(lesson.summary), meta, intro, tuple(sections), footer, worksheet)


def render(lesson: Lesson, suffix: str, worksheet: bool = False) -> str:
    if suffix == "html":
        from .html_doc import to_html
        return to_html(document(lesson, worksheet))
    if suffix == "md":
        from .markdown_doc import to_markdown
        return to_markdown(document(lesson, worksheet))
    if suffix == "txt":
        from .text_doc import to_text
        return to_text(document(lesson, worksheet))
    if worksheet:
        raise TutorError("--worksheet: an SVG is the lesson as the terminal shows it, answers included",
                         expected="a worksheet as .html, .md or .txt")
    from .lesson import Runner
    from .prompt import Tee
    recorder = Screen(file=StringIO(), record=True, width=90, force_terminal=True)
    Runner(lesson, Tee(recorder), Look(), mode="reveal").run()
    return recorder.export_svg(title=visible(one_line(lesson.title)))


def export(lesson: Lesson, path: str, worksheet: bool = False, force: bool = False) -> None:
    """Write the handout through the safe write (see `files`): refused before any work when the
    target is a link, a device or someone else's file, and never left half-written."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix == "htm":
        suffix = "html"
    if suffix not in FORMATS:
        raise TutorError(f"--output {path}: unknown format", expected="a file ending in .html, .md, .txt or .svg")
    check_export(path, force, "--output")
    write_export(path, render(lesson, suffix, worksheet), force)
