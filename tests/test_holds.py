"""Holds: all attendees or none, idempotent, crash-safe at every step, expiring by sweep."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from bridge_sched.holds import (
    InMemoryGateway,
    Ledger,
    LedgerError,
    hold_id,
    place_holds,
    sweep,
)

UTC = dt.timezone.utc
NOW = dt.datetime(2027, 3, 16, 11, 40, tzinfo=UTC)
START = dt.datetime(2027, 3, 16, 15, 30, tzinfo=UTC)
END = START + dt.timedelta(minutes=30)
SLA = dt.datetime(2027, 3, 16, 17, 30, tzinfo=UTC)
PEOPLE = ["csm-priya", "eng-dara", "ic-chen", "lead-kofi", "sup-amara"]


def _place(ledger: Ledger, gw: InMemoryGateway, key: str = "INC-4711/1", **kw):  # type: ignore[no-untyped-def]
    return place_holds(
        ledger,
        gw,
        key=key,
        incident="INC-4711",
        people=PEOPLE,
        start=START,
        end=END,
        expires_at=SLA,
        now=NOW,
        **kw,
    )


def _consistent(ledger: Ledger, gw: InMemoryGateway) -> None:
    """No block without a placed/confirmed row, no such row without a block."""
    live = {h.id: h.state for h in ledger.holds(states=["placed", "confirmed"])}
    assert {i: s for i, (_p, s) in gw.blocks.items()} == {
        i: ("tentative" if s == "placed" else "confirmed") for i, s in live.items()
    }
    assert not ledger.holds(states=["placing", "confirming", "releasing"])


def test_all_attendees_hold_the_slot(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    placement = _place(ledger, gw)
    assert placement.ok and placement.status == "held"
    assert [h.person for h in placement.holds] == sorted(PEOPLE)
    assert all(h.state == "placed" and h.expires_at == SLA for h in placement.holds)
    assert [t.to_state for t in ledger.transitions(hold_id("INC-4711/1", "eng-dara"))] == [
        "placing",
        "placed",
    ]
    _consistent(ledger, gw)


def test_one_failure_releases_the_others(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway(fail={"ic-chen"})
    placement = _place(ledger, gw)
    assert not placement.ok and placement.status == "failed"
    assert placement.failed == ("ic-chen",)
    assert placement.skipped == ("lead-kofi", "sup-amara")
    states = {h.person: h.state for h in placement.holds}
    assert states == {
        "csm-priya": "released",
        "eng-dara": "released",
        "ic-chen": "failed",
        "lead-kofi": "failed",
        "sup-amara": "failed",
    }
    assert {h.person: h.reason for h in placement.holds} == {
        "csm-priya": "incomplete",
        "eng-dara": "incomplete",
        "ic-chen": "refused",
        "lead-kofi": "not_attempted",
        "sup-amara": "not_attempted",
    }
    assert gw.blocks == {}
    _consistent(ledger, gw)


def test_placing_twice_is_idempotent(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    first = _place(ledger, gw)
    calls = len(gw.calls)
    again = _place(ledger, gw)
    assert again.holds == first.holds
    assert len(gw.calls) == calls  # the calendar was not touched again


# --------------------------------------------------------------------------- #
# iCalendar gateway
# --------------------------------------------------------------------------- #
def test_ics_gateway_writes_tentative_then_cancel(tmp_path: Path) -> None:
    import icalendar

    from bridge_sched import Window
    from bridge_sched.adapters import ics
    from bridge_sched.holds import IcsGateway

    ledger, gw = Ledger(tmp_path / "l.db"), IcsGateway(tmp_path / "cal")
    placement = place_holds(
        ledger,
        gw,
        key="INC-4711/1",
        incident="INC-4711",
        people=PEOPLE,
        start=START,
        end=END,
        expires_at=SLA,
        now=NOW,
    )
    assert placement.ok
    dara = ledger.holds(key="INC-4711/1")[1]
    assert dara.person == "eng-dara"
    event = next(iter(icalendar.Calendar.from_ical(gw.path(dara).read_bytes()).walk("VEVENT")))
    assert str(event["status"]) == "TENTATIVE"
    assert str(event["uid"]) == f"{dara.id}@bridge-sched"
    assert str(event["x-bridge-sched-incident"]) == "INC-4711"
    assert event.decoded("dtstart") == START and event.decoded("dtstamp") == NOW
    # our own ics adapter reads the hold back as a tentative busy interval
    window = Window(start=START - dt.timedelta(hours=1), end=END + dt.timedelta(hours=1))
    part = ics.load(gw.path(dara), window=window, fetched_at=NOW)
    assert [(b.start, b.end, b.kind.value) for b in part.busy] == [(START, END, "tentative")]
    # expiry releases with METHOD:CANCEL and a higher SEQUENCE; the adapter sees nothing
    assert [h.person for h in sweep(ledger, gw, SLA).expired] == sorted(PEOPLE)
    cal = icalendar.Calendar.from_ical(gw.path(dara).read_bytes())
    event = next(iter(cal.walk("VEVENT")))
    assert (str(cal["method"]), str(event["status"]), int(event["sequence"])) == (
        "CANCEL",
        "CANCELLED",
        1,
    )
    assert ics.load(gw.path(dara), window=window, fetched_at=NOW).busy == ()
    assert gw.find(dara) is None


class _LandsButRaises(InMemoryGateway):
    """A calendar that stores the hold and then reports a failure (a timeout after the write)."""

    def place(self, hold, now):  # type: ignore[no-untyped-def]
        if hold.person == "ic-chen":
            self.blocks[hold.id] = (hold.person, "tentative")
            from bridge_sched.holds import GatewayError

            raise GatewayError("timeout after the write")
        return super().place(hold, now)


def test_a_write_that_landed_despite_an_error_is_released(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), _LandsButRaises()
    placement = _place(ledger, gw)  # type: ignore[arg-type]
    assert placement.failed == ("ic-chen",)
    assert gw.blocks == {}  # nothing left on any calendar


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end": START}, "end"),
        ({"expires_at": NOW}, "expires_at"),
        ({"people": []}, "people"),
        ({"now": NOW.replace(tzinfo=None)}, "now"),
        ({"people": ["eng-dara", "../../etc"]}, "people"),
        ({"incident": "INC 4711\n"}, "incident"),
        ({"key": ""}, "key"),
        ({"key": "x" * 201}, "key"),
    ],
)
def test_bad_placements_are_input_errors(tmp_path: Path, change: dict, field: str) -> None:  # type: ignore[type-arg]
    from bridge_sched import InputError

    args = {
        "key": "k",
        "incident": "INC-4711",
        "people": PEOPLE,
        "start": START,
        "end": END,
        "expires_at": SLA,
        "now": NOW,
        **change,
    }
    with pytest.raises(InputError) as info:
        place_holds(Ledger(tmp_path / "l.db"), InMemoryGateway(), **args)
    assert info.value.field == field


def test_a_file_that_is_not_a_ledger_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerError, match=r"cannot open the ledger|not a usable ledger"):
        Ledger(junk)
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE users (x)")
    db.execute("PRAGMA user_version = 7")
    db.commit()
    db.close()
    before = other.read_bytes()
    with pytest.raises(LedgerError, match="not a bridge_sched ledger"):
        Ledger(other)
    assert other.read_bytes() == before  # another application's file is left alone
    with pytest.raises(LedgerError, match="no ledger here"):
        Ledger(tmp_path / "typo.db", create=False)
    assert not (tmp_path / "typo.db").exists()
    # a ledger of another schema version is refused, not misread
    old = tmp_path / "old.db"
    Ledger(old).close()
    db = sqlite3.connect(old)
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with pytest.raises(LedgerError, match="schema version 1, this bridge_sched reads version 2"):
        Ledger(old, create=False)


def test_illegal_transitions_are_refused(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    h = _place(ledger, gw).holds[0]
    # a placed hold is released only through 'releasing' (decide, then act)
    with pytest.raises(LedgerError, match="placed -> released is not allowed"):
        ledger.move(h.id, "released", NOW, "cancelled")
    with pytest.raises(LedgerError, match="unknown hold reason"):
        ledger.move(h.id, "confirming", NOW, "because")
    assert ledger.get(h.id).state == "placed"
    assert [t.to_state for t in ledger.transitions(h.id)] == ["placing", "placed"]
