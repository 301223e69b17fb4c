"""The hold commands end to end on the embedded example, with an iCalendar folder and a log."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest

from bridge_sched.audit import read_log
from bridge_sched.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "northwind-sev1.json"
KEY = "INC-4711/20270316T1530Z"


def test_hold_status_sweep_and_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger, log = str(tmp_path / "h.db"), str(tmp_path / "a.jsonl")
    assert main(["hold", str(EXAMPLE), "--ledger", ledger, "--log", log]) == 0
    out = capsys.readouterr().out
    assert "Holds expire at 2027-03-16 17:30 UTC unless the bridge is confirmed." in out
    assert f"key: {KEY}" in out
    assert main(["status", "INC-4711", "--ledger", ledger]) == 0
    assert capsys.readouterr().out.count(" placed ") == 5
    # one second before the SLA nothing expires; at the SLA everything does
    assert main(["sweep", "--ledger", ledger, "--now", "2027-03-16T17:29:59Z"]) == 0
    assert capsys.readouterr().out == "nothing expired\n"
    assert main(["sweep", "--ledger", ledger, "--now", "2027-03-16T17:30:00Z", "--log", log]) == 0
    assert "tentative holds expired and were released" in capsys.readouterr().out
    files = sorted((tmp_path / "h.db.calendars").rglob("*.ics"))
    assert len(files) == 5
    cal = icalendar.Calendar.from_ical(files[0].read_bytes())
    assert str(cal["method"]) == "CANCEL"
    assert [r["event"] for r in read_log(log)] == ["holds_placed", "holds_expired"]


def test_confirm_then_release(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = str(tmp_path / "h.db")
    assert main(["hold", str(EXAMPLE), "--ledger", ledger]) == 0
    now = ["--now", "2027-03-16T12:10:00Z"]
    assert main(["confirm", KEY, "--ledger", ledger, *now]) == 0
    assert main(["sweep", "--ledger", ledger, "--now", "2027-03-16T18:00:00Z"]) == 0
    assert "nothing expired" in capsys.readouterr().out  # confirmed holds do not expire
    assert main(["release", KEY, "--ledger", ledger, *now]) == 0
    capsys.readouterr()
    assert main(["status", "INC-4711", "--ledger", ledger]) == 0
    assert capsys.readouterr().out.count(" released ") == 5


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sweep", "--now", "2027-03-16T18:00"], "needs a UTC offset"),
        (["confirm", "INC-1/nope", "--now", "2027-03-16T18:00:00Z"], "no placement with this key"),
    ],
)
def test_bad_input_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    from bridge_sched.holds import Ledger

    Ledger(tmp_path / "h.db").close()
    assert main([*argv, "--ledger", str(tmp_path / "h.db")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_unusable_ledger_and_request_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "no" / "such" / "dir" / "h.db")
    assert main(["status", "INC-4711", "--ledger", missing]) == 2
    assert "no ledger here (check the path)" in capsys.readouterr().err
    assert main(["hold", str(EXAMPLE), "--ledger", missing]) == 2
    assert "cannot open the ledger" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{}", "utf-8")
    assert main(["hold", str(bad), "--ledger", str(tmp_path / "h.db")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_confirm_needs_a_recorded_approval(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from bridge_sched import BridgeRequest, load_example, solve

    data = load_example().model_dump(mode="json")
    data["policy"]["substitution"] = "needs_approval"
    request = tmp_path / "r.json"
    request.write_text(json.dumps(data), "utf-8")
    slot = next(s for s in solve(BridgeRequest.model_validate(data)).slots if s.approvals)
    ledger, log = str(tmp_path / "h.db"), str(tmp_path / "a.jsonl")
    rank = ["--rank", str(slot.rank)]
    assert main(["hold", str(request), *rank, "--ledger", ledger, "--log", log]) == 0
    out = capsys.readouterr().out
    assert "approval needed from incident_leadership" in out
    key = out.strip().splitlines()[-1].removeprefix("key: ")
    now = ["--now", "2027-03-16T12:10:00Z"]
    # without an approval neither confirm path goes through (exit 6), nothing changes
    assert main(["confirm", key, "--ledger", ledger, *now]) == 6
    assert "lacks approval: OUT_OF_HOURS" in capsys.readouterr().err
    assert main(["confirm", key, "--request", str(request), *rank, "--ledger", ledger, *now]) == 6
    capsys.readouterr()
    approval = ["--approver", "lead-kofi", "--authority", "incident_leadership"]
    assert (
        main(
            [
                "approve",
                key,
                *approval,
                "--codes",
                "OUT_OF_HOURS",
                "--ledger",
                ledger,
                "--log",
                log,
                *now,
            ]
        )
        == 0
    )
    assert "approval by lead-kofi as incident_leadership recorded" in capsys.readouterr().out
    invite = tmp_path / "invite.ics"
    argv = ["confirm", key, "--request", str(request), *rank, "--invite", str(invite)]
    assert main([*argv, "--ledger", ledger, "--log", log, *now]) == 0
    assert "bridge confirmed" in capsys.readouterr().out
    cal = icalendar.Calendar.from_ical(invite.read_bytes())
    assert str(cal["method"]) == "REQUEST"
    assert [r["event"] for r in read_log(log)] == [
        "holds_placed",
        "approval_granted",
        "holds_confirmed",
    ]
    # a bad code is one line, exit 2
    assert main(["approve", key, *approval, "--codes", "NOPE", "--ledger", ledger, *now]) == 2
    assert capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--now", "1800-01-01T00:00:00Z"], "must lie in the years 1900-2200"),
        (["--now", "2200-12-31T23:58:00Z"], "must lie in the years 1900-2200"),
        (["--expires-at", "9999-12-31T23:59:59Z"], "must lie in the years 1900-2200"),
        (["--log", "/nonexistent/dir/a.jsonl"], "its folder does not exist"),
        (["--key", ""], "must be 1-200 printable characters"),
        (["--key", "INC-1/a\nforged line"], "must be 1-200 printable characters"),
    ],
)
def test_bad_hold_options_change_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Found in review: these used to fail after the first calendar write, or left
    rows nobody could read again."""
    ledger = tmp_path / "h.db"
    assert main(["hold", str(EXAMPLE), "--ledger", str(ledger), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "h.db.calendars").exists() or not any(
        (tmp_path / "h.db.calendars").rglob("*.ics")
    )
    if ledger.exists():
        assert main(["status", "INC-4711", "--ledger", str(ledger)]) == 0
        assert capsys.readouterr().out == "INC-4711: no holds\n"


def test_confirm_with_a_request_for_another_slot_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = str(tmp_path / "h.db")
    assert main(["hold", str(EXAMPLE), "--ledger", ledger]) == 0
    capsys.readouterr()
    invite = tmp_path / "inv.ics"
    argv = ["confirm", KEY, "--request", str(EXAMPLE), "--rank", "2", "--invite", str(invite)]
    assert main([*argv, "--ledger", ledger, "--now", "2027-03-16T12:10:00Z"]) == 2
    assert "holds a different slot than the one to invite to (differs in start, end)" in (
        capsys.readouterr().err
    )
    assert not invite.exists()
    assert main(["status", "INC-4711", "--ledger", ledger]) == 0
    assert capsys.readouterr().out.count(" placed ") == 5


def test_bad_hold_input_creates_no_ledger_and_unwritable_outputs_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "typo.db"
    for argv in (["--now", "garbage"], ["--rank", "99"], ["--expires-at", "2027-03-16T11:00:00Z"]):
        assert main(["hold", str(EXAMPLE), "--ledger", str(ledger), *argv]) == 2
        assert capsys.readouterr().err.count("\n") == 1
        assert not ledger.exists()
    junk = tmp_path / "junk.jsonl"
    junk.write_text("not a record\n", "utf-8")
    for log, message in (
        (str(tmp_path), "is a directory"),
        (str(junk), "not a bridge_sched audit log"),
    ):
        assert main(["hold", str(EXAMPLE), "--ledger", str(ledger), "--log", log]) == 2
        assert message in capsys.readouterr().err
        assert not ledger.exists()
