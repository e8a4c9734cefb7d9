"""The command line builds only the command being run: each command's help, options and errors are
the same as in the whole app, and anything that is not exactly a command gets the whole app."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tutor.cli import app
from tutor.cli.app import for_command

runner = CliRunner()
COMMANDS = ["ask", "shapes", "derive", "walk", "check", "explain", "examples"]


def test_every_command_is_found_alone():
    assert sorted(c.name or c.callback.__name__ for c in app.registered_commands) == sorted(COMMANDS)
    for name in COMMANDS:
        alone = for_command([name])
        assert alone is not app and len(alone.registered_commands) == 1 and not alone.registered_groups
    assert len(app.registered_commands) == len(COMMANDS) and app.registered_groups  # the app itself untouched


@pytest.mark.parametrize("args", [[name, "--help"] for name in COMMANDS] + [
    ["derive", "--bogus"], ["derive", "batch", "--wrt", "W1", "--no-verify"], ["shapes", "--json"],
    ["check", "default", "--wrt", "W1", "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"], ["explain", "E201"],
    ["explain"], ["walk", "--no-input", "--wrt", "b2"], ["examples", "extra"]])
def test_a_command_alone_says_what_it_says_in_the_whole_app(args):
    whole, alone = runner.invoke(app, args), runner.invoke(for_command(args), args)
    assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output)


@pytest.mark.parametrize("args", [[], ["--help"], ["--version"], ["deriv"], ["lesson", "list"], ["Derive"]])
def test_anything_else_gets_the_whole_app(args):
    assert for_command(args) is app


def test_shell_completion_gets_the_whole_app(monkeypatch):
    monkeypatch.setenv("_SHAPETUTOR_COMPLETE", "complete_bash")
    assert for_command(["derive"]) is app
