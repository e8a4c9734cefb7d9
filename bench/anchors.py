"""The real anchors' gradient checkers, run on claimed gradients.

shapetutor claims a gradient formula is right when its complex-step check says so. The usual
anchors are `torch.autograd.gradcheck` and `jax.test_util.check_grads`; this module runs those very
functions, with their default tolerances, on a loss computed in NumPy and gradients *claimed* by the
caller (correct, or deliberately perturbed), so a benchmark can say which perturbations each catches:

* "torch": the loss becomes a `torch.autograd.Function` whose forward calls `loss` on the inputs'
  NumPy values and whose backward returns `claimed(...)` times the incoming gradient; then
  `gradcheck(f, inputs, raise_exception=False, fast_mode=False)` on float64 inputs, every other
  setting left at its default (eps 1e-6, atol 1e-5, rtol 1e-3). Caught = gradcheck returned False.
* "jax": a `jax.custom_vjp` function whose forward calls `loss` through `jax.pure_callback` and
  whose bwd returns the claimed gradients, checked by `check_grads(f, args, order=1, modes=["rev"])`
  with its defaults (float64: eps 1e-4, atol = rtol = 1e-5). Caught = it raised AssertionError.
  Importing jax here turns on `jax_enable_x64` for the whole process.

Neither library is a dependency: both are imported when first used, and `available()` says which
are installed. When one is missing, `run_anchor` returns a result with `ran=False` that says so, and
`rule_fallback` applies that library's documented default rule to the same loss and claimed
gradients instead (it reproduces the library's own steps: the same differences, directions and
comparison), so the caller can report "rule applied, not the library".

    python bench/anchors.py     # demo: the question's network, correct and perturbed gradients

Every leaf in `values` is differentiated; constants belong in the closures of `loss` and `claimed`.
"""
from __future__ import annotations

import importlib
import importlib.metadata
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

Arrays = dict[str, np.ndarray]
Loss = Callable[[Arrays], float]
Claimed = Callable[[Arrays], Arrays]

ANCHORS = ("torch", "jax")
# The documented defaults, used by rule_fallback (and compared with the installed ones by the demo).
GRADCHECK_EPS, GRADCHECK_ATOL, GRADCHECK_RTOL = 1e-6, 1e-5, 1e-3
CHECK_GRADS_EPS, CHECK_GRADS_TOL = 1e-4, 1e-5  # float64: atol = rtol = 1e-5


@dataclass(frozen=True)
class AnchorResult:
    """What one check concluded. `ran` is False when the library is not installed (nothing ran)."""
    name: str
    caught: bool
    seconds: float
    detail: str
    ran: bool = True


def available() -> dict[str, str | None]:
    """The installed version of each anchor library, or None; nothing is imported."""
    out: dict[str, str | None] = {}
    for name in ANCHORS:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def run_anchor(name: str, loss: Loss, claimed: Claimed, values: Arrays) -> AnchorResult:
    """Run the real checker `name` ("torch" or "jax") on `claimed` at `values`.

    The library is imported before the clock starts; `seconds` is the check alone. Errors other
    than the checker's own verdict (a claimed gradient of the wrong shape, say) propagate.
    """
    if name not in ANCHORS:
        raise ValueError(f"unknown anchor {name!r}; expected one of {ANCHORS}")
    try:
        module = _import(name)
    except ImportError as error:
        return AnchorResult(name, False, 0.0, f"{name} is not installed ({error}); nothing ran", ran=False)
    names = list(values)
    arrays = [np.asarray(values[k], dtype=np.float64) for k in names]
    run = _torch_check if name == "torch" else _jax_check
    start = time.perf_counter()
    caught, detail = run(module, loss, claimed, names, arrays)
    return AnchorResult(name, caught, time.perf_counter() - start, detail)


def rule_fallback(name: str, loss: Loss, claimed: Claimed, values: Arrays) -> AnchorResult:
    """Apply the default tolerance rule of `name`'s checker with NumPy alone, the library absent.

    "torch": a central difference at eps 1e-6 for every entry of every leaf, and every entry must
    satisfy |claimed - numeric| <= 1e-5 + 1e-3 |numeric| (gradcheck, fast_mode=False).
    "jax": check_grads' reverse-mode check in float64: one standard-normal tangent over all leaves
    and one cotangent, both from `np.random.RandomState(0)` in the order check_grads draws them; the
    projection <tangent, claimed * cotangent> against the central difference along the tangent at
    eps 1e-4 times the cotangent, within atol = rtol = 1e-5.
    """
    names = list(values)
    base = {k: np.array(values[k], dtype=np.float64) for k in names}
    grads = claimed(base)
    start = time.perf_counter()
    if name == "torch":
        worst = -np.inf
        for k in names:
            numeric = np.empty(base[k].shape)
            for index in np.ndindex(*base[k].shape):
                sides = []
                for sign in (1.0, -1.0):
                    bumped = base[k].copy()
                    bumped[index] += sign * GRADCHECK_EPS
                    sides.append(float(loss({**base, k: bumped})))
                numeric[index] = (sides[0] - sides[1]) / (2 * GRADCHECK_EPS)
            excess = np.abs(np.asarray(grads[k]) - numeric) - (GRADCHECK_ATOL + GRADCHECK_RTOL * np.abs(numeric))
            worst = max(worst, float(np.max(excess, initial=-np.inf)))
        caught = worst > 0
        detail = f"gradcheck's default rule in NumPy, not torch: worst |a-n| - (atol + rtol|n|) = {worst:.3g}"
    elif name == "jax":
        rng = np.random.RandomState(0)
        tangent = {k: np.asarray(rng.randn(*base[k].shape), dtype=np.float64) for k in names}
        cotangent = float(rng.randn())
        plus = float(loss({k: base[k] + CHECK_GRADS_EPS * tangent[k] for k in names}))
        minus = float(loss({k: base[k] - CHECK_GRADS_EPS * tangent[k] for k in names}))
        expected = (plus - minus) * (0.5 / CHECK_GRADS_EPS) * cotangent
        got = sum(float(np.sum(tangent[k] * np.asarray(grads[k]) * cotangent)) for k in names)
        caught = abs(got - expected) > CHECK_GRADS_TOL + CHECK_GRADS_TOL * abs(expected)
        detail = (f"check_grads' default rule in NumPy, not jax: projection {got:.10g} vs "
                  f"finite difference {expected:.10g}, |diff| {abs(got - expected):.3g}")
    else:
        raise ValueError(f"unknown anchor {name!r}; expected one of {ANCHORS}")
    return AnchorResult(name, bool(caught), time.perf_counter() - start, detail)


# -- the two real checkers ------------------------------------------------------------------------

def _import(name: str) -> Any:
    module = importlib.import_module(name)
    if name == "jax":
        module.config.update("jax_enable_x64", True)
        importlib.import_module("jax.test_util")
    else:
        importlib.import_module("torch.autograd")
    return module


def _torch_check(torch: Any, loss: Loss, claimed: Claimed, names: list[str],
                 arrays: list[np.ndarray]) -> tuple[bool, str]:
    def numpy_values(tensors: tuple[Any, ...]) -> Arrays:
        return {k: t.detach().numpy() for k, t in zip(names, tensors)}

    class ClaimedGradient(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, *tensors: Any) -> Any:
            ctx.save_for_backward(*tensors)
            return torch.tensor(float(loss(numpy_values(tensors))), dtype=torch.float64)

        @staticmethod
        def backward(ctx: Any, grad_output: Any) -> tuple[Any, ...]:
            grads = claimed(numpy_values(ctx.saved_tensors))
            return tuple(grad_output * torch.from_numpy(np.asarray(grads[k], dtype=np.float64)) for k in names)

    inputs = tuple(torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays)
    passed = torch.autograd.gradcheck(ClaimedGradient.apply, inputs, raise_exception=False, fast_mode=False)
    return not passed, f"torch.autograd.gradcheck returned {passed}"


def _jax_check(jax: Any, loss: Loss, claimed: Claimed, names: list[str],
               arrays: list[np.ndarray]) -> tuple[bool, str]:
    import jax.numpy as jnp
    from jax.test_util import check_grads

    scalar = jax.ShapeDtypeStruct((), jnp.float64)
    shapes = tuple(jax.ShapeDtypeStruct(a.shape, jnp.float64) for a in arrays)

    def numpy_loss(*xs: np.ndarray) -> np.ndarray:
        return np.asarray(loss(dict(zip(names, map(np.asarray, xs)))), dtype=np.float64)

    def numpy_claimed(*xs: np.ndarray) -> tuple[np.ndarray, ...]:
        grads = claimed(dict(zip(names, map(np.asarray, xs))))
        return tuple(np.asarray(grads[k], dtype=np.float64).reshape(a.shape) for k, a in zip(names, arrays))

    @jax.custom_vjp
    def f(*xs: Any) -> Any:
        return jax.pure_callback(numpy_loss, scalar, *xs)

    def f_fwd(*xs: Any) -> tuple[Any, tuple[Any, ...]]:
        return f(*xs), xs

    def f_bwd(xs: tuple[Any, ...], g: Any) -> tuple[Any, ...]:
        return tuple(g * d for d in jax.pure_callback(numpy_claimed, shapes, *xs))

    f.defvjp(f_fwd, f_bwd)
    try:
        check_grads(f, tuple(jnp.asarray(a) for a in arrays), order=1, modes=["rev"])
    except AssertionError as error:
        lines = [line.strip() for line in str(error).splitlines() if "difference" in line or "VJP" in line]
        return True, "jax.test_util.check_grads raised AssertionError: " + "; ".join(lines)
    return False, "jax.test_util.check_grads passed"


# -- demo -----------------------------------------------------------------------------------------

def _demo() -> None:
    """The question's network with hand-written gradients: correct, then one leaf perturbed."""
    Dx, H, Dy = 20, 15, 10
    rng = np.random.default_rng(0)
    # as shapetutor samples: each side of a matrix product scaled by (inner length) ** -1/4
    values = {"x": rng.standard_normal((1, Dx)) * Dx ** -0.25, "y": np.eye(Dy)[[rng.integers(Dy)]],
              "W1": rng.standard_normal((Dx, H)) * Dx ** -0.25, "b1": rng.standard_normal(H),
              "W2": rng.standard_normal((H, Dy)) * H ** -0.25, "b2": rng.standard_normal(Dy)}

    def forward(v: Arrays) -> tuple[np.ndarray, np.ndarray, float]:
        h = 1 / (1 + np.exp(-(v["x"] @ v["W1"] + v["b1"])))
        z2 = h @ v["W2"] + v["b2"]
        e = np.exp(z2 - z2.max())
        yhat = e / e.sum()
        return h, yhat, float(-np.sum(v["y"] * np.log(yhat)))

    def loss(v: Arrays) -> float:
        return forward(v)[2]

    def correct(v: Arrays) -> Arrays:
        h, yhat, _ = forward(v)
        d2 = yhat * v["y"].sum() - v["y"]                    # ∂J/∂z2, 1×Dy
        d1 = (d2 @ v["W2"].T) * h * (1 - h)                  # ∂J/∂z1, 1×H
        return {"x": d1 @ v["W1"].T, "y": -np.log(yhat), "W1": v["x"].T @ d1, "b1": d1[0],
                "W2": h.T @ d2, "b2": d2[0]}

    def perturbed(leaf: str, eps: float) -> Claimed:
        signs = np.random.default_rng(1).choice([-1.0, 1.0], size=values[leaf].shape)
        def claimed(v: Arrays) -> Arrays:  # each entry off by eps of itself, random signs
            g = correct(v)
            return {**g, leaf: g[leaf] + eps * np.abs(g[leaf]) * signs}
        return claimed

    versions = available()
    print("installed: " + ", ".join(f"{k} {v or 'not installed'}" for k, v in versions.items()))
    _print_defaults(versions)
    print(f"network: Dx={Dx}, H={H}, Dy={Dy}; {sum(a.size for a in values.values())} leaf entries "
          f"(x, y, W1, b1, W2, b2), all checked")
    cases: list[tuple[str, str, Claimed]] = [("correct", "-", correct)]
    cases += [(f"{eps:g}", leaf, perturbed(leaf, eps)) for leaf in ("W1", "b2") for eps in (1e-6, 1e-3, 1e-1)]
    warm = {name: run_anchor(name, loss, correct, values) for name in ANCHORS}
    print("first call (warm-up, correct gradients): " + ", ".join(
        f"{n} {r.seconds * 1000:.0f} ms" if r.ran else f"{n} n/a ({r.detail})" for n, r in warm.items()))
    print(f"\n{'claimed':>8} {'leaf':>4} | " + " | ".join(f"{n + ' (real)':>20} {n + ' (rule)':>18}" for n in ANCHORS))
    for label, leaf, claimed in cases:
        cells = []
        for name in ANCHORS:
            real = run_anchor(name, loss, claimed, values)
            rule = rule_fallback(name, loss, claimed, values)
            cells.append(f"{_verdict(real, leaf) if real.ran else 'n/a':>20} {_verdict(rule, leaf):>18}")
        print(f"{label:>8} {leaf:>4} | " + " | ".join(cells), flush=True)
    print("\n'real' runs the library's own checker ('n/a': not installed); 'rule' is rule_fallback, its "
          "default rule in NumPy on the same numbers.\nTimes are wall time per call, import and the "
          "first call's warm-up excluded. A perturbation is each entry of the leaf's gradient off by "
          "that fraction of itself, with random signs.")


def _verdict(result: AnchorResult, leaf: str) -> str:
    """'caught'/'missed' for a perturbed gradient, 'passed'/'FALSE ALARM' for a correct one."""
    word = ("FALSE ALARM" if result.caught else "passed") if leaf == "-" else ("caught" if result.caught else "missed")
    return f"{word} {result.seconds * 1000:6.0f} ms"


def _print_defaults(versions: dict[str, str | None]) -> None:
    """Show that the installed checkers' defaults are the ones rule_fallback assumes."""
    if versions["torch"]:
        import inspect
        import torch.autograd
        p = inspect.signature(torch.autograd.gradcheck).parameters
        print(f"torch.autograd.gradcheck defaults: eps={p['eps'].default}, atol={p['atol'].default}, "
              f"rtol={p['rtol'].default}, fast_mode={p['fast_mode'].default}")
    if versions["jax"]:
        try:
            from jax._src import public_test_util as jtu  # private: only to display the defaults
            print(f"jax.test_util.check_grads defaults: eps={jtu.EPS}, float64 tolerance="
                  f"{jtu.default_gradient_tolerance[np.dtype(np.float64)]}")
        except (ImportError, AttributeError, KeyError):
            print("jax.test_util.check_grads defaults: not readable in this version")


if __name__ == "__main__":
    _demo()
