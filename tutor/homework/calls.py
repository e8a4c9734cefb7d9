"""How the static reader follows a call: the file's functions and classes inlined, Python's built-ins
computed, NumPy's initialisers read as shapes and its array functions written as they are."""
from __future__ import annotations

import ast
import builtins
from typing import cast

from .host import ReaderHost
from .values import (SYM, Class, Dim, Drawn, NumPy, FlatShape, FlatSlice, Frame, Func, Init, Obj, Packed, Params, Ref,
                     Return, ShapeOf, Sizes, Star, claims_one_of, is_number, is_static, method_of)

MAX_CALL_DEPTH = 32

INITIALISERS = {"random.randn", "random.rand", "random.normal", "random.uniform", "random.standard_normal",
                "zeros", "ones", "empty", "random.random", "full"}

#: NumPy's draws of floats: inside a layer's forward (not an initialiser) they are data, a fixed draw.
RANDOM_DRAWS = {"random.rand", "random.random", "random.uniform", "random.random_sample", "random.randn",
                "random.standard_normal"}

#: NumPy's functions that join a list of arrays (the language reads each as a concatenate).
STACKING = {"concatenate", "hstack", "vstack", "row_stack", "column_stack", "stack", "dstack"}

#: NumPy's scalar types called as functions: a cast that keeps the value.
FLOAT_CASTS = {"float64", "float32", "float16", "float_", "double", "single"}


def flattened(node: ast.expr) -> bool:
    """`gradW1.flatten()`, `g.ravel()`: a part of a packed vector of gradients (CS224n)."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
        and node.func.attr in ("flatten", "ravel") and not node.args


class Calls(ReaderHost):
    """The call half of `Reader` (a mixin: it uses the reader's state and errors)."""

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
            frame.owner = func.owner
            frame.cls = next((c for c in self.classes.values() if fn in c.body), None)
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
        drawn = self.drawn_indices(fn, frame, hint)
        if drawn is not None:
            return drawn
        saved, self.frame = self.frame, frame
        home = getattr(fn, "home", None)
        outer = (self.source, self.lines, self.site)
        if home is not None:  # a course helper: its lines stand for the call in the file
            self.source, self.lines = home, home.splitlines()
            self.site = self.site if self.site is not None else node
        self.depth += 1
        self.hints.append(hint if hint not in ("t", "out") else f"{fn.name}_out")
        self.result_names.append(self.result_naming(fn, hint))
        try:
            self.run([s for s in fn.body])
            result = None
        except Return as r:
            result = r.value
        finally:
            self.result_names.pop()
            self.hints.pop()
            self.depth -= 1
            self.frame = saved
            self.source, self.lines, self.site = outer
        return result

    def drawn(self, node: ast.Call, hint: str, shape: list | None) -> Ref:
        """A random draw inside the function read (dropout's mask, `np.random.rand(*x.shape) < p`): data, fixed while
        the gradients are checked, as the course's gradient checks fix the seed."""
        note = f"the random draw at line {node.lineno} ({self.text(node.func)}) is read as data, fixed while the " \
               "gradients are checked"
        if note not in self.notes:
            self.notes.append(note)
        return self.leaf(hint if hint not in ("t", "out") else "draw", shape, node, role="data")

    def drawn_indices(self, fn: ast.FunctionDef, frame: Frame, hint: str) -> list | None:
        """A helper that draws indices from an object the file is given and does not define (CS224n's
        `getNegativeSamples(outsideWordIdx, dataset, K)` calls `dataset.sampleTokenIdx()` in a loop of K, redrawing
        while it meets the outside word): what it returns is data, K indices each its own, below the size of the
        axis they pick from. Nothing else of it needs following. None for any other function."""
        opaque = {p for p, v in frame.names.items() if isinstance(v, Ref) and v.ident in self.leaves
                  and self.leaves[v.ident].role == "data" and self.leaves[v.ident].shape is None}
        if not opaque:
            return None
        import numpy  # what an array's own methods are called (x.reshape(...) on data is no draw)
        array_methods = set(dir(numpy.ndarray))
        draws = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)
                    and n.func.value.id in opaque and n.func.attr not in array_methods for n in ast.walk(fn))
        loop = next((n for n in fn.body if isinstance(n, ast.For)), None)
        if not draws or loop is None or not (isinstance(loop.iter, ast.Call) and isinstance(loop.iter.func, ast.Name)
                                             and loop.iter.func.id == "range" and len(loop.iter.args) == 1):
            return None
        saved, self.frame = self.frame, frame
        try:
            count = self.ev(loop.iter.args[0])
        finally:
            self.frame = saved
        if not isinstance(count, int) or isinstance(count, bool) or not 0 < count <= 64:
            raise self.error(f"{fn.name}() draws indices, but how many the file does not fix", loop.iter,
                             "a number of samples the file or --set gives (K=10)")
        bound = self.dim("V", fresh=True)
        bound.soft = True  # type: ignore[attr-defined]
        name = hint if hint not in ("t", "out") else f"{fn.name}_out"
        self.notes.append(f"{fn.name}() draws its indices from {', '.join(sorted(opaque))}, which is not read: its "
                          f"{count} indices are data, each its own")
        return Drawn(self.leaf(name, [count], fn, role="data", kind="int", bound=bound), count)

    def result_naming(self, fn: ast.FunctionDef, hint: str) -> dict[int, str]:
        """The caller's name for the value a helper returns: `A2 = sigmoid(Z2)`, where sigmoid writes
        `s = 1 / (1 + np.exp(-x)); return s`, names the value A2 (as the learner reads it), not s.
        Only a forward value whose caller's name is still free, computed by one last assignment."""
        body = fn.body
        if not body or not isinstance(body[-1], ast.Return) or not isinstance(body[-1].value, ast.Name) \
                or hint in ("t", "out") or hint in self.used or claims_one_of(hint, self.used):
            return {}
        local = body[-1].value.id
        for i in range(len(body) - 2, -1, -1):
            stmt = body[i]
            if isinstance(stmt, ast.Assign) and [t for t in stmt.targets if isinstance(t, ast.Name) and t.id == local]:
                later = body[i + 1:-1]
                stores = any(isinstance(n, (ast.Name, ast.Subscript, ast.Attribute)) and
                             isinstance(getattr(n, "ctx", None), ast.Store) and
                             local in {m.id for m in ast.walk(n) if isinstance(m, ast.Name)}
                             for later_stmt in later for n in ast.walk(later_stmt))
                return {} if stores or len(stmt.targets) != 1 else {id(stmt): hint}
            if any(isinstance(n, ast.Name) and n.id == local and isinstance(n.ctx, ast.Store)
                   for n in ast.walk(stmt)):
                return {}  # bound some other way (a loop, a tuple): left as the helper names it
        return {}

    def instantiate(self, cls: Class, args, kwargs, node, hint: str = "t") -> Obj:
        obj = Obj(cls.node, label=hint if self.frame is self.globals and hint not in ("t", "out") else "")
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
                return cast(list, self.shape_items(ShapeOf(v, node), None, node))[0] if self.shape_items(
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
            return list(items) if name == "list" else tuple(items) if name == "tuple" else sorted(items)
        if name == "dict":
            return dict(*args, **kwargs)
        if name == "float" and len(args) == 1 and isinstance(args[0], Ref):
            return args[0]  # float(np.squeeze(cost)): the same scalar
        if name in ("float", "int") and len(args) == 1 and isinstance(args[0], Dim):
            return args[0]  # float(N) in `/ float(N)`: the size itself, as a number
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
        if path in ("random.default_rng", "random.RandomState"):  # rng.normal(...) draws as np.random.normal does
            return NumPy("random")
        if path == "shape" and len(node.args) == 1 and not node.keywords:  # np.shape(A) is A.shape
            array = self.ev(node.args[0])
            if isinstance(array, Ref):
                return ShapeOf(array, node)
        if path == "random.randint":  # randint(0, K, size=n): n integer labels below K
            return self.integers(node)
        if path in INITIALISERS:
            shape = self.init_shape(path, node)
            if shape is None and path in RANDOM_DRAWS and len(node.args) == 1 and isinstance(node.args[0], ast.Starred):
                # dropout's `np.random.rand(*x.shape)` of data nothing states: a draw of the data's own shape
                like = self.ev(node.args[0].value)
                rows = (self.shape_items(like, None, node) or self.guessed_rows(like)) if isinstance(like, ShapeOf) \
                    else None
                return self.drawn(node, hint, list(rows) if rows else None)
            if shape is not None:
                dtype = next((k.value for k in node.keywords if k.arg == "dtype"), None)
                integer = isinstance(dtype, ast.Constant) and isinstance(dtype.value, str) and "int" in dtype.value \
                    or isinstance(dtype, (ast.Attribute, ast.Name)) and "int" in self.text(dtype)
                return Init(shape, node, "int" if integer else "float")
        if path in ("concatenate", "hstack") and node.args and isinstance(node.args[0], (ast.Tuple, ast.List)) \
                and any(flattened(e) for e in node.args[0].elts):
            parts: list[tuple[str, Ref]] = []
            for e in node.args[0].elts:
                inner = e.func.value if flattened(e) else e  # type: ignore[attr-defined]
                value = self.ev(inner)
                if not isinstance(value, Ref):  # not every part is an array: no packed vector
                    parts = []
                    break
                parts.append((self.text(inner), value))
            if parts:
                return Packed(parts)
        if path in STACKING and node.args and isinstance(node.args[0], (ast.Tuple, ast.List)):
            for e in node.args[0].elts:  # np.hstack([h, np.ones((N, 1))]): a list of arrays, written as it is
                self.embed(e, self.ev(e))
            for k in node.keywords:
                self.embed(k.value, self.ev(k.value))
            return SYM
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
        if path in ("prod", "product") and len(node.args) == 1 and not node.keywords:
            sizes = self.ev(node.args[0])  # np.prod(x.shape[1:]) of one size, or of numbers
            if isinstance(sizes, (list, tuple)) and len(sizes) == 1 and isinstance(sizes[0], (Dim, int)):
                return sizes[0]
            if isinstance(sizes, (list, tuple)) and sizes and all(is_number(d) for d in sizes):
                out = 1
                for d in sizes:
                    out *= d
                return out
        if path in FLOAT_CASTS and len(node.args) == 1 and not node.keywords:
            value = self.ev(node.args[0])
            if isinstance(value, (Dim, Ref)):
                return value  # np.float64(N), np.float32(loss): the same number
            if is_number(value):
                return float(value)
        if path == "random.seed":
            return None
        for a in node.args:
            self.embed(a, self.ev(a))
        for k in node.keywords:
            self.embed(k.value, self.ev(k.value))
        return SYM

    def integers(self, node: ast.Call) -> Init:
        """`np.random.randint(low, high, size)` (or `randint(high, size=n)`): integers below `high`, read as class
        labels of that bound."""
        given = dict(zip(("low", "high", "size"), node.args))
        given.update((k.arg, k.value) for k in node.keywords if k.arg in ("low", "high", "size"))
        high = given.get("high", given.get("low"))
        bound = self.ev(high) if high is not None else None
        size = self.ev(given["size"]) if "size" in given else None
        if isinstance(size, ShapeOf):
            size = self.shape_items(size, None, node)
        shape = list(size) if isinstance(size, (list, tuple)) else [size]
        if size is None or not all(isinstance(d, Dim) or isinstance(d, int) and not isinstance(d, bool) and d > 0
                                   for d in shape) or not isinstance(bound, (Dim, int)):
            raise self.error("these integers' number and bound are not sizes the file names", node,
                             "np.random.randint(0, K, size=n)")
        return Init(shape, node, "int", bound)

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
