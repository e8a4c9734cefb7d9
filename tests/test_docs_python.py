"""docs/python.md as a reader runs it: the notebook session as written (doctest), and the nbgrader and
otter test cells, which pass a right answer and fail a wrong one with the diagnosis."""
from __future__ import annotations

import doctest
import re
import subprocess
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "python.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", TEXT, flags=re.S)
CELLS = [code for lang, code in BLOCKS if lang == "python" and ">>>" not in code]
COMMANDS = [code.strip() for lang, code in BLOCKS if lang == "sh"]
RIGHT = "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"


def test_the_notebook_session_runs_as_written():
    result = doctest.testfile(str(DOC), module_relative=False, report=True,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 15 and result.failed == 0


def test_the_test_cells_are_three_lines_of_code():
    assert len(CELLS) == 2
    for cell in CELLS:
        code = [line for line in cell.splitlines() if line.strip() and not line.startswith("#")]
        if code[0].startswith('"""'):  # otter's test configuration is a string, then the same lines
            code = code[code.index('""" # END TEST CONFIG') + 1:]
        assert len(code) <= 3 and any("assert_correct" in line for line in code)


@pytest.mark.parametrize("cell", CELLS)
def test_a_test_cell_passes_a_right_answer(cell):
    exec(cell, {"dW1": RIGHT})  # noqa: S102 - the documentation's own snippet, run as a notebook would


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("answer, says", [("(yhat - y) @ W2.T * h * (1 - h) @ x", "error[E201]"),
                                          ("x.T @ (yhat - y) @ W2.T", "the values are not"),
                                          ("x.T @ (", "error[E100]"), (None, "not text")])
def test_a_test_cell_fails_a_wrong_answer_with_the_diagnosis(cell, answer, says):
    with pytest.raises(AssertionError) as caught:
        exec(cell, {"dW1": answer})  # noqa: S102
    message = str(caught.value)
    assert says in message and "suggestion" not in message and RIGHT not in message


def test_the_documented_commands_run(tmp_path):
    answers = tmp_path / "answers.toml"
    answers.write_text('[answers]\nyour-turn = "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"\n')
    (tmp_path / "dW1.txt").write_text(RIGHT)
    results = tmp_path / "results.json"
    assert len(COMMANDS) == 2
    for command in COMMANDS:
        command = command.replace("/autograder/results/results.json", str(results))
        done = subprocess.run(["bash", "-c", command.replace("shapetutor ", "python -m tutor ", 1)],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120,
                              env={"PATH": str(Path(__import__("sys").executable).parent) + ":/usr/bin:/bin",
                                   "SHAPETUTOR_STATE_DIR": str(tmp_path / "state")})
        assert done.returncode == 0, done.stderr
    assert results.exists()
