"""The request files in ``examples/`` solve, with the values docs/semantics.md implies.

Hand derivation for northwind-sev1 (2027-03-16: New York on EDT, UTC-4; Berlin on
CET, UTC+1; London on GMT; customer availability 09:00-13:30 EDT = 13:00-17:30 UTC,
preferred 10:00-12:00 EDT = 14:00-16:00 UTC):

* all primaries in hours, no conflict, preferred: amara free from 13:30, chen
  before 13:30 or 15:00-16:00, dara 13:00-14:30 or 15:30 (busy 15:00-15:30, day
  ends 16:00 UTC), priya tentative 13:30-14:00 -> only 15:30 (rank 1);
* then no substitutes with one tentative conflict: 13:30 (priya), outside the
  preferred window (rank 2);
* then one substitute at depth 1: ic-jonas (Chicago, from 14:00 UTC) for ic-chen
  (executive review 14:00-15:00) at 14:00 (rank 3).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bridge_sched import BridgeResult, ReasonCode, Status, load_example, solve
from bridge_sched.examples import example_json, example_names

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FILES = sorted(p for p in EXAMPLES.glob("*.json") if "bridge_sched.replan/1" not in p.read_text())
"""Request files (the re-plan document is tested in tests/test_replan.py)."""
UTC = dt.timezone.utc


def _solve_file(name: str) -> BridgeResult:
    return solve((EXAMPLES / f"{name}.json").read_text("utf-8"))


def _people(slot_index: int, result: BridgeResult) -> dict[str, str]:
    return {a.role: a.person for a in result.slots[slot_index].assignments}


def test_examples_directory_is_not_empty() -> None:
    """examples/ holds both northwind request files."""
    assert {p.stem for p in FILES} >= {"northwind-sev1", "northwind-escalate"}


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_example_file_solves(path: Path) -> None:
    """Each JSON file in examples/ solves to a status with consistent slots/escalation."""
    result = solve(path.read_text("utf-8"))
    if result.status is Status.escalate:
        assert result.slots == ()
        assert result.escalation is not None
        assert result.escalation.reasons
    else:
        assert result.slots
        assert result.escalation is None
        assert [s.rank for s in result.slots] == list(range(1, len(result.slots) + 1))


@pytest.mark.parametrize("name", example_names())
def test_example_files_match_embedded(name: str) -> None:
    """examples/NAME.json is the same request as the embedded example NAME."""
    on_disk = json.loads((EXAMPLES / f"{name}.json").read_text("utf-8"))
    assert on_disk == json.loads(example_json(name))


def test_sev1_status_and_roles() -> None:
    """northwind-sev1 is scheduled with five required roles, three slots, no approvals."""
    result = _solve_file("northwind-sev1")
    assert result.status is Status.scheduled
    assert result.incident == "INC-4711"
    assert result.roles_required == (
        "customer_success",
        "engineering_owner",
        "incident_commander",
        "leadership_delegate",
        "support_lead",
    )
    assert len(result.slots) == 3
    assert all(s.approvals == () for s in result.slots)
    assert result.warnings == ()


def test_sev1_slot1() -> None:
    """Rank 1 starts 15:30 UTC with every primary (eng-dara, ic-chen) and a perfect score."""
    slot = _solve_file("northwind-sev1").slots[0]
    assert slot.rank == 1
    assert slot.start == dt.datetime(2027, 3, 16, 15, 30, tzinfo=UTC)
    assert slot.end == dt.datetime(2027, 3, 16, 16, 0, tzinfo=UTC)
    assert {a.role: a.person for a in slot.assignments} == {
        "customer_success": "csm-priya",
        "engineering_owner": "eng-dara",
        "incident_commander": "ic-chen",
        "leadership_delegate": "lead-kofi",
        "support_lead": "sup-amara",
    }
    assert all(a.primary and a.in_working_hours for a in slot.assignments)
    score = slot.score
    assert (
        score.approvals,
        score.substitutes,
        score.substitute_depth,
        score.tentative,
        score.customer_preference,
    ) == (0, 0, 0, 0, 0)


def test_sev1_slot2_tentative() -> None:
    """Rank 2 starts 13:30 UTC with one tentative conflict (csm-priya), outside preference."""
    result = _solve_file("northwind-sev1")
    slot = result.slots[1]
    assert slot.start == dt.datetime(2027, 3, 16, 13, 30, tzinfo=UTC)
    assert slot.score.tentative == 1
    assert slot.score.substitutes == 0
    assert slot.score.customer_preference == 1
    conflicts = [a.person for a in slot.assignments if a.tentative_conflict]
    assert conflicts == ["csm-priya"]


def test_sev1_slot3_substitute() -> None:
    """Rank 3 starts 14:00 UTC with ic-jonas substituting for ic-chen."""
    result = _solve_file("northwind-sev1")
    slot = result.slots[2]
    assert slot.start == dt.datetime(2027, 3, 16, 14, 0, tzinfo=UTC)
    assert _people(2, result)["incident_commander"] == "ic-jonas"
    ic = next(a for a in slot.assignments if a.role == "incident_commander")
    assert ic.pool_position == 1
    assert not ic.primary
    assert (slot.score.substitutes, slot.score.substitute_depth) == (1, 1)
    assert ic.local.start == "2027-03-16T09:00:00-05:00"
    assert ic.local.abbreviation == "CDT"


def test_sev1_slots_respect_separation() -> None:
    """Suggested starts are at least one duration (30 min) apart."""
    starts = [s.start for s in _solve_file("northwind-sev1").slots]
    for i, a in enumerate(starts):
        for b in starts[i + 1 :]:
            assert abs(a - b) >= dt.timedelta(minutes=30)


def test_sev1_customer_local_span() -> None:
    """The customer sees rank 1 at 11:30 EDT (UTC-4, after the US spring-forward)."""
    customer = _solve_file("northwind-sev1").slots[0].customer
    assert customer is not None
    assert customer.party == "Halvorsen Freight"
    assert customer.timezone == "America/New_York"
    assert customer.start == "2027-03-16T11:30:00-04:00"
    assert customer.end == "2027-03-16T12:00:00-04:00"
    assert customer.abbreviation == "EDT"
    assert customer.utc_offset == "-04:00"


def test_sev1_berlin_local_span_five_hour_offset() -> None:
    """eng-dara sees rank 1 at 16:30 CET: Berlin is 5 hours ahead of New York that week."""
    slot = _solve_file("northwind-sev1").slots[0]
    dara = next(a for a in slot.assignments if a.person == "eng-dara")
    assert dara.local.timezone == "Europe/Berlin"
    assert dara.local.start == "2027-03-16T16:30:00+01:00"
    assert dara.local.end == "2027-03-16T17:00:00+01:00"
    assert dara.local.abbreviation == "CET"
    assert dara.local.utc_offset == "+01:00"
    assert slot.customer is not None
    ny = dt.datetime.fromisoformat(slot.customer.start)
    berlin = dt.datetime.fromisoformat(dara.local.start)
    assert ny == berlin
    assert berlin.replace(tzinfo=None) - ny.replace(tzinfo=None) == dt.timedelta(hours=5)


def test_escalate_status_and_reasons() -> None:
    """northwind-escalate escalates with ONLY_OVERNIGHT (eng-hiro) and a customer-window gap."""
    result = _solve_file("northwind-escalate")
    assert result.status is Status.escalate
    assert result.slots == ()
    assert result.escalation is not None
    assert result.escalation.approver == "incident_leadership"
    reasons = {r.code: r for r in result.escalation.reasons}
    assert ReasonCode.ONLY_OVERNIGHT in reasons
    assert reasons[ReasonCode.ONLY_OVERNIGHT].people == ("eng-hiro",)
    no_overlap = reasons[ReasonCode.NO_OVERLAP_WITH_CUSTOMER_WINDOW]
    assert no_overlap.role == "engineering_owner"
    assert set(no_overlap.people) == {"eng-hiro", "eng-eli"}


def test_escalate_relaxed_slot_crosses_tokyo_night() -> None:
    """The ONLY_OVERNIGHT window is a 30-min slot in the customer window, in Tokyo's night."""
    result = _solve_file("northwind-escalate")
    assert result.escalation is not None
    overnight = next(r for r in result.escalation.reasons if r.code is ReasonCode.ONLY_OVERNIGHT)
    ((start, end),) = overnight.windows
    assert end - start == dt.timedelta(minutes=30)
    # customer availability 09:00-13:30 EDT = 13:00-17:30 UTC;
    # eng-hiro's overnight 22:00-07:00 JST = 13:00-22:00 UTC
    assert dt.datetime(2027, 3, 16, 13, 0, tzinfo=UTC) <= start
    assert end <= dt.datetime(2027, 3, 16, 17, 30, tzinfo=UTC)
    assert start.minute % 5 == 0


def test_file_and_embedded_results_agree() -> None:
    """Solving the file and the embedded model give the same bytes."""
    for name in example_names():
        assert _solve_file(name).model_dump_json() == solve(load_example(name)).model_dump_json()


def test_holds_walkthrough_runs() -> None:
    """examples/holds_walkthrough.py: the whole flow with in-memory calendars."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "examples" / "holds_walkthrough.py"
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert "INC-4711: bridge confirmed 2027-03-16 15:30 UTC-16:00 UTC" in out
    assert "invite .ics: METHOD:REQUEST" in out
    assert "INC-4711-B: tentative holds expired and were released" in out
    assert "holds released 2027-03-16T13:30:00Z" in out  # slot #2 released on confirming #1
    assert "confirm refused: slot #3 (2027-03-16T16:00:00Z) lacks approval: OUT_OF_HOURS" in out
    assert "INC-4711-C: bridge confirmed 2027-03-16 16:00 UTC-16:30 UTC" in out
    assert "INC-4711-D: holds NOT placed for 2027-03-16 15:30 UTC\nCalendar refused: ic-chen" in out
    assert "INC-4711-E after the crash: placed, placing" in out
    assert "lead-kofi=failed (not_found)" in out
