"""Proof of tests/catalogue/tensor_networks.py: every network runs, has the shapes it claims,
ends in a scalar loss, and is differentiable where it is sampled.

Independent of the tool: the network text is read with `ast` here, its declarations are turned
into arrays drawn at the catalogue's dimensions, and each definition is evaluated as plain
Python/NumPy with NumPy meanings for the language's functions (this is test code; the product
never executes learner text). For each network:

* the text uses only forms of the network language (SPEC §1-§2 and issue 13);
* the binding gives distinct values to distinct dimensions: symbols, literals and products
  (never 1 for a symbol), so a shape check cannot pass by a numeric coincidence;
* `shapes` covers every leaf and definition, the leaves' entries are their declarations, and
  each node's numeric shape equals its symbolic shape bound, at the catalogue's binding and at
  a second one (distinct primes);
* the last definition is a scalar and every value is finite;
* central differences in float64 over every entry of every float leaf, at two step sizes,
  are finite and agree, and the forward and backward differences agree too (so the loss is
  differentiable at the sampled point, even where a kink sits exactly on it); every float
  leaf has some non-zero gradient (each leaf matters);
* where tests/oracle.py can run the network, its forward values and gradients agree;
* `big_factor` is a real chain factor (wrt appears in of's definition) with six or more axes,
  and a network without one has no direct factor of six axes.
"""
from __future__ import annotations

import ast
import functools
import importlib.util
import math
import sys
import types
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).parent


def _load_catalogue():
    name = "shapetutor_tests_tensor_networks"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / "catalogue" / "tensor_networks.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


CATALOGUE = _load_catalogue()
NETWORKS = CATALOGUE.NETWORKS
STEPS = (1e-5, 1e-6)  # central differences at two step sizes must agree
PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)


# -- NumPy meanings for the language's functions ------------------------------------------

def _softmax(a, axis=-1):
    a = np.asarray(a, dtype=np.float64)
    e = np.exp(a - np.max(a, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax(a, axis=-1):
    a = np.asarray(a, dtype=np.float64)
    s = a - np.max(a, axis=axis, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))


FUNCTIONS = {
    # SPEC §2, the table
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0), "exp": np.exp, "log": np.log,
    "sqrt": np.sqrt, "abs": np.abs, "softmax": _softmax, "log_softmax": _log_softmax,
    "sum": np.sum, "mean": np.mean, "maximum": np.maximum, "minimum": np.minimum,
    "outer": np.outer, "diag": np.diag, "transpose": np.transpose, "dot": np.dot,
    "cross_entropy": lambda y, p: -np.sum(y * np.log(p)),
    # SPEC §2, "also"
    "matmul": np.matmul, "reshape": np.reshape, "swapaxes": np.swapaxes, "einsum": np.einsum,
    "max": np.max, "amax": np.amax, "where": np.where, "clip": np.clip, "square": np.square,
    "power": np.power, "multiply": np.multiply, "divide": np.divide, "add": np.add,
    "subtract": np.subtract, "squeeze": np.squeeze, "log1p": np.log1p,
    "zeros_like": np.zeros_like, "ones_like": np.ones_like, "copy": np.copy,
    "range": range,
    # issue 13 (and docs/language.md's extensions)
    "expand_dims": np.expand_dims, "moveaxis": np.moveaxis, "broadcast_to": np.broadcast_to,
    "onehot": lambda i, n: np.eye(n)[i], "arange": np.arange, "sign": np.sign,
}
NP = types.SimpleNamespace(**FUNCTIONS, linalg=types.SimpleNamespace(norm=np.linalg.norm))
METHODS = {"T", "reshape", "transpose", "sum", "mean", "max", "dot", "copy", "shape"}
OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.MatMult, ast.USub)
SYNTAX = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Constant, ast.Attribute,
          ast.Subscript, ast.Slice, ast.Tuple, ast.keyword, ast.Load) + OPERATORS


# -- reading a network ----------------------------------------------------------------------

def dim_json(node: ast.expr):
    """A declared dimension in SPEC §5's JSON form: 3, "H" or "h*d" (factors as written)."""
    if isinstance(node, ast.Constant) and type(node.value) is int and node.value > 0:
        return node.value
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return f"{dim_json(node.left)}*{dim_json(node.right)}"
    raise AssertionError(f"not a dimension: {ast.unparse(node)}")


def shape_json(node: ast.expr) -> list:
    assert isinstance(node, ast.List), f"not a shape: {ast.unparse(node)}"
    return [dim_json(d) for d in node.elts]


class Net:
    """The statements of a network text: leaves (float, onehot or int) and definitions."""

    def __init__(self, text: str):
        self.leaves: dict[str, list] = {}      # name -> JSON shape
        self.kinds: dict[str, str] = {}         # name -> "float" | "onehot" | "int"
        self.bounds: dict[str, object] = {}     # int leaf -> its bound (a JSON dimension)
        self.definitions: dict[str, ast.expr] = {}
        for stmt in ast.parse(text).body:
            if isinstance(stmt, ast.AnnAssign):
                assert stmt.value is None and isinstance(stmt.target, ast.Name), ast.unparse(stmt)
                name, ann = stmt.target.id, stmt.annotation
                assert name not in self.leaves and name not in self.definitions, f"{name} twice"
                if isinstance(ann, ast.List):
                    self.leaves[name], self.kinds[name] = shape_json(ann), "float"
                elif isinstance(ann, ast.Subscript) and ann.value.id == "onehot":
                    self.leaves[name], self.kinds[name] = self._brackets(ann), "onehot"
                else:
                    assert (isinstance(ann, ast.Compare) and len(ann.ops) == 1
                            and isinstance(ann.ops[0], ast.Lt) and isinstance(ann.left, ast.Subscript)
                            and ann.left.value.id == "int"), f"not a declaration: {ast.unparse(stmt)}"
                    self.leaves[name], self.kinds[name] = self._brackets(ann.left), "int"
                    self.bounds[name] = dim_json(ann.comparators[0])
            elif isinstance(stmt, ast.Assign):
                assert len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name), ast.unparse(stmt)
                name = stmt.targets[0].id
                assert name not in self.leaves and name not in self.definitions, f"{name} twice"
                self.definitions[name] = stmt.value
            else:
                raise AssertionError(f"not a network statement: {ast.unparse(stmt)}")
        assert self.definitions, "no definitions"
        self.loss = list(self.definitions)[-1]
        self.code = {name: compile(ast.Expression(expr), f"<{name}>", "eval")
                     for name, expr in self.definitions.items()}

    @staticmethod
    def _brackets(sub: ast.Subscript) -> list:
        inner = sub.slice
        return [dim_json(d) for d in (inner.elts if isinstance(inner, ast.Tuple) else [inner])]

    def names_in(self, name: str) -> set[str]:
        return {n.id for n in ast.walk(self.definitions[name]) if isinstance(n, ast.Name)}

    def symbols(self) -> set[str]:
        dims = [d for shape in self.leaves.values() for d in shape] + list(self.bounds.values())
        return {f for d in dims if isinstance(d, str) for f in d.split("*") if not f.isdigit()}

    def float_leaves(self) -> list[str]:
        return [n for n, k in self.kinds.items() if k != "int"]


def factors(dim) -> tuple[str, ...]:
    return (str(dim),) if isinstance(dim, int) else tuple(sorted(dim.split("*")))


def bind(dim, dims: dict[str, int]) -> int:
    if isinstance(dim, int):
        return dim
    return math.prod(int(f) if f.isdigit() else dims[f] for f in dim.split("*"))


def bind_shape(shape: list, dims: dict[str, int]) -> tuple[int, ...]:
    return tuple(bind(d, dims) for d in shape)


def prime_binding(entry) -> dict[str, int]:
    """A second binding: distinct primes (none a literal dimension of the network), in the
    order of the catalogue's values, so that every product is a distinct number too."""
    literals = {d for shape in entry.shapes.values() for d in shape if isinstance(d, int)}
    primes = [p for p in PRIMES if p not in literals]
    order = sorted(entry.dims, key=lambda s: (entry.dims[s], s))
    return {s: primes[i] for i, s in enumerate(order)}


# -- numbers ----------------------------------------------------------------------------------

def draw(net: Net, entry, dims: dict[str, int], rng: np.random.Generator) -> dict[str, np.ndarray]:
    values = {}
    for name, shape in net.leaves.items():
        size = bind_shape(shape, dims)
        kind, domain = net.kinds[name], entry.domains.get(name, "normal")
        if kind == "int":
            values[name] = rng.integers(0, bind(net.bounds[name], dims), size=size)
        elif kind == "onehot":
            hot = rng.integers(0, size[-1], size=size[:-1])
            values[name] = np.eye(size[-1])[hot]
        elif domain == "pos":
            values[name] = rng.uniform(0.5, 1.5, size=size)
        elif domain == "causal":
            assert len(size) == 2 and size[0] == size[1], "a causal mask is square"
            values[name] = np.triu(np.full(size, -1e9), k=1)
        else:
            assert domain == "normal", domain
            values[name] = np.asarray(rng.standard_normal(size) * 0.7)
    return values


def run(net: Net, values: dict, dims: dict[str, int]) -> dict[str, np.ndarray]:
    """Every definition's value, in order (leaves included)."""
    scope = {"__builtins__": {}, **FUNCTIONS, "np": NP, "numpy": NP, **dims, **values}
    out = dict(values)
    with np.errstate(all="raise", under="ignore"):
        for name, code in net.code.items():
            scope[name] = out[name] = eval(code, scope)  # noqa: S307 - the catalogue's own text
    return out


def loss(net: Net, values: dict, dims: dict[str, int]) -> float:
    return float(run(net, values, dims)[net.loss])


def differences(net: Net, values: dict, dims: dict[str, int], name: str, step: float):
    """Central, forward and backward differences of the loss, one entry of `name` at a time."""
    base = np.array(values[name], dtype=np.float64)
    f0 = loss(net, values, dims)
    central, forward, backward = np.zeros(base.shape), np.zeros(base.shape), np.zeros(base.shape)
    probe = dict(values)
    for idx in np.ndindex(*base.shape):
        x = base[idx]
        up, down = base.copy(), base.copy()
        up[idx], down[idx] = x + step, x - step
        probe[name] = up
        f_up = loss(net, probe, dims)
        probe[name] = down
        f_down = loss(net, probe, dims)
        central[idx] = (f_up - f_down) / (up[idx] - down[idx])
        forward[idx] = (f_up - f0) / (up[idx] - x)
        backward[idx] = (f0 - f_down) / (x - down[idx])
    return central, forward, backward


def direct_factors(net: Net, shapes: dict) -> list[tuple[str, str, int]]:
    """(of, wrt, number of axes of ∂of/∂wrt) for every name wrt that a definition of uses."""
    out = []
    for of in net.definitions:
        for wrt in sorted(net.names_in(of)):
            if wrt in shapes and net.kinds.get(wrt) != "int":
                out.append((of, wrt, len(shapes[of]) + len(shapes[wrt])))
    return out


# -- the tests --------------------------------------------------------------------------------

ids = [entry.id for entry in NETWORKS]


def test_catalogue_size_and_ids():
    assert len(NETWORKS) >= 14
    assert len(set(ids)) == len(ids)
    for entry in NETWORKS:
        assert entry.source and entry.note and entry.dims


def _is_np(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in ("np", "numpy")


@pytest.mark.parametrize("entry", NETWORKS, ids=ids)
def test_forms_and_names(entry):
    """Only the network language: its syntax, its functions, its methods; and no name is both
    a dimension symbol and a node, or shadows a function."""
    net = Net(entry.network)
    symbols = net.symbols()
    nodes = set(net.leaves) | set(net.definitions)
    assert not symbols & nodes, f"both a dimension and a node: {symbols & nodes}"
    assert not (symbols | nodes) & (set(FUNCTIONS) | {"np", "numpy", "int", "onehot"})
    for name, expr in net.definitions.items():
        for node in ast.walk(ast.Expression(expr)):
            assert isinstance(node, SYNTAX), f"{name}: {type(node).__name__} is not in the language"
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and _is_np(func.value):
                    assert func.attr in FUNCTIONS, f"{name}: np.{func.attr}"
                elif isinstance(func, ast.Attribute):
                    assert func.attr in METHODS, f"{name}: method .{func.attr}"
                else:
                    assert isinstance(func, ast.Name) and func.id in FUNCTIONS, f"{name}: {ast.unparse(func)}"
            elif isinstance(node, ast.Attribute) and not _is_np(node.value):
                assert node.attr in METHODS, f"{name}: attribute .{node.attr}"
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                known = nodes | symbols | set(FUNCTIONS) | {"np", "numpy"}
                assert node.id in known, f"{name}: unknown name {node.id}"
        defined_before = set(net.leaves) | set(list(net.definitions)[:list(net.definitions).index(name)])
        used = net.names_in(name) & nodes
        assert used <= defined_before, f"{name} uses {used - defined_before} before its definition"
    used_anywhere = set().union(*(net.names_in(n) for n in net.definitions))
    assert set(net.leaves) <= used_anywhere, f"unused leaves {set(net.leaves) - used_anywhere}"
    assert set(list(net.definitions)[:-1]) <= used_anywhere, "a definition nobody uses"
    for shape in net.leaves.values():
        assert len(shape) <= 4, f"a leaf of rank {len(shape)}"


@pytest.mark.parametrize("entry", NETWORKS, ids=ids)
def test_binding_is_generic(entry):
    """Distinct dimensions get distinct numbers (symbols, literals and products alike)."""
    net = Net(entry.network)
    assert set(entry.dims) == net.symbols(), "dims binds exactly the network's symbols"
    for dims in (entry.dims, prime_binding(entry)):
        assert all(isinstance(v, int) and v >= 2 for v in dims.values()), dims
        seen = {}
        every = [d for shape in list(net.leaves.values()) + list(entry.shapes.values()) for d in shape]
        every += list(net.bounds.values()) + list(dims)
        for d in every:
            key, value = factors(d), bind(d, dims)
            assert seen.setdefault(value, key) == key, f"{seen[value]} and {key} are both {value}"


@pytest.mark.parametrize("entry", NETWORKS, ids=ids)
def test_shapes(entry):
    net = Net(entry.network)
    assert set(entry.shapes) == set(net.leaves) | set(net.definitions), (
        f"missing {set(net.leaves) | set(net.definitions) - set(entry.shapes)}, "
        f"extra {set(entry.shapes) - set(net.leaves) - set(net.definitions)}")
    for name, shape in net.leaves.items():
        assert entry.shapes[name] == shape, f"leaf {name} is declared {shape}"
    for shape in entry.shapes.values():
        assert all(isinstance(d, int) or (isinstance(d, str) and d) for d in shape)
    assert entry.shapes[net.loss] == []
    for seed, dims in ((0, entry.dims), (1, prime_binding(entry))):
        values = run(net, draw(net, entry, dims, np.random.default_rng(seed)), dims)
        for name, value in values.items():
            assert np.shape(value) == bind_shape(entry.shapes[name], dims), (
                f"{name}: numeric shape {np.shape(value)}, claimed {entry.shapes[name]} = "
                f"{bind_shape(entry.shapes[name], dims)} at {dims}")
            if net.kinds.get(name) != "int":
                assert np.asarray(value).dtype == np.float64, f"{name} is {np.asarray(value).dtype}"
                assert np.all(np.isfinite(value)), f"{name} is not finite"
        assert np.ndim(values[net.loss]) == 0, "the loss is not a scalar"


@pytest.mark.parametrize("entry", NETWORKS, ids=ids)
def test_big_factor(entry):
    net = Net(entry.network)
    factors_ = direct_factors(net, entry.shapes)
    largest = max(axes for _, _, axes in factors_)
    if entry.big_factor is None:
        assert largest < 6, f"the network has a factor of {largest} axes: name it in big_factor"
        return
    of, wrt = entry.big_factor
    assert of in net.definitions, f"{of} is not a definition"
    assert wrt in net.names_in(of), f"{wrt} does not appear in the definition of {of}"
    assert net.kinds.get(wrt) != "int", "an int leaf has no gradient"
    assert len(entry.shapes[of]) + len(entry.shapes[wrt]) >= 6


@functools.lru_cache(maxsize=None)
def sampled(entry_id: str):
    """(network, values at the catalogue's binding, {float leaf: differences at each step})."""
    entry = CATALOGUE.BY_ID[entry_id]
    net = Net(entry.network)
    values = draw(net, entry, entry.dims, np.random.default_rng(0))
    diffs = {name: [differences(net, values, entry.dims, name, h) for h in STEPS]
             for name in net.float_leaves()}
    return net, values, diffs


@pytest.mark.parametrize("entry", NETWORKS, ids=ids)
def test_differentiable(entry):
    net, values, diffs = sampled(entry.id)
    assert math.isfinite(loss(net, values, entry.dims))
    for name in net.float_leaves():
        (coarse, _, _), (fine, ahead, behind) = diffs[name]
        assert np.all(np.isfinite(coarse)) and np.all(np.isfinite(fine)), f"∂J/∂{name} is not finite"
        scale = max(1.0, float(np.max(np.abs(fine))))
        err = float(np.max(np.abs(coarse - fine)))
        assert err <= 1e-5 * scale, f"∂J/∂{name}: steps {STEPS} disagree by {err:.2e} (not smooth here?)"
        # a kink exactly at the sampled point fools central differences (|x| gives 0 at both
        # steps); the one-sided differences then differ by the jump in slope
        kink = float(np.max(np.abs(ahead - behind)))
        assert kink <= 1e-4 * scale, f"∂J/∂{name}: one-sided differences differ by {kink:.2e} (a kink?)"
        assert np.any(np.abs(fine) > 1e-9), f"∂J/∂{name} is zero everywhere: the leaf does not matter"


@pytest.mark.parametrize("entry", NETWORKS, ids=ids)
def test_oracle_agrees(entry):
    """tests/oracle.py, run on the same values, computes the same nodes and (by complex step
    where it can) the same gradients. Skipped for a network using a function it lacks."""
    oracle = pytest.importorskip("oracle")
    net, values, diffs = sampled(entry.id)
    try:
        theirs = oracle.load(entry.network, dims=dict(entry.dims))
        forward = theirs.forward(values)
    except oracle.OracleError as e:
        if isinstance(e.cause, NameError):
            pytest.skip(f"tests/oracle.py: {e.cause}")
        raise
    assert theirs.dims == entry.dims and theirs.loss_name == net.loss
    ours = run(net, values, entry.dims)
    for name, value in ours.items():
        assert np.shape(forward[name]) == np.shape(value), name
        np.testing.assert_allclose(forward[name], value, rtol=1e-12, atol=1e-12, err_msg=name)
    for name in net.float_leaves():
        fine = diffs[name][1][0]
        scale = max(1.0, float(np.max(np.abs(fine))))
        np.testing.assert_allclose(theirs.gradient(values, name), fine, rtol=0, atol=1e-6 * scale,
                                   err_msg=f"∂J/∂{name}")
