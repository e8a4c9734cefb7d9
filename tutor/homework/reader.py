"""The static reader: a homework file → straight-line code, without importing or running anything.

Python-level values (settings, lists of layers, dicts, objects) are followed exactly; loops over
them are unrolled, conditions on them decided, helpers and methods inlined with their own
arguments. Array values are never computed: each statement that makes one is written out, from
the learner's own text, as an assignment of the flattened code (`Emitted`), in the order the file
would run it. Every refusal is a `TutorError` located in the file, saying what to add.
"""
from __future__ import annotations

import ast
import builtins
import functools
import re
from dataclasses import dataclass

from ..engine.errors import ParseError, Span, TutorError
from ..engine.language.ir import parse_python
from ..engine.language.table import FUNCTIONS, METHODS
from .calls import Calls
from .courses import course_helpers
from .expressions import Expressions
from .splice import Located, Written, join, plain, splice
from .values import (MAX_UNROLL, OPS, SYM, Drawn, Frame, NumPy, Return, claims_one_of, eval_binop, is_static, Class, Dim,
                     FlatShape, FlatSlice, Func, Init, Leaf, Obj, Params, Ref, ShapeOf, Sizes)

#: NumPy's functions and array methods that change an array they are given, rather than return a new one.
IN_PLACE_FUNCTIONS = {"copyto", "put", "fill_diagonal", "place", "putmask", "random.shuffle", "put_along_axis"}
IN_PLACE_METHODS = {"fill", "sort", "resize", "put", "itemset"}

#: Statements followed in all (unrolled loops included): a homework's forward and backward are far fewer.
MAX_STEPS = 5_000
RESERVED = set(FUNCTIONS) | set(METHODS) | set(dir(builtins)) | {"np", "numpy", "T", "shape"}


@functools.lru_cache(maxsize=8)
def source_lines(source: str) -> tuple[str, ...]:
    """The lines of a source as `ast` splits them (a line feed, a carriage return or both end a line), each
    with its end."""
    return tuple(re.split(r"(?<=\r\n)|(?<=\n)|(?<=\r)(?!\n)", source))


def source_segment(source: str, node) -> str | None:
    """`ast.get_source_segment(source, node)`, with the source split into lines once, not on every call: a
    file's reading asks for a segment per statement and expression, and splitting each time was quadratic."""
    end_line, end_col = getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None)
    if end_line is None or end_col is None:
        return None
    lines, first, last = source_lines(source), node.lineno - 1, end_line - 1
    if first == last:  # column offsets count UTF-8 bytes
        return lines[first].encode()[node.col_offset:end_col].decode()
    return (lines[first].encode()[node.col_offset:].decode() + "".join(lines[first + 1:last])
            + lines[last].encode()[:end_col].decode())


@dataclass
class Emitted:
    """One statement of the flattened code (`lines`: the source it is written from, when not the file;
    then `site` is the call in the file it stands for)."""

    ident: str                  # the array it writes
    kind: str                   # "new", "alias", "update" (x op= v), "part" (x[i] op= v)
    target: Located             # where the learner wrote the target
    value: Located
    repl: dict                  # id(node) → (node, text or Dim): the parts written differently
    op: str = ""                # "+", "-", ... for updates
    index: Located | None = None
    owner: str = ""             # the function it was written in
    lines: list | None = None
    site: Located | None = None

    def render(self, source_lines: list[str], prefix: str | None = None) -> Written:
        if self.lines is not None:
            source_lines = self.lines
        table = {k: (n, t.name if isinstance(t, Dim) else t) for k, (n, t) in self.repl.items()}
        value = splice(source_lines, self.value, table)
        head = prefix if prefix is not None else self.ident
        where = self.target
        end = where.end_col_offset if where.end_lineno == where.lineno else where.col_offset + 1
        if self.kind == "part":
            index = splice(source_lines, self.index, table)
            return join(plain(head + "[", where.lineno, where.col_offset, end), index,
                        plain(f"] {self.op}= ", where.lineno, where.col_offset, end), value)
        sign = f" {self.op}= " if self.kind == "update" else " = "
        return join(plain(head + sign, where.lineno, where.col_offset, end), value)


class Reader(Expressions, Calls):
    """Reads one file; `settings` are `--set` values, `sizes` the `--dims` names."""

    def __init__(self, source: str, origin: str, tree: ast.Module, settings: dict | None = None,
                 sizes: dict | None = None):
        self.source, self.origin, self.tree = source, origin, tree
        self.lines = source.splitlines() or [""]
        self.settings = dict(settings or {})
        self.sizes = dict(sizes or {})
        self.emitted: list[Emitted] = []
        self.guess_shapes = True                 # data whose shape no one states: rank 2, sizes from the network
        self.guessed: list[str] = []
        self.bias_guesses: dict[str, str] = {}   # a guessed bias's key → "rows" | "columns", as read
        self.bias_override: dict[str, str] = {}  # the convention to read a bias in instead (a retry)
        self.per_example = False
        self.making_data = False                 # a script's lines before its training loop                 # the entry point takes one example as a column (Nielsen's backprop)
        self.numbers: dict[str, int] = {}       # sizes given as numbers (`--set sizes=[3,4,2]`), by symbol
        self.leaves: dict[str, Leaf] = {}
        self.used: set[str] = set()
        self.activations: dict[int, bool] = {}
        self.bases: dict[str, str] = {}          # each name made by `fresh` → the learner's name it was made from
        self.dims: dict[str, Dim] = {}
        self.renamed = 0                         # how many sizes have taken another name (build.rename)
        self.repl: dict = {}
        self.depth = 0
        self.hints: list[str] = []
        self.result_names: list[dict[int, str]] = []  # per inlined call: its result's statement → caller's name
        self.steps = 0
        self.notes: list[str] = []
        self.calls: list[tuple[str, list]] = []   # (function, arguments) of every inlined call, in order
        self.globals = Frame(function="<module>")
        self.classes: dict[str, ast.ClassDef] = {}
        self.functions: dict[str, ast.FunctionDef] = {}
        for stmt in tree.body:
            if isinstance(stmt, ast.FunctionDef):
                self.functions[stmt.name] = stmt
                self.globals.names[stmt.name] = Func(stmt)
            elif isinstance(stmt, ast.ClassDef):
                self.classes[stmt.name] = stmt
                self.globals.names[stmt.name] = Class(stmt)
        self.imported: dict[str, str] = {}
        for node in ast.walk(tree):  # modules that are not read (`import torch.nn.functional as F`), for the message
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] != "numpy":
                        self.imported[alias.asname or alias.name.split(".")[0]] = alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] != "numpy":
                for alias in node.names:
                    self.imported[alias.asname or alias.name] = node.module
        for stmt in tree.body:  # NumPy under other names: `import numpy as xp`, `from numpy import exp, dot`
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self.numpy_names(stmt, self.globals)
        for stmt in tree.body:  # module constants (`layers_dims = [12288, 20, 7, 5, 1]`)
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                try:
                    value = ast.literal_eval(stmt.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    continue
                if isinstance(value, (int, float, str, list, tuple, bool)):
                    self.globals.names[stmt.targets[0].id] = value
        self.file_source, self.file_lines, self.site = source, self.lines, None
        for module, text in course_helpers(tree, origin):
            helper_tree = parse_python(text)
            for stmt in helper_tree.body:
                if isinstance(stmt, ast.FunctionDef) and stmt.name not in self.globals.names:
                    stmt.home = text  # type: ignore[attr-defined]
                    self.globals.names[stmt.name] = Func(stmt)
        self.frame = self.globals

    @staticmethod
    def numpy_names(stmt: ast.Import | ast.ImportFrom, frame: Frame) -> None:
        """NumPy under other names in `frame`: `import numpy as xp`, `from numpy import exp, dot`."""
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name == "numpy" and alias.asname and alias.asname not in ("np", "numpy"):
                    frame.names[alias.asname] = NumPy()
        elif stmt.module in ("numpy", "numpy.random", "numpy.linalg"):
            prefix = stmt.module[len("numpy"):].lstrip(".")
            for alias in stmt.names:
                if alias.name != "*":
                    frame.names[alias.asname or alias.name] = NumPy(f"{prefix}.{alias.name}" if prefix else alias.name)

    # -- errors and names ----------------------------------------------------------------------
    def error(self, message: str, node=None, expected: str | None = None) -> TutorError:
        return ParseError(message, Span.of(node, self.lines) if node is not None else None, source=self.source,
                          origin=self.origin, expected=expected)

    def text(self, node) -> str:
        return source_segment(self.source, node) or ast.unparse(node)

    def fresh(self, base: str) -> str:
        base = "".join(c if c.isalnum() or c == "_" else "_" for c in base).lstrip("_") or "t"
        if base[0].isdigit():
            base = "v" + base
        name, i = base, 1
        while name in self.used or name in RESERVED or name in self.dims:
            i += 1
            name = f"{base}_{i}"
        self.used.add(name)
        self.bases[name] = base
        return name

    def dim(self, name: str, fresh: bool = False) -> Dim:
        if not fresh and name in self.dims:
            return self.dims[name]
        d = Dim(self.fresh_dim(name) if fresh else name, fresh)
        self.dims[d.name] = d
        return d

    def fresh_dim(self, base: str) -> str:
        name, i = base, 1
        while name in self.dims or name in self.used:
            i += 1
            name = f"{base}{i}"
        return name

    def adopt(self, d: Dim, name: str) -> None:
        """A fresh size takes the learner's name for it (`N, D = X.shape`), also when a docstring used the name."""
        if not d.fresh or name in self.used or name in RESERVED:
            return
        known = self.dims.get(name)
        if known is None or getattr(known, "soft", False):
            self.dims.pop(d.name, None)
            d.name, d.fresh = name, False
            # `n, d = x.shape` names x's axes without fixing them: the forward pass may still make d the
            # constructor's input_size (the learner's x is the docstring's X, under another name)
            d.soft = d.unpacked = True  # type: ignore[attr-defined]
            self.dims[name] = d

    def leaf(self, key: str, shape, node=None, role: str = "parameter", kind: str = "float", bound=None) -> Ref:
        ident = self.fresh(key.replace("[", "_").replace("]", "").replace(".", "_"))
        self.leaves[ident] = Leaf(ident, key, shape, kind, bound, role, node)
        return Ref(ident)

    # -- statements ------------------------------------------------------------------------------
    def run(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            saved, self.repl = self.repl, {}
            try:
                self.statement(stmt)
            except (TypeError, ValueError, AttributeError, KeyError, IndexError, ZeroDivisionError,
                    OverflowError) as error:  # the file's Python values do not allow it (1/0, [1][5], ...)
                if isinstance(error, TutorError):
                    raise
                raise self.error(f"this statement cannot be followed statically ({type(error).__name__}: "
                                 f"{error})", stmt) from None
            finally:
                self.repl = saved

    def statement(self, stmt: ast.stmt) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise self.error(f"reading this file follows more than {MAX_STEPS:,} statements (loops inside loops?)",
                             stmt, "a loop over layers, not over examples or iterations")
        if isinstance(stmt, ast.Expr):
            if isinstance(stmt.value, ast.Constant):
                return
            if isinstance(stmt.value, ast.Call) and any(k.arg == "out" for k in stmt.value.keywords):
                self.in_place(stmt.value)
                return
            if isinstance(stmt.value, ast.Call) and self.ufunc_at(stmt.value):
                return
            if isinstance(stmt.value, ast.Call) and self.writes_in_place(stmt.value):
                raise self.error(f"{self.text(stmt.value.func)}(...) changes an array in place, which cannot be "
                                 "followed", stmt.value, "the same as an assignment (a = ..., a[idx] = v)")
            self.ev(stmt.value)
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                self.assign(target, stmt.value, stmt)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self.assign(stmt.target, stmt.value, stmt)
        elif isinstance(stmt, ast.AugAssign):
            self.augment(stmt)
        elif isinstance(stmt, ast.If):
            test = self.ev(stmt.test)
            if not is_static(test):
                raise self.error("this condition depends on array values, so it cannot be decided without running "
                                 "the code", stmt.test, "a condition on settings (add them with --set NAME=VALUE)")
            self.run(stmt.body if test else stmt.orelse)
        elif isinstance(stmt, ast.For):
            self.loop(stmt)
        elif isinstance(stmt, ast.Return):
            hint = self.hints[-1] if self.hints else "out"
            value = self.ev(stmt.value, hint=hint) if stmt.value is not None else None
            if value is SYM and stmt.value is not None:  # written here, in the function's own text
                value = self.materialize(stmt.value, hint)
            raise Return(value)
        elif isinstance(stmt, ast.FunctionDef):
            self.frame.names[stmt.name] = Func(stmt)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self.numpy_names(stmt, self.frame)  # `from numpy import matmul, log` inside a function
        elif isinstance(stmt, (ast.Pass, ast.Assert, ast.Global, ast.Nonlocal, ast.Delete)):
            return
        else:
            raise self.error(f"a {type(stmt).__name__.lower()} statement cannot be followed without running the "
                             "code", stmt, "assignments, calls, `if` on settings and `for` loops over layers")

    def in_place(self, call: ast.Call) -> None:
        """`np.clip(dparam, -5, 5, out=dparam)` (min-char-rnn): clipping a gradient is part of the update, not of
        the gradient, so the gradients are judged as computed before it, and a note says so. Any other call
        that writes into an array through `out=` cannot be followed."""
        func = self.ev(call.func)
        if isinstance(func, NumPy) and func.path == "clip":
            note = (f"the gradient clipping at line {call.lineno} (np.clip(..., out=...)) belongs to the update: "
                    "the gradients are judged as computed before it")
            if note not in self.notes:
                self.notes.append(note)
            return
        raise self.error("a call that writes into an array through out= cannot be followed", call,
                         "the same as an assignment: a = np.add(a, b)")

    def writes_in_place(self, call: ast.Call) -> bool:
        """A call made for what it does to an array (`np.copyto(dx, dout)`, `dW.fill(0)`): read as a statement of its
        own it would otherwise be taken to do nothing."""
        func = call.func
        if self.making_data:  # a script shuffling or filling its data set: data, not the network
            return False
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call) and \
                isinstance(func.value.func, ast.Name) and func.value.func.id == "super":
            return False  # super().__init__(): a method of the base class
        if isinstance(func, ast.Attribute) and func.attr in IN_PLACE_METHODS:
            target = self.ev(func.value)
        else:
            value = self.ev(func) if isinstance(func, (ast.Attribute, ast.Name)) else None
            if not (isinstance(value, NumPy) and value.path in IN_PLACE_FUNCTIONS and call.args):
                return False
            target = self.ev(call.args[0])
        # a leaf changed in place is the data set or the update, which the gradients never read
        return isinstance(target, Ref) and target.ident not in self.leaves or target is SYM

    def ufunc_at(self, call: ast.Call) -> bool:
        """`np.add.at(dC, Xb, demb)` (makemore's embedding table): every row an index names gets the values added,
        once per time it is named. Written as the sum it is, `dC += einsum('...v,...e->ve', onehot(Xb, V), demb)`.
        Any other write through a ufunc's `.at` is refused: it would otherwise be read as if it wrote nothing."""
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "at"):
            return False
        ufunc = self.ev(func.value)
        if not isinstance(ufunc, NumPy):
            return False
        if ufunc.path not in ("add", "subtract") or len(call.args) != 3 or call.keywords:
            raise self.error(f"np.{ufunc.path}.at(...) writes into an array in a way that cannot be followed", call,
                             "the same as an update: a[idx] += v where each index is named once")
        target_node, idx_node, vals_node = call.args
        target = self.ev(target_node)
        if isinstance(target, Init):  # `dC = np.zeros(C.shape)` and then added to
            target = self.materialize(target.node, self.hint_of(target_node))
            self.bind(target_node, target, call)
        if not isinstance(target, Ref) or self.table_rank(target) != 2:
            raise self.error(f"np.{ufunc.path}.at into {self.text(target_node)!r} is followed only into a table of rows "
                             "(an embedding matrix, as np.zeros_like(C) of a 2-D C)", call,
                             "dC += np.einsum('...v,...e->ve', onehot(idx, V), values)")
        idx, vals = self.ev(idx_node), self.ev(vals_node)
        idx = idx.whole if isinstance(idx, Drawn) else idx  # the negative samples a helper drew, as one vector
        idx = self.materialize(idx_node, "idx") if idx is SYM else idx
        vals = self.materialize(vals_node, "vals") if vals is SYM else vals
        rank = self.table_rank(idx) if isinstance(idx, Ref) else None
        if not isinstance(idx, Ref) or not isinstance(vals, Ref) or not rank or rank > 4:
            raise self.error(f"np.{ufunc.path}.at's indices here are not an array of known axes", call,
                             "indices the file makes (np.random.randint(0, V, size=(n, T))) or states")
        axes = "abcd"[:rank]  # one letter per axis of the indices, summed over: each row gets every value sent to it
        self.repl[id(call)] = (call, f"np.einsum('{axes}v,{axes}e->ve', onehot({idx.ident}, {target.ident}.shape[0]), "
                                     f"{vals.ident})")
        self.add(Emitted(target.ident, "update", target_node, call, dict(self.repl), "+" if ufunc.path == "add" else "-",
                         owner=self.frame.function))
        return True

    def table_rank(self, ref: Ref) -> int | None:
        """The number of axes of an array the file made as a table: a leaf's, or zeros like a leaf's."""
        leaf = self.leaves.get(ref.ident)
        if leaf is not None:
            return len(leaf.shape) if leaf.shape is not None else None
        made = next((e for e in reversed(self.emitted) if e.ident == ref.ident and e.kind == "new"), None)
        value = made.value if made is not None else None
        if isinstance(value, ast.Call) and value.args:
            name = value.func.attr if isinstance(value.func, ast.Attribute) else getattr(value.func, "id", "")
            first = value.args[0]
            if name in ("zeros_like", "ones_like", "empty_like") and isinstance(first, ast.Name):
                inner = self.ev(first)
                return self.table_rank(inner) if isinstance(inner, Ref) else \
                    len(inner.shape) if isinstance(inner, Init) else None
            if name in ("zeros", "ones", "empty") and isinstance(first, (ast.Tuple, ast.List)):
                return len(first.elts)
        return None

    def items(self, value, node) -> list:
        """The items of a list the file fixes (never more than a loop over layers has)."""
        if isinstance(value, (range, list, tuple, dict, str)) and len(value) > MAX_UNROLL:
            raise self.error(f"this runs {len(value)} times; only loops over layers (at most {MAX_UNROLL}) are "
                             "unrolled", node)
        return list(value)

    def loop(self, stmt: ast.For) -> None:
        items = self.ev(stmt.iter)
        if isinstance(items, (range, list, tuple, dict, str)):
            items = self.items(items, stmt.iter)
        else:
            raise self.error(f"this loop runs over {self.text(stmt.iter)}, whose length the data decides (examples, "
                             "time steps), not a number the file fixes: only loops over layers are unrolled",
                             stmt.iter, "a loop over layers (range(L), zip(self.biases, self.weights), the number of "
                             "layers given with --set), or one step's function of arrays judged with --function NAME")
        if len(items) > MAX_UNROLL:
            raise self.error(f"this loop runs {len(items)} times; only loops over layers (at most {MAX_UNROLL}) "
                             "are unrolled", stmt.iter)
        for item in items:
            self.bind(stmt.target, item, stmt)
            self.run(stmt.body)
        if stmt.orelse:
            self.run(stmt.orelse)

    def assign(self, target: ast.expr, value_node: ast.expr, stmt: ast.stmt) -> None:
        hint = target.id if isinstance(target, ast.Name) else \
            target.attr if isinstance(target, ast.Attribute) else "t"
        if self.result_names and isinstance(target, ast.Name):
            hint = self.result_names[-1].get(id(stmt), hint)
        if isinstance(target, ast.Subscript):
            base = self.ev(target.value)
            if isinstance(base, Init) and self.making_data:
                return  # the script making its data set (X[ix] = ...): data, not the network
            if isinstance(base, (Ref, Init)) or base is SYM:
                self.into_part(target, base, value_node, "")
                return
            key = self.ev(target.slice)
            hint = self.slot_hint(target.value, key)
        value = self.ev(value_node, hint=hint)
        if isinstance(target, ast.Name) and isinstance(value, Ref) and isinstance(value_node, ast.Name) \
                and value.ident not in self.leaves and value_node.id != target.id:
            # `dscores = probs`: the same array under a second name, as NumPy has it
            self.embed(value_node, value)
            ident = self.fresh(target.id)
            self.add(Emitted(ident, "alias", target, value_node, dict(self.repl), owner=self.frame.function))
            self.frame.names[target.id] = Ref(ident)
            return
        if value is SYM:
            value = self.materialize(value_node, hint, target)
        elif isinstance(value, FlatShape) and isinstance(target, ast.Name):
            value = self.leaf(target.id, value.shape, target)
        elif not isinstance(target, ast.Name):
            value = self.promote(value, self.leaf_key(target), target)
        self.bind(target, value, stmt)

    def promote(self, value, key: str, node):
        """Initialised arrays stored on an object or in a dictionary are the parameters (leaves)."""
        if isinstance(value, Init):
            return self.leaf(key, value.shape, node)
        if isinstance(value, list) and value and all(isinstance(v, Init) for v in value):
            return [self.leaf(f"{key}[{i}]", v.shape, node) for i, v in enumerate(value)]
        if isinstance(value, dict) and value and all(isinstance(v, Init) for v in value.values()):
            return {k: self.leaf(str(k), v.shape, node) for k, v in value.items()}  # self.params = {"W": randn(...)}
        return value

    def slot_hint(self, base: ast.expr, key) -> str:
        name = base.attr if isinstance(base, ast.Attribute) else base.id if isinstance(base, ast.Name) else ""
        if isinstance(key, str):
            if "grad" in name.lower() and not key.startswith("d"):
                return "d" + key
            return key
        return f"{name}{key}" if isinstance(key, int) else name

    def leaf_key(self, target: ast.expr) -> str:
        if isinstance(target, ast.Attribute):
            owner = self.ev(target.value)  # dense2.weights: a script's second layer of one class
            return f"{owner.label}.{target.attr}" if isinstance(owner, Obj) and owner.label else target.attr
        if isinstance(target, ast.Subscript):
            key = self.ev(target.slice)
            if isinstance(key, str):
                return key
            base = target.value.attr if isinstance(target.value, ast.Attribute) else self.text(target.value)
            return f"{base}{key}"
        return self.text(target)

    def bind(self, target: ast.expr, value, stmt) -> None:
        if isinstance(target, ast.Name):
            if isinstance(value, Dim):
                self.adopt(value, target.id)
            if isinstance(value, FlatSlice):
                raise self.error("a slice of the parameter vector is read as a parameter once it is reshaped", target,
                                 "W1 = params[a:b].reshape(Dx, H)")
            self.frame.names[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, ShapeOf):
                value = self.shape_items(value, len(target.elts), target)
            if isinstance(value, (list, tuple)) and len(value) == len(target.elts):
                for t, v in zip(target.elts, value):
                    self.bind(t, v, stmt)
                return
            if isinstance(value, Sizes):
                for i, t in enumerate(target.elts):
                    self.bind(t, self.size_item(value, i), stmt)
                return
            raise self.error("this unpacking cannot be followed: the right side is not a tuple of known length",
                             stmt, "a tuple or list the file builds, such as cache = (Z1, A1)")
        elif isinstance(target, ast.Attribute):
            owner = self.ev(target.value)
            if not isinstance(owner, Obj):
                raise self.error("only attributes of the file's own objects can be assigned", target)
            owner.attrs[target.attr] = value
        elif isinstance(target, ast.Subscript):
            base = self.ev(target.value)
            key = self.ev(target.slice)
            if isinstance(base, dict) and is_static(key):
                base[key] = value
            elif isinstance(base, list) and isinstance(key, int):
                try:
                    base[key] = value
                except IndexError:
                    raise self.error(f"index {key} is out of range for this list", target) from None
            elif isinstance(base, Params) and isinstance(key, str):
                base.entries[key] = value
            else:
                raise self.error("cannot follow this assignment into a container", target)
        elif isinstance(target, ast.Starred):
            raise self.error("starred assignment cannot be followed", target)
        else:
            raise self.error("this assignment target cannot be followed", target)

    def add(self, emitted: Emitted) -> None:
        if self.site is not None:
            emitted.lines, emitted.site = self.lines, self.site
        self.emitted.append(emitted)

    def materialize(self, node: ast.expr, hint: str, target: ast.AST | None = None) -> Ref:
        """An array expression written out as an assignment of its own: its value gets a name."""
        if self.depth > 1 and claims_one_of(hint, self.used):
            hint += "_"  # a helper's own `ds` is not a claim about the network's `s`
        ident = self.fresh(hint)
        self.add(Emitted(ident, "new", target if target is not None else node, node, dict(self.repl),
                         owner=self.frame.function))
        return Ref(ident)

    def into_part(self, target: ast.Subscript, base, value_node: ast.expr, op: str) -> None:
        if isinstance(base, Init):  # `dx = np.zeros(x.shape)`, then filled in
            self.symbolic(base.node)  # its sizes as the file names them (`np.zeros(vocab_size)`)
            base = self.materialize(base.node, self.hint_of(target.value))
            self.bind(target.value, base, target)
        if base is SYM:
            raise self.error("assign into part of a named array", target)
        self.embed_index(target.slice, None)
        value = self.ev(value_node)
        self.embed(value_node, value)
        self.add(Emitted(base.ident, "part", target.value, value_node, dict(self.repl), op, target.slice,
                                    owner=self.frame.function))

    def augment(self, stmt: ast.AugAssign) -> None:
        op = OPS.get(type(stmt.op))
        target = stmt.target
        if isinstance(target, ast.Subscript):
            base = self.ev(target.value)
            if isinstance(base, (Ref, Init)):
                self.into_part(target, base, stmt.value, op or "?")
                return
        current = self.ev(target)
        if isinstance(current, Init) and op is not None and not self.making_data:
            # `dW = np.zeros(W.shape)` (the course's own first line), then `dW += X.T.dot(...)`: zeros, then added to
            self.symbolic(current.node)
            current = self.materialize(current.node, self.hint_of(target))
            self.bind(target, current, stmt)
        value = self.ev(stmt.value)
        if is_static(current) and is_static(value) and not isinstance(current, (Dim, Ref)) and \
                not isinstance(value, (Dim, Ref)):
            try:
                result = eval_binop(stmt.op, current, value)
            except Exception:
                raise self.error("this update cannot be followed", stmt) from None
            self.bind(target, result, stmt)
            return
        if isinstance(current, Ref) and op is not None:
            self.embed(stmt.value, value)
            self.add(Emitted(current.ident, "update", target, stmt.value, dict(self.repl), op,
                                        owner=self.frame.function))
            return
        if isinstance(current, (int, float)) and not isinstance(current, bool) and current == 0 and op == "+":
            self.bind(target, self.materialize(stmt.value, self.hint_of(target), target) if value is SYM
                      else value, stmt)  # `loss = 0.0; loss += ...`
            return
        raise self.error("this in-place update cannot be followed", stmt)

    def hint_of(self, target) -> str:
        return target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) else "t"


