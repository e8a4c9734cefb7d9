"""The engine's views of a lesson as document blocks (`document.py`), for handouts.

Built from data, the answer key's answers and the engine's results (shapes, chains,
contractions, numbers, checks), never a terminal recording; each kind of step's renderer
(`step_views.py`) picks the blocks it needs.
"""
from __future__ import annotations

from ..course.answer_key import AnswerKey, expected_shape, question_text
from ..course.step import LessonStep
from ..engine.language.dims import ONE, format_shape
from ..engine.language.printer import code as code_of
from ..judge.result import CheckResult
from .diagnostics import VERDICT_TEXT, snippet
from .document import (Answer, Block, Code, Formula, Keep, Listing, Para, Picture, Pre, Table, code, plain, prose, runs, Run)
from .look import Look
from .render import break_note, diagonal_text

LOOK = Look(unicode=True)


# -- what a show step gives away -----------------------------------------------------------------

def reveals(key: AnswerKey, step: LessonStep) -> set[tuple]:
    """The facts a show step states outright."""
    net = key.lesson.network
    if step.view == "shapes":
        return {("shape", n) for n in net.nodes}
    if step.view == "factor":
        return {("factor", step.of, step.wrt)}
    if step.view == "check":  # a worksheet shows the verdict, not the fix
        return set()
    assert step.wrt is not None  # its kind and view require it (checked on reading)
    g = key.derivation.gradients[step.wrt]
    chain = {("factor", f.of, f.fused or f.wrt) for f in g.chain} | {("factor", f.of, f.wrt) for f in g.chain}
    if step.view == "chain":
        return chain
    if step.view == "numbers":
        return {("factor", g.contraction.of, step.wrt)} if g.contraction else set()
    if step.view in ("contraction", "blocks"):
        return {("gradient", step.wrt)}
    return chain | {("gradient", step.wrt)}  # gradient


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
    for diag in g.diagonals.values():  # each elementwise step named as the diagonal Jacobian it is
        out.append(Para(plain(diagonal_text(diag, LOOK))))
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
    from ..engine.language.latex import latex, latex_name
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
        out.append(Para(plain("What went wrong, and the fix, are for class."), role="note"))
    return out


# -- a step's blocks ---------------------------------------------------------------------------

def dims_text(bindings) -> str:
    return ", ".join(f"{k} = {v}" for k, v in bindings.items())


def show_blocks(key: AnswerKey, step: LessonStep, worksheet: bool) -> list:
    """The engine view a `show` step asks for, as blocks (a worksheet's check view keeps the fix back)."""
    lesson, b = key.lesson, key.bindings
    view = step.view
    if view == "shapes":
        return shapes_blocks(key)
    assert step.wrt is not None  # its kind and view require it (checked on reading)
    if view == "factor":
        assert step.of is not None
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
    assert step.derivation is not None
    result = key.check(step.wrt, step.derivation, suggestion=not worksheet)
    return [Keep((Para(plain(f"A learner's derivation of ∂{lesson.network.loss}/∂{step.wrt}:")),
                  *check_blocks(result, reveal=not worksheet)))]


def question_blocks(step: LessonStep, withheld: frozenset[int] = frozenset()) -> list:
    """A question and its hints (the answer, or room to write it, follows); the hints numbered in `withheld`
    (from 1: those that state the answer, on a worksheet) are left out."""
    out: list[Block] = [Para(plain(question_text(step)), role="question")]
    hints = [h for n, h in enumerate(step.hints, 1) if n not in withheld]
    if len(hints) == 1:
        out.append(Para(plain("Hint: " + hints[0]), role="hints"))
    elif hints:
        out.append(Para(plain("Hints:"), role="hints"))
        out.append(Listing(tuple((Para(plain(h), role="hints"),) for h in hints)))
    return out


def shape_answer_blocks(key: AnswerKey, step: LessonStep) -> list:
    """A shape question's answer in the answer key: the shape, how to type it, and as a matrix."""
    want = expected_shape(key.lesson, step)
    squeezed = tuple(d for d in want if d != ONE)
    also = f"; as a matrix, once the axes of length 1 are dropped, {format_shape(squeezed)}" \
        if len(want) > 2 and 0 < len(squeezed) <= 2 else ""
    return [Answer((Para(runs(Run(shape_text(want, key.bindings), "strong"))),
                    Para(runs("typed as ", Run(key.shape_answer(step), "code"), also), role="muted")))]


def formula_answer_blocks(key: AnswerKey, step: LessonStep) -> list:
    """A gradient question's answer in the answer key: the formula, checked."""
    assert step.wrt is not None  # its kind and view require it (checked on reading)
    return [Answer((formula_block(key, step.wrt),
                    Para(plain("Checked numerically (complex-step derivatives, float64)."), role="muted")))]


def factor_rule(key: AnswerKey, step: LessonStep) -> str:
    net = key.lesson.network
    assert step.of is not None and step.wrt is not None  # its kind and view require it (checked on reading)
    if step.wrt not in net.reads.get(step.of, ()):
        return ""
    from ..engine.calculus.grad import local_vjp
    from ..teach.chain import incoming
    rule = local_vjp(net, step.of, step.wrt, incoming(net, step.of))
    return f"d{step.wrt} = {LOOK.expr(rule)}" if rule is not None else ""
