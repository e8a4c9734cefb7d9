"""Running a lesson at a terminal: each step shown, each question asked and judged by the engine.

One runner serves three ways of answering: a learner at a terminal, a scripted
answers file (demos, autograding), and nobody (`--no-input`: every answer shown).
It drives the lesson's session (`course/session.py`), which decides what every entry
means, and draws each step with its kind's renderer (`step_views.py`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.text import Text

from ..course.answer_key import AnswerKey
from ..course.lesson import Lesson, LessonStep, network_title, step_title
from ..course.session import GaveUp, Hint, NoHintLeft, Question, Session
from ..engine.diagnostics import source_lines
from .look import Look
from .prompt import Asker, Back, Tee
from .step_views import VIEWS, question_view
from .visible import Panel


@dataclass
class Runner:
    lesson: Lesson
    out: Tee
    look: Look
    mode: str = "reveal"                  # "interactive" | "answers" | "reveal"
    read: Callable[[str], str] | None = None   # input function for "interactive"
    answers: dict[str, list[str]] = field(default_factory=dict)
    on_step: Callable[[Session], None] | None = None   # called after each step (progress)
    resumed: Session | None = None        # where to start (saved progress); the first step by default

    def __post_init__(self) -> None:
        self.key = AnswerKey(self.lesson)
        self.session: Session = self.resumed or Session(self.lesson, self.key)

    @property
    def position(self) -> int:
        return self.session.position

    @property
    def results(self) -> list[Question]:
        """Each question asked, with what happened (the autograder's view)."""
        return self.session.questions

    def run(self, start: int | None = None) -> list[Question]:
        session = self.session
        if start is not None:
            session.position = start
        self.out.print(Panel(Text(self.look.text(f"{self.lesson.title}\n{self.lesson.summary}")),
                             title=self.look.text(f"lesson: {self.lesson.id}"), box=self.look.box))
        if session.position == 0:
            source = "\n".join(line for line in source_lines(self.lesson.network.source.strip())
                                if line.strip() and not line.lstrip().startswith("#"))
            self.out.print(Panel(Text(source), title=Text(f"the network: {network_title(self.lesson)}"),
                                 box=self.look.box, title_align="left"))
        while not session.finished:
            step = session.step
            try:
                self.show(step)
                if self.mode == "interactive" and not step.is_question:
                    self.ask("Enter ▸ ")
            except Back:
                session.back()
                continue
            session.advance()
            if self.on_step:
                self.on_step(session)
        self.next_step()
        return self.results

    def next_step(self) -> None:
        """A finished lesson's last word: the command to type next."""
        from ..course.next_step import after_lesson
        step = after_lesson(self.lesson)
        self.out.print(Text(self.look.text(f"Next: {step.why}:\n  {step.command}"), style="bold"), crop=False)

    def ask(self, prompt: str) -> str:
        assert self.read is not None, "an interactive run reads the learner's entries"
        return Asker(self.read, self.out, self.look.text)(prompt)

    def heading(self, step: LessonStep) -> None:
        n = self.session.position + 1
        self.out.print(Text(self.look.text(f"── {n}/{len(self.lesson.steps)} {step_title(step)} ".ljust(60, "─")),
                            style="bold blue"))

    def show(self, step: LessonStep) -> None:
        self.heading(step)
        self.out.print(VIEWS[step.kind].terminal(self.key, step, self.look))
        if step.is_question:
            self.question(step)

    def question(self, step: LessonStep) -> None:
        """The attempt loop: entries from the learner or the answers file, each drawn as the session takes it."""
        look, drawn = self.look, question_view(step)
        asked = self.session.ask(suggestion=True)  # the fix is kept back when drawn (reveal=False)
        if self.mode == "reveal":
            self.out.print(drawn.revealed(self.key, step, look))
            return
        scripted = iter(self.answers.get(step.id, [])) if self.mode == "answers" else None
        if scripted is None:  # what each entry does, said once per question (the session decides it)
            self.out.print(Text(look.text("  h: a hint   Enter alone: give up and see the answer"), style="dim"))
        while not asked.over:
            entry = next(scripted, None) if scripted is not None else self.ask(drawn.prompt)
            if entry is None:  # the answers file has no more for this question
                break
            if scripted is not None:  # a replay shows what was typed, as the terminal echoed it
                self.out.print(Text(look.text(drawn.prompt) + entry, style="dim"), crop=False)
            event = asked.take(entry)
            if isinstance(event, Hint):
                self.out.print(Text(look.text(f"  hint: {event.text}"), style="yellow"))
            elif isinstance(event, NoHintLeft):
                self.out.print(Text(look.text("  (no hint left)"), style="dim"))
            elif not isinstance(event, GaveUp):
                self.out.print(drawn.judgement(event, look), crop=False)
        if not asked.correct:
            self.out.print(drawn.given_up(self.key, step, look))
