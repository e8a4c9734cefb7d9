"""`check` for a derivation written as mathematics: read it, judge what was read, and judge a chain
of ∂-factors as the naive chain it is.

A derivation in LaTeX, Unicode or typed math is read into the derivation language (`reading.code`)
and judged by the ordinary check, so its verdict is exactly the one the same derivation typed as
code gets. A chain of ∂-factors is a product of Jacobians: it stays a matrix product while every
factor is a matrix in disguise, and the first factor that is a genuine tensor (∂z1/∂W1, 1×H×Dx×H) is
where it breaks — the walkthrough at that break is the answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ..engine.diagnostics import Diagnostic
from ..engine.language.dims import Shape, format_shape
from ..engine.errors import TutorError
from ..engine.language.network import Network
from ..judge.check import check
from ..judge.result import CheckResult
from ..teach.chain import non_unit
from .derivation import Chain, MathDerivation, read
from .marks import looks_like_math
from .translate import Names, decide_product, names_for


@dataclass(frozen=True)
class Link:
    """One factor of the learner's chain, as written, with its generalized Jacobian shape."""

    of: str
    wrt: str
    written: str            # ∂z1/∂W1, or the expression that stands for ∂J/∂z1
    jacobian: Shape         # shape(of) + shape(wrt)
    matrix: bool            # a matrix in disguise: at most one axis longer than 1 on each side
    naive: Shape | None     # the naive product's shape after this factor; None once it broke
    expression: bool = False


@dataclass(frozen=True)
class ChainJudgement:
    chain: Chain
    links: tuple[Link, ...]
    breaks_at: int | None           # index into links
    telescopes: bool                # each factor's bottom is the next one's top, from the loss to the target


@dataclass(frozen=True)
class MathCheck:
    """The check of a derivation as written: the result, what was read, and the chain if it was one."""

    result: CheckResult
    reading: MathDerivation | None
    chain: ChainJudgement | None = None


def names_with_truth(network: Network) -> Names:
    names = names_for(network)
    names.truth = lambda node: true_gradient(network, node)
    return names


@lru_cache(maxsize=8)
def gradients_of(network: Network):
    from ..engine.calculus.grad import backward
    return backward(network).wrt


def true_gradient(network: Network, node: str) -> str | None:
    from ..engine.language.printer import code
    expr = gradients_of(network).get(node)
    return code(expr) if expr is not None else None


def check_text(network: Network, wrt: str, text: str, dims: dict[str, int] | None = None,
               origin: str = "<derivation>", suggestion: bool = True, math: bool | None = None,
               given: dict[str, str] | None = None) -> MathCheck:
    """`check` for any derivation: code goes straight to the judge; mathematics is read first (`math`
    says which it is when the caller knows: a formula found in a post is mathematics)."""
    from .layers import layered_text
    from .symbols import plain_letters
    text = plain_letters(text)
    if not (looks_like_math(text) if math is None else math):
        return MathCheck(check(network, wrt, text, dims, origin=origin, suggestion=suggestion), None)
    network.require_leaf(wrt)
    bindings = network.bindings(dims)
    try:
        names = names_with_truth(network)
        names.given = dict(given or {})
        reading = read(names, layered_text(text, network), origin)   # w^L, dw[l]: the network's layers
    except TutorError as error:
        d = error.diagnostic
        return MathCheck(CheckResult.unusable(network, wrt, error.source or text, origin, bindings, d), None)
    except RecursionError:  # a safety net: the grammar refuses deep nesting itself
        d = Diagnostic("E100", "error", "the mathematics is nested too deeply to be read", origin=origin)
        return MathCheck(CheckResult.unusable(network, wrt, text, origin, bindings, d), None)
    final = next((e for e in reversed(reading.equations) if e.factor is None), None)   # a factor's value is no answer
    chained = next((e for e in reversed(reading.equations) if e.chain is not None and e.code is None
                    and e.chain.target == wrt), None)
    if chained is not None and chained.chain is not None and final is not None and final.chain is None \
            and final.target != wrt and any(item.wrt == final.target for item in chained.chain.items):
        final = chained   # ∂J/∂z2 = ŷ − y after the chain says what a factor is: the chain is still the answer
    if final is not None and final.chain is not None and final.code is None:
        return judge_chain(network, wrt, reading, final.chain, bindings, origin, suggestion)
    last = next((e for e in reversed(reading.equations) if e.factor is None), None)
    if last is not None and last.code is not None and last.target is not None and last.target != wrt \
            and last.target not in network.leaves and last.target in network.definitions:
        reading = carried_on(network, reading, last.target, wrt)
    if not reading.code.strip():
        d = Diagnostic("E100", "error", "nothing in this mathematics is a value to check", origin=origin,
                       expected="an equation such as \\frac{\\partial J}{\\partial W_1} = x^T \\delta_1")
        return MathCheck(CheckResult.unusable(network, wrt, text, origin, bindings, d), reading)
    result = check(network, wrt, reading.code, dims, origin=f"{origin} (as read)", suggestion=suggestion)
    course = course_carried_on(network, reading, result)
    if course is not None:
        again = check(network, wrt, course.code, dims, origin=f"{origin} (as read)", suggestion=suggestion)
        if again.verdict == "correct":
            reading, result = course, again
    per_example = per_example_reading(network, reading, result)
    if per_example is not None:
        again = check(network, wrt, per_example.code, dims, origin=f"{origin} (as read)", suggestion=suggestion)
        if again.verdict == "correct":
            reading, result = per_example, again
    chain = None
    if reading.chains:  # a chain written beside the value (∂J/∂W1 = ∂J/∂z1 ∂z1/∂W1 = xᵀδ1): walk it too
        chain = walk_chain(network, reading.chains[-1])
    return MathCheck(result, reading, chain)


def check_code(network: Network, wrt: str, text: str, dims: dict[str, int] | None = None,
               origin: str = "<post>", given: dict[str, str] | None = None) -> tuple[MathCheck, list[str]]:
    """A post's code for a gradient (`dW1 = 1/m * np.dot(dZ1, X.T) + …`) that uses a course's gradient it never
    computes (dZ1): that gradient is taken as ∂J/∂Z1, or, where the code brings the batch's 1/m back itself
    and only that reading makes it right, as the course's per-example error m·∂J/∂Z1; each is said."""
    from ..engine.language.averaging import averaged_over
    from ..engine.language.printer import code
    from ..engine.simplify.build import simplified
    from ..engine.language.ir import DimRef
    from .derivation import unwritten_note
    unwritten = unwritten_gradients(network, text, given or {})
    if not unwritten:
        return MathCheck(check(network, wrt, text, dims, origin=origin), None), []
    truths = {grad: true_gradient(network, node) for grad, node in unwritten.items()}
    lines = [f"{grad} = {truth}" for grad, truth in truths.items() if truth is not None]
    origin = f"{origin} (as read)"   # the code with the lines it leaves unwritten, as it is judged
    result = check(network, wrt, "\n".join(lines + [text]), dims, origin=origin)
    notes = [unwritten_note(grad, network.loss, truth) for grad, truth in truths.items() if truth is not None]
    over = averaged_over(network)
    if result.verdict != "correct" and len(over) == 1:
        (m,) = over
        if re.search(rf"/\s*\(?\s*{re.escape(m)}\b", text):   # the code brings the batch's 1/m back itself
            per_example = {grad: code(simplified("mul", DimRef(m, shape=()), gradients_of(network)[node]))
                           for grad, node in unwritten.items() if node in gradients_of(network)}
            again = check(network, wrt, "\n".join([f"{g} = {t}" for g, t in per_example.items()] + [text]), dims,
                          origin=origin)
            if again.verdict == "correct":
                result = again
                notes = [unwritten_note(grad, network.loss, truth, per_example=m) for grad, truth in per_example.items()]
    return MathCheck(result, None), notes


def unwritten_gradients(network: Network, text: str, given: dict[str, str]) -> dict[str, str]:
    """The gradients (dZ1) a piece of code reads but never assigns, each with the node it is the gradient at."""
    import ast
    from ..engine.language.ir import parse_python
    try:
        tree = parse_python(text)
    except (SyntaxError, ValueError):
        return {}
    names = names_for(network)
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    out = {}
    for name in sorted(loaded - stored - set(network.shapes) - set(network.dims) - set(given)):
        resolved = names.resolve(name)
        if resolved is not None and resolved.startswith("d") and resolved[1:] in network.definitions \
                and resolved == name:
            out[name] = resolved[1:]
    return out


def per_example_reading(network: Network, reading: MathDerivation, result: CheckResult) -> MathDerivation | None:
    """The post's unwritten gradients read as a course's per-example errors (dZ1 = m·∂J/∂Z1), when
    that is the one reading left: every unwritten gradient is written as a course writes its errors
    (dZ1, dZ^{[1]}; a δ1 or a ∂J/∂z1 is the gradient itself) and has an axis of m (one column or row per
    example), the loss averages over m alone, and the answer is exactly 1/m of the gradient. Taken
    only if the derivation is then right: deeplearning.ai's dW1 = (1/m) dZ1 Xᵀ, with dZ1 never written."""
    from ..engine.language.averaging import averaged_over
    from ..engine.language.dims import Dim
    from ..engine.language.ir import DimRef
    from ..engine.language.printer import code
    from ..engine.simplify.build import simplified
    from .derivation import unwritten_note
    if result.verdict != "scaled" or result.factor is None or not reading.assumed \
            or reading.written_as_d != reading.assumed:
        return None
    over = averaged_over(network)
    if len(over) != 1:
        return None
    (m,) = over
    if abs(result.factor * result.bindings[m] - 1) > 1e-9 \
            or any(Dim.symbol(m) not in network.shapes[grad[1:]] for grad in reading.assumed):
        return None
    given, notes = list(reading.given), list(reading.notes)
    for grad in reading.assumed:
        line = next(i for i, g in enumerate(given) if g.startswith(f"{grad} = "))
        truth = given[line].split(" = ", 1)[1]
        per_example = code(simplified("mul", DimRef(m, shape=()), gradients_of(network)[grad[1:]]))
        given[line] = f"{grad} = {per_example}"
        notes[notes.index(unwritten_note(grad, network.loss, truth))] = \
            unwritten_note(grad, network.loss, per_example, per_example=m)
    return replace(reading, given=tuple(given), notes=tuple(notes))


def course_carried_on(network: Network, reading: MathDerivation, result: CheckResult) -> MathDerivation | None:
    """A derivation that stops at a course's error (`dZ[1] = W[2]T . dZ[2] * g'(Z[1])` after `dZ[2] = A[2] - Y`)
    is in the course's own convention, where each dZ is the per-example error m·∂J/∂Z and the 1/m comes back
    in dW = (1/m) dZ Xᵀ. When carrying it on with the plain chain finds exactly m·∂J/∂leaf, it is carried on as
    the course does, with the 1/m, and said; only for a claim written dZ (never a δ or a written ∂J/∂Z1), and
    only when the loss averages over m alone."""
    from ..engine.language.averaging import averaged_over
    over = averaged_over(network)
    last = reading.equations[-1] if reading.equations else None
    claim = next((e for e in reversed(reading.equations[:-1]) if e.factor is None), None)
    if result.verdict != "scaled" or result.factor is None or len(over) != 1 or last is None or claim is None \
            or not last.written.startswith("(∂") or not (claim.written.lstrip().startswith("d")
                                                          and claim.name is not None):
        return None
    (m,) = over
    if abs(result.factor - result.bindings[m]) > 1e-9:
        return None
    line = replace(last, code=f"({last.code}) / {m}")
    note = (f"{claim.name} is the course's per-example error, {m}·∂{network.loss}/∂{claim.target} (its dZs leave the "
            f"batch's 1/{m} out): it is carried on as the course does, d{last.target} = ({last.code}) / {m}")
    return replace(reading, equations=reading.equations[:-1] + (line,),
                   notes=tuple(n for n in reading.notes if not n.startswith("the last line claims")) + (note,))


def carried_on(network: Network, reading: MathDerivation, node: str, leaf: str) -> MathDerivation:
    """A derivation that ends with a claim about an inner node (δ1 = …, dZ1 = …) is judged by carrying that
    claim on to a leaf with the rest of the chain done right (dW1 = x.T @ dz1): the verdict is then about
    the claim, and the line added is shown as read."""
    from dataclasses import replace as with_
    from ..engine.calculus.grad import backward
    from ..engine.language.ir import Var
    from ..engine.language.printer import code
    from .derivation import Equation
    rest = backward(network, seeds={node: Var(f"d{node}", shape=network.shapes[node])}).wrt.get(leaf)
    if rest is None:
        return reading
    line = Equation(leaf, f"d{leaf}", code(rest), f"(∂{network.loss}/∂{node} carried on to {leaf})")
    note = (f"the last line claims ∂{network.loss}/∂{node}; it is judged by carrying it on to {leaf} with the rest "
            f"of the chain: d{leaf} = {code(rest)}")
    return with_(reading, equations=reading.equations + (line,), notes=reading.notes + (note,))


def leaf_below(network: Network, node: str) -> str | None:
    """The leaf a claim about an inner node is carried on to: a weight that the node reads (W1 for z1)."""
    read = [n for n in network.reads.get(node, ()) if n in network.leaves]
    if not read:
        return None
    return max(read, key=lambda n: (n.upper().startswith("W"), len(non_unit(network.shapes[n]))))


def walk_chain(network: Network, chain: Chain) -> ChainJudgement:
    links: list[Link] = []
    naive: Shape | None = None
    breaks_at = None
    alive = True
    shapes = network.shapes
    telescopes = bool(chain.items) and chain.items[0].of == network.loss
    for i, item in enumerate(chain.items):
        if i and item.of != chain.items[i - 1].wrt:
            telescopes = False
        jac = shapes[item.of] + shapes[item.wrt]
        matrix = len(non_unit(shapes[item.of])) <= 1 and len(non_unit(shapes[item.wrt])) <= 1
        if alive and (item.of == network.loss or matrix):
            naive = shapes[item.wrt]
        elif alive:
            alive, breaks_at = False, i
        written = item.code if item.code is not None else f"∂{item.of}/∂{item.wrt}"
        links.append(Link(item.of, item.wrt, written, jac, matrix or item.of == network.loss,
                          naive if alive else None, item.code is not None))
    if links and links[-1].wrt != chain.target:
        telescopes = False
    return ChainJudgement(chain, tuple(links), breaks_at, telescopes)


def reorders(links: tuple[Link, ...], top: str, bottom: str) -> bool:
    """The factors, taken in another order, lead from `top` to `bottom`: all there, in the wrong order."""
    left = list(links)
    while left:
        step = next((link for link in left if link.of == top), None)
        if step is None:
            return False
        left.remove(step)
        top = step.wrt
    return top == bottom


def elementwise_of(network: Network, node: str, argument: str) -> bool:
    """Whether `node` is an elementwise function of `argument` alone (h = σ(z)): its Jacobian is diagonal, so a
    chain may write it as ∘ its derivative."""
    from ..engine.language.printer import code
    expr = network.definitions.get(node)
    text = code(expr) if expr is not None else ""
    return any(text == f"{fn}({argument})" for fn in ("sigmoid", "tanh", "relu", "exp", "log", "sqrt", "abs"))


def hadamard_break(network: Network, judged: ChainJudgement) -> tuple[int, Link] | None:
    """The first ∂-factor joined to the chain by ∘ or ⊙ whose top is not an elementwise function of its bottom:
    there the chain needs a matrix product, and an elementwise one does not conform (or means something else)."""
    for i, (item, link) in enumerate(zip(judged.chain.items, judged.links)):
        if i and item.elementwise and item.code is None and not elementwise_of(network, item.of, item.wrt):
            return i, link
    return None


def judge_chain(network: Network, wrt: str, reading: MathDerivation, chain: Chain, bindings: dict[str, int],
                origin: str, suggestion: bool) -> MathCheck:
    judged = walk_chain(network, chain)
    tail = chain.items[-1] if chain.items else None
    if tail is not None and tail.code is not None and tail.of != network.loss and chain.target == wrt \
            and judged.telescopes and judged.breaks_at in (None, len(chain.items) - 1):
        return judge_contracted(network, wrt, reading, chain, judged, bindings, origin, suggestion)
    truth = true_gradient(network, wrt)
    # the expressions that stand for the first factors claim ∂J/∂(where they end): judged as steps
    claims = [f"d{item.wrt} = {item.code}" for item in chain.items if item.code is not None
              and item.of == network.loss and item.wrt in network.shapes]
    steps_text = "\n".join([reading.code, *claims]).strip()
    base = None
    if steps_text:
        last = claims[-1].split(" = ")[0] if claims else None
        text = steps_text + (f"\n{last}" if last else "")
        base = check(network, wrt, text, bindings, origin=f"{origin} (as read)", suggestion=suggestion)
        if base.verdict == "unusable":
            return MathCheck(base, reading, judged)
    steps = base.steps if base is not None else ()
    claims_ok = all(s.shape_ok and s.value_ok for s in steps)
    source = "\n".join(reading.shown)
    if not judged.telescopes or chain.target != wrt:
        verdict, d = "wrong_value", Diagnostic(
            "E216", "error", f"the chain of ∂-factors does not lead from {network.loss} to {chain.target}: "
            + " · ".join(link.written for link in judged.links), origin=origin,
            note="each factor's bottom must be the next factor's top",
            concept="chain-order" if reorders(judged.links, network.loss, chain.target) else "chain-complete",
            symbols=(("leaf", wrt),))
    elif (hadamard := hadamard_break(network, judged)) is not None:
        i, link = hadamard
        before = judged.links[i - 1].naive or judged.links[i - 1].jacobian
        verdict = "shape_error"
        d = Diagnostic(
            "E215", "error", f"the chain joins ∂{link.of}/∂{link.wrt} by ⊙, an elementwise product: "
            f"({format_shape(before)}) ⊙ ({format_shape(link.jacobian)}) — {link.of} is not an elementwise function "
            f"of {link.wrt}, so its Jacobian is not diagonal and the chain needs a matrix product there",
            origin=origin, op="*", operands=(before, link.jacobian),
            note="only the Jacobian of an elementwise function (h = σ(z)) is diagonal, and only it becomes ⊙ its "
                 "derivative in a chain",
            concept="diagonal-jacobian", symbols=(("factor", f"∂{link.of}/∂{link.wrt}"), ("leaf", wrt)))
    elif judged.breaks_at is not None:
        i = judged.breaks_at
        link = judged.links[i]
        before = (judged.links[i - 1].naive or ()) if i else ()  # still a product before the break
        verdict = "shape_error"
        d = Diagnostic(
            "E215", "error", f"the chain stops being a matrix product at factor {i + 1}, ∂{link.of}/∂{link.wrt}: "
            f"({format_shape(before)}) · ({format_shape(link.jacobian)}) — ∂{link.of}/∂{link.wrt} is a "
            f"{format_shape(link.jacobian)} tensor, not a matrix", origin=origin, op="@",
            operands=(before, link.jacobian),
            note=f"{link.of} has shape {format_shape(network.shapes[link.of])} and {link.wrt} has shape "
                 f"{format_shape(network.shapes[link.wrt])}: contract over the axes of {link.of} instead",
            concept="tensor-factor", symbols=(("factor", f"∂{link.of}/∂{link.wrt}"), ("leaf", wrt)))
    elif not claims_ok:
        verdict, d = "wrong_value", None
    else:
        verdict, d = "correct", None
    diagnostics = ((d,) if d is not None else ()) + tuple(
        x for x in (base.diagnostics if base is not None else ()) if x.code in ("E214",))
    result = CheckResult(network, wrt, source, origin, bindings, verdict, network.leaves[wrt],
                         network.leaves[wrt] if verdict == "correct" else None, verdict == "correct",
                         True if verdict == "correct" else (False if verdict == "wrong_value" else None),
                         base.lines if base is not None else (), diagnostics, steps,
                         truth if suggestion else None)
    return MathCheck(result, reading, judged)


def judge_contracted(network: Network, wrt: str, reading: MathDerivation, chain: Chain, judged: ChainJudgement,
                     bindings: dict[str, int], origin: str, suggestion: bool) -> MathCheck:
    """∂L/∂D · Xᵀ: the chain up to D, then an expression for what the last factor does. That is no longer
    the naive chain but a contraction written out, so it is judged as a value: ∂L/∂D times the expression."""
    tail = chain.items[-1]
    at = tail.of
    claims = [f"d{item.wrt} = {item.code}" for item in chain.items[:-1] if item.code is not None
              and item.of == network.loss and item.wrt in network.shapes]
    claimed = {c.split(" = ")[0] for c in claims} | {line.split(" = ")[0] for line in reading.code.splitlines()}
    given = [] if f"d{at}" in claimed else [f"d{at} = {true_gradient(network, at)}"]
    op, _ = decide_product(network.shapes[at], tail.shape)
    final = f"d{chain.target} = d{at} {op} ({tail.code})"
    text = "\n".join(x for x in [*given, reading.code, *claims, final] if x.strip())
    result = check(network, wrt, text, bindings, origin=f"{origin} (as read)", suggestion=suggestion)
    return MathCheck(result, reading, judged)
