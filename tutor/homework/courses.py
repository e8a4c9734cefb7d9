"""The courses' own helper modules that homework files import, as published (their definitions only).

A deeplearning.ai file does `from dnn_utils import sigmoid, relu, relu_backward, sigmoid_backward`; those
helpers are not in the file, so their definitions are read from here (never imported, like the file).
"""
from __future__ import annotations

DNN_UTILS = '''
def sigmoid(Z):
    A = 1 / (1 + np.exp(-Z))
    cache = Z
    return A, cache

def relu(Z):
    A = np.maximum(0, Z)
    cache = Z
    return A, cache

def relu_backward(dA, cache):
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ

def sigmoid_backward(dA, cache):
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    dZ = dA * s * (1 - s)
    return dZ
'''

PLANAR_UTILS = '''
def sigmoid(x):
    s = 1 / (1 + np.exp(-x))
    return s
'''

CS224N_SIGMOID = '''
def sigmoid(x):
    s = 1.0 / (1 + np.exp(-x))
    return s

def sigmoid_grad(s):
    ds = s * (1 - s)
    return ds
'''

#: module name as imported → its helpers' source
MODULES = {"dnn_utils": DNN_UTILS, "dnn_utils_v2": DNN_UTILS, "dnn_app_utils_v2": DNN_UTILS,
           "dnn_app_utils_v3": DNN_UTILS, "dnn_app_utils": DNN_UTILS, "planar_utils": PLANAR_UTILS,
           "q2_sigmoid": CS224N_SIGMOID, "sigmoid": CS224N_SIGMOID}
