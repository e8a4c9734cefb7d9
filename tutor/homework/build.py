"""Flattened code → a network (the forward computation and the loss) and one derivation per gradient.

The forward network is what the loss depends on; a gradient's derivation is every other line its
value depends on, in the file's order. Sizes the docstrings name are merged with the file's own
where the network says they must be equal (`X: (N, D)` and `W1 = randn(input_size, hidden_size)`: D
is input_size), by reading the network again after each merge.
"""
from __future__ import annotations

import ast
import functools
import re
from collections.abc import Set
from dataclasses import dataclass

from ..engine.errors import ShapeError, TutorError
from ..engine.language.ir import parse_python
from ..engine.language.network import Network, parse_network
from .entry import EntryReading
from .per_example import vjp_line
from .reader import Emitted
from .splice import Written
from .values import Dim

MAX_MERGES = 24


@dataclass(frozen=True)
class Text:
    """Flattened text and, for each of its lines, where it came from in the file."""

    text: str
    origins: tuple          # per line: (Written, its line index) or None (a line the file does not have)

    def locate(self, line: int, col: int, end: bool = False) -> tuple[int, int] | None:
        if not 0 < line <= len(self.origins) or self.origins[line - 1] is None:
            return None
        written, index, site = self.origins[line - 1]
        if site is not None:
            return (site.lineno, site.end_col_offset if end else site.col_offset)
        return written.locate_end(index, col) if end else written.locate(index, col)


def assemble(parts: list[tuple[Written | str, ast.AST | None]]) -> Text:
    lines: list[str] = []
    origins: list = []
    for part, site in parts:
        if isinstance(part, str):
            lines.extend(part.split("\n"))
            origins.extend([None] * (part.count("\n") + 1))
            continue
        for i, line in enumerate(part.text.split("\n")):
            lines.append(line)
            origins.append((part, i, site))
    return Text("\n".join(lines), tuple(origins))


def parsed(text: str) -> ast.Module | None:
    try:
        return parse_python(text)
    except SyntaxError:
        return None


def reads(text: str | ast.Module | None) -> set[str]:
    tree = parsed(text) if isinstance(text, str) else text
    if tree is None:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


@dataclass
class Flat:
    """The flattened code with each statement's text, parsed once, and the names it reads."""

    statements: list[Emitted]
    written: list[Written]
    reads: list[set[str]]
    trees: list[ast.Module | None]

    renamed: int = 0   # the reader's count of renamed sizes when the text was written

    @classmethod
    def of(cls, reading: EntryReading) -> "Flat":
        r = reading.reader
        written = [e.render(r.file_lines) for e in r.emitted]
        trees = [parsed(w.text) for w in written]
        reads_ = []
        for e, tree in zip(r.emitted, trees):
            names = reads(tree)
            if e.kind in ("update", "part"):
                names.add(e.ident)
            reads_.append(names)
        return cls(list(r.emitted), written, reads_, trees, r.renamed)

    def current(self, reading: EntryReading) -> "Flat":
        """The same, written again if a size it names was renamed since (`n, d = x.shape`, and n is the
        docstring's N): the text must say the size's new name."""
        if reading.reader.renamed != self.renamed:
            again = Flat.of(reading)
            self.written, self.reads, self.trees, self.renamed = again.written, again.reads, again.trees, again.renamed
        return self

    def cone(self, wanted: set[str], upto: int, stop: Set[int] = frozenset()) -> list[int]:
        """The statements (indices, in order) before `upto` that the names in `wanted` depend on."""
        needed = set(wanted)
        aliases: dict[str, set[str]] = {}
        for s in self.statements[:upto]:
            if s.kind == "alias":
                group = {s.ident} | self.reads[self.statements.index(s)]
                for n in list(group):
                    group |= aliases.get(n, set())
                for n in group:
                    aliases[n] = group
        out = []
        for i in range(upto - 1, -1, -1):
            s = self.statements[i]
            if i in stop:
                continue
            targets = {s.ident} | aliases.get(s.ident, set())
            if targets & needed:
                out.append(i)
                needed |= self.reads[i]
                for n in self.reads[i]:
                    needed |= aliases.get(n, set())
        return sorted(out)

    def last_write(self, ident: str) -> int | None:
        return max((i for i, s in enumerate(self.statements) if s.ident == ident), default=None)


def declarations(reading: EntryReading, upstream_shape: str | None = None, flat: "Flat | None" = None) -> list[str]:
    out = []
    biases = bias_conventions(reading, flat) if flat is not None else {}
    for ident, leaf in reading.reader.leaves.items():
        shape = leaf.shape
        if leaf.role == "upstream":
            if upstream_shape is None:
                continue
            out.append(f"{ident}: {upstream_shape}")
            continue
        if shape is None and leaf.role == "data" and reading.reader.guess_shapes and \
                leaf.key in index_names(reading.reader.tree):
            # `probs[np.arange(N), y]`: class labels, one per example; the sizes it meets fix both
            leaf.kind, leaf.bound = "int", fresh_soft(reading.reader, f"{leaf.key}_classes")
            shape = leaf.shape = [fresh_soft(reading.reader, f"{leaf.key}_0")]
            reading.reader.guessed.append(ident)
        if shape is None and ident in biases and reading.reader.guess_shapes:
            # a bias: one entry per output unit, never one per example (a missing sum must not fit it)
            size = fresh_soft(reading.reader, f"{leaf.key}_0")
            bias_shapes: dict[str, list] = {"rows": [size], "columns": [size, 1], "scalar": []}
            shape = leaf.shape = bias_shapes[biases[ident]]
            reading.reader.guessed.append(ident)
            reading.reader.bias_guesses[leaf.key] = biases[ident]
        if shape is None and leaf.role in ("data", "parameter") and reading.reader.guess_shapes and \
                reading.reader.bias_override.get(leaf.key) == "vector":
            # a weight the data multiply on its left and whose gradient the file computes as a vector's (a retry)
            shape = leaf.shape = [fresh_soft(reading.reader, f"{leaf.key}_0")]
            reading.reader.guessed.append(ident)
        if shape is None and leaf.role in ("data", "parameter") and reading.reader.guess_shapes:
            # a rank-2 guess whose sizes the network then fixes (each merged with the size it meets)
            shape = leaf.shape = [fresh_soft(reading.reader, f"{leaf.key}_0"),
                                  1 if reading.reader.per_example else fresh_soft(reading.reader, f"{leaf.key}_1")]
            reading.reader.guessed.append(ident)
        if shape is None:
            raise TutorError(f"the shape of {leaf.key} is not stated in the file", origin=reading.reader.origin,
                             expected=f"--shapes '{leaf.key}: {shape_example(reading.reader)}' (the shape of "
                                      f"{leaf.key}, with the file's size names)", argument=("shapes", leaf.key))
        axes = ", ".join(str(d) for d in shape)
        if leaf.kind == "int":
            out.append(f"{ident}: int[{axes}] < {leaf.bound}")
        elif leaf.kind == "onehot":
            out.append(f"{ident}: onehot[{axes}]")
        else:
            out.append(f"{ident}: [{axes}]")
    return out


def shape_example(reader) -> str:
    """A shape to show in `--shapes` help: two of the file's own size names (`[n_h, n_x]`), else placeholders."""
    named = [d.name for d in reader.dims.values() if not d.fresh and not getattr(d, "soft", False)]
    named += [d.name for d in reader.dims.values() if not d.fresh and getattr(d, "soft", False)]
    if len(named) >= 2:
        return f"[{named[0]}, {named[1]}]"
    return f"[{named[0]}, size]" if named else "[size, size]"


WEIGHT_NAMES = re.compile(r"^(?:w|weights?|theta|kernel)(?:_?\w*)$", re.IGNORECASE)


def bias_conventions(reading: EntryReading, flat: "Flat") -> dict[str, str]:
    """Leaves of unstated shape added to a product of two arrays (`x.dot(w) + b`, `np.dot(W, A) + b`): biases,
    by leaf → "rows" (data on the left: CS231n's vector of the product's last size) or "columns" (the weight
    on the left: deeplearning.ai's n×1). A file's `--shapes` or a retry may choose the other convention."""
    reader = reading.reader
    learned = {g.leaf for g in reading.gradients}   # a bias is learned: targets subtracted from scores are not
    unstated = {i for i, leaf in reader.leaves.items() if leaf.shape is None and leaf.role != "upstream"
                and i in learned}
    if not unstated:
        return {}
    products: dict[str, tuple[ast.expr, ast.expr]] = {}
    found: dict[str, str] = {}
    for tree in flat.trees:
        for stmt in tree.body if tree is not None else ():
            sums: list[tuple[ast.expr, ast.expr]]
            if isinstance(stmt, ast.AugAssign) and isinstance(stmt.op, (ast.Add, ast.Sub)):
                sums = [(stmt.value, stmt.target)]  # `out = x @ w` then `out += b`
            elif isinstance(stmt, ast.Assign):
                if (pair := product_operands(stmt.value, products)) is not None:
                    products.update((t.id, pair) for t in stmt.targets if isinstance(t, ast.Name))
                sums = [pair for node in ast.walk(stmt.value)
                        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub))
                        for pair in ((node.right, node.left), (node.left, node.right))]
            else:
                continue
            for mine, other in sums:
                pair = product_operands(other, products)
                if isinstance(mine, ast.Name) and mine.id in unstated and pair is not None:
                    key = reader.bias_override.get(reader.leaves[mine.id].key)
                    found.setdefault(mine.id, key or convention(reader, *pair))
    return found


def data_weights(reading: EntryReading, flat: "Flat") -> dict[str, str]:
    """Guessed weights that the data multiply on the left (`X.dot(w)`, `X @ theta`), by leaf key → the key of the
    guessed bias added to that product ("" if none): a linear model's weight may be a vector, its bias a scalar."""
    reader = reading.reader
    learned = {g.leaf for g in reading.gradients}
    data = {i for i, leaf in reader.leaves.items() if leaf.role == "data"}
    weights = {i for i in reader.guessed if i in learned and reader.leaves[i].key not in reader.bias_guesses}
    biases = {i for i, leaf in reader.leaves.items() if leaf.key in reader.bias_guesses}
    products: dict[str, tuple[ast.expr, ast.expr]] = {}
    found: dict[str, str] = {}

    def weight_of(node: ast.expr) -> str | None:
        pair = product_operands(node, products)
        if pair is None or not (isinstance(pair[0], ast.Name) and pair[0].id in data
                                and isinstance(pair[1], ast.Name) and pair[1].id in weights):
            return None
        return reader.leaves[pair[1].id].key

    for tree in flat.trees:
        for stmt in tree.body if tree is not None else ():
            sums: list[tuple[ast.expr, ast.expr]] = []
            if isinstance(stmt, ast.Assign):
                for node in ast.walk(stmt.value):
                    if isinstance(node, ast.expr) and (key := weight_of(node)) is not None:
                        found.setdefault(key, "")
                    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
                        sums += [(node.right, node.left), (node.left, node.right)]
                if (pair := product_operands(stmt.value, products)) is not None:
                    products.update((t.id, pair) for t in stmt.targets if isinstance(t, ast.Name))
            elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.op, (ast.Add, ast.Sub)):
                sums = [(stmt.value, stmt.target)]  # `out = x @ w` then `out += b`
            for mine, other in sums:
                key = weight_of(other)
                if key is not None and isinstance(mine, ast.Name) and mine.id in biases:
                    found[key] = reader.leaves[mine.id].key
    return found


def product_operands(node: ast.expr, products: dict) -> tuple[ast.expr, ast.expr] | None:
    """(left, right) of a matrix product written `a @ b`, `a.dot(b)`, `np.dot(a, b)`, `np.matmul(a, b)`, or of
    a name the flattened code assigned one to."""
    if isinstance(node, ast.Name):
        return products.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        return node.left, node.right
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):  # x.dot(Wx) + prev_h.dot(Wh)
        return product_operands(node.left, products) or product_operands(node.right, products)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("dot", "matmul"):
        if len(node.args) == 2:
            return node.args[0], node.args[1]
        if len(node.args) == 1:
            return node.func.value, node.args[0]
    return None


def convention(reader, left: ast.expr, right: ast.expr) -> str:
    """"columns" when the weight is the product's left operand (`np.dot(W, A)`), else "rows" (`x.dot(w)`)."""
    def weight(node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id in reader.leaves and \
            bool(WEIGHT_NAMES.match(reader.leaves[node.id].key))
    return "columns" if weight(left) and not weight(right) else "rows"


@functools.lru_cache(maxsize=8)
def index_names(tree: ast.AST) -> frozenset[str]:
    """The names a file indexes an array with, beside other indices (`probs[np.arange(N), y]`,
    `dscores[range(N), y] -= 1`): what it picks with are integers, whatever else it says."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            picks = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            out.update(e.id for e in picks if isinstance(e, ast.Name))
    return frozenset(out)


def fresh_soft(reader, name: str) -> Dim:
    name = re.sub(r"\W", "_", re.sub(r"\[(\d+)\]", r"\1", name))  # `all_weights[0]`'s first axis: all_weights0_0
    d = reader.dim(name, fresh=True)
    d.soft = True  # type: ignore[attr-defined]
    return d


def forward_text(reading: EntryReading, flat: Flat, upstream_shape: str | None = None,
                 output_only: bool = False, per_example: Dim | None = None) -> tuple[Text, list[int]]:
    """The network: declarations, then the lines the loss depends on, the loss last."""
    if reading.upstream is not None:
        assert reading.output is not None  # a layer's backward has its output
        target = {reading.output.ident}
        upto = flat.last_write(reading.output.ident)
        if upto is None and reading.output.ident in reading.reader.leaves:
            upto = -1   # an identity layer: its output is its input, computed by nothing
        elif upto is None:
            raise TutorError("the layer's output is not computed", origin=reading.reader.origin)
        upto += 1
    elif reading.loss_text is not None:
        target, upto = set(reads(reading.loss_text)), len(flat.statements)
    else:
        target = {reading.loss.ident}
        last = flat.last_write(reading.loss.ident)
        if last is None:
            raise TutorError("the loss is not computed from the arrays", origin=reading.reader.origin)
        upto = last + 1
    flat = flat.current(reading)
    indices = flat.cone(target, upto)
    parts: list = [("\n".join(declarations(reading, upstream_shape, flat)), None)]
    for i in indices:
        parts.append((flat.written[i], flat.statements[i].site))
    if reading.upstream is not None:
        assert reading.output is not None
        out = reading.output.ident
        parts.append((f"vjp = np.sum({out})" if output_only else vjp_line(reading, per_example), None))
    elif reading.loss_text is not None:
        parts.append((reading.loss_text, None))
    return assemble(parts), indices


def build_network(reading: EntryReading, flat: Flat, per_example: Dim | None = None) -> tuple[Network, Text, list[int]]:
    """The network, with docstring sizes merged into the file's own until its shapes agree (a layer's
    backward in deeplearning.ai's per-example convention against `sum(out * dZ) / m`: per_example.py)."""
    upstream_shape = None
    if reading.upstream is not None:
        assert reading.output is not None
        network = parse_until_consistent(reading, lambda: forward_text(reading, flat, None, True)[0])
        shape = network.shapes[network_name(network, reading.output.ident)]
        upstream_shape = "[" + ", ".join(str(d) for d in shape) + "]"
        leaf = reading.reader.leaves[reading.upstream]
        leaf.shape = list(shape)
    holder = {}

    def make() -> Text:
        text, indices = forward_text(reading, flat, upstream_shape, per_example=per_example)
        holder["indices"] = indices
        return text
    network = parse_until_consistent(reading, make)
    text = make()
    return network, text, holder["indices"]


def named_by_file(reader, network: Network) -> bool:
    """A made-up size that the file names itself (`m = X.shape[1]`, `N, D = X.shape` read before X's shape
    was guessed) takes the file's name, so that the notes and the diagnoses say m, not X_1."""
    from .reader import RESERVED
    taken = set(network.shapes) | set(network.dims)
    for name, size in network.dim_names.items():
        if size.coeff != 1 or len(size.symbols) != 1:
            continue
        d = find(reader, size.symbols[0])
        base = reader.bases.get(name, name)   # m_1, the second `m = …` of the file, is its m
        mine = network.dim_names.get(base) == size   # `N = X.shape[0]` may name the size it reads
        if d is None or not d.fresh or base in taken and not mine or base in RESERVED or not base.isidentifier():
            continue
        if base in reader.used and base not in network.dim_names and base not in network.shapes \
                and not always_this_size(reader, base, d):
            continue  # the name is the backward's own value (`m = X.shape[0]` there, the cost's m is m_1)
        rename(reader, d, base)
        return True
    return False


def always_this_size(reader, name: str, d: Dim) -> bool:
    """Whether every `name = A.shape[k]` of the file reads this same size (deeplearning.ai's cost and its
    backward pass each take `m = Y.shape[1]`, `m = X.shape[1]`: one m), and there is such a line."""
    found = False
    for node in ast.walk(reader.tree):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == name):
            continue
        value = node.value
        if not (isinstance(value, ast.Subscript) and isinstance(value.value, ast.Attribute)
                and value.value.attr == "shape" and isinstance(value.value.value, ast.Name)
                and isinstance(value.slice, ast.Constant) and isinstance(value.slice.value, int)):
            return False
        array, k = value.value.value.id, value.slice.value
        shapes = [leaf.shape for leaf in reader.leaves.values() if array in (leaf.ident, leaf.key) and leaf.shape]
        if not shapes or not all(-len(shape) <= k < len(shape) and shape[k] is d for shape in shapes):
            return False
        found = True
    return found


def network_name(network: Network, ident: str) -> str:
    return network.aliases.get(ident, ident)


def parse_until_consistent(reading: EntryReading, make) -> Network:
    r = reading.reader
    for _ in range(MAX_MERGES):
        text = make()
        try:
            network = parse_network(text.text, r.origin)
        except ShapeError as error:
            if not merge(r, error, {g.leaf for g in reading.gradients}):
                raise with_keepdims(with_guesses(located(error, text, r), r), r) from None
            continue
        except TutorError as error:
            raise located(error, text, r) from None
        if bound_labels(r, network) or fit_guessed(r, network) or named_by_file(r, network):
            continue
        return network
    raise TutorError("the sizes in the file do not agree", origin=r.origin)


def merge(reader, error: ShapeError, learned: frozenset[str] | set[str] = frozenset()) -> bool:
    """Make two sizes one where an operation of the forward pass needs them equal and at least one of them
    is only a docstring's name or a fresh one (never two sizes the file itself fixes); a guessed
    parameter meeting the data's axis of examples gets size 1 there instead (`broadcast_parameter`)."""
    operands = [tuple(str(d) for d in s) for s in (error.operands or ())]
    pairs = []
    # a bias meets the examples' axis in an elementwise operation; an index (`log_probs[np.arange(N), y]`)
    # meeting a learned input's size says nothing about a bias
    elementwise = error.op in ("+", "-", "*", "/", "maximum", "minimum")
    if error.op in ("@", "dot", "matmul") and len(operands) == 2:
        a, b = operands
        if a and b:
            pairs.append((a[-1], b[-2] if len(b) >= 2 else b[-1]))
    elif len(operands) >= 2:
        a, b = operands[0], operands[1]
        for x, y in zip(reversed(a), reversed(b)):
            if x != y and "1" not in (x, y):
                pairs.append((x, y))
    for x, y in pairs:
        dx, dy = find(reader, x), find(reader, y)
        if dx is None and dy is None or together(reader, dx, dy) or both_named(dx, dy):
            continue
        if elementwise and (broadcast_parameter(reader, learned, dx, y) or broadcast_parameter(reader, learned, dy, x)):
            return True
        refused = [d for d, other in ((dx, y), (dy, x))
                   if d is not None and elementwise and per_example_size(reader, learned, d, other)]
        if refused:
            # `probs /= np.sum(probs, axis=1)`: the classes never become the examples to make it run; they are the
            # labels' stated bound (`y: (N,) labels in [0, C)`) when there is one, and the operation is the file's error
            classes = labels_bound(reader)
            if classes is not None and classes is not refused[0]:
                rename(reader, refused[0], classes.name)
                return True
            continue
        if elementwise and (parameter_meets_examples(reader, learned, dx, y) or
                            parameter_meets_examples(reader, learned, dy, x)):
            continue  # the same with the constructor's output_size: a parameter's size is never the batch's
        if dy is not None and dy.fresh and dx is not None and not dx.fresh and soft_dim(dy):
            rename(reader, dy, x)  # a made-up size takes a docstring's name, not the other way round
            return True
        if dx is not None and soft_dim(dx):
            rename(reader, dx, y)
            return True
        if dy is not None and soft_dim(dy):
            rename(reader, dy, x)
            return True
    return False


def broadcast_parameter(reader, learned: frozenset[str] | set[str], d: Dim | None, other: str) -> bool:
    """A parameter has no axis of examples: where a guessed parameter's made-up size `d` meets a size only the
    data have (`np.dot(W1, X) + b1`: X's m), the parameter's size there is 1, as the courses shape a bias, and
    its gradient must sum over the examples (never a full-sized bias that a missing sum would fit)."""
    if d is None or not soft_dim(d) or other in {str(x) for i in learned if i in reader.leaves
                                                 for x in reader.leaves[i].shape or ()}:
        return False
    if not any(str(x) == other for i, leaf in reader.leaves.items() if i not in learned for x in leaf.shape or ()):
        return False
    holders = [ident for ident, leaf in reader.leaves.items() if any(x is d for x in leaf.shape or ())]
    if len(holders) != 1 or holders[0] not in learned or holders[0] not in reader.guessed:
        return False  # a size another array has too (W2's rows, shared with b2) is the model's, not made up
    leaf = reader.leaves[holders[0]]
    leaf.shape = [1 if x is d else x for x in leaf.shape]
    if leaf.shape[0] == 1 and len(leaf.shape) == 2 and leaf.shape[1] != 1:
        leaf.shape = leaf.shape[1:]  # rows of examples (`X @ W1 + b1`): a bias is a vector, CS231n's (H,)
    return True


def per_example_size(reader, learned: frozenset[str] | set[str], d: Dim | None, other: str) -> bool:
    """A guessed parameter's made-up size `d` meeting, elementwise, the labels' axis (one label per example):
    a parameter has no axis of examples, so the two are not one size, and the operation is the file's shape
    error (it would run only on a batch as large as the number of classes)."""
    if d is None or not d.fresh:
        return False
    holders = [i for i, leaf in reader.leaves.items() if any(x is d for x in leaf.shape or ())]
    if not holders or not all(i in learned and i in reader.guessed for i in holders):
        return False
    return labels_axis(reader, other)


def parameter_meets_examples(reader, learned: frozenset[str] | set[str], d: Dim | None, other: str) -> bool:
    """A size some parameter has (`output_size` of W2 from the constructor) meeting the labels' axis of examples
    elementwise: never one size, whatever the forward pass needs."""
    if d is None or not any(any(x is d for x in reader.leaves[i].shape or ()) for i in learned if i in reader.leaves):
        return False
    return labels_axis(reader, other)


def labels_axis(reader, size: str) -> bool:
    """Whether `size` is an axis of the integer labels (one label per example)."""
    return any(str(x) == size for leaf in reader.leaves.values() if leaf.kind == "int" for x in leaf.shape or ())


def labels_bound(reader) -> Dim | None:
    """The number of classes a docstring states for the labels (`0 <= y[i] < C`) while no array has it yet."""
    bounds = {id(leaf.bound): leaf.bound for leaf in reader.leaves.values()
              if leaf.kind == "int" and isinstance(leaf.bound, Dim) and getattr(leaf.bound, "soft", False)}
    held = {id(x) for leaf in reader.leaves.values() for x in leaf.shape or ()}
    free = [b for k, b in bounds.items() if k not in held]
    return free[0] if len(free) == 1 else None


def both_named(a: Dim | None, b: Dim | None) -> bool:
    """Two sizes the docstrings name differently, N and C: distinct, like any two symbols, whatever
    numbers they are bound to; an operation that needs them equal is a shape error to report. (A
    docstring's name still meets the file's own size for it, `hidden_size`, and a made-up one.)"""
    return a is not None and b is not None and a is not b and not a.fresh and not b.fresh \
        and getattr(a, "soft", False) and getattr(b, "soft", False) \
        and not getattr(a, "unpacked", False) and not getattr(b, "unpacked", False)


def together(reader, a: Dim | None, b: Dim | None) -> bool:
    """Two sizes one array is stated with (`X: (N, D)`): never one size, whatever an operation needs."""
    return a is not None and b is not None and a is not b and any(
        any(d is a for d in leaf.shape or ()) and any(d is b for d in leaf.shape or ())
        for leaf in reader.leaves.values())


def find(reader, name: str) -> Dim | None:
    for leaf in reader.leaves.values():
        for d in (leaf.shape or []) + [leaf.bound]:
            if isinstance(d, Dim) and d.name == name:
                return d
    return reader.dims.get(name)


def soft_dim(d: Dim) -> bool:
    return d.fresh or getattr(d, "soft", False)


def rename(reader, d: Dim, name: str) -> None:
    """Every mention of `d` now reads `name` (a Dim in the leaves' shapes and in the spliced text alike)."""
    other = find(reader, name)
    for leaf in reader.leaves.values():
        if leaf.shape:
            leaf.shape = [other if (x is d and other is not None) else x for x in leaf.shape]
        if leaf.bound is d and other is not None:
            leaf.bound = other
    d.name = name
    d.fresh = False
    d.soft = getattr(other, "soft", False) if other is not None else False  # type: ignore[attr-defined]
    reader.renamed += 1


def bound_labels(reader, network: Network) -> bool:
    """Integer labels index the scores' last axis: their bound is that axis's size."""
    from ..engine.language.ir import Call, Var, walk
    changed = False
    for ident, leaf in reader.leaves.items():
        if leaf.kind != "int" or not isinstance(leaf.bound, Dim):
            continue
        def names_it(a) -> bool:  # the labels, or one of them (`U[idx[3]]`)
            return isinstance(a, Var) and a.name == ident or isinstance(a, Call) and a.prim in ("index", "getitem") and \
                bool(a.args) and isinstance(a.args[0], Var) and a.args[0].name == ident

        for expr in network.definitions.values():
            for node in walk(expr):
                if isinstance(node, Call) and node.args and any(names_it(a) for a in node.args[1:]):
                    base = node.args[0].shape
                    at = next(i for i, a in enumerate(node.args[1:]) if names_it(a))
                    if base:  # `probs[np.arange(N), y]` picks along the last axis, `U[idx]` along the first
                        last = str(base[at] if node.prim == "getitem" and at < len(base) else base[-1])
                        size = find(reader, last)
                        if last != leaf.bound.name and size is not None and size.fresh \
                                and getattr(leaf.bound, "soft", False) and not leaf.bound.fresh:
                            rename(reader, size, leaf.bound.name)  # a made-up size takes the docstring's C
                            changed = True
                        elif last != leaf.bound.name and soft_dim(leaf.bound):
                            rename(reader, leaf.bound, last)
                            changed = True
                    break
    return changed


ELEMENTWISE = {"add", "sub", "mul", "div", "maximum", "minimum"}


def fit_guessed(reader, network: Network) -> bool:
    """Data whose shape no one states meets an array of the network elementwise (`np.multiply(-np.log(A3), Y)`):
    its guessed sizes are that array's, so it does not broadcast into an outer product by accident."""
    from ..engine.language.ir import Call, Var, walk
    guessed = {ident: reader.leaves[ident] for ident in reader.guessed}
    if not guessed:
        return False
    for expr in network.definitions.values():
        for node in walk(expr):
            if not (isinstance(node, Call) and node.prim in ELEMENTWISE and len(node.args) == 2):
                continue
            for mine, other in (node.args, node.args[::-1]):
                if not isinstance(mine, Var):
                    continue
                leaf = guessed.get(mine.name)
                if leaf is None or not leaf.shape:
                    continue
                if any(isinstance(n, Var) and n.name == mine.name for n in walk(other)):
                    continue  # `x - np.max(x, axis=1, keepdims=True)`: its own reduction's 1 broadcasts, it is no size
                if leaf.role == "data" and 0 < len(other.shape) < len(leaf.shape) and all(
                        isinstance(d, Dim) and soft_dim(d) for d in leaf.shape):
                    # targets met by a vector of scores (`X.dot(w) - y`): a vector too, never an outer product
                    sizes = [int(str(x)) if str(x).isdigit() else find(reader, str(x)) for x in other.shape]
                    if all(x is not None for x in sizes):
                        leaf.shape = sizes
                        return True
                if len(other.shape) != len(leaf.shape):
                    continue
                changed = False
                for d, size in zip(leaf.shape, other.shape):
                    if isinstance(d, Dim) and soft_dim(d) and d.name != str(size) and \
                            (str(size).isdigit() or not any(isinstance(x, Dim) and x is not d and x.name == str(size)
                                                             for x in leaf.shape)):
                        rename(reader, d, str(size))
                        changed = True
                if changed:
                    return True
    return False


def with_keepdims(error: TutorError, reader) -> TutorError:
    """`probs /= np.sum(probs, axis=1)`: an elementwise operation of N×C with the N its reduction left, the
    reduction written without keepdims at that line: the fix is to keep the summed axis (N×1 broadcasts)."""
    operands = [tuple(map(str, shape)) for shape in error.diagnostic.operands or ()]
    span = error.span
    if error.expected or len(operands) != 2 or span is None or not 0 < span.line <= len(reader.file_lines):
        return error
    full, short = sorted(operands, key=len, reverse=True)
    line = reader.file_lines[span.line - 1]
    reduced = re.search(r"\b(sum|max|mean|min|amax|logsumexp)\s*\(", line) and "axis" in line and "keepdims" not in line
    if len(full) != len(short) + 1 or full[:-1] != short or not reduced:
        return error
    return error.amended(expected=f"keepdims=True in the reduction along the last axis: it is then "
                                  f"{'×'.join(short + ('1',))}, which broadcasts against {'×'.join(full)}")


def with_guesses(error: TutorError, reader) -> TutorError:
    """A forward pass that does not conform where the file states no shapes says which were guessed and how to
    give them: the learner's mistake, or a guess the file's text could not settle (the bias trick's stacked rows)."""
    named = {w for shape in error.diagnostic.operands or () for d in shape for w in re.findall(r"\w+", str(d))}
    guessed = [reader.leaves[i].key for i in dict.fromkeys(reader.guessed) if any(
        isinstance(d, Dim) and d.fresh and d.name in named for d in reader.leaves[i].shape or ())]
    if not guessed or error.expected:  # (sizes the docstrings name are the file's: its own shape error)
        return error
    shown = "; ".join(f"{key}: [...]" for key in guessed[:4])
    return error.amended(expected=f"--shapes '{shown}' if these shapes, read from how the file uses them "
                                  f"({', '.join(guessed)}), are not the ones meant")


def located(error: TutorError, text: Text, reader) -> TutorError:
    """An error in the flattened code, pointed at the file."""
    span = error.span
    new_span = None
    if span is not None:
        start = text.locate(span.line, span.col)
        end = text.locate(span.line, span.end_col, end=True)
        if start is not None:
            from ..engine.diagnostics import Span
            new_span = Span(start[0], start[1], end[1] if end and end[0] == start[0] else start[1] + 1)
    if new_span is None and span is not None:
        return type(error)(error.message, None, origin=reader.origin, expected=error.expected, code=error.code)
    clone = type(error)(error.message, new_span, source=reader.file_source, origin=reader.origin,
                        expected=error.expected, code=error.code)
    if isinstance(error, ShapeError):
        clone = clone.amended(op=error.diagnostic.op, operands=error.diagnostic.operands)
    return clone


def derivation_text(reading: EntryReading, flat: Flat, forward: list[int], gradient) -> Text:
    """Every line the gradient's value depends on beyond the network, then the claim `dLEAF = value`."""
    flat = flat.current(reading)
    last = flat.last_write(gradient.answer.ident)
    if last is None and gradient.answer.ident in reading.reader.leaves and gradient.node is not None:
        # the gradient is an input itself (SoftMax.backward returning dLdZ as it came)
        return assemble([(Written(f"d{gradient.leaf} = {gradient.answer.ident}", ((piece_for(gradient.node),),)),
                          None)])
    if last is None:
        raise TutorError(f"the gradient {gradient.key} is not computed from the arrays", origin=reading.reader.origin)
    indices = flat.cone({gradient.answer.ident}, last + 1, stop=set(forward))  # nothing after its last change
    parts: list = []
    for i in indices:
        parts.append((flat.written[i], flat.statements[i].site))
    from ..engine.language.table import claimed_node
    claim = f"d{gradient.leaf}"
    if claimed_node(gradient.answer.ident, {gradient.leaf}) is None:
        s = flat.statements[last]
        target = s.target
        parts.append((Written(f"{claim} = {gradient.answer.ident}", ((piece_for(target),),)), s.site))
    return assemble(parts)


def piece_for(node):
    from .splice import Piece
    end = node.end_col_offset if node.end_lineno == node.lineno else node.col_offset + 1
    return Piece(0, 10_000, node.lineno, node.col_offset, end, False)


__all__ = ["Flat", "Text", "build_network", "derivation_text", "located"]
