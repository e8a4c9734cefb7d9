"""What went wrong, and the fix, in the learner's own notation.

Works on a `CheckResult` that the passes have filled in: adds notes and help
to the first error, names classic mistakes, finds the first wrong step, and
writes the suggestion as close to the learner's form as it can.
"""
from __future__ import annotations

import itertools

import numpy as np

from .check import Diagnostic, Line, close
from .dims import format_shape
from .errors import ShapeError, TutorError
from .ir import OPERATORS, Call, Expr, Var, walk
from .mistakes import MISTAKES
from .printer import code, code_or_none


def source_line(result, line: int) -> str:
    lines = result.source.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def segment(result, expr: Expr) -> str:
    span = getattr(expr, "span", None)
    if span is None or (span.end_line or span.line) != span.line:
        return code(expr)
    return source_line(result, span.line)[span.col:span.end_col]


def atomic(text: str) -> str:
    """Wrap in parentheses unless it already reads as one operand (a name, a call, a group)."""
    t = text.strip()
    if t.replace("_", "").replace(".", "").isalnum():
        return t
    head = t.split("(", 1)[0]
    if t.endswith(")") and (head == "" or head.replace(".", "").replace("_", "").isalnum()) \
            and closing_paren(t, len(head)) == len(t) - 1:
        return t
    return f"({t})"


def closing_paren(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1


def failing_node(line: Line, span) -> Call | None:
    for node in walk(line.expr):
        if isinstance(node, Call) and node.span == span:
            return node
    return None


def rewrites(node: Call, result) -> list[tuple[str, str]]:
    """Rearrangements of a failing operation: (text, what changed)."""
    a, b = (atomic(segment(result, x)) for x in node.args[:2]) if len(node.args) == 2 else (None, None)
    if a is None:
        return []
    ta, tb = (f"{x}.T" for x in (a, b))
    if node.prim == "matmul":
        raw_a, raw_b = (segment(result, x).strip() for x in node.args)
        bare_a, bare_b = (x[:-2] if x.endswith(".T") else x for x in (raw_a, raw_b))
        return [(f"{tb} @ {a}", "swap-transpose"), (f"{b} @ {ta}", "swap-transpose"),
                (f"{a} @ {tb}", "transpose-right"), (f"{ta} @ {b}", "transpose-left"),
                (f"{b} @ {a}", "swap"), (f"{a} * {b}", "elementwise"), (f"{ta} @ {tb}", "transpose-both"),
                (f"outer({bare_a}, {bare_b})", "outer"), (f"outer({bare_b}, {bare_a})", "outer")]
    symbol = OPERATORS[node.prim] if node.prim in ("add", "sub", "mul", "div") else None
    if symbol is None:
        return []
    return [(f"{a} {symbol} {tb}", "transpose-right"), (f"{ta} {symbol} {b}", "transpose-left"),
            (f"{a} @ {b}", "matmul"), (f"{a} @ {tb}", "matmul"), (f"{ta} @ {b}", "matmul")]


def edited_source(result, span, replacement: str) -> str:
    lines = result.source.splitlines()
    text = lines[span.line - 1]
    lines[span.line - 1] = text[:span.col] + replacement + text[span.end_col:]
    return "\n".join(lines)


def attempt(result, text: str):
    """Check a candidate fix quietly: (result or None)."""
    from .check import check
    try:
        return check(result.network, result.wrt, text, {k: v for k, v in result.bindings.items()},
                     _diagnose=False)
    except TutorError:
        return None


def diagnose(result, failed_at: int | None = None, error: ShapeError | None = None,
             samples=None, truth_exprs=None, enabled: bool = True) -> None:
    if not enabled:
        return
    if result.verdict == "shape_error":
        shape_error(result, failed_at, error)
    else:
        value_problems(result, samples, truth_exprs)
    if not result.suggestion:
        result.suggestion = derived_formula(result)


def derived_formula(result) -> str:
    from .grad import backward
    g = backward(result.network).wrt.get(result.wrt)
    return (code_or_none(g) or "") if g is not None else "0"


# -- shape errors ----------------------------------------------------------------------

def shape_error(result, failed_at: int, error: ShapeError) -> None:
    diag = result.diagnostics[0]
    line = result.lines[failed_at]
    node = failing_node(line, error.span)
    if node is None:
        return
    b = result.bindings
    diag.labels = tuple((arg.span, f"{format_shape(shape)} = {format_shape(shape, b)}")
                        for arg, shape in zip(node.args, error.operands) if arg.span is not None)
    symbolic_clash = numeric_clash(error.operands, b)
    if symbolic_clash:
        diag.note = symbolic_clash
    is_final = failed_at == len(result.lines) - 1
    best = None
    for text, kind in rewrites(node, result):
        candidate = edited_source(result, error.span, text)
        outcome = attempt(result, candidate)
        if outcome is None or outcome.verdict == "shape_error":
            continue
        if line.claims and not any(s.name == line.name and s.value_ok for s in outcome.steps):
            continue
        if outcome.verdict == "correct":
            best = (text, kind, candidate, outcome)
            break
        if best is None and outcome.shape_ok and is_final:
            best = (text, kind, candidate, outcome)
    if best is None:
        return
    text, kind, candidate, outcome = best
    right = outcome.verdict == "correct"
    shape = outcome.shape
    shown = format_shape(shape) + (f" = {format_shape(shape, b)}" if shape else "")
    whole_answer = is_final and line.expr.span == error.span  # the arrow's shape is the answer's shape
    diag.help = f"write `{text}`" + (f" → {shown}" if whole_answer and shape is not None else "") + \
        ("" if right else " (this conforms; check the values next)")
    diag.note = (diag.note + " " if diag.note else "") + rearrangement_note(result, node, kind)
    if right:
        result.suggestion = candidate.strip()


def numeric_clash(operands, bindings) -> str:
    dims = {d for s in operands for d in s if not d.is_literal}
    by_value = {}
    for d in dims:
        by_value.setdefault(d.value(bindings), []).append(str(d))
    same = [names for names in by_value.values() if len(names) > 1]
    if not same:
        return ""
    names = sorted(same[0])
    return (f"{' and '.join(names)} are different dimensions even though both are "
            f"{next(v for v, n in by_value.items() if n == same[0])} here: NumPy would run this and compute "
            "something else, so shapetutor reads the symbols.")


def rearrangement_note(result, node: Call, kind: str) -> str:
    """Why the rearrangement is right, in the tutor's terms."""
    from .contraction import explain
    net, leaf = result.network, result.wrt
    partner = partner_of(net, leaf)
    names = {getattr(a, "name", None) for a in walk(node) if isinstance(a, Var)}
    if node.prim == "matmul" and kind.startswith("swap") and partner and partner[1] in names:
        of, other = partner
        c = explain(net, of, leaf)
        shape = net.shapes[of] + net.leaves[leaf]
        side = "left" if c and c.matrix.startswith(other) else "right"
        return (f"the last factor ∂{of}/∂{leaf} is not a matrix but a {format_shape(shape)} tensor "
                f"with entries {c.entries.split(' = ', 1)[1] if c else '…'}; contracting the incoming gradient "
                f"with it puts {other} on the {side}, transposed" + (f": {c.matrix}, {c.shapes}" if c else "") + ".")
    if kind == "outer":
        return ("with 1-D vectors there is no row or column to transpose (.T does nothing); the outer product "
                "that the contraction gives is outer(x, d).")
    if kind == "elementwise":
        return "`@` is the matrix product; an activation's derivative multiplies elementwise, with `*`."
    if kind in ("transpose-right", "transpose-left"):
        which = node.args[1] if kind == "transpose-right" else node.args[0]
        nm = code(which)
        return f"{nm} where {nm}ᵀ belongs: going backwards through a product with {nm} multiplies by its transpose."
    if kind == "matmul":
        return "the shapes ask for a matrix product here, not an elementwise one."
    return ""


def partner_of(net, leaf: str) -> tuple[str, str] | None:
    """(of, name) when the leaf meets a named array in a matmul: z1 = x @ W1 → ("z1", "x")."""
    for of, expr in net.definitions.items():
        for node in walk(expr):
            if isinstance(node, Call) and node.prim == "matmul":
                a, b = node.args
                for mine, other in ((a, b), (b, a)):
                    if isinstance(mine, Var) and mine.name == leaf and isinstance(other, Var):
                        return of, other.name
    return None


# -- wrong values and wrong shapes -----------------------------------------------------------

def value_problems(result, samples, truth_exprs) -> None:
    first_bad = next((s for s in result.steps if s.value_ok is False or not s.shape_ok), None)
    if first_bad is not None:
        line = next(l for l in result.lines if l.name == first_bad.name)
        values = [d.learner[first_bad.name] for d in samples]
        named = recognise(result, first_bad.claims, values, samples) if first_bad.shape_ok else None
        what = f": {named[0]}" if named else ""
        if result.value_ok and not what:  # the verdict describes this step: the answer is right by compensation
            if result.verdict == "scaled":
                what = f": {cause_of(result.factor, result.bindings)}"
            else:
                what = {"transposed": ": it is the transpose", "wrong_shape": ": it has the wrong shape"
                        }.get(result.verdict, "")
        note = named[1] if named else ""
        if result.value_ok:
            note = (note + " " if note else "") + ("The final answer's numbers are right only because a later "
                                                   "step makes up for this one.")
        result.diagnostics.append(Diagnostic("E214", "error", f"{first_bad.name} is not ∂J/∂{first_bad.claims}"
                                             + what, line.span, None, None, note=note,
                                             help=step_help(result, first_bad.claims, line)))
    finals = [d.final for d in samples]
    verdict = result.verdict
    if verdict == "correct" or result.value_ok:
        return
    if verdict == "transposed":
        result.diagnostics.append(Diagnostic(
            "E211", "error", f"this is the transpose of ∂J/∂{result.wrt}: {format_shape(result.shape)} where "
            f"{result.wrt} is {format_shape(result.expected_shape)}", result.lines[-1].span, None, None,
            note="a gradient has the parameter's own shape (denominator layout), so W -= lr * dW works"))
    elif verdict == "scaled":
        result.diagnostics.append(Diagnostic("E212", "error", scaled_message(result), result.lines[-1].span))
    elif verdict == "wrong_shape":
        result.diagnostics.append(wrong_shape(result, samples))
    else:
        named = recognise(result, result.wrt, finals, samples)
        message = f"the shape is right ({format_shape(result.shape)}) but the values are not ∂J/∂{result.wrt}"
        if named:
            message += f": {named[0]}"
        result.diagnostics.append(Diagnostic("E213", "error", message, result.lines[-1].span,
                                             note=named[1] if named else ""))
    suggest(result, samples)


def recognise(result, node: str, values, samples) -> tuple[str, str] | None:
    """Name the classic mistake whose gradient of `node` equals these values (one per draw), if any."""
    from .grad import backward
    from .numeric import Evaluator
    for mistake in MISTAKES:
        try:
            wrong = backward(result.network, rules=mistake.rules).wrt.get(node)
        except ShapeError:
            continue
        if wrong is not None and all(close(value, np.asarray(Evaluator(draw.values, result.bindings)(wrong)))
                                     for value, draw in zip(values, samples)):
            return mistake.name, mistake.explanation
    return None


def scaled_message(result) -> str:
    return f"this is {result.factor:.9g} × ∂J/∂{result.wrt}: {cause_of(result.factor, result.bindings)}"


def cause_of(c: float, bindings: dict[str, int]) -> str:
    """The likely reason for a constant factor: a dimension (1/N), a sign, or a 2 from a square."""
    causes = [(-1, "the sign is flipped (at softmax logits the gradient is ŷ − y, not y − ŷ)")]
    for name, value in bindings.items():  # dimensions first: N = 2 is a missing 1/N, not a square
        causes += [(value, f"a factor {name} = {value} too large: the 1/{name} is missing"),
                   (1 / value, f"a factor 1/{name} too small: the 1/{name} is applied twice"),
                   (-value, f"the sign is flipped and the 1/{name} is missing"),
                   (-1 / value, f"the sign is flipped and the 1/{name} is applied twice")]
    causes += [(2, "off by a factor of 2 (a square's derivative 2·u, or a ½ that should cancel it?)"),
               (0.5, "off by a factor of 1/2 (a square's derivative 2·u, or a ½ that should cancel it?)")]
    return next((text for value, text in causes if np.isclose(c, value, rtol=1e-9)), f"off by a factor of {c:.9g}")


def wrong_shape(result, samples) -> Diagnostic:
    from .check import Diagnostic
    got, want = result.shape, result.expected_shape
    message = f"the result is {format_shape(got)}, but ∂J/∂{result.wrt} has {result.wrt}'s shape {format_shape(want)}"
    note, help_text = "", ""
    finals = [np.asarray(d.final) for d in samples]
    truths = [np.asarray(d.truth.get(result.wrt)) for d in samples]
    extra = unit_axes(got, want)
    if extra is not None and all(f.size == t.size and close(f.reshape(t.shape), t) for f, t in zip(finals, truths)):
        axis = str(extra[0]) if len(extra) == 1 else str(extra)
        note = (f"the numbers are right, but the result has {'an extra axis' if len(extra) == 1 else 'extra axes'} "
                f"of length 1 (axis {axis})" + (": the single example's axis, which a batch would make N long"
                                                 if extra == (0,) else ""))
        help_text = f"sum(…, axis={axis})" if extra != tuple(range(len(got))) else "sum(…)"
    else:
        for axis in range(len(got)):
            summed = [np.sum(f, axis=axis) for f in finals]
            if all(s.shape == t.shape and close(s, t) for s, t in zip(summed, truths)):
                note = f"the bias was broadcast over axis {axis}, so its gradient is summed over that axis"
                help_text = f"sum(…, axis={axis})"
                break
        else:
            fix = other_axis(result)
            if fix:
                note, help_text = fix
    return Diagnostic("E210", "error", message, result.lines[-1].span, None, None, note=note, help=help_text)


def unit_axes(got, want) -> tuple[int, ...] | None:
    """The axes of length 1 whose removal turns `got` into `want`, if that is all that differs."""
    from .dims import ONE
    if len(got) < len(want):
        return None
    for extra in itertools.combinations(range(len(got)), len(got) - len(want)):
        if all(got[i] == ONE for i in extra) and tuple(d for i, d in enumerate(got) if i not in extra) == want:
            return extra
    return None


def other_axis(result) -> tuple[str, str] | None:
    """A sum over the wrong axis: try the others on the learner's last line."""
    line = result.lines[-1]
    for node in walk(line.expr):
        if isinstance(node, Call) and node.prim == "sum" and isinstance(node.param("axis"), int) and node.span:
            axis = node.param("axis")
            for other in range(len(node.args[0].shape)):
                if other == axis % len(node.args[0].shape):
                    continue
                text = segment(result, node)
                fixed = text.replace(f"axis={axis}", f"axis={other}")
                if fixed == text:
                    continue
                outcome = attempt(result, edited_source(result, node.span, fixed))
                if outcome is not None and outcome.verdict == "correct":
                    return (f"summed over axis {axis}, but the bias was broadcast over axis {other} "
                            f"(the examples)", f"write `{fixed}`")
    return None


def step_help(result, claims: str, line: Line) -> str:
    """∂J/∂claims, written from the learner's last correct step before this line if possible."""
    from .grad import backward
    net = result.network
    before = {l.name for l in result.lines[: result.lines.index(line)]}
    earlier = [s for s in result.steps if s.value_ok and s.name in before]
    for step in reversed(earlier):
        g = backward(net, seeds={step.claims: Var(step.name, shape=net.shapes[step.claims])}).wrt.get(claims)
        if g is not None and dominates(net, step.claims, claims):
            text = code_or_none(g)
            return f"{line.name} = {text}" if text else ""
    g = backward(net).wrt.get(claims)
    text = code_or_none(g) if g is not None else None
    return f"{line.name} = {text}" if text else ""


def dominates(net, upper: str, lower: str) -> bool:
    """Every path from the loss to `lower` passes through `upper`."""
    if upper == lower:
        return True
    if upper not in net.descendants(lower):
        return False
    alive = {lower}  # what depends on `lower` without going through `upper`
    for name, used in net.reads.items():
        if name != upper and not alive.isdisjoint(used):
            alive.add(name)
    return net.loss not in alive


def suggest(result, samples) -> None:
    """The correct formula in terms of the learner's last correct step, when one exists."""
    from .grad import backward
    from .numeric import Evaluator
    net = result.network
    good = [s for s in result.steps if s.value_ok]
    for step in reversed(good):
        seed = Var(step.name, shape=net.shapes[step.claims])
        g = backward(net, seeds={step.claims: seed}).wrt.get(result.wrt)
        if g is None:
            continue
        if all(close(np.broadcast_to(Evaluator({**d.values, **d.learner}, result.bindings)(g),
                                     np.shape(d.truth[result.wrt])), d.truth[result.wrt]) for d in samples):
            upto = next(i for i, x in enumerate(result.lines) if x.name == step.name)
            prefix = "".join(f"{l.name} = {segment(result, l.expr)}\n" for l in result.lines[: upto + 1])
            text = code_or_none(g)
            if text:
                result.suggestion = prefix + text
            return
