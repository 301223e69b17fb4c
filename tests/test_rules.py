"""Each hard rule and each approval rule of docs/semantics.md, satisfied and violated.

Every request is small (1-3 roles, 1-4 people, a few hours on Tuesday
2027-03-16) with an explicit ``now``. Expected values are worked out by hand
from the contract; people are in UTC (default working hours 09:00-17:00,
protected overnight 22:00-07:00) unless a test says otherwise. On 2027-03-16
New York is on EDT (UTC-4) and London on GMT (UTC+0).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pytest

from bridge_sched import BridgeResult, ReasonCode, Slot, solve

UTC = dt.timezone.utc
DAY = dt.date(2027, 3, 16)  # a Tuesday

BusySpec = tuple[str | dt.datetime, str | dt.datetime, str]


def at(hhmm: str, day: int = 16) -> dt.datetime:
    """UTC instant on 2027-03-<day> at HH:MM."""
    hours, minutes = map(int, hhmm.split(":"))
    return dt.datetime(2027, 3, day, hours, minutes, tzinfo=UTC)


def _instant(value: str | dt.datetime) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else at(value)


def person(
    pid: str,
    tz: str = "UTC",
    *,
    busy: Iterable[BusySpec] = (),
    hours: Mapping[str, Any] | None = None,
    overrides: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """A person dict; ``busy`` is ``(start, end, kind)`` with HH:MM on DAY or datetimes."""
    data: dict[str, Any] = {
        "id": pid,
        "timezone": tz,
        "busy": [{"start": _instant(a), "end": _instant(b), "kind": k} for a, b, k in busy],
    }
    if hours is not None:
        data["working_hours"] = hours
    if overrides is not None:
        data["overrides"] = overrides
    return data


def request(
    roles: Mapping[str, Sequence[str | Mapping[str, Any]]],
    people: Sequence[str | Mapping[str, Any]],
    *,
    window: tuple[str | dt.datetime, str | dt.datetime] = ("10:00", "12:00"),
    now: dt.datetime | None = None,
    duration: int = 30,
    step: int = 15,
    suggestions: int = 1,
    separation: int | None = None,
    severity: str = "sev2",
    required_for: Mapping[str, Sequence[str]] | None = None,
    customer: Mapping[str, Any] | None = None,
    **policy: Any,
) -> dict[str, Any]:
    """A request dict; ``now`` defaults to 30 minutes before the window; kwargs go to policy."""
    start, end = _instant(window[0]), _instant(window[1])
    required_for = required_for or {}
    return {
        "incident": {"id": "INC-42", "severity": severity, "component": "payments-api"},
        "now": now if now is not None else start - dt.timedelta(minutes=30),
        "window": {"start": start, "end": end},
        "meeting": {
            "duration_minutes": duration,
            "step_minutes": step,
            "suggestions": suggestions,
            "min_separation_minutes": separation,
        },
        "roles": [
            {"name": name, "candidates": list(cands), "required_for": required_for.get(name)}
            for name, cands in roles.items()
        ],
        "people": [person(p) if isinstance(p, str) else dict(p) for p in people],
        "customer": customer,
        "policy": policy,
    }


def run(*args: Any, **kwargs: Any) -> BridgeResult:
    """Build a request with :func:`request` and solve it."""
    return solve(request(*args, **kwargs))


def hhmm(slot: Slot) -> str:
    """The UTC start of a slot as HH:MM."""
    return slot.start.astimezone(UTC).strftime("%H:%M")


def starts(result: BridgeResult) -> list[str]:
    """UTC starts of all returned slots, in rank order."""
    return [hhmm(s) for s in result.slots]


def who(slot: Slot) -> dict[str, str]:
    """Role name -> person id of a slot."""
    return {a.role: a.person for a in slot.assignments}


def codes(slot: Slot) -> list[tuple[str, str | None, str | None]]:
    """(code, role, person) of each approval of a slot."""
    return [(a.code.value, a.role, a.person) for a in slot.approvals]


def ranked(result: BridgeResult) -> list[tuple[str, str]]:
    """(start, person of the only role) per slot, for single-role requests."""
    return [(hhmm(s), s.assignments[0].person) for s in result.slots]


ALL = {"suggestions": 20, "separation": 0}  # every valid grid start, in key order
LONDON = "Europe/London"
NEW_YORK = "America/New_York"


def customer(tz: str = LONDON, **fields: Any) -> dict[str, Any]:
    """A customer object (no stated availability unless given)."""
    return {"account": "acme-corp", "timezone": tz, **fields}


def local_window(start: str, end: str, date: str = "2027-03-16") -> dict[str, str]:
    """A LocalWindow dict."""
    return {"date": date, "start": start, "end": end}


# --------------------------------------------------------------------------- #
# Window and grid
# --------------------------------------------------------------------------- #
def test_bridge_lies_inside_the_window() -> None:
    """Every start s has s >= window.start and s + d <= window.end."""
    result = run({"commander": ["alice"]}, ["alice"], window=("10:00", "11:00"), **ALL)
    assert result.status.value == "scheduled"
    assert starts(result) == ["10:00", "10:15", "10:30"]
    assert all(s.end <= at("11:00") for s in result.slots)
    assert result.slots[0].end == at("10:30")


def test_no_start_before_now_when_window_started() -> None:
    """With now = 10:07 inside the window, the first start is the next grid point 10:15."""
    result = run(
        {"commander": ["alice"]}, ["alice"], window=("10:00", "11:00"), now=at("10:07"), **ALL
    )
    assert starts(result) == ["10:15", "10:30"]


def test_now_leaving_less_than_duration_escalates() -> None:
    """With now = 10:31 no 30-minute bridge fits before 11:00: escalate."""
    result = run({"commander": ["alice"]}, ["alice"], window=("10:00", "11:00"), now=at("10:31"))
    assert result.status.value == "escalate"
    assert result.slots == ()


def test_grid_is_aligned_to_the_top_of_the_utc_hour() -> None:
    """Step 15 with window.start 10:07 gives starts at :00/:15/:30/:45 only."""
    result = run({"commander": ["alice"]}, ["alice"], window=(at("10:07"), at("12:00")), **ALL)
    assert starts(result) == ["10:15", "10:30", "10:45", "11:00", "11:15", "11:30"]
    assert {s.start.minute for s in result.slots} <= {0, 15, 30, 45}
    assert all(s.start.second == 0 and s.start.microsecond == 0 for s in result.slots)


def test_grid_off_step_starts_are_never_offered() -> None:
    """Step 20 / duration 40 in 10:05-11:30 gives 10:20 and 10:40 only (not 10:05, 10:25)."""
    result = run(
        {"commander": ["alice"]},
        ["alice"],
        window=("10:05", "11:30"),
        duration=40,
        step=20,
        **ALL,
    )
    assert starts(result) == ["10:20", "10:40"]


def test_grid_is_utc_not_local() -> None:
    """A person at UTC+05:30 gets a bridge on the UTC hour, i.e. at :30 local time."""
    result = run(
        {"commander": ["priya"]},
        [person("priya", "Asia/Kolkata")],
        window=("10:00", "11:30"),
        duration=60,
        step=60,
        **ALL,
    )
    assert starts(result) == ["10:00"]
    local = result.slots[0].assignments[0].local
    assert local.start == "2027-03-16T15:30:00+05:30"
    assert local.abbreviation == "IST"


# --------------------------------------------------------------------------- #
# Busy kinds
# --------------------------------------------------------------------------- #
HARD_KINDS = ["busy", "out_of_office", "focus", "executive_review"]


@pytest.mark.parametrize("kind", HARD_KINDS)
def test_hard_busy_kind_touching_the_bridge_is_fine(kind: str) -> None:
    """A hard-busy interval ending exactly at 10:00 does not overlap [10:00, 10:30)."""
    result = run({"commander": ["alice"]}, [person("alice", busy=[("09:00", "10:00", kind)])])
    assert result.status.value == "scheduled"
    assert hhmm(result.slots[0]) == "10:00"
    assert who(result.slots[0]) == {"commander": "alice"}


@pytest.mark.parametrize("kind", HARD_KINDS)
def test_hard_busy_kind_blocks_overlapping_starts(kind: str) -> None:
    """Hard-busy 10:00-11:01 blocks every start before 11:15 (11:01 overlaps [11:00, 11:30))."""
    result = run(
        {"commander": ["alice"]}, [person("alice", busy=[("10:00", "11:01", kind)])], **ALL
    )
    assert starts(result) == ["11:15", "11:30"]


@pytest.mark.parametrize("kind", HARD_KINDS)
def test_hard_busy_kind_over_whole_window_escalates(kind: str) -> None:
    """The only candidate hard-busy for the whole window: escalate, blocker named by kind."""
    result = run({"commander": ["alice"]}, [person("alice", busy=[("09:00", "13:00", kind)])])
    assert result.status.value == "escalate"
    assert result.escalation is not None
    (reason,) = result.escalation.reasons
    assert reason.code == ReasonCode.ROLE_UNCOVERED
    assert f"alice: {kind.replace('_', ' ')}" in reason.message


def test_tentative_is_allowed_but_penalised() -> None:
    """Only a tentative-conflicting start exists: it is offered with tentative=1, no approval."""
    result = run(
        {"commander": ["alice"]},
        [person("alice", busy=[("10:00", "10:30", "tentative")])],
        window=("10:00", "10:30"),
    )
    assert result.status.value == "scheduled"
    (slot,) = result.slots
    assert hhmm(slot) == "10:00"
    assert slot.assignments[0].tentative_conflict is True
    assert slot.score.tentative == 1
    assert slot.approvals == ()


def test_non_tentative_alternative_ranks_first() -> None:
    """Tentative 10:00-11:00: 11:00 (tentative=0) ranks above the earlier 10:00 (tentative=1)."""
    result = run(
        {"commander": ["alice"]},
        [person("alice", busy=[("10:00", "11:00", "tentative")])],
        window=("10:00", "11:30"),
        suggestions=2,
    )
    assert starts(result) == ["11:00", "10:00"]
    assert [s.score.tentative for s in result.slots] == [0, 1]
    assert [s.assignments[0].tentative_conflict for s in result.slots] == [False, True]


def test_tentative_forbidden_under_policy_forbid() -> None:
    """policy.tentative='forbid' treats tentative as busy: only 11:00 remains."""
    result = run(
        {"commander": ["alice"]},
        [person("alice", busy=[("10:00", "11:00", "tentative")])],
        window=("10:00", "11:30"),
        tentative="forbid",
        **ALL,
    )
    assert starts(result) == ["11:00"]
    assert result.slots[0].score.tentative == 0


def test_tentative_forbid_with_no_alternative_escalates() -> None:
    """policy.tentative='forbid' and tentative over the whole window: escalate."""
    result = run(
        {"commander": ["alice"]},
        [person("alice", busy=[("10:00", "10:30", "tentative")])],
        window=("10:00", "10:30"),
        tentative="forbid",
    )
    assert result.status.value == "escalate"


def test_unknown_calendar_makes_person_unavailable_by_default() -> None:
    """Unknown availability: the primary cannot fill the role, the substitute does, with a warning."""
    result = run(
        {"commander": ["alice", "bob"]},
        [person("alice", busy=[("09:00", "13:00", "unknown")]), "bob"],
    )
    assert result.status.value == "scheduled"
    slot = result.slots[0]
    assert hhmm(slot) == "10:00"
    assert who(slot) == {"commander": "bob"}
    assert slot.assignments[0].pool_position == 1
    (warning,) = result.warnings
    assert warning.code == ReasonCode.UNKNOWN_AVAILABILITY
    assert warning.people == ("alice",)
    assert "alice" in warning.message
    assert "unavailable" in warning.message


def test_unknown_calendar_allowed_as_tentative_under_policy() -> None:
    """policy.unknown='tentative': the primary fills the role with a tentative conflict."""
    result = run(
        {"commander": ["alice", "bob"]},
        [person("alice", busy=[("09:00", "13:00", "unknown")]), "bob"],
        unknown="tentative",
    )
    slot = result.slots[0]
    assert hhmm(slot) == "10:00"
    assert who(slot) == {"commander": "alice"}
    assert slot.assignments[0].tentative_conflict is True
    assert (slot.score.substitutes, slot.score.tentative) == (0, 1)
    assert [w.code for w in result.warnings] == [ReasonCode.UNKNOWN_AVAILABILITY]
    assert result.warnings[0].people == ("alice",)


# --------------------------------------------------------------------------- #
# On-call shifts
# --------------------------------------------------------------------------- #
def _on_call(pid: str, *shifts: tuple[str, str]) -> dict[str, Any]:
    return {"person": pid, "on_call": [{"start": at(a), "end": at(b)} for a, b in shifts]}


def test_on_call_candidate_fills_role_when_bridge_inside_shift() -> None:
    """Shift 10:10-10:50 holds only [10:15, 10:45): the primary takes 10:15 over bob at 10:00."""
    result = run(
        {"commander": [_on_call("alice", ("10:10", "10:50")), "bob"]}, ["alice", "bob"], **ALL
    )
    assert ranked(result)[0] == ("10:15", "alice")
    assert [s for s, p in ranked(result) if p == "alice"] == ["10:15"]


def test_on_call_candidate_not_used_when_bridge_exceeds_shift() -> None:
    """Shift 10:10-10:40 holds no whole 30-minute bridge on the grid: bob fills every slot."""
    result = run(
        {"commander": [_on_call("alice", ("10:10", "10:40")), "bob"]}, ["alice", "bob"], **ALL
    )
    assert ranked(result)[0] == ("10:00", "bob")
    assert {p for _s, p in ranked(result)} == {"bob"}


def test_on_call_touching_shifts_form_one() -> None:
    """Shifts 10:00-10:15 and 10:15-10:45 merge, so [10:00, 10:30) is inside the union."""
    result = run(
        {"commander": [_on_call("alice", ("10:00", "10:15"), ("10:15", "10:45")), "bob"]},
        ["alice", "bob"],
        **ALL,
    )
    assert [(s, p) for s, p in ranked(result) if p == "alice"] == [
        ("10:00", "alice"),
        ("10:15", "alice"),
    ]
    assert ranked(result)[0] == ("10:00", "alice")


def test_on_call_only_candidate_outside_shift_escalates() -> None:
    """The only candidate is on call 13:00-14:00, after the window: escalate, 'not on call'."""
    result = run({"commander": [_on_call("alice", ("13:00", "14:00"))]}, ["alice"])
    assert result.status.value == "escalate"
    assert result.escalation is not None
    assert "alice: not on call" in result.escalation.reasons[0].message


# --------------------------------------------------------------------------- #
# Distinct people
# --------------------------------------------------------------------------- #
def test_distinct_people_second_role_uses_substitute() -> None:
    """alice is in both pools; she takes commander, bob (substitute) takes scribe."""
    result = run({"commander": ["alice"], "scribe": ["alice", "bob"]}, ["alice", "bob"])
    assert result.status.value == "scheduled"
    assert who(result.slots[0]) == {"commander": "alice", "scribe": "bob"}
    assert result.slots[0].score.substitutes == 1


def test_distinct_people_one_person_cannot_fill_two_roles() -> None:
    """alice is the only candidate of two roles: no valid assignment, escalate."""
    result = run({"commander": ["alice"], "scribe": ["alice"]}, ["alice"])
    assert result.status.value == "escalate"
    assert result.slots == ()


# --------------------------------------------------------------------------- #
# Customer availability, customer-hours policy and preference
# --------------------------------------------------------------------------- #
def test_customer_availability_inside_window() -> None:
    """Customer available 08:00-09:00 EDT = 12:00-13:00 UTC: starts 12:00, 12:15, 12:30 only."""
    result = run(
        {"commander": ["alice"]},
        ["alice"],
        window=("10:00", "16:00"),
        customer=customer(NEW_YORK, availability=[local_window("08:00", "09:00")]),
        **ALL,
    )
    assert result.status.value == "scheduled"
    assert starts(result) == ["12:00", "12:15", "12:30"]
    span = result.slots[0].customer
    assert span is not None
    assert span.start == "2027-03-16T08:00:00-04:00"
    assert span.abbreviation == "EDT"


def test_customer_availability_outside_window_gives_no_slot() -> None:
    """Customer available 14:00-15:00 EDT = 18:00-19:00 UTC, after the window: escalate."""
    result = run(
        {"commander": ["alice"]},
        ["alice"],
        window=("10:00", "16:00"),
        customer=customer(NEW_YORK, availability=[local_window("14:00", "15:00")]),
    )
    assert result.status.value == "escalate"
    assert result.slots == ()


def test_customer_hours_inside_policy_needs_no_approval() -> None:
    """08:00 EDT = 12:00 UTC is inside customer hours: rank 1 at 12:00 without approval."""
    result = run(
        {"commander": ["alice"]},
        ["alice"],
        window=("10:00", "14:00"),
        customer=customer(NEW_YORK),
    )
    assert result.status.value == "scheduled"
    assert hhmm(result.slots[0]) == "12:00"
    assert result.slots[0].approvals == ()


def test_customer_hours_outside_policy_needs_approval() -> None:
    """06:00 EDT is outside 08:00-18:00 customer local: CUSTOMER_WINDOW_OUTSIDE_POLICY approval."""
    result = run(
        {"commander": ["alice"]},
        ["alice"],
        window=("10:00", "12:00"),
        customer=customer(NEW_YORK),
    )
    assert result.status.value == "needs_approval"
    slot = result.slots[0]
    assert hhmm(slot) == "10:00"
    assert codes(slot) == [("CUSTOMER_WINDOW_OUTSIDE_POLICY", None, None)]
    assert slot.approvals[0].approver == "incident_leadership"
    assert "08:00-18:00" in slot.approvals[0].detail
    assert slot.score.approvals == 1


def test_customer_hours_outside_policy_excluded_under_forbid() -> None:
    """customer_outside_policy='forbid': no start before 12:00 UTC (08:00 EDT) is offered."""
    result = run(
        {"commander": ["alice"]},
        ["alice"],
        window=("10:00", "14:00"),
        customer=customer(NEW_YORK),
        customer_outside_policy="forbid",
        **ALL,
    )
    assert result.status.value == "scheduled"
    assert starts(result) == ["12:00", "12:15", "12:30", "12:45", "13:00", "13:15", "13:30"]
    assert all(s.approvals == () for s in result.slots)


def test_customer_hours_rule_off_when_policy_none() -> None:
    """policy.customer_hours=None disables the rule: 06:00 EDT needs no approval."""
    result = run(
        {"commander": ["alice"]},
        ["alice"],
        customer=customer(NEW_YORK),
        customer_hours=None,
    )
    assert result.status.value == "scheduled"
    assert hhmm(result.slots[0]) == "10:00"
    assert result.slots[0].approvals == ()


def test_customer_preference_ranks_preferred_slot_first() -> None:
    """Preferred 10:30-11:00 London: 10:30 ranks above the earlier non-preferred 10:00."""
    result = run(
        {"commander": ["alice"]},
        ["alice"],
        window=("10:00", "11:00"),
        customer=customer(preferred=[local_window("10:30", "11:00")]),
        suggestions=2,
    )
    assert starts(result) == ["10:30", "10:00"]
    assert [s.score.customer_preference for s in result.slots] == [0, 1]


def test_customer_without_preference_ranks_by_start() -> None:
    """No preferred windows: customer_preference is 0 everywhere and 10:00 ranks first."""
    result = run(
        {"commander": ["alice"]},
        ["alice"],
        window=("10:00", "11:00"),
        customer=customer(),
        suggestions=2,
    )
    assert starts(result) == ["10:00", "10:30"]
    assert [s.score.customer_preference for s in result.slots] == [0, 0]


# --------------------------------------------------------------------------- #
# Working hours
# --------------------------------------------------------------------------- #
def test_working_hours_inside_needs_no_approval() -> None:
    """15:00-15:30 UTC is inside 09:00-17:00: scheduled, in working hours."""
    result = run({"commander": ["alice"]}, ["alice"], window=("15:00", "17:00"))
    assert result.status.value == "scheduled"
    slot = result.slots[0]
    assert hhmm(slot) == "15:00"
    assert slot.assignments[0].in_working_hours is True
    assert slot.approvals == ()


def test_working_hours_outside_needs_approval_by_default() -> None:
    """17:00 EDT (21:00 UTC) is after hours but not overnight: OUT_OF_HOURS approval."""
    result = run(
        {"commander": ["alice"]},
        [person("alice", NEW_YORK)],
        window=("21:00", "23:00"),
    )
    assert result.status.value == "needs_approval"
    slot = result.slots[0]
    assert hhmm(slot) == "21:00"
    assert slot.assignments[0].in_working_hours is False
    assert codes(slot) == [("OUT_OF_HOURS", "commander", "alice")]
    assert "17:00-17:30 EDT" in slot.approvals[0].detail
    assert slot.score.approvals == 1


def test_working_hours_in_hours_start_preferred_over_earlier_out_of_hours() -> None:
    """Window 08:00-10:00: 09:00 (in hours) ranks above 08:00 (needs approval)."""
    result = run({"commander": ["alice"]}, ["alice"], window=("08:00", "10:00"))
    assert result.status.value == "scheduled"
    assert hhmm(result.slots[0]) == "09:00"


def test_working_hours_outside_excluded_under_forbid() -> None:
    """out_of_hours='forbid': only starts whose bridge ends by 17:00 are offered."""
    result = run(
        {"commander": ["alice"]},
        ["alice"],
        window=("16:00", "19:00"),
        out_of_hours="forbid",
        **ALL,
    )
    assert starts(result) == ["16:00", "16:15", "16:30"]
    assert all(s.assignments[0].in_working_hours for s in result.slots)


def test_working_hours_outside_allowed_under_allow() -> None:
    """out_of_hours='allow': 17:00 is offered without approval (but flagged not in hours)."""
    result = run(
        {"commander": ["alice"]},
        ["alice"],
        window=("17:00", "19:00"),
        out_of_hours="allow",
    )
    assert result.status.value == "scheduled"
    slot = result.slots[0]
    assert hhmm(slot) == "17:00"
    assert slot.approvals == ()
    assert slot.score.approvals == 0
    assert slot.assignments[0].in_working_hours is False


# --------------------------------------------------------------------------- #
# Protected overnight hours
# --------------------------------------------------------------------------- #
def test_overnight_hours_are_never_offered() -> None:
    """Window 20:00-23:30: the last start is 21:30 (ends at 22:00); none cross 22:00."""
    result = run({"commander": ["alice"]}, ["alice"], window=("20:00", "23:30"), **ALL)
    assert starts(result) == ["20:00", "20:15", "20:30", "20:45", "21:00", "21:15", "21:30"]
    assert all(s.end <= at("22:00") for s in result.slots)
    assert all(codes(s) == [("OUT_OF_HOURS", "commander", "alice")] for s in result.slots)


def test_overnight_only_window_escalates() -> None:
    """Window 22:00-23:30 lies inside alice's protected night: escalate."""
    result = run({"commander": ["alice"]}, ["alice"], window=("22:00", "23:30"))
    assert result.status.value == "escalate"


NIGHT_SHIFT = {
    "mon": [],
    "tue": [{"start": "22:00", "end": "06:00"}],
    "wed": [],
    "thu": [],
    "fri": [],
}


def test_night_shift_worker_is_not_protected_during_shift() -> None:
    """Tuesday 22:00-06:00 shift: a 22:00 bridge is inside working hours, no approval."""
    result = run(
        {"commander": ["nora"]},
        [person("nora", hours=NIGHT_SHIFT)],
        window=("22:00", "23:30"),
    )
    assert result.status.value == "scheduled"
    slot = result.slots[0]
    assert hhmm(slot) == "22:00"
    assert slot.assignments[0].in_working_hours is True
    assert slot.approvals == ()


def test_night_shift_worker_is_protected_after_shift_ends() -> None:
    """Shift ends 06:00 Wed: 06:00-07:00 is protected, 07:00 is out of hours (approval)."""
    result = run(
        {"commander": ["nora"]},
        [person("nora", hours=NIGHT_SHIFT)],
        window=(at("05:00", day=17), at("07:30", day=17)),
        **ALL,
    )
    assert starts(result) == ["05:00", "05:15", "05:30", "07:00"]
    assert [s.approvals == () for s in result.slots] == [True, True, True, False]
    assert codes(result.slots[3]) == [("OUT_OF_HOURS", "commander", "nora")]


# --------------------------------------------------------------------------- #
# Substitution
# --------------------------------------------------------------------------- #
def test_primary_preferred_over_earlier_substitute() -> None:
    """Primary busy until 11:00: alice at 11:00 ranks above bob (substitute) at 10:00."""
    result = run(
        {"commander": ["alice", "bob"]},
        [person("alice", busy=[("10:00", "11:00", "busy")]), "bob"],
        suggestions=2,
    )
    assert ranked(result) == [("11:00", "alice"), ("11:30", "alice")]
    assert result.slots[0].assignments[0].primary is True


def test_substitute_fills_role_when_primary_busy() -> None:
    """Primary busy all window: bob fills it at 10:00, no approval under substitution='allow'."""
    result = run(
        {"commander": ["alice", "bob"]},
        [person("alice", busy=[("09:00", "13:00", "busy")]), "bob"],
    )
    assert result.status.value == "scheduled"
    slot = result.slots[0]
    assert (hhmm(slot), who(slot)) == ("10:00", {"commander": "bob"})
    assert (slot.assignments[0].pool_position, slot.assignments[0].primary) == (1, False)
    assert (slot.score.substitutes, slot.score.substitute_depth) == (1, 1)
    assert slot.approvals == ()


def test_substitute_needs_approval_under_policy() -> None:
    """substitution='needs_approval': bob's slot carries SUBSTITUTE_NEEDS_APPROVAL."""
    result = run(
        {"commander": ["alice", "bob"]},
        [person("alice", busy=[("09:00", "13:00", "busy")]), "bob"],
        substitution="needs_approval",
    )
    assert result.status.value == "needs_approval"
    slot = result.slots[0]
    assert hhmm(slot) == "10:00"
    assert codes(slot) == [("SUBSTITUTE_NEEDS_APPROVAL", "commander", "bob")]
    assert slot.approvals[0].detail == "bob substitutes for primary alice as commander"


def test_primary_needs_no_substitution_approval() -> None:
    """substitution='needs_approval' with the primary free: scheduled, no approval."""
    result = run({"commander": ["alice", "bob"]}, ["alice", "bob"], substitution="needs_approval")
    assert result.status.value == "scheduled"
    assert who(result.slots[0]) == {"commander": "alice"}
    assert result.slots[0].approvals == ()


# --------------------------------------------------------------------------- #
# Severity roles
# --------------------------------------------------------------------------- #
SEV_ROLES = {"commander": ["alice"], "exec_delegate": ["erin"]}
SEV_REQUIRED = {"exec_delegate": ["sev1", "sev2"]}


def test_severity_role_included_for_sev1() -> None:
    """A role required_for sev1/sev2 is required and filled for a sev1 incident."""
    result = run(SEV_ROLES, ["alice", "erin"], severity="sev1", required_for=SEV_REQUIRED)
    assert result.roles_required == ("commander", "exec_delegate")
    assert who(result.slots[0]) == {"commander": "alice", "exec_delegate": "erin"}


def test_severity_role_excluded_for_sev3() -> None:
    """For sev3 the role is not required even when its only candidate is busy all window."""
    people = ["alice", person("erin", busy=[("09:00", "13:00", "busy")])]
    result = run(SEV_ROLES, people, severity="sev3", required_for=SEV_REQUIRED)
    assert result.roles_required == ("commander",)
    assert result.status.value == "scheduled"
    assert who(result.slots[0]) == {"commander": "alice"}
    sev1 = run(SEV_ROLES, people, severity="sev1", required_for=SEV_REQUIRED)
    assert sev1.status.value == "escalate"


# --------------------------------------------------------------------------- #
# Ranking order
# --------------------------------------------------------------------------- #
def test_rank_approvals_before_substitutes() -> None:
    """alice (primary) only at 08:00 out of hours vs bob (substitute) at 09:00 in hours: bob wins."""
    result = run(
        {"commander": ["alice", "bob"]},
        [
            person("alice", busy=[("09:00", "10:00", "busy")]),
            person("bob", busy=[("08:00", "09:00", "busy")]),
        ],
        window=("08:00", "10:00"),
        **ALL,
    )
    assert ranked(result) == [
        ("09:00", "bob"),
        ("09:15", "bob"),
        ("09:30", "bob"),
        ("08:00", "alice"),
        ("08:15", "alice"),
        ("08:30", "alice"),
    ]
    first, fourth = result.slots[0].score, result.slots[3].score
    assert (first.approvals, first.substitutes) == (0, 1)
    assert (fourth.approvals, fourth.substitutes) == (1, 0)


def test_rank_substitutes_before_tentative() -> None:
    """alice (primary, tentative) at 11:00 ranks above bob (substitute, clean) at 10:00."""
    result = run(
        {"commander": ["alice", "bob"]},
        [
            person("alice", busy=[("10:00", "11:00", "busy"), ("11:00", "11:30", "tentative")]),
            "bob",
        ],
        window=("10:00", "11:30"),
        **ALL,
    )
    assert ranked(result) == [
        ("11:00", "alice"),
        ("10:00", "bob"),
        ("10:15", "bob"),
        ("10:30", "bob"),
        ("10:45", "bob"),
    ]
    assert result.slots[0].score.tentative == 1
    assert result.slots[1].score.substitutes == 1


def test_rank_substitute_depth_before_tentative() -> None:
    """bob (depth 1, tentative) at 10:30 ranks above carol (depth 2, clean) at 10:00."""
    result = run(
        {"commander": ["alice", "bob", "carol"]},
        [
            person("alice", busy=[("09:00", "13:00", "busy")]),
            person("bob", busy=[("10:00", "10:30", "busy"), ("10:30", "11:00", "tentative")]),
            "carol",
        ],
        window=("10:00", "11:00"),
        **ALL,
    )
    assert ranked(result) == [("10:30", "bob"), ("10:00", "carol"), ("10:15", "carol")]
    assert result.slots[0].score.substitute_depth == 1
    assert result.slots[1].score.substitute_depth == 2


def test_rank_tentative_before_customer_preference() -> None:
    """Preferred but tentative 10:00 ranks below non-preferred clean 10:30."""
    result = run(
        {"commander": ["alice"]},
        [person("alice", busy=[("10:00", "10:30", "tentative")])],
        window=("10:00", "11:00"),
        customer=customer(preferred=[local_window("10:00", "10:30")]),
        **ALL,
    )
    assert starts(result) == ["10:30", "10:00", "10:15"]
    assert [(s.score.tentative, s.score.customer_preference) for s in result.slots] == [
        (0, 1),
        (1, 0),
        (1, 1),
    ]


def test_rank_customer_preference_before_start() -> None:
    """Preferred 10:30 ranks above the earlier non-preferred 10:00 and 10:15."""
    result = run(
        {"commander": ["alice"]},
        ["alice"],
        window=("10:00", "11:00"),
        customer=customer(preferred=[local_window("10:30", "11:00")]),
        **ALL,
    )
    assert starts(result) == ["10:30", "10:00", "10:15"]


def test_rank_ties_broken_by_start() -> None:
    """Equal keys apart from the start come out in increasing start order."""
    result = run({"commander": ["alice"]}, ["alice"], **ALL)
    assert starts(result) == ["10:00", "10:15", "10:30", "10:45", "11:00", "11:15", "11:30"]
    assert [s.rank for s in result.slots] == list(range(1, 8))


# --------------------------------------------------------------------------- #
# Separation
# --------------------------------------------------------------------------- #
def test_default_separation_is_duration() -> None:
    """suggestions=3, default separation 30: 10:00, 10:30, 11:00."""
    result = run({"commander": ["alice"]}, ["alice"], suggestions=3)
    assert starts(result) == ["10:00", "10:30", "11:00"]
    pairs = itertools.combinations(result.slots, 2)
    assert all(abs(a.start - b.start) >= dt.timedelta(minutes=30) for a, b in pairs)


def test_zero_separation_allows_adjacent_grid_starts() -> None:
    """min_separation_minutes=0: 10:00, 10:15, 10:30."""
    result = run({"commander": ["alice"]}, ["alice"], suggestions=3, separation=0)
    assert starts(result) == ["10:00", "10:15", "10:30"]


def test_custom_separation_rounds_up_to_grid() -> None:
    """min_separation_minutes=45: 10:00, 10:45, 11:30."""
    result = run({"commander": ["alice"]}, ["alice"], suggestions=3, separation=45)
    assert starts(result) == ["10:00", "10:45", "11:30"]


# --------------------------------------------------------------------------- #
# Date overrides
# --------------------------------------------------------------------------- #
def test_day_off_override_removes_working_hours() -> None:
    """An empty override for 2027-03-16 makes 10:00 out of hours (approval needed)."""
    plain = run({"commander": ["alice"]}, ["alice"])
    assert plain.status.value == "scheduled"
    result = run(
        {"commander": ["alice"]},
        [person("alice", overrides=[{"date": "2027-03-16", "hours": []}])],
    )
    assert result.status.value == "needs_approval"
    slot = result.slots[0]
    assert hhmm(slot) == "10:00"
    assert slot.assignments[0].in_working_hours is False
    assert codes(slot) == [("OUT_OF_HOURS", "commander", "alice")]


def test_day_off_override_under_forbid_escalates() -> None:
    """Day off and out_of_hours='forbid': nobody can fill the role."""
    result = run(
        {"commander": ["alice"]},
        [person("alice", overrides=[{"date": "2027-03-16", "hours": []}])],
        out_of_hours="forbid",
    )
    assert result.status.value == "escalate"


def test_extended_hours_override_adds_working_hours() -> None:
    """Override 09:00-20:00: 18:00 is in hours (without it, it needs approval)."""
    plain = run({"commander": ["alice"]}, ["alice"], window=("18:00", "19:00"))
    assert plain.status.value == "needs_approval"
    extended = [{"date": "2027-03-16", "hours": [{"start": "09:00", "end": "20:00"}]}]
    result = run(
        {"commander": ["alice"]},
        [person("alice", overrides=extended)],
        window=("18:00", "19:00"),
    )
    assert result.status.value == "scheduled"
    slot = result.slots[0]
    assert hhmm(slot) == "18:00"
    assert slot.assignments[0].in_working_hours is True


def test_weekend_override_adds_hours_on_a_day_off() -> None:
    """An override for Saturday 2027-03-20 (10:00-14:00) makes 10:00 Saturday in hours."""
    saturday = [{"date": "2027-03-20", "hours": [{"start": "10:00", "end": "14:00"}]}]
    window = (at("10:00", day=20), at("12:00", day=20))
    plain = run({"commander": ["alice"]}, ["alice"], window=window)
    assert plain.status.value == "needs_approval"
    result = run({"commander": ["alice"]}, [person("alice", overrides=saturday)], window=window)
    assert result.status.value == "scheduled"
    assert result.slots[0].start == at("10:00", day=20)
