"""The chain-rule view of one gradient: its factors, and where naive chaining breaks.

For a leaf, the factors are the edges between named nodes that lie on some
path from the loss to the leaf (each edge once, so branching graphs cost
linear time and the sum over paths is implicit). Each factor has its
generalized Jacobian shape, shape(of) + shape(wrt), and its local rule as an
expression of the incoming gradient `d<of>`: `dh = dz2 @ W2.T`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from ..engine.language.dims import ONE, Shape
from ..engine.calculus.grad import local_vjps
from ..engine.language.ir import Call, Const, Expr, Var
from ..engine.language.network import Network


@dataclass(frozen=True)
class ChainFactor:
    """One factor of the chain rule, ∂of/∂wrt: its generalized Jacobian shape and the rule that passes a
    gradient back through it."""

    of: str
    wrt: str
    shape: Shape                  # generalized Jacobian: shape(of) + shape(wrt)
    rule: Expr | None             # d<wrt> contribution, written with the incoming gradient d<of>
    incoming: str                 # the name of the incoming gradient in `rule` ("dz2"), or "" for the loss
    fused: str = ""               # names a step merged into this one ("yhat": softmax + cross-entropy)
    naive: Shape | None = None    # the naive row-times-matrix product's shape after this factor


#: From this many axes on, a factor's block-diagonal structure is spelled out (the tensors of rank 3 and 4),
#: so only those factors are probed for it.
STRUCTURE_AXES = 5


@lru_cache(maxsize=4096)
def non_unit(shape: Shape) -> tuple:
    return tuple(d for d in shape if d != ONE)


def in_disguise(network: Network, f: ChainFactor) -> bool:
    """The factor is a matrix in disguise: its `of` and its `wrt` each have at most one axis longer than 1."""
    return len(non_unit(network.shapes[f.of])) <= 1 and len(non_unit(network.shapes[f.wrt])) <= 1


def grad_name(name: str) -> str:
    return f"d{name}"


def on_path(network: Network, leaf: str) -> set[str]:
    """Definitions that depend on the leaf and that the loss depends on."""
    return network.descendants(leaf) & needed_by_loss(network)


@lru_cache(maxsize=16)
def definition_order(network: Network) -> dict[str, int]:
    return {name: i for i, name in enumerate(network.definitions)}


@lru_cache(maxsize=16)
def needed_by_loss(network: Network) -> frozenset[str]:
    needed = {network.loss}
    for name in reversed(network.definitions):
        if name in needed:
            needed.update(network.reads[name])
    return frozenset(needed)


@lru_cache(maxsize=16)
def fused_softmax(network: Network) -> dict[str, tuple[str, str]]:
    """yhat → (consumer, z) where `yhat = softmax(z)` feeds one consumer whose gradient collapses."""
    out = {}
    consumers = network.readers
    for name, expr in network.definitions.items():
        if isinstance(expr, Call) and expr.prim == "softmax" and isinstance(expr.args[0], Var) \
                and len(consumers[name]) == 1:
            out[name] = (consumers[name][0], expr.args[0].name)
    return out


def incoming(network: Network, of: str) -> Expr:
    if of == network.loss:
        return Const(1)
    return Var(grad_name(of), shape=network.shapes[of])


def factors(network: Network, leaf: str, cache: dict | None = None) -> list[ChainFactor]:
    """The chain factors for ∂loss/∂leaf, from the loss towards the leaf.

    A factor depends only on its edge, so `cache` (shared across leaves) keeps
    the whole derivation linear in the size of the network.
    """
    return with_naive_products(network, edges(network, on_path(network, leaf), {leaf}, cache))


def shared_factors(network: Network, cache: dict | None = None) -> list[ChainFactor]:
    """Every factor of every leaf's chain, each once, from the loss towards the leaves: the backward
    pass of the whole network, which the leaves' chains share (a leaf's chain is a path through it)."""
    leaves = set(network.leaves)
    reached = set(leaves)  # what some leaf flows into
    for name in network.definitions:
        if any(n in reached for n in network.reads[name]):
            reached.add(name)
    return edges(network, (reached - leaves) & needed_by_loss(network), leaves, cache)


def edges(network: Network, path: set[str], leaves: set[str], cache: dict | None) -> list[ChainFactor]:
    """The factors between the definitions on `path` and what they read on it (or the `leaves`).

    Each factor is built once per `cache` and the same object is given to every chain it is in, so the
    chains of all the leaves together cost a list entry per factor, not a factor's construction."""
    cache = {} if cache is None else cache
    fusable = fused_softmax(network)
    skipped: set[str] = set()
    out: list[ChainFactor] = []
    for of in sorted(path, key=definition_order(network).__getitem__, reverse=True):  # from the loss back
        for wrt in [n for n in network.reads[of] if n in path or n in leaves]:
            if wrt in fusable and fusable[wrt][0] == of and wrt not in leaves:
                if ("fused factor", of, wrt) not in cache:
                    cache["fused factor", of, wrt] = fused_factor(network, of, wrt, cache)
                factor = cache["fused factor", of, wrt]
                if factor is not None:
                    skipped.add(wrt)
                    out.append(factor)
                    continue
            if of in skipped:
                continue
            if ("factor", of, wrt) not in cache:
                rule = rules_through(network, of, cache).get(wrt)
                cache["factor", of, wrt] = ChainFactor(of, wrt, network.shapes[of] + network.shapes[wrt], rule,
                                                       "" if of == network.loss else grad_name(of))
            out.append(cache["factor", of, wrt])
    return out


def fused_factor(network: Network, of: str, soft: str, cache: dict) -> ChainFactor | None:
    """The factor from `of` straight to softmax's input when the gradient there collapses (ŷ − y)."""
    if ("fused", of, soft) not in cache:
        cache["fused", of, soft] = fused_rule(network, of, soft, cache)
    rule = cache["fused", of, soft]
    if rule is None:
        return None
    z = fused_softmax(network)[soft][1]
    return ChainFactor(of, z, network.shapes[of] + network.shapes[z], rule,
                       "" if of == network.loss else grad_name(of), fused=soft)


def rules_through(network: Network, of: str, cache: dict) -> dict[str, Expr]:
    """Every rule of the factors out of `of` (d<wrt> from d<of>, for each name it reads), from one pass
    through its definition, kept in `cache`."""
    if ("rules", of) not in cache:
        cache["rules", of] = local_vjps(network, of, incoming(network, of))
    return cache["rules", of]


def fused_rule(network: Network, of: str, soft: str, cache: dict | None = None) -> Expr | None:
    """The gradient at softmax's input, straight from `of`, if it collapses (ŷ − y)."""
    g_soft = rules_through(network, of, {} if cache is None else cache).get(soft)
    if g_soft is None:
        return None
    from ..engine.calculus.grad import push
    from ..engine.idioms.canonical import facts_of
    grads: dict[str, Expr] = {}
    used = push(network.definitions[soft], g_soft, Var(soft, shape=network.shapes[soft]), grads,
                facts=facts_of(network))
    collapsed = bool(used)
    softmax = network.definitions[soft]
    assert isinstance(softmax, Call) and isinstance(softmax.args[0], Var)  # as fused_softmax found it
    z = softmax.args[0].name
    return grads.get(z) if collapsed else None


def with_naive_products(network: Network, chain: list[ChainFactor]) -> list[ChainFactor]:
    """Track the shape a learner gets by multiplying the factors as matrices.

    It stays a vector shaped like the node it has reached (a 1×n row in the row
    convention, an n×1 column in the column convention) while every factor is a
    matrix in disguise (its `of` and `wrt` each have at most one axis longer
    than 1); the first factor that is a genuine tensor (∂z1/∂W1: 1×H×Dx×H) is
    where the naive product stops. From there on the factors are the shared ones
    (their `naive` is None): only the factors before it are copied.
    """
    out, alive = [], True
    for f in chain:
        if alive:
            if f.of == network.loss or in_disguise(network, f):
                f = replace(f, naive=network.shapes[f.wrt])  # the gradient itself, or a vector still
            else:
                alive = False
        out.append(f)
    return out


def first_break(chain: list[ChainFactor]) -> int | None:
    for i, f in enumerate(chain):
        if f.naive is None:
            return i
    return None


def count_paths(network: Network, leaf: str) -> int:
    """How many loss→leaf paths the factors add up over (1 for a plain chain)."""
    paths = {leaf: 1}
    for name, used in network.reads.items():
        total = sum(paths.get(n, 0) for n in used)
        if total:
            paths[name] = total
    return paths.get(network.loss, 0)
