"""A network: its leaves, its definitions in order, its loss, its dimensions.

`load()` turns a path or a bundled example's name into a checked `Network`;
everything about it that can be wrong is reported here, with its position.
"""
from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import cast

from ..codes import E204
from .dims import ONE, Dim, Shape, base_names, complete_bindings, format_shape, shape_json
from ..errors import DimensionError, ParseError, ShapeError, Span, TutorError, UnreadableError
from ..files import MAX_TEXT_BYTES, decode, read_bytes
from .ir import Call, Const, DimRef, Expr, Var, names_in, walk
from .table import FUNCTIONS, HELPERS, MAX_NETWORK_DEFINITIONS
from .parse import Reader, Scope, check_kinds, is_symbol
from .program import Program
from .draws import Draw
from .shapes import annotate

DEFAULT_EXAMPLE = "default"


@dataclass(frozen=True, eq=False)  # identity, so per-network results can be cached
class Network:
    source: str
    origin: str
    leaves: dict[str, Shape]                 # declaration order
    definitions: dict[str, Expr]             # definition order; shapes annotated
    shapes: dict[str, Shape]                 # every node
    dims: tuple[str, ...]                    # symbols in order of first appearance
    literal_sizes: frozenset[int] = frozenset()
    spans: dict[str, Span | None] = field(default_factory=dict, compare=False)
    labels: dict[str, Dim] = field(default_factory=dict)   # integer leaves (`y: int[N] < K`) → K; no gradient
    onehot: frozenset[str] = frozenset()                   # leaves declared `onehot[N, K]`
    declared: tuple[str, ...] = ()                          # every leaf, in declaration order
    aliases: dict[str, str] = field(default_factory=dict)   # names for another node's array: l0 = X
    dim_names: dict[str, Dim] = field(default_factory=dict)  # names for a dimension: n = X.shape[0]
    kinds: dict[str, str] = field(default_factory=dict)      # definitions that hold integers or 0/1 masks
    notes: tuple[str, ...] = ()                              # how the network was read (a 1×1 loss as a scalar)
    binary: frozenset[str] = frozenset()                     # leaves declared `binary[N, H]`: 0/1 masks
    draws: dict[str, Draw] = field(default_factory=dict)     # leaves drawn by np.random in the forward pass

    @property
    def loss(self) -> str:
        return next(reversed(self.definitions))

    @property
    def nodes(self) -> list[str]:
        return list(self.declared or self.leaves) + list(self.definitions)

    def kind(self, name: str) -> str:
        return "leaf" if name in self.leaves or name in self.labels else "defined"

    @cached_property
    def reads(self) -> dict[str, tuple[str, ...]]:
        """For each definition, the names it reads, in node order (computed once)."""
        order = {name: i for i, name in enumerate(self.nodes)}
        return {name: tuple(sorted(names_in(expr), key=order.__getitem__))
                for name, expr in self.definitions.items()}

    @cached_property
    def readers(self) -> dict[str, list[str]]:
        """For each node, the definitions that read it (in definition order)."""
        out: dict[str, list[str]] = {name: [] for name in self.nodes}
        for name, used in self.reads.items():
            for u in used:
                out[u].append(name)
        return out

    def require_leaf(self, name: str) -> None:
        """The leaf a gradient is asked for must be a leaf: a clear refusal otherwise."""
        if name in self.labels:
            raise TutorError(f"{name!r} holds integer labels (int[...] < {self.labels[name]}): it has no gradient",
                             expected="one of the leaves: " + ", ".join(self.leaves), argument=("wrt", name))
        if name not in self.leaves:
            kind = "a defined node, not a leaf" if name in self.definitions else "not in the network"
            raise TutorError(f"{name!r} is {kind}", expected="one of the leaves: " + ", ".join(self.leaves),
                             argument=("wrt", name))

    def nodes_json(self) -> dict[str, dict]:
        """The JSON `nodes` (docs/json.md): every leaf and definition with its symbolic shape."""
        return {name: {"shape": shape_json(self.shapes[name]), "kind": self.kind(name)} for name in self.nodes}

    def descendants(self, name: str) -> set[str]:
        """Every definition that depends on `name`: found from it forwards, through what reads it, so that a
        name near the loss costs little in a deep network."""
        readers, out = self.readers, set()
        stack = list(readers.get(name, ()))
        while stack:
            defined = stack.pop()
            if defined not in out:
                out.add(defined)
                stack.extend(readers.get(defined, ()))
        return out

    def ancestors(self, name: str) -> set[str]:
        """Every node that `name` depends on."""
        out: set[str] = set()
        stack = [name]
        while stack:
            for used in self.reads.get(stack.pop(), ()):
                if used not in out:
                    out.add(used)
                    stack.append(used)
        return out

    def bindings(self, given: dict[str, int] | None = None) -> dict[str, int]:
        unknown = sorted(set(given or {}) - set(self.dims))
        if unknown:
            raise DimensionError(f"the network does not use the dimension {', '.join(unknown)}",
                                 expected="one of " + ", ".join(self.dims) if self.dims else "no dimensions",
                                 argument=("dims", ",".join(f"{k}={(given or {})[k]}" for k in unknown)))
        return complete_bindings(self.dims, given or {}, self.literal_sizes)


def examples_folder():
    """Where the bundled examples are: their package's folder, read directly (importlib.resources would
    import zipfile, a tenth of a command's own start-up, for a package that is never zipped)."""
    folder = Path(__file__).resolve().parents[2] / "examples"
    if folder.is_dir():
        return folder
    from importlib import resources
    return resources.files("tutor.examples")


def bundled_examples() -> dict[str, str]:
    """Name → one-line description of every example shipped with shapetutor."""
    out = {}
    for entry in sorted(examples_folder().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".net"):
            first = entry.read_text(encoding="utf-8").splitlines()[0]
            out[entry.name[:-4]] = first.lstrip("# ").strip()
    return out


def read_source(spec: str | None) -> tuple[str, str]:
    """A path or a bundled example's name → (text, origin for messages)."""
    spec = spec or DEFAULT_EXAMPLE
    path = Path(spec)
    if path.suffix == ".net" or path.exists() or "/" in spec or "\\" in spec:
        try:
            data = read_bytes(spec, "network", MAX_TEXT_BYTES)
        except UnreadableError as exc:
            listed = ", ".join(bundled_examples())
            raise UnreadableError(exc.message, origin=exc.origin,
                                  expected=f"a path to a .net file, or a bundled example: {listed}") from None
        try:
            return decode(data, spec), spec
        except UnreadableError as exc:  # it was read: what is in it is the problem
            raise ParseError(exc.message, origin=spec, expected=exc.expected) from None
    entry = examples_folder() / f"{spec}.net"
    if not entry.is_file():
        import difflib
        names = list(bundled_examples())
        close = difflib.get_close_matches(spec, names, n=1)
        raise TutorError(f"no network file or bundled example named {spec!r}"
                         + (f"; did you mean {close[0]!r}?" if close else ""),
                         expected=f"a path to a .net file, or one of: {', '.join(names)}")
    return entry.read_text(encoding="utf-8"), f"{spec} (bundled)"


def load(spec: str | None = None) -> Network:
    source, origin = read_source(spec)
    return parse_network(source, origin)


def parse_network(source: str, origin: str = "<network>") -> Network:
    reader = Reader(source, origin)
    tree = reader.parse_module()
    declarations = [s for s in tree.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                    and s.value is None]
    defined = [s for s in tree.body if not (isinstance(s, ast.AnnAssign) and s.value is None)]
    if len(defined) > MAX_NETWORK_DEFINITIONS:
        raise reader.error(ParseError, f"{len(defined):,} definitions; the limit is {MAX_NETWORK_DEFINITIONS:,}",
                           defined[MAX_NETWORK_DEFINITIONS], "a network of at most that many definitions "
                           "(leaves may be declared up to the 5,000-statement limit)")
    if not declarations:
        raise reader.error(ParseError, "the network declares no leaves, so there is no gradient to take",
                           tree.body[0] if tree.body else None, "a declaration such as `x: [1, Dx]`")
    leaves: dict[str, Shape] = {}
    labels: dict[str, Dim] = {}
    onehot: set[str] = set()
    binary: set[str] = set()
    shapes: dict[str, Shape] = {}
    spans: dict[str, Span | None] = {}
    dims: list[str] = []
    literals: set[int] = set()
    for stmt in declarations:
        name = cast(ast.Name, stmt.target).id  # declarations are of names
        if name in shapes:
            raise reader.error(ParseError, f"{name!r} is declared twice", stmt.target)
        kind, shape, bound = declaration(reader, stmt.annotation)
        shapes[name] = shape
        if kind == "int":
            assert bound is not None  # an integer leaf always has its bound
            labels[name] = bound
        else:
            leaves[name] = shape
            if kind == "onehot":
                onehot.add(name)
            elif kind == "binary":
                binary.add(name)
        spans[name] = Span.of(stmt.target)
        for d in shape + ((bound,) if bound is not None else ()):
            if d.is_literal:
                literals.add(d.coeff)
            for symbol in base_names(d):
                if symbol not in dims:
                    dims.append(symbol)
    for stmt in declarations:
        for d_node in ast.walk(stmt.annotation):
            if isinstance(d_node, ast.Name) and d_node.id not in ("int", "onehot", "binary") and \
                    (d_node.id in shapes or d_node.id in FUNCTIONS):
                raise reader.error(ParseError, f"{d_node.id!r} is a dimension here but also names "
                                               "an array or a function", d_node, "a distinct dimension symbol")

    for s in tree.body:
        for t in (s.targets if isinstance(s, ast.Assign) else [s.target] if isinstance(s, ast.AugAssign) else []):
            for t in (t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t]):
                if isinstance(t, ast.Name) and isinstance(s, ast.Assign) and reads_its_own_leaf(t.id, s):
                    continue  # W1 = params['W1']: the leaf by its own name, from the course's dictionary
                if isinstance(t, ast.Name) and (t.id in shapes or not is_symbol(t.id)):
                    what = "declared as a leaf" if t.id in shapes else "not a name"
                    raise reader.error(ParseError, f"{t.id!r} cannot be a node's name (it is {what})", t)
    assigned = [t.id for t in ast.walk(tree) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)]
    taken = set(assigned) | set(shapes) | set(dims) | {s.name for s in tree.body if isinstance(s, ast.FunctionDef)}

    def read(new_var):
        scope = Scope(arrays={}, dims=set(dims), later=set(assigned) | set(shapes),
                      kinds={**{name: "int" for name in labels}, **{name: "bool" for name in binary}},
                      bounds=dict(labels))
        current = {"name": None}

        def typer(expr: Expr) -> Expr:
            check_kinds(reader, expr, scope)
            try:
                return annotate(expr, scope.arrays)
            except ShapeError as exc:
                where = f"in the definition of {current['name']}: " if current["name"] else ""
                raise exc.amended(message=where + exc.message, origin=origin, source=source) from None

        program = Program(reader, scope, typer, new_var, network=True, builtins=builtin_sources())
        declared = set(map(id, declarations))  # a set of identities: `in` a list of 5,000 is quadratic
        for i, stmt in enumerate(tree.body):
            program.statement = i
            if id(stmt) in declared:
                scope.arrays[stmt.target.id] = shapes[stmt.target.id]
                continue
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
            current["name"] = targets[0].id if targets and isinstance(targets[0], ast.Name) else None
            if isinstance(stmt, ast.AnnAssign):
                raise reader.error(ParseError, "a declaration is `name: [dims]` without a value", stmt)
            program.top(stmt, last=False)
        return program, scope

    # Loops and in-place changes make a name's number of values known only once the text is read:
    # a first reading counts them, so that the last value of each name keeps the name.
    # (The first reading names values as the text's assignments count them, so that a version name
    # such as `out_2` in the text reads the same in both.)
    values: list[str] = []
    first = versions(assigned, taken)
    def counted(name: str) -> str:
        values.append(name)
        return first(name)
    read(counted)
    program, scope = read(versions(values, taken | set(values)))
    drawn: dict[str, Draw] = {}
    for var, (draw, span) in program.draws.items():  # a dropout mask drawn as it runs: a leaf drawn once
        leaves[var] = shapes[var] = scope.arrays[var]
        spans[var] = span
        drawn[var] = draw
        if draw.distribution == "bernoulli":
            binary.add(var)
        literals.update(d.coeff for d in shapes[var] if d.is_literal)
    exprs: dict[str, Expr] = {}
    for a in program.assignments:
        exprs[a.var] = a.expr
        shapes[a.var] = a.expr.shape
        spans[a.var] = a.span
    if not exprs:
        raise reader.error(ParseError, "the network defines nothing: the last definition is the loss",
                           expected="a definition such as `J = cross_entropy(y, yhat)`")
    loss = next(reversed(exprs))
    last = program.assignments[-1]
    if program.last_target not in last.names:
        raise reader.error(ParseError, f"the last statement must define the loss, but it assigns "
                                       f"{program.last_target!r} without computing a value", tree.body[-1])
    notes: list[str] = []
    if shapes[loss] and all(d == ONE for d in shapes[loss]):  # deeplearning.ai's cost before np.squeeze
        exprs[loss] = annotate(Call("reshape", (exprs[loss],), (("shape", ()),), span=exprs[loss].span),
                               shapes)
        notes.append(f"the loss {loss!r} is a {format_shape(shapes[loss])} array; it is read as the scalar it "
                     "holds (np.squeeze)")
        shapes[loss] = ()
    notes.extend(stack_transposes(exprs, shapes))
    if shapes[loss]:
        raise reader.error(ShapeError, f"the loss {loss!r} (the last definition) must be a scalar, but its shape "
                                       f"is {format_shape(shapes[loss])}", tree.body[last.statement].value,
                           "a scalar loss, e.g. wrap it in sum(...) or mean(...)").amended(code=E204.code)
    order = tuple(cast(ast.Name, s.target).id for s in declarations) + tuple(drawn)
    aliases = {n: v for n, v in scope.names.items() if n != v and not n.endswith("]")}
    return Network(source, origin, leaves, exprs, shapes, flow_order(shapes, order, exprs, dims),
                   frozenset(literals), spans, labels, frozenset(onehot), order, aliases, dict(scope.dim_values),
                   {v: k for v, k in scope.kinds.items() if v in exprs or v in binary}, tuple(notes), frozenset(binary), drawn)


def stack_transposes(exprs: dict[str, Expr], shapes: dict[str, Shape]) -> list[str]:
    """A `.T` on an array of rank 3 or more reverses every axis: legal, and almost never what a stack of
    matrices means (W306 says the same of a derivation)."""
    out = []
    for name, expr in exprs.items():
        for node in walk(expr):
            if isinstance(node, Call) and node.prim == "transpose" and node.param("axes") is None and node.args \
                    and node.args[0].shape is not None and len(node.args[0].shape) >= 3:
                a = node.args[0].shape
                where = f"line {node.span.line}: " if node.span is not None else ""
                out.append(f"{where}{name}: .T reverses every axis of a {len(a)}-D array, {format_shape(a)} becomes "
                           f"{format_shape(tuple(reversed(a)))}; to transpose each matrix of a stack, use "
                           f"swapaxes(…, -1, -2) (W306)")
    return out


def declaration(reader: Reader, node: ast.expr) -> tuple[str, Shape, Dim | None]:
    """`[N, D]`, `int[N] < K` (integer labels below K; `int[] < K` one label), `onehot[N, K]` or
    `binary[N, H]` (a 0/1 mask, such as a cached dropout mask) → (kind, shape, bound)."""
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Lt) \
            and isinstance(node.left, ast.Subscript) and isinstance(node.left.value, ast.Name) \
            and node.left.value.id == "int":
        return "int", reader.shape(_listed(node.left.slice)), reader.dim(node.comparators[0], products=True)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "binary":
        return "binary", reader.shape(_listed(node.slice)), None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in ("int", "onehot"):
        if node.value.id == "int":
            raise reader.error(ParseError, "integer labels need their bound: int[N] < K", node,
                               "y: int[N] < K (values in range(K))")
        shape = reader.shape(_listed(node.slice))
        if not shape:
            raise reader.error(ParseError, "a one-hot label needs an axis", node, "Y: onehot[N, K]")
        return "onehot", shape, None
    return "float", reader.shape(node), None


def reads_its_own_leaf(name: str, stmt: ast.Assign) -> bool:
    """`W1 = params['W1']`, or W1 among `W1, b1 = params['W1'], params['b1']`: a name bound to itself."""
    if len(stmt.targets) != 1:
        return False
    (target,) = stmt.targets
    value: ast.expr | None = stmt.value
    if isinstance(target, (ast.Tuple, ast.List)):
        if not isinstance(value, (ast.Tuple, ast.List)) or len(value.elts) != len(target.elts):
            return False
        value = next((v for t, v in zip(target.elts, value.elts) if isinstance(t, ast.Name) and t.id == name), None)
    return isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name) \
        and isinstance(value.slice, ast.Constant) and value.slice.value == name


def _listed(node: ast.expr) -> ast.expr:
    return node if isinstance(node, ast.Tuple) else ast.List(elts=[node], ctx=ast.Load(), lineno=node.lineno,
                                                             col_offset=node.col_offset, end_lineno=node.end_lineno,
                                                             end_col_offset=node.end_col_offset)


def versions(assigned: list[str], taken: set[str]):
    """Names for the values of a name assigned more than once: the last keeps the name, earlier ones get
    `loss_1`, `loss_2`, … (never a name the text already uses)."""
    total = Counter(assigned)
    seen: dict[str, int] = {}
    used = set(taken)

    def new_var(name: str) -> str:
        seen[name] = seen.get(name, 0) + 1
        if seen[name] >= total.get(name, 1):
            return name
        i = seen[name]
        candidate = f"{name}_{i}"
        while candidate in used:
            i += 1
            candidate = f"{name}_{i}"
        used.add(candidate)
        return candidate
    return new_var


def builtin_sources() -> dict[str, str]:
    return {name: source for name, (source, _, _) in HELPERS.items()}


def flow_order(shapes: dict[str, Shape], leaves: tuple[str, ...], definitions: dict[str, Expr],
               declared: list[str]) -> tuple[str, ...]:
    """Dimensions in the order the forward pass meets them (Dx, H, Dy): how a learner lists them."""
    out: list[str] = []
    for expr in definitions.values():
        for node in walk(expr):
            if isinstance(node, Var) and node.name in leaves:
                for d in shapes[node.name]:
                    out.extend(s for s in base_names(d) if s not in out)
    return tuple(out + [s for s in declared if s not in out])


def check_indices(network: Network, bindings: dict[str, int]) -> None:
    """Every literal index, label and size must be in range once the dimensions have numbers."""
    for name, expr in network.definitions.items():
        for node in walk(expr):
            if isinstance(node, Call):
                problem = out_of_range(node, bindings, f"{name}'s operand", network.labels)
                if problem:
                    raise ShapeError(problem, node.span, op={"onehot": "onehot", "div": "/"}.get(node.prim, "[]"),
                                     operands=(node.args[0].shape,),
                                     source=network.source, origin=network.origin)


def out_of_range(node: Call, bindings: dict[str, int], operand: str = "the operand",
                 bounds: Mapping[str, Dim] | None = None) -> str | None:
    """Why a literal index, one-hot label, labels' bound or reshape size of this node is out of range
    at these sizes (None when it is not): said here, at its line, rather than by NumPy halfway through
    a pass. `bounds` are the integer leaves' K of `int[N] < K`."""
    if node.prim == "index":
        return index_problem(node.param("i"), node.args[0].shape, 0, bindings, operand)
    if node.prim in ("getitem", "setitem"):  # a[index], and a[index] = v (whose index arrays follow v)
        items, arrays = node.param("items"), node.args[1:] if node.prim == "getitem" else node.args[2:]
        shape = node.args[0].shape
        ellipsis = next((k for k, it in enumerate(items) if it[0] == "e"), None)
        runs = [(items, 0)] if ellipsis is None else [
            (items[:ellipsis], 0),
            (items[ellipsis + 1:], len(shape) - sum(it[0] in "sia" for it in items[ellipsis + 1:]))]
        for run, axis in runs:
            for it in run:
                if it[0] == "i":
                    problem = index_problem(it[1], shape, axis, bindings, operand)
                    if problem:
                        return problem
                if it[0] == "a":
                    problem = labels_problem(arrays[it[1] - 1], bounds or {}, shape, axis, bindings, operand)
                    if problem:
                        return problem
                axis += it[0] in "sia"
    if node.prim == "div" and constant_value(node.args[1], bindings) == 0:
        return "this divides by zero: its divisor, made of numbers and sizes alone, is 0 here"
    if node.prim == "onehot" and bounds and isinstance(node.args[0], Var) and node.args[0].name in bounds:
        bound, n = bounds[node.args[0].name], node.param("n")
        if bound.value(bindings) > n.value(bindings):
            return (f"{node.args[0].name} holds labels below {bound} (= {bound.value(bindings)} here), more classes "
                    f"than onehot(…, {n}) has ({n.value(bindings)} here)")
    if node.prim == "onehot" and isinstance(node.args[0], Const):
        n, label = node.param("n").value(bindings), node.args[0].value
        if not (float(label).is_integer() and 0 <= label < n):
            return f"the label {label:g} is not a class: onehot(…, {node.param('n')}) takes labels 0 to {n - 1} here"
    return None


ARITHMETIC: dict[str, Callable[..., float]] = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b,
                                               "mul": lambda a, b: a * b,
              "neg": lambda a: -a}


def constant_value(e: Expr, bindings: dict[str, int]) -> float | None:
    """The value of an expression of numbers and sizes joined by + - * (None for anything else)."""
    if isinstance(e, Const):
        return float(e.value)
    if isinstance(e, DimRef):
        return float(bindings[e.name]) if e.name in bindings else None
    if isinstance(e, Call) and e.prim in ARITHMETIC:
        values = [constant_value(a, bindings) for a in e.args]
        return None if None in values else ARITHMETIC[e.prim](*values)
    return None


def labels_problem(index: Expr, bounds: Mapping[str, Dim], shape, axis: int, bindings: dict[str, int],
                   operand: str) -> str | None:
    """Indices below K picking along an axis shorter than K: labels `int[N] < K`, or range(K)/np.arange(K)."""
    labels = index.args[0] if isinstance(index, Call) and index.prim in ("getitem", "index") and index.args else index
    if isinstance(labels, Var) and labels.name in bounds:   # the labels, or some of them (`idx[k]`)
        what, bound = f"{labels.name} holds labels", bounds[labels.name]
    elif isinstance(index, Call) and index.prim == "arange" and isinstance(index.param("n"), Dim):
        bound = index.param("n")
        what = f"range({bound}) holds indices"
    else:
        return None
    if not 0 <= axis < len(shape) or bound.value(bindings) <= shape[axis].value(bindings):
        return None

    def sized(d: Dim) -> str:
        return str(d) if d.is_literal else f"{d} (= {d.value(bindings)} here)"
    return f"{what} below {sized(bound)}, but it picks along axis {axis} of {operand}, of length {sized(shape[axis])}"


def index_problem(i, shape, axis: int, bindings: dict[str, int], operand: str) -> str | None:
    if not isinstance(i, int) or not 0 <= axis < len(shape):
        return None
    length = shape[axis].value(bindings)
    if -length <= i < length:
        return None
    return f"index {i} is out of range: axis {axis} of {operand} has length {length} here"
