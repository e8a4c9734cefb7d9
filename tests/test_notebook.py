"""shapetutor in a real notebook kernel: a result prints as its diagnosis, and a graded cell's failure
carries it (nbclient drives an ipykernel, as Jupyter, otter-grader and nbgrader do)."""
from __future__ import annotations

import json
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

WRONG = "x.T @ (yhat - y)"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """One notebook run: a learner's cells and an otter-style test cell, in a kernel of this Python."""
    kernels = tmp_path_factory.mktemp("jupyter") / "kernels" / "shapetutor-test"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "shapetutor test", "language": "python"}))
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_PATH", str(kernels.parent.parent))
    cells = [
        f"import tutor\nr = tutor.check('default', 'W1', {WRONG!r})\nprint(r)",
        "r",
        f"tutor.assert_correct('default', 'W1', {WRONG!r}, suggestion=False)",
        "print(tutor.check('default', 'W1', 'x.T @ ((yhat - y) @ W2.T * h * (1 - h))'))",
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    try:
        nbclient.NotebookClient(nb, timeout=120, kernel_name="shapetutor-test", allow_errors=True).execute()
    finally:
        mp.undo()
    return nb.cells


def outputs(cell, kind):
    return [o for o in cell.outputs if o["output_type"] == kind]


def test_print_shows_the_diagnosis_once(executed):
    printed = "".join(o["text"] for o in outputs(executed[0], "stream"))
    assert "wrong shape" in printed and "E210" in printed
    assert not outputs(executed[0], "display_data"), "the diagnosis was displayed beside the print"


def test_a_result_displays_as_html_and_text(executed):
    (result,) = outputs(executed[1], "execute_result")
    assert "<pre" in result["data"]["text/html"] and "E210" in result["data"]["text/html"]
    assert result["data"]["text/plain"].startswith("<tutor.CheckResult")


def test_a_graded_cell_fails_with_the_diagnosis(executed):
    (error,) = outputs(executed[2], "error")
    assert error["ename"] == "AssertionError"
    assert "wrong shape" in error["evalue"] and "E210" in error["evalue"]
    assert "W2.T" not in error["evalue"], "suggestion=False must keep the answer back"


def test_a_right_answer_prints_its_verdict(executed):
    printed = "".join(o["text"] for o in outputs(executed[3], "stream"))
    assert "✓" in printed and not outputs(executed[3], "error")
