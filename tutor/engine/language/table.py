"""The network language's tables: its functions, their keywords and defaults, and its limits.

A function of the language is a row here. The parser reads calls through this
table, the printer writes parameters back with it, and every other table
(shapes, derivatives, NumPy meanings) is keyed by the row's primitive.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

MAX_SOURCE_CHARS = 1_000_000
MAX_DEPTH = 100
MAX_STATEMENTS = 5_000
#: A network's definitions: each is differentiated, simplified and checked, and a chain of 1,000 is derived
#: in under 10 s on one core (5,000 took minutes); declarations and a derivation keep MAX_STATEMENTS.
MAX_NETWORK_DEFINITIONS = 1_000
MAX_NUMBER = 1e300
MAX_RANK = 4  # leaves of rank 0 to 4: scalars up to batched, multi-head tensors
MAX_NODE_RANK = 32  # any node (NumPy stops at 64 axes, einsum at 52 letters)
MAX_EINSUM_OPERANDS = 8  # the derivative table has a rule for each position
MAX_LITERAL_DIM = 10**12  # shapes reason about it; numbers are refused far below (sampling.MAX_ELEMENTS)


@dataclass(frozen=True)
class Function:
    """How a function of the language is written: its primitive, arity, keywords and their defaults.

    `required` keywords must be given; `rest` names the keyword that collects extra positional
    arguments as a tuple (`A.reshape(N, 1)` is `reshape(A, shape=(N, 1))`).
    """

    prim: str
    arity: int
    keywords: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    rest: str | None = None
    fixed: dict[str, Any] = field(default_factory=dict)  # set by the name itself: square is pow, exponent 2


_UNARY = ("sigmoid", "tanh", "relu", "exp", "log", "sqrt", "abs", "sign", "diag", "log1p", "copy",
          "zeros_like", "ones_like", "gelu", "erf")
AXIS_ONE = {"axis": -1}
REDUCTION = {"axis": None, "keepdims": False}
FUNCTIONS: dict[str, Function] = {name: Function(name, 1) for name in _UNARY}
FUNCTIONS.update({
    "softmax": Function("softmax", 1, ("axis",), AXIS_ONE),
    "log_softmax": Function("log_softmax", 1, ("axis",), AXIS_ONE),
    "sum": Function("sum", 1, ("axis", "keepdims"), REDUCTION),
    "mean": Function("mean", 1, ("axis", "keepdims"), REDUCTION),
    "maximum": Function("maximum", 2),
    "minimum": Function("minimum", 2),
    "outer": Function("outer", 2),
    "dot": Function("matmul", 2),
    "matmul": Function("matmul", 2),
    "cross_entropy": Function("cross_entropy", 2),
    # NumPy's own spellings, as courses write them (docs/language.md lists each)
    "max": Function("max", 1, ("axis", "keepdims"), REDUCTION),
    "amax": Function("max", 1, ("axis", "keepdims"), REDUCTION),
    "min": Function("min", 1, ("axis", "keepdims"), REDUCTION),
    "amin": Function("min", 1, ("axis", "keepdims"), REDUCTION),
    "clip": Function("clip", 1, ("a_min", "a_max"), required=("a_min", "a_max")),
    "where": Function("where", 3),
    "square": Function("pow", 1, fixed={"exponent": 2}),
    "power": Function("pow", 1, ("exponent",), required=("exponent",)),
    "multiply": Function("mul", 2),
    "divide": Function("div", 2),
    "true_divide": Function("div", 2),
    "add": Function("add", 2),
    "subtract": Function("sub", 2),
    "negative": Function("neg", 1),
    "squeeze": Function("squeeze", 1, ("axis",), {"axis": None}),
    "linalg.norm": Function("norm", 1),
    "zeros": Function("zeros", 0, ("shape",), required=("shape",)),
    "ones": Function("ones", 0, ("shape",), required=("shape",)),
    "arange": Function("arange", 0, ("n",), required=("n",)),
    "range": Function("arange", 0, ("n",), required=("n",)),
    # Extensions beyond SPEC §2, needed to write some gradients (documented in docs/language.md).
    "reshape": Function("reshape", 1, ("shape",), required=("shape",), rest="shape"),
    "ravel": Function("reshape", 1, fixed={"shape": (None,)}),      # a.ravel(), np.ravel(a): one axis
    "flatten": Function("reshape", 1, fixed={"shape": (None,)}),    # a.flatten() (a copy; the same values)
    "onehot": Function("onehot", 1, ("n",), required=("n",)),
    "eye": Function("eye", 0, ("n", "m", "k"), {"k": 0}, required=("n",)),
    # Tensors of rank 3 and 4: moving, adding and repeating axes (issue 13).
    "transpose": Function("transpose", 1, ("axes",), {"axes": None}, rest="axes"),
    "swapaxes": Function("swapaxes", 1, ("axis1", "axis2"), required=("axis1", "axis2")),
    "moveaxis": Function("moveaxis", 1, ("source", "destination"), required=("source", "destination")),
    "expand_dims": Function("expand_dims", 1, ("axis",), required=("axis",)),
    "broadcast_to": Function("broadcast_to", 1, ("shape",), required=("shape",)),
})

# The Python array API standard (2023.12) and the NumPy/PyTorch spellings courses use (issue 21);
# docs/language.md lists the coverage function by function. Spellings that are compositions of
# primitives (var, tile, take, concatenate with its stacking variants, casts …) live in spellings.py.
_MORE_UNARY = ("sin", "cos", "tan", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
               "expm1", "log2", "log10",
               "floor", "ceil", "trunc", "isnan", "isinf", "isfinite")  # the last six: constants (no gradient)
FUNCTIONS.update({name: Function(name, 1) for name in _MORE_UNARY})
FUNCTIONS.update({api: Function(numpy, 1) for api, numpy in (
    ("asin", "arcsin"), ("acos", "arccos"), ("atan", "arctan"), ("asinh", "arcsinh"), ("acosh", "arccosh"),
    ("atanh", "arctanh"), ("absolute", "abs"), ("fabs", "abs"), ("positive", "copy"), ("array", "copy"),
    ("asarray", "copy"), ("asanyarray", "copy"), ("ascontiguousarray", "copy"), ("list", "copy"),
    ("nan_to_num", "copy"),
    # casts: to a float is the same values; to an integer drops the fraction (a constant)
    ("float64", "copy"), ("float32", "copy"), ("float_", "copy"), ("double", "copy"), ("single", "copy"),
    ("float", "copy"), ("int64", "trunc"), ("int32", "trunc"), ("int_", "trunc"), ("intc", "trunc"),
    ("int", "trunc"), ("fix", "trunc"))})
FUNCTIONS.update({
    "arctan2": Function("arctan2", 2), "atan2": Function("arctan2", 2), "hypot": Function("hypot", 2),
    "logaddexp": Function("logaddexp", 2),
    "equal": Function("eq", 2), "not_equal": Function("ne", 2), "greater": Function("gt", 2),
    "greater_equal": Function("ge", 2), "less": Function("lt", 2), "less_equal": Function("le", 2),
    "reciprocal": Function("pow", 1, fixed={"exponent": -1}),
    "round": Function("round", 1, ("decimals",), {"decimals": 0}),
    "around": Function("round", 1, ("decimals",), {"decimals": 0}),
    "rint": Function("round", 1),
    "prod": Function("prod", 1, ("axis", "keepdims"), REDUCTION),
    "nansum": Function("sum", 1, ("axis", "keepdims"), REDUCTION),     # the same on the finite values drawn
    "nanmean": Function("mean", 1, ("axis", "keepdims"), REDUCTION),
    "nanmax": Function("max", 1, ("axis", "keepdims"), REDUCTION),
    "nanmin": Function("min", 1, ("axis", "keepdims"), REDUCTION),
    "argmax": Function("argmax", 1, ("axis", "keepdims"), REDUCTION),
    "argmin": Function("argmin", 1, ("axis", "keepdims"), REDUCTION),
    "argsort": Function("argsort", 1, ("axis",), AXIS_ONE),
    "cumsum": Function("cumsum", 1, ("axis",), {"axis": None}),
    "cumulative_sum": Function("cumsum", 1, ("axis",), {"axis": None}),
    "flip": Function("flip", 1, ("axis",), {"axis": None}),
    "roll": Function("roll", 1, ("shift", "axis"), {"axis": None}, required=("shift",)),
    "concatenate": Function("concatenate", 0, ("axis",), {"axis": 0}),  # read by spellings.py: a tuple of arrays
    "permute_dims": Function("transpose", 1, ("axes",), {"axes": None}, rest="axes"),
})
#: The most arrays one concatenate joins (the derivative table has a rule for each position).
MAX_JOINED = 16
#: Each primitive's default parameters, whatever name it was called by (the printer leaves them out).
DEFAULTS: dict[str, dict[str, Any]] = {fn.prim: fn.defaults for fn in FUNCTIONS.values() if fn.defaults}
#: Functions that may also be called as methods: `A.sum(axis=0)`.
METHODS = {"sum", "mean", "transpose", "reshape", "dot", "max", "min", "copy", "clip", "squeeze", "swapaxes",
           "ravel", "flatten", "prod", "argmax", "argmin", "argsort", "cumsum", "round", "var", "std", "astype",
           "take", "repeat", "all", "any"}
#: PyTorch's spellings of a method NumPy has under another name, as a learner pastes them from a course's
#: torch code: `dlogits = dnorm_logits.clone()`.
METHOD_SPELLINGS = {"clone": "copy", "detach": "copy"}
#: Primitives whose value is an integer array when their first operand is one (labels stay labels).
KEEPS_INTEGERS = {"getitem", "index", "reshape", "transpose", "copy", "squeeze", "swapaxes", "moveaxis",
                  "expand_dims", "broadcast_to", "trunc", "floor", "ceil", "round", "flip", "roll", "concatenate"}
#: Primitives whose value is an integer array whatever their operand (positions, counts).
INTEGER_VALUED = {"arange", "argmax", "argmin", "argsort"}
#: Primitives whose value is 0/1 (a mask), usable as numbers and to mask an assignment.
BOOLEAN_VALUED = {"gt", "ge", "lt", "le", "eq", "ne", "isnan", "isinf", "isfinite"}
#: Parameters that name axes of the operand (`transpose(A, (0, 2, 1, 3))`, `moveaxis(A, 1, 2)`).
AXES_PARAMS = ("axes", "axis1", "axis2", "source", "destination", "shift")
#: Parameters that NumPy takes positionally, so the printer writes them without their keyword.
POSITIONAL = ("i", "n", "m", "shape", "axes", "axis1", "axis2", "source", "destination")
MODULES = {"np", "numpy"}
BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.MatMult: "matmul"}
COMPARE = {ast.Gt: "gt", ast.GtE: "ge", ast.Lt: "lt", ast.LtE: "le", ast.Eq: "eq", ast.NotEq: "ne"}
EXPRESSION_HELP = ("an expression of the network language: names, numbers, + - * / @ **, .T, A[i], "
                   "and the functions " + ", ".join(sorted(k for k in FUNCTIONS if k not in ("onehot",))))

#: Course helpers a network or derivation may call without defining them: (source, course, convention).
#: Each has one meaning fixed by the course it comes from; a learner's own `def` replaces it.
HELPERS: dict[str, tuple[str, str, str]] = {
    "sigmoid_grad": ("def sigmoid_grad(s):\n    return s * (1 - s)\n",
                     "CS224n assignment 1 (q2_sigmoid.py)", "takes the sigmoid's OUTPUT s = sigmoid(z)"),
    "sigmoid_prime": ("def sigmoid_prime(z):\n    return sigmoid(z) * (1 - sigmoid(z))\n",
                      "Nielsen, network.py", "takes the PRE-activation z"),
    "relu_backward": ("def relu_backward(dA, Z):\n    return dA * (Z > 0)\n",
                      "deeplearning.ai course 1, dnn_utils.py", "takes the upstream gradient and the cache Z"),
    "sigmoid_backward": ("def sigmoid_backward(dA, Z):\n    s = sigmoid(Z)\n    return dA * s * (1 - s)\n",
                         "deeplearning.ai course 1, dnn_utils.py", "takes the upstream gradient and the cache Z"),
}

CLAIM_PREFIXES = ("dJ_d", "grad_", "grad", "d")


def claimed_node(name: str, nodes) -> str | None:
    """The node a derivation's name claims the gradient of: dW1, dJ_dW1, grad_W1, gradW1 → W1."""
    for prefix in CLAIM_PREFIXES:
        if name.startswith(prefix) and name[len(prefix):] in nodes:
            return name[len(prefix):]
    return None


def claimed_by_key(key: str, nodes) -> str | None:
    """grads['W1'] and grads['dW1'] (deeplearning.ai's spelling) both claim W1."""
    return key if key in nodes else claimed_node(key, nodes)


#: The printed math form, refused when typed, with what to type instead.
MATH_CHARACTERS = {"ᵀ": ".T", "ŷ": "yhat", "Ŷ": "Yhat", "−": "-", "∘": "*", "·": "*", "×": "*",
                   "δ": "a name such as dz1", "∂": "a name such as dW1", "²": "** 2", "√": "sqrt(...)"}
