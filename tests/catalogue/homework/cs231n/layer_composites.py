# Style: CS231n (Stanford), assignment 2, cs231n/layers.py and cs231n/layer_utils.py in one file — the
# "sandwich" layers whose forward and backward call the basic layers' helpers, with the asserts and prints
# students leave in. Written for this catalogue in that style (not copied).
import numpy as np


def affine_forward(x, w, b):
    """
    Inputs:
    - x: A numpy array containing input data, of shape (N, D)
    - w: A numpy array of weights, of shape (D, M)
    - b: A numpy array of biases, of shape (M,)

    Returns a tuple of:
    - out: output, of shape (N, M)
    - cache: (x, w, b)
    """
    out = x.dot(w) + b
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout.dot(w.T)
    dw = x.T.dot(dout)
    db = np.sum(dout, axis=0)
    assert dx.shape == x.shape and dw.shape == w.shape
    return dx, dw, db


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_forward(x):
    out = sigmoid(x)
    cache = out
    return out, cache


def sigmoid_backward(dout, cache):
    out = cache
    return dout * out * (1 - out)


def affine_sigmoid_forward(x, w, b):
    """
    Convenience layer that performs an affine transform followed by a sigmoid.

    Inputs:
    - x: Input to the affine layer, of shape (N, D)
    - w: Weights for the affine layer, of shape (D, M)
    - b: Biases for the affine layer, of shape (M,)

    Returns a tuple of:
    - out: Output from the sigmoid
    - cache: Object to give to the backward pass
    """
    a, fc_cache = affine_forward(x, w, b)
    out, sig_cache = sigmoid_forward(a)
    cache = (fc_cache, sig_cache)
    print("affine_sigmoid_forward:", out.shape)
    return out, cache


def affine_sigmoid_backward(dout, cache):
    """
    Backward pass for the affine-sigmoid convenience layer
    """
    fc_cache, sig_cache = cache
    da = sigmoid_backward(dout, sig_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db
