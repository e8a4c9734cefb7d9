"""Where a homework file starts: which of its functions or classes a course's grader would call.

Each course has its own shape of entry point (drivers.py reads each one):

* a class with `loss(X, y)` that returns the loss and a dict of gradients (CS231n's TwoLayerNet, FullyConnectedNet);
* `forward_propagation` / `compute_cost` / `backward_propagation` with a dict cache (deeplearning.ai,
  and `L_model_forward` / `L_model_backward` for L layers);
* a function that returns the loss and the gradients (CS224n's `forward_backward_prop`, `softmax_loss`);
* a class with `backprop(x, y)` over lists of layers (Nielsen's network.py), its cost implied by
  `cost_derivative`;
* a layer's backward paired with its forward (`affine_forward`/`affine_backward`, `Layer_Dense.forward`/`backward`),
  judged as the vector–Jacobian product with an upstream gradient;
* a script's training loop around a forward and a backward pass.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from ..engine.errors import TutorError
from .reader import IN_PLACE_METHODS, Reader
from .values import NumPy, Ref, method_of


LOSS_NAMES = ("loss", "cost", "J", "data_loss", "total_loss", "L", "obj")
LOSS_FUNCTIONS = ("forward_backward_prop", "loss", "softmax_loss", "svm_loss", "softmax_loss_vectorized",
                  "svm_loss_vectorized", "softmax_loss_naive", "svm_loss_naive", "two_layer_net", "loss_and_grads",
                  "compute_loss_and_gradients", "model_loss")


@dataclass
class Gradient:
    key: str          # the learner's name for the parameter ('W1', 'biases[0]', 'dx')
    leaf: str         # the network's leaf
    answer: Ref       # the value the file computes for it
    node: ast.AST | None = None


@dataclass
class EntryReading:
    """What one entry point of a homework file computes: its loss and the gradients it returns."""

    reader: Reader
    entry: str
    loss: Ref
    gradients: list[Gradient]
    upstream: str | None = None     # the upstream gradient's leaf, for a layer's backward
    output: Ref | None = None       # the layer's output, for a layer's backward
    notes: list[str] = field(default_factory=list)
    loss_text: str | None = None    # a loss the file only implies, added as the network's last line
    data: str | None = None         # the layer's data (its forward's first input), for a layer's backward
    output_key: str = "out"         # the file's name for the layer's output


def entries(reader: Reader) -> list[tuple[str, str]]:
    """(driver, name) of every entry point the file has, best first."""
    found = []
    for name, cls in reader.classes.items():
        if method_of(cls, "loss", reader.classes) is not None:
            found.append(("method", f"{name}.loss"))
    f = reader.functions
    for name in sorted(f, key=len):  # backward_propagation, backward_propagation_with_regularization, ..._n
        if name.startswith("backward_propagation") and split_partners(reader, name)[0] is not None:
            found.append(("split", name))
    if "L_model_backward" in f and "L_model_forward" in f:
        found.append(("split", "L_model_backward"))
    if not found:  # the course's passes under the learner's own names: forward_prop, cost_function, backprop
        found += [("split", n) for n in f if split_partners(reader, n)[0] is not None and renamed_backward(n, f[n])]
    if not found:  # per-layer parameters in lists: forward_pass(x, all_weights, all_biases), backward_pass(...)
        found += [("lists", n) for n in f if list_partners(reader, n)[0] is not None]
    if not found:  # the same on an object: self.all_weights, forwardPassForOneInput(x), backward_pass(all_f, ...)
        found += [("object_lists", f"{name}.{m.name}") for name, cls in reader.classes.items()
                  if (m := object_list_partners(reader, cls)[2]) is not None]
    for name in LOSS_FUNCTIONS:
        if name in f:
            found.append(("function", name))
    for name, fn in f.items():  # propagate(w, b, X, Y) -> grads, cost; costFunction(theta, X, y) -> J, grad
        if name not in LOSS_FUNCTIONS and returns_loss_and_gradients(fn):
            found.append(("function", name))
    for name, cls in reader.classes.items():
        if method_of(cls, "backprop", reader.classes) is not None:
            found.append(("backprop", f"{name}.backprop"))
    for name in f:
        if pair_base(name) + "_forward" in f and upstream_first(f[name]):
            found.append(("pair", name))
    if not found and (training_loop(reader) is not None or module_gradients(reader) is not None):
        found.append(("script", "<module>"))
    for name, cls in reader.classes.items():
        backward = method_of(cls, "backward", reader.classes)
        if backward is not None and method_of(cls, "forward", reader.classes) and len(backward.args.args) == 2:
            found.append(("layer", f"{name}.backward"))
        elif backward is not None and loss_layer(cls, reader.classes) and not passes_through(reader):
            found.append(("loss_layer", f"{name}.backward"))  # MSELoss.forward(A, Y), backward()
    return found


GRADIENT_NAMES = ("grads", "gradients", "grad", "gradient")


def returns_loss_and_gradients(fn: ast.FunctionDef) -> bool:
    """The function's last return is a tuple naming a loss and a gradient (`return grads, cost`)."""
    returned = returned_node(fn)
    if not isinstance(returned, ast.Tuple):
        return False
    names = names_of(returned, len(returned.elts))
    args = {a.arg for a in fn.args.args}
    args |= {n.slice.value for n in ast.walk(fn) if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name)
             and n.value.id in args and isinstance(n.slice, ast.Constant) and isinstance(n.slice.value, str)}
    # (a parameter read from a dict argument, `params['theta']`, names its gradient's key too)

    def gradient(n: str) -> bool:
        return n in GRADIENT_NAMES or n.startswith("grad") or n.startswith("d") and n[1:] in args

    # `return cost, {"dW1": dW1, ...}`: a dictionary written in the return whose keys name gradients
    written = any(isinstance(e, ast.Dict) and e.keys and all(
        isinstance(k, ast.Constant) and isinstance(k.value, str) and (gradient(k.value) or k.value in args)
        for k in e.keys) for e in returned.elts)
    return any(n in LOSS_NAMES for n in names) and (written or any(gradient(n) for n in names if n not in LOSS_NAMES))


def pair_base(name: str) -> str:
    """`affine` of `affine_backward`, `batchnorm` of CS231n's `batchnorm_backward_alt` (a second backward pass of the
    same forward); '' for a name that is no layer's backward."""
    found = re.fullmatch(r"(\w+?)_backward(?:_[a-z0-9]+)?", name)
    return found.group(1) if found else ""


def upstream_first(backward: ast.FunctionDef) -> bool:
    """`affine_backward(dout, cache)`: an upstream gradient first (pg-pong's `policy_backward(eph, epdlogp)`
    takes a batch of hidden states first and is no vector–Jacobian product of `policy_forward(x)`)."""
    args = backward.args.args
    return len(args) >= 1 and args[0].arg.startswith(("d", "grad", "upstream"))


def pick(reader: Reader, function: str | None) -> list[tuple[str, str]]:
    found = entries(reader)
    if function is not None:
        chosen = [e for e in found if e[1] == function or e[1].split(".")[-1] == function
                  or e[1].split(".")[0] == function]
        if chosen:
            return chosen[:1]
        if function in reader.functions:
            return [("function", function)]
        raise TutorError(f"the file has no entry point {function!r}",
                         expected="one of: " + (", ".join(e[1] for e in found) or "none found"),
                         argument=("function", function))
    if not found:
        loop = next((s for s in reader.tree.body if isinstance(s, (ast.For, ast.While))), None)
        where = f" (the loop at line {loop.lineno} computes no `loss` or `cost` to judge its gradients against)" \
            if loop is not None else ""
        raise TutorError("no entry point found: no loss method, forward/backward pair or loss function" + where,
                         origin=reader.origin, expected="name the function that computes the loss and gradients "
                                                        "with --function NAME")
    first = found[0][0]
    if first in ("function", "pair", "layer", "loss_layer"):  # a file of layers and losses (CS231n's layers.py)
        return [e for e in found if e[0] in ("function", "pair", "layer", "loss_layer")]
    return found[:1]


def names_of(node: ast.AST | None, count: int) -> list[str]:
    if isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) == count:
        return [e.id if isinstance(e, ast.Name) else e.attr if isinstance(e, ast.Attribute) else ""
                for e in node.elts]
    return [""] * count


def returned_node(func: ast.FunctionDef) -> ast.AST | None:
    """What the function's own last `return` gives (a function defined inside it returns for itself)."""
    rets: list[ast.Return] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Return) and child.value is not None:
                rets.append(child)
            elif not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                visit(child)
    visit(func)
    rets.sort(key=lambda r: (r.lineno, r.col_offset))
    return rets[-1].value if rets else None


# -- the drivers ---------------------------------------------------------------------------------

def split_partners(reader: Reader, backward: str) -> tuple[ast.FunctionDef | None, ast.FunctionDef | None]:
    """The forward pass and the cost a deeplearning.ai backward pass goes with, by the course's names:
    `backward_propagation_with_dropout` with `forward_propagation_with_dropout`, and
    `backward_propagation_with_regularization` with `forward_propagation` and
    `compute_cost_with_regularization`; the plain names where the suffixed ones do not exist. A backward
    pass under the learner's own name (`backprop(AL, Y, caches)`) goes with the one forward pass and the
    one cost the file has under theirs (`forward_prop`, `cost_function`)."""
    f = reader.functions
    if backward == "L_model_backward":
        return f.get("L_model_forward"), f.get("compute_cost")
    if not backward.startswith("backward_propagation"):
        if backward not in f or not renamed_backward(backward, f[backward]):
            return None, None
        return one_named(f, "forward"), one_named(f, "cost")
    suffix = backward[len("backward_propagation"):]
    return f.get("forward_propagation" + suffix, f.get("forward_propagation")), \
        f.get("compute_cost" + suffix, f.get("compute_cost"))


def loss_layer(cls: ast.ClassDef, classes: dict) -> bool:
    """`forward(self, A, Y)` and `backward(self)`: a loss written as a layer (CMU 11-785's MSELoss), read by
    loss_layers.py."""
    forward, backward = method_of(cls, "forward", classes), method_of(cls, "backward", classes)
    return forward is not None and backward is not None and len(forward.args.args) == 3 and \
        len(backward.args.args) == 1


def passes_through(reader: Reader) -> bool:
    """A layer of the file whose backward hands its upstream gradient back unchanged (MIT 6.036's SoftMax,
    `return dLdZ`): the file's loss layer then returns the gradient of the scores before that layer (NLL's
    `Ypred - Y`), not of its own input, and is not judged as a loss layer of its own."""
    for cls in reader.classes.values():
        backward = method_of(cls, "backward", reader.classes)
        if backward is not None and returns_its_argument(backward) and not returns_its_argument(
                method_of(cls, "forward", reader.classes)):   # an identity layer's backward is rightly that
            return True
    return False


def returns_its_argument(method: ast.FunctionDef | None) -> bool:
    """`def backward(self, dLdZ): return dLdZ`: a method that hands back its one argument unchanged."""
    return method is not None and len(method.args.args) == 2 and \
        isinstance(returned := returned_node(method), ast.Name) and returned.id == method.args.args[1].arg


def list_partners(reader: Reader, backward: str) -> tuple[ast.FunctionDef | None, ast.FunctionDef | None]:
    """The forward pass and the loss a backward pass over lists of per-layer parameters goes with (Understanding
    Deep Learning's `forward_pass(net_input, all_weights, all_biases)`, `least_squares_loss(net_output, y)` and
    `backward_pass(all_weights, all_biases, all_f, all_h, y)`): the one forward pass that takes lists of arrays
    and the one loss, when what the backward returns are, by their names, the gradients of those lists."""
    f = reader.functions
    forwards = [fn for n, fn in f.items() if n != backward and "forward" in n.lower() and layer_lists(fn)]
    losses = [fn for n, fn in f.items() if n != backward and names_a_loss(n)]
    if len(forwards) != 1 or len(losses) != 1 or backward not in f or f[backward] in forwards + losses:
        return None, None
    lists = layer_lists(forwards[0])
    if not any(gradient_of_list(n, lists) for n in returned_names(f[backward])):  # (dl_dh, dl_df may come back too)
        return None, None
    return forwards[0], losses[0]


def names_a_loss(name: str) -> bool:
    """`least_squares_loss`, `compute_cost`; not the loss's derivative (`d_loss_d_output`, `loss_grad`)."""
    return bool(re.search(r"loss|cost", name, re.IGNORECASE)) and \
        not re.search(r"(^|_)d_?(loss|cost)|_d_|deriv|grad|backward|prime", name, re.IGNORECASE)


def returned_names(fn: ast.FunctionDef) -> list[str]:
    """The names a function returns: each of a tuple's, or the one name (`return all_dl_dweights`)."""
    returned = returned_node(fn)
    if isinstance(returned, (ast.Tuple, ast.List)):
        return names_of(returned, len(returned.elts))
    return names_of(ast.Tuple([returned]), 1) if isinstance(returned, (ast.Name, ast.Attribute)) else []


def object_list_partners(reader: Reader, cls: ast.ClassDef) -> tuple:
    """(forward, loss, backward) methods of a class that holds its per-layer arrays in lists (`self.all_weights`):
    the one method named forward, the one loss, and a backward whose returned lists are, by their names, the
    gradients of the object's lists. (None, None, None) otherwise."""
    methods = [m for m in cls.body if isinstance(m, ast.FunctionDef)]
    held = sorted({t.attr for m in methods for node in ast.walk(m) for t in
                   (node.targets if isinstance(node, ast.Assign) else []) if isinstance(t, ast.Attribute)
                   and isinstance(t.value, ast.Name) and t.value.id == "self"})
    forwards = [m for m in methods if "forward" in m.name.lower()]
    losses = [m for m in methods if names_a_loss(m.name)]
    if len(forwards) != 1 or len(losses) != 1:
        return None, None, None
    for m in methods:
        if m not in forwards + losses and any(gradient_of_list(n, held) for n in returned_names(m)):
            return forwards[0], losses[0], m
    return None, None, None


def layer_lists(fn: ast.FunctionDef) -> list[str]:
    """The arguments a function reads as lists of per-layer arrays: indexed with a variable (`all_weights[layer]`),
    counted (`len(all_weights)`) or run over (`zip(weights, biases)`)."""
    args = [a.arg for a in fn.args.args if a.arg != "self"]

    def listed(name: str) -> bool:
        for node in ast.walk(fn):
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == name and \
                    not isinstance(node.slice, (ast.Constant, ast.Slice, ast.Tuple)):
                return True
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("len", "zip") and \
                    any(isinstance(a, ast.Name) and a.id == name for a in node.args):
                return True
            if isinstance(node, ast.For) and isinstance(node.iter, ast.Name) and node.iter.id == name:
                return True
        return False
    return [a for a in args if listed(a)]


def list_stem(name: str) -> str:
    """What a list of per-layer values is of: `all_weights`, `all_dl_dweights`, `dW_list` and `grads_W` → weights
    or w (lower case, without the words for 'all', 'gradient' and 'list')."""
    stem = name.lower()
    for prefix in ("all_", "grads_", "grad_", "nabla_", "dl_d", "dloss_d", "dj_d", "d_", "d"):
        if stem.startswith(prefix) and len(stem) > len(prefix):
            stem = stem[len(prefix):]
    for suffix in ("_list", "_grads", "_grad", "s"):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[:-len(suffix)]
    return stem


def gradient_of_list(name: str, lists: list[str]) -> str | None:
    """The list of parameters a returned list of gradients is of, by its name (`all_dl_dweights` of
    `all_weights`), or None."""
    if not name or name in lists:
        return None
    stem = list_stem(name)
    found = [p for p in lists if list_stem(p) == stem] or [p for p in lists if list_stem(p)[:1] == stem[:1]]
    return found[0] if len(found) == 1 else None  # (Nielsen's `nabla_b` is of `biases` by its initial)


def renamed_backward(name: str, fn: ast.FunctionDef) -> bool:
    """A whole network's backward pass under another name: `backprop(AL, Y, caches)`, `model_backward(...)`,
    `backward(parameters, cache, X, Y)`; never one layer's (`linear_backward(dZ, cache)`, `relu_backward`)."""
    args = [a.arg for a in fn.args.args]
    return ("backward" in name.lower() or "backprop" in name.lower()) and len(args) >= 3 and \
        any(a.lower().startswith("cache") for a in args) and any(a in ("Y", "y", "Y_train", "labels") for a in args)


def one_named(functions: dict, word: str) -> ast.FunctionDef | None:
    """The one function whose name says `word` (`forward_prop`, `cost_function`), leaving out a layer's own
    (`linear_forward`, `linear_activation_forward`) and a derivative (`cost_derivative`)."""
    found = [fn for n, fn in functions.items() if word in n.lower() and "derivative" not in n.lower()
             and not n.lower().startswith(("linear", "relu", "sigmoid", "tanh", "softmax", "one_layer", "single"))
             and "activation" not in n.lower()]
    return found[0] if len(found) == 1 else None


def training_loop(reader: Reader) -> ast.For | ast.While | None:
    """A script's loop whose body computes a loss and gradients (`for i in range(10000): ... dW = ...`, or
    `while True:` around a forward and a backward pass; `dense2.backward(...)` on the file's layer objects)."""
    for stmt in reader.tree.body:
        if isinstance(stmt, (ast.For, ast.While)):
            names = {t.id for s in ast.walk(stmt) if isinstance(s, (ast.Assign, ast.AugAssign))
                     for t in (s.targets if isinstance(s, ast.Assign) else [s.target]) if isinstance(t, ast.Name)}
            backward = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "backward"
                           for n in ast.walk(stmt))
            if any(n in LOSS_NAMES for n in names) and (backward or any(n.startswith(("d", "grad")) for n in names)):
                return stmt
    return None


INITIALISER_CALLS = ("zeros", "ones", "empty", "full", "eye", "arange", "linspace")


def makes_data(stmt: ast.stmt) -> bool:
    """A script's statement that makes its data or parameters: sizes (`N, D, C = 8, 4, 3`), an initialiser
    (`W = 0.01 * np.random.randn(D, C)`), a loop or a write filling a data set (`X[ix] = ...`)."""
    if isinstance(stmt, (ast.For, ast.While, ast.Expr)):
        return True
    if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Subscript) for t in stmt.targets):
        return True
    value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
    if value is None:
        return False
    if not any(isinstance(n, ast.Name) for n in ast.walk(value)):
        return True  # constants
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and
               (n.func.attr in INITIALISER_CALLS or ast.unparse(n.func.value).endswith("random"))
               for n in ast.walk(value))


def module_gradients(reader: Reader) -> tuple[int, int] | None:
    """A script with no functions and no loop, its forward and backward pass at module level (backprop ninja):
    (where its forward pass starts, where its backward pass starts) among the module's statements, or None.
    The backward starts at the first assignment to a `d…` name whose rest the file assigned before it (`dW`
    after `W`, `dlogprobs` after `logprobs`); the forward at the first statement that is not making data."""
    body = module_body(reader)
    assigned: set[str] = set()
    start = None
    for i, stmt in enumerate(body):
        targets = [t for t in (stmt.targets if isinstance(stmt, ast.Assign) else
                               [stmt.target] if isinstance(stmt, ast.AugAssign) else [])]
        names = [t.value.id if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) else
                 t.id if isinstance(t, ast.Name) else "" for t in targets]
        if start is not None and any(n.startswith("d") and n[1:] in assigned for n in names):
            return (start, i) if start < i else None
        if start is None and not makes_data(stmt):
            start = i
        assigned.update(n for t in targets for n in names_in(t))
    return None


def module_body(reader: Reader) -> list[ast.stmt]:
    """A script's statements, without its definitions, imports, docstrings and lines that only look."""
    return [s for s in reader.tree.body
            if not isinstance(s, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))
            and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)) and not looks_only(reader, s)]


def looks_only(reader: Reader, stmt: ast.stmt) -> bool:
    """A script's line that only looks at its arrays (`print(loss)`, `cmp('dW', dW, W_grad)`, `plt.plot(...)`): a call
    whose result is unused, to anything but NumPy (whose in-place `np.add.at` changes an array)."""
    if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return False
    head = stmt.value.func
    if isinstance(head, ast.Attribute) and head.attr in IN_PLACE_METHODS:
        return False  # `dC.fill(0)` changes the array: it is read (and refused there)
    while isinstance(head, ast.Attribute):
        head = head.value
    return isinstance(head, ast.Name) and head.id not in ("np", "numpy") and \
        not isinstance(reader.globals.names.get(head.id), NumPy)


def names_in(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for e in target.elts for n in names_in(e)]
    return []
