"""The courses' own helper modules that homework files import, as published (their definitions only).

A deeplearning.ai file does `from dnn_utils import sigmoid, relu, relu_backward, sigmoid_backward`; those
helpers are not in the file, so their definitions are read from here (never imported, like the file).
"""
from __future__ import annotations

import ast

from ..engine.language.ir import parse_python

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


def course_helpers(tree: ast.Module, origin: str = "", depth: int = 0, seen: set | None = None) -> list[tuple[str, str]]:
    """(module, source) of the modules the file imports that hold its helpers: the file's own siblings
    (`from ..layers import *` in CS231n's fc_net.py), read as text and never imported, then the course
    helper modules whose published definitions shapetutor keeps (`from dnn_utils import *`)."""
    found: list[tuple[str, str]] = []
    seen = seen if seen is not None else set()
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom):
            modules = [(stmt.module or "", stmt.level)]
        elif isinstance(stmt, ast.Import):
            modules = [(a.name, 0) for a in stmt.names]
        else:
            continue
        for m, level in modules:
            sibling = sibling_source(origin, m, level) if origin and depth < 3 else None
            if sibling is not None and sibling[0] not in seen:
                seen.add(sibling[0])
                path, text = sibling
                try:
                    inner = parse_python(text)
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    continue
                found.append((path, text))
                found.extend(course_helpers(inner, path, depth + 1, seen))
            elif m and m.split(".")[-1] in MODULES and m not in dict(found):
                found.append((m, MODULES[m.split(".")[-1]]))
    return found


def sibling_source(origin: str, module: str, level: int) -> tuple[str, str] | None:
    """The text of a module the file imports from its own folder (or a parent, for `from ..x import`)."""
    from pathlib import Path
    base = Path(origin).resolve().parent
    for _ in range(max(level - 1, 0)):
        base = base.parent
    if not module:
        return None
    # `from cs231n.layers import *` in cs231n/classifiers/fc_net.py: the course's package, found from the
    # folders above the file (an absolute import names it from the assignment's root)
    for folder in [base] + (list(base.parents)[:3] if level == 0 else []):
        path = folder.joinpath(*module.split(".")).with_suffix(".py")
        try:
            if not path.is_file() or path.stat().st_size > 1_000_000:
                continue
            return str(path), path.read_text(encoding="utf-8")
        except (OSError, UnicodeError):
            return None
    return None
