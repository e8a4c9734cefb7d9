"""Forms a course writes out by hand, seen whole for their derivatives.

CS231n writes `probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)` where a library
writes `softmax(scores, axis=1)`, Karpathy spells the same with `counts_sum_inv`, and both often
subtract the row maximum first. Differentiated piece by piece the gradient is right but comes out
as a sum of quotients no local rewrite folds back into `probs - Y`. Seen whole, the pieces are a
primitive with a rule of its own:

* `exp(s) / sum(exp(s), axis, keepdims=True)` is `softmax(s, axis)`;
* `s - log(sum(exp(s), axis, keepdims=True))` is `log_softmax(s, axis)`;
* `log(sum(exp(s), axis))` is the log-sum-exp of s, whose gradient is `softmax(s, axis)`;
* `m + log(sum(exp(s - m), axis))` is the same log-sum-exp;
* `1 / (1 + exp(-z))` is `sigmoid(z)` (so the binary cross-entropy's gradient cancels to `A - Y`);

and `s - m` for an `m` constant along the axis (the max shift) changes none of them, so its
gradient through the form is exactly zero.

`recognise` returns the primitive call, the names computed only inside the form (they get their
own gradients, and pass nothing on: the form has already sent it), and the shifts.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..language.dims import ONE
from ..errors import ShapeError
from ..language.ir import Call, Const, Expr, Var
from ..language.network import Network
from ..language.shapes import infer, normalize_axes


@dataclass(frozen=True)
class Form:
    call: Call                    # the primitive the pieces compute: softmax(scores, axis=1)
    inside: frozenset[str]        # names computed only inside the form (exp_scores, counts_sum)
    shifts: tuple[Expr, ...]      # what was subtracted for stability: no gradient flows to it through the form


class Attempt:
    """One attempt to read an expression as a form: the names it looks through, and the network."""

    def __init__(self, network: Network):
        self.network = network
        self.through: set[str] = set()
        self.expansions: dict[str, tuple[dict[Expr, float], frozenset[str]]] = {}

    def open(self, e: Expr) -> Expr:
        """A defined name's definition (remembered as looked through), or e itself."""
        if isinstance(e, Var) and e.name in self.network.definitions:
            self.through.add(e.name)
            return self.network.definitions[e.name]
        return e

    def peek(self, e: Expr) -> Expr:
        """The definition without committing to looking through it."""
        if isinstance(e, Var) and e.name in self.network.definitions:
            return self.network.definitions[e.name]
        return e

    def same(self, a: Expr, b: Expr) -> bool:
        return a == b or self.peek(a) == self.peek(b)

    def powers(self, e: Expr) -> list[tuple[Expr, float]]:
        """e as a product of powers, looking through names defined as products (counts * counts_sum_inv).
        A base met twice is one entry with its exponents added (a zero kept: `x / x` is not nothing)."""
        return list(self.powers_of(e).items())

    def powers_of(self, e: Expr) -> dict[Expr, float]:
        # Each name's expansion is computed once: `a2 = a1 * a1`, `a3 = a2 * a2`, ... would otherwise
        # be walked 2**n times.
        if isinstance(e, Var) and e.name in self.expansions:
            self.through |= self.expansions[e.name][1]
            return self.expansions[e.name][0]
        inner = self.peek(e) if isinstance(e, Var) else e
        if not (isinstance(inner, Call) and (inner.prim in ("mul", "div") or (
                inner.prim == "pow" and float(inner.param("exponent")).is_integer()))):
            return {e: 1.0}
        before = set(self.through)
        self.open(e)
        out: dict[Expr, float] = {}
        if inner.prim == "pow":
            parts = [(inner.args[0], float(inner.param("exponent")))]
        else:
            parts = [(inner.args[0], 1.0), (inner.args[1], 1.0 if inner.prim == "mul" else -1.0)]
        for part, k in parts:
            for base, power in self.powers_of(part).items():
                out[base] = out.get(base, 0.0) + k * power
        if isinstance(e, Var):
            self.expansions[e.name] = (out, frozenset(self.through - before) | {e.name})
        return out

    def exp_of(self, e: Expr) -> Expr | None:
        inner = self.open(e)
        return inner.args[0] if isinstance(inner, Call) and inner.prim == "exp" else None

    def sum_of_exp(self, e: Expr) -> tuple[Expr, Expr, Call] | None:
        """(E, s, the sum) when e is sum(E, axis, ...) and E is exp(s); a sum whose axis is put back by hand
        (`[:, None]`, `.reshape(-1, 1)`) counts as kept (keepdims=True)."""
        total = kept_axes(self.open(e))
        if not (isinstance(total, Call) and total.prim == "sum"):
            return None
        s = self.exp_of(total.args[0])
        return None if s is None else (total.args[0], s, total)

    def unshift(self, s: Expr, axis: int) -> tuple[Expr, tuple[Expr, ...]]:
        """(x, (m,)) when s is x - m for an m constant along the axis, else (s, ())."""
        inner = self.peek(s)
        if isinstance(inner, Call) and inner.prim == "sub":
            x, m = inner.args
            if x.shape == s.shape and constant_along(m, s.shape, axis):
                self.open(s)
                return x, (m,)
        return s, ()


def kept_axes(e: Expr) -> Expr:
    """sum(x, axis)[:, None] or sum(x, axis).reshape(N, 1), which put the summed axis back, as
    sum(x, axis, keepdims=True); anything else as it is."""
    if isinstance(e, Call) and e.prim in ("getitem", "reshape") and isinstance(e.args[0], Call) \
            and e.args[0].prim == "sum" and not e.args[0].param("keepdims", False):
        if e.prim == "getitem" and not all(it[0] == "n" or it == ("s", None, None) for it in e.param("items")):
            return e
        total = e.args[0]
        kept = Call("sum", total.args, tuple(sorted({**dict(total.params), "keepdims": True}.items())))
        try:
            shape = infer(kept, [total.args[0].shape])
        except ShapeError:
            return e
        if shape == e.shape:
            return Call("sum", total.args, kept.params, shape=shape)
    return e


def constant_along(m: Expr, shape, axis: int) -> bool:
    offset = len(shape) - len(m.shape)
    return offset >= 0 and (axis < offset or m.shape[axis - offset] == ONE)


def one_axis(total: Call) -> int | None:
    """The one axis a sum runs over (None: several, which no softmax can follow)."""
    shape = total.args[0].shape
    axes = normalize_axes(total, shape, total.param("axis"))
    return axes[0] if len(axes) == 1 else None


def build(prim: str, arg: Expr, **params) -> Call | None:
    node = Call(prim, (arg,), tuple(sorted(params.items())))
    try:
        return Call(prim, (arg,), node.params, shape=infer(node, [arg.shape]))
    except ShapeError:
        return None


def softmax_form(r: Attempt, e: Call) -> tuple[Call, tuple[Expr, ...]] | None:
    """exp(s) / sum(exp(s), axis, keepdims=True), through names and inverses: softmax(s, axis)."""
    if e.prim not in ("mul", "div"):
        return None
    powers = r.powers(e)
    if len(powers) != 2 or sorted(k for _, k in powers) != [-1.0, 1.0]:
        return None
    top, bottom = (powers[0][0], powers[1][0]) if powers[0][1] == 1 else (powers[1][0], powers[0][0])
    found = r.sum_of_exp(bottom)
    if found is None or not r.same(found[0], top):
        return None
    _, s, total = found
    axis = one_axis(total)
    if axis is None or not total.param("keepdims", False) or r.exp_of(top) is None:
        return None
    x, shifts = r.unshift(s, axis)
    call = build("softmax", x, axis=axis - len(x.shape))
    return (call, shifts) if call is not None and call.shape == e.shape else None


def log_softmax_form(r: Attempt, e: Call) -> tuple[Call, tuple[Expr, ...]] | None:
    """s - log(sum(exp(s), axis, keepdims=True)): log_softmax(s, axis)."""
    if e.prim != "sub":
        return None
    s, logged = e.args
    log = r.open(logged)
    if not (isinstance(log, Call) and log.prim == "log"):
        return None
    found = r.sum_of_exp(log.args[0])
    if found is None or not r.same(found[1], s):
        return None
    total = found[2]
    axis = one_axis(total)
    if axis is None or (not total.param("keepdims", False) and len(s.shape) > 1):
        return None
    x, shifts = r.unshift(s, axis)
    call = build("log_softmax", x, axis=axis - len(x.shape))
    return (call, shifts) if call is not None and call.shape == e.shape else None


def logsumexp_form(r: Attempt, e: Call) -> tuple[Call, tuple[Expr, ...]] | None:
    """log(sum(exp(s), axis)), or m + log(sum(exp(s - m), axis)) with the shift added back."""
    if e.prim == "log":
        found = r.sum_of_exp(e.args[0])
        if found is None:
            return None
        total = found[2]
        axis = one_axis(total)
        if axis is None:
            return None
        call = build("logsumexp", found[1], axis=axis, keepdims=bool(total.param("keepdims", False)))
        return (call, ()) if call is not None and call.shape == e.shape else None
    if e.prim == "add":
        for m, logged in (e.args, e.args[::-1]):
            log = r.peek(logged)
            if not (isinstance(log, Call) and log.prim == "log"):
                continue
            trial = Attempt(r.network)
            trial.open(logged)
            found = trial.sum_of_exp(log.args[0])
            if found is None:
                continue
            axis = one_axis(found[2])
            if axis is None:
                continue
            x, shifts = trial.unshift(found[1], axis)
            if not shifts or not trial.same(shifts[0], m):
                continue
            call = build("logsumexp", x, axis=axis, keepdims=bool(found[2].param("keepdims", False)))
            if call is not None and call.shape == e.shape:
                r.through |= trial.through
                return call, (m,)
    return None


def sigmoid_form(r: Attempt, e: Call) -> tuple[Call, tuple[Expr, ...]] | None:
    """1 / (1 + exp(-z)), deeplearning.ai's and Nielsen's sigmoid: sigmoid(z)."""
    if e.prim != "div" or not (isinstance(e.args[0], Const) and e.args[0].value == 1):
        return None
    total = r.open(e.args[1])
    if not (isinstance(total, Call) and total.prim == "add"):
        return None
    for one, other in (total.args, total.args[::-1]):
        if isinstance(one, Const) and one.value == 1:
            minus = r.exp_of(other)
            inner = r.open(minus) if minus is not None else None
            if isinstance(inner, Call) and inner.prim == "neg" and inner.args[0].shape == e.shape:
                return Call("sigmoid", (inner.args[0],), shape=e.shape), ()
    return None


def is_eye_rows(e: Call) -> bool:
    """np.eye(K)[y]: rows of a square identity picked by an index array, a one-hot label (onehot(y, K))."""
    if e.prim != "getitem" or e.param("items") != (("a", 1),) or not isinstance(e.args[0], Call):
        return False
    eye = e.args[0]
    return eye.prim == "eye" and eye.param("k", 0) == 0 and eye.param("m", eye.param("n")) == eye.param("n")


FORMS = (softmax_form, log_softmax_form, logsumexp_form, sigmoid_form)


def recognise(e: Expr, network: Network, owner: str) -> Form | None:
    """The form e (a sub-expression of owner's definition) computes, when every name it looks through
    is read nowhere else."""
    if not isinstance(e, Call):
        return None
    for form in FORMS:
        r = Attempt(network)
        found = form(r, e)
        if found is None:
            continue
        call, shifts = found
        if private(r.through, e, network, owner):
            return Form(call, frozenset(r.through), shifts)
    return None


def private(inside: set[str], e: Expr, network: Network, owner: str) -> bool:
    """Each name is read only inside the form: by other such names, or by e itself within owner."""
    for name in inside:
        for reader in network.readers[name]:
            if reader in inside:
                continue
            if reader != owner or occurrences(network.definitions[owner], name) != occurrences(e, name):
                return False
    return True


def occurrences(e: Expr, name: str) -> int:
    if isinstance(e, Var):
        return int(e.name == name)
    if isinstance(e, Call):
        return sum(occurrences(a, name) for a in e.args)
    return 0

