"""Hand-written NumPy forward and backward passes: the baseline the benchmark measures derive against.

Each pass is what a student writes by hand for the same network as bench/networks/ (or the bundled
`default`): draw the leaves, run the forward pass keeping what the backward pass reads, then the
backward pass, returning every leaf's gradient. Run as a whole process, NumPy start-up included:

    python bench/by_hand.py batchnorm N=4096,D=4096      # prints: seconds peak_kB

`check(name, dims)` compares a pass with shapetutor's derived formulas at small sizes, so the
baseline is known to compute the same gradients.
"""
from __future__ import annotations

import sys
import time

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def question(dims, rng):
    """The motivating question (SPEC §1): one sigmoid hidden layer, softmax, cross-entropy, one row."""
    Dx, H, Dy = dims["Dx"], dims["H"], dims["Dy"]
    x = rng.standard_normal((1, Dx))
    y = np.eye(1, Dy, rng.integers(Dy))
    W1 = rng.standard_normal((Dx, H)) * Dx ** -0.5
    b1 = rng.standard_normal(H)
    W2 = rng.standard_normal((H, Dy)) * H ** -0.5
    b2 = rng.standard_normal(Dy)
    leaves = dict(x=x, y=y, W1=W1, b1=b1, W2=W2, b2=b2)

    h = sigmoid(x @ W1 + b1)
    z2 = h @ W2 + b2
    e = np.exp(z2 - z2.max())
    yhat = e / e.sum()
    loss = -np.sum(y * np.log(yhat))

    dz2 = yhat - y
    dh = dz2 @ W2.T
    dz1 = dh * h * (1 - h)
    grads = dict(x=dz1 @ W1.T, y=-np.log(yhat), W1=x.T @ dz1, b1=dz1[0], W2=h.T @ dz2, b2=dz2[0])
    return leaves, loss, grads


def batchnorm(dims, rng):
    """Batch normalisation in training mode, CS231n's batchnorm_backward_alt."""
    N, D = dims["N"], dims["D"]
    X = rng.standard_normal((N, D))
    gamma = rng.standard_normal(D)
    beta = rng.standard_normal(D)
    G = rng.standard_normal((N, D))
    leaves = dict(X=X, gamma=gamma, beta=beta, G=G)

    mu = X.mean(axis=0)
    xc = X - mu
    var = (xc ** 2).mean(axis=0)
    std = np.sqrt(var + 1e-5)
    xhat = xc / std
    del xc
    out = gamma * xhat + beta
    loss = np.sum(G * out)

    dxhat = G * gamma
    dX = (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (N * std)
    grads = dict(X=dX, gamma=(G * xhat).sum(axis=0), beta=G.sum(axis=0), G=out)
    return leaves, loss, grads


GATES = "ifog"


def lstm(dims, rng):
    """One LSTM cell on a batch, CS231n's lstm_step_forward / backward with the gates apart."""
    N, D, H = dims["N"], dims["D"], dims["H"]
    x = rng.standard_normal((N, D))
    h0 = rng.standard_normal((N, H))
    c0 = rng.standard_normal((N, H))
    W = {k: rng.standard_normal((D, H)) * D ** -0.5 for k in GATES}
    U = {k: rng.standard_normal((H, H)) * H ** -0.5 for k in GATES}
    b = {k: rng.standard_normal(H) for k in GATES}
    T = rng.standard_normal((N, H))
    leaves = dict(x=x, h0=h0, c0=c0, T=T, **{f"W{k}": W[k] for k in GATES}, **{f"U{k}": U[k] for k in GATES},
                  **{f"b{k}": b[k] for k in GATES})

    a = {k: x @ W[k] + h0 @ U[k] + b[k] for k in GATES}
    i, f, o = sigmoid(a["i"]), sigmoid(a["f"]), sigmoid(a["o"])
    g = np.tanh(a["g"])
    del a
    c = f * c0 + i * g
    tc = np.tanh(c)
    h = o * tc
    loss = np.sum((h - T) ** 2) / N

    dh = 2 * (h - T) / N
    dc = dh * o * (1 - tc ** 2)
    da = {"i": dc * g * i * (1 - i), "f": dc * c0 * f * (1 - f), "o": dh * tc * o * (1 - o),
          "g": dc * i * (1 - g ** 2)}
    grads = dict(x=sum(da[k] @ W[k].T for k in GATES), h0=sum(da[k] @ U[k].T for k in GATES), c0=dc * f, T=-dh)
    for k in GATES:
        grads[f"W{k}"] = x.T @ da[k]
        grads[f"U{k}"] = h0.T @ da[k]
        grads[f"b{k}"] = da[k].sum(axis=0)
    return leaves, loss, grads


def attention(dims, rng):
    """The bundled `attention` network: batched multi-head self-attention with a residual, mean squared error."""
    B, T, E, h, d = dims["B"], dims["T"], dims["E"], dims["h"], dims["d"]
    X = rng.standard_normal((B, T, E))
    W = {k: rng.standard_normal((E, h * d)) * E ** -0.5 for k in ("Wq", "Wk", "Wv")}
    Wo = rng.standard_normal((h * d, E)) * (h * d) ** -0.5
    Yt = rng.standard_normal((B, T, E))
    leaves = dict(X=X, Wo=Wo, Yt=Yt, **W)

    def heads(M):
        return (X.reshape(B * T, E) @ M).reshape(B, T, h, d).transpose(0, 2, 1, 3)
    Qh, Kh, Vh = heads(W["Wq"]), heads(W["Wk"]), heads(W["Wv"])
    S = Qh @ Kh.swapaxes(-1, -2) / np.sqrt(d)
    e = np.exp(S - S.max(axis=-1, keepdims=True))
    A = e / e.sum(axis=-1, keepdims=True)
    Om = (A @ Vh).transpose(0, 2, 1, 3).reshape(B * T, h * d)
    Y = X + (Om @ Wo).reshape(B, T, E)
    loss = np.mean((Y - Yt) ** 2)

    dY = (2 * (Y - Yt) / Y.size).reshape(B * T, E)
    grads = {"Wo": Om.T @ dY, "Yt": -dY.reshape(B, T, E)}
    dO = (dY @ Wo.T).reshape(B, T, h, d).transpose(0, 2, 1, 3)
    dA = dO @ Vh.swapaxes(-1, -2)
    dS = A * (dA - np.sum(dA * A, axis=-1, keepdims=True)) / np.sqrt(d)
    flat = X.reshape(B * T, E)
    dX = dY.copy()
    for name, g in (("Wq", dS @ Kh), ("Wk", dS.swapaxes(-1, -2) @ Qh), ("Wv", A.swapaxes(-1, -2) @ dO)):
        g = g.transpose(0, 2, 1, 3).reshape(B * T, h * d)
        grads[name] = flat.T @ g
        dX += g @ W[name].T
    grads["X"] = dX.reshape(B, T, E)
    return leaves, loss, grads


PASSES = {"question": question, "batchnorm": batchnorm, "lstm": lstm, "attention": attention}
#: the network each pass computes: a file in bench/networks/ or a bundled example
NETWORKS = {"question": "default", "batchnorm": "bench/networks/batchnorm.net", "lstm": "bench/networks/lstm.net",
            "attention": "attention"}


def check(name: str, dims: dict[str, int]) -> float:
    """The largest relative difference between this pass's gradients and shapetutor's formulas."""
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tutor.engine.language.network import load
    from tutor.engine.numbers.numeric import Evaluator, forward
    from tutor.teach.derivation import derive

    spec = NETWORKS[name]
    net = load(spec if "/" not in spec else str(Path(__file__).resolve().parent.parent / spec))
    leaves, loss, grads = PASSES[name](dims, np.random.default_rng(0))
    values = forward(net.definitions, leaves, dims)
    derived = derive(net, dims, check=False)
    ev = Evaluator(values, dims)
    worst = abs(float(values[net.loss]) - loss) / max(abs(loss), 1e-300)
    for leaf, g in derived.gradients.items():
        ours = np.broadcast_to(ev(g.formula), np.shape(leaves[leaf]))
        worst = max(worst, float(np.max(np.abs(ours - grads[leaf]))) / max(float(np.max(np.abs(ours))), 1e-300))
    return worst


def main() -> None:
    name, given = sys.argv[1], sys.argv[2]
    dims = {k: int(v) for k, v in (item.split("=") for item in given.split(","))}
    import resource
    start = time.perf_counter()
    PASSES[name](dims, np.random.default_rng(0))
    print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


if __name__ == "__main__":
    main()
