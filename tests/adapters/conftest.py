"""Fixtures for adapter tests.

``real_data`` is the folder of real third-party files (``../shared/data/real``),
found through ``BRIDGE_SCHED_REAL_DATA``. Tests that use it skip when the
variable is unset; ``.ci/run`` sets it, and under CI (``CI`` set) a missing or
empty folder is an error, never a skip.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

FETCHED = dt.datetime(2027, 3, 16, 6, 0, tzinfo=dt.timezone.utc)
"""A fixed fetch time for parts built in tests."""


@pytest.fixture(scope="session")
def real_data() -> Path:
    folder = os.environ.get("BRIDGE_SCHED_REAL_DATA")
    if not folder:
        if os.environ.get("CI"):
            pytest.fail("CI run without BRIDGE_SCHED_REAL_DATA: the real-file tests must run")
        pytest.skip("BRIDGE_SCHED_REAL_DATA is not set")
    path = Path(folder)
    if not (path / "SOURCES.md").is_file():
        pytest.fail(f"BRIDGE_SCHED_REAL_DATA={folder} has no SOURCES.md")
    return path
