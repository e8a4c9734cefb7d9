"""Expressions as LaTeX, beside the printer's code and math forms: `x.T @ dz1` → `x^{\\top} \\delta_{1}`.

What a teacher writes on a board or in an answer: juxtaposition for a matrix product, `\\circ` for an
elementwise one, `\\frac` for a division, `\\hat{y}` and `W_{1}` for the network's names. The same
precedence rules as the code form decide the parentheses, written as `\\left( … \\right)`.
"""
from __future__ import annotations

import re

from .ir import Call, Const, DimRef, Expr, Var
from .table import DEFAULTS, POSITIONAL
from .printer import ATOM, BINARY, POSTFIX, POWER, UNARY, Printer, number

#: Functions with a LaTeX operator of their own; the others are written \operatorname{name}.
OPERATORS = {"exp": r"\exp", "log": r"\log", "tanh": r"\tanh", "sigmoid": r"\sigma", "max": r"\max",
             "min": r"\min"}
GREEK = {"delta", "Delta", "sigma", "theta", "alpha", "beta", "gamma", "lambda", "mu", "eta", "epsilon", "phi",
         "psi", "omega", "tau", "rho", "pi"}
NAME = re.compile(r"(?P<base>[A-Za-z]+?)(?P<hat>_?hat)?_?(?P<index>\d+|_[A-Za-z0-9])?\Z")


def latex_name(name: str) -> str:
    """`W1` → `W_{1}`, `yhat`/`y_hat` → `\\hat{y}`, `dz1` stays a name (`dz_{1}`), `Dx` → `D_{x}` for a
    dimension, `probs` → `\\mathrm{probs}`."""
    m = NAME.match(name)
    if m is None:
        return r"\mathrm{" + name.replace("_", r"\_") + "}"
    base, hat, index = m.group("base"), m.group("hat"), m.group("index")
    if base in GREEK:
        base_tex = "\\" + base
    elif len(base) == 1 or base in ("dz", "dh", "dx", "dW", "db") and False:
        base_tex = base
    else:
        base_tex = base if len(base) <= 2 and base[0].isupper() and not index else r"\mathrm{" + base + "}"
    if len(base) > 1 and base[0] in "D" and base[1:].islower() and len(base) == 2 and not index:
        return f"{base[0]}_{{{base[1:]}}}"   # Dx, Dy: a dimension's subscript
    if hat:
        base_tex = r"\hat{" + base_tex + "}"
    if index:
        index = index.lstrip("_")
        base_tex += "_{" + (index if index.isdigit() or len(index) == 1 else r"\mathrm{" + index + "}") + "}"
    return base_tex


class LatexPrinter(Printer):
    def __init__(self):
        super().__init__(math=True)

    def written(self, expr: Expr) -> tuple[str, float]:
        if isinstance(expr, Var):
            return latex_name(expr.name), ATOM
        if isinstance(expr, DimRef):
            return latex_name(expr.name), ATOM
        if isinstance(expr, Const):
            return number(expr.value), (UNARY if expr.value < 0 else ATOM)
        return super().written(expr)

    def wrap(self, expr: Expr, min_prec: float) -> str:
        text, prec = self.text(expr)
        return rf"\left({text}\right)" if prec < min_prec else text

    def operand(self, expr: Expr) -> str:
        return rf"\left({self.inner(expr)}\right)" if isinstance(expr, Const) else self.wrap(expr, POSTFIX)

    def binary(self, expr: Call) -> tuple[str, float]:
        if expr.prim == "div":
            return rf"\frac{{{self.inner(expr.args[0])}}}{{{self.inner(expr.args[1])}}}", ATOM
        _, prec = BINARY[expr.prim]
        if expr.prim == "matmul":
            prec = 3.5
        left, right = expr.args
        symbol = self.latex_symbol(expr)
        joiner = " " if symbol == "" else f" {symbol} "
        return f"{self.wrap(left, prec)}{joiner}{self.wrap(right, int(prec) + 1)}", prec

    def latex_symbol(self, expr: Call) -> str:
        if expr.prim == "mul":
            return r"\cdot" if any(a.shape == () for a in expr.args) else r"\circ"
        if expr.prim == "matmul":
            return ""
        return {"ge": r"\geq", "le": r"\leq", "gt": ">", "lt": "<"}.get(expr.prim, BINARY[expr.prim][0])

    def p_neg(self, expr: Call) -> tuple[str, float]:
        return "-" + self.wrap(expr.args[0], UNARY), UNARY

    def p_pow(self, expr: Call) -> tuple[str, float]:
        exponent = expr.param("exponent")
        if exponent == 0.5:
            return rf"\sqrt{{{self.inner(expr.args[0])}}}", ATOM
        return f"{{{self.wrap(expr.args[0], POSTFIX)}}}^{{{number(exponent)}}}", POWER

    def p_transpose(self, expr: Call) -> tuple[str, float]:
        if expr.param("axes") is not None:
            return self.function(expr)
        return f"{{{self.operand(expr.args[0])}}}^{{\\top}}", POSTFIX

    def p_sum(self, expr: Call) -> tuple[str, float]:
        axis = expr.param("axis")
        below = "" if axis is None else rf"_{{\text{{axis }} {axis}}}"
        return rf"\sum{below} {self.wrap(expr.args[0], POWER)}", UNARY

    def p_mean(self, expr: Call) -> tuple[str, float]:
        axis = expr.param("axis")
        below = "" if axis is None else rf"_{{\text{{axis }} {axis}}}"
        return rf"\operatorname{{mean}}{below} {self.wrap(expr.args[0], POWER)}", UNARY

    def p_norm(self, expr: Call) -> tuple[str, float]:
        return rf"\left\| {self.inner(expr.args[0])} \right\|", ATOM

    def p_index(self, expr: Call) -> tuple[str, float]:
        return f"{self.operand(expr.args[0])}_{{[{expr.param('i')}]}}", POSTFIX

    def p_reshape(self, expr: Call) -> tuple[str, float]:
        dims = ", ".join(dim_latex(d) for d in expr.param("shape"))
        return rf"\operatorname{{reshape}}\left({self.inner(expr.args[0])}, ({dims})\right)", ATOM

    def p_getitem(self, expr: Call) -> tuple[str, float]:
        written, _ = super().p_getitem(expr)
        items = written[written.rindex("["):]
        return f"{self.operand(expr.args[0])}_{{{items}}}", POSTFIX

    def p_einsum(self, expr: Call) -> tuple[str, float]:
        args = ", ".join(self.inner(a) for a in expr.args)
        return rf"\operatorname{{einsum}}\left(\texttt{{{expr.param('spec')}}}, {args}\right)", ATOM

    def p_arange(self, expr: Call) -> tuple[str, float]:
        return rf"\operatorname{{arange}}\left({dim_latex(expr.param('n'))}\right)", ATOM

    def function(self, expr: Call) -> tuple[str, float]:
        if expr.prim == "sqrt":
            return rf"\sqrt{{{self.inner(expr.args[0])}}}", ATOM
        if expr.prim == "abs":
            return rf"\left| {self.inner(expr.args[0])} \right|", ATOM
        parts = [self.inner(a) for a in expr.args]
        order = {key: i for i, key in enumerate(POSITIONAL)}
        for key, value in sorted(expr.params, key=lambda kv: order.get(kv[0], len(order))):
            if DEFAULTS.get(expr.prim, {}).get(key, object()) == value:
                continue
            if key == "shape":
                parts.append("(" + ", ".join(dim_latex(d) for d in value) + ")")
            elif key in ("n", "m"):
                parts.append(dim_latex(value))
            elif key in POSITIONAL:
                parts.append(str(value))
            else:
                parts.append(rf"\text{{{key.replace('_', chr(92) + '_')}}}={value}")
        head = OPERATORS.get(expr.prim) or r"\operatorname{" + expr.prim.replace("_", r"\_") + "}"
        return rf"{head}\left({', '.join(parts)}\right)", ATOM


def dim_latex(d) -> str:
    """A dimension: `h d` for h*d, `-1` for one NumPy infers."""
    return "-1" if d is None else " ".join(latex_name(f) if not f.isdigit() else f for f in d.factors)


latex = LatexPrinter()
