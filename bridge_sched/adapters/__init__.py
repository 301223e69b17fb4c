"""Adapters: what calendars, on-call rosters and CRM records export -> request parts.

Each source has its own module with a ``load(...)`` function; importing this
package imports none of them (the iCalendar stack is loaded only when used)::

    from bridge_sched.adapters import ics, graph, pagerduty
    parts = ics.load("dara.ics", window=window, fetched_at=fetched)

Every instant an adapter returns is aware and in UTC; only start, end and
busy kind survive (never titles, locations, descriptions or attendees). See
``docs/adapters.md`` for each source's rules and documented repairs.
"""

from ._parts import (
    CalendarPart,
    CustomerPart,
    OnCallCandidate,
    OnCallPart,
    Provenance,
    SourceKind,
    SourceName,
)

__all__ = [
    "CalendarPart",
    "CustomerPart",
    "OnCallCandidate",
    "OnCallPart",
    "Provenance",
    "SourceKind",
    "SourceName",
]
