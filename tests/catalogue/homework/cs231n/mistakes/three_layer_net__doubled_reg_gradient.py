# Style: CS231n (Stanford), assignment 2's classifiers — a small fully-connected net written the way students
# submit it: a class whose __init__ fills self.params = {}, loss(X, y) returning (loss, grads), type hints,
# docstrings in the course's form, and the gradients dict filled in a loop over the layers. Written for this
# catalogue in that style (not copied).
from typing import Dict, Optional, Tuple

import numpy as np

NUM_LAYERS = 3


class ThreeLayerNet(object):
    """affine - relu - affine - relu - affine - softmax, with L2 regularisation."""

    def __init__(self, input_dim: int = 3 * 32 * 32, hidden_dim: int = 100, num_classes: int = 10,
                 weight_scale: float = 1e-3, reg: float = 0.0) -> None:
        """
        Inputs:
        - input_dim: An integer giving the size of the input
        - hidden_dim: An integer giving the size of both hidden layers
        - num_classes: An integer giving the number of classes to classify
        - weight_scale: Scalar giving the standard deviation for random initialization of the weights.
        - reg: Scalar giving L2 regularization strength.
        """
        self.params: Dict[str, np.ndarray] = {}
        self.reg = reg
        self.params['W1'] = weight_scale * np.random.randn(input_dim, hidden_dim)
        self.params['b1'] = np.zeros(hidden_dim)
        self.params['W2'] = weight_scale * np.random.randn(hidden_dim, hidden_dim)
        self.params['b2'] = np.zeros(hidden_dim)
        self.params['W3'] = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params['b3'] = np.zeros(num_classes)

    def loss(self, X: np.ndarray, y: Optional[np.ndarray] = None) -> Tuple[float, Dict[str, np.ndarray]]:
        """
        Compute loss and gradient for a minibatch of data.

        Inputs:
        - X: Array of input data of shape (N, D)
        - y: Array of labels, of shape (N,). y[i] gives the label for X[i], 0 <= y[i] < C.

        Returns:
        - loss: Scalar value giving the loss
        - grads: Dictionary with the same keys as self.params
        """
        W1, b1 = self.params['W1'], self.params['b1']
        W2, b2 = self.params['W2'], self.params['b2']
        W3, b3 = self.params['W3'], self.params['b3']
        N = X.shape[0]

        h1 = np.maximum(0, X @ W1 + b1)
        h2 = np.maximum(0, h1 @ W2 + b2)
        scores = h2 @ W3 + b3
        if y is None:
            return scores

        scores = scores - scores.max(axis=1, keepdims=True)
        log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        loss = -log_probs[np.arange(N), y].mean()
        for l in range(1, NUM_LAYERS + 1):
            W = self.params['W%d' % l]
            loss += 0.5 * self.reg * np.sum(W * W)

        grads: Dict[str, np.ndarray] = {}
        dscores = np.exp(log_probs)
        dscores[np.arange(N), y] -= 1
        dscores /= N
        grads['W3'] = h2.T @ dscores
        grads['b3'] = dscores.sum(axis=0)
        dh2 = dscores @ W3.T
        dh2[h2 <= 0] = 0
        grads['W2'] = h1.T @ dh2
        grads['b2'] = dh2.sum(axis=0)
        dh1 = dh2 @ W2.T
        dh1[h1 <= 0] = 0
        grads['W1'] = X.T @ dh1
        grads['b1'] = dh1.sum(axis=0)
        for l in range(1, NUM_LAYERS + 1):
            grads['W%d' % l] += 2 * self.reg * self.params['W%d' % l]

        return loss, grads


if __name__ == "__main__":
    np.random.seed(231)
    model = ThreeLayerNet(input_dim=5, hidden_dim=4, num_classes=3, reg=0.1)
    X = np.random.randn(6, 5)
    y = np.random.randint(3, size=6)
    loss, grads = model.loss(X, y)
    print("loss:", loss)
    for name in sorted(grads):
        print(name, grads[name].shape)
