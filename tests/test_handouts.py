"""Handouts: the answer key and the worksheet as documents (HTML, Markdown, text), built from the answer key.

The structure is checked by parsing what was written; hostile lesson text is checked to come out as text
(by rendering our Markdown with a renderer that does let HTML through); and both documents are drawn in a
real headless browser, at an A4 page's width and at a phone's, and the pictures checked not to be blank.
"""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from tutor.cli import app
from tutor.course.answer_key import AnswerKey, expected_shape
from tutor.course.lesson import bundled, parse, read
from tutor.engine.language.dims import format_shape
from tutor.front.handout import left_for_class, render

LESSONS = sorted(bundled())
runner = CliRunner()

HOSTILE = '''format_version = 1
id = "hostile"
title = "Shapes <script>alert(1)</script>\\n# not a heading & more"
summary = "A summary with <b>bold</b> and | pipes | and `ticks`"

[network]
source = """
# a net <img src=x onerror=alert(2)>
x: [1, D]
W: [D, K]
y: [1, K]
z = x @ W
J = sum((z - y) ** 2)
"""

[[steps]]
id = "say"
kind = "say"
title = "Title\\n## injected <em>heading</em>"
text = """
Raw HTML: <script>alert(3)</script> <img src="https://example.com/x.png"> and ![pic](https://example.com/p.png).
A [bad link](javascript:alert(4)) and a [good one](https://example.org/).

<div onclick="alert(5)">block html</div>

| a | b |
|---|---|
| <i>1</i> | 2 |
"""

[[steps]]
id = "q"
kind = "ask-shape"
of = "z"
wrt = "W"
hints = ["</p><script>alert(6)</script>", "``` fence"]

[[steps]]
id = "chain"
kind = "show"
view = "chain"
wrt = "W"

[[steps]]
id = "g"
kind = "ask-gradient"
wrt = "W"
'''


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside each tag."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.text: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "br", "hr", "link", "img", "input"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        for tag in set(self.stack):
            self.text.setdefault(tag, []).append(data)

    def names(self) -> list[str]:
        return [t for t, _ in self.tags]


def tags_of(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    return parser


def hostile():
    return parse(HOSTILE, "hostile.toml", None)


# -- the answer key and the worksheet -------------------------------------------------------------

@pytest.mark.parametrize("name", LESSONS)
def test_the_html_answer_key_is_a_document(name):
    lesson = read(name)
    html = render(lesson, "html")
    parsed = tags_of(html)
    names = parsed.names()
    assert names.count("h1") == 1 and "main" in names and "header" in names
    assert names.count("section") == len(lesson.steps)  # a section, with its heading, per step
    assert names.count("h2") == len(lesson.steps) + 1     # and the network
    assert "script" not in names and "img" not in names and "iframe" not in names
    assert not any("src" in attrs or any(k.startswith("on") for k in attrs) for _, attrs in parsed.tags)
    assert '<pre class="code"><code' in html              # code as code
    if any(s.kind == "show" and s.view in ("shapes", "chain", "numbers") for s in lesson.steps):
        assert "table" in names and "th" in names or "td" in names
    style = "".join(parsed.text.get("style", []))
    assert "@media print" in style and "break-inside: avoid" in style and "@page" in style
    assert "background: #fff" in style                    # light on paper
    assert 'name="viewport"' in html and "Content-Security-Policy" in html
    assert "http" not in html.split("<body", 1)[1]         # nothing to fetch, nowhere to go
    key = AnswerKey(lesson)
    for step in lesson.steps:
        if step.kind == "ask-gradient":
            assert key.formula(step.wrt).replace("<", "&lt;") in html   # every answer is in the key
        if step.kind == "ask-shape":
            assert format_shape(expected_shape(lesson, step), key.bindings) in html


@pytest.mark.parametrize("name", LESSONS)
@pytest.mark.parametrize("suffix", ["html", "md", "txt"])
def test_a_worksheet_has_room_to_answer_and_no_answers(name, suffix):
    lesson = read(name)
    key = AnswerKey(lesson)
    sheet = render(lesson, suffix, worksheet=True)
    for step in lesson.steps:
        if step.kind == "ask-gradient":
            assert key.formula(step.wrt) not in sheet, step.id
    questions = sum(1 for s in lesson.steps if s.is_question)
    if suffix == "html":
        assert sheet.count('class="space"') == questions and 'class="answer"' not in sheet
        assert sheet.count('class="line"') >= 2 * questions and "Name:" in sheet
    elif suffix == "md":
        assert sheet.count("Your answer:") == questions and "**Answer**" not in sheet
    else:
        assert sheet.count("Your answer:") == questions and "ANSWER" not in sheet
    assert "A right derivation" not in sheet and "help:" not in sheet  # a check view shows the verdict only


def test_a_worksheet_keeps_answer_giving_views_for_class():
    lesson = read("01-motivating-question")
    kept_back = left_for_class(lesson, AnswerKey(lesson))
    assert {"chain", "contraction", "numbers", "picture"} <= kept_back    # each states a question's answer
    assert "shapes" not in kept_back                                       # before the first question: the scene
    sheet = render(lesson, "md", worksheet=True)
    assert sheet.count("Shown in class once you have answered") == len(kept_back)
    assert "## **6\\.** The chain, factor by factor" in sheet              # the step is still there, numbered
    assert "| 4 | ∂z1/∂W1 |" not in sheet and "| 4 | ∂z1/∂W1 |" in render(lesson, "md")


@pytest.mark.parametrize("name", LESSONS)
def test_markdown_has_the_same_structure(name):
    lesson = read(name)
    md = render(lesson, "md")
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    headings = [t.tag for t in tokens if t.type == "heading_open"]
    assert headings.count("h1") == 1
    assert headings.count("h2") == len(lesson.steps) + 1   # a heading per step, and the network's
    assert sum(1 for line in md.splitlines() if line.startswith("## **")) == len(lesson.steps)
    kinds = {t.type for t in tokens}
    assert "fence" in kinds and "heading_open" in kinds
    if any(s.kind == "show" and s.view in ("shapes", "chain", "numbers") for s in lesson.steps):
        assert "table_open" in kinds


# -- hostile text stays text ----------------------------------------------------------------------

def test_hostile_lesson_text_cannot_become_markup_in_html():
    html = render(hostile(), "html")
    names = tags_of(html).names()
    assert "script" not in names and "img" not in names and "div" in names
    assert "<b>" not in html and "<i>" not in html and "<em>heading" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html and "alert(5)" in html            # the div's text, as text
    title = tags_of(html).text["title"][0]
    assert "\n" not in title and "# not a heading" in title                # one line
    assert 'href="https://example.org/"' not in html.split("<body", 1)[0]


def test_hostile_lesson_text_cannot_become_markup_in_markdown():
    md = render(hostile(), "md")
    # rendered by a Markdown renderer that lets raw HTML through, nothing of the lesson's becomes a tag
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    parsed = tags_of(rendered)
    assert not {"script", "img", "b", "i", "div"} & set(parsed.names())
    assert sum(1 for t in parsed.names() if t == "h1") == 1
    h2 = [t for t in parsed.names() if t == "h2"]
    assert len(h2) == len(hostile().steps) + 1                                 # a newline in a title adds none
    assert not any(a.get("href", "").startswith("javascript") for _, a in parsed.tags)
    assert "alert(3)" in rendered                                              # the text is still there


def test_hostile_lesson_text_in_plain_text_has_no_control_characters():
    lesson = hostile()
    text = render(lesson, "txt")
    assert "\x1b" not in text and "<script>alert(1)</script>" in text


# -- the command line -----------------------------------------------------------------------------

def test_export_worksheet_from_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("SHAPETUTOR_STATE_DIR", str(tmp_path / "state"))
    for suffix in ("html", "md", "txt"):
        path = tmp_path / f"sheet.{suffix}"
        result = runner.invoke(app, ["lesson", "export", "03-batches", "--worksheet", "-o", str(path)])
        assert result.exit_code == 0, result.output
        assert "Your answer" in path.read_text(encoding="utf-8")
    result = runner.invoke(app, ["lesson", "export", "03-batches", "--worksheet", "-o", str(tmp_path / "s.svg")])
    assert result.exit_code == 2 and "worksheet" in result.stderr


# -- in a real browser ----------------------------------------------------------------------------

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def browser() -> str | None:
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def png_pixels(path: Path) -> tuple[int, int, bytes]:
    """Width, height and the decompressed (filtered) image data of a PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, zlib.decompress(idat)


def screenshot(chrome: str, page: Path, out: Path, width: int, height: int, profile: Path) -> None:
    subprocess.run([chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--hide-scrollbars", f"--user-data-dir={profile}", f"--screenshot={out}",
                    f"--window-size={width},{height}", page.as_uri()],
                   capture_output=True, timeout=120, check=False,
                   env={**os.environ, "HOME": str(profile)})


@pytest.mark.skipif(browser() is None, reason="no headless browser here (apt-get install chromium)")
@pytest.mark.parametrize("worksheet", [False, True], ids=["answer-key", "worksheet"])
@pytest.mark.parametrize("width", [794, 390], ids=["a4-width", "phone-width"])
def test_handouts_render_in_a_real_browser(tmp_path, worksheet, width):
    page = tmp_path / "handout.html"
    page.write_text(render(read("01-motivating-question"), "html", worksheet=worksheet), encoding="utf-8")
    out = tmp_path / "shot.png"
    screenshot(browser(), page, out, width, 1600, tmp_path / "profile")
    assert out.exists() and out.stat().st_size > 20_000, "a page with text, tables and code is not that small"
    w, h, pixels = png_pixels(out)
    assert (w, h) == (width, 1600)
    # not blank: a white page filters to bytes of 0 and 255; text, rules and shading give every other value
    inked = sum(1 for b in pixels if b not in (0, 255)) / len(pixels)
    assert inked > 0.01 and len(set(pixels)) > 100
