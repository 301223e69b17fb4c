"""Parsing and cross-object validation, in one place, before any solve.

Pydantic checks each field; this module checks what spans objects (unknown
people in roles, duplicate ids, windows against ``now`` and the duration) and
the documented size limits, and turns pydantic's errors into
:class:`~bridge_sched.errors.InputError` naming the field and the value.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from .errors import InputError, NaiveDatetimeError, UnknownTimezoneError
from .model import BridgeRequest

__all__ = ["LIMITS", "check_request", "parse_request"]

LIMITS: Mapping[str, int] = MappingProxyType(
    {
        "people": 2000,
        "roles": 16,
        "candidates_per_role": 256,
        "busy_intervals": 500_000,
        "window_days": 31,
        "overrides_per_person": 1000,
        "customer_windows": 1000,
        "on_call_windows_per_candidate": 1000,
        "sources": 10_000,
    }
)
"""Documented size limits of one request (see ``docs/design.md``, "Size limits")."""


_ECHO_KEYS = frozenset(
    {
        "start",
        "end",
        "kind",
        "date",
        "duration_minutes",
        "step_minutes",
        "suggestions",
        "min_separation_minutes",
    }
)


def _loc_to_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("function-after[_to_utc(), datetime]",) or "[" in str(part):
            continue
        else:
            path += f".{part}" if path else str(part)
    return path or "request"


def _input_error(exc: ValidationError) -> InputError:
    err = exc.errors(include_url=False)[0]
    field = _loc_to_path(tuple(err.get("loc", ())))
    value = err.get("input", "")
    if err.get("type") == "missing":
        value = "(missing)"
    elif isinstance(value, Mapping):
        # an object may carry fields we must not echo: show times only, else its keys
        if set(map(str, value)) <= _ECHO_KEYS:
            value = json.dumps(dict(value), default=str, sort_keys=True)
        else:
            value = "{" + ", ".join(sorted(str(k) for k in value)) + "}"
    elif isinstance(value, (str, bytes)) and err.get("type") == "json_invalid":
        value = f"({len(value)} characters of JSON)"
    message = str(err.get("msg", "invalid value"))
    message = message.removeprefix("Value error, ")
    if err.get("type") == "extra_forbidden":
        return InputError(
            field, "(value not shown)", "unknown field; only documented fields are accepted"
        )
    if err.get("type") == "timezone_aware":
        return NaiveDatetimeError(
            field, value, "datetime has no UTC offset (naive datetimes are rejected)"
        )
    if "time zone" in message:
        return UnknownTimezoneError(field, value, message)
    return InputError(field, value, message)


def parse_request(data: BridgeRequest | Mapping[str, Any] | str | bytes) -> BridgeRequest:
    """Accept a request model, a mapping, or JSON text; raise :class:`InputError` if invalid."""
    if isinstance(data, BridgeRequest):
        request = data
        _revalidate_top(request)
    else:
        try:
            if isinstance(data, (str, bytes)):
                request = BridgeRequest.model_validate_json(data)
            else:
                request = BridgeRequest.model_validate(data)
        except ValidationError as exc:
            raise _input_error(exc) from None
    check_request(request)
    return request


def _revalidate_top(request: BridgeRequest) -> None:
    """Re-check the small top-level parts of a model instance.

    ``model_copy(update=...)`` and ``model_construct`` skip validation; the
    large lists (people, busy) are trusted, everything else is re-validated.
    """
    parts = {
        "incident": request.incident,
        "now": request.now,
        "window": request.window,
        "meeting": request.meeting,
        "customer": request.customer,
        "policy": request.policy,
    }
    data: dict[str, Any] = {}
    for name, value in parts.items():
        data[name] = value.model_dump() if hasattr(value, "model_dump") else value
    data["sources"] = [s.model_dump() for s in request.sources]
    probe = {
        **data,
        "roles": [{"name": "probe", "candidates": ["probe"]}],
        "people": [{"id": "probe", "timezone": "UTC"}],
    }
    try:
        BridgeRequest.model_validate(probe)
    except ValidationError as exc:
        raise _input_error(exc) from None


def check_request(request: BridgeRequest) -> None:
    """Cross-object checks; raise :class:`InputError` naming field and value."""
    _check_sizes(request)
    ids: dict[str, int] = {}
    for i, person in enumerate(request.people):
        if person.id in ids:
            raise InputError(f"people[{i}].id", person.id, "duplicate person id")
        ids[person.id] = i
        dates: set[dt.date] = set()
        for j, override in enumerate(person.overrides):
            if override.date in dates:
                raise InputError(
                    f"people[{i}].overrides[{j}].date", override.date, "duplicate override date"
                )
            dates.add(override.date)
    names: set[str] = set()
    for i, role in enumerate(request.roles):
        if role.name in names:
            raise InputError(f"roles[{i}].name", role.name, "duplicate role name")
        names.add(role.name)
        seen: set[str] = set()
        for j, cand in enumerate(role.candidates):
            if cand.person not in ids:
                raise InputError(
                    f"roles[{i}].candidates[{j}].person", cand.person, "unknown person id"
                )
            if cand.person in seen:
                raise InputError(
                    f"roles[{i}].candidates[{j}].person", cand.person, "candidate listed twice"
                )
            seen.add(cand.person)
            if cand.on_call is not None and not cand.on_call:
                raise InputError(
                    f"roles[{i}].candidates[{j}].on_call", "[]", "empty on_call list (use null)"
                )
    _check_sources(request, ids, names)
    if not any(role.applies_to(request.incident.severity) for role in request.roles):
        raise InputError(
            "roles", request.incident.severity.value, "no role is required for this severity"
        )
    window = request.window
    duration = dt.timedelta(minutes=request.meeting.duration_minutes)
    if window.end <= request.now:
        raise InputError(
            "window.end",
            window.end.isoformat(),
            f"window ends at or before now ({request.now.isoformat()})",
        )
    if window.end - window.start < duration:
        raise InputError(
            "window",
            f"{window.start.isoformat()}/{window.end.isoformat()}",
            f"window is shorter than the duration ({request.meeting.duration_minutes} min)",
        )
    if window.end - window.start > dt.timedelta(days=LIMITS["window_days"]):
        raise InputError(
            "window",
            f"{window.start.isoformat()}/{window.end.isoformat()}",
            f"window longer than {LIMITS['window_days']} days",
        )


def _check_sources(request: BridgeRequest, people: dict[str, int], roles: set[str]) -> None:
    if len(request.sources) > LIMITS["sources"]:
        raise InputError("sources", len(request.sources), f"more than {LIMITS['sources']} sources")
    seen: set[str] = set()
    for i, source in enumerate(request.sources):
        if source.id in seen:
            raise InputError(f"sources[{i}].id", source.id, "duplicate source id")
        seen.add(source.id)
        if source.fetched_at > request.now:
            raise InputError(
                f"sources[{i}].fetched_at",
                source.fetched_at.isoformat(),
                f"fetched after now ({request.now.isoformat()}); now must be an input clock reading",
            )
        feeds = {
            "calendar": ("people",),
            "on_call": ("roles", "people"),
            "crm": ("customer",),
        }[source.kind]
        for what, filled in (
            ("people", bool(source.people)),
            ("roles", bool(source.roles)),
            ("customer", source.customer),
        ):
            if filled and what not in feeds:
                raise InputError(
                    f"sources[{i}].{what}",
                    source.kind,
                    f"a {source.kind} source cannot feed {what}",
                )
        for j, pid in enumerate(source.people):
            if pid not in people:
                raise InputError(f"sources[{i}].people[{j}]", pid, "unknown person id")
        for j, name in enumerate(source.roles):
            if name not in roles:
                raise InputError(f"sources[{i}].roles[{j}]", name, "unknown role name")
        if source.customer and request.customer is None:
            raise InputError(f"sources[{i}].customer", "true", "the request has no customer")


def _check_sizes(request: BridgeRequest) -> None:
    if len(request.people) > LIMITS["people"]:
        raise InputError("people", len(request.people), f"more than {LIMITS['people']} people")
    if len(request.roles) > LIMITS["roles"]:
        raise InputError("roles", len(request.roles), f"more than {LIMITS['roles']} roles")
    for i, role in enumerate(request.roles):
        if len(role.candidates) > LIMITS["candidates_per_role"]:
            raise InputError(
                f"roles[{i}].candidates",
                len(role.candidates),
                f"more than {LIMITS['candidates_per_role']} candidates",
            )
        for j, cand in enumerate(role.candidates):
            if (
                cand.on_call is not None
                and len(cand.on_call) > LIMITS["on_call_windows_per_candidate"]
            ):
                raise InputError(
                    f"roles[{i}].candidates[{j}].on_call",
                    len(cand.on_call),
                    "too many on-call windows",
                )
    total = sum(len(p.busy) for p in request.people)
    if total > LIMITS["busy_intervals"]:
        raise InputError(
            "people[*].busy", total, f"more than {LIMITS['busy_intervals']} busy intervals in total"
        )
    for i, person in enumerate(request.people):
        if len(person.overrides) > LIMITS["overrides_per_person"]:
            raise InputError(
                f"people[{i}].overrides", len(person.overrides), "too many date overrides"
            )
    if request.customer is not None:
        for name in ("availability", "preferred"):
            count = len(getattr(request.customer, name) or ())
            if count > LIMITS["customer_windows"]:
                raise InputError(
                    f"customer.{name}", count, f"more than {LIMITS['customer_windows']} windows"
                )
