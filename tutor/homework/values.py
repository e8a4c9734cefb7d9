"""What the static reader knows about a value of the learner's program, without running it.

Python-level values (numbers, strings, lists, dicts, objects, functions) are followed exactly;
arrays are never computed: an array is a `Ref`, the name of a value in the flattened code.
"""
from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field


class Dim:
    """A size: a symbol such as `N` or `hidden_size`. A fresh one (`X.shape[0]` of an array whose
    shape no docstring gives) takes the first name the learner binds it to (`N, D = X.shape`)."""

    def __init__(self, name: str, fresh: bool = False):
        self.name = name
        self.fresh = fresh

    def __repr__(self) -> str:
        return self.name


class SizesText(Dim):
    """A tuple of sizes written into an array expression (`np.ones((1, self.N))`): rendered when the code is
    written out, as a size is, so that a size renamed after it was read (`A_0` that became `N`) is written by its
    last name."""

    def __init__(self, items: list):  # no Dim.__init__: the name is the items', whenever it is asked for
        self.items = items
        self.fresh = False

    @property
    def name(self) -> str:  # type: ignore[override]
        return "(" + ", ".join(str(v) for v in self.items) + ("," if len(self.items) == 1 else "") + ")"


@dataclass(frozen=True)
class Ref:
    """An array: the variable that holds it in the flattened code."""

    ident: str


@dataclass
class Leaf:
    """A leaf of the network: data or a parameter, under the learner's own name (`key`)."""

    ident: str
    key: str
    shape: list | None                 # Dim | int per axis; None while no one has said
    kind: str = "float"                # "float" | "int" (class labels) | "onehot"
    bound: object = None               # for labels: the number of classes (a Dim)
    role: str = "parameter"            # "parameter" | "data" | "upstream"
    node: ast.AST | None = None        # where it is introduced


@dataclass
class Obj:
    """An instance of one of the file's classes: its attributes, read and written statically."""

    cls: ast.ClassDef
    attrs: dict = field(default_factory=dict)
    label: str = ""                    # the name it is made under in a script (`dense1`), for its parameters


@dataclass
class Func:
    node: ast.FunctionDef
    owner: Obj | None = None           # a bound method's instance


@dataclass
class Class:
    node: ast.ClassDef


@dataclass(frozen=True)
class Builtin:
    name: str


@dataclass(frozen=True)
class NumPy:
    """`np`, `np.random`, `np.linalg`, or one of their functions (`path` as written after np.)."""

    path: str = ""


@dataclass
class Init:
    """An initialiser (`np.random.randn(D, H)`, `np.zeros((1, H))`): a parameter's shape, or as an
    array expression the call itself."""

    shape: list
    node: ast.expr
    kind: str = "float"                # "int" for integer arrays (`np.zeros(N, dtype='uint8')`: class labels)
    bound: object = None               # for `np.random.randint(0, K, size=n)`: the labels are below K


@dataclass
class ShapeOf:
    """`A.shape`: the dimensions of an array."""

    ref: Ref
    node: ast.AST


@dataclass
class Params:
    """Parameters passed in as a whole (`parameters`, `params`, a flat vector) whose entries become
    leaves as they are read: `parameters['W1']`, or slices of a flat vector reshaped (CS224n)."""

    name: str
    entries: dict = field(default_factory=dict)


@dataclass
class FlatSlice:
    source: Params
    node: ast.AST


class LayerSettings(dict):
    """A layer's dictionary of settings (`bn_param`, `dropout_param`): its entries come from --set by key."""


@dataclass
class Packed:
    """Gradients flattened and concatenated into one vector (`np.concatenate((gradW1.flatten(), ...))`)."""

    parts: list                        # (name as written, Ref)


class Drawn(list):
    """The indices a sampling helper drew (CS224n's negative samples): a list of K indices, each written as the
    entry of one integer vector `whole` (`negSampleWordIndices[3]`), the vector itself when used whole."""

    def __init__(self, whole: Ref, count: int):
        super().__init__(Ref(f"{whole.ident}[{k}]") for k in range(count))
        self.whole = whole


@dataclass
class Sizes:
    """A list of sizes passed in (`dimensions`, `layer_dims`) whose length the file does not fix:
    each entry read becomes a size symbol."""

    name: str
    items: dict = field(default_factory=dict)


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
    value: Iterable


@dataclass
class SliceOf:
    parts: list


@dataclass
class FlatShape:
    """A slice of a flat parameter vector, reshaped: a parameter whose name is the assignment's target."""

    shape: list
    node: ast.AST


SYM = object()   # an array expression, written in place (its text, with the parts that changed spliced in)


#: Loops are unrolled; a loop longer than this is not a loop over layers.
MAX_UNROLL = 64


BUILTINS = {"range", "len", "zip", "reversed", "enumerate", "list", "tuple", "str", "int", "float", "min", "max",
            "abs", "print", "isinstance", "dict", "sum", "sorted", "round", "bool"}


LANGUAGE_FUNCTIONS = {"sigmoid", "relu", "tanh", "softmax", "log_softmax"}


class Return(Exception):
    def __init__(self, value):
        self.value = value


@dataclass
class Frame:
    names: dict = field(default_factory=dict)
    function: str = "<module>"
    owner: "Obj | None" = None              # a method's instance, for super()
    cls: ast.ClassDef | None = None         # the class that defines the method


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
    if isinstance(v, BoundArrayMethod):
        return f"the array method .{v.name}, not a value"
    return "a value that is not an array"


def method_of(cls: ast.ClassDef, name: str, classes: dict, seen: frozenset = frozenset()) -> ast.FunctionDef | None:
    """The method `name` of the class or of the file's classes it derives from (a cycle of bases ends the search)."""
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == name:
            return stmt
    seen = seen | {cls.name}
    for base in cls.bases:
        if isinstance(base, ast.Name) and base.id in classes and base.id not in seen:
            found = method_of(classes[base.id], name, classes, seen)
            if found is not None:
                return found
    return None


def decorated(method: ast.FunctionDef, name: str) -> bool:
    """Whether the method carries the decorator `name` (`@staticmethod`, `@property`)."""
    return any(isinstance(d, ast.Name) and d.id == name for d in method.decorator_list)


def found_method(cls: ast.ClassDef, name: str, classes: dict) -> ast.FunctionDef:
    """`method_of` for a method an entry point was recognised by: it is there."""
    found = method_of(cls, name, classes)
    assert found is not None, f"{cls.name}.{name}"
    return found
