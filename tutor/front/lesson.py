"""Running a lesson at a terminal: each step shown, each question asked and judged by the engine.

One runner serves three ways of answering: a learner at a terminal, a scripted
answers file (demos, autograding), and nobody (`--no-input`: every answer shown).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Group
from rich.text import Text

from ..course.lesson import Lesson, Step, network_title, step_title
from ..engine.diagnostics import source_lines
from ..course.answer_key import AnswerKey, expected_shape, hints as hints_of, question_text
from .look import Look
from .visible import Markdown, Panel
from .render import STRUCTURE_AXES, blocks, chain_table, contraction_panel, gradient_view, numbers_view, shapes_table
from .prompt import Asker, Back, Tee


@dataclass
class Result:
    """What happened at one step (the autograder's view)."""

    id: str
    kind: str
    answer: str | None = None
    verdict: str | None = None
    correct: bool | None = None
    hints_used: int = 0
    attempts: int = 0

    def to_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "answer": self.answer, "verdict": self.verdict,
                "correct": self.correct, "hints_used": self.hints_used, "attempts": self.attempts}


# -- the runner ---------------------------------------------------------------------------------------

@dataclass
class Runner:
    lesson: Lesson
    out: Tee
    look: Look
    mode: str = "reveal"                  # "interactive" | "answers" | "reveal"
    read: object = None                   # input function for "interactive"
    answers: dict[str, list[str]] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)
    position: int = 0
    on_step: object = None                # called with the step index after each step (progress)

    def __post_init__(self):
        self.key = AnswerKey(self.lesson)

    def run(self, start: int = 0) -> list[Result]:
        steps = self.lesson.steps
        self.position = start
        self.out.print(Panel(Text(self.look.text(f"{self.lesson.title}\n{self.lesson.summary}")),
                             title=self.look.text(f"lesson: {self.lesson.id}"), box=self.look.box))
        if start == 0:
            source = "\n".join(line for line in source_lines(self.lesson.network.source.strip())
                                if line.strip() and not line.lstrip().startswith("#"))
            self.out.print(Panel(Text(source), title=Text(f"the network: {network_title(self.lesson)}"),
                                 box=self.look.box, title_align="left"))
        while self.position < len(steps):
            step = steps[self.position]
            try:
                self.show(step)
                if self.mode == "interactive" and step.kind in ("say", "show"):
                    self.ask("Enter ▸ ")
            except Back:
                self.position = max(0, self.position - 1)
                continue
            self.position += 1
            if self.on_step:
                self.on_step(self.position)
        return self.results

    def ask(self, prompt: str) -> str:
        return Asker(self.read, self.out, self.look.text)(prompt)

    def heading(self, step: Step) -> None:
        n = self.lesson.steps.index(step) + 1
        title = step_title(step)
        self.out.print(Text(self.look.text(f"── {n}/{len(self.lesson.steps)} {title} ".ljust(60, "─")),
                            style="bold blue"))

    def show(self, step: Step) -> None:
        self.heading(step)
        if step.kind == "say":
            self.out.print(Markdown(step.text))
        elif step.kind == "show":
            self.out.print(view(self.key, step, self.look))
        elif step.kind == "ask-shape":
            self.ask_shape(step)
        else:
            self.ask_gradient(step)

    # -- questions -----------------------------------------------------------------------------------
    def attempts(self, step: Step):
        """The answers to try, in order, for this mode (None: ask the learner)."""
        if self.mode == "answers":
            return iter(self.answers.get(step.id, []))
        return None

    def ask_shape(self, step: Step) -> None:
        look, b = self.look, self.key.bindings
        want = expected_shape(self.lesson, step)
        result = Result(step.id, step.kind)
        self.results.append(result)
        self.out.print(Text(look.text(question_text(step))))
        scripted = self.attempts(step)
        if self.mode == "reveal":
            if step.hints:
                self.out.print(Text(look.text("Hints: " + " · ".join(step.hints)), style="dim"))
            self.out.print(Text(look.text(f"Answer: {look.shape(want, b)}"), style="bold"))
            return
        hints = hints_of(step)
        while True:
            answer = next(scripted, None) if scripted is not None else self.ask("  your answer (h: hint): ")
            if answer is None or answer == "" and scripted is not None:
                break
            if answer == "h" or answer == "":
                if result.hints_used < len(hints):
                    self.out.print(Text(look.text(f"  hint: {hints[result.hints_used]}"), style="yellow"))
                    result.hints_used += 1
                    continue
                if scripted is not None:  # a scripted `h` with no hint left is passed over, as grading does
                    continue
                break
            result.attempts += 1
            result.answer = answer
            judged = self.key.judge_shape(step, answer)
            style = "green" if judged.correct else "yellow" if judged.verdict == "unusable" else "red"
            self.out.print(Text(look.text("  " + judged.message), style=style))
            result.correct, result.verdict = judged.correct, judged.verdict
            if judged.correct:
                return
        self.out.print(Text(look.text(f"  The answer: {look.shape(want, b)}"), style="bold"))

    def ask_gradient(self, step: Step) -> None:
        from .diagnostics import check_view
        look = self.look
        result = Result(step.id, step.kind)
        self.results.append(result)
        formula = self.key.formula(step.wrt)
        self.out.print(Text(look.text(question_text(step))))
        scripted = self.attempts(step)
        if self.mode != "reveal":
            while True:
                answer = next(scripted, None) if scripted is not None else \
                    self.ask("  your formula (h: hint, Enter: show it): ")
                if answer is None or answer == "":
                    break
                if answer == "h":
                    hints = hints_of(step)
                    if result.hints_used < len(hints):
                        self.out.print(Text(look.text(f"  hint: {hints[result.hints_used]}"), style="yellow"))
                        result.hints_used += 1
                    continue
                result.attempts += 1
                result.answer = answer
                checked = self.key.check(step.wrt, answer)  # text that cannot be read: the verdict `unusable`
                self.out.print(check_view(checked, look, reveal=False), crop=False)
                result.verdict, result.correct = checked.verdict, checked.correct
                if checked.correct:
                    return
        self.out.print(Text(look.text(f"  ∂J/∂{step.wrt} = {formula}"), style="bold"))


def view(key: AnswerKey, step: Step, look: Look):
    """The engine view a `show` step asks for."""
    d, net, b = key.derivation, key.lesson.network, key.bindings
    if step.view == "shapes":
        return shapes_table(net, b, look, network_title(key.lesson))
    if step.view == "factor":
        shape = net.shapes[step.of] + net.shapes[step.wrt]
        rule = None
        if step.wrt in net.reads.get(step.of, ()):
            from ..teach.chain import incoming
            from ..engine.calculus.grad import local_vjp
            rule = local_vjp(net, step.of, step.wrt, incoming(net, step.of))
        body = f"∂{step.of}/∂{step.wrt}: a generalized Jacobian of shape {look.shape(shape, b)}"
        if rule is not None:
            body += f"\nbackwards through it: d{step.wrt} = {look.expr(rule)}"
            if len(shape) >= STRUCTURE_AXES:
                from ..teach.chain import Factor, grad_name
                from ..teach.structure import structure
                found = structure(net, Factor(step.of, step.wrt, shape, rule, grad_name(step.of)))
                if found is not None:
                    body += f"\nIt has {len(shape)} axes, and it is {found.text()}."
        return Text(look.text(body))
    g = d.gradients[step.wrt]
    if step.view == "chain":
        return chain_table(d, g, look, "numerator")
    if step.view == "contraction":
        return contraction_panel(d, g, look) or Text("(no single contraction to show for this leaf)")
    if step.view == "blocks":
        return blocks(g, b, look) or Text("(no picture for this leaf)")
    if step.view == "numbers":
        from ..teach.jacobian_numbers import jacobian_numbers
        nums = jacobian_numbers(d, step.wrt)
        return numbers_view(nums, look) if nums else Text("(the dimensions are too large to print the numbers)")
    if step.view == "gradient":
        return gradient_view(d, g, look)
    from .diagnostics import check_view
    return Group(Text(look.text(f"A learner's derivation of ∂J/∂{step.wrt}:")), Text("    " + step.derivation),
                 check_view(key.check(step.wrt, step.derivation), look))
