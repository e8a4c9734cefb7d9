"""Reproducible random numbers for the numeric checks, without importing `numpy.random`.

`numpy.random` loads every bit generator it has, and `secrets` and `hashlib` to seed them: about a
tenth of what a learner's `derive` or `check` costs to start. The checks need draws that are
reproducible from a seed and free of visible pattern, not a statistician's generator, so they use
SplitMix64 (Steele, Lea and Flood, 2014) over a counter: a handful of vectorised integer operations
per number, the same numbers on every machine, and any stretch of the stream at the same cost.

`Generator` answers the calls the checks make of NumPy's (`random`, `uniform`, `standard_normal`,
`integers`) with NumPy's meaning of `size`, so code written against either works with both.
"""
from __future__ import annotations

import math

import numpy as np

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15  # SplitMix64's increment: 2⁶⁴ divided by the golden ratio, made odd


def mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on uint64 values, in place (arrays wrap around on overflow, as wanted)."""
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


def count(size) -> tuple[tuple[int, ...] | None, int]:
    """NumPy's `size` argument (None, an int or a tuple) as a shape (None for a scalar) and a count."""
    if size is None:
        return None, 1
    shape = (int(size),) if isinstance(size, (int, np.integer)) else tuple(int(n) for n in size)
    return shape, math.prod(shape)


class Generator:
    """A stream of random numbers determined by its seed: the i-th 64 bits are SplitMix64 of
    seed-derived key + i·golden, so drawing n numbers costs the same wherever the stream stands."""

    def __init__(self, seed: int = 0):
        self.key = (int(seed) * 0xD1B54A32D192ED03 + 0x8CB92BA72F3D8DD7) & MASK
        self.drawn = 0

    def bits(self, n: int) -> np.ndarray:
        """The next n 64-bit words of the stream."""
        start = (self.key + self.drawn * GOLDEN) & MASK
        self.drawn += n
        z = np.arange(n, dtype=np.uint64)
        z *= np.uint64(GOLDEN)
        z += np.uint64(start)
        return mix(z)

    def random(self, size=None, dtype=np.float64):
        """Uniform on [0, 1): multiples of 2⁻⁵³ in float64, of 2⁻²⁴ in float32 (exact in either)."""
        shape, n = count(size)
        if np.dtype(dtype) == np.float32:
            out = (self.bits(n) >> np.uint64(40)).astype(np.float32)
            out *= np.float32(2.0 ** -24)
        else:
            out = (self.bits(n) >> np.uint64(11)).astype(np.float64)
            out *= 2.0 ** -53
        return out[0] if shape is None else out.reshape(shape)

    def uniform(self, low: float = 0.0, high: float = 1.0, size=None):
        return low + (high - low) * self.random(size)

    def standard_normal(self, size=None):
        """Normal draws by the Box–Muller transform: each pair of uniforms gives two."""
        shape, n = count(size)
        pairs = (n + 1) // 2
        words = self.bits(2 * pairs)
        u = ((words[:pairs] >> np.uint64(11)).astype(np.float64) + 1.0) * 2.0 ** -53  # (0, 1]: log finite
        angle = (words[pairs:] >> np.uint64(11)).astype(np.float64) * (2.0 ** -53 * 2 * math.pi)
        radius = np.sqrt(-2.0 * np.log(u))
        out = np.concatenate([radius * np.cos(angle), radius * np.sin(angle)])[:n]
        return out[0] if shape is None else out.reshape(shape)

    def integers(self, low: int, high: int | None = None, size=None):
        """Integers in [low, high), or [0, low) given one bound, as NumPy's `integers` reads them.
        The remainder's bias is below span/2⁶⁴: nothing a check could see."""
        if high is None:
            low, high = 0, low
        span = int(high) - int(low)
        if span <= 0:
            raise ValueError("integers: high must be greater than low")
        shape, n = count(size)
        out = (self.bits(n) % np.uint64(span)).astype(np.int64) + int(low)
        return int(out[0]) if shape is None else out.reshape(shape)
