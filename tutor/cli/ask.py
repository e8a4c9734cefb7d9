"""`shapetutor ask POST`: a whole question as posted, read and answered (SPEC §8)."""

from typing import Annotated, Optional

import typer

from . import completion
from .common import DimsOpt, JsonOpt, PlainOpt, console, emit_json, look, plain_terminal, run


def ask(post: Annotated[str, typer.Argument(help="the question as posted: a Markdown file, or - for stdin")],
        network: Annotated[Optional[str], typer.Option(
            "--network", help="use this network (a .net file or a bundled name) instead of the post's own",
            autocompletion=completion.networks)] = None,
        wrt: Annotated[Optional[str], typer.Option(
            "--wrt", help="the leaf a derivation is about when the post does not say (default W1)",
            autocompletion=completion.leaves)] = None,
        dims: DimsOpt = None, as_json: JsonOpt = False, plain: PlainOpt = False) -> None:
    """Read a question as posted (LaTeX, Unicode or typed math in Markdown) and answer it."""
    def body():
        import sys

        from ..engine.language.dims import parse_bindings
        from ..engine.files import BOM, read_stream, read_text
        text = read_stream(getattr(sys.stdin, "buffer", None), "<stdin>") if post == "-" else \
            read_text(post, "the post")
        from ..notation.ask import ask as answer_post   # once read: a post that cannot be needs no reader
        answer = answer_post(text.removeprefix(BOM), network, parse_bindings(dims), wrt)
        if as_json:
            emit_json(answer.to_json())
        if answer.unread is not None:   # nothing could be used: why, on stderr, as `check` says it (exit 2)
            raise answer.unread
        if not as_json:
            from ..front.mathematics import answer_view
            console(plain_terminal(plain)).print(answer_view(answer, look(plain)), crop=False)
        return answer.exit_code
    run(body, as_json)
