"""The interactive chain-rule stepper: shows stages, asks, judges, hints, goes back.

Everything it shows comes from `walkthrough.stages`, `render` and the check
engine; this module only decides what to print next and reads the learner's
keys. Without a terminal it never asks: it prints every stage with its answer.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO

from rich.console import Console
from rich.text import Text

from ..engine.language.printer import code
from .prompt import KEYS, Asker, Back, Tee

from ..teach.answers import TELL_FROM_ATTEMPT, AnswerError, diagonal_step, parse_shape, shape_feedback
from ..teach.derivation import Derivation, derive
from ..teach.diagonal import diagonal
from ..engine.language.dims import MAX_NUMERIC_DIM
from ..engine.language.network import Network
from .files import write_export
from .look import Look
from .visible import Panel, Screen
from .render import (STRUCTURE_AXES, blocks, break_note, contraction_panel, diagonal_text, numbers_view, shapes_table,
                     verified_at)
from ..teach.walkthrough import Stage, stages, summary, worth_walking

@dataclass
class Walk:
    network: Network
    spec: str
    look: Look
    out: Tee
    read: Callable[[str], str]
    interactive: bool
    quiz: bool = True
    position: int = 0
    leaf: str = ""
    bindings: dict[str, int] = field(default_factory=dict)

    @property
    def asker(self) -> Asker:
        return Asker(self.read, self.out, self.look.text)

    def ask(self, prompt: str) -> str:
        return self.asker(prompt)

    # -- the walk ---------------------------------------------------------------------
    def run(self, given: dict[str, int], wrt: str | None, start: int = 1) -> Derivation:
        net, look = self.network, self.look
        if wrt is not None:  # an unknown leaf is refused before anything is drawn
            net.require_leaf(wrt)
        intro = (f"Where the shapes of ∂{net.loss}/∂leaf come from. At each step, say the shape of the "
                 f"Jacobian. {KEYS}" if self.interactive else
                 f"Where the shapes of ∂{net.loss}/∂leaf come from, one chain-rule factor at a time.")
        self.out.print(Panel(Text(look.text(intro)),
                             title=Text(look.text(f"shapetutor walk: {net.origin}")), box=look.box))
        self.out.print(shapes_table(net, net.bindings(given), look))
        self.bindings = self.ask_dims(given) if self.interactive and not given else net.bindings(given)
        if self.interactive and not given:
            self.out.print(shapes_table(net, self.bindings, look))
        self.leaf = wrt or (self.ask_leaf() if self.interactive else self.default_leaf())
        while self.leaf:
            d = derive(net, self.bindings, wrt=self.leaf)
            plan = stages(d, self.leaf, quiz=self.quiz)
            self.position = max(0, min(start - 1, len(plan) - 1))
            while self.position < len(plan):
                try:
                    self.show(d, plan[self.position])
                    self.position += 1
                except Back:
                    self.position = max(0, self.position - 1)
                    self.out.print(Text(look.text(f"← back to step {self.position + 1}"), style="dim"))
            walked, (self.leaf, start) = self.leaf, (self.offer_other_leaves() or "", 1)  # "" ends the walk
        self.next_step(walked)
        return d

    def next_step(self, walked: str) -> None:
        """The walk's last word: what to try next, as commands to type."""
        from ..course.next_step import after_walk
        lines = [f"{'Next' if i == 0 else 'Or'}: {step.why}:\n  {step.command}"
                 for i, step in enumerate(after_walk(self.spec, walked))]
        self.out.print(Text(self.look.text("\n".join(lines)), style="bold"), crop=False)

    def offer_other_leaves(self) -> str | None:
        """The end of a walk: another gradient of the same network, with the same dimensions."""
        others = [leaf for leaf in worth_walking(self.network) if leaf != self.leaf]
        if not others:
            return None
        if not self.interactive:
            dims = ",".join(f"{k}={v}" for k, v in self.bindings.items())
            self.out.print(Text(self.look.text(f"Other gradients to walk: {', '.join(others)} "
                                               f"(shapetutor walk {self.spec} --wrt LEAF --dims {dims})"),
                                style="dim"))
            return None
        return self.asker.choose(f"Walk another gradient? {', '.join(others)} (Enter: finish): ",
                                 lambda a: a if a in others else None, "{answer!r} is not another leaf of this network")

    def default_leaf(self) -> str:
        """W1 as in the motivating question, else the first weight matrix (Wq of attention), else the first leaf."""
        leaves = worth_walking(self.network)
        return "W1" if "W1" in leaves else next((n for n in leaves if n.startswith("W")), leaves[0])

    def ask_dims(self, given: dict[str, int]) -> dict[str, int]:
        defaults = self.network.bindings(given)
        chosen: dict[str, int] = {}
        self.out.print(Text("Choose your own dimensions (Enter keeps the default)."))
        def number(answer: str) -> int | None:
            ok = answer.isascii() and answer.isdigit() and 1 <= int(answer) <= MAX_NUMERIC_DIM
            return int(answer) if ok else None
        for name in self.network.dims:
            chosen[name] = self.asker.choose(f"{name} [{defaults[name]}]: ", number,
                                             f"{name} must be a whole number from 1 to {MAX_NUMERIC_DIM:,}",
                                             defaults[name])
        return self.network.bindings(chosen)

    def ask_leaf(self) -> str:
        offered, leaves = worth_walking(self.network), list(self.network.leaves)
        default = self.default_leaf()
        # a label or target is not offered, but a learner who names one walks it
        prompt = f"Which gradient? ∂{self.network.loss}/∂… one of {', '.join(offered)} [{default}]: "
        return self.asker.choose(prompt, lambda a: a if a in leaves else None,
                                 "{answer!r} is not a leaf of this network", default)

    # -- stages -------------------------------------------------------------------------
    def show(self, d: Derivation, stage: Stage) -> None:
        getattr(self, "show_" + stage.kind)(d, stage)

    def pause(self) -> None:
        if self.interactive:
            self.ask("Enter ▸ ")

    def show_factor(self, d: Derivation, stage: Stage) -> None:
        look, b, f = self.look, self.bindings, stage.factor
        assert f is not None  # a factor's stage
        g = d.gradients[self.leaf]
        net = d.network
        lines = []
        if f.of in net.definitions:
            lines.append(f"{f.of} = {look.expr(net.definitions[f.of])}")
        if f.fused:
            lines.append(f"{f.fused} = {look.expr(net.definitions[f.fused])}: softmax and cross-entropy together, "
                         f"so this step goes straight from {f.of} to {f.wrt}.")
            for a in d.assumptions:
                lines.append(f"Assumption: {a.text()}.")
        held = self.held_back(g, stage)
        if not held:
            lines += self.rule_lines(d, f)
        found = g.structures.get(stage.index - 1) if len(f.shape) >= STRUCTURE_AXES else None
        if found is not None:
            lines.append(f"∂{f.of}/∂{f.wrt} has {len(f.shape)} axes, and it is {found.text()}.")
        title = f"Step {stage.index} of {len(g.chain)}: ∂{f.of}/∂{f.wrt}"
        self.out.print(Panel(Text(look.text("\n".join(lines))), title=Text(look.text(title)), box=look.box,
                             title_align="left"))
        if stage.question is not None and self.interactive:
            self.quiz_shape(stage)
        else:
            self.out.print(Text(look.text(f"  Jacobian ∂{f.of}/∂{f.wrt}: {look.shape(f.shape, b)}")))
        naive = look.shape(f.naive, b) if f.naive is not None else look.text("✗ no longer a matrix product")
        self.out.print(Text(look.text(f"  naive product so far: {naive}"), style="cyan"))
        shown_later = stage.index - 1 == g.breaks_at or (f.wrt == g.leaf and g.contraction is not None)
        later = self.rule_lines(d, f) if held and not shown_later else []
        if later:  # predicted: now what the step does to the gradient
            self.out.print(Text(look.text("\n".join(later))))
        if stage.index < len(g.chain) and (g.breaks_at is None or stage.index - 1 != g.breaks_at):
            self.pause()

    def held_back(self, g, stage: Stage) -> bool:
        """Whether a factor's backward rule waits until its shape is predicted: the leaf's own step, and every
        step from the break on (their rule is the punchline: dW1 = xᵀ dz1)."""
        f = stage.factor
        assert f is not None  # a factor's stage
        return f.wrt == g.leaf or (g.breaks_at is not None and stage.index - 1 >= g.breaks_at)

    def rule_lines(self, d: Derivation, f) -> list[str]:
        """`Backwards through it: dh = dz2 W2ᵀ`, why a node used twice adds up (+=), and an elementwise
        step's Jacobian named as the diagonal it is."""
        net, look, b = d.network, self.look, self.bindings
        g = d.gradients[self.leaf]
        lines = []
        if f.rule is not None:
            incoming = f"d{f.of} ({look.shape(net.shapes[f.of], b)})" if f.incoming else f"the loss {f.of}"
            uses = sum(1 for other in g.chain if other.wrt == f.wrt)
            sign = "+=" if uses > 1 else "="
            lines.append(f"Backwards through it: d{f.wrt} {sign} {look.expr(f.rule)}   (from {incoming})")
            if uses > 1:
                lines.append(f"{f.wrt} is used {uses} times on the way to {net.loss}: the paths add up, so each "
                             f"one adds its part to d{f.wrt} (+=).")
        diag = g.diagonals.get(g.chain.index(f))
        if diag is not None:
            lines.append(diagonal_text(diag, look))
        return lines

    def quiz_shape(self, stage: Stage) -> None:
        q, look, b = stage.question, self.look, self.bindings
        assert q is not None  # asked only at a stage with a question
        used = tries = 0
        symbols = set(self.network.dims)
        while True:
            answer = self.ask(f"  Shape of ∂{q.of}/∂{q.wrt}? ")
            if answer == "h" or answer == "":
                if used < len(q.hints):
                    self.out.print(Text(look.text(f"  hint {used + 1}/{len(q.hints)}: {q.hints[used]}"),
                                        style="yellow"))
                    used += 1
                    if used < len(q.hints):
                        continue
                self.out.print(Text(look.text(f"  The shape is {look.shape(q.expected, b)}.")))
                return
            try:
                given = parse_shape(answer, symbols)
            except AnswerError as error:
                self.out.print(Text(look.text(f"  ✗ {error}"), style="yellow"))
                continue
            tries += 1
            feedback = shape_feedback(given, q.expected, b, q.of, q.wrt, q.of_shape, q.wrt_shape,
                                      self.diagonal_named(q.of, q.wrt), tell=tries >= TELL_FROM_ATTEMPT)
            self.out.print(Text(look.text("  " + feedback.message), style="green" if feedback.ok else "red"))
            if feedback.ok:
                return

    def diagonal_named(self, of: str, wrt: str) -> str | bool:
        """What sits on the diagonal of an elementwise step's Jacobian (σ′(z1)), or False for any other step."""
        diag = diagonal(self.network, of, wrt)
        if diag is None:
            return diagonal_step(self.network, of, wrt)
        return self.look.text(diag.prime or self.look.expr(diag.entries))

    def show_break(self, d: Derivation, stage: Stage) -> None:
        g = d.gradients[self.leaf]
        note = break_note(d, g, self.look)
        if note is not None:
            self.out.print(Panel(note, title=self.look.text("The naive chain breaks here"), box=self.look.box,
                                 title_align="left"))
        f = g.chain[g.breaks_at] if g.breaks_at is not None else stage.factor
        assert f is not None  # the break is a factor's stage
        contracted = g.break_contraction is not None or (f.wrt == g.leaf and g.contraction is not None)
        said = self.rule_lines(d, f) if not contracted else []
        if said:  # no contraction panel follows to show what the step does: say it here
            self.out.print(Text(self.look.text("\n".join(said))))
        self.pause()

    def show_contraction(self, d: Derivation, stage: Stage) -> None:
        g = d.gradients[self.leaf]
        at_break = stage.id == "break-contraction"
        panel = contraction_panel(d, g, self.look, g.break_contraction if at_break else None)
        if panel is not None:
            self.out.print(panel)
        picture = blocks(g, self.bindings, self.look) if not at_break else None
        if picture is not None:
            self.out.print(picture)
        self.pause()

    def show_summary(self, d: Derivation, stage: Stage) -> None:
        lines = summary(d, self.leaf)
        self.out.print(Panel(Text(self.look.text("\n".join(lines))), title=self.look.text("What this walk showed"),
                             box=self.look.box, title_align="left"))

    def show_numbers(self, d: Derivation, stage: Stage) -> None:
        from ..teach.jacobian_numbers import jacobian_numbers
        nums = jacobian_numbers(d, self.leaf)
        if nums is None:
            self.out.print(Text(self.look.text("(These dimensions are too large to print the Jacobian's numbers; "
                                               "walk again with small --dims to see them.)"), style="dim"))
            return
        self.out.print(numbers_view(nums, self.look))
        self.pause()

    def show_answer(self, d: Derivation, stage: Stage) -> None:
        look, g = self.look, d.gradients[self.leaf]
        target = f"∂{self.network.loss}/∂{self.leaf}"
        if self.interactive:
            from ..notation.judged import check_text
            from .diagnostics import check_view
            while True:
                answer = self.ask(f"Now write {target} as a formula (Enter shows it): ")
                if not answer or answer.lower() == "h":
                    break
                given = self.given_steps(g)
                if given and any(re.search(rf"\b{name}\b", answer) for name in given):
                    # the walk has defined dz2, dh, dz1 …: the learner may build on them
                    answer = "\n".join(f"{name} = {rule}" for name, rule in given.items()) + "\n" + answer
                    self.out.print(Text(look.text("  (with the steps of the walk: " + ", ".join(given) + ")"),
                                        style="dim"))
                # unreadable text: `unusable`; an answer in LaTeX, Unicode or typed math reads too
                result = check_text(self.network, self.leaf, answer, self.bindings).result
                self.out.print(check_view(result, look, reveal=False), crop=False)
                if result.correct:
                    break
        if g.printable:
            self.out.print(Text(look.text(f"{target} = {look.expr(g.formula)}"), style="bold"))
            if look.unicode:
                self.out.print(Text(f"code: {g.formula_code}"))
        v = d.verification
        if v is not None and v.inconclusive:
            self.out.print(Text(look.text(f"The check with numbers was inconclusive: {v.inconclusive}.")))
        elif v is not None:
            self.out.print(Text(look.text(f"{look.ok(v.ok)} checked with numbers: complex-step derivatives agree "
                                          f"(relative error {v.max_error:.1e}) {verified_at(v)}")))

    @staticmethod
    def given_steps(g) -> dict[str, str]:
        """The backward steps the walk showed (dz2 = yhat - y, dh = dz2 @ W2.T, …), for a single path."""
        if g.paths != 1:
            return {}
        steps = {}
        for f in g.chain:
            if f.wrt == g.leaf or f.rule is None or f"d{f.wrt}" in steps:
                continue
            steps[f"d{f.wrt}"] = code(f.rule)
        return steps

    def resume_hint(self) -> str:
        dims = ",".join(f"{k}={v}" for k, v in self.bindings.items())
        parts = ["shapetutor walk", self.spec]
        if self.leaf:
            parts.append(f"--wrt {self.leaf}")
        if dims:
            parts.append(f"--dims {dims}")
        if self.position:
            parts.append(f"--step {self.position + 1}")
        return " ".join(parts)


def recorder_for(path: str | None) -> Console | None:
    return Screen(file=StringIO(), record=True, width=80, force_terminal=True) if path else None


def save(recorder: Console, path: str, force: bool = False) -> None:
    from ..engine.errors import TutorError
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix == "svg":
        text = recorder.export_svg(title="shapetutor walk")
    elif suffix in ("html", "htm"):
        text = recorder.export_html()
    elif suffix == "txt":
        text = recorder.export_text()
    else:
        raise TutorError(f"--export {path}: unknown format", expected="a file ending in .svg, .html or .txt")
    write_export(path, text, force, what="--export")
