"""A network: its leaves, its definitions in order, its loss, its dimensions.

`load()` turns a path or a bundled example's name into a checked `Network`;
everything about it that can be wrong is reported here, with its position.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

from .dims import Shape, complete_bindings, format_shape, shape_json
from .errors import DimensionError, ParseError, ShapeError, Span, TutorError
from .ir import Call, Expr, Var, names_in, walk
from .language import FUNCTIONS
from .parse import Reader, Scope, is_symbol
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
    spans: dict[str, Span] = field(default_factory=dict, compare=False)

    @property
    def loss(self) -> str:
        return next(reversed(self.definitions))

    @property
    def nodes(self) -> list[str]:
        return list(self.leaves) + list(self.definitions)

    def kind(self, name: str) -> str:
        return "leaf" if name in self.leaves else "defined"

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
        if name not in self.leaves:
            kind = "a defined node, not a leaf" if name in self.definitions else "not in the network"
            raise TutorError(f"{name!r} is {kind}", expected="one of the leaves: " + ", ".join(self.leaves),
                             argument=("wrt", name))

    def nodes_json(self) -> dict[str, dict]:
        """SPEC §5's `nodes`: every leaf and definition with its symbolic shape."""
        return {name: {"shape": shape_json(self.shapes[name]), "kind": self.kind(name)} for name in self.nodes}

    def descendants(self, name: str) -> set[str]:
        """Every definition that depends on `name`."""
        out: set[str] = set()
        for defined, used in self.reads.items():
            if name in used or not out.isdisjoint(used):
                out.add(defined)
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
                                 argument=("dims", ",".join(f"{k}={given[k]}" for k in unknown)))
        return complete_bindings(self.dims, given or {}, self.literal_sizes)


def bundled_examples() -> dict[str, str]:
    """Name → one-line description of every example shipped with shapetutor."""
    out = {}
    for entry in sorted(resources.files("tutor.examples").iterdir(), key=lambda e: e.name):
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
            data = path.read_bytes()
        except OSError as exc:
            names = ", ".join(bundled_examples())
            raise TutorError(f"cannot read network {spec!r}: {exc.strerror or exc}",
                             expected=f"a path to a .net file, or a bundled example: {names}") from None
        try:
            return data.decode("utf-8-sig"), spec
        except UnicodeDecodeError as exc:
            raise ParseError(f"{spec} is not UTF-8 text (byte {exc.start})", origin=spec) from None
    entry = resources.files("tutor.examples") / f"{spec}.net"
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
    declarations, definitions = [], []
    for stmt in tree.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is None:
            declarations.append(stmt)
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            definitions.append(stmt)
        else:
            raise reader.error(ParseError, "a network file holds only declarations and definitions", stmt,
                               "a declaration `W1: [Dx, H]` or a definition `z1 = x @ W1 + b1`")

    leaves: dict[str, Shape] = {}
    spans: dict[str, Span] = {}
    dims: list[str] = []
    literals: set[int] = set()
    for stmt in declarations:
        name = stmt.target.id
        if name in leaves:
            raise reader.error(ParseError, f"{name!r} is declared twice", stmt.target)
        shape = reader.shape(stmt.annotation)
        leaves[name] = shape
        spans[name] = Span.of(stmt.target)
        for d in shape:
            if d.is_literal:
                literals.add(d.coeff)
            for s in d.names:
                if s not in dims:
                    dims.append(s)
    for stmt in declarations:
        for d_node in ast.walk(stmt.annotation):
            if isinstance(d_node, ast.Name) and (d_node.id in leaves or d_node.id in FUNCTIONS):
                raise reader.error(ParseError, f"{d_node.id!r} is a dimension here but also names "
                                               "an array or a function", d_node, "a distinct dimension symbol")

    if not declarations:
        raise reader.error(ParseError, "the network declares no leaves, so there is no gradient to take",
                           tree.body[0] if tree.body else None, "a declaration such as `x: [1, Dx]`")
    defined_names = [s.targets[0].id for s in definitions]
    if not definitions:
        raise reader.error(ParseError, "the network defines nothing: the last definition is the loss",
                           expected="a definition such as `J = cross_entropy(y, yhat)`")
    shapes: dict[str, Shape] = dict(leaves)
    exprs: dict[str, Expr] = {}
    for i, stmt in enumerate(definitions):
        name = stmt.targets[0].id
        target = stmt.targets[0]
        if name in leaves or name in exprs:
            raise reader.error(ParseError, f"{name!r} is already {'declared' if name in leaves else 'defined'}"
                               "; every name is defined once", target)
        if name in dims or name in FUNCTIONS or not is_symbol(name):
            raise reader.error(ParseError, f"{name!r} cannot be a node's name (it is a dimension or a function)",
                               target)
        # SPEC §1: a name is defined before it is used, leaves included
        declared_later = {d.target.id for d in declarations if d.lineno > stmt.lineno}
        visible = {k: v for k, v in shapes.items() if k not in declared_later}
        scope = Scope(arrays=visible, dims=set(dims), later=set(defined_names[i:]) | declared_later)
        expr = reader.expr(stmt.value, scope)
        try:
            expr = annotate(expr, shapes)
        except ShapeError as exc:
            raise ShapeError(f"in the definition of {name}: {exc.message}", exc.span, op=exc.op,
                             operands=exc.operands, source=source, origin=origin) from None
        exprs[name] = expr
        shapes[name] = expr.shape
        spans[name] = Span.of(target)
    loss = defined_names[-1]
    if shapes[loss]:
        raise reader.error(ShapeError, f"the loss {loss!r} (the last definition) must be a scalar, but its shape "
                                       f"is {format_shape(shapes[loss])}", definitions[-1].value,
                           "a scalar loss, e.g. wrap it in sum(...) or mean(...)")
    return Network(source, origin, leaves, exprs, shapes, flow_order(leaves, exprs, dims), frozenset(literals), spans)


def flow_order(leaves: dict[str, Shape], definitions: dict[str, Expr], declared: list[str]) -> tuple[str, ...]:
    """Dimensions in the order the forward pass meets them (Dx, H, Dy): how a learner lists them."""
    out: list[str] = []
    for expr in definitions.values():
        for node in walk(expr):
            if isinstance(node, Var) and node.name in leaves:
                for d in leaves[node.name]:
                    out.extend(s for s in d.names if s not in out)
    return tuple(out + [s for s in declared if s not in out])


def check_indices(network: Network, bindings: dict[str, int]) -> None:
    """An index `A[i]` must be in range once the dimensions have numbers."""
    for name, expr in network.definitions.items():
        for node in walk(expr):
            if isinstance(node, Call) and node.prim == "index":
                length = node.args[0].shape[0].value(bindings)
                i = node.param("i")
                if not -length <= i < length:
                    raise ShapeError(f"index {i} is out of range: axis 0 of {name}'s operand has length "
                                     f"{length} here", node.span, op="[]", operands=(node.args[0].shape,),
                                     source=network.source, origin=network.origin)

