"""The pieces of NumPy code that stand for other statements, as data: a loop's body for one value of its
name, `np.add.at` and `out=` calls, statements made up at the position of the ones written, and a
forward value expanded down to the leaves (to recognise one computed again). Used by `program.py`.
"""
from __future__ import annotations

import ast
import copy
from typing import TypeGuard, TypeVar

from .ir import Call, Expr, Var
from .table import MODULES


#: The most nodes a recomputed forward value is expanded into, to be compared with the network's.
MAX_INLINE = 5_000


def inline(e: Expr, definitions: dict[str, Expr], budget: list[int]) -> Expr:
    """e with every defined name replaced by its definition, down to the leaves (within a budget)."""
    budget[0] -= 1
    if budget[0] <= 0:
        return e
    if isinstance(e, Var) and e.name in definitions:
        return inline(definitions[e.name], definitions, budget)
    if isinstance(e, Call):
        return Call(e.prim, tuple(inline(a, definitions, budget) for a in e.args), e.params)
    return e


def is_range(e: Expr) -> bool:
    """An index that never repeats: arange(N), possibly with new axes."""
    while isinstance(e, Call) and e.prim in ("getitem", "reshape") and e.args:
        e = e.args[0]
    return isinstance(e, Call) and e.prim == "arange"


def output_of(node: ast.expr) -> ast.Name | None:
    """The array a call writes its result into, `out=d`, or None."""
    if isinstance(node, ast.Call):
        for k in node.keywords:
            if k.arg == "out" and isinstance(k.value, ast.Name):
                return k.value
    return None


def is_add_at(node: ast.expr) -> TypeGuard[ast.Call]:
    """`np.add.at(...)`."""
    f = node.func if isinstance(node, ast.Call) else None
    return isinstance(f, ast.Attribute) and f.attr == "at" and isinstance(f.value, ast.Attribute) \
        and f.value.attr == "add" and isinstance(f.value.value, ast.Name) and f.value.value.id in MODULES


Node = TypeVar("Node", bound=ast.AST)


def located(node: Node, like: ast.AST) -> Node:
    """A statement or expression made up for one the learner wrote, at its position."""
    for key in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
        setattr(node, key, getattr(like, key, None))
    return node


class Substitute(ast.NodeTransformer):
    """A loop's body for one value of its name: `i` becomes the number; `"W" + str(i)` the key it spells."""

    def __init__(self, name: str, value):
        self.name, self.value = name, value

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id == self.name and isinstance(self.value, ast.Name):  # a list of names: that name, read or written
            return located(ast.Name(id=self.value.id, ctx=node.ctx), node)
        if node.id == self.name and isinstance(self.value, ast.expr) and isinstance(node.ctx, ast.Load):
            return located(copy.deepcopy(self.value), node)  # an item of a list by number: weights[1]
        if node.id == self.name and isinstance(node.ctx, ast.Load):
            return located(ast.Constant(self.value), node)
        return node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "str" and len(node.args) == 1 \
                and isinstance(node.args[0], ast.Constant) and not node.keywords:
            return located(ast.Constant(str(node.args[0].value)), node)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        a, b = node.left, node.right
        if not (isinstance(a, ast.Constant) and isinstance(b, ast.Constant)):
            return node
        x, y = a.value, b.value
        if isinstance(node.op, ast.Add) and isinstance(x, str) and isinstance(y, str):
            return located(ast.Constant(x + y), node)
        if isinstance(node.op, (ast.Add, ast.Sub)) and type(x) is int and type(y) is int:  # hs[t - 1]
            return located(ast.Constant(x + y if isinstance(node.op, ast.Add) else x - y), node)
        return node
