"""The passes of `check` over a learner's derivation, each returning data.

1. parse (a `TutorError`, exit 2, on anything unusable),
2. symbolic shapes in evaluation order (the first operation that does not conform is the error),
3. values in float64 on several random draws, against the engine's own (verified) gradients.

`evaluate` runs them and returns an `Evaluation`: the verdict without the explanations.
`diagnose` explains it; `check` is the two together.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, replace

import numpy as np

from ..engine.diagnostics import Diagnostic, Fix, source_lines
from ..engine.dims import ONE, Shape, format_shape
from ..engine.errors import ParseError, ShapeError, Span, TutorError
from ..engine.grad import backward
from ..engine.ir import Call, Expr, Var, op_name
from ..engine.language import CLAIM_NAME
from ..engine.network import Network, check_indices
from ..engine.numeric import Evaluator
from ..engine.parse import Reader, Scope
from ..engine.sampling import sample
from ..engine.shapes import ELEMENTWISE, infer
from ..engine.verify import MAX_DRAWS
from .result import CheckResult, Line, Step

RTOL, ATOL = 1e-8, 1e-11  # one part in a million is far outside these; rounding is far inside
DRAWS = 3


# -- pass 1: parse ---------------------------------------------------------------------

def parse_derivation(network: Network, text: str, origin: str = "<derivation>") -> list[Line]:
    reader = Reader(text, origin)
    tree = reader.parse_module()
    if not tree.body:
        raise TutorError("the derivation is empty", origin=origin,
                         expected="one or more lines `name = expression`, the last may be a bare expression")
    arrays: dict[str, Shape | None] = dict(network.shapes)
    assigned = [s.targets[0].id if isinstance(s, ast.Assign) and len(s.targets) == 1
                and isinstance(s.targets[0], ast.Name) else None for s in tree.body]
    lines = []
    for i, stmt in enumerate(tree.body):
        last = i == len(tree.body) - 1
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
            if name in network.shapes or name in network.dims:
                raise reader.error(ParseError, f"{name!r} is already a name in the network; give this step "
                                               f"its own name, such as d{name}", stmt.targets[0])
            if name in arrays:
                raise reader.error(ParseError, f"{name!r} is assigned twice; give each step its own name",
                                   stmt.targets[0])
            value = stmt.value
        elif isinstance(stmt, ast.Expr) and last:
            name, value = None, stmt.value
        elif isinstance(stmt, ast.Expr):
            raise reader.error(ParseError, "only the last line may be a bare expression", stmt,
                               "`name = expression` on every line but the last")
        else:
            raise reader.error(ParseError, "a derivation holds only lines `name = expression`", stmt,
                               "`dz1 = dh * h * (1 - h)`, or a bare expression as the last line")
        later = {n for n in assigned[i:] if n} - set(arrays)
        scope = Scope(arrays=arrays, dims=set(network.dims), later=later)
        expr = reader.expr(value, scope)
        match = CLAIM_NAME.match(name or "")
        claims = match.group("name") if match and match.group("name") in network.shapes else None
        lines.append(Line(name, expr, reader.span(stmt), claims))
        if name:
            arrays[name] = None
    return lines


# -- pass 2: shapes ----------------------------------------------------------------------

class ShapePass:
    """Fills in shapes in evaluation order, collecting warnings; stops at the first error."""

    def __init__(self, network: Network, bindings: dict[str, int]):
        self.network = network
        self.bindings = bindings
        self.arrays: dict[str, Shape] = dict(network.shapes)
        self.warnings: list[Diagnostic] = []

    def line(self, line: Line) -> Line:
        typed = self.expr(line.expr)
        if line.name:
            self.arrays[line.name] = typed.shape
        return replace(line, expr=typed)

    def expr(self, e: Expr) -> Expr:
        if isinstance(e, Var):
            return replace(e, shape=self.arrays[e.name])
        if not isinstance(e, Call):
            return e
        node = replace(e, args=tuple(self.expr(a) for a in e.args))
        shapes = [a.shape for a in node.args]
        try:
            shape = infer(node, shapes)
        except ShapeError as error:
            shape = self.numeric_coincidence(node, shapes, error)
        node = replace(node, shape=shape)
        self.warn(node)
        return node

    def numeric_coincidence(self, node: Call, shapes: list[Shape], error: ShapeError) -> Shape:
        """A literal size that equals a symbol's number conforms, with a warning (W301)."""
        target = node.param("shape") if node.prim == "reshape" else ()
        value = {d: d.value(self.bindings) for s in [*shapes, target] for d in s}
        symbols = {v: d for d, v in value.items() if not d.is_literal}
        coerce = lambda s: tuple(symbols.get(value[d], d) if d.is_literal and d != ONE else d for d in s)  # noqa: E731
        coerced = [coerce(s) for s in shapes]
        trial = replace(node, params=tuple((k, coerce(v) if k == "shape" else v) for k, v in node.params))
        if coerced == shapes and trial == node:
            raise error
        try:
            shape = infer(trial, coerced)
        except ShapeError:
            raise error from None
        shapes = [*shapes, target] if target else shapes
        readings = ", ".join(f"{d} = {symbols[value[d]]} = {value[d]}" for s in shapes for d in s
                             if d.is_literal and d != ONE and value[d] in symbols)
        self.warnings.append(Diagnostic("W301", "warning", f"this conforms only because {readings} here; "
                                        f"symbolically it is {error.message}", node.span, node.caret,
                                        op=error.op, operands=tuple(shapes)))
        return shape

    def warn(self, node: Call) -> None:
        prim, args = node.prim, node.args
        if prim == "transpose" and len(args[0].shape) == 1:
            self.warnings.append(Diagnostic("W303", "warning", ".T on a 1-D array does nothing: "
                                            f"{format_shape(args[0].shape)} stays {format_shape(args[0].shape)}",
                                            node.span, node.caret, op=".T", operands=(args[0].shape,)))
        if prim == "transpose" and node.param("axes") is None and len(args[0].shape) >= 3:
            reversed_shape = tuple(reversed(args[0].shape))
            self.warnings.append(Diagnostic("W306", "warning", f".T reverses every axis of a {len(args[0].shape)}-D "
                                            f"array: {format_shape(args[0].shape)} becomes "
                                            f"{format_shape(reversed_shape)}; for a stack of matrices use "
                                            "swapaxes(a, -1, -2)", node.span, node.caret, op=".T",
                                            operands=(args[0].shape,)))
        if prim in ("softmax", "log_softmax"):
            axis = node.param("axis", -1)
            axes = axis if isinstance(axis, tuple) else (axis,)
            lengths = [args[0].shape[a] for a in axes] if args[0].shape else [ONE]
            if all(d == ONE or d.value(self.bindings) == 1 for d in lengths):
                self.warnings.append(Diagnostic("W304", "warning", f"{prim} over axis {axis}, which has length 1: "
                                                "every entry becomes 1 and the gradient 0", node.span, node.caret,
                                                op=prim, operands=(args[0].shape,)))
        if prim in ELEMENTWISE and self.outer_by_broadcast(*args):
            a, b = args
            self.warnings.append(Diagnostic(
                "W302", "warning",
                f"broadcasting {format_shape(a.shape)} against {format_shape(b.shape)} silently builds a "
                f"{format_shape(node.shape)} outer product", node.span, node.caret, op=op_name(prim),
                operands=(a.shape, b.shape),
                help=Fix("write the outer product as a matrix product, e.g. x.T @ d, which also works for a batch")))
            if any(d == ONE for d in a.shape + b.shape):
                self.warnings.append(Diagnostic(
                    "W305", "warning", "right for one example only: this relies on the single example's axis of "
                    "length 1, and with a batch of N examples it fails or sums nothing", node.span, node.caret,
                    op=op_name(prim), operands=(a.shape, b.shape)))

    @staticmethod
    def outer_by_broadcast(a: Expr, b: Expr) -> bool:
        """Each operand is stretched along an axis where the other is long."""
        ra, rb = len(a.shape), len(b.shape)
        if ra == 0 or rb == 0:
            return False
        n = max(ra, rb)
        sa = (ONE,) * (n - ra) + a.shape
        sb = (ONE,) * (n - rb) + b.shape
        a_stretched = any(x == ONE and y != ONE for x, y in zip(sa, sb))
        b_stretched = any(y == ONE and x != ONE for x, y in zip(sa, sb))
        return a_stretched and b_stretched


# -- pass 3: values ------------------------------------------------------------------------

def close(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or not np.all(np.isfinite(a)):
        return False
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    return bool(np.allclose(a, b, rtol=RTOL, atol=ATOL * max(scale, 1e-300)))


def scale_factor(a, b) -> float | None:
    """c with a == c·b to the same tolerance, or None."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return None
    denominator = float(np.sum(b * b))
    if denominator == 0 or not np.all(np.isfinite(a)):
        return None
    c = float(np.sum(a * b)) / denominator
    return c if c != 0 and close(a, c * b) else None


@dataclass
class Draw:
    """One random draw: the learner's values and the true gradients of every node."""

    learner: dict[str, object]
    final: object
    truth: dict[str, object]
    values: dict[str, object]


def draws(network: Network, lines: list[Line], bindings: dict[str, int], truth_exprs: dict[str, Expr],
          count: int = DRAWS, informative: tuple[str, ...] = ()) -> list[Draw]:
    """`count` random draws, more (up to MAX_DRAWS) while a gradient in `informative` has been all zero:
    behind inactive ReLUs a wrong answer would look right."""
    rng = np.random.default_rng(20261128)
    out: list[Draw] = []
    silent = {n for n in informative if n in truth_exprs}
    while len(out) < count or (silent and len(out) < MAX_DRAWS):
        _, values = sample(network, bindings, rng)
        truth_eval = Evaluator(values, bindings)
        truth = {name: truth_eval(e) for name, e in truth_exprs.items()}
        learner_values = dict(values)
        ev = Evaluator(learner_values, bindings)
        learned: dict[str, object] = {}
        final = None
        with np.errstate(all="ignore"):
            for line in lines:
                final = ev(line.expr)
                if line.name:
                    learned[line.name] = final
                    learner_values[line.name] = final
        out.append(Draw(learned, final, truth, values))
        silent -= {n for n in silent if np.any(np.asarray(truth[n]) != 0)}
    return out


def classify(values: list, truths: list, shape_ok: bool) -> tuple[str, float | None]:
    """The verdict for values claimed to equal truths (one per draw), and the factor when scaled."""
    if shape_ok and all(close(v, t) for v, t in zip(values, truths)):
        return "correct", None
    if all(np.ndim(v) == 2 and close(np.transpose(v), t) for v, t in zip(values, truths)):
        return "transposed", None
    if not shape_ok:
        return "wrong_shape", None
    factors = [scale_factor(v, t) for v, t in zip(values, truths)]
    if all(c is not None for c in factors) and np.allclose(factors, factors[0], rtol=1e-6):
        return "scaled", factors[0]
    return "wrong_value", None


def truth_of(draw: Draw, name: str):
    """The true gradient of a node (zero where the loss does not depend on it)."""
    return draw.truth.get(name, np.zeros(np.shape(draw.values[name])))


def judge_steps(network: Network, typed: list[Line], bindings: dict[str, int],
                samples: list[Draw] | None = None) -> list[Step]:
    """Every line that claims ∂J/∂NAME, checked on its own: shape, then values."""
    if samples is None:
        samples = draws(network, typed, bindings, dict(backward(network).wrt))
    steps = []
    for line in typed:
        if line.claims:
            shape_ok = line.expr.shape == network.shapes[line.claims]
            value_ok = all(close(d.learner[line.name], truth_of(d, line.claims)) for d in samples) \
                if shape_ok else None
            steps.append(Step(line.name, line.claims, line.span.line, line.span.col, line.expr.shape, shape_ok,
                              value_ok))
    return steps




@dataclass(frozen=True)
class Evaluation:
    """The passes' findings: the verdict and the evidence, before anything is explained."""

    network: Network
    wrt: str
    source: str
    origin: str
    bindings: dict[str, int]
    expected_shape: Shape
    lines: tuple[Line, ...]
    warnings: tuple[Diagnostic, ...]
    verdict: str
    shape: Shape | None = None
    shape_ok: bool = False
    value_ok: bool | None = None
    factor: float | None = None
    steps: tuple[Step, ...] = ()
    error: ShapeError | None = None         # the first operation that does not conform
    failed_at: int | None = None            # the line it is on
    samples: tuple = ()
    truth_exprs: dict | None = None

    def source_line(self, line: int) -> str:
        lines = source_lines(self.source)
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def result(self, diagnostics: tuple[Diagnostic, ...] = (), suggestion: str = "") -> CheckResult:
        return CheckResult(self.network, self.wrt, self.source, self.origin, self.bindings, self.verdict,
                           self.expected_shape, self.shape, self.shape_ok, self.value_ok, self.lines,
                           tuple(diagnostics), self.steps, suggestion, self.factor)


def evaluate(network: Network, wrt: str, text: str, dims: dict[str, int] | None = None,
             origin: str = "<derivation>") -> Evaluation:
    network.require_leaf(wrt)
    bindings = network.bindings(dims)
    check_indices(network, bindings)
    lines = parse_derivation(network, text, origin)
    expected = network.leaves[wrt]
    base = dict(network=network, wrt=wrt, source=text, origin=origin, bindings=bindings, expected_shape=expected)

    shapes = ShapePass(network, bindings)
    typed: list[Line] = []
    try:
        for line in lines:
            typed.append(shapes.line(line))
    except ShapeError as error:
        return Evaluation(**base, lines=tuple(typed) + tuple(lines[len(typed):]), warnings=tuple(shapes.warnings),
                          verdict="shape_error", steps=tuple(judge_steps(network, typed, bindings)) if typed else (),
                          error=error, failed_at=len(typed))
    final_shape = typed[-1].expr.shape
    shape_ok = final_shape == expected

    truth_exprs = dict(backward(network).wrt)
    samples = draws(network, typed, bindings, truth_exprs,
                    informative=(wrt,) + tuple(l.claims for l in typed if l.claims))
    steps = judge_steps(network, typed, bindings, samples)

    finals = [d.final for d in samples]
    truths = [truth_of(d, wrt) for d in samples]
    verdict, factor = classify(finals, truths, shape_ok)
    value_ok = verdict == "correct"
    first_bad = next((s for s in steps if not (s.shape_ok and s.value_ok)), None)
    if verdict == "correct" and first_bad is not None:
        # The answer's numbers are right, but a step claims something false (two mistakes that cancel):
        # the derivation is not correct, and the verdict says what is wrong with that first false step.
        line = next(l for l in typed if l.name == first_bad.name)
        values = [d.learner[line.name] for d in samples]
        verdict, factor = classify(values, [truth_of(d, line.claims) for d in samples], first_bad.shape_ok)
    return Evaluation(**base, lines=tuple(typed), warnings=tuple(shapes.warnings), verdict=verdict,
                      shape=final_shape, shape_ok=shape_ok, value_ok=value_ok, factor=factor, steps=tuple(steps),
                      samples=tuple(samples), truth_exprs=truth_exprs)


def shape_error_diagnostic(ev: Evaluation) -> Diagnostic:
    """The first failing operation, named as the learner wrote it: `@`, or `dot` for np.dot(…)."""
    error = ev.error
    op = error.op
    caret = error.caret
    if caret is not None and op == "@":
        written = ev.source_line(caret.line)[caret.col:caret.end_col].rsplit(".", 1)[-1]
        if written in ("dot", "matmul"):
            op = written
    return Diagnostic(error.code, "error", error.message, error.span, caret, ev.origin, op, tuple(error.operands))
