"""What adapters return: typed parts of a request, each with its provenance.

An adapter reads what one system exports (an ``.ics`` file, a Graph
``getSchedule`` body, a PagerDuty ``/oncalls`` page, a CRM record) and returns
only what the core may see: instants in UTC, busy kinds, zones, working hours,
ordered on-call pools. Titles, locations, descriptions, attendees, organisers
and private flags are dropped inside the adapter and never reach a part, a log
line or an error message.

``account`` is how the source names a calendar or user (an e-mail address, a
calendar id, a PagerDuty user id). It stays in the part so that a manifest can
map it to a person id; it never enters a :class:`~bridge_sched.BridgeRequest`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..model import Busy, Customer, UtcDatetime, WeeklyHours, Window, ZoneName

__all__ = [
    "CalendarPart",
    "CustomerPart",
    "OnCallCandidate",
    "OnCallPart",
    "Provenance",
    "SourceKind",
    "SourceName",
]

SourceName = Literal["ics", "caldav", "graph", "google", "pagerduty", "opsgenie", "crm"]
"""The system a part came from."""

SourceKind = Literal["calendar", "on_call", "crm"]
"""What a part feeds; freshness limits are set per kind (``Policy.max_age``)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Provenance(_Frozen):
    """Where a part came from and when it was fetched.

    Attributes
    ----------
    source
        The system (``"ics"``, ``"graph"``, ...).
    kind
        ``calendar``, ``on_call`` or ``crm``.
    name
        The file name (no directory) or the caller's label for the source.
    fetched_at
        When the data was fetched from the system (aware; UTC inside).
    repairs
        Documented repairs the adapter applied, one short line each (for
        example ``"TZID 'Mitteleuropäische Zeit ' -> Europe/Berlin"``). Each is
        also logged at WARNING on the ``bridge_sched`` logger.
    """

    source: SourceName
    kind: SourceKind
    name: str = Field(min_length=1, max_length=300)
    fetched_at: UtcDatetime
    repairs: tuple[str, ...] = ()


class CalendarPart(_Frozen):
    """Free/busy of one calendar (one account) from one source.

    Attributes
    ----------
    account
        The source's name for the calendar (e-mail, calendar id, file name).
    busy
        Busy intervals inside ``coverage`` (UTC, kind only).
    timezone
        The zone the source states for this calendar (``X-WR-TIMEZONE``, Graph
        ``workingHours.timeZone``), if any.
    working_hours
        Weekly working hours in ``timezone``, when the source states them as a
        weekly pattern in a named zone (Graph ``workingHours``).
    availability
        UTC stretches the source declares available, when it states working
        time that is not a weekly pattern in one IANA zone (RFC 7953
        ``VAVAILABILITY``, Graph custom time zones). Inside ``coverage`` and
        outside these stretches the person is out of hours.
    coverage
        The span the source speaks for (the query window, a ``VFREEBUSY``
        ``DTSTART``/``DTEND``); ``None`` when it does not say.
    provenance
        Source, file name, fetch time and repairs.
    """

    account: str = Field(min_length=1, max_length=300)
    busy: tuple[Busy, ...] = ()
    timezone: ZoneName | None = None
    working_hours: WeeklyHours | None = None
    availability: tuple[Window, ...] | None = None
    coverage: Window | None = None
    provenance: Provenance


class OnCallCandidate(_Frozen):
    """One person in an on-call pool: escalation level and the shifts they hold."""

    account: str = Field(min_length=1, max_length=300)
    level: int = Field(ge=1)
    on_call: tuple[Window, ...]


class OnCallPart(_Frozen):
    """An ordered on-call pool (PagerDuty escalation policy, Opsgenie schedule).

    ``candidates`` are ordered by escalation level, then by the start of their
    first shift, then by account: the primary comes first.
    """

    schedule: str = Field(min_length=1, max_length=300)
    timezone: ZoneName | None = None
    candidates: tuple[OnCallCandidate, ...]
    coverage: Window | None = None
    provenance: Provenance


class CustomerPart(_Frozen):
    """The customer profile from a CRM record (see ``docs/adapters.md``).

    Only what scheduling needs: the account label, zone, stated availability
    and preferred times (these feed ``customer`` in a manifest), and, for
    callers, the account tier, the customer success manager's CRM account and
    the preferred bridge length (the manifest does not use these three). Contact
    names, e-mail addresses and phone numbers are read for validation only and
    dropped.
    """

    customer: Customer
    account_tier: str = "enterprise"
    csm_account: str | None = None
    bridge_minutes: int | None = Field(default=None, ge=5, le=480)
    contacts: int = Field(default=0, ge=0)
    provenance: Provenance


def utc(value: dt.datetime) -> dt.datetime:
    """An aware datetime in UTC (adapters call this on every instant they emit)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime reached an adapter's output")
    return value.astimezone(dt.timezone.utc)
