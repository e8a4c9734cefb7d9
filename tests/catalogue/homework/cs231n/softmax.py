# Style: CS231n (Stanford), assignment 1, cs231n/classifiers/softmax.py and gradient_check.py — the vectorized
# softmax loss as students submit it, with the course's sparse gradient check kept in the same file and a
# __main__ block that runs it. Written for this catalogue in that style (not copied).
from builtins import range
from random import randrange

import numpy as np


def softmax_loss_vectorized(W, X, y, reg):
    """
    Softmax loss function, vectorized version.

    Inputs have dimension D, there are C classes, and we operate on minibatches
    of N examples.

    Inputs:
    - W: A numpy array of shape (D, C) containing weights.
    - X: A numpy array of shape (N, D) containing a minibatch of data.
    - y: A numpy array of shape (N,) containing training labels; y[i] = c means
      that X[i] has label c, where 0 <= c < C.
    - reg: (float) regularization strength

    Returns a tuple of:
    - loss as single float
    - gradient with respect to weights W; an array of same shape as W
    """
    loss = 0.0
    dW = np.zeros_like(W)
    num_train = X.shape[0]

    scores = X.dot(W)
    scores -= np.max(scores, axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    loss = np.sum(-np.log(probs[np.arange(num_train), y]))
    loss /= num_train
    loss += reg * np.sum(W * W)

    dscores = probs
    dscores[np.arange(num_train), y] -= 1
    dW = X.T.dot(dscores)
    dW /= num_train
    dW += 2 * reg * W

    return loss, dW


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):
    """
    sample a few random elements and only return numerical
    in this dimensions.
    """
    for i in range(num_checks):
        ix = tuple([randrange(m) for m in x.shape])
        oldval = x[ix]
        x[ix] = oldval + h
        fxph = f(x)
        x[ix] = oldval - h
        fxmh = f(x)
        x[ix] = oldval
        grad_numerical = (fxph - fxmh) / (2 * h)
        grad_analytic = analytic_grad[ix]
        rel_error = abs(grad_numerical - grad_analytic) / (abs(grad_numerical) + abs(grad_analytic))
        print('numerical: %f analytic: %f, relative error: %e' % (grad_numerical, grad_analytic, rel_error))


if __name__ == '__main__':
    np.random.seed(0)
    W = np.random.randn(5, 3) * 0.0001
    X_dev = np.random.randn(10, 5)
    y_dev = np.random.randint(3, size=10)
    loss, grad = softmax_loss_vectorized(W, X_dev, y_dev, 5e1)
    f = lambda w: softmax_loss_vectorized(w, X_dev, y_dev, 5e1)[0]
    grad_check_sparse(f, W, grad, 10)
