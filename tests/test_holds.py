"""Holds: all attendees or none, idempotent, crash-safe at every step, expiring by sweep."""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
from pathlib import Path

import pytest

from bridge_sched.holds import (
    InMemoryGateway,
    Ledger,
    LedgerError,
    confirm,
    hold_id,
    place_holds,
    recover,
    release,
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
    live = {h.id for h in ledger.holds(states=["placed", "confirmed"])}
    assert set(gw.blocks) == live
    assert not ledger.holds(states=["placing"])


def test_all_attendees_hold_the_slot(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    placement = _place(ledger, gw)
    assert placement.ok
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
    assert not placement.ok
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
    assert gw.blocks == {}
    _consistent(ledger, gw)


def test_placing_twice_is_idempotent(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    first = _place(ledger, gw)
    calls = len(gw.calls)
    again = _place(ledger, gw)
    assert again.holds == first.holds
    assert len(gw.calls) == calls  # the calendar was not touched again


class Crash(Exception):
    pass


STEPS = (
    ["intents"]
    + [f"placed-on-calendar:{p}" for p in sorted(PEOPLE)]
    + [f"placed-in-ledger:{p}" for p in sorted(PEOPLE)]
)


@pytest.mark.parametrize("crash_at", STEPS)
@pytest.mark.parametrize("failing", [None, "lead-kofi"])
def test_crash_at_every_step_converges(tmp_path: Path, crash_at: str, failing: str | None) -> None:
    ledger = Ledger(tmp_path / "l.db")
    gw = InMemoryGateway(fail={failing} if failing else set())

    def step(name: str) -> None:
        if name == crash_at:
            raise Crash(name)

    with contextlib.suppress(Crash):
        _place(ledger, gw, step=step)
    # a new process opens the same ledger and recovers
    ledger = Ledger(tmp_path / "l.db")
    recover(ledger, gw, NOW)
    _consistent(ledger, gw)
    holds = ledger.holds(key="INC-4711/1")
    states = {h.state for h in holds}
    # all-or-nothing: either everyone holds the slot, or nobody does
    assert states <= {"placed"} or not (states & {"placed", "confirmed"})
    # re-running the placement afterwards changes nothing
    before = [(h.id, h.state) for h in holds]
    _place(ledger, gw)
    assert [(h.id, h.state) for h in ledger.holds(key="INC-4711/1")] == before


def test_sweep_expires_at_the_sla_and_not_before(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    _place(ledger, gw)
    assert sweep(ledger, gw, SLA - dt.timedelta(seconds=1)) == []
    expired = sweep(ledger, gw, SLA)
    assert sorted(h.person for h in expired) == sorted(PEOPLE)
    assert gw.blocks == {}
    assert {h.state for h in ledger.holds()} == {"expired"}
    _consistent(ledger, gw)


def test_confirm_releases_the_other_slot(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    _place(ledger, gw, key="INC-4711/1")
    _place(ledger, gw, key="INC-4711/2")
    confirm(ledger, gw, "INC-4711/1", NOW)
    assert {h.state for h in ledger.holds(key="INC-4711/1")} == {"confirmed"}
    assert {h.state for h in ledger.holds(key="INC-4711/2")} == {"released"}
    assert {status for _p, status in gw.blocks.values()} == {"confirmed"}
    # a confirmed hold does not expire
    assert sweep(ledger, gw, SLA + dt.timedelta(hours=1)) == []
    release(ledger, gw, "INC-4711/1", NOW)  # cancel
    assert gw.blocks == {}
    _consistent(ledger, gw)


def test_illegal_transition_is_refused(tmp_path: Path) -> None:
    ledger, gw = Ledger(tmp_path / "l.db"), InMemoryGateway()
    placement = _place(ledger, gw)
    h = placement.holds[0]
    ledger.move(h.id, "released", NOW)
    with pytest.raises(LedgerError):
        ledger.move(h.id, "placed", NOW)


def _race(
    path: str, barrier: multiprocessing.synchronize.Barrier, out: multiprocessing.Queue
) -> None:  # type: ignore[name-defined]
    ledger, gw = Ledger(path), InMemoryGateway()
    barrier.wait()
    _place(ledger, gw)
    out.put(len(gw.calls))


def test_two_processes_racing_on_one_key(tmp_path: Path) -> None:
    path = str(tmp_path / "l.db")
    Ledger(path).close()
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_race, args=(path, barrier, out)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    calls = sorted(out.get(timeout=5) for _ in procs)
    assert calls == [0, len(PEOPLE)]  # exactly one process placed the holds
    ledger = Ledger(path)
    holds = ledger.holds(key="INC-4711/1")
    assert len(holds) == len(PEOPLE) and {h.state for h in holds} == {"placed"}
    assert all(len(ledger.transitions(h.id)) == 2 for h in holds)


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
    sweep(ledger, gw, SLA)
    cal = icalendar.Calendar.from_ical(gw.path(dara).read_bytes())
    event = next(iter(cal.walk("VEVENT")))
    assert (str(cal["method"]), str(event["status"]), int(event["sequence"])) == (
        "CANCEL",
        "CANCELLED",
        1,
    )
    assert ics.load(gw.path(dara), window=window, fetched_at=NOW).busy == ()
    assert gw.find(dara) is None


@pytest.mark.parametrize("crash_at", STEPS)
def test_ics_gateway_crash_at_every_step_converges(tmp_path: Path, crash_at: str) -> None:
    from bridge_sched.holds import IcsGateway

    ledger, gw = Ledger(tmp_path / "l.db"), IcsGateway(tmp_path / "cal", read_only={"sup-amara"})

    def step(name: str) -> None:
        if name == crash_at:
            raise Crash(name)

    with contextlib.suppress(Crash):
        _place(ledger, gw, step=step)  # type: ignore[arg-type]
    recover(ledger, gw, NOW)  # type: ignore[arg-type]
    live = {h.id for h in ledger.holds(states=["placed", "confirmed"])}
    on_calendar = {h.id for h in ledger.holds() if gw.find(h) is not None}
    assert live == on_calendar == set()  # sup-amara's calendar refuses: nobody holds the slot


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
