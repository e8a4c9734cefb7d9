"""What the static reader knows about a value of the learner's program, without running it.

Python-level values (numbers, strings, lists, dicts, objects, functions) are followed exactly;
arrays are never computed: an array is a `Ref`, the name of a value in the flattened code.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field


class Dim:
    """A size: a symbol such as `N` or `hidden_size`. A fresh one (`X.shape[0]` of an array whose
    shape no docstring gives) takes the first name the learner binds it to (`N, D = X.shape`)."""

    def __init__(self, name: str, fresh: bool = False):
        self.name = name
        self.fresh = fresh

    def __repr__(self) -> str:
        return self.name


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
    node: ast.AST


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


@dataclass
class Packed:
    """Gradients flattened and concatenated into one vector (`np.concatenate((gradW1.flatten(), ...))`)."""

    parts: list                        # (name as written, Ref)


@dataclass
class Sizes:
    """A list of sizes passed in (`dimensions`, `layer_dims`) whose length the file does not fix:
    each entry read becomes a size symbol."""

    name: str
    items: dict = field(default_factory=dict)


SYM = object()   # an array expression, written in place (its text, with the parts that changed spliced in)
