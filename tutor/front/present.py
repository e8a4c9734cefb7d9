"""`lesson run --present`: a lesson in front of a class, one step per screen, no scoring.

Keys: space, Enter or → next; ← back; g first; G last; q quit. A question shows
first and its answer on the next key. Without a terminal every step is printed.
"""
from __future__ import annotations

import os
import sys

from rich.console import Console, Group
from rich.text import Text

from ..course.lesson import Lesson
from ..course.answer_key import AnswerKey, expected_shape, question_text
from .lesson import view
from .look import Look
from .visible import Markdown, Panel

KEYS_HELP = "space/→ next   ← back   g first   G last   q quit"
NEXT, BACK, FIRST, LAST, QUIT = "next", "back", "first", "last", "quit"


def frames(lesson: Lesson, key: AnswerKey, look: Look) -> list[tuple[int, object]]:
    """(step number, screen): each step, and for a question a second screen with its answer."""
    out = []
    total = len(lesson.steps)
    for n, step in enumerate(lesson.steps, 1):
        title = look.text(f"{lesson.title} · {n}/{total}" + (f" · {step.title}" if step.title else ""))
        if step.kind == "say":
            out.append((n, Panel(Markdown(step.text), title=title, box=look.box, padding=(1, 4))))
        elif step.kind == "show":
            out.append((n, Panel(view(key, step, look), title=title, box=look.box, padding=(1, 2))))
        else:
            question = Text(look.text(question_text(step)), style="bold")
            hints = [Text(look.text(f"hint: {h}"), style="dim") for h in step.hints]
            out.append((n, Panel(Group(question, *([Text("")] + hints if hints else [])), title=title,
                                 box=look.box, padding=(2, 4))))
            if step.kind == "ask-shape":
                want = expected_shape(lesson, step)
                answer = look.shape(want, key.bindings)
            else:
                answer = key.formula(step.wrt)
            out.append((n, Panel(Group(question, Text(""), Text(look.text(answer), style="bold green")),
                                 title=title, box=look.box, padding=(2, 4))))
    return out


def read_key(fd: int) -> str:
    data = os.read(fd, 8)
    if not data:
        return QUIT  # end of input
    key = data.decode("utf-8", "replace")
    return {" ": NEXT, "\r": NEXT, "\n": NEXT, "n": NEXT, "\x1b[C": NEXT,
            "\x1b[D": BACK, "p": BACK, "b": BACK, "g": FIRST, "G": LAST, "q": QUIT, "\x04": QUIT}.get(key, "")


def present(lesson: Lesson, console: Console, look: Look, start: int = 0, interactive: bool = True) -> None:
    key = AnswerKey(lesson)
    screens = frames(lesson, key, look)
    if not interactive:
        for _, screen in screens:
            console.print(screen)
        return
    import termios
    import tty
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    i = min(start, len(screens) - 1)
    try:
        tty.setcbreak(fd)  # single keys; Ctrl-C still interrupts
        while True:
            console.clear()
            step, screen = screens[i]
            console.print(screen)
            console.print(Text(look.text(f"step {step}/{len(lesson.steps)}   {KEYS_HELP}"), style="dim"))
            key = read_key(fd)
            if key == QUIT:
                return
            i = {NEXT: min(i + 1, len(screens) - 1), BACK: max(i - 1, 0), FIRST: 0,
                 LAST: len(screens) - 1}.get(key, i)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
