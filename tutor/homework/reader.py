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
from dataclasses import dataclass, field

from ..engine.errors import ParseError, Span, TutorError
from ..engine.language import FUNCTIONS, METHODS
from .splice import Written, join, plain, splice
from .values import (SYM, Builtin, Class, Dim, FlatSlice, Func, Init, Leaf, NumPy, Obj, Packed, Params, Ref,
                     ShapeOf, Sizes)

#: Loops are unrolled; a loop longer than this is not a loop over layers.
MAX_UNROLL = 64
MAX_CALL_DEPTH = 32
#: Statements followed in all (unrolled loops included): a homework's forward and backward are far fewer.
MAX_STEPS = 5_000
BUILTINS = {"range", "len", "zip", "reversed", "enumerate", "list", "tuple", "str", "int", "float", "min", "max",
            "abs", "print", "isinstance", "dict", "sum", "sorted", "round", "bool"}
INITIALISERS = {"random.randn", "random.rand", "random.normal", "random.uniform", "random.standard_normal",
                "zeros", "ones", "empty", "random.random", "full"}
LANGUAGE_FUNCTIONS = {"sigmoid", "relu", "tanh", "softmax", "log_softmax"}
RESERVED = set(FUNCTIONS) | set(METHODS) | set(dir(builtins)) | {"np", "numpy", "T", "shape", "J"}


class Return(Exception):
    def __init__(self, value):
        self.value = value


@dataclass
class Emitted:
    """One statement of the flattened code (`lines`: the source it is written from, when not the file;
    then `site` is the call in the file it stands for)."""

    ident: str                  # the array it writes
    kind: str                   # "new", "alias", "update" (x op= v), "part" (x[i] op= v)
    target: ast.AST             # where the learner wrote the target
    value: ast.AST
    repl: dict                  # id(node) → (node, text or Dim): the parts written differently
    op: str = ""                # "+", "-", ... for updates
    index: ast.AST | None = None
    owner: str = ""             # the function it was written in
    lines: list | None = None
    site: ast.AST | None = None

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


@dataclass
class Frame:
    names: dict = field(default_factory=dict)
    function: str = "<module>"


class Reader:
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
        self.per_example = False                 # the entry point takes one example as a column (Nielsen's backprop)
        self.numbers: dict[str, int] = {}       # sizes given as numbers (`--set sizes=[3,4,2]`), by symbol
        self.leaves: dict[str, Leaf] = {}
        self.used: set[str] = set()
        self.dims: dict[str, Dim] = {}
        self.repl: dict = {}
        self.depth = 0
        self.hints: list[str] = []
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
            helper_tree = ast.parse(text)
            for stmt in helper_tree.body:
                if isinstance(stmt, ast.FunctionDef) and stmt.name not in self.globals.names:
                    stmt.home = text  # type: ignore[attr-defined]
                    self.globals.names[stmt.name] = Func(stmt)
        self.frame = self.globals

    # -- errors and names ----------------------------------------------------------------------
    def error(self, message: str, node=None, expected: str | None = None) -> TutorError:
        return ParseError(message, Span.of(node, self.lines) if node is not None else None, source=self.source,
                          origin=self.origin, expected=expected)

    def text(self, node) -> str:
        return ast.get_source_segment(self.source, node) or ast.unparse(node)

    def fresh(self, base: str) -> str:
        base = "".join(c if c.isalnum() or c == "_" else "_" for c in base).lstrip("_") or "t"
        if base[0].isdigit():
            base = "v" + base
        name, i = base, 1
        while name in self.used or name in RESERVED or name in self.dims:
            i += 1
            name = f"{base}_{i}"
        self.used.add(name)
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
            if value is SYM:  # written here, in the function's own text
                value = self.materialize(stmt.value, hint)
            raise Return(value)
        elif isinstance(stmt, ast.FunctionDef):
            self.frame.names[stmt.name] = Func(stmt)
        elif isinstance(stmt, (ast.Pass, ast.Import, ast.ImportFrom, ast.Assert, ast.Global, ast.Nonlocal,
                               ast.Delete)):
            return
        else:
            raise self.error(f"a {type(stmt).__name__.lower()} statement cannot be followed without running the "
                             "code", stmt, "assignments, calls, `if` on settings and `for` loops over layers")

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
            raise self.error("this loop does not run over a list the file fixes, so it cannot be unrolled", stmt.iter,
                             "a loop over layers: range(L), zip(self.biases, self.weights), the number of layers "
                             "given with --set")
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
        if isinstance(target, ast.Subscript):
            base = self.ev(target.value)
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
            return target.attr
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

    # -- expressions ------------------------------------------------------------------------------
    def embed(self, node: ast.expr, value) -> None:
        """`node`'s value as it must be written inside an array expression."""
        if value is SYM:
            return
        if isinstance(value, Ref):
            if self.text(node) != value.ident:
                self.repl[id(node)] = (node, value.ident)
        elif isinstance(value, Dim):
            if self.text(node) != value.name:
                self.repl[id(node)] = (node, value)
        elif isinstance(value, bool) or value is None:
            if not isinstance(node, ast.Constant):
                self.repl[id(node)] = (node, repr(value))
        elif isinstance(value, (int, float)):
            if not isinstance(node, ast.Constant):
                self.repl[id(node)] = (node, repr(value))
        elif isinstance(value, str):
            if not isinstance(node, ast.Constant):
                self.repl[id(node)] = (node, repr(value))
        elif isinstance(value, (tuple, list)) and all(isinstance(v, (int, Dim)) and not isinstance(v, bool)
                                                      for v in value):
            if not isinstance(node, (ast.Tuple, ast.List)) or any(
                    not isinstance(e, ast.Constant) and not (isinstance(e, ast.Name) and isinstance(v, Dim)
                                                             and e.id == v.name) for e, v in zip(node.elts, value)):
                self.repl[id(node)] = (node, "(" + ", ".join(str(v) for v in value) + ("," if len(value) == 1
                                                                                        else "") + ")")
        elif isinstance(value, Init):
            self.symbolic(value.node)
        elif isinstance(value, ShapeOf):
            self.embed(node.value if isinstance(node, ast.Attribute) else node, value.ref)
        elif isinstance(value, NumPy) or isinstance(value, Builtin):
            return
        else:
            raise self.error(f"{self.text(node)!r} is {describe(value)}, not an array, so it cannot be used in this "
                             "array expression", node)

    def symbolic(self, node: ast.expr) -> None:
        """Write `node` as an array expression: its parts embedded one by one."""
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.embed(child, self.ev(child))
            elif isinstance(child, ast.keyword):
                self.embed(child.value, self.ev(child.value))

    def ev(self, node: ast.expr, hint: str = "t"):
        method = getattr(self, "ev_" + type(node).__name__, None)
        if method is None:
            raise self.error(f"{type(node).__name__.lower()} expressions are not part of what can be read "
                             "statically", node)
        return method(node, hint)

    def ev_Constant(self, node, hint):
        return node.value

    def ev_Name(self, node, hint):
        for frame in (self.frame, self.globals):
            if node.id in frame.names:
                return frame.names[node.id]
        if node.id in ("np", "numpy"):
            return NumPy()
        if node.id in BUILTINS:
            return Builtin(node.id)
        if node.id in self.dims:
            return self.dims[node.id]
        if node.id in LANGUAGE_FUNCTIONS:  # imported from the course's helpers: the language's own
            return NumPy(node.id)
        raise self.error(f"{node.id!r} has no value here", node,
                         "a name assigned earlier, an argument, or a setting given with --set NAME=VALUE")

    def ev_Attribute(self, node, hint):
        base = self.ev(node.value)
        if isinstance(base, NumPy):
            return NumPy(f"{base.path}.{node.attr}".lstrip("."))
        if isinstance(base, Obj):
            if node.attr in base.attrs:
                return base.attrs[node.attr]
            method = method_of(base.cls, node.attr, self.classes)
            if method is not None:
                return Func(method, base)
            raise self.error(f"the object has no attribute {node.attr!r} here", node,
                             "an attribute set in __init__ or earlier")
        if isinstance(base, (Ref, Leaf)) or base is SYM:
            if node.attr == "shape":
                return ShapeOf(base, node) if isinstance(base, Ref) else SYM
            if node.attr == "astype":  # a change of float type: the same values here
                return BoundArrayMethod("astype", base)
            self.embed(node.value, base)
            return SYM if node.attr in ("T",) else BoundArrayMethod(node.attr)
        if isinstance(base, Init):
            if node.attr == "shape":
                return list(base.shape)
            self.embed(node.value, base)
            return SYM if node.attr == "T" else BoundArrayMethod(node.attr)
        if isinstance(base, FlatSlice) and node.attr == "reshape":
            return BoundStatic(base, "reshape")
        if isinstance(base, (list, dict)):
            return BoundStatic(base, node.attr)
        if isinstance(base, Params):
            return BoundStatic(base, node.attr)
        raise self.error(f"{self.text(node)!r} cannot be read statically", node)

    def ev_Subscript(self, node, hint):
        base = self.ev(node.value)
        picked = self.onehot_pick(node, base)
        if picked is not None:
            return picked
        if isinstance(base, (Ref, Init)) or base is SYM:
            self.embed(node.value, base)
            self.embed_index(node.slice, None)
            return SYM
        key = self.ev(node.slice)
        if isinstance(base, dict):
            if is_static(key) and key in base:
                return base[key]
            raise self.error(f"{self.text(node)} has no value here", node,
                             f"an entry set earlier (this dictionary has: {', '.join(map(repr, base)) or 'nothing'})")
        if isinstance(base, (list, tuple, str)):
            if isinstance(key, (int, slice)) and not isinstance(key, bool):
                try:
                    return base[key]
                except IndexError:
                    raise self.error(f"index {key} is out of range: this list has {len(base)} entries here",
                                     node) from None
            raise self.error("a list is indexed by a number the file fixes", node.slice)
        if isinstance(base, Params):
            if isinstance(key, str):
                if key not in base.entries:
                    base.entries[key] = self.leaf(key, None, node)
                return base.entries[key]
            if isinstance(key, slice) or key is SYM or isinstance(key, SliceOf):
                return FlatSlice(base, node)
            raise self.error("parameters are read by name or by slice", node.slice)
        if isinstance(base, Sizes):
            if isinstance(key, int):
                return self.size_item(base, key)
            raise self.error("sizes are read by position", node.slice)
        if isinstance(base, ShapeOf):
            if isinstance(key, int):
                items = self.shape_items(base, None, node)
                if items is not None:
                    return items[key]
            self.embed(node.value.value if isinstance(node.value, ast.Attribute) else node.value, base.ref)
            return SYM
        if isinstance(base, Ref) or base is SYM or isinstance(base, Init):
            self.embed(node.value, base)
            self.embed_index(node.slice, key)
            return SYM
        raise self.error(f"{self.text(node.value)!r} is {describe(base)} and cannot be indexed here", node)

    def onehot_pick(self, node: ast.Subscript, base):
        """`yhat[labels == 1]` with one-hot labels: each row's entry at its label, as `sum(yhat * labels, axis=-1)`."""
        test = node.slice
        if not (isinstance(base, Ref) and isinstance(test, ast.Compare) and len(test.ops) == 1
                and isinstance(test.ops[0], ast.Eq) and isinstance(test.comparators[0], ast.Constant)
                and test.comparators[0].value == 1):
            return None
        labels = self.ev(test.left)
        leaf = self.leaves.get(labels.ident) if isinstance(labels, Ref) else None
        if leaf is None or leaf.kind != "onehot":
            return None
        self.repl[id(node)] = (node, f"np.sum({base.ident} * {labels.ident}, axis=-1)")
        return SYM

    def embed_index(self, node, key) -> None:
        if isinstance(node, ast.Tuple):
            for elt in node.elts:
                self.embed_index(elt, None)
        elif isinstance(node, ast.Slice):
            for part in (node.lower, node.upper, node.step):
                if part is not None:
                    self.embed(part, self.ev(part))
        else:
            self.embed(node, self.ev(node))

    def ev_Slice(self, node, hint):
        parts = [self.ev(p) if p is not None else None for p in (node.lower, node.upper, node.step)]
        if all(p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts):
            return slice(*parts)
        return SliceOf(parts)

    def ev_Index(self, node, hint):  # Python 3.8
        return self.ev(node.value)

    def ev_Tuple(self, node, hint):
        return tuple(self.element(e, hint, i) for i, e in enumerate(node.elts))

    def ev_List(self, node, hint):
        return [self.element(e, hint, i) for i, e in enumerate(node.elts)]

    def element(self, node, hint, i):
        value = self.ev(node, hint)
        if value is SYM:
            name = node.id if isinstance(node, ast.Name) else f"{hint}{i}"
            return self.materialize(node, name)
        return value

    def ev_Dict(self, node, hint):
        out = {}
        for k, v in zip(node.keys, node.values):
            if k is None:
                out.update(self.ev(v))
                continue
            key = self.ev(k)
            value = self.ev(v, hint=key if isinstance(key, str) else hint)
            if value is SYM:
                value = self.materialize(v, key if isinstance(key, str) else hint)
            out[key] = value
        return out

    def ev_ListComp(self, node, hint):
        if len(node.generators) != 1 or node.generators[0].ifs:
            raise self.error("only a simple list comprehension over a list can be followed", node)
        gen = node.generators[0]
        items = self.ev(gen.iter)
        if not isinstance(items, (list, tuple, range, dict)):
            raise self.error("this comprehension does not run over a list the file fixes", gen.iter)
        saved = dict(self.frame.names)
        out = []
        try:
            for i, item in enumerate(self.items(items, gen.iter)):
                self.bind(gen.target, item, node)
                value = self.ev(node.elt, hint)
                if value is SYM:
                    value = self.materialize(node.elt, f"{hint}{i}")
                out.append(value)
        finally:
            self.frame.names = saved
        return out

    def ev_BinOp(self, node, hint):
        a, b = self.ev(node.left), self.ev(node.right)
        if isinstance(a, Init) and is_number(b) or isinstance(b, Init) and is_number(a):
            return a if isinstance(a, Init) else b   # std * np.random.randn(D, H)
        if is_static(a) and is_static(b) and not any(isinstance(v, (Dim, Ref, Init, ShapeOf)) for v in (a, b)):
            try:
                return eval_binop(node.op, a, b)
            except Exception:
                raise self.error("this operation cannot be computed", node) from None
        self.embed(node.left, a)
        self.embed(node.right, b)
        return SYM

    def ev_UnaryOp(self, node, hint):
        v = self.ev(node.operand)
        if is_number(v) or isinstance(v, bool):
            return {ast.USub: lambda x: -x, ast.UAdd: lambda x: +x, ast.Not: lambda x: not x,
                    ast.Invert: lambda x: ~x}[type(node.op)](v)
        self.embed(node.operand, v)
        return SYM

    def ev_BoolOp(self, node, hint):
        values = [self.ev(v) for v in node.values]
        if not all(is_static(v) for v in values):
            raise self.error("this condition depends on array values", node)
        return all(values) if isinstance(node.op, ast.And) else any(values)

    def ev_Compare(self, node, hint):
        left = self.ev(node.left)
        rights = [self.ev(c) for c in node.comparators]
        if len(rights) == 1 and isinstance(node.ops[0], (ast.Is, ast.IsNot)) and (left is None or rights[0] is None):
            other = rights[0] if left is None else left
            same = other is None
            return same if isinstance(node.ops[0], ast.Is) else not same
        if all(is_static(v) and not isinstance(v, (Ref, Dim)) for v in [left, *rights]):
            out, a = True, left
            for op, b in zip(node.ops, rights):
                out = out and COMPARE[type(op)](a, b)
                a = b
            return out
        self.embed(node.left, left)
        for c, v in zip(node.comparators, rights):
            self.embed(c, v)
        return SYM

    def ev_IfExp(self, node, hint):
        test = self.ev(node.test)
        if not is_static(test):
            raise self.error("this condition depends on array values", node.test)
        return self.ev(node.body if test else node.orelse, hint)

    def ev_JoinedStr(self, node, hint):
        return "".join(str(self.ev(v.value)) if isinstance(v, ast.FormattedValue) else v.value for v in node.values)

    def ev_Starred(self, node, hint):
        return Star(self.ev(node.value))

    def ev_Call(self, node, hint):
        func = self.ev(node.func)
        if isinstance(func, Func):
            args, kwargs = self.arguments(node)
            return self.call(func, args, kwargs, node, hint)
        if isinstance(func, Class):
            args, kwargs = self.arguments(node)
            return self.instantiate(func, args, kwargs, node)
        if isinstance(func, Builtin):
            if func.name in ("range", "len") and any(isinstance(self.ev(a), (Dim, Ref)) or self.ev(a) is SYM
                                                     for a in node.args):
                self.symbolic(node)  # range(N) picks one entry per row: an array expression
                return SYM
            args, kwargs = self.arguments(node, hint)
            return self.builtin(func.name, args, kwargs, node)
        if isinstance(func, BoundStatic):
            args, kwargs = self.arguments(node)
            return self.static_method(func, args, kwargs, node, hint)
        if isinstance(func, NumPy):
            return self.numpy(func.path, node, hint)
        if isinstance(func, BoundArrayMethod) and func.name == "astype":
            if func.base is SYM:
                self.embed(node.func.value, SYM)
                self.repl[id(node)] = (node, self.text(node.func.value))
            return func.base
        if isinstance(func, BoundArrayMethod):
            for a in node.args:
                self.embed(a, self.ev(a))
            for k in node.keywords:
                self.embed(k.value, self.ev(k.value))
            return SYM
        raise self.error(f"{self.text(node.func)!r} cannot be called here", node.func)

    def arguments(self, node: ast.Call, hint: str = "arg"):
        args = []
        for a in node.args:
            value = self.ev(a)
            if isinstance(value, Star):
                args.extend(list(value.value))
                continue
            args.append(self.materialize(a, self.arg_hint(a, hint)) if value is SYM else value)
        kwargs = {}
        for k in node.keywords:
            if k.arg is None:
                raise self.error("**keyword arguments cannot be followed", k.value)
            value = self.ev(k.value)
            kwargs[k.arg] = self.materialize(k.value, k.arg) if value is SYM else value
        return args, kwargs

    def arg_hint(self, node, hint: str = "arg") -> str:
        return node.id if isinstance(node, ast.Name) else hint if hint not in ("t", "out") else "arg"

    # -- calls -----------------------------------------------------------------------------------
    def call(self, func: Func, args: list, kwargs: dict, node, hint: str = "out"):
        fn = func.node
        if self.depth >= MAX_CALL_DEPTH:
            raise self.error(f"functions call each other more than {MAX_CALL_DEPTH} deep", node)
        frame = Frame(function=fn.name)
        params = [a.arg for a in fn.args.args]
        if func.owner is not None:
            frame.names[params[0]] = func.owner
            params = params[1:]
        if fn.args.vararg or fn.args.kwarg:
            raise self.error(f"{fn.name}() takes *args or **kwargs, which cannot be followed", fn)
        if len(args) > len(params):
            raise self.error(f"{fn.name}() takes {len(params)} argument(s) here, {len(args)} given", node)
        defaults = dict(zip(params[len(params) - len(fn.args.defaults):], fn.args.defaults))
        for kw in fn.args.kwonlyargs:
            params.append(kw.arg)
        for kw, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults):
            if d is not None:
                defaults[kw.arg] = d
        for p, v in zip(params, args):
            frame.names[p] = v
        for p, v in kwargs.items():
            if p not in params:
                raise self.error(f"{fn.name}() has no argument {p!r}", node)
            frame.names[p] = v
        for p in params:
            if p not in frame.names:
                if p not in defaults:
                    raise self.error(f"{fn.name}() is called without its argument {p!r}", node)
                saved, self.frame = self.frame, self.globals
                try:
                    frame.names[p] = self.ev(defaults[p])
                finally:
                    self.frame = saved
        self.calls.append((fn.name, [frame.names.get(p) for p in params]))
        saved, self.frame = self.frame, frame
        home = getattr(fn, "home", None)
        outer = (self.source, self.lines, self.site)
        if home is not None:  # a course helper: its lines stand for the call in the file
            self.source, self.lines = home, home.splitlines()
            self.site = self.site if self.site is not None else node
        self.depth += 1
        self.hints.append(hint if hint not in ("t", "out") else f"{fn.name}_out")
        try:
            self.run([s for s in fn.body])
            result = None
        except Return as r:
            result = r.value
        finally:
            self.hints.pop()
            self.depth -= 1
            self.frame = saved
            self.source, self.lines, self.site = outer
        return result

    def instantiate(self, cls: Class, args, kwargs, node) -> Obj:
        obj = Obj(cls.node)
        init = method_of(cls.node, "__init__", self.classes)
        if init is not None:
            self.call(Func(init, obj), args, kwargs, node)
        return obj

    def builtin(self, name: str, args: list, kwargs: dict, node):
        if name == "print":
            return None
        if name == "len":
            v = args[0]
            if isinstance(v, (list, tuple, dict, str)):
                return len(v)
            if isinstance(v, Ref):
                return self.shape_items(ShapeOf(v, node), None, node)[0] if self.shape_items(
                    ShapeOf(v, node), None, node) else SYM
            raise self.error("len() of this cannot be known without running the code", node)
        if name == "range":
            if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
                return range(*args)
            raise self.error("range() over a size that has no number cannot be unrolled", node,
                             "a number of layers the file fixes, or given with --set")
        if name == "zip":
            if all(isinstance(a, (list, tuple, range)) for a in args):
                return list(zip(*(self.items(a, node) for a in args)))
            raise self.error("zip() of these cannot be unrolled", node)
        if name == "reversed":
            return list(reversed(self.items(args[0], node)))
        if name == "enumerate":
            return list(enumerate(self.items(args[0], node), *args[1:]))
        if name in ("list", "tuple", "sorted"):
            items = self.items(args[0], node) if args else []
            return {"list": list, "tuple": tuple, "sorted": sorted}[name](items)
        if name == "dict":
            return dict(*args, **kwargs)
        if name == "float" and len(args) == 1 and isinstance(args[0], Ref):
            return args[0]  # float(np.squeeze(cost)): the same scalar
        if name in ("str", "int", "float", "abs", "min", "max", "round", "bool"):
            if all(is_static(a) and not isinstance(a, (Ref, Dim)) for a in args):
                return getattr(builtins, name)(*args)
            raise self.error(f"{name}() of this cannot be computed statically", node)
        if name == "isinstance":
            return False
        if name == "sum":
            if args and isinstance(args[0], (list, tuple)) and all(is_number(a) for a in args[0]):
                return sum(args[0])
            raise self.error("the built-in sum() of arrays cannot be followed; use np.sum", node)
        raise self.error(f"{name}() cannot be followed", node)

    def static_method(self, bound, args, kwargs, node, hint):
        base, name = bound.base, bound.name
        if isinstance(base, list):
            if name == "append":
                base.append(args[0])
                return None
            if name == "extend":
                base.extend(args[0])
                return None
            if name == "insert":
                base.insert(args[0], args[1])
                return None
            if name == "pop":
                return base.pop(*args)
        if isinstance(base, dict):
            if name == "keys":
                return list(base.keys())
            if name == "values":
                return list(base.values())
            if name == "items":
                return list(base.items())
            if name == "get":
                return base.get(*args)
            if name == "update":
                base.update(args[0] if args else kwargs)
                return None
            if name == "copy":
                return dict(base)
        if isinstance(base, FlatSlice) and name == "reshape":
            return FlatShape(self.shape_list(tuple(args) if len(args) > 1 else args[0], node), node)
        if isinstance(base, Params) and name in ("keys", "items", "values") and base.entries:
            return list(getattr(base.entries, name)())
        raise self.error(f".{name}() cannot be followed here", node)

    def numpy(self, path: str, node: ast.Call, hint: str):
        if path in INITIALISERS:
            shape = self.init_shape(path, node)
            if shape is not None:
                return Init(shape, node)
        if path in ("concatenate", "hstack") and node.args and isinstance(node.args[0], (ast.Tuple, ast.List)):
            parts = []
            for e in node.args[0].elts:
                inner = e.func.value if isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) \
                    and e.func.attr in ("flatten", "ravel") else e
                value = self.ev(inner)
                if not isinstance(value, Ref):
                    parts = None
                    break
                parts.append((self.text(inner), value))
            if parts:
                return Packed(parts)
        if path == "reshape" and node.args:
            first = self.ev(node.args[0])
            if isinstance(first, FlatSlice):
                shape = self.ev(node.args[1]) if len(node.args) > 1 else None
                return FlatShape(self.shape_list(shape, node), node)
        if path == "array" and node.args:
            value = self.ev(node.args[0])
            if isinstance(value, Ref):
                self.repl[id(node)] = (node, f"{value.ident}.copy()")
                return SYM
        if path == "random.seed":
            return None
        for a in node.args:
            self.embed(a, self.ev(a))
        for k in node.keywords:
            self.embed(k.value, self.ev(k.value))
        return SYM

    def init_shape(self, path: str, node: ast.Call) -> list | None:
        args = [self.ev(a) for a in node.args]
        flat: list = []
        for a in args:
            if isinstance(a, Star):
                a = a.value
            if isinstance(a, (list, tuple)):
                flat.extend(a)
            elif isinstance(a, ShapeOf):
                items = self.shape_items(a, None, node)
                if items is None:
                    return None
                flat.extend(items)
            else:
                flat.append(a)
        if path in ("random.normal", "random.uniform", "full"):
            size = next((self.ev(k.value) for k in node.keywords if k.arg in ("size", "shape")), None)
            if size is None and path == "full":
                size = args[0] if args else None
            elif size is None:
                size = args[2] if len(args) > 2 else None
            if isinstance(size, ShapeOf):
                size = self.shape_items(size, None, node)
            if size is None:
                return None
            flat = list(size) if isinstance(size, (list, tuple)) else [size]
        elif path in ("zeros", "ones", "empty") and args and isinstance(args[0], (list, tuple, ShapeOf)):
            pass
        if not all(isinstance(d, Dim) or (isinstance(d, int) and not isinstance(d, bool) and d > 0) for d in flat):
            return None
        return flat

    def shape_list(self, value, node) -> list:
        if isinstance(value, ShapeOf):
            value = self.shape_items(value, None, node)
        if isinstance(value, (list, tuple)) and all(isinstance(d, (Dim, int)) for d in value):
            return list(value)
        if isinstance(value, (Dim, int)):
            return [value]
        raise self.error("the shape of this parameter is not given by sizes the file names", node,
                         "reshape to a tuple of sizes, e.g. (Dx, H)")

    def shape_items(self, shape: ShapeOf, count: int | None, node) -> list | None:
        """The sizes of a leaf's axes (fresh ones, named by the learner, when no docstring gave them)."""
        leaf = self.leaves.get(shape.ref.ident)
        if leaf is None:
            return None
        if leaf.shape is None:
            if count is None:
                return None
            leaf.shape = [self.dim(f"{leaf.key}_{i}", fresh=True) for i in range(count)]
        if count is not None and len(leaf.shape) != count:
            raise self.error(f"{leaf.key} has {len(leaf.shape)} axes, but {count} names are unpacked from its shape",
                             node)
        return list(leaf.shape)

    def size_item(self, sizes: Sizes, i: int):
        if i not in sizes.items:
            sizes.items[i] = self.dim(f"{sizes.name}_{i}", fresh=True)
        return sizes.items[i]


@dataclass
class BoundStatic:
    base: object
    name: str


@dataclass(frozen=True)
class BoundArrayMethod:
    name: str
    base: object = None


@dataclass
class Star:
    value: object


@dataclass
class SliceOf:
    parts: list


@dataclass
class FlatShape:
    """A slice of a flat parameter vector, reshaped: a parameter whose name is the assignment's target."""

    shape: list
    node: ast.AST


OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.FloorDiv: "//",
       ast.MatMult: "@"}
COMPARE = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
           ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
           ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
           ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b}


def claims_one_of(name: str, idents: set[str]) -> bool:
    return any(name.startswith(p) and name[len(p):] in idents for p in ("dJ_d", "grad_", "grad", "d"))


def eval_binop(op, a, b):
    table = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b, ast.Div: lambda: a / b,
             ast.FloorDiv: lambda: a // b, ast.Mod: lambda: a % b, ast.Pow: lambda: a ** b}
    if isinstance(op, ast.Pow) and is_number(b) and abs(b) > 64:
        raise ValueError("too large")
    if isinstance(op, ast.Mult) and (isinstance(a, (str, list)) or isinstance(b, (str, list))):
        n = b if isinstance(a, (str, list)) else a
        if not isinstance(n, int) or n > 10_000:
            raise ValueError("too large")
    return table[type(op)]()


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_static(v) -> bool:
    return v is not SYM


def describe(v) -> str:
    if isinstance(v, dict):
        return "a dictionary"
    if isinstance(v, (list, tuple)):
        return "a list"
    if isinstance(v, Obj):
        return f"an object of the class {v.cls.name}"
    if isinstance(v, (Func, Class)):
        return "a function"
    if v is None:
        return "None"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, Params):
        return "the parameters as a whole"
    return "not an array"


def method_of(cls: ast.ClassDef, name: str, classes: dict) -> ast.FunctionDef | None:
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == name:
            return stmt
    for base in cls.bases:
        if isinstance(base, ast.Name) and base.id in classes and classes[base.id] is not cls:
            found = method_of(classes[base.id], name, classes)
            if found is not None:
                return found
    return None


def course_helpers(tree: ast.Module, origin: str = "", depth: int = 0, seen: set | None = None) -> list[tuple[str, str]]:
    """(module, source) of the modules the file imports that hold its helpers: the file's own siblings
    (`from ..layers import *` in CS231n's fc_net.py), read as text and never imported, then the course
    helper modules whose published definitions shapetutor keeps (`from dnn_utils import *`)."""
    from .courses import MODULES
    found: list[tuple[str, str]] = []
    seen = seen if seen is not None else set()
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom):
            modules = [(stmt.module or "", stmt.level)]
        elif isinstance(stmt, ast.Import):
            modules = [(a.name, 0) for a in stmt.names]
        else:
            continue
        for m, level in modules:
            sibling = sibling_source(origin, m, level) if origin and depth < 3 else None
            if sibling is not None and sibling[0] not in seen:
                seen.add(sibling[0])
                path, text = sibling
                try:
                    inner = ast.parse(text)
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    continue
                found.append((path, text))
                found.extend(course_helpers(inner, path, depth + 1, seen))
            elif m and m.split(".")[-1] in MODULES and m not in dict(found):
                found.append((m, MODULES[m.split(".")[-1]]))
    return found


def sibling_source(origin: str, module: str, level: int) -> tuple[str, str] | None:
    """The text of a module the file imports from its own folder (or a parent, for `from ..x import`)."""
    from pathlib import Path
    base = Path(origin).resolve().parent
    for _ in range(max(level - 1, 0)):
        base = base.parent
    if not module:
        return None
    path = base.joinpath(*module.split(".")).with_suffix(".py")
    try:
        if not path.is_file() or path.stat().st_size > 1_000_000:
            return None
        return str(path), path.read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return None
