"""IANA time zones, always from the pinned ``tzdata`` package.

``zoneinfo.ZoneInfo(name)`` prefers the host's ``/usr/share/zoneinfo`` and
accepts host-specific names such as ``localtime`` or ``posix/Europe/Berlin``,
so the same request could give different answers on different machines.
bridge_sched reads zone rules only from the ``tzdata`` package, accepts only
the canonical and link names that package lists, and records its IANA version
in every result (``meta.tzdata_version``).

The two caches below memoise pure functions of their argument (parsed zone
files); they hold no request data.
"""

from __future__ import annotations

import functools
import zoneinfo
from importlib import resources

__all__ = ["is_zone_name", "load_zone", "tzdata_version"]


@functools.lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    text = resources.files("tzdata").joinpath("zones").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip()) - {"Factory"}


def is_zone_name(name: str) -> bool:
    """Whether ``name`` is an IANA zone name known to the pinned ``tzdata``."""
    return name in _names()


@functools.lru_cache(maxsize=1024)
def load_zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone ``name`` parsed from the ``tzdata`` package (``KeyError`` if unknown)."""
    if not is_zone_name(name):
        raise KeyError(name)
    parts = name.split("/")
    res = resources.files("tzdata.zoneinfo")
    for part in parts:
        res = res.joinpath(part)
    with res.open("rb") as handle:
        return zoneinfo.ZoneInfo.from_file(handle, key=name)


def tzdata_version() -> str:
    """IANA release of the ``tzdata`` package in use, e.g. ``"2026f"``."""
    import tzdata

    return str(getattr(tzdata, "IANA_VERSION", "unknown"))
