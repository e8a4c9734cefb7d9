"""Which reader a network needs: a .net file is read by the engine alone; only a network written as
mathematics loads the readers of mathematics (a tenth of a command's start-up), and only then."""
from __future__ import annotations

import re

#: What only a network written as mathematics has; a .net file never does.
MATH_NETWORK = re.compile(r"\\begin\{align|\$|\\in\b|\\mathbb|\\frac|\\sigma|\\hat|\\text|\\operatorname|[∈ℝ·∘⊙σŷ]")


def is_math_network(spec: str | None, source: str) -> bool:
    if spec and spec.lower().endswith((".tex", ".md", ".markdown", ".txt")):
        return True
    if spec and spec.lower().endswith(".net"):  # the network language: a stray `$` is its syntax error, located
        return False
    return bool(MATH_NETWORK.search(source))


def load_any(spec: str | None):
    """`engine.network.load`, and also a network written as mathematics: (Network, what was assumed)."""
    from ..engine.language.network import load, parse_network, read_source
    source, origin = read_source(spec)
    if is_math_network(spec, source):
        from .placed import network_from_math
        return network_from_math(source, origin)
    return parse_network(source, origin) if spec else load(spec), []
