"""Mathematics out in handouts: LaTeX in Markdown, MathML in HTML (typeset by the browser itself,
offline, no script), and the formulas it writes are the gradients, read back."""
from __future__ import annotations

import re

import pytest
from test_handouts import browser, png_pixels, screenshot, tags_of

from tutor.course.lesson import read
from tutor.front.handout import render
from tutor.notation.judged import check_text

LESSON = "01-motivating-question"


def test_a_markdown_handout_writes_each_formula_in_latex_too():
    md = "\n".join(line.removeprefix("> ").removeprefix(">") for line in render(read(LESSON), "md").splitlines())
    blocks = re.findall(r"^\$\$\n(.+?)\n\$\$$", md, flags=re.M | re.S)
    assert blocks and any(r"\frac{\partial J}{\partial W_{1}} = {x}^{\top}" in b for b in blocks)
    lesson = read(LESSON)
    for block in blocks:   # each is the gradient it names, read back by the mathematics reader
        leaf = re.match(r"\\frac\{\\partial J\}\{\\partial (\w+)(?:_\{(\d+)\})?\}", block)
        name = leaf.group(1) + (leaf.group(2) or "")
        assert check_text(lesson.network, name, block).result.verdict == "correct", block


def test_an_html_handout_writes_each_formula_as_mathml_with_nothing_to_fetch():
    html = render(read(LESSON), "html")
    assert "<math " in html and "</math>" in html and "<mfrac>" in html
    assert "xmlns" not in html.split("<body", 1)[1] and "http" not in html.split("<body", 1)[1]
    names = tags_of(html).names()
    assert "script" not in names and "img" not in names
    assert re.search(r'<math alttext="[^"]*∂J/∂W1 =|<math alttext="[^"]*xᵀ', html) or 'alttext="' in html


@pytest.mark.skipif(browser() is None, reason="no headless browser here (apt-get install chromium)")
def test_the_mathml_is_typeset_by_a_real_browser(tmp_path):
    html = render(read(LESSON), "html")
    formulas = "".join(re.findall(r'<div class="formula">.*?</div>', html, flags=re.S))
    page = tmp_path / "formulas.html"
    head = html.split("<body", 1)[0]
    page.write_text(f"{head}<body><main>{formulas}</main></body></html>", encoding="utf-8")
    out = tmp_path / "shot.png"
    screenshot(browser(), page, out, 794, 600, tmp_path / "profile")
    w, h, pixels = png_pixels(out)
    assert (w, h) == (794, 600)
    inked = sum(1 for b in pixels if b not in (0, 255)) / len(pixels)
    assert inked > 0.002 and len(set(pixels)) > 50   # typeset glyphs, not an empty page
