"""Every escalation reason code, each produced by a minimal request.

Reason codes are described in docs/reason-codes.md; slot validity in
docs/semantics.md. People are in UTC (working hours 09:00-17:00, protected
overnight 22:00-07:00) on Tuesday 2027-03-16 unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pytest

from bridge_sched import BridgeResult, InputError, Reason, ReasonCode, solve

UTC = dt.timezone.utc

BusySpec = tuple[str | dt.datetime, str | dt.datetime, str]


def at(hhmm: str, day: int = 16) -> dt.datetime:
    """UTC instant on 2027-03-<day> at HH:MM."""
    hours, minutes = map(int, hhmm.split(":"))
    return dt.datetime(2027, 3, day, hours, minutes, tzinfo=UTC)


def _instant(value: str | dt.datetime) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else at(value)


def person(pid: str, tz: str = "UTC", *, busy: Iterable[BusySpec] = ()) -> dict[str, Any]:
    """A person dict; ``busy`` is ``(start, end, kind)`` with HH:MM on 2027-03-16."""
    return {
        "id": pid,
        "timezone": tz,
        "busy": [{"start": _instant(a), "end": _instant(b), "kind": k} for a, b, k in busy],
    }


def request(
    roles: Mapping[str, Sequence[str | Mapping[str, Any]]],
    people: Sequence[str | Mapping[str, Any]],
    *,
    window: tuple[str | dt.datetime, str | dt.datetime] = ("10:00", "12:00"),
    now: dt.datetime | None = None,
    duration: int = 30,
    step: int = 15,
    customer: Mapping[str, Any] | None = None,
    **policy: Any,
) -> dict[str, Any]:
    """A request dict; ``now`` defaults to 30 minutes before the window; kwargs go to policy."""
    start, end = _instant(window[0]), _instant(window[1])
    return {
        "incident": {"id": "INC-42", "severity": "sev1", "component": "payments-api"},
        "now": now if now is not None else start - dt.timedelta(minutes=30),
        "window": {"start": start, "end": end},
        "meeting": {"duration_minutes": duration, "step_minutes": step, "suggestions": 3},
        "roles": [{"name": name, "candidates": list(cands)} for name, cands in roles.items()],
        "people": [person(p) if isinstance(p, str) else dict(p) for p in people],
        "customer": customer,
        "policy": policy,
    }


def escalate(data: Mapping[str, Any]) -> tuple[BridgeResult, list[Reason]]:
    """Solve, check the result is an escalation, and return it with its reasons."""
    result = solve(data)
    assert result.status.value == "escalate"
    assert result.slots == ()
    assert result.escalation is not None
    assert result.escalation.approver == "incident_leadership"
    return result, list(result.escalation.reasons)


def code_set(reasons: Iterable[Reason]) -> set[str]:
    """The set of reason codes."""
    return {r.code.value for r in reasons}


def only(reasons: Iterable[Reason], code: ReasonCode) -> Reason:
    """The single reason with ``code``."""
    (reason,) = [r for r in reasons if r.code == code]
    return reason


def span(a: str, b: str) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    """A one-element ``windows`` tuple from HH:MM to HH:MM on 2027-03-16."""
    return ((at(a), at(b)),)


LONDON = "Europe/London"  # GMT (UTC+0) on 2027-03-16
NEW_YORK = "America/New_York"  # EDT (UTC-4) on 2027-03-16


def london_customer(start: str, end: str) -> dict[str, Any]:
    """A London customer available on 2027-03-16 from ``start`` to ``end`` local (= UTC)."""
    return {
        "account": "acme-corp",
        "timezone": LONDON,
        "availability": [{"date": "2027-03-16", "start": start, "end": end}],
    }


# --------------------------------------------------------------------------- #
# Minimal requests, one per reason code (also used by the message tests below)
# --------------------------------------------------------------------------- #
def window_too_short() -> dict[str, Any]:
    """Window 10:00-11:00 is valid, but now = 10:40 leaves 20 minutes for 30."""
    return request({"commander": ["alice"]}, ["alice"], window=("10:00", "11:00"), now=at("10:40"))


def window_too_short_on_grid() -> dict[str, Any]:
    """Window 10:05-10:40 is 35 minutes, but the only grid start 10:15 would end at 10:45."""
    return request({"commander": ["alice"]}, ["alice"], window=("10:05", "10:40"))


def customer_outside_window() -> dict[str, Any]:
    """Customer available 14:00-15:00, window 10:00-12:00."""
    return request({"commander": ["alice"]}, ["alice"], customer=london_customer("14:00", "15:00"))


def customer_role_unavailable() -> dict[str, Any]:
    """Customer available 10:00-11:00; alice (commander) is busy exactly then."""
    return request(
        {"commander": ["alice"], "scribe": ["bob"]},
        [person("alice", busy=[("10:00", "11:00", "busy")]), "bob"],
        window=("10:00", "13:00"),
        customer=london_customer("10:00", "11:00"),
    )


def role_uncovered() -> dict[str, Any]:
    """Both commander candidates blocked all window (busy / out of office); scribe is fine."""
    return request(
        {"commander": ["alice", "bob"], "scribe": ["carol"]},
        [
            person("alice", busy=[("09:37", "12:23", "busy")]),
            person("bob", busy=[("08:41", "13:19", "out_of_office")]),
            "carol",
        ],
    )


def only_overnight_single() -> dict[str, Any]:
    """Window 22:00-23:30 lies inside alice's protected night."""
    return request({"commander": ["alice"]}, ["alice"], window=("22:00", "23:30"))


def only_overnight() -> dict[str, Any]:
    """alice (UTC) free before 22:00, bob (Los Angeles) free from 22:00 UTC = 15:00 PDT."""
    return request(
        {"commander": ["alice"], "scribe": ["bob"]},
        ["alice", person("bob", "America/Los_Angeles", busy=[("20:00", "22:00", "busy")])],
        window=("20:00", "23:30"),
    )


def out_of_hours_single() -> dict[str, Any]:
    """Window 17:00-19:00 is after alice's hours (not overnight); policy forbids it."""
    return request(
        {"commander": ["alice"]}, ["alice"], window=("17:00", "19:00"), out_of_hours="forbid"
    )


def out_of_hours() -> dict[str, Any]:
    """alice free 15:00-16:00, bob free 16:00-17:00: together only from 17:00 (forbidden)."""
    return request(
        {"commander": ["alice"], "scribe": ["bob"]},
        [
            person("alice", busy=[("16:00", "17:00", "busy")]),
            person("bob", busy=[("15:00", "16:00", "busy")]),
        ],
        window=("15:00", "18:00"),
        out_of_hours="forbid",
    )


def customer_outside_policy() -> dict[str, Any]:
    """10:00-12:00 UTC is 06:00-08:00 EDT, before the 08:00-18:00 customer hours; forbidden."""
    return request(
        {"commander": ["alice"]},
        ["alice"],
        customer={"account": "acme-corp", "timezone": NEW_YORK},
        customer_outside_policy="forbid",
    )


def insufficient_coverage() -> dict[str, Any]:
    """alice is the only candidate of both roles."""
    return request({"commander": ["alice"], "scribe": ["alice"]}, ["alice"])


def unknown_single() -> dict[str, Any]:
    """alice's calendar is unreadable over the whole window."""
    return request(
        {"commander": ["alice"]}, [person("alice", busy=[("09:00", "13:00", "unknown")])]
    )


def unknown_availability() -> dict[str, Any]:
    """alice unknown 10:00-11:00, bob busy 11:00-12:00: together only if alice is free."""
    return request(
        {"commander": ["alice"], "scribe": ["bob"]},
        [
            person("alice", busy=[("10:00", "11:00", "unknown")]),
            person("bob", busy=[("11:00", "12:00", "busy")]),
        ],
    )


def no_overlap_in_window() -> dict[str, Any]:
    """alice free 10:00-11:00, bob free 11:00-12:00: each coverable, never together."""
    return request(
        {"commander": ["alice"], "scribe": ["bob"]},
        [
            person("alice", busy=[("11:00", "12:00", "busy")]),
            person("bob", busy=[("10:00", "11:00", "busy")]),
        ],
    )


# --------------------------------------------------------------------------- #
# WINDOW_TOO_SHORT
# --------------------------------------------------------------------------- #
def test_window_too_short_when_now_leaves_less_than_duration() -> None:
    """now = 10:40 in a 10:00-11:00 window leaves no 30-minute bridge: WINDOW_TOO_SHORT."""
    _result, reasons = escalate(window_too_short())
    assert code_set(reasons) == {"WINDOW_TOO_SHORT"}
    (reason,) = reasons
    assert (reason.role, reason.people) == (None, ())
    assert reason.windows == span("10:40", "11:00")
    assert "30-minute" in reason.message


def test_window_too_short_on_the_grid() -> None:
    """A 35-minute window 10:05-10:40 holds no 30-minute bridge on the 15-minute grid."""
    _result, reasons = escalate(window_too_short_on_grid())
    assert code_set(reasons) == {"WINDOW_TOO_SHORT"}
    assert reasons[0].windows == span("10:05", "10:40")


def test_window_shorter_than_duration_is_input_error() -> None:
    """A request window shorter than the duration is bad input, not an escalation."""
    data = request({"commander": ["alice"]}, ["alice"], window=("10:00", "10:20"))
    with pytest.raises(InputError) as info:
        solve(data)
    assert info.value.field == "window"


# --------------------------------------------------------------------------- #
# NO_OVERLAP_WITH_CUSTOMER_WINDOW
# --------------------------------------------------------------------------- #
def test_no_overlap_with_customer_window() -> None:
    """Customer availability 14:00-15:00 misses the 10:00-12:00 window: no role is blamed."""
    _result, reasons = escalate(customer_outside_window())
    assert code_set(reasons) == {"NO_OVERLAP_WITH_CUSTOMER_WINDOW"}
    (reason,) = reasons
    assert (reason.role, reason.people) == (None, ())
    assert LONDON in reason.message


def test_no_overlap_with_customer_window_for_one_role() -> None:
    """The commander's only candidate is busy during the customer's window: per-role reason."""
    _result, reasons = escalate(customer_role_unavailable())
    assert code_set(reasons) == {"NO_OVERLAP_WITH_CUSTOMER_WINDOW"}
    (reason,) = reasons
    assert (reason.role, reason.people) == ("commander", ("alice",))
    assert "commander" in reason.message
    assert "alice" in reason.message


# --------------------------------------------------------------------------- #
# ROLE_UNCOVERED
# --------------------------------------------------------------------------- #
def test_role_uncovered_when_every_candidate_busy() -> None:
    """Every commander candidate is blocked: ROLE_UNCOVERED names the role and each blocker."""
    _result, reasons = escalate(role_uncovered())
    assert code_set(reasons) == {"ROLE_UNCOVERED"}
    (reason,) = reasons
    assert (reason.role, reason.people) == ("commander", ("alice", "bob"))
    assert "commander" in reason.message
    assert "alice: busy" in reason.message
    assert "bob: out of office" in reason.message
    assert "carol" not in reason.message


# --------------------------------------------------------------------------- #
# ONLY_OVERNIGHT
# --------------------------------------------------------------------------- #
def test_only_overnight() -> None:
    """The roles meet only from 22:00 UTC, inside alice's protected night: ONLY_OVERNIGHT."""
    _result, reasons = escalate(only_overnight())
    assert code_set(reasons) == {"ONLY_OVERNIGHT"}
    (reason,) = reasons
    assert (reason.role, reason.people) == (None, ("alice",))
    assert reason.windows == span("22:00", "22:30")
    assert "alice" in reason.message
    assert "bob" not in reason.message


def test_only_overnight_single_person() -> None:
    """The only candidate is protected all window: ROLE_UNCOVERED (overnight) + ONLY_OVERNIGHT."""
    _result, reasons = escalate(only_overnight_single())
    assert code_set(reasons) == {"ROLE_UNCOVERED", "ONLY_OVERNIGHT"}
    uncovered = only(reasons, ReasonCode.ROLE_UNCOVERED)
    assert (uncovered.role, uncovered.people) == ("commander", ("alice",))
    assert "alice: protected overnight hours" in uncovered.message
    overnight = only(reasons, ReasonCode.ONLY_OVERNIGHT)
    assert overnight.people == ("alice",)
    assert overnight.windows == span("22:00", "22:30")


# --------------------------------------------------------------------------- #
# OUT_OF_HOURS
# --------------------------------------------------------------------------- #
_SPURIOUS_OVERNIGHT = (
    "engine bug: the ONLY_OVERNIGHT relaxation relaxes overnight AND out_of_hours='forbid' "
    "together, so under forbid it finds an out-of-hours slot (17:00) that crosses nobody's "
    "overnight hours and reports ONLY_OVERNIGHT with people=() (reason-codes.md: exactly one "
    "rule relaxed; people are those whose overnight hours it would cross)"
)


def test_out_of_hours_reason_under_forbid() -> None:
    """Under out_of_hours='forbid' the roles meet only after hours: OUT_OF_HOURS names both."""
    _result, reasons = escalate(out_of_hours())
    reason = only(reasons, ReasonCode.OUT_OF_HOURS)
    assert (reason.role, reason.people) == (None, ("alice", "bob"))
    assert reason.windows == span("17:00", "17:30")
    assert "alice" in reason.message
    assert "bob" in reason.message


def test_out_of_hours_exact_reasons() -> None:
    """The out-of-hours-only case under forbid escalates with OUT_OF_HOURS alone."""
    _result, reasons = escalate(out_of_hours())
    assert code_set(reasons) == {"OUT_OF_HOURS"}


def test_out_of_hours_single_person_exact_reasons() -> None:
    """One candidate, window after hours, forbid: ROLE_UNCOVERED + OUT_OF_HOURS, no ONLY_OVERNIGHT."""
    _result, reasons = escalate(out_of_hours_single())
    assert code_set(reasons) == {"ROLE_UNCOVERED", "OUT_OF_HOURS"}
    uncovered = only(reasons, ReasonCode.ROLE_UNCOVERED)
    assert "alice: outside working hours (forbidden)" in uncovered.message
    assert only(reasons, ReasonCode.OUT_OF_HOURS).people == ("alice",)


def test_out_of_hours_single_person_uncovered_reason() -> None:
    """One candidate, window after hours, forbid: the role is uncovered by the forbid rule."""
    _result, reasons = escalate(out_of_hours_single())
    uncovered = only(reasons, ReasonCode.ROLE_UNCOVERED)
    assert (uncovered.role, uncovered.people) == ("commander", ("alice",))
    assert "alice: outside working hours (forbidden)" in uncovered.message
    reason = only(reasons, ReasonCode.OUT_OF_HOURS)
    assert reason.people == ("alice",)
    assert reason.windows == span("17:00", "17:30")


# --------------------------------------------------------------------------- #
# CUSTOMER_WINDOW_OUTSIDE_POLICY
# --------------------------------------------------------------------------- #
def test_customer_window_outside_policy_reason_under_forbid() -> None:
    """Only 06:00-08:00 EDT slots exist and policy forbids them: CUSTOMER_WINDOW_OUTSIDE_POLICY."""
    _result, reasons = escalate(customer_outside_policy())
    reason = only(reasons, ReasonCode.CUSTOMER_WINDOW_OUTSIDE_POLICY)
    assert (reason.role, reason.people) == (None, ())
    assert reason.windows == span("10:00", "10:30")


def test_customer_window_outside_policy_exact_reasons() -> None:
    """Forbidden customer hours alone: CUSTOMER_WINDOW_OUTSIDE_POLICY, no ROLE_UNCOVERED."""
    _result, reasons = escalate(customer_outside_policy())
    assert code_set(reasons) == {"CUSTOMER_WINDOW_OUTSIDE_POLICY"}


# --------------------------------------------------------------------------- #
# INSUFFICIENT_COVERAGE
# --------------------------------------------------------------------------- #
def test_insufficient_coverage() -> None:
    """Two roles whose only candidate is alice: INSUFFICIENT_COVERAGE naming alice."""
    _result, reasons = escalate(insufficient_coverage())
    assert code_set(reasons) == {"INSUFFICIENT_COVERAGE"}
    (reason,) = reasons
    assert (reason.role, reason.people) == (None, ("alice",))
    assert reason.windows == span("10:00", "10:30")
    assert "alice" in reason.message


# --------------------------------------------------------------------------- #
# UNKNOWN_AVAILABILITY
# --------------------------------------------------------------------------- #
def test_unknown_availability() -> None:
    """Roles meet only while alice's calendar is unreadable: UNKNOWN_AVAILABILITY naming alice."""
    result, reasons = escalate(unknown_availability())
    assert code_set(reasons) == {"UNKNOWN_AVAILABILITY"}
    (reason,) = reasons
    assert (reason.role, reason.people) == (None, ("alice",))
    assert reason.windows == span("10:00", "10:30")
    assert [(w.code.value, w.people) for w in result.warnings] == [
        ("UNKNOWN_AVAILABILITY", ("alice",))
    ]


def test_unknown_availability_single_person() -> None:
    """The only candidate's calendar is unreadable: ROLE_UNCOVERED + UNKNOWN_AVAILABILITY."""
    result, reasons = escalate(unknown_single())
    assert code_set(reasons) == {"ROLE_UNCOVERED", "UNKNOWN_AVAILABILITY"}
    uncovered = only(reasons, ReasonCode.ROLE_UNCOVERED)
    assert (uncovered.role, uncovered.people) == ("commander", ("alice",))
    assert "alice: calendar unknown" in uncovered.message
    assert only(reasons, ReasonCode.UNKNOWN_AVAILABILITY).people == ("alice",)
    assert [w.code.value for w in result.warnings] == ["UNKNOWN_AVAILABILITY"]


# --------------------------------------------------------------------------- #
# NO_OVERLAP_IN_WINDOW
# --------------------------------------------------------------------------- #
def test_no_overlap_in_window() -> None:
    """Each role is coverable at a different time, never together: NO_OVERLAP_IN_WINDOW."""
    _result, reasons = escalate(no_overlap_in_window())
    assert code_set(reasons) == {"NO_OVERLAP_IN_WINDOW"}
    (reason,) = reasons
    assert (reason.role, reason.people) == (None, ())
    assert reason.windows == span("10:00", "12:00")


# --------------------------------------------------------------------------- #
# Messages
# --------------------------------------------------------------------------- #
CASES: dict[str, Callable[[], dict[str, Any]]] = {
    "window_too_short": window_too_short,
    "window_too_short_on_grid": window_too_short_on_grid,
    "customer_outside_window": customer_outside_window,
    "customer_role_unavailable": customer_role_unavailable,
    "role_uncovered": role_uncovered,
    "only_overnight": only_overnight,
    "only_overnight_single": only_overnight_single,
    "out_of_hours": out_of_hours,
    "out_of_hours_single": out_of_hours_single,
    "customer_outside_policy": customer_outside_policy,
    "insufficient_coverage": insufficient_coverage,
    "unknown_availability": unknown_availability,
    "unknown_single": unknown_single,
    "no_overlap_in_window": no_overlap_in_window,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_escalation_message_names_roles_and_people(case: str) -> None:
    """The escalation message holds every reason, and each reason names its role and people."""
    result, reasons = escalate(CASES[case]())
    assert result.escalation is not None
    message = result.escalation.message
    assert "INC-42" in message
    assert message.endswith("Escalated to incident_leadership.")
    for reason in reasons:
        assert f"[{reason.code.value}] {reason.message}" in message
        if reason.role is not None:
            assert reason.role in reason.message
        for pid in reason.people:
            assert pid in reason.message


@pytest.mark.parametrize("case", sorted(CASES))
def test_escalation_message_has_no_calendar_contents(case: str) -> None:
    """Messages carry no busy-interval times or kinds beyond rule names."""
    data = CASES[case]()
    result, reasons = escalate(data)
    assert result.escalation is not None
    texts = [result.escalation.message, *(r.message for r in reasons)]
    for entry in data["people"]:
        for busy in entry["busy"]:
            for instant in (busy["start"], busy["end"]):
                for text in texts:
                    if instant.minute not in (0, 30):  # odd minutes only appear in busy data
                        assert instant.strftime("%H:%M") not in text
                    assert instant.isoformat() not in text
    for text in texts:
        assert "out_of_office" not in text
        assert "executive_review" not in text


def test_role_uncovered_message_omits_busy_times() -> None:
    """Busy 09:37-12:23 and OOO 08:41-13:19 are named by kind only, never by time."""
    result, _reasons = escalate(role_uncovered())
    assert result.escalation is not None
    for clock in ("09:37", "12:23", "08:41", "13:19"):
        assert clock not in result.escalation.message
    assert "commander" in result.escalation.message
    assert "alice" in result.escalation.message
    assert "bob" in result.escalation.message


@pytest.mark.parametrize("field", ["title", "summary", "description", "attendees"])
def test_busy_interval_cannot_carry_calendar_contents(field: str) -> None:
    """A busy interval with a contents field is rejected, so no contents can reach a message."""
    data = role_uncovered()
    data["people"][0]["busy"][0][field] = "Confidential board meeting"
    with pytest.raises(InputError) as info:
        solve(data)
    assert info.value.field.startswith("people[0].busy[0]")
