"""The second round of hostile inputs (issue 16), as data.

Each `Attack` is one command line run in a fresh temporary folder (the working directory) with a
fresh state folder (`SHAPETUTOR_STATE_DIR`), under a memory cap and a timeout, by
`tests/test_hostile.py`. What it needs on disk comes from `files` (name → text or bytes, written
first, relative to the folder) and from `setup`, the name of one of the small functions in SETUPS
below (FIFOs, symlinks, sparse files, progress saved by a real interactive run, …). Both may add
placeholders, replaced in `argv`, `stdin` and `env` by plain text substitution:

    {dir}    the temporary folder (also the working directory)
    {state}  the state folder (not created unless a file or setup puts something in it)
    {fifo}   …  whatever the setup returns

Expectations are the issue's: the exit code is in `expect_exit` (2 with a message for unusable
input, 0 or 1 where the input is fine); and, for every attack (checked by the runner, not listed
here): never exit 3, never a traceback, never "this is a bug in shapetutor", done within 10 s and
2 GB, no terminal control character (ESC, BEL, C1, other C0 but tab and newline) in captured
stdout or stderr, a message on stderr with exit 2, and JSON on stdout for `check --json`.

`io` changes the standard streams: "stdin-closed", "stdout-closed", "stderr-closed",
"stdout-full", "stderr-full" (/dev/full), "tty-stdin" (stdin is a
pseudo-terminal, so lesson runs are interactive and save progress; `stdin` is typed into it, and
"\x04" is end of input), "tty" (stdin and stdout are a pseudo-terminal: stdout then carries the
program's own colours, and is checked for the injected sequences in TTY_FORBIDDEN instead; `stdin`
is sent one key at a time once the first screen is out, and again while the program runs). (stdin
as a directory is left out: Python itself refuses to start, before any of shapetutor runs.)

`keep` lists files whose bytes (and symlink-ness) must be the same after the run, `absent` files
that must not exist after it, and `after` names a check in AFTER (progress kept, exports clean).
`scenario` "concurrent" first starts `background` (an interactive run, stdin a pseudo-terminal)
and ends it with end of input after the attack's own run.

This module imports nothing from `tutor`: it must survive the package being restructured.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

# -- the attack --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attack:
    id: str
    cls: int                                  # the class of issue 16 (1..8)
    argv: list                                # after `python -m tutor`; str, or bytes for undecodable args
    stdin: str | bytes | None = None
    setup: str = "none"                       # a name in SETUPS
    env: dict = field(default_factory=dict)
    expect_exit: frozenset | set = frozenset({2})
    stdout_must: tuple = ()                   # substrings that must appear in stdout
    stdout_must_not: tuple = ()
    stderr_must: tuple = ()
    stderr_must_not: tuple = ()
    output_must: tuple = ()                   # must appear in stdout or stderr (either is fine)
    output_must_not: tuple = ()
    note: str = ""
    files: dict = field(default_factory=dict)  # relative name -> str | bytes, written before `setup`
    io: str = ""
    json_stdout: bool = False                 # stdout must be one JSON document
    keep: tuple = ()
    absent: tuple = ()
    after: str | None = None                  # a name in AFTER
    fsize: int | None = None                  # RLIMIT_FSIZE in bytes (a write that fails half-way)
    scenario: str = "single"
    background: list | None = None
    background_stdin: str = "\x04"

    def __post_init__(self):
        object.__setattr__(self, "expect_exit", frozenset(self.expect_exit))
        assert self.setup in SETUPS, self.setup
        assert self.after is None or self.after in AFTER, self.after
        assert 1 <= self.cls <= 8


# -- hostile text ------------------------------------------------------------------------------------------

TITLE = "\x1b]0;pwned\x07"                              # OSC 0: the window title
OSC52 = "\x1b]52;c;cm0gLXJmIH4K\x07"                    # OSC 52: write the clipboard
OSC8 = "\x1b]8;;file:///etc/passwd\x07click\x1b]8;;\x07"  # OSC 8: a hyperlink to a local file
CLEAR = "\x1b[2J\x1b[3J"                                # clear the screen and the scrollback
COLOUR = "\x1b[38;5;199m\x1b[5m"                         # a colour and blinking
C1 = "\x9b2J\x9d0;pwned\x9c"                            # C1 CSI and OSC (8-bit forms)
ESCAPES = {"title": TITLE, "osc52": OSC52, "osc8": OSC8, "clear": CLEAR, "colour": COLOUR, "c1": C1}
ALL = TITLE + OSC52 + OSC8 + CLEAR + COLOUR + C1

LINK = "[link=file:///etc/passwd]x[/link]"
MARKUP = {"link": LINK, "close": "[/]", "bold": "[bold red]loud[/bold red]"}
# what must still be readable when markup is shown as text (escaped or not)
MARKUP_LITERAL = {"link": "link=file:///etc/passwd", "close": "[/]", "bold": "bold red]"}

# On a pseudo-terminal the program may print its own colours; these never come from it.
TTY_FORBIDDEN = ("\x1b]0;", "\x1b]2;", "\x1b]52;", "\x1b]8;", "\x1b[3J", "\x1b[38;5;199m", "\x1b[5m", "\x9b",
                 "\x9d", "\x07")

CORRECT_W1 = "x.T @ ((yhat - y) @ W2.T * h * (1 - h))"


def toml_str(text: str) -> str:
    """A TOML basic string holding `text` exactly (control characters as \\u escapes)."""
    out = []
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0x80 <= ord(ch) <= 0x9F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def lesson(id="hostile", title="A title", summary="A summary", step_title="Read this", text="Some text.",
           hint="A hint", network='bundled = "default"', dims="", steps: str | None = None) -> str:
    """A small valid lesson (a say step, a shape question with a hint), with any field replaced."""
    head = (f"format_version = 1\nid = {toml_str(id)}\ntitle = {toml_str(title)}\nsummary = {toml_str(summary)}\n\n"
            f"[network]\n{network}\n" + (f"dims = {dims}\n" if dims else "") + "\n")
    if steps is None:
        steps = (f'[[steps]]\nid = "intro"\nkind = "say"\ntitle = {toml_str(step_title)}\ntext = {toml_str(text)}\n\n'
                 f'[[steps]]\nid = "shape-W1"\nkind = "ask-shape"\nnode = "W1"\nexpect = "Dx×H"\n'
                 f'hints = [{toml_str(hint)}]\n')
    return head + steps


SAYS = ('[[steps]]\nid = "one"\nkind = "say"\ntext = "One."\n\n[[steps]]\nid = "two"\nkind = "say"\ntext = "Two."\n\n'
        '[[steps]]\nid = "three"\nkind = "say"\ntext = "Three."\n')


def net_source_toml(source: str) -> str:
    return f"source = {toml_str(source)}"


def minus(n: int) -> str:
    return "-" * n


# networks that are small as text and large as arrays
OUTER3 = "x: [368]\nA = outer(outer(x, x), x)\nB = exp(A) * A\nJ = sum(B)\n"                     # 49.8M numbers each
EINSUM8 = ("A: [D, D]\nB: [D, D]\nC: [D, D]\nE: [D, D]\nF: [D, D]\nG: [D, D]\nH: [D, D]\nK: [D, D]\n"
           "J = sum(einsum('ab,bc,cd,de,ef,fg,gh,hi->ai', A, B, C, E, F, G, H, K))\n")        # D**9 per pass
FOUR = "A: [7000, 7000]\nB: [7000, 7000]\nC: [7000, 7000]\nE: [7000, 7000]\nJ = sum(A * B * C * E)\n"
LEAVES600 = ("\n".join(f"w{i}: [A{i}, B{i}]" for i in range(600)) + "\ns0 = sum(w0)\n"
             + "\n".join(f"s{i} = s{i - 1} + sum(w{i})" for i in range(1, 600)) + "\nJ = s599\n")
SQUARES = "x: [1, D]\nJ = sum(outer(x, x) * outer(x, x) * outer(x, x) + exp(outer(x, x)))\n"
HUGE_TERM = "sum(outer(outer(x, x), outer(x, x)))"
EXP1000 = "x: [1, D]\nJ = sum(exp(1000 * x))\n"
POW = "x: [1, D]\nJ = sum(x ** 1000)\n"


# -- setups ------------------------------------------------------------------------------------------------
# Each takes (folder, ctx) and returns extra placeholders. ctx.tool(argv, tty_input=None) runs shapetutor
# with the attack's environment (for setups that need real saved progress or a real previous export).

def setup_none(folder: Path, ctx) -> dict:
    return {}


def setup_fifos(folder: Path, ctx) -> dict:
    """Named pipes nobody writes to, under the names each reader expects."""
    names = {"fifo": "pipe", "fifo_net": "pipe.net", "fifo_toml": "pipe.toml", "fifo_txt": "pipe.txt",
             "fifo_md": "pipe.md"}
    for name in names.values():
        os.mkfifo(folder / name)
    return names


def setup_sparse(folder: Path, ctx) -> dict:
    """2 GiB files that take no disk: NUL bytes all the way."""
    for name in ("big.net", "big.toml", "big.txt"):
        with open(folder / name, "wb") as handle:
            handle.truncate(2 << 30)
    return {}


def state(folder: Path) -> Path:
    path = folder / "state"
    path.mkdir(exist_ok=True)
    return path


def setup_state_fifo(folder: Path, ctx) -> dict:
    os.mkfifo(state(folder) / "progress.json")
    return {}


def setup_state_zero(folder: Path, ctx) -> dict:
    os.symlink("/dev/zero", state(folder) / "progress.json")
    return {}


def setup_state_sparse(folder: Path, ctx) -> dict:
    with open(state(folder) / "progress.json", "wb") as handle:
        handle.truncate(2 << 30)
    return {}


def setup_lesson_net_fifo(folder: Path, ctx) -> dict:
    """A lesson whose `[network] path` is a FIFO inside its own folder."""
    (folder / "course").mkdir()
    os.mkfifo(folder / "course" / "net.net")
    (folder / "course" / "lesson.toml").write_text(lesson(network='path = "net.net"'))
    return {}


def setup_state_blocked(folder: Path, ctx) -> dict:
    """A state folder that cannot be created: a file stands where its parent should be."""
    (folder / "blocker").write_text("a file, not a folder\n")
    return {"blocked": str(folder / "blocker" / "state")}


def setup_lock_dir(folder: Path, ctx) -> dict:
    """Saved progress that cannot be rewritten: the lock file's name is taken by a folder."""
    (state(folder) / ".progress.lock").mkdir()
    return {}


def setup_progress_dir(folder: Path, ctx) -> dict:
    (state(folder) / "progress.json").mkdir()
    return {}


def setup_symlinks(folder: Path, ctx) -> dict:
    """out.* → victim.txt (an existing file that is not an export); dangling.* → nowhere.*"""
    (folder / "victim.txt").write_text("the learner's own notes: not an export\n")
    for suffix in ("md", "html", "txt"):
        os.symlink(folder / "victim.txt", folder / f"out.{suffix}")
        os.symlink(folder / f"nowhere.{suffix}", folder / f"dangling.{suffix}")
    return {}


def seed(ctx, argv: list, typed: str) -> str:
    """Save progress with a real interactive run; return what `lesson list` says afterwards."""
    ctx.tool(argv, tty_input=typed)
    listed = ctx.tool(["lesson", "list"]).stdout.decode("utf-8", "replace")
    return listed


def setup_seed_bundled(folder: Path, ctx) -> dict:
    """Progress in the bundled lesson 01: two steps done (Enter, Enter, then end of input)."""
    listed = seed(ctx, ["lesson", "run", "01-motivating-question"], "\n\n\x04")
    line = next((l for l in listed.splitlines() if l.startswith("01-motivating-question")), "")
    found = re.search(r"(\d+)%", line)
    assert found, f"setup could not save progress in lesson 01 (lesson list says {line!r})"
    return {"mark": found.group(0)}


def setup_seed_dir_a(folder: Path, ctx) -> dict:
    listed = seed(ctx, ["lesson", "run", "dirA/mine.toml"], "\n\x04")
    assert "dirA" in listed, f"setup could not save progress for dirA/mine.toml ({listed!r})"
    return {}


def previous_export(folder: Path, ctx, suffix: str) -> dict:
    """A real earlier export of lesson 01, as `handout.SUFFIX`."""
    done = ctx.tool(["lesson", "export", "01-motivating-question", "-o", f"handout.{suffix}"])
    assert done.returncode == 0 and (folder / f"handout.{suffix}").stat().st_size > 4000, done.stderr
    return {}


def setup_previous_export_md(folder: Path, ctx) -> dict:
    return previous_export(folder, ctx, "md")


def setup_previous_export_html(folder: Path, ctx) -> dict:
    return previous_export(folder, ctx, "html")


def setup_odd_paths(folder: Path, ctx) -> dict:
    """Paths whose text is markup: `a[/]b.net` is the file `]b.net` in the folder `a[`."""
    for path in ("a[/]b.net", "[link=file:///etc/passwd]x[/link].net", "[bold red]x[/bold red].net"):
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(NET_OK)
    (folder / "l[").mkdir(exist_ok=True)
    (folder / "l[/]x.toml").write_text(lesson())
    return {}


SETUPS = {name[6:]: f for name, f in dict(globals()).items() if name.startswith("setup_")}

# -- checks after the run ------------------------------------------------------------------------------------
# Each takes (folder, ctx, attack, placeholders) and returns a list of problems (empty when fine).


def progress_line(ctx, lesson_id: str) -> str:
    listed = ctx.tool(["lesson", "list"]).stdout.decode("utf-8", "replace")
    return next((l for l in listed.splitlines() if l.startswith(lesson_id)), "")


def after_bundled_progress_kept(folder, ctx, attack, ph) -> list:
    line = progress_line(ctx, "01-motivating-question")
    return [] if ph["mark"] in line else [f"lesson 01's progress ({ph['mark']}) was lost: lesson list says {line!r}"]


def after_progress_at_least_23(folder, ctx, attack, ph) -> list:
    """The foreground run finished 3 of 13 steps (23%); a run ending later must not take them back."""
    line = progress_line(ctx, "01-motivating-question")
    found = re.search(r"(\d+)%|done", line)
    ok = found and (found.group(0) == "done" or int(found.group(1)) >= 23)
    return [] if ok else [f"steps lost: lesson list says {line!r} after two runs at once (want >= 23%)"]


def after_corrupt_progress_kept(folder, ctx, attack, ph) -> list:
    original = attack.files["state/progress.json"]
    original = original.encode() if isinstance(original, str) else original
    for path in (folder / "state").rglob("*"):
        if path.is_file() and path.read_bytes() == original:
            return []
    return ["the unreadable progress file was replaced and not kept aside (progress.json.bad-<time>)"]


def after_dir_a_kept(folder, ctx, attack, ph) -> list:
    listed = ctx.tool(["lesson", "list"]).stdout.decode("utf-8", "replace")
    return [] if "dirA" in listed else [f"dirA/mine.toml's progress was overwritten by dirB/mine.toml: {listed!r}"]


def after_md_escaped(folder, ctx, attack, ph) -> list:
    path = folder / "out.md"
    if not path.exists():
        return ["out.md was not written"]
    text = path.read_text(encoding="utf-8", errors="replace")
    problems = []
    for raw in ("<script", "<img", "<iframe"):
        if raw in text:
            problems.append(f"raw HTML {raw!r} in the Markdown export")
    if re.search(r"^\s{0,3}#+\s*Injected", text, re.M):
        problems.append("a newline in a text injected a heading into the Markdown export")
    if re.search(r"^\s{0,3}[-*]\s*injected item", text, re.M):
        problems.append("a newline in a text injected a list into the Markdown export")
    return problems


def after_exports_clean(folder, ctx, attack, ph) -> list:
    """Every out.* written is free of raw control characters and live markup."""
    problems = []
    written = [p for p in folder.glob("out.*") if p.is_file()]
    if not written:
        return ["no export was written"]
    for path in written:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        bad = sorted({f"U+{ord(c):04X}" for c in text if is_control(c)})
        if bad:
            problems.append(f"{path.name} holds raw control characters {', '.join(bad)}")
        if "file:///etc/passwd" in text and re.search(r"<a [^>]*href=\"?file:", text):
            problems.append(f"{path.name} holds a live link to file:///etc/passwd")
    return problems


def after_no_stray_files(folder, ctx, attack, ph) -> list:
    stray = [p.name for p in folder.iterdir() if p.name.startswith(".") or p.name.endswith((".tmp", "~"))]
    return [f"temporary files left behind: {stray}"] if stray else []


AFTER = {name[6:]: f for name, f in dict(globals()).items() if name.startswith("after_")}


def is_control(ch: str) -> bool:
    """A character a terminal acts on: C0 but tab and newline, DEL, C1 (also as an undecodable byte)."""
    o = ord(ch)
    return (o < 0x20 and ch not in "\t\n") or o == 0x7F or 0x80 <= o <= 0x9F or 0xDC80 <= o <= 0xDC9F


# -- the attacks ---------------------------------------------------------------------------------------------

NET_OK = "x: [1, D]\nw: [D]\nJ = sum(x * w)\n"
NET_BAD = "x: [1, D]\nJ = sum(q)\n"
ATTACKS: list[Attack] = []


def add(*attacks: Attack) -> None:
    ATTACKS.extend(attacks)


A = Attack

# 1. unbounded reads and hangs ------------------------------------------------------------------------------
ERR = ("error",)
add(
    A("zero-network-shapes", 1, ["shapes", "/dev/zero"], stderr_must=ERR, note="/dev/zero as a network: grows without end"),
    A("urandom-network-shapes", 1, ["shapes", "/dev/urandom"], stderr_must=ERR, note="reads forever"),
    A("zero-network-check-json", 1, ["check", "/dev/zero", "--wrt", "x", "x", "--json"], json_stdout=True),
    A("fifo-network-shapes", 1, ["shapes", "{fifo_net}"], setup="fifos", stderr_must=ERR,
      note="a FIFO named like a network blocks in open()"),
    A("fifo-network-no-suffix", 1, ["derive", "{fifo}"], setup="fifos", stderr_must=ERR),
    A("fifo-network-check-json", 1, ["check", "{fifo_net}", "--wrt", "x", "x", "--json"], setup="fifos",
      json_stdout=True),
    A("fifo-lesson-run", 1, ["lesson", "run", "{fifo_toml}", "--no-input"], setup="fifos", stderr_must=ERR),
    A("fifo-lesson-validate", 1, ["lesson", "validate", "{fifo_toml}"], setup="fifos", stderr_must=ERR),
    A("fifo-lesson-export", 1, ["lesson", "export", "{fifo_toml}", "-o", "out.md"], setup="fifos", stderr_must=ERR),
    A("fifo-answers", 1, ["lesson", "run", "01-motivating-question", "--answers", "{fifo_toml}", "--json"],
      setup="fifos", stderr_must=ERR),
    A("fifo-derivation-file", 1, ["check", "default", "--wrt", "W1", "--file", "{fifo_txt}"], setup="fifos",
      stderr_must=ERR),
    A("fifo-derivation-file-json", 1, ["check", "default", "--wrt", "W1", "--file", "{fifo_txt}", "--json"],
      setup="fifos", json_stdout=True),
    A("fifo-export-target", 1, ["lesson", "export", "01-motivating-question", "-o", "{fifo_md}"], setup="fifos",
      stderr_must=ERR, note="opening a FIFO for writing blocks until a reader comes"),
    A("fifo-lesson-network-path", 1, ["lesson", "validate", "course/lesson.toml"], setup="lesson_net_fifo",
      stderr_must=ERR, note="a lesson's [network] path that is a FIFO inside its folder"),
    A("fifo-lesson-network-path-run", 1, ["lesson", "run", "course/lesson.toml", "--no-input"],
      setup="lesson_net_fifo", stderr_must=ERR),
    A("fifo-progress-list", 1, ["lesson", "list"], setup="state_fifo", expect_exit={0, 2}, stderr_must=("progress",),
      note="the progress file is a FIFO: a warning (or exit 2), never a hang"),
    A("fifo-progress-run", 1, ["lesson", "run", "01-motivating-question", "--no-input"], setup="state_fifo",
      expect_exit={0, 2}, stderr_must=("progress",)),
    A("fifo-progress-reset", 1, ["lesson", "reset", "--all", "--yes"], setup="state_fifo", expect_exit={2},
      stderr_must=("progress",)),
    A("zero-progress-list", 1, ["lesson", "list"], setup="state_zero", expect_exit={0, 2}, stderr_must=("progress",)),
    A("sparse-progress-list", 1, ["lesson", "list"], setup="state_sparse", expect_exit={0, 2},
      stderr_must=("progress",), note="a 2 GiB progress file is read whole today"),
    A("zero-answers", 1, ["lesson", "run", "01-motivating-question", "--answers", "/dev/zero", "--json"],
      stderr_must=ERR),
    A("zero-lesson-validate", 1, ["lesson", "validate", "/dev/zero"], stderr_must=ERR),
    A("urandom-lesson-run", 1, ["lesson", "run", "/dev/urandom", "--no-input"], stderr_must=ERR),
    A("sparse-network", 1, ["shapes", "big.net"], setup="sparse", stderr_must=ERR, note="2 GiB of NULs"),
    A("sparse-lesson", 1, ["lesson", "validate", "big.toml"], setup="sparse", stderr_must=ERR),
    A("sparse-answers", 1, ["lesson", "run", "01-motivating-question", "--answers", "big.toml", "--json"],
      setup="sparse", stderr_must=ERR),
    A("sparse-derivation-file", 1, ["check", "default", "--wrt", "W1", "--file", "big.txt"], setup="sparse",
      stderr_must=ERR, note="capped today: a regression guard"),
    A("directory-as-network", 1, ["shapes", "."], stderr_must=ERR),
)

# 2. work bounded as a whole --------------------------------------------------------------------------------
OK_OR_2 = {0, 2}
add(
    A("outer-outer-derive", 2, ["derive", "outer.net"], files={"outer.net": OUTER3}, expect_exit=OK_OR_2,
      note="arrays of 49.8M numbers each, several alive at once, complex for the check"),
    A("outer-outer-check", 2, ["check", "outer.net", "--wrt", "x", "x"], files={"outer.net": OUTER3}),
    A("outer-outer-check-json", 2, ["check", "outer.net", "--wrt", "x", "x", "--json"], files={"outer.net": OUTER3},
      json_stdout=True),
    A("einsum8-derive", 2, ["derive", "e8.net", "--dims", "D=10"], files={"e8.net": EINSUM8}, expect_exit=OK_OR_2,
      note="8 operands: a naive contraction over 10**9 index tuples"),
    A("einsum8-check", 2, ["check", "e8.net", "--wrt", "A", "B", "--dims", "D=10"], files={"e8.net": EINSUM8},
      expect_exit={1, 2}, note="along NumPy's contraction path the check is cheap: judged (B is wrong, 1) or refused "
                               "by the budget (2), in time either way"),
    A("einsum8-lesson-validate", 2, ["lesson", "validate", "e8.toml"], expect_exit=OK_OR_2,
      files={"e8.toml": lesson(network=net_source_toml(EINSUM8), dims="{ D = 10 }",
                               steps='[[steps]]\nid = "g"\nkind = "ask-gradient"\nwrt = "A"\n')},
      note="validate plays the lesson: it has no wall-clock guard today"),
    A("einsum8-lesson-run", 2, ["lesson", "run", "e8.toml", "--no-input"], expect_exit=OK_OR_2,
      files={"e8.toml": lesson(network=net_source_toml(EINSUM8), dims="{ D = 10 }",
                               steps='[[steps]]\nid = "g"\nkind = "show"\nview = "gradient"\nwrt = "A"\n')}),
    A("four-50M-leaves-derive", 2, ["derive", "four.net"], files={"four.net": FOUR}, expect_exit=OK_OR_2,
      note="each leaf is under the per-array limit; together 11 GB"),
    A("four-50M-leaves-check", 2, ["check", "four.net", "--wrt", "A", "B * C * E"], files={"four.net": FOUR}),
    A("leaves-600-derive", 2, ["derive", "many.net", "--wrt", "w0"], files={"many.net": LEAVES600},
      expect_exit=OK_OR_2, note="600 leaves, 1200 unbound dimensions given distinct values"),
    A("leaves-600-check", 2, ["check", "many.net", "--wrt", "w0", "1 + 0 * w0"], files={"many.net": LEAVES600},
      expect_exit={0, 1, 2}),
    A("small-text-huge-arrays", 2, ["derive", "sq.net", "--dims", "D=7000"], files={"sq.net": SQUARES},
      expect_exit=OK_OR_2),
    A("huge-intermediates-in-derivation", 2,
      ["check", "default", "--wrt", "W1", "--dims", "Dx=84",
       f"{CORRECT_W1} + 0 * " + " * ".join([HUGE_TERM] * 5)],
      expect_exit={0, 2}, note="one line of text, five 49.8M-number temporaries per draw"),
    A("default-at-max-dims-derive", 2, ["derive", "--dims", "Dx=7000,H=7000,Dy=7000"], expect_exit=OK_OR_2),
    A("default-at-max-dims-walk", 2, ["walk", "--no-input", "--dims", "Dx=7000,H=7000,Dy=7000"],
      expect_exit=OK_OR_2),
    A("lesson-at-max-dims-run", 2, ["lesson", "run", "big.toml", "--no-input"], expect_exit=OK_OR_2,
      files={"big.toml": lesson(dims="{ Dx = 7000, H = 7000, Dy = 7000 }",
                                steps='[[steps]]\nid = "g"\nkind = "show"\nview = "check"\nwrt = "W1"\n'
                                      f'derivation = {toml_str(CORRECT_W1)}\n')}),
)

# 3. terminal injection -------------------------------------------------------------------------------------
for name, seq in ESCAPES.items():
    add(A(f"esc-{name}-derivation-arg", 3, ["check", "default", "--wrt", "W1", f"x{seq} + 1"], expect_exit={1, 2},
          note="the echoed source line carries the sequence raw"))
add(
    A("esc-derivation-stdin", 3, ["check", "default", "--wrt", "W1", "-"], stdin=f"dz2 = yhat - y {ALL}\n",
      expect_exit={1, 2}),
    A("esc-derivation-file", 3, ["check", "default", "--wrt", "W1", "--file", "d.txt"],
      files={"d.txt": f"{CORRECT_W1}\n{ALL}\n"}, expect_exit={1, 2}),
    A("esc-derivation-json", 3, ["check", "default", "--wrt", "W1", f"x{ALL}", "--json"], expect_exit={1, 2},
      json_stdout=True),
    A("esc-wrt", 3, ["derive", "--wrt", f"W1{ALL}"], note="an unknown leaf's name in the message"),
    A("esc-dims-name", 3, ["derive", "--dims", f"Dx{TITLE}=3"]),
    A("esc-lesson-from", 3, ["lesson", "run", "01-motivating-question", "--no-input", "--from", f"x{ALL}"],
      note="--from X: no step with that id"),
    A("esc-network-comment-error", 3, ["shapes", "n.net"], files={"n.net": f"x: [1, D]\nJ = sum(q)  # {ALL}\n"},
      note="the located message echoes the line, comment and all"),
    A("esc-network-bad-char", 3, ["derive", "n.net"], files={"n.net": f"x: [1, D]\nJ = sum(x){TITLE}\n"}),
    A("esc-network-comment-in-lesson", 3, ["lesson", "run", "l.toml", "--no-input"], expect_exit={0},
      files={"l.toml": lesson(network=net_source_toml(f"x: [1, D]\nW1: [D, H]\nJ = sum(x @ W1)  # {ALL}\n"),
                              steps='[[steps]]\nid = "a"\nkind = "say"\ntext = "hi"\n')},
      note="the lesson shows its network, inline comments included"),
    A("esc-network-in-markdown-export", 3, ["lesson", "export", "l.toml", "-o", "out.md"], expect_exit={0},
      after="exports_clean",
      files={"l.toml": lesson(network=net_source_toml(f"x: [1, D]\nW1: [D, H]\nJ = sum(x @ W1)  # {ALL}\n"),
                              steps='[[steps]]\nid = "a"\nkind = "say"\ntext = "hi"\n')}),
    A("esc-filename-network", 3, ["shapes", f"n{ALL}.net"], expect_exit={0}, files={f"n{ALL}.net": NET_OK},
      note="the header names the file"),
    A("esc-filename-network-error", 3, ["shapes", f"n{ALL}.net"], files={f"n{ALL}.net": NET_BAD}),
    A("esc-filename-derivation-file", 3, ["check", "default", "--wrt", "W1", "--file", f"d{ALL}.txt"],
      files={f"d{ALL}.txt": "x.T @ q\n"}),
    A("esc-filename-lesson-validate", 3, ["lesson", "validate", f"l{ALL}.toml"], expect_exit={0},
      files={f"l{ALL}.toml": lesson()}, note="✓ NAME: n steps"),
    A("esc-filename-answers", 3, ["lesson", "run", "01-motivating-question", "--answers", f"a{ALL}.toml"],
      expect_exit={0}, files={f"a{ALL}.toml": "[answers]\nnot-a-step = \"1\"\n"},
      note="the warning about an unknown step names the answers file"),
    A("esc-filename-export-output", 3, ["lesson", "export", "01-motivating-question", "-o", f"o{TITLE}.md"],
      expect_exit={0}, note="`wrote NAME`"),
    A("esc-answer-echoed", 3, ["lesson", "run", "01-motivating-question", "--answers", "a.toml"], expect_exit={0},
      files={"a.toml": f"[answers]\nshape-W1 = {toml_str('Dx x H' + ALL)}\nyour-turn = {toml_str('x.T' + ALL)}\n"},
      note="an autograded answer is shown back"),
    A("esc-lesson-dims-key", 3, ["lesson", "validate", "l.toml"],
      files={"l.toml": lesson(dims="{ " + toml_str(f"Q{TITLE}") + " = 3 }")},
      note="`dims binds NAME, which the network does not use`"),
    A("esc-lesson-derivation", 3, ["lesson", "run", "l.toml", "--no-input"], expect_exit={0, 2},
      files={"l.toml": lesson(steps='[[steps]]\nid = "c"\nkind = "show"\nview = "check"\nwrt = "W1"\n'
                                    f'derivation = {toml_str(CORRECT_W1 + " + q" + ALL)}\n')}),
    A("esc-progress-id-replayed-by-list", 3, ["lesson", "list"], expect_exit={0},
      files={"state/progress.json": json.dumps({f"mine{ALL}": {"step": "a", "done": ["x"], "total": 3,
                                                               "finished": False, "fingerprint": "", "source": ""}})},
      note="a hostile id saved once replays on every `lesson list`"),
    A("esc-progress-source-replayed-by-list", 3, ["lesson", "list"], expect_exit={0},
      files={"state/progress.json": json.dumps({"mine": {"step": "a", "done": ["x"], "total": 3, "finished": False,
                                                         "fingerprint": "", "source": f"/tmp/{ALL}.toml"}})}),
    A("esc-progress-id-reset", 3, ["lesson", "reset", f"mine{TITLE}", "--yes"], expect_exit={0, 2},
      files={"state/progress.json": json.dumps({f"mine{TITLE}": {"step": "a", "done": [], "total": 3}})},
      note="`forgot your progress in ID`"),
)
# the lesson's own texts, in every command that shows them
for field_name in ("id", "title", "summary", "step_title", "hint", "text"):
    expect = {2} if field_name == "id" else {0}   # ids are restricted to a safe pattern, and validated
    add(A(f"esc-lesson-{field_name}-run", 3, ["lesson", "run", "l.toml", "--no-input"], expect_exit=expect,
          files={"l.toml": lesson(**{field_name: f"T{ALL}"})}))
    if field_name in ("id", "summary", "step_title"):
        continue                                  # ids: see -run; --present shows no summary; titles: "title"
    add(A(f"esc-lesson-{field_name}-present-tty", 3, ["lesson", "run", "l.toml", "--present"], expect_exit=expect,
          io="tty", stdin=" q" if field_name == "hint" else "q", files={"l.toml": lesson(**{field_name: f"T{ALL}"})},
          note="on a terminal, where the sequences act"))
for field_name in ("id", "title", "hint"):
    expect = {2} if field_name == "id" else {0}
    for mname, payload in MARKUP.items():
        if (field_name, mname) in {("hint", "close"), ("hint", "bold"), ("id", "bold"), ("title", "bold")}:
            continue
        literal = () if field_name == "id" else (MARKUP_LITERAL[mname],)
        add(A(f"markup-{mname}-lesson-{field_name}-run", 3, ["lesson", "run", "l.toml", "--no-input"],
              expect_exit=expect, files={"l.toml": lesson(**{field_name: f"T {payload}"})}, output_must=literal,
              note="shown as text: the markup neither vanishes nor acts"))
for field_name in ("id", "title", "step_title"):
    expect = {2} if field_name == "id" else {0}
    if field_name != "step_title":
        add(A(f"markup-link-lesson-{field_name}-tty", 3, ["lesson", "run", "l.toml", "--no-input"], io="tty",
              expect_exit=expect, files={"l.toml": lesson(**{field_name: f"T {LINK}"})},
              note="on a terminal a live [link] is an OSC 8 hyperlink to a local file"))
    if field_name == "id":
        continue
    add(A(f"markup-close-lesson-{field_name}-present-tty", 3, ["lesson", "run", "l.toml", "--present"], io="tty",
          stdin="q", expect_exit=expect, files={"l.toml": lesson(**{field_name: "T [/]"})},
          ))
add(
    A("markup-link-lesson-validate", 3, ["lesson", "validate", "l.toml"],
      files={"l.toml": lesson(id=f"x{LINK}")}),
    A("markup-close-derivation", 3, ["check", "default", "--wrt", "W1", "x.T @ q  # [/] [bold red]"],
      expect_exit={1, 2}, output_must=("[/]",)),
    A("markup-filename-close", 3, ["shapes", "a[/]b.net"], setup="odd_paths", expect_exit={0},
      output_must=("a[/]b.net",), note="`[/]` in a file name crashes rich markup today"),
    A("markup-filename-link", 3, ["shapes", "[link=file:///etc/passwd]x[/link].net"], setup="odd_paths",
      expect_exit={0}, output_must=("link=file:///etc/passwd",)),
    A("markup-filename-link-tty", 3, ["shapes", "[link=file:///etc/passwd]x[/link].net"], setup="odd_paths",
      io="tty", expect_exit={0}),
    A("markup-filename-bold-derive", 3, ["derive", "[bold red]x[/bold red].net", "--wrt", "w"], setup="odd_paths",
      expect_exit={0}, output_must=("bold red]",)),
    A("markup-filename-lesson", 3, ["lesson", "run", "l[/]x.toml", "--no-input"], setup="odd_paths",
      expect_exit={0}),
    A("markup-say-text-close", 3, ["lesson", "run", "l.toml", "--no-input"], expect_exit={0},
      files={"l.toml": lesson(text="Some [/] text [bold red]here")}, output_must=("[/]",)),
    A("esc-export-txt", 3, ["lesson", "export", "l.toml", "-o", "out.txt"], expect_exit={0}, after="exports_clean",
      files={"l.toml": lesson(title=f"T{ALL}", hint=f"H{ALL}", step_title=f"S{ALL}")}),
    A("esc-export-html", 3, ["lesson", "export", "l.toml", "-o", "out.html"], expect_exit={0}, after="exports_clean",
      files={"l.toml": lesson(title=f"T{ALL}", hint=f"H{ALL}", step_title=f"S{ALL}")}),
    A("esc-export-svg", 3, ["lesson", "export", "l.toml", "-o", "out.svg"], expect_exit={0}, after="exports_clean",
      files={"l.toml": lesson(title=f"T{ALL}", hint=f"H{ALL}", step_title=f"S{ALL}")}),
    A("esc-export-md", 3, ["lesson", "export", "l.toml", "-o", "out.md"], expect_exit={0}, after="exports_clean",
      files={"l.toml": lesson(title=f"T{ALL}", summary=f"U{ALL}", hint=f"H{ALL}", step_title=f"S{ALL}")}),
    A("markup-link-export-html", 3, ["lesson", "export", "l.toml", "-o", "out.html"], expect_exit={0},
      after="exports_clean", files={"l.toml": lesson(title=f"T {LINK}", step_title=f"S {LINK}")}),
)

# 4. exit 3 on bad input -------------------------------------------------------------------------------------
WRONG_OR_2 = {1, 2}
add(
    A("minus-350-derivation", 4, ["check", "default", "--wrt", "W1", f"x ** ({minus(350)}2)"], expect_exit=WRONG_OR_2),
    A("minus-1000-derivation", 4, ["check", "default", "--wrt", "W1", f"x ** ({minus(1000)}2)"],
      expect_exit=WRONG_OR_2, note="RecursionError today"),
    A("minus-1000-derivation-json", 4, ["check", "default", "--wrt", "W1", f"x ** ({minus(1000)}2)", "--json"],
      expect_exit=WRONG_OR_2, json_stdout=True),
    A("minus-1000-network", 4, ["derive", "m.net"], files={"m.net": f"x: [1, D]\nJ = sum(x ** ({minus(1000)}2))\n"},
      expect_exit=OK_OR_2),
    A("minus-1000-lesson", 4, ["lesson", "validate", "m.toml"], expect_exit=OK_OR_2,
      files={"m.toml": lesson(network=net_source_toml(f"x: [1, D]\nJ = sum(x ** ({minus(1000)}2))\n"),
                              steps='[[steps]]\nid = "g"\nkind = "ask-gradient"\nwrt = "x"\n')}),
    A("minus-1000-answer", 4, ["lesson", "run", "01-motivating-question", "--answers", "a.toml", "--json"],
      expect_exit={0}, files={"a.toml": f"[answers]\nyour-turn = \"x ** ({minus(1000)}2)\"\n"},
      note="an autograded answer must be judged, not crash the run"),
    A("plus-1000-derivation", 4, ["check", "default", "--wrt", "W1", f"x ** ({'+' * 1000}2)"],
      expect_exit=WRONG_OR_2),
    A("power-chain-1000", 4, ["check", "default", "--wrt", "W1", "x" + "**x" * 1000], expect_exit=WRONG_OR_2),
    A("toml-array-1000-deep", 4, ["lesson", "validate", "t.toml"],
      files={"t.toml": lesson().replace("[network]", "deep = " + "[" * 1000 + "]" * 1000 + "\n[network]")}),
    A("toml-inline-table-1000-deep", 4, ["lesson", "run", "t.toml", "--no-input"],
      files={"t.toml": lesson().replace("[network]", "deep = " + "{a = " * 1000 + "1" + "}" * 1000 + "\n[network]")}),
    A("toml-1000-deep-answers", 4, ["lesson", "run", "01-motivating-question", "--answers", "a.toml", "--json"],
      files={"a.toml": "[answers]\nshape-W1 = " + "[" * 1000 + "]" * 1000 + "\n"}),
    A("progress-nested-100000", 4, ["lesson", "list"], expect_exit=OK_OR_2,
      files={"state/progress.json": "[" * 100_000 + "]" * 100_000}),
    A("progress-infinity", 4, ["lesson", "list"], expect_exit=OK_OR_2,
      files={"state/progress.json": '{"01-motivating-question": {"step": "shapes", "done": ["setting"], '
                                    '"total": Infinity}}'}),
    A("progress-1e400", 4, ["lesson", "run", "01-motivating-question", "--no-input"], expect_exit=OK_OR_2,
      files={"state/progress.json": '{"01-motivating-question": {"step": "shapes", "done": [], "total": 1e400}}'}),
    A("stdin-closed-check", 4, ["check", "default", "--wrt", "W1", "-"], io="stdin-closed", stderr_must=ERR),
    A("stdin-closed-check-json", 4, ["check", "default", "--wrt", "W1", "-", "--json"], io="stdin-closed",
      json_stdout=True),
    A("stdin-closed-lesson-run", 4, ["lesson", "run", "01-motivating-question"], io="stdin-closed",
      expect_exit=OK_OR_2),
    A("stdin-closed-reset", 4, ["lesson", "reset", "--all"], io="stdin-closed", stderr_must=ERR),
    A("stdout-closed-shapes", 4, ["shapes"], io="stdout-closed", expect_exit=OK_OR_2),
    A("stdout-closed-check-unusable", 4, ["check", "default", "--wrt", "W1", "nope +", "--json"], io="stdout-closed"),
    A("stdout-closed-lesson-json", 4, ["lesson", "run", "01-motivating-question", "--answers", "a.toml", "--json"],
      io="stdout-closed", expect_exit=OK_OR_2, files={"a.toml": '[answers]\nshape-W1 = "Dx x H"\n'}),
    A("stdout-full-shapes", 4, ["shapes"], io="stdout-full", expect_exit=OK_OR_2),
    A("stdout-full-check-correct-json", 4, ["check", "default", "--wrt", "W1", CORRECT_W1, "--json"],
      io="stdout-full", expect_exit=OK_OR_2, note="never 1: a grader reads 1 as wrong"),
    A("stdout-full-check-unusable", 4, ["check", "default", "--wrt", "W1", "nope +"], io="stdout-full"),
    A("stderr-full-bad-network", 4, ["shapes", "missing.net"], io="stderr-full",
      note="the message cannot be written: still exit 2, not 1"),
    A("stderr-full-check-unusable", 4, ["check", "default", "--wrt", "W1", "nope +"], io="stderr-full"),
    A("stderr-closed-bad-network", 4, ["shapes", "missing.net"], io="stderr-closed"),
    A("argv-undecodable-derivation", 4, ["check", "default", "--wrt", "W1", b"x.T @ \xff"], stderr_must=ERR),
    A("filename-undecodable", 4, ["shapes", b"n\xff\x9b.net"], expect_exit=OK_OR_2, files={b"n\xff\x9b.net": NET_OK},
      note="printing the name fails with UnicodeEncodeError (surrogates)"),
    A("ascii-stdout-lesson", 4, ["lesson", "run", "01-motivating-question", "--no-input"],
      env={"PYTHONIOENCODING": "ascii"}, expect_exit={0}),
    # xᵀ @ δ1 alone is now read as mathematics (SPEC §8) and is right; ÿ keeps a non-ASCII name in the echo
    A("ascii-stdout-check-echo", 4, ["check", "default", "--wrt", "W1", "xᵀ @ δ1 @ ÿ"], env={"PYTHONIOENCODING": "ascii"},
      expect_exit=WRONG_OR_2),
)

# 5. progress lost -------------------------------------------------------------------------------------------
MINE_AS_01 = lesson(id="01-motivating-question", title="Not the bundled lesson", steps=SAYS)
add(
    A("bundled-id-reused-by-file-run", 5, ["lesson", "run", "mine.toml"], io="tty-stdin", stdin="\n\x04",
      expect_exit={0}, setup="seed_bundled", files={"mine.toml": MINE_AS_01}, after="bundled_progress_kept",
      note="a lesson file with a bundled lesson's id overwrites its progress"),
    A("bundled-id-reused-by-file-reset", 5, ["lesson", "reset", "mine.toml", "--yes"], setup="seed_bundled",
      files={"mine.toml": MINE_AS_01}, after="bundled_progress_kept",
      note="resetting the file must not forget the bundled lesson"),
    A("two-runs-at-once", 5, ["lesson", "run", "01-motivating-question"], io="tty-stdin", stdin="\n\nDx x H\n\x04",
      expect_exit={0}, scenario="concurrent", background=["lesson", "run", "01-motivating-question"],
      after="progress_at_least_23", note="the run that ends last saves its stale copy over the other's steps"),
    A("two-files-same-id", 5, ["lesson", "run", "dirB/mine.toml"], io="tty-stdin", stdin="\n\n\x04", expect_exit={0},
      setup="seed_dir_a", after="dir_a_kept",
      files={"dirA/mine.toml": lesson(id="mine", steps=SAYS), "dirB/mine.toml": lesson(id="mine", title="B", steps=SAYS)}),
    A("corrupt-progress-truncated", 5, ["lesson", "run", "01-motivating-question"], io="tty-stdin", stdin="\n\x04",
      expect_exit={0}, after="corrupt_progress_kept", stderr_must=("progress",),
      files={"state/progress.json": '{"02-biases-and-w2": {"step": "shape-Z1", "done": ["intro", "shapes"], "tot'},
      note="the next save replaces it: every other lesson's entries are gone"),
    A("corrupt-progress-binary", 5, ["lesson", "run", "01-motivating-question"], io="tty-stdin", stdin="\n\x04",
      expect_exit={0}, after="corrupt_progress_kept", files={"state/progress.json": bytes(range(256))}),
    A("corrupt-progress-not-an-object", 5, ["lesson", "run", "01-motivating-question"], io="tty-stdin",
      stdin="\n\x04", expect_exit={0}, after="corrupt_progress_kept",
      files={"state/progress.json": '[{"02-biases-and-w2": {"step": "a", "done": ["intro"]}}]'}),
    A("reset-all-unwritable-state", 5, ["lesson", "reset", "--all", "--yes"], setup="state_blocked",
      env={"SHAPETUTOR_STATE_DIR": "{blocked}"}, stderr_must=ERR,
      note="reports success when nothing could be written"),
    A("reset-all-lock-is-a-folder", 5, ["lesson", "reset", "--all", "--yes"], setup="lock_dir",
      files={"state/progress.json": json.dumps({"02-biases-and-w2": {"step": "a", "done": ["intro"], "total": 5}})},
      keep=("state/progress.json",), stderr_must=ERR),
    A("reset-one-lock-is-a-folder", 5, ["lesson", "reset", "02-biases-and-w2", "--yes"], setup="lock_dir",
      files={"state/progress.json": json.dumps({"02-biases-and-w2": {"step": "a", "done": ["intro"], "total": 5}})},
      keep=("state/progress.json",), stderr_must=ERR),
    A("reset-all-progress-is-a-folder", 5, ["lesson", "reset", "--all", "--yes"], setup="progress_dir",
      stderr_must=ERR),
)

# 6. exports ---------------------------------------------------------------------------------------------------
HTML = "<script>alert(1)</script><img src=x onerror=alert(2)>"
INJECT = "T\n\n# Injected heading\n\n- injected item\n"
add(
    A("export-fails-over-previous-md", 6, ["lesson", "export", "01-motivating-question", "-o", "handout.md"],
      setup="previous_export_md", fsize=2000, keep=("handout.md",), after="no_stray_files",
      note="the write fails half-way (RLIMIT_FSIZE): the earlier handout must survive"),
    A("export-fails-over-previous-html", 6, ["lesson", "export", "01-motivating-question", "-o", "handout.html"],
      setup="previous_export_html", fsize=2000, keep=("handout.html",), after="no_stray_files"),
    A("export-fails-new-file", 6, ["lesson", "export", "01-motivating-question", "-o", "new.md"], fsize=2000,
      absent=("new.md",), after="no_stray_files", note="no half-written handout left behind"),
    A("walk-export-fails-new-file", 6, ["walk", "--no-input", "--export", "new.txt"], fsize=2000,
      absent=("new.txt",), after="no_stray_files"),
    A("export-through-symlink", 6, ["lesson", "export", "01-motivating-question", "-o", "out.md"], setup="symlinks",
      keep=("victim.txt", "out.md"), note="-o follows a symlink to another file"),
    A("export-through-symlink-html", 6, ["lesson", "export", "01-motivating-question", "-o", "out.html"],
      setup="symlinks", keep=("victim.txt", "out.html")),
    A("export-through-dangling-symlink", 6, ["lesson", "export", "01-motivating-question", "-o", "dangling.md"],
      setup="symlinks", absent=("nowhere.md",), keep=("dangling.md",)),
    A("walk-export-through-symlink", 6, ["walk", "--no-input", "--export", "out.txt"], setup="symlinks",
      keep=("victim.txt", "out.txt")),
    A("walk-export-through-dangling-symlink", 6, ["walk", "--no-input", "--export", "dangling.txt"],
      setup="symlinks", absent=("nowhere.txt",)),
    A("export-over-non-export-md", 6, ["lesson", "export", "01-motivating-question", "-o", "notes.md"],
      files={"notes.md": "# My own notes\n\nNot a handout.\n"}, keep=("notes.md",)),
    A("export-over-non-export-html", 6, ["lesson", "export", "01-motivating-question", "-o", "page.html"],
      files={"page.html": "<html><body>my page</body></html>\n"}, keep=("page.html",)),
    A("walk-export-over-non-export", 6, ["walk", "--no-input", "--export", "notes.txt"],
      files={"notes.txt": "my notes\n"}, keep=("notes.txt",)),
    A("export-over-previous-export", 6, ["lesson", "export", "01-motivating-question", "-o", "handout.md"],
      setup="previous_export_md", expect_exit={0}, after="no_stray_files",
      note="control: re-exporting over one's own earlier handout is fine"),
    A("md-html-title", 6, ["lesson", "export", "l.toml", "-o", "out.md"], expect_exit={0}, after="md_escaped",
      files={"l.toml": lesson(title=f"T {HTML}")}),
    A("md-html-hint", 6, ["lesson", "export", "l.toml", "-o", "out.md"], expect_exit={0}, after="md_escaped",
      files={"l.toml": lesson(hint=f"H {HTML}")}),
    A("md-html-say-text", 6, ["lesson", "export", "l.toml", "-o", "out.md"], expect_exit={0}, after="md_escaped",
      files={"l.toml": lesson(text=f"Some *Markdown* and {HTML}")},
      note="say text is Markdown by design, but raw HTML in it is not"),
    A("md-newline-title", 6, ["lesson", "export", "l.toml", "-o", "out.md"], expect_exit={0}, after="md_escaped",
      files={"l.toml": lesson(title=INJECT)}),
    A("md-newline-hint", 6, ["lesson", "export", "l.toml", "-o", "out.md"], expect_exit={0}, after="md_escaped",
      files={"l.toml": lesson(hint=INJECT)}),
    A("html-export-script-title", 6, ["lesson", "export", "l.toml", "-o", "out.html"], expect_exit={0},
      after="exports_clean", files={"l.toml": lesson(title=f"T {HTML}", hint=HTML)}),
)

# 7. numbers ----------------------------------------------------------------------------------------------------
add(
    A("overflow-derive", 7, ["derive", "e.net"], files={"e.net": EXP1000}, expect_exit={0},
      output_must_not=("negative",)),
    A("overflow-check-correct", 7, ["check", "e.net", "--wrt", "x", "1000 * exp(1000 * x)"],
      files={"e.net": EXP1000}, expect_exit={0}, output_must_not=("negative",),
      note="a correct derivation that overflows at the sampled values: re-sample smaller"),
    A("overflow-check-correct-json", 7, ["check", "e.net", "--wrt", "x", "1000 * exp(1000 * x)", "--json"],
      files={"e.net": EXP1000}, expect_exit={0}, json_stdout=True, stdout_must=('"correct"',)),
    A("overflow-check-wrong-json", 7, ["check", "e.net", "--wrt", "x", "exp(1000 * x)", "--json"],
      files={"e.net": EXP1000}, expect_exit={1}, json_stdout=True, stdout_must_not=('"wrong_value"',),
      note="a constant factor off: scaled, judged at finite values"),
    A("overflow-lesson-validate", 7, ["lesson", "validate", "e.toml"], expect_exit={0},
      files={"e.toml": lesson(network=net_source_toml(EXP1000),
                              steps='[[steps]]\nid = "g"\nkind = "ask-gradient"\nwrt = "x"\n'
                                    'expect = "1000 * exp(1000 * x)"\n')}),
    A("overflow-only-in-derivation", 7,
      ["check", "default", "--wrt", "W1", f"{CORRECT_W1} + 0 * exp(1000 * sum(x)) * W1", "--json"],
      expect_exit={0}, json_stdout=True, stdout_must=('"correct"',),
      note="0 * inf is NaN at the sampled values; the formula is right"),
    A("power-overflow-check", 7, ["check", "p.net", "--wrt", "x", "1000 * x ** 999", "--json"],
      files={"p.net": POW}, expect_exit={0}, json_stdout=True, stdout_must=('"correct"',)),
)

# 8. locations ---------------------------------------------------------------------------------------------------
for name, brk in {"u2028": "\u2028", "u0085": "\x85", "formfeed": "\x0c"}.items():
    add(A(f"lines-{name}-network", 8, ["shapes", "n.net"],
          files={"n.net": f"x: [1, D]  # one{brk}two\ny = x * 2\nJ = sum(q)\n"},
          stderr_must=("n.net:3:9", "J = sum(q)"),
          note="an editor counts 3 lines; str.splitlines counts 4"))
for name, brk in {"cr": "\r", "crlf": "\r\n"}.items():
    add(A(f"lines-{name}-network", 8, ["shapes", "n.net"],
          files={"n.net": f"x: [1, D]{brk}y = x * 2{brk}J = sum(q){brk}"}, stderr_must=("n.net:3:9", "J = sum(q)"),
          note="control: these are line breaks for editors and Python alike"))
DERIVATION_2028 = "dz2 = yhat - y  # a\u2028b\ndh = dz2 @ W2.T\ndW1 = x.T @ nope"
LESSON_2028 = lesson(title="T\u2028x", summary="S<NEL>y").replace("<NEL>", "\x85").replace(
    'kind = "ask-shape"', 'kind = "nope"')                  # U+0085 raw: toml_str would escape it
TOML_2028 = lesson(title="T\u2028x", summary="S<NEL>y").replace("<NEL>", "\x85").replace('kind = "say"', "kind = say")


def line_of(text: str, needle: str) -> int:
    """The line an editor shows `needle` on: only \\n, \\r\\n and \\r end lines."""
    return text[:text.index(needle)].replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


add(
    A("lines-u2028-derivation", 8, ["check", "default", "--wrt", "W1", DERIVATION_2028],
      stderr_must=(":3:13", "dW1 = x.T @ nope")),
    A("lines-u2028-derivation-json", 8, ["check", "default", "--wrt", "W1", DERIVATION_2028, "--json"],
      json_stdout=True, stdout_must=('"line": 3',)),
    A("lines-u2028-lesson", 8, ["lesson", "validate", "l.toml"], files={"l.toml": LESSON_2028},
      stderr_must=("l.toml:%d:" % line_of(LESSON_2028, 'kind = "nope"'),),
      note="the lesson's locator splits lines on U+2028 and U+0085"),
    A("lines-u2028-toml-syntax", 8, ["lesson", "validate", "l.toml"], files={"l.toml": TOML_2028},
      stderr_must=("l.toml:%d:" % line_of(TOML_2028, "kind = say"), "kind = say")),
    A("columns-non-ascii", 8, ["shapes", "n.net"], files={"n.net": "αβ: [1, D]\nJ = sum(αβ * αβ) + q\n"},
      stderr_must=("n.net:2:20",), note="columns count characters, not UTF-8 bytes"),
    A("bom-derivation-file", 8, ["check", "default", "--wrt", "W1", "--file", "d.txt"], expect_exit={0},
      files={"d.txt": "\ufeff" + CORRECT_W1 + "\n"}),
    A("bom-derivation-stdin", 8, ["check", "default", "--wrt", "W1", "-"], expect_exit={0},
      stdin=("\ufeff" + CORRECT_W1 + "\n").encode()),
    A("bom-answers-file", 8, ["lesson", "run", "01-motivating-question", "--answers", "a.toml", "--json"],
      expect_exit={0}, files={"a.toml": "\ufeff[answers]\nshape-W1 = \"Dx x H\"\n"}, json_stdout=True),
    A("bom-lesson-file", 8, ["lesson", "validate", "l.toml"], expect_exit={0}, files={"l.toml": "\ufeff" + lesson()}),
)

BY_ID = {a.id: a for a in ATTACKS}
assert len(BY_ID) == len(ATTACKS), "attack ids must be unique"
