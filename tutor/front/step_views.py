"""How each kind of lesson step is drawn: at the terminal, on a slide and in a handout.

One renderer per kind in `tutor/course/kinds/`, registered in `VIEWS` under the same name (a test
holds the two tables together). The renderers only draw: what a step says, asks and accepts comes
from its kind and the answer key.
"""
from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.text import Text

from ..course.answer_key import AnswerKey, expected_shape, question_text
from ..course.kinds.base import Judged
from ..course.lesson import network_title
from ..course.step import LessonStep
from .look import Look
from .visible import Markdown


class StepView:
    """A step that asks nothing: one renderable at the terminal, one slide, blocks in a handout."""

    kind: ClassVar[str]

    def terminal(self, key: AnswerKey, step: LessonStep, look: Look):
        raise NotImplementedError

    def blocks(self, key: AnswerKey, step: LessonStep, worksheet: bool) -> list:
        raise NotImplementedError

    def states(self, key: AnswerKey, step: LessonStep) -> set[tuple]:
        """The facts the step states outright (a worksheet leaves out a view that answers a question)."""
        return set()


#: A say step's text at the terminal is drawn up to this many lines, each up to this many characters:
#: more would not fit on any screen, and drawing a 1 MB table costs minutes (a table of one row and 60,000
#: columns as much as one of 60,000 rows). The handouts keep the whole text.
SAY_LINES = 400
SAY_LINE_CHARS = 400


class SayView(StepView):
    kind = "say"

    def terminal(self, key: AnswerKey, step: LessonStep, look: Look):
        lines = step.text.splitlines()
        cut = sum(len(line) > SAY_LINE_CHARS for line in lines[:SAY_LINES])
        if len(lines) <= SAY_LINES and not cut:
            return Markdown(step.text)
        shown = [line[:SAY_LINE_CHARS] for line in lines[:SAY_LINES]]
        left = [f"{len(lines) - SAY_LINES:,} more lines"] if len(lines) > SAY_LINES else []
        left += [f"{cut:,} {'line' if cut == 1 else 'lines'} cut at {SAY_LINE_CHARS} characters"] if cut else []
        note = Text(look.text(f"(… {' and '.join(left)}, too long for a screen: the lesson's "
                              "handout, `shapetutor lesson export`, has them all)"), style="dim")
        return Group(Markdown("\n".join(shown)), note)

    def blocks(self, key: AnswerKey, step: LessonStep, worksheet: bool) -> list:
        from .document import from_markdown
        return list(from_markdown(step.text))


class ShowView(StepView):
    kind = "show"

    def terminal(self, key: AnswerKey, step: LessonStep, look: Look):
        return engine_view(key, step, look)

    def blocks(self, key: AnswerKey, step: LessonStep, worksheet: bool) -> list:
        from .handout_blocks import show_blocks
        return show_blocks(key, step, worksheet)

    def states(self, key: AnswerKey, step: LessonStep) -> set[tuple]:
        from .handout_blocks import reveals
        return reveals(key, step)


class QuestionView(StepView):
    """A question: asked, each attempt's judgement shown, and its answer when the learner gives up."""

    prompt: ClassVar[str]
    room: ClassVar[int]                  # lines to write in, on a worksheet

    def terminal(self, key: AnswerKey, step: LessonStep, look: Look):
        return Text(look.text(question_text(step)))

    def judgement(self, judged: Judged, look: Look):
        raise NotImplementedError

    def answer(self, key: AnswerKey, step: LessonStep, look: Look) -> str:
        """The answer as a line of text."""
        raise NotImplementedError

    def given_up(self, key: AnswerKey, step: LessonStep, look: Look):
        """What the learner sees when the question ends unanswered (and in a run with every answer shown)."""
        raise NotImplementedError

    def revealed(self, key: AnswerKey, step: LessonStep, look: Look):
        """A question with its answer, as `--no-input` shows it."""
        return self.given_up(key, step, look)

    def blocks(self, key: AnswerKey, step: LessonStep, worksheet: bool) -> list:
        from ..course.leaks import stating_hints
        from .document import Keep, Space
        from .handout_blocks import question_blocks
        answer = [Space(self.room)] if worksheet else self.answer_blocks(key, step)
        withheld = frozenset(stating_hints(key, step)) if worksheet else frozenset()  # a hint that is the answer
        return [Keep(tuple(question_blocks(step, withheld) + answer))]  # a question and its answer on one page

    def answer_blocks(self, key: AnswerKey, step: LessonStep) -> list:
        """The answer, in the answer key."""
        raise NotImplementedError


class AskShapeView(QuestionView):
    kind = "ask-shape"
    prompt = "  your answer (h: hint): "
    room = 2

    def judgement(self, judged: Judged, look: Look):
        style = "green" if judged.correct else "yellow" if judged.verdict == "unusable" else "red"
        return Text(look.text("  " + judged.message), style=style)

    def answer(self, key: AnswerKey, step: LessonStep, look: Look) -> str:
        return look.shape(expected_shape(key.lesson, step), key.bindings)

    def given_up(self, key: AnswerKey, step: LessonStep, look: Look):
        return Text(look.text(f"  The answer: {self.answer(key, step, look)}"), style="bold")

    def answer_blocks(self, key: AnswerKey, step: LessonStep) -> list:
        from .handout_blocks import shape_answer_blocks
        return shape_answer_blocks(key, step)

    def revealed(self, key: AnswerKey, step: LessonStep, look: Look):
        answer = Text(look.text(f"Answer: {self.answer(key, step, look)}"), style="bold")
        if not step.hints:
            return answer
        return Group(Text(look.text("Hints: " + " · ".join(step.hints)), style="dim"), answer)


class AskGradientView(QuestionView):
    kind = "ask-gradient"
    prompt = "  your formula (h: hint, Enter: show it): "
    room = 5

    def judgement(self, judged: Judged, look: Look):
        from .diagnostics import check_view
        assert judged.check is not None, "a formula's judgement carries check's result"
        return check_view(judged.check, look, reveal=False)

    def answer(self, key: AnswerKey, step: LessonStep, look: Look) -> str:
        assert step.wrt is not None  # its kind and view require it (checked on reading)
        return key.formula(step.wrt)

    def answer_blocks(self, key: AnswerKey, step: LessonStep) -> list:
        from .handout_blocks import formula_answer_blocks
        return formula_answer_blocks(key, step)

    def given_up(self, key: AnswerKey, step: LessonStep, look: Look):
        return Text(look.text(f"  ∂J/∂{step.wrt} = {self.answer(key, step, look)}"), style="bold")


VIEWS: dict[str, StepView] = {v.kind: v for v in (SayView(), ShowView(), AskShapeView(), AskGradientView())}


def question_view(step: LessonStep) -> QuestionView:
    view = VIEWS[step.kind]
    assert isinstance(view, QuestionView), step.kind
    return view


def engine_view(key: AnswerKey, step: LessonStep, look: Look):
    """The engine view a `show` step asks for, for the terminal."""
    from .render import STRUCTURE_AXES, blocks, chain_table, contraction_panel, gradient_view, numbers_view, \
        shapes_table
    d, net, b = key.derivation, key.lesson.network, key.bindings
    if step.view == "shapes":
        return shapes_table(net, b, look, network_title(key.lesson))
    assert step.wrt is not None  # its kind and view require it (checked on reading)
    if step.view == "factor":
        assert step.of is not None
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
                from ..teach.chain import ChainFactor, grad_name
                from ..teach.structure import structure
                found = structure(net, ChainFactor(step.of, step.wrt, shape, rule, grad_name(step.of)))
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
    assert step.derivation is not None
    return Group(Text(look.text(f"A learner's derivation of ∂J/∂{step.wrt}:")), Text("    " + step.derivation),
                 check_view(key.check(step.wrt, step.derivation), look))
