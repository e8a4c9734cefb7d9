"""Whether a learner's text is mathematics or code: decided before the readers of mathematics are
loaded, so a derivation in code never pays for them."""
from __future__ import annotations

import re

#: What only mathematics has (code never has a backslash, ^ or a prime).
MATH_MARKS = re.compile(r"[\\^'′ᵀŷŶ−∘⊙·⋅σδΔ∂∇Σ∑₀-₉ᵢⱼ⊤‖×∈ℝ]|\$|\bd[A-Za-z]\w*\s*/\s*d[A-Za-z]|\.\*")


def looks_like_math(text: str) -> bool:
    """Whether a derivation is written as mathematics rather than in the network language.
    Python that parses stays code (its own reader refuses what is outside the language), unless it
    is math that happens to parse: `W^T` (an XOR) or a name such as `ŷ`."""
    import ast
    from ..engine.language.ir import parse_python
    tree = None
    if len(text) < 100_000:   # Python as typed (`a = b; c = np.einsum('ij,ik->jk', …)`), or split at each `;`
        for attempt in (text, "\n".join(part.strip() for part in text.split(";"))):
            try:
                tree = parse_python(attempt)
                break
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
    if tree is not None:
        return any(isinstance(node, ast.BitXor) or isinstance(node, ast.Name) and not node.id.isascii()
                   for node in ast.walk(tree))
    without_comments = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    return bool(MATH_MARKS.search(without_comments) or LAYER_LETTER.search(without_comments))


#: A layer named by a letter in brackets, as course forums type it (dw[l] = dz[l] a[l-1]): never Python that parses.
LAYER_LETTER = re.compile(r"(?<![\w\\])d?[A-Za-z]\[[lL]\s*(?:[-+−]\s*\d)?\]")
