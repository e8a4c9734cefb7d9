"""Every documented limit is reached in time (docs/reliability.md, "Limits"): each class of large input is
run at two sizes and the ratio of their CPU times is held well below what superlinear growth would give.

A ratio, not a time: on a loaded machine both sizes slow down alike. Each pair is chosen so that the
growth the third hostile round found (exponential expansions, a cubic diagnosis, quadratic scans, drawing
a megabyte) would miss the bound by a wide margin, and each test stays within a few seconds.
"""
from __future__ import annotations

import gc
import re
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutor.cli import app
from tutor.engine.language.network import parse_network
from tutor.judge.check import check
from tutor.teach.derivation import derive

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = parse_network((ROOT / "tutor" / "examples" / "default.net").read_text(encoding="utf-8"))
runner = CliRunner()


def cpu(work) -> float:
    """CPU seconds of one piece of work (at least a hundredth, so that tiny times make no wild ratios). What
    earlier tests left alive is frozen first, so the collector's passes over it are not counted."""
    gc.collect()
    gc.freeze()
    try:
        start = time.process_time()
        work()
        return max(time.process_time() - start, 0.01)
    finally:
        gc.unfreeze()


def ratio(work, small, large, repeat: int = 1) -> float:
    """CPU at the large size over CPU at the small one, each the least of `repeat` runs (work of a tenth of a
    second is measured more than once, so that one pause of the machine makes no wild ratio)."""
    work(small)  # imports and first-use caches are paid before either size is timed
    found = min(cpu(lambda: work(large)) for _ in range(repeat)) / min(cpu(lambda: work(small)) for _ in range(repeat))
    print(f"{small} → {large}: {found:.1f}×")
    return found


def tanh_chain(n: int) -> str:
    lines = ["x: [N, D]", "a0 = tanh(x)"] + [f"a{i} = tanh(a{i - 1})" for i in range(1, n - 1)]
    return "\n".join(lines + [f"J = sum(a{n - 2})"]) + "\n"


def derived(source: str):
    """A whole derivation as `derive` shows it: every gradient's formula and chain."""
    d = derive(parse_network(source), check=False)
    for g in d.gradients.values():
        g.formula, g.chain
    return d


def test_a_deep_chain_derives_without_cubic_growth():
    # 100 → 400 layers: 8-16× (about quadratic: the gradient through n layers is a product of n factors, re-read
    # at each step); cubic would be 64×, the exponential expansions of the third round never ended
    assert ratio(lambda n: derived(tanh_chain(n)), 100, 400) < 32


def test_the_diagnosis_of_a_wrong_answer_on_a_deep_chain_costs_about_one_derivation():
    # the third round measured 35-48 s at 200 layers (cubic); 260 → 1,000 layers: 10-15×, the cost of one
    # derivation (about quadratic, as above), cubic would be 57×
    def diagnose(n):
        result = check(parse_network(tanh_chain(n)), "x", "x")
        assert result.verdict == "wrong_value"
    assert ratio(diagnose, 260, 1000) < 30


def test_a_silu_chain_derives_without_exponential_growth():
    # a = a * sigmoid(a), each step a product of the last: 20 → 60 steps, about 11× (a little over quadratic;
    # 150 steps take about 7 s); the expansion the third round found was exponential
    def silu(n):
        derived("\n".join(["x: [N, D]", "a = x"] + ["a = a * sigmoid(a)"] * n + ["J = sum(a)"]) + "\n")
    assert ratio(silu, 20, 60) < 30


def test_nested_softmaxes_are_linear_in_their_depth():
    # each softmax's gradient reads its output twice: walked as a tree, 25 levels took 144 s
    def nested(n):
        d = derived("x: [N, D]\nJ = sum(" + "softmax(" * n + "x" + ", axis=1)" * n + ")\n")
        assert d.gradients["x"].steps is not None
    assert ratio(nested, 10, 40, repeat=3) < 12


@pytest.mark.parametrize("lines", [(500, 2500)], ids=["claims"])
def test_claim_lines_are_checked_in_linear_time(lines):
    def claims(n):
        text = "\n".join(["dz2 = yhat - y"] * (n - 1) + ["dW2 = h.T @ dz2"]) + "\n"
        assert check(DEFAULT, "W2", text).verdict == "correct"
    assert ratio(claims, *lines) < 12   # 5× the lines; quadratic would be 25×


def test_a_dense_derivation_is_read_in_linear_time():
    # lines of 18-term sums up to 50,000 characters (the limit is 1,000,000, about 11 s of CPU)
    def dense(chars):
        line = "t = (" + " + ".join(["(yhat - y)"] * 18) + ") / 18"
        text = "\n".join([line] * (chars // (len(line) + 1) - 1) + ["dW2 = h.T @ t"]) + "\n"
        check(DEFAULT, "W2", text)
    assert ratio(dense, 12_500, 50_000) < 9   # 4× the text; quadratic would be 16×


#: Prose no one writes but anyone may paste: each once sent a pattern that reads shapes from prose into a
#: search that grew exponentially ("W1" before one long word) or with the square of the line (a list of
#: names that declares nothing, one long word of letters).
PROSE_ATTACKS = {"one long word after a name": lambda n: "W1 " + "abcdefghij" * (n // 10) + " x",
                 "a list of names declaring nothing": lambda n: "a, " * (n // 3),
                 "names joined by and": lambda n: "a and " * (n // 6) + "b is",
                 "one long word of names": lambda n: "Wa" * (n // 2) + " b",
                 "words between a name and no shape": lambda n: "W1 " + "the " * (n // 4)}


@pytest.mark.parametrize("attack", list(PROSE_ATTACKS), ids=list(PROSE_ATTACKS))
def test_a_posts_prose_is_read_in_linear_time(attack):
    from tutor.engine.errors import TutorError
    from tutor.notation.ask import ask

    def read(chars):
        post = PROSE_ATTACKS[attack](chars) + "\n\n$$z = x W_1$$\n"
        with pytest.raises(TutorError, match="cannot tell the shape"):
            ask(post)
    assert ratio(read, 10_000, 40_000) < 9   # 4× the text; quadratic would be 16×


#: Mathematics with a long run of spaces where a definition may end: each space once started a look across
#: the rest of the run (a general layer's `z^l = …`, definitions side by side after a comma).
MATH_ATTACKS = {"a general layer's definition": lambda n: "$$z^l = w^l a^{l-1} + b^l" + " " * n + "x$$",
                "a comma before definitions by index": lambda n: "Let $z_j = x_j ," + " " * n + "x$ hold."}


@pytest.mark.parametrize("attack", list(MATH_ATTACKS), ids=list(MATH_ATTACKS))
def test_a_posts_mathematics_is_read_in_linear_time(attack):
    from tutor.engine.errors import TutorError
    from tutor.notation.ask import ask

    def read(chars):
        try:
            ask(MATH_ATTACKS[attack](chars) + "\n")
        except TutorError:
            pass
    assert ratio(read, 10_000, 40_000) < 9   # 4× the text; quadratic would be 16×


def test_derive_draws_what_fits_on_a_screen_however_many_leaves(tmp_path):
    from tutor.front.render import SHOWN_GRADIENTS

    def many(n):
        path = tmp_path / f"leaves{n}.net"
        path.write_text("\n".join(f"x{i}: [N]" for i in range(n)) + "\nJ = sum(x0 * x1)\n")
        done = runner.invoke(app, ["derive", str(path), "--no-verify", "--plain"])
        assert done.exit_code == 0 and f"{n - SHOWN_GRADIENTS:,} more gradients" in done.stdout.replace("\n", " ")
    assert ratio(many, 1000, 4999) < 8   # 5× the leaves: the text drawn stays the same, only the list grows


def test_a_chain_through_every_definition_is_drawn_in_linear_time(tmp_path):
    # w0's chain runs through all the definitions to the loss: its middle is counted, not drawn
    from tutor.front.render import SHOWN_FACTORS

    def own(n):
        path = tmp_path / f"own{n}.net"
        path.write_text("\n".join(f"w{i}: [A{i}, B{i}]" for i in range(n)) + "\ns0 = sum(w0)\n"
                        + "\n".join(f"s{i} = s{i - 1} + sum(w{i})" for i in range(1, n)) + f"\nJ = s{n - 1} * 1\n")
        done = runner.invoke(app, ["derive", str(path), "--wrt", "w0", "--no-verify", "--plain"])
        assert done.exit_code == 0 and re.search(rf"…\W+{n + 1 - SHOWN_FACTORS:,} more\W", done.stdout)
    assert ratio(own, 150, 600) < 10   # 4×; quadratic would be 16×


def test_a_long_lesson_runs_in_linear_time(tmp_path, monkeypatch):
    monkeypatch.setenv("SHAPETUTOR_STATE_DIR", str(tmp_path / "state"))
    head = 'format_version = 1\nid = "long"\ntitle = "Long"\nsummary = "Long"\n\n[network]\nbundled = "default"\n\n'

    def lesson(n):
        steps = "".join(f'[[steps]]\nid = "s{i}"\nkind = "say"\ntext = "Step {i} says a few words."\n\n'
                        for i in range(n))
        path = tmp_path / f"long{n}.toml"
        path.write_text(head + steps)
        assert runner.invoke(app, ["lesson", "run", str(path), "--no-input"]).exit_code == 0
    assert ratio(lesson, 200, 1000) < 10   # 5× the steps

