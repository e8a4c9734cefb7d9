"""Imperative NumPy code → straight-line single assignments. Nothing is executed.

Learners' code (and a forward pass pasted from a course) assigns a name again (`loss /= N`,
`delta` layer after layer), changes arrays in place (`d /= N`, `d[h <= 0] = 0`,
`d[range(N), y] -= 1`), aliases them (`d = probs` shares the array; `.copy()` does not), keeps
gradients in a dictionary (`grads['W1'] = ...`) and calls helpers (`def sigmoid_grad(s): ...`).
`Program` reads such code statement by statement. Each name refers to an array object; a new
value gets a unique variable, and an in-place change gives the *object* a new variable, so every
alias sees it, exactly as NumPy has it. Helpers are expanded where they are called (their own
names are local); a helper that changes an argument in place changes the caller's array.
"""
from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from ..diagnostics import Span
from .dims import Dim, format_shape
from ..errors import ParseError, ShapeError, TutorError
from .ir import Call, Const, DimRef, Expr, Var
from .table import BINARY
from .parse import Reader, Scope, kind_of

#: How deep helpers may call helpers (a helper that calls itself would never end).
MAX_HELPER_DEPTH = 16
#: In-place operators and the primitive each applies.
IN_PLACE = {**{k: v for k, v in BINARY.items() if v != "matmul"}}
UPDATE_OPS = {"add": "add", "sub": "sub", "mul": "mul", "div": "div"}


@dataclass(frozen=True)
class Assignment:
    """One new value: its unique variable, the expression, the statement, the names that show it."""

    var: str
    expr: Expr
    span: Span | None
    names: tuple[str, ...]
    statement: int


@dataclass
class Obj:
    """A NumPy array object: the variable holding its current value."""

    var: str


@dataclass
class Helper:
    name: str
    params: tuple[str, ...]
    body: list[ast.stmt]
    node: ast.FunctionDef


@dataclass
class Frame:
    """A helper's local names: expressions (substituted) or the caller's objects (shared)."""

    exprs: dict[str, Expr] = field(default_factory=dict)
    objects: dict[str, Obj] = field(default_factory=dict)


class Program:
    """Reads statements into `assignments`, keeping `scope` up to date for the expression reader.

    `typer(expr)` fills in shapes (and raises `ShapeError`); `new_var(name)` names a new value;
    `network` is True for a network file, where in-place changes of shared arrays, assignments
    into part of an array and dictionaries are refused (a network defines values).
    """

    def __init__(self, reader: Reader, scope: Scope, typer: Callable[[Expr], Expr],
                 new_var: Callable[[str], str], *, network: bool, builtins: dict[str, str] | None = None,
                 protected: set[str] = frozenset()):
        self.reader = reader
        self.scope = scope
        self.typer = typer
        self.new_var = new_var
        self.network = network
        self.protected = protected             # the network's names: a derivation changes them, never rebinds them
        self.assignments: list[Assignment] = []
        self.objects: dict[str, Obj] = {}       # a name (or a slot "grads['W1']") → its array object
        self.bound_at: dict[str, tuple[int, Span | None]] = {}  # name → (statement, span) of its last change
        self.dicts: set[str] = set()
        self.aliased: set[str] = set()           # networks: names that share an array with another name
        self.statement = 0
        self.depth = 0
        self.answer: Expr | None = None          # a bare last expression
        self.answer_span: Span | None = None
        self.last_target: str | None = None      # the name the last statement assigned or changed
        self.temp = 0
        scope.read_slot = self.read_slot
        for name, source in (builtins or {}).items():
            tree = ast.parse(source)
            self.define(tree.body[0], Reader(source, f"<built-in {name}>"))

    # -- statements ----------------------------------------------------------------------------
    def run(self, body: list[ast.stmt]) -> None:
        for i, stmt in enumerate(body):
            self.statement = i
            self.top(stmt, last=i == len(body) - 1)

    def top(self, stmt: ast.stmt, last: bool) -> None:
        r = self.reader
        if isinstance(stmt, ast.FunctionDef):
            self.define(stmt, r)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            if not all(a.name in ("numpy", "numpy.linalg") for a in stmt.names) and \
                    not (isinstance(stmt, ast.ImportFrom) and stmt.module == "numpy"):
                raise r.error(ParseError, "only `import numpy as np` may be imported", stmt)
        elif isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                                           and isinstance(stmt.value.value, str)):
            pass  # a docstring or a comment-like string
        elif isinstance(stmt, ast.Expr) and last and not self.network:
            expr = self.reader.expr(stmt.value, self.scope)
            self.answer = self.typer(expr)
            self.answer_span = r.span(stmt)
        elif isinstance(stmt, (ast.Assign, ast.AugAssign)):
            self.assign(stmt, None)
        elif isinstance(stmt, ast.Expr):
            raise r.error(ParseError, "only the last line may be a bare expression" if not self.network
                          else "a network file holds declarations, definitions and helpers", stmt,
                          "`name = expression`")
        else:
            raise r.error(ParseError, f"{type(stmt).__name__.lower()} statements are not part of the language "
                          "(nothing is run: loops and conditions cannot be followed)", stmt,
                          "assignments `name = expression` (also +=, -=, d[mask] = 0, grads['W1'] = ...) and "
                          "helpers `def f(a): ... return ...`")

    def assign(self, stmt: ast.Assign | ast.AugAssign, frame: Frame | None) -> None:
        r = self.reader
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1 or isinstance(stmt.targets[0], (ast.Tuple, ast.List)):
                raise r.error(ParseError, "assign one name at a time", stmt, "`name = expression`")
            target, op = stmt.targets[0], None
        else:
            target, op = stmt.target, IN_PLACE.get(type(stmt.op))
            if op is None:
                raise r.error(ParseError, f"the operator {type(stmt.op).__name__} is not supported in place", stmt,
                              "+=, -=, *= or /=")
        span = r.span(stmt)
        if isinstance(target, ast.Name):
            self.to_name(target.id, target, stmt.value, op, span, frame)
        elif isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) \
                and isinstance(target.slice.value, str) and isinstance(target.value, ast.Name):
            if self.network or frame is not None:
                raise r.error(ParseError, "a dictionary of gradients belongs in a derivation", target)
            base = target.value.id
            if base in self.objects or self.scope.var(base) is not None:
                raise r.error(ParseError, f"{base!r} is an array, not a dictionary", target.value)
            self.dicts.add(base)
            self.to_name(slot_name(base, target.slice.value), target, stmt.value, op, span, None)
        elif isinstance(target, ast.Subscript):
            self.into_part(target, stmt.value, op, span, frame)
        else:
            raise r.error(ParseError, "the left side must be a name, d[index] or grads['W1']", target)

    def to_name(self, name: str, target: ast.expr, value: ast.expr, op: str | None, span, frame: Frame | None):
        r, scope = self.reader, self.scope
        if op is None and isinstance(value, ast.Dict) and not value.keys and frame is None and not self.network:
            self.dicts.add(name)
            return
        if frame is None and name in self.dicts and op is None:
            self.dicts.discard(name)
        current = self.read_name(name, frame)
        if op is not None and current is None:
            raise r.error(ParseError, f"{name!r} is changed in place before it has a value", target)
        if op is None:
            if self.network and isinstance(value, ast.Name):  # a definition of its own, as SPEC §1 has it
                self.aliased.update({name, value.id})
            shared = None if self.network else self.shared_object(value, frame)
            if shared is not None:  # `d = probs`: the same array under a second name
                self.bind(name, shared, frame, span)
                return
            expr = self.read(value, frame)
        else:
            expr = Call(op, (current, self.read(value, frame)), span=span,
                        caret=r.caret(ast.BinOp(target, ast.Add(), value, lineno=target.lineno,
                                                col_offset=target.col_offset, end_lineno=value.end_lineno,
                                                end_col_offset=value.end_col_offset)))
        if op is None and frame is None and name in self.protected:
            raise r.error(ParseError, f"{name!r} is already a name in the network; give this step its own name, "
                                      f"such as d{name}", target)
        typed = self.typer(expr)
        dim = as_dimension(typed) if op is None else None
        if dim is not None and not dim.is_literal:  # `n = X.shape[0]`: a name for a dimension
            if self.network and frame is None:  # still a node of the network, read as the dimension
                self.new_value(name, typed, span, frame)
            self.unbind(name, frame)
            (frame.exprs if frame is not None else scope.dim_values)[name] = \
                typed if frame is not None else dim
            self.mark(name, span)
            return
        in_place = op is not None and current is not None and bool(current.shape) and isinstance(current, Var)
        if in_place:
            if typed.shape != current.shape:
                raise ShapeError(f"`{name} {_SYMBOLS[op]}= ...` would change {name}'s shape from "
                                 f"{format_shape(current.shape)} to {format_shape(typed.shape)}: an in-place "
                                 "operation keeps the array's shape", typed.span, op=_SYMBOLS[op] + "=",
                                 operands=(current.shape, typed.args[1].shape), caret=typed.caret, code="E202")
            obj = self.object_of(name, frame)
            if obj is not None:
                if self.network and name in self.aliased:
                    raise r.error(ParseError, f"{name!r} shares its array with another name, so changing it in "
                                              "place would change both; write a new name", target)
                self.update(obj, typed, span)
                return
        self.new_value(name, typed, span, frame)

    def into_part(self, target: ast.Subscript, value: ast.expr, op: str | None, span, frame: Frame | None):
        """`d[index] = v` and `d[index] -= v`: the array object gets a new value with that part changed."""
        r = self.reader
        if self.network:
            raise r.error(ParseError, "a network defines values: write where(mask, value, d) instead of "
                                      "assigning into part of an array", target)
        if not isinstance(target.value, ast.Name):
            raise r.error(ParseError, "assign into part of a named array: d[index] = value", target)
        name = target.value.id
        current = self.read_name(name, frame)
        if current is None:
            raise r.error(ParseError, f"{name!r} has no value here to assign into", target.value)
        items, operands = r.index_items(target.slice, self.frame_scope(frame), 0)
        typed_ops = [self.typer(o) for o in operands]
        masks = [i for i, o in enumerate(typed_ops) if kind_of(o, self.scope) == "bool"]
        if masks:
            if len(items) != 1:
                raise r.error(ParseError, "a mask indexes the whole array on its own: d[mask] = value", target.slice)
            items = (("m", 1),)
        v = self.read(value, frame)
        expr = Call("setitem", (current, v, *typed_ops), (("items", items), ("op", UPDATE_OPS.get(op, "set"))),
                    span=span, caret=r.caret(target))
        typed = self.typer(expr)
        obj = self.object_of(name, frame)
        if obj is None:  # a helper's own expression: rebind it locally
            frame.exprs[name] = typed
            return
        self.update(obj, typed, span)

    # -- names and objects -----------------------------------------------------------------------
    def read(self, node: ast.expr, frame: Frame | None) -> Expr:
        return self.reader.expr(node, self.frame_scope(frame))

    def frame_scope(self, frame: Frame | None) -> Scope:
        if frame is None:
            return self.scope
        s = self.scope
        names = {**s.names, **{n: o.var for n, o in frame.objects.items()}}
        for n in frame.exprs:
            names.pop(n, None)
        dims = {k: v for k, v in s.dim_values.items() if k not in frame.exprs and k not in frame.objects}
        return Scope(arrays=s.arrays, dims=s.dims - set(frame.exprs) - set(frame.objects), names=names,
                     dim_values=dims, kinds=s.kinds, bounds=s.bounds, helpers=s.helpers, read_slot=s.read_slot,
                     exprs=dict(frame.exprs))

    def read_name(self, name: str, frame: Frame | None) -> Expr | None:
        """The current value of a name (None when it has none yet)."""
        if frame is not None:
            if name in frame.exprs:
                return frame.exprs[name]
            if name in frame.objects:
                return Var(frame.objects[name].var, shape=self.scope.arrays.get(frame.objects[name].var))
        obj = self.objects.get(name)
        if obj is not None:
            return Var(obj.var, shape=self.scope.arrays.get(obj.var))
        var = self.scope.var(name)
        if var is not None and frame is None:
            return Var(var, shape=self.scope.arrays.get(var))
        return None

    def object_of(self, name: str, frame: Frame | None) -> Obj | None:
        if frame is not None:
            if name in frame.exprs:
                return None
            if name in frame.objects:
                return frame.objects[name]
            return None
        if name not in self.objects:
            var = self.scope.var(name)
            if var is None:
                return None
            self.objects[name] = Obj(var)  # a network value or leaf, now held by the derivation
        return self.objects[name]

    def shared_object(self, value: ast.expr, frame: Frame | None) -> Obj | None:
        """The array a bare name (or a helper returning its argument) refers to: `d = probs` shares it."""
        if isinstance(value, ast.Name):
            if frame is not None and value.id in frame.exprs:
                return None
            if value.id in self.scope.dim_values and (frame is None or value.id not in frame.objects):
                return None
            obj = self.object_of(value.id, frame)
            if obj is not None and (self.scope.arrays.get(obj.var) or ()):  # scalars are values, not arrays
                return obj
        if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Constant) \
                and isinstance(value.slice.value, str) and isinstance(value.value, ast.Name) \
                and slot_name(value.value.id, value.slice.value) in self.objects:
            return self.objects[slot_name(value.value.id, value.slice.value)]
        return None

    def bind(self, name: str, obj: Obj, frame: Frame | None, span) -> None:
        if frame is not None:
            frame.exprs.pop(name, None)
            frame.objects[name] = obj
            return
        self.scope.dim_values.pop(name, None)
        self.objects[name] = obj
        if not name.endswith("]"):
            self.scope.names[name] = obj.var
        self.mark(name, span)

    def unbind(self, name: str, frame: Frame | None) -> None:
        if frame is not None:
            frame.objects.pop(name, None)
            frame.exprs.pop(name, None)
            return
        self.objects.pop(name, None)
        self.scope.names.pop(name, None)

    def mark(self, name: str, span) -> None:
        self.bound_at[name] = (self.statement, span)
        self.last_target = name

    def new_value(self, name: str, typed: Expr, span, frame: Frame | None) -> None:
        if frame is not None:
            frame.objects.pop(name, None)
            frame.exprs[name] = typed
            return
        var = self.emit(name, typed, span, (name,))
        self.bind(name, Obj(var), None, span)

    def update(self, obj: Obj, typed: Expr, span) -> None:
        """An in-place change: the object gets a new variable, seen under every name that shares it."""
        holders = tuple(n for n, o in self.objects.items() if o is obj)
        var = self.emit(holders[0] if holders else "tmp", typed, span, holders)
        obj.var = var
        for n in holders:
            if not n.endswith("]"):
                self.scope.names[n] = var
            self.mark(n, span)

    def emit(self, name: str, typed: Expr, span, names: tuple[str, ...]) -> str:
        var = self.new_var(name)
        self.scope.arrays[var] = typed.shape
        kind = kind_of(typed, self.scope)
        if kind != "float":
            self.scope.kinds[var] = kind
        self.assignments.append(Assignment(var, typed, span, names, self.statement))
        return var

    def read_slot(self, reader: Reader, node: ast.Subscript) -> Expr:
        base, key = node.value, node.slice.value
        name = slot_name(base.id, key) if isinstance(base, ast.Name) else None
        if name is None or name not in self.objects:
            raise reader.error(ParseError, f"{reader.text(node)} has no value here", node,
                               f"a line `{reader.text(node)} = ...` before this one")
        var = self.objects[name].var
        return Var(var, span=reader.span(node))

    # -- helpers ----------------------------------------------------------------------------------
    def define(self, node: ast.FunctionDef, reader: Reader) -> None:
        a = node.args
        if a.vararg or a.kwarg or a.kwonlyargs or a.defaults or a.posonlyargs or node.decorator_list:
            raise reader.error(ParseError, f"the helper {node.name}() takes plain arguments only", node,
                               "def f(a, b): ...")
        body = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
            raise reader.error(ParseError, f"the helper {node.name}() must end with `return expression`", node)
        for s in body[:-1]:
            if not isinstance(s, (ast.Assign, ast.AugAssign, ast.Pass)):
                raise reader.error(ParseError, "a helper holds assignments and one `return` (nothing is run, so "
                                               "loops and conditions cannot be followed)", s)
        helper = Helper(node.name, tuple(x.arg for x in a.args), body, node)
        self.scope.helpers[node.name] = lambda rd, call, scope, depth: self.call(helper, reader, rd, call, scope)[0]

    def call(self, helper: Helper, home: Reader, reader: Reader, node: ast.Call, scope: Scope) -> tuple[Expr, Obj | None]:
        """Expand a helper where it is called: (its value, the caller's array when it returns an argument)."""
        if node.keywords or len(node.args) != len(helper.params):
            raise reader.error(ParseError, f"{helper.name}() takes {len(helper.params)} argument(s): "
                                           + ", ".join(helper.params), node)
        if self.depth >= MAX_HELPER_DEPTH:
            raise reader.error(ParseError, f"helpers call each other more than {MAX_HELPER_DEPTH} deep", node)
        frame = Frame()
        caller = self.reader
        for param, arg in zip(helper.params, node.args):
            shared = self.shared_object(arg, None) if scope is self.scope else None
            if shared is not None:
                frame.objects[param] = shared
            else:
                frame.exprs[param] = reader.expr(arg, scope)
        self.depth += 1
        self.reader = home
        try:
            for stmt in helper.body[:-1]:
                if isinstance(stmt, ast.Pass):
                    continue
                self.assign(stmt, frame)
            ret = helper.body[-1].value
            if isinstance(ret, ast.Name) and ret.id in frame.objects:
                obj = frame.objects[ret.id]
                return Var(obj.var, shape=self.scope.arrays.get(obj.var), span=reader.span(node)), obj
            value = self.reader.expr(ret, self.frame_scope(frame))
            return value, None
        finally:
            self.depth -= 1
            self.reader = caller


def slot_name(base: str, key: str) -> str:
    return f"{base}[{key!r}]"


def as_dimension(e: Expr) -> Dim | None:
    """The dimension an expression is (N, N * T, X.shape[0]), or None."""
    if isinstance(e, DimRef):
        return Dim.symbol(e.name)
    if isinstance(e, Const) and isinstance(e.value, int) and e.value > 0:
        return Dim(e.value)
    if isinstance(e, Call) and e.prim == "mul":
        a, b = (as_dimension(x) for x in e.args)
        if a is not None and b is not None and not (a.is_literal and b.is_literal):
            return a * b
    return None


_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/"}


__all__ = ["Assignment", "Program", "TutorError", "as_dimension", "slot_name"]
