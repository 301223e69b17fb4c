"""The manifest assembler: from a folder of source files to a validated request."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bridge_sched import AdapterError, Status, Window, solve
from bridge_sched.adapters.manifest import (
    _gaps,
    assemble,
    availability_overrides,
    is_manifest,
    parse_manifest,
)
from bridge_sched.cli import main

UTC = dt.timezone.utc
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "real-calendars"


def u(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


# --------------------------------------------------------------------------- #
# Pieces
# --------------------------------------------------------------------------- #
def test_gaps_are_the_uncovered_parts_of_the_window() -> None:
    window = Window(start=u("2027-04-20T07:00"), end=u("2027-04-20T17:00"))
    covered = [
        Window(start=u("2027-04-20T09:00"), end=u("2027-04-20T10:00")),
        Window(start=u("2027-04-20T09:30"), end=u("2027-04-20T12:00")),
        Window(start=u("2027-04-20T16:00"), end=u("2027-04-21T00:00")),
    ]
    assert _gaps(window, covered) == [
        (u("2027-04-20T07:00"), u("2027-04-20T09:00")),
        (u("2027-04-20T12:00"), u("2027-04-20T16:00")),
    ]
    assert _gaps(window, []) == [(window.start, window.end)]


def test_availability_becomes_per_date_hours_on_the_local_clock() -> None:
    # New York springs forward on 2027-03-14: 13:00Z is 08:00 EST the day before, 09:00 EDT after
    window = Window(start=u("2027-03-13T00:00"), end=u("2027-03-15T23:00"))
    stretches = (
        Window(start=u("2027-03-13T13:00"), end=u("2027-03-13T21:00")),
        Window(start=u("2027-03-15T13:00"), end=u("2027-03-15T21:00")),
        # a night shift crossing local midnight: 22:00-02:00 EDT
        Window(start=u("2027-03-16T02:00"), end=u("2027-03-16T06:00")),
    )
    by_date = {
        o.date.isoformat(): [(r.start, r.end) for r in o.hours]
        for o in availability_overrides(stretches, "America/New_York", window)
    }
    assert by_date["2027-03-13"] == [("08:00", "16:00")]
    assert by_date["2027-03-14"] == []  # stated, and nothing available: a day off
    assert by_date["2027-03-15"] == [("09:00", "17:00"), ("22:00", "24:00")]
    assert by_date["2027-03-16"] == [("00:00", "02:00")]


def test_manifest_detection() -> None:
    assert is_manifest("anything", "m.yaml")
    assert is_manifest('{"schema": "bridge_sched.manifest/1"}', "m.json")
    assert not is_manifest('{"incident": {}}', "r.json")


def test_bad_yaml_names_the_line() -> None:
    with pytest.raises(AdapterError) as info:
        parse_manifest("schema: bridge_sched.manifest/1\nincident: [\n", "m.yaml")
    assert info.value.source == "m.yaml"
    assert info.value.where == "line 3"


def test_unknown_manifest_field_names_its_path() -> None:
    text = (EXAMPLE / "manifest.yaml").read_text("utf-8") + "\nrooms: 3\n"
    with pytest.raises(AdapterError) as info:
        parse_manifest(text, "manifest.yaml")
    assert info.value.where == "rooms"
    assert isinstance(info.value, ValueError)


def test_unset_environment_variable_in_a_path(tmp_path: Path) -> None:
    text = (
        (EXAMPLE / "manifest.yaml")
        .read_text("utf-8")
        .replace(
            "file: calendars/eng-dara.ics", "file: '${BRIDGE_SCHED_SURELY_UNSET}/eng-dara.ics'"
        )
    )
    (tmp_path / "manifest.yaml").write_text(text, "utf-8")
    with pytest.raises(AdapterError) as info:
        assemble(tmp_path / "manifest.yaml")
    assert info.value.where == "sources[0].file"
    assert info.value.value == "${BRIDGE_SCHED_SURELY_UNSET}"


def test_unmapped_on_call_account_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    shutil.copytree(EXAMPLE, folder)
    text = (folder / "manifest.yaml").read_text("utf-8").replace("  POMAR02: ic-omar\n", "")
    (folder / "manifest.yaml").write_text(text, "utf-8")
    with pytest.raises(AdapterError) as info:
        assemble(folder / "manifest.yaml")
    assert info.value.where == "roles[0].on_call.candidates[1]"
    assert info.value.value == "POMAR02"


# --------------------------------------------------------------------------- #
# The example, end to end
# --------------------------------------------------------------------------- #
@pytest.fixture(scope="module")
def request_():  # type: ignore[no-untyped-def]
    return assemble(EXAMPLE / "manifest.yaml")


def _busy(request, person: str) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    (p,) = [p for p in request.people if p.id == person]
    return [
        (b.start.strftime("%H:%M"), b.end.strftime("%H:%M"), b.kind.value)
        for b in p.busy
        if b.end > request.window.start and b.start < request.window.end
    ]


def test_example_busy_in_utc(request_) -> None:  # type: ignore[no-untyped-def]
    # Berlin is CEST (+02:00) on 2027-04-20: stand-up 09:30 -> 07:30Z, focus 14:00 -> 12:00Z,
    # tentative 17:00 -> 15:00Z; the cancelled 16:30 review blocks nothing
    assert _busy(request_, "eng-dara") == [
        ("07:30", "07:45", "busy"),
        ("12:00", "14:00", "busy"),
        ("15:00", "15:30", "tentative"),
    ]
    # Windows zone "W. Europe Standard Time" = Europe/Berlin: 15:00-18:00 -> 13:00-16:00Z
    assert _busy(request_, "eng-eli") == [("13:00", "16:00", "busy")]
    # Graph times are in the Prefer zone, "Eastern Standard Time" = New York, EDT (-04:00)
    assert _busy(request_, "sup-lena") == [
        ("13:00", "14:00", "busy"),
        ("15:00", "15:30", "tentative"),
    ]
    # Google calendar with an error: unknown over the query window
    assert _busy(request_, "csm-theo") == [("07:00", "17:00", "unknown")]
    assert _busy(request_, "lead-amir") == [
        ("13:00", "14:00", "busy"),
        ("16:00", "17:00", "tentative"),
    ]


def test_example_roles_hours_customer_and_sources(request_) -> None:  # type: ignore[no-untyped-def]
    ic = next(r for r in request_.roles if r.name == "incident_commander")
    assert [c.person for c in ic.candidates] == ["ic-nadia", "ic-omar"]
    assert ic.candidates[0].on_call[0].start == u("2027-04-20T06:00")
    lena = next(p for p in request_.people if p.id == "sup-lena")
    assert (lena.working_hours.tue[0].start, lena.working_hours.tue[0].end) == ("08:00", "17:00")
    assert request_.customer.timezone == "America/New_York"
    assert [(w.date.isoformat(), w.start, w.end) for w in request_.customer.availability] == [
        ("2027-04-20", "09:00", "13:00")
    ]
    kinds = {s.id: (s.kind, s.fetched_at) for s in request_.sources}
    assert kinds["pd-major"] == ("on_call", u("2027-04-20T06:38"))
    assert kinds["crm-larkspur"] == ("crm", u("2027-04-19T22:00"))
    graph = next(s for s in request_.sources if s.id == "graph-support")
    assert graph.people == ("sup-ivo", "sup-lena")


def test_example_solves_to_ranked_slots(request_) -> None:  # type: ignore[no-untyped-def]
    result = solve(request_)
    assert result.status == Status.scheduled
    first = result.slots[0]
    assert first.start == u("2027-04-20T14:30")
    assert {a.role: a.person for a in first.assignments} == {
        "customer_success": "csm-rosa",
        "engineering_owner": "eng-dara",
        "incident_commander": "ic-nadia",
        "leadership_delegate": "lead-amir",
        "support_lead": "sup-lena",
    }
    # every source is fresh at 06:40Z; theo's Google calendar answered notFound
    assert [(w.code.value, w.people) for w in result.warnings] == [
        ("UNKNOWN_AVAILABILITY", ("csm-theo",))
    ]


def test_example_keeps_calendar_text_out(request_) -> None:  # type: ignore[no-untyped-def]
    text = request_.model_dump_json() + solve(request_).model_dump_json()
    for secret in (
        "Quarterly planning",
        "Dentist",
        "Parental leave",
        "Nadia Rahman",
        "Omar Haddad",
        "Dana Whitfield",
        "dana.whitfield@larkspur.example",
        "555 0147",
        "ledger reconciliation",
        "Release train",
        "nadia@kestrel.example",
        "PNADIA1",
    ):
        assert secret not in text


def test_cli_solves_the_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", str(EXAMPLE / "manifest.yaml")]) == 0
    out = capsys.readouterr().out
    assert "#1  2027-04-20 14:30-15:00 UTC" in out
    assert main(["assemble", str(EXAMPLE / "manifest.yaml")]) == 0
    assert '"id": "INC-8817"' in capsys.readouterr().out


def test_manifest_on_real_calendar_files(real_data: Path) -> None:
    """People's calendars are real third-party exports from the shared data folder."""
    req = assemble(EXAMPLE / "manifest-shared-data.yaml")
    # Teams/Thunderbird weekly Friday 11:00 "W. Europe Standard Time" = CEST (+02:00) -> 09:00Z
    assert _busy(req, "eng-dara") == [("09:00", "10:00", "tentative")]
    # DAVx5 weekly Thursday 19:30 Europe/Paris (CEST) -> 17:30Z
    assert _busy(req, "eng-eli") == [("17:30", "18:30", "busy")]
    # Google export, X-WR-TIMEZONE America/Chicago: 08:15 CDT (-05:00) -> 13:15Z
    assert _busy(req, "ic-omar")[0] == ("13:15", "13:30", "busy")
    result = solve(req)
    assert result.status == Status.scheduled
    assert result.slots[0].start == u("2026-05-14T14:00")
    assert {a.role: a.person for a in result.slots[0].assignments} == {
        "engineering_owner": "eng-dara",
        "incident_commander": "ic-omar",
        "support_lead": "sup-lena",
    }
