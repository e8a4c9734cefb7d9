"""Reading a homework file from one entry point (entry.py finds them): the call a course's grader would
make, followed through the file without running it, gives the loss and the gradients the file returns."""
from __future__ import annotations

import ast
import re
from dataclasses import replace

from ..engine.errors import TutorError
from .docstrings import stated_shapes
from .entry import (GRADIENT_NAMES, pair_base, LOSS_NAMES, EntryReading, Gradient, module_body, module_gradients, names_in,
                    names_of, returned_node, split_partners, training_loop)
from .reader import Reader
from .values import BUILTINS as BUILTIN_NAMES
from .values import Class, Dim, Func, Init, LayerSettings, Obj, Packed, Params, Ref, Sizes, found_method, method_of


DATA_NAMES = {"X", "x", "inputs", "X_batch", "data", "a", "input", "A_prev", "A0"}
LABEL_NAMES = {"y", "Y", "labels", "targets", "y_batch", "label", "target", "t"}
PARAM_NAMES = {"params", "parameters", "theta", "weights_dict"}
SIZE_NAMES = {"dimensions", "sizes", "layer_dims", "layers_dims", "layer_sizes", "dims", "hidden_dims"}
REGULARISERS = {"reg", "lambd", "lam", "lambda_", "reg_strength", "weight_decay"}
TESTED_REG = 0.1


def read(reader: Reader, driver: str, name: str) -> EntryReading:
    """What the file computes from the entry point `name`, read by its kind's driver (`entries` found both)."""
    return DRIVERS[driver](reader, name)


# -- arguments ------------------------------------------------------------------------------

def argument(reader: Reader, name: str, stated: dict, default: ast.expr | None, made: dict):
    """The value an entry point's argument gets: a setting, a size, data, labels, parameters."""
    if name in reader.settings:
        return setting(reader, reader.settings[name], name)
    if name in reader.sizes:
        return reader.dim(name)
    doc = stated.get(name)
    if doc is not None and doc.labels and doc.weak and computes_with(reader.tree, name):
        doc = replace(doc, labels=False)  # "The data labels. A vector with shape (m, )" used in arithmetic: targets
    if doc is not None and doc.labels:
        data = next((v for k, v in made.items() if isinstance(v, Ref) and reader.leaves[v.ident].role == "data"),
                    None)
        first = shape[0] if data is not None and (shape := reader.leaves[data.ident].shape) else \
            soft(reader, "N")
        bound = soft(reader, doc.bound if doc is not None and doc.bound else "C")
        if doc is not None and doc.shape is not None:  # () for one index: "integer, the index of the outside word"
            return reader.leaf(name, shape_of(reader, doc.shape), role="data", kind="int", bound=bound)
        return reader.leaf(name, [first], role="data", kind="int", bound=bound)
    if name in PARAM_NAMES and not (doc is not None and doc.shape):  # theta with a stated shape is one array
        return initialised(reader) or Params(name)
    if name in SIZE_NAMES:
        return Sizes(name)
    if doc is not None and doc.shape is not None:  # () for "b -- bias, a scalar"
        return reader.leaf(name, shape_of(reader, doc.shape), role="data", kind="onehot" if doc.onehot else "float")
    if name in REGULARISERS and default is None:  # softmax_loss_vectorized(W, X, y, reg): a strength, not data
        reader.notes.append(f"{name} = {TESTED_REG}, a regularisation strength the file leaves to its caller "
                            f"(--set {name}=... to choose)")
        return TESTED_REG
    if name in DATA_NAMES or name in LABEL_NAMES or default is None:
        return reader.leaf(name, None, role="data")
    saved = reader.frame
    reader.frame = reader.globals
    try:
        value = reader.ev(default)
    finally:
        reader.frame = saved
    if name in REGULARISERS and value == 0:
        reader.notes.append(f"{name} = {TESTED_REG}: with its default 0 the regularisation's gradient would not be "
                            f"tested (--set {name}=... to choose)")
        return TESTED_REG
    return value


def initialised(reader: Reader) -> dict | None:
    """The parameters as the file's own initialiser makes them (`init_two_layer(input_size, hidden_size, ...)`,
    `init_params`): called with a size symbol for each size it takes, its arrays the leaves. None when the file
    has no initialiser returning a dictionary, or it needs a list of sizes (`--set` names it then)."""
    init = next((f for n, f in reader.functions.items() if n.startswith("init") and "adam" not in n
                 and "velocity" not in n), None)
    if init is None:
        return None
    params = [a.arg for a in init.args.args]
    defaults = dict(zip(params[len(params) - len(init.args.defaults):], init.args.defaults))
    sizes: dict = {}
    for p in params:
        if p in reader.settings:
            sizes[p] = setting(reader, reader.settings[p], p)
        elif p in defaults and not size_like(p, defaults[p]):
            continue
        elif p in SIZE_NAMES:
            return None
        else:
            sizes[p] = reader.dim(p)
    try:
        made = reader.call(Func(init), [], sizes, init)
    except TutorError:
        return None
    if not isinstance(made, dict) or not made or not all(isinstance(v, (Init, Ref)) for v in made.values()):
        return None
    return {k: (reader.leaf(k, v.shape, init) if isinstance(v, Init) else v) for k, v in made.items()}


def computes_with(tree: ast.Module, name: str) -> bool:
    """`name` is an operand of arithmetic in the file (`h - y`, `1 - y`): numbers (0/1 targets), not class
    indices, which are only picked with (`probs[np.arange(N), y]`) or passed on."""
    return any(isinstance(node, ast.BinOp) and any(isinstance(side, ast.Name) and side.id == name
                                                    for side in (node.left, node.right))
               for node in ast.walk(tree))


def setting(reader: Reader, value, name: str = "n"):
    """A `--set` value; a list of integers is a list of sizes, each its own symbol (bound to its number), so
    that two layers of equal width are still told apart."""
    if isinstance(value, list):
        out: list[int | Dim] = []
        for i, v in enumerate(value):
            if v == 1:  # an axis of length 1 broadcasts: it stays the number
                out.append(1)
                continue
            d = reader.dim(f"{name}{i}")
            reader.numbers[d.name] = v
            out.append(d)
        return out
    return value


def soft(reader: Reader, name: str) -> Dim:
    """A size a docstring names: merged with the file's own sizes where the arrays say they are equal."""
    if name in reader.dims:
        return reader.dims[name]
    d = reader.dim(name)
    d.soft = True  # type: ignore[attr-defined]
    return d


def shape_of(reader: Reader, axes: tuple) -> list:
    return [a if isinstance(a, int) else (reader.dims[a] if a in reader.dims and a in reader.sizes else soft(reader, a))
            for a in axes]


def call_with(reader: Reader, func: Func, made: dict, stated: dict, node: ast.AST):
    """Call `func` with each argument from `made` (by name) or made up as `argument` says."""
    params = [a.arg for a in func.node.args.args][1 if func.owner is not None else 0:]
    defaults = dict(zip(params[len(params) - len(func.node.args.defaults):], func.node.args.defaults))
    kwargs = {}
    for p in params:
        if p not in made:
            made[p] = argument(reader, p, stated, defaults.get(p), made)
        kwargs[p] = made[p]
    return reader.call(func, [], kwargs, node)


def fresh_size(reader: Reader, name: str) -> Dim:
    """A size no one states, free to meet the one the network needs there (the examples' m)."""
    d = reader.dim(name, fresh=True)
    d.soft = True  # type: ignore[attr-defined]
    return d


def construct(reader: Reader, cls_name: str) -> Obj:
    cls = reader.classes[cls_name]
    init = method_of(cls, "__init__", reader.classes)
    obj = Obj(cls)
    if init is not None:
        stated = stated_shapes(init, cls, source=reader.file_source)
        made: dict = {}
        params = [a.arg for a in init.args.args][1:]
        defaults = dict(zip(params[len(params) - len(init.args.defaults):], init.args.defaults))
        listed = SIZE_NAMES | {p for p in params if p not in defaults and used_as_list(init, p)}
        for p in params:
            if p in reader.settings:
                made[p] = setting(reader, reader.settings[p], p)
            elif p in reader.sizes or (p not in defaults and p not in listed) or size_like(p, defaults.get(p)):
                made[p] = reader.dim(p)
            elif p in listed and p not in defaults:
                where = next(a for a in init.args.args if a.arg == p)  # located at the argument, as every refusal
                raise reader.error(f"the constructor of {cls_name} needs {p!r}, the sizes of the layers", where,
                                   f"--set {p}=[4,3,2] (as many sizes as layers)")
            else:
                made[p] = argument(reader, p, stated, defaults.get(p), made)
        reader.call(Func(init, obj), [], made, init)
    return obj


def used_as_list(fn: ast.FunctionDef, name: str) -> bool:
    """The constructor indexes, slices, counts or runs over the argument (`layers_size[1:]`, `len(sizes)`,
    `zip(sizes[:-1], sizes[1:])`): a list of layer sizes, whatever it is called."""
    def named(node) -> bool:
        return isinstance(node, ast.Name) and node.id == name
    for node in ast.walk(fn):
        if isinstance(node, ast.Subscript) and named(node.value) or isinstance(node, ast.comprehension) and \
                named(node.iter) or isinstance(node, ast.For) and named(node.iter):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("len", "zip", "list", "tuple", "enumerate", "reversed") and \
                any(named(a) for a in node.args):
            return True
    return False


def size_like(name: str, default) -> bool:
    """An integer constructor argument named like a size (`input_dim=3*32*32`, `hidden_size`): a symbol."""
    if default is None or not isinstance(default, (ast.Constant, ast.BinOp)):
        return False
    try:
        value = eval_const(default)
    except ValueError:
        return False
    return isinstance(value, int) and not isinstance(value, bool) and any(
        w in name.lower() for w in ("dim", "size", "num_classes", "n_", "input", "hidden", "output", "classes"))


def eval_const(node):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return eval_const(node.left) * eval_const(node.right)
    raise ValueError


# -- results ------------------------------------------------------------------------------------

def loss_of(value, returned: ast.AST | None):
    """The loss among what an entry point returns: the first value named like a loss, or the first."""
    if isinstance(value, Ref):
        return value
    if isinstance(value, (tuple, list)):
        names = names_of(returned, len(value))
        for n, v in zip(names, value):
            if n in LOSS_NAMES and isinstance(v, Ref):
                return v
        return next((v for v in value if isinstance(v, Ref)), None)
    return None


def returned_loss(reader: Reader, value, func: ast.FunctionDef,
                  expected: str = "return the loss, a number computed from the network's output") -> Ref:
    """The loss a loss function returns, or its refusal located at the function."""
    loss = loss_of(value, returned_node(func))
    if not isinstance(loss, Ref):
        raise reader.error(f"{func.name} returns no loss that can be read", func, expected)
    return loss


def gradients_in(reader: Reader, value, names: list[str] | None = None,
                 aliases: dict[str, str] | None = None, returned: ast.AST | None = None) -> list[Gradient]:
    """The gradients among returned values: dict entries by key, tuple items by name, packed vectors.
    `aliases` are other names of leaves (a backward's `A_prev` for its forward's `A`), name → leaf."""
    leaves = {leaf.key: ident for ident, leaf in reader.leaves.items() if leaf.kind == "float"}
    leaves.update({name: ident for name, ident in (aliases or {}).items() if name not in leaves})
    out: list[Gradient] = []

    def claim(key: str) -> str | None:
        if key in leaves:
            return leaves[key]
        for prefix in ("dJ_d", "grad_", "grad", "d"):
            if key.startswith(prefix) and key[len(prefix):] in leaves:
                return leaves[key[len(prefix):]]
        if key.startswith("d") and len(key) > 1:  # `db` of `beta`, `dg` of `gamma`: the start of one leaf's name
            near = [ident for name, ident in leaves.items() if name.startswith(key[1:])]
            if len(near) == 1:
                return near[0]
        for prefix in ("grad_", "grad"):  # CS224n: gradCenterVec of centerWordVec, gradOutsideVecs of outsideVectors
            if key.startswith(prefix) and len(key) > len(prefix):
                near = [ident for name, ident in leaves.items() if abbreviates(key[len(prefix):], name)]
                if len(near) == 1:
                    return near[0]
        return None

    if isinstance(value, dict):
        for k, v in value.items():
            leaf = claim(k) if isinstance(k, str) else None
            if leaf is not None and isinstance(v, Ref):
                out.append(Gradient(k, leaf, v))
    elif isinstance(value, (tuple, list)):
        parts = returned.elts if isinstance(returned, (ast.Tuple, ast.List)) and len(returned.elts) == len(value) \
            else [None] * len(value)
        for n, v, part in zip(names or [""] * len(value), value, parts):
            if isinstance(v, (dict, Packed)):
                out.extend(gradients_in(reader, v))
            elif isinstance(v, (tuple, list)) and isinstance(part, (ast.Tuple, ast.List)):
                # `return loss, (dW1, db1, dW2, db2)`: the gradients by their names in the inner tuple
                out.extend(gradients_in(reader, v, names_of(part, len(v)), aliases, part))
            elif isinstance(v, Ref) and n and (leaf := claim(n)) is not None:
                out.append(Gradient(n, leaf, v))
    elif isinstance(value, Packed):
        for n, v in value.parts:
            if (leaf := claim(n)) is not None:
                out.append(Gradient(n, leaf, v))
    return out


def words(name: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name)]


def abbreviates(short: str, name: str) -> bool:
    """`CenterVec` for `centerWordVec`, `OutsideVecs` for `outsideVectors`: the same first word, and each later word
    the start of one of the name's later words, in order."""
    said, full = words(short), words(name)
    if not said or not full or said[0] != full[0]:
        return False
    rest = iter(full[1:])
    return all(any(w.startswith(s.rstrip("s")) for w in rest) for s in said[1:])


def method_driver(reader: Reader, name: str) -> EntryReading:
    cls_name, method = name.split(".")
    obj = construct(reader, cls_name)
    func = Func(found_method(reader.classes[cls_name], method, reader.classes), obj)
    stated = stated_shapes(func.node, reader.classes[cls_name], source=reader.file_source)
    return loss_and_gradients(reader, name, func, stated, "return loss, grads")


def function_driver(reader: Reader, name: str) -> EntryReading:
    func = Func(reader.functions[name])
    return loss_and_gradients(reader, name, func, stated_shapes(func.node, *referred(reader, func.node),
                                                                source=reader.file_source),
                              "return loss, grads (or use --function to name another function)")


def referred(reader: Reader, fn: ast.FunctionDef) -> list[ast.FunctionDef]:
    """The file's functions a docstring refers to for its inputs: CS231n's softmax_loss_vectorized says "Inputs and
    outputs are the same as softmax_loss_naive", whose docstring states W: (D, C), X: (N, D), y: (N,)."""
    doc = ast.get_docstring(fn) or ""
    if not re.search(r"\bsame as\b", doc, re.IGNORECASE):
        return []
    return [reader.functions[w] for w in dict.fromkeys(re.findall(r"[A-Za-z_]\w*", doc))
            if w in reader.functions and w != fn.name]


def loss_and_gradients(reader: Reader, name: str, func: Func, stated, expected: str) -> EntryReading:
    """An entry point that returns its loss and its gradients (CS231n's `loss`, CS224n's
    `forward_backward_prop`): called once, its returned loss and gradients read."""
    made: dict = {}
    result = call_with(reader, func, made, stated, func.node)
    returned = returned_node(func.node)
    loss = returned_loss(reader, result, func.node, expected)
    names = names_of(returned, len(result)) if isinstance(result, tuple) else None
    grads = gradients_in(reader, result, names, returned=returned)
    first = next((v for v in made.values() if isinstance(v, Ref) and v.ident in reader.leaves), None)
    if not grads and first is not None and isinstance(result, tuple):
        # costFunction(theta, X, y) -> J, grad: "grad" is the gradient of the parameter, the first argument
        grads = [Gradient(n, first.ident, v) for n, v in zip(names or [], result)
                 if n in GRADIENT_NAMES and isinstance(v, Ref)][:1]
    return EntryReading(reader, name, loss, grads, notes=list(reader.notes))


def split_driver(reader: Reader, name: str) -> EntryReading:
    """deeplearning.ai: parameters from the file's initialiser, then forward, cost and backward, each
    called with its arguments by name, as the notebook calls them."""
    deep = name == "L_model_backward"
    forward, cost = split_partners(reader, name)
    assert forward is not None  # the entry was found with its forward pass
    backward = reader.functions[name]
    made: dict = {}
    init = reader.functions.get("initialize_parameters_deep" if deep else "initialize_parameters")
    if init is None and not name.startswith(("backward_propagation", "L_model")):  # init_params(layer_dim)
        init = next((f for n, f in reader.functions.items() if n.startswith("init")), None)
    stated = stated_shapes(forward, backward, *( [cost] if cost else []), source=reader.file_source)
    output_size = None
    if init is not None:
        sizes: dict = {}
        for p in [a.arg for a in init.args.args]:
            if p in reader.settings:
                sizes[p] = setting(reader, reader.settings[p], p)
            elif p in SIZE_NAMES or used_as_list(init, p):
                known = reader.globals.names.get("layers_dims", reader.globals.names.get(p))
                if not isinstance(known, (list, tuple)):
                    raise TutorError(f"{init.name}() needs {p!r}, the sizes of the layers", origin=reader.origin,
                                     expected=f"--set {p}=[5,4,3,1] (the input size, each layer's size)",
                                     argument=("set", p))
                sizes[p] = [reader.dim("n_x") if i == 0 else reader.dim(f"n_{i}") for i in range(len(known))]
            else:
                sizes[p] = reader.dim(p)
        listed = [v for v in sizes.values() if isinstance(v, list) and v]
        output_size = listed[0][-1] if listed else None
        params = reader.call(Func(init), [], sizes, init)
        if not isinstance(params, dict):
            raise TutorError(f"{init.name} returns no dictionary of parameters", origin=reader.origin)
        made["parameters"] = {k: (reader.leaf(k, v.shape, init) if isinstance(v, Init) else v)
                              for k, v in params.items()}
        for k in list(made):
            if k in ("n_x", "n_h", "n_y", "layer_dims", "layers_dims"):
                made.pop(k)
    if init is None and "parameters" in [a.arg for a in forward.args.args]:
        # "parameters -- ... W1 -- weight matrix of shape (5, 4)": the entries the forward pass reads
        names = {a.arg for f in (forward, backward) for a in f.args.args}
        made["parameters"] = Params("parameters", {k: reader.leaf(k, shape_of(reader, v.shape), forward)
                                                   for k, v in stated.items() if v.shape and k not in names})
    made["X"] = argument(reader, "X", stated, None, made)
    made["Y"] = reader.leaf("Y", None, role="data")
    out = call_with(reader, Func(forward), made, stated, forward)
    returned = returned_node(forward)
    for n, v in zip(names_of(returned, len(out)) if isinstance(out, tuple) else ["A2"], out if isinstance(out, tuple)
                    else [out]):
        if n:
            made[n] = v
    output = out[0] if isinstance(out, tuple) else out
    computed = loss_of(out, returned) if isinstance(out, tuple) and any(
        n in LOSS_NAMES for n in names_of(returned, len(out))) else None  # forward_propagation_n returns its cost
    y = reader.leaves["Y"]
    if y.shape is None and "Y" in stated and stated["Y"].shape:
        y.shape = shape_of(reader, tuple(stated["Y"].shape))
        if output_size is not None:  # "Y -- labels of shape (output size, number of examples)": the last layer's
            y.shape = [output_size if isinstance(d, Dim) and d.name == "n_y" and getattr(d, "soft", False) else d
                       for d in y.shape]
    if y.shape is None and output_size is not None and reader.guess_shapes:
        # the course's labels, one row per output unit: (n_y, m), as its docstrings say when they are there
        y.shape = [output_size, fresh_size(reader, "m")]
        reader.guessed.append(y.ident)
    if computed is not None:
        loss = computed
    elif cost is None:
        raise TutorError("the file has no compute_cost, so the loss is not stated", origin=reader.origin,
                         expected="a compute_cost(AL, Y) function")
    else:
        for p in [a.arg for a in cost.args.args]:
            if p not in made and p in ("A2", "AL", "A", "A3", "Yhat"):
                made[p] = output
        loss = returned_loss(reader, call_with(reader, Func(cost), made, stated, cost), cost)
    for p in [a.arg for a in backward.args.args]:
        if p not in made and p in ("A2", "AL"):
            made[p] = output
    grads = call_with(reader, Func(backward), made, stated, backward)
    return EntryReading(reader, name, loss, gradients_in(reader, grads), notes=list(reader.notes))


def backprop_driver(reader: Reader, name: str) -> EntryReading:
    """Nielsen's `backprop(x, y)`: the cost is implied by `cost_derivative(output_activations, y)`."""
    cls_name, method = name.split(".")
    obj = construct(reader, cls_name)
    func = Func(found_method(reader.classes[cls_name], method, reader.classes), obj)
    made: dict = {}
    reader.per_example = True  # called once per example of a mini-batch: x and y are columns
    result = call_with(reader, func, made, stated_shapes(func.node, source=reader.file_source), func.node)
    derivative = next(((n, args) for n, args in reader.calls if n == "cost_derivative"), None)
    stated_cost = obj.attrs.get("cost")
    fn = method_of(stated_cost.node, "fn", reader.classes) if isinstance(stated_cost, Class) else None
    delta = next((args for n, args in reader.calls if n == "delta" and len(args) == 3), None)
    if derivative is None and fn is not None and delta is not None and isinstance(stated_cost, Class):
        # network2.py: Network(sizes, cost=CrossEntropyCost); the cost is the class's own fn(a, y), read as written
        loss = reader.call(Func(fn), [delta[1], delta[2]], {}, fn, hint="C")
        if isinstance(loss, Ref):
            return EntryReading(reader, name, loss, backprop_gradients(obj, func, result),
                                notes=[f"the cost is {stated_cost.node.name}.fn(a, y), the cost the network is built "
                                       "with, for one example"])
    if derivative is None:
        raise TutorError(f"{name} computes no loss, and no cost_derivative says which cost it is",
                         origin=reader.origin, expected="a cost_derivative(output_activations, y) method")
    out, y = derivative[1][0], derivative[1][1]
    cost = reader.fresh("C")
    k = quadratic_factor(method_of(reader.classes[cls_name], "cost_derivative", reader.classes))
    if k == 1:
        loss_text = f"{cost} = 0.5 * np.sum(({out.ident} - {y.ident}) ** 2)"
        notes = ["the cost is the quadratic cost C = ½‖a − y‖², the one cost_derivative(output_activations, y) = "
                 "output_activations − y is the derivative of"]
    else:  # `return 2 * (output - actual)`: the cost without the ½, ‖a − y‖²
        loss_text = f"{cost} = {k / 2!r} * np.sum(({out.ident} - {y.ident}) ** 2)"
        scale = "" if k == 2 else f"{k / 2:g}·"
        notes = [f"the cost is the quadratic cost C = {scale}‖a − y‖², the one cost_derivative(output_activations, "
                 f"y) = {k:g}·(output_activations − y) is the derivative of"]
    return EntryReading(reader, name, Ref(cost), backprop_gradients(obj, func, result), notes=notes,
                        loss_text=loss_text)


def quadratic_factor(fn: ast.FunctionDef | None) -> float:
    """k in `cost_derivative(a, y)` returning `k * (a - y)` (or `(a - y) * k`): the quadratic cost it is the
    derivative of is (k/2)·‖a − y‖² (Nielsen's own returns `a - y`, k = 1)."""
    returned = returned_node(fn) if fn is not None else None
    args = [a.arg for a in fn.args.args[1:]] if fn is not None else []

    def difference(node) -> bool:
        return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and len(args) >= 2 and \
            isinstance(node.left, ast.Name) and node.left.id == args[0] and \
            isinstance(node.right, ast.Name) and node.right.id == args[1]
    if isinstance(returned, ast.BinOp) and isinstance(returned.op, ast.Mult):
        for k, d in ((returned.left, returned.right), (returned.right, returned.left)):
            if isinstance(k, ast.Constant) and isinstance(k.value, (int, float)) and not isinstance(k.value, bool) \
                    and k.value > 0 and difference(d):
                return float(k.value)
    return 1


def backprop_gradients(obj: Obj, func: Func, result) -> list[Gradient]:
    """(nabla_b, nabla_w): each list's entries are the gradients of the object's list of the same initial."""
    grads: list[Gradient] = []
    returned = returned_node(func.node)
    names = names_of(returned, len(result)) if isinstance(result, tuple) else []
    for n, v in zip(names, result if isinstance(result, tuple) else []):
        owner = next((attr for attr in obj.attrs if isinstance(obj.attrs[attr], list)
                      and attr[:1] == n.split("_")[-1][:1]), None)
        if owner is None or not isinstance(v, list):
            continue
        for i, (param, g) in enumerate(zip(obj.attrs[owner], v)):
            if isinstance(param, Ref) and isinstance(g, Ref):
                grads.append(Gradient(f"{owner}[{i}]", param.ident, g))
    return grads


def layer_settings(reader: Reader, forward: ast.FunctionDef, name: str) -> dict:
    """CS231n's `bn_param`, `dropout_param`, `conv_param`: the dictionary a layer's forward reads its settings
    from, in training mode (as the course's gradient checks call it), each other entry it reads with [...] from
    --set by its key (`--set p=0.5`, `--set stride=1,pad=1`); `.get(key, default)` keeps its default."""
    made = LayerSettings(mode="train")
    read = [n.slice.value for n in ast.walk(forward) if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name)
            and n.value.id == name and isinstance(n.slice, ast.Constant) and isinstance(n.slice.value, str)]
    for key in dict.fromkeys(read):
        if key in reader.settings:
            made[key] = setting(reader, reader.settings[key], key)
    return made  # an entry it reads that is still missing is asked for where it is read


def pair_driver(reader: Reader, name: str) -> EntryReading:
    """`X_backward(dout, cache)` against `X_forward(...)`: the VJP with an upstream gradient `dout`."""
    base = pair_base(name)
    forward, backward = reader.functions[base + "_forward"], reader.functions[name]
    stated = stated_shapes(forward, backward, source=reader.file_source)
    made: dict = {}
    for p in [a.arg for a in forward.args.args]:
        doc = stated.get(p)
        if p in reader.settings:
            made[p] = setting(reader, reader.settings[p], p)
        elif doc is not None and doc.shape is not None:
            made[p] = reader.leaf(p, shape_of(reader, doc.shape), role="data")
        elif p in ("bn_param", "dropout_param", "conv_param", "pool_param", "ln_param"):
            made[p] = layer_settings(reader, forward, p)
        elif p == "activation":  # deeplearning.ai's linear_activation_forward(A_prev, W, b, activation)
            raise TutorError(f"{base}_forward needs the setting 'activation', the name of the layer's activation",
                             origin=reader.origin, expected="--set activation=relu (or sigmoid)",
                             argument=("set", p))
        else:
            made[p] = reader.leaf(p, None, role="data")
    out = call_with(reader, Func(forward), made, stated, forward)
    output, cache = (out[0], out[1]) if isinstance(out, tuple) and len(out) >= 2 else (out, None)
    if not isinstance(output, Ref):  # `return out.T.do, cache`: nothing the backward's gradient can be of
        returned = returned_node(forward)
        shown = returned.elts[0] if isinstance(returned, ast.Tuple) and returned.elts else returned
        what = f"returns {reader.text(shown)}, which is" if shown is not None else "returns"
        raise reader.error(f"{forward.name} {what} not an array the layer computes", shown or forward,
                           "the layer's output array, e.g. return out, cache")
    bparams = [a.arg for a in backward.args.args]
    upstream = reader.leaf(bparams[0] if bparams else "dout", None, role="upstream")  # the file's name: dZ, dout
    args: dict[str, object] = {bparams[0]: upstream}
    for p in bparams[1:]:
        args[p] = cache if p == "cache" or cache is not None and p not in made else made.get(p)
    result = reader.call(Func(backward), [], args, backward)
    returned = returned_node(backward)
    values = result if isinstance(result, tuple) else (result,)
    names = names_of(returned, len(values)) if isinstance(returned, (ast.Tuple, ast.List)) else \
        [returned.id if isinstance(returned, ast.Name) else ""]
    arrays = [p for p in made if isinstance(made[p], Ref)]
    aliases = unpacked_leaves(reader, backward, args)
    if len(values) == 1 and len(arrays) == 1 and not gradients_in(reader, tuple(values), names, aliases):
        names = ["d" + arrays[0]]  # `return dout * out * (1 - out)`: the gradient of the forward's one input
    grads = gradients_in(reader, tuple(values), names, aliases)
    places = dict(zip(names, returned.elts)) if isinstance(returned, (ast.Tuple, ast.List)) else \
        {names[0]: returned} if isinstance(returned, ast.Name) and names and names[0] else {}
    assigns = sorted((s for s in ast.walk(backward) if isinstance(s, ast.Assign)), key=lambda s: s.lineno)
    places.update((t.id, t) for s in assigns for t in s.targets if isinstance(t, ast.Name) and t.id in places)
    for g in grads:  # `db = dout` returns the upstream itself: the claim is located where the name is assigned
        g.node = g.node or places.get(g.key)
    first = made.get(next(iter(made), ""))
    returned_forward = returned_node(forward)
    out_name = names_of(returned_forward, 2)[0] if isinstance(returned_forward, ast.Tuple) else \
        returned_forward.id if isinstance(returned_forward, ast.Name) else "out"
    return EntryReading(reader, f"{base}_forward/{name}", Ref("vjp"), grads, upstream=upstream.ident,
                        output=output, data=first.ident if isinstance(first, Ref) else None,
                        output_key=out_name or "out", notes=list(reader.notes))


def unpacked_leaves(reader: Reader, backward: ast.FunctionDef, args: dict) -> dict[str, str]:
    """The backward's own names for the forward's inputs, by their place in the cache: deeplearning.ai's
    `cache = (A, W, b)` unpacked as `A_prev, W, b = cache` makes `A_prev` the forward's `A` (and `dA_prev` its
    gradient); nested caches (`linear_cache, activation_cache = cache`) are followed. Name → leaf."""
    known: dict[str, object] = dict(args)
    for stmt in ast.walk(backward):
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
            continue
        value, target = cached(stmt.value, known), stmt.targets[0]
        if isinstance(target, ast.Name):
            known.setdefault(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (tuple, list)) \
                and len(value) == len(target.elts):
            known.update((t.id, v) for t, v in zip(target.elts, value) if isinstance(t, ast.Name) and t.id not in known)
    return {name: v.ident for name, v in known.items()
            if isinstance(v, Ref) and v.ident in reader.leaves and reader.leaves[v.ident].role != "upstream"
            and reader.leaves[v.ident].key != name}


def cached(node: ast.expr, known: dict):
    """The value of `cache`, `cache[1]` or `linear_cache[0]` among the backward's known names, or None."""
    if isinstance(node, ast.Name):
        return known.get(node.id)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        whole, key = cached(node.value, known), node.slice.value
        if isinstance(whole, (tuple, list)) and isinstance(key, int) and -len(whole) <= key < len(whole):
            return whole[key]
        if isinstance(whole, dict) and isinstance(key, str):  # cache = {"A": A, ...}; A_prev = cache["A"]
            return whole.get(key)
    return None


def layer_driver(reader: Reader, name: str) -> EntryReading:
    """A layer class (`Layer_Dense`): its `forward(inputs)` then `backward(dvalues)`, gradients on the object."""
    cls_name = name.split(".")[0]
    obj = construct(reader, cls_name)
    forward = Func(found_method(reader.classes[cls_name], "forward", reader.classes), obj)
    made: dict = {}
    stated = stated_shapes(forward.node, source=reader.file_source)
    result = call_with(reader, forward, made, stated, forward.node)
    output = obj.attrs.get("output", result)
    backward = Func(found_method(reader.classes[cls_name], "backward", reader.classes), obj)
    bparams = [a.arg for a in backward.node.args.args][1:]
    upstream = reader.leaf(bparams[0], None, role="upstream")
    returned = reader.call(backward, [upstream], {}, backward.node)
    grads = held_gradients(reader, obj)
    inputs = [a.arg for a in forward.node.args.args][1:]
    if isinstance(returned, Ref) and inputs and isinstance(made.get(inputs[0]), Ref):
        grads.append(Gradient(f"{cls_name}.{inputs[0]}", made[inputs[0]].ident, returned,
                              returned_node(backward.node)))  # what backward returns
    if not isinstance(output, Ref):
        raise TutorError(f"{cls_name}.forward sets no self.output", origin=reader.origin)
    return EntryReading(reader, f"{cls_name}.forward/{cls_name}.backward", Ref("vjp"), grads, upstream=upstream.ident,
                        output=output, notes=list(reader.notes))


def held_gradients(reader: Reader, obj: Obj) -> list[Gradient]:
    """The gradients an object holds beside its parameters: self.dweights beside self.weights, self.dLdW beside
    self.W (MIT 6.036), keyed `Class.weights`."""
    grads = []
    kept: dict = next((v for k, v in obj.attrs.items() if k in ("grads", "gradients") and isinstance(v, dict)), {})
    for params in (v for v in obj.attrs.values() if isinstance(v, dict) and v is not kept):
        for key, value in kept.items():  # self.grads["W"] beside self.params["W"]
            param = params.get(key)
            if isinstance(value, Ref) and isinstance(param, Ref) and param.ident in reader.leaves:
                grads.append(Gradient(f"{obj.cls.name}.{key}", param.ident, value))
    for attr, value in obj.attrs.items():
        for prefix in ("dLd", "d"):
            held = obj.attrs.get(attr[len(prefix):]) if attr.startswith(prefix) else None
            if isinstance(value, Ref) and isinstance(held, Ref) and held.ident in reader.leaves:
                grads.append(Gradient(f"{obj.cls.name}.{attr[len(prefix):]}", held.ident, value))
                break
    return grads


def loader_data(reader: Reader, stmt: ast.stmt) -> bool:
    """`X, y = spiral_data(samples=100, classes=3)`: a data set from a function the file imports (never run):
    data of unstated shape, and integer labels for a label's name. An imported module's own call
    (`nnfs.init()`) is skipped. True when the statement was one of these."""
    def imported(call) -> bool:
        head = call.func
        while isinstance(head, ast.Attribute):
            head = head.value
        return isinstance(head, ast.Name) and head.id not in reader.globals.names and head.id not in ("np", "numpy") \
            and head.id not in BUILTIN_NAMES
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and imported(stmt.value):
        return True
    if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) and imported(stmt.value)):
        return False
    targets = [e for t in stmt.targets for e in (t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t])]
    names = [t for t in targets if isinstance(t, ast.Name)]
    if len(names) != len(targets):
        return False
    for t in names:
        if t.id in LABEL_NAMES:
            n = soft(reader, "N")
            reader.globals.names[t.id] = reader.leaf(t.id, [n], t, role="data", kind="int", bound=soft(reader, "C"))
        else:
            reader.globals.names[t.id] = reader.leaf(t.id, [soft(reader, "N"), soft(reader, "D")], t, role="data")
    return True


def script_driver(reader: Reader, name: str) -> EntryReading:
    """A script (Karpathy's case study): its data and parameters made at module level, then one pass of its
    training loop, which computes the loss and the gradients before it updates the parameters."""
    loop = training_loop(reader)
    if loop is None:
        return module_driver(reader)
    body = reader.tree.body
    before = [s for s in body[:body.index(loop)]
              if not isinstance(s, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))]
    made_data(reader, before)
    names = reader.globals.names
    if isinstance(loop, ast.For):
        first = reader.ev(loop.iter)
        reader.bind(loop.target, next(iter(first)) if isinstance(first, (range, list, tuple)) and len(first) else 0,
                    loop)
    reader.run(loop.body)
    loss = names.get(next((n for n in LOSS_NAMES if isinstance(names.get(n), Ref)), ""))
    if not isinstance(loss, Ref):
        raise TutorError("the training loop computes no loss that can be read", origin=reader.origin,
                         expected="a line `loss = ...` in the loop")
    claims = {k: v for k, v in names.items() if isinstance(v, Ref) and v.ident not in reader.leaves}
    grads = gradients_in(reader, tuple(claims.values()), list(claims))
    for key, obj in names.items():  # dense1.dweights beside dense1.weights: two objects of one class, each its own
        if isinstance(obj, Obj):
            grads.extend(Gradient(f"{key}.{g.key.split('.', 1)[1]}", g.leaf, g.answer) for g in held_gradients(reader, obj))
    reader.notes.append("one pass of the training loop is read: the gradients before the parameters' update")
    return EntryReading(reader, "<module>", loss, grads, notes=list(reader.notes))


def made_data(reader: Reader, statements: list[ast.stmt]) -> None:
    """A script's lines that make its data and parameters, run as data: the arrays they make are the network's
    leaves (an integer `dtype` or `np.random.randint(0, K, size=n)` makes labels, below K where it says)."""
    reader.making_data = True
    reader.run([s for s in statements if not loader_data(reader, s)])
    reader.making_data = False
    names = reader.globals.names
    for key, value in list(names.items()):
        if isinstance(value, Init):
            bound = (value.bound if value.bound is not None else soft(reader, "C")) if value.kind == "int" else None
            names[key] = reader.leaf(key, value.shape, value.node, role="data", kind=value.kind, bound=bound)


def reduces_whole(node: ast.expr) -> bool:
    """A value that is one number with a gradient: a sum or mean over every axis (`np.sum(x)`, `-x.mean() / 2`),
    not an accuracy (`(probs.argmax(1) == Yb).mean()`), which has none."""
    if any(isinstance(n, ast.Compare) or isinstance(n, ast.Attribute) and n.attr in ("argmax", "argmin")
           for n in ast.walk(node)):
        return False
    while isinstance(node, (ast.UnaryOp, ast.BinOp)):
        if isinstance(node, ast.BinOp) and not isinstance(node.right, (ast.Constant, ast.Name)):
            return False
        node = node.operand if isinstance(node, ast.UnaryOp) else node.left
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
        node.func.attr in ("sum", "mean") and not node.keywords and len(node.args) <= (
            0 if not (isinstance(node.func.value, ast.Name) and node.func.value.id in ("np", "numpy")) else 1)


def module_driver(reader: Reader) -> EntryReading:
    """A script with its forward and backward pass at module level and no loop (backprop ninja's cells): the
    data and parameters it makes are the leaves, the loss is the last value its forward pass assigns, and the
    gradients are the `d…` names assigned after it."""
    found = module_gradients(reader)
    assert found is not None  # the entry point was recognised by its backward pass
    start, backward = found
    body = module_body(reader)
    made_data(reader, body[:start])
    forward = body[start:backward]
    reader.run(forward)
    names = reader.globals.names
    assigned = [(n, s.value) for s in forward if isinstance(s, ast.Assign) for t in s.targets
                for n in names_in(t) if isinstance(names.get(n), Ref)]
    named = [n for n, _ in assigned if n in LOSS_NAMES]
    scalars = [n for n, value in assigned if reduces_whole(value)]  # `nll = -logprobs[range(n), Yb].mean()`
    candidates = named or scalars or [n for n, _ in assigned]
    last = candidates[-1] if candidates else None
    loss = names.get(last) if last is not None else None
    if not isinstance(loss, Ref):
        raise TutorError("the script's forward pass computes no loss that can be read", origin=reader.origin,
                         expected="a line `loss = ...` before the backward pass")
    before = {k: v for k, v in names.items() if isinstance(v, Ref)}
    reader.run(body[backward:])
    claims = {k: v for k, v in names.items() if isinstance(v, Ref) and v.ident not in reader.leaves
              and before.get(k) != v}
    grads = gradients_in(reader, tuple(claims.values()), list(claims))
    reader.notes.append(f"the script's module body is read: the data and parameters it makes, its forward pass up "
                        f"to the loss, `{last}`, and the gradients assigned after it")
    return EntryReading(reader, "<module>", loss, grads, notes=list(reader.notes))


DRIVERS = {"method": method_driver, "function": function_driver, "split": split_driver,
           "backprop": backprop_driver, "pair": pair_driver, "layer": layer_driver, "script": script_driver}
