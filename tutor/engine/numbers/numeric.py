"""NumPy meanings of the primitives, and evaluation of expressions on numbers.

Every implementation also accepts complex input in the way complex-step
differentiation needs: kinks (relu, abs, maximum) and comparisons decide on the
real part, so the imaginary part carries an exact directional derivative.

`Evaluator` computes expressions one at a time, remembering every value; a
`Schedule` runs many expressions at sizes where memory counts, keeping each
value only until its last reader has run.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..language.dims import Dim, symbol_value
from ..language.ir import Call, Const, DimRef, Expr, Var, deep_recursion

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


#: Powers with a NumPy function of their own, several times cheaper than np.power on complex numbers.
POWERS = {2: np.square, 0.5: np.sqrt, -1: np.reciprocal}


def _power(a, exponent):
    special = POWERS.get(exponent)
    if special is not None and np.result_type(a).kind in "fc":
        return special(a)
    if np.iscomplexobj(a):
        # Complex numbers here carry a complex step, whose imaginary parts are tiny: a power to first order
        # in them is exact. np.power goes through the polar form beyond small whole exponents, where the
        # rounding of the angle (100·π for a negative base) swamps an imaginary part of 1e-25.
        x = np.real(a)
        lower = np.power(x, exponent - 1)
        return lower * x + 1j * (exponent * lower) * np.imag(a)
    return np.power(a, exponent)


def _divide(a, b):
    """a / b; by a divisor that broadcasts over many more numbers, one reciprocal each and a product
    (a complex division costs several products)."""
    if 4 * np.size(b) <= np.size(a):
        return np.multiply(a, np.divide(1.0, b))
    return np.divide(a, b)


def _matmul(a, b):
    """np.matmul; a stack of matrices times one matrix runs as one tall matrix product (a single BLAS
    call, several times faster than NumPy's loop over the stack)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim >= 3 and b.ndim == 2:
        return (a.reshape(-1, a.shape[-1]) @ b).reshape(a.shape[:-1] + b.shape[-1:])
    return np.matmul(a, b)


defimpl("add", np.add)
defimpl("sub", np.subtract)
defimpl("mul", np.multiply)
defimpl("div", _divide)
defimpl("neg", np.negative)
defimpl("pow", _power)
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
defimpl("einsum", lambda *operands, spec: np.einsum(spec, *operands, optimize=len(operands) > 2))
defimpl("onehot", lambda labels, n: np.eye(n)[np.asarray(np.real(labels)).astype(np.intp)])
defimpl("eye", lambda n, m=None, k=0: np.eye(n, m, k))
defimpl("max", lambda a, axis=None, keepdims=False: np.max(a, axis=axis, keepdims=keepdims))  # complex: by real part
defimpl("min", lambda a, axis=None, keepdims=False: np.min(a, axis=axis, keepdims=keepdims))
defimpl("clip", lambda a, a_min, a_max: _where(np.real(a) < a_min, a_min, _where(np.real(a) > a_max, a_max, a)))
defimpl("where", lambda cond, a, b: np.where(np.real(cond) != 0, a, b))
defimpl("log1p", np.log1p)
defimpl("copy", lambda a: np.array(a, copy=True))
defimpl("zeros_like", lambda a: np.zeros_like(np.real(a)))
defimpl("ones_like", lambda a: np.ones_like(np.real(a)))
defimpl("squeeze", lambda a, axis=None: np.squeeze(a, axis=axis))
defimpl("norm", lambda a: np.sqrt(np.sum(a * a)))  # np.linalg.norm, written so that a complex step passes through
defimpl("arange", lambda n: np.arange(n))
defimpl("zeros", lambda shape: np.zeros(shape))
defimpl("ones", lambda shape: np.ones(shape))


def _arctan2(y, x):
    """arctan2 in float64; NumPy has no complex one, so a complex step is carried to first order (exact for
    the tiny steps of the check): d = (x·dy − y·dx) / (x² + y²)."""
    if np.iscomplexobj(y) or np.iscomplexobj(x):
        yr, xr = np.real(y), np.real(x)
        return np.arctan2(yr, xr) + 1j * (xr * np.imag(y) - yr * np.imag(x)) / (xr ** 2 + yr ** 2)
    return np.arctan2(y, x)


def _logaddexp(a, b):
    top = np.maximum(np.real(a), np.real(b))
    return top + np.log(np.exp(a - top) + np.exp(b - top))


def _real(fn):
    """A function of the real part only: a constant for the complex step (floor, argmax, comparisons)."""
    return lambda a, *args, **kw: fn(np.real(a), *args, **kw)


for _name in ("sin", "cos", "tan", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
              "expm1", "log2", "log10"):
    defimpl(_name, getattr(np, _name))
defimpl("arctan2", _arctan2)
defimpl("hypot", lambda a, b: np.sqrt(a * a + b * b))
defimpl("logaddexp", _logaddexp)
defimpl("floor", _real(np.floor))
defimpl("ceil", _real(np.ceil))
defimpl("trunc", _real(np.trunc))
defimpl("round", _real(lambda a, decimals=0: np.round(a, decimals)))
defimpl("isnan", _real(lambda a: np.isnan(a).astype(float)))
defimpl("isinf", _real(lambda a: np.isinf(a).astype(float)))
defimpl("isfinite", _real(lambda a: np.isfinite(a).astype(float)))
defimpl("eq", lambda a, b: (np.real(a) == np.real(b)).astype(float))
defimpl("ne", lambda a, b: (np.real(a) != np.real(b)).astype(float))
defimpl("argmax", _real(lambda a, axis=None, keepdims=False: np.argmax(a, axis=axis, keepdims=keepdims)))
defimpl("argmin", _real(lambda a, axis=None, keepdims=False: np.argmin(a, axis=axis, keepdims=keepdims)))
defimpl("argsort", _real(lambda a, axis=-1: np.argsort(a, axis=axis, kind="stable")))
defimpl("prod", lambda a, axis=None, keepdims=False: np.prod(a, axis=axis, keepdims=keepdims))
defimpl("cumsum", lambda a, axis=None: np.cumsum(a, axis=axis))
defimpl("flip", lambda a, axis=None: np.flip(a, axis=axis))
defimpl("roll", lambda a, shift, axis=None: np.roll(a, shift, axis=axis))
defimpl("concatenate", lambda *arrays, axis=0: np.concatenate(arrays, axis=axis))


def index_tuple(items, arrays) -> tuple:
    """NumPy's index from the IR's items (dimensions already numbers) and the index arrays' values."""
    out: list[object] = []
    for it in items:
        if it[0] == "s":
            out.append(slice(it[1], it[2]))
        elif it[0] == "n":
            out.append(None)
        elif it[0] == "e":
            out.append(Ellipsis)
        elif it[0] == "i":
            out.append(it[1])
        elif it[0] == "m":
            out.append(np.real(arrays[it[1] - 1]) != 0)
        else:
            out.append(np.asarray(np.real(arrays[it[1] - 1])).astype(np.intp))
    return tuple(out)


def _getitem(a, *arrays, items):
    return np.asarray(a)[index_tuple(items, arrays)]


UPDATES = {"set": lambda old, v: v, "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide}


def _setitem(a, value, *arrays, items, op="set"):
    """`a[index] op= value` on a copy, exactly as NumPy does it (a repeated index keeps one update)."""
    out = np.array(a, copy=True)
    index = index_tuple(items, arrays)
    if op == "add_at":  # np.add.at: every repeated index adds its own update
        out = out.astype(np.result_type(out, value))
        np.add.at(out, index, value)
        return out
    out[index] = UPDATES[op](out[index], value)
    return out


defimpl("getitem", _getitem)
defimpl("setitem", _setitem)
defimpl("broadcast_to", lambda a, shape: np.broadcast_to(a, shape))
defimpl("logsumexp", lambda a, axis, keepdims=False: np.log(np.sum(np.exp(a), axis=axis, keepdims=keepdims)))

# Parameters that hold dimensions are given to the implementations as numbers.
DIM_PARAMS = {"shape", "n", "m", "k", "items"}


class Evaluator:
    """Evaluates expressions against values for names; shared sub-trees are computed once."""

    def __init__(self, values: Mapping[str, np.ndarray], bindings: Mapping[str, int]):
        self.values = values
        self.bindings = bindings
        self.memo: dict[int, object] = {}
        self.keep: list[Expr] = []  # keeps memoised nodes alive, so their ids stay unique

    def __call__(self, expr: Expr):
        if not isinstance(expr, Call) or id(expr) in self.memo:   # no recursion to make room for
            return self.value(expr)
        with deep_recursion():
            return self.value(expr)

    def value(self, expr: Expr) -> Any:
        key = id(expr)
        if key in self.memo:
            return self.memo[key]
        out: Any
        if isinstance(expr, Var):
            out = self.values[expr.name]
        elif isinstance(expr, Const):
            out = np.float64(expr.value)
        elif isinstance(expr, DimRef):
            out = np.float64(symbol_value(expr.name, self.bindings))
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
        number = lambda d: d.value(self.bindings) if isinstance(d, Dim) else d  # noqa: E731
        if key == "shape":
            return tuple(-1 if d is None else number(d) for d in value)
        if key == "items":
            return tuple(tuple(number(x) for x in it) for it in value)
        return number(value)


def forward(definitions: Mapping[str, Expr], values: dict, bindings: Mapping[str, int],
            evaluator: Callable[[dict, Mapping[str, int]], Evaluator] | None = None) -> dict:
    """Values of every definition, in order, added to a copy of the leaves' values (computed by `evaluator`
    over the values so far, when given: noise.py's moves each result as rounding could have)."""
    out = dict(values)
    ev = Evaluator(out, bindings) if evaluator is None else evaluator(out, bindings)
    with np.errstate(all="ignore"), deep_recursion():   # room made once for every definition
        for name, expr in definitions.items():
            out[name] = ev(expr)
    return out


class Schedule:
    """Definitions and further expressions as one list of steps, for evaluating large arrays lean.

    Structurally equal sub-expressions become one step (derived formulas share many parts), the
    steps run in order without recursion, and each value is let go the moment its last reader has
    run, so memory holds only what is still to be read. Named results are handed to callbacks as
    soon as they exist, so a caller can reduce a large one to a few numbers and let it go too.
    With `every_definition` False, only the steps the outputs need are kept.
    """

    def __init__(self, definitions: Mapping[str, Expr], outputs: Mapping[str, Expr],
                 every_definition: bool = True):
        self.slots: dict[tuple, int] = {}     # a node's structural key → its slot
        self.inputs: dict[str, int] = {}      # leaf name → slot
        self.constants: dict[int, object] = {}  # slot → Const value, or a DimRef's name
        self.steps: list[tuple[int, str, tuple[int, ...], tuple]] = []  # (slot, prim, argument slots, params)
        self.shapes: dict[int, tuple] = {}    # slot → the value's symbolic shape, for `peak_numbers`
        named: dict[str, int] = {}
        seen: dict[int, int] = {}  # id of a node already scheduled → its slot (every node is alive meanwhile)
        for name, expr in definitions.items():
            named[name] = self.schedule(expr, named, seen)
        self.definitions = named if every_definition else {}
        self.outputs = {key: self.schedule(expr, named, seen) for key, expr in outputs.items()}
        self.prune()
        self.plan_release()

    def schedule(self, root: Expr, named: Mapping[str, int], seen: dict[int, int]) -> int:
        """Steps for every node under `root` not yet scheduled, children first; the root's slot."""
        stack: list[tuple[Expr, bool]] = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if id(node) in seen:
                continue
            if isinstance(node, Call) and not ready:
                stack.append((node, True))
                stack.extend((a, False) for a in reversed(node.args) if id(a) not in seen)
                continue
            seen[id(node)] = self.intern(node, seen, named)
        return seen[id(root)]

    def intern(self, node: Expr, seen: Mapping[int, int], named: Mapping[str, int]) -> int:
        if isinstance(node, Var):
            if node.name in named:
                return named[node.name]
            key: tuple = ("var", node.name)
        elif isinstance(node, Const):
            key = ("const", repr(node.value))
        elif isinstance(node, DimRef):
            key = ("dim", node.name)
        else:
            assert isinstance(node, Call)
            key = ("call", node.prim, tuple(seen[id(a)] for a in node.args), node.params)
            try:
                hash(key)
            except TypeError:  # an unhashable parameter: this node is shared only by identity
                key = ("id", id(node))
        if key in self.slots:
            return self.slots[key]
        slot = self.slots[key] = len(self.slots)
        self.shapes[slot] = tuple(getattr(node, "shape", None) or ())
        if isinstance(node, Var):
            self.inputs[node.name] = slot
        elif isinstance(node, Const):
            self.constants[slot] = np.float64(node.value)
        elif isinstance(node, DimRef):
            self.constants[slot] = node.name
        else:
            self.steps.append((slot, node.prim, key[2], node.params))
        return slot

    def prune(self) -> None:
        """Keep only the steps that a reported result needs."""
        needed = set(self.definitions.values()) | set(self.outputs.values())
        kept = []
        for step in reversed(self.steps):
            if step[0] in needed:
                needed.update(step[2])
                kept.append(step)
        self.steps = kept[::-1]
        self.inputs = {name: slot for name, slot in self.inputs.items() if slot in needed}

    def plan_release(self) -> None:
        """For each step, the slots whose last reader it is (results count as read where they appear)."""
        last: dict[int, int] = {}
        made = {step[0]: i for i, step in enumerate(self.steps)}  # inputs and constants appear at -1
        for slot in list(self.definitions.values()) + list(self.outputs.values()):
            last[slot] = max(last.get(slot, -1), made.get(slot, -1))
        for i, (_, _, args, _) in enumerate(self.steps):
            for a in args:
                last[a] = i
        self.release: list[list[int]] = [[] for _ in range(len(self.steps) + 1)]
        for slot, i in last.items():
            self.release[i + 1].append(slot)  # release[0]: read by no step at all
        self.results: list[list[tuple[str, bool]]] = [[] for _ in range(len(self.steps) + 1)]
        for kind, table in ((True, self.definitions), (False, self.outputs)):
            for name, slot in table.items():
                self.results[made.get(slot, -1) + 1].append((name, kind))

    def peak_numbers(self, bindings: Mapping[str, int]) -> int:
        """The most numbers `run` holds at once, inputs included, from the shapes alone: each value
        counted from its step until its last reader has run, as `run` lets it go."""
        def size(slot: int) -> int:
            return math.prod(d.value(bindings) for d in self.shapes.get(slot, ()))
        alive = sum(size(slot) for slot in self.inputs.values())
        peak = alive
        for i in range(len(self.steps) + 1):
            if i:
                alive += size(self.steps[i - 1][0])
                peak = max(peak, alive)
            alive -= sum(size(slot) for slot in self.release[i] if slot not in self.constants)
        return peak

    def run(self, inputs: dict[str, object], bindings: Mapping[str, int],
            on_definition: Callable[[str, object], None] | None = None,
            on_output: Callable[[str, object], None] | None = None) -> None:
        """Evaluate every step on `inputs` (a value per leaf read), reporting results as they appear.

        The values it reads are taken out of `inputs`, and let go after their last reader like
        every other: a caller that keeps no reference of its own frees each input there."""
        values: list[object] = [None] * len(self.slots)
        for name, slot in self.inputs.items():
            values[slot] = inputs.pop(name)
        for slot, constant in self.constants.items():
            values[slot] = np.float64(symbol_value(constant, bindings)) if isinstance(constant, str) else constant
        ev = Evaluator({}, bindings)

        def report(i: int) -> None:
            for name, is_definition in self.results[i]:
                callback = on_definition if is_definition else on_output
                if callback is not None:
                    callback(name, values[self.definitions[name] if is_definition else self.outputs[name]])
            for slot in self.release[i]:
                values[slot] = None

        with np.errstate(all="ignore"):
            report(0)
            for i, (slot, prim, args, params) in enumerate(self.steps, start=1):
                values[slot] = impl_rules[prim](*(values[a] for a in args),
                                                **{k: ev.numeric_param(k, v) for k, v in params})
                report(i)
