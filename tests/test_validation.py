"""Bad input raises :class:`bridge_sched.InputError` naming the field and the value.

Requests are passed to :func:`bridge_sched.solve` as mappings or JSON text (the path
that converts pydantic errors); each case mutates a copy of the embedded example.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pydantic
import pytest

import bridge_sched
from bridge_sched import (
    BridgeRequest,
    InputError,
    NaiveDatetimeError,
    UnknownTimezoneError,
    Window,
    solve,
)
from bridge_sched.examples import example_json

Mutation = Callable[[dict[str, Any]], None]


def _base() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(example_json("northwind-sev1"))
    return data


def _person(data: dict[str, Any], pid: str) -> dict[str, Any]:
    return next(p for p in data["people"] if p["id"] == pid)


def _set_window(start: str, end: str) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        d["window"] = {"start": start, "end": end}

    return mutate


def _extra_roles(d: dict[str, Any]) -> None:
    have = len(d["roles"])
    d["roles"].extend(
        {"name": f"extra_{i}", "candidates": ["lead-mei"]}
        for i in range(bridge_sched.LIMITS["roles"] + 1 - have)
    )


def _no_role_for_severity(d: dict[str, Any]) -> None:
    d["incident"]["severity"] = "sev4"
    for role in d["roles"]:
        role["required_for"] = ["sev1", "sev2"]


# (id, mutation, exception class, expected field, offending value that must appear)
CASES: list[tuple[str, Mutation, type[InputError], str, str]] = [
    (
        "naive-now",
        lambda d: d.__setitem__("now", "2027-03-16T11:40:00"),
        NaiveDatetimeError,
        "now",
        "2027-03-16T11:40:00",
    ),
    (
        "naive-window-start",
        lambda d: d["window"].__setitem__("start", "2027-03-16T12:00:00"),
        NaiveDatetimeError,
        "window.start",
        "2027-03-16T12:00:00",
    ),
    (
        "naive-busy",
        lambda d: _person(d, "ic-chen")["busy"][0].__setitem__("start", "2027-03-16T14:00:00"),
        NaiveDatetimeError,
        "people[2].busy[0].start",
        "2027-03-16T14:00:00",
    ),
    (
        "unknown-zone-person",
        lambda d: _person(d, "eng-dara").__setitem__("timezone", "Mars/Olympus"),
        UnknownTimezoneError,
        "people[4].timezone",
        "Mars/Olympus",
    ),
    (
        "unknown-zone-customer",
        lambda d: d["customer"].__setitem__("timezone", "Mars/Olympus"),
        UnknownTimezoneError,
        "customer.timezone",
        "Mars/Olympus",
    ),
    (
        "window-end-equals-start",
        _set_window("2027-03-16T12:00:00Z", "2027-03-16T12:00:00Z"),
        InputError,
        "window",
        "2027-03-16T12:00:00",
    ),
    (
        "window-end-before-start",
        _set_window("2027-03-16T12:00:00Z", "2027-03-16T11:00:00Z"),
        InputError,
        "window",
        "2027-03-16T11:00:00",
    ),
    (
        "busy-end-before-start",
        lambda d: _person(d, "sup-amara")["busy"][0].__setitem__("end", "2027-03-16T12:00:00Z"),
        InputError,
        "people[0].busy[0]",
        "2027-03-16T12:00:00",
    ),
    (
        "unknown-person-in-role",
        lambda d: d["roles"][1]["candidates"].__setitem__(1, "ic-nobody"),
        InputError,
        "roles[1].candidates[1].person",
        "ic-nobody",
    ),
    (
        "duplicate-person-id",
        lambda d: d["people"].append(copy.deepcopy(_person(d, "ic-jonas"))),
        InputError,
        "people[10].id",
        "ic-jonas",
    ),
    (
        "duplicate-role-name",
        lambda d: d["roles"].append(copy.deepcopy(d["roles"][0])),
        InputError,
        "roles[5].name",
        "support_lead",
    ),
    (
        "candidate-listed-twice",
        lambda d: d["roles"][2]["candidates"].append("eng-dara"),
        InputError,
        "roles[2].candidates[2].person",
        "eng-dara",
    ),
    (
        "role-without-candidates",
        lambda d: d["roles"][2].__setitem__("candidates", []),
        InputError,
        "roles[2].candidates",
        "[]",
    ),
    (
        "window-shorter-than-duration",
        _set_window("2027-03-16T12:00:00Z", "2027-03-16T12:20:00Z"),
        InputError,
        "window",
        "2027-03-16T12:20:00",
    ),
    (
        "window-ends-before-now",
        _set_window("2027-03-16T10:00:00Z", "2027-03-16T11:00:00Z"),
        InputError,
        "window.end",
        "2027-03-16T11:00:00",
    ),
    (
        "duration-not-multiple-of-step",
        lambda d: d["meeting"].__setitem__("duration_minutes", 32),
        InputError,
        "meeting",
        "32",
    ),
    (
        "step-not-dividing-60",
        lambda d: d["meeting"].update(step_minutes=7, duration_minutes=28),
        InputError,
        "meeting.step_minutes",
        "7",
    ),
    (
        "clock-25-00",
        lambda d: _person(d, "sup-ravi").__setitem__(
            "working_hours", {"mon": [{"start": "09:00", "end": "25:00"}]}
        ),
        InputError,
        "people[1].working_hours.mon[0].end",
        "25:00",
    ),
    (
        "clock-9am",
        lambda d: _person(d, "sup-ravi").__setitem__(
            "working_hours", {"tue": [{"start": "9am", "end": "17:00"}]}
        ),
        InputError,
        "people[1].working_hours.tue[0].start",
        "9am",
    ),
    (
        "clock-9am-customer",
        lambda d: d["customer"]["availability"][0].__setitem__("start", "9am"),
        InputError,
        "customer.availability[0].start",
        "9am",
    ),
    (
        "clock-25-00-policy",
        lambda d: d["policy"].__setitem__("overnight", {"start": "25:00", "end": "07:00"}),
        InputError,
        "policy.overnight.start",
        "25:00",
    ),
    (
        "extra-field-nested",
        lambda d: d["incident"].__setitem__("colour", "crimson"),
        InputError,
        "incident.colour",
        "(value not shown)",
    ),
    (
        "extra-field-top-level",
        lambda d: d.__setitem__("colour", "crimson"),
        InputError,
        "colour",
        "(value not shown)",
    ),
    (
        "too-many-roles",
        _extra_roles,
        InputError,
        "roles",
        str(bridge_sched.LIMITS["roles"] + 1),
    ),
    (
        "window-longer-than-limit",
        _set_window("2027-03-16T12:00:00Z", "2027-04-17T12:00:00Z"),
        InputError,
        "window",
        "2027-04-17T12:00:00",
    ),
    (
        "no-role-for-severity",
        _no_role_for_severity,
        InputError,
        "roles",
        "sev4",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "exc_type", "field", "value"),
    [pytest.param(m, e, f, v, id=i) for i, m, e, f, v in CASES],
)
@pytest.mark.parametrize("as_json", [False, True], ids=["mapping", "json"])
def test_bad_input_names_field_and_value(
    mutate: Mutation, exc_type: type[InputError], field: str, value: str, as_json: bool
) -> None:
    """Each malformed request raises the right InputError naming its field and value."""
    data = _base()
    mutate(data)
    request: dict[str, Any] | str = json.dumps(data) if as_json else data
    with pytest.raises(exc_type) as info:
        solve(request)
    exc = info.value
    assert isinstance(exc, ValueError)
    assert exc.field == field
    assert value in exc.value
    assert field in str(exc)
    assert value in str(exc)
    assert "\n" not in str(exc)


def test_base_request_is_valid() -> None:
    """The unmodified example used as the base of every case solves without error."""
    assert solve(_base()).status.value == "scheduled"


def test_window_end_not_after_start_message_names_both_ends() -> None:
    """A window whose end is not after its start mentions both instants."""
    data = _base()
    _set_window("2027-03-16T12:00:00Z", "2027-03-16T11:00:00Z")(data)
    with pytest.raises(InputError, match=r"must be after start") as info:
        solve(data)
    assert "2027-03-16T12:00:00" in info.value.value
    assert "2027-03-16T11:00:00" in info.value.value


def test_window_of_exactly_the_limit_is_accepted() -> None:
    """A window of exactly LIMITS['window_days'] days is not rejected by the size check."""
    data = _base()
    days = bridge_sched.LIMITS["window_days"]
    end = dt.datetime(2027, 3, 16, 12, tzinfo=dt.timezone.utc) + dt.timedelta(days=days)
    _set_window("2027-03-16T12:00:00Z", end.isoformat())(data)
    data["meeting"]["suggestions"] = 1
    assert solve(data).status.value in {"scheduled", "needs_approval", "escalate"}


def test_cross_object_checks_apply_to_model_instances() -> None:
    """A directly built BridgeRequest with an unknown candidate is rejected by solve."""
    data = _base()
    data["roles"][0]["candidates"] = ["sup-ghost"]
    request = BridgeRequest.model_validate(data)
    with pytest.raises(InputError) as info:
        solve(request)
    assert info.value.field == "roles[0].candidates[0].person"
    assert info.value.value == "sup-ghost"


def test_naive_python_datetime_in_mapping() -> None:
    """A naive datetime object (not text) in a mapping is a NaiveDatetimeError."""
    data = _base()
    data["now"] = dt.datetime(2027, 3, 16, 11, 40)
    with pytest.raises(NaiveDatetimeError) as info:
        solve(data)
    assert info.value.field == "now"
    assert "2027-03-16 11:40:00" in info.value.value


def test_direct_model_with_naive_datetime_raises_validation_error() -> None:
    """Building a model with a naive datetime raises pydantic's ValidationError (a ValueError)."""
    with pytest.raises(pydantic.ValidationError) as info:
        Window(start=dt.datetime(2027, 3, 16, 12), end=dt.datetime(2027, 3, 16, 13))
    assert isinstance(info.value, ValueError)
    assert not isinstance(info.value, InputError)
    with pytest.raises(ValueError, match="timezone"):
        BridgeRequest.model_validate({**_base(), "now": dt.datetime(2027, 3, 16, 11, 40)})


def test_input_error_hierarchy() -> None:
    """InputError and its subclasses are ValueErrors and BridgeSchedErrors."""
    for cls in (InputError, NaiveDatetimeError, UnknownTimezoneError, bridge_sched.LocalTimeError):
        assert issubclass(cls, ValueError)
        assert issubclass(cls, bridge_sched.BridgeSchedError)
    exc = InputError("people[2].timezone", "Mars/Olympus", "unknown IANA time zone")
    assert exc.field == "people[2].timezone"
    assert exc.value == "Mars/Olympus"
    assert str(exc) == "people[2].timezone: unknown IANA time zone (got 'Mars/Olympus')"


def test_invalid_json_text_is_input_error() -> None:
    """Truncated JSON text raises InputError, not a bare ValidationError."""
    with pytest.raises(InputError) as info:
        solve(example_json()[:40])
    assert info.value.field == "request"


def test_unknown_field_value_is_not_echoed() -> None:
    """The value of an unknown field (possibly calendar contents) never reaches the error."""
    data = _base()
    data["people"][0]["busy"] = [
        {
            "start": "2027-03-16T13:00:00Z",
            "end": "2027-03-16T14:00:00Z",
            "title": "CANARY-merger-talks",
        }
    ]
    with pytest.raises(InputError) as info:
        solve(data)
    assert info.value.field == "people[0].busy[0].title"
    assert "CANARY" not in str(info.value)
