"""More rank-3/4 networks, beyond tests/catalogue/tensor_networks.py, in the same form.

Written for issue 13's acceptance tests (tests/test_tensors.py): the forms of the catalogue in
other combinations (grouped-query heads, depthwise convolution, two stacked transformer blocks,
a GRU unrolled over a time-major input, gated linear units, channel-first images moved to
channel-last, erf, a vector against a stack of matrices, an einsum with `...` inside a term,
broadcast_to written out, softmax over two axes). Shapes are written by hand, factors of a
product in the order written.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _catalogue():
    name = "shapetutor_tests_tensor_networks"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).parent / "tensor_networks.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


TensorNet = _catalogue().TensorNet

NETWORKS = (

    TensorNet(
        id="gqa",
        source="grouped-query attention (Ainslie et al. 2023): G key/value heads, R query heads each",
        network="""\
X: [B, T, E]
Wq: [E, G*R*d]
Wk: [E, G*d]
Wv: [E, G*d]
Wo: [G*R*d, E]
Yt: [B, T, E]

Q = (X @ Wq).reshape(B, T, G, R, d)
K = (X @ Wk).reshape(B, T, G, d)
V = (X @ Wv).reshape(B, T, G, d)
S = einsum('btgrd,bsgd->bgrts', Q, K) / sqrt(d)
A = softmax(S, axis=-1)
O = einsum('bgrts,bsgd->btgrd', A, V)
Y = O.reshape(B, T, G * R * d) @ Wo
J = mean((Y - Yt) ** 2)
""",
        shapes={"X": ["B", "T", "E"], "Wq": ["E", "G*R*d"], "Wk": ["E", "G*d"], "Wv": ["E", "G*d"],
                "Wo": ["G*R*d", "E"], "Yt": ["B", "T", "E"], "Q": ["B", "T", "G", "R", "d"],
                "K": ["B", "T", "G", "d"], "V": ["B", "T", "G", "d"], "S": ["B", "G", "R", "T", "T"],
                "A": ["B", "G", "R", "T", "T"], "O": ["B", "T", "G", "R", "d"], "Y": ["B", "T", "E"], "J": []},
        big_factor=("S", "Q"),
        note="nodes of rank 5 between leaves of rank 3; ∂S/∂Q has 10 axes",
        dims={"B": 2, "T": 3, "E": 5, "G": 2, "R": 3, "d": 4},
    ),

    TensorNet(
        id="depthwise_conv",
        source="depthwise-separable 1-D convolution (MobileNet style) over unfolded windows, GELU",
        network="""\
Xu: [B, T, K, C]
Wd: [K, C]
Wp: [C, F]
bp: [F]
Wc: [F, N]
Y: onehot[B, N]

D = einsum('btkc,kc->btc', Xu, Wd)
P = gelu(D @ Wp + bp)
m = mean(P, axis=1)
p = softmax(m @ Wc)
J = cross_entropy(Y, p) / B
""",
        shapes={"Xu": ["B", "T", "K", "C"], "Wd": ["K", "C"], "Wp": ["C", "F"], "bp": ["F"],
                "Wc": ["F", "N"], "Y": ["B", "N"], "D": ["B", "T", "C"], "P": ["B", "T", "F"],
                "m": ["B", "F"], "p": ["B", "N"], "J": []},
        big_factor=("D", "Xu"),
        note="∂D/∂Xu is B×T×C×B×T×K×C: block-diagonal over B, T and C",
        dims={"B": 2, "T": 3, "K": 4, "C": 5, "F": 6, "N": 7},
    ),

    TensorNet(
        id="two_blocks",
        source="two transformer blocks (RMSNorm before the first): causal single-head attention, GELU MLP, residuals",
        network="""\
X: [B, T, E]
M: [T, T]
W1q: [E, E]
W1k: [E, E]
W1v: [E, E]
U1: [E, F]
V1: [F, E]
W2q: [E, E]
W2k: [E, E]
W2v: [E, E]
U2: [E, F]
V2: [F, E]
Yt: [B, T, E]

N1 = X / sqrt(mean(X ** 2, axis=-1, keepdims=True) + 1e-5)
A1 = softmax((N1 @ W1q) @ swapaxes(N1 @ W1k, 1, 2) / sqrt(E) + M)
H1 = X + A1 @ (N1 @ W1v)
G1 = H1 + gelu(H1 @ U1) @ V1
A2 = softmax((G1 @ W2q) @ (G1 @ W2k).transpose(0, 2, 1) / sqrt(E) + M)
H2 = G1 + A2 @ (G1 @ W2v)
G2 = H2 + gelu(H2 @ U2) @ V2
J = sum((G2 - Yt) ** 2) / (B * T)
""",
        shapes={"X": ["B", "T", "E"], "M": ["T", "T"], "W1q": ["E", "E"], "W1k": ["E", "E"], "W1v": ["E", "E"],
                "U1": ["E", "F"], "V1": ["F", "E"], "W2q": ["E", "E"], "W2k": ["E", "E"], "W2v": ["E", "E"],
                "U2": ["E", "F"], "V2": ["F", "E"], "Yt": ["B", "T", "E"],
                "N1": ["B", "T", "E"], "A1": ["B", "T", "T"], "H1": ["B", "T", "E"], "G1": ["B", "T", "E"],
                "A2": ["B", "T", "T"], "H2": ["B", "T", "E"], "G2": ["B", "T", "E"],
                "J": []},
        big_factor=("A1", "N1"),
        note="the second block's weights reach J once, the first block's through everything after them",
        dims={"B": 2, "T": 3, "E": 4, "F": 5},
        domains={"M": "causal"},
    ),

    TensorNet(
        id="gru",
        source="GRU (Cho et al. 2014) unrolled over two steps of a time-major input, shared weights",
        network="""\
X: [2, B, D]
h0: [B, H]
Wz: [D, H]
Uz: [H, H]
Wr: [D, H]
Ur: [H, H]
Wh: [D, H]
Uh: [H, H]
Wy: [H, K]
Y: onehot[B, K]

z1 = sigmoid(X[0] @ Wz + h0 @ Uz)
r1 = sigmoid(X[0] @ Wr + h0 @ Ur)
h1 = (1 - z1) * h0 + z1 * tanh(X[0] @ Wh + (r1 * h0) @ Uh)
z2 = sigmoid(X[1] @ Wz + h1 @ Uz)
r2 = sigmoid(X[1] @ Wr + h1 @ Ur)
h2 = (1 - z2) * h1 + z2 * tanh(X[1] @ Wh + (r2 * h1) @ Uh)
p = softmax(h2 @ Wy)
J = cross_entropy(Y, p) / B
""",
        shapes={"X": [2, "B", "D"], "h0": ["B", "H"], "Wz": ["D", "H"], "Uz": ["H", "H"], "Wr": ["D", "H"],
                "Ur": ["H", "H"], "Wh": ["D", "H"], "Uh": ["H", "H"], "Wy": ["H", "K"], "Y": ["B", "K"],
                "z1": ["B", "H"], "r1": ["B", "H"], "h1": ["B", "H"], "z2": ["B", "H"], "r2": ["B", "H"],
                "h2": ["B", "H"], "p": ["B", "K"], "J": []},
        big_factor=None,
        note="a literal leading dimension indexed by X[0], X[1]; every shared weight gets a term per step",
        dims={"B": 3, "D": 4, "H": 5, "K": 6},
    ),

    TensorNet(
        id="glu",
        source="gated linear units (Dauphin et al. 2017) over a batch of sequences, with broadcast_to",
        network="""\
X: [B, T, E]
W: [E, F]
V: [E, F]
b: [F]
c: [F]
Wo: [F, E]
Yt: [B, T, E]

Hg = (X @ W + broadcast_to(b, (B, T, F))) * sigmoid(X @ V + c)
Y = X + Hg @ Wo
J = mean((Y - Yt) ** 2)
""",
        shapes={"X": ["B", "T", "E"], "W": ["E", "F"], "V": ["E", "F"], "b": ["F"], "c": ["F"],
                "Wo": ["F", "E"], "Yt": ["B", "T", "E"], "Hg": ["B", "T", "F"], "Y": ["B", "T", "E"], "J": []},
        big_factor=("Hg", "X"),
        note="b is repeated with broadcast_to written out, c by broadcasting: both gradients sum over B and T",
        dims={"B": 2, "T": 3, "E": 4, "F": 5},
    ),

    TensorNet(
        id="channels_last",
        source="channel-first images moved to channel-last, a 1x1 convolution as @, pooled, classified",
        network="""\
Xc: [B, C, H, W]
Wp: [C, F]
g: [F]
Wc: [F, N]
Y: [B, N]

Xl = moveaxis(Xc, 1, -1)
Z = relu(Xl @ Wp) * expand_dims(g, (0, 1, 2))
s = mean(Z, axis=(1, 2))
p = softmax(s @ Wc)
J = cross_entropy(Y, p) / B
""",
        shapes={"Xc": ["B", "C", "H", "W"], "Wp": ["C", "F"], "g": ["F"], "Wc": ["F", "N"], "Y": ["B", "N"],
                "Xl": ["B", "H", "W", "C"], "Z": ["B", "H", "W", "F"], "s": ["B", "F"], "p": ["B", "N"],
                "J": []},
        big_factor=("Xl", "Xc"),
        note="∂Xl/∂Xc is a permutation (8 axes, diagonal); expand_dims gives g three axes of length 1",
        dims={"B": 2, "C": 3, "H": 4, "W": 5, "F": 6, "N": 7},
    ),

    TensorNet(
        id="erf_gelu",
        source="BERT's exact GELU, x/2 (1 + erf(x / sqrt(2))), in a position-wise MLP",
        network="""\
X: [B, T, E]
W1: [E, F]
W2: [F, E]
Yt: [B, T, E]

U = X @ W1
G = 0.5 * U * (1 + erf(U / sqrt(2)))
J = mean((G @ W2 - Yt) ** 2)
""",
        shapes={"X": ["B", "T", "E"], "W1": ["E", "F"], "W2": ["F", "E"], "Yt": ["B", "T", "E"],
                "U": ["B", "T", "F"], "G": ["B", "T", "F"], "J": []},
        big_factor=("G", "U"),
        note="erf's derivative 2/sqrt(pi) exp(-x^2)",
        dims={"B": 2, "T": 3, "E": 4, "F": 5},
    ),

    TensorNet(
        id="attention_pooling",
        source="attention pooling with a learned query vector; a vector against stacks of matrices",
        network="""\
Hs: [B, T, D]
q: [D]
u: [D]
Wm: [B, D, E]             # one D×E matrix per example
Wc: [E, K]
Y: [B, K]

a = softmax(Hs @ q, axis=-1)                 # [B, T, D] @ [D]: one score per position
pooled = einsum('bt,btd->bd', a, Hs)
side = u @ Wm                                # [D] @ [B, D, E]: a row against each matrix
p = softmax((pooled @ Wm[0] + tanh(side)) @ Wc)
J = cross_entropy(Y, p) / B
""",
        shapes={"Hs": ["B", "T", "D"], "q": ["D"], "u": ["D"], "Wm": ["B", "D", "E"], "Wc": ["E", "K"],
                "Y": ["B", "K"], "a": ["B", "T"], "pooled": ["B", "D"], "side": ["B", "E"], "p": ["B", "K"],
                "J": []},
        big_factor=None,
        note="matmul with a 1-D operand on either side of a rank-3 one",
        dims={"B": 2, "T": 3, "D": 4, "E": 5, "K": 6},
    ),

    TensorNet(
        id="ellipsis_inside",
        source="an einsum whose ... stands between letters, and a softmax over two axes",
        network="""\
X: [B, H, W, C]
Wt: [C, F]
Sm: [B, H, W, F]

Z = einsum('b...c,cf->b...f', X, Wt)
P = softmax(Z, axis=(1, 2))
J = sum(P * Sm) + mean(swapaxes(Z, 1, 2) ** 2)
""",
        shapes={"X": ["B", "H", "W", "C"], "Wt": ["C", "F"], "Sm": ["B", "H", "W", "F"],
                "Z": ["B", "H", "W", "F"], "P": ["B", "H", "W", "F"], "J": []},
        big_factor=("Z", "X"),
        note="the gradient of Wt sums over what ... stands for: NumPy needs those axes named",
        dims={"B": 2, "H": 3, "W": 4, "C": 5, "F": 6},
    ),

    TensorNet(
        id="tiny_gpt",
        source="a one-layer GPT: token and position embeddings, causal multi-head attention, tied output layer",
        network="""\
tokens: int[B, T] < V
targets: int[B, T] < V
Emb: [V, E]
Pos: [T, E]
M: [T, T]                    # 0 on and below the diagonal, -1e9 above
Wq: [E, h*d]
Wk: [E, h*d]
Wv: [E, h*d]
Wo: [h*d, E]

X = Emb[tokens] + Pos
Qh = (X @ Wq).reshape(B, T, h, d).transpose(0, 2, 1, 3)
Kh = (X @ Wk).reshape(B, T, h, d).transpose(0, 2, 1, 3)
Vh = (X @ Wv).reshape(B, T, h, d).transpose(0, 2, 1, 3)
A = softmax(Qh @ Kh.swapaxes(-1, -2) / sqrt(d) + M, axis=-1)
H = X + (A @ Vh).transpose(0, 2, 1, 3).reshape(B, T, h * d) @ Wo
logits = H @ Emb.T
J = -sum(onehot(targets, V) * log_softmax(logits, axis=-1)) / (B * T)
""",
        shapes={"tokens": ["B", "T"], "targets": ["B", "T"], "Emb": ["V", "E"], "Pos": ["T", "E"], "M": ["T", "T"],
                "Wq": ["E", "h*d"], "Wk": ["E", "h*d"], "Wv": ["E", "h*d"], "Wo": ["h*d", "E"],
                "X": ["B", "T", "E"], "Qh": ["B", "h", "T", "d"], "Kh": ["B", "h", "T", "d"], "Vh": ["B", "h", "T", "d"],
                "A": ["B", "h", "T", "T"], "H": ["B", "T", "E"], "logits": ["B", "T", "V"], "J": []},
        big_factor=("A", "Qh"),
        note="Emb is read twice (the gather and the tied output layer); the mask broadcasts over B and h",
        dims={"B": 2, "T": 3, "V": 7, "E": 4, "h": 2, "d": 5},
        domains={"M": "causal"},
    ),
)

BY_ID = {net.id: net for net in NETWORKS}
