"""A network whose per-layer parameters are held in lists and walked by a loop over layers.

Understanding Deep Learning's notebook 7.2 writes `forward_pass(net_input, all_weights, all_biases)`, a loss
`least_squares_loss(net_output, y)` and `backward_pass(all_weights, all_biases, all_f, all_h, y)` returning
`all_dl_dweights, all_dl_dbiases`; the lists' length is the notebook's `K + 1`, set at module level by its
caller. Read without running it: the lists get as many arrays as `--set` says (or the file's own module
constant), each layer's width its own size, and the passes are called with their arguments by name, as the
notebook calls them. The loops over layers are then unrolled by the reader.
"""
from __future__ import annotations

import ast

from .docstrings import stated_shapes
from .drivers import LABEL_NAMES, SIZE_NAMES, call_with, construct, fresh_size, returned_loss, setting
from .entry import (EntryReading, Gradient, gradient_of_list, layer_lists, list_partners, names_of, object_list_partners,
                    returned_names, returned_node)
from .reader import Reader
from .values import MAX_UNROLL, Dim, Func, Ref, decorated

#: The key of `Reader.bias_override` that asks for the reading with one example, a column (or a row).
ONE_EXAMPLE = "<one example>"


#: A loss function's argument that is the target, never the network's output: `least_squares_loss(y, net_output)`.
TARGETS = LABEL_NAMES | {"y_true", "y_target", "gt", "truth", "ground_truth", "expected"}


def bind_output(reader: Reader, made: dict, loss_args: list[str], results: list, forward: ast.FunctionDef) -> None:
    """The network's output (the forward pass's first result) as the loss's argument that is not its target,
    whichever place it takes (`(y_pred, y)` or `(y, net_output)`); the target stays data."""
    if not results:
        raise reader.error(f"{forward.name} returns nothing the loss can be computed from", forward,
                           "return the network's output, and what the backward pass needs")
    if any(made.get(a) is results[0] for a in loss_args):
        return  # passed by its own name (`net_output`, as the forward pass returns it)
    output = next((a for a in loss_args if a not in made and a not in TARGETS), None)
    if output is not None:
        made[output] = results[0]


def forward_results(reader: Reader, forward: Func, made: dict, stated: dict) -> tuple[list, list[str]]:
    """The forward pass called: what it returns (`net_output, all_f, all_h`) and the names it returns them by, each
    value also made known by its name for the loss and the backward pass to take."""
    out = call_with(reader, forward, made, stated, forward.node)
    results = list(out) if isinstance(out, tuple) else [out]
    returned = names_of(returned_node(forward.node), len(results))
    for n, v in zip(returned, results):
        if n and n not in made:
            made[n] = v
    return results, returned


def list_gradients(returned, backward: ast.FunctionDef, lists: list[str], held: dict) -> list[Gradient]:
    """The gradients a backward pass returns as lists (`all_dl_dweights`), each entry that of its layer's array in
    the list it is named after (`held`: the lists of arrays by name)."""
    values = list(returned) if isinstance(returned, tuple) else [returned]
    gradients = []
    for n, v in zip(returned_names(backward), values):
        owner = gradient_of_list(n, lists)
        if owner is None or not isinstance(v, (list, tuple)):
            continue
        gradients += [Gradient(f"{owner}[{k}]", leaf.ident, g) for k, (leaf, g) in enumerate(zip(held[owner], v))
                      if isinstance(leaf, Ref) and isinstance(g, Ref)]
    return gradients


def lists_driver(reader: Reader, name: str) -> EntryReading:
    forward, loss_fn = list_partners(reader, name)
    assert forward is not None and loss_fn is not None  # the entry was found with both
    backward = reader.functions[name]
    lists = layer_lists(forward)
    count, widths = layer_count(reader, (forward, backward), lists)
    left = weight_on_left(forward, lists)
    one = reader.bias_override.get(ONE_EXAMPLE) == "one"
    reader.per_example = one
    m: Dim | int = 1 if one else fresh_size(reader, "m")
    made: dict = {}
    for p in lists:
        made[p] = [reader.leaf(f"{p}[{k}]", layer_shape(p, k, widths, left), forward) for k in range(count)]
    inputs = [a.arg for a in forward.args.args if a.arg not in lists and a.arg != "self"]
    if inputs and inputs[0] not in reader.settings:  # the forward pass's data: the examples along the other axis
        made[inputs[0]] = reader.leaf(inputs[0], [widths[0], m] if left else [m, widths[0]], forward, role="data")
    stated = stated_shapes(forward, backward, loss_fn, source=reader.file_source)
    results, returned = forward_results(reader, Func(forward), made, stated)
    bind_output(reader, made, [a.arg for a in loss_fn.args.args], results, forward)
    loss = returned_loss(reader, call_with(reader, Func(loss_fn), made, stated, loss_fn), loss_fn)
    unclaimed = [v for n, v in zip(returned, results) if not n or n not in [a.arg for a in backward.args.args]]
    for a in [a.arg for a in backward.args.args if a.arg not in made]:  # a cache under another name than returned
        if unclaimed and not reader.settings.get(a):
            made[a] = unclaimed.pop(0)
    gradients = list_gradients(call_with(reader, Func(backward), made, stated, backward), backward, lists, made)
    reader.notes.append(assumed(forward, loss_fn, backward, lists, count, widths, left, inputs, one))
    return EntryReading(reader, name, loss, gradients, notes=list(reader.notes))


def object_lists_driver(reader: Reader, name: str) -> EntryReading:
    """The same network on an object (a learner's `NeuralNetwork(hidden_layer_sizes, ...)` holding `self.all_weights`
    and `self.all_biases`): built by its constructor (its list of sizes from `--set`), then its forward, loss and
    backward methods called with their arguments by name."""
    cls_name = name.split(".")[0]
    cls = reader.classes[cls_name]
    forward, loss_fn, backward = object_list_partners(reader, cls)
    assert forward is not None and loss_fn is not None and backward is not None  # the entry was found with them
    obj = construct(reader, cls_name)
    lists = [a for a, v in obj.attrs.items() if isinstance(v, list) and v and all(
        isinstance(x, Ref) and x.ident in reader.leaves and reader.leaves[x.ident].role == "parameter" for x in v)]
    if not lists:
        raise reader.error(f"{cls_name}'s constructor makes no lists of arrays that can be read", cls,
                           "self.all_weights[k] = np.random.randn(out_dim, in_dim) in a loop over layers")
    left = weight_on_left(forward, lists)
    weights = next((obj.attrs[a] for a in lists if not name_says_bias(a)), obj.attrs[lists[0]])
    first = reader.leaves[weights[0].ident].shape or []
    one = reader.bias_override.get(ONE_EXAMPLE) == "one"
    reader.per_example = one
    m: Dim | int = 1 if one else fresh_size(reader, "m")
    made: dict = {}
    inputs = [a.arg for a in forward.args.args[1:]]
    if inputs and len(first) == 2 and inputs[0] not in reader.settings:
        width = first[1] if left else first[0]
        made[inputs[0]] = reader.leaf(inputs[0], [width, m] if left else [m, width], forward, role="data")
    stated = stated_shapes(forward, backward, loss_fn, source=reader.file_source)
    results, _ = forward_results(reader, Func(forward, obj), made, stated)
    static = decorated(loss_fn, "staticmethod")
    bind_output(reader, made, [a.arg for a in loss_fn.args.args][0 if static else 1:], results, forward)
    loss = returned_loss(reader, call_with(reader, Func(loss_fn, None if static else obj), made, stated, loss_fn),
                         loss_fn)
    gradients = list_gradients(call_with(reader, Func(backward, obj), made, stated, backward), backward, lists,
                               obj.attrs)
    shown = [d for d in dict.fromkeys(x for a in lists for v in obj.attrs[a] for x in reader.leaves[v.ident].shape or [])
             if isinstance(d, Dim)]
    reader.notes.append(assumed(forward, loss_fn, backward, lists, len(obj.attrs[lists[0]]), shown, left, inputs, one))
    return EntryReading(reader, name, loss, gradients, notes=list(reader.notes))


def reads_a_batch(tree: ast.Module) -> bool:
    """The file computes with a batch's size or sums over an axis (`I = y.shape[1]`, `np.sum(d, axis=1)`, a mean):
    its arrays hold many examples, and a bias gradient without a sum over them is wrong, never one example's."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape":
            return True
        if isinstance(node, ast.keyword) and node.arg in ("axis", "keepdims"):
            return True
        if isinstance(node, ast.Attribute) and node.attr == "mean":
            return True
    return False


def layer_shape(name: str, k: int, widths: list, left: bool) -> list:
    """Layer k's array in the list `name`: a weight maps width k to width k + 1 (`D_{k+1}×D_k` when it multiplies
    on the left, as in `np.matmul(W, h)`); a bias has one entry per unit, a column when the weights are on the
    left, else a row vector."""
    if name_says_bias(name):
        return [widths[k + 1], 1] if left else [widths[k + 1]]
    return [widths[k + 1], widths[k]] if left else [widths[k], widths[k + 1]]


def name_says_bias(name: str) -> bool:
    stem = name.lower().removeprefix("all_")
    return stem.startswith("b") or "bias" in stem


def weight_on_left(forward: ast.FunctionDef, lists: list[str]) -> bool:
    """Whether the forward pass multiplies a weight from the lists on the left (`np.matmul(all_weights[k], h)`,
    `W @ a` with `W` taken from the list): the columns convention. The rows convention (`h @ W`) otherwise."""
    from_lists = set(lists)
    for node in ast.walk(forward):  # names bound from the lists: `for W, b in zip(weights, biases)`, `W = weights[k]`
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Call) and any(
                isinstance(a, ast.Name) and a.id in lists for a in node.iter.args):
            from_lists |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Subscript) and \
                isinstance(node.value.value, ast.Name) and node.value.value.id in lists:
            from_lists |= {t.id for t in node.targets if isinstance(t, ast.Name)}

    def weight(node: ast.expr) -> bool:  # `all_weights[k]`, `W`, or the object's `self.all_weights[k]`
        while isinstance(node, ast.Subscript):
            node = node.value
        named = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
        return named in from_lists and not name_says_bias(named)

    for node in ast.walk(forward):
        pair = None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            pair = (node.left, node.right)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("matmul", "dot") and len(node.args) == 2:
                pair = (node.args[0], node.args[1])
            elif node.func.attr == "dot" and len(node.args) == 1:
                pair = (node.func.value, node.args[0])
        if pair is not None and (weight(pair[0]) or weight(pair[1])):
            return weight(pair[0])
    return True


def layer_count(reader: Reader, functions: tuple[ast.FunctionDef, ...], lists: list[str]) -> tuple[int, list]:
    """How many arrays the lists hold, and the widths of the layers (one size more than arrays): from `--set`
    on the list itself (`--set all_weights=4`), a list of widths (`--set sizes=[1,6,6,1]`), or the size the file
    counts from the list (`K = len(all_weights) - 1`) given with `--set K=3` or as the file's module constant."""
    for name, value in reader.settings.items():
        if name in SIZE_NAMES and isinstance(value, list) and 2 <= len(value) <= MAX_UNROLL + 1:
            return len(value) - 1, setting(reader, value, "D_")
    count = next((v for p in lists if isinstance(v := reader.settings.get(p), int) and not isinstance(v, bool)), None)
    counted = [c for fn in functions for c in counted_sizes(fn, lists)]
    for size, offset, _ in counted:
        given = reader.settings.get(size, reader.globals.names.get(size))
        if count is None and isinstance(given, int) and not isinstance(given, bool):
            count = given - offset
            where = "--set" if size in reader.settings else "the file's module constant"
            reader.notes.append(f"{size} = {given} ({where}): {lists[0]} holds {count} arrays")
    if count is None or not 1 <= count <= MAX_UNROLL:
        if counted:
            size, offset, node = counted[0]
            example = 3
            raise reader.error(f"{lists[0]} is a list of the layers' arrays whose length the file leaves to its caller"
                               f" ({size} = {ast.unparse(node.value)})", node,
                               f"--set {size}={example} (then {lists[0]} holds {example - offset} arrays)")
        raise reader.error(f"{lists[0]} is a list of the layers' arrays whose length the file leaves to its caller",
                           functions[0], f"--set {lists[0]}=3 (the number of layers, one array each)")
    return count, [reader.dim(f"D_{k}") for k in range(count + 1)]


def counted_sizes(fn: ast.FunctionDef, lists: list[str]) -> list[tuple[str, int, ast.Assign]]:
    """(name, c, statement) of each `name = len(lst) + c` (or `- c`) of the function, with `lst` one of the lists."""
    found = []
    for node in ast.walk(fn):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        value, offset = node.value, 0
        if isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Sub)) and \
                isinstance(value.right, ast.Constant) and isinstance(value.right.value, int):
            offset = value.right.value if isinstance(value.op, ast.Add) else -value.right.value
            value = value.left
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "len" and \
                len(value.args) == 1 and isinstance(value.args[0], ast.Name) and value.args[0].id in lists:
            found.append((node.targets[0].id, offset, node))
    return found


def assumed(forward, loss_fn, backward, lists, count, widths, left, inputs, one) -> str:
    """The note that says how the file was read: the lists' length, the layers' shapes, the examples."""
    shapes = "D_{k+1}×D_k, a bias D_{k+1}×1" if left else "D_k×D_{k+1}, a bias of D_{k+1}"
    numbered = ", ".join(d.name for d in widths if isinstance(d, Dim))
    data = (f"{inputs[0]} is one example, a {'column' if left else 'row'}" if one else
            f"{inputs[0]} holds m examples as {'columns' if left else 'rows'}") if inputs else ""
    return (f"{forward.name}, {loss_fn.name} and {backward.name} are called in turn, each argument by name: "
            f"{' and '.join(lists)} hold {count} layers' arrays (layer k's weights {shapes}; widths {numbered})"
            + (f"; {data}" if data else ""))
