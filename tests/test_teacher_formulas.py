"""The teachers' reference formulas (tests/catalogue/teacher_formulas.py and teacher_formulas_more.py) are right.

Each network is run with NumPy by the independent oracle (tests/oracle.py, which never imports
`tutor`); each formula is evaluated on the forward values and compared with the gradient of the
loss by central finite differences in float64, over two draws with different distinct dimension
values (never 1).
"""
from __future__ import annotations

import ast
import zlib

import numpy as np
import pytest

from catalogue.teacher_formulas import REFERENCES as FIRST, Reference
from catalogue.teacher_formulas_more import MORE_REFERENCES
from oracle import load

REFERENCES = FIRST + MORE_REFERENCES
DRAWS = 2
RTOL = 1e-6
STEP = 1e-5
#: distinct dimension values, never 1 (nor 2: batchnorm over 2 rows is degenerate, its dX ≈ 0)
DIM_POOL = (3, 4, 5, 6, 7, 8, 9, 10, 11)

#: what a formula may call: SPEC §2, and the extensions of docs/language.md the catalogue uses
FUNCTIONS = {
    "sigmoid", "tanh", "relu", "exp", "log", "sqrt", "abs", "softmax", "log_softmax", "sum", "mean",
    "maximum", "minimum", "outer", "diag", "transpose", "dot", "cross_entropy", "max", "reshape",
    "eye", "range", "sign",
}
METHODS = {"T", "reshape", "sum", "mean", "transpose"}


def _dims(net_text: str, rng: np.random.Generator) -> dict[str, int]:
    symbols = sorted(load(net_text).dims)
    assert len(symbols) <= len(DIM_POOL)
    values = rng.permutation(DIM_POOL)[:len(symbols)]
    return {s: int(v) for s, v in zip(symbols, values)}


def _central(net, values: dict, leaf: str) -> np.ndarray:
    x = np.asarray(values[leaf], dtype=np.float64)
    g = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        h = STEP * max(1.0, abs(float(x[i])))
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        g[i] = (net.loss({**values, leaf: up}) - net.loss({**values, leaf: down})) / (up[i] - down[i])
    return g


def _seed(ref: Reference) -> int:
    return zlib.crc32(ref.id.encode())


def test_catalogue_size_and_keys():
    assert len(FIRST) >= 40 and len(MORE_REFERENCES) >= 20
    ids = [r.id for r in REFERENCES]
    assert len(ids) == len(set(ids)), "duplicate ids"
    pairs = [(r.network, r.leaf) for r in REFERENCES]
    assert len(pairs) == len(set(pairs)), "a (network, leaf) pair appears twice"


@pytest.mark.parametrize("ref", REFERENCES, ids=lambda r: r.id)
def test_formula_reads_like_a_teachers(ref: Reference):
    """Only leaves, defined names, dimension symbols and the language's functions; no `0 *`."""
    net = load(ref.network)
    assert ref.leaf in net.leaves and ref.leaf not in net.int_leaves, f"{ref.leaf} is not a float leaf"
    allowed = set(net.leaves) | set(net.defined) | set(net.dims)
    tree = ast.parse(ref.formula, mode="eval")
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if id(node) in called:
                assert node.id in FUNCTIONS, f"unknown function {node.id}"
            else:
                assert node.id in allowed, f"{node.id} is not a leaf, a defined name or a dimension"
        elif isinstance(node, ast.Attribute):
            assert node.attr in METHODS, f"unknown attribute .{node.attr}"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            for side in (node.left, node.right):
                assert not (isinstance(side, ast.Constant) and side.value == 0), "a `0 *` device"
        elif isinstance(node, (ast.Lambda, ast.ListComp, ast.GeneratorExp, ast.DictComp, ast.SetComp)):
            pytest.fail(f"{type(node).__name__} in a formula")


@pytest.mark.parametrize("ref", REFERENCES, ids=lambda r: r.id)
def test_formula_matches_finite_differences(ref: Reference):
    rng = np.random.default_rng(_seed(ref))
    bindings = []
    for draw in range(DRAWS):
        dims = _dims(ref.network, rng)
        bindings.append(dims)
        net = load(ref.network, dims)
        assert 1 not in net.dims.values() and len(set(net.dims.values())) == len(net.dims)
        values = net.sample(rng)
        answer, _ = net.run_derivation(ref.formula, values)
        answer = np.asarray(answer, dtype=np.float64)
        expected = _central(net, values, ref.leaf)
        assert answer.shape == expected.shape == net.leaves[ref.leaf], (
            f"draw {draw} {dims}: formula shape {answer.shape}, leaf shape {net.leaves[ref.leaf]}")
        scale = float(np.linalg.norm(expected))
        assert scale > 1e-8, f"draw {draw} {dims}: the gradient is ~0, the check would prove nothing"
        err = float(np.linalg.norm(answer - expected)) / scale
        assert err < RTOL, f"draw {draw} {dims}: relative error {err:.3g}"
    assert bindings[0] != bindings[1]
