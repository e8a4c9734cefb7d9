"""A catalogue of learners' derivations for `shapetutor check`, each verdict proven numerically.

Every case states the verdict a good tutor must give. Before the tool is asked, the test
proves that verdict from first principles:

* the true gradient of the leaf (and of every node a step claims) comes from central finite
  differences of the network's loss, one perturbed entry at a time;
* the learner's text is run as plain NumPy (it is a subset of Python/NumPy), independently of
  the tool's parser and evaluator;
* the relation the verdict implies is asserted: correct → allclose; scaled → c·grad with the
  stated c; transposed → A.T == grad; wrong_shape → the shape differs; wrong_value → the shape
  matches, the values do not, and no constant multiple or transpose fixes them; shape_error →
  NumPy itself raises at generic (pairwise distinct) dimensions, on the line the tool names.

Only then is `check` asked, and its verdict, factor, first failing operation (op, operand
shapes, span), warnings and step-by-step pattern compared. Where the tool is wrong the case is
kept with the right expectation and marked xfail(strict=True); `test_expectation_is_sound`
proves those expectations without the xfail mask.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tutor.judge.check import check
from test_json_schemas import valid_check_json
from tutor.cli import app
from tutor.engine.language.network import load
from tutor.engine.numbers.numeric import forward
from tutor.engine.numbers.sampling import sample

HERE = Path(__file__).parent
COLUMN_BATCH = str(HERE / "networks" / "column_batch.net")
LITERAL = str(HERE / "networks" / "check_literal.net")  # three classes, written as the literal 3
EPS = 1e-6
runner = CliRunner()


# -- the catalogue -------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    id: str
    net: str
    wrt: str
    text: str
    verdict: str
    dims: dict | None = None
    factor: float | None = None            # for `scaled`
    op: str | None = None                  # first failing operation of a shape_error
    operands: list | None = None           # its operand shapes, as JSON
    span: tuple | None = None              # (line, col, end_col) of that operation
    steps: list | None = None              # [(name, shape_ok, value_ok)] of the claimed steps
    first_bad_line: int | None = None      # line of the first wrong step (E214)
    warn: str | None = None                # a warning code the tool must give
    numpy_runs: bool = False               # shape_error that NumPy runs at the bound dims
    coincidence: bool = False              # conforms only because a literal size equals a symbol's number
    cli: bool = False                      # spot-check through the command line too
    bug: str | None = None                 # the tool gets this wrong: why
    suggestion_bug: str | None = None      # the verdict is right but the suggested fix is not
    answer_right: bool = False             # the answer is right but a claimed step is false: the verdict is
                                           # `correct` (it is about the answer) and the step gets a note


def C(*args, **kwargs):
    case = Case(*args, **kwargs)
    marks = [pytest.mark.xfail(strict=True, reason=case.bug)] if case.bug else []
    return pytest.param(case, id=case.id, marks=marks)


# the δ1 of the row network and of the column network
D1 = "(yhat - y) @ W2.T * h * (1 - h)"
D1B = "(Yhat - Y) @ W2.T * H1 * (1 - H1)"
D1C = "W2.T @ (yhat - y) * h * (1 - h)"
ALL_OK = lambda *names: [(n, True, True) for n in names]  # noqa: E731
HEQ = {"H": 4, "Dy": 4}
HELPER_DROPPED = ("diagnose.suggest keeps only the learner's lines that claim a correct gradient and drops an "
                  "unclaimed helper line (`delta = ...`, `dZ2 = ...` in mlp) that a kept step reads, so the "
                  "suggested derivation uses an undefined name (checking it: unknown name, exit 2)")
CRASH = ("check() raises a NumPy ValueError from diagnose.recognise (np.broadcast_to of a classic "
         "mistake's value to the step's shape) whenever a claimed step has a shape that does not broadcast "
         "to its node's; the CLI prints a traceback instead of a verdict")

CATALOGUE = [
    # ---------------------------------------------------------------- row (`default`), ∂J/∂W1
    C("row-W1-motivating-question", "default", "W1", f"{D1} @ x", "shape_error",
      op="@", operands=[[1, "H"], [1, "Dx"]], span=(1, 0, 35), cli=True),
    C("row-W1-one-line", "default", "W1", f"x.T @ ({D1})", "correct", cli=True),
    C("row-W1-steps-newlines", "default", "W1",
      "dz2 = yhat - y\ndh = dz2 @ W2.T\ndz1 = dh * h * (1 - h)\ndW1 = x.T @ dz1", "correct",
      steps=ALL_OK("dz2", "dh", "dz1", "dW1"), cli=True),
    C("row-W1-steps-semicolons-dJ_d-grad_", "default", "W1",
      "dJ_dz2 = yhat - y; grad_h = dJ_dz2 @ W2.T; dJ_dz1 = grad_h * h * (1 - h); grad_W1 = x.T @ dJ_dz1",
      "correct", steps=ALL_OK("dJ_dz2", "grad_h", "dJ_dz1", "grad_W1")),
    C("row-W1-steps-from-dJ", "default", "W1",
      "dJ = 1.0; dz2 = dJ * (yhat - y); dh = dz2 @ W2.T; dz1 = dh * h * (1 - h); dW1 = x.T @ dz1", "correct",
      steps=ALL_OK("dJ", "dz2", "dh", "dz1", "dW1")),
    C("row-W1-steps-through-yhat-full-softmax-jacobian", "default", "W1",
      "dyhat = -y / yhat\ndz2 = dyhat @ (diag(yhat[0]) - yhat.T @ yhat)\ndz1 = dz2 @ W2.T * h * (1 - h)\nx.T @ dz1",
      "correct", steps=ALL_OK("dyhat", "dz2", "dz1")),
    C("row-W1-steps-through-yhat-diagonal-jacobian", "default", "W1",
      "dyhat = -y / yhat\ndz2 = dyhat * yhat * (1 - yhat)\ndz1 = dz2 @ W2.T * h * (1 - h)\nx.T @ dz1",
      "wrong_value", steps=[("dyhat", True, True), ("dz2", True, False), ("dz1", True, False)], first_bad_line=2),
    C("row-W1-transpose-of-transpose", "default", "W1", f"dz1 = {D1}; (dz1.T @ x).T", "correct",
      steps=ALL_OK("dz1")),
    C("row-W1-np-functions", "default", "W1",
      "np.dot(np.transpose(x), np.matmul(yhat - y, np.transpose(W2)) * h * (1 - h))", "correct"),
    C("row-W1-outer-flattens", "default", "W1", f"dz1 = {D1}; outer(x, dz1)", "correct",
      steps=ALL_OK("dz1")),
    C("row-W1-sigmoid-prime-as-sigmoid(-z1)", "default", "W1",
      "x.T @ ((yhat - y) @ W2.T * sigmoid(z1) * sigmoid(-z1))", "correct"),
    C("row-W1-mean-of-two-correct-forms", "default", "W1",
      f"dz1 = {D1}; 0.5 * x.T @ dz1 + 0.5 * (dz1.T @ x).T", "correct", steps=ALL_OK("dz1")),
    C("row-W1-deceptive-broadcast-outer", "default", "W1", f"x.T * ({D1})", "correct", warn="W302"),
    C("row-W1-deceptive-precedence-accident", "default", "W1", "x.T @ (yhat - y) @ W2.T * h * (1 - h)",
      "correct"),
    C("row-W1-scaled-by-the-loss-not-a-constant", "default", "W1", f"dz1 = {D1}; J * x.T @ dz1", "wrong_value",
      steps=ALL_OK("dz1")),
    C("row-W1-side-step-shape-error", "default", "W1", "dz2 = yhat - y; dW2 = h @ dz2.T; x.T @ (dz2 @ W2.T * h * (1 - h))",
      "shape_error", op="@", operands=[[1, "H"], ["Dy", 1]], span=(1, 22, 31), steps=ALL_OK("dz2")),
    C("row-W1-unclaimed-helper-then-doubled", "default", "W1",
      "dz2 = yhat - y\ndelta = dz2 @ W2.T\ndz1 = delta * h * (1 - h)\ndW1 = 2 * x.T @ dz1", "scaled", factor=2.0,
      steps=[("dz2", True, True), ("dz1", True, True), ("dW1", True, False)], first_bad_line=4),
    C("row-W1-missing-activation-derivative", "default", "W1", "x.T @ ((yhat - y) @ W2.T)", "wrong_value",
      cli=True),
    C("row-W1-sigma-prime-at-z1", "default", "W1", "x.T @ ((yhat - y) @ W2.T * z1 * (1 - z1))",
      "wrong_value"),
    C("row-W1-sigma-prime-of-h", "default", "W1",
      "x.T @ ((yhat - y) @ W2.T * sigmoid(h) * (1 - sigmoid(h)))", "wrong_value"),
    C("row-W1-sign-flipped", "default", "W1", "x.T @ ((y - yhat) @ W2.T * h * (1 - h))", "scaled",
      factor=-1.0, cli=True),
    C("row-W1-W2-where-W2T-belongs", "default", "W1", "x.T @ ((yhat - y) @ W2 * h * (1 - h))",
      "shape_error", op="@", operands=[[1, "Dy"], ["H", "Dy"]], span=(1, 7, 22)),
    C("row-W1-W2-untransposed-with-H-equal-Dy", "default", "W1", "x.T @ ((yhat - y) @ W2 * h * (1 - h))",
      "shape_error", dims=HEQ, op="@", operands=[[1, "Dy"], ["H", "Dy"]], span=(1, 7, 22),
      numpy_runs=True, cli=True),
    C("row-W1-matmul-for-elementwise", "default", "W1", "x.T @ ((yhat - y) @ W2.T @ (h * (1 - h)))",
      "shape_error", op="@", operands=[[1, "H"], [1, "H"]], span=(1, 7, 40)),
    C("row-W1-elementwise-for-matmul", "default", "W1", "x.T @ ((yhat - y) * W2.T * h * (1 - h))",
      "shape_error", op="*", operands=[[1, "Dy"], ["Dy", "H"]], span=(1, 7, 24)),
    C("row-W1-x-untransposed", "default", "W1", f"dz1 = {D1}; x @ dz1", "shape_error",
      op="@", operands=[[1, "Dx"], [1, "H"]], span=(1, 39, 46), steps=ALL_OK("dz1")),
    C("row-W1-deceptive-Dx-is-1", "default", "W1", f"dz1 = {D1}; x * dz1", "shape_error", dims={"Dx": 1},
      op="*", operands=[[1, "Dx"], [1, "H"]], span=(1, 39, 46), steps=ALL_OK("dz1"), numpy_runs=True),
    C("row-W1-transposed", "default", "W1", f"dz1 = {D1}; dz1.T @ x", "transposed", steps=ALL_OK("dz1"),
      cli=True),
    C("row-W1-transposed-by-broadcasting", "default", "W1", f"dz1 = {D1}; dz1.T * x", "transposed",
      steps=ALL_OK("dz1"), warn="W302"),
    C("row-W1-first-wrong-step-missing-sigma-prime", "default", "W1",
      "dz2 = yhat - y  # output error\n\n# back through W2\ndh = dz2 @ W2.T\ndz1 = dh * h\ndW1 = x.T @ dz1",
      "wrong_value", steps=[("dz2", True, True), ("dh", True, True), ("dz1", True, False), ("dW1", True, False)],
      first_bad_line=5),
    C("row-W1-first-wrong-step-sigma-prime-at-z1", "default", "W1",
      "dJ_dz2 = yhat - y; grad_h = dJ_dz2 @ W2.T; dz1 = grad_h * z1 * (1 - z1); dW1 = x.T @ dz1",
      "wrong_value", steps=[("dJ_dz2", True, True), ("grad_h", True, True), ("dz1", True, False),
                            ("dW1", True, False)], first_bad_line=1),
    C("row-W1-wrong-step-then-compensated", "default", "W1",
      "dz2 = y - yhat; dh = -dz2 @ W2.T; dz1 = dh * h * (1 - h); dW1 = x.T @ dz1", "correct",
      steps=[("dz2", True, False), ("dh", True, True), ("dz1", True, True), ("dW1", True, True)],
      first_bad_line=1, answer_right=True),
    C("row-W1-steps-shape-error-on-line-4", "default", "W1",
      "dz2 = yhat - y\n\ndh = dz2 @ W2.T\ndz1 = dh @ (h * (1 - h))\ndW1 = x.T @ dz1", "shape_error",
      op="@", operands=[[1, "H"], [1, "H"]], span=(4, 6, 24), steps=ALL_OK("dz2", "dh")),
    C("row-W1-steps-shape-error-on-line-2", "default", "W1",
      "dz2 = yhat - y\ndh = dz2 @ W2\ndz1 = dh * h * (1 - h)\ndW1 = x.T @ dz1", "shape_error",
      op="@", operands=[[1, "Dy"], ["H", "Dy"]], span=(2, 5, 13), steps=ALL_OK("dz2")),
    C("row-W1-steps-transposed-intermediate", "default", "W1",
      "dz2 = yhat - y; dh = dz2 @ W2.T; dz1 = (dh * h * (1 - h)).T; dW1 = x.T @ dz1.T", "correct",
      steps=[("dz2", True, True), ("dh", True, True), ("dz1", False, None), ("dW1", True, True)],
      cli=True, answer_right=True),
    C("row-W1-leaf-step-with-unsummed-shape", "default", "W1", f"dz1 = {D1}; db1 = dz1; dW1 = x.T @ dz1",
      "correct", steps=[("dz1", True, True), ("db1", False, None), ("dW1", True, True)], first_bad_line=1,
      answer_right=True),
    C("row-W1-negated-after-a-right-step", "default", "W1", f"dz1 = {D1}; dW1 = x.T @ dz1; dW1 = -dW1", "scaled",
      factor=-1.0, steps=[("dz1", True, True), ("dW1", True, False)], first_bad_line=1),
    # a name that claims the leaf carries the answer, even when a bare line follows (what it shows is not judged)
    C("row-W1-claim-then-a-bare-line", "default", "W1", f"dz1 = {D1}; dW1 = x.T @ dz1; -dW1", "correct",
      steps=ALL_OK("dz1", "dW1")),

    # ---------------------------------------------------------------- row, b1
    C("row-b1-sum-method", "default", "b1", f"dz1 = {D1}; dz1.sum(axis=0)", "correct", steps=ALL_OK("dz1"),
      cli=True),
    C("row-b1-index-0", "default", "b1", f"dz1 = {D1}; dz1[0]", "correct", steps=ALL_OK("dz1")),
    C("row-b1-mean-over-length-1-axis", "default", "b1", f"dz1 = {D1}; dz1.mean(axis=0)", "correct",
      steps=ALL_OK("dz1")),
    C("row-b1-not-summed", "default", "b1", f"dz1 = {D1}; dz1", "wrong_shape", steps=ALL_OK("dz1")),
    C("row-b1-summed-over-wrong-axis", "default", "b1", f"dz1 = {D1}; np.sum(dz1, axis=1)", "wrong_shape",
      steps=ALL_OK("dz1")),
    C("row-b1-keepdims", "default", "b1", f"dz1 = {D1}; dz1.sum(axis=0, keepdims=True)", "wrong_shape",
      steps=ALL_OK("dz1")),

    # ---------------------------------------------------------------- row, W2, b2, x, y
    C("row-W2-textbook", "default", "W2", "h.T @ (yhat - y)", "correct"),
    C("row-W2-full-softmax-jacobian", "default", "W2",
      "h.T @ ((-y / yhat) @ (np.diag(yhat[0]) - yhat.T @ yhat))", "correct"),
    C("row-W2-softmax-jacobian-diagonal-only", "default", "W2", "h.T @ ((-y / yhat) * yhat * (1 - yhat))",
      "wrong_value"),
    C("row-W2-diag-of-a-row-matrix", "default", "W2",
      "h.T @ ((-y / yhat) @ (np.diag(yhat) - yhat.T @ yhat))", "wrong_value"),
    C("row-W2-broadcast-outer", "default", "W2", "h.T * (yhat - y)", "correct", warn="W302"),
    C("row-W2-transposed", "default", "W2", "(yhat - y).T @ h", "transposed"),
    C("row-W2-transposed-square-when-H-equals-Dy", "default", "W2", "(yhat - y).T @ h", "transposed", dims=HEQ),
    C("row-W2-h-untransposed", "default", "W2", "h @ (yhat - y)", "shape_error",
      op="@", operands=[[1, "H"], [1, "Dy"]], span=(1, 0, 14)),
    C("row-W2-sign-flipped", "default", "W2", "h.T @ (y - yhat)", "scaled", factor=-1.0),
    C("row-b2-index", "default", "b2", "(yhat - y)[0]", "correct"),
    C("row-b2-np-sum", "default", "b2", "np.sum(yhat - y, axis=0)", "correct"),
    C("row-b2-not-summed", "default", "b2", "yhat - y", "wrong_shape", cli=True),
    C("row-b2-transposed-row", "default", "b2", "(yhat - y).T", "wrong_shape"),
    C("row-x-textbook", "default", "x", f"dz1 = {D1}; dz1 @ W1.T", "correct", steps=ALL_OK("dz1")),
    C("row-x-W1-where-W1T-belongs", "default", "x", f"dz1 = {D1}; dz1 @ W1", "shape_error",
      op="@", operands=[[1, "H"], ["Dx", "H"]], span=(1, 39, 47), steps=ALL_OK("dz1")),
    C("row-x-W1-untransposed-with-Dx-equal-H", "default", "x", f"dz1 = {D1}; dz1 @ W1", "shape_error",
      dims={"Dx": 3, "H": 3}, op="@", operands=[[1, "H"], ["Dx", "H"]], span=(1, 39, 47),
      steps=ALL_OK("dz1"), numpy_runs=True),
    C("row-x-transposed", "default", "x", f"dz1 = {D1}; W1 @ dz1.T", "transposed", steps=ALL_OK("dz1")),
    C("row-y-log", "default", "y", "-log(yhat)", "correct"),
    C("row-y-log-softmax", "default", "y", "-log_softmax(z2)", "correct", cli=True),
    C("row-y-derivative-of-log-instead", "default", "y", "-1 / yhat", "wrong_value"),
    C("row-y-transposed", "default", "y", "-np.log(yhat).T", "transposed"),

    # ---------------------------------------------------------------- batch (mean over N)
    C("batch-W1-steps-1/N-first", "batch", "W1",
      "dZ2 = (Yhat - Y) / N; dH1 = dZ2 @ W2.T; dZ1 = dH1 * H1 * (1 - H1); dW1 = X.T @ dZ1", "correct",
      steps=ALL_OK("dZ2", "dH1", "dZ1", "dW1"), cli=True),
    C("batch-W1-steps-1/N-last", "batch", "W1",
      "dZ2 = Yhat - Y\ndH1 = dZ2 @ W2.T\ndZ1 = dH1 * H1 * (1 - H1)\ndW1 = X.T @ dZ1 / N", "correct",
      steps=[("dZ2", True, False), ("dH1", True, False), ("dZ1", True, False), ("dW1", True, True)],
      first_bad_line=1, answer_right=True),
    C("batch-W1-steps-softmax-vjp-per-row", "batch", "W1",
      "dYhat = -Y / Yhat / N; dZ2 = Yhat * (dYhat - sum(dYhat * Yhat, axis=1, keepdims=True)); "
      "dZ1 = dZ2 @ W2.T * H1 * (1 - H1); X.T @ dZ1", "correct", steps=ALL_OK("dYhat", "dZ2", "dZ1")),
    C("batch-W1-missing-1/N", "batch", "W1", f"X.T @ ({D1B})", "scaled", factor=5.0, cli=True),
    C("batch-W1-1/N-twice", "batch", "W1", f"X.T @ ({D1B}) / N / N", "scaled", factor=0.2),
    C("batch-W1-broadcast-outer-fails", "batch", "W1", f"X.T * ({D1B}) / N", "shape_error",
      op="*", operands=[["Dx", "N"], ["N", "H"]], span=(1, 0, 41)),
    C("batch-W1-precedence-accident-fails", "batch", "W1", "X.T @ (Yhat - Y) @ W2.T * H1 * (1 - H1) / N",
      "shape_error", op="*", operands=[["Dx", "H"], ["N", "H"]], span=(1, 0, 28)),
    C("batch-W1-hard-coded-batch-size", "batch", "W1", f"X.T @ ({D1B}) / 5", "correct"),
    C("batch-W1-hard-coded-batch-size-N-is-7", "batch", "W1", f"X.T @ ({D1B}) / 5", "scaled", dims={"N": 7},
      factor=1.4),
    C("batch-W1-transposed", "batch", "W1", f"({D1B}).T @ X / N", "transposed"),
    C("batch-W2-textbook", "batch", "W2", "H1.T @ (Yhat - Y) / N", "correct"),
    C("batch-W2-missing-1/N", "batch", "W2", "H1.T @ (Yhat - Y)", "scaled", factor=5.0),
    C("batch-W2-sign-flipped", "batch", "W2", "-H1.T @ (Yhat - Y) / N", "scaled", factor=-1.0),
    C("batch-b2-np-mean", "batch", "b2", "np.mean(Yhat - Y, axis=0)", "correct"),
    C("batch-b2-sum-method", "batch", "b2", "(Yhat - Y).sum(axis=0) / N", "correct"),
    C("batch-b2-not-summed", "batch", "b2", "(Yhat - Y) / N", "wrong_shape", cli=True),
    C("batch-b2-summed-over-wrong-axis", "batch", "b2", "(Yhat - Y).sum(axis=1) / N", "wrong_shape"),
    C("batch-b2-summed-over-everything", "batch", "b2", "sum(Yhat - Y) / N", "wrong_shape"),
    C("batch-b1-mean-supplies-1/N", "batch", "b1", f"dZ1 = {D1B}; mean(dZ1, axis=0)", "correct",
      steps=[("dZ1", True, False)], answer_right=True),
    C("batch-b1-sum-without-1/N", "batch", "b1", f"dZ1 = {D1B}; dZ1.sum(axis=0)", "scaled", factor=5.0,
      steps=[("dZ1", True, False)]),
    C("batch-b1-first-example-only", "batch", "b1", f"dZ1 = ({D1B}) / N; dZ1[0]", "wrong_value",
      steps=ALL_OK("dZ1")),
    C("batch-W1-outer-product-of-the-means", "batch", "W1",
      f"dZ1 = ({D1B}) / N; mean(X, axis=0, keepdims=True).T @ mean(dZ1, axis=0, keepdims=True)", "wrong_value",
      steps=ALL_OK("dZ1")),
    C("batch-X-textbook", "batch", "X", f"({D1B}) @ W1.T / N", "correct"),
    C("batch-X-W1-where-W1T-belongs", "batch", "X", f"({D1B}) @ W1 / N", "shape_error",
      op="@", operands=[["N", "H"], ["Dx", "H"]], span=(1, 0, 40)),
    C("batch-Y-log", "batch", "Y", "-log(Yhat) / N", "correct"),
    C("batch-Y-missing-1/N", "batch", "Y", "-log(Yhat)", "scaled", factor=5.0),

    # ---------------------------------------------------------------- column (z = W x + b)
    C("column-W1-steps", "column", "W1",
      "dz2 = yhat - y; dh = W2.T @ dz2; dz1 = dh * h * (1 - h); dW1 = dz1 @ x.T", "correct",
      steps=ALL_OK("dz2", "dh", "dz1", "dW1"), cli=True),
    C("column-W1-row-formula", "column", "W1", f"x.T @ ({D1})", "shape_error",
      op="@", operands=[["Dy", 1], ["H", "Dy"]], span=(1, 7, 24), cli=True),
    C("column-W1-transposed", "column", "W1", f"dz1 = {D1C}; x @ dz1.T", "transposed", steps=ALL_OK("dz1")),
    C("column-W1-broadcast-outer", "column", "W1", f"dz1 = {D1C}; dz1 * x.T", "correct", steps=ALL_OK("dz1"),
      warn="W302"),
    C("column-W1-outer", "column", "W1", f"dz1 = {D1C}; outer(dz1, x)", "correct", steps=ALL_OK("dz1")),
    C("column-W1-steps-transposed-bias-step", "column", "W1",
      f"dz1 = {D1C}; db1 = dz1.T; dW1 = dz1 @ x.T", "correct",
      steps=[("dz1", True, True), ("db1", False, None), ("dW1", True, True)], first_bad_line=1,
      answer_right=True),
    C("column-b1-is-dz1", "column", "b1", f"dz1 = {D1C}; dz1", "correct", steps=ALL_OK("dz1")),
    C("column-b1-summed-anyway", "column", "b1", f"dz1 = {D1C}; dz1.sum(axis=0)", "wrong_shape",
      steps=ALL_OK("dz1")),
    C("column-b1-row-axis-dropped", "column", "b1", f"dz1 = {D1C}; sum(dz1, axis=1)", "wrong_shape",
      steps=ALL_OK("dz1")),
    C("column-b2-full-softmax-jacobian", "column", "b2", "(diag(yhat.T[0]) - yhat @ yhat.T) @ (-y / yhat)",
      "correct"),
    C("column-b2-softmax-jacobian-diagonal-only", "column", "b2", "yhat * (1 - yhat) * (-y / yhat)",
      "wrong_value"),
    C("column-b2-softmax-over-length-1-axis", "column", "b2", "softmax(z2) - y", "wrong_value", warn="W304"),
    C("column-b2-softmax-axis-0", "column", "b2", "softmax(z2, axis=0) - y", "correct"),
    C("column-W2-textbook", "column", "W2", "(yhat - y) @ h.T", "correct"),
    C("column-W2-transposed", "column", "W2", "h @ (yhat - y).T", "transposed"),
    C("column-x-textbook", "column", "x", f"W1.T @ ({D1C})", "correct"),
    C("column-x-transposed", "column", "x", f"({D1C}).T @ W1", "transposed"),
    C("column-x-row-formula", "column", "x", f"({D1}) @ W1.T", "shape_error",
      op="@", operands=[["Dy", 1], ["H", "Dy"]], span=(1, 1, 18)),
    C("column-y-softmax-axis-0", "column", "y", "-log(softmax(z2, axis=0))", "correct"),

    # ---------------------------------------------------------------- 1-D (`vector`)
    C("vector-W1-outer", "vector", "W1", f"dz1 = {D1}; outer(x, dz1)", "correct", steps=ALL_OK("dz1"), cli=True),
    C("vector-W1-outer-reversed", "vector", "W1", f"dz1 = {D1}; np.outer(dz1, x)", "transposed",
      steps=ALL_OK("dz1")),
    C("vector-W1-xT-does-nothing", "vector", "W1", f"dz1 = {D1}; x.T @ dz1", "shape_error",
      op="@", operands=[["Dx"], ["H"]], span=(1, 39, 48), steps=ALL_OK("dz1"), warn="W303", cli=True),
    C("vector-W1-xT-inner-product-when-Dx-equals-H", "vector", "W1", f"dz1 = {D1}; x.T @ dz1", "shape_error",
      dims={"Dx": 3, "H": 3}, op="@", operands=[["Dx"], ["H"]], span=(1, 39, 48), steps=ALL_OK("dz1"),
      numpy_runs=True),
    C("vector-W1-broadcast-fails", "vector", "W1", f"dz1 = {D1}; x.T * dz1", "shape_error",
      op="*", operands=[["Dx"], ["H"]], span=(1, 39, 48), steps=ALL_OK("dz1")),
    C("vector-W1-reshape", "vector", "W1", f"dz1 = {D1}; x.reshape((Dx, 1)) @ dz1.reshape((1, H))", "correct",
      steps=ALL_OK("dz1")),
    C("vector-b1-is-dz1", "vector", "b1", D1, "correct"),
    C("vector-b1-summed-to-a-scalar", "vector", "b1", f"({D1}).sum(axis=0)", "wrong_shape"),
    C("vector-b2", "vector", "b2", "yhat - y", "correct"),
    C("vector-b2-softmax-jacobian-diagonal-only", "vector", "b2", "yhat * (1 - yhat) * (-y / yhat)",
      "wrong_value"),
    C("vector-W2-outer", "vector", "W2", "outer(h, yhat - y)", "correct"),
    C("vector-W2-full-softmax-jacobian", "vector", "W2", "outer(h, (-y / yhat) @ (diag(yhat) - outer(yhat, yhat)))",
      "correct"),
    C("vector-W2-hT-does-nothing", "vector", "W2", "h.T @ (yhat - y)", "shape_error",
      op="@", operands=[["H"], ["Dy"]], span=(1, 0, 16)),
    C("vector-W2-sign-flipped", "vector", "W2", "outer(h, y - yhat)", "scaled", factor=-1.0),
    C("vector-x-W1-on-the-left", "vector", "x", f"W1 @ ({D1})", "correct"),
    C("vector-x-W1T-on-the-right", "vector", "x", f"({D1}) @ W1.T", "correct"),
    C("vector-x-W1-where-W1T-belongs", "vector", "x", f"({D1}) @ W1", "shape_error",
      op="@", operands=[["H"], ["Dx", "H"]], span=(1, 0, 38)),
    C("vector-y", "vector", "y", "-log(yhat)", "correct"),

    # ---------------------------------------------------------------- mlp (tanh, relu, squared error)
    C("mlp-W3-textbook", "mlp", "W3", "A2.T @ (P - T) / N", "correct"),
    C("mlp-W3-missing-1/N", "mlp", "W3", "A2.T @ (P - T)", "scaled", factor=5.0),
    C("mlp-W3-half-forgotten", "mlp", "W3", "2 * A2.T @ (P - T) / N", "scaled", factor=2.0),
    C("mlp-W2-steps", "mlp", "W2",
      "dP = (P - T) / N; dA2 = dP @ W3.T; dZ2 = dA2 * (A1 @ W2 + b2 > 0); dW2 = A1.T @ dZ2", "correct",
      steps=ALL_OK("dP", "dA2", "dW2")),
    C("mlp-W2-transposed-but-square", "mlp", "W2",
      "dP = (P - T) / N; dA2 = dP @ W3.T; dZ2 = dA2 * (A2 > 0); (A1.T @ dZ2).T", "transposed",
      steps=ALL_OK("dP", "dA2")),
    C("mlp-W1-steps", "mlp", "W1",
      "dP = (P - T) / N; dA2 = dP @ W3.T; dZ2 = dA2 * (A2 > 0); dA1 = dZ2 @ W2.T; dW1 = X.T @ (dA1 * (1 - A1 ** 2))",
      "correct", steps=ALL_OK("dP", "dA2", "dA1", "dW1")),
    C("mlp-W1-square-W2-untransposed", "mlp", "W1",
      "dP = (P - T) / N; dA2 = dP @ W3.T; dZ2 = dA2 * (A2 > 0); dA1 = dZ2 @ W2; dW1 = X.T @ (dA1 * (1 - A1 ** 2))",
      "wrong_value", steps=[("dP", True, True), ("dA2", True, True), ("dA1", True, False), ("dW1", True, False)],
      first_bad_line=1),
    C("mlp-W1-tanh-prime-of-the-activation", "mlp", "W1",
      "dP = (P - T) / N; dA2 = dP @ W3.T; dZ2 = dA2 * (A2 > 0); dA1 = dZ2 @ W2.T; "
      "dW1 = X.T @ (dA1 * (1 - tanh(A1) ** 2))",
      "wrong_value", steps=[("dP", True, True), ("dA2", True, True), ("dA1", True, True), ("dW1", True, False)]),
    C("mlp-b2-relu-mask-replaced-by-activation", "mlp", "b2", "dZ2 = (P - T) / N @ W3.T * A2; dZ2.sum(axis=0)",
      "wrong_value"),
    C("mlp-b2-sign-as-relu-mask", "mlp", "b2", "dZ2 = (P - T) / N @ W3.T * sign(A2); dZ2.sum(axis=0)",
      "correct"),
    C("mlp-b3-mean", "mlp", "b3", "mean(P - T, axis=0)", "correct"),
    C("mlp-T-target", "mlp", "T", "(T - P) / N", "correct"),
    C("mlp-T-sign-flipped", "mlp", "T", "(P - T) / N", "scaled", factor=-1.0),

    # ---------------------------------------------------------------- column convention with a batch
    C("colbatch-W1-steps", COLUMN_BATCH, "W1",
      "dZ2 = (P - Y) / N; dA1 = W2.T @ dZ2; dZ1 = dA1 * (Z1 > 0); dW1 = dZ1 @ X.T", "correct",
      steps=ALL_OK("dZ2", "dA1", "dZ1", "dW1"), cli=True),
    C("colbatch-W1-row-batch-formula", COLUMN_BATCH, "W1", "dZ1 = W2.T @ (P - Y) / N * (Z1 > 0); X.T @ dZ1",
      "shape_error", op="@", operands=[["N", "Dx"], ["H", "N"]], span=(1, 37, 46), steps=ALL_OK("dZ1")),
    C("colbatch-W1-relu-mask-replaced-by-activation", COLUMN_BATCH, "W1",
      "dZ1 = W2.T @ (P - Y) / N * A1; dZ1 @ X.T", "wrong_value", steps=[("dZ1", True, False)],
      first_bad_line=1),
    C("colbatch-b1-keepdims", COLUMN_BATCH, "b1", "dZ1 = W2.T @ (P - Y) / N * (Z1 > 0); np.sum(dZ1, axis=1, keepdims=True)",
      "correct", steps=ALL_OK("dZ1")),
    C("colbatch-b1-summed-over-wrong-axis", COLUMN_BATCH, "b1",
      "dZ1 = W2.T @ (P - Y) / N * (Z1 > 0); np.sum(dZ1, axis=0, keepdims=True)", "wrong_shape",
      steps=ALL_OK("dZ1")),
    C("colbatch-b1-keepdims-forgotten", COLUMN_BATCH, "b1", "dZ1 = W2.T @ (P - Y) / N * (Z1 > 0); np.sum(dZ1, axis=1)",
      "wrong_shape", steps=ALL_OK("dZ1")),
    C("colbatch-W2-missing-1/N", COLUMN_BATCH, "W2", "(P - Y) @ A1.T", "scaled", factor=4.0),

    # ---------------------------------------------------------------- a literal size (3 classes) against H
    C("literal-W1-textbook-H-is-3", LITERAL, "W1", f"x.T @ ({D1})", "correct", dims={"H": 3}),
    C("literal-W1-W2-untransposed", LITERAL, "W1", "x.T @ ((yhat - y) @ W2 * h * (1 - h))", "shape_error",
      op="@", operands=[[1, 3], ["H", 3]], span=(1, 7, 22)),
    C("literal-W1-W2-untransposed-H-is-3", LITERAL, "W1", "x.T @ ((yhat - y) @ W2 * h * (1 - h))",
      "wrong_value", dims={"H": 3}, coincidence=True, warn="W301", cli=True),
    C("literal-W2-transposed-H-is-3", LITERAL, "W2", "(yhat - y).T @ h", "transposed", dims={"H": 3}),
]

CASES = [p.values[0] for p in CATALOGUE]


# -- independent numbers ----------------------------------------------------------------------

@lru_cache(maxsize=None)
def network(spec: str):
    return load(spec)


def _softmax(a, axis=-1):
    e = np.exp(a - np.max(a, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


FUNCTIONS = {
    "np": np, "numpy": np,
    "sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a)), "tanh": np.tanh, "relu": lambda a: np.maximum(a, 0.0),
    "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.abs, "sign": np.sign,
    "diag": np.diag, "transpose": np.transpose, "outer": np.outer, "dot": np.dot, "matmul": np.matmul,
    "softmax": _softmax, "log_softmax": lambda a, axis=-1: np.log(_softmax(a, axis)),
    "sum": np.sum, "mean": np.mean, "maximum": np.maximum, "minimum": np.minimum,
    "cross_entropy": lambda y, p: -np.sum(y * np.log(p)),
}


class NumpyRefused(Exception):
    def __init__(self, line: int, steps: dict, cause: Exception):
        super().__init__(f"line {line}: {cause}")
        self.line, self.steps = line, steps


def run_numpy(text: str, values: dict, bindings: dict, wrt: str | None = None):
    """The learner's lines as plain NumPy: (the answer, {assigned name: value}). The answer is the final
    value of the name that claims `wrt` (dW1, dJ_dW1, grad_W1, gradW1) if one is assigned, else the last line's."""
    env = {**FUNCTIONS, **bindings, **values}
    steps, final, claimed = {}, None, None
    for stmt in ast.parse(text).body:
        code = compile(ast.Expression(stmt.value), "<derivation>", "eval")
        try:
            with np.errstate(all="ignore"):
                final = eval(code, {}, env)  # noqa: S307 - our own catalogue's text; sum, abs are NumPy's here
        except ValueError as exc:  # NumPy's refusal to matmul or broadcast
            raise NumpyRefused(stmt.lineno, steps, exc) from None
        if isinstance(stmt, ast.Assign):
            name = stmt.targets[0].id
            env[name] = steps[name] = final
            if wrt is not None and name in (f"d{wrt}", f"dJ_d{wrt}", f"grad_{wrt}", f"grad{wrt}"):
                claimed = name
    return (steps[claimed] if claimed else final), steps


def true_gradient(net, values: dict, bindings: dict, node: str) -> np.ndarray:
    """∂J/∂node by central differences of the loss; for a defined node, only what follows it is recomputed."""
    names = list(net.definitions)
    after = names[names.index(node) + 1:] if node in net.definitions else names
    later = {n: net.definitions[n] for n in after}
    base = np.asarray(values[node], dtype=float)
    grad = np.zeros(base.shape)
    for index in np.ndindex(*base.shape):
        out = []
        for sign in (1.0, -1.0):
            bumped = base.copy()
            bumped[index] += sign * EPS
            out.append(float(forward(later, {**values, node: bumped}, bindings)[net.loss]))
        grad[index] = (out[0] - out[1]) / (2 * EPS)
    return grad


def close(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or not np.all(np.isfinite(a)):
        return False
    scale = max(float(np.max(np.abs(b))) if b.size else 0.0, 1e-3)
    return bool(np.allclose(a, b, rtol=1e-5, atol=1e-6 * scale))


def far(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape != b.shape or float(np.max(np.abs(a - b))) > 1e-3 * max(float(np.max(np.abs(b))), 1e-3)


CLAIM = re.compile(r"^(?:dJ_d|grad_|d)(?P<name>\w+)$")


def claimed_node(net, name: str) -> str | None:
    m = CLAIM.match(name)
    return m.group("name") if m and m.group("name") in net.shapes else None


def step_pattern(net, steps: dict, values: dict, bindings: dict) -> list:
    """(name, shape_ok, value_ok) for every line that claims ∂J/∂NODE, from finite differences."""
    out = []
    for name, value in steps.items():
        node = claimed_node(net, name)
        if node is None:
            continue
        truth = true_gradient(net, values, bindings, node)
        shape_ok = np.shape(value) == truth.shape
        out.append((name, shape_ok, close(value, truth) if shape_ok else None))
    return out


def sample_values(net, bindings, seed=7):
    _, values = sample(net, bindings, np.random.default_rng(seed))
    return values


def prove(case: Case) -> dict:
    """Establish the case's verdict from finite differences and NumPy alone; return what was learnt."""
    net = network(case.net)
    bindings = net.bindings(case.dims)
    generic = net.bindings()  # pairwise distinct numbers for every symbol
    values = sample_values(net, bindings)
    grad = true_gradient(net, values, bindings, case.wrt)
    facts = {"grad": grad}

    if case.verdict == "shape_error":
        # NumPy itself refuses the derivation once no two dimensions coincide
        generic_values = values if generic == bindings else sample_values(net, generic)
        with pytest.raises(NumpyRefused) as refused:
            run_numpy(case.text, generic_values, generic)
        facts["failed_line"] = refused.value.line
        if case.steps is not None:
            assert step_pattern(net, refused.value.steps, generic_values, generic) == case.steps
        if case.numpy_runs:  # deceptive: at the bound dims NumPy computes *something*
            assert generic != bindings
            run_numpy(case.text, values, bindings)
        return facts

    if case.coincidence:  # W301: NumPy refuses it as soon as the symbol moves off the literal's number
        assert generic != bindings
        with pytest.raises(NumpyRefused):
            run_numpy(case.text, sample_values(net, generic), generic)
    elif generic != bindings:  # it conforms symbolically only if NumPy runs it with no dimensions coinciding
        run_numpy(case.text, sample_values(net, generic), generic)
    final, steps = run_numpy(case.text, values, bindings, case.wrt)
    a = np.asarray(final, dtype=float)
    facts["value"] = a
    transposes = a.ndim == 2 and close(a.T, grad)
    if case.answer_right:
        assert close(a, grad), (a, grad)
        assert case.steps is not None and any(not (s[1] and s[2]) for s in case.steps)
    elif case.verdict == "correct":
        assert close(a, grad), (a, grad)
    elif case.verdict == "scaled":
        assert case.factor is not None and not np.isclose(case.factor, 1.0)
        assert a.shape == grad.shape
        assert close(a, case.factor * grad), (a, grad)
        c = float(np.sum(a * grad) / np.sum(grad * grad))
        assert np.isclose(c, case.factor, rtol=1e-5)
    elif case.verdict == "transposed":
        assert transposes, (a, grad)
        assert not close(a, grad)
    elif case.verdict == "wrong_shape":
        assert a.shape != grad.shape
        assert not transposes
    elif case.verdict == "wrong_value":
        assert a.shape == grad.shape
        assert far(a, grad)
        assert not transposes
        # not a constant multiple: not within this draw, or with a factor that changes between draws
        c = float(np.sum(a * grad) / np.sum(grad * grad))
        if not far(a, c * grad):
            other = sample_values(net, bindings, seed=8)
            a2 = np.asarray(run_numpy(case.text, other, bindings)[0], dtype=float)
            g2 = true_gradient(net, other, bindings, case.wrt)
            c2 = float(np.sum(a2 * g2) / np.sum(g2 * g2))
            assert far(a2, c2 * g2) or not np.isclose(c, c2, rtol=1e-3), "a constant multiple: that is `scaled`"
    else:
        raise AssertionError(case.verdict)
    if case.steps is not None:
        assert step_pattern(net, steps, values, bindings) == case.steps
    if case.first_bad_line is not None:
        bad = next(name for name, shape_ok, value_ok in step_pattern(net, steps, values, bindings)
                   if not shape_ok or value_ok is False)
        assert stmt_line(case.text, bad) == case.first_bad_line
    return facts


def stmt_line(text: str, name: str) -> int:
    return next(s.lineno for s in ast.parse(text).body
                if isinstance(s, ast.Assign) and s.targets[0].id == name)


def shape_json(shape) -> list:
    return [d.json() for d in shape]


# -- the tool against the catalogue ---------------------------------------------------------------

@pytest.mark.parametrize("case", CATALOGUE)
def test_check_gives_the_proven_verdict(case: Case):
    facts = prove(case)
    net = network(case.net)
    r = check(net, case.wrt, case.text, case.dims)
    valid_check_json(r)

    assert r.verdict == case.verdict, [d.message for d in r.diagnostics]
    assert r.correct == (case.verdict == "correct")
    assert shape_json(r.expected_shape) == shape_json(net.leaves[case.wrt])

    if case.answer_right:  # the answer is right: correct, and the false step is a note that says what it holds
        assert (r.shape_ok, r.value_ok) == (True, True)
        assert not [d for d in r.diagnostics if d.severity == "error"]
        notes = [d for d in r.diagnostics if d.code == "N214"]
        assert notes and notes[0].severity == "note"
    elif case.verdict == "correct":
        assert (r.shape_ok, r.value_ok) == (True, True)
        assert not [d for d in r.diagnostics if d.severity == "error"]
    elif case.verdict == "shape_error":
        assert (r.shape_ok, r.value_ok, r.shape) == (False, None, None)
    elif case.verdict == "wrong_shape":
        assert r.shape_ok is False
        assert r.shape is not None and len(r.shape) == facts["value"].ndim
    elif case.verdict in ("scaled", "wrong_value"):
        assert (r.shape_ok, r.value_ok) == (True, False)
    elif case.verdict == "transposed":
        assert r.value_ok is False

    if case.verdict == "scaled":
        assert r.factor == pytest.approx(case.factor, rel=1e-6)

    errors = [d for d in r.diagnostics if d.severity == "error"]
    if case.verdict == "shape_error":
        first = errors[0]
        assert first.span.line == facts["failed_line"], "the line NumPy refuses"
        if case.op is not None:
            assert first.op == case.op
        if case.operands is not None:
            assert [shape_json(s) for s in first.operands] == case.operands
        if case.span is not None:
            assert (first.span.line, first.span.col, first.span.end_col) == case.span
    elif case.verdict != "correct":
        assert errors, "a wrong derivation gets at least one error diagnostic"

    if case.steps is not None:
        assert [(s.name, s.shape_ok, s.value_ok) for s in r.steps] == case.steps
        assert [s.claims for s in r.steps] == [claimed_node(net, s[0]) for s in case.steps]
    else:
        assert not r.steps
    if case.first_bad_line is not None:
        first = [d for d in r.diagnostics if d.code == ("N214" if case.answer_right else "E214")]
        assert first and first[0].span.line == case.first_bad_line
    if case.warn is not None:
        assert any(d.code == case.warn and d.severity == "warning" for d in r.diagnostics)

    data = json.loads(json.dumps(r.to_json()))
    assert set(data) == {"wrt", "verdict", "expected_shape", "shape", "shape_ok", "value_ok",
                         "diagnostics", "steps", "suggestion"}
    assert data["verdict"] == case.verdict


SUGGESTED = [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.suggestion_bug)]
                          if c.suggestion_bug else [])
             for c in CASES if c.verdict != "correct" and not c.bug]


@pytest.mark.parametrize("case", SUGGESTED)
def test_suggestion_is_a_right_derivation(case: Case):
    """Whatever the learner got wrong, the suggested fix evaluates to the finite-difference gradient."""
    net = network(case.net)
    r = check(net, case.wrt, case.text, case.dims)
    bindings = net.bindings(case.dims)
    values = sample_values(net, bindings, seed=11)
    grad = true_gradient(net, values, bindings, case.wrt)
    suggestion = r.suggestion
    # it may build on the learner's own correct steps: those are defined in the learner's text
    final, _ = run_numpy(suggestion, values, bindings)
    assert close(np.broadcast_to(final, grad.shape), grad), suggestion
    # and the tool accepts its own suggestion
    assert check(net, case.wrt, suggestion, case.dims).verdict == "correct", suggestion


# -- the command line ---------------------------------------------------------------------------

def invoke_check(case: Case, *extra: str):
    args = ["check", case.net, "--wrt", case.wrt, "--json"]
    if case.dims:
        args += ["--dims", ",".join(f"{k}={v}" for k, v in case.dims.items())]
    return runner.invoke(app, args + list(extra) + ["--", case.text])


@pytest.mark.parametrize("case", [p for p in CATALOGUE if p.values[0].cli])
def test_cli_exit_code_and_json(case: Case):
    prove(case)
    result = invoke_check(case)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == (0 if case.verdict == "correct" else 1), result.output
    data = json.loads(result.stdout)
    assert data["verdict"] == case.verdict
    assert data["wrt"] == case.wrt
    if case.verdict == "shape_error":
        first = next(d for d in data["diagnostics"] if d["severity"] == "error")
        assert (first["op"], first["operands"]) == (case.op, case.operands)
        assert (first["line"], first["col"], first["end_col"]) == case.span
    if case.steps is not None:
        assert [(s["name"], s["shape_ok"], s["value_ok"]) for s in data["steps"]] == case.steps


def test_cli_motivating_question_json_is_the_spec_example():
    result = runner.invoke(app, ["check", "default", "--wrt", "W1", f"{D1} @ x", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["wrt"] == "W1"
    assert data["verdict"] == "shape_error"
    assert data["expected_shape"] == ["Dx", "H"]
    assert (data["shape"], data["shape_ok"], data["value_ok"]) == (None, False, None)
    first = data["diagnostics"][0]
    assert first["severity"] == "error"
    assert (first["line"], first["col"], first["end_col"], first["op"]) == (1, 0, 35, "@")
    assert first["operands"] == [[1, "H"], [1, "Dx"]]
    # the suggestion is the gradient, by finite differences
    net = network("default")
    b = net.bindings()
    values = sample_values(net, b)
    final, _ = run_numpy(data["suggestion"], values, b)
    assert close(final, true_gradient(net, values, b, "W1"))


@pytest.mark.parametrize("text, code", [(f"x.T @ ({D1})", 0), (f"{D1} @ x", 1), ("x.T @ ((yhat - y) @ W2.T)", 1)])
def test_cli_human_output_exit_codes(text, code):
    result = runner.invoke(app, ["check", "default", "--wrt", "W1", "--plain", "--", text])
    assert result.exit_code == code
    assert result.stdout.strip() and "Traceback" not in result.output


def test_cli_reads_the_derivation_from_stdin_and_from_a_file(tmp_path):
    text = "dz2 = yhat - y\ndh = dz2 @ W2.T\ndz1 = dh * h * (1 - h)\ndW1 = x.T @ dz1\n"
    assert runner.invoke(app, ["check", "default", "--wrt", "W1", "-"], input=text).exit_code == 0
    path = tmp_path / "mine.txt"
    path.write_text(text.replace("W2.T", "W2"))
    result = runner.invoke(app, ["check", "default", "--wrt", "W1", "--file", str(path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["verdict"] == "shape_error"


@pytest.mark.parametrize("text", [
    "x.T.dot(dz1)",                                   # a NumPy method outside the language
    "h.foo",                                          # attribute access
    "h.T @ (yhat - y) @ W3",                          # unknown name
    "dW1 = x.T @ dz1",                                # a step used before it is defined
    "z1 = x @ W1 + b1; x.T @ z1",                     # reassigning a network name
    "x.T @ (",                                        # syntax error
    "(lambda a: a)(x)",                               # never executed
    "dz1 = yhat\ndel dz1\nx.T @ yhat",                 # a statement outside the language
])
def test_unusable_derivations_exit_2(text):
    unusable = check(network("default"), "W1", text)
    assert unusable.verdict == "unusable" and not unusable.correct
    first = unusable.diagnostics[0]
    assert first.severity == "error" and first.code.startswith("E1") and first.line is not None
    result = runner.invoke(app, ["check", "default", "--wrt", "W1", "--", text])
    assert result.exit_code == 2
    assert "error" in result.stderr and not result.stdout
    assert "Traceback" not in result.output + result.stderr
    # with --json the verdict is on stdout too, located, and the exit code is still 2
    result = runner.invoke(app, ["check", "default", "--wrt", "W1", "--json", "--", text])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["verdict"] == "unusable" and data["diagnostics"][0] == first.to_json()


# -- the catalogue itself ------------------------------------------------------------------------

def test_catalogue_is_broad():
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)
    assert {c.net for c in CASES} >= {"default", "batch", "column", "vector"}
    assert {c.verdict for c in CASES} == {"correct", "shape_error", "wrong_shape", "transposed", "scaled",
                                          "wrong_value"}
    for conv in ("default", "batch", "column", "vector"):
        wrts = {c.wrt.lower() for c in CASES if c.net == conv}
        assert wrts >= {"w1", "b1", "w2", "b2", "x", "y"}, conv
    assert sum(1 for c in CASES if ";" in c.text) >= 10 and sum(1 for c in CASES if "\n" in c.text) >= 4
