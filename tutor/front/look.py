"""How to draw: Unicode math and boxes, or plain ASCII for dumb terminals and `--plain`."""
from __future__ import annotations

from dataclasses import dataclass

from rich import box

from ..engine.language.dims import Shape, format_shape
from ..engine.language.printer import code, math


@dataclass(frozen=True)
class Look:
    """How to draw: Unicode math and boxes, or plain ASCII (`--plain`, TERM=dumb)."""

    unicode: bool = True

    @property
    def box(self):
        return box.ROUNDED if self.unicode else box.ASCII

    def shape(self, shape: Shape, bindings: dict[str, int] | None = None) -> str:
        symbolic = format_shape(shape, unicode=self.unicode)
        if bindings is None or all(d.is_literal for d in shape):
            return symbolic
        return f"{symbolic} = {format_shape(shape, bindings, unicode=self.unicode)}"

    def expr(self, expr) -> str:
        return math(expr) if self.unicode else code(expr)

    def text(self, s: str) -> str:
        if self.unicode:
            return s
        for a, b in (("∂", "d"), ("Σ_", "sum_"), ("Σ", "sum"), ("·", "*"), (" × ", " x "), ("×", " x "), ("≠", "!="),
                     ("✓", "[ok]"), ("✗", "[x]"), ("→", "->"), ("ŷ", "yhat"), ("−", "-"), ("∘", "*"),
                     ("ᵀ", ".T"), ("δ", "delta"), ("Δ", "Delta"), ("…", "..."), ("▸", ">"), ("←", "<-"),
                     ("²", "^2"), ("′", "'"), ("√", "sqrt"), ("½", "1/2"), ("σ", "sigma"), ("↓↑", "j/k"),
                     ("↓", "v"), ("↑", "^"), ("▏", "_"), ("–", "-"), ("⏎", "Enter")):
            s = s.replace(a, b)
        return s

    def ok(self, good: bool) -> str:
        return self.text("✓" if good else "✗")
