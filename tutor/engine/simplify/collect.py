"""Products of powers and sums of terms, collected the way a teacher writes them (see `views`).

`2 * (0.5 / B) * err` is `err / B`; `0.5 * x + 0.5 * x` is `x`; `sqrt(v) ** 2` is `v`; a factor
every term shares is written once; a network's names come back where their factors appear
(`xc / sqrt(var + eps)` is `xhat`). The canonical forms are built with `raw`, so building them
does not set the rules off again.
"""
from __future__ import annotations

import heapq

from .build import Simplifier, broadcast_of, const, extended, is_call, is_const, is_dims, is_zero, raw, zero_like
from ..language.dims import Shape
from ..language.ir import Call, Expr, Var
from .views import EMPTY, Names, Product, product_of, terms_of


def power(base: Expr, e: float) -> Expr:
    """base ** e for e > 0, with sqrt for a half."""
    if e == 1:
        return base
    if e == 0.5:
        return raw("sqrt", base)
    return raw("pow", base, exponent=const(e).value)


def fold_names(p: Product, table: Names) -> Product:
    """Write the network's names back where their factors appear: xc / sqrt(var + eps) → xhat."""
    if not table.folds:
        return p
    powers = dict(p.powers)
    order = [b for b, _ in p.powers]
    # Only the folds whose first factor is here can apply, tried in the table's order (the largest
    # first), a name just folded in bringing its own: a 150-step chain of names would otherwise try
    # every fold on every product it builds.
    index = table.fold_index()
    waiting = sorted({i for b in powers for i in index.get(b, ())})
    halves = None
    while waiting:
        i = heapq.heappop(waiting)
        var, q = table.folds[i]
        k = multiple(powers, q)
        if not k:
            continue
        halves = derivative_halves(powers) if halves is None else halves
        if splits_a_derivative(q, halves):
            continue
        for b, e in q.powers:
            powers[b] -= k * e
        if var not in powers:
            place = {b: at for at, b in enumerate(order)}
            order.insert(min(place[b] for b, _ in q.powers), var)
            for j in index.get(var, ()):
                if j > i and j not in waiting:
                    heapq.heappush(waiting, j)
        powers[var] = powers.get(var, 0) + k
    return Product(p.coeff, tuple((b, powers[b]) for b in order if powers.get(b, 0) != 0))


def derivative_halves(powers: dict[Expr, float]) -> set[Expr]:
    """The bases b of the factors 1 - b and 1 - b ** k: half of an activation's derivative."""
    out = set()
    for other in powers:
        if is_call(other, "sub") and is_const(other.args[0], 1):
            half = other.args[1]
            out.add(half)
            if is_call(half, "pow"):
                out.add(half.args[0])
    return out


def splits_a_derivative(q: Product, halves: set[Expr]) -> bool:
    """Folding would hide half of an activation's derivative: o * (1 - o), 1 - tc ** 2 stay as written."""
    return len(q.powers) >= 2 and any(b in halves for b, _ in q.powers)


def multiple(powers: dict[Expr, float], q: Product) -> int:
    """How many times the name whose product is q can be taken out of `powers` (0: not at all)."""
    if len(q.powers) == 1:
        (b, qe), = q.powers
        pe = powers.get(b, 0)
        k = pe / qe if pe else 0
        if not k or not float(k).is_integer():
            return 0
        if not float(qe).is_integer():
            # a sqrt-like name stands for fractional powers and divisors (b ** -1.5 → inv ** 3,
            # 1 / sum(a ** 2) → 1 / na ** 2), never for a plain power (var + eps stays, not std ** 2)
            return int(k) if pe < 0 or not float(pe).is_integer() else 0
        # an inverse stands for its own powers, and for the expression it inverts when that has no name:
        # Y * (1 + exp(-Z)) is Y / A for A = 1 / (1 + exp(-Z)); counts_sum stays counts_sum
        return int(k) if k > 0 or not isinstance(b, Var) else 0
    ratios = []
    for b, qe in q.powers:
        pe = powers.get(b, 0)
        if pe == 0:
            return 0
        ratios.append(pe / qe)
    if all(r > 0 for r in ratios):  # xc / sqrt(v) → xhat
        k = int(min(ratios))
        return k if k >= 1 else 0
    if all(r < 0 for r in ratios):  # sum(e) / e → 1 / probs
        k = int(min(-r for r in ratios))
        return -k if k >= 1 else 0
    return 0


def build_product(p: Product, names: Names = EMPTY) -> Expr:
    """coeff · numerators / denominators, in order of first appearance, names folded back."""
    p = fold_names(p, names)
    ups = [power(b, e) for b, e in p.powers if e > 0]
    # scalar divisors last, so that `/ N` can leave a product: X.T @ (y * s / (1 + e)) / N; sizes as one
    # product: / (B * T)
    downs = [power(b, -e) for b, e in p.powers if e < 0 and b.shape != ()]
    sizes = [power(b, -e) for b, e in p.powers if e < 0 and b.shape == () and is_dims(b)]
    if sizes:
        whole = sizes[0]
        for s in sizes[1:]:
            whole = raw("mul", whole, s)
        downs.append(whole)
    downs += [power(b, -e) for b, e in p.powers if e < 0 and b.shape == () and not is_dims(b)]
    c = abs(p.coeff)
    out: Expr | None = const(c) if c != 1 or not ups else None
    for u in ups:
        out = u if out is None else extended(out, "mul", u)
    assert out is not None  # a number, or the first numerator
    for d in downs:
        out = extended(out, "div", d)
    return raw("neg", out) if p.coeff < 0 else out



def collect_factors(n: Call, s: Simplifier) -> Expr | None:
    """Factors collected: `2 * (0.5 / B) * err` → `err / B`, `sqrt(v) ** 2` → `v`, `x * y / x` → `y`."""
    if n.prim not in ("mul", "div", "pow", "sqrt"):
        return None
    p = product_of(n, s.names)
    if p.coeff == 0:
        return zero_like(n)
    out = build_product(unbroadcast_factors(p, n.shape), s.names)
    if out == n or out.shape != n.shape:
        return None
    return out


def unbroadcast_factors(p: Product, shape: Shape) -> Product:
    """A broadcast factor needs no broadcast_to when the other factors give the product its shape anyway."""
    bare = tuple((b.args[0] if is_call(b, "broadcast_to") else b, e) for b, e in p.powers)
    return Product(p.coeff, bare) if bare != p.powers and broadcast_of(b.shape for b, _ in bare) == shape else p


def common_factor(products: list[Product]) -> Product | None:
    """What every term has: powers of the same sign (the smaller), and an equal coefficient."""
    first = products[0]
    powers = []
    tables = [dict(p.powers) for p in products]  # looked up, not scanned: terms can have many factors
    for b, e in first.powers:
        es = [table.get(b, 0.0) for table in tables]
        if all(x != 0 and (x > 0) == (e > 0) for x in es):
            powers.append((b, min(es, key=abs)))
    magnitudes = {abs(p.coeff) for p in products}
    coeff = magnitudes.pop() if len(magnitudes) == 1 else 1.0
    if all(p.coeff < 0 for p in products):
        coeff = -coeff
    if not powers and coeff == 1:
        return None
    return Product(coeff, tuple(powers))


def build_sum(products: list[Product], like: Call, names: Names) -> Expr:
    """t1 + t2 - t3 …, a positive term first; a common factor written once, outside."""
    if not products:
        return zero_like(like)
    common = common_factor(products) if len(products) > 1 else None
    if common is not None:
        inverse = common.power(-1)
        inner = build_sum([fold_names(p, names) for p in like_terms([p.times(inverse) for p in products], names)],
                          like, names)
        return build_product(common.times(Product(1.0, ((inner, 1.0),))), names)
    positive = [i for i, p in enumerate(products) if p.coeff > 0]
    if positive:
        products = [products[positive[0]]] + products[:positive[0]] + products[positive[0] + 1:]
    out = build_product(products[0], names)
    for p in products[1:]:
        term = build_product(Product(abs(p.coeff), p.powers), names)
        out = raw("add" if p.coeff > 0 else "sub", out, term)
    return out


def collect_terms(n: Call, s: Simplifier) -> Expr | None:
    """Like terms collected, zero terms dropped, a common factor taken out:
    `0.5 * x + 0.5 * x` → `x`; `a * f - b * f` → `(a - b) * f`; `-Y / N + P / N` → `(P - Y) / N`."""
    if n.prim not in ("add", "sub"):
        return None
    terms = [t for t in terms_of(n) if not is_zero(t)]
    products = [product_of(t, s.names) for t in terms]
    kept = like_terms(products, s.names)
    nested = is_call(n.args[1], "add", "sub")  # a + (b - c) reads a + b - c
    folded = [fold_names(p, s.names) for p in kept]
    if not (nested or len(kept) != len(products) or len(terms) != len(terms_of(n))) and (
            len(folded) < 2 or common_factor(folded) is None):
        return None
    result = build_sum(folded, n, s.names)
    return result if result.shape == n.shape and result != n else None


def like_terms(products: list[Product], names: Names) -> list[Product]:
    """Like terms merged. A term that is a sum in parentheses is opened; a sum inside a term is opened when
    that lets like terms meet: 2 * (a - p) - 2 * (a - n) → 2 * (n - p); 1 + (1 - h ** 2) → 2 - h ** 2."""
    bare: list[Product] = []
    for p in products:
        parenthesised = abs(p.coeff) == 1 and len(p.powers) == 1 and expanded(p, names)
        bare.extend(parenthesised or [p])
    kept = merge_like(bare)
    opened = [q for p in bare for q in (expanded(p, names) or [p])]
    if len(opened) > len(bare):
        merged = merge_like(opened)
        if len(merged) < len(opened) and len(merged) <= len(kept):
            kept = merged
    return kept


def merge_like(products: list[Product]) -> list[Product]:
    """Like terms added: their coefficients summed, those that cancel dropped."""
    out: list[Product] = []
    where: dict[frozenset, int] = {}
    for p in products:
        if p.coeff == 0:
            continue
        key = p.core()
        if key in where:
            i = where[key]
            total = out[i].coeff + p.coeff
            if abs(total - round(total)) < 1e-12 * max(1.0, abs(total)):
                total = float(round(total))  # 0.1 + 0.9 is 1, not 0.9999999999999999
            out[i] = Product(total, out[i].powers)
        else:
            where[key] = len(out)
            out.append(p)
    return [p for p in out if p.coeff != 0]


def expanded(p: Product, names: Names) -> list[Product] | None:
    """The terms of p's one sum factor, each times the rest of p; None when p has no single sum factor."""
    sums = [i for i, (b, e) in enumerate(p.powers) if e == 1 and is_call(b, "add", "sub")]
    if len(sums) != 1:
        return None
    i = sums[0]
    rest = Product(p.coeff, p.powers[:i] + p.powers[i + 1:])
    return [product_of(u, names).times(rest) for u in terms_of(p.powers[i][0])]
