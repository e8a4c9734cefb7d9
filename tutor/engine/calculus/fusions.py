"""Teacher fusions: the forms a teacher writes a derivative in, keyed by the primitive where they fire.

The rules in `vjp` are calculus only. Applied one by one they give right gradients that no
teacher writes: the softmax's Jacobian applied to the cross-entropy's `-Y / probs` is
`probs * (-Y / probs - sum(...))`, where a teacher writes `probs - Y`. A fusion sees the incoming
gradient and the network's facts (canonical.py) and returns the collapsed form, or None when it
does not apply (the rule is used then):

* softmax: g = K / probs (a cross-entropy's gradient) gives `K - probs * sum(K, axis)`, and the sum
  of a scaled one-hot label along its axis is its scale: `probs - Y`;
* log_softmax: the same sum of a scaled one-hot label, so `g - softmax(s) * c`;
* sigmoid: the binary cross-entropy's gradient through s = sigmoid(z) is c·(t − s);
* getitem: a picked probability's `K / picked` scatters as `scatter(K) / P`.

A fusion that relies on a label being one-hot records the assumption (`Fusing.used`), so it is
stated wherever the gradient is shown. Fusions only run with a rule table's own entries: a
learner's mistaken rule (judge/mistakes.py) is used as it is.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..idioms.canonical import NO_FACTS, Facts
from ..idioms.forms import Form
from ..language.dims import ONE
from ..language.ir import Call, Expr, Var
from ..language.shapes import normalize_axes
from ..simplify.algebra import Simplifier, build_product, const, is_call, is_scalar, is_zero
from ..simplify.views import Assumption, Product, product_of, terms_of
from .vjp import along, full, getitem_vjp

Fusion = Callable[..., "Expr | None"]


@dataclass
class Fusing:
    """The facts a derivation relies on, the simplifier that writes with the network's names, and the
    assumptions used so far."""

    facts: Facts = NO_FACTS
    used: list[Assumption] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.simplifier = Simplifier(self.facts.names)

    def mk(self, prim: str, *args: Expr, **params) -> Expr:
        return self.simplifier.mk(prim, *args, **params)

    def simplify(self, e: Expr) -> Expr:
        return self.simplifier.simplify(e)

    def assume(self, target: str, axis: int) -> None:
        self.used.append(Assumption(target, axis))

    # -- what a gradient divides by ------------------------------------------------------
    def over(self, g: Expr, denominator: Expr) -> Expr | None:
        """K such that g == K / denominator (the form a cross-entropy gradient takes), or None."""
        names = self.facts.names
        p, d = self.picked(product_of(g, names), denominator), product_of(denominator, names)
        if d.coeff != 1 or not d.powers:
            return None
        for base, e in d.powers:
            have = p.exponent(base)
            if have == 0 or (have < 0) != (e > 0) or abs(have) < abs(e):
                return None
        return build_product(p.times(d), names)  # may be smaller than g: a label broadcast along a batch

    def picked(self, p: Product, probs: Expr) -> Product:
        """Y / sum(probs * Y, axis, keepdims=True) is Y / probs for Y one-hot along the axis: the sum is the
        probability Y picks, and where Y is 0 both are 0 (the gradient of log(sum(probs * Y, axis)))."""
        for i, (b, e) in enumerate(p.powers):
            total = self.kept_sum(b)
            if e >= 0 or total is None or not is_call(total.args[0], "mul"):
                continue
            axes = normalize_axes(None, total.args[0].shape, total.param("axis"))
            for q, y in (total.args[0].args, total.args[0].args[::-1]):
                if q == probs and y.shape == q.shape and len(axes) == 1 and self.facts.one_hot_axis(y) == axes[0] \
                        and p.exponent(y) > 0:
                    if isinstance(y, Var):
                        self.assume(y.name, axes[0])
                    rest = Product(p.coeff, p.powers[:i] + p.powers[i + 1:])
                    return rest.times(product_of(probs, self.facts.names).power(e))
        return p

    def kept_sum(self, b: Expr) -> Call | None:
        """The sum b is, broadcasting back along its axes: sum(x, axis, keepdims=True), or a named
        sum(x, axis) reshaped to keep its axis (correct_confidences.reshape(N, 1))."""
        if is_call(b, "sum") and b.param("keepdims", False):
            return b
        if is_call(b, "reshape"):
            total = self.facts.names.resolve(b.args[0])
            if is_call(total, "sum") and not total.param("keepdims", False):
                axes = normalize_axes(None, total.args[0].shape, total.param("axis"))
                if tuple(ONE if i in axes else d for i, d in enumerate(total.args[0].shape)) == b.shape:
                    return total
        return None

    # -- a one-hot label summed along its axis -------------------------------------------
    def target_scale(self, k: Expr, axis: int, rank: int) -> tuple[Expr, str | None] | None:
        """(c, y) when k == c * y for a one-hot target y along `axis` (of `rank` axes) and a scalar c
        (y None: one-hot by construction, onehot(y, K), no assumption needed)."""
        if is_call(k, "broadcast_to"):
            return self.target_scale(k.args[0], axis, rank)
        if isinstance(k, (Call, Var)) and self.facts.one_hot_axis(k) == axis - (rank - len(k.shape)):
            return const(1), (k.name if isinstance(k, Var) else None)
        if is_call(k, "neg"):
            found = self.target_scale(k.args[0], axis, rank)
            return None if found is None else (self.mk("neg", found[0]), found[1])
        if is_call(k, "mul"):
            a, b = k.args
            for scale, rest in ((a, b), (b, a)):
                if is_scalar(scale):
                    found = self.target_scale(rest, axis, rank)
                    if found:
                        return self.mk("mul", scale, found[0]), found[1]
        if is_call(k, "div") and is_scalar(k.args[1]):
            found = self.target_scale(k.args[0], axis, rank)
            return None if found is None else (self.mk("div", found[0], k.args[1]), found[1])
        return None

    def sum_along(self, k: Expr, axes: tuple[int, ...], rank: int) -> Expr:
        """sum(k, axes, keepdims=True), or the scalar it equals when k is a scaled one-hot target."""
        if len(axes) == 1:
            found = self.target_scale(k, axes[0], rank)
            if found is not None:
                if found[1] is not None:
                    self.assume(found[1], axes[0])
                return found[0]
        return self.mk("sum", k, axis=along(axes, rank), keepdims=True)

    def full(self, g: Expr, like: Expr) -> Expr:
        """g spread to like's shape, so that a sum along an axis counts every copy."""
        return g if g.shape == like.shape else self.mk("broadcast_to", g, shape=like.shape)

    def equal(self, a: Expr, b: Expr) -> bool:
        """a and b are the same once the algebra has collected their terms."""
        return a == b or is_zero(self.mk("sub", a, b))

    def through_written_form(self, form: Form, expr: Call, g: Expr, ans: Expr) -> tuple[Expr, Expr]:
        """The gradient and value at a form's primitive: written inline, g divided by the pieces is
        divided by the function."""
        if isinstance(ans, Var):
            return g, ans
        k = self.over(g, expr)
        return (g if k is None else self.mk("div", k, form.call)), form.call


# -- the fusions, by primitive (each for the rule of the primitive's first argument) ------------
def softmax_fusion(f: Fusing, g: Expr, ans: Expr, a: Expr, axis=-1) -> Expr | None:
    """g = K / softmax: the Jacobian diag(s) - s sᵀ applied to it collapses to K - s · sum(K)."""
    k = f.over(g, ans)
    if k is None:
        return None
    axes = normalize_axes(None, a.shape, axis)
    return f.mk("sub", k, f.mk("mul", ans, f.sum_along(f.full(k, ans), axes, len(a.shape))))


def log_softmax_fusion(f: Fusing, g: Expr, ans: Expr, a: Expr, axis=-1) -> Expr | None:
    """A scaled one-hot label summed along the log-softmax's axis is its scale: g - softmax(s) · c."""
    axes = normalize_axes(None, a.shape, axis)
    if len(axes) != 1:
        return None
    rank = len(a.shape)
    found = f.target_scale(f.full(g, ans), axes[0], rank)
    if found is None:
        return None
    if found[1] is not None:
        f.assume(found[1], axes[0])
    return f.mk("sub", g, f.mk("mul", f.mk("softmax", a, axis=axis), found[0]))


def binary_cross_entropy(f: Fusing, g: Expr, ans: Expr, a: Expr) -> Expr | None:
    """c·(t − s) when g = c·(t/s + (t − 1)/(1 − s)): the gradient of −[t log s + (1 − t) log(1 − s)]
    through s = sigmoid(z), which a teacher writes as (p − t), times the loss's scale c (or with the
    sign inside the sum, c·(t/s + (t + 1)/(1 − s)) → c·(t + s))."""
    s = ans
    p = product_of(g, f.facts.names)
    for i, (base, e) in enumerate(p.powers):
        if e != 1 or not is_call(base, "add", "sub"):
            continue
        terms = terms_of(base)
        if len(terms) != 2:
            continue
        one_minus = f.mk("sub", const(1), s)
        for first, second in (terms, terms[::-1]):
            t, u = f.over(first, s), f.over(second, one_minus)
            if t is None or u is None:
                continue
            scale = build_product(Product(p.coeff, p.powers[:i] + p.powers[i + 1:]), f.facts.names)
            if f.equal(u, f.mk("sub", t, const(1))):    # c·(t/s + (t − 1)/(1 − s)) · s(1 − s) = c·(t − s)
                return f.mk("mul", scale, f.mk("sub", t, s))
            if f.equal(u, f.mk("add", t, const(1))):    # the sign inside: c·(t/s + (t + 1)/(1 − s)) → c·(t + s)
                return f.mk("mul", scale, f.mk("add", t, s))
    return None


def picked_fusion(f: Fusing, g: Expr, ans: Expr, a: Expr, *index: Expr, items) -> Expr | None:
    """g = K / picked: where the scatter is not zero, picked is a, so the scatter of K divided by a."""
    k = f.over(g, ans)
    if k is None or is_scalar(ans):
        return None
    inner = picked_fusion(f, k, ans, a, *index, items=items)
    # K spread to the picked values' shape: a K broadcast along them scatters to every place it picks
    return (inner if inner is not None else getitem_vjp(full(k, ans), ans, a, *index, items=items)) / a


FUSIONS: dict[str, Fusion] = {
    "softmax": softmax_fusion,
    "log_softmax": log_softmax_fusion,
    "sigmoid": binary_cross_entropy,
    "getitem": picked_fusion,
}
