"""Malformed networks: always a TutorError (never another exception), located
at the offending line and column (1-based line, 0-based column, as `ast`).
"""
from __future__ import annotations

import time

import pytest

from tutor.engine.language.dims import Dim, parse_bindings, shape_json
from tutor.engine.errors import DimensionError, UnknownNameError, ParseError, ShapeError, Span, TutorError
from tutor.engine.calculus.grad import backward
from tutor.engine.language.network import load, parse_network
from tutor.engine.numbers.verify import verify

HEAD = "x: [1, Dx]\nW: [Dx, H]\nb1: [H]\n"   # lines 1-3; the case's own text starts on line 4


def err(source, cls, line, col, *words, id=None, marks=()):
    """col may be an int or a (low, high) range of acceptable columns."""
    return pytest.param(source, cls, line, col, words, id=id, marks=marks)


CASES = [
    # -- syntax ---------------------------------------------------------------------------
    err(HEAD + "z = x @@ W\nJ = sum(z)\n", ParseError, 4, 7, "syntax", id="double-operator"),
    err(HEAD + "z = (x @ W\nJ = sum(z)\n", ParseError, 4, 4, "syntax", id="unclosed-paren"),
    err(HEAD + "z = x @ W)\nJ = sum(z)\n", ParseError, 4, 9, "syntax", id="extra-paren"),
    err(HEAD + "  z = x @ W\nJ = sum(z)\n", ParseError, 4, (0, 2), "syntax", id="indent"),
    err(HEAD + "z = sigmoid(x @ W\n", ParseError, 4, (4, 12), "syntax", id="unclosed-call-at-eof"),
    err(HEAD + "z = x @ W +\nJ = sum(z)\n", ParseError, 4, (9, 12), "syntax", id="dangling-operator"),
    err(HEAD + "z = x @ W\nJ = sum(z) lambda\n", ParseError, 5, (10, 12), "syntax", id="keyword"),
    # -- names ----------------------------------------------------------------------------
    err(HEAD + "z = x @ Ww + b1\nJ = sum(z)\n", UnknownNameError, 4, 8, "unknown name", "'Ww'", "did you mean 'W'",
        id="unknown-name-hint"),
    err(HEAD + "z = x @ W + b\nJ = sum(z)\n", UnknownNameError, 4, 12, "did you mean 'b1'", id="unknown-name-b1"),
    err(HEAD + "z = x @ W + Dy\nJ = sum(z)\n", UnknownNameError, 4, 12, "unknown name", "'Dy'", id="unknown-dimension"),
    err(HEAD + "z = sigmod(x @ W)\nJ = sum(z)\n", UnknownNameError, 4, 4, "unknown function", "did you mean sigmoid",
        id="unknown-function-hint"),
    err(HEAD + "z = np.sigmod(x @ W)\nJ = sum(z)\n", UnknownNameError, 4, 4, "unknown function", "sigmod",
        id="unknown-np-function"),
    err(HEAD + "z = einsum(x, W)\nJ = sum(z)\n", ParseError, 4, 4, "spec as a literal string", id="einsum"),
    err(HEAD + "z = x @ W + q\nq = b1 * 2\nJ = sum(z)\n", UnknownNameError, 4, 12, "before it is defined",
        id="use-before-definition"),
    err(HEAD + "z = x @ W + z\nJ = sum(z)\n", UnknownNameError, 4, 12, id="self-reference"),
    err(HEAD + "x = x @ W\nJ = sum(x)\n", ParseError, 4, 0, "'x'", "leaf", id="redefining-a-leaf"),
    err(HEAD + "x: [Dx]\nJ = sum(x)\n", ParseError, 4, 0, "'x'", "declared twice", id="redeclaration"),
    err(HEAD + "W = x.T @ x\nJ = sum(W)\n", ParseError, 4, 0, "'W'", id="define-a-leaf"),
    err(HEAD + "z = x @ W\nx: [1, Dx]\nJ = sum(z)\n", ParseError, 5, 0, "'x'", id="declare-after-use"),
    err(HEAD + "H = sum(x)\n", ParseError, 4, 0, "'H'", id="define-a-dimension"),
    # a name may shadow a function once assigned (`relu = np.maximum(z, 0)`), as in Python; calling it then fails
    err(HEAD + "exp = sum(x)\nJ = exp(x)\n", ParseError, 5, 4, "'exp'", id="call-a-shadowed-function-name"),
    err(HEAD + "z = x * sigmoid\nJ = sum(z)\n", UnknownNameError, 4, 8, "sigmoid", id="function-as-value"),
    # -- the loss ---------------------------------------------------------------------------
    err(HEAD + "z = x @ W\nJ = z + b1\n", ShapeError, 5, 4, "scalar", id="non-scalar-loss"),
    err(HEAD + "J = x\n", ShapeError, 4, 4, "scalar", id="leaf-as-loss"),
    err(HEAD, ParseError, None, None, "defines nothing", id="no-definitions"),
    err("", ParseError, None, None, id="empty"),
    err("# only a comment\n\n", ParseError, None, None, id="only-comments"),
    # -- shapes in declarations --------------------------------------------------------------
    err("x: [1, Dx, H, 2, 3]\nJ = sum(x)\n", ParseError, 1, (3, 4), "rank 5", id="rank-5"),
    err("x: [1, 2, 3, 4, B, 6]\nJ = sum(x)\n", ParseError, 1, (3, 4), "rank 6", id="rank-6"),
    err("x: [0, Dx]\nJ = sum(x)\n", ParseError, 1, 4, "not positive", id="zero-dim"),
    err("x: [Dx, -2]\nJ = sum(x)\n", ParseError, 1, 8, id="negative-dim"),
    err("x: [2.5]\nJ = sum(x)\n", ParseError, 1, 4, id="float-dim"),
    err("x: [True]\nJ = sum(x)\n", ParseError, 1, 4, id="bool-dim"),
    err("x: ['N']\nJ = sum(x)\n", ParseError, 1, 4, id="string-dim"),
    err("x: [N - M]\nJ = sum(x)\n", ParseError, 1, 4, id="difference-dim"),
    err("x: [N * 0]\nJ = sum(x)\n", ParseError, 1, 8, "not positive", id="product-dim-zero"),
    err("x: int\nJ = sum(x)\n", ParseError, 1, 3, "shape", id="annotation-not-a-shape"),
    err("x: [N]\ny: [x]\nJ = sum(x)\n", ParseError, 2, 4, "'x'", id="array-as-dimension"),
    err("x: [sum]\nJ = sum(x)\n", ParseError, 1, 4, "'sum'", id="function-as-dimension"),
    err("x: [N] = 3\nJ = sum(x)\n", ParseError, 1, 0, id="declaration-with-value"),
    # -- constructs outside the language -----------------------------------------------------
    err(HEAD + "z = (lambda q: q)(x)\nJ = sum(z)\n", ParseError, 4, 5, id="lambda-call"),
    err(HEAD + "z = lambda: x\nJ = sum(z)\n", ParseError, 4, 4, id="lambda"),
    err(HEAD + "z = [v for v in x]\nJ = sum(z)\n", ParseError, 4, 4, id="list-comprehension"),
    err(HEAD + "J = sum(v for v in x)\n", ParseError, 4, (7, 8), id="generator"),
    err(HEAD + "z = x.__class__\nJ = sum(z)\n", ParseError, 4, 4, "__class__", id="dunder-attribute"),
    err(HEAD + "z = x.T.__class__.__mro__\nJ = sum(z)\n", ParseError, 4, (4, 5), id="attribute-chain"),
    err(HEAD + "z = x.shape\nJ = sum(z)\n", ParseError, 4, 4, "shape", id="attribute-shape"),
    err(HEAD + "z = __import__('os')\nJ = sum(z)\n", UnknownNameError, 4, 4, "__import__", id="__import__"),
    err(HEAD + "z = __import__('os').system('true')\nJ = sum(z)\n", TutorError, 4, 4, id="__import__-system"),
    err(HEAD + "z = eval('x')\nJ = sum(z)\n", UnknownNameError, 4, 4, "eval", id="eval"),
    err(HEAD + "z = open('/etc/passwd')\nJ = sum(z)\n", UnknownNameError, 4, 4, id="open"),
    err(HEAD + "z = x * 'abc'\nJ = sum(z)\n", ParseError, 4, 8, "number", id="string-constant"),
    err(HEAD + "z = x * b'abc'\nJ = sum(z)\n", ParseError, 4, 8, id="bytes-constant"),
    err(HEAD + "z = x * f'{x}'\nJ = sum(z)\n", ParseError, 4, 8, id="f-string"),
    err(HEAD + "z = x * None\nJ = sum(z)\n", ParseError, 4, 8, id="None"),
    err(HEAD + "z = x * True\nJ = sum(z)\n", ParseError, 4, 8, id="bool-constant"),
    err(HEAD + "z = x * 2j\nJ = sum(z)\n", ParseError, 4, 8, id="complex-constant"),
    err(HEAD + "z = x[0:1:2]\nJ = sum(z)\n", ParseError, 4, (4, 11), "step", id="slice-with-step"),
    err(HEAD + "z = x[x > 0]\nJ = sum(z)\n", ShapeError, 4, (4, 7), "mask", id="mask-read"),
    err(HEAD + "z = x[..., ...]\nJ = sum(z)\n", ParseError, 4, (4, 7), "ellipsis", id="two-ellipses"),
    err(HEAD + "z = W[b1]\nJ = sum(z)\n", ShapeError, 4, (4, 7), "integers", id="float-index-array"),
    err(HEAD + "z = x.foo()\nJ = sum(z)\n", ParseError, 4, 4, "foo", id="method-call"),
    err(HEAD + "z = x.T.exp()\nJ = sum(z)\n", ParseError, 4, 4, "exp", id="method-exp"),
    err(HEAD + "z = np.linalg.inv(W)\nJ = sum(z)\n", TutorError, 4, (4, 8), id="np-submodule"),
    err(HEAD + "z = sum(x)(x)\nJ = sum(z)\n", ParseError, 4, 4, id="call-a-call"),
    err("import os\n" + HEAD + "J = sum(x)\n", ParseError, 1, 0, id="import"),
    err(HEAD + "from os import system\nJ = sum(x)\n", ParseError, 4, 0, id="from-import"),
    err(HEAD + "if sum(x) > 0:\n    J = sum(x)\n", ParseError, 4, 3, "not known", id="if"),  # a condition on values
    err(HEAD + "while True:\n    J = sum(x)\n", ParseError, 4, 0, id="while"),
    err(HEAD + "for i in x:\n    pass\nJ = sum(x)\n", ParseError, 4, 0, id="for"),
    err(HEAD + "def f():\n    pass\nJ = sum(x)\n", ParseError, 4, 0, id="def"),
    err(HEAD + "class A:\n    pass\nJ = sum(x)\n", ParseError, 4, 0, id="class"),
    err(HEAD + "x\nJ = sum(x)\n", ParseError, 4, 0, id="bare-expression"),
    err(HEAD + "z = y = x\nJ = sum(z)\n", ParseError, 4, 0, id="chained-assignment"),
    err(HEAD + "z, w = x, x, x\nJ = sum(z)\n", ParseError, 4, 0, id="tuple-assignment-counts"),
    err(HEAD + "x += 1\nJ = sum(x)\n", ParseError, 4, 0, id="augmented-assignment"),
    err(HEAD + "del x\nJ = sum(x)\n", ParseError, 4, 0, id="del"),
    err(HEAD + "J = sum((z := x))\n", ParseError, 4, (8, 9), id="walrus"),
    err(HEAD + "J = sum(x if True else x)\n", ParseError, 4, 8, id="conditional-expression"),
    err(HEAD + "J = sum(x and x)\n", ParseError, 4, 8, id="boolean-operator"),
    err(HEAD + "J = sum(~x)\n", ParseError, 4, 8, id="invert"),
    err(HEAD + "J = sum(x << 2)\n", ParseError, 4, 8, "not supported", id="shift"),
    err(HEAD + "J = sum(x ^ 2)\n", ParseError, 4, 8, id="xor-for-power"),
    err(HEAD + "J = sum(x is x)\n", ParseError, 4, 8, id="identity"),
    err(HEAD + "J = sum(x ** x)\n", ParseError, 4, 13, "exponent", id="array-exponent"),
    err(HEAD + "J = sum(x ** (1 / 0))\n", ParseError, 4, (13, 15), "exponent", id="exponent-division-by-zero"),
    err(HEAD + "J = sum(x ** (10 ** 400))\n", ParseError, 4, (13, 15), "exponent", id="exponent-power"),
    err(HEAD + "J = sum(*x)\n", ParseError, 4, 8, id="starred"),
    err(HEAD + "J = sum({})\n", ParseError, 4, 8, id="dict"),
    err(HEAD + "J = sum([x, x])\n", ParseError, 4, 8, id="list"),
    # -- function arguments -------------------------------------------------------------------
    err(HEAD + "J = sum(x, axes=0)\n", ParseError, 4, (4, 16), "axes", id="unknown-keyword"),
    err(HEAD + "J = sum(sigmoid(x, axis=0))\n", ParseError, 4, (8, 24), "axis", id="keyword-on-elementwise"),
    err(HEAD + "J = sum(x, axis=0.5)\n", ParseError, 4, 16, "axis", id="float-axis"),
    err(HEAD + "J = sum(x, axis=Dx)\n", ParseError, 4, 16, "axis", id="symbolic-axis"),
    err(HEAD + "J = sum(sum(x, axis=0, keepdims=2))\n", ParseError, 4, 32, "keepdims", id="keepdims-int"),
    err(HEAD + "J = sum(x, 0, True, 3)\n", ParseError, 4, 4, id="too-many-arguments"),
    err(HEAD + "J = cross_entropy(x)\n", ParseError, 4, 4, "2 argument", id="too-few-arguments"),
    err(HEAD + "J = sum(outer(x, x, x))\n", ParseError, 4, 8, id="outer-three-arguments"),
    err(HEAD + "J = sum(transpose(W, (1, 1)))\n", ShapeError, 4, 8, "permutation", id="transpose-axes-repeat"),
    err(HEAD + "J = sum(transpose(W, (0, 1, 2)))\n", ShapeError, 4, 8, id="transpose-axes-too-many"),
    err(HEAD + "J = sum(transpose(W, x))\n", ParseError, 4, 21, "axes", id="transpose-axes-not-literal"),
    err(HEAD + "J = sum(swapaxes(W, 0, 2))\n", ShapeError, 4, 8, "out of range", id="swapaxes-out-of-range"),
    err(HEAD + "J = sum(moveaxis(W, (0, 1), 0))\n", ShapeError, 4, 8, "destinations", id="moveaxis-unequal"),
    err(HEAD + "J = sum(expand_dims(W, 3))\n", ShapeError, 4, 8, "out of range", id="expand-dims-out-of-range"),
    err(HEAD + "J = sum(broadcast_to(W, (H, Dx)))\n", ShapeError, 4, 8, "cannot broadcast", id="broadcast-to-bad"),
    err(HEAD + "J = sum(einsum('...i,...i->i', W, W))\n", ShapeError, 4, 8, "...", id="einsum-ellipsis-dropped"),
    err(HEAD + "J = sum(einsum('..i,i->i', x, b1))\n", ParseError, 4, 15, id="einsum-two-dots"),
    # -- shapes that do not conform -----------------------------------------------------------
    err("a: [1, Dy]\nB: [H, Dy]\nJ = sum(a @ B)\n", ShapeError, 3, 8, "Dy", id="matmul-inner"),
    err("a: [1, Dy]\nb: [1, H]\nJ = sum(a + b)\n", ShapeError, 3, 8, "broadcast", id="broadcast"),
    err("a: [N, M]\nb: [N]\nJ = sum(a * b)\n", ShapeError, 3, 8, id="broadcast-vector-against-rows"),
    err("a: [N, M]\nJ = sum(a, axis=2)\n", ShapeError, 2, 4, "axis", id="axis-out-of-range"),
    err("a: [N, M]\nJ = sum(softmax(a, axis=-3))\n", ShapeError, 2, 8, "axis", id="softmax-axis"),
    err("a: [N, M]\nJ = sum(a, axis=(0, -2))\n", ShapeError, 2, 4, "repeats", id="repeated-axis"),
    err("a: [N, M]\nJ = sum(diag(a))\n", ShapeError, 2, 8, "diag", id="diag-rectangular-symbolic"),
    err("s: []\nJ = sum(diag(s))\n", ShapeError, 2, 8, "diag", id="diag-scalar"),
    err("s: []\nJ = softmax(s)\n", ShapeError, 2, 4, id="softmax-scalar"),
    err("s: []\nJ = s[0]\n", ShapeError, 2, 4, "scalar", id="index-scalar"),
    err("a: [2, N]\nJ = sum(a[2])\n", ShapeError, 2, 8, "out of range", id="index-out-of-range"),
    err("a: [2, N]\nJ = sum(a[-3])\n", ShapeError, 2, 8, "out of range", id="negative-index-out-of-range"),
    err("a: [N]\nJ = 2 @ a\n", ShapeError, 2, 4, "scalar", id="matmul-scalar"),
    err("a: [N]\nb: [M]\nJ = cross_entropy(a, b)\n", ShapeError, 3, 4, id="cross-entropy-shapes"),
    err("a: [N, M]\nb: [M, N]\nz = a @ b\nJ = sum(z @ a.T)\n", ShapeError, 4, 8, id="second-definition"),
    err("a: [N, M]\nJ = sum(a @ a)\n", ShapeError, 2, 8, id="matmul-non-square"),
    err("a: [N, M]\nb: [M]\nJ = sum(exp(a * 2) @ b + (a + b.T) @ a)\n", ShapeError, 3, 25,
        id="inner-subexpression"),
]


@pytest.mark.parametrize("source, cls, line, col, words", CASES)
def test_malformed_network_is_a_located_tutor_error(source, cls, line, col, words):
    with pytest.raises(TutorError) as info:
        parse_network(source, "bad.net")
    error = info.value
    assert isinstance(error, cls), (type(error).__name__, error.message)
    for word in words:
        assert word in error.message, (word, error.message)
    if line is None:
        return
    assert error.span is not None, error.message
    assert error.span.line == line, (error.span, error.message)
    low, high = (col, col) if isinstance(col, int) else col
    assert low <= error.span.col <= high, (error.span, error.message)
    assert error.span.end_col >= error.span.col or (error.span.end_line or line) > line
    located = error.located()
    assert located.startswith(f"bad.net:{line}:{error.span.col + 1}: error: "), located


def test_shape_error_names_the_operation_and_its_operands():
    with pytest.raises(ShapeError) as info:
        parse_network("x: [1, Dy]\nW: [H, Dy]\nJ = sum(x @ W)\n")
    e = info.value
    assert e.op == "@"
    assert [shape_json(s) for s in e.operands] == [[1, "Dy"], ["H", "Dy"]]
    assert e.span == Span(3, 8, 13, 3)

    with pytest.raises(ShapeError) as info:
        parse_network("a: [1, Dy]\nb: [H]\nJ = sum(a + b)\n")
    assert info.value.op == "+"
    assert [shape_json(s) for s in info.value.operands] == [[1, "Dy"], ["H"]]


@pytest.mark.parametrize("bad, good", [
    ("x: [1, Dy]\nW: [H, Dy]\nJ = sum(x @ W)\n", "x: [1, Dy]\nW: [Dy, Dy]\nJ = sum(x @ W)\n"),
    ("x: [1, Dy]\nb: [H]\nJ = sum(x + b)\n", "x: [1, Dy]\nb: [Dy]\nJ = sum(x + b)\n"),
    ("x: [H, Dy]\nJ = sum(diag(x))\n", "x: [Dy, Dy]\nJ = sum(diag(x))\n"),
    ("x: [H, Dy]\nJ = sum(x * x.T)\n", "x: [Dy, Dy]\nJ = sum(x * x.T)\n"),
    ("x: [H, Dy]\nJ = sum(x @ x)\n", "x: [Dy, Dy]\nJ = sum(x @ x)\n"),
])
def test_distinct_symbols_never_unify_whatever_their_values(bad, good):
    """The network is refused while parsing, before any --dims could make H == Dy."""
    with pytest.raises(ShapeError):
        parse_network(bad)
    net = parse_network(good)
    assert net.bindings({"Dy": 3}) == {"Dy": 3}


def test_equal_values_for_distinct_symbols_are_allowed_and_still_verified():
    net = load("default")
    bindings = net.bindings(parse_bindings("Dx=3,H=3,Dy=3"))
    grads = backward(net)
    assert verify(net, {leaf: grads.wrt[leaf] for leaf in net.leaves}, bindings).ok
    assert grads.wrt["W1"].shape == (Dim.symbol("Dx"), Dim.symbol("H"))


# -- hostile input sizes ----------------------------------------------------------------------

def quick(fn, limit=2.0):
    start = time.perf_counter()
    with pytest.raises(TutorError) as info:
        fn()
    assert time.perf_counter() - start < limit
    return info.value


def test_a_million_characters_is_refused_quickly():
    source = "x: [N]\nJ = sum(x" + " + x" * 250_000 + ")\n"
    assert len(source) > 1_000_000
    e = quick(lambda: parse_network(source))
    assert isinstance(e, ParseError)


def test_a_long_comment_past_the_limit_is_refused():
    quick(lambda: parse_network("x: [N]\nJ = sum(x)\n# " + "a" * 1_000_000 + "\n"))


@pytest.mark.parametrize("depth", [200, 10_000, 100_000])
def test_deeply_nested_parentheses_are_refused_quickly(depth):
    source = "x: [N]\nJ = sum(" + "(" * depth + "x" + ")" * depth + ")\n"
    e = quick(lambda: parse_network(source))
    assert e.span is not None and e.span.line == 2


@pytest.mark.parametrize("source", [
    "x: [N]\nJ = sum(" + "sum(" * 5_000 + "x" + ")" * 5_000 + ")\n",
    "x: [N]\nJ = sum(x" + ".T" * 10_000 + ")\n",
    "x: [3]\nJ = x" + "[0]" * 10_000 + "\n",
    "x: [N]\nJ = sum(x" + " ** 1" * 10_000 + ")\n",
    "x: [N]\nJ = sum(x" + " + x" * 20_000 + ")\n",
    "x: [N]\nJ = sum(" + "-" * 10_000 + "x)\n",
    "x: [N]\nJ = sum(" + "- " * 100_000 + "x)\n",
], ids=["calls", "transposes", "indexes", "powers", "long-sum", "minus-10k", "minus-100k"])
def test_deep_expressions_are_refused_quickly(source):
    e = quick(lambda: parse_network(source))
    assert isinstance(e, ParseError)
    assert "nest" in e.message or "syntax" in e.message


@pytest.mark.parametrize("source", [
    "x: [N]\nJ = sum(x" + " + x" * 100_000 + ")\n",
    "x: [N]\nJ = sum(" + "-" * 10_000 + "x)\n",
], ids=["long-sum-100k", "minus-10k"])
def test_too_deep_expression_is_located_on_its_line(source):
    with pytest.raises(TutorError) as info:
        parse_network(source)
    assert info.value.span is not None and info.value.span.line == 2


def test_nesting_within_the_limit_parses():
    parse_network("x: [N]\nJ = sum(" + "(" * 50 + "x" + ")" * 50 + ")\n")
    parse_network("x: [N]\nJ = sum(x" + " + x" * 60 + ")\n")


@pytest.mark.parametrize("source, line", [
    ("x: [N]\x00\nJ = sum(x)\n", 1),
    ("x: [N]\nJ = sum(x)\n\n# \x00\n", 4),
    ("\x00", 1),
])
def test_nul_bytes_are_refused(source, line):
    e = quick(lambda: parse_network(source))
    assert isinstance(e, ParseError)
    assert e.span is not None and e.span.line == line


def test_too_many_statements_is_refused():
    source = "x: [N]\n" + "".join(f"z{i} = x\n" for i in range(5_001)) + "J = sum(x)\n"
    e = quick(lambda: parse_network(source), limit=10)
    assert isinstance(e, ParseError)


def test_huge_digit_strings_are_tutor_errors():
    quick(lambda: parse_network("x: [" + "9" * 5000 + "]\nJ = sum(x)\n"))
    quick(lambda: parse_network("x: [2]\nJ = sum(x ** " + "9" * 5000 + ")\n"))


def test_lone_surrogate_is_a_tutor_error():
    with pytest.raises(TutorError):
        parse_network("x: [N]\nJ = sum(x)  # \udcff\n")


@pytest.mark.parametrize("source", [
    "x: [2]\nJ = sum(x * " + "9" * 400 + ")\n",
    "x: [2]\nJ = sum(x ** " + "9" * 400 + ")\n",
], ids=["factor", "exponent"])
def test_huge_integer_literal_is_refused_or_derived(source):
    try:
        net = parse_network(source)
    except TutorError:
        return
    backward(net)


def test_errors_from_files_carry_their_origin(tmp_path):
    path = tmp_path / "broken.net"
    path.write_text("x: [N]\nJ = sum(y)\n")
    with pytest.raises(UnknownNameError) as info:
        load(str(path))
    assert info.value.located().startswith(f"{path}:2:9: error: unknown name 'y'")


@pytest.mark.parametrize("spec", ["no_such_example", "/nonexistent/dir/net.net", "missing.net"])
def test_missing_network_is_a_tutor_error(spec):
    with pytest.raises(TutorError):
        load(spec)


def test_non_utf8_file_is_a_parse_error(tmp_path):
    path = tmp_path / "latin1.net"
    path.write_bytes(b"x: [N]\nJ = sum(x)  # caf\xe9\n")
    with pytest.raises(ParseError):
        load(str(path))


def test_valid_oddities_parse():
    """Comments, blank lines, semicolons, unary plus, np./numpy. prefixes."""
    net = parse_network("# c\n\nx: [N]; y: [N]\n\nz = +x * np.exp(y)  # trailing\nJ = numpy.sum(z)\n")
    assert net.loss == "J" and list(net.leaves) == ["x", "y"]


# -- --dims ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Dx", "Dx=", "=5", "Dx=0", "Dx=-1", "Dx=abc", "Dx=1e3", "Dx=5.0", "Dx=+5", "Dx==5", "1x=3", "D x=5",
    "Dx=5;H=3", "Dx=5,Dx=6", "Dx=2000000", "Dx=1_000",
])
def test_bad_dimension_bindings(text):
    with pytest.raises(DimensionError):
        parse_bindings(text)


@pytest.mark.parametrize("text", ["Dx=²", "Dx=" + "9" * 5000], ids=["superscript", "5000-digits"])
def test_bad_dimension_bindings_unicode_and_huge(text):
    with pytest.raises(DimensionError):
        parse_bindings(text)


@pytest.mark.parametrize("text, expected", [
    ("", {}), (None, {}), ("Dx=5,H=3", {"Dx": 5, "H": 3}), (" Dx = 5 , H=3 ,", {"Dx": 5, "H": 3}),
    ("Dx=5,Dx=5", {"Dx": 5}), ("N=1000000", {"N": 1_000_000}), ("Dx=007", {"Dx": 7}),
])
def test_good_dimension_bindings(text, expected):
    assert parse_bindings(text) == expected


def test_binding_a_symbol_the_network_does_not_use():
    net = load("default")
    with pytest.raises(DimensionError):
        net.bindings({"Q": 3})
    assert net.bindings({"H": 7})["H"] == 7
    values = net.bindings()
    assert len(set(values.values())) == len(values) and 1 not in values.values()


def test_a_literal_dimension_too_large_to_allocate_is_refused_when_sampling():
    import numpy as np
    from tutor.engine.numbers.sampling import sample
    net = parse_network("x: [10000000, 20]\nJ = sum(x)\n")
    with pytest.raises(TutorError):
        sample(net, net.bindings(), np.random.default_rng(0))


def test_a_literal_dimension_beyond_int64_is_a_tutor_error():
    import numpy as np
    from tutor.engine.numbers.sampling import sample
    try:
        net = parse_network("x: [10000000000000000000000, 2]\nJ = sum(x)\n")
    except TutorError:
        return
    with pytest.raises(TutorError):
        sample(net, net.bindings(), np.random.default_rng(0))
