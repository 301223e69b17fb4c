"""The audit log: append-only JSON Lines, a readable replay, byte-for-byte reproduction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bridge_sched import SolveParams, load_example, solve
from bridge_sched.adapters.manifest import assemble
from bridge_sched.audit import SCHEMA, AuditLog, read_log, replay, verify
from bridge_sched.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _log_two(path: Path) -> None:
    log = AuditLog(path)
    params = SolveParams(rejections=True)
    for name in ("northwind-sev1", "northwind-escalate"):
        request = load_example(name)
        log.record_solve(request, solve(request, params), params)


def test_events_in_order_and_envelope(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _log_two(path)
    records = list(read_log(path))
    assert [r["seq"] for r in records] == list(range(1, len(records) + 1))
    assert all(r["schema"] == SCHEMA for r in records)
    first = [r["event"] for r in records if r["incident"] == "INC-4711"]
    assert first == [
        "request",
        "considered",
        "rejected",
        "rejected",
        "slot_offered",
        "slot_offered",
        "slot_offered",
        "result",
    ]
    escalation = next(r for r in records if r["event"] == "escalation")
    assert [g["id"] for g in escalation["conflict"]] == [
        "customer_window",
        "overnight:eng-hiro",
        "out_of_office:eng-eli",
        "role:engineering_owner",
    ]
    assert records[0]["at"] == "2027-03-16T11:40:00Z"  # the request's now, never the clock


def test_verify_reproduces_and_detects_tampering(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _log_two(path)
    assert verify(path) == []
    lines = path.read_text("utf-8").splitlines()
    record = json.loads(lines[0])
    record["request"]["people"][0]["busy"] = []  # someone edits the logged request
    lines[0] = json.dumps(record)
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text("\n".join(lines) + "\n", "utf-8")
    problems = verify(tampered)
    assert problems and problems[0].startswith("#1: request digest differs")


def test_appending_continues_the_sequence(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _log_two(path)
    n = len(list(read_log(path)))
    request = load_example()
    AuditLog(path).record_solve(request, solve(request))
    assert [r["seq"] for r in read_log(path)][n] == n + 1


def test_replay_timeline(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _log_two(path)
    text = replay(path)
    assert "offered #1 2027-03-16T15:30:00Z to 2027-03-16T16:00:00Z" in text
    assert (
        "ESCALATED to incident_leadership: NO_OVERLAP_WITH_CUSTOMER_WINDOW, ONLY_OVERNIGHT" in text
    )
    assert "rejected starts 2027-03-16 14:35-15:25 UTC: engineering_owner" in text


def test_cli_log_and_explain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "audit.jsonl"
    assert (
        main(["solve", str(EXAMPLES / "seed-3-insufficient-coverage.json"), "--log", str(log)]) == 4
    )
    capsys.readouterr()
    assert main(["explain", str(log), "--verify"]) == 0
    out = capsys.readouterr().out
    assert "verified: every logged result reproduces byte for byte" in out
    log.write_text(log.read_text("utf-8") + "not json\n", "utf-8")
    assert main(["explain", str(log)]) == 2
    assert "line" in capsys.readouterr().err


def test_log_of_real_calendar_manifest_keeps_calendar_text_out(tmp_path: Path) -> None:
    request = assemble(EXAMPLES / "real-calendars" / "manifest.yaml")
    path = tmp_path / "audit.jsonl"
    result = AuditLog(path).solve(request)
    assert result.rejections  # the trail is on when logging
    text = path.read_text("utf-8") + replay(path)
    for secret in ("Quarterly planning", "Dentist", "Nadia Rahman", "dana.whitfield", "555 0147"):
        assert secret not in text
    assert verify(path) == []


def test_two_writers_never_share_a_number(tmp_path: Path) -> None:
    import datetime as dt

    from bridge_sched.audit import AuditLog, read_log

    at = dt.datetime(2027, 3, 16, 12, 0, tzinfo=dt.timezone.utc)
    first, second = AuditLog(tmp_path / "a.jsonl"), AuditLog(tmp_path / "a.jsonl")
    first.record_event("note", "INC-1", at, {"n": 1})
    second.record_event("note", "INC-1", at, {"n": 2})
    first.record_event("note", "INC-1", at, {"n": 3})
    assert [(r["seq"], r["n"]) for r in read_log(tmp_path / "a.jsonl")] == [(1, 1), (2, 2), (3, 3)]
    with pytest.raises(ValueError, match=r"must not set envelope fields \['at'\]"):
        first.record_event("note", "INC-1", at, {"at": "later"})
