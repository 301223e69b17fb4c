"""Fixtures of the benchmark suite (``python -m pytest tests/benchmarks --benchmark-only``).

Requests are generated (and cached on disk, see ``scenarios.py``) and validated
once per session; only ``bridge_sched.solve(request)`` on the built request is
timed, never pydantic validation of the input.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parent):  # scenarios/floor/checks, and tests/oracle.py
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import scenarios  # noqa: E402

from bridge_sched import BridgeRequest  # noqa: E402


@pytest.fixture(scope="session")
def build():
    """``build(tier, variant, **overrides)`` -> a validated request, cached per session."""
    cache: dict[tuple[object, ...], BridgeRequest] = {}

    def _build(tier: str, variant: str = "feasible", **overrides: object) -> BridgeRequest:
        key = (tier, variant, tuple(sorted(overrides.items())))
        if key not in cache:
            if tier == "t3":  # keep one large request alive at a time
                for old in [k for k in cache if k[0] == "t3"]:
                    del cache[old]
            cache[key] = scenarios.build_request(tier, variant, **overrides)
        return cache[key]

    return _build
