"""Shared helpers for the tests: leaf values, central finite differences, and
evaluation of derived gradient formulas (float64 throughout).

Nothing here uses the engine's own verifier: the reference gradient is computed
from the forward pass alone, one perturbed entry at a time.
"""
from __future__ import annotations

import ast
from collections.abc import Mapping

import numpy as np

from tutor.engine.calculus.grad import backward
from tutor.engine.language.network import Network, parse_network
from tutor.engine.numbers.numeric import Evaluator, forward
from tutor.engine.language.printer import code
from tutor.engine.idioms.canonical import find_targets

STEP = 1e-6
RTOL = 1e-6


def numeric_shape(shape, bindings: Mapping[str, int]) -> tuple[int, ...]:
    return tuple(d.value(bindings) for d in shape)


def one_hot(dims: tuple[int, ...], axis: int, rng: np.random.Generator) -> np.ndarray:
    if not dims:
        return np.float64(1.0)
    length = dims[axis]
    hot = rng.integers(0, length, size=dims[:axis] + dims[axis + 1:])
    return np.ascontiguousarray(np.moveaxis(np.eye(length)[hot], -1, axis))


def draw(domain: str, dims: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Values for one leaf.

    normal   standard normal
    pos      uniform in [0.5, 1.5] (log, sqrt, negative and fractional powers, division)
    away     |x| in [0.2, 1.5], random sign (kinks at 0: relu, abs)
    half     k/2 for integers k in [-4, 4]    } differences between a `half` and a
    quarter  k/2 + 1/4                        } `quarter` value are >= 1/4 (maximum, minimum)
    unit     uniform in [-0.8, 0.8] (arcsin, arccos, arctanh)
    """
    if domain == "normal":
        out = rng.standard_normal(dims)
    elif domain == "pos":
        out = rng.uniform(0.5, 1.5, size=dims)
    elif domain == "away":
        out = rng.uniform(0.2, 1.5, size=dims) * rng.choice([-1.0, 1.0], size=dims)
    elif domain == "half":
        out = rng.integers(-4, 5, size=dims) / 2.0
    elif domain == "quarter":
        out = rng.integers(-4, 5, size=dims) / 2.0 + 0.25
    elif domain == "unit":
        out = rng.uniform(-0.8, 0.8, size=dims)
    else:
        raise ValueError(domain)
    return np.asarray(out, dtype=np.float64)


def leaf_values(network: Network, bindings: Mapping[str, int], rng: np.random.Generator,
                domains: Mapping[str, str] | None = None) -> dict[str, np.ndarray]:
    """Values for every leaf; leaves the engine treats as one-hot labels are one-hot."""
    domains = domains or {}
    targets = find_targets(network)
    out = {}
    for name, shape in network.leaves.items():
        dims = numeric_shape(shape, bindings)
        if name in targets and name not in domains:
            out[name] = one_hot(dims, targets[name], rng)
        else:
            out[name] = draw(domains.get(name, "normal"), dims, rng)
    return out


def loss_value(network: Network, leaves: Mapping[str, np.ndarray], bindings: Mapping[str, int]) -> float:
    value = forward(network.definitions, dict(leaves), bindings)[network.loss]
    assert np.shape(value) == (), f"loss is not a scalar: shape {np.shape(value)}"
    return float(value)


def finite_differences(network: Network, leaves: Mapping[str, np.ndarray], bindings: Mapping[str, int],
                       names=None, step: float = STEP) -> dict[str, np.ndarray]:
    """Central differences of the loss, perturbing one entry of one leaf at a time."""
    out = {}
    for name in names if names is not None else network.leaves:
        base = np.asarray(leaves[name], dtype=np.float64)
        grad = np.zeros(base.shape)
        for idx in np.ndindex(*base.shape):
            plus, minus = base.copy(), base.copy()
            plus[idx] += step
            minus[idx] -= step
            up = loss_value(network, {**leaves, name: plus}, bindings)
            down = loss_value(network, {**leaves, name: minus}, bindings)
            grad[idx] = (up - down) / (2 * step)
        out[name] = grad
    return out


def evaluate(expr, values: Mapping[str, np.ndarray], bindings: Mapping[str, int]) -> np.ndarray:
    with np.errstate(divide="raise", over="raise", invalid="raise", under="ignore"):
        return np.asarray(Evaluator(values, bindings)(expr), dtype=np.float64)


def assert_close(actual: np.ndarray, expected: np.ndarray, what: str, rtol: float = RTOL, atol: float = 0.0) -> None:
    """Entrywise |actual - expected| <= rtol * max|expected| (+ atol for the differences' rounding)."""
    assert np.shape(actual) == np.shape(expected), f"{what}: shape {np.shape(actual)} != {np.shape(expected)}"
    scale = max(float(np.max(np.abs(expected), initial=0.0)), 1e-3)
    err = float(np.max(np.abs(actual - expected), initial=0.0))
    assert err <= rtol * scale + atol, (f"{what}: max error {err:.3e} > {rtol:g} * {scale:.3e} + {atol:.1e}"
                                        f"\n{actual}\n!=\n{expected}")


def check_gradients(network: Network, bindings: Mapping[str, int], leaves: Mapping[str, np.ndarray],
                    rtol: float = RTOL, step: float = STEP):
    """Every leaf has a derived gradient of the leaf's symbolic and numeric shape that
    equals the central finite differences. Returns (gradients, forward values)."""
    grads = backward(network)
    values = forward(network.definitions, dict(leaves), bindings)
    for name, value in values.items():
        assert np.all(np.isfinite(value)), f"non-finite forward value at {name}"
    reference = finite_differences(network, leaves, bindings, step=step)
    # central differences round off at about eps * (size of the terms summed into J) / step
    magnitude = max(float(np.max(np.abs(v), initial=0.0)) for v in values.values())
    atol = 1e-8 * max(1.0, magnitude)
    for name, shape in network.leaves.items():
        if name not in grads.wrt:
            # backward() leaves out what the loss does not depend on differentiably (a comparison)
            assert not np.any(reference[name]), f"no gradient for leaf {name}, but it is not zero"
            continue
        formula = grads.wrt[name]
        assert formula.shape == shape, f"gradient of {name} has symbolic shape {formula.shape}, leaf has {shape}"
        got = evaluate(formula, values, bindings)
        assert_close(got, reference[name], f"d{network.loss}/d{name} = {code(formula)}", rtol, atol)
    return grads, values


def check_reparse(network: Network, grads, values: Mapping[str, np.ndarray], bindings: Mapping[str, int]) -> None:
    """`code(formula)` is network-language text: appended to the network as a definition
    it parses, and evaluates to the same numbers as the formula itself."""
    lines = [network.source.rstrip("\n")]
    names = {}
    for i, leaf in enumerate(leaf for leaf in network.leaves if leaf in grads.wrt):
        names[leaf] = f"reparsed_gradient_{i}"
        lines.append(f"{names[leaf]} = {code(grads.wrt[leaf])}")
    lines.append("reparsed_loss = " + (" + ".join(f"sum({n})" for n in names.values()) or "0"))
    again = parse_network("\n".join(lines) + "\n", "<reparsed>")
    leaves = {name: values[name] for name in [*network.leaves, *network.labels]}
    values2 = forward(again.definitions, leaves, bindings)
    for leaf, name in names.items():
        assert again.shapes[name] == network.leaves[leaf], f"re-parsed gradient of {leaf} has another shape"
        expected = evaluate(grads.wrt[leaf], values, bindings)
        assert_close(np.asarray(values2[name], dtype=np.float64), expected,
                     f"re-parsed {code(grads.wrt[leaf])}", rtol=1e-12)


def devices(formula: str) -> list[str]:
    """What a teacher never writes: a `0 *` to carry a shape, a term added twice."""
    found = []
    tree = ast.parse(formula, mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            if any(isinstance(side, ast.Constant) and side.value == 0 for side in (node.left, node.right)):
                found.append(f"0 * device: {ast.unparse(node)}")
    for chain in sums(tree):
        seen = [ast.dump(t) for t in chain]
        twice = {ast.unparse(t) for t, d in zip(chain, seen) if seen.count(d) > 1}
        found.extend(f"term added twice: {t}" for t in sorted(twice))
    return found


def sums(tree: ast.AST) -> list[list[ast.expr]]:
    """The terms of every maximal chain of + and - (signs stripped)."""
    out, inner = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)) and id(node) not in inner:
            terms, stack = [], [node]
            while stack:
                e = stack.pop()
                if isinstance(e, ast.BinOp) and isinstance(e.op, (ast.Add, ast.Sub)):
                    inner.add(id(e))
                    stack.extend((e.right, e.left))
                elif isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
                    stack.append(e.operand)
                else:
                    terms.append(e)
            out.append(terms)
    return out
