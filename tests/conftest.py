"""Hypothesis profiles: quick and reproducible by default (CI), longer and freshly random on demand.

CI runs the same examples every time, so a red run is a real regression, never a new draw; the
search for new failures is the long profile's job:

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py tests/test_reliability.py
"""
import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.register_profile("long", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: Tests that set their own example counts multiply them by this under the long profile.
SCALE = 20 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 1

# Every diagnostic code a run emits must be registered (and so explained and documented).
from emitted_codes import pytest_configure, pytest_sessionfinish  # noqa: E402,F401


#: The test this process runs after the current one (pytest's `nextitem`; under pytest-xdist, the next test
#: sent to this worker), for fixtures that start slow work ahead of its test (tests/test_hostile.py).
NEXT_TEST = pytest.StashKey()


@pytest.hookimpl(optionalhook=True)   # pytest-xdist's hook: without it (-p no:xdist) there is nothing to size
def pytest_xdist_auto_num_workers(config):
    """`-n auto`: one worker more than there are cores. A fifth of the suite waits on what it starts (the
    hostile attacks' processes, real terminals, a browser, the type checker), and a third worker keeps both
    cores busy meanwhile (2:55 with two workers, 2:37 with three, on two cores)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores + 1


#: Files of long tests that mostly wait (a type check, a real terminal, timed pairs): run first, since
#: pytest-xdist hands tests out in the order collected, and one of them left for last keeps a worker busy
#: alone while the other has finished.
LONG_FIRST = ("test_types.py", "test_walk_terminal.py", "test_limits_in_time.py", "test_present.py")


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=lambda item: item.path.name not in LONG_FIRST)   # stable: the rest keep their order


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    item.stash[NEXT_TEST] = nextitem
    yield


def pytest_sessionstart(session):
    """The package's bytecode written once before the tests, as an installed copy has it: many tests run
    `python -m tutor` from this checkout, and where PYTHONDONTWRITEBYTECODE is set each of them would
    compile every module it imports again (a second of CPU each, against a fifth)."""
    if hasattr(session.config, "workerinput"):
        return  # the controller did it before the workers started
    import compileall
    from pathlib import Path
    compileall.compile_dir(Path(__file__).resolve().parent.parent / "tutor", quiet=2, workers=1)
