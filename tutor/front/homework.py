"""A homework file's verdict drawn for the terminal: each gradient as `check` draws it, in the file's lines."""
from __future__ import annotations

from rich.console import Group
from rich.text import Text

from .diagnostics import check_view, diagnostic_view
from .look import Look


def file_view(result, look: Look) -> Group:
    style = "bold green" if result.correct else "bold red"
    head = f"{look.ok(result.correct)} {result.file} ({result.entry}): {result.verdict.replace('_', ' ')}"
    parts: list = [Text(look.text(head), style=style)]
    for note in result.notes:
        parts.append(Text(look.text(f"  note: {note}"), style="dim"))
    explained: set[str] = set()  # a concept is explained once in the whole file
    for key, judged in result.gradients.items():
        parts.append(Text(""))
        parts.append(Text(look.text(f"{key} (line {judged.line})" if judged.line is not None else key), style="bold"))
        if judged.result is not None:
            parts.append(check_view(judged.result, look, explained=explained))
        else:
            for d in judged.diagnostics:
                parts.append(diagnostic_view(d, result.source, look, True, result.file))
    for d in result.diagnostics:
        parts.append(diagnostic_view(d, result.source, look, True, result.file))
    return Group(*parts)
