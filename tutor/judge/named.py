"""Naming what a wrong answer is: a classic mistake, or the gradient of a node the chain stopped at.

`recognise` derives with each classic mistake's mutated rule (`mistakes.MISTAKES`), at every
activation of its kind and then at each one alone, and names the one whose gradient equals the
learner's values. `stopped_early` finds the node whose gradient the learner wrote instead of the
leaf's: the chain ended too soon, and the factors still missing are named with their shapes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

from ..engine.errors import ShapeError
from ..engine.calculus.grad import backward
from ..engine.language.ir import Call, Const, Var, walk
from ..engine.numbers.numeric import Evaluator
from ..engine.language.printer import code
from ..teach.chain import ChainFactor, factors
from ..teach.diagonal import PRIMES
from .evaluate import close, truth_of
from .mistakes import MISTAKES, Mistake, rules_for
from .scale import nice, squared

#: Per-activation candidates are tried only for networks with a modest number of activations.
MAX_SITES = 12


@dataclass(frozen=True)
class Named:
    """A recognised mistake: what the learner did, the right derivative, and the change to make."""

    what: str
    why: str
    fix: str = ""
    code: str | None = None     # the mistake's code (mistakes.MISTAKES); None for every derivative left out
    symbols: tuple[tuple[str, str], ...] = ()   # the activation's names, for the concept's explanation


@dataclass(frozen=True)
class Site:
    """One activation in the network: its kind, the primitive that computes it, how to name it."""

    kind: str            # sigmoid, tanh, relu, softmax
    prim: str            # the primitive (`maximum` for np.maximum(0, z))
    out: str             # its output as the network names it (h), or the call as code
    inp: str             # its input as an operand: z1, (x @ W)
    arg: str             # its input as written: x @ W
    node: str | None     # the definition that is exactly this call, if any


def sites(network) -> list[Site]:
    found = []
    for name, expr in network.definitions.items():
        for node in walk(expr):
            if not isinstance(node, Call):
                continue
            kind = node.prim if node.prim in ("sigmoid", "tanh", "relu", "softmax") else None
            if node.prim == "maximum" and any(isinstance(a, Const) and a.value == 0 for a in node.args):
                kind = "relu"
            if kind is None:
                continue
            whole = node is expr
            arg = next((a for a in node.args if not (isinstance(a, Const))), node.args[0])
            inp = code(arg) if isinstance(arg, Var) else f"({code(arg)})"
            found.append(Site(kind, node.prim, name if whole else code(node), inp, code(arg),
                              name if whole else None))
    return found


def candidates(network):
    """(mistake, sites, rules): each mistake at every activation of its kind, then at each named one alone."""
    every = sites(network)
    for mistake in MISTAKES:
        mine = [s for s in every if s.kind == mistake.prim]
        if not mine:
            continue
        rules = {}
        for prim in {s.prim for s in mine}:
            rules.update(rules_for(mistake, prim))
        yield mistake, mine, rules
    if len(every) <= MAX_SITES:
        for mistake in MISTAKES:
            mine = [s for s in every if s.kind == mistake.prim and s.node is not None]
            if len(mine) > 1:
                for site in mine:
                    yield mistake, [site], rules_for(mistake, site.prim, only=site.node)
    missing = [m for m in MISTAKES if m.code.endswith("-missing")]
    kinds = {s.kind for s in every}
    if len([m for m in missing if m.prim in kinds]) > 1:  # every activation's derivative left out at once
        rules = {}
        for m in missing:
            for prim in {s.prim for s in every if s.kind == m.prim}:
                rules.update(rules_for(m, prim))
        yield None, [s for s in every if s.kind in {m.prim for m in missing}], rules


def recognise(result, node: str, values, samples) -> Named | None:
    """Name the classic mistake whose gradient of `node` equals these values (one per draw), if any.

    Each candidate is a whole derivation with a mutated rule, and one through a chain of n layers costs
    about n² (its formulas grow with depth): past `MAX_SEARCHED_DEFINITIONS` the search is not made, so
    the diagnosis of a deep network stays within what one derivation costs."""
    if len(result.network.definitions) > MAX_SEARCHED_DEFINITIONS:
        return None
    for k, (mistake, where, _) in enumerate(every_candidate(result.network)):
        gradients = mistaken(result.network, k)
        wrong = gradients.get(node) if gradients is not None else None
        if wrong is not None and all(close(value, np.asarray(Evaluator(draw.values, result.bindings)(wrong)),
                                           draw.reference)
                                     for value, draw in zip(values, samples)):
            return named(mistake, where)
    return None


#: The most definitions a network may have for its wrong answers to be matched against classic mistakes
#: (six derivations with a mutated rule each: about a second on a 250-layer chain).
MAX_SEARCHED_DEFINITIONS = 250


@lru_cache(maxsize=16)
def every_candidate(network) -> tuple:
    """The candidate mistakes with their sites and mutated rules, made once per network."""
    return tuple(candidates(network))


@lru_cache(maxsize=64)
def mistaken(network, k: int) -> dict | None:
    """The gradients of the k-th candidate mistake (None when it does not conform), derived once per network:
    the diagnosis asks for them again for each step it names."""
    rules = every_candidate(network)[k][2]
    try:
        return backward(network, rules=rules).wrt
    except ShapeError:
        return None


def named(mistake: Mistake | None, where: list[Site]) -> Named:
    if mistake is None:
        outs = ", ".join(s.out for s in where)
        return Named(f"every activation's derivative is missing ({outs})",
                     "going back through an activation multiplies elementwise by its derivative: "
                     "h ∘ (1 − h) for a sigmoid, 1 − h² for tanh, the mask (h > 0) for a ReLU; the Jacobian of "
                     "an activation is the diagonal matrix diag(σ′(z)), and a product with a diagonal matrix is "
                     "that elementwise product")
    site = where[0]
    fill = {"out": site.out, "inp": site.inp, "arg": site.arg}
    what = mistake.what.format(**fill)
    if len(where) > 1:
        what += f" (in every {site.kind} layer: {', '.join(s.out for s in where)})"
    fix = ""
    if mistake.fix:
        right = mistake.fix.format(**fill)
        fix = (f"write `{right}` where you have `{mistake.wrong.format(**fill)}`" if mistake.wrong else
               f"multiply elementwise by `{right}` where the gradient goes back through {site.out}")
    symbols = (("h", site.out), ("z", site.inp), ("mask", f"({site.out} > 0)"))
    return Named(what, mistake.right.format(**fill) + diagonal_said(site), fix, mistake.code, symbols)


def diagonal_said(site: Site) -> str:
    """The elementwise step linked to its Jacobian: ∂h/∂z1 is diag(σ′(z1)), and a product with it is ∘."""
    prime = PRIMES.get(site.kind)
    if prime is None:  # softmax mixes the entries: its Jacobian is not diagonal
        return ""
    return (f"; the Jacobian ∂{site.out}/∂{site.inp} is the diagonal matrix diag({prime}({site.arg})), and a "
            "product with a diagonal matrix is this elementwise product")


# -- a chain that stopped early -------------------------------------------------------------------

@dataclass(frozen=True)
class Early:
    """The learner's answer is ∂J/∂node; these factors, from node towards the leaf, are still missing."""

    node: str
    missing: tuple[ChainFactor, ...]


def stopped_early(result, samples) -> Early | None:
    """The node between the loss and the leaf whose gradient the learner's answer is, if any."""
    net, leaf = result.network, result.wrt
    between = net.descendants(leaf)
    finals = [np.asarray(d.final) for d in samples]
    for node in net.definitions:  # nearest the leaf first: where equal gradients tie, the furthest step on
        if node not in between or net.shapes[node] != result.shape:
            continue
        truths = [np.asarray(truth_of(d, node)) for d in samples]
        if any(np.any(t != 0) for t in truths) and all(close(f, t, d.reference)
                                                        for f, t, d in zip(finals, truths, samples)):
            above = {node} | (net.ancestors(node) & between)
            chain = [f for f in factors(net, leaf) if f.of in above]
            return Early(node, tuple(chain)) if chain else None
    return None


# -- a parameter used more than once ---------------------------------------------------------------

def one_use_off(result, samples) -> Named | None:
    """A leaf read by several definitions (W in the layer and in the penalty ½·reg·ΣW²) gets the sum of
    the gradients through each use: name the answer that has one of them missing, or a constant times
    what it should be (2·reg·W where the penalty gives reg·W), the others right."""
    from ..engine.calculus.grad import local_vjps
    net, leaf = result.network, result.wrt
    readers = [r for r in net.readers.get(leaf, ()) if r in net.definitions]
    if len(readers) < 2:
        return None
    truth = backward(net).wrt
    for reader in readers:
        if reader not in truth:
            continue
        part = local_vjps(net, reader, truth[reader]).get(leaf)
        k = times_counted(result, part, samples) if part is not None else None
        if k is None or part is None:
            continue
        said = code(part)
        why = (f"{leaf} is used in {', '.join(readers[:-1])} and {readers[-1]}, and a parameter used more than "
               f"once gets the sum of the gradients through each use; the one through {reader} is {said}")
        if math.isclose(k, 0, abs_tol=1e-9):
            return Named(f"the gradient through {leaf}'s use in {reader} is missing", why, f"add {said}",
                         "use-missing", (("W", leaf),))
        how = {-1: "has the wrong sign", 2: "is twice what it should be", 0.5: "is half what it should be"}.get(
            k, f"is {nice(k)} times what it should be")
        squared = k in (2, 0.5) and squares(net.definitions[reader], leaf)
        if squared:   # ½·reg·ΣW²: the ½ is there to cancel the square's 2
            why += f"; the derivative of {leaf}² is 2·{leaf}, and a ½ in front of the square cancels the 2"
        return Named(f"the term through {leaf}'s use in {reader} {how}", why,
                     f"write the term through {reader} as {said}", "square-use-scaled" if squared else "use-scaled",
                     (("W", leaf),))
    return None


def squares(expr, leaf: str) -> bool:
    """expr squares leaf: leaf ** 2, or leaf * leaf."""
    return any(isinstance(u := squared(node), Var) and u.name == leaf for node in walk(expr))


def times_counted(result, part, samples) -> float | None:
    """k with answer = truth + (k − 1)·part in every draw, for a k that is a plain number (0 when the
    part is missing): the answer counts the gradient through one use k times."""
    ks = []
    for draw in samples:
        p = np.asarray(Evaluator(draw.values, result.bindings)(part), dtype=float)
        t = np.asarray(truth_of(draw, result.wrt), dtype=float)
        diff = np.asarray(draw.final, dtype=float) - t
        size = float(np.vdot(p, p))
        if p.shape != t.shape or diff.shape != t.shape or size == 0 or not np.any(diff):
            return None
        alpha = float(np.vdot(diff, p)) / size
        if not close(diff, alpha * p, draw.reference):
            return None
        ks.append(alpha + 1)
    if not ks or not all(math.isclose(k, ks[0], rel_tol=1e-6, abs_tol=1e-9) for k in ks):
        return None
    if math.isclose(ks[0], 0, abs_tol=1e-9):
        return 0.0
    plain = nice(ks[0])   # 2, ½, −1: a factor written by hand, not a size or a rounding
    return float(plain) if isinstance(plain, Fraction) else None
