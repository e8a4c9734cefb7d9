"""`shapetutor walk` in a real terminal (pexpect), and without one."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30


def env(**extra: str) -> dict[str, str]:
    out = dict(os.environ, COLUMNS="80", LINES="40", TERM="xterm-256color")
    out.pop("NO_COLOR", None)
    out["PYTHONPATH"] = str(ROOT) + os.pathsep + out.get("PYTHONPATH", "")
    out.update(extra)
    return out


def spawn(*args: str, **extra: str) -> pexpect.spawn:
    child = pexpect.spawn(sys.executable, ["-m", "tutor", "walk", *args], env=env(**extra), encoding="utf-8",
                          timeout=TIMEOUT, dimensions=(40, 80))
    return child


def answer_dims(child, dx="784", h="100", dy="10") -> None:
    child.expect(r"Dx \[5\]: ")
    child.sendline(dx)
    child.expect(r"H \[3\]: ")
    child.sendline(h)
    child.expect(r"Dy \[4\]: ")
    child.sendline(dy)
    child.expect(r"Which gradient\?.*\[W1\]: ")
    child.sendline("")


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else -child.signalstatus


def test_full_walk_with_the_learners_dimensions():
    child = spawn()
    answer_dims(child)
    child.expect(r"Shape of ∂J/∂z2\? ")
    child.sendline("1xDy")
    child.expect("✓ 1×Dy = 1×10")
    child.expect("naive product so far: 1×Dy = 1×10")
    child.expect("Enter ▸ ")
    child.sendline("")
    child.expect(r"Shape of ∂z2/∂h\? ")
    child.sendline("1 x 10 x 1 x 100")       # numbers work too
    child.expect("✓ 1×Dy×1×H = 1×10×1×100")
    child.expect("Enter ▸ ")
    child.sendline("")
    child.expect(r"Shape of ∂h/∂z1\? ")
    child.sendline("(1, H, 1, H)")
    child.expect("naive product so far: 1×H = 1×100")
    child.expect("Enter ▸ ")
    child.sendline("")
    child.expect(r"Shape of ∂z1/∂W1\? ")
    child.sendline("[1, H, Dx, H]")
    child.expect("✓ 1×H×Dx×H = 1×100×784×100")
    child.expect(r"\(1×H\)·∂z1/∂W1")               # the mismatch
    child.expect("Enter ▸ ")
    child.sendline("")
    child.expect(r"x\[i\] · dz1\[j\]")                  # index form
    child.expect(r"np.einsum\('ai,aj->ij', x, dz1\)")
    child.expect(r"\(Dx×1\)\(1×H\) = Dx×H")
    child.expect("Enter ▸ ")
    child.sendline("")
    child.expect("too large to print")
    child.expect("Now write ∂J/∂W1 as a formula")
    child.sendline("(yhat - y) @ W2.T * h * (1 - h) @ x")
    child.expect(r"error\[E201\]")
    child.expect("tensor")                       # the note explains; the fix is kept back in a quiz
    child.expect("Now write ∂J/∂W1 as a formula")
    child.sendline("x.T @ ((yhat - y) @ W2.T * h * (1 - h))")
    child.expect("✓ ∂J/∂W1: correct")
    child.expect("checked with numbers")
    child.expect(r"Walk another gradient\?")
    child.sendline("")
    assert finish(child) == 0


def test_wrong_answer_gets_specific_feedback_and_hints_climb_a_ladder():
    child = spawn("--wrt", "W1", "--dims", "Dx=5,H=3,Dy=4")
    child.expect(r"Shape of ∂J/∂z2\? ")
    child.sendline("1xH")   # a first wrong reply is a hint: where to look, not the answer
    child.expect("the second dimension is not H: it is axis 1 of z2; look at z2's shape")
    assert "Dy = 4" not in child.before
    child.expect(r"Shape of ∂J/∂z2\? ")
    child.sendline("1xH")   # then the reply tells
    child.expect("the second dimension is Dy = 4, not H: it is axis 1 of z2")
    child.expect(r"Shape of ∂J/∂z2\? ")
    child.sendline("Dy")
    child.expect("1 dimension")
    child.expect(r"Shape of ∂J/∂z2\? ")
    child.sendline("zz")
    child.expect("'zz' is not a dimension here")
    for rung in (1, 2, 3):
        child.expect(r"Shape of ∂J/∂z2\? ")
        child.sendline("h")
        child.expect(f"hint {rung}/3")
    child.expect("The shape is 1×Dy = 1×4")
    child.expect("Enter ▸ ")
    child.sendline("q")
    child.expect("Pick up again with")
    assert finish(child) == 0


def test_back_goes_to_the_previous_step():
    child = spawn("--wrt", "W1", "--dims", "Dx=5,H=3,Dy=4", "--no-quiz")
    child.expect("Step 1 of 4")
    child.expect("Enter ▸ ")
    child.sendline("")
    child.expect("Step 2 of 4")
    child.expect("Enter ▸ ")
    child.sendline("b")
    child.expect("back to step 1")
    child.expect("Step 1 of 4")
    child.expect("Enter ▸ ")
    child.sendline("?")
    child.expect("b: back")
    child.sendline("q")
    child.expect(r"shapetutor walk default --wrt W1 --dims Dx=5,H=3,Dy=4")
    assert finish(child) == 0


def test_ctrl_c_exits_130_without_a_traceback():
    child = spawn()
    child.expect(r"Dx \[5\]: ")
    child.sendintr()
    child.expect("Interrupted. Pick up again with")
    before = child.before
    assert finish(child) == 130
    assert "Traceback" not in before + (child.before or "")


def test_end_of_input_ends_cleanly():
    child = spawn("--wrt", "W1", "--dims", "Dx=5,H=3,Dy=4")
    child.expect(r"Shape of ∂J/∂z2\? ")
    child.sendeof()
    child.expect("Stopped. Pick up again with")
    assert finish(child) == 0


def test_resume_at_a_step():
    child = spawn("--wrt", "W1", "--dims", "Dx=5,H=3,Dy=4", "--step", "4")
    child.expect(r"Shape of ∂z1/∂W1\? ")
    child.sendline("q")
    assert finish(child) == 0


def run_piped(*args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tutor", "walk", *args], env=env(**extra), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)


def test_without_a_terminal_everything_is_printed_and_nothing_is_asked():
    result = run_piped("--dims", "Dx=3,H=2,Dy=2")
    assert result.returncode == 0
    out = result.stdout
    for fragment in ("Step 4 of 4", "1×H×Dx×H = 1×2×3×2", "x[i] · dz1[j]", "the contraction and the matrix "
                     "formula agree", "x.T @ ((yhat - y) @ W2.T * h * (1 - h))", "✓ checked with numbers"):
        assert fragment in out
    assert "Shape of" not in out and "Enter ▸" not in out


def test_plain_and_dumb_terminals_are_ascii_and_colourless():
    for result in (run_piped("--plain"), run_piped(TERM="dumb")):
        assert result.returncode == 0
        assert result.stdout.isascii(), [c for c in result.stdout if not c.isascii()][:5]
        assert "\x1b[" not in result.stdout
        assert "[ok] checked with numbers" in result.stdout


def test_no_color_keeps_the_check_marks():
    child = spawn("--wrt", "W1", "--dims", "Dx=5,H=3,Dy=4", NO_COLOR="1")
    child.expect(r"Shape of ∂J/∂z2\? ")
    child.sendline("1xDy")
    child.expect("✓ 1×Dy")
    text = child.before + child.after
    child.sendline("q")
    finish(child)
    assert "\x1b[3" not in text  # no colour codes


def test_every_line_fits_80_columns():
    result = run_piped("batch")
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


@pytest.mark.parametrize("suffix", ["svg", "html", "txt"])
def test_export_writes_the_transcript(tmp_path, suffix):
    path = tmp_path / f"walk.{suffix}"
    result = run_piped("--dims", "Dx=3,H=2,Dy=2", "--export", str(path))
    assert result.returncode == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    assert "x.T @ ((yhat - y) @ W2.T * h * (1 - h))" in text.replace("&#x27;", "'").replace("&gt;", ">") or \
        "∂J/∂W1" in text
    assert list(tmp_path.iterdir()) == [path]


def test_export_to_an_unknown_format_is_refused(tmp_path):
    result = run_piped("--export", str(tmp_path / "walk.pdf"))
    assert result.returncode == 2
    assert "unknown format" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_final_answer_may_use_the_steps_the_walk_defined():
    child = spawn("--wrt", "W1", "--dims", "Dx=5,H=3,Dy=4", "--step", "8")
    child.expect("Now write ∂J/∂W1 as a formula")
    child.sendline("x.T @ dz1")
    child.expect("with the steps of the walk: dz2, dh, dz1")
    child.expect("✓ ∂J/∂W1: correct")
    child.expect(r"Walk another gradient\?")
    child.sendline("")
    assert finish(child) == 0


def test_an_uppercase_H_is_an_answer_not_a_hint():
    child = spawn("--wrt", "W1", "--dims", "Dx=5,H=3,Dy=4", "--step", "3")
    child.expect(r"Shape of ∂h/∂z1\? ")
    child.sendline("H")
    child.expect("1 dimension")
    child.expect(r"Shape of ∂h/∂z1\? ")
    child.sendline("H x H")
    child.expect("✓ as a matrix, H×H")
    child.sendline("q")
    finish(child)


def test_the_end_of_a_walk_offers_the_other_leaves():
    child = spawn("--wrt", "W1", "--dims", "Dx=5,H=3,Dy=4", "--step", "8")
    child.expect("Now write ∂J/∂W1 as a formula")
    child.sendline("")
    child.expect(r"Walk another gradient\? x, b1, W2, b2 ")   # the label y is data: nothing to walk
    child.sendline("W2")
    child.expect("Step 1 of 2: ∂J/∂z2")
    child.expect(r"Shape of ∂J/∂z2\? ")
    child.sendline("q")
    assert finish(child) == 0


def test_the_learners_dimensions_without_a_terminal():
    """`shapetutor walk --dims Dx=784,H=100,Dy=10 < /dev/null`: everything, nothing asked."""
    result = run_piped("--dims", "Dx=784,H=100,Dy=10")
    assert result.returncode == 0
    out = result.stdout
    for fragment in ("Dx=784, H=100, Dy=10", "1×H×Dx×H = 1×100×784×100", "(1×H)·∂z1/∂W1",
                     "Σ_k dz1[k] · ∂z1[k]/∂W1[i,j] = x[i] · dz1[j]", "np.einsum('ai,aj->ij', x, dz1)",
                     "outer product", "xᵀ δ1", "(Dx×1)(1×H) = Dx×H", "✓ checked with numbers"):
        assert fragment in out, fragment


def test_prompts_edit_lines_and_recall_history():
    """← moves the cursor instead of typing ^[[D, and ↑ recalls the previous answer."""
    child = spawn("--wrt", "W1", "--dims", "Dx=5,H=3,Dy=4")
    child.expect(r"Shape of ∂J/∂z2\? ")
    child.send("1xD" + "\x1b[D" + "H" + "\r")          # typed 1xD, ←, H: the line reads 1xHD
    child.expect(r"'HD' is not a dimension here|is not a dimension")
    child.expect(r"Shape of ∂J/∂z2\? ")
    child.send("\x1b[A" + "\x7f\x7f" + "Dy\r")         # ↑ recalls 1xHD; two backspaces; Dy
    child.expect("✓ 1×Dy = 1×4")
    assert "U+001B" not in child.before
    child.expect("Enter ▸ ")
    child.sendline("q")
    assert finish(child) == 0


def test_the_walk_names_the_diagonal_of_an_elementwise_step():
    """The seed learner's picture of ∂h/∂z1, the 1×H of h ∘ (1 − h), is linked to diag(…) and to ∘."""
    child = spawn("--wrt", "W1", "--dims", "Dx=5,H=3,Dy=4")
    child.expect(r"Shape of ∂J/∂z2\? ")
    child.sendline("1xDy")
    child.expect("Enter ▸ ")
    child.sendline("")
    child.expect(r"Shape of ∂z2/∂h\? ")
    child.sendline("1xDyx1xH")
    child.expect("Enter ▸ ")
    child.sendline("")
    child.expect(r"Shape of ∂h/∂z1\? ")
    child.sendline("1 x H")
    child.expect("diagonal")
    child.expect(r"Shape of ∂h/∂z1\? ")
    child.sendline("1xHx1xH")
    child.expect("Enter ▸ ")
    child.sendline("")
    child.expect(r"Shape of ∂z1/∂W1\? ")
    child.sendline("H x Dx x H")                     # the 1 of the row dropped, as most notes write it
    child.expect("axes of length 1 dropped")
    child.expect("Enter ▸ ")
    child.sendline("q")
    assert finish(child) == 0
