"""The bundled lessons: lesson id → its TOML file, found without importing the lessons' reader (a walk
that ends by suggesting a lesson needs only their names and their networks)."""
from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


def bundled_folder() -> Traversable:
    """The lessons shipped with shapetutor: inside the installed package, or the checkout's lessons/.
    The package's folder is read directly: importlib.resources would import zipfile, for a package
    that is zipped only in an unusual installation (then it is used)."""
    try:
        package = import_module("tutor.lessons")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "lessons"
    for location in getattr(package, "__path__", ()):
        if Path(location).is_dir():
            return Path(location)
    from importlib import resources
    folder = resources.files(package)
    return folder if folder.is_dir() else Path(__file__).resolve().parents[2] / "lessons"


def bundled() -> dict[str, Traversable]:
    """Lesson id (the file name without .toml) → its resource."""
    folder = bundled_folder()
    return {e.name[:-5]: e for e in sorted(folder.iterdir(), key=lambda e: e.name) if e.name.endswith(".toml")}
