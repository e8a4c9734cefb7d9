"""A pytest plugin (loaded by conftest.py): every diagnostic code emitted while the tests run is
registered. `Diagnostic`'s constructor is watched for the whole session, so a new code at any
emit site, in any test that reaches it, fails the run until it is registered and explained."""
from __future__ import annotations

EMITTED: dict[str, str] = {}   # code → the test that first emitted it


def pytest_configure(config):
    from tutor.engine.diagnostics import Diagnostic

    original = Diagnostic.__init__
    if getattr(original, "watched", False):
        return

    def watched(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if self.code not in EMITTED:
            import os
            EMITTED[self.code] = os.environ.get("PYTEST_CURRENT_TEST", "?")

    watched.watched = True
    Diagnostic.__init__ = watched


def unregistered() -> dict[str, str]:
    from tutor.engine.codes import CODES
    return {code: test for code, test in EMITTED.items() if code not in CODES}


def pytest_sessionfinish(session, exitstatus):
    unknown = unregistered()
    if unknown:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.ensure_newline()
        for code, test in sorted(unknown.items()):
            line = f"diagnostic code {code} is emitted (first by {test}) but not registered in tutor/engine/codes.py"
            reporter.write_line(line, red=True) if reporter else print(line)
        session.exitstatus = 1
