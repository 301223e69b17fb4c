"""Cases a review found in the explanations: earliest slots, exact cheapest sets, bounded work."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bridge_sched import BridgeRequest, Status, solve
from bridge_sched._cpsat.assign import AssignmentProblem, solve_assignment

UTC = dt.timezone.utc


def _request(**extra: Any) -> BridgeRequest:
    data: dict[str, Any] = {
        "incident": {"id": "INC-1", "severity": "sev2", "component": "api"},
        "now": "2027-03-16T08:00:00Z",
        "window": {"start": "2027-03-16T09:00:00Z", "end": "2027-03-16T10:00:00Z"},
        "meeting": {"duration_minutes": 30, "step_minutes": 15},
    }
    data.update(extra)
    return BridgeRequest.model_validate(data)


def test_earliest_slot_over_all_candidates_and_extension_rounded_up() -> None:
    req = _request(
        window={"start": "2027-03-16T09:00:00Z", "end": "2027-03-16T10:00:30Z"},
        roles=[
            {
                "name": "incident_commander",
                "candidates": [
                    {
                        "person": "ic-a",
                        "on_call": [
                            {"start": "2027-03-16T11:00:00Z", "end": "2027-03-16T13:00:00Z"}
                        ],
                    },
                    "ic-b",
                ],
            }
        ],
        people=[
            {"id": "ic-a", "timezone": "Europe/London"},
            {
                "id": "ic-b",
                "timezone": "Europe/London",
                "busy": [{"start": "2027-03-16T09:00:00Z", "end": "2027-03-16T10:30:00Z"}],
            },
        ],
    )
    esc = solve(req).escalation
    assert esc is not None
    first = esc.relaxations[0]
    assert first.groups == ("deadline",)
    assert first.start == dt.datetime(2027, 3, 16, 10, 30, tzinfo=UTC)
    assert dict(first.assignments) == {"incident_commander": "ic-b"}
    # 11:00 - 10:00:30 is 59.5 minutes: rounded up, never short of the slot
    assert first.message.startswith("extend the window by 60 minutes")


def test_relaxation_across_two_roles_is_found() -> None:
    req = _request(
        roles=[
            {"name": "incident_commander", "candidates": ["ic-a"]},
            {"name": "support_lead", "candidates": ["sup-b"]},
        ],
        people=[
            {"id": "ic-a", "timezone": "Asia/Tokyo"},
            {"id": "sup-b", "timezone": "Asia/Tokyo"},
        ],
        policy={"out_of_hours": "forbid"},
    )
    esc = solve(req).escalation
    assert esc is not None
    first = esc.relaxations[0]
    assert first.groups == ("working_hours:ic-a", "working_hours:sup-b")
    assert first.cost == 20
    assert first.start == dt.datetime(2027, 3, 16, 9, 0, tzinfo=UTC)


def test_cheapest_mixed_set_is_listed_first() -> None:
    req = _request(
        window={"start": "2027-03-16T09:00:00Z", "end": "2027-03-16T17:00:00Z"},
        roles=[{"name": "incident_commander", "candidates": ["ic-a"]}],
        people=[
            {
                "id": "ic-a",
                "timezone": "Europe/London",
                "busy": [
                    {
                        "start": "2027-03-16T09:00:00Z",
                        "end": "2027-03-16T12:00:00Z",
                        "kind": "tentative",
                    }
                ],
            }
        ],
        customer={
            "account": "Acme",
            "timezone": "America/New_York",
            "availability": [{"date": "2027-03-16", "start": "05:00", "end": "08:00"}],
        },
        policy={"tentative": "forbid", "customer_outside_policy": "forbid"},
    )
    esc = solve(req).escalation
    assert esc is not None
    assert [(r.groups, r.cost) for r in esc.relaxations] == [
        (("customer_hours", "tentative:ic-a"), 40),
        (("customer_window",), 50),
    ]


def test_shared_pool_explanation_is_bounded_and_says_so() -> None:
    """Eleven roles on one pool of ten: CP-SAT stops at its deterministic budget."""
    people = [{"id": f"p{i}", "timezone": "Europe/London"} for i in range(10)]
    roles = [{"name": f"role_{r}", "candidates": [p["id"] for p in people]} for r in range(11)]
    req = _request(roles=roles, people=people)
    result = solve(req)
    assert result.status == Status.escalate
    esc = result.escalation
    assert esc is not None
    assert [r.code.value for r in esc.reasons] == ["INSUFFICIENT_COVERAGE"]
    assert esc.explanation_note is not None and "budget" in esc.explanation_note
    assert solve(req).model_dump_json() == result.model_dump_json()  # stops at the same point


def test_assignment_objective_never_overflows() -> None:
    """Sixteen roles over fifteen people: coefficients that would sum past 2^63 use two stages."""
    wide = tuple(tuple((p, 0, p) for p in range(15)) for _r in range(15))
    options = (*wide, ((15, 0, 0), (0, 0, 1)))  # 15^15 * 2 < 2^62, but the rank terms sum past it
    sol = solve_assignment(AssignmentProblem(options, distinct=True))
    assert sol.choice is not None
    people = [options[r][c][0] for r, c in enumerate(sol.choice)]
    assert len(set(people)) == 16
    assert sol.choice[:3] == (0, 1, 2)  # smallest ids first, role by role
