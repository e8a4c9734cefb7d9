"""Every primitive of SPEC §2, differentiated by the engine and checked against
central finite differences.

Each case is an expression over a few declared leaves. The test network is

    <declarations>
    Cw: <shape of the expression>      # a random weighting
    J = sum((EXPR) * Cw)

so every entry of the expression's Jacobian is exercised. The derived gradient
of every leaf (Cw included) must have the leaf's shape and equal the finite
differences; its printed form must parse again and give the same numbers.
"""
from __future__ import annotations

import numpy as np
import pytest

from tutor.engine.language.dims import format_shape
from tutor.engine.errors import TutorError
from tutor.engine.calculus.grad import backward
from tutor.engine.language.network import parse_network
from tutor.engine.numbers.numeric import forward

from gradcheck import check_gradients, check_reparse, evaluate, finite_differences, leaf_values

DIMS = {"N": 3, "M": 4, "K": 2, "L": 5}

MAT = "[N, M]"
ROW = "[1, M]"
COL = "[N, 1]"
VEC = "[M]"
SCALAR = "[]"


def case(expr, decls, domains=None, id=None, marks=()):
    return pytest.param(expr, decls, domains or {}, id=id or expr, marks=marks)


# -- elementwise arithmetic with broadcasting --------------------------------------------
BROADCAST_PAIRS = [
    (MAT, MAT), (MAT, VEC), (VEC, MAT), (MAT, ROW), (ROW, MAT), (MAT, COL), (COL, MAT),
    (COL, ROW), ("[M]", "[N, 1]"), (SCALAR, MAT), (MAT, SCALAR), (VEC, VEC), (ROW, VEC),
    (SCALAR, SCALAR), (SCALAR, VEC), ("[1, 1]", MAT), (MAT, "[1, 1]"), ("[1]", VEC),
]
ARITH = []
for op in ("+", "-", "*", "/"):
    for a, b in BROADCAST_PAIRS:
        ARITH.append(case(f"A {op} B", {"A": a, "B": b}, {"B": "pos"} if op == "/" else {},
                          id=f"A{a}{op}B{b}"))
ARITH += [
    case("A + 2", {"A": MAT}), case("3 - A", {"A": VEC}), case("A * 0.5", {"A": MAT}),
    case("2 / A", {"A": MAT}, {"A": "pos"}), case("A / 4", {"A": ROW}),
    case("A * A", {"A": MAT}), case("A / A ** 2", {"A": VEC}, {"A": "pos"}),
    case("A - A.T", {"A": "[N, N]"}, id="A-A.T square"),
    case("N * A", {"A": MAT}, id="dimension as scalar"),
    case("A / (M * N)", {"A": MAT}, id="dimension product as scalar"),
]

POW = []
for exponent, domain in (("2", "normal"), ("3", "normal"), ("-1", "pos"), ("0.5", "pos"), ("(1/2)", "pos"),
                         ("-2", "pos"), ("1.5", "pos"), ("0", "normal"), ("1", "normal")):
    for shape in (MAT, VEC, SCALAR, COL):
        POW.append(case(f"A ** {exponent}", {"A": shape}, {"A": domain}, id=f"A{shape}**{exponent}"))

NEG = [case("-A", {"A": s}, id=f"-A{s}") for s in (MAT, VEC, SCALAR)] + [
    case("-(A - B)", {"A": MAT, "B": VEC}), case("-A * -B", {"A": MAT, "B": VEC})]

# -- matrix products: every rank-1 / rank-2 combination ------------------------------------
MATMUL = [
    case("A @ B", {"A": "[M]", "B": "[M]"}, id="vec@vec"),
    case("A @ B", {"A": "[M]", "B": "[M, K]"}, id="vec@mat"),
    case("A @ B", {"A": "[N, M]", "B": "[M]"}, id="mat@vec"),
    case("A @ B", {"A": "[N, M]", "B": "[M, K]"}, id="mat@mat"),
    case("A @ B", {"A": "[1, M]", "B": "[M, 1]"}, id="row@col"),
    case("A @ B", {"A": "[N, 1]", "B": "[1, K]"}, id="col@row"),
    case("A @ B", {"A": "[M]", "B": "[M, 1]"}, id="vec@col"),
    case("A @ B", {"A": "[1, M]", "B": "[M]"}, id="row@vec"),
    case("A @ B", {"A": "[M, M]", "B": "[M, M]"}, id="square@square"),
    case("A @ A", {"A": "[M, M]"}, id="A@A"),
    case("A @ A.T", {"A": MAT}, id="A@A.T"),
    case("A.T @ B", {"A": "[M, N]", "B": "[M, K]"}, id="A.T@B"),
    case("A @ B.T", {"A": "[N, M]", "B": "[K, M]"}, id="A@B.T"),
    case("(A @ B).T", {"A": "[N, M]", "B": "[M, K]"}, id="(A@B).T"),
    case("dot(A, B)", {"A": "[N, M]", "B": "[M, K]"}, id="dot mat"),
    case("dot(A, B)", {"A": "[M]", "B": "[M]"}, id="dot vec"),
    case("np.dot(A, B)", {"A": "[M]", "B": "[M, K]"}, id="np.dot vec@mat"),
    case("np.matmul(A, B)", {"A": "[N, M]", "B": "[M]"}, id="np.matmul"),
]

TRANSPOSE = [
    case("A.T", {"A": MAT}), case("A.T", {"A": VEC}, id="A.T vector"), case("A.T", {"A": COL}, id="A.T col"),
    case("A.T", {"A": SCALAR}, id="A.T scalar"), case("A.T.T", {"A": MAT}),
    case("transpose(A)", {"A": MAT}), case("np.transpose(A)", {"A": ROW}), case("A.transpose()", {"A": MAT}),
    case("transpose(A)", {"A": VEC}, id="transpose vector"), case("A.T * B", {"A": "[M, N]", "B": MAT}),
]

INDEX = [
    case("A[0]", {"A": MAT}), case("A[2]", {"A": MAT}), case("A[-1]", {"A": MAT}), case("A[-3]", {"A": MAT}),
    case("A[1]", {"A": "[N]"}, id="A[1] vector"), case("A[-1]", {"A": "[N]"}, id="A[-1] vector"),
    case("A[2]", {"A": "[3, M]"}, id="A[2] literal"), case("A[-3]", {"A": "[3, M]"}, id="A[-3] literal"),
    case("A[1][2]", {"A": MAT}), case("A.T[0]", {"A": MAT}), case("A[0] + A[1]", {"A": MAT}),
    case("(A @ B)[1]", {"A": MAT, "B": "[M, K]"}),
]

UNARY = []
for fn, domain in (("sigmoid", "normal"), ("tanh", "normal"), ("relu", "away"), ("exp", "normal"),
                  ("log", "pos"), ("sqrt", "pos"), ("abs", "away")):
    for shape in (MAT, VEC, SCALAR, ROW):
        UNARY.append(case(f"{fn}(A)", {"A": shape}, {"A": domain}, id=f"{fn}(A{shape})"))
    UNARY.append(case(f"np.{fn}(A)", {"A": MAT}, {"A": domain}))
    UNARY.append(case(f"numpy.{fn}(A)", {"A": VEC}, {"A": domain}))
UNARY += [
    case("relu(A) * A", {"A": MAT}, {"A": "away"}), case("abs(A) ** 3", {"A": VEC}, {"A": "away"}),
    case("log(sigmoid(A))", {"A": MAT}), case("sqrt(exp(A))", {"A": VEC}),
    case("exp(A) / sum(exp(A))", {"A": VEC}, id="softmax written out"),
]

SOFTMAX = []
for fn in ("softmax", "log_softmax"):
    for shape, axes in ((MAT, ("", ", axis=0", ", axis=1", ", axis=-1", ", axis=-2", ", 0")),
                        (VEC, ("", ", axis=0", ", axis=-1")),
                        (ROW, ("", ", axis=-1")),
                        (COL, (", axis=0",))):
        for axis in axes:
            SOFTMAX.append(case(f"{fn}(A{axis})", {"A": shape}, id=f"{fn}(A{shape}{axis})"))
            # `2 * ...` keeps the weighting from being taken for a one-hot label, so the
            # general rule is exercised too
            SOFTMAX.append(case(f"2 * {fn}(A{axis})", {"A": shape}, id=f"2*{fn}(A{shape}{axis})"))
    SOFTMAX.append(case(f"np.{fn}(A @ B, axis=0)", {"A": MAT, "B": "[M, K]"}))
SOFTMAX += [
    case("log(softmax(A))", {"A": MAT}), case("log(softmax(A, axis=0))", {"A": MAT}),
    case("softmax(A) * softmax(A)", {"A": VEC}), case("log_softmax(A) - log(softmax(A))", {"A": MAT}),
    case("softmax(A * B, axis=0)", {"A": MAT, "B": VEC}),
]

REDUCE = []
for fn in ("sum", "mean"):
    for axis in ("", ", axis=None", ", axis=0", ", axis=1", ", axis=-1", ", axis=-2", ", axis=(0, 1)",
                 ", axis=(1, 0)", ", axis=(-1, 0)"):
        for keep in ("", ", keepdims=True", ", keepdims=False"):
            REDUCE.append(case(f"{fn}(A{axis}{keep})", {"A": MAT}))
    for axis in ("", ", axis=0", ", axis=-1", ", axis=(0,)"):
        for keep in ("", ", keepdims=True"):
            REDUCE.append(case(f"{fn}(A{axis}{keep})", {"A": VEC}, id=f"{fn}(vector{axis}{keep})"))
    REDUCE += [
        case(f"{fn}(A)", {"A": SCALAR}, id=f"{fn}(scalar)"),
        case(f"{fn}(A, axis=0)", {"A": ROW}, id=f"{fn}(row, axis=0)"),
        case(f"{fn}(A, axis=1, keepdims=True)", {"A": COL}, id=f"{fn}(col, axis=1, keepdims)"),
        case(f"A.{fn}(axis=0)", {"A": MAT}), case(f"A.{fn}()", {"A": MAT}), case(f"A.{fn}(1)", {"A": MAT}),
        case(f"A.T.{fn}(axis=0)", {"A": MAT}), case(f"(A * B).{fn}(axis=-1, keepdims=True)", {"A": MAT, "B": VEC}),
        case(f"np.{fn}(A, axis=1)", {"A": MAT}), case(f"numpy.{fn}(A, 0, True)", {"A": MAT}),
        case(f"{fn}(A, 1) * B", {"A": MAT, "B": "[N]"}), case(f"A - {fn}(A, axis=1, keepdims=True)", {"A": MAT}),
        case(f"A - {fn}(A, axis=0)", {"A": MAT}), case(f"{fn}(A @ B, axis=0)", {"A": MAT, "B": "[M, K]"}),
    ]

MINMAX = []
for fn in ("maximum", "minimum"):
    MINMAX += [
        case(f"{fn}(A, B)", {"A": MAT, "B": MAT}, {"A": "half", "B": "quarter"}, id=f"{fn} mat,mat"),
        case(f"{fn}(A, B)", {"A": MAT, "B": VEC}, {"A": "half", "B": "quarter"}, id=f"{fn} mat,vec"),
        case(f"{fn}(A, B)", {"A": COL, "B": ROW}, {"A": "half", "B": "quarter"}, id=f"{fn} col,row"),
        case(f"{fn}(A, B)", {"A": SCALAR, "B": MAT}, {"A": "quarter", "B": "half"}, id=f"{fn} scalar,mat"),
        case(f"{fn}(A, 0.25)", {"A": MAT}, {"A": "half"}), case(f"{fn}(0.25, A)", {"A": VEC}, {"A": "half"}),
        case(f"np.{fn}(A, B)", {"A": VEC, "B": VEC}, {"A": "quarter", "B": "half"}),
        case(f"{fn}(A, B) * A", {"A": MAT, "B": MAT}, {"A": "half", "B": "quarter"}, id=f"{fn} times A"),
    ]

OUTER = [
    case("outer(A, B)", {"A": "[N]", "B": "[M]"}, id="outer vec,vec"),
    case("outer(A, A)", {"A": "[M]"}, id="outer A,A"),
    case("np.outer(A, B)", {"A": "[N]", "B": "[K]"}, id="np.outer"),
    case("outer(A, B)", {"A": "[N, 1]", "B": "[M]"}, id="outer col,vec"),
    case("outer(A, B)", {"A": "[M]", "B": "[1, K]"}, id="outer vec,row"),
    case("outer(A, B)", {"A": "[2, 3]", "B": "[K]"}, id="outer mat,vec"),
    case("outer(A, B)", {"A": "[K]", "B": "[2, 3]"}, id="outer vec,mat"),
    case("outer(A, B)", {"A": "[2, 3]", "B": "[3, 2]"}, id="outer mat,mat"),
    case("outer(A, B)", {"A": "[N, M]", "B": "[K]"}, id="outer symbolic mat,vec"),
    case("outer(A, B)", {"A": "[]", "B": "[M]"}, id="outer scalar,vec"),
]

DIAG = [
    case("diag(A)", {"A": "[M]"}, id="diag vector"),
    case("diag(A)", {"A": "[M, M]"}, id="diag square"),
    case("np.diag(A)", {"A": "[3, 3]"}, id="np.diag literal square"),
    case("diag(A) @ B", {"A": "[N]", "B": MAT}, id="diag(v)@B"),
    case("diag(A @ A.T)", {"A": MAT}, id="diag(A@A.T)"),
    case("diag(diag(A))", {"A": "[M]"}, id="diag(diag(v))"),
    case("diag(A)", {"A": "[2, 3]"}, id="diag wide literal"),
    case("diag(A)", {"A": "[3, 2]"}, id="diag tall literal"),
]

CROSS_ENTROPY = [
    case("cross_entropy(Y, P)", {"Y": MAT, "P": MAT}, {"Y": "normal", "P": "pos"}, id="ce leaves mat"),
    case("cross_entropy(Y, P)", {"Y": VEC, "P": VEC}, {"Y": "normal", "P": "pos"}, id="ce leaves vec"),
    case("cross_entropy(Y, P)", {"Y": VEC, "P": MAT}, {"Y": "normal", "P": "pos"}, id="ce broadcast"),
    case("cross_entropy(Y, softmax(Z))", {"Y": MAT, "Z": MAT}, id="ce softmax rows (one-hot Y)"),
    case("cross_entropy(Y, softmax(Z, axis=0))", {"Y": MAT, "Z": MAT}, id="ce softmax cols (one-hot Y)"),
    case("cross_entropy(Y, softmax(Z))", {"Y": VEC, "Z": VEC}, id="ce softmax vector"),
    case("cross_entropy(Y, sigmoid(Z))", {"Y": MAT, "Z": MAT}, id="ce sigmoid"),
    case("np.cross_entropy(Y, softmax(X @ W))", {"Y": "[N, K]", "X": MAT, "W": "[M, K]"}, id="ce np. prefix"),
    case("-sum(Y * log(softmax(Z)))", {"Y": MAT, "Z": MAT}, id="ce written out"),
    case("-sum(Y * log_softmax(Z, axis=0))", {"Y": MAT, "Z": MAT}, id="ce log_softmax"),
    case("cross_entropy(Y, softmax(Z)) / N", {"Y": MAT, "Z": MAT}, id="ce / N"),
    # the first operand has an axis the second lacks: its gradient is broadcast back, not summed away
    case("cross_entropy(sigmoid(A), softmax(Z, axis=0))", {"A": ROW, "Z": VEC}, id="ce broadcast operands"),
    case("cross_entropy(sigmoid(Z), softmax(A))", {"A": ROW, "Z": VEC}, id="ce broadcast labels"),
]

# forms whose printing needs care: signs, powers of negatives, precedence, dimensions as numbers
PRINTING = [
    case("A * -2", {"A": MAT}), case("-A ** 2", {"A": MAT}), case("(-A) ** 2", {"A": MAT}),
    case("(-A) ** 3", {"A": VEC}), case("A - -B", {"A": MAT, "B": VEC}), case("A / -B", {"A": MAT, "B": VEC}, {"B": "pos"}),
    case("-(A @ B)", {"A": MAT, "B": "[M, K]"}), case("A - (B - A)", {"A": VEC, "B": VEC}),
    case("A / (B * A)", {"A": VEC, "B": VEC}, {"A": "pos", "B": "pos"}), case("A @ (B @ C2)", {"A": "[N, M]", "B": "[M, K]", "C2": "[K, L]"}),
    case("(A - B) ** 2 / N ** 2", {"A": MAT, "B": MAT}), case("1 / (1 + exp(-A))", {"A": MAT}), case("A * (A > 0)", {"A": MAT}, {"A": "away"}),
    case("A * (B >= 0.25)", {"A": MAT, "B": MAT}, {"B": "half"}),
    case("exp(-A ** 2 / 2) / sqrt(2 * 3.14159)", {"A": VEC}),
    case("1e-3 * A + 1e5 * A / 1e5", {"A": VEC}),
]

# -- the array API standard and the NumPy/PyTorch spellings courses use (issue 21) ----------------
NUMPY = []
for fn, domain in (("sin", "normal"), ("cos", "normal"), ("tan", "unit"), ("sinh", "normal"), ("cosh", "normal"),
                   ("arcsin", "unit"), ("arccos", "unit"), ("arctan", "normal"), ("arcsinh", "normal"),
                   ("arctanh", "unit"), ("expm1", "normal"), ("log2", "pos"), ("log10", "pos"),
                   ("asin", "unit"), ("atan", "normal"), ("floor", "normal"), ("ceil", "normal"),
                   ("trunc", "normal"), ("round", "normal"), ("fabs", "away"), ("reciprocal", "pos"),
                   ("positive", "normal"), ("nan_to_num", "normal"), ("array", "normal"), ("float64", "normal"),
                   ("int64", "normal")):
    NUMPY.append(case(f"np.{fn}(A)", {"A": MAT}, {"A": domain}, id=f"np.{fn}"))
NUMPY += [
    case("np.arccosh(A + 1)", {"A": MAT}, {"A": "pos"}),
    case("np.arctan2(A, B)", {"A": MAT, "B": VEC}, {"B": "pos"}), case("np.hypot(A, B)", {"A": MAT, "B": MAT}),
    case("np.logaddexp(A, B)", {"A": MAT, "B": COL}),
    case("A * (B == 0.5)", {"A": MAT, "B": MAT}, {"B": "half"}),
    case("A * (B != 0.5)", {"A": MAT, "B": MAT}, {"B": "half"}),
    case("A * np.greater(A, 0.25)", {"A": MAT}, {"A": "half"}), case("A * ~(A > 0.25)", {"A": MAT}, {"A": "half"}),
    case("A * np.logical_and(A > 0.25, B < 0.25)", {"A": MAT, "B": MAT}, {"A": "half", "B": "half"}),
    case("A * np.logical_or(A > 0.25, B < 0.25)", {"A": MAT, "B": MAT}, {"A": "half", "B": "half"}),
    case("A * np.logical_not(A > 0.25)", {"A": MAT}, {"A": "half"}),
    case("A // 0.5 + A % 0.5", {"A": MAT}, {"A": "quarter"}), case("np.remainder(A, B)", {"A": MAT, "B": MAT},
                                                                    {"A": "quarter", "B": "pos"}),
    case("np.prod(A)", {"A": MAT}, {"A": "pos"}), case("np.prod(A, axis=0)", {"A": MAT}, {"A": "pos"}),
    case("A.prod(axis=1, keepdims=True) * A", {"A": MAT}, {"A": "pos"}),
    case("np.var(A)", {"A": MAT}), case("np.var(A, axis=0)", {"A": MAT}), case("A.var(axis=1, keepdims=True)", {"A": MAT}),
    case("np.std(A, axis=0)", {"A": MAT}), case("A.std()", {"A": MAT}), case("np.var(A, axis=0, ddof=1)", {"A": MAT}),
    case("np.std(A, axis=1, ddof=1)", {"A": "[N, 3]"}),
    case("np.cumsum(A, axis=0)", {"A": MAT}), case("np.cumsum(A)", {"A": MAT}), case("A.cumsum(axis=1)", {"A": MAT}),
    case("np.cumulative_sum(A, axis=1)", {"A": MAT}),
    case("np.flip(A, axis=0)", {"A": MAT}), case("np.flip(A)", {"A": MAT}), case("np.roll(A, 1, axis=1)", {"A": MAT}),
    case("np.roll(A, -2)", {"A": MAT}), case("np.roll(A, (1, 2), axis=(0, 1))", {"A": MAT}),
    case("np.concatenate((A, B), axis=0)", {"A": MAT, "B": "[K, M]"}),
    case("np.concatenate([A, B, A], axis=1)", {"A": MAT, "B": "[N, K]"}),
    case("np.hstack((A, B))", {"A": MAT, "B": "[N, K]"}), case("np.hstack([A, B])", {"A": VEC, "B": "[K]"}),
    case("np.vstack((A, B))", {"A": MAT, "B": "[K, M]"}), case("np.vstack((A, B))", {"A": VEC, "B": VEC}, id="vstack vec"),
    case("np.stack((A, B), axis=1)", {"A": MAT, "B": MAT}), case("np.stack([A, B])", {"A": VEC, "B": VEC}),
    case("np.column_stack((A, B))", {"A": VEC, "B": VEC}), case("np.column_stack([A, B])", {"A": MAT, "B": "[N]"}),
    case("np.dot(-1, A)", {"A": MAT}), case("np.dot(A, 0.5)", {"A": VEC}), case("np.concatenate((A, A), axis=-1)", {"A": MAT}),
    case("np.tile(A, (2, 1))", {"A": MAT}), case("np.tile(A, 3)", {"A": VEC}), case("np.tile(A, (N, 1)) * B", {"A": ROW, "B": MAT}),
    case("np.repeat(A, 2, axis=0)", {"A": MAT}), case("np.repeat(A, 3)", {"A": MAT}), case("A.repeat(K, axis=1) + B", {"A": MAT, "B": "[N, M*K]"}),
    case("np.moveaxis(A, 0, 1)", {"A": MAT}), case("np.expand_dims(A, 1)", {"A": VEC}),
    case("np.broadcast_to(A, (N, M)) * B", {"A": VEC, "B": MAT}),
    case("np.tensordot(A, B, axes=1)", {"A": MAT, "B": "[M, K]"}), case("np.tensordot(A, B)", {"A": MAT, "B": MAT}),
    case("np.tensordot(A, B, axes=([0], [0]))", {"A": MAT, "B": "[N, K]"}),
    case("np.vecdot(A, B)", {"A": MAT, "B": VEC}), case("np.matrix_transpose(A)", {"A": MAT}), case("A.mT", {"A": MAT}),
    case("np.permute_dims(A, (1, 0))", {"A": MAT}),
    case("np.take(A, Y, axis=0)", {"A": MAT, "Y": VEC}, id="take float index refused", marks=pytest.mark.xfail(
        strict=True, raises=TutorError, reason="an index array must hold integers")),
    case("np.take(A, 1, axis=1)", {"A": MAT}), case("A.take(2)", {"A": MAT}),
    case("np.sort(A, axis=1)", {"A": MAT}), case("np.sort(A)", {"A": VEC}), case("np.sort(A, axis=0)", {"A": MAT}),
    case("A * (np.argsort(A, axis=1) == 0)", {"A": MAT}), case("A * (np.argmax(A, axis=1, keepdims=True) > 1)", {"A": MAT}),
    case("A * (A.argmin(axis=0) == 1)", {"A": MAT}), case("A * (np.argmax(A) == 2)", {"A": MAT}),
    case("np.take_along_axis(A, np.argsort(A, axis=1), axis=1)", {"A": MAT}),
    case("np.take_along_axis(A, np.argmax(A, axis=0, keepdims=True), axis=0)", {"A": MAT}),
    case("A.astype(float)", {"A": MAT}), case("A.astype(np.float32) * A.astype(int)", {"A": MAT}),
    case("A * (A > 0).astype(int)", {"A": MAT}, {"A": "away"}), case("A * np.int64(A > 0)", {"A": MAT}, {"A": "away"}),
    case("A * (A > 0).astype(np.float64)", {"A": MAT}, {"A": "away"}), case("A.astype('f')", {"A": VEC}),
    case("np.clip(A, 0.25, None)", {"A": MAT}, {"A": "half"}), case("A.clip(0.25)", {"A": MAT}, {"A": "half"}),
    case("np.clip(A, None, 0.25)", {"A": MAT}, {"A": "half"}), case("A.clip(min=0.25)", {"A": MAT}, {"A": "half"}),
    case("np.sum(A, axis=1, keepdims=1)", {"A": MAT}), case("A.sum(dim=0, keepdim=True)", {"A": MAT}),
    case("np.mean(A, 0, keepdims=True)", {"A": MAT}), case("np.sum(A, dtype=np.float64)", {"A": MAT}),
    case("np.reshape(A, (M, N), order='F')", {"A": MAT}), case("A.reshape(N * M, order='F')", {"A": MAT}),
    case("A.reshape((M, N), order='C')", {"A": MAT}),
    case("np.nansum(A, axis=0)", {"A": MAT}), case("np.nanmean(A)", {"A": MAT}),
    case("A * np.prod(A.shape)", {"A": MAT}), case("A / np.prod(A[0].shape)", {"A": MAT}),
    case("np.full_like(A, 2.0) * A", {"A": MAT}), case("np.full((N, M), 0.5) * A", {"A": MAT}),
    case("A * np.all(A > 0.25, axis=1, keepdims=True)", {"A": MAT}, {"A": "half"}),
    case("A * np.isfinite(A)", {"A": MAT}), case("A * np.count_nonzero(A > 0.25)", {"A": MAT}, {"A": "half"}),
    case("A * np.signbit(A)", {"A": MAT}, {"A": "away"}),
]

ALL = (NUMPY + PRINTING + ARITH + POW + NEG + MATMUL + TRANSPOSE + INDEX + UNARY + SOFTMAX + REDUCE + MINMAX + OUTER + DIAG
       + CROSS_ENTROPY)

# Known engine bugs (see the report): the expression, and why it fails.
BUGS = {
}


def build(expr: str, decls: dict[str, str]):
    head = "".join(f"{name}: {shape}\n" for name, shape in decls.items())
    probe = parse_network(head + f"G = {expr}\nJ = sum(G)\n")
    shape = probe.shapes["G"]
    if any(len(d.symbols) > 1 or (d.symbols and d.coeff != 1) for d in shape):
        # a product dimension (outer of matrices) cannot be declared: weight by the value itself
        return parse_network(head + f"J = sum(({expr}) * ({expr}))\n")
    weight = "[" + ", ".join(str(d) for d in shape) + "]"
    return parse_network(head + f"Cw: {weight}\nJ = sum(({expr}) * Cw)\n")


def bindings_for(network):
    return network.bindings({k: v for k, v in DIMS.items() if k in network.dims})


def apply_known_bugs(request, label):
    if label in BUGS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=BUGS[label]))


@pytest.mark.parametrize("expr, decls, domains", ALL)
@pytest.mark.parametrize("seed", [0, 1])
def test_gradient_matches_finite_differences(expr, decls, domains, seed, request):
    apply_known_bugs(request, request.node.callspec.id.split("-", 1)[1])
    network = build(expr, decls)
    bindings = bindings_for(network)
    leaves = leaf_values(network, bindings, np.random.default_rng(seed), domains)
    check_gradients(network, bindings, leaves)


@pytest.mark.parametrize("expr, decls, domains", ALL)
def test_printed_gradient_reparses(expr, decls, domains, request):
    apply_known_bugs(request, request.node.callspec.id)
    network = build(expr, decls)
    bindings = bindings_for(network)
    leaves = leaf_values(network, bindings, np.random.default_rng(7), domains)
    grads, values = check_gradients(network, bindings, leaves)
    check_reparse(network, grads, values, bindings)


def test_shape_of_each_primitive():
    """A few result shapes, symbolic: what the rules above rest on."""
    cases = {
        "A @ B": ({"A": "[M]", "B": "[M, K]"}, "K"),
        "outer(A, B)": ({"A": "[2, 3]", "B": "[K]"}, "6×K"),
        "diag(A)": ({"A": "[M]"}, "M×M"),
        "sum(A, axis=0, keepdims=True)": ({"A": MAT}, "1×M"),
        "mean(A, axis=(0, 1))": ({"A": MAT}, "scalar"),
        "A[-1]": ({"A": MAT}, "M"),
        "A.T": ({"A": VEC}, "M"),
        "A + B": ({"A": COL, "B": VEC}, "N×M"),
        "cross_entropy(A, B)": ({"A": MAT, "B": MAT}, "scalar"),
    }
    for expr, (decls, expected) in cases.items():
        head = "".join(f"{name}: {shape}\n" for name, shape in decls.items())
        net = parse_network(head + f"G = {expr}\nJ = sum(G)\n")
        assert format_shape(net.shapes["G"]) == expected, expr


def test_one_hot_assumption_is_reported():
    net = parse_network("Y: [N, M]\nZ: [N, M]\nJ = cross_entropy(Y, softmax(Z))\n")
    grads = backward(net)
    assert [(a.target, a.axis) for a in grads.assumptions] == [("Y", 1)]
    net = parse_network("Y: [N, M]\nZ: [N, M]\nJ = sum(Y * softmax(Z))\n")
    assert backward(net).assumptions == ()


# -- a reduction applied directly to a broadcasting operation ----------------------------------
# Without the weighting, the gradient reaching `A + B` is the reduction's "repeat g" form; undoing
# B's broadcasting must then still sum over the copies.

REDUCTIONS = ["sum({e})", "mean({e})", "sum({e}, axis=0)", "sum({e}, axis=1)",
              "mean({e}, axis=0, keepdims=True)", "sum({e}, axis=-1, keepdims=True)"]
PAIRS = [("[N, M]", "[M]"), ("[N, M]", "[1, M]"), ("[N, M]", "[N, 1]"), ("[N, M]", "[]"),
         ("[N, 1]", "[1, M]"), ("[M]", "[]"), ("[N, M]", "[N, M]")]
BROADCAST_BUG = ("vjp.unbroadcast returns broadcast_to(g, like)'s g unchanged when g already has the operand's "
                 "shape, dropping the sum over the broadcast copies: the broadcast operand's gradient is "
                 "too small by the number of copies")
# (reduction, A, op, B) that the engine currently gets wrong, all through that shortcut
BROADCAST_BUG_CASES = {
    ("sum({e})", "[N, M]", "+", "[]"), ("sum({e})", "[M]", "+", "[]"),
    ("mean({e})", "[N, M]", "+", "[]"), ("mean({e})", "[M]", "+", "[]"),
    ("sum({e}, axis=0)", "[N, M]", "+", "[M]"), ("sum({e}, axis=0)", "[M]", "+", "[]"),
    ("sum({e}, axis=1)", "[N, M]", "+", "[N, 1]"), ("sum({e}, axis=1)", "[N, 1]", "+", "[1, M]"),
    ("mean({e}, axis=0, keepdims=True)", "[N, M]", "+", "[1, M]"),
    ("mean({e}, axis=0, keepdims=True)", "[N, 1]", "+", "[1, M]"),
    ("sum({e}, axis=-1, keepdims=True)", "[N, M]", "+", "[N, 1]"),
    ("sum({e}, axis=-1, keepdims=True)", "[N, 1]", "+", "[1, M]"),
    ("sum({e}, axis=1)", "[N, 1]", "-", "[1, M]"),
    ("sum({e}, axis=-1, keepdims=True)", "[N, 1]", "-", "[1, M]"),
}


def reduction_cases():
    for red in REDUCTIONS:
        for a, b in PAIRS:
            for op in "+-*/":
                source = f"A: {a}\nB: {b}\nJ = sum({red.format(e=f'A {op} B')})\n"
                try:
                    parse_network(source)
                except TutorError:
                    continue  # e.g. axis=1 of a vector
                yield pytest.param(source, id=red.format(e=f"A{a}{op}B{b}"))


@pytest.mark.parametrize("source", list(reduction_cases()))
def test_reduction_of_a_broadcast(source):
    network = parse_network(source)
    bindings = bindings_for(network)
    leaves = leaf_values(network, bindings, np.random.default_rng(0), {"B": "pos"})
    check_gradients(network, bindings, leaves)


@pytest.mark.parametrize("source, leaf, expected", [
    ("x: [1, D]\ns: []\nJ = sum(x + s)\n", "s", "D"),
    ("A: [N, M]\nb: [M]\nc: [M]\nJ = sum(sum(A + b, axis=0) * c)\n", "b", "N * c"),
    ("X: [N, D]\nW: [D, H]\nb: [1, H]\nc: [1, H]\nJ = sum(mean(X @ W + b, axis=0, keepdims=True) * c)\n", "b", "c"),
], ids=["sum(x + s)", "sum over rows of A + b", "batch mean of a biased layer"])
def test_broadcast_bug_minimal_examples(source, leaf, expected):
    network = parse_network(source)
    bindings = network.bindings()
    leaves = leaf_values(network, bindings, np.random.default_rng(0))
    values = forward(network.definitions, leaves, bindings)
    again = parse_network(source + f"expected_gradient = {expected}\nexpected_loss = sum(expected_gradient)\n")
    want = forward(again.definitions, leaves, bindings)["expected_gradient"]
    got = evaluate(backward(network).wrt[leaf], values, bindings)
    np.testing.assert_allclose(np.broadcast_to(got, np.shape(want)), want, rtol=1e-12)
    np.testing.assert_allclose(got, finite_differences(network, leaves, bindings, [leaf])[leaf], rtol=1e-6)


# -- softmax when the incoming gradient is broadcast along the softmax axis -------------------------
SOFTMAX_BUG = ("vjp.softmax_vjp: when g == K / softmax with K broadcast along the softmax axis (a scalar, or "
               "length 1 there), sum_along(K) sums K's own axis instead of the softmax axis: a ShapeError "
               "('axis -1 is out of range for a scalar array') from backward(), or a gradient missing the "
               "factor of the axis length")


@pytest.mark.parametrize("source", [
    pytest.param("Z: [N, M]\nJ = -sum(log(softmax(Z)))\n", id="sum-log-softmax"),
    pytest.param("Z: [N, M]\nJ = -mean(log(softmax(Z, axis=0)))\n", id="mean-log-softmax-axis0"),
    pytest.param("Z: [N, M]\nJ = cross_entropy(0.5, softmax(Z))\n", id="cross-entropy-scalar-label"),
    pytest.param("z: [M]\nJ = cross_entropy(1, softmax(z))\n", id="cross-entropy-vector-scalar-label"),
    pytest.param("Z: [N, M]\nJ = sum(sum(log(softmax(Z)), axis=-1))\n", id="row-sums-of-log-softmax"),
])
def test_softmax_with_a_gradient_broadcast_along_its_axis(source):
    network = parse_network(source)
    bindings = bindings_for(network)
    leaves = leaf_values(network, bindings, np.random.default_rng(0))
    check_gradients(network, bindings, leaves)


@pytest.mark.parametrize("source", [
    "Z: [N, M]\nw: [1, M]\nJ = sum(log(softmax(Z)) * w)\n",
    "Z: [N, M]\nw: [N, 1]\nJ = sum(log(softmax(Z)) * w)\n",
    "Z: [N, M]\nJ = -sum(log(softmax(Z)[0]))\n",
    "z: [M]\nJ = -log(softmax(z))[2]\n",
], ids=["column-weights", "row-weights", "index-row", "index-entry"])
def test_softmax_with_a_gradient_that_varies_along_its_axis(source):
    network = parse_network(source)
    bindings = bindings_for(network)
    leaves = leaf_values(network, bindings, np.random.default_rng(0))
    check_gradients(network, bindings, leaves)
