"""What every command shares: the options, the consoles, JSON output, and the one place where
errors become messages and exit codes."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Annotated, Optional

import typer

from . import completion

#: `-h` is `--help` everywhere.
CONTEXT = {"help_option_names": ["-h", "--help"]}
NetworkArg = Annotated[Optional[str], typer.Argument(help="a .net file or a bundled example name",
                                                     show_default="default", autocompletion=completion.networks)]
WrtOpt = Annotated[Optional[str], typer.Option("--wrt", help="only this leaf's gradient",
                                               autocompletion=completion.leaves)]
DimsOpt = Annotated[Optional[str], typer.Option("--dims", help="bind dimensions, e.g. Dx=5,H=3,Dy=4")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print only JSON on stdout")]
PlainOpt = Annotated[bool, typer.Option("--plain", help="ASCII only: no box drawing, no colour")]


def plain_terminal(plain: bool) -> bool:
    return plain or os.environ.get("TERM") == "dumb" or "utf" not in (sys.stdout.encoding or "").lower()


def console(plain: bool = False, stderr: bool = False):
    from rich.console import Console

    class Screen(Console):
        def on_broken_pipe(self) -> None:  # the reader left (`| head`): end quietly, as the JSON path does
            raise BrokenPipeError

    return Screen(stderr=stderr, no_color=plain or None, highlight=False, emoji=False, soft_wrap=False)


def look(plain: bool):
    from ..front.look import Look
    return Look(unicode=not plain_terminal(plain))


def report(error) -> None:
    """An input error on stderr, drawn by the one diagnostic renderer, with the flag it concerns."""
    from dataclasses import replace

    diagnostic = error.diagnostic()
    if error.argument:
        parameter, value = error.argument
        diagnostic = replace(diagnostic, message=f"--{parameter.replace('_', '-')} {value}: {diagnostic.message}")
    report_diagnostic(diagnostic, error.source or "")


def report_diagnostic(diagnostic, source: str) -> None:
    """One diagnostic on stderr; `source` is the text its span points into."""
    from ..front.diagnostics import diagnostic_view
    # soft_wrap: the message is never broken into lines by us (a grader reads it whole; a terminal wraps it)
    console(plain_terminal(False), stderr=True).print(diagnostic_view(diagnostic, source, look(False)),
                                                      crop=False, soft_wrap=True)


def run(body: Callable[[], int | None]) -> None:
    from ..engine.errors import TutorError
    try:
        code = body() or 0
    except TutorError as error:
        report(error)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except BrokenPipeError:
        try:
            sys.stdout = None  # the reader left; say nothing more
        finally:
            os._exit(0)
    except Exception as error:  # a bug in shapetutor: say so plainly, never a traceback
        sys.stderr.write(f"shapetutor: internal error ({type(error).__name__}: {error}).\n"
                         "This is a bug in shapetutor, not in your input; please report it with the command you ran.\n")
        raise typer.Exit(3) from None
    raise typer.Exit(code)


def emit_json(data, compact: bool = False) -> None:
    """JSON on stdout; compact is one line per document (JSON Lines, for `check --watch --json`)."""
    import json
    sys.stdout.write((json.dumps(data, ensure_ascii=False) if compact else json.dumps(data, indent=2)) + "\n")
    sys.stdout.flush()


def load_bound(network: str | None, dims: str | None):
    from ..engine.dims import parse_bindings
    from ..engine.network import load
    net = load(network)
    return net, parse_bindings(dims)


def read_derivation(derivation: str | None, file: str | None) -> tuple[str, str]:
    """The learner's text and where it came from. Asking for it wrongly is a `TutorError`; text that
    cannot be read (a missing file, bytes that are not UTF-8) is an `UnreadableError`, which `check`
    judges `unusable` like any other text it cannot use."""
    from ..engine.errors import TutorError, UnreadableError
    from ..engine.parse import MAX_SOURCE_CHARS
    if file is not None and derivation is not None:
        raise TutorError("give the derivation once: as an argument, as - for stdin, or with --file")
    if file is not None:
        try:
            with open(file, "rb") as f:
                data = f.read(MAX_SOURCE_CHARS + 1)
        except OSError as exc:
            raise UnreadableError(f"cannot read {file}: {exc.strerror or exc}", origin=file) from None
        origin = file
    elif derivation == "-":
        data = sys.stdin.buffer.read(MAX_SOURCE_CHARS + 1)
        origin = "<stdin>"
    elif derivation is not None:
        return derivation, "<derivation>"
    else:
        raise TutorError("no derivation given", expected="a derivation string, - for stdin, or --file F")
    try:
        return data.decode("utf-8"), origin
    except UnicodeDecodeError as exc:
        raise UnreadableError(f"{origin} is not UTF-8 text (byte {exc.start})", origin=origin,
                              expected="UTF-8 text") from None


