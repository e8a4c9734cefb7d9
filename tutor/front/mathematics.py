"""Mathematics as written, drawn: what was read, a chain of ∂-factors walked to its break, a posted
question answered. Rendering only: the reading and the judgement come from `tutor.notation`."""
from __future__ import annotations

from rich.console import Group
from rich.text import Text

from ..engine.language.dims import format_shape
from ..notation.judged import ChainJudgement, reorders
from .diagnostics import code_line
from .look import Look


def reading_view(reading, look: Look) -> Group:
    """The derivation as read, in the network language, and each reading the shapes decided."""
    parts: list = [Text(look.text("Read as:"), style="bold")]
    for line in reading.shown:
        parts.append(code_line("    " + look.text(line)))
    for note in reading.notes:
        parts.append(Text(look.text(f"  note: {note}"), style="dim"))
    return Group(*parts)


def chain_lines(judged: ChainJudgement, network, bindings: dict[str, int], look: Look,
                factors: dict | None = None) -> list[str]:
    """The learner's chain factor by factor, where it stops being a matrix product, and the contraction
    that carries it on (from the chain-rule view of `tutor.teach`)."""
    from ..teach.contraction import explain, textbook
    loss = network.loss
    out = [f"Your chain for ∂{loss}/∂{judged.chain.target}, factor by factor (each Jacobian is the shape of its top "
           "followed by the shape of its bottom):"]
    for i, link in enumerate(judged.links, 1):
        if link.expression:
            what = f"{as_math(link.written, network, look)}   (you wrote this for ∂{link.of}/∂{link.wrt}: a "\
                   f"{format_shape(network.shapes[link.wrt])} row, the gradient so far)"
        else:
            kind = "a matrix in disguise" if link.matrix else "a tensor, not a matrix"
            what = f"{link.written}: Jacobian {format_shape(link.jacobian)}, {kind}"
            taken = (factors or {}).get((link.of, link.wrt))
            if taken is not None:   # what the learner said this factor is (∂z2/∂h = W2ᵀ)
                what += f" (you take it as {as_math(taken, network, look)})"
        naive = f"naive product so far: {format_shape(link.naive)}" if link.naive is not None else \
            "✗ no longer a matrix product"
        out.append(f"  {i}. {what}; {naive}")
    if not judged.telescopes and reorders(judged.links, loss, judged.chain.target):
        out.append(f"✗ The factors are all there, in another order: read left to right as a product of matrices they "
                   f"do not lead from {loss} to {judged.chain.target} (a chain written from the right, as the "
                   "gradient layout writes it, is not a product of Jacobians).")
        return out
    if not judged.telescopes:
        out.append(f"✗ The factors do not lead from {loss} to {judged.chain.target}: each factor's bottom must be "
                   "the next factor's top.")
        return out
    if judged.breaks_at is None:
        out.append("✓ Every factor is a matrix in disguise, so this naive chain goes through.")
        return out
    link = judged.links[judged.breaks_at]
    before = (judged.links[judged.breaks_at - 1].naive or ()) if judged.breaks_at else ()  # a product before the break
    rank = len(link.jacobian)
    out.append(f"✗ The chain breaks at ∂{link.of}/∂{link.wrt}: it is a {format_shape(link.jacobian)} tensor ({rank}-D), "
               f"because {link.of} is {format_shape(network.shapes[link.of])} and {link.wrt} is "
               f"{format_shape(network.shapes[link.wrt])}. No matrix product of the "
               f"{format_shape(before)} row with it gives ∂{loss}/∂{judged.chain.target}, which has "
               f"{judged.chain.target}'s shape, {format_shape(network.shapes[judged.chain.target])}.")
    c = explain(network, link.of, link.wrt)
    if c is not None:
        out.append(f"Contract over the axes of {link.of} instead:")
        out.append(f"  entries      {c.entries}")
        out.append(f"  contraction  {c.contraction}")
        out.append(f"  einsum       {c.einsum}")
        out.append(f"  matrix form  {c.matrix}    {c.shapes}")
        out.append(f"  In textbook notation: {textbook(c)}.")
    return out


def as_math(code: str, network, look: Look) -> str:
    """An expression the learner wrote, shown in the math form they wrote it in (ŷ, ᵀ, ∘); the code form
    when it cannot be shown so (nothing is run: the code is only read back into an expression)."""
    from ..engine.errors import TutorError
    from ..engine.language.ir import parse_python
    from ..engine.language.parse import Reader, Scope
    from ..engine.language.shapes import annotate
    scope = Scope(arrays=dict(network.shapes), dims=set(network.dims))
    try:
        expr = Reader(code, "<shown>").expr(parse_python(code, mode="eval").body, scope)
        return look.expr(annotate(expr, dict(network.shapes)))
    except (TutorError, SyntaxError, ValueError, KeyError, RecursionError):
        return code


def chain_view(judged: ChainJudgement, network, bindings: dict[str, int], look: Look, reading=None) -> Group:
    factors = {e.factor: e.code for e in reading.equations if e.factor is not None} if reading is not None else {}
    return Group(*(Text(look.text(line)) for line in chain_lines(judged, network, bindings, look, factors)))


def answer_view(answer, look: Look) -> Group:
    """`ask`: what was understood (the network, each derivation as read, what was assumed), then the
    answer to each derivation: its verdict, the first problem, and the chain walked to its break."""
    from .diagnostics import check_view
    net = answer.network
    parts: list = [Text(look.text("What I read in the post"), style="bold"),
                   Text(look.text("  the network, in shapetutor's language:"))]
    for line in answer.network_source.rstrip("\n").splitlines():
        parts.append(code_line("    " + line))
    if answer.assumptions:
        parts.append(Text(look.text("  assumed (say otherwise to change it):")))
        for said in answer.assumptions:
            parts.append(Text(look.text(f"    - {said}"), style="dim"))
    for n, asked in enumerate(answer.asked, 1):
        parts.append(Text(""))
        parts.append(Text(look.text(f"Derivation {n}: ∂{net.loss}/∂{asked.wrt}"), style="bold"))
        for line in asked.written.splitlines():
            parts.append(code_line("    " + look.text(line)))
        check = asked.check
        if check.reading is not None:
            parts.append(Text(look.text("  read as:")))
            for line in check.reading.shown:
                parts.append(code_line("    " + look.text(line)))
        if check.chain is not None:
            parts.append(chain_view(check.chain, net, check.result.bindings, look, check.reading))
        parts.append(check_view(check.result, look))
    parts.append(Text(""))
    ok = answer.verdict == "correct"
    parts.append(Text(look.text(f"{look.ok(ok)} verdict: {answer.verdict}"), style="bold green" if ok else "bold red"))
    return Group(*parts)


def latex_block(result) -> str:
    """`derive --latex`: every gradient as a line of an align* block, ready to paste into a document or an
    answer (`\\frac{\\partial J}{\\partial W_{1}} &= {x}^{\\top} \\left(…\\right)`)."""
    from ..engine.language.latex import latex_name
    loss = latex_name(result.network.loss)
    rows = []
    for leaf, g in result.gradients.items():
        body = g.formula_latex if g.formula_latex is not None else r"\text{(too long to write out)}"
        rows.append(rf"\frac{{\partial {loss}}}{{\partial {latex_name(leaf)}}} &= {body}")
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"
