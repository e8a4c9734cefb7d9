"""Source text → IR, through `ast` and an allowlist. Nothing is ever evaluated.

Every construct outside the language (docs/language.md) is refused with its span and what was
expected instead. The same expression reader serves network files and
learners' derivations; what a name may refer to is decided by the caller's
`Scope`.
"""
from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, cast

from ..codes import E205
from ..diagnostics import source_lines
from .dims import SYMBOL, Dim, Shape, base_names, format_shape, product
from ..errors import ParseError, ShapeError, Span, UnknownNameError
from .ir import Call, Const, DimRef, Expr, Var, parse_python, walk
from .table import (BINARY, BOOLEAN_VALUED, COMPARE, INTEGER_VALUED, EXPRESSION_HELP, FUNCTIONS, KEEPS_INTEGERS, MATH_CHARACTERS, MAX_DEPTH,
                       MAX_EINSUM_OPERANDS, MAX_LITERAL_DIM, MAX_NUMBER, MAX_RANK, MAX_SOURCE_CHARS, MAX_STATEMENTS,
                       METHODS, METHOD_SPELLINGS, MODULES, AXES_PARAMS, claimed_node)
from .shapes import annotate
from .spellings import SPELLINGS, Written
from .draws import drawn_function, read_draw


def number_literal(node: ast.expr) -> bool:
    """`2`, `-1`, `0.5`: a number written as one."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)


@dataclass
class Scope:
    """What names an expression may use: arrays (with shapes), dimension symbols, helpers.

    `names` maps a name as written to the `Var` that holds its current value (imperative code
    assigns a name more than once); `dim_values` holds names bound to a dimension
    (`n = X.shape[0]`), which read as that dimension. `kinds` marks integer and boolean arrays.
    """

    arrays: dict[str, Shape | None] = field(default_factory=dict)
    dims: set[str] = field(default_factory=set)
    later: set[str] = field(default_factory=set)  # defined further down: a use-before-definition
    names: dict[str, str] = field(default_factory=dict)
    dim_values: dict[str, Dim] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)       # Var name → "int" | "bool"
    bounds: dict[str, Dim] = field(default_factory=dict)      # integer leaf → K of `int[N] < K`
    helpers: dict[str, Callable] = field(default_factory=dict)  # name → (reader, call node, scope, depth) → Expr
    read_slot: Callable | None = None                          # grads['W1'] → Expr
    draw: Callable | None = None                               # np.random.rand(...) → a drawn leaf's Var
    exprs: dict[str, Expr] = field(default_factory=dict)       # a helper's local names, read as their expressions
    sizes: dict[str, int] = field(default_factory=dict)        # a list by number → its length (xs[-1] is its last)
    lists: dict[str, str] = field(default_factory=dict)        # a helper's name for a caller's list → that list

    def var(self, name: str) -> str | None:
        if name in self.names:
            return self.names[name]
        return name if name in self.arrays else None

    def known(self) -> list[str]:
        return list(dict.fromkeys([*self.names, *(a for a in self.arrays if a.isidentifier()),
                                   *sorted(self.dims), *self.dim_values]))


def kind_of(e: Expr, scope: Scope) -> str:
    """"int" for integer arrays (labels, ranges), "bool" for comparisons, "float" otherwise."""
    if isinstance(e, Var):
        return scope.kinds.get(e.name, "float")
    if isinstance(e, Call):
        if e.prim in BOOLEAN_VALUED:
            return "bool"
        if e.prim in INTEGER_VALUED:
            return "int"
        if e.prim == "mul" and all(kind_of(a, scope) == "bool" for a in e.args):  # logical_and of two masks
            return "bool"
        if e.prim in KEEPS_INTEGERS and e.args:
            return kind_of(e.args[0], scope)
        if e.prim in ("zeros_like", "ones_like", "setitem") and kind_of(e.args[0], scope) == "int":
            return "int"
    return "float"


#: Operand positions that may hold integers: what is indexed or reshaped, index arrays, onehot's labels.
INTEGER_POSITIONS = {"getitem": None, "index": (0,), "setitem": None, "onehot": (0,), "where": (0,),
                     "zeros_like": (0,), "ones_like": (0,), "gt": (0, 1), "ge": (0, 1), "lt": (0, 1), "le": (0, 1),
                     "eq": (0, 1), "ne": (0, 1), "argmax": (0,), "argmin": (0,), "argsort": (0,)}
INTEGER_POSITIONS.update({p: (0,) for p in KEEPS_INTEGERS if p not in INTEGER_POSITIONS})


#: `y: int[] < V`, one integer label, is not Python syntax; it is read as `int[()] < V`.
SCALAR_LABEL = re.compile(r"(?m)^(\s*[A-Za-z_]\w*\s*:\s*(?:int|binary))\[\]")


class Reader:
    """Converts one source's `ast` into IR; remembers the source for messages."""

    def __init__(self, source: str, origin: str):
        self.source = source
        self.origin = origin
        self.lines = source_lines(source)
        self.spans: dict[int, tuple[Any, Span | None]] = {}   # id → (node, its span): each node's once

    def span(self, node) -> Span | None:
        """The node's span in characters. An operator's caret needs its operands' spans, which are read
        again when the operands are: remembered (with the node, so its id stays its own)."""
        known = self.spans.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        found = Span.of(node, self.lines)
        self.spans[id(node)] = (node, found)
        return found

    def text(self, node, limit: int = 60) -> str:
        """What the learner wrote for `node`, on one line and cut short (never rebuilt from a deep tree)."""
        span = self.span(node)
        if span is None or not 0 < span.line <= len(self.lines):
            return "?"
        line = self.lines[span.line - 1]
        end = span.end_col if (span.end_line or span.line) == span.line else len(line)
        written = line[span.col:end] + ("…" if end == len(line) and (span.end_line or span.line) != span.line else "")
        return written if len(written) <= limit else written[:limit - 1] + "…"

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
    def parse_module(self, max_statements: int = MAX_STATEMENTS) -> ast.Module:
        if len(self.source) > MAX_SOURCE_CHARS:
            raise self.error(ParseError, f"input is {len(self.source):,} characters; the limit is "
                                         f"{MAX_SOURCE_CHARS:,}")
        if "\x00" in self.source:
            before = source_lines(self.source[: self.source.index("\x00")])
            raise ParseError("input contains a NUL byte: is this a binary file?", Span(len(before), len(before[-1]),
                                                                                      len(before[-1]) + 1),
                             source=self.source, origin=self.origin)
        self.refuse_math_characters()
        try:
            tree = parse_python(SCALAR_LABEL.sub(r"\1[()]", self.source), filename=self.origin)
        except SyntaxError as exc:
            line = exc.lineno or 1
            col = max((exc.offset or 1) - 1, 0)
            huge = HUGE_INTEGER.search(self.source) if "digits" in str(exc.msg) else None
            if huge is not None:  # Python's own 4,300-digit limit: said as the number it is, where it is
                before = source_lines(self.source[:huge.start()])
                line, col = len(before), len(before[-1])
                raise ParseError("this number is too large", Span(line, col, col + min(len(huge.group()), 80)),
                                 source=self.source, origin=self.origin,
                                 expected=f"a number up to {MAX_NUMBER:g}") from None
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
        if len(tree.body) > max_statements:
            raise self.error(ParseError, f"{len(tree.body):,} statements; the limit is {max_statements:,}",
                             tree.body[max_statements])
        return tree

    def refuse_math_characters(self) -> None:
        """The math form shapetutor prints (xᵀ, ŷ, −, ∘) is for reading; typed input is code. Comments and
        strings (a homework file's docstring saying ∂C/∂a) may hold it."""
        if MATH_CHARACTERS.keys().isdisjoint(self.source):
            return   # nearly every network: no need to find its strings (Python's tokenizer, a few ms)
        found = ((n, col, char) for n, line in enumerate(self.lines, 1)
                 for col, char in enumerate(line.split("#", 1)[0]) if char in MATH_CHARACTERS)
        first = next(found, None)
        if first is not None:   # outside a comment (most are in one): only then, is it inside a string?
            prose = string_lines(self.source)
            for n, col, char in chain([first], found):
                if (n, col) not in prose:
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

    def dim(self, node: ast.expr, products: bool = False, depth: float = 0) -> Dim:
        expected = "a positive integer, a dimension symbol such as Dx, or a product such as h*d"
        if depth > MAX_DEPTH:
            raise self.error(ParseError, f"a dimension nested too deeply (the limit is {MAX_DEPTH} levels)", node)
        if products and isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            return self.dim(node.left, True, depth + 1) * self.dim(node.right, True, depth + 1)
        if products and isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # n_a + n_x
            return self.dim(node.left, True, depth + 1) + self.dim(node.right, True, depth + 1)
        if isinstance(node, ast.Constant) and type(node.value) is int:
            if node.value < 1:
                raise self.error(ParseError, f"dimension {node.value} is not positive", node, expected)
            if node.value > MAX_LITERAL_DIM:
                raise self.error(ParseError, f"dimension {node.value} is larger than {MAX_LITERAL_DIM:,}", node,
                                 "a dimension symbol for sizes this large")
            return Dim(node.value)
        if isinstance(node, ast.Name):
            return Dim.symbol(node.id)
        raise self.error(ParseError, f"{self.text(node)!r} is not a dimension", node, expected)

    # -- expressions -------------------------------------------------------
    def expr(self, node: ast.expr, scope: Scope, depth: float = 0) -> Expr:
        if depth > MAX_DEPTH:
            raise self.error(ParseError, f"expression nested too deeply (the limit is {MAX_DEPTH} levels)", node)
        span = self.span(node)
        caret = self.caret(node)
        sub = lambda child: self.expr(child, scope, depth + 1)  # noqa: E731
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):
                return Call("pow", (sub(node.left),), (("exponent", self.number(node.right)),), span=span, caret=caret)
            if isinstance(node.op, (ast.FloorDiv, ast.Mod)):  # floor(a / b) and a - b * floor(a / b)
                a, b = sub(node.left), sub(node.right)
                floor = Call("floor", (Call("div", (a, b), span=span),), span=span)
                if isinstance(node.op, ast.FloorDiv):
                    return floor
                return Call("sub", (a, Call("mul", (b, floor), span=span)), span=span, caret=caret)
            prim = BINARY.get(type(node.op))
            if isinstance(node.op, ast.BitXor):
                raise self.error(ParseError, f"{self.text(node)!r}: ^ is Python's bitwise xor, not a power", node,
                                 "a power written A ** 2")
            if prim is None:
                raise self.error(ParseError, f"the operator {self.text(node)!r} is not supported", node,
                                 "one of + - * / @ **")
            # a + b + c + … is a flat list of terms to its writer: each term counts half a level, so a sum
            # of 101 terms is not "nested too deeply" (and 200 of them still fit Python's own recursion)
            flat = isinstance(node.left, ast.BinOp) and FAMILY.get(type(node.left.op)) == FAMILY.get(type(node.op))
            left = self.expr(node.left, scope, depth + 0.5) if flat else sub(node.left)
            return Call(prim, (left, sub(node.right)), span=span, caret=caret)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.UAdd):
                return sub(node.operand)
            if isinstance(node.op, ast.USub):
                inner = sub(node.operand)
                if isinstance(inner, Const):
                    return Const(-inner.value, span=span)
                return Call("neg", (inner,), span=span)
            if isinstance(node.op, (ast.Invert, ast.Not)):  # ~mask: where the mask is 0
                inner = sub(node.operand)
                if kind_of(inner, scope) != "bool":
                    raise self.error(ParseError, "~ inverts a mask (a comparison such as h > 0); here it would "
                                                 "invert the bits of numbers", node, "~(h > 0), or 1 - mask")
                return Call("eq", (inner, Const(0)), span=span)
            raise self.error(ParseError, "only -, + and ~ (of a mask) may stand before an expression", node)
        if isinstance(node, ast.IfExp):
            return self.if_expression(node, scope, depth)
        if isinstance(node, ast.Compare):
            if len(node.ops) != 1 or type(node.ops[0]) not in COMPARE:
                raise self.error(ParseError, "only one comparison > >= < <= at a time", node)
            return Call(COMPARE[type(node.ops[0])], (sub(node.left), sub(node.comparators[0])), span=span, caret=caret)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (int, float)) and type(node.value) is not bool:
                if not abs(node.value) <= MAX_NUMBER:  # also catches inf and nan
                    raise self.error(ParseError, "this number is too large", node, f"a number up to {MAX_NUMBER:g}")
                return Const(node.value, span=span)
            raise self.error(ParseError, f"{node.value!r} is not a number", node, "a number such as 1 or 0.5")
        if isinstance(node, ast.Name):
            return self.name(node, scope)
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == "self" and scope.var("self") is None:
                return self.name(located_name(node.attr, node), scope)  # a class's `self.W` is W
            if node.attr == "T":
                return Call("transpose", (sub(node.value),), span=span, caret=caret)
            if node.attr == "size":
                size = self.dim_expr(node, scope, depth)
                assert size is not None  # x.size is always a number of entries
                return size
            if node.attr == "mT":  # the array API's matrix transpose: the last two axes
                return Call("swapaxes", (sub(node.value),), (("axis1", -1), ("axis2", -2)), span=span, caret=caret)
            raise self.error(ParseError, f"attribute .{node.attr} is not allowed", node,
                             ".T, .shape[i], or a method " + " ".join(f".{m}()" for m in sorted(METHODS)))
        if isinstance(node, ast.Subscript):
            as_dim = self.dim_expr(node, scope, depth)
            if as_dim is not None:
                return as_dim
            beyond = past_the_end(node, scope)
            if beyond is not None:
                raise self.error(ParseError, beyond, node.slice, "an index inside the list")
            alias = list_item(node, scope)
            if alias is not None:  # hs[2] of a dict of arrays filled step by step (hs = {}; hs[t] = ...)
                return self.name(located_name(alias, node), scope)
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                if scope.read_slot is not None:
                    return scope.read_slot(self, node)
                raise self.error(ParseError, "a string key is only for a dictionary of gradients", node.slice)
            index = node.slice
            if _integer(index) is not None:
                return Call("index", (sub(node.value),), (("i", _integer(index)),), span=span, caret=caret)
            items, operands = self.index_items(index, scope, depth)
            return Call("getitem", (sub(node.value), *operands), (("items", items),), span=span, caret=caret)
        if isinstance(node, ast.Call) and drawn_function(node) is not None:
            if scope.draw is None:
                raise self.error(ParseError, "a random draw belongs in the network's forward pass, which draws it "
                                             "once; the derivation reuses the array it drew", node,
                                 "the name the forward pass gave the draw (its mask, such as D1)")
            return scope.draw(self, node, *read_draw(self, node, scope))
        if isinstance(node, ast.Call):
            as_dim = self.dim_expr(node, scope, depth)
            if as_dim is not None:
                return as_dim
            return self.call(node, scope, depth)
        raise self.error(ParseError, f"{type(node).__name__.lower()} expressions are not part of the "
                                     "network language", node, EXPRESSION_HELP)

    def if_expression(self, node: ast.IfExp, scope: Scope, depth: float) -> Expr:
        """`a if cond else b`: the branch a condition on numbers picks (a loop's counter, once unrolled), or
        where(cond, a, b) for a condition on one number of the network (`2 if draw < aprob else 3`)."""
        expected = "a comparison of single numbers (`2 if draw < p else 3`), or np.where(mask, a, b) for arrays"
        if not isinstance(node.test, ast.Compare):
            raise self.error(ParseError, "a conditional expression here needs a comparison as its condition", node,
                             expected)
        cond = self.expr(node.test, scope, depth + 1)
        a, b = self.expr(node.body, scope, depth + 1), self.expr(node.orelse, scope, depth + 1)
        if isinstance(cond, Call) and cond.prim in COMPARE.values() and all(isinstance(x, Const) for x in cond.args):
            x, y = (cast(Const, arg).value for arg in cond.args)
            decide = {"gt": x > y, "ge": x >= y, "lt": x < y, "le": x <= y, "eq": x == y, "ne": x != y}
            return a if decide[cond.prim] else b
        try:
            shape = annotate(cond, cast(dict[str, Shape], scope.arrays)).shape
        except (KeyError, TypeError, ShapeError):
            shape = None
        if shape != () or kind_of(cond, scope) != "bool":
            raise self.error(ParseError, "a conditional expression here needs a comparison of single numbers (an "
                                         "array's truth value is ambiguous in Python)", node.test, expected)
        return Call("where", (cond, a, b), span=self.span(node), caret=self.caret(node))

    def name(self, node: ast.Name, scope: Scope) -> Expr:
        span = self.span(node)
        if node.id in scope.exprs:
            return scope.exprs[node.id]
        if node.id in scope.dim_values:
            return dim_value(scope.dim_values[node.id], span)
        var = scope.var(node.id)
        if var is not None:
            return Var(var, span=span)
        if node.id in scope.dims:
            return DimRef(node.id, span=span)
        if node.id in scope.later:
            raise self.error(UnknownNameError, f"{node.id!r} is used before it is defined", node,
                             "every name defined on an earlier line")
        if claimed_node(node.id, scope.arrays):
            raise self.error(UnknownNameError, f"{node.id!r} is not defined here: a derivation defines each step before "
                                         f"using it", node, f"a line such as `{node.id} = ...` before this one")
        known = scope.known()
        hint = did_you_mean(node.id, known)
        if node.id in FUNCTIONS or node.id in scope.helpers:
            raise self.error(UnknownNameError, f"{node.id!r} is a function: call it, as in {node.id}(...)", node)
        raise self.error(UnknownNameError, f"unknown name {node.id!r}{hint}", node,
                         "one of " + ", ".join(known) if known else None)

    # -- dimensions written in code: X.shape[0], len(X), n = X.shape[0] ---------------------
    def shape_of(self, node: ast.expr, scope: Scope, depth: float) -> Shape:
        """The shape of an operand of `.shape`, known from the lines before."""
        expr = self.expr(node, scope, depth + 1)
        try:
            # a name whose shape is not known yet (None) makes inference raise, answered below
            shape = annotate(expr, cast(dict[str, Shape], scope.arrays)).shape
        except (KeyError, TypeError, ShapeError):
            shape = None
        if shape is None:
            raise self.error(ParseError, f"the shape of {self.text(node)!r} is not known here", node,
                             "`.shape` of a name whose shape is known from the lines before")
        return shape

    def dim_of(self, node: ast.expr, scope: Scope, depth: float = 0) -> Dim:
        """A dimension as code writes it: 5, H, n (bound to one), X.shape[0], len(X), 2*H."""
        expected = "a positive integer, a dimension symbol such as Dx, or X.shape[0]"
        if depth > MAX_DEPTH:
            raise self.error(ParseError, f"a dimension nested too deeply (the limit is {MAX_DEPTH} levels)", node)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            node = located_name(node.attr, node)  # self.N is N
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            return self.dim_of(node.left, scope, depth + 1) * self.dim_of(node.right, scope, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.dim_of(node.left, scope, depth + 1) + self.dim_of(node.right, scope, depth + 1)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "prod" \
                and len(node.args) == 1 and isinstance(node.args[0], ast.Attribute) and node.args[0].attr == "shape":
            return product(self.shape_of(node.args[0].value, scope, depth))  # np.prod(x[0].shape)
        if isinstance(node, ast.Name) and node.id in scope.dim_values:
            return scope.dim_values[node.id]
        if isinstance(node, ast.Name) and node.id not in scope.dims and scope.var(node.id) is None:
            raise self.error(UnknownNameError, f"unknown dimension {node.id!r}", node, expected)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape":
            shape = self.shape_of(node.value.value, scope, depth)
            i = node.slice
            try:
                index = ast.literal_eval(i)
            except (ValueError, SyntaxError, TypeError):
                index = None
            if type(index) is not int or not -len(shape) <= index < len(shape):
                raise self.error(ParseError, f"{self.text(node)} is not an axis of a {format_shape(shape)} array", i,
                                 f"an integer from 0 to {len(shape) - 1}")
            return shape[index]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len" \
                and len(node.args) == 1 and not node.keywords:
            items = numbered_items(node.args[0], scope)
            if items:  # len(all_weights) of the arrays all_weights_0, all_weights_1, …: how many there are
                return Dim(items)
            shape = self.shape_of(node.args[0], scope, depth)
            if not shape:
                raise self.error(ParseError, "len() of a scalar", node)
            return shape[0]
        return self.dim(node)

    def dim_expr(self, node: ast.expr, scope: Scope, depth: float) -> Expr | None:
        """`X.shape[0]` or `len(X)` used as a number in an expression: the dimension's scalar."""
        if isinstance(node, ast.Attribute) and node.attr == "size":  # x.size: the number of entries
            return dim_value(product(self.shape_of(node.value, scope, depth)), self.span(node))
        if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape") \
                or (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len"
                    and "len" not in scope.helpers) \
                or (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "prod"
                    and len(node.args) == 1 and isinstance(node.args[0], ast.Attribute)
                    and node.args[0].attr == "shape"):
            return dim_value(self.dim_of(node, scope, depth), self.span(node))
        return None

    def index_items(self, index: ast.expr, scope: Scope, depth: float) -> tuple[tuple, tuple[Expr, ...]]:
        """NumPy's index as data: ("s", start, stop) slices, ("n",) new axes, ("i", k) integers,
        ("e",) an ellipsis, ("a", k) the k-th index array (operand k of the call)."""
        elts = index.elts if isinstance(index, ast.Tuple) else [index]
        items: list[tuple] = []
        operands: list[Expr] = []
        for e in elts:
            if isinstance(e, ast.Slice):
                if e.step is not None and _integer(e.step) != 1:
                    raise self.error(ParseError, "slices with a step are not supported", e.step, "A[start:stop]")
                items.append(("s", self.bound(e.lower, scope, depth), self.bound(e.upper, scope, depth)))
            elif (isinstance(e, ast.Constant) and e.value is None) or (
                    isinstance(e, ast.Attribute) and e.attr == "newaxis" and isinstance(e.value, ast.Name)
                    and e.value.id in MODULES):
                items.append(("n",))
            elif isinstance(e, ast.Constant) and e.value is Ellipsis:
                items.append(("e",))
            elif _integer(e) is not None:
                items.append(("i", _integer(e)))
            else:
                operands.append(self.expr(e, scope, depth + 1))
                items.append(("a", len(operands)))
        if sum(1 for it in items if it[0] == "e") > 1:
            raise self.error(ParseError, "an index can have only one ellipsis (...)", index)
        return tuple(items), tuple(operands)

    def bound(self, node: ast.expr | None, scope: Scope, depth: float):
        """A slice bound: None, an integer (negative counts from the end) or a dimension."""
        if node is None:
            return None
        if _integer(node) is not None:
            return _integer(node)
        return self.dim_of(node, scope, depth)

    def function_of(self, node: ast.Call, scope: Scope, depth: float) -> tuple[str, list[ast.expr], bool]:
        """(name, arguments, whether it may be a helper): np.f(a), f(a), a.method(b), np.linalg.norm(a)."""
        func = node.func
        if isinstance(func, ast.Name):
            return func.id, list(node.args), True
        if isinstance(func, ast.Attribute):
            owner = func.value
            if isinstance(owner, ast.Name) and owner.id in MODULES and scope.var(owner.id) is None:
                return func.attr, list(node.args), False
            if isinstance(owner, ast.Attribute) and isinstance(owner.value, ast.Name) and owner.value.id in MODULES \
                    and f"{owner.attr}.{func.attr}" in FUNCTIONS:
                return f"{owner.attr}.{func.attr}", list(node.args), False
            if func.attr in METHODS or func.attr in METHOD_SPELLINGS:
                return METHOD_SPELLINGS.get(func.attr, func.attr), [func.value, *node.args], False
            raise self.error(ParseError, f"method .{func.attr}() is not allowed", func,
                             "one of " + " ".join(f".{m}()" for m in sorted(METHODS)) + ", or np.FUNCTION(...)")
        if isinstance(func, ast.Lambda):
            raise self.error(ParseError, "a lambda is called by its name here", func,
                             "name it first: `f = lambda q: ...` (or `def f(q): return ...`), then f(x)")
        raise self.error(ParseError, "only named functions can be called", func, EXPRESSION_HELP)

    def call(self, node: ast.Call, scope: Scope, depth: float) -> Expr:
        name, args, plain = self.function_of(node, scope, depth)
        if plain and name in scope.helpers:  # a learner's own def (or a course helper) comes first
            return scope.helpers[name](self, node, scope, depth)
        if plain and (name in scope.names or name in scope.dim_values):
            raise self.error(ParseError, f"{name!r} holds a value here (it was assigned), so it cannot be called",
                             node.func, f"another name for the value, or call the function before {name!r} "
                                        "is assigned")
        if name == "einsum":
            return self.einsum(node, args, scope, depth)
        if name in SPELLINGS:  # a composition of primitives: np.var, np.hstack, .astype(float), np.tile …
            return SPELLINGS[name](Written(self, node, name, args, scope, depth))
        if name == "dot" and len(args) == 2 and not node.keywords and any(map(number_literal, args)):
            # np.dot(-1, Z): NumPy's dot with a number is the product by it
            c = Written(self, node, name, args, scope, depth)
            return Call("mul", (c.array(args[0]), c.array(args[1])), (), span=self.span(node), caret=self.caret(node))
        node = self.plain_keywords(node, name)
        if name == "clip" and (len(args) + len(node.keywords) < 3 or any(
                isinstance(a, ast.Constant) and a.value is None for a in args[1:3])):
            return self.one_bound(node, args, scope, depth)
        if name == "reshape" and node.keywords and node.keywords[-1].arg == "order":
            return self.fortran_order(node, args, scope, depth)
        fn = FUNCTIONS.get(name)
        if fn is None:
            hint = did_you_mean(name, [*FUNCTIONS, *scope.helpers], quote=False)
            raise self.error(UnknownNameError, f"unknown function {name!r}{hint}", node.func,
                             EXPRESSION_HELP + "; or define it with def")
        params = dict(fn.defaults)
        params.update(fn.fixed)
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
        for key in fn.fixed:
            if any(k == key for k, _ in given):
                raise self.error(ParseError, f"{name}() has no argument {key!r}", node)
        if len(args) < fn.arity:
            raise self.error(ParseError, f"{name}() needs {fn.arity} argument(s), got {len(args)}", node)
        operands = tuple(self.expr(a, scope, depth + 1) for a in args[: fn.arity])
        if fn.prim == "onehot" and operands and isinstance(operands[0], Const):
            if not float(operands[0].value).is_integer():
                raise self.error(ParseError, "onehot needs an integer or an integer array", args[0])
            operands = (Const(int(operands[0].value), span=operands[0].span),)
        missing = [key for key in fn.required if key not in params]
        if missing:
            raise self.error(ParseError, f"{name}() needs {' and '.join(missing)}", node,
                             f"{name}(" + ", ".join(["A"] * fn.arity + list(fn.keywords)) + ")")
        return Call(fn.prim, operands, tuple(sorted(params.items())), span=self.span(node), caret=self.caret(node))

    def plain_keywords(self, node: ast.Call, name: str) -> ast.Call:
        """PyTorch's `dim=`/`keepdim=` are NumPy's `axis=`/`keepdims=`; a `dtype=` changes no value read here."""
        renamed: dict[str | None, str | None] = {"dim": "axis", "keepdim": "keepdims"}
        keywords = [ast.keyword(arg=renamed.get(k.arg, k.arg), value=k.value) for k in node.keywords
                    if k.arg not in ("dtype", "out") and not (name in ("array", "copy") and k.arg == "copy" and isinstance(
                        k.value, ast.Constant) and k.value.value is True)]  # np.array(dA, copy=True) is a copy
        order = [k for k in keywords if k.arg == "order"]
        if name == "reshape" and order:  # order last, read by fortran_order
            keywords = [k for k in keywords if k.arg != "order"] + order
        if [k.arg for k in keywords] == [k.arg for k in node.keywords]:
            return node
        return self._located_call(node, keywords)

    @staticmethod
    def _located_call(node: ast.Call, keywords) -> ast.Call:
        out = ast.Call(func=node.func, args=node.args, keywords=keywords)
        for key in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
            setattr(out, key, getattr(node, key))
        return out

    def one_bound(self, node: ast.Call, args: list[ast.expr], scope: Scope, depth: float) -> Expr:
        """`x.clip(0.0)`, `np.clip(x, None, 5)`: one bound is a maximum (or a minimum) with a number."""
        keywords = {k.arg: k.value for k in node.keywords}
        lo = args[1] if len(args) > 1 else keywords.get("a_min", keywords.get("min"))
        hi = args[2] if len(args) > 2 else keywords.get("a_max", keywords.get("max"))
        lo, hi = (None if b is None or (isinstance(b, ast.Constant) and b.value is None) else b for b in (lo, hi))
        if (lo is None) == (hi is None):
            raise self.error(ParseError, "clip needs a lower bound, an upper bound or both", node,
                             "np.clip(a, lo, hi), a.clip(0.0), np.clip(a, None, hi)")
        operand = self.expr(args[0], scope, depth + 1)
        written = lo if lo is not None else hi
        assert written is not None  # exactly one bound, checked above
        bound = Const(self.number(written))
        return Call("maximum" if lo is not None else "minimum", (operand, bound), span=self.span(node),
                    caret=self.caret(node))

    def fortran_order(self, node: ast.Call, args: list[ast.expr], scope: Scope, depth: float) -> Expr:
        """`reshape(a, shape, order='F')` is `reshape(a.T, reversed(shape)).T`: the same numbers, read with the
        first index fastest."""
        order = node.keywords[-1].value
        if not (isinstance(order, ast.Constant) and order.value in ("C", "F", "A")):
            raise self.error(ParseError, "order must be 'C' or 'F'", order)
        plain = self._located_call(node, node.keywords[:-1])
        if order.value != "F":
            return self.call(plain, scope, depth)
        c_order = self.call(plain, scope, depth)
        assert isinstance(c_order, Call)  # a reshape
        shape = c_order.param("shape")
        operand = c_order.args[0]
        turned = Call("reshape", (Call("transpose", (operand,), span=operand.span),),
                      (("shape", tuple(reversed(shape))),), span=c_order.span)
        return Call("transpose", (turned,), span=self.span(node), caret=self.caret(node))

    def einsum(self, node: ast.Call, args: list[ast.expr], scope: Scope, depth: float) -> Expr:
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
            if isinstance(node, ast.Constant) and (type(node.value) is bool or node.value in (0, 1)):
                return bool(node.value)  # keepdims=1, as some courses write it
            raise self.error(ParseError, "keepdims must be True or False (or 1 or 0)", node)
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
            if isinstance(node, ast.Attribute) and node.attr == "shape":  # x.reshape(y.shape)
                return tuple(self.shape_of(node.value, scope, 0))
            elts = node.elts if isinstance(node, (ast.Tuple, ast.List)) else [node]
            dims = tuple(None if _integer(e) == -1 else self.dim_of(e, scope) for e in elts)
            if dims.count(None) > 1:
                raise self.error(ParseError, "only one dimension of a reshape can be -1", node)
            return self.known_dims(dims, node, scope)
        if key in ("n", "m"):
            return self.known_dims((self.dim_of(node, scope),), node, scope)[0]
        if key == "k":
            if _integer(node) is not None:
                return _integer(node)
            return self.known_dims((self.dim_of(node, scope),), node, scope)[0]
        if key in ("a_min", "a_max", "exponent"):
            return self.number(node)
        raise AssertionError(key)

    def known_dims(self, dims, node, scope: Scope):
        for d in dims:
            for s in (base_names(d) if d is not None else ()):
                if s not in scope.dims:
                    raise self.error(UnknownNameError, f"unknown dimension {s!r}", node)
        return dims

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
            raise self.error(ParseError, f"the exponent {self.text(node)!r} must be a number", node,
                             "A ** c with c a number such as 2, -1 or 0.5") from None
        return value


def item_name(base: str, key: int) -> str:
    """The name a numbered item of a dict of arrays goes by: hs[2] is hs_2, hs[-1] is hs_m1."""
    return f"{base}_{key}" if key >= 0 else f"{base}_m{-key}"


def list_item(node: ast.Subscript, scope: Scope, lists: Set[str] = frozenset()) -> str | None:
    """`hs[2]` where `hs = {}` holds arrays by number (min-char-rnn's xs, hs, ps): the item's own name;
    `caches[2][0]` of a list of tuples, the item of an item."""
    key = _known_integer(node.slice, scope)
    base = list_base(node.value, scope, lists)
    if base is None or key is None:
        return None
    if key < 0 and scope.var(item_name(base, key)) is None:  # nabla_w[-l] of a list of known length
        key += scope.sizes.get(base) or items_of(base, scope)  # counts from its end
    name = item_name(base, key)
    if base in lists or scope.var(name) is not None or name in scope.dim_values or items_of(name, scope):
        return name
    return None


def past_the_end(node: ast.Subscript, scope: Scope) -> str | None:
    """What is wrong with an index past either end of a list of known length (`zs[-3]` of two items)."""
    key = _known_integer(node.slice, scope)
    base = list_base(node.value, scope)
    if base is None or key is None or scope.var(item_name(base, key)) is not None:
        return None
    size = scope.sizes.get(base) or (items_of(base, scope) if key < 0 else 0)  # a list the network filled
    if not size or -size <= key < size:
        return None
    return f"index {key} is out of range for the list {base} of {size} item(s)"


def list_base(node: ast.expr, scope: Scope, lists: Set[str] = frozenset()) -> str | None:
    """The name of the list a subscript's base denotes: `hs`, a helper's `cache` (the caller's list), `caches[2]`."""
    if isinstance(node, ast.Subscript):
        return list_item(node, scope, lists)
    if not isinstance(node, ast.Name):
        return None
    if node.id in scope.lists:
        return scope.lists[node.id]
    if scope.var(node.id) is not None or node.id in scope.dim_values or node.id in scope.exprs:
        return None
    return node.id


class KeysSpelled(ast.NodeTransformer):
    """A subscript's string key built from numbers known as the text is read ("dW" + str(L) with L = 3) as the
    key it spells, "dW3"."""

    def __init__(self, scope: Scope):
        self.scope = scope

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        self.generic_visit(node)
        key = self.key(node.slice)
        if key is not None and not isinstance(node.slice, ast.Constant):
            spelled = ast.Constant(key)
            ast.copy_location(spelled, node.slice)
            spelled.end_lineno, spelled.end_col_offset = node.slice.end_lineno, node.slice.end_col_offset
            node.slice = spelled
        return node

    def key(self, node: ast.expr, depth: int = 0) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str" \
                and len(node.args) == 1 and not node.keywords:
            number = _known_integer(node.args[0], self.scope)
            return None if number is None else str(number)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and depth < 8:
            a, b = self.key(node.left, depth + 1), self.key(node.right, depth + 1)
            return None if a is None or b is None else a + b
        return None


def _known_integer(node: ast.expr, scope: Scope, depth: int = 0) -> int | None:
    """An index known as the text is read: a literal, a name bound to a number (`all_f[K]` with K = 5), K - 1."""
    if _integer(node) is not None:
        return _integer(node)
    if isinstance(node, ast.Name) and node.id in scope.dim_values and node.id not in scope.exprs:
        d = scope.dim_values[node.id]
        return d.coeff if d.is_literal else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)) and depth < 8:
        a, b = _known_integer(node.left, scope, depth + 1), _known_integer(node.right, scope, depth + 1)
        if a is not None and b is not None:
            return a + b if isinstance(node.op, ast.Add) else a - b
    return None


def numbered_items(node: ast.expr, scope: Scope) -> int:
    """How many arrays a name that is not an array numbers (all_weights_0, all_weights_1, …), else 0."""
    if not isinstance(node, ast.Name) or node.id in scope.exprs:
        return 0
    if node.id in scope.lists:
        return items_of(scope.lists[node.id], scope)
    return 0 if scope.var(node.id) is not None else items_of(node.id, scope)


def items_of(name: str, scope: Scope, depth: int = 0) -> int:
    """How many items the list `name` holds: name_0, name_1, … each an array or itself a list (a tuple)."""
    if name in scope.sizes:
        return scope.sizes[name]
    if depth > 4 or scope.var(name) is not None:
        return 0
    count = 0
    while count < MAX_STATEMENTS and (scope.var(item_name(name, count)) is not None
                                      or items_of(item_name(name, count), scope, depth + 1)):
        count += 1
    return count


def located_name(name: str, like: ast.AST) -> ast.Name:
    out = ast.Name(id=name, ctx=ast.Load())
    for key in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
        setattr(out, key, getattr(like, key, None))
    return out


def _integer(node: ast.expr | None) -> int | None:
    """A literal integer, possibly negative, else None."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and type(node.operand.value) is int:
        return -node.operand.value
    return None


def dim_value(d: Dim, span=None) -> Expr:
    """A dimension read as a number: N, 3, or N * T."""
    if d.is_literal:
        return Const(d.coeff, span=span)
    out: Expr = DimRef(d.symbols[0], span=span)
    for s in d.symbols[1:]:
        out = Call("mul", (out, DimRef(s)), span=span)
    return Call("mul", (Const(d.coeff), out), span=span) if d.coeff != 1 else out


def did_you_mean(name: str, known, quote: bool = True) -> str:
    """A close spelling only: never a name that merely starts the same (sigmoid_grad is not sigmoid)."""
    close = [c for c in difflib.get_close_matches(name, list(known), n=3)
             if edits(name, c) <= max(1, min(len(name), len(c)) // 3)
             and (not (c.startswith(name) or name.startswith(c)) or abs(len(c) - len(name)) <= 1)]
    return (f"; did you mean {close[0]!r}?" if quote else f"; did you mean {close[0]}?") if close else ""


def edits(a: str, b: str) -> int:
    """Levenshtein distance: a typo is one or two edits; sigmoid_grad is five away from sigmoid."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _fold_number(node: ast.expr, depth: float = 0) -> float:
    sign = 1
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):  # ----2 is 2, as in Python
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if depth > MAX_DEPTH:
        raise ValueError
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and type(node.value) is not bool:
        return sign * node.value
    if isinstance(node, ast.BinOp) and type(node.op) in (ast.Div, ast.Mult, ast.Add, ast.Sub):
        a, b = _fold_number(node.left, depth + 1), _fold_number(node.right, depth + 1)
        return sign * {ast.Div: lambda: a / b, ast.Mult: lambda: a * b,
                       ast.Add: lambda: a + b, ast.Sub: lambda: a - b}[type(node.op)]()
    raise ValueError


#: An integer literal Python refuses to convert (more than 4,300 digits).
HUGE_INTEGER = re.compile(r"(?<![\w.])\d{4300,}")

#: Operators that chain into a flat list when written one after another (a + b - c, a * b / c).
FAMILY = {ast.Add: "sum", ast.Sub: "sum", ast.Mult: "product", ast.Div: "product"}


def check_kinds(reader: Reader, expr: Expr, scope: Scope) -> None:
    """Integer labels are for picking and one-hot encoding, index arrays are integers, masks are comparisons."""
    for node in walk(expr):
        if not isinstance(node, Call):
            continue
        first_index = {"getitem": 1, "setitem": 2}.get(node.prim)
        allowed = INTEGER_POSITIONS.get(node.prim, ())
        for i, arg in enumerate(node.args):
            kind = kind_of(arg, scope)
            if first_index is not None and i >= first_index:
                if kind == "float" or (kind == "bool" and node.prim == "getitem"):
                    what = ("a boolean mask picks a number of entries that depends on the values"
                            if kind == "bool" else "an index array must hold integers (labels, range(N))")
                    raise ShapeError(what, node.span, op="[]", operands=tuple(a.shape for a in node.args
                                                                             if a.shape is not None),
                                     caret=node.caret, source=reader.source, origin=reader.origin, code=E205.code)
                continue
            if kind == "int" and allowed is not None and i not in allowed:
                label = arg.name if isinstance(arg, Var) else "this integer array"
                bound = scope.bounds.get(label)
                k = str(bound) if bound is not None else "K"
                raise reader.error(ParseError, f"{label} holds integer labels, not numbers to compute with here; "
                                               f"pick with it (P[range(N), {label}]) or write onehot({label}, {k})",
                                   getattr(arg, "span", None) and _At(arg.span) or None)


class _At:
    """An `ast`-like position for an IR node's span (errors are located with `Reader.span`)."""

    def __init__(self, span):
        self.lineno, self.col_offset = span.line, span.col
        self.end_lineno, self.end_col_offset = span.end_line or span.line, span.end_col


def is_symbol(name: str) -> bool:
    return bool(SYMBOL.match(name))


class _Inside:
    """The places (line, column) inside string literals, answered by range rather than listed."""

    def __init__(self, spans: list[tuple[tuple[int, int], tuple[int, int]]]):
        self.spans = spans

    def __contains__(self, place: tuple[int, int]) -> bool:
        return any(start <= place < end for start, end in self.spans)


def string_lines(source: str) -> _Inside:
    """Where the string literals of `source` are, by Python's own tokenizer (nothing where it cannot
    tokenize the text: the refusal then applies everywhere, as before)."""
    import io
    import tokenize
    spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
    if not any(q in source for q in ("'", '"')):
        return _Inside(spans)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.STRING or tok.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
                spans.append((tok.start, tok.end))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return _Inside(spans)
