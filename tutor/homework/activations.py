"""A file's own activation helper that computes the language's function is kept as the call the learner wrote.

`def sigmoid(z): return 1 / (1 + np.exp(-z))` and then `A1 = sigmoid(Z1)`: inlined, the network would read
the written-out formula, and a mistake in its derivative (σ′ left out, the sigmoid's derivative used for a
tanh) could only be called "wrong values". Kept as `sigmoid(Z1)`, the judge knows the activation and names
the mistake. A helper is kept only when its own lines, read as a network and evaluated by the engine (never
run), give the language's function on a random draw; any other helper (a wrong one, one that returns a
cache) is inlined as written.
"""
from __future__ import annotations

import ast

from ..engine.errors import TutorError

#: The language's activations, each as the network language writes it, for the comparison.
ACTIVATIONS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "softmax": "softmax"}


def computes(fn: ast.FunctionDef, name: str) -> bool:
    """The helper's body is the language's activation `name` (one argument, assignments, one return)."""
    primitive = ACTIVATIONS.get(name)
    args = fn.args
    if primitive is None or len(args.args) != 1 or args.vararg or args.kwarg or args.kwonlyargs:
        return False
    body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
        return False
    if not all(isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
               for s in body[:-1]):
        return False
    param = args.args[0].arg
    lines = [f"{param}: [4, 3]"] + [ast.unparse(s) for s in body[:-1]] + [f"out__ = {ast.unparse(body[-1].value)}",
                                                                           f"ref__ = {primitive}({param})",
                                                                           "J__ = np.sum(out__ * ref__)"]
    from ..engine.language.network import parse_network
    from ..engine.numbers.numeric import forward
    try:
        network = parse_network("\n".join(lines), "<helper>")
    except (TutorError, SyntaxError, RecursionError):
        return False
    if network.shapes.get("out__") != network.shapes.get(param):
        return False
    import numpy as np
    from ..engine.numbers.generator import Generator
    z = Generator(7).standard_normal((4, 3)) * 2
    try:
        values = forward(network.definitions, {param: z}, {})
    except Exception:  # noqa: BLE001 (any failure of the engine's evaluation: not the activation)
        return False
    got, want = values["out__"], values["ref__"]
    return bool(np.shape(got) == np.shape(want) and np.allclose(got, want, rtol=1e-9, atol=1e-12))
