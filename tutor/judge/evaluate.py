"""The passes of `check` over a learner's derivation, each returning data.

1. parse (a `TutorError` on anything unusable, which `check` makes the verdict `unusable`),
2. symbolic shapes in evaluation order (the first operation that does not conform is the error),
3. values in float64 on several random draws, against the engine's own (verified) gradients.

`evaluate` runs them and returns an `Evaluation`: the verdict without the explanations.
`diagnose` explains it; `check` is the two together.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np

from ..engine.codes import W301, W307
from ..engine.diagnostics import Diagnostic, source_lines
from ..engine.language.dims import ONE, Shape
from ..engine.errors import ParseError, ShapeError, Span, TutorError
from ..engine.calculus.grad import backward
from ..engine.language.ir import Call, Const, Expr, Var, deep_recursion, names_in
from ..engine.language.table import HELPERS, claimed_by_key, claimed_node
from ..engine.language.network import Network, check_indices, out_of_range
from ..engine.numbers.generator import Generator
from ..engine.numbers.numeric import Evaluator
from ..engine.language.parse import Reader, Scope, check_kinds
from ..engine.language.program import Program
from ..engine.numbers.budget import over, price, require
from ..engine.numbers.sampling import SCALES, sample
from ..engine.language.shapes import infer
from ..engine.numbers.noise import Jittered, jittered_forward
from ..engine.numbers.verify import MAX_DRAWS, NOISE_MARGIN
from ..engine.calculus.vjp import vjp_rules
from .cautions import cautions
from .result import CheckResult, Line, JudgedStep

RTOL, ATOL = 1e-8, 1e-11  # one part in a million is far outside these; rounding is far inside
DRAWS = 3


# -- pass 1: parse (imperative code → single assignments; shapes are filled in line by line) -------

@dataclass(frozen=True)
class Claim:
    """A name that claims ∂J/∂NODE (dW1, grads['W1']), with the variable holding its final value."""

    name: str
    node: str
    var: str
    span: Span | None
    statement: int


@dataclass(frozen=True)
class ParsedDerivation:
    """A derivation read: its lines, its claims, which value is the answer, and the first shape error."""

    lines: tuple[Line, ...]
    claims: tuple[Claim, ...]
    answer: str | None                      # the variable holding the answer (None: a bare last expression)
    answer_span: Span | None
    error: ShapeError | None = None
    failed_at: int | None = None            # lines read before the error
    helper_uses: tuple = ()                 # (helper name, argument, span) of built-in helpers
    failed_line: Line | None = None         # the expression that does not conform, as read
    failed_last: bool = False               # on the derivation's last statement
    statements: tuple[str, ...] = ()        # each statement's text, for suggestions built on the learner's own
    set_aside: tuple = ()                   # (span, why) of lines outside the language that claim nothing
    dim_names: tuple[tuple[str, Any], ...] = ()   # the names the network and the derivation give dimensions (m, Dim)


def new_vars(taken: set[str]):
    """A derivation's values: a name's first value keeps it, later ones are `name@2`, `name@3` (never
    confused with a name, which is how a later line reads the latest)."""
    seen: dict[str, int] = {}

    def new_var(name: str) -> str:
        seen[name] = seen.get(name, 0) + 1
        return name if seen[name] == 1 and name not in taken else f"{name}@{seen[name] + (name in taken)}"
    return new_var


def read_derivation(network: Network, wrt: str, text: str, shapes: "ShapePass",
                    origin: str = "<derivation>") -> ParsedDerivation:
    reader = Reader(text, origin)
    tree = reader.parse_module()
    body = [s for s in tree.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                         and isinstance(s.value.value, str))]
    if not body:
        raise TutorError("the derivation is empty", origin=origin,
                         expected="one or more lines `name = expression`, the last may be a bare expression")
    assigned = {t.id for s in body for t in ast.walk(s) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
    scope = Scope(arrays=shapes.arrays, dims=set(network.dims), later=assigned, names=dict(network.aliases),
                  dim_values=dict(network.dim_names), kinds={**{n: "int" for n in network.labels}, **network.kinds},
                  bounds=dict(network.labels))
    uses: list = []

    failing: list[Expr] = []

    def typer(e: Expr) -> Expr:
        check_kinds(reader, e, scope)
        try:
            return shapes.expr(e)
        except ShapeError:
            failing.append(e)
            raise

    program = Program(reader, scope, typer, new_vars(set(network.shapes)), network=False,
                      builtins={n: src for n, (src, _, _) in HELPERS.items()},
                      protected=set(network.shapes) | set(network.aliases), forward=network.definitions)
    for name in HELPERS:  # remember where a course helper is used, for the diagnosis
        scope.helpers[name] = recording(name, scope.helpers[name], uses)
    error, failed_at = None, None
    nodes = {n for n in network.shapes if n not in network.labels}
    set_aside: list[tuple[Span, str]] = []
    for i, stmt in enumerate(body):
        program.statement = i
        try:
            program.top(stmt, last=i == len(body) - 1)
        except ShapeError as exc:
            error, failed_at = exc, len(program.assignments)
            if exc.span is None:
                error = exc.amended(span=reader.span(stmt))
            failed_line = Line(None, failing[-1] if failing else Const(0), statement_span(reader, stmt), None)
            failed_last = i == len(body) - 1
            break
        except TutorError as exc:
            if not packs(stmt, program, nodes, wrt):
                raise
            set_aside.append((statement_span(reader, stmt), exc.message))
    lines = tuple(Line(a.var, a.expr, a.span, None, a.names) for a in program.assignments)
    texts = source_segments(text, body)
    claims = []
    for name, (statement, span) in program.bound_at.items():
        if name not in program.objects or name in network.shapes:
            continue
        node = claim_of(name, nodes)
        if node is not None:
            claims.append(Claim(name, node, program.objects[name].var, span, statement))
    claims.sort(key=lambda c: (c.statement, c.name))
    read: dict[str, Any] = dict(helper_uses=tuple(uses), statements=texts, set_aside=tuple(set_aside),
                                dim_names=tuple(scope.dim_values.items()))
    if error is not None:
        return ParsedDerivation(lines, tuple(claims), None, None, error, failed_at, failed_line=failed_line,
                                failed_last=failed_last, **read)
    mine = [c for c in claims if c.node == wrt]
    if mine:
        answer = max(mine, key=lambda c: c.statement)
        return ParsedDerivation(lines, tuple(claims), answer.var, answer.span, **read)
    if program.answer is not None:
        lines += (Line(None, program.answer, program.answer_span, None, ()),)
        return ParsedDerivation(lines, tuple(claims), None, program.answer_span, **read)
    last = program.last_target
    if last is None or last not in program.objects:
        raise reader.error(ParseError, "the last line gives no array to judge", body[-1],
                           f"end with the gradient: a line `d{wrt} = ...`, or a bare expression")
    return ParsedDerivation(lines, tuple(claims), program.objects[last].var, program.bound_at[last][1], **read)


def statement_span(reader: Reader, stmt: ast.stmt) -> Span:
    span = reader.span(stmt)
    assert span is not None, "a statement always has a position"
    return span


def source_segments(text: str, body: list[ast.stmt]) -> tuple[str, ...]:
    """Each statement's own text, as `ast.get_source_segment` gives it, with the text split into lines
    once (get_source_segment splits the whole text again for every statement: quadratic)."""
    lines = re.split(r"(?<=\r\n)|(?<=\n)|(?<=\r)(?!\n)", text)  # \r\n, \n, \r end a line, as for ast
    encoded: dict[int, bytes] = {}

    def line(n: int) -> bytes:  # column offsets count UTF-8 bytes
        if n not in encoded:
            encoded[n] = lines[n].encode("utf-8", "surrogatepass")
        return encoded[n]

    out = []
    for stmt in body:
        first, last = stmt.lineno - 1, (stmt.end_lineno or stmt.lineno) - 1
        if last >= len(lines) or stmt.end_col_offset is None:
            out.append("")
            continue
        if first == last:
            piece = line(first)[stmt.col_offset:stmt.end_col_offset]
        else:
            piece = line(first)[stmt.col_offset:] + b"".join(line(n) for n in range(first + 1, last)) \
                + line(last)[:stmt.end_col_offset]
        out.append(piece.decode("utf-8", "surrogatepass"))
    return tuple(out)


def packs(stmt: ast.stmt, program: Program, nodes: set[str], wrt: str) -> bool:
    """A line outside the language that only packs gradients already claimed (CS224n's
    `grad = np.concatenate((gradW1.flatten(), ...))`): it claims nothing, and ∂J/∂wrt is claimed
    before it, so it is set aside (and said so) instead of making the whole derivation unusable."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
        return False
    if claimed_node(stmt.targets[0].id, nodes) is not None:
        return False
    return wrt in (claim_of(name, nodes) for name in program.bound_at if name in program.objects)


def claim_of(name: str, nodes: set[str]) -> str | None:
    """The node a bound name claims the gradient of: dW1 → W1, a slot grads['W1'] → W1."""
    return claimed_by_key(name.split("[", 1)[1][1:-2], nodes) if name.endswith("]") else claimed_node(name, nodes)


def recording(name: str, expand, uses: list):
    def call(reader, node, scope, depth):
        value = expand(reader, node, scope, depth)
        arg = reader.expr(node.args[0], scope) if node.args else None
        uses.append((name, arg, reader.span(node)))
        return value
    return call


# -- pass 2: shapes ----------------------------------------------------------------------

def shape_of(e: Expr) -> Shape:
    """A node's shape, once the shape pass has filled it in."""
    assert e.shape is not None, "read after the shape pass"
    return e.shape


class ShapePass:
    """Fills in shapes in evaluation order, collecting warnings; stops at the first error."""

    def __init__(self, network: Network, bindings: dict[str, int]):
        self.network = network
        self.bindings = bindings
        self.arrays: dict[str, Shape | None] = dict(network.shapes)
        self.warnings: list[Diagnostic] = []

    def line(self, line: Line) -> Line:
        typed = self.expr(line.expr)
        if line.name:
            self.arrays[line.name] = typed.shape
        return replace(line, expr=typed)

    def expr(self, e: Expr) -> Expr:
        # built directly rather than with dataclasses.replace, three times slower on the 150,000 nodes
        # a 1,000,000-character derivation can hold
        if isinstance(e, Var):
            return Var(e.name, shape=cast(Shape, self.arrays[e.name]), span=e.span)  # None: a name not typed yet
        if not isinstance(e, Call):
            return e
        args = tuple(self.expr(a) for a in e.args)
        node = Call(e.prim, args, e.params, span=e.span, caret=e.caret, fresh=e.fresh)
        shapes = [shape_of(a) for a in args]
        try:
            shape = infer(node, shapes)
        except ShapeError as error:
            shape = self.numeric_coincidence(node, shapes, error)
        node = Call(e.prim, args, e.params, shape=shape, span=e.span, caret=e.caret, fresh=e.fresh)
        problem = out_of_range(node, self.bindings, bounds=self.network.labels)
        if problem:  # NumPy would find it halfway through a draw, with no line to point at: unusable, located
            raise TutorError(problem, node.span, expected="an index or label within the axis's length at these sizes")
        self.warnings += cautions(node, self.bindings)
        return node

    def numeric_coincidence(self, node: Call, shapes: list[Shape], error: ShapeError) -> Shape:
        """A literal size that equals a symbol's number conforms, with a warning (W301)."""
        target = tuple(d for d in node.param("shape") if d is not None) if node.prim == "reshape" else ()
        value = {d: d.value(self.bindings) for s in [*shapes, target] for d in s}
        symbols = {v: d for d, v in value.items() if not d.is_literal}
        coerce = lambda s: tuple(symbols.get(value[d], d) if d is not None and d.is_literal and d != ONE else d  # noqa: E731
                                 for d in s)
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
        self.warnings.append(W301.at(f"this conforms only because {readings} here; symbolically it is "
                                     f"{error.message}", node.span, node.caret, op=error.op, operands=tuple(shapes)))
        return shape


# -- pass 3: values ------------------------------------------------------------------------

#: A gradient that is zero (a bias just before batch norm) is compared with an absolute tolerance: this
#: fraction of the typical gradient in the same draw. Rounding leaves ~1e-17; a mistake leaves far more.
ZERO_FLOOR = 1e-12


def close(a, b, reference: float = 0.0) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or not np.all(np.isfinite(a)):
        return False
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    floor = ZERO_FLOOR * reference
    return bool(np.allclose(a, b, rtol=RTOL, atol=max(ATOL * max(scale, 1e-300), floor)))


def scale_factor(a, b, reference: float = 0.0) -> float | None:
    """c with a == c·b to the same tolerance, or None."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return None
    largest = float(np.max(np.abs(b))) if b.size else 0.0
    if largest == 0 or not np.all(np.isfinite(a)) or not np.isfinite(largest) or \
            largest <= ZERO_FLOOR * reference:  # a zero gradient has no multiples
        return None
    a_unit, b_unit = a / largest, b / largest  # sums of squares of values near overflow stay finite
    c = float(np.sum(a_unit * b_unit)) / float(np.sum(b_unit * b_unit))
    return c if c != 0 and close(a, c * b) else None


@dataclass
class Draw:
    """One random draw: the learner's values (by variable), the true gradients of every node, and the
    size of a typical gradient (the scale against which a zero gradient is judged)."""

    learner: dict[str, Any]     # arrays, or numbers
    final: Any
    truth: dict[str, Any]
    values: dict[str, Any]
    reference: float = 0.0
    finite: bool = True      # the answer, the claimed steps and their true gradients are finite numbers
    largest: float = 0.0     # the largest of them in magnitude
    #: the same draw at leaves a few units in the last place away (learner, final, truth), made when asked
    again: Callable[[], tuple[dict, Any, dict]] | None = field(default=None, repr=False, compare=False)
    _second: tuple | None = field(default=None, repr=False, compare=False)

    def second_opinion(self) -> tuple[dict, Any, dict] | None:
        if self._second is None and self.again is not None:
            self._second = self.again()
        return self._second


def within_noise(draw: Draw, var: str | None, node: str) -> bool:
    """Whether the learner's value (`var`, None for the answer) and ∂J/∂node differ by no more than
    the rounding noise of the two, so that float64 cannot tell them apart in this draw.

    The noise is measured, not assumed: both sides are computed again with every operation's result
    moved a few units in its last place (`noise.Jittered`), and the difference is how far rounding can
    move them. A gradient that exact arithmetic makes zero by cancelling terms (the rows of a softmax
    summed, a sigmoid saturated) moves by the rounding of those terms, whatever its own magnitude; an
    accurate gradient moves by a few units in its last place, so a mistake (a factor, a sign, one part
    in a thousand) stands far above it, and the draw decides."""
    second = draw.second_opinion()
    if second is None:
        return False
    learner, final, truth = second
    a, b = (draw.final if var is None else draw.learner[var]), truth_of(draw, node)
    a2, b2 = (final if var is None else learner[var]), truth.get(node, np.zeros(np.shape(b)))
    arrays = [np.asarray(x, dtype=float) for x in (a, b, a2, b2)]
    if len({x.shape for x in arrays}) != 1 or not all(np.all(np.isfinite(x)) for x in arrays):
        return False
    a, b, a2, b2 = arrays
    noise = largest(a - a2) + largest(b - b2)
    # the gradient itself must be noise too: a learner's line that jumps (a comparison of two values equal
    # in exact arithmetic) cannot make an accurate gradient look undecidable
    return 0 < largest(a - b) <= NOISE_MARGIN * noise and largest(b) <= NOISE_MARGIN * largest(b - b2)


def largest(value) -> float:
    return float(np.max(np.abs(value))) if np.size(value) else 0.0


#: Values beyond this are drawn again at a smaller scale while one is left: products of them would overflow.
MODERATE = 1e100


def draws(network: Network, reading: ParsedDerivation, bindings: dict[str, int], truth_exprs: dict[str, Expr],
          count: int = DRAWS, informative: tuple[str, ...] = (), origin: str = "<derivation>") -> list[Draw]:
    """`count` random draws, more (up to MAX_DRAWS) while a gradient in `informative` has been all zero:
    behind inactive ReLUs a wrong answer would look right. A draw where the answer, a claimed step or
    a true gradient overflows is drawn again at smaller values (SCALES) before anything is judged."""
    afford(network, reading, bindings, truth_exprs, count, origin)
    rng = Generator(20261128)
    out: list[Draw] = []
    silent = {n for n in informative if n in truth_exprs}
    watched = [n for n in informative if n in truth_exprs]
    while len(out) < count or (silent and len(out) < MAX_DRAWS):
        for i in range(len(SCALES)):
            draw = one_draw(network, reading, bindings, truth_exprs, rng, SCALES[i:], watched)
            if draw.largest <= MODERATE:
                break
        out.append(draw)
        silent -= {n for n in silent if np.any(np.asarray(draw.truth[n]) != 0)}
    return out


def one_draw(network: Network, reading: ParsedDerivation, bindings: dict[str, int], truth_exprs: dict[str, Expr],
             rng: Generator, scales: tuple[float, ...], watched: list[str]) -> Draw:
    leaves, values = sample(network, bindings, rng, scales)
    learner_values, final, truth = evaluated(reading, bindings, truth_exprs, values)
    reference = max((float(np.max(np.abs(np.real(t)))) for n, t in truth.items()
                     if n in network.leaves and np.size(t)), default=0.0)
    checked = [final, *(learner_values[c.var] for c in reading.claims), *(truth[n] for n in watched)]
    with np.errstate(all="ignore"):
        biggest = max((largest(v) for v in checked if np.size(v)), default=0.0)
    jitter_seed = int(rng.integers(2**63))

    def again() -> tuple[dict, Any, dict]:
        jitter = Generator(jitter_seed)
        moved = jittered_forward(network.definitions, leaves, bindings, jitter)
        return evaluated(reading, bindings, truth_exprs, moved, lambda v: Jittered(v, bindings, jitter))
    return Draw(learner_values, final, truth, values, reference, bool(np.isfinite(biggest)), biggest, again)


def evaluated(reading: ParsedDerivation, bindings: dict[str, int], truth_exprs: dict[str, Expr],
              values: dict, evaluator: Callable[[dict], Evaluator] | None = None) -> tuple[dict, Any, dict]:
    """(the learner's values by variable, the answer, the true gradients) at the network's values."""
    make = evaluator or (lambda v: Evaluator(v, bindings))
    with np.errstate(all="ignore"), deep_recursion():   # room made once for every formula and line
        truth_eval = make(values)
        truth = {name: truth_eval(e) for name, e in truth_exprs.items()}
        learner_values = dict(values)
        ev = make(learner_values)
        final = None
        for line in reading.lines:
            final = ev(line.expr)
            if line.name:
                learner_values[line.name] = final
    if reading.answer is not None:
        final = learner_values[reading.answer]
    return learner_values, final, truth


def not_finite(reading: ParsedDerivation, draw: Draw, origin: str) -> TutorError:
    """The learner's first line whose values are not finite at every scale tried, as a located error."""
    for line in reading.lines:
        value = draw.learner.get(line.name) if line.name else draw.final
        if value is not None and not np.all(np.isfinite(value)):
            kind = "overflow (they become infinite)" if np.any(np.isinf(value)) else "are not numbers (NaN)"
            return TutorError(f"the values of this line {kind} at every scale of the sampled values tried, down "
                              "to a thousandth, so they cannot be compared with the gradient", line.span,
                              origin=origin, expected="a derivation whose values are finite (an exp of a large "
                                                      "number, a log of a negative one, 0 * inf?)")
    return TutorError("the gradient's values are not finite at any scale of the sampled values tried",
                      origin=origin)


def afford(network: Network, reading: ParsedDerivation, bindings: dict[str, int], truth_exprs: dict[str, Expr],
           count: int, origin: str = "<derivation>") -> None:
    """The budget of one evaluation, checked before any array is made: the network and its gradients
    (the instructor's: `TooLarge`), then the learner's lines on top (theirs: a located `TutorError`,
    which `check` reports as the verdict `unusable`)."""
    ours = [*network.definitions.values(), *truth_exprs.values()]
    copies, passes = max(count, DRAWS) + 1, 1.5 * max(count, DRAWS) / DRAWS
    require(ours, bindings, network.shapes, computed=network.definitions, copies=copies, passes=passes)
    theirs = [line.expr for line in reading.lines]
    mine = {line.name for line in reading.lines if line.name}
    problem = over(price(ours + theirs, bindings, network.shapes, {*network.definitions, *mine}), copies, passes,
                   "checking this derivation")
    if problem is not None:  # pointed at the learner's largest value, where the text says it
        cost = price(theirs, bindings, network.shapes, {*network.definitions, *mine})
        spans = [n.span for _, n in (cost.largest, cost.costliest) if n is not None and n.span is not None]
        raise TutorError(problem[0], spans[0] if spans else None, origin=origin,
                         expected="a derivation whose values fit: the gradient needs no array larger than the network's")


def classify(values: list, truths: list, shape_ok: bool, references: list | None = None) -> tuple[str, float | None]:
    """The verdict for values claimed to equal truths (one per draw), and the factor when scaled."""
    refs = references or [0.0] * len(values)
    if shape_ok and all(close(v, t, r) for v, t, r in zip(values, truths, refs)):
        return "correct", None
    if all(np.ndim(v) == 2 and close(np.transpose(v), t, r) for v, t, r in zip(values, truths, refs)):
        return "transposed", None
    if not shape_ok:
        return "wrong_shape", None
    # a draw where the gradient and the answer are both zero (values underflowing) says nothing of a factor
    telling = [(v, t, r) for v, t, r in zip(values, truths, refs) if not (is_zero(t) and close(v, t, r))]
    factors = [scale_factor(v, t, r) for v, t, r in telling]
    known = [c for c in factors if c is not None]
    if factors and len(known) == len(factors) and np.allclose(known, known[0], rtol=1e-6):
        return "scaled", known[0]
    return "wrong_value", None


def is_zero(value) -> bool:
    return not np.any(np.asarray(value) != 0)


def truth_of(draw: Draw, name: str):
    """The true gradient of a node (zero where the loss does not depend on it)."""
    return draw.truth.get(name, np.zeros(np.shape(draw.values[name])))


def judge_steps(network: Network, reading: ParsedDerivation, bindings: dict[str, int],
                samples: list[Draw] | None = None, arrays: dict | None = None) -> list[JudgedStep]:
    """Every name that claims ∂J/∂NAME, checked on its own at its final value: shape, then values.

    Course code changes a gradient in place on its way down (CS231n's `dhidden[hidden <= 0] = 0`): the
    name held ∂J/∂hidden, then the gradient at hidden's input. Such a claim is judged where it held its
    node's gradient, and the change is kept (`passed`) for the diagnosis to name."""
    if samples is None:
        samples = draws(network, reading, bindings, dict(backward(network).wrt))
    steps = []
    for claim in reading.claims:
        shape = (arrays or {}).get(claim.var, network.shapes.get(claim.var))
        shape_ok = shape == network.shapes[claim.node]
        value_ok = holds(samples, claim.var, claim.node) if shape_ok else None
        line, col = (claim.span.line, claim.span.col) if claim.span else (0, 0)
        var, statement, passed = claim.var, claim.statement, None
        if value_ok is False:
            earlier = held_before(reading, samples, claim)
            through = passed_through(network, bindings, samples, claim) if earlier else None
            if earlier and through is not None:
                passed = (claim.span, through)
                value_ok, var = True, earlier.name or var
                line, col = (earlier.span.line, earlier.span.col) if earlier.span else (line, col)
                statement = next(i for i, l in enumerate(reading.lines) if l is earlier)
        steps.append(JudgedStep(claim.name, claim.node, line, col, shape, shape_ok, value_ok, var, statement, passed))
    return steps


def holds(samples: list[Draw], var: str, node: str) -> bool:
    """The claim equals the gradient in every draw, or no draw can tell them apart."""
    return all(close(d.learner[var], truth_of(d, node), d.reference) or within_noise(d, var, node) for d in samples)


def held_before(reading: ParsedDerivation, samples: list[Draw], claim: Claim) -> Line | None:
    """An earlier value of the claiming name that was the node's gradient."""
    return next((l for l in reading.lines
                 if l.name and l.name != claim.var and l.name.split("@")[0] == claim.name
                 and holds(samples, l.name, claim.node)),
                None)


def passed_through(network: Network, bindings: dict[str, int], samples: list[Draw], claim: Claim) -> Expr | None:
    """The input of the node's definition whose gradient the claim's final value is (the input of a
    ReLU, a sigmoid…), if it is one."""
    expr = network.definitions.get(claim.node)
    if not isinstance(expr, Call) or expr.prim not in vjp_rules:
        return None
    node, params = Var(claim.node, shape=network.shapes[claim.node]), dict(expr.params)
    g = Var(" g", shape=node.shape)  # a name no network can have
    for rule, arg in zip(vjp_rules[expr.prim], expr.args):
        if rule is None or not names_in(arg) or arg.shape != node.shape:
            continue
        local = rule(g, node, *expr.args, **params)
        if all(close(d.learner[claim.var], Evaluator({**d.values, " g": truth_of(d, claim.node)}, bindings)(local),
                     d.reference) for d in samples):
            return arg
    return None


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
    steps: tuple[JudgedStep, ...] = ()
    error: ShapeError | None = None         # the first operation that does not conform
    failed_at: int | None = None            # the line it is on
    samples: tuple = ()
    truth_exprs: dict | None = None
    reading: ParsedDerivation | None = None

    @property
    def answer_span(self) -> Span | None:
        """Where the answer is written: its claim, or the last line (`dz2 = y` has no line of its own)."""
        if self.reading is not None and self.reading.answer_span is not None:
            return self.reading.answer_span
        return self.lines[-1].span if self.lines else None

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
    expected = network.leaves[wrt]
    shapes = ShapePass(network, bindings)
    reading = read_derivation(network, wrt, text, shapes, origin)
    base: dict[str, Any] = dict(network=network, wrt=wrt, source=text, origin=origin, bindings=bindings,
                                expected_shape=expected, lines=reading.lines, reading=reading)
    if reading.error is not None:
        before = replace(reading, lines=reading.lines[:reading.failed_at],
                         claims=tuple(c for c in reading.claims if c.var in {l.name for l in reading.lines}))
        steps = judge_steps(network, before, bindings, arrays=shapes.arrays) if before.lines else ()
        return Evaluation(**base, warnings=tuple(shapes.warnings), verdict="shape_error", steps=tuple(steps),
                          error=reading.error, failed_at=reading.failed_at)
    final_shape = shapes.arrays[reading.answer] if reading.answer is not None else reading.lines[-1].expr.shape
    shape_ok = final_shape == expected

    truth_exprs = dict(backward(network).wrt)
    samples = draws(network, reading, bindings, truth_exprs, informative=(wrt,) + tuple(c.node for c in reading.claims),
                    origin=origin)
    unfinished = next((d for d in samples if not d.finite), None)
    if unfinished is not None and shape_ok:  # no verdict on values that could not be computed
        raise not_finite(reading, unfinished, origin)
    steps = judge_steps(network, reading, bindings, samples, shapes.arrays)
    # The verdict is about the answer; a false step on the way is explained, not judged (see `diagnose`).
    # A draw where the answer and the gradient differ only by float64's rounding says nothing either way.
    telling = [d for d in samples if not (shape_ok and not close(d.final, truth_of(d, wrt), d.reference)
                                          and within_noise(d, None, wrt))]
    warnings = tuple(shapes.warnings)
    if telling:
        verdict, factor = classify([d.final for d in telling], [truth_of(d, wrt) for d in telling], shape_ok,
                                   [d.reference for d in telling])
        value_ok: bool | None = verdict == "correct"
    else:  # no draw could decide: never called wrong, and said so
        verdict, factor, value_ok = "correct", None, None
        warnings += (inconclusive(samples, network.loss, wrt, answer_span(reading)),)
    return Evaluation(**base, warnings=warnings, verdict=verdict, shape=final_shape,
                      shape_ok=shape_ok, value_ok=value_ok, factor=factor, steps=tuple(steps),
                      samples=tuple(samples), truth_exprs=truth_exprs)


def answer_span(reading: ParsedDerivation) -> Span | None:
    return reading.answer_span if reading.answer_span is not None else \
        (reading.lines[-1].span if reading.lines else None)


def inconclusive(samples: list[Draw], loss: str, wrt: str, span: Span | None) -> Diagnostic:
    """W307: the answer and ∂loss/∂wrt agree to within float64's rounding in every draw, and no draw resolves them."""
    size = max(largest(truth_of(d, wrt)) for d in samples)
    return W307.at(f"the numeric check is inconclusive: in each of {len(samples)} random draws your answer and "
                   f"∂{loss}/∂{wrt} differ only by float64's rounding (the gradient is at most {size:.0e} there, "
                   "rounding noise of terms that cancel, or of a saturated function), so the values cannot tell "
                   "a right answer from a wrong one; the shapes agree, and nothing shows a mistake", span)


def shape_error_diagnostic(ev: Evaluation) -> Diagnostic:
    """The first failing operation, named as the learner wrote it: `@`, or `dot` for np.dot(…)."""
    error = ev.error
    assert error is not None, "a shape error's evaluation carries it"
    op = error.op
    caret = error.caret
    if caret is not None and op == "@":
        written = ev.source_line(caret.line)[caret.col:caret.end_col].rsplit(".", 1)[-1]
        if written in ("dot", "matmul"):
            op = written
    return replace(error.diagnostic, origin=ev.origin, op=op, operands=tuple(error.operands), expected="")
