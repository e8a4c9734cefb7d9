"""How the static reader reads an expression: Python values exactly, arrays as text to write out.

`ev(node)` is a node's value: a number, a string, a list, an object of the file's, a `Ref` to an
array, or `SYM` for an array expression written in place. `embed` records how a part of an array
expression must be written (a name put for a dictionary entry, a number for a setting).
"""
from __future__ import annotations

import ast
import re

from .activations import computes
from .host import ReaderHost
from .splice import splice
from .values import (BUILTINS, COMPARE, LANGUAGE_FUNCTIONS, SYM, BoundArrayMethod, BoundStatic, Builtin, Class, Dim, Drawn, SizesText,
                     FlatSlice, Func, Init, LayerSettings, Leaf, NumPy, Obj, Params, Ref, ShapeOf, SliceOf, Sizes, Star, describe,
                     decorated, eval_binop, is_number, is_static, method_of)


#: What to write instead of a module that is not read, by the module.
FOREIGN = {"torch": "the line in NumPy: np.eye(K)[idx] for F.one_hot(idx, K), x.max(axis=1) for x.max(1).values, "
                    "np.argmax(x, axis=1) for x.max(1).indices, .copy() for .clone()",
           "gym": "the forward and backward pass as functions of arrays, outside the environment's loop "
                  "(--function NAME to judge one)"}


def drawn_run(value: list) -> str | None:
    """`whole[a:b]` when the list is the drawn indices `whole[a]`, ..., `whole[b - 1]` in order (values.Drawn)."""
    parts = [re.fullmatch(r"(\w+)\[(\d+)\]", v.ident) for v in value]
    if not all(parts) or len({p.group(1) for p in parts if p}) != 1:
        return None
    ks = [int(p.group(2)) for p in parts if p]
    if ks != list(range(ks[0], ks[0] + len(ks))):
        return None
    return f"{parts[0].group(1)}[{ks[0]}:{ks[-1] + 1}]" if parts[0] else None


class Expressions(ReaderHost):
    """The expression half of `Reader` (a mixin: it uses the reader's state and errors)."""

    # -- expressions ------------------------------------------------------------------------------
    def embed(self, node: ast.expr, value) -> None:
        """`node`'s value as it must be written inside an array expression."""
        if value is SYM:
            return
        if isinstance(value, Ref):  # recorded even where the text is the name: the name may change (names.py)
            self.repl[id(node)] = (node, value.ident)
        elif isinstance(value, Dim):  # recorded even where the text is the name: a merge may rename the size
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
                self.repl[id(node)] = (node, SizesText(list(value)))
        elif isinstance(value, Drawn):  # the indices a sampling helper drew, used whole: `outsideVectors[negSamples]`
            self.repl[id(node)] = (node, value.whole.ident)
        elif isinstance(value, list) and value and all(isinstance(v, Ref) for v in value):
            run = drawn_run(value)  # `indices[1:]` of `[outsideWordIdx] + negSampleWordIndices`: the drawn ones
            if run is None:
                raise self.error(f"{self.text(node)!r} is a list of arrays, not one array, so it cannot be used in this "
                                 "array expression", node, "each part on its own (outsideVectors[outsideWordIdx] and "
                                 "outsideVectors[negSampleWordIndices]), or np.stack of arrays of one shape")
            self.repl[id(node)] = (node, run)
        elif isinstance(value, Init) and value.kind == "float" and not self.making_data and isinstance(
                value.node, ast.Call) and "random" in self.text(value.node.func) and node is value.node:
            # a draw used in an expression where it is made (`(np.random.rand(N, D) < p) / p`): data, fixed
            self.repl[id(node)] = (node, self.drawn(value.node, "draw", list(value.shape)).ident)
        elif isinstance(value, Init):
            self.symbolic(value.node)
            if isinstance(node, ast.Name) and node is not value.node and value.node is not None:
                # `Ones_C = np.ones((C, 1))`, then `... @ Ones_C`: the array it makes, written once under its name
                ref = self.materialize(value.node, node.id)
                self.frame.names[node.id] = ref
                self.repl[id(node)] = (node, ref.ident)
        elif isinstance(value, range) and isinstance(node, ast.Call):  # range(300) picks a row each
            self.symbolic(node)
        elif isinstance(value, ShapeOf):
            if isinstance(node, ast.Attribute):
                self.embed(node.value, value.ref)
            else:  # `x_dim = x.shape`, then `.reshape(x_dim)`: the shape it holds
                self.repl[id(node)] = (node, f"{value.ref.ident}.shape")
        elif isinstance(value, NumPy):
            written = self.text(node)
            if value.path and written not in (f"np.{value.path}", f"numpy.{value.path}") and not (
                    value.path in LANGUAGE_FUNCTIONS and written == value.path):
                self.repl[id(node)] = (node, f"np.{value.path}")  # xp.exp, or exp from `from numpy import exp`
        elif isinstance(value, Builtin):
            return
        else:
            raise self.error(f"{self.text(node)!r} is {describe(value)}, not an array, so it cannot be used in this "
                             "array expression", node)

    def super_call(self, node: ast.Call, hint: str):
        """`super().__init__()` in a method: the method of the file's base class, on the same object; a base class the
        file does not define (`ABC`, `object`) has an `__init__` that sets nothing read here."""
        owner, cls, name = self.frame.owner, self.frame.cls, node.func.attr  # type: ignore[attr-defined]
        if owner is None or cls is None:
            raise self.error("super() is followed only inside a method of the file's classes", node.func)
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in self.classes:
                method = method_of(self.classes[base.id], name, self.classes)
                if method is not None:
                    args, kwargs = self.arguments(node)
                    return self.call(Func(method, owner), args, kwargs, node, hint)
        if name == "__init__":
            return None
        raise self.error(f"the base class's {name}() is not in the file", node.func,
                         "the method written in the file's own class")

    def symbolic(self, node: ast.expr) -> None:
        """Write `node` as an array expression: its parts embedded one by one."""
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.embed(child, self.ev(child))
            elif isinstance(child, ast.keyword):
                self.embed(child.value, self.ev(child.value))

    def language_activation(self, fn: ast.FunctionDef) -> bool:
        """The file's own `sigmoid`/`tanh`/`relu`/`softmax` helper computes the language's function (checked once)."""
        known = self.activations.get(id(fn))
        if known is None:
            known = self.activations[id(fn)] = computes(fn, fn.name)
        return known

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
        module = self.imported.get(node.id)
        if module is not None:  # torch, F, gym, a course's loader: never imported, so nothing of it can be read
            hint = FOREIGN.get(module.split(".")[0], "the line written with NumPy (np....)")
            raise self.error(f"{node.id!r} comes from the module {module!r}, which is not read (only NumPy is: "
                             "nothing the file imports is run)", node, hint)
        if self.frame is not self.globals and any(
                isinstance(t, ast.Name) and t.id == node.id for s in self.tree.body if isinstance(s, ast.Assign)
                for t in s.targets):
            raise self.error(f"{node.id!r} is made at module level by code that is not run (only constants written "
                             "as literals are read there)", node,
                             f"{node.id} as an argument of the function, or a literal constant")
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
            if method is not None and decorated(method, "property"):
                return self.call(Func(method, base), [], {}, node, hint)  # @property def W(self): ...
            if method is not None:  # `self.ReLU(z)` of a @staticmethod takes no instance
                return Func(method, None if decorated(method, "staticmethod") else base)
            raise self.error(f"the object has no attribute {node.attr!r} here", node,
                             "an attribute set in __init__ or earlier")
        if isinstance(base, (Ref, Leaf)) or base is SYM:
            if node.attr == "shape":
                return ShapeOf(base, node) if isinstance(base, Ref) else SYM
            if node.attr == "size" and isinstance(base, Ref):  # m = y.size, of a vector: its length
                items = self.shape_items(ShapeOf(base, node), None, node)
                if items is not None and len(items) == 1:
                    return items[0]
            if node.attr == "astype":  # a change of float type: the same values here
                return BoundArrayMethod("astype", base)
            if node.attr == "dtype":  # `np.zeros(D, dtype=x.dtype)`: the data's float type
                return "float64"
            self.embed(node.value, base)
            return SYM if node.attr in ("T",) else BoundArrayMethod(node.attr)
        if isinstance(base, Init):
            if node.attr == "shape":
                return list(base.shape)
            self.embed(node.value, base)
            return SYM if node.attr == "T" else BoundArrayMethod(node.attr)
        if isinstance(base, Class):  # CrossEntropyCost.delta(z, a, y): a static method of the file's class
            method = method_of(base.node, node.attr, self.classes)
            if method is not None and decorated(method, "staticmethod"):
                return Func(method)
            raise self.error(f"{self.text(node)!r} is not a static method of the file's class {base.node.name}",
                             node)
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
            if isinstance(base, LayerSettings) and isinstance(key, str):
                raise self.error(f"{self.text(node)} is a setting of the layer that the file does not fix", node,
                                 f"--set {key}=... (the value of {self.text(node)})")
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
            if isinstance(key, int):  # `self.N = A.shape[0]` of data nothing states: a size of its rank-2 guess
                items = self.shape_items(base, None, node) or (self.guessed_rows(base) if key in (0, 1, -1) else None)
                if items is not None:
                    return items[key]
            if isinstance(key, slice):  # `np.prod(x.shape[1:])`: the sizes after the examples' axis
                items = self.shape_items(base, None, node) or self.guessed_rows(base)
                if items is not None:
                    return list(items[key])
            if isinstance(node.value, ast.Attribute):
                self.embed(node.value.value, base.ref)
            else:  # `x_dim = x.shape` earlier, then `x_dim[0]`: written as the shape it holds
                self.repl[id(node.value)] = (node.value, f"{base.ref.ident}.shape")
            return SYM
        if isinstance(base, Ref) or base is SYM or isinstance(base, Init):
            self.embed(node.value, base)
            self.embed_index(node.slice, key)
            return SYM
        raise self.error(f"{self.text(node.value)!r} is {describe(base)} and cannot be indexed here", node)

    def guessed_rows(self, shape: ShapeOf) -> list | None:
        """The data's shape, when no one states it and the file slices it (`x.shape[1:]`, CS231n's affine layer
        over inputs of shape (N, d_1, ..., d_k)): read as rows of examples, N×D, the sizes the network then fixes."""
        leaf = self.leaves.get(shape.ref.ident)
        if leaf is None or leaf.shape is not None or leaf.role != "data" or not self.guess_shapes:
            return None
        leaf.shape = [self.dim(f"{leaf.key}_{i}", fresh=True) for i in range(2)]
        for d in leaf.shape:
            d.soft = True  # type: ignore[attr-defined]
        self.guessed.append(leaf.ident)
        return list(leaf.shape)

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
        if isinstance(a, Init) and (is_number(b) or self.of_sizes(node.right)) or \
                isinstance(b, Init) and (is_number(a) or self.of_sizes(node.left)):
            return a if isinstance(a, Init) else b   # std * np.random.randn(D, H), randn(n, m) / np.sqrt(m)
        if is_static(a) and is_static(b) and not any(isinstance(v, (Dim, Ref, Init, ShapeOf)) for v in (a, b)):
            try:
                return eval_binop(node.op, a, b)
            except Exception:
                raise self.error("this operation cannot be computed", node) from None
        self.embed(node.left, a)
        self.embed(node.right, b)
        return SYM

    def of_sizes(self, node: ast.expr) -> bool:
        """A scale made of sizes and numbers only (`np.sqrt(layer_dims[l - 1])`, `2.0 / n`): no array in it."""
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and n.id not in ("np", "numpy"):
                for frame in (self.frame, self.globals):
                    if n.id in frame.names:
                        if not isinstance(frame.names[n.id], (int, float, Dim, list, tuple)):
                            return False
                        break
                else:
                    if n.id not in self.dims:
                        return False
        return not isinstance(node, ast.Constant)

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
        branch = node.body if test else node.orelse
        value = self.ev(branch, hint)
        if value is SYM:  # `np.tanh(z) if i < L else z`: the branch taken, written in place of the whole
            table = {k: (n, t.name if isinstance(t, Dim) else t) for k, (n, t) in self.repl.items()}
            self.repl[id(node)] = (node, "(" + splice(self.lines, branch, table).text + ")")
        elif isinstance(value, Ref):
            self.embed(node, value)
        return value

    def ev_JoinedStr(self, node, hint):
        return "".join(str(self.ev(v.value)) if isinstance(v, ast.FormattedValue) else v.value for v in node.values)

    def ev_Starred(self, node, hint):
        return Star(self.ev(node.value))

    def ev_Call(self, node, hint):
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call) and \
                isinstance(node.func.value.func, ast.Name) and node.func.value.func.id == "super":
            return self.super_call(node, hint)
        func = self.ev(node.func)
        if isinstance(func, str) and isinstance(node.func, ast.Name) and func in self.functions:
            func = Func(self.functions[func])  # `d_act_fn(z)` with `--set d_act_fn=relu_deriv`: the file's function
        if isinstance(func, Func):
            if func.owner is None and self.language_activation(func.node):
                if self.text(node.func) != func.node.name:
                    self.repl[id(node.func)] = (node.func, func.node.name)
                return self.numpy(func.node.name, node, hint)  # the learner's sigmoid(Z1), kept as written
            args, kwargs = self.arguments(node)
            return self.call(func, args, kwargs, node, hint)
        if isinstance(func, Class):
            args, kwargs = self.arguments(node)
            return self.instantiate(func, args, kwargs, node, hint)
        if isinstance(func, Builtin) and func.name == "print":
            return None  # what is printed is not read
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
            self.embed(node.func, func)
            return self.numpy(func.path, node, hint)
        if isinstance(func, BoundArrayMethod) and func.name == "astype":
            if func.base is SYM:  # `(probs - mask).astype(float)`: the array as written, its brackets kept
                table = {k: (n, t.name if isinstance(t, Dim) else t) for k, (n, t) in self.repl.items()}
                self.repl[id(node)] = (node, "(" + splice(self.lines, node.func.value, table).text + ")")
            return func.base
        if isinstance(func, BoundArrayMethod):
            for a in node.args:
                self.embed(a, self.ev(a))
            for k in node.keywords:
                self.embed(k.value, self.ev(k.value))
            return SYM
        if isinstance(func, Ref) and isinstance(node.func, ast.Name) and func.ident in self.leaves \
                and self.leaves[func.ident].role == "data":  # `d_act_fn(all_f[k])`: a function its caller passes
            named = ", ".join(n for n in self.functions) or "a function of the file"
            raise self.error(f"{node.func.id!r} is an argument this file calls as a function, and nothing in the file "
                             "says which function its caller passes", node.func,
                             f"--set {node.func.id}=NAME with NAME one of the file's functions ({named})")
        raise self.error(f"{self.text(node.func)!r} cannot be called here", node.func)

