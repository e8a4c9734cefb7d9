"""The `shapetutor` command: thin typed functions over the core.

Imports of the engine happen inside the commands, so `shapetutor --help`
starts fast and never loads NumPy. `common.run` turns the project's error
type into a located message on stderr and exit code 2.
"""

import errno
import os
import sys
from typing import Annotated, Optional

import typer

from . import completion
from .common import (CONTEXT, DimsOpt, JsonOpt, NetworkArg, PlainOpt, WrtOpt, console, emit_json, load_bound, look,
                     plain_terminal, prepare_streams, read_derivation, report_diagnostic, run, say,
                     finish, interactive)
from .ask import ask as ask_command
from .homework import FunctionOpt, SetOpt, ShapesOpt
from .lesson import lesson_app

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, context_settings=CONTEXT,
                  help="shapetutor: where the shapes in backpropagation come from.\n\n"
                       "NETWORK is a path to a .net file or a bundled example "
                       "(default, batch, column, vector, mlp, attention, conv1d, embedding, ...; see `shapetutor examples`).")
app.add_typer(lesson_app, name="lesson")
app.command(name="ask")(ask_command)  # a question as posted (SPEC §8)

def show_version(value: bool) -> None:
    if value:
        from .. import __version__
        sys.stdout.write(f"shapetutor {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_options(version: Annotated[bool, typer.Option("--version", callback=show_version, is_eager=True,
                                                       help="print the version and exit")] = False) -> None:
    """shapetutor: where the shapes in backpropagation come from."""


@app.command()
def shapes(network: NetworkArg = None, dims: DimsOpt = None, as_json: JsonOpt = False,
           plain: PlainOpt = False, shapes_decl: ShapesOpt = None, settings: SetOpt = None,
           function: FunctionOpt = None) -> None:
    """Every node's shape, symbolic and numeric."""
    if network is not None and network.endswith(".py"):
        from .homework import show_homework_network
        show_homework_network(network, dims, as_json, "shapes", shapes_decl, settings, function)
        return

    def body():
        net, given = load_bound(network, dims)
        bindings = net.bindings(given)
        if as_json:
            emit_json({"loss": net.loss, "dims": bindings,
                       "nodes": net.nodes_json()})
            return 0
        from ..front.render import shapes_table
        console(plain_terminal(plain)).print(shapes_table(net, bindings, look(plain)))
    run(body, as_json)


@app.command()
def derive(network: NetworkArg = None,
           wrt: WrtOpt = None,
           dims: DimsOpt = None,
           layout: Annotated[str, typer.Option("--layout", help="numerator or denominator")] = "numerator",
           as_json: JsonOpt = False, plain: PlainOpt = False,
           no_verify: Annotated[bool, typer.Option("--no-verify", help="skip the numeric check")] = False,
           explain_numbers: Annotated[bool, typer.Option(
               "--explain", help="for small dimensions, show the Jacobian's numbers and the contraction")] = False,
           as_latex: Annotated[bool, typer.Option("--latex", help="print the gradients as LaTeX (an align* block)")
                               ] = False,
           shapes_decl: ShapesOpt = None, settings: SetOpt = None, function: FunctionOpt = None,
           ) -> None:
    """Each gradient: its chain-rule factors with their Jacobian shapes, and the matrix form."""
    def body():
        from ..engine.errors import TutorError
        if layout not in ("numerator", "denominator"):
            raise TutorError(f"--layout {layout!r} is not a layout", expected="numerator or denominator")
        leaf, origin = wrt, {}
        if network is not None and network.endswith(".py"):  # a homework file: the network it computes
            from .homework import homework_network
            read = homework_network(network, dims, shapes_decl, settings, function, wrt)
            if read is None:
                return 2
            net, given, leaf, origin = read
        else:
            net, given = load_bound(network, dims)
        from ..teach.derivation import derive as derive_all   # once read: a network in error needs none of it
        result = derive_all(net, given, wrt=leaf, check=not no_verify)
        if as_json:
            emit_json({**origin, **result.to_json()})
        elif as_latex:
            from ..front.mathematics import latex_block
            say(latex_block(result), stdout=True)
        else:
            from ..front.render import derivation_view, numbers_view
            out = console(plain_terminal(plain))
            out.print(derivation_view(result, look(plain), layout))
            if explain_numbers:
                from ..teach.jacobian_numbers import jacobian_numbers
                for leaf in result.gradients:
                    nums = jacobian_numbers(result, leaf)
                    out.print(numbers_view(nums, look(plain)) if nums is not None else
                              f"∂J/∂{leaf}: the Jacobian is too large to print; try smaller --dims.")
        v = result.verification
        if v is not None and not v.ok and v.inconclusive:
            return 0                            # said in the view (and in the JSON): not a verdict either way
        if v is not None and not v.ok:
            say(f"shapetutor: the numeric check of the derived gradients failed (relative error "
                f"{v.max_error:.1e}); this is a bug in shapetutor, please report it")
            return 3
        return 0
    run(body, as_json)


@app.command()
def walk(network: NetworkArg = None,
         wrt: Annotated[Optional[str], typer.Option("--wrt", help="the leaf to walk to (default W1)",
                                                    autocompletion=completion.leaves)] = None,
         dims: DimsOpt = None,
         no_quiz: Annotated[bool, typer.Option("--no-quiz", help="show the shapes instead of asking")] = False,
         no_input: Annotated[bool, typer.Option("--no-input", help="never prompt: print the whole walk")] = False,
         plain: PlainOpt = False,
         export: Annotated[Optional[str], typer.Option("--export", help="save the session as .svg, .html or .txt")] = None,
         force: Annotated[bool, typer.Option("--force", help="let --export replace a file that is not an earlier "
                                                              "export, or write through a symbolic link")] = False,
         step: Annotated[int, typer.Option("--step", min=1, help="start at this step (to pick up again)")] = 1,
         ) -> None:
    """Walk the chain rule to one gradient, predicting each Jacobian's shape (the main job)."""
    def body():
        from ..engine.errors import TutorError
        if export and export.rsplit(".", 1)[-1].lower() not in ("svg", "html", "htm", "txt"):
            raise TutorError(f"--export {export}: unknown format", expected="a file ending in .svg, .html or .txt")
        net, given = load_bound(network, dims)
        from ..front.files import check_export   # once read: a network in error needs none of the walk
        from ..front.prompt import Quit, Tee
        from ..front.walk import Walk, recorder_for, save
        if export:
            check_export(export, force)
        out = console(plain_terminal(plain))
        recorder = recorder_for(export)
        session = Walk(net, network or "default", look(plain), Tee(out, recorder),
                       read=out.input, interactive=not no_input and interactive(), quiz=not no_quiz)
        try:
            session.run(given, wrt, start=step)
        except (Quit, EOFError):
            say(f"\nStopped. Pick up again with:\n  {session.resume_hint()}")
        except KeyboardInterrupt:
            say(f"\nInterrupted. Pick up again with:\n  {session.resume_hint()}")
            return 130
        if recorder is not None:
            save(recorder, export, force)
            say(f"saved {export}")
        return 0
    run(body)


# A derivation may start with a minus sign (`-(y - yhat) @ ...`): that is not an option.
@app.command(context_settings={"ignore_unknown_options": True})
def check(network: Annotated[str, typer.Argument(help="a .net file or a bundled example name, or a homework FILE.py "
                                                      "(then no derivation and no --wrt are needed)",
                                                 autocompletion=completion.networks)],
          derivation: Annotated[Optional[str], typer.Argument(
              help="the derivation: lines `name = expr` (newline or ; separated), or - for stdin")] = None,
          wrt: Annotated[Optional[str], typer.Option("--wrt", help="the leaf whose gradient this derives (FILE.py: "
                                                                        "the one gradient to judge)",
                                                     autocompletion=completion.leaves)] = None,
          file: Annotated[Optional[str], typer.Option("--file", help="read the derivation from a file")] = None,
          dims: DimsOpt = None, as_json: JsonOpt = False, plain: PlainOpt = False,
          no_suggestion: Annotated[bool, typer.Option(
              "--no-suggestion", help="for graded work: leave out the suggestion and every fix that gives the answer")
          ] = False,
          watch: Annotated[bool, typer.Option(
              "--watch", help="with --file or FILE.py: check again each time the file is saved (Ctrl-C stops)")
          ] = False,
          shapes_decl: ShapesOpt = None, settings: SetOpt = None, function: FunctionOpt = None,
          ) -> None:
    """Diagnose a derivation of ∂J/∂LEAF, or every gradient of a homework FILE.py: exit 0 if correct, 1 if wrong,
    2 if unusable."""
    if network.endswith(".py") and derivation is None and file is None:
        from .homework import check_homework
        check_homework(network, wrt, dims, as_json, plain, no_suggestion, watch, shapes_decl, settings, function)
        return
    if wrt is None:
        from .common import say as _say
        _say("shapetutor: error: --wrt LEAF is needed to check a derivation (a homework file ending in .py needs none)")
        raise typer.Exit(2)
    def once(net, given, compact: bool = False) -> int:
        from ..engine.errors import UnreadableError
        from ..judge.check import check, unreadable
        from ..notation.marks import looks_like_math
        read = None
        try:
            text, origin = read_derivation(derivation, file)
        except UnreadableError as error:  # the learner's file: judged, like any text that cannot be used
            result = unreadable(net, wrt, error, given)
        else:
            if looks_like_math(text):  # LaTeX, Unicode and typed math (SPEC §8): only then their readers
                from ..notation.judged import check_text
                read = check_text(net, wrt, text, given, origin=origin, suggestion=not no_suggestion, math=True)
                result = read.result
            else:
                result = check(net, wrt, text, given, origin=origin, suggestion=not no_suggestion)
        if as_json:
            emit_json(result.to_json(), compact)  # unusable text too: a grader never parses an empty stdout
        if result.verdict == "unusable":
            for diagnostic in result.diagnostics:
                report_diagnostic(diagnostic, result.source)
            return 2
        if not as_json:
            from ..front.diagnostics import check_view
            out = console(plain_terminal(plain))
            if read is not None and read.reading is not None:
                from ..front.mathematics import chain_view, reading_view
                out.print(reading_view(read.reading, look(plain)), crop=False)
                if read.chain is not None:
                    out.print(chain_view(read.chain, net, result.bindings, look(plain), read.reading))
            out.print(check_view(result, look(plain)), crop=False)
        return 0 if result.correct else 1

    def body():
        from ..engine.errors import TutorError
        net, given = load_bound(network, dims)
        net.require_leaf(wrt)
        if not watch:
            return once(net, given)
        if file is None or derivation is not None:
            raise TutorError("--watch needs the derivation in a file",
                             expected="check NETWORK --wrt LEAF --file F --watch")
        from .watch import watch_file
        # with --json, stdout carries one JSON document per line, and the watcher's own words go to stderr
        return watch_file(file, lambda: once(net, given, compact=True), clear=not as_json and sys.stdout.isatty(),
                          out=console(plain_terminal(plain), stderr=as_json), look=look(plain))
    run(body, as_json)


@app.command()
def explain(code: Annotated[str, typer.Argument(help="a diagnostic code such as E201",
                                                autocompletion=completion.codes)],
            plain: PlainOpt = False) -> None:
    """The longer explanation of a diagnostic code, with an example."""
    def body():
        from ..engine.codes import CODES, lookup
        from ..engine.errors import TutorError
        from ..front.codes import explanation
        entry = lookup(code)
        if entry is None:
            raise TutorError(f"no diagnostic code {code!r}", expected="one of " + ", ".join(CODES))
        say(look(plain).text(explanation(entry)).rstrip("\n"), stdout=True)
    run(body)


@app.command()
def examples() -> None:
    """List the bundled example networks."""
    def body():
        from ..engine.language.network import bundled_examples
        for name, summary in bundled_examples().items():
            say(f"{name:<10} {summary}", stdout=True)
    run(body)




def for_command(args: list[str]) -> typer.Typer:
    """The app with only the command being run: typer builds every command's options from its signature
    before it runs one (a fiftieth of a command's time), and a command's options, help and errors do not
    depend on the others. Anything else (no command, an option first, a misspelt name, the lessons, shell
    completion) gets the whole app."""
    from copy import copy
    from typer.main import get_command_name
    if not args or any(key.endswith("_COMPLETE") for key in os.environ):
        return app
    chosen = [c for c in app.registered_commands
              if (c.name or get_command_name(c.callback.__name__ if c.callback else "")) == args[0]]
    if not chosen:
        return app
    alone = copy(app)
    alone.registered_commands, alone.registered_groups = chosen, []
    return alone


def main() -> None:
    """The `shapetutor` command: the app run with safe streams, and one exit code however it ends."""
    from io import StringIO
    prepare_streams()
    try:
        code = for_command(sys.argv[1:])(prog_name="shapetutor", standalone_mode=False)
    except typer.Abort:
        say("Aborted.")
        code = 1
    except typer.TyperException as error:  # a usage error: shown like every other message
        shown = StringIO()
        error.show(file=shown) if hasattr(error, "show") else shown.write(f"Error: {error}\n")
        say(shown.getvalue().rstrip("\n"))
        code = error.exit_code
    except OSError as error:
        code = 0 if error.errno == errno.EPIPE else 2
    finish(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
