"""The package's layers, read from its imports: no cycles, imports point down, the core never loads the front.

Layers, lowest first: engine < teach < judge < notation (mathematics as written) < course < front < api < cli (`tutor.api`, the Python
face, is one module beside the command line). A module may import its own
layer or a lower one. A module that does not itself import rich or typer at module level must not
import, at module level, a module that does (lazy imports inside a function stay possible).
"""
from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tutor"
LAYERS = ("engine", "teach", "judge", "notation", "homework", "course", "front", "api", "cli")
FRONT_LIBRARIES = ("rich", "typer")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def resolve(module: str, node: ast.ImportFrom, is_package: bool) -> list[str]:
    """The tutor modules an ImportFrom names (`from ..engine.ir import Call` → tutor.engine.language.ir)."""
    if node.level == 0:
        base = node.module or ""
    else:
        parts = module.split(".")
        keep = len(parts) - node.level + (1 if is_package else 0)
        base = ".".join(parts[:keep] + ([node.module] if node.module else []))
    if not base.startswith("tutor"):
        return []
    names = [f"{base}.{alias.name}" for alias in node.names]
    return [n for n in names if n in MODULES] or [base]


def read_imports():
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top, anywhere, libraries = set(), set(), set()
        top_level = set(map(id, tree.body))
        for node in ast.walk(tree):
            found: list[str] = []
            if isinstance(node, ast.ImportFrom):
                found = resolve(name, node, path.name == "__init__.py")
                if node.level == 0 and node.module:
                    libraries.add(node.module.split(".")[0]) if id(node) in top_level else None
            elif isinstance(node, ast.Import):
                found = [a.name for a in node.names if a.name.startswith("tutor")]
                if id(node) in top_level:
                    libraries.update(a.name.split(".")[0] for a in node.names)
            anywhere.update(found)
            if id(node) in top_level:
                top.update(found)
        out[name] = (top - {name}, anywhere - {name}, libraries)
    return out


MODULES = {module_name(p) for p in PACKAGE.rglob("*.py")}


@functools.cache
def imports() -> dict:
    """read_imports(), once, when a test first needs it (not while every worker collects the suite)."""
    return read_imports()


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_there_are_no_import_cycles():
    IMPORTS = imports()
    graph = {m: {i for i in anywhere if i in MODULES} for m, (_, anywhere, _) in IMPORTS.items()}
    # a package's __init__ and its own modules are one unit, like any package
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in graph[m]:
            if state.get(n) == 1:
                raise AssertionError("import cycle: " + " → ".join(stack[stack.index(n):] + [n]))
            if n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


def test_imports_point_down_the_layers():
    IMPORTS = imports()
    wrong = [(m, i) for m, (_, anywhere, _) in IMPORTS.items() for i in anywhere
             if layer(m) is not None and layer(i) is not None and layer(i) > layer(m)]
    assert not wrong, "imports pointing up a layer: " + ", ".join(f"{m} → {i}" for m, i in wrong)


def test_the_core_never_imports_the_front_at_import_time():
    IMPORTS = imports()

    @functools.cache
    def loads_front(m: str) -> bool:  # the module graph has no cycles (test above), so once per module
        top, _, libraries = IMPORTS[m]
        return any(lib in libraries for lib in FRONT_LIBRARIES) or any(loads_front(i) for i in top if i in IMPORTS)

    for m, (top, _, libraries) in IMPORTS.items():
        in_front = layer(m) is not None and layer(m) >= LAYERS.index("front")
        if in_front or m == "tutor.__main__" or any(lib in libraries for lib in FRONT_LIBRARIES):
            continue
        culprits = [i for i in top if i in IMPORTS and loads_front(i)]
        assert not culprits, f"{m} has no rich/typer import of its own but imports {culprits}, which load them"
    for m in MODULES:
        if layer(m) is not None and layer(m) <= LAYERS.index("course"):
            assert not loads_front(m), f"the core module {m} loads rich or typer when imported"


def test_importing_the_package_or_asking_for_help_loads_neither_numpy_nor_rich():
    code = ("import sys, tutor\n"
            "assert 'numpy' not in sys.modules and 'rich' not in sys.modules and 'typer' not in sys.modules\n"
            "from typer.testing import CliRunner\nfrom tutor.cli import app\n"
            "assert CliRunner().invoke(app, ['--help']).exit_code == 0\n"
            "assert 'numpy' not in sys.modules, 'shapetutor --help imported numpy'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_derivation_and_its_check_never_load_numpy_random():
    """numpy.random (its bit generators, and hashlib to seed them) is a tenth of a command's start: the
    numeric check draws from tutor.engine.numbers.generator instead."""
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom tutor.cli import app\n"
            "done = CliRunner().invoke(app, ['derive', 'attention'])\n"
            "assert done.exit_code == 0 and 'verified numerically' in done.output, done.output\n"
            "assert 'numpy.random' not in sys.modules, 'derive imported numpy.random'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_folder_of_the_package_installs():
    """A folder of tutor/ that is not a listed package is left out of a real install (an editable one
    hides it): every folder holding Python has its __init__.py and its line in pyproject.toml."""
    import tomllib
    listed = set(tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    for folder in sorted({p.parent for p in PACKAGE.rglob("*.py")} - {PACKAGE}):
        if "__pycache__" in folder.parts:
            continue
        name = ".".join(folder.relative_to(PACKAGE.parent).parts)
        assert (folder / "__init__.py").exists(), f"{name} has no __init__.py"
        assert name in listed, f"{name} is not in pyproject.toml's packages"
