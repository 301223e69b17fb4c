"""Freshness: sources older than ``policy.max_age`` give STALE_DATA, and a refresh
request (``needs_refresh``) exactly when the stale data could change the answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bridge_sched import BridgeRequest, InputError, ReasonCode, Status, load_example, solve
from bridge_sched.cli import main

UTC = dt.timezone.utc
NOW = dt.datetime(2027, 3, 16, 11, 40, tzinfo=UTC)


def _with_sources(request: BridgeRequest, *sources: dict[str, Any]) -> BridgeRequest:
    data = request.model_dump(mode="json")
    data["sources"] = list(sources)
    return BridgeRequest.model_validate(data)


def _ago(minutes: int) -> str:
    return (NOW - dt.timedelta(minutes=minutes)).isoformat()


def _small(sources: list[dict[str, Any]]) -> BridgeRequest:
    """One role; the primary ``a`` is busy over the whole window, ``b`` and ``c`` are free."""
    return BridgeRequest.model_validate(
        {
            "incident": {"id": "INC-1", "severity": "sev2", "component": "api"},
            "now": NOW.isoformat(),
            "window": {"start": "2027-03-16T12:00:00Z", "end": "2027-03-16T17:00:00Z"},
            "meeting": {"duration_minutes": 30, "step_minutes": 15, "suggestions": 1},
            "roles": [{"name": "incident_commander", "candidates": ["a", "b", "c"]}],
            "people": [
                {
                    "id": "a",
                    "timezone": "Europe/London",
                    "busy": [{"start": "2027-03-16T12:00:00Z", "end": "2027-03-16T17:00:00Z"}],
                },
                {"id": "b", "timezone": "Europe/London"},
                {"id": "c", "timezone": "Europe/London"},
            ],
            "sources": sources,
        }
    )


def test_fresh_sources_change_nothing() -> None:
    base = solve(load_example())
    req = _with_sources(
        load_example(),
        {"id": "pd", "kind": "on_call", "fetched_at": _ago(5), "roles": ["incident_commander"]},
        {"id": "cal", "kind": "calendar", "fetched_at": _ago(59), "people": ["eng-dara"]},
    )
    result = solve(req)
    assert result.status == Status.scheduled
    assert result.slots == base.slots
    assert result.warnings == ()


def test_stale_on_call_for_a_required_role_asks_for_refresh() -> None:
    req = _with_sources(
        load_example(),
        {
            "id": "pagerduty-ic",
            "kind": "on_call",
            "system": "pagerduty",
            "fetched_at": _ago(16),
            "roles": ["incident_commander"],
        },
    )
    result = solve(req)
    assert result.status == Status.needs_refresh
    (reason,) = result.warnings
    assert reason.code == ReasonCode.STALE_DATA
    assert reason.source == "pagerduty-ic"
    assert reason.role == "incident_commander"
    assert reason.blocking is True
    assert "fetched 16 min before now (limit 15 min)" in reason.message
    # the provisional slots are still the current data's answer
    assert result.slots[0].start == dt.datetime(2027, 3, 16, 15, 30, tzinfo=UTC)


def test_stale_calendar_of_an_assigned_person_blocks() -> None:
    req = _with_sources(
        load_example(),
        {"id": "graph-dara", "kind": "calendar", "fetched_at": _ago(61), "people": ["eng-dara"]},
    )
    result = solve(req)
    assert result.status == Status.needs_refresh
    (reason,) = result.warnings
    assert reason.people == ("eng-dara",)
    assert "eng-dara is assigned in slot #1" in reason.message


def test_stale_calendar_that_hides_a_better_slot_blocks() -> None:
    result = solve(
        _small([{"id": "cal-a", "kind": "calendar", "fetched_at": _ago(120), "people": ["a"]}])
    )
    # current data: the substitute b at 12:00; with a's calendar free, a (primary) at 12:00
    assert [x.person for x in result.slots[0].assignments] == ["b"]
    assert result.status == Status.needs_refresh
    (reason,) = result.warnings
    assert reason.blocking is True
    assert "with the calendars of a treated as free, slot #1 would be 2027-03-16 12:00 UTC" in (
        reason.message
    )


def test_stale_calendar_that_cannot_change_the_answer_is_a_warning_only() -> None:
    result = solve(
        _small([{"id": "cal-c", "kind": "calendar", "fetched_at": _ago(120), "people": ["c"]}])
    )
    assert result.status == Status.scheduled
    assert [x.person for x in result.slots[0].assignments] == ["b"]
    (reason,) = result.warnings
    assert reason.code == ReasonCode.STALE_DATA
    assert reason.blocking is False
    assert "it cannot change the answer (not blocking)" in reason.message


def test_stale_on_call_for_a_role_this_severity_does_not_need() -> None:
    req = load_example()
    data = req.model_dump(mode="json")
    data["incident"]["severity"] = "sev3"  # leadership_delegate is sev1/sev2 only
    roles = {r["name"]: r for r in data["roles"]}
    assert roles["leadership_delegate"]["required_for"] is not None
    data["sources"] = [
        {"id": "og", "kind": "on_call", "fetched_at": _ago(600), "roles": ["leadership_delegate"]}
    ]
    result = solve(BridgeRequest.model_validate(data))
    assert result.status != Status.needs_refresh
    assert result.warnings[0].blocking is False


def test_stale_crm_blocks_when_it_feeds_the_customer() -> None:
    req = _with_sources(
        load_example(),
        {"id": "crm", "kind": "crm", "fetched_at": _ago(7 * 24 * 60 + 1), "customer": True},
    )
    result = solve(req)
    assert result.status == Status.needs_refresh
    assert "stated availability may have changed" in result.warnings[0].message


def test_max_age_is_policy() -> None:
    data = load_example().model_dump(mode="json")
    data["policy"]["max_age"] = {"on_call_minutes": 120}
    data["sources"] = [
        {"id": "pd", "kind": "on_call", "fetched_at": _ago(90), "roles": ["incident_commander"]}
    ]
    assert solve(BridgeRequest.model_validate(data)).warnings == ()


@pytest.mark.parametrize(
    ("source", "field", "value"),
    [
        (
            {"id": "s", "kind": "calendar", "fetched_at": "2027-03-16T11:41:00Z"},
            "sources[0].fetched_at",
            "2027-03-16T11:41:00+00:00",
        ),
        (
            {"id": "s", "kind": "calendar", "fetched_at": _ago(1), "people": ["nobody"]},
            "sources[0].people[0]",
            "nobody",
        ),
        (
            {"id": "s", "kind": "on_call", "fetched_at": _ago(1), "roles": ["janitor"]},
            "sources[0].roles[0]",
            "janitor",
        ),
    ],
)
def test_bad_sources_are_input_errors(source: dict[str, Any], field: str, value: str) -> None:
    with pytest.raises(InputError) as info:
        solve({**load_example().model_dump(mode="json"), "sources": [source]})
    assert info.value.field == field
    assert info.value.value == value


def test_cli_exit_code_5(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    req = _with_sources(
        load_example(),
        {"id": "pd", "kind": "on_call", "fetched_at": _ago(30), "roles": ["support_lead"]},
    )
    path = tmp_path / "req.json"
    path.write_text(req.model_dump_json(), "utf-8")
    assert main(["solve", str(path)]) == 5
    out = capsys.readouterr().out
    assert "NEEDS REFRESH" in out
    assert "warning [STALE_DATA] (blocking) on-call source pd was fetched 30 min" in out
