"""shapetutor: where the shapes in backpropagation come from.

    import tutor
    tutor.check("default", "W1", "x.T @ ((yhat - y) @ W2.T * h * (1 - h))").correct    # True
    tutor.derive("batch", wrt="W1").gradients["W1"].formula
    tutor.assert_correct("default", "W1", answer, suggestion=False)                      # a graded test cell

See docs/python.md. The names below load on first use (PEP 562), so `import tutor` imports
neither NumPy nor rich nor typer, and `shapetutor --help` stays fast.
"""
__version__ = "0.1.0"
__all__ = ["load", "derive", "check", "check_file", "assert_correct", "FileResult", "Network", "Derivation", "Gradient", "CheckResult",
           "Diagnostic", "ShapetutorError"]

TYPE_CHECKING = False  # not `from typing import TYPE_CHECKING`: importing typing would cost start-up time
if TYPE_CHECKING:
    from .api import (CheckResult, Derivation, Diagnostic, FileResult, Gradient, Network, ShapetutorError,
                      assert_correct, check, check_file, derive, load)


def __getattr__(name: str):
    if name in __all__:
        from . import api
        return getattr(api, name)
    raise AttributeError(f"module 'tutor' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
