"""`check --file F --watch`: check again each time the learner saves the file, as rustlings does.

The file is polled (its modification time, size and inode: an editor that saves by renaming a new
file into place counts too), so it works on every system without a dependency. Ctrl-C ends it,
quietly. At a terminal each result replaces the last; otherwise each is printed in turn.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

#: Seconds between looks at the file: quick enough to feel immediate, idle otherwise.
POLL = 0.25


def stamp(path: str) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def watch_file(path: str, check: Callable[[], int], clear: bool, out, look) -> int:
    """Run `check` now and after every change to `path`, until Ctrl-C; the exit code is the last check's."""
    from rich.text import Text
    code, seen = 0, object()
    try:
        while True:
            now = stamp(path)
            if now != seen:
                seen = now
                if now is None:
                    note = f"{path} is not there (yet); waiting for it to be saved. Ctrl-C stops."
                    out.print(Text(look.text(note), style="dim"))
                else:
                    if clear:
                        out.clear()
                    code = check()
                    when = time.strftime("%H:%M:%S")
                    out.print(Text(look.text(f"— checked {path} at {when}; save it again to check again, "
                                             "Ctrl-C to stop"), style="dim"), soft_wrap=True)
                sys.stdout.flush()
            time.sleep(POLL)
    except KeyboardInterrupt:
        sys.stderr.write("stopped watching\n")
        return code
