"""Zone names found in source files -> IANA names, with documented repairs.

Order of attempts (``docs/adapters.md``):

1. an IANA name of the pinned ``tzdata`` (``Europe/Berlin``); deprecated links
   such as ``America/Montreal`` are IANA names too;
2. a Windows zone id (``W. Europe Standard Time``, ``Eastern Standard Time``)
   through the CLDR table that ``icalendar`` ships;
3. a vendor-prefixed "globally unique" TZID (``/mozilla.org/20070129_1/America/New_York``,
   ``/freeassociation.sourceforge.net/Tzfile/Europe/Berlin``): the longest
   trailing path that is an IANA name;
4. the same after a *repair*: surrounding white space and a trailing ``:``
   removed, surrounding quotes removed. A repair is recorded and logged.

Anything else is not a known name: the caller may fall back to the file's own
``VTIMEZONE`` definition, or must raise :class:`~bridge_sched.errors.AdapterError`.
"""

from __future__ import annotations

import functools
import logging

from .._tz import is_zone_name

__all__ = ["ZoneMatch", "match_zone_name", "windows_zone"]

logger = logging.getLogger("bridge_sched")


@functools.lru_cache(maxsize=1)
def _windows_table() -> dict[str, str]:
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    return dict(WINDOWS_TO_OLSON)


def windows_zone(name: str) -> str | None:
    """The IANA zone of a Windows zone id (``"Pacific Standard Time"``), or ``None``."""
    iana = _windows_table().get(name)
    return iana if iana is not None and is_zone_name(iana) else None


class ZoneMatch:
    """An IANA name found for a source zone name, and the repair it took (if any)."""

    __slots__ = ("how", "iana", "repair")

    def __init__(self, iana: str, how: str, repair: str | None) -> None:
        self.iana = iana
        self.how = how  # "iana", "windows", "prefixed"
        self.repair = repair

    def __repr__(self) -> str:
        return f"ZoneMatch({self.iana!r}, {self.how!r}, repair={self.repair!r})"


def _direct(name: str) -> tuple[str, str] | None:
    if is_zone_name(name):
        return name, "iana"
    iana = windows_zone(name)
    if iana is not None:
        return iana, "windows"
    if name.startswith("/"):
        parts = [p for p in name.split("/") if p]
        for i in range(len(parts)):
            candidate = "/".join(parts[i:])
            if is_zone_name(candidate):
                return candidate, "prefixed"
    return None


def match_zone_name(name: str) -> ZoneMatch | None:
    """Map a zone name from a file to an IANA name, or ``None`` if it is not a known name.

    A repaired match carries ``repair`` (a one-line description); callers add it
    to :attr:`Provenance.repairs` and it is logged here at WARNING.
    """
    found = _direct(name)
    if found is not None:
        return ZoneMatch(found[0], found[1], None)
    cleaned = name.strip().strip('"').strip().rstrip(":").strip()
    if cleaned and cleaned != name:
        found = _direct(cleaned)
        if found is not None:
            repair = f"zone name {name!r} read as {found[0]!r} (stray quotes, spaces or ':')"
            logger.warning("bridge_sched adapter repair: %s", repair)
            return ZoneMatch(found[0], found[1], repair)
    return None
