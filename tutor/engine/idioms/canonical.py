"""A network's course spellings read once, and what they say about it, as a value.

Courses write the same function many ways: CS231n's `exp_scores / np.sum(exp_scores, axis=1,
keepdims=True)` is `softmax(scores, axis=1)`, deeplearning.ai's `1 / (1 + np.exp(-Z))` is
`sigmoid(Z)`, `np.eye(K)[y]` is `onehot(y, K)`. `canonical` reads a network once and returns the
facts every later pass relies on:

* the forms written out by hand, each with the primitive it computes (forms.py), keyed by the
  definition they sit in and the sub-expression itself;
* the leaves that are one-hot labels, and along which axis (targets.py);
* the network's names as formulas read them: each definition simplified, the names defined as
  products, and the function a written-out definition computes (`probs` is `softmax(scores)`).

The derivative rules and the simplifier are given these facts; none of them looks for a spelling
of its own. The network itself comes back unchanged: the names inside a written-out form keep
their own gradients (a teacher writes `dexp_scores` too), so the form is recorded, not replaced.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from ..language.ir import Call, Expr, Var, deep_recursion, walk
from ..language.network import Network
from ..simplify.algebra import names_of
from ..simplify.views import EMPTY, Names
from .forms import Form, is_eye_rows, recognise
from .targets import one_hot_labels


@dataclass(frozen=True, eq=False)
class Facts:
    """What the canonical pass found in a network: the rules read these, never the network's text."""

    onehot: Mapping[str, int] = field(default_factory=dict)              # label leaf → its one-hot axis
    names: Names = field(default_factory=lambda: EMPTY)                   # the network's names, for formulas
    forms: Mapping[tuple[str, Expr], Form] = field(default_factory=dict)  # (owner, node) → the form it is

    def form(self, owner: str | None, node: Expr) -> Form | None:
        """The form `node` (a sub-expression of owner's definition) is written out as, if any."""
        return self.forms.get((owner, node)) if owner is not None and isinstance(node, Call) else None

    def one_hot_axis(self, e: Expr) -> int | None:
        """The axis along which e is a one-hot label (counted in e's own axes), or None: a label leaf,
        or `onehot(y, K)` (and `np.eye(K)[y]`), one-hot by construction."""
        if isinstance(e, Var):
            return self.onehot.get(e.name)
        if isinstance(e, Call) and (e.prim == "onehot" or is_eye_rows(e)):
            return len(e.shape) - 1
        return None


NO_FACTS = Facts()


@lru_cache(maxsize=16)
def canonical(network: Network) -> tuple[Network, Facts]:
    """The network and the facts its spellings establish, computed once per network."""
    with deep_recursion():
        forms = written_out(network)
        onehot = one_hot_labels(network, forms)
        names = names_of(network.definitions, network.shapes, lambda name, expr: whole(forms, name, expr))
    return network, Facts(onehot, names, forms)


def facts_of(network: Network) -> Facts:
    return canonical(network)[1]


def find_targets(network: Network) -> Mapping[str, int]:
    """Leaf name → the axis along which it is a one-hot label."""
    return facts_of(network).onehot


def written_out(network: Network) -> dict[tuple[str, Expr], Form]:
    """Every sub-expression of every definition that is a form written out by hand."""
    found: dict[tuple[str, Expr], Form] = {}
    seen: set[tuple[str, Expr]] = set()
    for owner, expr in network.definitions.items():
        for node in walk(expr):
            if isinstance(node, Call) and (owner, node) not in seen:
                seen.add((owner, node))
                form = recognise(node, network, owner)
                if form is not None:
                    found[owner, node] = form
    return found


def whole(forms: Mapping[tuple[str, Expr], Form], name: str, expr: Expr) -> Expr | None:
    """The softmax (or log-softmax) a whole definition computes when it is written out by hand."""
    form = forms.get((name, expr))
    return form.call if form is not None and form.call.prim in ("softmax", "log_softmax") else None
