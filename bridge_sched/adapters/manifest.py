"""Assemble a whole request from a small manifest and a folder of source files.

A manifest (YAML or JSON, ``schema: bridge_sched.manifest/1``) names the
incident, ``now``, the window, the meeting and policy, the source files and
which file feeds which person, role pool or customer. :func:`assemble` loads
every source through its adapter and returns a validated
:class:`~bridge_sched.BridgeRequest` whose ``sources`` carry each file's fetch
time, so that :func:`~bridge_sched.solve` can judge freshness.

See ``docs/adapters.md`` ("Manifest") for the format; a full example is
``examples/real-calendars/manifest.yaml``.

Rules the assembler adds on top of the adapters:

* A calendar speaks only for its ``coverage``; the part of the request window
  that none of a person's calendars covers (all of it for a person with no
  calendar) is busy with kind ``unknown`` (the policy decides what that
  means), never silently free.
* Working hours: the manifest's own ``working_hours`` win; else the first of
  the person's calendars that states hours (a weekly pattern in the person's
  zone, or available stretches that become per-date overrides); else the
  default Mon-Fri 09:00-17:00.
* An on-call pool keeps the adapter's order (escalation level, then shift
  start); every account in it must map to a person (``accounts``), since a
  responder is never dropped silently. Static ``candidates`` follow it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from .._tz import load_zone
from ..errors import AdapterError
from ..model import (
    BridgeRequest,
    Busy,
    BusyKind,
    Customer,
    DateOverride,
    Identifier,
    Incident,
    LocalTimePolicy,
    Meeting,
    Policy,
    TimeRange,
    UtcDatetime,
    WeeklyHours,
    Window,
    ZoneName,
)
from ._parts import CalendarPart, CustomerPart, OnCallPart

__all__ = [
    "FORMATS",
    "Manifest",
    "ManifestCalendar",
    "ManifestPerson",
    "ManifestRole",
    "ManifestSource",
    "assemble",
    "is_manifest",
    "load_manifest",
]

SCHEMA = "bridge_sched.manifest/1"

Format = Literal[
    "ics",
    "freebusy",
    "caldav",
    "graph",
    "google",
    "pagerduty",
    "opsgenie",
    "opsgenie-schedule",
    "crm",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ManifestSource(_Frozen):
    """One source file.

    ``file`` is relative to the manifest's folder; ``${NAME}`` expands an
    environment variable (an unset one is an error). ``options`` are passed to
    the adapter as keyword arguments (e.g. ``timezone`` for floating iCalendar
    times, ``escalation_policy`` for PagerDuty).
    """

    id: Identifier
    format: Format
    file: str = Field(min_length=1, max_length=1000)
    fetched_at: UtcDatetime | None = None
    options: dict[str, Any] = Field(default_factory=dict)


class ManifestCalendar(_Frozen):
    """A person's calendar: a source id, and the account inside it for multi-calendar files."""

    source: Identifier
    account: str | None = None


def _calendar_ref(value: object) -> object:
    return {"source": value} if isinstance(value, str) else value


CalendarInput = Annotated[ManifestCalendar, BeforeValidator(_calendar_ref)]
"""A calendar reference, or a bare source id as shorthand for ``{"source": <id>}``."""


class ManifestPerson(_Frozen):
    """A responder: id, zone, optional working hours, and the calendars that feed them."""

    id: Identifier
    timezone: ZoneName
    working_hours: WeeklyHours | None = None
    calendars: tuple[CalendarInput, ...] = ()


class ManifestOnCall(_Frozen):
    """A role pool taken from an on-call source (``schedule``: which pool in the file)."""

    source: Identifier
    schedule: str | None = None


class ManifestRole(_Frozen):
    """A role: an on-call pool and/or static candidates (substitutes after the pool)."""

    name: str = Field(min_length=1, max_length=64)
    on_call: ManifestOnCall | None = None
    candidates: tuple[Identifier, ...] = ()
    required_for: tuple[str, ...] | None = None


class ManifestCustomer(_Frozen):
    """The customer: from a CRM source, or inline (exactly one of them)."""

    source: Identifier | None = None
    inline: Customer | None = None

    @model_validator(mode="after")
    def _one(self) -> ManifestCustomer:
        if (self.source is None) == (self.inline is None):
            raise ValueError("give exactly one of 'source' and 'inline'")
        return self


class ManifestWindow(_Frozen):
    """The response window: ``start``/``end``, or ``sla_minutes`` after ``now``."""

    start: UtcDatetime | None = None
    end: UtcDatetime | None = None
    sla_minutes: int | None = Field(default=None, ge=1, le=31 * 24 * 60)


class Manifest(_Frozen):
    """The manifest document (``schema: bridge_sched.manifest/1``)."""

    schema_: Literal["bridge_sched.manifest/1"] = Field(alias="schema")
    incident: Incident
    now: UtcDatetime
    window: ManifestWindow
    meeting: Meeting
    policy: Policy = Field(default_factory=Policy)
    fetched_at: UtcDatetime | None = None
    sources: tuple[ManifestSource, ...] = ()
    accounts: dict[str, Identifier] = Field(default_factory=dict)
    people: tuple[ManifestPerson, ...] = Field(min_length=1)
    roles: tuple[ManifestRole, ...] = Field(min_length=1)
    customer: ManifestCustomer | None = None

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


# --------------------------------------------------------------------------- #
# Reading
# --------------------------------------------------------------------------- #
def is_manifest(text: str, path: str | os.PathLike[str] | None = None) -> bool:
    """Whether ``text`` (a file's content) is a manifest rather than a request."""
    if path is not None and Path(path).suffix.lower() in (".yaml", ".yml"):
        return True
    return re.search(r"""["']?schema["']?\s*:\s*["']?bridge_sched\.manifest/""", text) is not None


def load_manifest(path: str | os.PathLike[str]) -> Manifest:
    """Read and validate a manifest file (YAML or JSON)."""
    name = Path(path).name
    try:
        text = Path(path).read_text("utf-8-sig")
    except OSError as exc:
        raise AdapterError(
            name, "file", str(path), f"cannot read manifest ({exc.strerror})"
        ) from None
    except UnicodeDecodeError:
        raise AdapterError(name, "file", str(path), "manifest is not UTF-8 text") from None
    return parse_manifest(text, name)


def parse_manifest(text: str, name: str = "manifest") -> Manifest:
    """Validate manifest text (YAML, of which JSON is a subset)."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "document"
        raise AdapterError(
            name, where, "(yaml)", f"not valid YAML/JSON: {getattr(exc, 'problem', exc)}"
        ) from None
    if not isinstance(data, dict):
        raise AdapterError(name, "document", type(data).__name__, "a manifest is a mapping")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "document"
        value = err.get("input")
        shown = (
            value
            if isinstance(value, str | int | float | bool) or value is None
            else type(value).__name__
        )
        raise AdapterError(name, loc, shown, err["msg"]) from None


# --------------------------------------------------------------------------- #
# Loading sources
# --------------------------------------------------------------------------- #
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _resolve_path(raw: str, base: Path, manifest: str, where: str) -> Path:
    def expand(match: re.Match[str]) -> str:
        value = os.environ.get(match.group(1))
        if value is None:
            raise AdapterError(manifest, where, match.group(0), "environment variable is not set")
        return value

    path = Path(_VAR.sub(expand, raw))
    return path if path.is_absolute() else base / path


Loaded = CalendarPart | CustomerPart | OnCallPart


_LOADERS: dict[str, tuple[str, str]] = {
    "ics": ("ics", "load"),
    "freebusy": ("freebusy", "load"),
    "caldav": ("caldav", "load"),
    "graph": ("graph", "load_schedule"),
    "google": ("google", "load"),
    "pagerduty": ("pagerduty", "load_oncalls"),
    "opsgenie": ("opsgenie", "load_oncalls"),
    "opsgenie-schedule": ("opsgenie", "load_schedule"),
    "crm": ("crm", "load"),
}
"""Format -> (adapter module, function); modules are imported on first use."""

FORMATS: tuple[str, ...] = tuple(_LOADERS)
"""Source formats a manifest may name, one adapter each."""


def _loader(fmt: str) -> Callable[..., Any]:
    module, function = _LOADERS[fmt]
    loader: Callable[..., Any] = getattr(
        importlib.import_module(f"{__package__}.{module}"), function
    )
    return loader


_KIND: dict[str, str] = {
    "ics": "calendar",
    "freebusy": "calendar",
    "caldav": "calendar",
    "graph": "calendar",
    "google": "calendar",
    "pagerduty": "on_call",
    "opsgenie": "on_call",
    "opsgenie-schedule": "on_call",
    "crm": "crm",
}

# which keyword arguments each adapter takes besides the file (window, fetched_at, name)
_TAKES_WINDOW = {"ics", "freebusy", "caldav", "graph", "pagerduty", "opsgenie", "opsgenie-schedule"}


def _load_source(
    src: ManifestSource, base: Path, manifest: Manifest, window: Window, name: str, index: int
) -> tuple[Loaded, ...]:
    where = f"sources[{index}]"
    fetched = src.fetched_at or manifest.fetched_at
    if fetched is None:
        raise AdapterError(
            name, f"{where}.fetched_at", src.id, "no fetch time (set it here or at the top)"
        )
    path = _resolve_path(src.file, base, name, f"{where}.file")
    if not path.is_file():
        raise AdapterError(name, f"{where}.file", src.file, "file not found")
    reserved = {"fetched_at", "name", "window"} & set(src.options)
    if reserved:
        raise AdapterError(
            name, f"{where}.options", ",".join(sorted(reserved)), "set by the manifest itself"
        )
    kwargs: dict[str, Any] = {"fetched_at": fetched, "name": path.name, **src.options}
    if src.format in _TAKES_WINDOW:
        kwargs["window"] = window
    try:
        out = _loader(src.format)(path, **kwargs)
    except AdapterError:
        raise
    except TypeError:
        raise AdapterError(
            name,
            f"{where}.options",
            ",".join(sorted(src.options)) or "(none)",
            f"an option the {src.format} adapter does not take",
        ) from None
    except ValidationError as exc:
        loc = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise AdapterError(
            name, f"{where}.options", loc or "(value)", "an option value of the wrong type"
        ) from None
    return tuple(out) if isinstance(out, tuple | list) else (out,)


# --------------------------------------------------------------------------- #
# Assembly
# --------------------------------------------------------------------------- #
def _window(manifest: Manifest, name: str) -> Window:
    w = manifest.window
    start = w.start or manifest.now
    if w.end is not None:
        end = w.end
    elif w.sla_minutes is not None:
        end = manifest.now + dt.timedelta(minutes=w.sla_minutes)
    else:
        raise AdapterError(name, "window", "(missing)", "give window.end or window.sla_minutes")
    try:
        return Window(start=start, end=end)
    except ValidationError as exc:
        raise AdapterError(
            name, "window", f"{start.isoformat()}/{end.isoformat()}", exc.errors()[0]["msg"]
        ) from None


def _gaps(window: Window, covered: list[Window]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Parts of ``window`` that no coverage span reaches."""
    out: list[tuple[dt.datetime, dt.datetime]] = []
    cursor = window.start
    for c in sorted(covered, key=lambda w: (w.start, w.end)):
        if c.start > cursor:
            out.append((cursor, min(c.start, window.end)))
        cursor = max(cursor, c.end)
        if cursor >= window.end:
            break
    if cursor < window.end:
        out.append((cursor, window.end))
    return [(a, b) for a, b in out if b > a]


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def availability_overrides(
    stretches: tuple[Window, ...], timezone: str, window: Window
) -> tuple[DateOverride, ...]:
    """Available UTC stretches as per-date working hours in ``timezone``.

    For every local date that touches the window (one day of margin each side),
    the stretches are cut at local midnights and read on the wall clock,
    rounded inwards to whole minutes; a date with no stretch is a day off.
    """
    tz = load_zone(timezone)
    first = window.start.astimezone(tz).date() - dt.timedelta(days=1)
    last = window.end.astimezone(tz).date() + dt.timedelta(days=1)
    out: list[DateOverride] = []
    day = first
    while day <= last:
        lo = dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.timezone.utc)
        hi = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz).astimezone(
            dt.timezone.utc
        )
        ranges: list[TimeRange] = []
        for s in sorted(stretches, key=lambda w: (w.start, w.end)):
            a, b = max(s.start, lo), min(s.end, hi)
            if b <= a:
                continue
            la, lb = a.astimezone(tz), b.astimezone(tz)
            start_min = la.hour * 60 + la.minute + (1 if la.second or la.microsecond else 0)
            end_min = 24 * 60 if b == hi else lb.hour * 60 + lb.minute
            if end_min > start_min:
                ranges.append(TimeRange(start=_clock(start_min), end=_clock(end_min)))
        out.append(DateOverride(date=day, hours=tuple(ranges)))
        day += dt.timedelta(days=1)
    return tuple(out)


def _map_account(account: str, accounts: Mapping[str, str], name: str, where: str) -> str:
    person = accounts.get(account)
    if person is None:
        raise AdapterError(name, where, account, "account has no person; add it to 'accounts'")
    return person


def assemble(
    manifest: Manifest | str | os.PathLike[str], base: str | os.PathLike[str] | None = None
) -> BridgeRequest:
    """Load every source of a manifest and build the validated request.

    Parameters
    ----------
    manifest
        A manifest file path, or a parsed :class:`Manifest`.
    base
        Folder that relative ``file`` paths start from (default: the
        manifest's folder, or the working directory for a parsed manifest).

    Raises
    ------
    AdapterError
        A manifest or source file problem (names the file and the field/line).
    InputError
        The assembled request is invalid.
    """
    if isinstance(manifest, Manifest):
        name = "manifest"
        folder = Path(base) if base is not None else Path.cwd()
    else:
        name = Path(manifest).name
        folder = Path(base) if base is not None else Path(manifest).resolve().parent
        manifest = load_manifest(manifest)
    m = manifest
    window = _window(m, name)

    loaded: dict[str, tuple[Loaded, ...]] = {}
    formats: dict[str, str] = {}
    for i, src in enumerate(m.sources):
        if src.id in loaded:
            raise AdapterError(name, f"sources[{i}].id", src.id, "duplicate source id")
        loaded[src.id] = _load_source(src, folder, m, window, name, i)
        formats[src.id] = src.format

    def source_parts(ref: str, where: str, kind: type) -> tuple[Any, ...]:
        if ref not in loaded:
            raise AdapterError(name, where, ref, "no source with this id")
        parts = tuple(p for p in loaded[ref] if isinstance(p, kind))
        if not parts:
            raise AdapterError(name, where, ref, f"source gives no {kind.__name__}")
        return parts

    fed_people: dict[str, set[str]] = {sid: set() for sid in loaded}
    fed_roles: dict[str, set[str]] = {sid: set() for sid in loaded}
    fed_customer: set[str] = set()

    people: list[dict[str, Any]] = []
    for i, mp in enumerate(m.people):
        busy: list[Busy] = []
        covered: list[Window] = []
        hours: WeeklyHours | None = mp.working_hours
        overrides: tuple[DateOverride, ...] = ()
        for j, ref in enumerate(mp.calendars):
            where = f"people[{i}].calendars[{j}]"
            parts: tuple[CalendarPart, ...] = source_parts(ref.source, where, CalendarPart)
            if ref.account is not None:
                parts = tuple(p for p in parts if p.account == ref.account)
                if not parts:
                    raise AdapterError(
                        name, where, ref.account, f"no calendar for this account in {ref.source}"
                    )
            elif len(parts) > 1:
                raise AdapterError(
                    name,
                    where,
                    ref.source,
                    f"source has {len(parts)} calendars; name the 'account'",
                )
            part = parts[0]
            fed_people[ref.source].add(mp.id)
            busy.extend(part.busy)
            if part.coverage is not None:  # a part without coverage speaks for nothing
                covered.append(part.coverage)
            if hours is None and not overrides:
                if part.working_hours is not None and part.timezone == mp.timezone:
                    hours = part.working_hours
                elif part.availability is not None:
                    overrides = availability_overrides(part.availability, mp.timezone, window)
                elif part.working_hours is not None and part.timezone is not None:
                    overrides = _weekly_in_other_zone(
                        part, mp.timezone, window, m.policy.local_times
                    )
        # no calendar speaks for these stretches: unknown, never silently free
        busy.extend(Busy(start=a, end=b, kind=BusyKind.unknown) for a, b in _gaps(window, covered))
        person: dict[str, Any] = {
            "id": mp.id,
            "timezone": mp.timezone,
            "busy": sorted(busy, key=lambda b: (b.start, b.end, b.kind.value)),
        }
        if hours is not None:
            person["working_hours"] = hours
        if overrides:
            person["overrides"] = overrides
        people.append(person)

    roles: list[dict[str, Any]] = []
    for i, mr in enumerate(m.roles):
        candidates: list[dict[str, Any]] = []
        seen: set[str] = set()
        if mr.on_call is not None:
            where = f"roles[{i}].on_call"
            pools: tuple[OnCallPart, ...] = source_parts(mr.on_call.source, where, OnCallPart)
            if mr.on_call.schedule is not None:
                pools = tuple(p for p in pools if p.schedule == mr.on_call.schedule)
                if not pools:
                    raise AdapterError(
                        name, where, mr.on_call.schedule, "no such schedule in the source"
                    )
            elif len(pools) > 1:
                raise AdapterError(
                    name,
                    where,
                    mr.on_call.source,
                    f"source has {len(pools)} schedules; name the 'schedule'",
                )
            fed_roles[mr.on_call.source].add(mr.name)
            for k, cand in enumerate(pools[0].candidates):
                person_id = _map_account(cand.account, m.accounts, name, f"{where}.candidates[{k}]")
                if person_id in seen:
                    continue
                seen.add(person_id)
                candidates.append({"person": person_id, "on_call": cand.on_call})
        for person_id in mr.candidates:
            if person_id not in seen:
                seen.add(person_id)
                candidates.append({"person": person_id})
        role: dict[str, Any] = {"name": mr.name, "candidates": candidates}
        if mr.required_for is not None:
            role["required_for"] = mr.required_for
        roles.append(role)

    customer: Customer | None = None
    meeting = m.meeting
    if m.customer is not None:
        if m.customer.source is not None:
            (crm,) = source_parts(m.customer.source, "customer.source", CustomerPart)[:1]
            customer = crm.customer
            fed_customer.add(m.customer.source)
        else:
            customer = m.customer.inline

    sources = []
    for src in m.sources:
        fetched = src.fetched_at or m.fetched_at
        assert fetched is not None  # checked when the source was loaded
        sources.append(
            {
                "id": src.id,
                "kind": _KIND[src.format],
                "system": src.format,
                "fetched_at": fetched,
                "people": sorted(fed_people[src.id]),
                "roles": sorted(fed_roles[src.id]),
                "customer": src.id in fed_customer,
            }
        )
    data = {
        "incident": m.incident,
        "now": m.now,
        "window": window,
        "meeting": meeting,
        "policy": m.policy,
        "roles": roles,
        "people": people,
        "customer": customer,
        "sources": sources,
    }
    from .._validate import parse_request

    return parse_request(data)


def _weekly_in_other_zone(
    part: CalendarPart, timezone: str, window: Window, local_times: LocalTimePolicy
) -> tuple[DateOverride, ...]:
    """Weekly hours stated in another zone, as per-date overrides in the person's zone."""
    from ..timegrid import local_rule_intervals

    assert part.working_hours is not None and part.timezone is not None
    src = load_zone(part.timezone)
    first = window.start.astimezone(src).date() - dt.timedelta(days=2)
    last = window.end.astimezone(src).date() + dt.timedelta(days=2)
    weekly = part.working_hours
    spans = local_rule_intervals(
        src,
        first,
        last,
        lambda d: weekly.for_weekday(d.weekday()),
        local_times,
        "working_hours",
    )
    return availability_overrides(tuple(Window(start=a, end=b) for a, b in spans), timezone, window)
