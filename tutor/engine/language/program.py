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
import copy
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from functools import lru_cache
from typing import cast

from ..diagnostics import Span
from .dims import Dim, Shape, format_shape
from ..errors import ParseError, ShapeError, TutorError
from .ir import Call, Const, DimRef, Expr, Var, parse_python
from .table import BINARY, MAX_STATEMENTS, MODULES
from .parse import (KeysSpelled, Reader, Scope, dim_value, items_of, kind_of, list_base, list_item, numbered_items,
                    past_the_end)
from .draws import Draw, drawn_function
from .rewrite import MAX_INLINE, Substitute, inline, is_add_at, is_range, located, output_of

#: How deep helpers may call helpers (a helper that calls itself would never end).
MAX_HELPER_DEPTH = 16
#: In-place operators and the primitive each applies.
IN_PLACE = {**{k: v for k, v in BINARY.items() if v != "matmul"}}
UPDATE_OPS: dict[str | None, str] = {"add": "add", "sub": "sub", "mul": "mul", "div": "div", "add_at": "add_at"}
#: The most iterations one loop may be unrolled into (nothing is run: each iteration becomes statements).
MAX_UNROLL = 256
#: Functions that split an array into pieces, unpacked into names: the axis each splits by default.
SPLITS = {"split": 0, "array_split": 0, "hsplit": 1, "vsplit": 0}


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
    defaults: dict[str, ast.expr] = field(default_factory=dict)  # def nonlin(x, deriv=False): literal defaults

    @property
    def returned(self) -> ast.expr:
        """What the helper returns: its body ends with `return expression` (checked when it is defined)."""
        last = self.body[-1]
        assert isinstance(last, ast.Return) and last.value is not None
        return last.value


@dataclass
class Frame:
    """A helper's local names: expressions (substituted) or the caller's objects (shared)."""

    exprs: dict[str, Expr] = field(default_factory=dict)
    objects: dict[str, Obj] = field(default_factory=dict)
    flags: dict[str, object] = field(default_factory=dict)   # arguments given as literals: deriv=True, k=2
    lists: dict[str, str] = field(default_factory=dict)      # a list or tuple passed in (cache) → the caller's list


class Program:
    """Reads statements into `assignments`, keeping `scope` up to date for the expression reader.

    `typer(expr)` fills in shapes (and raises `ShapeError`); `new_var(name)` names a new value;
    `network` is True for a network file, where in-place changes of shared arrays, assignments
    into part of an array and dictionaries are refused (a network defines values).
    """

    def __init__(self, reader: Reader, scope: Scope, typer: Callable[[Expr], Expr],
                 new_var: Callable[[str], str], *, network: bool, builtins: dict[str, str] | None = None,
                 protected: Set[str] = frozenset(), forward: dict[str, Expr] | None = None):
        self.reader = reader
        self.scope = scope
        self.typer = typer
        self.new_var = new_var
        self.network = network
        self.protected = protected             # the network's names: a derivation changes them, never rebinds them
        self.forward = forward or {}           # … except to compute the same value again (their definitions)
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
        self.unrolled_total = 0
        self.defined: dict[str, tuple[Helper, Reader]] = {}  # helpers by name, with the text they came from
        scope.read_slot = self.read_slot
        self.lengths: dict[str, int] = {}       # lists filled by append: how many items each holds
        self.dict_alias: dict[str, str] = {}    # gradients = grads: a second name → the dictionary's first
        self.draws: dict[str, tuple[Draw, Span | None]] = {}  # a network's random draws, each a leaf (draws.py)
        self.current: str | None = None          # the name the statement being read assigns
        self.current_value: ast.expr | None = None  # … and its value, when that is a draw on its own
        if network:
            scope.draw = self.draw
        for name, source in (builtins or {}).items():
            self.define(helper_definition(source), Reader(source, f"<built-in {name}>"))

    # -- statements ----------------------------------------------------------------------------
    def run(self, body: list[ast.stmt]) -> None:
        for i, stmt in enumerate(body):
            self.statement = i
            self.top(stmt, last=i == len(body) - 1)

    def top(self, stmt: ast.stmt, last: bool) -> None:
        r = self.reader
        self.current = None  # a draw on this line is named after the name the line assigns, if any
        reads_self, spells_a_key = marks(stmt)   # one walk for both
        if reads_self and self.scope.var("self") is None:
            stmt = SelfDropped().visit(copy.deepcopy(stmt))  # a class's method pasted as is: self.weights is weights
        if spells_a_key and not isinstance(stmt, (ast.For, ast.If, ast.FunctionDef)):
            stmt = KeysSpelled(self.scope).visit(copy.deepcopy(stmt))  # grads["dW" + str(L)] with L = 3
        if isinstance(stmt, ast.FunctionDef):
            self.define(stmt, r)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            if not all(a.name in ("numpy", "numpy.linalg") for a in stmt.names) and \
                    not (isinstance(stmt, ast.ImportFrom) and stmt.module == "numpy"):
                raise r.error(ParseError, "only `import numpy as np` may be imported", stmt)
        elif isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                                           and isinstance(stmt.value.value, str)):
            pass  # a docstring or a comment-like string
        elif isinstance(stmt, ast.Expr) and is_add_at(stmt.value):
            self.add_at(stmt.value, None)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and output_of(stmt.value) is not None:
            self.into_out(stmt.value, None)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and self.appended_to(stmt.value) is not None:
            self.append(stmt.value)
        elif isinstance(stmt, ast.Expr) and last and not self.network:
            expr = self.reader.expr(stmt.value, self.scope)
            self.answer = self.typer(expr)
            self.answer_span = r.span(stmt)
        elif isinstance(stmt, (ast.Assign, ast.AugAssign)):
            self.assign(stmt, None)
        elif isinstance(stmt, ast.For):
            for i, inner in enumerate(self.unrolled(stmt, None)):
                self.top(inner, last=False)
        elif isinstance(stmt, ast.If):
            for inner in self.branch(stmt, None):
                self.top(inner, last=False)
        elif isinstance(stmt, ast.Expr):
            raise r.error(ParseError, "only the last line may be a bare expression" if not self.network
                          else "a network file holds declarations, definitions and helpers", stmt,
                          "`name = expression`")
        else:
            raise r.error(ParseError, f"{type(stmt).__name__.lower()} statements are not part of the language "
                          "(nothing is run: only loops over a range and conditions on numbers are followed)", stmt,
                          "assignments `name = expression` (also +=, -=, d[mask] = 0, grads['W1'] = ...) and "
                          "helpers `def f(a): ... return ...`")

    def assign(self, stmt: ast.Assign | ast.AugAssign, frame: Frame | None) -> None:
        r = self.reader
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1:
                raise r.error(ParseError, "assign one name at a time", stmt, "`name = expression`")
            if isinstance(stmt.targets[0], (ast.Tuple, ast.List)):
                self.unpack(stmt, frame)
                return
            target, op = stmt.targets[0], None
        else:
            target, op = stmt.target, IN_PLACE.get(type(stmt.op))
            if op is None:
                raise r.error(ParseError, f"the operator {type(stmt.op).__name__} is not supported in place", stmt,
                              "+=, -=, *= or /=")
        span = r.span(stmt)
        item = None
        if isinstance(target, ast.Subscript):
            scope = self.frame_scope(frame)
            beyond = past_the_end(target, scope)
            if beyond is not None:
                raise r.error(ParseError, beyond, target.slice, "an index inside the list")
            item = list_item(target, scope, self.dicts)
        if item is not None:  # hs[t] = ... of hs = {}: a name of its own for each step
            self.to_name(item, target, stmt.value, op, span, frame)
        elif isinstance(target, ast.Name):
            self.to_name(target.id, target, stmt.value, op, span, frame)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            if op is None and isinstance(stmt.value, ast.Name) and stmt.value.id == target.attr:
                self.mark(target.attr, span)  # `self.A = A`: a method keeps its argument; A is A already
                return
            self.to_name(target.attr, target, stmt.value, op, span, frame)  # self.dLdW = ...: the name dLdW
        elif is_slot(target):
            self.to_slot(cast(ast.Subscript, target), stmt.value, op, span, frame)
        elif isinstance(target, ast.Subscript):
            self.into_part(target, stmt.value, op, span, frame)
        else:
            raise r.error(ParseError, "the left side must be a name, d[index] or grads['W1']", target)

    def to_slot(self, target: ast.Subscript, value: ast.expr, op: str | None, span, frame: Frame | None,
                expr: Expr | None = None) -> None:
        """`grads['W1'] = ...`: the dictionary's slot, a claim about W1."""
        r = self.reader
        if self.network or frame is not None:
            raise r.error(ParseError, "a dictionary of gradients belongs in a derivation", target)
        base = cast(ast.Name, target.value).id
        if base in self.objects or self.scope.var(base) is not None:
            raise r.error(ParseError, f"{base!r} is an array, not a dictionary", target.value)
        self.dicts.add(base)
        key = cast(str, cast(ast.Constant, target.slice).value)
        self.to_name(slot_name(self.dict_base(base), key), target, value, op, span, None, expr=expr)

    def to_name(self, name: str, target: ast.expr, value: ast.expr, op: str | None, span, frame: Frame | None,
                expr: Expr | None = None):
        r, scope = self.reader, self.scope
        if op is None and isinstance(value, ast.Lambda):
            self.define_lambda(name, value, frame)
            return
        self.current = name
        if op is None and expr is None and self.network and drawn_function(value) is not None:
            self.current_value = value
            drawn = self.read(value, frame)  # `D1 = np.random.rand(...)`: the name holds the drawn leaf itself
            self.current_value = None
            self.bind(name, Obj(cast(Var, drawn).name), frame, span)  # a draw is read as the leaf it makes
            return
        if op is None and frame is None and name in self.dicts:
            self.release_dict(name)
        if op is None and is_empty_container(value) and frame is None:
            self.dicts.add(name)  # hs = {}, all_f = [None] * (K + 1): arrays by number, each named hs_2
            self.lengths[name] = 0
            size = self.list_size(value)
            if size is not None:
                self.scope.sizes[name] = size
            return
        source = self.list_of(value, self.frame_scope(frame)) if op is None and expr is None else None
        if source is not None and frame is not None:
            frame.lists[name] = source  # `linear_cache, activation_cache = cache` in a helper: the caller's lists
            return
        if source is not None:  # current_cache = caches[l]: the list's items under a name of their own
            value = located(ast.List(elts=[located(ast.Subscript(value=located(ast.Name(id=source, ctx=ast.Load()),
                                                                               value),
                                                                 slice=located(ast.Constant(k), value),
                                                                 ctx=ast.Load()), value)
                                           for k in range(items_of(source, self.scope))], ctx=ast.Load()), value)
        items = self.list_items(value, frame) if op is None and frame is None else None
        if items is not None:  # weights = [w1, w2], [np.zeros(w.shape) for w in weights]: a list by number
            self.unbind(name, None)
            self.dicts.add(name)
            self.lengths[name] = 0
            for index, item in enumerate(items):
                slot = located(ast.Subscript(value=located(ast.Name(id=name, ctx=ast.Load()), target),
                                             slice=located(ast.Constant(index), target), ctx=ast.Store()), target)
                self.assign(located(ast.Assign(targets=[slot], value=item), item), None)
            self.lengths[name] = self.scope.sizes[name] = len(items)
            return
        if op is None and frame is None and isinstance(value, ast.Name) and value.id in self.dicts and not self.network:
            self.unbind(name, None)  # gradients = grads: one dictionary under two names, as Python has it
            self.dicts.add(name)
            if self.dict_base(value.id) != name:
                self.dict_alias[name] = self.dict_base(value.id)
            self.mark(name, span)
            return
        if op is None and frame is None and not self.network and isinstance(value, ast.Dict) and value.keys \
                and all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in value.keys):
            self.unbind(name, None)  # grads = {'W1': dW1, 'b1': db1}: a claim for each key
            self.dicts.add(name)
            for k, v in zip(value.keys, value.values):
                self.to_name(slot_name(name, cast(str, cast(ast.Constant, k).value)), target, v, None, span, None)
            return
        if frame is None and name in self.dicts and op is None:
            self.dicts.discard(name)
            self.scope.sizes.pop(name, None)
        current = self.read_name(name, frame)
        if op is not None and current is None:
            raise r.error(ParseError, f"{name!r} is changed in place before it has a value", target)
        if op is None and expr is None:
            if self.network and isinstance(value, ast.Name):  # a definition of its own, as SPEC §1 has it
                self.aliased.update({name, value.id})
            shared = None if self.network else self.shared_object(value, frame)
            if shared is not None:  # `d = probs`: the same array under a second name
                self.bind(name, shared, frame, span)
                return
            expr = self.read(value, frame)
            if frame is None and isinstance(expr, Var) and isinstance(current, Var) and expr.name == current.name:
                self.mark(name, span)  # `W2 = params['W2']`: the name holds that very array already
                return
        elif op is not None:
            assert current is not None  # refused above
            expr = Call(op, (current, self.read(value, frame)), span=span,
                        caret=r.caret(ast.BinOp(target, ast.Add(), value, lineno=target.lineno,
                                                col_offset=target.col_offset, end_lineno=value.end_lineno,
                                                end_col_offset=value.end_col_offset)))
        assert expr is not None  # given, read or computed above
        if op is None and frame is None and name in self.protected:
            if self.recomputes(name, expr):  # llm.c's backward recomputes `norm = (x - mean) * rstd`
                self.mark(name, span)
                return
            if not any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(value)):
                raise r.error(ParseError, f"{name!r} is already a name in the network; give this step its own "
                                          f"name, such as d{name}", target)
            # `dnext_c = dnext_c + ...` (CS231n's LSTM step): an update of the name, a new value from here on
        typed = self.typer(expr)
        dim = as_dimension(typed) if op is None else None
        if name in scope.dims and frame is None:  # `n_x, m = xt.shape` beside the declared n_x and m
            if dim != Dim.symbol(name):
                raise r.error(ParseError, f"{name!r} cannot be a node's name (it is a dimension)", target,
                              f"another name, or {name} = X.shape[k] for the axis of length {name}")
            self.mark(name, span)
            return
        if dim is not None:  # `n = X.shape[0]`, `n_a = 3`: a name for a dimension (a size, a bound)
            if self.network and frame is None:  # still a node of the network, read as the dimension
                self.new_value(name, typed, span, frame)
            self.unbind(name, frame)
            if frame is not None:
                frame.exprs[name] = typed
            else:
                scope.dim_values[name] = dim
            self.mark(name, span)
            return
        in_place = op is not None and current is not None and bool(current.shape) and isinstance(current, Var)
        if in_place and op is not None and current is not None:
            assert isinstance(typed, Call)  # the in-place operation itself
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
        item = list_item(target.value, self.frame_scope(frame), self.dicts) \
            if isinstance(target.value, ast.Subscript) else None
        if not isinstance(target.value, ast.Name) and item is None:
            raise r.error(ParseError, "assign into part of a named array: d[index] = value", target)
        name = item or cast(ast.Name, target.value).id  # a plain name when it is no list's item
        self.current = name
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
        if self.network and op not in (None, "add", "sub", "add_at"):
            raise r.error(ParseError, "a network changes part of an array with =, += or -= only", target,
                          "d[index] = value, or write where(mask, value, d)")
        # an index that repeats keeps one update; paired one to one with a range (x[np.arange(N), y]) every
        # position is distinct
        indices = [o for o in typed_ops if kind_of(o, self.scope) == "int" and o.shape]
        ranges = [o for o in indices if is_range(o)]
        if self.network and op != "add_at" and indices and not (
                ranges and all(o.shape == ranges[0].shape for o in indices)):
            raise r.error(ParseError, "a network assigns into part of an array by slices, masks or range(N) "
                                      "(an index that repeats would keep only one of its updates)", target.slice,
                          "np.add.at(d, idx, value) to add every update, or d[:, 0:H] = value")
        expr = Call("setitem", (current, v, *typed_ops), (("items", items), ("op", UPDATE_OPS.get(op, "set"))),
                    span=span, caret=r.caret(target))
        typed = self.typer(expr)
        obj = self.object_of(name, frame)
        if obj is None:  # a helper's own expression: rebind it locally
            assert frame is not None  # outside a helper every name has an array object
            frame.exprs[name] = typed
            return
        self.update(obj, typed, span)

    # -- statements that stand for several: unpacking, loops, np.add.at, lambda ------------------
    def unpack(self, stmt: ast.Assign, frame: Frame | None) -> None:
        """`a, b = e1, e2`, `N, D = X.shape`, `out, cache = helper(x)`, `a, b = np.split(x, 2, axis=1)`:
        one value per name, bound left to right."""
        r = self.reader
        assert isinstance(stmt.targets[0], (ast.Tuple, ast.List))  # what `assign` unpacks
        targets, value = stmt.targets[0].elts, stmt.value
        expected = "as many names as values: `a, b = x, y`, `N, D = X.shape` or `out, cache = f(x)`"
        if any(isinstance(t, ast.Starred) for t in targets):
            raise r.error(ParseError, "a starred name cannot be unpacked into here", stmt, expected)
        if isinstance(value, (ast.Tuple, ast.List)):
            if len(value.elts) != len(targets):
                raise r.error(ParseError, f"{len(targets)} names but {len(value.elts)} values", stmt, expected)
            written = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            read = {n.id for v in value.elts for n in ast.walk(v) if isinstance(n, ast.Name)}
            if len(targets) > 1 and written & read:
                raise r.error(ParseError, f"{', '.join(sorted(written & read))} is on both sides of the "
                                          "assignment; write one assignment per line", stmt,
                              "`a = ...` then `b = ...` on a line of its own")
            for t, v in zip(targets, value.elts):
                self.assign(located(ast.Assign(targets=[t], value=v), stmt), frame)
            return
        scope = self.frame_scope(frame)
        source = self.list_of(value, scope)
        if source is not None:  # A_prev, W, b = cache: one item of the list (the tuple) per name
            size = items_of(source, scope)
            if size != len(targets):
                raise r.error(ParseError, f"{len(targets)} names but {r.text(value)} holds {size} values", stmt,
                              expected)
            for k, t in enumerate(targets):
                item = located(ast.Subscript(value=located(ast.Name(id=source, ctx=ast.Load()), value),
                                             slice=located(ast.Constant(k), value), ctx=ast.Load()), value)
                self.assign(located(ast.Assign(targets=[t], value=item), stmt), frame)
            return
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "size" \
                and not value.args and not value.keywords:  # PyTorch's x.size() is NumPy's x.shape
            value = located(ast.Attribute(value=value.func.value, attr="shape", ctx=ast.Load()), value)
        if isinstance(value, ast.Attribute) and value.attr == "shape":
            rank = len(r.shape_of(value.value, self.frame_scope(frame), 0))
            if rank != len(targets):
                raise r.error(ParseError, f"{r.text(value)} has {rank} dimension(s), not {len(targets)}", stmt,
                              expected)
            for k, t in enumerate(targets):
                item = located(ast.Subscript(value=value, slice=located(ast.Constant(k), value), ctx=ast.Load()),
                               value)
                self.assign(located(ast.Assign(targets=[t], value=item), stmt), frame)
            return
        exprs = self.many(value, len(targets), frame)
        span = r.span(stmt)
        for t, e in zip(targets, exprs):
            if is_slot(t):  # grads["dW" + str(L)], ... = linear_activation_backward(...)
                self.to_slot(cast(ast.Subscript, t), value, None, span, frame, expr=e)
                continue
            if not isinstance(t, ast.Name):
                raise r.error(ParseError, "unpack into plain names or grads['W1']", t, expected)
            if t.id == "_":
                continue
            self.to_name(t.id, t, value, None, span, frame, expr=e)

    def many(self, value: ast.expr, n: int, frame: Frame | None) -> list[Expr]:
        """The values of an expression that gives several: a helper returning a tuple, np.split."""
        r = self.reader
        name = value.func.id if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) else None
        if isinstance(value, ast.Call) and name in self.defined and isinstance(self.defined[name][0].returned,
                                                                               ast.Tuple):
            helper, home = self.defined[name]
            values = self.call(helper, home, r, value, self.frame_scope(frame), many=True)[0]
            if len(values) != n:
                raise r.error(ParseError, f"{name}() returns {len(values)} values, not {n}", value)
            return values
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in SPLITS \
                and isinstance(value.func.value, ast.Name) and value.func.value.id in MODULES:
            return self.split(value, n, frame)
        raise r.error(ParseError, f"{r.text(value)!r} gives one value; it cannot be unpacked into {n} names",
                      value, "`a, b = x, y`, `N, D = X.shape`, `a, b = np.split(x, 2, axis=1)` or a helper "
                             "that returns a tuple")

    def split(self, call: ast.Call, n: int, frame: Frame | None) -> list[Expr]:
        """np.split(x, k, axis) into k equal pieces: slices along the axis, `x[:, 0:H]`, `x[:, H:2*H]`."""
        r = self.reader
        assert isinstance(call.func, ast.Attribute)  # np.split and its kin
        kind = call.func.attr
        expected = f"np.{kind}(x, {n}" + (", axis=1)" if kind in ("split", "array_split") else ")")
        keywords = {k.arg: k.value for k in call.keywords}
        if len(call.args) not in (2, 3) or set(keywords) - {"axis"} or not (
                isinstance(call.args[1], ast.Constant) and type(call.args[1].value) is int):
            raise r.error(ParseError, f"np.{kind} here takes the array and a number of equal pieces", call, expected)
        x = self.typer(self.read(call.args[0], frame))
        axis_node = call.args[2] if len(call.args) == 3 else keywords.get("axis")
        axis = SPLITS[kind] if axis_node is None else ast.literal_eval(axis_node)
        if kind == "hsplit" and len(x.shape) == 1:
            axis = 0
        if type(axis) is not int or not -len(x.shape) <= axis < len(x.shape):
            raise r.error(ParseError, f"np.{kind}: no axis {axis} in a rank-{len(x.shape)} array", call, expected)
        axis %= len(x.shape)
        pieces = call.args[1].value
        piece = x.shape[axis].divide(Dim(pieces))
        if pieces != n or piece is None:
            raise r.error(ParseError, f"np.{kind} into {pieces} pieces of an axis of length {x.shape[axis]}, "
                                      f"unpacked into {n} names", call, expected)
        out = []
        for j in range(n):
            lo = None if j == 0 else Dim(j) * piece
            hi = None if j == n - 1 else Dim(j + 1) * piece
            items = tuple(("s", None, None) for _ in range(axis)) + (("s", lo, hi),)
            out.append(self.typer(Call("getitem", (x,), (("items", items),), span=r.span(call))))
        return out

    def unrolled(self, loop: ast.For, frame: Frame | None) -> list[ast.stmt]:
        """`for i in range(3): ...` as the statements it runs, `i` replaced by each number in turn."""
        r = self.reader
        expected = "for i in range(3): ... (a range whose length is a number)"
        names = loop.target.elts if isinstance(loop.target, ast.Tuple) else [loop.target]
        if loop.orelse or not all(isinstance(n, ast.Name) for n in names):
            raise r.error(ParseError, "a loop here runs one name over a range", loop, expected)
        values = self.loop_values(loop.iter, frame, loop)
        if isinstance(loop.target, ast.Tuple) and not all(isinstance(v, tuple) and len(v) == len(names)
                                                          for v in values):
            raise r.error(ParseError, f"each step of this loop gives {len(names)} names one value each", loop,
                          "for b, w in zip(biases, weights): ...")
        if len(values) * max(len(loop.body), 1) > MAX_UNROLL:
            raise r.error(ParseError, f"this loop would run {len(values)} times; the limit is {MAX_UNROLL} "
                                      "statements unrolled", loop.iter, "a shorter range")
        self.unrolled_total += len(values) * len(loop.body)
        if self.unrolled_total > MAX_STATEMENTS:
            raise r.error(ParseError, f"loops unroll into more than {MAX_STATEMENTS:,} statements", loop)
        return [cast(ast.stmt, substituted(names, v, s)) for v in values for s in loop.body]

    def branch(self, stmt: ast.If, frame: Frame | None) -> list[ast.stmt]:
        """`if layer > 0: ...` inside an unrolled loop: the branch its condition picks, known as the text is
        read (a loop's counter, a number, a dimension given a number). A condition on an array's values
        would need the code run, so it is refused."""
        return list(stmt.body if self.condition(stmt.test, frame) else stmt.orelse)

    def condition(self, node: ast.expr, frame: Frame | None) -> bool:
        r = self.reader
        if isinstance(node, ast.BoolOp):
            values = [self.condition(v, frame) for v in node.values]
            return all(values) if isinstance(node.op, ast.And) else any(values)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return not self.condition(node.operand, frame)
        if isinstance(node, ast.Constant) and isinstance(node.value, (bool, int)):
            return bool(node.value)
        if isinstance(node, ast.Name) and frame is not None and node.id in frame.flags:
            return bool(frame.flags[node.id])  # `if deriv:` of a helper called with deriv=True
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _DECIDE:
            try:
                a, b = self.known(node.left, frame), self.known(node.comparators[0], frame)
            except TutorError:
                a = b = None
            if a is not None and (type(a) is type(b) or not isinstance(a, str) and not isinstance(b, str)):
                return _DECIDE[type(node.ops[0])](a, b)
        raise r.error(ParseError, f"the condition {r.text(node)!r} is not known as the text is read (nothing is "
                                  "run, so only a condition on numbers, such as a loop's counter, picks a branch)",
                      node, "a condition on numbers (if layer > 0:), or where(mask, a, b) for arrays")

    def known(self, node: ast.expr, frame: Frame | None):
        """A number or flag a condition compares: True, "relu", a helper's flag (deriv), a loop's counter, K - 1."""
        if isinstance(node, ast.Constant) and isinstance(node.value, (bool, str)):
            return node.value
        if isinstance(node, ast.Name) and frame is not None and node.id in frame.flags:
            return frame.flags[node.id]
        if isinstance(node, ast.Constant) and isinstance(node.value, float):
            return node.value
        if isinstance(node, ast.Name):  # `if self.weight_regularizer_l2 > 0:` of a name given a number
            value = self.read_name(node.id, frame)
            held = next((a.expr for a in reversed(self.assignments) if isinstance(value, Var) and a.var == value.name),
                        None)
            if isinstance(held, Const) and isinstance(held.value, (int, float)):
                return held.value
        return self.integer(node, frame)

    def loop_values(self, node: ast.expr, frame: Frame | None, loop: ast.AST) -> list:
        r = self.reader
        if isinstance(node, (ast.List, ast.Tuple)) and all(isinstance(e, ast.Name) for e in node.elts):
            return list(node.elts)  # `for dparam in [dWxh, dWhh]`: each name in turn
        size = self.list_length(node, frame)
        if size:  # `for w in weights`: weights[0], weights[1], …
            return [located(ast.Subscript(value=located(ast.Name(id=cast(ast.Name, node).id, ctx=ast.Load()), node),
                                          slice=located(ast.Constant(k), node), ctx=ast.Load()), node)
                    for k in range(size)]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "zip" \
                and node.args and not node.keywords:  # `for b, w in zip(biases, weights)`: the shortest's length
            return list(zip(*(self.loop_values(a, frame, loop) for a in node.args)))
        reverse = False
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "reversed" \
                and len(node.args) == 1 and not node.keywords:
            reverse, node = True, node.args[0]
        fn = node.func if isinstance(node, ast.Call) else None
        named = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) and \
            isinstance(fn.value, ast.Name) and fn.value.id in MODULES else None
        if named not in ("range", "arange") or not isinstance(node, ast.Call) or node.keywords \
                or not 1 <= len(node.args) <= 3:
            raise r.error(ParseError, "only loops over range(...) or a list of names are read (nothing is run, "
                                      "so each iteration is written out)", loop,
                          "for i in range(3): ... or for d in [dW1, dW2]: ...")
        bounds = [self.integer(a, frame) for a in node.args]
        if 0 in bounds[2:]:
            raise r.error(ParseError, "range() step must not be zero", node)
        if len(range(*bounds)) > MAX_UNROLL:  # measured before a list is made of it
            raise r.error(ParseError, f"this loop would run {len(range(*bounds)):,} times; the limit is "
                                      f"{MAX_UNROLL} statements unrolled", node, "a shorter range")
        values = list(range(*bounds))
        return values[::-1] if reverse else values

    def list_items(self, value: ast.expr, frame: Frame | None) -> list[ast.expr] | None:
        """The items of a list written out (`[w1, w2]`) or made by a comprehension over a range or a list by
        number (`[np.zeros(w.shape) for w in weights]`), each an expression; None for any other value."""
        if isinstance(value, (ast.List, ast.Tuple)) and value.elts \
                and not any(isinstance(e, ast.Starred) for e in value.elts):
            return list(value.elts)
        if not isinstance(value, ast.ListComp) or len(value.generators) != 1:
            return None
        loop = value.generators[0]
        names = loop.target.elts if isinstance(loop.target, ast.Tuple) else [loop.target]
        if loop.ifs or loop.is_async or not all(isinstance(n, ast.Name) for n in names):
            raise self.reader.error(ParseError, "a list comprehension here runs names over a range or a list, "
                                                "with no condition", value, "[f(w) for w in weights]")
        values = self.loop_values(loop.iter, frame, value)
        if len(values) > MAX_UNROLL:
            raise self.reader.error(ParseError, f"this list would hold {len(values)} arrays; the limit is "
                                                f"{MAX_UNROLL}", loop.iter, "a shorter range")
        items = [substituted(names, v, value.elt) for v in values]
        return cast(list[ast.expr], items)

    def list_of(self, node: ast.expr, scope: Scope) -> str | None:
        """The name of the list (or tuple) an expression denotes, `cache` or `caches[l]`, else None."""
        if not isinstance(node, (ast.Name, ast.Subscript)):
            return None
        if isinstance(node, ast.Name) and node.id in scope.lists:
            return scope.lists[node.id]
        name = list_base(node, scope, self.dicts)
        if name is None or (isinstance(node, ast.Name) and name not in self.scope.sizes and name in self.dicts):
            return None  # a dictionary of gradients or a list still being filled is not copied whole
        return name if items_of(name, scope) else None

    def list_length(self, node: ast.expr, frame: Frame | None) -> int:
        """How many arrays a list by number holds (built here or by the network), else 0."""
        if not isinstance(node, ast.Name):
            return 0
        if node.id in self.dicts and node.id in self.scope.sizes:
            return self.scope.sizes[node.id]
        return numbered_items(node, self.frame_scope(frame))

    def list_size(self, value: ast.expr) -> int | None:
        """How many items `[None] * (K + 1)` holds, when that is a number as the text is read."""
        if not (isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mult)):
            return None
        count = value.right if isinstance(value.left, ast.List) else value.left
        try:
            return self.integer(count, None)
        except TutorError:
            return None

    def integer(self, node: ast.expr, frame: Frame | None) -> int:
        """A number a loop bound needs: a literal, a name bound to one, X.shape[0] of a literal axis, L - 1."""
        r = self.reader
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv)):
            a, b = self.integer(node.left, frame), self.integer(node.right, frame)
            return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}.get(type(node.op), a // b if b else 0)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self.integer(node.operand, frame)
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return node.value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len" \
                and len(node.args) == 1 and isinstance(node.args[0], ast.Attribute) and node.args[0].attr == "shape":
            return len(r.shape_of(node.args[0].value, self.frame_scope(frame), 0))  # len(y_true.shape): the rank
        value = self.typer(self.read(node, frame))
        dim = as_dimension(value)
        if isinstance(value, Const) and float(value.value).is_integer():
            return int(value.value)
        if dim is not None and dim.is_literal:
            return dim.coeff
        raise r.error(ParseError, f"the loop's bound {r.text(node)!r} is not a number here (nothing is run, "
                                  "so a loop is written out once per value)", node,
                      "a literal bound such as range(3), or give the dimension a number in the declarations")

    def recomputes(self, name: str, expr: Expr) -> bool:
        """Whether `name = expr` computes the network's own value of `name` again from other pieces of the
        forward pass, the same operations on the same leaves (llm.c recomputes `norm` from x, mean and rstd
        to save memory). The network's own line restated is not that: it stays refused."""
        if name not in self.forward:
            return False
        try:
            expr = self.typer(expr)
        except TutorError:
            return False
        if expr == self.forward[name]:  # the network's own line restated: a step that needs a name of its own
            return False
        budget = [MAX_INLINE]
        return inline(expr, self.forward, budget) == inline(self.forward[name], self.forward, budget) \
            and budget[0] > 0

    def add_at(self, call: ast.Call, frame: Frame | None) -> None:
        """`np.add.at(dW, idx, dout)`: every repeated index adds its own update (unbuffered)."""
        if len(call.args) != 3 or call.keywords or not isinstance(call.args[0], ast.Name):
            raise self.reader.error(ParseError, "np.add.at takes a named array, an index and the values", call,
                                    "np.add.at(dW, idx, dout)")
        target = located(ast.Subscript(value=call.args[0], slice=call.args[1], ctx=ast.Store()), call)
        self.into_part(target, call.args[2], "add_at", self.reader.span(call), frame)

    def into_out(self, call: ast.Call, frame: Frame | None) -> None:
        """`np.clip(d, -5, 5, out=d)`: the result written into the named array, as `d[...] = np.clip(d, -5, 5)`."""
        out = output_of(call)
        assert out is not None  # the caller found it
        plain = located(ast.Call(func=call.func, args=call.args, keywords=[k for k in call.keywords
                                                                           if k.arg != "out"]), call)
        target = located(ast.Subscript(value=out, slice=located(ast.Constant(Ellipsis), out), ctx=ast.Store()), call)
        self.into_part(target, plain, None, self.reader.span(call), frame)

    def draw(self, reader: Reader, node: ast.Call, draw: Draw, shape) -> Expr:
        """`np.random.rand(...)` in the forward pass: a leaf of its own, drawn once and reused by the
        derivation, named after the name it is assigned to (`D1`, or `mask_draw` inside an expression)."""
        whole = self.current is not None and self.current_value is node
        base = self.current if whole else f"{self.current}_draw" if self.current else drawn_function(node)
        var = self.new_var(base or "draw")
        self.scope.arrays[var] = shape
        if draw.distribution == "bernoulli":
            self.scope.kinds[var] = "bool"
        self.draws[var] = (draw, reader.span(node))
        return Var(var, shape=shape, span=reader.span(node))

    def define_lambda(self, name: str, value: ast.Lambda, frame: Frame | None) -> None:
        """`f = lambda x: expr` is the helper `def f(x): return expr`."""
        if frame is not None or not value.args.args:
            raise self.reader.error(ParseError, "a lambda here is a helper of one or more arguments, defined at "
                                                "the top level", value, f"def {name}(a): return ... (or "
                                                                        f"{name} = lambda a: ...)")
        node = located(ast.FunctionDef(name=name, args=value.args, body=[located(ast.Return(value.body), value)],
                                       decorator_list=[], returns=None), value)
        self.unbind(name, None)
        self.scope.dim_values.pop(name, None)
        self.define(node, self.reader)

    def local(self, stmt: ast.stmt, frame: Frame) -> None:
        """One statement of a helper's body, in the helper's frame."""
        if isinstance(stmt, ast.Pass):
            return
        if isinstance(stmt, ast.For):
            for inner in self.unrolled(stmt, frame):
                self.local(inner, frame)
        elif isinstance(stmt, ast.If):
            for inner in self.branch(stmt, frame):
                self.local(inner, frame)
        elif isinstance(stmt, ast.Expr) and is_add_at(stmt.value):
            self.add_at(stmt.value, frame)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and output_of(stmt.value) is not None:
            self.into_out(stmt.value, frame)
        elif isinstance(stmt, (ast.Assign, ast.AugAssign)):
            self.assign(stmt, frame)
        else:  # `define` looks at the helper's own lines; a loop's or a branch's are seen as they are reached
            raise self.reader.error(ParseError, HELPER_HOLDS, stmt)

    # -- names and objects -----------------------------------------------------------------------
    def read(self, node: ast.expr, frame: Frame | None) -> Expr:
        scope = self.frame_scope(frame)
        if any(isinstance(n, ast.Name) and (self.lengths.get(n.id) or numbered_items(n, scope)) for n in ast.walk(node)):
            node = SpelledOut(self.lengths, scope).visit(copy.deepcopy(node))
        return self.reader.expr(node, scope)

    def dict_base(self, name: str) -> str:
        """The name a dictionary's entries are kept under (its first name, when it has two)."""
        return self.dict_alias.get(name, name)

    def release_dict(self, name: str) -> None:
        """`name` is bound anew: the dictionary it named stays, with its entries, under its other names."""
        if self.dict_alias.pop(name, None) is not None:
            return
        others = [a for a, base in self.dict_alias.items() if base == name]
        if not others:
            return
        heir = others[0]
        for slot in [k for k in self.objects if k.startswith(name + "[")]:
            self.objects[heir + slot[len(name):]] = self.objects.pop(slot)
        del self.dict_alias[heir]
        for a in others[1:]:
            self.dict_alias[a] = heir

    def appended_to(self, node: ast.expr) -> str | None:
        """The list `xs` of a statement `xs.append(x)` (None for any other expression)."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append" \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in self.dicts:
            return node.func.value.id
        return None

    def append(self, call: ast.Call) -> None:
        """`xs.append(x)` in an unrolled loop: the list's next item, xs[0], xs[1], … (read back by np.vstack(xs))."""
        name = self.appended_to(call)
        assert name is not None and isinstance(call.func, ast.Attribute)  # only called on `xs.append(x)`
        if len(call.args) != 1 or call.keywords:
            raise self.reader.error(ParseError, "append takes one array", call, f"{name}.append(x)")
        k = self.lengths.get(name, 0)
        target = located(ast.Subscript(value=call.func.value, slice=located(ast.Constant(k), call), ctx=ast.Store()),
                         call)
        if name in self.scope.sizes:  # the list grows by the item appended
            self.scope.sizes[name] = max(self.scope.sizes[name], k + 1)
        self.assign(located(ast.Assign(targets=[target], value=call.args[0]), call), None)
        self.lengths[name] = k + 1

    def frame_scope(self, frame: Frame | None) -> Scope:
        if frame is None:
            return self.scope
        s = self.scope
        names = {**s.names, **{n: o.var for n, o in frame.objects.items()}}
        for n in frame.exprs:
            names.pop(n, None)
        dims = {k: v for k, v in s.dim_values.items() if k not in frame.exprs and k not in frame.objects}
        return Scope(arrays=s.arrays, dims=s.dims - set(frame.exprs) - set(frame.objects), names=names,
                     dim_values=dims, kinds=s.kinds, bounds=s.bounds, helpers=s.helpers, read_slot=s.read_slot, draw=s.draw,
                     exprs=dict(frame.exprs), sizes=s.sizes,
                     lists=dict(frame.lists))

    def read_name(self, name: str, frame: Frame | None) -> Expr | None:
        """The current value of a name (None when it has none yet)."""
        if frame is not None:
            if name in frame.exprs:
                return frame.exprs[name]
            if name in frame.objects:  # (a shape not known yet reads as None, as on a node just parsed)
                held = frame.objects[name].var
                return Var(held, shape=cast(Shape, self.scope.arrays.get(held)))
        obj = self.objects.get(name)
        if obj is not None:
            return Var(obj.var, shape=cast(Shape, self.scope.arrays.get(obj.var)))
        var = self.scope.var(name)
        if var is not None and frame is None:
            return Var(var, shape=cast(Shape, self.scope.arrays.get(var)))
        if frame is None and name in self.scope.dim_values:  # `n += 1`: a number, rebound
            return dim_value(self.scope.dim_values[name])
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
                and slot_name(self.dict_base(value.value.id), value.slice.value) in self.objects:
            return self.objects[slot_name(self.dict_base(value.value.id), value.slice.value)]
        item = list_item(value, self.frame_scope(frame), self.dicts) if isinstance(value, ast.Subscript) else None
        if item is not None:  # `z = zs[-l]`: the list's item itself, as Python shares it
            return self.shared_object(located(ast.Name(id=item, ctx=ast.Load()), value), frame)
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
        assert isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)  # read for string keys
        base, key = node.value, node.slice.value
        name = slot_name(self.dict_base(base.id), key) if isinstance(base, ast.Name) else None
        if isinstance(base, ast.Name) and base.id not in self.dicts and name not in self.objects \
                and (known := self.scope.var(key)) is not None and base.id not in self.scope.names:
            # deeplearning.ai's parameters['Wf']: a dictionary of the network's own arrays, by name
            return Var(known, span=reader.span(node))
        if name is None or name not in self.objects:
            raise reader.error(ParseError, f"{reader.text(node)} has no value here", node,
                               f"a line `{reader.text(node)} = ...` before this one")
        var = self.objects[name].var
        return Var(var, span=reader.span(node))

    # -- helpers ----------------------------------------------------------------------------------
    def define(self, node: ast.FunctionDef, reader: Reader) -> None:
        a = node.args
        if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs or node.decorator_list or not all(
                isinstance(d, ast.Constant) and isinstance(d.value, (bool, int, float)) for d in a.defaults):
            raise reader.error(ParseError, f"the helper {node.name}() takes plain arguments, with numbers or "
                                           "True/False as defaults", node, "def f(a, b, deriv=False): ...")
        body = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
            raise reader.error(ParseError, f"the helper {node.name}() must end with `return expression`", node)
        for s in body[:-1]:
            if not (isinstance(s, (ast.Assign, ast.AugAssign, ast.Pass, ast.For, ast.If))
                    or (isinstance(s, ast.Expr) and (is_add_at(s.value) or output_of(s.value) is not None))):
                raise reader.error(ParseError, HELPER_HOLDS, s)
        params = tuple(x.arg for x in a.args)
        if params[:1] == ("self",) and len(params) > len(a.defaults):
            params = params[1:]  # a class's method pasted as is: `self.W` is read as W, so self is not passed
        helper = Helper(node.name, params, body, node, dict(zip(params[len(params) - len(a.defaults):], a.defaults)))
        self.defined[node.name] = (helper, reader)

        def expand(rd, call, scope, depth):
            if isinstance(body[-1].value, ast.Tuple):
                raise rd.error(ParseError, f"{node.name}() returns {len(body[-1].value.elts)} values: unpack them "
                                           f"into names first", call, f"a, b = {node.name}(...)")
            return self.call(helper, reader, rd, call, scope)[0]
        self.scope.helpers[node.name] = expand

    def call(self, helper: Helper, home: Reader, reader: Reader, node: ast.Call, scope: Scope,
             many: bool = False) -> tuple:
        """Expand a helper where it is called: (its value, the caller's array when it returns an argument)."""
        given = dict(zip(helper.params, node.args))
        for kw in node.keywords:
            if kw.arg not in helper.params or kw.arg in given:
                raise reader.error(ParseError, f"{helper.name}() has no argument {kw.arg!r} here", kw.value,
                                   f"{helper.name}(" + ", ".join(helper.params) + ")")
            given[kw.arg] = kw.value
        given.update({p: d for p, d in helper.defaults.items() if p not in given})
        if len(node.args) > len(helper.params) or set(given) != set(helper.params):
            raise reader.error(ParseError, f"{helper.name}() takes {len(helper.params)} argument(s): "
                                           + ", ".join(helper.params), node)
        if self.depth >= MAX_HELPER_DEPTH:
            raise reader.error(ParseError, f"helpers call each other more than {MAX_HELPER_DEPTH} deep", node)
        frame = Frame()
        caller = self.reader
        for param in helper.params:
            arg = given[param]
            shared = self.shared_object(arg, None) if scope is self.scope else None
            source = self.list_of(arg, scope)
            if source is not None:
                frame.lists[param] = source  # a tuple or list passed in: its items are read where they are
            elif shared is not None:
                frame.objects[param] = shared
            elif isinstance(arg, ast.Constant) and isinstance(arg.value, (bool, str)):
                frame.flags[param] = arg.value  # a flag the helper's conditions read: deriv=True, activation="relu"
            else:
                frame.exprs[param] = reader.expr(arg, scope)
                if isinstance(arg, ast.Constant) and type(arg.value) is int:
                    frame.flags[param] = arg.value
        self.depth += 1
        self.reader = home
        try:
            returned = self.flow(helper.body, frame)
            if returned is None or returned.value is None:
                raise home.error(ParseError, f"the helper {helper.name}() ends without `return expression` here",
                                 helper.node)
            ret = returned.value
            if many and not isinstance(ret, ast.Tuple):
                raise reader.error(ParseError, f"{helper.name}() returns one value here", node)
            if many:
                assert isinstance(ret, ast.Tuple)  # `many` reads a helper that returns a tuple
                return [self.typer(self.reader.expr(e, self.frame_scope(frame))) for e in ret.elts], None
            if isinstance(ret, ast.Name) and ret.id in frame.objects:
                obj = frame.objects[ret.id]
                return Var(obj.var, shape=cast(Shape, self.scope.arrays.get(obj.var)), span=reader.span(node)), obj
            value = self.reader.expr(ret, self.frame_scope(frame))
            return value, None
        finally:
            self.depth -= 1
            self.reader = caller


    def flow(self, body: list[ast.stmt], frame: Frame) -> ast.Return | None:
        """A helper's statements in order, a condition's branch followed, up to the `return` reached."""
        for stmt in body:
            if isinstance(stmt, ast.Return):
                return stmt
            if isinstance(stmt, ast.If):
                returned = self.flow(self.branch(stmt, frame), frame)
                if returned is not None:
                    return returned
            elif not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
                self.local(stmt, frame)
        return None


@lru_cache(maxsize=None)
def helper_definition(source: str) -> ast.FunctionDef:
    """A built-in helper's `def`, parsed once: the same few are given to every network and derivation read (the
    readers copy a tree before they change it)."""
    definition = parse_python(source).body[0]
    assert isinstance(definition, ast.FunctionDef)  # a built-in helper is one `def`
    return definition


class SpelledOut(ast.NodeTransformer):
    """A list filled by append, read whole (`np.vstack(xs)`), as the list of its items: [xs[0], xs[1], …]."""

    def __init__(self, lengths: dict[str, int], scope: Scope):
        self.lengths, self.scope = lengths, scope

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        if not (isinstance(node.func, ast.Name) and node.func.id == "len"):  # len(xs) counts the items itself
            node.args = [self.spelled(a) if isinstance(a, ast.Name) else a for a in node.args]
        return node

    def spelled(self, node: ast.Name) -> ast.expr:
        n = self.lengths.get(node.id, 0) or numbered_items(node, self.scope)  # a list the forward pass filled
        if not n or self.scope.var(node.id) is not None:
            return node
        return located(ast.List(elts=[located(ast.Subscript(value=located(ast.Name(id=node.id, ctx=ast.Load()), node),
                                                            slice=located(ast.Constant(k), node), ctx=ast.Load()),
                                              node) for k in range(n)], ctx=ast.Load()), node)


def marks(stmt: ast.stmt) -> tuple[bool, bool]:
    """Whether a statement reads `self.…` (a method pasted as is), and whether it builds a key with str(…)
    (grads["dW" + str(L)])."""
    reads_self = spells_a_key = False
    for n in ast.walk(stmt):
        reads_self = reads_self or is_self_attribute(n)
        spells_a_key = spells_a_key or isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "str"
    return reads_self, spells_a_key


def is_self_attribute(node: ast.AST) -> bool:
    """`self.weights` read (not assigned: `self.dW = ...` keeps its own reading)."""
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self" \
        and isinstance(node.ctx, ast.Load)


class SelfDropped(ast.NodeTransformer):
    """A class's attributes as plain names, as the reader takes them: `self.cost_derivative(a, y)` calls the
    helper cost_derivative, `self.weights[-l+1]` is an item of the list weights."""

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        if is_self_attribute(node):
            return located(ast.Name(id=node.attr, ctx=ast.Load()), node)
        self.generic_visit(node)
        return node


def is_slot(target: ast.expr) -> bool:
    """`grads['W1']` as a target: a dictionary's slot by a string key."""
    return isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) \
        and isinstance(target.slice.value, str) and isinstance(target.value, ast.Name)


def substituted(names: list[ast.expr], value, node: ast.AST) -> ast.AST:
    """A loop's statement (or a comprehension's item) for one step: each name replaced by its value."""
    out = copy.deepcopy(node)
    parts = value if isinstance(value, tuple) else (value,)
    for n, v in zip(names, parts):
        out = Substitute(cast(ast.Name, n).id, v).visit(out)
    return out


def is_empty_container(node: ast.expr) -> bool:
    """`{}`, `[]`, `[None] * (K + 1)`: a container filled item by item (hs[t] = ...)."""
    if isinstance(node, ast.Dict) and not node.keys:
        return True
    if isinstance(node, ast.List) and not node.elts:
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        items = node.left if isinstance(node.left, ast.List) else node.right
        return isinstance(items, ast.List) and all(isinstance(e, ast.Constant) and e.value is None for e in items.elts)
    return False


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
    if isinstance(e, Call) and e.prim in ("add", "sub") and len(e.args) == 2:  # K = len(all_weights) - 1
        a, b = (as_dimension(x) for x in e.args)
        if a is not None and b is not None and a.is_literal and b.is_literal:
            total = a.coeff + b.coeff if e.prim == "add" else a.coeff - b.coeff
            return Dim(total) if total > 0 else None
    return None


_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/"}
#: The comparisons a condition on numbers may make.
_DECIDE = {ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b, ast.Lt: lambda a, b: a < b,
           ast.LtE: lambda a, b: a <= b, ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b}


__all__ = ["Assignment", "Program", "TutorError", "as_dimension", "slot_name"]


#: What a helper's body may hold, said when it holds something else.
HELPER_HOLDS = "a helper holds assignments, loops over a range, conditions on numbers and one `return`"
