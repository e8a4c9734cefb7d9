"""`check FILE.py` on files written to test one thing each: what is read, what is refused, and that nothing runs."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tutor
from tutor.homework.judge import check_file, parse_sets

CATALOGUE = Path(__file__).parent / "catalogue" / "homework"
TWO_LAYER = CATALOGUE / "cs231n" / "two_layer_net.py"


def shapetutor(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tutor", *args], capture_output=True, text=True, timeout=timeout)


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "homework.py"
    path.write_text(body)
    return path


ENTRY = '''import numpy as np

def softmax_loss(x, y):
    """
    - x: Input data, of shape (N, C)
    - y: Vector of labels, of shape (N,) where 0 <= y[i] < C
    """
    N = x.shape[0]
{body}
    return loss, dx
'''


def loss_file(tmp_path: Path, body: str) -> Path:
    return write(tmp_path, ENTRY.format(body="\n".join("    " + line for line in body.strip().splitlines())))


def test_nothing_in_the_file_is_run(tmp_path):
    marker = tmp_path / "ran"
    path = write(tmp_path, f"import os\nos.system('touch {marker}')\nopen({str(marker)!r}, 'w')\n"
                           + TWO_LAYER.read_text())
    result = check_file(str(path))
    assert result.correct
    assert not marker.exists()


def test_a_call_outside_the_allowlist_is_refused_with_its_place(tmp_path):
    path = loss_file(tmp_path, "open('/tmp/shapetutor-marker', 'w')\nloss = np.sum(x)\ndx = np.ones_like(x)")
    run = shapetutor("check", str(path), "--json")
    assert run.returncode == 2
    data = json.loads(run.stdout)
    assert data["verdict"] == "unusable" and data["diagnostics"][0]["line"] == 9
    assert "Traceback" not in run.stderr and f"{path}:9:" in run.stderr
    assert not Path("/tmp/shapetutor-marker").exists()


@pytest.mark.parametrize("body, words", [
    ("while True:\n    pass\nloss = np.sum(x)\ndx = np.ones_like(x)", "while"),
    ("for i in range(10 ** 9):\n    x = x + 1\nloss = np.sum(x)\ndx = np.ones_like(x)", "at most"),
    ("t = [x for i in range(10 ** 9)]\nloss = np.sum(x)\ndx = np.ones_like(x)", "at most"),
    ("s = 'a' * 10 ** 9\nloss = np.sum(x)\ndx = np.ones_like(x)", "cannot be computed"),
    ("loss = softmax_loss(x, y)\ndx = x", "deep"),
    ("if np.sum(x) > 0:\n    x = -x\nloss = np.sum(x)\ndx = np.ones_like(x)", "--set"),
    ("k = 1 / 0\nloss = np.sum(x)\ndx = np.ones_like(x)", "cannot be computed"),
    ("k = [1, 2][5]\nloss = np.sum(x)\ndx = np.ones_like(x)", "out of range"),
])
def test_a_form_that_cannot_be_followed_exits_2_at_once_and_located(tmp_path, body, words):
    path = loss_file(tmp_path, body)
    run = shapetutor("check", str(path), "--json", timeout=60)
    assert run.returncode == 2, run.stderr
    data = json.loads(run.stdout)
    assert data["verdict"] == "unusable"
    diagnostic = data["diagnostics"][0]
    assert diagnostic["line"] is not None
    assert words in diagnostic["message"] + diagnostic.get("expected", "")
    assert "Traceback" not in run.stderr


def test_a_syntax_error_in_the_file_is_located(tmp_path):
    path = write(tmp_path, "def loss(X, y):\n    return X +\n")
    run = shapetutor("check", str(path))
    assert run.returncode == 2 and f"{path}:2:" in run.stderr and "Traceback" not in run.stderr


def test_a_missing_file_exits_2():
    run = shapetutor("check", "no/such/two_layer_net.py")
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_a_loss_function_with_its_gradient_is_judged_and_a_wrong_one_is_not_correct(tmp_path):
    right = ("p = np.exp(x - np.max(x, axis=1, keepdims=True))\np /= np.sum(p, axis=1, keepdims=True)\n"
             "loss = -np.sum(np.log(p[np.arange(N), y])) / N\ndx = p.copy()\ndx[np.arange(N), y] -= 1\ndx /= N")
    assert check_file(str(loss_file(tmp_path, right))).correct
    wrong = right.replace("dx /= N", "dx /= N\ndx = dx.T")
    result = check_file(str(loss_file(tmp_path, wrong)))
    assert result.gradients["dx"].verdict in ("wrong_shape", "transposed")


def test_wrt_judges_one_gradient_and_function_picks_the_entry():
    run = shapetutor("check", str(TWO_LAYER), "--wrt", "W1", "--json")
    assert run.returncode == 0
    assert list(json.loads(run.stdout)["gradients"]) == ["W1"]
    unknown = shapetutor("check", str(TWO_LAYER), "--function", "nope")
    assert unknown.returncode == 2 and "TwoLayerNet.loss" in unknown.stderr
    layers = shapetutor("check", str(CATALOGUE / "cs231n" / "layers.py"), "--function", "affine_backward", "--json")
    assert json.loads(layers.stdout)["entry"] == "affine_forward/affine_backward"
    assert set(json.loads(layers.stdout)["gradients"]) == {"dx", "dw", "db"}


def test_a_diagnostic_is_located_in_the_learners_file():
    path = CATALOGUE / "deeplearning_ai" / "mistakes" / "planar_data_classification__missing_transpose.py"
    run = shapetutor("check", str(path))
    assert run.returncode == 1
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "np.dot(dZ2, A1)" in text)
    assert f"{path}:{line}:" in run.stdout


def test_shapes_and_derive_print_the_network_read_from_the_file():
    run = shapetutor("shapes", str(TWO_LAYER))
    assert run.returncode == 0
    text = "\n".join(line for line in run.stdout.splitlines() if not line.startswith("#"))
    network = tutor.load(text)
    assert network.loss == "loss" and network.leaves["W1"] == ("input_size", "hidden_size")
    derive = shapetutor("derive", str(TWO_LAYER), "--json")
    assert json.loads(derive.stdout)["nodes"]["X"]["shape"] == ["N", "input_size"]


def test_settings_and_shapes_from_the_command_line(tmp_path):
    assert parse_sets("hidden_dims=[4,3],keep_prob=0.8,normalization=batchnorm") == {
        "hidden_dims": [4, 3], "keep_prob": 0.8, "normalization": "batchnorm"}
    path = write(tmp_path, "import numpy as np\n\ndef loss(X, W):\n    s = X.dot(W)\n    loss = np.sum(s * s)\n"
                           "    dW = 2 * X.T.dot(s)\n    return loss, dW\n")
    result = check_file(str(path), shapes={"X": ("float", ["N", "D"], None), "W": ("float", ["D", "K"], None)})
    assert result.correct and result.network.leaves["X"] == tuple(result.network.leaves["X"])
    assert tutor.check_file(path, shapes="X: [N, D]; W: [D, K]").correct
    nielsen = tutor.check_file(CATALOGUE / "nielsen" / "network.py", settings="sizes=[3,4,2]")
    assert nielsen.correct and set(nielsen.gradients) == {"biases[0]", "biases[1]", "weights[0]", "weights[1]"}


def test_assert_correct_takes_a_file_for_an_autograder_cell():
    assert tutor.assert_correct(str(TWO_LAYER)).correct
    with pytest.raises(AssertionError, match="wrong"):
        tutor.assert_correct(str(CATALOGUE / "cs231n" / "mistakes" / "two_layer_net__missing_relu_mask.py"),
                             suggestion=False)


def test_watch_checks_the_file_again_on_every_save(tmp_path):
    import os
    import signal
    import time
    path = tmp_path / "two_layer_net.py"
    wrong = (CATALOGUE / "cs231n" / "mistakes" / "two_layer_net__missing_relu_mask.py").read_text()
    path.write_text(wrong)
    out_path = tmp_path / "out.txt"
    with open(out_path, "w") as out, open(tmp_path / "err.txt", "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "tutor", "check", str(path), "--watch", "--json"],
                                stdout=out, stderr=err)
        try:
            def wait_for(documents: int) -> None:
                deadline = time.monotonic() + 120
                while out_path.read_text().count("\n") < documents:
                    assert proc.poll() is None and time.monotonic() < deadline
                    time.sleep(0.1)
            wait_for(1)
            temp = tmp_path / "next.tmp"
            temp.write_text(TWO_LAYER.read_text())
            os.replace(temp, path)
            wait_for(2)
        finally:
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=60)
    documents = [json.loads(line) for line in out_path.read_text().splitlines()]
    assert [d["verdict"] for d in documents] == ["wrong_value", "correct"] and code == 0


def test_mathematics_in_a_docstring_is_prose_not_code(tmp_path):
    """A helper's docstring may say ∂C/∂a or xᵀ: strings and comments are never refused as the printed
    math form; the same characters in code still are."""
    prose = ENTRY.format(body='''    p = np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)
    loss = -np.sum(np.log(p[np.arange(N), y])) / N
    dx = grad(p, y, N)''') + '''

def grad(p, y, N):
    """∂L/∂x = (ŷ − y) / N, with ŷ the softmax's output."""
    d = p.copy()
    d[np.arange(N), y] -= 1
    return d / N
'''
    assert check_file(str(write(tmp_path, prose))).correct
    code = prose.replace("    return d / N", "    return d / N − 0")
    result = check_file(str(write(tmp_path, code)))
    assert not result.correct
    assert any("printed math form" in d.message for g in result.gradients.values() for d in g.diagnostics) or \
        any("printed math form" in d.message for d in result.diagnostics)


def test_a_helpers_result_takes_the_name_its_caller_gives_it(tmp_path):
    """deeplearning.ai's `sigmoid` writes `s = 1 / (1 + np.exp(-x)); return s`: the value is A1 or A2 where the
    learner calls it, so the network and the suggestions read A2, never the helper's own s."""
    path = write(tmp_path, '''import numpy as np

def sigmoid(x):
    s = 1 / (1 + np.exp(-x))
    return s

def loss(X, W1, W2):
    """
    - X: of shape (N, D)
    - W1: of shape (D, H)
    - W2: of shape (H, C)
    """
    A1 = sigmoid(X.dot(W1))
    A2 = sigmoid(A1.dot(W2))
    loss = np.sum(A2)
    dA2 = np.ones_like(A2)
    dZ2 = dA2 * A2 * (1 - A2)
    dW2 = A1.T.dot(dZ2)
    dZ1 = dZ2.dot(W2.T) * A1 * (1 - A1)
    dW1 = X.T.dot(dZ1)
    return loss, {"W1": dW1, "W2": dW2}
''')
    result = check_file(str(path))
    assert result.correct, [d.message for d in result.diagnostics]
    assert {"A1", "A2"} <= set(result.network.definitions) and "s" not in result.network.definitions
    wrong = check_file(str(write(tmp_path, path.read_text().replace("* A1 * (1 - A1)", ""))))
    suggestion = wrong.gradients["W1"].result.suggestion
    assert "A1 * (1 - A1)" in suggestion and "(1 - s)" not in suggestion, suggestion


def test_a_name_assigned_twice_keeps_the_learners_name_on_its_last_value(tmp_path):
    """`cost = np.squeeze(cost)`: the loss a learner reads is ∂cost/∂W, as the network language names it (the
    last value of a name is the name, the earlier ones are numbered)."""
    path = write(tmp_path, '''import numpy as np

def loss(X, W, y):
    """
    - X: of shape (N, D)
    - W: of shape (D, 1)
    - y: of shape (N, 1)
    """
    h = X.dot(W)
    h = np.tanh(h)
    cost = np.sum((h - y) ** 2)
    cost = np.squeeze(cost)
    dh = 2 * (h - y)
    dW = X.T.dot(dh * (1 - h ** 2))
    return cost, dW
''')
    result = check_file(str(path))
    assert result.correct, [d.message for d in result.diagnostics]
    assert result.network.loss == "cost"
    assert {"h_1", "h", "cost_1", "cost"} <= set(result.network.definitions)
    assert "cost_2" not in result.network_text and "h_2" not in result.network_text
    wrong = check_file(str(write(tmp_path, path.read_text().replace(" * (1 - h ** 2)", ""))))
    assert wrong.gradients["dW"].verdict == "wrong_value"
    assert "∂cost/∂W" in shown(wrong) and "cost_2" not in shown(wrong)


def shown(result) -> str:
    """What the terminal shows for a file's result."""
    from io import StringIO

    from rich.console import Console

    from tutor.front.homework import file_view
    from tutor.front.look import Look
    out = StringIO()
    Console(file=out, width=120, color_system=None).print(file_view(result, Look(unicode=True)))
    return out.getvalue()


SIGMOID_NET = '''import numpy as np

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))

def loss(X, y, W1, b1, W2, b2):
    """
    - X: of shape (N, D)
    - y: labels of shape (N,), 0 <= y[i] < C
    - W1: of shape (D, H)
    - b1: of shape (H,)
    - W2: of shape (H, C)
    - b2: of shape (C,)
    """
    N = X.shape[0]
    A1 = sigmoid(X.dot(W1) + b1)
    scores = A1.dot(W2) + b2
    probs = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[np.arange(N), y])) / N
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dW2 = A1.T.dot(dscores)
    db2 = np.sum(dscores, axis=0)
    dA1 = dscores.dot(W2.T)
    dZ = dA1 * A1 * (1 - A1)
    dW1 = X.T.dot(dZ)
    db1 = np.sum(dZ, axis=0)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
'''


def test_a_missing_sigma_prime_without_a_named_z_is_named_once(tmp_path):
    """The file's own sigmoid helper is the language's sigmoid: σ′ left out is named, in one diagnosis."""
    assert check_file(str(write(tmp_path, SIGMOID_NET))).correct
    result = check_file(str(write(tmp_path, SIGMOID_NET.replace("dA1 * A1 * (1 - A1)", "dA1"))))
    for key in ("W1", "b1"):
        judged = result.gradients[key]
        assert judged.verdict == "wrong_value"
        errors = [d for d in judged.diagnostics if d.severity == "error"]
        assert len(errors) == 1, [d.message for d in errors]
        assert "sigmoid's derivative is missing" in errors[0].message


def test_a_helper_named_sigmoid_that_computes_something_else_is_read_as_written(tmp_path):
    wrong_helper = SIGMOID_NET.replace("np.exp(-z)", "np.exp(z)")
    result = check_file(str(write(tmp_path, wrong_helper)))
    assert "1.0 / (1.0 + np.exp(" in result.network_text and "sigmoid(" not in result.network_text
    assert not result.gradients["W1"].verdict == "correct"  # dA1 * A1 * (1 - A1) is not this function's derivative


def test_one_mistake_in_a_step_is_one_diagnosis_at_that_step():
    """deeplearning.ai's dZ1 with the sigmoid's derivative for a tanh layer: the diagnosis is at dZ1 and names
    the mistake; the answer built on it is not diagnosed a second time."""
    path = CATALOGUE / "deeplearning_ai" / "mistakes" / "planar_data_classification__wrong_tanh_derivative.py"
    result = check_file(str(path))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if text.strip().startswith("dZ1 ="))
    for key in ("dW1", "db1"):
        errors = [d for d in result.gradients[key].diagnostics if d.severity == "error"]
        assert len(errors) == 1 and errors[0].line == line, [(d.code, d.line, d.message) for d in errors]
        assert "sigmoid's derivative" in errors[0].message and "tanh" in errors[0].message


@pytest.mark.parametrize("body, words", [
    ("class A(B):\n    def loss(self, X, y):\n        return 1, {}\nclass B(A):\n    pass\n", "no loss"),
    ("import numpy as np\nclass A:\n    def __init__(self):\n        self.b = A()\n    def loss(self, X, y):\n"
     "        return 1, {}\n", "deep"),
])
def test_hostile_class_structures_are_refused_not_crashed(tmp_path, body, words):
    run = shapetutor("check", str(write(tmp_path, body)), "--json", timeout=60)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    diagnostic = json.loads(run.stdout)["diagnostics"][0]
    assert words in diagnostic["message"] + diagnostic.get("expected", "")


def test_a_function_defined_inside_the_entry_returns_for_itself(tmp_path):
    path = loss_file(tmp_path, """def twice(a):
    return a * 2
s = twice(x)
loss = np.sum(s * s)
dx = 8 * x""")
    result = check_file(str(path))
    assert set(result.gradients) == {"dx"} and result.correct


def test_two_sizes_a_docstring_gives_one_array_are_never_made_one(tmp_path):
    """X: (N, C) and X @ X: a shape error at the product, not N and C taken to be equal."""
    path = loss_file(tmp_path, "x = x @ x\nloss = np.sum(x)\ndx = np.ones_like(x)")
    result = check_file(str(path))
    assert not result.correct
    assert result.diagnostics and result.diagnostics[0].code == "E201"


GOOGLE = '''import numpy as np


def softmax_loss(W: np.ndarray, X: np.ndarray, y: np.ndarray, reg: float = 0.0):
    """Softmax loss and its gradient.

    Args:
        W (np.ndarray): weights of shape (D, C).
        X (np.ndarray): a minibatch of shape (N, D).
        y (np.ndarray): labels of shape (N,), each 0 <= y[i] < C.
        reg (float): L2 strength.
    """
    n = X.shape[0]
    scores = X @ W
    scores -= scores.max(axis=1, keepdims=True)
    p = np.exp(scores)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(n), y]).mean() + reg * np.sum(W * W)
    p[np.arange(n), y] -= 1
    dW = X.T @ p / n + 2 * reg * W
    return loss, dW
'''


def test_google_style_docstrings_give_the_shapes(tmp_path):
    result = check_file(str(write(tmp_path, GOOGLE)))
    assert result.correct, [d.message for d in result.diagnostics]
    assert tuple(map(str, result.network.leaves["W"])) == ("D", "C")
    assert tuple(map(str, result.network.leaves["X"])) == ("N", "D")
    wrong = check_file(str(write(tmp_path, GOOGLE.replace("+ 2 * reg * W", "+ reg * W"))))
    assert wrong.gradients["dW"].verdict == "wrong_value"


LAYER_WITH_DICTS = '''import numpy as np


class Linear:
    def __init__(self, in_dim, out_dim):
        self.params = {"W": np.random.randn(in_dim, out_dim) * 0.01, "b": np.zeros(out_dim)}
        self.grads = {}

    @property
    def W(self):
        return self.params["W"]

    def forward(self, x):
        self.x = x
        return x @ self.W + self.params["b"]

    def backward(self, dout):
        self.grads["W"] = self.x.T @ dout
        self.grads["b"] = dout.sum(axis=0)
        return dout @ self.params["W"].T
'''


def test_a_layer_keeping_params_and_grads_in_dicts_with_a_property(tmp_path):
    result = check_file(str(write(tmp_path, LAYER_WITH_DICTS)))
    assert result.correct, [d.message for d in result.diagnostics]
    assert set(result.gradients) == {"Linear.W", "Linear.b", "Linear.x"}
    wrong = check_file(str(write(tmp_path, LAYER_WITH_DICTS.replace("self.x.T @ dout", "dout.T @ self.x"))))
    assert wrong.gradients["Linear.W"].verdict == "transposed"


SHAPES_ON_ONE_LINE = '''import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward_backward(X, Y, W1, b1, W2, b2):
    """X: (n_x, m), Y: (1, m), W1: (n_h, n_x), b1: (n_h, 1), W2: (1, n_h), b2: (1, 1)"""
    m = X.shape[1]
    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    cost = -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m
    cost = np.squeeze(cost)
    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = np.dot(W2.T, dZ2) * (1 - A1 ** 2)
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return cost, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
'''


def test_a_function_returning_its_cost_and_a_dict_written_in_the_return_with_shapes_on_one_line(tmp_path):
    """A learner's own file: no course's function names, the shapes stated `NAME: (axes)` several to a
    line, the gradients returned as a dictionary written in the `return`."""
    result = check_file(str(write(tmp_path, SHAPES_ON_ONE_LINE)))
    assert result.correct, [d.message for d in result.diagnostics]
    assert tuple(map(str, result.network.leaves["b1"])) == ("n_h", "1")
    assert tuple(map(str, result.network.leaves["X"])) == ("n_x", "m")
    wrong = check_file(str(write(tmp_path, SHAPES_ON_ONE_LINE.replace("(1 - A1 ** 2)", "(1 - A1)"))))
    assert wrong.gradients["dW1"].verdict == "wrong_value"
    assert wrong.gradients["dW2"].verdict == "correct"


def test_a_bias_whose_shape_no_one_states_has_no_axis_of_examples(tmp_path):
    """With no shapes stated, b1 in `np.dot(W1, X) + b1` is guessed (n_h, 1), as the courses shape it: the
    sum over the examples is then right, and a gradient that forgets it is the wrong shape, not correct."""
    unstated = SHAPES_ON_ONE_LINE.replace(
        '    """X: (n_x, m), Y: (1, m), W1: (n_h, n_x), b1: (n_h, 1), W2: (1, n_h), b2: (1, 1)"""\n', "")
    result = check_file(str(write(tmp_path, unstated)))
    assert result.correct, [d.message for d in result.diagnostics]
    assert str(result.network.leaves["b1"][1]) == "1" and str(result.network.leaves["b1"][0]) != "1"
    assert str(result.network.leaves["W2"][0]) != "1"   # a weight's size is the model's: never collapsed
    unsummed = check_file(str(write(tmp_path, unstated.replace(
        "db1 = np.sum(dZ1, axis=1, keepdims=True) / m", "db1 = dZ1 / m"))))
    assert unsummed.gradients["db1"].verdict == "wrong_shape"


ROWS_UNSTATED = '''import numpy as np


def two_layer(X, y_onehot, W1, b1, W2, b2):
    N = X.shape[0]
    h = np.maximum(0, X @ W1 + b1)
    scores = h @ W2 + b2
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = -np.sum(y_onehot * np.log(probs)) / N
    dscores = (probs - y_onehot) / N
    dW2 = h.T @ dscores
    db2 = dscores.sum(axis=0)
    dh = dscores @ W2.T
    dh[h <= 0] = 0
    dW1 = X.T @ dh
    db1 = dh.sum(axis=0)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
'''


def test_row_vector_biases_whose_shape_no_one_states(tmp_path):
    """Rows of examples (`X @ W1 + b1`): an unstated bias is read as a vector, CS231n's (H,)."""
    result = check_file(str(write(tmp_path, ROWS_UNSTATED)))
    assert result.correct, {k: g.verdict for k, g in result.gradients.items()}
    assert len(result.network.leaves["b1"]) == 1
    unsummed = check_file(str(write(tmp_path, ROWS_UNSTATED.replace("db1 = dh.sum(axis=0)", "db1 = dh"))))
    assert all(g.verdict != "correct" for k, g in unsummed.gradients.items() if "b1" in k), \
        {k: g.verdict for k, g in unsummed.gradients.items()}


LINEAR_WITH_COMMENTS = '''import numpy as np


# a least-squares fit, by hand
def loss_and_grads(w, b, X, y):
    # X is (N, D), y is (N,), w is (D,), b is a scalar
    N = X.shape[0]
    pred = X.dot(w) + b
    err = pred - y
    loss = np.mean(err ** 2)
    dw = 2 * X.T.dot(err) / N
    db = 2 * np.mean(err)
    return loss, dw, db
'''


def test_shapes_said_in_a_comment_are_read(tmp_path):
    """`# X is (N, D), y is (N,), w is (D,)` inside the function: without it every array would be guessed
    a matrix, and the mean over a guessed second axis would make a right dw look short of a factor."""
    result = check_file(str(write(tmp_path, LINEAR_WITH_COMMENTS)))
    assert result.correct, [d.message for d in result.diagnostics]
    assert tuple(map(str, result.network.leaves["w"])) == ("D",)
    assert tuple(result.network.leaves["b"]) == ()
    halved = check_file(str(write(tmp_path, LINEAR_WITH_COMMENTS.replace("dw = 2 * X.T", "dw = X.T"))))
    assert halved.gradients["dw"].verdict == "scaled"


TWO_LAYER_NO_DOCSTRING = """import numpy as np


class TwoLayerNet:
    def __init__(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10, weight_scale=1e-3, reg=0.0):
        self.params = {}
        self.reg = reg
        self.params["W1"] = weight_scale * np.random.randn(input_dim, hidden_dim)
        self.params["b1"] = np.zeros(hidden_dim)
        self.params["W2"] = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params["b2"] = np.zeros(num_classes)

    def loss(self, X, y=None):
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        N = X.shape[0]
        h = np.maximum(0, X.dot(W1) + b1)
        scores = h.dot(W2) + b2
        if y is None:
            return scores
        scores -= np.max(scores, axis=1, keepdims=True)
        probs = np.exp(scores)
        probs /= np.sum(probs, axis=1, keepdims=True)
        loss = -np.sum(np.log(probs[np.arange(N), y])) / N
        loss += 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        grads = {}
        dscores = probs.copy()
        dscores[np.arange(N), y] -= 1
        dscores /= N
        grads["W2"] = h.T.dot(dscores) + self.reg * W2
        grads["b2"] = np.sum(dscores, axis=0)
        dh = dscores.dot(W2.T)
        dh[h <= 0] = 0
        grads["W1"] = X.T.dot(dh) + self.reg * W1
        grads["b1"] = np.sum(dh, axis=0)
        return loss, grads
"""


def test_labels_no_one_states_are_integers_when_the_file_picks_with_them(tmp_path):
    """CS231n's two-layer net with its docstrings gone: `probs[np.arange(N), y]` says y holds class
    indices, one per example, bounded by the scores' classes."""
    result = check_file(str(write(tmp_path, TWO_LAYER_NO_DOCSTRING)))
    assert result.correct, [d.message for d in result.diagnostics]
    assert "y: int[N] < num_classes" in result.network.source   # the file names its size: N = X.shape[0]
    unscaled = check_file(str(write(tmp_path, TWO_LAYER_NO_DOCSTRING.replace("dscores /= N", "pass"))))
    assert unscaled.gradients["W2"].verdict != "correct"
    unmasked = check_file(str(write(tmp_path, TWO_LAYER_NO_DOCSTRING.replace("dh[h <= 0] = 0", "dh = dh"))))
    assert unmasked.gradients["W1"].verdict == "wrong_value"
    assert unmasked.gradients["W2"].verdict == "correct"


def test_a_forward_pass_that_needs_two_named_sizes_equal_is_a_shape_error_there(tmp_path):
    """The docstring names N and C; a division that only broadcasts when N = C (keepdims left out) is the
    learner's bug at that line, never the two sizes made one and a right backward line blamed."""
    path = write(tmp_path, '''import numpy as np


def softmax_loss(X, y, W):
    """X: (N, D), y: (N,) labels in [0, C), W: (D, C)"""
    N = X.shape[0]
    scores = X.dot(W)
    probs = np.exp(scores)
    probs /= np.sum(probs, axis=1)
    loss = -np.sum(np.log(probs[np.arange(N), y])) / N
    dscores = probs.copy()
    dscores[np.arange(N), y] -= 1
    dW = X.T.dot(dscores) / N
    return loss, dW
''')
    for extra in ([], ["--shapes", "W: [D, C]"]):
        out = shapetutor("check", str(path), *extra)
        assert out.returncode == 2, out.stdout + out.stderr
        assert "E202" in out.stderr and f"{path.name}:9:5" in out.stderr and "C does not match N" in out.stderr


PARAMETERS_UNSTATED = '''import numpy as np


def forward_propagation(X, parameters):
    """X -- input data of size (n_x, m)"""
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = 1 / (1 + np.exp(-Z2))
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache


def compute_cost(A2, Y, parameters):
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply((1 - Y), np.log(1 - A2))
    return float(np.squeeze(-np.sum(logprobs) / m))


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    W2 = parameters["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]
    dZ2 = A2 - Y
    dW2 = (1 / m) * np.dot(dZ2, A1.T)
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.multiply(np.dot(W2.T, dZ2), 1 - np.power(A1, 2))
    dW1 = (1 / m) * np.dot(dZ1, X.T)
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
'''


def test_parameters_whose_shapes_no_docstring_states_are_read_from_how_the_file_uses_them(tmp_path):
    """deeplearning.ai's forward and backward without initialize_parameters: each parameter's shape is
    guessed and fixed by the forward pass (a bias meets the examples' axis: n_h×1), and said."""
    result = check_file(str(write(tmp_path, PARAMETERS_UNSTATED)))
    assert result.correct, [d.message for d in result.diagnostics]
    assert str(result.network.leaves["b1"][1]) == "1" and str(result.network.leaves["W1"][1]) == "n_x"
    assert any("the shape of W1 is not stated" in n for n in result.notes)
    wrong = check_file(str(write(tmp_path, PARAMETERS_UNSTATED.replace("np.dot(dZ1, X.T)", "np.dot(X, dZ1.T)"))))
    assert wrong.gradients["dW1"].verdict == "transposed"


# -- layers whose shapes no docstring states, deeplearning.ai's per-example dZ, scripts at module level --------------
# Each verdict below is confirmed against central differences of the file's own functions, run here in the test
# (never in the product).

def file_functions(path: Path) -> dict:
    """The file's functions, defined in this test process for the numeric check."""
    namespace: dict = {"np": np}
    tree = ast.parse(path.read_text())
    exec(compile(ast.Module([s for s in tree.body if isinstance(s, ast.FunctionDef)], []), str(path), "exec"),
         namespace)
    return namespace


def central(f, array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(array)
    for i in np.ndindex(array.shape):
        old = array[i]
        array[i] = old + eps
        up = f()
        array[i] = old - eps
        down = f()
        array[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


def vjp_agrees(path: Path, base: str, inputs: list[np.ndarray], scale=lambda inputs: 1.0) -> list[bool]:
    """Each gradient NAME_backward returns against the VJP of NAME_forward with a random upstream gradient (the
    layer's loss `sum(out * dout)`, times `scale` for the parameters after the first input)."""
    ns = file_functions(path)
    rng = np.random.default_rng(3)
    dout = rng.standard_normal(ns[f"{base}_forward"](*inputs)[0].shape)
    grads = ns[f"{base}_backward"](dout, ns[f"{base}_forward"](*inputs)[1])
    out = []
    for i, (g, a) in enumerate(zip(grads, inputs)):
        factor = 1.0 if i == 0 else scale(inputs)
        loss = lambda: factor * float(np.sum(ns[f"{base}_forward"](*inputs)[0] * dout))  # noqa: E731
        out.append(np.shape(g) == a.shape and np.allclose(g, central(loss, a), rtol=1e-5, atol=1e-7))
    return out


AFFINE_UNDOCUMENTED = '''import numpy as np

def affine_forward(x, w, b):
    out = x.dot(w) + b
    cache = (x, w, b)
    return out, cache

def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout.dot(w.T)
    dw = x.T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db
'''


def test_an_undocumented_bias_added_to_the_data_times_a_weight_is_a_vector_of_the_products_last_size(tmp_path):
    """CS231n's affine layer with no docstring: b in `x.dot(w) + b` is (M,), so the summed db is right."""
    rng = np.random.default_rng(1)
    path = write(tmp_path, AFFINE_UNDOCUMENTED)
    result = check_file(str(path))
    assert all(vjp_agrees(path, "affine", [rng.standard_normal((4, 3)), rng.standard_normal((3, 5)),
                                            rng.standard_normal(5)]))
    assert result.correct, {k: g.verdict for k, g in result.gradients.items()}
    assert len(result.network.leaves["b"]) == 1
    unsummed = write(tmp_path, AFFINE_UNDOCUMENTED.replace("db = np.sum(dout, axis=0)", "db = dout"))
    assert not vjp_agrees(unsummed, "affine", [rng.standard_normal((4, 3)), rng.standard_normal((3, 5)),
                                                rng.standard_normal(5)])[2]
    judged = check_file(str(unsummed)).gradients["db"]
    assert judged.verdict == "wrong_shape"
    # the verdict rests on the guessed shape, and says so where it is given
    assert any("rests on reading b as a bias" in d.note for d in judged.diagnostics if d.code == "E210")
    line = unsummed.read_text().splitlines().index("    db = dout") + 1
    assert [d.span.line for d in judged.diagnostics if d.code == "E210"] == [line]   # where db is assigned


def test_the_files_own_bias_gradient_chooses_between_the_two_courses_bias_shapes(tmp_path):
    """`db` summed with keepdims over axis 1 fits a bias of n×1 (the columns convention): the file's own answer
    decides, and it is right for such a bias."""
    path = write(tmp_path, AFFINE_UNDOCUMENTED.replace("db = np.sum(dout, axis=0)",
                                                       "db = np.sum(dout, axis=1, keepdims=True)"))
    rng = np.random.default_rng(2)
    assert all(vjp_agrees(path, "affine", [rng.standard_normal((4, 3)), rng.standard_normal((3, 5)),
                                            rng.standard_normal((4, 1))]))
    result = check_file(str(path))
    assert result.correct, {k: g.verdict for k, g in result.gradients.items()}
    assert str(result.network.leaves["b"][1]) == "1"


LINEAR_UNDOCUMENTED = '''import numpy as np

def linear_forward(A, W, b):
    Z = np.dot(W, A) + b
    cache = (A, W, b)
    return Z, cache

def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1./m * np.dot(dZ, A_prev.T)
    db = 1./m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db
'''


def linear_inputs(seed: int = 4) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((3, 4)), rng.standard_normal((5, 3)), rng.standard_normal((5, 1))]


def per_example(inputs):
    return 1.0 / inputs[0].shape[1]


def test_a_cache_unpacked_under_other_names_gives_each_gradient_its_forward_input(tmp_path):
    """`A_prev, W, b = cache` after `cache = (A, W, b)`: dA_prev is the gradient of the forward's A; the weight on
    the left makes an undocumented b n×1; the 1/m is deeplearning.ai's per-example dZ, said in a note."""
    path = write(tmp_path, LINEAR_UNDOCUMENTED)
    assert all(vjp_agrees(path, "linear", linear_inputs(), per_example))
    result = check_file(str(path))
    assert result.correct, {k: g.verdict for k, g in result.gradients.items()}
    assert set(result.gradients) == {"dA_prev", "dW", "db"}
    assert str(result.network.leaves["b"][1]) == "1"
    for key in ("dW", "db"):
        note = [d for d in result.gradients[key].diagnostics if d.code == "N214"]
        assert note and note[0].concept == "per-example" and note[0].span.line in (11, 12)
    assert not any(d.code == "N214" for d in result.gradients["dA_prev"].diagnostics)
    assert any("per-example" in n for n in result.notes)
    assert check_file(str(path), wrt="A").gradients["dA_prev"].verdict == "correct"


@pytest.mark.parametrize("old,new,key,verdict", [
    ("np.dot(W.T, dZ)", "np.dot(W, dZ)", "dA_prev", "shape_error"),
    ("np.dot(dZ, A_prev.T)", "np.dot(A_prev, dZ.T)", "dW", "transposed"),
    ("db = 1./m * np.sum", "db = np.sum", "db", "scaled"),
    ("dW = 1./m * np.dot(dZ, A_prev.T)", "dW = 1./m * np.dot(dZ, A_prev.T) + W", "dW", "wrong_value"),
])
def test_a_wrong_linear_backward_is_caught_in_the_per_example_convention(tmp_path, old, new, key, verdict):
    path = write(tmp_path, LINEAR_UNDOCUMENTED.replace(old, new))
    index = ("dA_prev", "dW", "db").index(key)
    try:
        right = vjp_agrees(path, "linear", linear_inputs(), per_example)[index]
    except ValueError:  # the file's own code cannot multiply these shapes
        right = False
    assert not right
    result = check_file(str(path))
    assert result.gradients[key].verdict == verdict, {k: g.verdict for k, g in result.gradients.items()}
    assert all(g.verdict == "correct" for k, g in result.gradients.items() if k != key)
    # the per-example note stands only beside a right gradient: a wrong one is not said to be ∂J/∂W
    assert not any(d.code == "N214" for d in result.gradients[key].diagnostics)


def test_a_linear_backward_without_any_1_over_m_is_the_plain_vector_jacobian_product(tmp_path):
    """No 1/m anywhere: the upstream is ∂J/∂Z itself (as CS231n's dout), and dW = dZ·A_prevᵀ is right."""
    path = write(tmp_path, LINEAR_UNDOCUMENTED.replace("1./m * ", ""))
    assert all(vjp_agrees(path, "linear", linear_inputs()))
    result = check_file(str(path))
    assert result.correct, {k: g.verdict for k, g in result.gradients.items()}
    assert not any(d.code == "N214" for g in result.gradients.values() for d in g.diagnostics)


def test_a_rows_layer_dividing_its_weight_gradient_by_the_batch_is_still_scaled(tmp_path):
    """The per-example reading is deeplearning.ai's (examples as columns): CS231n's dout already carries the
    1/N, so `dw = x.T.dot(dout) / N` divides twice."""
    path = write(tmp_path, AFFINE_UNDOCUMENTED.replace("dw = x.T.dot(dout)", "dw = x.T.dot(dout) / x.shape[0]"))
    assert check_file(str(path)).gradients["dw"].verdict == "scaled"


SCRIPT = '''import numpy as np
N, D, C = 8, 4, 3
X = np.random.randn(N, D)
y = np.random.randint(0, C, size=N)
W = 0.01 * np.random.randn(D, C)
b = np.zeros(C)

scores = X @ W + b
probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
loss = -np.mean(np.log(probs[np.arange(N), y]))

dscores = probs.copy()
dscores[np.arange(N), y] -= 1
dscores /= N
dW = X.T @ dscores
db = dscores.sum(axis=0)
'''


def script_agrees(text: str) -> dict[str, bool]:
    """The script run here, its forward pass again for each perturbed parameter."""
    body = ast.parse(text).body[1:]
    start = next(i for i, s in enumerate(body) if getattr(s.targets[0], "id", "") == "scores")
    end = next(i for i, s in enumerate(body) if getattr(s.targets[0], "id", "") == "loss") + 1
    ns: dict = {"np": np}
    np.random.seed(5)
    exec(compile(ast.Module(body[:start], []), "script", "exec"), ns)
    ns["b"] = np.random.standard_normal(ns["b"].shape)
    forward = compile(ast.Module(body[start:end], []), "script", "exec")

    def loss():
        scope = dict(ns)
        exec(forward, scope)
        return scope["loss"]
    exec(compile(ast.Module(body[start:], []), "script", "exec"), ns)
    return {k: np.shape(ns[f"d{k}"]) == ns[k].shape and np.allclose(ns[f"d{k}"], central(loss, ns[k]), atol=1e-7)
            for k in ("W", "b")}


def test_a_script_with_no_function_is_read_as_its_module_body(tmp_path):
    assert all(script_agrees(SCRIPT).values())
    result = check_file(str(write(tmp_path, SCRIPT)))
    assert result.correct, ({k: g.verdict for k, g in result.gradients.items()}, result.diagnostics)
    assert result.entry == "<module>" and set(result.gradients) == {"dW", "db"}
    assert str(result.network.labels["y"]) == "3"   # np.random.randint(0, C, size=N): N labels below C


@pytest.mark.parametrize("old,new,key,verdict", [
    ("dscores /= N\n", "", "dW", "scaled"),
    ("dW = X.T @ dscores", "dW = dscores.T @ X", "dW", "transposed"),
    ("db = dscores.sum(axis=0)", "db = dscores.sum(axis=1)", "db", "wrong_shape"),
])
def test_a_wrong_gradient_in_a_module_level_script_is_caught(tmp_path, old, new, key, verdict):
    text = SCRIPT.replace(old, new)
    assert not script_agrees(text)[key[1:]]
    result = check_file(str(write(tmp_path, text)))
    assert result.gradients[key].verdict == verdict


def test_shapes_and_derive_of_a_file_take_the_options_check_takes(tmp_path):
    path = write(tmp_path, AFFINE_UNDOCUMENTED + "\n\n" + LINEAR_UNDOCUMENTED.replace("import numpy as np\n", ""))
    for command in ("shapes", "derive"):
        run = shapetutor(command, str(path), "--function", "affine_backward", "--shapes",
                         "x: [N, D]; w: [D, M]; b: [M]", "--set", "reg=0.1", "--json")
        assert run.returncode == 0, run.stderr
        data = json.loads(run.stdout)
        assert data["entry"] == "affine_forward/affine_backward"
        assert data["nodes"]["x"]["shape"] == ["N", "D"]


def test_the_shapes_example_uses_the_files_own_size_names():
    from tutor.homework.build import shape_example
    from tutor.homework.reader import Reader
    reader = Reader("", "f.py", ast.parse(""))
    assert shape_example(reader) == "[size, size]"
    reader.dim("n_h"), reader.dim("n_x")
    assert shape_example(reader) == "[n_h, n_x]"


def test_a_scripts_lines_that_only_look_and_its_update_are_not_its_gradients(tmp_path):
    """print, a checking helper, a plot and the update after the backward pass leave the verdict alone."""
    text = SCRIPT.replace("import numpy as np\n", "import numpy as np\nimport matplotlib.pyplot as plt\n\n"
                          "def cmp(s, dt, t):\n    ex = bool((dt == t).all())\n    print(s, ex)\n\n")
    text = text.replace("\ndscores = ", "\nprint(loss)\ndscores = ") + "cmp('dW', dW, dW)\nplt.plot(dW)\n" \
        "W += -0.1 * dW\nb -= 0.1 * db\n"
    result = check_file(str(write(tmp_path, text)))
    assert result.correct, ({k: g.verdict for k, g in result.gradients.items()}, result.diagnostics)
    assert set(result.gradients) == {"dW", "db"}


RNN_STEP_UNDOCUMENTED = '''import numpy as np

def rnn_step_forward(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x.dot(Wx) + prev_h.dot(Wh) + b)
    cache = (x, prev_h, Wx, Wh, next_h)
    return next_h, cache

def rnn_step_backward(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    dtanh = dnext_h * (1 - next_h ** 2)
    dx = dtanh.dot(Wx.T)
    dprev_h = dtanh.dot(Wh.T)
    dWx = x.T.dot(dtanh)
    dWh = prev_h.T.dot(dtanh)
    db = np.sum(dtanh, axis=0)
    return dx, dprev_h, dWx, dWh, db
'''

AFFINE_IN_PLACE = AFFINE_UNDOCUMENTED.replace("    out = x.dot(w) + b\n", "    out = x @ w\n    out += b\n")

LINEAR_CACHE_BY_INDEX = LINEAR_UNDOCUMENTED.replace("    A_prev, W, b = cache\n",
                                                    "    A_prev = cache[0]\n    W = cache[1]\n")

LINEAR_CACHE_BY_KEY = LINEAR_UNDOCUMENTED.replace("cache = (A, W, b)", 'cache = {"A": A, "W": W, "b": b}').replace(
    "    A_prev, W, b = cache\n", '    A_prev = cache["A"]\n    W = cache["W"]\n')


@pytest.mark.parametrize("text,base,shapes,scale", [
    (RNN_STEP_UNDOCUMENTED, "rnn_step", [(4, 3), (4, 5), (3, 5), (5, 5), (5,)], None),
    (AFFINE_IN_PLACE, "affine", [(4, 3), (3, 5), (5,)], None),
    (LINEAR_CACHE_BY_INDEX, "linear", [(3, 4), (5, 3), (5, 1)], per_example),
    (LINEAR_CACHE_BY_KEY, "linear", [(3, 4), (5, 3), (5, 1)], per_example),
], ids=["bias-in-a-sum-of-products", "bias-added-in-place", "cache-by-index", "cache-by-key"])
def test_undocumented_biases_and_caches_in_other_spellings(tmp_path, text, base, shapes, scale):
    path = write(tmp_path, text)
    rng = np.random.default_rng(6)
    assert all(vjp_agrees(path, base, [rng.standard_normal(s) for s in shapes], scale or (lambda inputs: 1.0)))
    result = check_file(str(path))
    assert result.correct, {k: g.verdict for k, g in result.gradients.items()}
    assert len(result.gradients) == len(shapes) if base != "linear" else set(result.gradients) == {"dA_prev", "dW", "db"}
    wrong = check_file(str(write(tmp_path, text.replace("axis=0)", "axis=1)").replace("axis=1, keepdims", "axis=0, keepdims"))))
    assert wrong.gradients["db"].verdict != "correct"


def test_a_scripts_loss_is_its_last_whole_reduction_not_an_accuracy(tmp_path):
    text = SCRIPT.replace("loss = ", "nll = ").replace("\ndscores = ", "\nacc = (probs.argmax(1) == y).mean()\n"
                                                                       "dscores = ", 1)
    result = check_file(str(write(tmp_path, text)))
    assert result.correct, {k: g.verdict for k, g in result.gradients.items()}
    assert result.network.loss == "nll"


LINEAR_ACTIVATION = LINEAR_UNDOCUMENTED + '''
def relu(Z):
    A = np.maximum(0, Z)
    cache = Z
    return A, cache

def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ

def linear_activation_forward(A_prev, W, b, activation):
    if activation == "relu":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = relu(Z)
    cache = (linear_cache, activation_cache)
    return A, cache

def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db
'''


def test_deeplearning_ais_linear_activation_backward_with_its_activation_set(tmp_path):
    """The nested cache ((A_prev, W, b), Z) is followed to its names, and the activation is a setting to give."""
    path = write(tmp_path, LINEAR_ACTIVATION)
    ns = file_functions(path)
    A, W, b = linear_inputs()
    dA = np.random.default_rng(7).standard_normal((5, 4))
    grads = ns["linear_activation_backward"](dA, ns["linear_activation_forward"](A, W, b, "relu")[1], "relu")
    plain = lambda: float(np.sum(ns["linear_activation_forward"](A, W, b, "relu")[0] * dA))  # noqa: E731
    m = A.shape[1]
    assert all(np.allclose(g, central(f, a), atol=1e-7)
               for g, f, a in zip(grads, (plain, lambda: plain() / m, lambda: plain() / m), (A, W, b)))
    missing = check_file(str(path), function="linear_activation_backward")
    assert missing.network is None and "--set activation=" in missing.diagnostics[0].expected
    result = check_file(str(path), function="linear_activation_backward", settings={"activation": "relu"})
    assert result.correct, {k: g.verdict for k, g in result.gradients.items()}
    assert set(result.gradients) == {"dA_prev", "dW", "db"}


LOGISTIC_UNDOCUMENTED = '''import numpy as np

def propagate(w, b, X, Y):
    m = X.shape[1]
    A = 1 / (1 + np.exp(-(np.dot(w.T, X) + b)))
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = np.dot(X, (A - Y).T) / m
    db = np.sum(A - Y) / m
    grads = {"dw": dw, "db": db}
    return grads, cost
'''


def test_a_bias_of_one_output_is_the_scalar_the_course_keeps_it(tmp_path):
    """deeplearning.ai's logistic regression with no docstring: np.dot(w.T, X) + b has one output, and the file's
    db = np.sum(A - Y) / m is right for the scalar b the course uses; a db that forgets the sum is not."""
    path = write(tmp_path, LOGISTIC_UNDOCUMENTED)
    ns = file_functions(path)
    rng = np.random.default_rng(8)
    w, b, X, Y = rng.standard_normal((3, 1)), np.array(0.3), rng.standard_normal((3, 5)), rng.random((1, 5))
    grads, _ = ns["propagate"](w, b, X, Y)
    assert np.allclose(grads["db"], central(lambda: ns["propagate"](w, b, X, Y)[1], b))
    assert np.allclose(grads["dw"], central(lambda: ns["propagate"](w, b, X, Y)[1], w))
    result = check_file(str(path))
    assert result.correct, {k: g.verdict for k, g in result.gradients.items()}
    assert any("the shape of b is not stated; it is read as a scalar" in n for n in result.notes)
    unsummed = check_file(str(write(tmp_path, LOGISTIC_UNDOCUMENTED.replace("np.sum(A - Y) / m", "(A - Y) / m"))))
    assert unsummed.gradients["db"].verdict == "wrong_shape"


def test_every_verdict_against_the_learner_on_a_guessed_shape_says_it_rests_on_the_guess(tmp_path):
    path = write(tmp_path, AFFINE_UNDOCUMENTED.replace("dw = x.T.dot(dout)", "dw = dout.T.dot(x)"))
    rng = np.random.default_rng(9)
    assert not vjp_agrees(path, "affine", [rng.standard_normal((4, 3)), rng.standard_normal((3, 5)),
                                            rng.standard_normal(5)])[1]
    judged = check_file(str(path)).gradients["dw"]
    assert judged.verdict == "transposed"
    first = next(d for d in judged.diagnostics if d.severity == "error")
    assert "this verdict rests on reading w as [" in first.note and "--shapes 'w: [...]'" in first.note
    stated = check_file(str(path), shapes={"x": ("float", ["N", "D"], None), "w": ("float", ["D", "M"], None),
                                           "b": ("float", ["M"], None)}).gradients["dw"]
    assert stated.verdict == "transposed" and not any("rests on" in d.note for d in stated.diagnostics)


NO_SHAPES_REGRESSION = '''import numpy as np


def forward(X, W1, b1, W2, b2):
    h = np.maximum(0, X @ W1 + b1)
    scores = h @ W2 + b2
    return h, scores


def loss_and_grads(X, y, W1, b1, W2, b2):
    h, scores = forward(X, W1, b1, W2, b2)
    N = X.shape[0]
    diff = scores - y
    loss = 0.5 * np.sum(diff ** 2) / N
    dscores = diff / N
    dW2 = h.T @ dscores
    db2 = dscores.sum(axis=0)
    dh = dscores @ W2.T
    dh[h <= 0] = 0
    dW1 = X.T @ dh
    db1 = dh.sum(axis=0)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
'''


def test_a_size_the_file_names_is_called_by_that_name_and_targets_are_never_a_bias(tmp_path):
    """No shapes stated anywhere: X's rows are the file's own N (N = X.shape[0]) in the network and in every
    note, and the targets subtracted from the scores are an N×C array like the scores, not a bias."""
    result = check_file(str(write(tmp_path, NO_SHAPES_REGRESSION)))
    assert result.correct, [d.message for d in result.diagnostics]
    assert str(result.network.leaves["X"][0]) == "N" and len(result.network.leaves["y"]) == 2
    assert result.network.leaves["y"] == result.network.shapes["scores"]
    assert any("read as [N, " in n for n in result.notes)
    wrong = check_file(str(write(tmp_path, NO_SHAPES_REGRESSION.replace("dscores = diff / N", "dscores = diff"))))
    assert wrong.gradients["W2"].verdict == "scaled"


PARAMS_NO_KEEPDIMS = '''import numpy as np

def loss(X, y, params, reg=0.0):
    """X: (N, D) data, y: (N,) integer labels in [0, C)."""
    W1, b1 = params['W1'], params['b1']
    W2, b2 = params['W2'], params['b2']
    N, D = X.shape

    h = np.maximum(0, X.dot(W1) + b1)
    scores = h.dot(W2) + b2
    scores -= np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores)
    probs /= np.sum(probs, axis=1)
    loss = -np.sum(np.log(probs[np.arange(N), y])) / N
    loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

    grads = {}
    dscores = probs
    dscores[np.arange(N), y] -= 1
    dscores /= N
    grads['W2'] = h.T.dot(dscores) + 2 * reg * W2
    grads['b2'] = np.sum(dscores, axis=0)
    dh = dscores.dot(W2.T)
    dh[h <= 0] = 0
    grads['W1'] = X.T.dot(dh) + 2 * reg * W1
    grads['b1'] = np.sum(dh, axis=0)
    return loss, grads
'''


def test_parameters_from_a_dict_never_take_the_examples_axis_to_make_a_forward_pass_run(tmp_path):
    """W2 and b2 from a dict, no shapes stated, keepdims left out: the classes are the labels' stated bound C (`in
    [0, C)`), never N, so the division is the learner's E202 at its line, and no right backward line is blamed."""
    path = write(tmp_path, PARAMS_NO_KEEPDIMS)
    out = shapetutor("check", str(path), "--json")
    assert out.returncode == 2, out.stdout + out.stderr
    diagnostic = json.loads(out.stdout)["diagnostics"][0]
    assert diagnostic["code"] == "E202" and diagnostic["line"] == 13 and "C does not match N" in diagnostic["message"]
    assert "keepdims=True" in diagnostic["expected"] and "N×1" in diagnostic["expected"]
    path = write(tmp_path, PARAMS_NO_KEEPDIMS.replace("axis=1)\n", "axis=1, keepdims=True)\n"))
    fixed = check_file(str(path))
    assert fixed.correct, {k: g.verdict for k, g in fixed.gradients.items()}
    assert str(fixed.network.shapes["W2"][-1]) == "C"
    from test_homework_catalogue import agree, definitions, numeric  # the oracle: the file run in this test only
    rng = np.random.default_rng(0)
    params = {"W1": rng.standard_normal((3, 4)), "b1": rng.standard_normal(4), "W2": rng.standard_normal((4, 5)),
              "b2": rng.standard_normal(5)}
    X, y, loss = rng.standard_normal((6, 3)), rng.integers(0, 5, 6), definitions(path)["loss"]
    grads = loss(X, y, params, 0.1)[1]
    assert all(agree(grads[k], numeric(lambda: loss(X, y, params, 0.1)[0], params[k])) for k in params)


def test_a_labels_bound_is_read_in_the_courses_forms():
    from tutor.homework.docstrings import BOUND
    for text in ("0 <= y[i] < C", "labels in [0, C).", "in range(C)", "in {0, ..., C-1}", "from 0 to C - 1",
                 "less than C"):
        m = BOUND.search(text)
        assert m is not None and next(g for g in m.groups() if g) == "C", text


def test_derive_of_a_file_derives_its_network(tmp_path):
    """`derive FILE.py` gives the gradients as `derive NET` does; `--wrt` takes the learner's name; what was guessed
    goes to stderr; `shapes FILE.py` still prints the network as read."""
    path = write(tmp_path, PARAMS_NO_KEEPDIMS.replace("axis=1)\n", "axis=1, keepdims=True)\n"))
    run = shapetutor("derive", str(path), "--json", "--wrt", "W1")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert list(data["gradients"]) == ["W1"] and data["verification"]["verified"]
    assert data["entry"] == "loss" and data["gradients"]["W1"]["shape"] == ["D", "W2_0"]
    assert "the shape of W1 is not stated" in run.stderr
    import jsonschema
    import tutor.schemas
    jsonschema.validate(data, tutor.schemas.load("derive"))
    text = shapetutor("derive", str(path), "--plain")
    assert text.returncode == 0 and "dloss/dW2" in text.stdout and "verified numerically" in text.stdout
    latex = shapetutor("derive", str(path), "--latex", "--wrt", "b2")
    assert latex.returncode == 0 and latex.stdout.startswith("\\begin{align*}")
    shapes = shapetutor("shapes", str(path))
    assert shapes.stdout.startswith("# the network read from")
    refused = shapetutor("derive", str(write(tmp_path, PARAMS_NO_KEEPDIMS)))
    assert refused.returncode == 2 and "E202" in refused.stderr and "Traceback" not in refused.stderr


LINEAR_REGRESSION = '''import numpy as np

def loss(X, y, params):
    w, b = params['w'], params['b']
    N = X.shape[0]
    scores = X.dot(w) + b
    diff = scores - y
    loss = 0.5 * np.sum(diff ** 2) / N
    dw = X.T.dot(diff) / N
    db = np.sum(diff) / N
    return loss, {'w': dw, 'b': db}
'''


@pytest.mark.parametrize("old,new", [
    ("", ""),
    ("dw = X.T.dot(diff) / N", "dw = X.T.dot(diff)"),
    ("db = np.sum(diff) / N", "db = np.mean(diff) / N"),
    ("dw = X.T.dot(diff) / N", "dw = X.T.dot(diff) / N + w"),
])
def test_a_weight_the_data_multiply_as_a_vector_is_read_as_a_vector(tmp_path, old, new):
    """No docstring, `w` from a dict, `X.dot(w)`, a scalar `db`: the file's gradients fit a linear model's vector w
    and scalar b, and the verdicts are those of the oracle with those shapes."""
    path = write(tmp_path, LINEAR_REGRESSION.replace(old, new))
    result = check_file(str(path))
    assert [str(d) for d in result.network.shapes["w"]] == ["w_0"] and result.network.shapes["b"] == ()
    from test_homework_catalogue import agree, definitions, numeric
    rng = np.random.default_rng(1)
    params, X, y = {"w": rng.standard_normal(3), "b": np.array(0.4)}, rng.standard_normal((6, 3)), rng.standard_normal(6)
    loss = definitions(path)["loss"]
    grads = loss(X, y, params)[1]
    truth = {k: agree(grads[k], numeric(lambda: loss(X, y, params)[0], params[k])) for k in params}
    assert {k: g.verdict == "correct" for k, g in result.gradients.items()} == truth


UDL = CATALOGUE / "udl" / "backpropagation.py"


def test_lists_of_layers_take_their_count_from_set_and_say_which_one_is_missing(tmp_path):
    """Understanding Deep Learning 7.2 without the notebook's module constants: the lists' length is the caller's,
    asked for at the line that counts it, with the file's own name for it; then each layer's arrays are judged."""
    from typer.testing import CliRunner

    from tutor.cli import app
    source = UDL.read_text()
    path = write(tmp_path, source[:source.index("# Set up the network")].replace("K = 2\n", ""))
    runner = CliRunner()
    missing = runner.invoke(app, ["check", str(path)])
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "K = len(all_weights) - 1" in text)
    assert f":{line}:5" in missing.output and "--set K=3" in missing.output
    given = check_file(str(path), settings={"K": 2}, function="backward_pass")
    assert given.correct and set(given.gradients) == {f"all_{p}[{k}]" for p in ("weights", "biases") for k in range(3)}
    assert any("one example, a column" in note for note in given.notes)
    by_length = check_file(str(path), settings={"all_weights": 3})
    assert by_length.correct and set(by_length.gradients) == set(given.gradients)


def test_a_batch_of_columns_whose_bias_gradient_forgets_the_sum_is_not_read_as_one_example(tmp_path):
    """A file that averages its loss over y.shape[1] examples is read with a batch: `dl_db = dl_df`, which would be
    right for one example, is the wrong shape there (the bias is broadcast over the examples)."""
    source = UDL.read_text()
    source = source[:source.index("# Set up the network")]
    source = source.replace("    return np.sum((net_output - y) * (net_output - y))",
                            "    return np.sum((net_output - y) * (net_output - y)) / y.shape[1]")
    source = source.replace("    return 2 * (net_output - y)", "    return 2 * (net_output - y) / y.shape[1]")
    result = check_file(str(write(tmp_path, source)))
    assert not result.correct
    assert {g.verdict for k, g in result.gradients.items() if "biases" in k} == {"wrong_shape"}
    assert all(g.verdict == "correct" for k, g in result.gradients.items() if "weights" in k)


SUPER_LAYER = '''import numpy as np


class Layer:
    def __init__(self):
        self.params = {}
        self.grads = {}


class Dense(Layer):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.params["W"] = np.random.randn(n_in, n_out)
        self.params["b"] = np.zeros(n_out)

    def forward(self, X):
        self.X = X
        return X @ self.params["W"] + self.params["b"]

    def backward(self, dY):
        self.grads["W"] = self.X.T @ dY
        self.grads["b"] = dY.sum(axis=AXIS)
        return dY @ self.params["W"].T
'''


def test_a_layer_that_calls_its_base_class_constructor_is_followed(tmp_path):
    """`super().__init__()` runs the file's base class's constructor on the same object (CS189's layers, nnfs)."""
    right = check_file(str(write(tmp_path, SUPER_LAYER.replace("AXIS", "0"))))
    assert right.correct and set(right.gradients) == {"Dense.W", "Dense.b", "Dense.X"}
    wrong = check_file(str(write(tmp_path, SUPER_LAYER.replace("AXIS", "1"))))
    assert wrong.gradients["Dense.b"].verdict == "wrong_shape" and wrong.gradients["Dense.W"].verdict == "correct"


UDL_OBJECT = '''import numpy as np


class NeuralNetwork(object):
    def __init__(self, hidden_layer_sizes, inputLayerSize, OutputLayerSize, seed=0):
        self.hidden_layer_sizes = list(hidden_layer_sizes)
        self.numberOfHiddenLayers = len(self.hidden_layer_sizes)
        self.layer_dimensions = [inputLayerSize] + self.hidden_layer_sizes + [OutputLayerSize]
        self.all_weights = [None] * (len(self.layer_dimensions) - 1)
        self.all_biases = [None] * (len(self.layer_dimensions) - 1)
        rng = np.random.default_rng(seed)
        for idx in range(len(self.all_weights)):
            out_dim, in_dim = self.layer_dimensions[idx + 1], self.layer_dimensions[idx]
            self.all_weights[idx] = rng.normal(0.0, np.sqrt(2.0 / in_dim), size=(out_dim, in_dim))
            self.all_biases[idx] = np.zeros((out_dim, 1))

    @staticmethod
    def ReLU(preactivation):
        return preactivation.clip(0.0)

    def forwardPassForOneInput(self, net_input):
        K = self.numberOfHiddenLayers
        all_f = [None] * (K + 1)
        all_h = [None] * (K + 1)
        all_h[0] = net_input
        for layer in range(K):
            all_f[layer] = self.all_biases[layer] + np.matmul(self.all_weights[layer], all_h[layer])
            all_h[layer + 1] = self.ReLU(all_f[layer])
        all_f[K] = self.all_biases[K] + np.matmul(self.all_weights[K], all_h[K])
        return all_f[K], all_f, all_h

    @staticmethod
    def least_squares_loss(net_output, y):
        return np.sum((net_output - y) * (net_output - y))

    @staticmethod
    def indicator_function(x):
        x_in = np.array(x)
        x_in[x_in > 0] = 1
        x_in[x_in <= 0] = 0
        return x_in

    def backward_pass(self, all_f, all_h, y):
        K = self.numberOfHiddenLayers
        all_dl_dweights = [None] * (K + 1)
        all_dl_dbiases = [None] * (K + 1)
        all_dl_df = [None] * (K + 1)
        all_dl_df[K] = 2 * (all_f[K] - y)
        for layer in range(K, -1, -1):
            all_dl_dbiases[layer] = np.array(all_dl_df[layer])
            all_dl_dweights[layer] = DWEIGHTS
            if layer > 0:
                all_dl_dh = np.matmul(self.all_weights[layer].T, all_dl_df[layer])
                all_dl_df[layer - 1] = all_dl_dh * self.indicator_function(all_f[layer - 1])
        return all_dl_dweights, all_dl_dbiases
'''


def test_lists_of_layers_held_on_an_object_are_built_by_its_constructor(tmp_path):
    """A learner's class form of Understanding Deep Learning 7.2 (self.all_weights from a list of hidden sizes, static
    helpers, np.random.default_rng): the constructor's list is asked for at its argument, then each layer is judged."""
    right = write(tmp_path, UDL_OBJECT.replace("DWEIGHTS", "np.matmul(all_dl_df[layer], all_h[layer].T)"))
    missing = check_file(str(right))
    assert missing.network is None and missing.diagnostics[0].line == 5
    assert "--set hidden_layer_sizes=" in missing.diagnostics[0].expected
    result = check_file(str(right), settings={"hidden_layer_sizes": [4, 3]})
    assert result.correct and set(result.gradients) == {f"all_{p}[{k}]" for p in ("weights", "biases") for k in range(3)}
    wrong = check_file(str(write(tmp_path, UDL_OBJECT.replace("DWEIGHTS", "np.matmul(all_h[layer], all_dl_df[layer].T)"))),
                       settings={"hidden_layer_sizes": [4, 3]})
    assert {g.verdict for k, g in wrong.gradients.items() if "weights" in k} == {"transposed"}
    assert all(g.verdict == "correct" for k, g in wrong.gradients.items() if "biases" in k)


def test_a_layer_pairs_notes_reach_the_learner():
    """What a forward/backward pair assumed (a random draw read as fixed data) is said with its verdicts."""
    result = check_file(str(CATALOGUE / "cs231n" / "normalization.py"), settings=parse_sets(["p=0.5"]))
    assert any("random draw" in note and "read as data" in note for note in result.notes)


def without_docstrings(source: str) -> str:
    import re
    return re.sub(r'\n\s*"""(?:.|\n)*?"""', "", source)


@pytest.mark.parametrize("name, verdicts", [
    ("mytorch.py", {"MSELoss.A": "correct", "CrossEntropyLoss.A": "correct"}),
    ("mistakes/mytorch__mse_gradient_without_the_2.py", {"MSELoss.A": "scaled", "CrossEntropyLoss.A": "correct"}),
])
def test_a_loss_class_with_nothing_stating_its_shapes_compares_scores_and_targets_of_one_shape(tmp_path, name,
                                                                                                verdicts):
    """mytorch's MSELoss with its docstrings removed: `(A - Y) * (A - Y)` says A and Y have one shape (the
    scores' made-up sizes were taken for a parameter's broadcast over the targets: 'unknown dimension A_0')."""
    path = tmp_path / "mytorch.py"
    path.write_text(without_docstrings((CATALOGUE / "cmu11785" / name).read_text()))
    result = check_file(str(path))
    got = {key: g.verdict for key, g in result.gradients.items() if key in verdicts}
    assert got == verdicts, result.notes


@pytest.mark.parametrize("name, change, verdict", [
    ("backpropagation.py", (), "correct"),
    ("mistakes/backpropagation__indicator_of_the_activation.py", (), "wrong_value"),
    ("backpropagation.py", ("return 2 * (net_output - y)", "return 3 * (net_output - y)"), "scaled"),
])
def test_a_loss_that_takes_its_target_first_is_given_the_output_where_it_asks(tmp_path, name, change, verdict):
    """`least_squares_loss(y, net_output)`: the network's output goes to net_output and the target stays data
    (it was put in y's place, every gradient became (output - output) = 0, and a mistake was called right)."""
    source = (CATALOGUE / "udl" / name).read_text()
    assert "def least_squares_loss(net_output, y):" in source
    source = source.replace("def least_squares_loss(net_output, y):", "def least_squares_loss(y, net_output):")
    if change:
        assert change[0] in source
        source = source.replace(*change)
    path = tmp_path / "udl.py"
    path.write_text(source)
    assert check_file(str(path), settings=parse_sets(["K=2"])).verdict == verdict


def test_a_forward_pass_over_lists_that_returns_nothing_is_located(tmp_path):
    source = (CATALOGUE / "udl" / "backpropagation.py").read_text()
    assert "    return net_output, all_f, all_h\n" in source
    path = tmp_path / "udl.py"
    path.write_text(source.replace("    return net_output, all_f, all_h\n", "    return ()\n"))
    done = shapetutor("check", str(path), "--set", "K=2")
    assert done.returncode == 2 and "forward_pass returns nothing the loss can be computed from" in done.stderr


IDENTITY_AND_A_LOSS = '''import numpy as np


class L2Loss:
    def forward(self, A, Y):
        self.d = A - Y
        return 0.5 * np.sum(self.d ** 2)

    def backward(self):
        return self.d


class Identity:
    def forward(self, A):
        return A

    def backward(self, dA):
        return dA
'''


@pytest.mark.parametrize("change, verdicts", [
    ((), {"L2Loss.A": "correct", "Identity.A": "correct"}),
    (("        return dA\n", "        return 2 * dA\n"), {"L2Loss.A": "correct", "Identity.A": "scaled"}),
])
def test_an_identity_layer_is_judged_and_leaves_the_files_loss_layer_judged(tmp_path, change, verdicts):
    """An identity's backward hands its upstream back, rightly: that is no softmax folded into the loss (MIT
    6.036's SoftMax), so the loss class is still judged as one; the identity's own output is its input."""
    path = tmp_path / "layers.py"
    path.write_text(IDENTITY_AND_A_LOSS.replace(*change) if change else IDENTITY_AND_A_LOSS)
    result = check_file(str(path))
    assert {key: g.verdict for key, g in result.gradients.items()} == verdicts


LAYERS_IN_AN_OBJECT = """import numpy as np


class NeuralNetwork:
    def __init__(self, sizes):
        self.K = len(sizes) - 1
        self.all_weights = [None] * self.K
        self.all_biases = [None] * self.K
        for k in range(self.K):
            self.all_weights[k] = np.random.randn(sizes[k + 1], sizes[k])
            self.all_biases[k] = np.random.randn(sizes[k + 1], 1)

    def forward_pass(self, net_input):
        all_f = [None] * self.K
        all_h = [None] * (self.K + 1)
        all_h[0] = net_input
        for k in range(self.K):
            all_f[k] = self.all_biases[k] + self.all_weights[k] @ all_h[k]
            all_h[k + 1] = np.maximum(all_f[k], 0) if k < self.K - 1 else all_f[k]
        return all_f[self.K - 1], all_f, all_h

    def least_squares_loss(self, net_output, y):
        return np.sum((net_output - y) ** 2)

    def backward_pass(self, all_f, all_h, y):
        all_dl_dweights = [None] * self.K
        df = 2 * (all_f[self.K - 1] - y)
        for k in range(self.K - 1, -1, -1):
            all_dl_dweights[k] = df @ all_h[k].T
            if k > 0:
                df = (self.all_weights[k].T @ df) * (all_f[k - 1] > 0)
        return all_dl_dweights
"""


@pytest.mark.parametrize("change, verdict", [
    ((), "correct"),
    (("(self.all_weights[k].T @ df)", "(self.all_weights[k] @ df.T).T"), "shape_error"),
])
def test_a_method_that_returns_one_list_of_gradients_is_judged(tmp_path, change, verdict):
    """`return all_dl_dweights` alone, from a method: judged as a function returning it is (it was "no entry
    point found")."""
    path = tmp_path / "net.py"
    path.write_text(LAYERS_IN_AN_OBJECT.replace(*change) if change else LAYERS_IN_AN_OBJECT)
    result = check_file(str(path), settings=parse_sets(["sizes=[3,4,2]"]))
    assert set(result.gradients) == {"all_weights[0]", "all_weights[1]"} and result.verdict == verdict
