"""Reading a learner's keys at a prompt: the same keys in the walk and in lessons."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from rich.text import Text

KEYS = "Enter: continue   b: back   h: hint   q: quit   ?: these keys"


class Quit(Exception):
    """The learner asked to stop (q, or the end of input)."""


class Back(Exception):
    """The learner asked for the previous step."""


@dataclass
class Tee:
    """Prints to the terminal and, when recording, to a second console (answers included)."""

    console: Console
    recorder: Console | None = None

    def print(self, *things, **kw) -> None:
        self.console.print(*things, **kw)
        if self.recorder is not None:
            self.recorder.print(*things, **kw)

    def echo(self, prompt: str, answer: str) -> None:
        if self.recorder is not None:
            self.recorder.print(Text(prompt + answer))


@dataclass
class Asker:
    read: Callable[[str], str]
    out: Tee
    text: Callable[[str], str] = lambda s: s  # the look's ASCII fallback

    def __call__(self, prompt: str) -> str:
        """One line; q quits, ? shows the keys, b goes back; anything else is returned."""
        while True:
            answer = self.read(self.text(prompt)).strip()
            self.out.echo(self.text(prompt), answer)
            if answer in ("q", "quit", "exit"):
                raise Quit
            if answer == "?":
                self.out.print(Text(KEYS, style="dim"))
                continue
            if answer == "b":
                raise Back
            return answer

    def choose(self, prompt: str, accept: Callable[[str], object], complaint: str, default=None):
        """Ask until `accept` takes the answer (it returns None to refuse); Enter gives the default."""
        while True:
            try:
                answer = self(prompt)
            except Back:  # nothing to go back to from a choice
                continue
            if not answer:
                return default
            value = accept(answer)
            if value is not None:
                return value
            self.out.print(Text("  " + complaint.format(answer=answer), style="yellow"))
