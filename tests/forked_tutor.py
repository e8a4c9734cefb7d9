"""`python -m tutor` without starting Python each time: a process that has imported shapetutor once and
forks a copy of itself for each run (tests/test_hostile.py runs some 200 attacks; Python, NumPy and rich
starting for each was most of the suite's time in child processes).

Protocol, over the Unix socket whose descriptor is the launcher's argument: a request is one message with a JSON body
{"argv": [hex of each argument's bytes], "cwd": ..., "env": {...}, "fsize": int | null, "address_space": int}
and four file descriptors (stdin, stdout, stderr, and a socket to answer on). The run is a grandchild of
the launcher, set free at once (its parent exits) so that it is adopted by the process that asked, which
makes itself a child subreaper (tests/test_hostile.py): that process waits for it with wait4 like any child
of its own, its exit status and peak memory its own. The run writes its pid on the answer socket first.

Only runs that a fresh interpreter would start the same way come here: standard streams open and not a
terminal, the environment's encoding the launcher's own (what Python fixes at start-up is inherited).
"""
from __future__ import annotations

import json
import os
import resource
import runpy
import socket
import sys
import time

import tutor.cli.app  # noqa: F401  (what every command imports, imported once here; never run here)

# what the commands import when they run (each imports its own lazily: here they are imported once)
for module in ("numpy", "rich.console", "rich.table", "rich.markdown", "tutor.teach.derivation", "tutor.judge.check",
               "tutor.course.lesson", "tutor.front.render", "tutor.front.lesson", "tutor.notation.ask"):
    __import__(module)


def run(request: dict, fds: list[int], parent: int) -> None:
    """In the grandchild: become the requested `python -m tutor …` and never return."""
    while os.getppid() == parent:  # adopted once its parent has gone: only then can the asker wait for it
        time.sleep(0.0002)
    stdin, stdout, stderr, answer = fds
    os.write(answer, str(os.getpid()).encode())
    os.close(answer)
    os.setsid()
    for fd, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
        os.dup2(fd, target)
    for fd in (stdin, stdout, stderr, CONTROL):
        if fd > 2:
            os.close(fd)
    resource.setrlimit(resource.RLIMIT_AS, (request["address_space"],) * 2)
    if request["fsize"] is not None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (request["fsize"],) * 2)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = [sys.argv[0]] + [os.fsdecode(bytes.fromhex(a)) for a in request["argv"]]
    code = 0
    try:
        runpy.run_module("tutor", run_name="__main__", alter_sys=True)
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:  # as an interpreter would: the traceback on stderr, exit 1
        import traceback
        traceback.print_exc()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def serve(control: socket.socket) -> None:
    while True:
        try:
            body, fds, _, _ = socket.recv_fds(control, 1 << 20, 4)
        except OSError:
            return
        if not body:
            return
        request = json.loads(body)
        sys.stdout.flush()
        sys.stderr.flush()
        first = os.fork()
        if first == 0:
            me = os.getpid()
            if os.fork() == 0:
                run(request, fds, me)
            os._exit(0)  # the run is adopted by the subreaper that asked for it
        for fd in fds:
            os.close(fd)
        os.waitpid(first, 0)


CONTROL = int(sys.argv[1]) if __name__ == "__main__" else -1

if __name__ == "__main__":
    serve(socket.socket(fileno=CONTROL))
