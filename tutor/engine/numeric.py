"""NumPy meanings of the primitives, and evaluation of expressions on numbers.

Every implementation also accepts complex input in the way complex-step
differentiation needs: kinks (relu, abs, maximum) and comparisons decide on the
real part, so the imaginary part carries an exact directional derivative.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from .ir import Call, Const, DimRef, Expr, Var, deep_recursion

impl_rules: dict[str, Callable] = {}


def defimpl(prim: str, fn: Callable) -> None:
    impl_rules[prim] = fn


def _softmax(a, axis=-1):
    shifted = a - np.max(a.real, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax(a, axis=-1):
    shifted = a - np.max(a.real, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _where(mask, a, b):
    return np.where(mask, a, b)


def _gelu(a):
    return 0.5 * a * (1.0 + np.tanh(0.7978845608028654 * (a + 0.044715 * a ** 3)))


_real_erf = np.frompyfunc(math.erf, 1, 1)


def _erf(a):
    """erf in float64. NumPy has no complex erf, so a complex input is taken to first order,
    erf(x + iy) = erf(x) + iy·(2/√π)·exp(−x²): exact to rounding for the tiny steps of the
    complex-step check, which therefore verifies everything around erf; erf's own derivative
    is proven against finite differences in the tests (docs/language.md)."""
    if np.iscomplexobj(a):
        x = np.real(a)
        return _erf(x) + 1j * np.imag(a) * (1.1283791670955126 * np.exp(-x * x))
    return np.asarray(_real_erf(np.asarray(a, dtype=float)), dtype=float)[()]


defimpl("add", np.add)
defimpl("sub", np.subtract)
defimpl("mul", np.multiply)
defimpl("div", np.divide)
defimpl("neg", np.negative)
defimpl("pow", lambda a, exponent: np.power(a, exponent))
def _matmul(a, b):
    """np.matmul; a stack of matrices times one matrix runs as one tall matrix product (a single BLAS
    call, several times faster than NumPy's loop over the stack)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim >= 3 and b.ndim == 2:
        return (a.reshape(-1, a.shape[-1]) @ b).reshape(a.shape[:-1] + b.shape[-1:])
    return np.matmul(a, b)


defimpl("matmul", _matmul)
defimpl("transpose", lambda a, axes=None: np.transpose(a, axes))
defimpl("swapaxes", lambda a, axis1, axis2: np.swapaxes(a, axis1, axis2))
defimpl("moveaxis", lambda a, source, destination: np.moveaxis(a, source, destination))
defimpl("expand_dims", lambda a, axis: np.expand_dims(a, axis))
defimpl("gelu", _gelu)
defimpl("erf", _erf)
defimpl("index", lambda a, i: a[i])
defimpl("exp", np.exp)
defimpl("log", np.log)
defimpl("sqrt", np.sqrt)
defimpl("abs", lambda a: _where(np.real(a) >= 0, a, -a))
defimpl("sign", lambda a: np.sign(np.real(a)))
defimpl("sigmoid", lambda a: 1.0 / (1.0 + np.exp(-a)))
defimpl("tanh", np.tanh)
defimpl("relu", lambda a: _where(np.real(a) > 0, a, 0.0))
defimpl("softmax", _softmax)
defimpl("log_softmax", _log_softmax)
defimpl("sum", lambda a, axis=None, keepdims=False: np.sum(a, axis=axis, keepdims=keepdims))
defimpl("mean", lambda a, axis=None, keepdims=False: np.mean(a, axis=axis, keepdims=keepdims))
defimpl("maximum", lambda a, b: _where(np.real(a) >= np.real(b), a, b))
defimpl("minimum", lambda a, b: _where(np.real(a) <= np.real(b), a, b))
defimpl("gt", lambda a, b: (np.real(a) > np.real(b)).astype(float))
defimpl("ge", lambda a, b: (np.real(a) >= np.real(b)).astype(float))
defimpl("lt", lambda a, b: (np.real(a) < np.real(b)).astype(float))
defimpl("le", lambda a, b: (np.real(a) <= np.real(b)).astype(float))
defimpl("outer", np.outer)
defimpl("diag", np.diag)
defimpl("cross_entropy", lambda y, p: -np.sum(y * np.log(p)))
defimpl("reshape", lambda a, shape: np.reshape(a, shape))
defimpl("einsum", lambda *operands, spec: np.einsum(spec, *operands))
defimpl("onehot", lambda i, n: np.eye(n)[i])
defimpl("eye", lambda n, m=None: np.eye(n, m))
defimpl("broadcast_to", lambda a, shape: np.broadcast_to(a, shape))

# Parameters that hold dimensions are given to the implementations as numbers.
DIM_PARAMS = {"shape", "n", "m"}


class Evaluator:
    """Evaluates expressions against values for names; shared sub-trees are computed once."""

    def __init__(self, values: Mapping[str, np.ndarray], bindings: Mapping[str, int]):
        self.values = values
        self.bindings = bindings
        self.memo: dict[int, object] = {}
        self.keep: list[Expr] = []  # keeps memoised nodes alive, so their ids stay unique

    def __call__(self, expr: Expr):
        with deep_recursion():
            return self.value(expr)

    def value(self, expr: Expr):
        key = id(expr)
        if key in self.memo:
            return self.memo[key]
        if isinstance(expr, Var):
            out = self.values[expr.name]
        elif isinstance(expr, Const):
            out = np.float64(expr.value)
        elif isinstance(expr, DimRef):
            out = np.float64(self.bindings[expr.name])
        else:
            assert isinstance(expr, Call)
            args = [self.value(a) for a in expr.args]
            params = {k: self.numeric_param(k, v) for k, v in expr.params}
            out = impl_rules[expr.prim](*args, **params)
        self.memo[key] = out
        self.keep.append(expr)
        return out

    def numeric_param(self, key: str, value):
        """Parameters that hold dimensions become numbers; others pass through."""
        if key not in DIM_PARAMS:
            return value
        return tuple(d.value(self.bindings) for d in value) if key == "shape" else value.value(self.bindings)


def forward(definitions: Mapping[str, Expr], values: dict, bindings: Mapping[str, int]) -> dict:
    """Values of every definition, in order, added to a copy of the leaves' values."""
    out = dict(values)
    ev = Evaluator(out, bindings)
    with np.errstate(all="ignore"):
        for name, expr in definitions.items():
            out[name] = ev(expr)
    return out
