"""shapetutor's benchmark: one command, a table of ratios against baselines run in the same invocation.

    python bench/run.py            # about two minutes on a 2-core machine
    python bench/run.py --quick    # fewer repetitions, for a smoke test

Every ratio is the median of paired runs (baseline, then the measured thing, back to back), so the
figures hold on a noisy machine. Nothing here is a test: the suite asserts correctness, this measures.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor.teach.derivation import derive  # noqa: E402
from tutor.engine.network import load  # noqa: E402
from tutor.engine.numeric import Evaluator, forward  # noqa: E402
from tutor.engine.sampling import sample  # noqa: E402
from tutor.engine.verify import TOLERANCE, check_draw  # noqa: E402

PY = sys.executable
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
ROWS: list[tuple[str, str, str, str]] = []  # (what, measured, target, verdict)


def row(what: str, measured: str, target: str = "", ok: bool | None = None) -> None:
    verdict = "" if ok is None else ("met" if ok else "NOT met")
    ROWS.append((what, measured, target, verdict))
    print(f"  {what}: {measured}" + (f"  (target {target}: {verdict})" if target else ""), flush=True)


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def paired_ratio(measured: list[str], baseline: list[str], pairs: int) -> tuple[float, float, float]:
    """Median of per-pair ratios, with the two medians, after one warm-up of each."""
    wall(baseline), wall(measured)
    base, meas = [], []
    for _ in range(pairs):
        base.append(wall(baseline))
        meas.append(wall(measured))
    ratios = [m / b for m, b in zip(meas, base)]
    return statistics.median(ratios), statistics.median(meas), statistics.median(base)


# -- cold start ---------------------------------------------------------------------------------

def cold_start(pairs: int) -> None:
    print("Cold start", flush=True)
    ratio, m, b = paired_ratio([PY, "-m", "tutor", "derive", "--json"],
                               [PY, "-c", "import numpy, rich.console, typer"], pairs)
    row("derive --json (default network) / import numpy, rich.console, typer",
        f"{ratio:.2f}x ({m * 1000:.0f} ms vs {b * 1000:.0f} ms)", "<= 1.5x", ratio <= 1.5)
    ratio, m, b = paired_ratio([PY, "-m", "tutor", "--help"], [PY, "-c", "import typer"], pairs)
    row("--help / import typer", f"{ratio:.2f}x ({m * 1000:.0f} ms vs {b * 1000:.0f} ms)", "<= 1.5x", ratio <= 1.5)
    out = subprocess.run([PY, "-X", "importtime", "-m", "tutor", "--help"], env=ENV, capture_output=True, text=True)
    imported = any(line.rstrip().endswith("| numpy") for line in out.stderr.splitlines())
    row("--help imports numpy", "yes" if imported else "no", "no", not imported)


# -- depth --------------------------------------------------------------------------------------

def mlp_source(layers: int) -> str:
    lines = ["X: [N, D]", "T: [N, D]"]
    lines += [f"W{i}: [D, D]\nb{i}: [D]" for i in range(layers)]
    prev = "X"
    for i in range(layers):
        lines.append(f"A{i} = tanh({prev} @ W{i} + b{i})")
        prev = f"A{i}"
    lines.append(f"J = sum(({prev} - T) ** 2) / N")
    return "\n".join(lines) + "\n"


def depth(pairs: int, folder: Path) -> None:
    print("Depth (tanh MLPs, derive with verification)", flush=True)
    paths = {}
    for layers in (10, 40, 80, 160):
        paths[layers] = folder / f"mlp{layers}.net"
        paths[layers].write_text(mlp_source(layers))
    ratio, m, b = paired_ratio([PY, "-m", "tutor", "derive", str(paths[80]), "--json"],
                               [PY, "-m", "tutor", "derive", str(paths[10]), "--json"], pairs)
    row("derive --json, 80 layers / 10 layers (start-up included)",
        f"{ratio:.2f}x ({m * 1000:.0f} ms vs {b * 1000:.0f} ms)", "<= 4x", ratio <= 4)
    inner, output, size = {}, {}, {}
    for layers, path in paths.items():
        net = load(str(path))
        times, writes = [], []
        for _ in range(7):
            gc.collect()  # a collection landing inside one run is noise, not cost
            start = time.perf_counter()
            result = derive(net)
            middle = time.perf_counter()
            text = json.dumps(result.to_json())
            times.append(middle - start)
            writes.append(time.perf_counter() - middle)
            assert result.verification.ok
        # the fastest of several runs: in-process times of tens of milliseconds are otherwise mostly noise
        inner[layers], output[layers], size[layers] = min(times), min(writes), len(text)
    row("in-process derive + verify, 10/40/80/160 layers",
        " / ".join(f"{inner[k] * 1000:.0f} ms" for k in inner))
    growth = inner[160] / inner[80]
    row("in-process derive + verify growth, 160 layers / 80 layers", f"{growth:.2f}x", "~2x (linear)",
        growth <= 2.6)
    row("--json output for 10/40/80/160 layers (every leaf's chain: grows with depth squared)",
        " / ".join(f"{size[k] // 1000} kB in {output[k] * 1000:.0f} ms" for k in size))


# -- width ---------------------------------------------------------------------------------------

WIDE = """
import resource, sys, time
sys.path.insert(0, {root!r})
from tutor.teach.derivation import derive
from tutor.engine.network import load
start = time.perf_counter()
result = derive(load(), {{"Dx": 4096, "H": 4096, "Dy": 1000}})
result.to_json()
elapsed = time.perf_counter() - start
assert result.verification.ok
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def width() -> None:
    print("Width (default network at Dx = H = 4096, Dy = 1000, with verification)", flush=True)
    out = subprocess.run([PY, "-c", WIDE.format(root=str(ROOT))], env=ENV, capture_output=True, text=True, check=True)
    seconds, peak_kb = out.stdout.split()
    peak_mb = int(peak_kb) / 1024
    row("peak resident memory (child process)", f"{peak_mb:.0f} MB", "< 1500 MB", peak_mb < 1500)
    row("derive + verify time", f"{float(seconds):.2f} s", "a few seconds", float(seconds) < 10)
    row("∂z1/∂W1 if materialized", f"{4096 * 4096 * 4096 * 8 / 1e9:.0f} GB (never built)")


# -- verification against the usual gradient checks ------------------------------------------------

def networks() -> dict[str, object]:
    out = {name: load(name) for name in ("default", "batch", "column", "vector", "mlp")}
    for path in sorted((ROOT / "tests" / "networks").glob("*.net")):
        out[path.stem] = load(str(path))
    return out


def fd_gradient(net, leaves, bindings, leaf, eps=1e-6):
    base = np.array(leaves[leaf], dtype=float)
    grad = np.zeros(base.shape)
    for index in np.ndindex(*base.shape):
        vals = []
        for sign in (1, -1):
            bumped = base.copy()
            bumped[index] += sign * eps
            vals.append(forward(net.definitions, {**leaves, leaf: bumped}, bindings)[net.loss])
        grad[index] = (vals[0] - vals[1]) / (2 * eps)
    return grad


def perturb(g: np.ndarray, eps: float, rng) -> np.ndarray:
    """Each entry off by eps of itself, with a random sign: a relative perturbation of size eps."""
    return g + eps * np.abs(g) * rng.choice([-1.0, 1.0], size=np.shape(g))


def ours_catches(net, leaves, grads, leaf, bad, bindings, rng) -> bool:
    """shapetutor's check at one draw of values (derive uses two), the draw the other rules get too."""
    error, _ = check_draw(net, leaves, {**grads, leaf: bad}, bindings, rng)
    return error > TOLERANCE


def gradcheck_catches(bad, numeric) -> bool:
    """torch.autograd.gradcheck's rule with its default tolerances (atol 1e-5, rtol 1e-3), per entry."""
    return bool(np.any(np.abs(bad - numeric) > 1e-5 + 1e-3 * np.abs(numeric)))


def check_grads_catches(net, leaves, bad, leaf, bindings, rng) -> bool:
    """jax.test_util.check_grads' rule in float64: a finite-difference directional derivative
    (eps 1e-4) against the claimed one, atol = rtol = 1e-5."""
    u = rng.standard_normal(np.shape(bad))
    u /= np.linalg.norm(u) or 1.0
    eps = 1e-4
    plus = forward(net.definitions, {**leaves, leaf: leaves[leaf] + eps * u}, bindings)[net.loss]
    minus = forward(net.definitions, {**leaves, leaf: leaves[leaf] - eps * u}, bindings)[net.loss]
    fd = (plus - minus) / (2 * eps)
    ad = float(np.sum(bad * u))
    return abs(ad - fd) > 1e-5 + 1e-5 * abs(fd)


def verification(seeds: int) -> None:
    print("Verification: which relative perturbations of a correct gradient are caught", flush=True)
    nets = networks()
    caught = {(who, eps): [0, 0] for who in ("shapetutor", "gradcheck rule", "check_grads rule")
              for eps in (1e-6, 1e-4, 1e-2)}
    alarms = trials = 0
    params = 0
    for name, net in nets.items():
        bindings = net.bindings()
        result = derive(net, bindings)
        for seed in range(seeds):
            rng = np.random.default_rng(seed)
            leaves, values = sample(net, bindings, rng)
            ev = Evaluator(values, bindings)
            grads = {k: np.broadcast_to(np.asarray(ev(g.formula), dtype=float), np.shape(leaves[k])).copy()
                     for k, g in result.gradients.items()}
            trials += 1
            alarms += check_draw(net, leaves, grads, bindings, rng)[0] > TOLERANCE
            if seed:
                continue  # the perturbation table uses one draw per network; false alarms use them all
            for leaf, g in grads.items():
                if not np.any(g):
                    continue
                numeric = fd_gradient(net, leaves, bindings, leaf)
                params += g.size
                for eps in (1e-6, 1e-4, 1e-2):
                    bad = perturb(g, eps, rng)
                    for who, hit in (("shapetutor", ours_catches(net, leaves, grads, leaf, bad, bindings, rng)),
                                     ("gradcheck rule", gradcheck_catches(bad, numeric)),
                                     ("check_grads rule", check_grads_catches(net, leaves, bad, leaf, bindings, rng))):
                        caught[who, eps][0] += hit
                        caught[who, eps][1] += 1
    for who in ("shapetutor", "gradcheck rule", "check_grads rule"):
        row(f"{who}: perturbations caught at 1e-6 / 1e-4 / 1e-2",
            " / ".join(f"{caught[who, e][0]}/{caught[who, e][1]}" for e in (1e-6, 1e-4, 1e-2)),
            "all at 1e-6" if who == "shapetutor" else "",
            (caught[who, 1e-6][0] == caught[who, 1e-6][1]) if who == "shapetutor" else None)
    row(f"shapetutor false alarms on correct gradients ({len(nets)} networks x {seeds} draws)",
        f"{alarms}/{trials}", "0", alarms == 0)
    row("cost in forward passes per check",
        f"shapetutor 4 (2 draws x 1 real + 1 complex, for every leaf at once); gradcheck rule "
        f"{2 * params} (2 per parameter entry, {params} entries over these networks); check_grads rule 4 per leaf")
    for module in ("torch", "jax"):
        try:
            __import__(module)
            row(f"{module} installed", "yes: the rules above match its defaults")
        except ImportError:
            row(f"{module} installed", "no: its default tolerance rule is applied to the same numbers instead")


# -- the limit: one hand-written NumPy forward and backward pass ------------------------------------

def by_hand(x, y, W1, b1, W2, b2):
    z1 = x @ W1 + b1
    h = 1 / (1 + np.exp(-z1))
    z2 = h @ W2 + b2
    e = np.exp(z2 - z2.max(axis=-1, keepdims=True))
    yhat = e / e.sum(axis=-1, keepdims=True)
    loss = -np.sum(y * np.log(yhat))
    dz2 = yhat - y
    dW2 = h.T @ dz2
    dh = dz2 @ W2.T
    dz1 = dh * h * (1 - h)
    return loss, x.T @ dz1, dz1.sum(axis=0), dW2, dz2.sum(axis=0), dz1 @ W1.T


def limit(pairs: int) -> None:
    print("The limit: derive + verify against one hand-written forward + backward pass", flush=True)
    dims = {"Dx": 1024, "H": 1024, "Dy": 100}
    net = load()
    leaves, _ = sample(net, net.bindings(dims), np.random.default_rng(0))
    ratios = []
    for _ in range(pairs):
        start = time.perf_counter()
        by_hand(*(leaves[k] for k in ("x", "y", "W1", "b1", "W2", "b2")))
        base = time.perf_counter() - start
        start = time.perf_counter()
        derive(net, dims)
        ratios.append((time.perf_counter() - start) / base)
    row("derive + verify / hand-written NumPy forward+backward (default net, Dx = H = 1024, Dy = 100)",
        f"{statistics.median(ratios):.1f}x")


# -- batched attention ---------------------------------------------------------------------------

ATTENTION_DIMS = {"B": 8, "T": 128, "E": 512, "h": 8, "d": 64}


def attention_by_hand(X, Wq, Wk, Wv, Wo, Yt, B, T, E, h, d):
    """The bundled `attention` network's forward and backward pass, written out in NumPy."""
    def heads(M):
        return (X @ M).reshape(B, T, h, d).transpose(0, 2, 1, 3)
    Qh, Kh, Vh = heads(Wq), heads(Wk), heads(Wv)
    S = Qh @ Kh.swapaxes(-1, -2) / np.sqrt(d)
    e = np.exp(S - S.max(axis=-1, keepdims=True))
    A = e / e.sum(axis=-1, keepdims=True)
    O = A @ Vh
    Om = O.transpose(0, 2, 1, 3).reshape(B, T, h * d)
    Y = X + Om @ Wo
    loss = np.mean((Y - Yt) ** 2)
    dY = 2 * (Y - Yt) / Y.size
    dWo = Om.reshape(B * T, h * d).T @ dY.reshape(B * T, E)
    dO = (dY @ Wo.T).reshape(B, T, h, d).transpose(0, 2, 1, 3)
    dA = dO @ Vh.swapaxes(-1, -2)
    dVh = A.swapaxes(-1, -2) @ dO
    dS = A * (dA - np.sum(dA * A, axis=-1, keepdims=True)) / np.sqrt(d)
    dQh, dKh = dS @ Kh, dS.swapaxes(-1, -2) @ Qh
    flat = X.reshape(B * T, E)
    grads = {}
    for name, g, W in (("Wq", dQh, Wq), ("Wk", dKh, Wk), ("Wv", dVh, Wv)):
        g = g.transpose(0, 2, 1, 3).reshape(B * T, h * d)
        grads[name], grads["X" + name] = flat.T @ g, g @ W.T
    dX = dY + (grads.pop("XWq") + grads.pop("XWk") + grads.pop("XWv")).reshape(B, T, E)
    return loss, dX, grads, dWo, -dY


def attention(pairs: int) -> None:
    print(f"Batched attention ({', '.join(f'{k}={v}' for k, v in ATTENTION_DIMS.items())}), with verification",
          flush=True)
    net = load("attention")
    leaves, _ = sample(net, net.bindings(ATTENTION_DIMS), np.random.default_rng(0))
    names = ("X", "Wq", "Wk", "Wv", "Wo", "Yt")
    ratios, took = [], []
    for _ in range(pairs):
        gc.collect()
        start = time.perf_counter()
        attention_by_hand(*(leaves[k] for k in names), **ATTENTION_DIMS)
        base = time.perf_counter() - start
        start = time.perf_counter()
        result = derive(net, ATTENTION_DIMS)
        took.append(time.perf_counter() - start)
        assert result.verification.ok
        ratios.append(took[-1] / base)
    row("derive + verify / hand-written NumPy forward+backward (attention, B=8, T=128, E=512, 8 heads)",
        f"{statistics.median(ratios):.1f}x ({statistics.median(took):.1f} s)")
    jacobian = 8 * 128 * 8 * 64 * 512 * 512 * 8 / 1e9
    row("∂Q/∂Wq if materialized", f"{jacobian:.0f} GB (never built)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    pairs = 3 if args.quick else 9
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}, {platform.platform()}", flush=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        cold_start(pairs)
        depth(max(3, pairs // 2), Path(folder))
        width()
        verification(seeds=5 if args.quick else 20)
        limit(pairs)
        attention(max(3, pairs // 3))
    print("\n| measurement | result | target | |\n|---|---|---|---|")
    for what, measured, target, verdict in ROWS:
        print(f"| {what} | {measured} | {target} | {verdict} |")
    print(f"\ntotal benchmark time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
