"""deeplearning.ai's layer backward: the upstream gradient is per example, and the layer brings the 1/m back.

`linear_backward(dZ, cache)` computes `dW = 1./m * np.dot(dZ, A_prev.T)`: the course's dZ is m·∂J/∂Z (the
per-example gradient, as `dZ2 = A2 - Y` is), so the batch's 1/m is applied here, once, to the parameters'
gradients, and `dA_prev = np.dot(W.T, dZ)` is handed down per example again. Judged as the plain
vector–Jacobian product (the loss `sum(Z * dZ)`) that 1/m would be one too many. So a layer whose data has
its examples as columns (a last axis that no parameter has: `A` is (n_prev, m)) is judged in that convention
when it explains the file's own parameter gradients: the parameters against `sum(Z * dZ) / m`, the data's
gradient against `sum(Z * dZ)`. Without a 1/m anywhere the plain product holds (dW = dZ·A_prevᵀ is right);
a 1/m on some parameters and not on others is one missing, and a transposed or incomplete dW is wrong in
either convention.
"""
from __future__ import annotations

from ..engine.codes import N214
from ..engine.diagnostics import Diagnostic
from .entry import EntryReading
from .values import Dim


def examples_axis(reading: EntryReading) -> Dim | None:
    """m, when the layer's data (its forward's first input) is n×m with m a size no parameter has."""
    reader, data = reading.reader, reading.data
    if reading.upstream is None or data is None or data not in reader.leaves:
        return None
    shape = reader.leaves[data].shape or []
    if len(shape) != 2 or not isinstance(shape[-1], Dim):
        return None
    m = shape[-1]
    others = [leaf for ident, leaf in reader.leaves.items() if ident not in (data, reading.upstream)]
    if not others or any(d is m or str(d) == str(m) for leaf in others for d in leaf.shape or ()):
        return None
    return m


def vjp_line(reading: EntryReading, m: Dim | None) -> str:
    """The loss a layer's backward is judged against: `sum(out * upstream)`, over m in the per-example reading."""
    assert reading.output is not None and reading.upstream is not None
    line = f"vjp = np.sum({reading.output.ident} * {reading.upstream})"
    return f"{line} / {reading.data}.shape[-1]" if m is not None else line


def note(reading: EntryReading, m: Dim, key: str, span, origin: str) -> Diagnostic:
    """N214 on a parameter's gradient: the upstream is m·∂J/∂out and this line's 1/m makes up for it."""
    upstream = reading.reader.leaves[reading.upstream].key if reading.upstream else "dout"
    return N214.at(f"{upstream} is the course's per-example gradient, {m}·∂J/∂{reading.output_key}: the 1/{m} of "
                   f"the batch mean is applied here, once, so {key} is ∂J/∂{key.removeprefix('d')}",
                   span, origin=origin, concept="per-example", symbols=(("N", str(m)),))


def file_note(reading: EntryReading, m: Dim) -> str:
    upstream = reading.reader.leaves[reading.upstream].key if reading.upstream else "dout"
    data = reading.reader.leaves[reading.data].key if reading.data else "the data"
    return (f"{upstream} is read as deeplearning.ai's per-example gradient, {m}·∂J/∂{reading.output_key} (the "
            f"1/{m} comes back in each parameter's gradient, once); d{data} is handed down per example, "
            f"{m}·∂J/∂{data}")
