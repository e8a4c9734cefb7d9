"""Homework files as the courses publish them, judged as submitted, against an oracle.

The oracle lives here, never in the product: it runs each file's own functions (their definitions
only, in this test process) on small random inputs and compares every gradient the file returns
with central finite differences of the loss the file computes. Each verdict shapetutor gives must
agree with it, and a gradient the oracle finds wrong must never be called correct.
"""
from __future__ import annotations

import ast
import functools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from answer_leaks import homework_leaks
from tutor.homework.judge import check_file

CATALOGUE = Path(__file__).parent / "catalogue" / "homework"
EPS = 1e-6


def definitions(*paths: Path) -> dict:
    """The files' functions and classes, defined in one fresh namespace (module-level statements skipped)."""
    namespace = {"np": np, "copy": __import__("copy"), "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
                 "relu": lambda z: np.maximum(0, z),  # the courses' own utils (gc_utils, planar_utils)
                 "object": object}
    for path in paths:
        tree = ast.parse(path.read_text())
        kept = [s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.ClassDef)) or constant(s) or safe_import(s)]
        exec(compile(ast.Module(kept, []), str(path), "exec"), namespace)  # the test's oracle, never the product
    return namespace


def constant(stmt: ast.stmt) -> bool:
    """A module constant (`NUM_LAYERS = 3`): a literal, kept so the file's functions can read it."""
    if not isinstance(stmt, ast.Assign):
        return False
    try:
        ast.literal_eval(stmt.value)
    except ValueError:
        return False
    return True


def safe_import(stmt: ast.stmt) -> bool:
    """Imports the files' signatures and bodies need: typing, random, math and NumPy under another name."""
    if isinstance(stmt, ast.ImportFrom):
        return stmt.module in ("typing", "random", "math", "numpy", "builtins", "__future__")
    return isinstance(stmt, ast.Import) and all(a.name in ("numpy", "math", "random") for a in stmt.names)


def numeric(loss, array: np.ndarray) -> np.ndarray:
    grad = np.zeros_like(array)
    it = np.nditer(array, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = array[i]
        array[i] = old + EPS
        up = loss()
        array[i] = old - EPS
        down = loss()
        array[i] = old
        grad[i] = (up - down) / (2 * EPS)
    return grad


def agree(a, b) -> bool:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-7)


def oracle_cs231n_two_layer(path: Path) -> dict[str, bool]:
    ns = definitions(path)
    rng = np.random.default_rng(0)
    net = ns["TwoLayerNet"](3, 4, 5, std=1.0)
    for k in net.params:
        net.params[k] = rng.standard_normal(net.params[k].shape)
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 5, 6)
    _, grads = net.loss(X, y, reg=0.1)
    return {k: agree(grads[k], numeric(lambda: net.loss(X, y, reg=0.1)[0], net.params[k])) for k in grads}


def oracle_dlai_planar(path: Path) -> dict[str, bool]:
    ns = definitions(path)
    rng = np.random.default_rng(1)
    params = ns["initialize_parameters"](3, 4, 1)
    for k in params:
        params[k] = rng.standard_normal(params[k].shape)
    X, Y = rng.standard_normal((3, 5)), rng.random((1, 5))

    def cost():
        A2, _ = ns["forward_propagation"](X, params)
        return ns["compute_cost"](A2, Y)
    _, cache = ns["forward_propagation"](X, params)
    grads = ns["backward_propagation"](params, cache, X, Y)
    return {k: agree(grads[k], numeric(cost, params[k[1:]])) for k in grads}


def oracle_nielsen(path: Path) -> dict[str, bool]:
    ns = definitions(path)
    rng = np.random.default_rng(2)
    net = ns["Network"]([3, 4, 2])
    net.weights = [rng.standard_normal(w.shape) for w in net.weights]
    net.biases = [rng.standard_normal(b.shape) for b in net.biases]
    x, y = rng.standard_normal((3, 1)), rng.standard_normal((2, 1))
    cost = lambda: 0.5 * float(np.sum((net.feedforward(x) - y) ** 2))  # noqa: E731 (the book's quadratic cost)
    nabla_b, nabla_w = net.backprop(x, y)
    out = {f"biases[{i}]": agree(g, numeric(cost, net.biases[i])) for i, g in enumerate(nabla_b)}
    out.update({f"weights[{i}]": agree(g, numeric(cost, net.weights[i])) for i, g in enumerate(nabla_w)})
    return out


def oracle_cs224n(path: Path) -> dict[str, bool]:
    ns = definitions(path)
    ns["sigmoid_grad"] = lambda s: s * (1 - s)  # the course's q2_sigmoid
    ns["softmax"] = lambda x: np.exp(x - x.max(axis=1, keepdims=True)) / np.exp(
        x - x.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)
    rng = np.random.default_rng(3)
    Dx, H, Dy, M = 3, 4, 5, 6
    X = rng.standard_normal((M, Dx))
    labels = np.eye(Dy)[rng.integers(0, Dy, M)]
    params = rng.standard_normal((Dx + 1) * H + (H + 1) * Dy)
    _, grad = ns["forward_backward_prop"](X, labels, params, [Dx, H, Dy])
    truth = numeric(lambda: ns["forward_backward_prop"](X, labels, params, [Dx, H, Dy])[0], params)
    out, ofs = {}, 0
    for name, size in (("gradW1", Dx * H), ("gradb1", H), ("gradW2", H * Dy), ("gradb2", Dy)):
        out[name] = agree(grad[ofs:ofs + size], truth[ofs:ofs + size])
        ofs += size
    return out


def dnn_utils(ns: dict) -> None:
    """The course's dnn_utils, as the assignment ships them."""
    def sigmoid(Z):
        return 1 / (1 + np.exp(-Z)), Z

    def relu(Z):
        return np.maximum(0, Z), Z

    def relu_backward(dA, Z):
        dZ = np.array(dA, copy=True)
        dZ[Z <= 0] = 0
        return dZ

    def sigmoid_backward(dA, Z):
        s = 1 / (1 + np.exp(-Z))
        return dA * s * (1 - s)
    ns.update(sigmoid=sigmoid, relu=relu, relu_backward=relu_backward, sigmoid_backward=sigmoid_backward)


def oracle_dlai_deep(path: Path) -> dict[str, bool]:
    ns = definitions(path)
    dnn_utils(ns)
    rng = np.random.default_rng(4)
    params = ns["initialize_parameters_deep"]([4, 3, 2, 1])
    for k in params:
        params[k] = rng.standard_normal(params[k].shape)
    X, Y = rng.standard_normal((4, 5)), rng.random((1, 5))

    def cost():
        AL, _ = ns["L_model_forward"](X, params)
        return float(ns["compute_cost"](AL, Y))
    AL, caches = ns["L_model_forward"](X, params)
    grads = ns["L_model_backward"](AL, Y, caches)
    return {k: agree(g, numeric(cost, params[k[1:]])) for k, g in grads.items() if k[1:] in params}


def oracle_cs231n_layers(path: Path) -> dict[str, bool]:
    ns = definitions(path)
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(5)
    out = {}
    dout = rng.standard_normal((4, 5))
    dx, dw, db = ns["affine_backward"](dout, ns["affine_forward"](x, w, b)[1])
    vjp = lambda: float(np.sum(ns["affine_forward"](x, w, b)[0] * dout))  # noqa: E731
    out.update({"affine_backward.dx": agree(dx, numeric(vjp, x)), "affine_backward.dw": agree(dw, numeric(vjp, w)),
                "affine_backward.db": agree(db, numeric(vjp, b))})
    z, dz = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    dx = ns["relu_backward"](dz, ns["relu_forward"](z)[1])
    out["relu_backward.dx"] = agree(dx, numeric(lambda: float(np.sum(ns["relu_forward"](z)[0] * dz)), z))
    scores, y = rng.standard_normal((4, 3)), rng.integers(0, 3, 4)
    out["softmax_loss.dx"] = agree(ns["softmax_loss"](scores, y)[1],
                                   numeric(lambda: ns["softmax_loss"](scores, y)[0], scores))
    out["svm_loss.dx"] = agree(ns["svm_loss"](scores, y)[1], numeric(lambda: ns["svm_loss"](scores, y)[0], scores))
    return out


def oracle_nnfs(path: Path) -> dict[str, bool]:
    ns = definitions(path)
    rng = np.random.default_rng(6)
    out = {}
    dense = ns["Layer_Dense"](3, 4)
    dense.weights, dense.biases = rng.standard_normal((3, 4)), rng.standard_normal((1, 4))
    inputs, dvalues = rng.standard_normal((5, 3)), rng.standard_normal((5, 4))

    def vjp(layer, x, d):
        layer.forward(x)
        return float(np.sum(layer.output * d))
    dense.forward(inputs)
    dense.backward(dvalues)
    for name, array in (("weights", dense.weights), ("biases", dense.biases), ("inputs", inputs)):
        got = getattr(dense, "d" + name)
        out[f"Layer_Dense.{name}"] = agree(got, numeric(lambda: vjp(dense, inputs, dvalues), array))
    for cls in ("Activation_ReLU", "Activation_Sigmoid"):
        layer = ns[cls]()
        z, dz = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
        layer.forward(z)
        layer.backward(dz)
        out[f"{cls}.inputs"] = agree(layer.dinputs, numeric(lambda: vjp(layer, z, dz), z))
    return out


def oracle_mit6036(path: Path) -> dict[str, bool]:
    ns = definitions(path)
    rng = np.random.default_rng(7)
    out = {}
    linear = ns["Linear"](3, 4)
    linear.W, linear.W0 = rng.standard_normal((3, 4)), rng.standard_normal((4, 1))
    A, dLdZ = rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
    vjp = lambda: float(np.sum(linear.forward(A) * dLdZ))  # noqa: E731
    linear.forward(A)
    dLdA = linear.backward(dLdZ)
    out.update({"Linear.W": agree(linear.dLdW, numeric(vjp, linear.W)),
                "Linear.W0": agree(linear.dLdW0, numeric(vjp, linear.W0)),
                "Linear.A": agree(dLdA, numeric(vjp, A))})
    for cls in ("Tanh", "ReLU", "SoftMax"):
        layer = ns[cls]()
        Z, dLdA = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
        layer.forward(Z)
        got = layer.backward(dLdA)
        out[f"{cls}.Z"] = agree(got, numeric(lambda: float(np.sum(layer.forward(Z) * dLdA)), Z))
    return out


def oracle_cs231n_fc_net(path: Path) -> dict[str, bool]:
    ns = definitions(CATALOGUE / "cs231n" / "layers.py", CATALOGUE / "cs231n" / "layer_utils.py", path)
    rng = np.random.default_rng(8)
    net = ns["FullyConnectedNet"]([4, 3], input_dim=3, num_classes=5, reg=0.1, dtype=np.float64)
    for k in net.params:
        net.params[k] = rng.standard_normal(net.params[k].shape)
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 5, 6)
    _, grads = net.loss(X, y)
    return {k: agree(grads[k], numeric(lambda: net.loss(X, y)[0], net.params[k])) for k in grads}


def oracle_karpathy(path: Path, parameters=("W", "b", "W2", "b2"), step="step_size") -> dict[str, bool]:
    """The script's own lines: its data and parameters, then one pass of its loop, stopped before the update."""
    tree = ast.parse(path.read_text())
    loop = next(s for s in tree.body if isinstance(s, (ast.For, ast.While)) and any(
        isinstance(t, ast.Name) and t.id == "loss" for n in ast.walk(s) if isinstance(n, ast.Assign) for t in n.targets))
    setup = [s for s in tree.body[:tree.body.index(loop)] if not isinstance(s, (ast.Import, ast.ImportFrom))]
    body = loop.body
    end_forward = next(i for i, s in enumerate(body) if isinstance(s, ast.Assign) and getattr(s.targets[0], "id", "")
                       == "loss") + 1
    update = next(i for i, s in enumerate(body) if isinstance(s, ast.AugAssign) and step in ast.unparse(s))
    np.random.seed(9)
    ns = {"np": np, "i": 1}
    exec(compile(ast.Module(setup, []), str(path), "exec"), ns)  # the test's oracle, never the product
    for name in parameters:
        ns[name] = np.random.standard_normal(ns[name].shape)
    forward = compile(ast.Module(body[:end_forward], []), str(path), "exec")

    def loss():
        scope = dict(ns)
        exec(forward, scope)
        return scope["loss"]
    exec(compile(ast.Module(body[:update], []), str(path), "exec"), ns)
    return {f"d{p}": agree(ns[f"d{p}"], numeric(loss, ns[p])) for p in parameters}


# -- oracles for the files written in each course's style (the same check, through three generic protocols) ----

def perturbed(loss, grads: dict, arrays: dict) -> dict[str, bool]:
    """Each gradient the file returns against central differences of the loss in its array."""
    return {k: agree(grads[k], numeric(loss, arrays[k])) for k in grads}


def class_loss(cls: str, ctor: dict, X: tuple, C: int, params: str = "params", seed: int = 10, **kw):
    """A class whose loss(X, y) returns (loss, grads) over self.params (CS231n)."""
    def oracle(path: Path) -> dict[str, bool]:
        ns = definitions(path)
        rng = np.random.default_rng(seed)
        net = ns[cls](**ctor)
        held = getattr(net, params)
        for k in held:
            held[k] = rng.standard_normal(held[k].shape)
        x, y = rng.standard_normal(X), rng.integers(0, C, X[0])
        _, grads = net.loss(x, y, **kw)
        return perturbed(lambda: net.loss(x, y, **kw)[0], grads, held)
    return oracle


def loss_function(name: str, make, seed: int = 11, loss_at: int = 0):
    """A function returning (loss, gradient(s)): `make(rng)` gives its arguments, and for each returned
    gradient's key, the argument array it is the gradient of and where it sits in what is returned."""
    def oracle(path: Path) -> dict[str, bool]:
        ns = definitions(path)
        args, where = make(np.random.default_rng(seed))
        out = ns[name](*args)
        grads = {k: pick(out) for k, (pick, _) in where.items()}
        loss = lambda: float(ns[name](*args)[loss_at])  # noqa: E731
        return {k: agree(g, numeric(loss, where[k][1])) for k, g in grads.items()}
    return oracle


def layer_pairs(pairs: dict, seed: int = 12, prefixed: bool = True):
    """NAME_forward / NAME_backward(dout, cache): each returned gradient against the VJP with a random dout."""
    def oracle(path: Path) -> dict[str, bool]:
        ns = definitions(path)
        rng = np.random.default_rng(seed)
        out = {}
        for base, (shapes, names) in pairs.items():
            inputs = [rng.standard_normal(s) for s in shapes]
            first = ns[f"{base}_forward"](*inputs)[0]
            dout = rng.standard_normal(first.shape)
            grads = ns[f"{base}_backward"](dout, ns[f"{base}_forward"](*inputs)[1])
            grads = grads if isinstance(grads, tuple) else (grads,)
            vjp = lambda: float(np.sum(ns[f"{base}_forward"](*inputs)[0] * dout))  # noqa: E731
            for name, g, a in zip(names, grads, inputs):
                out[f"{base}_backward.{name}" if prefixed else name] = agree(g, numeric(vjp, a))
        return out
    return oracle


def dlai_split(cost, backward, params, m: int = 5, seed: int = 13):
    """deeplearning.ai: the cost and the backward pass (grads['dW1']), each called as the notebook calls them
    with the file's forward pass; `params(ns)` makes the parameters."""
    def oracle(path: Path) -> dict[str, bool]:
        ns = definitions(path)
        rng = np.random.default_rng(seed)
        parameters = params(ns)
        for k in parameters:
            parameters[k] = rng.standard_normal(parameters[k].shape)
        X = rng.standard_normal((parameters["W1"].shape[1], m))
        Y = rng.random((parameters["W" + str(len(parameters) // 2)].shape[0], m))
        loss = lambda: float(cost(ns, X, Y, parameters))  # noqa: E731
        grads = backward(ns, X, Y, parameters)
        return {k: agree(g, numeric(loss, parameters[k[1:]])) for k, g in grads.items() if k[1:] in parameters}
    return oracle


def softmax_args(rng):
    W, X, y = rng.standard_normal((4, 3)), rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    return (W, X, y, 0.1), {"dW": (lambda out: out[1], W)}


def propagate_args(rng):
    w, b, X, Y = rng.standard_normal((4, 1)), np.array(0.3), rng.standard_normal((4, 6)), rng.random((1, 6))
    return (w, b, X, Y), {"dw": (lambda out: out[0]["dw"], w), "db": (lambda out: out[0]["db"], b)}


def oracle_nnfs_script(path: Path) -> dict[str, bool]:
    """The script's two layers built as it builds them, one pass of its loop up to the optimiser's update."""
    ns = definitions(path)
    rng = np.random.default_rng(14)
    X, y = rng.standard_normal((6, 2)), rng.integers(0, 3, 6)
    dense1 = ns["Layer_Dense"](2, 64, weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4)
    activation1, dense2 = ns["Activation_ReLU"](), ns["Layer_Dense"](64, 3)
    loss_activation = ns["Activation_Softmax_Loss_CategoricalCrossentropy"]()
    for layer in (dense1, dense2):
        layer.weights = 0.1 * rng.standard_normal(layer.weights.shape)  # the loss's clip at 1e-7 never binds
        layer.biases = 0.1 * rng.standard_normal(layer.biases.shape)

    def loss():
        dense1.forward(X)
        activation1.forward(dense1.output)
        dense2.forward(activation1.output)
        data_loss = loss_activation.forward(dense2.output, y)
        return data_loss + loss_activation.loss.regularization_loss(dense1) + \
            loss_activation.loss.regularization_loss(dense2)
    loss()
    loss_activation.backward(loss_activation.output, y)
    dense2.backward(loss_activation.dinputs)
    activation1.backward(dense2.dinputs)
    dense1.backward(activation1.dinputs)
    grads = {f"dense{i}.{p}": getattr(layer, "d" + p) for i, layer in ((1, dense1), (2, dense2))
             for p in ("weights", "biases")}
    arrays = {f"dense{i}.{p}": getattr(layer, p) for i, layer in ((1, dense1), (2, dense2)) for p in ("weights", "biases")}
    grads["dense1.inputs"], arrays["dense1.inputs"] = dense1.dinputs, X
    return perturbed(loss, grads, arrays)


def params_args(rng):
    params = {"W1": rng.standard_normal((3, 4)), "b1": rng.standard_normal(4), "W2": rng.standard_normal((4, 5)),
              "b2": rng.standard_normal(5)}
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 5, 6)
    return (params, X, y, 0.1), {k: (lambda out, k=k: out[1][k], params[k]) for k in params}


def cost_function_args(rng):
    theta, X, y = rng.standard_normal(3), rng.standard_normal((6, 3)), (rng.random(6) > 0.5).astype(float)
    return (theta, X, y, 0.1), {"grad": (lambda out: out[1], theta)}


def oracle_nielsen2(path: Path) -> dict[str, bool]:
    """network2.py: the cost the network is built with (CrossEntropyCost.fn), one example as a column."""
    ns = definitions(path)
    rng = np.random.default_rng(15)
    net = ns["Network"]([3, 4, 2])
    net.weights = [rng.standard_normal(w.shape) for w in net.weights]
    net.biases = [rng.standard_normal(b.shape) for b in net.biases]
    x, y = rng.standard_normal((3, 1)), rng.random((2, 1))
    cost = lambda: float(net.cost.fn(net.feedforward(x), y))  # noqa: E731
    nabla_b, nabla_w = net.backprop(x, y)
    out = {f"biases[{i}]": agree(g, numeric(cost, net.biases[i])) for i, g in enumerate(nabla_b)}
    out.update({f"weights[{i}]": agree(g, numeric(cost, net.weights[i])) for i, g in enumerate(nabla_w)})
    return out


def oracle_cs231n_undocumented(path: Path) -> dict[str, bool]:
    """CS231n's layers with no docstrings: each pair against its VJP, softmax_loss against its own loss."""
    out = layer_pairs({"affine": ([(4, 3), (3, 5), (5,)], ("dx", "dw", "db")), "relu": ([(4, 5)], ("dx",))},
                      seed=14)(path)
    ns = definitions(path)
    rng = np.random.default_rng(14)
    scores, y = rng.standard_normal((4, 3)), rng.integers(0, 3, 4)
    out["softmax_loss.dx"] = agree(ns["softmax_loss"](scores, y)[1],
                                   numeric(lambda: ns["softmax_loss"](scores, y)[0], scores))
    return out


def oracle_dlai_linear(path: Path) -> dict[str, bool]:
    """deeplearning.ai's convention: dZ is the per-example gradient m·∂J/∂Z, so dW and db are the gradients of
    sum(Z * dZ) / m, and dA_prev, handed down per example again, is the gradient of sum(Z * dZ)."""
    ns = definitions(path)
    rng = np.random.default_rng(15)
    A, W, b = rng.standard_normal((3, 4)), rng.standard_normal((5, 3)), rng.standard_normal((5, 1))
    m, dZ = A.shape[1], rng.standard_normal((5, 4))
    dA_prev, dW, db = ns["linear_backward"](dZ, ns["linear_forward"](A, W, b)[1])
    plain = lambda: float(np.sum(ns["linear_forward"](A, W, b)[0] * dZ))  # noqa: E731
    return {"dA_prev": agree(dA_prev, numeric(plain, A)), "dW": agree(dW, numeric(lambda: plain() / m, W)),
            "db": agree(db, numeric(lambda: plain() / m, b))}


def module_script(first: str, parameters: tuple[str, ...]):
    """A script whose forward and backward pass are at module level: its lines before `first = ...` make the data
    and parameters, the lines up to `loss = ...` are the forward pass, the rest the backward pass."""
    def oracle(path: Path) -> dict[str, bool]:
        body = [s for s in ast.parse(path.read_text()).body if not isinstance(s, (ast.Import, ast.ImportFrom))]
        assigns = [i for i, s in enumerate(body) if isinstance(s, ast.Assign)]
        start = next(i for i in assigns if getattr(body[i].targets[0], "id", "") == first)
        end = next(i for i in assigns if getattr(body[i].targets[0], "id", "") == "loss") + 1
        ns: dict = {"np": np}
        exec(compile(ast.Module(body[:start], []), str(path), "exec"), ns)  # the test's oracle, never the product
        forward = compile(ast.Module(body[start:end], []), str(path), "exec")

        def loss():
            scope = dict(ns)
            exec(forward, scope)
            return scope["loss"]
        exec(compile(ast.Module(body[start:], []), str(path), "exec"), ns)
        return {f"d{p}": agree(ns[f"d{p}"], numeric(loss, ns[p])) for p in parameters}
    return oracle


def oracle_udl(path: Path) -> dict[str, bool]:
    """Understanding Deep Learning 7.2: lists of weights and biases (K = 2 hidden layers, the file's own K), one
    example as a column, the least squares loss of the forward pass's output."""
    ns = definitions(path)
    rng = np.random.default_rng(16)
    sizes = [2, 4, 3, 2]
    weights = [rng.standard_normal((sizes[k + 1], sizes[k])) for k in range(3)]
    biases = [rng.standard_normal((sizes[k + 1], 1)) for k in range(3)]
    x, y = rng.standard_normal((2, 1)), rng.standard_normal((2, 1))
    loss = lambda: float(ns["least_squares_loss"](ns["forward_pass"](x, weights, biases)[0], y))  # noqa: E731
    _, all_f, all_h = ns["forward_pass"](x, weights, biases)
    dweights, dbiases = ns["backward_pass"](weights, biases, all_f, all_h, y)[:2]
    out = {f"all_weights[{k}]": agree(g, numeric(loss, weights[k])) for k, g in enumerate(dweights)}
    out.update({f"all_biases[{k}]": agree(g, numeric(loss, biases[k])) for k, g in enumerate(dbiases)})
    return out


def oracle_word2vec(path: Path) -> dict[str, bool]:
    """CS224n's word2vec: one center word's vector, an outside word's index, the outside vectors as rows; the
    negative samples drawn once (a word drawn twice among them, and the outside word among them too) and kept
    fixed while the loss is perturbed."""
    ns = definitions(path)
    ns["softmax"] = lambda x: np.exp(x - x.max()) / np.exp(x - x.max()).sum()  # the course's utils.softmax
    drawn = [1, 3, 1, 4, 2, 0, 3, 3, 4, 1]
    ns["getNegativeSamples"] = lambda outside, dataset, K: list(drawn[:K])
    rng = np.random.default_rng(17)
    center, outside, o = rng.standard_normal(3), rng.standard_normal((5, 3)), 2
    out = {}
    for name in ("naiveSoftmaxLossAndGradient", "negSamplingLossAndGradient"):
        loss = lambda: float(ns[name](center, o, outside, None)[0])  # noqa: E731
        _, d_center, d_outside = ns[name](center, o, outside, None)
        out[f"{name}.gradCenterVec"] = agree(d_center, numeric(loss, center))
        out[f"{name}.gradOutsideVecs"] = agree(d_outside, numeric(loss, outside))
    return out


def oracle_mytorch(path: Path) -> dict[str, bool]:
    """CMU 11-785's mytorch: Linear against its VJP (rows are examples), each activation against its VJP, each loss
    layer's backward() against its forward (the cross-entropy's targets one-hot, as the handout gives them)."""
    ns = definitions(path)
    rng = np.random.default_rng(18)
    linear = ns["Linear"](3, 4)
    linear.W, linear.b = rng.standard_normal((4, 3)), rng.standard_normal((4, 1))
    A, dLdZ = rng.standard_normal((5, 3)), rng.standard_normal((5, 4))
    vjp = lambda: float(np.sum(linear.forward(A) * dLdZ))  # noqa: E731
    linear.forward(A)
    dLdA = linear.backward(dLdZ)
    out = {"Linear.W": agree(linear.dLdW, numeric(vjp, linear.W)), "Linear.b": agree(linear.dLdb, numeric(vjp, linear.b)),
           "Linear.A": agree(dLdA, numeric(vjp, A))}
    for cls in ("Sigmoid", "Tanh", "ReLU"):
        layer = ns[cls]()
        Z, dA = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
        layer.forward(Z)
        out[f"{cls}.Z"] = agree(layer.backward(dA), numeric(lambda: float(np.sum(layer.forward(Z) * dA)), Z))
    for cls, Y in (("MSELoss", rng.standard_normal((5, 3))), ("CrossEntropyLoss", np.eye(3)[rng.integers(0, 3, 5)])):
        loss = ns[cls]()
        scores = rng.standard_normal((5, 3))
        loss.forward(scores, Y)
        out[f"{cls}.A"] = agree(loss.backward(), numeric(lambda: float(np.sum(loss.forward(scores, Y))), scores))
    return out


def oracle_normalization(path: Path) -> dict[str, bool]:
    """CS231n's batch and layer normalization in training mode, and inverted dropout with p = 0.5 and a seed (the
    same mask on every call, as the course's gradient checks fix it): each backward against its forward's VJP."""
    ns = definitions(path)
    rng = np.random.default_rng(19)
    out = {}
    settings = {"batchnorm": lambda: {"mode": "train"}, "layernorm": lambda: {}}
    for base, backward in (("batchnorm", "batchnorm_backward_alt"), ("layernorm", "layernorm_backward")):
        x, gamma, beta = rng.standard_normal((4, 5)), rng.standard_normal(5), rng.standard_normal(5)
        dout = rng.standard_normal((4, 5))
        vjp = lambda: float(np.sum(ns[f"{base}_forward"](x, gamma, beta, settings[base]())[0] * dout))  # noqa: E731
        grads = ns[backward](dout, ns[f"{base}_forward"](x, gamma, beta, settings[base]())[1])
        for name, g, a in zip(("dx", "dgamma", "dbeta"), grads, (x, gamma, beta)):
            out[f"{backward}.{name}"] = agree(g, numeric(vjp, a))
    x, dout = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    param = lambda: {"mode": "train", "p": 0.5, "seed": 7}  # noqa: E731
    vjp = lambda: float(np.sum(ns["dropout_forward"](x, param())[0] * dout))  # noqa: E731
    out["dropout_backward.dx"] = agree(ns["dropout_backward"](dout, ns["dropout_forward"](x, param())[1]),
                                       numeric(vjp, x))
    return out


def oracle_layernorm_transposed(path: Path) -> dict[str, bool]:
    """Layer normalization written through transposes: (dx, dg, db) against the VJP of the forward."""
    ns = definitions(path)
    rng = np.random.default_rng(20)
    x, gamma, beta, dout = (rng.standard_normal(s) for s in ((4, 5), 5, 5, (4, 5)))
    vjp = lambda: float(np.sum(ns["layernorm_forward"](x, gamma, beta, {})[0] * dout))  # noqa: E731
    grads = ns["layernorm_backward"](dout, ns["layernorm_forward"](x, gamma, beta, {})[1])
    return {name: agree(g, numeric(vjp, a)) for name, g, a in zip(("dx", "dg", "db"), grads, (x, gamma, beta))}


STYLED = {
    "cs231n/layernorm_transposed": oracle_layernorm_transposed,
    "cs231n/normalization": oracle_normalization,
    "cmu11785/mytorch": oracle_mytorch,
    "cs224n/word2vec": oracle_word2vec,
    "udl/backpropagation": oracle_udl,
    "cs231n/layers_undocumented": oracle_cs231n_undocumented,
    "deeplearning_ai/linear_layer": oracle_dlai_linear,
    "karpathy/backprop_ninja": module_script("hprebn", ("W1", "b1", "W2", "b2")),
    "karpathy/backprop_ninja_batchnorm": module_script("hprebn", ("W1", "b1", "W2", "b2", "bngain", "bnbias")),
    "karpathy/backprop_ninja_embedding": module_script("emb", ("W1", "b1", "W2", "b2", "C")),
    "cs231n/rnn_layers": layer_pairs({"rnn_step": ([(4, 3), (4, 5), (3, 5), (5, 5), (5,)],
                                                   ("dx", "dprev_h", "dWx", "dWh", "db"))}, prefixed=False),
    "nielsen/network2": oracle_nielsen2,
    "student/mlp_adam": class_loss("MLP", {"sizes": [4, 5, 6, 3]}, (6, 4), 3),
    "ng_ml/logistic_regression_reg": loss_function("costFunctionReg", cost_function_args),
    "cs231n/two_layer_net_xp": loss_function("loss", params_args),
    "karpathy/linear_classifier": functools.partial(oracle_karpathy, parameters=("W", "b"), step="STEP_SIZE"),
    "nnfs/spiral_training": oracle_nnfs_script,
    "deeplearning_ai/optimization": dlai_split(
        lambda ns, X, Y, p: ns["compute_cost"](ns["forward_propagation"](X, p)[0], Y),
        lambda ns, X, Y, p: ns["backward_propagation"](X, Y, ns["forward_propagation"](X, p)[1]),
        lambda ns: ns["initialize_parameters"]([2, 5, 2, 1])),
    "deeplearning_ai/logistic_regression": loss_function("propagate", propagate_args, loss_at=1),
    "deeplearning_ai/regularization": dlai_split(
        lambda ns, X, Y, p: ns["compute_cost_with_regularization"](ns["forward_propagation"](X, p)[0], Y, p, 0.1),
        lambda ns, X, Y, p: ns["backward_propagation_with_regularization"](X, Y, ns["forward_propagation"](X, p)[1],
                                                                          0.1),
        lambda ns: ns["initialize_parameters"]([3, 4, 2, 1])),
    "deeplearning_ai/gradient_checking": dlai_split(
        lambda ns, X, Y, p: ns["forward_propagation_n"](X, Y, p)[0],
        lambda ns, X, Y, p: ns["backward_propagation_n"](X, Y, ns["forward_propagation_n"](X, Y, p)[1]),
        lambda ns: {"W1": np.zeros((5, 4)), "b1": np.zeros((5, 1)), "W2": np.zeros((3, 5)), "b2": np.zeros((3, 1)),
                    "W3": np.zeros((1, 3)), "b3": np.zeros((1, 1))}),
    "cs231n/three_layer_net": class_loss("ThreeLayerNet", {"input_dim": 5, "hidden_dim": 4, "num_classes": 3,
                                                            "reg": 0.1}, (6, 5), 3),
    "cs231n/softmax": loss_function("softmax_loss_vectorized", softmax_args),
    "cs231n/linear_svm": loss_function("svm_loss_vectorized", softmax_args),
    "cs231n/layer_composites": layer_pairs({"affine": ([(4, 3), (3, 5), (5,)], ("dx", "dw", "db")),
                                            "sigmoid": ([(4, 5)], ("dx",)),
                                            "affine_sigmoid": ([(4, 3), (3, 5), (5,)], ("dx", "dw", "db"))}),
}


#: Entries outside what the static reader follows, refused with their place (never judged correct).
REFUSED: dict[str, set[str]] = {}  # none left: svm_loss's `margins[np.arange(N), y] = 0` is read since issue 21

#: (oracle, the options a learner adds on the command line)
OPTIONS = {"nielsen/network": {"settings": {"sizes": [3, 4, 2]}}, "nielsen/network2": {"settings": {"sizes": [3, 4, 2]}},
           "classifiers/fc_net": {"settings": {"hidden_dims": [4, 3]}},
           "deeplearning_ai/deep_neural_network": {"settings": {"layer_dims": [4, 3, 2, 1]}},
           "deeplearning_ai/regularization": {"settings": {"layer_dims": [3, 4, 2, 1]}},
           "student/mlp_adam": {"settings": {"sizes": [4, 5, 6, 3]}}, "cs231n/normalization": {"settings": {"p": 0.5}}}

ORACLES = {"nielsen/network": oracle_nielsen, "karpathy/case_study": oracle_karpathy, "cs231n/classifiers/fc_net": oracle_cs231n_fc_net, "mit6036/modules": oracle_mit6036, "nnfs/layers": oracle_nnfs, "cs231n/layers": oracle_cs231n_layers, "deeplearning_ai/deep_neural_network": oracle_dlai_deep, "cs224n/neural": oracle_cs224n,
           "cs231n/two_layer_net": oracle_cs231n_two_layer,
           "deeplearning_ai/planar_data_classification": oracle_dlai_planar, **STYLED}


def key_of(path: Path) -> str:
    course = path.parent.parent.name if path.parent.name == "mistakes" else path.parent.name
    return f"{course}/{path.stem.split('__')[0]}"


def files():
    for key, oracle in ORACLES.items():
        course, stem = key.rsplit("/", 1)
        base = CATALOGUE / course
        yield pytest.param(base / f"{stem}.py", oracle, id=f"{course}/{stem}")
        for mistake in sorted((base / "mistakes").glob(f"{stem}__*.py")):
            yield pytest.param(mistake, oracle, id=f"{course}/{mistake.stem}")


@pytest.mark.parametrize("path,oracle", list(files()))
def test_every_verdict_agrees_with_the_oracle(path, oracle):
    result = check_file(str(path), **OPTIONS.get(key_of(path), {}))
    errors = list(homework_schema().iter_errors(result.to_json()))
    assert not errors, errors[0].message  # every result also fits the documented schema
    if path.parent.name == "mistakes":  # and `--no-suggestion` keeps back every spelling of this check's answers
        assert not homework_leaks(path, result, OPTIONS.get(key_of(path), {}))
    try:
        truth = oracle(path)
    except (ValueError, AssertionError):  # the file's own code fails on arrays (shapes that do not conform, its own
        # asserts on shapes): it is wrong
        assert result.network is not None and not result.correct
        assert any(g.verdict in ("shape_error", "wrong_shape", "transposed") for g in result.gradients.values())
        return
    assert result.network is not None, [d.message for d in result.diagnostics]
    refused = REFUSED.get(key_of(path), set())
    for name in refused:
        assert result.gradients[name].verdict == "unusable" and result.gradients[name].diagnostics[0].span
    assert set(result.gradients) - refused == set(truth)
    for key, right in truth.items():
        verdict = result.gradients[key].verdict
        assert (verdict == "correct") == right, (key, verdict, right)
    assert result.correct == (all(truth.values()) and not refused)


def test_the_catalogue_has_its_mistakes():
    wrong = [p for p in CATALOGUE.glob("*/mistakes/*.py")]
    assert len(wrong) >= 8
    for key in STYLED:  # each file written in a course's style has two or three mistakes beside it
        course, stem = key.rsplit("/", 1)
        assert len(list((CATALOGUE / course / "mistakes").glob(f"{stem}__*.py"))) >= 2, key
    assert len(STYLED) >= 15


def test_a_diagnostic_points_into_the_file():
    path = CATALOGUE / "cs231n" / "mistakes" / "two_layer_net__missing_bias_sum.py"
    result = check_file(str(path))
    b1 = result.gradients["b1"]
    assert b1.verdict in ("shape_error", "wrong_shape")
    line = path.read_text().splitlines()[b1.diagnostics[0].span.line - 1]
    assert "b1" in line or "dhidden" in line


def test_the_command_prints_the_section_7_object_and_exits_1_on_a_wrong_gradient():
    path = CATALOGUE / "deeplearning_ai" / "mistakes" / "planar_data_classification__missing_1_over_m.py"
    run = subprocess.run([sys.executable, "-m", "tutor", "check", str(path), "--json"], capture_output=True,
                         text=True)
    assert run.returncode == 1, run.stderr
    data = json.loads(run.stdout)
    assert data["entry"] == "backward_propagation"
    assert data["gradients"]["dW1"]["verdict"] == "scaled"
    assert data["gradients"]["dW2"]["verdict"] == "correct"
    assert data["verdict"] == "scaled"
    assert set(data) >= {"file", "entry", "verdict", "network", "gradients", "diagnostics"}


def test_a_file_that_cannot_be_read_exits_2_naming_what_to_add(tmp_path):
    path = tmp_path / "deep.py"
    path.write_text("import numpy as np\n\ndef initialize_parameters_deep(layer_dims):\n    return {}\n\n"
                    "def L_model_forward(X, parameters):\n    return X, []\n\n"
                    "def L_model_backward(AL, Y, caches):\n    return {}\n")
    run = subprocess.run([sys.executable, "-m", "tutor", "check", str(path), "--json"], capture_output=True,
                         text=True)
    assert run.returncode == 2
    data = json.loads(run.stdout)
    assert data["verdict"] == "unusable"
    assert "--set layer_dims=" in data["diagnostics"][0]["expected"]
    assert "Traceback" not in run.stderr


@functools.cache
def homework_schema():
    import jsonschema
    import tutor.schemas
    return jsonschema.Draft202012Validator(tutor.schemas.load("homework"))


def test_a_file_that_needs_a_setting_fits_the_schema_too():
    validator = homework_schema()
    unusable = check_file(str(CATALOGUE / "nielsen" / "network.py")).to_json()
    assert unusable["verdict"] == "unusable" and "--set sizes=" in unusable["diagnostics"][0]["expected"]
    assert not list(validator.iter_errors(unusable))
