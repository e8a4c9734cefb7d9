"""`derive`: everything shapetutor knows about a network's gradients, as data.

The commands, the walkthrough and the lessons all render this one result.
"""
from __future__ import annotations

from dataclasses import dataclass

from .chain import Factor, count_paths, factors, first_break
from .contraction import Contraction, explain
from .dims import Shape, shape_json
from .errors import TutorError
from .grad import backward
from .ir import Expr, expanded_size

from .network import Network, check_indices
from .printer import PRINT_LIMIT, code
from .verify import Verification, verify
from .vjp import Assumption

#: A formula longer than this (in nodes, written out) is not printed: residual graphs can make
#: the written-out text grow exponentially with depth while the shared form stays linear.
FORMULA_LIMIT = PRINT_LIMIT


@dataclass(frozen=True)
class LeafGradient:
    leaf: str
    shape: Shape
    formula: Expr
    chain: tuple[Factor, ...]
    paths: int
    breaks_at: int | None          # index of the first factor a naive matrix chain cannot handle
    contraction: Contraction | None

    @property
    def printable(self) -> bool:
        """False when the formula, written out, would repeat shared parts past FORMULA_LIMIT nodes."""
        return expanded_size(self.formula, FORMULA_LIMIT) <= FORMULA_LIMIT

    @property
    def formula_code(self) -> str | None:
        return code(self.formula) if self.printable else None


@dataclass(frozen=True)
class Derivation:
    network: Network
    bindings: dict[str, int]
    gradients: dict[str, LeafGradient]
    assumptions: tuple[Assumption, ...]
    verification: Verification | None

    def to_json(self) -> dict:
        """Exactly SPEC §5's `derive --json`."""
        net = self.network
        return {
            "loss": net.loss,
            "dims": dict(self.bindings),
            "nodes": {name: {"shape": shape_json(net.shapes[name]), "kind": net.kind(name)} for name in net.nodes},
            "gradients": {
                leaf: {"shape": shape_json(g.shape), "formula": g.formula_code,
                       "chain": [{"of": f.of, "wrt": f.wrt, "shape": shape_json(f.shape)} for f in g.chain]}
                for leaf, g in self.gradients.items()},
        }


def derive(network: Network, dims: dict[str, int] | None = None, wrt: str | None = None,
           check: bool = True, draws: int = 2) -> Derivation:
    if wrt is not None and wrt not in network.leaves:
        kind = "a defined node, not a leaf" if wrt in network.definitions else "not in the network"
        raise TutorError(f"--wrt {wrt}: {wrt!r} is {kind}",
                         expected="one of the leaves: " + ", ".join(network.leaves))
    bindings = network.bindings(dims)
    check_indices(network, bindings)
    grads = backward(network)
    cache: dict = {}
    leaves = [wrt] if wrt else list(network.leaves)
    out = {}
    for leaf in leaves:
        formula = grads.wrt.get(leaf)
        if formula is None:
            from .algebra import mk
            from .ir import Const, Var
            formula = mk("mul", Const(0), Var(leaf, shape=network.leaves[leaf]))
        chain = tuple(factors(network, leaf, cache))
        last = next((f for f in reversed(chain) if f.wrt == leaf), None)
        out[leaf] = LeafGradient(leaf, network.leaves[leaf], formula, chain, count_paths(network, leaf),
                                 first_break(list(chain)), explain(network, last.of, leaf) if last else None)
    verification = verify(network, {k: g.formula for k, g in out.items()}, bindings, draws=draws) if check else None
    return Derivation(network, bindings, out, grads.assumptions, verification)
