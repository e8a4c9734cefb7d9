"""The third hostile round (issue 25), class by class: each rule pinned down in-process or, where the
rule is about the command line, in a subprocess as a learner would run it.

Time bounds are generous for a loaded 2-core machine; what they catch is work that grows faster than
its input (exponential expansions, quadratic scans), which misses them by orders of magnitude.
"""
from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tutor.engine.idioms.forms import Attempt
from tutor.engine.language.ir import Var
from tutor.engine.language.network import parse_network

ROOT = Path(__file__).resolve().parent.parent


def run(*argv: str, stdin: str | None = None, cwd: Path = ROOT, timeout: float = 60, env: dict | None = None):
    return subprocess.run([sys.executable, "-m", "tutor", *argv], input=stdin, capture_output=True, text=True,
                          cwd=cwd, timeout=timeout, env=dict(os.environ, **(env or {})))


def in_process(*argv: str) -> subprocess.CompletedProcess:
    """What `run` returns, from the command run in this process: for rules about what a command decides (its
    exit code and messages) rather than about the process. An exception the command let escape is written
    to stderr as the traceback a process would print."""
    import traceback
    from typer.testing import CliRunner
    from tutor.cli import app
    result = CliRunner().invoke(app, list(argv))
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(list(argv), result.exit_code, result.stdout, stderr)


def seconds(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


# -- 2. work bounded by what it costs ---------------------------------------------------------------------------

def test_names_defined_as_products_are_expanded_once_each():
    lines = ["x: [N, D]", "a0 = exp(x)"] + [f"a{i} = a{i - 1} * a{i - 1}" for i in range(1, 41)]
    network = parse_network("\n".join(lines + ["J = sum(a40)"]))
    reading = Attempt(network)
    took = seconds(lambda: reading.powers(Var("a40")))
    assert reading.powers(Var("a40")) == [(Var("a0"), 2.0 ** 40)]
    assert reading.through == {f"a{i}" for i in range(1, 41)}
    assert took < 5.0


def test_a_formula_too_long_to_read_is_not_written_out():
    from tutor.engine.language.printer import PRINT_LIMIT, TOO_LONG_CODE, code, code_or_none, math
    e = "x"
    for _ in range(20):
        e = f"softmax({e}, axis=1)"
    network = parse_network(f"x: [N, D]\nJ = sum({e})\n")
    from tutor.engine.simplify.build import raw
    from tutor.engine.language.ir import Var as V
    x = V("x", shape=network.shapes["x"])
    doubled = x
    for _ in range(40):  # shared twice at every level: 2**40 nodes written out (built as is, no rewriting)
        doubled = raw("add", doubled, raw("mul", doubled, x))
    took = seconds(lambda: (code(doubled), math(doubled)))
    assert code(doubled) == TOO_LONG_CODE and code_or_none(doubled) is None and "not shown" in math(doubled)
    assert took < 5.0 and str(PRINT_LIMIT) in TOO_LONG_CODE


@pytest.mark.parametrize("network", [
    "x: [N, D]\nJ = sum(" + "softmax(" * 20 + "x" + ", axis=1)" * 20 + ")\n",
    "\n".join(["x: [N, D]", "a = x"] + ["a = a * sigmoid(a)"] * 60 + ["J = sum(a)"]) + "\n",
], ids=["20 nested softmaxes", "a SiLU chain"])
def test_derive_on_deep_shared_formulas_ends_in_time(tmp_path, network):
    (tmp_path / "deep.net").write_text(network)
    start = time.perf_counter()
    done = run("derive", str(tmp_path / "deep.net"), "--dims", "N=2,D=3", cwd=tmp_path, timeout=120)
    assert done.returncode in (0, 2) and "Traceback" not in done.stderr, done.stderr
    assert time.perf_counter() - start < 40


# -- 3. learner input never reaches NumPy unchecked ----------------------------------------------------------------

@pytest.mark.parametrize("answer, says", [
    ("dW2 = b1[3] + h.T @ (yhat - y)", "index 3 is out of range"),
    ("dW2 = W1[5] + h.T @ (yhat - y)", "index 5 is out of range"),
    ("dW2 = W1[-6] + h.T @ (yhat - y)", "index -6 is out of range"),
    ("dW2 = W1[0, 9] + h.T @ (yhat - y)", "axis 1"),
    ("dW2 = W1[..., -9] + h.T @ (yhat - y)", "axis 1"),
    ("dW2 = onehot(7, Dy) + h.T @ (yhat - y)", "the label 7 is not a class"),
    ("dW2 = reshape(W1, (-1, 7)) + h.T @ (yhat - y)", "not a whole dimension"),
    ("dW2 = h.T @ (yhat - y) / (Dy - Dy)", "divides by zero"),
])
def test_a_literal_out_of_range_in_an_answer_is_a_located_error(answer, says):
    from tutor.judge.check import check
    from tutor.engine.language.network import load
    result = check(load("default"), "W2", answer, {"Dx": 5, "H": 3, "Dy": 4})
    assert result.verdict in ("unusable", "shape_error") and result.diagnostics
    first = result.diagnostics[0]
    assert says in first.message and first.span is not None and first.span.line == 1
    done = in_process("check", "default", "--wrt", "W2", "--dims", "Dx=5,H=3,Dy=4", "--json", answer)
    assert done.returncode in (1, 2) and "Traceback" not in done.stderr and says in done.stdout


@pytest.mark.parametrize("line, says", [
    ("q = W1[5]", "index 5 is out of range"), ("q = b1[3]", "index 3"), ("q = W1[-6]", "index -6"),
    ("q = onehot(7, H)", "label 7"), ("q = reshape(W1, (-1, 7))", "not a whole dimension"),
    ("q = x / (Dx - Dx)", "divides by zero"),
])
def test_a_literal_out_of_range_in_a_network_is_a_located_error(tmp_path, monkeypatch, line, says):
    (tmp_path / "t.net").write_text(f"x: [1, Dx]\nW1: [Dx, H]\nb1: [H]\nz = x @ W1 + b1\n{line}\nJ = sum(z) + sum(q)\n")
    monkeypatch.chdir(tmp_path)
    done = in_process("derive", "t.net", "--dims", "Dx=5,H=3")
    assert done.returncode == 2 and says in done.stderr and "t.net:5:" in done.stderr, done.stderr


@pytest.mark.parametrize("line, says", [
    ("q = -log(P[range(N), y])", "y holds labels below C (= 7 here), but it picks along axis 1"),
    ("q = onehot(y, K) * P", "y holds labels below C (= 7 here), more classes than onehot(…, K) has (5 here)"),
])
def test_labels_with_more_classes_than_the_axis_they_pick_from_are_a_located_error(tmp_path, monkeypatch, line,
                                                                                    says):
    """`int[N] < C` picking along an axis of K: NumPy's IndexError halfway through the check was reported
    as a bug in shapetutor."""
    (tmp_path / "t.net").write_text(f"X: [N, D]\ny: int[N] < C\nW: [D, K]\nP = softmax(X @ W, axis=1)\n{line}\n"
                                    "J = sum(q)\n")
    monkeypatch.chdir(tmp_path)
    done = in_process("derive", "t.net", "--dims", "N=3,D=4,K=5,C=7")
    assert done.returncode == 2 and says in done.stderr and "t.net:5:" in done.stderr, done.stderr


def test_range_of_the_batch_picking_from_one_row_is_a_located_error(tmp_path, monkeypatch):
    (tmp_path / "t.net").write_text("x: [D]\ny: int[N] < K\nW: [D, K]\nP = softmax(x @ W)[None, :]\n"
                                    "q = -log(P[range(N), y])\nJ = sum(q)\n")
    monkeypatch.chdir(tmp_path)
    done = in_process("derive", "t.net", "--dims", "N=3,D=4,K=5")
    assert done.returncode == 2 and "t.net:5:" in done.stderr, done.stderr
    assert "range(N) holds indices below N (= 3 here), but it picks along axis 0 of q's operand, of length 1" \
        in " ".join(done.stderr.split())


def test_a_learners_labels_picking_from_too_short_an_axis_are_a_located_error():
    done = in_process("check", "cs231n", "--wrt", "W2", "--dims", "N=3,D=4,H=2,K=5",
                      "d = hidden_layer.copy()\nd[range(N), y] -= 1\ndW2 = np.dot(hidden_layer.T, d)")
    assert done.returncode == 2 and "y holds labels below K (= 5 here)" in done.stderr and ":2:1" in done.stderr


def test_mathematics_that_ends_where_more_is_expected_is_a_located_error(tmp_path, monkeypatch):
    post = (Path(__file__).parent / "catalogue" / "questions" / "written-apostrophe-transpose.md").read_text()
    (tmp_path / "q.md").write_text(post.replace("dJ/dW1 = delta1 * x'", "dJ/dW1 = d dJ/dW1"))
    monkeypatch.chdir(tmp_path)
    done = in_process("ask", "q.md")
    assert done.returncode in (1, 2) and "ends where more was expected" in done.stdout + done.stderr
    assert "internal error" not in done.stderr


def test_a_definition_swallowed_by_a_broken_label_is_an_error_not_a_crash(tmp_path, monkeypatch):
    post = (Path(__file__).parent / "catalogue" / "questions" / "written-max-relu-align.md").read_text()
    assert "\\label{eq:h}" in post
    (tmp_path / "q.md").write_text(post.replace("\\label{eq:h}", "\\label{", 1))  # the label left open
    monkeypatch.chdir(tmp_path)
    done = in_process("ask", "q.md")
    assert done.returncode == 2 and "error[" in done.stderr and "internal error" not in done.stderr, done.stderr


@pytest.mark.parametrize("written, says", [
    ("    return out.T.do, cache", "affine_forward returns out.T.do, which is not an array"),
    ("    pass", "affine_forward returns not an array"),
])
def test_a_layer_whose_forward_returns_no_array_is_located(tmp_path, monkeypatch, written, says):
    layers = (Path(__file__).parent / "catalogue" / "homework" / "cs231n" / "layers_undocumented.py").read_text()
    assert "    return out, cache" in layers
    (tmp_path / "layers.py").write_text(layers.replace("    return out, cache", written, 1))
    monkeypatch.chdir(tmp_path)
    done = in_process("check", "layers.py", "--plain")
    assert says in " ".join(done.stdout.split()) and "E100" in done.stdout
    assert "internal error" not in done.stderr and done.returncode in (1, 2)


def test_some_of_the_labels_picking_from_too_short_an_axis_are_located(tmp_path, monkeypatch):
    """word2vec with the loss no longer reading the negative samples: their bound is no longer the number of
    words, and `outsideVectors[indices[1 + i]]` in the backward lines picked past the end (NumPy's IndexError,
    reported as a bug)."""
    word2vec = (Path(__file__).parent / "catalogue" / "homework" / "cs224n" / "word2vec.py").read_text()
    line = "        z = sigmoid(-np.dot(u_k, centerWordVec))\n"
    assert word2vec.count(line) == 1
    (tmp_path / "word2vec.py").write_text(word2vec.replace(line, ""))
    monkeypatch.chdir(tmp_path)
    done = in_process("check", "word2vec.py", "--plain")
    assert "internal error" not in done.stderr and done.returncode in (1, 2)
    assert "negSampleWordIndices holds labels below V" in " ".join(done.stdout.split())


def test_a_cost_function_that_returns_nothing_is_located(tmp_path, monkeypatch):
    planar = (Path(__file__).parent / "catalogue" / "homework" / "deeplearning_ai" /
              "planar_data_classification.py").read_text()
    assert planar.count("    return cost\n") == 1
    (tmp_path / "planar.py").write_text(planar.replace("    return cost\n", "    print(cost)\n"))
    monkeypatch.chdir(tmp_path)
    done = in_process("check", "planar.py")
    assert done.returncode == 2 and "compute_cost returns no loss that can be read" in done.stderr
    assert "planar.py:" in done.stderr, done.stderr


def test_a_gradient_through_a_layer_that_ignores_its_parameter_is_zero_not_a_crash(tmp_path, monkeypatch):
    """The affine layer's forward written as a ReLU: w and b do not reach the output, their gradients are
    zero, and a wrong-shaped dw is compared with that zero (the comparison crashed on a missing truth)."""
    layers = (Path(__file__).parent / "catalogue" / "homework" / "cs231n" / "layers_undocumented.py").read_text()
    affine = "    out = x.reshape(x.shape[0], -1).dot(w) + b\n"
    assert affine in layers
    (tmp_path / "layers.py").write_text(layers.replace(affine, "    out = np.maximum(0, x)\n", 1))
    monkeypatch.chdir(tmp_path)
    done = in_process("check", "layers.py")
    assert done.returncode == 1 and "internal error" not in done.stderr and "E210" in done.stdout


def test_a_stray_dollar_in_a_net_file_is_its_syntax_error_and_the_same_text_as_mathematics_is_read(tmp_path,
                                                                                                   monkeypatch):
    """A .net file is the network language (a `$` typed into it is a syntax error at its place, not a
    reason to read the file as LaTeX); the same text in a .txt file is read as mathematics, where every
    letter N, D, M, K, P, Q is taken and a guessed matrix needs sizes of other names."""
    attention = (ROOT / "tutor" / "examples" / "attention.net").read_text()
    broken = attention.replace("Vh = V.transpose(0, 2, 1, 3)\n", "Vh = V.transpose(0, 2, 1, 3) Qh @ swa$paxes(", 1)
    assert broken != attention
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.net").write_text(broken)
    done = in_process("derive", "a.net")
    assert done.returncode == 2 and "syntax error" in done.stderr and "a.net:" in done.stderr, done.stderr
    (tmp_path / "a.txt").write_text(broken)
    done = in_process("derive", "a.txt")
    assert done.returncode == 2 and "error[" in done.stderr and "internal error" not in done.stderr, done.stderr


@pytest.mark.parametrize("term", ["(1e200 * x) ** 2", "x / (1e-200 * 1e-200)"])
def test_constant_folding_that_overflows_is_not_a_crash(tmp_path, term):
    (tmp_path / "o.net").write_text(f"x: [N, D]\nJ = sum({term})\n")
    done = run("derive", "o.net", cwd=tmp_path)
    assert done.returncode == 2 and ("overflows" in done.stderr or "divides by zero" in done.stderr), done.stderr
    assert "bug" not in done.stderr


# -- 4. the self-check never calls a right formula a bug ------------------------------------------------------

@pytest.mark.parametrize("loss, why", [
    ("sum(sigmoid(1000 * x))", "float64"), ("sum(sigmoid(1000 * x + 40))", "overflows"),
    ("sum(x ** 1e-300)", "rounding"),
])
def test_where_float64_cannot_decide_the_check_says_so(loss, why):
    from tutor.teach.derivation import derive
    result = derive(parse_network(f"x: [N, D]\nJ = {loss}\n"), {"N": 2, "D": 3})
    v = result.verification
    assert not v.ok and why in v.inconclusive  # never called verified, never called a bug
    assert result.verification_json()["verified"] is False and result.verification_json()["inconclusive"]


def test_a_gradient_that_is_rounding_noise_is_never_called_a_bug():
    """Twenty softmaxes summed: the gradient is zero in exact arithmetic and rounding noise in float64.
    Some draws see the formula and the complex step round alike (verified, rightly: the formula is the
    gradient), others see them differ; those must say float64 cannot decide, never that it is wrong."""
    from tutor.engine.numbers.verify import verify
    from tutor.teach.derivation import derive
    network = parse_network("x: [N, D]\nJ = sum(" + "softmax(" * 20 + "x" + ", axis=1)" * 20 + ")\n")
    formulas = {k: g.formula for k, g in derive(network, {"N": 2, "D": 3}, check=False).gradients.items()}
    outcomes = [verify(network, formulas, {"N": 2, "D": 3}, seed=seed) for seed in range(8)]
    assert all(v.ok or "rounding" in v.inconclusive for v in outcomes)
    assert any("rounding" in v.inconclusive for v in outcomes)  # the draws do reach the undecidable case


def test_an_inconclusive_check_exits_0_and_says_why(tmp_path):
    (tmp_path / "steep.net").write_text("x: [N, D]\nJ = sum(sigmoid(1000 * x))\n")
    done = run("derive", "steep.net", cwd=tmp_path)
    assert done.returncode == 0 and "inconclusive" in done.stdout and "bug" not in done.stdout + done.stderr


def test_a_wrong_formula_is_still_a_failed_check():
    from tutor.engine.numbers.verify import verify
    from tutor.engine.simplify.build import mk
    network = parse_network("x: [N, D]\nJ = sum(tanh(x))\n")
    x = Var("x", shape=network.shapes["x"])
    wrong = mk("sub", x, mk("mul", x, x))  # the derivative of sum(tanh(x)) is 1 - tanh(x)², not x - x²
    v = verify(network, {"x": wrong}, {"N": 2, "D": 3})
    assert not v.ok and not v.inconclusive and v.failed_leaves == ["x"]


def test_an_einsum_with_an_ellipsis_and_three_operands_is_priced():
    from tutor.engine.numbers.budget import einsum_cost, without_ellipsis
    network = parse_network("A: [B, N, K]\nW: [K, M]\nC: [M, P]\nJ = sum(A)\n")
    shapes = [network.shapes["A"], network.shapes["W"], network.shapes["C"]]
    assert without_ellipsis("...k,km,mp->...p", shapes) == "ABk,km,mp->ABp"
    sizes = {"B": 2, "N": 3, "K": 4, "M": 5, "P": 6}
    assert einsum_cost("...k,km,mp->...p", shapes, sizes) == einsum_cost("bnk,km,mp->bnp", shapes, sizes)


ATTENTION = """X: [B, T, E]
Wq: [E, D]
Wk: [E, D]
Wv: [E, D]
Q = X @ Wq
K = X @ Wk
V = X @ Wv
S = Q @ swapaxes(K, -1, -2) / sqrt(D)
A = softmax(S, axis=-1)
O = A @ V
J = sum(O ** 2)
"""


def test_walk_shows_the_numbers_of_a_rank_3_attention(tmp_path):
    (tmp_path / "att.net").write_text(ATTENTION)
    done = run("walk", "att.net", "--wrt", "Wq", "--dims", "B=2,T=3,E=5,D=4", "--no-quiz", cwd=tmp_path)
    assert done.returncode == 0 and "first axes down the rows" in done.stdout, done.stderr


def test_a_table_of_numbers_is_bounded_by_the_screen():
    import numpy as np
    from rich.console import Console
    from tutor.front.look import Look
    from tutor.front.render import matrix_table
    console = Console(width=200, record=True, file=open(os.devnull, "w"))
    console.print(matrix_table(np.ones((400, 300)), Look()))
    text = console.export_text()
    assert len(text.splitlines()) < 20 and "388 more rows and 290 more columns" in text


# -- 5. no process-wide state changed by a library call ---------------------------------------------------

def test_derivations_in_threads_leave_the_recursion_limit_as_it_was():
    import threading
    import tutor
    before = sys.getrecursionlimit()
    errors = []

    def work():
        try:
            for _ in range(3):
                tutor.derive("default", verify=False)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sys.getrecursionlimit() == before


def test_a_thread_entering_while_the_last_one_waits_to_leave_never_keeps_the_raised_limit():
    """The last thread out waits for a parse to end before it puts the limit back; one that enters
    meanwhile must not take the raised limit for the one to restore (it would stay raised for good)."""
    import threading
    from tutor.engine.language import ir
    before = sys.getrecursionlimit()
    for _ in range(20):
        inside, leave = threading.Event(), threading.Event()

        def first():
            with ir.deep_recursion():
                inside.set()
                leave.wait()

        def second():
            with ir.deep_recursion():
                pass
        a = threading.Thread(target=first)
        a.start()
        inside.wait()
        with ir._ROOM:
            ir._parsing += 1          # a parse in another thread holds the limit where it is
        leave.set()
        time.sleep(0.01)              # the first thread is now waiting to leave
        b = threading.Thread(target=second)
        b.start()
        time.sleep(0.01)
        with ir._ROOM:
            ir._parsing -= 1
            ir._ROOM.notify_all()
        a.join()
        b.join()
        assert sys.getrecursionlimit() == before


def test_nested_and_interleaved_rooms_restore_the_limit():
    from tutor.engine.language.ir import deep_recursion
    before = sys.getrecursionlimit()
    outer = deep_recursion()
    outer.__enter__()
    inner = deep_recursion()
    inner.__enter__()
    outer.__exit__(None, None, None)  # the first out is not the last: the room stays
    assert sys.getrecursionlimit() >= 50_000
    inner.__exit__(None, None, None)
    assert sys.getrecursionlimit() == before


@pytest.mark.parametrize("call", [
    lambda tutor: tutor.load(""), lambda tutor: tutor.load("   "),
    lambda tutor: tutor.derive("default", dims={"Dx=3,H": 4}),
    lambda tutor: tutor.derive("default", dims={"Dx": "3,H=4"}),
    lambda tutor: tutor.derive("default", dims={"Dx": 2.5}),
    lambda tutor: tutor.derive("default", dims={"Dx": True}),
    lambda tutor: tutor.derive("default", dims={3: 4}),
    lambda tutor: tutor.derive("default", wrt=["W1"]),
    lambda tutor: tutor.derive("default", wrt=""),
    lambda tutor: tutor.check("default", ["W1"], "x.T @ dz1"),
    lambda tutor: tutor.check("default", "", "x.T @ dz1"),
], ids=["empty", "blank", "spliced key", "spliced value", "float", "bool", "int key", "wrt list", "wrt empty",
        "check wrt list", "check wrt empty"])
def test_the_python_api_refuses_bad_arguments_with_its_own_error(call):
    import tutor
    with pytest.raises(tutor.ShapetutorError):
        call(tutor)


def test_the_python_api_still_takes_numpy_integers_for_sizes():
    import numpy as np
    import tutor
    assert tutor.derive("default", dims={"Dx": np.int64(5)}, verify=False).dims["Dx"] == 5


def test_a_valid_long_export_name_is_written(tmp_path):
    from tutor.engine.files import replace_file
    name = "é" * 100 + "x" * 49 + ".md"  # 252 bytes: a name the file system takes
    target = tmp_path / name
    replace_file(str(target), b"text")
    assert target.read_bytes() == b"text" and sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_check_watch_json_on_an_ascii_stdout_writes_json(tmp_path):
    import json
    import signal
    answer = tmp_path / "answer.py"
    answer.write_text("dW2 = h.T @ (yhat - y) * ññ\n", encoding="utf-8")  # named in the message
    child = subprocess.Popen([sys.executable, "-m", "tutor", "check", "default", "--wrt", "W2", "--file", str(answer),
                              "--watch", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
                             env=dict(os.environ, PYTHONIOENCODING="ascii", LANG="C", LC_ALL="C"))
    try:
        first = child.stdout.readline()
    finally:
        child.send_signal(signal.SIGINT)
        child.communicate(timeout=30)
    document = json.loads(first)  # one document per line, even where stdout is ASCII
    assert first.isascii() and "ññ" in document["diagnostics"][0]["message"]


# -- 2. (continued) limits counted as documented, reached in time --------------------------------------------

def test_a_flat_sum_of_101_terms_is_not_nested_too_deeply():
    terms = " + ".join(f"x{i}" for i in range(101))
    leaves = "\n".join(f"x{i}: [N]" for i in range(101))
    network = parse_network(f"{leaves}\nJ = sum({terms})\n")
    assert len(network.leaves) == 101
    with pytest.raises(Exception, match="nested too deeply"):
        parse_network("x: [N]\nJ = sum(" + "tanh(" * 120 + "x" + ")" * 120 + ")\n")


def test_the_character_limit_counts_characters_not_bytes(tmp_path):
    line = "dz2 = yhat - y  # " + "é" * 180          # two bytes a character: 1.9 MB for under 1,000,000 characters
    text = "\n".join([line] * 4990 + ["dW2 = h.T @ dz2"]) + "\n"
    assert len(text) < 1_000_000 < len(text.encode())
    (tmp_path / "answer.py").write_text(text, encoding="utf-8")
    start = time.perf_counter()
    done = run("check", "default", "--wrt", "W2", "--file", "answer.py", "--json", cwd=tmp_path)
    assert done.returncode == 0 and '"correct"' in done.stdout, done.stderr[-500:]
    assert time.perf_counter() - start < 60
    (tmp_path / "answer.py").write_text(text + "# " + "é" * 20_000 + "\n", encoding="utf-8")
    done = run("check", "default", "--wrt", "W2", "--file", "answer.py", "--json", cwd=tmp_path)
    assert done.returncode == 2 and "characters; the limit is 1,000,000" in done.stderr


def test_statement_texts_are_cut_from_lines_split_once():
    import ast
    from tutor.judge.evaluate import source_segments
    for text in ["a = 1\nb = (2 +\n  3)\r\nc = 'é' ; d = 4\rz = 5\n", "x = ñ + 1;y=2\n\n  \nw = (1,\n2,\n3)",
                 "q = 1 \x0c+ 2\nr=3", "s = 1  # \u2028 a comment\nt = 3"]:
        body = ast.parse(text).body
        assert source_segments(text, body) == tuple(ast.get_source_segment(text, s) or "" for s in body)
    text = "\n".join(f"d{i} = yhat - y" for i in range(20_000))
    body = ast.parse(text).body
    assert seconds(lambda: source_segments(text, body)) < 5


def test_a_long_shape_answer_is_read_in_linear_time_and_huge_numbers_are_refused():
    from tutor.teach.answers import AnswerError, parse_shape
    symbols = {"H", "Dx", "h", "d", "B", "T"}
    assert parse_shape("B×T×h*d", symbols) == parse_shape("B, T, h*d", symbols)
    def cpu(work) -> float:  # CPU time after a collection: neither a loaded machine nor the worker's heap counts
        gc.collect()
        start = time.process_time()
        work()
        return time.process_time() - start
    small = min(cpu(lambda: parse_shape("H x " * 10_000, symbols)) for _ in range(2))
    large = cpu(lambda: parse_shape("H x " * 100_000, symbols))  # 400 KB
    assert large < 40 * max(small, 0.01)   # linear, about 12× here (quadratic would be 100×)
    with pytest.raises(AnswerError, match="5,000 digits"):
        parse_shape("9" * 5000, symbols)


@pytest.mark.parametrize("number", ["9" * 5000, "0x" + "f" * 5000])
def test_an_integer_past_pythons_digit_limit_is_a_located_number_error(number):
    from tutor.engine.errors import ParseError
    with pytest.raises(ParseError, match="this number is too large") as caught:
        parse_network(f"x: [1, D]\nJ = sum(x) * {number}\n")
    assert caught.value.span.line == 2 and caught.value.span.col == 13


def test_a_network_past_its_definition_limit_is_refused_at_once_and_located():
    from tutor.engine.errors import ParseError
    lines = ["x: [N, D]"] + [f"a{i} = tanh({'x' if i == 0 else f'a{i - 1}'})" for i in range(1200)] + ["J = sum(a1199)"]
    start = time.perf_counter()
    with pytest.raises(ParseError, match="1,201 definitions; the limit is 1,000") as caught:
        parse_network("\n".join(lines) + "\n")
    assert caught.value.span.line == 1002 and time.perf_counter() - start < 5
    many_leaves = "\n".join(f"x{i}: [N]" for i in range(2000)) + "\nJ = sum(x0)\n"
    assert len(parse_network(many_leaves).leaves) == 2000  # declarations are not definitions


# -- every documented limit reached in time (issue 25, what was left) ------------------------------------------

def test_a_gradient_of_1e_155_is_checked_not_an_internal_error():
    """The check's normalisation squared a scale of about 1e155 and Python raised OverflowError (exit 3); a
    999-layer network of products, tanh and SiLU reached it too."""
    from tutor.teach.derivation import derive
    network = parse_network("x: [N]\nJ = sum(x * 1e-155)\n")
    assert derive(network).verification.ok
