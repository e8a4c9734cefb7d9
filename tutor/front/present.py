"""`lesson run --present`: a lesson in front of a class, one step per screen, no scoring.

Keys: space, Enter or → next (on a question, the next key reveals its answer); ← back; ↓ ↑ (or
j k, PgDn PgUp) scroll a slide taller than the screen, whose title stays; g N Enter or :N Enter
go to step N (g Enter: the first), G the last; q quits and clears the screen. With --notes, a
step's speaker notes show below its slide. Without a terminal every screen is printed.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console, Group, RenderableType
from rich.panel import Panel as RichPanel
from rich.segment import Segment
from rich.text import Text

from ..course.answer_key import AnswerKey, question_text
from ..course.lesson import Lesson
from ..course.presenting import Position
from .look import Look
from .step_views import VIEWS, question_view
from .visible import Panel

NEXT, BACK, FIRST, LAST, QUIT = "next", "back", "first", "last", "quit"
DOWN, UP, PAGE_DOWN, PAGE_UP, JUMP, DIGIT, ENTER, CANCEL, ERASE = (
    "down", "up", "page-down", "page-up", "jump", "digit", "enter", "cancel", "erase")


@dataclass(frozen=True)
class Slide:
    step: int                 # the step's number, 1-based
    title: str
    body: RenderableType
    hides_answer: bool        # a question whose answer is the next slide
    notes: str = ""


def slides(lesson: Lesson, key: AnswerKey, look: Look) -> list[Slide]:
    """Each step, drawn by its kind's renderer, and for a question a second slide with its answer."""
    out = []
    total = len(lesson.steps)
    for n, step in enumerate(lesson.steps, 1):
        title = look.text(f"{lesson.title} · {n}/{total}" + (f" · {step.title}" if step.title else ""))
        notes = step.notes
        if not step.is_question:
            out.append(Slide(n, title, VIEWS[step.kind].terminal(key, step, look), False, notes))
            continue
        drawn = question_view(step)
        question = Text(look.text(question_text(step)), style="bold")
        hints = [Text(look.text(f"hint: {h}"), style="dim") for h in step.hints]
        out.append(Slide(n, title, Group(question, *([Text("")] + hints if hints else [])), True, notes))
        answer = Text(look.text(drawn.answer(key, step, look)), style="bold green")
        out.append(Slide(n, title, Group(question, Text(""), answer), False, notes))
    return out


class Lines:
    """Rendered lines, drawn as they are (the visible window of a slide)."""

    def __init__(self, lines):
        self.lines = lines

    def __rich_console__(self, console, options):
        for line in self.lines:
            yield from line
            yield Segment.line()


@dataclass
class Deck:
    """Where the presenter is: which slide, how far it is scrolled, a step number being typed."""

    slides: list[Slide]
    index: int = 0
    offset: int = 0
    typing: str | None = None        # the digits after g or :, while a jump is being typed

    @property
    def current(self) -> Slide:
        return self.slides[self.index]

    def go(self, index: int) -> None:
        self.index = max(0, min(index, len(self.slides) - 1))
        self.offset = 0

    def step_start(self, step: int) -> int:
        return next((i for i, s in enumerate(self.slides) if s.step == step), self.index)

    def press(self, key: str, char: str = "", room: int = 0, total: int = 0) -> bool:
        """Act on a key; False when the presenter quits."""
        if self.typing is not None:
            if key == DIGIT:
                self.typing += char
            elif key == ERASE:
                self.typing = self.typing[:-1]
            elif key in (ENTER, NEXT) and char in ("\r", "\n", ""):
                number = int(self.typing) if self.typing else 1
                self.typing = None
                steps = self.slides[-1].step
                self.go(self.step_start(max(1, min(number, steps))))
            elif key == QUIT and char == "\x04":
                return False
            else:
                self.typing = None
            return True
        if key == QUIT:
            return False
        limit = max(0, total - room)
        if key == NEXT:
            self.go(self.index + 1)
        elif key == BACK:
            self.go(self.index - 1)
        elif key == FIRST:
            self.go(0)
        elif key == LAST:
            self.go(len(self.slides) - 1)
        elif key == JUMP:
            self.typing = ""
        elif key == DOWN:
            self.offset = min(limit, self.offset + 1)
        elif key == UP:
            self.offset = max(0, self.offset - 1)
        elif key == PAGE_DOWN:
            self.offset = min(limit, self.offset + max(1, room - 1))
        elif key == PAGE_UP:
            self.offset = max(0, self.offset - max(1, room - 1))
        return True


KEYMAP = {" ": NEXT, "\r": NEXT, "\n": NEXT, "n": NEXT, "\x1b[C": NEXT, "l": NEXT,
          "\x1b[D": BACK, "p": BACK, "b": BACK, "h": BACK,
          "\x1b[B": DOWN, "j": DOWN, "\x1b[A": UP, "k": UP, "\x1b[6~": PAGE_DOWN, "\x1b[5~": PAGE_UP,
          "g": JUMP, ":": JUMP, "G": LAST, "\x1b[H": FIRST, "\x1b[F": LAST,
          "q": QUIT, "Q": QUIT, "\x04": QUIT, "\x1b": CANCEL, "\x7f": ERASE, "\x08": ERASE}


def read_keys(fd: int) -> list[tuple[str, str]]:
    """The keys waiting on the terminal, each as (action, character): typed ahead or pasted keys (g12⏎)
    arrive together and are taken one at a time; an escape sequence (an arrow) is one key."""
    data = os.read(fd, 64)
    if not data:
        return [(QUIT, "\x04")]  # end of input
    return [action(k) for k in split_keys(data.decode("utf-8", "replace"))]


def split_keys(text: str) -> list[str]:
    keys, i = [], 0
    while i < len(text):
        if text.startswith("\x1b[", i):
            end = i + 2
            while end < len(text) and not (text[end].isalpha() or text[end] == "~"):
                end += 1
            keys.append(text[i:end + 1])
            i = end + 1
        else:
            keys.append(text[i])
            i += 1
    return keys


def action(key: str) -> tuple[str, str]:
    if key.isdigit():
        return DIGIT, key
    return KEYMAP.get(key, ""), key


def key_line(deck: Deck, look: Look, steps: int, scrollable: bool) -> str:
    """One line (never wrapped): where we are, and the keys, starting with the one that moves on."""
    slide = deck.current
    if deck.typing is not None:
        return look.text(f"go to step: {deck.typing}▏ (1–{steps})   Enter: go   Esc: cancel")
    advance = "space: reveal the answer" if slide.hides_answer else "space/→: next"
    scroll = "   ↓↑: scroll" if scrollable else ""
    return look.text(f"step {slide.step}/{steps}   {advance}   ←: back{scroll}   g N Enter: step N   q: quit")


def screen(console: Console, deck: Deck, look: Look, notes: bool, steps: int) -> tuple[Group, int, int]:
    """The slide in its frame, cut to fit the terminal, its notes, and the key line; (screen, room, lines)."""
    slide = deck.current
    width, height = console.size
    inner = console.options.update(width=max(20, width - 6), height=None)
    lines = console.render_lines(slide.body, inner, pad=False)
    below = []
    if notes and slide.notes:
        below = [Panel(Text(look.text(slide.notes)), title=look.text("notes"), box=look.box, title_align="left",
                       style="dim")]
    used_below = sum(len(console.render_lines(b, console.options.update(width=width), pad=False)) for b in below)
    room = max(3, height - 2 - 1 - used_below - 1)  # frame borders, key line, the cursor's own line
    deck.offset = max(0, min(deck.offset, len(lines) - room))
    shown = lines[deck.offset:deck.offset + room]
    subtitle = None
    if len(lines) > room:
        first, last = deck.offset + 1, deck.offset + len(shown)
        more = ("↓ more" if last < len(lines) else "") + ("  ↑ above" if first > 1 else "")
        subtitle = look.text(f"lines {first}–{last} of {len(lines)}  {more.strip()}")
    frame = Panel(Lines(shown), title=Text(slide.title), subtitle=subtitle and Text(subtitle), box=look.box,
                  padding=(0, 2), title_align="left", subtitle_align="right")
    scrollable = len(lines) > room
    keys = Text(key_line(deck, look, steps, scrollable), style="dim", no_wrap=True, overflow="ellipsis")
    parts: list[RenderableType] = [frame, *below, keys]
    return Group(*parts), room, len(lines)


def present(lesson: Lesson, console: Console, look: Look, start: int = 0, interactive: bool = True,
            notes: bool = False, on_step: Callable[[int], None] | None = None) -> None:
    """Present `lesson` from step `start` (0-based); `on_step(n)` hears of each step shown (1-based), for the
    presenter's notes on a second screen."""
    key = AnswerKey(lesson)
    deck = Deck(slides(lesson, key, look))
    steps = len(lesson.steps)
    if not interactive:
        for slide in deck.slides:
            console.print(Panel(slide.body, title=Text(slide.title), box=look.box, padding=(1, 2),
                                title_align="left"))
            if notes and slide.notes:
                console.print(Panel(Text(look.text(slide.notes)), title=look.text("notes"), box=look.box,
                                    title_align="left", style="dim"))
        return
    import termios
    import tty
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    deck.go(deck.step_start(start + 1))
    try:
        tty.setcbreak(fd)  # single keys; Ctrl-C still interrupts
        shown = 0
        while True:
            if on_step is not None and deck.current.step != shown:
                shown = deck.current.step
                on_step(shown)
            drawn, room, total = screen(console, deck, look, notes, steps)
            console.clear()
            console.print(drawn, end="")
            for pressed, char in read_keys(fd):
                if not deck.press(pressed, char, room, total):
                    return
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        console.clear()  # q (or Ctrl-C) leaves a clean screen, not the last slide


# -- the presenter's second screen -------------------------------------------------------------------

def notes_text(where: Position) -> str:
    """The speaker notes of the step on the class's screen, as plain text (`--notes-to FILE`)."""
    lines = [f"{where.title}", f"step {where.step}/{where.steps}: {where.step_title}", "",
             where.notes.strip() or "(no notes for this step)", ""]
    lines.append(f"next: {where.next_title}" if where.next_title else "(the last step)")
    return "\n".join(lines) + "\n"


def notes_view(where: Position, look: Look) -> RichPanel:
    """The notes as `lesson notes` shows them in the presenter's own terminal."""
    body = Text(look.text(where.notes.strip() or "(no notes for this step)"))
    body.append(Text(look.text("\n\n" + (f"next: {where.next_title}" if where.next_title else "(the last step)")),
                     style="dim"))
    return Panel(body, title=Text(look.text(f"{where.title} · step {where.step}/{where.steps} · {where.step_title}")),
                 box=look.box, title_align="left")
