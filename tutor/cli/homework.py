"""`check FILE.py`, `shapes FILE.py`, `derive FILE.py`: the homework file commands, over `tutor.homework`."""
from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from .common import console, emit_json, look, plain_terminal, report_diagnostic, run

ShapesOpt = Annotated[Optional[str], typer.Option(
    "--shapes", help="FILE.py: declarations for what the file does not say, 'X: [N, D]; y: int[N] < C'")]
SetOpt = Annotated[Optional[str], typer.Option(
    "--set", help="FILE.py: settings its entry point or constructor takes, hidden_dims=[4,3],reg=0.1")]
FunctionOpt = Annotated[Optional[str], typer.Option(
    "--function", help="FILE.py: the entry point, when the file has several")]


def options(dims: str | None, shapes: str | None, settings: str | None) -> dict:
    from ..engine.language.dims import parse_bindings
    from ..homework.judge import parse_sets, parse_shapes
    return {"dims": parse_bindings(dims) or {}, "shapes": parse_shapes(shapes), "settings": parse_sets(settings)}


def check_homework(path: str, wrt, dims, as_json: bool, plain: bool, no_suggestion: bool, watch: bool,
                   shapes, settings, function) -> None:
    def once(compact: bool = False) -> int:
        from ..homework.judge import check_file
        result = check_file(path, function=function, wrt=wrt, suggestion=not no_suggestion,
                            **options(dims, shapes, settings))
        if as_json:
            emit_json(result.to_json(), compact)
        if result.verdict == "unusable" and not result.gradients:
            for d in result.diagnostics:
                report_diagnostic(d, result.source)
            return 2
        if not as_json:
            from ..front.homework import file_view
            console(plain_terminal(plain)).print(file_view(result, look(plain)), crop=False)
        if any(g.verdict == "unusable" for g in result.gradients.values()):
            return 2 if all(g.verdict == "unusable" for g in result.gradients.values()) else 1
        return 0 if result.correct else 1

    def body():
        if not watch:
            return once()
        from .watch import watch_file
        return watch_file(path, lambda: once(compact=True), clear=not as_json and sys.stdout.isatty(),
                          out=console(plain_terminal(plain), stderr=as_json), look=look(plain))
    run(body, as_json)


def show_homework_network(path: str, dims, as_json: bool, command: str, shapes: str | None = None,
                          settings: str | None = None, function: str | None = None) -> None:
    """The network read from the file, in the network language, so a learner sees what was understood."""
    def body():
        from ..homework.judge import check_file
        from .common import say
        result = check_file(path, function=function, **options(dims, shapes, settings))
        if result.network is None:
            for d in result.diagnostics:
                report_diagnostic(d, result.source)
            return 2
        if as_json:
            emit_json({"file": path, "entry": result.entry, "loss": result.network.loss,
                       "nodes": result.network.nodes_json(), "network": result.network_text})
            return 0
        say(f"# the network read from {path} ({result.entry})", stdout=True)
        for note in result.notes:
            say(f"# note: {note}", stdout=True)
        say(result.network_text, stdout=True)
        return 0
    run(body, as_json)


def homework_network(path: str, dims, shapes: str | None, settings: str | None, function: str | None,
                     wrt: str | None):
    """`derive FILE.py`: the network read from the file, its size bindings, the leaf `--wrt` names (the learner's
    own name for a parameter, `W1` or `biases[0]`, or the network's) and the file and entry point for the JSON.
    What was guessed in reading the file is said on stderr. A file whose network cannot be read is reported,
    and None returned."""
    from ..homework.judge import check_file
    from .common import say
    given = options(dims, shapes, settings)
    result = check_file(path, function=function, suggestion=False, **given)
    if result.network is None:
        for d in result.diagnostics:
            report_diagnostic(d, result.source)
        return None
    say(f"note: the network read from {path} ({result.entry})")
    for note in result.notes:
        say(f"note: {note}")
    leaf = result.gradients[wrt].leaf if wrt is not None and wrt in result.gradients else wrt
    return result.network, given["dims"], leaf, {"file": path, "entry": result.entry}
