"""Teachers' reference gradient formulas (issue 12).

Each `Reference` is a (network, leaf) pair with the formula a teacher writes for ∂J/∂leaf, taken
from a standard course. Networks are in the network language of SPEC §1–§2 and use the names the
course uses (`hidden`, `probs`, `xhat`, `AL`, ...); formulas are single expressions of SPEC §2
(plus the documented extensions `a > 0` for a ReLU mask, `eye(K)[y]` for one-hot rows of integer
labels and `reshape`) that use only the network's leaves, its defined names and its dimension
symbols. The length a formula must be compared against is `len(reference.formula)`.

Every formula is checked against central finite differences by tests/test_teacher_formulas.py.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    id: str
    source: str
    network: str
    leaf: str
    formula: str
    note: str = ""


# ---------------------------------------------------------------------------------------------
# CS231n
# ---------------------------------------------------------------------------------------------

#: CS231n notes, "Putting it together: minimal neural network case study" — the 2-layer ReLU net
#: with the softmax written out by hand (no max shift) and cross-entropy with one-hot Y.
CS231N_CASE_2LAYER = """
X: [N, D]
Y: onehot[N, K]
W1: [D, H]
b1: [H]
W2: [H, K]
b2: [K]

hidden = relu(X @ W1 + b1)
scores = hidden @ W2 + b2
exp_scores = exp(scores)
probs = exp_scores / sum(exp_scores, axis=1, keepdims=True)
J = -sum(Y * log(probs)) / N
"""

#: The same case study's linear softmax classifier: the correct-class probability picked with
#: `sum(probs * Y, axis=1)` and an L2 penalty `0.5 * reg * sum(W * W)`.
CS231N_CASE_LINEAR = """
X: [N, D]
Y: onehot[N, K]
W: [D, K]
b: [K]
reg: []

scores = X @ W + b
exp_scores = exp(scores)
probs = exp_scores / sum(exp_scores, axis=1, keepdims=True)
correct_logprobs = -log(sum(probs * Y, axis=1))
J = sum(correct_logprobs) / N + 0.5 * reg * sum(W * W)
"""

#: CS231n assignment 1, `softmax_loss_vectorized`: integer labels, max-shifted softmax written
#: out, `reg * sum(W * W)`.
CS231N_SOFTMAX = """
X: [N, D]
y: int[N] < C
W: [D, C]
reg: []

scores = X @ W
shifted = scores - max(scores, axis=1, keepdims=True)
probs = exp(shifted) / sum(exp(shifted), axis=1, keepdims=True)
J = -mean(log(probs[range(N), y])) + reg * sum(W * W)
"""

#: CS231n assignment 1, `svm_loss_vectorized`. The assignment zeroes the correct class's margin
#: (exactly 1) before summing; here the N such ones are subtracted instead.
CS231N_SVM = """
X: [N, D]
y: int[N] < C
W: [D, C]
reg: []

scores = X @ W
correct = scores[range(N), y].reshape(N, 1)
margins = maximum(0, scores - correct + 1)
J = (sum(margins) - N) / N + reg * sum(W * W)
"""

#: CS231n assignment 2, `fc_net.TwoLayerNet` with `layers.softmax_loss` as written there:
#: `probs = exp(log_probs)` is computed for the backward pass only (it is off the loss's path).
CS231N_FCNET = """
X: [N, D]
y: int[N] < C
W1: [D, H]
b1: [H]
W2: [H, C]
b2: [C]
reg: []

hidden = relu(X @ W1 + b1)
scores = hidden @ W2 + b2
shifted_logits = scores - max(scores, axis=1, keepdims=True)
Z = sum(exp(shifted_logits), axis=1, keepdims=True)
log_probs = shifted_logits - log(Z)
probs = exp(log_probs)
J = -sum(log_probs[range(N), y]) / N + 0.5 * reg * (sum(W1 * W1) + sum(W2 * W2))
"""

#: CS231n assignment 2, batch normalization (train mode); G is the upstream gradient `dout`.
CS231N_BATCHNORM = """
X: [N, D]
gamma: [D]
beta: [D]
G: [N, D]

eps = 1e-5
mu = mean(X, axis=0)
xc = X - mu
var = mean(xc ** 2, axis=0)
xhat = xc / sqrt(var + eps)
out = gamma * xhat + beta
J = sum(G * out)
"""

#: CS231n assignment 2, layer normalization (batchnorm on the transposed data).
CS231N_LAYERNORM = """
X: [N, D]
gamma: [D]
beta: [D]
G: [N, D]

eps = 1e-5
mu = mean(X, axis=1, keepdims=True)
xc = X - mu
var = mean(xc ** 2, axis=1, keepdims=True)
xhat = xc / sqrt(var + eps)
out = gamma * xhat + beta
J = sum(G * out)
"""

# ---------------------------------------------------------------------------------------------
# CS224n (2017 assignment 1: sigmoid, softmax + CE, the one-hidden-layer network)
# ---------------------------------------------------------------------------------------------

#: The motivating question (SPEC §1), with the label declared one-hot.
CS224N_QUESTION = """
x: [1, Dx]
y: onehot[1, Dy]
W1: [Dx, H]
b1: [H]
W2: [H, Dy]
b2: [Dy]

z1 = x @ W1 + b1
h = sigmoid(z1)
z2 = h @ W2 + b2
yhat = softmax(z2)
J = cross_entropy(y, yhat)
"""

#: q2_neural.py: a batch of M rows, row-vector biases, cost summed over the batch.
CS224N_NEURAL = """
data: [M, Dx]
labels: onehot[M, Dy]
W1: [Dx, H]
b1: [1, H]
W2: [H, Dy]
b2: [1, Dy]

h = sigmoid(data @ W1 + b1)
yhat = softmax(h @ W2 + b2)
cost = -sum(labels * log(yhat))
"""

#: q2(b): the gradient of cross-entropy with respect to the softmax's input.
CS224N_SOFTMAX_CE = """
theta: [1, K]
y: onehot[1, K]

yhat = softmax(theta)
J = cross_entropy(y, yhat)
"""

#: q2(a): the sigmoid's gradient written from its output; G is the upstream gradient.
CS224N_SIGMOID = """
x: [N, D]
G: [N, D]

s = sigmoid(x)
J = sum(G * s)
"""

# ---------------------------------------------------------------------------------------------
# deeplearning.ai (column convention: examples are columns)
# ---------------------------------------------------------------------------------------------

#: Course 1 week 4, the L-layer model with L = 2: LINEAR->RELU->LINEAR->SIGMOID, cross-entropy cost.
DLAI_LLAYER = """
X: [n_x, m]
Y: [1, m]
W1: [n_h, n_x]
b1: [n_h, 1]
W2: [1, n_h]
b2: [1, 1]

Z1 = W1 @ X + b1
A1 = relu(Z1)
Z2 = W2 @ A1 + b2
AL = sigmoid(Z2)
cost = -1 / m * sum(Y * log(AL) + (1 - Y) * log(1 - AL))
"""

#: Course 1 week 4, L = 3 (two ReLU layers).
DLAI_LLAYER3 = """
X: [n_x, m]
Y: [1, m]
W1: [n_1, n_x]
b1: [n_1, 1]
W2: [n_2, n_1]
b2: [n_2, 1]
W3: [1, n_2]
b3: [1, 1]

A1 = relu(W1 @ X + b1)
A2 = relu(W2 @ A1 + b2)
AL = sigmoid(W3 @ A2 + b3)
cost = -1 / m * sum(Y * log(AL) + (1 - Y) * log(1 - AL))
"""

#: Course 1 week 3, planar data classification: one tanh hidden layer.
DLAI_PLANAR = """
X: [n_x, m]
Y: [1, m]
W1: [n_h, n_x]
b1: [n_h, 1]
W2: [1, n_h]
b2: [1, 1]

Z1 = W1 @ X + b1
A1 = tanh(Z1)
Z2 = W2 @ A1 + b2
A2 = sigmoid(Z2)
cost = -sum(Y * log(A2) + (1 - Y) * log(1 - A2)) / m
"""

#: Course 1 week 2, logistic regression as a neural network.
DLAI_LOGREG = """
X: [n_x, m]
Y: [1, m]
w: [n_x, 1]
b: []

A = sigmoid(w.T @ X + b)
cost = -1 / m * sum(Y * log(A) + (1 - Y) * log(1 - A))
"""

# ---------------------------------------------------------------------------------------------
# Goodfellow, Bengio and Courville, Deep Learning
# ---------------------------------------------------------------------------------------------

#: §6.5.7, the worked example: a minibatch MLP without biases, ReLU, softmax cross-entropy and
#: weight decay λ(Σ W1² + Σ W2²).
GOODFELLOW_MLP = """
X: [m, n_in]
Y: onehot[m, K]
W1: [n_in, n_h]
W2: [n_h, K]
lam: []

U1 = X @ W1
H = relu(U1)
U2 = H @ W2
J_MLE = cross_entropy(Y, softmax(U2, axis=1))
J = J_MLE + lam * (sum(W1 * W1) + sum(W2 * W2))
"""

#: §10.2.2, one step of the tanh RNN with a softmax output (row vectors), loss -log ŷ_y.
GOODFELLOW_RNN_STEP = """
x: [1, D]
h_prev: [1, H]
y: onehot[1, K]
U: [D, H]
W: [H, H]
b: [1, H]
V: [H, K]
c: [1, K]

a = b + h_prev @ W + x @ U
h = tanh(a)
o = c + h @ V
yhat = softmax(o)
L = -sum(y * log(yhat))
"""

#: §10.2.2, back-propagation through time over two steps, a loss at each step.
GOODFELLOW_BPTT2 = """
x1: [1, D]
x2: [1, D]
h0: [1, H]
y1: onehot[1, K]
y2: onehot[1, K]
U: [D, H]
W: [H, H]
b: [1, H]
V: [H, K]
c: [1, K]

h1 = tanh(b + h0 @ W + x1 @ U)
yhat1 = softmax(c + h1 @ V)
h2 = tanh(b + h1 @ W + x2 @ U)
yhat2 = softmax(c + h2 @ V)
L = -sum(y1 * log(yhat1)) - sum(y2 * log(yhat2))
"""

#: §6.2.2.3, log softmax(z)_i = z_i - log Σ_j exp(z_j): the loss as log-sum-exp.
GOODFELLOW_LSE = """
z: [n]
y: onehot[n]

J = log(sum(exp(z))) - sum(y * z)
"""

#: §4.1, the same with the max subtracted for numerical stability.
GOODFELLOW_LSE_SHIFT = """
z: [n]
y: onehot[n]

zmax = max(z)
J = zmax + log(sum(exp(z - zmax))) - sum(y * z)
"""

#: §5.1.4, linear regression: MSE_train = (1/m) ||X w - y||².
GOODFELLOW_LINREG = """
X: [m, n]
y: [m]
w: [n]

yhat = X @ w
MSE = mean((yhat - y) ** 2)
"""

# ---------------------------------------------------------------------------------------------
# Karpathy, nn-zero-to-hero (makemore)
# ---------------------------------------------------------------------------------------------

#: Part 4 ("becoming a backprop ninja"), exercise 2: cross-entropy written out with a max shift.
KARPATHY_CE = """
logits: [n, vocab_size]
Yb: int[n] < vocab_size

logit_maxes = max(logits, axis=1, keepdims=True)
norm_logits = logits - logit_maxes
counts = exp(norm_logits)
counts_sum = sum(counts, axis=1, keepdims=True)
counts_sum_inv = counts_sum ** -1
probs = counts * counts_sum_inv
logprobs = log(probs)
loss = -mean(logprobs[range(n), Yb])
"""

#: Parts 2/4: the MLP's tanh hidden layer and output layer with F.cross_entropy.
KARPATHY_MLP = """
embcat: [n, block_size * n_embd]
Yb: int[n] < vocab_size
W1: [block_size * n_embd, n_hidden]
b1: [n_hidden]
W2: [n_hidden, vocab_size]
b2: [vocab_size]

hpreact = embcat @ W1 + b1
h = tanh(hpreact)
logits = h @ W2 + b2
loss = -mean(log_softmax(logits, axis=1)[range(n), Yb])
"""

#: Part 4, exercise 3: batchnorm with Bessel's correction; G is the upstream gradient dhpreact.
KARPATHY_BATCHNORM = """
hprebn: [n, n_hidden]
bngain: [1, n_hidden]
bnbias: [1, n_hidden]
G: [n, n_hidden]

bnmeani = 1 / n * sum(hprebn, axis=0, keepdims=True)
bndiff = hprebn - bnmeani
bndiff2 = bndiff ** 2
bnvar = 1 / (n - 1) * sum(bndiff2, axis=0, keepdims=True)
bnvar_inv = (bnvar + 1e-5) ** -0.5
bnraw = bndiff * bnvar_inv
hpreact = bngain * bnraw + bnbias
J = sum(G * hpreact)
"""

#: An embedding table read by integer tokens, one token per example.
KARPATHY_EMBEDDING = """
Xb: int[n] < vocab_size
Yb: int[n] < vocab_size
C: [vocab_size, n_embd]
W: [n_embd, vocab_size]

emb = C[Xb]
logits = emb @ W
loss = -mean(log_softmax(logits, axis=1)[range(n), Yb])
"""

#: Part 2: a context of block_size tokens, embedded and concatenated (emb.view(n, -1)).
KARPATHY_EMBEDDING_BLOCK = """
Xb: int[n, block_size] < vocab_size
Yb: int[n] < vocab_size
C: [vocab_size, n_embd]
W: [block_size * n_embd, vocab_size]
b: [vocab_size]

emb = C[Xb]
embcat = reshape(emb, (n, block_size * n_embd))
logits = embcat @ W + b
loss = -mean(log_softmax(logits, axis=1)[range(n), Yb])
"""

#: Part 1: the bigram model as a one-layer network on one-hot inputs, softmax written out
#: without a max shift, regularised with 0.01 * mean(W ** 2).
KARPATHY_BIGRAM = """
xenc: onehot[n, vocab_size]
ys: int[n] < vocab_size
W: [vocab_size, vocab_size]

logits = xenc @ W
counts = exp(logits)
probs = counts / sum(counts, axis=1, keepdims=True)
loss = -mean(log(probs[range(n), ys])) + 0.01 * mean(W ** 2)
"""

# ---------------------------------------------------------------------------------------------
# Linear regression, ridge, MSE
# ---------------------------------------------------------------------------------------------

#: Ridge regression with the halves a teacher writes: 0.5 * mean squared error + 0.5 * reg * ||w||².
RIDGE = """
X: [N, D]
t: [N]
w: [D]
reg: []

err = X @ w - t
J = 0.5 * sum(err * err) / N + 0.5 * reg * sum(w * w)
"""

#: A linear layer under half the summed squared error, averaged over the batch B.
MSE_LINEAR = """
X: [B, D]
W: [D, K]
b: [K]
T: [B, K]

pred = X @ W + b
err = pred - T
J = 0.5 * sum(err ** 2) / B
"""

#: The same loss with the prediction as a leaf.
MSE_PRED = """
P: [B, K]
T: [B, K]

err = P - T
J = 0.5 * sum(err ** 2) / B
"""

#: Ng's Machine Learning course: J(θ) = 1/(2m) Σ (h_θ(x) - y)².
NG_LINREG = """
X: [m, n]
y: [m]
theta: [n]

h = X @ theta
J = sum((h - y) ** 2) / (2 * m)
"""

# ---------------------------------------------------------------------------------------------
# Logistic regression with binary cross-entropy under a mean (row convention)
# ---------------------------------------------------------------------------------------------

LOGREG_MEAN = """
X: [N, D]
y: [N]
w: [D]
b: []

A = sigmoid(X @ w + b)
J = -mean(y * log(A) + (1 - y) * log(1 - A))
"""

# ---------------------------------------------------------------------------------------------
# Softmax cross-entropy in its other common spellings
# ---------------------------------------------------------------------------------------------

#: log_softmax under mean (PyTorch's log_softmax + NLL, written with one-hot targets).
LOGSOFTMAX_MEAN = """
X: [N, D]
Y: onehot[N, K]
W: [D, K]

S = X @ W
J = -mean(sum(Y * log_softmax(S, axis=1), axis=1))
"""

#: Log-sum-exp per row minus the target score.
LSE_ROWS = """
S: [N, K]
Y: onehot[N, K]

lse = log(sum(exp(S), axis=1))
J = mean(lse - sum(Y * S, axis=1))
"""

#: The same with the row max subtracted and added back.
LSE_ROWS_SHIFT = """
S: [N, K]
Y: onehot[N, K]

Smax = max(S, axis=1, keepdims=True)
lse = Smax + log(sum(exp(S - Smax), axis=1, keepdims=True))
J = (sum(lse) - sum(Y * S)) / N
"""

#: The correct-class probability picked as log(sum(P * Y, axis=1)).
LOG_SUM_PY = """
S: [N, K]
Y: onehot[N, K]

P = softmax(S, axis=1)
J = -mean(log(sum(P * Y, axis=1)))
"""


ONEHOT_Y = "needs Y one-hot (declared onehot): the softmax's rows sum to 1 and Y's rows too"
INT_LABELS = "integer labels: eye(K)[y] is their one-hot matrix (the course's dscores[range(N), y] -= 1)"

REFERENCES: tuple[Reference, ...] = (
    # -- CS231n case study: 2-layer ReLU net, softmax by hand, one-hot Y (issue 12, row 1) --
    Reference("cs231n-case-2layer-W2", "CS231n case study", CS231N_CASE_2LAYER, "W2",
              "hidden.T @ (probs - Y) / N", ONEHOT_Y),
    Reference("cs231n-case-2layer-b2", "CS231n case study", CS231N_CASE_2LAYER, "b2",
              "sum(probs - Y, axis=0) / N", ONEHOT_Y),
    Reference("cs231n-case-2layer-W1", "CS231n case study", CS231N_CASE_2LAYER, "W1",
              "X.T @ ((probs - Y) @ W2.T * (hidden > 0)) / N",
              ONEHOT_Y + "; dhidden[hidden <= 0] = 0 is the ReLU mask (hidden > 0)"),
    Reference("cs231n-case-2layer-b1", "CS231n case study", CS231N_CASE_2LAYER, "b1",
              "sum((probs - Y) @ W2.T * (hidden > 0), axis=0) / N", ONEHOT_Y),
    Reference("cs231n-case-2layer-X", "CS231n case study", CS231N_CASE_2LAYER, "X",
              "((probs - Y) @ W2.T * (hidden > 0)) @ W1.T / N", ONEHOT_Y),
    # -- CS231n case study: linear softmax, log(sum(probs * Y, axis=1)), 0.5 * reg --
    Reference("cs231n-case-linear-W", "CS231n case study", CS231N_CASE_LINEAR, "W",
              "X.T @ (probs - Y) / N + reg * W",
              ONEHOT_Y + "; sum(probs * Y, axis=1) is the correct class's probability"),
    Reference("cs231n-case-linear-b", "CS231n case study", CS231N_CASE_LINEAR, "b",
              "sum(probs - Y, axis=0) / N", ONEHOT_Y),
    # -- CS231n assignment 1: softmax classifier with a max shift and integer labels --
    Reference("cs231n-softmax-W", "CS231n assignment 1", CS231N_SOFTMAX, "W",
              "X.T @ (probs - eye(C)[y]) / N + 2 * reg * W",
              INT_LABELS + "; the max shift does not change the gradient"),
    Reference("cs231n-softmax-X", "CS231n assignment 1", CS231N_SOFTMAX, "X",
              "(probs - eye(C)[y]) @ W.T / N", INT_LABELS),
    # -- CS231n assignment 1: multiclass SVM --
    Reference("cs231n-svm-W", "CS231n assignment 1", CS231N_SVM, "W",
              "X.T @ ((margins > 0) - eye(C)[y] * sum(margins > 0, axis=1, keepdims=True)) / N + 2 * reg * W",
              "integer labels; the correct class's margin is exactly 1 (> 0), so the row count "
              "includes it and its entry is 1 - count = -(other positive margins)"),
    # -- CS231n assignment 2: TwoLayerNet with softmax_loss as written in layers.py --
    Reference("cs231n-fcnet-W2", "CS231n assignment 2", CS231N_FCNET, "W2",
              "hidden.T @ (probs - eye(C)[y]) / N + reg * W2",
              INT_LABELS + "; probs = exp(log_probs) is a named value off the loss's path"),
    Reference("cs231n-fcnet-b2", "CS231n assignment 2", CS231N_FCNET, "b2",
              "sum(probs - eye(C)[y], axis=0) / N", INT_LABELS),
    Reference("cs231n-fcnet-W1", "CS231n assignment 2", CS231N_FCNET, "W1",
              "X.T @ ((probs - eye(C)[y]) @ W2.T * (hidden > 0)) / N + reg * W1", INT_LABELS),
    Reference("cs231n-fcnet-b1", "CS231n assignment 2", CS231N_FCNET, "b1",
              "sum((probs - eye(C)[y]) @ W2.T * (hidden > 0), axis=0) / N", INT_LABELS),
    # -- CS231n assignment 2: batchnorm (issue 12, row 6) --
    Reference("cs231n-batchnorm-X", "CS231n assignment 2", CS231N_BATCHNORM, "X",
              "gamma / sqrt(var + eps) / N * (N * G - sum(G, axis=0) - xhat * sum(G * xhat, axis=0))",
              "batchnorm_backward_alt; the sum(xc, axis=0) terms of the step-by-step form are 0"),
    Reference("cs231n-batchnorm-gamma", "CS231n assignment 2", CS231N_BATCHNORM, "gamma",
              "sum(G * xhat, axis=0)"),
    Reference("cs231n-batchnorm-beta", "CS231n assignment 2", CS231N_BATCHNORM, "beta",
              "sum(G, axis=0)"),
    # -- CS231n assignment 2: layernorm --
    Reference("cs231n-layernorm-X", "CS231n assignment 2", CS231N_LAYERNORM, "X",
              "(D * G * gamma - sum(G * gamma, axis=1, keepdims=True)"
              " - xhat * sum(G * gamma * xhat, axis=1, keepdims=True)) / sqrt(var + eps) / D",
              "batchnorm's formula along axis 1 with dxhat = G * gamma (gamma varies along that axis)"),
    Reference("cs231n-layernorm-gamma", "CS231n assignment 2", CS231N_LAYERNORM, "gamma",
              "sum(G * xhat, axis=0)"),
    Reference("cs231n-layernorm-beta", "CS231n assignment 2", CS231N_LAYERNORM, "beta",
              "sum(G, axis=0)"),

    # -- CS224n: the motivating question --
    Reference("cs224n-question-W1", "CS224n", CS224N_QUESTION, "W1",
              "x.T @ ((yhat - y) @ W2.T * h * (1 - h))", "needs y one-hot"),
    Reference("cs224n-question-W2", "CS224n", CS224N_QUESTION, "W2",
              "h.T @ (yhat - y)", "needs y one-hot"),
    Reference("cs224n-question-x", "CS224n", CS224N_QUESTION, "x",
              "((yhat - y) @ W2.T * h * (1 - h)) @ W1.T", "needs y one-hot"),
    # -- CS224n: q2_neural, a batch with a summed cost --
    Reference("cs224n-neural-W2", "CS224n", CS224N_NEURAL, "W2",
              "h.T @ (yhat - labels)", "needs labels one-hot"),
    Reference("cs224n-neural-b2", "CS224n", CS224N_NEURAL, "b2",
              "sum(yhat - labels, axis=0, keepdims=True)", "needs labels one-hot"),
    Reference("cs224n-neural-W1", "CS224n", CS224N_NEURAL, "W1",
              "data.T @ ((yhat - labels) @ W2.T * h * (1 - h))",
              "needs labels one-hot; h * (1 - h) is sigmoid_grad(h)"),
    Reference("cs224n-neural-b1", "CS224n", CS224N_NEURAL, "b1",
              "sum((yhat - labels) @ W2.T * h * (1 - h), axis=0, keepdims=True)", "needs labels one-hot"),
    Reference("cs224n-neural-data", "CS224n", CS224N_NEURAL, "data",
              "((yhat - labels) @ W2.T * h * (1 - h)) @ W1.T", "needs labels one-hot"),
    Reference("cs224n-softmax-ce-theta", "CS224n", CS224N_SOFTMAX_CE, "theta",
              "yhat - y", "needs y one-hot"),
    Reference("cs224n-sigmoid-x", "CS224n", CS224N_SIGMOID, "x",
              "G * s * (1 - s)", "the sigmoid's derivative from its output"),

    # -- deeplearning.ai: L-layer with L = 2 (issue 12, row 3) --
    Reference("dlai-llayer-W2", "deeplearning.ai", DLAI_LLAYER, "W2",
              "(AL - Y) @ A1.T / m", "dZ2 = AL - Y: the sigmoid's derivative cancels the BCE's; Y need not be 0/1"),
    Reference("dlai-llayer-b2", "deeplearning.ai", DLAI_LLAYER, "b2",
              "sum(AL - Y, axis=1, keepdims=True) / m"),
    Reference("dlai-llayer-W1", "deeplearning.ai", DLAI_LLAYER, "W1",
              "(W2.T @ (AL - Y) * (A1 > 0)) @ X.T / m", "relu_backward: dZ[Z <= 0] = 0"),
    Reference("dlai-llayer-b1", "deeplearning.ai", DLAI_LLAYER, "b1",
              "sum(W2.T @ (AL - Y) * (A1 > 0), axis=1, keepdims=True) / m"),
    Reference("dlai-llayer-X", "deeplearning.ai", DLAI_LLAYER, "X",
              "W1.T @ (W2.T @ (AL - Y) * (A1 > 0)) / m"),
    # -- deeplearning.ai: L = 3 --
    Reference("dlai-llayer3-W3", "deeplearning.ai", DLAI_LLAYER3, "W3",
              "(AL - Y) @ A2.T / m"),
    Reference("dlai-llayer3-W2", "deeplearning.ai", DLAI_LLAYER3, "W2",
              "(W3.T @ (AL - Y) * (A2 > 0)) @ A1.T / m"),
    Reference("dlai-llayer3-W1", "deeplearning.ai", DLAI_LLAYER3, "W1",
              "(W2.T @ (W3.T @ (AL - Y) * (A2 > 0)) * (A1 > 0)) @ X.T / m"),
    # -- deeplearning.ai: planar data, one tanh hidden layer --
    Reference("dlai-planar-W2", "deeplearning.ai", DLAI_PLANAR, "W2",
              "(A2 - Y) @ A1.T / m"),
    Reference("dlai-planar-b2", "deeplearning.ai", DLAI_PLANAR, "b2",
              "sum(A2 - Y, axis=1, keepdims=True) / m"),
    Reference("dlai-planar-W1", "deeplearning.ai", DLAI_PLANAR, "W1",
              "(W2.T @ (A2 - Y) * (1 - A1 ** 2)) @ X.T / m", "tanh' = 1 - A1 ** 2"),
    Reference("dlai-planar-b1", "deeplearning.ai", DLAI_PLANAR, "b1",
              "sum(W2.T @ (A2 - Y) * (1 - A1 ** 2), axis=1, keepdims=True) / m"),
    # -- deeplearning.ai: logistic regression --
    Reference("dlai-logreg-w", "deeplearning.ai", DLAI_LOGREG, "w",
              "X @ (A - Y).T / m"),
    Reference("dlai-logreg-b", "deeplearning.ai", DLAI_LOGREG, "b",
              "sum(A - Y) / m"),

    # -- Goodfellow et al. §6.5.7: MLP with weight decay --
    Reference("goodfellow-mlp-W2", "Goodfellow et al.", GOODFELLOW_MLP, "W2",
              "H.T @ (softmax(U2, axis=1) - Y) + 2 * lam * W2", ONEHOT_Y),
    Reference("goodfellow-mlp-W1", "Goodfellow et al.", GOODFELLOW_MLP, "W1",
              "X.T @ ((softmax(U2, axis=1) - Y) @ W2.T * (U1 > 0)) + 2 * lam * W1",
              ONEHOT_Y + "; G' is G W2ᵀ zeroed where U1 < 0"),
    # -- Goodfellow et al. §10.2.2: one RNN step --
    Reference("goodfellow-rnn-V", "Goodfellow et al.", GOODFELLOW_RNN_STEP, "V",
              "h.T @ (yhat - y)", "needs y one-hot"),
    Reference("goodfellow-rnn-c", "Goodfellow et al.", GOODFELLOW_RNN_STEP, "c",
              "yhat - y", "needs y one-hot"),
    Reference("goodfellow-rnn-W", "Goodfellow et al.", GOODFELLOW_RNN_STEP, "W",
              "h_prev.T @ ((yhat - y) @ V.T * (1 - h ** 2))", "needs y one-hot; diag(1 - h²) as * (1 - h ** 2)"),
    Reference("goodfellow-rnn-U", "Goodfellow et al.", GOODFELLOW_RNN_STEP, "U",
              "x.T @ ((yhat - y) @ V.T * (1 - h ** 2))", "needs y one-hot"),
    Reference("goodfellow-rnn-b", "Goodfellow et al.", GOODFELLOW_RNN_STEP, "b",
              "(yhat - y) @ V.T * (1 - h ** 2)", "needs y one-hot"),
    Reference("goodfellow-rnn-h_prev", "Goodfellow et al.", GOODFELLOW_RNN_STEP, "h_prev",
              "((yhat - y) @ V.T * (1 - h ** 2)) @ W.T", "needs y one-hot"),
    # -- Goodfellow et al. §10.2.2: BPTT over two steps --
    Reference("goodfellow-bptt-V", "Goodfellow et al.", GOODFELLOW_BPTT2, "V",
              "h1.T @ (yhat1 - y1) + h2.T @ (yhat2 - y2)", "needs y1, y2 one-hot"),
    Reference("goodfellow-bptt-c", "Goodfellow et al.", GOODFELLOW_BPTT2, "c",
              "yhat1 - y1 + yhat2 - y2", "needs y1, y2 one-hot"),
    Reference("goodfellow-bptt-W", "Goodfellow et al.", GOODFELLOW_BPTT2, "W",
              "h0.T @ (((yhat1 - y1) @ V.T + ((yhat2 - y2) @ V.T * (1 - h2 ** 2)) @ W.T) * (1 - h1 ** 2))"
              " + h1.T @ ((yhat2 - y2) @ V.T * (1 - h2 ** 2))",
              "needs y1, y2 one-hot; da2 = (yhat2 - y2) @ V.T * (1 - h2 ** 2), "
              "da1 = ((yhat1 - y1) @ V.T + da2 @ W.T) * (1 - h1 ** 2), dW = h0.T @ da1 + h1.T @ da2"),
    # -- Goodfellow et al.: softmax as log-sum-exp --
    Reference("goodfellow-lse-z", "Goodfellow et al.", GOODFELLOW_LSE, "z",
              "softmax(z) - y", "needs y one-hot: the gradient of log Σ exp(z) is softmax(z)"),
    Reference("goodfellow-lse-shift-z", "Goodfellow et al.", GOODFELLOW_LSE_SHIFT, "z",
              "softmax(z) - y", "needs y one-hot; the max shift's two terms cancel"),
    Reference("goodfellow-linreg-w", "Goodfellow et al.", GOODFELLOW_LINREG, "w",
              "2 * X.T @ (yhat - y) / m", "∇w MSE = (2/m) Xᵀ(Xw - y)"),

    # -- Karpathy makemore --
    Reference("karpathy-ce-logits", "Karpathy makemore", KARPATHY_CE, "logits",
              "(probs - eye(vocab_size)[Yb]) / n",
              "integer labels: dlogits = softmax(logits); dlogits[range(n), Yb] -= 1; dlogits /= n"),
    Reference("karpathy-mlp-W2", "Karpathy makemore", KARPATHY_MLP, "W2",
              "h.T @ (softmax(logits, axis=1) - eye(vocab_size)[Yb]) / n", INT_LABELS),
    Reference("karpathy-mlp-b2", "Karpathy makemore", KARPATHY_MLP, "b2",
              "sum(softmax(logits, axis=1) - eye(vocab_size)[Yb], axis=0) / n", INT_LABELS),
    Reference("karpathy-mlp-W1", "Karpathy makemore", KARPATHY_MLP, "W1",
              "embcat.T @ ((1 - h ** 2) * ((softmax(logits, axis=1) - eye(vocab_size)[Yb]) @ W2.T)) / n",
              INT_LABELS + "; dhpreact = (1.0 - h**2) * dh"),
    Reference("karpathy-mlp-b1", "Karpathy makemore", KARPATHY_MLP, "b1",
              "sum((1 - h ** 2) * ((softmax(logits, axis=1) - eye(vocab_size)[Yb]) @ W2.T), axis=0) / n",
              INT_LABELS),
    Reference("karpathy-mlp-embcat", "Karpathy makemore", KARPATHY_MLP, "embcat",
              "(1 - h ** 2) * ((softmax(logits, axis=1) - eye(vocab_size)[Yb]) @ W2.T) @ W1.T / n",
              INT_LABELS),
    Reference("karpathy-batchnorm-hprebn", "Karpathy makemore", KARPATHY_BATCHNORM, "hprebn",
              "bngain * bnvar_inv / n * (n * G - sum(G, axis=0)"
              " - n / (n - 1) * bnraw * sum(G * bnraw, axis=0))",
              "exercise 3's one-liner; n / (n - 1) from Bessel's correction"),
    Reference("karpathy-batchnorm-bngain", "Karpathy makemore", KARPATHY_BATCHNORM, "bngain",
              "sum(bnraw * G, axis=0, keepdims=True)"),
    Reference("karpathy-batchnorm-bnbias", "Karpathy makemore", KARPATHY_BATCHNORM, "bnbias",
              "sum(G, axis=0, keepdims=True)"),
    Reference("karpathy-embedding-C", "Karpathy makemore", KARPATHY_EMBEDDING, "C",
              "eye(vocab_size)[Xb].T @ ((softmax(logits, axis=1) - eye(vocab_size)[Yb]) @ W.T) / n",
              INT_LABELS + "; the loop dC[Xb[k]] += demb[k] is the one-hot matrix's transpose times demb"),
    Reference("karpathy-embedding-W", "Karpathy makemore", KARPATHY_EMBEDDING, "W",
              "emb.T @ (softmax(logits, axis=1) - eye(vocab_size)[Yb]) / n", INT_LABELS),
    Reference("karpathy-embedding-block-C", "Karpathy makemore", KARPATHY_EMBEDDING_BLOCK, "C",
              "reshape(eye(vocab_size)[Xb], (n * block_size, vocab_size)).T"
              " @ reshape((softmax(logits, axis=1) - eye(vocab_size)[Yb]) @ W.T, (n * block_size, n_embd)) / n",
              INT_LABELS + "; demb = dembcat.view(emb.shape), then the dC loop as a one-hot product"),
    Reference("karpathy-bigram-W", "Karpathy makemore", KARPATHY_BIGRAM, "W",
              "xenc.T @ (probs - eye(vocab_size)[ys]) / n + 0.02 * W / vocab_size ** 2",
              INT_LABELS + "; the regulariser 0.01 * mean(W ** 2) gives 0.02 * W / vocab_size²"),

    # -- regression (issue 12, rows 4 and 5) --
    Reference("ridge-w", "linear regression / ridge / MSE", RIDGE, "w",
              "X.T @ err / N + reg * w", "the halves cancel the squares' 2"),
    Reference("ridge-X", "linear regression / ridge / MSE", RIDGE, "X",
              "outer(err, w) / N"),
    Reference("ridge-t", "linear regression / ridge / MSE", RIDGE, "t",
              "-err / N"),
    Reference("mse-linear-W", "linear regression / ridge / MSE", MSE_LINEAR, "W",
              "X.T @ err / B"),
    Reference("mse-linear-b", "linear regression / ridge / MSE", MSE_LINEAR, "b",
              "sum(err, axis=0) / B"),
    Reference("mse-linear-X", "linear regression / ridge / MSE", MSE_LINEAR, "X",
              "err @ W.T / B"),
    Reference("mse-linear-T", "linear regression / ridge / MSE", MSE_LINEAR, "T",
              "-err / B"),
    Reference("mse-pred-P", "linear regression / ridge / MSE", MSE_PRED, "P",
              "err / B", "2 * (0.5 / B) * err collected"),
    Reference("ng-linreg-theta", "linear regression / ridge / MSE", NG_LINREG, "theta",
              "X.T @ (h - y) / m", "Ng: grad = X' * (h - y) / m"),

    # -- logistic regression, BCE with log(A) and log(1 - A) under a mean --
    Reference("logreg-mean-w", "logistic regression (BCE)", LOGREG_MEAN, "w",
              "X.T @ (A - y) / N", "y need not be 0/1: the sigmoid's derivative cancels the BCE's"),
    Reference("logreg-mean-b", "logistic regression (BCE)", LOGREG_MEAN, "b",
              "mean(A - y)"),
    Reference("logreg-mean-X", "logistic regression (BCE)", LOGREG_MEAN, "X",
              "outer(A - y, w) / N"),

    # -- softmax cross-entropy in other spellings (issue 12, row 2) --
    Reference("logsoftmax-mean-W", "softmax forms", LOGSOFTMAX_MEAN, "W",
              "X.T @ (softmax(S, axis=1) - Y) / N", ONEHOT_Y),
    Reference("logsoftmax-mean-X", "softmax forms", LOGSOFTMAX_MEAN, "X",
              "(softmax(S, axis=1) - Y) @ W.T / N", ONEHOT_Y),
    Reference("lse-rows-S", "softmax forms", LSE_ROWS, "S",
              "(softmax(S, axis=1) - Y) / N", ONEHOT_Y),
    Reference("lse-rows-shift-S", "softmax forms", LSE_ROWS_SHIFT, "S",
              "(softmax(S, axis=1) - Y) / N", ONEHOT_Y + "; the max shift's two terms cancel"),
    Reference("log-sum-py-S", "softmax forms", LOG_SUM_PY, "S",
              "(P - Y) / N", ONEHOT_Y + "; sum(P * Y, axis=1) is the correct class's probability"),
)
