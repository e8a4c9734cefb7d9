"""An independent NumPy oracle for networks and learners' derivations (never imports `tutor`).

This is test code. It *executes* the network text and the learner's derivation with Python and
NumPy (the product never executes anything; the oracle may, because it is the yardstick the
product is measured against):

* a network (SPEC §1–§2) is parsed with `ast`; its declarations give the leaves and the
  dimension symbols, and every other statement (definitions, `loss /= N`, helper `def`s) is run
  in a namespace holding `np`, `numpy`, every function of SPEC §2 with NumPy semantics, the
  dimension symbols as integers, and the leaves' values;
* the true gradient of the loss with respect to a leaf comes from the forward pass alone: a
  complex-step derivative per entry where the forward pass is complex-analytic, cross-checked
  against central differences (and replaced by them where the two disagree);
* a derivation is run as plain NumPy on fresh copies of the forward values, so in-place ops,
  aliasing (`d = probs` shares; `.copy()` does not), masked and fancy-index assignment,
  `grads['W1'] = ...` and helper `def`s behave exactly as they do in a learner's script.

    net = load(text, dims={"N": 5})
    values = net.sample(np.random.default_rng(0))
    net.gradient(values, "W1")
    verdict(text, "W1", "dW1 = x.T @ dz1")   # "correct", "scaled", ...

Dimensions are bound to distinct numbers (never 1, never equal to each other or to a literal
dimension) so that NumPy's broadcasting reveals a symbolic shape error as an exception.
"""
from __future__ import annotations

import ast
import re
import builtins
import math
import textwrap
from dataclasses import dataclass, field

import numpy as np

__all__ = ["OracleError", "OracleNet", "load", "answer_name", "verdict", "judge", "Judgement",
           "NAMESPACE", "BUILTIN_HELPERS", "DEFAULT_DIMS"]

#: The numbers unbound dimension symbols get, in order (skipping any already taken).
DEFAULT_DIMS = (5, 3, 4, 6, 7, 2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20)

VERDICTS = ("correct", "shape_error", "wrong_shape", "transposed", "scaled", "wrong_value")


class OracleError(Exception):
    """The text cannot be run. `kind` is "shape" when NumPy raised on a shape (a ValueError or
    IndexError: operands that do not conform, a mask of the wrong shape, an index out of range,
    an axis that does not exist), "syntax" when the text does not parse, and "other" otherwise
    (an unknown name, a TypeError, ...)."""

    def __init__(self, message: str, kind: str = "other", cause: BaseException | None = None):
        super().__init__(message)
        self.kind = kind
        self.cause = cause


# -- SPEC §2 functions with NumPy semantics -------------------------------------------------

def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _relu(z):
    return np.maximum(z, 0)


def _shift(a, axis):
    """The max along axis (real part), for a numerically safe softmax; works on complex input."""
    return np.max(np.real(a), axis=axis, keepdims=True)


def _softmax(a, axis=-1):
    e = np.exp(a - _shift(a, axis))
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax(a, axis=-1):
    s = a - _shift(a, axis)
    return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))


def _cross_entropy(y, p):
    return -np.sum(y * np.log(p))


def _onehot(i, n):
    return np.eye(int(n))[i]


NAMESPACE: dict[str, object] = {
    "np": np, "numpy": np,
    "sigmoid": _sigmoid, "tanh": np.tanh, "relu": _relu, "exp": np.exp, "log": np.log,
    "sqrt": np.sqrt, "abs": np.abs, "sign": np.sign,
    "softmax": _softmax, "log_softmax": _log_softmax,
    "sum": np.sum, "mean": np.mean, "max": np.max, "amax": np.amax, "min": np.min, "amin": np.amin,
    "maximum": np.maximum, "minimum": np.minimum,
    "outer": np.outer, "diag": np.diag, "transpose": np.transpose, "dot": np.dot, "matmul": np.matmul,
    "cross_entropy": _cross_entropy, "onehot": _onehot, "eye": np.eye,
    "einsum": np.einsum, "reshape": np.reshape, "swapaxes": np.swapaxes, "where": np.where,
    "clip": np.clip, "square": np.square, "power": np.power, "multiply": np.multiply,
    "divide": np.divide, "add": np.add, "subtract": np.subtract, "squeeze": np.squeeze,
    "linalg": np.linalg, "log1p": np.log1p, "zeros_like": np.zeros_like, "ones_like": np.ones_like,
    "copy": np.copy, "arange": np.arange, "ones": np.ones, "zeros": np.zeros,
}


# -- course helpers whose meaning is fixed by their source ------------------------------------

def _sigmoid_grad(s):
    """CS224n / CS231n: the sigmoid's derivative *from its output* s = sigmoid(z)."""
    return s * (1 - s)


def _sigmoid_prime(z):
    """Nielsen's network.py: the sigmoid's derivative *at the pre-activation* z."""
    return _sigmoid(z) * (1 - _sigmoid(z))


#: Helpers a derivation may call without defining them (a `def` in the text overrides them).
BUILTIN_HELPERS: dict[str, object] = {"sigmoid_grad": _sigmoid_grad, "sigmoid_prime": _sigmoid_prime}


def _globals(extra: dict) -> dict:
    ns = {"__builtins__": builtins}
    ns.update(NAMESPACE)
    ns.update(extra)
    return ns


# -- parsing the network's declarations ---------------------------------------------------------

@dataclass(frozen=True)
class _Decl:
    name: str
    kind: str                    # "float", "int", "onehot", "binary" (a 0/1 mask)
    shape: tuple                 # items: int, str (a symbol) or tuple of those (a product)
    bound: object = None         # K of `int[N] < K` (int or str)


def _dim(node: ast.expr):
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # a dimension sum: n_a + n_x
        return ("+", _dim(node.left), _dim(node.right))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        left, right = _dim(node.left), _dim(node.right)
        flat = []
        for part in (left, right):
            flat.extend(part if isinstance(part, tuple) else (part,))
        return tuple(flat)
    raise OracleError(f"line {node.lineno}: not a dimension: {ast.unparse(node)}", "syntax")


def _shape_list(node: ast.expr) -> tuple:
    if isinstance(node, (ast.List, ast.Tuple)):
        return tuple(_dim(e) for e in node.elts)
    raise OracleError(f"line {node.lineno}: not a shape: {ast.unparse(node)}", "syntax")


def _declaration(stmt: ast.AnnAssign) -> _Decl:
    if not isinstance(stmt.target, ast.Name):
        raise OracleError(f"line {stmt.lineno}: a declaration names a leaf", "syntax")
    name, ann = stmt.target.id, stmt.annotation
    if isinstance(ann, ast.Compare) and len(ann.ops) == 1 and isinstance(ann.ops[0], ast.Lt):
        sub = ann.left
        if isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Name) and sub.value.id == "int":
            inner = sub.slice
            shape = _shape_list(inner if isinstance(inner, ast.Tuple) else ast.Tuple(elts=[inner]))
            return _Decl(name, "int", shape, _dim(ann.comparators[0]))
    if isinstance(ann, ast.Subscript) and isinstance(ann.value, ast.Name) and ann.value.id == "binary":
        inner = ann.slice
        shape = _shape_list(inner if isinstance(inner, ast.Tuple) else ast.Tuple(elts=[inner]))
        return _Decl(name, "binary", shape)
    if isinstance(ann, ast.Subscript) and isinstance(ann.value, ast.Name) and ann.value.id == "onehot":
        inner = ann.slice
        shape = _shape_list(inner if isinstance(inner, ast.Tuple) else ast.Tuple(elts=[inner]))
        return _Decl(name, "onehot", shape)
    return _Decl(name, "float", _shape_list(ann))


def _symbols(item) -> list[str]:
    if isinstance(item, tuple) and item and item[0] == "+":
        return _symbols(item[1]) + _symbols(item[2])
    if isinstance(item, str):
        return [item]
    if isinstance(item, tuple):
        return [p for p in item if isinstance(p, str)]
    return []


def _literals(item) -> list[int]:
    if isinstance(item, tuple) and item and item[0] == "+":
        return _literals(item[1]) + _literals(item[2])
    if isinstance(item, int):
        return [item]
    if isinstance(item, tuple):
        return [p for p in item if isinstance(p, int)]
    return []


def _value(item, dims: dict[str, int]) -> int:
    if isinstance(item, tuple) and item and item[0] == "+":
        return _value(item[1], dims) + _value(item[2], dims)
    if isinstance(item, int):
        return item
    if isinstance(item, str):
        return dims[item]
    return math.prod(_value(p, dims) for p in item)


def _assigned_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for e in target.elts for n in _assigned_names(e)]
    return []


#: `y: int[] < K` (one label) is read as `int[()] < K`, as the product reads it.
_SCALAR_LABEL = re.compile(r"(?m)^(\s*[A-Za-z_]\w*\s*:\s*(?:int|binary))\[\]")


#: PyTorch's `keepdim=` (llm.c's layernorm.py) is NumPy's `keepdims=`; a class's `self.W` is the name W.
_KEEPDIM = re.compile(r"\bkeepdim=")
_SELF = re.compile(r"\bself\.")
_METHOD = re.compile(r"(?m)^(\s*def\s+\w+\s*\()\s*self\s*(?:,\s*|(?=\)))")  # a method's self is no argument
_SIZE = re.compile(r"\.size\(\)")  # PyTorch's x.size() is NumPy's x.shape


def _parse(text: str, what: str) -> ast.Module:
    text = _SIZE.sub(".shape", _SELF.sub("", _METHOD.sub(r"\1", _KEEPDIM.sub("keepdims=", _SCALAR_LABEL.sub(r"\1[()]", textwrap.dedent(text).strip("\n"))))))
    try:
        return ast.parse(text)
    except SyntaxError as e:
        raise OracleError(f"{what}: {e}", "syntax", e) from e


def _run_error(e: BaseException, what: str) -> OracleError:
    kind = "shape" if isinstance(e, (ValueError, IndexError)) else "other"
    return OracleError(f"{what}: {type(e).__name__}: {e}", kind, e)


# -- the network ---------------------------------------------------------------------------

class _SeededNumPy:
    """NumPy whose `np.random` starts from a fixed seed on every run of the forward pass.

    The generator is made when a network first reads `np.random`: making one costs about as much as a
    small network's whole forward pass, and most networks draw nothing."""

    def __init__(self, seed: int):
        self._seed = seed
        self._random: np.random.RandomState | None = None

    @property
    def random(self) -> np.random.RandomState:
        if self._random is None:
            self._random = np.random.RandomState(self._seed)
        return self._random

    def __getattr__(self, name):
        return getattr(np, name)


class OracleNet:
    """A network, its dimensions bound to numbers, runnable with NumPy."""

    def __init__(self, text: str, dims: dict[str, int] | None = None):
        self.text = text
        module = _parse(text, "network")
        decls: list[_Decl] = []
        body: list[ast.stmt] = []
        defined: list[str] = []
        loss = None
        for stmt in module.body:
            if isinstance(stmt, ast.AnnAssign) and stmt.value is None:
                decls.append(_declaration(stmt))
                continue
            body.append(stmt)
            if isinstance(stmt, ast.Assign):
                for t in stmt.targets:
                    names = _assigned_names(t)
                    defined.extend(n for n in names if n not in defined)
                    if names:
                        loss = names[-1]
            elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
                loss = stmt.target.id
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                defined.append(stmt.target.id)
                loss = stmt.target.id
        if loss is None:
            raise OracleError("network: no definition (the last one is the loss)", "syntax")
        self.loss_name: str = loss
        self.defined: list[str] = defined
        self._decls = {d.name: d for d in decls}
        self._code = compile(ast.Module(body=body, type_ignores=[]), "<network>", "exec")
        self._body = body

        # dimensions: the given ones, then distinct defaults in order of first appearance
        given = dict(dims or {})
        order: list[str] = []
        literals: set[int] = set()
        for d in decls:
            items = list(d.shape) + ([d.bound] if d.bound is not None else [])
            for item in items:
                for s in _symbols(item):
                    if s not in order:
                        order.append(s)
                literals.update(_literals(item))
        taken = set(given.values()) | {v for v in literals if v != 1}
        self.dims: dict[str, int] = {}
        pool = iter(v for v in DEFAULT_DIMS)
        for s in order:
            if s in given:
                self.dims[s] = int(given[s])
                continue
            for v in pool:
                if v not in taken:
                    self.dims[s] = v
                    taken.add(v)
                    break
        for s, v in given.items():
            self.dims.setdefault(s, int(v))

        self.leaves: dict[str, tuple[int, ...]] = {
            d.name: tuple(_value(i, self.dims) for i in d.shape) for d in decls}
        self.int_leaves: dict[str, int] = {
            d.name: _value(d.bound, self.dims) for d in decls if d.kind == "int"}
        self.onehot_leaves: set[str] = {d.name for d in decls if d.kind == "onehot"}
        self.binary_leaves: set[str] = {d.name for d in decls if d.kind == "binary"}
        #: float leaves inferred to be labels: leaf → axis it is one-hot along
        self.label_axes: dict[str, int] = {n: -1 for n in self.onehot_leaves}
        self.label_axes.update(self._infer_labels(module))
        self.onehot_leaves |= set(self.label_axes)
        self._fan_in = self._contracted_lengths(module)

    # which float leaves are labels (the first argument of cross_entropy, or `y * log(softmax)`)
    def _infer_labels(self, module: ast.Module) -> dict[str, int]:
        defs: dict[str, ast.expr] = {}
        for stmt in self._body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                defs[stmt.targets[0].id] = stmt.value

        def fname(call: ast.expr) -> str | None:
            if isinstance(call, ast.Call):
                f = call.func
                if isinstance(f, ast.Name):
                    return f.id
                if isinstance(f, ast.Attribute):
                    return f.attr
            return None

        def softmax_axis(e: ast.expr, names=("softmax",)) -> int | None:
            if isinstance(e, ast.Name) and e.id in defs:
                e = defs[e.id]
            if fname(e) in names:
                for kw in e.keywords:
                    if kw.arg == "axis" and isinstance(kw.value, ast.Constant):
                        return kw.value.value
                    if kw.arg == "axis" and isinstance(kw.value, ast.UnaryOp) and isinstance(kw.value.operand, ast.Constant):
                        return -kw.value.operand.value
                if len(e.args) > 1 and isinstance(e.args[1], ast.Constant):
                    return e.args[1].value
                return -1
            return None

        found: dict[str, int] = {}

        def note(y: ast.expr, axis: int | None):
            if isinstance(y, ast.Name) and axis is not None:
                d = self._decls.get(y.id)
                if d is not None and d.kind == "float" and d.shape:
                    rank = len(d.shape)
                    own = axis if axis >= 0 else rank + axis
                    if 0 <= own < rank and self.leaves[y.id][own] > 1:
                        found[y.id] = own - rank

        for node in ast.walk(module):
            if fname(node) == "cross_entropy" and len(node.args) == 2:
                y, p = node.args
                note(y, softmax_axis(p) if softmax_axis(p) is not None else -1)
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
                for y, other in ((node.left, node.right), (node.right, node.left)):
                    if fname(other) == "log" and other.args:
                        note(y, softmax_axis(other.args[0]))
                    else:
                        note(y, softmax_axis(other, ("log_softmax",)))
        return found

    def _contracted_lengths(self, module: ast.Module) -> dict[str, int]:
        """For each leaf, the longest axis a matrix product contracts it over (its fan-in)."""
        out: dict[str, int] = {}

        def record(a: ast.expr, b: ast.expr):
            for operand, left in ((a, True), (b, False)):
                if isinstance(operand, ast.Name) and operand.id in self.leaves:
                    shape = self.leaves[operand.id]
                    if not shape:
                        continue
                    k = shape[-1] if left or len(shape) == 1 else shape[-2]
                    out[operand.id] = max(out.get(operand.id, 1), k)

        for node in ast.walk(module):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
                record(node.left, node.right)
            elif isinstance(node, ast.Call):
                f = node.func
                name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
                if name in ("dot", "matmul"):
                    if isinstance(f, ast.Attribute) and not (isinstance(f.value, ast.Name) and f.value.id in ("np", "numpy")):
                        if node.args:
                            record(f.value, node.args[0])
                    elif len(node.args) == 2:
                        record(node.args[0], node.args[1])
        return out

    # -- numbers ---------------------------------------------------------------------------

    def _draw(self, rng: np.random.Generator, positive: bool) -> dict[str, np.ndarray]:
        values: dict[str, np.ndarray] = {}
        self._seed = getattr(self, "_seed", 0) + 1  # the network's own np.random draws: fixed for this sample
        for name, shape in self.leaves.items():
            if name in self.int_leaves:
                k = self.int_leaves[name]
                v = rng.integers(0, k, size=shape)
                if v.size >= 2 and k >= 2 and len(np.unique(v)) == v.size:
                    v.flat[1] = v.flat[0]          # at least one repeat
                values[name] = v
            elif name in self.binary_leaves:    # a 0/1 mask with both values present
                v = (rng.random(shape) < 0.5).astype(float)
                if v.size >= 2:
                    v.flat[0], v.flat[1] = 1.0, 0.0
                values[name] = v
            elif name in self.label_axes:
                axis = self.label_axes[name]
                if not shape:
                    values[name] = np.float64(1.0)
                    continue
                length = shape[axis]
                rest = shape[:axis % len(shape)] + shape[axis % len(shape) + 1:]
                hot = rng.integers(0, length, size=rest)
                values[name] = np.ascontiguousarray(np.moveaxis(np.eye(length)[hot], -1, axis))
            elif positive:
                values[name] = rng.uniform(0.5, 1.5, size=shape)
            else:
                values[name] = np.asarray(rng.standard_normal(shape) * self._fan_in.get(name, 1) ** -0.25,
                                          dtype=np.float64)
        return values

    def sample(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Values for every leaf such that the forward pass is finite everywhere."""
        for positive in (False, True):
            values = self._draw(rng, positive)
            try:
                out = self.forward(values)
            except OracleError:
                if positive:
                    raise
                continue
            if all(np.all(np.isfinite(np.asarray(v, dtype=complex))) for v in out.values()
                   if isinstance(v, (np.ndarray, np.generic, int, float))):
                return values
        raise OracleError("network: the forward pass is not finite for normal or positive leaves")

    def _namespace(self, values: dict) -> dict:
        ns = _globals(self.dims)
        # a dropout mask drawn as the network runs is one fixed draw: every run of this sample sees it
        ns["np"] = ns["numpy"] = _SeededNumPy(getattr(self, "_seed", 0))
        for name in self.leaves:
            v = values[name]
            ns[name] = v.copy() if isinstance(v, np.ndarray) else v
        # a course's dictionary of its parameters (deeplearning.ai's `parameters`, Karpathy's `model`)
        ns["parameters"] = ns["model"] = ns["params"] = {n: ns[n] for n in self.leaves}
        ns.update(_numbered_lists(ns, self.leaves))
        return ns

    def _run(self, values: dict) -> dict:
        ns = self._namespace(values)
        try:
            with np.errstate(all="ignore"):
                exec(self._code, ns)
        except OracleError:
            raise
        except Exception as e:  # noqa: BLE001 - the oracle reports what NumPy raised
            raise _run_error(e, "network") from e
        return ns

    def forward(self, values: dict) -> dict[str, np.ndarray]:
        """Every leaf and every defined name, freshly computed (new arrays on every call)."""
        ns = self._run(values)
        return {n: ns[n] for n in list(self.leaves) + self.defined if n in ns and not callable(ns[n])}

    def _loss_raw(self, values: dict):
        ns = self._run(values)
        out = ns[self.loss_name]
        if np.ndim(out) != 0 and np.size(out) == 1:  # a 1×1 cost (before np.squeeze) is the number it holds
            out = np.reshape(out, ())
        if np.ndim(out) != 0:
            raise OracleError(f"network: the loss {self.loss_name} is not a scalar: shape {np.shape(out)}", "shape")
        return out

    def loss(self, values: dict) -> float:
        return float(np.real(self._loss_raw(values)))

    def gradient(self, values: dict, leaf: str) -> np.ndarray:
        """∂loss/∂leaf: complex step where it agrees with central differences, else central differences."""
        if leaf not in self.leaves:
            raise OracleError(f"{leaf!r} is not a leaf of the network")
        if leaf in self.int_leaves:
            raise OracleError(f"{leaf!r} is an integer leaf: it has no gradient")
        cd = self._central(values, leaf)
        cs = self._complex_step(values, leaf)
        if cs is not None:
            scale = float(np.max(np.abs(cd))) if cd.size else 0.0
            noise = 1e-8 * (1.0 + abs(self.loss(values)))     # rounding in central differences
            if np.allclose(cs, cd, rtol=1e-5, atol=1e-6 * scale + noise):
                return cs
        return cd

    def _central(self, values: dict, leaf: str, h: float = 1e-6) -> np.ndarray:
        x = np.asarray(values[leaf], dtype=np.float64)
        g = np.zeros(x.shape)
        for i in np.ndindex(x.shape):
            step = h * max(1.0, abs(float(x[i])))
            up, down = x.copy(), x.copy()
            up[i] += step
            down[i] -= step
            fu = self.loss({**values, leaf: up})
            fd = self.loss({**values, leaf: down})
            g[i] = (fu - fd) / (up[i] - down[i])
        return g

    def _complex_step(self, values: dict, leaf: str, h: float = 1e-30) -> np.ndarray | None:
        x = np.asarray(values[leaf], dtype=np.float64)
        g = np.zeros(x.shape)
        try:
            with np.errstate(all="ignore"):
                for i in np.ndindex(x.shape):
                    z = x.astype(complex)
                    z[i] += 1j * h
                    f = self._loss_raw({**values, leaf: z})
                    g[i] = np.imag(f) / h
        except Exception:  # noqa: BLE001 - complex step is only an accelerator
            return None
        return g if np.all(np.isfinite(g)) else None

    # -- derivations -------------------------------------------------------------------------

    def run_derivation(self, text: str, values: dict, wrt: str | None = None) -> tuple[object, dict]:
        """Run a derivation as a learner's NumPy script on fresh forward values.

        Returns (the answer, every name's final value). The answer is the value of the name
        that claims `wrt` (see `answer_name`) if `wrt` is given and the text assigns one;
        otherwise the value of the last line (a bare expression, or the last assignment's
        target)."""
        module = _parse(text, "derivation")
        if not module.body:
            raise OracleError("derivation: empty", "syntax")
        ns = _globals(self.dims)
        ns.update(BUILTIN_HELPERS)
        ns.update(self.forward(values))
        ns.setdefault("grads", {})
        # deeplearning.ai's `parameters['Wf']`: the network's leaves by name (copies, as a learner's dict holds)
        ns.setdefault("parameters", {n: ns[n] for n in self.leaves if n in ns})
        ns.setdefault("model", ns["parameters"])
        ns.setdefault("params", ns["parameters"])
        for name, items in _numbered_lists(ns, self.leaves).items():
            ns.setdefault(name, items)
        body, last = module.body, None
        if isinstance(body[-1], ast.Expr):
            body, last = body[:-1], body[-1].value
        try:
            with np.errstate(all="ignore"):
                exec(compile(ast.Module(body=body, type_ignores=[]), "<derivation>", "exec"), ns)
                final = eval(compile(ast.Expression(last), "<derivation>", "eval"), ns) if last is not None else None
        except Exception as e:  # noqa: BLE001 - the oracle reports what NumPy raised
            raise _run_error(e, "derivation") from e
        name = _claim_name(module, wrt) if wrt is not None else None
        if name is None:
            name = None if last is not None else _last_target(module)
            if name is None and last is None:
                raise OracleError("derivation: the last line assigns nothing the oracle can read", "other")
        if name is None:
            answer = final
        elif name.startswith("grads["):
            answer = ns["grads"][ast.literal_eval(name[len("grads["):-1])]
        else:
            answer = ns[name]
        names = {k: v for k, v in ns.items()
                 if k != "__builtins__" and not k.startswith("__") and k not in NAMESPACE
                 and k not in BUILTIN_HELPERS}
        return answer, names


def _numbered_lists(ns: dict, leaves) -> dict[str, list]:
    """A course's list of parameters (Prince's `all_weights[layer]`) from the leaves declared all_weights_0,
    all_weights_1, …: the list of them in order, under the name they share."""
    out: dict[str, list] = {}
    for leaf in leaves:
        m = re.fullmatch(r"(.+)_0", leaf)
        if m is None or m.group(1) in ns or m.group(1) in leaves:
            continue
        items, k = [], 0
        while f"{m.group(1)}_{k}" in leaves:
            items.append(ns[f"{m.group(1)}_{k}"])
            k += 1
        out[m.group(1)] = items
    return out


def load(net_text: str, dims: dict[str, int] | None = None) -> OracleNet:
    return OracleNet(net_text, dims)


# -- which name carries the answer ------------------------------------------------------------

_PREFIXES = ("dJ_d", "grad_", "grad", "d")


def _claims_of(target: ast.expr) -> list[tuple[str, str]]:
    """Every (claimed node, the name as the oracle spells it) for `dX`, `dJ_dX`, `grad_X`, `gradX`,
    `grads['X']` and `grads['dX']` (deeplearning.ai's key)."""
    if isinstance(target, ast.Name):
        n = target.id
        return [(n[len(p):], n) for p in _PREFIXES if n.startswith(p) and len(n) > len(p)]
    if (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
            and target.value.id == "grads" and isinstance(target.slice, ast.Constant)
            and isinstance(target.slice.value, str)):
        key = target.slice.value
        spelled = f"grads[{key!r}]"
        return [(key, spelled)] + [(key[len(p):], spelled) for p in _PREFIXES if key.startswith(p) and len(key) > len(p)]
    return []


def _claim_of(target: ast.expr) -> tuple[str, str] | None:
    found = _claims_of(target)
    return found[0] if found else None


def _targets(stmt: ast.stmt) -> list[ast.expr]:
    if isinstance(stmt, ast.Assign):
        out = []
        for t in stmt.targets:
            out.extend(t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t])
        return out
    if isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        return [stmt.target]
    return []


def _claim_name(module: ast.Module, wrt: str) -> str | None:
    found = None
    for stmt in module.body:
        for t in _targets(stmt):
            for node, spelled in _claims_of(t):
                if node == wrt:
                    found = spelled
    return found


def _last_target(module: ast.Module) -> str | None:
    for stmt in reversed(module.body):
        ts = _targets(stmt)
        if not ts:
            continue
        t = ts[-1]
        while isinstance(t, ast.Subscript) and _claim_of(t) is None:
            t = t.value                      # `d[h <= 0] = 0` leaves the answer in d
        c = _claim_of(t)
        if c is not None and c[1].startswith("grads["):
            return c[1]
        return t.id if isinstance(t, ast.Name) else None
    return None


def answer_name(text: str, wrt: str) -> str | None:
    """The name that carries the answer: the last-assigned of `dWRT`, `dJ_dWRT`, `grad_WRT`, `gradWRT`,
    `grads['WRT']`, `grads['dWRT']` if the text assigns one; otherwise the target of the last line if it is an
    assignment (the array a masked assignment `d[m] = 0` changes); None for a bare last
    expression."""
    module = _parse(text, "derivation")
    name = _claim_name(module, wrt)
    if name is not None:
        return name
    if module.body and isinstance(module.body[-1], ast.Expr):
        return None
    return _last_target(module)


# -- the verdict ---------------------------------------------------------------------------

@dataclass
class Judgement:
    verdict: str
    factor: float | None = None                 # for "scaled"
    shape: tuple | None = None                  # the answer's shape (None: it could not be run)
    expected_shape: tuple | None = None
    error: str | None = None                    # what NumPy raised
    per_draw: list = field(default_factory=list)


def _close(a: np.ndarray, g: np.ndarray) -> bool:
    scale = float(np.max(np.abs(g))) if g.size else 0.0
    return bool(np.allclose(a, g, rtol=1e-5, atol=1e-6 * scale + 1e-8))


def _classify(a: np.ndarray, g: np.ndarray) -> tuple[str, float | None]:
    if a.shape != g.shape:
        if a.ndim == 2 and a.T.shape == g.shape and _close(a.T, g):
            return "transposed", None
        return "wrong_shape", None
    if _close(a, g):
        return "correct", None
    if a.ndim == 2 and a.shape[0] == a.shape[1] and _close(a.T, g):
        return "transposed", None
    gg = float(np.vdot(g, g))
    if gg > 0:
        c = float(np.vdot(g, a)) / gg
        if abs(c) > 1e-6 and not math.isclose(c, 1.0, rel_tol=1e-6) and _close(a, c * g):
            return "scaled", c
    return "wrong_value", None


def judge(net_text: str, wrt: str, derivation: str, dims: dict[str, int] | None = None,
          draws: int = 3, seed: int = 0) -> Judgement:
    """The verdict with its evidence (factor of a `scaled`, shapes, NumPy's error)."""
    net = net_text if isinstance(net_text, OracleNet) else load(net_text, dims)
    rng = np.random.default_rng(seed)
    expected = net.leaves[wrt]
    results = []
    shape = None
    for _ in range(draws):
        values = net.sample(rng)
        g = net.gradient(values, wrt)
        try:
            answer, _ = net.run_derivation(derivation, values, wrt)
        except OracleError as e:
            if e.kind == "shape":
                return Judgement("shape_error", expected_shape=expected, error=str(e))
            raise
        try:
            a = np.asarray(answer, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise OracleError(f"derivation: the answer is not an array: {type(answer).__name__}") from e
        shape = a.shape
        results.append(_classify(a, g))
    kinds = [k for k, _ in results]
    j = Judgement("wrong_value", shape=shape, expected_shape=expected, per_draw=results)
    if "wrong_shape" in kinds:
        j.verdict = "wrong_shape"
    elif all(k == "correct" for k in kinds):
        j.verdict = "correct"
    elif all(k == "transposed" for k in kinds):
        j.verdict = "transposed"
    elif all(k == "scaled" for k in kinds):
        factors = [c for _, c in results]
        if all(math.isclose(c, factors[0], rel_tol=1e-5) for c in factors):
            j.verdict, j.factor = "scaled", factors[0]
    return j


def verdict(net_text: str, wrt: str, derivation: str, dims: dict[str, int] | None = None,
            draws: int = 3, seed: int = 0) -> str:
    """"correct", "shape_error", "wrong_shape", "transposed", "scaled" or "wrong_value"
    ("unusable" is not returned: a text that cannot be run for another reason raises OracleError)."""
    return judge(net_text, wrt, derivation, dims, draws, seed).verdict
