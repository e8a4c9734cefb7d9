"""Modern rank-3/4 networks written in shapetutor's network language, with every node's shape.

Issue 13 (tensors of rank 3 and 4, heads, gathers, batched products). Each entry is a network
of modern deep learning as a course writes it, in the language of SPEC §1-§2 plus the forms the
issue asks for, with the symbolic shape of every node (leaves and definitions, the loss
included) in SPEC §5's JSON form: an integer for a literal dimension, `"H"` for a symbol,
`"h*d"` for a product (factors in the order written).

`big_factor` names a chain-rule factor ∂of/∂wrt (`wrt` appears in the definition of `of`) whose
generalized Jacobian shape(of) + shape(wrt) has six or more axes, where the network has one:
the factor the walk must be able to show.

`dims` is a binding a test can use: pairwise distinct values, never 1, chosen so that no
product dimension equals another dimension either (and small enough that finite differences
over every entry of every leaf take a moment). `domains` says how to draw a leaf whose values
must be special (`pos`: uniform in [0.5, 1.5]; `causal`: 0 on and below the diagonal, -1e9
above); every other float leaf is drawn from a normal distribution, `onehot[...]` leaves are
one-hot along their last axis, and `int[...] < K` leaves are integers in range(K).

Proven by tests/test_tensor_catalogue.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TensorNet:
    id: str
    source: str
    network: str
    shapes: dict
    big_factor: tuple | None = None
    note: str = ""
    dims: dict = field(default_factory=dict)
    domains: dict = field(default_factory=dict)


NETWORKS: tuple[TensorNet, ...] = (

    TensorNet(
        id="mha",
        source="transformer self-attention (Vaswani et al. 2017), batched, multi-head",
        network="""\
# batched multi-head self-attention: E is projected to h heads of width d
X: [B, T, E]
Wq: [E, h*d]
Wk: [E, h*d]
Wv: [E, h*d]
Wo: [h*d, E]
Yt: [B, T, E]

Q = (X @ Wq).reshape(B, T, h, d)          # split the heads
K = (X @ Wk).reshape(B, T, h, d)
V = (X @ Wv).reshape(B, T, h, d)
Qh = Q.transpose(0, 2, 1, 3)              # heads next to the batch axis
Kh = K.transpose(0, 2, 1, 3)
Vh = V.transpose(0, 2, 1, 3)
S = Qh @ swapaxes(Kh, -1, -2) / sqrt(d)   # scaled scores, one T x T matrix per (batch, head)
A = softmax(S, axis=-1)
O = A @ Vh
Om = O.transpose(0, 2, 1, 3).reshape(B, T, h * d)   # merge the heads
Y = Om @ Wo
J = mean((Y - Yt) ** 2)
""",
        shapes={
            "X": ["B", "T", "E"], "Wq": ["E", "h*d"], "Wk": ["E", "h*d"], "Wv": ["E", "h*d"],
            "Wo": ["h*d", "E"], "Yt": ["B", "T", "E"],
            "Q": ["B", "T", "h", "d"], "K": ["B", "T", "h", "d"], "V": ["B", "T", "h", "d"],
            "Qh": ["B", "h", "T", "d"], "Kh": ["B", "h", "T", "d"], "Vh": ["B", "h", "T", "d"],
            "S": ["B", "h", "T", "T"], "A": ["B", "h", "T", "T"], "O": ["B", "h", "T", "d"],
            "Om": ["B", "T", "h*d"], "Y": ["B", "T", "E"], "J": [],
        },
        big_factor=("Q", "Wq"),
        note="∂Q/∂Wq is B×T×h×d×E×h*d, block-diagonal over the batch and time axes; ∂S/∂Qh is "
             "B×h×T×T×B×h×T×d (8 axes). Matrix form: X.reshape(B*T, E).T @ dQ.reshape(B*T, h*d).",
        dims={"B": 3, "T": 4, "E": 7, "h": 2, "d": 5},
    ),

    TensorNet(
        id="causal_attention",
        source="GPT decoder: causal (masked) self-attention with a residual",
        network="""\
# single-head causal self-attention; M is the additive mask (0 where t' <= t, -1e9 above)
X: [B, T, D]
Wq: [D, Dk]
Wk: [D, Dk]
Wv: [D, D]
M: [T, T]
Yt: [B, T, D]

Q = X @ Wq
K = X @ Wk
V = X @ Wv
S = Q @ K.transpose(0, 2, 1) / sqrt(Dk) + M    # [T, T] mask broadcast over the batch
A = softmax(S)
H = X + A @ V
J = sum((H - Yt) ** 2) / (B * T)
""",
        shapes={
            "X": ["B", "T", "D"], "Wq": ["D", "Dk"], "Wk": ["D", "Dk"], "Wv": ["D", "D"],
            "M": ["T", "T"], "Yt": ["B", "T", "D"],
            "Q": ["B", "T", "Dk"], "K": ["B", "T", "Dk"], "V": ["B", "T", "D"],
            "S": ["B", "T", "T"], "A": ["B", "T", "T"], "H": ["B", "T", "D"], "J": [],
        },
        big_factor=("S", "Q"),
        note="the mask broadcasts [T, T] onto [B, T, T], so ∂J/∂M sums over the batch; masked "
             "entries carry no gradient. ∂S/∂Q is B×T×T×B×T×Dk.",
        dims={"B": 2, "T": 5, "D": 3, "Dk": 4},
        domains={"M": "causal"},
    ),

    TensorNet(
        id="cross_attention",
        source="encoder-decoder cross-attention (Vaswani et al. 2017), heads as einsum",
        network="""\
# decoder states X attend to an encoder memory of another length S and width F
X: [B, T, E]
Mem: [B, S, F]
Wq: [E, h*d]
Wk: [F, h*d]
Wv: [F, h*d]
Wo: [h*d, E]
Yt: [B, T, E]

Q = (X @ Wq).reshape(B, T, h, d)
K = (Mem @ Wk).reshape(B, S, h, d)
V = (Mem @ Wv).reshape(B, S, h, d)
Sc = einsum('bthd,bshd->bhts', Q, K) / sqrt(d)
A = softmax(Sc, axis=-1)                      # over the memory positions
O = einsum('bhts,bshd->bthd', A, V)
Y = X + O.reshape(B, T, h * d) @ Wo
J = mean((Y - Yt) ** 2)
""",
        shapes={
            "X": ["B", "T", "E"], "Mem": ["B", "S", "F"], "Wq": ["E", "h*d"], "Wk": ["F", "h*d"],
            "Wv": ["F", "h*d"], "Wo": ["h*d", "E"], "Yt": ["B", "T", "E"],
            "Q": ["B", "T", "h", "d"], "K": ["B", "S", "h", "d"], "V": ["B", "S", "h", "d"],
            "Sc": ["B", "h", "T", "S"], "A": ["B", "h", "T", "S"], "O": ["B", "T", "h", "d"],
            "Y": ["B", "T", "E"], "J": [],
        },
        big_factor=("Sc", "Q"),
        note="T ≠ S: a transposed contraction is a shape error, not a silent mistake. "
             "∂Sc/∂Q is B×h×T×S×B×T×h×d (8 axes); ∂K/∂Wk is B×S×h×d×F×h*d.",
        dims={"B": 2, "T": 5, "S": 7, "E": 6, "F": 8, "h": 3, "d": 4},
    ),

    TensorNet(
        id="synthesizer_rollout",
        source="Random Synthesizer (Tay et al. 2020) composed with dot-product attention",
        network="""\
# a learned per-head mixing softmax(R) [h, T, T], shared by the batch, composed with the
# data-dependent attention A [B, h, T, T] (two hops of attention, as in attention rollout)
X: [B, T, E]
Wq: [E, h*d]
Wk: [E, h*d]
Wv: [E, h*d]
R: [h, T, T]
Wo: [h*d, E]
Yt: [B, T, E]

Qh = transpose((X @ Wq).reshape(B, T, h, d), (0, 2, 1, 3))
Kh = transpose((X @ Wk).reshape(B, T, h, d), (0, 2, 1, 3))
Vh = transpose((X @ Wv).reshape(B, T, h, d), (0, 2, 1, 3))
A = softmax(Qh @ swapaxes(Kh, 2, 3) / sqrt(d))
Rs = softmax(R, axis=-1)
A2 = Rs @ A                 # [h, T, T] @ [B, h, T, T]: the leading axes broadcast
O = A2 @ Vh
Y = transpose(O, (0, 2, 1, 3)).reshape(B, T, h * d) @ Wo
J = mean((Y - Yt) ** 2)
""",
        shapes={
            "X": ["B", "T", "E"], "Wq": ["E", "h*d"], "Wk": ["E", "h*d"], "Wv": ["E", "h*d"],
            "R": ["h", "T", "T"], "Wo": ["h*d", "E"], "Yt": ["B", "T", "E"],
            "Qh": ["B", "h", "T", "d"], "Kh": ["B", "h", "T", "d"], "Vh": ["B", "h", "T", "d"],
            "A": ["B", "h", "T", "T"], "Rs": ["h", "T", "T"], "A2": ["B", "h", "T", "T"],
            "O": ["B", "h", "T", "d"], "Y": ["B", "T", "E"], "J": [],
        },
        big_factor=("A2", "Rs"),
        note="∂A2/∂Rs is B×h×T×T×h×T×T (7 axes); the gradient of Rs sums over the broadcast "
             "batch axis: sum(dA2 @ swapaxes(A, -1, -2), axis=0).",
        dims={"B": 3, "T": 4, "E": 5, "h": 2, "d": 7},
    ),

    TensorNet(
        id="conv1d",
        source="text CNN (Kim 2014): 1-D convolution as an einsum over the unfolded input",
        network="""\
# Xu[b, t, k, c] = x[b, t + k, c]: the input unfolded into windows of K positions
Xu: [B, T, K, C]
W: [K, C, F]
b: [F]
Wc: [F, N]
bc: [N]
y: int[B] < N

Z = einsum('btkc,kcf->btf', Xu, W) + b
H = relu(Z)
P = max(H, axis=1)                  # max over time
logits = P @ Wc + bc
logp = log_softmax(logits)
J = -mean(logp[range(B), y])
""",
        shapes={
            "Xu": ["B", "T", "K", "C"], "W": ["K", "C", "F"], "b": ["F"], "Wc": ["F", "N"],
            "bc": ["N"], "y": ["B"],
            "Z": ["B", "T", "F"], "H": ["B", "T", "F"], "P": ["B", "F"], "logits": ["B", "N"],
            "logp": ["B", "N"], "J": [],
        },
        big_factor=("Z", "W"),
        note="∂Z/∂W is B×T×F×K×C×F; the contraction is einsum('btkc,btf->kcf', Xu, dZ), in matrix "
             "form Xu.reshape(B*T, K*C).T @ dZ.reshape(B*T, F). ∂Z/∂Xu has 7 axes.",
        dims={"B": 2, "T": 5, "K": 3, "C": 4, "F": 6, "N": 7},
    ),

    TensorNet(
        id="conv2d",
        source="2-D convolution as an einsum over im2col patches, global average pooling",
        network="""\
# Xp[b, p, k, c]: patch p = (i, j) of the image, kernel offset k = (ki, kj), channel c
Xp: [B, Ho*Wo, K*K, C]
W: [K, K, C, F]               # the kernel in HWIO layout
b: [F]
Wc: [F, N]
Y: onehot[B, N]

Wm = W.reshape(K * K, C, F)
Z = einsum('bpkc,kcf->bpf', Xp, Wm) + b
Zs = Z.reshape(B, Ho, Wo, F)  # positions back to a grid
A = relu(Zs)
g = mean(A, axis=(1, 2))      # global average pooling
p = softmax(g @ Wc)
J = cross_entropy(Y, p) / B
""",
        shapes={
            "Xp": ["B", "Ho*Wo", "K*K", "C"], "W": ["K", "K", "C", "F"], "b": ["F"],
            "Wc": ["F", "N"], "Y": ["B", "N"],
            "Wm": ["K*K", "C", "F"], "Z": ["B", "Ho*Wo", "F"], "Zs": ["B", "Ho", "Wo", "F"],
            "A": ["B", "Ho", "Wo", "F"], "g": ["B", "F"], "p": ["B", "N"], "J": [],
        },
        big_factor=("Z", "Wm"),
        note="a product of a repeated symbol (K*K); Z.reshape splits Ho*Wo into Ho, Wo. ∂Z/∂Wm is "
             "B×Ho*Wo×F×K*K×C×F, ∂Z/∂Xp has 7 axes, ∂Zs/∂Z is B×Ho×Wo×F×B×Ho*Wo×F.",
        dims={"B": 2, "Ho": 4, "Wo": 5, "K": 3, "C": 6, "F": 7, "N": 8},
    ),

    TensorNet(
        id="layernorm",
        source="layer normalization (Ba et al. 2016) over the last axis, then a projection",
        network="""\
X: [B, T, E]
g: [E]
beta: [E]
W: [E, F]
Yt: [B, T, F]

mu = mean(X, axis=-1, keepdims=True)
Xc = X - mu
var = mean(Xc ** 2, axis=-1, keepdims=True)
Xn = Xc / sqrt(var + 1e-5)
Z = Xn * g + beta
Y = Z @ W
J = sum((Y - Yt) ** 2) / (B * T)
""",
        shapes={
            "X": ["B", "T", "E"], "g": ["E"], "beta": ["E"], "W": ["E", "F"], "Yt": ["B", "T", "F"],
            "mu": ["B", "T", 1], "Xc": ["B", "T", "E"], "var": ["B", "T", 1],
            "Xn": ["B", "T", "E"], "Z": ["B", "T", "E"], "Y": ["B", "T", "F"], "J": [],
        },
        big_factor=("Xn", "Xc"),
        note="∂Xn/∂Xc is B×T×E×B×T×E, block-diagonal over (B, T) with a dense E×E block per token; "
             "the gradients of g and beta sum over both B and T.",
        dims={"B": 2, "T": 3, "E": 5, "F": 4},
    ),

    TensorNet(
        id="rmsnorm_swiglu",
        source="LLaMA block (Touvron et al. 2023): RMSNorm, SwiGLU MLP, residual",
        network="""\
X: [B, T, E]
g: [E]
W1: [E, F]
W3: [E, F]
W2: [F, E]
Yt: [B, T, E]

ms = mean(X ** 2, axis=-1, keepdims=True)
Xn = X / sqrt(ms + 1e-6) * g           # RMSNorm
A = Xn @ W1
Gt = A * sigmoid(A) * (Xn @ W3)        # SiLU(Xn W1) gated by Xn W3
Y = X + Gt @ W2
J = mean((Y - Yt) ** 2)
""",
        shapes={
            "X": ["B", "T", "E"], "g": ["E"], "W1": ["E", "F"], "W3": ["E", "F"], "W2": ["F", "E"],
            "Yt": ["B", "T", "E"],
            "ms": ["B", "T", 1], "Xn": ["B", "T", "E"], "A": ["B", "T", "F"], "Gt": ["B", "T", "F"],
            "Y": ["B", "T", "E"], "J": [],
        },
        big_factor=("Xn", "X"),
        note="X reaches J three ways (the norm's numerator, its mean square, the residual). "
             "∂Xn/∂X and ∂Gt/∂Xn have 6 axes.",
        dims={"B": 2, "T": 3, "E": 4, "F": 5},
    ),

    TensorNet(
        id="embedding_classifier",
        source="bag-of-embeddings text classifier (fastText-style): gather, mean over T, linear, CE",
        network="""\
tokens: int[B, T] < V
y: int[B] < K
Emb: [V, E]
W: [E, K]
b: [K]

X = Emb[tokens]             # gather rows: [B, T, E]
m = mean(X, axis=1)
logits = m @ W + b
logp = log_softmax(logits)
J = -mean(logp[range(B), y])
""",
        shapes={
            "tokens": ["B", "T"], "y": ["B"], "Emb": ["V", "E"], "W": ["E", "K"], "b": ["K"],
            "X": ["B", "T", "E"], "m": ["B", "E"], "logits": ["B", "K"], "logp": ["B", "K"],
            "J": [],
        },
        big_factor=None,
        note="the largest factor is ∂X/∂Emb, B×T×E×V×E (5 axes); the gradient of Emb scatters "
             "dX back to the rows named by tokens: einsum('btv,bte->ve', onehot(tokens, V), dX).",
        dims={"B": 2, "T": 3, "V": 7, "E": 4, "K": 5},
    ),

    TensorNet(
        id="next_token_onehot",
        source="language model next-token cross-entropy over [B, T, V], one-hot targets",
        network="""\
tokens: int[B, T] < V
Y: onehot[B, T, V]          # the next token at each position, one-hot
Emb: [V, E]
Pos: [T, E]
Wh: [E, E]
Wout: [E, V]

X = Emb[tokens] + Pos
H = tanh(X @ Wh) + X
logits = H @ Wout
logp = log_softmax(logits, axis=-1)
J = -sum(Y * logp) / (B * T)
""",
        shapes={
            "tokens": ["B", "T"], "Y": ["B", "T", "V"], "Emb": ["V", "E"], "Pos": ["T", "E"],
            "Wh": ["E", "E"], "Wout": ["E", "V"],
            "X": ["B", "T", "E"], "H": ["B", "T", "E"], "logits": ["B", "T", "V"],
            "logp": ["B", "T", "V"], "J": [],
        },
        big_factor=("logits", "H"),
        note="dlogits = (softmax(logits) - Y) / (B*T); ∂logits/∂H and ∂logp/∂logits have 6 axes; "
             "Pos [T, E] broadcasts over the batch, so its gradient sums over B.",
        dims={"B": 2, "T": 3, "V": 7, "E": 5},
    ),

    TensorNet(
        id="next_token_int",
        source="nanoGPT-style loss: tied embeddings, logits flattened to [B*T, V], integer targets",
        network="""\
tokens: int[B, T] < V
targets: int[B, T] < V
Emb: [V, E]
Pos: [T, E]
Wh: [E, E]

X = Emb[tokens] + Pos
H = X + tanh(X @ Wh)
logits = H @ Emb.T                            # weight tying: the output layer is Emb
lp = log_softmax(logits).reshape(B * T, V)
J = -mean(lp[range(B * T), targets.reshape(B * T)])
""",
        shapes={
            "tokens": ["B", "T"], "targets": ["B", "T"], "Emb": ["V", "E"], "Pos": ["T", "E"],
            "Wh": ["E", "E"],
            "X": ["B", "T", "E"], "H": ["B", "T", "E"], "logits": ["B", "T", "V"],
            "lp": ["B*T", "V"], "J": [],
        },
        big_factor=("logits", "H"),
        note="Emb is used twice (gather and the tied output layer): its gradient is the sum of "
             "a scatter and a matrix product. The pick flattens (B, T) into B*T.",
        dims={"B": 2, "T": 3, "V": 7, "E": 5},
    ),

    TensorNet(
        id="bilinear",
        source="bilinear layer (torch.nn.Bilinear): z[b, o] = x1[b] · Wb[o] · x2[b]",
        network="""\
x1: [B, P]
x2: [B, Q]
Wb: [O, P, Q]
bb: [O]
Y: onehot[B, O]

z = einsum('bi,oij,bj->bo', x1, Wb, x2) + bb
p = softmax(z)
J = cross_entropy(Y, p) / B
""",
        shapes={
            "x1": ["B", "P"], "x2": ["B", "Q"], "Wb": ["O", "P", "Q"], "bb": ["O"], "Y": ["B", "O"],
            "z": ["B", "O"], "p": ["B", "O"], "J": [],
        },
        big_factor=None,
        note="a three-operand einsum; ∂z/∂Wb is B×O×O×P×Q (5 axes), and dWb = "
             "einsum('bo,bi,bj->oij', dz, x1, x2).",
        dims={"B": 2, "P": 3, "Q": 4, "O": 5},
    ),

    TensorNet(
        id="biaffine",
        source="biaffine dependency parser (Dozat & Manning 2017): head scores for every word pair",
        network="""\
Hs: [B, T, E]            # encoder states
Wd: [E, D]               # dependent projection
Wh: [E, D]               # head projection
U: [D, D]
u: [D]
Y: onehot[B, T, T]       # the gold head of each word

Dep = relu(Hs @ Wd)
Hd = relu(Hs @ Wh)
S = einsum('bid,de,bje->bij', Dep, U, Hd) + expand_dims(Hd @ u, 1)
logp = log_softmax(S, axis=-1)
J = -sum(Y * logp) / (B * T)
""",
        shapes={
            "Hs": ["B", "T", "E"], "Wd": ["E", "D"], "Wh": ["E", "D"], "U": ["D", "D"], "u": ["D"],
            "Y": ["B", "T", "T"],
            "Dep": ["B", "T", "D"], "Hd": ["B", "T", "D"], "S": ["B", "T", "T"],
            "logp": ["B", "T", "T"], "J": [],
        },
        big_factor=("S", "Dep"),
        note="Hd @ u is [B, T] (matrix-vector at rank 3); expand_dims makes it a head prior "
             "[B, 1, T] broadcast over dependents. ∂S/∂Dep and ∂S/∂Hd are B×T×T×B×T×D.",
        dims={"B": 2, "T": 4, "E": 3, "D": 5},
    ),

    TensorNet(
        id="rnn_shared",
        source="Elman RNN unrolled for three steps with shared weights, time-major input",
        network="""\
X: [3, B, D]             # three time steps, time-major
h0: [B, H]
U: [D, H]
Wh: [H, H]
b: [H]
Wy: [H, K]
Y: onehot[B, K]

h1 = tanh(X[0] @ U + h0 @ Wh + b)
h2 = tanh(X[1] @ U + h1 @ Wh + b)
h3 = tanh(X[2] @ U + h2 @ Wh + b)
p = softmax(h3 @ Wy)
J = cross_entropy(Y, p) / B
""",
        shapes={
            "X": [3, "B", "D"], "h0": ["B", "H"], "U": ["D", "H"], "Wh": ["H", "H"], "b": ["H"],
            "Wy": ["H", "K"], "Y": ["B", "K"],
            "h1": ["B", "H"], "h2": ["B", "H"], "h3": ["B", "H"], "p": ["B", "K"], "J": [],
        },
        big_factor=None,
        note="a literal dimension (3) indexed by X[0], X[1], X[2]; Wh and U get one term per "
             "step. The largest factor, ∂h1/∂X, is B×H×3×B×D (5 axes).",
        dims={"B": 2, "D": 4, "H": 5, "K": 6},
    ),

    TensorNet(
        id="transformer_mlp",
        source="transformer MLP block (GPT-2): E -> 4E, GELU (tanh approximation), residual",
        network="""\
X: [B, T, E]
W1: [E, 4*E]
b1: [4*E]
W2: [4*E, E]
b2: [E]
Yt: [B, T, E]

U = einsum('...e,ef->...f', X, W1) + b1
G = 0.5 * U * (1 + tanh(0.7978845608028654 * (U + 0.044715 * U ** 3)))
Y = X + G @ W2 + b2
J = mean((Y - Yt) ** 2)
""",
        shapes={
            "X": ["B", "T", "E"], "W1": ["E", "4*E"], "b1": ["4*E"], "W2": ["4*E", "E"], "b2": ["E"],
            "Yt": ["B", "T", "E"],
            "U": ["B", "T", "4*E"], "G": ["B", "T", "4*E"], "Y": ["B", "T", "E"], "J": [],
        },
        big_factor=("G", "U"),
        note="a product with a literal (4*E); GELU written out (0.7978845608028654 = sqrt(2/pi)); "
             "∂G/∂U is B×T×4*E×B×T×4*E and diagonal; ∂Y/∂X has 6 axes (identity plus the MLP).",
        dims={"B": 2, "T": 5, "E": 3},
    ),

    TensorNet(
        id="mixture_of_experts",
        source="soft mixture of experts (Jacobs et al. 1991; Shazeer et al. 2017 without sparsity)",
        network="""\
X: [B, D]
Wg: [D, K]               # the gate
We: [K, D, H]            # K experts, stacked
be: [K, H]
Wo: [H, C]
Y: onehot[B, C]

gate = softmax(X @ Wg)                       # [B, K]
Xe = expand_dims(X, axis=(1, 2))             # [B, 1, 1, D]
Ze = squeeze(Xe @ We, axis=2) + be           # [B, 1, 1, D] @ [K, D, H] -> [B, K, 1, H]
He = tanh(Ze)
Hm = sum(expand_dims(gate, -1) * He, axis=1) # the gate mixes the experts
p = softmax(Hm @ Wo)
J = cross_entropy(Y, p) / B
""",
        shapes={
            "X": ["B", "D"], "Wg": ["D", "K"], "We": ["K", "D", "H"], "be": ["K", "H"],
            "Wo": ["H", "C"], "Y": ["B", "C"],
            "gate": ["B", "K"], "Xe": ["B", 1, 1, "D"], "Ze": ["B", "K", "H"], "He": ["B", "K", "H"],
            "Hm": ["B", "H"], "p": ["B", "C"], "J": [],
        },
        big_factor=("Ze", "We"),
        note="batched @ broadcasts (B, 1) against (K,) to (B, K); ∂Ze/∂We is B×K×H×K×D×H. X reaches "
             "J through the gate and through every expert.",
        dims={"B": 2, "D": 3, "K": 4, "H": 5, "C": 6},
    ),

    TensorNet(
        id="vit_patches",
        source="vision transformer patch embedding (Dosovitskiy et al. 2021), mean-pooled head",
        network="""\
Xp: [B, C, N, S]         # channel-first patches: N patches of S pixels per channel
We: [C*S, E]
Pos: [N, E]
Wc: [E, K]
y: int[B] < K

Xt = moveaxis(Xp, 1, 2)                                           # [B, N, C, S]
Tk = Xt.reshape(B, N, C * S) @ We + broadcast_to(Pos, (B, N, E))  # patch tokens
m = mean(tanh(Tk), axis=1)
logp = log_softmax(m @ Wc)
J = -mean(logp[range(B), y])
""",
        shapes={
            "Xp": ["B", "C", "N", "S"], "We": ["C*S", "E"], "Pos": ["N", "E"], "Wc": ["E", "K"],
            "y": ["B"],
            "Xt": ["B", "N", "C", "S"], "Tk": ["B", "N", "E"], "m": ["B", "E"], "logp": ["B", "K"],
            "J": [],
        },
        big_factor=("Tk", "Xt"),
        note="moveaxis then a merging reshape (C, S) -> C*S; ∂Tk/∂Xt is B×N×E×B×N×C×S (7 axes); "
             "broadcast_to makes Pos's gradient a sum over B.",
        dims={"B": 2, "C": 3, "N": 4, "S": 5, "E": 6, "K": 7},
    ),

    TensorNet(
        id="spatial_softmax",
        source="spatial soft-argmax keypoints (Levine et al. 2016, deep spatial autoencoders)",
        network="""\
Fm: [B, C, H, W]         # conv feature maps
tau: []                  # learned temperature (a rank-0 leaf)
Gx: [H, W]               # pixel x-coordinates
Gy: [H, W]               # pixel y-coordinates
Tx: [B, C]
Ty: [B, C]

P = softmax(Fm / tau, axis=(2, 3))        # a distribution over the H x W grid per channel
kx = sum(P * Gx, axis=(2, 3))             # expected coordinates
ky = sum(P * Gy, axis=(-2, -1))
J = mean((kx - Tx) ** 2 + (ky - Ty) ** 2)
""",
        shapes={
            "Fm": ["B", "C", "H", "W"], "tau": [], "Gx": ["H", "W"], "Gy": ["H", "W"],
            "Tx": ["B", "C"], "Ty": ["B", "C"],
            "P": ["B", "C", "H", "W"], "kx": ["B", "C"], "ky": ["B", "C"], "J": [],
        },
        big_factor=("P", "Fm"),
        note="softmax over a tuple of axes; ∂P/∂Fm is B×C×H×W×B×C×H×W (8 axes), block-diagonal "
             "over (B, C) with a dense (H·W)×(H·W) block; ∂P/∂tau is B×C×H×W (a rank-0 wrt).",
        dims={"B": 2, "C": 3, "H": 4, "W": 5},
        domains={"tau": "pos"},
    ),
)

BY_ID = {net.id: net for net in NETWORKS}
