"""What every command shares: the options, the consoles, JSON output, and the one place where
errors become messages and exit codes."""
from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Callable
from typing import Annotated, Optional, cast

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
    encoding = getattr(sys.stdout, "encoding", None)
    return plain or os.environ.get("TERM") == "dumb" or "utf" not in (encoding or "").lower()


def interactive() -> bool:
    """Whether a person types at standard input (never when it is closed or redirected)."""
    return sys.stdin is not None and sys.stdin.isatty()


def console(plain: bool = False, stderr: bool = False):
    from ..front.visible import Screen
    return Screen(stderr=stderr, no_color=plain or None, soft_wrap=False)


def look(plain: bool):
    from ..front.look import Look
    return Look(unicode=not plain_terminal(plain))


def say(text: str, stdout: bool = False) -> None:
    """A line (or lines) of plain text on stderr, or stdout, with the user's text in it made visible.
    A message that cannot be written (stderr closed or full) is dropped: the exit code still tells."""
    from ..front.visible import can_show_pictures, visible
    stream = sys.stdout if stdout else sys.stderr
    if stream is None:
        if stdout:
            raise OSError(errno.EBADF, "standard output is closed")
        return
    line = visible(text, can_show_pictures(getattr(stream, "encoding", None))) + "\n"
    try:
        stream.write(line)
        stream.flush()
    except OSError:
        if stdout:
            raise


def report(error) -> None:
    """An input error on stderr, drawn by the one diagnostic renderer, with the flag it concerns."""
    report_diagnostic(with_argument(error), error.source or "")


def with_argument(error):
    from dataclasses import replace

    diagnostic = error.diagnostic
    if error.argument:
        parameter, value = error.argument
        diagnostic = replace(diagnostic, message=f"--{parameter.replace('_', '-')} {value}: {diagnostic.message}")
    return diagnostic


def report_diagnostic(diagnostic, source: str) -> None:
    """One diagnostic on stderr; `source` is the text its span points into. Never fails: a message
    that cannot be written is dropped, and the exit code still says what happened."""
    from ..front.diagnostics import diagnostic_view
    try:
        # soft_wrap: the message is never broken into lines by us (a grader reads it whole; a terminal wraps it)
        console(plain_terminal(False), stderr=True).print(diagnostic_view(diagnostic, source, look(False)),
                                                          crop=False, soft_wrap=True)
    except OSError:
        pass


class Output:
    """Whether this command has printed its JSON yet (an error after it needs no JSON of its own)."""

    json_written = False


def run(body: Callable[[], int | None], as_json: bool = False) -> None:
    """Run a command's body; every way it can end becomes a message on stderr and an exit code:
    0 done, 1 (from the body) wrong, 2 unusable input or output that cannot be written, 3 a bug."""
    from ..engine.errors import TutorError
    Output.json_written = False
    try:
        try:
            code = body() or 0
            flush(sys.stdout)
        except RecursionError:  # a safety net: every reader refuses deep nesting itself, with its place
            raise TutorError("the input is nested too deeply to be read") from None
        except MemoryError:
            raise TutorError("the input needs more memory than there is",
                             expected="smaller dimensions, or a smaller input") from None
    except TutorError as error:
        if as_json and not Output.json_written:
            with contextlib.suppress(OSError):
                emit_json({"error": {**with_argument(error).to_json(), "origin": error.origin}})
        report(error)
        code = 2
    except KeyboardInterrupt:
        say("interrupted")
        code = 130
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except OSError as error:  # the output could not be written
        if isinstance(error, BrokenPipeError) or error.errno == errno.EPIPE:
            quit_quietly()
        abandon(sys.stdout)
        say(f"shapetutor: error: cannot write the output ({error.strerror or error})")
        code = 2
    except Exception as error:  # a bug in shapetutor: say so plainly, never a traceback
        say(f"shapetutor: internal error ({type(error).__name__}: {error}).\n"
            "This is a bug in shapetutor, not in your input; please report it with the command you ran.")
        code = 3
    raise typer.Exit(code)


def flush(stream) -> None:
    if stream is not None:
        stream.flush()


def quit_quietly() -> None:
    """The reader of our output left (`| head`): say nothing more, exit 0."""
    try:
        sys.stdout = None
    finally:
        os._exit(0)


def abandon(stream) -> None:
    """A standard stream failed (a full disk, an I/O error): what is still buffered for it goes to the
    null device, so that Python's own flush at exit does not fail again and make the exit code 120."""
    with contextlib.suppress(Exception):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
        stream.flush()


class Closed:
    """Standard output when the process was started with it closed: writing to it is an error."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def prepare_streams() -> None:
    """The process's own streams, made safe before any command runs: a closed stdout fails loudly, and
    text the output's encoding cannot hold (an ASCII terminal, a file name that was not UTF-8) is
    written as escapes instead of ending the command."""
    if sys.stdout is None:
        sys.stdout = Closed()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, OSError):
            cast(io.TextIOWrapper, stream).reconfigure(errors="backslashreplace")  # any stream that has it


def finish(code: int) -> None:
    """Exit with `code` once the output is out; output that cannot be written makes it 2, never 1 or 120."""
    try:
        flush(sys.stdout)
    except OSError as error:
        if isinstance(error, BrokenPipeError) or error.errno == errno.EPIPE:
            quit_quietly()
        abandon(sys.stdout)
        say(f"shapetutor: error: cannot write the output ({error.strerror or error})")
        code = 2 if code in (0, 1) else code
    try:
        flush(sys.stderr)
    except OSError:
        abandon(sys.stderr)
    # Everything is written and every file closed: the interpreter's teardown (freeing each object,
    # unloading numpy) would only cost the learner a fifth of the command's time.
    os._exit(code)


def emit_json(data, compact: bool = False) -> None:
    """JSON on stdout; compact is one line per document (JSON Lines, for `check --watch --json`)."""
    import json
    if sys.stdout is None:
        raise OSError(errno.EBADF, "standard output is closed")
    # Unicode as it is only where stdout can hold it: an ASCII stdout would turn 😀 into \U0001f600, not JSON
    unicode = "utf" in (getattr(sys.stdout, "encoding", None) or "").lower()
    if compact:
        text = json.dumps(data, ensure_ascii=not unicode)
    else:
        from ..front.json_text import indented  # json.dumps(data, indent=2), without writing shared parts again
        text = indented(data)
    sys.stdout.write(text)
    sys.stdout.write("\n")  # not `text + "\n"`: a copy of a text of megabytes
    sys.stdout.flush()
    Output.json_written = True


def load_bound(network: str | None, dims: str | None):
    """The network (a .net file, a bundled name, or one written as mathematics: SPEC §8) and the --dims."""
    from ..engine.language.dims import parse_bindings
    from ..notation.reading import load_any
    net, assumed = load_any(network)
    for said in assumed:  # a shape inferred from a LaTeX network: said once, on stderr
        say(f"note: {said}")
    return net, parse_bindings(dims)


def read_derivation(derivation: str | None, file: str | None) -> tuple[str, str]:
    """The learner's text and where it came from. Asking for it wrongly is a `TutorError`; text that
    cannot be read (a missing file, a named pipe, bytes that are not UTF-8, a closed stdin) is an
    `UnreadableError`, which `check` judges `unusable` like any other text it cannot use."""
    from ..engine.errors import TutorError
    from ..engine.files import BOM, MAX_TEXT_BYTES, read_stream, read_text
    if file is not None and derivation is not None:
        raise TutorError("give the derivation once: as an argument, as - for stdin, or with --file")
    if file is not None:
        return read_text(file, "the derivation file", MAX_TEXT_BYTES), file
    if derivation == "-":
        return read_stream(getattr(sys.stdin, "buffer", None), "<stdin>", MAX_TEXT_BYTES), "<stdin>"
    if derivation is not None:
        return derivation.removeprefix(BOM), "<derivation>"
    raise TutorError("no derivation given", expected="a derivation string, - for stdin, or --file F")
