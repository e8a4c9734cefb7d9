"""Expressions back to text: the code form (valid network language) and a math form.

The code form is what `formula` holds in `--json` and what a learner can paste
back; the math form (xᵀ, ∘, ŷ) is for reading. Parentheses appear only where
Python's precedence needs them.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .ir import Call, Const, DimRef, Expr, Var, deep_recursion, expanded_size
from .table import DEFAULTS, POSITIONAL

#: An operator's symbol and precedence (a float: the math view puts juxtaposition between two levels).
BINARY: dict[str, tuple[str, float]] = {
    "add": ("+", 2), "sub": ("-", 2), "mul": ("*", 3), "div": ("/", 3), "matmul": ("@", 3),
    "gt": (">", 1), "ge": (">=", 1), "lt": ("<", 1), "le": ("<=", 1), "eq": ("==", 1), "ne": ("!=", 1)}
ATOM, POSTFIX, POWER, UNARY = 7, 6, 5, 4
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
PRETTY_NAMES = {"yhat": "ŷ", "Yhat": "Ŷ", "delta": "δ", "sigma": "σ"}


def number(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


class Printer:
    def __init__(self, math: bool = False):
        self.math = math
        self.shared = threading.local()  # .memo: see `sharing`

    @contextmanager
    def sharing(self) -> Iterator[None]:
        """Inside it, this printer writes each compound sub-expression once and reuses its text: the
        formulas of a derivation share their parts (the gradient at A3 is inside every gradient below
        it), so printing them all costs time in proportion to their distinct parts, not to their text.
        On this thread only; nested uses share the outermost memory."""
        if getattr(self.shared, "memo", None) is not None:
            yield
            return
        self.shared.memo, self.shared.room = {}, MEMO_CHARACTERS
        try:
            yield
        finally:
            self.shared.memo = None

    def __call__(self, expr: Expr) -> str:
        """The whole text, or a short note when it would be too long to read: shared parts repeat when
        written out, so twenty nested softmaxes would otherwise take gigabytes and never end."""
        if expanded_size(expr, PRINT_LIMIT) > PRINT_LIMIT:
            return TOO_LONG_MATH if self.math else TOO_LONG_CODE
        return self.measured(expr)

    def measured(self, expr: Expr) -> str:
        """The whole text of an expression whose written-out size the caller has already measured
        (derive measures every formula at once, over their shared parts)."""
        with deep_recursion():
            return self.text(expr)[0]

    def inner(self, expr: Expr) -> str:
        return self.text(expr)[0]

    def text(self, expr: Expr) -> tuple[str, float]:
        """(text, precedence) of an expression: a function of the expression alone, never of where it
        stands, so the text of a shared part can be reused (`sharing`)."""
        memo = getattr(self.shared, "memo", None) if isinstance(expr, Call) else None
        if memo is None:
            return self.written(expr)
        found = memo.get(id(expr))
        if found is not None:
            return found[0]
        written = self.written(expr)
        # Kept while there is room: a single formula nested thousands deep would otherwise keep the text of
        # every one of its parts, each nearly as long as the whole.
        if len(written[0]) <= self.shared.room:
            self.shared.room -= len(written[0])
            memo[id(expr)] = (written, expr)  # the node kept alive: its id stays its own
        return written

    def written(self, expr: Expr) -> tuple[str, float]:
        if isinstance(expr, Var):
            return (PRETTY_NAMES.get(expr.name, expr.name) if self.math else expr.name), ATOM
        if isinstance(expr, DimRef):
            return expr.name, ATOM
        if isinstance(expr, Const):
            text = number(expr.value)
            if self.math:
                text = text.replace("-", "−")
            return text, (UNARY if expr.value < 0 else ATOM)
        assert isinstance(expr, Call)
        method = getattr(self, "p_" + expr.prim, None)
        if method:
            return method(expr)
        if expr.prim in BINARY:
            return self.binary(expr)
        return self.function(expr)

    def wrap(self, expr: Expr, min_prec: float) -> str:
        text, prec = self.text(expr)
        return f"({text})" if prec < min_prec else text

    def operand(self, expr: Expr) -> str:
        """What `.T`, `.reshape(...)` or `[...]` follows: `(1).reshape(1, 1)`, never `1.reshape`."""
        return f"({self.inner(expr)})" if isinstance(expr, Const) else self.wrap(expr, POSTFIX)

    def binary(self, expr: Call) -> tuple[str, float]:
        symbol, prec = BINARY[expr.prim]
        if self.math and expr.prim == "matmul":
            prec = 3.5  # juxtaposition reads tighter than ∘ and ·: ((ŷ − y) W2ᵀ ∘ h) W1ᵀ needs its parentheses
        left, right = expr.args
        if self.math:
            symbol = self.math_symbol(expr)
        left_text = self.wrap(left, prec + 1 if prec == 1 else prec)  # comparisons never chain: (a > b) == 0
        right_text = self.wrap(right, int(prec) + 1)
        joiner = " " if symbol == "" else f" {symbol} "
        return f"{left_text}{joiner}{right_text}", prec

    def math_symbol(self, expr: Call) -> str:
        if expr.prim == "mul":
            scalar = any(a.shape == () for a in expr.args)
            return "·" if scalar else "∘"
        if expr.prim == "matmul":
            return ""
        return {"sub": "−", "ge": "≥", "le": "≤"}.get(expr.prim, BINARY[expr.prim][0])

    def p_neg(self, expr: Call) -> tuple[str, float]:
        minus = "−" if self.math else "-"
        arg = expr.args[0]
        if isinstance(arg, Call) and arg.prim in ("mul", "div", "matmul"):
            # -(err / N) reads -err / N: the sign goes on the leftmost factor, which it commutes with
            text, prec = self.binary(arg)
            return minus + text, prec
        return minus + self.wrap(arg, UNARY), UNARY

    def p_pow(self, expr: Call) -> tuple[str, float]:
        exponent = expr.param("exponent")
        base = self.wrap(expr.args[0], POSTFIX)
        if self.math and float(exponent).is_integer():
            return base + number(exponent).translate(SUPERSCRIPT), POWER
        exp_text = number(exponent)
        if exponent < 0:
            exp_text = f"({exp_text})" if not self.math else exp_text
        return f"{base} ** {exp_text}", POWER

    def p_transpose(self, expr: Call) -> tuple[str, float]:
        if expr.param("axes") is not None:
            return self.function(expr)
        return self.operand(expr.args[0]) + ("ᵀ" if self.math else ".T"), POSTFIX

    def p_index(self, expr: Call) -> tuple[str, float]:
        return f"{self.operand(expr.args[0])}[{expr.param('i')}]", POSTFIX

    def p_reshape(self, expr: Call) -> tuple[str, float]:
        """As a method, the way NumPy code reads: `X.reshape(B * T, E)`."""
        dims = ", ".join(dim_text(d) for d in expr.param("shape")) or "()"  # a scalar: x.reshape(())
        return f"{self.operand(expr.args[0])}.reshape({dims})", POSTFIX

    def p_getitem(self, expr: Call) -> tuple[str, float]:
        parts = []
        bound = lambda b: "" if b is None else str(b)  # noqa: E731
        for it in expr.param("items"):
            if it[0] == "s":
                parts.append(f"{bound(it[1])}:{bound(it[2])}")
            elif it[0] == "n":
                parts.append("None")
            elif it[0] == "e":
                parts.append("...")
            elif it[0] == "i":
                parts.append(str(it[1]))
            else:
                parts.append(self.inner(expr.args[it[1]]))
        return f"{self.operand(expr.args[0])}[{', '.join(parts)}]", POSTFIX

    def p_concatenate(self, expr: Call) -> tuple[str, float]:
        return f"concatenate(({', '.join(self.inner(a) for a in expr.args)},), axis={expr.param('axis')})", ATOM

    def p_norm(self, expr: Call) -> tuple[str, float]:
        return f"np.linalg.norm({self.inner(expr.args[0])})", ATOM

    def p_arange(self, expr: Call) -> tuple[str, float]:
        return f"arange({expr.param('n')})", ATOM

    def p_einsum(self, expr: Call) -> tuple[str, float]:
        return f"einsum('{expr.param('spec')}', " + ", ".join(self.inner(a) for a in expr.args) + ")", ATOM

    def function(self, expr: Call) -> tuple[str, float]:
        parts = [self.inner(a) for a in expr.args]
        # positional parameters first, in the order NumPy takes them; keywords (axis=, keepdims=) after
        order = {key: i for i, key in enumerate(POSITIONAL)}
        for key, value in sorted(expr.params, key=lambda kv: order.get(kv[0], len(order))):
            if DEFAULTS.get(expr.prim, {}).get(key, object()) == value:
                continue
            if key == "shape":
                dims = [dim_text(d) for d in value]
                parts.append("(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")")
            elif key in ("n", "m"):
                parts.append(dim_text(value))
            elif key in POSITIONAL:
                parts.append(str(value))
            elif key == "k":
                parts.append(f"k={value}")
            else:
                parts.append(f"{key}={value!r}")
        return f"{expr.prim}({', '.join(parts)})", ATOM


def dim_text(d) -> str:
    """A dimension as an expression of the language: `H`, `h * d`, `4 * E`, `3`; `-1` for one NumPy infers."""
    return "-1" if d is None else " * ".join(d.factors)


code = Printer()
math = Printer(math=True)


#: How many characters of text `Printer.sharing` keeps at most (a 160-layer network keeps 2 million of code
#: and 5 million of LaTeX): past it, parts are written again rather than remembered.
MEMO_CHARACTERS = 64_000_000

#: Past this many nodes written out, a formula is not printed (see `derivation.FORMULA_LIMIT`).
PRINT_LIMIT = 20_000
TOO_LONG_MATH = f"⟨a formula of more than {PRINT_LIMIT:,} terms written out: not shown⟩"
TOO_LONG_CODE = f"<a formula of more than {PRINT_LIMIT} terms written out: not shown>"


def code_or_none(expr: Expr) -> str | None:
    """The code form, or None when writing it out would repeat shared parts past PRINT_LIMIT."""
    text = code(expr)
    return None if text == TOO_LONG_CODE else text
