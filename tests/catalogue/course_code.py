"""Learners' derivations as the well-known courses write them (issue 11).

Every `Case` is a network (the course's forward pass in the network language of SPEC §1–§2, with
only the leaf declarations written by hand) and a derivation (the course's backward pass, pasted
in the course's own idioms: in-place `-=`/`/=`, masked and fancy-index assignment, aliasing,
`grads['W1'] = ...`, `delta` reassigned layer after layer, helper `def`s). `verdict` is what the
independent NumPy oracle (tests/oracle.py) computes; tests/test_catalogue_oracle.py re-proves it.

The answer of a derivation is the final value of the name that claims the leaf (`dW1`,
`dJ_dW1`, `grad_W1`, `grads['W1']`), otherwise its last line. Courses whose gradient names are not
claims (CS224n's `gradW1`, Nielsen's `nabla_w`, iamtrask's `l1.T.dot(l2_delta)`) end with a bare
line naming the answer, as a learner asking about one gradient would.

Where a course is written with classes, lists or loops (`self.dweights`, `nabla_w[-1]`,
`grads["dW" + str(l)]`, `for l in reversed(range(L))`) the first cases wrote the lines as a learner
pastes them into a plain script: plain names, loops unrolled; each such case says so in its note and
is kept (`by_hand`). Beside them, "as written" cases read the course's own lines: Nielsen's
`backprop` with its lists and loop, deeplearning.ai's `L_model_backward` with its caches, helpers and
string-built keys, two_layer_model with `linear_activation_backward`.

`ADAPTED` counts, per source, the lines still changed to be read (the comment says which);
tests/test_course_code.py measures the share of each source's own lines read as written.

Conventions worth knowing, recorded in the notes:
* CS231n (case study and assignment), Karpathy and nnfs divide by N once, in `dscores /= N`;
  deeplearning.ai keeps `dZ = A - Y` per example and puts `1/m` into every `dW`/`db`;
  CS224n's q2 cost is a *sum* (no 1/N at all); WildML's blog divides the loss by N but not the
  gradient (its answers are N times the gradient); Nielsen's network.py is per example.
* CS231n's L2 penalty is `0.5*reg*sum(W*W)` (gradient `reg*W`) in the notes and the 2016
  assignment, `reg*sum(W*W)` (gradient `2*reg*W`) from 2017; nnfs uses `l2*sum(W*W)` and `2*l2*W`.
* `sigmoid_grad` means different things in different courses: CS224n's takes the sigmoid's
  *output* (the oracle's built-in); Saito's "Deep Learning from Scratch" takes the
  *pre-activation*. Cases that use Saito's define it with `def`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    network: str
    wrt: str
    derivation: str
    verdict: str
    note: str = ""
    by_hand: bool = False  # the course's lines rewritten by hand; an "as written" case reads them as they are


CASES: list[Case] = []


def case(id, source, network, wrt, derivation, verdict, note=""):
    CASES.append(Case(id, source, network, wrt, derivation.strip("\n"), verdict, note))


# =============================================================================================
# CS231n notes, "Putting it together: minimal neural network case study"
# =============================================================================================

SRC_CS231N_CASE = "CS231n notes, neural network case study"

CS231N_LINEAR = """
# CS231n case study: "Training a Softmax Classifier"
X: [N, D]
y: int[N] < K
W: [D, K]
b: [1, K]

reg = 1e-3
num_examples = X.shape[0]
scores = np.dot(X, W) + b
exp_scores = np.exp(scores)
probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
corect_logprobs = -np.log(probs[range(num_examples), y])
data_loss = np.sum(corect_logprobs) / num_examples
reg_loss = 0.5 * reg * np.sum(W * W)
loss = data_loss + reg_loss
"""

CS231N_LINEAR_BACKWARD = """
dscores = probs
dscores[range(num_examples), y] -= 1
dscores /= num_examples
dW = np.dot(X.T, dscores)
db = np.sum(dscores, axis=0, keepdims=True)
dW += reg * W
"""

case("cs231n-linear-dW", SRC_CS231N_CASE, CS231N_LINEAR, "W", CS231N_LINEAR_BACKWARD, "correct",
     "the notes' code as printed: dscores aliases probs and is changed in place")
case("cs231n-linear-db", SRC_CS231N_CASE, CS231N_LINEAR, "b", CS231N_LINEAR_BACKWARD, "correct",
     "db is claimed on line 5; the last line is about W")
case("cs231n-linear-dW-no-reg", SRC_CS231N_CASE, CS231N_LINEAR, "W",
     CS231N_LINEAR_BACKWARD.replace("dW += reg * W\n", ""), "wrong_value",
     "forgot the regularization gradient (the notes: \"don't forget the regularization gradient\")")
case("cs231n-linear-dW-no-1/N", SRC_CS231N_CASE, CS231N_LINEAR, "W",
     CS231N_LINEAR_BACKWARD.replace("dscores /= num_examples\n", ""), "wrong_value",
     "missing 1/N on the data term only: with + reg*W it is no longer a constant multiple")
case("cs231n-linear-db-no-1/N", SRC_CS231N_CASE, CS231N_LINEAR, "b",
     CS231N_LINEAR_BACKWARD.replace("dscores /= num_examples\n", ""), "scaled",
     "missing 1/N; b is not regularized, so db is N times the gradient")
case("cs231n-linear-db-no-keepdims", SRC_CS231N_CASE, CS231N_LINEAR, "b",
     CS231N_LINEAR_BACKWARD.replace("axis=0, keepdims=True", "axis=0"), "wrong_shape",
     "b is (1, K) in the notes; without keepdims db is (K,)")
case("cs231n-linear-db-not-summed", SRC_CS231N_CASE, CS231N_LINEAR, "b",
     CS231N_LINEAR_BACKWARD.replace("db = np.sum(dscores, axis=0, keepdims=True)", "db = dscores"),
     "wrong_shape", "db not summed over the examples: (N, K) for a (1, K) bias")
case("cs231n-linear-dW-dscores.T.dot(X)", SRC_CS231N_CASE, CS231N_LINEAR, "W", """
dscores = probs
dscores[range(num_examples), y] -= 1
dscores /= num_examples
dW = dscores.T.dot(X)
dW += reg * W
""", "shape_error", "(K, D) + (D, K): the transpose in the wrong place meets reg * W")
case("cs231n-linear-dW-transposed", SRC_CS231N_CASE, CS231N_LINEAR, "W", """
dscores = probs.copy()
dscores[range(num_examples), y] -= 1
dscores /= num_examples
dW = (dscores.T).dot(X) + reg * W.T
""", "transposed")
case("cs231n-linear-dW-y-minus-p", SRC_CS231N_CASE, CS231N_LINEAR, "W", """
dW = np.dot(X.T, np.eye(K)[y] - probs) / num_examples - reg * W
""", "scaled", "written as (y - p): the negative gradient, the direction of the update")
case("cs231n-linear-dW-onehot-rows", SRC_CS231N_CASE, CS231N_LINEAR, "W", """
Y = np.eye(K)[y]
dW = X.T.dot(probs - Y) / num_examples + reg * W
""", "correct", "one-hot rows gathered from an identity matrix")

CS231N_2LAYER = """
# CS231n case study: "Training a Neural Network" (the course's h = 100 is the dimension H here)
X: [N, D]
y: int[N] < K
W: [D, H]
b: [1, H]
W2: [H, K]
b2: [1, K]

reg = 1e-3
num_examples = X.shape[0]
hidden_layer = np.maximum(0, np.dot(X, W) + b)
scores = np.dot(hidden_layer, W2) + b2
exp_scores = np.exp(scores)
probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
corect_logprobs = -np.log(probs[range(num_examples), y])
data_loss = np.sum(corect_logprobs) / num_examples
reg_loss = 0.5 * reg * np.sum(W * W) + 0.5 * reg * np.sum(W2 * W2)
loss = data_loss + reg_loss
"""

CS231N_2LAYER_BACKWARD = """
# compute the gradient on scores
dscores = probs
dscores[range(num_examples), y] -= 1
dscores /= num_examples

# backpropate the gradient to the parameters
# first backprop into parameters W2 and b2
dW2 = np.dot(hidden_layer.T, dscores)
db2 = np.sum(dscores, axis=0, keepdims=True)
# next backprop into hidden layer
dhidden = np.dot(dscores, W2.T)
# backprop the ReLU non-linearity
dhidden[hidden_layer <= 0] = 0
# finally into W,b
dW = np.dot(X.T, dhidden)
db = np.sum(dhidden, axis=0, keepdims=True)

# add regularization gradient contribution
dW2 += reg * W2
dW += reg * W
"""

for leaf in ("W", "b", "W2", "b2"):
    case(f"cs231n-2layer-d{leaf}", SRC_CS231N_CASE, CS231N_2LAYER, leaf, CS231N_2LAYER_BACKWARD, "correct",
         "the notes' full backward pass, comments included")
case("cs231n-2layer-dW-no-relu-mask", SRC_CS231N_CASE, CS231N_2LAYER, "W",
     CS231N_2LAYER_BACKWARD.replace("dhidden[hidden_layer <= 0] = 0\n", ""), "wrong_value",
     "the ReLU mask forgotten")
case("cs231n-2layer-dW-mask-on-gradient", SRC_CS231N_CASE, CS231N_2LAYER, "W",
     CS231N_2LAYER_BACKWARD.replace("dhidden[hidden_layer <= 0] = 0", "dhidden[dhidden <= 0] = 0"),
     "wrong_value", "the mask taken from the gradient instead of the forward activation")
case("cs231n-2layer-dW-dot-W2", SRC_CS231N_CASE, CS231N_2LAYER, "W",
     CS231N_2LAYER_BACKWARD.replace("np.dot(dscores, W2.T)", "np.dot(dscores, W2)"), "shape_error",
     "(N, K) @ (H, K)")
case("cs231n-2layer-dW-mask-before-division", SRC_CS231N_CASE, CS231N_2LAYER, "W", """
dscores = probs
dscores /= num_examples
dscores[range(num_examples), y] -= 1
dhidden = np.dot(dscores, W2.T)
dhidden[hidden_layer <= 0] = 0
dW = np.dot(X.T, dhidden) + reg * W
""", "wrong_value", "divided by N before subtracting 1: the 1 is not divided")
case("cs231n-2layer-db2-alias-probs", SRC_CS231N_CASE, CS231N_2LAYER, "b2", """
dscores = probs
dscores[range(num_examples), y] -= 1
dscores /= num_examples
db2 = np.sum(probs, axis=0, keepdims=True)
""", "correct", "probs and dscores are the same array, so probs already holds the gradient")
case("cs231n-2layer-db2-copy-then-probs", SRC_CS231N_CASE, CS231N_2LAYER, "b2", """
dscores = probs.copy()
dscores[range(num_examples), y] -= 1
dscores /= num_examples
db2 = np.sum(probs, axis=0, keepdims=True)
""", "wrong_value", "after .copy() probs is still the softmax, not the gradient")
case("cs231n-2layer-dW2-relu-mask-in-place-alias", SRC_CS231N_CASE, CS231N_2LAYER, "W2", """
dscores = probs.copy()
dscores[range(num_examples), y] -= 1
dscores /= num_examples
relu_mask = hidden_layer
relu_mask[relu_mask > 0] = 1
dhidden = np.dot(dscores, W2.T) * relu_mask
dW = np.dot(X.T, dhidden) + reg * W
dW2 = np.dot(hidden_layer.T, dscores) + reg * W2
""", "wrong_value", "aliasing: building the mask in place turned hidden_layer itself into 0/1")
case("cs231n-2layer-dW-relu-mask-in-place-alias", SRC_CS231N_CASE, CS231N_2LAYER, "W", """
dscores = probs.copy()
dscores[range(num_examples), y] -= 1
dscores /= num_examples
relu_mask = hidden_layer
relu_mask[relu_mask > 0] = 1
dhidden = np.dot(dscores, W2.T) * relu_mask
dW = np.dot(X.T, dhidden) + reg * W
""", "correct", "the same in-place mask: harmless for W, which only needs the mask")

# =============================================================================================
# CS231n assignment 1, two_layer_net (neural_net.py), 2017+ conventions
# =============================================================================================

SRC_CS231N_A1 = "CS231n assignment 1, two-layer net (neural_net.py)"

CS231N_A1 = """
# CS231n assignment 1: TwoLayerNet.loss (b1, b2 are 1-D as initialised with np.zeros(hidden_size))
X: [N, D]
y: int[N] < C
W1: [D, H]
b1: [H]
W2: [H, C]
b2: [C]

reg = 0.05
h1 = np.maximum(0, X.dot(W1) + b1)
scores = h1.dot(W2) + b2
shifted = scores - np.max(scores, axis=1, keepdims=True)
exp_scores = np.exp(shifted)
probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
loss = -np.sum(np.log(probs[np.arange(N), y]))
loss /= N
loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
"""

CS231N_A1_BACKWARD = """
grads = {}
dscores = probs.copy()
dscores[np.arange(N), y] -= 1
dscores /= N
grads['W2'] = h1.T.dot(dscores) + 2 * reg * W2
grads['b2'] = np.sum(dscores, axis=0)
dh1 = dscores.dot(W2.T)
dh1[h1 <= 0] = 0
grads['W1'] = X.T.dot(dh1) + 2 * reg * W1
grads['b1'] = np.sum(dh1, axis=0)
"""

for leaf in ("W1", "b1", "W2", "b2"):
    case(f"cs231n-a1-grads-{leaf}", SRC_CS231N_A1, CS231N_A1, leaf, CS231N_A1_BACKWARD, "correct",
         "grads['...'] entries are the claims; the loss is built with loss /= N and loss += ...")
case("cs231n-a1-W2-half-reg", SRC_CS231N_A1, CS231N_A1, "W2",
     CS231N_A1_BACKWARD.replace("2 * reg * W2", "reg * W2"), "wrong_value",
     "the 2016 convention (0.5*reg in the loss) used with the 2017 loss reg*sum(W*W)")
case("cs231n-a1-b2-keepdims", SRC_CS231N_A1, CS231N_A1, "b2",
     CS231N_A1_BACKWARD.replace("np.sum(dscores, axis=0)", "np.sum(dscores, axis=0, keepdims=True)"),
     "wrong_shape", "the case study's keepdims habit, but here b2 is (C,)")
case("cs231n-a1-b1-wrong-axis", SRC_CS231N_A1, CS231N_A1, "b1",
     CS231N_A1_BACKWARD.replace("np.sum(dh1, axis=0)", "np.sum(dh1, axis=1)"), "wrong_shape",
     "summed over the hidden units instead of the examples")
case("cs231n-a1-W1-relu-as-product", SRC_CS231N_A1, CS231N_A1, "W1", """
dscores = probs.copy()
dscores[np.arange(N), y] -= 1
dscores /= N
dhidden = dscores.dot(W2.T) * (h1 > 0)
dW1 = X.T.dot(dhidden) + 2 * reg * W1
""", "correct", "the ReLU mask as a product with a comparison")
case("cs231n-a1-W1-where", SRC_CS231N_A1, CS231N_A1, "W1", """
dscores = probs.copy()
dscores[np.arange(N), y] -= 1
dscores /= N
dh1 = np.where(h1 > 0, dscores.dot(W2.T), 0)
grads['W1'] = np.dot(X.T, dh1) + 2 * reg * W1
""", "correct", "np.where for the ReLU; grads is used without being created (the oracle provides {})")
case("cs231n-a1-W2-1/N-twice", SRC_CS231N_A1, CS231N_A1, "W2", """
dscores = probs.copy()
dscores[np.arange(N), y] -= 1
dscores /= N
grads['W2'] = h1.T.dot(dscores) / N + 2 * reg * W2
""", "wrong_value", "1/N applied twice on the data term (the reg term keeps it from being a multiple)")
case("cs231n-a1-b2-1/N-twice", SRC_CS231N_A1, CS231N_A1, "b2", """
dscores = probs.copy()
dscores[np.arange(N), y] -= 1
dscores /= N
grads['b2'] = np.sum(dscores, axis=0) / N
""", "scaled", "1/N applied twice: 1/N times the gradient")
case("cs231n-a1-W1-mask-on-preactivation", SRC_CS231N_A1, CS231N_A1, "W1", """
dscores = probs.copy()
dscores[np.arange(N), y] -= 1
dscores /= N
dh1 = dscores.dot(W2.T)
dh1[X.dot(W1) + b1 <= 0] = 0
grads['W1'] = X.T.dot(dh1) + 2 * reg * W1
""", "correct", "the mask recomputed from the pre-activation")

SRC_CS231N_A2 = "CS231n assignment 2, layers.py affine_backward + softmax_loss"

CS231N_AFFINE = """
# CS231n assignment 2: affine_forward on an image-shaped input, then softmax_loss (log-sum-exp)
x: [N, d1, d2]
y: int[N] < M
w: [d1*d2, M]
b: [M]

out = x.reshape(x.shape[0], -1).dot(w) + b
shifted_logits = out - np.max(out, axis=1, keepdims=True)
Z = np.sum(np.exp(shifted_logits), axis=1, keepdims=True)
log_probs = shifted_logits - np.log(Z)
probs = np.exp(log_probs)
loss = -np.sum(log_probs[np.arange(N), y]) / N
"""

CS231N_AFFINE_BACKWARD = """
dout = probs.copy()
dout[np.arange(N), y] -= 1
dout /= N
dx = dout.dot(w.T).reshape(x.shape)
dw = x.reshape(x.shape[0], -1).T.dot(dout)
db = np.sum(dout, axis=0)
"""

for leaf in ("x", "w", "b"):
    case(f"cs231n-a2-affine-d{leaf}", SRC_CS231N_A2, CS231N_AFFINE, leaf, CS231N_AFFINE_BACKWARD, "correct",
         "softmax_loss's dx is called dout here; dx is the gradient of the data (rank 3)")
case("cs231n-a2-affine-dx-no-reshape", SRC_CS231N_A2, CS231N_AFFINE, "x",
     CS231N_AFFINE_BACKWARD.replace(".reshape(x.shape)", ""), "wrong_shape",
     "(N, d1*d2) instead of x's (N, d1, d2)")

# =============================================================================================
# CS224n (2017) assignment 1, q2_neural.py forward_backward_prop
# =============================================================================================

SRC_CS224N = "CS224n assignment 1, q2_neural.py"

CS224N_Q2 = """
# CS224n q2: sigmoid hidden layer, softmax, cross-entropy summed (not averaged) over the M rows
X: [M, Dx]
labels: onehot[M, Dy]
W1: [Dx, H]
b1: [1, H]
W2: [H, Dy]
b2: [1, Dy]

h = sigmoid(X.dot(W1) + b1)
y_hat = softmax(h.dot(W2) + b2)
cost = -np.sum(labels * np.log(y_hat))
"""

CS224N_Q2_BACKWARD = """
dout = y_hat - labels
gradb2 = np.sum(dout, axis=0, keepdims=True)
gradW2 = np.dot(h.T, dout)
dh = np.dot(dout, W2.T)
da1 = dh * sigmoid_grad(h)
gradb1 = np.sum(da1, axis=0, keepdims=True)
gradW1 = np.dot(X.T, da1)
"""

case("cs224n-q2-gradW1", SRC_CS224N, CS224N_Q2, "W1", CS224N_Q2_BACKWARD, "correct",
     "sigmoid_grad is the assignment's q2_sigmoid helper (it takes the sigmoid's output), not defined here")
case("cs224n-q2-gradW2", SRC_CS224N, CS224N_Q2, "W2", CS224N_Q2_BACKWARD + "gradW2", "correct",
     "gradW2 is not a claim name (grad_W2 would be), so the learner ends with it")
case("cs224n-q2-gradb1", SRC_CS224N, CS224N_Q2, "b1", CS224N_Q2_BACKWARD + "gradb1", "correct")
case("cs224n-q2-gradb2", SRC_CS224N, CS224N_Q2, "b2", CS224N_Q2_BACKWARD + "gradb2", "correct")
case("cs224n-q2-gradb1-no-keepdims", SRC_CS224N, CS224N_Q2, "b1",
     CS224N_Q2_BACKWARD.replace("np.sum(da1, axis=0, keepdims=True)", "np.sum(da1, axis=0)") + "gradb1",
     "wrong_shape", "what most published solutions write: (H,) for a (1, H) bias; the assignment "
     "flattens every gradient, so its gradcheck never notices")
case("cs224n-q2-gradW1-sigmoid-grad-of-z", SRC_CS224N, CS224N_Q2, "W1",
     CS224N_Q2_BACKWARD.replace("sigmoid_grad(h)", "sigmoid_grad(X.dot(W1) + b1)"), "wrong_value",
     "the output-taking helper applied to the pre-activation")
case("cs224n-q2-gradW1-defined-helper", SRC_CS224N, CS224N_Q2, "W1", """
def sigmoid_grad(s):
    ds = s * (1 - s)
    return ds
""" + CS224N_Q2_BACKWARD, "correct", "q2_sigmoid.sigmoid_grad pasted in with the derivation")
case("cs224n-q2-gradW1-no-sigmoid", SRC_CS224N, CS224N_Q2, "W1",
     CS224N_Q2_BACKWARD.replace("da1 = dh * sigmoid_grad(h)", "da1 = dh"), "wrong_value",
     "the hidden layer's sigmoid skipped")
case("cs224n-q2-gradW2-transposed", SRC_CS224N, CS224N_Q2, "W2",
     CS224N_Q2_BACKWARD.replace("gradW2 = np.dot(h.T, dout)", "gradW2 = np.dot(dout.T, h)") + "gradW2",
     "transposed")
case("cs224n-q2-gradW1-labels-minus-yhat", SRC_CS224N, CS224N_Q2, "W1",
     CS224N_Q2_BACKWARD.replace("dout = y_hat - labels", "dout = labels - y_hat"), "scaled",
     "sign flipped")
case("cs224n-q2-gradW2-mean", SRC_CS224N, CS224N_Q2, "W2", """
M = X.shape[0]
dout = (y_hat - labels) / M
gradW2 = np.dot(h.T, dout)
gradW2
""", "scaled", "divides by M, but this cost is a sum, not a mean")

CS224N_Q2_EXPANDED = """
# CS224n q2 with q1's softmax written out (max-shifted) inside the network
X: [M, Dx]
labels: onehot[M, Dy]
W1: [Dx, H]
b1: [1, H]
W2: [H, Dy]
b2: [1, Dy]

h = sigmoid(np.dot(X, W1) + b1)
scores = np.dot(h, W2) + b2
shifted = scores - np.max(scores, axis=1, keepdims=True)
exps = np.exp(shifted)
y_hat = exps / np.sum(exps, axis=1, keepdims=True)
cost = -np.sum(np.log(y_hat) * labels)
"""

case("cs224n-q2-expanded-softmax-W1", SRC_CS224N, CS224N_Q2_EXPANDED, "W1", """
grad_softmax = (y_hat - labels)
gradX2 = np.dot(grad_softmax, W2.T)
gradSig1 = gradX2 * sigmoid_grad(h)
gradW1 = np.dot(X.T, gradSig1)
""", "correct", "a published solution's names; the softmax is q1's, written out with the max shift")
case("cs224n-q2-expanded-softmax-b2-multiply", SRC_CS224N, CS224N_Q2_EXPANDED, "b2", """
grad_b2 = np.sum(np.subtract(y_hat, labels), axis=0, keepdims=True)
""", "correct", "grad_b2 is a claim; np.subtract")

# =============================================================================================
# deeplearning.ai, Neural Networks and Deep Learning (Course 1), column convention X: (n_x, m)
# =============================================================================================

SRC_DLAI_W2 = "deeplearning.ai C1 week 2, logistic regression (propagate)"

DLAI_LOGREG = """
# deeplearning.ai C1W2: propagate(w, b, X, Y); b is the Python float 0. of initialize_with_zeros
X: [n_x, m]
Y: [1, m]
w: [n_x, 1]
b: []

A = sigmoid(np.dot(w.T, X) + b)
cost = (- 1 / m) * np.sum(Y * np.log(A) + (1 - Y) * (np.log(1 - A)))
"""

DLAI_LOGREG_BACKWARD = """
m = X.shape[1]
dw = (1 / m) * np.dot(X, (A - Y).T)
db = (1 / m) * np.sum(A - Y)
"""

case("dlai-w2-dw", SRC_DLAI_W2, DLAI_LOGREG, "w", DLAI_LOGREG_BACKWARD, "correct",
     "m = X.shape[1] re-binds the dimension m to its own value, as the notebook does")
case("dlai-w2-db", SRC_DLAI_W2, DLAI_LOGREG, "b", DLAI_LOGREG_BACKWARD, "correct")
case("dlai-w2-dw-dZ", SRC_DLAI_W2, DLAI_LOGREG, "w", """
dZ = A - Y
dw = 1/m * X.dot(dZ.T)
""", "correct", "the dimension m used directly")
case("dlai-w2-dw-no-1/m", SRC_DLAI_W2, DLAI_LOGREG, "w", "dw = np.dot(X, (A - Y).T)", "scaled",
     "the 1/m forgotten")
case("dlai-w2-dw-X.T", SRC_DLAI_W2, DLAI_LOGREG, "w", "dw = (1 / m) * np.dot(X.T, A - Y)", "shape_error",
     "the row-convention habit X.T @ dZ in the column convention: (m, n_x) @ (1, m)")
case("dlai-w2-dw-transposed", SRC_DLAI_W2, DLAI_LOGREG, "w", "dw = (1 / m) * np.dot(A - Y, X.T)", "transposed",
     "(1, n_x) for a (n_x, 1) w")
case("dlai-w2-db-keepdims", SRC_DLAI_W2, DLAI_LOGREG, "b", "db = (1 / m) * np.sum(A - Y, axis=1, keepdims=True)",
     "wrong_shape", "(1, 1) for the scalar b: harmless in the update, but not b's shape")
case("dlai-w2-dw-Y-minus-A", SRC_DLAI_W2, DLAI_LOGREG, "w", "dw = (1 / m) * np.dot(X, (Y - A).T)", "scaled",
     "sign flipped")

SRC_DLAI_W3 = "deeplearning.ai C1 week 3, planar data classification (backward_propagation)"

DLAI_PLANAR = """
# deeplearning.ai C1W3: one tanh hidden layer, sigmoid output, binary cross-entropy (n_y = 1)
X: [n_x, m]
Y: [1, m]
W1: [n_h, n_x]
b1: [n_h, 1]
W2: [1, n_h]
b2: [1, 1]

Z1 = np.dot(W1, X) + b1
A1 = np.tanh(Z1)
Z2 = np.dot(W2, A1) + b2
A2 = sigmoid(Z2)
logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), (1 - Y))
cost = - np.sum(logprobs) / m
"""

DLAI_PLANAR_BACKWARD = """
m = X.shape[1]
dZ2 = A2 - Y
dW2 = (1 / m) * np.dot(dZ2, A1.T)
db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
dW1 = (1 / m) * np.dot(dZ1, X.T)
db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)
"""

for leaf in ("W1", "b1", "W2", "b2"):
    case(f"dlai-w3-d{leaf}", SRC_DLAI_W3, DLAI_PLANAR, leaf, DLAI_PLANAR_BACKWARD, "correct",
         "dZ2 = A2 - Y is the per-example gradient (m times dJ/dZ2); the 1/m comes back in dW and db")
case("dlai-w3-dW1-sigmoid-derivative-for-tanh", SRC_DLAI_W3, DLAI_PLANAR, "W1",
     DLAI_PLANAR_BACKWARD.replace("(1 - np.power(A1, 2))", "A1 * (1 - A1)"), "wrong_value",
     "the sigmoid's derivative used for the tanh layer")
case("dlai-w3-dW1-tanh-derivative-at-z", SRC_DLAI_W3, DLAI_PLANAR, "W1",
     DLAI_PLANAR_BACKWARD.replace("np.power(A1, 2)", "np.power(Z1, 2)"), "wrong_value",
     "1 - z^2 instead of 1 - tanh(z)^2")
case("dlai-w3-db1-axis-0", SRC_DLAI_W3, DLAI_PLANAR, "b1",
     DLAI_PLANAR_BACKWARD.replace("np.sum(dZ1, axis=1, keepdims=True)", "np.sum(dZ1, axis=0, keepdims=True)"),
     "wrong_shape", "summed over the hidden units (the row-convention axis) instead of the examples")
case("dlai-w3-db1-no-keepdims", SRC_DLAI_W3, DLAI_PLANAR, "b1",
     DLAI_PLANAR_BACKWARD.replace("np.sum(dZ1, axis=1, keepdims=True)", "np.sum(dZ1, axis=1)"), "wrong_shape",
     "(n_h,) for a (n_h, 1) bias")
case("dlai-w3-dW1-no-1/m", SRC_DLAI_W3, DLAI_PLANAR, "W1",
     DLAI_PLANAR_BACKWARD.replace("dW1 = (1 / m) * ", "dW1 = "), "scaled", "the 1/m forgotten in dW1")
case("dlai-w3-dW2-1/m-twice", SRC_DLAI_W3, DLAI_PLANAR, "W2",
     DLAI_PLANAR_BACKWARD.replace("dZ2 = A2 - Y", "dZ2 = (A2 - Y) / m"), "scaled",
     "1/m put into dZ2 and again into dW2")
case("dlai-w3-dW1-W2-not-transposed", SRC_DLAI_W3, DLAI_PLANAR, "W1",
     DLAI_PLANAR_BACKWARD.replace("np.dot(W2.T, dZ2)", "np.dot(W2, dZ2)"), "shape_error",
     "(1, n_h) @ (1, m)")
case("dlai-w3-dW1-tanh-backward-helper", SRC_DLAI_W3, DLAI_PLANAR, "W1", """
def tanh_backward(dA, cache):
    Z = cache
    dZ = dA * (1 - np.tanh(Z) ** 2)
    return dZ

dZ2 = A2 - Y
dZ1 = tanh_backward(np.dot(W2.T, dZ2), Z1)
dW1 = 1. / m * np.dot(dZ1, X.T)
""", "correct", "a learner's tanh_backward in the style of dnn_utils: it takes the cache Z")
case("dlai-w3-dW1-tanh-backward-activation-as-cache", SRC_DLAI_W3, DLAI_PLANAR, "W1", """
def tanh_backward(dA, cache):
    Z = cache
    dZ = dA * (1 - np.tanh(Z) ** 2)
    return dZ

dZ2 = A2 - Y
dZ1 = tanh_backward(np.dot(W2.T, dZ2), A1)
dW1 = 1. / m * np.dot(dZ1, X.T)
""", "wrong_value", "A1 passed as the cache: 1 - tanh(tanh(Z1))^2")
case("dlai-w3-dW1-multiply", SRC_DLAI_W3, DLAI_PLANAR, "W1", """
dZ2 = A2 - Y
dZ1 = np.multiply(np.dot(W2.T, dZ2), 1 - A1 ** 2)
dW1 = 1. / m * np.dot(dZ1, X.T)
""", "correct", "np.multiply and A1 ** 2")

SRC_DLAI_W4 = "deeplearning.ai C1 week 4, two_layer_model / dnn_utils"

DLAI_TWO_LAYER = """
# deeplearning.ai C1W4 two_layer_model: LINEAR -> RELU -> LINEAR -> SIGMOID, compute_cost
X: [n_x, m]
Y: [1, m]
W1: [n_h, n_x]
b1: [n_h, 1]
W2: [1, n_h]
b2: [1, 1]

Z1 = np.dot(W1, X) + b1
A1 = np.maximum(0, Z1)
Z2 = np.dot(W2, A1) + b2
A2 = 1 / (1 + np.exp(-Z2))
cost = np.squeeze((1. / m) * (-np.dot(Y, np.log(A2).T) - np.dot(1 - Y, np.log(1 - A2).T)))
"""

DLAI_HELPERS = """
def relu_backward(dA, cache):
    Z = cache
    dZ = np.copy(dA)
    dZ[Z <= 0] = 0
    return dZ

def sigmoid_backward(dA, cache):
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    dZ = dA * s * (1 - s)
    return dZ
"""

DLAI_TWO_LAYER_BACKWARD = DLAI_HELPERS + """
dA2 = - (np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
dZ2 = sigmoid_backward(dA2, Z2)
dW2 = 1. / m * np.dot(dZ2, A1.T)
db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
dA1 = np.dot(W2.T, dZ2)
dZ1 = relu_backward(dA1, Z1)
dW1 = 1. / m * np.dot(dZ1, X.T)
db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
"""

_DLAI_NOTE = ("dnn_utils' relu_backward/sigmoid_backward pasted with their cache (= Z); "
              "np.array(dA, copy=True) written np.copy(dA); linear_backward's lines inlined "
              "(it returns a tuple); dA2 is the per-example gradient")
for leaf in ("W1", "b1", "W2", "b2"):
    case(f"dlai-w4-2layer-d{leaf}", SRC_DLAI_W4, DLAI_TWO_LAYER, leaf, DLAI_TWO_LAYER_BACKWARD, "correct", _DLAI_NOTE)
case("dlai-w4-2layer-dW2-activation-as-cache", SRC_DLAI_W4, DLAI_TWO_LAYER, "W2",
     DLAI_TWO_LAYER_BACKWARD.replace("sigmoid_backward(dA2, Z2)", "sigmoid_backward(dA2, A2)"), "wrong_value",
     "the activation passed where the cache (Z) belongs: sigma'(A2) instead of sigma'(Z2)")
case("dlai-w4-2layer-dW1-relu-activation-as-cache", SRC_DLAI_W4, DLAI_TWO_LAYER, "W1",
     DLAI_TWO_LAYER_BACKWARD.replace("relu_backward(dA1, Z1)", "relu_backward(dA1, A1)"), "correct",
     "the same slip for the ReLU is harmless: A1 <= 0 exactly where Z1 <= 0")
case("dlai-w4-2layer-dW1-dA2-sign", SRC_DLAI_W4, DLAI_TWO_LAYER, "W1",
     DLAI_TWO_LAYER_BACKWARD.replace("dA2 = - (np.divide", "dA2 = (np.divide"), "scaled",
     "the minus sign of dAL forgotten")
case("dlai-w4-2layer-dW1-relu-product", SRC_DLAI_W4, DLAI_TWO_LAYER, "W1", """
dZ2 = A2 - Y
dA1 = np.dot(W2.T, dZ2)
dZ1 = dA1 * (Z1 > 0)
dW1 = 1. / m * np.dot(dZ1, X.T)
""", "correct", "sigmoid + cross-entropy simplified to A2 - Y; the ReLU as a product")

SRC_DLAI_W4_DEEP = "deeplearning.ai C1 week 4, L_model_backward (L = 3)"

DLAI_DEEP = """
# deeplearning.ai C1W4 L_layer_model with L = 3: [LINEAR -> RELU] x 2 -> LINEAR -> SIGMOID
X: [n_x, m]
Y: [1, m]
W1: [n_1, n_x]
b1: [n_1, 1]
W2: [n_2, n_1]
b2: [n_2, 1]
W3: [1, n_2]
b3: [1, 1]

Z1 = W1.dot(X) + b1
A1 = relu(Z1)
Z2 = W2.dot(A1) + b2
A2 = relu(Z2)
Z3 = W3.dot(A2) + b3
AL = sigmoid(Z3)
cost = (-1 / m) * np.sum(np.multiply(Y, np.log(AL)) + np.multiply(1 - Y, np.log(1 - AL)))
"""

DLAI_DEEP_BACKWARD = DLAI_HELPERS + """
dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
dZ3 = sigmoid_backward(dAL, Z3)
dW3 = 1. / m * np.dot(dZ3, A2.T)
db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
dA2 = np.dot(W3.T, dZ3)
dZ2 = relu_backward(dA2, Z2)
dW2 = 1. / m * np.dot(dZ2, A1.T)
db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
dA1 = np.dot(W2.T, dZ2)
dZ1 = relu_backward(dA1, Z1)
dW1 = 1. / m * np.dot(dZ1, X.T)
db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
"""

_DEEP_NOTE = "the loop over reversed(range(L-1)) unrolled; grads['dW' + str(l + 1)] written as plain dW2 etc."
for leaf in ("W1", "b2", "W3"):
    case(f"dlai-w4-deep-d{leaf}", SRC_DLAI_W4_DEEP, DLAI_DEEP, leaf, DLAI_DEEP_BACKWARD, "correct", _DEEP_NOTE)
case("dlai-w4-deep-dW1-skipped-relu", SRC_DLAI_W4_DEEP, DLAI_DEEP, "W1",
     DLAI_DEEP_BACKWARD.replace("dZ1 = relu_backward(dA1, Z1)", "dZ1 = dA1"), "wrong_value",
     "the first layer's ReLU skipped (the loop started one layer too late)")
case("dlai-w4-deep-dW2-dA-not-propagated", SRC_DLAI_W4_DEEP, DLAI_DEEP, "W2",
     DLAI_DEEP_BACKWARD.replace("dZ2 = relu_backward(dA2, Z2)", "dZ2 = relu_backward(dAL, Z2)"), "shape_error",
     "the loop kept using dAL (1, m) instead of the propagated dA2 (n_2, m)")

# =============================================================================================
# Nielsen, Neural Networks and Deep Learning, network.py / network2.py (column vectors, one example)
# =============================================================================================

SRC_NIELSEN = "Nielsen, network.py backprop"

NIELSEN = """
# Nielsen network.py with sizes [n0, n1, n2]: weights[0], biases[0], ... are w1, b1, ...
x: [n0, 1]
y: [n2, 1]
w1: [n1, n0]
b1: [n1, 1]
w2: [n2, n1]
b2: [n2, 1]

z1 = np.dot(w1, x) + b1
a1 = sigmoid(z1)
z2 = np.dot(w2, a1) + b2
a2 = sigmoid(z2)
C = 0.5 * np.linalg.norm(a2 - y) ** 2
"""

NIELSEN_BACKWARD = """
def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))

delta = (a2 - y) * sigmoid_prime(z2)
nabla_b2 = delta
nabla_w2 = np.dot(delta, a1.transpose())
sp = sigmoid_prime(z1)
delta = np.dot(w2.transpose(), delta) * sp
nabla_b1 = delta
nabla_w1 = np.dot(delta, x.transpose())
"""

_NIELSEN_NOTE = ("backprop() with the lists nabla_b[-l], nabla_w[-l], zs[-l] and activations[-l] "
                 "written as plain names and the loop unrolled; cost_derivative(a, y) = a - y inlined; "
                 "delta reassigned layer after layer")
case("nielsen-nabla-w1", SRC_NIELSEN, NIELSEN, "w1", NIELSEN_BACKWARD, "correct", _NIELSEN_NOTE)
case("nielsen-nabla-b1", SRC_NIELSEN, NIELSEN, "b1", NIELSEN_BACKWARD + "nabla_b1", "correct",
     _NIELSEN_NOTE + "; nabla_b1 is not a claim name, so the learner ends with it")
case("nielsen-nabla-w2", SRC_NIELSEN, NIELSEN, "w2", NIELSEN_BACKWARD + "nabla_w2", "correct",
     "nabla_w2 keeps the first delta, though delta is reassigned afterwards")
case("nielsen-nabla-b2-builtin-sigmoid-prime", SRC_NIELSEN, NIELSEN, "b2", """
delta = (a2 - y) * sigmoid_prime(z2)
nabla_b2 = delta
nabla_b2
""", "correct", "sigmoid_prime (pre-activation, as network.py defines it) used without a def")
case("nielsen-nabla-w2-sigmoid-prime-of-activation", SRC_NIELSEN, NIELSEN, "w2",
     NIELSEN_BACKWARD.replace("(a2 - y) * sigmoid_prime(z2)", "(a2 - y) * sigmoid_prime(a2)") + "nabla_w2",
     "wrong_value", "sigmoid_prime takes z; given the activation it computes sigma'(sigma(z))")
case("nielsen-nabla-w1-output-form", SRC_NIELSEN, NIELSEN, "w1",
     NIELSEN_BACKWARD.replace("sp = sigmoid_prime(z1)", "sp = a1 * (1 - a1)"), "correct",
     "sigma'(z1) written from the activation")
case("nielsen-nabla-w1-transposed", SRC_NIELSEN, NIELSEN, "w1",
     NIELSEN_BACKWARD.replace("np.dot(delta, x.transpose())", "np.dot(x, delta.transpose())"), "transposed")
case("nielsen-nabla-w1-w2-not-transposed", SRC_NIELSEN, NIELSEN, "w1",
     NIELSEN_BACKWARD.replace("np.dot(w2.transpose(), delta)", "np.dot(w2, delta)"), "shape_error",
     "(n2, n1) @ (n2, 1)")
case("nielsen-nabla-w1-y-minus-a", SRC_NIELSEN, NIELSEN, "w1",
     NIELSEN_BACKWARD.replace("(a2 - y)", "(y - a2)"), "scaled", "cost_derivative with the sign flipped")
case("nielsen-nabla-w1-cross-entropy-delta", SRC_NIELSEN, NIELSEN, "w1",
     NIELSEN_BACKWARD.replace("delta = (a2 - y) * sigmoid_prime(z2)", "delta = (a2 - y)"), "wrong_value",
     "network2's CrossEntropyCost.delta used with the quadratic cost of network.py")

SRC_NIELSEN2 = "Nielsen, network2.py CrossEntropyCost"

NIELSEN_CE = """
# Nielsen network2.py: CrossEntropyCost.fn for one example
x: [n0, 1]
y: [n2, 1]
w1: [n1, n0]
b1: [n1, 1]
w2: [n2, n1]
b2: [n2, 1]

z1 = np.dot(w1, x) + b1
a1 = sigmoid(z1)
z2 = np.dot(w2, a1) + b2
a2 = sigmoid(z2)
C = np.sum(np.nan_to_num(-y*np.log(a2)-(1-y)*np.log(1-a2)))
"""

case("nielsen2-ce-nabla-w1", SRC_NIELSEN2, NIELSEN_CE, "w1", """
delta = (a2 - y)
nabla_w2 = np.dot(delta, a1.transpose())
delta = np.dot(w2.transpose(), delta) * sigmoid_prime(z1)
nabla_w1 = np.dot(delta, x.transpose())
""", "correct", "CrossEntropyCost.delta(z, a, y) = a - y; the built-in sigmoid_prime takes z")
case("nielsen2-ce-nabla-w2-quadratic-delta", SRC_NIELSEN2, NIELSEN_CE, "w2", """
delta = (a2 - y) * sigmoid_prime(z2)
nabla_w2 = np.dot(delta, a1.transpose())
nabla_w2
""", "wrong_value", "QuadraticCost.delta kept after switching to the cross-entropy cost")

# =============================================================================================
# Karpathy, "Building makemore Part 4: Becoming a Backprop Ninja" (PyTorch lines in NumPy)
# =============================================================================================

SRC_KARPATHY = "Karpathy, makemore part 4 (backprop ninja)"

KARPATHY = """
# makemore part 4 forward pass, "chunkated"; torch spellings in NumPy (keepdim -> keepdims, .exp() -> np.exp)
C: [V, E]
Xb: int[N, T] < V
Yb: int[N] < V
W1: [T*E, H]
b1: [H]
W2: [H, V]
b2: [V]
bngain: [1, H]
bnbias: [1, H]

n = Xb.shape[0]
emb = C[Xb]
embcat = emb.reshape(emb.shape[0], -1)
hprebn = embcat @ W1 + b1
bnmeani = 1/n*hprebn.sum(0, keepdims=True)
bndiff = hprebn - bnmeani
bndiff2 = bndiff**2
bnvar = 1/(n-1)*(bndiff2).sum(0, keepdims=True)
bnvar_inv = (bnvar + 1e-5)**-0.5
bnraw = bndiff * bnvar_inv
hpreact = bngain * bnraw + bnbias
h = np.tanh(hpreact)
logits = h @ W2 + b2
logit_maxes = logits.max(1, keepdims=True)
norm_logits = logits - logit_maxes
counts = np.exp(norm_logits)
counts_sum = counts.sum(1, keepdims=True)
counts_sum_inv = counts_sum**-1
probs = counts * counts_sum_inv
logprobs = np.log(probs)
loss = -logprobs[range(n), Yb].mean()
"""

KARPATHY_EX1_TOP = """
dlogprobs = np.zeros_like(logprobs)
dlogprobs[range(n), Yb] = -1.0/n
dprobs = (1.0 / probs) * dlogprobs
dcounts_sum_inv = (counts * dprobs).sum(1, keepdims=True)
dcounts = counts_sum_inv * dprobs
dcounts_sum = (-counts_sum**-2) * dcounts_sum_inv
dcounts += np.ones_like(counts) * dcounts_sum
dnorm_logits = counts * dcounts
dlogits = dnorm_logits.copy()
dlogit_maxes = (-dnorm_logits).sum(1, keepdims=True)
dlogits += (logits >= logit_maxes) * dlogit_maxes
dh = dlogits @ W2.T
dW2 = h.T @ dlogits
db2 = dlogits.sum(0)
"""

KARPATHY_EX1_BN = """
dhpreact = (1.0 - h**2) * dh
dbngain = (bnraw * dhpreact).sum(0, keepdims=True)
dbnraw = bngain * dhpreact
dbnbias = dhpreact.sum(0, keepdims=True)
dbndiff = bnvar_inv * dbnraw
dbnvar_inv = (bndiff * dbnraw).sum(0, keepdims=True)
dbnvar = (-0.5*(bnvar + 1e-5)**-1.5) * dbnvar_inv
dbndiff2 = (1.0/(n-1))*np.ones_like(bndiff2) * dbnvar
dbndiff += (2*bndiff) * dbndiff2
dhprebn = dbndiff.copy()
dbnmeani = (-dbndiff).sum(0)
dhprebn += 1.0/n * (np.ones_like(hprebn) * dbnmeani)
dembcat = dhprebn @ W1.T
dW1 = embcat.T @ dhprebn
db1 = dhprebn.sum(0)
demb = dembcat.reshape(emb.shape)
dC = np.einsum('ntv,ntd->vd', np.eye(C.shape[0])[Xb], demb)
"""

KARPATHY_EX1 = KARPATHY_EX1_TOP + KARPATHY_EX1_BN
_KARPATHY_NOTE = ("exercise 1 as in the lecture; F.one_hot(logits.max(1).indices) written "
                  "(logits >= logit_maxes), .clone() written .copy(); the dC loop "
                  "(dC[ix] += demb[k,j]) written as an einsum with one-hot rows")

for leaf in ("W2", "b2", "bngain", "bnbias", "W1", "C"):
    case(f"karpathy-ex1-d{leaf}", SRC_KARPATHY, KARPATHY, leaf, KARPATHY_EX1, "correct", _KARPATHY_NOTE)
case("karpathy-ex1-db1-zero", SRC_KARPATHY, KARPATHY, "b1", KARPATHY_EX1, "correct",
     "b1 comes right before batch norm: its gradient is exactly zero and db1 is ~1e-17")
case("karpathy-ex1-dW2-missing-second-branch", SRC_KARPATHY, KARPATHY, "W2",
     KARPATHY_EX1_TOP.replace("dcounts += np.ones_like(counts) * dcounts_sum\n", ""), "wrong_value",
     "counts is used twice (probs and counts_sum); the second branch forgotten")
case("karpathy-ex1-db2-wrong-axis", SRC_KARPATHY, KARPATHY, "b2",
     KARPATHY_EX1_TOP.replace("db2 = dlogits.sum(0)", "db2 = dlogits.sum(1)"), "wrong_shape")
case("karpathy-ex1-dW1-tanh-at-preactivation", SRC_KARPATHY, KARPATHY, "W1",
     KARPATHY_EX1.replace("(1.0 - h**2) * dh", "(1.0 - hpreact**2) * dh"), "wrong_value",
     "the tanh derivative taken at the pre-activation")
case("karpathy-ex1-dW1-no-bessel", SRC_KARPATHY, KARPATHY, "W1",
     KARPATHY_EX1.replace("(1.0/(n-1))", "(1.0/n)"), "wrong_value",
     "1/n where the forward pass has Bessel's 1/(n-1)")
case("karpathy-ex1-dC-fancy-index-add", SRC_KARPATHY, KARPATHY, "C",
     KARPATHY_EX1.replace("dC = np.einsum('ntv,ntd->vd', np.eye(C.shape[0])[Xb], demb)",
                          "dC = np.zeros_like(C)\ndC[Xb] += demb"), "wrong_value",
     "dC[Xb] += demb keeps one contribution per repeated character (np.add.at would add them all)")

KARPATHY_EX2 = """
dlogits = softmax(logits, axis=1)
dlogits[range(n), Yb] -= 1
dlogits /= n
dW2 = h.T @ dlogits
db2 = dlogits.sum(0)
"""

case("karpathy-ex2-dW2", SRC_KARPATHY, KARPATHY, "W2", KARPATHY_EX2, "correct",
     "exercise 2: cross-entropy in one go; F.softmax(logits, 1) is softmax(logits, axis=1)")
case("karpathy-ex2-db2", SRC_KARPATHY, KARPATHY, "b2", KARPATHY_EX2, "correct")
case("karpathy-ex2-dW2-no-1/n", SRC_KARPATHY, KARPATHY, "W2",
     KARPATHY_EX2.replace("dlogits /= n\n", ""), "scaled", "the mean's 1/n forgotten")
case("karpathy-ex2-dW2-probs-alias", SRC_KARPATHY, KARPATHY, "W2", """
dlogits = probs
dlogits[range(n), Yb] -= 1
dlogits /= n
dW2 = h.T @ dlogits
""", "correct", "probs from the forward pass reused in place")

case("karpathy-ex2-then-ex1-alias", SRC_KARPATHY, KARPATHY, "W2", """
dlogits = probs
dlogits[range(n), Yb] -= 1
dlogits /= n
""" + KARPATHY_EX1_TOP, "wrong_value",
     "exercise 2's lines run before exercise 1's: dlogits = probs changed probs in place, "
     "and 1.0 / probs then reads the changed array")
case("karpathy-ex2-copy-then-ex1", SRC_KARPATHY, KARPATHY, "W2", """
dlogits = probs.copy()
dlogits[range(n), Yb] -= 1
dlogits /= n
""" + KARPATHY_EX1_TOP, "correct", "the same with .copy(): probs is intact")

KARPATHY_EX3 = """
dlogits = softmax(logits, axis=1)
dlogits[range(n), Yb] -= 1
dlogits /= n
dh = dlogits @ W2.T
dhpreact = (1.0 - h**2) * dh
dhprebn = bngain*bnvar_inv/n * (n*dhpreact - dhpreact.sum(0) - n/(n-1)*bnraw*(dhpreact*bnraw).sum(0))
dW1 = embcat.T @ dhprebn
"""

case("karpathy-ex3-dW1", SRC_KARPATHY, KARPATHY, "W1", KARPATHY_EX3, "correct",
     "exercise 3: batch norm backward in one line")
case("karpathy-ex3-dW1-no-bessel-factor", SRC_KARPATHY, KARPATHY, "W1",
     KARPATHY_EX3.replace("n/(n-1)*bnraw", "bnraw"), "wrong_value",
     "the textbook batch-norm formula (biased variance) with Karpathy's Bessel-corrected forward pass")

# =============================================================================================
# nnfs, Neural Networks from Scratch in Python (Kinsley & Kukieła)
# =============================================================================================

SRC_NNFS = "nnfs, softmax + categorical cross-entropy (ch. 9-14)"

NNFS = """
# nnfs: Layer_Dense x 2 (dense1.weights is weights1 ...), ReLU, softmax, clipped CCE, L2 regularization
X: [N, D]
y: int[N] < K
weights1: [D, H]
biases1: [1, H]
weights2: [H, K]
biases2: [1, K]

weight_regularizer_l2 = 5e-4
bias_regularizer_l2 = 5e-4
dense1_output = np.dot(X, weights1) + biases1
activation1_output = np.maximum(0, dense1_output)
dense2_output = np.dot(activation1_output, weights2) + biases2
exp_values = np.exp(dense2_output - np.max(dense2_output, axis=1, keepdims=True))
probabilities = exp_values / np.sum(exp_values, axis=1, keepdims=True)
y_pred_clipped = np.clip(probabilities, 1e-7, 1 - 1e-7)
correct_confidences = y_pred_clipped[range(N), y]
negative_log_likelihoods = -np.log(correct_confidences)
data_loss = np.mean(negative_log_likelihoods)
regularization_loss = weight_regularizer_l2 * np.sum(weights1 * weights1) + bias_regularizer_l2 * np.sum(biases1 * biases1)
loss = data_loss + regularization_loss
"""

NNFS_BACKWARD = """
dvalues = probabilities
samples = dvalues.shape[0]
dinputs = dvalues.copy()
dinputs[range(samples), y] -= 1
dinputs = dinputs / samples
dweights2 = np.dot(activation1_output.T, dinputs)
dbiases2 = np.sum(dinputs, axis=0, keepdims=True)
dinputs2 = np.dot(dinputs, weights2.T)
drelu = dinputs2.copy()
drelu[dense1_output <= 0] = 0
dweights1 = np.dot(X.T, drelu)
dbiases1 = np.sum(drelu, axis=0, keepdims=True)
dweights1 += 2 * weight_regularizer_l2 * weights1
dbiases1 += 2 * bias_regularizer_l2 * biases1
"""

_NNFS_NOTE = ("the layers' backward methods as a plain script (self.dweights -> dweights1, "
              "self.inputs -> the forward names); samples = len(dvalues) written dvalues.shape[0]")
for leaf in ("weights1", "biases1", "weights2", "biases2"):
    case(f"nnfs-d{leaf}", SRC_NNFS, NNFS, leaf, NNFS_BACKWARD, "correct", _NNFS_NOTE)
case("nnfs-dweights1-l2-without-2", SRC_NNFS, NNFS, "weights1",
     NNFS_BACKWARD.replace("2 * weight_regularizer_l2", "weight_regularizer_l2"), "wrong_value",
     "CS231n's 0.5*reg habit, but nnfs's penalty has no 0.5")
case("nnfs-dweights2-no-copy", SRC_NNFS, NNFS, "weights2",
     NNFS_BACKWARD.replace("dinputs = dvalues.copy()", "dinputs = dvalues"), "correct",
     "without .copy() the softmax output is overwritten, but nothing reads it afterwards")
case("nnfs-dweights2-not-divided", SRC_NNFS, NNFS, "weights2",
     NNFS_BACKWARD.replace("dinputs = dinputs / samples\n", ""), "scaled",
     "the normalisation by samples forgotten (weights2 is not regularized)")
case("nnfs-dweights1-relu-mask-on-output", SRC_NNFS, NNFS, "weights1",
     NNFS_BACKWARD.replace("drelu[dense1_output <= 0] = 0", "drelu[activation1_output <= 0] = 0"), "correct",
     "the mask from the ReLU's output instead of its input: the same set")

NNFS_SEPARATE = """
dvalues = probabilities
samples = dvalues.shape[0]
labels = dvalues.shape[1]
y_true = np.eye(labels)[y]
dinputs = -y_true / dvalues
dinputs = dinputs / samples
jacobian_matrix = np.einsum('ij,jk->ijk', probabilities, np.eye(labels)) - np.einsum('ij,ik->ijk', probabilities, probabilities)
dsoftmax = np.einsum('ijk,ik->ij', jacobian_matrix, dinputs)
dweights2 = np.dot(activation1_output.T, dsoftmax)
"""

case("nnfs-separate-jacobian-dweights2", SRC_NNFS, NNFS, "weights2", NNFS_SEPARATE, "correct",
     "Loss_CategoricalCrossentropy.backward then Activation_Softmax.backward; the per-sample loop "
     "(np.diagflat(single_output) - np.dot(single_output, single_output.T)) written with einsum")
case("nnfs-separate-jacobian-transposed-contraction", SRC_NNFS, NNFS, "weights2",
     NNFS_SEPARATE.replace("'ijk,ik->ij'", "'ijk,ij->ik'"), "correct",
     "contracting the other index of the (symmetric) softmax Jacobian gives the same numbers")
case("nnfs-separate-missing-outer", SRC_NNFS, NNFS, "weights2",
     NNFS_SEPARATE.replace(" - np.einsum('ij,ik->ijk', probabilities, probabilities)", ""), "wrong_value",
     "only diag(p) kept: the -p p^T part of the softmax Jacobian forgotten")

SRC_NNFS_BIN = "nnfs, binary logistic regression and regression (ch. 16-17)"

NNFS_BINARY = """
# nnfs ch. 16: sigmoid outputs, binary cross-entropy averaged over outputs then samples
X: [N, D]
y: [N, O]
weights1: [D, H]
biases1: [1, H]
weights2: [H, O]
biases2: [1, O]

dense1_output = np.dot(X, weights1) + biases1
activation1_output = np.maximum(0, dense1_output)
dense2_output = np.dot(activation1_output, weights2) + biases2
activation2_output = 1 / (1 + np.exp(-dense2_output))
y_pred_clipped = np.clip(activation2_output, 1e-7, 1 - 1e-7)
sample_losses = np.mean(-(y * np.log(y_pred_clipped) + (1 - y) * np.log(1 - y_pred_clipped)), axis=-1)
data_loss = np.mean(sample_losses)
"""

NNFS_BINARY_BACKWARD = """
dvalues = activation2_output
samples = dvalues.shape[0]
outputs = dvalues.shape[1]
clipped_dvalues = np.clip(dvalues, 1e-7, 1 - 1e-7)
dinputs = -(y / clipped_dvalues - (1 - y) / (1 - clipped_dvalues)) / outputs
dinputs = dinputs / samples
dsigmoid = dinputs * (1 - activation2_output) * activation2_output
dweights2 = np.dot(activation1_output.T, dsigmoid)
dbiases2 = np.sum(dsigmoid, axis=0, keepdims=True)
"""

case("nnfs-bce-dweights2", SRC_NNFS_BIN, NNFS_BINARY, "weights2", NNFS_BINARY_BACKWARD, "correct",
     "divides by outputs and by samples, as the two means require; outputs = len(dvalues[0])")
case("nnfs-bce-dbiases2", SRC_NNFS_BIN, NNFS_BINARY, "biases2", NNFS_BINARY_BACKWARD, "correct")
case("nnfs-bce-dweights2-no-outputs", SRC_NNFS_BIN, NNFS_BINARY, "weights2",
     NNFS_BINARY_BACKWARD.replace(" / outputs", ""), "scaled",
     "the mean over outputs forgotten in the backward pass")

NNFS_MSE = """
# nnfs ch. 17: a linear output and mean squared error
X: [N, D]
y: [N, O]
weights1: [D, O]
biases1: [1, O]

dense1_output = np.dot(X, weights1) + biases1
sample_losses = np.mean((y - dense1_output)**2, axis=-1)
data_loss = np.mean(sample_losses)
"""

case("nnfs-mse-dweights1", SRC_NNFS_BIN, NNFS_MSE, "weights1", """
dvalues = dense1_output
samples = dvalues.shape[0]
outputs = dvalues.shape[1]
dinputs = -2 * (y - dvalues) / outputs
dinputs = dinputs / samples
dweights1 = np.dot(X.T, dinputs)
""", "correct", "Loss_MeanSquaredError.backward then Layer_Dense.backward")
case("nnfs-mse-dweights1-no-2", SRC_NNFS_BIN, NNFS_MSE, "weights1", """
dinputs = -(y - dense1_output) / y.shape[1] / y.shape[0]
dweights1 = np.dot(X.T, dinputs)
""", "scaled", "the 2 of the square forgotten")

# =============================================================================================
# Popular from-scratch blog posts and books
# =============================================================================================

SRC_WILDML = "WildML (Britz), Implementing a Neural Network from Scratch in Python"

WILDML = """
# WildML: calculate_loss divides the regularized sum by num_examples
X: [N, D]
y: int[N] < K
W1: [D, H]
b1: [1, H]
W2: [H, K]
b2: [1, K]

reg_lambda = 0.01
num_examples = X.shape[0]
z1 = X.dot(W1) + b1
a1 = np.tanh(z1)
z2 = a1.dot(W2) + b2
exp_scores = np.exp(z2)
probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
corect_logprobs = -np.log(probs[range(num_examples), y])
data_loss = np.sum(corect_logprobs)
reg_loss = reg_lambda/2 * (np.sum(np.square(W1)) + np.sum(np.square(W2)))
loss = 1./num_examples * (data_loss + reg_loss)
"""

WILDML_BACKWARD = """
delta3 = probs
delta3[range(num_examples), y] -= 1
dW2 = (a1.T).dot(delta3)
db2 = np.sum(delta3, axis=0, keepdims=True)
delta2 = delta3.dot(W2.T) * (1 - np.power(a1, 2))
dW1 = np.dot(X.T, delta2)
db1 = np.sum(delta2, axis=0)
dW2 += reg_lambda * W2
dW1 += reg_lambda * W1
"""

case("wildml-dW1", SRC_WILDML, WILDML, "W1", WILDML_BACKWARD, "scaled",
     "as published: the loss is divided by num_examples, the gradient is not -> num_examples x the gradient")
case("wildml-dW2", SRC_WILDML, WILDML, "W2", WILDML_BACKWARD, "scaled", "as published (factor num_examples)")
case("wildml-db2", SRC_WILDML, WILDML, "b2", WILDML_BACKWARD, "scaled", "as published (factor num_examples)")
case("wildml-db1", SRC_WILDML, WILDML, "b1", WILDML_BACKWARD, "wrong_shape",
     "as published: b1 is (1, nn_hdim) but db1 is summed without keepdims")
case("wildml-dW1-fixed", SRC_WILDML, WILDML, "W1", """
delta3 = probs
delta3[range(num_examples), y] -= 1
delta2 = delta3.dot(W2.T) * (1 - np.power(a1, 2))
dW1 = np.dot(X.T, delta2)
dW1 += reg_lambda * W1
dW1 /= num_examples
""", "correct", "the blog's code with the 1/num_examples of its own loss put back at the end")
case("wildml-db1-fixed", SRC_WILDML, WILDML, "b1", """
delta3 = probs
delta3[range(num_examples), y] -= 1
delta3 /= num_examples
delta2 = delta3.dot(W2.T) * (1 - np.power(a1, 2))
db1 = np.sum(delta2, axis=0, keepdims=True)
""", "correct")

SRC_TRASK = "iamtrask, A Neural Network in 11 lines of Python"

TRASK = """
# iamtrask part 2 (3-layer network); the loss is implicit in the post: half the squared error
X: [N, D]
y: [N, 1]
syn0: [D, H]
syn1: [H, 1]

# sigmoid function
def nonlin(x,deriv=False):
    if(deriv==True):
        return x*(1-x)
    return 1/(1+np.exp(-x))

l0 = X
l1 = nonlin(np.dot(l0,syn0))
l2 = nonlin(np.dot(l1,syn1))
J = 0.5 * np.sum((y - l2) ** 2)
"""

TRASK_BACKWARD = """
def nonlin(x,deriv=False):
    if(deriv==True):
        return x*(1-x)
    return 1/(1+np.exp(-x))

l2_error = y - l2
l2_delta = l2_error*nonlin(l2,deriv=True)
l1_error = l2_delta.dot(syn1.T)
l1_delta = l1_error * nonlin(l1,deriv=True)
"""

case("trask-syn1-update", SRC_TRASK, TRASK, "syn1", TRASK_BACKWARD + "l1.T.dot(l2_delta)", "scaled",
     "the post's nonlin(x, deriv=True) read as written (its flag picks the branch); the post adds "
     "l1.T.dot(l2_delta) to syn1: it is the negative gradient")
case("trask-syn0-update", SRC_TRASK, TRASK, "syn0", TRASK_BACKWARD + "l0.T.dot(l1_delta)", "scaled",
     "the update direction again: minus the gradient")
case("trask-syn0-gradient", SRC_TRASK, TRASK, "syn0", TRASK_BACKWARD + "-l0.T.dot(l1_delta)", "correct",
     "the learner who negates the update to get the gradient")
case("trask-syn1-deriv-of-preactivation", SRC_TRASK, TRASK, "syn1",
     TRASK_BACKWARD.replace("nonlin(l2,deriv=True)", "nonlin(np.dot(l1, syn1),deriv=True)") + "-l1.T.dot(l2_delta)",
     "wrong_value", "the output-taking derivative applied to the pre-activation")

SRC_ZHOU = "Victor Zhou, Machine Learning for Beginners: An Introduction to Neural Networks"

ZHOU = """
# victorzhou.com: 2 inputs, 2 hidden neurons, 1 output, scalar weights; the MSE of one sample
x: [2]
y_true: []
w1: []
w2: []
w3: []
w4: []
w5: []
w6: []
b1: []
b2: []
b3: []

sum_h1 = w1 * x[0] + w2 * x[1] + b1
h1 = sigmoid(sum_h1)
sum_h2 = w3 * x[0] + w4 * x[1] + b2
h2 = sigmoid(sum_h2)
sum_o1 = w5 * h1 + w6 * h2 + b3
o1 = sigmoid(sum_o1)
y_pred = o1
L = (y_true - y_pred) ** 2
"""

ZHOU_BACKWARD = """
def deriv_sigmoid(x):
    fx = sigmoid(x)
    return fx * (1 - fx)

d_L_d_ypred = -2 * (y_true - y_pred)
d_ypred_d_w5 = h1 * deriv_sigmoid(sum_o1)
d_ypred_d_h1 = w5 * deriv_sigmoid(sum_o1)
d_h1_d_w1 = x[0] * deriv_sigmoid(sum_h1)
"""

case("zhou-w1", SRC_ZHOU, ZHOU, "w1", ZHOU_BACKWARD + "d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1", "correct",
     "the factors of `self.w1 -= learn_rate * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1`; "
     "deriv_sigmoid takes the pre-activation")
case("zhou-w5", SRC_ZHOU, ZHOU, "w5", ZHOU_BACKWARD + "d_L_d_ypred * d_ypred_d_w5", "correct")
case("zhou-w1-deriv-of-activation", SRC_ZHOU, ZHOU, "w1",
     ZHOU_BACKWARD.replace("x[0] * deriv_sigmoid(sum_h1)", "x[0] * deriv_sigmoid(h1)")
     + "d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1", "wrong_value",
     "the pre-activation helper given the activation")
case("zhou-w5-sign", SRC_ZHOU, ZHOU, "w5",
     ZHOU_BACKWARD.replace("-2 * (y_true - y_pred)", "2 * (y_true - y_pred)") + "d_L_d_ypred * d_ypred_d_w5",
     "scaled", "sign flipped")

SRC_SAITO = "Saito, Deep Learning from Scratch, TwoLayerNet.gradient"

SAITO = """
# Deep Learning from Scratch ch. 4-5: TwoLayerNet (cross_entropy_error without its + 1e-7)
x: [N, D]
t: onehot[N, K]
W1: [D, H]
b1: [H]
W2: [H, K]
b2: [K]

batch_num = x.shape[0]
a1 = np.dot(x, W1) + b1
z1 = sigmoid(a1)
a2 = np.dot(z1, W2) + b2
y = softmax(a2)
loss = -np.sum(t * np.log(y)) / batch_num
"""

SAITO_BACKWARD = """
def sigmoid_grad(x):
    return (1.0 - sigmoid(x)) * sigmoid(x)

grads = {}
dy = (y - t) / batch_num
grads['W2'] = np.dot(z1.T, dy)
grads['b2'] = np.sum(dy, axis=0)
dz1 = np.dot(dy, W2.T)
da1 = sigmoid_grad(a1) * dz1
grads['W1'] = np.dot(x.T, da1)
grads['b1'] = np.sum(da1, axis=0)
"""

case("saito-grads-W1", SRC_SAITO, SAITO, "W1", SAITO_BACKWARD, "correct",
     "this book's sigmoid_grad takes the PRE-activation (common/functions.py), unlike CS224n's")
case("saito-grads-b1", SRC_SAITO, SAITO, "b1", SAITO_BACKWARD, "correct")
case("saito-grads-W2", SRC_SAITO, SAITO, "W2", SAITO_BACKWARD, "correct")
case("saito-grads-W1-helper-of-activation", SRC_SAITO, SAITO, "W1",
     SAITO_BACKWARD.replace("sigmoid_grad(a1)", "sigmoid_grad(z1)"), "wrong_value",
     "the pre-activation helper given the activation")
case("saito-grads-W1-no-batch-division", SRC_SAITO, SAITO, "W1",
     SAITO_BACKWARD.replace("dy = (y - t) / batch_num", "dy = (y - t)"), "scaled",
     "the batch average forgotten")

# =============================================================================================
# More courses and posts, other leaves, other mistakes (written for issue 11 by the team)
# =============================================================================================

SRC_CS231N_SVM = "CS231n assignment 1, linear_svm.py svm_loss_vectorized"

CS231N_SVM = """
# CS231n multiclass SVM, vectorized; the correct class's margin is zeroed with a one-hot mask
X: [N, D]
y: int[N] < C
W: [D, C]

reg = 0.1
scores = X.dot(W)
correct_class_scores = scores[np.arange(N), y]
margins = np.maximum(0, scores - correct_class_scores[:, np.newaxis] + 1.0) * (1 - np.eye(C)[y])
loss = np.sum(margins) / N
loss += reg * np.sum(W * W)
"""

CS231N_SVM_BACKWARD = """
binary = margins
binary[margins > 0] = 1
row_sum = np.sum(binary, axis=1)
binary[np.arange(N), y] = -row_sum
dW = X.T.dot(binary)
dW /= N
dW += 2 * reg * W
"""

case("cs231n-svm-dW", SRC_CS231N_SVM, CS231N_SVM, "W", CS231N_SVM_BACKWARD, "correct",
     "the assignment's binary-mask trick: binary aliases margins and is changed in place")
case("cs231n-svm-dW-no-row-sum", SRC_CS231N_SVM, CS231N_SVM, "W",
     CS231N_SVM_BACKWARD.replace("binary[np.arange(N), y] = -row_sum\n", ""), "wrong_value",
     "the correct class's column forgotten: -row_sum never written")
case("cs231n-svm-dW-plus-row-sum", SRC_CS231N_SVM, CS231N_SVM, "W",
     CS231N_SVM_BACKWARD.replace("= -row_sum", "= row_sum"), "wrong_value", "the sign of the correct class's count")
case("cs231n-svm-dW-half-reg", SRC_CS231N_SVM, CS231N_SVM, "W",
     CS231N_SVM_BACKWARD.replace("2 * reg * W", "reg * W"), "wrong_value", "reg * sum(W * W) has gradient 2 reg W")
case("cs231n-svm-dW-transposed-product", SRC_CS231N_SVM, CS231N_SVM, "W",
     CS231N_SVM_BACKWARD.replace("X.T.dot(binary)", "binary.T.dot(X)"), "shape_error",
     "(C, D) += (D, C): the in-place += cannot change dW's shape")
case("cs231n-svm-dW-mask-product", SRC_CS231N_SVM, CS231N_SVM, "W", """
mask = (margins > 0) * 1.0
counts = mask.sum(axis=1)
mask[np.arange(N), y] -= counts
dW = X.T @ mask / N + 2 * reg * W
""", "correct", "the same with a fresh mask array and -=")

SRC_D2L = "Dive into Deep Learning, softmax regression from scratch (3.6)"

D2L = """
# d2l: softmax and cross_entropy written as the book defines them (the helper overrides the built-in name)
X: [N, D]
y: int[N] < Q
W: [D, Q]
b: [Q]

def softmax(X):
    X_exp = np.exp(X)
    partition = X_exp.sum(1, keepdims=True)
    return X_exp / partition

def cross_entropy(y_hat, y):
    return -np.log(y_hat[range(len(y_hat)), y])

y_hat = softmax(np.matmul(X.reshape((-1, W.shape[0])), W) + b)
l = cross_entropy(y_hat, y).mean()
"""

case("d2l-softmax-dW", SRC_D2L, D2L, "W", """
dO = y_hat.copy()
dO[range(N), y] -= 1
dW = X.T @ dO / N
""", "correct", "the book's helpers in the network; the gradient as the CS231n habit writes it")
case("d2l-softmax-db", SRC_D2L, D2L, "b", "db = (y_hat - np.eye(Q)[y]).mean(axis=0)", "correct",
     "one-hot rows from an identity matrix, averaged")
case("d2l-softmax-db-sum", SRC_D2L, D2L, "b", "db = (y_hat - np.eye(Q)[y]).sum(axis=0)", "scaled",
     "summed where the loss averages")
case("d2l-softmax-dW-no-onehot", SRC_D2L, D2L, "W", "dW = X.T @ (y_hat - 1) / N", "wrong_value",
     "1 subtracted everywhere instead of at the label")
case("d2l-softmax-dW-keepdims", SRC_D2L, D2L, "b", "db = (y_hat - np.eye(Q)[y]).mean(axis=0, keepdims=True)",
     "wrong_shape", "(1, Q) for a (Q,) bias")

SRC_NG_ML = "Andrew Ng, Machine Learning (ex1/ex2), vectorized linear and logistic regression"

NG_LINREG = """
# ex1: linear regression, cost J = 1/(2m) * sum((X theta - y)^2); theta is a column
X: [m, n]
y: [m, 1]
theta: [n, 1]

h = X @ theta
J = 1 / (2 * m) * np.sum(np.square(h - y))
"""

case("ng-linreg-grad", SRC_NG_ML, NG_LINREG, "theta", "grad = (1 / m) * X.T @ (h - y)\ngrad", "correct",
     "the vectorized gradient of ex1; grad is not a claim name, so the learner ends with it")
case("ng-linreg-grad-no-1/m", SRC_NG_ML, NG_LINREG, "theta", "X.T @ (h - y)", "scaled", "the 1/m forgotten")
case("ng-linreg-grad-1/2m", SRC_NG_ML, NG_LINREG, "theta", "1 / (2 * m) * X.T @ (h - y)", "scaled",
     "the 1/2 of the cost kept: it cancels the 2 of the square")
case("ng-linreg-grad-X-untransposed", SRC_NG_ML, NG_LINREG, "theta", "(1 / m) * X @ (h - y)", "shape_error",
     "(m, n) @ (m, 1)")
case("ng-linreg-grad-sum-form", SRC_NG_ML, NG_LINREG, "theta",
     "dtheta = np.sum((h - y) * X, axis=0, keepdims=True).T / m", "correct",
     "the summation form written with broadcasting, then made a column")

NG_LOGREG = """
# ex2: regularized logistic regression; theta[0] is not regularized (n = 3 features here)
X: [m, 3]
y: [m, 1]
theta: [3, 1]

lam = 1.0
h = sigmoid(X @ theta)
J = (-1 / m) * np.sum(y * np.log(h) + (1 - y) * np.log(1 - h)) + lam / (2 * m) * np.sum(np.square(theta[1:]))
"""

case("ng-logreg-grad", SRC_NG_ML, NG_LOGREG, "theta", """
grad = (1 / m) * X.T @ (h - y)
grad[1:] += (lam / m) * theta[1:]
grad
""", "correct", "the regularization added to every row but the first, in place on a slice")
case("ng-logreg-grad-reg-all", SRC_NG_ML, NG_LOGREG, "theta",
     "(1 / m) * X.T @ (h - y) + (lam / m) * theta", "wrong_value", "theta[0] regularized too")
case("ng-logreg-grad-no-reg", SRC_NG_ML, NG_LOGREG, "theta", "(1 / m) * X.T @ (h - y)", "wrong_value",
     "the regularization forgotten")

SRC_CS231N_BN = "CS231n assignment 2, batchnorm_backward_alt"

CS231N_BN = """
# batch norm in training mode on (N, D); the loss is half the squared output, so dout = out
x: [N, D]
gamma: [D]
beta: [D]

eps = 1e-5
mu = x.mean(axis=0)
xmu = x - mu
var = np.mean(xmu ** 2, axis=0)
std = np.sqrt(var + eps)
xhat = xmu / std
out = gamma * xhat + beta
loss = 0.5 * np.sum(out ** 2)
"""

CS231N_BN_BACKWARD = """
dout = out
dbeta = np.sum(dout, axis=0)
dgamma = np.sum(dout * xhat, axis=0)
dxhat = dout * gamma
dx = (1. / N) / std * (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
"""

for leaf in ("x", "gamma", "beta"):
    case(f"cs231n-bn-d{leaf}", SRC_CS231N_BN, CS231N_BN, leaf, CS231N_BN_BACKWARD, "correct",
         "the one-line batch-norm backward; dout is the output itself here")
case("cs231n-bn-dx-missing-mean-term", SRC_CS231N_BN, CS231N_BN, "x",
     CS231N_BN_BACKWARD.replace(" - dxhat.sum(axis=0)", ""), "wrong_value", "the mean's term forgotten")
case("cs231n-bn-dgamma-no-xhat", SRC_CS231N_BN, CS231N_BN, "gamma",
     CS231N_BN_BACKWARD.replace("np.sum(dout * xhat, axis=0)", "np.sum(dout, axis=0)"), "wrong_value")
case("cs231n-bn-dbeta-keepdims", SRC_CS231N_BN, CS231N_BN, "beta",
     CS231N_BN_BACKWARD.replace("np.sum(dout, axis=0)", "np.sum(dout, axis=0, keepdims=True)"), "wrong_shape")

SRC_CS231N_RNN = "CS231n assignment 3, rnn_step_backward"

CS231N_RNN = """
# one vanilla RNN step; G stands for the upstream gradient dnext_h
x: [N, D]
prev_h: [N, H]
Wx: [D, H]
Wh: [H, H]
b: [H]
G: [N, H]

next_h = np.tanh(x.dot(Wx) + prev_h.dot(Wh) + b)
loss = np.sum(next_h * G)
"""

CS231N_RNN_BACKWARD = """
dnext_h = G
dtanh = dnext_h * (1 - next_h ** 2)
dx = dtanh.dot(Wx.T)
dprev_h = dtanh.dot(Wh.T)
dWx = x.T.dot(dtanh)
dWh = prev_h.T.dot(dtanh)
db = dtanh.sum(axis=0)
"""

for leaf in ("x", "prev_h", "Wx", "Wh", "b"):
    case(f"cs231n-rnn-d{leaf}", SRC_CS231N_RNN, CS231N_RNN, leaf, CS231N_RNN_BACKWARD, "correct")
case("cs231n-rnn-dWh-untransposed", SRC_CS231N_RNN, CS231N_RNN, "prev_h",
     CS231N_RNN_BACKWARD.replace("dtanh.dot(Wh.T)", "dtanh.dot(Wh)"), "wrong_value",
     "Wh is square (H, H), so the missing transpose conforms: only the values say so")
case("cs231n-rnn-dtanh-of-preactivation", SRC_CS231N_RNN, CS231N_RNN, "Wx",
     CS231N_RNN_BACKWARD.replace("(1 - next_h ** 2)", "(1 - np.tanh(next_h) ** 2)"), "wrong_value",
     "tanh applied twice")
case("cs231n-rnn-db-axis-1", SRC_CS231N_RNN, CS231N_RNN, "b",
     CS231N_RNN_BACKWARD.replace("dtanh.sum(axis=0)", "dtanh.sum(axis=1)"), "wrong_shape")

SRC_EMBED = "word-embedding classifier from scratch (bag of embeddings), a common blog exercise"

EMBED = """
# embedding lookup, average over the T tokens, linear softmax classifier with integer labels
E: [V, Dm]
tokens: int[N, T] < V
y: int[N] < K
W: [Dm, K]

X = E[tokens]
avg = X.mean(axis=1)
scores = avg @ W
probs = softmax(scores, axis=1)
loss = -np.mean(np.log(probs[np.arange(N), y]))
"""

EMBED_BACKWARD = """
dscores = probs.copy()
dscores[np.arange(N), y] -= 1
dscores /= N
dW = avg.T @ dscores
davg = dscores @ W.T
dX = np.repeat(davg[:, None, :], T, axis=1) / T
"""

case("embed-dW", SRC_EMBED, EMBED, "W", """
dscores = probs.copy()
dscores[np.arange(N), y] -= 1
dscores /= N
dW = avg.T @ dscores
""", "correct")
case("embed-dE-einsum", SRC_EMBED, EMBED, "E", """
dscores = probs.copy()
dscores[np.arange(N), y] -= 1
dscores /= N
davg = dscores @ W.T
dX = davg[:, None, :] / T + np.zeros((1, T, 1))
dE = np.einsum('ntv,ntd->vd', np.eye(V)[tokens], dX)
""", "correct", "the gather's gradient: every token's row gets its share, repeats added")
case("embed-dE-fancy-add", SRC_EMBED, EMBED, "E", """
dscores = probs.copy()
dscores[np.arange(N), y] -= 1
dscores /= N
davg = dscores @ W.T
dE = np.zeros_like(E)
dE[tokens] += davg[:, None, :] / T
""", "wrong_value", "dE[tokens] += ... keeps one update per repeated token (np.add.at would add them all)")
case("embed-dE-no-1/T", SRC_EMBED, EMBED, "E", """
davg = (probs - np.eye(K)[y]) @ W.T / N
dE = np.einsum('ntv,nd->vd', np.eye(V)[tokens], davg)
""", "scaled", "the mean over the T tokens forgotten")
case("embed-dW-no-copy-alias", SRC_EMBED, EMBED, "W", """
dscores = probs
dscores[np.arange(N), y] -= 1
dscores /= N
dW = avg.T @ probs
""", "correct", "probs itself was changed in place through dscores, so avg.T @ probs is the gradient")

SRC_DLAI_C2 = "deeplearning.ai course 2 week 1, backward_propagation_with_regularization"

DLAI_C2 = """
# LINEAR -> RELU -> LINEAR -> SIGMOID with L2 regularization (lambd); column convention
X: [n_x, m]
Y: [1, m]
W1: [n_h, n_x]
b1: [n_h, 1]
W2: [1, n_h]
b2: [1, 1]

lambd = 0.7
Z1 = np.dot(W1, X) + b1
A1 = relu(Z1)
Z2 = np.dot(W2, A1) + b2
A2 = sigmoid(Z2)
cross_entropy_cost = -np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / m
L2_regularization_cost = (1 / m) * (lambd / 2) * (np.sum(np.square(W1)) + np.sum(np.square(W2)))
cost = cross_entropy_cost + L2_regularization_cost
"""

DLAI_C2_BACKWARD = """
grads = {}
dZ2 = A2 - Y
grads["dW2"] = 1. / m * np.dot(dZ2, A1.T) + (lambd / m) * W2
grads["db2"] = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
dA1 = np.dot(W2.T, dZ2)
dZ1 = np.multiply(dA1, np.int64(A1 > 0))
grads["dW1"] = 1. / m * np.dot(dZ1, X.T) + (lambd / m) * W1
grads["db1"] = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
"""

case("dlai-c2-reg-dW1", SRC_DLAI_C2, DLAI_C2, "W1", DLAI_C2_BACKWARD.replace("np.int64(A1 > 0)", "(A1 > 0)"),
     "correct", "grads['dW1'] is deeplearning.ai's key; np.int64(A1 > 0) written (A1 > 0)")
case("dlai-c2-reg-db1", SRC_DLAI_C2, DLAI_C2, "b1", DLAI_C2_BACKWARD.replace("np.int64(A1 > 0)", "(A1 > 0)"),
     "correct")
case("dlai-c2-reg-dW2", SRC_DLAI_C2, DLAI_C2, "W2", DLAI_C2_BACKWARD.replace("np.int64(A1 > 0)", "(A1 > 0)"),
     "correct")
case("dlai-c2-reg-dW1-lambd-no-m", SRC_DLAI_C2, DLAI_C2, "W1",
     DLAI_C2_BACKWARD.replace("np.int64(A1 > 0)", "(A1 > 0)").replace("(lambd / m) * W1", "lambd * W1"),
     "wrong_value", "the regularization's 1/m forgotten")
case("dlai-c2-reg-dW1-no-reg", SRC_DLAI_C2, DLAI_C2, "W1",
     DLAI_C2_BACKWARD.replace("np.int64(A1 > 0)", "(A1 > 0)").replace(" + (lambd / m) * W1", ""), "wrong_value")
case("dlai-c2-reg-db1-reg-added", SRC_DLAI_C2, DLAI_C2, "b1", """
dZ2 = A2 - Y
dZ1 = np.dot(W2.T, dZ2) * (A1 > 0)
grads["db1"] = 1. / m * np.sum(dZ1, axis=1, keepdims=True) + (lambd / m) * b1
""", "wrong_value", "biases are not regularized")

SRC_LOGSOFTMAX = "log_softmax with integer targets (the NLL-loss habit from PyTorch, in NumPy)"

LOGSOFTMAX = """
X: [N, D]
y: int[N] < K
W: [D, K]
b: [K]

logits = X @ W + b
logp = log_softmax(logits, axis=1)
loss = -logp[np.arange(N), y].mean()
"""

case("logsoftmax-dW", SRC_LOGSOFTMAX, LOGSOFTMAX, "W", """
dlogits = np.exp(logp)
dlogits[np.arange(N), y] -= 1
dW = X.T @ dlogits / N
""", "correct", "exp(log_softmax) is the softmax")
case("logsoftmax-dlogp-then-dW", SRC_LOGSOFTMAX, LOGSOFTMAX, "W", """
dlogp = np.zeros_like(logp)
dlogp[np.arange(N), y] = -1.0 / N
dlogits = dlogp - np.exp(logp) * dlogp.sum(axis=1, keepdims=True)
dW = X.T @ dlogits
""", "correct", "through log_softmax's own backward: g - softmax * sum(g)")
case("logsoftmax-dlogits-no-sum", SRC_LOGSOFTMAX, LOGSOFTMAX, "W", """
dlogp = np.zeros_like(logp)
dlogp[np.arange(N), y] = -1.0 / N
dlogits = dlogp - np.exp(logp)
dW = X.T @ dlogits
""", "wrong_value", "the sum over classes dropped from log_softmax's backward")
case("logsoftmax-db-wrong-sign", SRC_LOGSOFTMAX, LOGSOFTMAX, "b", """
dlogits = np.eye(K)[y] - np.exp(logp)
db = dlogits.sum(axis=0) / N
""", "scaled", "y - p: the direction of the update, minus the gradient")


# =============================================================================================
# As written: the courses' loops, lists, caches and string-built keys read as the courses print them
# =============================================================================================

# Nielsen, network.py (the Python 3 port, MichalDanielDobrzanski/DeepLearningPython, writes range for
# xrange): backprop() as printed, its feedforward loop included; the constructor's lists are the leaves.
NIELSEN_AS_WRITTEN = """
# Nielsen network.py, sizes [n0, n1, n2]: self.biases = [b1, b2], self.weights = [w1, w2]
x: [n0, 1]
y: [n2, 1]
w1: [n1, n0]
b1: [n1, 1]
w2: [n2, n1]
b2: [n2, 1]

num_layers = 3
biases = [b1, b2]
weights = [w1, w2]
activation = x
activations = [x] # list to store all the activations, layer by layer
zs = [] # list to store all the z vectors, layer by layer
for b, w in zip(self.biases, self.weights):
    z = np.dot(w, activation)+b
    zs.append(z)
    activation = sigmoid(z)
    activations.append(activation)
C = 0.5*np.linalg.norm(activations[-1]-y)**2
"""

NIELSEN_BACKPROP = """
def cost_derivative(self, output_activations, y):
    return (output_activations-y)

def sigmoid_prime(z):
    return sigmoid(z)*(1-sigmoid(z))

nabla_b = [np.zeros(b.shape) for b in self.biases]
nabla_w = [np.zeros(w.shape) for w in self.weights]
delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])
nabla_b[-1] = delta
nabla_w[-1] = np.dot(delta, activations[-2].transpose())
for l in range(2, self.num_layers):
    z = zs[-l]
    sp = sigmoid_prime(z)
    delta = np.dot(self.weights[-l+1].transpose(), delta) * sp
    nabla_b[-l] = delta
    nabla_w[-l] = np.dot(delta, activations[-l-1].transpose())
"""

_NIELSEN_AS_WRITTEN_NOTE = ("backprop() as printed: the lists built by comprehension, indexed from their end "
                            "(nabla_w[-l], zs[-l], self.weights[-l+1]) and the loop over range(2, num_layers); "
                            "the learner ends with the gradient asked about")
for _leaf, _answer in (("w1", "nabla_w[0]"), ("b1", "nabla_b[0]"), ("w2", "nabla_w[-1]"), ("b2", "nabla_b[1]")):
    case(f"nielsen-as-written-{_leaf}", SRC_NIELSEN, NIELSEN_AS_WRITTEN, _leaf, NIELSEN_BACKPROP + _answer, "correct",
         _NIELSEN_AS_WRITTEN_NOTE)
case("nielsen-as-written-w1-activation-off-by-one", SRC_NIELSEN, NIELSEN_AS_WRITTEN, "w1",
     NIELSEN_BACKPROP.replace("activations[-l-1]", "activations[-l]") + "nabla_w[0]", "wrong_shape",
     "activations[-l] is the layer's own output, one too far along the list")
case("nielsen-as-written-w1-weights-not-transposed", SRC_NIELSEN, NIELSEN_AS_WRITTEN, "w1",
     NIELSEN_BACKPROP.replace("self.weights[-l+1].transpose()", "self.weights[-l+1]") + "nabla_w[0]",
     "shape_error", "(n2, n1) @ (n2, 1)")
case("nielsen-as-written-w1-loop-one-short", SRC_NIELSEN, NIELSEN_AS_WRITTEN, "w1",
     NIELSEN_BACKPROP.replace("range(2, self.num_layers)", "range(2, self.num_layers - 1)") + "nabla_w[0]",
     "wrong_value", "the loop never reaches the first layer: nabla_w[0] keeps its zeros")
case("nielsen-as-written-w1-sp-of-next-layer", SRC_NIELSEN, NIELSEN_AS_WRITTEN, "w1",
     NIELSEN_BACKPROP.replace("sp = sigmoid_prime(z)", "sp = sigmoid_prime(zs[-l+1])") + "nabla_w[0]",
     "shape_error", "sigma' of the layer above: (n1, 1) * (n2, 1)")
case("nielsen-as-written-b1-cost-derivative-sign", SRC_NIELSEN, NIELSEN_AS_WRITTEN, "b1",
     NIELSEN_BACKPROP.replace("(output_activations-y)", "(y-output_activations)") + "nabla_b[0]", "scaled",
     "cost_derivative with the sign flipped")

# deeplearning.ai C1 week 4, dnn_app_utils / "Building your Deep Neural Network: Step by Step" (as solved in
# public): the backward helpers as printed, their caches ((A_prev, W, b), Z) as linear_activation_forward
# stores them.
DLAI_BACKWARD_HELPERS = """
def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True) # just converting dz to a correct object.
    dZ[Z <= 0] = 0
    return dZ

def sigmoid_backward(dA, cache):
    Z = cache
    s = 1/(1+np.exp(-Z))
    dZ = dA * s * (1-s)
    return dZ

def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1./m * np.dot(dZ,A_prev.T)
    db = 1./m * np.sum(dZ, axis = 1, keepdims = True)
    dA_prev = np.dot(W.T,dZ)
    return dA_prev, dW, db

def linear_activation_backward(dA, cache, activation):
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db
"""

DLAI_DEEP_CACHES = DLAI_DEEP.replace("cost = ", "caches = [((X, W1, b1), Z1), ((A1, W2, b2), Z2), ((A2, W3, b3), Z3)]\n"
                                                "cost = ")

L_MODEL_BACKWARD = DLAI_BACKWARD_HELPERS + """
grads = {}
L = len(caches) # the number of layers
m = AL.shape[1]
Y = Y.reshape(AL.shape) # after this line, Y is the same shape as AL
dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
current_cache = caches[L-1]
grads["dA" + str(L-1)], grads["dW" + str(L)], grads["db" + str(L)] = linear_activation_backward(dAL, current_cache, activation = "sigmoid")
for l in reversed(range(L-1)):
    current_cache = caches[l]
    dA_prev_temp, dW_temp, db_temp = linear_activation_backward(grads["dA" + str(l + 1)], current_cache, activation = "relu")
    grads["dA" + str(l)] = dA_prev_temp
    grads["dW" + str(l + 1)] = dW_temp
    grads["db" + str(l + 1)] = db_temp
"""

_L_MODEL_NOTE = ("L_model_backward as printed: caches by number, the loop over reversed(range(L-1)), the keys "
                 "built with str(l + 1), the helpers returning tuples; the learner ends with the gradient asked about")
for _leaf in ("W1", "b1", "W2", "b2", "W3", "b3"):
    case(f"dlai-w4-deep-as-written-d{_leaf}", SRC_DLAI_W4_DEEP, DLAI_DEEP_CACHES, _leaf,
         L_MODEL_BACKWARD + f'grads["d{_leaf}"]', "correct", _L_MODEL_NOTE)
case("dlai-w4-deep-as-written-dW1-key-off-by-one", SRC_DLAI_W4_DEEP, DLAI_DEEP_CACHES, "W1",
     L_MODEL_BACKWARD.replace('grads["dW" + str(l + 1)] = dW_temp', 'grads["dW" + str(l)] = dW_temp')
     + 'grads["dW1"]', "wrong_shape",
     "the key one layer too low: grads['dW1'] holds layer 2's (n_2, n_1) gradient")
case("dlai-w4-deep-as-written-dW1-relu-for-sigmoid", SRC_DLAI_W4_DEEP, DLAI_DEEP_CACHES, "W1",
     L_MODEL_BACKWARD.replace('current_cache, activation = "sigmoid")', 'current_cache, activation = "relu")')
     + 'grads["dW1"]', "wrong_value", "the output layer's backward taken as a ReLU's")
case("dlai-w4-deep-as-written-dW2-cache-of-next-layer", SRC_DLAI_W4_DEEP, DLAI_DEEP_CACHES, "W2",
     L_MODEL_BACKWARD.replace("    current_cache = caches[l]\n", "    current_cache = caches[l + 1]\n")
     + 'grads["dW2"]', "shape_error", "the cache of the layer above: its W is (1, n_2), not (n_2, n_1)")
case("dlai-w4-deep-as-written-db3-sign", SRC_DLAI_W4_DEEP, DLAI_DEEP_CACHES, "b3",
     L_MODEL_BACKWARD.replace("dAL = - (np.divide", "dAL = (np.divide") + 'grads["db3"]', "scaled",
     "the minus sign of dAL forgotten")

DLAI_TWO_LAYER_CACHES = DLAI_TWO_LAYER.replace("cost = ", "cache1 = ((X, W1, b1), Z1)\ncache2 = ((A1, W2, b2), Z2)\n"
                                                          "cost = ")

TWO_LAYER_MODEL_BACKWARD = DLAI_BACKWARD_HELPERS + """
dA2 = - (np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
dA1, dW2, db2 = linear_activation_backward(dA2, cache2, activation = "sigmoid")
dA0, dW1, db1 = linear_activation_backward(dA1, cache1, activation = "relu")
"""

for _leaf in ("W1", "b1", "W2", "b2"):
    case(f"dlai-w4-2layer-as-written-d{_leaf}", SRC_DLAI_W4, DLAI_TWO_LAYER_CACHES, _leaf, TWO_LAYER_MODEL_BACKWARD,
         "correct", "two_layer_model's backward as printed, with linear_activation_backward and its caches")
case("dlai-w4-2layer-as-written-dW1-caches-swapped", SRC_DLAI_W4, DLAI_TWO_LAYER_CACHES, "W1",
     TWO_LAYER_MODEL_BACKWARD.replace("(dA2, cache2,", "(dA2, cache1,"), "shape_error",
     "the first layer's cache given to the output layer")
case("dlai-w4-2layer-as-written-dW1-activations-swapped", SRC_DLAI_W4, DLAI_TWO_LAYER_CACHES, "W1",
     TWO_LAYER_MODEL_BACKWARD.replace('cache2, activation = "sigmoid"', 'cache2, activation = "relu"'),
     "wrong_value", "the output layer's backward taken as a ReLU's")



# nnfs: the three backward methods as the book prints them, one layer object after the other. Each call's
# arguments and the layer's attributes are bound by hand (`dvalues, self.inputs, ... = ...`), and each
# layer's gradient is kept under a name of its own before the next layer's method reuses self.dweights.
NNFS_AS_WRITTEN = NNFS.replace("weight_regularizer_l2 = 5e-4\nbias_regularizer_l2 = 5e-4\n", "").replace(
    "weight_regularizer_l2 * np.sum(weights1 * weights1) + bias_regularizer_l2 * np.sum(biases1 * biases1)",
    "5e-4 * np.sum(weights1 * weights1) + 5e-4 * np.sum(biases1 * biases1)")

NNFS_DENSE_BACKWARD = """
self.dweights = np.dot(self.inputs.T, dvalues)
self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
if self.weight_regularizer_l2 > 0:
    self.dweights += 2 * self.weight_regularizer_l2 * self.weights
if self.bias_regularizer_l2 > 0:
    self.dbiases += 2 * self.bias_regularizer_l2 * self.biases
self.dinputs = np.dot(dvalues, self.weights.T)
"""

NNFS_METHODS = """
dvalues, y_true = probabilities, y
samples = len(dvalues)
if len(y_true.shape) == 2:
    y_true = np.argmax(y_true, axis=1)
self.dinputs = dvalues.copy()
self.dinputs[range(samples), y_true] -= 1
self.dinputs = self.dinputs / samples
dvalues, self.inputs, self.weights, self.biases = self.dinputs, activation1_output, weights2, biases2
self.weight_regularizer_l2, self.bias_regularizer_l2 = 0, 0
""" + NNFS_DENSE_BACKWARD + """
dweights2, dbiases2 = self.dweights, self.dbiases
dvalues, self.inputs = self.dinputs, dense1_output
self.dinputs = dvalues.copy()
self.dinputs[self.inputs <= 0] = 0
dvalues, self.inputs, self.weights, self.biases = self.dinputs, X, weights1, biases1
self.weight_regularizer_l2, self.bias_regularizer_l2 = 5e-4, 5e-4
""" + NNFS_DENSE_BACKWARD + """
dweights1, dbiases1 = self.dweights, self.dbiases
"""

_NNFS_METHODS_NOTE = ("Activation_Softmax_Loss_CategoricalCrossentropy, Layer_Dense and Activation_ReLU backward "
                      "as printed, self.attributes and the regularizers' conditions included")
for _leaf in ("weights1", "biases1", "weights2", "biases2"):
    case(f"nnfs-as-written-d{_leaf}", SRC_NNFS, NNFS_AS_WRITTEN, _leaf, NNFS_METHODS, "correct", _NNFS_METHODS_NOTE)
case("nnfs-as-written-dweights1-no-relu-mask", SRC_NNFS, NNFS_AS_WRITTEN, "weights1",
     NNFS_METHODS.replace("self.dinputs[self.inputs <= 0] = 0\n", ""), "wrong_value",
     "the ReLU's backward skipped")
case("nnfs-as-written-dweights1-regularizer-off", SRC_NNFS, NNFS_AS_WRITTEN, "weights1",
     NNFS_METHODS.replace("= 5e-4, 5e-4", "= 0, 0"), "wrong_value",
     "the first layer built without its regularizers: the penalty's gradient never added")
case("nnfs-as-written-dweights2-not-divided", SRC_NNFS, NNFS_AS_WRITTEN, "weights2",
     NNFS_METHODS.replace("self.dinputs = self.dinputs / samples\n", ""), "scaled",
     "the normalisation by samples forgotten")
case("nnfs-as-written-dbiases1-inputs-not-rebound", SRC_NNFS, NNFS_AS_WRITTEN, "biases1",
     NNFS_METHODS.replace("self.dinputs, X, weights1, biases1", "self.dinputs, X, weights2, biases1"), "shape_error",
     "the first layer's weights not bound: the second layer's (H, K) weights meet a (N, H) gradient")


# Karpathy, makemore part 4: the embedding's backward as the lecture writes it, a loop over every character of
# the batch; the batch is given its size (4 examples of block_size 3) so the loop is read step by step.
KARPATHY_SIZED = KARPATHY.replace("Xb: int[N, T] < V", "Xb: int[4, 3] < V").replace(
    "Yb: int[N] < V", "Yb: int[4] < V").replace("W1: [T*E, H]", "W1: [3*E, H]")

KARPATHY_EX1_DC_LOOP = KARPATHY_EX1.replace("dC = np.einsum('ntv,ntd->vd', np.eye(C.shape[0])[Xb], demb)", """
dC = np.zeros_like(C)
for k in range(Xb.shape[0]):
  for j in range(Xb.shape[1]):
    ix = Xb[k,j]
    dC[ix] += demb[k,j]""".strip("\n"))

case("karpathy-as-written-dC-loop", SRC_KARPATHY, KARPATHY_SIZED, "C", KARPATHY_EX1_DC_LOOP, "correct",
     "exercise 1's dC loop as the lecture writes it: a character seen twice adds both rows")
case("karpathy-as-written-dC-loop-assigns", SRC_KARPATHY, KARPATHY_SIZED, "C",
     KARPATHY_EX1_DC_LOOP.replace("dC[ix] += demb[k,j]", "dC[ix] = demb[k,j]"), "wrong_value",
     "= for +=: a character seen twice keeps only its last row")
case("karpathy-as-written-dC-loop-transposed-index", SRC_KARPATHY, KARPATHY_SIZED, "C",
     KARPATHY_EX1_DC_LOOP.replace("for k in range(Xb.shape[0]):\n  for j in range(Xb.shape[1]):",
                                  "for k in range(Xb.shape[1]):\n  for j in range(Xb.shape[0]):"), "shape_error",
     "the loops' bounds swapped: Xb[k,j] reaches past the block of 3 characters")

#: The networks whose cases rewrote a course's lines by hand (plain names, loops unrolled, helpers inlined);
#: the "as written" cases read the same lines as printed, and they alone count in the line share.
_BY_HAND = (NIELSEN, DLAI_DEEP, DLAI_TWO_LAYER, NNFS)
CASES[:] = [replace(c, by_hand=True) if c.network in _BY_HAND else c for c in CASES]

#: Per source, the lines still changed to be read or added by hand (tests/test_course_code.py `shares()`).
ADAPTED = {
    # the constructor's lists (num_layers = 3, biases, weights), QuadraticCost.fn on activations[-1]
    SRC_NIELSEN: 4,
    # the caches list as L_model_forward fills it
    SRC_DLAI_W4_DEEP: 1,
    # cache1 and cache2 as linear_activation_forward returns them
    SRC_DLAI_W4: 2,
    # F.one_hot(logits.max(1).indices) written (logits >= logit_maxes); two .clone() written .copy(); the
    # dC loop over N*T characters written as one einsum (its bounds are symbols here, so it is not unrolled)
    SRC_KARPATHY: 4,
    # each method call's arguments and layer's attributes bound by hand (six lines), each layer's gradients
    # kept under names of their own (two lines), the regularizers' strengths as numbers in the loss (one line)
    SRC_NNFS: 9,
    # the per-sample Jacobian loop of Activation_Softmax.backward written with two einsums
    SRC_NNFS_BIN: 0,
    # `self.w1 -= learn_rate * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1`: the gradient is its product of factors
    SRC_ZHOU: 1,
    # the CS224n softmax of q1 written out with the max shift
    SRC_CS224N: 1,
    # np.int64(A1 > 0) written (A1 > 0)
    SRC_DLAI_C2: 1,
}
