"""Every attack of the second hostile round (tests/catalogue/attacks.py, issue 16), each in a subprocess.

Each attack runs `python -m tutor …` in a fresh temporary folder with a fresh state folder, under
RLIMIT_AS (3 GB) and a 20 s timeout (as a fork of a process that has imported shapetutor already,
tests/forked_tutor.py, where a fresh interpreter would start the same way: plain pipes, the standard
environment; SHAPETUTOR_HOSTILE_NO_FORK=1 starts Python for every run), and must: exit with one of its expected codes (never 3), print
no traceback, finish within 10 s, peak below 2 GB resident (the child's own rusage, from wait4), keep
the terminal clean, and meet the attack's own expectations. Nothing here is marked xfail: a failure
is work left to do. Attacks run two at a time (SHAPETUTOR_HOSTILE_JOBS=1: one at a time; under pytest-xdist
a worker runs its test's attack beside its next test's), and SHAPETUTOR_HOSTILE_ROOT runs another checkout's package:

    SHAPETUTOR_HOSTILE_JOBS=1 python -m pytest tests/test_hostile.py -p no:cacheprovider -k fifo
"""
from __future__ import annotations

import fcntl
import json
import os
import pty
import resource
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalogue.attacks import AFTER, ATTACKS, SETUPS, TTY_FORBIDDEN, Attack, is_control  # noqa: E402
from conftest import NEXT_TEST  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TOOL_ROOT = Path(os.environ.get("SHAPETUTOR_HOSTILE_ROOT", ROOT))
ADDRESS_SPACE = 3 << 30      # RLIMIT_AS of every child
TIMEOUT = 20.0               # seconds before a child is killed
MAX_SECONDS = 10.0           # what the issue allows
MAX_RSS = 2 << 30            # bytes of peak resident memory the issue allows


@dataclass
class Outcome:
    returncode: int | None
    stdout: bytes
    stderr: bytes
    seconds: float
    rss: int                 # peak resident set of the child, bytes
    timed_out: bool


# -- running one child ----------------------------------------------------------------------------------------

def fill(value, ph: dict):
    if isinstance(value, bytes):
        return value
    for key, text in ph.items():
        value = value.replace("{" + key + "}", text)
    return value


def child_env(folder: Path, extra: dict) -> dict:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(folder / "home"),
           "XDG_STATE_HOME": str(folder / "home" / ".local" / "state"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "40", "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": str(TOOL_ROOT), "SHAPETUTOR_STATE_DIR": str(folder / "state")}
    env.update(extra)
    return env


class Launcher:
    """tests/forked_tutor.py, started once per test process: each run it is asked for is a fork of a process
    that has already imported shapetutor, adopted by this process (a child subreaper) so that it is reaped
    with wait4 like any child. None where Linux's prctl is not there; runs then start Python as before."""

    _self: "Launcher | None" = None
    _lock = threading.Lock()

    def __init__(self):
        import ctypes
        import socket
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(36, 1, 0, 0, 0) != 0:   # PR_SET_CHILD_SUBREAPER
            raise OSError(ctypes.get_errno(), "prctl")
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = child_env(ROOT, {})
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("forked_tutor.py")),
                                      str(theirs.fileno())], pass_fds=(theirs.fileno(),), env=env,
                                     stdin=subprocess.DEVNULL)
        theirs.close()
        self.sending = threading.Lock()
        import atexit
        atexit.register(self.close)

    def close(self) -> None:
        self.control.close()   # the launcher reads the end of its requests and returns
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    @classmethod
    def shared(cls) -> "Launcher | None":
        with cls._lock:
            if cls._self is None and not os.environ.get("SHAPETUTOR_HOSTILE_NO_FORK"):
                try:
                    cls._self = cls()
                except OSError:
                    cls._self = None
            return cls._self

    def start(self, argv: list, folder: Path, env: dict, fds: list[int], fsize: int | None) -> int:
        """The pid of a run of `python -m tutor *argv` on these stdin/stdout/stderr descriptors."""
        import socket
        mine, theirs = socket.socketpair()
        request = {"argv": [os.fsencode(a).hex() for a in argv], "cwd": str(folder), "env": env, "fsize": fsize,
                   "address_space": ADDRESS_SPACE}
        with self.sending:
            socket.send_fds(self.control, [json.dumps(request).encode()], [*fds, theirs.fileno()])
        theirs.close()
        mine.settimeout(TIMEOUT)
        pid = int(mine.recv(32))
        mine.close()
        return pid


class Forked:
    """What Child needs of a process started by the Launcher."""

    def __init__(self, pid: int):
        self.pid, self.returncode = pid, None
        self.stdin = self.stdout = self.stderr = None


class Child:
    """One `python -m tutor` process, its streams set up as `io` says, reaped with wait4 for its rusage. A run
    that a fresh interpreter would start the same way (`forked`: plain pipes, the standard environment) is a
    fork of the Launcher's process."""

    def __init__(self, argv: list, folder: Path, env: dict, io: str = "", stdin=None, fsize: int | None = None,
                 forked: bool = False):
        self.io, self.typed = io, stdin
        self.out, self.err = bytearray(), bytearray()
        self.master = None
        self.threads = []
        self.own_fds: list[int] = []
        launcher = Launcher.shared() if forked and io == "" else None
        if launcher is not None:
            self.fork(launcher, argv, folder, env, stdin, fsize)
            return
        closing = []
        kw: dict = {"stdin": subprocess.DEVNULL, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
        if isinstance(stdin, str):
            stdin = stdin.encode("utf-8")
        if io.startswith("tty"):
            self.master, slave = pty.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
            closing.append(slave)
            kw["stdin"] = slave
            if io == "tty":
                kw["stdout"] = slave
        elif stdin is not None:
            kw["stdin"] = subprocess.PIPE
        for stream in ("stdout", "stderr"):
            if io == f"{stream}-full":
                fd = os.open("/dev/full", os.O_WRONLY)
                closing.append(fd)
                kw[stream] = fd
        close_fd = {"stdin-closed": 0, "stdout-closed": 1, "stderr-closed": 2}.get(io)
        tty = io.startswith("tty")

        def limits():
            resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
            if fsize is not None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
            if tty:
                fcntl.ioctl(0, termios.TIOCSCTTY, 0)
            if close_fd is not None:
                os.close(close_fd)

        self.start = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "-m", "tutor", *argv], cwd=folder, env=env,
                                     preexec_fn=limits, start_new_session=True, **kw)
        for fd in closing:
            os.close(fd)
        if self.proc.stdout is not None:
            self.pump(self.proc.stdout.fileno(), self.out)
        if self.proc.stderr is not None:
            self.pump(self.proc.stderr.fileno(), self.err)
        if self.master is not None:
            self.pump(self.master, self.out if io == "tty" else bytearray())
        if self.proc.stdin is not None:
            threading.Thread(target=self.feed, args=(self.proc.stdin, stdin), daemon=True).start()
        elif io == "tty-stdin" and stdin:
            os.write(self.master, stdin)          # typed ahead: a line at a time in canonical mode
        elif io == "tty" and stdin:
            threading.Thread(target=self.keys, args=(stdin,), daemon=True).start()

    def fork(self, launcher: Launcher, argv: list, folder: Path, env: dict, stdin, fsize: int | None) -> None:
        if isinstance(stdin, str):
            stdin = stdin.encode("utf-8")
        if stdin is None:
            child_in, feed = os.open(os.devnull, os.O_RDONLY), None
        else:
            child_in, feed = os.pipe()
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        self.start = time.perf_counter()
        self.proc = Forked(launcher.start(argv, folder, env, [child_in, out_write, err_write], fsize))  # type: ignore
        for fd in (child_in, out_write, err_write):
            os.close(fd)
        self.own_fds = [out_read, err_read]
        self.pump(out_read, self.out)
        self.pump(err_read, self.err)
        if feed is not None:
            threading.Thread(target=self.feed, args=(os.fdopen(feed, "wb"), stdin), daemon=True).start()

    def pump(self, fd: int, into: bytearray) -> None:
        def run():
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:                   # EIO: the pseudo-terminal's other side is gone
                    break
                if not chunk:
                    break
                into.extend(chunk)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.threads.append(thread)

    @staticmethod
    def feed(pipe, data: bytes) -> None:
        try:
            pipe.write(data)
            pipe.close()
        except OSError:
            pass

    def keys(self, data: bytes) -> None:
        """Single keys for a full-screen program: after its first screen, and again while it runs."""
        deadline = time.perf_counter() + TIMEOUT
        while not self.out and time.perf_counter() < deadline and self.proc.returncode is None:
            time.sleep(0.05)
        time.sleep(0.4)
        while self.proc.returncode is None and time.perf_counter() < deadline:
            for key in data:                      # one read() per key, as a person types
                try:
                    os.write(self.master, bytes([key]))
                except OSError:
                    return
                time.sleep(0.3)
            time.sleep(1.2)

    def type(self, data: str) -> None:
        if self.master is not None:
            os.write(self.master, data.encode("utf-8"))

    def wait(self, timeout: float = TIMEOUT) -> Outcome:
        pid, timed_out = self.proc.pid, False
        deadline = self.start + timeout
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            if time.perf_counter() > deadline:
                timed_out = True
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                _, status, usage = os.wait4(pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - self.start
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        for thread in self.threads:
            thread.join(timeout=2 if self.master is None else 0.5)
        if self.master is not None:
            os.close(self.master)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        for fd in self.own_fds:
            os.close(fd)
        return Outcome(None if timed_out else self.proc.returncode, bytes(self.out), bytes(self.err), seconds,
                       usage.ru_maxrss * 1024, timed_out)


class Context:
    """What setups and after-checks may use: the attack's folder and environment, and a way to run the tool."""

    def __init__(self, folder: Path, env: dict):
        self.folder, self.env = folder, env
        self.standard_env = True  # no variables of the attack's own: a forked run starts the same

    def tool(self, argv: list, tty_input: str | None = None) -> Outcome:
        child = Child(argv, self.folder, self.env, "tty-stdin" if tty_input else "", tty_input,
                      forked=self.standard_env)
        return child.wait(timeout=40)


# -- checks -------------------------------------------------------------------------------------------------------

def text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def controls(data: bytes) -> list[str]:
    return sorted({f"U+{ord(c):04X}" if ord(c) < 0xDC00 else f"byte 0x{ord(c) - 0xDC00:02X}"
                   for c in text(data) if is_control(c)})


def problems(attack: Attack, out: Outcome, folder: Path, ctx: Context, ph: dict, snapshot: dict) -> list[str]:
    """Every way this run fails the attack, the most telling first."""
    found = []
    stdout, stderr = text(out.stdout), text(out.stderr)
    both = stdout + "\n" + stderr
    tail = (stderr.strip().splitlines() or [""])[-1][:160]
    if out.timed_out:
        return [f"still running after {TIMEOUT:.0f} s (killed; peak {out.rss / 2**20:.0f} MB)"]
    if out.returncode == 3:
        found.append(f"exit 3: {tail}")
    elif out.returncode not in attack.expect_exit:
        found.append(f"exit {out.returncode}, expected {sorted(attack.expect_exit)}: {tail}")
    if "Traceback (most recent call last)" in both:
        found.append("a traceback")
    if "bug in shapetutor" in both and out.returncode != 3:
        found.append("says 'a bug in shapetutor' without exit 3")
    if not out.timed_out and out.seconds >= MAX_SECONDS:
        found.append(f"took {out.seconds:.1f} s (limit {MAX_SECONDS:.0f} s)")
    if out.rss >= MAX_RSS:
        found.append(f"peak memory {out.rss / 2**30:.1f} GB (limit {MAX_RSS / 2**30:.0f} GB)")
    stdout_captured = attack.io not in ("stdout-closed", "stdout-full")
    stderr_captured = attack.io not in ("stderr-closed", "stderr-full")
    if attack.io == "tty":
        raw = [seq for seq in TTY_FORBIDDEN if seq in stdout]
        if raw:
            found.append(f"injected terminal sequences reach the terminal: {raw}")
    elif stdout_captured and controls(out.stdout):
        found.append(f"raw control characters on stdout: {', '.join(controls(out.stdout)[:6])}")
    if stderr_captured and controls(out.stderr):
        found.append(f"raw control characters on stderr: {', '.join(controls(out.stderr)[:6])}")
    if out.returncode == 2 and stderr_captured and not stderr.strip():
        found.append("exit 2 without a message on stderr")
    if attack.json_stdout and stdout_captured and not out.timed_out:
        try:
            json.loads(stdout)
        except ValueError:
            found.append(f"stdout is not JSON: {stdout[:80]!r}")
    for needle in attack.stdout_must:
        if needle not in stdout:
            found.append(f"stdout lacks {needle!r}")
    for needle in attack.stdout_must_not:
        if needle in stdout:
            found.append(f"stdout has {needle!r}")
    for needle in attack.stderr_must:
        if stderr_captured and needle not in stderr:
            found.append(f"stderr lacks {needle!r}: {tail}")
    for needle in attack.stderr_must_not:
        if needle in stderr:
            found.append(f"stderr has {needle!r}")
    for needle in attack.output_must:
        if needle not in both:
            found.append(f"the output lacks {needle!r} (shown as text)")
    for needle in attack.output_must_not:
        if needle in both:
            found.append(f"the output has {needle!r}")
    for name, before in snapshot.items():
        now = state_of(folder / name)
        if now != before:
            found.append(f"{name} was changed ({describe(before)} -> {describe(now)})")
    for name in attack.absent:
        if os.path.lexists(folder / fill(name, ph)):
            found.append(f"{name} was created")
    if attack.after is not None and not out.timed_out:
        found += AFTER[attack.after](folder, ctx, attack, ph)
    return found


def state_of(path: Path):
    if path.is_symlink():
        return ("symlink", os.readlink(path))
    if path.is_file():
        return ("file", path.read_bytes())
    return ("missing" if not path.exists() else "other", None)


def describe(state) -> str:
    kind, value = state
    if kind == "file":
        return f"a file of {len(value)} bytes"
    return f"a symlink to {value}" if kind == "symlink" else kind


# -- the test -------------------------------------------------------------------------------------------------------

def write_files(folder: Path, files: dict) -> None:
    for name, content in files.items():
        path = folder / os.fsdecode(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def run_attack(attack: Attack, folder: Path) -> list[str]:
    """Set up, run and judge one attack in its own folder: its problems, each with the run's details."""
    ph = {"dir": str(folder), "state": str(folder / "state")}
    write_files(folder, attack.files)
    ctx = Context(folder, child_env(folder, {}))
    ph.update(SETUPS[attack.setup](folder, ctx))
    env = child_env(folder, {k: fill(v, ph) for k, v in attack.env.items()})
    ctx.env, ctx.standard_env = env, not attack.env
    snapshot = {name: state_of(folder / name) for name in attack.keep}
    argv = [fill(a, ph) for a in attack.argv]
    stdin = fill(attack.stdin, ph) if attack.stdin is not None else None

    background = None
    if attack.scenario == "concurrent":
        background = Child([fill(a, ph) for a in attack.background], folder, env, "tty-stdin")
        deadline = time.perf_counter() + 10
        while "▸".encode() not in background.out and time.perf_counter() < deadline:
            time.sleep(0.05)
    outcome = Child(argv, folder, env, attack.io, stdin, attack.fsize, forked=not attack.env).wait()
    found = []
    if background is not None:
        background.type(attack.background_stdin)
        other = background.wait()
        if other.timed_out or other.returncode != 0 or b"Traceback" in other.stderr:
            found.append(f"the other run ended badly: exit {other.returncode}, {text(other.stderr)[-160:]!r}")
    found = problems(attack, outcome, folder, ctx, ph, snapshot) + found
    if found:
        found[-1] += ((f"\n  {attack.note}" if attack.note else "")
                      + f"\n  exit {outcome.returncode} in {outcome.seconds:.1f} s, peak {outcome.rss / 2**20:.0f} MB"
                      + f"\n  stdout: {text(outcome.stdout)[-600:]!r}\n  stderr: {text(outcome.stderr)[-600:]!r}")
    return found


# Attacks run JOBS at a time (2 by default: the runs are mostly Python starting up), in the order pytest
# collected them, ahead of the tests that report them; SHAPETUTOR_HOSTILE_JOBS=1 runs them one by one.
JOBS = max(1, int(os.environ.get("SHAPETUTOR_HOSTILE_JOBS", "2")))


@pytest.fixture(scope="session")
def ahead(request, tmp_path_factory):
    """The problems of an attack, run ahead of its test where this process knows the tests it will run.

    A pytest-xdist worker collects every test but runs only those the controller sends it, so running
    its whole collection ahead would run every attack once per worker: there, an attack starts when its
    test asks, with the attack of the worker's next test beside it."""
    knows_its_tests = not hasattr(request.config, "workerinput")
    selected = [attack_of(item) for item in request.session.items if knows_its_tests and attack_of(item)]
    pool = ThreadPoolExecutor(max_workers=JOBS)
    futures = {}

    def start(attack: Attack) -> None:
        if attack.id not in futures:
            futures[attack.id] = pool.submit(run_attack, attack, tmp_path_factory.mktemp(attack.id[:40]))

    for attack in selected:
        start(attack)

    def problems_of(attack: Attack, next_test=None) -> list[str]:
        start(attack)
        if attack_of(next_test) is not None:
            start(attack_of(next_test))
        return futures[attack.id].result()

    yield problems_of
    pool.shutdown(wait=True, cancel_futures=True)


def attack_of(item) -> Attack | None:
    params = getattr(getattr(item, "callspec", None), "params", {})
    return params.get("attack") if isinstance(params.get("attack"), Attack) else None


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.id for a in ATTACKS])
def test_attack(attack: Attack, ahead, request) -> None:
    found = ahead(attack, request.node.stash.get(NEXT_TEST, None))
    if found:
        pytest.fail("; ".join(found), pytrace=False)
