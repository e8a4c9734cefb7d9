"""Rich renderables for shapes and derivations. Rendering reads results; it never computes."""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.panel import Panel as RichPanel
from rich.table import Table
from rich.text import Text

from ..teach.chain import STRUCTURE_AXES, ChainFactor, in_disguise, non_unit
from ..teach.derivation import Derivation, LeafGradient
from ..teach.diagonal import Diagonal
from ..engine.language.dims import ONE, Shape, format_shape, product
from ..engine.language.ir import Call
from ..engine.language.network import Network
from ..engine.language.printer import code
from .look import Look
from .visible import Panel

if TYPE_CHECKING:
    from ..teach.contraction import Contraction


def shapes_table(network: Network, bindings: dict[str, int], look: Look, name: str | None = None) -> Group:
    """Every node's shape; `name` says whose network it is (a lesson's inline network has no file name)."""
    table = Table(title=Text(f"Shapes in {name or network.origin}"), box=look.box, title_justify="left")
    table.add_column("node")
    table.add_column("kind")
    table.add_column("shape (symbolic)")
    table.add_column("shape (numbers)")
    table.add_column("definition")
    for name in network.nodes:
        shape = network.shapes[name]
        definition = look.expr(network.definitions[name]) if name in network.definitions else ""
        table.add_row(name, network.kind(name), look.text(format_shape(shape, unicode=look.unicode)),
                      look.text(format_shape(shape, bindings, unicode=look.unicode)), Text(definition))
    dims = ", ".join(f"{k}={v}" for k, v in bindings.items())
    notes = [Text(look.text(f"note: {note}")) for note in network.notes]
    return Group(table, Text(f"dimensions: {dims}   loss: {network.loss}"), *notes)


def factor_name(f: ChainFactor, look: Look) -> str:
    through = f" (through {f.fused})" if f.fused else ""
    return look.text(f"∂{f.of}/∂{f.wrt}{through}")


def factor_rule(f: ChainFactor, look: Look, shared: bool = False) -> str:
    """`dh = dz2 W2ᵀ`; `dX += dmu / N` where several factors add into the same gradient (`+=` broadcasts)."""
    if f.rule is None:
        return ""
    rule = f.rule.args[0] if shared and isinstance(f.rule, Call) and f.rule.prim == "broadcast_to" else f.rule
    return f"d{f.wrt} {'+=' if shared else '='} {look.expr(rule)}"


def chain_table(d: Derivation, g: LeafGradient, look: Look, layout: str) -> Table:
    net, b = d.network, d.bindings
    table = Table(box=look.box, title=look.text(f"The chain for ∂{net.loss}/∂{g.leaf}"), title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("factor")
    table.add_column("Jacobian shape" + (" (wrt first)" if layout == "denominator" else ""))
    table.add_column("what it does to the gradient", overflow="fold")
    table.add_column("naive product")
    counts: dict[str, int] = {}
    for f in g.chain:
        counts[f.wrt] = counts.get(f.wrt, 0) + 1
    for i in screenful(table, len(g.chain)):
        f = g.chain[i]
        shape = f.shape if layout == "numerator" else net.shapes[f.wrt] + net.shapes[f.of]
        naive = look.shape(f.naive, b) if f.naive is not None else look.text("✗ not a matrix")
        table.add_row(str(i + 1), Text(factor_name(f, look)), Text(look.text(look.shape(shape, b))),
                      Text(look.text(factor_rule(f, look, counts[f.wrt] > 1))), Text(look.text(naive)))
    return table


#: What fits on a screen: the factors of one chain shown (the first and last halves), and the gradients
#: `derive` draws in full without --wrt (the others are listed by name and shape). Every one is in the JSON.
SHOWN_FACTORS = 40
SHOWN_GRADIENTS = 40


def screenful(table: Table, count: int) -> Iterator[int]:
    """The factor rows of a long table that are drawn: those nearest each end, with one row between them
    that counts the middle."""
    if count <= SHOWN_FACTORS:
        yield from range(count)
        return
    yield from range(SHOWN_FACTORS // 2)
    table.add_row("…", Text(f"{count - SHOWN_FACTORS:,} more"), "", Text("factors not shown (--json lists every one)"),
                  "")
    yield from range(count - SHOWN_FACTORS // 2, count)


def more_gradients(d: Derivation, look: Look, rest: list[LeafGradient]) -> Text:
    """The gradients past a screenful, listed by name and shape (and counted past two screenfuls)."""
    listed = ", ".join(f"{g.leaf} ({look.shape(g.shape, d.bindings)})" for g in rest[:SHOWN_GRADIENTS])
    more = f", and {len(rest) - SHOWN_GRADIENTS:,} more" if len(rest) > SHOWN_GRADIENTS else ""
    return Text(look.text(f"{len(rest):,} more gradients, not drawn here (--wrt LEAF draws one, --json "
                          f"gives them all): {listed}{more}."))


def diagonal_text(diag: Diagonal, look: Look) -> str:
    """∂h/∂z1 named as the diagonal it is, in the network's symbols, and why its product is ∘."""
    if diag.identity:
        return look.text(f"∂{diag.of}/∂{diag.wrt} is the identity, diag(1): each entry of {diag.of} moves one for "
                         f"one with the same entry of {diag.wrt}, so the gradient passes through unchanged.")
    entries = look.expr(diag.entries)
    named = f"{diag.prime} = {entries}" if diag.prime else entries
    return look.text(f"∂{diag.of}/∂{diag.wrt} is diagonal, diag({diag.prime or entries}): each entry of {diag.of} "
                     f"depends only on the same entry of {diag.wrt}, so the Jacobian is zero off its diagonal and "
                     f"holds {named} on it. A product with a diagonal matrix is the elementwise product ∘, "
                     f"which is why this step multiplies by {entries} entry by entry.")


def diagonal_notes(g: LeafGradient, look: Look) -> Text | None:
    """Every elementwise factor of a chain, named as the diagonal Jacobian it is."""
    lines = [f"  {i + 1}. {diagonal_text(diag, look)}" for i, diag in sorted(g.diagonals.items())]
    if not lines:
        return None
    return Text(look.text("The elementwise steps:\n" + "\n".join(lines)))


def matrix_like(g: LeafGradient) -> ChainFactor | None:
    """The last factor before the break that has more than two axes yet chains as a matrix."""
    if g.breaks_at is None:
        return None
    return next((e for e in reversed(g.chain[:g.breaks_at])
                 if len(e.shape) > 2 and e.naive is not None and len(non_unit(e.shape)) <= 2), None)


def what_differs(g: LeafGradient, look: Look, bindings: dict[str, int]) -> str:
    """Why a 4-axis factor earlier in the chain acted as a matrix and the one at the break does not."""
    e = matrix_like(g)
    if e is None or g.breaks_at is None:
        return ""
    f = g.chain[g.breaks_at]
    index = g.chain.index(e)
    kept = non_unit(f.shape)
    of_part, wrt_part = non_unit(g.network.shapes[f.of]), non_unit(g.network.shapes[f.wrt])
    diag = g.diagonals.get(index)
    as_matrix = f"the {look.shape(non_unit(e.shape))} matrix" + (
        f" diag({diag.prime or look.expr(diag.entries)})" if diag is not None else "")
    return (f"What differs from factor {index + 1}, ∂{e.of}/∂{e.wrt}, which has {len(e.shape)} axes too "
            f"({look.shape(e.shape)}): drop its axes of length 1 and it is {as_matrix}, so it chains like one. "
            f"Drop those of ∂{f.of}/∂{f.wrt} and {len(kept)} axes are left, {look.shape(kept)}: "
            f"{look.shape(of_part)} from {f.of} and {look.shape(wrt_part)} from {f.wrt}, and a matrix has room "
            "for two. ")


def break_note(d: Derivation, g: LeafGradient, look: Look, layout: str = "numerator") -> Text | None:
    if g.breaks_at is None:
        return None
    f = g.chain[g.breaks_at]
    net = d.network
    before = g.chain[g.breaks_at - 1].naive if g.breaks_at else None
    if before is None:
        so_far = ""
    elif len(before) == 2 and before[0] == ONE:  # a row times the next factor, as the row convention chains
        so_far = f": ({look.shape(before)})·∂{f.of}/∂{f.wrt}"
    else:  # a column (or a plain vector) is not multiplied from the left: say what meets what
        so_far = f": d{f.of} ({look.shape(before)}) meets ∂{f.of}/∂{f.wrt}"
    shape = f.shape if layout == "numerator" else net.shapes[f.wrt] + net.shapes[f.of]
    order = "" if layout == "numerator" else f", {f.wrt}'s axes first"
    msg = (f"✗ A chain of matrices stops at factor {g.breaks_at + 1}{so_far}. "
           f"∂{f.of}/∂{f.wrt} is a {look.shape(shape, d.bindings)} tensor ({len(shape)}-D{order}), not a matrix: "
           f"{f.of} has shape {look.shape(net.shapes[f.of])} and {f.wrt} has shape {look.shape(net.shapes[f.wrt])}. ")
    msg += what_differs(g, look, d.bindings)
    if before is not None and len(non_unit(before)) > 1:
        msg += (f"And the gradient arriving from the loss is itself a {look.shape(before)} array, not a row, so "
                "there is no row to multiply by a matrix. ")
    msg += ("No matrix product with it can give the gradient's shape; contract over the axes of "
            f"{f.of} instead.")
    found = g.structures.get(g.breaks_at) if len(f.shape) >= STRUCTURE_AXES else None
    if found is not None:
        msg += f" It is {found.text()}."
    return Text(look.text(msg))



def structure_notes(g: LeafGradient, look: Look) -> Text | None:
    """Which tensor factors are block-diagonal, and over which axes: why they never need to be built."""
    lines = [f"  {i + 1}. ∂{g.chain[i].of}/∂{g.chain[i].wrt} ({look.shape(g.chain[i].shape)}) is {s.text()}."
             for i, s in sorted(g.structures.items()) if len(g.chain[i].shape) >= STRUCTURE_AXES
             and i != g.breaks_at]
    if not lines:
        return None
    return Text(look.text("Inside the tensor factors:\n" + "\n".join(lines)))


def contraction_panel(d: Derivation, g: LeafGradient, look: Look, c: Contraction | None = None) -> RichPanel | None:
    """The contraction with the leaf's own factor, or with `c` (where the naive chain broke earlier)."""
    c = c or g.contraction
    if c is None:
        return None
    lines = [f"entries      {c.entries}",
             f"contraction  {c.contraction}"]
    if c.diagonal or c.summed:
        parts = []
        if c.diagonal:
            parts.append(f"zero unless the indices {', '.join(c.diagonal)} agree")
        if c.summed:
            parts.append(f"{c.leaf} is used again for every {', '.join(c.summed)}, so the contraction adds up "
                         "all of those parts")
        lines.append("             " + "; ".join(parts))
    if c.einsum:
        lines.append(f"einsum       {c.einsum}")
    if c.matrix:
        label = "matrix form" if c.shapes else "formula    "
        lines.append(f"{label}  {c.matrix}" + (f"    {c.shapes}" if c.shapes else ""))
    if c.outer_product:
        (left, _), (right, _) = c.operands
        lines.append(f"That is an outer product, a column times a row: {left} is the column (its index i labels "
                     f"the rows of ∂J/∂{c.leaf}) and {right} the row (its index j labels the columns).")
        delta = f"d{c.of}"
        if delta in (left, right) and c.of[-1:].isdigit():  # z1 → δ1, as textbooks name it
            textbook = " ".join(("δ" + c.of[-1]) if side == delta else side.replace(".T", "ᵀ")
                                for side in (left, right))
            lines.append(f"In textbook notation: {textbook}, where δ{c.of[-1]} = {delta} = ∂J/∂{c.of}.")
    body = "\n".join(look.text(line) for line in lines)
    return Panel(Text(body), title=look.text(f"Contracting with ∂{c.of}/∂{c.leaf}"), box=look.box, title_align="left")


def blocks(g: LeafGradient, bindings: dict[str, int], look: Look) -> Text | None:
    """The rearrangement as blocks sized by their dimensions: column × row = matrix; a stack of
    matrices first drawn as its blocks, then as the one tall matrix it is flattened into."""
    c = g.contraction
    if c is None or len(c.operands) != 2:
        return None
    def size(d, cap):
        return max(1, min(cap, d.value(bindings)))
    fill = "█" if look.unicode else "#"
    stacks = [stack_picture(name, shape, flat, bindings, look) for name, shape, flat in c.flattened]
    (ln, ls), (rn, rs) = c.operands
    ls, rs = tuple(ls[-2:]) if len(ls) >= 2 else (ONE,) + tuple(ls), tuple(rs[-2:]) if len(rs) >= 2 else tuple(rs) + (ONE,)
    rows_l, cols_l = size(ls[0], 6), size(ls[1], 12)
    rows_r, cols_r = size(rs[0], 6), size(rs[1], 12)
    result_rows, result_cols = rows_l, cols_r
    height = max(rows_l, rows_r, result_rows)
    lines = []
    for r in range(height):
        left = (fill * cols_l if r < rows_l else " " * cols_l)
        right = (fill * cols_r if r < rows_r else " " * cols_r)
        res = (fill * result_cols if r < result_rows else " " * result_cols)
        mid = " @ " if r == 0 else "   "
        eq = " = " if r == 0 else "   "
        lines.append(f"  {left}{mid}{right}{eq}{res}")
    shape_l, shape_r = next(s for n, s in c.operands if n == ln), next(s for n, s in c.operands if n == rn)
    labels = (f"  {ln} ({look.shape(shape_l)})  @  {rn} ({look.shape(shape_r)})  =  ∂J/∂{g.leaf} "
              f"({look.shape(g.shape)})")
    if len(shape_l) > 2 or len(shape_r) > 2:
        labels += "\n  (one such product for each block of the stack)"
    return Text(look.text("\n".join(stacks + lines) + "\n" + labels))


def stack_picture(name: str, shape: Shape, flat: Shape, bindings: dict[str, int], look: Look) -> str:
    """A 3-D or 4-D array as its matrices side by side (a grid for 4-D), then what reshape makes of it."""
    fill, gap = ("█", "·") if look.unicode else ("#", ".")
    lead, (rows, cols) = shape[:-2], shape[-2:]
    counts = [d.value(bindings) for d in lead]
    shown = [min(n, 3) for n in counts]
    r, k = max(1, min(3, rows.value(bindings))), max(1, min(6, cols.value(bindings)))
    grid_rows = shown[0] if len(lead) == 2 else 1
    per_row = shown[-1] if lead else 1
    lines = []
    for gr in range(grid_rows):
        for _ in range(r):
            row = "  ".join(fill * k for _ in range(per_row))
            more = f"  {gap * 3}" if lead and counts[-1] > per_row else ""
            lines.append("    " + row + more)
        if gr < grid_rows - 1:
            lines.append("")
    if len(lead) == 2 and counts[0] > grid_rows:
        lines.append(f"    {gap * 3}")
    blocks_of = ", ".join(str(d) for d in lead) or "1"
    head = (f"  {name} ({look.shape(shape, bindings)}): one {look.shape((rows, cols))} block for each ({blocks_of})"
            + (", drawn as a grid" if len(lead) == 2 else ""))
    merged = next((k for k in range(len(shape), 0, -1) if flat and product(shape[:k]) == flat[0]), 0)
    if merged == len(shape) - 1:
        how = f"the blocks stacked on top of each other, {flat[0]} rows"
    elif merged == len(shape) - 2:
        how = f"each {look.shape((rows, cols))} block laid out as one row of {flat[-1]}, one row per ({blocks_of})"
    else:
        how = "its entries in the same order, read row by row"
    tail = f"  → {name}.reshape({', '.join(str(d) for d in flat)}): {look.shape(flat, bindings)}, {how}"
    return "\n".join([head] + lines + [tail])


def gradient_view(d: Derivation, g: LeafGradient, look: Look, layout: str = "numerator") -> Group:
    parts: list[RenderableType] = [chain_table(d, g, look, layout)]
    diagonals = diagonal_notes(g, look)
    if diagonals:
        parts.append(diagonals)
    if g.paths > 1:
        parts.append(Text(f"{g.paths} paths lead from {d.network.loss} to {g.leaf}; the gradient is the sum of "
                          "their contributions (each factor above appears once)."))
    note = break_note(d, g, look, layout)
    if note:
        parts.append(note)
    broken = contraction_panel(d, g, look, g.break_contraction) if g.break_contraction is not None else None
    if broken is not None:
        parts.append(broken)
    inside = structure_notes(g, look)
    if inside:
        parts.append(inside)
    panel = contraction_panel(d, g, look)
    if panel:
        parts.append(panel)
    picture = blocks(g, d.bindings, look)
    if picture:
        parts.append(picture)
    layout_note = (f"∂{d.network.loss}/∂{g.leaf} has {g.leaf}'s own shape {look.shape(g.shape, d.bindings)}: the "
                   "denominator layout (gradient shaped like the parameter), so that "
                   f"{g.leaf} -= lr * d{g.leaf} works. The factors above are in the "
                   + ("numerator layout (shape of output, then input), the layout in which they chain."
                      if layout == "numerator" else "denominator layout (input first), each the transpose "
                      "of its numerator-layout Jacobian."))
    parts.append(Text(look.text(layout_note)))
    formula = Table.grid(padding=(0, 1))
    if not g.printable:
        formula.add_row(look.text(f"∂{d.network.loss}/∂{g.leaf} ="),
                        Text("(too long to write out: the network reuses nodes, so the single expression repeats "
                             "them exponentially often; it is still computed and checked"
                             + ("; the steps above are its readable form)" if g.steps else ")")))
    else:
        formula.add_row(look.text(f"∂{d.network.loss}/∂{g.leaf} ="), Text(look.expr(g.formula), style="bold"))
        if look.unicode:
            formula.add_row("code:", Text(code(g.formula)))
    if g.steps:
        parts.extend(steps_parts(g, d.network, look))
        parts.append(Text("or in one line:" if g.printable else "(in one line it is too long to write out)"))
    parts.append(formula)
    return Group(*parts)


def steps_parts(g: LeafGradient, network: Network, look: Look) -> list:
    """The teacher's steps, the leaf's own in bold; a step the network has no node for says what it names."""
    loss = network.loss
    steps = Table.grid(padding=(0, 1))
    shown = {s.name for s in g.steps}
    helpers = False
    for s in g.steps:
        note = step_note(s, network, shown, look)
        helpers = helpers or bool(note)
        formula = Text(s.code, style="bold" if s is g.steps[-1] else "")
        if note:
            formula.append("   " + note, style="dim")
        steps.add_row(Text(s.name), Text("="), formula)
    about = f"each dNAME is ∂{loss}/∂NAME" + ("; a name the network does not have stands for a part of a "
                                               "definition, said on its right" if helpers else "")
    return [Text(look.text(f"As a teacher writes it, step by step ({about}):")), steps]


#: A part of a definition longer than this is not written out again beside its step.
NOTE_LIMIT = 48


def step_note(s, network: Network, shown: set[str], look: Look) -> str:
    """What a helper step names (`a value inside U1`, `∂J/∂zU1`, `∂J/∂(Q1 @ K1.T) inside A1`); '' for a node's."""
    loss = network.loss
    if s.kind == "forward":
        if s.written:
            return look.text(f"# a value inside {s.of}")
        return look.text(f"# a value ∂{loss}/∂{s.of} uses" if s.of in network.leaves else
                         f"# a value {s.of}'s derivative uses")
    if s.kind != "inner":
        return ""
    stem = s.name[1:]
    if stem in shown:
        return look.text(f"# ∂{loss}/∂{stem}")
    part = code(s.at)
    return look.text(f"# ∂{loss}/∂({part}) inside {s.of}" if len(part) <= NOTE_LIMIT else
                     f"# ∂{loss}/∂(a part of {s.of}'s definition)")


def derivation_view(d: Derivation, look: Look, layout: str = "numerator") -> Group:
    """One leaf's gradient in full; several leaves as the backward pass they share (each factor drawn
    once), so the output grows with the network and not with the sum of its chains."""
    if len(d.gradients) > 1:
        return overview_view(d, look, layout)
    parts: list = [Text(look.text(f"Gradients of {d.network.loss} in {d.network.origin}"), style="bold")]
    for g in d.gradients.values():
        title = look.text(f"∂{d.network.loss}/∂{g.leaf}   shape {look.shape(g.shape, d.bindings)}")
        parts.append(Panel(gradient_view(d, g, look, layout), title=title, box=look.box, title_align="left"))
    parts.extend(closing_parts(d, look))
    return Group(*parts)


#: A gradient's one-line formula is shown beside every leaf when it is at most this long.
SHORT_FORMULA = 60


def overview_view(d: Derivation, look: Look, layout: str = "numerator") -> Group:
    """Every leaf's gradient: the chain-rule factors once, in the order the backward pass runs them,
    then each leaf with the factors that end at it and its formula when it is short."""
    net, b, loss = d.network, d.bindings, d.network.loss
    shared = d.shared_factors
    into: dict[str, list[int]] = {}
    for i, f in enumerate(shared, 1):
        into.setdefault(f.wrt, []).append(i)
    table = Table(box=look.box, title=look.text(f"The backward pass: every chain-rule factor once (dNAME is "
                                                f"∂{loss}/∂NAME; each leaf's chain is a path through them)"),
                  title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("factor")
    table.add_column("Jacobian shape" + (" (wrt first)" if layout == "denominator" else ""))
    table.add_column("what it does to the gradient", overflow="fold")
    table.add_column("a matrix?")
    for index in screenful(table, len(shared)):
        i, f = index + 1, shared[index]
        shape = f.shape if layout == "numerator" else net.shapes[f.wrt] + net.shapes[f.of]
        kind = "the start" if f.of == loss else "yes" if in_disguise(net, f) else f"✗ no: {len(shape)}-D"
        table.add_row(str(i), Text(factor_name(f, look)), Text(look.text(look.shape(shape, b))),
                      Text(look.text(factor_rule(f, look, len(into[f.wrt]) > 1))), Text(look.text(kind)))
    leaves = Table(box=look.box, title=look.text("The gradients (each has its leaf's shape)"), title_justify="left")
    leaves.add_column("gradient")
    leaves.add_column("shape")
    leaves.add_column("factors into it")
    leaves.add_column("in one line", overflow="fold")
    gradients = list(d.gradients.values())
    for g in gradients[:SHOWN_GRADIENTS]:
        numbers = into.get(g.leaf, [])
        line = g.short_code(SHORT_FORMULA)
        leaves.add_row(Text(look.text(f"∂{loss}/∂{g.leaf}")), Text(look.text(look.shape(g.shape, b))),
                       Text(", ".join(map(str, numbers)) if numbers else "none: it does not reach the loss"),
                       Text(line if line is not None else "(longer than a line: --wrt shows its steps)"))
    hint = ("Each leaf in full (its chain, where a chain of matrices stops, the contraction, the steps): "
            "derive with --wrt LEAF")
    parts: list = [Text(look.text(f"Gradients of {loss} in {net.origin}"), style="bold"), table, leaves]
    if len(gradients) > SHOWN_GRADIENTS:
        parts.append(more_gradients(d, look, gradients[SHOWN_GRADIENTS:]))
    parts.append(Text(look.text(hint)))
    parts.extend(closing_parts(d, look))
    return Group(*parts)


def closing_parts(d: Derivation, look: Look) -> list:
    """What the whole derivation says after its gradients: assumptions, notes, and the numeric check."""
    parts: list = []
    for a in d.assumptions:
        parts.append(Text(look.text(f"Assumption: {a.text()}.")))
    for note in d.network.notes:  # how the network was read: a 1×1 loss as the scalar it holds
        parts.append(Text(look.text(f"Note: {note}.")))
    if d.skipped:
        parts.append(Text(look.text(f"Numeric check skipped: {d.skipped}.")))
    v = d.verification
    if v is not None:
        verdict = (f"{look.ok(v.ok)} verified numerically: complex-step directional derivatives agree "
                   f"with every formula (worst relative error {v.max_error:.1e}, {v.draws} random draws, "
                   f"{v.forward_passes} forward passes) {verified_at(v)}")
        if not v.ok and v.inconclusive:
            verdict = (f"Numeric check inconclusive: float64 cannot decide here ({v.inconclusive}). The "
                       f"formulas were neither confirmed nor refuted; try other --dims or a less steep network.")
        elif not v.ok:
            bad = v.failed_leaves
            verdict = (f"{look.ok(False)} numeric check FAILED for {', '.join(bad) or 'some gradient'} "
                       f"(relative error {v.max_error:.1e}). This is a bug in shapetutor; please report it.")
        parts.append(Text(look.text(verdict)))
    return parts


def verified_at(v) -> str:
    """Where the numbers were drawn: the sizes asked for, and smaller ones when those are large."""
    def sizes(dims: dict[str, int]) -> str:
        return ", ".join(f"{k}={n}" for k, n in dims.items())
    if v.scaled_down:
        return f"at the smaller sizes {sizes(v.dims)}, not at the sizes asked for: {v.scaled_down}"
    if v.later_dims:
        others = "the second" if v.draws == 2 else "the others"
        return f"at {sizes(v.dims)} (the first draw; {others} at the small sizes {sizes(v.later_dims)})"
    return f"at {sizes(v.dims)}"


#: The most rows and columns of numbers a table shows (what fits on a screen); the rest is counted.
SHOWN_ROWS, SHOWN_COLUMNS = 12, 10


def matrix_table(m, look: Look, title: str = "") -> Group:
    import numpy as np
    m = np.atleast_2d(m)
    if m.ndim > 2:  # a batch of matrices (B×T×D): its leading axes run down the rows
        title += look.text(f" ({'×'.join(map(str, m.shape))}, its first axes down the rows)")
        m = m.reshape(-1, m.shape[-1])
    table = Table(box=look.box, show_header=False, pad_edge=False)
    for _ in range(min(m.shape[1], SHOWN_COLUMNS)):
        table.add_column(justify="right")
    for row in m[:SHOWN_ROWS, :SHOWN_COLUMNS]:
        table.add_row(*(f"{v:.3g}" if v != 0 else "0" for v in row))
    hidden = [f"{n - SHOWN_ROWS} more rows" for n in m.shape[:1] if n > SHOWN_ROWS] + \
        [f"{n - SHOWN_COLUMNS} more columns" for n in m.shape[1:] if n > SHOWN_COLUMNS]
    parts = ([Text(title)] if title else []) + [table]
    if hidden:
        parts.append(Text(look.text(f"(not shown: {' and '.join(hidden)})"), style="dim"))
    return Group(*parts)


def numbers_view(nums, look: Look) -> Group:
    """A slice of the generalized Jacobian, then the contraction computed two ways."""
    import numpy as np
    of, leaf = nums.of, nums.leaf
    t = nums.tensor
    of_rank = nums.incoming.ndim
    squeezed_of = tuple(i for i, n in enumerate(t.shape[:of_rank]) if n != 1)
    parts: list[RenderableType] = [Text(look.text(f"The numbers (one random draw): ∂{of}/∂{leaf} has {t.size} entries, "
                            f"shape {'×'.join(map(str, t.shape))}."))]
    leaf_rank = t.ndim - of_rank
    flat = t.reshape(tuple(t.shape[i] for i in squeezed_of) + t.shape[of_rank:]) if squeezed_of or of_rank else t
    shown = 3
    if leaf_rank == 2 and flat.ndim in (3, 4):
        first = flat[0] if flat.ndim == 4 else flat  # in a batch, the first example's slice
        example = f"{of}[0,k]" if flat.ndim == 4 else f"{of}[k]"
        rows = first.shape[1]
        for i in range(min(shown, rows)):
            parts.append(matrix_table(first[:, i, :], look,
                                      look.text(f"∂{example}/∂{leaf}[{i},j]: rows k, columns j "
                                                f"(row {i} of {leaf})")))
        if rows > shown or flat.ndim == 4:
            left = [f"{rows - shown} more rows of {leaf}"] if rows > shown else []
            if flat.ndim == 4:
                left.append(f"the other {flat.shape[0] - 1} examples")
            parts.append(Text(look.text(f"(not shown: {' and '.join(left)}; they follow the same pattern)"),
                              style="dim"))
    elif flat.ndim <= 2:
        parts.append(matrix_table(flat, look, look.text(f"∂{of}/∂{leaf}")))
    else:
        parts.append(Text(look.text(f"(a {flat.ndim}-axis tensor: not printed)"), style="dim"))
    parts.append(matrix_table(nums.incoming, look, look.text(f"incoming gradient d{of} = ∂J/∂{of}")))
    parts.append(matrix_table(nums.contracted, look, look.text(f"Σ over {of}'s axes of d{of} · ∂{of}/∂{leaf}")))
    parts.append(matrix_table(nums.formula, look, look.text("the matrix form of the same step")))
    if not nums.whole:
        parts.append(Text(look.text(f"(this is the part of ∂J/∂{leaf} that flows through {of}; {leaf} also reaches "
                                    f"the loss another way, and ∂J/∂{leaf} adds the parts up)"), style="dim"))
    parts.append(Text(look.text(f"{look.ok(nums.matches)} the contraction and the matrix formula agree.")))
    if np.all(t == 0):
        parts.append(Text("(every entry is 0 here)"))
    return Group(*parts)
