"""The command line: the typer app (`app`), its commands, and the lesson commands."""
import gc

# A command is a short process that builds many small objects (its modules, the network, the
# expressions) and keeps nearly all of them until it ends: the collector's frequent passes over them
# free almost nothing and cost about a twentieth of a command's CPU (a third of reading a 1,000,000-character
# derivation, which holds 150,000 nodes). Rarer passes still free cycles.
gc.set_threshold(100_000, 50, 100)

from .app import app, main  # noqa: E402  (after the collector is set: importing is what it slowed)

__all__ = ["app", "main"]
