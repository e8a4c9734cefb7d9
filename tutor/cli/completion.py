"""What the shell completes: bundled networks and `.net` files, lesson ids and `.toml` files, a network's
leaves for `--wrt` (read from the NETWORK already typed), and diagnostic codes.

A completion runs on every Tab press, so it never prints, never raises and never loads NumPy: any
problem (a network that does not parse yet, a folder that cannot be read) completes nothing.

Bash inserts a candidate into the command line as it is, and zsh's script evaluates it, so a file named
`$(touch x).net` would run code on Enter. Only candidates made of letters, digits and `._+-,@%=/` are
offered; any other name is left to the shell's own file completion, which quotes it.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable


SHELL_INERT = frozenset("._+-,@%=/")


def shell_inert(candidate: str) -> bool:
    """True when no shell reads anything into this word: no metacharacter, quote, glob, space,
    control or format character (a letter or digit of any script is fine)."""
    return bool(candidate) and all(ch.isalnum() or ch in SHELL_INERT for ch in candidate)


def quietly(complete: Callable[..., Iterable[str]]) -> Callable[..., list[str]]:
    def safe(ctx, incomplete: str) -> list[str]:
        try:
            return sorted({candidate for candidate in complete(ctx, incomplete or "") if shell_inert(candidate)})
        except Exception:  # a half-typed command line is no reason for a traceback at the prompt
            return []
    safe.__name__ = complete.__name__
    return safe


def paths(incomplete: str, suffix: str) -> Iterable[str]:
    """Files with this suffix, and folders to go into, under what has been typed."""
    import glob
    for path in glob.glob(glob.escape(incomplete) + "*"):
        if os.path.isdir(path):
            yield path + os.sep
        elif path.endswith(suffix):
            yield path


@quietly
def networks(ctx, incomplete: str) -> Iterable[str]:
    from ..engine.language.network import bundled_examples
    yield from (name for name in bundled_examples() if name.startswith(incomplete))
    yield from paths(incomplete, ".net")


@quietly
def lessons(ctx, incomplete: str) -> Iterable[str]:
    from ..course.lesson import bundled
    yield from (name for name in bundled() if name.startswith(incomplete))
    yield from paths(incomplete, ".toml")


def lessons_or_next(ctx, incomplete: str) -> Iterable[str]:
    if "next".startswith(incomplete):
        yield "next"
    yield from lessons(ctx, incomplete)


@quietly
def leaves(ctx, incomplete: str) -> Iterable[str]:
    from ..engine.language.network import load
    return (name for name in load(typed_network(ctx)).leaves if name.startswith(incomplete))


def typed_network(ctx) -> str | None:
    """The NETWORK on the command line. While `--wrt` still waits for its value the parser stops
    early and leaves the arguments unassigned, so the first one left over is the network."""
    given = (ctx.params or {}).get("network")
    if given:
        return given
    left = [a for a in (ctx.args or []) if not a.startswith("-")]
    return left[0] if left else None


@quietly
def codes(ctx, incomplete: str) -> Iterable[str]:
    from ..engine.codes import CODES
    return (code for code in CODES if code.lower().startswith(incomplete.lower()))
