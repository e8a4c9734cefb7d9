"""More teachers' reference gradients (issue 12): other courses, other leaves.

Written for the formula-length suite (tests/test_formula_lengths.py) in the same form as
`teacher_formulas.REFERENCES`: a network in the language of SPEC §1–§2 with the names the source
uses, a leaf, and the formula a teacher writes for ∂J/∂leaf with only the network's leaves, defined
names and dimension symbols. Each is proven against central finite differences by
tests/test_teacher_formulas.py, like the first catalogue.

Sources: Nielsen's *Neural Networks and Deep Learning* (network.py's quadratic and cross-entropy
costs), the UFLDL softmax regression tutorial, CS229 (regularised logistic and linear regression),
Goodfellow et al. (gated units, §10.10), Colah's and Karpathy's LSTM/GRU write-ups, TensorFlow's
`huber_loss`, the binary SVM's hinge loss, cosine similarity, the lasso, inverted dropout
(CS231n), residual blocks (He et al.), tied autoencoders, RMSNorm (Zhang and Sennrich), FaceNet's
triplet loss and knowledge distillation's temperature softmax (Hinton et al.).
"""
from __future__ import annotations

from catalogue.teacher_formulas import Reference

# -- Nielsen, Neural Networks and Deep Learning (column vectors, network.py) -------------------------

#: Chapter 2: the quadratic cost through a sigmoid output; delta = (a2 - y) * sigmoid_prime(z2).
NIELSEN_QUADRATIC = """
x: [n_in, 1]
y: [n_out, 1]
W1: [n_h, n_in]
b1: [n_h, 1]
W2: [n_out, n_h]
b2: [n_out, 1]

a1 = sigmoid(W1 @ x + b1)
a2 = sigmoid(W2 @ a1 + b2)
C = 0.5 * sum((a2 - y) ** 2)
"""

#: Chapter 3: the cross-entropy cost, whose delta is a2 - y (the sigmoid's derivative cancels).
NIELSEN_CROSS_ENTROPY = """
x: [n_in, 1]
y: [n_out, 1]
W1: [n_h, n_in]
b1: [n_h, 1]
W2: [n_out, n_h]
b2: [n_out, 1]

a1 = sigmoid(W1 @ x + b1)
a2 = sigmoid(W2 @ a1 + b2)
C = -sum(y * log(a2) + (1 - y) * log(1 - a2))
"""

# -- UFLDL and CS229 --------------------------------------------------------------------------------

#: UFLDL softmax regression: examples are columns (Y is one-hot down each column), weight decay lambda / 2 * ||theta||².
UFLDL_SOFTMAX = """
X: [n, m]
Y: [K, m]
theta: [K, n]
lam: []

P = softmax(theta @ X, axis=0)
J = -sum(Y * log(P)) / m + lam / 2 * sum(theta ** 2)
"""

#: CS229: regularised logistic regression (lambda / (2m) ||w||²).
CS229_LOGREG_L2 = """
X: [m, n]
y: [m]
w: [n]
lam: []

h = sigmoid(X @ w)
J = -mean(y * log(h) + (1 - y) * log(1 - h)) + lam / (2 * m) * sum(w ** 2)
"""

#: Multi-output linear regression, half the mean squared error per example, weight decay on W only.
LINEAR_L2 = """
X: [N, D]
Y: [N, K]
W: [D, K]
b: [K]
lam: []

pred = X @ W + b
J = 0.5 * mean(sum((pred - Y) ** 2, axis=1)) + 0.5 * lam * sum(W ** 2)
"""

#: The lasso: half the mean squared error plus lam * ||w||₁ (subgradient sign(w)).
LASSO = """
X: [N, D]
y: [N]
w: [D]
lam: []

err = X @ w - y
J = sum(err ** 2) / (2 * N) + lam * sum(abs(w))
"""

# -- other losses -------------------------------------------------------------------------------------

#: TensorFlow's huber_loss with delta = 1: quadratic = minimum(|r|, 1), linear = |r| - quadratic.
HUBER = """
P: [N]
T: [N]

r = P - T
quadratic = minimum(abs(r), 1)
linear = abs(r) - quadratic
J = mean(0.5 * quadratic ** 2 + linear)
"""

#: The binary SVM: hinge loss on labels ±1 with an L2 penalty.
HINGE = """
X: [N, D]
y: [N]
w: [D]
b: []
lam: []

margins = maximum(0, 1 - y * (X @ w + b))
J = mean(margins) + 0.5 * lam * sum(w * w)
"""

#: Mean absolute error over a batch of K outputs.
MAE = """
P: [N, K]
T: [N, K]

J = mean(abs(P - T))
"""

#: Per-example weighted squared error.
WEIGHTED_MSE = """
P: [N, K]
T: [N, K]
s: [N, 1]

J = sum(s * (P - T) ** 2) / N
"""

#: Cosine similarity of two vectors.
COSINE = """
a: [D]
b: [D]

na = sqrt(sum(a * a))
nb = sqrt(sum(b * b))
cos = sum(a * b) / (na * nb)
J = cos
"""

#: FaceNet's triplet loss on one (anchor, positive, negative) triple (a margin that keeps it active).
TRIPLET = """
a: [D]
p: [D]
n: [D]

d_ap = sum((a - p) ** 2)
d_an = sum((a - n) ** 2)
z = d_ap - d_an + 100
J = maximum(z, 0)
"""

#: Knowledge distillation's temperature: softmax(Z / tau) with one-hot labels.
TEMPERATURE = """
Z: [N, K]
Y: onehot[N, K]
tau: []

P = softmax(Z / tau, axis=1)
J = -sum(Y * log(P)) / N
"""

# -- layers --------------------------------------------------------------------------------------------

#: CS231n inverted dropout with the mask as a leaf: h = relu(X W1) * M / p.
DROPOUT = """
X: [N, D]
M: [N, H]
W1: [D, H]
W2: [H, K]
T: [N, K]
p: []

a = relu(X @ W1)
h = a * M / p
err = h @ W2 - T
J = sum(err ** 2) / (2 * N)
"""

#: A residual block (He et al.): h = x + relu(x W1) W2; G is the upstream gradient.
RESIDUAL = """
x: [N, D]
W1: [D, H]
W2: [H, D]
G: [N, D]

r = relu(x @ W1)
h = x + r @ W2
J = sum(h * G)
"""

#: A tied autoencoder: the decoder is the encoder's transpose.
TIED_AUTOENCODER = """
X: [N, D]
W: [D, H]

z = sigmoid(X @ W)
Xr = z @ W.T
J = sum((Xr - X) ** 2) / 2
"""

#: A GRU cell (row vectors); G is the upstream gradient of the new state.
GRU = """
x: [1, D]
h_prev: [1, H]
Wz: [D, H]
Uz: [H, H]
Wr: [D, H]
Ur: [H, H]
Wh: [D, H]
Uh: [H, H]
G: [1, H]

z = sigmoid(x @ Wz + h_prev @ Uz)
r = sigmoid(x @ Wr + h_prev @ Ur)
hh = tanh(x @ Wh + (r * h_prev) @ Uh)
h = (1 - z) * h_prev + z * hh
J = sum(h * G)
"""

#: An LSTM cell (row vectors) with G the upstream gradient of h.
LSTM = """
x: [1, D]
c_prev: [1, H]
Wi: [D, H]
Wf: [D, H]
Wo: [D, H]
Wg: [D, H]
G: [1, H]

i = sigmoid(x @ Wi)
f = sigmoid(x @ Wf)
o = sigmoid(x @ Wo)
g = tanh(x @ Wg)
c = f * c_prev + i * g
tc = tanh(c)
h = o * tc
J = sum(h * G)
"""

#: A highway layer (Srivastava et al.): a transform gate t mixes tanh(x Wh) with x.
HIGHWAY = """
x: [N, D]
Wt: [D, D]
Wh: [D, D]
G: [N, D]

t = sigmoid(x @ Wt)
hh = tanh(x @ Wh)
y = t * hh + (1 - t) * x
J = sum(y * G)
"""

#: RMSNorm over the features, with a gain g; G is the upstream gradient.
RMSNORM = """
x: [N, D]
g: [D]
G: [N, D]

ms = mean(x ** 2, axis=1, keepdims=True)
rms = sqrt(ms + 1e-6)
xhat = x / rms
J = sum(G * g * xhat)
"""

#: Batch normalisation with the standard deviation named (std), as many notes write it.
BATCHNORM_STD = """
X: [N, D]
gamma: [D]
beta: [D]
G: [N, D]

mu = mean(X, axis=0)
xc = X - mu
var = mean(xc ** 2, axis=0)
std = sqrt(var + 1e-5)
xhat = xc / std
out = gamma * xhat + beta
J = sum(G * out)
"""

#: Logistic loss on labels ±1 written with log(1 + exp(-margin)).
SOFTPLUS_LOGISTIC = """
X: [N, D]
y: [N]
w: [D]

m = y * (X @ w)
J = mean(log(1 + exp(-m)))
"""

#: A bilinear score x A y against an upstream scalar.
BILINEAR = """
x: [n]
y: [k]
A: [n, k]

J = x @ A @ y
"""

#: CS231n's two-layer net with integer labels and the softmax written out (no max shift).
CS231N_INT_LABELS = """
X: [N, D]
y: int[N] < C
W1: [D, H]
b1: [H]
W2: [H, C]
b2: [C]

hidden = relu(X @ W1 + b1)
scores = hidden @ W2 + b2
exp_scores = exp(scores)
probs = exp_scores / sum(exp_scores, axis=1, keepdims=True)
J = -sum(log(probs[range(N), y])) / N
"""

#: nnfs (Neural Networks from Scratch): the correct class's confidence picked with one-hot labels.
NNFS_CATEGORICAL = """
X: [N, D]
Y: onehot[N, C]
W: [D, C]

scores = X @ W
exp_scores = np.exp(scores - np.max(scores, axis=1, keepdims=True))
probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
correct_confidences = np.sum(probs * Y, axis=1)
loss = np.mean(-np.log(correct_confidences))
"""

#: d2l's softmax regression from scratch: y_hat[range(len(y_hat)), y] with integer labels.
D2L_SOFTMAX = """
X: [N, D]
y: int[N] < C
W: [D, C]
b: [C]

y_hat = softmax(X @ W + b, axis=1)
loss = -np.log(y_hat[np.arange(N), y]).mean()
"""

#: The softmax loss as log-sum-exp minus the correct score, integer labels.
LSE_INT_LABELS = """
X: [N, D]
y: int[N] < C
W: [D, C]

scores = X @ W
lse = np.log(np.sum(np.exp(scores), axis=1))
loss = np.mean(lse - scores[range(N), y])
"""

#: The softmax's denominator with its axis put back by hand (`[:, None]`), the loss a mean of row sums.
NEWAXIS_SOFTMAX = """
X: [N, D]
Y: onehot[N, C]
W: [D, C]

scores = X @ W
exp_scores = np.exp(scores)
probs = exp_scores / np.sum(exp_scores, axis=1)[:, None]
loss = -np.mean(np.sum(Y * np.log(probs), axis=1))
"""

#: A softmax written inline, inside the log, with no name for it or its exponentials.
INLINE_SOFTMAX = """
X: [N, D]
Y: onehot[N, C]
W: [D, C]

s = X @ W
J = -sum(Y * log(exp(s) / sum(exp(s), axis=1, keepdims=True))) / N
"""

#: deeplearning.ai C1W4's two_layer_model as its notebook writes it: the sigmoid written out, the cost
#: with np.dot over the examples, and np.squeeze.
DLAI_DOT_COST = """
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


#: Karpathy's makemore part 4 ("becoming a backprop ninja") forward pass, every step as the notebook
#: names it: the embedding, batchnorm with Bessel's correction, and the softmax by counts_sum_inv.
NINJA = """
Xb: int[n, block_size] < vocab_size
Yb: int[n] < vocab_size
C: [vocab_size, n_embd]
W1: [block_size * n_embd, n_hidden]
b1: [n_hidden]
bngain: [1, n_hidden]
bnbias: [1, n_hidden]
W2: [n_hidden, vocab_size]
b2: [vocab_size]

emb = C[Xb]
embcat = emb.reshape(n, block_size * n_embd)
hprebn = embcat @ W1 + b1
bnmeani = 1 / n * hprebn.sum(0, keepdims=True)
bndiff = hprebn - bnmeani
bndiff2 = bndiff ** 2
bnvar = 1 / (n - 1) * bndiff2.sum(0, keepdims=True)
bnvar_inv = (bnvar + 1e-5) ** -0.5
bnraw = bndiff * bnvar_inv
hpreact = bngain * bnraw + bnbias
h = tanh(hpreact)
logits = h @ W2 + b2
logit_maxes = logits.max(1, keepdims=True)
norm_logits = logits - logit_maxes
counts = exp(norm_logits)
counts_sum = counts.sum(1, keepdims=True)
counts_sum_inv = counts_sum ** -1
probs = counts * counts_sum_inv
logprobs = log(probs)
loss = -logprobs[range(n), Yb].mean()
"""

#: CS231n's svm_loss_vectorized with integer labels: the correct score picked, put back as a column.
SVM_INT_LABELS = """
X: [N, D]
y: int[N] < C
W: [D, C]
reg: []

scores = X @ W
correct = scores[range(N), y]
margins = maximum(0, scores - correct[:, None] + 1)
J = (sum(margins) - N) / N + reg * sum(W * W)
"""

#: The log-sum-exp written out with its max shift and named, and log-probabilities as scores - lse.
LSE_NAMED = """
X: [N, D]
Y: onehot[N, C]
W: [D, C]

scores = X @ W
m = max(scores, axis=1, keepdims=True)
lse = m + log(sum(exp(scores - m), axis=1, keepdims=True))
log_probs = scores - lse
J = -sum(Y * log_probs) / N
"""

#: CS229's logistic regression as the negative log-likelihood in the logits: log(1 + e^z) - y z.
CS229_LOGLIK = """
X: [N, D]
y: [N]
w: [D]

z = X @ w
J = mean(log(1 + exp(z)) - y * z)
"""

#: Goodfellow et al. 6.2.2.2: the sigmoid's negative log-likelihood as a softplus of (1 - 2y) z.
GOODFELLOW_SOFTPLUS = """
X: [N, D]
y: [N]
w: [D]

z = X @ w
J = mean(log(1 + exp((1 - 2 * y) * z)))
"""

#: Kratzert's "Understanding the gradient flow through the batch normalization layer": every
#: intermediate named (xmu, sq, var, sqrtvar, ivar, xhat, gammax).
KRATZERT_BATCHNORM = """
x: [N, D]
gamma: [D]
beta: [D]
G: [N, D]

mu = 1 / N * sum(x, axis=0)
xmu = x - mu
sq = xmu ** 2
var = 1 / N * sum(sq, axis=0)
sqrtvar = sqrt(var + 1e-5)
ivar = 1 / sqrtvar
xhat = xmu * ivar
gammax = gamma * xhat
out = gammax + beta
J = sum(G * out)
"""

#: A language model's loss over a batch of sequences: the target's probability picked with np.eye.
SEQUENCE_PICKED = """
X: [B, T, C]
y: int[B, T] < V
W: [C, V]

logits = X @ W
probs = softmax(logits, axis=-1)
J = -mean(log(sum(probs * eye(V)[y], axis=-1)))
"""

#: CS224n assignment 2, word2vec's negative-sampling loss for one centre word.
W2V_NEGATIVE_SAMPLING = """
v_c: [D]
u_o: [D]
U_neg: [K, D]

J = -log(sigmoid(u_o @ v_c)) - sum(log(sigmoid(-U_neg @ v_c)))
"""


MORE_REFERENCES: tuple[Reference, ...] = (
    Reference("nielsen-quadratic-W2", "Nielsen", NIELSEN_QUADRATIC, "W2",
              "(a2 - y) * a2 * (1 - a2) @ a1.T", "delta = (a2 - y) * sigmoid_prime(z2); dW2 = delta a1ᵀ"),
    Reference("nielsen-quadratic-W1", "Nielsen", NIELSEN_QUADRATIC, "W1",
              "(W2.T @ ((a2 - y) * a2 * (1 - a2)) * a1 * (1 - a1)) @ x.T"),
    Reference("nielsen-ce-W2", "Nielsen", NIELSEN_CROSS_ENTROPY, "W2",
              "(a2 - y) @ a1.T", "chapter 3: the cross-entropy cost's delta is a - y"),
    Reference("nielsen-ce-b1", "Nielsen", NIELSEN_CROSS_ENTROPY, "b1",
              "W2.T @ (a2 - y) * a1 * (1 - a1)"),
    Reference("ufldl-softmax-theta", "UFLDL", UFLDL_SOFTMAX, "theta",
              "(P - Y) @ X.T / m + lam * theta", "columns are examples; Y one-hot along axis 0"),
    Reference("cs229-logreg-l2-w", "CS229", CS229_LOGREG_L2, "w",
              "(X.T @ (h - y) + lam * w) / m"),
    Reference("linear-l2-W", "linear regression", LINEAR_L2, "W",
              "X.T @ (pred - Y) / N + lam * W"),
    Reference("linear-l2-b", "linear regression", LINEAR_L2, "b",
              "sum(pred - Y, axis=0) / N"),
    Reference("lasso-w", "the lasso", LASSO, "w",
              "X.T @ err / N + lam * sign(w)", "the subgradient of |w| is sign(w)"),
    Reference("huber-P", "TensorFlow huber_loss", HUBER, "P",
              "minimum(maximum(r, -1), 1) / N", "the Huber gradient is r clipped to [-1, 1]"),
    Reference("hinge-w", "binary SVM", HINGE, "w",
              "lam * w - X.T @ (y * (margins > 0)) / N"),
    Reference("hinge-b", "binary SVM", HINGE, "b",
              "-mean(y * (margins > 0))"),
    Reference("mae-P", "mean absolute error", MAE, "P",
              "sign(P - T) / (N * K)"),
    Reference("weighted-mse-P", "weighted squared error", WEIGHTED_MSE, "P",
              "2 * s * (P - T) / N"),
    Reference("cosine-similarity-a", "cosine similarity", COSINE, "a",
              "(b / nb - cos * a / na) / na", "d cos / da = b / (|a||b|) - cos · a / |a|²"),
    Reference("triplet-a", "FaceNet triplet loss", TRIPLET, "a",
              "2 * (n - p) * (z > 0)", "the anchor's two distances differ by 2 (n - p)"),
    Reference("temperature-Z", "distillation temperature", TEMPERATURE, "Z",
              "(P - Y) / N / tau"),
    Reference("dropout-W1", "CS231n inverted dropout", DROPOUT, "W1",
              "X.T @ (err @ W2.T * M / p * (a > 0)) / N", "the mask is a leaf: the gradient passes where M kept it"),
    Reference("dropout-W2", "CS231n inverted dropout", DROPOUT, "W2",
              "h.T @ err / N"),
    Reference("residual-W2", "residual block", RESIDUAL, "W2",
              "r.T @ G"),
    Reference("residual-W1", "residual block", RESIDUAL, "W1",
              "x.T @ (G @ W2.T * (r > 0))"),
    Reference("residual-x", "residual block", RESIDUAL, "x",
              "G + (G @ W2.T * (r > 0)) @ W1.T", "the identity path adds G itself"),
    Reference("tied-W", "tied autoencoder", TIED_AUTOENCODER, "W",
              "(Xr - X).T @ z + X.T @ ((Xr - X) @ W * z * (1 - z))", "decoder term plus encoder term"),
    Reference("gru-Wz", "GRU", GRU, "Wz",
              "x.T @ (G * (hh - h_prev) * z * (1 - z))", "dz = G * (hh - h_prev)"),
    Reference("gru-Wh", "GRU", GRU, "Wh",
              "x.T @ (G * z * (1 - hh ** 2))"),
    Reference("gru-Wr", "GRU", GRU, "Wr",
              "x.T @ ((G * z * (1 - hh ** 2)) @ Uh.T * h_prev * r * (1 - r))"),
    Reference("lstm-Wo", "LSTM", LSTM, "Wo",
              "x.T @ (G * tc * o * (1 - o))"),
    Reference("lstm-Wf", "LSTM", LSTM, "Wf",
              "x.T @ (G * o * (1 - tc ** 2) * c_prev * f * (1 - f))", "dc = G * o * (1 - tc²)"),
    Reference("lstm-c_prev", "LSTM", LSTM, "c_prev",
              "G * o * (1 - tc ** 2) * f"),
    Reference("highway-Wt", "highway layer", HIGHWAY, "Wt",
              "x.T @ (G * (hh - x) * t * (1 - t))"),
    Reference("rmsnorm-x", "RMSNorm", RMSNORM, "x",
              "(G * g - xhat * mean(G * g * xhat, axis=1, keepdims=True)) / rms"),
    Reference("batchnorm-std-X", "batch normalisation", BATCHNORM_STD, "X",
              "gamma / std / N * (N * G - sum(G, axis=0) - xhat * sum(G * xhat, axis=0))"),
    Reference("softplus-logistic-w", "logistic loss on ±1 labels", SOFTPLUS_LOGISTIC, "w",
              "-X.T @ (y / (1 + exp(m))) / N"),
    Reference("bilinear-A", "bilinear form", BILINEAR, "A",
              "outer(x, y)"),
    Reference("cs231n-int-labels-W2", "CS231n case study, integer labels", CS231N_INT_LABELS, "W2",
              "hidden.T @ (probs - eye(C)[y]) / N", "dscores = probs; dscores[range(N), y] -= 1; dscores /= N"),
    Reference("nnfs-categorical-W", "nnfs", NNFS_CATEGORICAL, "W",
              "X.T @ (probs - Y) / N", "dinputs = (probs - y_true) / samples"),
    Reference("d2l-softmax-W", "d2l", D2L_SOFTMAX, "W",
              "X.T @ (y_hat - eye(C)[y]) / N"),
    Reference("dlai-dot-cost-W1", "deeplearning.ai", DLAI_DOT_COST, "W1",
              "dot(W2.T @ (A2 - Y) * (A1 > 0), X.T) / m", "dZ2 = A2 - Y; dZ1 = np.dot(W2.T, dZ2) * (A1 > 0)"),
    Reference("dlai-dot-cost-b2", "deeplearning.ai", DLAI_DOT_COST, "b2",
              "sum(A2 - Y, axis=1, keepdims=True) / m"),
    Reference("newaxis-softmax-W", "softmax forms", NEWAXIS_SOFTMAX, "W",
              "X.T @ (probs - Y) / N"),
    Reference("lse-int-labels-W", "softmax forms", LSE_INT_LABELS, "W",
              "X.T @ (softmax(scores, axis=1) - eye(C)[y]) / N", "the gradient of the log-sum-exp is the softmax"),
    Reference("inline-softmax-W", "softmax forms", INLINE_SOFTMAX, "W",
              "X.T @ (softmax(s, axis=1) - Y) / N", "a softmax written inline is still the softmax"),
    Reference("ninja-W2", "Karpathy makemore", NINJA, "W2",
              "h.T @ (softmax(logits, axis=1) - eye(vocab_size)[Yb]) / n",
              "dlogits = F.softmax(logits, 1); dlogits[range(n), Yb] -= 1; dlogits /= n"),
    Reference("ninja-bngain", "Karpathy makemore", NINJA, "bngain",
              "sum(bnraw * ((probs - eye(vocab_size)[Yb]) @ W2.T * (1 - h ** 2)), axis=0, keepdims=True) / n"),
    Reference("ninja-W1", "Karpathy makemore", NINJA, "W1",
              "embcat.T @ (bngain * bnvar_inv / n * (n * ((probs - eye(vocab_size)[Yb]) @ W2.T * (1 - h ** 2) / n)"
              " - sum((probs - eye(vocab_size)[Yb]) @ W2.T * (1 - h ** 2) / n, axis=0)"
              " - n / (n - 1) * bnraw * sum((probs - eye(vocab_size)[Yb]) @ W2.T * (1 - h ** 2) / n * bnraw, axis=0)))",
              "exercise 3's dhprebn one-liner with dhpreact written in"),
    Reference("svm-int-labels-W", "CS231n", SVM_INT_LABELS, "W",
              "X.T @ ((margins > 0) - eye(C)[y] * sum(margins > 0, axis=1, keepdims=True)) / N + 2 * reg * W",
              "binary = margins > 0; binary[range(N), y] = -row_sum"),
    Reference("lse-named-W", "softmax forms", LSE_NAMED, "W",
              "X.T @ (softmax(scores, axis=1) - Y) / N"),
    Reference("cs229-loglik-w", "CS229", CS229_LOGLIK, "w",
              "X.T @ (sigmoid(z) - y) / N", "d/dz log(1 + e^z) = sigmoid(z)"),
    Reference("goodfellow-softplus-w", "Goodfellow et al.", GOODFELLOW_SOFTPLUS, "w",
              "X.T @ ((1 - 2 * y) * sigmoid((1 - 2 * y) * z)) / N", "softplus' = sigmoid"),
    Reference("kratzert-batchnorm-x", "Kratzert", KRATZERT_BATCHNORM, "x",
              "gamma * ivar / N * (N * G - sum(G, axis=0) - xhat * sum(G * xhat, axis=0))"),
    Reference("sequence-picked-W", "language model", SEQUENCE_PICKED, "W",
              "sum(X.transpose(0, 2, 1) @ (probs - eye(V)[y]), axis=0) / (B * T)"),
    Reference("w2v-negative-sampling-v_c", "CS224n", W2V_NEGATIVE_SAMPLING, "v_c",
              "(sigmoid(u_o @ v_c) - 1) * u_o + U_neg.T @ (1 - sigmoid(-U_neg @ v_c))"),
)
