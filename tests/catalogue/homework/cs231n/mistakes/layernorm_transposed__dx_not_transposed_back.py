# Source: CS231n (Stanford), assignment 2, cs231n/layers.py: layernorm_forward and layernorm_backward written the
# way the assignment's hint suggests and public solutions do it: the data transposed so that batch normalization's
# code over axis 0 normalizes each example, and transposed back; the backward pass returns (dx, dg, db), its own
# short names for the gradients of x, gamma and beta.
import numpy as np


def layernorm_forward(x, gamma, beta, ln_param):
    """
    Input:
    - x: Data of shape (N, D)
    - gamma: Scale parameter of shape (D,)
    - beta: Shift paremeter of shape (D,)
    - ln_param: Dictionary with the following keys:
        - eps: Constant for numeric stability
    """
    eps = ln_param.get("eps", 1e-5)

    x = x.T

    x_mean = np.mean(x, axis=0)
    x_var = np.var(x, axis=0)
    xdiff = x - x_mean
    istd = 1 / np.sqrt(x_var + eps)
    x_normal = xdiff * istd
    x_normal = x_normal.T
    out = x_normal * gamma + beta
    cache = (x_normal, istd, gamma)

    return out, cache


def layernorm_backward(dout, cache):
    xn_T, istd, g = cache
    dg = np.sum(xn_T * dout, axis=0)
    db = np.sum(dout, axis=0)
    dxn_T = dout * g
    xn = xn_T.T
    dxn = dxn_T.T
    m = xn.shape[0]
    dx = 1 / m * istd * (m * dxn - np.sum(dxn, axis=0) -
                         xn * np.sum(dxn * xn, axis=0))
    return dx, dg, db
