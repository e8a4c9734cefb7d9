# Style: a student's multi-layer perceptron as submitted for CS231n-style coursework (assignment 2's
# FullyConnectedNet reimplemented from scratch): the layers' parameters built in __init__ from a list of sizes,
# the forward caches kept in a list, a backward loop filling `grads = {}` layer by layer, and an Adam optimiser
# class that updates the parameters after the backward pass. Written for this catalogue (not copied).
import numpy as np


class MLP:
    """tanh hidden layers and a softmax output; params W1, b1, ..., WL, bL in self.params."""

    def __init__(self, sizes, weight_scale=0.1, seed=0):
        rng = np.random.RandomState(seed)
        self.num_layers = len(sizes) - 1
        self.params = {}
        for i in range(self.num_layers):
            self.params['W%d' % (i + 1)] = weight_scale * np.random.randn(sizes[i], sizes[i + 1])
            self.params['b%d' % (i + 1)] = np.zeros(sizes[i + 1])

    def loss(self, X, y):
        """
        - X: array of shape (N, D)
        - y: integer labels of shape (N,), 0 <= y[i] < C
        """
        N = X.shape[0]
        caches = []
        out = X
        for i in range(1, self.num_layers + 1):
            W, b = self.params['W%d' % i], self.params['b%d' % i]
            z = out.dot(W) + b
            caches.append((out, z))
            out = np.tanh(z) if i < self.num_layers else z
        shifted = out - out.max(axis=1, keepdims=True)
        probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        loss = -np.log(probs[np.arange(N), y]).mean()

        grads = {}
        dout = probs.copy()
        dout[np.arange(N), y] -= 1
        dout /= N
        for i in reversed(range(1, self.num_layers + 1)):
            a_prev, z = caches[i - 1]
            if i < self.num_layers:
                dout = dout * (1 - np.tanh(z) ** 2)
            grads["W%d" % i] = dout.T.dot(a_prev)
            grads['b%d' % i] = dout.sum(axis=0)
            dout = dout.dot(self.params['W%d' % i].T)
        return loss, grads


class Adam:

    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.params, self.lr, self.beta1, self.beta2, self.eps = params, lr, beta1, beta2, eps
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.t = 0

    def step(self, grads):
        self.t += 1
        for k in self.params:
            self.m[k] = self.beta1 * self.m[k] + (1 - self.beta1) * grads[k]
            self.v[k] = self.beta2 * self.v[k] + (1 - self.beta2) * grads[k] ** 2
            m_hat = self.m[k] / (1 - self.beta1 ** self.t)
            v_hat = self.v[k] / (1 - self.beta2 ** self.t)
            self.params[k] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


if __name__ == '__main__':
    np.random.seed(1)
    X = np.random.randn(50, 4)
    y = np.random.randint(3, size=50)
    model = MLP([4, 8, 8, 3])
    opt = Adam(model.params, lr=1e-2)
    for epoch in range(100):
        loss, grads = model.loss(X, y)
        opt.step(grads)
    print(loss)
