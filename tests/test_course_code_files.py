"""The course code that the network language could not take as written (tests/catalogue/course_code.py's
ADAPTED lines), given as the files learners keep it in: each is read (a loop over a known range unrolled, a
constructor's shapes taken from its arguments) or refused with its line and what to write instead. Never a
traceback, never a verdict the oracle would not give.

Each file is written here in its course's published style (the source is named beside it); none is copied.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tutor.homework.judge import check_file, parse_shapes

CATALOGUE = Path(__file__).parent / "catalogue" / "homework"


def shapetutor(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tutor", *args], capture_output=True, text=True, timeout=120)


def write(tmp_path: Path, text: str, name: str = "course.py") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# Karpathy, makemore part 4 ("becoming a backprop ninja"): the max's branch of the logits' gradient, in torch.
MAKEMORE = '''import torch
import torch.nn.functional as F

def logits_backward(logits, dnorm_logits):
    dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
    dlogits = dnorm_logits.clone()
    dlogits += F.one_hot(logits.max(1).indices, num_classes=logits.shape[1]) * dlogit_maxes
    return dlogits
'''


def test_makemores_one_hot_is_refused_at_its_line_with_the_numpy_to_write(tmp_path):
    path = write(tmp_path, MAKEMORE)
    run = shapetutor("check", str(path), "--function", "logits_backward", "--json")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    diagnostic = json.loads(run.stdout)["diagnostics"][0]
    line = next(n for n, text in enumerate(MAKEMORE.splitlines(), 1) if "F.one_hot" in text)
    assert diagnostic["line"] == line and "torch" in diagnostic["message"]
    assert "np.eye(K)[idx]" in diagnostic["expected"]


def test_nnfs_two_layer_objects_of_one_class_keep_their_own_parameters():
    result = check_file(str(CATALOGUE / "nnfs" / "spiral_training.py"))
    assert result.correct, [d.message for d in result.diagnostics]
    assert {"dense1.weights", "dense1.biases", "dense2.weights", "dense2.biases"} <= set(result.gradients)
    assert {"dense1_weights", "dense2_weights"} <= set(result.network.leaves)


def test_nielsens_constructor_takes_its_shapes_from_sizes():
    path = CATALOGUE / "nielsen" / "network.py"
    refused = shapetutor("check", str(path), "--json")
    assert refused.returncode == 2 and "--set sizes=" in json.loads(refused.stdout)["diagnostics"][0]["expected"]
    read = check_file(str(path), settings={"sizes": [3, 4, 2]})
    assert read.correct and set(read.network.leaves) >= {"weights_0", "weights_1", "biases_0", "biases_1"}


# Karpathy, min-char-rnn.py: the gradients clipped in a loop over a list of arrays before they are returned.
CLIPPED = '''import numpy as np

def loss(X, y, W1, W2):
    """
    - X: of shape (N, D)
    - y: of shape (N, C)
    - W1: of shape (D, H)
    - W2: of shape (H, C)
    """
    h = np.tanh(X.dot(W1))
    out = h.dot(W2)
    loss = 0.5 * np.sum((out - y) ** 2)
    dout = out - y
    dW2 = h.T.dot(dout)
    dh = dout.dot(W2.T) * (1 - h * h)
    dW1 = X.T.dot(dh)
    for dparam in [dW1, dW2]:
        np.clip(dparam, -5, 5, out=dparam)  # mitigate exploding gradients
    return loss, {'W1': dW1, 'W2': dW2}
'''


def test_min_char_rnns_gradient_clipping_belongs_to_the_update(tmp_path):
    result = check_file(str(write(tmp_path, CLIPPED)))
    assert result.correct, [d.message for d in result.diagnostics]
    assert any("clipping" in note for note in result.notes)
    wrong = check_file(str(write(tmp_path, CLIPPED.replace("* (1 - h * h)", ""))))
    assert wrong.gradients["W1"].verdict == "wrong_value" and wrong.gradients["W2"].verdict == "correct"
    other = check_file(str(write(tmp_path, CLIPPED.replace("np.clip(dparam, -5, 5, out=dparam)",
                                                            "np.add(dparam, 1, out=dparam)"))))
    assert other.verdict == "unusable" and "out=" in other.diagnostics[0].message


# Karpathy, min-char-rnn.py: lossFun's loop over the time steps of a sequence.
MIN_CHAR_RNN = '''import numpy as np

hidden_size, vocab_size = 100, 65
Wxh = np.random.randn(hidden_size, vocab_size) * 0.01
Whh = np.random.randn(hidden_size, hidden_size) * 0.01
bh = np.zeros((hidden_size, 1))

def lossFun(inputs, targets, hprev):
  xs, hs = {}, {}
  hs[-1] = np.copy(hprev)
  loss = 0
  for t in range(len(inputs)):
    xs[t] = np.zeros((vocab_size, 1))
    hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t-1]) + bh)
  return loss, hs
'''


def test_a_loop_over_time_steps_is_refused_at_its_line(tmp_path):
    run = shapetutor("check", str(write(tmp_path, MIN_CHAR_RNN)), "--function", "lossFun", "--json")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    diagnostic = json.loads(run.stdout)["diagnostics"][0]
    assert diagnostic["line"] == 12 and "time steps" in diagnostic["message"]
    assert "--function" in diagnostic["expected"]


# Karpathy, pg-pong.py: the policy's forward and backward inside the game's `while True` loop.
PG_PONG = '''import numpy as np
import gym

H, D = 200, 80 * 80
model = {'W1': np.random.randn(H, D) / np.sqrt(D), 'W2': np.random.randn(H) / np.sqrt(H)}

def policy_forward(x):
  h = np.dot(model['W1'], x)
  h[h < 0] = 0
  logp = np.dot(model['W2'], h)
  p = 1.0 / (1.0 + np.exp(-logp))
  return p, h

def policy_backward(eph, epdlogp):
  dW2 = np.dot(eph.T, epdlogp).ravel()
  dh = np.outer(epdlogp, model['W2'])
  dh[eph <= 0] = 0
  dW1 = np.dot(dh.T, epx)
  return {'W1': dW1, 'W2': dW2}

env = gym.make("Pong-v0")
observation = env.reset()
while True:
  aprob, h = policy_forward(observation)
  observation, reward, done, info = env.step(2)
'''


def test_pg_pongs_game_loop_is_refused_and_its_backward_is_not_taken_for_a_layer(tmp_path):
    path = write(tmp_path, PG_PONG)
    run = shapetutor("check", str(path), "--json")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "the loop at line 23" in json.loads(run.stdout)["diagnostics"][0]["message"]
    one = shapetutor("check", str(path), "--function", "policy_backward", "--json")
    assert one.returncode == 2 and "Traceback" not in one.stderr
    diagnostic = json.loads(one.stdout)["diagnostics"][0]
    assert diagnostic["line"] == 16 and "module level" in diagnostic["message"]  # the policy's `model` dict


def test_deeplearning_ais_layer_loop_is_unrolled_for_the_layers_given():
    result = check_file(str(CATALOGUE / "deeplearning_ai" / "deep_neural_network.py"),
                        settings={"layer_dims": [4, 3, 2, 1]})
    assert result.correct
    assert {"W1", "W2", "W3", "b1", "b2", "b3"} <= set(result.network.leaves)


# -- casts and the bias trick, as course solutions write them ------------------------------------------------

from test_homework_catalogue import agree, definitions, numeric  # noqa: E402 (the oracle: the file run here only)
import numpy as np  # noqa: E402
import pytest  # noqa: E402


def oracle_verdicts(path: Path, name: str, args: tuple, arrays: dict, pick) -> dict[str, bool]:
    """Each gradient the file's function returns against central differences of the loss it returns."""
    fn = definitions(path)[name]
    grads = pick(fn(*args))
    return {k: agree(grads[k], numeric(lambda: fn(*args)[0], arrays[k])) for k in grads}


# CS231n assignment 1, softmax.py (softmax_loss_vectorized), with the casts course solutions write:
# int(X.shape[0]), .astype(np.float64), np.float64(num_train), (probs - mask).astype(float), 1.0 * num_train.
CASTS = '''import numpy as np

def softmax_loss_vectorized(W, X, y, reg):
    """
    - W: A numpy array of shape (D, C) containing weights.
    - X: A numpy array of shape (N, D) containing a minibatch of data.
    - y: A numpy array of shape (N,) containing training labels; y[i] = c means
      that X[i] has label c, where 0 <= c < C.
    - reg: (float) regularization strength
    """
    num_train = int(X.shape[0])
    scores = X.dot(W).astype(np.float64)
    scores -= np.max(scores, axis=1).reshape(-1, 1)
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    loss = np.sum(-np.log(probs[np.arange(num_train), y])) / np.float64(num_train)
    loss += 0.5 * reg * np.sum(W * W)
    mask = np.zeros_like(probs)
    mask[np.arange(num_train), y] = 1.0
    dscores = (probs - mask).astype(float) / (1.0 * num_train)
    dW = X.T.dot(dscores) + reg * W
    return loss, dW
'''


@pytest.mark.parametrize("old,new", [
    ("", ""),
    ("(probs - mask).astype(float) / (1.0 * num_train)", "(probs - mask).astype(float)"),
    ("(probs - mask).astype(float)", "(mask - probs).astype(float)"),
    ("loss = np.sum(-np.log(probs[np.arange(num_train), y])) / np.float64(num_train)",
     "loss = np.sum(-np.log(probs[np.arange(num_train), y])) / float(num_train)"),
])
def test_casts_of_sizes_and_arrays_keep_their_values(tmp_path, old, new):
    path = write(tmp_path, CASTS.replace(old, new))
    rng = np.random.default_rng(20)
    W, X, y = rng.standard_normal((4, 3)), rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    truth = oracle_verdicts(path, "softmax_loss_vectorized", (W, X, y, 0.1), {"dW": W}, lambda out: {"dW": out[1]})
    result = check_file(str(path))
    assert {k: g.verdict == "correct" for k, g in result.gradients.items()} == truth


# CS231n assignment 1, two-layer net with the bias trick: a column of ones appended to the hidden layer and the
# bias stacked under the weights, then taken apart again from the stacked gradient.
BIAS_TRICK = '''import numpy as np

def loss(X, y, W1, b1, W2, b2):
    """X: (N, D), y: (N,) labels in [0, C), W1: (D, H), b1: (H,), W2: (H, C), b2: (C,)."""
    N, D = X.shape
    h = np.maximum(0, X.dot(W1) + b1)
    hb = np.hstack([h, np.ones((N, 1))])
    Wb = np.vstack([W2, b2])
    scores = hb.dot(Wb)
    scores -= scores.max(axis=1, keepdims=True)
    p = np.exp(scores)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(N), y]).sum() / float(N)
    dscores = p.copy()
    dscores[np.arange(N), y] -= 1
    dscores /= N
    dWb = hb.T.dot(dscores)
    dW2, db2 = dWb[:-1], dWb[-1]
    dhb = dscores.dot(Wb.T)
    dh = dhb[:, :-1]
    dh[h <= 0] = 0
    dW1 = X.T.dot(dh)
    db1 = dh.sum(axis=0)
    return loss, (dW1, db1, dW2, db2)
'''


@pytest.mark.parametrize("old,new", [
    ("", ""),
    ("dWb[-1]", "dWb[0]"),
    ("dhb[:, :-1]", "dhb[:, 1:]"),
    ("np.hstack([h, np.ones((N, 1))])", "np.concatenate((h, np.ones((N, 1))), axis=1)"),
    ("np.hstack([h, np.ones((N, 1))])", "np.column_stack([h, np.ones(N)])"),
])
def test_the_bias_trick_is_read_and_judged(tmp_path, old, new):
    path = write(tmp_path, BIAS_TRICK.replace(old, new))
    rng = np.random.default_rng(21)
    arrays = {"dW1": rng.standard_normal((3, 4)), "db1": rng.standard_normal(4), "dW2": rng.standard_normal((4, 5)),
              "db2": rng.standard_normal(5)}
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 5, 6)
    truth = oracle_verdicts(path, "loss", (X, y, *arrays.values()), arrays, lambda out: dict(zip(arrays, out[1])))
    result = check_file(str(path))
    assert {k: g.verdict == "correct" for k, g in result.gradients.items()} == truth


# -- CS231n assignment 1, TwoLayerNet.loss as learners' public solutions write it ------------------------------
# Each keeps the NumPy forms of one public solution of cs231n/classifiers/neural_net.py (the repository named),
# trimmed to the constructor and loss; the verdicts are the oracle's (central differences of the returned loss).

TWO_LAYER_HEAD = '''import numpy as np


class TwoLayerNet(object):
    def __init__(self, input_size, hidden_size, output_size, std=1e-4):
        self.params = {}
        self.params['W1'] = std * np.random.randn(input_size, hidden_size)
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = std * np.random.randn(hidden_size, output_size)
        self.params['b2'] = np.zeros(output_size)

    def loss(self, X, y=None, reg=0.0):
        """
        - X: Input data of shape (N, D). Each X[i] is a training sample.
        - y: Vector of training labels. y[i] is the label for X[i], and each y[i] is
          an integer in the range 0 <= y[i] < C.
        """
'''

TWO_LAYER_BODIES = {
    # OneRaynyDay/CS231n: the global max subtracted, a one-hot of -1s added, grads["W2"] += reg * W2
    "global_max_and_minus_one_hot": '''        W1, b1 = self.params['W1'], self.params['b1']
        W2, b2 = self.params['W2'], self.params['b2']
        N, D = X.shape
        fc_1 = np.dot(X, W1) + b1
        score_1 = np.maximum(0, fc_1)
        scores = np.dot(score_1, W2) + b2
        if y is None:
            return scores
        scores -= np.max(scores)
        s_exp = np.exp(scores)
        s_exp_sum = np.sum(s_exp, axis=1)
        correct_scores = scores[np.arange(N), y]
        loss = np.sum(-correct_scores + np.log(s_exp_sum)) / N
        loss += reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2)) / 2
        grads = {}
        binary_scores = np.zeros(scores.shape)
        binary_scores[np.arange(N), y] = -1
        final_scores = binary_scores + (s_exp / s_exp_sum.reshape(-1, 1))
        grads["W2"] = (score_1.T).dot(final_scores / N)
        grads["W2"] += reg * (W2)
        grads['b2'] = np.sum(final_scores / N, axis=0)
        dJdscore_1 = (final_scores / N).dot(W2.T)
        dJdscore_1[score_1 == 0] = 0
        grads["W1"] = (X.T).dot(dJdscore_1)
        grads["W1"] += reg * (W1)
        grads["b1"] = np.sum(dJdscore_1, axis=0)
        return loss, grads
''',
    # Yorko/stanford_cs231n_2019: the data named x (the docstring says X), n, d = x.shape, the max added back
    "lowercase_x_and_max_added_back": '''        w1, b1 = self.params['W1'], self.params['b1']
        w2, b2 = self.params['W2'], self.params['b2']
        n, d = x.shape
        a1 = x.dot(w1) + self.params['b1']
        a1_relu = np.maximum(a1, np.zeros_like(a1))
        scores = a1_relu.dot(w2) + self.params['b2']
        if y is None:
            return scores
        correct_class_scores = scores[range(x.shape[0]), y].reshape(-1, 1)
        max_scores = scores.max(axis=1, keepdims=True)
        scores -= max_scores
        loss = - correct_class_scores.sum() + max_scores.sum() + np.log(np.exp(scores).sum(axis=1)).sum()
        loss /= n
        loss += reg * (np.sum(w1 * w1) + np.sum(w2 * w2))
        grads = {}
        softmax_deriv = (np.exp(scores) / np.exp(scores).sum(axis=1).reshape(-1, 1))
        softmax_deriv[range(n), y] -= 1
        dw2 = a1_relu.T.dot(softmax_deriv)
        dw2 /= n
        dw2 += 2 * reg * w2
        grads['W2'] = dw2
        db2 = np.sum(softmax_deriv, axis=0)
        db2 /= n
        grads['b2'] = db2
        da1 = softmax_deriv.dot(w2.T) * (a1_relu > 0)
        dw1 = x.T.dot(da1)
        dw1 /= n
        dw1 += 2 * reg * w1
        grads['W1'] = dw1
        grads['b1'] = np.sum(da1, axis=0) / n
        return loss, grads
''',
    # chenyuntc/cs231n: the ReLU written in place in the forward pass, its mask kept for the backward pass
    "relu_in_place": '''        W1, b1 = self.params['W1'], self.params['b1']
        W2, b2 = self.params['W2'], self.params['b2']
        N, D = X.shape
        z1 = X.dot(W1) + b1
        index_relu = (z1 < 0)
        z1[index_relu] = 0
        a1 = z1
        scores = a1.dot(W2) + b2
        if y is None:
            return scores
        data_loss = np.sum(np.log(np.exp(scores).sum(axis=1))) - np.sum(scores[np.arange(N), y])
        loss = data_loss / N + 0.5 * reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
        dscores = np.exp(scores) / (np.sum(np.exp(scores), axis=1).reshape(-1, 1))
        dscores[np.arange(N), y] -= 1
        dscores /= N
        db2 = np.sum(dscores, axis=0)
        dw2 = a1.T.dot(dscores)
        da1 = dscores.dot(W2.T)
        dz1 = da1
        dz1[index_relu] = 0
        grads = {}
        grads['b2'] = db2
        grads['W2'] = dw2 + reg * W2
        grads['b1'] = np.sum(dz1, axis=0)
        grads['W1'] = X.T.dot(dz1) + reg * W1
        return loss, grads
''',
}

TWO_LAYER_MISTAKES = [
    ("global_max_and_minus_one_hot", "binary_scores[np.arange(N), y] = -1", "binary_scores[np.arange(N), y] = 1"),
    ("global_max_and_minus_one_hot", "scores -= np.max(scores)\n", "scores -= np.max(scores, axis=0)\n"),
    ("lowercase_x_and_max_added_back", "dw2 += 2 * reg * w2", "dw2 += reg * w2"),
    ("relu_in_place", "        dz1[index_relu] = 0\n", ""),
    ("relu_in_place", "dscores /= N", "dscores /= D"),
]


def oracle_two_layer(path: Path) -> dict[str, bool]:
    ns = definitions(path)
    rng = np.random.default_rng(22)
    net = ns["TwoLayerNet"](3, 4, 5)
    for k in net.params:
        net.params[k] = rng.standard_normal(net.params[k].shape)
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 5, 6)
    grads = net.loss(X, y, reg=0.1)[1]
    return {k: agree(grads[k], numeric(lambda: net.loss(X, y, reg=0.1)[0], net.params[k])) for k in grads}


@pytest.mark.parametrize("body,old,new", [(b, "", "") for b in TWO_LAYER_BODIES] + TWO_LAYER_MISTAKES)
def test_public_two_layer_net_solutions_are_judged_as_the_oracle_judges_them(tmp_path, body, old, new):
    head = TWO_LAYER_HEAD.replace("def loss(self, X", "def loss(self, x") if "x.shape" in TWO_LAYER_BODIES[body] \
        else TWO_LAYER_HEAD
    path = write(tmp_path, head + TWO_LAYER_BODIES[body].replace(old, new))
    truth = oracle_two_layer(path)
    result = check_file(str(path))
    assert {k: g.verdict == "correct" for k, g in result.gradients.items()} == truth, \
        [d.message for d in result.diagnostics]
    assert (old == "") == all(truth.values())


# -- CS231n assignment 1 softmax.py / linear_svm.py and assignment 2 layers.py, as public solutions write them ------

LINEAR_HEAD = '''import numpy as np


def {name}(W, X, y, reg):
    """
    - W: A numpy array of shape (D, C) containing weights.
    - X: A numpy array of shape (N, D) containing a minibatch of data.
    - y: A numpy array of shape (N,) containing training labels; y[i] = c means
      that X[i] has label c, where 0 <= c < C.
    - reg: (float) regularization strength
    """
    loss = 0.0
    dW = np.zeros_like(W)
'''

LINEAR_BODIES = {
    # 0809zheng/CS231n-assignment2019: np.square in the regulariser, a copy of the probabilities as the mask
    ("softmax_loss_vectorized", "square_and_copied_mask"): '''    num_train, dim = X.shape
    classes = W.shape[1]
    scores = X.dot(W)
    sta_scores = scores - np.max(scores, axis = 1, keepdims = True)
    exp_scores = np.exp(sta_scores)
    final_scores = exp_scores/np.sum(exp_scores, axis = 1, keepdims = True)
    loss = -np.sum(np.log(final_scores[np.arange(num_train), y]))/num_train
    loss += reg*np.sum(np.square(W))
    mask = final_scores.copy()
    mask[np.arange(num_train), y] -= 1
    dW = X.T.dot(mask)/num_train
    dW += 2*reg*W
    return loss, dW
''',
    # 1204al/cs231n_2019: the forward's own probabilities changed in place once the loss is taken
    ("softmax_loss_vectorized", "probabilities_changed_in_place"): '''    scores=X.dot(W)
    num_train=X.shape[0]
    scores=scores-np.max(scores,axis=1,keepdims=True)
    scores_exp_sum=np.exp(scores).sum(axis=1,keepdims=True)
    softmax=np.exp(scores)/scores_exp_sum
    loss=np.sum(-np.log(softmax[np.arange(num_train),y]))
    softmax[np.arange(num_train),y]-=1
    dW=X.T.dot(softmax)
    loss/=num_train
    dW/=num_train
    loss+=reg*np.sum(W*W)
    dW+=reg*2*W
    return loss, dW
''',
    # 0Kelvins/cs231n-assignment: margins through transposes, the indicator set by masked assignments
    ("svm_loss_vectorized", "indicator_by_masks"): '''    scores = X.dot(W)
    correct_class_scores = scores[np.arange(len(y)), y]
    margins = np.maximum(0, (scores.T - correct_class_scores).T + 1)
    margins[np.arange(X.shape[0]), y] = 0
    loss = np.sum(margins) / X.shape[0] + reg * np.sum(W * W)
    d_score = (scores.T - correct_class_scores).T + 1
    d_score[d_score < 0] = 0
    d_score[d_score > 0] = 1
    d_score[np.arange(scores.shape[0]), y] = 0
    d_score[np.arange(scores.shape[0]), y] = -np.sum(d_score, axis=1)
    dW = X.T @ d_score
    dW = dW / X.shape[0] + 2 * reg * W
    return loss, dW
''',
}

LINEAR_MISTAKES = [
    ("square_and_copied_mask", "mask[np.arange(num_train), y] -= 1", "mask[np.arange(num_train), y] += 1"),
    ("square_and_copied_mask", "dW += 2*reg*W", "dW += reg*W"),
    ("probabilities_changed_in_place", "    dW/=num_train\n", ""),
    ("indicator_by_masks", "-np.sum(d_score, axis=1)", "-np.sum(d_score, axis=0)"),
    ("indicator_by_masks", "dW = X.T @ d_score", "dW = X.T @ d_score.T.T * 2"),
]


@pytest.mark.parametrize("key,old,new", [(k[1], "", "") for k in LINEAR_BODIES] + LINEAR_MISTAKES)
def test_public_linear_classifier_solutions_are_judged_as_the_oracle_judges_them(tmp_path, key, old, new):
    (name, _), body = next((k, b) for k, b in LINEAR_BODIES.items() if k[1] == key)
    path = write(tmp_path, LINEAR_HEAD.format(name=name) + body.replace(old, new))
    rng = np.random.default_rng(23)
    W, X, y = rng.standard_normal((4, 3)), rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    try:
        truth = oracle_verdicts(path, name, (W, X, y, 0.1), {"dW": W}, lambda out: {"dW": out[1]})
    except (ValueError, IndexError):  # the file's own code fails on arrays: wrong, and never called correct
        truth = {"dW": False}
    result = check_file(str(path))
    assert {k: g.verdict == "correct" for k, g in result.gradients.items()} == truth
    assert (old == "") == all(truth.values())


# AKSoo/CS231n-2017, assignment2/cs231n/layers.py: the input's trailing sizes multiplied with np.prod, its shape
# kept in a variable and reshaped back; the SVM's indicator by a masked assignment and a count per row.
LAYERS_PROD = '''import numpy as np


def affine_forward(x, w, b):
    """
    - x: A numpy array containing input data, of shape (N, d_1, ..., d_k)
    - w: A numpy array of weights, of shape (D, M)
    - b: A numpy array of biases, of shape (M,)
    """
    x_dim = x.shape
    N = x_dim[0]
    D = np.prod(x_dim[1:])
    out = x.reshape(N, D).dot(w) + b
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    x, w, b = cache
    x_dim = x.shape
    N = x_dim[0]
    D = np.prod(x_dim[1:])
    db = np.sum(dout, axis=0)
    dw = x.reshape(N, D).T.dot(dout)
    dx = dout.dot(w.T).reshape(x_dim)
    return dx, dw, db


def relu_forward(x):
    out = np.maximum(0, x)
    cache = x
    return out, cache


def relu_backward(dout, cache):
    x = cache
    dx = dout * (x > 0)
    return dx


def svm_loss(x, y):
    """
    - x: Input data, of shape (N, C) where x[i, j] is the score for the jth
      class for the ith input.
    - y: Vector of labels, of shape (N,) where y[i] is the label for x[i] and
      0 <= y[i] < C
    """
    N = x.shape[0]
    correct_class_scores = x[np.arange(N), y]
    margins = np.maximum(0, x - correct_class_scores[:, np.newaxis] + 1.0)
    margins[np.arange(N), y] = 0
    loss = np.sum(margins) / N
    num_pos = np.sum(margins > 0, axis=1)
    dx = np.zeros_like(x)
    dx[margins > 0] = 1
    dx[np.arange(N), y] -= num_pos
    dx /= N
    return loss, dx
'''


@pytest.mark.parametrize("old,new,fails", [
    ("", "", None),
    ("dw = x.reshape(N, D).T.dot(dout)", "dw = dout.T.dot(x.reshape(N, D))", None),
    ("dx = dout.dot(w.T).reshape(x_dim)", "dx = dout.dot(w).reshape(x_dim)", "affine_backward.dx"),
    ("dx[np.arange(N), y] -= num_pos", "dx[np.arange(N), y] += num_pos", None),
    ("dx = dout * (x > 0)", "dx = dout * (x >= 0) * x", None),
])
def test_a_layers_file_with_np_prod_of_the_trailing_sizes(tmp_path, old, new, fails):
    from test_homework_catalogue import layer_pairs
    path = write(tmp_path, LAYERS_PROD.replace(old, new))
    try:
        truth = layer_pairs({"affine": ([(4, 3), (3, 5), (5,)], ("dx", "dw", "db")), "relu": ([(4, 5)], ("dx",))},
                            seed=24)(path)
    except ValueError:  # the file's own code fails on arrays there (dout @ w does not conform): that one is wrong
        assert fails is not None
        truth = {k: k != fails for k in ("affine_backward.dx", "affine_backward.dw", "affine_backward.db",
                                         "relu_backward.dx")}
    rng = np.random.default_rng(24)
    scores, y = rng.standard_normal((4, 3)), rng.integers(0, 3, 4)
    svm = definitions(path)["svm_loss"]
    truth["svm_loss.dx"] = agree(svm(scores, y)[1], numeric(lambda: svm(scores, y)[0], scores))
    result = check_file(str(path))
    assert {k: g.verdict == "correct" for k, g in result.gradients.items()} == truth
    assert (old == "") == all(truth.values())


# boringPpl/hasbrain-helper-files, neural-network/final.py: deeplearning.ai's planar classifier with the examples
# as rows (np.dot(W1, X.T)), m taken from Y in the cost and from X in the backward pass, no docstrings.
PLANAR_ROWS = '''import numpy as np


def sigmoid(x):
    s = 1/(1+np.exp(-x))
    return s

def forward_propagation(X, parameters):
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    Z1 = np.dot(W1,X.T) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2,A1) + b2
    A2 = sigmoid(Z2)
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache

def compute_cost(A2, Y, parameters):
    m = Y.shape[0]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply((1 - Y), np.log(1 - A2))
    cost = -np.sum(logprobs) / m
    cost = np.squeeze(cost)
    return cost

def backward_propagation(parameters, cache, X, Y):
    m = X.shape[0]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]
    dZ2 = A2-Y
    dW2 = 1/m*(np.dot(dZ2,A1.T))
    db2 = 1/m*(np.sum(dZ2,axis=1, keepdims=True))
    dZ1 = np.multiply(np.dot(W2.T,dZ2),(1-np.power(A1,2)))
    dW1 = 1/m*(np.dot(dZ1,X))
    db1 = 1/m*(np.sum(dZ1,axis=1, keepdims=True))
    grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    return grads
'''


@pytest.mark.parametrize("old,new", [("", ""), ("(1-np.power(A1,2))", "(1-A1)"), ("dW2 = 1/m*", "dW2 = ")])
def test_the_backward_passs_own_m_beside_the_costs_m_is_read(tmp_path, old, new):
    """m named twice (the cost's from Y, the backward's from X) is two values, never a size and a node at once."""
    path = write(tmp_path, PLANAR_ROWS.replace(old, new))
    ns = definitions(path)
    rng = np.random.default_rng(25)
    params = {"W1": rng.standard_normal((4, 3)), "b1": rng.standard_normal((4, 1)), "W2": rng.standard_normal((1, 4)),
              "b2": rng.standard_normal((1, 1))}
    X, Y = rng.standard_normal((6, 3)), rng.random(6)
    grads = ns["backward_propagation"](params, ns["forward_propagation"](X, params)[1], X, Y)
    cost = lambda: float(ns["compute_cost"](ns["forward_propagation"](X, params)[0], Y, params))  # noqa: E731
    truth = {"d" + k: agree(grads["d" + k], numeric(cost, params[k])) for k in params}
    result = check_file(str(path), shapes=parse_shapes("X: [m, n_x]; Y: [m]"))
    assert {k: g.verdict == "correct" for k, g in result.gradients.items()} == truth
    unstated = check_file(str(path))  # Y's rank unstated: read, never refused for the name m
    assert unstated.network is not None and all(g.verdict != "unusable" for g in unstated.gradients.values())


# 4ndrelim/DeepLearningBuildNN, src/network.py: Nielsen's network.py with its constructor argument named
# layers_size, strings between the methods, and a cost_derivative of 2·(output − actual): the cost ‖a − y‖².
NIELSEN_TWICE = '''import numpy as np


class Network():

    """
    layers_size is a list that encapsulates the number of neurons in each layer.
    """
    def __init__(self, layers_size):
        self.num_layers = len(layers_size)
        self.sizes = layers_size
        self.biases = [np.random.randn(num, 1) for num in layers_size[1:]]
        self.weights = [np.random.randn(num, num_prev)
                        for num, num_prev in zip(layers_size[1:], layers_size[:len(layers_size)])]

    """
    When the inputs are passed (as a (n,1) vector where n is the num of inputs), the output layer is computed.
    """
    def feedForward(self, layer):
        for biases, weights in zip(self.biases, self.weights):
            layer = sigmoid(np.dot(weights, layer) + biases)
        return layer

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation)+b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = self.cost_derivative(activations[-1], y) * \\
            sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = sigmoid_prime(z)
            delta = np.dot(self.weights[-l+1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l-1].transpose())
        return (nabla_b, nabla_w)

    def cost_derivative(self, output, actual):
        return 2 * (output-actual)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))

def sigmoid_prime(x):
    return sigmoid(x) * (1-sigmoid(x))
'''


@pytest.mark.parametrize("old,new,k", [
    ("", "", 2),
    ("return 2 * (output-actual)", "return (output-actual)", 1),
    ("return 2 * (output-actual)", "return (output-actual) * 3.0", 3),
    ("delta = np.dot(self.weights[-l+1].transpose(), delta) * sp", "delta = np.dot(self.weights[-l+1], delta) * sp", 2),
    ("nabla_w[-1] = np.dot(delta, activations[-2].transpose())", "nabla_w[-1] = np.dot(delta, activations[-1].T)", 2),
])
def test_nielsens_cost_is_the_one_its_cost_derivative_is_the_derivative_of(tmp_path, old, new, k):
    path = write(tmp_path, NIELSEN_TWICE.replace(old, new))
    ns = definitions(path)
    rng = np.random.default_rng(26)
    net = ns["Network"]([3, 4, 2])
    net.weights = [rng.standard_normal(w.shape) for w in net.weights]
    net.biases = [rng.standard_normal(b.shape) for b in net.biases]
    x, y = rng.standard_normal((3, 1)), rng.standard_normal((2, 1))
    cost = lambda: k / 2 * float(np.sum((net.feedForward(x) - y) ** 2))  # noqa: E731
    try:
        nabla_b, nabla_w = net.backprop(x, y)
        truth = {f"biases[{i}]": agree(g, numeric(cost, net.biases[i])) for i, g in enumerate(nabla_b)}
        truth.update({f"weights[{i}]": agree(g, numeric(cost, net.weights[i])) for i, g in enumerate(nabla_w)})
    except ValueError:  # W2 not transposed: (4, 2)·(2, 1) does not conform here, the first layer's are wrong
        truth = {"biases[0]": False, "biases[1]": True, "weights[0]": False, "weights[1]": True}
    result = check_file(str(path), settings={"layers_size": [3, 4, 2]})
    assert {key: g.verdict == "correct" for key, g in result.gradients.items()} == truth
    refused = check_file(str(path))
    assert refused.verdict == "unusable" and "--set layers_size=" in refused.diagnostics[0].expected


# pavankodi/neural-networks (init_params.py, forward_prop.py, cost_func.py, one_layer_backward.py, backprop.py, one
# cell each, pasted into one file): deeplearning.ai's L-layer network under the learner's own names, every layer a
# sigmoid, the cross-entropy written with np.dot, and np.dot(-1, Z) in the sigmoid.
RENAMED_PASSES = '''import numpy as np

def init_params(layer_dim):
    params = {}
    L = len(layer_dim)
    for l in range(1, L):
        params['W'+str(l)] = np.random.randn(layer_dim[l], layer_dim[l-1])*0.01
        params['b'+str(l)] = np.zeros((layer_dim[l], 1))
    return params

def sigmoid(Z):
    A = 1/(1+np.exp(np.dot(-1, Z)))
    cache = (Z)
    return A, cache

def forward_prop(X, params):
    A = X
    caches = []
    L = len(params)//2
    for l in range(1, L+1):
        A_prev = A
        Z = np.dot(params['W'+str(l)], A_prev) + params['b'+str(l)]
        linear_cache = (A_prev, params['W'+str(l)], params['b'+str(l)])
        A, activation_cache = sigmoid(Z)
        cache = (linear_cache, activation_cache)
        caches.append(cache)
    return A, caches

def cost_function(A, Y):
    m = Y.shape[1]
    cost = (-1/m)*(np.dot(np.log(A), Y.T) + np.dot(np.log(1-A), 1-Y.T))
    return cost

def one_layer_backward(dA, cache):
    linear_cache, activation_cache = cache
    Z = activation_cache
    dZ = dA*sigmoid(Z)[0]*(1-sigmoid(Z)[0])
    A_prev, W, b = linear_cache
    m = A_prev.shape[1]
    dW = (1/m)*np.dot(dZ, A_prev.T)
    db = (1/m)*np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db

def backprop(AL, Y, caches):
    grads = {}
    L = len(caches)
    m = AL.shape[1]
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1-Y, 1-AL))
    current_cache = caches[L-1]
    grads['dA'+str(L-1)], grads['dW'+str(L)], grads['db'+str(L)] = one_layer_backward(dAL, current_cache)
    for l in reversed(range(L-1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = one_layer_backward(grads["dA" + str(l+1)], current_cache)
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads
'''


@pytest.mark.parametrize("old,new", [
    ("", ""),
    ("dZ = dA*sigmoid(Z)[0]*(1-sigmoid(Z)[0])", "dZ = dA*sigmoid(Z)[0]"),
    ("dA_prev = np.dot(W.T, dZ)", "dA_prev = (1/m)*np.dot(W.T, dZ)"),
    ("-(np.divide(Y, AL) - np.divide(1-Y, 1-AL))", "-(np.divide(Y, AL) + np.divide(1-Y, 1-AL))"),
])
def test_the_courses_passes_under_the_learners_own_names(tmp_path, old, new):
    path = write(tmp_path, RENAMED_PASSES.replace(old, new))
    ns = definitions(path)
    rng = np.random.default_rng(27)
    params = {k: rng.standard_normal(v.shape) for k, v in ns["init_params"]([3, 4, 1]).items()}
    X, Y = rng.standard_normal((3, 5)), rng.random((1, 5))
    cost = lambda: float(np.squeeze(ns["cost_function"](ns["forward_prop"](X, params)[0], Y)))  # noqa: E731
    AL, caches = ns["forward_prop"](X, params)
    grads = ns["backprop"](AL, Y, caches)
    truth = {k: agree(g, numeric(cost, params[k[1:]])) for k, g in grads.items() if k[1:] in params}
    refused = check_file(str(path))
    assert refused.verdict == "unusable" and "--set layer_dim=" in refused.diagnostics[0].expected
    result = check_file(str(path), settings={"layer_dim": [3, 4, 1]})
    assert result.entry == "backprop"
    assert {k: g.verdict == "correct" for k, g in result.gradients.items()} == truth
    assert (old == "") == all(truth.values())


# 0809zheng/CS231n-assignment2019, assignment2/cs231n/classifiers/fc_net.py: TwoLayerNet over the given layers,
# imported by the package's absolute name (`from cs231n.layers import *`), as the 2019 assignment writes it.
FC_NET_ABSOLUTE = '''from builtins import range
from builtins import object
import numpy as np

from cs231n.layers import *
from cs231n.layer_utils import *


class TwoLayerNet(object):
    def __init__(self, input_dim=3*32*32, hidden_dim=100, num_classes=10,
                 weight_scale=1e-3, reg=0.0):
        self.params = {}
        self.reg = reg
        W1 = weight_scale*np.random.randn(input_dim,hidden_dim)
        W2 = weight_scale*np.random.randn(hidden_dim,num_classes)
        b1 = np.zeros((hidden_dim,))
        b2 = np.zeros((num_classes,))
        self.params['W1'] = W1
        self.params['W2'] = W2
        self.params['b1'] = b1
        self.params['b2'] = b2

    def loss(self, X, y=None):
        """
        - X: Array of input data of shape (N, d_1, ..., d_k)
        - y: Array of labels, of shape (N,). y[i] gives the label for X[i].
        """
        W1 = self.params['W1']
        W2 = self.params['W2']
        b1 = self.params['b1']
        b2 = self.params['b2']
        out1, cache1 = affine_relu_forward(X, W1, b1)
        scores, cache2 = affine_forward(out1, W2, b2)
        if y is None:
            return scores
        loss, grads = 0, {}
        loss, dx = softmax_loss(scores, y)
        loss += 0.5*self.reg*np.sum(np.square(W1))
        loss += 0.5*self.reg*np.sum(np.square(W2))
        dout1, dw2, db2 = affine_backward(dx, cache2)
        dX, dw1, db1 = affine_relu_backward(dout1, cache1)
        dw1 += self.reg*W1
        dw2 += self.reg*W2
        grads['W1'] = dw1
        grads['W2'] = dw2
        grads['b1'] = db1
        grads['b2'] = db2
        return loss, grads
'''


@pytest.mark.parametrize("old,new", [("", ""), ("dw1 += self.reg*W1", "dw1 += 2*self.reg*W1"),
                                     ("grads['b1'] = db1", "grads['b1'] = db1 / 2")])
def test_a_classifier_importing_the_course_package_by_its_absolute_name(tmp_path, old, new):
    package = tmp_path / "cs231n"
    (package / "classifiers").mkdir(parents=True)
    for name in ("layers.py", "layer_utils.py"):
        (package / name).write_text((CATALOGUE / "cs231n" / name).read_text())
    path = package / "classifiers" / "fc_net.py"
    path.write_text(FC_NET_ABSOLUTE.replace(old, new))
    ns = definitions(package / "layers.py", package / "layer_utils.py", path)
    rng = np.random.default_rng(28)
    net = ns["TwoLayerNet"](input_dim=3, hidden_dim=4, num_classes=5, reg=0.1)
    for k in net.params:
        net.params[k] = rng.standard_normal(net.params[k].shape)
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 5, 6)
    grads = net.loss(X, y)[1]
    truth = {k: agree(grads[k], numeric(lambda: net.loss(X, y)[0], net.params[k])) for k in grads}
    result = check_file(str(path), settings={"reg": 0.1})
    assert {k: g.verdict == "correct" for k, g in result.gradients.items()} == truth
    assert (old == "") == all(truth.values())


def test_a_docstring_that_says_same_as_another_function_takes_its_shapes(tmp_path):
    """CS231n's softmax.py as published: softmax_loss_vectorized's docstring says its inputs are "the same as
    softmax_loss_naive", whose docstring states them; the naive one's loop over examples is refused at its line."""
    naive = LINEAR_HEAD.format(name="softmax_loss_naive") + '''    num_train = X.shape[0]
    for i in range(num_train):
        scores = X[i].dot(W)
        loss += -scores[y[i]] + np.log(np.sum(np.exp(scores)))
    return loss / num_train, dW
'''
    vectorized = LINEAR_BODIES[("softmax_loss_vectorized", "square_and_copied_mask")]
    text = naive + '''

def softmax_loss_vectorized(W, X, y, reg):
    """
    Softmax loss function, vectorized version.

    Inputs and outputs are the same as softmax_loss_naive.
    """
''' + vectorized
    path = write(tmp_path, text)
    result = check_file(str(path))
    judged = result.gradients["softmax_loss_vectorized.dW"]
    assert judged.verdict == "correct" and [str(d) for d in result.network.shapes["W"]] == ["D", "C"]
    refused = result.gradients["softmax_loss_naive"]
    line = text.splitlines()[refused.diagnostics[0].span.line - 1]
    assert refused.verdict == "unusable" and "for i in range(num_train)" in line


# CS231n assignment 1, linear_svm.py: the skeleton's own `dW = np.zeros(W.shape)`, then added to with +=; the
# sizes as numbers (X.shape[0] * 1.0, len(y), float(n)), the indicator cast with .astype(np.float32).
SVM_ACCUMULATED = LINEAR_HEAD.format(name="svm_loss_vectorized").replace("dW = np.zeros_like(W)", "dW = np.zeros(W.shape)") \
    + '''    num_train = X.shape[0] * 1.0
    n = len(y)
    scores = X.dot(W)
    correct = scores[np.arange(n), y].reshape(n, 1)
    margins = np.maximum(0, scores - correct + 1)
    margins[np.arange(n), y] = 0
    loss = np.sum(margins) / num_train + reg * np.sum(W * W)
    binary = (margins > 0).astype(np.float32)
    row_sum = np.sum(binary, axis=1)
    binary[np.arange(n), y] = -row_sum
    dW += np.dot(X.T, binary) / float(n)
    dW += 2 * reg * W
    return loss, dW
'''


@pytest.mark.parametrize("old,new", [("", ""), ("    dW += 2 * reg * W\n", ""),
                                     ("binary[np.arange(n), y] = -row_sum", "binary[np.arange(n), y] = row_sum")])
def test_a_gradient_started_as_the_skeletons_zeros_and_added_to(tmp_path, old, new):
    path = write(tmp_path, SVM_ACCUMULATED.replace(old, new))
    rng = np.random.default_rng(29)
    W, X, y = rng.standard_normal((4, 3)), rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    truth = oracle_verdicts(path, "svm_loss_vectorized", (W, X, y, 0.1), {"dW": W}, lambda out: {"dW": out[1]})
    result = check_file(str(path))
    assert {k: g.verdict == "correct" for k, g in result.gradients.items()} == truth
    assert (old == "") == all(truth.values())


def test_the_bias_trick_with_no_docstring_asks_for_the_shapes_it_could_not_settle(tmp_path):
    """Stacked rows whose sizes nothing states cannot be told apart by use alone: the refusal names the guessed
    parameters and the option to give them, and with them the file is judged."""
    text = BIAS_TRICK.replace('    """X: (N, D), y: (N,) labels in [0, C), W1: (D, H), b1: (H,), W2: (H, C), b2: (C,)."""\n', "")
    path = write(tmp_path, text)
    refused = check_file(str(path))
    assert refused.verdict == "unusable"
    assert "--shapes" in refused.diagnostics[0].expected and "b2" in refused.diagnostics[0].expected
    given = check_file(str(path), shapes=parse_shapes("X: [N, D]; y: int[N] < C; W1: [D, H]; b1: [H]; "
                                                      "W2: [H, C]; b2: [C]"))
    assert given.correct, {k: g.verdict for k, g in given.gradients.items()}


# AKSoo/CS231n-2017, assignment2/cs231n/layers.py: batch normalisation with its settings in bn_param and a dict
# cache, and inverted dropout with its settings in dropout_param (its seed read only when given).
BN_DROPOUT = '''import numpy as np


def batchnorm_forward(x, gamma, beta, bn_param):
    """
    Input:
    - x: Data of shape (N, D)
    - gamma: Scale parameter of shape (D,)
    - beta: Shift paremeter of shape (D,)
    - bn_param: Dictionary with the following keys:
      - mode: 'train' or 'test'; required
    """
    mode = bn_param['mode']
    eps = bn_param.get('eps', 1e-5)
    momentum = bn_param.get('momentum', 0.9)
    N, D = x.shape
    running_mean = bn_param.get('running_mean', np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get('running_var', np.zeros(D, dtype=x.dtype))
    cache = {}
    if mode == 'train':
        batch_mean = np.mean(x, axis=0)
        batch_var = np.var(x, axis=0)
        x_cent = x - batch_mean
        stde = np.sqrt(batch_var + eps)
        x_norm = x_cent / stde
        running_mean = momentum * running_mean + (1-momentum) * batch_mean
        running_var = momentum * running_var + (1-momentum) * batch_var
        cache['gamma'], cache['x_norm'] = gamma, x_norm
        cache['x_cent'], cache['stde'] = x_cent, stde
    elif mode == 'test':
        x_norm = (x - running_mean) / np.sqrt(running_var + eps)
    else:
        raise ValueError('Invalid forward batchnorm mode "%s"' % mode)
    out = gamma * x_norm + beta
    bn_param['running_mean'] = running_mean
    bn_param['running_var'] = running_var
    return out, cache


def batchnorm_backward(dout, cache):
    N, D = dout.shape
    gamma, x_norm = cache['gamma'], cache['x_norm']
    x_cent, stde = cache['x_cent'], cache['stde']
    dgamma = np.sum(dout * x_norm, axis=0)
    dx_norm = dout * gamma
    dbeta = np.sum(dout, axis=0)
    dx_cent = dx_norm / stde
    dvar = np.sum(dx_norm * x_cent, axis=0) * -0.5 / (stde**3)
    dx_cent += dvar * 2 * x_cent / N
    dx = dx_cent
    dmean = np.sum(dx_cent, axis=0) * -1
    dx += dmean / N
    return dx, dgamma, dbeta


def dropout_forward(x, dropout_param):
    """
    - x: Input data, of any shape
    """
    p, mode = dropout_param['p'], dropout_param['mode']
    if 'seed' in dropout_param:
        np.random.seed(dropout_param['seed'])
    mask = None
    pr = 1 - p
    if mode == 'train':
        mask = (np.random.random(x.shape) < pr) / pr
        out = x * mask
    elif mode == 'test':
        out = x
    cache = (dropout_param, mask)
    out = out.astype(x.dtype, copy=False)
    return out, cache


def dropout_backward(dout, cache):
    dropout_param, mask = cache
    mode = dropout_param['mode']
    if mode == 'train':
        dx = dout * mask
    elif mode == 'test':
        dx = dout
    return dx
'''


@pytest.mark.parametrize("old,new", [
    ("", ""),
    ("* -0.5 / (stde**3)", "* -0.5 / (stde**2)"),
    ("    dx += dmean / N\n", ""),
    ("        dx = dout * mask\n", "        dx = dout\n"),
])
def test_layers_with_a_settings_dictionary_are_judged_in_training_mode(tmp_path, old, new):
    path = write(tmp_path, BN_DROPOUT.replace(old, new))
    ns = definitions(path)
    rng = np.random.default_rng(30)
    x, gamma, beta = rng.standard_normal((5, 3)), rng.standard_normal(3), rng.standard_normal(3)
    dout = rng.standard_normal((5, 3))
    bn = lambda: ns["batchnorm_forward"](x, gamma, beta, {"mode": "train"})  # noqa: E731
    dx, dgamma, dbeta = ns["batchnorm_backward"](dout, bn()[1])
    vjp = lambda: float(np.sum(bn()[0] * dout))  # noqa: E731
    truth = {"batchnorm_backward.dx": agree(dx, numeric(vjp, x)),
             "batchnorm_backward.dgamma": agree(dgamma, numeric(vjp, gamma)),
             "batchnorm_backward.dbeta": agree(dbeta, numeric(vjp, beta))}
    drop = lambda: ns["dropout_forward"](x, {"mode": "train", "p": 0.5, "seed": 0})  # noqa: E731
    truth["dropout_backward.dx"] = agree(ns["dropout_backward"](dout, drop()[1]),
                                         numeric(lambda: float(np.sum(drop()[0] * dout)), x))
    result = check_file(str(path), settings={"p": 0.5})
    assert {k: g.verdict == "correct" for k, g in result.gradients.items()} == truth
    assert (old == "") == all(truth.values())
    unset = check_file(str(path), function="dropout_backward")
    assert "--set p=" in unset.diagnostics[0].expected


def test_a_write_through_a_ufuncs_at_is_never_read_as_writing_nothing(tmp_path):
    """np.add.at into an embedding table is the sum it makes (the catalogue's backprop_ninja_embedding); any
    other `.at` write, or one whose indices have no known axes, is refused at its line."""
    script = (CATALOGUE / "karpathy" / "backprop_ninja_embedding.py").read_text()
    for new in ("np.maximum.at(dC, Xb, demb)", "np.add.at(dC, Xb.ravel() % 3, demb)"):
        path = write(tmp_path, script.replace("np.add.at(dC, Xb, demb)", new))
        result = check_file(str(path))
        dC = result.gradients.get("dC")
        diagnostics = dC.diagnostics if dC is not None else result.diagnostics
        assert (dC is None or dC.verdict == "unusable") and diagnostics[0].span is not None
        line = path.read_text().splitlines()[diagnostics[0].span.line - 1]
        assert ".at(" in line


@pytest.mark.parametrize("new", ["np.copyto(dC, np.ones_like(C))", "dC.fill(1.0)"])
def test_a_call_that_changes_a_gradient_in_place_is_refused_at_its_line(tmp_path, new):
    """`np.copyto(dC, ...)`, `dC.fill(...)`: made for what they do to an array, never read as doing nothing."""
    script = (CATALOGUE / "karpathy" / "backprop_ninja_embedding.py").read_text()
    path = write(tmp_path, script.replace("np.add.at(dC, Xb, demb)", new))
    result = check_file(str(path))
    assert result.verdict == "unusable"
    line = path.read_text().splitlines()[result.diagnostics[0].span.line - 1]
    assert line == new and "in place" in result.diagnostics[0].message


def test_the_constructors_class_count_never_becomes_the_batch_to_make_a_forward_pass_run(tmp_path):
    """W2 from the constructor (hidden_size, output_size), keepdims left out in the forward pass: output_size and
    the labels' N are never made one; the file's E202 at that line, with the keepdims to add, and no backward line
    blamed."""
    body = TWO_LAYER_BODIES["relu_in_place"].replace(
        "        data_loss = np.sum(np.log(np.exp(scores).sum(axis=1))) - np.sum(scores[np.arange(N), y])\n",
        "        p = np.exp(scores) / np.sum(np.exp(scores), axis=1)\n"
        "        data_loss = -np.sum(np.log(p[np.arange(N), y]))\n")
    path = write(tmp_path, TWO_LAYER_HEAD + body)
    result = check_file(str(path))
    assert result.verdict == "unusable" and result.diagnostics[0].code == "E202"
    line = path.read_text().splitlines()[result.diagnostics[0].span.line - 1]
    assert "np.sum(np.exp(scores), axis=1)" in line and "keepdims=True" in result.diagnostics[0].expected
    fixed = check_file(str(write(tmp_path, TWO_LAYER_HEAD + body.replace("axis=1)\n", "axis=1, keepdims=True)\n"))))
    assert fixed.correct, {k: g.verdict for k, g in fixed.gradients.items()}


# deeplearning.ai C1W3 (planar data classification) as the course hands it out and a learner completes it.
PLANAR = '''import numpy as np

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

def initialize_parameters(n_x, n_h, n_y):
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return parameters

def forward_propagation(X, parameters):
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = sigmoid(Z2)
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache

def compute_cost(A2, Y):
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2), Y) + np.multiply((1 - Y), np.log(1 - A2))
    cost = - np.sum(logprobs) / m
    cost = float(np.squeeze(cost))
    return cost

def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]
    dZ2 = A2 - Y
    dW2 = (1 / m) * np.dot(dZ2, A1.T)
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
    dW1 = (1 / m) * np.dot(dZ1, X.T)
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
    grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    return grads
'''


def test_the_cost_and_the_backward_pass_taking_the_same_m_name_the_examples_m(tmp_path):
    """The planar classifier takes `m = Y.shape[1]` in its cost and `m = X.shape[1]` in its backward pass: one
    size, which the notes and the network read call m (not a made-up Y_1)."""
    result = check_file(str(write(tmp_path, PLANAR)))
    assert result.correct
    assert [str(d) for d in result.network.shapes["X"]] == ["n_x", "m"]
    assert [str(d) for d in result.network.shapes["Y"]] == ["n_y", "m"]
    assert any("read as [n_x, m]" in note for note in result.notes)
