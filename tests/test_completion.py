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


# File names a hostile folder can hold: each would run code, write escapes to the terminal or split
# into two words if a shell inserted or evaluated it as it is.
HOSTILE_NAMES = ["zq$(touch PWNED).net", "zq`touch PWNED`.net", "zq;touch PWNED;.net", "zq|touch PWNED.net",
                 "zq&touch PWNED&.net", "zq\ntouch PWNED\n.net", "zq\x1b]0;owned\x07.net", "zq\x9b31m.net",
                 "zq*.net", "zq two.net", "zq'quote.net", 'zq"quote.net', "zq\\back.net", "zq>out.net",
                 "zq\u202ertl.net", "zq~.net", "zq{a,b}.net", "zq!!.net"]


def hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    for name in [*HOSTILE_NAMES, "zqsafe.net", "zq-été_2.net"]:
        (folder / name).write_text("x: [1, D]\nJ = sum(x)\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "shapetutor"  # what the shell runs on Tab, as an installed command would be
    program.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tutor "$@"\n')
    program.chmod(0o755)
    return folder


def shell_env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, PATH=f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}", PYTHONPATH=str(ROOT))


def test_completion_in_a_real_bash_never_runs_a_file_name(tmp_path):
    """Sources the completion script in bash, presses Tab on `shapetutor derive zq`, then runs each
    offered line as Enter would: nothing runs, and every offered word is one existing file."""
    folder = hostile_folder(tmp_path)
    script = subprocess.run([sys.executable, "-m", "tutor"], env=dict(os.environ, _SHAPETUTOR_COMPLETE="source_bash"),
                            capture_output=True, text=True, timeout=60, cwd=ROOT).stdout
    assert "complete -o default" in script  # a name left out is completed (and quoted) by bash itself
    tab = script + '\nCOMP_WORDS=(shapetutor derive zq); COMP_CWORD=2\n_shapetutor_completion shapetutor\n' \
                   'printf "%s\\0" "${COMPREPLY[@]}"\n'
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", tab], env=shell_env(tmp_path), cwd=folder,
                          capture_output=True, timeout=60)
    offered = [w.decode() for w in done.stdout.split(b"\0") if w]
    assert sorted(offered) == ["zq-été_2.net", "zqsafe.net"], (offered, done.stderr)
    for word in offered:
        enter = subprocess.run(["bash", "--norc", "--noprofile", "-c", f"printf '%s\\n' {word}"], cwd=folder,
                               capture_output=True, text=True, timeout=30)
        assert enter.stdout.splitlines() == [word] and (folder / word).is_file()
    assert not (folder / "PWNED").exists()


def test_completion_in_a_real_zsh_never_runs_a_file_name(tmp_path):
    """The zsh script evaluates what the command prints; run it in a real zsh (the completion system's
    `_arguments` and `_files` recorded, not run) and check that only inert names reach it."""
    import shutil
    if shutil.which("zsh") is None:
        pytest.skip("zsh is not installed on this machine")
    folder = hostile_folder(tmp_path)
    script = subprocess.run([sys.executable, "-m", "tutor"], env=dict(os.environ, _SHAPETUTOR_COMPLETE="source_zsh"),
                            capture_output=True, text=True, timeout=60, cwd=ROOT).stdout
    tab = ("compdef() { : }\n_arguments() { print -rn -- \"ARGS:$*\" }\n_files() { print -rn -- FILES }\n"
           + script + "\nwords=(shapetutor derive zq); CURRENT=3\n_shapetutor_completion\n")
    done = subprocess.run(["zsh", "-f", "-c", tab], env=shell_env(tmp_path), cwd=folder, capture_output=True,
                          text=True, timeout=60)
    offered = re.findall(r'"([^"]*)"', done.stdout)
    assert done.stdout.startswith("ARGS:") and sorted(offered) == ["zq-été_2.net", "zqsafe.net"], \
        (done.stdout, done.stderr)
    assert not (folder / "PWNED").exists()
    # A folder with only hostile names leaves the word to zsh's own file completion, which quotes.
    for name in ["zqsafe.net", "zq-été_2.net"]:
        (folder / name).unlink()
    done = subprocess.run(["zsh", "-f", "-c", tab], env=shell_env(tmp_path), cwd=folder, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout == "FILES" and not (folder / "PWNED").exists(), (done.stdout, done.stderr)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_no_shell_reads_anything_into_an_offered_candidate(name):
    from tutor.cli.completion import shell_inert
    assert not shell_inert(name)
    assert shell_inert("tutor/examples/batch.net") and shell_inert("01-motivating-question") and shell_inert("E201")
