"""Building expressions that read the way a teacher writes them.

`mk` computes a new node's shape with the shape rules, then applies a tuple of
tiny rewrite rules until none fires. This module also gives `Expr` its
operators (`a @ b`, `g * ans`, `x.T`), each built through `mk`. Children are always built first, so one
local fixpoint per node is enough: the cost stays linear in what is built.
"""
from __future__ import annotations

from collections.abc import Callable

from .dims import ONE, Dim, Shape, product
from .errors import ShapeError
from .ir import Call, Const, DimRef, Expr, Var
from .shapes import ELEMENTWISE, broadcast, infer, normalize_axes
from .views import NAMES, Names, Product, names, product_of, terms_of

Rewrite = Callable[[Call], "Expr | None"]
FOLD = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b if b else None}


def mk(prim: str, *args: Expr, **params) -> Expr:
    node = Call(prim, args, tuple(sorted(params.items())))
    node = Call(prim, args, node.params, shape=infer(node, [a.shape for a in args]))
    for _ in range(16):
        for rule in REWRITES:
            new = rule(node)
            if new is not None:
                break
        else:
            return node
        if not isinstance(new, Call):
            return new
        node = new
    return node


def const(value: float) -> Const:
    return Const(int(value) if float(value).is_integer() and abs(value) < 1e15 else value)


def is_const(e: Expr, value: float | None = None) -> bool:
    return isinstance(e, Const) and (value is None or e.value == value)


def is_call(e: Expr, *prims: str) -> bool:
    return isinstance(e, Call) and e.prim in prims


def is_scalar(e: Expr) -> bool:
    return e.shape == ()


def dim_expr(d: Dim) -> Expr:
    """A dimension as a scalar expression: `N`, `N * Dy`, `3`."""
    out: Expr = const(d.coeff) if d.coeff != 1 or not d.symbols else DimRef(d.symbols[0])
    for s in (d.symbols if d.coeff != 1 else d.symbols[1:]):
        out = mk("mul", out, DimRef(s))
    return out


# -- arithmetic on expressions: derivative rules read like the math they encode ------

def _lift(value) -> Expr:
    return value if isinstance(value, Expr) else Const(value)


def _operator(prim: str, swap: bool = False):
    def method(self, other):
        a, b = (_lift(other), self) if swap else (self, _lift(other))
        return mk(prim, a, b)
    return method


for _name, _prim in (("add", "add"), ("sub", "sub"), ("mul", "mul"), ("truediv", "div"), ("matmul", "matmul")):
    setattr(Expr, f"__{_name}__", _operator(_prim))
    setattr(Expr, f"__r{_name}__", _operator(_prim, swap=True))
for _name in ("gt", "ge", "lt", "le"):
    setattr(Expr, f"__{_name}__", _operator(_name))
Expr.__neg__ = lambda self: mk("neg", self)
Expr.__pow__ = lambda self, exponent: mk("pow", self, exponent=exponent)
Expr.T = property(lambda self: mk("transpose", self))


# -- rewrite rules: each looks at one node and returns a simpler one, or None ---------

def fold_constants(n: Call) -> Expr | None:
    if n.prim in FOLD and all(isinstance(a, Const) for a in n.args):
        value = FOLD[n.prim](n.args[0].value, n.args[1].value)
        return None if value is None else const(value)
    if n.prim == "neg" and isinstance(n.args[0], Const):
        return const(-n.args[0].value)
    return None


def identities(n: Call) -> Expr | None:
    """x + 0, x * 1, x / 1, x ** 1, 1 * x, -1 * x — where the shape is unchanged."""
    if n.prim in ("add", "sub", "mul", "div"):
        a, b = n.args
        if n.prim == "add" and is_const(a, 0) and b.shape == n.shape:
            return b
        if n.prim in ("add", "sub") and is_const(b, 0) and a.shape == n.shape:
            return a
        if n.prim == "mul" and is_const(a, 1) and b.shape == n.shape:
            return b
        if n.prim in ("mul", "div") and is_const(b, 1) and a.shape == n.shape:
            return a
        if n.prim == "mul" and is_const(a, -1) and b.shape == n.shape:
            return mk("neg", b)
    if n.prim == "pow" and n.param("exponent") == 1:
        return n.args[0]
    return None


def constants_first(n: Call) -> Expr | None:
    """`W * 2` → `2 * W`; `2 * (3 * W)` → `6 * W`; `x * (1 / N)` → `x / N`."""
    if n.prim != "mul":
        return None
    a, b = n.args
    if isinstance(b, Const) and not isinstance(a, Const):
        return mk("mul", b, a)
    if isinstance(a, Const) and is_call(b, "mul") and isinstance(b.args[0], Const):
        return mk("mul", const(a.value * b.args[0].value), b.args[1])
    for x, y in ((a, b), (b, a)):
        if is_call(y, "div") and is_const(y.args[0], 1) and is_scalar(y.args[1]):
            return mk("div", x, y.args[1])
    return None


def pull_out_negation(n: Call) -> Expr | None:
    """Signs travel outward, so they cancel and `-(y - yhat)` can become `yhat - y`."""
    p, args = n.prim, n.args
    if p == "neg":
        (a,) = args
        if is_call(a, "neg"):
            return a.args[0]
        if is_call(a, "sub"):
            return mk("sub", a.args[1], a.args[0])
        if is_call(a, "div") and is_call(a.args[0], "sub") and is_scalar(a.args[1]):  # -((P - T) / N)
            return mk("div", mk("sub", a.args[0].args[1], a.args[0].args[0]), a.args[1])
        return None
    if p in ("mul", "div", "matmul", "outer"):
        a, b = args
        if is_call(a, "neg"):
            return mk("neg", mk(p, a.args[0], b))
        if is_call(b, "neg"):
            return mk("neg", mk(p, a, b.args[0]))
        if p == "mul" and isinstance(a, Const) and a.value < 0:
            return mk("neg", mk("mul", const(-a.value), b))
    if p in ("transpose", "sum", "mean", "reshape") and is_call(args[0], "neg"):
        return mk("neg", mk(p, args[0].args[0], **dict(n.params)))
    if p == "add":
        a, b = args
        if is_call(b, "neg"):
            return mk("sub", a, b.args[0])
        if is_call(a, "neg"):
            return mk("sub", b, a.args[0])
    if p == "sub":
        a, b = args
        if is_call(b, "neg"):
            return mk("add", a, b.args[0])
        if is_call(a, "neg"):
            return mk("neg", mk("add", a.args[0], b))
    return None


def constants_outward(n: Call) -> Expr | None:
    """A constant factor leaves products, sums and transposes, so that it can cancel: `(2 * a) @ b` → `2 * (a @ b)`;
    `2 * a / (2 * N)` → `a / N`."""
    def split(e: Expr) -> tuple[Const, Expr] | None:
        if is_call(e, "mul") and isinstance(e.args[0], Const) and not isinstance(e.args[1], Const):
            return e.args[0], e.args[1]
        return None

    if n.prim in ("matmul", "outer"):
        for i, arg in enumerate(n.args):
            found = split(arg)
            if found:
                c, rest = found
                args = list(n.args)
                args[i] = rest
                return mk("mul", c, mk(n.prim, *args))
    if n.prim in ("transpose", "sum", "mean") and split(n.args[0]):
        c, rest = split(n.args[0])
        return mk("mul", c, mk(n.prim, rest, **dict(n.params)))
    if n.prim == "div":
        top, bottom = split(n.args[0]), split(n.args[1])
        if top and bottom and top[0].value == bottom[0].value:
            return mk("div", top[1], bottom[1])
        if top and isinstance(n.args[1], Const) and n.args[1].value == top[0].value:
            return top[1]
    return None


def common_divisor(n: Call) -> Expr | None:
    """`a / N - b / N` → `(a - b) / N`; `sum(a / N)` → `sum(a) / N`."""
    if n.prim in ("add", "sub"):
        a, b = n.args
        if is_call(a, "div") and is_call(b, "div") and a.args[1] == b.args[1] and is_scalar(a.args[1]):
            return mk("div", mk(n.prim, a.args[0], b.args[0]), a.args[1])
    if n.prim in ("sum", "transpose") and is_call(n.args[0], "div") and is_scalar(n.args[0].args[1]):
        inner, divisor = n.args[0].args
        return mk("div", mk(n.prim, inner, **dict(n.params)), divisor)
    if n.prim in ("mul", "matmul", "outer") and not any(isinstance(a, Const) for a in n.args):
        # A division by a scalar floats outward, so `/ N` appears once, at the end.
        a, b = n.args
        if is_call(a, "div") and is_scalar(a.args[1]) and not is_const(a.args[0], 1):
            return mk("div", mk(n.prim, a.args[0], b), a.args[1])
        if is_call(b, "div") and is_scalar(b.args[1]) and not is_const(b.args[0], 1):
            return mk("div", mk(n.prim, a, b.args[0]), b.args[1])
    return None


def sum_of_broadcast(n: Call) -> Expr | None:
    """sum(c repeated over A) over every axis is c times A's size: `N * M`, not a sum of ones."""
    if n.prim in ("sum", "mean") and n.param("axis") is None and is_call(n.args[0], "reshape", "transpose"):
        return mk(n.prim, n.args[0].args[0])  # a sum of everything ignores the layout
    if n.prim in ("sum", "mean") and is_call(n.args[0], "broadcast_to") and is_scalar(n.args[0].args[0]):
        c = n.args[0].args[0]
        if n.prim == "sum":
            c = mk("mul", c, dim_expr(product(n.args[0].shape[i] for i in reduced_axes(n))))
        return c if n.shape == () else mk("broadcast_to", c, shape=n.shape)
    return None


def broadcast_outward(n: Call) -> Expr | None:
    """A broadcast leaves linear operations, so that an elementwise operation can absorb it:
    -bcast(g) → bcast(-g); bcast(g).T → bcast(g as a column); bcast(c) @ v → bcast(c * sum(v, axis=0))."""
    if n.prim == "neg" and is_call(n.args[0], "broadcast_to"):
        return mk("broadcast_to", mk("neg", n.args[0].args[0]), shape=n.shape)
    if n.prim == "transpose" and is_call(n.args[0], "broadcast_to"):
        g, shape = n.args[0].args[0], n.args[0].shape
        if len(g.shape) < len(shape):
            g = mk("reshape", g, shape=(ONE,) * (len(shape) - len(g.shape)) + g.shape)
        return mk("broadcast_to", mk("transpose", g), shape=n.shape)
    if n.prim == "matmul":
        a, b = n.args
        if is_call(a, "broadcast_to") and is_scalar(a.args[0]) and len(a.shape) == 2:
            total = mk("sum", b) if len(b.shape) == 1 else mk("sum", b, axis=0)
            return mk("broadcast_to", mk("mul", a.args[0], total), shape=n.shape)
        if is_call(b, "broadcast_to") and is_scalar(b.args[0]) and len(b.shape) == 2:
            total = mk("sum", a) if len(a.shape) == 1 else mk("sum", a, axis=-1, keepdims=True)
            return mk("broadcast_to", mk("mul", b.args[0], total), shape=n.shape)
    return None


def no_op_transpose(n: Call) -> Expr | None:
    """`a.T.T` → `a`; `(a.T @ b).T` → `b.T @ a`; `.T` of a vector does nothing."""
    if n.prim == "transpose":
        (a,) = n.args
        if len(a.shape) <= 1:
            return a
        if is_call(a, "transpose"):
            return a.args[0]
        if is_call(a, "matmul") and any(is_call(x, "transpose") for x in a.args) and len(a.args[1].shape) == 2:
            return mk("matmul", mk("transpose", a.args[1]), mk("transpose", a.args[0]))
    return None


def absorb_broadcast(n: Call) -> Expr | None:
    """An operation that broadcasts anyway needs no explicit `broadcast_to`."""
    if n.prim == "broadcast_to" and n.args[0].shape == n.shape:
        return n.args[0]
    if n.prim in ELEMENTWISE:
        a, b = n.args
        # A scalar combined with a broadcast stays inside it: bcast(c) * 2 → bcast(2 * c).
        if is_call(a, "broadcast_to") and is_scalar(b):
            return mk("broadcast_to", mk(n.prim, a.args[0], b), shape=a.shape)
        if is_call(b, "broadcast_to") and is_scalar(a):
            return mk("broadcast_to", mk(n.prim, a, b.args[0]), shape=b.shape)
        for x, y in ((a, b), (b, a)):
            # bcast(c, like) * v where v only lacks like's leading unit axes: c * v, as a row.
            if (is_call(x, "broadcast_to") and is_scalar(x.args[0]) and n.prim == "mul"
                    and y.shape != n.shape and n.shape[len(n.shape) - len(y.shape):] == y.shape
                    and all(d.is_literal and d.coeff == 1 for d in n.shape[: len(n.shape) - len(y.shape)])):
                return mk("mul", x.args[0], mk("reshape", y, shape=n.shape))
        if is_call(a, "broadcast_to"):
            trial = Call(n.prim, (a.args[0], b), n.params)
            if _shape_or_none(trial) == n.shape:
                return mk(n.prim, a.args[0], b)
        if is_call(b, "broadcast_to"):
            trial = Call(n.prim, (a, b.args[0]), n.params)
            if _shape_or_none(trial) == n.shape:
                return mk(n.prim, a, b.args[0])
    return None


def _shape_or_none(node: Call) -> Shape | None:
    try:
        return infer(node, [a.shape for a in node.args])
    except ShapeError:
        return None


# -- zeros: what is identically zero drops out -------------------------------------------

def is_zero(e: Expr) -> bool:
    return is_const(e, 0) or is_call(e, "zeros_like")


def zero_like(n: Call) -> Expr:
    """A zero of n's shape, written after an operand of that shape where there is one."""
    if n.shape == ():
        return const(0)
    same = [a for a in n.args if a.shape == n.shape]
    for a in same:
        if is_call(a, "zeros_like"):
            return a
    return raw("zeros_like", same[0] if same else n)


#: Linear in their first operand: zero in, zero out.
LINEAR = ("neg", "transpose", "sum", "mean", "reshape", "broadcast_to", "index", "diag")


def zeros(n: Call) -> Expr | None:
    """0 * a, a @ 0, sum(0), -0, 0 / a are zero; a + 0 and a - 0 are a."""
    p, args = n.prim, n.args
    if p in ("mul", "matmul", "outer", "einsum") and any(is_zero(a) for a in args):
        return zero_like(n)
    if p in LINEAR + ("div",) and is_zero(args[0]):
        return zero_like(n)
    if p == "pow" and is_zero(args[0]) and n.param("exponent") > 0:
        return zero_like(n)
    if p in ("add", "sub"):
        a, b = args
        if is_zero(b) and a.shape == n.shape:
            return a
        if is_zero(a) and b.shape == n.shape:
            return b if p == "add" else mk("neg", b)
    return None


# -- products of powers and sums of terms (see `views`) --------------------------------------

def raw(prim: str, *args: Expr, **params) -> Expr:
    """A node with its shape and no rewriting: for forms a rule has already made canonical."""
    node = Call(prim, args, tuple(sorted(params.items())))
    return Call(prim, args, node.params, shape=infer(node, [a.shape for a in args]))


def power(base: Expr, e: float) -> Expr:
    """base ** e for e > 0, with sqrt for a half."""
    if e == 1:
        return base
    if e == 0.5:
        return raw("sqrt", base)
    return raw("pow", base, exponent=const(e).value)


def fold_names(p: Product) -> Product:
    """Write the network's names back where their factors appear: xc / sqrt(var + eps) → xhat."""
    table = names()
    if not table.folds:
        return p
    powers = dict(p.powers)
    order = [b for b, _ in p.powers]
    for var, q in table.folds:
        k = multiple(powers, q)
        if not k or splits_a_derivative(q, powers):
            continue
        first = min(order.index(b) for b, _ in q.powers)
        for b, e in q.powers:
            powers[b] -= k * e
        if var not in powers:
            order.insert(first, var)
        powers[var] = powers.get(var, 0) + k
    return Product(p.coeff, tuple((b, powers[b]) for b in order if powers.get(b, 0) != 0))


def splits_a_derivative(q: Product, powers: dict[Expr, float]) -> bool:
    """Folding would hide half of an activation's derivative: o * (1 - o), 1 - tc ** 2 stay as written."""
    if len(q.powers) < 2:
        return False
    for b, _ in q.powers:
        for other in powers:
            if is_call(other, "sub") and is_const(other.args[0], 1) and (
                    other.args[1] == b or (is_call(other.args[1], "pow") and other.args[1].args[0] == b)):
                return True
    return False


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
        return int(k) if k > 0 else 0
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


def build_product(p: Product) -> Expr:
    """coeff · numerators / denominators, in order of first appearance, names folded back."""
    p = fold_names(p)
    ups = [power(b, e) for b, e in p.powers if e > 0]
    # scalar divisors last, so that `/ N` can leave a product: X.T @ (y * s / (1 + e)) / N
    downs = [power(b, -e) for b, e in p.powers if e < 0 and b.shape != ()] + \
            [power(b, -e) for b, e in p.powers if e < 0 and b.shape == ()]
    c = abs(p.coeff)
    out: Expr | None = const(c) if c != 1 or not ups else None
    for u in ups:
        out = u if out is None else raw("mul", out, u)
    for d in downs:
        out = raw("div", out, d)
    return raw("neg", out) if p.coeff < 0 else out


def collect_factors(n: Call) -> Expr | None:
    """Factors collected: `2 * (0.5 / B) * err` → `err / B`, `sqrt(v) ** 2` → `v`, `x * y / x` → `y`."""
    if n.prim not in ("mul", "div", "pow", "sqrt"):
        return None
    p = product_of(n)
    if p.coeff == 0:
        return zero_like(n)
    out = build_product(unbroadcast_factors(p, n.shape))
    if out == n or out.shape != n.shape:
        return None
    return out


def unbroadcast_factors(p: Product, shape: Shape) -> Product:
    """A broadcast factor needs no broadcast_to when the other factors give the product its shape anyway."""
    bare = tuple((b.args[0] if is_call(b, "broadcast_to") else b, e) for b, e in p.powers)
    return Product(p.coeff, bare) if bare != p.powers and broadcast_of(b.shape for b, _ in bare) == shape else p


def broadcast_of(shapes) -> Shape | None:
    """The shape operands of these shapes broadcast to (None: they do not)."""
    out: Shape = ()
    for s in shapes:
        try:
            out = broadcast(BROADCASTING, out, s)
        except ShapeError:
            return None
    return out


BROADCASTING = Call("mul", ())


def common_factor(products: list[Product]) -> Product | None:
    """What every term has: powers of the same sign (the smaller), and an equal coefficient."""
    first = products[0]
    powers = []
    for b, e in first.powers:
        es = [p.exponent(b) for p in products]
        if all(x != 0 and (x > 0) == (e > 0) for x in es):
            powers.append((b, min(es, key=abs)))
    magnitudes = {abs(p.coeff) for p in products}
    coeff = magnitudes.pop() if len(magnitudes) == 1 else 1.0
    if all(p.coeff < 0 for p in products):
        coeff = -coeff
    if not powers and coeff == 1:
        return None
    return Product(coeff, tuple(powers))


def build_sum(products: list[Product], like: Call) -> Expr:
    """t1 + t2 - t3 …, a positive term first; a common factor written once, outside."""
    if not products:
        return zero_like(like)
    common = common_factor(products) if len(products) > 1 else None
    if common is not None:
        inverse = common.power(-1)
        inner = build_sum([p.times(inverse) for p in products], like)
        return build_product(common.times(Product(1.0, ((inner, 1.0),))))
    positive = [i for i, p in enumerate(products) if p.coeff > 0]
    if positive:
        products = [products[positive[0]]] + products[:positive[0]] + products[positive[0] + 1:]
    out = build_product(products[0])
    for p in products[1:]:
        term = build_product(Product(abs(p.coeff), p.powers))
        out = raw("add" if p.coeff > 0 else "sub", out, term)
    return out


def collect_terms(n: Call) -> Expr | None:
    """Like terms collected, zero terms dropped, a common factor taken out:
    `0.5 * x + 0.5 * x` → `x`; `a * f - b * f` → `(a - b) * f`; `-Y / N + P / N` → `(P - Y) / N`."""
    if n.prim not in ("add", "sub"):
        return None
    terms = [t for t in terms_of(n) if not is_zero(t)]
    products = [product_of(t) for t in terms]
    kept = merge_like(products)
    # a sum inside a term is opened when that lets like terms meet: 2 * (a - p) - 2 * (a - n) → 2 * (n - p)
    opened = [q for p in products for q in (expanded(p) or [p])]
    if len(opened) > len(products):
        merged = merge_like(opened)
        if len(merged) < len(opened) and len(merged) <= len(kept):
            kept = merged
    nested = is_call(n.args[1], "add", "sub")  # a + (b - c) reads a + b - c
    folded = [fold_names(p) for p in kept]
    if not (nested or len(kept) != len(products) or len(terms) != len(terms_of(n))) and (
            len(folded) < 2 or common_factor(folded) is None):
        return None
    result = build_sum(folded, n)
    return result if result.shape == n.shape and result != n else None


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
            out[i] = Product(out[i].coeff + p.coeff, out[i].powers)
        else:
            where[key] = len(out)
            out.append(p)
    return [p for p in out if p.coeff != 0]


def expanded(p: Product) -> list[Product] | None:
    """The terms of p's one sum factor, each times the rest of p; None when p has no single sum factor."""
    sums = [i for i, (b, e) in enumerate(p.powers) if e == 1 and is_call(b, "add", "sub")]
    if len(sums) != 1:
        return None
    i = sums[0]
    rest = Product(p.coeff, p.powers[:i] + p.powers[i + 1:])
    return [product_of(u).times(rest) for u in terms_of(p.powers[i][0])]


# -- reductions ------------------------------------------------------------------------------

def reduced_axes(n: Call) -> tuple[int, ...]:
    return normalize_axes(n, n.args[0].shape, n.param("axis"))


def same_value(a: Expr, b: Expr) -> bool:
    table = names()
    return a == b or table.resolve(a) == table.resolve(b)


def is_mean_of(m: Expr, a: Expr, axes: tuple[int, ...]) -> bool:
    """m is the mean of a over `axes`, broadcasting back along them (mean(a, axis) or sum(a, axis) / n)."""
    table = names()
    m = table.resolve(m)
    rank = len(a.shape)
    leading = axes == tuple(range(len(axes)))
    if is_call(m, "mean"):
        return (same_value(m.args[0], a) and reduced_axes(m) == axes
                and (leading or m.param("keepdims", False)))
    p = product_of(m, expand=False)
    arrays = [(b, e) for b, e in p.powers if b.shape != ()]
    if len(arrays) != 1 or arrays[0][1] != 1:
        return False
    total = table.resolve(arrays[0][0])
    if not (is_call(total, "sum") and same_value(total.args[0], a) and len(a.shape) == rank
            and reduced_axes(total) == axes and (leading or total.param("keepdims", False))):
        return False
    count = product(a.shape[i] for i in axes)
    symbols: dict[str, float] = {}
    for b, e in p.powers:
        if b.shape == () and not isinstance(b, DimRef):
            return False
        if isinstance(b, DimRef):
            symbols[b.name] = symbols.get(b.name, 0) + e
    wanted: dict[str, float] = {}
    for s in count.symbols:
        wanted[s] = wanted.get(s, 0) - 1
    return symbols == wanted and abs(p.coeff * count.coeff - 1) < 1e-12


def is_centred(v: Expr, axes: tuple[int, ...]) -> bool:
    """v sums to zero along `axes`: X - mean(X, axes), or such a difference times what is constant along them."""
    r = names().resolve(v)
    if is_call(r, "sub") and r.args[0].shape == v.shape and is_mean_of(r.args[1], r.args[0], axes):
        return True
    p = product_of(r)
    varying = [(b, e) for b, e in p.powers if not constant_along(b, v.shape, axes)]
    return (len(varying) == 1 and varying[0][1] == 1 and varying[0][0] != r and varying[0][0].shape == v.shape
            and is_centred(varying[0][0], axes))


def centred_sum(n: Call) -> Expr | None:
    """sum(X - mean(X, axis), axis) is 0: a centred variable sums to zero along the axes it was centred on."""
    if n.prim in ("sum", "mean") and is_centred(n.args[0], reduced_axes(n)):
        return zero_like(n)
    return None


def sum_zero_terms(n: Call) -> Expr | None:
    """sum(a + b, axis) where sum(b, axis) is 0: sum(a, axis)."""
    if n.prim not in ("sum", "mean") or not is_call(n.args[0], "add", "sub"):
        return None
    params = dict(n.params)
    terms = terms_of(n.args[0])
    kept = [t for t in terms if t.shape != n.args[0].shape or not is_zero(mk(n.prim, t, **params))]
    if len(kept) == len(terms):
        return None
    if not kept:
        return zero_like(n)
    inner = kept[0]
    for t in kept[1:]:
        inner = mk("add", inner, t)
    return mk(n.prim, inner, **params) if inner.shape == n.args[0].shape else None


def constant_along(e: Expr, shape: Shape, axes: tuple[int, ...]) -> bool:
    """e (broadcast into `shape`) does not vary along `axes`."""
    offset = len(shape) - len(e.shape)
    return offset >= 0 and all(i < offset or e.shape[i - offset] == ONE for i in axes)


def pull_out_of_sum(n: Call) -> Expr | None:
    """Factors that do not vary along the summed axes leave the sum: sum(gamma * G, axis=0) → gamma * sum(G, axis=0)."""
    if n.prim not in ("sum", "mean") or not is_call(n.args[0], "mul", "div", "neg"):
        return None
    x = n.args[0]
    axes = reduced_axes(n)
    p = fold_names(product_of(x))  # a name stays whole: sum(G * xhat), not sum(G * xc) / sqrt(var + eps)
    outside = [(b, e) for b, e in p.powers if constant_along(b, x.shape, axes)]
    inside = [(b, e) for b, e in p.powers if not constant_along(b, x.shape, axes)]
    if not inside or (not outside and p.coeff == 1):
        return None
    body = build_product(Product(1.0, tuple(inside)))
    if len(body.shape) != len(x.shape) or any(body.shape[i] != x.shape[i] for i in axes):
        return None
    out = mk("mul", build_product(Product(p.coeff, tuple(outside))), mk(n.prim, body, **dict(n.params)))
    return out if out.shape == n.shape else None


def sums_in_products(n: Call) -> Expr | None:
    """In a product, what does not vary along a sum's axes stands outside the sum, except where a name
    forms inside it: bnvar_inv * sum(G * bngain * bndiff, axis=0) → bngain * sum(G * bnraw, axis=0)."""
    if n.prim not in ("mul", "div"):
        return None
    p = product_of(n)
    for i, (s, e) in enumerate(p.powers):
        if e != 1 or not is_call(s, "sum", "mean"):
            continue
        body, axes = s.args[0], reduced_axes(s)
        movable = [(b, x) for j, (b, x) in enumerate(p.powers)
                   if j != i and constant_along(b, body.shape, axes) and _fits(b, body)]
        inside = fold_names(product_of(body))
        if movable and names().folds:
            trial = fold_names(product_of(body).times(Product(1.0, tuple(movable))))
            if named_count(trial, body.shape, axes) > named_count(inside, body.shape, axes):
                inside = trial
            else:
                movable = []
        else:
            movable = []
        stay = tuple((b, x) for b, x in inside.powers if not constant_along(b, body.shape, axes))
        leave = Product(inside.coeff, tuple((b, x) for b, x in inside.powers if constant_along(b, body.shape, axes)))
        if not movable and not leave.powers and leave.coeff == 1:
            continue
        kept = build_product(Product(1.0, stay)) if stay else None
        if kept is None or len(kept.shape) != len(body.shape) or any(kept.shape[a] != body.shape[a] for a in axes):
            continue
        moved = {b for b, _ in movable}
        rest = Product(p.coeff, tuple((b, x) for j, (b, x) in enumerate(p.powers) if j != i and b not in moved))
        out = build_product(rest.times(leave).times(Product(1.0, ((mk(s.prim, kept, **dict(s.params)), 1.0),))))
        if out.shape == n.shape and out != n:
            return out
    return None


def _fits(b: Expr, body: Expr) -> bool:
    """b broadcasts into body without growing it."""
    return _shape_or_none(Call("mul", (body, b))) == body.shape


def named_count(p: Product, shape: Shape, axes: tuple[int, ...]) -> float:
    """How many of the network's names a sum's body uses that must stay inside it (they vary along its axes)."""
    named_vars = {v for v, _ in names().folds}
    return sum(abs(e) for b, e in p.powers if b in named_vars and not constant_along(b, shape, axes))


def leading_keepdims(n: Call) -> Expr | None:
    """In `G - sum(G, axis=0, keepdims=True)` the kept leading axis is not needed: broadcasting restores it."""
    if n.prim not in ELEMENTWISE:
        return None
    args = list(n.args)
    for i, a in enumerate(args):
        if is_call(a, "sum", "mean") and a.param("keepdims", False):
            axes = reduced_axes(a)
            if axes and axes == tuple(range(len(axes))):
                args[i] = mk(a.prim, a.args[0], axis=a.param("axis"))
                if _shape_or_none(Call(n.prim, tuple(args), n.params)) == n.shape:
                    return mk(n.prim, *args, **dict(n.params))
                args[i] = a
    return None


# -- reshapes and axes ---------------------------------------------------------------------------

def reshape_through(n: Call) -> Expr | None:
    """A reshape that only adds or drops unit axes goes inside a product (scalars stay out), turns a sum into
    its keepdims form, and carries a broadcast scalar along: reshape(1 / N / sum(P * Y, axis=1), (N, 1))
    → 1 / N / sum(P * Y, axis=1, keepdims=True)."""
    if n.prim != "reshape":
        return None
    (a,) = n.args
    shape = n.param("shape")
    if is_call(a, "broadcast_to") and is_scalar(a.args[0]):
        return mk("broadcast_to", a.args[0], shape=shape)
    if is_call(a, "sum", "mean") and not a.param("keepdims", False):
        x = a.args[0]
        axes = reduced_axes(a)
        if tuple(ONE if i in axes else d for i, d in enumerate(x.shape)) == shape:
            # sum(AL - Y) of a (1, m) row, kept (1, 1): the sum along m, as a teacher writes it
            wanted = tuple(i for i in axes if x.shape[i] != ONE) or axes
            return mk(a.prim, x, axis=wanted[0] if len(wanted) == 1 else wanted, keepdims=True)
    if is_call(a, "mul", "div", "neg"):
        p = product_of(a, expand=False)
        # the factors that carry a's shape (for a scalar, the one that is not a dimension or a number)
        carriers = [b for b, _ in p.powers if b.shape == a.shape and (a.shape or not isinstance(b, DimRef))]
        if all(b.shape in ((), a.shape) for b, _ in p.powers) and (carriers if a.shape else len(carriers) == 1):
            moved = tuple((mk("reshape", b, shape=shape) if b in carriers else b, e) for b, e in p.powers)
            return build_product(Product(p.coeff, moved))
    return None


def canonical_axis(n: Call) -> Expr | None:
    """softmax(S, axis=1) of a matrix is softmax(S): one spelling per axis, so the network's names match."""
    if n.prim in ("softmax", "log_softmax"):
        axis = n.param("axis", -1)
        rank = len(n.shape)
        want = -1 if axis % rank == rank - 1 else axis % rank
        if want != axis:
            return mk(n.prim, n.args[0], axis=want)
    if n.prim in ("sum", "mean") and n.param("axis") is not None:
        axes = reduced_axes(n)
        want = axes[0] if len(axes) == 1 else axes
        if want != n.param("axis"):
            return mk(n.prim, n.args[0], axis=want, keepdims=n.param("keepdims", False))
    return None


# -- comparisons and the network's own names -------------------------------------------------

FLIPPED = {"gt": "lt", "lt": "gt", "ge": "le", "le": "ge"}


def constant_on_the_right(n: Call) -> Expr | None:
    """`0 < z` → `z > 0`, as a mask is written."""
    if n.prim in FLIPPED and isinstance(n.args[0], Const) and not isinstance(n.args[1], Const):
        return mk(FLIPPED[n.prim], n.args[1], n.args[0])
    return None


def named(n: Call) -> Expr | None:
    """A sub-expression that a network defines is written with the network's name for it."""
    name = names().by_value.get(n)
    return names().vars[name] if name is not None else None


REWRITES: tuple[Rewrite, ...] = (fold_constants, identities, zeros, absorb_broadcast, sum_of_broadcast, broadcast_outward,
                                 no_op_transpose, reshape_through, canonical_axis, constant_on_the_right, pull_out_negation, constants_first,
                                 constants_outward, common_divisor, centred_sum, sum_zero_terms, pull_out_of_sum,
                                 sums_in_products, collect_factors, collect_terms, leading_keepdims, named)


# -- the network's names, for the rules above --------------------------------------------------

def names_of(definitions: dict[str, Expr], shapes: dict[str, Shape]) -> Names:
    """The table the rules read a network's names from; each definition simplified with the names before it."""
    table = Names()
    token = NAMES.set(table)
    try:
        for name, expr in definitions.items():
            var = Var(name, shape=shapes[name])
            table.vars[name] = var
            value = rebuild(expr)
            table.values[name] = value
            if isinstance(value, (Var, Const, DimRef)):
                continue
            p = product_of(value)
            if p.coeff == 1 and (len(p.powers) > 1 or (len(p.powers) == 1 and p.powers[0][1] != 1)):
                table.products[name] = p
            table.by_value.setdefault(value, name)
        table.folds = sorted(((table.vars[k], p) for k, p in table.products.items()),
                             key=lambda vp: -len(vp[1].powers))
    finally:
        NAMES.reset(token)
    return table


def rebuild(expr: Expr, memo: dict[int, Expr] | None = None) -> Expr:
    """The same expression built again through `mk`, so that every rule has seen it."""
    memo = {} if memo is None else memo
    if not isinstance(expr, Call):
        return expr
    key = id(expr)
    if key not in memo:
        memo[key] = mk(expr.prim, *(rebuild(a, memo) for a in expr.args), **dict(expr.params))
    return memo[key]
