"""What `check` returns: the verdict on a learner's derivation, its steps and its diagnostics.

A `CheckResult` is plain, immutable data. `to_json()` is exactly what `check --json` prints;
`str()` is the plain-text diagnosis; notebooks and rich consoles draw it through the front.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..engine.diagnostics import Diagnostic, Span
from ..engine.language.dims import Shape, shape_json
from ..engine.language.ir import Expr
from ..engine.language.network import Network

VERDICTS = ("correct", "shape_error", "wrong_shape", "transposed", "scaled", "wrong_value", "unusable")


@dataclass(frozen=True)
class Line:
    name: str | None        # None for a bare final expression
    expr: Expr              # shapes filled in once checked
    span: Span | None
    claims: str | None      # the network node this line claims the gradient of
    shows: tuple[str, ...] = ()  # the names (as written) that hold this value afterwards


@dataclass(frozen=True)
class JudgedStep:
    """A line `dNAME = …` that claims ∂J/∂NAME, judged on its own."""

    name: str
    claims: str
    line: int
    col: int
    shape: Shape | None
    shape_ok: bool
    value_ok: bool | None
    var: str = ""           # the variable holding the claim's final value
    statement: int = 0      # the statement that gave it that value
    passed: tuple | None = None  # (span, input): the name then changed in place to ∂J/∂input

    def to_json(self) -> dict:
        return {"name": self.name, "claims": self.claims, "shape_ok": self.shape_ok, "value_ok": self.value_ok}


@dataclass(frozen=True)
class CheckResult:
    network: Network
    wrt: str
    source: str
    origin: str
    bindings: dict[str, int]
    verdict: str
    expected_shape: Shape
    shape: Shape | None
    shape_ok: bool
    value_ok: bool | None
    lines: tuple[Line, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    steps: tuple[JudgedStep, ...] = ()
    suggestion: str | None = ""   # a right derivation; None when withheld or when the text could not be read
    factor: float | None = None  # for `scaled`

    @classmethod
    def unusable(cls, network: Network, wrt: str, source: str, origin: str, bindings: dict[str, int],
                 diagnostic: Diagnostic) -> "CheckResult":
        """Text that cannot be used: the verdict `unusable`, with the located diagnostic that says why."""
        return cls(network, wrt, source, origin, bindings, "unusable", network.leaves[wrt], None, False, None, (),
                   (diagnostic,), (), None)

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"

    def withheld(self) -> "CheckResult":
        """The same verdict for graded work: no suggestion, and no diagnostic's `help` (each one is a fix)."""
        return replace(self, suggestion=None, diagnostics=tuple(replace(d, help=None) for d in self.diagnostics))

    def to_json(self) -> dict:
        """Exactly what `check --json` prints (every key is described in docs/json.md)."""
        return {"wrt": self.wrt, "verdict": self.verdict,
                "expected_shape": shape_json(self.expected_shape),
                "shape": shape_json(self.shape) if self.shape is not None else None,
                "shape_ok": self.shape_ok, "value_ok": self.value_ok,
                "diagnostics": [d.to_json() for d in self.diagnostics],
                "steps": [s.to_json() for s in self.steps],
                "suggestion": self.suggestion}
