"""The guards of the second hostile round (issue 16), class by class, in-process and fast.

tests/test_hostile.py runs every attack of tests/catalogue/attacks.py as a person would, in a
subprocess; the tests here pin down each guard's own rule: the one reader, the budget, text made
visible, progress merged and never lost, exports written safely, overflow re-drawn, lines counted
as an editor counts them.
"""
from __future__ import annotations

import json
import os
import re
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalogue.attacks import is_control  # noqa: E402

from tutor.course.lesson import LessonError, parse as parse_lesson, read as read_lesson  # noqa: E402
from tutor.course.progress import Entry, Progress, ProgressError  # noqa: E402
from tutor.course.validate import validate  # noqa: E402
from tutor.engine.numbers import budget  # noqa: E402
from tutor.engine.errors import TutorError, UnreadableError  # noqa: E402
from tutor.engine.files import read_stream, read_text, replace_file  # noqa: E402
from tutor.engine.language.network import load, parse_network  # noqa: E402
from tutor.engine.numbers.sampling import NonFinite, TooLarge  # noqa: E402
from tutor.front.files import MARKS, write_export  # noqa: E402
from tutor.front import markdown_doc  # noqa: E402
from tutor.front.document import from_markdown  # noqa: E402
from tutor.front.visible import Panel, Screen, visible  # noqa: E402
from tutor.judge.check import check  # noqa: E402
from tutor.teach.derivation import derive  # noqa: E402

ESCAPES = "\x1b]0;title\x07\x1b]52;c;cm0=\x07\x1b]8;;file:///etc/passwd\x07x\x1b]8;;\x07\x1b[2J\x9b2J\x9d0;t\x9c"
LESSON = """format_version = 1
id = "tiny"
title = "Tiny"
summary = "A summary"

[network]
bundled = "default"

[[steps]]
id = "intro"
kind = "say"
text = "Hello."

[[steps]]
id = "shape"
kind = "ask-shape"
node = "W1"
"""


# -- 1. one reader: regular files only, bounded ---------------------------------------------------------------

def test_the_reader_refuses_what_is_not_a_regular_file_without_waiting(tmp_path):
    fifo = tmp_path / "pipe.net"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "named pipe"), (Path("/dev/zero"), "device"), (tmp_path, "folder")):
        with pytest.raises(UnreadableError, match=kind):
            read_text(str(path), "network")  # a named pipe nobody writes to would block open() itself


def test_the_reader_refuses_a_file_over_the_limit_by_its_size(tmp_path):
    big = tmp_path / "big.net"
    with open(big, "wb") as handle:
        handle.truncate(2 << 30)  # 2 GiB, sparse: refused before a byte is read
    with pytest.raises(UnreadableError, match="the limit is 1,000,000"):
        read_text(str(big), "network")


def test_a_byte_order_mark_is_dropped_everywhere(tmp_path):
    (tmp_path / "d.txt").write_bytes(b"\xef\xbb\xbfx.T @ y\n")
    assert read_text(str(tmp_path / "d.txt"), "the derivation file") == "x.T @ y\n"
    import io
    assert read_stream(io.BytesIO(b"\xef\xbb\xbfa"), "<stdin>") == "a"
    with pytest.raises(UnreadableError, match="limit"):
        read_stream(io.BytesIO(b"x" * 20), "<stdin>", limit=10)
    with pytest.raises(UnreadableError, match="closed"):
        read_stream(None, "<stdin>")
    (tmp_path / "l.toml").write_bytes(b"\xef\xbb\xbf" + LESSON.encode())
    assert read_lesson(str(tmp_path / "l.toml")).id == "tiny"


def test_a_lessons_network_path_that_is_a_named_pipe_is_refused(tmp_path):
    os.mkfifo(tmp_path / "net.net")
    (tmp_path / "l.toml").write_text(LESSON.replace('bundled = "default"', 'path = "net.net"'))
    with pytest.raises(LessonError, match="named pipe"):
        read_lesson(str(tmp_path / "l.toml"))


# -- 2. one budget for the whole evaluation ------------------------------------------------------------------

def test_the_price_counts_each_shared_node_once():
    net = parse_network("x: [N]\na = exp(x)\nb = a * a\nc = b * b\nJ = sum(c * c)\n")
    b = net.bindings({"N": 1000})
    cost = budget.price(net.definitions.values(), b, net.shapes, computed=net.definitions)
    assert cost.numbers == 1000 * 5 + 1 and cost.nodes == 5  # x, a, b, c, c * c and the sum's one number


def test_an_einsum_is_priced_along_numpys_contraction_path():
    from tutor.engine.language.dims import Dim
    d = Dim.symbol("D")
    shapes = [(d, d)] * 8
    cost = budget.einsum_cost("ab,bc,cd,de,ef,fg,gh,hi->ai", shapes, {"D": 10})
    assert cost == 7 * 10**3  # seven matrix products, never the 10**9 index tuples of the naive loop
    assert budget.einsum_cost("ab,bc->ac", shapes[:2], {"D": 10}) == 10**3


def test_derive_skips_the_numeric_check_over_budget_and_says_why():
    net = parse_network("A: [7000, 7000]\nB: [7000, 7000]\nC: [7000, 7000]\nE: [7000, 7000]\nJ = sum(A * B * C * E)\n")
    d = derive(net)
    assert d.verification is None and "the limit is" in d.skipped and "GB" in d.skipped
    assert d.verification_json()["skipped"] == d.skipped


def test_the_checks_memory_is_priced_by_what_is_alive_at_once():
    """A value is held from its step to its last reader: a chain of elementwise steps holds two at a
    time, whatever its length, and the budget sends a check over it to the small sizes, saying why."""
    from tutor.engine.numbers.numeric import Schedule as Program
    chain = parse_network("x: [N]\na = exp(x)\nb = a * 2\nc = b * 3\nJ = sum(c)\n")
    assert Program(chain.definitions, {}).peak_numbers({"N": 1000}) == 2000
    net = load("default")
    d = derive(net, {"Dx": 7000, "H": 7000, "Dy": 10})
    assert d.verification.ok and d.verification.dims == net.bindings() and "GB" in d.verification.scaled_down


def test_check_refuses_the_instructors_sizes_and_locates_the_learners_excess():
    net = load("default")
    with pytest.raises(TooLarge, match="the limit is"):
        check(parse_network("x: [368]\nA = outer(outer(x, x), x)\nJ = sum(exp(A) * A)\n"), "x", "x")
    huge = "sum(outer(outer(x, x), outer(x, x)))"
    text = "x.T @ ((yhat - y) @ W2.T * h * (1 - h)) + 0 * " + " * ".join([huge] * 5)
    result = check(net, "W1", text, {"Dx": 84})
    first = result.diagnostics[0]
    assert result.verdict == "unusable" and "the limit is" in first.message
    assert text[first.col:first.end_col] == "outer(outer(x, x), outer(x, x))"  # the learner's largest value


def test_lesson_validation_stops_at_its_time_limit(tmp_path):
    lesson = parse_lesson(LESSON, "l.toml", tmp_path)
    errors = validate(lesson, seconds=0)
    assert len(errors) == 1 and "took longer than 0 s" in errors[0].message and errors[0].span.line == 9


# -- 3. text is shown as text -------------------------------------------------------------------------------

@given(st.text())
def test_visible_text_holds_no_control_character_and_is_stable(text):
    shown = visible(text)
    assert not any(is_control(c) for c in shown if c not in "\t\n")
    assert visible(shown) == shown
    ascii_shown = visible(text, pictures=False)
    assert not any(is_control(c) for c in ascii_shown if c not in "\t\n")


def test_visible_shows_what_was_there():
    assert visible("a\x1b[2Jb") == "a␛[2Jb" and visible("\x9b") == "\\x9b" and visible("\udcff") == "\\xff"
    assert visible("a\x1bb", pictures=False) == "a\\x1bb" and visible("tab\tnew\nline") == "tab\tnew\nline"


def render(renderable, terminal: bool) -> str:
    from io import StringIO
    screen = Screen(file=StringIO(), width=100, force_terminal=terminal, color_system="truecolor" if terminal else None)
    screen.print(renderable)
    return screen.file.getvalue()


def test_a_screen_never_lets_user_text_act_but_keeps_its_own_colours():
    for terminal in (True, False):
        out = render(Panel(Text("text " + ESCAPES, style="bold red"), title="[/] [link=file:///etc/passwd]x[/link]"),
                     terminal)
        assert "[/]" in out and "link=file:///etc/passwd" in out            # markup shown, never read
        assert "\x1b]" not in out and "\x9b" not in out and "\x07" not in out  # no sequence of the user's acts
        assert ("\x1b[1;31m" in out) == terminal                          # rich's own colour still works
    linked = Text("click")
    linked.stylize("link https://example.org")
    assert "\x1b]8" not in render(linked, True)                           # and no hyperlink is ever emitted


@given(st.text())
def test_markdown_text_has_no_html_and_no_structure(text):
    shown = markdown_doc.text(text)
    assert "\n" not in shown and not re.search(r"<[A-Za-z/!?]", shown)
    assert not re.match(r"\s*(#|[-+*>] |\d+[.)] )", shown)
    assert not any(is_control(c) for c in shown)


def test_markdown_prose_keeps_markdown_but_no_html():
    blocks = from_markdown("Some *Markdown*\n\n# A heading\n<script>alert(1)</script> and a <= b\x1b")
    shown = "\n\n".join(markdown_doc.block(b) for b in blocks)
    assert "*Markdown*" in shown and "# A heading" in shown and "a &lt;= b" in shown and "␛" in shown
    assert "<" not in shown                                      # every `<` an entity: no raw HTML


def test_lesson_ids_are_plain():
    for bad in ("x[link=file:///etc/passwd]y[/link]", "a\x1b]0;t\x07", "-starts-with-a-dash", "a b", "x" * 65):
        with pytest.raises(LessonError, match="the lesson id") as caught:
            parse_lesson(LESSON.replace('id = "tiny"', f"id = {json.dumps(bad)}"), "l.toml", None)
        assert caught.value.span.line == 2


def test_toml_nested_past_the_parser_is_a_located_error():
    deep = LESSON.replace("[network]", "deep = " + "[" * 1000 + "]" * 1000 + "\n[network]")
    with pytest.raises(LessonError, match="nested too deeply") as caught:
        parse_lesson(deep, "l.toml", None)
    assert caught.value.span.line == 6


def test_plain_text_and_notebook_html_show_control_characters():
    import tutor
    result = tutor.check("default", "W1", "x.T @ q  # \x1b]0;t\x07\x9b")
    for shown in (str(result), result._repr_html_()):
        assert "\x1b" not in shown and "\x9b" not in shown and "␛]0;t" in shown


# -- 5. progress: by lesson and source, merged, never lost ---------------------------------------------------

def test_progress_is_kept_per_lesson_and_source(tmp_path):
    Progress(tmp_path).put("01-motivating-question", Entry("b", ("a",), 4, fingerprint="f"))
    Progress(tmp_path).put("01-motivating-question", Entry("x", ("w",), 2, fingerprint="g", source="/my/file.toml"))
    fresh = Progress(tmp_path)
    assert fresh.get("01-motivating-question").done == ("a",)
    assert fresh.get("01-motivating-question", "/my/file.toml").done == ("w",)
    fresh.remove("01-motivating-question", "/my/file.toml")
    assert Progress(tmp_path).get("01-motivating-question").done == ("a",)


def test_two_runs_of_one_lesson_keep_both_runs_steps(tmp_path):
    first, second = Progress(tmp_path), Progress(tmp_path)
    first.get("l"), second.get("l")                                     # both read before either saves
    first.put("l", Entry("c", ("a", "b"), 5, fingerprint="f"))
    second.put("l", Entry("a", (), 5, fingerprint="f"))                 # a stale run ends later
    saved = Progress(tmp_path).get("l")
    assert saved.done == ("a", "b") and saved.step == "c"
    second.put("l", Entry("a", (), 5, fingerprint="changed"))           # the lesson changed: start afresh
    assert Progress(tmp_path).get("l").done == ()


@pytest.mark.parametrize("content", ['{"l": {"step": "a", "do', bytes(range(256)), "[1, 2]",
                                     '{"l": {"total": Infinity}}', '{"l": {"total": 1e400}}', "[" * 100_000])
def test_an_unreadable_progress_file_is_kept_aside_before_a_fresh_one(tmp_path, content):
    path = tmp_path / "progress.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    progress = Progress(tmp_path)
    assert progress.get("l").step is None and progress.warnings           # read: a warning, lessons start afresh
    progress.put("m", Entry("b", ("a",), 3))
    aside = list(tmp_path.glob("progress.json.bad-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == (content if isinstance(content, bytes) else content.encode())
    assert any(aside[0].name in w for w in progress.warnings)
    assert Progress(tmp_path).get("m").step == "b"


def test_progress_that_cannot_be_written_is_an_error_for_reset(tmp_path):
    (tmp_path / ".progress.lock").mkdir()
    with pytest.raises(ProgressError, match="progress"):
        Progress(tmp_path).remove(None)
    os.rmdir(tmp_path / ".progress.lock")
    os.mkfifo(tmp_path / "progress.json")
    with pytest.raises(ProgressError, match="named pipe"):
        Progress(tmp_path).remove(None)
    assert Progress(tmp_path).warnings == [] and Progress(tmp_path).ids() == []


def test_many_runs_saving_at_once_lose_nothing(tmp_path):
    def run(k: int) -> None:
        for i in range(15):
            Progress(tmp_path).put("l", Entry(str(i), (f"{k}-{i}",), 100, fingerprint="f"))
    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(Progress(tmp_path).get("l").done) == 60


# -- 6. exports -----------------------------------------------------------------------------------------------

def test_an_export_never_writes_through_a_link_nor_over_a_stranger(tmp_path):
    victim = tmp_path / "notes.txt"
    victim.write_text("mine")
    (tmp_path / "link.md").symlink_to(victim)
    (tmp_path / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    for name in ("link.md", "dangling.md", "notes.txt"):
        with pytest.raises(TutorError) as refused:
            write_export(str(tmp_path / name), "# handout\n")
        assert "--force" in refused.value.expected
    assert victim.read_text() == "mine" and not (tmp_path / "nowhere.md").exists()
    os.mkfifo(tmp_path / "pipe.md")
    with pytest.raises(TutorError, match="named pipe"):
        write_export(str(tmp_path / "pipe.md"), "x", force=True)
    write_export(str(tmp_path / "link.md"), "# handout\n", force=True)          # --force: where it points
    assert (tmp_path / "link.md").is_symlink() and victim.read_text().endswith("# handout\n")


@pytest.mark.parametrize("suffix", sorted(MARKS))
def test_an_earlier_export_is_recognised_and_replaced(tmp_path, suffix):
    path = tmp_path / f"out.{suffix}"
    text = "<html><head></head><body>x</body></html>" if suffix.startswith("htm") else "content"
    write_export(str(path), text)
    assert MARKS[suffix] in path.read_text()
    write_export(str(path), text.replace("x", "y"))
    assert MARKS[suffix] in path.read_text() and list(tmp_path.iterdir()) == [path]


def test_a_failed_write_leaves_the_earlier_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "out.md"
    write_export(str(path), "first")
    before = path.read_bytes()

    def full(*_args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(TutorError, match="No space left"):
        write_export(str(path), "second")
    with pytest.raises(OSError):
        replace_file(str(tmp_path / "new.txt"), b"x")
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["out.md"]


def test_a_markdown_handout_escapes_every_lesson_text(tmp_path):
    from tutor.front.handout import render
    hostile = LESSON.replace('title = "Tiny"', 'title = "T <script>x</script>\\n\\n# Injected"').replace(
        'text = "Hello."', 'text = "*Hi* <img src=x>"')
    text = render(parse_lesson(hostile, "l.toml", None), "md")
    assert "<script" not in text and "<img" not in text and "*Hi*" in text
    assert not re.search(r"^#+\s*Injected", text, re.M)


# -- 7. numbers ---------------------------------------------------------------------------------------------

def test_an_overflow_is_drawn_again_smaller_and_judged_at_finite_values():
    net = parse_network("x: [1, D]\nJ = sum(exp(1000 * x))\n")
    assert check(net, "x", "1000 * exp(1000 * x)").verdict == "correct"
    scaled = check(net, "x", "exp(1000 * x)")
    assert scaled.verdict == "scaled" and scaled.factor == pytest.approx(1e-3)
    assert derive(net).verification.ok
    assert check(load("default"), "W1", "x.T @ ((yhat - y) @ W2.T * h * (1 - h)) + 0 * exp(1000 * sum(x)) * W1"
                 ).verdict == "correct"


def test_an_overflow_at_every_scale_says_overflow_and_is_never_a_wrong_value():
    with pytest.raises(NonFinite, match="overflows") as caught:
        check(parse_network("x: [1, D]\nJ = sum(exp(1e300 * x))\n"), "x", "x")
    assert "negative" not in caught.value.message
    result = check(load("default"), "W1", "dW1 = x.T @ ((yhat - y) @ W2.T * h * (1 - h)) * exp(1e300 * W1)")
    assert result.verdict == "unusable" and "overflow" in result.diagnostics[0].message
    assert result.diagnostics[0].line == 1


# -- 8. locations ---------------------------------------------------------------------------------------------

def test_lesson_lines_count_as_an_editor_counts_them():
    text = LESSON.replace('title = "Tiny"', 'title = "T\u2028x"\n# a\x85comment').replace('kind = "say"', 'kind = "nope"')
    with pytest.raises(LessonError) as caught:
        parse_lesson(text, "l.toml", None)
    assert caught.value.span.line == text[:text.index('kind = "nope"')].count("\n") + 1

