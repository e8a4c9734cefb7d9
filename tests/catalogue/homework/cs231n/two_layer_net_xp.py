# Style: CS231n (Stanford), assignment 1's two-layer network as a function over a params dict, written the way
# students write code meant to run on NumPy or CuPy alike (`import numpy as xp`), with type hints and a helper
# that calls a helper. Written for this catalogue in that style (not copied).
from typing import Dict, Tuple

import numpy as xp

Params = Dict[str, xp.ndarray]


def init_two_layer(input_size: int, hidden_size: int, output_size: int, std: float = 1e-4) -> Params:
    """Weights W1: (D, H), b1: (H,), W2: (H, C), b2: (C,)."""
    return {"W1": std * xp.random.randn(input_size, hidden_size), "b1": xp.zeros(hidden_size),
            "W2": std * xp.random.randn(hidden_size, output_size), "b2": xp.zeros(output_size)}


def log_softmax(scores: xp.ndarray) -> xp.ndarray:
    shifted = scores - xp.max(scores, axis=1, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))


def cross_entropy(scores: xp.ndarray, y: xp.ndarray) -> float:
    n = scores.shape[0]
    return -xp.sum(log_softmax(scores)[xp.arange(n), y]) / n


def loss(params: Params, X: xp.ndarray, y: xp.ndarray, reg: float = 0.0) -> Tuple[float, Params]:
    """
    Inputs:
    - params: the dict init_two_layer returns
    - X: Input data of shape (N, D).
    - y: Vector of training labels, 0 <= y[i] < C.
    - reg: Regularization strength.
    """
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[0]
    hidden = xp.maximum(0, X @ W1 + b1)
    scores = hidden @ W2 + b2
    data_loss = cross_entropy(scores, y)
    total = data_loss + reg * (xp.sum(W1 ** 2) + xp.sum(W2 ** 2))

    dscores = xp.exp(log_softmax(scores))
    dscores[xp.arange(N), y] -= 1
    dscores /= N
    grads = {}
    grads["W2"] = hidden.T @ dscores + 2 * reg * W2
    grads["b2"] = dscores.sum(axis=0)
    dhidden = (dscores @ W2.T) * (hidden > 0)
    grads["W1"] = X.T @ dhidden + 2 * reg * W1
    grads["b1"] = dhidden.sum(axis=0)
    return total, grads
