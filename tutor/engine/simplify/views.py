"""Two views of an expression that the algebra's rules reason in, and the network's names behind them.

* A **product of powers**: `2 * G * gamma / sqrt(var + eps)` is 2 · G¹ · gamma¹ · (var + eps)^-½.
  Elementwise `*` and `/` commute and associate whatever the operands' shapes (broadcasting is
  symmetric), so factors can be collected, cancelled and reordered freely.
* A **sum of terms**: `a - 2 * b + c` is [a, -(2 * b), c].

Both look through the names a network defines as products (`xhat = xc / sqrt(var + eps)` is
xc¹ · (var + eps)^-½), so that `sqrt(var + eps) ** 2` cancels against `xhat`'s divisor and the
name can be written back where its factors appear again.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..language.ir import Call, Const, Expr, Var


@dataclass(frozen=True)
class Product:
    """coeff · Π base^exponent; bases distinct, in order of first appearance, no exponent 0."""

    coeff: float = 1.0
    powers: tuple[tuple[Expr, float], ...] = ()

    def times(self, other: Product) -> Product:
        powers = dict(self.powers)
        for base, e in other.powers:
            powers[base] = powers.get(base, 0) + e
        return Product(self.coeff * other.coeff, tuple((b, e) for b, e in powers.items() if e != 0))

    def power(self, k: float) -> Product:
        return Product(self.coeff ** k, tuple((b, e * k) for b, e in self.powers))

    def core(self) -> frozenset:
        """What two like terms share: their powers, whatever their coefficients and order."""
        return frozenset(self.powers)

    def exponent(self, base: Expr) -> float:
        for b, e in self.powers:
            if b == base:
                return e
        return 0.0


@dataclass(frozen=True)
class Assumption:
    """A fact about the data that a simplification relied on (stated wherever it is shown)."""

    target: str
    axis: int

    def text(self) -> str:
        return (f"{self.target} sums to 1 along axis {self.axis} (a one-hot label), which turns the softmax and "
                f"cross-entropy gradient into a difference")


@dataclass
class Names:
    """What a network's definitions say, for rules that write its names back into formulas."""

    vars: dict[str, Var] = field(default_factory=dict)           # name → the name as an expression
    values: dict[str, Expr] = field(default_factory=dict)        # name → its definition, simplified
    products: dict[str, Product] = field(default_factory=dict)   # names defined as a product (xhat, probs, inv)
    by_value: dict[Expr, str] = field(default_factory=dict)      # a definition → its (first) name
    folds: list[tuple[Var, Product]] = field(default_factory=list)  # products, the largest first
    forms: dict[str, Expr] = field(default_factory=dict)         # name → the function its pieces compute

    def fold_index(self) -> dict[Expr, list[int]]:
        """Each fold's place in `folds`, by its first factor (built again when `folds` is replaced)."""
        cached = self.__dict__.get("_fold_index")
        if cached is None or cached[0] is not self.folds:
            index: dict[Expr, list[int]] = {}
            for i, (_, q) in enumerate(self.folds):
                index.setdefault(q.powers[0][0], []).append(i)
            cached = (self.folds, index)
            self.__dict__["_fold_index"] = cached
        return cached[1]

    def seen(self, e: Expr) -> Expr:
        """What a name computes, as the function when it was written out by hand."""
        if isinstance(e, Var) and e.name in self.forms:
            return self.forms[e.name]
        return self.resolve(e)

    def resolve(self, e: Expr) -> Expr:
        """A name's definition (through aliases), or the expression itself."""
        seen = 0
        while isinstance(e, Var) and e.name in self.values and seen < 64:
            e, seen = self.values[e.name], seen + 1
        return e


#: No names: formulas built outside a network.
EMPTY = Names()


def is_integer(x: float) -> bool:
    return float(x).is_integer()


def product_of(e: Expr, names: Names | None = None) -> Product:
    """The product-of-powers view of e (a single factor when e is not a product), looking through the
    names that `names` defines as products (none when it is not given)."""
    if isinstance(e, Const) and e.shape == ():
        return Product(float(e.value))
    if isinstance(e, Call):
        # Remembered on the node for the names it was read with: every rule that builds a product reads
        # its operands' views again, which a long chain of products would otherwise redo at every step.
        # The view without names has a slot of its own, so rules reading both do not evict each other.
        cached = cached_product(e, names)
        if cached is not None:
            return cached
        try:
            found = call_product(e, names)
        except (OverflowError, ZeroDivisionError):  # (1e200 * x) ** 2, x / (D - D): a factor as it stands
            found = Product(1.0, ((e, 1.0),))
        key = len(names.products) if names is not None else -1
        object.__setattr__(e, "_product" if names is not None else "_plain_product", (key, names, found))
        return found
    if names is not None and isinstance(e, Var):
        defined = names.products.get(e.name)
        if defined is not None:
            return defined
    return Product(1.0, ((e, 1.0),))


def cached_product(e: Expr, names: Names | None) -> Product | None:
    """The view of e remembered for these names (and as many product names as they have now), if any."""
    cached = e.__dict__.get("_product" if names is not None else "_plain_product")
    key = len(names.products) if names is not None else -1
    if cached is not None and cached[0] == key and cached[1] is names:
        return cached[2]
    return None


def call_product(e: Call, names: Names | None) -> Product:
    """The view of a call, its operands read through `product_of` (and so remembered)."""
    if e.prim in ("mul", "div"):
        return flat_product(e, names)
    if e.prim == "neg":
        inner = product_of(e.args[0], names)
        return Product(-inner.coeff, inner.powers)
    if e.prim in ("pow", "sqrt"):
        k = e.param("exponent") if e.prim == "pow" else 0.5
        inner = product_of(e.args[0], names)
        if is_integer(k) and (inner.coeff != 0 or k > 0):
            return inner.power(k)
        single = inner.coeff == 1 and len(inner.powers) == 1 and inner.powers[0][1] == 1
        if single:  # (x)^k of one base: fine for any k
            return Product(1.0, ((inner.powers[0][0], k),))
        if inner.coeff > 0 and all(ex == 1 for _, ex in inner.powers) and len(inner.powers) == 1:
            return Product(inner.coeff ** k, ((inner.powers[0][0], k),))
        return Product(1.0, ((e.args[0], k),))
    return Product(1.0, ((e, 1.0),))


def flat_product(e: Call, names: Names | None) -> Product:
    """A chain of * and / read in one pass, left to right, each factor merged into one table (a base whose
    exponent comes to zero leaves it): a chain of k fresh nodes costs k merges, not k² (a view per node)."""
    coeff, powers = 1.0, {}  # type: float, dict[Expr, float]
    stack: list[tuple[Expr, float]] = [(e, 1.0)]
    while stack:
        node, k = stack.pop()
        fresh = isinstance(node, Call) and cached_product(node, names) is None
        if isinstance(node, Call) and node.prim in ("mul", "div") and (node is e or fresh):
            stack.append((node.args[1], k if node.prim == "mul" else -k))
            stack.append((node.args[0], k))
            continue
        p = product_of(node, names)
        coeff *= p.coeff ** k
        for base, x in p.powers:
            total = powers.get(base, 0) + k * x
            if total != 0:
                powers[base] = total
            else:
                powers.pop(base, None)
    return Product(coeff, tuple(powers.items()))


def terms_of(e: Expr) -> list[Expr]:
    """The terms of a sum, signs carried by `neg`: `a - b + c` → [a, -b, c] (as expressions)."""
    out: list[tuple[bool, Expr]] = []
    stack = [(False, e)]
    while stack:
        negated, node = stack.pop()
        if isinstance(node, Call) and node.prim == "add":
            stack.append((negated, node.args[1]))
            stack.append((negated, node.args[0]))
        elif isinstance(node, Call) and node.prim == "sub":
            stack.append((not negated, node.args[1]))
            stack.append((negated, node.args[0]))
        elif isinstance(node, Call) and node.prim == "neg":
            stack.append((not negated, node.args[0]))
        else:
            out.append((negated, node))
    return [Call("neg", (t,), shape=t.shape) if negated else t for negated, t in out]
