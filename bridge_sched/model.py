"""The request side: what a caller hands to :func:`bridge_sched.solve`.

All models are frozen pydantic v2 models with ``extra="forbid"``; they
round-trip through JSON (``model_dump_json`` / ``model_validate_json``) and
export a JSON Schema (``BridgeRequest.model_json_schema()``).

Instants (``now``, windows, busy intervals, on-call shifts) must carry a UTC
offset; a naive datetime is rejected. They are normalised to UTC on input.
Local rules (working hours, overnight hours, customer windows) are given as
local wall-clock times plus an IANA zone and are turned into UTC per calendar
date by :mod:`bridge_sched.timegrid`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from enum import Enum
from typing import Annotated, Literal, Union

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from ._tz import is_zone_name

__all__ = [
    "BridgeRequest",
    "Busy",
    "BusyKind",
    "Candidate",
    "Customer",
    "DateOverride",
    "Incident",
    "LocalTimePolicy",
    "LocalWindow",
    "MaxAge",
    "Meeting",
    "Person",
    "Policy",
    "Role",
    "Severity",
    "Source",
    "TimeRange",
    "WeeklyHours",
    "Window",
]

_CLOCK = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")
_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$"
_ID_RE = re.compile(_ID)


_MIN_YEAR, _MAX_YEAR = 1900, 2200


def _to_utc(value: dt.datetime) -> dt.datetime:
    try:
        utc = value.astimezone(dt.timezone.utc)
    except OverflowError:
        raise ValueError(f"instant out of range: {value.isoformat()}") from None
    if not _MIN_YEAR <= utc.year <= _MAX_YEAR:
        raise ValueError(f"instant must lie in the years {_MIN_YEAR}-{_MAX_YEAR}")
    return utc


def _check_zone(name: str) -> str:
    if not is_zone_name(name):
        raise ValueError("unknown IANA time zone (use a name such as 'Europe/Berlin')")
    return name


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An aware datetime, normalised to UTC. Naive datetimes are rejected."""

ZoneName = Annotated[str, AfterValidator(_check_zone)]
"""An IANA time zone name such as ``"Europe/Berlin"``."""

Identifier = Annotated[str, Field(pattern=_ID)]


def is_identifier(value: object) -> bool:
    """``value`` is an id as :data:`Identifier` accepts it (safe in file names and URLs)."""
    return isinstance(value, str) and _ID_RE.fullmatch(value) is not None


@functools.lru_cache(maxsize=2048)
def _clock_minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Severity(str, Enum):
    """Incident severity; ``sev1`` is the most severe."""

    sev1 = "sev1"
    sev2 = "sev2"
    sev3 = "sev3"
    sev4 = "sev4"


class BusyKind(str, Enum):
    """What an interval on a person's calendar means for scheduling.

    ``busy``, ``out_of_office``, ``focus`` and ``executive_review`` always block.
    ``tentative`` is allowed but penalised (``Policy.tentative``).
    ``unknown`` means the calendar could not be read (``Policy.unknown``).
    """

    busy = "busy"
    tentative = "tentative"
    out_of_office = "out_of_office"
    focus = "focus"
    executive_review = "executive_review"
    unknown = "unknown"


class Incident(_Frozen):
    """The incident the bridge is for."""

    id: Identifier
    severity: Severity
    account_tier: str = Field(default="enterprise", min_length=1, max_length=64)
    component: str = Field(min_length=1, max_length=128)


class Window(_Frozen):
    """A half-open UTC interval ``[start, end)``; both ends must be aware."""

    start: UtcDatetime
    end: UtcDatetime

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end <= self.start:
            raise ValueError(
                f"end {self.end.isoformat()} must be after start {self.start.isoformat()}"
            )
        return self


class Meeting(_Frozen):
    """Shape of the bridge and of the answer.

    ``step_minutes`` must divide 60: candidate starts lie on a grid aligned to
    the top of each UTC hour. ``duration_minutes`` must be a multiple of it.
    ``min_separation_minutes`` is how far apart two suggestions must start to
    count as real alternatives (default: one duration).
    """

    duration_minutes: int = Field(gt=0, le=12 * 60)
    step_minutes: int = Field(default=5, gt=0, le=60)
    suggestions: int = Field(default=3, ge=1, le=20)
    min_separation_minutes: int | None = Field(default=None, ge=0, le=24 * 60)

    @field_validator("step_minutes")
    @classmethod
    def _divides_hour(cls, value: int) -> int:
        if 60 % value:
            raise ValueError(f"step_minutes must divide 60, got {value}")
        return value

    @model_validator(mode="after")
    def _multiple_of_step(self) -> Meeting:
        if self.duration_minutes % self.step_minutes:
            raise ValueError(
                f"duration_minutes {self.duration_minutes} is not a multiple of "
                f"step_minutes {self.step_minutes}"
            )
        return self

    @property
    def separation(self) -> int:
        """Effective minimum separation between suggestions, in minutes."""
        if self.min_separation_minutes is None:
            return self.duration_minutes
        return self.min_separation_minutes


class Candidate(_Frozen):
    """One person in a role's pool.

    ``on_call``: when given, the person holds the role only inside these UTC
    ranges (an on-call shift) and fills it only if the whole bridge lies
    inside one of them. ``None`` means the person may fill it at any time.
    A bare string is accepted as shorthand for ``{"person": <id>}``.
    """

    person: Identifier
    on_call: tuple[Window, ...] | None = None


def _candidate_from_string(data: object) -> object:
    if isinstance(data, str):
        return {"person": data}
    return data


CandidateInput = Annotated[
    Candidate,
    BeforeValidator(_candidate_from_string, json_schema_input_type=Union[Identifier, Candidate]),  # noqa: UP007
]
"""A candidate, or a bare person id as shorthand for ``{"person": <id>}``."""


class Role(_Frozen):
    """A role on the bridge, filled by exactly one person from ``candidates``.

    The first candidate is the on-call primary; later ones are substitutes in
    order of preference. ``required_for`` limits the role to some severities
    (e.g. ``["sev1", "sev2"]`` for an incident-leadership delegate); ``None``
    means always required.
    """

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    candidates: tuple[CandidateInput, ...] = Field(min_length=1)
    required_for: tuple[Severity, ...] | None = None

    def applies_to(self, severity: Severity) -> bool:
        """Whether this role is required for an incident of ``severity``."""
        return self.required_for is None or severity in self.required_for


class TimeRange(_Frozen):
    """A local wall-clock range ``"HH:MM"``–``"HH:MM"``.

    ``end`` may be ``"24:00"``. When ``end`` is not after ``start`` the range
    crosses midnight (``22:00``–``06:00`` ends at 06:00 the next day).
    ``start == end`` is rejected (use ``00:00``–``24:00`` for a whole day).
    """

    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError(f"expected a local time HH:MM (00:00-24:00), got {value!r}")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> TimeRange:
        if self.start == "24:00":
            raise ValueError("start cannot be 24:00")
        if self.start_minute == self.end_minute % (24 * 60) and self.end != "24:00":
            raise ValueError(f"empty range {self.start}-{self.end}")
        return self

    @property
    def start_minute(self) -> int:
        """Minutes after local midnight at which the range starts."""
        return _clock_minutes(self.start)

    @property
    def end_minute(self) -> int:
        """Minutes after the *start day's* midnight at which it ends (> start)."""
        end = _clock_minutes(self.end)
        return end if end > self.start_minute else end + 24 * 60


def _nine_to_five() -> tuple[TimeRange, ...]:
    return (TimeRange(start="09:00", end="17:00"),)


class WeeklyHours(_Frozen):
    """Working hours per weekday in the person's local time (default Mon–Fri 09–17).

    Each day may hold several ranges; a range may cross midnight, in which case
    it belongs to the day on which it starts.
    """

    mon: tuple[TimeRange, ...] = Field(default_factory=_nine_to_five)
    tue: tuple[TimeRange, ...] = Field(default_factory=_nine_to_five)
    wed: tuple[TimeRange, ...] = Field(default_factory=_nine_to_five)
    thu: tuple[TimeRange, ...] = Field(default_factory=_nine_to_five)
    fri: tuple[TimeRange, ...] = Field(default_factory=_nine_to_five)
    sat: tuple[TimeRange, ...] = ()
    sun: tuple[TimeRange, ...] = ()

    def for_weekday(self, weekday: int) -> tuple[TimeRange, ...]:
        """Ranges for ``weekday`` (0 = Monday, as :meth:`datetime.date.weekday`)."""
        days = (self.mon, self.tue, self.wed, self.thu, self.fri, self.sat, self.sun)
        return days[weekday]


def _check_date(value: dt.date) -> dt.date:
    if not _MIN_YEAR <= value.year <= _MAX_YEAR:
        raise ValueError(f"date must lie in the years {_MIN_YEAR}-{_MAX_YEAR}")
    return value


BoundedDate = Annotated[dt.date, AfterValidator(_check_date)]


class DateOverride(_Frozen):
    """Working hours for one local date, replacing the weekly ones (empty = day off)."""

    date: BoundedDate
    hours: tuple[TimeRange, ...] = ()


class Busy(_Frozen):
    """A busy interval on a person's calendar: times and kind only, never contents."""

    start: UtcDatetime
    end: UtcDatetime
    kind: BusyKind = BusyKind.busy

    @model_validator(mode="after")
    def _ordered(self) -> Busy:
        if self.end <= self.start:
            raise ValueError(
                f"end {self.end.isoformat()} must be after start {self.start.isoformat()}"
            )
        return self


class Person(_Frozen):
    """A responder: id, zone, working hours and free/busy."""

    id: Identifier
    name: str = Field(default="", max_length=200)
    timezone: ZoneName
    working_hours: WeeklyHours = Field(default_factory=WeeklyHours)
    overrides: tuple[DateOverride, ...] = ()
    busy: tuple[Busy, ...] = ()


class LocalWindow(_Frozen):
    """A range of local wall-clock time on one local date (may cross midnight)."""

    date: BoundedDate
    start: str
    end: str

    @model_validator(mode="after")
    def _valid_range(self) -> LocalWindow:
        TimeRange(start=self.start, end=self.end)
        return self

    @property
    def range(self) -> TimeRange:
        """The clock range of this window."""
        return TimeRange(start=self.start, end=self.end)


class Customer(_Frozen):
    """The customer account, its zone and its stated availability.

    ``availability``: ``None`` means the customer stated no constraint; an empty
    tuple means the customer stated that no time works.
    ``preferred``: times the customer prefers (ranking only).
    """

    account: str = Field(min_length=1, max_length=200)
    timezone: ZoneName
    availability: tuple[LocalWindow, ...] | None = None
    preferred: tuple[LocalWindow, ...] = ()


class LocalTimePolicy(_Frozen):
    """How local times that a DST change skips or repeats become instants.

    The default is the ``compatible`` policy of RFC 5545 and of ``whenever``:
    a skipped time is moved forward by the length of the gap (02:30 on a
    spring-forward night in New York becomes 03:30 EDT), and a repeated time
    takes its earlier occurrence (01:30 on a fall-back night is 01:30 EDT).
    ``raise`` turns either case into a :class:`~bridge_sched.errors.LocalTimeError`.
    """

    nonexistent: Literal["shift_forward", "raise"] = "shift_forward"
    ambiguous: Literal["earlier", "later", "raise"] = "earlier"


class MaxAge(_Frozen):
    """How old source data may be, per kind, in minutes (``Policy.max_age``).

    On-call data is stricter than calendars: a rotation hand-over changes who
    holds a role, while a calendar changes a meeting at a time.
    """

    calendar_minutes: int = Field(default=60, ge=1, le=525_600)
    on_call_minutes: int = Field(default=15, ge=1, le=525_600)
    crm_minutes: int = Field(default=7 * 24 * 60, ge=1, le=525_600)

    def for_kind(self, kind: str) -> int:
        """The limit for ``calendar``, ``on_call`` or ``crm``."""
        return int(getattr(self, f"{kind}_minutes"))


class Source(_Frozen):
    """Where part of the request came from and when it was fetched.

    Only metadata: which people's calendars, which role pools or whether the
    customer profile this source fed. ``fetched_at`` must not be after ``now``.
    The manifest assembler (:mod:`bridge_sched.adapters.manifest`) fills this
    from each adapter's provenance; callers who build requests themselves may
    list their sources too. Freshness is judged against ``Policy.max_age``.
    """

    id: Identifier
    kind: Literal["calendar", "on_call", "crm"]
    system: str = Field(default="", max_length=64)
    fetched_at: UtcDatetime
    people: tuple[Identifier, ...] = ()
    roles: tuple[str, ...] = ()
    customer: bool = False


class Policy(_Frozen):
    """Scheduling policy. Defaults follow a conservative enterprise support desk.

    Attributes
    ----------
    overnight
        Protected overnight hours in each person's local time. A bridge that
        overlaps them (outside that person's own working hours) is never
        offered; if it is the only way, the result escalates (``ONLY_OVERNIGHT``).
    out_of_hours
        Outside working hours but not overnight: ``forbid``, ``needs_approval``
        (the slot is offered and flagged) or ``allow``.
    tentative
        ``allow`` (penalised in ranking) or ``forbid`` (treated as busy).
    unknown
        Unreadable calendar: ``unavailable`` (that person cannot fill a role;
        another candidate may) or ``tentative`` (allowed, penalised).
    substitution
        Whether using a substitute instead of the primary ``needs_approval``.
    customer_hours
        Internal policy for customer-facing calls, in the customer's local
        time; ``None`` disables the rule. A slot outside it is
        ``CUSTOMER_WINDOW_OUTSIDE_POLICY``, handled per ``customer_outside_policy``.
    approver
        Who approves exceptions (default incident leadership).
    local_times
        Policy for non-existent and ambiguous local times.
    max_age
        How old each kind of source data may be before it is ``STALE_DATA``.
    """

    overnight: TimeRange = Field(default_factory=lambda: TimeRange(start="22:00", end="07:00"))
    out_of_hours: Literal["forbid", "needs_approval", "allow"] = "needs_approval"
    tentative: Literal["allow", "forbid"] = "allow"
    unknown: Literal["unavailable", "tentative"] = "unavailable"
    substitution: Literal["allow", "needs_approval"] = "allow"
    customer_hours: TimeRange | None = Field(
        default_factory=lambda: TimeRange(start="08:00", end="18:00")
    )
    customer_outside_policy: Literal["needs_approval", "forbid"] = "needs_approval"
    approver: str = Field(default="incident_leadership", min_length=1, max_length=64)
    local_times: LocalTimePolicy = Field(default_factory=LocalTimePolicy)
    max_age: MaxAge = Field(default_factory=MaxAge)


class BridgeRequest(_Frozen):
    """A request for a bridge: everything :func:`bridge_sched.solve` needs.

    ``now`` is always an input; the library never reads the clock.
    """

    incident: Incident
    now: UtcDatetime
    window: Window
    meeting: Meeting
    roles: tuple[Role, ...] = Field(min_length=1)
    people: tuple[Person, ...] = Field(min_length=1)
    customer: Customer | None = None
    policy: Policy = Field(default_factory=Policy)
    sources: tuple[Source, ...] = ()
