"""What went wrong, and the fix, in the learner's own notation.

Reads an `Evaluation` (the passes' verdict and evidence) and returns the
diagnostics and the suggestion: notes and help on the first error, the
classic mistake named, the first wrong step found, and the suggestion written
as close to the learner's form as it can. Candidate fixes are tried with
`evaluate`, never with `check` itself.
"""
from __future__ import annotations

import itertools
import re

import numpy as np

from dataclasses import replace

from ..engine.diagnostics import Diagnostic, Fix, Label, source_lines
from ..engine.language.dims import ONE, format_shape
from ..engine.errors import TutorError
from ..engine.calculus.grad import backward
from ..engine.language.ir import OPERATORS, Call, Expr, Var, names_in, walk
from ..engine.numbers.budget import affordable, price
from ..engine.numbers.numeric import Evaluator
from ..engine.language.printer import code, code_or_none
from ..teach.contraction import delta, explain, textbook
from .evaluate import Evaluation, Line, close, evaluate, shape_error_diagnostic, truth_of
from . import scale
from .named import Named, recognise, stopped_early


def segment(result: Evaluation, expr: Expr) -> str:
    span = getattr(expr, "span", None)
    if span is None or (span.end_line or span.line) != span.line:
        return code(expr)
    return result.source_line(span.line)[span.col:span.end_col]


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
    lines = source_lines(result.source)
    text = lines[span.line - 1]
    lines[span.line - 1] = text[:span.col] + replacement + text[span.end_col:]
    return "\n".join(lines)


def attempt(result: Evaluation, text: str) -> Evaluation | None:
    """Evaluate a candidate fix quietly (None when it cannot even be read)."""
    try:
        return evaluate(result.network, result.wrt, text, dict(result.bindings), result.origin)
    except TutorError:
        return None


def diagnose(result: Evaluation) -> tuple[tuple[Diagnostic, ...], str]:
    """The diagnostics (the error first, then the warnings) and the suggested derivation."""
    if result.verdict == "shape_error":
        error, suggestion = shape_error(result)
        found = [error, *result.warnings]
    else:
        found, suggestion = value_problems(result)
        found = [*result.warnings, *found]
    found += [set_aside_note(result, span, why) for span, why in result.reading.set_aside]
    return tuple(found), suggestion or derived_formula(result)


def set_aside_note(result: Evaluation, span, why: str) -> Diagnostic:
    return Diagnostic("N216", "note", f"line {span.line} is not judged: {why}", span, origin=result.origin,
                      note=f"it claims no gradient, and ∂J/∂{result.wrt} is claimed before it; the verdict is "
                           f"about that claim")


def derived_formula(result: Evaluation) -> str:
    g = backward(result.network).wrt.get(result.wrt)
    return (code_or_none(g) or "") if g is not None else "0"


# -- shape errors ----------------------------------------------------------------------

def shape_error(result: Evaluation) -> tuple[Diagnostic, str]:
    """The first failing operation with its operands labelled, why, and the rearrangement that fixes it."""
    base = shape_error_diagnostic(result)
    error = result.error
    line = result.reading.failed_line
    node = failing_node(line, error.span) if line is not None else None
    if node is None:
        return base, ""
    b = result.bindings
    labels = tuple(Label(arg.span, f"{format_shape(shape)} = {format_shape(shape, b)}")
                   for arg, shape in zip(node.args, error.operands) if arg.span is not None)
    note = numeric_clash(error.operands, b)
    is_final = result.reading.failed_last
    best = None
    net = result.network  # each rearrangement is a whole evaluation: as many as one budget of time allows
    each = price([*net.definitions.values(), *backward(net).wrt.values()], b, net.shapes)
    for text, kind in rewrites(node, result)[:affordable(each)]:
        candidate = edited_source(result, error.span, text)
        outcome = attempt(result, candidate)
        if outcome is None or outcome.verdict == "shape_error":
            continue
        if outcome.verdict == "correct":
            best = (text, kind, candidate, outcome)
            break
        if best is None and outcome.shape_ok and is_final:
            best = (text, kind, candidate, outcome)
    if best is None:
        return replace(base, labels=labels, note=note), ""
    text, kind, candidate, outcome = best
    right = outcome.verdict == "correct"
    shape = outcome.shape
    shown = format_shape(shape) + (f" = {format_shape(shape, b)}" if shape else "")
    whole_answer = is_final and line.expr.span == error.span  # the arrow's shape is the answer's shape
    prose = f"write `{text}`" + (f" → {shown}" if whole_answer and shape is not None else "") + \
        ("" if right else " (this conforms; check the values next)")
    note = (note + " " if note else "") + rearrangement_note(result, node, kind)
    fixed = replace(base, labels=labels, note=note, help=Fix(prose, error.span, text))
    return fixed, candidate.strip() if right else ""


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

def value_problems(result: Evaluation) -> tuple[list[Diagnostic], str]:
    """Steps that claim something false, then what is wrong with the answer, and a suggestion.

    The verdict is about the answer. A false step that a right step (or a right answer) is built on
    was made good later — a course's convention, such as deeplearning.ai's per-example dZ2 = A2 - Y —
    and is a note. When the answer is wrong, the first false step it depends on that nothing made
    good leads the diagnosis."""
    samples = result.samples
    found: list[Diagnostic] = []
    reading = result.reading
    uses = dependencies(reading)
    answer = reading.answer or ANSWER
    if reading.answer is None:
        uses[ANSWER] = reading_deps_of_last(reading, uses)
    answer_deps = uses.get(answer, set()) | {answer}
    right = [s.var for s in result.steps if s.value_ok] + ([answer] if result.verdict == "correct" else [])
    made_good = {s.name: next((r for r in right if s.var in uses.get(r, set()) and r != s.var), None)
                 for s in result.steps}
    false = [s for s in result.steps if not (s.shape_ok and s.value_ok)]
    scales = scale.Scales(result)
    leading, lead_named = None, None
    if result.verdict != "correct":
        leading = next((s for s in false if s.var in answer_deps and made_good[s.name] is None), None)
    found += [in_place_note(result, s) for s in result.steps if s.passed]
    for step in false:
        if step is leading:
            diagnostic, lead_named = leading_step(result, step, scales)
            found.append(diagnostic)
        elif made_good[step.name] is not None or result.verdict == "correct":
            found.append(step_note(result, step, made_good[step.name], scales))
    if result.verdict == "correct":
        return found, ""
    finals = [d.final for d in samples]
    verdict = result.verdict
    last = result.answer_span
    if verdict == "transposed":
        found.append(Diagnostic(
            "E211", "error", f"this is the transpose of ∂J/∂{result.wrt}: {format_shape(result.shape)} where "
            f"{result.wrt} is {format_shape(result.expected_shape)}", last, origin=result.origin,
            note="a gradient has the parameter's own shape (denominator layout), so W -= lr * dW works"))
    elif verdict == "scaled":
        found.append(Diagnostic("E212", "error", scaled_message(result, scales), last, origin=result.origin))
    elif verdict == "wrong_shape":
        found.append(wrong_shape(result, samples))
    else:
        named = recognise(result, result.wrt, finals, samples)
        message = f"the shape is right ({format_shape(result.shape)}) but the values are not ∂J/∂{result.wrt}"
        if named and lead_named == named and leading.claims != result.wrt:
            # the step's own diagnostic names this mistake and its fix: say where, not the same twice
            message += f": it is built on {leading.name} (line {leading.line}), which has the mistake named above"
            named = Named(named.what, "", "")
        elif named:
            message += f": {named.what}"
        note = " ".join(t for t in (named.why if named else "", helper_hint(result)) if t)
        found.append(Diagnostic("E213", "error", message, last, origin=result.origin, note=note,
                                help=Fix(named.fix) if named and named.fix else None))
    return found, suggest(result, samples)


ANSWER = "<answer>"  # the bare last expression, where there is one


def dependencies(reading) -> dict[str, set[str]]:
    """For each variable of the derivation, every variable its value was computed from."""
    out: dict[str, set[str]] = {}
    for line in reading.lines:
        reads = names_in(line.expr)
        deps = set(reads)
        for r in reads:
            deps |= out.get(r, set())
        if line.name:
            out[line.name] = deps
    return out


def reading_deps_of_last(reading, uses) -> set[str]:
    last = reading.lines[-1] if reading.lines else None
    if last is None:
        return set()
    deps = set(names_in(last.expr))
    for r in list(deps):
        deps |= uses.get(r, set())
    return deps


def leading_step(result: Evaluation, step, scales: scale.Scales) -> tuple[Diagnostic, Named | None]:
    """The first false step the wrong answer is built on: what it is, and the right line (and the classic
    mistake it makes, if it is one)."""
    samples = result.samples
    values = [d.learner[step.var] for d in samples]
    named = recognise(result, step.claims, values, samples) if step.shape_ok else None
    described = describe(result, step, scales)
    what = f": {named.what}" if named else f": {described}" if described else ""
    note = " ".join(t for t in (named.why if named else "", helper_hint(result)) if t)
    help_text = step_help(result, step)
    return Diagnostic("E214", "error", f"{step.name} is not ∂J/∂{step.claims}" + what, step_span(result, step),
                      origin=result.origin, note=note, help=Fix(help_text) if help_text else None), named


def step_note(result: Evaluation, step, good: str | None, scales: scale.Scales) -> Diagnostic:
    """A false claim that the answer does not suffer from: say what it holds, and where it is made good."""
    what = describe(result, step, scales) or f"does not hold ∂J/∂{step.claims}"
    later = result.reading.answer_span if good == ANSWER else \
        next((l.span for l in result.lines if l.name == good), None)
    where = ""
    if later is not None:
        at = f"line {later.line}"
        if later.line == step.line:  # statements separated by `;`: name the statement itself
            at = f"`{result.source_line(later.line)[later.col:later.end_col].strip()}`"
        where = f"; {at} makes up for it"
        f = scales.step(step)
        inverse = scale.inverse_text(f) if f is not None else None
        if inverse:
            where = f"; the {inverse} comes back in {at}"
    return Diagnostic("N214", "note", f"your {step.name} {what}{where}", step_span(result, step),
                      origin=result.origin)


def in_place_note(result: Evaluation, step) -> Diagnostic:
    """CS231n's `dhidden[hidden <= 0] = 0`: the name held ∂J/∂hidden and now holds the gradient at
    hidden's input. Right, and worth saying: the name no longer says what it holds."""
    span, through = step.passed
    function = result.network.definitions[step.claims].prim
    now = through.name if isinstance(through, Var) else f"({code(through)})"
    return Diagnostic("N215", "note", f"{step.name} changes here: it held ∂J/∂{step.claims} and now holds "
                      f"∂J/∂{now}, the gradient at the input of {step.claims}'s {function}", span,
                      origin=result.origin)


def step_span(result: Evaluation, step):
    from ..engine.diagnostics import Span
    return Span(step.line, step.col, step.col + len(step.name)) if step.line else None


def describe(result: Evaluation, step, scales: scale.Scales) -> str:
    """What a false step holds, in the learner's terms: a multiple, a transpose, another node's gradient."""
    samples = result.samples
    values = [d.learner[step.var] for d in samples]
    f = scales.step(step)
    if f is not None:
        return f"is {scale.multiple(f)}∂J/∂{step.claims}" + scale.convention(f)
    if all(np.ndim(v) == 2 and close(np.transpose(v), truth_of(d, step.claims), d.reference)
           for v, d in zip(values, samples)):
        return f"is the transpose of ∂J/∂{step.claims}"
    net = result.network
    for other in net.nodes:
        if other != step.claims and other not in net.labels and net.shapes[other] == step.shape \
                and all(close(v, truth_of(d, other), d.reference) for v, d in zip(values, samples)) \
                and any(np.any(np.asarray(truth_of(d, other)) != 0) for d in samples):
            return f"holds ∂J/∂{other}, not ∂J/∂{step.claims}"
    if not step.shape_ok and step.shape is not None:
        return (f"is {format_shape(step.shape)}, but ∂J/∂{step.claims} has {step.claims}'s shape "
                f"{format_shape(net.shapes[step.claims])}")
    return ""


def helper_hint(result: Evaluation) -> str:
    """sigmoid_grad takes the sigmoid's output (CS224n); some books define it on the pre-activation."""
    inputs = sigmoid_inputs(result.network)
    for name, arg, span in result.reading.helper_uses:
        if name == "sigmoid_grad" and arg is not None and arg in inputs:
            return (f"line {span.line}: the built-in sigmoid_grad takes the sigmoid's OUTPUT (CS224n's "
                    f"convention), but this is the sigmoid's input; if your course defines it on the "
                    "pre-activation (Saito's book does), define it with def")
        if name == "sigmoid_prime" and arg is not None and arg in sigmoid_outputs(result.network):
            return (f"line {span.line}: sigmoid_prime takes the PRE-activation z (Nielsen's convention), but this "
                    "is the sigmoid's output")
    return ""


def sigmoid_inputs(net) -> list:
    out = []
    for name, expr in net.definitions.items():
        for node in walk(expr):
            if isinstance(node, Call) and node.prim == "sigmoid":
                a = node.args[0]
                out.append(a)
                if isinstance(a, Var) and a.name in net.definitions:
                    out.append(net.definitions[a.name])
    return out


def sigmoid_outputs(net) -> list:
    return [Var(name) for name, expr in net.definitions.items() if isinstance(expr, Call) and expr.prim == "sigmoid"]


def scaled_message(result, scales: scale.Scales) -> str:
    f = scales.answer()
    if f is None:
        return f"this is {result.factor:.6g} × ∂J/∂{result.wrt}: off by a constant factor"
    return f"this is {scale.multiple(f)}∂J/∂{result.wrt}{scale.here(f, result.bindings)}: {scale.cause(f)}"


def wrong_shape(result: Evaluation, samples) -> Diagnostic:
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
    elif all(f.size == t.size and close(f.reshape(t.shape), t) for f, t in zip(finals, truths)):
        note = (f"the numbers are right, in the right order, but arranged as {format_shape(got)}: a gradient "
                f"keeps its parameter's shape, so that {result.wrt} -= lr * d{result.wrt} works")
        help_text = f"leave out the reshape, or write `….reshape({result.wrt}.shape)`"
    else:
        for axis in range(len(got)):
            summed = [np.sum(f, axis=axis) for f in finals]
            if all(s.shape == t.shape and close(s, t) for s, t in zip(summed, truths)):
                note = f"the bias was broadcast over axis {axis}, so its gradient is summed over that axis"
                help_text = f"sum(…, axis={axis})"
                break
        else:
            fix = other_axis(result)
            early = stopped_early(result, samples) if not fix else None
            if early is not None:
                return early_chain(result, early)
            if fix:
                note, help_text = fix
    return Diagnostic("E210", "error", message, result.answer_span, origin=result.origin, note=note,
                      help=Fix(help_text) if help_text else None)


COUNTS = {1: "one factor", 2: "two factors", 3: "three factors", 4: "four factors", 5: "five factors",
          6: "six factors", 7: "seven factors", 8: "eight factors", 9: "nine factors"}


def pre_activation(net, node: str) -> bool:
    """z1 = x @ W1 + b1: the node textbooks call δ1's home (not h1 = σ(z1), not a loss term)."""
    expr = net.definitions.get(node)
    return isinstance(expr, Call) and expr.prim in ("add", "sub", "matmul") and \
        any(isinstance(n, Call) and n.prim in ("matmul", "einsum") for n in walk(expr))


def early_chain(result: Evaluation, early) -> Diagnostic:
    """The answer is ∂J/∂node for a node on the way: name it (δ1), the factors still missing with their
    shapes, and, for the last one, the contraction that finishes the job (xᵀδ1)."""
    net, leaf, node = result.network, result.wrt, early.node
    named = delta(node) if pre_activation(net, node) else None
    short = named or f"d{node}"
    what = f"{short} = ∂J/∂{node}" if named else f"∂J/∂{node}"
    count = COUNTS.get(len(early.missing), f"{len(early.missing)} factors")
    message = (f"this is {what} ({format_shape(net.shapes[node])}), not ∂J/∂{leaf} "
               f"({format_shape(result.expected_shape)}): the chain stopped {count} early")
    last = result.answer_span
    if len(early.missing) > 1:
        listed = " and ".join(f"∂{f.of}/∂{f.wrt} ({format_shape(f.shape)})" for f in early.missing)
        return Diagnostic("E210", "error", message, last, origin=result.origin,
                          note=f"the factors still missing are {listed}: go back through each of them in turn")
    f = early.missing[0]
    c = explain(net, f.of, leaf)
    note = f"the missing factor ∂{f.of}/∂{f.wrt} is a {format_shape(f.shape)} tensor, not a matrix"
    fix = None
    if c is not None and not re.search(rf"\bd{re.escape(node)}\b", c.matrix):
        c = None  # the leaf sits inside a larger definition (tanh(X @ W1 + b1)): no single contraction
        note += f": go back through {node}'s whole definition, {code(net.definitions[node])}, to {leaf}"
    if c is not None:
        lhs, _, rhs = c.contraction.partition(" = ")
        result_text = rhs.rsplit(" = ", 1)[-1]
        mine = re.sub(rf"\bd{re.escape(node)}\b", short, f"{lhs} = {result_text}")
        note += (f": {c.entries}; contracting {short} with it gives {mine}, which is {textbook(c)}: "
                 f"{c.shapes}")
        fix = finishing_fix(result, c)
    return Diagnostic("E210", "error", message, last, origin=result.origin, note=note, help=fix)


def finishing_fix(result: Evaluation, c) -> Fix | None:
    """The learner's own answer put into the contraction's matrix form, if that is right."""
    line = next((l for l in result.lines if l.name == result.reading.answer), None) \
        if result.reading.answer is not None else (result.lines[-1] if result.lines else None)
    span = getattr(line.expr, "span", None) if line is not None else None
    if span is None or (span.end_line or span.line) != span.line:
        return None
    mine = atomic(segment(result, line.expr))
    written = re.sub(rf"\bd{re.escape(c.of)}\b", lambda _: mine, c.matrix)
    outcome = attempt(result, edited_source(result, span, written))
    if outcome is None or outcome.verdict != "correct":
        return None
    return Fix(f"write `{written}`", span, written)


def unit_axes(got, want) -> tuple[int, ...] | None:
    """The axes of length 1 whose removal turns `got` into `want`, if that is all that differs."""
    if len(got) < len(want):
        return None
    for extra in itertools.combinations(range(len(got)), len(got) - len(want)):
        if all(got[i] == ONE for i in extra) and tuple(d for i, d in enumerate(got) if i not in extra) == want:
            return extra
    return None


def other_axis(result) -> tuple[str, str] | None:
    """A sum over the wrong axis: try the others on the learner's last line."""
    if not result.lines:
        return None
    for node in walk(result.lines[-1].expr):
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


def step_help(result, step) -> str:
    """∂J/∂claims, written from the learner's last correct step before this one if possible."""
    net = result.network
    earlier = [s for s in result.steps if s.value_ok and s.statement < step.statement and s.name != step.name]
    for good in reversed(earlier):
        g = backward(net, seeds={good.claims: Var(good.name, shape=net.shapes[good.claims])}).wrt.get(step.claims)
        if g is not None and dominates(net, good.claims, step.claims):
            text = code_or_none(g)
            return f"{step.name} = {text}" if text else ""
    g = backward(net).wrt.get(step.claims)
    text = code_or_none(g) if g is not None else None
    return f"{step.name} = {text}" if text else ""


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


def suggest(result: Evaluation, samples) -> str:
    """The correct formula in terms of the learner's last correct step: their lines up to that step, then
    one line for the answer (short, in their names)."""
    net = result.network
    good = [s for s in result.steps if s.value_ok and s.name.isidentifier()]
    target = answer_name(result)
    for step in sorted(good, key=lambda s: s.statement, reverse=True):
        seed = Var(step.name, shape=net.shapes[step.claims])
        g = backward(net, seeds={step.claims: seed}).wrt.get(result.wrt)
        if g is None:
            continue
        named = lambda d: {**d.values, step.name: d.learner[step.var]}  # noqa: E731
        if all(close(np.broadcast_to(Evaluator(named(d), result.bindings)(g), np.shape(d.truth[result.wrt])),
                     d.truth[result.wrt], d.reference) for d in samples):
            text = code_or_none(g)
            if not text:
                return ""
            prefix = "\n".join(result.reading.statements[: step.statement + 1])
            return f"{prefix}\n{target} = {text}"
    return ""


def answer_name(result: Evaluation) -> str:
    """The name the learner gives the answer (dW1, grads['W1']), or dLEAF."""
    mine = [c for c in result.reading.claims if c.node == result.wrt]
    return max(mine, key=lambda c: c.statement).name if mine else f"d{result.wrt}"
