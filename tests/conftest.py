"""Hypothesis profiles: quick by default (CI), longer on demand.

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.register_profile("long", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: Tests that set their own example counts multiply them by this under the long profile.
SCALE = 20 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 1
