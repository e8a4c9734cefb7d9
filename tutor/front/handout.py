"""A lesson as a handout: the answer key (the default) or a worksheet, as HTML, Markdown or text.

The handout is a `Document` built from data: the answer key's answers and the engine's results
(shapes, chains, contractions, numbers, checks), never a terminal recording. A worksheet has the
same steps with room to write instead of answers; a `show` step after the first question that
would give a question's answer away is left for class. SVG is the lesson as the terminal shows it.
"""
from __future__ import annotations

from io import StringIO

from ..course.answer_key import AnswerKey, expected_shape, question_text
from ..course.lesson import Lesson, Step, network_title, step_title
from ..engine.dims import ONE, format_shape
from ..engine.errors import TutorError
from ..engine.printer import code as code_of
from ..judge.result import CheckResult
from .diagnostics import VERDICT_TEXT, snippet
from .files import check_export, write_export
from .document import (Answer, Code, Document, Formula, Heading, Listing, Para, Picture, Pre, Section, Space, Table,
                       code, from_markdown, one_line, plain, prose, runs, Run)
from .look import Look
from .render import break_note
from .visible import Screen, visible

FORMATS = ("md", "html", "txt", "svg")
LOOK = Look(unicode=True)


# -- what a show step gives away -----------------------------------------------------------------

def asks(step: Step) -> tuple:
    """The fact a question asks for: a node's shape, a factor's shape, or a gradient."""
    if step.kind == "ask-gradient":
        return ("gradient", step.wrt)
    if step.node is not None:
        return ("shape", step.node)
    return ("factor", step.of, step.wrt)


def reveals(key: AnswerKey, step: Step) -> set[tuple]:
    """The facts a show step states outright."""
    net = key.lesson.network
    if step.view == "shapes":
        return {("shape", n) for n in net.nodes}
    if step.view == "factor":
        return {("factor", step.of, step.wrt)}
    if step.view == "check":  # a worksheet shows the verdict, not the fix
        return set()
    g = key.derivation.gradients[step.wrt]
    chain = {("factor", f.of, f.fused or f.wrt) for f in g.chain} | {("factor", f.of, f.wrt) for f in g.chain}
    if step.view == "chain":
        return chain
    if step.view == "numbers":
        return {("factor", g.contraction.of, step.wrt)} if g.contraction else set()
    if step.view in ("contraction", "blocks"):
        return {("gradient", step.wrt)}
    return chain | {("gradient", step.wrt)}  # gradient


def left_for_class(lesson: Lesson, key: AnswerKey) -> set[str]:
    """The show steps a worksheet leaves out: after the first question, those stating a question's answer."""
    asked = {asks(s) for s in lesson.steps if s.is_question}
    first = next((i for i, s in enumerate(lesson.steps) if s.is_question), len(lesson.steps))
    return {s.id for s in lesson.steps[first + 1:] if s.kind == "show" and reveals(key, s) & asked}


# -- the engine's views as blocks ---------------------------------------------------------------

def shape_text(shape, bindings) -> str:
    return LOOK.shape(shape, bindings)


def shapes_blocks(key: AnswerKey) -> list:
    net, b = key.lesson.network, key.bindings
    rows = tuple((code(n), plain(net.kind(n)), plain(format_shape(net.shapes[n])),
                  plain(format_shape(net.shapes[n], b)),
                  plain(LOOK.expr(net.definitions[n])) if n in net.definitions else ())
                 for n in net.nodes)
    return [Table((plain("node"), plain("kind"), plain("shape"), plain("numbers"), plain("definition")), rows,
                  caption=plain(f"Every shape, with {dims_text(b)}; the loss is {net.loss}."))]


def chain_blocks(key: AnswerKey, leaf: str) -> list:
    d, b = key.derivation, key.bindings
    g = d.gradients[leaf]
    counts: dict[str, int] = {}
    for f in g.chain:
        counts[f.wrt] = counts.get(f.wrt, 0) + 1
    rows = []
    for i, f in enumerate(g.chain, 1):
        name = f"∂{f.of}/∂{f.wrt}" + (f" (through {f.fused})" if f.fused else "")
        rule = f"d{f.wrt} {'+=' if counts[f.wrt] > 1 else '='} {LOOK.expr(f.rule)}" if f.rule is not None else ""
        naive = shape_text(f.naive, b) if f.naive is not None else "✗ not a matrix"
        rows.append((plain(str(i)), plain(name), plain(shape_text(f.shape, b)), plain(rule), plain(naive)))
    out: list = [Table((plain("#"), plain("factor"), plain("Jacobian shape"), plain("what it does to the gradient"),
                        plain("naive product")), tuple(rows),
                       caption=plain(f"The chain for ∂{d.network.loss}/∂{leaf}, from the loss to {leaf}"))]
    if g.paths > 1:
        out.append(Para(plain(f"{g.paths} paths lead from {d.network.loss} to {leaf}; the gradient adds up their "
                              "contributions (+=), and each factor above appears once.")))
    note = break_note(d, g, LOOK)
    if note is not None:
        out.append(Para(plain(note.plain), role="note"))
    return out


def contraction_blocks(key: AnswerKey, leaf: str, c=None) -> list:
    g = key.derivation.gradients[leaf]
    c = c or g.contraction
    if c is None:
        return [Para(plain("(no single contraction to show for this leaf)"), role="note")]
    rows = ((plain("entries"), plain(c.entries)), (plain("contraction"), plain(c.contraction)),
            (plain("einsum"), code(c.einsum)), (plain("matrix form"), runs(Run(c.matrix, "code"), f"   {c.shapes}")))
    out: list = [Table((plain("step"), plain(f"contracting with ∂{c.of}/∂{c.leaf}")), rows)]
    if c.outer_product:
        (left, _), (right, _) = c.operands
        out.append(Para(plain(f"That is an outer product, a column times a row: {left} is the column (its index i "
                              f"labels the rows of ∂J/∂{c.leaf}) and {right} the row (its index j labels the "
                              "columns).")))
    return out


def blocks_picture(key: AnswerKey, leaf: str) -> list:
    g, b = key.derivation.gradients[leaf], key.bindings
    c = g.contraction
    if c is None or len(c.operands) != 2:
        return [Para(plain("(no picture for this leaf)"), role="note")]

    def size(shape, i, cap):
        return max(1, min(cap, shape[i].value(b)))
    (ln, ls), (rn, rs) = c.operands
    result = (ls[0], rs[1])
    items = ((f"{ln} ({format_shape(ls)})", size(ls, 0, 8), size(ls, 1, 12)),
             (f"{rn} ({format_shape(rs)})", size(rs, 0, 8), size(rs, 1, 12)),
             (f"∂J/∂{leaf} ({format_shape(g.shape)})", size(result, 0, 8), size(result, 1, 12)))
    return [Picture(items, ("@", "="), caption=plain(f"{c.matrix}: {c.shapes}, each block drawn to the size of its "
                                                     f"dimensions at {dims_text(b)}"))]


def numbers_blocks(key: AnswerKey, leaf: str) -> list:
    from ..teach.jacobian_numbers import jacobian_numbers
    nums = jacobian_numbers(key.derivation, leaf)
    if nums is None:
        return [Para(plain("(the dimensions are too large to print the numbers)"), role="note")]
    import numpy as np
    of, t = nums.of, nums.tensor
    out: list = [Para(plain(f"One random draw: ∂{of}/∂{leaf} has {t.size} entries, shape "
                            f"{'×'.join(map(str, t.shape))}."))]
    of_rank = nums.incoming.ndim
    flat = t.reshape(tuple(n for n in t.shape[:of_rank] if n != 1) + t.shape[of_rank:])
    if t.ndim - of_rank == 2 and flat.ndim in (3, 4):
        first = flat[0] if flat.ndim == 4 else flat
        example = f"{of}[0,k]" if flat.ndim == 4 else f"{of}[k]"
        for i in range(min(2, first.shape[1])):
            out.append(matrix(first[:, i, :], f"∂{example}/∂{leaf}[{i},j]: rows k, columns j (row {i} of {leaf})"))
    elif flat.ndim <= 2:
        out.append(matrix(flat, f"∂{of}/∂{leaf}"))
    out.append(matrix(nums.incoming, f"the incoming gradient d{of} = ∂J/∂{of}"))
    out.append(matrix(nums.contracted, f"Σ over {of}'s axes of d{of} · ∂{of}/∂{leaf}"))
    out.append(matrix(nums.formula, "the matrix form of the same step"))
    agree = "agree" if nums.matches else "DISAGREE (a bug in shapetutor)"
    out.append(Para(plain(f"{'✓' if nums.matches else '✗'} The contraction and the matrix formula {agree}.")))
    if np.all(t == 0):
        out.append(Para(plain("(every entry is 0 here)"), role="note"))
    return out


def matrix(m, caption: str) -> Table:
    import numpy as np
    m = np.atleast_2d(m)
    rows = tuple(tuple(plain(f"{v:.3g}" if v != 0 else "0") for v in row) for row in m)
    return Table((), rows, caption=plain(caption), numeric=True)


def gradient_blocks(key: AnswerKey, leaf: str) -> list:
    g = key.derivation.gradients[leaf]
    out = chain_blocks(key, leaf)
    if g.break_contraction is not None:
        out += contraction_blocks(key, leaf, g.break_contraction)
    if g.contraction is not None:
        out += contraction_blocks(key, leaf)
    out.append(formula_block(key, leaf))
    return out


def formula_block(key: AnswerKey, leaf: str) -> Formula:
    g, loss = key.derivation.gradients[leaf], key.lesson.network.loss
    if not g.printable:
        return Formula(f"∂{loss}/∂{leaf} =", "(too long to write out: the network reuses nodes)")
    from ..engine.latex import latex, latex_name
    written = rf"\frac{{\partial {latex_name(loss)}}}{{\partial {latex_name(leaf)}}} = {latex(g.formula)}"
    return Formula(f"∂{loss}/∂{leaf} =", LOOK.expr(g.formula), code_of(g.formula), written)


def check_blocks(result: CheckResult, reveal: bool) -> list:
    """A derivation judged: the verdict in words, each diagnostic located, and (answer key) the fix."""
    loss, leaf = result.network.loss, result.wrt
    mark = "✓" if result.correct else "✗"
    out: list = [Code(result.source, "python"),
                 Para(runs(Run(f"{mark} ∂{loss}/∂{leaf}: {VERDICT_TEXT[result.verdict]}", "strong"),
                           f" (∂{loss}/∂{leaf} has {leaf}'s shape, {format_shape(result.expected_shape)})"),
                      role="verdict-ok" if result.correct else "verdict-bad")]
    for d in result.diagnostics:
        out.append(Para(runs(Run(f"{d.severity}[{d.code}]", "strong"), ": ") + prose(d.message)))
        rows = snippet(d, result.source, LOOK, result.origin)
        if rows:
            out.append(Pre("\n".join((gutter + body).rstrip() for gutter, body, _ in rows)))
        for label, body in (("note", d.note if reveal else ""), ("help", d.help.prose if d.help and reveal else "")):
            if body:
                out.append(Para(runs(Run(f"{label}:", "strong"), " ") + prose(body), role="note"))
    if result.steps:
        out.append(Listing(tuple((Para(plain(
            f"{'✓' if s.shape_ok and s.value_ok else '✗'} line {s.line}: {s.name} = ∂{loss}/∂{s.claims}, "
            f"{format_shape(s.shape) if s.shape is not None else '?'}")),) for s in result.steps)))
    fixed = any(d.help for d in result.diagnostics if d.severity == "error")
    if reveal and not result.correct and result.suggestion and not fixed:
        out += [Para(plain("A right derivation:")), Code(result.suggestion, "python")]
    if not reveal and not result.correct:
        out.append(Para(plain("What went wrong, and the fix, are in the answer key."), role="note"))
    return out


# -- the document -------------------------------------------------------------------------------

def dims_text(bindings) -> str:
    return ", ".join(f"{k} = {v}" for k, v in bindings.items())


def step_blocks(key: AnswerKey, step: Step, worksheet: bool) -> list:
    lesson, b = key.lesson, key.bindings
    if step.kind == "say":
        return list(from_markdown(step.text))
    if step.kind == "show":
        view = step.view
        if view == "shapes":
            return shapes_blocks(key)
        if view == "factor":
            net = lesson.network
            shape = net.shapes[step.of] + net.shapes[step.wrt]
            out: list = [Para(plain(f"∂{step.of}/∂{step.wrt} is a generalized Jacobian of shape "
                                    f"{shape_text(shape, b)}: the shape of {step.of}, then the shape of {step.wrt}."))]
            rule = factor_rule(key, step)
            if rule:
                out.append(Formula("Backwards through it:", rule))
            return out
        if view == "chain":
            return chain_blocks(key, step.wrt)
        if view == "contraction":
            return contraction_blocks(key, step.wrt)
        if view == "blocks":
            return blocks_picture(key, step.wrt)
        if view == "numbers":
            return numbers_blocks(key, step.wrt)
        if view == "gradient":
            return gradient_blocks(key, step.wrt)
        result = key.check(step.wrt, step.derivation, suggestion=not worksheet)
        return [Para(plain(f"A learner's derivation of ∂{lesson.network.loss}/∂{step.wrt}:"))] + \
            check_blocks(result, reveal=not worksheet)
    out = [Para(plain(question_text(step)), role="question")]
    if len(step.hints) == 1:
        out.append(Para(plain("Hint: " + step.hints[0]), role="hints"))
    elif step.hints:
        out.append(Para(plain("Hints:"), role="hints"))
        out.append(Listing(tuple((Para(plain(h), role="hints"),) for h in step.hints)))
    if worksheet:
        out.append(Space(2 if step.kind == "ask-shape" else 5))
        return out
    if step.kind == "ask-shape":
        want = expected_shape(lesson, step)
        typed = " x ".join(str(d) for d in want) or "scalar"
        squeezed = tuple(d for d in want if d != ONE)
        also = f"; as a matrix, once the axes of length 1 are dropped, {format_shape(squeezed)}" \
            if len(want) > 2 and 0 < len(squeezed) <= 2 else ""
        out.append(Answer((Para(runs(Run(shape_text(want, b), "strong"))),
                           Para(runs("typed as ", Run(typed, "code"), also), role="muted"))))
    else:
        out.append(Answer((formula_block(key, step.wrt),
                           Para(plain("Checked numerically (complex-step derivatives, float64)."), role="muted"))))
    return out


def factor_rule(key: AnswerKey, step: Step) -> str:
    net = key.lesson.network
    if step.wrt not in net.reads.get(step.of, ()):
        return ""
    from ..engine.grad import local_vjp
    from ..teach.chain import incoming
    rule = local_vjp(net, step.of, step.wrt, incoming(net, step.of))
    return f"d{step.wrt} = {LOOK.expr(rule)}" if rule is not None else ""


def document(lesson: Lesson, worksheet: bool = False) -> Document:
    key = AnswerKey(lesson)
    net, b = lesson.network, key.bindings
    origin = network_title(lesson).rsplit("/", 1)[-1]
    skipped = left_for_class(lesson, key) if worksheet else set()
    sections = []
    for n, step in enumerate(lesson.steps, 1):
        heading = Heading(2, runs(Run(f"{n}.", "strong"), " " + one_line(step_title(step))), f"step-{step.id}")
        if step.id in skipped:
            blocks = [Para(plain(f"Shown in class once you have answered (a {step.view} view)."), role="note")]
        else:
            blocks = step_blocks(key, step, worksheet)
        sections.append(Section(heading, tuple(blocks), step.kind))
    questions = sum(1 for s in lesson.steps if s.is_question)
    meta = (("Handout", "worksheet: write your answers in the boxes" if worksheet else "answer key"),
            ("Lesson", lesson.id), ("Network", origin), ("Dimensions", dims_text(b) or "none"),
            ("Steps", f"{len(lesson.steps)}, of which {questions} are questions"))
    intro = (Heading(2, plain("The network"), "network"),
             Para(plain(f"The loss is {net.loss}. Every shape below is symbolic; the numbers use {dims_text(b)}."
                        if b else f"The loss is {net.loss}.")),
             Code(net.source.strip(), "python"))
    footer = ("Worksheet made with shapetutor. The answer key is the same lesson exported without --worksheet."
              if worksheet else "Made with shapetutor: every answer is computed by its engine and checked "
                                "numerically.")
    return Document(one_line(lesson.title) + (" (worksheet)" if worksheet else " (answer key)"),
                    one_line(lesson.summary), meta, intro, tuple(sections), footer, worksheet)


def render(lesson: Lesson, suffix: str, worksheet: bool = False) -> str:
    if suffix == "html":
        from .html_doc import to_html
        return to_html(document(lesson, worksheet))
    if suffix == "md":
        from .markdown_doc import to_markdown
        return to_markdown(document(lesson, worksheet))
    if suffix == "txt":
        from .text_doc import to_text
        return to_text(document(lesson, worksheet))
    if worksheet:
        raise TutorError("--worksheet: an SVG is the lesson as the terminal shows it, answers included",
                         expected="a worksheet as .html, .md or .txt")
    from .lesson import Runner
    from .prompt import Tee
    recorder = Screen(file=StringIO(), record=True, width=90, force_terminal=True)
    Runner(lesson, Tee(recorder), Look(), mode="reveal").run()
    return recorder.export_svg(title=visible(one_line(lesson.title)))


def export(lesson: Lesson, path: str, worksheet: bool = False, force: bool = False) -> None:
    """Write the handout through the safe write (see `files`): refused before any work when the
    target is a link, a device or someone else's file, and never left half-written."""
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix == "htm":
        suffix = "html"
    if suffix not in FORMATS:
        raise TutorError(f"--output {path}: unknown format", expected="a file ending in .html, .md, .txt or .svg")
    check_export(path, force, "--output")
    write_export(path, render(lesson, suffix, worksheet), force)
