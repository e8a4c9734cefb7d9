"""`derive`: everything shapetutor knows about a network's gradients, as data.

The commands, the walkthrough and the lessons all render this one result.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .chain import STRUCTURE_AXES, ChainFactor, count_paths, factors, first_break, needed_by_loss, shared_factors
from .diagonal import Diagonal, diagonal
from ..engine.language.dims import Shape, shape_json
from ..engine.simplify.algebra import simplified
from ..engine.numbers.sampling import TooLarge
from ..engine.calculus.grad import backward
from ..engine.language.ir import Const, Expr, Var, expanded_size
from ..engine.language.network import Network, check_indices
from ..engine.language.printer import PRINT_LIMIT, code
from ..engine.numbers.verify import Verification, verify
from ..engine.simplify.views import Assumption

if TYPE_CHECKING:
    from ..engine.calculus.steps import DerivedStep
    from .contraction import Contraction
    from .structure import Structure


#: A formula longer than this (characters of code) is also shown as a teacher's steps.
ONE_LINE = 80


@dataclass(frozen=True)
class LeafGradient:
    leaf: str
    shape: Shape
    formula: Expr
    printable: bool                # False when writing the formula out would repeat shared parts too often
    network: Network = field(repr=False, compare=False)
    edges: dict = field(repr=False, compare=False)  # factor cache shared by every leaf of a derivation

    # The chain is built when asked for: every leaf's chain together grows with depth squared,
    # so deriving stays linear and only printing every chain pays for its length.
    @cached_property
    def chain(self) -> tuple[ChainFactor, ...]:
        return tuple(factors(self.network, self.leaf, self.edges))

    @cached_property
    def contraction(self) -> Contraction | None:
        """The contraction with the leaf's own factor (∂z1/∂W1 against dz1), built when it is drawn."""
        from .contraction import explain
        reader = last_reader(self.network, self.leaf)
        return explain(self.network, reader, self.leaf) if reader else None

    @cached_property
    def paths(self) -> int:
        return count_paths(self.network, self.leaf)

    @cached_property
    def diagonals(self) -> dict[int, Diagonal]:
        """Factor index → the diagonal of that factor's Jacobian, where the step is elementwise (h = σ(z1))."""
        found = ((i, diagonal(self.network, f.of, f.wrt)) for i, f in enumerate(self.chain))
        return {i: diag for i, diag in found if diag is not None}

    @cached_property
    def structures(self) -> dict[int, "Structure"]:
        """Factor index → where that factor's Jacobian is block-diagonal (found with numbers, when asked for),
        for the factors whose structure is shown: those of STRUCTURE_AXES axes or more."""
        from .structure import structure
        out = {}
        for i, f in enumerate(self.chain):
            if len(f.shape) < STRUCTURE_AXES:
                continue
            found = structure(self.network, f)
            if found is not None:
                out[i] = found
        return out

    @property
    def breaks_at(self) -> int | None:
        """Index of the first factor a naive chain of matrices cannot handle."""
        return first_break(list(self.chain))

    @cached_property
    def break_contraction(self) -> Contraction | None:
        """Where the naive chain breaks before the last factor (∂Z2/∂H1 in a batch), the contraction that
        carries the gradient on from there (dH1 = dZ2 W2ᵀ); None when it breaks at the leaf's own factor."""
        i = self.breaks_at
        if i is None or self.chain[i].wrt == self.leaf:
            return None
        from .contraction import explain
        f = self.chain[i]
        return explain(self.network, f.of, f.wrt)

    def short_code(self, limit: int) -> str | None:
        """The formula as code when it is at most `limit` characters (counting stops early: a long formula
        costs no more to turn down than a short one)."""
        if not self.printable or expanded_size(self.formula, limit) > limit:
            return None
        text = code(self.formula)
        return text if len(text) <= limit else None

    @cached_property
    def formula_code(self) -> str | None:
        return code.measured(self.formula) if self.printable else None

    @cached_property
    def steps(self) -> tuple[DerivedStep, ...]:
        """The teacher's steps (dxhat = …, dvar = …, dX = …) when the one-line formula needs more than a line."""
        if self.formula_code is not None and len(self.formula_code) <= ONE_LINE:
            return ()
        from ..engine.calculus.steps import steps_for
        found = steps_for(self.network, self.leaf)
        return found if len(found) > 1 else ()

    def steps_json(self) -> list[dict[str, str]]:
        """The steps as JSON; the leaves' steps are shared (dA3 = … serves every leaf below A3), so each is
        written once per derivation and every leaf that needs it refers to the same text. A step for a
        part of a definition the network leaves unnamed also says which kind it is and the part."""
        from ..engine.language.latex import latex
        out = []
        for s in self.steps:
            key = ("step json", s.name, s.of)
            if key not in self.edges:
                entry = {"name": s.name, "formula": s.code, "latex": latex(s.formula)}
                if s.at is not None:
                    entry.update(kind=s.kind, part=code(s.at))
                self.edges[key] = entry
            out.append(self.edges[key])
        return out

    @cached_property
    def formula_latex(self) -> str | None:
        """The formula as LaTeX (`x^{\\top} \\left(…\\right)`), beside its code form."""
        from ..engine.language.latex import latex
        return latex.measured(self.formula) if self.printable else None


#: Why there are no numbers when the caller turned the check off.
NOT_ASKED = "the numeric check was not asked for"


@dataclass(frozen=True)
class Derivation:
    network: Network
    bindings: dict[str, int]
    gradients: dict[str, LeafGradient]
    assumptions: tuple[Assumption, ...]
    verification: Verification | None
    skipped: str = ""              # why the numeric check was not run, when it could not be

    @cached_property
    def shared_factors(self) -> tuple[ChainFactor, ...]:
        """Every factor of every leaf's chain, each once (what the leaves' chains share)."""
        cache = next(iter(self.gradients.values())).edges if self.gradients else {}
        return tuple(shared_factors(self.network, cache))

    def verification_json(self) -> dict:
        """Whether the formulas were checked with numbers, how closely, and if not, why not."""
        v = self.verification
        error = v.max_error if v is not None and math.isfinite(v.max_error) else None
        out = {"verified": bool(v is not None and v.ok), "worst_relative_error": error,
               "draws": v.draws if v is not None else 0, "dims": dict(v.dims if v is not None else self.bindings),
               "skipped": None if v is not None else (self.skipped or NOT_ASKED)}
        if v is not None and v.inconclusive:  # present only then: why float64 could not decide
            out["inconclusive"] = v.inconclusive
        return out

    def to_json(self) -> dict:
        """Exactly what `derive --json` prints (every key is described in docs/json.md).

        The leaves' chains and formulas share their parts: each factor's object is built once and every
        chain it is in refers to it, and each shared sub-expression's text is written once, so the work is
        in proportion to the network, and only the JSON text (written at C speed) to the chains' length."""
        from ..engine.language.latex import latex
        net = self.network
        factor_json: dict[tuple[str, str], dict] = {}

        def chain_json(chain: tuple[ChainFactor, ...]) -> list[dict]:
            out = []
            for f in chain:
                entry = factor_json.get((f.of, f.wrt))
                if entry is None:
                    entry = factor_json[f.of, f.wrt] = {"of": f.of, "wrt": f.wrt, "shape": shape_json(f.shape)}
                out.append(entry)
            return out

        with code.sharing(), latex.sharing():
            gradients = {leaf: {"shape": shape_json(g.shape), "formula": g.formula_code, "latex": g.formula_latex,
                                "chain": chain_json(g.chain), "steps": g.steps_json()}
                         for leaf, g in self.gradients.items()}
        return {
            "loss": net.loss,
            "dims": dict(self.bindings),
            "nodes": net.nodes_json(),
            "gradients": gradients,
            "verification": self.verification_json(),
        }


def derive(network: Network, dims: dict[str, int] | None = None, wrt: str | None = None,
           check: bool = True, draws: int = 2) -> Derivation:
    if wrt is not None:
        network.require_leaf(wrt)
    bindings = network.bindings(dims)
    check_indices(network, bindings)
    grads = backward(network)
    cache: dict = {}
    leaves = [wrt] if wrt else list(network.leaves)
    out = {}
    sizes: dict[int, int] = {}  # shared by the formulas' common parts (all kept alive by `grads`)
    for leaf in leaves:
        formula = grads.wrt.get(leaf)
        if formula is None:
            formula = simplified("mul", Const(0), Var(leaf, shape=network.leaves[leaf]))
        out[leaf] = LeafGradient(leaf, network.leaves[leaf], formula,
                                 expanded_size(formula, PRINT_LIMIT, sizes) <= PRINT_LIMIT, network, cache)
    verification, skipped = None, ""
    if check:
        formulas = {k: g.formula for k, g in out.items()}
        try:
            verification = verify(network, formulas, bindings, draws=draws)
        except TooLarge as exc:  # shapes and formulas stay symbolic; only the numbers are given up
            skipped = exc.message
    return Derivation(network, bindings, out, grads.assumptions, verification, skipped)


def last_reader(network: Network, leaf: str) -> str | None:
    """The definition closest to the leaf on its way to the loss: where the leaf's last factor comes from."""
    needed = needed_by_loss(network)
    readers = [name for name in network.readers[leaf] if name in needed]
    return readers[-1] if readers else None
