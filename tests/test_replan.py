"""Seed situation 6: leadership substitutes an attendee before confirming; re-plan and diff."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bridge_sched import InputError, Status, load_example
from bridge_sched.cli import main
from bridge_sched.replan import ReplanDocument, Substitution, replan

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "seed-6-substitute-replan.json"
UTC = dt.timezone.utc


def test_seed_6_substitution_changes_start_and_commander() -> None:
    doc = ReplanDocument.model_validate_json(EXAMPLE.read_text("utf-8"))
    outcome = replan(doc)
    assert outcome.before.slots[0].start == dt.datetime(2027, 3, 16, 15, 30, tzinfo=UTC)
    assert outcome.after.slots[0].start == dt.datetime(2027, 3, 16, 14, 0, tzinfo=UTC)
    assert [c.message for c in outcome.changes] == [
        "start 2027-03-16 15:30 UTC -> 2027-03-16 14:00 UTC",
        "incident_commander: ic-chen -> ic-jonas",
    ]
    assigned = {a.role: a.person for a in outcome.after.slots[0].assignments}
    assert assigned["incident_commander"] == "ic-jonas"


def test_substitute_who_cannot_attend_escalates_with_an_explanation() -> None:
    outcome = replan(load_example(), (Substitution(role="engineering_owner", person="eng-eli"),))
    assert outcome.after.status == Status.escalate
    assert outcome.changes[0].message == "status scheduled -> escalate"
    assert outcome.changes[1].message.startswith("the re-plan escalates: ROLE_UNCOVERED")
    esc = outcome.after.escalation
    assert esc is not None
    assert [g.id for g in esc.conflict] == ["out_of_office:eng-eli", "role:engineering_owner"]


@pytest.mark.parametrize(
    ("sub", "field"),
    [
        (Substitution(role="engineering_owner", person="nobody"), "substitutions[0].person"),
        (Substitution(role="janitor", person="eng-eli"), "substitutions[0].role"),
    ],
)
def test_bad_substitutions_are_input_errors(sub: Substitution, field: str) -> None:
    with pytest.raises(InputError) as info:
        replan(load_example(), (sub,))
    assert info.value.field == field


def test_cli_prints_the_changes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "changed: incident_commander: ic-chen -> ic-jonas" in out
    assert main(["solve", str(EXAMPLE), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["changes"][1]["kind"] == "person"
