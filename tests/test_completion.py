"""Shell completion and `-h`, as a user at a prompt meets them.

Completion runs the real command with the shell's environment (as bash, zsh and fish run it on
Tab): bundled networks and `.net` files, lesson ids, diagnostic codes, and the leaves of the
network already typed for `--wrt`. A half-typed or broken command line completes nothing, quietly.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutor.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def complete(line: str, shell: str = "bash", cwd: Path = ROOT) -> tuple[list[str], subprocess.CompletedProcess]:
    """What Tab offers at the end of `line` (a trailing space means a new word)."""
    words = line.split()
    env = dict(os.environ, _SHAPETUTOR_COMPLETE=f"complete_{shell}")
    if shell == "bash":
        env.update(COMP_WORDS=line, COMP_CWORD=str(len(words) - (0 if line.endswith(" ") else 1)))
    else:
        env.update(_TYPER_COMPLETE_ARGS=line)
    done = subprocess.run([sys.executable, "-m", "tutor"], env=env, capture_output=True, text=True, cwd=cwd,
                          timeout=60)
    if shell == "zsh":  # zsh gets _arguments '*: :(("W1" "W2" ...))', each value quoted (with ":help" if any)
        return [v.split(":")[0] for v in re.findall(r'"([^"]*)"', done.stdout)], done
    return [w for w in done.stdout.splitlines() if w.strip()], done


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_wrt_completes_the_leaves_of_the_network_already_typed(shell):
    offered, done = complete("shapetutor derive batch --wrt ", shell)
    assert set(offered) >= {"X", "Y", "W1", "b1", "W2", "b2"} and "x" not in offered, done.stdout
    offered, _ = complete("shapetutor check batch --json --wrt W", shell)
    assert set(offered) == {"W1", "W2"}
    offered, _ = complete("shapetutor derive --wrt ", shell)  # no network typed: the default one
    assert set(offered) == {"x", "y", "W1", "b1", "W2", "b2"}
    offered, _ = complete("shapetutor walk tutor/examples/mlp.net --wrt W", shell)
    assert set(offered) == {"W1", "W2", "W3"}


def test_networks_lessons_and_codes_complete():
    offered, _ = complete("shapetutor derive ")
    assert {"default", "batch", "column", "vector", "mlp"} <= set(offered)
    offered, _ = complete("shapetutor shapes tutor/examples/b")
    assert offered == ["tutor/examples/batch.net"]
    offered, _ = complete("shapetutor lesson run 0")
    assert "01-motivating-question" in offered and all(o.startswith("0") for o in offered)
    offered, _ = complete("shapetutor lesson grade 03")
    assert offered == ["03-batches"]
    offered, _ = complete("shapetutor explain E20")
    assert "E201" in offered and all(o.startswith("E20") for o in offered)


@pytest.mark.parametrize("line", ["shapetutor derive missing.net --wrt ", "shapetutor check broken.net --wrt ",
                                  "shapetutor lesson run /nonexistent/dir/",
                                  "shapetutor check 'unclosed --wrt "])
def test_completion_of_a_broken_line_is_quiet(tmp_path, line):
    (tmp_path / "broken.net").write_text("x: [1, D]\nJ = sum(x @ \n")
    offered, done = complete(line, cwd=tmp_path)
    assert done.returncode == 0 and offered == [] and not done.stderr, done.stderr


def test_show_completion_prints_a_script():
    done = subprocess.run([sys.executable, "-m", "tutor", "--show-completion", "bash"], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0 and "_SHAPETUTOR_COMPLETE" in done.stdout
    assert "--install-completion" in runner.invoke(app, ["--help"]).stdout


COMMANDS = [[], ["shapes"], ["derive"], ["walk"], ["check"], ["explain"], ["examples"], ["lesson"],
            ["lesson", "list"], ["lesson", "run"], ["lesson", "grade"], ["lesson", "validate"], ["lesson", "export"],
            ["lesson", "reset"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "shapetutor")
def test_dash_h_is_help_everywhere(command):
    short = runner.invoke(app, [*command, "-h"])
    long = runner.invoke(app, [*command, "--help"])
    assert short.exit_code == long.exit_code == 0
    assert short.stdout == long.stdout and "Usage:" in short.stdout and "-h, --help" in short.stdout
