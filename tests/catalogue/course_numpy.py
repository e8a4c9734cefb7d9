"""Course code from public sources not catalogued before (issue 21), pasted as written.

Each source's own forward and backward lines are kept as the source writes them; only the leaf
declarations (and the upstream gradient of a layer, `dout`, as a leaf with the layer's "fake loss"
`sum(out * dout)`) are written by hand. Where a line had to change, `adapted` counts it and the note
says how (`self.` dropped from a class's attributes, a game loop written for its stacked episode).
A mask the forward pass draws (`np.random.rand(...) < keep_prob`) is read as written.
tests/test_course_numpy.py measures the share of each source's lines accepted as written and proves every verdict against the NumPy oracle (tests/oracle.py).

Sources:
* Karpathy, min-char-rnn.py (gist d4dee566867f8291f086; the copy in asmaloney/min-char-rnn)
* karpathy/llm.c, doc/layernorm/layernorm.py (its PyTorch lines; `x.size()` is NumPy's `x.shape`)
* rasbt/machine-learning-book, ch11/neuralnet.py (Raschka's NeuralNetMLP)
* deeplearning.ai course 5 week 1, rnn_cell_backward (as solved in public, e.g. ernestng11/rnn-from-scratch)
* deeplearning.ai course 2 week 1, forward/backward_propagation_with_dropout
* CS231n assignment 3, rnn_layers.py (rnn_step_backward, word_embedding_backward, temporal_softmax_loss,
  lstm_step_backward) as solved in public
* CMU 11-785 HW1P1 MyTorch: linear.py, loss.py (MSELoss, CrossEntropyLoss), as solved in public
* deeplearning.ai course 5 week 1, lstm_cell_forward/backward (as solved in public)
* Karpathy, pg-pong.py (policy_forward, the game loop for three frames, policy_backward)
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    network: str
    wrt: str
    derivation: str
    verdict: str
    adapted: int = 0      # lines of the source changed to be read (the note says which and why)
    note: str = ""


CASES: list[Case] = []


def case(id, source, network, wrt, derivation, verdict, adapted=0, note=""):
    CASES.append(Case(id, source, network.strip("\n") + "\n", wrt, derivation.strip("\n"), verdict, adapted, note))


# =============================================================================================
SRC_KARPATHY = "Karpathy, min-char-rnn.py"

KARPATHY = """
Wxh: [hidden_size, vocab_size]
Whh: [hidden_size, hidden_size]
Why: [vocab_size, hidden_size]
bh: [hidden_size, 1]
by: [vocab_size, 1]
hprev: [hidden_size, 1]
inputs: int[3] < vocab_size
targets: int[3] < vocab_size
xs, hs, ys, ps = {}, {}, {}, {}
hs[-1] = np.copy(hprev)
loss = 0
# forward pass
for t in range(len(inputs)):
    xs[t] = np.zeros((vocab_size,1)) # encode in 1-of-k representation
    xs[t][inputs[t]] = 1
    hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t-1]) + bh) # hidden state
    ys[t] = np.dot(Why, hs[t]) + by # unnormalized log probabilities for next chars
    ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t])) # probabilities for next chars
    loss += -np.log(ps[t][targets[t],0]) # softmax (cross-entropy loss)
"""

KARPATHY_BACKWARD = """
# backward pass: compute gradients going backwards
dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
dbh, dby = np.zeros_like(bh), np.zeros_like(by)
dhnext = np.zeros_like(hs[0])
for t in reversed(range(len(inputs))):
    dy = np.copy(ps[t])
    dy[targets[t]] -= 1 # backprop into y. see http://cs231n.github.io/neural-networks-case-study/#grad if confused here
    dWhy += np.dot(dy, hs[t].T)
    dby += dy
    dh = np.dot(Why.T, dy) + dhnext # backprop into h
    dhraw = (1 - hs[t] * hs[t]) * dh # backprop through tanh nonlinearity
    dbh += dhraw
    dWxh += np.dot(dhraw, xs[t].T)
    dWhh += np.dot(dhraw, hs[t-1].T)
    dhnext = np.dot(Whh.T, dhraw)
"""

for _leaf in ("Wxh", "Whh", "Why", "bh", "by"):
    case(f"karpathy-{_leaf}", SRC_KARPATHY, KARPATHY, _leaf, KARPATHY_BACKWARD, "correct", adapted=2,
         note="the clipping loop (`for dparam in [...]: np.clip(dparam, -5, 5, out=dparam)`, which shapetutor "
              "reads) is left out: a clipped gradient is not the gradient wherever an entry passes 5, and "
              "whether the draws reach that is chance")
case("karpathy-hprev", SRC_KARPATHY, KARPATHY, "hprev", KARPATHY_BACKWARD + "\ndhprev = dhnext", "correct",
     note="the gradient at the initial state is the last dhnext")
case("karpathy-Whh-same-step", SRC_KARPATHY, KARPATHY, "Whh",
     KARPATHY_BACKWARD.replace("hs[t-1].T", "hs[t].T"), "wrong_value",
     note="a learner's slip: the current state instead of the previous one")
case("karpathy-Wxh-no-tanh", SRC_KARPATHY, KARPATHY, "Wxh",
     KARPATHY_BACKWARD.replace("dhraw = (1 - hs[t] * hs[t]) * dh", "dhraw = dh"), "wrong_value",
     note="a learner's slip: the tanh derivative left out")
case("karpathy-Wxh-no-carry", SRC_KARPATHY, KARPATHY, "Wxh",
     KARPATHY_BACKWARD.replace(" + dhnext # backprop into h", " # backprop into h"), "wrong_value",
     note="a learner's slip: the gradient from later steps dropped")

# =============================================================================================
SRC_LLMC = "karpathy/llm.c, doc/layernorm/layernorm.py"

LLMC = """
x: [B, T, C]
w: [C]
b: [C]
dout: [B, T, C]
eps = 1e-5
B, T, C = x.size()
mean = x.sum(-1, keepdim=True) / C # B,T,1
xshift = x - mean # B,T,C
var = (xshift**2).sum(-1, keepdim=True) / C # B,T,1
rstd = (var + eps) ** -0.5 # B,T,1
norm = xshift * rstd # B,T,C
out = norm * w + b # B,T,C
fakeloss = (out * dout).sum()
"""

LLMC_BACKWARD = """
# recompute the norm (save memory at the cost of compute)
norm = (x - mean) * rstd
# gradients for weights, bias
db = dout.sum((0, 1))
dw = (dout * norm).sum((0, 1))
# gradients for input
dnorm = dout * w
dx = dnorm - dnorm.mean(-1, keepdim=True) - norm * (dnorm * norm).mean(-1, keepdim=True)
dx *= rstd
"""

for _leaf in ("x", "w", "b"):
    case(f"llmc-layernorm-{_leaf}", SRC_LLMC, LLMC, _leaf, LLMC_BACKWARD, "correct",
         note="PyTorch's `x.size()` and `keepdim=` are read as NumPy's `x.shape` and `keepdims=`")
case("llmc-layernorm-x-no-projection", SRC_LLMC, LLMC, "x",
     LLMC_BACKWARD.replace(" - norm * (dnorm * norm).mean(-1, keepdim=True)", ""), "wrong_value",
     note="a learner's slip: the term through the variance left out")
case("llmc-layernorm-x-no-rstd", SRC_LLMC, LLMC, "x", LLMC_BACKWARD.replace("dx *= rstd\n", ""),
     "wrong_value", note="a learner's slip: the final scaling by rstd left out")

# =============================================================================================
SRC_RASCHKA = "Raschka, machine-learning-book ch11/neuralnet.py (NeuralNetMLP)"

RASCHKA = """
x: [n_examples, n_features]
y: int[n_examples] < num_classes
weight_h: [num_hidden, n_features]
bias_h: [num_hidden]
weight_out: [num_classes, num_hidden]
bias_out: [num_classes]
z_h = np.dot(x, self.weight_h.T) + self.bias_h
a_h = sigmoid(z_h)
z_out = np.dot(a_h, self.weight_out.T) + self.bias_out
a_out = sigmoid(z_out)
y_onehot = np.eye(num_classes)[y]
loss = np.mean((y_onehot - a_out)**2)
"""

RASCHKA_BACKWARD = """
# input/output dim: [n_examples, n_classes]
d_loss__d_a_out = 2.*(a_out - y_onehot) / y.shape[0]
d_a_out__d_z_out = a_out * (1. - a_out) # sigmoid derivative
delta_out = d_loss__d_a_out * d_a_out__d_z_out # "delta (rule) placeholder"
d_z_out__dw_out = a_h
d_loss__dw_out = np.dot(delta_out.T, d_z_out__dw_out)
d_loss__db_out = np.sum(delta_out, axis=0)
d_z_out__a_h = self.weight_out
d_loss__a_h = np.dot(delta_out, d_z_out__a_h)
d_a_h__d_z_h = a_h * (1. - a_h) # sigmoid derivative
d_z_h__d_w_h = x
d_loss__d_w_h = np.dot((d_loss__a_h * d_a_h__d_z_h).T, d_z_h__d_w_h)
d_loss__d_b_h = np.sum((d_loss__a_h * d_a_h__d_z_h), axis=0)
"""

for _leaf, _answer in (("weight_out", "d_loss__dw_out"), ("bias_out", "d_loss__db_out"),
                       ("weight_h", "d_loss__d_w_h"), ("bias_h", "d_loss__d_b_h")):
    case(f"raschka-{_leaf}", SRC_RASCHKA, RASCHKA, _leaf, RASCHKA_BACKWARD + _answer, "scaled", adapted=2,
         note="NeuralNetMLP's gradient divides by the number of examples, while its mse_loss averages over "
              "examples and classes: every gradient is num_classes times the loss's. int_to_onehot (a loop "
              "over enumerate) is np.eye(...)[y]; mse_loss's body is the loss line")
case("raschka-weight_h-mean-over-all", SRC_RASCHKA, RASCHKA, "weight_h",
     RASCHKA_BACKWARD.replace("/ y.shape[0]", "/ y_onehot.size") + "d_loss__d_w_h", "correct", adapted=2,
     note="dividing by every entry the mean averages over makes it the loss's gradient")

# =============================================================================================
SRC_DLAI5 = "deeplearning.ai course 5 week 1, rnn_cell_backward"

DLAI5 = """
xt: [n_x, m]
a_prev: [n_a, m]
Wax: [n_a, n_x]
Waa: [n_a, n_a]
ba: [n_a, 1]
da_next: [n_a, m]
a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)
J = np.sum(a_next * da_next)
"""

DLAI5_BACKWARD = """
# compute the gradient of tanh with respect to a_next (≈1 line)
dtanh = (1 - a_next ** 2) * da_next
# compute the gradient of the loss with respect to Wax (≈2 lines)
dxt = np.dot(Wax.T, dtanh)
dWax = np.dot(dtanh, xt.T)
# compute the gradient with respect to Waa (≈2 lines)
da_prev = np.dot(Waa.T, dtanh)
dWaa = np.dot(dtanh, a_prev.T)
# compute the gradient with respect to b (≈1 line)
dba = np.sum(dtanh, 1, keepdims=True)
"""

for _leaf in ("xt", "a_prev", "Wax", "Waa", "ba"):
    case(f"dlai5-rnn-cell-{_leaf}", SRC_DLAI5, DLAI5, _leaf, DLAI5_BACKWARD, "correct")
case("dlai5-rnn-cell-Wax-transposed", SRC_DLAI5, DLAI5, "Wax",
     DLAI5_BACKWARD.replace("dWax = np.dot(dtanh, xt.T)", "dWax = np.dot(xt, dtanh.T)"), "transposed")

# =============================================================================================
SRC_DLAI2 = "deeplearning.ai course 2 week 1, forward/backward_propagation_with_dropout"

DLAI2 = """
X: [n0, m]
Y: [1, m]
W1: [n1, n0]
b1: [n1, 1]
W2: [n2, n1]
b2: [n2, 1]
W3: [1, n2]
b3: [1, 1]
keep_prob = 0.5
Z1 = np.dot(W1, X) + b1
A1 = relu(Z1)
D1 = np.random.rand(A1.shape[0], A1.shape[1])     # Step 1: initialize matrix D1 = np.random.rand(..., ...)
D1 = (D1 < keep_prob).astype(int)                 # Step 2: convert entries of D1 to 0 or 1 (using keep_prob as the threshold)
A1 = A1 * D1                                      # Step 3: shut down some neurons of A1
A1 = A1 / keep_prob                               # Step 4: scale the value of neurons that haven't been shut down
Z2 = np.dot(W2, A1) + b2
A2 = relu(Z2)
D2 = np.random.rand(A2.shape[0], A2.shape[1])
D2 = (D2 < keep_prob).astype(int)
A2 = A2 * D2
A2 = A2 / keep_prob
Z3 = np.dot(W3, A2) + b3
A3 = sigmoid(Z3)
m_ = Y.shape[1]
logprobs = np.multiply(-np.log(A3),Y) + np.multiply(-np.log(1 - A3), 1 - Y)
cost = 1./m_ * np.nansum(logprobs)
"""

DLAI2_BACKWARD = """
dZ3 = A3 - Y
dW3 = 1./m * np.dot(dZ3, A2.T)
db3 = 1./m * np.sum(dZ3, axis=1, keepdims = True)
dA2 = np.dot(W3.T, dZ3)
dA2 = dA2 * D2              # Step 1: Apply mask D2 to shut down the same neurons as during the forward propagation
dA2 = dA2 / keep_prob              # Step 2: Scale the value of neurons that haven't been shut down
dZ2 = np.multiply(dA2, np.int64(A2 > 0))
dW2 = 1./m * np.dot(dZ2, A1.T)
db2 = 1./m * np.sum(dZ2, axis=1, keepdims = True)
dA1 = np.dot(W2.T, dZ2)
dA1 = dA1 * D1              # Step 1: Apply mask D1 to shut down the same neurons as during the forward propagation
dA1 = dA1 / keep_prob              # Step 2: Scale the value of neurons that haven't been shut down
dZ1 = np.multiply(dA1, np.int64(A1 > 0))
dW1 = 1./m * np.dot(dZ1, X.T)
db1 = 1./m * np.sum(dZ1, axis=1, keepdims = True)
"""

for _leaf in ("W1", "b1", "W2", "W3", "b3"):
    case(f"dlai2-dropout-{_leaf}", SRC_DLAI2, DLAI2, _leaf, DLAI2_BACKWARD, "correct",
         note="the masks are drawn as the course draws them (`D1 = np.random.rand(...)`, then `< keep_prob`): "
              "each draw is a fixed array the backward pass reuses")
case("dlai2-dropout-W1-mask-left-out", SRC_DLAI2, DLAI2, "W1",
     DLAI2_BACKWARD.replace("dA1 = dA1 * D1              # Step 1: Apply mask D1 to shut down the same neurons as "
                            "during the forward propagation\n", ""), "correct",
     note="the mask line is redundant here: `np.int64(A1 > 0)` reads A1 after dropout, which is 0 wherever "
          "D1 is, so both are right")
case("dlai2-dropout-W1-mask-at-input", SRC_DLAI2, DLAI2, "W1",
     DLAI2_BACKWARD.replace("np.int64(A1 > 0)", "np.int64(Z1 > 0)").replace(
         "dA1 = dA1 * D1              # Step 1: Apply mask D1 to shut down the same neurons as during the forward "
         "propagation\n", ""), "wrong_value",
     note="a learner's slip: the ReLU's mask read at Z1, before dropout, and the dropout mask left out")

# =============================================================================================
SRC_CS231N_A3 = "CS231n assignment 3, rnn_layers.py (as solved in public)"

CS231N_RNN = """
x: [N, D]
prev_h: [N, H]
Wx: [D, H]
Wh: [H, H]
b: [H]
dnext_h: [N, H]
next_h = np.tanh(x.dot(Wx) + prev_h.dot(Wh) + b)
J = np.sum(next_h * dnext_h)
"""

CS231N_RNN_BACKWARD = """
dtanh = dnext_h * (1 - next_h ** 2)
dx = dtanh.dot(Wx.T)
dprev_h = dtanh.dot(Wh.T)
dWx = x.T.dot(dtanh)
dWh = prev_h.T.dot(dtanh)
db = np.sum(dtanh, axis=0)
"""

for _leaf in ("x", "prev_h", "Wx", "Wh", "b"):
    case(f"cs231n-rnn-step-{_leaf}", SRC_CS231N_A3, CS231N_RNN, _leaf, CS231N_RNN_BACKWARD, "correct")

CS231N_EMBED = """
x: int[N, T] < V
W: [V, D]
dout: [N, T, D]
out = W[x]
J = np.sum(out * dout)
"""

case("cs231n-word-embedding-add-at", SRC_CS231N_A3, CS231N_EMBED, "W",
     "dW = np.zeros_like(W)\nnp.add.at(dW, x, dout)", "correct")
case("cs231n-word-embedding-plus-equals", SRC_CS231N_A3, CS231N_EMBED, "W",
     "dW = np.zeros_like(W)\ndW[x] += dout", "wrong_value",
     note="NumPy's buffered `+=` keeps one update per repeated word: the reason the assignment asks for np.add.at")

CS231N_TEMPORAL = """
x: [N, T, V]
y: int[N, T] < V
mask: binary[N, T]
N, T, V = x.shape
x_flat = x.reshape(N * T, V)
y_flat = y.reshape(N * T)
mask_flat = mask.reshape(N * T)
probs = np.exp(x_flat - np.max(x_flat, axis=1, keepdims=True))
probs /= np.sum(probs, axis=1, keepdims=True)
loss = -np.sum(mask_flat * np.log(probs[np.arange(N * T), y_flat])) / N
"""

CS231N_TEMPORAL_BACKWARD = """
dx_flat = probs.copy()
dx_flat[np.arange(N * T), y_flat] -= 1
dx_flat /= N
dx_flat *= mask_flat[:, None]
dx = dx_flat.reshape(N, T, V)
"""

case("cs231n-temporal-softmax", SRC_CS231N_A3, CS231N_TEMPORAL, "x", CS231N_TEMPORAL_BACKWARD, "correct",
     note="the starter code's own lines; the mask is a declared 0/1 leaf")
case("cs231n-temporal-softmax-no-mask", SRC_CS231N_A3, CS231N_TEMPORAL, "x",
     CS231N_TEMPORAL_BACKWARD.replace("dx_flat *= mask_flat[:, None]\n", ""), "wrong_value")

CS231N_LSTM = """
x: [N, D]
prev_h: [N, Hd]
prev_c: [N, Hd]
Wx: [D, 4*Hd]
Wh: [Hd, 4*Hd]
b: [4*Hd]
dnext_h: [N, Hd]
dnext_c: [N, Hd]
H = prev_h.shape[1]
a = x.dot(Wx) + prev_h.dot(Wh) + b
i = sigmoid(a[:, 0:H])
f = sigmoid(a[:, H:2*H])
o = sigmoid(a[:, 2*H:3*H])
g = np.tanh(a[:, 3*H:4*H])
next_c = f * prev_c + i * g
next_h = o * np.tanh(next_c)
J = np.sum(next_h * dnext_h) + np.sum(next_c * dnext_c)
"""

CS231N_LSTM_BACKWARD = """
dnext_c = dnext_c + dnext_h * o * (1 - np.tanh(next_c) ** 2)
di = dnext_c * g
df = dnext_c * prev_c
do = dnext_h * np.tanh(next_c)
dg = dnext_c * i
dprev_c = dnext_c * f
da = np.hstack((di * i * (1 - i), df * f * (1 - f), do * o * (1 - o), dg * (1 - g ** 2)))
dx = da.dot(Wx.T)
dprev_h = da.dot(Wh.T)
dWx = x.T.dot(da)
dWh = prev_h.T.dot(da)
db = np.sum(da, axis=0)
"""

for _leaf in ("x", "prev_h", "prev_c", "Wx", "Wh", "b"):
    case(f"cs231n-lstm-step-{_leaf}", SRC_CS231N_A3, CS231N_LSTM, _leaf, CS231N_LSTM_BACKWARD, "correct")
case("cs231n-lstm-step-Wx-gates-swapped", SRC_CS231N_A3, CS231N_LSTM, "Wx",
     CS231N_LSTM_BACKWARD.replace("np.hstack((di * i * (1 - i), df * f * (1 - f)",
                                  "np.hstack((df * f * (1 - f), di * i * (1 - i)"), "wrong_value",
     note="a learner's slip: the input and forget gates stacked in the wrong order")

# =============================================================================================
SRC_MYTORCH = "CMU 11-785 HW1P1 MyTorch (linear.py, loss.py)"

MYTORCH_LINEAR = """
A: [N, C0]
W: [C1, C0]
b: [C1, 1]
dLdZ: [N, C1]
self.A = A
self.N = A.shape[0]
# Think how can `self.ones` help in the calculations and uncomment below code snippet.
self.ones = np.ones((self.N, 1))
Z = self.A @ self.W.T + self.ones @ self.b.T
J = np.sum(Z * dLdZ)
"""

MYTORCH_LINEAR_BACKWARD = """
dLdA = dLdZ @ self.W
self.dLdW = dLdZ.T @ self.A
self.dLdb = dLdZ.T @ self.ones
"""  # the answer is named on a last line: dLdW is no claim (its name is not dW)

for _leaf in ("W", "b", "A"):
    case(f"mytorch-linear-{_leaf}", SRC_MYTORCH, MYTORCH_LINEAR, _leaf, MYTORCH_LINEAR_BACKWARD + f"dLd{_leaf}",
         "correct", note="Linear.forward and Linear.backward as solved in public; `self.ones` names a value that "
                         "shadows np.ones once assigned")
case("mytorch-linear-W-transposed", SRC_MYTORCH, MYTORCH_LINEAR, "W",
     MYTORCH_LINEAR_BACKWARD.replace("dLdW = dLdZ.T @ self.A", "dLdW = self.A.T @ dLdZ") + "dLdW", "transposed")

MYTORCH_MSE = """
A: [N, C]
Y: [N, C]
self.A = A
self.Y = Y
N      = A.shape[0]
C      = A.shape[1]
Ones_C   = np.ones((C, 1), dtype="f")
Ones_N   = np.ones((N, 1), dtype="f")
se     = (A - Y) * (A - Y)
sse    = Ones_N.T @ se @ Ones_C
mse    = sse/(N*C)
"""

case("mytorch-mse-as-solved", SRC_MYTORCH, MYTORCH_MSE, "A", "dLdA = self.A - self.Y", "scaled",
     note="a public solution's MSELoss.backward: the 2 / (N * C) of the mean it returns left out; the loss is "
          "the course's 1×1 `sse / (N * C)`, read as a scalar")
case("mytorch-mse-mean", SRC_MYTORCH, MYTORCH_MSE, "A", "dLdA = 2 * (self.A - self.Y) / (N * C)", "correct",
     note="the backward pass of the mean the forward pass returns")

MYTORCH_CE = """
A: [N, C]
Y: onehot[N, C]
self.A   = A
self.Y   = Y
N        = A.shape[0]
C        = A.shape[1]
Ones_C   = np.ones((C, 1), dtype="f")
Ones_N   = np.ones((N, 1), dtype="f")
self.softmax     = np.exp(A)/(np.exp(A) @ Ones_C @ Ones_C.T)
crossentropy     = -Y * np.log(self.softmax)
sum_crossentropy = Ones_N.T @ crossentropy @ Ones_C
L = sum_crossentropy / N
"""

case("mytorch-cross-entropy-as-solved", SRC_MYTORCH, MYTORCH_CE, "A", "dLdA = self.softmax - self.Y", "scaled",
     note="the same solution's CrossEntropyLoss.backward leaves out the 1/N of the mean; `self.softmax` names "
          "a value that shadows the softmax function once assigned")
case("mytorch-cross-entropy", SRC_MYTORCH, MYTORCH_CE, "A", "dLdA = (self.softmax - self.Y) / self.Y.shape[0]",
     "correct", note="another public solution's backward, divided by the batch")

# =============================================================================================
SRC_DLAI5_LSTM = "deeplearning.ai course 5 week 1, lstm_cell_forward/backward (as solved in public)"

DLAI5_LSTM = """
xt: [n_x, m]
a_prev: [n_a, m]
c_prev: [n_a, m]
Wf: [n_a, n_a + n_x]
bf: [n_a, 1]
Wi: [n_a, n_a + n_x]
bi: [n_a, 1]
Wc: [n_a, n_a + n_x]
bc: [n_a, 1]
Wo: [n_a, n_a + n_x]
bo: [n_a, 1]
Wy: [n_y, n_a]
da_next: [n_a, m]
dc_next: [n_a, m]
n_x, m = xt.shape
n_y, n_a = Wy.shape
concat = np.concatenate((a_prev, xt), axis=0)
ft = sigmoid(np.dot(Wf, concat) + bf)
it = sigmoid(np.dot(Wi, concat) + bi)
cct = np.tanh(np.dot(Wc, concat) + bc)
c_next = ft * c_prev + it * cct
ot = sigmoid(np.dot(Wo, concat) + bo)
a_next = ot * np.tanh(c_next)
J = np.sum(a_next * da_next) + np.sum(c_next * dc_next)
"""

DLAI5_LSTM_BACKWARD = """
# Retrieve dimensions from xt's and a_next's shape
n_x, m = xt.shape
n_a, m = a_next.shape

dot = da_next * np.tanh(c_next) * ot * (1 - ot)
dcct = (dc_next * it + ot * (1 - np.square(np.tanh(c_next)))
        * it * da_next) * (1 - np.square(cct))
dit = (dc_next * cct + ot * (1 - np.square(np.tanh(c_next)))
       * cct * da_next) * it * (1 - it)
dft = (dc_next * c_prev + ot * (1 - np.square(np.tanh(c_next)))
       * c_prev * da_next) * ft * (1 - ft)

dWf = np.dot(dft, concat.T)
dWi = np.dot(dit, concat.T)
dWc = np.dot(dcct, concat.T)
dWo = np.dot(dot, concat.T)
dbf = np.sum(dft, axis=1, keepdims=True)
dbi = np.sum(dit, axis=1, keepdims=True)
dbc = np.sum(dcct, axis=1,  keepdims=True)
dbo = np.sum(dot, axis=1, keepdims=True)

# Compute derivatives w.r.t previous hidden state, previous memory state and input.
da_prev = np.dot(parameters['Wf'][:, :n_a].T, dft) + np.dot(parameters['Wi'][:, :n_a].T, dit) + \\
    np.dot(parameters['Wc'][:, :n_a].T, dcct) + \\
    np.dot(parameters['Wo'][:, :n_a].T, dot)
dc_prev = dc_next * ft + ot * \\
    (1 - np.square(np.tanh(c_next))) * ft * da_next
dxt = np.dot(parameters['Wf'][:, n_a:].T, dft) + np.dot(parameters['Wi'][:, n_a:].T, dit) + \\
    np.dot(parameters['Wc'][:, n_a:].T, dcct) + \\
    np.dot(parameters['Wo'][:, n_a:].T, dot)
"""

for _leaf in ("Wf", "Wi", "Wc", "Wo", "bf", "bo", "a_prev", "c_prev", "xt"):
    case(f"dlai5-lstm-cell-{_leaf}", SRC_DLAI5_LSTM, DLAI5_LSTM, _leaf, DLAI5_LSTM_BACKWARD, "correct", adapted=1,
         note="`Wf = parameters['Wf']` and the like are not repeated in the network (its leaves are the "
              "parameters); the backward pass's own `parameters['Wf']` reads the leaf. Its line "
              "`concat = np.concatenate((a_prev, xt), axis=0)` restates the forward pass's own line, which a "
              "derivation may not (a step needs a name of its own): it is left out, and `concat` is the forward's")
case("dlai5-lstm-cell-xt-wrong-part", SRC_DLAI5_LSTM, DLAI5_LSTM, "xt",
     DLAI5_LSTM_BACKWARD.replace("parameters['Wf'][:, n_a:]", "parameters['Wf'][:, :n_x]"), "wrong_value", adapted=1,
     note="a learner's slip: the first n_x columns of Wf instead of the last")
case("dlai5-lstm-cell-c_prev-no-da", SRC_DLAI5_LSTM, DLAI5_LSTM, "c_prev",
     DLAI5_LSTM_BACKWARD.replace("dc_prev = dc_next * ft + ot * \\\n    (1 - np.square(np.tanh(c_next))) * ft * da_next",
                                 "dc_prev = dc_next * ft"), "wrong_value", adapted=1,
     note="a learner's slip: the path through a_next left out")

# =============================================================================================
SRC_PONG = "Karpathy, pg-pong.py (policy_forward, policy_backward)"

PONG = """
frames: [3, D]
W1: [H, D]
W2: [H]
def sigmoid(x):
  return 1.0 / (1.0 + np.exp(-x)) # sigmoid "squashing" function to interval [0,1]
def policy_forward(x):
  h = np.dot(model['W1'], x)
  h[h<0] = 0 # ReLU nonlinearity
  logp = np.dot(model['W2'], h)
  p = sigmoid(logp)
  return p, h # return probability of taking action 2, and hidden state
xs,hs,dlogps,drs = [],[],[],[]
loglik = 0
for t in range(3):
  x = frames[t]
  # forward the policy network and sample an action from the returned probability
  aprob, h = policy_forward(x)
  action = 2 if np.random.uniform() < aprob else 3 # roll the dice!
  # record various intermediates (needed later for backprop)
  xs.append(x) # observation
  hs.append(h) # hidden state
  y = 1 if action == 2 else 0 # a "fake label"
  dlogps.append(y - aprob) # grad that encourages the action that was taken to be taken (see http://cs231n.github.io/neural-networks-2/#losses if confused)
  loglik += y * np.log(aprob) + (1 - y) * np.log(1 - aprob)
"""

PONG_BACKWARD = """
# stack together all inputs, hidden states, action gradients, and rewards for this episode
epx = np.vstack(xs)
eph = np.vstack(hs)
epdlogp = np.vstack(dlogps)
dW2 = np.dot(eph.T, epdlogp).ravel()
dh = np.outer(epdlogp, model['W2'])
dh[eph <= 0] = 0 # backpro prelu
dW1 = np.dot(dh.T, epx)
"""

_PONG_NOTE = ("the game loop as written for three frames: `while True:` is `for t in range(3):`, the frame "
              "difference `x = cur_x - prev_x` is `x = frames[t]`, and the log-likelihood of the sampled actions, "
              "which dlogps holds the gradient of, is summed in the loop (`loglik = 0`, `loglik += ...`); the "
              "action is drawn as the source draws it, and the backward step stacks the lists the loop filled "
              "with np.vstack, as the source does once the episode is done")
for _leaf in ("W1", "W2"):
    case(f"pong-{_leaf}", SRC_PONG, PONG, _leaf, PONG_BACKWARD, "correct", adapted=4, note=_PONG_NOTE)
case("pong-W1-no-relu-mask", SRC_PONG, PONG, "W1", PONG_BACKWARD.replace("dh[eph <= 0] = 0 # backpro prelu\n", ""),
     "wrong_value", adapted=4, note="a learner's slip: the ReLU's mask left out")
case("pong-W2-descent", SRC_PONG, PONG, "W2", PONG_BACKWARD.replace("epdlogp).ravel()", "-epdlogp).ravel()"),
     "scaled", adapted=4,
     note="the gradient of the loss to minimise (-loglik) instead of the log-likelihood: the sign flipped")

# =============================================================================================
SRC_UDL = "Prince, Understanding Deep Learning, notebook 7.2 Backpropagation (as solved in public)"

UDL = """
all_weights_0: [D, D_i]
all_weights_1: [D, D]
all_weights_2: [D, D]
all_weights_3: [D, D]
all_weights_4: [D, D]
all_weights_5: [D_o, D]
all_biases_0: [D, 1]
all_biases_1: [D, 1]
all_biases_2: [D, 1]
all_biases_3: [D, 1]
all_biases_4: [D, 1]
all_biases_5: [D_o, 1]
net_input: [D_i, 1]
y: [D_o, 1]
# Define the Rectified Linear Unit (ReLU) function
def ReLU(preactivation):
  activation = preactivation.clip(0.0)
  return activation
def least_squares_loss(net_output, y):
  return np.sum((net_output-y) * (net_output-y))
# Retrieve number of layers
K = len(all_weights) -1
# We'll store the pre-activations at each layer in a list "all_f"
# and the activations in a second list[all_h].
all_f = [None] * (K+1)
all_h = [None] * (K+1)
#For convenience, we'll set
# all_h[0] to be the input, and all_f[K] will be the output
all_h[0] = net_input
# Run through the layers, calculating all_f[0...K-1] and all_h[1...K]
for layer in range(K):
    all_f[layer] = all_biases[layer] + np.matmul(all_weights[layer], all_h[layer])
    all_h[layer+1] = ReLU(all_f[layer])
# Compute the output from the last hidden layer
all_f[K] = all_biases[K] + np.matmul(all_weights[K], all_h[K])
# Retrieve the output
net_output = all_f[K]
loss = least_squares_loss(net_output, y)
"""

UDL_BACKWARD = """
def d_loss_d_output(net_output, y):
    return 2*(net_output -y);
# We'll need the indicator function
def indicator_function(x):
  x_in = np.array(x)
  x_in[x_in>=0] = 1
  x_in[x_in<0] = 0
  return x_in
# We'll store the derivatives dl_dweights and dl_dbiases in lists as well
all_dl_dweights = [None] * (K+1)
all_dl_dbiases = [None] * (K+1)
# And we'll store the derivatives of the loss with respect to the activation and preactivations in lists
all_dl_df = [None] * (K+1)
all_dl_dh = [None] * (K+1)
# Compute derivatives of the loss with respect to the network output
all_dl_df[K] = np.array(d_loss_d_output(all_f[K],y))
# Now work backwards through the network
for layer in range(K,-1,-1):
  all_dl_dbiases[layer] = np.array(all_dl_df[layer])
  all_dl_dweights[layer] = np.matmul(all_dl_df[layer], all_h[layer].transpose())
  all_dl_dh[layer] = np.matmul(all_weights[layer].transpose(), all_dl_df[layer])
  if layer > 0:
    all_dl_df[layer-1] = indicator_function(all_f[layer-1]) * all_dl_dh[layer]
"""

for _layer in range(6):
    case(f"udl-weights-{_layer}", SRC_UDL, UDL, f"all_weights_{_layer}", UDL_BACKWARD + f"all_dl_dweights[{_layer}]",
         "correct", note="the lists of the notebook hold arrays by number: its leaves all_weights[0] … are "
                         "declared all_weights_0 …; the `if layer > 0:` of the backward loop is decided per layer "
                         "as the loop is unrolled; the last line names the answer")
for _layer in (0, 3, 5):
    case(f"udl-biases-{_layer}", SRC_UDL, UDL, f"all_biases_{_layer}", UDL_BACKWARD + f"all_dl_dbiases[{_layer}]",
         "correct")
case("udl-input", SRC_UDL, UDL, "net_input", UDL_BACKWARD + "all_dl_dh[0]", "correct",
     note="the loop's last step (layer 0) leaves the gradient at the input in all_dl_dh[0]")
case("udl-indicator-of-activation", SRC_UDL, UDL, "all_weights_1",
     UDL_BACKWARD.replace("indicator_function(all_f[layer-1])", "indicator_function(all_h[layer])")
     + "all_dl_dweights[1]", "wrong_value",
     note="a learner's slip: the ReLU's derivative read at its output, which is never negative: the mask is all ones")
case("udl-no-transpose", SRC_UDL, UDL, "all_weights_2",
     UDL_BACKWARD.replace("all_h[layer].transpose()", "all_h[layer]") + "all_dl_dweights[2]", "shape_error",
     note="a learner's slip: the activations not transposed, a (D, 1) @ (D, 1) product")
case("udl-loss-derivative-halved", SRC_UDL, UDL, "all_biases_4",
     UDL_BACKWARD.replace("return 2*(net_output -y);", "return net_output - y") + "all_dl_dbiases[4]", "scaled",
     note="a learner's slip: the 2 of the squared error's derivative dropped")
case("udl-weights-not-transposed", SRC_UDL, UDL, "all_weights_1",
     UDL_BACKWARD.replace("np.matmul(all_weights[layer].transpose(), all_dl_df[layer])",
                          "np.matmul(all_weights[layer], all_dl_df[layer])") + "all_dl_dweights[1]", "shape_error",
     note="a learner's slip: the weights not transposed on the way back, (D_o, D) @ (D_o, 1) at the last layer")

# =============================================================================================
SRC_CS229 = "Stanford CS229 problem set, nn.py (forward_prop, backward_prop, backward_prop_regularized), as solved in public"

CS229 = """
data: [B, n_in]
labels: onehot[B, C]
W1: [n_in, H]
b1: [H]
W2: [H, C]
b2: [C]
# Extract parameters
W1, b1, W2, b2 = params['W1'], params['b1'], params['W2'], params['b2']
# Forward pass
hidden_layer = sigmoid(np.dot(data, W1) + b1)
output_layer = softmax(np.dot(hidden_layer, W2) + b2)
# Compute average loss
num_samples = data.shape[0]
loss = -np.sum(labels * np.log(output_layer)) / num_samples
"""

CS229_BACKWARD = """
W2 = params['W2']
batch_size = len(data)
A1, preds = hidden_layer, output_layer
# Backward pass
dZ2 = preds - labels
dW2 = np.dot(A1.T, dZ2) / batch_size
db2 = np.sum(dZ2, axis=0) / batch_size
dZ1 = np.dot(dZ2, W2.T) * A1 * (1 - A1)
dW1 = np.dot(data.T, dZ1) / batch_size
db1 = np.sum(dZ1, axis=0) / batch_size
grads = {'W1': dW1, 'b1': db1, 'W2': dW2, 'b2': db2}
"""

_CS229_NOTE = ("`A1, preds, loss = forward_prop_func(data, labels, params)` is written `A1, preds = hidden_layer, "
               "output_layer`: the backward pass reads the forward pass's values by the names it gives them")
for _leaf in ("W1", "b1", "W2", "b2"):
    case(f"cs229-nn-{_leaf}", SRC_CS229, CS229, _leaf, CS229_BACKWARD, "correct", adapted=1, note=_CS229_NOTE)
case("cs229-nn-W1-no-sigmoid-derivative", SRC_CS229, CS229, "W1",
     CS229_BACKWARD.replace(" * A1 * (1 - A1)", ""), "wrong_value", adapted=1,
     note="a learner's slip: the sigmoid's derivative left out")
case("cs229-nn-b2-sum-not-mean", SRC_CS229, CS229, "b2",
     CS229_BACKWARD.replace("db2 = np.sum(dZ2, axis=0) / batch_size", "db2 = np.sum(dZ2, axis=0)"), "scaled",
     adapted=1, note="a learner's slip: the bias gradient summed over the batch, not averaged as the loss is")
case("cs229-nn-W1-output-derivative", SRC_CS229, CS229, "W1",
     CS229_BACKWARD.replace(" * A1 * (1 - A1)", " * preds * (1 - preds)"), "shape_error", adapted=1,
     note="a learner's slip: the output layer's activations in the hidden layer's derivative")

CS229_REG = CS229.replace("""loss = -np.sum(labels * np.log(output_layer)) / num_samples
""", """loss = -np.sum(labels * np.log(output_layer)) / num_samples
loss = loss + reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
""").replace("b2: [C]\n", "b2: [C]\nreg: []\n")

CS229_REG_BACKWARD = CS229_BACKWARD + """
gradients = grads
# Apply regularization
W1 = params['W1']
W2 = params['W2']
grad_W1 = gradients['W1'] + 2 * reg * W1
grad_W2 = gradients['W2'] + 2 * reg * W2
gradients['W1'] = grad_W1
gradients['W2'] = grad_W2
"""

_CS229_REG_NOTE = (_CS229_NOTE + "; the regularized loss of the handout is a line of its own, and "
                   "`gradients = backward_prop(...)` is the backward pass's lines followed by `gradients = grads`")
for _leaf in ("W1", "W2", "b1"):
    case(f"cs229-nn-regularized-{_leaf}", SRC_CS229, CS229_REG, _leaf, CS229_REG_BACKWARD, "correct", adapted=3,
         note=_CS229_REG_NOTE)
case("cs229-nn-regularized-W2-half", SRC_CS229, CS229_REG, "W2",
     CS229_REG_BACKWARD.replace("gradients['W2'] + 2 * reg * W2", "gradients['W2'] + reg * W2"), "wrong_value",
     adapted=3, note="a learner's slip: the penalty's derivative without its 2")

# =============================================================================================
SRC_NG_EX4 = "Andrew Ng, Machine Learning ex4 in Python, nnCostFunction and sigmoidGradient (as solved in public)"

NG_EX4 = """
X: [m, n]
y: int[m] < num_labels
Theta1: [h, n + 1]
Theta2: [num_labels, h + 1]
lambda_: []
# Setup some useful variables
m = y.size
# You need to return the following variables correctly
J = 0
a1 = np.concatenate([np.ones((m, 1)), X], axis=1)
a2 = sigmoid(a1.dot(Theta1.T))
a2 = np.concatenate([np.ones((a2.shape[0], 1)), a2], axis=1)
a3 = sigmoid(a2.dot(Theta2.T))
y_matrix = y.reshape(-1)
y_matrix = np.eye(num_labels)[y_matrix]
temp1 = Theta1
temp2 = Theta2
# Add regularization term
reg_term = (lambda_ / (2 * m)) * (np.sum(np.square(temp1[:, 1:])) + np.sum(np.square(temp2[:, 1:])))
J = (-1 / m) * np.sum((np.log(a3) * y_matrix) + np.log(1 - a3) * (1 - y_matrix)) + reg_term
"""

NG_EX4_BACKWARD = """
def sigmoidGradient(z):
    g = np.zeros(z.shape)
    g = sigmoid(z) * (1 - sigmoid(z))
    return g
Theta1_grad = np.zeros(Theta1.shape)
Theta2_grad = np.zeros(Theta2.shape)
# Backpropogation
delta_3 = a3 - y_matrix
delta_2 = delta_3.dot(Theta2)[:, 1:] * sigmoidGradient(a1.dot(Theta1.T))
Delta1 = delta_2.T.dot(a1)
Delta2 = delta_3.T.dot(a2)
# Add regularization to gradient
Theta1_grad = (1 / m) * Delta1
Theta1_grad[:, 1:] = Theta1_grad[:, 1:] + (lambda_ / m) * Theta1[:, 1:]
Theta2_grad = (1 / m) * Delta2
Theta2_grad[:, 1:] = Theta2_grad[:, 1:] + (lambda_ / m) * Theta2[:, 1:]
grad = np.concatenate([Theta1_grad.ravel(), Theta2_grad.ravel()])
"""

_NG_EX4_NOTE = ("Theta1_grad names no claim (its name does not begin with d or grad_): the last line names the answer; "
                "lambda_, an argument of the function, is a declared number")
for _leaf in ("Theta1", "Theta2", "X"):
    _answer = {"Theta1": "Theta1_grad", "Theta2": "Theta2_grad", "X": "(1 / m) * delta_2.dot(Theta1[:, 1:])"}[_leaf]
    case(f"ng-ex4-{_leaf}", SRC_NG_EX4, NG_EX4, _leaf, NG_EX4_BACKWARD + _answer, "correct", note=_NG_EX4_NOTE)
case("ng-ex4-Theta1-bias-regularized", SRC_NG_EX4, NG_EX4, "Theta1",
     NG_EX4_BACKWARD.replace("Theta1_grad[:, 1:] = Theta1_grad[:, 1:] + (lambda_ / m) * Theta1[:, 1:]",
                             "Theta1_grad = Theta1_grad + (lambda_ / m) * Theta1") + "Theta1_grad", "wrong_value",
     note="the exercise's classic slip: the bias column regularized too, though the cost leaves it out")
case("ng-ex4-Theta1-bias-column-kept", SRC_NG_EX4, NG_EX4, "Theta1",
     NG_EX4_BACKWARD.replace("delta_3.dot(Theta2)[:, 1:]", "delta_3.dot(Theta2)") + "Theta1_grad", "shape_error",
     note="a learner's slip: the bias unit's error kept, (m, h + 1) against the hidden layer's (m, h)")
case("ng-ex4-Theta1-gradient-at-activation", SRC_NG_EX4, NG_EX4, "Theta1",
     NG_EX4_BACKWARD.replace("sigmoidGradient(a1.dot(Theta1.T))", "sigmoidGradient(a2[:, 1:])") + "Theta1_grad",
     "wrong_value", note="a learner's slip: sigmoidGradient, which takes z, given the activation a2")
case("ng-ex4-Theta2-no-mean", SRC_NG_EX4, NG_EX4, "Theta2",
     NG_EX4_BACKWARD.replace("Theta2_grad = (1 / m) * Delta2", "Theta2_grad = Delta2") + "Theta2_grad",
     "wrong_value", note="a learner's slip: the data term not averaged while the penalty is")
