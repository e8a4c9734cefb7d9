"""What each half of the homework reader (`Expressions`, `Calls`) uses of the whole `Reader`: its state and
the methods the other half or the reader itself defines. Declared for the type checker only, so each half is
checked on its own; at run time the class is empty."""
from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..engine.errors import TutorError
    from .values import Dim, Frame, Func, Leaf, Ref, ShapeOf


class ReaderHost:
    if TYPE_CHECKING:
        source: str
        tree: ast.Module
        lines: list[str]
        site: ast.AST | None                 # where a course helper's lines stand in the file
        frame: Frame
        globals: Frame
        depth: int
        hints: list[str]
        result_names: list[dict[int, str]]
        used: set[str]
        calls: list[tuple[str, list]]
        classes: dict[str, ast.ClassDef]
        functions: dict[str, ast.FunctionDef]
        leaves: dict[str, Leaf]
        dims: dict[str, Dim]
        repl: dict
        imported: dict[str, str]             # a name the file imports from a module that is not read → the module
        activations: dict[int, bool]         # a helper's node id → it computes the language's activation
        guess_shapes: bool                   # data whose shape no one states: rank 2, sizes from the network
        guessed: list[str]                   # the leaves whose shapes were guessed
        notes: list[str]                     # what was assumed in reading the file, said beside the verdicts
        making_data: bool                    # a script's lines before its training loop

        def error(self, message: str, node=None, expected: str | None = None) -> TutorError: ...
        def text(self, node) -> str: ...
        def ev(self, node: ast.expr, hint: str = "t") -> Any: ...
        def numpy(self, path: str, node: ast.Call, hint: str) -> Any: ...
        def embed(self, node: ast.expr, value) -> None: ...
        def symbolic(self, node: ast.expr) -> None: ...
        def materialize(self, node: ast.expr, hint: str, target: ast.AST | None = None) -> Ref: ...
        def items(self, value, node) -> list: ...
        def run(self, body: list[ast.stmt]) -> None: ...
        def dim(self, name: str, fresh: bool = False) -> Dim: ...
        def leaf(self, key: str, shape, node=None, role: str = "parameter", kind: str = "float",
                 bound=None) -> Ref: ...
        def guessed_rows(self, shape: ShapeOf) -> list | None: ...
        def drawn(self, node: ast.Call, hint: str, shape: list | None) -> Ref: ...
        def arguments(self, node: ast.Call, hint: str = "arg") -> Any: ...
        def call(self, func: Func, args: list, kwargs: dict, node, hint: str = "out") -> Any: ...
