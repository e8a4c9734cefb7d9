"""Source text → IR, through `ast` and an allowlist. Nothing is ever evaluated.

Every construct outside SPEC §2 is refused with its span and what was
expected instead. The same expression reader serves network files and
learners' derivations; what a name may refer to is decided by the caller's
`Scope`.
"""
from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field

from .dims import SYMBOL, Dim, Shape
from .errors import NameError_, ParseError, Span
from .ir import Call, Const, DimRef, Expr, Var

MAX_SOURCE_CHARS = 1_000_000
MAX_DEPTH = 100
MAX_STATEMENTS = 5_000
MAX_NUMBER = 1e300
MAX_EINSUM_OPERANDS = 8  # the derivative table has a rule for each position
MAX_LITERAL_DIM = 10**12  # shapes reason about it; numbers are refused far below (sampling.MAX_ELEMENTS)


@dataclass(frozen=True)
class Function:
    """How a function of the language is written: its primitive, arity and keywords."""

    prim: str
    arity: int
    keywords: tuple[str, ...] = ()


_UNARY = ("sigmoid", "tanh", "relu", "exp", "log", "sqrt", "abs", "sign", "diag", "transpose")
FUNCTIONS: dict[str, Function] = {name: Function(name, 1) for name in _UNARY}
FUNCTIONS.update({
    "softmax": Function("softmax", 1, ("axis",)),
    "log_softmax": Function("log_softmax", 1, ("axis",)),
    "sum": Function("sum", 1, ("axis", "keepdims")),
    "mean": Function("mean", 1, ("axis", "keepdims")),
    "maximum": Function("maximum", 2),
    "minimum": Function("minimum", 2),
    "outer": Function("outer", 2),
    "dot": Function("matmul", 2),
    "matmul": Function("matmul", 2),
    "cross_entropy": Function("cross_entropy", 2),
    # Extensions beyond SPEC §2, needed to write some gradients (documented in docs/language.md).
    "reshape": Function("reshape", 1, ("shape",)),
    "onehot": Function("onehot", 0, ("i", "n")),
    "eye": Function("eye", 0, ("n", "m")),
})
METHODS = {"sum", "mean", "transpose", "reshape"}
MODULES = {"np", "numpy"}
BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.MatMult: "matmul"}
COMPARE = {ast.Gt: "gt", ast.GtE: "ge", ast.Lt: "lt", ast.LtE: "le"}
DEFAULTS = {"softmax": {"axis": -1}, "log_softmax": {"axis": -1},
            "sum": {"axis": None, "keepdims": False}, "mean": {"axis": None, "keepdims": False}}
EXPRESSION_HELP = ("an expression of the network language: names, numbers, + - * / @ **, .T, A[i], "
                   "and the functions " + ", ".join(sorted(k for k in FUNCTIONS if k not in ("onehot",))))


CLAIM_NAME = re.compile(r"^(?:dJ_d|grad_|d)([A-Za-z_][A-Za-z0-9_]*)$")
MATH_CHARACTERS = {"ᵀ": ".T", "ŷ": "yhat", "Ŷ": "Yhat", "−": "-", "∘": "*", "·": "*", "×": "*",
                   "δ": "a name such as dz1", "∂": "a name such as dW1", "²": "** 2", "√": "sqrt(...)"}


@dataclass
class Scope:
    """What names an expression may use: arrays (with shapes) and dimension symbols."""

    arrays: dict[str, Shape] = field(default_factory=dict)
    dims: set[str] = field(default_factory=set)
    later: set[str] = field(default_factory=set)  # defined further down: a use-before-definition


class Reader:
    """Converts one source's `ast` into IR; remembers the source for messages."""

    def __init__(self, source: str, origin: str):
        self.source = source
        self.origin = origin

    def error(self, cls, message: str, node=None, expected: str | None = None):
        return cls(message, Span.of(node) if node is not None else None, source=self.source,
                   origin=self.origin, expected=expected)

    # -- module level ------------------------------------------------------
    def parse_module(self) -> ast.Module:
        if len(self.source) > MAX_SOURCE_CHARS:
            raise self.error(ParseError, f"input is {len(self.source):,} characters; the limit is "
                                         f"{MAX_SOURCE_CHARS:,}")
        if "\x00" in self.source:
            line = self.source[: self.source.index("\x00")].count("\n") + 1
            raise ParseError("input contains a NUL byte: is this a binary file?", Span(line, 0, 1),
                             source=self.source, origin=self.origin)
        self.refuse_math_characters()
        try:
            tree = ast.parse(self.source, filename=self.origin)
        except SyntaxError as exc:
            line = exc.lineno or 1
            col = max((exc.offset or 1) - 1, 0)
            raise ParseError(f"syntax error: {exc.msg}", Span(line, col, col + 1),
                             source=self.source, origin=self.origin) from None
        except (RecursionError, MemoryError):
            lines = self.source.splitlines() or [""]
            line = max(range(len(lines)), key=lambda i: len(lines[i])) + 1  # the deep one is the long one
            raise ParseError(f"expression nested too deeply (the limit is {MAX_DEPTH} levels)",
                             Span(line, 0, 1), source=self.source, origin=self.origin) from None
        except (UnicodeError, ValueError) as exc:
            raise ParseError(f"unreadable text: {exc}", Span(1, 0, 1), source=self.source,
                             origin=self.origin) from None
        if len(tree.body) > MAX_STATEMENTS:
            raise self.error(ParseError, f"{len(tree.body):,} statements; the limit is {MAX_STATEMENTS:,}",
                             tree.body[MAX_STATEMENTS])
        return tree

    def refuse_math_characters(self) -> None:
        """The math form shapetutor prints (xᵀ, ŷ, −, ∘) is for reading; typed input is code."""
        for n, line in enumerate(self.source.splitlines(), 1):
            stripped = line.split("#", 1)[0]
            for col, char in enumerate(stripped):
                if char in MATH_CHARACTERS:
                    raise ParseError(f"{char!r} is the printed math form: type {MATH_CHARACTERS[char]!r} instead",
                                     Span(n, col, col + 1), source=self.source, origin=self.origin,
                                     expected="the code form, e.g. x.T @ ((yhat - y) @ W2.T * h * (1 - h))")

    def shape(self, node: ast.expr) -> Shape:
        """`[1, Dx]` → (Dim(1), Dim("Dx")); rank 0, 1 or 2."""
        expected = "a shape: a list of up to two dimensions, e.g. [1, Dx], [H] or []"
        if not isinstance(node, (ast.List, ast.Tuple)):
            raise self.error(ParseError, "a declaration's annotation must be a shape", node, expected)
        if len(node.elts) > 2:
            raise self.error(ParseError, f"rank {len(node.elts)} is not supported", node, expected)
        return tuple(self.dim(elt) for elt in node.elts)

    def dim(self, node: ast.expr, products: bool = False) -> Dim:
        expected = "a positive integer or a dimension symbol such as Dx"
        if products and isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            return self.dim(node.left, True) * self.dim(node.right, True)
        if isinstance(node, ast.Constant) and type(node.value) is int:
            if node.value < 1:
                raise self.error(ParseError, f"dimension {node.value} is not positive", node, expected)
            if node.value > MAX_LITERAL_DIM:
                raise self.error(ParseError, f"dimension {node.value} is larger than {MAX_LITERAL_DIM:,}", node,
                                 "a dimension symbol for sizes this large")
            return Dim(node.value)
        if isinstance(node, ast.Name):
            return Dim.symbol(node.id)
        raise self.error(ParseError, f"{ast.unparse(node)!r} is not a dimension", node, expected)

    # -- expressions -------------------------------------------------------
    def expr(self, node: ast.expr, scope: Scope, depth: int = 0) -> Expr:
        if depth > MAX_DEPTH:
            raise self.error(ParseError, f"expression nested too deeply (the limit is {MAX_DEPTH} levels)", node)
        span = Span.of(node)
        sub = lambda child: self.expr(child, scope, depth + 1)  # noqa: E731
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):
                return Call("pow", (sub(node.left),), (("exponent", self.number(node.right)),), span=span)
            prim = BINARY.get(type(node.op))
            if prim is None:
                raise self.error(ParseError, f"the operator {ast.unparse(node)!r} is not supported", node,
                                 "one of + - * / @ **")
            return Call(prim, (sub(node.left), sub(node.right)), span=span)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.UAdd):
                return sub(node.operand)
            if isinstance(node.op, ast.USub):
                inner = sub(node.operand)
                if isinstance(inner, Const):
                    return Const(-inner.value, span=span)
                return Call("neg", (inner,), span=span)
            raise self.error(ParseError, "only - and + may stand before an expression", node)
        if isinstance(node, ast.Compare):
            if len(node.ops) != 1 or type(node.ops[0]) not in COMPARE:
                raise self.error(ParseError, "only one comparison > >= < <= at a time", node)
            return Call(COMPARE[type(node.ops[0])], (sub(node.left), sub(node.comparators[0])), span=span)
        if isinstance(node, ast.Constant):
            if type(node.value) in (int, float):
                if not abs(node.value) <= MAX_NUMBER:  # also catches inf and nan
                    raise self.error(ParseError, "this number is too large", node, f"a number up to {MAX_NUMBER:g}")
                return Const(node.value, span=span)
            raise self.error(ParseError, f"{node.value!r} is not a number", node, "a number such as 1 or 0.5")
        if isinstance(node, ast.Name):
            return self.name(node, scope)
        if isinstance(node, ast.Attribute):
            if node.attr == "T":
                return Call("transpose", (sub(node.value),), span=span)
            raise self.error(ParseError, f"attribute .{node.attr} is not allowed", node,
                             ".T, or a method .sum() .mean() .transpose() .reshape()")
        if isinstance(node, ast.Subscript):
            index = node.slice
            if not (isinstance(index, ast.Constant) and type(index.value) is int) and not (
                    isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub)
                    and isinstance(index.operand, ast.Constant) and type(index.operand.value) is int):
                raise self.error(ParseError, "only an integer index on the first axis is supported",
                                 node.slice, "A[i] with a literal integer i")
            return Call("index", (sub(node.value),), (("i", int(ast.literal_eval(index))),), span=span)
        if isinstance(node, ast.Call):
            return self.call(node, scope, depth)
        raise self.error(ParseError, f"{type(node).__name__.lower()} expressions are not part of the "
                                     "network language", node, EXPRESSION_HELP)

    def name(self, node: ast.Name, scope: Scope) -> Expr:
        span = Span.of(node)
        if node.id in scope.arrays:
            return Var(node.id, span=span)
        if node.id in scope.dims:
            return DimRef(node.id, span=span)
        if node.id in scope.later:
            raise self.error(NameError_, f"{node.id!r} is used before it is defined", node,
                             "every name defined on an earlier line")
        claim = CLAIM_NAME.match(node.id)
        if claim and claim.group(1) in scope.arrays:
            raise self.error(NameError_, f"{node.id!r} is not defined here: a derivation defines each step before "
                                         f"using it", node, f"a line such as `{node.id} = ...` before this one")
        known = list(scope.arrays) + sorted(scope.dims)
        close = difflib.get_close_matches(node.id, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        if node.id in FUNCTIONS:
            raise self.error(NameError_, f"{node.id!r} is a function: call it, as in {node.id}(...)", node)
        raise self.error(NameError_, f"unknown name {node.id!r}{hint}", node,
                         "one of " + ", ".join(known) if known else None)

    def function_of(self, node: ast.Call, scope: Scope, depth: int) -> tuple[str, list[ast.expr]]:
        func = node.func
        if isinstance(func, ast.Name):
            return func.id, list(node.args)
        if isinstance(func, ast.Attribute):
            if isinstance(func.value, ast.Name) and func.value.id in MODULES and func.value.id not in scope.arrays:
                return func.attr, list(node.args)
            if func.attr in METHODS:
                return func.attr, [func.value, *node.args]
            raise self.error(ParseError, f"method .{func.attr}() is not allowed", func,
                             "one of .sum() .mean() .transpose() .reshape(), or np.FUNCTION(...)")
        raise self.error(ParseError, "only named functions can be called", func, EXPRESSION_HELP)

    def call(self, node: ast.Call, scope: Scope, depth: int) -> Expr:
        name, args = self.function_of(node, scope, depth)
        if name == "einsum":
            return self.einsum(node, args, scope, depth)
        fn = FUNCTIONS.get(name)
        if fn is None:
            close = difflib.get_close_matches(name, list(FUNCTIONS), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise self.error(NameError_, f"unknown function {name!r}{hint}", node.func, EXPRESSION_HELP)
        params = dict(DEFAULTS.get(fn.prim, {}))
        if name == "transpose" and len(args) == 2:
            raise self.error(ParseError, "transpose with an axes argument is not supported", node)
        # Parameters may also come positionally, as NumPy allows: sum(A, 0), reshape(A, (N, 1)),
        # and a shape as separate numbers, as in A.reshape(N, 1).
        extra = args[fn.arity:]
        if fn.prim == "reshape" and len(extra) > 1:
            extra = [ast.Tuple(elts=extra, ctx=ast.Load(), lineno=extra[0].lineno, col_offset=extra[0].col_offset,
                               end_lineno=extra[-1].end_lineno, end_col_offset=extra[-1].end_col_offset)]
        if len(extra) > len(fn.keywords):
            raise self.error(ParseError, f"{name}() takes {fn.arity} argument(s)"
                             + (f" and {', '.join(fn.keywords)}" if fn.keywords else ""), node)
        given = list(zip(fn.keywords, extra)) + [(kw.arg, kw.value) for kw in node.keywords]
        for key, value in given:
            if key not in fn.keywords:
                raise self.error(ParseError, f"{name}() has no argument {key!r}", value if key else node,
                                 ("its keywords are " + ", ".join(fn.keywords)) if fn.keywords
                                 else f"{name}() takes no keywords")
            params[key] = self.parameter(key, value, scope)
        if len(args) < fn.arity:
            raise self.error(ParseError, f"{name}() needs {fn.arity} argument(s), got {len(args)}", node)
        operands = tuple(self.expr(a, scope, depth + 1) for a in args[: fn.arity])
        if fn.prim == "onehot" and set(params) != {"i", "n"}:
            raise self.error(ParseError, "onehot needs i= and n=", node)
        if fn.prim == "eye" and "n" not in params:
            raise self.error(ParseError, "eye needs a size: eye(N) or eye(N, M)", node)
        if fn.prim == "reshape" and "shape" not in params:
            raise self.error(ParseError, "reshape needs a shape", node)
        return Call(fn.prim, operands, tuple(sorted(params.items())), span=Span.of(node))

    def einsum(self, node: ast.Call, args: list[ast.expr], scope: Scope, depth: int) -> Expr:
        """`einsum('ai,aj->ij', x, d)`: explicit output, one letter per axis, no ellipsis."""
        expected = "einsum('ai,aj->ij', A, B): a literal spec with an explicit output, then the operands"
        if node.keywords or not args or not (isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)):
            raise self.error(ParseError, "einsum needs its spec as a literal string first", node, expected)
        if len(args) - 1 > MAX_EINSUM_OPERANDS:
            raise self.error(ParseError, f"einsum takes at most {MAX_EINSUM_OPERANDS} operands here", node, expected)
        spec = args[0].value.replace(" ", "")
        inputs, arrow, output = spec.partition("->")
        terms = inputs.split(",")
        if not arrow or not re.fullmatch(r"[a-zA-Z]*(,[a-zA-Z]*)*->[a-zA-Z]*", spec) or len(terms) != len(args) - 1:
            raise self.error(ParseError, f"einsum spec {spec!r} does not fit its {len(args) - 1} operand(s)",
                             args[0], expected)
        if any(len(set(t)) != len(t) for t in terms + [output]) or not set(output) <= set("".join(terms)):
            raise self.error(ParseError, f"einsum spec {spec!r}: each letter once per operand, and the output's "
                                         "letters from the inputs", args[0], expected)
        operands = tuple(self.expr(a, scope, depth + 1) for a in args[1:])
        return Call("einsum", operands, (("spec", spec),), span=Span.of(node))

    def parameter(self, key: str, node: ast.expr, scope: Scope):
        if key == "keepdims":
            if isinstance(node, ast.Constant) and type(node.value) is bool:
                return node.value
            raise self.error(ParseError, "keepdims must be True or False", node)
        if key in ("axis", "i"):
            try:
                value = ast.literal_eval(node)
            except (ValueError, SyntaxError, TypeError):
                value = object()
            if key == "axis" and value is None:
                return None
            if type(value) is int:
                return value
            if key == "axis" and isinstance(value, tuple) and value and all(type(v) is int for v in value):
                return value
            raise self.error(ParseError, f"{key} must be an integer" + (", a tuple of integers or None"
                                                                         if key == "axis" else ""), node)
        if key == "shape":
            elts = node.elts if isinstance(node, (ast.Tuple, ast.List)) else [node]
            dims = tuple(self.dim(e, products=True) for e in elts)
            for d in dims:
                for s in d.symbols:
                    if s not in scope.dims:
                        raise self.error(NameError_, f"unknown dimension {s!r}", node)
            return dims
        if key in ("n", "m"):
            d = self.dim(node, products=True)
            for s in d.symbols:
                if s not in scope.dims:
                    raise self.error(NameError_, f"unknown dimension {s!r}", node)
            return d
        raise AssertionError(key)

    def number(self, node: ast.expr) -> float:
        """The exponent of `**`: a number, possibly negative or a fraction such as 1/2."""
        try:
            if not all(isinstance(n, (ast.Constant, ast.UnaryOp, ast.BinOp, ast.USub, ast.UAdd,
                                      ast.Div, ast.Mult, ast.Sub, ast.Add)) for n in ast.walk(node)):
                raise ValueError
            value = _fold_number(node)
            if not abs(value) <= MAX_NUMBER:
                raise ValueError
        except (ValueError, ZeroDivisionError, OverflowError, RecursionError):
            raise self.error(ParseError, f"the exponent {ast.unparse(node)!r} must be a number", node,
                             "A ** c with c a number such as 2, -1 or 0.5") from None
        return value


def _fold_number(node: ast.expr) -> float:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _fold_number(node.operand)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and type(node.op) in (ast.Div, ast.Mult, ast.Add, ast.Sub):
        a, b = _fold_number(node.left), _fold_number(node.right)
        return {ast.Div: lambda: a / b, ast.Mult: lambda: a * b,
                ast.Add: lambda: a + b, ast.Sub: lambda: a - b}[type(node.op)]()
    raise ValueError


def is_symbol(name: str) -> bool:
    return bool(SYMBOL.match(name))
