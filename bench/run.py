"""shapetutor's benchmark: one command, a table of ratios against baselines run in the same invocation.

    python bench/run.py            # about ten minutes on a 2-core machine
    python bench/run.py --quick    # fewer repetitions and networks, for a smoke test
    python bench/run.py --only learner,output,transformer   # some sections

Every ratio is the median of paired runs (baseline, then the measured thing, back to back), so the
figures hold on a noisy machine. The realistic sizes compare `shapetutor derive` with the
hand-written NumPy passes of bench/by_hand.py as whole processes; the verification compares
shapetutor's check with the real `torch.autograd.gradcheck` and `jax.test_util.check_grads` when
they are installed (`pip install ".[bench]"`), and with their documented rules when they are not
(bench/anchors.py). Nothing here is a test: the suite asserts correctness, this measures.
"""
from __future__ import annotations

import argparse
import gc
import json
import math
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
from tutor.engine.language.network import load  # noqa: E402
from tutor.engine.numbers.numeric import Evaluator, forward  # noqa: E402
from tutor.engine.numbers.sampling import sample  # noqa: E402
from tutor.engine.numbers.verify import TOLERANCE, check_draw, verify  # noqa: E402

PY = sys.executable
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
# An installed shapetutor has its bytecode compiled (pip does it): measured without it, every command
# would also pay for compiling the package's sources, which no user does twice.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
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


# -- what a learner waits for, in CPU time ----------------------------------------------------------

FLOOR = [PY, "-c", "import numpy, rich.console, typer"]
SEED_CHECK = ["check", "default", "--wrt", "W1", "(yhat - y) @ W2.T * h * (1 - h) @ x"]


def cpu(cmd: list[str], stdin: str | None = None) -> float:
    """CPU seconds (user + system) of a whole child process: unlike wall time, a loaded machine does
    not inflate it."""
    child = subprocess.Popen(cmd, env=ENV, cwd=ROOT, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if stdin is not None:
        child.stdin.write(stdin.encode())
        child.stdin.close()
    _, _, usage = os.wait4(child.pid, 0)
    return usage.ru_utime + usage.ru_stime


def cpu_to_first_prompt(cmd: list[str]) -> float:
    """CPU seconds of a command run in a terminal (a pseudo-terminal) until it first asks something,
    then given end-of-input, which ends a walk cleanly: what a learner waits for before the first
    screen is up, plus the exit."""
    import pty
    import select
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, its streams on the terminal
        os.chdir(ROOT)
        os.execve(cmd[0], cmd, ENV)
    seen = b""
    try:
        while not seen.rstrip(b" ").endswith(b":"):  # every prompt of a walk ends with ": "
            if not select.select([fd], [], [], 60)[0]:
                raise RuntimeError(f"{' '.join(cmd)} asked nothing in a minute")
            seen += os.read(fd, 1 << 16)
        os.write(fd, b"\x04")  # Ctrl-D: end of input
        while os.read(fd, 1 << 16):
            pass
    except OSError:  # the terminal closed: the command has ended
        pass
    _, _, usage = os.wait4(pid, 0)
    os.close(fd)
    return usage.ru_utime + usage.ru_stime


def paired_cpu(measured: list[str], baseline: list[str], pairs: int, measure=cpu) -> tuple[float, float, float]:
    """Median of per-pair CPU ratios, with the two medians, after one warm-up of each."""
    cpu(baseline), measure(measured)
    runs = [(cpu(baseline), measure(measured)) for _ in range(pairs)]
    return (statistics.median(m / b for b, m in runs), statistics.median(m for _, m in runs),
            statistics.median(b for b, _ in runs))


def learner_commands(pairs: int) -> None:
    print("What a learner runs, in CPU time against the import floor (import numpy, rich.console, typer)",
          flush=True)
    commands = {"derive (text)": ["derive"], "derive --json": ["derive", "--json"],
                "check on the question's derivation": SEED_CHECK,
                "walk to its first screen, in a terminal": ["walk", "--wrt", "b2"]}
    commands.update({f"derive {name}": ["derive", name] for name in
                     ("batch", "column", "vector", "mlp", "cs231n", "attention", "conv1d", "embedding")})
    worst = 0.0
    for what, args in commands.items():
        measure = cpu_to_first_prompt if what.startswith("walk") else cpu
        ratio, m, b = paired_cpu([PY, "-m", "tutor", *args], FLOOR, pairs, measure)
        worst = max(worst, ratio)
        row(f"{what} / floor (CPU)", f"{ratio:.2f}x ({m * 1000:.0f} ms vs {b * 1000:.0f} ms)", "<= 1.3x", ratio <= 1.3)
    row("worst learner command / floor (CPU)", f"{worst:.2f}x", "<= 1.3x", worst <= 1.3)
    # Not a learner's wait (every stage with its answer, as a handout or a pipe gets it), shown for scale
    ratio, m, b = paired_cpu([PY, "-m", "tutor", "walk", "--no-input", "--wrt", "b2"], FLOOR, pairs)
    row("the whole walk without input (--no-input) / floor (CPU)", f"{ratio:.2f}x ({m * 1000:.0f} ms vs {b * 1000:.0f} ms)")


# -- a transformer: every leaf of a 12-block pre-LayerNorm network -------------------------------------

def transformer_source(blocks: int) -> str:
    """A pre-LayerNorm transformer in the network language: per block a layer norm, single-head
    attention with a residual, a layer norm and a GELU MLP with a residual (12 leaves a block)."""
    lines = ["X: [B, T, E]", "Yt: [B, T, E]"]
    for i in range(blocks):
        lines += [f"g1_{i}: [E]", f"be1_{i}: [E]", f"Wq{i}: [E, E]", f"Wk{i}: [E, E]", f"Wv{i}: [E, E]",
                  f"Wo{i}: [E, E]", f"g2_{i}: [E]", f"be2_{i}: [E]", f"W1_{i}: [E, F]", f"b1_{i}: [F]",
                  f"W2_{i}: [F, E]", f"b2_{i}: [E]"]
    h = "X"
    for i in range(blocks):
        lines += [
            f"m1_{i} = mean({h}, axis=-1, keepdims=True)",
            f"c1_{i} = {h} - m1_{i}",
            f"v1_{i} = mean(c1_{i} ** 2, axis=-1, keepdims=True)",
            f"n1_{i} = c1_{i} / sqrt(v1_{i} + 0.00001) * g1_{i} + be1_{i}",
            f"Q{i} = n1_{i} @ Wq{i}",
            f"K{i} = n1_{i} @ Wk{i}",
            f"V{i} = n1_{i} @ Wv{i}",
            f"A{i} = softmax(Q{i} @ swapaxes(K{i}, -1, -2) / sqrt(E), axis=-1)",
            f"R{i} = {h} + (A{i} @ V{i}) @ Wo{i}",
            f"m2_{i} = mean(R{i}, axis=-1, keepdims=True)",
            f"c2_{i} = R{i} - m2_{i}",
            f"v2_{i} = mean(c2_{i} ** 2, axis=-1, keepdims=True)",
            f"n2_{i} = c2_{i} / sqrt(v2_{i} + 0.00001) * g2_{i} + be2_{i}",
            f"U{i} = gelu(n2_{i} @ W1_{i} + b1_{i})",
            f"H{i} = R{i} + U{i} @ W2_{i} + b2_{i}",
        ]
        h = f"H{i}"
    lines.append(f"J = mean(({h} - Yt) ** 2)")
    return "\n".join(lines) + "\n"


def transformer(pairs: int, folder: Path) -> None:
    print("A 12-block pre-LayerNorm transformer: derive every leaf, text output, verified", flush=True)
    path = folder / "transformer.net"
    path.write_text(transformer_source(12))
    net = load(str(path))
    row("transformer: leaves, definitions", f"{len(net.leaves)}, {len(net.definitions)}")
    ratio, m, b = paired_cpu([PY, "-m", "tutor", "derive", str(path)], FLOOR, pairs)
    row("transformer derive (text, every leaf, verified) / floor (CPU)",
        f"{ratio:.1f}x ({m:.1f} s vs {b * 1000:.0f} ms)", "<= 20x", ratio <= 20)
    data = json.loads(subprocess.run([PY, "-m", "tutor", "derive", str(path), "--json"], env=ENV, cwd=ROOT,
                                     capture_output=True, text=True, check=True).stdout)
    gradients = data["gradients"].values()
    missing = sum(g["formula"] is None for g in gradients)
    long = [g for g in gradients if g["formula"] is None or len(g["formula"]) > 80]
    stepped = sum(bool(g["steps"]) for g in long)
    longest = max((len(s["formula"]) for g in gradients for s in g["steps"]), default=0)
    # SPEC §5 writes a formula in the network's names only, so one that repeats a block's gradient
    # 3^k times is null: its steps, which name what they reuse, are the readable form
    row("transformer: formulas too long to print (null), as SPEC §5 allows", f"{missing}/{len(data['gradients'])}")
    row("transformer: gradients longer than a line written as steps",
        f"{stepped}/{len(long)}, longest step {longest} characters", "all, each step <= 120 characters",
        stepped == len(long) and longest <= 120)
    row("transformer: verified", str(data["verification"]["verified"]), "True", data["verification"]["verified"] is True)


def growth_exponent(sizes: dict[int, float]) -> float:
    """log(cost at the deepest / cost at the shallowest) / log(depth ratio): 1 is linear, 2 quadratic."""
    lo, hi = min(sizes), max(sizes)
    return math.log(sizes[hi] / sizes[lo]) / math.log(hi / lo)


def written(source: str, as_json: bool) -> int:
    """What `derive --no-verify` does once its modules are loaded: read the network, derive, write the text
    (as the command draws it, 100 columns) or the JSON; the characters written."""
    from io import StringIO
    from rich.console import Console
    from tutor.engine.language.network import parse_network
    from tutor.front.json_text import indented
    from tutor.front.look import Look
    from tutor.front.render import derivation_view
    result = derive(parse_network(source), check=False)
    if as_json:
        return len(indented(result.to_json()))
    out = Console(file=StringIO(), width=100, color_system=None)
    out.print(derivation_view(result, Look(), "numerator"))
    return len(out.file.getvalue())


def output_growth(folder: Path, depths: tuple[int, ...]) -> None:
    print(f"Output against depth (tanh MLPs, {depths[0]} -> {depths[-1]} layers): CPU of the work, of the whole "
          "command, and bytes written", flush=True)
    for what, as_json in (("text", False), ("--json", True)):
        # The work alone, in this process: the start-up every command pays is the same at every depth, and
        # subtracting a floor measured beside it leaves tens of milliseconds of noise at 10 layers (more for
        # --json, which imports less than the floor does: rich's console is not needed to write JSON).
        written(mlp_source(depths[0]), as_json)   # modules and first-use caches paid before anything is timed
        work = {}
        for layers in depths:
            source = mlp_source(layers)
            runs = []
            for _ in range(5 if layers < 80 else 3):
                gc.collect()
                start = time.process_time()
                written(source, as_json)
                runs.append(time.process_time() - start)
            work[layers] = min(runs)
        span = f"{depths[0]} -> {depths[-1]}"
        row(f"derive {what}: CPU of the work (read, derive, write), {'/'.join(map(str, depths))} layers",
            " / ".join(f"{work[k] * 1000:.0f} ms" for k in depths))
        row(f"derive {what}: growth exponent of the work's CPU, depth {span}", f"{growth_exponent(work):.2f}",
            "<= 1.1", growth_exponent(work) <= 1.1)
    for what, extra in (("text", []), ("--json", ["--json"])):
        seconds, size = {}, {}
        for layers in depths:
            path = folder / f"mlp{layers}.net"
            path.write_text(mlp_source(layers))
            cmd = [PY, "-m", "tutor", "derive", str(path), "--no-verify", *extra]
            # the least of five of each: CPU time only grows with a neighbour's load (caches, a busy core)
            seconds[layers] = min(cpu(cmd) for _ in range(5)) - min(cpu(FLOOR) for _ in range(5))
            size[layers] = len(subprocess.run(cmd, env=ENV, cwd=ROOT, capture_output=True, check=True).stdout)
        span = f"{depths[0]} -> {depths[-1]}"
        row(f"derive {what}: CPU above the floor for {'/'.join(map(str, depths))} layers",
            " / ".join(f"{seconds[k] * 1000:.0f} ms" for k in depths))
        row(f"derive {what}: growth exponent of the whole command's CPU above the floor, depth {span}",
            f"{growth_exponent(seconds):.2f}" if min(seconds.values()) > 0 else "(below the floor at the start)")
        row(f"derive {what}: output for {'/'.join(map(str, depths))} layers; growth exponent",
            " / ".join(f"{size[k] // 1000} kB" for k in depths) + f"; {growth_exponent(size):.2f}",
            "<= 1.1", growth_exponent(size) <= 1.1)


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


# -- realistic sizes: derive + verify against a hand-written pass of the same network ----------------

#: name → (network, dimensions); bench/by_hand.py has the hand-written pass of each
REALISTIC = {
    "batchnorm": ("bench/networks/batchnorm.net", {"N": 4096, "D": 4096}),
    "lstm": ("bench/networks/lstm.net", {"N": 512, "D": 1024, "H": 1024}),
    "question": ("default", {"Dx": 4096, "H": 4096, "Dy": 1000}),
    "attention": ("attention", {"B": 8, "T": 128, "E": 512, "h": 8, "d": 64}),
}
#: the sizes the issue sets a target at; the others are measured beside them
TARGETED = ("batchnorm", "lstm", "question")


def dims_text(dims: dict[str, int]) -> str:
    return ",".join(f"{k}={v}" for k, v in dims.items())


def process(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of a whole child process."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, env=ENV, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if status:
        raise RuntimeError(f"{' '.join(cmd)} failed: {child.stderr.read().decode()}")
    child.stderr.close()
    return seconds, usage.ru_maxrss / 1024


def realistic(pairs: int) -> None:
    print("Realistic sizes: derive + verify / a hand-written NumPy forward + backward (whole processes)", flush=True)
    for name, (spec, dims) in REALISTIC.items():
        hand_cmd = [PY, str(ROOT / "bench" / "by_hand.py"), name, dims_text(dims)]
        derive_cmd = [PY, "-m", "tutor", "derive", spec, "--dims", dims_text(dims), "--json"]
        process(hand_cmd)  # warm the file cache once
        runs = [(process(hand_cmd), process(derive_cmd)) for _ in range(pairs)]
        time_ratio = statistics.median(d[0] / h[0] for h, d in runs)
        memory_ratio = statistics.median(d[1] / h[1] for h, d in runs)
        hand_s, hand_mb = (statistics.median(h[i] for h, _ in runs) for i in (0, 1))
        ours_s, ours_mb = (statistics.median(d[i] for _, d in runs) for i in (0, 1))
        targeted = name in TARGETED
        row(f"{name} ({dims_text(dims)}): time", f"{time_ratio:.2f}x ({ours_s:.2f} s vs {hand_s:.2f} s)",
            "<= 4x" if targeted else "", time_ratio <= 4 if targeted else None)
        row(f"{name} ({dims_text(dims)}): peak memory", f"{memory_ratio:.2f}x ({ours_mb:.0f} MB vs {hand_mb:.0f} MB)",
            "<= 2.5x" if targeted else "", memory_ratio <= 2.5 if targeted else None)
    row("∂z1/∂W1 of the question's network at these sizes, if materialized", f"{4096 ** 3 * 8 / 1e9:.0f} GB (never built)")
    row("∂Q/∂Wq of attention at these sizes, if materialized", f"{8 * 128 * 8 * 64 * 512 * 512 * 8 / 1e9:.0f} GB "
        "(never built)")


#: The realistic networks and, beside them, the two-layer MLPs of the budget's complaint (N=4096, D=H=2048)
BUDGET = {**REALISTIC, "batch": ("batch", {"N": 4096, "Dx": 2048, "H": 2048, "Dy": 2048}),
          "mlp": ("mlp", {"N": 4096, "Dx": 2048, "H": 2048, "Dy": 10})}


def budget_child(name: str) -> None:
    """(Child process.) One draw of the check at the realistic size: the budget's estimate of its CPU
    time, and the CPU time it took (the least of three: a neighbour's burst is not the check's cost)."""
    from tutor.engine.numbers.verify import Checker, check_estimate
    spec, dims = BUDGET[name]
    net = load(str(ROOT / spec) if "/" in spec else spec)
    checker = Checker(net, {k: g.formula for k, g in derive(net, dims, check=False).gradients.items()})
    _, estimate = check_estimate(checker, dims, draws=1)
    taken = []
    for seed in range(3):
        start = time.process_time()
        checker.draw(dims, np.random.default_rng(seed), locate=False)
        taken.append(time.process_time() - start)
    print(json.dumps({"estimate": estimate, "measured": min(taken)}))


def budget(names: list[str]) -> None:
    print("The check's budget: its estimate of one draw at the realistic sizes against the CPU time it takes",
          flush=True)
    worst = 1.0
    for name in names:
        run = subprocess.run([PY, str(Path(__file__).resolve()), "--child-budget", name], env=ENV, cwd=ROOT,
                             capture_output=True, text=True)
        if run.returncode:
            raise RuntimeError(f"--child-budget {name} failed: {run.stderr}")
        found = json.loads(run.stdout)
        ratio = found["estimate"] / found["measured"]
        worst = max(worst, ratio, 1 / ratio)
        row(f"budget, {name} ({dims_text(BUDGET[name][1])}): estimate / measured CPU of one draw",
            f"{ratio:.2f}x ({found['estimate']:.2f} s vs {found['measured']:.2f} s)", "within 1.5x",
            1 / 1.5 <= ratio <= 1.5)
    row("budget: worst estimate / measured, either way", f"{worst:.2f}x", "<= 1.5x", worst <= 1.5)


def catch_at_size(name: str) -> None:
    """(Child process.) At the realistic size, one draw of values; each leaf's gradient off by 1e-6 of
    itself with random signs, given to shapetutor's check and, when jax is installed, to the real
    check_grads; prints JSON with what each concluded and how long a check took."""
    sys.path.insert(0, str(ROOT / "bench"))
    from anchors import available, run_anchor
    from tutor.engine.numbers.verify import Checker, Direction, Terms, against_direction
    spec, dims = REALISTIC[name]
    net = load(str(ROOT / spec) if "/" in spec else spec)
    result = derive(net, dims, check=False)
    rng = np.random.default_rng(1)
    leaves, values = sample(net, dims, rng)
    ev = Evaluator(values, dims)
    grads = {k: np.broadcast_to(np.asarray(ev(g.formula), dtype=float), np.shape(leaves[k]))
             for k, g in result.gradients.items()}
    del values, ev
    checker = Checker(net, {})
    directions = {k: Direction(int(s), np.size(g)) for k, s, g in zip(grads, rng.integers(2**63, size=len(grads)),
                                                                        grads.values())}
    correct = {k: against_direction(np.shape(g), g, directions[k]) for k, g in grads.items()}

    def terms(**replaced) -> dict:
        return {k: Terms(*replaced.get(k, correct[k]), directions[k]) for k in grads}

    jax = bool(available()["jax"])
    arrays = {k: leaves[k] for k in grads}
    largest = max(grads, key=lambda k: np.size(grads[k]))

    def loss(v: dict) -> float:
        return float(np.real(forward(net.definitions, {**leaves, **v}, dims)[net.loss]))

    def anchor(claimed: dict) -> tuple[bool, float]:
        found = run_anchor("jax", loss, lambda _: claimed, arrays)  # the claims are made at these values
        return found.caught, found.seconds

    start = time.perf_counter()
    out = {"correct": checker.judge(leaves, dims, terms(), locate=False).error,
           "seconds": time.perf_counter() - start, "perturbed": {}, "jax": None}
    if jax:
        out["jax"] = {"correct": anchor(grads), "perturbed": {}}
    for leaf, g in grads.items():
        bad = perturb(g, 1e-6, rng)
        out["perturbed"][leaf] = checker.judge(leaves, dims, terms(**{leaf: against_direction(np.shape(g), bad,
                                                                                             directions[leaf])}),
                                               locate=False).error
        if jax and leaf == largest:  # check_grads takes seconds at these sizes: the largest leaf only
            out["jax"]["perturbed"][leaf] = anchor({**grads, leaf: bad})
        del bad
    out["entries"] = int(sum(np.size(g) for g in grads.values()))
    print(json.dumps(out))


def catch_realistic(names: list[str]) -> None:
    print("Realistic sizes: a 1e-6 relative error in each leaf, checked at one draw", flush=True)
    for name in names:
        run = subprocess.run([PY, str(Path(__file__).resolve()), "--child-catch", name], env=ENV, cwd=ROOT,
                             capture_output=True, text=True)
        if run.returncode:
            raise RuntimeError(f"--child-catch {name} failed: {run.stderr}")
        found = json.loads(run.stdout)
        errors = found["perturbed"]
        caught = sum(e > TOLERANCE for e in errors.values())
        row(f"{name}: shapetutor, leaves whose 1e-6 error is caught; weakest catch / tolerance; correct gradients; "
            "time per check",
            f"{caught}/{len(errors)}; {min(errors.values()) / TOLERANCE:.0f}x; error {found['correct']:.1e} "
            f"({'false alarm' if found['correct'] > TOLERANCE else 'no alarm'}); {found['seconds']:.1f} s",
            "all, no alarm", caught == len(errors) and found["correct"] <= TOLERANCE)
        if found["jax"]:
            jax = found["jax"]
            hits = sum(hit for hit, _ in jax["perturbed"].values())
            seconds = statistics.median(t for _, t in jax["perturbed"].values())
            (leaf,) = jax["perturbed"]
            row(f"{name}: jax.test_util.check_grads (the real check), 1e-6 error in the largest leaf; correct "
                "gradients; time per check",
                f"{leaf}: {'caught' if hits else 'missed'}; {'false alarm' if jax['correct'][0] else 'no alarm'}; "
                f"{seconds:.1f} s")
        else:
            row(f"{name}: jax.test_util.check_grads", "jax not installed: not run at this size")
        row(f"{name}: torch.autograd.gradcheck at this size", f"not run: 2 forward passes per leaf entry, "
            f"{2 * found['entries']:,} passes")


# -- verification against the real gradient checkers ------------------------------------------------

def networks(wide: bool = False) -> dict[str, object]:
    """The bundled examples, the test suite's networks and the benchmark's; with `wide`, also every
    network of the teachers' catalogue that this version reads."""
    out = {name: load(name) for name in ("default", "batch", "column", "vector", "mlp")}
    for folder in (ROOT / "tests" / "networks", ROOT / "bench" / "networks"):
        for path in sorted(folder.glob("*.net")):
            out[path.stem] = load(str(path))
    if wide:
        sys.path.insert(0, str(ROOT / "tests"))
        from catalogue import teacher_formulas
        from tutor.engine.errors import TutorError
        from tutor.engine.language.network import parse_network
        for ref in teacher_formulas.REFERENCES:
            if ref.network not in (getattr(n, "source", None) for n in out.values()):
                try:
                    out[ref.id.rsplit("-", 1)[0]] = parse_network(ref.network)
                except TutorError:
                    pass  # a form this version of the language does not read yet
    return out


def perturb(g: np.ndarray, eps: float, rng) -> np.ndarray:
    """Each entry off by eps of itself, with a random sign: a relative perturbation of size eps."""
    return g + eps * np.abs(g) * rng.choice([-1.0, 1.0], size=np.shape(g))


def gradients_at(net, formulas, bindings, shapes):
    """The derived gradients, evaluated at any values of the leaves."""
    def claimed(v: dict) -> dict:
        ev = Evaluator(forward(net.definitions, v, bindings), bindings)
        return {k: np.broadcast_to(np.asarray(ev(f), dtype=float), shapes[k]).copy() for k, f in formulas.items()}
    return claimed


CHECKERS = ("shapetutor", "torch", "jax")
LABEL = {"shapetutor": "shapetutor", "torch": "torch.autograd.gradcheck", "jax": "jax.test_util.check_grads"}


def verification(seeds: int, wide_seeds: int, quick: bool) -> None:
    print("Verification: which relative perturbations of a correct gradient each checker catches", flush=True)
    sys.path.insert(0, str(ROOT / "bench"))
    from anchors import available, rule_fallback, run_anchor
    installed = available()
    real = {name: bool(installed[name]) for name in ("torch", "jax")}
    nets = networks()
    if quick:
        nets = dict(list(nets.items())[:6])
    epsilons = (1e-6, 1e-4, 1e-2)
    caught = {(who, eps): [0, 0] for who in CHECKERS for eps in epsilons}
    alarms = {who: 0 for who in CHECKERS}
    seconds = {who: [] for who in CHECKERS}
    entries = leaves_checked = 0
    for name, net in nets.items():
        bindings = net.bindings()
        formulas = {k: g.formula for k, g in derive(net, bindings, check=False).gradients.items()}
        rng = np.random.default_rng(0)
        leaves, _ = sample(net, bindings, rng)
        values = {k: leaves[k] for k in formulas}
        shapes = {k: np.shape(leaves[k]) for k in formulas}
        correct = gradients_at(net, formulas, bindings, shapes)
        grads = correct(leaves)

        def loss(v: dict, _net=net, _bindings=bindings, _leaves=leaves) -> float:
            return float(np.real(forward(_net.definitions, {**_leaves, **v}, _bindings)[_net.loss]))

        cases = [(None, 0.0)] + [(leaf, eps) for leaf, g in grads.items() if np.any(g) for eps in epsilons]
        entries += sum(np.size(g) for g in grads.values())
        leaves_checked += len(grads)
        for leaf, eps in cases:
            signs = rng.choice([-1.0, 1.0], size=shapes[leaf]) if leaf else None

            def claimed(v: dict, _leaf=leaf, _eps=eps, _signs=signs) -> dict:
                g = correct({**leaves, **v})
                if _leaf is not None:
                    g[_leaf] = g[_leaf] + _eps * np.abs(g[_leaf]) * _signs
                return g

            start = time.perf_counter()
            verdicts = {"shapetutor": check_draw(net, leaves, claimed(values), bindings, rng)[0] > TOLERANCE}
            seconds["shapetutor"].append(time.perf_counter() - start)
            for anchor in ("torch", "jax"):
                result = (run_anchor if real[anchor] else rule_fallback)(anchor, loss, claimed, values)
                verdicts[anchor] = result.caught
                seconds[anchor].append(result.seconds)
            for who, hit in verdicts.items():
                if leaf is None:
                    alarms[who] += hit
                else:
                    caught[who, eps][0] += hit
                    caught[who, eps][1] += 1
    for who in CHECKERS:
        how = "" if who == "shapetutor" else (f" ({who} {installed[who]}, the real check)" if real[who] else
                                              f" ({who} not installed: its documented default rule in NumPy)")
        row(f"{LABEL[who]}{how}: perturbations caught at 1e-6 / 1e-4 / 1e-2",
            " / ".join(f"{caught[who, e][0]}/{caught[who, e][1]}" for e in epsilons),
            "all at 1e-6" if who == "shapetutor" else "",
            (caught[who, 1e-6][0] == caught[who, 1e-6][1]) if who == "shapetutor" else None)
        row(f"{LABEL[who]}: false alarms on correct gradients ({len(nets)} networks); time per check",
            f"{alarms[who]}/{len(nets)}; {statistics.median(seconds[who]) * 1000:.1f} ms median",
            "0" if who == "shapetutor" else "", (alarms[who] == 0) if who == "shapetutor" else None)
    row("cost in forward passes per check",
        f"shapetutor 2 (a real pass for the formulas and one complex pass, every leaf at once); gradcheck "
        f"{2 * entries / len(nets):.0f} on average (2 per leaf entry, {entries} entries in {len(nets)} networks); "
        "check_grads 2 and a backward pass (one direction over every leaf)")
    false_alarms(seeds, wide_seeds, quick)


def false_alarms(seeds: int, wide_seeds: int, quick: bool) -> None:
    """shapetutor's whole check (verify) on correct gradients: many networks, many draws, two sizes."""
    nets = networks(wide=not quick)
    alarms = trials = 0
    worst = 0.0
    for scale, count in ((1, seeds), (10, wide_seeds)):
        for net in nets.values():
            small = net.bindings()
            bindings = {k: v * scale + i * (scale > 1) for i, (k, v) in enumerate(small.items())}
            formulas = {k: g.formula for k, g in derive(net, bindings, check=False).gradients.items()}
            for seed in range(count):
                result = verify(net, formulas, bindings, draws=1, seed=seed)
                trials += 1
                alarms += not result.ok
                worst = max(worst, result.max_error)
    row(f"shapetutor false alarms, whole check on correct gradients ({len(nets)} networks x {seeds} seeds at "
        f"their small sizes + x {wide_seeds} seeds at about ten times those)",
        f"{alarms}/{trials}; worst error {worst:.1e} (tolerance {TOLERANCE:.0e})", "0", alarms == 0)


SECTIONS = ("cold", "learner", "depth", "output", "transformer", "realistic", "budget", "catch", "verification")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, fewer networks")
    parser.add_argument("--only", help="comma-separated sections: " + ", ".join(SECTIONS))
    parser.add_argument("--child-catch", help=argparse.SUPPRESS)
    parser.add_argument("--child-budget", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_catch:
        catch_at_size(args.child_catch)
        return
    if args.child_budget:
        budget_child(args.child_budget)
        return
    pairs = 3 if args.quick else 7
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}, {platform.platform()}", flush=True)
    start = time.perf_counter()
    only = set(args.only.split(",")) if args.only else set(SECTIONS)
    if only - set(SECTIONS):
        parser.error(f"unknown section: {', '.join(sorted(only - set(SECTIONS)))}")
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "tutor")], env=ENV, stdout=subprocess.DEVNULL, check=True)
    with tempfile.TemporaryDirectory() as folder:
        runs = {
            "cold": lambda: cold_start(pairs),
            "learner": lambda: learner_commands(pairs),
            "depth": lambda: depth(max(3, pairs // 2), Path(folder)),
            "output": lambda: output_growth(Path(folder), (10, 40) if args.quick else (10, 20, 40, 80, 160)),
            "transformer": lambda: transformer(max(3, pairs // 2), Path(folder)),
            "realistic": lambda: realistic(1 if args.quick else 5),
            "budget": lambda: budget(["question", "batch"] if args.quick else list(BUDGET)),
            "catch": lambda: catch_realistic(["question"] if args.quick else list(REALISTIC)),
            "verification": lambda: verification(seeds=5 if args.quick else 20, wide_seeds=1 if args.quick else 3,
                                                 quick=args.quick),
        }
        for name in SECTIONS:
            if name in only:
                runs[name]()
    print("\n| measurement | result | target | |\n|---|---|---|---|")
    for what, measured, target, verdict in ROWS:
        print(f"| {what} | {measured} | {target} | {verdict} |")
    print(f"\ntotal benchmark time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
