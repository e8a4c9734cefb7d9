"""The command line: the typer app (`app`), its commands, and the lesson commands."""
from .app import app, main

__all__ = ["app", "main"]
