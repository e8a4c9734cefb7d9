"""`shapetutor check` as a learner and an autograder see it."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tutor.cli import app

runner = CliRunner()
MOTIVATING = "(yhat - y) @ W2.T * h * (1 - h) @ x"


def check(*args: str, stdin: str | None = None):
    return runner.invoke(app, ["check", *args], input=stdin)


def test_motivating_chain_fits_on_one_screen_with_underline_note_and_fix():
    result = check("default", "--wrt", "W1", MOTIVATING, "--dims", "Dx=5,H=3,Dy=4")
    assert result.exit_code == 1
    out = result.stdout
    lines = out.splitlines()
    assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)
    assert "error[E201]" in out
    source_row = next(i for i, line in enumerate(lines) if line.endswith(MOTIVATING))
    underline = lines[source_row + 1]
    assert "^" in underline and "1×Dx = 1×5" in underline
    assert "1×H = 1×3" in out
    assert "note:" in out and "1×H×Dx×H tensor" in out
    assert "help: write `x.T @ ((yhat - y) @ W2.T * h * (1 - h))` → Dx×H = 5×3" in out


def test_motivating_chain_json_is_exactly_the_contract():
    result = check("default", "--wrt", "W1", MOTIVATING, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"wrt", "verdict", "expected_shape", "shape", "shape_ok", "value_ok",
                         "diagnostics", "steps", "suggestion"}
    assert data["verdict"] == "shape_error"
    assert data["expected_shape"] == ["Dx", "H"]
    assert data["shape"] is None and data["shape_ok"] is False and data["value_ok"] is None
    first = data["diagnostics"][0]
    assert first["severity"] == "error"
    assert (first["line"], first["col"], first["end_col"]) == (1, 0, 35)
    assert first["op"] == "@"
    assert first["operands"] == [[1, "H"], [1, "Dx"]]
    assert data["suggestion"] == "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"


def test_correct_answer_exits_0():
    result = check("default", "--wrt", "W1", "x.T @ ((yhat - y) @ W2.T * h * (1 - h))")
    assert result.exit_code == 0
    assert "✓" in result.stdout


def test_steps_from_stdin_and_from_a_file(tmp_path):
    steps = "dz2 = yhat - y\ndh = dz2 @ W2.T\ndz1 = dh * h * (1 - h)\ndW1 = x.T @ dz1\n"
    result = check("default", "--wrt", "W1", "-", "--json", stdin=steps)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [s["name"] for s in data["steps"]] == ["dz2", "dh", "dz1", "dW1"]
    assert all(s["shape_ok"] and s["value_ok"] for s in data["steps"])
    path = tmp_path / "answer.txt"
    path.write_text(steps.replace("dz1 = dh * h * (1 - h)", "dz1 = dh * z1 * (1 - z1)"))
    result = check("default", "--wrt", "W1", "--file", str(path), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [s["value_ok"] for s in data["steps"]] == [True, True, False, False]
    wrong_step = next(d for d in data["diagnostics"] if d["code"] == "E214")
    assert wrong_step["line"] == 3
    assert "at its input" in wrong_step["message"]


def test_first_wrong_step_gets_help_in_the_learners_terms():
    result = check("default", "--wrt", "W1", "dz2 = yhat - y; dh = dz2 @ W2.T; dz1 = dh * h; x.T @ dz1")
    assert result.exit_code == 1
    assert "help: dz1 = dh * h * (1 - h)" in result.stdout


@pytest.mark.parametrize("derivation, fragment", [
    ("x.T @ (", "syntax error"),
    ("x.T @ dz9", "unknown name 'dz9'"),
    ("x.__class__", "attribute .__class__ is not allowed"),
    ("__import__('os').system('true')", "is not allowed"),
    ("__import__('os')", "unknown function '__import__'"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("[a for a in x]", "not part of the network language"),
    ("lambda: 1", "not part of the network language"),
    ("x[::2]", "step"),
    ("z1 = x @ W1", "already a name in the network"),
    ("import os", "import numpy"),
    ("(" * 10_000 + "x" + ")" * 10_000, "too many nested parentheses"),
    ("-" * 5000 + "x", "nested too deeply"),
    ("x" + " + x" * 5000, "nested too deeply"),
    ("for i in x:\n    dW1 = i", "loops"),
    ("a = b; b = 1; a", "used before it is defined"),
    ("", "empty"),
])
def test_hostile_or_malformed_derivations_exit_2(derivation, fragment):
    result = check("default", "--wrt", "W1", derivation)
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert ":1:" in result.stderr or fragment in ("empty",)


def test_unusable_check_invocations_exit_2():
    assert check("default", "--wrt", "z1", "x").exit_code == 2
    assert check("default", "x.T @ x").exit_code == 2            # --wrt is required
    assert check("default", "--wrt", "W1").exit_code == 2       # no derivation


def test_explain_codes():
    result = runner.invoke(app, ["explain", "E201"])
    assert result.exit_code == 0 and "1×H×Dx×H" in result.stdout
    assert runner.invoke(app, ["explain", "E999"]).exit_code == 2


def test_a_derivation_may_start_with_a_minus_sign():
    result = check("default", "--wrt", "W1", "-(x.T @ ((y - yhat) @ W2.T * h * (1 - h)))")
    assert result.exit_code == 0, result.output


def test_unusable_text_still_prints_json_with_its_location():
    result = check("default", "--wrt", "W1", "--json", "x.T @ (yhat - y) @@ W2")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["verdict"] == "unusable" and data["suggestion"] is None and data["value_ok"] is None
    first = data["diagnostics"][0]
    assert (first["code"], first["severity"], first["line"]) == ("E100", "error", 1) and first["col"] is not None
    assert "error[E100]" in result.stderr  # the message for a person, on stderr as always
    plain = check("default", "--wrt", "W1", "x.T @ (yhat - y) @@ W2")
    assert plain.exit_code == 2 and not plain.stdout and "error[E100]" in plain.stderr


def test_a_learners_file_that_cannot_be_read_is_unusable(tmp_path):
    binary = tmp_path / "answer.txt"
    binary.write_bytes(b"\xff\xfe x.T")
    for path, says in ((tmp_path / "missing.txt", "cannot read"), (binary, "not UTF-8")):
        result = check("default", "--wrt", "W1", "--file", str(path), "--json")
        assert result.exit_code == 2
        data = json.loads(result.stdout)
        assert data["verdict"] == "unusable" and says in data["diagnostics"][0]["message"]
        assert says in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["default", "--wrt", "W9", "x"], ["default", "--wrt", "z1", "x"],
                                  ["nonet", "--wrt", "W1", "x"], ["default", "--wrt", "W1", "--dims", "Q=2", "x"],
                                  ["default", "--wrt", "W1", "x", "--file", "f.txt"], ["default", "--wrt", "W1"]])
def test_the_instructors_mistakes_are_errors_not_verdicts(args):
    """Not a verdict on the learner: exit 2, the message on stderr, and on stdout (a grader always has
    JSON to read) an `error` object instead of a verdict."""
    result = check(*args, "--json")
    assert result.exit_code == 2 and "error" in result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"error"} and data["error"]["message"] and data["error"]["severity"] == "error"


@pytest.mark.parametrize("derivation", ["dz2 = y", "dz2 = y\ndh = x", "x"])
def test_an_answer_that_is_only_a_leaf_is_judged_where_it_is_written(derivation):
    """A line that only renames a leaf adds no line of its own; the diagnosis still points at it."""
    result = check("default", "--wrt", "W1", derivation, "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["verdict"] == "wrong_shape"
    assert any(d["code"] == "E210" and d["line"] >= 1 for d in data["diagnostics"])


def test_a_step_made_good_later_is_not_marked_wrong_in_the_step_list():
    """deeplearning.ai's per-example dZ2 = A2 - Y is a convention, not a mistake: its step says so."""
    steps = "dZ2 = Yhat - Y\ndW2 = H1.T @ dZ2 / N\n"
    result = check("batch", "--wrt", "W2", "-", stdin=steps)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "line 1:" in line)
    assert "✗" not in row and "made good later" in row
    assert "note[N214]" in result.stdout
