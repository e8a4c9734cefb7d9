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

from .diagnostics import source_lines
from .dims import SYMBOL, Dim, Shape
from .errors import ParseError, Span, UnknownNameError
from .ir import Call, Const, DimRef, Expr, Var
from .language import (BINARY, CLAIM_NAME, COMPARE, EXPRESSION_HELP, FUNCTIONS, MATH_CHARACTERS, MAX_DEPTH,
                       MAX_EINSUM_OPERANDS, MAX_LITERAL_DIM, MAX_NUMBER, MAX_RANK, MAX_SOURCE_CHARS, MAX_STATEMENTS, METHODS,
                       MODULES, AXES_PARAMS)

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
        self.lines = source_lines(source)

    def span(self, node) -> Span | None:
        return Span.of(node, self.lines)

    def error(self, cls, message: str, node=None, expected: str | None = None):
        return cls(message, self.span(node) if node is not None else None, source=self.source,
                   origin=self.origin, expected=expected)

    def caret(self, node: ast.expr) -> Span | None:
        """Where the operator itself stands: `@` in `a @ b`, `np.dot` in `np.dot(a, b)`, `.T` in `a.T`."""
        if isinstance(node, (ast.BinOp, ast.Compare)):
            left, right = (node.left, node.right) if isinstance(node, ast.BinOp) else (node.left, node.comparators[0])
            a, b = self.span(left), self.span(right)
            if a is None or b is None or (a.end_line or a.line) != b.line:
                return None
            gap = self.lines[b.line - 1][a.end_col:b.col]
            at = next((i for i, ch in enumerate(gap) if ch not in " \t()"), None)
            if at is None:
                return None
            width = len(gap[at:].split(None, 1)[0].rstrip("("))
            return Span(b.line, a.end_col + at, a.end_col + at + max(width, 1))
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and not (isinstance(func.value, ast.Name) and func.value.id in MODULES):
                inner, whole = self.span(func.value), self.span(func)
                return Span(whole.line, inner.end_col, whole.end_col) if inner and whole and inner.line == whole.line \
                    else whole
            return self.span(func)
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            inner, whole = self.span(node.value), self.span(node)
            if inner and whole and (inner.end_line or inner.line) == whole.line:
                return Span(whole.line, inner.end_col, whole.end_col)
        return None

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
            lines = self.lines
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
        for n, line in enumerate(self.lines, 1):
            stripped = line.split("#", 1)[0]
            for col, char in enumerate(stripped):
                if char in MATH_CHARACTERS:
                    raise ParseError(f"{char!r} is the printed math form: type {MATH_CHARACTERS[char]!r} instead",
                                     Span(n, col, col + 1), source=self.source, origin=self.origin,
                                     expected="the code form, e.g. x.T @ ((yhat - y) @ W2.T * h * (1 - h))")

    def shape(self, node: ast.expr) -> Shape:
        """`[B, T, h*d]` → (Dim("B"), Dim("T"), Dim("h")*Dim("d")); rank 0 to MAX_RANK."""
        expected = f"a shape: a list of up to {MAX_RANK} dimensions, e.g. [1, Dx], [B, T, h*d], [H] or []"
        if not isinstance(node, (ast.List, ast.Tuple)):
            raise self.error(ParseError, "a declaration's annotation must be a shape", node, expected)
        if len(node.elts) > MAX_RANK:
            raise self.error(ParseError, f"rank {len(node.elts)} is not supported (at most {MAX_RANK} axes)",
                             node, expected)
        return tuple(self.dim(elt, products=True) for elt in node.elts)

    def dim(self, node: ast.expr, products: bool = False) -> Dim:
        expected = "a positive integer, a dimension symbol such as Dx, or a product such as h*d"
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
        span = self.span(node)
        caret = self.caret(node)
        sub = lambda child: self.expr(child, scope, depth + 1)  # noqa: E731
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):
                return Call("pow", (sub(node.left),), (("exponent", self.number(node.right)),), span=span, caret=caret)
            prim = BINARY.get(type(node.op))
            if prim is None:
                raise self.error(ParseError, f"the operator {ast.unparse(node)!r} is not supported", node,
                                 "one of + - * / @ **")
            return Call(prim, (sub(node.left), sub(node.right)), span=span, caret=caret)
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
            return Call(COMPARE[type(node.ops[0])], (sub(node.left), sub(node.comparators[0])), span=span, caret=caret)
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
                return Call("transpose", (sub(node.value),), span=span, caret=caret)
            raise self.error(ParseError, f"attribute .{node.attr} is not allowed", node,
                             ".T, or a method .sum() .mean() .transpose() .reshape()")
        if isinstance(node, ast.Subscript):
            index = node.slice
            if not (isinstance(index, ast.Constant) and type(index.value) is int) and not (
                    isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub)
                    and isinstance(index.operand, ast.Constant) and type(index.operand.value) is int):
                raise self.error(ParseError, "only an integer index on the first axis is supported",
                                 node.slice, "A[i] with a literal integer i")
            return Call("index", (sub(node.value),), (("i", int(ast.literal_eval(index))),), span=span, caret=caret)
        if isinstance(node, ast.Call):
            return self.call(node, scope, depth)
        raise self.error(ParseError, f"{type(node).__name__.lower()} expressions are not part of the "
                                     "network language", node, EXPRESSION_HELP)

    def name(self, node: ast.Name, scope: Scope) -> Expr:
        span = self.span(node)
        if node.id in scope.arrays:
            return Var(node.id, span=span)
        if node.id in scope.dims:
            return DimRef(node.id, span=span)
        if node.id in scope.later:
            raise self.error(UnknownNameError, f"{node.id!r} is used before it is defined", node,
                             "every name defined on an earlier line")
        claim = CLAIM_NAME.match(node.id)
        if claim and claim.group(1) in scope.arrays:
            raise self.error(UnknownNameError, f"{node.id!r} is not defined here: a derivation defines each step before "
                                         f"using it", node, f"a line such as `{node.id} = ...` before this one")
        known = list(scope.arrays) + sorted(scope.dims)
        close = difflib.get_close_matches(node.id, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        if node.id in FUNCTIONS:
            raise self.error(UnknownNameError, f"{node.id!r} is a function: call it, as in {node.id}(...)", node)
        raise self.error(UnknownNameError, f"unknown name {node.id!r}{hint}", node,
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
                             "one of " + " ".join(f".{m}()" for m in sorted(METHODS)) + ", or np.FUNCTION(...)")
        raise self.error(ParseError, "only named functions can be called", func, EXPRESSION_HELP)

    def call(self, node: ast.Call, scope: Scope, depth: int) -> Expr:
        name, args = self.function_of(node, scope, depth)
        if name == "einsum":
            return self.einsum(node, args, scope, depth)
        fn = FUNCTIONS.get(name)
        if fn is None:
            close = difflib.get_close_matches(name, list(FUNCTIONS), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise self.error(UnknownNameError, f"unknown function {name!r}{hint}", node.func, EXPRESSION_HELP)
        params = dict(fn.defaults)
        # Parameters may also come positionally, as NumPy allows: sum(A, 0), reshape(A, (N, 1)),
        # and, for a `rest` parameter, as separate numbers: A.reshape(N, 1).
        extra = args[fn.arity:]
        if fn.rest is not None and len(extra) > 1:
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
        missing = [key for key in fn.required if key not in params]
        if missing:
            raise self.error(ParseError, f"{name}() needs {' and '.join(missing)}", node,
                             f"{name}(" + ", ".join(["A"] * fn.arity + list(fn.keywords)) + ")")
        return Call(fn.prim, operands, tuple(sorted(params.items())), span=self.span(node), caret=self.caret(node))

    def einsum(self, node: ast.Call, args: list[ast.expr], scope: Scope, depth: int) -> Expr:
        """`einsum('ai,aj->ij', x, d)`, `einsum('...e,ef->...f', X, W)`: an explicit output, one letter per
        axis, and at most one `...` per term for the leading axes NumPy broadcasts."""
        expected = ("einsum('ai,aj->ij', A, B) or einsum('...e,ef->...f', X, W): a literal spec with an explicit "
                    "output, then the operands")
        if node.keywords or not args or not (isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)):
            raise self.error(ParseError, "einsum needs its spec as a literal string first", node, expected)
        if len(args) - 1 > MAX_EINSUM_OPERANDS:
            raise self.error(ParseError, f"einsum takes at most {MAX_EINSUM_OPERANDS} operands here", node, expected)
        spec = args[0].value.replace(" ", "")
        inputs, arrow, output = spec.partition("->")
        terms = inputs.split(",")
        term = r"[a-zA-Z]*(?:\.\.\.)?[a-zA-Z]*"
        if not arrow or not re.fullmatch(rf"{term}(,{term})*->{term}", spec) or len(terms) != len(args) - 1:
            raise self.error(ParseError, f"einsum spec {spec!r} does not fit its {len(args) - 1} operand(s)",
                             args[0], expected)
        letters = [t.replace("...", "") for t in terms + [output]]
        if any(len(set(t)) != len(t) for t in letters) or not set(letters[-1]) <= set("".join(letters[:-1])) \
                or ("..." in output and not any("..." in t for t in terms)):
            raise self.error(ParseError, f"einsum spec {spec!r}: each letter once per operand, and the output's "
                                         "letters (and its ...) from the inputs", args[0], expected)
        operands = tuple(self.expr(a, scope, depth + 1) for a in args[1:])
        return Call("einsum", operands, (("spec", spec),), span=self.span(node), caret=self.caret(node))

    def parameter(self, key: str, node: ast.expr, scope: Scope):
        if key == "keepdims":
            if isinstance(node, ast.Constant) and type(node.value) is bool:
                return node.value
            raise self.error(ParseError, "keepdims must be True or False", node)
        if key in AXES_PARAMS:
            return self.axes(key, node)
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
                        raise self.error(UnknownNameError, f"unknown dimension {s!r}", node)
            return dims
        if key in ("n", "m"):
            d = self.dim(node, products=True)
            for s in d.symbols:
                if s not in scope.dims:
                    raise self.error(UnknownNameError, f"unknown dimension {s!r}", node)
            return d
        raise AssertionError(key)

    def axes(self, key: str, node: ast.expr) -> int | tuple[int, ...]:
        """An axis number or a tuple of them, as literals: `transpose(A, (0, 2, 1, 3))`, `swapaxes(A, -1, -2)`."""
        try:
            value = ast.literal_eval(node)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            value = None
        if isinstance(value, list):
            value = tuple(value)
        if type(value) is int and key != "axes":
            return value
        if isinstance(value, tuple) and all(type(v) is int for v in value) and (value or key == "axes"):
            return value
        what = {"axes": "a tuple of axis numbers such as (0, 2, 1, 3)",
                "axis1": "an axis number", "axis2": "an axis number"}.get(key, "an axis number or a tuple of them")
        raise self.error(ParseError, f"{key} must be {what}", node)

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
