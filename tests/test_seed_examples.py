"""The seed situations of the scenario explain themselves: exact conflict and first relaxation.

Each file in ``examples/seed-*.json`` is one situation from the scenario
document; ``bridge-sched solve`` prints the reason, the minimal conflict and
the relaxations for it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bridge_sched import BridgeRequest, Status, solve
from bridge_sched.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
UTC = dt.timezone.utc

CASES = {
    # 1. no in-policy overlap inside the promised customer-update window
    "seed-1-no-overlap-in-window": (
        ["NO_OVERLAP_IN_WINDOW"],
        [
            "deadline",
            "customer_window",
            "busy:ic-chen",
            "focus:eng-dara",
            "role:engineering_owner",
            "role:incident_commander",
        ],
        ("deadline",),
        "2027-03-16T17:00",
    ),
    # 2. the only slot crosses someone's protected overnight hours
    "seed-2-only-overnight": (
        ["NO_OVERLAP_WITH_CUSTOMER_WINDOW", "ONLY_OVERNIGHT"],
        ["customer_window", "overnight:eng-hiro", "role:engineering_owner"],
        ("overnight:eng-hiro",),
        "2027-03-16T13:00",
    ),
    # 3. a customer-facing invite would go out without minimum internal coverage
    "seed-3-insufficient-coverage": (
        ["INSUFFICIENT_COVERAGE"],
        [
            "out_of_office:sup-amara",
            "distinct_people",
            "role:incident_commander",
            "role:support_lead",
        ],
        ("distinct_people",),
        "2027-03-16T13:00",
    ),
    # 4. the customer asks for a time outside internal policy
    "seed-4-customer-outside-policy": (
        ["CUSTOMER_WINDOW_OUTSIDE_POLICY"],
        ["customer_window", "customer_hours"],
        ("customer_hours",),
        "2027-03-16T11:00",
    ),
    # 5. a required internal responder has no overlap at all with the customer window
    "seed-5-responder-outside-customer-window": (
        ["NO_OVERLAP_WITH_CUSTOMER_WINDOW", "OUT_OF_HOURS"],
        ["customer_window", "working_hours:eng-sam", "role:engineering_owner"],
        ("working_hours:eng-sam",),
        "2027-03-16T14:00",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_seed_situation(name: str) -> None:
    codes, conflict, first_groups, first_start = CASES[name]
    request = BridgeRequest.model_validate(json.loads((EXAMPLES / f"{name}.json").read_text()))
    result = solve(request)
    assert result.status == Status.escalate
    esc = result.escalation
    assert esc is not None
    assert [r.code.value for r in esc.reasons] == codes
    assert [g.id for g in esc.conflict] == conflict
    first = esc.relaxations[0]
    assert first.groups == first_groups
    assert first.start == dt.datetime.fromisoformat(first_start).replace(tzinfo=UTC)


def test_cli_prints_conflict_and_relaxations(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", str(EXAMPLES / "seed-3-insufficient-coverage.json")]) == 4
    out = capsys.readouterr().out
    assert "[INSUFFICIENT_COVERAGE]" in out
    assert "    distinct_people " in out
    assert "relaxation 1 (cost 60): let one person fill two roles" in out
